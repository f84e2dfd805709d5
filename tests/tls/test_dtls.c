/* test_dtls.c: two DTLS-SRTP connections in memory: handshake, keys per
 * profile (RFC 5764 section 4.2), fingerprints (RFC 8122), retransmission
 * on a hand-driven clock, close_notify. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "dtls_pair.h"

static void test_handshake(void **state)
{
	struct dtls_ctx *ca = NULL, *cb = NULL;
	struct side *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint8_t fp[DTLS_FP_MAX];
	size_t fplen = sizeof(fp);

	(void)state;
	assert_int_equal(dtls_ctx_alloc(&ca), 0);
	assert_int_equal(dtls_ctx_alloc(&cb), 0);
	assert_int_equal(strncmp(dtls_ctx_fingerprint(ca), "sha-256 ", 8), 0);
	assert_int_equal(strlen(dtls_ctx_fingerprint(ca)), 8 + 32 * 3 - 1);
	assert_int_equal(dtls_fp_parse(fp, &fplen, dtls_ctx_fingerprint(ca)),
			 0);
	assert_int_equal(fplen, 32);
	assert_string_not_equal(dtls_ctx_fingerprint(ca),
				dtls_ctx_fingerprint(cb));

	pair(a, b, ca, cb);
	assert_int_equal(dtls_conn_timeout(b->dc), 0); /* server: idle */
	assert_int_equal(dtls_conn_start(a->dc, 5000), 0);
	assert_int_equal(dtls_conn_timeout(a->dc), 6000);
	assert_int_equal(dtls_conn_start(a->dc, 5000), 0); /* once only */
	assert_int_equal(a->sent, 1);
	pump(a, b, 5001);
	assert_true(dtls_conn_established(a->dc));
	assert_true(dtls_conn_established(b->dc));
	assert_keys_crosswise(a, b);
	/* GCM is preferred (RFC 7714 lengths). */
	assert_int_equal(a->keys.profile, DTLS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(a->keys.key_len, 16);
	assert_int_equal(a->keys.salt_len, 12);
	assert_true(a->maxlen <= DTLS_MTU && b->maxlen <= DTLS_MTU);
	assert_int_equal(dtls_conn_timeout(a->dc), 0);
	assert_int_equal(dtls_conn_timeout(b->dc), 0);
	assert_int_equal(dtls_conn_tick(a->dc, 99999), 0);
	assert_int_equal(a->closes + b->closes, 0);

	/* close_notify reaches the other side as err 0. */
	dtls_conn_close(a->dc);
	assert_false(dtls_conn_established(a->dc));
	pump(a, b, 5002);
	assert_int_equal(b->closes, 1);
	assert_int_equal(b->close_err, 0);
	assert_string_equal(b->reason, "close_notify");
	assert_int_equal(a->closes, 0);
	assert_int_equal(dtls_conn_recv(a->dc, a->first, a->first_len, 1),
			 ENOTCONN);
	assert_int_equal(dtls_conn_recv(b->dc, a->first, a->first_len, 1),
			 ENOTCONN);

	mem_deref(a->dc);
	mem_deref(b->dc);
	mem_deref(ca);
	mem_deref(cb);
	free(a);
	free(b);
}

/* Each profile, forced on both sides; keys of the right sizes, crosswise
 * equal. Then the server's order wins over the client's. */
static void test_profiles(void **state)
{
	static const struct {
		const char *name;
		uint16_t id;
		size_t key, salt;
	} pv[] = {
	    {"SRTP_AES128_CM_SHA1_80", DTLS_SRTP_AES128_CM_SHA1_80, 16, 14},
	    {"SRTP_AES128_CM_SHA1_32", DTLS_SRTP_AES128_CM_SHA1_32, 16, 14},
	    {"SRTP_AEAD_AES_128_GCM", DTLS_SRTP_AEAD_AES_128_GCM, 16, 12},
	    {"SRTP_AEAD_AES_256_GCM", DTLS_SRTP_AEAD_AES_256_GCM, 32, 12},
	    {"SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
	     DTLS_SRTP_AES128_CM_SHA1_80, 16, 14},
	};
	struct side *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(pv); i++) {
		struct dtls_ctx *ca = NULL, *cb = NULL;

		assert_int_equal(dtls_ctx_alloc(&ca), 0);
		assert_int_equal(dtls_ctx_alloc(&cb), 0);
		/* The last case: the client keeps its default offer. */
		if (i + 1 < SC_ARRAY_SIZE(pv))
			assert_int_equal(
			    dtls_ctx_set_srtp_profiles(ca, pv[i].name), 0);
		assert_int_equal(dtls_ctx_set_srtp_profiles(cb, pv[i].name), 0);
		pair(a, b, ca, cb);
		assert_int_equal(dtls_conn_start(a->dc, 0), 0);
		pump(a, b, 1);
		assert_keys_crosswise(a, b);
		assert_int_equal(a->keys.profile, pv[i].id);
		assert_int_equal(a->keys.key_len, pv[i].key);
		assert_int_equal(a->keys.salt_len, pv[i].salt);
		mem_deref(a->dc);
		mem_deref(b->dc);
		mem_deref(ca);
		mem_deref(cb);
	}
	free(a);
	free(b);
}

static void test_ctx_options(void **state)
{
	struct dtls_ctx *ctx = NULL;
	struct dtls_conn *dc = NULL;
	struct side s;

	(void)state;
	assert_int_equal(dtls_ctx_alloc(NULL), EINVAL);
	assert_int_equal(dtls_ctx_alloc(&ctx), 0);
	assert_int_equal(dtls_ctx_set_srtp_profiles(ctx, "SRTP_NONSENSE"),
			 EINVAL);
	assert_int_equal(dtls_ctx_set_rto(ctx, 0), EINVAL);
	assert_int_equal(dtls_ctx_set_rto(ctx, 50), 0);
	assert_int_equal(
	    dtls_conn_alloc(&dc, ctx, true, NULL, NULL, on_estab, on_close, &s),
	    EINVAL);
	assert_int_equal(dtls_conn_alloc(&dc, ctx, true, "sha-256 00:11",
					 on_send, on_estab, on_close, &s),
			 EBADMSG);
	assert_null(dc);
	mem_fail_after(0);
	assert_int_equal(dtls_conn_alloc(&dc, ctx, true, NULL, on_send,
					 on_estab, on_close, &s),
			 ENOMEM);
	mem_fail_after(-1);
	mem_deref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_handshake),
	    SC_TEST(test_profiles),
	    SC_TEST(test_ctx_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
