/* test_g711.c: G.711 against an independent, loop-based transcription of
 * the ITU-T G.191 reference conversion, exhaustively; known codes;
 * round-trip error bounds; and a speed comparison with a 16K-entry table. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "codec/codec.h"

/* G.191 ulaw_compress(), written the way the reference does it. */
static uint8_t ref_ulaw_compress(int16_t lin)
{
	int absno, segno, i, low, high;
	uint8_t out;

	absno = lin < 0 ? ((~lin) >> 2) : (lin >> 2);
	absno += 33;
	if (absno > 0x1fff)
		absno = 0x1fff;
	i = absno >> 6;
	segno = 1;
	while (i != 0) {
		segno++;
		i >>= 1;
	}
	high = 0x08 - segno;
	low = 0x0f - ((absno >> segno) & 0x0f);
	out = (uint8_t)((high << 4) | low);
	if (lin >= 0)
		out |= 0x80;
	return out;
}

static int16_t ref_ulaw_expand(uint8_t code)
{
	int sign = code < 0x80 ? -1 : 1;
	int mantissa = ~code & 0xff;
	int exponent = (mantissa >> 4) & 0x07;
	int segment = exponent + 1;
	int step;

	mantissa &= 0x0f;
	step = 4 << segment;
	return (int16_t)(sign * ((0x80 << exponent) + step * mantissa +
	                         step / 2 - 4 * 33));
}

/* G.191 alaw_compress(). */
static uint8_t ref_alaw_compress(int16_t lin)
{
	int ix, iexp;

	ix = lin < 0 ? ((~lin) >> 4) : (lin >> 4);
	if (ix > 15) {
		iexp = 1;
		while (ix > 16 + 15) {
			ix >>= 1;
			iexp++;
		}
		ix -= 16;
		ix += iexp << 4;
	}
	if (lin >= 0)
		ix |= 0x80;
	return (uint8_t)(ix ^ 0x55);
}

static int16_t ref_alaw_expand(uint8_t code)
{
	int ix = (code ^ 0x55) & 0x7f;
	int iexp = ix >> 4;
	int mant = ix & 0x0f;

	if (iexp > 0)
		mant += 16;
	mant = (mant << 4) + 0x08;
	if (iexp > 1)
		mant <<= iexp - 1;
	return (int16_t)(code > 127 ? mant : -mant);
}

static void test_exhaustive(void **state)
{
	int16_t lin[256];
	uint8_t codes[256];
	int v;

	(void)state;
	for (v = -32768; v <= 32767; v++) {
		int16_t s = (int16_t)v;

		assert_int_equal(g711_ulaw_enc(s), ref_ulaw_compress(s));
		assert_int_equal(g711_alaw_enc(s), ref_alaw_compress(s));
	}
	for (v = 0; v < 256; v++)
		codes[v] = (uint8_t)v;
	g711_ulaw_decode(lin, codes, 256);
	for (v = 0; v < 256; v++)
		assert_int_equal(lin[v], ref_ulaw_expand((uint8_t)v));
	g711_alaw_decode(lin, codes, 256);
	for (v = 0; v < 256; v++)
		assert_int_equal(lin[v], ref_alaw_expand((uint8_t)v));
}

static void test_known_values(void **state)
{
	int16_t pcm[4] = {0, 32767, -32768, -1};
	uint8_t u[4], a[4];

	(void)state;
	assert_int_equal(g711_ulaw_enc(0), G711_ULAW_ZERO);
	assert_int_equal(g711_ulaw_dec(0xff), 0);
	assert_int_equal(g711_ulaw_dec(0x7f), 0);
	assert_int_equal(g711_alaw_enc(0), G711_ALAW_ZERO);
	assert_int_equal(g711_alaw_dec(0xd5), 8);
	assert_int_equal(g711_alaw_dec(0x55), -8);
	g711_ulaw_encode(u, pcm, 4);
	g711_alaw_encode(a, pcm, 4);
	assert_int_equal(u[1], 0x80); /* positive full scale */
	assert_int_equal(u[2], 0x00); /* negative full scale */
	assert_int_equal(u[3], 0x7f); /* -1 is "negative zero" */
	assert_int_equal(a[1], 0xaa);
	assert_int_equal(a[2], 0x2a);
	assert_int_equal(g711_ulaw_dec(0x80), 32124);
	assert_int_equal(g711_ulaw_dec(0x00), -32124);
	assert_int_equal(g711_alaw_dec(0xaa), 32256);
	assert_int_equal(g711_alaw_dec(0x2a), -32256);
}

/* Decoding an encoded sample lands within half a quantisation step: the
 * step of mu-law segment e is 8 << e on the 16-bit scale, of A-law segment
 * e 16 << max(e - 1, 0); beyond the last decision level, clipping. */
static void test_round_trip(void **state)
{
	int v, umax = 0, amax = 0;

	(void)state;
	for (v = -32768; v <= 32767; v++) {
		int16_t s = (int16_t)v;
		uint8_t uc = g711_ulaw_enc(s), ac = g711_alaw_enc(s);
		int ue = abs(g711_ulaw_dec(uc) - v);
		int ae = abs(g711_alaw_dec(ac) - v);
		int useg = ((uint8_t)~uc >> 4) & 7;
		int aseg = ((ac ^ 0x55) >> 4) & 7;
		int ustep = 8 << useg, astep = 16 << (aseg ? aseg - 1 : 0);

		if (abs(v) <= 32124 + ustep / 2)
			assert_true(ue <= ustep / 2);
		else
			assert_true(ue <= abs(v) - 32124);
		if (abs(v) <= 32256 + astep / 2)
			assert_true(ae <= astep / 2);
		else
			assert_true(ae <= abs(v) - 32256 + 1);
		if (ue > umax)
			umax = ue;
		if (ae > amax)
			amax = ae;
		/* Codes re-encode to themselves. */
		assert_int_equal(g711_ulaw_enc(g711_ulaw_dec(uc)),
		                 uc == 0x7f ? 0xff : uc);
		assert_int_equal(g711_alaw_enc(g711_alaw_dec(ac)), ac);
	}
	/* Largest errors: clipping at the ends of the 16-bit range. */
	assert_int_equal(umax, 32768 - 32124);
	assert_int_equal(amax, 32768 - 32256);
}

/* Speed: the clz segment search against a 16K table indexed by the 14-bit
 * sample (the alternative the design allowed). Informational only. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_speed(void **state)
{
	enum { N = 160, ROUNDS = 2000, REPS = 9 }; /* best of REPS */
	uint8_t *table = malloc(16384), out[N];
	int16_t pcm[N];
	double t0, t1, t2, best[2] = {1e9, 1e9};
	unsigned sum = 0, r, i, rep;

	(void)state;
	assert_non_null(table);
	for (i = 0; i < 16384; i++)
		table[i] = g711_ulaw_enc((int16_t)(i << 2));
	for (i = 0; i < N; i++)
		pcm[i] = (int16_t)((i * 7919u) & 0xffff);
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_s();
		for (r = 0; r < ROUNDS; r++) {
			pcm[r % N] ^= 1;
			g711_ulaw_encode(out, pcm, N);
			sum += out[r % N];
		}
		t1 = now_s();
		for (r = 0; r < ROUNDS; r++) {
			pcm[r % N] ^= 1;
			for (i = 0; i < N; i++)
				out[i] = table[(uint16_t)pcm[i] >> 2];
			sum += out[r % N];
		}
		t2 = now_s();
		best[0] = SC_MIN(best[0], t1 - t0);
		best[1] = SC_MIN(best[1], t2 - t1);
	}
	/* Table entries match the function for the samples' top 14 bits. */
	for (i = 0; i < N; i++)
		assert_int_equal(table[(uint16_t)pcm[i] >> 2],
		                 g711_ulaw_enc((int16_t)(pcm[i] & ~3)));
	printf("g711 ulaw encode: clz %.2f ns/sample, 16K table %.2f "
	       "ns/sample (%u)\n",
	       best[0] * 1e9 / (N * ROUNDS), best[1] * 1e9 / (N * ROUNDS),
	       sum & 1);
	free(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_exhaustive),
	    SC_TEST(test_known_values),
	    SC_TEST(test_round_trip),
	    SC_TEST(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
