/* test_digest_client.c: sip_digest_respond against the RFC 7616 §3.9.1
 * example (MD5 and SHA-256 responses), the choice of SHA-256 over MD5
 * (RFC 8760 §2.4), 407 handling and challenges it cannot answer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "sip/digest.h"
#include "sip/msg.h"

/* RFC 7616 §3.9.1 */
#define REALM "http-auth@example.org"
#define NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define RESP_MD5 "8ca523f5e9506fed4657c9700eebdbec"
#define RESP_SHA256                                                            \
	"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"

#define CHAL(hdr, alg)                                                         \
	hdr ": Digest realm=\"" REALM "\", qop=\"auth, auth-int\", "           \
	    "algorithm=" alg ", nonce=\"" NONCE "\", opaque=\"" OPAQUE         \
	    "\"\r\n"

static const char head[] = "SIP/2.0 %s\r\n"
			   "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n"
			   "From: <sip:a@example.org>;tag=1\r\n"
			   "To: <sip:a@example.org>;tag=2\r\n"
			   "Call-ID: c1\r\n"
			   "CSeq: 1 GET\r\n"
			   "%s"
			   "Content-Length: 0\r\n\r\n";

/* Answers the response built from status and challenge lines with the
 * RFC's user, password and cnonce; returns the error, *out the line. */
static int respond(const char *status, const char *chals, char *out,
		   size_t size, uint32_t *nc)
{
	char buf[2048];
	struct sip_msg msg;
	struct mbuf *mb;
	int err;

	snprintf(buf, sizeof(buf), head, status, chals);
	assert_int_equal(sip_msg_decode(&msg, buf, strlen(buf)), 0);
	assert_int_equal(mbuf_alloc(&mb, 64), 0);
	err = sip_digest_respond_cnonce(mb, &msg, &PL("GET"),
					&PL("/dir/index.html"), &PL("Mufasa"),
					&PL("Circle of Life"), nc, &PL(CNONCE));
	snprintf(out, size, "%.*s", (int)mb->end, (char *)mb->buf);
	mem_deref(mb);
	return err;
}

/* The value of the one line in line, decoded as credentials. */
static void creds_of(const char *line, const char *name, struct sip_digest *d)
{
	struct pl v;
	size_t n = strlen(name);

	assert_int_equal(strncmp(line, name, n), 0);
	assert_int_equal(strncmp(line + n, ": ", 2), 0);
	v.p = line + n + 2;
	v.l = strlen(v.p);
	assert_true(v.l > 2 && !strcmp(v.p + v.l - 2, "\r\n"));
	v.l -= 2;
	assert_int_equal(sip_digest_decode(d, SIP_DIGEST_CREDENTIALS, &v), 0);
}

static void test_respond_rfc7616(void **state)
{
	char line[1024];
	struct sip_digest d;
	uint32_t nc = 0;

	(void)state;
	/* Only MD5 offered: the §3.9.1 MD5 response. */
	assert_int_equal(respond("401 Unauthorized",
				 CHAL("WWW-Authenticate", "MD5"), line,
				 sizeof(line), &nc),
			 0);
	creds_of(line, "Authorization", &d);
	assert_int_equal(d.alg, SIP_DIGEST_MD5);
	assert_int_equal(pl_strcmp(&d.response, RESP_MD5), 0);
	assert_int_equal(pl_strcmp(&d.nc, "00000001"), 0);
	assert_int_equal(pl_strcmp(&d.opaque, OPAQUE), 0);
	assert_int_equal(nc, 1);

	/* Both offered, MD5 first: SHA-256 is chosen anyway. */
	nc = 0;
	assert_int_equal(respond("401 Unauthorized",
				 CHAL("WWW-Authenticate", "MD5")
				     CHAL("WWW-Authenticate", "SHA-256"),
				 line, sizeof(line), &nc),
			 0);
	creds_of(line, "Authorization", &d);
	assert_int_equal(d.alg, SIP_DIGEST_SHA256);
	assert_int_equal(pl_strcmp(&d.response, RESP_SHA256), 0);
	assert_true(d.qop_auth);

	/* 407: Proxy-Authorization from Proxy-Authenticate only. */
	nc = 0;
	assert_int_equal(respond("407 Proxy Authentication Required",
				 CHAL("WWW-Authenticate", "SHA-256")
				     CHAL("Proxy-Authenticate", "MD5"),
				 line, sizeof(line), &nc),
			 0);
	creds_of(line, "Proxy-Authorization", &d);
	assert_int_equal(d.alg, SIP_DIGEST_MD5);
	assert_int_equal(pl_strcmp(&d.response, RESP_MD5), 0);
}

static void test_respond_unusable(void **state)
{
	char line[1024];
	uint32_t nc = 0;

	(void)state;
	/* An unknown algorithm next to nothing else: nothing to answer. */
	assert_int_equal(
	    respond("401 Unauthorized",
		    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", "
		    "algorithm=SHA-512-256\r\n"
		    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", "
		    "qop=\"auth-int\"\r\n"
		    "WWW-Authenticate: Basic realm=\"r\"\r\n",
		    line, sizeof(line), &nc),
	    EBADMSG);
	assert_string_equal(line, "");
	assert_int_equal(nc, 0);
	/* No challenge at all, or not a 401/407. */
	assert_int_equal(
	    respond("401 Unauthorized", "", line, sizeof(line), &nc), EBADMSG);
	assert_int_equal(respond("403 Forbidden",
				 CHAL("WWW-Authenticate", "MD5"), line,
				 sizeof(line), &nc),
			 EINVAL);
	/* A usable one among broken ones is found. */
	assert_int_equal(
	    respond("401 Unauthorized",
		    "WWW-Authenticate: Digest realm=\"r\"\r\n" CHAL(
			"WWW-Authenticate", "MD5"),
		    line, sizeof(line), &nc),
	    0);
}

static void test_respond_random_cnonce(void **state)
{
	char buf[2048];
	struct sip_msg msg;
	struct sip_digest a, b;
	struct mbuf *m1, *m2;
	uint32_t nc = 0;

	(void)state;
	snprintf(buf, sizeof(buf), head, "401 Unauthorized",
		 CHAL("WWW-Authenticate", "SHA-256"));
	assert_int_equal(sip_msg_decode(&msg, buf, strlen(buf)), 0);
	assert_int_equal(mbuf_alloc(&m1, 64), 0);
	assert_int_equal(mbuf_alloc(&m2, 64), 0);
	assert_int_equal(sip_digest_respond(m1, &msg, &PL("REGISTER"),
					    &PL("sip:example.org"), &PL("201"),
					    &PL("pw"), &nc),
			 0);
	assert_int_equal(sip_digest_respond(m2, &msg, &PL("REGISTER"),
					    &PL("sip:example.org"), &PL("201"),
					    &PL("pw"), &nc),
			 0);
	assert_int_equal(mbuf_write_mem(m1, "", 1), 0);
	assert_int_equal(mbuf_write_mem(m2, "", 1), 0);
	creds_of((char *)m1->buf, "Authorization", &a);
	creds_of((char *)m2->buf, "Authorization", &b);
	/* a fresh cnonce each time, and the nonce count goes up */
	assert_false(pl_eq(&a.cnonce, &b.cnonce));
	assert_int_equal(a.ncv, 1);
	assert_int_equal(b.ncv, 2);
	assert_int_equal(nc, 2);
	mem_deref(m1);
	mem_deref(m2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_respond_rfc7616),
	    SC_TEST(test_respond_unusable),
	    SC_TEST(test_respond_random_cnonce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
