/* digest_auth.c: server-side Digest authentication of one request
 * (RFC 3261 §22.3, RFC 7616 §3.3-§3.5): realm, nonce, HA1, nc replay. */
#include <errno.h>
#include <string.h>

#include "sip/digest.h"

/* The credentials name our realm (compared unquoted, exactly). */
static bool realm_ok(const struct sip_digest *cred, const char *realm)
{
	char buf[SIP_DIGEST_PARAM_MAX + 1];
	size_t n = 0;

	if (sip_digest_unquote(buf, sizeof(buf), &n, &cred->realm))
		return false;
	return n == strlen(realm) && !memcmp(buf, realm, n);
}

/* Fetches the HA1 and checks the response: FAILED on a wrong password or
 * an unknown user alike, OK otherwise; an error is the callback's. */
static int check_response(const struct sip_digest_auth *auth,
			  const struct sip_digest *cred,
			  const struct pl *method,
			  enum sip_digest_verdict *verdictp)
{
	char ha1[SIP_DIGEST_HEX_MAX];
	int err;

	memset(ha1, 0, sizeof(ha1));
	err = auth->ha1h(cred, sip_digest_alg_base(cred->alg), ha1, auth->arg);
	if (err == ENOENT) {
		*verdictp = SIP_AUTH_FAILED;
		err = 0;
		goto out;
	}
	if (err)
		goto out;
	err = sip_digest_verify(cred, ha1, method, auth->allow_rfc2069);
	switch (err) {
	case 0:
		*verdictp = SIP_AUTH_OK;
		break;
	case EACCES:
		*verdictp = SIP_AUTH_FAILED;
		err = 0;
		break;
	case EBADMSG:
		*verdictp = SIP_AUTH_BAD;
		err = 0;
		break;
	default:
		break; /* EINVAL: the callback gave an HA1 of the wrong size */
	}
out:
	mem_secure_zero(ha1, sizeof(ha1));
	return err;
}

int sip_digest_authenticate(const struct sip_digest_auth *auth,
			    const struct pl *val, const struct pl *method,
			    uint64_t now_ms, enum sip_digest_verdict *verdictp,
			    struct sip_digest *cred)
{
	struct sip_digest local;
	int err;

	if (!auth || !auth->nonces || !auth->realm || !auth->ha1h || !val ||
	    !method || !verdictp)
		return EINVAL;
	if (!cred)
		cred = &local;
	*verdictp = SIP_AUTH_BAD;

	err = sip_digest_decode(cred, SIP_DIGEST_CREDENTIALS, val);
	if (err == EBADMSG || err == EOVERFLOW)
		return 0;
	if (err)
		return err;
	return sip_digest_authenticate_cred(auth, cred, method, now_ms,
					    verdictp);
}

int sip_digest_authenticate_cred(const struct sip_digest_auth *auth,
				 const struct sip_digest *cred,
				 const struct pl *method, uint64_t now_ms,
				 enum sip_digest_verdict *verdictp)
{
	enum sip_nonce_state ns;
	struct pl realm;
	int err = 0;

	if (!auth || !auth->nonces || !auth->realm || !auth->ha1h || !cred ||
	    cred->kind != SIP_DIGEST_CREDENTIALS || !method || !verdictp)
		return EINVAL;
	*verdictp = SIP_AUTH_BAD;
	/* We never offer other algorithms, nor qop=auth-int; a client that
	 * ignores our qop="auth" gets a 400, not a counted failure. */
	if (!sip_digest_hexlen(cred->alg) || (cred->qop.p && !cred->qop_auth) ||
	    (!cred->qop.p && !auth->allow_rfc2069))
		goto out;

	*verdictp = SIP_AUTH_CHALLENGE;
	pl_set_str(&realm, auth->realm);
	if (!realm_ok(cred, auth->realm))
		goto out;
	/* A nonce we did not issue proves nothing either way: challenge
	 * without counting a failure (no password was tried against it). */
	ns = sip_nonce_check(auth->nonces, &cred->nonce, &realm, now_ms);
	if (ns == SIP_NONCE_INVALID)
		goto out;

	err = check_response(auth, cred, method, verdictp);
	if (err || *verdictp != SIP_AUTH_OK)
		goto out;
	/* RFC 7616 §3.3: stale=true only when the digest was right. */
	if (ns == SIP_NONCE_STALE) {
		*verdictp = SIP_AUTH_STALE;
		goto out;
	}
	/* Recorded only now, so only authenticated requests take space. */
	err = sip_nonce_use(auth->nonces, &cred->nonce,
			    cred->qop.p ? cred->ncv : 0, now_ms);
	if (err == EACCES || err == EBADMSG) {
		*verdictp = SIP_AUTH_CHALLENGE; /* replayed nc */
		err = 0;
	}
out:
	return err;
}
