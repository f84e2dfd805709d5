/* xcode_dec.c: the transcoder's input side: payload checks, decoding of
 * Opus (RFC 6716, libopus at 8 kHz) and G.711 into the PCM FIFO, and loss
 * concealment (Opus in-band FEC and PLC, a G.711 fade). */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "codec/codec.h"
#include "codec/xcode_int.h"

/* RFC 6716 section 3.1: the TOC byte's config (top five bits) says the
 * mode: 0..11 SILK-only, 12..15 hybrid, 16..31 CELT-only. */
#define OPUS_CONFIG_HYBRID 12
#define OPUS_CONFIG_CELT 16
#define OPUS_CONFIG_NB_SILK_END 4  /* SILK NB: configurations 0-3 */
#define OPUS_CONFIG_NB_CELT_END 20 /* CELT NB: configurations 16-19 */
#define OPUS_TOC_STEREO 0x04
#define OPUS_MAX_FRAMES 48 /* RFC 6716 section 3.2.5 */

bool xcode_opus_is_nb(const uint8_t *pkt, size_t len)
{
	unsigned config;

	if (!pkt || !len)
		return false;
	config = pkt[0] >> 3;
	return config < OPUS_CONFIG_NB_SILK_END ||
	       (config >= OPUS_CONFIG_CELT && config < OPUS_CONFIG_NB_CELT_END);
}

bool xcode_opus_has_lbrr(const uint8_t *pkt, size_t len)
{
	const unsigned char *frames[OPUS_MAX_FRAMES];
	opus_int16 sizes[OPUS_MAX_FRAMES];
	unsigned char toc;
	unsigned config, ms_code, silk_frames;
	int n;

	if (!pkt || !len || len > INT32_MAX)
		return false;
	n = opus_packet_parse(pkt, (opus_int32)len, &toc, frames, sizes, NULL);
	if (n < 1 || sizes[0] < 1)
		return false;
	config = toc >> 3;
	if (config >= OPUS_CONFIG_CELT)
		return false;
	/* Frame size: SILK configs 10/20/40/60 ms by config % 4, hybrid
	 * 10/20 ms by config % 2; SILK codes 40 and 60 ms as 2 or 3 internal
	 * 20 ms frames (RFC 6716 section 4.2.2). */
	ms_code = config < OPUS_CONFIG_HYBRID ? config % 4 : config % 2;
	silk_frames = ms_code < 2 ? 1 : ms_code; /* 1, 1, 2, 3 */
	/* Section 4.2.3: the SILK layer opens with one VAD flag per internal
	 * frame, then the LBRR flag (mid channel first when stereo), each
	 * coded with probability 1/2. With the range decoder fresh (section
	 * 4.1.1) such symbols are the frame's first bits, MSB first. */
	return (frames[0][0] >> (7 - silk_frames)) & 1;
}

/* Samples (at XCODE_RATE) that a payload decodes to, checked in full
 * before anything changes: EBADMSG (undecodable, empty) or EOVERFLOW
 * (longer than XCODE_IN_MAX_MS). */
int xcode_payload_samples(const struct xcode *x, const uint8_t *p, size_t len,
			  size_t *np)
{
	const unsigned char *frames[OPUS_MAX_FRAMES];
	opus_int16 sizes[OPUS_MAX_FRAMES];
	unsigned char toc;
	int n;

	if (!len)
		return EBADMSG;
	if (x->from != CODEC_OPUS) {
		/* G.711: one byte per sample (RFC 3551 section 4.5.14). */
		if (len > XCODE_IN_MAX_SAMPLES)
			return EOVERFLOW;
		*np = len;
		return 0;
	}
	/* RFC 6716 section 3.4 R1-R7, as libopus checks them. */
	if (len > INT32_MAX || opus_packet_parse(p, (opus_int32)len, &toc,
						 frames, sizes, NULL) < 1)
		return EBADMSG;
	n = opus_packet_get_nb_samples(p, (opus_int32)len, XCODE_RATE);
	if (n < 1)
		return EBADMSG;
	if ((size_t)n > XCODE_IN_MAX_SAMPLES)
		return EOVERFLOW; /* section 3.4 R5: at most 120 ms */
	*np = (size_t)n;
	return 0;
}

/* G.711 has no concealment of its own: repeat the last frame under a
 * linear fade, then silence (never garbage, never a click at full
 * level). */
static void g711_conceal(struct xcode *x, int16_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int32_t s = 0;

		if (x->hist_n && i < XCODE_G711_FADE_SAMPLES) {
			int32_t gain = (int32_t)(XCODE_G711_FADE_SAMPLES - i);

			s = x->hist[i % x->hist_n] * gain /
			    (int32_t)XCODE_G711_FADE_SAMPLES;
		}
		out[i] = (int16_t)s;
	}
}

/* Opus PLC for n samples (a multiple of 2.5 ms). */
static void opus_plc(struct xcode *x, int16_t *out, size_t n)
{
	int r = opus_decode(x->dec, NULL, 0, out, (int)n, 0);

	/* PLC cannot fail with a valid size; never leave stale samples. */
	if (r < (int)n)
		memset(out + (r > 0 ? r : 0), 0,
		       (n - (size_t)(r > 0 ? r : 0)) * sizeof(*out));
}

/*
 * Conceals n samples (room is checked by the caller) for `pkts` lost
 * packets, just before the payload p of pn samples (already checked).
 * Opus: the last pn samples of the gap, the packet just before p, are
 * rebuilt from p's LBRR data when p has it (RFC 6716 section 2.1.7:
 * in-band FEC; LBRR covers the previous frames of p's own duration);
 * the rest is PLC. pkts 0 is a timestamp gap without loss (DTX, silence
 * suppression): PLC or silence, not counted as loss.
 */
void xcode_conceal(struct xcode *x, size_t n, size_t pkts, const uint8_t *p,
		   size_t len, size_t pn)
{
	int16_t *out = x->fifo + x->fifo_n;
	size_t fec_n = 0;

	if (!n)
		return;
	if (x->from != CODEC_OPUS) {
		g711_conceal(x, out, n);
		x->st.plc += pkts;
		goto out;
	}
	if (pkts && x->o.opus_fec && pn <= n && xcode_opus_has_lbrr(p, len))
		fec_n = pn;
	if (n > fec_n)
		opus_plc(x, out, n - fec_n);
	if (fec_n) {
		int r = opus_decode(x->dec, p, (opus_int32)len,
				    out + (n - fec_n), (int)fec_n, 1);

		if (r == (int)fec_n) {
			x->st.fec++;
			pkts--;
		} else {
			opus_plc(x, out + (n - fec_n), fec_n);
		}
	}
	x->st.plc += pkts;
out:
	x->fifo_n += n;
}

/* Decodes a checked payload of n samples into the FIFO (room checked by
 * the caller). Returns 0 or EBADMSG (libopus refused what
 * opus_packet_parse() accepted; should not happen). */
int xcode_decode(struct xcode *x, const uint8_t *p, size_t len, size_t n)
{
	int16_t *out = x->fifo + x->fifo_n;
	int r;

	switch (x->from) {
	case CODEC_PCMU:
		g711_ulaw_decode(out, p, n);
		break;
	case CODEC_PCMA:
		g711_alaw_decode(out, p, n);
		break;
	case CODEC_OPUS:
		r = opus_decode(x->dec, p, (opus_int32)len, out, (int)n, 0);
		if (r != (int)n)
			return EBADMSG;
		break;
	default:
		return EBADMSG;
	}
	if (x->from != CODEC_OPUS) {
		size_t keep = SC_MIN(n, (size_t)XCODE_G711_HIST_SAMPLES);

		memcpy(x->hist, out + (n - keep), keep * sizeof(*out));
		x->hist_n = keep;
	}
	x->fifo_n += n;
	return 0;
}
