/* digest_hash.c: Digest HA1 / response computation and verification
 * (RFC 7616 §3.4.1-§3.4.4, RFC 2617 §3.2.2, RFC 8760 §2) over OpenSSL EVP. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sip/digest.h"

#define DIGEST_PARTS_MAX 6 /* HA1:nonce:nc:cnonce:qop:HA2 */
#define DIGEST_BIN_MAX 32  /* SHA-256 output */

enum sip_digest_alg sip_digest_alg_base(enum sip_digest_alg alg)
{
	switch (alg) {
	case SIP_DIGEST_MD5:
	case SIP_DIGEST_MD5_SESS:
		return SIP_DIGEST_MD5;
	case SIP_DIGEST_SHA256:
	case SIP_DIGEST_SHA256_SESS:
		return SIP_DIGEST_SHA256;
	default:
		return SIP_DIGEST_UNKNOWN;
	}
}

size_t sip_digest_hexlen(enum sip_digest_alg alg)
{
	switch (sip_digest_alg_base(alg)) {
	case SIP_DIGEST_MD5:
		return 32;
	case SIP_DIGEST_SHA256:
		return 64;
	default:
		return 0;
	}
}

static bool alg_is_sess(enum sip_digest_alg alg)
{
	return alg == SIP_DIGEST_MD5_SESS || alg == SIP_DIGEST_SHA256_SESS;
}

/* hex = H(parts[0] ":" parts[1] ":" ...), lower-case; ctx is reset and
 * may be reused for the next hash (one allocation per response). */
static int hash_parts(EVP_MD_CTX *ctx, char hex[SIP_DIGEST_HEX_MAX],
		      enum sip_digest_alg alg, const struct pl *parts, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const EVP_MD *md;
	uint8_t bin[DIGEST_BIN_MAX];
	unsigned int blen = 0;
	size_t i;
	int err = 0;

	switch (sip_digest_alg_base(alg)) {
	case SIP_DIGEST_MD5:
		md = EVP_md5();
		break;
	case SIP_DIGEST_SHA256:
		md = EVP_sha256();
		break;
	default:
		return EINVAL;
	}
	/* The context's digest is reused when it is the same: in OpenSSL 3
	 * passing the EVP_md5() / EVP_sha256() constant fetches it again. */
	if (EVP_MD_CTX_get0_md(ctx) &&
	    EVP_MD_get_type(EVP_MD_CTX_get0_md(ctx)) == EVP_MD_get_type(md))
		md = NULL;
	if (!EVP_DigestInit_ex(ctx, md, NULL)) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((i && !EVP_DigestUpdate(ctx, ":", 1)) ||
		    (parts[i].l &&
		     !EVP_DigestUpdate(ctx, parts[i].p, parts[i].l))) {
			err = ENOMEM;
			goto out;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, bin, &blen) || blen > DIGEST_BIN_MAX) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < blen; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 0xf];
	}
	hex[2 * blen] = '\0';
out:
	mem_secure_zero(bin, sizeof(bin));
	return err;
}

/* One hash with a context of its own. */
static int hash_once(char hex[SIP_DIGEST_HEX_MAX], enum sip_digest_alg alg,
		     const struct pl *parts, size_t n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int err;

	if (!ctx)
		return ENOMEM;
	err = hash_parts(ctx, hex, alg, parts, n);
	EVP_MD_CTX_free(ctx);
	return err;
}

int sip_digest_ha1(char hex[SIP_DIGEST_HEX_MAX], enum sip_digest_alg alg,
		   const struct pl *user, const struct pl *realm,
		   const struct pl *password)
{
	struct pl parts[3];

	if (!hex || !user || !realm || !password)
		return EINVAL;
	parts[0] = *user;
	parts[1] = *realm;
	parts[2] = *password;
	return hash_once(hex, alg, parts, 3);
}

int sip_digest_userhash(char hex[SIP_DIGEST_HEX_MAX], enum sip_digest_alg alg,
			const struct pl *user, const struct pl *realm)
{
	struct pl parts[2];

	if (!hex || !user || !realm)
		return EINVAL;
	parts[0] = *user;
	parts[1] = *realm;
	return hash_once(hex, alg, parts, 2);
}

/* Unquoted copies of the credential fields that enter the hashes. */
struct unq {
	char nonce[SIP_DIGEST_PARAM_MAX + 1];
	char cnonce[SIP_DIGEST_PARAM_MAX + 1];
	char uri[SIP_DIGEST_PARAM_MAX + 1];
	char qop[SIP_DIGEST_PARAM_MAX + 1];
	char nc[SIP_DIGEST_PARAM_MAX + 1];
};

static int unq_field(char *buf, const struct pl *in, struct pl *out)
{
	int err =
	    sip_digest_unquote(buf, SIP_DIGEST_PARAM_MAX + 1, &out->l, in);

	out->p = buf;
	return err;
}

int sip_digest_response(char resp[SIP_DIGEST_HEX_MAX],
			const struct sip_digest *cred, const char *ha1,
			const struct pl *method)
{
	struct unq u;
	struct pl nonce, cnonce, uri, qop, nc, parts[DIGEST_PARTS_MAX];
	char ha1s[SIP_DIGEST_HEX_MAX], ha2[SIP_DIGEST_HEX_MAX];
	EVP_MD_CTX *ctx = NULL;
	size_t hexlen;
	int err;

	if (!resp || !cred || !ha1 || !method)
		return EINVAL;
	hexlen = sip_digest_hexlen(cred->alg);
	if (!hexlen)
		return EBADMSG;
	if (strlen(ha1) != hexlen)
		return EINVAL;
	if (cred->qop.p && !cred->qop_auth)
		return EBADMSG; /* auth-int or junk: not supported */

	err = unq_field(u.nonce, &cred->nonce, &nonce);
	err = err ? err : unq_field(u.cnonce, &cred->cnonce, &cnonce);
	err = err ? err : unq_field(u.uri, &cred->uri, &uri);
	err = err ? err : unq_field(u.qop, &cred->qop, &qop);
	err = err ? err : unq_field(u.nc, &cred->nc, &nc);
	if (err)
		goto out;
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		err = ENOMEM;
		goto out;
	}

	/* RFC 7616 §3.4.2: for -sess, HA1 = H(H(user:realm:pass):nonce:cnonce),
	 * computed per request from the stored HA1. */
	if (alg_is_sess(cred->alg)) {
		if (!cnonce.l) {
			err = EBADMSG;
			goto out;
		}
		parts[0].p = ha1;
		parts[0].l = hexlen;
		parts[1] = nonce;
		parts[2] = cnonce;
		err = hash_parts(ctx, ha1s, cred->alg, parts, 3);
		if (err)
			goto out;
	} else {
		memcpy(ha1s, ha1, hexlen + 1);
	}

	/* RFC 7616 §3.4.3: HA2 = H(method:uri) for qop=auth or no qop. */
	parts[0] = *method;
	parts[1] = uri;
	err = hash_parts(ctx, ha2, cred->alg, parts, 2);
	if (err)
		goto out;

	parts[0].p = ha1s;
	parts[0].l = hexlen;
	parts[1] = nonce;
	if (cred->qop.p) {
		/* response = H(HA1:nonce:nc:cnonce:qop:HA2) */
		parts[2] = nc;
		parts[3] = cnonce;
		parts[4] = qop;
		parts[5].p = ha2;
		parts[5].l = hexlen;
		err = hash_parts(ctx, resp, cred->alg, parts, 6);
	} else {
		/* RFC 2069 / RFC 2617 §3.2.2.1: H(HA1:nonce:HA2) */
		parts[2].p = ha2;
		parts[2].l = hexlen;
		err = hash_parts(ctx, resp, cred->alg, parts, 3);
	}
out:
	EVP_MD_CTX_free(ctx);
	mem_secure_zero(ha1s, sizeof(ha1s));
	return err;
}

int sip_digest_verify(const struct sip_digest *cred, const char *ha1,
		      const struct pl *method, bool allow_rfc2069)
{
	char want[SIP_DIGEST_HEX_MAX], got[SIP_DIGEST_HEX_MAX];
	size_t hexlen, i;
	int err;

	if (!cred || !ha1 || !method)
		return EINVAL;
	if (cred->kind != SIP_DIGEST_CREDENTIALS)
		return EINVAL;
	if (!cred->qop.p && !allow_rfc2069)
		return EACCES;
	err = sip_digest_response(want, cred, ha1, method);
	if (err)
		goto out;
	hexlen = sip_digest_hexlen(cred->alg);
	/* The length of the response is public; its bytes are not. */
	if (cred->response.l != hexlen) {
		err = EACCES;
		goto out;
	}
	for (i = 0; i < hexlen; i++) {
		char c = cred->response.p[i];

		got[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	err = CRYPTO_memcmp(want, got, hexlen) ? EACCES : 0;
out:
	mem_secure_zero(want, sizeof(want));
	return err;
}
