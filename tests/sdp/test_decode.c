/* test_decode.c: the SDP parser (RFC 8866) on browser and PBX samples,
 * malformed input, limits, and every truncation of every sample. */
#include <errno.h>

#include "sdp/sdp.h"
#include "sdp_testutil.h"

static void test_chrome_bundle(void **state)
{
	static char buf[SDP_TEST_FILE_MAX];
	struct sdp_sess s;
	struct pl val, mid = PL("2"), nomid = PL("3");
	struct sa sa;
	size_t n = sdp_test_read("data/chrome_av_dc.sdp", buf, sizeof(buf));

	(void)state;
	assert_int_equal(sdp_decode(&s, buf, n), 0);
	assert_null(s.err);
	assert_int_equal(s.mediac, 3);
	assert_int_equal(pl_strcmp(&s.o_sess_id, "5190836127463385021"), 0);
	assert_int_equal(pl_strcmp(&s.o_addr, "127.0.0.1"), 0);
	assert_int_equal(pl_strcmp(&s.mediav[0].type, "audio"), 0);
	assert_int_equal(pl_strcmp(&s.mediav[1].type, "video"), 0);
	assert_int_equal(pl_strcmp(&s.mediav[2].type, "application"), 0);
	assert_int_equal(pl_strcmp(&s.mediav[2].proto, "UDP/DTLS/SCTP"), 0);
	assert_int_equal(pl_strcmp(&s.mediav[2].fmts, "webrtc-datachannel"), 0);
	assert_int_equal(
	    pl_strcmp(&s.mediav[0].fmts, "111 63 9 0 8 13 110 126"), 0);
	assert_int_equal(s.mediav[0].port, 9);
	assert_true(sdp_bundle_has(&s, &mid));
	assert_false(sdp_bundle_has(&s, &nomid));
	assert_int_equal(sdp_sess_attr(&val, &s, "msid-semantic"), 0);
	assert_int_equal(pl_strcmp(&val, "WMS Hq7bNc3Vx9Rt"), 0);
	assert_int_equal(sdp_media_attr(&val, &s.mediav[1], "mid"), 0);
	assert_int_equal(pl_strcmp(&val, "1"), 0);
	assert_int_equal(sdp_media_attr(&val, &s.mediav[0], "nope"), ENOENT);
	assert_true(sdp_media_has(&s.mediav[0], "rtcp-mux"));
	assert_int_equal(sdp_media_attr(&val, &s.mediav[0], "rtcp-mux"), 0);
	assert_int_equal(val.l, 0);
	assert_int_equal(sdp_media_addr(&sa, &s, &s.mediav[0]), 0);
	assert_true(sa_is_any(&sa));
	assert_int_equal(sa_port(&sa), 9);
}

static void test_firefox_session_level(void **state)
{
	static char buf[SDP_TEST_FILE_MAX];
	struct sdp_sess s;
	struct pl val;
	struct sa sa, want;
	size_t n = sdp_test_read("data/firefox_audio.sdp", buf, sizeof(buf));

	(void)state;
	assert_int_equal(sdp_decode(&s, buf, n), 0);
	assert_int_equal(s.mediac, 1);
	/* RFC 8842 section 5: fingerprint at session level applies */
	assert_int_equal(sdp_media_attr(&val, &s.mediav[0], "fingerprint"),
			 ENOENT);
	assert_int_equal(
	    sdp_attr_fallback(&val, &s, &s.mediav[0], "fingerprint"), 0);
	assert_true(val.l > 70);
	assert_int_equal(sdp_attr_fallback(&val, &s, &s.mediav[0], "ice-ufrag"),
			 0);
	assert_int_equal(pl_strcmp(&val, "8f2c4a1e"), 0);
	assert_int_equal(sdp_media_addr(&sa, &s, &s.mediav[0]), 0);
	assert_int_equal(sa_set(&want, "2001:db8:cafe::17", 47261), 0);
	assert_true(sa_cmp(&sa, &want));
}

static void test_lf_media_conn(void **state)
{
	static char buf[SDP_TEST_FILE_MAX];
	struct sdp_sess s;
	struct sa sa, want;
	size_t n = sdp_test_read("data/sdes_lf.sdp", buf, sizeof(buf));

	(void)state;
	assert_int_equal(sdp_decode(&s, buf, n), 0);
	assert_false(s.has_conn);
	assert_true(s.mediav[0].has_conn);
	assert_int_equal(sdp_media_addr(&sa, &s, &s.mediav[0]), 0);
	assert_int_equal(sa_set(&want, "192.0.2.98", 33016), 0);
	assert_true(sa_cmp(&sa, &want));
	/* no stray CR or LF in views */
	assert_int_equal(
	    pl_strcmp(&s.mediav[0].attrv[s.mediav[0].attrc - 1].name,
		      "sendonly"),
	    0);
}

static void test_rtpmap_fmtp(void **state)
{
	struct sdp_rtpmap rm;
	struct sdp_fmtp fm;
	struct pl v;

	(void)state;
	v = PL("111 opus/48000/2");
	assert_int_equal(sdp_rtpmap_decode(&rm, &v), 0);
	assert_int_equal(rm.pt, 111);
	assert_int_equal(pl_strcmp(&rm.name, "opus"), 0);
	assert_int_equal(rm.rate, 48000);
	assert_int_equal(rm.channels, 2);
	v = PL("0 PCMU/8000");
	assert_int_equal(sdp_rtpmap_decode(&rm, &v), 0);
	assert_int_equal(rm.channels, 1);
	v = PL("128 PCMU/8000");
	assert_int_equal(sdp_rtpmap_decode(&rm, &v), EBADMSG);
	v = PL("8 PCMA");
	assert_int_equal(sdp_rtpmap_decode(&rm, &v), EBADMSG);
	v = PL("8 PCMA/");
	assert_int_equal(sdp_rtpmap_decode(&rm, &v), EBADMSG);
	v = PL("8 /8000");
	assert_int_equal(sdp_rtpmap_decode(&rm, &v), EBADMSG);
	v = PL("101 telephone-event/8000/0");
	assert_int_equal(sdp_rtpmap_decode(&rm, &v), EBADMSG);
	v = PL("101 0-16");
	assert_int_equal(sdp_fmtp_decode(&fm, &v), 0);
	assert_int_equal(fm.pt, 101);
	assert_int_equal(pl_strcmp(&fm.params, "0-16"), 0);
	v = PL("x 0-16");
	assert_int_equal(sdp_fmtp_decode(&fm, &v), EBADMSG);
}

static void test_candidate(void **state)
{
	struct sdp_candidate c;
	struct pl v;

	(void)state;
	v = PL("2457613221 1 udp 41885439 198.51.100.250 3478 typ relay "
	       "raddr 203.0.113.201 rport 41877 generation 0 ufrag Vb7n "
	       "network-id 1 network-cost 10");
	assert_int_equal(sdp_candidate_decode(&c, &v), 0);
	assert_int_equal(pl_strcmp(&c.foundation, "2457613221"), 0);
	assert_int_equal(c.component, 1);
	assert_int_equal(pl_strcmp(&c.transport, "udp"), 0);
	assert_int_equal(c.priority, 41885439);
	assert_int_equal(pl_strcmp(&c.addr, "198.51.100.250"), 0);
	assert_int_equal(c.port, 3478);
	assert_int_equal(pl_strcmp(&c.type, "relay"), 0);
	assert_int_equal(pl_strcmp(&c.raddr, "203.0.113.201"), 0);
	assert_int_equal(c.rport, 41877);
	assert_int_equal(pl_strcmp(&c.ext, "generation 0 ufrag Vb7n "
					   "network-id 1 network-cost 10"),
			 0);
	assert_false(c.mdns);

	v = PL("1 1 udp 2122260223 3c1e2d9f-5b7a-4c8e-9f10-aa55bb66cc77.local "
	       "51233 typ host generation 0");
	assert_int_equal(sdp_candidate_decode(&c, &v), 0);
	assert_true(c.mdns);
	v = PL("0 1 UDP 2122187007 2001:db8:cafe::17 47261 typ host");
	assert_int_equal(sdp_candidate_decode(&c, &v), 0);
	assert_int_equal(c.ext.l, 0);
	v = PL(
	    "4 1 TCP 2105458943 2001:db8:cafe::17 9 typ host tcptype active");
	assert_int_equal(sdp_candidate_decode(&c, &v), 0);
	assert_int_equal(pl_strcmp(&c.ext, "tcptype active"), 0);

	v = PL("1 1 udp 1 192.0.2.1 70000 typ host");
	assert_int_equal(sdp_candidate_decode(&c, &v), EBADMSG);
	v = PL("1 0 udp 1 192.0.2.1 7000 typ host");
	assert_int_equal(sdp_candidate_decode(&c, &v), EBADMSG);
	v = PL("1 1 udp 1 192.0.2.1 7000 type host");
	assert_int_equal(sdp_candidate_decode(&c, &v), EBADMSG);
	v = PL("1 1 udp 1 192.0.2.1 7000 typ");
	assert_int_equal(sdp_candidate_decode(&c, &v), EBADMSG);
	v = PL("1 1 udp 1 192.0.2.1 7000 typ host raddr");
	assert_int_equal(sdp_candidate_decode(&c, &v), EBADMSG);
	v = PL("1 1 udp 99999999999 192.0.2.1 7000 typ host");
	assert_int_equal(sdp_candidate_decode(&c, &v), EBADMSG);
	v = PL("a_b 1 udp 1 192.0.2.1 7000 typ host");
	assert_int_equal(sdp_candidate_decode(&c, &v), EBADMSG);
}

static void test_fingerprint_rtcp_ssrc_group(void **state)
{
	uint8_t md[SDP_MAX_FP_BYTES];
	struct pl v, hash, addr, attr, val, ids;
	uint32_t ssrc;
	uint16_t port;
	size_t n;

	(void)state;
	v = PL("sha-256 7A:1F:3C:88:0B:D2:45:9E:61:AA:C0:17:5D:E4:2B:90:3F:6C:"
	       "D8:11:A7:52:0E:BB:94:C3:7D:28:F5:06:E9:41");
	assert_int_equal(sdp_fingerprint_decode(&hash, md, &n, &v), 0);
	assert_int_equal(pl_strcmp(&hash, "sha-256"), 0);
	assert_int_equal(n, 32);
	assert_int_equal(md[0], 0x7a);
	assert_int_equal(md[31], 0x41);
	v = PL("sha-1 ab:cd");
	assert_int_equal(sdp_fingerprint_decode(&hash, md, &n, &v), 0);
	assert_int_equal(n, 2);
	v = PL("sha-1 ab:c");
	assert_int_equal(sdp_fingerprint_decode(&hash, md, &n, &v), EBADMSG);
	v = PL("sha-1 ab-cd");
	assert_int_equal(sdp_fingerprint_decode(&hash, md, &n, &v), EBADMSG);
	v = PL("sha-1 zz");
	assert_int_equal(sdp_fingerprint_decode(&hash, md, &n, &v), EBADMSG);
	v = PL("sha-1");
	assert_int_equal(sdp_fingerprint_decode(&hash, md, &n, &v), EBADMSG);

	v = PL("24639 IN IP4 198.51.100.23");
	assert_int_equal(sdp_rtcp_decode(&port, &addr, &v), 0);
	assert_int_equal(port, 24639);
	assert_int_equal(pl_strcmp(&addr, "198.51.100.23"), 0);
	v = PL("9");
	assert_int_equal(sdp_rtcp_decode(&port, &addr, &v), 0);
	assert_int_equal(addr.l, 0);
	v = PL("65536");
	assert_int_equal(sdp_rtcp_decode(&port, &addr, &v), EBADMSG);
	v = PL("9 IN IP4");
	assert_int_equal(sdp_rtcp_decode(&port, &addr, &v), EBADMSG);

	v = PL("3735928559 cname:q9Rt5Yh2Kz8Lp3Xw");
	assert_int_equal(sdp_ssrc_decode(&ssrc, &attr, &val, &v), 0);
	assert_int_equal(ssrc, 3735928559u);
	assert_int_equal(pl_strcmp(&attr, "cname"), 0);
	assert_int_equal(pl_strcmp(&val, "q9Rt5Yh2Kz8Lp3Xw"), 0);
	v = PL("4294967296 cname:x");
	assert_int_equal(sdp_ssrc_decode(&ssrc, &attr, &val, &v), EBADMSG);

	v = PL("BUNDLE 0 1 2");
	assert_int_equal(sdp_group_decode(&hash, &ids, &v), 0);
	assert_int_equal(pl_strcmp(&hash, "BUNDLE"), 0);
	assert_int_equal(pl_strcmp(&ids, "0 1 2"), 0);
}

static void test_crypto(void **state)
{
	struct sdp_crypto c;
	struct pl v;

	(void)state;
	/* RFC 4568 section 9.1's example */
	v = PL("1 AES_CM_128_HMAC_SHA1_80 "
	       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32");
	assert_int_equal(sdp_crypto_decode(&c, &v), 0);
	assert_int_equal(c.tag, 1);
	assert_string_equal(c.suite, "AES_CM_128_HMAC_SHA1_80");
	assert_int_equal(c.key_salt_len, 30);
	assert_int_equal(c.key_salt[0], 0x3d); /* 'P','S' -> 0x3d 0x2d */
	assert_int_equal(c.key_salt[1], 0x2d);
	assert_int_equal(c.lifetime, 1u << 20);
	assert_int_equal(c.mki, 1);
	assert_int_equal(c.mki_len, 32);

	v = PL("2 AEAD_AES_256_GCM inline:"
	       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKis=");
	assert_int_equal(sdp_crypto_decode(&c, &v), 0);
	assert_int_equal(c.key_salt_len, 44);
	assert_int_equal(c.key_salt[43], 43);
	assert_int_equal(c.lifetime, 0);
	assert_int_equal(c.mki_len, 0);
	/* several key-params: the first one counts; session params ignored */
	v = PL("3 AES_CM_128_HMAC_SHA1_32 "
	       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1048576;"
	       "inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2 KDR=1");
	assert_int_equal(sdp_crypto_decode(&c, &v), 0);
	assert_int_equal(c.lifetime, 1048576);
	assert_int_equal(c.key_salt[0], 0x3d);
}

static void test_crypto_bad(void **state)
{
	static const char *const bad[] = {
	    /* 42 bytes for a suite that needs 44 */
	    "2 AEAD_AES_256_GCM inline:"
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygp",
	    "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywj",
	    "1 AES_CM_128_HMAC_SHA1_80 "
	    "key:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
	    "1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaV!R",
	    "1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^99",
	    "1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:0",
	    "1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|256:1",
	    "1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1|1:1|x",
	    "1 AES_CM_128_HMAC_SHA1_80 inline:",
	    "x AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
	    "1234567890 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
	    "1 AES_CM_128_HMAC_SHA1_80",
	    "",
	};
	struct sdp_crypto c;
	struct pl v;
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		pl_set_str(&v, bad[i]);
		if (sdp_crypto_decode(&c, &v) == 0)
			fail_msg("case %zu accepted", i);
		assert_int_equal(c.key_salt_len, 0); /* wiped */
	}
	/* an MKI length over 128 is over our limit */
	v = PL("1 AES_CM_128_HMAC_SHA1_80 "
	       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:200");
	assert_int_equal(sdp_crypto_decode(&c, &v), EOVERFLOW);
}

struct bad {
	const char *sdp;
	int err;
};

static void test_malformed(void **state)
{
	static const struct bad v[] = {
	    {"", EBADMSG},
	    {"o=- 1 1 IN IP4 192.0.2.1\r\n", EBADMSG}, /* no v= */
	    {"v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\n", EBADMSG},
	    {"v=0\r\n", EBADMSG}, /* no o= */
	    {"v=0\r\no=- 1 1 IN IP4\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 a b\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 70000 RTP/AVP 0\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio -1 RTP/AVP 0\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 5/0 RTP/AVP 0\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 /1\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 5 RTP/AVP 0\r\n"
	     "c=IN\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nbogus\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\na=\r\n", EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\na=x\ry\r\n", EBADMSG},
	    {"v=0\r\nm=audio 5 RTP/AVP 0\r\no=- 1 1 IN IP4 192.0.2.1\r\n",
	     EBADMSG},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 5 RTP/AVP 0\r\n"
	     "o=- 1 1 IN IP4 192.0.2.1\r\n",
	     EBADMSG},
	    /* tolerated */
	    {"v=0\no=- 1 1 IN IP4 192.0.2.1\nx=unknown\n\n", 0},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1", 0},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nm=audio 0 RTP/AVP\r\n", 0},
	};
	struct sdp_sess s;
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(v); i++) {
		int err = sdp_decode(&s, v[i].sdp, strlen(v[i].sdp));

		if (err != v[i].err)
			fail_msg("case %zu: %d, want %d", i, err, v[i].err);
		if (err)
			assert_non_null(s.err);
	}
	/* a NUL inside a line */
	assert_int_equal(sdp_decode(&s, "v=0\r\no=- 1 1 IN\0IP4 x\r\n", 23),
			 EBADMSG);
	assert_int_equal(sdp_decode(&s, NULL, 3), EINVAL);
	assert_int_equal(sdp_decode(&s,
				    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
				    "m=audio 0 RTP/AVP 0\r\nbad\r\n",
				    56),
			 EBADMSG);
	assert_int_equal(s.err_line, 4);
}

static void test_limits(void **state)
{
	static char buf[SDP_TEST_FILE_MAX * 8];
	struct sdp_sess s;
	size_t n = 0, i;

	(void)state;
	/* 2000 attributes in one section: the first 64 kept, no error */
	n += (size_t)snprintf(buf, sizeof(buf),
			      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
			      "m=audio 5000 RTP/AVP 0\r\n");
	for (i = 0; i < 2000; i++)
		n +=
		    (size_t)snprintf(buf + n, sizeof(buf) - n, "a=x%zu\r\n", i);
	assert_int_equal(sdp_decode(&s, buf, n), 0);
	assert_int_equal(s.mediav[0].attrc, SDP_MAX_ATTRS);
	assert_int_equal(s.mediav[0].attr_dropped, 2000 - SDP_MAX_ATTRS);

	/* more m= sections than SDP_MAX_MEDIA */
	n = (size_t)snprintf(buf, sizeof(buf),
			     "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
	for (i = 0; i <= SDP_MAX_MEDIA; i++)
		n +=
		    (size_t)snprintf(buf + n, sizeof(buf) - n,
				     "m=audio %zu RTP/AVP 0\r\n", 5000 + 2 * i);
	assert_int_equal(sdp_decode(&s, buf, n), EOVERFLOW);

	/* a line over SDP_MAX_LINE */
	n = (size_t)snprintf(buf, sizeof(buf),
			     "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\na=");
	memset(buf + n, 'x', SDP_MAX_LINE);
	n += SDP_MAX_LINE;
	assert_int_equal(sdp_decode(&s, buf, n), EBADMSG);
}

/* Every prefix of every sample, each in an exact-size heap copy so that
 * ASan sees any read past len. */
static void test_cut_everywhere(void **state)
{
	static char buf[SDP_TEST_FILE_MAX];
	struct sdp_origin o = {.user = "-", .sess_id = 1, .sess_ver = 1};
	size_t f, cut;

	(void)state;
	assert_int_equal(sa_set(&o.addr, "203.0.113.5", 0), 0);
	for (f = 0; f < SC_ARRAY_SIZE(sdp_test_files); f++) {
		size_t n = sdp_test_read(sdp_test_files[f], buf, sizeof(buf));
		size_t ok = 0;

		for (cut = 0; cut <= n; cut++) {
			char *p = malloc(cut ? cut : 1);
			struct sdp_sess s;
			struct sdp_audio a;
			unsigned idx;

			assert_non_null(p);
			memcpy(p, buf, cut);
			if (!sdp_decode(&s, p, cut) &&
			    !sdp_audio_get(&a, &idx, &s)) {
				struct mbuf *mb;

				assert_int_equal(mbuf_alloc(&mb, 512), 0);
				if (!sa_isset(&a.addr))
					assert_int_equal(
					    sa_set(&a.addr, "192.0.2.1", 9), 0);
				assert_int_equal(
				    sdp_audio_encode(mb, &o, &a, &s, idx), 0);
				mem_deref(mb);
				ok++;
			}
			free(p);
		}
		assert_true(ok > 0); /* the whole file at least */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_chrome_bundle),
	    SC_TEST(test_firefox_session_level),
	    SC_TEST(test_lf_media_conn),
	    SC_TEST(test_rtpmap_fmtp),
	    SC_TEST(test_candidate),
	    SC_TEST(test_fingerprint_rtcp_ssrc_group),
	    SC_TEST(test_crypto),
	    SC_TEST(test_crypto_bad),
	    SC_TEST(test_malformed),
	    SC_TEST(test_limits),
	    SC_TEST(test_cut_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
