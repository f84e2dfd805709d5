/* srtp_cm.c: the AES_CM_128_HMAC_SHA1_80/_32 transforms of SRTP and SRTCP
 * (RFC 3711 sections 3.3, 3.4, 4.1.1 and 4.2.1). Contexts were keyed once
 * (srtp.c): AES-ECB makes the counter-mode keystream, the HMAC is
 * re-initialised with the same key per packet. OpenSSL here rather than in
 * tls/: see srtp.h. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "media/srtp_int.h"

#define ROC_SIZE 4
#define CM_BLOCK 16
#define CM_CHUNK_BLOCKS 32  /* keystream blocks made per EVP call */
#define CM_MAX_BLOCKS 65536 /* per packet, RFC 3711 section 4.1.1 */

/* RFC 3711 section 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR
 * (i * 2^16), i the 48-bit SRTP index or the 31-bit SRTCP index. */
static void cm_iv(uint8_t iv[MSRTP_CM_IV], const uint8_t *salt, uint32_t ssrc,
		  uint64_t idx)
{
	int i;

	memcpy(iv, salt, MSRTP_CM_SALT);
	iv[14] = 0;
	iv[15] = 0;
	iv[4] ^= (uint8_t)(ssrc >> 24);
	iv[5] ^= (uint8_t)(ssrc >> 16);
	iv[6] ^= (uint8_t)(ssrc >> 8);
	iv[7] ^= (uint8_t)ssrc;
	for (i = 0; i < 6; i++)
		iv[13 - i] ^= (uint8_t)(idx >> (8 * i));
}

/* p ^= ks over n bytes, eight at a time (memcpy: no alignment needed). */
static void cm_xor(uint8_t *p, const uint8_t *ks, size_t n)
{
	uint64_t a, b;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&a, p + i, 8);
		memcpy(&b, ks + i, 8);
		a ^= b;
		memcpy(p + i, &a, 8);
	}
	for (; i < n; i++)
		p[i] ^= ks[i];
}

/*
 * AES-CM over n bytes at p, in place (RFC 3711 section 4.1.1): keystream
 * block j is AES(IV + j). The IV's low 16 bits are zero (both terms are
 * multiplied by 2^16) and a packet may use at most 2^16 blocks, so j goes
 * into the last two bytes without carry. The counter blocks are encrypted
 * with the ECB context keyed once: one EVP call per chunk and no IV reset,
 * about a third of the cost of re-initialising an AES-CTR context per
 * packet (bench/srtp_bench.c).
 */
static int cm_crypt(struct msrtp_xform *x, uint8_t *p, size_t n, uint32_t ssrc,
		    uint64_t idx)
{
	uint8_t iv[MSRTP_CM_IV], ks[CM_CHUNK_BLOCKS * CM_BLOCK];
	size_t blk = 0, nb, m, i;
	int outl;

	if (n > CM_MAX_BLOCKS * CM_BLOCK)
		return EOVERFLOW;
	cm_iv(iv, x->salt, ssrc, idx);
	while (n) {
		nb = SC_MIN(CM_CHUNK_BLOCKS, (n + CM_BLOCK - 1) / CM_BLOCK);
		for (i = 0; i < nb; i++) {
			memcpy(ks + i * CM_BLOCK, iv, MSRTP_CM_SALT);
			ks[i * CM_BLOCK + 14] = (uint8_t)((blk + i) >> 8);
			ks[i * CM_BLOCK + 15] = (uint8_t)(blk + i);
		}
		if (EVP_EncryptUpdate(x->cipher, ks, &outl, ks,
				      (int)(nb * CM_BLOCK)) != 1)
			return ENOMEM;
		m = SC_MIN(n, nb * CM_BLOCK);
		cm_xor(p, ks, m);
		p += m;
		n -= m;
		blk += nb;
	}
	return 0;
}

/* HMAC-SHA1 of buf (and the ROC when roc is given), RFC 3711 4.2.1. */
static int cm_mac(struct msrtp_xform *x, const uint8_t *buf, size_t len,
		  const uint8_t *roc, uint8_t mac[MSRTP_SHA1_LEN])
{
	size_t outl;

	if (EVP_MAC_init(x->mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(x->mac, buf, len) != 1 ||
	    (roc && EVP_MAC_update(x->mac, roc, ROC_SIZE) != 1) ||
	    EVP_MAC_final(x->mac, mac, &outl, MSRTP_SHA1_LEN) != 1)
		return ENOMEM;
	return 0;
}

/* Checks the tag at buf + len - tag_len in constant time. */
static int cm_verify(struct msrtp_xform *x, const uint8_t *buf, size_t len,
		     const uint8_t *roc)
{
	uint8_t mac[MSRTP_SHA1_LEN];
	size_t n = len - x->tag_len;
	int err;

	err = cm_mac(x, buf, n, roc, mac);
	if (!err && CRYPTO_memcmp(mac, buf + n, x->tag_len))
		err = EACCES;
	return err;
}

/* RFC 3711 section 3.3: encrypt the payload, then authenticate the whole
 * packet followed by the ROC; the tag is the first tag_len bytes. */
int msrtp_cm_rtp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			 size_t hl, uint32_t roc)
{
	uint8_t rocb[ROC_SIZE], mac[MSRTP_SHA1_LEN];
	uint64_t idx = ((uint64_t)roc << 16) | msrtp_be16(buf + 2);
	int err;

	err = cm_crypt(x, buf + hl, len - hl, msrtp_be32(buf + 8), idx);
	if (err)
		return err;
	msrtp_put32(rocb, roc);
	err = cm_mac(x, buf, len, rocb, mac);
	if (!err)
		memcpy(buf + len, mac, x->tag_len);
	return err;
}

/* RFC 3711 section 3.3.2: authenticate first, then decrypt. */
int msrtp_cm_rtp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			   size_t hl, uint32_t roc)
{
	uint8_t rocb[ROC_SIZE];
	uint64_t idx = ((uint64_t)roc << 16) | msrtp_be16(buf + 2);
	int err;

	msrtp_put32(rocb, roc);
	err = cm_verify(x, buf, len, rocb);
	if (err)
		return err;
	return cm_crypt(x, buf + hl, len - x->tag_len - hl, msrtp_be32(buf + 8),
			idx);
}

/* RFC 3711 section 3.4: everything after the first 8 bytes is encrypted;
 * the E flag and SRTCP index follow the packet and are authenticated. */
int msrtp_cm_rtcp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			  uint32_t index)
{
	uint8_t mac[MSRTP_SHA1_LEN];
	int err;

	err = cm_crypt(x, buf + MSRTP_RTCP_HDR_SIZE, len - MSRTP_RTCP_HDR_SIZE,
		       msrtp_be32(buf + 4), index);
	if (err)
		return err;
	msrtp_put32(buf + len, MSRTP_SRTCP_E | index);
	len += MSRTP_SRTCP_INDEX_SIZE;
	err = cm_mac(x, buf, len, NULL, mac);
	if (!err)
		memcpy(buf + len, mac, x->tag_len);
	return err;
}

int msrtp_cm_rtcp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len)
{
	size_t end = len - x->tag_len - MSRTP_SRTCP_INDEX_SIZE;
	uint32_t eidx;
	int err;

	err = cm_verify(x, buf, len, NULL);
	if (err)
		return err;
	eidx = msrtp_be32(buf + end);
	if (!(eidx & MSRTP_SRTCP_E))
		return 0;
	return cm_crypt(x, buf + MSRTP_RTCP_HDR_SIZE, end - MSRTP_RTCP_HDR_SIZE,
			msrtp_be32(buf + 4), eidx & MSRTP_SRTCP_INDEX_MAX);
}
