/* test_engine.c: the relay engine between two plain RTP peers on
 * 127.0.0.1: offer/answer SDP, relaying with our own SSRC/seq/ts, source
 * checks, hold, stats, events and port release. */
#include "mtest.h"

struct mt_call {
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_peer pa, pb;
	uint16_t port_a, port_b; /* the engine's ports toward a and b */
	struct mt_events ev;
};

static void call_setup(struct mt_call *c, uint32_t no_media_ms,
		       enum media_kind kb)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP}, b = {.kind = kb};
	char sdp[512];
	struct mbuf *mb = NULL;
	struct pl pl;

	memset(c, 0, sizeof(*c));
	mt_engine(&c->me, &c->loop, no_media_ms);
	mt_peer_open(&c->pa);
	mt_peer_open(&c->pb);
	assert_int_equal(
	    media_session_alloc(&c->ms, c->me, &a, &b, mt_event_h, &c->ev), 0);
	assert_int_equal(media_engine_sessions(c->me), 1);
	mt_sdp(sdp, sizeof(sdp), c->pa.port, "0 8 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c->ms, MEDIA_LEG_A, &pl, &mb), 0);
	/* Topology hiding: nothing of a's description reaches b. */
	assert_true(mt_sdp_has(mb, "c=IN IP4 127.0.0.1\r\n"));
	assert_false(mt_sdp_has(mb, "o=- 42"));
	assert_true(mt_sdp_has(mb, "RTP/AVP 0 8 101\r\n"));
	assert_true(mt_sdp_has(mb, "a=rtpmap:101 telephone-event/8000"));
	assert_true(mt_sdp_has(mb, "a=sendrecv"));
	c->port_b = mt_sdp_port(mb);
	assert_true(mt_sdp_has(mb, "a=rtcp:"));
	mb = mem_deref(mb);
	if (kb == MEDIA_ECHO) {
		/* No sockets for a local endpoint: the discard port. */
		assert_int_equal(c->port_b, 9);
		assert_int_equal(media_engine_ports_used(c->me), 2);
	} else {
		assert_true(c->port_b >= MT_PORT_MIN &&
			    c->port_b <= MT_PORT_MAX);
		assert_int_equal(c->port_b % 2, 0);
		/* Both legs got ports: 2 sockets each (RTP and RTCP). */
		assert_int_equal(media_engine_ports_used(c->me), 4);
	}
	if (kb == MEDIA_ECHO) {
		assert_int_equal(media_answer_local(c->ms, MEDIA_LEG_B, &mb),
				 0);
	} else {
		mt_sdp(sdp, sizeof(sdp), c->pb.port, "8 101", NULL);
		pl_set_str(&pl, sdp);
		/* An answer from the offering side is out of order. */
		assert_int_equal(media_answer(c->ms, MEDIA_LEG_A, &pl, &mb),
				 EPROTO);
		assert_int_equal(media_answer(c->ms, MEDIA_LEG_B, &pl, &mb), 0);
	}
	/* The answer for a names the codec b chose: PCMA; the echo takes
	 * the first shared codec of its preferences, PCMU. */
	assert_true(mt_sdp_has(mb, kb == MEDIA_ECHO ? "RTP/AVP 0 101\r\n"
						    : "RTP/AVP 8 101\r\n"));
	c->port_a = mt_sdp_port(mb);
	assert_true(c->port_a >= MT_PORT_MIN && c->port_a != c->port_b);
	mem_deref(mb);
}

static void call_teardown(struct mt_call *c)
{
	media_session_close(c->ms);
	assert_int_equal(media_engine_ports_used(c->me), 0);
	assert_int_equal(media_engine_sessions(c->me), 0);
	c->ms = mem_deref(c->ms);
	mt_peer_close(&c->pa);
	mt_peer_close(&c->pb);
	mt_engine_free(c->me, &c->loop);
}

/* Sends n packets from one peer and checks what the other gets. */
static void relay_check(struct mt_peer *from, uint16_t to_port,
			struct mt_peer *to, uint8_t pt, uint32_t ssrc,
			uint16_t seq0, int n, uint32_t *out_ssrc)
{
	uint8_t buf[256], rx[1500];
	struct rtp_hdr h;
	uint16_t first = 0;
	int i;

	for (i = 0; i < n; i++) {
		size_t len = mt_rtp(buf, pt, (uint16_t)(seq0 + i),
				    1000 + 160 * (uint32_t)i, ssrc,
				    (uint8_t)(0x40 + i), 160);
		ssize_t r;

		mt_send(from, to_port, buf, len);
		r = mt_recv_rtp(to, rx, sizeof(rx), MT_WAIT_MS);
		assert_true(r > 0);
		assert_int_equal(rtp_hdr_decode(&h, rx, (size_t)r), 0);
		assert_int_equal(h.pt, pt);
		assert_int_equal(h.payload_len, 160);
		assert_int_equal(h.payload[0], 0x40 + i);
		/* Our own SSRC, and sequence/timestamps in our own space
		 * advancing like the source's. */
		assert_int_not_equal(h.ssrc, ssrc);
		if (i == 0) {
			first = h.seq;
			*out_ssrc = h.ssrc;
		} else {
			assert_int_equal(h.ssrc, *out_ssrc);
			assert_int_equal(h.seq, (uint16_t)(first + i));
		}
	}
}

static void test_rtp_relay(void **state)
{
	struct mt_call c;
	struct mt_peer intruder;
	struct media_stats st;
	uint8_t buf[256], rx[1500];
	uint32_t ssrc_b, ssrc_a;
	size_t len;

	(void)state;
	call_setup(&c, 0, MEDIA_RTP);
	relay_check(&c.pa, c.port_a, &c.pb, 8, 0x11111111, 100, 5, &ssrc_b);
	relay_check(&c.pb, c.port_b, &c.pa, 8, 0x22222222, 60000, 5, &ssrc_a);
	assert_int_not_equal(ssrc_a, ssrc_b);

	/* From the right IP but another port: dropped (RFC 4961). */
	mt_peer_open(&intruder);
	len = mt_rtp(buf, 8, 105, 2000, 0x11111111, 0x55, 160);
	mt_send(&intruder, c.port_a, buf, len);
	assert_true(mt_recv_rtp(&c.pb, rx, sizeof(rx), 300) < 0);
	mt_peer_close(&intruder);

	/* An unknown payload type is not forwarded either. */
	len = mt_rtp(buf, 96, 106, 2160, 0x11111111, 0x55, 160);
	mt_send(&c.pa, c.port_a, buf, len);
	assert_true(mt_recv_rtp(&c.pb, rx, sizeof(rx), 300) < 0);

	assert_int_equal(media_stats_get(c.ms, &st), 0);
	assert_int_equal(st.leg[0].rx_packets, 6);
	assert_int_equal(st.leg[0].rx_bytes, 6 * 172);
	assert_int_equal(st.leg[0].rx_dropped, 2);
	assert_int_equal(st.leg[1].tx_packets, 5);
	assert_int_equal(st.leg[1].rx_packets, 5);
	assert_int_equal(st.leg[0].tx_packets, 5);
	assert_int_equal(st.leg[0].codec, MEDIA_CODEC_PCMA);
	assert_false(st.leg[0].transcoding);
	assert_true(st.leg[0].connected);
	assert_true(st.leg[1].connected);
	/* The connected events reached the signalling loop, once per leg. */
	mt_run_until(&c.loop, &c.ev.count[MEDIA_EV_CONNECTED][1], MT_WAIT_MS);
	assert_int_equal(c.ev.count[MEDIA_EV_CONNECTED][0], 1);
	assert_int_equal(c.ev.count[MEDIA_EV_CONNECTED][1], 1);
	call_teardown(&c);
}

static void test_dtmf(void **state)
{
	struct mt_call c;
	uint8_t buf[64], rx[1500];
	struct dtmf_event ev = {.event = 5, .volume = 10, .duration = 800};
	struct rtp_hdr h;
	size_t len;
	ssize_t n;

	(void)state;
	call_setup(&c, 0, MEDIA_RTP);
	len = mt_rtp(buf, 101, 7, 5000, 0x1234, 0, 0);
	assert_int_equal(dtmf_encode(buf + len, 4, &ev), 0);
	mt_send(&c.pa, c.port_a, buf, len + 4);
	n = mt_recv_rtp(&c.pb, rx, sizeof(rx), MT_WAIT_MS);
	assert_int_equal(n, 16);
	assert_int_equal(rtp_hdr_decode(&h, rx, (size_t)n), 0);
	assert_int_equal(h.pt, 101);
	assert_int_equal(dtmf_decode(&ev, h.payload, h.payload_len), 0);
	assert_int_equal(ev.event, 5);
	assert_int_equal(ev.duration, 800);
	call_teardown(&c);
}

static void test_hold(void **state)
{
	struct mt_call c;
	char sdp[512];
	struct mbuf *mb = NULL;
	struct pl pl;
	uint8_t buf[256], rx[1500];
	uint32_t ssrc;
	uint16_t port;
	size_t len;

	(void)state;
	call_setup(&c, 0, MEDIA_RTP);
	relay_check(&c.pa, c.port_a, &c.pb, 8, 0xaaaa, 1, 2, &ssrc);
	/* a puts b on hold: a=sendonly is mapped across. */
	mt_sdp(sdp, sizeof(sdp), c.pa.port, "8 101", "a=sendonly\r\n");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, "a=sendonly"));
	port = mt_sdp_port(mb);
	assert_int_equal(port, c.port_b); /* same ports on a re-offer */
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), c.pb.port, "8 101", "a=recvonly\r\n");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, "a=recvonly"));
	mb = mem_deref(mb);
	usleep(50000); /* the worker applies the new directions */
	/* b -> a stops, a -> b (music on hold) goes on and stays in
	 * sequence with what came before. */
	len = mt_rtp(buf, 8, 500, 9000, 0xbbbb, 1, 160);
	mt_send(&c.pb, c.port_b, buf, len);
	assert_true(mt_recv_rtp(&c.pa, rx, sizeof(rx), 300) < 0);
	len = mt_rtp(buf, 8, 3, 1320, 0xaaaa, 1, 160);
	mt_send(&c.pa, c.port_a, buf, len);
	assert_true(mt_recv_rtp(&c.pb, rx, sizeof(rx), MT_WAIT_MS) > 0);

	/* Resume. */
	mt_sdp(sdp, sizeof(sdp), c.pa.port, "8 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, "a=sendrecv"));
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), c.pb.port, "8 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	usleep(50000);
	mt_send(&c.pb, c.port_b, buf, len);
	assert_true(mt_recv_rtp(&c.pa, rx, sizeof(rx), MT_WAIT_MS) > 0);
	call_teardown(&c);
}

static void test_no_media(void **state)
{
	struct mt_call c;
	uint32_t ssrc;

	(void)state;
	call_setup(&c, 100, MEDIA_RTP);
	relay_check(&c.pa, c.port_a, &c.pb, 8, 0xaaaa, 1, 2, &ssrc);
	/* a went silent after media: the event fires on the signalling
	 * loop for leg a, not for b that never sent. */
	mt_run_until(&c.loop, &c.ev.count[MEDIA_EV_NO_MEDIA][0], MT_WAIT_MS);
	assert_int_equal(c.ev.count[MEDIA_EV_NO_MEDIA][0], 1);
	assert_int_equal(c.ev.count[MEDIA_EV_NO_MEDIA][1], 0);
	call_teardown(&c);
}

static void test_echo(void **state)
{
	struct mt_call c;
	uint32_t ssrc;

	(void)state;
	call_setup(&c, 0, MEDIA_ECHO);
	/* What a sends comes back to a. */
	relay_check(&c.pa, c.port_a, &c.pa, 0, 0xaaaa, 1, 3, &ssrc);
	call_teardown(&c);
}

static void test_errors(void **state)
{
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct media_leg_conf a = {.kind = MEDIA_RTP}, b = {.kind = MEDIA_RTP};
	struct media_leg_conf opus = {
	    .kind = MEDIA_RTP, .codecv = {MEDIA_CODEC_OPUS}, .codecc = 1};
	struct mbuf *mb = NULL;
	struct pl pl;
	char sdp[512];

	(void)state;
	mt_engine(&me, &loop, 0);
	{
		/* A wildcard bind with nothing to advertise: refused. */
		struct media_engine_conf bad = {.port_min = MT_PORT_MIN,
						.port_max = MT_PORT_MAX};
		struct media_engine *me2 = NULL;

		assert_int_equal(sa_set(&bad.bind, "0.0.0.0", 0), 0);
		assert_int_equal(media_engine_alloc(&me2, &loop, &bad), EINVAL);
		assert_null(me2);
	}
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	pl_set_str(&pl, "v=0\r\nbogus\r\n");
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), EBADMSG);
	pl_set_str(&pl, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.1\r\n"
			"m=video 5000 RTP/AVP 96\r\n");
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), ENOTSUP);
	/* No codec both legs can use. */
	mt_sdp(sdp, sizeof(sdp), 5000, "18", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), ENOTSUP);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), EPROTO);
	assert_null(mb);
	/* Nothing bound by failed offers. */
	assert_int_equal(media_engine_ports_used(me), 0);
	media_session_close(ms);
	mem_deref(ms);

	/* b only speaks Opus and may not transcode: 488. */
	assert_int_equal(media_session_alloc(&ms, me, &a, &opus, NULL, NULL),
			 0);
	mt_sdp(sdp, sizeof(sdp), 5000, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), ENOTSUP);
	media_session_close(ms);
	mem_deref(ms);
	mt_engine_free(me, &loop);
}

static void test_ports_exhausted(void **state)
{
	uv_loop_t loop;
	struct media_engine *me;
	struct media_engine_conf conf;
	struct media_session *ms[3];
	struct media_leg_conf a = {.kind = MEDIA_RTP};
	struct mbuf *mb = NULL;
	struct pl pl;
	char sdp[512];
	int i;

	(void)state;
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(sa_set(&conf.bind, "127.0.0.1", 0), 0);
	conf.port_min = MT_PORT_MAX + 2;
	conf.port_max = MT_PORT_MAX + 10; /* 4 pairs: two sessions */
	conf.workers = 1;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(media_engine_alloc(&me, &loop, &conf), 0);
	mt_sdp(sdp, sizeof(sdp), 5000, "0", NULL);
	pl_set_str(&pl, sdp);
	for (i = 0; i < 3; i++) {
		assert_int_equal(
		    media_session_alloc(&ms[i], me, &a, &a, NULL, NULL), 0);
		assert_int_equal(media_offer(ms[i], MEDIA_LEG_A, &pl, &mb),
				 i < 2 ? 0 : EADDRINUSE);
		mb = mem_deref(mb);
	}
	assert_int_equal(media_engine_ports_used(me), 8);
	for (i = 0; i < 3; i++) {
		media_session_close(ms[i]);
		mem_deref(ms[i]);
	}
	assert_int_equal(media_engine_ports_used(me), 0);
	mt_engine_free(me, &loop);
}

static void sdp_copy(char *dst, size_t size, const struct mbuf *mb)
{
	assert_true(mb->end < size);
	memcpy(dst, mb->buf, mb->end);
	dst[mb->end] = '\0';
}

/* Early media: the PBX answers in a 183, then again in the 200 (same or
 * changed), or the 200 has no SDP and the B2BUA asks for the answer
 * again. The o= version moves only when the description changes. */
static void test_answer_again(void **state)
{
	struct mt_call c;
	struct mt_peer moved;
	char sdp[512], first[1024], again[1024];
	struct mbuf *mb = NULL;
	struct pl pl;
	uint32_t ssrc;
	const char *o1, *o2;

	(void)state;
	call_setup(&c, 0, MEDIA_RTP);
	/* call_setup's answer was the 183; the 200 repeats it. */
	mt_sdp(sdp, sizeof(sdp), c.pb.port, "8 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	sdp_copy(first, sizeof(first), mb);
	mb = mem_deref(mb);
	assert_int_equal(media_answer_local(c.ms, MEDIA_LEG_B, &mb), 0);
	sdp_copy(again, sizeof(again), mb);
	mb = mem_deref(mb);
	assert_string_equal(first, again);
	/* The offering leg cannot answer its own offer. */
	assert_int_equal(media_answer_local(c.ms, MEDIA_LEG_A, &mb), EPROTO);
	relay_check(&c.pa, c.port_a, &c.pb, 8, 0xaaaa, 1, 2, &ssrc);

	/* The 200 names another address: media follows, version + 1 only
	 * if our side changed (it did not: same ports, same codec). */
	mt_peer_open(&moved);
	mt_sdp(sdp, sizeof(sdp), moved.port, "8 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	sdp_copy(again, sizeof(again), mb);
	mb = mem_deref(mb);
	o1 = strstr(first, "o=");
	o2 = strstr(again, "o=");
	assert_memory_equal(o1, o2, strcspn(o1, "\r"));
	usleep(50000);
	relay_check(&c.pa, c.port_a, &moved, 8, 0xaaaa, 3, 2, &ssrc);
	mt_peer_close(&moved);

	/* A new offer from a (hold) changes what we send a: version + 1. */
	mt_sdp(sdp, sizeof(sdp), c.pa.port, "8 101", "a=sendonly\r\n");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	assert_int_equal(media_answer_local(c.ms, MEDIA_LEG_B, &mb), EPROTO);
	mt_sdp(sdp, sizeof(sdp), c.pb.port, "8 101", "a=recvonly\r\n");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	sdp_copy(again, sizeof(again), mb);
	mb = mem_deref(mb);
	o2 = strstr(again, "o=");
	assert_memory_not_equal(o1, o2, strcspn(o1, "\r"));
	call_teardown(&c);
}

/* The engine closed under live sessions: workers end them, ports come
 * back, and closing the sessions afterwards is harmless. */
static void test_engine_close_first(void **state)
{
	struct mt_call c;
	uint32_t ssrc;

	(void)state;
	call_setup(&c, 0, MEDIA_RTP);
	relay_check(&c.pa, c.port_a, &c.pb, 8, 0xaaaa, 1, 2, &ssrc);
	media_engine_close(c.me);
	assert_int_equal(media_engine_ports_used(c.me), 0);
	media_session_close(c.ms);
	c.ms = mem_deref(c.ms);
	assert_int_equal(media_engine_sessions(c.me), 0);
	mt_peer_close(&c.pa);
	mt_peer_close(&c.pb);
	mt_engine_free(c.me, &c.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_rtp_relay),
	    SC_TEST(test_dtmf),
	    SC_TEST(test_hold),
	    SC_TEST(test_no_media),
	    SC_TEST(test_echo),
	    SC_TEST(test_errors),
	    SC_TEST(test_ports_exhausted),
	    SC_TEST(test_engine_close_first),
	    SC_TEST(test_answer_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
