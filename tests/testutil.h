/* testutil.h: cmocka glue shared by the unit tests; every test must end with
 * no allocation left over (SC_TEST checks it in its teardown). */
#ifndef SC_TESTUTIL_H
#define SC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/core.h"

static size_t sc_test_live_before;

static inline int sc_test_setup(void **state)
{
	(void)state;
	mem_fail_after(-1);
	sc_test_live_before = mem_live();
	return 0;
}

static inline int sc_test_teardown(void **state)
{
	size_t now = mem_live();

	(void)state;
	mem_fail_after(-1);
	if (now != sc_test_live_before) {
		fprintf(stderr, "leak: %zu allocation(s) left over\n",
			now - sc_test_live_before);
		return -1;
	}
	return 0;
}

#define SC_TEST(f)                                                             \
	cmocka_unit_test_setup_teardown(f, sc_test_setup, sc_test_teardown)

#endif
