/* conn.h: connections to PBXs and trunks ([connection NAME] sections):
 * routing lookups, upstream registration (RFC 3261 §10.2), trunk health
 * (OPTIONS, RFC 3261 §11) and the digest answers toward the PBX (RFC 7616,
 * RFC 8760). Internal to src/gw/; the B2BUA calls it. */
#ifndef SC_GW_CONN_H
#define SC_GW_CONN_H

#include <regex.h>

#include "core/core.h"
#include "media/media.h"
#include "net/net.h"
#include "sip/msg.h"
#include "sip/transp.h"

struct gw_server;
struct gw_config;

/* Limits of one [connection NAME] section, each a config error. */
#define GW_CONN_MAX 64          /* [connection] sections in one file */
#define GW_CONN_NAME_MAX 64     /* bytes of a connection name */
#define GW_CONN_PATTERNS_MAX 32 /* dial_patterns entries */
#define GW_CONN_ALLOW_MAX 32    /* allow_from entries */
#define GW_CONN_WEIGHT_MAX 1000000
#define GW_CONN_USER_MAX 128 /* bytes of a user name / extension / token */
#define GW_CONN_URI_MAX 512  /* bytes of a built URI */
#define GW_CONN_KEYS_MAX 16  /* keys a [connection] section knows */

enum gw_conn_type {
	GW_CONN_REGISTRATION = 0, /* we register upstream per user */
	GW_CONN_TRUNK,            /* fixed host, OPTIONS keep-alive */
	GW_CONN_INBOUND,          /* the PBX registers to us */
};

enum gw_conn_register {
	GW_CONN_REGISTER_ONLINE = 0, /* while the user has a device online */
	GW_CONN_REGISTER_ALWAYS,
};

/* What a connection looks like now (status, gw_conn_target). */
enum gw_conn_state {
	GW_CONN_STATE_DOWN = 0, /* not known to be reachable */
	GW_CONN_STATE_UP,
};

/* One network of allow_from: addr/bits (IPv4 or IPv6). */
struct gw_cidr {
	struct sa addr; /* port 0 */
	uint8_t bits;
};

/* One dial_patterns entry: POSIX extended regex and its weight. */
struct gw_dial_pattern {
	char *src; /* as written */
	regex_t re;
	uint32_t weight; /* lower wins */
};

/*
 * A [connection NAME] section as parsed (owned by struct gw_config; every
 * string mem_alloc'd, NULL when not set).
 */
struct gw_conn_conf {
	char *name;
	unsigned line; /* of the section header */
	enum gw_conn_type type;
	enum sip_transp_type transport; /* UDP, TCP or TLS */
	char *host;                     /* NULL only for inbound */
	uint16_t port;                  /* 5060 (udp/tcp) / 5061 (tls) */
	bool port_set;                  /* port given: no SRV lookup */
	struct gw_dial_pattern *patv;   /* patc entries, compiled */
	size_t patc;
	struct gw_cidr allowv[GW_CONN_ALLOW_MAX];
	size_t allowc;
	enum media_kind media;
	enum media_codec codecv[MEDIA_CODECS_MAX];
	size_t codecc;    /* 0: the engine's default (all, Opus first) */
	uint32_t expires; /* registration: requested, s */
	enum gw_conn_register reg_mode; /* registration */
	uint32_t options_interval;      /* trunk: s */
	char *from_domain;              /* NULL: host */
	char *pai;                      /* P-Asserted-Identity URI or NULL */
	unsigned key_line[GW_CONN_KEYS_MAX]; /* loader: line each key set */
};

/*
 * Runtime: one per [connection] of the config. Fields are readable by the
 * B2BUA; conf stays valid as long as the struct gw_conns lives.
 */
struct gw_conn {
	struct le le;
	const struct gw_conn_conf *conf; /* name, type, transport, media, ... */
	struct gw_conns *cs;             /* owner (not referenced) */
	enum gw_conn_state state;
	int last_err;        /* errno of the last failure, 0: none */
	uint16_t last_scode; /* last status from the peer, 0: none */
	struct sa addrv[NET_RESOLV_MAX]; /* host's targets (RFC 3263 §4):
					  * in the order to try them */
	size_t addrc;
	/* inbound: the PBX's registered contact (registrar binding) */
	struct sip_flow *in_flow;
	char in_user[GW_CONN_USER_MAX]; /* the user name it registers as */
	/* trunk health, upstream registrations: conn.c, upreg.c */
	void *priv;
};

struct gw_conns;

/*
 * Builds the runtime of every connection of cfg (which must outlive it)
 * on srv's loop, timers, transports and transaction layer, and starts the
 * trunks' OPTIONS and the `register = always` registrations (host names
 * are resolved first). srv may be NULL (unit tests: lookups only, nothing
 * sent). Returns 0, EINVAL or ENOMEM.
 */
int gw_conns_alloc(struct gw_conns **csp, struct gw_server *srv,
		   const struct gw_config *cfg);

/* Starts the trunk checks and `register = always` registrations whose
 * host is known (the others start when their name resolves). The server
 * calls it once the store's users were added. */
void gw_conns_start(struct gw_conns *cs);

/* The server's side (conn_server.c): builds srv->conns from the config
 * and the store's users, hooks the registrar (who is online, inbound
 * PBXs) and starts; stop sends the Expires: 0 (before the transaction
 * layer closes). Returns 0, ENOMEM or a store error. */
int gw_conns_server_start(struct gw_server *srv);
void gw_conns_server_stop(struct gw_server *srv);

/*
 * The server's transport saw flow close with err (ECONNREFUSED, ...): the
 * REGISTERs and OPTIONS in flight on it fail at once (RFC 3263 §4.3: a
 * transport failure moves on to the next target) instead of waiting for
 * the transaction timeout. err 0 (orderly close) changes nothing.
 */
void gw_conns_flow_closed(struct gw_conns *cs, struct sip_flow *flow,
			  int err);

/* Sends Expires: 0 for every upstream registration and stops all timers;
 * nothing else is sent after it but the answers to the PBX's challenges
 * of those removals (gw_conns_unregistering). The caller then
 * mem_deref()s cs. */
void gw_conns_close(struct gw_conns *cs);

/* True while a removal of an upstream registration (REGISTER Expires: 0,
 * sent by gw_conns_close) still waits for its answer. */
bool gw_conns_unregistering(const struct gw_conns *cs);

/* The connection named name, or NULL. */
const struct gw_conn *gw_conns_find(const struct gw_conns *cs,
				    const char *name);

/*
 * Device -> PBX routing: the connection whose dial pattern matches the
 * whole number with the lowest weight (ties: the first in the file).
 * NULL: no match (answer 404).
 */
const struct gw_conn *gw_conns_route(const struct gw_conns *cs,
				     const struct pl *number);

/*
 * A request from a PBX arrived from src: which connection it belongs to:
 * the first whose allow_from contains src's address, or (without
 * allow_from) whose host resolved to src's address, or (inbound) whose
 * registered PBX flow has src as peer. NULL: from nobody we know.
 */
const struct gw_conn *gw_conns_by_source(const struct gw_conns *cs,
					 const struct sa *src);

/*
 * Where requests on c go: *dst and *tpp. Inbound: the PBX's registered
 * contact (the flow's peer). Returns 0, ENOTCONN (unknown address, host
 * not resolved yet, trunk down, PBX not registered) or EINVAL.
 */
int gw_conn_target(const struct gw_conn *c, struct sa *dst,
		   enum sip_transp_type *tpp);

/*
 * RFC 3263 §4.3: a request to dst (a target of c) timed out, failed at
 * the transport or got 503: dst is skipped for NET_DNS_BLIST_MS.
 */
void gw_conn_target_failed(const struct gw_conn *c, const struct sa *dst);

/*
 * The target to try after a failure at after: the next one in c's list
 * that is not blacklisted, into *dst. Returns 0 or ENOENT (none left:
 * the request fails).
 */
int gw_conn_target_next(const struct gw_conn *c, const struct sa *after,
			struct sa *dst);

/* "sip:<number>@<host>[:port]" into buf. Returns 0, EINVAL or EOVERFLOW. */
int gw_conn_request_uri(const struct gw_conn *c, const struct pl *number,
			char *buf, size_t size);

/*
 * The From URI that calls from user (the gateway's user name) use on c:
 * "sip:<pbx_user or extension>@<from_domain or host>" for registration
 * connections (the identity registered upstream), else
 * "sip:<extension>@<from_domain or host>". Returns 0, ENOENT (user not on
 * this connection), EINVAL or EOVERFLOW.
 */
int gw_conn_from_uri(const struct gw_conn *c, const char *user, char *buf,
		     size_t size);

/*
 * An incoming request from the PBX on c: which gateway user it is for.
 * The Request-URI user is the Contact token we registered (registration)
 * or an extension; else the To user is taken as an extension. Writes the
 * user name. Returns 0, ENOENT, EINVAL or EOVERFLOW.
 */
int gw_conn_user_of(const struct gw_conn *c, const struct sip_msg *req,
		    char *user, size_t size);

/*
 * Appends "Authorization: ...\r\n" (401) or "Proxy-Authorization: ...\r\n"
 * (407) answering challenge with user's PBX credentials (registration) or
 * the trunk's (user ignored, may be NULL). method and uri are those of the
 * request being retried. Returns 0, ENOENT (no credentials), EBADMSG (no
 * usable challenge), EINVAL or ENOMEM.
 */
int gw_conn_authorize(const struct gw_conn *c, const char *user,
		      const struct sip_msg *challenge, const struct pl *method,
		      const struct pl *uri, struct mbuf *hdr);

/*
 * The registrar calls this when user's first device registered (online)
 * or its last binding went away (!online). Registration connections with
 * register = online start or stop the user's upstream registration.
 */
void gw_conns_user_online(struct gw_conns *cs, const char *user, bool online);

/*
 * Status for `connection status`: calls h once per connection and once
 * per upstream registration (reg set). Pointers valid during the call.
 */
struct gw_conn_status {
	const char *conn;
	const char *type;  /* "registration", "trunk", "inbound" */
	const char *state; /* "up", "down"; upreg: "registered",
			    * "registering", "unregistered", "forbidden",
			    * "backoff" */
	const char *user;  /* upstream registration: the gateway user */
	const char *pbx_user;
	uint32_t expires_in; /* s, upstream registration */
	uint16_t last_scode;
	int last_err;
	const char *error;  /* text of the last error beyond last_err (DNS),
			     * NULL: none */
	const char *target; /* "ip:port" requests go to now; NULL: none */
	bool reg;
};

typedef void(gw_conn_status_h)(const struct gw_conn_status *st, void *arg);
void gw_conns_status(const struct gw_conns *cs, gw_conn_status_h *h, void *arg);

/* Names for enums (config, status). */
const char *gw_conn_type_name(enum gw_conn_type t);

#endif
