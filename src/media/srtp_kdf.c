/* srtp_kdf.c: SRTP key derivation, the AES-CM PRF of RFC 3711 section 4.3
 * (key derivation rate 0), also used by AES-GCM (RFC 7714 section 11).
 * OpenSSL here rather than in tls/: see srtp.h. */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "media/srtp_int.h"

#define KDF_IV 16
#define KDF_LABEL_AT 7 /* byte of x that the label is XORed into */

/*
 * RFC 3711 section 4.3.1: key_id = label || (index DIV kdr), and with kdr
 * 0 the 48-bit index part is zero; x = key_id XOR master_salt, with key_id
 * right-aligned in the 112-bit salt, so only the label byte (byte 7 of the
 * 14-byte salt) changes. Section 4.3.3: the PRF output is the AES-CM
 * keystream under the master key with IV = x * 2^16.
 * A 96-bit GCM master salt is padded with zeros on the right to 112 bits
 * (RFC 7714 section 11; what libsrtp does), the RFC 6188 AES-256 PRF takes
 * a 256-bit master key.
 */
static const EVP_CIPHER *kdf_cipher(size_t key_len)
{
	if (key_len == 16)
		return EVP_aes_128_ctr();
	if (key_len == 32)
		return EVP_aes_256_ctr();
	return NULL;
}

/* One PRF output with a context already keyed with the master key. */
static int kdf_run(EVP_CIPHER_CTX *ctx, uint8_t *out, size_t n,
		   const uint8_t *salt, size_t salt_len, enum msrtp_label label)
{
	uint8_t iv[KDF_IV] = {0};
	int outl, err = 0;

	if (salt_len > MSRTP_CM_SALT || n > INT32_MAX)
		return EINVAL;
	memcpy(iv, salt, salt_len);
	iv[KDF_LABEL_AT] ^= (uint8_t)label;
	memset(out, 0, n);
	if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &outl, out, (int)n) != 1 ||
	    (size_t)outl != n)
		err = ENOMEM;
	mem_secure_zero(iv, sizeof(iv));
	return err;
}

static int kdf_ctx(EVP_CIPHER_CTX **ctxp, const uint8_t *key, size_t key_len)
{
	const EVP_CIPHER *c = kdf_cipher(key_len);

	if (!c)
		return EINVAL;
	*ctxp = EVP_CIPHER_CTX_new();
	if (!*ctxp || EVP_EncryptInit_ex(*ctxp, c, NULL, key, NULL) != 1)
		return ENOMEM;
	return 0;
}

int msrtp_kdf(uint8_t *out, size_t n, const uint8_t *key, size_t key_len,
	      const uint8_t *salt, size_t salt_len, enum msrtp_label label)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int err;

	if (!out || !key || !salt)
		return EINVAL;
	err = kdf_ctx(&ctx, key, key_len);
	if (!err)
		err = kdf_run(ctx, out, n, salt, salt_len, label);
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/* Derives both transforms' session keys: labels 0-2 for SRTP, 3-5 for
 * SRTCP (RFC 3711 section 4.3.2). No authentication key for AES-GCM. */
int msrtp_derive(struct msrtp_keys *rtp, struct msrtp_keys *rtcp,
		 enum msrtp_profile p, const uint8_t *key, const uint8_t *salt)
{
	size_t kl = msrtp_key_len(p), sl = msrtp_salt_len(p);
	bool gcm = (p == MSRTP_AEAD_AES_128_GCM || p == MSRTP_AEAD_AES_256_GCM);
	EVP_CIPHER_CTX *ctx = NULL;
	int err;

	if (!kl || !rtp || !rtcp || !key || !salt)
		return EINVAL;
	memset(rtp, 0, sizeof(*rtp));
	memset(rtcp, 0, sizeof(*rtcp));

	/* One context keyed with the master key for all six labels. */
	err = kdf_ctx(&ctx, key, kl);
	err = err ? err
		  : kdf_run(ctx, rtp->enc, kl, salt, sl, MSRTP_LABEL_RTP_ENC);
	err = err ? err
		  : kdf_run(ctx, rtp->salt, sl, salt, sl, MSRTP_LABEL_RTP_SALT);
	err = err ? err
		  : kdf_run(ctx, rtcp->enc, kl, salt, sl, MSRTP_LABEL_RTCP_ENC);
	err =
	    err ? err
		: kdf_run(ctx, rtcp->salt, sl, salt, sl, MSRTP_LABEL_RTCP_SALT);
	if (!err && !gcm) {
		err = kdf_run(ctx, rtp->auth, MSRTP_AUTH_KEY, salt, sl,
			      MSRTP_LABEL_RTP_AUTH);
		err = err ? err
			  : kdf_run(ctx, rtcp->auth, MSRTP_AUTH_KEY, salt, sl,
				    MSRTP_LABEL_RTCP_AUTH);
	}
	EVP_CIPHER_CTX_free(ctx);
	if (err) {
		mem_secure_zero(rtp, sizeof(*rtp));
		mem_secure_zero(rtcp, sizeof(*rtcp));
	}
	return err;
}
