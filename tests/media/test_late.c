/* test_late.c: media_offer_local(), the offer for a leg whose peer made
 * none (a late-offer INVITE, RFC 3261 §13.2.1): the B2BUA's sequence of
 * offer, answer, re-offer and answer between two plain RTP peers, and
 * media relayed both ways at the end; the same toward an SDES-SRTP leg
 * (RFC 4568: our a=crypto in the re-offer, its key from the answer) and a
 * DTLS-SRTP leg (fingerprint, actpass, ICE credentials in the re-offer). */
#include "mtest.h"
#include "media/srtp.h"
#include "sdp/sdp.h"

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

/* The placeholders of the stand-in offer (session_offer.c) never leave. */
static void no_placeholders(const struct mbuf *mb)
{
	assert_false(mt_sdp_has(mb, "AAAAAAAAAAAAAAAAAAAA"));
	assert_false(mt_sdp_has(mb, "00:00:00:00"));
	assert_false(mt_sdp_has(mb, "latelate"));
}

static void b64(char *dst, const uint8_t *p, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 |
			     (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		dst[o++] = t[v >> 18 & 63];
		dst[o++] = t[v >> 12 & 63];
		dst[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		dst[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	dst[o] = '\0';
}

/* The SRTP context of what the engine sends, from its a=crypto:1 line. */
static struct msrtp *engine_key(const struct mbuf *mb)
{
	char *s = calloc(1, mb->end + 1), *p;
	enum msrtp_profile prof = MSRTP_AES128_CM_SHA1_80;
	struct msrtp *ctx = NULL;
	struct sdp_crypto c;
	struct pl v;

	assert_non_null(s);
	memcpy(s, mb->buf, mb->end);
	p = strstr(s, "a=crypto:1 ");
	assert_non_null(p);
	v.p = p + strlen("a=crypto:");
	v.l = strcspn(v.p, "\r\n");
	assert_int_equal(sdp_crypto_decode(&c, &v), 0);
	assert_string_equal(c.suite, msrtp_profile_name(prof));
	assert_int_equal(msrtp_alloc(&ctx, prof, c.key_salt,
				     c.key_salt + msrtp_key_len(prof)),
			 0);
	free(s);
	return ctx;
}

/* A late offer from an SDES-SRTP PBX leg (a): b (plain RTP) gets an
 * offer; b's answer becomes an RTP/SAVP offer with our key toward a, whose
 * answer carries its key; media then flows encrypted toward a and
 * decrypted from it. Before a answers, nothing goes to it. */
static void test_late_offer_srtp(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_SRTP}, b = {.kind = MEDIA_RTP};
	enum msrtp_profile prof = MSRTP_AES128_CM_SHA1_80;
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct msrtp *rx = NULL, *tx = NULL;
	struct mt_peer pa, pb;
	struct mbuf *mb = NULL;
	uint16_t port_a, port_b;
	uint8_t ks[30], buf[256], pkt[1600];
	char sdp[512], k[64];
	struct rtp_hdr h;
	uv_loop_t loop;
	struct pl pl;
	size_t len;
	ssize_t n;

	(void)state;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pa);
	mt_peer_open(&pb);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, &mb), 0);
	assert_true(mt_sdp_has(mb, " RTP/AVP "));
	assert_false(mt_sdp_has(mb, "crypto"));
	port_b = mt_sdp_port(mb);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pb.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	/* a is inactive until it answers: b's RTP goes nowhere */
	len = mt_rtp(buf, 0, 1, 160, 0xb0b0, 0x11, 160);
	mt_send(&pb, port_b, buf, len);
	assert_true(mt_recv_rtp(&pa, pkt, sizeof(pkt), 200) < 0);

	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, " RTP/SAVP 0 101\r\n"));
	assert_true(
	    mt_sdp_has(mb, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	no_placeholders(mb);
	port_a = mt_sdp_port(mb);
	rx = engine_key(mb);
	mb = mem_deref(mb);
	rand_bytes(ks, sizeof(ks));
	assert_int_equal(msrtp_alloc(&tx, prof, ks, ks + 16), 0);
	b64(k, ks, sizeof(ks));
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/SAVP 0\r\n"
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
		 pa.port, k);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);

	/* b -> a: encrypted with our key */
	len = mt_rtp(buf, 0, 2, 320, 0xb0b0, 0x21, 160);
	mt_send(&pb, port_b, buf, len);
	n = mt_recv_rtp(&pa, pkt, sizeof(pkt), MT_WAIT_MS);
	assert_true(n > 172); /* with the tag */
	len = (size_t)n;
	assert_int_equal(msrtp_unprotect(rx, pkt, &len), 0);
	assert_int_equal(rtp_hdr_decode(&h, pkt, len), 0);
	assert_int_equal(h.payload[0], 0x21);
	/* a -> b: decrypted with a's key */
	len = mt_rtp(buf, 0, 77, 9000, 0xa0a0, 0x42, 160);
	assert_int_equal(msrtp_protect(tx, buf, &len, sizeof(buf)), 0);
	mt_send(&pa, port_a, buf, len);
	n = mt_recv_rtp(&pb, pkt, sizeof(pkt), MT_WAIT_MS);
	assert_int_equal(n, 172);
	assert_int_equal(rtp_hdr_decode(&h, pkt, (size_t)n), 0);
	assert_int_equal(h.payload[0], 0x42);

	media_session_close(ms);
	ms = mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mem_deref(rx);
	mem_deref(tx);
	mt_peer_close(&pa);
	mt_peer_close(&pb);
	mt_engine_free(me, &loop);
}

/* A late offer from a DTLS-SRTP leg (a): the re-offer toward it carries
 * our fingerprint, a=setup:actpass (RFC 5763 §5) and our ICE credentials;
 * its answer (active: it will be the DTLS client) is taken. */
static void test_late_offer_webrtc(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_WEBRTC},
			      b = {.kind = MEDIA_RTP};
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct mt_peer pb;
	struct mbuf *mb = NULL;
	char sdp[1024], fp[SDP_MAX_FP_BYTES * 3 + 16];
	uv_loop_t loop;
	struct pl pl;
	size_t i;

	(void)state;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pb);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, &mb), 0);
	assert_true(mt_sdp_has(mb, " RTP/AVP "));
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pb.port, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, " UDP/TLS/RTP/SAVPF 0"));
	assert_true(mt_sdp_has(mb, "a=setup:actpass"));
	assert_true(mt_sdp_has(mb, "a=ice-ufrag:"));
	assert_true(mt_sdp_has(mb, "a=ice-pwd:"));
	assert_true(mt_sdp_has(mb, "a=rtcp-mux"));
	assert_true(mt_sdp_has(mb, media_engine_fingerprint(me)));
	no_placeholders(mb);
	mb = mem_deref(mb);
	snprintf(fp, sizeof(fp), "sha-256 ");
	for (i = 0; i < 32; i++)
		snprintf(fp + strlen(fp), sizeof(fp) - strlen(fp), "%s%02X",
			 i ? ":" : "", (unsigned)(0xa0 + i));
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		 "m=audio 40000 UDP/TLS/RTP/SAVPF 0\r\n"
		 "c=IN IP4 127.0.0.1\r\na=rtcp-mux\r\na=mid:0\r\n"
		 "a=ice-ufrag:pbxU\r\na=ice-pwd:pbxpassword0123456789xx\r\n"
		 "a=fingerprint:%s\r\na=setup:active\r\n"
		 "a=rtpmap:0 PCMU/8000\r\n",
		 fp);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);

	media_session_close(ms);
	ms = mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mt_peer_close(&pb);
	mt_engine_free(me, &loop);
}

static void test_late_errors(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP},
			      b = {.kind = MEDIA_ECHO};
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct mbuf *mb = NULL;
	uv_loop_t loop;

	(void)state;
	mt_engine(&me, &loop, 0);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	assert_int_equal(media_offer_local(NULL, MEDIA_LEG_A, &mb), EINVAL);
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, NULL), EINVAL);
	/* the echo service has no peer to stand in for */
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_B, &mb), ENOTSUP);
	assert_null(mb);
	/* an offer is pending: a second one is out of order */
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, &mb), 0);
	mb = mem_deref(mb);
	assert_int_equal(media_offer_local(ms, MEDIA_LEG_A, &mb), EPROTO);
	media_session_close(ms);
	ms = mem_deref(ms);
	mt_engine_free(me, &loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_late_offer),
	    SC_TEST(test_late_offer_srtp),
	    SC_TEST(test_late_offer_webrtc),
	    SC_TEST(test_late_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
