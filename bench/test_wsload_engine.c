/* test_wsload_engine.c: wsload's engine against a small in-test WebSocket
 * server on 127.0.0.1 driven from the same loop: the upgrade (RFC 6455 4),
 * masked client frames (5.3), a ping answered with a pong (5.5.2), replies
 * split into fragments (5.4), a non-200 reply and a dropped connection. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "wsload.h"

#define TEST_RUN_US 300000u
#define TEST_LIMIT_US 5000000u

#include "test_wssrv.h"

struct srv {
	struct srv_ws ws; /* first */
	unsigned requests;
	bool reply_503; /* answer CSeq 3 with 503 */
};

static void srv_request(struct srv_ws *ws, struct srv_conn *c, const char *sip)
{
	struct srv *s = (struct srv *)ws;
	char resp[256];
	const char *cs = strstr(sip, "\r\nCSeq: ");
	unsigned long cseq;
	int n;

	assert_non_null(cs);
	assert_memory_equal(sip, "OPTIONS sip:", 12);
	cseq = strtoul(cs + 8, NULL, 10);
	s->requests++;
	n = snprintf(resp, sizeof(resp),
	             "SIP/2.0 %s\r\nVia: SIP/2.0/WSS abc.invalid\r\n"
	             "CSeq: %lu OPTIONS\r\nContent-Length: 0\r\n\r\n",
	             s->reply_503 && cseq == 3 ? "503 Busy" : "200 OK", cseq);
	if (cseq % 2) {
		srv_frame(c->fd, 0x81, resp, (size_t)n);
		return;
	}
	/* RFC 6455 5.4: a text message in two fragments. */
	srv_frame(c->fd, 0x01, resp, 10);
	srv_frame(c->fd, 0x80, resp + 10, (size_t)n - 10);
}

/* The OPTIONS server; two requests outstanding per connection. */
static void eng_open(struct srv *s, struct wsload_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	srv_open(&s->ws, cfg, srv_request);
	cfg->pipeline = 2;
}

static void test_engine_closed_loop(void **state)
{
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg;
	const struct wsload_stats *st;
	struct srv s;
	uint64_t t0;

	(void)state;
	eng_open(&s, &cfg);
	s.reply_503 = true;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 2), 0);
	st = wsload_engine_stats(e);
	/* Ramp: both open and answer the ping; nothing is sent yet. */
	DRIVE(e, &s.ws, wsload_engine_open(e) == 2 && s.ws.pongs == 2);
	assert_int_equal(s.requests, 0);
	assert_int_equal(st->pings, 2);
	/* Run: a closed loop, two outstanding per connection. */
	wsload_engine_phase(e, WSLOAD_RUN);
	t0 = wsload_now_us();
	DRIVE(e, &s.ws, wsload_now_us() - t0 >= TEST_RUN_US);
	wsload_engine_phase(e, WSLOAD_DRAIN);
	DRIVE(e, &s.ws, wsload_engine_outstanding(e) == 0);
	assert_true(st->ok > 20);
	/* CSeq 3 of each connection got the 503. */
	assert_int_equal(st->bad_status, 2);
	assert_int_equal(st->sent, st->ok + st->bad_status);
	assert_int_equal(st->lat.count, st->ok);
	assert_int_equal(s.requests, st->sent);
	assert_int_equal(st->conn_errors + st->drops + st->timeouts, 0);
	/* The server drops one connection: counted; no reconnect while
	 * draining, one after the back-off once running again. */
	close(s.ws.c[0].fd);
	memset(&s.ws.c[0], 0, sizeof(s.ws.c[0]));
	s.ws.c[0].fd = -1;
	DRIVE(e, &s.ws, st->drops == 1);
	assert_int_equal(wsload_engine_open(e), 1);
	wsload_engine_phase(e, WSLOAD_RUN);
	DRIVE(e, &s.ws, wsload_engine_open(e) == 2 && st->opened == 3);
	wsload_engine_close(e);
	assert_int_equal(wsload_engine_open(e), 0);
	mem_deref(e);
	srv_close(&s.ws);
}

static void test_engine_refused(void **state)
{
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg;
	struct srv s;

	(void)state;
	eng_open(&s, &cfg);
	srv_close(&s.ws); /* nobody listens on that port now */
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 1), 0);
	DRIVE(e, NULL, wsload_engine_stats(e)->conn_errors >= 1);
	assert_int_equal(wsload_engine_open(e), 0);
	wsload_engine_close(e);
	mem_deref(e);
	/* Arguments. */
	cfg.pipeline = 0;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 1), EINVAL);
	cfg.pipeline = 1;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, WSLOAD_MAX_CONNS + 1),
	                 EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_engine_closed_loop),
	    SC_TEST(test_engine_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
