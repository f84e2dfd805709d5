/* test_tsx_match.c: server transaction matching (RFC 3261 §17.2.3), CANCEL
 * (§9.2) and ACK (§17.2.1, §13.3.1.4) matching, RFC 2543 fallback. */
#include "tsx_server_testutil.h"

static void test_ack_to_2xx_is_for_tu(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE, false);
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	/* §13.3.1.4: the ACK to a 2xx has a branch of its own. */
	assert_int_equal(feed(&t,
			      REQ("ACK", "z9hG4bK-ack2", "127.0.0.1:5070",
				  "<sip:bob@127.0.0.1>;tag=b1"),
			      false, &in),
			 SIP_TSX_ACK);
	assert_null(in.stx);
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 1);
	mem_deref(stx);
	tt_close(&t);
}

static void test_cancel_matches_invite(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *inv;

	(void)state;
	tt_init(&t);
	inv = new_stx(&t, INVITE, false);
	assert_int_equal(feed(&t, CANCEL, false, &in), SIP_TSX_CANCEL);
	assert_ptr_equal(in.invite, inv);
	assert_non_null(in.stx);
	assert_ptr_not_equal(in.stx, inv);
	assert_int_equal(sip_stx_scode(in.invite), 0);
	/* §9.2: 200 to the CANCEL, 487 to the INVITE. */
	assert_int_equal(stx_reply(in.stx, 200, R200), 0);
	assert_int_equal(stx_reply(in.invite, 487, R486), 0);
	/* The CANCEL's retransmission is its own transaction's. */
	mem_deref(in.stx);
	mem_deref(in.invite);
	assert_int_equal(feed(&t, CANCEL, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, 3);
	assert_string_equal(t.sent[2].text, R200);
	mem_deref(inv);
	tt_close(&t);
}

static void test_cancel_matches_nothing_else(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *inv, *opt;

	(void)state;
	tt_init(&t);
	inv = new_stx(&t, INVITE, false);
	opt = new_stx(&t, OPTIONS, false);
	/* Other branch, other sent-by host, other port, non-INVITE. */
	assert_int_equal(
	    feed(&t,
		 REQ("CANCEL", "z9hG4bK-inv2", "127.0.0.1:5070", "<sip:b@h>"),
		 false, &in),
	    SIP_TSX_CANCEL);
	assert_null(in.invite);
	mem_deref(in.stx);
	assert_int_equal(
	    feed(&t,
		 REQ("CANCEL", "z9hG4bK-inv1", "127.0.0.2:5070", "<sip:b@h>"),
		 false, &in),
	    SIP_TSX_CANCEL);
	assert_null(in.invite);
	mem_deref(in.stx);
	assert_int_equal(
	    feed(&t,
		 REQ("CANCEL", "z9hG4bK-inv1", "127.0.0.1:5071", "<sip:b@h>"),
		 false, &in),
	    SIP_TSX_CANCEL);
	assert_null(in.invite);
	mem_deref(in.stx);
	assert_int_equal(
	    feed(&t,
		 REQ("CANCEL", "z9hG4bK-opt1", "127.0.0.1:5070", "<sip:b@h>"),
		 false, &in),
	    SIP_TSX_CANCEL);
	assert_null(in.invite);
	mem_deref(in.stx);
	mem_deref(inv);
	mem_deref(opt);
	tt_close(&t);
}

static void test_match_by_sentby_and_method(void **state)
{
	struct tt t;
	struct sip_stx *a, *b, *c;

	(void)state;
	tt_init(&t);
	a = new_stx(&t, INVITE, false);
	/* §17.2.3: same branch from another sent-by is another transaction;
	 * hosts compare case-insensitively. */
	b = new_stx(&t, INVITE_BR("z9hG4bK-inv1", "127.0.0.1:5080"), false);
	c = new_stx(&t, REQ("BYE", "z9hG4bK-inv1", "127.0.0.1:5070", "<x:y>"),
		    false);
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 3);
	mem_deref(a);
	mem_deref(b);
	mem_deref(c);
	tt_close(&t);
}

static void test_host_case_insensitive(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *a;

	(void)state;
	tt_init(&t);
	a = new_stx(&t, INVITE_BR("z9hG4bK-h", "PBX.example.com"), false);
	assert_int_equal(
	    feed(&t, INVITE_BR("z9hG4bK-h", "pbx.EXAMPLE.com"), false, &in),
	    SIP_TSX_ABSORBED);
	mem_deref(a);
	tt_close(&t);
}

/* §17.2.3 fallback for branches without the cookie (RFC 4475 §3.4.1). */
static void test_rfc2543_matching(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE_BR("1234", "127.0.0.1"), false);
	assert_int_equal(stx_reply(stx, 486, R486), 0);
	assert_int_equal(t.nsent, 1);
	/* The same request again is a retransmission: the final goes again. */
	assert_int_equal(feed(&t, INVITE_BR("1234", "127.0.0.1"), false, &in),
			 SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, 2);
	/* Its ACK (To tag added) matches the INVITE and stops Timer G. */
	assert_int_equal(feed(&t,
			      "ACK sip:bob@127.0.0.1 SIP/2.0\r\n"
			      "Via: SIP/2.0/UDP 127.0.0.1;branch=1234;rport\r\n"
			      "Max-Forwards: 70\r\n"
			      "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
			      "To: <sip:bob@127.0.0.1>;tag=b1\r\n"
			      "Call-ID: call1@127.0.0.1\r\n"
			      "CSeq: 1 ACK\r\n"
			      "Content-Length: 0\r\n\r\n",
			      false, &in),
			 SIP_TSX_ABSORBED);
	assert_int_equal(tt_run(&t, 5000), 0);
	/* Another top Via is another transaction. */
	mem_deref(new_stx(&t, INVITE_BR("1234", "127.0.0.2"), false));
	/* The bare cookie (RFC 4475 §3.2.1) takes the same path. */
	mem_deref(new_stx(&t, INVITE_BR("z9hG4bK", "127.0.0.1"), false));
	assert_int_equal(
	    feed(&t, INVITE_BR("z9hG4bK", "127.0.0.1"), false, &in),
	    SIP_TSX_ABSORBED);
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 2);
	mem_deref(stx);
	tt_close(&t);
}

static void test_cap_on_transactions(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *a, *b;

	(void)state;
	tt_init(&t);
	assert_int_equal(sip_tsx_layer_set_max(t.layer, 0), EINVAL);
	assert_int_equal(sip_tsx_layer_set_max(t.layer, 2), 0);
	a = new_stx(&t, INVITE, false);
	b = new_stx(&t, OPTIONS, false);
	assert_int_equal(
	    sip_tsx_recv_request(
		t.layer, tt_parse(&t, REQ("BYE", "z9hG4bK-3", "h", "<x:y>")),
		t.dest, false, &in),
	    EOVERFLOW);
	assert_null(in.stx);
	/* Retransmissions and ACKs of live ones still match. */
	assert_int_equal(feed(&t, OPTIONS, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(stx_reply(b, 200, R200), 0);
	tt_run(&t, 32000); /* Timer J frees a place */
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 1);
	mem_deref(new_stx(&t, REQ("BYE", "z9hG4bK-3", "h", "<x:y>"), false));
	mem_deref(a);
	mem_deref(b);
	tt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_ack_to_2xx_is_for_tu),
	    SC_TEST(test_cancel_matches_invite),
	    SC_TEST(test_cancel_matches_nothing_else),
	    SC_TEST(test_match_by_sentby_and_method),
	    SC_TEST(test_host_case_insensitive),
	    SC_TEST(test_rfc2543_matching),
	    SC_TEST(test_cap_on_transactions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
