/* test_core.c: mem, pl, mbuf, list, hash, tmr and rand. */
#include <errno.h>
#include <string.h>

#include "testutil.h"

static int destroyed;

static void count_destroy(void *data)
{
	(void)data;
	destroyed++;
}

static void test_mem_refcount(void **state)
{
	void *p = mem_zalloc(16, count_destroy);

	(void)state;
	destroyed = 0;
	assert_non_null(p);
	assert_int_equal(mem_nrefs(p), 1);
	mem_ref(p);
	assert_int_equal(mem_nrefs(p), 2);
	assert_null(mem_deref(p));
	assert_int_equal(destroyed, 0);
	mem_deref(p);
	assert_int_equal(destroyed, 1);
}

static void test_mem_fail_after(void **state)
{
	void *a, *b;

	(void)state;
	mem_fail_after(1);
	a = mem_alloc(8, NULL);
	b = mem_alloc(8, NULL);
	assert_non_null(a);
	assert_null(b);
	b = mem_alloc(8, NULL);
	assert_non_null(b);
	mem_deref(a);
	mem_deref(b);
}

static void test_mem_realloc(void **state)
{
	char *p = mem_alloc(4, NULL);

	(void)state;
	memcpy(p, "abc", 4);
	p = mem_realloc(p, 4096);
	assert_non_null(p);
	assert_string_equal(p, "abc");
	mem_deref(p);
}

static void test_pl(void **state)
{
	struct pl a = PL("Hello"), b = PL("hello"), n = PL("4294967295"),
		  big = PL("4294967296"), bad = PL("12a");
	uint32_t v;
	char buf[6], *dup;

	(void)state;
	assert_int_equal(pl_strcmp(&a, "Hello"), 0);
	assert_int_not_equal(pl_strcmp(&a, "hello"), 0);
	assert_int_equal(pl_strcasecmp(&a, "HELLO"), 0);
	assert_true(pl_caseeq(&a, &b));
	assert_false(pl_eq(&a, &b));
	assert_int_equal(pl_u32(&n, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(pl_u32(&big, &v), EOVERFLOW);
	assert_int_equal(pl_u32(&bad, &v), EBADMSG);
	assert_int_equal(pl_strcpy(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Hello");
	assert_int_equal(pl_strcpy(&a, buf, 5), EOVERFLOW);
	assert_int_equal(pl_strdup(&dup, &a), 0);
	assert_string_equal(dup, "Hello");
	mem_deref(dup);

	struct pl t = PL("  x y \t\r\n");
	pl_trim(&t);
	assert_int_equal(pl_strcmp(&t, "x y"), 0);
	assert_true(pl_casefind(&a, "LLO"));
	assert_false(pl_casefind(&a, "lox"));
}

static void test_mbuf(void **state)
{
	struct mbuf *mb;
	int i;

	(void)state;
	assert_int_equal(mbuf_alloc(&mb, 4), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(mbuf_printf(mb, "%d,", i), 0);
	assert_int_equal(mb->end, 290);
	assert_memory_equal(mb->buf, "0,1,2,", 6);
	mem_deref(mb);
}

struct item {
	struct le le;
	int v;
};

static bool item_eq(struct le *le, void *arg)
{
	return ((struct item *)le->data)->v == *(int *)arg;
}

static void test_list_hash(void **state)
{
	struct hash *h;
	struct item *it;
	struct le *le;
	int i, key = 42;

	(void)state;
	assert_int_equal(hash_alloc(&h, 10), 0);
	for (i = 0; i < 100; i++) {
		it = mem_zalloc(sizeof(*it), NULL);
		it->v = i;
		hash_append(h, (uint32_t)i, &it->le, it);
	}
	assert_int_equal(hash_count(h), 100);
	le = hash_lookup(h, 42, item_eq, &key);
	assert_non_null(le);
	it = le->data;
	hash_unlink(&it->le);
	mem_deref(it);
	assert_null(hash_lookup(h, 42, item_eq, &key));
	hash_flush(h);
	assert_int_equal(hash_count(h), 0);
	mem_deref(h);
}

static int fired[8];
static int nfired;

static void on_tmr(void *arg)
{
	fired[nfired++] = (int)(intptr_t)arg;
}

static void test_tmr_order(void **state)
{
	struct tmr t[5];
	struct tmrl *tl;
	int i;

	(void)state;
	nfired = 0;
	assert_int_equal(tmrl_alloc(&tl, 1000), 0);
	for (i = 0; i < 5; i++)
		tmr_init(&t[i]);
	tmr_start(&t[0], tl, 500, on_tmr, (void *)0);
	tmr_start(&t[1], tl, 100, on_tmr, (void *)1);
	tmr_start(&t[2], tl, 300, on_tmr, (void *)2);
	tmr_start(&t[3], tl, 200, on_tmr, (void *)3);
	tmr_start(&t[4], tl, 400, on_tmr, (void *)4);
	tmr_cancel(&t[2]);
	assert_int_equal(tmrl_next(tl), 100);
	tmrl_poll(tl, 1250);
	assert_int_equal(nfired, 2);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 3);
	assert_int_equal(tmrl_next(tl), 150);
	tmrl_poll(tl, 10000);
	assert_int_equal(nfired, 4);
	assert_int_equal(fired[2], 4);
	assert_int_equal(fired[3], 0);
	assert_int_equal(tmrl_next(tl), UINT64_MAX);
	assert_false(tmr_isrunning(&t[0]));
	mem_deref(tl);
}

static void test_rand_token(void **state)
{
	char a[33], b[33];

	(void)state;
	rand_token(a, sizeof(a));
	rand_token(b, sizeof(b));
	assert_int_equal(strlen(a), 32);
	assert_string_not_equal(a, b);
}

static void test_rand_pool(void **state)
{
	struct rand_pool rp;
	char seen[64][16];
	size_t i, j, counts[62] = {0};

	(void)state;
	rand_pool_init(&rp);
	for (i = 0; i < SC_ARRAY_SIZE(seen); i++) {
		rand_pool_token(&rp, seen[i], sizeof(seen[i]));
		assert_int_equal(strlen(seen[i]), 15);
		for (j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	/* over many refills every character of the alphabet shows up */
	for (i = 0; i < 2000; i++) {
		char t[16];

		rand_pool_token(&rp, t, sizeof(t));
		for (j = 0; j < 15; j++) {
			char c = t[j];

			counts[c >= 'a' && c <= 'z'   ? c - 'a'
			       : c >= 'A' && c <= 'Z' ? 26 + c - 'A'
						      : 52 + c - '0']++;
		}
	}
	for (i = 0; i < 62; i++)
		assert_true(counts[i] > 200); /* expected about 484 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SC_TEST(test_mem_refcount), SC_TEST(test_mem_fail_after),
		SC_TEST(test_mem_realloc),  SC_TEST(test_pl),
		SC_TEST(test_mbuf),	    SC_TEST(test_list_hash),
		SC_TEST(test_tmr_order),    SC_TEST(test_rand_token),	    SC_TEST(test_rand_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
