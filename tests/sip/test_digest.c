/* test_digest.c: digest parser, RFC 7616 / RFC 2617 vectors, challenges and
 * client responses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "sip/digest.h"

/* RFC 7616 §3.9.1 */
#define R7616_REALM "http-auth@example.org"
#define R7616_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_MD5 "8ca523f5e9506fed4657c9700eebdbec"
#define R7616_SHA256                                                           \
	"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"

static const struct pl get = PL("GET");

static int decode_str(struct sip_digest *d, enum sip_digest_kind kind,
		      const char *s)
{
	struct pl v;

	pl_set_str(&v, s);
	return sip_digest_decode(d, kind, &v);
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

static void check_rfc7616(const char *alg, enum sip_digest_alg a,
			  const char *want)
{
	char hdr[1024], ha1[SIP_DIGEST_HEX_MAX], resp[SIP_DIGEST_HEX_MAX];
	struct sip_digest d;

	snprintf(hdr, sizeof(hdr),
		 "Digest username=\"Mufasa\",\r\n realm=\"" R7616_REALM "\", "
		 "uri=\"/dir/index.html\", algorithm=%s, nonce=\"" R7616_NONCE
		 "\", nc=00000001, cnonce=\"" R7616_CNONCE "\", qop=auth, "
		 "response=\"%s\", opaque=\"" R7616_OPAQUE "\"",
		 alg, want);
	assert_int_equal(decode_str(&d, SIP_DIGEST_CREDENTIALS, hdr), 0);
	assert_int_equal(d.alg, a);
	assert_int_equal(d.ncv, 1);
	assert_true(d.qop_auth);
	assert_int_equal(pl_strcmp(&d.opaque, R7616_OPAQUE), 0);

	ha1_of(ha1, a, "Mufasa", R7616_REALM, "Circle of Life");
	assert_int_equal(sip_digest_response(resp, &d, ha1, &get), 0);
	assert_string_equal(resp, want);
	assert_int_equal(sip_digest_verify(&d, ha1, &get, false), 0);

	/* Wrong password, wrong method. */
	ha1_of(ha1, a, "Mufasa", R7616_REALM, "Circle of life");
	assert_int_equal(sip_digest_verify(&d, ha1, &get, false), EACCES);
	ha1_of(ha1, a, "Mufasa", R7616_REALM, "Circle of Life");
	assert_int_equal(sip_digest_verify(&d, ha1, &PL("PUT"), false), EACCES);
}

static void test_rfc7616_md5(void **state)
{
	char ha1[SIP_DIGEST_HEX_MAX];

	(void)state;
	ha1_of(ha1, SIP_DIGEST_MD5, "Mufasa", R7616_REALM, "Circle of Life");
	assert_string_equal(ha1, "3d78807defe7de2157e2b0b6573a855f");
	check_rfc7616("MD5", SIP_DIGEST_MD5, R7616_MD5);
}

static void test_rfc7616_sha256(void **state)
{
	char ha1[SIP_DIGEST_HEX_MAX];

	(void)state;
	ha1_of(ha1, SIP_DIGEST_SHA256, "Mufasa", R7616_REALM, "Circle of Life");
	assert_string_equal(ha1, "7987c64c30e25f1b74be53f966b49b90"
				 "f2808aa92faf9a00262392d7b4794232");
	check_rfc7616("SHA-256", SIP_DIGEST_SHA256, R7616_SHA256);
}

#define R2617                                                                  \
	"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "           \
	"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "                       \
	"uri=\"/dir/index.html\", "

static void test_rfc2617(void **state)
{
	char ha1[SIP_DIGEST_HEX_MAX], resp[SIP_DIGEST_HEX_MAX];
	struct sip_digest d;

	(void)state;
	/* RFC 2617 §3.5, algorithm absent (MD5), upper-case hex accepted. */
	assert_int_equal(
	    decode_str(&d, SIP_DIGEST_CREDENTIALS,
		       R2617 "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
			     "response=\"6629FAE49393A05397450978507C4EF1\","
			     " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
	    0);
	assert_int_equal(d.alg, SIP_DIGEST_MD5);
	ha1_of(ha1, SIP_DIGEST_MD5, "Mufasa", "testrealm@host.com",
	       "Circle Of Life");
	assert_int_equal(sip_digest_response(resp, &d, ha1, &get), 0);
	assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");
	assert_int_equal(sip_digest_verify(&d, ha1, &get, false), 0);

	/* The same with MD5-sess (value computed independently). */
	assert_int_equal(
	    decode_str(&d, SIP_DIGEST_CREDENTIALS,
		       R2617 "qop=\"auth\", nc=00000001, cnonce=\"0a4f113b\""
			     ", algorithm=md5-SESS, "
			     "response=\"8e3825c57e897f5a0dec6c2d4e5059d0\""),
	    0);
	assert_int_equal(d.alg, SIP_DIGEST_MD5_SESS);
	assert_int_equal(sip_digest_verify(&d, ha1, &get, false), 0);

	/* A SHA-256 HA1 cannot check an MD5 response. */
	ha1_of(ha1, SIP_DIGEST_SHA256, "Mufasa", "testrealm@host.com",
	       "Circle Of Life");
	assert_int_equal(sip_digest_verify(&d, ha1, &get, false), EINVAL);
}

static void test_rfc2069_form(void **state)
{
	char ha1[SIP_DIGEST_HEX_MAX];
	struct sip_digest d;

	(void)state;
	assert_int_equal(
	    decode_str(&d, SIP_DIGEST_CREDENTIALS,
		       R2617 "response=\"670fd8c2df070c60b045671b8b24ff02\""),
	    0);
	ha1_of(ha1, SIP_DIGEST_MD5, "Mufasa", "testrealm@host.com",
	       "Circle Of Life");
	/* Refused by default (no cnonce, no nc), accepted when allowed. */
	assert_int_equal(sip_digest_verify(&d, ha1, &get, false), EACCES);
	assert_int_equal(sip_digest_verify(&d, ha1, &get, true), 0);

	/* auth-int is not supported: malformed for us, not a wrong password. */
	assert_int_equal(
	    decode_str(&d, SIP_DIGEST_CREDENTIALS,
		       R2617 "qop=auth-int, nc=00000001, cnonce=\"x\", "
			     "response=\"670fd8c2df070c60b045671b8b24ff02\""),
	    0);
	assert_int_equal(sip_digest_verify(&d, ha1, &get, true), EBADMSG);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
	    "",
	    "Digest",
	    "Digest ",
	    "Basic username=\"a\"",
	    "Digestusername=\"a\"",
	    R2617 "response=\"x\", username=\"b\"", /* duplicate */
	    R2617 "response=\"x\", URI=\"/b\"",     /* duplicate, case */
	    "Digest realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\"",
	    R2617 "cnonce=\"c\"",                           /* no response */
	    R2617 "response=\"x\", qop=auth, cnonce=\"c\"", /* no nc */
	    R2617 "response=\"x\", qop=auth, nc=00000001",  /* no cnonce */
	    R2617 "response=\"x\", qop=auth, nc=1, cnonce=\"c\"",
	    R2617 "response=\"x\", qop=auth, nc=0000000g, cnonce=\"c\"",
	    R2617 "response=\"x\",", /* trailing comma */
	    R2617 "response=\"x\",, opaque=\"o\"",
	    R2617 "response=\"x",                /* unterminated */
	    R2617 "response=\"x\\",              /* escape at end */
	    R2617 "response=\"x\" opaque=\"o\"", /* no comma */
	    R2617 "response=\"a\x01\"",          /* CTL */
	    R2617 "response=\"a\\\x01\"",        /* escaped CTL */
	    R2617 "response=",
	    R2617 "response",
	    R2617 "=\"x\"",
	};
	char big[SIP_DIGEST_PARAM_MAX + 200];
	struct sip_digest d;
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		int err = decode_str(&d, SIP_DIGEST_CREDENTIALS, bad[i]);

		if (err != EBADMSG)
			fail_msg("case %zu: %d: %s", i, err, bad[i]);
	}
	assert_int_equal(
	    decode_str(&d, SIP_DIGEST_CHALLENGE, "Digest nonce=\"n\""),
	    EBADMSG); /* no realm */
	assert_int_equal(
	    sip_digest_decode(NULL, SIP_DIGEST_CHALLENGE, &PL("x")), EINVAL);

	/* A value over the limit. */
	memset(big, 0, sizeof(big));
	strcpy(big, R2617 "response=\"");
	memset(big + strlen(big), 'a', SIP_DIGEST_PARAM_MAX + 1);
	strcat(big, "\"");
	assert_int_equal(decode_str(&d, SIP_DIGEST_CREDENTIALS, big),
			 EOVERFLOW);

	/* Too many parameters (unknown ones count too). */
	strcpy(big, R2617 "response=\"x\"");
	for (i = 0; i < SIP_DIGEST_PARAMS_MAX; i++)
		strcat(big, ",x=y");
	assert_int_equal(decode_str(&d, SIP_DIGEST_CREDENTIALS, big),
			 EOVERFLOW);
}

/* Every prefix of a valid header, in an exact-size heap copy: the decoder
 * must give an answer for each without reading past the end (ASan). */
static void test_parse_prefixes(void **state)
{
	static const char full[] =
	    "Digest username=\"Mu\\\"fasa\", realm=\"" R7616_REALM "\", "
	    "uri=\"/dir/index.html\", algorithm=SHA-256-sess, "
	    "nonce=\"" R7616_NONCE "\", nc=00000001, cnonce=\"" R7616_CNONCE
	    "\", qop=auth, "
	    "response=\"" R7616_SHA256 "\", opaque=\"" R7616_OPAQUE "\", "
	    "userhash=false";
	struct sip_digest d;
	size_t l, ok = 0;

	(void)state;
	for (l = 0; l <= sizeof(full) - 1; l++) {
		char *buf = malloc(l ? l : 1);
		struct pl v = {buf, l};
		int err;

		assert_non_null(buf);
		memcpy(buf, full, l);
		err = sip_digest_decode(&d, SIP_DIGEST_CREDENTIALS, &v);
		assert_true(err == 0 || err == EBADMSG);
		ok += !err;
		free(buf);
	}
	/* The last round was the whole header, and it decoded. */
	assert_true(ok >= 1);
	assert_int_equal(d.alg, SIP_DIGEST_SHA256_SESS);
	assert_false(d.is_userhash);
}

static void test_parse_challenge(void **state)
{
	char buf[SIP_DIGEST_PARAM_MAX + 1];
	struct sip_digest d;
	size_t n;

	(void)state;
	assert_int_equal(decode_str(&d, SIP_DIGEST_CHALLENGE,
				    "digest  realm = \"a \\\"q\\\" \\\\ b\","
				    "qop=\"auth-int , auth\",nonce=\"n1\","
				    "algorithm=SHA-256,stale=TRUE, foo=bar, "
				    "userhash=true"),
			 0);
	assert_int_equal(d.alg, SIP_DIGEST_SHA256);
	assert_true(d.qop_auth);
	assert_true(d.is_stale);
	assert_true(d.is_userhash);
	assert_int_equal(sip_digest_unquote(buf, sizeof(buf), &n, &d.realm), 0);
	assert_string_equal(buf, "a \"q\" \\ b");
	assert_int_equal(n, 9);
	assert_int_equal(sip_digest_unquote(buf, 4, NULL, &d.realm), EOVERFLOW);

	assert_int_equal(decode_str(&d, SIP_DIGEST_CHALLENGE,
				    "Digest realm=\"\", nonce=\"n\", "
				    "qop=\"auth-int\", algorithm=SHA-512-256"),
			 0);
	assert_false(d.qop_auth);
	assert_false(d.is_stale);
	assert_int_equal(d.alg, SIP_DIGEST_UNKNOWN);
	assert_int_equal(sip_digest_hexlen(d.alg), 0);
}

static void test_challenge_builder(void **state)
{
	struct sip_digest_chal ch = {
	    .realm = "sip.example.org",
	    .nonce = "abc",
	    .opaque = "o\"p",
	};
	struct sip_digest d;
	struct mbuf *mb;
	struct pl line;
	const char *nl;

	(void)state;
	assert_int_equal(mbuf_alloc(&mb, 64), 0);
	ch.order = SIP_DIGEST_ORDER_MD5_FIRST;
	assert_int_equal(sip_digest_challenge(mb, &ch), 0);
	assert_int_equal(
	    pl_strcmp(&(struct pl){(char *)mb->buf, mb->end},
		      "WWW-Authenticate: Digest realm=\"sip.example.org\", "
		      "nonce=\"abc\", opaque=\"o\\\"p\", algorithm=MD5, "
		      "qop=\"auth\"\r\n"
		      "WWW-Authenticate: Digest realm=\"sip.example.org\", "
		      "nonce=\"abc\", opaque=\"o\\\"p\", algorithm=SHA-256, "
		      "qop=\"auth\"\r\n"),
	    0);

	/* Each line parses back as a challenge. */
	nl = memchr(mb->buf, '\n', mb->end);
	assert_non_null(nl);
	line.p = (char *)mb->buf + strlen("WWW-Authenticate: ");
	line.l = (size_t)(nl - 1 - line.p);
	assert_int_equal(sip_digest_decode(&d, SIP_DIGEST_CHALLENGE, &line), 0);
	assert_int_equal(d.alg, SIP_DIGEST_MD5);
	assert_true(d.qop_auth);

	mbuf_reset(mb);
	ch.proxy = true;
	ch.stale = true;
	ch.opaque = NULL;
	ch.order = SIP_DIGEST_ORDER_SHA256_FIRST;
	assert_int_equal(sip_digest_challenge(mb, &ch), 0);
	assert_int_equal(
	    pl_strcmp(&(struct pl){(char *)mb->buf, mb->end},
		      "Proxy-Authenticate: Digest realm=\"sip.example.org\", "
		      "nonce=\"abc\", algorithm=SHA-256, qop=\"auth\", "
		      "stale=true\r\n"
		      "Proxy-Authenticate: Digest realm=\"sip.example.org\", "
		      "nonce=\"abc\", algorithm=MD5, qop=\"auth\", "
		      "stale=true\r\n"),
	    0);

	mbuf_reset(mb);
	ch.order = SIP_DIGEST_ORDER_MD5_ONLY;
	ch.realm = "bad\r\nInjected: 1";
	assert_int_equal(sip_digest_challenge(mb, &ch), EINVAL);
	assert_int_equal(mb->end, 0);
	mem_deref(mb);
}

static void client_rfc7616(enum sip_digest_alg alg, const char *algname,
			   const char *want)
{
	char hdr[512], ha1[SIP_DIGEST_HEX_MAX];
	struct sip_digest chal, cred;
	struct sip_digest_client cl = {
	    .username = PL("Mufasa"),
	    .password = PL("Circle of Life"),
	    .method = PL("GET"),
	    .uri = PL("/dir/index.html"),
	    .cnonce = PL(R7616_CNONCE),
	    .nc = 1,
	};
	struct mbuf *mb;
	struct pl v;

	snprintf(hdr, sizeof(hdr),
		 "Digest realm=\"" R7616_REALM "\", qop=\"auth, auth-int\", "
		 "algorithm=%s, nonce=\"" R7616_NONCE
		 "\", opaque=\"" R7616_OPAQUE "\"",
		 algname);
	assert_int_equal(decode_str(&chal, SIP_DIGEST_CHALLENGE, hdr), 0);
	assert_int_equal(mbuf_alloc(&mb, 16), 0);
	assert_int_equal(sip_digest_client_auth(mb, &chal, &cl), 0);
	v.p = (char *)mb->buf;
	v.l = mb->end;
	assert_int_equal(sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS, &v),
			 0);
	assert_int_equal(cred.alg, alg);
	assert_int_equal(pl_strcmp(&cred.response, want), 0);
	assert_int_equal(pl_strcmp(&cred.opaque, R7616_OPAQUE), 0);
	ha1_of(ha1, alg, "Mufasa", R7616_REALM, "Circle of Life");
	assert_int_equal(sip_digest_verify(&cred, ha1, &get, false), 0);
	mem_deref(mb);
}

static void test_client_auth(void **state)
{
	struct sip_digest chal;
	struct sip_digest_client cl = {
	    .username = PL("Mufasa"),
	    .password = PL("pw"),
	    .method = PL("REGISTER"),
	    .uri = PL("sip:example.org"),
	    .cnonce = PL("c"),
	    .nc = 1,
	};
	struct mbuf *mb;

	(void)state;
	client_rfc7616(SIP_DIGEST_MD5, "MD5", R7616_MD5);
	client_rfc7616(SIP_DIGEST_SHA256, "SHA-256", R7616_SHA256);

	assert_int_equal(mbuf_alloc(&mb, 16), 0);
	/* Only auth-int offered, or an unknown algorithm: cannot answer. */
	assert_int_equal(decode_str(&chal, SIP_DIGEST_CHALLENGE,
				    "Digest realm=\"r\", nonce=\"n\", "
				    "qop=\"auth-int\""),
			 0);
	assert_int_equal(sip_digest_client_auth(mb, &chal, &cl), EBADMSG);
	assert_int_equal(decode_str(&chal, SIP_DIGEST_CHALLENGE,
				    "Digest realm=\"r\", nonce=\"n\", "
				    "algorithm=SHA-512-256"),
			 0);
	assert_int_equal(sip_digest_client_auth(mb, &chal, &cl), EBADMSG);
	assert_int_equal(mb->end, 0);

	/* userhash=true sends H(user:realm) as the username (RFC 7616
	 * §3.4.4; value computed independently). */
	assert_int_equal(decode_str(&chal, SIP_DIGEST_CHALLENGE,
				    "Digest realm=\"" R7616_REALM "\", "
				    "nonce=\"n\", algorithm=SHA-256, "
				    "userhash=true"),
			 0);
	assert_int_equal(sip_digest_client_auth(mb, &chal, &cl), 0);
	assert_true(pl_casefind(&(struct pl){(char *)mb->buf, mb->end},
				"username=\"a947aad205e80e429958a387394944c6"
				"b496301e79f89d35a4cc23b6ee12b5b6\""));
	assert_true(pl_casefind(&(struct pl){(char *)mb->buf, mb->end},
				"userhash=true"));
	mem_deref(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_rfc7616_md5),     SC_TEST(test_rfc7616_sha256),
	    SC_TEST(test_rfc2617),         SC_TEST(test_rfc2069_form),
	    SC_TEST(test_parse_errors),    SC_TEST(test_parse_prefixes),
	    SC_TEST(test_parse_challenge), SC_TEST(test_challenge_builder),
	    SC_TEST(test_client_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
