/* test_xcode.c: the Opus <-> G.711 transcoder: tones through G.711 ->
 * Opus -> G.711 (PCMU and PCMA), exact payload sizes and timestamps
 * (RFC 7587 clock), ptime mismatch, option checks, garbage payloads. */
#include <stdlib.h>

#include "xcode_util.h"

static void test_clock_and_opts(void **state)
{
	struct xcode_opts o;
	struct xcode *x = NULL;

	(void)state;
	assert_int_equal(codec_clock(CODEC_PCMU), 8000);
	assert_int_equal(codec_clock(CODEC_PCMA), 8000);
	assert_int_equal(codec_clock(CODEC_OPUS), 48000);
	assert_int_equal(codec_clock((enum codec_id)7), 0);
	xcode_opts_default(&o);
	assert_int_equal(o.ptime_ms, 20);
	assert_int_equal(o.opus_bitrate, 24000);
	assert_true(o.opus_fec);
	assert_int_equal(o.opus_complexity, XCODE_COMPLEXITY_DEFAULT);

	/* 30 ms is no single Opus frame; fine for G.711. */
	o.ptime_ms = 30;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_OPUS, &o), EINVAL);
	assert_int_equal(xcode_alloc(&x, CODEC_OPUS, CODEC_PCMU, &o), 0);
	x = mem_deref(x);
	o.ptime_ms = 70;
	assert_int_equal(xcode_alloc(&x, CODEC_OPUS, CODEC_PCMA, &o), EINVAL);
	xcode_opts_default(&o);
	o.opus_complexity = 11;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_OPUS, &o), EINVAL);
	xcode_opts_default(&o);
	o.opus_bitrate = 5999;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_OPUS, &o), EINVAL);
	assert_int_equal(xcode_alloc(&x, (enum codec_id)9, CODEC_OPUS, NULL),
			 EINVAL);
	assert_int_equal(xcode_alloc(NULL, CODEC_PCMU, CODEC_OPUS, NULL),
			 EINVAL);
	assert_null(x);
}

/* Every allocation failing in turn gives ENOMEM and leaks nothing. */
static void test_alloc_failures(void **state)
{
	struct xcode *x = NULL;
	long i;
	int err = ENOMEM;

	(void)state;
	for (i = 0; err == ENOMEM && i < 10; i++) {
		mem_fail_after(i);
		err = xcode_alloc(&x, CODEC_OPUS, CODEC_OPUS, NULL);
		mem_fail_after(-1);
	}
	assert_int_equal(err, 0);
	assert_true(i > 2); /* the object, the decoder, the encoder */
	x = mem_deref(x);
}

static void round_trip(enum codec_id g711, double hz)
{
	struct chain *c = calloc(1, sizeof(*c));
	struct xcode_stats st;

	assert_non_null(c);
	chain_init(c, g711, 20, NULL, NULL);
	chain_run(c, 150, hz); /* 3 s */
	/* Every 20 ms in gives 20 ms out at each stage: nothing is held
	 * back beyond the current frame, nothing invented. */
	assert_int_equal(c->opus_count, 150);
	assert_int_equal(c->out_count, 150);
	chain_assert_tone(c, hz, 1000.0); /* 30 dB */
	xcode_stats_get(c->b, &st);
	assert_int_equal(st.pushed, 150);
	assert_int_equal(st.pulled, 150);
	assert_int_equal(st.lost + st.bad + st.late + st.overflow, 0);
	/* FEC is on by default: later packets carry LBRR. */
	assert_true(c->lbrr_count > 100);
	chain_close(c);
	free(c);
}

static void test_pcmu_1k(void **state)
{
	(void)state;
	round_trip(CODEC_PCMU, 1000);
}

static void test_pcmu_440(void **state)
{
	(void)state;
	round_trip(CODEC_PCMU, 440);
}

static void test_pcma_1k(void **state)
{
	(void)state;
	round_trip(CODEC_PCMA, 1000);
}

static void test_pcma_2k(void **state)
{
	(void)state;
	round_trip(CODEC_PCMA, 2000);
}

/* The tone survives at every encoder complexity (BENCHMARKS.md). */
static void test_complexities(void **state)
{
	static const int cx[] = {0, 1, 3, 8, 10};
	struct chain *c = calloc(1, sizeof(*c));
	struct xcode_opts oa;
	size_t i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < SC_ARRAY_SIZE(cx); i++) {
		xcode_opts_default(&oa);
		oa.opus_complexity = cx[i];
		chain_init(c, CODEC_PCMU, 20, &oa, NULL);
		chain_run(c, 100, 1000);
		printf("complexity %d: ", cx[i]);
		chain_assert_tone(c, 1000, 1000.0);
		chain_close(c);
	}
	free(c);
}

/* Narrowband Opus by the TOC (RFC 6716 section 3.1), and what libopus
 * codes with and without OPUS_SET_MAX_BANDWIDTH(NB) at 48 kHz. */
static void test_opus_is_nb(void **state)
{
	static const uint8_t toc[] = {0 << 3, 3 << 3, 4 << 3, 12 << 3,
				      16 << 3, 19 << 3, 20 << 3, 31 << 3};
	static const bool nb[] = {true, true, false, false,
				  true, true, false, false};
	opus_int16 pcm[960];
	uint8_t out[400];
	OpusEncoder *e;
	double phase = 0;
	size_t i;
	int err, k;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(toc); i++)
		assert_int_equal(xcode_opus_is_nb(&toc[i], 1), nb[i]);
	assert_false(xcode_opus_is_nb(toc, 0));
	assert_false(xcode_opus_is_nb(NULL, 1));
	for (k = 0; k < 2; k++) {
		opus_int32 n = 0;

		e = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
		assert_non_null(e);
		assert_int_equal(opus_encoder_ctl(e, OPUS_SET_BITRATE(32000)),
				 OPUS_OK);
		if (k)
			assert_int_equal(
			    opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(
						    OPUS_BANDWIDTH_NARROWBAND)),
			    OPUS_OK);
		for (i = 0; i < 10; i++) {
			assert_int_equal(codec_tone(pcm, 960, 48000, 1000.0,
						    0.5, &phase),
					 0);
			n = opus_encode(e, pcm, 960, out, sizeof(out));
			assert_true(n > 0);
		}
		assert_int_equal(xcode_opus_is_nb(out, (size_t)n), k == 1);
		opus_encoder_destroy(e);
	}
}

/* The complexity changes between frames of one stream (what the relay
 * does when its worker's load changes): the tone keeps coming through,
 * and bad values change nothing. */
static void test_set_complexity(void **state)
{
	static const int steps[] = {3, 1, 0, 3, 5};
	struct chain *c = calloc(1, sizeof(*c));
	struct xcode *g711;
	size_t i;

	(void)state;
	assert_non_null(c);
	chain_init(c, CODEC_PCMU, 20, NULL, NULL);
	assert_int_equal(xcode_complexity(c->a), XCODE_COMPLEXITY_DEFAULT);
	assert_int_equal(xcode_set_complexity(c->a, -1), EINVAL);
	assert_int_equal(xcode_set_complexity(c->a, 11), EINVAL);
	assert_int_equal(xcode_set_complexity(NULL, 1), EINVAL);
	assert_int_equal(xcode_complexity(NULL), -1);
	assert_int_equal(xcode_complexity(c->a), XCODE_COMPLEXITY_DEFAULT);
	chain_run(c, 40, 1000);
	for (i = 0; i < SC_ARRAY_SIZE(steps); i++) {
		assert_int_equal(xcode_set_complexity(c->a, steps[i]), 0);
		assert_int_equal(xcode_complexity(c->a), steps[i]);
		chain_run(c, 30, 1000);
	}
	chain_assert_tone(c, 1000, 1000.0);
	chain_close(c);
	free(c);
	/* no encoder: the value is kept, nothing else */
	assert_int_equal(xcode_alloc(&g711, CODEC_OPUS, CODEC_PCMU, NULL), 0);
	assert_int_equal(xcode_set_complexity(g711, 1), 0);
	assert_int_equal(xcode_complexity(g711), 1);
	mem_deref(g711);
}

/* 30 ms PCMU in, 20 ms Opus in the middle, 30 ms PCMU out. */
static void test_ptime_mismatch(void **state)
{
	struct chain *c = calloc(1, sizeof(*c));
	struct xcode_opts ob;

	(void)state;
	assert_non_null(c);
	xcode_opts_default(&ob);
	ob.ptime_ms = 30;
	chain_init(c, CODEC_PCMU, 30, NULL, &ob);
	chain_run(c, 100, 1000); /* 3 s */
	/* 3 s is 150 Opus frames and 100 PCMU frames of 30 ms (240 bytes,
	 * +240 each: checked in chain_drain_b), less what is still buffered
	 * (at most one frame of each stage). */
	assert_int_equal(c->opus_count, 150);
	assert_true(c->out_count >= 99 && c->out_count <= 100);
	assert_int_equal(c->out_n, c->out_count * 240);
	chain_assert_tone(c, 1000, 1000.0);
	chain_close(c);
	free(c);
}

/* G.711 to G.711 (PCMU -> PCMA) and 10 ms to 40 ms Opus packets. */
static void test_other_pairs(void **state)
{
	int16_t pcm[160], back[160];
	uint8_t u[160], pkt[XCODE_OUT_MAX];
	struct xcode_opts o;
	struct xcode *x = NULL, *y = NULL;
	uint32_t ts, ts0 = 0;
	double phase = 0;
	size_t len;
	unsigned i, got = 0;

	(void)state;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMU, CODEC_PCMA, NULL), 0);
	codec_tone(pcm, 160, 8000, 1000, 0.3, &phase);
	g711_ulaw_encode(u, pcm, 160);
	assert_int_equal(xcode_push(x, u, 160, 1, 0), 0);
	assert_int_equal(xcode_ready(x), 1);
	assert_int_equal(xcode_pull(x, pkt, 159, &len, &ts), EINVAL);
	assert_int_equal(xcode_pull(x, pkt, sizeof(pkt), &len, &ts), 0);
	assert_int_equal(len, 160);
	g711_alaw_decode(back, pkt, 160);
	for (i = 0; i < 160; i++) /* two quantisations, close to the input */
		assert_true(abs(back[i] - pcm[i]) < 400);
	assert_int_equal(xcode_pull(x, pkt, sizeof(pkt), &len, &ts), ENODATA);
	x = mem_deref(x);

	xcode_opts_default(&o);
	o.ptime_ms = 40;
	assert_int_equal(xcode_alloc(&x, CODEC_PCMA, CODEC_OPUS, &o), 0);
	assert_int_equal(xcode_alloc(&y, CODEC_OPUS, CODEC_PCMA, NULL), 0);
	for (i = 0; i < 20; i++) {
		uint8_t a[80];

		codec_tone(pcm, 80, 8000, 1000, 0.3, &phase);
		g711_alaw_encode(a, pcm, 80);
		assert_int_equal(xcode_push(x, a, 80, (uint16_t)i, i * 80), 0);
		while (xcode_pull(x, pkt, sizeof(pkt), &len, &ts) == 0) {
			assert_int_equal(opus_packet_get_nb_samples(
					     pkt, (opus_int32)len, 48000),
					 1920);
			if (got)
				assert_int_equal(ts - ts0, 1920);
			ts0 = ts;
			/* A 40 ms packet gives two 20 ms PCMA frames. */
			assert_int_equal(
			    xcode_push(y, pkt, len, (uint16_t)got, ts), 0);
			assert_int_equal(xcode_ready(y), 2);
			got++;
		}
		while (xcode_pull(y, pkt, sizeof(pkt), &len, &ts) == 0)
			assert_int_equal(len, 160);
	}
	assert_int_equal(got, 5);
	x = mem_deref(x);
	y = mem_deref(y);
}

/* Malformed Opus packets (RFC 6716 section 3.4) are refused with
 * EBADMSG and change nothing; G.711 payloads are only refused when
 * empty or too long. */
static void test_garbage(void **state)
{
	static const uint8_t bad[][6] = {
	    {0x03, 0x00},             /* code 3 with zero frames (R5) */
	    {0x01, 0xaa, 0xbb, 0xcc}, /* code 1, odd length (R3) */
	    {0x02, 0xfc},             /* code 2, length beyond the end (R4) */
	    {0x1b, 0x03},             /* code 3, 3 x 60 ms = 180 ms (R5) */
	    {0x03, 0x82}, /* code 3, VBR, 2 frames, no length (R6) */
	};
	static const size_t bad_len[] = {2, 4, 2, 2, 2};
	uint8_t junk[1500], out[XCODE_OUT_MAX];
	struct xcode_stats st;
	struct xcode *x = NULL;
	uint32_t ts, seed = 12345;
	size_t i, len;
	int err;

	(void)state;
	assert_int_equal(xcode_alloc(&x, CODEC_OPUS, CODEC_PCMU, NULL), 0);
	assert_int_equal(xcode_push(x, junk, 0, 1, 0), EBADMSG);
	assert_int_equal(xcode_push(x, NULL, 0, 1, 0), EBADMSG);
	assert_int_equal(xcode_push(x, NULL, 5, 1, 0), EINVAL);
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++)
		assert_int_equal(xcode_push(x, bad[i], bad_len[i], 1, 0),
				 EBADMSG);
	assert_int_equal(xcode_ready(x), 0);
	xcode_stats_get(x, &st);
	assert_int_equal(st.bad, 2 + SC_ARRAY_SIZE(bad));
	assert_int_equal(st.pushed, 0);
	/* Random bytes: decoded or refused, never a crash or a bad frame. */
	for (i = 0; i < 2000; i++) {
		size_t n = 1 + (seed = seed * 1103515245u + 12345u) % 300, k;

		for (k = 0; k < n; k++)
			junk[k] =
			    (uint8_t)((seed = seed * 1103515245u + 12345u) >>
				      16);
		err = xcode_push(x, junk, n, (uint16_t)i, (uint32_t)i * 960);
		assert_true(err == 0 || err == EBADMSG || err == EOVERFLOW);
		while (xcode_pull(x, out, sizeof(out), &len, &ts) == 0)
			assert_int_equal(len, 160);
	}
	xcode_stats_get(x, &st);
	printf("random opus: %llu decoded, %llu refused\n",
	       (unsigned long long)st.pushed, (unsigned long long)st.bad);
	assert_true(st.pushed > 0 && st.bad > 2 + SC_ARRAY_SIZE(bad));
	x = mem_deref(x);

	/* G.711: any byte decodes; empty and over 120 ms are refused. */
	assert_int_equal(xcode_alloc(&x, CODEC_PCMA, CODEC_OPUS, NULL), 0);
	assert_int_equal(xcode_push(x, junk, 0, 1, 0), EBADMSG);
	assert_int_equal(xcode_push(x, junk, 961, 1, 0), EOVERFLOW);
	assert_int_equal(xcode_push(x, junk, 960, 1, 0), 0);
	assert_int_equal(xcode_ready(x), 6);
	x = mem_deref(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_clock_and_opts), SC_TEST(test_alloc_failures),
	    SC_TEST(test_pcmu_1k),        SC_TEST(test_pcmu_440),
	    SC_TEST(test_pcma_1k),        SC_TEST(test_pcma_2k),
	    SC_TEST(test_complexities),   SC_TEST(test_ptime_mismatch),
	    SC_TEST(test_set_complexity), SC_TEST(test_opus_is_nb),
	    SC_TEST(test_other_pairs),    SC_TEST(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
