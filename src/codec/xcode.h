/* xcode.h: Opus <-> G.711 transcoding for the media relay (Opus RFC 6716
 * carried as in RFC 7587, G.711 as in RFC 3551 section 4.5.14), as pure
 * functions: no sockets, no threads, no clock. One struct xcode per
 * direction, used by one thread. */
#ifndef SC_XCODE_H
#define SC_XCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum codec_id { CODEC_PCMU, CODEC_PCMA, CODEC_OPUS };

/* The RTP clock rate of a codec: 8000 for PCMU and PCMA, 48000 for Opus
 * (RFC 7587 section 4.1: always 48000, whatever rate the codec runs at).
 * 0 for an unknown id. */
uint32_t codec_clock(enum codec_id c);

/* Opus runs at 8 kHz inside the transcoder: G.711 needs no resampler and
 * the codec costs 2-4x less than at 48 kHz (DESIGN.md). */
#define XCODE_RATE 8000u
#define XCODE_SAMPLES_PER_MS (XCODE_RATE / 1000u)
/* Largest payload xcode_pull() writes: one Opus packet (RFC 6716 section
 * 3.4 R2: 1275 bytes per frame; we encode one frame per packet) or 60 ms
 * of G.711 (480 bytes). An output buffer of this size always suffices. */
#define XCODE_OUT_MAX 1275u
/* Largest input payload duration (RFC 6716: an Opus packet holds at most
 * 120 ms; G.711 payloads are held to the same bound). */
#define XCODE_IN_MAX_MS 120u
/* PCM FIFO between decoder and encoder: room for the longest input
 * packet, the longest concealment and one output frame. */
#define XCODE_FIFO_MS 320u
/* A gap in the input is concealed up to this long; beyond it the output
 * timestamp jumps by the rest instead (the far end hears a gap, its
 * jitter buffer sees a timestamp jump that matches the wall clock). */
#define XCODE_CONCEAL_MAX_MS 120u
/* A gap longer than this is a discontinuity of the sender (a new stream
 * under the same SSRC), not loss or DTX: it is neither concealed nor
 * passed on as a timestamp jump. */
#define XCODE_GAP_MAX_MS 10000u
/* RFC 3550 appendix A.1: a sequence number this far behind the last one
 * is not a late packet but a restarted sender, once confirmed by the next
 * packet following it. */
#define XCODE_SEQ_MISORDER 100u

/* Output packet durations accepted: Opus frames of 10, 20, 40 or 60 ms
 * (RFC 6716 section 2.1.4; one frame per packet), G.711 any whole 10 ms
 * up to 60. */
#define XCODE_PTIME_MAX_MS 60u

struct xcode_opts {
	uint32_t ptime_ms;     /* output packet duration, default 20 */
	uint32_t opus_bitrate; /* bits/s, default 24000 (6000..510000) */
	bool opus_fec;         /* in-band FEC (LBRR): put it in what we
				  encode, use it in what we decode;
				  default on */
	int opus_complexity;   /* 0..10, default XCODE_COMPLEXITY_DEFAULT */
};

/* Defaults, see BENCHMARKS.md "Transcoding" for the complexity figure. */
#define XCODE_PTIME_DEFAULT 20u
#define XCODE_BITRATE_DEFAULT 24000u
#define XCODE_COMPLEXITY_DEFAULT 5
/* The loss rate the Opus encoder is told to expect when FEC is on: LBRR
 * frames are only produced when this is above zero. */
#define XCODE_FEC_LOSS_PERC 10

/* Fills *o with the defaults above. */
void xcode_opts_default(struct xcode_opts *o);

/* Counters of one direction (for tests and media stats). */
struct xcode_stats {
	uint64_t pushed;   /* payloads accepted */
	uint64_t bad;      /* payloads refused with EBADMSG */
	uint64_t late;     /* old or duplicate payloads (EALREADY) */
	uint64_t overflow; /* payloads refused with EOVERFLOW */
	uint64_t lost;     /* input packets missing by sequence number */
	uint64_t fec;      /* of those, rebuilt from Opus in-band FEC */
	uint64_t plc;      /* of those, concealed by Opus PLC or a G.711
			      fade (not counted: gaps over XCODE_GAP_MAX_MS,
			      which are not filled) */
	uint64_t pulled;   /* payloads produced */
	uint64_t ts_jumps; /* jumps passed on: gaps longer than
			      XCODE_CONCEAL_MAX_MS, or the sub-2.5 ms rest
			      of an Opus gap */
};

/* A decoder of `from` + an encoder of `to` + a PCM FIFO at 8 kHz. */
struct xcode;

/* Allocates a transcoder from `from` to `to` (from == to is allowed: it
 * re-packetises and conceals). o NULL means defaults. The output
 * timestamp starts at a random value. *xp is a mem_* object: release it
 * with mem_deref(). Returns 0, EINVAL (bad codec or options), ENOMEM. */
int xcode_alloc(struct xcode **xp, enum codec_id from, enum codec_id to,
		const struct xcode_opts *o);

/* One RTP payload of `from`, with its RTP sequence number and timestamp
 * (in the `from` clock). Gaps in seq are concealed: Opus uses in-band
 * FEC from this packet for the packet just before it when present
 * (opus_decode with decode_fec=1), otherwise PLC (opus_decode with NULL);
 * G.711 loss gets a short fade of the last frame, then silence. The gap's
 * length comes from the timestamps when they are plausible, else from
 * the sequence numbers times the last payload's duration. Nothing is
 * kept of payload after the call. Returns 0; EALREADY (old or duplicate:
 * seq before the next expected one; ignored); EBADMSG (undecodable or
 * empty payload; nothing changes); EOVERFLOW (payload over
 * XCODE_IN_MAX_MS, or the FIFO is full because the caller is not
 * pulling; nothing changes); EINVAL. */
int xcode_push(struct xcode *x, const uint8_t *payload, size_t len,
	       uint16_t seq, uint32_t ts);

/* One output payload of ptime_ms when enough PCM is buffered: writes
 * *lenp bytes to out (size: at least XCODE_OUT_MAX for Opus, the frame's
 * bytes for G.711) and *tsp, its
 * RTP timestamp in the `to` clock: continuous from a random start,
 * advancing by the frame duration (+160 for 20 ms G.711, +960 for 20 ms
 * Opus) even across concealed loss. Returns 0; ENODATA (not enough PCM
 * yet); EINVAL (NULL argument or size too small for the payload). */
int xcode_pull(struct xcode *x, uint8_t *out, size_t size, size_t *lenp,
	       uint32_t *tsp);

/* A new input stream (re-offer, codec change, SSRC change): codec states,
 * FIFO and sequence tracking start over; the output timestamp continues
 * where it was, so the far end sees one continuous stream. */
void xcode_reset(struct xcode *x);

/* Sets the Opus encoder's complexity (0..10, RFC 6716 section 2.1.7:
 * the same bitstream, more or less search) from the next encoded frame
 * on; the caller calls it between xcode_pull()s (the relay does when its
 * worker's load changes). A transcoder that encodes no Opus only keeps
 * the value. Returns 0 or EINVAL (NULL, out of range, or libopus refused
 * it: nothing changed). */
int xcode_set_complexity(struct xcode *x, int complexity);

/* The Opus encoder complexity in use (the option's value until
 * xcode_set_complexity()); -1 for NULL. */
int xcode_complexity(const struct xcode *x);

/* The counters so far. */
void xcode_stats_get(const struct xcode *x, struct xcode_stats *st);

/* Number of output frames (of ptime_ms) that xcode_pull() would give now. */
size_t xcode_ready(const struct xcode *x);

/* Whether an Opus packet carries LBRR (in-band FEC) data for the packet
 * before it: the LBRR flag of its first SILK frame (RFC 6716 section
 * 4.2.3, 4.2.4). false for CELT-only, DTX or malformed packets. libopus
 * 1.3 has no opus_packet_has_lbrr(). */
bool xcode_opus_has_lbrr(const uint8_t *pkt, size_t len);

/* Whether an Opus packet is coded narrowband (4 kHz audio bandwidth: TOC
 * configurations 0-3, SILK NB, and 16-19, CELT NB; RFC 6716 section
 * 3.1), what a sender honouring maxplaybackrate=8000 sends. false for an
 * empty packet. */
bool xcode_opus_is_nb(const uint8_t *pkt, size_t len);

/*
 * Test and tool helpers.
 */

/* Writes n samples of a sine of frequency hz at `rate` Hz, amplitude a
 * fraction of full scale (0..1), starting at *phase (radians) and leaving
 * *phase where the next block continues. Returns 0 or EINVAL. */
int codec_tone(int16_t *pcm, size_t n, uint32_t rate, double hz,
	       double amplitude, double *phase);

/* The power at hz in n samples (Goertzel, Hann window), relative to full
 * scale: a full-scale sine at hz gives about 1.0, one at amplitude a
 * about a*a; silence 0. Compare it at the tone and at off-tone
 * frequencies. 0 for n == 0 or a bad rate. */
double codec_goertzel(const int16_t *pcm, size_t n, uint32_t rate, double hz);

#endif
