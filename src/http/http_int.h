/* http_int.h: what the http module's files share (not a public header). */
#ifndef SC_HTTP_INT_H
#define SC_HTTP_INT_H

#include <arpa/inet.h>
#include <netinet/in.h>

#include <libwebsockets.h>

#include "http/http.h"

#define HTTP_MOD "http"
#define HTTP_VHOST "sipcloak"

enum {
	HTTP_HANDSHAKE_TIMEOUT_S = 10, /* lws timeout_secs: TLS, headers */
	HTTP_IP_STR_MAX = INET6_ADDRSTRLEN,
	HTTP_IP_BUCKETS = 256,
	HTTP_WS_RX_CHUNK = 8192,  /* lws rx buffer per callback */
	HTTP_TX_CHUNK = 16384,    /* response body bytes per write */
	HTTP_RESP_HDR_MAX = 2048, /* status line + response headers */
	HTTP_CLOSE_SPINS = 100,   /* loop turns for lws to let go */
	HTTP_REASON_MAX = 120,    /* our reason phrases */
};

struct http_server {
	uv_loop_t *loop;
	struct lws_context *ctx; /* lws sets it NULL when fully destroyed */
	struct lws_vhost *vh;
	char *host;
	uint16_t listen_port;
	char *cert;
	char *key;
	char **origins;
	size_t origins_n;
	unsigned max_conn_per_ip;
	unsigned idle_timeout_s;
	struct http_handlers h;
	void *arg;
	struct list conns;  /* struct ws_conn, open ones */
	struct hash *ips;   /* struct http_ipc, per-address conn counts */
	struct list routes; /* struct http_route */
	lws_retry_bo_t retry;
	struct lws_protocols protocols[3];
	bool closing;
	bool half_destroyed; /* lws_create_context failed half-way */
	uint8_t *txbuf;	     /* LWS_PRE + HTTP_WS_MSG_MAX: direct writes */
};

/* Per-address WebSocket connection count (max_conn_per_ip). */
struct http_ipc {
	struct le he;
	unsigned n;
	char ip[HTTP_IP_STR_MAX];
};

struct http_peer {
	struct sockaddr_storage sa;
	char ip[HTTP_IP_STR_MAX];    /* address only, IPv4-mapped unmapped */
	char str[HTTP_PEER_STR_MAX]; /* "ip:port" or "[ip]:port" */
};

/* server.c */
int http_peer_get(struct lws *wsi, struct http_peer *peer);
unsigned http_ipc_count(const struct http_server *srv, const char *ip);
int http_ipc_inc(struct http_server *srv, const char *ip,
                 struct http_ipc **ipcp);
void http_ipc_dec(struct http_ipc *ipc);

/* route.c: the lws callback of the HTTP protocol (protocols[0]) */
int http_lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                void *in, size_t len);
int http_write_simple(struct lws *wsi, uint16_t status, const char *reason,
                      const char *headers);

/* upgrade.c: the checks before a WebSocket upgrade (RFC 6455 4.2) */
bool http_token_listed(const char *list, const char *tok); /* a, b , c */
int http_upgrade_confirm(struct http_server *srv, struct lws *wsi,
                         const char *upgrade);

/* ws.c: the lws callback of the "sip" WebSocket protocol */
int http_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
               void *in, size_t len);

#endif
