/* leg_keys.c: the SRTP contexts of a leg on its worker across re-keying:
 * SDES keys from a re-offer (RFC 4568 section 7.1.4) or a new DTLS
 * association (RFC 8842 section 5). The new contexts take over at once;
 * the previous receive context still takes packets for
 * MEDIA_REKEY_OVERLAP_MS, those the peer sent before it switched or that
 * were on the way. With an MKI (RFC 3711 section 3.1) the packet names
 * its key and a packet of the other one costs no cryptography; without,
 * the current key is tried first. */
#include <errno.h>

#include "media/media_int.h"
#include "media/srtp.h"

void mleg_keys_set(struct mrelay_leg *l, struct msrtp *tx, struct msrtp *rx)
{
	if (tx) {
		mem_deref(l->srtp_tx);
		l->srtp_tx = tx;
	}
	if (!rx)
		return;
	/* One previous key at a time: a second re-key within the overlap
	 * ends the first one's. */
	mem_deref(l->srtp_rx_old);
	l->srtp_rx_old = l->srtp_rx;
	l->srtp_rx = rx;
	/* the overlap starts with the first packet after the switch (the
	 * worker's clock is not known here) */
	l->rx_old_until = 0;
}

static int unprotect(struct msrtp *s, bool rtcp, uint8_t *buf, size_t *lenp)
{
	return rtcp ? msrtcp_unprotect(s, buf, lenp)
		    : msrtp_unprotect(s, buf, lenp);
}

int mleg_unprotect(struct mrelay_leg *l, bool rtcp, uint8_t *buf, size_t *lenp,
		   uint64_t now_ms)
{
	int err;

	if (!l->srtp_rx)
		return EACCES;
	err = unprotect(l->srtp_rx, rtcp, buf, lenp);
	if (!l->srtp_rx_old)
		goto out;
	if (!l->rx_old_until)
		l->rx_old_until = now_ms + MEDIA_REKEY_OVERLAP_MS;
	if (now_ms >= l->rx_old_until) {
		l->srtp_rx_old = mem_deref(l->srtp_rx_old);
		goto out;
	}
	/* Another key (ENOENT: MKI) or not this key (EACCES): the old one
	 * may have made it; a replay under the new key stays refused. */
	if (err == ENOENT || err == EACCES)
		err = unprotect(l->srtp_rx_old, rtcp, buf, lenp);
out:
	/* No key of ours: as a forgery (the relay counts it dropped). */
	return err == ENOENT ? EACCES : err;
}
