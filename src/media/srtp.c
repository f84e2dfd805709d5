/* srtp.c: SRTP/SRTCP sessions (RFC 3711, RFC 7714): profiles, keying of the
 * cipher contexts, and the packet functions that check the packet, pick the
 * per-SSRC state and run the transform. OpenSSL here rather than in tls/:
 * see srtp.h. */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "media/srtp_int.h"

#define RTP_VERSION_BITS 0x80 /* V=2 in the top two bits */
#define RTP_CC_MASK 0x0f
#define RTP_X_BIT 0x10
#define RTP_EXT_HDR 4

struct msrtp_prof {
	enum msrtp_profile p;
	const char *name; /* RFC 4568 section 6.2, RFC 7714 section 14.1 */
	size_t key_len;
	size_t salt_len;
	size_t rtp_tag;
	size_t rtcp_tag; /* 80 bits for both CM profiles, RFC 5764 4.1.2 */
	bool gcm;
};

static const struct msrtp_prof profv[] = {
    {MSRTP_AES128_CM_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16, MSRTP_CM_SALT,
     MSRTP_TAG_80, MSRTP_TAG_80, false},
    {MSRTP_AES128_CM_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16, MSRTP_CM_SALT,
     MSRTP_TAG_32, MSRTP_TAG_80, false},
    {MSRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16, MSRTP_GCM_SALT,
     MSRTP_MAX_TAG, MSRTP_MAX_TAG, true},
    {MSRTP_AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32, MSRTP_GCM_SALT,
     MSRTP_MAX_TAG, MSRTP_MAX_TAG, true},
};

static const struct msrtp_prof *prof_find(enum msrtp_profile p)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(profv); i++) {
		if (profv[i].p == p)
			return &profv[i];
	}
	return NULL;
}

size_t msrtp_key_len(enum msrtp_profile p)
{
	const struct msrtp_prof *pr = prof_find(p);

	return pr ? pr->key_len : 0;
}

size_t msrtp_salt_len(enum msrtp_profile p)
{
	const struct msrtp_prof *pr = prof_find(p);

	return pr ? pr->salt_len : 0;
}

const char *msrtp_profile_name(enum msrtp_profile p)
{
	const struct msrtp_prof *pr = prof_find(p);

	return pr ? pr->name : NULL;
}

int msrtp_profile_decode(enum msrtp_profile *pp, const struct pl *name)
{
	size_t i;

	if (!pp || !name)
		return EINVAL;
	for (i = 0; i < SC_ARRAY_SIZE(profv); i++) {
		if (!pl_strcmp(name, profv[i].name)) {
			*pp = profv[i].p;
			return 0;
		}
	}
	return ENOENT;
}

enum msrtp_profile msrtp_profile(const struct msrtp *s)
{
	return s->prof;
}

static void xform_free(struct msrtp_xform *x)
{
	/* Both free functions wipe the key schedules they own. */
	EVP_CIPHER_CTX_free(x->cipher);
	EVP_MAC_CTX_free(x->mac);
	x->cipher = NULL;
	x->mac = NULL;
}

static void msrtp_destroy(void *arg)
{
	struct msrtp *s = arg;

	xform_free(&s->rtp);
	xform_free(&s->rtcp);
	mem_secure_zero(s, sizeof(*s));
}

/* Keys the contexts of one transform once: AES-ECB or AES-GCM with the
 * session key, HMAC-SHA1 with the authentication key. */
static int xform_init(struct msrtp_xform *x, const struct msrtp_prof *pr,
		      const struct msrtp_keys *k, size_t tag_len)
{
	OSSL_PARAM params[2];
	const EVP_CIPHER *c;
	EVP_MAC *mac;

	if (pr->gcm)
		c = pr->key_len == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	else
		c = EVP_aes_128_ecb(); /* counter mode in srtp_cm.c */
	x->cipher = EVP_CIPHER_CTX_new();
	if (!x->cipher ||
	    EVP_EncryptInit_ex(x->cipher, c, NULL, k->enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(x->cipher, 0) != 1)
		return ENOMEM;
	memcpy(x->salt, k->salt, pr->salt_len);
	x->tag_len = tag_len;
	if (pr->gcm)
		return 0;

	mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (!mac)
		return ENOMEM;
	x->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac); /* the context holds its own reference */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!x->mac ||
	    EVP_MAC_init(x->mac, k->auth, MSRTP_AUTH_KEY, params) != 1)
		return ENOMEM;
	return 0;
}

int msrtp_alloc_keys(struct msrtp **sp, enum msrtp_profile p,
		     const struct msrtp_keys *rtp,
		     const struct msrtp_keys *rtcp)
{
	const struct msrtp_prof *pr = prof_find(p);
	struct msrtp *s;
	int err;

	if (!sp || !pr || !rtp || !rtcp)
		return EINVAL;
	s = mem_zalloc(sizeof(*s), msrtp_destroy);
	if (!s)
		return ENOMEM;
	s->prof = p;
	s->gcm = pr->gcm;
	err = xform_init(&s->rtp, pr, rtp, pr->rtp_tag);
	err = err ? err : xform_init(&s->rtcp, pr, rtcp, pr->rtcp_tag);
	if (err) {
		mem_deref(s);
		return err;
	}
	*sp = s;
	return 0;
}

int msrtp_alloc(struct msrtp **sp, enum msrtp_profile p, const uint8_t *key,
		const uint8_t *salt)
{
	struct msrtp_keys rtp, rtcp;
	int err;

	if (!sp || !key || !salt)
		return EINVAL;
	err = msrtp_derive(&rtp, &rtcp, p, key, salt);
	if (!err)
		err = msrtp_alloc_keys(sp, p, &rtp, &rtcp);
	mem_secure_zero(&rtp, sizeof(rtp));
	mem_secure_zero(&rtcp, sizeof(rtcp));
	return err;
}

/* RFC 3550 section 5.1 and 5.3.1: 12 bytes, CSRCs, extension header and
 * its 32-bit words; the payload starts after them. */
int msrtp_rtp_hdr_len(const uint8_t *buf, size_t len, size_t *hlp)
{
	size_t hl;

	if (len < MSRTP_RTP_HDR_SIZE || (buf[0] & 0xc0) != RTP_VERSION_BITS)
		return EBADMSG;
	hl = MSRTP_RTP_HDR_SIZE + 4 * (size_t)(buf[0] & RTP_CC_MASK);
	if (buf[0] & RTP_X_BIT) {
		if (len < hl + RTP_EXT_HDR)
			return EBADMSG;
		hl += RTP_EXT_HDR + 4 * (size_t)msrtp_be16(buf + hl + 2);
	}
	if (hl > len)
		return EBADMSG;
	*hlp = hl;
	return 0;
}
