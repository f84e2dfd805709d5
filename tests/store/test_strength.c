/* test_strength.c: zxcvbn-based secret strength with human reasons. */
#include <errno.h>
#include <string.h>

#include "testutil.h"

#include "store/seal.h"

static void expect_weak(const char *pw, const char *reason)
{
	const char *why = NULL;
	double bits = -1;

	assert_int_equal(store_secret_strength(pw, &bits, &why), ERANGE);
	assert_true(bits >= 0 && bits < STORE_SECRET_MIN_BITS);
	assert_non_null(why);
	if (reason && !strstr(why, reason))
		fail_msg("%s: \"%s\" does not mention \"%s\"", pw, why, reason);
}

static void test_weak(void **state)
{
	(void)state;
	expect_weak("", "empty");
	expect_weak("password", "common word");
	expect_weak("P@ssw0rd", "common word");
	expect_weak("zxcvbnm,./", "keyboard");
	expect_weak("zzzzzzzzzzzzzzzz", "repeated");
	expect_weak("abcdefghijklmn", "sequence");
	expect_weak("19840312", "date");
	expect_weak("x7#Kq", "short");
}

static void test_strong(void **state)
{
	const char *why = "unset";
	double bits = 0;
	char tok[23];

	(void)state;
	/* 22 random base62 characters: about 131 bits. */
	rand_token(tok, sizeof(tok));
	assert_int_equal(store_secret_strength(tok, &bits, &why), 0);
	assert_true(bits >= STORE_SECRET_MIN_BITS);
	assert_null(why);
	assert_int_equal(store_secret_strength("correct horse battery staple "
					       "under a violet moon",
					       &bits, &why),
			 0);
}

static void test_errors(void **state)
{
	char big[STORE_SECRET_MAX + 2];
	const char *why;
	double bits;

	(void)state;
	assert_int_equal(store_secret_strength(NULL, &bits, &why), EINVAL);
	assert_int_equal(store_secret_strength("x", NULL, &why), EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(store_secret_strength(big, &bits, &why), EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_weak),
	    SC_TEST(test_strong),
	    SC_TEST(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
