/* test_msg.c: sip_msg_decode() and its helpers (RFC 3261 §7, §19, §20, §25):
 * header names, lists, folding, URIs, addresses, Via, parameters, limits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/msg.h"
#include "testutil.h"

static struct sip_msg msg; /* large: not on the stack */

static int decode(const char *s)
{
	return sip_msg_decode(&msg, s, strlen(s));
}

static void assert_pl(const struct pl *pl, const char *s)
{
	if (pl_strcmp(pl, s))
		fail_msg("got \"%.*s\", expected \"%s\"", PL_FMT(pl), s);
}

#define REQ_HEAD                                                               \
	"INVITE sip:bob@example.com SIP/2.0\r\n"                               \
	"Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds\r\n"    \
	"Max-Forwards: 70\r\n"                                                 \
	"To: Bob <sip:bob@example.com>\r\n"                                    \
	"From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"           \
	"Call-ID: a84b4c76e66710@pc33.example.com\r\n"                         \
	"CSeq: 314159 INVITE\r\n"

static void test_hdr_lookup(void **state)
{
	static const struct {
		const char *name;
		enum sip_hdr_id id;
	} v[] = {
	    {"Via", SIP_HDR_VIA},
	    {"v", SIP_HDR_VIA},
	    {"VIA", SIP_HDR_VIA},
	    {"From", SIP_HDR_FROM},
	    {"f", SIP_HDR_FROM},
	    {"t", SIP_HDR_TO},
	    {"i", SIP_HDR_CALL_ID},
	    {"call-id", SIP_HDR_CALL_ID},
	    {"CSEQ", SIP_HDR_CSEQ},
	    {"m", SIP_HDR_CONTACT},
	    {"MaX-fOrWaRdS", SIP_HDR_MAX_FORWARDS},
	    {"l", SIP_HDR_CONTENT_LENGTH},
	    {"c", SIP_HDR_CONTENT_TYPE},
	    {"e", SIP_HDR_CONTENT_ENCODING},
	    {"s", SIP_HDR_SUBJECT},
	    {"k", SIP_HDR_SUPPORTED},
	    {"o", SIP_HDR_EVENT},
	    {"r", SIP_HDR_REFER_TO},
	    {"b", SIP_HDR_REFERRED_BY},
	    {"x", SIP_HDR_SESSION_EXPIRES},
	    {"WWW-Authenticate", SIP_HDR_WWW_AUTHENTICATE},
	    {"Proxy-Authorization", SIP_HDR_PROXY_AUTHORIZATION},
	    {"P-Asserted-Identity", SIP_HDR_P_ASSERTED_IDENTITY},
	    {"Min-SE", SIP_HDR_MIN_SE},
	    {"Record-Route", SIP_HDR_RECORD_ROUTE},
	    {"Allow-Events", SIP_HDR_OTHER},
	    {"u", SIP_HDR_OTHER},
	    {"X-Foo", SIP_HDR_OTHER},
	    {"Vi", SIP_HDR_OTHER},
	    {"Viaa", SIP_HDR_OTHER},
	    {"z", SIP_HDR_OTHER},
	};
	struct pl empty = {"", 0};
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(v); i++) {
		struct pl n;

		pl_set_str(&n, v[i].name);
		if (sip_hdr_lookup(&n) != v[i].id)
			fail_msg("%s", v[i].name);
	}
	assert_int_equal(sip_hdr_lookup(&empty), SIP_HDR_OTHER);
	assert_int_equal(sip_hdr_lookup(NULL), SIP_HDR_OTHER);
}

static void test_decode_request(void **state)
{
	const char *s = REQ_HEAD "Contact: <sip:alice@pc33.example.com>\r\n"
	                         "Content-Type: application/sdp\r\n"
	                         "Content-Length: 4\r\n\r\nv=0\n";

	(void)state;
	assert_int_equal(decode(s), 0);
	assert_true(msg.req);
	assert_pl(&msg.method, "INVITE");
	assert_pl(&msg.ruri_raw, "sip:bob@example.com");
	assert_pl(&msg.ruri.user, "bob");
	assert_pl(&msg.ruri.host, "example.com");
	assert_pl(&msg.ver, "SIP/2.0");
	assert_pl(&msg.via.proto, "WSS");
	assert_pl(&msg.via.host, "df7jal23ls0d.invalid");
	assert_pl(&msg.via.branch, "z9hG4bK776asdhds");
	assert_pl(&msg.from.dname, "Alice");
	assert_pl(&msg.from.tag, "1928301774");
	assert_pl(&msg.to.dname, "Bob");
	assert_false(pl_isset(&msg.to.tag));
	assert_pl(&msg.callid, "a84b4c76e66710@pc33.example.com");
	assert_int_equal(msg.cseq.num, 314159);
	assert_pl(&msg.cseq.method, "INVITE");
	assert_true(msg.has_max_forwards);
	assert_int_equal(msg.max_forwards, 70);
	assert_true(msg.has_clen);
	assert_int_equal(msg.clen, 4);
	assert_pl(&msg.ctype, "application/sdp");
	assert_pl(&msg.body, "v=0\n");
	assert_int_equal(msg.hdrc, 9);
	assert_null(msg.err);
	assert_true(sip_msg_can_reply(&msg));
}

static void test_decode_response(void **state)
{
	(void)state;
	assert_int_equal(
	    decode("SIP/2.0 180 Ringing\r\n"
	           "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	           "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
	           "Call-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"),
	    0);
	assert_false(msg.req);
	assert_int_equal(msg.scode, 180);
	assert_pl(&msg.reason, "Ringing");
	assert_false(sip_msg_can_reply(&msg));
	assert_int_equal(decode("SIP/2.0 99 Low\r\n\r\n"), EBADMSG);
	assert_string_equal(msg.err, "Bad Status-Line");
	assert_int_equal(decode("SIP/2.0 1000 Big\r\n\r\n"), EBADMSG);
	assert_int_equal(decode("SIP/2.0 2x0 OK\r\n\r\n"), EBADMSG);
	assert_int_equal(decode("SIP/2.0\r\n\r\n"), EBADMSG);
	assert_int_equal(decode("SIP/2.0 200\r\n\r\n"), 0);
	assert_int_equal(msg.scode, 200);
	assert_int_equal(msg.reason.l, 0);
}

static void test_decode_start_line(void **state)
{
	(void)state;
	/* leading CRLFs are ignored (RFC 3261 §7.5) */
	assert_int_equal(decode("\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\n\r\n"), 0);
	assert_pl(&msg.method, "OPTIONS");
	assert_int_equal(decode("OPTIONS  sip:a@b SIP/2.0\r\n\r\n"), EBADMSG);
	assert_string_equal(msg.err, "Bad Request-Line");
	assert_int_equal(decode("OPTIONS sip:a@b SIP/2.0 \r\n\r\n"), EBADMSG);
	assert_int_equal(decode("OPTIONS sip:a@b\r\n\r\n"), EBADMSG);
	assert_int_equal(decode("OPTIONS sip:a@b HTTP/1.1\r\n\r\n"), EBADMSG);
	assert_int_equal(decode("OPT(IONS sip:a@b SIP/2.0\r\n\r\n"), EBADMSG);
	assert_int_equal(decode("OPTIONS <sip:a@b> SIP/2.0\r\n\r\n"), EBADMSG);
	assert_string_equal(msg.err, "Bad Request-URI");
	assert_int_equal(decode("OPTIONS sip:a@b SIP/2.0"), EBADMSG);
	assert_string_equal(msg.err, "Missing start line");
	assert_int_equal(decode(""), EBADMSG);
	assert_int_equal(sip_msg_decode(NULL, "x", 1), EINVAL);
	assert_int_equal(sip_msg_decode(&msg, NULL, 1), EINVAL);
}

static void test_decode_lists(void **state)
{
	const struct sip_hdr *h;
	const char *s = REQ_HEAD
	    "Contact: \"Doe, John\" <sip:j@a.example;x=\"1,2\">;q=0.5, "
	    "<sip:k@b.example,x>,,sip:l@c.example\r\n"
	    "WWW-Authenticate: Digest realm=\"a\", nonce=\"b\"\r\n"
	    "X-Unknown: a, b\r\n"
	    "u: presence, dialog\r\n"
	    "Route: <sip:p1;lr>,<sip:p2;lr>\r\n"
	    "Content-Length: 0\r\n\r\n";

	(void)state;
	assert_int_equal(decode(s), 0);
	h = sip_msg_hdr(&msg, SIP_HDR_CONTACT);
	assert_non_null(h);
	assert_pl(&h->val, "\"Doe, John\" <sip:j@a.example;x=\"1,2\">;q=0.5");
	h = sip_msg_hdr_next(&msg, h, SIP_HDR_CONTACT);
	assert_pl(&h->val, "<sip:k@b.example,x>");
	h = sip_msg_hdr_next(&msg, h, SIP_HDR_CONTACT);
	assert_pl(&h->val, "sip:l@c.example");
	assert_null(sip_msg_hdr_next(&msg, h, SIP_HDR_CONTACT));
	h = sip_msg_hdr(&msg, SIP_HDR_WWW_AUTHENTICATE);
	assert_pl(&h->val, "Digest realm=\"a\", nonce=\"b\"");
	h = sip_msg_hdr_named(&msg, "x-unknown");
	assert_pl(&h->val, "a, b");
	h = sip_msg_hdr_named(&msg, "Allow-Events");
	assert_non_null(h);
	assert_pl(&h->name, "u");
	assert_pl(&h->val, "presence");
	assert_pl(&sip_msg_hdr_named(&msg, "u")->val, "presence");
	assert_pl(&sip_msg_hdr_named(&msg, "v")->name, "Via");
	assert_null(sip_msg_hdr_named(&msg, "X-Missing"));
	h = sip_msg_hdr(&msg, SIP_HDR_ROUTE);
	assert_pl(&h->val, "<sip:p1;lr>");
	assert_pl(&sip_msg_hdr_next(&msg, h, SIP_HDR_ROUTE)->val,
	          "<sip:p2;lr>");
	assert_null(sip_msg_hdr(&msg, SIP_HDR_RECORD_ROUTE));
}

static void test_decode_folding(void **state)
{
	const char *s =
	    "OPTIONS sip:a@b SIP/2.0\r\n"
	    "Via: SIP  /  2.0\r\n /UDP\r\n\t192.0.2.2 ;\r\n branch = x1\r\n"
	    "f: <sip:a@b>\r\n ;tag=7\r\n"
	    "t: sip:c@d\r\n"
	    "i: cid\r\n"
	    "CSeq: 0009\r\n  OPTIONS\r\n"
	    "Subject:\r\n"
	    "X-Folded: one\r\n two\r\n"
	    "l: 0\r\n\r\n";
	const struct sip_hdr *h;

	(void)state;
	assert_int_equal(decode(s), 0);
	assert_pl(&msg.via.proto, "UDP");
	assert_pl(&msg.via.host, "192.0.2.2");
	assert_pl(&msg.via.branch, "x1");
	assert_pl(&msg.from.tag, "7");
	assert_int_equal(msg.cseq.num, 9);
	h = sip_msg_hdr(&msg, SIP_HDR_SUBJECT);
	assert_non_null(h);
	assert_int_equal(h->val.l, 0);
	assert_pl(&sip_msg_hdr_named(&msg, "X-Folded")->val, "one\r\n two");
	/* a fold right after the start line has no field to continue */
	assert_int_equal(decode("OPTIONS sip:a@b SIP/2.0\r\n x\r\n\r\n"),
	                 EBADMSG);
	assert_string_equal(msg.err, "Bad header folding");
}

static void test_decode_bad_headers(void **state)
{
	(void)state;
	assert_int_equal(decode(REQ_HEAD "NoColon\r\n\r\n"), EBADMSG);
	assert_string_equal(msg.err, "Bad header field");
	assert_true(sip_msg_can_reply(&msg)); /* a 400 is possible */
	assert_int_equal(decode(REQ_HEAD "Content-Length: -1\r\n\r\n"),
	                 EBADMSG);
	assert_string_equal(msg.err, "Bad Content-Length header");
	assert_int_equal(decode(REQ_HEAD "Max-Forwards: 256\r\n\r\n"), 0);
	assert_int_equal(msg.max_forwards, 70); /* the first one counts */
	assert_int_equal(
	    decode("OPTIONS sip:a@b SIP/2.0\r\nMax-Forwards: 256\r\n\r\n"),
	    EBADMSG);
	assert_string_equal(msg.err, "Bad Max-Forwards header");
	assert_int_equal(
	    decode(
	        "OPTIONS sip:a@b SIP/2.0\r\nCSeq: 4294967296 OPTIONS\r\n\r\n"),
	    EBADMSG);
	assert_string_equal(msg.err, "Bad CSeq header");
	assert_pl(&msg.cseq.method, "OPTIONS"); /* kept for a 400 */
	assert_int_equal(decode("OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1\r\n\r\n"),
	                 EBADMSG);
	assert_int_equal(
	    decode("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: a b\r\n\r\n"), EBADMSG);
	assert_string_equal(msg.err, "Bad Call-ID header");
	assert_int_equal(
	    decode("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP\r\n\r\n"),
	    EBADMSG);
	assert_string_equal(msg.err, "Bad Via header");
}

static void test_decode_body_udp(void **state)
{
	(void)state;
	/* RFC 3261 §18.3 */
	assert_int_equal(decode(REQ_HEAD "Content-Length: 5\r\n\r\nabc"),
	                 EBADMSG);
	assert_string_equal(msg.err, "Content-Length larger than datagram");
	assert_true(sip_msg_can_reply(&msg));
	assert_int_equal(decode(REQ_HEAD "Content-Length: 2\r\n\r\nabcdef"), 0);
	assert_pl(&msg.body, "ab");
	assert_int_equal(decode(REQ_HEAD "\r\nabcdef"), 0);
	assert_false(msg.has_clen);
	assert_pl(&msg.body, "abcdef");
	/* a datagram may end right after its last header line */
	assert_int_equal(decode(REQ_HEAD), 0);
	assert_int_equal(msg.body.l, 0);
	/* bare LF line ends are tolerated the same way by the framer */
	assert_int_equal(decode("OPTIONS sip:a@b SIP/2.0\nl: 1\n\nxy"), 0);
	assert_pl(&msg.body, "x");
}

static void test_decode_limits(void **state)
{
	static char buf[SIP_MSG_MAX + 2];
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(buf, sizeof(buf), "OPTIONS sip:a@b SIP/2.0\r\n");
	for (i = 0; i < SIP_HDR_MAX; i++)
		n +=
		    (size_t)snprintf(buf + n, sizeof(buf) - n, "X: %zu\r\n", i);
	memcpy(buf + n, "\r\n", 2);
	assert_int_equal(sip_msg_decode(&msg, buf, n + 2), 0);
	assert_int_equal(msg.hdrc, SIP_HDR_MAX);
	memcpy(buf + n, "Y: z\r\n\r\n", 8);
	assert_int_equal(sip_msg_decode(&msg, buf, n + 8), EOVERFLOW);
	assert_string_equal(msg.err, "Too many header fields");
	/* one list header splitting beyond the limit */
	n = (size_t)snprintf(buf, sizeof(buf),
	                     "OPTIONS sip:a@b SIP/2.0\r\nRoute: ");
	for (i = 0; i <= SIP_HDR_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "<sip:r%zu>,",
		                      i);
	memcpy(buf + n, "\r\n\r\n", 4);
	assert_int_equal(sip_msg_decode(&msg, buf, n + 4), EOVERFLOW);
	/* one line over SIP_LINE_MAX */
	n = (size_t)snprintf(buf, sizeof(buf),
	                     "OPTIONS sip:a@b SIP/2.0\r\nX: ");
	memset(buf + n, 'a', SIP_LINE_MAX);
	n += SIP_LINE_MAX;
	memcpy(buf + n, "\r\n\r\n", 4);
	assert_int_equal(sip_msg_decode(&msg, buf, n + 4), EOVERFLOW);
	assert_string_equal(msg.err, "Header line too long");
	/* the whole message */
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(sip_msg_decode(&msg, buf, SIP_MSG_MAX + 1), EOVERFLOW);
}

static void test_uri(void **state)
{
	struct sip_uri u;
	struct pl pl;

	(void)state;
	pl_set_str(&pl, "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?"
	                "subject=x&h=%20");
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	assert_pl(&u.scheme, "sips");
	assert_pl(&u.user, "alice");
	assert_pl(&u.password, "secret");
	assert_pl(&u.host, "2001:db8::1");
	assert_true(u.ipv6);
	assert_int_equal(u.port, 5061);
	assert_pl(&u.params, ";transport=tcp;lr");
	assert_pl(&u.headers, "?subject=x&h=%20");
	pl_set_str(&pl, "sip:user;par=u%40example.net@example.com");
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	assert_pl(&u.user, "user;par=u%40example.net");
	assert_pl(&u.host, "example.com");
	assert_int_equal(u.port, 0);
	pl_set_str(&pl, "SIP:192.0.2.1:5060");
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	assert_pl(&u.host, "192.0.2.1");
	assert_int_equal(u.port, 5060);
	pl_set_str(&pl, "tel:+1-201-555-0123;phone-context=example.com");
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	assert_pl(&u.user, "+1-201-555-0123");
	assert_pl(&u.params, ";phone-context=example.com");
	pl_set_str(&pl, "urn:service:sos");
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	assert_pl(&u.scheme, "urn");

	static const char *const bad[] = {
	    "sip:",        "sip:user@", "sip:[::1",     "sip:[::1]x",
	    "sip:h:65536", "sip:h:",    "sip:h:123456", "sip:[1:2:3]",
	    "sip:a b@h",   "sip:%4@h",  "sip:h;",       "sip:h;;x",
	    "sip:h?",      "<sip:h>",   "1sip:h",       "sip",
	    "sip:h<",      "tel:",      "x:a b",        "sip:h:5060x",
	};
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		pl_set_str(&pl, bad[i]);
		if (sip_uri_decode(&u, &pl) != EBADMSG)
			fail_msg("accepted %s", bad[i]);
	}
	assert_int_equal(sip_uri_decode(NULL, &pl), EINVAL);
}

static void test_addr(void **state)
{
	struct sip_addr a;
	struct pl pl;

	(void)state;
	pl_set_str(&pl, "\"J Rosenberg \\\\\\\"\"  "
	                "<sip:jdrosen@example.com>\r\n ;\r\n tag = 98asjd8");
	assert_int_equal(sip_addr_decode(&a, &pl), 0);
	assert_pl(&a.dname, "J Rosenberg \\\\\\\"");
	assert_pl(&a.auri, "sip:jdrosen@example.com");
	assert_pl(&a.uri.user, "jdrosen");
	assert_pl(&a.tag, "98asjd8");
	pl_set_str(&pl, "caller<sip:caller@example.com>;tag=323");
	assert_int_equal(sip_addr_decode(&a, &pl), 0);
	assert_pl(&a.dname, "caller");
	assert_pl(&a.tag, "323");
	pl_set_str(&pl, "sip:+1972@gw1.example.net;unknownparam");
	assert_int_equal(sip_addr_decode(&a, &pl), 0);
	assert_pl(&a.auri, "sip:+1972@gw1.example.net");
	assert_pl(&a.params, ";unknownparam");
	assert_int_equal(a.uri.params.l, 0);
	pl_set_str(&pl,
	           "<sip:a@b;lr>;expires=60;+sip.instance=\"<urn:uuid:1>\"");
	assert_int_equal(sip_addr_decode(&a, &pl), 0);
	assert_pl(&a.uri.params, ";lr");
	assert_pl(&a.params, ";expires=60;+sip.instance=\"<urn:uuid:1>\"");
	pl_set_str(&pl, "<isbn:2983792873>");
	assert_int_equal(sip_addr_decode(&a, &pl), 0);
	assert_pl(&a.uri.scheme, "isbn");

	static const char *const bad[] = {
	    "",
	    "\"unterminated <sip:a@b>",
	    "<sip:a@b",
	    "Bell, A <sip:a@b>",
	    "sip:a@b?x=y",
	    "<sip:a@b>x",
	    "<sip:a@b>;tag",
	    "<sip:a@b>;;x=1",
	    "\"x\" sip:a@b",
	    "<>",
	};
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		pl_set_str(&pl, bad[i]);
		if (sip_addr_decode(&a, &pl) != EBADMSG)
			fail_msg("accepted %s", bad[i]);
	}
}

static void test_via(void **state)
{
	struct sip_via v;
	struct pl pl;

	(void)state;
	pl_set_str(&pl, "SIP/2.0/TCP "
	                "[2001:db8::9:1]:6050;branch=z9hG4bK1;received=[2001:"
	                "db8::9:255];rport=5070");
	assert_int_equal(sip_via_decode(&v, &pl), 0);
	assert_pl(&v.proto, "TCP");
	assert_pl(&v.host, "2001:db8::9:1");
	assert_true(v.ipv6);
	assert_int_equal(v.port, 6050);
	assert_pl(&v.branch, "z9hG4bK1");
	assert_pl(&v.received, "[2001:db8::9:255]");
	assert_true(v.rport);
	assert_pl(&v.rport_val, "5070");
	assert_pl(&v.params,
	          ";branch=z9hG4bK1;received=[2001:db8::9:255];rport=5070");
	pl_set_str(&pl, "SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKa");
	assert_int_equal(sip_via_decode(&v, &pl), 0);
	assert_true(v.rport);
	assert_int_equal(v.rport_val.l, 0);
	pl_set_str(&pl, "SIP/2.0/UDP host");
	assert_int_equal(sip_via_decode(&v, &pl), 0);
	assert_int_equal(v.branch.l, 0);

	static const char *const bad[] = {
	    "SIP/2.0/UDP",
	    "SIP/2.0 host",
	    "SIP/2.0/UDP host;",
	    "SIP/2.0/UDP host;;",
	    "SIP/2.0/UDPhost",
	    "SIP/2.0/UDP [::1;branch=x",
	    "SIP//UDP h",
	    "SIP/2.0/UDP host x",
	    "SIP/2.0/UDP host:x",
	    "SIP/2.0/UDP ho_st",
	    "SIP/2.0/UDP host:5060x",
	    "SIP/2.0/UDP host ;",
	};
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		pl_set_str(&pl, bad[i]);
		if (sip_via_decode(&v, &pl) != EBADMSG)
			fail_msg("accepted %s", bad[i]);
	}
}

static void test_param_get(void **state)
{
	struct pl params = PL(" ; lr ;Transport = TCP;q=\"a;b\" ;x"), v;

	(void)state;
	assert_int_equal(sip_param_get(&params, "lr", &v), 0);
	assert_int_equal(v.l, 0);
	assert_int_equal(sip_param_get(&params, "transport", &v), 0);
	assert_pl(&v, "TCP");
	assert_int_equal(sip_param_get(&params, "Q", &v), 0);
	assert_pl(&v, "\"a;b\"");
	assert_int_equal(sip_param_get(&params, "x", &v), 0);
	assert_int_equal(sip_param_get(&params, "y", &v), ENOENT);
	assert_int_equal(sip_param_get(&params, "l", &v), ENOENT);
	params = (struct pl)PL("a=1;;b=2");
	assert_int_equal(sip_param_get(&params, "a", &v), 0);
	assert_int_equal(sip_param_get(&params, "b", &v), EBADMSG);
	params = (struct pl)PL_INIT;
	assert_int_equal(sip_param_get(&params, "a", &v), ENOENT);
	assert_int_equal(sip_param_get(NULL, "a", &v), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_hdr_lookup),
	    SC_TEST(test_decode_request),
	    SC_TEST(test_decode_response),
	    SC_TEST(test_decode_start_line),
	    SC_TEST(test_decode_lists),
	    SC_TEST(test_decode_folding),
	    SC_TEST(test_decode_bad_headers),
	    SC_TEST(test_decode_body_udp),
	    SC_TEST(test_decode_limits),
	    SC_TEST(test_uri),
	    SC_TEST(test_addr),
	    SC_TEST(test_via),
	    SC_TEST(test_param_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
