/* test_dispatch.c: the command dispatcher in process: option placement, "--",
 * limits, usage on the right stream (cli_test.sh runs the real program). */
#include <stdlib.h>
#include <string.h>

#include "gw/gw.h"
#include "testutil.h"

struct run {
	int ret;
	char *out;
	char *err;
};

/* Runs gw_cli_main on a NULL-terminated word list. */
static void run(struct run *r, const char *const *words)
{
	char *argv[80];
	size_t outl = 0, errl = 0;
	FILE *out, *err;
	int argc = 0;

	r->out = r->err = NULL;
	out = open_memstream(&r->out, &outl);
	err = open_memstream(&r->err, &errl);
	assert_non_null(out);
	assert_non_null(err);
	argv[argc++] = (char *)"sipcloak";
	for (; *words; words++) {
		assert_true(argc < (int)SC_ARRAY_SIZE(argv) - 1);
		argv[argc++] = (char *)*words;
	}
	argv[argc] = NULL;
	r->ret = gw_cli_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define RUN(r, ...) run((r), (const char *const[]){__VA_ARGS__, NULL})

static void test_cli_version(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "version");
	assert_int_equal(r.ret, GW_CLI_OK);
	assert_string_equal(r.out, "sipcloak " SC_VERSION "\n");
	assert_string_equal(r.err, "");
	run_free(&r);
	RUN(&r, "version", "--json");
	assert_string_equal(r.out, "{\"version\":\"" SC_VERSION "\"}\n");
	run_free(&r);
}

static void test_cli_help(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "--help", "config", "check");
	assert_int_equal(r.ret, GW_CLI_OK);
	assert_non_null(
	    strstr(r.out, "usage: sipcloak [-c FILE] [--json] config check\n"));
	assert_string_equal(r.err, "");
	run_free(&r);
	RUN(&r, "config", "-h");
	assert_int_equal(r.ret, GW_CLI_OK);
	assert_non_null(strstr(r.out, "  check  "));
	assert_non_null(strstr(r.out, "  keys   "));
	run_free(&r);
}

static void test_cli_usage_errors(void **state)
{
	const char *many[70];
	struct run r;
	size_t i;

	(void)state;
	RUN(&r, "--", "--help");
	assert_int_equal(r.ret, GW_CLI_USAGE); /* after --, not an option */
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "unknown option '--help'"));
	run_free(&r);
	RUN(&r, "version", "-x");
	assert_int_equal(r.ret, GW_CLI_USAGE);
	assert_non_null(strstr(r.err, "sipcloak: unknown option '-x'\n"
	                              "usage: sipcloak [-c FILE] [--json] "
	                              "version\n"));
	run_free(&r);
	RUN(&r, "--config");
	assert_int_equal(r.ret, GW_CLI_USAGE);
	assert_non_null(strstr(r.err, "option needs a FILE: '--config'"));
	run_free(&r);
	for (i = 0; i < SC_ARRAY_SIZE(many) - 1; i++)
		many[i] = "version";
	many[i] = NULL;
	run(&r, many);
	assert_int_equal(r.ret, GW_CLI_USAGE);
	assert_non_null(strstr(r.err, "too many arguments"));
	run_free(&r);
}

static void test_cli_config_paths(void **state)
{
	struct run r;

	(void)state;
	RUN(&r, "config", "check", "--config=configs/minimal.ini");
	assert_int_equal(r.ret, GW_CLI_OK);
	assert_string_equal(r.out, "configs/minimal.ini: ok\n");
	run_free(&r);
	/* the last -c wins */
	RUN(&r, "-c", "configs/none.ini", "config", "check", "-c",
	    "configs/minimal.ini");
	assert_int_equal(r.ret, GW_CLI_OK);
	run_free(&r);
	RUN(&r, "-c", "configs/ports_reversed.ini", "--json", "serve");
	assert_int_equal(r.ret, GW_CLI_USAGE);
	assert_non_null(strstr(r.out, "\"ok\":false"));
	assert_string_equal(r.err, "");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_cli_version),
	    SC_TEST(test_cli_help),
	    SC_TEST(test_cli_usage_errors),
	    SC_TEST(test_cli_config_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
