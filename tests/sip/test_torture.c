/* test_torture.c: every RFC 4475 torture message and every RFC 5118 IPv6
 * message, byte-exact in torture/, through decode, check and reply.
 *
 * torture/rfc4475-*.sip are the files of the RFC's bit-exact archive
 * (RFC 4475 Appendix A), renamed by section. torture/rfc5118-*.sip are the
 * RFC 5118 messages as printed, CRLF line ends, including what the RFC
 * really says: §4.6, §4.8 and §4.9 carry Content-Length values that do not
 * match their bodies, and the two §4.10 messages end without the empty
 * line (accepted on a datagram: the head ends with the datagram). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/msg.h"
#include "testutil.h"

/* What a server does with the message. */
enum outcome {
	ACCEPT, /* decodes, sip_msg_check() finds nothing */
	REJECT, /* answerable: the status code below */
	DROP,   /* not answerable (response, or no Via/From/To/...) */
};

struct torture {
	const char *file;
	enum outcome outcome;
	uint16_t scode;     /* for REJECT */
	const char *method; /* expected method, or status "SIP/2.0" */
};

static const struct torture torture[] = {
    /* RFC 4475 §3.1.1: valid messages */
    {"rfc4475-3.1.1.1-wsinv.sip", ACCEPT, 0, "INVITE"},
    {"rfc4475-3.1.1.2-intmeth.sip", ACCEPT, 0,
     "!interesting-Method0123456789_*+`.%indeed'~"},
    {"rfc4475-3.1.1.3-esc01.sip", ACCEPT, 0, "INVITE"},
    {"rfc4475-3.1.1.4-escnull.sip", ACCEPT, 0, "REGISTER"},
    {"rfc4475-3.1.1.5-esc02.sip", ACCEPT, 0, "RE%47IST%45R"},
    {"rfc4475-3.1.1.6-lwsdisp.sip", ACCEPT, 0, "OPTIONS"},
    {"rfc4475-3.1.1.7-longreq.sip", ACCEPT, 0, "INVITE"},
    /* UDP: the REGISTER; the INVITE after its body is dropped */
    {"rfc4475-3.1.1.8-dblreq.sip", ACCEPT, 0, "REGISTER"},
    {"rfc4475-3.1.1.9-semiuri.sip", ACCEPT, 0, "OPTIONS"},
    {"rfc4475-3.1.1.10-transports.sip", ACCEPT, 0, "OPTIONS"},
    {"rfc4475-3.1.1.11-mpart01.sip", ACCEPT, 0, "MESSAGE"},
    {"rfc4475-3.1.1.12-unreason.sip", ACCEPT, 0, NULL},
    {"rfc4475-3.1.1.13-noreason.sip", ACCEPT, 0, NULL},
    /* RFC 4475 §3.1.2: invalid messages */
    {"rfc4475-3.1.2.1-badinv01.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.1.2.2-clerr.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.1.2.3-ncl.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.1.2.4-scalar02.sip", REJECT, 400, "REGISTER"},
    {"rfc4475-3.1.2.5-scalarlg.sip", DROP, 0, NULL},
    {"rfc4475-3.1.2.6-quotbal.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.1.2.7-ltgtruri.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.1.2.8-lwsruri.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.1.2.9-lwsstart.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.1.2.10-trws.sip", REJECT, 400, "OPTIONS"},
    {"rfc4475-3.1.2.11-escruri.sip", REJECT, 400, "INVITE"},
    /* the Date is not interpreted: be liberal */
    {"rfc4475-3.1.2.12-baddate.sip", ACCEPT, 0, "INVITE"},
    {"rfc4475-3.1.2.13-regbadct.sip", REJECT, 400, "REGISTER"},
    /* LWS inside < >: the liberal reading the RFC allows */
    {"rfc4475-3.1.2.14-badaspec.sip", ACCEPT, 0, "OPTIONS"},
    {"rfc4475-3.1.2.15-baddn.sip", REJECT, 400, "OPTIONS"},
    {"rfc4475-3.1.2.16-badvers.sip", REJECT, 505, "OPTIONS"},
    {"rfc4475-3.1.2.17-mismatch01.sip", REJECT, 400, "OPTIONS"},
    {"rfc4475-3.1.2.18-mismatch02.sip", REJECT, 400, "NEWMETHOD"},
    {"rfc4475-3.1.2.19-bigcode.sip", DROP, 0, NULL},
    /* RFC 4475 §3.2: transaction layer (branch "z9hG4bK" alone) */
    {"rfc4475-3.2.1-badbranch.sip", ACCEPT, 0, "OPTIONS"},
    /* RFC 4475 §3.3: application layer */
    {"rfc4475-3.3.1-insuf.sip", DROP, 0, "INVITE"},
    {"rfc4475-3.3.2-unkscm.sip", REJECT, 416, "OPTIONS"},
    {"rfc4475-3.3.3-novelsc.sip", REJECT, 416, "OPTIONS"},
    {"rfc4475-3.3.4-unksm2.sip", ACCEPT, 0, "REGISTER"},
    {"rfc4475-3.3.5-bext01.sip", ACCEPT, 0, "OPTIONS"},
    {"rfc4475-3.3.6-invut.sip", ACCEPT, 0, "INVITE"},
    {"rfc4475-3.3.7-regaut01.sip", ACCEPT, 0, "REGISTER"},
    {"rfc4475-3.3.8-multi01.sip", REJECT, 400, "INVITE"},
    {"rfc4475-3.3.9-mcl01.sip", REJECT, 400, "OPTIONS"},
    {"rfc4475-3.3.10-bcast.sip", ACCEPT, 0, NULL},
    {"rfc4475-3.3.11-zeromf.sip", REJECT, 483, "OPTIONS"},
    {"rfc4475-3.3.12-cparam01.sip", ACCEPT, 0, "REGISTER"},
    {"rfc4475-3.3.13-cparam02.sip", ACCEPT, 0, "REGISTER"},
    {"rfc4475-3.3.14-regescrt.sip", ACCEPT, 0, "REGISTER"},
    {"rfc4475-3.3.15-sdp01.sip", ACCEPT, 0, "INVITE"},
    /* RFC 4475 §3.4: RFC 2543 syntax, no Max-Forwards, no branch */
    {"rfc4475-3.4.1-inv2543.sip", ACCEPT, 0, "INVITE"},
    /* RFC 5118 */
    {"rfc5118-4.1-ipv6-good.sip", ACCEPT, 0, "REGISTER"},
    {"rfc5118-4.2-ipv6-bad.sip", REJECT, 400, "REGISTER"},
    {"rfc5118-4.3-port-ambiguous.sip", ACCEPT, 0, "REGISTER"},
    {"rfc5118-4.4-port-unambiguous.sip", ACCEPT, 0, "REGISTER"},
    {"rfc5118-4.5-via-received-param-with-delim.sip", ACCEPT, 0, "BYE"},
    {"rfc5118-4.5-via-received-param-no-delim.sip", ACCEPT, 0, "OPTIONS"},
    /* The RFC's Content-Length (268) exceeds its 251-byte body: over
     * UDP that is a 400 (RFC 3261 §18.3), byte-exact as published. */
    {"rfc5118-4.6-ipv6-in-sdp.sip", REJECT, 400, "INVITE"},
    {"rfc5118-4.7-mult-ip-in-header.sip", ACCEPT, 0, "BYE"},
    {"rfc5118-4.8-mult-ip-in-sdp.sip", ACCEPT, 0, "INVITE"},
    {"rfc5118-4.9-ipv4-mapped-ipv6.sip", ACCEPT, 0, "INVITE"},
    /* three colons is not an IPv6 address (RFC 5118 §4.10) */
    {"rfc5118-4.10-ipv6-bug-abnf-3-colons.sip", REJECT, 400, "OPTIONS"},
    {"rfc5118-4.10-ipv6-correct-abnf-2-colons.sip", ACCEPT, 0, "OPTIONS"},
};

static char *read_file(const char *name, size_t *lenp)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "torture/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n); /* exact size: ASan sees any over-read */
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}

/* The reply must itself decode as a response that passes the check and
 * carries the request's Call-ID and CSeq. When the request had a broken
 * mandatory header, the reply echoes it (RFC 3261 §8.2.6.2 copies them):
 * then only the status line and Call-ID are required to decode. */
static void check_reply(const struct sip_msg *req, uint16_t scode,
                        const char *reason)
{
	bool strict = req->err == NULL;
	int err;
	static const struct pl tag = PL("t0tag");
	static const struct pl viap = PL(";received=192.0.2.9");
	static struct sip_msg rsp;
	const char *why;
	struct mbuf *mb;
	uint16_t code;

	assert_int_equal(mbuf_alloc(&mb, 512), 0);
	assert_int_equal(sip_reply_encode(mb, req, scode, reason, &tag, &viap,
	                                  NULL, NULL, NULL),
	                 0);
	err = sip_msg_decode(&rsp, (const char *)mb->buf, mb->end);
	assert_false(rsp.req);
	assert_int_equal(rsp.scode, scode);
	assert_true(pl_eq(&rsp.callid, &req->callid));
	if (!strict) {
		assert_true(err == 0 || err == EBADMSG);
		mem_deref(mb);
		return;
	}
	assert_int_equal(err, 0);
	assert_int_equal(sip_msg_check(&rsp, &code, &why), 0);
	assert_int_equal(rsp.cseq.num, req->cseq.num);
	assert_true(pl_eq(&rsp.cseq.method, &req->cseq.method));
	assert_true(pl_isset(&rsp.to.tag));
	assert_true(pl_isset(&rsp.via.received));
	mem_deref(mb);
}

static void test_one(void **state)
{
	const struct torture *t = *state;
	static struct sip_msg msg;
	const char *why = NULL;
	uint16_t code = 0;
	size_t len;
	char *buf = read_file(t->file, &len);
	int derr, cerr;

	derr = sip_msg_decode(&msg, buf, len);
	if (derr)
		assert_int_equal(derr, EBADMSG);
	if (t->method)
		assert_int_equal(pl_strcmp(&msg.method, t->method), 0);
	cerr = sip_msg_check(&msg, &code, &why);
	switch (t->outcome) {
	case ACCEPT:
		if (derr || cerr)
			fail_msg("%s: %s (%u)", t->file, why, code);
		if (msg.req)
			check_reply(&msg, 200, "OK");
		break;
	case REJECT:
		assert_int_equal(cerr, EBADMSG);
		assert_true(sip_msg_can_reply(&msg));
		if (code != t->scode)
			fail_msg("%s: %u %s, expected %u", t->file, code, why,
			         t->scode);
		check_reply(&msg, code, why);
		break;
	case DROP:
		assert_false(sip_msg_can_reply(&msg));
		if (msg.req)
			assert_int_equal(cerr, EBADMSG);
		else
			assert_int_equal(derr, EBADMSG);
		break;
	}
	free(buf);
}

static void assert_pl(const struct pl *pl, const char *s)
{
	if (pl_strcmp(pl, s))
		fail_msg("got \"%.*s\", expected \"%s\"", PL_FMT(pl), s);
}

static size_t count(const struct sip_msg *msg, enum sip_hdr_id id)
{
	const struct sip_hdr *h = NULL;
	size_t n = 0;

	while ((h = sip_msg_hdr_next(msg, h, id)))
		n++;
	return n;
}

/* Field by field, what RFC 4475 §3.1.1.1 says a parser must see. */
static void test_wsinv_fields(void **state)
{
	static struct sip_msg msg;
	const struct sip_hdr *h;
	struct sip_addr a;
	struct sip_via v;
	struct pl q;
	size_t len;
	char *buf = read_file("rfc4475-3.1.1.1-wsinv.sip", &len);

	(void)state;
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_pl(&msg.ruri.params, ";unknownparam");
	assert_pl(&msg.to.tag, "1918181833n");
	assert_pl(&msg.from.dname, "J Rosenberg \\\\\\\"");
	assert_pl(&msg.from.tag, "98asjd8");
	assert_int_equal(msg.max_forwards, 68);
	assert_int_equal(msg.cseq.num, 9);
	assert_pl(&msg.cseq.method, "INVITE");
	assert_pl(&msg.callid, "wsinv.ndaksdj@192.0.2.1");
	assert_int_equal(msg.clen, 150);
	assert_int_equal(msg.body.l, 150);
	/* "Via" once, "v" with two values: three Vias, in order */
	assert_int_equal(count(&msg, SIP_HDR_VIA), 3);
	assert_pl(&msg.via.proto, "UDP");
	assert_pl(&msg.via.host, "192.0.2.2");
	assert_pl(&msg.via.branch, "390skdjuw");
	h = sip_msg_hdr_next(&msg, sip_msg_hdr(&msg, SIP_HDR_VIA), SIP_HDR_VIA);
	assert_int_equal(sip_via_decode(&v, &h->val), 0);
	assert_pl(&v.proto, "TCP");
	assert_pl(&v.host, "spindle.example.com");
	assert_pl(&v.branch, "z9hG4bK9ikj8");
	h = sip_msg_hdr_next(&msg, h, SIP_HDR_VIA);
	assert_int_equal(sip_via_decode(&v, &h->val), 0);
	assert_pl(&v.host, "192.168.255.111");
	assert_pl(&v.branch, "z9hG4bK30239");
	/* the empty Subject in compact form */
	h = sip_msg_hdr(&msg, SIP_HDR_SUBJECT);
	assert_non_null(h);
	assert_pl(&h->name, "s");
	assert_int_equal(h->val.l, 0);
	h = sip_msg_hdr_named(&msg, "NewFangledHeader");
	assert_pl(&h->val, "newfangled value\r\n continued newfangled value");
	h = sip_msg_hdr_named(&msg, "UnknownHeaderWithUnusualValue");
	assert_pl(&h->val, ";;,,;;,;");
	h = sip_msg_hdr(&msg, SIP_HDR_CONTACT);
	assert_int_equal(count(&msg, SIP_HDR_CONTACT), 1);
	assert_int_equal(sip_addr_decode(&a, &h->val), 0);
	assert_pl(&a.dname, "Quoted string \\\"\\\"");
	assert_int_equal(sip_param_get(&a.params, "q", &q), 0);
	assert_pl(&q, "0.33");
	assert_int_equal(sip_param_get(&a.params, "newparam", &q), 0);
	assert_pl(&q, "newvalue");
	assert_int_equal(sip_param_get(&a.params, "secondparam", &q), 0);
	assert_int_equal(q.l, 0);
	free(buf);
}

static void test_other_fields(void **state)
{
	static struct sip_msg msg;
	const struct sip_hdr *h = NULL;
	static const char *const protos[] = {"UDP", "SCTP", "TLS", "UNKNOWN",
	                                     "TCP"};
	struct sip_via v;
	size_t len, i = 0;
	char *buf;

	(void)state;
	buf = read_file("rfc4475-3.1.1.4-escnull.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_pl(&msg.from.uri.user, "null-%00-null");
	free(buf);
	buf = read_file("rfc4475-3.1.1.8-dblreq.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_int_equal(msg.body.l, 0); /* the INVITE behind is ignored */
	free(buf);
	buf = read_file("rfc4475-3.1.1.9-semiuri.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_pl(&msg.ruri.user, "user;par=u%40example.net");
	assert_pl(&msg.ruri.host, "example.com");
	free(buf);
	buf = read_file("rfc4475-3.1.1.10-transports.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	while ((h = sip_msg_hdr_next(&msg, h, SIP_HDR_VIA))) {
		assert_true(i < SC_ARRAY_SIZE(protos));
		assert_int_equal(sip_via_decode(&v, &h->val), 0);
		assert_pl(&v.proto, protos[i++]);
	}
	assert_int_equal(i, SC_ARRAY_SIZE(protos));
	free(buf);
	buf = read_file("rfc4475-3.4.1-inv2543.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_false(msg.has_clen);
	assert_false(msg.has_max_forwards);
	assert_int_equal(msg.via.branch.l, 0);
	assert_int_equal(msg.body.l, len - (size_t)(msg.body.p - buf));
	free(buf);
	buf = read_file("rfc5118-4.9-ipv4-mapped-ipv6.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_pl(&msg.via.host, "::ffff:192.0.2.10");
	assert_true(msg.via.ipv6);
	assert_int_equal(msg.via.port, 19823);
	assert_int_equal(msg.body.l, 236); /* truncated to Content-Length */
	free(buf);
	buf = read_file("rfc5118-4.3-port-ambiguous.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_pl(&msg.ruri.host, "2001:db8::10:5070");
	assert_int_equal(msg.ruri.port, 0);
	free(buf);
	buf = read_file("rfc5118-4.4-port-unambiguous.sip", &len);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_pl(&msg.ruri.host, "2001:db8::10");
	assert_int_equal(msg.ruri.port, 5070);
	free(buf);
}

int main(void)
{
	struct CMUnitTest tests[SC_ARRAY_SIZE(torture) + 2];
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(torture); i++) {
		tests[i] = (struct CMUnitTest)SC_TEST(test_one);
		tests[i].name = torture[i].file;
		tests[i].initial_state = (void *)&torture[i];
	}
	tests[i++] = (struct CMUnitTest)SC_TEST(test_wsinv_fields);
	tests[i++] = (struct CMUnitTest)SC_TEST(test_other_fields);
	return _cmocka_run_group_tests("sip_torture", tests,
	                               SC_ARRAY_SIZE(tests), NULL, NULL);
}
