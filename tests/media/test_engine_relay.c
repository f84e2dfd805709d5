/* test_engine_relay.c: the relay's per-packet path and timers driven
 * directly (no sockets, no threads): rewriting, direction, telephone-event
 * clock mapping, RTCP reports of our own and RTT from the peer's. */
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "media/media_int.h"

#define MAX_SENT 16

struct sent {
	uint8_t buf[MAX_SENT][1600];
	size_t len[MAX_SENT];
	int leg[MAX_SENT];
	bool rtcp[MAX_SENT];
	size_t n;
	unsigned events[3][2];
};

static struct sent *sent_of(struct mrelay *r)
{
	return r->arg;
}

static void send_h(struct mrelay *r, int leg, bool rtcp, const uint8_t *buf,
		   size_t len, const struct sa *dst)
{
	struct sent *s = sent_of(r);

	assert_non_null(dst);
	assert_true(s->n < MAX_SENT);
	memcpy(s->buf[s->n], buf, len);
	s->len[s->n] = len;
	s->leg[s->n] = leg;
	s->rtcp[s->n] = rtcp;
	s->n++;
}

static void event_h(struct mrelay *r, int leg, enum media_event ev,
		    const char *reason)
{
	(void)reason;
	sent_of(r)->events[ev][leg]++;
}

static void relay_setup(struct mrelay *r, struct sent *s, uint32_t te_rate_b)
{
	struct mleg_params p;
	int i;

	memset(s, 0, sizeof(*s));
	mrelay_init(r, 1000);
	r->sendh = send_h;
	r->eventh = event_h;
	r->arg = s;
	for (i = 0; i < 2; i++) {
		memset(&p, 0, sizeof(p));
		p.kind = MEDIA_RTP;
		p.active = true;
		p.dir = SDP_SENDRECV;
		p.codec.codec = MEDIA_CODEC_PCMU;
		p.codec.pt = 0;
		p.codec.rate = 8000;
		p.te_pt = i ? 96 : 101;
		p.te_rate = i ? te_rate_b : 8000;
		sa_set(&p.remote, "127.0.0.1", (uint16_t)(5000 + 10 * i));
		sa_set(&p.remote_rtcp, "127.0.0.1", (uint16_t)(5001 + 10 * i));
		mrelay_set_params(r, i, &p);
	}
}

static size_t rtp(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ts,
		  size_t plen)
{
	struct rtp_hdr h;
	size_t n;

	memset(&h, 0, sizeof(h));
	h.pt = pt;
	h.seq = seq;
	h.ts = ts;
	h.ssrc = 0x1234;
	assert_int_equal(rtp_hdr_encode(buf, 64, &n, &h), 0);
	memset(buf + n, 0x11, plen);
	return n + plen;
}

static void test_rewrite_and_direction(void **state)
{
	struct mrelay r;
	struct sent s;
	struct sa src;
	struct rtp_hdr h0, h1;
	uint8_t buf[1600];
	size_t len;
	struct mleg_params p;

	(void)state;
	relay_setup(&r, &s, 8000);
	sa_set(&src, "127.0.0.1", 5000);
	len = rtp(buf, 0, 10, 100, 160);
	mrelay_input(&r, 0, false, buf, len, sizeof(buf), &src, 1000);
	len = rtp(buf, 0, 11, 260, 160);
	mrelay_input(&r, 0, false, buf, len, sizeof(buf), &src, 1020);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.leg[0], 1);
	assert_int_equal(rtp_hdr_decode(&h0, s.buf[0], s.len[0]), 0);
	assert_int_equal(rtp_hdr_decode(&h1, s.buf[1], s.len[1]), 0);
	assert_int_equal(h0.ssrc, r.leg[1].out.ssrc);
	assert_int_equal((uint16_t)(h1.seq - h0.seq), 1);
	assert_int_equal(h1.ts - h0.ts, 160);
	assert_int_equal(s.events[MEDIA_EV_CONNECTED][0], 1);

	/* A new source on leg a (say, a transfer on the PBX) continues our
	 * numbering toward b: no jump in sequence, time moves on. */
	len = rtp(buf, 0, 5000, 999999, 160);
	buf[8] = 0x99; /* another SSRC */
	mrelay_input(&r, 0, false, buf, len, sizeof(buf), &src, 1040);
	assert_int_equal(rtp_hdr_decode(&h0, s.buf[2], s.len[2]), 0);
	assert_int_equal((uint16_t)(h0.seq - h1.seq), 1);
	assert_int_equal(h0.ts - h1.ts, 160);

	/* b declared recvonly: nothing from b goes to a. */
	p = r.leg[1].p;
	p.dir = SDP_RECVONLY;
	mrelay_set_params(&r, 1, &p);
	sa_set(&src, "127.0.0.1", 5010);
	len = rtp(buf, 0, 1, 1, 160);
	mrelay_input(&r, 1, false, buf, len, sizeof(buf), &src, 1060);
	assert_int_equal(s.n, 3);
}

static void test_dtmf_clock(void **state)
{
	struct mrelay r;
	struct sent s;
	struct sa src;
	struct dtmf_event ev = {
	    .event = 11, .end = true, .volume = 10, .duration = 1600};
	struct rtp_hdr h;
	uint8_t buf[64];
	size_t len;

	(void)state;
	/* b's telephone-event runs at 48 kHz (WebRTC style). */
	relay_setup(&r, &s, 48000);
	sa_set(&src, "127.0.0.1", 5000);
	len = rtp(buf, 101, 1, 8000, 0);
	assert_int_equal(dtmf_encode(buf + len, 4, &ev), 0);
	mrelay_input(&r, 0, false, buf, len + 4, sizeof(buf), &src, 1000);
	assert_int_equal(s.n, 1);
	assert_int_equal(rtp_hdr_decode(&h, s.buf[0], s.len[0]), 0);
	assert_int_equal(h.pt, 96);
	assert_int_equal(dtmf_decode(&ev, h.payload, h.payload_len), 0);
	assert_int_equal(ev.event, 11);
	assert_true(ev.end);
	assert_int_equal(ev.duration, 9600); /* 200 ms at 48 kHz */
}

static void test_rtcp_reports(void **state)
{
	struct mrelay r;
	struct sent s;
	struct sa src;
	struct rtcp_pkt pktv[RTCP_MAX_PKTS];
	struct rtcp_rb rb;
	size_t pktc = RTCP_MAX_PKTS, i, len, n = 0;
	uint8_t buf[1600];
	struct timespec ts;
	uint32_t mid;

	(void)state;
	relay_setup(&r, &s, 8000);
	sa_set(&src, "127.0.0.1", 5000);
	for (i = 0; i < 5; i++) {
		len = rtp(buf, 0, (uint16_t)(100 + i), 160 * (uint32_t)i, 160);
		mrelay_input(&r, 0, false, buf, len, sizeof(buf), &src,
			     1000 + 20 * i);
	}
	s.n = 0;
	/* First tick arms, the next one after the interval reports. */
	mrelay_tick(&r, 2000);
	mrelay_tick(&r, 2000 + MEDIA_RTCP_INTERVAL_MS);
	assert_true(s.n >= 2);
	for (i = 0; i < s.n; i++) {
		assert_true(s.rtcp[i]);
		assert_int_equal(rtcp_decode(pktv, &pktc, s.buf[i], s.len[i]),
				 0);
		pktc = RTCP_MAX_PKTS;
		if (s.leg[i] == 0) {
			/* Toward a: an RR about a's stream. */
			assert_int_equal(pktv[0].type, RTCP_RR);
			assert_int_equal(pktv[0].rbc, 1);
			assert_int_equal(rtcp_rb_decode(&rb, &pktv[0], 0), 0);
			assert_int_equal(rb.ssrc, 0x1234);
			assert_int_equal(rb.last_seq, 104);
			assert_int_equal(pktv[1].type, RTCP_SDES);
			n++;
		} else {
			/* Toward b: an SR for what we sent it. */
			assert_int_equal(pktv[0].type, RTCP_SR);
			assert_int_equal(pktv[0].sr.ssrc, r.leg[1].out.ssrc);
			assert_int_equal(pktv[0].sr.pkt_count, 5);
			assert_int_equal(pktv[0].sr.octet_count, 5 * 160);
			n++;
		}
	}
	assert_int_equal(n, s.n);

	/* b reports on our stream with LSR = now - 0.5 s, DLSR 0.25 s:
	 * the round trip is about 250 ms. */
	clock_gettime(CLOCK_REALTIME, &ts);
	mid = (uint32_t)(((uint64_t)ts.tv_sec + 2208988800u) << 16) |
	      (uint32_t)(((uint64_t)ts.tv_nsec << 16) / 1000000000u);
	memset(&rb, 0, sizeof(rb));
	rb.ssrc = r.leg[1].out.ssrc;
	rb.lsr = mid - 32768;
	rb.dlsr = 16384;
	assert_int_equal(rtcp_rr_encode(buf, sizeof(buf), &len, 0x5678, &rb, 1),
			 0);
	sa_set(&src, "127.0.0.1", 5011);
	mrelay_input(&r, 1, true, buf, len, sizeof(buf), &src, 9000);
	assert_true(atomic_load(&r.leg[1].st.rtt_us) > 240000);
	assert_true(atomic_load(&r.leg[1].st.rtt_us) < 300000);
}

static void test_no_media_tick(void **state)
{
	struct mrelay r;
	struct sent s;
	struct sa src;
	uint8_t buf[256];
	size_t len;

	(void)state;
	relay_setup(&r, &s, 8000);
	sa_set(&src, "127.0.0.1", 5000);
	len = rtp(buf, 0, 1, 1, 160);
	mrelay_input(&r, 0, false, buf, len, sizeof(buf), &src, 1000);
	mrelay_tick(&r, 1500);
	assert_int_equal(s.events[MEDIA_EV_NO_MEDIA][0], 0);
	mrelay_tick(&r, 2000);
	mrelay_tick(&r, 2500);
	assert_int_equal(s.events[MEDIA_EV_NO_MEDIA][0], 1); /* once */
	assert_int_equal(s.events[MEDIA_EV_NO_MEDIA][1], 0);
	/* Media again re-arms it. */
	len = rtp(buf, 0, 2, 161, 160);
	mrelay_input(&r, 0, false, buf, len, sizeof(buf), &src, 3000);
	mrelay_tick(&r, 4100);
	assert_int_equal(s.events[MEDIA_EV_NO_MEDIA][0], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_rewrite_and_direction),
	    SC_TEST(test_dtmf_clock),
	    SC_TEST(test_rtcp_reports),
	    SC_TEST(test_no_media_tick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
