/* test_engine_xcode.c: a session whose legs share no codec: PCMU on one
 * side, Opus on the other, transcoded by the relay; a 1 kHz tone must
 * arrive at the far end in both directions (Goertzel). */
#include "mtest.h"
#include "codec/codec.h"
#include "codec/xcode.h"

#define TONE_HZ 1000.0
#define OFF_HZ 1700.0
#define FRAMES 40

/* Sends FRAMES packets of 20 ms tone from `from` to port, made with enc
 * (NULL: PCMU directly), and collects what `to` receives decoded by dec
 * into pcm. Returns the number of samples. */
static size_t tone_through(struct mt_peer *from, uint16_t port,
			   struct mt_peer *to, uint8_t pt, struct xcode *enc,
			   struct xcode *dec, uint8_t rx_pt, int16_t *pcm,
			   size_t room)
{
	uint8_t buf[1600], rx[1600], out[XCODE_OUT_MAX];
	int16_t lin[160];
	double phase = 0;
	uint32_t ts = 0, ots;
	size_t got = 0, len, olen;
	uint16_t seq = 1;
	struct rtp_hdr h;
	int i;

	for (i = 0; i < FRAMES; i++) {
		uint8_t ulaw[160];
		ssize_t n;

		assert_int_equal(
		    codec_tone(lin, 160, 8000, TONE_HZ, 0.5, &phase), 0);
		g711_ulaw_encode(ulaw, lin, 160);
		if (enc) {
			assert_int_equal(
			    xcode_push(enc, ulaw, 160, (uint16_t)i, 160u * i),
			    0);
			if (xcode_pull(enc, out, sizeof(out), &olen, &ots))
				continue;
			len = mt_rtp(buf, pt, seq++, ots, 0x5150, 0, 0);
			memcpy(buf + len, out, olen);
			len += olen;
		} else {
			len = mt_rtp(buf, pt, seq++, ts, 0x5150, 0, 0);
			memcpy(buf + len, ulaw, 160);
			len += 160;
		}
		ts += 160;
		mt_send(from, port, buf, len);
		/* Pace like a real source so the relay sees a stream. */
		while ((n = mt_recv_rtp(to, rx, sizeof(rx), 30)) > 0) {
			assert_int_equal(rtp_hdr_decode(&h, rx, (size_t)n), 0);
			assert_int_equal(h.pt, rx_pt);
			if (dec) {
				if (xcode_push(dec, h.payload, h.payload_len,
					       h.seq, h.ts))
					continue;
				while (!xcode_pull(dec, out, sizeof(out), &olen,
						   &ots) &&
				       got + olen <= room) {
					g711_ulaw_decode(pcm + got, out, olen);
					got += olen;
				}
			} else if (got + h.payload_len <= room) {
				g711_ulaw_decode(pcm + got, h.payload,
						 h.payload_len);
				got += h.payload_len;
			}
		}
	}
	return got;
}

static void assert_tone(const int16_t *pcm, size_t n)
{
	double on, off;

	/* Skip the codec's start-up; look at the middle. */
	assert_true(n >= 8000 / 2);
	on = codec_goertzel(pcm + n / 4, n / 2, 8000, TONE_HZ);
	off = codec_goertzel(pcm + n / 4, n / 2, 8000, OFF_HZ);
	assert_true(on > 0.02);
	assert_true(on > 100 * off);
}

static void test_pcmu_opus(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP,
				   .codecv = {MEDIA_CODEC_PCMU},
				   .codecc = 1,
				   .transcode = true};
	struct media_leg_conf b = {.kind = MEDIA_RTP,
				   .codecv = {MEDIA_CODEC_OPUS},
				   .codecc = 1,
				   .transcode = true};
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_peer pa, pb;
	struct mbuf *mb = NULL;
	struct media_stats st;
	struct xcode *enc, *dec;
	char sdp[512];
	struct pl pl;
	uint16_t port_a, port_b;
	static int16_t pcm[8000 * 2];
	size_t n;

	(void)state;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pa);
	mt_peer_open(&pb);
	assert_int_equal(media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
	mt_sdp(sdp, sizeof(sdp), pa.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, "RTP/AVP 111 110\r\n"));
	assert_true(mt_sdp_has(mb, "a=rtpmap:111 opus/48000/2"));
	assert_true(mt_sdp_has(mb, "a=rtpmap:110 telephone-event/48000"));
	/* Opus only ever transcoded here: narrowband is enough (RFC 7587
	 * section 6.1). */
	assert_true(mt_sdp_has(mb, "a=fmtp:111 minptime=10;useinbandfec=1;"
				   "maxplaybackrate=8000;"
				   "sprop-maxcapturerate=8000\r\n"));
	port_b = mt_sdp_port(mb);
	mb = mem_deref(mb);
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 111\r\n"
		 "a=rtpmap:111 opus/48000/2\r\n",
		 pb.port);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
	/* telephone-event stays on a although b has none: a's key presses
	 * become MEDIA_EV_DTMF (SIP INFO toward b) */
	assert_true(mt_sdp_has(mb, "RTP/AVP 0 101\r\n"));
	port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);

	/* PCMU from a arrives at b as Opus carrying the tone. */
	assert_int_equal(xcode_alloc(&dec, CODEC_OPUS, CODEC_PCMU, NULL), 0);
	n = tone_through(&pa, port_a, &pb, 0, NULL, dec, 111, pcm,
			 SC_ARRAY_SIZE(pcm));
	assert_tone(pcm, n);
	mem_deref(dec);

	/* Opus from b arrives at a as PCMU carrying the tone. */
	assert_int_equal(xcode_alloc(&enc, CODEC_PCMU, CODEC_OPUS, NULL), 0);
	n = tone_through(&pb, port_b, &pa, 111, enc, NULL, 0, pcm,
			 SC_ARRAY_SIZE(pcm));
	assert_tone(pcm, n);
	mem_deref(enc);

	assert_int_equal(media_stats_get(ms, &st), 0);
	assert_true(st.leg[0].transcoding);
	assert_int_equal(st.leg[0].codec, MEDIA_CODEC_PCMU);
	assert_int_equal(st.leg[1].codec, MEDIA_CODEC_OPUS);
	assert_int_equal(st.leg[0].rx_dropped, 0);
	assert_int_equal(st.leg[1].rx_dropped, 0);
	media_session_close(ms);
	mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mt_peer_close(&pa);
	mt_peer_close(&pb);
	mt_engine_free(me, &loop);
}

/* The echo service with an Opus caller: its audio goes through the echo
 * leg's codec (PCMU) and back, and returns as Opus with the tone. */
static void test_echo_through_pcmu(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP,
				   .codecv = {MEDIA_CODEC_OPUS},
				   .codecc = 1,
				   .transcode = true};
	struct media_leg_conf e = {.kind = MEDIA_ECHO,
				   .codecv = {MEDIA_CODEC_PCMU},
				   .codecc = 1,
				   .transcode = true};
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_peer pa;
	struct mbuf *mb = NULL;
	struct media_stats st;
	struct xcode *enc, *dec;
	char sdp[512];
	struct pl pl;
	uint16_t port_a;
	static int16_t pcm[8000 * 2];
	size_t n;

	(void)state;
	mt_engine(&me, &loop, 0);
	mt_peer_open(&pa);
	assert_int_equal(media_session_alloc(&ms, me, &a, &e, NULL, NULL), 0);
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 111\r\n"
		 "a=rtpmap:111 opus/48000/2\r\n",
		 pa.port);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	assert_int_equal(media_answer_local(ms, MEDIA_LEG_B, &mb), 0);
	assert_true(mt_sdp_has(mb, "RTP/AVP 111\r\n"));
	assert_true(mt_sdp_has(mb, "maxplaybackrate=8000;"
				   "sprop-maxcapturerate=8000\r\n"));
	port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);

	assert_int_equal(xcode_alloc(&enc, CODEC_PCMU, CODEC_OPUS, NULL), 0);
	assert_int_equal(xcode_alloc(&dec, CODEC_OPUS, CODEC_PCMU, NULL), 0);
	n = tone_through(&pa, port_a, &pa, 111, enc, dec, 111, pcm,
			 SC_ARRAY_SIZE(pcm));
	assert_tone(pcm, n);
	mem_deref(enc);
	mem_deref(dec);
	assert_int_equal(media_stats_get(ms, &st), 0);
	assert_int_equal(st.leg[0].codec, MEDIA_CODEC_OPUS);
	assert_int_equal(st.leg[1].codec, MEDIA_CODEC_PCMU);
	assert_true(st.leg[0].transcoding);
	media_session_close(ms);
	mem_deref(ms);
	assert_int_equal(media_engine_ports_used(me), 0);
	mt_peer_close(&pa);
	mt_engine_free(me, &loop);
}

/* Opus on both legs is passed through: the browser keeps its own
 * bandwidth (no maxplaybackrate either way); with PCMU on the answer the
 * offerer's Opus is transcoded and its answer asks for narrowband. */
static void test_opus_fmtp(void **state)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP,
				   .codecv = {MEDIA_CODEC_OPUS,
					      MEDIA_CODEC_PCMU},
				   .codecc = 2,
				   .transcode = true};
	struct media_leg_conf b = a;
	const char *answers[] = {"111", "0"};
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mbuf *mb = NULL;
	char sdp[512];
	struct pl pl;
	size_t i;

	(void)state;
	mt_engine(&me, &loop, 0);
	for (i = 0; i < SC_ARRAY_SIZE(answers); i++) {
		assert_int_equal(
		    media_session_alloc(&ms, me, &a, &b, NULL, NULL), 0);
		snprintf(sdp, sizeof(sdp),
			 "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			 "m=audio 4000 RTP/AVP 111\r\n"
			 "a=rtpmap:111 opus/48000/2\r\n");
		pl_set_str(&pl, sdp);
		assert_int_equal(media_offer(ms, MEDIA_LEG_A, &pl, &mb), 0);
		/* Opus is shared: offered first, as it is; PCMU would be
		 * transcoded */
		assert_true(mt_sdp_has(mb, "RTP/AVP 111 0\r\n"));
		assert_true(mt_sdp_has(
		    mb, "a=fmtp:111 minptime=10;useinbandfec=1\r\n"));
		assert_false(mt_sdp_has(mb, "maxplaybackrate"));
		mb = mem_deref(mb);
		snprintf(sdp, sizeof(sdp),
			 "v=0\r\no=- 8 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			 "m=audio 4002 RTP/AVP %s\r\n"
			 "a=rtpmap:%s %s\r\n",
			 answers[i], answers[i],
			 i ? "PCMU/8000" : "opus/48000/2");
		pl_set_str(&pl, sdp);
		assert_int_equal(media_answer(ms, MEDIA_LEG_B, &pl, &mb), 0);
		assert_true(mt_sdp_has(mb, "RTP/AVP 111\r\n"));
		assert_int_equal(mt_sdp_has(mb, "maxplaybackrate=8000;"
						"sprop-maxcapturerate=8000"),
				 i == 1);
		mb = mem_deref(mb);
		media_session_close(ms);
		mem_deref(ms);
	}
	assert_int_equal(media_engine_ports_used(me), 0);
	mt_engine_free(me, &loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_pcmu_opus),
	    SC_TEST(test_opus_fmtp),
	    SC_TEST(test_echo_through_pcmu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
