/* test_static.c: static files for the web app (static.c): the request path
 * rules, content types, and a real server answering GET, HEAD, 304, 404,
 * 405 with the security headers, refusing traversal and links out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

enum { NREQ = 24 };

struct cs {
	uint16_t port;
	const char *reqs[NREQ];
	int status[NREQ];
	char resp[NREQ][TC_RESP_MAX];
	char etag[64];
	int st_inm;
	char resp_inm[TC_RESP_MAX];
	char head[TC_RESP_MAX];
};

static struct th th;
static struct cs cs;
static char dir[64];

static void test_path_check(void **state)
{
	static const char *const ok[] = {
	    "/",     "/index.html", "/app.js", "/a/b/c.css",
	    "/sub/", "/a-b_c~d.x",  "/p/abc",  "/x..y",
	};
	static const char *const bad[] = {
	    "",       "index.html", "/..",    "/../etc/passwd", "/a/../b",
	    "/a/..",  "/.",         "/./a",   "/.hidden",       "/a/.git/x",
	    "//",     "/a//b",      "/a\\b",  "/..\\x",         "/%2e%2e/x",
	    "/a%2fb", "/a\tb",      "/a\x7f", "/a\nb",
	};
	struct pl nul = {"/a\0b", 4};
	char longp[HTTP_STATIC_PATH_MAX + 2];

	(void)state;
	for (size_t i = 0; i < SC_ARRAY_SIZE(ok); i++) {
		struct pl pl;

		pl_set_str(&pl, ok[i]);
		if (http_static_path_check(&pl))
			fail_msg("refused: %s", ok[i]);
	}
	for (size_t i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		struct pl pl;

		pl_set_str(&pl, bad[i]);
		if (http_static_path_check(&pl) != EACCES)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(http_static_path_check(&nul), EACCES);
	assert_int_equal(http_static_path_check(NULL), EACCES);
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	assert_int_equal(
	    http_static_path_check(&(struct pl){longp, HTTP_STATIC_PATH_MAX}),
	    0);
	assert_int_equal(http_static_path_check(
			     &(struct pl){longp, HTTP_STATIC_PATH_MAX + 1}),
			 EACCES);
}

static void test_ctype(void **state)
{
	(void)state;
	assert_string_equal(http_static_ctype("/x/index.html"),
			    "text/html; charset=utf-8");
	assert_string_equal(http_static_ctype("app.js"),
			    "text/javascript; charset=utf-8");
	assert_string_equal(http_static_ctype("app.css"),
			    "text/css; charset=utf-8");
	assert_string_equal(http_static_ctype("icon.svg"), "image/svg+xml");
	assert_string_equal(http_static_ctype("a.webmanifest"),
			    "application/manifest+json");
	assert_string_equal(http_static_ctype("js"),
			    "application/octet-stream");
	assert_string_equal(http_static_ctype("noext"),
			    "application/octet-stream");
	assert_string_equal(http_static_ctype(NULL),
			    "application/octet-stream");
}

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void tree_make(void)
{
	char p[128], q[128];

	snprintf(dir, sizeof(dir), "/tmp/static_test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("index.html", "<!doctype html><title>t</title>\n");
	put("app.js", "console.log(1);\n");
	put(".secret", "hidden\n");
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	put("sub/index.html", "sub index\n");
	/* a link out of the root, and one that stays inside */
	snprintf(p, sizeof(p), "%s/out", dir);
	assert_int_equal(symlink("/etc/hostname", p), 0);
	snprintf(p, sizeof(p), "%s/in.js", dir);
	snprintf(q, sizeof(q), "%s/app.js", dir);
	assert_int_equal(symlink(q, p), 0);
	/* one byte over the limit */
	snprintf(p, sizeof(p), "%s/big.txt", dir);
	{
		FILE *f = fopen(p, "w");

		assert_non_null(f);
		assert_int_equal(fseek(f, HTTP_STATIC_FILE_MAX, SEEK_SET), 0);
		fputc('x', f);
		fclose(f);
	}
}

static void tree_remove(void)
{
	static const char *const names[] = {
	    "index.html", "app.js", ".secret", "sub/index.html",
	    "out",        "in.js",  "big.txt", "sub",
	};
	char p[128];

	for (size_t i = 0; i < SC_ARRAY_SIZE(names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		(void)remove(p);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void test_alloc(void **state)
{
	struct http_static *st = NULL;

	(void)state;
	tree_make();
	assert_int_equal(http_static_alloc(&st, NULL), EINVAL);
	assert_int_equal(http_static_alloc(&st, ""), EINVAL);
	assert_int_equal(http_static_alloc(&st, "/nonexistent/web"), ENOENT);
	assert_int_equal(http_static_alloc(&st, "/etc/hostname"), ENOTDIR);
	assert_null(st);
	assert_int_equal(http_static_alloc(&st, dir), 0);
	assert_string_equal(http_static_root(st), dir);
	mem_deref(st);
	tree_remove();
}

/* Reads a response head only (HEAD has no body); extra bytes after the
 * blank line are kept so the test can see a body that should not be. */
static void head_read(struct tc *c, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	while (n + 1 < size && !strstr(buf, "\r\n\r\n")) {
		int r = tc_read(c, buf + n, size - n - 1);

		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
	}
}

static void cl_files(void *arg)
{
	char req[256];
	const char *e, *q;
	struct tc c;
	size_t i;

	(void)arg;
	for (i = 0; i < NREQ && cs.reqs[i]; i++) {
		/* one connection per request: refusals may close it */
		if (tc_connect(&c, cs.port, false, 0, 0, NULL))
			return;
		cs.status[i] = tc_http(&c, cs.reqs[i], cs.resp[i], TC_RESP_MAX);
		tc_close(&c);
	}
	/* If-None-Match with the ETag of the first answer: 304 */
	e = strcasestr(cs.resp[0], "\r\netag: ");
	if (e) {
		e += 8;
		q = strstr(e, "\r\n");
		snprintf(cs.etag, sizeof(cs.etag), "%.*s", (int)(q - e), e);
	}
	if (tc_connect(&c, cs.port, false, 0, 0, NULL))
		return;
	snprintf(
	    req, sizeof(req),
	    "GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"x\", %s\r\n\r\n",
	    cs.etag);
	cs.st_inm = tc_http(&c, req, cs.resp_inm, TC_RESP_MAX);
	/* HEAD: headers with the length, no body (the connection closes
	 * after it: lws 4.1 answers a request after a HEAD with 403) */
	(void)tc_write(&c, "HEAD /app.js HTTP/1.1\r\nHost: x\r\n\r\n", 35);
	head_read(&c, cs.head, sizeof(cs.head));
	tc_close(&c);
}

static const char *const reqs[] = {
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /sub/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /in.js HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /nope.js HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /.secret HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /out HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /sub HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /sub%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /..%5c..%5cetc%5cpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /app.js%00.html HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /%252e%252e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    "GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    NULL,
};

static void test_serve(void **state)
{
	struct http_static *st;
	struct http_conf conf = {0};
	size_t i;

	(void)state;
	tree_make();
	assert_int_equal(http_static_alloc(&st, dir), 0);
	assert_int_equal(th_start(&th, &conf), 0);
	assert_int_equal(
	    http_route_add(th.srv, NULL, "/", http_static_route_h, st), 0);
	memset(&cs, 0, sizeof(cs));
	cs.port = th.port;
	memcpy(cs.reqs, reqs, sizeof(reqs));
	assert_true(th_run(&th, cl_files, &cs, TH_RUN_MS));
	th_stop(&th);

	/* every answer carries the security headers */
	for (i = 0; cs.reqs[i]; i++) {
		const char *r = cs.resp[i];

		if (i == 12 && cs.status[i] < 0)
			continue; /* lws itself hangs up on an escaped NUL */

		if (!tc_has(r,
			    "\r\ncontent-security-policy: " HTTP_CSP "\r\n") ||
		    !tc_has(r, "\r\nstrict-transport-security: max-age=") ||
		    !tc_has(r, "\r\nreferrer-policy: no-referrer\r\n") ||
		    !tc_has(r, "\r\nx-content-type-options: nosniff\r\n"))
			fail_msg("request %zu: headers missing: %s", i, r);
	}
	assert_int_equal(cs.status[0], 200);
	assert_true(tc_has(cs.resp[0], "\r\ncontent-type: text/html"));
	assert_true(tc_has(cs.resp[0], "\r\ncache-control: no-cache\r\n"));
	assert_true(tc_has(cs.resp[0], "\r\nlast-modified: "));
	assert_true(tc_has(cs.resp[0], "\r\n\r\n<!doctype html>"));
	assert_int_equal(cs.status[1], 200);
	assert_true(tc_has(cs.resp[1], "\r\ncontent-type: text/javascript"));
	assert_true(tc_has(cs.resp[1], "\r\n\r\nconsole.log(1);\n"));
	assert_int_equal(cs.status[2], 200);
	assert_true(tc_has(cs.resp[2], "\r\n\r\nsub index\n"));
	assert_int_equal(cs.status[3], 200); /* a link inside the root */
	for (i = 4; i <= 13; i++)
		if (cs.status[i] != 404 && !(i == 12 && cs.status[i] < 0))
			fail_msg("request %zu: %d: %s", i, cs.status[i],
				 cs.resp[i]);
	for (i = 4; i <= 13; i++)
		assert_false(tc_has(cs.resp[i], "root:"));
	assert_int_equal(cs.status[5], 404); /* hidden */
	assert_int_equal(cs.status[6], 404); /* link out */
	assert_int_equal(cs.status[7], 404); /* a directory */
	assert_int_equal(cs.status[14], 405);
	assert_true(tc_has(cs.resp[14], "\r\nallow: GET, HEAD\r\n"));
	assert_int_equal(cs.status[15], 500);

	assert_true(strlen(cs.etag) > 2);
	assert_int_equal(cs.st_inm, 304);
	assert_true(tc_has(cs.resp_inm, cs.etag));
	assert_false(tc_has(cs.resp_inm, "<!doctype"));
	assert_true(tc_has(cs.head, "HTTP/1.1 200"));
	assert_true(tc_has(cs.head, "\r\ncontent-length: 16\r\n"));
	assert_string_equal(strstr(cs.head, "\r\n\r\n"), "\r\n\r\n");

	mem_deref(st);
	tree_remove();
}

static int group_setup(void **state)
{
	(void)state;
	return th_cert_init();
}

static int group_teardown(void **state)
{
	(void)state;
	th_cert_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_path_check),
	    SC_TEST(test_ctype),
	    SC_TEST(test_alloc),
	    SC_TEST(test_serve),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
