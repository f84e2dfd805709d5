/* crypto.c: SDES a=crypto (RFC 4568 section 9.1) and the base64 of its
 * inline keys (RFC 4648 section 4). */
#include <errno.h>
#include <string.h>

#include "sdp/sdp_int.h"

#define CRYPTO_TAG_DIGITS 9        /* RFC 4568 section 9.1: tag = 1*9DIGIT */
#define CRYPTO_MKI_LEN_MAX 128     /* RFC 4568 section 9.1: 1*3DIGIT, 1..128 */
#define CRYPTO_LIFETIME_EXP_MAX 48 /* RFC 4568: 2^48 for SRTP */

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sdp_b64_encode(char *out, size_t size, const uint8_t *in, size_t n)
{
	size_t i, o = 0;

	if ((n + 2) / 3 * 4 + 1 > size)
		return EOVERFLOW;
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64_alpha[v >> 18 & 63];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64_alpha[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64_alpha[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64_alpha, c) : NULL;

	return p ? (int)(p - b64_alpha) : -1;
}

int sdp_b64_decode(uint8_t *out, size_t size, size_t *outlen,
		   const struct pl *in)
{
	uint32_t acc = 0;
	size_t i, len = in->l, n = 0;
	unsigned bits = 0;

	while (len && in->p[len - 1] == '=')
		len--;
	if (in->l - len > 2 || len % 4 == 1)
		return EBADMSG;
	for (i = 0; i < len; i++) {
		int v = b64_val(in->p[i]);

		if (v < 0)
			return EBADMSG;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= size)
				return EOVERFLOW;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = n;
	return 0;
}

/* Known suites and their master key + salt lengths (RFC 4568 section
 * 6.2, RFC 6188, RFC 7714 section 12). Unknown suites keep any length. */
static size_t suite_key_len(const struct pl *suite)
{
	static const struct {
		const char *name;
		size_t len;
	} tab[] = {
	    {"AES_CM_128_HMAC_SHA1_80", 30}, {"AES_CM_128_HMAC_SHA1_32", 30},
	    {"AES_192_CM_HMAC_SHA1_80", 38}, {"AES_192_CM_HMAC_SHA1_32", 38},
	    {"AES_256_CM_HMAC_SHA1_80", 46}, {"AES_256_CM_HMAC_SHA1_32", 46},
	    {"AEAD_AES_128_GCM", 28},        {"AEAD_AES_256_GCM", 44},
	};
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(tab); i++)
		if (!pl_strcmp(suite, tab[i].name))
			return tab[i].len;
	return 0;
}

static int lifetime_decode(uint64_t *lt, const struct pl *pl)
{
	uint32_t v;

	if (pl->l > 2 && pl->p[0] == '2' && pl->p[1] == '^') {
		struct pl e = {pl->p + 2, pl->l - 2};

		if (e.l > 2 || pl_u32(&e, &v) || v > CRYPTO_LIFETIME_EXP_MAX)
			return EBADMSG;
		*lt = (uint64_t)1 << v;
		return 0;
	}
	if (pl->l > 10 || pl_u32(pl, &v) || !v)
		return EBADMSG;
	*lt = v;
	return 0;
}

static int mki_decode(struct sdp_crypto *c, const struct pl *pl)
{
	const char *colon = pl_chr(pl, ':');
	struct pl val, len;
	uint32_t l;

	if (!colon)
		return EBADMSG;
	val.p = pl->p;
	val.l = (size_t)(colon - pl->p);
	len.p = colon + 1;
	len.l = pl->l - val.l - 1;
	if (len.l > 3 || pl_u32(&len, &l) || !l || val.l > 10 ||
	    pl_u32(&val, &c->mki))
		return EBADMSG;
	if (l > CRYPTO_MKI_LEN_MAX)
		return EOVERFLOW;
	if (l < 4 && c->mki >> (8 * l))
		return EBADMSG;
	c->mki_len = (uint8_t)l;
	return 0;
}

/* inline:<key||salt>[|<lifetime>][|<mki>:<length>], RFC 4568 section 6.1.
 * Only the first of several ';'-separated key-params is kept. */
static int key_params_decode(struct sdp_crypto *c, const struct pl *kp)
{
	struct pl rest = *kp, parts[3];
	size_t n = 0, i;
	int err;

	if (rest.l < 7 || strncmp(rest.p, "inline:", 7))
		return EBADMSG;
	rest.p += 7;
	rest.l -= 7;
	while (n < SC_ARRAY_SIZE(parts)) {
		const char *bar = pl_chr(&rest, '|');

		parts[n].p = rest.p;
		parts[n].l = bar ? (size_t)(bar - rest.p) : rest.l;
		n++;
		if (!bar)
			break;
		rest.l -= parts[n - 1].l + 1;
		rest.p = bar + 1;
		if (n == SC_ARRAY_SIZE(parts))
			return EBADMSG;
	}
	err = sdp_b64_decode(c->key_salt, sizeof(c->key_salt), &c->key_salt_len,
			     &parts[0]);
	if (err)
		return err;
	for (i = 1; i < n; i++) {
		/* lifetime has no ':', the MKI always has one */
		err = pl_chr(&parts[i], ':')
			  ? mki_decode(c, &parts[i])
			  : lifetime_decode(&c->lifetime, &parts[i]);
		if (err)
			return err;
	}
	return 0;
}

int sdp_crypto_decode(struct sdp_crypto *c, const struct pl *val)
{
	struct pl rest, tag, suite, kp;
	const char *semi;
	size_t want;
	uint32_t t;
	int err;

	if (!c || !val)
		return EINVAL;
	memset(c, 0, sizeof(*c));
	rest = *val;
	if (sdp_tok(&tag, &rest) || sdp_tok(&suite, &rest) ||
	    sdp_tok(&kp, &rest) || tag.l > CRYPTO_TAG_DIGITS ||
	    pl_u32(&tag, &t) || !sdp_is_token(&suite, sizeof(c->suite) - 1)) {
		err = EBADMSG;
		goto out;
	}
	c->tag = t;
	(void)pl_strcpy(&suite, c->suite, sizeof(c->suite));
	semi = pl_chr(&kp, ';');
	if (semi)
		kp.l = (size_t)(semi - kp.p);
	err = key_params_decode(c, &kp);
	if (err)
		goto out;
	want = suite_key_len(&suite);
	if ((want && c->key_salt_len != want) || !c->key_salt_len)
		err = EBADMSG;
out:
	if (err)
		mem_secure_zero(c, sizeof(*c));
	return err;
}
