/* test_registrar_scale.c: 10,000 devices registered (RFC 3261 §10.3, RFC
 * 5626 contacts as JsSIP sends them): cost per REGISTER and per binding,
 * lookups, one flow closing under thousands of bindings, mass expiry. */
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <time.h>

#include "testutil.h"

#include "sip/registrar.h"
#include "sip/transp_int.h"

#define N 10000
#define FLOWS 100
#define T0 1000000ull

struct fake_flow {
	struct sip_flow flow; /* first */
	bool open;
};

static bool fake_isopen(const struct sip_flow *f)
{
	return ((const struct fake_flow *)f)->open;
}

static const struct sip_flow_ops fake_ops = {.isopen = fake_isopen};
static struct sip_transp fake_tp;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Heap bytes in use (glibc; 0 elsewhere and under ASan's allocator). */
static size_t heap_used(void)
{
#ifdef __GLIBC__
	return mallinfo2().uordblks;
#else
	return 0;
#endif
}

static bool count_h(const struct sip_reg_contact *c, void *arg)
{
	(void)c;
	(*(unsigned *)arg)++;
	return true;
}

static void test_scale(void **state)
{
	static struct sip_msg msg;
	static char buf[2048];
	struct fake_flow *fv[FLOWS];
	struct sip_registrar *reg;
	struct sip_reg_reply rep;
	struct tmrl *tl;
	struct mbuf *hdrs;
	size_t live0, heap0, heap1, i;
	double t, reg_us, look_us, close_us;
	unsigned seen = 0;

	(void)state;
	assert_int_equal(tmrl_alloc(&tl, T0), 0);
	assert_int_equal(sip_registrar_alloc(&reg, tl, NULL), 0);
	assert_int_equal(mbuf_alloc(&hdrs, 1024), 0);
	for (i = 0; i < FLOWS; i++) {
		fv[i] = mem_zalloc(sizeof(*fv[i]), NULL);
		assert_non_null(fv[i]);
		fv[i]->flow.ops = &fake_ops;
		fv[i]->flow.tp = &fake_tp;
		fv[i]->open = true;
	}
	live0 = mem_live();
	heap0 = heap_used();
	t = now_us();
	for (i = 0; i < N; i++) {
		int n = snprintf(
		    buf, sizeof(buf),
		    "REGISTER sip:example.test SIP/2.0\r\n"
		    "Via: SIP/2.0/WSS "
		    "7h2k3l4m5n6o.invalid;branch=z9hG4bK%zu\r\n"
		    "Max-Forwards: 69\r\n"
		    "To: <sip:d%020zu@example.test>\r\n"
		    "From: <sip:d%020zu@example.test>;tag=3ab4rmm3sk\r\n"
		    "Call-ID: 2n9fj5ifg0q0nt8ni1op7k%zu\r\n"
		    "CSeq: 2 REGISTER\r\n"
		    "Contact: <sip:k8v7ruep@7h2k3l4m5n6o.invalid;transport=ws>"
		    ";+sip.ice;reg-id=1;+sip.instance=\"<urn:uuid:5d7b1b0e-"
		    "6e1a-"
		    "4c3b-9a8e-%012zu>\";expires=600\r\n"
		    "Expires: 600\r\n"
		    "Supported: path,gruu,outbound\r\n"
		    "Content-Length: 0\r\n\r\n",
		    i, i, i, i, i);
		char aor[32];

		assert_int_equal(sip_msg_decode(&msg, buf, (size_t)n), 0);
		snprintf(aor, sizeof(aor), "d%020zu", i);
		mbuf_reset(hdrs);
		assert_int_equal(sip_registrar_register(reg, aor, &msg,
		                                        &fv[i % FLOWS]->flow,
		                                        hdrs, &rep),
		                 0);
		assert_int_equal(rep.scode, 200);
	}
	reg_us = (now_us() - t) / N;
	heap1 = heap_used();
	assert_int_equal(sip_registrar_count(reg, NULL), N);

	t = now_us();
	for (i = 0; i < N; i++) {
		char aor[32];

		snprintf(aor, sizeof(aor), "d%020zu", i);
		assert_int_equal(sip_registrar_lookup(reg, aor, count_h, &seen),
		                 0);
	}
	look_us = (now_us() - t) / N;
	assert_int_equal(seen, N);

	/* One flow closing: its N/FLOWS bindings go, the others stay. */
	t = now_us();
	sip_registrar_flow_closed(reg, &fv[0]->flow);
	close_us = now_us() - t;
	assert_int_equal(sip_registrar_count(reg, NULL), N - N / FLOWS);

	printf(
	    "registrar: %.2f us/REGISTER, %.2f us/lookup, %.0f us to close "
	    "a flow with %d bindings, %.2f allocations and %.0f heap bytes per "
	    "device\n",
	    reg_us, look_us, close_us, N / FLOWS,
	    (double)(mem_live() - live0) / N,
	    heap1 > heap0 ? (double)(heap1 - heap0) / N : 0.0);
	/* Loose bounds (sanitizer builds on a shared machine): what they
	 * catch is a quadratic slip, not a few percent. */
	assert_true(reg_us < 500);
	assert_true(look_us < 100);

	/* Everything expires together. */
	tmrl_poll(tl, T0 + 600 * 1000);
	assert_int_equal(sip_registrar_count(reg, NULL), 0);
	assert_int_equal(tmrl_count(tl), 0);

	mem_deref(reg);
	for (i = 0; i < FLOWS; i++)
		mem_deref(fv[i]);
	mem_deref(hdrs);
	mem_deref(tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
