/* relay.c: the per-packet path of a session on its worker: source checks
 * (symmetric RTP), RTP rewriting into each leg's own SSRC / sequence /
 * timestamp space (RFC 3550 section 8, RFC 7667 section 3.2.1.3: a media
 * translator that hides both sides), telephone-event mapping (RFC 4733),
 * the timers (RTCP, no media) and a leg's SRTP keys across re-keying. No
 * sockets here: packets leave through r->sendh, so tests and the fuzzer
 * drive this file directly. */
#include <errno.h>
#include <string.h>

#include "media/media_int.h"
#include "media/srtp.h"

static void stat_add(atomic_uint_fast64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

void mrelay_init(struct mrelay *r, uint32_t no_media_ms)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->no_media_ms = no_media_ms;
	for (i = 0; i < 2; i++) {
		struct mrelay_leg *l = &r->leg[i];

		l->owner = r;
		l->idx = i;
		l->fdv[0] = l->fdv[1] = -1;
		l->sockv[0] = l->sockv[1] = -1;
		l->out.ssrc = rand_u32();
		l->out.seq_off = (uint16_t)rand_u32();
		l->out.ts_off = rand_u32();
		rand_token(l->cname, sizeof(l->cname));
	}
}

void mrelay_set_params(struct mrelay *r, int leg, const struct mleg_params *p)
{
	struct mrelay_leg *l = &r->leg[leg];

	if (!sa_cmp(&l->p.remote, &p->remote))
		memset(&l->latched, 0, sizeof(l->latched));
	/* SDES keys: the worker takes over the references. */
	mleg_keys_set(l, p->sdes_tx, p->sdes_rx);
	/* A new codec or peer: the next packet re-bases our output so that
	 * sequence and timestamps stay continuous for the receiver. */
	if (l->p.codec.codec != p->codec.codec || l->p.codec.pt != p->codec.pt)
		l->out.resync = true;
	l->p = *p;
	l->p.sdes_tx = l->p.sdes_rx = NULL;
	mwebrtc_set_params(l, p);
}

static const struct sa *rx_expected(const struct mrelay_leg *l, bool rtcp)
{
	if (sa_isset(&l->latched))
		return &l->latched;
	return (rtcp && !l->p.rtcp_mux) ? &l->p.remote_rtcp : &l->p.remote;
}

static uint32_t ms_to_ts(uint64_t ms, uint32_t rate)
{
	return (uint32_t)(ms * rate / 1000);
}

/* RFC 3550 section 5.1: our sequence and timestamp for a packet of the
 * source in_ssrc; a new source (or resync) continues where we were. */
static void out_map(struct mout *o, const struct rtp_hdr *h, uint32_t rate,
		    uint64_t now_ms, uint16_t *seqp, uint32_t *tsp)
{
	if (!o->started || o->resync || o->in_ssrc != h->ssrc) {
		if (o->started) {
			uint64_t gap =
			    now_ms > o->last_ms ? now_ms - o->last_ms : 0;
			uint32_t step = SC_MAX(ms_to_ts(gap, rate), 1u);

			o->seq_off = (uint16_t)(o->last_seq + 1 - h->seq);
			o->ts_off = o->last_ts + step - h->ts;
		} else {
			o->seq_off = (uint16_t)(o->seq_off - h->seq);
			o->ts_off -= h->ts;
		}
		o->in_ssrc = h->ssrc;
		o->in_rate = rate;
		o->resync = false;
		o->started = true;
	}
	*seqp = (uint16_t)(h->seq + o->seq_off);
	*tsp = h->ts + o->ts_off;
	/* Only move forward: a late packet must not rewind the base. */
	if ((int16_t)(*seqp - o->last_seq) > 0 || !o->last_ms) {
		o->last_seq = *seqp;
		o->last_ts = *tsp;
		o->last_ms = now_ms;
	}
}

static void rx_account(struct mrelay *r, int leg, const struct rtp_hdr *h,
		       size_t len, uint64_t now_ms)
{
	struct mrelay_leg *l = &r->leg[leg];
	struct min *in = &l->in;
	uint32_t rate = l->p.codec.rate ? l->p.codec.rate : 8000;
	uint32_t expected;

	stat_add(&l->st.rx_packets, 1);
	stat_add(&l->st.rx_bytes, len);
	if (!in->have_src || in->ssrc != h->ssrc) {
		rtp_seq_init(&in->seq, h->seq);
		memset(&in->jit, 0, sizeof(in->jit));
		in->ssrc = h->ssrc;
		in->have_src = true;
	}
	if (rtp_seq_update(&in->seq, h->seq) && h->pt == l->p.codec.pt) {
		rtp_jitter_update(&in->jit, ms_to_ts(now_ms, rate), h->ts);
		atomic_store_explicit(
		    &l->st.jitter_us,
		    (uint32_t)((uint64_t)rtp_jitter_get(&in->jit) * 1000000 /
			       rate),
		    memory_order_relaxed);
	}
	expected = rtp_seq_ext_max(&in->seq) - in->seq.base_seq + 1;
	atomic_store_explicit(
	    &l->st.rx_lost,
	    expected > in->seq.received ? expected - in->seq.received : 0,
	    memory_order_relaxed);
	in->last_rx_ms = now_ms;
	in->no_media_sent = false;
	if (!atomic_load(&l->st.connected)) {
		atomic_store(&l->st.connected, true);
		if (r->eventh)
			r->eventh(r, leg, MEDIA_EV_CONNECTED, "media");
	}
}

/* Maps a telephone-event in place onto the out leg's PT and clock. */
static int te_map(struct mrelay_leg *in, struct mrelay_leg *out,
		  struct rtp_hdr *h, uint8_t *payload,
		  const struct rtp_tsmap *xm)
{
	struct dtmf_event ev;
	struct rtp_tsmap m;
	int err;

	if (!out->p.te_pt)
		return ENOENT;
	h->pt = out->p.te_pt;
	if (in->p.te_rate == out->p.te_rate && !xm)
		return 0;
	err = dtmf_decode(&ev, payload, h->payload_len);
	if (err)
		return err;
	/* Transcoding: anchored where the audio is (RFC 4733 2.5.1.2:
	 * the event's timestamp is its start on the audio clock). */
	m.from_base = xm ? xm->from_base : 0;
	m.to_base = xm ? xm->to_base : 0;
	m.from_rate = in->p.te_rate;
	m.to_rate = out->p.te_rate;
	err = dtmf_event_map(&ev, &h->ts, &m);
	if (!err)
		err = dtmf_encode(payload, h->payload_len, &ev);
	return err;
}

const struct sa *mleg_dst(const struct mrelay_leg *l)
{
	if (l->p.kind == MEDIA_WEBRTC)
		return &l->ice_dst;
	return sa_isset(&l->latched) ? &l->latched : &l->p.remote;
}

static bool is_srtp(const struct mrelay_leg *l)
{
	return l->p.kind == MEDIA_WEBRTC || l->p.kind == MEDIA_SRTP;
}

void mrelay_emit(struct mrelay *r, int to, uint8_t *buf, size_t len,
		 size_t size, size_t payload_len)
{
	struct mrelay_leg *out = &r->leg[to];

	if (is_srtp(out) && mleg_protect(out, buf, &len, size, false))
		return;
	out->out.pkt_count++;
	out->out.octet_count += (uint32_t)payload_len;
	stat_add(&out->st.tx_packets, 1);
	stat_add(&out->st.tx_bytes, len);
	r->sendh(r, to, false, buf, len, mleg_dst(out));
}

/* The codec a packet of leg is turned into on its way: the other leg's,
 * or for an echo the echo leg's (and back). */
static bool needs_xcode(const struct mrelay *r, int leg, int to)
{
	enum media_codec mid =
	    r->echo ? r->leg[1].p.codec.codec : r->leg[to].p.codec.codec;

	return r->leg[leg].p.codec.codec != mid ||
	       r->leg[leg].p.codec.codec != r->leg[to].p.codec.codec;
}

static void rtp_forward(struct mrelay *r, int leg, uint8_t *buf, size_t len,
			size_t size, struct rtp_hdr *h, uint64_t now_ms)
{
	struct mrelay_leg *in = &r->leg[leg];
	int to = r->echo ? leg : 1 - leg;
	struct mrelay_leg *out = &r->leg[to];
	bool xc = needs_xcode(r, leg, to);
	uint16_t seq;
	uint32_t ts;
	size_t hlen;

	if (!out->p.active || !sa_isset(mleg_dst(out)) ||
	    !sdp_dir_sends(in->p.dir) || !sdp_dir_recvs(out->p.dir))
		return;
	if (h->pt == in->p.codec.pt) {
		if (xc) {
			/* Opus <-> G.711 (codec/xcode.h): new packets in
			 * our own numbering. */
			if (mxcode_audio(r, leg, to, h, now_ms))
				goto drop;
			return;
		}
		h->pt = out->p.codec.pt;
	} else if (in->p.te_pt && h->pt == in->p.te_pt) {
		if (!out->p.te_pt && !r->echo) {
			/* the other side takes DTMF only as SIP INFO */
			mdtmf_rx(r, leg, h);
			return;
		}
		if (te_map(in, out, h, (uint8_t *)h->payload,
			   xc ? &r->xc[leg].te : NULL))
			goto drop;
	} else {
		goto drop; /* comfort noise, unknown payloads */
	}
	if (xc) {
		/* Events ride on the transcoded stream's numbering. */
		seq = (uint16_t)(out->out.last_seq + 1);
		ts = h->ts;
		out->out.last_seq = seq;
		out->out.last_ms = now_ms;
		out->out.resync = true;
	} else {
		out_map(&out->out, h, out->p.codec.rate, now_ms, &seq, &ts);
	}
	h->seq = seq;
	h->ts = ts;
	h->ssrc = out->out.ssrc;
	/* Our header: no CSRCs, no extensions of the other side. */
	h->cc = 0;
	h->extension = false;
	if (rtp_hdr_encode(buf, len, &hlen, h) || hlen > h->hdr_len)
		goto drop;
	if (hlen < h->hdr_len)
		memmove(buf + hlen, h->payload, h->payload_len + h->pad_len);
	len = hlen + h->payload_len + h->pad_len;
	mrelay_emit(r, to, buf, len, size, h->payload_len);
	return;
drop:
	stat_add(&in->st.rx_dropped, 1);
}

/* SDES-SRTP (RFC 4568): authenticated before anything else; a source
 * whose RTP authenticates is where we send from then on (latching behind
 * NAT, but only on proof of the key). */
static int sdes_input(struct mrelay_leg *l, bool rtcp, uint8_t *buf,
		      size_t *lenp, const struct sa *src, uint64_t now_ms)
{
	int err;

	if (!l->srtp_rx || !*lenp || (buf[0] & 0xc0) != 0x80)
		return EACCES;
	err = mleg_unprotect(l, rtcp || rtp_is_rtcp(buf, *lenp), buf, lenp,
			     now_ms);
	if (err)
		return err;
	if (!rtcp && !rtp_is_rtcp(buf, *lenp) && !sa_cmp(src, mleg_dst(l)))
		l->latched = *src;
	return 0;
}

void mrelay_input(struct mrelay *r, int leg, bool rtcp, uint8_t *buf,
		  size_t len, size_t size, const struct sa *src,
		  uint64_t now_ms)
{
	struct mrelay_leg *l;
	struct rtp_hdr h;
	int err;

	if (!r || leg < 0 || leg > 1 || !buf || !src || size < len)
		return;
	l = &r->leg[leg];
	if (!l->p.active || l->p.kind == MEDIA_ECHO)
		goto drop;
	if (l->p.kind == MEDIA_WEBRTC) {
		err = mwebrtc_input(r, leg, buf, &len, src, now_ms);
		if (err == ENODATA)
			return;
		if (err)
			goto drop;
	} else if (l->p.kind == MEDIA_SRTP) {
		err = sdes_input(l, rtcp, buf, &len, src, now_ms);
		if (err)
			goto drop;
	} else if (!sa_cmp(src, rx_expected(l, rtcp))) {
		/* Symmetric RTP: only the address the SDP named (RFC
		 * 4961). */
		goto drop;
	}
	if (rtcp || rtp_is_rtcp(buf, len)) {
		mrtcp_consume(r, leg, buf, len, now_ms);
		return;
	}
	if (rtp_hdr_decode(&h, buf, len))
		goto drop;
	rx_account(r, leg, &h, len, now_ms);
	rtp_forward(r, leg, buf, len, size, &h, now_ms);
	return;
drop:
	stat_add(&l->st.rx_dropped, 1);
}

void mrelay_tick(struct mrelay *r, uint64_t now_ms)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct mrelay_leg *l = &r->leg[i];

		if (!l->p.active || l->p.kind == MEDIA_ECHO)
			continue;
		if (l->p.kind == MEDIA_WEBRTC)
			mwebrtc_tick(l, now_ms);
		if (l->dtx.active)
			mdtmf_tick(r, i, now_ms);
		if (r->no_media_ms && l->in.last_rx_ms &&
		    !l->in.no_media_sent &&
		    now_ms - l->in.last_rx_ms >= r->no_media_ms) {
			l->in.no_media_sent = true;
			if (r->eventh)
				r->eventh(r, i, MEDIA_EV_NO_MEDIA, "no media");
		}
		if (!l->next_rtcp_ms)
			l->next_rtcp_ms = now_ms + MEDIA_RTCP_INTERVAL_MS / 2;
		if (now_ms >= l->next_rtcp_ms) {
			mrtcp_send_report(r, i, now_ms);
			l->next_rtcp_ms = now_ms + MEDIA_RTCP_INTERVAL_MS;
		}
	}
}

/* The SRTP contexts of a leg on its worker across re-keying:
 * SDES keys from a re-offer (RFC 4568 section 7.1.4) or a new DTLS
 * association (RFC 8842 section 5). The new contexts take over at once;
 * the previous receive context still takes packets for
 * MEDIA_REKEY_OVERLAP_MS, those the peer sent before it switched or that
 * were on the way. With an MKI (RFC 3711 section 3.1) the packet names
 * its key and a packet of the other one costs no cryptography; without,
 * the current key is tried first. */
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
