/* session_sdp_out.c: what the engine writes into an SDP (RFC 8866, RFC
 * 3264) from its own values only (address, ports, codecs, ICE
 * credentials, fingerprint, SSRC, CNAME) with the sdp module; nothing of
 * the other leg's description is copied, which keeps each side's topology
 * hidden. Also the per-offer work space and the leg's kept SDPs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "media/session_int.h"
#include "stun/ice.h"

static void scratch_destructor(void *arg)
{
	struct msess_scratch *scr = arg;

	sdp_audio_wipe(&scr->in);
	sdp_audio_wipe(&scr->out);
}

struct msess_scratch *msess_scratch_get(struct media_engine *me)
{
	if (!me->scratch)
		me->scratch = mem_zalloc(sizeof(struct msess_scratch),
					 scratch_destructor);
	else
		msess_scratch_done(me->scratch);
	return me->scratch;
}

void msess_scratch_done(struct msess_scratch *scr)
{
	if (scr)
		scratch_destructor(scr);
}

/* Reads the audio of an SDP into scr->in (scr->sess: views into sdp).
 * EBADMSG malformed, ENOTSUP no audio section. */
int msess_sdp_read(struct msess_scratch *scr, unsigned *idxp,
		   const struct pl *sdp)
{
	int err;

	err = sdp_decode(&scr->sess, sdp->p, sdp->l);
	if (err)
		return EBADMSG;
	err = sdp_audio_get(&scr->in, idxp, &scr->sess);
	if (err)
		return err == ENOENT ? ENOTSUP : EBADMSG;
	return 0;
}

/* The SDP description of one of our codecs, with our payload type;
 * xcoded: the leg's audio is transcoded to or from G.711 at 8 kHz. */
void msess_codec_out(struct sdp_codec *c, const struct mcodec_pt *m,
		     bool xcoded)
{
	size_t n;

	switch (m->codec) {
	case MEDIA_CODEC_OPUS:
		*c = sdp_codec_opus;
		n = strnlen(c->fmtp, sizeof(c->fmtp));
		if (xcoded)
			snprintf(c->fmtp + n, sizeof(c->fmtp) - n, "%s",
				 MSESS_OPUS_NB_FMTP);
		break;
	case MEDIA_CODEC_PCMA:
		*c = sdp_codec_pcma;
		break;
	default:
		*c = sdp_codec_pcmu;
		break;
	}
	c->pt = m->pt;
}

/* RFC 4733 telephone-event at one clock, with our payload type. */
void msess_te_out(struct sdp_codec *c, uint8_t pt, uint32_t rate)
{
	*c = rate == 8000 ? sdp_codec_tel_event_8k : sdp_codec_tel_event_48k;
	c->pt = pt;
	c->rate = rate;
}

/* The copy may hold SDES keys: wiped before it goes. */
void msess_sdp_forget(struct msess_leg *l)
{
	if (l->last_sdp)
		mem_secure_zero(l->last_sdp->buf, l->last_sdp->size);
	l->last_sdp = mem_deref(l->last_sdp);
}

/* The leg's SDP and offer: its SDES keys wiped before they go. */
void msess_remote_forget(struct msess_leg *l)
{
	sdp_audio_wipe(&l->remote);
	l->have_remote = false;
	if (l->remote_offer)
		mem_secure_zero(l->remote_offer->buf, l->remote_offer->size);
	l->remote_offer = mem_deref(l->remote_offer);
}

/* Our own values into o (what the caller set: codecs, direction, ptime,
 * setup, mid, keys, AVPF stays), the origin, and the SDP written. */
static void out_fill(struct media_session *ms, int i, struct sdp_audio *o)
{
	struct msess_leg *l = &ms->leg[i];
	struct sdp_cand *c;
	uint16_t port = l->port ? l->port : 9; /* RFC 8866 5.14: discard */

	o->addr = ms->me->conf.advertise;
	sa_set_port(&o->addr, port);
	o->rtcp = o->addr;
	o->ssrc = ms->relay->leg[i].out.ssrc;
	snprintf(o->cname, sizeof(o->cname), "%s", ms->relay->leg[i].cname);
	switch (l->conf.kind) {
	case MEDIA_SRTP:
		o->proto = SDP_PROTO_RTP_SAVP;
		break;
	case MEDIA_WEBRTC:
		o->proto = SDP_PROTO_UDP_TLS_RTP_SAVPF;
		break;
	default:
		if (o->proto != SDP_PROTO_RTP_AVPF)
			o->proto = SDP_PROTO_RTP_AVP;
		break;
	}
	if (l->conf.kind != MEDIA_WEBRTC) {
		/* a=rtcp always toward a PBX (RFC 3605) */
		o->rtcp_attr = true;
		if (!o->rtcp_mux)
			sa_set_port(&o->rtcp, (uint16_t)(port + 1));
		return;
	}
	snprintf(o->ice_ufrag, sizeof(o->ice_ufrag), "%s",
		 ice_lite_ufrag(l->ice));
	snprintf(o->ice_pwd, sizeof(o->ice_pwd), "%s", ice_lite_pwd(l->ice));
	o->ice_lite = true;
	snprintf(o->fp, sizeof(o->fp), "%s", ms->me->fp);
	if (o->setup == SDP_SETUP_NONE)
		o->setup = SDP_SETUP_ACTPASS;
	if (!o->mid[0])
		snprintf(o->mid, sizeof(o->mid), "0");
	o->rtcp_mux = true;
	/* RFC 8839 section 5.1: one host candidate, our relay address. */
	c = &o->candv[0];
	snprintf(c->foundation, sizeof(c->foundation), "1");
	c->component = 1;
	c->priority = 2130706431;
	c->addr = o->addr;
	snprintf(c->type, sizeof(c->type), "host");
	o->candc = 1;
}

int msess_sdp_write(struct media_session *ms, int i, struct sdp_audio *o,
		    const struct sdp_sess *offer, unsigned idx,
		    struct mbuf **sdpp)
{
	struct msess_leg *l = &ms->leg[i];
	struct sdp_origin org;
	struct mbuf *mb = NULL;
	int err;

	out_fill(ms, i, o);
	memset(&org, 0, sizeof(org));
	snprintf(org.user, sizeof(org.user), "sipcloak");
	org.sess_id = l->sess_id;
	org.sess_ver = l->version;
	org.addr = ms->me->conf.advertise;
	err = mbuf_alloc(&mb, 1024);
	if (!err)
		err = sdp_audio_encode(mb, &org, o, offer, idx);
	/* RFC 3264 section 8: o= version goes up only when something
	 * changed; the same description again keeps its version. */
	if (!err && !(l->last_sdp && l->last_sdp->end == mb->end &&
		      !memcmp(l->last_sdp->buf, mb->buf, mb->end))) {
		mem_secure_zero(mb->buf, mb->size);
		mbuf_reset(mb);
		org.sess_ver = ++l->version;
		err = sdp_audio_encode(mb, &org, o, offer, idx);
		msess_sdp_forget(l);
		if (!err)
			err = mbuf_alloc(&l->last_sdp, mb->end);
		if (!err)
			err = mbuf_write_mem(l->last_sdp, mb->buf, mb->end);
	}
	if (err) {
		mem_secure_zero(mb->buf, mb->size);
		mem_deref(mb);
		goto out;
	}
	mb->pos = 0;
	*sdpp = mb;
out:
	return err;
}

/* A copy of an offer, kept to answer its other m= sections later. */
int msess_offer_keep(struct mbuf **mbp, const struct pl *sdp)
{
	int err = mbuf_alloc(mbp, sdp->l ? sdp->l : 1);

	if (!err)
		err = mbuf_write_mem(*mbp, (const uint8_t *)sdp->p, sdp->l);
	if (err)
		*mbp = mem_deref(*mbp);
	return err;
}

/* The answer to x's offer (o), written with the offer's other m=
 * sections rejected in place (RFC 3264 section 6). */
int msess_answer_write(struct media_session *ms, int xi,
		       struct msess_scratch *scr, struct mbuf **sdpp)
{
	struct msess_leg *x = &ms->leg[xi];
	const struct sdp_sess *offer = NULL;
	struct pl pl;

	if (x->remote_offer) {
		pl.p = (const char *)x->remote_offer->buf;
		pl.l = x->remote_offer->end;
		/* it decoded when it came: the same bytes decode again */
		if (!sdp_decode(&scr->sess, pl.p, pl.l) &&
		    x->remote_offer_idx < scr->sess.mediac)
			offer = &scr->sess;
	}
	return msess_sdp_write(ms, xi, &scr->out, offer,
			       offer ? x->remote_offer_idx : 0, sdpp);
}
