/* srtp_gcm.c: the AEAD_AES_128_GCM and AEAD_AES_256_GCM transforms of SRTP
 * and SRTCP (RFC 7714 sections 8 and 9), 16-byte tags. The context was keyed
 * once (srtp.c); per packet only the IV is set. OpenSSL here rather than in
 * tls/: see srtp.h. */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "media/srtp_int.h"

/* RFC 7714 section 8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt. */
static void gcm_rtp_iv(uint8_t iv[MSRTP_GCM_IV], const uint8_t *salt,
		       const uint8_t *pkt, uint32_t roc)
{
	int i;

	iv[0] = 0;
	iv[1] = 0;
	memcpy(iv + 2, pkt + 8, 4); /* SSRC */
	msrtp_put32(iv + 6, roc);
	memcpy(iv + 10, pkt + 2, 2); /* SEQ */
	for (i = 0; i < MSRTP_GCM_IV; i++)
		iv[i] ^= salt[i];
}

/* RFC 7714 section 9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index)
 * XOR salt. */
static void gcm_rtcp_iv(uint8_t iv[MSRTP_GCM_IV], const uint8_t *salt,
			const uint8_t *pkt, uint32_t index)
{
	int i;

	iv[0] = 0;
	iv[1] = 0;
	memcpy(iv + 2, pkt + 4, 4); /* sender SSRC */
	iv[6] = 0;
	iv[7] = 0;
	msrtp_put32(iv + 8, index & MSRTP_SRTCP_INDEX_MAX);
	for (i = 0; i < MSRTP_GCM_IV; i++)
		iv[i] ^= salt[i];
}

/* One AEAD operation in place: aad (and aad2) authenticated, n bytes at p
 * encrypted (enc) or decrypted; tag written (enc) or checked (EACCES). */
static int gcm_run(struct msrtp_xform *x, int enc, const uint8_t *iv,
		   const uint8_t *aad, size_t aad_len, const uint8_t *aad2,
		   size_t aad2_len, uint8_t *p, size_t n, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = x->cipher;
	int outl;

	if (aad_len > INT32_MAX || n > INT32_MAX)
		return EINVAL;
	if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, enc) != 1 ||
	    EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) != 1 ||
	    (aad2_len &&
	     EVP_CipherUpdate(c, NULL, &outl, aad2, (int)aad2_len) != 1))
		return ENOMEM;
	if (n && EVP_CipherUpdate(c, p, &outl, p, (int)n) != 1)
		return ENOMEM;
	if (enc) {
		if (EVP_CipherFinal_ex(c, p + n, &outl) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
					(int)x->tag_len, tag) != 1)
			return ENOMEM;
		return 0;
	}
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, (int)x->tag_len,
				tag) != 1)
		return ENOMEM;
	if (EVP_CipherFinal_ex(c, p + n, &outl) != 1) {
		/* OpenSSL decrypted before it checked the tag: encrypting
		 * again with the same IV puts the ciphertext back (counter
		 * mode), so a forged packet leaves the buffer as it was. */
		if (n && (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 1) != 1 ||
			  EVP_CipherUpdate(c, p, &outl, p, (int)n) != 1))
			return ENOMEM;
		return EACCES;
	}
	return 0;
}

/* RFC 7714 section 8.2: AAD the header (with CSRCs and extension),
 * plaintext the payload, tag appended. */
int msrtp_gcm_rtp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			  size_t hl, uint32_t roc)
{
	uint8_t iv[MSRTP_GCM_IV];

	gcm_rtp_iv(iv, x->salt, buf, roc);
	return gcm_run(x, 1, iv, buf, hl, NULL, 0, buf + hl, len - hl,
		       buf + len);
}

int msrtp_gcm_rtp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			    size_t hl, uint32_t roc)
{
	uint8_t iv[MSRTP_GCM_IV];
	size_t end = len - x->tag_len;

	gcm_rtp_iv(iv, x->salt, buf, roc);
	return gcm_run(x, 0, iv, buf, hl, NULL, 0, buf + hl, end - hl,
		       buf + end);
}

/* RFC 7714 section 9: AAD the first 8 bytes and the E flag with the index;
 * the packet is followed by the tag, then by the E flag and index. */
int msrtp_gcm_rtcp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			   uint32_t index)
{
	uint8_t iv[MSRTP_GCM_IV];
	uint8_t *eidx = buf + len + x->tag_len;

	msrtp_put32(eidx, MSRTP_SRTCP_E | index);
	gcm_rtcp_iv(iv, x->salt, buf, index);
	return gcm_run(x, 1, iv, buf, MSRTP_RTCP_HDR_SIZE, eidx,
		       MSRTP_SRTCP_INDEX_SIZE, buf + MSRTP_RTCP_HDR_SIZE,
		       len - MSRTP_RTCP_HDR_SIZE, buf + len);
}

/* With E=0 (section 9.2) the whole packet is AAD and nothing is
 * encrypted. */
int msrtp_gcm_rtcp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len)
{
	uint8_t iv[MSRTP_GCM_IV];
	size_t end = len - x->tag_len - MSRTP_SRTCP_INDEX_SIZE;
	const uint8_t *eidx = buf + len - MSRTP_SRTCP_INDEX_SIZE;
	uint32_t e = msrtp_be32(eidx);

	gcm_rtcp_iv(iv, x->salt, buf, e);
	if (!(e & MSRTP_SRTCP_E))
		return gcm_run(x, 0, iv, buf, end, eidx, MSRTP_SRTCP_INDEX_SIZE,
			       buf + end, 0, buf + end);
	return gcm_run(x, 0, iv, buf, MSRTP_RTCP_HDR_SIZE, eidx,
		       MSRTP_SRTCP_INDEX_SIZE, buf + MSRTP_RTCP_HDR_SIZE,
		       end - MSRTP_RTCP_HDR_SIZE, buf + end);
}
