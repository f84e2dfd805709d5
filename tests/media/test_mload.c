/* test_mload.c: the worker-load governor of the transcoders' Opus
 * complexity (media/mload.c), driven by an injected load: a simulated
 * worker whose busy share depends on the complexity it runs at. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "media/media_int.h"

/* Busy percentage of a worker whose non-codec work is base and whose
 * transcoders cost per_level[c] at complexity c (cost shape from
 * BENCHMARKS.md: 74, 59, 33, 24 us per frame at 5, 3, 1, 0). */
static unsigned sim_busy(unsigned base, unsigned calls, int c)
{
	unsigned us = c >= 5 ? 93 : c >= 3 ? 79 : c >= 1 ? 52 : 44;

	/* us per call per 20 ms = us / 200 percent of a core per call */

	return SC_MIN(100u, base + calls * us / 200u);
}

static void test_levels(void **state)
{
	struct mload ml;

	(void)state;
	mload_init(&ml, 5);
	assert_int_equal(ml.levelc, 4);
	assert_int_equal(mload_complexity(&ml), 5);
	mload_init(&ml, 2);
	assert_int_equal(ml.levelc, 3); /* 2, 1, 0 */
	assert_int_equal(ml.levelv[1], 1);
	mload_init(&ml, 0);
	assert_int_equal(ml.levelc, 1);
	assert_int_equal(mload_update(&ml, 100), 0);
	mload_init(&ml, 99); /* clamped to libopus's range */
	assert_int_equal(mload_complexity(&ml), 10);
	assert_int_equal(mload_busy_pct(0, 0), 0);
	assert_int_equal(mload_busy_pct(3, 4), 75);
	assert_int_equal(mload_busy_pct(5, 4), 100);
}

/* Busy: one step per window down to 0; quiet: one step up only after
 * MLOAD_HOLD_MIN quiet windows; in between: stays. */
static void test_steps(void **state)
{
	struct mload ml;
	unsigned i;

	(void)state;
	mload_init(&ml, 5);
	assert_int_equal(mload_update(&ml, 50), 5);
	assert_int_equal(mload_update(&ml, MLOAD_BUSY_HIGH_PCT), 3);
	assert_int_equal(mload_update(&ml, 95), 1);
	assert_int_equal(mload_update(&ml, 95), 0);
	assert_int_equal(mload_update(&ml, 95), 0);
	for (i = 1; i < MLOAD_HOLD_MIN; i++)
		assert_int_equal(mload_update(&ml, 10), 0);
	assert_int_equal(mload_update(&ml, MLOAD_BUSY_LOW_PCT), 1);
	/* a middling window resets the quiet count */
	for (i = 1; i < MLOAD_HOLD_MIN; i++)
		assert_int_equal(mload_update(&ml, 10), 1);
	assert_int_equal(mload_update(&ml, 50), 1);
	for (i = 1; i < MLOAD_HOLD_MIN; i++)
		assert_int_equal(mload_update(&ml, 10), 1);
	assert_int_equal(mload_update(&ml, 10), 3);
}

/* A load that fits at complexity 1 but not at 3: the governor settles at
 * 1 and tries 3 ever more rarely (the wait doubles up to the maximum),
 * instead of flapping every MLOAD_HOLD_MIN windows. */
static void test_no_flapping(void **state)
{
	struct mload ml;
	unsigned w, ups = 0, late_ups = 0;
	int c, prev;

	(void)state;
	mload_init(&ml, 5);
	c = mload_complexity(&ml);
	for (w = 0; w < 2000; w++) {
		/* too busy at 3 and 5, quiet at 1 */
		unsigned busy = c >= 3 ? MLOAD_BUSY_HIGH_PCT + 5
				       : MLOAD_BUSY_LOW_PCT - 5;

		prev = c;
		c = mload_update(&ml, busy);
		if (c > prev) {
			ups++;
			if (w >= 1000)
				late_ups++;
		}
		assert_true(c == 5 || c == 3 || c == 1);
	}
	/* 1000 windows at the longest wait allow 1000 / HOLD_MAX + 1
	 * tries; without the back-off it would be 1000 / (HOLD_MIN + 1). */
	assert_true(ups >= 5);
	assert_true(late_ups <= 1000 / MLOAD_HOLD_MAX + 1);
	assert_int_equal(ml.hold, MLOAD_HOLD_MAX);
}

/* The load goes away: back to the top level, and the back-off is
 * forgotten after MLOAD_HOLD_MAX windows without a step down. */
static void test_recovers(void **state)
{
	struct mload ml;
	unsigned w;

	(void)state;
	mload_init(&ml, 5);
	for (w = 0; w < 3; w++)
		mload_update(&ml, 100);
	assert_int_equal(mload_complexity(&ml), 0);
	for (w = 0; w < 3 * MLOAD_HOLD_MIN + 3; w++)
		mload_update(&ml, sim_busy(0, 10, mload_complexity(&ml)));
	assert_int_equal(mload_complexity(&ml), 5);
	ml.hold = MLOAD_HOLD_MAX;
	for (w = 0; w < 2 * MLOAD_HOLD_MAX; w++)
		mload_update(&ml, 50);
	assert_int_equal(ml.hold, MLOAD_HOLD_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_levels),
	    SC_TEST(test_steps),
	    SC_TEST(test_no_flapping),
	    SC_TEST(test_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
