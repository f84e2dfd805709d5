/* test_dtls_fail.c: what goes wrong: wrong or late fingerprints
 * (RFC 8122), lost flights and retransmission on the caller's clock
 * (RFC 6347 section 4.2.4), giving up, garbage datagrams, a=fingerprint
 * parsing. */
#include <stdlib.h>
#include <time.h>

#include "dtls_pair.h"

struct fixture {
	struct dtls_ctx *ca, *cb, *cc; /* cc: a third party */
	struct side *a, *b;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	sc_test_setup(state);
	if (!f || dtls_ctx_alloc(&f->ca) || dtls_ctx_alloc(&f->cb) ||
	    dtls_ctx_alloc(&f->cc))
		return -1;
	f->a = calloc(1, sizeof(*f->a));
	f->b = calloc(1, sizeof(*f->b));
	*state = f;
	return f->a && f->b ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mem_deref(f->a->dc);
	mem_deref(f->b->dc);
	mem_deref(f->ca);
	mem_deref(f->cb);
	mem_deref(f->cc);
	free(f->a);
	free(f->b);
	free(f);
	return sc_test_teardown(state);
}

static void test_wrong_fp_client(void **state)
{
	struct fixture *f = *state;

	side_alloc(f->a, f->ca, true, dtls_ctx_fingerprint(f->cc));
	side_alloc(f->b, f->cb, false, dtls_ctx_fingerprint(f->ca));
	assert_int_equal(dtls_conn_start(f->a->dc, 0), 0);
	pump(f->a, f->b, 1);
	assert_int_equal(f->a->estabs + f->b->estabs, 0);
	assert_int_equal(f->a->closes, 1);
	assert_int_equal(f->a->close_err, EACCES);
	assert_non_null(strstr(f->a->reason, "fingerprint"));
	/* The server heard our alert. */
	assert_int_equal(f->b->closes, 1);
	assert_int_equal(f->b->close_err, EPROTO);
	assert_int_equal(dtls_conn_tick(f->a->dc, 5000), EPROTO);
	assert_int_equal(dtls_conn_timeout(f->a->dc), 0);
}

static void test_wrong_fp_server(void **state)
{
	struct fixture *f = *state;
	char fp[DTLS_FP_STR_MAX];

	/* Right bytes under another hash: still a mismatch. */
	snprintf(fp, sizeof(fp), "sha-1 %.59s",
		 dtls_ctx_fingerprint(f->ca) + 8);
	side_alloc(f->a, f->ca, true, dtls_ctx_fingerprint(f->cb));
	side_alloc(f->b, f->cb, false, fp);
	assert_int_equal(dtls_conn_start(f->a->dc, 0), 0);
	pump(f->a, f->b, 1);
	assert_int_equal(f->a->estabs + f->b->estabs, 0);
	assert_int_equal(f->b->closes, 1);
	assert_int_equal(f->b->close_err, EACCES);
	assert_int_equal(f->a->closes, 1);
	assert_false(dtls_conn_established(f->b->dc));
}

/* We offered (the answer with the peer's fingerprint is late): the
 * handshake runs, the keys wait for the fingerprint. */
static void test_late_fp(void **state)
{
	struct fixture *f = *state;

	side_alloc(f->a, f->ca, true, dtls_ctx_fingerprint(f->cb));
	side_alloc(f->b, f->cb, false, NULL);
	assert_int_equal(dtls_conn_start(f->a->dc, 100), 0);
	pump(f->a, f->b, 100);
	assert_int_equal(f->a->estabs, 1);
	assert_int_equal(f->b->estabs, 0);
	assert_false(dtls_conn_established(f->b->dc));
	assert_int_equal(dtls_conn_timeout(f->b->dc),
			 100 + DTLS_HANDSHAKE_MAX_MS);
	assert_int_equal(dtls_conn_tick(f->b->dc, 200), 0);
	assert_int_equal(dtls_conn_set_remote_fp(f->b->dc, "sha-256 zz"),
			 EBADMSG);
	assert_int_equal(
	    dtls_conn_set_remote_fp(f->b->dc, dtls_ctx_fingerprint(f->ca)), 0);
	assert_keys_crosswise(f->a, f->b);
	assert_int_equal(
	    dtls_conn_set_remote_fp(f->b->dc, dtls_ctx_fingerprint(f->ca)),
	    EPROTO);
}

static void test_late_fp_wrong(void **state)
{
	struct fixture *f = *state;

	pair(f->a, f->b, f->ca, f->cb);
	mem_deref(f->b->dc);
	side_alloc(f->b, f->cb, false, NULL);
	assert_int_equal(dtls_conn_start(f->a->dc, 0), 0);
	pump(f->a, f->b, 0);
	assert_int_equal(
	    dtls_conn_set_remote_fp(f->b->dc, dtls_ctx_fingerprint(f->cc)),
	    EACCES);
	assert_int_equal(f->b->closes, 1);
	assert_int_equal(f->b->close_err, EACCES);
	assert_int_equal(f->b->estabs, 0);
}

static void test_late_fp_never(void **state)
{
	struct fixture *f = *state;

	side_alloc(f->a, f->ca, true, dtls_ctx_fingerprint(f->cb));
	side_alloc(f->b, f->cb, false, NULL);
	assert_int_equal(dtls_conn_start(f->a->dc, 0), 0);
	pump(f->a, f->b, 0);
	assert_int_equal(dtls_conn_tick(f->b->dc, DTLS_HANDSHAKE_MAX_MS),
			 ETIMEDOUT);
	assert_int_equal(f->b->close_err, ETIMEDOUT);
}

/* The ClientHello is lost; time driven by hand. OpenSSL's wall clock has
 * not moved, so the flight goes out again as it was. */
static void test_lost_client_hello(void **state)
{
	struct fixture *f = *state;

	pair(f->a, f->b, f->ca, f->cb);
	f->a->drop = 1;
	assert_int_equal(dtls_conn_start(f->a->dc, 1000), 0);
	assert_int_equal(f->a->sent, 1);
	assert_int_equal(f->a->qn, 0);
	assert_int_equal(dtls_conn_timeout(f->a->dc), 2000);
	assert_int_equal(dtls_conn_tick(f->a->dc, 1999), 0);
	assert_int_equal(f->a->sent, 1);
	assert_int_equal(dtls_conn_tick(f->a->dc, 2000), 0);
	assert_int_equal(f->a->sent, 2);
	assert_int_equal(f->a->qn, 1);
	assert_int_equal(f->a->qlen[0], f->a->first_len);
	assert_memory_equal(f->a->q[0], f->a->first, f->a->first_len);
	assert_int_equal(dtls_conn_timeout(f->a->dc), 4000); /* doubled */
	pump(f->a, f->b, 2001);
	assert_keys_crosswise(f->a, f->b);
}

/* The server's first flight is lost: the server resends it. */
static void test_lost_server_flight(void **state)
{
	struct fixture *f = *state;

	pair(f->a, f->b, f->ca, f->cb);
	assert_int_equal(dtls_conn_start(f->a->dc, 0), 0);
	f->b->drop = 100;
	deliver(f->a, f->b, 10);
	assert_true(f->b->sent >= 1);
	f->b->drop = 0;
	assert_int_equal(dtls_conn_timeout(f->b->dc), 1010);
	assert_int_equal(dtls_conn_tick(f->b->dc, 1010), 0);
	assert_true(f->b->qn >= 1);
	pump(f->a, f->b, 1011);
	assert_keys_crosswise(f->a, f->b);
}

/* Nobody answers: 7 transmissions at 0, 1, 3, 7, 13, 19, 25 s, then the
 * handshake gives up at 30 s. */
static void test_give_up(void **state)
{
	static const uint64_t when[] = {0,     1000,  3000, 7000,
					13000, 19000, 25000};
	struct fixture *f = *state;
	uint64_t t = 0;
	size_t sends = 0;
	int rounds = 0;

	pair(f->a, f->b, f->ca, f->cb);
	assert_int_equal(dtls_conn_start(f->a->dc, 0), 0);
	while (!f->a->closes) {
		if (f->a->sent > sends) {
			assert_true(sends < SC_ARRAY_SIZE(when));
			assert_int_equal(t, when[sends]);
			sends = f->a->sent;
		}
		f->a->qn = 0;
		t = dtls_conn_timeout(f->a->dc);
		assert_true(t > 0);
		dtls_conn_tick(f->a->dc, t);
		assert_true(++rounds < 20);
	}
	assert_int_equal(sends, DTLS_TRIES_MAX);
	assert_int_equal(t, DTLS_HANDSHAKE_MAX_MS);
	assert_int_equal(f->a->close_err, ETIMEDOUT);
	assert_int_equal(dtls_conn_timeout(f->a->dc), 0);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

/* On a real clock OpenSSL retransmits itself, with fresh record sequence
 * numbers: a lost ClientHello, then a lost last flight of the server,
 * which only a fresh copy of the client's flight brings back (the server
 * would drop a verbatim copy as a replay). */
static void test_real_clock(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dtls_ctx_set_rto(f->ca, 30), 0);
	assert_int_equal(dtls_ctx_set_rto(f->cb, 30), 0);
	pair(f->a, f->b, f->ca, f->cb);
	f->a->drop = 1;
	assert_int_equal(dtls_conn_start(f->a->dc, mono_ms()), 0);
	sleep_ms(60);
	assert_int_equal(dtls_conn_tick(f->a->dc, mono_ms()), 0);
	assert_int_equal(f->a->qn, 1);
	/* Same ClientHello, new record sequence number (bytes 5..10). */
	assert_memory_equal(f->a->q[0], f->a->first, 3);
	assert_memory_not_equal(f->a->q[0] + 5, f->a->first + 5, 6);

	deliver(f->a, f->b, mono_ms()); /* ClientHello */
	deliver(f->b, f->a, mono_ms()); /* server's flight */
	f->b->drop = 100;
	deliver(f->a, f->b, mono_ms()); /* client's last flight */
	assert_int_equal(f->b->estabs, 1);
	f->b->drop = 0;
	assert_int_equal(f->a->estabs, 0);
	sleep_ms(60);
	assert_int_equal(dtls_conn_tick(f->a->dc, mono_ms()), 0);
	assert_true(f->a->qn >= 1);
	pump(f->a, f->b, mono_ms());
	assert_keys_crosswise(f->a, f->b);
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random datagrams, some shaped like DTLS 1.2 handshake records, to a
 * server and to an established pair: never a crash, only the documented
 * answers; an established pair stays up (bad records are dropped). */
static void test_garbage(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[600];
	uint32_t seed = 0x2545f491;
	int i, failures = 0;

	side_alloc(f->b, f->cb, false, dtls_ctx_fingerprint(f->ca));
	for (i = 0; i < 3000; i++) {
		size_t len = 1 + xorshift(&seed) % sizeof(buf), j;
		int err;

		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		if (i % 2 && len > 13) {
			buf[0] = 22; /* handshake, DTLS 1.2, epoch 0 */
			buf[1] = 0xfe;
			buf[2] = 0xfd;
			buf[3] = buf[4] = 0;
			buf[11] = (uint8_t)((len - 13) >> 8);
			buf[12] = (uint8_t)(len - 13);
			if (i % 4 == 1)
				buf[13] = 1; /* ClientHello */
		}
		err = dtls_conn_recv(f->b->dc, buf, len, (uint64_t)i);
		assert_true(err == 0 || err == EBADMSG || err == EPROTO);
		if (buf[0] < 20 || buf[0] > 63)
			assert_int_equal(err, EBADMSG);
		if (err == EPROTO) {
			failures++;
			mem_deref(f->b->dc);
			side_alloc(f->b, f->cb, false,
				   dtls_ctx_fingerprint(f->ca));
		}
		dtls_conn_tick(f->b->dc, (uint64_t)i);
		f->b->qn = 0;
	}
	assert_int_equal(f->b->estabs, 0);
	mem_deref(f->b->dc);

	pair(f->a, f->b, f->ca, f->cb);
	assert_int_equal(dtls_conn_start(f->a->dc, 0), 0);
	pump(f->a, f->b, 0);
	for (i = 0; i < 500; i++) {
		size_t len = 14 + xorshift(&seed) % 200, j;

		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		buf[0] = (uint8_t)(20 + i % 4); /* CCS, alert, hs, data */
		buf[1] = 0xfe;
		buf[2] = 0xfd;
		buf[3] = 0;
		buf[4] = (uint8_t)(i % 3); /* epochs 0..2 */
		buf[11] = (uint8_t)((len - 13) >> 8);
		buf[12] = (uint8_t)(len - 13);
		assert_int_equal(dtls_conn_recv(f->b->dc, buf, len, 1), 0);
	}
	assert_true(dtls_conn_established(f->b->dc));
	assert_int_equal(f->b->closes, 0);
	assert_int_equal(dtls_conn_dropped(f->b->dc), 0);
	(void)failures;
}

static void test_fp_parse(void **state)
{
	static const char fp256[] =
	    "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:"
	    "7C:AB:3A:4B:4C:51:FB:2A:FC:B1:A6:B9:41:9F";
	uint8_t fp[DTLS_FP_MAX], small[20];
	char buf[256];
	size_t len;

	(void)state;
	len = sizeof(fp);
	assert_int_equal(dtls_fp_parse(fp, &len, fp256), 0);
	assert_int_equal(len, 32);
	assert_int_equal(fp[0], 0x4a);
	assert_int_equal(fp[31], 0x9f);
	/* Hash names are case-insensitive, hex of either case, trailing
	 * white space (an SDP line end) allowed. */
	snprintf(buf, sizeof(buf), "SHA-256 %s \r\n", fp256 + 8);
	for (char *p = buf + 8; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	len = sizeof(fp);
	assert_int_equal(dtls_fp_parse(fp, &len, buf), 0);
	assert_int_equal(fp[1], 0xad);
	len = sizeof(fp);
	assert_int_equal(dtls_fp_parse(fp, &len,
				       "sha-1 00:11:22:33:44:55:66:77:88:99:"
				       "AA:BB:CC:DD:EE:FF:00:11:22:33"),
			 0);
	assert_int_equal(len, 20);
	len = sizeof(small);
	assert_int_equal(dtls_fp_parse(small, &len, fp256), EOVERFLOW);

	static const char *const bad[] = {
	    "",
	    "sha-256",
	    "sha-256 ",
	    "md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
	    "sha-256 4A:AD", /* too short */
	    "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:"
	    "33:44", /* too long */
	    "sha-1 00-11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
	    "sha-1 0G:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
	    "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:3",
	    "sha-1 "
	    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33x",
	    "sha-2560 00",
	    "sha-256-and-then-some-more 00",
	};
	for (size_t i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		len = sizeof(fp);
		assert_int_equal(dtls_fp_parse(fp, &len, bad[i]), EBADMSG);
	}
	assert_int_equal(dtls_fp_parse(NULL, &len, fp256), EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_wrong_fp_client),
	    T(test_wrong_fp_server),
	    T(test_late_fp),
	    T(test_late_fp_wrong),
	    T(test_late_fp_never),
	    T(test_lost_client_hello),
	    T(test_lost_server_flight),
	    T(test_give_up),
	    T(test_real_clock),
	    T(test_garbage),
	    SC_TEST(test_fp_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
