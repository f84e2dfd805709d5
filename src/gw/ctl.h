/* ctl.h: the control socket between the CLI and the running server: one
 * JSON (RFC 8259) request per line, one JSON response per line, over a
 * Unix domain stream socket only the owner can open. Internal to src/gw/. */
#ifndef SC_GW_CTL_H
#define SC_GW_CTL_H

#include "core/core.h"

#define GW_CTL_LINE_MAX 8192       /* bytes of one request line */
#define GW_CTL_RESP_MAX (1u << 20) /* bytes of one response line (client) */
#define GW_CTL_CLIENTS_MAX 8       /* connections at once; more are closed */
#define GW_CTL_IDLE_MS 10000       /* a connection without a request closes */
#define GW_CTL_CALL_MS 5000        /* the client's send and receive timeout */
#define GW_CTL_NAMES_MAX 64        /* sip_usernames in one request */
#define GW_CTL_DEPTH_MAX 8         /* nesting of arrays and objects */
#define GW_CTL_STR_MAX 256         /* bytes of one string value */

/*
 * A tiny JSON reader over len bytes at p: never allocates, never reads
 * past len. gw_ctl_json_str() gives a view between the quotes and refuses a
 * backslash (no name, address or key the control socket exchanges needs
 * one); gw_ctl_json_text() decodes escapes into a buffer (the admin API).
 * Every reader returns 0, EBADMSG (malformed or not the expected type),
 * ENOENT (end of the object or array) or EOVERFLOW (over a limit above).
 */
struct gw_ctl_json {
	const char *p;
	size_t len;
	size_t pos;
	unsigned depth;
	uint32_t more; /* bit d: the container at depth d has a member */
};

void gw_ctl_json_init(struct gw_ctl_json *js, const char *p, size_t len);
/* Enters an object ('{') or array ('['). */
int gw_ctl_json_enter(struct gw_ctl_json *js, char open);
/* The next member's name of the object entered (ENOENT: it ended). */
int gw_ctl_json_member(struct gw_ctl_json *js, struct pl *name);
/* Whether the array entered has another element (ENOENT: it ended). */
int gw_ctl_json_elem(struct gw_ctl_json *js);
int gw_ctl_json_str(struct gw_ctl_json *js, struct pl *s);
/* A string with its escapes decoded (RFC 8259 §7: \" \\ \/ \b \f \n \r \t
 * and \uXXXX, surrogate pairs joined, written as UTF-8) into dst, NUL-
 * terminated. EOVERFLOW when it does not fit in size bytes; EBADMSG for
 * a bad escape, a lone surrogate, \u0000 or a raw control character. */
int gw_ctl_json_text(struct gw_ctl_json *js, char *dst, size_t size);
int gw_ctl_json_u64(struct gw_ctl_json *js, uint64_t *v);
int gw_ctl_json_bool(struct gw_ctl_json *js, bool *v);
/* Skips one value of any type; raw (may be NULL) gets its text. */
int gw_ctl_json_skip(struct gw_ctl_json *js, struct pl *raw);
/* 0 when only white space is left. */
int gw_ctl_json_end(struct gw_ctl_json *js);

/* The requests. */
enum gw_ctl_cmd {
	GW_CTL_DEVICE_GONE = 1, /* {"cmd":"device_gone","sip_username":U} */
	GW_CTL_REGISTRATIONS,   /* {"cmd":"registrations","sip_usernames":[]} */
	GW_CTL_BANS,            /* {"cmd":"bans"} */
	GW_CTL_BAN_CLEAR,       /* {"cmd":"ban_clear","key":K} */
	GW_CTL_CONNECTIONS,     /* {"cmd":"connections"} (ctl_conn.c) */
};

/* One parsed request: views into the line. */
struct gw_ctl_req {
	enum gw_ctl_cmd cmd;
	struct pl arg; /* sip_username or key */
	struct pl names[GW_CTL_NAMES_MAX];
	size_t names_n;
};

/*
 * Parses one request line (without its newline). Unknown members are
 * ignored; a missing or mistyped member is EBADMSG; an unknown "cmd" is
 * ENOTSUP; a string over GW_CTL_STR_MAX or more than GW_CTL_NAMES_MAX names
 * is EOVERFLOW. Returns 0 with *req set.
 */
int gw_ctl_req_parse(struct gw_ctl_req *req, const char *p, size_t len);

struct gw_server;

/*
 * Runs a parsed request on the server at the loop's now and appends the
 * response line (newline included) to resp:
 *   device_gone    {"ok":true,"removed":N} (bindings dropped)
 *   registrations  {"ok":true,"devices":[{"sip_username":U,"contacts":N,
 *                  "bindings":[{"since":UNIX,"expires":S,"address":A,
 *                  "transport":T}]}]}
 *   bans           {"ok":true,"bans":[{"key":K,"table":"source"|"account",
 *                  "remaining":S,"failures":N}]} (failures: bans so far)
 *   ban_clear      {"ok":true,"cleared":["source"|"account"]} or
 *                  {"ok":false,"error":"not found"}
 *   connections    {"ok":true,"connections":[{"name":N,"type":T,
 *                  "state":S,"last_code":C,"last_error":E}],
 *                  "registrations":[{"connection":N,"user":U,
 *                  "pbx_user":P,"state":S,"expires_in":S,"last_code":C,
 *                  "last_error":E}]} (gw_conns_status)
 * Returns 0 or ENOMEM.
 */
int gw_ctl_dispatch(struct gw_server *srv, const struct gw_ctl_req *req,
		    struct mbuf *resp);

/* Appends {"ok":false,"error":MSG}\n: what a bad request gets. */
int gw_ctl_error(struct mbuf *resp, const char *msg);

/*
 * The server side: listens on srv->cfg->server.control_socket on srv's
 * loop. The socket is created with mode 0600; a stale socket at the path
 * is replaced; a path that exists and is not a socket is refused (EEXIST).
 * Returns 0, EEXIST, ENAMETOOLONG, ENOMEM or the bind/listen error (all
 * logged). Close with gw_ctl_close() before the loop runs its handles out,
 * then mem_deref().
 */
struct gw_ctl;
int gw_ctl_alloc(struct gw_ctl **ctlp, struct gw_server *srv);
/* Closes the listener and every connection and unlinks the socket.
 * Idempotent. */
void gw_ctl_close(struct gw_ctl *ctl);

/*
 * The client side (ctl_client.c): sends one request line (without its
 * newline) to the server listening at path and puts the response line
 * (without its newline, NUL-terminated) into resp. Returns 0, ENOENT or
 * ECONNREFUSED (no server running), EAGAIN (timed out), EOVERFLOW (over
 * GW_CTL_RESP_MAX), EBADMSG (closed before the newline) or an errno.
 */
int gw_ctl_call(const char *path, const char *req, struct mbuf *resp);

/* Whether an error of gw_ctl_call means "the server is not running". */
bool gw_ctl_down(int err);

/*
 * What the CLI asks, on the socket at path. Each returns 0, ENOTCONN (no
 * server running), EBADMSG (a response it cannot read), or an error of
 * gw_ctl_call.
 */

/* device_gone for each of n names; *endedp (may be NULL) gets the count
 * of registrations ended. */
int gw_ctl_devices_gone(const char *path, const char *const *names, size_t n,
			size_t *endedp);

/* One device's registrations, as `device list` shows them. */
struct gw_ctl_online {
	uint32_t contacts; /* 0: offline */
	int64_t since;     /* unix time of its oldest binding */
	char address[64];  /* source of that binding's flow: "1.2.3.4:5" */
	char transport[8]; /* "WSS", "UDP", ... */
};

/* registrations of n names (n <= GW_CTL_NAMES_MAX): out[i] for names[i]. */
int gw_ctl_registrations(const char *path, const char *const *names, size_t n,
			 struct gw_ctl_online *out);

/* One active ban, as `ban list` shows it. */
struct gw_ctl_ban {
	char key[GW_CTL_STR_MAX + 1];
	bool account;       /* the account table; else the source table */
	uint64_t remaining; /* seconds */
	uint32_t failures;  /* bans so far, this one included */
};

typedef void(gw_ctl_ban_h)(const struct gw_ctl_ban *b, void *arg);

/* bans: h for each. */
int gw_ctl_bans(const char *path, gw_ctl_ban_h *h, void *arg);

/* ban_clear: ENOENT when nothing was banned under key; EINVAL for a key
 * with a quote, backslash or control character, or over GW_CTL_STR_MAX. */
int gw_ctl_ban_clear(const char *path, const char *key);

/* connections: the response line as it came (for `connection status`). */
int gw_ctl_connections(const char *path, struct mbuf *resp);
/* The server side of connections (ctl_conn.c). */
int gw_ctl_conn_status(struct gw_server *srv, struct mbuf *resp);

/*
 * For the CLI commands that end registrations (cli_ban.c): after the
 * store change, prints what ending them did: in text a line ("N
 * registration(s) ended" or "server not running: nothing to end"), with
 * --json the member ,"registrations_ended":N (null: no server) to put
 * before the closing brace. Another error is a warning on stderr: the store
 * change stands.
 */
struct gw_cli;
void gw_ctl_cli_gone(struct gw_cli *cli, int err, size_t ended);

#endif
