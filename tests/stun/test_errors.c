/* test_errors.c: STUN malformed input (one distinct error per fault),
 * error-response encoding, the demultiplexer and CRC-32. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "stun/stun.h"

static const uint8_t tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static struct stun_hmac *key_alloc(const char *pw)
{
	struct stun_hmac *h = NULL;

	assert_int_equal(stun_hmac_alloc(&h, (const uint8_t *)pw, strlen(pw)),
	                 0);
	return h;
}

/* A request as a browser sends it: USERNAME, PRIORITY, USE-CANDIDATE,
 * ICE-CONTROLLING, MESSAGE-INTEGRITY, FINGERPRINT. */
static size_t make_request(uint8_t *buf, size_t size, struct stun_hmac *key)
{
	struct stun_enc enc;
	size_t len = 0;

	stun_enc_init(&enc, buf, size, 0x0001, tid);
	stun_enc_attr(&enc, STUN_ATTR_USERNAME, "abcd:efgh", 9);
	stun_enc_u32(&enc, STUN_ATTR_PRIORITY, 0x7e7f00ff);
	stun_enc_attr(&enc, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_enc_u64(&enc, STUN_ATTR_ICE_CONTROLLING, 0x0102030405060708ull);
	stun_enc_integrity(&enc, key);
	stun_enc_fingerprint(&enc);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	return len;
}

static void test_distinct_errors(void **state)
{
	struct stun_hmac *key = key_alloc("pass"), *other = key_alloc("x");
	uint8_t buf[256], bad[256];
	struct stun_msg msg;
	size_t len = make_request(buf, sizeof(buf), key);

	(void)state;
	assert_int_equal(stun_msg_decode(&msg, buf, len), 0);
	assert_true(msg.has & STUN_HAS_USE_CANDIDATE);
	assert_true(msg.ice_controlling == 0x0102030405060708ull);
	assert_int_equal(stun_msg_check_integrity(&msg, buf, len, key), 0);

	/* Short buffer: need more bytes. */
	assert_int_equal(stun_msg_decode(&msg, buf, 19), ENODATA);
	assert_int_equal(stun_msg_decode(&msg, buf, len - 4), ENODATA);
	/* Length field not a multiple of 4, or trailing bytes. */
	memcpy(bad, buf, len);
	bad[3] ^= 0x02;
	assert_int_equal(stun_msg_decode(&msg, bad, len), EBADMSG);
	memcpy(bad, buf, len);
	bad[len] = 0;
	assert_int_equal(stun_msg_decode(&msg, bad, len + 1), EBADMSG);
	bad[0] = 0x40;
	assert_int_equal(stun_msg_decode(&msg, bad, len), EBADMSG);
	/* Magic cookie. */
	memcpy(bad, buf, len);
	bad[4] = 0x22;
	assert_int_equal(stun_msg_decode(&msg, bad, len), EPROTONOSUPPORT);
	assert_false(stun_is_stun(bad, len));
	/* Truncated attribute: USERNAME claims more than is there. */
	memcpy(bad, buf, len);
	bad[22] = 0x01;
	assert_int_equal(stun_msg_decode(&msg, bad, len), EMSGSIZE);
	/* Fingerprint wrong. */
	memcpy(bad, buf, len);
	bad[len - 1] ^= 1;
	assert_int_equal(stun_msg_decode(&msg, bad, len), 0);
	assert_int_equal(stun_msg_check_fingerprint(&msg, bad, len), EILSEQ);
	/* Integrity wrong: a flipped username byte, or the wrong key. */
	memcpy(bad, buf, len);
	bad[24] ^= 1;
	assert_int_equal(stun_msg_decode(&msg, bad, len), 0);
	assert_int_equal(stun_msg_check_integrity(&msg, bad, len, key), EACCES);
	assert_int_equal(stun_msg_decode(&msg, buf, len), 0);
	assert_int_equal(stun_msg_check_integrity(&msg, buf, len, other),
	                 EACCES);
	/* A malformed value: PRIORITY of 3 bytes. */
	memcpy(bad, buf, len);
	bad[20 + 4 + 12 + 3] = 3;
	assert_int_equal(stun_msg_decode(&msg, bad, len), EBADMSG);
	mem_deref(other);
	mem_deref(key);
}

/* Every truncation, from an exact-size heap copy (ASan sees over-reads). */
static void test_truncation(void **state)
{
	struct stun_hmac *key = key_alloc("pass");
	uint8_t buf[256];
	struct stun_msg msg;
	size_t len = make_request(buf, sizeof(buf), key), i;

	(void)state;
	for (i = 0; i <= len; i++) {
		uint8_t *p = malloc(i ? i : 1);
		int err;

		memcpy(p, buf, i);
		err = stun_msg_decode(&msg, p, i);
		assert_int_equal(err, i == len ? 0 : ENODATA);
		free(p);
	}
	mem_deref(key);
}

static void test_limits(void **state)
{
	uint8_t buf[20 + 4 * (STUN_MAX_ATTRS + 1)];
	struct stun_msg msg;
	struct stun_enc enc;
	size_t len = 0, i;

	(void)state;
	/* Attributes after FINGERPRINT. */
	stun_enc_init(&enc, buf, sizeof(buf), 0x0001, tid);
	stun_enc_fingerprint(&enc);
	stun_enc_attr(&enc, 0x8030, NULL, 0);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	assert_int_equal(stun_msg_decode(&msg, buf, len), EBADMSG);
	/* One attribute too many. */
	stun_enc_init(&enc, buf, sizeof(buf), 0x0001, tid);
	for (i = 0; i < STUN_MAX_ATTRS + 1; i++)
		stun_enc_attr(&enc, 0x8030, NULL, 0);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	assert_int_equal(stun_msg_decode(&msg, buf, len), EOVERFLOW);
	/* Encoder buffer too small: sticky EOVERFLOW. */
	stun_enc_init(&enc, buf, 30, 0x0001, tid);
	stun_enc_attr(&enc, STUN_ATTR_USERNAME, "0123456789", 10);
	assert_int_equal(stun_enc_fingerprint(&enc), EOVERFLOW);
	assert_int_equal(stun_enc_finish(&enc, &len), EOVERFLOW);
}

/* MAPPED-ADDRESS, MESSAGE-INTEGRITY-SHA256 recognised, and section 14.5:
 * after MESSAGE-INTEGRITY only the SHA256 variant and FINGERPRINT count. */
static void test_after_integrity(void **state)
{
	struct stun_hmac *key = key_alloc("pass");
	struct stun_addr a = {.family = 4, .port = 3478, .addr = {10, 0, 0, 1}};
	uint8_t buf[256], sha[32];
	struct stun_msg msg;
	struct stun_enc enc;
	size_t len = 0;

	(void)state;
	memset(sha, 0xab, sizeof(sha));
	stun_enc_init(&enc, buf, sizeof(buf), 0x0101, tid);
	stun_enc_addr(&enc, STUN_ATTR_MAPPED_ADDRESS, &a);
	stun_enc_integrity(&enc, key);
	stun_enc_attr(&enc, STUN_ATTR_SOFTWARE, "late", 4);
	stun_enc_attr(&enc, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, sha, 32);
	stun_enc_fingerprint(&enc);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	assert_int_equal(stun_msg_decode(&msg, buf, len), 0);
	assert_true(msg.has & STUN_HAS_MAPPED);
	assert_int_equal(msg.mapped.family, 4);
	assert_int_equal(msg.mapped.port, 3478);
	assert_memory_equal(msg.mapped.addr, a.addr, 4);
	assert_false(msg.has & STUN_HAS_SOFTWARE);
	assert_true(msg.has & STUN_HAS_INTEGRITY_SHA256);
	assert_int_equal(msg.integrity_sha256.len, 32);
	assert_int_equal(msg.attrc, 4);
	assert_int_equal(stun_msg_check_fingerprint(&msg, buf, len), 0);
	/* Integrity covers only what precedes it. */
	assert_int_equal(stun_msg_check_integrity(&msg, buf, len, key), 0);

	/* A SHA256 value of 12 bytes is malformed (section 14.6). */
	stun_enc_init(&enc, buf, sizeof(buf), 0x0101, tid);
	stun_enc_attr(&enc, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, sha, 12);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	assert_int_equal(stun_msg_decode(&msg, buf, len), EBADMSG);
	/* An address family of 3 is malformed. */
	stun_enc_init(&enc, buf, sizeof(buf), 0x0101, tid);
	stun_enc_attr(&enc, STUN_ATTR_XOR_MAPPED_ADDRESS,
	              "\x00\x03\x00\x01\x01\x02\x03\x04", 8);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	assert_int_equal(stun_msg_decode(&msg, buf, len), EBADMSG);
	/* Encoder argument errors. */
	stun_enc_init(&enc, buf, 19, 0x0101, tid);
	assert_int_equal(stun_enc_finish(&enc, &len), EOVERFLOW);
	stun_enc_init(&enc, buf, sizeof(buf), 0x0101, tid);
	assert_int_equal(stun_enc_error(&enc, 700, NULL), EINVAL);
	assert_int_equal(stun_enc_finish(&enc, &len), EINVAL);
	mem_deref(key);
}

static void test_unknown_and_420(void **state)
{
	struct stun_hmac *key = key_alloc("pass");
	uint8_t buf[256], out[256];
	struct stun_msg msg, resp;
	struct stun_enc enc;
	size_t len = 0, olen = 0;

	(void)state;
	stun_enc_init(&enc, buf, sizeof(buf), 0x0001, tid);
	stun_enc_u32(&enc, 0x7777, 1); /* comprehension-required */
	stun_enc_u32(&enc, 0xc001, 1); /* comprehension-optional */
	stun_enc_u32(&enc, 0x0031, 1);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	assert_int_equal(stun_msg_decode(&msg, buf, len), 0);
	assert_int_equal(msg.unknownc, 2);
	assert_int_equal(msg.unknownv[0], 0x7777);
	assert_int_equal(msg.unknownv[1], 0x0031);

	assert_int_equal(stun_binding_error_encode(out, sizeof(out), &olen,
	                                           msg.tid, 420, msg.unknownv,
	                                           msg.unknownc, NULL, NULL),
	                 0);
	assert_int_equal(stun_msg_decode(&resp, out, olen), 0);
	assert_int_equal(resp.cls, STUN_CLASS_ERROR);
	assert_int_equal(resp.method, STUN_METHOD_BINDING);
	assert_int_equal(resp.type, 0x0111);
	assert_int_equal(resp.err_code, 420);
	assert_int_equal(pl_strcmp(&resp.err_reason, "Unknown Attribute"), 0);
	{
		const struct stun_attr *ua =
		    stun_msg_attr(&resp, STUN_ATTR_UNKNOWN_ATTRIBUTES);
		static const uint8_t want[] = {0x77, 0x77, 0x00, 0x31};

		assert_non_null(ua);
		assert_int_equal(ua->len, 4);
		assert_memory_equal(ua->val, want, 4);
	}
	assert_int_equal(stun_msg_check_fingerprint(&resp, out, olen), 0);
	assert_int_equal(stun_msg_check_integrity(&resp, out, olen, key),
	                 ENOENT);
	/* 420 without a list is a caller bug. */
	assert_int_equal(stun_binding_error_encode(out, sizeof(out), &olen, tid,
	                                           420, NULL, 0, NULL, NULL),
	                 EINVAL);
	mem_deref(key);
}

static void test_error_responses(void **state)
{
	static const uint16_t codes[] = {400, 401, 487};
	static const char *const reasons[] = {"Bad Request", "Unauthorized",
	                                      "Role Conflict"};
	struct stun_hmac *key = key_alloc("pass");
	uint8_t out[256];
	struct stun_msg msg;
	size_t olen = 0, i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(codes); i++) {
		struct stun_hmac *k = codes[i] == 487 ? key : NULL;

		assert_int_equal(
		    stun_binding_error_encode(out, sizeof(out), &olen, tid,
		                              codes[i], NULL, 0, k, "sipcloak"),
		    0);
		assert_int_equal(stun_msg_decode(&msg, out, olen), 0);
		assert_memory_equal(msg.tid, tid, 12);
		assert_int_equal(msg.err_code, codes[i]);
		assert_int_equal(pl_strcmp(&msg.err_reason, reasons[i]), 0);
		assert_int_equal(pl_strcmp(&msg.software, "sipcloak"), 0);
		assert_int_equal(stun_msg_check_fingerprint(&msg, out, olen),
		                 0);
		assert_int_equal(stun_msg_check_integrity(&msg, out, olen, key),
		                 k ? 0 : ENOENT);
	}
	mem_deref(key);
}

static void test_success_response(void **state)
{
	struct stun_hmac *key = key_alloc("pass");
	struct stun_addr a = {.family = 6, .port = 5004, .addr = {0xfe, 0x80}};
	uint8_t out[128];
	struct stun_msg msg;
	size_t olen = 0;

	(void)state;
	a.addr[15] = 1;
	assert_int_equal(stun_binding_success_encode(out, sizeof(out), &olen,
	                                             tid, &a, key, NULL),
	                 0);
	assert_int_equal(olen, 20 + 24 + 24 + 8);
	assert_int_equal(stun_msg_decode(&msg, out, olen), 0);
	assert_int_equal(msg.type, 0x0101);
	assert_int_equal(msg.xor_mapped.port, 5004);
	assert_memory_equal(msg.xor_mapped.addr, a.addr, 16);
	assert_int_equal(stun_msg_check_integrity(&msg, out, olen, key), 0);
	assert_int_equal(stun_msg_check_fingerprint(&msg, out, olen), 0);
	assert_int_equal(stun_binding_success_encode(out, olen - 1, &olen, tid,
	                                             &a, key, NULL),
	                 EOVERFLOW);
	mem_deref(key);
}

static void test_demux(void **state)
{
	unsigned b;

	(void)state;
	for (b = 0; b < 256; b++) {
		enum stun_demux d = stun_demux((uint8_t)b), want;

		if (b <= 3)
			want = STUN_DEMUX_STUN;
		else if (b >= 16 && b <= 19)
			want = STUN_DEMUX_ZRTP;
		else if (b >= 20 && b <= 63)
			want = STUN_DEMUX_DTLS;
		else if (b >= 64 && b <= 79)
			want = STUN_DEMUX_TURN;
		else if (b >= 128 && b <= 191)
			want = STUN_DEMUX_RTP;
		else
			want = STUN_DEMUX_UNKNOWN;
		assert_int_equal(d, want);
	}
	assert_int_equal(stun_type(STUN_METHOD_BINDING, STUN_CLASS_ERROR),
	                 0x0111);
	assert_int_equal(stun_type(0xfff, STUN_CLASS_INDICATION), 0x3eff);
}

static void test_crc32(void **state)
{
	unsigned n, k;

	(void)state;
	/* The standard check value. */
	assert_int_equal(stun_crc32(0, (const uint8_t *)"123456789", 9),
	                 0xcbf43926u);
	/* Split input gives the same CRC. */
	assert_int_equal(stun_crc32(stun_crc32(0, (const uint8_t *)"1234", 4),
	                            (const uint8_t *)"56789", 5),
	                 0xcbf43926u);
	/* Every table entry, re-derived bit by bit. */
	for (n = 0; n < 256; n++) {
		uint32_t c = n ^ 0xffffffffu, want;
		uint8_t b = (uint8_t)n;

		/* Bitwise CRC-32 of the one byte b. */
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		want = ~c;
		assert_int_equal(stun_crc32(0, &b, 1), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_distinct_errors), SC_TEST(test_truncation),
	    SC_TEST(test_limits),          SC_TEST(test_unknown_and_420),
	    SC_TEST(test_error_responses), SC_TEST(test_success_response),
	    SC_TEST(test_after_integrity), SC_TEST(test_demux),
	    SC_TEST(test_crc32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
