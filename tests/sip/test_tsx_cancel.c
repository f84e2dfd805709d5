/* test_tsx_cancel.c: CANCEL of a client INVITE transaction (RFC 3261 §9.1). */
#include "tsx_client_testutil.h"

static void test_cancel_waits_for_provisional(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;
	char buf[256];
	const char *c;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, true, &s);
	assert_int_equal(sip_ctx_cancel(ctx), 0);
	assert_int_equal(t.nsent, 1); /* §9.1: not before a 1xx */
	assert_int_equal(sip_ctx_cancel(ctx), 0);
	assert_int_equal(
	    recv_resp(&t, RESP("180 Ringing", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(t.nsent, 2);
	c = t.sent[1].text;
	assert_int_equal(
	    strncmp(c, "CANCEL sip:bob@127.0.0.1:5060 SIP/2.0\r\n", 39), 0);
	assert_string_equal(tt_hdr(c, "Via", buf, sizeof(buf)),
			    "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-c1;"
			    "rport");
	assert_string_equal(tt_hdr(c, "To", buf, sizeof(buf)),
			    "<sip:bob@127.0.0.1>");
	assert_string_equal(tt_hdr(c, "CSeq", buf, sizeof(buf)), "7 CANCEL");
	assert_string_equal(tt_hdr(c, "Call-ID", buf, sizeof(buf)),
			    "c1@127.0.0.1");
	assert_non_null(strstr(c, "Route: <sip:p1.example;lr>\r\n"));
	assert_int_equal(sip_tsx_layer_count(t.layer, false), 2);
	/* The CANCEL's 200 goes to its own transaction, the 487 to the
	 * INVITE's, which ACKs it. */
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-c1", "CANCEL")),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(recv_resp(&t, RESP("487 Request Terminated",
					    "z9hG4bK-c1", "INVITE")),
			 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.scode, 487);
	assert_int_equal(t.nsent, 3);
	assert_int_equal(strncmp(t.sent[2].text, "ACK ", 4), 0);
	assert_int_equal(sip_ctx_cancel(ctx), EPROTO);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_cancel_without_final_408(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, false, &s);
	assert_int_equal(
	    recv_resp(&t, RESP("183 Progress", "z9hG4bK-c1", "INVITE")), 0);
	tt_run(&t, 10000);
	assert_int_equal(sip_ctx_cancel(ctx), 0);
	assert_int_equal(s.n, 1);
	/* §9.1: no final within 64*T1 of the CANCEL: the INVITE is done. */
	tt_run(&t, 10000 + 32000 - 1);
	assert_int_equal(s.n, 1);
	tt_run(&t, 10000 + 32000);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.scode, 408);
	assert_false(sip_ctx_alive(ctx));
	mem_deref(ctx);
	tt_close(&t);
}

static void test_cancel_misuse(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, OPTIONS, false, &s);
	assert_int_equal(sip_ctx_cancel(ctx), EINVAL);
	mem_deref(ctx);
	ctx = send_req(&t, INVITE, false, &s);
	assert_int_equal(
	    recv_resp(&t, RESP("603 Decline", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(sip_ctx_cancel(ctx), EPROTO);
	mem_deref(ctx);
	tt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_cancel_waits_for_provisional),
	    SC_TEST(test_cancel_without_final_408),
	    SC_TEST(test_cancel_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
