/* test_rl.c: relayload's pure pieces: the ng requests it sends (checked by
 * decoding them back), ng replies, the browser and peer SDPs, reading an
 * rtpengine-style WebRTC answer, RTP header parsing, and the RFC 3550
 * loss and jitter arithmetic. */
#include <errno.h>
#include <string.h>

#include "testutil.h"

#include "benc.h"
#include "rl.h"

#define NODES 128

static struct pl pls(const char *s)
{
	return (struct pl){s, strlen(s)};
}

static void test_ng_offer(void **state)
{
	struct rl_ng_req r = {RL_NG_OFFER, "7_1",     "cid", "ft",
			      NULL,        "v=0\r\n", false, false};
	uint8_t buf[1024];
	struct benc_node nv[NODES];
	struct pl v;
	size_t len, n, i;

	(void)state;
	assert_int_equal(rl_ng_encode(buf, sizeof(buf), &len, &r), 0);
	assert_memory_equal(buf, "7_1 d", 5);
	assert_int_equal(benc_decode(nv, NODES, &n, buf + 4, len - 4), 0);
	assert_true(benc_dict_str(nv, 0, "command", &v));
	assert_int_equal(pl_strcmp(&v, "offer"), 0);
	assert_true(benc_dict_str(nv, 0, "ICE", &v));
	assert_int_equal(pl_strcmp(&v, "remove"), 0);
	assert_true(benc_dict_str(nv, 0, "DTLS", &v));
	assert_int_equal(pl_strcmp(&v, "off"), 0);
	assert_true(benc_dict_str(nv, 0, "transport-protocol", &v));
	assert_int_equal(pl_strcmp(&v, "RTP/AVP"), 0);
	assert_true(benc_dict_str(nv, 0, "sdp", &v));
	assert_int_equal(pl_strcmp(&v, "v=0\r\n"), 0);
	i = benc_dict_get(nv, 0, "rtcp-mux");
	assert_int_equal(nv[i].type, BENC_LIST);
	assert_int_equal(pl_strcmp(&nv[i + 1].str, "demux"), 0);
	assert_int_equal(benc_dict_get(nv, 0, "codec"), 0);
	/* keys are sorted (BEP 3): each key after the one before */
	for (i = 1; i < n; i = nv[nv[i].next].next)
		if (nv[nv[i].next].next < n)
			assert_true(memcmp(nv[i].str.p,
					   nv[nv[nv[i].next].next].str.p,
					   nv[i].str.l) <= 0);

	r.transcode = true;
	assert_int_equal(rl_ng_encode(buf, sizeof(buf), &len, &r), 0);
	assert_int_equal(benc_decode(nv, NODES, &n, buf + 4, len - 4), 0);
	i = benc_dict_get(nv, 0, "codec");
	assert_int_equal(nv[i].type, BENC_DICT);
	i = benc_dict_get(nv, i, "transcode");
	assert_int_equal(pl_strcmp(&nv[i + 1].str, "PCMU"), 0);
	/* too small a buffer, and missing fields */
	assert_int_equal(rl_ng_encode(buf, 40, &len, &r), EOVERFLOW);
	r.sdp = NULL;
	assert_int_equal(rl_ng_encode(buf, sizeof(buf), &len, &r), EINVAL);
}

static void test_ng_answer_delete(void **state)
{
	struct rl_ng_req r = {RL_NG_ANSWER, "c", "cid", "ft",
			      NULL,         "x", false, false};
	uint8_t buf[1024];
	struct benc_node nv[NODES];
	struct pl v;
	size_t len, n;

	(void)state;
	assert_int_equal(rl_ng_encode(buf, sizeof(buf), &len, &r), EINVAL);
	r.to_tag = "tt";
	assert_int_equal(rl_ng_encode(buf, sizeof(buf), &len, &r), 0);
	assert_int_equal(benc_decode(nv, NODES, &n, buf + 2, len - 2), 0);
	assert_true(benc_dict_str(nv, 0, "ICE", &v));
	assert_int_equal(pl_strcmp(&v, "force"), 0);
	assert_true(benc_dict_str(nv, 0, "DTLS", &v));
	assert_int_equal(pl_strcmp(&v, "passive"), 0);
	assert_true(benc_dict_str(nv, 0, "to-tag", &v));
	assert_int_equal(pl_strcmp(&v, "tt"), 0);
	assert_true(benc_dict_str(nv, 0, "transport-protocol", &v));
	assert_int_equal(pl_strcmp(&v, "UDP/TLS/RTP/SAVPF"), 0);

	/* plain: no ICE, DTLS or protocol flags */
	r = (struct rl_ng_req){RL_NG_ANSWER, "c", "cid", "ft",
			       "tt",         "x", false, true};
	assert_int_equal(rl_ng_encode(buf, sizeof(buf), &len, &r), 0);
	assert_int_equal(benc_decode(nv, NODES, &n, buf + 2, len - 2), 0);
	assert_false(benc_dict_str(nv, 0, "ICE", &v));
	assert_false(benc_dict_str(nv, 0, "DTLS", &v));
	assert_false(benc_dict_str(nv, 0, "transport-protocol", &v));
	assert_true(benc_dict_str(nv, 0, "command", &v));
	assert_int_equal(pl_strcmp(&v, "answer"), 0);
	assert_true(benc_dict_str(nv, 0, "to-tag", &v));

	r = (struct rl_ng_req){RL_NG_DELETE, "c",  "cid", "ft",
			       NULL,         NULL, false, false};
	assert_int_equal(rl_ng_encode(buf, sizeof(buf), &len, &r), 0);
	assert_int_equal(len, strlen("c d7:call-id3:cid7:command6:delete"
				     "8:from-tag2:fte"));
	assert_memory_equal(buf,
			    "c d7:call-id3:cid7:command6:delete"
			    "8:from-tag2:fte",
			    len);
}

static void test_ng_reply(void **state)
{
	const char *ok = "12_3 d3:sdp5:v=0\r\n6:result2:oke";
	const char *bad = "12_3 d12:error-reason9:no call-x6:result5:errore";
	struct pl sdp, why;

	(void)state;
	assert_int_equal(
	    rl_ng_reply((const uint8_t *)ok, strlen(ok), "12_3", &sdp, &why),
	    0);
	assert_int_equal(pl_strcmp(&sdp, "v=0\r\n"), 0);
	assert_int_equal(why.l, 0);
	assert_int_equal(
	    rl_ng_reply((const uint8_t *)ok, strlen(ok), "12_4", &sdp, &why),
	    ENOENT);
	assert_int_equal(
	    rl_ng_reply((const uint8_t *)bad, strlen(bad), "12_3", &sdp, &why),
	    EPROTO);
	assert_int_equal(pl_strcmp(&why, "no call-x"), 0);
	assert_int_equal(
	    rl_ng_reply((const uint8_t *)"12_3 d3:sdp", 11, "12_3", &sdp, &why),
	    EBADMSG);
	assert_int_equal(
	    rl_ng_reply((const uint8_t *)"12_3 de", 7, "12_3", &sdp, &why),
	    EBADMSG); /* no result */
}

/* What rtpengine answers a browser (shape of its WebRTC answers). */
static const char *rtpengine_answer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=rtppeer\r\n"
    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "a=ice-lite-not\r\n"
    "m=audio 30010 UDP/TLS/RTP/SAVPF 0\r\n"
    "a=mid:0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    "a=rtcp:30010\r\na=rtcp-mux\r\na=setup:passive\r\n"
    "a=fingerprint:sha-256 AB:CD:EF\r\n"
    "a=ice-ufrag:Xy12abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
    "a=candidate:8lG2 1 UDP 2130706431 127.0.0.2 30012 typ host\r\n"
    "a=candidate:8lG2 2 UDP 2130706430 127.0.0.2 30013 typ host\r\n"
    "m=video 0 RTP/AVP 96\r\na=ice-ufrag:nope\r\n";

static void test_sdp_parse(void **state)
{
	struct rl_sdp_info in;
	struct pl s = pls(rtpengine_answer);
	char buf[256];

	(void)state;
	assert_int_equal(rl_sdp_parse(&in, &s), 0);
	/* the component-1 candidate wins over c= and m= */
	assert_string_equal(in.addr, "127.0.0.2");
	assert_int_equal(in.port, 30012);
	assert_string_equal(in.proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(in.pt, 0);
	assert_string_equal(in.ufrag, "Xy12abcd");
	assert_string_equal(in.pwd, "0123456789abcdefghijklmn");
	assert_string_equal(in.fp, "sha-256 AB:CD:EF");
	assert_string_equal(in.setup, "passive");
	assert_true(in.rtcp_mux);

	/* the peer's SDP round-trips: c= and m= only */
	assert_int_equal(rl_sdp_peer(buf, sizeof(buf), 4242), 0);
	s = pls(buf);
	assert_int_equal(rl_sdp_parse(&in, &s), 0);
	assert_string_equal(in.addr, "127.0.0.1");
	assert_int_equal(in.port, 4242);
	assert_int_equal(in.ufrag[0], 0);
	assert_false(in.rtcp_mux);
	assert_int_equal(rl_sdp_peer(buf, 40, 4242), EOVERFLOW);

	s = pls("v=0\r\nm=video 9 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n");
	assert_int_equal(rl_sdp_parse(&in, &s), EBADMSG);
	s = pls("v=0\r\nm=audio 70000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n");
	assert_int_equal(rl_sdp_parse(&in, &s), EBADMSG);
	s = pls("v=0\r\nm=audio 7 RTP/AVP 0\r\n"); /* no address */
	assert_int_equal(rl_sdp_parse(&in, &s), EBADMSG);

	/* maxplaybackrate (RFC 7587 6.1): narrowband only at <= 8000 */
	s = pls("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 7 RTP/AVP 111\r\n"
		"a=fmtp:111 minptime=10;useinbandfec=1;maxplaybackrate=8000;"
		"sprop-maxcapturerate=8000\r\n");
	assert_int_equal(rl_sdp_parse(&in, &s), 0);
	assert_true(in.opus_nb);
	s = pls("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 7 RTP/AVP 111\r\n"
		"a=fmtp:111 maxplaybackrate=16000\r\n");
	assert_int_equal(rl_sdp_parse(&in, &s), 0);
	assert_false(in.opus_nb);
	s = pls("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 7 RTP/AVP 111\r\n"
		"a=fmtp:111 sprop-maxcapturerate=8000;xmaxplaybackrate=8000;"
		"maxplaybackrate=\r\n");
	assert_int_equal(rl_sdp_parse(&in, &s), 0);
	assert_false(in.opus_nb);
}

static void test_sdp_browser(void **state)
{
	char buf[2048];
	struct rl_sdp_info in;
	struct pl s;

	(void)state;
	assert_int_equal(rl_sdp_browser(buf, sizeof(buf), 5000, "ufrg",
					"pwd0123456789012345678",
					"sha-256 00:11", 77, true),
			 0);
	assert_non_null(strstr(buf, "a=rtpmap:111 opus/48000/2\r\n"));
	assert_non_null(strstr(buf, "a=setup:actpass\r\n"));
	s = pls(buf);
	assert_int_equal(rl_sdp_parse(&in, &s), 0);
	assert_int_equal(in.port, 5000);
	assert_int_equal(in.pt, RL_PT_OPUS);
	assert_string_equal(in.ufrag, "ufrg");
	assert_string_equal(in.fp, "sha-256 00:11");
	assert_int_equal(
	    rl_sdp_browser(buf, 100, 5000, "u", "p", "f", 1, false), EOVERFLOW);
}

static void test_rtp(void **state)
{
	uint8_t p[64] = {0};
	uint16_t seq;
	uint32_t ts;
	uint8_t pt;
	size_t off;

	(void)state;
	rl_rtp_header(p, 111, 65535, 0xdeadbeef, 7);
	assert_int_equal(rl_rtp_parse(p, 20, &seq, &ts, &pt, &off), 0);
	assert_int_equal(seq, 65535);
	assert_int_equal(ts, 0xdeadbeef);
	assert_int_equal(pt, 111);
	assert_int_equal(off, 12);
	assert_false(rl_is_rtcp(p, 20));
	/* one CSRC and a one-word extension */
	p[0] = 0x91;
	p[18] = 0;
	p[19] = 1;
	assert_int_equal(rl_rtp_parse(p, 28, &seq, &ts, &pt, &off), 0);
	assert_int_equal(off, 24);
	assert_int_equal(rl_rtp_parse(p, 23, &seq, &ts, &pt, &off), EBADMSG);
	assert_int_equal(rl_rtp_parse(p, 11, &seq, &ts, &pt, &off), EBADMSG);
	p[0] = 0x40; /* version 1 */
	assert_int_equal(rl_rtp_parse(p, 20, &seq, &ts, &pt, &off), EBADMSG);
	p[0] = 0x80;
	p[1] = 200; /* SR */
	assert_true(rl_is_rtcp(p, 20));
}

static void test_rx_loss(void **state)
{
	struct rl_rx rx;
	uint16_t s;

	(void)state;
	rl_rx_init(&rx, 8000);
	/* 100 packets across the sequence wrap, 3 lost, one duplicate */
	for (s = 65500; s != 64; s++) {
		if (s == 65530 || s == 2 || s == 3)
			continue;
		rl_rx_packet(&rx, s, 0, 0, 0);
	}
	rl_rx_packet(&rx, 10, 0, 0, 0); /* late duplicate */
	assert_int_equal(rl_rx_expected(&rx), 100);
	assert_int_equal(rx.packets, 98);
	/* the duplicate makes up for one loss, as in RFC 3550 A.3 */
	assert_int_equal(rl_rx_lost(&rx), 2);
	rl_rx_init(&rx, 8000);
	assert_int_equal(rl_rx_expected(&rx), 0);
	assert_int_equal(rl_rx_lost(&rx), 0);
}

static void test_rx_jitter(void **state)
{
	struct rl_rx rx;
	uint8_t pay[RL_STAMP_LEN];
	uint64_t t;
	int i;

	(void)state;
	/* stamped: a constant delay adds no jitter */
	rl_rx_init(&rx, 8000);
	for (i = 0; i < 100; i++) {
		t = 1000000000ull + (uint64_t)i * 20000000ull;
		rl_rx_packet(&rx, (uint16_t)i, 0, t + 3000000, t);
	}
	assert_true(rx.jitter_ns < 1.0);
	assert_int_equal(rx.stamped, 100);
	/* alternating 0 and 4 ms extra delay: J tends to 4 ms (A.8) */
	for (i = 100; i < 400; i++) {
		t = 1000000000ull + (uint64_t)i * 20000000ull;
		rl_rx_packet(&rx, (uint16_t)i, 0, t + (i % 2) * 4000000, t);
	}
	assert_true(rx.jitter_ns > 3.9e6 && rx.jitter_ns < 4.0e6 + 1);
	/* unstamped: the RTP timestamp is the sender's clock */
	rl_rx_init(&rx, 8000);
	for (i = 0; i < 300; i++)
		rl_rx_packet(&rx, (uint16_t)i, (uint32_t)(i * 160),
			     5000000000ull + (uint64_t)i * 20000000ull +
				 (i % 2) * 2000000,
			     0);
	assert_true(rx.jitter_ns > 1.9e6 && rx.jitter_ns < 2.0e6 + 1);
	assert_int_equal(rx.stamped, 0);

	rl_stamp_put(pay, 0x0102030405060708ull);
	assert_int_equal(rl_stamp_get(pay, sizeof(pay)), 0x0102030405060708ull);
	assert_int_equal(rl_stamp_get(pay, sizeof(pay) - 1), 0);
	pay[0] ^= 1;
	assert_int_equal(rl_stamp_get(pay, sizeof(pay)), 0);
}

static void test_percentile(void **state)
{
	double v[] = {5, 1, 4, 2, 3};

	(void)state;
	assert_true(rl_percentile(v, 5, 50) == 3);
	assert_true(rl_percentile(v, 5, 100) == 5);
	assert_true(rl_percentile(v, 5, 0) == 1);
	assert_true(rl_percentile(v, 0, 50) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_ng_offer),    SC_TEST(test_ng_answer_delete),
	    SC_TEST(test_ng_reply),    SC_TEST(test_sdp_parse),
	    SC_TEST(test_sdp_browser), SC_TEST(test_rtp),
	    SC_TEST(test_rx_loss),     SC_TEST(test_rx_jitter),
	    SC_TEST(test_percentile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
