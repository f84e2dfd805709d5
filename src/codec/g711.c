/* g711.c: G.711 mu-law and A-law (ITU-T G.711, conversion as in the
 * ITU-T G.191 reference g711.c): table-driven decode, segment search by
 * count-leading-zeros for encode. */
#include "codec/codec.h"

/* Decoded values of every code, on the 16-bit scale of G.191's
 * ulaw_expand()/alaw_expand(); generated offline from those formulas and
 * re-checked exhaustively by tests/codec/test_g711.c. */
static const int16_t ulaw_dec[256] = {
    -32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932,
    -22908, -21884, -20860, -19836, -18812, -17788, -16764, -15996, -15484,
    -14972, -14460, -13948, -13436, -12924, -12412, -11900, -11388, -10876,
    -10364, -9852,  -9340,  -8828,  -8316,  -7932,  -7676,  -7420,  -7164,
    -6908,  -6652,  -6396,  -6140,  -5884,  -5628,  -5372,  -5116,  -4860,
    -4604,  -4348,  -4092,  -3900,  -3772,  -3644,  -3516,  -3388,  -3260,
    -3132,  -3004,  -2876,  -2748,  -2620,  -2492,  -2364,  -2236,  -2108,
    -1980,  -1884,  -1820,  -1756,  -1692,  -1628,  -1564,  -1500,  -1436,
    -1372,  -1308,  -1244,  -1180,  -1116,  -1052,  -988,   -924,   -876,
    -844,   -812,   -780,   -748,   -716,   -684,   -652,   -620,   -588,
    -556,   -524,   -492,   -460,   -428,   -396,   -372,   -356,   -340,
    -324,   -308,   -292,   -276,   -260,   -244,   -228,   -212,   -196,
    -180,   -164,   -148,   -132,   -120,   -112,   -104,   -96,    -88,
    -80,    -72,    -64,    -56,    -48,    -40,    -32,    -24,    -16,
    -8,     0,      32124,  31100,  30076,  29052,  28028,  27004,  25980,
    24956,  23932,  22908,  21884,  20860,  19836,  18812,  17788,  16764,
    15996,  15484,  14972,  14460,  13948,  13436,  12924,  12412,  11900,
    11388,  10876,  10364,  9852,   9340,   8828,   8316,   7932,   7676,
    7420,   7164,   6908,   6652,   6396,   6140,   5884,   5628,   5372,
    5116,   4860,   4604,   4348,   4092,   3900,   3772,   3644,   3516,
    3388,   3260,   3132,   3004,   2876,   2748,   2620,   2492,   2364,
    2236,   2108,   1980,   1884,   1820,   1756,   1692,   1628,   1564,
    1500,   1436,   1372,   1308,   1244,   1180,   1116,   1052,   988,
    924,    876,    844,    812,    780,    748,    716,    684,    652,
    620,    588,    556,    524,    492,    460,    428,    396,    372,
    356,    340,    324,    308,    292,    276,    260,    244,    228,
    212,    196,    180,    164,    148,    132,    120,    112,    104,
    96,     88,     80,     72,     64,     56,     48,     40,     32,
    24,     16,     8,      0,
};

static const int16_t alaw_dec[256] = {
    -5504,  -5248,  -6016,  -5760,  -4480,  -4224,  -4992,  -4736,  -7552,
    -7296,  -8064,  -7808,  -6528,  -6272,  -7040,  -6784,  -2752,  -2624,
    -3008,  -2880,  -2240,  -2112,  -2496,  -2368,  -3776,  -3648,  -4032,
    -3904,  -3264,  -3136,  -3520,  -3392,  -22016, -20992, -24064, -23040,
    -17920, -16896, -19968, -18944, -30208, -29184, -32256, -31232, -26112,
    -25088, -28160, -27136, -11008, -10496, -12032, -11520, -8960,  -8448,
    -9984,  -9472,  -15104, -14592, -16128, -15616, -13056, -12544, -14080,
    -13568, -344,   -328,   -376,   -360,   -280,   -264,   -312,   -296,
    -472,   -456,   -504,   -488,   -408,   -392,   -440,   -424,   -88,
    -72,    -120,   -104,   -24,    -8,     -56,    -40,    -216,   -200,
    -248,   -232,   -152,   -136,   -184,   -168,   -1376,  -1312,  -1504,
    -1440,  -1120,  -1056,  -1248,  -1184,  -1888,  -1824,  -2016,  -1952,
    -1632,  -1568,  -1760,  -1696,  -688,   -656,   -752,   -720,   -560,
    -528,   -624,   -592,   -944,   -912,   -1008,  -976,   -816,   -784,
    -880,   -848,   5504,   5248,   6016,   5760,   4480,   4224,   4992,
    4736,   7552,   7296,   8064,   7808,   6528,   6272,   7040,   6784,
    2752,   2624,   3008,   2880,   2240,   2112,   2496,   2368,   3776,
    3648,   4032,   3904,   3264,   3136,   3520,   3392,   22016,  20992,
    24064,  23040,  17920,  16896,  19968,  18944,  30208,  29184,  32256,
    31232,  26112,  25088,  28160,  27136,  11008,  10496,  12032,  11520,
    8960,   8448,   9984,   9472,   15104,  14592,  16128,  15616,  13056,
    12544,  14080,  13568,  344,    328,    376,    360,    280,    264,
    312,    296,    472,    456,    504,    488,    408,    392,    440,
    424,    88,     72,     120,    104,    24,     8,      56,     40,
    216,    200,    248,    232,    152,    136,    184,    168,    1376,
    1312,   1504,   1440,   1120,   1056,   1248,   1184,   1888,   1824,
    2016,   1952,   1632,   1568,   1760,   1696,   688,    656,    752,
    720,    560,    528,    624,    592,    944,    912,    1008,   976,
    816,    784,    880,    848,
};

/* Number of significant bits of v (v > 0). */
static inline unsigned bit_len(uint32_t v)
{
	return 32u - (unsigned)__builtin_clz(v);
}

/*
 * mu-law (G.191 ulaw_compress): the 14-bit magnitude (one's complement for
 * negative input) plus the bias 33, clipped to 0x1fff; the segment is the
 * position of its top bit above bit 5, the mantissa the four bits below
 * it; the code is sent inverted, sign bit set for non-negative input.
 */
uint8_t g711_ulaw_enc(int16_t lin)
{
	uint32_t mag = (uint32_t)(lin < 0 ? ~lin : lin) >> 2;
	unsigned seg, mant;

	mag += G711_ULAW_BIAS;
	if (mag > G711_ULAW_CLIP)
		mag = G711_ULAW_CLIP;
	seg = bit_len(mag >> 5); /* 1..8 */
	mant = (mag >> seg) & 0x0f;
	return (uint8_t)((lin >= 0 ? 0x80 : 0x00) |
	                 (((8 - seg) << 4) | (0x0f - mant)));
}

/*
 * A-law (G.191 alaw_compress): the 12-bit magnitude (one's complement for
 * negative input); below 16 it is the code itself, else the segment is the
 * position of its top bit above bit 3 and the mantissa the four bits below
 * it; even bits are inverted (XOR 0x55), sign bit set for non-negative.
 */
uint8_t g711_alaw_enc(int16_t lin)
{
	uint32_t mag = (uint32_t)(lin < 0 ? ~lin : lin) >> 4;
	unsigned code;

	if (mag < 16) {
		code = mag;
	} else {
		unsigned top = bit_len(mag) - 1; /* 4..10 */

		code = ((top - 3) << 4) | ((mag >> (top - 4)) & 0x0f);
	}
	if (lin >= 0)
		code |= 0x80;
	return (uint8_t)(code ^ 0x55);
}

int16_t g711_ulaw_dec(uint8_t code)
{
	return ulaw_dec[code];
}

int16_t g711_alaw_dec(uint8_t code)
{
	return alaw_dec[code];
}

void g711_ulaw_encode(uint8_t *dst, const int16_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = g711_ulaw_enc(src[i]);
}

void g711_alaw_encode(uint8_t *dst, const int16_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = g711_alaw_enc(src[i]);
}

void g711_ulaw_decode(int16_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = ulaw_dec[src[i]];
}

void g711_alaw_decode(int16_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = alaw_dec[src[i]];
}
