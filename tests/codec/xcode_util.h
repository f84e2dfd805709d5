/* xcode_util.h: a two-stage transcoding chain for the xcode tests:
 * G.711 payloads of a tone -> xcode a (G.711 -> Opus) -> Opus packets
 * (optionally dropped) -> xcode b (Opus -> G.711) -> decoded PCM, with
 * the payload sizes and RTP timestamps of both stages checked on the way. */
#ifndef SC_TEST_XCODE_UTIL_H
#define SC_TEST_XCODE_UTIL_H

#include <errno.h>
#include <math.h>
#include <string.h>

#include <opus.h>

#include "testutil.h"
#include "codec/codec.h"
#include "codec/xcode.h"

#define CHAIN_MAX_SAMPLES (8000 * 10) /* 10 s of output */
#define CHAIN_AMPLITUDE 0.5
/* After this much output the codec delay and the encoder's start-up are
 * over: the tone is measured from here on. */
#define CHAIN_SETTLE_SAMPLES 1600

struct chain {
	enum codec_id g711;
	struct xcode *a, *b;
	OpusDecoder *check48; /* a fresh 48 kHz decoder checks a's output */
	uint32_t in_ptime_ms;
	unsigned drop_in_every;   /* drop every n-th G.711 payload into a */
	unsigned drop_opus_every; /* drop every n-th Opus packet into b */
	uint16_t seq_in, seq_opus;
	uint32_t ts_in;
	double phase;
	bool have_ts_a, have_ts_b;
	uint32_t ts_a, ts_b;
	unsigned in_count, opus_count, out_count, lbrr_count;
	int16_t out[CHAIN_MAX_SAMPLES];
	size_t out_n;
};

static inline void chain_init(struct chain *c, enum codec_id g711,
			      uint32_t in_ptime_ms, const struct xcode_opts *oa,
			      const struct xcode_opts *ob)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->g711 = g711;
	c->in_ptime_ms = in_ptime_ms;
	c->seq_in = 65500; /* wraps during the test */
	c->ts_in = 0xfffff000u;
	assert_int_equal(xcode_alloc(&c->a, g711, CODEC_OPUS, oa), 0);
	assert_int_equal(xcode_alloc(&c->b, CODEC_OPUS, g711, ob), 0);
	c->check48 = opus_decoder_create(48000, 1, &err);
	assert_non_null(c->check48);
}

static inline void chain_close(struct chain *c)
{
	c->a = mem_deref(c->a);
	c->b = mem_deref(c->b);
	opus_decoder_destroy(c->check48);
}

/* Everything b has ready goes to the output, checked. */
static inline void chain_drain_b(struct chain *c)
{
	uint8_t pkt[XCODE_OUT_MAX];
	uint32_t ts, step = 0;
	size_t len;

	while (xcode_pull(c->b, pkt, sizeof(pkt), &len, &ts) == 0) {
		step = len; /* G.711: one byte per sample, clock 8000 */
		assert_true(len >= 80 && len <= 480 && len % 80 == 0);
		if (c->have_ts_b)
			assert_int_equal((uint32_t)(ts - c->ts_b),
					 (uint32_t)len);
		c->ts_b = ts;
		c->have_ts_b = true;
		assert_true(c->out_n + len <= CHAIN_MAX_SAMPLES);
		if (c->g711 == CODEC_PCMU)
			g711_ulaw_decode(c->out + c->out_n, pkt, len);
		else
			g711_alaw_decode(c->out + c->out_n, pkt, len);
		c->out_n += len;
		c->out_count++;
	}
	(void)step;
}

/* Everything a has ready: checked, decoded by the 48 kHz decoder, and
 * (unless dropped) pushed into b. */
static inline void chain_drain_a(struct chain *c)
{
	uint8_t pkt[XCODE_OUT_MAX];
	int16_t pcm48[5760];
	uint32_t ts;
	size_t len;

	while (xcode_pull(c->a, pkt, sizeof(pkt), &len, &ts) == 0) {
		assert_true(len > 0 && len <= XCODE_OUT_MAX);
		if (c->have_ts_a)
			assert_int_equal((uint32_t)(ts - c->ts_a), 960u);
		c->ts_a = ts;
		c->have_ts_a = true;
		/* 20 ms at 48 kHz whatever rate we encode at (RFC 7587). */
		assert_int_equal(opus_decode(c->check48, pkt, (opus_int32)len,
					     pcm48, 5760, 0),
				 960);
		if (xcode_opus_has_lbrr(pkt, len))
			c->lbrr_count++;
		c->opus_count++;
		if (c->drop_opus_every &&
		    c->opus_count % c->drop_opus_every == 0) {
			c->seq_opus++;
			continue;
		}
		assert_int_equal(xcode_push(c->b, pkt, len, c->seq_opus++, ts),
				 0);
		chain_drain_b(c);
	}
}

/* n input packets of a tone at hz. */
static inline void chain_run(struct chain *c, unsigned n, double hz)
{
	const size_t spp = c->in_ptime_ms * 8;
	int16_t pcm[480];
	uint8_t pay[480];
	unsigned i;

	assert_true(spp <= SC_ARRAY_SIZE(pcm));
	for (i = 0; i < n; i++) {
		assert_int_equal(
		    codec_tone(pcm, spp, 8000, hz, CHAIN_AMPLITUDE, &c->phase),
		    0);
		if (c->g711 == CODEC_PCMU)
			g711_ulaw_encode(pay, pcm, spp);
		else
			g711_alaw_encode(pay, pcm, spp);
		c->in_count++;
		if (!c->drop_in_every || c->in_count % c->drop_in_every) {
			assert_int_equal(
			    xcode_push(c->a, pay, spp, c->seq_in, c->ts_in), 0);
		}
		c->seq_in++;
		c->ts_in += (uint32_t)spp;
		chain_drain_a(c);
	}
}

/* The tone at hz dominates the settled output: its power is near the
 * input's and at least `ratio` times that at each off-tone frequency. */
static inline void chain_assert_tone(const struct chain *c, double hz,
				     double ratio)
{
	static const double off[] = {300, 500, 700, 1300, 1700, 2300, 3100};
	const int16_t *p = c->out + CHAIN_SETTLE_SAMPLES;
	size_t n, i;
	double pt, worst = 0;

	assert_true(c->out_n > CHAIN_SETTLE_SAMPLES + 1600);
	n = c->out_n - CHAIN_SETTLE_SAMPLES;
	pt = codec_goertzel(p, n, 8000, hz);
	for (i = 0; i < SC_ARRAY_SIZE(off); i++) {
		double po;

		if (off[i] > hz * 0.8 && off[i] < hz * 1.25)
			continue;
		po = codec_goertzel(p, n, 8000, off[i]);
		if (po > worst)
			worst = po;
	}
	printf("tone %.0f Hz: power %.4f (in %.4f), worst off-tone %.2e, "
	       "ratio %.0f dB\n",
	       hz, pt, CHAIN_AMPLITUDE * CHAIN_AMPLITUDE, worst,
	       worst > 0 ? 10 * log10(pt / worst) : 999.0);
	assert_true(pt > CHAIN_AMPLITUDE * CHAIN_AMPLITUDE * 0.5);
	assert_true(pt < CHAIN_AMPLITUDE * CHAIN_AMPLITUDE * 2.0);
	assert_true(pt > worst * ratio);
}

#endif
