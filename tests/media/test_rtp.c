/* test_rtp.c: RTP header codec, RFC 8285 extensions, RTP/RTCP demux,
 * sequence extension, A.8 jitter and clock mapping, with hand-made packets
 * checked byte for byte. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "media/rtp.h"

/* V=2, P, X, CC=2; M, PT=111; seq 0xffff; ts 0x11223344; SSRC 0x55667788;
 * CSRCs 1, 2; one-byte extension (id 1 len 1, id 2 len 2, 3 padding);
 * payload 01 02 03; padding 00 00 03. */
static const uint8_t pkt_full[] = {
    0xb2, 0xef, 0xff, 0xff, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
    0x77, 0x88, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
    0xbe, 0xde, 0x00, 0x02, 0x10, 0xaa, 0x21, 0xbb, 0xcc, 0x00,
    0x00, 0x00, 0x01, 0x02, 0x03, 0x00, 0x00, 0x03,
};

/* Minimal: PT 0, seq 0x1234, ts 160, SSRC 0xdeadbeef, 4 bytes µ-law. */
static const uint8_t pkt_min[] = {
    0x80, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0xa0,
    0xde, 0xad, 0xbe, 0xef, 0xff, 0xfe, 0x7f, 0x7e,
};

static void test_decode_minimal(void **state)
{
	struct rtp_hdr h;
	uint8_t out[64];
	size_t len = 0;

	(void)state;
	assert_int_equal(rtp_hdr_decode(&h, pkt_min, sizeof(pkt_min)), 0);
	assert_false(h.padding || h.extension || h.marker);
	assert_int_equal(h.cc, 0);
	assert_int_equal(h.pt, 0);
	assert_int_equal(h.seq, 0x1234);
	assert_int_equal(h.ts, 160);
	assert_int_equal(h.ssrc, 0xdeadbeef);
	assert_int_equal(h.hdr_len, 12);
	assert_int_equal(h.payload_len, 4);
	assert_ptr_equal(h.payload, pkt_min + 12);
	assert_int_equal(rtp_hdr_encode(out, sizeof(out), &len, &h), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(out, pkt_min, 12);
	assert_int_equal(rtp_hdr_encode(out, 11, &len, &h), EOVERFLOW);
}

static void test_decode_full(void **state)
{
	struct rtp_ext_elem ev[RTP_EXT_MAX_ELEMS];
	size_t n = SC_ARRAY_SIZE(ev), len = 0;
	struct rtp_hdr h;
	uint8_t out[64];

	(void)state;
	assert_int_equal(rtp_hdr_decode(&h, pkt_full, sizeof(pkt_full)), 0);
	assert_true(h.padding && h.extension && h.marker);
	assert_int_equal(h.pt, 111);
	assert_int_equal(h.seq, 0xffff);
	assert_int_equal(h.ts, 0x11223344);
	assert_int_equal(h.ssrc, 0x55667788);
	assert_int_equal(h.cc, 2);
	assert_int_equal(h.csrc[0], 1);
	assert_int_equal(h.csrc[1], 2);
	assert_int_equal(h.ext.profile, RTP_EXT_ONE_BYTE);
	assert_int_equal(h.ext.len, 8);
	assert_int_equal(h.hdr_len, 32);
	assert_int_equal(h.payload_len, 3);
	assert_int_equal(h.pad_len, 3);
	assert_memory_equal(h.payload, "\x01\x02\x03", 3);

	assert_int_equal(rtp_ext_decode(&h.ext, ev, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].id, 1);
	assert_int_equal(ev[0].len, 1);
	assert_int_equal(ev[0].data[0], 0xaa);
	assert_int_equal(ev[1].id, 2);
	assert_int_equal(ev[1].len, 2);
	assert_memory_equal(ev[1].data, "\xbb\xcc", 2);

	assert_int_equal(rtp_hdr_encode(out, sizeof(out), &len, &h), 0);
	assert_int_equal(len, h.hdr_len);
	assert_memory_equal(out, pkt_full, len);
}

static void test_ext_forms(void **state)
{
	static const uint8_t two[] = {0x05, 0x00, 0x06, 0x03,
	                              'a',  'b',  'c',  0x00};
	static const uint8_t stop[] = {0x10, 0xaa, 0xf0, 0x21,
	                               0x00, 0x00, 0x00, 0x00};
	static const uint8_t over1[] = {0x13, 0xaa, 0xbb, 0xcc};
	static const uint8_t over2[] = {0x05, 0x04, 0xaa, 0xbb};
	struct rtp_ext ext = {0x1003, two, sizeof(two)};
	struct rtp_ext_elem ev[4];
	uint8_t many[16];
	size_t n = 4;

	(void)state;
	assert_int_equal(rtp_ext_decode(&ext, ev, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].id, 5);
	assert_int_equal(ev[0].len, 0);
	assert_int_equal(ev[1].id, 6);
	assert_int_equal(ev[1].len, 3);
	assert_memory_equal(ev[1].data, "abc", 3);
	/* ID 15 ends processing (RFC 8285 section 4.2). */
	ext = (struct rtp_ext){RTP_EXT_ONE_BYTE, stop, sizeof(stop)};
	n = 4;
	assert_int_equal(rtp_ext_decode(&ext, ev, &n), 0);
	assert_int_equal(n, 1);
	/* Elements running past the block. */
	ext = (struct rtp_ext){RTP_EXT_ONE_BYTE, over1, sizeof(over1)};
	n = 4;
	assert_int_equal(rtp_ext_decode(&ext, ev, &n), EBADMSG);
	assert_int_equal(n, 0);
	ext = (struct rtp_ext){0x1000, over2, sizeof(over2)};
	n = 4;
	assert_int_equal(rtp_ext_decode(&ext, ev, &n), EBADMSG);
	/* More elements than room. */
	memset(many, 0x10, sizeof(many)); /* id 1, len 1, repeated */
	ext = (struct rtp_ext){RTP_EXT_ONE_BYTE, many, sizeof(many)};
	n = 4;
	assert_int_equal(rtp_ext_decode(&ext, ev, &n), EOVERFLOW);
	/* Neither form. */
	ext = (struct rtp_ext){0x1234, many, 4};
	n = 4;
	assert_int_equal(rtp_ext_decode(&ext, ev, &n), ENOENT);
}

static void test_invalid(void **state)
{
	uint8_t bad[sizeof(pkt_full)];
	struct rtp_hdr h;

	(void)state;
	memcpy(bad, pkt_min, sizeof(pkt_min));
	bad[0] = 0x40; /* version 1 */
	assert_int_equal(rtp_hdr_decode(&h, bad, sizeof(pkt_min)), EBADMSG);
	assert_int_equal(rtp_hdr_decode(&h, pkt_min, 11), EBADMSG);
	bad[0] = 0x8f; /* 15 CSRCs that are not there */
	assert_int_equal(rtp_hdr_decode(&h, bad, sizeof(pkt_min)), EBADMSG);
	memcpy(bad, pkt_full, sizeof(pkt_full));
	bad[23] = 0x09; /* extension longer than the packet */
	assert_int_equal(rtp_hdr_decode(&h, bad, sizeof(bad)), EBADMSG);
	memcpy(bad, pkt_full, sizeof(pkt_full));
	bad[sizeof(bad) - 1] = 0; /* padding count 0 */
	assert_int_equal(rtp_hdr_decode(&h, bad, sizeof(bad)), EBADMSG);
	bad[sizeof(bad) - 1] = 7; /* more padding than payload */
	assert_int_equal(rtp_hdr_decode(&h, bad, sizeof(bad)), EBADMSG);
	bad[sizeof(bad) - 1] = 6; /* exactly all of it: empty payload */
	assert_int_equal(rtp_hdr_decode(&h, bad, sizeof(bad)), 0);
	assert_int_equal(h.payload_len, 0);
}

/* Every cut of the full packet, from an exact-size heap copy. */
static void test_truncation(void **state)
{
	struct rtp_hdr h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pkt_full); i++) {
		uint8_t *p = malloc(i ? i : 1);
		int err;

		memcpy(p, pkt_full, i);
		err = rtp_hdr_decode(&h, p, i);
		assert_true(err == 0 || err == EBADMSG);
		if (i < 32)
			assert_int_equal(err, EBADMSG);
		free(p);
	}
}

static void test_demux(void **state)
{
	static const uint8_t rr[] = {0x80, 201, 0x00, 0x01};
	static const uint8_t pt96[] = {0x80, 0x60, 0x00, 0x01};
	static const uint8_t pt72m[] = {0x80, 0xc8, 0x00, 0x01};

	(void)state;
	assert_true(rtp_is_rtcp(rr, sizeof(rr)));
	assert_true(rtp_is_rtcp(pt72m, sizeof(pt72m)));
	assert_false(rtp_is_rtcp(pt96, sizeof(pt96)));
	assert_false(rtp_is_rtcp(pkt_min, sizeof(pkt_min)));
	assert_false(rtp_is_rtcp(rr, 1));
}

static void test_seq_extend(void **state)
{
	uint32_t ext = 65534;
	static const uint16_t seqs[] = {65535, 0,     1,     65533,
	                                2,     30000, 60000, 7000};
	static const uint32_t want[] = {
	    65535, 65536,         65537,         65533,
	    65538, 30000 + 65536, 60000 + 65536, 7000 + 131072};
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(seqs); i++) {
		ext = rtp_seq_extend(ext, seqs[i]);
		assert_int_equal(ext, want[i]);
	}
	/* Never below zero at the start of a stream. */
	assert_int_equal(rtp_seq_extend(5, 65533), 65533);
	assert_int_equal(rtp_seq_extend(0x1fff0, 0x0010), 0x20010);
}

/* RFC 3550 A.1 and A.3 accounting. */
static void test_seq_accounting(void **state)
{
	struct rtp_seq s;
	struct rtcp_rb rb;
	unsigned seq;

	(void)state;
	rtp_seq_init(&s, 100);
	/* Probation: the first packet does not count yet. */
	assert_false(rtp_seq_update(&s, 100));
	for (seq = 101; seq <= 109; seq++)
		assert_true(rtp_seq_update(&s, (uint16_t)seq));
	rtp_seq_report(&s, &rb);
	assert_int_equal(rb.last_seq, 109);
	assert_int_equal(rb.lost, 0);
	assert_int_equal(rb.fraction, 0);
	/* 110 and 111 lost, then 112..119: 2 of 10 lost = 51/256. */
	for (seq = 112; seq <= 119; seq++)
		assert_true(rtp_seq_update(&s, (uint16_t)seq));
	rtp_seq_report(&s, &rb);
	assert_int_equal(rb.last_seq, 119);
	assert_int_equal(rb.lost, 2);
	assert_int_equal(rb.fraction, 51);
	/* A late 110 arrives: counted, cumulative loss drops. */
	assert_true(rtp_seq_update(&s, 110));
	rtp_seq_report(&s, &rb);
	assert_int_equal(rb.lost, 1);
	assert_int_equal(rb.fraction, 0);

	/* Wrap-around counts a cycle. */
	rtp_seq_init(&s, 65533);
	assert_false(rtp_seq_update(&s, 65533));
	assert_true(rtp_seq_update(&s, 65534));
	assert_true(rtp_seq_update(&s, 65535));
	assert_true(rtp_seq_update(&s, 0));
	assert_true(rtp_seq_update(&s, 1));
	assert_int_equal(rtp_seq_ext_max(&s), 65537);
	rtp_seq_report(&s, &rb);
	assert_int_equal(rb.lost, 0);

	/* A jump is dropped once, then believed when the next follows. */
	assert_false(rtp_seq_update(&s, 30000));
	assert_true(rtp_seq_update(&s, 30001));
	assert_int_equal(s.base_seq, 30001);
	assert_int_equal(s.received, 1);
	/* A lone jump is not believed. */
	assert_false(rtp_seq_update(&s, 50000));
	assert_true(rtp_seq_update(&s, 30002));
	assert_int_equal(rtp_seq_ext_max(&s), 30002);
	/* Out of sequence during probation restarts it. */
	rtp_seq_init(&s, 10);
	assert_false(rtp_seq_update(&s, 12));
	assert_false(rtp_seq_update(&s, 20));
	assert_true(rtp_seq_update(&s, 21));
}

static void test_jitter(void **state)
{
	struct rtp_jitter j = {0};
	double ref = 0;
	uint32_t arrival = 1000, ts = 0xfffffe00u, prev_transit = 0;
	unsigned i, r = 12345;

	(void)state;
	/* Constant transit: zero jitter. */
	for (i = 0; i < 10; i++)
		rtp_jitter_update(&j, 1000 + 160 * i, 5 + 160 * i);
	assert_int_equal(rtp_jitter_get(&j), 0);
	/* One packet 16 units late: J = 16/16 = 1. */
	rtp_jitter_update(&j, 1000 + 160 * 10 + 16, 5 + 160 * 10);
	assert_int_equal(rtp_jitter_get(&j), 1);

	/* Against the floating-point formula of A.8, with timestamps
	 * wrapping past 2^32. */
	j = (struct rtp_jitter){0};
	for (i = 0; i < 1000; i++) {
		uint32_t transit;

		r = r * 1103515245u + 12345u;
		ts += 160;
		arrival += 160 + (r >> 16) % 200 - 100;
		transit = arrival - ts;
		rtp_jitter_update(&j, arrival, ts);
		if (i)
			ref +=
			    (fabs((double)(int32_t)(transit - prev_transit)) -
			     ref) /
			    16;
		prev_transit = transit;
	}
	assert_true(fabs(ref - rtp_jitter_get(&j)) <= 1.0);
	assert_true(rtp_jitter_get(&j) > 10);
}

static void test_tsmap(void **state)
{
	struct rtp_tsmap m = {1000, 5000, 48000, 8000};
	struct rtp_tsmap w = {0xffffff00u, 7, 48000, 8000};
	struct rtp_tsmap up = {5000, 1000, 8000, 48000};

	(void)state;
	assert_int_equal(rtp_tsmap_ts(&m, 1000 + 960), 5000 + 160);
	assert_int_equal(rtp_tsmap_ts(&m, 1000 - 480), 5000 - 80);
	assert_int_equal(rtp_tsmap_ts(&m, 1000 + 3), 5000 + 1); /* 0.5 up */
	assert_int_equal(rtp_tsmap_ts(&m, 1000 + 2), 5000);
	/* 0x240 is 0x340 = 832 ticks after the base: 138.67 -> 139. */
	assert_int_equal(rtp_tsmap_ts(&w, 0x240), 7 + 139);
	assert_int_equal(rtp_tsmap_ts(&up, 5160), 1960);
	assert_int_equal(rtp_tsmap_ts(&up, 4000), 1000u - 6000u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_decode_minimal), SC_TEST(test_decode_full),
	    SC_TEST(test_ext_forms),      SC_TEST(test_invalid),
	    SC_TEST(test_truncation),     SC_TEST(test_demux),
	    SC_TEST(test_seq_extend),     SC_TEST(test_seq_accounting),
	    SC_TEST(test_jitter),         SC_TEST(test_tsmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
