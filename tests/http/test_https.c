/* test_https.c: HTTPS routes (/healthz, 404/405, bodies, answers given
 * later) and the TLS policy (1.2+ AEAD only, RFC 7525) on a real server. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

struct cs {
	uint16_t port;
	int status[6];
	int tls[6];
	char resp[4][TC_RESP_MAX];
	bool eof;
};

static struct th th;
static struct cs cs;

/* What the test route saw. */
static struct {
	unsigned calls;
	char method[16], path[64], query[64], auth[64], ctype[64];
	char body[128];
	char path2[64], query2[64];
	size_t body_len;
	char peer[HTTP_PEER_STR_MAX];
	struct http_req *later; /* answered from a timer */
	struct http_req *kept;  /* never answered while connected */
	uv_timer_t tm;
	int late_err;
} rt;

static void tc_puts(struct tc *c, const char *s)
{
	(void)tc_write(c, s, strlen(s));
}

static void start(const struct http_conf *conf)
{
	assert_int_equal(th_start(&th, conf), 0);
	memset(&cs, 0, sizeof(cs));
	cs.port = th.port;
}

static void run(void (*fn)(void *))
{
	assert_true(th_run(&th, fn, &cs, TH_RUN_MS));
}

static void pl_copy(char *dst, size_t size, const struct pl *pl)
{
	snprintf(dst, size, "%.*s", (int)pl->l, pl->p ? pl->p : "");
}

static void echo_route(struct http_req *req, const struct http_msg *msg,
                       void *arg)
{
	(void)arg;
	if (rt.calls++) { /* later calls: only path and query */
		pl_copy(rt.path2, sizeof(rt.path2), &msg->path);
		pl_copy(rt.query2, sizeof(rt.query2), &msg->query);
		(void)http_reply(req, 201, NULL, NULL, NULL, 0, 0);
		return;
	}
	pl_copy(rt.method, sizeof(rt.method), &msg->method);
	pl_copy(rt.path, sizeof(rt.path), &msg->path);
	pl_copy(rt.query, sizeof(rt.query), &msg->query);
	pl_copy(rt.auth, sizeof(rt.auth), &msg->authorization);
	pl_copy(rt.ctype, sizeof(rt.ctype), &msg->content_type);
	rt.body_len = msg->body.l;
	pl_copy(rt.body, sizeof(rt.body), &msg->body);
	snprintf(rt.peer, sizeof(rt.peer), "%s", msg->peer_str);
	assert_int_equal(http_reply(req, 201, "application/json",
	                            "Location: /api/v1/x/1\r\n", "{\"id\":1}",
	                            8, HTTP_REPLY_CACHEABLE),
	                 0);
	assert_int_equal(http_reply(req, 200, NULL, NULL, NULL, 0, 0), EPROTO);
}

static void late_answer(uv_timer_t *tm)
{
	(void)tm;
	rt.late_err =
	    http_reply(rt.later, 200, "text/plain", NULL, "later\n", 6, 0);
	rt.later = mem_deref(rt.later);
}

/* Answers after 50 ms, as a database lookup would; keeps the second. */
static void async_route(struct http_req *req, const struct http_msg *msg,
                        void *arg)
{
	(void)msg;
	(void)arg;
	if (rt.calls++) {
		rt.kept = mem_ref(req);
		return;
	}
	rt.later = mem_ref(req);
	uv_timer_start(&rt.tm, late_answer, 50, 0);
}

static void cl_routes(void *arg)
{
	static const char body[] = "{\"name\":\"alice\"}";
	char req[512];
	struct tc c;

	(void)arg;
	if (tc_connect(&c, cs.port, false, 0, 0, NULL))
		return;
	cs.status[0] = tc_http(&c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
	                       cs.resp[0], TC_RESP_MAX);
	/* keep-alive: the next requests reuse the connection */
	cs.status[1] = tc_http(&c, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
	                       cs.resp[1], TC_RESP_MAX);
	snprintf(req, sizeof(req),
	         "POST /api/v1/users?a=1&b=two HTTP/1.1\r\nHost: x\r\n"
	         "Authorization: Bearer tok123\r\n"
	         "Content-Type: application/json\r\n"
	         "Content-Length: %zu\r\n\r\n%s",
	         strlen(body), body);
	cs.status[2] = tc_http(&c, req, cs.resp[2], TC_RESP_MAX);
	cs.status[4] = tc_http(&c,
	                       "POST /api/v1/a%20b?q=%41%26&r HTTP/1.1\r\n"
	                       "Host: x\r\nContent-Length: 0\r\n\r\n",
	                       cs.resp[3], TC_RESP_MAX);
	cs.status[3] = tc_http(&c,
	                       "POST /healthz HTTP/1.1\r\nHost: x\r\n"
	                       "Content-Length: 0\r\n\r\n",
	                       cs.resp[3], TC_RESP_MAX);
	tc_close(&c);
}

static void test_routes(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	memset(&rt, 0, sizeof(rt));
	start(&conf);
	assert_int_equal(
	    http_route_add(th.srv, "POST", "/api/v1", echo_route, NULL), 0);
	assert_int_equal(http_route_add(th.srv, NULL, "bad", echo_route, NULL),
	                 EINVAL);
	run(cl_routes);

	assert_int_equal(cs.status[0], 200);
	assert_true(tc_has(cs.resp[0], "\r\n\r\nok\n"));
	assert_true(tc_has(cs.resp[0], "\r\ncache-control: no-store\r\n"));
	assert_true(tc_has(cs.resp[0], "\r\nx-content-type-options: nosniff"));
	assert_true(tc_has(cs.resp[0], "\r\ncontent-type: text/plain"));

	assert_int_equal(cs.status[1], 404);
	assert_true(tc_has(cs.resp[1], "x-content-type-options: nosniff"));

	assert_int_equal(cs.status[2], 201);
	assert_true(tc_has(cs.resp[2], "\r\nLocation: /api/v1/x/1\r\n"));
	assert_false(tc_has(cs.resp[2], "no-store"));
	assert_true(tc_has(cs.resp[2], "\r\n\r\n{\"id\":1}"));
	assert_int_equal(rt.calls, 2);
	assert_string_equal(rt.method, "POST");
	assert_string_equal(rt.path, "/api/v1/users");
	assert_string_equal(rt.query, "a=1&b=two");
	assert_string_equal(rt.auth, "Bearer tok123");
	assert_string_equal(rt.ctype, "application/json");
	assert_string_equal(rt.body, "{\"name\":\"alice\"}");
	assert_int_equal(strncmp(rt.peer, "127.0.0.1:", 10), 0);

	assert_int_equal(cs.status[3], 405);
	assert_int_equal(cs.status[4], 201);
	/* lws decodes %-escapes, each argument on its own: an escaped '&'
	 * cannot be told from a separator once joined (documented) */
	assert_string_equal(rt.path2, "/api/v1/a b");
	assert_string_equal(rt.query2, "q=A&&r");
	th_stop(&th);
}

static void cl_async(void *arg)
{
	struct tc c;

	(void)arg;
	if (tc_connect(&c, cs.port, false, 0, 0, NULL))
		return;
	cs.status[0] = tc_http(&c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n",
	                       cs.resp[0], TC_RESP_MAX);
	/* a client that leaves before the answer */
	tc_puts(&c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
	tc_close(&c);
}

static void test_async_reply(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	memset(&rt, 0, sizeof(rt));
	start(&conf);
	uv_timer_init(&th.loop, &rt.tm);
	assert_int_equal(
	    http_route_add(th.srv, "GET", "/slow", async_route, NULL), 0);
	run(cl_async);
	assert_int_equal(cs.status[0], 200);
	assert_true(tc_has(cs.resp[0], "\r\n\r\nlater\n"));
	th_spin(&th, 200);
	assert_int_equal(rt.calls, 2);
	assert_int_equal(rt.late_err, 0);
	/* the connection is gone: an answer now is refused, nothing leaks */
	assert_non_null(rt.kept);
	uv_close((uv_handle_t *)&rt.tm, NULL);
	http_server_close(th.srv);
	assert_int_equal(http_reply(rt.kept, 200, NULL, NULL, NULL, 0, 0),
	                 ENOTCONN);
	rt.kept = mem_deref(rt.kept);
	th_stop(&th);
}

static void cl_body_limit(void *arg)
{
	char req[256];
	struct tc c;

	(void)arg;
	if (tc_connect(&c, cs.port, false, 0, 0, NULL))
		return;
	snprintf(req, sizeof(req),
	         "POST /api/v1/x HTTP/1.1\r\nHost: x\r\n"
	         "Content-Length: %u\r\n\r\n",
	         HTTP_BODY_MAX + 1);
	cs.status[0] = tc_http(&c, req, cs.resp[0], TC_RESP_MAX);
	tc_close(&c);
}

static void test_body_limit(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	memset(&rt, 0, sizeof(rt));
	start(&conf);
	assert_int_equal(
	    http_route_add(th.srv, "POST", "/api/v1", echo_route, NULL), 0);
	run(cl_body_limit);
	assert_int_equal(cs.status[0], 413);
	assert_int_equal(rt.calls, 0);
	th_stop(&th);
}

static void cl_tls(void *arg)
{
	struct tc c;

	(void)arg;
	/* TLS 1.1: refused */
	cs.tls[0] = tc_connect(&c, cs.port, false, TLS1_1_VERSION,
	                       TLS1_1_VERSION, NULL);
	tc_close(&c);
	/* TLS 1.2 without AEAD (RSA kx, CBC, SHA-1): refused */
	cs.tls[1] = tc_connect(&c, cs.port, false, TLS1_2_VERSION,
	                       TLS1_2_VERSION, "AES128-SHA");
	tc_close(&c);
	cs.tls[2] = tc_connect(&c, cs.port, false, TLS1_2_VERSION,
	                       TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA256");
	tc_close(&c);
	/* TLS 1.2 ECDHE + GCM, and CHACHA20-POLY1305: accepted */
	cs.tls[3] = tc_connect(&c, cs.port, false, TLS1_2_VERSION,
	                       TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256");
	if (!cs.tls[3])
		cs.status[3] = tc_http(&c, "GET /healthz HTTP/1.1\r\n\r\n",
		                       cs.resp[3], TC_RESP_MAX);
	tc_close(&c);
	cs.tls[4] = tc_connect(&c, cs.port, false, TLS1_2_VERSION,
	                       TLS1_2_VERSION, "ECDHE-RSA-CHACHA20-POLY1305");
	tc_close(&c);
	/* TLS 1.3 with its default (AEAD) suites */
	cs.tls[5] = tc_connect(&c, cs.port, false, TLS1_3_VERSION,
	                       TLS1_3_VERSION, NULL);
	if (!cs.tls[5])
		cs.status[5] = tc_http(&c, "GET /healthz HTTP/1.1\r\n\r\n",
		                       cs.resp[0], TC_RESP_MAX);
	tc_close(&c);
}

static void test_tls_policy(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_tls);
	assert_int_equal(cs.tls[0], EPROTO);
	assert_int_equal(cs.tls[1], EPROTO);
	assert_int_equal(cs.tls[2], EPROTO);
	assert_int_equal(cs.tls[3], 0);
	assert_int_equal(cs.status[3], 200);
	assert_int_equal(cs.tls[4], 0);
	assert_int_equal(cs.tls[5], 0);
	assert_int_equal(cs.status[5], 200);
	th_stop(&th);
}

/* RFC 7525 3.3: a client-initiated renegotiation is refused and the
 * connection carries no request after it. Measured: this also holds with
 * SSL_OP_NO_RENEGOTIATION removed (lws + OpenSSL 3.0 fail it anyway), so
 * the test guards the behaviour, not the flag. */
static void cl_reneg(void *arg)
{
	struct tc c;

	(void)arg;
	cs.tls[0] = tc_connect(&c, cs.port, false, TLS1_2_VERSION,
	                       TLS1_2_VERSION, NULL);
	if (cs.tls[0])
		return;
	cs.status[0] = SSL_renegotiate(c.ssl);
	cs.status[1] = SSL_do_handshake(c.ssl);
	cs.status[2] = tc_http(&c, "GET /healthz HTTP/1.1\r\n\r\n", cs.resp[0],
	                       TC_RESP_MAX);
	tc_close(&c);
}

static void test_no_renegotiation(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_reneg);
	assert_int_equal(cs.tls[0], 0);
	assert_int_equal(cs.status[0], 1); /* the client asked */
	assert_true(cs.status[1] <= 0);    /* and was refused */
	assert_int_not_equal(cs.status[2], 200);
	th_stop(&th);
}

/* Plain HTTP and ws:// on the TLS port fail cleanly; the server lives on. */
static void cl_plain(void *arg)
{
	char buf[512];
	struct tc c;
	int r, total = 0;

	(void)arg;
	if (tc_connect(&c, cs.port, true, 0, 0, NULL))
		return;
	tc_puts(&c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	while ((r = tc_read(&c, buf + total, sizeof(buf) - 1 - (size_t)total)) >
	       0)
		total += r;
	buf[total] = '\0';
	cs.eof = r == 0 || r < 0;
	cs.status[0] = strstr(buf, "HTTP/1.1 200") ? 200 : 0;
	tc_close(&c);
	if (tc_connect(&c, cs.port, true, 0, 0, NULL))
		return;
	tc_puts(&c, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
	            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	            "Sec-WebSocket-Protocol: sip\r\n\r\n");
	total = 0;
	while ((r = tc_read(&c, buf + total, sizeof(buf) - 1 - (size_t)total)) >
	       0)
		total += r;
	buf[total] = '\0';
	cs.status[1] = strstr(buf, "101") ? 101 : 0;
	tc_close(&c);
	cs.tls[2] = tc_connect(&c, cs.port, false, 0, 0, NULL);
	if (!cs.tls[2])
		cs.status[2] = tc_http(&c, "GET /healthz HTTP/1.1\r\n\r\n",
		                       cs.resp[2], TC_RESP_MAX);
	tc_close(&c);
}

static void test_plain_on_tls_port(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_plain);
	assert_true(cs.eof);
	assert_int_equal(cs.status[0], 0);
	assert_int_equal(cs.status[1], 0);
	assert_int_equal(th.opens, 0);
	assert_int_equal(cs.tls[2], 0);
	assert_int_equal(cs.status[2], 200);
	th_stop(&th);
}

static void test_alloc_errors(void **state)
{
	struct http_conf conf = {.listen_host = "127.0.0.1",
	                         .cert = "/nonexistent/cert.pem",
	                         .key = "/nonexistent/key.pem"};
	struct http_handlers h = {0};
	struct http_server *srv = NULL;
	uv_loop_t loop;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(http_server_alloc(NULL, &loop, &conf, &h, NULL),
	                 EINVAL);
	conf.cert = NULL;
	assert_int_equal(http_server_alloc(&srv, &loop, &conf, &h, NULL),
	                 EINVAL);
	conf.cert = "/nonexistent/cert.pem";
	assert_int_equal(http_server_alloc(&srv, &loop, &conf, &h, NULL), EIO);
	assert_null(srv);
	/* a port already taken */
	conf.cert = th_cert();
	conf.key = th_key();
	assert_int_equal(http_server_alloc(&srv, &loop, &conf, &h, NULL), 0);
	conf.listen_port = http_server_port(srv);
	{
		struct http_server *srv2 = NULL;

		assert_int_equal(
		    http_server_alloc(&srv2, &loop, &conf, &h, NULL),
		    EADDRINUSE);
		assert_null(srv2);
	}
	http_server_close(srv);
	srv = mem_deref(srv);
	/* a certificate lws cannot parse: lws fails half-way; no crash, no
	 * leak, no handle left on the loop */
	{
		char bad[160];
		FILE *f;

		snprintf(bad, sizeof(bad), "%s.bad", th_cert());
		f = fopen(bad, "w");
		assert_non_null(f);
		fputs("-----BEGIN CERTIFICATE-----\nAAAA\n"
		      "-----END CERTIFICATE-----\n",
		      f);
		fclose(f);
		conf.cert = bad;
		conf.listen_port = 0;
		assert_int_equal(
		    http_server_alloc(&srv, &loop, &conf, &h, NULL), EIO);
		assert_null(srv);
		unlink(bad);
	}
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(uv_loop_close(&loop), 0);
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
	    SC_TEST(test_routes),
	    SC_TEST(test_async_reply),
	    SC_TEST(test_body_limit),
	    SC_TEST(test_tls_policy),
	    SC_TEST(test_plain_on_tls_port),
	    SC_TEST(test_no_renegotiation),
	    SC_TEST(test_alloc_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
