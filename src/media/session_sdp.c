/* session_sdp.c: offer/answer across the two legs (RFC 3264): the offer
 * one leg makes is re-written for the other from the engine's own values,
 * the answer picks one codec per leg (the same one when possible, else a
 * transcoded pair), and hold/resume directions are mapped across. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "media/session_int.h"
#include "stun/ice.h"

/* Opus <-> G.711 with codec/xcode.h (relay_xcode.c); a leg allows it
 * with media_leg_conf.transcode. */
#define MSESS_CAN_TRANSCODE true

static int fmt_codec(const struct sdp_codec *f, enum media_codec *cp)
{
	if (!strcasecmp(f->name, "opus") && f->rate == 48000)
		*cp = MEDIA_CODEC_OPUS;
	else if (!strcasecmp(f->name, "PCMU") && f->rate == 8000)
		*cp = MEDIA_CODEC_PCMU;
	else if (!strcasecmp(f->name, "PCMA") && f->rate == 8000)
		*cp = MEDIA_CODEC_PCMA;
	else
		return ENOENT;
	return 0;
}

static bool conf_has(const struct media_leg_conf *c, enum media_codec codec)
{
	size_t i;

	for (i = 0; i < c->codecc; i++)
		if (c->codecv[i] == codec)
			return true;
	return false;
}

static uint8_t std_pt(enum media_codec c)
{
	return c == MEDIA_CODEC_PCMU   ? 0
	       : c == MEDIA_CODEC_PCMA ? 8
				       : MSESS_PT_OPUS;
}

static int proto_check(enum media_kind kind, const struct sdp_audio *d)
{
	switch (kind) {
	case MEDIA_RTP:
		return (d->proto == SDP_PROTO_RTP_AVP ||
			d->proto == SDP_PROTO_RTP_AVPF)
			   ? 0
			   : ENOTSUP;
	case MEDIA_WEBRTC:
		/* RFC 8829/8843: DTLS-SRTP with ICE; we also require
		 * rtcp-mux (one port per call, RFC 8834 5.1.3). */
		return (sdp_proto_is_dtls(d->proto) && d->rtcp_mux &&
			d->fp[0] && d->ice_ufrag[0] && d->ice_pwd[0])
			   ? 0
			   : ENOTSUP;
	case MEDIA_SRTP:
		/* RFC 4568: RTP/SAVP(F) with at least one a=crypto. */
		return (sdp_proto_is_sdes(d->proto) && d->cryptoc) ? 0
								    : ENOTSUP;
	default:
		return ENOTSUP;
	}
}

/* The codecs of an SDP that conf allows, in the SDP's order. */
static size_t usable(const struct sdp_audio *d,
		     const struct media_leg_conf *c, struct mcodec_pt *v)
{
	size_t i, n = 0;

	for (i = 0; i < d->codecc && n < MEDIA_CODECS_MAX; i++) {
		enum media_codec codec;

		if (fmt_codec(&d->codecv[i], &codec) || !conf_has(c, codec))
			continue;
		v[n].codec = codec;
		v[n].pt = d->codecv[i].pt;
		v[n].rate = media_codec_rate(codec);
		n++;
	}
	return n;
}

static const struct sdp_codec *te_find(const struct sdp_audio *d,
				       uint32_t rate)
{
	size_t i;

	for (i = 0; i < d->codecc; i++)
		if (sdp_codec_is_tel_event(&d->codecv[i]) &&
		    d->codecv[i].rate && (!rate || d->codecv[i].rate == rate))
			return &d->codecv[i];
	return NULL;
}

static int ice_restart(struct msess_leg *l)
{
	struct ice_lite *ice = NULL;
	int err;

	if (l->ice_oldc >= MSESS_ICE_RESTARTS_MAX)
		return EOVERFLOW;
	err = ice_lite_alloc(&ice);
	if (err)
		return err;
	/* The worker may still use the old one until the new parameters
	 * reach it: freed with the session. */
	l->ice_old[l->ice_oldc++] = l->ice;
	l->ice = ice;
	return 0;
}

/* The other leg's codecs into o: shared ones first (no transcoding when
 * the answerer can help it), then, if allowed, the rest; telephone-event
 * (RFC 4733) at the clock of each when the offer had it. */
static void offer_codecs(struct msess_leg *y, const struct mcodec_pt *have,
			 size_t havec, bool te, struct sdp_audio *o)
{
	size_t i, j, k;

	y->offeredc = 0;
	y->te_offeredc = 0;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < y->conf.codecc; i++) {
			enum media_codec c = y->conf.codecv[i];
			struct mcodec_pt *m = &y->offered[y->offeredc];
			bool shared = false;

			for (j = 0; j < havec; j++)
				shared |= have[j].codec == c;
			if ((k == 0) != shared)
				continue;
			if (!shared &&
			    !(MSESS_CAN_TRANSCODE && y->conf.transcode))
				continue;
			m->codec = c;
			m->pt = std_pt(c);
			m->rate = media_codec_rate(c);
			y->offeredc++;
		}
	}
	for (i = 0; te && i < y->offeredc && y->te_offeredc < MSESS_TE_MAX;
	     i++) {
		uint32_t rate = y->offered[i].rate;
		struct mcodec_pt *t = &y->te_offered[y->te_offeredc];

		if (y->te_offeredc && y->te_offered[0].rate == rate)
			continue;
		t->codec = y->offered[i].codec;
		t->rate = rate;
		t->pt = rate == 8000 ? MSESS_PT_TE8K : MSESS_PT_TE48K;
		y->te_offeredc++;
	}
	o->codecc = 0;
	for (i = 0; i < y->offeredc && o->codecc < SDP_MAX_CODECS; i++) {
		bool shared = false;

		for (j = 0; j < havec; j++)
			shared |= have[j].codec == y->offered[i].codec;
		/* Not shared: only ever used transcoded. */
		msess_codec_out(&o->codecv[o->codecc++], &y->offered[i],
				!shared);
	}
	for (i = 0; i < y->te_offeredc && o->codecc < SDP_MAX_CODECS; i++)
		msess_te_out(&o->codecv[o->codecc++], y->te_offered[i].pt,
		       y->te_offered[i].rate);
}

int media_offer(struct media_session *ms, enum media_leg_id from,
		const struct pl *sdp, struct mbuf **sdpp)
{
	struct mcodec_pt have[MEDIA_CODECS_MAX];
	struct mcodec_pt offered[MEDIA_CODECS_MAX], te_offered[MSESS_TE_MAX];
	size_t offeredc, te_offeredc;
	struct msess_scratch *scr = NULL;
	struct mbuf *keep = NULL;
	struct msess_leg *x, *y;
	struct sdp_audio *d, *o;
	unsigned idx = 0;
	size_t havec;
	int to, err;

	if (!ms || !ms->open || (from != MEDIA_LEG_A && from != MEDIA_LEG_B) ||
	    !sdp || !sdpp)
		return EINVAL;
	if (ms->offer_from >= 0)
		return EPROTO;
	to = 1 - (int)from;
	x = &ms->leg[from];
	y = &ms->leg[to];
	if (x->conf.kind == MEDIA_ECHO)
		return EINVAL;
	scr = msess_scratch_get(ms->me);
	if (!scr)
		return ENOMEM;
	d = &scr->in;
	o = &scr->out;
	err = msess_sdp_read(scr, &idx, sdp);
	if (err)
		goto out;
	err = proto_check(x->conf.kind, d);
	if (err)
		goto out;
	havec = usable(d, &x->conf, have);
	if (!havec) {
		err = ENOTSUP;
		goto out;
	}
	/* What was offered to y stays until this offer succeeds. */
	memcpy(offered, y->offered, sizeof(offered));
	offeredc = y->offeredc;
	memcpy(te_offered, y->te_offered, sizeof(te_offered));
	te_offeredc = y->te_offeredc;
	offer_codecs(y, have, havec, te_find(d, 0) != NULL, o);
	if (!y->offeredc) {
		err = ENOTSUP;
		goto restore;
	}
	err = msess_leg_bind(ms, (int)from);
	if (!err)
		err = msess_leg_bind(ms, to);
	/* A new DTLS association past the limit: refused now (488), not
	 * when the other leg has answered. */
	if (!err && x->conf.kind == MEDIA_WEBRTC) {
		bool renew;

		err = msess_dtls_renew(x, msess_dtls_client(x, d->setup), d->fp,
				       &renew);
	}
	/* A new ufrag from the browser is an ICE restart (RFC 8445 9):
	 * new credentials of ours for the answer. */
	if (!err && x->conf.kind == MEDIA_WEBRTC && x->have_remote &&
	    strcmp(x->remote.ice_ufrag, d->ice_ufrag))
		err = ice_restart(x);
	if (!err)
		err = msess_offer_keep(&keep, sdp);
	if (err)
		goto restore;
	o->dir = d->dir;
	o->ptime = d->ptime;
	if (y->conf.kind == MEDIA_SRTP)
		err = msess_sdes_offer(y, o);
	if (!err)
		err = msess_sdp_write(ms, to, o, NULL, 0, sdpp);
	if (err)
		goto restore;
	msess_remote_forget(x);
	x->remote = *d;
	x->have_remote = true;
	x->remote_offer = keep;
	x->remote_offer_idx = idx;
	keep = NULL;
	ms->offer_from = (int)from;
	ms->answered_by = -1;
	goto out;
restore:
	memcpy(y->offered, offered, sizeof(offered));
	y->offeredc = offeredc;
	memcpy(y->te_offered, te_offered, sizeof(te_offered));
	y->te_offeredc = te_offeredc;
out:
	if (keep)
		mem_secure_zero(keep->buf, keep->size);
	mem_deref(keep);
	msess_scratch_done(scr);
	return err;
}

static void params_from(struct mleg_params *p, enum media_kind kind,
			const struct sdp_audio *d, bool mux_ok)
{
	/* c=0.0.0.0 as hold is RFC 2543's (RFC 3264 §8.4); with ICE it only
	 * says "no default candidate" (RFC 8829 §5.2.1: a browser whose host
	 * candidates are mDNS names), and the address comes from the checks */
	bool noaddr = !sa_port(&d->addr) || sa_is_any(&d->addr);
	bool hold = d->port_zero || (noaddr && kind != MEDIA_WEBRTC);

	p->kind = kind;
	p->active = true;
	memset(&p->remote, 0, sizeof(p->remote));
	memset(&p->remote_rtcp, 0, sizeof(p->remote_rtcp));
	if (!hold && !noaddr) {
		p->remote = d->addr;
		p->remote_rtcp = d->rtcp;
	}
	p->rtcp_mux = d->rtcp_mux && mux_ok;
	p->dir = hold ? SDP_INACTIVE : d->dir;
	p->ptime = d->ptime;
}

static void te_pick(struct mleg_params *p, const struct sdp_audio *d)
{
	const struct sdp_codec *te = te_find(d, p->codec.rate);

	if (!te)
		te = te_find(d, 0);
	p->te_pt = te ? te->pt : 0;
	p->te_rate = te ? te->rate : 0;
}

/* The codec the answer d of leg y took among those we offered it. */
static bool answer_codec(struct mcodec_pt *out, const struct msess_leg *y,
			 const struct sdp_audio *d)
{
	size_t i, k;

	for (i = 0; i < d->codecc; i++) {
		enum media_codec c;

		if (fmt_codec(&d->codecv[i], &c))
			continue;
		for (k = 0; k < y->offeredc; k++) {
			if (y->offered[k].codec != c)
				continue;
			*out = y->offered[k];
			out->pt = d->codecv[i].pt;
			return true;
		}
	}
	return false;
}

/* The answer d of leg yi to our offer: both legs' parameters, the answer
 * for the offering leg, and the relay updated. scr->out is ours. */
static int answer_apply(struct media_session *ms, int yi,
			const struct sdp_audio *d, struct msess_scratch *scr,
			struct mbuf **sdpp)
{
	struct msess_leg *y = &ms->leg[yi], *x = &ms->leg[1 - yi];
	struct mcodec_pt have[MEDIA_CODECS_MAX];
	struct mleg_params px, py;
	struct sdp_audio *o = &scr->out;
	size_t havec, i;
	bool found = false, xclient = false, yclient = false;
	bool xrenew = false, yrenew = false;
	int err = 0;

	memset(&py, 0, sizeof(py));
	if (!answer_codec(&py.codec, y, d))
		return ENOTSUP;
	memset(&px, 0, sizeof(px));
	havec = usable(&x->remote, &x->conf, have);
	for (i = 0; i < havec && !found; i++) {
		if (have[i].codec == py.codec.codec) {
			px.codec = have[i];
			found = true;
		}
	}
	if (!found && havec && MSESS_CAN_TRANSCODE && x->conf.transcode) {
		px.codec = have[0];
		found = true;
	}
	if (!found)
		return ENOTSUP;
	params_from(&py, y->conf.kind, d, y->conf.kind == MEDIA_WEBRTC);
	te_pick(&py, d);
	if (y->conf.kind == MEDIA_ECHO)
		py.dir = d->dir; /* a local endpoint: no address needed */
	params_from(&px, x->conf.kind, &x->remote,
		    x->conf.kind == MEDIA_WEBRTC || x->remote.rtcp_mux);
	te_pick(&px, &x->remote);
	/* a late offerer's stand-in (session_offer.c): inactive until it
	 * answers our offer with its own keys and fingerprint */
	px.active = !x->late;
	/* telephone-event stays on x even when y has none: its events then
	 * reach y as SIP INFO (MEDIA_EV_DTMF, the B2BUA's call_dtmf.c) */

	sdp_audio_wipe(o);
	msess_codec_out(&o->codecv[0], &px.codec,
			px.codec.codec != py.codec.codec);
	o->codecc = 1;
	if (px.te_pt)
		msess_te_out(&o->codecv[o->codecc++], px.te_pt, px.te_rate);
	/* RFC 3264 6.1: we send to x when x receives and y sends; we
	 * receive from x when x sends and y receives. */
	o->dir = sdp_dir_make(sdp_dir_recvs(px.dir) && sdp_dir_sends(py.dir),
			      sdp_dir_sends(px.dir) && sdp_dir_recvs(py.dir));
	o->rtcp_mux = px.rtcp_mux;
	if (x->remote.proto == SDP_PROTO_RTP_AVPF)
		o->proto = SDP_PROTO_RTP_AVPF;
	if (x->conf.kind == MEDIA_WEBRTC && !x->late) {
		xclient = msess_dtls_client(x, x->remote.setup);
		if (msess_dtls_renew(x, xclient, x->remote.fp, &xrenew))
			return ENOTSUP;
		o->setup = xclient ? SDP_SETUP_ACTIVE : SDP_SETUP_PASSIVE;
		snprintf(o->mid, sizeof(o->mid), "%s", x->remote.mid);
	}
	if (y->conf.kind == MEDIA_SRTP && msess_sdes_answer(y, d))
		return ENOTSUP;
	if (x->conf.kind == MEDIA_SRTP && !x->late &&
	    msess_sdes_from_offer(x, &x->remote, o))
		return ENOTSUP;
	if (y->conf.kind == MEDIA_WEBRTC) {
		/* We offered actpass; the answer leaves us the other role. */
		yclient = msess_dtls_client(y, d->setup);
		if (msess_dtls_renew(y, yclient, d->fp, &yrenew))
			return ENOTSUP;
	}
	o->ptime = x->remote.ptime;
	err = msess_answer_write(ms, 1 - yi, scr, sdpp);
	if (err)
		return err;
	if (x->conf.kind == MEDIA_WEBRTC && !x->late) {
		x->dtls_client = xclient;
		x->dtls_renew = xrenew;
	}
	if (y->conf.kind == MEDIA_WEBRTC) {
		y->dtls_client = yclient;
		y->dtls_renew = yrenew;
	}
	x->params = px;
	y->params = py;
	if (d != &y->remote) {
		sdp_audio_wipe(&y->remote);
		y->remote = *d;
	}
	y->have_remote = true;
	y->late = false; /* its own description now */
	err = msess_commit(ms);
	if (err) {
		*sdpp = mem_deref(*sdpp);
		return err;
	}
	if (!ms->start_ms)
		ms->start_ms = uv_now(ms->me->loop);
	ms->answered_by = yi;
	ms->offer_from = -1;
	return 0;
}

/* The leg `from` may answer: the pending offer was made to it, or it
 * answered the last one already and answers again (a 200 OK repeating or
 * updating the answer of a reliable 183, RFC 3262 and RFC 6337 3.1). */
static bool may_answer(const struct media_session *ms, int from)
{
	return ms->offer_from == 1 - from ||
	       (ms->offer_from < 0 && ms->answered_by == from);
}

int media_answer(struct media_session *ms, enum media_leg_id from,
		 const struct pl *sdp, struct mbuf **sdpp)
{
	struct msess_scratch *scr = NULL;
	int err;

	if (!ms || !ms->open || (from != MEDIA_LEG_A && from != MEDIA_LEG_B) ||
	    !sdp || !sdpp)
		return EINVAL;
	if (!may_answer(ms, (int)from) || ms->leg[from].conf.kind == MEDIA_ECHO)
		return EPROTO;
	scr = msess_scratch_get(ms->me);
	if (!scr)
		return ENOMEM;
	err = msess_sdp_read(scr, NULL, sdp);
	if (!err)
		err = proto_check(ms->leg[from].conf.kind, &scr->in);
	if (!err)
		err = answer_apply(ms, (int)from, &scr->in, scr, sdpp);
	msess_scratch_done(scr);
	return err;
}

int media_answer_local(struct media_session *ms, enum media_leg_id from,
		       struct mbuf **sdpp)
{
	struct msess_scratch *scr = NULL;
	struct msess_leg *y;
	struct sdp_audio *d;
	int err;

	if (!ms || !ms->open || (from != MEDIA_LEG_A && from != MEDIA_LEG_B) ||
	    !sdpp)
		return EINVAL;
	y = &ms->leg[from];
	if (!may_answer(ms, (int)from) || !y->offeredc)
		return EPROTO;
	scr = msess_scratch_get(ms->me);
	if (!scr)
		return ENOMEM;
	if (y->conf.kind != MEDIA_ECHO) {
		/* A peer leg that answered already (early media, then a 200
		 * without SDP): its answer once more. */
		if (ms->answered_by != (int)from) {
			err = EPROTO;
			goto out;
		}
		err = answer_apply(ms, (int)from, &y->remote, scr, sdpp);
		goto out;
	}
	/* What a local endpoint answers: our first codec, the reverse of
	 * the offerer's direction; no address (nothing is sent to it). */
	d = &scr->in;
	d->proto = SDP_PROTO_RTP_AVP;
	d->addr = ms->me->conf.advertise;
	d->dir = sdp_dir_reverse(ms->leg[1 - from].remote.dir);
	msess_codec_out(&d->codecv[0], &y->offered[0], false);
	d->codecc = 1;
	if (y->te_offeredc)
		msess_te_out(&d->codecv[d->codecc++], y->te_offered[0].pt,
		       y->te_offered[0].rate);
	err = answer_apply(ms, (int)from, d, scr, sdpp);
out:
	msess_scratch_done(scr);
	return err;
}
