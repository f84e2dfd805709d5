/* test_reg_speed.c: the cost of REGISTER with digest through gw_reg_handle
 * (RFC 3261 §22, RFC 7616): a challenge then an authenticated REGISTER per
 * round, and refreshes reusing the nonce with a growing nc, for 1,000
 * devices. Best of several batches (a shared machine). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#include "gw/reg.h"
#include "sip/transp_int.h"

#define DOMAIN "example.test"
#define T0 1700000000000ull
#define DEVICES 1000
#define BATCHES 3
#define PW "Xq3v9TzL0pWcB7sN2mKe4RyH8uJd6fGa"

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

/* Every device has the same password; a real store caches HA1s too. */
static int cred_lookup(const char *user, const char *realm,
		       enum sip_digest_alg alg, char ha1[SIP_DIGEST_HEX_MAX],
		       void *arg)
{
	struct pl u, r, p;

	(void)arg;
	pl_set_str(&u, user);
	pl_set_str(&r, realm);
	pl_set_str(&p, PW);
	return sip_digest_ha1(ha1, alg, &u, &r, &p);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

struct bench {
	struct gw_reg *gr;
	struct fake_flow *ff;
	struct mbuf *hdrs, *auth;
	struct sip_msg msg;
	char buf[2048];
	char chal[DEVICES][256];
	uint32_t cseq;
};

static uint16_t send_reg(struct bench *b, unsigned dev, const char *auth)
{
	struct sip_reg_reply rep = {0};
	int n;

	b->cseq++;
	n = snprintf(b->buf, sizeof(b->buf),
		     "REGISTER sip:" DOMAIN " SIP/2.0\r\n"
		     "Via: SIP/2.0/WSS x8z0q1.invalid;branch=z9hG4bK%u\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:d%05u@" DOMAIN ">;tag=t1\r\n"
		     "To: <sip:d%05u@" DOMAIN ">\r\n"
		     "Call-ID: call-%u\r\n"
		     "CSeq: %u REGISTER\r\n"
		     "Contact: <sip:k2j4@x8z0q1.invalid;transport=ws>"
		     ";+sip.ice;reg-id=1;+sip.instance=\"<urn:uuid:%u>\""
		     ";expires=600\r\n"
		     "%s%s%s"
		     "Content-Length: 0\r\n\r\n",
		     b->cseq, dev, dev, dev, b->cseq, dev,
		     auth ? "Authorization: " : "", auth ? auth : "",
		     auth ? "\r\n" : "");
	assert_int_equal(sip_msg_decode(&b->msg, b->buf, (size_t)n), 0);
	mbuf_reset(b->hdrs);
	assert_int_equal(
	    gw_reg_handle(b->gr, &b->msg, &b->ff->flow, b->hdrs, &rep), 0);
	assert_int_equal(mbuf_write_mem(b->hdrs, "", 1), 0);
	return rep.scode;
}

static void keep_md5(struct bench *b, unsigned dev)
{
	const char *p = (const char *)b->hdrs->buf;
	const char *s = strstr(p, "WWW-Authenticate: "), *n;
	const char *e;

	/* The last one is MD5 (what JsSIP and SIP.js answer). */
	assert_non_null(s);
	while ((n = strstr(s + 1, "WWW-Authenticate: ")))
		s = n;
	s += strlen("WWW-Authenticate: ");
	e = strstr(s, "\r\n");
	assert_true(e && (size_t)(e - s) < sizeof(b->chal[dev]));
	memcpy(b->chal[dev], s, (size_t)(e - s));
	b->chal[dev][e - s] = '\0';
}

static const char *answer(struct bench *b, unsigned dev, uint32_t nc)
{
	struct sip_digest chal;
	struct pl val;
	char user[16];
	struct sip_digest_client cl = {
	    .password = PL(PW),
	    .method = PL("REGISTER"),
	    .uri = PL("sip:" DOMAIN),
	    .cnonce = PL("0a4f113b"),
	};

	snprintf(user, sizeof(user), "d%05u", dev);
	pl_set_str(&cl.username, user);
	cl.nc = nc;
	pl_set_str(&val, b->chal[dev]);
	assert_int_equal(sip_digest_decode(&chal, SIP_DIGEST_CHALLENGE, &val),
			 0);
	mbuf_reset(b->auth);
	assert_int_equal(sip_digest_client_auth(b->auth, &chal, &cl), 0);
	assert_int_equal(mbuf_write_mem(b->auth, "", 1), 0);
	return (const char *)b->auth->buf;
}

static void test_speed(void **state)
{
	struct gw_reg_conf conf = {.domain = DOMAIN, .credh = cred_lookup};
	struct bench *b = mem_zalloc(sizeof(*b), NULL);
	struct tmrl *tl;
	double best_full = 1e12, best_refresh = 1e12, client_us = 0;
	unsigned i, k;
	uint32_t nc = 1;

	(void)state;
	assert_non_null(b);
	assert_int_equal(tmrl_alloc(&tl, T0), 0);
	assert_int_equal(gw_reg_alloc(&b->gr, tl, &conf), 0);
	assert_int_equal(mbuf_alloc(&b->hdrs, 1024), 0);
	assert_int_equal(mbuf_alloc(&b->auth, 512), 0);
	b->ff = mem_zalloc(sizeof(*b->ff), NULL);
	assert_non_null(b->ff);
	b->ff->flow.ops = &fake_ops;
	b->ff->flow.tp = &fake_tp;
	b->ff->flow.type = SIP_TRANSP_WSS;
	assert_int_equal(sa_set(&b->ff->flow.peer, "192.0.2.1", 1), 0);
	b->ff->open = true;

	/* The client's side (answer()) is timed apart and subtracted. */
	for (k = 0; k < BATCHES; k++) {
		double t = now_us(), c = 0, t1;

		for (i = 0; i < DEVICES; i++) {
			const char *a;

			assert_int_equal(send_reg(b, i, NULL), 401);
			keep_md5(b, i);
			t1 = now_us();
			a = answer(b, i, 1);
			c += now_us() - t1;
			assert_int_equal(send_reg(b, i, a), 200);
		}
		best_full = SC_MIN(best_full, (now_us() - t - c) / DEVICES);
		client_us = c / DEVICES;
	}
	for (k = 0; k < BATCHES; k++) {
		double t = now_us(), c = 0, t1;

		nc++;
		for (i = 0; i < DEVICES; i++) {
			const char *a;

			t1 = now_us();
			a = answer(b, i, nc);
			c += now_us() - t1;
			assert_int_equal(send_reg(b, i, a), 200);
		}
		best_refresh =
		    SC_MIN(best_refresh, (now_us() - t - c) / DEVICES);
	}
	assert_int_equal(sip_registrar_count(gw_reg_registrar(b->gr), NULL),
			 DEVICES);
	printf("gw reg: %.1f us per challenge+REGISTER round, %.1f us per "
	       "refresh with the nonce reused (nc+1); client side %.1f us\n",
	       best_full, best_refresh, client_us);
	/* A generous bound for sanitizer builds: catches a slip into
	 * something quadratic or a blocking call, not small regressions. */
	assert_true(best_full < 2000);

	mem_deref(b->gr);
	mem_deref(b->ff);
	mem_deref(b->hdrs);
	mem_deref(b->auth);
	mem_deref(b);
	mem_deref(tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
