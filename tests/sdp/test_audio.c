/* test_audio.c: the normalised audio description from real offers, the
 * RFC 3264 codec choice, and the encoder checked byte for byte. */
#include <errno.h>

#include "sdp/sdp.h"
#include "sdp_testutil.h"

static char file_buf[SDP_TEST_FILE_MAX];

static void get_file(struct sdp_sess *s, struct sdp_audio *a, unsigned *idx,
		     const char *path)
{
	size_t n = sdp_test_read(path, file_buf, sizeof(file_buf));

	assert_int_equal(sdp_decode(s, file_buf, n), 0);
	assert_int_equal(sdp_audio_get(a, idx, s), 0);
}

static void assert_sa(const struct sa *sa, const char *host, uint16_t port)
{
	struct sa want;

	assert_int_equal(sa_set(&want, host, port), 0);
	assert_true(sa_cmp(sa, &want));
}

static void test_chrome(void **state)
{
	struct sdp_sess s;
	struct sdp_audio a;
	unsigned idx = 99;

	(void)state;
	get_file(&s, &a, &idx, "data/chrome_audio.sdp");
	assert_int_equal(idx, 0);
	assert_int_equal(a.proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_false(a.port_zero);
	assert_sa(&a.addr, "198.51.100.77", 51234);
	assert_sa(&a.rtcp, "0.0.0.0", 9);
	assert_true(a.rtcp_mux);
	assert_int_equal(a.dir, SDP_SENDRECV);
	assert_int_equal(a.ptime, 0);
	assert_int_equal(a.codecc, 8);
	assert_int_equal(a.codecv[0].pt, 111);
	assert_string_equal(a.codecv[0].name, "opus");
	assert_int_equal(a.codecv[0].rate, 48000);
	assert_int_equal(a.codecv[0].channels, 2);
	assert_string_equal(a.codecv[0].fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(a.codecv[6].pt, 110);
	assert_true(sdp_codec_is_tel_event(&a.codecv[6]));
	assert_int_equal(a.codecv[6].rate, 48000);
	assert_int_equal(a.codecv[7].rate, 8000);
	assert_string_equal(a.ice_ufrag, "Kd3q");
	assert_string_equal(a.ice_pwd, "Zx8yPq2LmNoRstUvWx4Ab6Cd");
	assert_false(a.ice_lite);
	assert_memory_equal(a.fp, "sha-256 7A:1F:3C", 16);
	assert_int_equal(a.setup, SDP_SETUP_ACTPASS);
	assert_string_equal(a.mid, "0");
	/* the mDNS host and the TCP candidate are skipped */
	assert_int_equal(a.candc, 1);
	assert_string_equal(a.candv[0].type, "srflx");
	assert_sa(&a.candv[0].addr, "198.51.100.77", 51234);
	assert_int_equal(a.candv[0].priority, 1686052607u);
	/* the peer's ssrc/cname are never taken */
	assert_int_equal(a.ssrc, 0);
	assert_string_equal(a.cname, "");
	assert_int_equal(sdp_codec_find(&a, "OPUS", 48000), 0);
	assert_int_equal(sdp_codec_find(&a, "pcma", 0), 4);
	assert_int_equal(sdp_codec_find(&a, "PCMA", 16000), -1);
	assert_int_equal(sdp_codec_find(&a, "telephone-event", 8000), 7);
}

static void test_chrome_av_dc(void **state)
{
	struct sdp_sess s;
	struct sdp_audio a;
	unsigned idx = 99;

	(void)state;
	get_file(&s, &a, &idx, "data/chrome_av_dc.sdp");
	assert_int_equal(idx, 0);
	assert_int_equal(a.candc, 4);
	assert_sa(&a.candv[1].addr, "2001:db8:77::1234", 60113);
	assert_string_equal(a.candv[3].type, "relay");
	assert_string_equal(a.candv[3].foundation, "2457613221");
}

static void test_firefox(void **state)
{
	struct sdp_sess s;
	struct sdp_audio a;

	(void)state;
	get_file(&s, &a, NULL, "data/firefox_audio.sdp");
	assert_sa(&a.addr, "2001:db8:cafe::17", 47261);
	assert_int_equal(a.codecc, 5);
	assert_string_equal(a.codecv[0].fmtp,
			    "maxplaybackrate=48000;stereo=1;useinbandfec=1");
	assert_int_equal(a.codecv[1].channels, 1);
	assert_string_equal(a.codecv[4].fmtp, "0-15");
	assert_int_equal(a.candc, 2);
	assert_memory_equal(a.fp, "sha-256 4E:9B", 13); /* session level */
	assert_string_equal(a.ice_ufrag, "8f2c4a1e");
}

static void test_safari(void **state)
{
	struct sdp_sess s;
	struct sdp_audio a;

	(void)state;
	get_file(&s, &a, NULL, "data/safari_audio.sdp");
	assert_int_equal(a.codecc, 12);
	assert_int_equal(a.candc, 1);
	assert_sa(&a.candv[0].addr, "2001:db8:5afa::42", 61877);
	assert_int_equal(sdp_codec_find(&a, "telephone-event", 16000), 10);
}

/* A real answer of headless Chromium 156 to an offer of ours: mDNS host
 * candidates only (an ICE-lite gateway learns the address from STUN). */
static void test_chromium_answer(void **state)
{
	struct sdp_sess s;
	struct sdp_audio a;

	(void)state;
	get_file(&s, &a, NULL, "data/chromium156_answer.sdp");
	assert_int_equal(a.proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(a.setup, SDP_SETUP_ACTIVE);
	assert_int_equal(a.dir, SDP_RECVONLY);
	assert_int_equal(a.candc, 0);
	assert_int_equal(a.codecc, 5);
	assert_true(a.rtcp_mux);
	assert_string_equal(a.mid, "0");
	assert_int_equal(strlen(a.ice_pwd), 24);
}

static void test_plain(void **state)
{
	struct sdp_sess s;
	struct sdp_audio a;

	(void)state;
	get_file(&s, &a, NULL, "data/asterisk.sdp");
	assert_int_equal(a.proto, SDP_PROTO_RTP_AVP);
	assert_sa(&a.addr, "192.0.2.10", 17382);
	assert_sa(&a.rtcp, "192.0.2.10", 17383);
	assert_false(a.rtcp_mux);
	assert_int_equal(a.ptime, 20);
	assert_int_equal(a.codecc, 3);
	assert_string_equal(a.codecv[2].fmtp, "0-16");
	assert_int_equal(a.setup, SDP_SETUP_NONE);
	assert_int_equal(a.candc, 0);

	get_file(&s, &a, NULL, "data/freeswitch.sdp");
	assert_sa(&a.rtcp, "198.51.100.23", 24639);
	assert_int_equal(a.codecc, 5);
	assert_string_equal(a.codecv[0].name, "PCMA");
}

static void test_sdes(void **state)
{
	struct sdp_sess s;
	struct sdp_audio a;

	(void)state;
	get_file(&s, &a, NULL, "data/sdes_lf.sdp");
	assert_int_equal(a.proto, SDP_PROTO_RTP_SAVP);
	assert_int_equal(a.dir, SDP_SENDONLY);
	assert_int_equal(a.cryptoc, 2);
	assert_int_equal(a.cryptov[0].tag, 1);
	assert_int_equal(a.cryptov[0].key_salt_len, 30);
	assert_int_equal(a.cryptov[0].lifetime, 1ull << 31);
	assert_string_equal(a.cryptov[1].suite, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(a.cryptov[1].mki, 1);
	assert_int_equal(a.cryptov[1].mki_len, 4);
	sdp_audio_wipe(&a);
	assert_int_equal(a.cryptov[0].key_salt[0], 0);
	assert_int_equal(a.cryptoc, 0);
}

static void test_get_errors(void **state)
{
	static const struct {
		const char *sdp;
		int err;
	} v[] = {
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n", ENOENT},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=video 5 RTP/AVP 96\r\n",
	     ENOENT},
	    /* no c= */
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 5 RTP/AVP 0\r\n",
	     EBADMSG},
	    /* c= not an IP literal */
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 pbx.example\r\n"
	     "m=audio 5 RTP/AVP 0\r\n",
	     EBADMSG},
	    /* no usable codec: dynamic type without rtpmap */
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n"
	     "m=audio 5 RTP/AVP 96\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n"
	     "m=audio 5 TCP/MRCPv2 1\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n"
	     "m=audio 5 RTP/AVP 0\r\na=rtcp:x\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n"
	     "m=audio 5 UDP/TLS/RTP/SAVPF 0\r\na=fingerprint:sha-256 XY\r\n",
	     EBADMSG},
	    /* rejected stream: fine, port_zero */
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 0 RTP/AVP 96\r\n", 0},
	    /* static type without rtpmap: fine */
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n"
	     "m=audio 5 RTP/AVP 18\r\n",
	     0},
	};
	struct sdp_sess s;
	struct sdp_audio a;
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(v); i++) {
		int err;

		assert_int_equal(sdp_decode(&s, v[i].sdp, strlen(v[i].sdp)), 0);
		err = sdp_audio_get(&a, NULL, &s);
		if (err != v[i].err)
			fail_msg("case %zu: %d, want %d", i, err, v[i].err);
	}
	assert_true(a.codecc == 1 && !strcmp(a.codecv[0].name, "G729"));
}

/* RFC 3264 section 5.1 / RFC 8866 6.7: media direction overrides the
 * session's; none at all is sendrecv. */
static void test_direction(void **state)
{
	static const char sess_only[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
					"c=IN IP4 192.0.2.1\r\na=inactive\r\n"
					"m=audio 5 RTP/AVP 0\r\n";
	static const char both[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
				   "c=IN IP4 192.0.2.1\r\na=sendonly\r\n"
				   "m=audio 5 RTP/AVP 0\r\na=recvonly\r\n";
	static const char none[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
				   "c=IN IP4 192.0.2.1\r\n"
				   "m=audio 5 RTP/AVP 0\r\n";
	struct sdp_sess s;
	struct sdp_audio a;

	(void)state;
	assert_int_equal(sdp_decode(&s, sess_only, sizeof(sess_only) - 1), 0);
	assert_int_equal(sdp_audio_get(&a, NULL, &s), 0);
	assert_int_equal(a.dir, SDP_INACTIVE);
	assert_int_equal(sdp_decode(&s, both, sizeof(both) - 1), 0);
	assert_int_equal(sdp_audio_get(&a, NULL, &s), 0);
	assert_int_equal(a.dir, SDP_RECVONLY);
	assert_int_equal(sdp_decode(&s, none, sizeof(none) - 1), 0);
	assert_int_equal(sdp_audio_get(&a, NULL, &s), 0);
	assert_int_equal(a.dir, SDP_SENDRECV);
	assert_string_equal(sdp_dir_name(SDP_INACTIVE), "inactive");
}

static void test_answer_codecs(void **state)
{
	const struct sdp_codec web[] = {sdp_codec_opus, sdp_codec_pcmu,
					sdp_codec_pcma, sdp_codec_tel_event_48k,
					sdp_codec_tel_event_8k};
	const struct sdp_codec pbx[] = {sdp_codec_pcma, sdp_codec_pcmu,
					sdp_codec_tel_event_8k};
	struct sdp_sess s;
	struct sdp_audio off, ans;

	(void)state;
	memset(&ans, 0, sizeof(ans));
	get_file(&s, &off, NULL, "data/chrome_audio.sdp");
	assert_int_equal(sdp_answer_codecs(&ans, &off, web, 5), 0);
	assert_int_equal(ans.codecc, 2);
	assert_int_equal(ans.codecv[0].pt, 111);
	assert_string_equal(ans.codecv[0].fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(ans.codecv[1].pt, 110); /* at 48000, as Opus */
	assert_string_equal(ans.codecv[1].fmtp, "0-16");

	/* our preference wins over the offer's order */
	assert_int_equal(sdp_answer_codecs(&ans, &off, pbx, 3), 0);
	assert_int_equal(ans.codecc, 2);
	assert_int_equal(ans.codecv[0].pt, 8);
	assert_int_equal(ans.codecv[1].pt, 126);

	get_file(&s, &off, NULL, "data/firefox_audio.sdp");
	assert_int_equal(sdp_answer_codecs(&ans, &off, web, 5), 0);
	assert_int_equal(ans.codecc, 1); /* no telephone-event at 48000 */
	assert_int_equal(ans.codecv[0].pt, 109);
	assert_string_equal(ans.codecv[0].fmtp, "minptime=10;useinbandfec=1");

	get_file(&s, &off, NULL, "data/asterisk.sdp");
	assert_int_equal(sdp_answer_codecs(&ans, &off, web, 5), 0);
	assert_int_equal(ans.codecv[0].pt, 0);
	assert_int_equal(ans.codecv[1].pt, 101);
	assert_int_equal(sdp_answer_codecs(&ans, &off, web, 1), ENOTSUP);
	assert_int_equal(
	    sdp_answer_codecs(&ans, &off, &sdp_codec_tel_event_8k, 1), ENOTSUP);
	/* answering in place */
	assert_int_equal(sdp_answer_codecs(&off, &off, pbx, 2), 0);
	assert_int_equal(off.codecc, 1);
	assert_int_equal(off.codecv[0].pt, 8);
}

static void origin_init(struct sdp_origin *o)
{
	memset(o, 0, sizeof(*o));
	strcpy(o->user, "sipcloak");
	o->sess_id = 7001;
	o->sess_ver = 2;
	assert_int_equal(sa_set(&o->addr, "203.0.113.5", 0), 0);
}

static void test_encode_plain_offer(void **state)
{
	static const char want[] = "v=0\r\n"
				   "o=sipcloak 7001 2 IN IP4 203.0.113.5\r\n"
				   "s=-\r\n"
				   "c=IN IP4 203.0.113.5\r\n"
				   "t=0 0\r\n"
				   "m=audio 40000 RTP/AVP 0 8 101\r\n"
				   "a=rtpmap:0 PCMU/8000\r\n"
				   "a=rtpmap:8 PCMA/8000\r\n"
				   "a=rtpmap:101 telephone-event/8000\r\n"
				   "a=fmtp:101 0-16\r\n"
				   "a=ptime:20\r\n"
				   "a=sendrecv\r\n";
	struct sdp_origin o;
	struct sdp_audio a;
	struct mbuf *mb;

	(void)state;
	origin_init(&o);
	memset(&a, 0, sizeof(a));
	a.proto = SDP_PROTO_RTP_AVP;
	assert_int_equal(sa_set(&a.addr, "203.0.113.5", 40000), 0);
	a.rtcp = a.addr;
	sa_set_port(&a.rtcp, 40001); /* the default: no a=rtcp */
	a.ptime = 20;
	a.codecv[0] = sdp_codec_pcmu;
	a.codecv[1] = sdp_codec_pcma;
	a.codecv[2] = sdp_codec_tel_event_8k;
	a.codecc = 3;
	assert_int_equal(mbuf_alloc(&mb, 256), 0);
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), 0);
	assert_int_equal(mb->end, sizeof(want) - 1);
	assert_memory_equal(mb->buf, want, sizeof(want) - 1);

	/* RTCP elsewhere, SDES, hold */
	mbuf_reset(mb);
	sa_set_port(&a.rtcp, 40003);
	a.proto = SDP_PROTO_RTP_SAVP;
	a.dir = SDP_SENDONLY;
	a.codecc = 1;
	a.ptime = 0;
	a.cryptov[0].tag = 1;
	strcpy(a.cryptov[0].suite, "AES_CM_128_HMAC_SHA1_80");
	memset(a.cryptov[0].key_salt, 0xfb, 30);
	a.cryptov[0].key_salt_len = 30;
	a.cryptov[0].lifetime = 1u << 31;
	a.cryptoc = 1;
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_non_null(strstr((char *)mb->buf,
			       "m=audio 40000 RTP/SAVP 0\r\n"
			       "a=rtpmap:0 PCMU/8000\r\n"
			       "a=sendonly\r\n"
			       "a=rtcp:40003 IN IP4 203.0.113.5\r\n"
			       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
			       "+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7"
			       "|2147483648\r\n"));
	sdp_audio_wipe(&a);
	mem_deref(mb);
}

/* The engine's helpers: which way media flows, what an answer may say
 * (RFC 3264 section 6.1), a=rtcp written on request (RFC 3605, RFC 5761
 * section 5.1.3). */
static void test_dir_rtcp_attr(void **state)
{
	struct sdp_origin o;
	struct sdp_audio a;
	struct mbuf *mb;

	(void)state;
	assert_true(sdp_dir_sends(SDP_SENDRECV) && sdp_dir_recvs(SDP_SENDRECV));
	assert_true(sdp_dir_sends(SDP_SENDONLY) &&
		    !sdp_dir_recvs(SDP_SENDONLY));
	assert_true(!sdp_dir_sends(SDP_RECVONLY) &&
		    sdp_dir_recvs(SDP_RECVONLY));
	assert_false(sdp_dir_sends(SDP_INACTIVE) ||
		     sdp_dir_recvs(SDP_INACTIVE));
	assert_int_equal(sdp_dir_make(true, true), SDP_SENDRECV);
	assert_int_equal(sdp_dir_make(true, false), SDP_SENDONLY);
	assert_int_equal(sdp_dir_make(false, true), SDP_RECVONLY);
	assert_int_equal(sdp_dir_make(false, false), SDP_INACTIVE);
	assert_int_equal(sdp_dir_reverse(SDP_SENDONLY), SDP_RECVONLY);
	assert_int_equal(sdp_dir_reverse(SDP_RECVONLY), SDP_SENDONLY);
	assert_int_equal(sdp_dir_reverse(SDP_SENDRECV), SDP_SENDRECV);
	assert_int_equal(sdp_dir_reverse(SDP_INACTIVE), SDP_INACTIVE);

	origin_init(&o);
	memset(&a, 0, sizeof(a));
	a.proto = SDP_PROTO_RTP_AVP;
	assert_int_equal(sa_set(&a.addr, "203.0.113.5", 40000), 0);
	a.rtcp = a.addr;
	sa_set_port(&a.rtcp, 40001);
	a.codecv[0] = sdp_codec_pcmu;
	a.codecc = 1;
	a.rtcp_attr = true;
	assert_int_equal(mbuf_alloc(&mb, 256), 0);
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_non_null(
	    strstr((char *)mb->buf, "a=rtcp:40001 IN IP4 203.0.113.5\r\n"));
	assert_null(strstr((char *)mb->buf, "a=rtcp-mux"));
	/* muxed: the RTP port, then rtcp-mux */
	mbuf_reset(mb);
	a.rtcp = a.addr;
	a.rtcp_mux = true;
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_non_null(strstr((char *)mb->buf,
			       "a=rtcp:40000 IN IP4 203.0.113.5\r\n"
			       "a=rtcp-mux\r\n"));
	/* without rtcp_attr: rtcp-mux alone, as before */
	mbuf_reset(mb);
	a.rtcp_attr = false;
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_null(strstr((char *)mb->buf, "a=rtcp:"));
	assert_non_null(strstr((char *)mb->buf, "a=rtcp-mux\r\n"));
	mem_deref(mb);
}

static void test_encode_webrtc_answer(void **state)
{
	static const char want[] =
	    "v=0\r\n"
	    "o=sipcloak 7001 2 IN IP4 203.0.113.5\r\n"
	    "s=-\r\n"
	    "c=IN IP4 203.0.113.5\r\n"
	    "t=0 0\r\n"
	    "a=ice-lite\r\n"
	    "a=group:BUNDLE 0\r\n"
	    "m=audio 41000 UDP/TLS/RTP/SAVPF 111 110\r\n"
	    "a=mid:0\r\n"
	    "a=rtpmap:111 opus/48000/2\r\n"
	    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	    "a=rtpmap:110 telephone-event/48000\r\n"
	    "a=fmtp:110 0-16\r\n"
	    "a=sendrecv\r\n"
	    "a=rtcp-mux\r\n"
	    "a=ice-ufrag:OurU\r\n"
	    "a=ice-pwd:OurPasswordOurPassword\r\n"
	    "a=fingerprint:sha-256 01:02\r\n"
	    "a=setup:passive\r\n"
	    "a=candidate:1 1 udp 2130706431 203.0.113.5 41000 typ host\r\n"
	    "a=end-of-candidates\r\n"
	    "a=ssrc:1234 cname:sc1\r\n"
	    "a=msid:sc1 sc1-audio\r\n"
	    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
	    "a=mid:1\r\n"
	    "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	    "a=mid:2\r\n";
	const struct sdp_codec web[] = {sdp_codec_opus,
					sdp_codec_tel_event_48k};
	struct sdp_origin o;
	struct sdp_sess s;
	struct sdp_audio off, a;
	struct mbuf *mb;
	unsigned idx;

	(void)state;
	origin_init(&o);
	get_file(&s, &off, &idx, "data/chrome_av_dc.sdp");
	memset(&a, 0, sizeof(a));
	a.proto = off.proto;
	assert_int_equal(sa_set(&a.addr, "203.0.113.5", 41000), 0);
	a.rtcp_mux = true;
	a.ice_lite = true;
	strcpy(a.ice_ufrag, "OurU");
	strcpy(a.ice_pwd, "OurPasswordOurPassword");
	strcpy(a.fp, "sha-256 01:02");
	a.setup = SDP_SETUP_PASSIVE;
	strcpy(a.mid, off.mid);
	strcpy(a.candv[0].foundation, "1");
	a.candv[0].component = 1;
	a.candv[0].priority = 2130706431;
	a.candv[0].addr = a.addr;
	strcpy(a.candv[0].type, "host");
	a.candc = 1;
	a.ssrc = 1234;
	strcpy(a.cname, "sc1");
	assert_int_equal(sdp_answer_codecs(&a, &off, web, 2), 0);
	assert_int_equal(mbuf_alloc(&mb, 256), 0);
	assert_int_equal(sdp_audio_encode(mb, &o, &a, &s, idx), 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_string_equal((char *)mb->buf, want);

	assert_int_equal(sdp_audio_encode(mb, &o, &a, &s, 3), EINVAL);
	mem_deref(mb);
}

/* No value can break a line; errors leave the buffer as it was. */
static void test_encode_errors(void **state)
{
	struct sdp_origin o;
	struct sdp_audio a;
	struct mbuf *mb;
	long n;
	int err;

	(void)state;
	origin_init(&o);
	memset(&a, 0, sizeof(a));
	a.proto = SDP_PROTO_UDP_TLS_RTP_SAVPF;
	assert_int_equal(sa_set(&a.addr, "2001:db8::5", 41000), 0);
	a.codecv[0] = sdp_codec_opus;
	a.codecc = 1;
	strcpy(a.ice_ufrag, "abcd");
	strcpy(a.ice_pwd, "0123456789012345678901");
	strcpy(a.fp, "sha-256 01:02");
	strcpy(a.mid, "0");
	assert_int_equal(mbuf_alloc(&mb, 16), 0);
	assert_int_equal(mbuf_write_str(mb, "keep"), 0);

	strcpy(a.ice_pwd, "x\r\na=ice-pwd:y");
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), EINVAL);
	strcpy(a.ice_pwd, "0123456789012345678901");
	strcpy(a.codecv[0].fmtp, "a=1\n");
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), EINVAL);
	a.codecv[0] = sdp_codec_opus;
	memset(a.cname, 'c', sizeof(a.cname)); /* not NUL-terminated */
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), EINVAL);
	a.cname[0] = '\0';
	strcpy(a.mid, "0 1");
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), EINVAL);
	strcpy(a.mid, "0");
	a.codecc = SDP_MAX_CODECS + 1;
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), EINVAL);
	a.codecc = 1;
	memset(&o.addr, 0, sizeof(o.addr));
	assert_int_equal(sdp_audio_encode(mb, &o, &a, NULL, 0), EINVAL);
	assert_int_equal(mb->end, 4);
	origin_init(&o);

	/* allocation failures: ENOMEM, nothing left behind, then success */
	for (n = 0;; n++) {
		mem_fail_after(n);
		err = sdp_audio_encode(mb, &o, &a, NULL, 0);
		mem_fail_after(-1);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
		assert_int_equal(mb->end, 4);
		assert_int_equal(mb->pos, 4);
	}
	assert_true(n > 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_non_null(strstr((char *)mb->buf, "keepv=0\r\n"));
	assert_non_null(strstr((char *)mb->buf, "c=IN IP6 2001:db8::5\r\n"));
	mem_deref(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_chrome),
	    SC_TEST(test_chrome_av_dc),
	    SC_TEST(test_firefox),
	    SC_TEST(test_safari),
	    SC_TEST(test_chromium_answer),
	    SC_TEST(test_plain),
	    SC_TEST(test_sdes),
	    SC_TEST(test_get_errors),
	    SC_TEST(test_direction),
	    SC_TEST(test_answer_codecs),
	    SC_TEST(test_encode_plain_offer),
	    SC_TEST(test_encode_webrtc_answer),
	    SC_TEST(test_dir_rtcp_attr),
	    SC_TEST(test_encode_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
