/* test_ws.c: SIP over WebSocket at /ws against a real lws server on
 * 127.0.0.1 (RFC 7118 handshake, RFC 6455 framing, limits and timers). */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define WS_SIP "Sec-WebSocket-Protocol: sip\r\n"

/* What a client scenario saw; filled in by the client thread. */
struct cs {
	uint16_t port;
	int status[4];
	char resp[TC_RESP_MAX];
	char resp2[TC_RESP_MAX];
	int op[4];
	bool fin[4];
	long len[4];
	uint8_t buf[4][TH_MSG_MAX];
	double secs;
	bool eof;
};

static struct th th;
static struct cs cs;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

static void stop(void)
{
	th_stop(&th);
}

static int connect_ws(struct tc *c, const char *extra, char *resp)
{
	if (tc_connect(c, cs.port, false, 0, 0, NULL))
		return -1;
	return tc_ws_upgrade(c, extra, resp, TC_RESP_MAX);
}

static void cl_handshake(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	tc_close(&c);
	cs.status[1] = connect_ws(&c, "", cs.resp2);
	tc_close(&c);
}

static void test_handshake_sip(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_handshake);
	assert_int_equal(cs.status[0], 101);
	assert_true(tc_has(cs.resp, "\r\nSec-WebSocket-Protocol: sip\r\n"));
	assert_true(tc_has(cs.resp, "Sec-WebSocket-Accept: "
	                            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
	/* without "sip": refused, and the reason really arrives */
	assert_int_equal(cs.status[1], 400);
	assert_true(tc_has(cs.resp2, "HTTP/1.1 400 WebSocket subprotocol "
	                             "'sip' required\r\n"));
	assert_true(tc_has(cs.resp2, "WebSocket subprotocol 'sip' required"));
	assert_false(tc_has(cs.resp2, "Sec-WebSocket-Accept"));
	stop();
	assert_int_equal(th.opens, 1);
}

static void cl_other_protocols(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[0] =
	    connect_ws(&c, "Sec-WebSocket-Protocol: chat\r\n", cs.resp);
	tc_close(&c);
	cs.status[1] =
	    connect_ws(&c, "Sec-WebSocket-Protocol: chat, sip\r\n", cs.resp2);
	tc_close(&c);
	/* a WebSocket upgrade anywhere but /ws */
	if (!tc_connect(&c, cs.port, false, 0, 0, NULL))
		cs.status[2] =
		    tc_http(&c,
		            "GET /other HTTP/1.1\r\nHost: x\r\n"
		            "Upgrade: websocket\r\n"
		            "Connection: Upgrade\r\n"
		            "Sec-WebSocket-Key: "
		            "dGhlIHNhbXBsZSBub25jZQ==\r\n"
		            "Sec-WebSocket-Version: 13\r\n" WS_SIP "\r\n",
		            (char *)cs.buf[0], sizeof(cs.buf[0]));
	tc_close(&c);
}

static void test_handshake_protocol_list(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_other_protocols);
	assert_int_equal(cs.status[0], 400);
	assert_true(tc_has(cs.resp, "subprotocol 'sip' required"));
	assert_int_equal(cs.status[1], 101);
	assert_true(tc_has(cs.resp2, "\r\nSec-WebSocket-Protocol: sip\r\n"));
	assert_int_equal(cs.status[2], 404);
	stop();
}

static void cl_origin(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[0] =
	    connect_ws(&c, WS_SIP "Origin: https://evil.example\r\n", cs.resp);
	tc_close(&c);
	cs.status[1] =
	    connect_ws(&c, WS_SIP "Origin: https://good.example\r\n", cs.resp2);
	tc_close(&c);
	cs.status[2] = connect_ws(&c, WS_SIP, (char *)cs.buf[0]);
	tc_close(&c);
}

static void test_origin(void **state)
{
	static const char *const origins[] = {"https://good.example"};
	struct http_conf conf = {.origins = origins, .origins_n = 1};

	(void)state;
	start(&conf);
	run(cl_origin);
	assert_int_equal(cs.status[0], 403);
	assert_true(tc_has(cs.resp, "origin not allowed"));
	assert_int_equal(cs.status[1], 101);
	assert_int_equal(cs.status[2], 403); /* no Origin when a list is set */
	stop();
}

static const char sip_msg[] = "OPTIONS sip:gw.example SIP/2.0\r\n"
                              "Via: SIP/2.0/WSS df7jal23ls0d.invalid;"
                              "branch=z9hG4bK56sdasks\r\n"
                              "Content-Length: 0\r\n\r\n";

static void cl_messages(void *arg)
{
	static uint8_t bin[3000];
	struct tc c;

	(void)arg;
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)i;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	tc_ws_send(&c, 1, true, sip_msg, strlen(sip_msg));
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	tc_ws_send(&c, 2, true, bin, sizeof(bin));
	cs.len[1] =
	    tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1], TH_MSG_MAX);
	/* fragmented: text frame, two continuations (RFC 6455 5.4) */
	tc_ws_send(&c, 1, false, "REGISTER ", 9);
	tc_ws_send(&c, 0, false, "sip:a SIP/2.0", 13);
	tc_ws_send(&c, 0, true, "\r\n\r\n", 4);
	cs.len[2] =
	    tc_ws_recv(&c, &cs.op[2], &cs.fin[2], cs.buf[2], TH_MSG_MAX);
	tc_ws_send(&c, 8, true, "\x03\xe8", 2); /* Close 1000 */
	cs.len[3] =
	    tc_ws_recv(&c, &cs.op[3], &cs.fin[3], cs.buf[3], TH_MSG_MAX);
	tc_close(&c);
}

static void test_messages(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_messages);
	assert_int_equal(cs.status[0], 101);
	assert_int_equal(cs.op[0], 1);
	assert_true(cs.fin[0]);
	assert_int_equal(cs.len[0], (long)strlen(sip_msg));
	assert_memory_equal(cs.buf[0], sip_msg, strlen(sip_msg));
	assert_int_equal(cs.op[1], 2);
	assert_int_equal(cs.len[1], 3000);
	assert_int_equal(cs.buf[1][2999], (uint8_t)2999);
	/* the server saw one whole message and echoed one frame */
	assert_int_equal(cs.op[2], 1);
	assert_true(cs.fin[2]);
	assert_int_equal(cs.len[2], 26);
	assert_memory_equal(cs.buf[2], "REGISTER sip:a SIP/2.0\r\n\r\n", 26);
	assert_int_equal(cs.op[3], 8); /* Close echoed */
	assert_int_equal(th.msgs, 3);
	assert_false(th.last_binary);
	th_spin(&th, 100);
	assert_int_equal(th.closes, 1);
	assert_int_equal(th.last_close, 1000);
	assert_int_equal(http_server_conn_count(th.srv), 0);
	stop();
}

/* Three messages, three TLS records, one TCP segment (TCP_CORK): the
 * server must answer each, not only the first. A guard for TLS read-ahead
 * (BENCHMARKS.md, REGISTER: tried, not enabled): with it the later records
 * wait in OpenSSL's buffer, where poll() does not see them. */
static void cl_pipelined(void *arg)
{
	static const char *const msg[3] = {"first", "second message",
					   "third"};
	int on = 1, off = 0;
	struct tc c;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	for (int round = 0; round < 2; round++) {
		setsockopt(c.fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
		for (int i = 0; i < 3; i++)
			tc_ws_send(&c, 1, true, msg[i], strlen(msg[i]));
		setsockopt(c.fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
		for (int i = 0; i < 3; i++) {
			cs.len[i] = tc_ws_recv(&c, &cs.op[i], &cs.fin[i],
					       cs.buf[i], TH_MSG_MAX);
			if (cs.len[i] != (long)strlen(msg[i]) ||
			    memcmp(cs.buf[i], msg[i], strlen(msg[i])))
				cs.status[1] = -1 - i - 3 * round;
		}
	}
	tc_close(&c);
}

static void test_pipelined(void **state)
{
	struct http_conf conf = {0};
	double t0;

	(void)state;
	start(&conf);
	t0 = now_s();
	run(cl_pipelined);
	assert_int_equal(cs.status[0], 101);
	assert_int_equal(cs.status[1], 0); /* every echo, in order */
	assert_int_equal(th.msgs, 6);
	/* well before a client read's TC_TIMEOUT_MS: nothing stalled */
	assert_true(now_s() - t0 < TC_TIMEOUT_MS / 1000.0 / 2);
	stop();
}

static void cl_too_big(void *arg)
{
	static uint8_t big[HTTP_WS_MSG_MAX + 1];
	struct tc c;

	(void)arg;
	memset(big, 'x', sizeof(big));
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	/* over the limit across fragments too */
	tc_ws_send(&c, 2, false, big, HTTP_WS_MSG_MAX);
	tc_ws_send(&c, 0, true, big, 1);
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	tc_close(&c);
	/* exactly at the limit is fine */
	cs.status[1] = connect_ws(&c, WS_SIP, cs.resp2);
	tc_ws_send(&c, 2, true, big, HTTP_WS_MSG_MAX);
	cs.len[1] =
	    tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1], TH_MSG_MAX);
	tc_close(&c);
}

static void test_too_big(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_too_big);
	assert_int_equal(cs.op[0], 8);
	assert_true(cs.len[0] >= 2);
	assert_int_equal(cs.buf[0][0] << 8 | cs.buf[0][1], 1009);
	assert_int_equal(cs.op[1], 2);
	assert_int_equal(cs.len[1], HTTP_WS_MSG_MAX);
	stop();
}

/* Invalid UTF-8 in a text message: 1007 (RFC 6455 8.1); SIP over WS
 * carries UTF-8 text or binary (RFC 7118 4.2). */
static void cl_bad_utf8(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	tc_ws_send(&c, 1, true, "REGISTER \xff\xfe", 11);
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	tc_close(&c);
	/* the same bytes in a binary message are fine */
	cs.status[1] = connect_ws(&c, WS_SIP, cs.resp);
	tc_ws_send(&c, 2, true, "REGISTER \xff\xfe", 11);
	cs.len[1] =
	    tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1], TH_MSG_MAX);
	tc_close(&c);
}

static void test_bad_utf8(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_bad_utf8);
	assert_int_equal(cs.op[0], 8);
	assert_int_equal(cs.buf[0][0] << 8 | cs.buf[0][1], 1007);
	assert_int_equal(cs.op[1], 2);
	assert_int_equal(cs.len[1], 11);
	assert_int_equal(th.msgs, 1);
	assert_true(th.last_binary);
	stop();
}

static void cl_ping(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	tc_ws_send(&c, 9, true, "hb-1", 4);
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	tc_close(&c);
}

static void test_ping_pong(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_ping);
	assert_int_equal(cs.op[0], 10);
	assert_int_equal(cs.len[0], 4);
	assert_memory_equal(cs.buf[0], "hb-1", 4);
	assert_int_equal(th.msgs, 0); /* control frames are not messages */
	stop();
}

/* The server pings a silent client; without a pong it hangs up. */
static void cl_silent(void *arg)
{
	struct tc c;
	double t0;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	t0 = now_s();
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	cs.secs = now_s() - t0;
	/* no pong: wait for the hang-up */
	cs.len[1] =
	    tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1], TH_MSG_MAX);
	if (cs.len[1] >= 0 && cs.op[1] == 8)
		cs.len[1] = tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1],
		                       TH_MSG_MAX);
	cs.eof = cs.len[1] < 0;
	tc_close(&c);
}

static void test_server_ping(void **state)
{
	struct http_conf conf = {
	    .ping_s = 1, .pong_s = 1, .idle_timeout_s = 60};

	(void)state;
	start(&conf);
	run(cl_silent);
	assert_int_equal(cs.status[0], 101);
	assert_int_equal(cs.op[0], 9);
	assert_true(cs.secs > 0.5 && cs.secs < 3.5);
	assert_true(cs.eof);
	th_spin(&th, 100);
	assert_int_equal(th.closes, 1);
	stop();
}

static void cl_idle(void *arg)
{
	struct tc c;
	double t0;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	t0 = now_s();
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	cs.secs = now_s() - t0;
	tc_close(&c);
}

static void test_idle_timeout(void **state)
{
	struct http_conf conf = {.idle_timeout_s = 1};

	(void)state;
	start(&conf);
	run(cl_idle);
	assert_int_equal(cs.op[0], 8);
	assert_int_equal(cs.buf[0][0] << 8 | cs.buf[0][1], 1001);
	assert_true(cs.secs > 0.5 && cs.secs < 3.0);
	th_spin(&th, 100);
	assert_int_equal(th.closes, 1);
	stop();
}

/* Data messages and ws_conn_touch() both restart the idle timer. */
static void cl_keepalive(void *arg)
{
	struct tc c;
	double t0;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	t0 = now_s();
	for (int i = 0; i < 5; i++) { /* RFC 5626 4.4.1 style CRLF pings */
		usleep(400 * 1000);
		tc_ws_send(&c, 1, true, "\r\n\r\n", 4);
		tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1], TH_MSG_MAX);
	}
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	cs.secs = now_s() - t0;
	tc_close(&c);
}

static void test_idle_reset_by_data(void **state)
{
	struct http_conf conf = {.idle_timeout_s = 1};

	(void)state;
	start(&conf);
	run(cl_keepalive);
	assert_int_equal(th.msgs, 5);
	assert_int_equal(cs.op[0], 8);
	assert_int_equal(cs.buf[0][0] << 8 | cs.buf[0][1], 1001);
	assert_true(cs.secs > 2.5 && cs.secs < 4.5);
	stop();
}

static unsigned touches;

static void touch_tick(uv_timer_t *tm)
{
	ws_conn_touch(th.kept);
	if (++touches == 7)
		uv_timer_stop(tm);
}

static void test_idle_reset_by_touch(void **state)
{
	struct http_conf conf = {.idle_timeout_s = 1};
	uv_timer_t tm;

	(void)state;
	start(&conf);
	th.keep_on_open = true;
	touches = 0;
	uv_timer_init(&th.loop, &tm);
	uv_timer_start(&tm, touch_tick, 300, 300); /* no-op until open */
	run(cl_idle);
	uv_close((uv_handle_t *)&tm, NULL);
	assert_int_equal(cs.op[0], 8);
	assert_int_equal(cs.buf[0][0] << 8 | cs.buf[0][1], 1001);
	assert_true(cs.secs > 2.2 && cs.secs < 4.5);
	stop();
}

static void cl_cap(void *arg)
{
	struct tc c[3];

	(void)arg;
	cs.status[0] = connect_ws(&c[0], WS_SIP, cs.resp);
	cs.status[1] = connect_ws(&c[1], WS_SIP, cs.resp);
	cs.status[2] = connect_ws(&c[2], WS_SIP, cs.resp2);
	for (int i = 0; i < 3; i++)
		tc_close(&c[i]);
}

static void test_per_ip_cap(void **state)
{
	struct http_conf conf = {.max_conn_per_ip = 2};

	(void)state;
	start(&conf);
	run(cl_cap);
	assert_int_equal(cs.status[0], 101);
	assert_int_equal(cs.status[1], 101);
	assert_int_equal(cs.status[2], 503);
	assert_true(tc_has(cs.resp2, "too many connections"));
	assert_true(tc_has(cs.resp2, "Retry-After: 30"));
	/* the count drops with the connections: room again */
	th_spin(&th, 200);
	assert_int_equal(http_server_conn_count(th.srv), 0);
	memset(&cs, 0, sizeof(cs));
	cs.port = th.port;
	run(cl_cap);
	assert_int_equal(cs.status[1], 101);
	stop();
}

static void cl_server_close(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	tc_ws_send(&c, 1, true, "close-me", 8);
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	tc_ws_send(&c, 8, true, cs.buf[0], 2); /* answer the Close */
	cs.len[1] =
	    tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1], TH_MSG_MAX);
	cs.eof = cs.len[1] < 0;
	tc_close(&c);
}

static void test_server_close(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_server_close);
	assert_int_equal(cs.op[0], 8);
	assert_int_equal(cs.len[0], 5);
	assert_memory_equal(cs.buf[0],
	                    "\x03\xe8"
	                    "bye",
	                    5);
	assert_true(cs.eof);
	th_spin(&th, 100);
	assert_int_equal(th.closes, 1);
	assert_non_null(th.kept);
	assert_false(ws_conn_is_open(th.kept));
	assert_int_equal(ws_conn_send(th.kept, (const uint8_t *)"x", 1, false),
	                 ENOTCONN);
	assert_int_equal(strncmp(ws_conn_peer_str(th.kept), "127.0.0.1:", 10),
	                 0);
	assert_int_equal(ws_conn_peer(th.kept)->sa_family, AF_INET);
	stop();
}

/* openh refusing closes with 1008; an oversize send is refused. */
static void cl_refused(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[0] = connect_ws(&c, WS_SIP, cs.resp);
	cs.len[0] =
	    tc_ws_recv(&c, &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	tc_close(&c);
}

static void cl_overflow(void *arg)
{
	struct tc c;

	(void)arg;
	cs.status[1] = connect_ws(&c, WS_SIP, cs.resp);
	tc_ws_send(&c, 1, true, "overflow", 8);
	tc_ws_send(&c, 1, true, "after", 5);
	cs.len[1] =
	    tc_ws_recv(&c, &cs.op[1], &cs.fin[1], cs.buf[1], TH_MSG_MAX);
	tc_close(&c);
}

static void test_refuse_and_overflow(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	th.refuse = true;
	run(cl_refused);
	assert_int_equal(cs.status[0], 101);
	assert_int_equal(cs.op[0], 8);
	assert_int_equal(cs.buf[0][0] << 8 | cs.buf[0][1], 1008);
	th_spin(&th, 100);
	assert_int_equal(th.closes, 1);
	th.refuse = false;
	run(cl_overflow);
	assert_int_equal(th.send_err, EOVERFLOW);
	assert_int_equal(cs.op[1], 1); /* still open: "after" echoed */
	assert_int_equal(cs.len[1], 5);
	stop();
}

/* Listening on ::1: the peer is printed in brackets, caps count it. */
static void cl_ipv6(void *arg)
{
	struct tc c[2];

	(void)arg;
	cs.status[0] = connect_ws(&c[0], WS_SIP, cs.resp);
	tc_ws_send(&c[0], 1, true, "v6", 2);
	cs.len[0] =
	    tc_ws_recv(&c[0], &cs.op[0], &cs.fin[0], cs.buf[0], TH_MSG_MAX);
	cs.status[1] = connect_ws(&c[1], WS_SIP, cs.resp2);
	tc_close(&c[0]);
	tc_close(&c[1]);
}

static void test_ipv6(void **state)
{
	struct http_conf conf = {.listen_host = "::1", .max_conn_per_ip = 1};

	(void)state;
	start(&conf);
	th.keep_on_open = true;
	tc_ipv6 = true;
	run(cl_ipv6);
	tc_ipv6 = false;
	assert_int_equal(cs.status[0], 101);
	assert_int_equal(cs.len[0], 2);
	assert_int_equal(cs.status[1], 503);
	assert_non_null(th.kept);
	assert_int_equal(strncmp(ws_conn_peer_str(th.kept), "[::1]:", 6), 0);
	assert_int_equal(ws_conn_peer(th.kept)->sa_family, AF_INET6);
	stop();
}

/* http_server_close with connections open: closeh for each, no leaks. */
static struct tc held[2];

static void cl_hold(void *arg)
{
	struct tc *c = held;

	(void)arg;
	cs.status[0] = connect_ws(&c[0], WS_SIP, cs.resp);
	cs.status[1] = connect_ws(&c[1], WS_SIP, cs.resp);
	/* leave them open; closed after the server is gone */
}

static void test_close_with_conns(void **state)
{
	struct http_conf conf = {0};

	(void)state;
	start(&conf);
	run(cl_hold);
	th_spin(&th, 50);
	assert_int_equal(http_server_conn_count(th.srv), 2);
	http_server_close(th.srv);
	assert_int_equal(th.closes, 2);
	http_server_close(th.srv); /* idempotent */
	stop();
	tc_close(&held[0]);
	tc_close(&held[1]);
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
	    SC_TEST(test_handshake_sip),
	    SC_TEST(test_handshake_protocol_list),
	    SC_TEST(test_origin),
	    SC_TEST(test_messages),
	    SC_TEST(test_pipelined),
	    SC_TEST(test_too_big),
	    SC_TEST(test_bad_utf8),
	    SC_TEST(test_ping_pong),
	    SC_TEST(test_server_ping),
	    SC_TEST(test_idle_timeout),
	    SC_TEST(test_idle_reset_by_data),
	    SC_TEST(test_idle_reset_by_touch),
	    SC_TEST(test_per_ip_cap),
	    SC_TEST(test_server_close),
	    SC_TEST(test_refuse_and_overflow),
	    SC_TEST(test_ipv6),
	    SC_TEST(test_close_with_conns),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
