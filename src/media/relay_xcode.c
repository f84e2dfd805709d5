/* relay_xcode.c: transcoding in the relay (Opus RFC 7587 <-> G.711 RFC
 * 3551) with codec/xcode.h: one transcoder per direction, made on the
 * worker when the negotiated codecs differ; its frames leave in the
 * outgoing leg's own SSRC and sequence space. An echo leg goes through
 * the echo's codec and back, so the echo test exercises the whole path. */
#include <errno.h>
#include <string.h>

#include "codec/xcode.h"
#include "media/media_int.h"
#include "media/srtp.h"

#define MXC_FRAMES_MAX 8 /* frames pulled per input packet */

static enum codec_id cid(enum media_codec c)
{
	switch (c) {
	case MEDIA_CODEC_OPUS:
		return CODEC_OPUS;
	case MEDIA_CODEC_PCMA:
		return CODEC_PCMA;
	default:
		return CODEC_PCMU;
	}
}

void mxcode_free(struct mxc *xc)
{
	xc->x = mem_deref(xc->x);
	xc->x2 = mem_deref(xc->x2);
}

/* The Opus complexity the worker's load allows (mload.c); without a
 * worker (tests, the fuzzer) the default. */
static int want_complexity(const struct mrelay *r)
{
	return r->w ? r->w->opus_complexity : XCODE_COMPLEXITY_DEFAULT;
}

static int ensure(struct mxc *xc, enum media_codec from, enum media_codec mid,
		  enum media_codec to, uint32_t ptime, int complexity)
{
	struct xcode_opts o;
	int err = 0;

	if (xc->x && xc->from == from && xc->mid == mid && xc->to == to &&
	    xc->ptime == ptime) {
		/* Between frames: the next one is coded at the new
		 * setting (a no-op when it is unchanged). */
		(void)xcode_set_complexity(xc->x, complexity);
		if (xc->x2)
			(void)xcode_set_complexity(xc->x2, complexity);
		return 0;
	}
	mxcode_free(xc);
	xcode_opts_default(&o);
	if (ptime)
		o.ptime_ms = ptime;
	o.opus_complexity = complexity;
	err = xcode_alloc(&xc->x, cid(from), cid(mid), &o);
	if (!err && mid != to)
		err = xcode_alloc(&xc->x2, cid(mid), cid(to), &o);
	if (err) {
		mxcode_free(xc);
		return err;
	}
	xc->from = from;
	xc->mid = mid;
	xc->to = to;
	xc->ptime = ptime;
	return 0;
}

static void emit(struct mrelay *r, int to, uint8_t *pkt, size_t plen,
		 uint32_t ts, uint64_t now_ms)
{
	struct mrelay_leg *out = &r->leg[to];
	struct rtp_hdr h;
	size_t hlen;

	memset(&h, 0, sizeof(h));
	h.pt = out->p.codec.pt;
	h.seq = (uint16_t)(out->out.last_seq + 1);
	h.ts = ts;
	h.ssrc = out->out.ssrc;
	if (rtp_hdr_encode(pkt, RTP_HEADER_SIZE, &hlen, &h))
		return;
	out->out.last_seq = h.seq;
	out->out.last_ts = ts;
	out->out.last_ms = now_ms;
	out->out.started = true;
	/* If pass-through resumes, it continues from here. */
	out->out.resync = true;
	mrelay_emit(r, to, pkt, hlen + plen,
		    RTP_HEADER_SIZE + XCODE_OUT_MAX + MSRTP_MAX_OVERHEAD, plen);
}

int mxcode_audio(struct mrelay *r, int leg, int to, const struct rtp_hdr *h,
		 uint64_t now_ms)
{
	uint8_t pkt[RTP_HEADER_SIZE + XCODE_OUT_MAX + MSRTP_MAX_OVERHEAD];
	uint8_t mid[XCODE_OUT_MAX];
	struct mrelay_leg *in = &r->leg[leg], *out = &r->leg[to];
	struct mxc *xc = &r->xc[leg];
	enum media_codec midc =
	    r->echo ? r->leg[1].p.codec.codec : out->p.codec.codec;
	size_t n, plen, i, k;
	uint32_t ts, ts2;
	int err;

	err = ensure(xc, in->p.codec.codec, midc, out->p.codec.codec,
		     out->p.ptime, want_complexity(r));
	if (err)
		return err;
	if (in->p.codec.codec == MEDIA_CODEC_OPUS &&
	    xcode_opus_is_nb(h->payload, h->payload_len))
		atomic_fetch_add_explicit(&in->st.rx_opus_nb, 1,
					  memory_order_relaxed);
	err = xcode_push(xc->x, h->payload, h->payload_len, h->seq, h->ts);
	if (err == EALREADY)
		return 0; /* late or duplicate: nothing to do, not an error */
	if (err)
		return err;
	for (i = 0; i < MXC_FRAMES_MAX; i++) {
		if (!xc->x2) {
			if (xcode_pull(xc->x, pkt + RTP_HEADER_SIZE,
				       XCODE_OUT_MAX, &plen, &ts))
				break;
			emit(r, to, pkt, plen, ts, now_ms);
			continue;
		}
		if (xcode_pull(xc->x, mid, sizeof(mid), &n, &ts))
			break;
		if (xcode_push(xc->x2, mid, n, xc->seq2++, ts))
			continue;
		for (k = 0; k < MXC_FRAMES_MAX; k++) {
			if (xcode_pull(xc->x2, pkt + RTP_HEADER_SIZE,
				       XCODE_OUT_MAX, &plen, &ts2))
				break;
			emit(r, to, pkt, plen, ts2, now_ms);
		}
	}
	/* telephone-event timestamps follow the audio they go with. */
	xc->te.from_base = h->ts;
	xc->te.to_base = out->out.last_ts;
	return 0;
}
