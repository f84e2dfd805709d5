/* test_engine_srtp.c: a PBX leg with SDES-SRTP (RFC 4568) against a plain
 * RTP leg: our a=crypto offer (AES_CM_128_HMAC_SHA1_80 first, then
 * AEAD_AES_128_GCM), the PBX's answer and its own offer; media encrypted
 * toward the PBX, decrypted from it; tampered packets dropped; latching
 * onto an authenticated source. */
#include "sdes_peer.h"

struct srtp_call {
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_peer pa, pb;
	uint16_t port_a, port_b;
	struct msrtp *rx, *tx; /* the PBX's view */
};

static void srtp_call_free(struct srtp_call *c)
{
	media_session_close(c->ms);
	mem_deref(c->ms);
	assert_int_equal(media_engine_ports_used(c->me), 0);
	mem_deref(c->rx);
	mem_deref(c->tx);
	mt_peer_close(&c->pa);
	mt_peer_close(&c->pb);
	mt_engine_free(c->me, &c->loop);
}

/* a -> b arrives encrypted and decrypts; b -> a arrives plain. */
static void media_both_ways(struct srtp_call *c, struct mt_peer *pbx)
{
	uint8_t buf[256], rx[1600];
	struct rtp_hdr h;
	size_t len;
	ssize_t n;

	len = mt_rtp(buf, 0, 1, 160, 0xa0a0, 0x21, 160);
	mt_send(&c->pa, c->port_a, buf, len);
	n = mt_recv_rtp(pbx, rx, sizeof(rx), MT_WAIT_MS);
	assert_true(n > 172); /* with the tag */
	len = (size_t)n;
	assert_int_equal(msrtp_unprotect(c->rx, rx, &len), 0);
	assert_int_equal(rtp_hdr_decode(&h, rx, len), 0);
	assert_int_equal(h.payload[0], 0x21);

	len = mt_rtp(buf, 0, 77, 9000, 0xb0b0, 0x42, 160);
	assert_int_equal(msrtp_protect(c->tx, buf, &len, sizeof(buf)), 0);
	mt_send(pbx, c->port_b, buf, len);
	n = mt_recv_rtp(&c->pa, rx, sizeof(rx), MT_WAIT_MS);
	assert_int_equal(n, 172);
	assert_int_equal(rtp_hdr_decode(&h, rx, (size_t)n), 0);
	assert_int_equal(h.payload[0], 0x42);
}

static void test_we_offer(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP};
	struct media_leg_conf b = {.kind = MEDIA_SRTP};
	struct srtp_call c;
	struct mt_peer moved;
	struct media_stats st;
	struct mbuf *mb = NULL;
	uint8_t ks[30], buf[256], rx[1600];
	char sdp[512];
	struct pl pl;
	size_t len;
	ssize_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	mt_engine(&c.me, &c.loop, 0);
	mt_peer_open(&c.pa);
	mt_peer_open(&c.pb);
	assert_int_equal(media_session_alloc(&c.ms, c.me, &a, &b, NULL, NULL),
			 0);
	mt_sdp(sdp, sizeof(sdp), c.pa.port, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, " RTP/SAVP 0\r\n"));
	assert_true(
	    mt_sdp_has(mb, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	assert_true(mt_sdp_has(mb, "a=crypto:2 AEAD_AES_128_GCM inline:"));
	c.port_b = mt_sdp_port(mb);
	c.rx = sdes_engine_key(mb, 1, MSRTP_AES128_CM_SHA1_80);
	mb = mem_deref(mb);
	rand_bytes(ks, sizeof(ks));
	assert_int_equal(
	    msrtp_alloc(&c.tx, MSRTP_AES128_CM_SHA1_80, ks, ks + 16), 0);
	sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 1, MSRTP_AES128_CM_SHA1_80,
		     ks, "");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_false(mt_sdp_has(mb, "crypto"));
	c.port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);
	media_both_ways(&c, &c.pb);

	/* Tampered: dropped. */
	len = mt_rtp(buf, 0, 78, 9160, 0xb0b0, 0x43, 160);
	assert_int_equal(msrtp_protect(c.tx, buf, &len, sizeof(buf)), 0);
	buf[30] ^= 0x80;
	mt_send(&c.pb, c.port_b, buf, len);
	assert_true(mt_recv_rtp(&c.pa, rx, sizeof(rx), 300) < 0);

	/* The PBX moves (NAT rebinding): its authenticated RTP from a new
	 * address makes that the destination. */
	mt_peer_open(&moved);
	len = mt_rtp(buf, 0, 79, 9320, 0xb0b0, 0x44, 160);
	assert_int_equal(msrtp_protect(c.tx, buf, &len, sizeof(buf)), 0);
	mt_send(&moved, c.port_b, buf, len);
	n = mt_recv_rtp(&c.pa, rx, sizeof(rx), MT_WAIT_MS);
	assert_int_equal(n, 172);
	len = mt_rtp(buf, 0, 2, 320, 0xa0a0, 0x22, 160);
	mt_send(&c.pa, c.port_a, buf, len);
	n = mt_recv_rtp(&moved, rx, sizeof(rx), MT_WAIT_MS);
	assert_true(n > 172);
	len = (size_t)n;
	assert_int_equal(msrtp_unprotect(c.rx, rx, &len), 0);
	mt_peer_close(&moved);

	assert_int_equal(media_stats_get(c.ms, &st), 0);
	assert_int_equal(st.leg[1].rx_dropped, 1);
	assert_int_equal(st.leg[1].rx_packets, 2);
	srtp_call_free(&c);
}

static void test_pbx_offers(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP};
	struct media_leg_conf b = {.kind = MEDIA_SRTP};
	struct srtp_call c;
	struct mbuf *mb = NULL;
	uint8_t ks[28];
	char sdp[512];
	struct pl pl;

	(void)state;
	memset(&c, 0, sizeof(c));
	mt_engine(&c.me, &c.loop, 0);
	mt_peer_open(&c.pa);
	mt_peer_open(&c.pb);
	assert_int_equal(media_session_alloc(&c.ms, c.me, &a, &b, NULL, NULL),
			 0);
	/* The PBX offers GCM: answered with its tag and a key of ours. */
	rand_bytes(ks, sizeof(ks));
	sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 7, MSRTP_AEAD_AES_128_GCM, ks,
		     "");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_false(mt_sdp_has(mb, "crypto"));
	assert_true(mt_sdp_has(mb, " RTP/AVP 0"));
	c.port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), c.pa.port, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, " RTP/SAVP 0"));
	assert_true(mt_sdp_has(mb, "a=crypto:7 AEAD_AES_128_GCM inline:"));
	c.port_b = mt_sdp_port(mb);
	c.rx = sdes_engine_key(mb, 7, MSRTP_AEAD_AES_128_GCM);
	mb = mem_deref(mb);
	assert_int_equal(
	    msrtp_alloc(&c.tx, MSRTP_AEAD_AES_128_GCM, ks, ks + 16), 0);
	media_both_ways(&c, &c.pb);
	srtp_call_free(&c);
}

static void test_refused(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP};
	struct media_leg_conf b = {.kind = MEDIA_SRTP};
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mbuf *mb = NULL;
	char sdp[512];
	struct pl pl;

	(void)state;
	mt_engine(&me, &loop, 0);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	/* Plain RTP where SRTP is configured: 488. */
	mt_sdp(sdp, sizeof(sdp), 5000, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), ENOTSUP);
	/* A suite we do not know: 488 at answer time. */
	pl_set_str(&pl, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.1\r\n"
			"m=audio 5000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 "
			"inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw\r\n");
	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), 5002, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_A, &pl, &mb), ENOTSUP);
	assert_null(mb);
	media_session_close(ms);
	mem_deref(ms);
	mt_engine_free(me, &loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_we_offer),
	    SC_TEST(test_pbx_offers),
	    SC_TEST(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
