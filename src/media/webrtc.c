/* webrtc.c: the browser side of a session on its worker: one socket
 * demultiplexed by the first byte (RFC 7983), ICE-lite checks answered
 * (RFC 8445 section 7.3), DTLS-SRTP keying (RFC 5764) and SRTP/SRTCP
 * (RFC 3711, RFC 7714). Media goes only to an address that passed an
 * authenticated check, and is accepted only from such addresses. */
#include <errno.h>
#include <string.h>

#include "media/media_int.h"
#include "media/srtp.h"
#include "stun/ice.h"
#include "tls/dtls.h"

static void stun_from_sa(struct stun_addr *s, const struct sa *sa)
{
	memset(s, 0, sizeof(*s));
	s->port = sa_port(sa);
	if (sa_family(sa) == AF_INET6) {
		s->family = 6;
		memcpy(s->addr, &sa->u.in6.sin6_addr, 16);
	} else {
		s->family = 4;
		memcpy(s->addr, &sa->u.in.sin_addr, 4);
	}
}

static bool is_valid_src(const struct mrelay_leg *l, const struct sa *src)
{
	size_t i;

	for (i = 0; i < l->validc; i++)
		if (sa_cmp(&l->validv[i], src))
			return true;
	return false;
}

static void valid_add(struct mrelay_leg *l, const struct sa *src)
{
	if (is_valid_src(l, src))
		return;
	/* The oldest address makes room (a browser tries few pairs). */
	if (l->validc == MEDIA_VALID_MAX) {
		memmove(&l->validv[0], &l->validv[1],
			(MEDIA_VALID_MAX - 1) * sizeof(l->validv[0]));
		l->validc--;
	}
	l->validv[l->validc++] = *src;
}

int mwebrtc_dtls_send(const uint8_t *buf, size_t len, void *arg)
{
	struct mrelay_leg *l = arg;

	if (!sa_isset(&l->ice_dst) || !l->owner->sendh)
		return 0;
	l->owner->sendh(l->owner, l->idx, false, buf, len, &l->ice_dst);
	return 0;
}

void mwebrtc_dtls_estab(const struct dtls_srtp_keys *keys, void *arg)
{
	struct mrelay_leg *l = arg;
	struct mrelay *r = l->owner;
	struct msrtp *tx = NULL, *rx = NULL;
	int err;

	err = msrtp_alloc(&tx, (enum msrtp_profile)keys->profile,
			  keys->local_key, keys->local_salt);
	if (!err)
		err = msrtp_alloc(&rx, (enum msrtp_profile)keys->profile,
				  keys->remote_key, keys->remote_salt);
	if (err) {
		mem_deref(tx);
		mem_deref(rx);
		if (r->eventh)
			r->eventh(r, l->idx, MEDIA_EV_FAILED, "srtp keys");
		return;
	}
	/* A new association's keys replace the old ones now (RFC 8842
	 * section 5); until then media went on under the old keys. */
	mleg_keys_set(l, tx, rx);
	atomic_store(&l->st.connected, true);
	if (r->eventh)
		r->eventh(r, l->idx, MEDIA_EV_CONNECTED, "dtls");
}

void mwebrtc_dtls_close(int err, const char *reason, void *arg)
{
	struct mrelay_leg *l = arg;
	struct mrelay *r = l->owner;

	/* Keys already in place stay valid after the peer's close_notify. */
	if (err && r->eventh)
		r->eventh(r, l->idx, MEDIA_EV_FAILED, reason ? reason : "dtls");
}

/* As the DTLS client (RFC 8842 section 5), the handshake starts once an
 * address passed a check: after the first check, or at once for a new
 * association on a checked path. */
static void dtls_start(struct mrelay_leg *l, uint64_t now_ms)
{
	if (l->dtls && l->dtls_client && !l->dtls_started &&
	    sa_isset(&l->ice_dst)) {
		l->dtls_started = true;
		(void)dtls_conn_start(l->dtls, now_ms);
	}
}

void mwebrtc_set_params(struct mrelay_leg *l, const struct mleg_params *p)
{
	if (p->ice && p->ice != l->ice) {
		/* ICE restart: new credentials, checks with the old ones
		 * fail from now on; media keeps its pair until a check with
		 * the new ones passes (RFC 8445 section 9). */
		l->ice = p->ice;
		l->validc = 0;
		if (sa_isset(&l->ice_dst)) {
			l->validv[l->validc++] = l->ice_dst;
			l->ice_stale = true;
		}
	}
	if (p->dtls && p->dtls != l->dtls) {
		/* The first association, or a new one (RFC 8842 section 5:
		 * the role or the fingerprint changed): a handshake in the
		 * role given; the old association is no longer fed, its
		 * keys stay until the new one is established. */
		l->dtls = p->dtls;
		l->dtls_client = p->dtls_client;
		l->dtls_started = false;
	}
}

static void stun_input(struct mrelay *r, struct mrelay_leg *l,
		       const uint8_t *buf, size_t len, const struct sa *src,
		       uint64_t now_ms)
{
	uint8_t resp[ICE_RESP_MAX];
	struct stun_addr sa;
	struct ice_check chk;
	size_t rlen = 0;

	if (!l->ice)
		return;
	stun_from_sa(&sa, src);
	memset(&chk, 0, sizeof(chk));
	if (ice_lite_handle(l->ice, buf, len, &sa, resp, sizeof(resp), &rlen,
			    &chk))
		return;
	if (rlen && r->sendh)
		r->sendh(r, l->idx, false, resp, rlen, src);
	if (!chk.valid)
		return;
	if (l->ice_stale) {
		/* The first check under the credentials of an ICE restart
		 * (RFC 8445 section 9): from now on media goes only to
		 * addresses checked with them. */
		l->ice_stale = false;
		l->validc = 0;
		l->ice_dst = *src;
	}
	valid_add(l, src);
	/* RFC 8445 7.3.1.5: the controlling agent's nomination selects the
	 * pair; before it, the first valid address carries media. */
	if (chk.nominated || !sa_isset(&l->ice_dst))
		l->ice_dst = *src;
	dtls_start(l, now_ms);
}

int mwebrtc_input(struct mrelay *r, int leg, uint8_t *buf, size_t *lenp,
		  const struct sa *src, uint64_t now_ms)
{
	struct mrelay_leg *l = &r->leg[leg];
	size_t len = *lenp;
	int err = 0;

	if (!len)
		return EBADMSG;
	switch (stun_demux(buf[0])) {
	case STUN_DEMUX_STUN:
		stun_input(r, l, buf, len, src, now_ms);
		return ENODATA;
	case STUN_DEMUX_DTLS:
		if (!l->dtls || !is_valid_src(l, src))
			return EACCES;
		(void)dtls_conn_recv(l->dtls, buf, len, now_ms);
		return ENODATA;
	case STUN_DEMUX_RTP:
		break;
	default:
		return EBADMSG;
	}
	if (!l->srtp_rx || !is_valid_src(l, src))
		return EACCES;
	/* Authenticated before anything else reads the packet. */
	err = mleg_unprotect(l, rtp_is_rtcp(buf, len), buf, &len, now_ms);
	if (err)
		return err;
	*lenp = len;
	return 0;
}

int mleg_protect(struct mrelay_leg *l, uint8_t *buf, size_t *lenp, size_t size,
		 bool rtcp)
{
	if (!l->srtp_tx || !sa_isset(mleg_dst(l)))
		return ENOTCONN;
	return rtcp ? msrtcp_protect(l->srtp_tx, buf, lenp, size)
		    : msrtp_protect(l->srtp_tx, buf, lenp, size);
}

void mwebrtc_tick(struct mrelay_leg *l, uint64_t now_ms)
{
	uint64_t t;

	if (!l->dtls)
		return;
	dtls_start(l, now_ms);
	t = dtls_conn_timeout(l->dtls);
	if (t && now_ms >= t)
		(void)dtls_conn_tick(l->dtls, now_ms);
}
