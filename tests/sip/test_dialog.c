/* test_dialog.c: UA dialogs (RFC 3261 §12) and the request encoder
 * (§8.1.1): route sets in both directions, target refresh, matching by
 * Call-ID and tags, CSeq ordering, and what an in-dialog request looks
 * like byte for byte. */
#include <errno.h>
#include <string.h>

#include "sip/dialog.h"
#include "testutil.h"

static struct sip_msg msg, out;

#define INVITE                                                                 \
	"INVITE sip:bob@gw.example SIP/2.0\r\n"                                \
	"Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\n"        \
	"Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>\r\n"           \
	"From: \"Alice\" <sip:alice@gw.example>;tag=a73kszlfl\r\n"             \
	"To: <sip:bob@gw.example>\r\n"                                         \
	"Call-ID: 3848276298220188511@atlanta\r\n"                             \
	"CSeq: 10 INVITE\r\n"                                                  \
	"Contact: <sip:k2ja@df7jal23ls0d.invalid;transport=ws;ob>\r\n"         \
	"Content-Length: 0\r\n\r\n"

#define OK200                                                                  \
	"SIP/2.0 200 OK\r\n"                                                   \
	"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n"                       \
	"Record-Route: <sip:p1.example;lr>\r\n"                                \
	"Record-Route: <sip:p2.example;lr>\r\n"                                \
	"From: <sip:gw@gw.example>;tag=ours1\r\n"                              \
	"To: <sip:2000@pbx.example>;tag=theirs1\r\n"                           \
	"Call-ID: c1\r\n"                                                      \
	"CSeq: 7 INVITE\r\n"                                                   \
	"Contact: <sip:2000@192.0.2.9:5070>\r\n"                               \
	"Content-Length: 0\r\n\r\n"

static void decode(struct sip_msg *m, const char *s)
{
	assert_int_equal(sip_msg_decode(m, s, strlen(s)), 0);
}

static void test_uas(void **state)
{
	struct sip_dialog *d = NULL;
	struct sip_req r;

	(void)state;
	decode(&msg, INVITE);
	assert_int_equal(sip_dialog_uas_alloc(&d, &msg, "b0b"), 0);
	assert_string_equal(d->callid, "3848276298220188511@atlanta");
	assert_string_equal(d->local, "<sip:bob@gw.example>;tag=b0b");
	assert_string_equal(d->remote, "\"Alice\" <sip:alice@gw.example>;tag=a73kszlfl");
	assert_string_equal(d->target, "sip:k2ja@df7jal23ls0d.invalid;transport=ws;ob");
	/* §12.1.1: the UAS keeps Record-Route in order */
	assert_string_equal(d->routes, "Route: <sip:p1.example;lr>\r\n"
	                               "Route: <sip:p2.example;lr>\r\n");
	assert_int_equal(d->rseq, 10);
	assert_true(d->lseq < 0x800000u);

	/* a BYE from Alice matches (our tag in To, hers in From) */
	decode(&msg, "BYE sip:bob@gw.example SIP/2.0\r\n"
	             "Via: SIP/2.0/WSS x.invalid;branch=z9hG4bKb\r\n"
	             "From: <sip:alice@gw.example>;tag=a73kszlfl\r\n"
	             "To: <sip:bob@gw.example>;tag=b0b\r\n"
	             "Call-ID: 3848276298220188511@atlanta\r\n"
	             "CSeq: 11 BYE\r\nContent-Length: 0\r\n\r\n");
	assert_true(sip_dialog_match(d, &msg));
	assert_int_equal(sip_dialog_recv_cseq(d, &msg), 0);
	assert_int_equal(d->rseq, 11);
	/* §12.2.2: a lower CSeq is out of order */
	decode(&msg, "INFO sip:bob@gw.example SIP/2.0\r\n"
	             "Via: SIP/2.0/WSS x.invalid;branch=z9hG4bKc\r\n"
	             "From: <sip:alice@gw.example>;tag=a73kszlfl\r\n"
	             "To: <sip:bob@gw.example>;tag=b0b\r\n"
	             "Call-ID: 3848276298220188511@atlanta\r\n"
	             "CSeq: 9 INFO\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(sip_dialog_recv_cseq(d, &msg), EPROTO);
	/* another tag: not this dialog */
	decode(&msg, "BYE sip:bob@gw.example SIP/2.0\r\n"
	             "Via: SIP/2.0/WSS x.invalid;branch=z9hG4bKb\r\n"
	             "From: <sip:alice@gw.example>;tag=other\r\n"
	             "To: <sip:bob@gw.example>;tag=b0b\r\n"
	             "Call-ID: 3848276298220188511@atlanta\r\n"
	             "CSeq: 12 BYE\r\nContent-Length: 0\r\n\r\n");
	assert_false(sip_dialog_match(d, &msg));

	/* our request in the dialog: to the target, through the routes */
	sip_dialog_req(d, &r, "BYE", 0);
	assert_string_equal(r.ruri, d->target);
	assert_int_equal(r.cseq, d->lseq);
	mem_deref(d);
}

static void test_uac_and_encode(void **state)
{
	struct sip_dialog *d = NULL;
	struct mbuf *mb = NULL;
	struct sip_req r;
	const struct pl body = PL("v=0\r\n");

	(void)state;
	decode(&msg, OK200);
	assert_int_equal(sip_dialog_uac_alloc(&d, "c1",
	                                      "<sip:gw@gw.example>;tag=ours1",
	                                      "ours1", 7, &msg),
	                 0);
	/* §12.1.2: the UAC reverses Record-Route */
	assert_string_equal(d->routes, "Route: <sip:p2.example;lr>\r\n"
	                               "Route: <sip:p1.example;lr>\r\n");
	assert_string_equal(d->target, "sip:2000@192.0.2.9:5070");
	assert_true(sip_dialog_match(d, &msg));

	assert_int_equal(mbuf_alloc(&mb, 512), 0);
	sip_dialog_req(d, &r, "INVITE", 0);
	r.via = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKre;rport";
	r.contact = "<sip:gw@192.0.2.1:5060>";
	r.ctype = "application/sdp";
	r.body = &body;
	assert_int_equal(sip_req_encode(mb, &r), 0);
	mbuf_write_mem(mb, "", 1);
	assert_string_equal((char *)mb->buf,
	                    "INVITE sip:2000@192.0.2.9:5070 SIP/2.0\r\n"
	                    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKre;rport\r\n"
	                    "Max-Forwards: 70\r\n"
	                    "Route: <sip:p2.example;lr>\r\n"
	                    "Route: <sip:p1.example;lr>\r\n"
	                    "From: <sip:gw@gw.example>;tag=ours1\r\n"
	                    "To: <sip:2000@pbx.example>;tag=theirs1\r\n"
	                    "Call-ID: c1\r\n"
	                    "CSeq: 8 INVITE\r\n"
	                    "Contact: <sip:gw@192.0.2.1:5060>\r\n"
	                    "Content-Type: application/sdp\r\n"
	                    "Content-Length: 5\r\n\r\nv=0\r\n");
	/* and it decodes as a valid request */
	assert_int_equal(sip_msg_decode(&out, (char *)mb->buf, mb->end - 1), 0);
	assert_int_equal(out.cseq.num, 8);

	/* a new Contact in a re-INVITE's 2xx refreshes the target */
	decode(&msg, "SIP/2.0 200 OK\r\n"
	             "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKre\r\n"
	             "From: <sip:gw@gw.example>;tag=ours1\r\n"
	             "To: <sip:2000@pbx.example>;tag=theirs1\r\n"
	             "Call-ID: c1\r\nCSeq: 8 INVITE\r\n"
	             "Contact: <sip:2000@192.0.2.10>\r\n"
	             "Content-Length: 0\r\n\r\n");
	assert_int_equal(sip_dialog_refresh(d, &msg), 0);
	assert_string_equal(d->target, "sip:2000@192.0.2.10");

	/* bad parts: refused, nothing half-written matters */
	mbuf_reset(mb);
	r.ruri = "sip:x\r\nInjected: yes";
	assert_int_equal(sip_req_encode(mb, &r), EINVAL);
	r.ruri = "sip:a b";
	assert_int_equal(sip_req_encode(mb, &r), EINVAL);
	mem_deref(mb);
	mem_deref(d);
}

static void test_missing(void **state)
{
	struct sip_dialog *d = NULL;

	(void)state;
	/* no Contact: no dialog (§12.1.1 needs a remote target) */
	decode(&msg, "INVITE sip:bob@gw.example SIP/2.0\r\n"
	             "Via: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
	             "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"
	             "Call-ID: x\r\nCSeq: 1 INVITE\r\n"
	             "Content-Length: 0\r\n\r\n");
	assert_int_equal(sip_dialog_uas_alloc(&d, &msg, "t"), EBADMSG);
	/* a 2xx without To tag */
	decode(&msg, "SIP/2.0 200 OK\r\n"
	             "Via: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
	             "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"
	             "Call-ID: x\r\nCSeq: 1 INVITE\r\n"
	             "Contact: <sip:b@h>\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(sip_dialog_uac_alloc(&d, "x", "<sip:a@h>;tag=1", "1", 1,
	                                      &msg),
	                 EBADMSG);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SC_TEST(test_uas),
		SC_TEST(test_uac_and_encode),
		SC_TEST(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
