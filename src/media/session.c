/* session.c: a media session on the signalling thread: ports, the offer/
 * answer exchange of RFC 3264 on both legs (session_sdp.c writes and
 * negotiates), handing the result to the session's worker, stats and
 * close; the DTLS association of a WebRTC leg across offers (below). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "media/session_int.h"
#include "media/srtp.h"
#include "stun/ice.h"
#include "tls/dtls.h"
#include <strings.h>

static void session_destructor(void *arg)
{
	struct media_session *ms = arg;
	int i;
	size_t k;

	media_session_close(ms);
	/* The worker let go of everything in media_session_close(). */
	for (i = 0; i < 2; i++) {
		struct msess_leg *l = &ms->leg[i];

		msess_dtls_free(l);
		mem_deref(l->ice);
		msess_sdes_wipe(l);
		msess_sdp_forget(l);
		msess_remote_forget(l);
		for (k = 0; k < l->ice_oldc; k++)
			mem_deref(l->ice_old[k]);
		if (ms->relay) {
			mxcode_free(&ms->relay->xc[i]);
			mem_deref(ms->relay->leg[i].srtp_tx);
			mem_deref(ms->relay->leg[i].srtp_rx);
			mem_deref(ms->relay->leg[i].srtp_rx_old);
		}
	}
	mem_deref(ms->relay);
	mem_deref(ms->me);
}

int media_session_alloc(struct media_session **msp, struct media_engine *me,
			const struct media_leg_conf *a,
			const struct media_leg_conf *b, media_event_h *eh,
			void *arg)
{
	static const enum media_codec all[] = {
	    MEDIA_CODEC_OPUS, MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA};
	struct media_session *ms;
	const struct media_leg_conf *cv[2] = {a, b};
	int i, err = 0;

	if (!msp || !me || !a || !b || me->closed ||
	    a->codecc > MEDIA_CODECS_MAX || b->codecc > MEDIA_CODECS_MAX ||
	    a->kind == MEDIA_ECHO)
		return EINVAL;
	ms = mem_zalloc(sizeof(*ms), session_destructor);
	if (!ms)
		return ENOMEM;
	ms->me = mem_ref(me);
	ms->eh = eh;
	ms->arg = arg;
	ms->offer_from = -1;
	ms->answered_by = -1;
	ms->relay = mem_zalloc(sizeof(*ms->relay), NULL);
	if (!ms->relay) {
		err = ENOMEM;
		goto out;
	}
	mrelay_init(ms->relay, me->conf.no_media_ms);
	ms->relay->arg = ms;
	ms->relay->echo = b->kind == MEDIA_ECHO;
	for (i = 0; i < 2; i++) {
		struct msess_leg *l = &ms->leg[i];

		l->conf = *cv[i];
		if (!l->conf.codecc) {
			memcpy(l->conf.codecv, all, sizeof(all));
			l->conf.codecc = SC_ARRAY_SIZE(all);
		}
		l->sess_id = rand_u32() & 0x7fffffffu;
		l->params.kind = l->conf.kind;
		l->fdv[0] = l->fdv[1] = -1;
	}
	list_append(&me->sessl, &ms->le, ms);
	atomic_fetch_add(&me->sessions, 1);
	ms->open = true;
out:
	if (err)
		mem_deref(ms);
	else
		*msp = ms;
	return err;
}

/* Binds the ports of leg i (once). */
int msess_leg_bind(struct media_session *ms, int i)
{
	struct msess_leg *l = &ms->leg[i];
	int err = 0;

	if (l->port || l->conf.kind == MEDIA_ECHO)
		return 0;
	if (l->conf.kind == MEDIA_WEBRTC && !l->ice) {
		err = ice_lite_alloc(&l->ice);
		if (err)
			return err;
	}
	/* RTP legs get port+1 for RTCP; WebRTC multiplexes (RFC 8834). */
	err = mport_bind(&ms->me->ports, &ms->me->conf.bind,
			 l->conf.kind != MEDIA_WEBRTC, l->fdv, &l->port);
	if (!err) {
		ms->relay->leg[i].fdv[0] = l->fdv[0];
		ms->relay->leg[i].fdv[1] = l->fdv[1];
		ms->relay->leg[i].port = l->port;
	}
	return err;
}

/* Hands the negotiated parameters of both legs to the worker; the first
 * time, the relay itself with its sockets. */
int msess_commit(struct media_session *ms)
{
	struct mcmd *cv[3] = {NULL, NULL, NULL};
	int i, err = 0;

	/* DTLS once the peer's fingerprint is known (RFC 8842: our role
	 * from a=setup), again for a new association (session.c); the
	 * worker only uses it. */
	for (i = 0; i < 2; i++) {
		struct msess_leg *l = &ms->leg[i];

		if (l->conf.kind != MEDIA_WEBRTC || l->late)
			continue; /* late: no fingerprint yet (session_offer.c) */
		err = msess_dtls_commit(ms, i);
		if (err)
			goto out;
		l->params.ice = l->ice;
		l->params.dtls = l->dtls;
		l->params.dtls_client = l->dtls_client;
	}
	for (i = 0; i < 2; i++) {
		if (ms->leg[i].conf.kind != MEDIA_SRTP || ms->leg[i].late)
			continue;
		err = msess_sdes_contexts(&ms->leg[i], &ms->leg[i].params);
		if (err)
			goto out;
	}
	for (i = 0; i < 3; i++) {
		cv[i] = mem_zalloc(sizeof(*cv[i]), NULL);
		if (!cv[i]) {
			err = ENOMEM;
			goto out;
		}
	}
	if (!ms->w) {
		int k;

		ms->w = media_engine_pick_worker(ms->me);
		atomic_fetch_add(&ms->w->load, 1);
		/* Before the worker owns it: parameters set directly. */
		for (k = 0; k < 2; k++) {
			mrelay_set_params(ms->relay, k, &ms->leg[k].params);
			/* From now on the worker owns the descriptors. */
			ms->leg[k].fdv[0] = ms->leg[k].fdv[1] = -1;
		}
		cv[0]->type = MCMD_ADD;
		cv[0]->r = ms->relay;
		mworker_post(ms->w, cv[0]);
		cv[0] = NULL;
		goto out;
	}
	for (i = 0; i < 2; i++) {
		cv[i]->type = MCMD_PARAMS;
		cv[i]->r = ms->relay;
		cv[i]->leg = i;
		cv[i]->p = ms->leg[i].params;
		mworker_post(ms->w, cv[i]);
		cv[i] = NULL;
	}
out:
	for (i = 0; i < 3; i++)
		mem_deref(cv[i]);
	/* The worker owns the SDES contexts now (or they were freed). */
	for (i = 0; i < 2; i++) {
		if (err) {
			mem_deref(ms->leg[i].params.sdes_tx);
			mem_deref(ms->leg[i].params.sdes_rx);
		}
		ms->leg[i].params.sdes_tx = NULL;
		ms->leg[i].params.sdes_rx = NULL;
	}
	return err;
}

static void leg_release_unstarted(struct media_session *ms, int i)
{
	struct msess_leg *l = &ms->leg[i];
	size_t n = 0;
	int k;

	for (k = 0; k < 2; k++) {
		if (l->fdv[k] >= 0) {
			close(l->fdv[k]);
			n++;
		}
		l->fdv[k] = -1;
		ms->relay->leg[i].fdv[k] = -1;
	}
	if (l->port)
		mport_release(&ms->me->ports, l->port, n);
	l->port = 0;
}

void media_session_close(struct media_session *ms)
{
	int i;

	if (!ms || !ms->open)
		return;
	ms->open = false;
	if (ms->w && !ms->me->closed) {
		mworker_close_sync(ms->w, ms->relay);
		atomic_fetch_sub(&ms->w->load, 1);
	} else if (!ms->w) {
		for (i = 0; i < 2; i++)
			leg_release_unstarted(ms, i);
	}
	if (!ms->me->closed)
		media_engine_event_flush(ms->me, ms);
	list_unlink(&ms->le);
	atomic_fetch_sub(&ms->me->sessions, 1);
}

void media_engine_session_deliver(void *sess, int leg, enum media_event ev,
				  const char *reason)
{
	struct media_session *ms = sess;

	if (!ms->open || !ms->eh)
		return;
	if (ev == MEDIA_EV_CONNECTED) {
		if (ms->leg[leg].connected_sent)
			return;
		ms->leg[leg].connected_sent = true;
	}
	/* The handler may close and free the session: nothing after. */
	ms->eh(ms, (enum media_leg_id)leg, ev, reason, ms->arg);
}

int media_dtmf_send(struct media_session *ms, enum media_leg_id leg,
		    char key, uint32_t duration_ms)
{
	int code = mdtmf_code(key);
	struct mcmd *c;

	if (!ms || (leg != MEDIA_LEG_A && leg != MEDIA_LEG_B) || code < 0)
		return EINVAL;
	if (!ms->w || !ms->open)
		return EPROTO;
	if (!ms->leg[leg].params.te_pt)
		return ENOTSUP;
	c = mem_zalloc(sizeof(*c), NULL);
	if (!c)
		return ENOMEM;
	c->type = MCMD_DTMF;
	c->r = ms->relay;
	c->leg = leg;
	c->dtmf_code = (uint8_t)code;
	c->dtmf_ms = duration_ms;
	mworker_post(ms->w, c);
	return 0;
}

int media_stats_get(struct media_session *ms, struct media_stats *st)
{
	int i;

	if (!ms || !st)
		return EINVAL;
	memset(st, 0, sizeof(*st));
	for (i = 0; i < 2; i++) {
		struct mleg_stats_atomic *a = &ms->relay->leg[i].st;
		struct media_leg_stats *s = &st->leg[i];

		s->rx_packets = atomic_load(&a->rx_packets);
		s->rx_bytes = atomic_load(&a->rx_bytes);
		s->tx_packets = atomic_load(&a->tx_packets);
		s->tx_bytes = atomic_load(&a->tx_bytes);
		s->rx_lost = atomic_load(&a->rx_lost);
		s->rx_dropped = atomic_load(&a->rx_dropped);
		s->rx_opus_nb = atomic_load(&a->rx_opus_nb);
		s->jitter_us = (uint32_t)atomic_load(&a->jitter_us);
		s->rtt_us = (uint32_t)atomic_load(&a->rtt_us);
		s->connected = atomic_load(&a->connected);
		s->codec = ms->leg[i].params.codec.codec;
		s->transcoding = ms->leg[0].params.codec.codec !=
				 ms->leg[1].params.codec.codec;
	}
	if (ms->start_ms)
		st->duration_ms = uv_now(ms->me->loop) - ms->start_ms;
	st->opus_complexity =
	    ms->w ? atomic_load_explicit(&ms->w->opus_complexity_st,
					 memory_order_relaxed)
		  : -1;
	return 0;
}

/* The DTLS association of a WebRTC leg across offers and
 * answers (RFC 8842 section 5, RFC 5763 section 6.6): our role from the
 * peer's a=setup, kept by an a=setup:actpass re-offer; a new association
 * when the role or the peer's certificate fingerprint changes. The new
 * connection is made here on the signalling thread and handed to the
 * worker with the leg's parameters; the worker runs its handshake while
 * media goes on under the old keys (webrtc.c, relay.c). */
/* RFC 8842 section 5.3: toward active we are the server, toward passive
 * the client; actpass (an offer) leaves us our role of the association we
 * have (section 5.5: the offerer that wants a new one changes the
 * fingerprint or takes a role), and makes us passive on the first. */
bool msess_dtls_client(const struct msess_leg *l, enum sdp_setup remote)
{
	switch (remote) {
	case SDP_SETUP_ACTIVE:
		return false;
	case SDP_SETUP_PASSIVE:
		return true;
	default:
		return l->dtls ? l->dtls_client : false;
	}
}

/* RFC 8842 section 5 (and RFC 5763 section 6.6): the association stays
 * when role and fingerprint stay; otherwise a new one. Hash names and hex
 * digits compare without case (RFC 8122 section 5). */
int msess_dtls_renew(const struct msess_leg *l, bool client, const char *fp,
		     bool *renewp)
{
	*renewp =
	    l->dtls && (client != l->dtls_client || strcasecmp(fp, l->dtls_fp));
	if (*renewp && l->dtls_oldc >= MSESS_DTLS_RENEW_MAX) {
		log_info("media", "new DTLS association refused: %u already",
			 (unsigned)MSESS_DTLS_RENEW_MAX);
		return ENOTSUP;
	}
	return 0;
}

/* The leg's connection for the worker: the first one, or a new one in
 * place of the current (kept until the session goes: the worker may
 * still hold it until the new parameters reach it). */
int msess_dtls_commit(struct media_session *ms, int i)
{
	struct msess_leg *l = &ms->leg[i];
	struct dtls_conn *dc = NULL;
	int err;

	if (l->dtls && !l->dtls_renew)
		return 0;
	if (l->dtls && l->dtls_oldc >= MSESS_DTLS_RENEW_MAX)
		return ENOTSUP;
	err = dtls_conn_alloc(&dc, ms->me->dtls, l->dtls_client, l->remote.fp,
			      mwebrtc_dtls_send, mwebrtc_dtls_estab,
			      mwebrtc_dtls_close, &ms->relay->leg[i]);
	if (err)
		return err;
	if (l->dtls) {
		log_info("media", "leg %c: new DTLS association as %s", 'A' + i,
			 l->dtls_client ? "client" : "server");
		l->dtls_old[l->dtls_oldc++] = l->dtls;
	}
	l->dtls = dc;
	l->dtls_renew = false;
	/* the same size, NUL-terminated by the SDP reader */
	_Static_assert(sizeof(l->dtls_fp) == sizeof(l->remote.fp), "fp");
	memcpy(l->dtls_fp, l->remote.fp, sizeof(l->dtls_fp));
	return 0;
}

void msess_dtls_free(struct msess_leg *l)
{
	size_t k;

	l->dtls = mem_deref(l->dtls);
	for (k = 0; k < l->dtls_oldc; k++)
		l->dtls_old[k] = mem_deref(l->dtls_old[k]);
	l->dtls_oldc = 0;
}
