/* test_ban.c: brute-force ban rules with injected time: window, threshold,
 * doubling, cap, decay, success, tables, listing, memory bound. */
#include <errno.h>
#include <string.h>

#include "testutil.h"

#include "gw/ban.h"

#define MIN (60 * 1000ull)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define T0 (1700000000000ull)

static struct gw_bans *bans_new(const struct gw_bans_conf *conf)
{
	struct gw_bans *b = NULL;

	assert_int_equal(gw_bans_alloc(&b, conf), 0);
	return b;
}

/* Fails key n times at now; asserts that only the last one bans and that
 * the ban lasts want_ms. */
static void ban_now(struct gw_bans *b, const char *key, uint64_t now,
		    uint64_t want_ms)
{
	uint64_t remain = 0;
	int i;

	for (i = 0; i < GW_BAN_THRESHOLD - 1; i++)
		assert_int_equal(
		    gw_bans_fail(b, GW_BAN_ACCOUNT, key, now, NULL), 0);
	assert_int_equal(gw_bans_fail(b, GW_BAN_ACCOUNT, key, now, &remain),
			 EACCES);
	assert_int_equal(remain, want_ms);
}

static void test_threshold_window(void **state)
{
	struct gw_bans *b = bans_new(NULL);
	uint64_t remain = 0;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, "192.0.2.1",
					      T0 + (uint64_t)i * MIN, NULL),
				 0);
	assert_int_equal(
	    gw_bans_check(b, GW_BAN_SOURCE, "192.0.2.1", T0 + 4 * MIN, NULL),
	    0);
	/* The fifth within ten minutes of the first bans for five. */
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, "192.0.2.1",
				      T0 + 10 * MIN - 1, &remain),
			 EACCES);
	assert_int_equal(remain, 5 * MIN);
	assert_int_equal(gw_bans_check(b, GW_BAN_SOURCE, "192.0.2.1",
				       T0 + 12 * MIN, &remain),
			 EACCES);
	assert_int_equal(remain, 3 * MIN - 1);
	assert_int_equal(gw_bans_check(b, GW_BAN_SOURCE, "192.0.2.1",
				       T0 + 15 * MIN - 2, NULL),
			 EACCES);
	assert_int_equal(gw_bans_check(b, GW_BAN_SOURCE, "192.0.2.1",
				       T0 + 15 * MIN - 1, NULL),
			 0);

	/* Sliding window: five failures spread over more than ten minutes
	 * do not ban; the sixth makes five within ten minutes. */
	for (i = 0; i < 5; i++)
		assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, "192.0.2.2",
					      T0 + (uint64_t)i * 3 * MIN, NULL),
				 0);
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, "192.0.2.2",
				      T0 + 13 * MIN - 1, NULL),
			 EACCES);
	mem_deref(b);
}

static void test_doubling_and_cap(void **state)
{
	static const uint64_t want[] = {
	    5 * MIN,   10 * MIN,  20 * MIN,   40 * MIN, 80 * MIN, 160 * MIN,
	    320 * MIN, 640 * MIN, 1280 * MIN, DAY,      DAY,      DAY,
	};
	struct gw_bans *b = bans_new(NULL);
	uint64_t now = T0;
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(want); i++) {
		ban_now(b, "alice", now, want[i]);
		now += want[i]; /* straight back at the end of each ban */
	}
	mem_deref(b);
}

static void test_decay(void **state)
{
	struct gw_bans *b = bans_new(NULL);
	uint64_t end2;

	(void)state;
	/* Two bans: 5 then 10 minutes; the second ends at end2. */
	ban_now(b, "a", T0, 5 * MIN);
	ban_now(b, "a", T0 + 5 * MIN, 10 * MIN);
	end2 = T0 + 15 * MIN;
	/* Quiet for a day less a millisecond: nothing forgotten. */
	ban_now(b, "a", end2 + DAY - 1, 20 * MIN);

	ban_now(b, "b", T0, 5 * MIN);
	ban_now(b, "b", T0 + 5 * MIN, 10 * MIN);
	/* A full quiet day forgets one ban: 10 minutes again. */
	ban_now(b, "b", end2 + DAY, 10 * MIN);

	ban_now(b, "c", T0, 5 * MIN);
	ban_now(b, "c", T0 + 5 * MIN, 10 * MIN);
	/* Two quiet days forget both. */
	ban_now(b, "c", end2 + 2 * DAY, 5 * MIN);

	/* A failure restarts the quiet day. */
	ban_now(b, "d", T0, 5 * MIN);
	assert_int_equal(gw_bans_fail(b, GW_BAN_ACCOUNT, "d",
				      T0 + 5 * MIN + 12 * HOUR, NULL),
			 0);
	ban_now(b, "d", T0 + 5 * MIN + DAY + 1, 10 * MIN);
	mem_deref(b);
}

static void test_success_and_banned_failures(void **state)
{
	struct gw_bans *b = bans_new(NULL);
	uint64_t remain = 0;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(
		    gw_bans_fail(b, GW_BAN_ACCOUNT, "bob", T0, NULL), 0);
	gw_bans_success(b, GW_BAN_ACCOUNT, "bob");
	assert_int_equal(gw_bans_count(b, GW_BAN_ACCOUNT), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(
		    gw_bans_fail(b, GW_BAN_ACCOUNT, "bob", T0, NULL), 0);
	assert_int_equal(gw_bans_fail(b, GW_BAN_ACCOUNT, "bob", T0, NULL),
			 EACCES);

	/* Failures while banned neither count nor extend the ban, and a
	 * success does not lift it. */
	for (i = 1; i <= 10; i++) {
		assert_int_equal(gw_bans_fail(b, GW_BAN_ACCOUNT, "bob",
					      T0 + (uint64_t)i * 1000, &remain),
				 EACCES);
		assert_int_equal(remain, 5 * MIN - (uint64_t)i * 1000);
	}
	gw_bans_success(b, GW_BAN_ACCOUNT, "bob");
	assert_int_equal(
	    gw_bans_check(b, GW_BAN_ACCOUNT, "bob", T0 + MIN, NULL), EACCES);
	/* After the ban, the counter starts from zero. */
	for (i = 0; i < 4; i++)
		assert_int_equal(
		    gw_bans_fail(b, GW_BAN_ACCOUNT, "bob", T0 + 5 * MIN, NULL),
		    0);
	mem_deref(b);
}

static void test_tables_and_clear(void **state)
{
	struct gw_bans *b = bans_new(NULL);

	(void)state;
	ban_now(b, "carol", T0, 5 * MIN);
	/* Same string, other table: independent. */
	assert_int_equal(gw_bans_check(b, GW_BAN_SOURCE, "carol", T0, NULL), 0);
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, "carol", T0, NULL), 0);
	assert_int_equal(gw_bans_count(b, GW_BAN_SOURCE), 1);

	/* Clearing lifts the ban and forgets the history. */
	assert_int_equal(gw_bans_clear(b, GW_BAN_ACCOUNT, "carol"), 0);
	assert_int_equal(gw_bans_check(b, GW_BAN_ACCOUNT, "carol", T0, NULL),
			 0);
	ban_now(b, "carol", T0 + 1, 5 * MIN);
	assert_int_equal(gw_bans_clear(b, GW_BAN_ACCOUNT, "dave"), ENOENT);
	mem_deref(b);
}

struct seen {
	size_t n;
	size_t stop_after;
	uint64_t remain_sum;
	bool saw_source;
};

static bool list_h(const struct gw_ban_info *bi, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->remain_sum += bi->remain_ms;
	if (bi->table == GW_BAN_SOURCE) {
		assert_string_equal(bi->key, "198.51.100.7");
		assert_int_equal(bi->bans, 1);
		s->saw_source = true;
	}
	return s->n < s->stop_after;
}

static void test_list(void **state)
{
	struct gw_bans_conf conf = {.threshold = 1};
	struct gw_bans *b = bans_new(&conf);
	struct seen s = {.stop_after = 100};

	(void)state;
	assert_int_equal(
	    gw_bans_fail(b, GW_BAN_SOURCE, "198.51.100.7", T0, NULL), EACCES);
	assert_int_equal(gw_bans_fail(b, GW_BAN_ACCOUNT, "x", T0 + MIN, NULL),
			 EACCES);
	assert_int_equal(
	    gw_bans_fail(b, GW_BAN_ACCOUNT, "y", T0 + 4 * MIN, NULL), EACCES);
	gw_bans_list(b, T0 + 4 * MIN, list_h, &s);
	assert_int_equal(s.n, 3);
	assert_true(s.saw_source);
	assert_int_equal(s.remain_sum, 1 * MIN + 2 * MIN + 5 * MIN);

	/* Expired bans are not listed; the handler can stop the walk. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 100;
	gw_bans_list(b, T0 + 5 * MIN + 30000, list_h, &s);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	gw_bans_list(b, T0, list_h, &s);
	assert_int_equal(s.n, 1);
	mem_deref(b);
}

static void test_memory_bound(void **state)
{
	struct gw_bans_conf conf = {.threshold = 2, .max_entries = 4};
	struct gw_bans *b = bans_new(&conf);
	char key[32];
	int i;

	(void)state;
	/* Two active bans and one key with a ban history. */
	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "banned%d", i);
		gw_bans_fail(b, GW_BAN_SOURCE, key, T0, NULL);
		assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, key, T0, NULL),
				 EACCES);
	}
	gw_bans_fail(b, GW_BAN_SOURCE, "history", T0 - HOUR, NULL);
	assert_int_equal(
	    gw_bans_fail(b, GW_BAN_SOURCE, "history", T0 - HOUR, NULL), EACCES);
	/* A flood of new keys: the table stays bounded, the bans stay, and
	 * plain entries go before the one with history. */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "flood%d", i);
		assert_int_equal(
		    gw_bans_fail(b, GW_BAN_SOURCE, key, T0 + 1, NULL), 0);
		assert_true(gw_bans_count(b, GW_BAN_SOURCE) <= 4);
	}
	assert_int_equal(
	    gw_bans_check(b, GW_BAN_SOURCE, "banned0", T0 + 1, NULL), EACCES);
	assert_int_equal(
	    gw_bans_check(b, GW_BAN_SOURCE, "banned1", T0 + 1, NULL), EACCES);
	/* "history" is still known: its next ban is the doubled one. */
	gw_bans_fail(b, GW_BAN_SOURCE, "history", T0 + 2, NULL);
	{
		uint64_t remain = 0;

		assert_int_equal(
		    gw_bans_fail(b, GW_BAN_SOURCE, "history", T0 + 2, &remain),
		    EACCES);
		assert_int_equal(remain, 10 * MIN);
	}
	/* Now four active bans: a new key cannot be tracked ... */
	gw_bans_fail(b, GW_BAN_SOURCE, "flood999", T0 + 3, NULL);
	assert_int_equal(
	    gw_bans_fail(b, GW_BAN_SOURCE, "flood999", T0 + 3, NULL), EACCES);
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, "new", T0 + 4, NULL),
			 EOVERFLOW);
	/* ... until bans expire. */
	assert_int_equal(
	    gw_bans_fail(b, GW_BAN_SOURCE, "new", T0 + 5 * MIN + 3, NULL), 0);
	mem_deref(b);
}

static void test_sweep(void **state)
{
	struct gw_bans *b = bans_new(NULL);

	(void)state;
	gw_bans_fail(b, GW_BAN_SOURCE, "p", T0, NULL);
	ban_now(b, "r", T0, 5 * MIN);
	gw_bans_sweep(b, T0 + 10 * MIN - 1);
	assert_int_equal(gw_bans_count(b, GW_BAN_SOURCE), 1);
	gw_bans_sweep(b, T0 + 10 * MIN);
	assert_int_equal(gw_bans_count(b, GW_BAN_SOURCE), 0);
	/* The ban history lives until it has decayed. */
	gw_bans_sweep(b, T0 + 5 * MIN + DAY - 1);
	assert_int_equal(gw_bans_count(b, GW_BAN_ACCOUNT), 1);
	gw_bans_sweep(b, T0 + 5 * MIN + DAY);
	assert_int_equal(gw_bans_count(b, GW_BAN_ACCOUNT), 0);
	mem_deref(b);
}

static void test_errors(void **state)
{
	struct gw_bans_conf conf = {.threshold = GW_BAN_THRESHOLD_MAX + 1};
	struct gw_bans *b = NULL;
	char key[GW_BAN_KEY_MAX + 2];
	long i;
	int err = ENOMEM;

	(void)state;
	assert_int_equal(gw_bans_alloc(&b, &conf), EINVAL);
	conf.threshold = 0;
	conf.period_ms = DAY;
	conf.period_max_ms = HOUR;
	assert_int_equal(gw_bans_alloc(&b, &conf), EINVAL);
	for (i = 0; err; i++) {
		mem_fail_after(i);
		err = gw_bans_alloc(&b, NULL);
		mem_fail_after(-1);
		if (err)
			assert_int_equal(err, ENOMEM);
	}
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, key, T0, NULL),
			 EOVERFLOW);
	assert_int_equal(gw_bans_check(b, GW_BAN_SOURCE, key, T0, NULL),
			 EOVERFLOW);
	key[GW_BAN_KEY_MAX] = '\0';
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, key, T0, NULL), 0);
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, NULL, T0, NULL),
			 EINVAL);
	assert_int_equal(gw_bans_fail(b, GW_BAN_TABLES, "k", T0, NULL), EINVAL);
	mem_fail_after(0);
	assert_int_equal(gw_bans_fail(b, GW_BAN_SOURCE, "k", T0, NULL), ENOMEM);
	mem_fail_after(-1);
	assert_int_equal(gw_bans_count(b, GW_BAN_SOURCE), 1);
	mem_deref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_threshold_window),
	    SC_TEST(test_doubling_and_cap),
	    SC_TEST(test_decay),
	    SC_TEST(test_success_and_banned_failures),
	    SC_TEST(test_tables_and_clear),
	    SC_TEST(test_list),
	    SC_TEST(test_memory_bound),
	    SC_TEST(test_sweep),
	    SC_TEST(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
