/* test_tsx_server.c: server transaction state machines and timers (RFC 3261
 * §17.2, RFC 6026). */
#include "tsx_server_testutil.h"

static void test_nonivite_retransmission(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, OPTIONS, false);
	/* §17.2.2: in Trying a retransmission is absorbed silently. */
	assert_int_equal(feed(&t, OPTIONS, false, &in), SIP_TSX_ABSORBED);
	assert_null(in.stx);
	assert_int_equal(t.nsent, 0);
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	assert_int_equal(t.nsent, 1);
	assert_string_equal(t.sent[0].text, R200);
	assert_ptr_equal(t.sent[0].dest, t.dest);
	/* Completed: the final is sent again for each retransmission. */
	tt_run(&t, 1000);
	assert_int_equal(feed(&t, OPTIONS, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, 2);
	assert_string_equal(t.sent[1].text, R200);
	/* A second final is refused. */
	assert_int_equal(stx_reply(stx, 486, R486), EPROTO);
	mem_deref(stx);
	tt_close(&t);
}

/* §17.2.2: over a reliable transport the request is never retransmitted,
 * so the response is sent from the caller's buffer and not kept: a
 * duplicate is absorbed without an answer. */
static void test_reliable_no_copy(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE, true);
	assert_int_equal(stx_reply(stx, 180, R180), 0);
	assert_int_equal(t.nsent, 1);
	assert_string_equal(t.sent[0].text, R180);
	assert_int_equal(feed(&t, INVITE, true, &in), SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, 1);
	assert_int_equal(stx_reply(stx, 486, R486), 0);
	assert_int_equal(t.nsent, 2);
	assert_string_equal(t.sent[1].text, R486);
	mem_deref(stx);
	tt_close(&t);
}

static void test_nonivite_provisional_resent(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, OPTIONS, false);
	assert_int_equal(stx_reply(stx, 180, R180), 0);
	assert_int_equal(feed(&t, OPTIONS, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, 2);
	assert_string_equal(t.sent[1].text, R180);
	mem_deref(stx);
	tt_close(&t);
}

static void test_timer_j(void **state)
{
	struct tt t;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, OPTIONS, false);
	tt_run(&t, 100);
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	/* J = 64*T1 after the final on UDP; no retransmissions of it. */
	assert_int_equal(tt_run(&t, 100 + 32000 - 1), 0);
	assert_true(sip_stx_alive(stx));
	tt_run(&t, 100 + 32000);
	assert_false(sip_stx_alive(stx));
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 0);
	mem_deref(stx);
	tt_close(&t);
}

static void test_timer_j_reliable(void **state)
{
	struct tt t;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, OPTIONS, true);
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	assert_false(sip_stx_alive(stx)); /* J = 0 */
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 0);
	mem_deref(stx);
	tt_close(&t);
}

static void test_auto_trying(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;
	char buf[256];
	const char *s;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE, false);
	assert_int_equal(tt_run(&t, 199), 0);
	assert_int_equal(tt_run(&t, 200), 1);
	s = t.sent[0].text;
	assert_int_equal(strncmp(s, "SIP/2.0 100 Trying\r\n", 20), 0);
	/* §8.2.6.1: Via list, From, To (no tag needed), Call-ID, CSeq and
	 * Timestamp copied. */
	assert_non_null(strstr(s, "Via: SIP/2.0/UDP 127.0.0.1:5070;"
				  "branch=z9hG4bK-inv1;rport\r\n"
				  "Via: SIP/2.0/UDP 127.0.0.9:5060;"
				  "branch=z9hG4bK-far\r\n"));
	assert_string_equal(tt_hdr(s, "To", buf, sizeof(buf)),
			    "<sip:bob@127.0.0.1>");
	assert_string_equal(tt_hdr(s, "From", buf, sizeof(buf)),
			    "<sip:alice@127.0.0.1>;tag=a1");
	assert_string_equal(tt_hdr(s, "Call-ID", buf, sizeof(buf)),
			    "call1@127.0.0.1");
	assert_string_equal(tt_hdr(s, "CSeq", buf, sizeof(buf)), "1 INVITE");
	assert_string_equal(tt_hdr(s, "Timestamp", buf, sizeof(buf)), "54");
	assert_int_equal(sip_stx_scode(stx), 100);
	/* A retransmitted INVITE gets the 100 again. */
	assert_int_equal(feed(&t, INVITE, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, 2);
	assert_string_equal(t.sent[1].text, t.sent[0].text);
	mem_deref(stx);
	tt_close(&t);
}

static int via_calls;

static int via_h(void *dest, const struct sip_msg *req, char *buf, size_t size,
		 void *arg)
{
	struct tt *t = arg;

	assert_ptr_equal(dest, t->dest);
	assert_true(req->req);
	assert_int_equal(size, SIP_TSX_VIA_PARAMS_MAX);
	if (via_calls++)
		return EOVERFLOW; /* the second time: nothing is added */
	snprintf(buf, size, ";received=192.0.2.1;rport=5070");
	return 0;
}

static void test_via_params_hook(void **state)
{
	struct tt t;
	struct sip_stx *a, *b;

	(void)state;
	tt_init(&t);
	via_calls = 0;
	sip_tsx_layer_set_viah(t.layer, via_h);
	a = new_stx(&t, INVITE, false);
	b = new_stx(&t, INVITE_BR("z9hG4bK-inv2", "127.0.0.1:5070"), false);
	tt_run(&t, 200);
	assert_int_equal(t.nsent, 2);
	/* §18.2.1: the top Via of the 100 carries what the transport says. */
	{
		const char *rcvd = strstr(t.sent[0].text, "received=192.0.2.1");
		const char *via2 = strstr(t.sent[0].text, "Via: SIP/2.0/UDP "
							  "127.0.0.9");

		assert_non_null(rcvd);
		assert_non_null(via2);
		assert_true(rcvd < via2);
	}
	assert_null(strstr(t.sent[1].text, "received="));
	mem_deref(a);
	mem_deref(b);
	tt_close(&t);
}

static void test_no_trying_when_answered(void **state)
{
	struct tt t;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE, false);
	tt_run(&t, 150);
	assert_int_equal(stx_reply(stx, 180, R180), 0);
	assert_int_equal(tt_run(&t, 1000), 0);
	assert_int_equal(t.nsent, 1);
	assert_string_equal(t.sent[0].text, R180);
	mem_deref(stx);
	tt_close(&t);
}

static void test_timer_g_until_ack_then_i(void **state)
{
	static const uint64_t want[] = {0, 500, 1500, 3500, 7500, 11500};
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;
	size_t i;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE, false);
	tt_run(&t, 100);
	assert_int_equal(stx_reply(stx, 486, R486), 0);
	/* Timer G: T1, 2*T1, 4*T1, then T2 (§17.2.1). */
	tt_run(&t, 100 + 12000);
	assert_int_equal(t.nsent, SC_ARRAY_SIZE(want));
	for (i = 0; i < SC_ARRAY_SIZE(want); i++) {
		assert_int_equal(t.sent[i].at, 100 + want[i]);
		assert_string_equal(t.sent[i].text, R486);
	}
	/* The ACK is absorbed; G stops, I = T4 runs. */
	assert_int_equal(feed(&t, ACK_NON2XX, false, &in), SIP_TSX_ABSORBED);
	assert_null(in.stx);
	assert_int_equal(tt_run(&t, 12100 + 5000 - 1), 0);
	assert_true(sip_stx_alive(stx));
	/* Confirmed: retransmitted INVITE and ACK are absorbed silently. */
	assert_int_equal(feed(&t, INVITE, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(feed(&t, ACK_NON2XX, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, SC_ARRAY_SIZE(want));
	tt_run(&t, 12100 + 5000);
	assert_false(sip_stx_alive(stx));
	mem_deref(stx);
	tt_close(&t);
}

static int errh_err;
static int errh_calls;

static void stx_err_h(int err, void *arg)
{
	struct sip_stx *stx = arg;

	errh_err = err;
	errh_calls++;
	assert_false(sip_stx_alive(stx));
	mem_deref(stx); /* the TU lets go of it from inside the handler */
}

static void test_timer_h(void **state)
{
	struct tt t;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	errh_calls = 0;
	stx = new_stx(&t, INVITE, false);
	sip_stx_set_errh(stx, stx_err_h, stx);
	assert_int_equal(stx_reply(stx, 486, R486), 0);
	tt_run(&t, 32000 - 1);
	assert_int_equal(errh_calls, 0);
	/* Retransmitted at 500, 1500, 3500, 7500, then every 4 s to 31500. */
	assert_int_equal(t.nsent, 1 + 4 + 6);
	tt_run(&t, 32000);
	assert_int_equal(errh_calls, 1);
	assert_int_equal(errh_err, ETIMEDOUT);
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 0);
	tt_close(&t);
}

static void test_reliable_no_g_i_zero(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE, true);
	assert_int_equal(stx_reply(stx, 486, R486), 0);
	assert_int_equal(tt_run(&t, 20000), 0);
	assert_int_equal(feed(&t, ACK_NON2XX, true, &in), SIP_TSX_ABSORBED);
	assert_false(sip_stx_alive(stx)); /* I = 0 */
	mem_deref(stx);
	tt_close(&t);
}

static void test_accepted_state(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, INVITE, false);
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	/* RFC 6026 §7.1: no 2xx retransmissions by the transaction... */
	assert_int_equal(tt_run(&t, 10000), 0);
	/* ...retransmitted INVITEs absorbed, not answered... */
	assert_int_equal(feed(&t, INVITE, false, &in), SIP_TSX_ABSORBED);
	assert_int_equal(t.nsent, 1);
	/* ...the TU's own 2xx retransmissions go out... */
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	assert_int_equal(t.nsent, 2);
	assert_int_equal(stx_reply(stx, 180, R180), EPROTO);
	/* ...and a matching ACK goes to the TU with the transaction. */
	assert_int_equal(feed(&t, ACK_NON2XX, false, &in), SIP_TSX_ACK);
	assert_ptr_equal(in.stx, stx);
	mem_deref(in.stx);
	/* Timer L = 64*T1 from the first 2xx. */
	tt_run(&t, 32000 - 1);
	assert_true(sip_stx_alive(stx));
	tt_run(&t, 32000);
	assert_false(sip_stx_alive(stx));
	mem_deref(stx);
	tt_close(&t);
}

/* §13.3.1.4 through sip_stx_await_ack(): the 2xx on Timer G's schedule
 * until the TU saw the ACK; none by Timer L: ETIMEDOUT. */
static void test_await_ack(void **state)
{
	struct tt t;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	errh_calls = 0;
	stx = new_stx(&t, INVITE, false);
	sip_stx_set_errh(stx, stx_err_h, stx);
	assert_int_equal(sip_stx_await_ack(stx), EPROTO); /* no 2xx yet */
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	assert_int_equal(sip_stx_await_ack(stx), 0);
	assert_int_equal(sip_stx_await_ack(stx), EPROTO);
	tt_run(&t, 3600); /* 500, 1500, 3500 */
	assert_int_equal(t.nsent, 1 + 3);
	assert_string_equal(t.sent[3].text, R200);
	sip_stx_acked(stx);
	tt_run(&t, 32000);
	assert_int_equal(t.nsent, 4);
	assert_int_equal(errh_calls, 0);
	assert_false(sip_stx_alive(stx));
	mem_deref(stx);

	/* no ACK at all: every 4 s after 7500, then the TU is told */
	stx = new_stx(&t, INVITE_BR("z9hG4bK-inv2", "127.0.0.1:5070"), false);
	sip_stx_set_errh(stx, stx_err_h, stx);
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	assert_int_equal(sip_stx_await_ack(stx), 0);
	tt_run(&t, 32000 + 32000 - 1);
	assert_int_equal(t.nsent, 4 + 1 + 4 + 6);
	assert_int_equal(errh_calls, 0);
	tt_run(&t, 32000 + 32000);
	assert_int_equal(errh_calls, 1); /* the handler let go of stx */
	assert_int_equal(errh_err, ETIMEDOUT);

	/* reliable: nothing sent again, the missing ACK still reported */
	stx = new_stx(&t, INVITE_BR("z9hG4bK-inv3", "127.0.0.1:5070"), true);
	sip_stx_set_errh(stx, stx_err_h, stx);
	assert_int_equal(stx_reply(stx, 200, R200), 0);
	assert_int_equal(sip_stx_await_ack(stx), 0);
	tt_run(&t, 64000 + 32000);
	assert_int_equal(t.nsent, 15 + 1);
	assert_int_equal(errh_calls, 2);
	tt_close(&t);
}

static void test_transport_error_on_reply(void **state)
{
	struct tt t;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	stx = new_stx(&t, OPTIONS, false);
	t.send_err = ECONNRESET;
	assert_int_equal(stx_reply(stx, 200, R200), ECONNRESET);
	assert_false(sip_stx_alive(stx));
	assert_int_equal(stx_reply(stx, 200, R200), EPROTO);
	mem_deref(stx);
	tt_close(&t);
}

static void test_transport_error_on_timer_g(void **state)
{
	struct tt t;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	errh_calls = 0;
	stx = new_stx(&t, INVITE, false);
	sip_stx_set_errh(stx, stx_err_h, stx);
	assert_int_equal(stx_reply(stx, 486, R486), 0);
	t.send_err = EPIPE;
	tt_run(&t, 500);
	assert_int_equal(errh_calls, 1);
	assert_int_equal(errh_err, EPIPE);
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 0);
	tt_close(&t);
}

static void test_layer_close_with_live(void **state)
{
	struct tt t;
	struct sip_stx *a, *b;

	(void)state;
	tt_init(&t);
	a = new_stx(&t, INVITE, false);
	b = new_stx(&t, OPTIONS, false);
	mem_deref(new_stx(&t, REQ("BYE", "z9hG4bK-b", "h", "<x:y>"), false));
	assert_int_equal(stx_reply(a, 486, R486), 0);
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 3);
	sip_tsx_layer_close(t.layer);
	assert_int_equal(sip_tsx_layer_count(t.layer, true), 0);
	assert_false(sip_stx_alive(a));
	assert_int_equal(stx_reply(b, 200, R200), EPROTO);
	assert_int_equal(tt_run(&t, 60000), 0);
	mem_deref(a);
	mem_deref(b);
	tt_close(&t);
}

static void test_bad_input(void **state)
{
	struct tt t;
	struct sip_tsx_in in;
	struct sip_stx *stx;

	(void)state;
	tt_init(&t);
	assert_int_equal(
	    sip_tsx_recv_request(t.layer, NULL, t.dest, false, &in), EINVAL);
	assert_int_equal(sip_tsx_recv_request(t.layer,
					      tt_parse(&t, "SIP/2.0 200 OK\r\n"
							   "Via: SIP/2.0/UDP h;"
							   "branch=z9hG4bKx\r\n"
							   "\r\n"),
					      t.dest, false, &in),
			 EBADMSG);
	stx = new_stx(&t, OPTIONS, false);
	assert_int_equal(sip_stx_reply(stx, 99, (const uint8_t *)"x", 1),
			 EINVAL);
	assert_int_equal(sip_stx_reply(stx, 200, NULL, 0), EINVAL);
	mem_deref(stx);
	tt_close(&t);
}

static void test_alloc_failures(void **state)
{
	long n;

	(void)state;
	/* Every allocation of a new INVITE transaction may fail: no leak,
	 * and the layer stays usable. */
	for (n = 0; n < 16; n++) {
		struct tt t;
		struct sip_tsx_in in;
		int err;

		tt_init(&t);
		mem_fail_after(n);
		err = sip_tsx_recv_request(t.layer, tt_parse(&t, INVITE),
					   t.dest, false, &in);
		mem_fail_after(-1);
		assert_true(err == 0 || err == ENOMEM);
		if (!err)
			mem_deref(in.stx);
		tt_close(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_nonivite_retransmission),
	    SC_TEST(test_nonivite_provisional_resent),
	    SC_TEST(test_reliable_no_copy),
	    SC_TEST(test_timer_j),
	    SC_TEST(test_timer_j_reliable),
	    SC_TEST(test_auto_trying),
	    SC_TEST(test_via_params_hook),
	    SC_TEST(test_no_trying_when_answered),
	    SC_TEST(test_timer_g_until_ack_then_i),
	    SC_TEST(test_timer_h),
	    SC_TEST(test_reliable_no_g_i_zero),
	    SC_TEST(test_accepted_state),
	    SC_TEST(test_await_ack),
	    SC_TEST(test_transport_error_on_reply),
	    SC_TEST(test_transport_error_on_timer_g),
	    SC_TEST(test_layer_close_with_live),
	    SC_TEST(test_bad_input),
	    SC_TEST(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
