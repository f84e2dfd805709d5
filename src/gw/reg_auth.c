/* reg_auth.c: digest authentication of device requests with brute-force
 * bans (RFC 3261 §22.3, RFC 7616 §3.3-§3.5): what gw_auth_request decides. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/reg.h"

/* The lookup adapter between sip_digest_authenticate and gw_cred_h. */
struct cred_ctx {
	const struct gw_auth *auth;
	bool revoked;
};

static int ha1_adapter(const struct sip_digest *cred, enum sip_digest_alg alg,
		       char ha1[SIP_DIGEST_HEX_MAX], void *arg)
{
	struct cred_ctx *ctx = arg;
	char user[GW_AUTH_USER_MAX];
	int err;

	/* We never offer userhash (RFC 7616 §3.4.4): such a client names
	 * no device we know. */
	if (cred->is_userhash ||
	    sip_digest_unquote(user, sizeof(user), NULL, &cred->username))
		return ENOENT;
	err =
	    ctx->auth->credh(user, ctx->auth->realm, alg, ha1, ctx->auth->arg);
	if (err == EACCES)
		ctx->revoked = true;
	return err;
}

int gw_auth_source_key(const struct sa *src, char *buf, size_t size)
{
	struct sa net;
	int err;

	if (!src || !buf || !size || !sa_isset(src))
		return EINVAL;
	if (sa_family(src) != AF_INET6)
		return sa_ntop(src, buf, size);
	/* One IPv6 host usually owns a whole /64: ban the prefix. */
	net = *src;
	memset(&net.u.in6.sin6_addr.s6_addr[8], 0, 8);
	err = sa_ntop(&net, buf, size);
	if (!err && strlen(buf) + 4 >= size)
		err = EOVERFLOW;
	if (!err)
		strcat(buf, "/64");
	return err;
}

/* The first credentials header naming our realm, decoded into *credp (views
 * into msg); *anyp says whether there was any credentials header at all,
 * *badp whether one did not decode. Each header is decoded once. */
static const struct sip_hdr *find_creds(const struct gw_auth *auth,
					const struct sip_msg *msg, bool proxy,
					struct sip_digest *credp, bool *anyp,
					bool *badp)
{
	enum sip_hdr_id id =
	    proxy ? SIP_HDR_PROXY_AUTHORIZATION : SIP_HDR_AUTHORIZATION;
	const struct sip_hdr *h;
	size_t rlen = strlen(auth->realm);

	*anyp = *badp = false;
	for (h = sip_msg_hdr(msg, id); h; h = sip_msg_hdr_next(msg, h, id)) {
		char realm[SIP_DIGEST_PARAM_MAX + 1];
		size_t n;

		*anyp = true;
		if (sip_digest_decode(credp, SIP_DIGEST_CREDENTIALS, &h->val)) {
			*badp = true;
			continue;
		}
		/* §22.4: a client may carry credentials for other realms. */
		if (!sip_digest_unquote(realm, sizeof(realm), &n,
					&credp->realm) &&
		    n == rlen && !memcmp(realm, auth->realm, n))
			return h;
	}
	return NULL;
}

static void set_forbidden(struct gw_auth_result *res, bool banned)
{
	res->verdict = GW_AUTH_FORBIDDEN;
	res->banned = banned;
}

/* A wrong password or an unknown device: one failure for each key. */
static void count_failure(const struct gw_auth *auth, const char *skey,
			  const char *user, uint64_t now_ms)
{
	uint64_t remain = 0;

	if (gw_bans_fail(auth->bans, GW_BAN_SOURCE, skey, now_ms, &remain) ==
	    EACCES)
		log_warn("auth", "source %s banned for %llu s", skey,
			 (unsigned long long)(remain / 1000));
	if (gw_bans_fail(auth->bans, GW_BAN_ACCOUNT, user, now_ms, &remain) ==
	    EACCES)
		log_warn("auth", "account %s banned for %llu s", user,
			 (unsigned long long)(remain / 1000));
}

int gw_auth_request(const struct gw_auth *auth, const struct sip_msg *msg,
		    bool proxy, const struct sa *src, uint64_t now_ms,
		    struct gw_auth_result *res)
{
	struct cred_ctx ctx = {.auth = auth};
	struct sip_digest_auth da;
	enum sip_digest_verdict v;
	const struct sip_hdr *h;
	char skey[GW_AUTH_SOURCE_MAX];
	struct sip_digest cred;
	bool any, bad;
	int err;

	if (!auth || !auth->nonces || !auth->bans || !auth->realm ||
	    !auth->credh || !msg || !src || !res)
		return EINVAL;
	memset(res, 0, sizeof(*res));
	res->verdict = GW_AUTH_CHALLENGE;
	err = gw_auth_source_key(src, skey, sizeof(skey));
	if (err)
		return err;
	if (gw_bans_check(auth->bans, GW_BAN_SOURCE, skey, now_ms, NULL)) {
		set_forbidden(res, true);
		return 0;
	}
	h = find_creds(auth, msg, proxy, &cred, &any, &bad);
	if (!h) {
		if (bad)
			res->verdict = GW_AUTH_BAD;
		return 0;
	}
	/* The account must be known before any password is tried. */
	if (sip_digest_unquote(res->user, sizeof(res->user), NULL,
			       &cred.username)) {
		res->verdict = GW_AUTH_BAD;
		return 0;
	}
	if (gw_bans_check(auth->bans, GW_BAN_ACCOUNT, res->user, now_ms,
			  NULL)) {
		set_forbidden(res, true);
		return 0;
	}

	memset(&da, 0, sizeof(da));
	da.nonces = auth->nonces;
	da.realm = auth->realm;
	da.ha1h = ha1_adapter;
	da.arg = &ctx;
	err =
	    sip_digest_authenticate_cred(&da, &cred, &msg->method, now_ms, &v);
	if (err == EACCES && ctx.revoked) {
		res->verdict = GW_AUTH_FORBIDDEN;
		res->revoked = true;
		return 0;
	}
	if (err)
		return err;
	switch (v) {
	case SIP_AUTH_OK:
		res->verdict = GW_AUTH_OK;
		gw_bans_success(auth->bans, GW_BAN_SOURCE, skey);
		gw_bans_success(auth->bans, GW_BAN_ACCOUNT, res->user);
		break;
	case SIP_AUTH_CHALLENGE:
		break;
	case SIP_AUTH_STALE: /* RFC 7616 §3.3 */
		res->stale = true;
		break;
	case SIP_AUTH_FAILED:
		log_info("auth", "%.*s from %s: wrong credentials for %s",
			 PL_FMT(&msg->method), skey, res->user);
		count_failure(auth, skey, res->user, now_ms);
		set_forbidden(res, false);
		break;
	case SIP_AUTH_BAD:
	default:
		res->verdict = GW_AUTH_BAD;
		break;
	}
	return 0;
}

int gw_auth_challenge(const struct gw_auth *auth, struct mbuf *hdrs, bool proxy,
		      bool stale, uint64_t now_ms)
{
	char nonce[SIP_NONCE_LEN + 1];
	struct sip_digest_chal ch;
	struct pl realm;
	int err;

	if (!auth || !auth->nonces || !auth->realm || !hdrs)
		return EINVAL;
	pl_set_str(&realm, auth->realm);
	err = sip_nonce_make(auth->nonces, nonce, &realm, now_ms);
	if (err)
		return err;
	memset(&ch, 0, sizeof(ch));
	ch.proxy = proxy;
	ch.realm = auth->realm;
	ch.nonce = nonce;
	ch.stale = stale;
	ch.order = auth->order;
	return sip_digest_challenge(hdrs, &ch);
}
