/* test_rtcp.c: RTCP compound walk (SR, RR, SDES, BYE, APP, RTPFB, PSFB),
 * its validation, and the SR, RR and SDES CNAME encoders byte for byte. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "media/rtp.h"

/* Packets are laid out as on the wire, so formatting is off for them. */
/* clang-format off */
/* SR (1 report block) + SDES CNAME "abcdefgh" + BYE "bye!". */
static const uint8_t compound[] = {
	/* SR, RC=1, length 12 */
	0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44, 0xe5, 0x4f, 0x1a,
	0x2b, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0xe2, 0x40, 0x00, 0x00,
	0x00, 0x64, 0x00, 0x00, 0x3e, 0x80,
	/* report block: fraction 0x19, lost -2 */
	0x55, 0x66, 0x77, 0x88, 0x19, 0xff, 0xff, 0xfe, 0x00, 0x01, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x20, 0x4f, 0x1a, 0x2b, 0x80, 0x00, 0x01,
	0x80, 0x00,
	/* SDES, SC=1, length 4 */
	0x81, 0xca, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44, 0x01, 0x08, 'a',
	'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x00, 0x00,
	/* BYE, SC=1, length 3, reason "bye!" */
	0x81, 0xcb, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x04, 'b', 'y', 'e',
	'!', 0x00, 0x00, 0x00,
};

/* RR (2 blocks) + APP + RTPFB NACK + PSFB PLI + padded RR. */
static const uint8_t compound2[] = {
	0x82, 0xc9, 0x00, 0x0d, 0xaa, 0xbb, 0xcc, 0xdd,
	/* block 1: lost 256 */
	0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff,
	0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
	/* block 2: fraction 255, lost 0x7fffff */
	0x05, 0x06, 0x07, 0x08, 0xff, 0x7f, 0xff, 0xff, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x03,
	/* APP subtype 0, name TEST */
	0x80, 0xcc, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd, 'T', 'E', 'S', 'T',
	0x01, 0x02, 0x03, 0x04,
	/* RTPFB FMT 1 (NACK): pid 10, blp 5 */
	0x81, 0xcd, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x02, 0x03,
	0x04, 0x00, 0x0a, 0x00, 0x05,
	/* PSFB FMT 1 (PLI) */
	0x81, 0xce, 0x00, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x02, 0x03,
	0x04,
	/* RR, no blocks, 4 bytes of padding */
	0xa0, 0xc9, 0x00, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x00, 0x00, 0x00,
	0x04,
};

/* clang-format on */

static int sdes_item(uint32_t ssrc, uint8_t type, const struct pl *v, void *arg)
{
	int *count = arg;

	assert_int_equal(ssrc, 0x11223344);
	assert_int_equal(type, RTCP_SDES_CNAME);
	assert_int_equal(pl_strcmp(v, "abcdefgh"), 0);
	(*count)++;
	return 0;
}

static void test_sr_sdes_bye(void **state)
{
	struct rtcp_pkt pv[RTCP_MAX_PKTS];
	size_t n = SC_ARRAY_SIZE(pv), len = 0;
	struct rtcp_rb rb;
	struct pl cname = PL("abcdefgh");
	uint8_t out[128];
	int items = 0;

	(void)state;
	assert_int_equal(rtcp_decode(pv, &n, compound, sizeof(compound)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pv[0].type, RTCP_SR);
	assert_int_equal(pv[0].len, 52);
	assert_int_equal(pv[0].sr.ssrc, 0x11223344);
	assert_int_equal(pv[0].sr.ntp_sec, 0xe54f1a2b);
	assert_int_equal(pv[0].sr.ntp_frac, 0x80000000);
	assert_int_equal(pv[0].sr.rtp_ts, 123456);
	assert_int_equal(pv[0].sr.pkt_count, 100);
	assert_int_equal(pv[0].sr.octet_count, 16000);
	assert_int_equal(pv[0].rbc, 1);
	assert_int_equal(rtcp_rb_decode(&rb, &pv[0], 0), 0);
	assert_int_equal(rb.ssrc, 0x55667788);
	assert_int_equal(rb.fraction, 0x19);
	assert_int_equal(rb.lost, -2);
	assert_int_equal(rb.last_seq, 65541);
	assert_int_equal(rb.jitter, 32);
	assert_int_equal(rb.lsr, 0x4f1a2b80);
	assert_int_equal(rb.dlsr, 0x18000);
	assert_int_equal(rtcp_rb_decode(&rb, &pv[0], 1), EINVAL);

	assert_int_equal(pv[1].type, RTCP_SDES);
	assert_int_equal(rtcp_sdes_walk(&pv[1], sdes_item, &items), 0);
	assert_int_equal(items, 1);

	assert_int_equal(pv[2].type, RTCP_BYE);
	assert_int_equal(pv[2].count, 1);
	assert_int_equal(pv[2].ssrc, 0x11223344);
	assert_int_equal(pl_strcmp(&pv[2].reason, "bye!"), 0);

	/* Encoders give the same bytes. */
	assert_int_equal(
	    rtcp_sr_encode(out, sizeof(out), &len, &pv[0].sr, &rb, 1), 0);
	assert_int_equal(len, 52);
	assert_memory_equal(out, compound, 52);
	assert_int_equal(
	    rtcp_sdes_cname_encode(out, sizeof(out), &len, 0x11223344, &cname),
	    0);
	assert_int_equal(len, 20);
	assert_memory_equal(out, compound + 52, 20);
	assert_int_equal(rtcp_sr_encode(out, 51, &len, &pv[0].sr, &rb, 1),
	                 EOVERFLOW);
}

static void test_rr_app_fb(void **state)
{
	struct rtcp_pkt pv[RTCP_MAX_PKTS];
	size_t n = SC_ARRAY_SIZE(pv), len = 0;
	struct rtcp_rb rb[2];
	uint8_t out[128];

	(void)state;
	assert_int_equal(rtcp_decode(pv, &n, compound2, sizeof(compound2)), 0);
	assert_int_equal(n, 5);
	assert_int_equal(pv[0].type, RTCP_RR);
	assert_int_equal(pv[0].ssrc, 0xaabbccdd);
	assert_int_equal(pv[0].rbc, 2);
	assert_int_equal(rtcp_rb_decode(&rb[0], &pv[0], 0), 0);
	assert_int_equal(rtcp_rb_decode(&rb[1], &pv[0], 1), 0);
	assert_int_equal(rb[0].lost, 256);
	assert_int_equal(rb[0].last_seq, 0xffff);
	assert_int_equal(rb[1].fraction, 255);
	assert_int_equal(rb[1].lost, 0x7fffff);
	assert_int_equal(rb[1].dlsr, 3);
	assert_int_equal(
	    rtcp_rr_encode(out, sizeof(out), &len, 0xaabbccdd, rb, 2), 0);
	assert_int_equal(len, 56);
	assert_memory_equal(out, compound2, 56);

	assert_int_equal(pv[1].type, RTCP_APP);
	assert_memory_equal(pv[1].name, "TEST", 4);
	assert_int_equal(pv[1].data_len, 4);
	assert_int_equal(pv[2].type, RTCP_RTPFB);
	assert_int_equal(pv[2].count, 1);
	assert_int_equal(pv[2].ssrc, 0xaabbccdd);
	assert_int_equal(pv[2].media_ssrc, 0x01020304);
	assert_int_equal(pv[2].data_len, 4);
	assert_int_equal(pv[3].type, RTCP_PSFB);
	assert_int_equal(pv[3].data_len, 0);
	assert_int_equal(pv[4].type, RTCP_RR);
	assert_true(pv[4].padding);
	assert_int_equal(pv[4].body_len, 4);

	/* A lost count beyond 24 bits is clamped when encoding. */
	rb[0].lost = -10000000;
	assert_int_equal(rtcp_rr_encode(out, sizeof(out), &len, 1, rb, 1), 0);
	assert_memory_equal(out + 12, "\x00\x80\x00\x00", 4);
}

static void test_invalid(void **state)
{
	struct rtcp_pkt pv[RTCP_MAX_PKTS];
	uint8_t bad[sizeof(compound2)];
	/* clang-format off */
	static const uint8_t sdes_unterminated[] = {
		0x81, 0xca, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44,
		0x01, 0x02, 'a',  'b'};
	static const uint8_t rr_short[] = {0x81, 0xc9, 0x00, 0x01,
					   0x11, 0x22, 0x33, 0x44};
	/* clang-format on */
	size_t n;

	(void)state;
	n = RTCP_MAX_PKTS;
	assert_int_equal(rtcp_decode(pv, &n, compound2, 0), EBADMSG);
	/* Length field beyond the buffer. */
	memcpy(bad, compound2, sizeof(bad));
	bad[3] = 0x20;
	n = RTCP_MAX_PKTS;
	assert_int_equal(rtcp_decode(pv, &n, bad, sizeof(bad)), EBADMSG);
	assert_int_equal(n, 0);
	/* Padding in a packet that is not the last. */
	memcpy(bad, compound2, sizeof(bad));
	bad[0] |= 0x20;
	n = RTCP_MAX_PKTS;
	assert_int_equal(rtcp_decode(pv, &n, bad, sizeof(bad)), EBADMSG);
	/* Version 1 in the second packet. */
	memcpy(bad, compound2, sizeof(bad));
	bad[56] = 0x40;
	n = RTCP_MAX_PKTS;
	assert_int_equal(rtcp_decode(pv, &n, bad, sizeof(bad)), EBADMSG);
	/* Padding count larger than the packet body. */
	memcpy(bad, compound2, sizeof(bad));
	bad[sizeof(bad) - 1] = 9;
	n = RTCP_MAX_PKTS;
	assert_int_equal(rtcp_decode(pv, &n, bad, sizeof(bad)), EBADMSG);
	/* SDES item list without its null octet. */
	n = RTCP_MAX_PKTS;
	assert_int_equal(
	    rtcp_decode(pv, &n, sdes_unterminated, sizeof(sdes_unterminated)),
	    EBADMSG);
	/* RR claiming a report block it does not carry. */
	n = RTCP_MAX_PKTS;
	assert_int_equal(rtcp_decode(pv, &n, rr_short, sizeof(rr_short)),
	                 EBADMSG);
	/* More packets than room. */
	n = 2;
	assert_int_equal(rtcp_decode(pv, &n, compound2, sizeof(compound2)),
	                 EOVERFLOW);
}

static void test_truncation(void **state)
{
	struct rtcp_pkt pv[RTCP_MAX_PKTS];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(compound); i++) {
		uint8_t *p = malloc(i ? i : 1);
		size_t n = RTCP_MAX_PKTS;
		int err;

		memcpy(p, compound, i);
		err = rtcp_decode(pv, &n, p, i);
		/* Only the cuts at packet boundaries are valid. */
		if (i == 52 || i == 72)
			assert_int_equal(err, 0);
		else
			assert_int_equal(err, EBADMSG);
		free(p);
	}
}

static void test_cname_limits(void **state)
{
	char name[RTCP_MAX_CNAME + 1];
	struct pl cname = {name, sizeof(name)};
	struct rtcp_pkt pv[1];
	uint8_t out[300];
	size_t len = 0, n = 1;

	(void)state;
	memset(name, 'x', sizeof(name));
	assert_int_equal(
	    rtcp_sdes_cname_encode(out, sizeof(out), &len, 1, &cname), EINVAL);
	cname.l = RTCP_MAX_CNAME;
	assert_int_equal(
	    rtcp_sdes_cname_encode(out, sizeof(out), &len, 1, &cname), 0);
	/* 4 + 4 + (2 + 255 + 1 -> 260) */
	assert_int_equal(len, 268);
	assert_int_equal(rtcp_decode(pv, &n, out, len), 0);
	assert_int_equal(pv[0].type, RTCP_SDES);
	assert_int_equal(rtcp_sdes_cname_encode(out, 267, &len, 1, &cname),
	                 EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_sr_sdes_bye),  SC_TEST(test_rr_app_fb),
	    SC_TEST(test_invalid),      SC_TEST(test_truncation),
	    SC_TEST(test_cname_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
