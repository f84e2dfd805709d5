/* test_tsx_client.c: client transactions (RFC 3261 §17.1, §9.1, RFC 6026). */
#include "tsx_client_testutil.h"

static void test_timer_a_and_b(void **state)
{
	static const uint64_t want[] = {0, 500, 1500, 3500, 7500, 15500, 31500};
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;
	size_t i;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, false, &s);
	/* Timer A: T1, 2*T1, 4*T1, ... with no cap (§17.1.1.2). */
	tt_run(&t, 32000 - 1);
	assert_int_equal(t.nsent, SC_ARRAY_SIZE(want));
	for (i = 0; i < SC_ARRAY_SIZE(want); i++) {
		assert_int_equal(t.sent[i].at, want[i]);
		assert_string_equal(t.sent[i].text, INVITE);
	}
	assert_int_equal(s.n, 0);
	/* Timer B = 64*T1: a synthetic 408. */
	tt_run(&t, 32000);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.scode, 408);
	assert_int_equal(s.err, ETIMEDOUT);
	assert_false(s.had_msg);
	assert_false(sip_ctx_alive(ctx));
	assert_int_equal(tt_run(&t, 100000), 0);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_timer_e_and_f(void **state)
{
	static const uint64_t want[] = {0,     500,   1500,  3500,  7500, 11500,
					15500, 19500, 23500, 27500, 31500};
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;
	size_t i;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, OPTIONS, false, &s);
	/* Timer E doubles from T1 and stays at T2 (§17.1.2.2). */
	tt_run(&t, 32000 - 1);
	assert_int_equal(t.nsent, SC_ARRAY_SIZE(want));
	for (i = 0; i < SC_ARRAY_SIZE(want); i++)
		assert_int_equal(t.sent[i].at, want[i]);
	assert_int_equal(s.n, 0);
	tt_run(&t, 32000); /* Timer F */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.scode, 408);
	assert_int_equal(sip_tsx_layer_count(t.layer, false), 0);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_timer_e_proceeding_t2(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, OPTIONS, false, &s);
	tt_run(&t, 100);
	assert_int_equal(
	    recv_resp(&t, RESP("100 Trying", "z9hG4bK-o1", "OPTIONS")), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.scode, 100);
	/* Proceeding: E keeps firing, every T2 after the running one. */
	tt_run(&t, 10000);
	assert_int_equal(t.nsent, 4);
	assert_int_equal(t.sent[1].at, 500);
	assert_int_equal(t.sent[2].at, 4500);
	assert_int_equal(t.sent[3].at, 8500);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_reliable_no_retransmissions(void **state)
{
	struct tt t;
	struct seen si, so;
	struct sip_ctx *inv, *opt;

	(void)state;
	tt_init(&t);
	inv = send_req(&t, INVITE, true, &si);
	opt = send_req(&t, OPTIONS, true, &so);
	assert_int_equal(tt_run(&t, 32000 - 1), 0);
	assert_int_equal(t.nsent, 2);
	tt_run(&t, 32000); /* B and F still bound the wait */
	assert_int_equal(si.scode, 408);
	assert_int_equal(so.scode, 408);
	mem_deref(inv);
	mem_deref(opt);
	tt_close(&t);
}

/* §17.1.4: a failed connection ends what still waits on it, at once. */
static void test_dest_failed(void **state)
{
	struct tt t;
	struct seen si, so;
	struct sip_ctx *inv, *opt;
	void *other = mem_zalloc(1, NULL);

	(void)state;
	assert_non_null(other);
	tt_init(&t);
	inv = send_req(&t, INVITE, true, &si);
	opt = send_req(&t, OPTIONS, true, &so);
	assert_int_equal(
	    recv_resp(&t, RESP("100 Trying", "z9hG4bK-o1", "OPTIONS")), 0);
	sip_tsx_dest_failed(t.layer, other, ECONNRESET);
	assert_int_equal(si.n, 0);
	sip_tsx_dest_failed(t.layer, t.dest, ECONNREFUSED);
	assert_int_equal(si.n, 1);
	assert_int_equal(si.scode, 503);
	assert_int_equal(si.err, ECONNREFUSED);
	assert_false(sip_ctx_alive(inv));
	/* the OPTIONS heard a 100: it waits for its final or Timer F */
	assert_int_equal(so.n, 1);
	assert_true(sip_ctx_alive(opt));
	tt_run(&t, 32000);
	assert_int_equal(so.scode, 408);
	mem_deref(inv);
	mem_deref(opt);
	mem_deref(other);
	tt_close(&t);
}

static void test_ack_for_non2xx(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;
	char buf[256];
	const char *ack;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, false, &s);
	tt_run(&t, 200);
	assert_int_equal(
	    recv_resp(&t, RESP("486 Busy Here", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.scode, 486);
	assert_true(s.had_msg);
	assert_int_equal(t.nsent, 2);
	ack = t.sent[1].text;
	/* §17.1.1.3: same Request-URI, top Via, From, Call-ID, Route; To of
	 * the response; CSeq number with ACK. */
	assert_int_equal(
	    strncmp(ack, "ACK sip:bob@127.0.0.1:5060 SIP/2.0\r\n", 36), 0);
	assert_string_equal(tt_hdr(ack, "Via", buf, sizeof(buf)),
			    "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-c1;"
			    "rport");
	assert_string_equal(tt_hdr(ack, "From", buf, sizeof(buf)),
			    "\"Alice\" <sip:alice@127.0.0.1>;tag=a1");
	assert_string_equal(tt_hdr(ack, "To", buf, sizeof(buf)),
			    "<sip:bob@127.0.0.1>;tag=b9");
	assert_string_equal(tt_hdr(ack, "Call-ID", buf, sizeof(buf)),
			    "c1@127.0.0.1");
	assert_string_equal(tt_hdr(ack, "CSeq", buf, sizeof(buf)), "7 ACK");
	assert_non_null(strstr(ack, "Route: <sip:p1.example;lr>\r\n"
				    "Route: <sip:p2.example;lr>\r\n"));
	assert_null(tt_hdr(ack, "Contact", buf, sizeof(buf)));
	/* A retransmitted final is ACKed again, not passed up. */
	assert_int_equal(
	    recv_resp(&t, RESP("486 Busy Here", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(t.nsent, 3);
	assert_string_equal(t.sent[2].text, ack);
	assert_int_equal(tt_run(&t, 200 + 10000), 0); /* no Timer A now */
	mem_deref(ctx);
	tt_close(&t);
}

static void test_timer_d(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, false, &s);
	assert_int_equal(
	    recv_resp(&t, RESP("404 Not Found", "z9hG4bK-c1", "INVITE")), 0);
	tt_run(&t, 32000 - 1);
	assert_true(sip_ctx_alive(ctx));
	tt_run(&t, 32000);
	assert_false(sip_ctx_alive(ctx));
	mem_deref(ctx);
	/* Reliable: D = 0. */
	ctx = send_req(&t, INVITE, true, &s);
	assert_int_equal(
	    recv_resp(&t, RESP("404 Not Found", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(s.scode, 404);
	assert_false(sip_ctx_alive(ctx));
	mem_deref(ctx);
	tt_close(&t);
}

static void test_timer_k(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, OPTIONS, false, &s);
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-o1", "OPTIONS")),
			 0);
	assert_int_equal(s.n, 1);
	/* Completed absorbs retransmitted finals for T4. */
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-o1", "OPTIONS")),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(tt_run(&t, 5000 - 1), 0);
	assert_true(sip_ctx_alive(ctx));
	tt_run(&t, 5000);
	assert_false(sip_ctx_alive(ctx));
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-o1", "OPTIONS")),
			 ENOENT);
	mem_deref(ctx);
	/* Reliable: K = 0. */
	ctx = send_req(&t, OPTIONS, true, &s);
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-o1", "OPTIONS")),
			 0);
	assert_false(sip_ctx_alive(ctx));
	mem_deref(ctx);
	tt_close(&t);
}

static void test_accepted_timer_m(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, false, &s);
	assert_int_equal(
	    recv_resp(&t, RESP("180 Ringing", "z9hG4bK-c1", "INVITE")), 0);
	tt_run(&t, 1000);
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-c1", "INVITE")),
			 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.scode, 200);
	/* RFC 6026 §8.4: further 2xx go to the TU; the layer sends no ACK. */
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-c1", "INVITE")),
			 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(
	    recv_resp(&t, RESP("486 Busy", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(t.nsent, 1);
	/* Timer M = 64*T1 from the first 2xx. */
	tt_run(&t, 1000 + 32000 - 1);
	assert_true(sip_ctx_alive(ctx));
	tt_run(&t, 1000 + 32000);
	assert_false(sip_ctx_alive(ctx));
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-c1", "INVITE")),
			 ENOENT);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_stray_responses(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-c1", "INVITE")),
			 ENOENT);
	ctx = send_req(&t, INVITE, false, &s);
	/* §17.1.3: the CSeq method must match too. */
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-c1", "BYE")),
			 ENOENT);
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-c2", "INVITE")),
			 ENOENT);
	assert_int_equal(recv_resp(&t, RESP("200 OK", "z9hG4bK-C1", "INVITE")),
			 ENOENT);
	assert_int_equal(s.n, 0);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_transport_error_503(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	/* On the first send... */
	t.send_err = ECONNREFUSED;
	ctx = send_req(&t, OPTIONS, false, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.scode, 503);
	assert_int_equal(s.err, ECONNREFUSED);
	assert_false(sip_ctx_alive(ctx));
	mem_deref(ctx);
	/* ...and on a retransmission. */
	t.send_err = 0;
	ctx = send_req(&t, INVITE, false, &s);
	t.send_err = EHOSTUNREACH;
	tt_run(&t, 500);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.scode, 503);
	assert_int_equal(s.err, EHOSTUNREACH);
	assert_int_equal(sip_tsx_layer_count(t.layer, false), 0);
	tt_run(&t, 40000);
	assert_int_equal(s.n, 1);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_custom_timers(void **state)
{
	static const uint64_t want[] = {0, 100, 300, 700, 1100, 1500};
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;
	size_t i;

	(void)state;
	tt_init(&t);
	assert_int_equal(sip_tsx_layer_set_timers(t.layer, 0, 400, 500),
			 EINVAL);
	assert_int_equal(sip_tsx_layer_set_timers(t.layer, 100, 50, 500),
			 EINVAL);
	assert_int_equal(sip_tsx_layer_set_timers(t.layer, 100, 400, 500), 0);
	ctx = send_req(&t, OPTIONS, false, &s);
	tt_run(&t, 1500);
	assert_int_equal(t.nsent, SC_ARRAY_SIZE(want));
	for (i = 0; i < SC_ARRAY_SIZE(want); i++)
		assert_int_equal(t.sent[i].at, want[i]);
	tt_run(&t, 64 * 100 - 1); /* F = 64*T1 */
	assert_int_equal(s.n, 0);
	tt_run(&t, 64 * 100);
	assert_int_equal(s.scode, 408);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_duplicate_and_bad_requests(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx, *dup = NULL;
	const char ack[] = "ACK sip:b@h SIP/2.0\r\n"
			   "Via: SIP/2.0/UDP h;branch=z9hG4bK-a\r\n"
			   "CSeq: 1 ACK\r\n\r\n";
	const char old[] = "BYE sip:b@h SIP/2.0\r\n"
			   "Via: SIP/2.0/UDP h;branch=123\r\n"
			   "CSeq: 1 BYE\r\n\r\n";

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, OPTIONS, false, &s);
	assert_int_equal(sip_ctx_send(&dup, t.layer, tt_parse(&t, OPTIONS),
				      (const uint8_t *)OPTIONS, strlen(OPTIONS),
				      t.dest, false, resp_h, &s),
			 EEXIST);
	assert_null(dup);
	assert_int_equal(sip_ctx_send(&dup, t.layer, tt_parse(&t, ack),
				      (const uint8_t *)ack, strlen(ack), t.dest,
				      false, resp_h, &s),
			 EINVAL);
	assert_int_equal(sip_ctx_send(&dup, t.layer, tt_parse(&t, old),
				      (const uint8_t *)old, strlen(old), t.dest,
				      false, resp_h, &s),
			 EINVAL);
	/* Over the cap on live client transactions. */
	assert_int_equal(sip_tsx_layer_set_max(t.layer, 1), 0);
	assert_int_equal(sip_ctx_send(&dup, t.layer, tt_parse(&t, INVITE),
				      (const uint8_t *)INVITE, strlen(INVITE),
				      t.dest, false, resp_h, &s),
			 EOVERFLOW);
	assert_null(dup);
	assert_int_equal(t.nsent, 1);
	mem_deref(ctx);
	tt_close(&t);
}

static void test_handler_drops_last_reference(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, false, &s);
	s.drop = ctx; /* the TU lets go in the callback of the final */
	assert_int_equal(
	    recv_resp(&t, RESP("486 Busy Here", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(s.n, 1);
	assert_null(s.drop);
	tt_run(&t, 40000); /* Timer D ends it with the table's reference */
	assert_int_equal(sip_tsx_layer_count(t.layer, false), 0);
	tt_close(&t);
}

static void test_handler_closes_layer(void **state)
{
	struct tt t;
	struct seen s;
	struct sip_ctx *ctx;

	(void)state;
	tt_init(&t);
	ctx = send_req(&t, INVITE, false, &s);
	s.close = &t;
	assert_int_equal(
	    recv_resp(&t, RESP("180 Ringing", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(s.n, 1);
	assert_false(sip_ctx_alive(ctx));
	mem_deref(ctx);
	tt_close(&t);
}

static void test_layer_close_with_live(void **state)
{
	struct tt t;
	struct seen a, b, c;
	struct sip_ctx *inv, *opt;
	static const char BYE[] = "BYE sip:b@h SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP h;branch=z9hG4bK-bye\r\n"
				  "To: <sip:b@h>\r\n"
				  "CSeq: 2 BYE\r\n\r\n";

	(void)state;
	tt_init(&t);
	inv = send_req(&t, INVITE, false, &a);
	opt = send_req(&t, OPTIONS, false, &b);
	memset(&c, 0, sizeof(c));
	/* One the TU keeps no reference to. */
	assert_int_equal(sip_ctx_send(NULL, t.layer, tt_parse(&t, BYE),
				      (const uint8_t *)BYE, strlen(BYE), t.dest,
				      false, resp_h, &c),
			 0);
	assert_int_equal(
	    recv_resp(&t, RESP("180 Ringing", "z9hG4bK-c1", "INVITE")), 0);
	assert_int_equal(sip_ctx_cancel(inv), 0);
	assert_int_equal(sip_tsx_layer_count(t.layer, false), 4);
	sip_tsx_layer_close(t.layer);
	assert_int_equal(sip_tsx_layer_count(t.layer, false), 0);
	tt_run(&t, 100000);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n + c.n, 0);
	assert_int_equal(sip_ctx_cancel(inv), EPROTO);
	mem_deref(inv);
	mem_deref(opt);
	tt_close(&t);
}

static void test_alloc_failures(void **state)
{
	long n;

	(void)state;
	for (n = 0; n < 24; n++) {
		struct tt t;
		struct seen s;
		struct sip_ctx *ctx = NULL;
		int err;

		tt_init(&t);
		memset(&s, 0, sizeof(s));
		mem_fail_after(n);
		err = sip_ctx_send(&ctx, t.layer, tt_parse(&t, INVITE),
				   (const uint8_t *)INVITE, strlen(INVITE),
				   t.dest, false, resp_h, &s);
		mem_fail_after(-1);
		assert_true(err == 0 || err == ENOMEM);
		assert_true(err || ctx);
		mem_deref(ctx);
		tt_close(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_timer_a_and_b),
	    SC_TEST(test_timer_e_and_f),
	    SC_TEST(test_timer_e_proceeding_t2),
	    SC_TEST(test_reliable_no_retransmissions),
	    SC_TEST(test_ack_for_non2xx),
	    SC_TEST(test_timer_d),
	    SC_TEST(test_timer_k),
	    SC_TEST(test_accepted_timer_m),
	    SC_TEST(test_stray_responses),
	    SC_TEST(test_transport_error_503),
	    SC_TEST(test_custom_timers),
	    SC_TEST(test_duplicate_and_bad_requests),
	    SC_TEST(test_handler_drops_last_reference),
	    SC_TEST(test_handler_closes_layer),
	    SC_TEST(test_layer_close_with_live),
	    SC_TEST(test_alloc_failures),
	    SC_TEST(test_dest_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
