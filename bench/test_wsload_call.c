/* test_wsload_call.c: wsload's call mode codec: the INVITE with its WebRTC
 * offer read back by sipcloak's SIP and SDP decoders (RFC 3261 7, RFC 8866),
 * the ACK and BYE of the dialog (RFC 3261 13.2.2.4, 17.1.1.3, 15.1.1), the
 * To tag and Contact picked from responses cut at every byte, and the
 * INVITE's digest checked by the server-side verifier (RFC 7616 3.4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "testutil.h"
#include "wsload.h"

static const char resp_200[] =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKx\r\n"
    "From: <sip:dev1@sipcloak.test>;tag=abc\r\n"
    "t : <sip:9100@sipcloak.test;user=phone>;x=1;TAG=gw7f3;y=2\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 2 INVITE\r\n"
    "m: \"GW\" <sip:gw@k3j.invalid;transport=ws>;expires=60\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static const char resp_401[] =
    "SIP/2.0 401 Unauthorized\r\n"
    "To: <sip:9100@sipcloak.test>;tag=t401\r\n"
    "CSeq: 1 INVITE\r\n"
    "WWW-Authenticate: Digest realm=\"sipcloak.test\", nonce=\"n0\", "
    "algorithm=MD5, qop=\"auth\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static void test_offer(void **state)
{
	const struct wsload_sdp_req sr = {.sess_id = 77,
					  .ufrag = "Uf8a",
					  .pwd = "0123456789abcdefghijkl",
					  .ssrc = 1234,
					  .port = 50001};
	char sdp[WSLOAD_SDP_MAX];
	struct sdp_sess *sess;
	size_t len;

	(void)state;
	assert_int_equal(wsload_sdp_offer(sdp, sizeof(sdp), &len, &sr), 0);
	assert_int_equal(len, strlen(sdp));
	assert_non_null(strstr(sdp, "a=ice-ufrag:Uf8a\r\n"));
	assert_non_null(strstr(sdp, "a=ice-pwd:0123456789abcdefghijkl\r\n"));
	assert_non_null(strstr(sdp, "a=rtpmap:126 telephone-event/8000\r\n"));
	sess = malloc(sizeof(*sess));
	assert_non_null(sess);
	assert_int_equal(sdp_decode(sess, sdp, len), 0);
	assert_int_equal(sess->mediac, 1);
	free(sess);
	assert_int_equal(wsload_sdp_offer(sdp, 100, &len, &sr), EOVERFLOW);
}

static void test_invite(void **state)
{
	struct wsload_call_req req = {
	    .method = WSLOAD_CALL_INVITE,
	    .domain = "sipcloak.test",
	    .user = "dev1",
	    .target = "9100",
	    .callid = "c1",
	    .tag = "abc",
	    .sdp = "v=0\r\n",
	    .conn_id = 3,
	    .cseq = 1,
	};
	char buf[WSLOAD_CALL_SIP_MAX];
	struct sip_msg msg;
	size_t len;

	(void)state;
	assert_int_equal(wsload_sip_call(buf, sizeof(buf), &len, &req), 0);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_int_equal(pl_strcmp(&msg.method, "INVITE"), 0);
	assert_int_equal(msg.cseq.num, 1);
	assert_int_equal(pl_strcmp(&msg.body, "v=0\r\n"), 0);
	assert_true(
	    !strncmp(buf, "INVITE sip:9100@sipcloak.test SIP/2.0\r\n", 39));
	assert_non_null(strstr(buf, "branch=z9hG4bKabc31\r\n"));
	assert_non_null(strstr(buf, "\r\nContent-Type: application/sdp\r\n"));
	assert_null(strstr(buf, "Authorization"));
	/* The 2xx ACK: new branch, remote target, To tag, no body. */
	req.method = WSLOAD_CALL_ACK;
	req.to_tag = "gw7f3";
	req.ruri = "sip:gw@k3j.invalid;transport=ws";
	req.branch_ext = "a";
	assert_int_equal(wsload_sip_call(buf, sizeof(buf), &len, &req), 0);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_true(!strncmp(buf, "ACK sip:gw@k3j.invalid;transport=ws ", 36));
	assert_non_null(strstr(buf, "branch=z9hG4bKabc31a\r\n"));
	assert_non_null(
	    strstr(buf, "\r\nTo: <sip:9100@sipcloak.test>;tag=gw7f3\r\n"));
	assert_non_null(strstr(buf, "\r\nCSeq: 1 ACK\r\n"));
	assert_non_null(strstr(buf, "\r\nContent-Length: 0\r\n\r\n"));
	/* BYE with a route and credentials. */
	req.method = WSLOAD_CALL_BYE;
	req.cseq = 2;
	req.branch_ext = NULL;
	req.route = "<sip:proxy.invalid;lr>";
	req.auth = "Digest x";
	assert_int_equal(wsload_sip_call(buf, sizeof(buf), &len, &req), 0);
	assert_int_equal(sip_msg_decode(&msg, buf, len), 0);
	assert_int_equal(pl_strcmp(&msg.method, "BYE"), 0);
	assert_non_null(strstr(buf, "\r\nRoute: <sip:proxy.invalid;lr>\r\n"));
	assert_non_null(strstr(buf, "\r\nAuthorization: Digest x\r\n"));
	/* Errors. */
	assert_int_equal(wsload_sip_call(buf, 200, &len, &req), EOVERFLOW);
	req.method = WSLOAD_CALL_INVITE;
	req.sdp = NULL;
	assert_int_equal(wsload_sip_call(buf, sizeof(buf), &len, &req), EINVAL);
}

static void test_fields(void **state)
{
	const size_t n = sizeof(resp_200) - 1;
	char tag[WSLOAD_TAG_MAX], uri[WSLOAD_URI_MAX];

	(void)state;
	assert_int_equal(
	    wsload_sip_to_tag((const uint8_t *)resp_200, n, tag, sizeof(tag)),
	    0);
	assert_string_equal(tag, "gw7f3");
	assert_int_equal(
	    wsload_sip_contact((const uint8_t *)resp_200, n, uri, sizeof(uri)),
	    0);
	assert_string_equal(uri, "sip:gw@k3j.invalid;transport=ws");
	assert_int_equal(
	    wsload_sip_to_tag((const uint8_t *)resp_200, n, tag, 3), EOVERFLOW);
	/* Cut short anywhere: never read past n, never a wrong answer. */
	for (size_t k = 0; k < n; k++) {
		uint8_t *cut = malloc(k ? k : 1);
		int err;

		assert_non_null(cut);
		memcpy(cut, resp_200, k);
		err = wsload_sip_to_tag(cut, k, tag, sizeof(tag));
		if (!err)
			assert_true(!strncmp(tag, "gw7f3", strlen(tag)));
		err = wsload_sip_contact(cut, k, uri, sizeof(uri));
		if (!err)
			assert_string_equal(uri,
					    "sip:gw@k3j.invalid;transport=ws");
		free(cut);
	}
	/* No tag, no Contact. */
	assert_int_equal(wsload_sip_contact((const uint8_t *)resp_401,
					    sizeof(resp_401) - 1, uri,
					    sizeof(uri)),
			 ENOENT);
	assert_int_equal(
	    wsload_sip_to_tag((const uint8_t *)"SIP/2.0 100 x\r\n"
					       "To: <sip:a@b>\r\n\r\n",
			      32, tag, sizeof(tag)),
	    ENOENT);
}

static void test_invite_digest(void **state)
{
	const struct wsload_cred cred = {.user = "dev1", .pass = "s3cret"};
	char chal[WSLOAD_CHAL_MAX], auth[WSLOAD_AUTH_MAX];
	char ha1[SIP_DIGEST_HEX_MAX];
	struct pl u, realm, pw, method, val;
	struct sip_digest d;
	size_t len;

	(void)state;
	assert_int_equal(wsload_sip_challenge((const uint8_t *)resp_401,
					      sizeof(resp_401) - 1, chal,
					      sizeof(chal), &len),
			 0);
	assert_int_equal(wsload_sip_authorize_method(
			     auth, sizeof(auth), chal, &cred, "INVITE",
			     "sip:9100@sipcloak.test", 1, "cn0nce"),
			 0);
	assert_non_null(strstr(auth, "uri=\"sip:9100@sipcloak.test\""));
	pl_set_str(&val, auth);
	assert_int_equal(sip_digest_decode(&d, SIP_DIGEST_CREDENTIALS, &val),
			 0);
	pl_set_str(&u, "dev1");
	pl_set_str(&realm, "sipcloak.test");
	pl_set_str(&pw, "s3cret");
	assert_int_equal(sip_digest_ha1(ha1, SIP_DIGEST_MD5, &u, &realm, &pw),
			 0);
	pl_set_str(&method, "INVITE");
	assert_int_equal(sip_digest_verify(&d, ha1, &method, false), 0);
	/* The digest covers the method (RFC 3261 22.4). */
	pl_set_str(&method, "REGISTER");
	assert_int_equal(sip_digest_verify(&d, ha1, &method, false), EACCES);
	assert_int_equal(wsload_sip_authorize_method(auth, sizeof(auth), chal,
						     &cred, NULL, "sip:x", 1,
						     "c"),
			 EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_offer),
	    SC_TEST(test_invite),
	    SC_TEST(test_fields),
	    SC_TEST(test_invite_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
