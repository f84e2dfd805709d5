/* test_ice.c: the ICE-lite responder answering checks built the way
 * Chrome builds them (RFC 8445 section 7.3, RFC 8489 section 9.1). */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "stun/ice.h"

#define GOOG_NETWORK_INFO 0xc057 /* comprehension-optional, Chrome's */
#define REMOTE_UFRAG "Rx9f"

static const uint8_t tid[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};

struct req {
	const char *ufrag; /* our ufrag as the peer writes it */
	const char *pwd;   /* NULL: no MESSAGE-INTEGRITY */
	bool username;
	bool controlled; /* ICE-CONTROLLED instead of ICE-CONTROLLING */
	bool use_candidate;
	uint16_t extra; /* an extra attribute type, 0 for none */
	uint16_t method;
	enum stun_class cls;
};

static struct stun_hmac *key_alloc(const char *pw)
{
	struct stun_hmac *h = NULL;

	assert_int_equal(stun_hmac_alloc(&h, (const uint8_t *)pw, strlen(pw)),
			 0);
	return h;
}

/* Chrome's order: USERNAME, GOOG-NETWORK-INFO, ICE-CONTROLLING,
 * USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT. */
static size_t build(uint8_t *buf, size_t size, const struct req *r)
{
	static const uint8_t netinfo[4] = {0x00, 0x01, 0x00, 0x0a};
	struct stun_hmac *key = NULL;
	struct stun_enc enc;
	char user[64];
	size_t len = 0;

	snprintf(user, sizeof(user), "%s:%s", r->ufrag, REMOTE_UFRAG);
	stun_enc_init(
	    &enc, buf, size,
	    stun_type(r->method ? r->method : STUN_METHOD_BINDING, r->cls),
	    tid);
	if (r->username)
		stun_enc_attr(&enc, STUN_ATTR_USERNAME, user, strlen(user));
	stun_enc_attr(&enc, GOOG_NETWORK_INFO, netinfo, sizeof(netinfo));
	stun_enc_u64(&enc,
		     r->controlled ? STUN_ATTR_ICE_CONTROLLED
				   : STUN_ATTR_ICE_CONTROLLING,
		     0x1122334455667788ull);
	if (r->use_candidate)
		stun_enc_attr(&enc, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_enc_u32(&enc, STUN_ATTR_PRIORITY, 0x6e7f1eff);
	if (r->extra)
		stun_enc_u32(&enc, r->extra, 0);
	if (r->pwd) {
		key = key_alloc(r->pwd);
		stun_enc_integrity(&enc, key);
	}
	stun_enc_fingerprint(&enc);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	mem_deref(key);
	return len;
}

static struct req good(const struct ice_lite *ice)
{
	struct req r = {
	    .ufrag = ice_lite_ufrag(ice),
	    .pwd = ice_lite_pwd(ice),
	    .username = true,
	    .use_candidate = true,
	    .cls = STUN_CLASS_REQUEST,
	};
	return r;
}

/* Decodes a response and checks the parts every response must have. */
static void decode_resp(struct stun_msg *msg, const uint8_t *resp, size_t len,
			enum stun_class cls)
{
	assert_int_equal(stun_msg_decode(msg, resp, len), 0);
	assert_int_equal(msg->cls, cls);
	assert_int_equal(msg->method, STUN_METHOD_BINDING);
	assert_memory_equal(msg->tid, tid, sizeof(tid));
	assert_int_equal(stun_msg_check_fingerprint(msg, resp, len), 0);
}

static void check_success(const struct stun_addr *src)
{
	struct ice_lite *ice = NULL;
	uint8_t buf[256], resp[ICE_RESP_MAX];
	struct ice_check chk;
	struct stun_hmac *key;
	struct stun_msg msg;
	struct req r;
	size_t len, rlen = 99;

	assert_int_equal(ice_lite_alloc(&ice), 0);
	r = good(ice);
	len = build(buf, sizeof(buf), &r);
	assert_int_equal(ice_lite_handle(ice, buf, len, src, resp, sizeof(resp),
					 &rlen, &chk),
			 0);
	assert_true(rlen > STUN_HEADER_SIZE);
	assert_true(chk.valid);
	assert_true(chk.nominated);
	assert_true(chk.controlling);
	assert_int_equal(chk.code, 0);
	assert_true(chk.tiebreak == 0x1122334455667788ull);
	assert_int_equal(chk.priority, 0x6e7f1eff);

	decode_resp(&msg, resp, rlen, STUN_CLASS_SUCCESS);
	key = key_alloc(ice_lite_pwd(ice));
	assert_int_equal(stun_msg_check_integrity(&msg, resp, rlen, key), 0);
	assert_true(msg.has & STUN_HAS_XOR_MAPPED);
	assert_int_equal(msg.xor_mapped.family, src->family);
	assert_int_equal(msg.xor_mapped.port, src->port);
	assert_memory_equal(msg.xor_mapped.addr, src->addr,
			    src->family == 4 ? 4 : 16);
	/* Our response never names our software. */
	assert_false(msg.has & STUN_HAS_SOFTWARE);

	/* Without USE-CANDIDATE: valid, not nominated. */
	r.use_candidate = false;
	len = build(buf, sizeof(buf), &r);
	assert_int_equal(ice_lite_handle(ice, buf, len, src, resp, sizeof(resp),
					 &rlen, &chk),
			 0);
	assert_true(chk.valid);
	assert_false(chk.nominated);
	mem_deref(key);
	mem_deref(ice);
}

static void test_success_ipv4(void **state)
{
	struct stun_addr src = {
	    .family = 4, .port = 50123, .addr = {192, 0, 2, 77}};

	(void)state;
	check_success(&src);
}

static void test_success_ipv6(void **state)
{
	struct stun_addr src = {.family = 6,
				.port = 9,
				.addr = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5,
					 6, 7, 8, 9, 10, 11, 12}};

	(void)state;
	check_success(&src);
}

/* Sends r and returns the error code of the response (decoded), checking
 * that it carries MESSAGE-INTEGRITY exactly when with_mi. */
static uint16_t error_of(struct ice_lite *ice, const struct req *r,
			 bool with_mi, struct ice_check *chk)
{
	struct stun_addr src = {.family = 4, .port = 1, .addr = {127, 0, 0, 1}};
	uint8_t buf[256], resp[ICE_RESP_MAX];
	struct stun_hmac *key = key_alloc(ice_lite_pwd(ice));
	struct stun_msg msg;
	size_t len = build(buf, sizeof(buf), r), rlen = 0;

	assert_int_equal(ice_lite_handle(ice, buf, len, &src, resp,
					 sizeof(resp), &rlen, chk),
			 0);
	decode_resp(&msg, resp, rlen, STUN_CLASS_ERROR);
	assert_true(msg.has & STUN_HAS_ERROR_CODE);
	assert_false(msg.has & STUN_HAS_XOR_MAPPED);
	if (with_mi)
		assert_int_equal(
		    stun_msg_check_integrity(&msg, resp, rlen, key), 0);
	else
		assert_false(msg.has & STUN_HAS_INTEGRITY);
	assert_false(chk->valid);
	assert_int_equal(chk->code, msg.err_code);
	mem_deref(key);
	return msg.err_code;
}

static void test_auth_errors(void **state)
{
	struct ice_lite *ice = NULL;
	struct ice_check chk;
	struct req r;

	(void)state;
	assert_int_equal(ice_lite_alloc(&ice), 0);

	r = good(ice);
	r.pwd = "wrong-password-wrong-pw";
	assert_int_equal(error_of(ice, &r, false, &chk), 401);

	r = good(ice);
	r.ufrag = "zzzzzzzz";
	assert_int_equal(error_of(ice, &r, false, &chk), 401);
	/* A prefix of our ufrag is not our ufrag. */
	r.ufrag = "abc";
	assert_int_equal(error_of(ice, &r, false, &chk), 401);

	r = good(ice);
	r.username = false;
	assert_int_equal(error_of(ice, &r, false, &chk), 400);

	r = good(ice);
	r.pwd = NULL;
	assert_int_equal(error_of(ice, &r, false, &chk), 400);
	mem_deref(ice);
}

static void test_role_conflict(void **state)
{
	struct ice_lite *ice = NULL;
	struct ice_check chk;
	struct req r;

	(void)state;
	assert_int_equal(ice_lite_alloc(&ice), 0);
	r = good(ice);
	r.controlled = true;
	assert_int_equal(error_of(ice, &r, true, &chk), 487);
	assert_false(chk.controlling);
	assert_true(chk.tiebreak == 0x1122334455667788ull);
	mem_deref(ice);
}

static void test_unknown_required(void **state)
{
	struct stun_addr src = {.family = 4, .port = 1, .addr = {127, 0, 0, 1}};
	uint8_t buf[256], resp[ICE_RESP_MAX];
	struct ice_lite *ice = NULL;
	const struct stun_attr *ua;
	struct ice_check chk;
	struct stun_msg msg;
	struct req r;
	size_t len, rlen;

	(void)state;
	assert_int_equal(ice_lite_alloc(&ice), 0);
	r = good(ice);
	r.extra = 0x0031; /* comprehension-required, unknown */
	assert_int_equal(error_of(ice, &r, true, &chk), 420);
	len = build(buf, sizeof(buf), &r);
	assert_int_equal(ice_lite_handle(ice, buf, len, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 0);
	assert_int_equal(stun_msg_decode(&msg, resp, rlen), 0);
	ua = stun_msg_attr(&msg, STUN_ATTR_UNKNOWN_ATTRIBUTES);
	assert_non_null(ua);
	assert_int_equal(ua->len, 2);
	assert_int_equal(ua->val[0] << 8 | ua->val[1], 0x0031);

	/* Unauthenticated: the 401 comes first. */
	r.pwd = "wrong-password-wrong-pw";
	assert_int_equal(error_of(ice, &r, false, &chk), 401);
	mem_deref(ice);
}

static void test_restart(void **state)
{
	struct stun_addr src = {.family = 4, .port = 1, .addr = {127, 0, 0, 1}};
	char ufrag[ICE_UFRAG_LEN + 1], pwd[ICE_PWD_LEN + 1];
	uint8_t old[256], buf[256], resp[ICE_RESP_MAX];
	struct ice_lite *ice = NULL;
	struct ice_check chk;
	struct req r;
	size_t oldlen, len, rlen;

	(void)state;
	assert_int_equal(ice_lite_alloc(&ice), 0);
	assert_int_equal(strlen(ice_lite_ufrag(ice)), ICE_UFRAG_LEN);
	assert_int_equal(strlen(ice_lite_pwd(ice)), ICE_PWD_LEN);
	strcpy(ufrag, ice_lite_ufrag(ice));
	strcpy(pwd, ice_lite_pwd(ice));
	r = good(ice);
	oldlen = build(old, sizeof(old), &r);
	assert_int_equal(ice_lite_set_remote(ice, &PL(REMOTE_UFRAG),
					     &PL("abcdefghijklmnopqrstuv")),
			 0);
	assert_string_equal(ice_lite_remote_ufrag(ice), REMOTE_UFRAG);

	assert_int_equal(ice_lite_restart(ice), 0);
	assert_string_not_equal(ice_lite_ufrag(ice), ufrag);
	assert_string_not_equal(ice_lite_pwd(ice), pwd);
	assert_string_equal(ice_lite_remote_ufrag(ice), "");

	assert_int_equal(ice_lite_handle(ice, old, oldlen, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 0);
	assert_false(chk.valid);
	assert_int_equal(chk.code, 401);

	r = good(ice);
	len = build(buf, sizeof(buf), &r);
	assert_int_equal(ice_lite_handle(ice, buf, len, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 0);
	assert_true(chk.valid);
	mem_deref(ice);
}

static void test_not_checks(void **state)
{
	struct stun_addr src = {.family = 4, .port = 1, .addr = {127, 0, 0, 1}};
	uint8_t buf[256], resp[ICE_RESP_MAX];
	struct ice_lite *ice = NULL;
	struct ice_check chk;
	struct stun_msg msg;
	struct req r;
	size_t len, rlen = 7;

	(void)state;
	assert_int_equal(ice_lite_alloc(&ice), 0);

	/* Indications (consent keep-alives of old peers) and responses:
	 * nothing to send. */
	r = good(ice);
	r.cls = STUN_CLASS_INDICATION;
	len = build(buf, sizeof(buf), &r);
	assert_int_equal(ice_lite_handle(ice, buf, len, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 0);
	assert_int_equal(rlen, 0);
	assert_false(chk.valid);
	r.cls = STUN_CLASS_SUCCESS;
	len = build(buf, sizeof(buf), &r);
	rlen = 7;
	assert_int_equal(ice_lite_handle(ice, buf, len, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 0);
	assert_int_equal(rlen, 0);

	/* Another method: 400 with that method. */
	r = good(ice);
	r.method = 0x003; /* TURN Allocate */
	len = build(buf, sizeof(buf), &r);
	assert_int_equal(ice_lite_handle(ice, buf, len, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 0);
	assert_int_equal(stun_msg_decode(&msg, resp, rlen), 0);
	assert_int_equal(msg.method, 0x003);
	assert_int_equal(msg.cls, STUN_CLASS_ERROR);
	assert_int_equal(msg.err_code, 400);

	/* Wrong FINGERPRINT, none at all, garbage: not a usable check. */
	r = good(ice);
	len = build(buf, sizeof(buf), &r);
	buf[len - 1] ^= 1;
	assert_int_equal(ice_lite_handle(ice, buf, len, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 EBADMSG);
	assert_int_equal(rlen, 0);
	buf[len - 1] ^= 1;
	buf[3] = (uint8_t)(buf[3] - 8); /* drop FINGERPRINT */
	assert_int_equal(ice_lite_handle(ice, buf, len - 8, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 EBADMSG);
	assert_int_equal(ice_lite_handle(ice, (const uint8_t *)"\x80hello", 6,
					 &src, resp, sizeof(resp), &rlen, &chk),
			 EBADMSG);

	/* No room for the response. */
	r = good(ice);
	len = build(buf, sizeof(buf), &r);
	assert_int_equal(
	    ice_lite_handle(ice, buf, len, &src, resp, 40, &rlen, &chk),
	    EOVERFLOW);
	assert_int_equal(rlen, 0);
	assert_int_equal(ice_lite_handle(NULL, buf, len, &src, resp,
					 sizeof(resp), &rlen, &chk),
			 EINVAL);
	mem_deref(ice);
}

static void test_remote_creds(void **state)
{
	struct ice_lite *ice = NULL;
	struct pl pwd = PL("abcdefghijklmnopqrstuv");

	(void)state;
	assert_int_equal(ice_lite_alloc(&ice), 0);
	assert_int_equal(ice_lite_set_remote(ice, &PL("abc"), &pwd), EBADMSG);
	assert_int_equal(ice_lite_set_remote(ice, &PL("ab:cd"), &pwd), EBADMSG);
	assert_int_equal(
	    ice_lite_set_remote(ice, &PL("a+/b"), &PL("short-password")),
	    EBADMSG);
	assert_int_equal(ice_lite_set_remote(ice, NULL, &pwd), EINVAL);
	assert_string_equal(ice_lite_remote_ufrag(ice), "");
	assert_int_equal(ice_lite_set_remote(ice, &PL("a+/b"), &pwd), 0);
	assert_string_equal(ice_lite_remote_ufrag(ice), "a+/b");
	mem_deref(ice);
}

static void test_alloc_failure(void **state)
{
	struct ice_lite *ice = NULL;
	char ufrag[ICE_UFRAG_LEN + 1];

	(void)state;
	mem_fail_after(0);
	assert_int_equal(ice_lite_alloc(&ice), ENOMEM);
	assert_null(ice);
	mem_fail_after(-1);
	assert_int_equal(ice_lite_alloc(&ice), 0);
	strcpy(ufrag, ice_lite_ufrag(ice));
	mem_fail_after(0);
	assert_int_equal(ice_lite_restart(ice), ENOMEM);
	mem_fail_after(-1);
	assert_string_equal(ice_lite_ufrag(ice), ufrag); /* old ones stay */
	mem_deref(ice);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_success_ipv4),     SC_TEST(test_success_ipv6),
	    SC_TEST(test_auth_errors),      SC_TEST(test_role_conflict),
	    SC_TEST(test_unknown_required), SC_TEST(test_restart),
	    SC_TEST(test_not_checks),       SC_TEST(test_remote_creds),
	    SC_TEST(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
