/* test_speed.c: what a Binding request costs to check, and the reused HMAC
 * context against one-shot HMAC() (which DESIGN.md forbids per packet).
 * Prints timings; asserts only that the answers agree. */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "testutil.h"
#include "stun/stun.h"

enum { ROUNDS = 2000, REPS = 9 }; /* best of REPS batches: a shared host */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_hmac_speed(void **state)
{
	static const char pw[] = "VOkJxbRl1RmTxUk/WvJxBt";
	static const uint8_t tid[12] = {1};
	struct stun_addr a = {.family = 4, .port = 9, .addr = {127, 0, 0, 1}};
	struct stun_hmac *key = NULL;
	uint8_t msg[128], mac[20], mac2[20];
	unsigned int mlen = 0;
	struct stun_msg m;
	double t0, t1, t2, t3, best[3] = {1e9, 1e9, 1e9};
	size_t len = 0;
	unsigned i, r, ok = 0;

	(void)state;
	assert_int_equal(stun_hmac_alloc(&key, (const uint8_t *)pw, strlen(pw)),
	                 0);
	assert_int_equal(stun_binding_success_encode(msg, sizeof(msg), &len,
	                                             tid, &a, key, "x"),
	                 0);
	for (r = 0; r < REPS; r++) {
		t0 = now_s();
		for (i = 0; i < ROUNDS; i++) {
			msg[len - 30] = (uint8_t)i; /* vary the input */
			stun_hmac_digest(key, mac, msg, len - 32, NULL, 0);
		}
		t1 = now_s();
		for (i = 0; i < ROUNDS; i++) {
			msg[len - 30] = (uint8_t)i;
			HMAC(EVP_sha1(), pw, (int)strlen(pw), msg, len - 32,
			     mac2, &mlen);
		}
		t2 = now_s();
		best[0] = SC_MIN(best[0], t1 - t0);
		best[1] = SC_MIN(best[1], t2 - t1);
	}
	assert_memory_equal(mac, mac2, 20);
	/* A whole check: decode, fingerprint, integrity. */
	assert_int_equal(stun_binding_success_encode(msg, sizeof(msg), &len,
	                                             tid, &a, key, "x"),
	                 0);
	for (r = 0; r < REPS; r++) {
		t2 = now_s();
		for (i = 0; i < ROUNDS; i++) {
			ok += stun_msg_decode(&m, msg, len) == 0 &&
			      stun_msg_check_fingerprint(&m, msg, len) == 0 &&
			      stun_msg_check_integrity(&m, msg, len, key) == 0;
		}
		t3 = now_s();
		best[2] = SC_MIN(best[2], t3 - t2);
	}
	assert_int_equal(ok, ROUNDS * REPS);
	printf("stun: HMAC-SHA1 reused ctx %.0f ns, one-shot HMAC() %.0f ns; "
	       "decode+fingerprint+integrity %.0f ns per message\n",
	       best[0] * 1e9 / ROUNDS, best[1] * 1e9 / ROUNDS,
	       best[2] * 1e9 / ROUNDS);
	mem_deref(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_hmac_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
