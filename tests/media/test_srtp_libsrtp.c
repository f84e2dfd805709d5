/* test_srtp_libsrtp.c: msrtp against libsrtp2 (Debian's, the reference
 * implementation) for every profile: the same RTP packet protects to the
 * same bytes, packets protected by one unprotect with the other both ways
 * (CSRCs, header extensions, ROC rollover across 65535 -> 0), and SRTCP
 * both ways, and packets with an MKI (RFC 3711 section 3.1) both ways with
 * libsrtp2's multi-key sessions. Linked with libsrtp2 by srtp.cmake. */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "media/srtp_int.h"

#include <srtp2/srtp.h>

#define BUF 512
#define PAYLOAD 160

static const enum msrtp_profile profiles[] = {
    MSRTP_AES128_CM_SHA1_80,
    MSRTP_AES128_CM_SHA1_32,
    MSRTP_AEAD_AES_128_GCM,
    MSRTP_AEAD_AES_256_GCM,
};

struct keymat {
	uint8_t key[MSRTP_MAX_KEY];
	uint8_t salt[MSRTP_MAX_SALT];
};

static void keymat_init(struct keymat *km, enum msrtp_profile p)
{
	size_t i;

	for (i = 0; i < sizeof(km->key); i++)
		km->key[i] = (uint8_t)(0x5a ^ (i * 31) ^ p);
	for (i = 0; i < sizeof(km->salt); i++)
		km->salt[i] = (uint8_t)(0xa5 ^ (i * 17));
}

static srtp_t lib_session(enum msrtp_profile p, const struct keymat *km,
			  int inbound)
{
	uint8_t master[MSRTP_MAX_KEY + MSRTP_MAX_SALT];
	size_t kl = msrtp_key_len(p), sl = msrtp_salt_len(p);
	srtp_policy_t pol;
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	assert_int_equal(srtp_crypto_policy_set_from_profile_for_rtp(
			     &pol.rtp, (srtp_profile_t)p),
			 srtp_err_status_ok);
	assert_int_equal(srtp_crypto_policy_set_from_profile_for_rtcp(
			     &pol.rtcp, (srtp_profile_t)p),
			 srtp_err_status_ok);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	memcpy(master, km->key, kl);
	memcpy(master + kl, km->salt, sl);
	pol.key = master;
	pol.window_size = MSRTP_REPLAY_WINDOW;
	assert_int_equal(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

static size_t rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc, int cc, int ext)
{
	size_t n = 12, i;

	memset(buf, 0, BUF);
	buf[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	buf[1] = 0;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	msrtp_put32(buf + 4, (uint32_t)seq * 160);
	msrtp_put32(buf + 8, ssrc);
	for (i = 0; i < (size_t)cc; i++, n += 4)
		msrtp_put32(buf + n, 0xc0000000u + (uint32_t)i);
	if (ext) {
		memcpy(buf + n, "\x10\x00\x00\x01\x01\x02\x03\x04", 8);
		n += 8;
	}
	for (i = 0; i < PAYLOAD; i++)
		buf[n + i] = (uint8_t)(i ^ seq);
	return n + PAYLOAD;
}

/* RTP over the wrap, ours -> libsrtp2 and libsrtp2 -> ours, and both
 * sides' ciphertexts equal. */
static void test_rtp_both_ways(void **state)
{
	uint8_t ours[BUF], lib[BUF], plain[BUF];
	struct msrtp *tx, *rx;
	srtp_t ltx, lrx;
	struct keymat km;
	size_t i, len, plen;
	int n, ilen;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		keymat_init(&km, profiles[i]);
		assert_int_equal(msrtp_alloc(&tx, profiles[i], km.key, km.salt),
				 0);
		assert_int_equal(msrtp_alloc(&rx, profiles[i], km.key, km.salt),
				 0);
		ltx = lib_session(profiles[i], &km, 0);
		lrx = lib_session(profiles[i], &km, 1);
		for (n = 0; n < 24; n++) {
			uint16_t seq = (uint16_t)(65524 + n);

			plen = rtp(plain, seq, 0x12345678, n % 4, n % 2);
			memcpy(ours, plain, plen);
			memcpy(lib, plain, plen);
			len = plen;
			assert_int_equal(msrtp_protect(tx, ours, &len, BUF), 0);
			ilen = (int)plen;
			assert_int_equal(srtp_protect(ltx, lib, &ilen),
					 srtp_err_status_ok);
			assert_int_equal(len, (size_t)ilen);
			assert_memory_equal(ours, lib, len);

			/* ours -> libsrtp2 */
			assert_int_equal(srtp_unprotect(lrx, ours, &ilen),
					 srtp_err_status_ok);
			assert_int_equal((size_t)ilen, plen);
			assert_memory_equal(ours, plain, plen);
			/* libsrtp2 -> ours */
			assert_int_equal(msrtp_unprotect(rx, lib, &len), 0);
			assert_int_equal(len, plen);
			assert_memory_equal(lib, plain, plen);
		}
		assert_int_equal(rx->ssrcv[0].roc, 1);
		srtp_dealloc(ltx);
		srtp_dealloc(lrx);
		mem_deref(tx);
		mem_deref(rx);
	}
}

/* SRTCP both ways (the indexes may start apart, so bytes are not compared;
 * each side authenticates and decrypts what the other sent). */
static void test_rtcp_both_ways(void **state)
{
	static const uint8_t sr[] = {
	    0x80, 0xc8, 0x00, 0x06, 0x12, 0x34, 0x56, 0x78, 0xe0, 0x00,
	    0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0a, 0x00,
	    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x03, 0x20,
	};
	uint8_t buf[BUF];
	struct msrtp *tx, *rx;
	srtp_t ltx, lrx;
	struct keymat km;
	size_t i, len;
	int n, ilen;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		keymat_init(&km, profiles[i]);
		assert_int_equal(msrtp_alloc(&tx, profiles[i], km.key, km.salt),
				 0);
		assert_int_equal(msrtp_alloc(&rx, profiles[i], km.key, km.salt),
				 0);
		ltx = lib_session(profiles[i], &km, 0);
		lrx = lib_session(profiles[i], &km, 1);
		for (n = 0; n < 5; n++) {
			memcpy(buf, sr, sizeof(sr));
			len = sizeof(sr);
			assert_int_equal(msrtcp_protect(tx, buf, &len, BUF), 0);
			ilen = (int)len;
			assert_int_equal(srtp_unprotect_rtcp(lrx, buf, &ilen),
					 srtp_err_status_ok);
			assert_int_equal(ilen, (int)sizeof(sr));
			assert_memory_equal(buf, sr, sizeof(sr));

			memcpy(buf, sr, sizeof(sr));
			ilen = (int)sizeof(sr);
			assert_int_equal(srtp_protect_rtcp(ltx, buf, &ilen),
					 srtp_err_status_ok);
			len = (size_t)ilen;
			assert_int_equal(msrtcp_unprotect(rx, buf, &len), 0);
			assert_int_equal(len, sizeof(sr));
			assert_memory_equal(buf, sr, sizeof(sr));
		}
		srtp_dealloc(ltx);
		srtp_dealloc(lrx);
		mem_deref(tx);
		mem_deref(rx);
	}
}

/* A packet libsrtp2 protected and we then tamper with: EACCES. */
static void test_lib_tampered(void **state)
{
	uint8_t buf[BUF];
	struct msrtp *rx;
	struct keymat km;
	srtp_t ltx;
	size_t i, len;
	int ilen;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		keymat_init(&km, profiles[i]);
		assert_int_equal(msrtp_alloc(&rx, profiles[i], km.key, km.salt),
				 0);
		ltx = lib_session(profiles[i], &km, 0);
		ilen = (int)rtp(buf, 77, 1, 0, 0);
		assert_int_equal(srtp_protect(ltx, buf, &ilen),
				 srtp_err_status_ok);
		buf[ilen - 1] ^= 0x10;
		len = (size_t)ilen;
		assert_int_equal(msrtp_unprotect(rx, buf, &len), EACCES);
		srtp_dealloc(ltx);
		mem_deref(rx);
	}
}

/* A libsrtp2 session with two master keys (MKIs 00000001 and 00000002):
 * km and km2. */
static srtp_t lib_session_mki(enum msrtp_profile p, const struct keymat *km,
			      const struct keymat *km2, int inbound)
{
	static uint8_t ids[2][4] = {{0, 0, 0, 1}, {0, 0, 0, 2}};
	uint8_t master[2][MSRTP_MAX_KEY + MSRTP_MAX_SALT];
	size_t kl = msrtp_key_len(p), sl = msrtp_salt_len(p);
	const struct keymat *kmv[2] = {km, km2};
	srtp_master_key_t mk[2], *mkv[2] = {&mk[0], &mk[1]};
	srtp_policy_t pol;
	srtp_t s = NULL;
	int i;

	memset(&pol, 0, sizeof(pol));
	assert_int_equal(srtp_crypto_policy_set_from_profile_for_rtp(
			     &pol.rtp, (srtp_profile_t)p),
			 srtp_err_status_ok);
	assert_int_equal(srtp_crypto_policy_set_from_profile_for_rtcp(
			     &pol.rtcp, (srtp_profile_t)p),
			 srtp_err_status_ok);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	for (i = 0; i < 2; i++) {
		memcpy(master[i], kmv[i]->key, kl);
		memcpy(master[i] + kl, kmv[i]->salt, sl);
		mk[i].key = master[i];
		mk[i].mki_id = ids[i];
		mk[i].mki_size = 4;
	}
	pol.keys = mkv;
	pol.num_master_keys = 2;
	pol.window_size = MSRTP_REPLAY_WINDOW;
	assert_int_equal(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

/* MKI packets: ours (MKI 1) and libsrtp2's (key index 0, MKI 1) are the
 * same bytes and each side takes the other's; libsrtp2's packets under
 * its second key (MKI 2) are ENOENT for our MKI-1 context and fine for
 * our MKI-2 one; SRTCP both ways. */
static void test_mki_both_ways(void **state)
{
	static const uint8_t sr[] = {
	    0x80, 0xc8, 0x00, 0x06, 0x12, 0x34, 0x56, 0x78, 0xe0, 0x00,
	    0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0a, 0x00,
	    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x03, 0x20,
	};
	static const uint8_t id1[4] = {0, 0, 0, 1}, id2[4] = {0, 0, 0, 2};
	uint8_t ours[BUF], lib[BUF], plain[BUF];
	struct msrtp *tx, *rx, *rx2;
	struct keymat km, km2;
	srtp_t ltx, lrx;
	size_t i, len, plen;
	int n, ilen;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		keymat_init(&km, profiles[i]);
		keymat_init(&km2, profiles[i]);
		km2.key[0] ^= 0xff;
		assert_int_equal(msrtp_alloc(&tx, profiles[i], km.key, km.salt),
				 0);
		assert_int_equal(msrtp_alloc(&rx, profiles[i], km.key, km.salt),
				 0);
		assert_int_equal(
		    msrtp_alloc(&rx2, profiles[i], km2.key, km2.salt), 0);
		assert_int_equal(msrtp_mki_set(tx, id1, 4), 0);
		assert_int_equal(msrtp_mki_set(rx, id1, 4), 0);
		assert_int_equal(msrtp_mki_set(rx2, id2, 4), 0);
		ltx = lib_session_mki(profiles[i], &km, &km2, 0);
		lrx = lib_session_mki(profiles[i], &km, &km2, 1);
		for (n = 0; n < 6; n++) {
			plen = rtp(plain, (uint16_t)(100 + n), 0x1234, n % 3,
				   n % 2);
			memcpy(ours, plain, plen);
			memcpy(lib, plain, plen);
			len = plen;
			assert_int_equal(msrtp_protect(tx, ours, &len, BUF), 0);
			ilen = (int)plen;
			assert_int_equal(
			    srtp_protect_mki(ltx, lib, &ilen, 1, 0),
			    srtp_err_status_ok);
			assert_int_equal(len, (size_t)ilen);
			assert_memory_equal(ours, lib, len);
			assert_int_equal(
			    srtp_unprotect_mki(lrx, ours, &ilen, 1),
			    srtp_err_status_ok);
			assert_int_equal((size_t)ilen, plen);
			assert_memory_equal(ours, plain, plen);
			assert_int_equal(msrtp_unprotect(rx, lib, &len), 0);
			assert_int_equal(len, plen);
			assert_memory_equal(lib, plain, plen);

			/* libsrtp2's second key */
			memcpy(lib, plain, plen);
			ilen = (int)plen;
			plain[11] ^= 0x55; /* another SSRC */
			lib[11] ^= 0x55;
			assert_int_equal(
			    srtp_protect_mki(ltx, lib, &ilen, 1, 1),
			    srtp_err_status_ok);
			len = (size_t)ilen;
			assert_int_equal(msrtp_unprotect(rx, lib, &len),
					 ENOENT);
			assert_int_equal(msrtp_unprotect(rx2, lib, &len), 0);
			assert_memory_equal(lib, plain, plen);

			memcpy(ours, sr, sizeof(sr));
			len = sizeof(sr);
			assert_int_equal(msrtcp_protect(tx, ours, &len, BUF),
					 0);
			ilen = (int)len;
			/* libsrtp2 2.5 looks for an SRTCP MKI before a tag of
			 * the SRTP length (4 bytes with _32, whose SRTCP tag is
			 * 10): it refuses SRTCP with MKI under that profile,
			 * its own packets too. Ours put the MKI right before
			 * the tag (RFC 3711 section 3.4), as its protect does.
			 */
			if (profiles[i] != MSRTP_AES128_CM_SHA1_32) {
				assert_int_equal(srtp_unprotect_rtcp_mki(
						     lrx, ours, &ilen, 1),
						 srtp_err_status_ok);
				assert_int_equal(ilen, (int)sizeof(sr));
			}
			memcpy(lib, sr, sizeof(sr));
			ilen = (int)sizeof(sr);
			assert_int_equal(
			    srtp_protect_rtcp_mki(ltx, lib, &ilen, 1, 0),
			    srtp_err_status_ok);
			len = (size_t)ilen;
			assert_int_equal(msrtcp_unprotect(rx, lib, &len), 0);
			assert_int_equal(len, sizeof(sr));
			assert_memory_equal(lib, sr, sizeof(sr));
		}
		srtp_dealloc(ltx);
		srtp_dealloc(lrx);
		mem_deref(tx);
		mem_deref(rx);
		mem_deref(rx2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_rtp_both_ways),
	    SC_TEST(test_rtcp_both_ways),
	    SC_TEST(test_lib_tampered),
	    SC_TEST(test_mki_both_ways),
	};
	int rc;

	if (srtp_init() != srtp_err_status_ok)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	srtp_shutdown();
	return rc;
}
