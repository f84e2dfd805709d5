/* session_offer.c: offers the session makes on its own (RFC 3264 §8).
 *
 * An offer for a leg whose peer made none (a late-offer INVITE, RFC 3261 §13.2.1; RFC 3264 §5): the session takes the silent
 * leg's place as offerer with every codec of that leg's configuration,
 * for RTP, SDES-SRTP (RFC 4568) and DTLS-SRTP (RFC 5763) legs alike. */
#include <errno.h>
#include <string.h>

#include "media/session_int.h"

#define LATE_SDP_MAX 1024 /* the stand-in description below */
#define LATE_FP_BYTES 32  /* a sha-256 fingerprint */
/* 30 zero bytes (AES_CM_128 key and salt) and an RFC 8839 §5.4 ice-pwd of
 * 22 characters: syntax only, never used (msess_leg.late). */
#define LATE_KEY_B64 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define LATE_ICE_PWD "latelatelatelatelate00"

static uint8_t late_pt(enum media_codec c)
{
	switch (c) {
	case MEDIA_CODEC_PCMU: return 0;
	case MEDIA_CODEC_PCMA: return 8;
	default: return MSESS_PT_OPUS;
	}
}

/* The transport of a stand-in offer, and what its kind needs to pass as
 * an offer (session_sdp.c proto_check): an a=crypto line (RFC 4568), or
 * ICE credentials, a fingerprint and rtcp-mux (RFC 8839, RFC 8842). The
 * key and fingerprint are placeholders that are never used: the leg is
 * marked late, and its real values come in its answer to our offer. */
static const char *late_proto(enum media_kind kind)
{
	switch (kind) {
	case MEDIA_SRTP: return "RTP/SAVP";
	case MEDIA_WEBRTC: return "UDP/TLS/RTP/SAVPF";
	default: return "RTP/AVP";
	}
}

static int late_attrs(struct mbuf *mb, enum media_kind kind)
{
	size_t i;
	int err = 0;

	switch (kind) {
	case MEDIA_SRTP:
		return mbuf_printf(mb, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				       "inline:%s\r\n",
				   LATE_KEY_B64);
	case MEDIA_WEBRTC:
		err = mbuf_write_str(mb, "a=rtcp-mux\r\na=ice-ufrag:late\r\n"
					 "a=ice-pwd:" LATE_ICE_PWD "\r\n"
					 "a=setup:actpass\r\na=mid:0\r\n"
					 "a=fingerprint:sha-256 00");
		for (i = 1; !err && i < LATE_FP_BYTES; i++)
			err = mbuf_write_str(mb, ":00");
		return err ? err : mbuf_write_str(mb, "\r\n");
	default:
		return 0;
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

	err = mbuf_printf(mb, "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\n"
			      "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
			      "m=audio 9 %s",
			  late_proto(c->kind));
	for (i = 0; !err && i < n; i++)
		err = mbuf_printf(mb, " %u", late_pt(v[i]));
	err = err ? err : mbuf_printf(mb, " %u\r\n", MSESS_PT_TE8K);
	for (i = 0; !err && i < n; i++)
		err = mbuf_printf(mb, "a=rtpmap:%u %s/%s\r\n", late_pt(v[i]),
				  media_codec_name(v[i]),
				  v[i] == MEDIA_CODEC_OPUS ? "48000/2" : "8000");
	err = err ? err
		  : mbuf_printf(mb, "a=rtpmap:%u telephone-event/8000\r\n"
				    "a=fmtp:%u 0-16\r\na=sendrecv\r\n",
				MSESS_PT_TE8K, MSESS_PT_TE8K);
	return err ? err : late_attrs(mb, c->kind);
}

/*
 * Leg `from` made no offer: writes into *sdpp the offer for the other leg,
 * as media_offer() would for an offer of every codec `from` is configured
 * with. Its real description comes later as its answer to an offer the
 * other leg's answer makes (media_offer() from the other leg, then
 * media_answer() from this one); until then `from` is late: the other
 * leg's answer commits it inactive, without SRTP keys or a DTLS
 * connection (SRTP and WebRTC need the peer's keys, fingerprint and
 * a=setup, which only its answer brings). Errors: see media.h.
 */
int media_offer_local(struct media_session *ms, enum media_leg_id from,
		      struct mbuf **sdpp)
{
	struct mbuf *mb = NULL;
	struct pl pl;
	int err;

	if (!ms || (from != MEDIA_LEG_A && from != MEDIA_LEG_B) || !sdpp)
		return EINVAL;
	if (ms->leg[from].conf.kind != MEDIA_RTP &&
	    ms->leg[from].conf.kind != MEDIA_SRTP &&
	    ms->leg[from].conf.kind != MEDIA_WEBRTC)
		return ENOTSUP;
	err = mbuf_alloc(&mb, LATE_SDP_MAX);
	err = err ? err : late_sdp(mb, &ms->leg[from].conf);
	if (!err) {
		pl.p = (const char *)mb->buf;
		pl.l = mb->end;
		err = media_offer(ms, from, &pl, sdpp);
	}
	if (!err)
		ms->leg[from].late = true;
	mem_deref(mb);
	return err;
}

/* The answer to an offer-less re-INVITE (RFC 3261 §14.1, RFC 3264 §5:
 * the UAS offers in its 2xx, the ACK answers), and the withdrawal of an
 * offer the peer refused (a non-2xx to a re-INVITE leaves the session as
 * it was, RFC 3261 §14.1). */
#define REOFFER_SDP_MAX 4096 /* the other leg's description, re-encoded */

/* x's last description cut down to the codec x uses now (and its
 * telephone-events): x is not asked anything, so whatever `to` picks, x
 * must keep sending and receiving that codec (transcoded when `to` takes
 * another one). */
static void current_only(struct sdp_audio *d, const struct msess_leg *x)
{
	size_t i, n = 0;

	for (i = 0; i < d->codecc; i++) {
		if (d->codecv[i].pt != x->params.codec.pt &&
		    !sdp_codec_is_tel_event(&d->codecv[i]))
			continue;
		if (n != i)
			d->codecv[n] = d->codecv[i];
		n++;
	}
	d->codecc = n;
}

/*
 * Leg `to` asked for an offer without making one (a re-INVITE without
 * SDP): writes into *sdpp a fresh offer for it, made as if the other leg
 * had offered its last description again (its last offer or answer),
 * with the codec it uses now: the same direction and transport parameters
 * as now, and that codec first (then what `to` may have transcoded), so
 * that nothing changes unless `to` answers differently. Our o= line for
 * `to` keeps its session id, and its version moves by one (RFC 3264 §8).
 * Then `to` answers
 * with media_answer(ms, to, ...); the answer that call writes for the
 * other leg is the session's own business (the other leg asked for
 * nothing and keeps its codec). Errors: EINVAL, EPROTO (an offer pending,
 * or no answer yet), ENOTSUP (the other leg is MEDIA_ECHO), ENOMEM, and
 * those of media_offer().
 */
int media_reoffer(struct media_session *ms, enum media_leg_id to,
		  struct mbuf **sdpp)
{
	struct sdp_audio *d = NULL;
	struct msess_leg *x;
	struct sdp_origin org;
	struct mbuf *mb = NULL;
	struct pl pl;
	int from, err;

	if (!ms || !ms->open || (to != MEDIA_LEG_A && to != MEDIA_LEG_B) ||
	    !sdpp)
		return EINVAL;
	from = 1 - (int)to;
	x = &ms->leg[from];
	if (ms->offer_from >= 0 || !x->have_remote || !ms->start_ms)
		return EPROTO;
	if (x->conf.kind == MEDIA_ECHO)
		return ENOTSUP;
	memset(&org, 0, sizeof(org));
	org.sess_id = 1;
	org.sess_ver = 1;
	org.addr = x->remote.addr;
	if (!sa_isset(&org.addr))
		org.addr = ms->me->conf.advertise;
	/* (struct sdp_audio is ~7 KB: on the heap) */
	d = mem_alloc(sizeof(*d), NULL);
	err = d ? mbuf_alloc(&mb, REOFFER_SDP_MAX) : ENOMEM;
	if (!err) {
		*d = x->remote;
		current_only(d, x);
		/* what x said last, written out again as its offer:
		 * media_offer() reads it like any other (x's SDES keys are
		 * in it: wiped below) */
		err = sdp_audio_encode(mb, &org, d, NULL, 0);
	}
	if (!err) {
		pl.p = (const char *)mb->buf;
		pl.l = mb->end;
		/* a new offer, even when it says what the last one said: its
		 * o= version moves (some peers skip an SDP whose version did
		 * not, RFC 3264 §8 allows both) */
		msess_sdp_forget(&ms->leg[to]);
		err = media_offer(ms, (enum media_leg_id)from, &pl, sdpp);
	}
	if (mb)
		mem_secure_zero(mb->buf, mb->size);
	mem_deref(mb);
	if (d) {
		sdp_audio_wipe(d);
		mem_deref(d);
	}
	return err;
}

/*
 * The offer last made with media_offer() (or media_reoffer(),
 * media_offer_local()) was refused or withdrawn: no answer will come. The
 * relay goes on with the parameters of the last answer, and either leg
 * may offer again. EINVAL, or EPROTO when no offer is pending.
 */
int media_offer_cancel(struct media_session *ms)
{
	if (!ms || !ms->open)
		return EINVAL;
	if (ms->offer_from < 0)
		return EPROTO;
	ms->offer_from = -1;
	return 0;
}
