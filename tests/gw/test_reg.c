/* test_reg.c: REGISTER through the gateway's handler: challenges (MD5
 * first), real digest answers computed with sip_digest_client_auth, wrong
 * passwords and bans with an injected clock, stale nonces, revoked devices,
 * other domains, identity, Require, and the registrar behind it all. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "gw/reg.h"
#include "sip/transp_int.h"

#define DOMAIN "example.test"
#define T0 1700000000000ull
#define MINUTE (60 * 1000ull)
#define PW1 "Xq3v9TzL0pWcB7sN2mKe4RyH8uJd6fGa"
#define PW2 "a7Fh2Kq9Lm3Np5Rs8Tv1Wx4Yz6Bc0De2"
/* Where each challenge is in a 401: SHA-256 first, MD5 last. */
#define SHA 0
#define MD5 1
#define CONTACT "<sip:k2j4@x8z0q1.invalid;transport=ws>"

/* A flow that is only a peer address and an open/closed switch (a stand-in
 * for the transport's flows, inside this test only). */
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

static struct sip_flow *fake_flow(const char *ip, uint16_t port)
{
	struct fake_flow *ff = mem_zalloc(sizeof(*ff), NULL);

	assert_non_null(ff);
	ff->flow.ops = &fake_ops;
	ff->flow.tp = &fake_tp;
	ff->flow.type = SIP_TRANSP_WSS;
	assert_int_equal(sa_set(&ff->flow.peer, ip, port), 0);
	ff->open = true;
	return &ff->flow;
}

/* The device table: dev1 and dev2 active, drevoked revoked. */
struct creds {
	unsigned calls;
};

static int cred_lookup(const char *user, const char *realm,
		       enum sip_digest_alg alg, char ha1[SIP_DIGEST_HEX_MAX],
		       void *arg)
{
	struct creds *c = arg;
	struct pl u, r, p;

	c->calls++;
	assert_string_equal(realm, DOMAIN);
	if (!strcmp(user, "drevoked"))
		return EACCES;
	if (!strcmp(user, "dev1"))
		pl_set_str(&p, PW1);
	else if (!strcmp(user, "dev2"))
		pl_set_str(&p, PW2);
	else
		return ENOENT;
	pl_set_str(&u, user);
	pl_set_str(&r, realm);
	return sip_digest_ha1(ha1, alg, &u, &r, &p);
}

struct fix {
	struct tmrl *tl;
	struct gw_reg *gr;
	struct creds creds;
	struct sip_flow *fa, *fb; /* two sources */
	struct mbuf *hdrs, *auth;
	struct sip_msg msg;
	char buf[4096];
	char chal[2][1024]; /* the WWW-Authenticate values of the last 401 */
	struct sip_reg_reply rep;
	uint32_t cseq;
};

static struct fix *fix_new(void)
{
	struct fix *f = mem_zalloc(sizeof(*f), NULL);
	struct gw_reg_conf conf = {
	    .domain = DOMAIN,
	    .credh = cred_lookup,
	};

	assert_non_null(f);
	conf.arg = &f->creds;
	assert_int_equal(tmrl_alloc(&f->tl, T0), 0);
	assert_int_equal(gw_reg_alloc(&f->gr, f->tl, &conf), 0);
	assert_int_equal(mbuf_alloc(&f->hdrs, 1024), 0);
	assert_int_equal(mbuf_alloc(&f->auth, 512), 0);
	f->fa = fake_flow("192.0.2.10", 40000);
	f->fb = fake_flow("2001:db8:1:2:3:4:5:6", 40001);
	return f;
}

static void fix_free(struct fix *f)
{
	mem_deref(f->gr);
	mem_deref(f->tl);
	mem_deref(f->hdrs);
	mem_deref(f->auth);
	mem_deref(f->fa);
	mem_deref(f->fb);
	mem_deref(f);
}

static void tick(struct fix *f, uint64_t ms)
{
	tmrl_poll(f->tl, tmrl_now(f->tl) + ms);
}

/* Copies the n-th "WWW-Authenticate: " value of the last reply. */
static void keep_challenges(struct fix *f)
{
	const char *p = (const char *)f->hdrs->buf;
	int i;

	memset(f->chal, 0, sizeof(f->chal));
	for (i = 0; i < 2; i++) {
		const char *e;

		p = strstr(p, "WWW-Authenticate: ");
		if (!p)
			return;
		p += strlen("WWW-Authenticate: ");
		e = strstr(p, "\r\n");
		assert_non_null(e);
		assert_true((size_t)(e - p) < sizeof(f->chal[i]));
		memcpy(f->chal[i], p, (size_t)(e - p));
	}
}

/* One REGISTER: To/From user@host, optional Authorization value and extra
 * header lines. Returns gw_reg_handle's result; the reply in f->rep, its
 * header lines NUL-terminated in f->hdrs (challenges kept on 401). */
static int send_reg(struct fix *f, struct sip_flow *flow, const char *user,
		    const char *host, const char *auth, const char *extra)
{
	int n, err;

	f->cseq++;
	n = snprintf(f->buf, sizeof(f->buf),
		     "REGISTER sip:" DOMAIN " SIP/2.0\r\n"
		     "Via: SIP/2.0/WSS x8z0q1.invalid;branch=z9hG4bK%u\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:%s@%s>;tag=t1\r\n"
		     "To: <sip:%s@%s>\r\n"
		     "Call-ID: call-%s\r\n"
		     "CSeq: %u REGISTER\r\n"
		     "Contact: " CONTACT ";expires=600\r\n"
		     "%s%s%s%s"
		     "Content-Length: 0\r\n\r\n",
		     f->cseq, user, host, user, host, user, f->cseq,
		     auth ? "Authorization: " : "", auth ? auth : "",
		     auth ? "\r\n" : "", extra ? extra : "");
	assert_true(n > 0 && (size_t)n < sizeof(f->buf));
	assert_int_equal(sip_msg_decode(&f->msg, f->buf, (size_t)n), 0);
	mbuf_reset(f->hdrs);
	memset(&f->rep, 0, sizeof(f->rep));
	err = gw_reg_handle(f->gr, &f->msg, flow, f->hdrs, &f->rep);
	assert_int_equal(mbuf_write_mem(f->hdrs, "", 1), 0);
	if (f->rep.scode == 401)
		keep_challenges(f);
	return err;
}

/* The Authorization value answering challenge idx of the last 401. */
static const char *answer(struct fix *f, int idx, const char *user,
			  const char *pw, uint32_t nc)
{
	struct sip_digest chal;
	struct pl val;
	struct sip_digest_client cl = {
	    .method = PL("REGISTER"),
	    .uri = PL("sip:" DOMAIN),
	    .cnonce = PL("0a4f113b"),
	};

	pl_set_str(&cl.username, user);
	pl_set_str(&cl.password, pw);
	cl.nc = nc;
	pl_set_str(&val, f->chal[idx]);
	assert_int_equal(sip_digest_decode(&chal, SIP_DIGEST_CHALLENGE, &val),
			 0);
	mbuf_reset(f->auth);
	assert_int_equal(sip_digest_client_auth(f->auth, &chal, &cl), 0);
	assert_int_equal(mbuf_write_mem(f->auth, "", 1), 0);
	return (const char *)f->auth->buf;
}

/* Challenge, then answer with pw: the verdict's status. */
static uint16_t login(struct fix *f, struct sip_flow *flow, const char *user,
		      const char *pw)
{
	assert_int_equal(send_reg(f, flow, user, DOMAIN, NULL, NULL), 0);
	if (f->rep.scode != 401)
		return f->rep.scode;
	assert_int_equal(
	    send_reg(f, flow, user, DOMAIN, answer(f, MD5, user, pw, 1), NULL),
	    0);
	return f->rep.scode;
}

static void test_challenge_then_ok(void **state)
{
	struct fix *f = fix_new();
	const char *h;

	(void)state;
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN, NULL, NULL), 0);
	assert_int_equal(f->rep.scode, 401);
	assert_int_equal(f->creds.calls, 0);
	h = (const char *)f->hdrs->buf;
	/* SHA-256 first (our preference, RFC 8760 §2.4), MD5 last: JsSIP
	 * 3.13.8 and SIP.js 0.21.2 keep only the last one and need MD5. */
	assert_non_null(strstr(f->chal[SHA], "algorithm=SHA-256"));
	assert_non_null(strstr(f->chal[MD5], "algorithm=MD5"));
	assert_null(
	    strstr(h + (strstr(h, f->chal[MD5]) - h) + 1, "WWW-Authenticate"));
	assert_non_null(strstr(f->chal[MD5], "qop=\"auth\""));
	assert_non_null(strstr(f->chal[MD5], "realm=\"" DOMAIN "\""));
	assert_null(strstr(h, "stale"));

	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, MD5, "dev1", PW1, 1), NULL),
			 0);
	assert_int_equal(f->rep.scode, 200);
	assert_non_null(
	    strstr((const char *)f->hdrs->buf, CONTACT ";expires=600\r\n"));
	assert_int_equal(sip_registrar_count(gw_reg_registrar(f->gr), "dev1"),
			 1);
	/* The same nonce with a higher nc works again (a refresh) ... */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, MD5, "dev1", PW1, 2), NULL),
			 0);
	assert_int_equal(f->rep.scode, 200);
	/* ... a replayed nc is challenged, not counted as a failure. */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, MD5, "dev1", PW1, 2), NULL),
			 0);
	assert_int_equal(f->rep.scode, 401);
	/* SHA-256 works as well. */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, SHA, "dev1", PW1, 1), NULL),
			 0);
	assert_int_equal(f->rep.scode, 200);
	fix_free(f);
}

static void test_wrong_password_bans(void **state)
{
	struct fix *f = fix_new();
	unsigned i, calls;

	(void)state;
	/* Wrong passwords: 403 each, after a challenge. */
	for (i = 0; i < GW_BAN_THRESHOLD; i++)
		assert_int_equal(login(f, f->fa, "dev1", "guess"), 403);
	calls = f->creds.calls;
	assert_int_equal(calls, GW_BAN_THRESHOLD);
	/* Now the source is banned: 403 at once, no challenge, no lookup,
	 * even with the right password (no password check at all). */
	assert_int_equal(send_reg(f, f->fa, "dev2", DOMAIN, NULL, NULL), 0);
	assert_int_equal(f->rep.scode, 403);
	assert_null(strstr((const char *)f->hdrs->buf, "WWW-Authenticate"));
	/* The account is banned too, from any source. */
	assert_int_equal(login(f, f->fb, "dev1", PW1), 403);
	assert_int_equal(f->creds.calls, calls);
	/* Other devices elsewhere keep working. */
	assert_int_equal(login(f, f->fb, "dev2", PW2), 200);
	/* The ban is lifted after its period (5 min by default). */
	tick(f, 5 * MINUTE);
	assert_int_equal(login(f, f->fa, "dev1", PW1), 200);
	fix_free(f);
}

static void test_unknown_device_counts(void **state)
{
	struct fix *f = fix_new();
	unsigned i;

	(void)state;
	for (i = 0; i < GW_BAN_THRESHOLD; i++) {
		char user[16];

		snprintf(user, sizeof(user), "probe%u", i);
		assert_int_equal(login(f, f->fa, user, "x"), 403);
	}
	/* Different accounts, one source: the source is banned. */
	assert_int_equal(login(f, f->fa, "dev1", PW1), 403);
	assert_int_equal(login(f, f->fb, "dev1", PW1), 200);
	fix_free(f);
}

static void test_stale(void **state)
{
	struct fix *f = fix_new();

	(void)state;
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN, NULL, NULL), 0);
	assert_int_equal(f->rep.scode, 401);
	tick(f, SIP_NONCE_EXPIRY_MS + 1000);
	/* Right password, expired nonce: 401 stale=true (RFC 7616 §3.3). */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, MD5, "dev1", PW1, 1), NULL),
			 0);
	assert_int_equal(f->rep.scode, 401);
	assert_non_null(strstr(f->chal[0], "stale=true"));
	assert_non_null(strstr(f->chal[1], "stale=true"));
	/* The new nonce works. */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, MD5, "dev1", PW1, 1), NULL),
			 0);
	assert_int_equal(f->rep.scode, 200);
	/* Wrong password with an expired nonce: a failure, not stale. */
	tick(f, SIP_NONCE_EXPIRY_MS + 1000);
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, MD5, "dev1", "nope", 1), NULL),
			 0);
	assert_int_equal(f->rep.scode, 403);
	fix_free(f);
}

static void test_revoked(void **state)
{
	struct fix *f = fix_new();
	unsigned i;

	(void)state;
	/* Revoked: 403 every time, and never counted as a failure. */
	for (i = 0; i < 2 * GW_BAN_THRESHOLD; i++)
		assert_int_equal(login(f, f->fa, "drevoked", "whatever"), 403);
	assert_int_equal(login(f, f->fa, "dev1", PW1), 200);
	/* Revoking a registered device drops its registrations. */
	gw_reg_device_gone(f->gr, "dev1");
	assert_int_equal(sip_registrar_count(gw_reg_registrar(f->gr), "dev1"),
			 0);
	fix_free(f);
}

static void test_other_domain(void **state)
{
	struct fix *f = fix_new();

	(void)state;
	assert_int_equal(send_reg(f, f->fa, "dev1", "other.test", NULL, NULL),
			 0);
	assert_int_equal(f->rep.scode, 403);
	assert_string_equal((const char *)f->hdrs->buf, "");
	/* Even with valid credentials for our realm. */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN, NULL, NULL), 0);
	assert_int_equal(send_reg(f, f->fa, "dev1", "other.test",
				  answer(f, MD5, "dev1", PW1, 1), NULL),
			 0);
	assert_int_equal(f->rep.scode, 403);
	assert_int_equal(f->creds.calls, 0);
	fix_free(f);
}

static void test_identity(void **state)
{
	struct fix *f = fix_new();

	(void)state;
	/* dev2 authenticates but registers dev1's AOR: 403, not counted. */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN, NULL, NULL), 0);
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  answer(f, MD5, "dev2", PW2, 1), NULL),
			 0);
	assert_int_equal(f->rep.scode, 403);
	assert_int_equal(sip_registrar_count(gw_reg_registrar(f->gr), NULL), 0);
	fix_free(f);
}

static void test_require_and_bad(void **state)
{
	struct fix *f = fix_new();

	(void)state;
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN, NULL,
				  "Require: foo, outbound, bar\r\n"),
			 0);
	assert_int_equal(f->rep.scode, 420);
	assert_string_equal((const char *)f->hdrs->buf,
			    "Unsupported: foo, bar\r\n");
	assert_int_equal(
	    send_reg(f, f->fa, "dev1", DOMAIN, NULL, "Require: outbound\r\n"),
	    0);
	assert_int_equal(f->rep.scode, 401);
	/* Malformed credentials: 400, not a failure. */
	assert_int_equal(send_reg(f, f->fa, "dev1", DOMAIN,
				  "Digest username=\"dev1\", realm", NULL),
			 0);
	assert_int_equal(f->rep.scode, 400);
	/* Credentials for another realm only: a challenge for ours. */
	assert_int_equal(
	    send_reg(f, f->fa, "dev1", DOMAIN,
		     "Digest username=\"dev1\", realm=\"pbx.test\", "
		     "nonce=\"abc\", uri=\"sip:" DOMAIN "\", response=\""
		     "00000000000000000000000000000000\"",
		     NULL),
	    0);
	assert_int_equal(f->rep.scode, 401);
	assert_int_equal(f->creds.calls, 0);
	fix_free(f);
}

static void test_flow_closed(void **state)
{
	struct fix *f = fix_new();

	(void)state;
	assert_int_equal(login(f, f->fa, "dev1", PW1), 200);
	assert_int_equal(login(f, f->fb, "dev2", PW2), 200);
	gw_reg_flow_closed(f->gr, f->fa);
	assert_int_equal(sip_registrar_count(gw_reg_registrar(f->gr), "dev1"),
			 0);
	assert_int_equal(sip_registrar_count(gw_reg_registrar(f->gr), "dev2"),
			 1);
	fix_free(f);
}

/* The same authentication for other device requests (calls): 407 with
 * Proxy-Authenticate, answered in Proxy-Authorization (RFC 3261 §22.3). */
static void test_proxy_auth(void **state)
{
	struct fix *f = fix_new();
	const struct gw_auth *auth = gw_reg_auth(f->gr);
	struct gw_auth_result res;
	struct sip_digest chal;
	struct sip_digest_client cl = {
	    .username = PL("dev2"),
	    .password = PL(PW2),
	    .method = PL("INVITE"),
	    .uri = PL("sip:1000@" DOMAIN),
	    .cnonce = PL("c0ffee"),
	    .nc = 1,
	};
	struct sa src;
	const char *p, *e;
	struct pl val;
	int n;

	(void)state;
	assert_int_equal(sa_set(&src, "192.0.2.77", 5000), 0);
	mbuf_reset(f->hdrs);
	assert_int_equal(
	    gw_auth_challenge(auth, f->hdrs, true, false, tmrl_now(f->tl)), 0);
	assert_int_equal(mbuf_write_mem(f->hdrs, "", 1), 0);
	p = (const char *)f->hdrs->buf;
	assert_null(strstr(p, "WWW-Authenticate"));
	/* The last Proxy-Authenticate is the MD5 one. */
	p = strstr(p, "Proxy-Authenticate: ");
	assert_non_null(p);
	while ((e = strstr(p + 1, "Proxy-Authenticate: ")))
		p = e;
	p += strlen("Proxy-Authenticate: ");
	e = strstr(p, "\r\n");
	assert_non_null(e);
	val.p = p;
	val.l = (size_t)(e - p);
	assert_int_equal(sip_digest_decode(&chal, SIP_DIGEST_CHALLENGE, &val),
			 0);
	assert_int_equal(chal.alg, SIP_DIGEST_MD5);
	mbuf_reset(f->auth);
	assert_int_equal(sip_digest_client_auth(f->auth, &chal, &cl), 0);
	assert_int_equal(mbuf_write_mem(f->auth, "", 1), 0);

	n = snprintf(f->buf, sizeof(f->buf),
		     "INVITE sip:1000@" DOMAIN " SIP/2.0\r\n"
		     "Via: SIP/2.0/WSS x8z0q1.invalid;branch=z9hG4bKinv1\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:dev2@" DOMAIN ">;tag=t9\r\n"
		     "To: <sip:1000@" DOMAIN ">\r\n"
		     "Call-ID: inv-1\r\n"
		     "CSeq: 2 INVITE\r\n"
		     "Proxy-Authorization: %s\r\n"
		     "Content-Length: 0\r\n\r\n",
		     (const char *)f->auth->buf);
	assert_true(n > 0 && (size_t)n < sizeof(f->buf));
	assert_int_equal(sip_msg_decode(&f->msg, f->buf, (size_t)n), 0);
	assert_int_equal(
	    gw_auth_request(auth, &f->msg, true, &src, tmrl_now(f->tl), &res),
	    0);
	assert_int_equal(res.verdict, GW_AUTH_OK);
	assert_string_equal(res.user, "dev2");
	/* Looking at Authorization instead finds nothing: a challenge. */
	assert_int_equal(
	    gw_auth_request(auth, &f->msg, false, &src, tmrl_now(f->tl), &res),
	    0);
	assert_int_equal(res.verdict, GW_AUTH_CHALLENGE);
	fix_free(f);
}

static void test_source_key(void **state)
{
	struct sa sa;
	char buf[GW_AUTH_SOURCE_MAX];

	(void)state;
	assert_int_equal(sa_set(&sa, "192.0.2.10", 5060), 0);
	assert_int_equal(gw_auth_source_key(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.0.2.10");
	assert_int_equal(sa_set(&sa, "2001:db8:1:2:3:4:5:6", 5060), 0);
	assert_int_equal(gw_auth_source_key(&sa, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8:1:2::/64");
	assert_int_equal(gw_auth_source_key(&sa, buf, 8), EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_challenge_then_ok),
	    SC_TEST(test_wrong_password_bans),
	    SC_TEST(test_unknown_device_counts),
	    SC_TEST(test_stale),
	    SC_TEST(test_revoked),
	    SC_TEST(test_other_domain),
	    SC_TEST(test_identity),
	    SC_TEST(test_require_and_bad),
	    SC_TEST(test_flow_closed),
	    SC_TEST(test_proxy_auth),
	    SC_TEST(test_source_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
