/* test_stun.c: STUN codec against the RFC 5769 vectors, byte for byte, and
 * the malformed-input errors. */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "stun/stun.h"

static const uint8_t tid_5769[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                     0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
#define PASS_5769 "VOkJxbRl1RmTxUk/WvJxBt"

/* RFC 5769 section 2.1, sample request. */
static const uint8_t req_5769[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
    'S',  'T',  'U',  'N',  ' ',  't',  'e',  's',  't',  ' ',  'c',  'l',
    'i',  'e',  'n',  't',  0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
    0x00, 0x06, 0x00, 0x09, 'e',  'v',  't',  'j',  ':',  'h',  '6',  'v',
    'Y',  0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
    0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 section 2.2, IPv4 response (192.0.2.1:32853). */
static const uint8_t resp4_5769[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    't',  'e',  's',  't',  ' ',  'v',  'e',  'c',  't',  'o',  'r',  0x20,
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
    0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 section 2.3, IPv6 response
 * ([2001:db8:1234:5678:11:2233:4455:6677]:32853). */
static const uint8_t resp6_5769[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    't',  'e',  's',  't',  ' ',  'v',  'e',  'c',  't',  'o',  'r',  0x20,
    0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
    0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
    0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
    0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 section 2.4, request with long-term authentication. */
static const uint8_t req_lt_5769[] = {
    0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33,
    0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12,
    0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88, 0xe3, 0x83, 0xaa, 0xe3, 0x83, 0x83,
    0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00, 0x15, 0x00, 0x1c,
    'f',  '/',  '/',  '4',  '9',  '9',  'k',  '9',  '5',  '4',  'd',  '6',
    'O',  'L',  '3',  '4',  'o',  'L',  '9',  'F',  'S',  'T',  'v',  'y',
    '6',  '4',  's',  'A',  0x00, 0x14, 0x00, 0x0b, 'e',  'x',  'a',  'm',
    'p',  'l',  'e',  '.',  'o',  'r',  'g',  0x00, 0x00, 0x08, 0x00, 0x14,
    0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02, 0xb8, 0xe0, 0x71,
    0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66,
};

static struct stun_hmac *key_5769(void)
{
	struct stun_hmac *h = NULL;

	assert_int_equal(
	    stun_hmac_alloc(&h, (const uint8_t *)PASS_5769, strlen(PASS_5769)),
	    0);
	return h;
}

static void test_request(void **state)
{
	struct stun_hmac *key = key_5769(), *bad = NULL;
	struct stun_msg msg;

	(void)state;
	assert_int_equal(stun_msg_decode(&msg, req_5769, sizeof(req_5769)), 0);
	assert_true(stun_is_stun(req_5769, sizeof(req_5769)));
	assert_int_equal(msg.method, STUN_METHOD_BINDING);
	assert_int_equal(msg.cls, STUN_CLASS_REQUEST);
	assert_memory_equal(msg.tid, tid_5769, 12);
	assert_int_equal(msg.attrc, 6);
	assert_int_equal(msg.unknownc, 0);
	assert_int_equal(pl_strcmp(&msg.software, "STUN test client"), 0);
	assert_int_equal(pl_strcmp(&msg.username, "evtj:h6vY"), 0);
	assert_true(msg.has & STUN_HAS_PRIORITY);
	assert_int_equal(msg.priority, 0x6e0001ff);
	assert_true(msg.has & STUN_HAS_ICE_CONTROLLED);
	assert_true(msg.ice_controlled == 0x932ff9b151263b36ull);
	assert_false(msg.has & STUN_HAS_USE_CANDIDATE);
	assert_int_equal(
	    stun_msg_check_fingerprint(&msg, req_5769, sizeof(req_5769)), 0);
	assert_int_equal(
	    stun_msg_check_integrity(&msg, req_5769, sizeof(req_5769), key), 0);
	/* The same context, reused, gives the same answer. */
	assert_int_equal(
	    stun_msg_check_integrity(&msg, req_5769, sizeof(req_5769), key), 0);
	assert_int_equal(stun_hmac_alloc(&bad, (const uint8_t *)"wrong", 5), 0);
	assert_int_equal(
	    stun_msg_check_integrity(&msg, req_5769, sizeof(req_5769), bad),
	    EACCES);
	mem_deref(bad);
	mem_deref(key);
}

/* The requests re-encode byte for byte too (the builder covers them). */
static void test_request_encode(void **state)
{
	static const uint8_t tid_lt[12] = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad,
	                                   0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
	static const char user_lt[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa"
	                              "\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
	struct pl u = PL(user_lt), r = PL("example.org"), p = PL("TheMatrIX");
	struct stun_hmac *key = key_5769(), *lt = NULL;
	struct stun_enc enc;
	uint8_t out[128], k[16];
	size_t olen = 0;

	(void)state;
	stun_enc_init(&enc, out, sizeof(out), 0x0001, tid_5769);
	enc.pad = 0x20;
	stun_enc_attr(&enc, STUN_ATTR_SOFTWARE, "STUN test client", 16);
	stun_enc_u32(&enc, STUN_ATTR_PRIORITY, 0x6e0001ff);
	stun_enc_u64(&enc, STUN_ATTR_ICE_CONTROLLED, 0x932ff9b151263b36ull);
	stun_enc_attr(&enc, STUN_ATTR_USERNAME, "evtj:h6vY", 9);
	stun_enc_integrity(&enc, key);
	stun_enc_fingerprint(&enc);
	assert_int_equal(stun_enc_finish(&enc, &olen), 0);
	assert_int_equal(olen, sizeof(req_5769));
	assert_memory_equal(out, req_5769, olen);

	assert_int_equal(stun_longterm_key(k, &u, &r, &p), 0);
	assert_int_equal(stun_hmac_alloc(&lt, k, sizeof(k)), 0);
	stun_enc_init(&enc, out, sizeof(out), 0x0001, tid_lt);
	stun_enc_attr(&enc, STUN_ATTR_USERNAME, user_lt, sizeof(user_lt) - 1);
	stun_enc_attr(&enc, STUN_ATTR_NONCE, "f//499k954d6OL34oL9FSTvy64sA",
	              28);
	stun_enc_attr(&enc, STUN_ATTR_REALM, "example.org", 11);
	stun_enc_integrity(&enc, lt);
	assert_int_equal(stun_enc_finish(&enc, &olen), 0);
	assert_int_equal(olen, sizeof(req_lt_5769));
	assert_memory_equal(out, req_lt_5769, olen);
	mem_deref(lt);
	mem_deref(key);
}

/* Decodes a 5769 response, checks it, and re-encodes it byte for byte
 * with the builder (the vectors pad with 0x20). */
static void check_response(const uint8_t *vec, size_t vlen,
                           const struct stun_addr *want)
{
	struct stun_hmac *key = key_5769();
	struct stun_msg msg;
	struct stun_enc enc;
	uint8_t out[128];
	size_t olen = 0;

	assert_int_equal(stun_msg_decode(&msg, vec, vlen), 0);
	assert_int_equal(msg.cls, STUN_CLASS_SUCCESS);
	assert_int_equal(pl_strcmp(&msg.software, "test vector"), 0);
	assert_true(msg.has & STUN_HAS_XOR_MAPPED);
	assert_int_equal(msg.xor_mapped.family, want->family);
	assert_int_equal(msg.xor_mapped.port, want->port);
	assert_memory_equal(msg.xor_mapped.addr, want->addr,
	                    want->family == 4 ? 4 : 16);
	assert_int_equal(stun_msg_check_fingerprint(&msg, vec, vlen), 0);
	assert_int_equal(stun_msg_check_integrity(&msg, vec, vlen, key), 0);

	stun_enc_init(&enc, out, sizeof(out), 0x0101, msg.tid);
	enc.pad = 0x20;
	stun_enc_attr(&enc, STUN_ATTR_SOFTWARE, "test vector", 11);
	stun_enc_addr(&enc, STUN_ATTR_XOR_MAPPED_ADDRESS, want);
	stun_enc_integrity(&enc, key);
	stun_enc_fingerprint(&enc);
	assert_int_equal(stun_enc_finish(&enc, &olen), 0);
	assert_int_equal(olen, vlen);
	assert_memory_equal(out, vec, vlen);
	mem_deref(key);
}

static void test_response_ipv4(void **state)
{
	struct stun_addr a = {
	    .family = 4, .port = 32853, .addr = {192, 0, 2, 1}};

	(void)state;
	check_response(resp4_5769, sizeof(resp4_5769), &a);
}

static void test_response_ipv6(void **state)
{
	struct stun_addr a = {.family = 6,
	                      .port = 32853,
	                      .addr = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56,
	                               0x78, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
	                               0x66, 0x77}};

	(void)state;
	check_response(resp6_5769, sizeof(resp6_5769), &a);
}

static void test_long_term(void **state)
{
	/* The username is katakana "matorikkusu"; SASLprep of the password
	 * "The<U+00AD>M<U+00AA>tr<U+2168>" gives "TheMatrIX". */
	static const char user[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa"
	                           "\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
	struct pl u = PL(user), r = PL("example.org"), p = PL("TheMatrIX");
	struct stun_hmac *key = NULL;
	struct stun_msg msg;
	uint8_t k[16];

	(void)state;
	assert_int_equal(
	    stun_msg_decode(&msg, req_lt_5769, sizeof(req_lt_5769)), 0);
	assert_true(pl_eq(&msg.username, &u));
	assert_int_equal(pl_strcmp(&msg.realm, "example.org"), 0);
	assert_int_equal(pl_strcmp(&msg.nonce, "f//499k954d6OL34oL9FSTvy64sA"),
	                 0);
	assert_int_equal(
	    stun_msg_check_fingerprint(&msg, req_lt_5769, sizeof(req_lt_5769)),
	    ENOENT);
	assert_int_equal(stun_longterm_key(k, &u, &r, &p), 0);
	assert_int_equal(stun_hmac_alloc(&key, k, sizeof(k)), 0);
	assert_int_equal(stun_msg_check_integrity(&msg, req_lt_5769,
	                                          sizeof(req_lt_5769), key),
	                 0);
	mem_deref(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_request),       SC_TEST(test_request_encode),
	    SC_TEST(test_response_ipv4), SC_TEST(test_response_ipv6),
	    SC_TEST(test_long_term),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
