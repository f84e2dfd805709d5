/* test_ini.c: the INI tokenizer: every syntax case and every error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gw/gw.h"
#include "testutil.h"

/* The tokenizer works on an exact-size heap copy, so that ASan catches any
 * read past the length it was given. */
struct tok {
	struct gw_ini ini;
	char *copy;
};

static void tok_init(struct tok *t, const char *text, size_t len)
{
	t->copy = malloc(len ? len : 1);
	assert_non_null(t->copy);
	if (len)
		memcpy(t->copy, text, len);
	gw_ini_init(&t->ini, t->copy, len);
}

static void tok_free(struct tok *t)
{
	free(t->copy);
}

static void assert_pl(const struct pl *pl, const char *s)
{
	if (pl_strcmp(pl, s)) {
		fail_msg("got '%.*s', want '%s'", PL_FMT(pl), s);
	}
}

static void expect_section(struct tok *t, unsigned line, const char *type,
                           const char *name)
{
	struct gw_ini_item it;

	assert_int_equal(gw_ini_next(&t->ini, &it), 0);
	assert_int_equal(it.type, GW_INI_SECTION);
	assert_int_equal(it.line, line);
	assert_pl(&it.section, type);
	assert_pl(&it.name, name);
}

static void expect_pair(struct tok *t, unsigned line, const char *key,
                        const char *value)
{
	struct gw_ini_item it;

	assert_int_equal(gw_ini_next(&t->ini, &it), 0);
	assert_int_equal(it.type, GW_INI_PAIR);
	assert_int_equal(it.line, line);
	assert_pl(&it.key, key);
	assert_pl(&it.value, value);
}

static void expect_error(struct tok *t, int err, unsigned line,
                         const char *what)
{
	struct gw_ini_item it;

	assert_int_equal(gw_ini_next(&t->ini, &it), err);
	assert_int_equal(it.line, line);
	assert_non_null(it.error);
	if (!strstr(it.error, what))
		fail_msg("error '%s' lacks '%s'", it.error, what);
}

static void expect_end(struct tok *t)
{
	struct gw_ini_item it;

	assert_int_equal(gw_ini_next(&t->ini, &it), ENOENT);
	assert_int_equal(gw_ini_next(&t->ini, &it), ENOENT);
}

static void test_ini_empty(void **state)
{
	static const char blank[] = "\n\n  \t\n; c\n# c\n  ; indented\n";
	struct tok t;

	(void)state;
	tok_init(&t, "", 0);
	expect_end(&t);
	tok_free(&t);
	tok_init(&t, blank, sizeof(blank) - 1);
	expect_end(&t);
	tok_free(&t);
}

static void test_ini_sections(void **state)
{
	static const char text[] = "[server]\n"
	                           "  [ sip ]  \n"
	                           "[connection office]\n"
	                           "[connection\t  home ]\n"
	                           "[log] ; comment\n"
	                           "[media]# comment\n"
	                           "[a.b-c_d]";
	struct tok t;

	(void)state;
	tok_init(&t, text, sizeof(text) - 1);
	expect_section(&t, 1, "server", "");
	expect_section(&t, 2, "sip", "");
	expect_section(&t, 3, "connection", "office");
	expect_section(&t, 4, "connection", "home");
	expect_section(&t, 5, "log", "");
	expect_section(&t, 6, "media", "");
	expect_section(&t, 7, "a.b-c_d", "");
	expect_end(&t);
	tok_free(&t);
}

static void test_ini_pairs(void **state)
{
	static const char text[] = "a=1\n"
	                           "  b  =  two words  \n"
	                           "c = v ; comment\n"
	                           "d = v # comment\n"
	                           "e = http://x/#frag;x\n"
	                           "f =\n"
	                           "g = ; only a comment\n"
	                           "h=#x\n"
	                           "i = a = b\n"
	                           "j = \t tab \t\n";
	struct tok t;

	(void)state;
	tok_init(&t, text, sizeof(text) - 1);
	expect_pair(&t, 1, "a", "1");
	expect_pair(&t, 2, "b", "two words");
	expect_pair(&t, 3, "c", "v");
	expect_pair(&t, 4, "d", "v");
	expect_pair(&t, 5, "e", "http://x/#frag;x");
	expect_pair(&t, 6, "f", "");
	expect_pair(&t, 7, "g", "");
	expect_pair(&t, 8, "h", "");
	expect_pair(&t, 9, "i", "a = b");
	expect_pair(&t, 10, "j", "tab");
	expect_end(&t);
	tok_free(&t);
}

static void test_ini_quoted(void **state)
{
	static const char text[] = "a = \"x ; y # z\"\n"
	                           "b = \"  spaced  \"   ; comment\n"
	                           "c = \"\"\n"
	                           "d=\"q\"#c\n"
	                           "e = \"it's\"\n";
	struct tok t;

	(void)state;
	tok_init(&t, text, sizeof(text) - 1);
	expect_pair(&t, 1, "a", "x ; y # z");
	expect_pair(&t, 2, "b", "  spaced  ");
	expect_pair(&t, 3, "c", "");
	expect_pair(&t, 4, "d", "q");
	expect_pair(&t, 5, "e", "it's");
	expect_end(&t);
	tok_free(&t);
}

static void test_ini_crlf_bom(void **state)
{
	static const char text[] = "\xef\xbb\xbf[sip]\r\n"
	                           "udp = 1.2.3.4:5060\r\n"
	                           "\r\n"
	                           "x = \"q\"\r\n"
	                           "[log]\r";
	struct tok t;

	(void)state;
	tok_init(&t, text, sizeof(text) - 1);
	expect_section(&t, 1, "sip", "");
	expect_pair(&t, 2, "udp", "1.2.3.4:5060");
	expect_pair(&t, 4, "x", "q");
	expect_section(&t, 5, "log", "");
	expect_end(&t);
	tok_free(&t);

	/* A BOM anywhere else is not skipped. */
	tok_init(&t,
	         "a=1\n\xef\xbb\xbf"
	         "b=2\n",
	         11);
	expect_pair(&t, 1, "a", "1");
	expect_error(&t, EBADMSG, 2, "invalid key");
	expect_end(&t);
	tok_free(&t);
}

static void test_ini_errors(void **state)
{
	static const char text[] = "[sip\n"        /* 1 */
	                           "[sip] x\n"     /* 2 */
	                           "[]\n"          /* 3 */
	                           "[  ]\n"        /* 4 */
	                           "[a/b]\n"       /* 5 */
	                           "[a b c]\n"     /* 6 */
	                           "just words\n"  /* 7 */
	                           " = v\n"        /* 8 */
	                           "a b = c\n"     /* 9 */
	                           "k = \"open\n"  /* 10 */
	                           "k = \"a\" b\n" /* 11 */
	                           "k = a\x01 b\n" /* 12 */
	                           "k = a\rb\n"    /* 13 */
	                           "ok = yes\n";   /* 14 */
	struct tok t;

	(void)state;
	tok_init(&t, text, sizeof(text) - 1);
	expect_error(&t, EBADMSG, 1, "missing ']'");
	expect_error(&t, EBADMSG, 2, "after ']'");
	expect_error(&t, EBADMSG, 3, "empty section");
	expect_error(&t, EBADMSG, 4, "empty section");
	expect_error(&t, EBADMSG, 5, "invalid section");
	expect_error(&t, EBADMSG, 6, "invalid section");
	expect_error(&t, EBADMSG, 7, "expected 'key = value'");
	expect_error(&t, EBADMSG, 8, "missing key");
	expect_error(&t, EBADMSG, 9, "invalid key");
	expect_error(&t, EBADMSG, 10, "unterminated");
	expect_error(&t, EBADMSG, 11, "after closing quote");
	expect_error(&t, EBADMSG, 12, "control character");
	expect_error(&t, EBADMSG, 13, "control character");
	expect_pair(&t, 14, "ok", "yes"); /* goes on after errors */
	expect_end(&t);
	tok_free(&t);
}

static void test_ini_error_type(void **state)
{
	struct gw_ini_item it;
	struct tok t;

	(void)state;
	tok_init(&t, "[a\nb\n", 5);
	assert_int_equal(gw_ini_next(&t.ini, &it), EBADMSG);
	assert_int_equal(it.type, GW_INI_SECTION);
	assert_int_equal(gw_ini_next(&t.ini, &it), EBADMSG);
	assert_int_equal(it.type, GW_INI_PAIR);
	tok_free(&t);
}

static void test_ini_line_limit(void **state)
{
	size_t len = GW_INI_LINE_MAX + 16;
	char *text = malloc(len);
	struct tok t;

	(void)state;
	assert_non_null(text);
	/* Exactly GW_INI_LINE_MAX bytes (CR not counted) is accepted. */
	memset(text, 'v', len);
	memcpy(text, "k = ", 4);
	text[GW_INI_LINE_MAX] = '\r';
	text[GW_INI_LINE_MAX + 1] = '\n';
	memcpy(text + GW_INI_LINE_MAX + 2, "a = b\n", 6);
	tok_init(&t, text, GW_INI_LINE_MAX + 8);
	assert_int_equal(gw_ini_next(&t.ini, &(struct gw_ini_item){0}), 0);
	expect_pair(&t, 2, "a", "b");
	tok_free(&t);

	/* One more byte is an error, and the next line still parses. */
	memset(text, 'v', len);
	memcpy(text, "k = ", 4);
	text[GW_INI_LINE_MAX + 1] = '\n';
	memcpy(text + GW_INI_LINE_MAX + 2, "a = b", 5);
	tok_init(&t, text, GW_INI_LINE_MAX + 7);
	expect_error(&t, EOVERFLOW, 1, "too long");
	expect_pair(&t, 2, "a", "b");
	expect_end(&t);
	tok_free(&t);
	free(text);
}

/* Every prefix of a rich input tokenizes to the end without reading past
 * it (ASan) and without looping. */
static void test_ini_every_cut(void **state)
{
	static const char text[] = "\xef\xbb\xbf; head\r\n[sip]\n"
	                           "udp = [::1]:5060 ; c\n"
	                           "q = \"a ; b\"\n[connection x]\n[bad\n"
	                           "k =\n=\n";
	struct gw_ini_item it;
	size_t cut;

	(void)state;
	for (cut = 0; cut <= sizeof(text) - 1; cut++) {
		struct tok t;
		int n = 0;

		tok_init(&t, text, cut);
		while (gw_ini_next(&t.ini, &it) != ENOENT)
			assert_true(++n < 100);
		tok_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_ini_empty),      SC_TEST(test_ini_sections),
	    SC_TEST(test_ini_pairs),      SC_TEST(test_ini_quoted),
	    SC_TEST(test_ini_crlf_bom),   SC_TEST(test_ini_errors),
	    SC_TEST(test_ini_error_type), SC_TEST(test_ini_line_limit),
	    SC_TEST(test_ini_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
