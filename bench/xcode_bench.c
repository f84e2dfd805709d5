/* xcode_bench.c: CPU cost of the Opus <-> G.711 transcoder (codec/xcode.h)
 * per 20 ms frame, per direction and per call, at each Opus complexity,
 * next to libopus at 48 kHz (what running Opus at its native rate would
 * cost before any resampling). One core, thread CPU time, best round.
 *
 * Usage: xcode_bench [seconds per row, default 1] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opus.h>

#include "core/core.h"
#include "codec/codec.h"
#include "codec/xcode.h"

#define BENCH_FRAMES 250      /* 5 s of audio per pass */
#define BENCH_ROUNDS_MIN 3    /* at least this many passes per row */
#define FRAME_8K 160          /* 20 ms at 8 kHz */
#define FRAME_48K 960         /* 20 ms at 48 kHz */
#define BROWSER_BITRATE 32000 /* what Chrome sends for mono voice */
#define BROWSER_COMPLEXITY 10 /* Chrome's desktop default */
#define PKT_MAX 1500

struct stream {
	uint8_t pkt[BENCH_FRAMES][PKT_MAX];
	size_t len[BENCH_FRAMES];
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Speech-like test audio: voiced stretches (a gliding pitch of 90-220 Hz
 * with decaying harmonics, syllable envelope), noisy consonants and
 * pauses; deterministic. A pure tone would flatter the encoder. */
static void speech_like(int16_t *pcm, size_t n, uint32_t rate)
{
	uint32_t seed = 0x12345678;
	double ph = 0;
	size_t i;
	int h;

	for (i = 0; i < n; i++) {
		double t = (double)i / rate, syl = fmod(t, 0.25) / 0.25;
		double seg = fmod(t, 2.0),
		       f0 = 150 + 60 * sin(2 * M_PI * 0.7 * t);
		double env = sin(M_PI * syl), v = 0;

		seed = seed * 1103515245u + 12345u;
		ph += 2 * M_PI * f0 / rate;
		if (seg < 1.2) { /* voiced */
			for (h = 1; h * f0 < rate / 2.0 && h <= 20; h++)
				v += sin(h * ph) / h;
			v *= 0.25 * env;
		} else if (seg < 1.5) { /* fricative */
			v = 0.08 * ((double)(seed >> 16) / 32768.0 - 1.0);
		} /* else a pause */
		pcm[i] = (int16_t)lrint(v * 32767);
	}
}

/* µs per frame of G.711 -> Opus through xcode at one complexity. */
static double bench_enc(const uint8_t (*pcmu)[FRAME_8K], int complexity,
			double seconds, struct stream *keep)
{
	double best = 1e9, spent = 0;
	int rounds = 0;

	while (spent < seconds || rounds < BENCH_ROUNDS_MIN) {
		struct xcode_opts o;
		struct xcode *x = NULL;
		uint8_t out[XCODE_OUT_MAX];
		uint32_t ts;
		size_t len;
		double t0, t;
		int i;

		xcode_opts_default(&o);
		o.opus_complexity = complexity;
		if (xcode_alloc(&x, CODEC_PCMU, CODEC_OPUS, &o))
			abort();
		t0 = cpu_now();
		for (i = 0; i < BENCH_FRAMES; i++) {
			if (xcode_push(x, pcmu[i], FRAME_8K, (uint16_t)i,
				       (uint32_t)i * FRAME_8K) ||
			    xcode_pull(x, out, sizeof(out), &len, &ts))
				abort();
			if (keep) {
				memcpy(keep->pkt[i], out, len);
				keep->len[i] = len;
			}
		}
		t = cpu_now() - t0;
		spent += t;
		best = SC_MIN(best, t);
		rounds++;
		mem_deref(x);
	}
	return best * 1e6 / BENCH_FRAMES;
}

/* µs per frame of Opus -> G.711 through xcode. */
static double bench_dec(const struct stream *s, double seconds)
{
	double best = 1e9, spent = 0;
	int rounds = 0;

	while (spent < seconds || rounds < BENCH_ROUNDS_MIN) {
		struct xcode *x = NULL;
		uint8_t out[XCODE_OUT_MAX];
		uint32_t ts;
		size_t len;
		double t0, t;
		int i;

		if (xcode_alloc(&x, CODEC_OPUS, CODEC_PCMU, NULL))
			abort();
		t0 = cpu_now();
		for (i = 0; i < BENCH_FRAMES; i++) {
			if (xcode_push(x, s->pkt[i], s->len[i], (uint16_t)i,
				       (uint32_t)i * FRAME_48K) ||
			    xcode_pull(x, out, sizeof(out), &len, &ts))
				abort();
		}
		t = cpu_now() - t0;
		spent += t;
		best = SC_MIN(best, t);
		rounds++;
		mem_deref(x);
	}
	return best * 1e6 / BENCH_FRAMES;
}

/* libopus alone at 48 kHz: encode (keeping the packets) or decode. */
static double bench_48k(const int16_t *pcm48, struct stream *s, bool enc,
			int complexity, bool nb, double seconds)
{
	double best = 1e9, spent = 0;
	int rounds = 0, err;

	while (spent < seconds || rounds < BENCH_ROUNDS_MIN) {
		OpusEncoder *e = NULL;
		OpusDecoder *d = NULL;
		int16_t out[FRAME_48K];
		double t0, t;
		int i, r;

		if (enc) {
			e = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP,
						&err);
			opus_encoder_ctl(e, OPUS_SET_BITRATE(BROWSER_BITRATE));
			opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity));
			opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
			opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(10));
			/* what Chrome codes for maxplaybackrate=8000 */
			if (nb)
				opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(
							OPUS_BANDWIDTH_NARROWBAND));
		} else {
			d = opus_decoder_create(48000, 1, &err);
		}
		if (err != OPUS_OK)
			abort();
		t0 = cpu_now();
		for (i = 0; i < BENCH_FRAMES; i++) {
			if (enc) {
				r = opus_encode(e, pcm48 + i * FRAME_48K,
						FRAME_48K, s->pkt[i], PKT_MAX);
				s->len[i] = (size_t)r;
			} else {
				r = opus_decode(d, s->pkt[i],
						(opus_int32)s->len[i], out,
						FRAME_48K, 0);
			}
			if (r < 1)
				abort();
		}
		t = cpu_now() - t0;
		spent += t;
		best = SC_MIN(best, t);
		rounds++;
		if (e)
			opus_encoder_destroy(e);
		if (d)
			opus_decoder_destroy(d);
	}
	return best * 1e6 / BENCH_FRAMES;
}

/* How close the round trip comes to what the encoder was given: decode
 * our own Opus with a plain 8 kHz decoder, align by the best lag (the
 * codec delay), then the log-spectral distance in dB (RMS over 31 Hz
 * bins from 0 to 4 kHz of the difference of the two power spectra,
 * averaged over the 32 ms blocks that are not silence). Phase-blind, as
 * a perceptual codec is; lower is better. */
#define LAG_MAX 480
#define SKIP_FRAMES 10
#define LSD_BLOCK 256
#define LSD_FLOOR 1e-7 /* -70 dBFS: quieter bins count as equal */
static double round_trip_lsd(const uint8_t (*pcmu)[FRAME_8K],
			     const struct stream *s)
{
	static int16_t ref[BENCH_FRAMES * FRAME_8K],
	    dec[BENCH_FRAMES * FRAME_8K];
	const size_t n = BENCH_FRAMES * FRAME_8K, from = SKIP_FRAMES * FRAME_8K;
	double best_c = -1e300, sum = 0;
	OpusDecoder *d;
	size_t i, lag, best_lag = 0, blocks = 0;
	int e, k;

	d = opus_decoder_create(8000, 1, &e);
	if (!d)
		abort();
	for (i = 0; i < BENCH_FRAMES; i++) {
		g711_ulaw_decode(ref + i * FRAME_8K, pcmu[i], FRAME_8K);
		if (opus_decode(d, s->pkt[i], (opus_int32)s->len[i],
				dec + i * FRAME_8K, FRAME_8K, 0) != FRAME_8K)
			abort();
	}
	opus_decoder_destroy(d);
	for (lag = 0; lag <= LAG_MAX; lag++) {
		double c = 0;

		for (i = from; i + lag < n; i++)
			c += (double)ref[i] * dec[i + lag];
		if (c > best_c) {
			best_c = c;
			best_lag = lag;
		}
	}
	for (i = from; i + best_lag + LSD_BLOCK <= n; i += LSD_BLOCK) {
		double acc = 0, energy = 0;

		for (k = 0; k < LSD_BLOCK; k++)
			energy += (double)ref[i + k] * ref[i + k];
		if (energy < LSD_BLOCK * 100.0 * 100.0)
			continue; /* a pause */
		for (k = 1; k < LSD_BLOCK / 2; k++) {
			double hz = 8000.0 * k / LSD_BLOCK;
			double pr =
			    codec_goertzel(ref + i, LSD_BLOCK, 8000, hz);
			double pd = codec_goertzel(dec + i + best_lag,
						   LSD_BLOCK, 8000, hz);
			double db =
			    10 * log10((pr + LSD_FLOOR) / (pd + LSD_FLOOR));

			acc += db * db;
		}
		sum += sqrt(acc / (LSD_BLOCK / 2 - 1));
		blocks++;
	}
	return blocks ? sum / blocks : 0;
}

int main(int argc, char **argv)
{
	static const int cx[] = {0, 1, 3, 5, 8, 10};
	static int16_t pcm8[BENCH_FRAMES * FRAME_8K];
	static int16_t pcm48[BENCH_FRAMES * FRAME_48K];
	static uint8_t pcmu[BENCH_FRAMES][FRAME_8K];
	static struct stream browser, browser_nb, own, tmp;
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	double dec_browser, dec_browser_nb, dec_own, enc48, dec48;
	size_t i;

	if (seconds <= 0 || seconds > 60) {
		fprintf(stderr, "usage: xcode_bench [seconds per row]\n");
		return 2;
	}
	speech_like(pcm8, SC_ARRAY_SIZE(pcm8), 8000);
	speech_like(pcm48, SC_ARRAY_SIZE(pcm48), 48000);
	for (i = 0; i < BENCH_FRAMES; i++)
		g711_ulaw_encode(pcmu[i], pcm8 + i * FRAME_8K, FRAME_8K);

	/* Inputs of the Opus -> PCMU direction: what a browser sends (48 kHz,
	 * 32 kbit/s, complexity 10, FEC), and what our own encoder makes. */
	enc48 = bench_48k(pcm48, &browser, true, BROWSER_COMPLEXITY, false,
			  seconds);
	dec48 = bench_48k(NULL, &browser, false, 0, false, seconds);
	/* the same browser told maxplaybackrate=8000 (RFC 7587 6.1) */
	(void)bench_48k(pcm48, &browser_nb, true, BROWSER_COMPLEXITY, true, 0);
	(void)bench_enc((const uint8_t(*)[FRAME_8K])pcmu,
			XCODE_COMPLEXITY_DEFAULT, 0, &own);
	dec_browser = bench_dec(&browser, seconds);
	dec_browser_nb = bench_dec(&browser_nb, seconds);
	dec_own = bench_dec(&own, seconds);

	printf("xcode_bench: %d frames of 20 ms speech-like audio per pass, "
	       "best pass, thread CPU time\n\n",
	       BENCH_FRAMES);
	printf("libopus alone at 48 kHz (complexity %d, %d bit/s): encode "
	       "%.1f us, decode %.1f us per frame\n",
	       BROWSER_COMPLEXITY, BROWSER_BITRATE, enc48, dec48);
	printf("Opus -> PCMU (xcode, 8 kHz decoder): %.1f us per frame "
	       "(browser-like 48 kHz input), %.1f us (the same browser "
	       "coding narrowband for maxplaybackrate=8000), %.1f us (our "
	       "own 8 kHz Opus)\n\n",
	       dec_browser, dec_browser_nb, dec_own);
	printf("| complexity | PCMU->Opus us/frame | bytes/frame | "
	       "round-trip LSD dB | Opus->PCMU us/frame | "
	       "call (both) us/frame | transcoded calls per core | "
	       "with NB browser: call us/frame | calls per core |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < SC_ARRAY_SIZE(cx); i++) {
		double enc = bench_enc((const uint8_t(*)[FRAME_8K])pcmu, cx[i],
				       seconds, &tmp);
		double call = enc + dec_browser, call_nb = enc + dec_browser_nb;
		size_t k, bytes = 0;

		for (k = 0; k < BENCH_FRAMES; k++)
			bytes += tmp.len[k];
		printf("| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.1f | "
		       "%.0f |\n",
		       cx[i], enc, (double)bytes / BENCH_FRAMES,
		       round_trip_lsd((const uint8_t(*)[FRAME_8K])pcmu, &tmp),
		       dec_browser, call, 20000.0 / call, call_nb,
		       20000.0 / call_nb);
	}
	return 0;
}
