/* http.h: the HTTPS/WSS front door (libwebsockets on the caller's libuv
 * loop): SIP over WebSocket at /ws (RFC 7118, RFC 6455) and HTTPS routes. */
#ifndef SC_HTTP_H
#define SC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include "core/core.h"

/* Limits and defaults; every one is enforced. */
enum {
	HTTP_WS_MSG_MAX = 64 * 1024,   /* one SIP message; over it: 1009 */
	HTTP_WS_TXQ_MAX = 1024 * 1024, /* queued, unsent bytes per conn */
	HTTP_WS_REASON_MAX = 123,      /* RFC 6455 5.5: 125 - 2 code bytes */
	HTTP_WS_PING_S = 30,           /* silence before a server ping */
	HTTP_WS_PONG_S = 30,           /* then no pong for this: hang up */
	HTTP_IDLE_TIMEOUT_S = 120,     /* default idle_timeout_s */
	HTTP_BODY_MAX = 64 * 1024,     /* request body; over it: 413 */
	HTTP_HDR_MAX = 4096,           /* copied request line + headers */
	HTTP_ASYNC_TIMEOUT_S = 30,     /* a route must answer within */
	HTTP_PEER_STR_MAX = 64,        /* printable peer address */
	HTTP_STATIC_PATH_MAX = 256,    /* request path of a static file */
	HTTP_STATIC_FILE_MAX = 4 * 1024 * 1024, /* one static file's bytes */
};

/*
 * Security headers on every HTTPS response (http_reply and the server's own
 * short answers): the web app has no inline script or style, talks only to
 * its own origin and wss:, and is never framed.
 */
#define HTTP_CSP                                                               \
	"default-src 'self'; script-src 'self'; style-src 'self'; "            \
	"connect-src 'self' wss:; img-src 'self' data:; media-src 'self' "     \
	"blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
#define HTTP_HSTS "max-age=31536000"


#define HTTP_WS_PATH "/ws"
#define HTTP_WS_SUBPROTO "sip"

struct http_server;
struct ws_conn;
struct http_req;

struct http_conf {
	const char *listen_host;    /* NULL or "127.0.0.1", "::1", ... */
	uint16_t listen_port;       /* 0: ephemeral, see http_server_port */
	const char *cert;           /* PEM file (chain) */
	const char *key;            /* PEM file */
	const char *const *origins; /* allowed Origin values, exact */
	size_t origins_n;           /* 0: any Origin (and none) accepted */
	unsigned max_conn_per_ip;   /* open WebSockets per address; 0: none */
	unsigned idle_timeout_s;    /* no data message: close; 0: default */
	unsigned ping_s;            /* 0: HTTP_WS_PING_S (tests shorten) */
	unsigned pong_s;            /* 0: HTTP_WS_PONG_S */
};

/*
 * WebSocket events. Everything in this header runs on, and must be called
 * from, the loop thread. The server holds one reference to a ws_conn from
 * open until after closeh returns; an owner that keeps the pointer takes
 * its own with mem_ref() and drops it after closeh. openh returns 0 to
 * accept, or an errno value to close the new connection at once (1008);
 * closeh then still follows. recvh gets one whole message (RFC 7118 5:
 * one SIP message per WebSocket message); data is valid during the call
 * only. closeh's code is the peer's Close code, else ours (ws_conn_close,
 * 1001 idle, 1009 too big, 1007 bad UTF-8 text), else 1006 (dropped,
 * or no pong within pong_s after a server ping).
 */
typedef int(ws_open_h)(struct ws_conn *c, void *arg);
typedef void(ws_recv_h)(struct ws_conn *c, const uint8_t *data, size_t len,
                        bool binary, void *arg);
typedef void(ws_close_h)(struct ws_conn *c, uint16_t code, void *arg);

struct http_handlers {
	ws_open_h *openh;
	ws_recv_h *recvh;
	ws_close_h *closeh;
};

/*
 * Creates the lws context on loop (a foreign loop to lws), listens with
 * TLS 1.2+ AEAD only, serves /ws and /healthz. conf strings are copied.
 * Returns 0, EINVAL, ENOMEM, EADDRINUSE (or another bind errno) when the
 * port is taken, EIO when the cert or key cannot be read or lws fails.
 */
int http_server_alloc(struct http_server **srvp, uv_loop_t *loop,
                      const struct http_conf *conf,
                      const struct http_handlers *h, void *arg);

/*
 * Closes every connection (closeh runs for each), destroys the lws context
 * and runs loop without blocking until lws has closed its libuv handles
 * (lws needs the loop for that; other handles on it may get callbacks in
 * the meantime). Then the caller mem_deref()s srv. Idempotent. Call it
 * from outside lws callbacks (not from a handler of this server); a
 * ws_conn or http_req kept by the owner stays valid but closed.
 */
void http_server_close(struct http_server *srv);

/* The bound TCP port (useful with listen_port 0); 0 when closed. */
uint16_t http_server_port(const struct http_server *srv);

/* Open WebSocket connections right now. */
size_t http_server_conn_count(const struct http_server *srv);

/*
 * HTTP routes. A request whose method matches (NULL: any; a GET route
 * also takes HEAD) and whose path is path_prefix or below it ("/a" takes
 * "/a" and "/a/b", not "/ab") goes to h; the longest prefix wins; no path
 * match gives 404, a path match with another method 405. A body needs
 * Content-Length (over HTTP_BODY_MAX: 413). lws has already decoded
 * %-escapes in path and query, the query argument by argument, so an
 * escaped '&' or '=' cannot be told from a separator: pass such values in
 * the body. The view in msg is valid only during the call. The handler answers
 * with http_reply() now, or takes a reference to req and answers later (within
 * HTTP_ASYNC_TIMEOUT_S); a request never answered is dropped by the
 * connection closing. Returns 0, EINVAL, ENOMEM.
 */
struct http_msg {
	struct pl method;
	struct pl path;  /* without the query */
	struct pl query; /* after '?', arguments joined by '&' */
	struct pl authorization;
	struct pl content_type;
	struct pl if_none_match; /* RFC 9110 13.1.2 */
	struct pl body; /* at most HTTP_BODY_MAX bytes */
	const struct sockaddr *peer;
	const char *peer_str;
};

typedef void(http_route_h)(struct http_req *req, const struct http_msg *msg,
                           void *arg);

int http_route_add(struct http_server *srv, const char *method,
                   const char *path_prefix, http_route_h *h, void *arg);

/* Response flags for http_reply(). */
enum { HTTP_REPLY_CACHEABLE = 1 << 0 }; /* omit Cache-Control: no-store */

/*
 * Answers req: status, content type (NULL: none), extra header lines
 * (NULL or "Name: value\r\n..." text), body. Everything is copied; lws
 * writes it when the socket is writable. Every response carries
 * X-Content-Type-Options: nosniff, Content-Security-Policy: HTTP_CSP,
 * Strict-Transport-Security: HTTP_HSTS, Referrer-Policy: no-referrer,
 * X-Frame-Options: DENY and, unless HTTP_REPLY_CACHEABLE,
 * Cache-Control: no-store. Returns 0, ENOTCONN when the client has gone,
 * EPROTO when already answered, EOVERFLOW over the header room, ENOMEM.
 */
int http_reply(struct http_req *req, uint16_t status, const char *ctype,
               const char *headers, const void *body, size_t len, int flags);

/*
 * Queues one WebSocket message (text or binary); lws writes it when
 * writable. Returns 0, ENOTCONN after close, EOVERFLOW when the message is
 * over HTTP_WS_MSG_MAX or the queue over HTTP_WS_TXQ_MAX, ENOMEM, EINVAL.
 */
int ws_conn_send(struct ws_conn *c, const uint8_t *data, size_t len,
                 bool binary);

/*
 * Sends what is queued, then a Close frame with code and reason (truncated
 * to HTTP_WS_REASON_MAX), and closes; closeh follows. No-op when closed.
 */
void ws_conn_close(struct ws_conn *c, uint16_t code, const char *reason);

const struct sockaddr *ws_conn_peer(const struct ws_conn *c);
const char *ws_conn_peer_str(const struct ws_conn *c); /* "1.2.3.4:5060" */
bool ws_conn_is_open(const struct ws_conn *c);
void ws_conn_set_user(struct ws_conn *c, void *user);
void *ws_conn_user(const struct ws_conn *c);

/* Restarts the idle timer (SIP keep-alives, RFC 5626 CRLF over WS). */
void ws_conn_touch(struct ws_conn *c);

/*
 * Static files (static.c): GET and HEAD of regular files below one root
 * directory, for the web softphone. The root is resolved once (realpath).
 * A request path with "." or ".." segments, hidden names (".x"), empty
 * segments, a backslash, '%' (left over from double encoding: lws decodes
 * once), control bytes or NUL gets 404 without touching the disk, and so
 * does a file whose real path is outside the root (a symbolic link out).
 * "/dir/" serves "/dir/index.html". Answers carry the Content-Type of the
 * extension, an ETag (size and modification time) honoured in
 * If-None-Match (304), Last-Modified, and Cache-Control: no-cache
 * (revalidate each time: names are not content-hashed). Files are read
 * synchronously on the loop thread, at most HTTP_STATIC_FILE_MAX bytes
 * (larger: 500); the app's few files are small and in the page cache.
 */
struct http_static;

/* Resolves root (must be a directory). Returns 0, EINVAL, ENOMEM, ENOENT
 * (missing), ENOTDIR, or another errno of realpath(3). */
int http_static_alloc(struct http_static **stp, const char *root);

/* The resolved root directory. */
const char *http_static_root(const struct http_static *st);

/* A route handler (arg: struct http_static *) serving msg->path; methods
 * other than GET and HEAD get 405 with Allow. */
void http_static_route_h(struct http_req *req, const struct http_msg *msg,
                         void *arg);

/*
 * Answers req with the file at path (checked as a request path) below
 * st's root, using msg for the method and If-None-Match. Returns 0 when an
 * answer was queued (200, 304, 404, 405 or 500), else http_reply's error.
 */
int http_static_serve(struct http_static *st, struct http_req *req,
                      const struct http_msg *msg, const struct pl *path);

/* Whether path is acceptable as a static request path (rules above):
 * 0, or EACCES. Pure. */
int http_static_path_check(const struct pl *path);

/* The Content-Type for a file name, by its extension. */
const char *http_static_ctype(const char *name);

#endif
