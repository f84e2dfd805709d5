/* dtls_fp.c: certificate fingerprints as in SDP a=fingerprint
 * (RFC 8122 section 5; RFC 8842 section 5 for DTLS-SRTP). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "tls/dtls_int.h"

/* Longest hash-func token we look at ("sha-512" and friends). */
#define DTLS_ALG_MAX 16

struct fp_alg {
	const char *name;
	const char *md; /* OpenSSL digest name */
	size_t len;
};

/* RFC 8122 section 5 names; md2/md5 are refused (RFC 8122: MUST NOT be
 * used for new fingerprints, and too weak to pin a peer). */
static const struct fp_alg algs[] = {
    {"sha-1", "SHA1", 20},     {"sha-224", "SHA224", 28},
    {"sha-256", "SHA256", 32}, {"sha-384", "SHA384", 48},
    {"sha-512", "SHA512", 64},
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "AB:CD:..": exactly n bytes, each two hex digits, ':' between them,
 * optional trailing white space. */
static int parse_hex(uint8_t *fp, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return EBADMSG;
		fp[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i + 1 < n) {
			if (*s != ':')
				return EBADMSG;
			s++;
		}
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return *s ? EBADMSG : 0;
}

int dtls_fp_parse_md(uint8_t *fp, size_t *lenp, const EVP_MD **mdp,
		     const char *alg_and_hex)
{
	const struct fp_alg *alg = NULL;
	const char *sp;
	size_t i, alen;
	int err;

	if (!fp || !lenp || !alg_and_hex)
		return EINVAL;
	sp = strchr(alg_and_hex, ' ');
	if (!sp)
		return EBADMSG;
	alen = (size_t)(sp - alg_and_hex);
	for (i = 0; alen < DTLS_ALG_MAX && i < SC_ARRAY_SIZE(algs); i++) {
		if (strlen(algs[i].name) == alen &&
		    !strncasecmp(algs[i].name, alg_and_hex, alen))
			alg = &algs[i];
	}
	if (!alg)
		return EBADMSG;
	if (*lenp < alg->len)
		return EOVERFLOW;
	while (*sp == ' ')
		sp++;
	err = parse_hex(fp, alg->len, sp);
	if (err)
		return err;
	if (mdp) {
		*mdp = EVP_get_digestbyname(alg->md);
		if (!*mdp)
			return EBADMSG;
	}
	*lenp = alg->len;
	return 0;
}

int dtls_fp_parse(uint8_t *fp, size_t *fp_lenp, const char *alg_and_hex)
{
	return dtls_fp_parse_md(fp, fp_lenp, NULL, alg_and_hex);
}

int dtls_fp_print(char *buf, size_t size, X509 *crt)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char prefix[] = "sha-256 ";
	uint8_t md[TLS_FP_LEN];
	unsigned int n = sizeof(md);
	size_t i, pos = sizeof(prefix) - 1;

	if (!buf || !crt || size < pos + TLS_FP_LEN * 3)
		return EINVAL;
	if (!X509_digest(crt, EVP_sha256(), md, &n) || n != TLS_FP_LEN)
		return EPROTO;
	memcpy(buf, prefix, pos);
	for (i = 0; i < TLS_FP_LEN; i++) {
		buf[pos++] = hex[md[i] >> 4];
		buf[pos++] = hex[md[i] & 0xf];
		buf[pos++] = i + 1 < TLS_FP_LEN ? ':' : '\0';
	}
	return 0;
}
