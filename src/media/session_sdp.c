/* session_sdp.c: offer/answer across the two legs (RFC 3264): the offer
 * one leg makes is re-written for the other from the engine's own values,
 * the answer picks one codec per leg (the same one when possible, else a
 * transcoded pair), and hold/resume directions are mapped across. */
#include <errno.h>
#include <string.h>

#include "media/session_int.h"
#include "stun/ice.h"

/* Opus <-> G.711 with codec/xcode.h (relay_xcode.c); a leg allows it
 * with media_leg_conf.transcode. */
#define MSESS_CAN_TRANSCODE true

static int fmt_codec(const struct msdp_fmt *f, enum media_codec *cp)
{
	struct pl name;

	pl_set_str(&name, f->name);
	if (!pl_strcasecmp(&name, "opus") && f->rate == 48000)
		*cp = MEDIA_CODEC_OPUS;
	else if (!pl_strcasecmp(&name, "PCMU") && f->rate == 8000)
		*cp = MEDIA_CODEC_PCMU;
	else if (!pl_strcasecmp(&name, "PCMA") && f->rate == 8000)
		*cp = MEDIA_CODEC_PCMA;
	else
		return ENOENT;
	return 0;
}

static bool fmt_is_te(const struct msdp_fmt *f)
{
	struct pl name;

	pl_set_str(&name, f->name);
	return !pl_strcasecmp(&name, "telephone-event") && f->rate;
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
	return c == MEDIA_CODEC_PCMU ? 0
	       : c == MEDIA_CODEC_PCMA ? 8
	                               : MSESS_PT_OPUS;
}

static int proto_check(enum media_kind kind, const struct msdp *d)
{
	switch (kind) {
	case MEDIA_RTP:
		return (d->proto == MSDP_PROTO_AVP ||
		        d->proto == MSDP_PROTO_AVPF)
		               ? 0
		               : ENOTSUP;
	case MEDIA_WEBRTC:
		/* RFC 8829/8843: DTLS-SRTP with ICE; we also require
		 * rtcp-mux (one port per call, RFC 8834 5.1.3). */
		return (d->proto == MSDP_PROTO_DTLS && d->rtcp_mux &&
		        d->fp[0] && d->ufrag[0] && d->pwd[0])
		               ? 0
		               : ENOTSUP;
	case MEDIA_SRTP:
		/* RFC 4568: RTP/SAVP(F) with at least one a=crypto. */
		return ((d->proto == MSDP_PROTO_SAVP ||
		         d->proto == MSDP_PROTO_SAVPF) &&
		        d->cryptoc)
		               ? 0
		               : ENOTSUP;
	default:
		return ENOTSUP;
	}
}

/* Our side of a=setup (RFC 8842 section 5): toward an offerer we take
 * passive unless it insists on being passive itself. */
static bool setup_we_client(const char *remote_setup)
{
	return !strcmp(remote_setup, "passive");
}

/* The codecs of an SDP that conf allows, in the SDP's order. */
static size_t usable(const struct msdp *d, const struct media_leg_conf *c,
                     struct mcodec_pt *v)
{
	size_t i, n = 0;

	for (i = 0; i < d->fmtc && n < MEDIA_CODECS_MAX; i++) {
		enum media_codec codec;

		if (fmt_codec(&d->fmtv[i], &codec) || !conf_has(c, codec))
			continue;
		v[n].codec = codec;
		v[n].pt = d->fmtv[i].pt;
		v[n].rate = media_codec_rate(codec);
		n++;
	}
	return n;
}

static const struct msdp_fmt *te_find(const struct msdp *d, uint32_t rate)
{
	size_t i;

	for (i = 0; i < d->fmtc; i++)
		if (fmt_is_te(&d->fmtv[i]) &&
		    (!rate || d->fmtv[i].rate == rate))
			return &d->fmtv[i];
	return NULL;
}

/* The copy may hold SDES keys: wiped before it goes. */
void msess_sdp_forget(struct msess_leg *l)
{
	if (l->last_sdp)
		mem_secure_zero(l->last_sdp->buf, l->last_sdp->size);
	l->last_sdp = mem_deref(l->last_sdp);
}

static int sdp_write(struct media_session *ms, int i, struct msdp_out *o,
                     struct mbuf **sdpp)
{
	struct msess_leg *l = &ms->leg[i];
	struct mbuf *mb = NULL;
	int err;

	o->kind = l->conf.kind == MEDIA_ECHO ? MEDIA_RTP : l->conf.kind;
	o->sess_id = l->sess_id;
	o->version = l->version;
	o->addr = ms->me->conf.advertise;
	o->port = l->port ? l->port : 9; /* RFC 8866 5.14: discard */
	o->rtcp_port = (uint16_t)(o->port + 1);
	o->ssrc = ms->relay->leg[i].out.ssrc;
	o->cname = ms->relay->leg[i].cname;
	if (l->conf.kind == MEDIA_WEBRTC) {
		o->ufrag = ice_lite_ufrag(l->ice);
		o->pwd = ice_lite_pwd(l->ice);
		o->fp = ms->me->fp;
		if (!o->setup)
			o->setup = "actpass";
		if (!o->mid[0])
			snprintf(o->mid, sizeof(o->mid), "0");
		o->rtcp_mux = true;
	}
	err = mbuf_alloc(&mb, 1024);
	if (!err)
		err = msdp_encode(mb, o);
	/* RFC 3264 section 8: o= version goes up only when something
	 * changed; the same description again keeps its version. */
	if (!err && !(l->last_sdp && l->last_sdp->end == mb->end &&
	              !memcmp(l->last_sdp->buf, mb->buf, mb->end))) {
		mbuf_reset(mb);
		o->version = ++l->version;
		err = msdp_encode(mb, o);
		msess_sdp_forget(l);
		if (!err)
			err = mbuf_alloc(&l->last_sdp, mb->end);
		if (!err)
			err = mbuf_write_mem(l->last_sdp, mb->buf, mb->end);
	}
	if (err) {
		mem_deref(mb);
		goto out;
	}
	mb->pos = 0;
	*sdpp = mb;
out:
	return err;
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

int media_offer(struct media_session *ms, enum media_leg_id from,
                const struct pl *sdp, struct mbuf **sdpp)
{
	struct mcodec_pt have[MEDIA_CODECS_MAX];
	struct msdp_out o;
	struct msdp *d = NULL;
	struct msess_leg *x, *y;
	size_t havec, i, k;
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
	d = mem_zalloc(sizeof(*d), NULL);
	if (!d)
		return ENOMEM;
	err = msdp_decode(d, sdp);
	if (err) {
		err = err == ENOENT ? ENOTSUP : EBADMSG;
		goto out;
	}
	err = proto_check(x->conf.kind, d);
	if (err)
		goto out;
	havec = usable(d, &x->conf, have);
	if (!havec) {
		err = ENOTSUP;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	/* The other leg's codecs: shared ones first (no transcoding when
	 * the answerer can help it), then, if allowed, the rest. */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < y->conf.codecc; i++) {
			enum media_codec c = y->conf.codecv[i];
			bool shared = false;
			size_t j;

			for (j = 0; j < havec; j++)
				shared |= have[j].codec == c;
			if ((k == 0) != shared)
				continue;
			if (!shared && !(MSESS_CAN_TRANSCODE &&
			                 y->conf.transcode))
				continue;
			o.codecv[o.codecc].codec = c;
			o.codecv[o.codecc].pt = std_pt(c);
			o.codecv[o.codecc].rate = media_codec_rate(c);
			o.codecc++;
		}
	}
	if (!o.codecc) {
		err = ENOTSUP;
		goto out;
	}
	/* RFC 4733: telephone-event at the clock of each offered codec. */
	if (te_find(d, 0)) {
		for (i = 0; i < o.codecc && o.tec < MSDP_TE_MAX; i++) {
			uint32_t rate = o.codecv[i].rate;

			if (o.tec && o.tev[0].rate == rate)
				continue;
			o.tev[o.tec].codec = o.codecv[i].codec;
			o.tev[o.tec].rate = rate;
			o.tev[o.tec].pt = rate == 8000 ? MSESS_PT_TE8K
			                               : MSESS_PT_TE48K;
			o.tec++;
		}
	}
	err = msess_leg_bind(ms, (int)from);
	if (!err)
		err = msess_leg_bind(ms, to);
	/* A new ufrag from the browser is an ICE restart (RFC 8445 9):
	 * new credentials of ours for the answer. */
	if (!err && x->conf.kind == MEDIA_WEBRTC && x->have_remote &&
	    strcmp(x->remote.ufrag, d->ufrag))
		err = ice_restart(x);
	if (err)
		goto out;
	o.dir = d->dir;
	o.ptime = d->ptime;
	if (y->conf.kind == MEDIA_SRTP)
		err = msess_sdes_offer(y, &o);
	if (!err)
		err = sdp_write(ms, to, &o, sdpp);
	mem_secure_zero(o.cryptov, sizeof(o.cryptov));
	if (err)
		goto out;
	x->remote = *d;
	x->have_remote = true;
	memcpy(y->offered, o.codecv, sizeof(y->offered));
	y->offeredc = o.codecc;
	memcpy(y->te_offered, o.tev, sizeof(y->te_offered));
	y->te_offeredc = o.tec;
	ms->offer_from = (int)from;
	ms->answered_by = -1;
out:
	mem_deref(d);
	return err;
}

static void params_from(struct mleg_params *p, enum media_kind kind,
                        const struct msdp *d, bool mux_ok)
{
	bool hold = !sa_port(&d->addr) || sa_is_any(&d->addr);

	p->kind = kind;
	p->active = true;
	memset(&p->remote, 0, sizeof(p->remote));
	memset(&p->remote_rtcp, 0, sizeof(p->remote_rtcp));
	if (!hold) {
		p->remote = d->addr;
		p->remote_rtcp = d->rtcp;
	}
	p->rtcp_mux = d->rtcp_mux && mux_ok;
	p->dir = hold ? MSDP_INACTIVE : d->dir;
	p->ptime = d->ptime;
}

static void te_pick(struct mleg_params *p, const struct msdp *d)
{
	const struct msdp_fmt *te = te_find(d, p->codec.rate);

	if (!te)
		te = te_find(d, 0);
	p->te_pt = te ? te->pt : 0;
	p->te_rate = te ? te->rate : 0;
}

/* The answer d of leg yi to our offer: both legs' parameters, the answer
 * for the offering leg, and the relay updated. */
static int answer_apply(struct media_session *ms, int yi, const struct msdp *d,
                        struct mbuf **sdpp)
{
	struct msess_leg *y = &ms->leg[yi], *x = &ms->leg[1 - yi];
	struct mcodec_pt have[MEDIA_CODECS_MAX];
	struct mleg_params px, py;
	struct msdp_out o;
	size_t havec, i, k;
	bool found = false;
	int err = 0;

	memset(&py, 0, sizeof(py));
	for (i = 0; i < d->fmtc && !found; i++) {
		enum media_codec c;

		if (fmt_codec(&d->fmtv[i], &c))
			continue;
		for (k = 0; k < y->offeredc && !found; k++) {
			if (y->offered[k].codec != c)
				continue;
			py.codec = y->offered[k];
			py.codec.pt = d->fmtv[i].pt;
			found = true;
		}
	}
	if (!found)
		return ENOTSUP;
	memset(&px, 0, sizeof(px));
	havec = usable(&x->remote, &x->conf, have);
	found = false;
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
	if (!py.te_pt)
		px.te_pt = 0; /* nothing to send them to */

	memset(&o, 0, sizeof(o));
	o.codecv[0] = px.codec;
	o.codecc = 1;
	if (px.te_pt) {
		o.tev[0].pt = px.te_pt;
		o.tev[0].rate = px.te_rate;
		o.tec = 1;
	}
	/* RFC 3264 6.1: we send to x when x receives and y sends; we
	 * receive from x when x sends and y receives. */
	o.dir = (enum msdp_dir)((((px.dir & MSDP_RECVONLY) &&
	                          (py.dir & MSDP_SENDONLY))
	                                 ? MSDP_SENDONLY
	                                 : 0) |
	                        (((px.dir & MSDP_SENDONLY) &&
	                          (py.dir & MSDP_RECVONLY))
	                                 ? MSDP_RECVONLY
	                                 : 0));
	o.rtcp_mux = px.rtcp_mux;
	o.avpf = x->remote.proto == MSDP_PROTO_AVPF;
	if (x->conf.kind == MEDIA_WEBRTC) {
		bool client = setup_we_client(x->remote.setup);

		if (x->dtls && client != x->dtls_client)
			return ENOTSUP; /* no DTLS role change mid-call */
		x->dtls_client = client;
		o.setup = client ? "active" : "passive";
		snprintf(o.mid, sizeof(o.mid), "%s", x->remote.mid);
	}
	if (y->conf.kind == MEDIA_SRTP && msess_sdes_answer(y, d))
		return ENOTSUP;
	if (x->conf.kind == MEDIA_SRTP && msess_sdes_from_offer(x, &x->remote,
	                                                         &o))
		return ENOTSUP;
	if (y->conf.kind == MEDIA_WEBRTC) {
		/* We offered actpass; the answer leaves us the other role. */
		bool client = setup_we_client(d->setup);

		if (y->dtls && client != y->dtls_client)
			return ENOTSUP;
		y->dtls_client = client;
	}
	o.ptime = x->remote.ptime;
	o.mlinev = x->remote.mlinev;
	o.mlinec = x->remote.mlinec;
	err = sdp_write(ms, 1 - yi, &o, sdpp);
	mem_secure_zero(o.cryptov, sizeof(o.cryptov));
	if (err)
		return err;
	x->params = px;
	y->params = py;
	y->remote = *d;
	y->have_remote = true;
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
	struct msdp *d = NULL;
	int err;

	if (!ms || !ms->open || (from != MEDIA_LEG_A && from != MEDIA_LEG_B) ||
	    !sdp || !sdpp)
		return EINVAL;
	if (!may_answer(ms, (int)from) || ms->leg[from].conf.kind == MEDIA_ECHO)
		return EPROTO;
	d = mem_zalloc(sizeof(*d), NULL);
	if (!d)
		return ENOMEM;
	err = msdp_decode(d, sdp);
	if (err) {
		err = err == ENOENT ? ENOTSUP : EBADMSG;
		goto out;
	}
	err = proto_check(ms->leg[from].conf.kind, d);
	if (!err)
		err = answer_apply(ms, (int)from, d, sdpp);
out:
	mem_deref(d);
	return err;
}

int media_answer_local(struct media_session *ms, enum media_leg_id from,
                       struct mbuf **sdpp)
{
	struct msess_leg *y;
	struct msdp *d = NULL;
	int err;

	if (!ms || !ms->open || (from != MEDIA_LEG_A && from != MEDIA_LEG_B) ||
	    !sdpp)
		return EINVAL;
	y = &ms->leg[from];
	if (!may_answer(ms, (int)from) || !y->offeredc)
		return EPROTO;
	d = mem_zalloc(sizeof(*d), NULL);
	if (!d)
		return ENOMEM;
	if (y->conf.kind != MEDIA_ECHO) {
		/* A peer leg that answered already (early media, then a 200
		 * without SDP): its answer once more. */
		if (ms->answered_by != (int)from) {
			err = EPROTO;
			goto out;
		}
		*d = y->remote;
		err = answer_apply(ms, (int)from, d, sdpp);
		goto out;
	}
	/* What a local endpoint answers: our first codec, the reverse of
	 * the offerer's direction; no address (nothing is sent to it). */
	d->proto = MSDP_PROTO_AVP;
	d->addr = ms->me->conf.advertise;
	d->dir = msdp_dir_reverse(ms->leg[1 - from].remote.dir);
	d->fmtc = 1;
	d->fmtv[0].pt = y->offered[0].pt;
	d->fmtv[0].rate = y->offered[0].rate;
	snprintf(d->fmtv[0].name, sizeof(d->fmtv[0].name), "%s",
	         media_codec_name(y->offered[0].codec));
	if (y->te_offeredc) {
		d->fmtv[1].pt = y->te_offered[0].pt;
		d->fmtv[1].rate = y->te_offered[0].rate;
		strcpy(d->fmtv[1].name, "telephone-event");
		d->fmtc = 2;
	}
	err = answer_apply(ms, (int)from, d, sdpp);
out:
	mem_deref(d);
	return err;
}
