/* digest.h: SIP digest authentication (RFC 3261 §22, RFC 7616, RFC 8760). */
#ifndef SC_SIP_DIGEST_H
#define SC_SIP_DIGEST_H

#include "core/core.h"

/* Limits, enforced by the decoder. */
#define SIP_DIGEST_PARAM_MAX 256 /* bytes in one value, as written */
#define SIP_DIGEST_PARAMS_MAX 32 /* parameters in one header value */
#define SIP_DIGEST_HEX_MAX 65    /* a SHA-256 hex digest and its NUL */
#define SIP_DIGEST_NC_LEN 8      /* 8 hex digits (RFC 7616 §3.4) */

/* The algorithms of RFC 7616 §3.3 / RFC 8760 §2. SHA-512-256 is parsed as
 * UNKNOWN: neither JsSIP nor the PBXs we meet implement it. */
enum sip_digest_alg {
	SIP_DIGEST_MD5 = 0, /* also what an absent algorithm means */
	SIP_DIGEST_MD5_SESS,
	SIP_DIGEST_SHA256,
	SIP_DIGEST_SHA256_SESS,
	SIP_DIGEST_UNKNOWN,
};

/* What a decoded header is: the server's challenge (WWW-Authenticate,
 * Proxy-Authenticate) or the client's credentials (Authorization,
 * Proxy-Authorization). They differ in which parameters are required. */
enum sip_digest_kind {
	SIP_DIGEST_CREDENTIALS = 0,
	SIP_DIGEST_CHALLENGE,
};

/*
 * A decoded Digest header value. Every pl points into the caller's buffer,
 * without the surrounding quotes but with quoted-pair escapes as written
 * (use sip_digest_unquote() to get the bytes). Absent parameters are
 * unset (pl_isset() false).
 */
struct sip_digest {
	enum sip_digest_kind kind;
	enum sip_digest_alg alg;
	struct pl username;
	struct pl realm;
	struct pl nonce;
	struct pl uri;
	struct pl response;
	struct pl algorithm; /* as written; alg is what it means */
	struct pl cnonce;
	struct pl qop; /* credentials: one token; challenge: a list */
	struct pl nc;
	struct pl opaque;
	struct pl userhash; /* "true" / "false" */
	struct pl stale;    /* challenge only: "true" / "false" */
	struct pl domain;   /* challenge only */
	uint32_t ncv;       /* nc as a number, when nc is set */
	bool qop_auth;      /* qop is (credentials) / offers (challenge) auth */
	bool is_stale;      /* stale=true */
	bool is_userhash;   /* userhash=true */
};

/*
 * Decodes a header value "Digest k=v, k=v, ...". Parameter names are
 * case-insensitive; duplicate parameters, an unknown scheme, a missing
 * required parameter (credentials: username, realm, nonce, uri, response,
 * and cnonce+nc when qop is present; challenge: realm, nonce) or a value
 * longer than SIP_DIGEST_PARAM_MAX are errors. Never allocates and never
 * reads past val->l.
 * Returns 0, EINVAL (NULL argument), EBADMSG (malformed) or EOVERFLOW.
 */
int sip_digest_decode(struct sip_digest *d, enum sip_digest_kind kind,
		      const struct pl *val);

/*
 * Copies a parameter view into buf with quoted-pair escapes resolved and a
 * terminating NUL; *lenp (may be NULL) gets the length without the NUL.
 * Returns 0 or EOVERFLOW when buf is too small.
 */
int sip_digest_unquote(char *buf, size_t size, size_t *lenp,
		       const struct pl *pl);

/* The base hash of an algorithm: SIP_DIGEST_MD5 or SIP_DIGEST_SHA256 (or
 * SIP_DIGEST_UNKNOWN), i.e. which stored HA1 to use. */
enum sip_digest_alg sip_digest_alg_base(enum sip_digest_alg alg);

/* The hex length of the algorithm's digests (32 or 64), 0 when unknown. */
size_t sip_digest_hexlen(enum sip_digest_alg alg);

/*
 * HA1 = H(username ":" realm ":" password) as lower-case hex (RFC 7616
 * §3.4.2), for alg's base hash. This is what the store keeps instead of a
 * password. hex must hold SIP_DIGEST_HEX_MAX bytes.
 * Returns 0, EINVAL (unknown alg, NULL argument) or ENOMEM.
 */
int sip_digest_ha1(char hex[SIP_DIGEST_HEX_MAX], enum sip_digest_alg alg,
		   const struct pl *user, const struct pl *realm,
		   const struct pl *password);

/*
 * The userhash of RFC 7616 §3.4.4: H(username ":" realm) in hex, what a
 * client sends as username when userhash=true.
 */
int sip_digest_userhash(char hex[SIP_DIGEST_HEX_MAX], enum sip_digest_alg alg,
			const struct pl *user, const struct pl *realm);

/*
 * Computes the expected response (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1 when
 * cred has no qop) from a stored HA1 (hex, for cred->alg's base hash), the
 * request method and the decoded credentials (nonce, cnonce, nc, qop, uri
 * as written). resp must hold SIP_DIGEST_HEX_MAX bytes.
 * Returns 0, EINVAL (HA1 length does not fit the algorithm), EBADMSG
 * (unknown algorithm, qop other than auth, or -sess without cnonce) or
 * ENOMEM.
 */
int sip_digest_response(char resp[SIP_DIGEST_HEX_MAX],
			const struct sip_digest *cred, const char *ha1,
			const struct pl *method);

/*
 * Server side: checks credentials against a stored HA1, comparing in
 * constant time. Credentials without qop (the RFC 2069 form) are refused
 * unless allow_rfc2069: that form has no client nonce and no nonce count,
 * so nothing but the nonce lifetime stops a replay; our challenges always
 * offer qop="auth", so a client answering without it is either broken or
 * downgrading. Nonce freshness and nc replay are separate checks
 * (sip_nonce_check, sip_nonce_use).
 * Returns 0 when the response is right, EACCES when wrong, EBADMSG as for
 * sip_digest_response, EINVAL.
 */
int sip_digest_verify(const struct sip_digest *cred, const char *ha1,
		      const struct pl *method, bool allow_rfc2069);

/* Order of the two challenges in a 401/407. SHA-256 first, MD5 last is
 * the default: RFC 8760 §2.4 asks for the preferred algorithm first, and
 * JsSIP 3.13.8 and SIP.js 0.21.2, measured against the gateway
 * (tests/integration/reg_clients.mjs), keep only the LAST WWW-Authenticate
 * / Proxy-Authenticate of a 401/407 (each line overwrites the previous one)
 * and give up unless it is MD5. With 128-bit random device secrets an MD5
 * digest reveals nothing guessable. */
enum sip_digest_order {
	SIP_DIGEST_ORDER_SHA256_FIRST = 0,
	SIP_DIGEST_ORDER_MD5_FIRST,
	SIP_DIGEST_ORDER_MD5_ONLY,
	SIP_DIGEST_ORDER_SHA256_ONLY,
};

struct sip_digest_chal {
	bool proxy; /* 407 Proxy-Authenticate, else 401 */
	const char *realm;
	const char *nonce;
	const char *opaque;          /* NULL: none */
	bool stale;                  /* add stale=true (RFC 7616 §3.3) */
	enum sip_digest_order order; /* 0: SHA-256 first, MD5 last */
};

/*
 * Appends the challenge header lines ("WWW-Authenticate: Digest ...\r\n",
 * one per algorithm, in ch->order) to mb, with qop="auth".
 * Returns 0, EINVAL (missing realm/nonce, a CTL in a value) or ENOMEM.
 */
int sip_digest_challenge(struct mbuf *mb, const struct sip_digest_chal *ch);

/* Client side: what to answer a challenge with. */
struct sip_digest_client {
	struct pl username;
	struct pl password;
	struct pl method;
	struct pl uri;    /* the Request-URI as sent */
	struct pl cnonce; /* caller-chosen random token (tests fix it) */
	uint32_t nc;      /* 1 for the first use of this nonce */
};

/*
 * Appends the Authorization (or Proxy-Authorization) value answering chal
 * ("Digest username=..., response=...", no header name) to mb. Uses
 * qop=auth when chal offers it, the RFC 2069 form when chal has no qop.
 * Returns 0, EBADMSG (unknown algorithm, only auth-int offered), EINVAL or
 * ENOMEM.
 */
int sip_digest_client_auth(struct mbuf *mb, const struct sip_digest *chal,
			   const struct sip_digest_client *cl);

/*
 * Client side in one call (src/sip/digest_client.c): answers the 401
 * (WWW-Authenticate) or 407 (Proxy-Authenticate) response resp by
 * appending "Authorization: Digest ...\r\n" (or "Proxy-Authorization:")
 * to hdr. Of the challenges offered, SHA-256 is chosen over MD5 (RFC 8760
 * §2.4), qop=auth with a random cnonce when offered. method and uri are
 * those of the request being retried (uri: its Request-URI as sent).
 * *ncp is the nonce count used with that nonce so far (0 for a new
 * challenge); it is incremented on success. Returns 0, EINVAL (not a
 * 401/407, NULL argument), EBADMSG (no challenge we can answer: unknown
 * algorithms, only auth-int) or ENOMEM; on error hdr is unchanged.
 */
struct sip_msg;
int sip_digest_respond(struct mbuf *hdr, const struct sip_msg *resp,
		       const struct pl *method, const struct pl *uri,
		       const struct pl *user, const struct pl *password,
		       uint32_t *ncp);
/* As sip_digest_respond with a given cnonce (tests: RFC vectors). */
int sip_digest_respond_cnonce(struct mbuf *hdr, const struct sip_msg *resp,
			      const struct pl *method, const struct pl *uri,
			      const struct pl *user, const struct pl *password,
			      uint32_t *ncp, const struct pl *cnonce);

/*
 * Stateless nonces (RFC 7616 §3.3, §5.4):
 *   nonce = base64url( ts(8, big-endian ms) || random(8) ||
 *                      HMAC-SHA256(secret, ts || random || realm)[0..16) )
 * A nonce proves by itself that this server issued it, for this realm, at
 * ts; nothing is stored until it is used. Used nonces go into a bounded
 * replay table (a ring of replay_max slots) with the highest nc seen.
 * When the table is full the oldest entry is dropped and its timestamp
 * raises a floor: a nonce issued at or before the floor that is not in the
 * table any more is answered as stale, so forgetting an entry forces a new
 * challenge and never reopens a replay.
 *
 * Not thread-safe: one struct sip_nonces per signalling thread. Time is the
 * caller's (a wall clock in ms if the secret outlives the process).
 */
#define SIP_NONCE_EXPIRY_MS (300 * 1000ull) /* default lifetime (5 min) */
#define SIP_NONCE_SKEW_MS 2000ull           /* tolerated clock step back */
#define SIP_NONCE_REPLAY_MAX 65536          /* default replay-table entries */
#define SIP_NONCE_SECRET_MIN 16             /* bytes of server secret */
#define SIP_NONCE_SECRET_MAX 64
#define SIP_NONCE_RAW_LEN 32 /* ts 8 + random 8 + mac 16 */
#define SIP_NONCE_LEN 43     /* its base64url length, without padding */

enum sip_nonce_state {
	SIP_NONCE_FRESH = 0, /* authentic and within its lifetime */
	SIP_NONCE_STALE,     /* authentic but expired: challenge, stale=true */
	SIP_NONCE_INVALID,   /* not ours (or another realm's): challenge */
};

struct sip_nonce_conf {
	uint64_t expiry_ms; /* 0: SIP_NONCE_EXPIRY_MS */
	size_t replay_max;  /* 0: SIP_NONCE_REPLAY_MAX */
};

struct sip_nonces;

/*
 * Allocates a nonce issuer keyed with secret (copied, wiped on free; pass
 * SIP_NONCE_SECRET_MIN..MAX random bytes). conf may be NULL (defaults).
 * Returns 0, EINVAL or ENOMEM.
 */
int sip_nonces_alloc(struct sip_nonces **np, const uint8_t *secret, size_t len,
		     const struct sip_nonce_conf *conf);

/* Writes a new nonce (SIP_NONCE_LEN chars and a NUL) for realm issued at
 * now_ms. Returns 0, EINVAL, or an error from the random source. */
int sip_nonce_make(struct sip_nonces *n, char nonce[SIP_NONCE_LEN + 1],
		   const struct pl *realm, uint64_t now_ms);

/* Classifies a nonce received for realm (as written, no quotes). A nonce
 * whose replay history was forgotten (see above) is STALE. */
enum sip_nonce_state sip_nonce_check(struct sip_nonces *n,
				     const struct pl *nonce,
				     const struct pl *realm, uint64_t now_ms);

/*
 * Records a use of a FRESH nonce with nonce count nc (0 for the RFC 2069
 * form, which therefore works once per nonce). Call it only after the
 * response was verified, so that only authenticated requests take space.
 * Allocates nothing: the table (24 bytes a slot) is allocated with the
 * issuer. Returns 0, EACCES when nc is not greater than the last one seen
 * for this nonce (a replay) or the nonce's history was forgotten, EBADMSG
 * when the nonce is not one of ours.
 */
int sip_nonce_use(struct sip_nonces *n, const struct pl *nonce, uint32_t nc,
		  uint64_t now_ms);

/* Entries in the replay table (for tests and metrics). */
size_t sip_nonces_count(const struct sip_nonces *n);

/*
 * The server side in one call (RFC 3261 §22.3, RFC 7616 §3.4-§3.5): decode
 * an Authorization / Proxy-Authorization value, check the realm and the
 * nonce, fetch the HA1 through the caller's callback, verify the response
 * and record the nonce count.
 */
enum sip_digest_verdict {
	SIP_AUTH_OK = 0,    /* authenticated */
	SIP_AUTH_CHALLENGE, /* other realm, unknown or forged nonce, or a
			     * replayed nc: challenge again; no password
			     * was tried, so not a failure */
	SIP_AUTH_STALE,     /* right password, expired nonce: challenge
			     * with stale=true (RFC 7616 §3.3) */
	SIP_AUTH_FAILED,    /* wrong password or unknown user: count a
			     * failure (gw bans), then challenge */
	SIP_AUTH_BAD,       /* malformed: answer 400 */
};

/*
 * Looks up the HA1 for cred (cred->username, or the userhash when
 * cred->is_userhash, in cred->realm) for the hash sip_digest_alg_base(alg)
 * and writes it, hex and NUL-terminated, to ha1. Returns 0 or ENOENT (no
 * such user: the caller gets SIP_AUTH_FAILED, like a wrong password, so
 * that user names cannot be probed). Other errors are passed through.
 */
typedef int(sip_digest_ha1_h)(const struct sip_digest *cred,
			      enum sip_digest_alg alg,
			      char ha1[SIP_DIGEST_HEX_MAX], void *arg);

struct sip_digest_auth {
	struct sip_nonces *nonces;
	const char *realm;  /* ours */
	bool allow_rfc2069; /* see sip_digest_verify; default off */
	sip_digest_ha1_h *ha1h;
	void *arg;
};

/*
 * Runs the server-side checks for the header value val of a request with
 * method at now_ms. *verdictp gets the outcome; cred (may be NULL) gets the
 * decoded credentials, views into val (to log the user name, key bans).
 * Returns 0 when *verdictp is meaningful, or EINVAL / ENOMEM / an error
 * from the callback (then answer 500).
 */
int sip_digest_authenticate(const struct sip_digest_auth *auth,
			    const struct pl *val, const struct pl *method,
			    uint64_t now_ms, enum sip_digest_verdict *verdictp,
			    struct sip_digest *cred);

/*
 * As sip_digest_authenticate, for credentials the caller has already
 * decoded (sip_digest_decode with SIP_DIGEST_CREDENTIALS) from the header
 * it chose, so a request's Authorization is parsed once. cred's views must
 * stay valid for the call.
 * Returns 0 when *verdictp is meaningful, or EINVAL (also for challenge
 * kind credentials) / ENOMEM / an error from the callback.
 */
int sip_digest_authenticate_cred(const struct sip_digest_auth *auth,
				 const struct sip_digest *cred,
				 const struct pl *method, uint64_t now_ms,
				 enum sip_digest_verdict *verdictp);

#endif
