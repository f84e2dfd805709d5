/* xcode.c: fuzz target for the Opus <-> G.711 transcoder (codec/xcode.h):
 * arbitrary payloads, sequence numbers and timestamps pushed into
 * Opus -> G.711 and G.711 -> Opus, everything pulled and checked, and the
 * Opus the second one makes fed to a third (real packets, FEC on loss).
 *
 * Input: one option byte (bit 0 FEC off, bits 1-2 Opus ptime 10/20/40/60
 * ms, bit 3 PCMA, bit 4 G.711 ptime 30 ms), then records of two header
 * bytes and a payload: [len][ctl][len bytes]. ctl bits 0-2: sequence step
 * minus one (0 = duplicate); bits 3-6: timestamp step in 20 ms units
 * (0: one payload's worth); bit 7: reset all first. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"
#include "codec/xcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct lane {
	struct xcode *x;
	enum codec_id to;
	uint32_t ptime_ms;
	bool have_ts;
	uint32_t ts;
};

static void check_err(int err)
{
	if (err != 0 && err != EALREADY && err != EBADMSG && err != EOVERFLOW)
		__builtin_trap();
}

/* Pulls everything; each payload: the right size, timestamps continuous
 * unless the transcoder reported a jump. Returns the number pulled and
 * hands Opus output to `next` when given. */
static void drain(struct lane *l, struct lane *next, uint16_t *seq)
{
	uint8_t out[XCODE_OUT_MAX];
	struct xcode_stats st;
	uint32_t ts, step;
	size_t len;
	int err;

	step = l->ptime_ms * (codec_clock(l->to) / 1000);
	while ((err = xcode_pull(l->x, out, sizeof(out), &len, &ts)) == 0) {
		if (!len || len > XCODE_OUT_MAX)
			__builtin_trap();
		if (l->to != CODEC_OPUS && len != l->ptime_ms * 8)
			__builtin_trap();
		xcode_stats_get(l->x, &st);
		if (l->have_ts && ts - l->ts != step && !st.ts_jumps)
			__builtin_trap();
		l->ts = ts;
		l->have_ts = true;
		if (next) {
			check_err(xcode_push(next->x, out, len, *seq, ts));
			(*seq)++;
			drain(next, NULL, NULL);
		}
	}
	if (err != ENODATA)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t opus_ptime[] = {10, 20, 40, 60};
	struct lane dec = {0}, enc = {0}, back = {0};
	struct xcode_opts oo, og;
	enum codec_id g711;
	uint16_t seq = 1000, seq_back = 7;
	uint32_t ts_opus = 0, ts_g711 = 0;
	size_t pos = 1;

	if (size < 1)
		return 0;
	xcode_opts_default(&oo);
	xcode_opts_default(&og);
	oo.opus_fec = og.opus_fec = !(data[0] & 1);
	oo.ptime_ms = opus_ptime[(data[0] >> 1) & 3];
	g711 = data[0] & 8 ? CODEC_PCMA : CODEC_PCMU;
	og.ptime_ms = data[0] & 16 ? 30 : 20;
	oo.opus_complexity = 1; /* fast: the paths are the same */
	dec.to = g711;
	dec.ptime_ms = og.ptime_ms;
	enc.to = CODEC_OPUS;
	enc.ptime_ms = oo.ptime_ms;
	back.to = g711;
	back.ptime_ms = og.ptime_ms;
	if (xcode_alloc(&dec.x, CODEC_OPUS, g711, &og) ||
	    xcode_alloc(&enc.x, g711, CODEC_OPUS, &oo) ||
	    xcode_alloc(&back.x, CODEC_OPUS, g711, &og))
		goto out;
	while (pos + 2 <= size) {
		size_t len = SC_MIN((size_t)data[pos], size - pos - 2);
		uint8_t ctl = data[pos + 1];
		const uint8_t *p = data + pos + 2;
		uint32_t tstep = (ctl >> 3) & 15;

		pos += 2 + len;
		if (ctl & 0x80) {
			xcode_reset(dec.x);
			xcode_reset(enc.x);
			xcode_reset(back.x);
		}
		seq = (uint16_t)(seq + (ctl & 7));
		ts_opus += tstep ? tstep * 960 : 960;
		ts_g711 += tstep ? tstep * 160 : (uint32_t)len;
		check_err(xcode_push(dec.x, p, len, seq, ts_opus));
		drain(&dec, NULL, NULL);
		check_err(xcode_push(enc.x, p, len, seq, ts_g711));
		drain(&enc, &back, &seq_back);
	}
out:
	mem_deref(dec.x);
	mem_deref(enc.x);
	mem_deref(back.x);
	return 0;
}
