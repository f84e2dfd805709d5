/* test_net.c: socket addresses, the libuv timer binding and the resolver. */
#include <errno.h>
#include <string.h>

#include "testutil.h"

#include "net/net.h"

static void test_sa_v4(void **state)
{
	char buf[SA_STR_MAX];
	struct sa sa;

	(void)state;
	assert_int_equal(sa_set(&sa, "192.0.2.1", 5060), 0);
	assert_int_equal(sa_family(&sa), AF_INET);
	assert_int_equal(sa_port(&sa), 5060);
	assert_int_equal(sa_len(&sa), sizeof(struct sockaddr_in));
	assert_int_equal(sa_str(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.0.2.1:5060");
	assert_int_equal(sa_ntop(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.0.2.1");
	assert_false(sa_is_any(&sa));
	assert_false(sa_is_loopback(&sa));
	sa_set_port(&sa, 5061);
	assert_int_equal(sa_port(&sa), 5061);

	assert_int_equal(sa_decode(&sa, "10.1.2.3:65535xx", 14), 0);
	assert_int_equal(sa_port(&sa), 65535);
	assert_int_equal(sa_ntop(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.1.2.3");
	assert_int_equal(sa_decode(&sa, "10.1.2.3", 8), 0);
	assert_int_equal(sa_port(&sa), 0);
	assert_int_equal(sa_set(&sa, "0.0.0.0", 0), 0);
	assert_true(sa_is_any(&sa));
	assert_false(sa_is_loopback(&sa));
	assert_int_equal(sa_set(&sa, "127.0.0.3", 0), 0);
	assert_true(sa_is_loopback(&sa));
	/* too small a buffer */
	assert_int_equal(sa_set(&sa, "192.0.2.1", 5060), 0);
	assert_int_equal(sa_str(&sa, buf, 9), EOVERFLOW);
	assert_int_equal(sa_ntop(&sa, buf, 9), EOVERFLOW);
}

static void test_sa_v6(void **state)
{
	char buf[SA_STR_MAX];
	struct sa sa, sb;

	(void)state;
	assert_int_equal(sa_decode(&sa, "[::1]:5060", 10), 0);
	assert_int_equal(sa_family(&sa), AF_INET6);
	assert_int_equal(sa_port(&sa), 5060);
	assert_int_equal(sa_str(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[::1]:5060");
	assert_int_equal(sa_ntop(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "::1");
	assert_true(sa_is_loopback(&sa));

	assert_int_equal(sa_set(&sb, "[::1]", 5060), 0);
	assert_true(sa_cmp(&sa, &sb));
	assert_int_equal(sa_set(&sb, "::1", 5061), 0);
	assert_false(sa_cmp(&sa, &sb));
	assert_true(sa_cmp_addr(&sa, &sb));
	/* A bare IPv6 address has no port. */
	assert_int_equal(sa_decode(&sa, "2001:db8::1", 11), 0);
	assert_int_equal(sa_port(&sa), 0);
	assert_int_equal(sa_decode(&sa, "[2001:db8::1]", 13), 0);
	assert_int_equal(sa_set(&sa, "::", 0), 0);
	assert_true(sa_is_any(&sa));
	assert_false(sa_is_loopback(&sa));
	assert_int_equal(sa_set(&sa, "2001:db8:0:0:0:0:0:1", 1), 0);
	assert_int_equal(sa_str(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[2001:db8::1]:1");
}

static void test_sa_bad(void **state)
{
	static const char *const bad[] = {
	    "",           "1.2.3.4:",       "1.2.3.4:65536",
	    "1.2.3.4:-1", "1.2.3:5060",     "[::1]5060",
	    "[::1",       "::1]:5060",      "[1.2.3.4]:1",
	    "host:5060",  "1.2.3.4:50 60",  "[]:5060",
	    ":5060",      "1.2.3.4:123456", "256.1.1.1",
	    "[::1]:",
	};
	struct sa sa;
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		if (sa_decode(&sa, bad[i], strlen(bad[i])) != EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(sa_set(&sa, "example.com", 1), EINVAL);
	assert_int_equal(sa_set(&sa, NULL, 1), EINVAL);
	/* never reads past len: "1.2.3.4" cut before the last digit */
	assert_int_equal(sa_decode(&sa, "1.2.3.45", 6), EINVAL);
	sa_init(&sa, AF_UNSPEC);
	assert_false(sa_isset(&sa));
	assert_int_equal(sa_len(&sa), 0);
	assert_int_equal(sa_ntop(&sa, (char[8]){0}, 8), EINVAL);
}

static void test_sa_sockaddr_hash(void **state)
{
	struct sockaddr_in in;
	struct sa a, b;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(5080);
	in.sin_addr.s_addr = htonl(0x7f000001);
	assert_int_equal(sa_set_sockaddr(&a, (struct sockaddr *)&in), 0);
	assert_int_equal(sa_set(&b, "127.0.0.1", 5080), 0);
	assert_true(sa_cmp(&a, &b));
	assert_int_equal(sa_hash(&a, true), sa_hash(&b, true));
	assert_memory_equal(sa_sockaddr(&a), &in, sizeof(in));
	sa_set_port(&b, 5081);
	assert_int_equal(sa_hash(&a, false), sa_hash(&b, false));
	assert_int_not_equal(sa_hash(&a, true), sa_hash(&b, true));
	/* IPv4-mapped IPv6 unmaps; others copy */
	assert_int_equal(sa_set(&b, "::ffff:192.0.2.7", 5060), 0);
	sa_unmap(&a, &b);
	assert_int_equal(sa_family(&a), AF_INET);
	assert_int_equal(sa_port(&a), 5060);
	assert_int_equal(sa_set(&b, "192.0.2.7", 5060), 0);
	assert_true(sa_cmp(&a, &b));
	assert_int_equal(sa_set(&b, "2001:db8::7", 1), 0);
	sa_unmap(&a, &b);
	assert_true(sa_cmp(&a, &b));
	in.sin_family = AF_UNIX;
	assert_int_equal(sa_set_sockaddr(&a, (struct sockaddr *)&in),
	                 EAFNOSUPPORT);
}

struct tstate {
	struct tmrl *tl;
	uint64_t start;
	uv_loop_t *loop;
	int order[4];
	int n;
	uint64_t at[4];
	struct tmr t1, t2, t3;
};

static void fire(struct tstate *ts, int id)
{
	ts->at[ts->n] = net_now_ms(ts->loop) - ts->start;
	ts->order[ts->n++] = id;
}

static void on_t3(void *arg)
{
	fire(arg, 3);
}

static void on_t1(void *arg)
{
	struct tstate *ts = arg;

	fire(ts, 1);
	/* started from a handler: must still be honoured */
	tmr_start(&ts->t3, ts->tl, 15, on_t3, ts);
}

static void on_t2(void *arg)
{
	fire(arg, 2);
}

static void test_timers_loop(void **state)
{
	struct net_timers *nt = NULL;
	struct tstate ts;
	uv_loop_t loop;

	(void)state;
	memset(&ts, 0, sizeof(ts));
	assert_int_equal(uv_loop_init(&loop), 0);
	ts.loop = &loop;
	ts.start = net_now_ms(&loop);
	assert_int_equal(tmrl_alloc(&ts.tl, ts.start), 0);
	assert_int_equal(net_timers_alloc(&nt, &loop, ts.tl), 0);
	tmr_init(&ts.t1);
	tmr_init(&ts.t2);
	tmr_init(&ts.t3);
	assert_int_equal(tmr_start(&ts.t2, ts.tl, 200, on_t2, &ts), 0);
	assert_int_equal(tmr_start(&ts.t1, ts.tl, 10, on_t1, &ts), 0);

	/* Bounded: stop once nothing is pending or after 2 s. */
	while (tmrl_count(ts.tl) && net_now_ms(&loop) - ts.start < 2000)
		uv_run(&loop, UV_RUN_ONCE);
	assert_int_equal(tmrl_count(ts.tl), 0);
	assert_int_equal(ts.n, 3);
	assert_int_equal(ts.order[0], 1);
	assert_true(ts.at[0] >= 10);
	assert_int_equal(ts.order[1], 3); /* 10 + 15 = 25 < 200 */
	assert_true(ts.at[1] >= 25);
	assert_int_equal(ts.order[2], 2);
	assert_true(ts.at[2] >= 200 && ts.at[2] < 2000);

	net_timers_close(nt);
	net_timers_close(nt); /* idempotent */
	mem_deref(nt);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	mem_deref(ts.tl);
}

struct rstate {
	int calls;
	int err;
	struct sa first;
	size_t n;
};

static void on_resolved(int err, const struct sa *addrv, size_t addrc,
                        void *arg)
{
	struct rstate *rs = arg;

	rs->calls++;
	rs->err = err;
	rs->n = addrc;
	if (addrc)
		rs->first = addrv[0];
}

static void test_resolve(void **state)
{
	struct net_resolv *r = NULL, *r2 = NULL;
	struct rstate rs, rs2;
	char buf[SA_STR_MAX];
	uv_loop_t loop;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	memset(&rs2, 0, sizeof(rs2));
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(
	    net_resolve(&r, &loop, "127.0.0.1", 5060, on_resolved, &rs), 0);
	assert_int_equal(
	    net_resolve(&r2, &loop, "localhost", 5060, on_resolved, &rs2), 0);
	net_resolv_cancel(r2);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(rs.calls, 1);
	assert_int_equal(rs.err, 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(sa_str(&rs.first, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "127.0.0.1:5060");
	assert_int_equal(rs2.calls, 0); /* cancelled: never called */
	mem_deref(r);
	mem_deref(r2);
	assert_int_equal(net_resolve(&r, &loop, "", 1, on_resolved, &rs),
	                 EINVAL);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_sa_v4),       SC_TEST(test_sa_v6),
	    SC_TEST(test_sa_bad),      SC_TEST(test_sa_sockaddr_hash),
	    SC_TEST(test_timers_loop), SC_TEST(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
