/* session_dtls.c: the DTLS association of a WebRTC leg across offers and
 * answers (RFC 8842 section 5, RFC 5763 section 6.6): our role from the
 * peer's a=setup, kept by an a=setup:actpass re-offer; a new association
 * when the role or the peer's certificate fingerprint changes. The new
 * connection is made here on the signalling thread and handed to the
 * worker with the leg's parameters; the worker runs its handshake while
 * media goes on under the old keys (webrtc.c, leg_keys.c). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "media/session_int.h"
#include "tls/dtls.h"

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
