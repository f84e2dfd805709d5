/* test_api.c: the admin API's pure parts: JSON request bodies (RFC 8259)
 * with the offending field named, and Bearer credentials (RFC 6750 §2.1). */
#include <errno.h>
#include <string.h>

#include "testutil.h"

#include "gw/api_int.h"

static int parse(const char *s, struct gw_api_body *b, char *field)
{
	return gw_api_body_parse(b, s, strlen(s), field, GW_API_FIELD_MAX + 1);
}

static void test_body(void **state)
{
	char field[GW_API_FIELD_MAX + 1], big[STORE_NAME_MAX + 16];
	struct gw_api_body b;

	(void)state;
	assert_int_equal(parse("{\"name\":\"alice\",\"extension\":\"1001\","
			       "\"display\":\"Alice E\",\"label\":\"x\","
			       "\"ttl\":900}",
			       &b, field),
			 0);
	assert_string_equal(b.name, "alice");
	assert_string_equal(b.extension, "1001");
	assert_string_equal(b.display, "Alice E");
	assert_true(b.has_name && b.has_label);
	assert_int_equal(b.ttl, 900);
	/* No body or only white space: an empty object. */
	assert_int_equal(parse("", &b, field), 0);
	assert_false(b.has_name);
	assert_int_equal(parse(" \r\n", &b, field), 0);
	assert_int_equal(parse("{}", &b, field), 0);

	assert_int_equal(parse("{\"colour\":\"red\"}", &b, field), EBADMSG);
	assert_string_equal(field, "colour");
	assert_int_equal(parse("{\"name\":5}", &b, field), EBADMSG);
	assert_string_equal(field, "name");
	assert_int_equal(parse("{\"ttl\":\"9\"}", &b, field), EBADMSG);
	assert_string_equal(field, "ttl");
	assert_int_equal(parse("{\"ttl\":0}", &b, field), EBADMSG);
	assert_string_equal(field, "ttl");
	/* RFC 8259 §7 escapes, decoded; UTF-16 pairs joined into UTF-8 */
	assert_int_equal(parse("{\"display\":\"Jo \\\"JJ\\\" O\\\\Neil\\/\\u00e9"
			       "\\ud83d\\ude00\"}",
			       &b, field),
			 0);
	assert_string_equal(b.display, "Jo \"JJ\" O\\Neil/\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(parse("{\"display\":\"a\\tb\\u20AC\"}", &b, field), 0);
	assert_string_equal(b.display, "a\tb\xe2\x82\xac");
	static const char *const bad[] = {
	    "{\"name\":\"a\\xb\"}",       /* no such escape */
	    "{\"name\":\"a\\u12\"}",      /* short \u */
	    "{\"name\":\"a\\u12g4\"}",    /* not hex */
	    "{\"name\":\"a\\u0000\"}",    /* NUL */
	    "{\"name\":\"\\ud83d\"}",     /* lone high surrogate */
	    "{\"name\":\"\\ude00x\"}",    /* low surrogate first */
	    "{\"name\":\"\\ud83d\\u0041\"}", /* high + not low */
	    "{\"name\":\"a\\",            /* cut inside the escape */
	    "{\"name\":\"a\x01\"}",        /* raw control character */
	};
	for (size_t i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse(bad[i], &b, field), EBADMSG);
		assert_string_equal(field, "name");
	}
	assert_int_equal(parse("[\"alice\"]", &b, field), EBADMSG);
	assert_string_equal(field, "body");
	assert_int_equal(parse("{\"name\":\"a\"} x", &b, field), EBADMSG);
	assert_string_equal(field, "body");
	assert_int_equal(parse("{\"name\":\"a\"", &b, field), EBADMSG);

	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"name\":\"", 9);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	assert_int_equal(parse(big, &b, field), EOVERFLOW);
	assert_string_equal(field, "name");
	/* never past len: the object is cut short of its brace */
	assert_int_equal(gw_api_body_parse(&b, "{\"name\":\"a\"}", 11, field,
					   sizeof(field)),
			 EBADMSG);
	assert_int_equal(gw_api_body_parse(&b, "{}", GW_API_BODY_MAX + 1,
					   field, sizeof(field)),
			 EOVERFLOW);
	assert_int_equal(gw_api_body_parse(NULL, "{}", 2, field,
					   sizeof(field)),
			 EINVAL);
}

static void test_bearer(void **state)
{
	struct pl auth, tok;

	(void)state;
	auth = (struct pl)PL("Bearer sca_abc");
	assert_int_equal(gw_api_bearer(&auth, &tok), 0);
	assert_int_equal(pl_strcmp(&tok, "sca_abc"), 0);
	auth = (struct pl)PL("bearer   sca_abc  ");
	assert_int_equal(gw_api_bearer(&auth, &tok), 0);
	assert_int_equal(pl_strcmp(&tok, "sca_abc"), 0);
	auth = (struct pl)PL("Basic YTpi");
	assert_int_equal(gw_api_bearer(&auth, &tok), EBADMSG);
	auth = (struct pl)PL("Bearer ");
	assert_int_equal(gw_api_bearer(&auth, &tok), EBADMSG);
	auth = (struct pl)PL("Bearer    ");
	assert_int_equal(gw_api_bearer(&auth, &tok), EBADMSG);
	auth = (struct pl)PL("Bearersca_abc");
	assert_int_equal(gw_api_bearer(&auth, &tok), EBADMSG);
	auth.p = NULL;
	auth.l = 0;
	assert_int_equal(gw_api_bearer(&auth, &tok), ENOENT);
	assert_int_equal(gw_api_bearer(NULL, &tok), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_body),
	    SC_TEST(test_bearer),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
