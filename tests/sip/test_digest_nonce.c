/* test_digest_nonce.c: stateless HMAC nonces (fresh, stale, forged), the nc
 * replay table and its bounded eviction (RFC 7616 §3.3, §3.4, §5.4). */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "testutil.h"

#include "sip/digest.h"

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
	/* The replay table is allocated up front: a use allocates nothing. */
	mem_fail_after(0);
	assert_int_equal(sip_nonce_use(n, &np, 1, 1), 0);
	mem_fail_after(-1);
	assert_int_equal(sip_nonce_use(n, &np, 1, 1), EACCES);
	mem_deref(n);
}

/* The ring wraps many times over, with chains sharing buckets: the last
 * replay_max nonces keep their nc history, older ones are stale and never
 * replayable, and the count stays at the bound. */
static void test_nonce_ring_wrap(void **state)
{
	enum { MAX = 8, ROUNDS = 100 };
	struct sip_nonce_conf conf = {.replay_max = MAX};
	const uint64_t t = 1700000000000ull;
	static char nonce[ROUNDS][SIP_NONCE_LEN + 1];
	struct pl realm = PL("r"), np[ROUNDS];
	struct sip_nonces *n;
	size_t i, j;

	(void)state;
	assert_int_equal(sip_nonces_alloc(&n, secret, sizeof(secret), &conf),
			 0);
	for (i = 0; i < ROUNDS; i++) {
		assert_int_equal(sip_nonce_make(n, nonce[i], &realm, t + i), 0);
		pl_set_str(&np[i], nonce[i]);
		assert_int_equal(sip_nonce_use(n, &np[i], 1, t + ROUNDS), 0);
		assert_int_equal(sip_nonces_count(n), i < MAX ? i + 1 : MAX);
		/* Every remembered nonce still refuses its last nc. */
		for (j = i >= MAX ? i - MAX + 1 : 0; j <= i; j++)
			assert_int_equal(
			    sip_nonce_use(n, &np[j], 1, t + ROUNDS), EACCES);
	}
	for (i = 0; i < ROUNDS - MAX; i++) {
		assert_int_equal(sip_nonce_check(n, &np[i], &realm, t + ROUNDS),
				 SIP_NONCE_STALE);
		assert_int_equal(sip_nonce_use(n, &np[i], 2, t + ROUNDS),
				 EACCES);
	}
	for (i = ROUNDS - MAX; i < ROUNDS; i++) {
		assert_int_equal(sip_nonce_check(n, &np[i], &realm, t + ROUNDS),
				 SIP_NONCE_FRESH);
		assert_int_equal(sip_nonce_use(n, &np[i], 2, t + ROUNDS), 0);
	}
	assert_int_equal(sip_nonces_count(n), MAX);
	/* All of them expire together: the ring empties. */
	assert_int_equal(sip_nonce_make(n, nonce[0], &realm, t + 400000), 0);
	pl_set_str(&np[0], nonce[0]);
	assert_int_equal(sip_nonce_use(n, &np[0], 1, t + 400000), 0);
	assert_int_equal(sip_nonces_count(n), 1);
	mem_deref(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_nonce_states),   SC_TEST(test_nonce_layout),
	    SC_TEST(test_nonce_replay),   SC_TEST(test_nonce_eviction),
	    SC_TEST(test_alloc_failures), SC_TEST(test_nonce_ring_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
