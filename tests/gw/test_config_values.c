/* test_config_values.c: the config value parsers, good and bad values, and
 * the exact messages they give. */
#include <errno.h>
#include <string.h>

#include "gw/gw.h"
#include "testutil.h"

/* A view of a C string, for the value parsers. */
#define P(s) (&(struct pl){(s), strlen(s)})

static void test_config_uint(void **state)
{
	char why[GW_CONFIG_MSG_MAX];
	uint32_t v = 7;

	(void)state;
	assert_int_equal(
	    gw_config_parse_uint(P("64"), 1, 100, &v, why, sizeof(why)), 0);
	assert_int_equal(v, 64);
	assert_int_equal(
	    gw_config_parse_uint(P("1"), 1, 100, &v, why, sizeof(why)), 0);
	assert_int_equal(
	    gw_config_parse_uint(P("100"), 1, 100, &v, why, sizeof(why)), 0);
	assert_int_equal(v, 100);
	assert_int_equal(
	    gw_config_parse_uint(P("0"), 1, 100, &v, why, sizeof(why)),
	    EOVERFLOW);
	assert_string_equal(why, "value '0' out of range (1..100)");
	assert_int_equal(
	    gw_config_parse_uint(P("101"), 1, 100, &v, why, sizeof(why)),
	    EOVERFLOW);
	assert_int_equal(gw_config_parse_uint(P("99999999999"), 1, 100, &v, why,
	                                      sizeof(why)),
	                 EOVERFLOW);
	assert_int_equal(
	    gw_config_parse_uint(P("-1"), 1, 100, &v, why, sizeof(why)),
	    EBADMSG);
	assert_string_equal(why, "cannot parse integer '-1'");
	assert_int_equal(
	    gw_config_parse_uint(P("1x"), 1, 100, &v, why, sizeof(why)),
	    EBADMSG);
	assert_int_equal(
	    gw_config_parse_uint(P(""), 1, 100, &v, why, sizeof(why)), EBADMSG);
	assert_int_equal(
	    gw_config_parse_uint(P("0x10"), 1, 100, &v, why, sizeof(why)),
	    EBADMSG);
	assert_int_equal(v, 100); /* untouched on error */
}

static void test_config_bool(void **state)
{
	static const char *const yes[] = {"yes", "true", "on",
	                                  "1",   "YES",  "True"};
	static const char *const no[] = {"no", "false", "off", "0", "Off"};
	static const char *const bad[] = {"", "y", "2", "yes please", "nope"};
	char why[GW_CONFIG_MSG_MAX];
	size_t i;
	bool b;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(yes); i++) {
		b = false;
		assert_int_equal(
		    gw_config_parse_bool(P(yes[i]), &b, why, sizeof(why)), 0);
		assert_true(b);
	}
	for (i = 0; i < SC_ARRAY_SIZE(no); i++) {
		b = true;
		assert_int_equal(
		    gw_config_parse_bool(P(no[i]), &b, why, sizeof(why)), 0);
		assert_false(b);
	}
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++)
		assert_int_equal(
		    gw_config_parse_bool(P(bad[i]), &b, why, sizeof(why)),
		    EBADMSG);
	assert_string_equal(why, "cannot parse boolean 'nope' (expected "
	                         "yes/no/true/false/on/off/1/0)");
}

static void test_config_host(void **state)
{
	static const char *const good[] = {
	    "example.com", "localhost",     "a-b.c0",  "192.0.2.1",
	    "::1",         "[2001:db8::1]", "0.0.0.0", "1a.2b"};
	static const char *const bad[] = {
	    "",         "1.2.3", "256.1.1.1", "-a.com",        "a-.com",
	    "a..b",     "a_b",   "[::1",      "[example.com]", "1.2.3.4:5",
	    "ex ample", ".a",    "[]",        "x.example.",    "a.123"};
	char why[GW_CONFIG_MSG_MAX];
	struct pl host;
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(good); i++) {
		if (gw_config_parse_host(P(good[i]), &host, why, sizeof(why)))
			fail_msg("'%s': %s", good[i], why);
	}
	assert_int_equal(
	    gw_config_parse_host(P("[2001:db8::1]"), &host, why, sizeof(why)),
	    0);
	assert_true(!pl_strcmp(&host, "2001:db8::1"));
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++)
		if (gw_config_parse_host(P(bad[i]), &host, why, sizeof(why)) !=
		    EBADMSG)
			fail_msg("'%s' accepted", bad[i]);
	assert_string_equal(why, "cannot parse host 'a.123' (expected an IP "
	                         "address or host name)");
}

static void expect_addr(const char *v, const char *host, uint16_t port)
{
	char why[GW_CONFIG_MSG_MAX];
	struct pl h;
	uint16_t p = 0;

	if (gw_config_parse_addr(P(v), &h, &p, why, sizeof(why)))
		fail_msg("'%s': %s", v, why);
	if (pl_strcmp(&h, host))
		fail_msg("'%s': host '%.*s'", v, PL_FMT(&h));
	assert_int_equal(p, port);
}

static void test_config_addr(void **state)
{
	static const char *const bad[] = {
	    "",         "1.2.3.4",    "1.2.3.4:", ":5060",      "1.2.3:5060",
	    "::1:5060", "[::1]5060",  "[::1]:",   "[::1",       "host:x",
	    "host:-1",  "host: 5060", "a b:1",    "[1.2.3.4]:5"};
	char why[GW_CONFIG_MSG_MAX];
	struct pl h;
	uint16_t p;
	size_t i;

	(void)state;
	expect_addr("1.2.3.4:5060", "1.2.3.4", 5060);
	expect_addr("[::1]:5061", "::1", 5061);
	expect_addr("[::]:1", "::", 1);
	expect_addr("localhost:65535", "localhost", 65535);
	expect_addr("pbx.example.com:5060", "pbx.example.com", 5060);
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++)
		if (gw_config_parse_addr(P(bad[i]), &h, &p, why, sizeof(why)) !=
		    EBADMSG)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(
	    gw_config_parse_addr(P("1.2.3:x"), &h, &p, why, sizeof(why)),
	    EBADMSG);
	assert_string_equal(why, "cannot parse address '1.2.3:x' (expected "
	                         "host:port)");
	assert_int_equal(
	    gw_config_parse_addr(P("h:0"), &h, &p, why, sizeof(why)),
	    EOVERFLOW);
	assert_int_equal(
	    gw_config_parse_addr(P("h:65536"), &h, &p, why, sizeof(why)),
	    EOVERFLOW);
	assert_int_equal(gw_config_parse_addr(P("[::1]:99999999999"), &h, &p,
	                                      why, sizeof(why)),
	                 EOVERFLOW);
	assert_string_equal(why, "port out of range in '[::1]:99999999999' "
	                         "(1..65535)");
}

static void test_config_ports(void **state)
{
	char why[GW_CONFIG_MSG_MAX];
	struct gw_port_range r = {0, 0};

	(void)state;
	assert_int_equal(
	    gw_config_parse_ports(P("40000-40999"), &r, why, sizeof(why)), 0);
	assert_int_equal(r.lo, 40000);
	assert_int_equal(r.hi, 40999);
	assert_int_equal(
	    gw_config_parse_ports(P("1024 - 1025"), &r, why, sizeof(why)), 0);
	assert_int_equal(r.hi, 1025);
	assert_int_equal(
	    gw_config_parse_ports(P("1024-65535"), &r, why, sizeof(why)), 0);
	assert_int_equal(
	    gw_config_parse_ports(P("5000-4000"), &r, why, sizeof(why)),
	    EBADMSG);
	assert_string_equal(why, "port range '5000-4000' is reversed "
	                         "(expected LO-HI with LO < HI)");
	assert_int_equal(
	    gw_config_parse_ports(P("5000-5000"), &r, why, sizeof(why)),
	    EOVERFLOW);
	assert_string_equal(why, "port range '5000-5000' has fewer than 2 "
	                         "ports");
	assert_int_equal(
	    gw_config_parse_ports(P("1023-2000"), &r, why, sizeof(why)),
	    EOVERFLOW);
	assert_string_equal(why, "port range '1023-2000' out of range "
	                         "(1024..65535)");
	assert_int_equal(
	    gw_config_parse_ports(P("2000-65536"), &r, why, sizeof(why)),
	    EOVERFLOW);
	assert_int_equal(
	    gw_config_parse_ports(P("2000-99999999999"), &r, why, sizeof(why)),
	    EOVERFLOW);
	assert_int_equal(
	    gw_config_parse_ports(P("40000"), &r, why, sizeof(why)), EBADMSG);
	assert_string_equal(why, "cannot parse port range '40000' (expected "
	                         "LO-HI, as in 40000-40999)");
	assert_int_equal(gw_config_parse_ports(P("a-b"), &r, why, sizeof(why)),
	                 EBADMSG);
	assert_int_equal(gw_config_parse_ports(P("-"), &r, why, sizeof(why)),
	                 EBADMSG);
	assert_int_equal(
	    gw_config_parse_ports(P("1-2-3"), &r, why, sizeof(why)), EBADMSG);
	assert_int_equal(r.lo, 1024); /* untouched on error */
}

static void test_config_level(void **state)
{
	char why[GW_CONFIG_MSG_MAX];
	enum log_level l = LOG_ERROR;

	(void)state;
	assert_int_equal(
	    gw_config_parse_level(P("debug"), &l, why, sizeof(why)), 0);
	assert_int_equal(l, LOG_DEBUG);
	assert_int_equal(gw_config_parse_level(P("warn"), &l, why, sizeof(why)),
	                 0);
	assert_int_equal(l, LOG_WARN);
	assert_int_equal(
	    gw_config_parse_level(P("warning"), &l, why, sizeof(why)), EBADMSG);
	assert_int_equal(gw_config_parse_level(P(""), &l, why, sizeof(why)),
	                 EBADMSG);
	assert_int_equal(gw_config_parse_level(P("INFO"), &l, why, sizeof(why)),
	                 EBADMSG);
	assert_string_equal(why, "unknown log level 'INFO' (expected debug, "
	                         "info, warn or error)");
}

static void test_config_origin(void **state)
{
	static const char *const good[] = {
	    "https://app.example.com", "http://localhost:8080",
	    "https://192.0.2.1", "https://[::1]:8443", "https://a.b:1"};
	static const char *const bad[] = {
	    "app.example.com",  "https://",      "https://app/",
	    "ftp://a.b",        "https://a.b:0", "https://a.b:x",
	    "https://a.b/path", "https://::1",   "*",
	    "https://a b"};
	char why[GW_CONFIG_MSG_MAX];
	size_t i;

	(void)state;
	static const char *const norm[][2] = {
	    {"HTTPS://App.Example.COM", "https://app.example.com"},
	    {"https://a.b:443", "https://a.b"},
	    {"http://a.b:80", "http://a.b"},
	    {"http://a.b:0443", "http://a.b:443"},
	    {"https://a.b:80", "https://a.b:80"},
	    {"https://[2001:DB8::1]:8443", "https://[2001:db8::1]:8443"}};
	char out[64];

	for (i = 0; i < SC_ARRAY_SIZE(good); i++)
		if (gw_config_parse_origin(P(good[i]), NULL, 0, why,
		                           sizeof(why)))
			fail_msg("'%s': %s", good[i], why);
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++)
		if (gw_config_parse_origin(P(bad[i]), out, sizeof(out), why,
		                           sizeof(why)) != EBADMSG)
			fail_msg("'%s' accepted", bad[i]);
	for (i = 0; i < SC_ARRAY_SIZE(norm); i++) {
		assert_int_equal(gw_config_parse_origin(P(norm[i][0]), out,
		                                        sizeof(out), why,
		                                        sizeof(why)),
		                 0);
		assert_string_equal(out, norm[i][1]);
	}
	assert_int_equal(
	    gw_config_parse_origin(P("https://a.b"), out, 12, why, sizeof(why)),
	    0);
	assert_int_equal(
	    gw_config_parse_origin(P("https://a.b"), out, 11, why, sizeof(why)),
	    EOVERFLOW);
}

static void test_config_why_clipped(void **state)
{
	char v[300], why[GW_CONFIG_MSG_MAX];
	bool b;

	(void)state;
	memset(v, 'x', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	assert_int_equal(gw_config_parse_bool(P(v), &b, why, sizeof(why)),
	                 EBADMSG);
	assert_non_null(strstr(why, "xxx...'"));
	assert_true(strlen(why) < 64 + 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_config_uint),   SC_TEST(test_config_bool),
	    SC_TEST(test_config_host),   SC_TEST(test_config_addr),
	    SC_TEST(test_config_ports),  SC_TEST(test_config_level),
	    SC_TEST(test_config_origin), SC_TEST(test_config_why_clipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
