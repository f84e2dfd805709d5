/* server.h: the running gateway (internal to src/gw/). */
#ifndef SC_GW_SERVER_H
#define SC_GW_SERVER_H

#include <uv.h>

#include "gw/gw.h"
#include "gw/provision.h"
#include "gw/reg.h"
#include "media/media.h"
#include "http/http.h"
#include "net/net.h"
#include "sip/msg.h"
#include "sip/transp.h"
#include "sip/tsx.h"
#include "store/store.h"
#include "tls/tls.h"

/* What the gateway itself supports today; grows with each capability. */
#define GW_ALLOW \
	"REGISTER, OPTIONS, INVITE, ACK, CANCEL, BYE, UPDATE, INFO, MESSAGE, " \
	"NOTIFY"
#define GW_ACCEPT "application/sdp"
#define GW_SUPPORTED "outbound"
#define GW_SERVER_NAME "sipcloak/" SC_VERSION
#define GW_TAG_LEN 16 /* random To tags: 15 chars of [a-zA-Z0-9] */
#define GW_HOUSEKEEPING_MS (60 * 1000) /* store clean-up interval */

struct gw_conns;
struct gw_calls;

struct gw_stats {
	uint64_t requests;  /* requests handled (not absorbed retransmissions) */
	uint64_t rejected;  /* answered >= 400 before any handler */
	uint64_t dropped;   /* unanswerable malformed messages, stray ACKs */
	uint64_t responses; /* responses received (no client transactions yet) */
};

struct gw_server {
	const struct gw_config *cfg;
	uv_loop_t loop;
	bool loop_ready;
	struct tmrl *tl;
	struct net_timers *timers;
	struct tls_ctx *sip_tls;    /* server context of the SIP TLS listener */
	struct tls_ctx *tls_client; /* verifying PBXs (outgoing TLS) */
	struct sip_transp *tp;
	struct sip_tsx_layer *tsx;
	struct http_server *http;
	struct store_keyring *kr; /* referenced */
	struct store *store;
	struct gw_reg *reg;	  /* digest auth, bans and the registrar */
	struct gw_ctl *ctl;	  /* the CLI's control socket (ctl.h) */
	struct gw_provision *prov; /* one-time links at /p/ */
	struct gw_api *api;	    /* the admin API at /api/v1 (api.h) */
	struct media_engine *media; /* the media relay (media.h) */
	struct gw_conns *conns;	  /* PBX connections (conn.h) */
	struct gw_calls *calls;	  /* the B2BUA (call.h) */
	struct tmr housekeeping;
	struct tmr cache_check; /* store_cache_check every GW_REG_CACHE_CHECK_MS */
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_timer_t drain;     /* after a signal: waits for unregistrations */
	unsigned drain_ticks; /* left before the loop stops anyway */
	bool draining;
	struct mbuf *txbuf; /* response encoding scratch, reused */
	struct mbuf *hdrbuf; /* extra header lines of a response, reused */
	struct rand_pool tags; /* randomness for To tags */
	struct gw_stats stats;
};

int gw_server_alloc(struct gw_server **srvp, const struct gw_config *cfg,
		    struct store_keyring *kr);
void gw_server_run(struct gw_server *srv);
void gw_server_close(struct gw_server *srv);

/* sip_rx.c: the handler of every message the transports deliver. */
void gw_sip_recv(struct sip_flow *flow, int err, struct sip_msg *msg,
		 void *arg);
/* The transaction layer's way out: dest is a struct sip_flow. */
int gw_sip_send(void *dest, const uint8_t *data, size_t len, void *arg);
/* The Via parameters of the responses the layer makes itself (100 Trying). */
int gw_sip_via(void *dest, const struct sip_msg *req, char *buf, size_t size,
	       void *arg);

#endif
