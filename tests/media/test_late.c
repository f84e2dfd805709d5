/* test_late.c: media_offer_local(), the offer for a leg whose peer made
 * none (a late-offer INVITE, RFC 3261 §13.2.1): the B2BUA's sequence of
 * offer, answer, re-offer and answer between two plain RTP peers, and
 * media relayed both ways at the end. */
#include "mtest.h"

/* One packet from `from` to the engine's to_port reaches `to` with the
 * same payload type and payload. */
static void relayed(struct mt_peer *from, uint16_t to_port, struct mt_peer *to,
		    uint8_t pt)
{
	uint8_t buf[256], rx[1500];
	struct rtp_hdr h;
	size_t len = mt_rtp(buf, pt, 7, 1000, 0x1234, 0x5a, 160);
	ssize_t r;

	mt_send(from, to_port, buf, len);
	r = mt_recv_rtp(to, rx, sizeof(rx), MT_WAIT_MS);
	assert_true(r > 0);
	assert_int_equal(rtp_hdr_decode(&h, rx, (size_t)r), 0);
	assert_int_equal(h.pt, pt);
	assert_int_equal(h.payload[0], 0x5a);
}

static void test_late_offer(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP}, b = {.kind = MEDIA_RTP};
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct mt_events ev;
	struct mt_peer pa, pb;
	struct mbuf *mb = NULL;
	uint16_t port_a, port_b;
	uv_loop_t loop;
	char sdp[512];
	struct pl pl;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	a.codecv[0] = MEDIA_CODEC_PCMA;
	a.codecv[1] = MEDIA_CODEC_PCMU;
	a.codecc = 2;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pa);
	mt_peer_open(&pb);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, mt_event_h, &ev),
			 0);
	/* a sent INVITE without SDP: b gets an offer of a's codecs */
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, &mb), 0);
	/* a's codecs (not Opus), in b's order of preference */
	assert_true(mt_sdp_has(mb, "RTP/AVP 0 8 101\r\n"));
	assert_false(mt_sdp_has(mb, "opus"));
	assert_true(mt_sdp_has(mb, "c=IN IP4 127.0.0.1\r\n"));
	assert_true(mt_sdp_has(mb, "a=sendrecv"));
	port_b = mt_sdp_port(mb);
	assert_true(port_b >= MT_PORT_MIN && port_b <= MT_PORT_MAX);
	mb = mem_deref(mb);
	/* b answers PCMU (its answer for a is of no use: a offered nothing) */
	mt_sdp(sdp, sizeof(sdp), pb.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	/* b's answer becomes the offer for a (our 200 OK), a answers in ACK */
	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, "RTP/AVP 0 101\r\n"));
	assert_false(mt_sdp_has(mb, "o=- 42"));
	port_a = mt_sdp_port(mb);
	assert_true(port_a >= MT_PORT_MIN && port_a != port_b);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pa.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	relayed(&pa, port_a, &pb, 0);
	relayed(&pb, port_b, &pa, 0);

	media_session_close(ms);
	ms = mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mt_peer_close(&pa);
	mt_peer_close(&pb);
	mt_engine_free(me, &loop);
}

static void test_late_errors(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_WEBRTC},
			      b = {.kind = MEDIA_RTP};
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct mbuf *mb = NULL;
	uv_loop_t loop;

	(void)state;
	mt_engine(&me, &loop, 0);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	assert_int_equal(media_offer_local(NULL, MEDIA_LEG_A, &mb), EINVAL);
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, NULL), EINVAL);
	/* a WebRTC or SRTP leg needs its peer's credentials first */
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, &mb), ENOTSUP);
	assert_null(mb);
	/* an offer is pending: a second one is out of order */
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_B, &mb), 0);
	mb = mem_deref(mb);
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_B, &mb), EPROTO);
	media_session_close(ms);
	ms = mem_deref(ms);
	mt_engine_free(me, &loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_late_offer),
	    SC_TEST(test_late_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
