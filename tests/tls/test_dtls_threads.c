/* test_dtls_threads.c: one DTLS context shared by connections on several
 * threads (as the media workers share the engine's), and a context freed
 * while its connections still run. */
#include <pthread.h>
#include <stdlib.h>

#include "dtls_pair.h"

#define THREADS 2
#define ROUNDS 20

struct job {
	struct dtls_ctx *ca, *cb;
	int ok; /* handshakes whose keys matched crosswise */
};

static bool keys_match(const struct side *a, const struct side *b)
{
	const struct dtls_srtp_keys *ka = &a->keys, *kb = &b->keys;

	return a->estabs == 1 && b->estabs == 1 && ka->key_len == kb->key_len &&
	       ka->key_len &&
	       !memcmp(ka->local_key, kb->remote_key, ka->key_len) &&
	       !memcmp(ka->remote_key, kb->local_key, ka->key_len) &&
	       !memcmp(ka->local_salt, kb->remote_salt, ka->salt_len);
}

/* cmocka's asserts belong to the main thread: workers only count. */
static void *worker(void *arg)
{
	struct job *j = arg;
	struct side *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	int i;

	for (i = 0; a && b && i < ROUNDS; i++) {
		struct side *s[2] = {a, b};
		size_t k;

		memset(a, 0, sizeof(*a));
		memset(b, 0, sizeof(*b));
		if (dtls_conn_alloc(&a->dc, j->ca, true,
				    dtls_ctx_fingerprint(j->cb), on_send,
				    on_estab, on_close, a) ||
		    dtls_conn_alloc(&b->dc, j->cb, false,
				    dtls_ctx_fingerprint(j->ca), on_send,
				    on_estab, on_close, b))
			break;
		dtls_conn_start(a->dc, 0);
		for (k = 0; k < 10 && (a->qn || b->qn); k++) {
			struct side *from = s[k % 2], *to = s[1 - k % 2];
			size_t n = from->qn, q;

			from->qn = 0;
			for (q = 0; q < n; q++)
				dtls_conn_recv(to->dc, from->q[q],
					       from->qlen[q], 1);
		}
		if (keys_match(a, b))
			j->ok++;
		a->dc = mem_deref(a->dc);
		b->dc = mem_deref(b->dc);
	}
	free(a);
	free(b);
	return NULL;
}

static void test_shared_ctx(void **state)
{
	struct dtls_ctx *ca = NULL, *cb = NULL;
	pthread_t tid[THREADS];
	struct job jobs[THREADS];
	int i;

	(void)state;
	assert_int_equal(dtls_ctx_alloc(&ca), 0);
	assert_int_equal(dtls_ctx_alloc(&cb), 0);
	for (i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){.ca = ca, .cb = cb};
		assert_int_equal(
		    pthread_create(&tid[i], NULL, worker, &jobs[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(tid[i], NULL), 0);
		assert_int_equal(jobs[i].ok, ROUNDS);
	}
	mem_deref(ca);
	mem_deref(cb);
}

/* The owner frees the contexts first; the connections finish anyway. */
static void test_ctx_freed_first(void **state)
{
	struct dtls_ctx *ca = NULL, *cb = NULL;
	struct side *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));

	(void)state;
	assert_int_equal(dtls_ctx_alloc(&ca), 0);
	assert_int_equal(dtls_ctx_alloc(&cb), 0);
	pair(a, b, ca, cb);
	mem_deref(ca);
	mem_deref(cb);
	assert_int_equal(dtls_conn_start(a->dc, 0), 0);
	pump(a, b, 1);
	assert_keys_crosswise(a, b);
	mem_deref(a->dc);
	mem_deref(b->dc);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_shared_ctx),
	    SC_TEST(test_ctx_freed_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
