/* test_srtp_mki.c: the MKI field (RFC 3711 section 3.1, RFC 4568 section
 * 6.1) against the RFC vectors: the RFC 3711 B.2 keystream and the RFC
 * 7714 sections 16 and 17 packets, protected with an MKI, are the same
 * bytes with the MKI where RFC 3711 puts it (AES-CM: before the tag;
 * AES-GCM: after it, as libsrtp); another MKI is ENOENT, a forged packet
 * EACCES, and both leave the packet as it was. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "srtp_hex.h"
#include "media/srtp_int.h"

#define BUF 256
#define B2_PAYLOAD 48
#define TAG80 10

static const uint8_t mki1[4] = {0, 0, 0, 1};
static const uint8_t mki2[4] = {0, 0, 0, 2};

static void b2_session(struct msrtp **sp)
{
	struct msrtp_keys k;

	memset(&k, 0, sizeof(k));
	srtp_hex(k.enc, 16, "2B7E151628AED2A6ABF7158809CF4F3C");
	srtp_hex(k.salt, 14, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
	assert_int_equal(msrtp_alloc_keys(sp, MSRTP_AES128_CM_SHA1_80, &k, &k),
			 0);
}

/* RFC 3711 B.2 keystream (SSRC 0, ROC 0, SEQ 0) with a 4-byte MKI: the
 * payload is the keystream, then the MKI, then the very tag of the packet
 * without MKI (the MKI is not authenticated). */
static void test_b2_mki(void **state)
{
	uint8_t plain[BUF], buf[BUF], ref[BUF], want[B2_PAYLOAD];
	const size_t plen = MSRTP_RTP_HDR_SIZE + B2_PAYLOAD;
	struct msrtp *tx, *tx_ref, *rx, *rx_other;
	size_t len, rlen;

	(void)state;
	memset(plain, 0, sizeof(plain));
	plain[0] = 0x80;
	b2_session(&tx);
	b2_session(&tx_ref);
	b2_session(&rx);
	b2_session(&rx_other);
	assert_int_equal(msrtp_mki_set(tx, mki1, 4), 0);
	assert_int_equal(msrtp_mki_set(rx, mki1, 4), 0);
	assert_int_equal(msrtp_mki_set(rx_other, mki2, 4), 0);

	/* room for the tag but not the MKI */
	memcpy(buf, plain, plen);
	len = plen;
	assert_int_equal(msrtp_protect(tx, buf, &len, plen + TAG80), EOVERFLOW);
	assert_int_equal(len, plen);

	assert_int_equal(msrtp_protect(tx, buf, &len, sizeof(buf)), 0);
	assert_int_equal(len, plen + 4 + TAG80);
	srtp_hex(want, sizeof(want),
		 "E03EAD0935C95E80E166B16DD92B4EB4"
		 "D23513162B02D0F72A43A2FE4A5F97AB"
		 "41E95B3BB0A2E8DD477901E4FCA894C0");
	assert_memory_equal(buf + MSRTP_RTP_HDR_SIZE, want, B2_PAYLOAD);
	assert_memory_equal(buf + plen, mki1, 4);
	memcpy(ref, plain, plen);
	rlen = plen;
	assert_int_equal(msrtp_protect(tx_ref, ref, &rlen, sizeof(ref)), 0);
	assert_int_equal(rlen, plen + TAG80);
	assert_memory_equal(buf + plen + 4, ref + plen, TAG80);

	/* Another key's MKI: ENOENT, nothing changed. */
	memcpy(ref, buf, len);
	rlen = len;
	assert_int_equal(msrtp_unprotect(rx_other, buf, &rlen), ENOENT);
	assert_int_equal(rlen, len);
	assert_memory_equal(buf, ref, len);
	/* A forged payload: EACCES, the packet as it came (MKI in place). */
	buf[20] ^= 1;
	assert_int_equal(msrtp_unprotect(rx, buf, &rlen), EACCES);
	assert_int_equal(rlen, len);
	buf[20] ^= 1;
	assert_memory_equal(buf, ref, len);
	/* Too short to hold the MKI and a tag: EBADMSG. */
	rlen = 9;
	assert_int_equal(msrtp_unprotect(rx, buf, &rlen), EBADMSG);
	/* The real one. */
	rlen = len;
	assert_int_equal(msrtp_unprotect(rx, buf, &rlen), 0);
	assert_int_equal(rlen, plen);
	assert_memory_equal(buf, plain, plen);
	/* A packet without MKI is not ours either. */
	memcpy(buf, plain, plen);
	buf[3] = 1; /* a sequence number tx_ref has not sent */
	len = plen;
	assert_int_equal(msrtp_protect(tx_ref, buf, &len, sizeof(buf)), 0);
	assert_int_not_equal(msrtp_unprotect(rx, buf, &len), 0);

	mem_deref(tx);
	mem_deref(tx_ref);
	mem_deref(rx);
	mem_deref(rx_other);
}

/* SRTCP with AES-CM: packet | E+index | MKI | tag. */
static void test_srtcp_cm_mki(void **state)
{
	static const uint8_t sr[] = {
	    0x80, 0xc8, 0x00, 0x06, 0x12, 0x34, 0x56, 0x78, 0xe0, 0x00,
	    0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0a, 0x00,
	    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x03, 0x20,
	};
	uint8_t buf[BUF], ref[BUF];
	struct msrtp *tx, *tx_ref, *rx;
	size_t len, rlen;

	(void)state;
	b2_session(&tx);
	b2_session(&tx_ref);
	b2_session(&rx);
	assert_int_equal(msrtp_mki_set(tx, mki2 + 2, 2), 0);
	assert_int_equal(msrtp_mki_set(rx, mki2 + 2, 2), 0);
	memcpy(buf, sr, sizeof(sr));
	len = sizeof(sr);
	assert_int_equal(msrtcp_protect(tx, buf, &len, sizeof(buf)), 0);
	memcpy(ref, sr, sizeof(sr));
	rlen = sizeof(sr);
	assert_int_equal(msrtcp_protect(tx_ref, ref, &rlen, sizeof(ref)), 0);
	assert_int_equal(len, rlen + 2);
	/* same ciphertext and index, the MKI, the same tag */
	assert_memory_equal(buf, ref, sizeof(sr) + 4);
	assert_memory_equal(buf + sizeof(sr) + 4, mki2 + 2, 2);
	assert_memory_equal(buf + sizeof(sr) + 6, ref + sizeof(sr) + 4, TAG80);
	buf[len - 1] ^= 0x40;
	rlen = len;
	assert_int_equal(msrtcp_unprotect(rx, buf, &rlen), EACCES);
	buf[len - 1] ^= 0x40;
	assert_memory_equal(buf + sizeof(sr) + 4, mki2 + 2, 2);
	assert_int_equal(msrtcp_unprotect(rx, buf, &rlen), 0);
	assert_int_equal(rlen, sizeof(sr));
	assert_memory_equal(buf, sr, sizeof(sr));
	mem_deref(tx);
	mem_deref(tx_ref);
	mem_deref(rx);
}

/* RFC 7714 sections 16.1.1 and 17.1 (AES-128-GCM), with the MKI after
 * everything else. */
static void test_rfc7714_mki(void **state)
{
	static const char rtp_plain[] =
	    "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973"
	    "20646976 69736120 696e2070 61727465 73207472 6573";
	static const char rtp_prot[] =
	    "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca"
	    "be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1"
	    "6a9152cf 765ee439 0cce";
	static const char rtcp_plain[] =
	    "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930"
	    "4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";
	static const char rtcp_prot[] =
	    "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7"
	    "6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458"
	    "96cf4d2f c5abf872 45d9eade 800005d4";
	uint8_t buf[BUF], plain[BUF], want[BUF];
	struct msrtp *tx, *rx, *rx2;
	struct msrtp_keys k;
	size_t len, plen, wlen;

	(void)state;
	memset(&k, 0, sizeof(k));
	srtp_hex(k.enc, sizeof(k.enc), "000102030405060708090a0b0c0d0e0f");
	srtp_hex(k.salt, sizeof(k.salt), "517569642070726f2071756f");
	assert_int_equal(msrtp_alloc_keys(&tx, MSRTP_AEAD_AES_128_GCM, &k, &k),
			 0);
	assert_int_equal(msrtp_alloc_keys(&rx, MSRTP_AEAD_AES_128_GCM, &k, &k),
			 0);
	assert_int_equal(msrtp_alloc_keys(&rx2, MSRTP_AEAD_AES_128_GCM, &k, &k),
			 0);
	assert_int_equal(msrtp_mki_set(tx, mki1 + 3, 1), 0);
	assert_int_equal(msrtp_mki_set(rx, mki1 + 3, 1), 0);
	assert_int_equal(msrtp_mki_set(rx2, mki2 + 3, 1), 0);

	plen = srtp_hex(plain, sizeof(plain), rtp_plain);
	wlen = srtp_hex(want, sizeof(want), rtp_prot);
	memcpy(buf, plain, plen);
	len = plen;
	assert_int_equal(msrtp_protect(tx, buf, &len, sizeof(buf)), 0);
	assert_int_equal(len, wlen + 1);
	assert_memory_equal(buf, want, wlen);
	assert_int_equal(buf[wlen], 1);
	assert_int_equal(msrtp_unprotect(rx2, buf, &len), ENOENT);
	buf[14] ^= 4;
	assert_int_equal(msrtp_unprotect(rx, buf, &len), EACCES);
	buf[14] ^= 4;
	assert_memory_equal(buf, want, wlen);
	assert_int_equal(buf[wlen], 1);
	assert_int_equal(msrtp_unprotect(rx, buf, &len), 0);
	assert_int_equal(len, plen);
	assert_memory_equal(buf, plain, plen);

	plen = srtp_hex(plain, sizeof(plain), rtcp_plain);
	wlen = srtp_hex(want, sizeof(want), rtcp_prot);
	assert_int_equal(msrtp_rtcp_index_set(tx, 0x4d617273, 0x5d4), 0);
	memcpy(buf, plain, plen);
	len = plen;
	assert_int_equal(msrtcp_protect(tx, buf, &len, sizeof(buf)), 0);
	assert_int_equal(len, wlen + 1);
	assert_memory_equal(buf, want, wlen);
	assert_int_equal(buf[wlen], 1);
	assert_int_equal(msrtcp_unprotect(rx2, buf, &len), ENOENT);
	assert_int_equal(msrtcp_unprotect(rx, buf, &len), 0);
	assert_int_equal(len, plen);
	assert_memory_equal(buf, plain, plen);

	/* Turned off: packets without MKI again. */
	assert_int_equal(msrtp_mki_set(rx2, NULL, 0), 0);
	assert_int_equal(rx2->mki_len, 0);
	mem_deref(tx);
	mem_deref(rx);
	mem_deref(rx2);
}

static void test_mki_set_errors(void **state)
{
	uint8_t five[5] = {1, 2, 3, 4, 5};
	struct msrtp *s;

	(void)state;
	b2_session(&s);
	assert_int_equal(msrtp_mki_set(s, five, sizeof(five)), EINVAL);
	assert_int_equal(msrtp_mki_set(s, NULL, 2), EINVAL);
	assert_int_equal(msrtp_mki_set(NULL, five, 1), EINVAL);
	assert_int_equal(s->mki_len, 0);
	mem_deref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_b2_mki),
	    SC_TEST(test_srtcp_cm_mki),
	    SC_TEST(test_rfc7714_mki),
	    SC_TEST(test_mki_set_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
