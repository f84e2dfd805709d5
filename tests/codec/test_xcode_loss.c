/* test_xcode_loss.c: the transcoder under loss and odd sequences: Opus
 * in-band FEC (RFC 6716 section 2.1.7) and PLC, the G.711 fade, timestamp
 * continuity, late and duplicate packets, sender restarts (RFC 3550
 * appendix A.1), gaps beyond the concealment limit, FIFO overflow, reset. */
#include <stdlib.h>

#include "xcode_util.h"

/* Input packets for the loss runs; every 10th is dropped. */
#define LOSS_PACKETS 201
#define LOSS_EVERY 10

/* Worst off-tone ratio (dB) of a settled output, for comparisons. */
static double tone_ratio_db(const struct chain *c, double hz)
{
	static const double off[] = {300, 500, 700, 1300, 1700, 2300, 3100};
	const int16_t *p = c->out + CHAIN_SETTLE_SAMPLES;
	size_t n = c->out_n - CHAIN_SETTLE_SAMPLES, i;
	double worst = 1e-12;

	for (i = 0; i < SC_ARRAY_SIZE(off); i++)
		worst = SC_MAX(worst, codec_goertzel(p, n, 8000, off[i]));
	return 10 * log10(codec_goertzel(p, n, 8000, hz) / worst);
}

static double opus_loss(bool fec)
{
	struct chain *c = calloc(1, sizeof(*c));
	struct xcode_opts ob;
	struct xcode_stats st;
	double db;

	assert_non_null(c);
	xcode_opts_default(&ob);
	ob.opus_fec = fec;
	chain_init(c, CODEC_PCMU, 20, NULL, &ob);
	c->drop_opus_every = LOSS_EVERY;
	chain_run(c, LOSS_PACKETS, 1000);
	xcode_stats_get(c->b, &st);
	assert_int_equal(st.pushed, LOSS_PACKETS - LOSS_PACKETS / LOSS_EVERY);
	assert_int_equal(st.lost, LOSS_PACKETS / LOSS_EVERY);
	assert_int_equal(st.bad + st.late + st.overflow + st.ts_jumps, 0);
	if (fec) {
		/* Every lost packet came back from its successor's LBRR. */
		assert_int_equal(st.fec, st.lost);
		assert_int_equal(st.plc, 0);
	} else {
		assert_int_equal(st.fec, 0);
		assert_int_equal(st.plc, st.lost);
	}
	/* Nothing missing downstream: one 20 ms frame per input packet,
	 * timestamps +160 throughout (checked in chain_drain_b). */
	assert_int_equal(c->out_count, LOSS_PACKETS);
	assert_int_equal(st.pulled, LOSS_PACKETS);
	chain_assert_tone(c, 1000, 100.0);
	db = tone_ratio_db(c, 1000);
	chain_close(c);
	free(c);
	return db;
}

static void test_opus_loss(void **state)
{
	double with_fec, without;

	(void)state;
	with_fec = opus_loss(true);
	without = opus_loss(false);
	printf("10%% Opus loss: tone/off-tone %.1f dB with FEC, %.1f dB with "
	       "PLC only\n",
	       with_fec, without);
	/* FEC rebuilds the lost tone better than extrapolation does. */
	assert_true(with_fec > without);
}

/* What a browser sends (48 kHz Opus, 32 kbit/s, FEC on: SILK wideband or
 * hybrid) decoded at 8 kHz under 10 % loss: FEC still rebuilds every
 * lost packet and the tone comes through. */
static void test_browser_opus_loss(void **state)
{
	int16_t pcm48[960], out[XCODE_OUT_MAX];
	uint8_t pkt[1500], g[XCODE_OUT_MAX];
	static int16_t got[8000 * 5];
	struct xcode_stats st;
	struct xcode *x = NULL;
	OpusEncoder *e;
	double phase = 0;
	size_t len, n = 0;
	uint32_t ts;
	int err, i, l, lbrr = 0;

	(void)state;
	e = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
	assert_non_null(e);
	opus_encoder_ctl(e, OPUS_SET_BITRATE(32000));
	opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
	opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(10));
	assert_int_equal(xcode_alloc(&x, CODEC_OPUS, CODEC_PCMU, NULL), 0);
	for (i = 0; i < 200; i++) {
		codec_tone(pcm48, 960, 48000, 1000, CHAIN_AMPLITUDE, &phase);
		l = opus_encode(e, pcm48, 960, pkt, sizeof(pkt));
		assert_true(l > 0);
		lbrr += xcode_opus_has_lbrr(pkt, (size_t)l);
		if (i % LOSS_EVERY == LOSS_EVERY - 1)
			continue;
		assert_int_equal(xcode_push(x, pkt, (size_t)l, (uint16_t)i,
					    (uint32_t)i * 960),
				 0);
		while (xcode_pull(x, g, sizeof(g), &len, &ts) == 0) {
			assert_int_equal(len, 160);
			g711_ulaw_decode(out, g, len);
			assert_true(n + len <= SC_ARRAY_SIZE(got));
			memcpy(got + n, out, len * sizeof(*out));
			n += len;
		}
	}
	xcode_stats_get(x, &st);
	printf("browser-like Opus: %d of 200 packets with LBRR, TOC 0x%02x, "
	       "lost %llu, fec %llu\n",
	       lbrr, pkt[0], (unsigned long long)st.lost,
	       (unsigned long long)st.fec);
	assert_true(lbrr > 150);
	assert_int_equal(st.lost, 19); /* the 200th is never missed */
	assert_int_equal(st.fec, st.lost);
	assert_int_equal(n, 199 * 160);
	assert_true(codec_goertzel(got + 1600, n - 1600, 8000, 1000) >
		    1000 * codec_goertzel(got + 1600, n - 1600, 8000, 700));
	opus_encoder_destroy(e);
	x = mem_deref(x);
}

/* Loss on the G.711 side: faded, counted, and the Opus side keeps its
 * +960 timestamps (checked in chain_drain_a). */
static void test_g711_loss(void **state)
{
	struct chain *c = calloc(1, sizeof(*c));
	struct xcode_stats st;

	(void)state;
	assert_non_null(c);
	chain_init(c, CODEC_PCMA, 20, NULL, NULL);
	c->drop_in_every = LOSS_EVERY;
	chain_run(c, LOSS_PACKETS, 440);
	xcode_stats_get(c->a, &st);
	assert_int_equal(st.lost, LOSS_PACKETS / LOSS_EVERY);
	assert_int_equal(st.plc, st.lost);
	assert_int_equal(st.fec, 0);
	assert_int_equal(c->opus_count, LOSS_PACKETS);
	assert_int_equal(c->out_count, LOSS_PACKETS);
	chain_assert_tone(c, 440, 30.0);
	chain_close(c);
	free(c);
}

/* The fade: a lost frame after a tone starts near the tone's level and
 * falls to zero; a second lost frame is silence. */
static void test_g711_fade(void **state)
{
	int16_t pcm[160], dec[160];
	uint8_t u[160], out[XCODE_OUT_MAX];
	struct xcode *x = NULL;
	double phase = 0, e_first = 0, e_last = 0;
	uint32_t ts, ts0;
	size_t len, i;

	(void)state;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_PCMU, NULL), 0);
	codec_tone(pcm, 160, 8000, 1000, 0.5, &phase);
	g711_ulaw_encode(u, pcm, 160);
	assert_int_equal(xcode_push(x, u, 160, 10, 1600), 0);
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts0), 0);
	assert_int_equal(memcmp(out, u, 160), 0); /* PCMU passes unchanged */
	/* Packets 11 and 12 lost. */
	assert_int_equal(xcode_push(x, u, 160, 13, 1600 + 3 * 160), 0);
	assert_int_equal(xcode_ready(x), 3);
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts), 0);
	assert_int_equal(ts - ts0, 160);
	g711_ulaw_decode(dec, out, 160);
	for (i = 0; i < 40; i++) {
		e_first += (double)dec[i] * dec[i];
		e_last += (double)dec[120 + i] * dec[120 + i];
	}
	assert_true(e_first > 0.5 * 40 * 0.5 * (0.5 * 32767) * (0.5 * 32767));
	assert_true(e_last < e_first / 10);
	assert_true(abs(dec[159]) < 400);
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts), 0);
	assert_int_equal(ts - ts0, 320);
	for (i = 0; i < 160; i++)
		assert_int_equal(out[i], G711_ULAW_ZERO);
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts), 0);
	assert_int_equal(ts - ts0, 480);
	assert_int_equal(memcmp(out, u, 160), 0);
	x = mem_deref(x);
}

/* LBRR flags in what we encode follow the FEC option. */
static void test_lbrr_flag(void **state)
{
	struct chain *c = calloc(1, sizeof(*c));
	struct xcode_opts oa;

	(void)state;
	assert_non_null(c);
	xcode_opts_default(&oa);
	oa.opus_fec = false;
	chain_init(c, CODEC_PCMU, 20, &oa, NULL);
	chain_run(c, 50, 1000);
	assert_int_equal(c->lbrr_count, 0);
	chain_close(c);
	chain_init(c, CODEC_PCMU, 20, NULL, NULL);
	chain_run(c, 50, 1000);
	assert_true(c->lbrr_count >= 45);
	chain_close(c);
	free(c);
	assert_false(xcode_opus_has_lbrr(NULL, 0));
	assert_false(xcode_opus_has_lbrr((const uint8_t *)"\xfc", 1));
}

static void push_u(struct xcode *x, uint16_t seq, uint32_t ts, int want)
{
	uint8_t u[160];

	memset(u, 0x9a, sizeof(u));
	assert_int_equal(xcode_push(x, u, sizeof(u), seq, ts), want);
}

/* Late and duplicate packets are ignored; a far jump back is a restart
 * once the next packet confirms it. */
static void test_sequence(void **state)
{
	struct xcode_stats st;
	struct xcode *x = NULL;

	(void)state;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_PCMA, NULL), 0);
	push_u(x, 65535, 0, 0);
	push_u(x, 0, 160, 0);          /* wraps */
	push_u(x, 0, 160, EALREADY);   /* duplicate */
	push_u(x, 65535, 0, EALREADY); /* late */
	push_u(x, 2, 480, 0);          /* 1 lost */
	push_u(x, 1, 320, EALREADY);   /* too late: already concealed */
	xcode_stats_get(x, &st);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.late, 3);
	assert_int_equal(xcode_ready(x), 4);
	/* A far jump ahead (997 packets, 20 s): loss by the numbers, but
	 * too long to be anything but a discontinuity: not filled. */
	push_u(x, 1000, 480 + 998 * 160, 0);
	xcode_stats_get(x, &st);
	assert_int_equal(st.lost, 1 + 997);
	assert_int_equal(xcode_ready(x), 5);
	x = mem_deref(x);

	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_PCMU, NULL), 0);
	push_u(x, 5000, 0, 0);
	push_u(x, 100, 9999, EALREADY); /* far behind: a restart? */
	push_u(x, 101, 10159, 0);       /* confirmed */
	push_u(x, 102, 10319, 0);
	xcode_stats_get(x, &st);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.late, 1);
	assert_int_equal(xcode_ready(x), 3);
	x = mem_deref(x);
}

/* A gap longer than XCODE_CONCEAL_MAX_MS: concealed up to the limit, the
 * rest becomes a timestamp jump; a timestamp jump with no sequence gap
 * (DTX, silence suppression) is filled the same way. */
static void test_long_gap(void **state)
{
	uint8_t out[XCODE_OUT_MAX];
	struct xcode_stats st;
	struct xcode *x = NULL;
	uint32_t ts, ts0;
	size_t len, n = 0;

	(void)state;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_OPUS, NULL), 0);
	push_u(x, 1, 0, 0);
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts0), 0);
	/* 1 s lost: 49 packets. */
	push_u(x, 51, 50 * 160, 0);
	while (xcode_pull(x, out, sizeof(out), &len, &ts) == 0) {
		n++;
		/* 980 ms missing: a jump of 860 ms, 120 ms concealed, then
		 * the new packet. */
		if (n == 1)
			assert_int_equal(ts - ts0, 960 + 860 * 48);
		else
			assert_int_equal(ts - ts0, 960 * n + 860 * 48);
	}
	assert_int_equal(n, 7);
	xcode_stats_get(x, &st);
	assert_int_equal(st.lost, 49);
	assert_int_equal(st.ts_jumps, 1);
	/* DTX: next seq, timestamp 60 ms on: 40 ms filled, no loss. */
	push_u(x, 52, 50 * 160 + 160 + 2 * 160, 0);
	assert_int_equal(xcode_ready(x), 3);
	xcode_stats_get(x, &st);
	assert_int_equal(st.lost, 49);
	/* A timestamp 20 s away is a discontinuity: not filled. */
	push_u(x, 53, 3000000, 0);
	assert_int_equal(xcode_ready(x), 4);
	x = mem_deref(x);
}

/* A caller that never pulls gets EOVERFLOW once the FIFO is full. */
static void test_overflow(void **state)
{
	struct xcode_stats st;
	struct xcode *x = NULL;
	uint8_t out[XCODE_OUT_MAX];
	uint32_t ts;
	size_t len;
	uint16_t i;

	(void)state;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_OPUS, NULL), 0);
	for (i = 0; i < XCODE_FIFO_MS / 20; i++)
		push_u(x, i, i * 160u, 0);
	push_u(x, i, i * 160u, EOVERFLOW);
	xcode_stats_get(x, &st);
	assert_int_equal(st.overflow, 1);
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts), 0);
	push_u(x, i, i * 160u, 0);
	/* Too small an output buffer for Opus is a caller bug. */
	assert_int_equal(xcode_pull(x, out, 1, &len, &ts), EINVAL);
	assert_int_equal(xcode_pull(NULL, out, 1, &len, &ts), EINVAL);
	x = mem_deref(x);
}

/* Reset: a new stream, same outgoing timestamps. */
static void test_reset(void **state)
{
	uint8_t out[XCODE_OUT_MAX];
	struct xcode *x = NULL;
	uint32_t ts, ts0;
	size_t len;

	(void)state;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_OPUS, NULL), 0);
	push_u(x, 100, 0, 0);
	push_u(x, 101, 160, 0);
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts0), 0);
	xcode_reset(x);
	assert_int_equal(xcode_ready(x), 0);
	push_u(x, 7, 123456, 0); /* an earlier seq: a new stream now */
	push_u(x, 9, 123456 + 320, 0);
	assert_int_equal(xcode_ready(x), 3); /* one lost, concealed */
	assert_int_equal(xcode_pull(x, out, sizeof(out), &len, &ts), 0);
	assert_int_equal(ts - ts0, 960);
	x = mem_deref(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_opus_loss), SC_TEST(test_browser_opus_loss),
	    SC_TEST(test_g711_loss), SC_TEST(test_g711_fade),
	    SC_TEST(test_lbrr_flag), SC_TEST(test_sequence),
	    SC_TEST(test_long_gap),  SC_TEST(test_overflow),
	    SC_TEST(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
