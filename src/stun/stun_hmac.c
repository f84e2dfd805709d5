/* stun_hmac.c: MESSAGE-INTEGRITY (RFC 8489 section 14.5) with a reusable
 * OpenSSL HMAC-SHA1 context keyed once per password, and the long-term
 * key of section 9.2.2. */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "stun/stun.h"

struct stun_hmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

static void hmac_destroy(void *data)
{
	struct stun_hmac *h = data;

	EVP_MAC_CTX_free(h->ctx); /* cleanses the keyed state */
	EVP_MAC_free(h->mac);
}

/*
 * Creates an HMAC-SHA1 context keyed with key (for ICE: the password as
 * given in SDP, RFC 8445 section 7.2.2). The key bytes are not kept by us;
 * OpenSSL keeps the derived pads and wipes them on mem_deref().
 * Returns 0, EINVAL or ENOMEM.
 */
int stun_hmac_alloc(struct stun_hmac **hmacp, const uint8_t *key,
                    size_t key_len)
{
	OSSL_PARAM params[2];
	struct stun_hmac *h;
	int err = 0;

	if (!hmacp || (!key && key_len))
		return EINVAL;
	h = mem_zalloc(sizeof(*h), hmac_destroy);
	if (!h)
		return ENOMEM;
	h->mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	h->ctx = h->mac ? EVP_MAC_CTX_new(h->mac) : NULL;
	if (!h->ctx) {
		err = ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	                                             (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	/* An empty key still needs a non-NULL pointer to count as a key. */
	if (!EVP_MAC_init(h->ctx, key ? key : (const uint8_t *)"", key_len,
	                  params)) {
		err = ENOMEM;
		goto out;
	}
out:
	if (err)
		h = mem_deref(h);
	*hmacp = h;
	return err;
}

/*
 * HMAC of p1[0..n1) followed by p2[0..n2) into out. Re-initialising with a
 * NULL key reuses the keyed state: no key schedule per packet.
 * Returns 0, EINVAL or ENOMEM (OpenSSL failure).
 */
int stun_hmac_digest(struct stun_hmac *hmac, uint8_t out[STUN_HMAC_SHA1_SIZE],
                     const uint8_t *p1, size_t n1, const uint8_t *p2, size_t n2)
{
	size_t olen = 0;

	if (!hmac || !out || (!p1 && n1) || (!p2 && n2))
		return EINVAL;
	if (!EVP_MAC_init(hmac->ctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(hmac->ctx, p1, n1) ||
	    !EVP_MAC_update(hmac->ctx, p2, n2) ||
	    !EVP_MAC_final(hmac->ctx, out, &olen, STUN_HMAC_SHA1_SIZE) ||
	    olen != STUN_HMAC_SHA1_SIZE)
		return ENOMEM;
	return 0;
}

/*
 * Long-term credential key, RFC 8489 section 9.2.2 (MD5 variant):
 * MD5(username ":" realm ":" password). The password must already have
 * gone through OpaqueString/SASLprep; this module does not do that.
 * Returns 0, EINVAL or ENOMEM.
 */
int stun_longterm_key(uint8_t key[16], const struct pl *username,
                      const struct pl *realm, const struct pl *password)
{
	EVP_MD_CTX *md;
	unsigned int olen = 0;
	int err = 0;

	if (!key || !username || !realm || !password)
		return EINVAL;
	md = EVP_MD_CTX_new();
	if (!md)
		return ENOMEM;
	if (!EVP_DigestInit_ex(md, EVP_md5(), NULL) ||
	    !EVP_DigestUpdate(md, username->p, username->l) ||
	    !EVP_DigestUpdate(md, ":", 1) ||
	    !EVP_DigestUpdate(md, realm->p, realm->l) ||
	    !EVP_DigestUpdate(md, ":", 1) ||
	    !EVP_DigestUpdate(md, password->p, password->l) ||
	    !EVP_DigestFinal_ex(md, key, &olen) || olen != 16)
		err = ENOMEM;
	EVP_MD_CTX_free(md);
	return err;
}

/*
 * Checks MESSAGE-INTEGRITY (section 14.5): HMAC-SHA1 over the message up
 * to the attribute, with the header length set as if the attribute ended
 * the message. msg must have been decoded from buf/len. Constant-time
 * comparison. Returns 0, ENOENT (no MESSAGE-INTEGRITY), EACCES (mismatch),
 * EINVAL or ENOMEM.
 */
int stun_msg_check_integrity(const struct stun_msg *msg, const uint8_t *buf,
                             size_t len, struct stun_hmac *key)
{
	uint8_t hdr[STUN_HEADER_SIZE], mac[STUN_HMAC_SHA1_SIZE];
	const struct stun_attr *mi;
	size_t body;
	int err;

	if (!msg || !buf || !key)
		return EINVAL;
	if (!(msg->has & STUN_HAS_INTEGRITY))
		return ENOENT;
	mi = &msg->integrity;
	if (mi->off + STUN_ATTR_HEADER_SIZE + STUN_HMAC_SHA1_SIZE > len ||
	    mi->off < STUN_HEADER_SIZE)
		return EINVAL;
	body = mi->off + STUN_ATTR_HEADER_SIZE + STUN_HMAC_SHA1_SIZE -
	       STUN_HEADER_SIZE;
	memcpy(hdr, buf, STUN_HEADER_SIZE);
	hdr[2] = (uint8_t)(body >> 8);
	hdr[3] = (uint8_t)body;
	err =
	    stun_hmac_digest(key, mac, hdr, sizeof(hdr), buf + STUN_HEADER_SIZE,
	                     mi->off - STUN_HEADER_SIZE);
	if (err)
		goto out;
	if (CRYPTO_memcmp(mac, mi->val, STUN_HMAC_SHA1_SIZE))
		err = EACCES;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	return err;
}
