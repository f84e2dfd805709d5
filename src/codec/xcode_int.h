/* xcode_int.h: the transcoder's state, shared by xcode.c (object, sequence
 * tracking, FIFO, encoding) and xcode_dec.c (decoding and concealment).
 * Not a public header. */
#ifndef SC_XCODE_INT_H
#define SC_XCODE_INT_H

#include <opus.h>

#include "codec/xcode.h"

#define XCODE_FIFO_SAMPLES (XCODE_FIFO_MS * XCODE_SAMPLES_PER_MS)
#define XCODE_IN_MAX_SAMPLES (XCODE_IN_MAX_MS * XCODE_SAMPLES_PER_MS)
#define XCODE_CONCEAL_MAX_SAMPLES (XCODE_CONCEAL_MAX_MS * XCODE_SAMPLES_PER_MS)
/* Opus decodes and conceals in whole 2.5 ms steps (RFC 6716 section
 * 2.1.4; opus_decode() wants frame_size a multiple of 2.5 ms for PLC and
 * FEC). */
#define XCODE_OPUS_STEP_SAMPLES (XCODE_RATE / 400u)
/* G.711 loss: the last frame (up to this long) is repeated under a linear
 * fade to zero of this length, then silence. */
#define XCODE_G711_HIST_SAMPLES (20u * XCODE_SAMPLES_PER_MS)
#define XCODE_G711_FADE_SAMPLES (20u * XCODE_SAMPLES_PER_MS)

struct xcode {
	enum codec_id from;
	enum codec_id to;
	struct xcode_opts o;
	OpusDecoder *dec; /* from == CODEC_OPUS: mem_* memory */
	OpusEncoder *enc; /* to == CODEC_OPUS: mem_* memory */
	size_t frame;     /* output frame, samples at XCODE_RATE */

	int16_t fifo[XCODE_FIFO_SAMPLES]; /* decoded, not yet encoded */
	size_t fifo_n;
	int16_t hist[XCODE_G711_HIST_SAMPLES]; /* G.711: last samples */
	size_t hist_n;

	/* Input sequence (RFC 3550 appendix A.1, simplified). */
	bool started;
	uint16_t next_seq; /* expected next sequence number */
	uint32_t next_ts;  /* expected next timestamp, `from` clock */
	size_t last_n;     /* samples in the last payload */
	bool bad_seq_set;  /* a far-behind packet waits for confirmation */
	uint16_t bad_seq;  /* ... by a packet with this number */

	/* Output. */
	uint32_t out_ts;  /* timestamp of the next payload, `to` clock */
	uint64_t ts_skip; /* unconcealed gap to add, samples at XCODE_RATE */
	size_t skip_at;   /* ... where it is in the FIFO */

	struct xcode_stats st;
};

/* xcode_dec.c */
int xcode_payload_samples(const struct xcode *x, const uint8_t *p, size_t len,
			  size_t *np);
void xcode_conceal(struct xcode *x, size_t n, size_t pkts, const uint8_t *p,
		   size_t len, size_t pn);
int xcode_decode(struct xcode *x, const uint8_t *p, size_t len, size_t n);

#endif
