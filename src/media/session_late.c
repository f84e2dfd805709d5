/* session_late.c: an offer for a leg whose peer made none (a late-offer
 * INVITE, RFC 3261 §13.2.1; RFC 3264 §5): the session takes the silent
 * leg's place as offerer with every codec of that leg's configuration. */
#include <errno.h>
#include <string.h>

#include "media/session_int.h"

#define LATE_SDP_MAX 512 /* the stand-in description below */

static uint8_t late_pt(enum media_codec c)
{
	switch (c) {
	case MEDIA_CODEC_PCMU: return 0;
	case MEDIA_CODEC_PCMA: return 8;
	default: return MSESS_PT_OPUS;
	}
}

/* What leg `from` would offer if it could: its codecs (all three when its
 * configuration names none), telephone-event at 8 kHz, and no address
 * (c=0.0.0.0, RFC 3264 §8.4): nothing is sent to it until it answers. */
static int late_sdp(struct mbuf *mb, const struct media_leg_conf *c)
{
	static const enum media_codec all[] = {
		MEDIA_CODEC_OPUS, MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA,
	};
	const enum media_codec *v = c->codecc ? c->codecv : all;
	size_t i, n = c->codecc ? c->codecc : SC_ARRAY_SIZE(all);
	int err;

	err = mbuf_write_str(mb, "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\n"
				 "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
				 "m=audio 9 RTP/AVP");
	for (i = 0; !err && i < n; i++)
		err = mbuf_printf(mb, " %u", late_pt(v[i]));
	err = err ? err : mbuf_printf(mb, " %u\r\n", MSESS_PT_TE8K);
	for (i = 0; !err && i < n; i++)
		err = mbuf_printf(mb, "a=rtpmap:%u %s/%s\r\n", late_pt(v[i]),
				  media_codec_name(v[i]),
				  v[i] == MEDIA_CODEC_OPUS ? "48000/2" : "8000");
	return err ? err
		   : mbuf_printf(mb, "a=rtpmap:%u telephone-event/8000\r\n"
				     "a=fmtp:%u 0-16\r\na=sendrecv\r\n",
				 MSESS_PT_TE8K, MSESS_PT_TE8K);
}

/*
 * Leg `from` made no offer: writes into *sdpp the offer for the other leg,
 * as media_offer() would for an offer of every codec `from` is configured
 * with. `from` must speak plain RTP (MEDIA_RTP; ENOTSUP otherwise: SRTP
 * and WebRTC need the peer's keys or credentials first). Its real
 * description comes later as its answer to an offer the other leg's
 * answer makes (media_offer() from the other leg, then media_answer()
 * from this one). Errors: see media.h.
 */
int media_offer_local(struct media_session *ms, enum media_leg_id from,
		      struct mbuf **sdpp)
{
	struct mbuf *mb = NULL;
	struct pl pl;
	int err;

	if (!ms || (from != MEDIA_LEG_A && from != MEDIA_LEG_B) || !sdpp)
		return EINVAL;
	if (ms->leg[from].conf.kind != MEDIA_RTP)
		return ENOTSUP;
	err = mbuf_alloc(&mb, LATE_SDP_MAX);
	err = err ? err : late_sdp(mb, &ms->leg[from].conf);
	if (!err) {
		pl.p = (const char *)mb->buf;
		pl.l = mb->end;
		err = media_offer(ms, from, &pl, sdpp);
	}
	mem_deref(mb);
	return err;
}
