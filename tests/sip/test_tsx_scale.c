/* test_tsx_scale.c: tens of thousands of live transactions (RFC 3261 §17):
 * every one still matched, timed out and freed; prints the time taken. */
#include <stdio.h>
#include <time.h>

#include "tsx_testutil.h"

#define SCALE_N 20000

/* A transport that counts instead of recording. */
static int count_send_h(void *dest, const uint8_t *data, size_t len, void *arg)
{
	size_t *n = arg;

	(void)dest;
	(void)data;
	(void)len;
	(*n)++;
	return 0;
}

static void resp_h(int err, uint16_t scode, const struct sip_msg *msg,
		   void *arg)
{
	size_t *n = arg;

	(void)err;
	(void)msg;
	if (scode >= 200)
		(*n)++;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One request of number i, written into buf; decoded into msg. */
static void make_req(char *buf, size_t size, struct sip_msg *msg,
		     const char *method, unsigned i)
{
	snprintf(buf, size,
		 "%s sip:u%u@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-%u-%x\r\n"
		 "From: <sip:a@127.0.0.1>;tag=f%u\r\n"
		 "To: <sip:u%u@127.0.0.1>\r\n"
		 "Call-ID: %u@127.0.0.1\r\n"
		 "CSeq: 1 %s\r\n\r\n",
		 method, i, i, i * 2654435761u, i, i, i, method);
	tt_parse_into(msg, buf);
}

static void test_many_server(void **state)
{
	static char buf[SCALE_N][400];
	struct sip_msg *msg = calloc(1, sizeof(*msg));
	struct tmrl *tl = NULL;
	struct sip_tsx_layer *layer = NULL;
	void *dest = mem_zalloc(1, NULL);
	size_t nsent = 0;
	double t0, t1, t2;
	unsigned i;

	(void)state;
	assert_non_null(msg);
	assert_int_equal(tmrl_alloc(&tl, 0), 0);
	assert_int_equal(sip_tsx_layer_alloc(&layer, tl, count_send_h, &nsent),
			 0);
	t0 = now_ms();
	for (i = 0; i < SCALE_N; i++) {
		struct sip_tsx_in in;

		make_req(buf[i], sizeof(buf[i]), msg, "OPTIONS", i);
		assert_int_equal(
		    sip_tsx_recv_request(layer, msg, dest, false, &in), 0);
		assert_int_equal(in.what, SIP_TSX_NEW);
		assert_int_equal(
		    sip_stx_reply(in.stx, 200, (const uint8_t *)"x", 1), 0);
		mem_deref(in.stx);
	}
	t1 = now_ms();
	/* Every retransmission finds its own transaction. */
	for (i = 0; i < SCALE_N; i++) {
		struct sip_tsx_in in;

		tt_parse_into(msg, buf[i]);
		assert_int_equal(
		    sip_tsx_recv_request(layer, msg, dest, false, &in), 0);
		assert_int_equal(in.what, SIP_TSX_ABSORBED);
	}
	t2 = now_ms();
	assert_int_equal(nsent, 2 * SCALE_N);
	assert_int_equal(sip_tsx_layer_count(layer, true), SCALE_N);
	tmrl_poll(tl, 32000); /* Timer J ends them all */
	assert_int_equal(sip_tsx_layer_count(layer, true), 0);
	fprintf(stderr,
		"%d server transactions: create+answer %.1f ms, "
		"match %.1f ms\n",
		SCALE_N, t1 - t0, t2 - t1);
	mem_deref(layer);
	mem_deref(tl);
	mem_deref(dest);
	free(msg);
}

static void test_many_client(void **state)
{
	static char buf[400];
	struct sip_msg *msg = calloc(1, sizeof(*msg));
	struct tmrl *tl = NULL;
	struct sip_tsx_layer *layer = NULL;
	void *dest = mem_zalloc(1, NULL);
	size_t nsent = 0, nfinal = 0;
	double t0, t1;
	unsigned i;

	(void)state;
	assert_non_null(msg);
	assert_int_equal(tmrl_alloc(&tl, 0), 0);
	assert_int_equal(sip_tsx_layer_alloc(&layer, tl, count_send_h, &nsent),
			 0);
	t0 = now_ms();
	for (i = 0; i < SCALE_N; i++) {
		make_req(buf, sizeof(buf), msg, i % 2 ? "INVITE" : "OPTIONS",
			 i);
		assert_int_equal(sip_ctx_send(NULL, layer, msg,
					      (const uint8_t *)buf, strlen(buf),
					      dest, false, resp_h, &nfinal),
				 0);
	}
	t1 = now_ms();
	assert_int_equal(sip_tsx_layer_count(layer, false), SCALE_N);
	/* Retransmissions of all of them, then B/F: 408 to each. */
	tmrl_poll(tl, 500);
	assert_int_equal(nsent, 2 * SCALE_N);
	tmrl_poll(tl, 32000);
	assert_int_equal(nfinal, SCALE_N);
	assert_int_equal(sip_tsx_layer_count(layer, false), 0);
	fprintf(stderr, "%d client transactions: create+send %.1f ms\n",
		SCALE_N, t1 - t0);
	mem_deref(layer);
	mem_deref(tl);
	mem_deref(dest);
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_many_server),
	    SC_TEST(test_many_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
