/* test_provision.c: one-time provisioning links through a real HTTPS server
 * on loopback and a real store in a temporary directory: the page and its
 * headers, redeem once, 410/404, expiry, rate limit with injected time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "harness.h"

#include "gw/provision.h"

#define T0_MS 5000000ull
#define MIN_MS (60 * 1000ull)
#define DOMAIN "sipcloak.test"
#define CSP "content-security-policy: " HTTP_CSP "\r\n"
#define INDEX_HTML                                                             \
	"<!doctype html>\n<title>app</title>\n"                                 \
	"<script type=\"module\" src=\"/app.js\"></script>\n"

static const uint8_t key1[STORE_KEY_LEN] = "0123456789abcdef0123456789abcde";

struct pf {
	struct th t;
	struct tmrl *tl;
	struct gw_provision *p;
	struct store_keyring *kr;
	struct store *s;
	struct gw_config cfg;
	char dir[64];
	char path[96];
	char web[96]; /* the app's folder: index.html only */
	char index[128];
	int64_t now; /* the wall clock, seconds */
};

static int64_t pf_now(void *arg)
{
	return ((struct pf *)arg)->now;
}

static void pf_init(struct pf *f)
{
	struct http_conf hc;

	memset(f, 0, sizeof(*f));
	memset(&hc, 0, sizeof(hc));
	snprintf(f->dir, sizeof(f->dir), "/tmp/provision_test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.db", f->dir);
	snprintf(f->web, sizeof(f->web), "%s/web", f->dir);
	snprintf(f->index, sizeof(f->index), "%s/index.html", f->web);
	assert_int_equal(mkdir(f->web, 0700), 0);
	{
		FILE *fp = fopen(f->index, "w");

		assert_non_null(fp);
		fputs(INDEX_HTML, fp);
		fclose(fp);
	}
	f->now = 1700000000;
	assert_int_equal(store_keyring_alloc(&f->kr), 0);
	assert_int_equal(store_keyring_add(f->kr, 1, key1), 0);
	assert_int_equal(store_open(&f->s, f->path, f->kr), 0);
	store_clock_set(f->s, pf_now, f);
	assert_int_equal(
	    store_user_add(f->s, "alice", "100", "Alice \"Al\" Example", NULL),
	    0);
	f->cfg.server.public_address = "gw.example.net";
	f->cfg.https.listen.host = "127.0.0.1";
	f->cfg.https.listen.port = 8443;
	f->cfg.sip.domain = DOMAIN;
	f->cfg.https.web_root = f->web;
	assert_int_equal(th_start(&f->t, &hc), 0);
	assert_int_equal(tmrl_alloc(&f->tl, T0_MS), 0);
	assert_int_equal(
	    gw_provision_alloc(&f->p, f->t.srv, f->s, &f->cfg, f->tl), 0);
	gw_provision_clock_set(f->p, pf_now, f);
}

static void pf_done(struct pf *f)
{
	char p[128];

	gw_provision_close(f->p);
	th_stop(&f->t); /* the route points at f->p: http goes first */
	f->p = mem_deref(f->p);
	f->tl = mem_deref(f->tl);
	store_close(f->s);
	mem_deref(f->kr);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	unlink(f->index);
	rmdir(f->web);
	rmdir(f->dir);
}

/* A new device of alice and a link to it, ttl_s from f->now. */
static void pf_link(struct pf *f, int64_t ttl_s, char tok[STORE_TOKEN_LEN + 1],
		    struct store_device_secret *sec)
{
	assert_int_equal(store_device_add(f->s, "alice", NULL, DOMAIN, sec), 0);
	assert_int_equal(store_link_create(f->s, sec->device, sec->password,
					   ttl_s, f->now, tok,
					   STORE_TOKEN_LEN + 1, NULL),
			 0);
}

/* Requests over one TLS connection (keep-alive), in the helper thread. */
enum { RQ_MAX = 64 };

struct rq {
	uint16_t port;
	const char *method;
	const char *paths[RQ_MAX];
	size_t n;
	int status[RQ_MAX];
	double secs[RQ_MAX];
	char resp[TC_RESP_MAX]; /* of the last request */
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rq_thread(void *arg)
{
	struct rq *r = arg;
	char req[512];
	struct tc c;
	size_t i;

	for (i = 0; i < r->n; i++)
		r->status[i] = -1;
	if (tc_connect(&c, r->port, false, 0, 0, NULL))
		goto out;
	for (i = 0; i < r->n; i++) {
		double t0 = mono();

		snprintf(req, sizeof(req),
			 "%s %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n",
			 r->method, r->paths[i],
			 strcmp(r->method, "POST") ? ""
						   : "Content-Type: "
						     "application/json\r\n"
						     "Content-Length: 2\r\n");
		if (!strcmp(r->method, "POST"))
			strcat(req, "{}");
		r->status[i] = tc_http(&c, req, r->resp, sizeof(r->resp));
		r->secs[i] = mono() - t0;
		if (r->status[i] < 0)
			break;
	}
out:
	tc_close(&c);
}

/* One request; returns the status, resp gets the whole response. */
static int pf_http(struct pf *f, const char *method, const char *path,
		   struct rq *r)
{
	memset(r, 0, sizeof(*r));
	r->port = f->t.port;
	r->method = method;
	r->paths[0] = path;
	r->n = 1;
	assert_true(th_run(&f->t, rq_thread, r, TH_RUN_MS));
	return r->status[0];
}

static const char *body_of(const char *resp)
{
	const char *b = strstr(resp, "\r\n\r\n");

	assert_non_null(b);
	return b + 4;
}

static void path_of(char *buf, size_t size, const char *tok)
{
	int n = snprintf(buf, size, "/p/%s", tok);

	assert_true(n > 0 && (size_t)n < size);
}

/* The headers every answer of the module carries. */
static void assert_common(const char *resp)
{
	assert_true(tc_has(resp, "referrer-policy: no-referrer\r\n"));
	assert_true(tc_has(resp, "strict-transport-security: max-age="));
	assert_true(tc_has(resp, "x-content-type-options: nosniff"));
}

static void assert_no_store(const char *resp)
{
	assert_common(resp);
	assert_true(tc_has(resp, "cache-control: no-store\r\n"));
}

/* Whether an inline event handler (on...=) appears in html. */
static bool has_handler_attr(const char *html)
{
	const char *s, *e;

	for (s = strstr(html, " on"); s; s = strstr(s + 1, " on")) {
		for (e = s + 3; *e >= 'a' && *e <= 'z'; e++)
			;
		if (e > s + 3 && *e == '=')
			return true;
	}
	return false;
}

static void test_page(void **state)
{
	struct store_device_secret sec;
	char tok[STORE_TOKEN_LEN + 1], path[64];
	const char *body, *s;
	struct rq r;
	struct pf f;

	(void)state;
	pf_init(&f);
	pf_link(&f, 600, tok, &sec);
	path_of(path, sizeof(path), tok);

	/* The app's index, twice: GET never consumes the link. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pf_http(&f, "GET", path, &r), 200);
		assert_common(r.resp);
		assert_true(tc_has(r.resp, "cache-control: no-cache\r\n"));
		assert_true(tc_has(r.resp, CSP));
		assert_true(tc_has(r.resp, "content-type: text/html"));
		body = body_of(r.resp);
		assert_string_equal(body, INDEX_HTML);
		/* No inline script or style: every <script has a src. */
		for (s = strstr(body, "<script"); s;
		     s = strstr(s + 1, "<script"))
			assert_non_null(strstr(s, " src="));
		assert_null(strstr(body, "style="));
		assert_null(strstr(body, "<style"));
		assert_false(has_handler_attr(body));
		assert_null(strstr(body, tok));
	}
	assert_int_equal(pf_http(&f, "POST", path, &r), 200);

	/* The same app at "/"; the old page's files are gone. */
	assert_int_equal(pf_http(&f, "GET", "/", &r), 200);
	assert_true(tc_has(r.resp, CSP));
	assert_string_equal(body_of(r.resp), INDEX_HTML);
	assert_int_equal(pf_http(&f, "GET", "/index.html", &r), 200);
	assert_int_equal(pf_http(&f, "GET", "/app.css", &r), 404);
	assert_common(r.resp);
	assert_int_equal(pf_http(&f, "GET", "/p/app.js", &r), 404);
	assert_int_equal(pf_http(&f, "GET", "/../s.db", &r), 404);
	assert_int_equal(pf_http(&f, "POST", "/", &r), 405);

	/* Not a token: 404; another method: 405. */
	assert_int_equal(pf_http(&f, "GET", "/p/short", &r), 404);
	assert_no_store(r.resp);
	assert_int_equal(pf_http(&f, "GET", "/p/", &r), 404);
	assert_int_equal(pf_http(&f, "DELETE", path, &r), 405);
	assert_true(tc_has(r.resp, "allow: GET, HEAD, POST"));

	store_secret_wipe(&sec);
	pf_done(&f);
}

/* A configured web_root that is not there stops the start; the default
 * place (beside the test program: none) leaves / and /p/<token> at 404. */
static void test_no_app(void **state)
{
	struct gw_provision *p = NULL;
	struct store_device_secret sec;
	char tok[STORE_TOKEN_LEN + 1], path[64];
	struct rq r;
	struct pf f;

	(void)state;
	pf_init(&f);
	f.cfg.https.web_root = "/nonexistent/web";
	assert_int_equal(gw_provision_alloc(&p, f.t.srv, f.s, &f.cfg, f.tl),
			 ENOENT);
	assert_null(p);
	f.cfg.https.web_root = NULL;
	pf_done(&f);

	pf_init(&f);
	f.cfg.https.web_root = NULL;
	gw_provision_close(f.p);
	th_stop(&f.t);
	f.p = mem_deref(f.p);
	assert_int_equal(th_start(&f.t, &(struct http_conf){0}), 0);
	assert_int_equal(
	    gw_provision_alloc(&f.p, f.t.srv, f.s, &f.cfg, f.tl), 0);
	gw_provision_clock_set(f.p, pf_now, &f);
	pf_link(&f, 600, tok, &sec);
	path_of(path, sizeof(path), tok);
	assert_int_equal(pf_http(&f, "GET", path, &r), 404);
	assert_non_null(strstr(body_of(r.resp), "not installed"));
	assert_int_equal(pf_http(&f, "GET", "/", &r), 404);
	assert_int_equal(pf_http(&f, "POST", path, &r), 200); /* still works */
	store_secret_wipe(&sec);
	pf_done(&f);
}

static void assert_field(const char *body, const char *name, const char *val)
{
	char want[STORE_SECRET_MAX + 128];

	snprintf(want, sizeof(want), "\"%s\":%s", name, val);
	if (!strstr(body, want))
		fail_msg("%s not in %s", want, body);
}

static void test_redeem_once(void **state)
{
	struct store_device_secret sec;
	char tok[STORE_TOKEN_LEN + 1], path[64], v[STORE_SECRET_MAX + 8];
	const char *body;
	struct rq r;
	struct pf f;

	(void)state;
	pf_init(&f);
	pf_link(&f, 600, tok, &sec);
	path_of(path, sizeof(path), tok);

	assert_int_equal(pf_http(&f, "POST", path, &r), 200);
	assert_no_store(r.resp);
	assert_true(tc_has(r.resp, "content-type: application/json"));
	body = body_of(r.resp);
	assert_int_equal(body[0], '{');
	assert_int_equal(body[strlen(body) - 1], '}');
	assert_field(body, "ws_url", "\"wss://gw.example.net:8443/ws\"");
	snprintf(v, sizeof(v), "\"sip:%s@" DOMAIN "\"", sec.sip_username);
	assert_field(body, "sip_uri", v);
	snprintf(v, sizeof(v), "\"%s\"", sec.sip_username);
	assert_field(body, "sip_username", v);
	snprintf(v, sizeof(v), "\"%s\"", sec.password);
	assert_field(body, "password", v);
	assert_field(body, "realm", "\"" DOMAIN "\"");
	assert_field(body, "display_name", "\"Alice \\\"Al\\\" Example\"");
	assert_field(body, "ice_servers", "[]");

	/* Exactly once. */
	assert_int_equal(pf_http(&f, "POST", path, &r), 410);
	assert_no_store(r.resp);
	assert_true(tc_has(r.resp, "content-type: application/json"));
	assert_string_equal(body_of(r.resp),
			    "{\"error\":\"link_used_or_expired\"}");
	assert_null(strstr(r.resp, sec.password));

	/* Unknown but well-formed. */
	memcpy(v, tok, sizeof(tok));
	v[0] = v[0] == 'A' ? 'B' : 'A';
	path_of(path, sizeof(path), v);
	assert_int_equal(pf_http(&f, "POST", path, &r), 404);
	assert_no_store(r.resp);
	assert_string_equal(body_of(r.resp), "{\"error\":\"unknown_link\"}");

	/* Malformed: short, long, a character outside base62, a sub-path. */
	assert_int_equal(pf_http(&f, "POST", "/p/abc", &r), 404);
	assert_string_equal(body_of(r.resp), "{\"error\":\"unknown_link\"}");
	snprintf(path, sizeof(path), "/p/%sx", tok);
	assert_int_equal(pf_http(&f, "POST", path, &r), 404);
	snprintf(path, sizeof(path), "/p/%.31s-", tok);
	assert_int_equal(pf_http(&f, "POST", path, &r), 404);
	snprintf(path, sizeof(path), "/p/%.31s/", tok);
	assert_int_equal(pf_http(&f, "POST", path, &r), 404);
	assert_int_equal(pf_http(&f, "POST", "/p/app.js", &r), 404);

	store_secret_wipe(&sec);
	pf_done(&f);
}

static void test_expired(void **state)
{
	struct store_device_secret sec;
	char tok[STORE_TOKEN_LEN + 1], path[64];
	struct rq r;
	struct pf f;

	(void)state;
	pf_init(&f);
	pf_link(&f, STORE_LINK_TTL_MIN, tok, &sec);
	path_of(path, sizeof(path), tok);
	f.now += STORE_LINK_TTL_MIN + 1;
	assert_int_equal(pf_http(&f, "POST", path, &r), 410);
	assert_string_equal(body_of(r.resp),
			    "{\"error\":\"link_used_or_expired\"}");
	/* Still gone when the clock goes back: the link was wiped. */
	f.now -= STORE_LINK_TTL_MIN + 1;
	assert_int_equal(pf_http(&f, "POST", path, &r), 410);
	store_secret_wipe(&sec);
	pf_done(&f);
}

static void test_rate_limit(void **state)
{
	struct store_device_secret sec[6];
	char tok[6][STORE_TOKEN_LEN + 1], path[6][64];
	struct rq r;
	struct pf f;
	int i;

	(void)state;
	pf_init(&f);
	for (i = 0; i < 6; i++) {
		pf_link(&f, 3600, tok[i], &sec[i]);
		path_of(path[i], sizeof(path[i]), tok[i]);
	}
	/* Successes are not counted: five of them, then nine failures
	 * (404, 410, malformed alike) still leave the source free. */
	for (i = 0; i < 5; i++)
		assert_int_equal(pf_http(&f, "POST", path[i], &r), 200);
	for (i = 0; i < GW_PROVISION_FAIL_THRESHOLD - 1; i++)
		assert_int_equal(
		    pf_http(&f, "POST", i % 2 ? "/p/x" : path[0], &r),
		    i % 2 ? 404 : 410);
	/* The tenth failure still gets its answer and starts the ban. */
	assert_int_equal(pf_http(&f, "POST", path[1], &r), 410);
	assert_int_equal(pf_http(&f, "POST", path[5], &r), 429);
	assert_no_store(r.resp);
	assert_true(tc_has(r.resp, "retry-after: 600\r\n"));
	assert_string_equal(body_of(r.resp), "{\"error\":\"rate_limited\"}");
	/* While banned a valid link is not even looked at (not consumed);
	 * the page itself is still served. */
	tmrl_poll(f.tl, T0_MS + 4 * MIN_MS);
	assert_int_equal(pf_http(&f, "POST", path[5], &r), 429);
	assert_true(tc_has(r.resp, "retry-after: 360\r\n"));
	assert_int_equal(pf_http(&f, "GET", path[5], &r), 200);
	/* Lifted after the period. */
	tmrl_poll(f.tl, T0_MS + GW_PROVISION_BAN_MS - 1);
	assert_int_equal(pf_http(&f, "POST", path[5], &r), 429);
	assert_true(tc_has(r.resp, "retry-after: 1\r\n"));
	tmrl_poll(f.tl, T0_MS + GW_PROVISION_BAN_MS);
	assert_int_equal(pf_http(&f, "POST", path[5], &r), 200);
	for (i = 0; i < 6; i++)
		store_secret_wipe(&sec[i]);
	pf_done(&f);
}

enum { TIMING_BATCHES = 12, TIMING_PER_BATCH = 4 };

/* Unknown (404) and used (410) tokens answer after the same work through
 * the whole stack: the best time of each, compared loosely. Batches stay
 * under the rate limit, the clock moving past its window between them. */
static void test_timing(void **state)
{
	struct store_device_secret sec;
	char tok[STORE_TOKEN_LEN + 1], used[64], unknown[64];
	double best404 = 1e9, best410 = 1e9;
	struct rq r;
	struct pf f;
	int b;
	size_t i;

	(void)state;
	pf_init(&f);
	pf_link(&f, 3600, tok, &sec);
	path_of(used, sizeof(used), tok);
	assert_int_equal(pf_http(&f, "POST", used, &r), 200);
	tok[0] = tok[0] == 'A' ? 'B' : 'A';
	path_of(unknown, sizeof(unknown), tok);
	for (b = 0; b < TIMING_BATCHES; b++) {
		memset(&r, 0, sizeof(r));
		r.port = f.t.port;
		r.method = "POST";
		for (i = 0; i < 2 * TIMING_PER_BATCH; i++)
			r.paths[i] = i % 2 ? used : unknown;
		r.n = 2 * TIMING_PER_BATCH;
		assert_true(th_run(&f.t, rq_thread, &r, TH_RUN_MS));
		for (i = 0; i < r.n; i++) {
			assert_int_equal(r.status[i], i % 2 ? 410 : 404);
			if (i % 2)
				best410 = SC_MIN(best410, r.secs[i]);
			else
				best404 = SC_MIN(best404, r.secs[i]);
		}
		tmrl_poll(f.tl, T0_MS + (uint64_t)(b + 1) *
					    (GW_PROVISION_FAIL_WINDOW_MS + 1));
	}
	printf("provision POST: unknown %.0f us, used %.0f us (best)\n",
	       best404 * 1e6, best410 * 1e6);
	assert_true(best404 < best410 * 3 && best410 < best404 * 3);
	store_secret_wipe(&sec);
	pf_done(&f);
}

static void test_closed(void **state)
{
	struct rq r;
	struct pf f;

	(void)state;
	pf_init(&f);
	gw_provision_close(f.p);
	gw_provision_close(f.p);
	assert_int_equal(pf_http(&f, "POST", "/p/abc", &r), 503);
	assert_no_store(r.resp);
	assert_int_equal(pf_http(&f, "GET", "/p/abc", &r), 503);
	pf_done(&f);
}

static void test_alloc_args(void **state)
{
	struct gw_provision *p = NULL;
	struct pf f;

	(void)state;
	pf_init(&f);
	assert_int_equal(gw_provision_alloc(NULL, f.t.srv, f.s, &f.cfg, f.tl),
			 EINVAL);
	assert_int_equal(gw_provision_alloc(&p, NULL, f.s, &f.cfg, f.tl),
			 EINVAL);
	assert_int_equal(gw_provision_alloc(&p, f.t.srv, NULL, &f.cfg, f.tl),
			 EINVAL);
	assert_int_equal(gw_provision_alloc(&p, f.t.srv, f.s, NULL, f.tl),
			 EINVAL);
	assert_int_equal(gw_provision_alloc(&p, f.t.srv, f.s, &f.cfg, NULL),
			 EINVAL);
	assert_null(p);
	/* The sweep timer runs (and re-arms) on the caller's list. */
	assert_int_equal(tmrl_count(f.tl), 1);
	tmrl_poll(f.tl, T0_MS + GW_PROVISION_SWEEP_MS);
	assert_int_equal(tmrl_count(f.tl), 1);
	gw_provision_close(f.p);
	assert_int_equal(tmrl_count(f.tl), 0);
	pf_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_page),
	    SC_TEST(test_no_app),       SC_TEST(test_redeem_once),
	    SC_TEST(test_expired),    SC_TEST(test_rate_limit),
	    SC_TEST(test_timing),     SC_TEST(test_closed),
	    SC_TEST(test_alloc_args),
	};
	int rc;

	log_level_set(LOG_ERROR);
	if (th_cert_init())
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	th_cert_cleanup();
	return rc;
}
