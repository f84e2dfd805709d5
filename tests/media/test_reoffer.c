/* test_reoffer.c: media_reoffer(), the session's own offer to a leg that
 * sent a re-INVITE without SDP (RFC 3261 §14.1, RFC 3264 §5), answered in
 * the ACK; and media_offer_cancel() after a refused re-offer (a 491 or a
 * 488 to a re-INVITE leaves the session as it was). */
#include "mtest.h"

#define BROWSER_SDP                                                            \
	"v=0\r\no=- 7303116520497 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"      \
	"a=group:BUNDLE 0\r\n"                                                 \
	"m=audio 40999 UDP/TLS/RTP/SAVPF 111 0 126\r\n"                        \
	"c=IN IP4 127.0.0.1\r\n"                                               \
	"a=candidate:3920 1 udp 2122260223 127.0.0.1 40999 typ host\r\n"       \
	"a=ice-ufrag:brUfragQ\r\na=ice-pwd:brIcePasswordQ7x9Lk2mN4pB\r\n"      \
	"a=fingerprint:sha-256 "                                               \
	"0B:30:55:7A:9F:C4:E9:0E:33:58:7D:A2:C7:EC:11:36:5B:80:A5:CA:EF:14:"   \
	"39:5E:83:A8:CD:F2:17:3C:61:86\r\n"                                    \
	"a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"           \
	"a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"                \
	"a=rtpmap:126 telephone-event/8000\r\n"

#define RELAY_TRIES 20 /* new parameters reach the worker through a queue */

/* Packets of payload type tx_pt from `from` to the engine's to_port
 * reach `to` as payload type pt (one of the first RELAY_TRIES, 100 ms
 * apart); each call's packets are numbered on from *seq (a stream going
 * on). */
static void relayed_as(struct mt_peer *from, uint16_t to_port,
		       struct mt_peer *to, uint8_t tx_pt, uint8_t pt,
		       uint16_t *seq)
{
	uint8_t buf[256], rx[1500];
	struct rtp_hdr h;
	bool ok = false;
	int i;

	for (i = 0; i < RELAY_TRIES && !ok; i++) {
		size_t len =
		    mt_rtp(buf, tx_pt, *seq, 160u * *seq, 0x1234, 0x5a, 160);
		ssize_t r;

		(*seq)++;
		mt_send(from, to_port, buf, len);
		r = mt_recv_rtp(to, rx, sizeof(rx), 100);
		ok = r > 0 && !rtp_hdr_decode(&h, rx, (size_t)r) && h.pt == pt;
	}
	assert_true(ok);
	while (mt_recv_rtp(to, rx, sizeof(rx), 50) > 0)
		; /* late copies of the tries */
}

static void relayed(struct mt_peer *from, uint16_t to_port, struct mt_peer *to,
		    uint8_t pt, uint16_t *seq)
{
	relayed_as(from, to_port, to, pt, pt, seq);
}

/* The "o=" line of an SDP (up to its end). */
static void origin(const struct mbuf *mb, char *out, size_t size)
{
	char *s = calloc(1, mb->end + 1), *o, *e;

	assert_non_null(s);
	memcpy(s, mb->buf, mb->end);
	o = strstr(s, "o=");
	assert_non_null(o);
	e = strstr(o, "\r\n");
	assert_non_null(e);
	*e = '\0';
	snprintf(out, size, "%s", o);
	free(s);
}

/* a offers PCMU and PCMA, b answers PCMU; then b sends a re-INVITE
 * without SDP: b's offer is a's description again with the codec a uses
 * (PCMU first, then PCMA, which b may have transcoded), on the same port;
 * b picks PCMA in its ACK: b gets PCMA from then on, and a, who was not
 * asked, keeps PCMU (transcoded). */
static void test_reoffer_codec(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP, .transcode = true},
			      b = {.kind = MEDIA_RTP, .transcode = true};
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct mt_events ev;
	struct mt_peer pa, pb;
	struct mbuf *mb = NULL;
	uint16_t port_a, port_b, seq_a = 1, seq_b = 1;
	char sdp[512], o1[128], o2[128];
	uv_loop_t loop;
	struct pl pl;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	b.codecv[0] = MEDIA_CODEC_PCMU;
	b.codecv[1] = MEDIA_CODEC_PCMA;
	b.codecc = 2;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pa);
	mt_peer_open(&pb);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, mt_event_h, &ev),
			 0);
	/* nothing said yet: nothing to offer again */
	assert_int_equal(media_reoffer(ms, MEDIA_LEG_B, &mb), EPROTO);
	assert_int_equal(media_offer_cancel(ms), EPROTO);
	mt_sdp(sdp, sizeof(sdp), pa.port, "0 8 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	port_b = mt_sdp_port(mb);
	origin(mb, o1, sizeof(o1));
	mb = mem_deref(mb);
	/* an offer pending: no re-offer */
	assert_int_equal(media_reoffer(ms, MEDIA_LEG_B, &mb), EPROTO);
	assert_null(mb);
	mt_sdp(sdp, sizeof(sdp), pb.port, "0 101", "a=sendrecv\r\n");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);
	relayed(&pa, port_a, &pb, 0, &seq_a);
	relayed(&pb, port_b, &pa, 0, &seq_b);

	/* b's offer-less re-INVITE: the same port and session, a's codecs */
	assert_int_equal(media_reoffer(ms, MEDIA_LEG_B, &mb), 0);
	assert_int_equal(mt_sdp_port(mb), port_b);
	assert_true(mt_sdp_has(mb, "RTP/AVP 0 8 101\r\n"));
	assert_true(mt_sdp_has(mb, "a=sendrecv"));
	origin(mb, o2, sizeof(o2));
	/* o= keeps user, session id and address (RFC 3264 §8) */
	{
		char u1[32], u2[32], ad1[64], ad2[64];
		unsigned long long id1, id2, v1, v2;

		assert_int_equal(sscanf(o1, "o=%31s %llu %llu IN IP4 %63s", u1,
					&id1, &v1, ad1),
				 4);
		assert_int_equal(sscanf(o2, "o=%31s %llu %llu IN IP4 %63s", u2,
					&id2, &v2, ad2),
				 4);
		assert_string_equal(u1, u2);
		assert_true(id1 == id2);
		assert_true(v2 == v1 + 1);
		assert_string_equal(ad1, ad2);
	}
	mb = mem_deref(mb);
	/* a second offer while this one waits for the ACK is out of order */
	assert_int_equal(media_reoffer(ms, MEDIA_LEG_A, &mb), EPROTO);
	/* the ACK answers PCMA */
	mt_sdp(sdp, sizeof(sdp), pb.port, "8 101", "a=sendrecv\r\n");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	relayed_as(&pb, port_b, &pa, 8, 0, &seq_b);
	relayed_as(&pa, port_a, &pb, 0, 8, &seq_a);

	media_session_close(ms);
	ms = mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mt_peer_close(&pa);
	mt_peer_close(&pb);
	mt_engine_free(me, &loop);
}

/* A re-offer that the other side refuses (491): cancelled, the relay goes
 * on as before, and the other leg may offer next. */
static void test_offer_cancel(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP}, b = {.kind = MEDIA_RTP};
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct mt_peer pa, pb;
	struct mbuf *mb = NULL;
	uint16_t port_a, port_b, seq_a = 1, seq_b = 1;
	char sdp[512];
	uv_loop_t loop;
	struct pl pl;

	(void)state;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pa);
	mt_peer_open(&pb);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	mt_sdp(sdp, sizeof(sdp), pa.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	port_b = mt_sdp_port(mb);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pb.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);
	/* a holds; b answers 491: the offer is withdrawn */
	mt_sdp(sdp, sizeof(sdp), pa.port, "0 101", "a=sendonly\r\n");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), EPROTO);
	assert_int_equal(media_offer_cancel(ms), 0);
	assert_int_equal(media_offer_cancel(ms), EPROTO);
	assert_int_equal(media_offer_cancel(NULL), EINVAL);
	/* media still flows both ways (the hold never took effect) */
	relayed(&pa, port_a, &pb, 0, &seq_a);
	relayed(&pb, port_b, &pa, 0, &seq_b);
	/* b's own offer now goes through, and a's answer applies */
	mt_sdp(sdp, sizeof(sdp), pb.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_int_equal(mt_sdp_port(mb), port_a);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pa.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	relayed(&pa, port_a, &pb, 0, &seq_a);

	media_session_close(ms);
	ms = mem_deref(ms);
	mt_peer_close(&pa);
	mt_peer_close(&pb);
	mt_engine_free(me, &loop);
}

/* A WebRTC leg's description written out again: the offer toward the
 * PBX is plain RTP (nothing of ICE or DTLS crosses), and the browser's
 * own offer-less re-INVITE gets an offer with the same ICE credentials
 * (no ICE restart) and the same port. */
static void test_reoffer_webrtc(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_WEBRTC},
			      b = {.kind = MEDIA_RTP};
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct mt_peer pb;
	struct mbuf *mb = NULL, *first = NULL;
	uint16_t port_a;
	char sdp[512];
	uv_loop_t loop;
	struct pl pl;

	(void)state;
	b.codecv[0] = MEDIA_CODEC_PCMU;
	b.codecc = 1;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pb);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	pl_set_str(&pl, BROWSER_SDP);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), pb.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &first), 0);
	port_a = mt_sdp_port(first);
	/* the PBX asks for an offer */
	assert_int_equal(media_reoffer(ms, MEDIA_LEG_B, &mb), 0);
	assert_true(mt_sdp_has(mb, "RTP/AVP 0 101\r\n"));
	assert_false(mt_sdp_has(mb, "ice-"));
	assert_false(mt_sdp_has(mb, "fingerprint"));
	assert_false(mt_sdp_has(mb, "brUfragQ"));
	mb = mem_deref(mb);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	/* the browser asks for one */
	assert_int_equal(media_reoffer(ms, MEDIA_LEG_A, &mb), 0);
	assert_true(mt_sdp_has(mb, "UDP/TLS/RTP/SAVPF"));
	assert_int_equal(mt_sdp_port(mb), port_a);
	{
		char *s = calloc(1, first->end + 1), *u, *e;

		assert_non_null(s);
		memcpy(s, first->buf, first->end);
		u = strstr(s, "a=ice-ufrag:");
		assert_non_null(u);
		e = strstr(u, "\r\n");
		assert_non_null(e);
		*e = '\0';
		assert_true(mt_sdp_has(mb, u)); /* the same credentials */
		free(s);
	}
	mb = mem_deref(mb);
	assert_int_equal(media_offer_cancel(ms), 0);

	first = mem_deref(first);
	media_session_close(ms);
	ms = mem_deref(ms);
	mt_peer_close(&pb);
	mt_engine_free(me, &loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_reoffer_codec),
	    SC_TEST(test_offer_cancel),
	    SC_TEST(test_reoffer_webrtc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
