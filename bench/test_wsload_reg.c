/* test_wsload_reg.c: wsload's REGISTER mode codec: the REGISTER it writes
 * (RFC 3261 10.2, read back with the SIP response reader's rules), the MD5
 * challenge picked out of a 401 (SHA-256 and MD5 offered, RFC 8760 2.4) cut
 * at every byte, and its Authorization checked by the server-side digest
 * verifier (RFC 7616 3.4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sip/digest.h"
#include "testutil.h"
#include "wsload.h"

static const char resp_401[] =
    "SIP/2.0 401 Unauthorized\r\n"
    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKx\r\n"
    "CSeq: 7 REGISTER\r\n"
    "WWW-Authenticate: Digest realm=\"sipcloak.test\", "
    "nonce=\"AAAB\", algorithm=SHA-256, qop=\"auth\"\r\n"
    "www-authenticate : Digest realm=\"sipcloak.test\", "
    "nonce=\"n0nce\", opaque=\"op\", algorithm=MD5, qop=\"auth\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static void test_register(void **state)
{
	struct wsload_reg_req req = {
	    .domain = "sipcloak.test",
	    .user = "dev1",
	    .callid = "abc-1",
	    .tag = "abc",
	    .conn_id = 1,
	    .cseq = 42,
	};
	char buf[1024];
	size_t len;

	(void)state;
	assert_int_equal(wsload_sip_register(buf, sizeof(buf), &len, &req), 0);
	assert_int_equal(len, strlen(buf));
	assert_true(!strncmp(buf, "REGISTER sip:sipcloak.test SIP/2.0\r\n", 36));
	assert_non_null(strstr(buf, "\r\nTo: <sip:dev1@sipcloak.test>\r\n"));
	assert_non_null(strstr(buf, "\r\nCall-ID: abc-1\r\n"));
	assert_non_null(strstr(buf, "\r\nCSeq: 42 REGISTER\r\n"));
	assert_non_null(strstr(buf, "\r\nExpires: 3600\r\n"));
	assert_null(strstr(buf, "Authorization"));
	assert_true(len > 4 && !strcmp(buf + len - 4, "\r\n\r\n"));

	req.auth = "Digest username=\"dev1\"";
	assert_int_equal(wsload_sip_register(buf, sizeof(buf), &len, &req), 0);
	assert_non_null(
	    strstr(buf, "\r\nAuthorization: Digest username=\"dev1\"\r\n"));
	/* Too small a buffer, and a missing field. */
	assert_int_equal(wsload_sip_register(buf, 100, &len, &req), EOVERFLOW);
	req.user = NULL;
	assert_int_equal(wsload_sip_register(buf, sizeof(buf), &len, &req),
	                 EINVAL);
}

static void test_challenge(void **state)
{
	const size_t n = sizeof(resp_401) - 1;
	char chal[WSLOAD_CHAL_MAX];
	size_t len = 0;

	(void)state;
	assert_int_equal(wsload_sip_challenge((const uint8_t *)resp_401, n,
	                                      chal, sizeof(chal), &len),
	                 0);
	assert_string_equal(chal, "Digest realm=\"sipcloak.test\", "
	                          "nonce=\"n0nce\", opaque=\"op\", "
	                          "algorithm=MD5, qop=\"auth\"");
	assert_int_equal(len, strlen(chal));
	/* Too small a copy. */
	assert_int_equal(wsload_sip_challenge((const uint8_t *)resp_401, n,
	                                      chal, 20, &len),
	                 EOVERFLOW);
	/* Every cut into an exact-size heap copy: no over-read (ASan); only
	 * cuts holding the whole MD5 line find it. */
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);
		int err;

		assert_non_null(b);
		memcpy(b, resp_401, cut);
		err = wsload_sip_challenge(b, cut, chal, sizeof(chal), &len);
		free(b);
		assert_true(err == 0 || err == ENOENT);
		if (cut < (size_t)(strstr(resp_401, "Content-Length") -
		                   resp_401) -
		              2)
			assert_int_equal(err, ENOENT);
	}
}

static void test_challenge_none(void **state)
{
	static const char sha_only[] =
	    "SIP/2.0 401 Unauthorized\r\n"
	    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", "
	    "algorithm=SHA-256, qop=\"auth\"\r\n"
	    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n"
	    "\r\n"
	    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=auth\r\n";
	char chal[WSLOAD_CHAL_MAX];
	size_t len;

	(void)state;
	/* SHA-256 only, MD5 without qop, and one past the blank line. */
	assert_int_equal(wsload_sip_challenge((const uint8_t *)sha_only,
	                                      sizeof(sha_only) - 1, chal,
	                                      sizeof(chal), &len),
	                 ENOENT);
	assert_int_equal(wsload_sip_challenge(NULL, 0, chal, sizeof(chal),
	                                      &len),
	                 EINVAL);
}

/* Decodes the Authorization value auth and verifies it for password. */
static int verify(const char *auth, const char *user, const char *password)
{
	const struct pl val = {auth, strlen(auth)};
	struct pl u, realm, pw, method;
	char ha1[SIP_DIGEST_HEX_MAX];
	struct sip_digest cred;
	int err;

	err = sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS, &val);
	if (err)
		return err;
	pl_set_str(&u, user);
	pl_set_str(&realm, "sipcloak.test");
	pl_set_str(&pw, password);
	pl_set_str(&method, "REGISTER");
	err = sip_digest_ha1(ha1, SIP_DIGEST_MD5, &u, &realm, &pw);
	if (err)
		return err;
	return sip_digest_verify(&cred, ha1, &method, false);
}

static void test_authorize(void **state)
{
	const struct wsload_cred cred = {.user = "dev1", .pass = "s3cret"};
	char chal[WSLOAD_CHAL_MAX], auth[WSLOAD_AUTH_MAX];
	size_t len;

	(void)state;
	assert_int_equal(wsload_sip_challenge((const uint8_t *)resp_401,
	                                      sizeof(resp_401) - 1, chal,
	                                      sizeof(chal), &len),
	                 0);
	assert_int_equal(wsload_sip_authorize(auth, sizeof(auth), chal, &cred,
	                                      "sip:sipcloak.test", 3,
	                                      "c1c2c3c4"),
	                 0);
	assert_non_null(strstr(auth, "username=\"dev1\""));
	assert_non_null(strstr(auth, "nc=00000003"));
	assert_non_null(strstr(auth, "qop=auth"));
	assert_non_null(strstr(auth, "opaque=\"op\""));
	assert_int_equal(verify(auth, "dev1", "s3cret"), 0);
	assert_int_equal(verify(auth, "dev1", "wrong"), EACCES);
	/* Errors: nc 0, too small, a challenge that is not MD5 + auth. */
	assert_int_equal(wsload_sip_authorize(auth, sizeof(auth), chal, &cred,
	                                      "sip:sipcloak.test", 0, "c"),
	                 EINVAL);
	assert_int_equal(wsload_sip_authorize(auth, 40, chal, &cred,
	                                      "sip:sipcloak.test", 1, "c"),
	                 EOVERFLOW);
	assert_int_equal(
	    wsload_sip_authorize(auth, sizeof(auth),
	                         "Digest realm=\"r\", nonce=\"n\", "
	                         "algorithm=SHA-256, qop=\"auth\"",
	                         &cred, "sip:r", 1, "c"),
	    EBADMSG);
	assert_int_equal(wsload_sip_authorize(auth, sizeof(auth), "Basic x",
	                                      &cred, "sip:r", 1, "c"),
	                 EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_register),
	    SC_TEST(test_challenge),
	    SC_TEST(test_challenge_none),
	    SC_TEST(test_authorize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
