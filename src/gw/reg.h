/* reg.h: REGISTER handling in the gateway and the authentication of device
 * requests: digest (RFC 3261 §22, RFC 7616) with brute-force bans in front
 * of the registrar (RFC 3261 §10.3, RFC 5626). Internal to src/gw/. */
#ifndef SC_GW_REG_H
#define SC_GW_REG_H

#include "gw/ban.h"
#include "net/net.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "sip/registrar.h"

struct sip_flow;

#define GW_AUTH_USER_MAX (SIP_DIGEST_PARAM_MAX + 1) /* user name and NUL */
#define GW_AUTH_SOURCE_MAX 64 /* an address ban key: "2001:db8::/64" */
#define GW_REG_SECRET_LEN 32  /* bytes of the nonce secret */
#define GW_REG_HA1_CACHE_MAX 65536 /* unsealed HA1s the server keeps */
/* How often the server asks the store whether another process (the CLI)
 * wrote, in case its control-socket message did not arrive: the bound on
 * how long a revoked or rotated credential may still authenticate when
 * the CLI warned that it could not tell the server (docs/store.md). */
#define GW_REG_CACHE_CHECK_MS 1000

/*
 * The credential lookup (the store plugs in here; tests use a table):
 * writes the HA1 of device user name user in realm for alg's base hash
 * (SIP_DIGEST_MD5 or SIP_DIGEST_SHA256), hex and NUL-terminated.
 * Returns 0, ENOENT (no such device: a failure, like a wrong password),
 * EACCES (the device is revoked: 403 without counting a failure, so a
 * revoked tab that keeps retrying does not ban its household's address),
 * or another errno value (answer 500).
 */
typedef int(gw_cred_h)(const char *user, const char *realm,
		       enum sip_digest_alg alg, char ha1[SIP_DIGEST_HEX_MAX],
		       void *arg);

/* What gw_auth_request decided. */
enum gw_auth_verdict {
	GW_AUTH_OK = 0,    /* authenticated as res->user */
	GW_AUTH_CHALLENGE, /* answer 401/407 with gw_auth_challenge() */
	GW_AUTH_FORBIDDEN, /* answer 403: banned, wrong password, revoked */
	GW_AUTH_BAD,       /* answer 400: malformed credentials */
};

struct gw_auth_result {
	enum gw_auth_verdict verdict;
	bool stale;   /* CHALLENGE: only the nonce had expired */
	bool banned;  /* FORBIDDEN: the source or account is banned */
	bool revoked; /* FORBIDDEN: the device is revoked */
	char user[GW_AUTH_USER_MAX]; /* the user name the request claimed */
};

/* The authentication context; every member is the caller's. */
struct gw_auth {
	struct sip_nonces *nonces;
	struct gw_bans *bans;
	const char *realm;
	/* Which challenge goes where. JsSIP 3.13.8 and SIP.js 0.21.2 keep
	 * only the LAST WWW-Authenticate / Proxy-Authenticate of a 401/407
	 * (their parsers setHeader() each line over the previous one) and
	 * give up unless it is MD5: use SIP_DIGEST_ORDER_SHA256_FIRST, which
	 * also puts our preference first as RFC 8760 §2.4 asks. */
	enum sip_digest_order order;
	gw_cred_h *credh;
	void *arg;
};

/*
 * Authenticates a request from a device that arrived from src at now_ms
 * (RFC 3261 §22.3): a banned source address or account gets FORBIDDEN
 * before any password check; no credentials for our realm, an unknown nonce
 * or a replayed nc get CHALLENGE; a right password with an expired nonce
 * CHALLENGE with stale; a wrong password or an unknown device counts a
 * failure for the source and the account (gw_bans) and gets FORBIDDEN.
 * proxy: look at Proxy-Authorization (407) instead of Authorization (401).
 * Returns 0 with *res set, EINVAL, or an error of the lookup (answer 500).
 */
int gw_auth_request(const struct gw_auth *auth, const struct sip_msg *msg,
		    bool proxy, const struct sa *src, uint64_t now_ms,
		    struct gw_auth_result *res);

/* Appends the challenge header lines (a fresh nonce; MD5 and SHA-256 in
 * auth->order, qop="auth") to hdrs. Returns 0, EINVAL or ENOMEM. */
int gw_auth_challenge(const struct gw_auth *auth, struct mbuf *hdrs, bool proxy,
		      bool stale, uint64_t now_ms);

/* The ban key of a source address: the IPv4 address, or the IPv6 /64
 * prefix ("2001:db8:1:2::/64"). Returns 0, EINVAL or EOVERFLOW. */
int gw_auth_source_key(const struct sa *src, char *buf, size_t size);

/*
 * REGISTER handling: the pieces the server hands it.
 */
struct gw_reg_conf {
	const char *domain; /* our SIP domain, also the digest realm */
	gw_cred_h *credh;
	void *arg;
	struct sip_reg_conf registrar; /* zero: defaults */
	struct gw_bans_conf bans;      /* zero: defaults */
	struct sip_nonce_conf nonces;  /* zero: defaults */
	/* The challenge order is SHA-256 then MD5 (see struct gw_auth). */
};

struct gw_reg;

/*
 * Allocates the nonce issuer (random secret), the ban tables and the
 * registrar, with timers on tl (which must outlive it). conf->domain is
 * copied. Returns 0, EINVAL or ENOMEM.
 */
int gw_reg_alloc(struct gw_reg **grp, struct tmrl *tl,
		 const struct gw_reg_conf *conf);

/* The parts, for the other device requests (calls) and for routing. */
struct sip_registrar *gw_reg_registrar(const struct gw_reg *gr);
const struct gw_auth *gw_reg_auth(const struct gw_reg *gr);

/*
 * Handles a REGISTER that passed the server's syntax and transaction
 * checks, received over flow, at the timer list's now. In order: a To
 * outside our domain: 403 (no challenge: we are not its registrar); Require
 * with anything but outbound: 420; then gw_auth_request (401, 403, 400);
 * an authenticated device registering another AOR: 403; then the registrar
 * (the AOR is the device's SIP user name). Appends the response's extra
 * header lines to hdrs and sets *rep.
 * The timer list's clock moves only when one of its timers fires: the
 * caller brings it to now first (tmrl_poll(tl, net_now_ms(loop))), or
 * nonces are issued in the past and bans and expiries run early.
 * Returns 0, EINVAL, ENOMEM or a lookup error (answer 500).
 */
int gw_reg_handle(struct gw_reg *gr, const struct sip_msg *msg,
		  struct sip_flow *flow, struct mbuf *hdrs,
		  struct sip_reg_reply *rep);

/* The transport's connection handler calls this when a flow closed: the
 * device's bindings on it go at once (RFC 5626 §5, RFC 7118 §5). */
void gw_reg_flow_closed(struct gw_reg *gr, const struct sip_flow *flow);

/* Drops every registration of a device (revoked, rotated, removed). */
void gw_reg_device_gone(struct gw_reg *gr, const char *sip_username);

#endif
