/* test_anyaddr.c: c=IN IP4 0.0.0.0 in an offer: hold for a plain RTP
 * leg (RFC 3264 §8.4, the RFC 2543 way), but for a WebRTC leg only "no
 * default candidate" (RFC 8829 §5.2.1: a browser whose host candidates are
 * mDNS names offers port 9 and 0.0.0.0): that call must not go inactive. */
#include "mtest.h"

#define FP "sha-256 " \
	   "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:" \
	   "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"

/* Offers a's SDP, answers for b: the direction offered to b, then the
 * one answered to a. */
static void offer_answer(enum media_kind ka, const char *offer,
			 const char *want_b, const char *want_a)
{
	struct media_leg_conf a = {.kind = ka}, b = {.kind = MEDIA_RTP};
	struct media_engine *me;
	struct media_session *ms;
	struct mt_peer pbx;
	struct mbuf *mb = NULL;
	uv_loop_t loop;
	char sdp[512];
	struct pl pl;

	mt_engine(&me, &loop, 0);
	mt_peer_open(&pbx);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	pl_set_str(&pl, offer);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, want_b));
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pbx.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, want_a));
	mb = mem_deref(mb);
	media_session_close(ms);
	mem_deref(ms);
	mt_peer_close(&pbx);
	mt_engine_free(me, &loop);
}

static void test_webrtc_mdns(void **state)
{
	(void)state;
	offer_answer(MEDIA_WEBRTC,
		     "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		     "a=group:BUNDLE 0\r\n"
		     "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 126\r\n"
		     "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
		     "a=rtcp-mux\r\na=mid:0\r\n"
		     "a=ice-ufrag:brUf\r\na=ice-pwd:browserpassword0123456789\r\n"
		     "a=fingerprint:" FP "\r\na=setup:actpass\r\n"
		     "a=sendrecv\r\n"
		     "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
		     "a=rtpmap:126 telephone-event/8000\r\n"
		     "a=candidate:1 1 udp 2113937151 "
		     "40ef79bb-db66-4270-b861-3c489ee4e363.local 43720 typ host\r\n",
		     "a=sendrecv", "a=sendrecv");
}

static void test_rtp_hold(void **state)
{
	(void)state;
	offer_answer(MEDIA_RTP,
		     "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
		     "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
		     "m=audio 5004 RTP/AVP 0 101\r\n"
		     "a=rtpmap:101 telephone-event/8000\r\n",
		     "a=sendrecv", "a=inactive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_webrtc_mdns),
	    SC_TEST(test_rtp_hold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
