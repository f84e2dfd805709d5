/* digest_chal.c: writes Digest challenges (401/407) and client credentials
 * (RFC 3261 §22.2-§22.4, RFC 7616 §3.3-§3.4, RFC 8760 §2.1). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/digest.h"

/* Appends s as a quoted-string, escaping '"' and '\'; CTLs other than
 * HTAB cannot be written (RFC 3261 §25.1 qdtext). */
static int write_quoted(struct mbuf *mb, const struct pl *s)
{
	size_t i, run = 0;
	int err;

	/* Runs of plain characters go in one write each. */
	err = mbuf_write_str(mb, "\"");
	for (i = 0; !err && i < s->l; i++) {
		unsigned char c = (unsigned char)s->p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return EINVAL;
		if (c != '"' && c != '\\')
			continue;
		err = mbuf_write_mem(mb, s->p + run, i - run);
		err = err ? err : mbuf_write_str(mb, "\\");
		run = i; /* the escaped character starts the next run */
	}
	err = err ? err : mbuf_write_mem(mb, s->p + run, s->l - run);
	return err ? err : mbuf_write_str(mb, "\"");
}

static int write_param(struct mbuf *mb, const char *name, const char *val)
{
	struct pl v;
	int err;

	pl_set_str(&v, val);
	err = mbuf_write_str(mb, ", ");
	err = err ? err : mbuf_write_str(mb, name);
	err = err ? err : mbuf_write_str(mb, "=");
	return err ? err : write_quoted(mb, &v);
}

static int write_one(struct mbuf *mb, const struct sip_digest_chal *ch,
		     const char *alg)
{
	struct pl realm;
	int err;

	pl_set_str(&realm, ch->realm);
	err = mbuf_write_str(mb, ch->proxy ? "Proxy-Authenticate: Digest realm="
					   : "WWW-Authenticate: Digest realm=");
	err = err ? err : write_quoted(mb, &realm);
	err = err ? err : write_param(mb, "nonce", ch->nonce);
	if (!err && ch->opaque)
		err = write_param(mb, "opaque", ch->opaque);
	/* RFC 7616 §3.3: algorithm and stale are tokens, qop is quoted. */
	err = err ? err : mbuf_write_str(mb, ", algorithm=");
	err = err ? err : mbuf_write_str(mb, alg);
	err = err ? err : mbuf_write_str(mb, ", qop=\"auth\"");
	if (!err && ch->stale)
		err = mbuf_write_str(mb, ", stale=true");
	return err ? err : mbuf_write_str(mb, "\r\n");
}

int sip_digest_challenge(struct mbuf *mb, const struct sip_digest_chal *ch)
{
	size_t pos, end;
	int err;

	if (!mb || !ch || !ch->realm || !ch->nonce || !ch->nonce[0])
		return EINVAL;
	pos = mb->pos;
	end = mb->end;

	/* RFC 8760 §2.1: one header per algorithm, in order of preference.
	 * The first is what JsSIP/SIP.js use, hence MD5 first by default. */
	switch (ch->order) {
	case SIP_DIGEST_ORDER_MD5_FIRST:
		err = write_one(mb, ch, "MD5");
		err = err ? err : write_one(mb, ch, "SHA-256");
		break;
	case SIP_DIGEST_ORDER_SHA256_FIRST:
		err = write_one(mb, ch, "SHA-256");
		err = err ? err : write_one(mb, ch, "MD5");
		break;
	case SIP_DIGEST_ORDER_MD5_ONLY:
		err = write_one(mb, ch, "MD5");
		break;
	case SIP_DIGEST_ORDER_SHA256_ONLY:
		err = write_one(mb, ch, "SHA-256");
		break;
	default:
		err = EINVAL;
		break;
	}
	if (err) {
		/* Leave nothing half-written behind. */
		mb->pos = pos;
		mb->end = end;
	}
	return err;
}

static const char *alg_name(enum sip_digest_alg alg)
{
	switch (alg) {
	case SIP_DIGEST_MD5:
		return "MD5";
	case SIP_DIGEST_MD5_SESS:
		return "MD5-sess";
	case SIP_DIGEST_SHA256:
		return "SHA-256";
	case SIP_DIGEST_SHA256_SESS:
		return "SHA-256-sess";
	default:
		return NULL;
	}
}

/* A challenge parameter sent back byte for byte, escapes as written (the
 * decoder has checked them); not through printf, which stops at a NUL. */
static int write_echo(struct mbuf *mb, const char *name, const struct pl *v)
{
	int err = mbuf_printf(mb, ", %s=\"", name);

	err = err ? err : mbuf_write_pl(mb, v);
	return err ? err : mbuf_write_str(mb, "\"");
}

static int write_creds(struct mbuf *mb, const struct sip_digest *chal,
		       const struct sip_digest_client *cl,
		       const struct pl *user, const char *resp, const char *nc)
{
	int err;

	err = mbuf_write_str(mb, "Digest username=");
	err = err ? err : write_quoted(mb, user);
	/* realm, nonce and opaque go back exactly as the server wrote them,
	 * escapes included (RFC 7616 §3.4). */
	err = err ? err : write_echo(mb, "realm", &chal->realm);
	err = err ? err : write_echo(mb, "nonce", &chal->nonce);
	err = err ? err : mbuf_write_str(mb, ", uri=");
	err = err ? err : write_quoted(mb, &cl->uri);
	err = err ? err
		  : mbuf_printf(mb, ", response=\"%s\", algorithm=%s", resp,
				alg_name(chal->alg));
	if (!err && chal->opaque.p)
		err = write_echo(mb, "opaque", &chal->opaque);
	if (!err && chal->qop_auth) {
		err = mbuf_write_str(mb, ", qop=auth, nc=");
		err = err ? err : mbuf_write_str(mb, nc);
		err = err ? err : mbuf_write_str(mb, ", cnonce=");
		err = err ? err : write_quoted(mb, &cl->cnonce);
	}
	if (!err && chal->is_userhash)
		err = mbuf_write_str(mb, ", userhash=true");
	return err;
}

int sip_digest_client_auth(struct mbuf *mb, const struct sip_digest *chal,
			   const struct sip_digest_client *cl)
{
	char realm[SIP_DIGEST_PARAM_MAX + 1];
	char ha1[SIP_DIGEST_HEX_MAX], resp[SIP_DIGEST_HEX_MAX];
	char uh[SIP_DIGEST_HEX_MAX], nc[SIP_DIGEST_NC_LEN + 1];
	struct sip_digest cred;
	struct pl prealm, user;
	size_t pos, end;
	int err;

	if (!mb || !chal || !cl || chal->kind != SIP_DIGEST_CHALLENGE)
		return EINVAL;
	if (!alg_name(chal->alg))
		return EBADMSG;
	/* A challenge that offers qop but not auth (only auth-int). */
	if (chal->qop.p && !chal->qop_auth)
		return EBADMSG;
	if (chal->qop_auth && (!pl_isset(&cl->cnonce) || !cl->nc))
		return EINVAL;
	pos = mb->pos;
	end = mb->end;

	err = sip_digest_unquote(realm, sizeof(realm), &prealm.l, &chal->realm);
	if (err)
		goto out;
	prealm.p = realm;
	err = sip_digest_ha1(ha1, chal->alg, &cl->username, &prealm,
			     &cl->password);
	if (err)
		goto out;

	/* The credentials as the server will see them. */
	memset(&cred, 0, sizeof(cred));
	cred.kind = SIP_DIGEST_CREDENTIALS;
	cred.alg = chal->alg;
	cred.nonce = chal->nonce;
	cred.uri = cl->uri;
	if (chal->qop_auth) {
		snprintf(nc, sizeof(nc), "%08x", cl->nc);
		pl_set_str(&cred.nc, nc);
		cred.ncv = cl->nc;
		cred.qop = PL("auth");
		cred.qop_auth = true;
		cred.cnonce = cl->cnonce;
	} else {
		nc[0] = '\0';
	}
	err = sip_digest_response(resp, &cred, ha1, &cl->method);
	if (err)
		goto out;

	user = cl->username;
	if (chal->is_userhash) {
		/* RFC 7616 §3.4.4: the username itself is hashed. */
		err =
		    sip_digest_userhash(uh, chal->alg, &cl->username, &prealm);
		if (err)
			goto out;
		pl_set_str(&user, uh);
	}
	err = write_creds(mb, chal, cl, &user, resp, nc);
out:
	mem_secure_zero(ha1, sizeof(ha1));
	if (err) {
		mb->pos = pos;
		mb->end = end;
	}
	return err;
}
