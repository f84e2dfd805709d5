/* session_reoffer.c: offers the session makes on its own (RFC 3264 §8):
 * the answer to an offer-less re-INVITE (RFC 3261 §14.1, RFC 3264 §5:
 * the UAS offers in its 2xx, the ACK answers), and the withdrawal of an
 * offer the peer refused (a non-2xx to a re-INVITE leaves the session as
 * it was, RFC 3261 §14.1). */
#include <errno.h>
#include <string.h>

#include "media/session_int.h"

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
