/* test_digest_flow.c: server-side authentication verdicts, and a REGISTER
 * challenged and answered through the SIP codec: 401 built with
 * sip_reply_encode, the last WWW-Authenticate taken as JsSIP does, the
 * answer decoded and authenticated (RFC 3261 §22.2). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "sip/digest.h"
#include "sip/msg.h"

#define REALM "sip.test"
#define T0 1700000000000ull

static const uint8_t secret[32] = "flow-secret-flow-secret-flow-sec";

static int ha1_lookup(const struct sip_digest *cred, enum sip_digest_alg alg,
		      char ha1[SIP_DIGEST_HEX_MAX], void *arg)
{
	(void)arg;
	if (pl_strcmp(&cred->username, "1001"))
		return ENOENT;
	return sip_digest_ha1(ha1, alg, &PL("1001"), &PL(REALM),
			      &PL("3q2+7w==-random-device-secret"));
}

static int register_req(char *buf, size_t size, const char *auth, int cseq)
{
	return snprintf(
	    buf, size,
	    "REGISTER sip:" REALM " SIP/2.0\r\n"
	    "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK%d\r\n"
	    "Max-Forwards: 69\r\n"
	    "To: <sip:1001@" REALM ">\r\n"
	    "From: <sip:1001@" REALM ">;tag=a73kszlfl\r\n"
	    "Call-ID: 1j9FpLxk3uxtm8tn@df7jal23ls0d.invalid\r\n"
	    "CSeq: %d REGISTER\r\n"
	    "Contact: <sip:x@df7jal23ls0d.invalid;transport=ws>\r\n"
	    "%s%s%s"
	    "Content-Length: 0\r\n\r\n",
	    cseq, cseq, auth ? "Authorization: " : "", auth ? auth : "",
	    auth ? "\r\n" : "");
}

static void test_register_flow(void **state)
{
	struct sip_msg *req, *resp;
	struct sip_nonces *nonces;
	struct sip_digest chal;
	struct mbuf *hdrs, *reply, *cred;
	const struct sip_hdr *h;
	char nonce[SIP_NONCE_LEN + 1], buf[2048];
	struct sip_digest_chal ch = {.realm = REALM, .nonce = nonce};
	struct sip_digest_client cl = {
	    .username = PL("1001"),
	    .password = PL("3q2+7w==-random-device-secret"),
	    .method = PL("REGISTER"),
	    .uri = PL("sip:" REALM),
	    .cnonce = PL("9pcs1tbqi0ql"),
	    .nc = 1,
	};
	struct sip_digest_auth auth = {
	    .realm = REALM,
	    .ha1h = ha1_lookup,
	};
	enum sip_digest_verdict verdict = SIP_AUTH_BAD;
	int n;

	(void)state;
	req = mem_zalloc(sizeof(*req), NULL);
	resp = mem_zalloc(sizeof(*resp), NULL);
	assert_non_null(req);
	assert_non_null(resp);
	assert_int_equal(
	    sip_nonces_alloc(&nonces, secret, sizeof(secret), NULL), 0);
	auth.nonces = nonces;
	assert_int_equal(mbuf_alloc(&hdrs, 256), 0);
	assert_int_equal(mbuf_alloc(&reply, 1024), 0);
	assert_int_equal(mbuf_alloc(&cred, 256), 0);

	/* 1. REGISTER without credentials: 401 with both challenges. */
	n = register_req(buf, sizeof(buf), NULL, 1);
	assert_int_equal(sip_msg_decode(req, buf, (size_t)n), 0);
	assert_null(sip_msg_hdr(req, SIP_HDR_AUTHORIZATION));
	assert_int_equal(sip_nonce_make(nonces, nonce, &PL(REALM), T0), 0);
	assert_int_equal(sip_digest_challenge(hdrs, &ch), 0);
	assert_int_equal(mbuf_write_mem(hdrs, "", 1), 0); /* NUL */
	assert_int_equal(sip_reply_encode(reply, req, 401, "Unauthorized",
					  &PL("srvtag"), NULL,
					  (const char *)hdrs->buf, NULL, NULL),
			 0);

	/* 2. The client reads the 401 as JsSIP 3.13 / SIP.js 0.21 do: only
	 * the last WWW-Authenticate counts, and it must be MD5. */
	assert_int_equal(
	    sip_msg_decode(resp, (const char *)reply->buf, reply->end), 0);
	assert_int_equal(resp->scode, 401);
	h = sip_msg_hdr(resp, SIP_HDR_WWW_AUTHENTICATE);
	assert_non_null(h);
	h = sip_msg_hdr_next(resp, h, SIP_HDR_WWW_AUTHENTICATE);
	assert_non_null(h);
	assert_null(sip_msg_hdr_next(resp, h, SIP_HDR_WWW_AUTHENTICATE));
	assert_int_equal(
	    sip_digest_decode(&chal, SIP_DIGEST_CHALLENGE, &h->val), 0);
	assert_int_equal(chal.alg, SIP_DIGEST_MD5);
	assert_true(chal.qop_auth);
	assert_int_equal(sip_digest_client_auth(cred, &chal, &cl), 0);
	assert_int_equal(mbuf_write_mem(cred, "", 1), 0);

	/* 3. The REGISTER again, with credentials: authenticated. */
	n = register_req(buf, sizeof(buf), (const char *)cred->buf, 2);
	assert_int_equal(sip_msg_decode(req, buf, (size_t)n), 0);
	h = sip_msg_hdr(req, SIP_HDR_AUTHORIZATION);
	assert_non_null(h);
	assert_int_equal(sip_digest_authenticate(&auth, &h->val, &req->method,
						 T0 + 50, &verdict, NULL),
			 0);
	assert_int_equal(verdict, SIP_AUTH_OK);
	/* The same datagram again (a replay): challenged, not accepted. */
	assert_int_equal(sip_digest_authenticate(&auth, &h->val, &req->method,
						 T0 + 60, &verdict, NULL),
			 0);
	assert_int_equal(verdict, SIP_AUTH_CHALLENGE);

	mem_deref(cred);
	mem_deref(reply);
	mem_deref(hdrs);
	mem_deref(nonces);
	mem_deref(resp);
	mem_deref(req);
}

static void ha1_of(char ha1[SIP_DIGEST_HEX_MAX], enum sip_digest_alg alg,
		   const char *user, const char *realm, const char *pw)
{
	struct pl u, r, p;

	pl_set_str(&u, user);
	pl_set_str(&r, realm);
	pl_set_str(&p, pw);
	assert_int_equal(sip_digest_ha1(ha1, alg, &u, &r, &p), 0);
}

struct users {
	char md5[SIP_DIGEST_HEX_MAX];
	char sha[SIP_DIGEST_HEX_MAX];
	unsigned calls;
};

static int users_ha1(const struct sip_digest *cred, enum sip_digest_alg alg,
		     char ha1[SIP_DIGEST_HEX_MAX], void *arg)
{
	struct users *u = arg;

	u->calls++;
	if (pl_strcmp(&cred->username, "alice"))
		return ENOENT;
	strcpy(ha1, alg == SIP_DIGEST_MD5 ? u->md5 : u->sha);
	return 0;
}

/* Builds a challenge for nonce, answers its line'th header as the client
 * with password and nc, into mb. */
static void answer(struct mbuf *mb, const char *nonce, unsigned line,
		   const char *user, const char *password, uint32_t nc)
{
	struct sip_digest_chal ch = {.realm = "sip.test",
				      .nonce = nonce,
				      .order = SIP_DIGEST_ORDER_MD5_FIRST};
	struct sip_digest_client cl = {
	    .username = PL("alice"),
	    .method = PL("REGISTER"),
	    .uri = PL("sip:sip.test"),
	    .cnonce = PL("0a4f113b"),
	    .nc = nc,
	};
	struct sip_digest chal;
	struct mbuf *c;
	struct pl v;
	const char *p, *e;

	pl_set_str(&cl.username, user);
	pl_set_str(&cl.password, password);
	assert_int_equal(mbuf_alloc(&c, 64), 0);
	assert_int_equal(sip_digest_challenge(c, &ch), 0);
	p = (const char *)c->buf;
	while (line--)
		p = strstr(p, "\r\n") + 2;
	p = strchr(p, ':') + 2;
	e = strstr(p, "\r\n");
	v.p = p;
	v.l = (size_t)(e - p);
	assert_int_equal(sip_digest_decode(&chal, SIP_DIGEST_CHALLENGE, &v), 0);
	mbuf_reset(mb);
	assert_int_equal(sip_digest_client_auth(mb, &chal, &cl), 0);
	mem_deref(c);
}

static enum sip_digest_verdict auth_at(const struct sip_digest_auth *a,
				       const struct mbuf *mb, uint64_t now)
{
	enum sip_digest_verdict v = SIP_AUTH_OK;
	struct pl val = {(const char *)mb->buf, mb->end};
	struct sip_digest cred;

	assert_int_equal(
	    sip_digest_authenticate(a, &val, &PL("REGISTER"), now, &v, &cred),
	    0);
	return v;
}

static void test_authenticate(void **state)
{
	const uint64_t t = 1700000000000ull;
	struct users u = {.calls = 0};
	struct sip_digest_auth a = {
	    .realm = "sip.test",
	    .ha1h = users_ha1,
	    .arg = &u,
	};
	char nonce[SIP_NONCE_LEN + 1], forged[SIP_NONCE_LEN + 1];
	struct pl val;
	struct mbuf *mb;
	unsigned calls;

	(void)state;
	ha1_of(u.md5, SIP_DIGEST_MD5, "alice", "sip.test", "pw");
	ha1_of(u.sha, SIP_DIGEST_SHA256, "alice", "sip.test", "pw");
	assert_int_equal(
	    sip_nonces_alloc(&a.nonces, secret, sizeof(secret), NULL), 0);
	assert_int_equal(mbuf_alloc(&mb, 64), 0);
	assert_int_equal(sip_nonce_make(a.nonces, nonce, &PL("sip.test"), t),
			 0);

	/* MD5 (first header), then a replay, then the next nc. */
	answer(mb, nonce, 0, "alice", "pw", 1);
	assert_int_equal(auth_at(&a, mb, t + 1), SIP_AUTH_OK);
	assert_int_equal(auth_at(&a, mb, t + 2), SIP_AUTH_CHALLENGE);
	answer(mb, nonce, 0, "alice", "pw", 2);
	assert_int_equal(auth_at(&a, mb, t + 3), SIP_AUTH_OK);
	/* SHA-256 (second header). */
	answer(mb, nonce, 1, "alice", "pw", 3);
	assert_int_equal(auth_at(&a, mb, t + 4), SIP_AUTH_OK);

	/* Wrong password and unknown user look the same. */
	answer(mb, nonce, 0, "alice", "pW", 4);
	assert_int_equal(auth_at(&a, mb, t + 5), SIP_AUTH_FAILED);
	answer(mb, nonce, 0, "mallory", "pw", 4);
	assert_int_equal(auth_at(&a, mb, t + 5), SIP_AUTH_FAILED);

	/* Expired nonce: stale only with the right password. */
	answer(mb, nonce, 0, "alice", "pw", 5);
	assert_int_equal(auth_at(&a, mb, t + SIP_NONCE_EXPIRY_MS),
			 SIP_AUTH_STALE);
	answer(mb, nonce, 0, "alice", "nope", 5);
	assert_int_equal(auth_at(&a, mb, t + SIP_NONCE_EXPIRY_MS),
			 SIP_AUTH_FAILED);

	/* A nonce we did not issue: challenged before any lookup. */
	strcpy(forged, nonce);
	forged[3] = forged[3] == 'x' ? 'y' : 'x';
	answer(mb, forged, 0, "alice", "pw", 1);
	calls = u.calls;
	assert_int_equal(auth_at(&a, mb, t + 6), SIP_AUTH_CHALLENGE);
	assert_int_equal(u.calls, calls);
	/* Another realm. */
	a.realm = "other.test";
	answer(mb, nonce, 0, "alice", "pw", 9);
	assert_int_equal(auth_at(&a, mb, t + 6), SIP_AUTH_CHALLENGE);
	a.realm = "sip.test";

	/* Malformed, the RFC 2069 form, auth-int: 400. */
	mbuf_reset(mb);
	mbuf_write_str(mb, "Digest username=\"alice\"");
	assert_int_equal(auth_at(&a, mb, t + 7), SIP_AUTH_BAD);
	mbuf_reset(mb);
	mbuf_printf(mb,
		    "Digest username=\"alice\", realm=\"sip.test\", "
		    "nonce=\"%s\", uri=\"sip:sip.test\", response=\"%s\"",
		    nonce, u.md5);
	assert_int_equal(auth_at(&a, mb, t + 7), SIP_AUTH_BAD);
	mbuf_printf(mb, ", qop=auth-int, nc=00000001, cnonce=\"c\"");
	assert_int_equal(auth_at(&a, mb, t + 7), SIP_AUTH_BAD);

	pl_set_str(&val, "x");
	assert_int_equal(sip_digest_authenticate(NULL, &val, &PL("REGISTER"), t,
						 &(enum sip_digest_verdict){0},
						 NULL),
			 EINVAL);
	mem_deref(mb);
	mem_deref(a.nonces);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SC_TEST(test_authenticate),
		SC_TEST(test_register_flow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
