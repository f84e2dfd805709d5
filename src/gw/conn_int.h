/* conn_int.h: what conn.c, upreg.c and conn_trunk.c share (internal to
 * the connections code of src/gw/). */
#ifndef SC_GW_CONN_INT_H
#define SC_GW_CONN_INT_H

#include "gw/conn.h"
#include "net/dns.h"
#include "sip/tsx.h"

#define GW_CONN_TOKEN_LEN 16   /* Contact user of an upstream registration */
#define GW_CONN_SECRET_MAX 256 /* bytes of a PBX password */
#define GW_UPREG_BACKOFF_MIN_MS 1000u
#define GW_UPREG_BACKOFF_MAX_MS (300u * 1000u)
#define GW_UPREG_REFRESH_PCT 85 /* refresh at this share of the granted */
#define GW_CONN_CALLID_LEN 24
#define GW_CONN_TAG_LEN 16
#define GW_CONN_MSG_MAX 4096 /* an encoded REGISTER / OPTIONS */
/* A host name that did not resolve is asked again after this long. */
#define GW_CONN_DNS_RETRY_MS (10u * 1000u)
#define GW_CONN_ERROR_MAX 160 /* bytes of a status error text */

/* States of one upstream registration (status names in upreg.c). */
enum gw_upreg_state {
	GW_UPREG_IDLE = 0,     /* not wanted: nobody online */
	GW_UPREG_REGISTERING,  /* a REGISTER is out */
	GW_UPREG_REGISTERED,   /* refresh timer running */
	GW_UPREG_BACKOFF,      /* retry timer running after a failure */
	GW_UPREG_FORBIDDEN,    /* 403 or wrong credentials: stopped */
	GW_UPREG_UNREGISTERING /* Expires: 0 is out */
};

/* A gateway user on a connection, with its upstream registration. */
struct gw_conn_user {
	struct le le; /* in the connection's users */
	struct gw_conn *c;
	char name[GW_CONN_USER_MAX];
	char ext[GW_CONN_USER_MAX];
	char pbx_user[GW_CONN_USER_MAX]; /* "" : ext */
	char token[GW_CONN_TOKEN_LEN + 1];
	bool online;
	/* upstream registration (upreg.c) */
	enum gw_upreg_state st;
	struct tmr tmr;
	struct sip_ctx *ctx;
	char callid[GW_CONN_CALLID_LEN + 1];
	char tag[GW_CONN_TAG_LEN + 1];
	uint32_t cseq;
	uint32_t expires_req; /* what we ask for */
	uint32_t granted;     /* what the PBX granted, s */
	uint64_t expires_at;  /* timer list clock, ms */
	unsigned attempts;    /* failures in a row */
	bool auth_sent;       /* the last REGISTER carried credentials */
	bool unreg;           /* the outstanding REGISTER has Expires: 0 */
	uint16_t last_scode;
	int last_err;
	struct sa dst; /* the target of the last REGISTER (RFC 3263 §4.3) */
};

/* Per connection, beside struct gw_conn. */
struct gw_conn_rt {
	struct list users;     /* struct gw_conn_user */
	struct sip_flow *flow; /* toward host (registration, trunk) */
	struct tmr tmr;        /* trunk OPTIONS */
	struct sip_ctx *ctx;   /* trunk: the OPTIONS out */
	struct sa opt_dst;     /* trunk: the target of the OPTIONS out */
	/* DNS (conn_dns.c): c->addrv is the target list in the order to
	 * try; targets that failed are skipped until their expiry */
	struct net_dns *dns;
	struct tmr dns_tmr; /* resolve again at TTL expiry, or retry */
	struct net_blist bl;
	int dns_err;        /* the last lookup's error, 0: fine */
	bool dns_srv;       /* the targets came from SRV records */
	uint32_t cseq;
	char callid[GW_CONN_CALLID_LEN + 1];
};

/*
 * The credentials of a user on a registration connection (user set: its
 * PBX user name and password) or of a trunk (user NULL). Writes login and
 * password (NUL-terminated; the caller wipes pw). Returns 0, ENOENT (none
 * set) or another errno value.
 */
typedef int(gw_conn_secret_h)(const struct gw_conn *c, const char *user,
			      char *login, size_t lsize, char *pw,
			      size_t pwsize, void *arg);

struct gw_conns {
	struct list conns; /* struct gw_conn */
	const struct gw_config *cfg;
	struct gw_server *srv; /* NULL in unit tests */
	struct tmrl *tl;
	struct sip_tsx_layer *tsx;
	gw_conn_secret_h *secreth;
	void *arg;
	bool closing;
	struct rand_pool rp;
	void *owner; /* the server's part (conn_server.c), freed with cs */
};

/* The runtime part of c. */
static inline struct gw_conn_rt *gw_conn_rt(const struct gw_conn *c)
{
	return c->priv;
}

/* Adds user (with extension ext and PBX login pbx_user, "" or NULL: the
 * extension) to the connection named conn. Returns 0, ENOENT (no such
 * connection), EEXIST, EOVERFLOW or ENOMEM. */
int gw_conns_user_add(struct gw_conns *cs, const char *conn, const char *user,
		      const char *ext, const char *pbx_user);
struct gw_conn_user *gw_conn_user_find(const struct gw_conn *c,
				       const char *user);

/* Sets the credential lookup (the server plugs in the store). */
void gw_conns_set_secreth(struct gw_conns *cs, gw_conn_secret_h *h, void *arg);
/* Sets the timer list and transaction layer (tests drive these). */
void gw_conns_set_tsx(struct gw_conns *cs, struct tmrl *tl,
		      struct sip_tsx_layer *tsx);

/* Whether src's address lies in cidr. */
bool gw_cidr_match(const struct gw_cidr *cidr, const struct sa *src);

/* upreg.c */
/* Retry delay after the attempts-th failure in a row (0-based): 1 s
 * doubling up to 5 min, minus up to a quarter of it at random (rnd). */
uint32_t gw_upreg_backoff_ms(unsigned attempts, uint32_t rnd);
void gw_upreg_start(struct gw_conn_user *u);
void gw_upreg_stop(struct gw_conn_user *u, bool send_unregister);
const char *gw_upreg_state_name(enum gw_upreg_state st);
/* Writes the REGISTER of u (Expires: expires) into mb. */
int gw_upreg_encode(struct gw_conn_user *u, struct mbuf *mb, uint32_t expires,
		    const struct pl *auth);
/* Feeds a response (or a synthetic 408/503 with msg NULL) to u. */
void gw_upreg_response(struct gw_conn_user *u, int err, uint16_t scode,
		       const struct sip_msg *msg);

/* conn_trunk.c */
void gw_trunk_start(struct gw_conn *c);
void gw_trunk_stop(struct gw_conn *c);

/* Shared by upreg and trunk: our address toward c as "host:port" for Via
 * and Contact. Returns 0 or an errno value. */
int gw_conn_local_hostport(const struct gw_conn *c, char *buf, size_t size);
/* Sends data (decoded as msg) on c through the transaction layer to dst
 * (a target of c; NULL: the first usable one). */
int gw_conn_send(struct gw_conn *c, const struct sa *dst, struct mbuf *mb,
		 struct sip_ctx **ctxp, sip_ctx_resp_h *resph, void *arg);

/* conn_dns.c: the target list of c (RFC 3263 §4). */
/* Resolves c's host (an IP literal at once; a name through the resolver
 * on srv's loop; re-resolved when the TTL ends). Returns 0 or an errno
 * value from starting the lookup. */
int gw_conn_dns_start(struct gw_conn *c);
void gw_conn_dns_stop(struct gw_conn *c);
/* The first target not blacklisted (*dst), or, when all failed lately,
 * the first of all. Returns 0 or ENOTCONN (no target known). */
int gw_conn_pick(const struct gw_conn *c, struct sa *dst);
/* ":PORT" for Request-URIs toward c (buf at least 7 bytes), "" when no
 * port was configured: a URI without one is what RFC 3263 §4 resolves
 * by SRV, and a proxy in between would too. */
void gw_conn_ruri_port(const struct gw_conn *c, char *buf, size_t size);
/* The status error text of c's last DNS failure into buf ("" none). */
void gw_conn_dns_error(const struct gw_conn *c, char *buf, size_t size);

#endif
