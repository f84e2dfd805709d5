/* rtcpgen.c: RTCP of our own per leg (RFC 3550 section 6.4: SR while we
 * send, RR otherwise, with a report block about what we receive and an
 * SDES CNAME), and the peer's RTCP consumed for statistics (round-trip
 * time from LSR/DLSR, section 6.4.1) instead of being forwarded. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "media/media_int.h"

#define NTP_UNIX_OFFSET 2208988800u /* seconds 1900 -> 1970 */
#define RTCP_BUF_SIZE 256
#define MEDIA_SRTCP_ROOM 32 /* SRTCP index and tag */

static void ntp_now(uint32_t *sec, uint32_t *frac)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (uint32_t)ts.tv_sec + NTP_UNIX_OFFSET;
	*frac = (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

static uint32_t ntp_mid(uint32_t sec, uint32_t frac)
{
	return (sec << 16) | (frac >> 16);
}

void mrtcp_consume(struct mrelay *r, int leg, const uint8_t *buf,
                   size_t len, uint64_t now_ms)
{
	struct mrelay_leg *l = &r->leg[leg];
	struct rtcp_pkt pktv[RTCP_MAX_PKTS];
	size_t pktc = RTCP_MAX_PKTS, i, k;
	uint32_t sec, frac;

	if (rtcp_decode(pktv, &pktc, buf, len)) {
		atomic_fetch_add(&l->st.rx_dropped, 1);
		return;
	}
	ntp_now(&sec, &frac);
	for (i = 0; i < pktc; i++) {
		const struct rtcp_pkt *p = &pktv[i];

		if (p->type == RTCP_SR) {
			l->in.lsr = ntp_mid(p->sr.ntp_sec, p->sr.ntp_frac);
			l->in.lsr_ms = now_ms;
		}
		if (p->type != RTCP_SR && p->type != RTCP_RR)
			continue;
		for (k = 0; k < p->rbc; k++) {
			struct rtcp_rb rb;
			uint32_t rtt;

			if (rtcp_rb_decode(&rb, p, k) || rb.ssrc != l->out.ssrc ||
			    !rb.lsr)
				continue;
			/* RFC 3550 6.4.1: A - LSR - DLSR, in 1/65536 s. */
			rtt = ntp_mid(sec, frac) - rb.lsr - rb.dlsr;
			if (rtt & 0x80000000u)
				continue;
			atomic_store(&l->st.rtt_us,
			             (uint32_t)(((uint64_t)rtt * 1000000) >> 16));
		}
	}
}

void mrtcp_send_report(struct mrelay *r, int leg, uint64_t now_ms)
{
	struct mrelay_leg *l = &r->leg[leg];
	const struct sa *dst = (l->p.kind == MEDIA_WEBRTC || l->p.rtcp_mux)
	                               ? mleg_dst(l)
	                               : &l->p.remote_rtcp;
	uint8_t buf[RTCP_BUF_SIZE + MEDIA_SRTCP_ROOM];
	size_t len;
	struct rtcp_rb rb;
	struct pl cname;
	size_t n = 0, m = 0, rbc = 0;
	int err;

	if (!sa_isset(dst) || !sa_port(dst) || !r->sendh)
		return;
	memset(&rb, 0, sizeof(rb));
	if (l->in.have_src) {
		rb.ssrc = l->in.ssrc;
		rtp_seq_report(&l->in.seq, &rb);
		rb.jitter = rtp_jitter_get(&l->in.jit);
		if (l->in.lsr) {
			rb.lsr = l->in.lsr;
			/* DLSR in 1/65536 s since that SR arrived. */
			rb.dlsr = (uint32_t)(((now_ms - l->in.lsr_ms) << 16) /
			                     1000);
		}
		rbc = 1;
	}
	if (l->out.pkt_count) {
		struct rtcp_sr sr;
		uint64_t gap = now_ms > l->out.last_ms ? now_ms - l->out.last_ms
		                                       : 0;

		sr.ssrc = l->out.ssrc;
		ntp_now(&sr.ntp_sec, &sr.ntp_frac);
		sr.rtp_ts = l->out.last_ts +
		            (uint32_t)(gap * (l->p.codec.rate ? l->p.codec.rate
		                                              : 8000) /
		                       1000);
		sr.pkt_count = l->out.pkt_count;
		sr.octet_count = l->out.octet_count;
		err = rtcp_sr_encode(buf, RTCP_BUF_SIZE, &n, &sr, &rb, rbc);
	} else {
		err = rtcp_rr_encode(buf, RTCP_BUF_SIZE, &n, l->out.ssrc, &rb,
		                     rbc);
	}
	pl_set_str(&cname, l->cname);
	if (!err)
		err = rtcp_sdes_cname_encode(buf + n, RTCP_BUF_SIZE - n, &m,
		                             l->out.ssrc, &cname);
	len = n + m;
	if (!err && (l->p.kind == MEDIA_WEBRTC || l->p.kind == MEDIA_SRTP))
		err = mleg_protect(l, buf, &len, sizeof(buf), true);
	if (err)
		return;
	r->sendh(r, leg, true, buf, len, dst);
}
