/* relay.c: the per-packet path of a session on its worker: source checks
 * (symmetric RTP), RTP rewriting into each leg's own SSRC / sequence /
 * timestamp space (RFC 3550 section 8, RFC 7667 section 3.2.1.3: a media
 * translator that hides both sides), telephone-event mapping (RFC 4733)
 * and the timers (RTCP, no media). No sockets here: packets leave through
 * r->sendh, so tests and the fuzzer drive this file directly. */
#include <errno.h>
#include <string.h>

#include "media/media_int.h"

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

		l->fdv[0] = l->fdv[1] = -1;
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
	/* A new codec or peer: the next packet re-bases our output so that
	 * sequence and timestamps stay continuous for the receiver. */
	if (l->p.codec.codec != p->codec.codec || l->p.codec.pt != p->codec.pt)
		l->out.resync = true;
	l->p = *p;
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
			uint64_t gap = now_ms > o->last_ms ? now_ms - o->last_ms
			                                   : 0;
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
	atomic_store_explicit(&l->st.rx_lost,
	                      expected > in->seq.received
	                              ? expected - in->seq.received
	                              : 0,
	                      memory_order_relaxed);
	in->last_rx_ms = now_ms;
	in->no_media_sent = false;
	if (!atomic_load(&l->st.connected)) {
		atomic_store(&l->st.connected, true);
		if (r->eventh)
			r->eventh(r, leg, MEDIA_EV_CONNECTED, "media");
	}
}

static bool dir_sends(enum msdp_dir d)
{
	return d & MSDP_SENDONLY;
}

static bool dir_recvs(enum msdp_dir d)
{
	return d & MSDP_RECVONLY;
}

/* Maps a telephone-event in place onto the out leg's PT and clock. */
static int te_map(struct mrelay_leg *in, struct mrelay_leg *out,
                  struct rtp_hdr *h, uint8_t *payload)
{
	struct dtmf_event ev;
	struct rtp_tsmap m;
	int err;

	if (!out->p.te_pt)
		return ENOENT;
	h->pt = out->p.te_pt;
	if (in->p.te_rate == out->p.te_rate)
		return 0;
	err = dtmf_decode(&ev, payload, h->payload_len);
	if (err)
		return err;
	m.from_base = 0;
	m.to_base = 0;
	m.from_rate = in->p.te_rate;
	m.to_rate = out->p.te_rate;
	err = dtmf_event_map(&ev, &h->ts, &m);
	if (!err)
		err = dtmf_encode(payload, h->payload_len, &ev);
	return err;
}

static void rtp_forward(struct mrelay *r, int leg, uint8_t *buf, size_t len,
                        struct rtp_hdr *h, uint64_t now_ms)
{
	struct mrelay_leg *in = &r->leg[leg];
	int to = r->echo ? leg : 1 - leg;
	struct mrelay_leg *out = &r->leg[to];
	uint16_t seq;
	uint32_t ts;
	size_t hlen;

	if (!out->p.active || !sa_isset(&out->p.remote) ||
	    !dir_sends(in->p.dir) || !dir_recvs(out->p.dir))
		return;
	if (h->pt == in->p.codec.pt) {
		/* Pass-through needs one codec on both sides; transcoding
		 * (codec/xcode.h) plugs in here. */
		if (in->p.codec.codec != out->p.codec.codec)
			goto drop;
		h->pt = out->p.codec.pt;
	} else if (in->p.te_pt && h->pt == in->p.te_pt) {
		if (te_map(in, out, h, (uint8_t *)h->payload))
			goto drop;
	} else {
		goto drop; /* comfort noise, unknown payloads */
	}
	out_map(&out->out, h, out->p.codec.rate, now_ms, &seq, &ts);
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
	out->out.pkt_count++;
	out->out.octet_count += (uint32_t)h->payload_len;
	stat_add(&out->st.tx_packets, 1);
	stat_add(&out->st.tx_bytes, len);
	r->sendh(r, to, false, buf, len, &out->p.remote);
	return;
drop:
	stat_add(&in->st.rx_dropped, 1);
}

void mrelay_input(struct mrelay *r, int leg, bool rtcp, uint8_t *buf,
                  size_t len, const struct sa *src, uint64_t now_ms)
{
	struct mrelay_leg *l;
	struct rtp_hdr h;

	if (!r || leg < 0 || leg > 1 || !buf || !src)
		return;
	l = &r->leg[leg];
	if (!l->p.active || l->p.kind == MEDIA_WEBRTC ||
	    l->p.kind == MEDIA_SRTP || l->p.kind == MEDIA_ECHO)
		goto drop; /* secure legs: see the DTLS/SDES path */
	/* Symmetric RTP: only the address the SDP named (RFC 4961). */
	if (!sa_cmp(src, rx_expected(l, rtcp)))
		goto drop;
	if (rtcp || rtp_is_rtcp(buf, len)) {
		mrtcp_consume(r, leg, buf, len, now_ms);
		return;
	}
	if (rtp_hdr_decode(&h, buf, len))
		goto drop;
	rx_account(r, leg, &h, len, now_ms);
	rtp_forward(r, leg, buf, len, &h, now_ms);
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
		if (r->no_media_ms && l->in.last_rx_ms && !l->in.no_media_sent &&
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
