/* test_digest.c: digest parser, RFC 7616 / RFC 2617 vectors, challenges,
 * client responses, stateless nonces and nc replay. */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

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

static const uint8_t secret[32] = "0123456789abcdef0123456789abcdef";

static void test_nonce_states(void **state)
{
	struct sip_nonce_conf conf = {.expiry_ms = 1000};
	const uint64_t t = 1700000000000ull;
	struct sip_nonces *n, *n2;
	char nonce[SIP_NONCE_LEN + 1], other[SIP_NONCE_LEN + 1];
	struct pl realm = PL("example.org"), np;
	uint8_t secret2[32];

	(void)state;
	assert_int_equal(sip_nonces_alloc(&n, secret, sizeof(secret), NULL), 0);
	assert_int_equal(sip_nonce_make(n, nonce, &realm, t), 0);
	assert_int_equal(strlen(nonce), SIP_NONCE_LEN);
	assert_int_equal(sip_nonce_make(n, other, &realm, t), 0);
	assert_string_not_equal(nonce, other);
	pl_set_str(&np, nonce);

	assert_int_equal(sip_nonce_check(n, &np, &realm, t), SIP_NONCE_FRESH);
	assert_int_equal(
	    sip_nonce_check(n, &np, &realm, t + SIP_NONCE_EXPIRY_MS - 1),
	    SIP_NONCE_FRESH);
	assert_int_equal(
	    sip_nonce_check(n, &np, &realm, t + SIP_NONCE_EXPIRY_MS),
	    SIP_NONCE_STALE);
	/* Issued "in the future": the clock went back more than the skew. */
	assert_int_equal(
	    sip_nonce_check(n, &np, &realm, t - SIP_NONCE_SKEW_MS - 1),
	    SIP_NONCE_INVALID);
	assert_int_equal(sip_nonce_check(n, &np, &realm, t - 1),
			 SIP_NONCE_FRESH);
	/* Another realm, a flipped character, a truncation. */
	assert_int_equal(sip_nonce_check(n, &np, &PL("example.com"), t),
			 SIP_NONCE_INVALID);
	nonce[5] = nonce[5] == 'A' ? 'B' : 'A';
	assert_int_equal(sip_nonce_check(n, &np, &realm, t), SIP_NONCE_INVALID);
	np.l--;
	assert_int_equal(sip_nonce_check(n, &np, &realm, t), SIP_NONCE_INVALID);
	/* Non-canonical last character (unused bits set). */
	pl_set_str(&np, other);
	other[SIP_NONCE_LEN - 1] = (char)(other[SIP_NONCE_LEN - 1] ^ 1);
	assert_int_equal(sip_nonce_check(n, &np, &realm, t), SIP_NONCE_INVALID);
	other[SIP_NONCE_LEN - 1] = (char)(other[SIP_NONCE_LEN - 1] ^ 1);

	/* A configured lifetime; another secret does not accept our nonce. */
	memcpy(secret2, secret, sizeof(secret2));
	secret2[0] ^= 1;
	assert_int_equal(sip_nonces_alloc(&n2, secret2, sizeof(secret2), &conf),
			 0);
	assert_int_equal(sip_nonce_check(n2, &np, &realm, t),
			 SIP_NONCE_INVALID);
	assert_int_equal(sip_nonce_make(n2, other, &realm, t), 0);
	pl_set_str(&np, other);
	assert_int_equal(sip_nonce_check(n2, &np, &realm, t + 999),
			 SIP_NONCE_FRESH);
	assert_int_equal(sip_nonce_check(n2, &np, &realm, t + 1000),
			 SIP_NONCE_STALE);

	assert_int_equal(sip_nonces_alloc(&n2, secret, 8, NULL), EINVAL);
	mem_deref(n2);
	mem_deref(n);
}

/* The tag is HMAC-SHA256(secret, ts || random || realm) truncated: checked
 * against OpenSSL's one-shot HMAC, so the reused context really is keyed. */
static void test_nonce_layout(void **state)
{
	const uint64_t t = 0x0102030405060708ull;
	struct sip_nonces *n;
	char nonce[SIP_NONCE_LEN + 1], b64[SIP_NONCE_LEN + 2];
	uint8_t raw[64], mac[32], msg[64];
	unsigned int mlen = 0;
	size_t i;

	(void)state;
	assert_int_equal(sip_nonces_alloc(&n, secret, sizeof(secret), NULL), 0);
	assert_int_equal(sip_nonce_make(n, nonce, &PL("r"), t), 0);
	for (i = 0; i < SIP_NONCE_LEN; i++)
		b64[i] = nonce[i] == '-'   ? '+'
			 : nonce[i] == '_' ? '/'
					   : nonce[i];
	b64[SIP_NONCE_LEN] = '=';
	b64[SIP_NONCE_LEN + 1] = '\0';
	assert_int_equal(EVP_DecodeBlock(raw, (uint8_t *)b64, sizeof(b64) - 1),
			 33);
	assert_memory_equal(raw, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	memcpy(msg, raw, 16);
	msg[16] = 'r';
	assert_non_null(
	    HMAC(EVP_sha256(), secret, sizeof(secret), msg, 17, mac, &mlen));
	assert_memory_equal(raw + 16, mac, 16);
	mem_deref(n);
}

static void test_nonce_replay(void **state)
{
	const uint64_t t = 1700000000000ull;
	struct sip_nonces *n;
	char a[SIP_NONCE_LEN + 1], b[SIP_NONCE_LEN + 1];
	struct pl realm = PL("r"), pa, pb;

	(void)state;
	assert_int_equal(sip_nonces_alloc(&n, secret, sizeof(secret), NULL), 0);
	assert_int_equal(sip_nonce_make(n, a, &realm, t), 0);
	assert_int_equal(sip_nonce_make(n, b, &realm, t), 0);
	pl_set_str(&pa, a);
	pl_set_str(&pb, b);

	assert_int_equal(sip_nonce_use(n, &pa, 1, t), 0);
	assert_int_equal(sip_nonce_use(n, &pa, 1, t), EACCES);
	assert_int_equal(sip_nonce_use(n, &pa, 2, t), 0);
	assert_int_equal(sip_nonce_use(n, &pa, 1, t), EACCES);
	assert_int_equal(sip_nonce_use(n, &pa, 5, t), 0); /* gaps are fine */
	assert_int_equal(sip_nonce_use(n, &pa, 4, t), EACCES);
	/* The RFC 2069 form (nc 0) works once per nonce. */
	assert_int_equal(sip_nonce_use(n, &pb, 0, t), 0);
	assert_int_equal(sip_nonce_use(n, &pb, 0, t), EACCES);
	assert_int_equal(sip_nonces_count(n), 2);
	assert_int_equal(sip_nonce_use(n, &PL("garbage"), 1, t), EBADMSG);

	/* Expired entries are dropped at the next use. */
	assert_int_equal(sip_nonce_make(n, a, &realm, t + 400000), 0);
	assert_int_equal(sip_nonce_use(n, &pa, 1, t + 400000), 0);
	assert_int_equal(sip_nonces_count(n), 1);
	mem_deref(n);
}

static void test_nonce_eviction(void **state)
{
	struct sip_nonce_conf conf = {.replay_max = 4};
	const uint64_t t = 1700000000000ull;
	char nonce[6][SIP_NONCE_LEN + 1];
	struct pl realm = PL("r"), np[6];
	struct sip_nonces *n;
	size_t i;

	(void)state;
	assert_int_equal(sip_nonces_alloc(&n, secret, sizeof(secret), &conf),
			 0);
	for (i = 0; i < 6; i++) {
		assert_int_equal(sip_nonce_make(n, nonce[i], &realm, t + i), 0);
		pl_set_str(&np[i], nonce[i]);
	}
	for (i = 0; i < 5; i++)
		assert_int_equal(sip_nonce_use(n, &np[i], 1, t + 10), 0);
	assert_int_equal(sip_nonces_count(n), 4);

	/* Nonce 0 was forgotten: it is stale now, never replayable. */
	assert_int_equal(sip_nonce_check(n, &np[0], &realm, t + 10),
			 SIP_NONCE_STALE);
	assert_int_equal(sip_nonce_use(n, &np[0], 2, t + 10), EACCES);
	/* Remembered nonces keep working; a newer unused one is fresh. */
	assert_int_equal(sip_nonce_check(n, &np[1], &realm, t + 10),
			 SIP_NONCE_FRESH);
	assert_int_equal(sip_nonce_use(n, &np[1], 2, t + 10), 0);
	assert_int_equal(sip_nonce_check(n, &np[5], &realm, t + 10),
			 SIP_NONCE_FRESH);
	assert_int_equal(sip_nonce_use(n, &np[5], 1, t + 10), 0);
	assert_int_equal(sip_nonces_count(n), 4);
	mem_deref(n);
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
	struct sip_digest_chal ch = {.realm = "sip.test", .nonce = nonce};
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

static void test_alloc_failures(void **state)
{
	struct sip_nonces *n = NULL;
	char nonce[SIP_NONCE_LEN + 1];
	struct pl np;
	long i;
	int err;

	(void)state;
	for (i = 0; i < 8; i++) {
		mem_fail_after(i);
		err = sip_nonces_alloc(&n, secret, sizeof(secret), NULL);
		mem_fail_after(-1);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
	}
	assert_int_equal(err, 0);
	assert_int_equal(sip_nonce_make(n, nonce, &PL("r"), 1), 0);
	pl_set_str(&np, nonce);
	mem_fail_after(0);
	assert_int_equal(sip_nonce_use(n, &np, 1, 1), ENOMEM);
	assert_int_equal(sip_nonce_use(n, &np, 1, 1), 0);
	mem_deref(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_rfc7616_md5),       SC_TEST(test_rfc7616_sha256),
	    SC_TEST(test_rfc2617),           SC_TEST(test_rfc2069_form),
	    SC_TEST(test_parse_errors),      SC_TEST(test_parse_challenge),
	    SC_TEST(test_challenge_builder), SC_TEST(test_client_auth),
	    SC_TEST(test_nonce_states),      SC_TEST(test_nonce_layout),
	    SC_TEST(test_nonce_replay),      SC_TEST(test_nonce_eviction),
	    SC_TEST(test_authenticate),      SC_TEST(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
