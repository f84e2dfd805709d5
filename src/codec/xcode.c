/* xcode.c: the Opus <-> G.711 transcoder object: options, input sequence
 * tracking (RFC 3550 appendix A.1, simplified), the 8 kHz PCM FIFO, and
 * the output side (encoding, RTP timestamps; Opus clock as in RFC 7587
 * section 4.1). */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "codec/codec.h"
#include "codec/xcode_int.h"

#define XCODE_BITRATE_MIN 6000 /* RFC 6716 section 2.1.1 */
#define XCODE_BITRATE_MAX 510000
#define XCODE_COMPLEXITY_MAX 10

uint32_t codec_clock(enum codec_id c)
{
	switch (c) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		return 8000; /* RFC 3551 section 4.5.14 */
	case CODEC_OPUS:
		return 48000; /* RFC 7587 section 4.1 */
	default:
		return 0;
	}
}

void xcode_opts_default(struct xcode_opts *o)
{
	if (!o)
		return;
	o->ptime_ms = XCODE_PTIME_DEFAULT;
	o->opus_bitrate = XCODE_BITRATE_DEFAULT;
	o->opus_fec = true;
	o->opus_complexity = XCODE_COMPLEXITY_DEFAULT;
}

static bool ptime_ok(enum codec_id to, uint32_t ms)
{
	if (to == CODEC_OPUS) /* one Opus frame per packet */
		return ms == 10 || ms == 20 || ms == 40 || ms == 60;
	return ms >= 10 && ms <= XCODE_PTIME_MAX_MS && ms % 10 == 0;
}

static bool opts_ok(enum codec_id to, const struct xcode_opts *o)
{
	return ptime_ok(to, o->ptime_ms) &&
	       o->opus_bitrate >= XCODE_BITRATE_MIN &&
	       o->opus_bitrate <= XCODE_BITRATE_MAX &&
	       o->opus_complexity >= 0 &&
	       o->opus_complexity <= XCODE_COMPLEXITY_MAX;
}

static void xcode_destructor(void *arg)
{
	struct xcode *x = arg;

	mem_deref(x->dec);
	mem_deref(x->enc);
}

/* libopus objects live in mem_* memory (opus_*_init on a block of
 * opus_*_get_size bytes), so the leak checks of the tests see them. */
static int opus_enc_alloc(struct xcode *x)
{
	const struct xcode_opts *o = &x->o;
	OpusEncoder *e;
	int r;

	e = x->enc = mem_zalloc((size_t)opus_encoder_get_size(1), NULL);
	if (!e)
		return ENOMEM;
	r = opus_encoder_init(e, XCODE_RATE, 1, OPUS_APPLICATION_VOIP);
	r |= opus_encoder_ctl(e, OPUS_SET_BITRATE((opus_int32)o->opus_bitrate));
	r |= opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(o->opus_complexity));
	r |= opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
	r |= opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(o->opus_fec ? 1 : 0));
	/* LBRR frames are only coded for an expected loss above 0. */
	r |= opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(
				     o->opus_fec ? XCODE_FEC_LOSS_PERC : 0));
	return r == OPUS_OK ? 0 : EINVAL; /* OPUS_OK is 0, errors negative */
}

static int opus_dec_alloc(struct xcode *x)
{
	x->dec = mem_zalloc((size_t)opus_decoder_get_size(1), NULL);
	if (!x->dec)
		return ENOMEM;
	if (opus_decoder_init(x->dec, XCODE_RATE, 1) != OPUS_OK)
		return EINVAL;
	return 0;
}

int xcode_alloc(struct xcode **xp, enum codec_id from, enum codec_id to,
		const struct xcode_opts *o)
{
	struct xcode *x = NULL;
	int err = 0;

	if (!xp || !codec_clock(from) || !codec_clock(to))
		return EINVAL;
	x = mem_zalloc(sizeof(*x), xcode_destructor);
	if (!x)
		return ENOMEM;
	x->from = from;
	x->to = to;
	if (o)
		x->o = *o;
	else
		xcode_opts_default(&x->o);
	if (!opts_ok(to, &x->o)) {
		err = EINVAL;
		goto out;
	}
	x->frame = x->o.ptime_ms * XCODE_SAMPLES_PER_MS;
	if (from == CODEC_OPUS && (err = opus_dec_alloc(x)))
		goto out;
	if (to == CODEC_OPUS && (err = opus_enc_alloc(x)))
		goto out;
	x->out_ts = rand_u32(); /* RFC 3550 section 5.1: random start */
out:
	if (err)
		mem_deref(x);
	else
		*xp = x;
	return err;
}

int xcode_set_complexity(struct xcode *x, int complexity)
{
	if (!x || complexity < 0 || complexity > XCODE_COMPLEXITY_MAX)
		return EINVAL;
	if (complexity == x->o.opus_complexity)
		return 0;
	if (x->enc &&
	    opus_encoder_ctl(x->enc, OPUS_SET_COMPLEXITY(complexity)) != OPUS_OK)
		return EINVAL;
	x->o.opus_complexity = complexity;
	return 0;
}

int xcode_complexity(const struct xcode *x)
{
	return x ? x->o.opus_complexity : -1;
}

void xcode_reset(struct xcode *x)
{
	if (!x)
		return;
	if (x->dec)
		opus_decoder_ctl(x->dec, OPUS_RESET_STATE);
	if (x->enc)
		opus_encoder_ctl(x->enc, OPUS_RESET_STATE);
	x->fifo_n = 0;
	x->hist_n = 0;
	x->started = false;
	x->bad_seq_set = false;
	x->last_n = 0;
	x->ts_skip = 0;
	x->skip_at = 0;
	/* out_ts is kept: the far end sees one stream. */
}

/* A sequence number before the expected one: a late or duplicate packet,
 * or (far behind and confirmed by its successor) a restarted sender.
 * Returns EALREADY, or 0 to accept seq as a new start. */
static int seq_behind(struct xcode *x, uint16_t seq, int16_t d)
{
	if (-(int32_t)d > (int32_t)XCODE_SEQ_MISORDER) {
		if (x->bad_seq_set && seq == x->bad_seq)
			return 0;
		x->bad_seq = (uint16_t)(seq + 1);
		x->bad_seq_set = true;
	}
	return EALREADY;
}

/* The length of a gap before a packet (samples at XCODE_RATE): from the
 * timestamps when they are plausible for `pkts` lost packets (each at
 * most XCODE_IN_MAX_MS), else pkts times the last payload's length. With
 * pkts 0 a forward timestamp jump is DTX or silence suppression. */
static uint64_t gap_samples(const struct xcode *x, size_t pkts, uint32_t ts)
{
	int32_t tsd = (int32_t)(ts - x->next_ts);
	uint32_t div = codec_clock(x->from) / XCODE_RATE;
	uint64_t gap = 0, from_ts = tsd > 0 ? (uint64_t)tsd / div : 0;

	if (pkts && from_ts && from_ts <= (uint64_t)pkts * XCODE_IN_MAX_SAMPLES)
		gap = from_ts;
	else if (pkts)
		gap = (uint64_t)pkts * x->last_n;
	else
		gap = from_ts;
	if (gap > (uint64_t)XCODE_GAP_MAX_MS * XCODE_SAMPLES_PER_MS)
		gap = 0; /* a discontinuity, not a gap */
	return gap;
}

int xcode_push(struct xcode *x, const uint8_t *payload, size_t len,
	       uint16_t seq, uint32_t ts)
{
	size_t n = 0, pkts = 0, conceal = 0;
	uint64_t gap = 0;
	int err;

	if (!x || (!payload && len))
		return EINVAL;
	err = xcode_payload_samples(x, payload, len, &n);
	if (err)
		goto out;
	if (x->started) {
		int16_t d = (int16_t)(seq - x->next_seq);

		if (d < 0) {
			err = seq_behind(x, seq, d);
			if (err)
				goto out;
		} else {
			pkts = (size_t)d;
			gap = gap_samples(x, pkts, ts);
		}
	}
	conceal = (size_t)SC_MIN(gap, (uint64_t)XCODE_CONCEAL_MAX_SAMPLES);
	if (x->from == CODEC_OPUS)
		conceal -= conceal % XCODE_OPUS_STEP_SAMPLES;
	if (x->fifo_n + conceal + n > XCODE_FIFO_SAMPLES) {
		err = EOVERFLOW;
		goto out;
	}
	/* The gap is [jump][concealed][payload]: what FEC rebuilds is the
	 * packet right before this one. */
	if (gap > conceal) {
		if (!x->ts_skip)
			x->skip_at = x->fifo_n;
		x->ts_skip += gap - conceal;
		x->st.ts_jumps++;
	}
	xcode_conceal(x, conceal, pkts, payload, len, n);
	x->st.lost += pkts;
	x->started = true;
	x->bad_seq_set = false;
	x->next_seq = (uint16_t)(seq + 1);
	x->next_ts = ts + (uint32_t)(n * (codec_clock(x->from) / XCODE_RATE));
	x->last_n = n;
	err = xcode_decode(x, payload, len, n);
out:
	switch (err) {
	case 0:
		x->st.pushed++;
		break;
	case EALREADY:
		x->st.late++;
		break;
	case EBADMSG:
		x->st.bad++;
		break;
	case EOVERFLOW:
		x->st.overflow++;
		break;
	default:
		break;
	}
	return err;
}

int xcode_pull(struct xcode *x, uint8_t *out, size_t size, size_t *lenp,
	       uint32_t *tsp)
{
	uint64_t skip = 0;
	uint32_t mul;
	size_t len = 0;
	int r, err = 0;

	if (!x || !out || !lenp || !tsp)
		return EINVAL;
	if (x->fifo_n < x->frame)
		return ENODATA;
	switch (x->to) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		if (size < x->frame) {
			err = EINVAL;
			goto out;
		}
		if (x->to == CODEC_PCMU)
			g711_ulaw_encode(out, x->fifo, x->frame);
		else
			g711_alaw_encode(out, x->fifo, x->frame);
		len = x->frame;
		break;
	case CODEC_OPUS:
		/* Smaller buffers make libopus cut quality or send a bare
		 * TOC byte: a caller bug, not a choice. */
		if (size < XCODE_OUT_MAX) {
			err = EINVAL;
			goto out;
		}
		r = opus_encode(x->enc, x->fifo, (int)x->frame, out,
				(opus_int32)XCODE_OUT_MAX);
		if (r < 1) { /* OPUS_BUFFER_TOO_SMALL */
			err = EINVAL;
			goto out;
		}
		len = (size_t)r;
		break;
	default:
		err = EINVAL;
		goto out;
	}
	/* RTP timestamps in the `to` clock: 1 or 6 ticks per 8 kHz sample. */
	mul = codec_clock(x->to) / XCODE_RATE;
	if (x->ts_skip && x->skip_at < x->frame) {
		/* The jump is at or inside this frame: it starts late. */
		skip = x->ts_skip;
		x->ts_skip = 0;
	} else if (x->ts_skip) {
		x->skip_at -= x->frame;
	}
	*tsp = x->out_ts + (uint32_t)(skip * mul);
	x->out_ts = *tsp + (uint32_t)(x->frame * mul);
	*lenp = len;
	x->fifo_n -= x->frame;
	memmove(x->fifo, x->fifo + x->frame, x->fifo_n * sizeof(x->fifo[0]));
	x->st.pulled++;
out:
	return err;
}

size_t xcode_ready(const struct xcode *x)
{
	return x ? x->fifo_n / x->frame : 0;
}

void xcode_stats_get(const struct xcode *x, struct xcode_stats *st)
{
	if (!x || !st)
		return;
	*st = x->st;
}
