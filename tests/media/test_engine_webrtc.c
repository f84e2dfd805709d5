/* test_engine_webrtc.c: a WebRTC leg against a test-side browser made of
 * the project's own pieces: an ICE check built with the STUN encoder, a
 * DTLS client (tls/dtls.h) and SRTP (media/srtp.h); the other leg a plain
 * RTP peer. Media flows only after the check and the handshake; tampered
 * SRTP is dropped. */
#include "browser_peer.h"

static void test_webrtc_rtp(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_WEBRTC};
	struct media_leg_conf bc = {
	    .kind = MEDIA_RTP, .codecv = {MEDIA_CODEC_PCMU}, .codecc = 1};
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_events ev;
	struct browser br;
	struct mt_peer pbx;
	struct mbuf *mb = NULL;
	struct media_stats st;
	char sdp[2048], eufrag[64], epwd[64], efp[160];
	uint8_t buf[1600], rx[1600];
	struct rtp_hdr h;
	struct pl pl;
	uint16_t port_b;
	uint64_t dropped;
	size_t len;
	ssize_t n;
	int i;

	(void)state;
	memset(&br, 0, sizeof(br));
	memset(&ev, 0, sizeof(ev));
	mt_engine(&me, &loop, 0);
	assert_true(strncmp(media_engine_fingerprint(me), "sha-256 ", 8) == 0);
	mt_peer_open(&br.sock);
	mt_peer_open(&pbx);
	assert_int_equal(dtls_ctx_alloc(&br.ctx), 0);
	snprintf(br.fp, sizeof(br.fp), "%s", dtls_ctx_fingerprint(br.ctx));
	snprintf(br.ufrag, sizeof(br.ufrag), "brUf");
	snprintf(br.pwd, sizeof(br.pwd), "browserpassword0123456789");

	assert_int_equal(media_session_alloc(&ms, me, &a, &bc, mt_event_h, &ev),
			 0);
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		 "a=group:BUNDLE 0 1\r\n"
		 "m=audio %u UDP/TLS/RTP/SAVPF 111 0 126\r\n"
		 "c=IN IP4 127.0.0.1\r\na=rtcp-mux\r\na=mid:0\r\n"
		 "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
		 "a=fingerprint:%s\r\na=setup:actpass\r\n"
		 "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=rtpmap:126 telephone-event/8000\r\n"
		 "a=candidate:1 1 udp 2122260223 127.0.0.1 %u typ host\r\n"
		 "m=video %u UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n"
		 "a=rtpmap:96 VP8/90000\r\n",
		 br.sock.port, br.ufrag, br.pwd, br.fp, br.sock.port,
		 br.sock.port);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	/* The PBX is offered what both can do without the browser's
	 * addresses or credentials. */
	assert_true(mt_sdp_has(mb, "m=audio "));
	assert_true(mt_sdp_has(mb, " RTP/AVP 0 101\r\n"));
	assert_false(mt_sdp_has(mb, br.ufrag));
	assert_false(mt_sdp_has(mb, "fingerprint"));
	port_b = mt_sdp_port(mb);
	mb = mem_deref(mb);

	mt_sdp(sdp, sizeof(sdp), pbx.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, "UDP/TLS/RTP/SAVPF 0 126\r\n"));
	assert_true(mt_sdp_has(mb, "a=setup:passive"));
	assert_true(mt_sdp_has(mb, "a=rtcp-mux"));
	assert_true(mt_sdp_has(mb, "a=ice-lite"));
	assert_true(mt_sdp_has(mb, "a=mid:0"));
	/* The video line is refused with port 0. */
	assert_true(mt_sdp_has(mb, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
				   "a=mid:1\r\n")); /* RFC 8843 7.3.1 */
	br.engine_port = mt_sdp_port(mb);
	sdp_attr(mb, "ice-ufrag", eufrag, sizeof(eufrag));
	sdp_attr(mb, "ice-pwd", epwd, sizeof(epwd));
	sdp_attr(mb, "fingerprint", efp, sizeof(efp));
	assert_string_equal(efp, media_engine_fingerprint(me));
	mb = mem_deref(mb);
	/* WebRTC is one socket; the PBX leg two. */
	assert_int_equal(media_engine_ports_used(me), 3);

	/* No check yet: a DTLS ClientHello is ignored (no answer). */
	assert_int_equal(dtls_conn_alloc(&br.dc, br.ctx, true, efp, br_send,
					 br_estab, br_close, &br),
			 0);
	assert_int_equal(dtls_conn_start(br.dc, 0), 0);
	assert_true(mt_recv(&br.sock, rx, sizeof(rx), 300) < 0);

	/* The check: a success response comes back. */
	len = ice_check(buf, sizeof(buf), &br, eufrag, epwd);
	mt_send(&br.sock, br.engine_port, buf, len);
	n = mt_recv(&br.sock, rx, sizeof(rx), MT_WAIT_MS);
	assert_true(n >= STUN_HEADER_SIZE);
	assert_int_equal((rx[0] << 8) | rx[1],
			 stun_type(STUN_METHOD_BINDING, STUN_CLASS_SUCCESS));

	/* Now the handshake: retransmit our flight and run it through. */
	assert_int_equal(dtls_conn_tick(br.dc, 1500), 0);
	for (i = 0; i < 50 && !br.estab; i++) {
		n = mt_recv(&br.sock, rx, sizeof(rx), 200);
		if (n > 0 && stun_demux(rx[0]) == STUN_DEMUX_DTLS)
			(void)dtls_conn_recv(br.dc, rx, (size_t)n, 1600);
	}
	assert_true(br.estab);
	mt_run_until(&loop, &ev.count[MEDIA_EV_CONNECTED][0], MT_WAIT_MS);
	assert_int_equal(ev.count[MEDIA_EV_CONNECTED][0], 1);

	/* Browser -> PBX: SRTP in, plain PCMU out. */
	len = mt_rtp(buf, 0, 10, 1000, 0xb0b0b0b0, 0x33, 160);
	assert_int_equal(msrtp_protect(br.tx, buf, &len, sizeof(buf)), 0);
	mt_send(&br.sock, br.engine_port, buf, len);
	n = mt_recv_rtp(&pbx, rx, sizeof(rx), MT_WAIT_MS);
	assert_int_equal(n, 172);
	assert_int_equal(rtp_hdr_decode(&h, rx, (size_t)n), 0);
	assert_int_equal(h.pt, 0);
	assert_int_not_equal(h.ssrc, 0xb0b0b0b0);
	assert_int_equal(h.payload[0], 0x33);

	/* Tampered: dropped and counted, nothing reaches the PBX. */
	assert_int_equal(media_stats_get(ms, &st), 0);
	dropped = st.leg[0].rx_dropped; /* the ClientHello before the check */
	assert_true(dropped >= 1);
	len = mt_rtp(buf, 0, 11, 1160, 0xb0b0b0b0, 0x34, 160);
	assert_int_equal(msrtp_protect(br.tx, buf, &len, sizeof(buf)), 0);
	buf[20] ^= 1;
	mt_send(&br.sock, br.engine_port, buf, len);
	assert_true(mt_recv_rtp(&pbx, rx, sizeof(rx), 300) < 0);

	assert_int_equal(media_stats_get(ms, &st), 0);
	assert_int_equal(st.leg[0].rx_packets, 1);
	assert_int_equal(st.leg[0].rx_dropped, dropped + 1);
	assert_true(st.leg[0].connected);
	assert_int_equal(st.leg[1].tx_packets, 1);

	/* PBX -> browser: plain in, SRTP out that the browser verifies. */
	len = mt_rtp(buf, 0, 500, 7000, 0xcafe, 0x77, 160);
	mt_send(&pbx, port_b, buf, len);
	for (i = 0; i < 10; i++) {
		n = mt_recv(&br.sock, rx, sizeof(rx), MT_WAIT_MS);
		assert_true(n > 0);
		if (stun_demux(rx[0]) == STUN_DEMUX_RTP &&
		    !rtp_is_rtcp(rx, (size_t)n))
			break;
	}
	len = (size_t)n;
	assert_int_equal(msrtp_unprotect(br.rx, rx, &len), 0);
	assert_int_equal(rtp_hdr_decode(&h, rx, len), 0);
	assert_int_equal(h.pt, 0);
	assert_int_not_equal(h.ssrc, 0xcafe);
	assert_int_equal(h.payload_len, 160);
	assert_int_equal(h.payload[0], 0x77);

	media_session_close(ms);
	mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mem_deref(br.dc);
	mem_deref(br.tx);
	mem_deref(br.rx);
	mem_deref(br.ctx);
	mt_peer_close(&br.sock);
	mt_peer_close(&pbx);
	mt_engine_free(me, &loop);
}

/* The PBX calls the browser: we offer actpass, the browser answers
 * active (it is the DTLS client); later the browser restarts ICE. */
static void test_pbx_calls_browser(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP};
	struct media_leg_conf bc = {.kind = MEDIA_WEBRTC};
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct browser br;
	struct mt_peer pbx, other;
	struct mbuf *mb = NULL;
	char sdp[2048], eufrag[64], epwd[64], efp[160], ufrag2[64], pwd2[64];
	uint8_t buf[1600], rx[1600];
	struct pl pl;
	uint16_t port_a;
	size_t len;
	ssize_t n;

	(void)state;
	memset(&br, 0, sizeof(br));
	mt_engine(&me, &loop, 0);
	mt_peer_open(&br.sock);
	mt_peer_open(&pbx);
	assert_int_equal(dtls_ctx_alloc(&br.ctx), 0);
	snprintf(br.fp, sizeof(br.fp), "%s", dtls_ctx_fingerprint(br.ctx));
	snprintf(br.ufrag, sizeof(br.ufrag), "brUf");
	snprintf(br.pwd, sizeof(br.pwd), "browserpassword0123456789");
	assert_int_equal(media_session_alloc(&ms, me, &a, &bc, NULL, NULL), 0);

	mt_sdp(sdp, sizeof(sdp), pbx.port, "0 8", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, " UDP/TLS/RTP/SAVPF 0 8\r\n"));
	assert_true(mt_sdp_has(mb, "a=setup:actpass"));
	assert_true(mt_sdp_has(mb, "a=rtcp-mux"));
	assert_true(mt_sdp_has(mb, "a=group:BUNDLE 0"));
	assert_true(mt_sdp_has(mb, " typ host"));
	br.engine_port = mt_sdp_port(mb);
	sdp_attr(mb, "ice-ufrag", eufrag, sizeof(eufrag));
	sdp_attr(mb, "ice-pwd", epwd, sizeof(epwd));
	sdp_attr(mb, "fingerprint", efp, sizeof(efp));
	mb = mem_deref(mb);

	br_sdp(sdp, sizeof(sdp), &br, "active");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, " RTP/AVP 0\r\n"));
	port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);

	/* Wrong password: 401, and the address stays unchecked. */
	assert_int_equal(br_check(&br, eufrag, "not-the-password-at-all"),
			 STUN_CLASS_ERROR);
	assert_int_equal(br_check(&br, eufrag, epwd), STUN_CLASS_SUCCESS);
	br_handshake(&br, efp);

	/* PBX -> browser over SRTP. */
	len = mt_rtp(buf, 0, 1, 160, 0x600d, 0x5a, 160);
	mt_send(&pbx, port_a, buf, len);
	for (;;) {
		n = mt_recv(&br.sock, rx, sizeof(rx), MT_WAIT_MS);
		assert_true(n > 0);
		if (stun_demux(rx[0]) == STUN_DEMUX_RTP &&
		    !rtp_is_rtcp(rx, (size_t)n))
			break;
	}
	len = (size_t)n;
	assert_int_equal(msrtp_unprotect(br.rx, rx, &len), 0);
	assert_int_equal(rx[12], 0x5a);

	/* Valid SRTP from an address that passed no check: dropped. */
	mt_peer_open(&other);
	len = mt_rtp(buf, 0, 20, 3200, 0xb0b0, 0x66, 160);
	assert_int_equal(msrtp_protect(br.tx, buf, &len, sizeof(buf)), 0);
	mt_send(&other, br.engine_port, buf, len);
	assert_true(mt_recv_rtp(&pbx, rx, sizeof(rx), 300) < 0);
	mt_peer_close(&other);

	/* ICE restart from the browser (RFC 8445 9): new ufrag -> new
	 * credentials in our answer, the old ones stop working. */
	snprintf(br.ufrag, sizeof(br.ufrag), "brU2");
	br_sdp(sdp, sizeof(sdp), &br, "actpass");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pbx.port, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	/* We stay the DTLS server: the browser was active before. */
	assert_true(mt_sdp_has(mb, "a=setup:passive"));
	sdp_attr(mb, "ice-ufrag", ufrag2, sizeof(ufrag2));
	sdp_attr(mb, "ice-pwd", pwd2, sizeof(pwd2));
	assert_string_not_equal(ufrag2, eufrag);
	assert_string_not_equal(pwd2, epwd);
	mb = mem_deref(mb);
	usleep(50000);
	assert_int_equal(br_check(&br, eufrag, epwd), STUN_CLASS_ERROR);
	assert_int_equal(br_check(&br, ufrag2, pwd2), STUN_CLASS_SUCCESS);

	/* Media goes on over the same DTLS keys: browser -> PBX. */
	len = mt_rtp(buf, 0, 21, 3360, 0xb0b0, 0x67, 160);
	assert_int_equal(msrtp_protect(br.tx, buf, &len, sizeof(buf)), 0);
	mt_send(&br.sock, br.engine_port, buf, len);
	n = mt_recv_rtp(&pbx, rx, sizeof(rx), MT_WAIT_MS);
	assert_int_equal(n, 172);
	assert_int_equal(rx[12], 0x67);

	media_session_close(ms);
	mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mem_deref(br.dc);
	mem_deref(br.tx);
	mem_deref(br.rx);
	mem_deref(br.ctx);
	mt_peer_close(&br.sock);
	mt_peer_close(&pbx);
	mt_engine_free(me, &loop);
}

/* The browser's certificate does not match its SDP fingerprint: the
 * engine refuses the handshake (RFC 8122 5) and reports the failure. */
static void test_bad_fingerprint(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_WEBRTC};
	struct media_leg_conf bc = {
	    .kind = MEDIA_RTP, .codecv = {MEDIA_CODEC_PCMU}, .codecc = 1};
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_events ev;
	struct browser br;
	struct dtls_ctx *other;
	struct mt_peer pbx;
	struct media_stats st;
	struct mbuf *mb = NULL;
	char sdp[2048], eufrag[64], epwd[64], efp[160];
	uint8_t rx[1600];
	struct pl pl;
	ssize_t n;
	int i;

	(void)state;
	memset(&br, 0, sizeof(br));
	memset(&ev, 0, sizeof(ev));
	mt_engine(&me, &loop, 0);
	mt_peer_open(&br.sock);
	mt_peer_open(&pbx);
	assert_int_equal(dtls_ctx_alloc(&br.ctx), 0);
	assert_int_equal(dtls_ctx_alloc(&other), 0);
	/* The SDP names another certificate than the one used. */
	snprintf(br.fp, sizeof(br.fp), "%s", dtls_ctx_fingerprint(other));
	snprintf(br.ufrag, sizeof(br.ufrag), "brUf");
	snprintf(br.pwd, sizeof(br.pwd), "browserpassword0123456789");
	assert_int_equal(media_session_alloc(&ms, me, &a, &bc, mt_event_h, &ev),
			 0);
	br_sdp(sdp, sizeof(sdp), &br, "actpass");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pbx.port, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	br.engine_port = mt_sdp_port(mb);
	sdp_attr(mb, "ice-ufrag", eufrag, sizeof(eufrag));
	sdp_attr(mb, "ice-pwd", epwd, sizeof(epwd));
	sdp_attr(mb, "fingerprint", efp, sizeof(efp));
	mb = mem_deref(mb);
	assert_int_equal(br_check(&br, eufrag, epwd), STUN_CLASS_SUCCESS);
	assert_int_equal(dtls_conn_alloc(&br.dc, br.ctx, true, efp, br_send,
					 br_estab, br_close_ok, &br),
			 0);
	assert_int_equal(dtls_conn_start(br.dc, 0), 0);
	for (i = 0; i < 20 && !ev.count[MEDIA_EV_FAILED][0]; i++) {
		n = mt_recv(&br.sock, rx, sizeof(rx), 100);
		if (n > 0 && stun_demux(rx[0]) == STUN_DEMUX_DTLS)
			(void)dtls_conn_recv(br.dc, rx, (size_t)n, 100);
		mt_run_until(&loop, &ev.count[MEDIA_EV_FAILED][0], 20);
	}
	assert_int_equal(ev.count[MEDIA_EV_FAILED][0], 1);
	assert_int_equal(ev.count[MEDIA_EV_CONNECTED][0], 0);
	assert_int_equal(media_stats_get(ms, &st), 0);
	assert_false(st.leg[0].connected);

	media_session_close(ms);
	mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mem_deref(br.dc);
	mem_deref(br.tx);
	mem_deref(br.rx);
	mem_deref(br.ctx);
	mem_deref(other);
	mt_peer_close(&br.sock);
	mt_peer_close(&pbx);
	mt_engine_free(me, &loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_webrtc_rtp),
	    SC_TEST(test_pbx_calls_browser),
	    SC_TEST(test_bad_fingerprint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
