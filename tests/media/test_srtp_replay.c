/* test_srtp_replay.c: msrtp round trips for every profile (CSRCs, header
 * extensions, ROC rollover, reordering, SRTCP) and its errors: tampered
 * tag (EACCES, state untouched), replay and packets older than the window
 * (EALREADY), short or non-RTP input (EBADMSG), no room and a full SSRC
 * table (EOVERFLOW). */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "media/srtp_int.h"

#define BUF 512
#define PAYLOAD 160

static const enum msrtp_profile profiles[] = {
    MSRTP_AES128_CM_SHA1_80,
    MSRTP_AES128_CM_SHA1_32,
    MSRTP_AEAD_AES_128_GCM,
    MSRTP_AEAD_AES_256_GCM,
};

static void pair(enum msrtp_profile p, struct msrtp **tx, struct msrtp **rx)
{
	uint8_t key[MSRTP_MAX_KEY], salt[MSRTP_MAX_SALT];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 13 + p);
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(msrtp_alloc(tx, p, key, salt), 0);
	assert_int_equal(msrtp_alloc(rx, p, key, salt), 0);
}

/* An RTP packet: with cc CSRCs and, if ext, a 2-word one-byte-header
 * extension; payload bytes i. Returns its length. */
static size_t rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc, int cc, int ext)
{
	size_t n = 12, i;

	memset(buf, 0, BUF);
	buf[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	buf[1] = 111;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	buf[7] = 160;
	msrtp_put32(buf + 8, ssrc);
	for (i = 0; i < (size_t)cc; i++, n += 4)
		msrtp_put32(buf + n, 0x1000 + (uint32_t)i);
	if (ext) {
		memcpy(buf + n,
		       "\xbe\xde\x00\x02\x10\xaa\x21\xbb\xcc\x00\x00\x00", 12);
		n += 12;
	}
	for (i = 0; i < PAYLOAD; i++)
		buf[n + i] = (uint8_t)i;
	return n + PAYLOAD;
}

/* Protects at tx, checks the header stayed clear and the payload did
 * not, unprotects at rx and compares. */
static void roundtrip(struct msrtp *tx, struct msrtp *rx, uint16_t seq,
		      uint32_t ssrc, int cc, int ext)
{
	uint8_t buf[BUF], plain[BUF];
	size_t len = rtp(plain, seq, ssrc, cc, ext), plen = len;
	size_t hl = len - PAYLOAD;

	memcpy(buf, plain, len);
	assert_int_equal(msrtp_protect(tx, buf, &len, sizeof(buf)), 0);
	assert_true(len > plen);
	assert_memory_equal(buf, plain, hl);
	assert_memory_not_equal(buf + hl, plain + hl, PAYLOAD);
	assert_int_equal(msrtp_unprotect(rx, buf, &len), 0);
	assert_int_equal(len, plen);
	assert_memory_equal(buf, plain, plen);
}

static void test_roundtrip_rollover(void **state)
{
	struct msrtp *tx, *rx;
	size_t i;
	uint32_t n;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		pair(profiles[i], &tx, &rx);
		/* Across 65535 -> 0 (ROC 1) with CSRCs and extensions. */
		for (n = 0; n < 40; n++)
			roundtrip(tx, rx, (uint16_t)(65520 + n), 0xcafe,
				  (int)(n % 3), (int)(n % 2));
		assert_int_equal(tx->ssrcv[0].roc, 1);
		assert_int_equal(rx->ssrcv[0].roc, 1);
		assert_int_equal(rx->ssrcv[0].s_l, 23);
		/* A second SSRC has its own state. */
		roundtrip(tx, rx, 100, 0xbeef, 0, 0);
		assert_int_equal(rx->ssrcc, 2);
		mem_deref(tx);
		mem_deref(rx);
	}
}

/* Protected packets delivered out of order: all accepted once; the one
 * from before the wrap is still found with ROC - 1. */
static void test_reorder(void **state)
{
	uint8_t pkt[4][BUF], buf[BUF];
	size_t len[4], l, i, k;
	const uint16_t seqs[4] = {65534, 65535, 0, 1};
	const int order[4] = {0, 2, 1, 3};
	struct msrtp *tx, *rx;

	(void)state;
	for (k = 0; k < SC_ARRAY_SIZE(profiles); k++) {
		pair(profiles[k], &tx, &rx);
		for (i = 0; i < 4; i++) {
			len[i] = rtp(pkt[i], seqs[i], 7, 0, 0);
			assert_int_equal(
			    msrtp_protect(tx, pkt[i], &len[i], BUF), 0);
		}
		for (i = 0; i < 4; i++) {
			l = len[order[i]];
			memcpy(buf, pkt[order[i]], l);
			assert_int_equal(msrtp_unprotect(rx, buf, &l), 0);
			assert_int_equal(msrtp_be16(buf + 2), seqs[order[i]]);
		}
		/* Each again: replayed. */
		for (i = 0; i < 4; i++) {
			l = len[i];
			memcpy(buf, pkt[i], l);
			assert_int_equal(msrtp_unprotect(rx, buf, &l),
					 EALREADY);
		}
		mem_deref(tx);
		mem_deref(rx);
	}
}

static void test_tamper(void **state)
{
	uint8_t buf[BUF], good[BUF];
	struct msrtp *tx, *rx;
	size_t i, len, glen, at;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		pair(profiles[i], &tx, &rx);
		glen = rtp(good, 1000, 42, 1, 1);
		assert_int_equal(msrtp_protect(tx, good, &glen, BUF), 0);
		/* The tag, the payload, the header, the sequence number. */
		const size_t spots[] = {glen - 1, glen - 20, 1, 3};
		for (at = 0; at < SC_ARRAY_SIZE(spots); at++) {
			memcpy(buf, good, glen);
			buf[spots[at]] ^= 0x01;
			len = glen;
			assert_int_equal(msrtp_unprotect(rx, buf, &len),
					 EACCES);
			assert_int_equal(len, glen);
			/* The forged packet is left as it came. */
			good[spots[at]] ^= 0x01;
			assert_memory_equal(buf, good, glen);
			good[spots[at]] ^= 0x01;
		}
		/* Nothing was learnt from the forgeries. */
		assert_int_equal(rx->ssrcc, 0);
		len = glen;
		assert_int_equal(msrtp_unprotect(rx, good, &len), 0);

		/* A forged packet of a known SSRC far ahead moves nothing. */
		len = rtp(buf, 30000, 42, 0, 0);
		len += 16;
		assert_int_equal(msrtp_unprotect(rx, buf, &len), EACCES);
		assert_int_equal(rx->ssrcv[0].s_l, 1000);

		/* SRTCP too. */
		memcpy(buf, "\x81\xc9\x00\x01\x00\x00\x00\x2a\x00\x00\x00\x00",
		       12);
		len = 8;
		assert_int_equal(msrtcp_protect(tx, buf, &len, BUF), 0);
		buf[len - 1] ^= 0x80;
		memcpy(good, buf, len);
		assert_int_equal(msrtcp_unprotect(rx, buf, &len), EACCES);
		assert_memory_equal(buf, good, len);
		mem_deref(tx);
		mem_deref(rx);
	}
}

/* Replays, and packets older than the 128-packet window. */
static void test_replay_window(void **state)
{
	uint8_t pkt[200][BUF], buf[BUF];
	size_t len[200], l, i, k;
	struct msrtp *tx, *rx;

	(void)state;
	for (k = 0; k < SC_ARRAY_SIZE(profiles); k++) {
		pair(profiles[k], &tx, &rx);
		for (i = 0; i < 200; i++) {
			len[i] = rtp(pkt[i], (uint16_t)(5000 + i), 9, 0, 0);
			assert_int_equal(
			    msrtp_protect(tx, pkt[i], &len[i], BUF), 0);
		}
		/* The sender never protects one index twice. */
		l = rtp(buf, 5000, 9, 0, 0);
		assert_int_equal(msrtp_protect(tx, buf, &l, BUF), EALREADY);

		/* 0, then 199: 0 is now 199 behind, outside the window;
		 * 72 = 199 - 127 is the oldest still inside it. */
		for (i = 0; i < 2; i++) {
			size_t j = i ? 199 : 0;

			l = len[j];
			memcpy(buf, pkt[j], l);
			assert_int_equal(msrtp_unprotect(rx, buf, &l), 0);
		}
		l = len[0];
		memcpy(buf, pkt[0], l);
		assert_int_equal(msrtp_unprotect(rx, buf, &l), EALREADY);
		l = len[71];
		memcpy(buf, pkt[71], l);
		assert_int_equal(msrtp_unprotect(rx, buf, &l), EALREADY);
		l = len[72];
		memcpy(buf, pkt[72], l);
		assert_int_equal(msrtp_unprotect(rx, buf, &l), 0);
		l = len[72];
		memcpy(buf, pkt[72], l);
		assert_int_equal(msrtp_unprotect(rx, buf, &l), EALREADY);
		l = len[198];
		memcpy(buf, pkt[198], l);
		assert_int_equal(msrtp_unprotect(rx, buf, &l), 0);
		mem_deref(tx);
		mem_deref(rx);
	}
}

static void test_malformed(void **state)
{
	uint8_t buf[BUF];
	struct msrtp *tx, *rx;
	size_t i, len, plen;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		pair(profiles[i], &tx, &rx);
		/* Too short for a header and a tag. */
		for (len = 0; len < 12 + 4; len++) {
			size_t l = len;

			rtp(buf, 1, 1, 0, 0);
			assert_int_equal(msrtp_unprotect(rx, buf, &l), EBADMSG);
		}
		/* CSRCs or extension beyond the packet. */
		len = rtp(buf, 1, 1, 0, 0);
		buf[0] = 0x8f;
		len = 12 + 15 * 4 - 1;
		assert_int_equal(msrtp_protect(tx, buf, &len, BUF), EBADMSG);
		len = rtp(buf, 1, 1, 0, 1);
		buf[14] = 0xff;
		assert_int_equal(msrtp_protect(tx, buf, &len, BUF), EBADMSG);
		len = rtp(buf, 1, 1, 0, 0);
		buf[0] = 0x40; /* version 1 */
		assert_int_equal(msrtp_protect(tx, buf, &len, BUF), EBADMSG);
		/* SRTCP: header, index and tag at least. */
		len = 8 + 4 + 3;
		memset(buf, 0, BUF);
		buf[0] = 0x80;
		assert_int_equal(msrtcp_unprotect(rx, buf, &len), EBADMSG);
		len = 7;
		assert_int_equal(msrtcp_protect(tx, buf, &len, BUF), EBADMSG);

		/* No room for the tag. */
		plen = rtp(buf, 1, 1, 0, 0);
		len = plen;
		assert_int_equal(msrtp_protect(tx, buf, &len, plen + 3),
				 EOVERFLOW);
		assert_int_equal(len, plen);
		len = 8;
		assert_int_equal(msrtcp_protect(tx, buf, &len, 8 + 13),
				 EOVERFLOW);
		assert_int_equal(msrtp_protect(NULL, buf, &len, BUF), EINVAL);
		assert_int_equal(msrtp_unprotect(rx, NULL, &len), EINVAL);
		mem_deref(tx);
		mem_deref(rx);
	}
}

/* MSRTP_MAX_SSRC sources, then the next is refused on both sides. */
static void test_ssrc_limit(void **state)
{
	uint8_t buf[BUF], extra[BUF];
	struct msrtp *tx, *rx, *tx2, *rx2;
	size_t len, elen;
	uint32_t n;

	(void)state;
	pair(MSRTP_AEAD_AES_128_GCM, &tx, &rx);
	pair(MSRTP_AEAD_AES_128_GCM, &tx2, &rx2);
	for (n = 0; n < MSRTP_MAX_SSRC; n++)
		roundtrip(tx, rx, 1, 100 + n, 0, 0);
	len = rtp(buf, 1, 999, 0, 0);
	assert_int_equal(msrtp_protect(tx, buf, &len, BUF), EOVERFLOW);
	elen = rtp(extra, 1, 999, 0, 0);
	assert_int_equal(msrtp_protect(tx2, extra, &elen, BUF), 0);
	assert_int_equal(msrtp_unprotect(rx, extra, &elen), EOVERFLOW);
	assert_int_equal(rx->ssrcc, MSRTP_MAX_SSRC);
	mem_deref(tx);
	mem_deref(rx);
	mem_deref(tx2);
	mem_deref(rx2);
}

/* SRTCP: encrypted (E bit), index counting from 0, replay refused. */
static void test_srtcp(void **state)
{
	static const uint8_t rr[] = {
	    0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x2a, 0x11, 0x22, 0x33,
	    0x44, 1,    2,    3,    4,    5,    6,    7,    8,    9,    10,
	    11,   12,   13,   14,   15,   16,   17,   18,   19,   20};
	uint8_t buf[BUF], copy[BUF];
	struct msrtp *tx, *rx;
	size_t i, n, len, at;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(profiles); i++) {
		pair(profiles[i], &tx, &rx);
		for (n = 0; n < 3; n++) {
			memcpy(buf, rr, sizeof(rr));
			len = sizeof(rr);
			assert_int_equal(msrtcp_protect(tx, buf, &len, BUF), 0);
			assert_true(len <= sizeof(rr) + MSRTP_MAX_OVERHEAD);
			assert_memory_equal(buf, rr, 8);
			assert_memory_not_equal(buf + 8, rr + 8, 8);
			at = tx->gcm ? len - 4 : len - 14;
			assert_int_equal(msrtp_be32(buf + at),
					 0x80000000u | (uint32_t)n);
			memcpy(copy, buf, len);
			assert_int_equal(msrtcp_unprotect(rx, buf, &len), 0);
			assert_int_equal(len, sizeof(rr));
			assert_memory_equal(buf, rr, sizeof(rr));
			len = sizeof(rr) + (tx->gcm ? 20 : 14);
			assert_int_equal(msrtcp_unprotect(rx, copy, &len),
					 EALREADY);
		}
		mem_deref(tx);
		mem_deref(rx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_roundtrip_rollover),
	    SC_TEST(test_reorder),
	    SC_TEST(test_tamper),
	    SC_TEST(test_replay_window),
	    SC_TEST(test_malformed),
	    SC_TEST(test_ssrc_limit),
	    SC_TEST(test_srtcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
