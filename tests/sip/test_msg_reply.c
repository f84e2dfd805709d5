/* test_msg_reply.c: sip_msg_check() (RFC 3261 §8.2, §16.3) and the
 * encoders: sip_reply_encode() byte for byte (RFC 3261 §8.2.6),
 * sip_uri_encode(), sip_addr_encode(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/msg.h"
#include "testutil.h"

static struct sip_msg msg;

static int decode(const char *s)
{
	return sip_msg_decode(&msg, s, strlen(s));
}

static void want_check(const char *s, int err, uint16_t scode,
                       const char *reason)
{
	const char *why = NULL;
	uint16_t code = 0;

	if (decode(s))
		fail_msg("decode: %s", msg.err);
	assert_int_equal(sip_msg_check(&msg, &code, &why), err);
	if (err) {
		assert_int_equal(code, scode);
		assert_string_equal(why, reason);
	}
}

#define L_REQ "OPTIONS sip:bob@example.com SIP/2.0\r\n"
#define L_VIA "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8\r\n"
#define L_FROM "From: <sip:alice@example.com>;tag=88sja8x\r\n"
#define L_TO "To: <sip:bob@example.com>\r\n"
#define L_CID "Call-ID: 987asjd97y7atg\r\n"
#define L_CSEQ "CSeq: 986759 OPTIONS\r\n"
#define L_MF "Max-Forwards: 70\r\n"
#define L_END "Content-Length: 0\r\n\r\n"

static void test_check(void **state)
{
	(void)state;
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ L_MF L_END, 0, 0, NULL);
	/* Max-Forwards may be absent */
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ L_END, 0, 0, NULL);
	want_check(L_REQ L_FROM L_TO L_CID L_CSEQ L_END, EBADMSG, 400,
	           "Missing Via header");
	want_check(L_REQ L_VIA L_TO L_CID L_CSEQ L_END, EBADMSG, 400,
	           "Missing From header");
	want_check(L_REQ L_VIA L_FROM L_CID L_CSEQ L_END, EBADMSG, 400,
	           "Missing To header");
	want_check(L_REQ L_VIA L_FROM L_TO L_CSEQ L_END, EBADMSG, 400,
	           "Missing Call-ID header");
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_END, EBADMSG, 400,
	           "Missing CSeq header");
	want_check("OPTIONS sip:bob@example.com SIP/3.0\r\n" L_VIA L_FROM L_TO
	               L_CID L_CSEQ L_END,
	           EBADMSG, 505, "Version Not Supported");
	want_check("OPTIONS http://example.com/ SIP/2.0\r\n" L_VIA L_FROM L_TO
	               L_CID L_CSEQ L_END,
	           EBADMSG, 416, "Unsupported URI Scheme");
	want_check(
	    "OPTIONS tel:+123 SIP/2.0\r\n" L_VIA L_FROM L_TO L_CID L_CSEQ L_END,
	    0, 0, NULL);
	want_check(L_REQ L_VIA L_FROM L_TO L_CID "CSeq: 1 INVITE\r\n" L_END,
	           EBADMSG, 400, "CSeq method does not match");
	want_check(L_REQ L_VIA L_FROM L_TO L_CID "CSeq: 1 options\r\n" L_END,
	           EBADMSG, 400, "CSeq method does not match");
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ
	           "Max-Forwards: 0\r\n" L_END,
	           EBADMSG, 483, "Too Many Hops");
	/* the same value twice is harmless; different values are not */
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CID L_CSEQ L_END, 0, 0,
	           NULL);
	want_check(L_REQ L_VIA L_FROM L_TO L_CID "i: other\r\n" L_CSEQ L_END,
	           EBADMSG, 400, "Multiple Call-ID headers");
	want_check(L_REQ L_VIA L_FROM
	           "t: <sip:carol@example.com>\r\n" L_TO L_CID L_CSEQ L_END,
	           EBADMSG, 400, "Multiple To headers");
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ
	           "Content-Length: 0\r\nl: 1\r\n\r\n",
	           EBADMSG, 400, "Multiple Content-Length headers");
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ L_MF
	           "Max-Forwards: 69\r\n" L_END,
	           EBADMSG, 400, "Multiple Max-Forwards headers");
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ
	           "Contact: sip:a@b?x=1\r\n" L_END,
	           EBADMSG, 400, "Bad Contact header");
	want_check(
	    "REGISTER sip:example.com SIP/2.0\r\n" L_VIA L_FROM L_TO L_CID
	    "CSeq: 2 REGISTER\r\nContact: *\r\nExpires: 0\r\n" L_END,
	    0, 0, NULL);
	want_check(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ "Contact: *\r\n" L_END,
	           EBADMSG, 400, "Bad Contact header");
	want_check(
	    "OPTIONS sip:bob@example.com?Route=x SIP/2.0\r\n" L_VIA L_FROM L_TO
	        L_CID L_CSEQ L_END,
	    EBADMSG, 400, "Bad Request-URI");
	/* responses: validated, nothing to answer */
	want_check("SIP/2.0 200 OK\r\n" L_VIA L_FROM L_TO L_CID L_CSEQ L_END, 0,
	           0, NULL);
	want_check("SIP/2.0 200 OK\r\n" L_VIA L_FROM L_TO L_CSEQ L_END, EBADMSG,
	           400, "Missing Call-ID header");
	/* a decode error is reported as a 400 with its reason */
	{
		const char *why;
		uint16_t code;

		assert_int_equal(decode(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ
		                        "Content-Length: x\r\n\r\n"),
		                 EBADMSG);
		assert_int_equal(sip_msg_check(&msg, &code, &why), EBADMSG);
		assert_int_equal(code, 400);
		assert_string_equal(why, "Bad Content-Length header");
		assert_int_equal(sip_msg_check(NULL, &code, &why), EINVAL);
	}
}

static void test_can_reply(void **state)
{
	(void)state;
	assert_int_equal(decode(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ L_END), 0);
	assert_true(sip_msg_can_reply(&msg));
	decode(L_REQ "Via: x\r\n" L_FROM L_TO L_CID L_CSEQ L_END);
	assert_false(sip_msg_can_reply(&msg));
	decode(L_REQ L_VIA "From:\r\n" L_TO L_CID L_CSEQ L_END);
	assert_false(sip_msg_can_reply(&msg));
	/* a malformed CSeq is copied back as written: still answerable */
	decode(L_REQ L_VIA L_FROM L_TO L_CID "CSeq: x\r\n" L_END);
	assert_true(sip_msg_can_reply(&msg));
	decode(L_REQ L_VIA L_FROM L_TO L_CID "CSeq:\r\n" L_END);
	assert_false(sip_msg_can_reply(&msg));
	decode(L_REQ L_VIA L_FROM L_TO L_CID L_END);
	assert_false(sip_msg_can_reply(&msg));
	/* a broken optional header does not prevent the 400 */
	decode(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ
	       "Max-Forwards: x\r\n" L_END);
	assert_true(sip_msg_can_reply(&msg));
	assert_false(sip_msg_can_reply(NULL));
}

static void assert_mb(const struct mbuf *mb, const char *s)
{
	if (mb->end != strlen(s) || memcmp(mb->buf, s, mb->end))
		fail_msg("got:\n%.*s\nexpected:\n%s", (int)mb->end,
		         (const char *)mb->buf, s);
}

/* RFC 3581 §4: the server fills in the request's bare rport, it does not
 * add a second one. */
static void test_reply_rport_filled(void **state)
{
	static const struct pl viap = PL(";received=192.0.2.4;rport=5070");
	static const struct {
		const char *via, *want;
	} cases[] = {
		{"SIP/2.0/UDP h;branch=z9hG4bK1;rport",
		 "SIP/2.0/UDP h;branch=z9hG4bK1;received=192.0.2.4;rport=5070"},
		{"SIP/2.0/UDP h;rport;branch=z9hG4bK1",
		 "SIP/2.0/UDP h;branch=z9hG4bK1;received=192.0.2.4;rport=5070"},
		{"SIP/2.0/UDP h;RPORT ;branch=z9hG4bK1",
		 "SIP/2.0/UDP h ;branch=z9hG4bK1;received=192.0.2.4;rport=5070"},
		/* not a bare rport: left as it is */
		{"SIP/2.0/UDP h;branch=z9hG4bK1;rportx",
		 "SIP/2.0/UDP h;branch=z9hG4bK1;rportx;received=192.0.2.4;"
		 "rport=5070"},
	};
	struct mbuf *mb;
	char req[512], want[256];
	size_t i;

	(void)state;
	assert_int_equal(mbuf_alloc(&mb, 0), 0);
	for (i = 0; i < SC_ARRAY_SIZE(cases); i++) {
		snprintf(req, sizeof(req),
		         L_REQ "Via: %s\r\n" L_FROM L_TO L_CID L_CSEQ L_END,
		         cases[i].via);
		assert_int_equal(decode(req), 0);
		mbuf_reset(mb);
		assert_int_equal(sip_reply_encode(mb, &msg, 200, "OK", NULL,
		                                  &viap, NULL, NULL, NULL),
		                 0);
		snprintf(want, sizeof(want), "Via: %s\r\n", cases[i].want);
		if (!memmem(mb->buf, mb->end, want, strlen(want)))
			fail_msg("case %zu: got:\n%.*s", i, (int)mb->end,
			         (const char *)mb->buf);
	}
	mem_deref(mb);
}

static void test_reply_encode(void **state)
{
	static const struct pl tag = PL("a6c85cf"),
	                       viap = PL(";received=192.0.2.4");
	static const struct pl body = PL("hello");
	struct mbuf *mb;

	(void)state;
	assert_int_equal(mbuf_alloc(&mb, 0), 0);
	assert_int_equal(
	    decode(
	        L_REQ L_VIA
	        "v: SIP/2.0/TCP p.example.com;branch=z9hG4bKp\r\n" L_FROM L_TO
	            L_CID L_CSEQ L_MF
	        "Subject: broken\r\nContent-Length: 0\r\n\r\n"),
	    0);
	assert_int_equal(sip_reply_encode(mb, &msg, 200, "OK", &tag, &viap,
	                                  "Allow: INVITE, ACK\r\n", NULL, NULL),
	                 0);
	assert_mb(mb,
	          "SIP/2.0 200 OK\r\n"
	          "Via: SIP/2.0/UDP "
	          "192.0.2.1:5060;branch=z9hG4bKnashds8;received=192.0.2.4\r\n"
	          "Via: SIP/2.0/TCP p.example.com;branch=z9hG4bKp\r\n"
	          "From: <sip:alice@example.com>;tag=88sja8x\r\n"
	          "To: <sip:bob@example.com>;tag=a6c85cf\r\n"
	          "Call-ID: 987asjd97y7atg\r\n"
	          "CSeq: 986759 OPTIONS\r\n"
	          "Allow: INVITE, ACK\r\n"
	          "Content-Length: 0\r\n\r\n");
	/* 100 Trying: no To tag (RFC 3261 §8.2.6.2) */
	mbuf_reset(mb);
	assert_int_equal(sip_reply_encode(mb, &msg, 100, "Trying", &tag, NULL,
	                                  NULL, NULL, NULL),
	                 0);
	assert_mb(mb,
	          "SIP/2.0 100 Trying\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8\r\n"
	          "Via: SIP/2.0/TCP p.example.com;branch=z9hG4bKp\r\n"
	          "From: <sip:alice@example.com>;tag=88sja8x\r\n"
	          "To: <sip:bob@example.com>\r\n"
	          "Call-ID: 987asjd97y7atg\r\n"
	          "CSeq: 986759 OPTIONS\r\n"
	          "Content-Length: 0\r\n\r\n");
	/* a To that has a tag keeps it; the body gets its type */
	assert_int_equal(
	    decode(L_REQ L_VIA L_FROM
	           "To: <sip:bob@example.com>;tag=x1\r\n" L_CID L_CSEQ L_END),
	    0);
	mbuf_reset(mb);
	assert_int_equal(sip_reply_encode(mb, &msg, 486, "Busy Here", &tag,
	                                  NULL, NULL, "text/plain", &body),
	                 0);
	assert_mb(mb,
	          "SIP/2.0 486 Busy Here\r\n"
	          "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8\r\n"
	          "From: <sip:alice@example.com>;tag=88sja8x\r\n"
	          "To: <sip:bob@example.com>;tag=x1\r\n"
	          "Call-ID: 987asjd97y7atg\r\n"
	          "CSeq: 986759 OPTIONS\r\n"
	          "Content-Type: text/plain\r\n"
	          "Content-Length: 5\r\n\r\nhello");
	/* caller mistakes */
	assert_int_equal(
	    sip_reply_encode(mb, &msg, 99, "x", NULL, NULL, NULL, NULL, NULL),
	    EINVAL);
	assert_int_equal(sip_reply_encode(mb, &msg, 200, "OK\r\nX: y", NULL,
	                                  NULL, NULL, NULL, NULL),
	                 EINVAL);
	assert_int_equal(sip_reply_encode(mb, &msg, 200, "OK", NULL, NULL, NULL,
	                                  "a\r\nb", &body),
	                 EINVAL);
	assert_int_equal(
	    decode("SIP/2.0 200 OK\r\n" L_VIA L_FROM L_TO L_CID L_CSEQ L_END),
	    0);
	assert_int_equal(
	    sip_reply_encode(mb, &msg, 200, "OK", NULL, NULL, NULL, NULL, NULL),
	    EINVAL);
	mem_deref(mb);
}

static void test_reply_encode_enomem(void **state)
{
	struct mbuf *mb;
	long n;
	int err = ENOMEM;

	(void)state;
	assert_int_equal(decode(L_REQ L_VIA L_FROM L_TO L_CID L_CSEQ L_END), 0);
	/* every growth of the buffer failing in turn */
	for (n = 0; err == ENOMEM && n < 32; n++) {
		assert_int_equal(mbuf_alloc(&mb, 8), 0);
		mem_fail_after(n);
		err = sip_reply_encode(mb, &msg, 200, "OK", NULL, NULL, NULL,
		                       NULL, NULL);
		mem_fail_after(-1);
		mem_deref(mb);
	}
	assert_int_equal(err, 0);
	assert_true(n > 1);
}

static void test_uri_addr_encode(void **state)
{
	struct sip_uri u;
	struct sip_addr a;
	struct pl pl = PL("sips:alice:pw@[2001:db8::1]:5061;transport=tcp?x=y");
	struct mbuf *mb;

	(void)state;
	assert_int_equal(mbuf_alloc(&mb, 0), 0);
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	assert_int_equal(sip_uri_encode(mb, &u), 0);
	assert_mb(mb, "sips:alice:pw@[2001:db8::1]:5061;transport=tcp?x=y");
	mbuf_reset(mb);
	pl = (struct pl)PL("\"Alice\"<sip:alice@example.com;ob>;tag=1;+sip."
	                   "instance=\"<urn:x>\"");
	assert_int_equal(sip_addr_decode(&a, &pl), 0);
	assert_int_equal(sip_addr_encode(mb, &a), 0);
	assert_mb(mb,
	          "\"Alice\" "
	          "<sip:alice@example.com;ob>;tag=1;+sip.instance=\"<urn:x>\"");
	mbuf_reset(mb);
	pl = (struct pl)PL("sip:bob@example.com");
	assert_int_equal(sip_addr_decode(&a, &pl), 0);
	assert_int_equal(sip_addr_encode(mb, &a), 0);
	assert_mb(mb, "<sip:bob@example.com>");
	memset(&u, 0, sizeof(u));
	assert_int_equal(sip_uri_encode(mb, &u), EINVAL);
	mem_deref(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_check),           SC_TEST(test_can_reply),
	    SC_TEST(test_reply_encode),
		SC_TEST(test_reply_rport_filled),    SC_TEST(test_reply_encode_enomem),
	    SC_TEST(test_uri_addr_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
