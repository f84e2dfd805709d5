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

#define SRV_CONNS 4
#define SRV_BUF 16384
#define TEST_RUN_US 300000u
#define TEST_LIMIT_US 5000000u

struct srv_conn {
	int fd;
	bool upgraded;
	size_t len;
	uint8_t buf[SRV_BUF];
};

struct srv {
	int lfd;
	struct srv_conn c[SRV_CONNS];
	unsigned pongs;
	unsigned requests;
	bool reply_503; /* answer CSeq 3 with 503 */
};

static void srv_send(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* An unmasked server frame (RFC 6455 5.2), payload below 126 bytes or
 * below 64 KiB. */
static void srv_frame(int fd, uint8_t b0, const char *p, size_t n)
{
	uint8_t f[4 + 512];
	size_t h = 2;

	assert_true(n <= 512);
	f[0] = b0;
	if (n < 126) {
		f[1] = (uint8_t)n;
	} else {
		f[1] = 126;
		f[2] = (uint8_t)(n >> 8);
		f[3] = (uint8_t)n;
		h = 4;
	}
	memcpy(f + h, p, n);
	srv_send(fd, f, h + n);
}

static void srv_upgrade(struct srv_conn *c)
{
	char key[64], acc[WSLOAD_ACCEPT_SIZE], resp[256];
	const char *k, *end;
	int n;

	c->buf[c->len] = '\0';
	if (!strstr((char *)c->buf, "\r\n\r\n"))
		return;
	assert_non_null(
	    strstr((char *)c->buf, "\r\nSec-WebSocket-Protocol: sip\r\n"));
	k = strstr((char *)c->buf, "Sec-WebSocket-Key: ");
	assert_non_null(k);
	k += 19;
	end = strstr(k, "\r\n");
	assert_true(end - k < (long)sizeof(key));
	memcpy(key, k, (size_t)(end - k));
	key[end - k] = '\0';
	assert_int_equal(wsload_accept_key(acc, key), 0);
	n = snprintf(
	    resp, sizeof(resp),
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
	    "Sec-WebSocket-Protocol: sip\r\n\r\n",
	    acc);
	srv_send(c->fd, resp, (size_t)n);
	/* A ping in the same breath as the 101. */
	srv_frame(c->fd, 0x89, "hi", 2);
	c->upgraded = true;
	c->len = 0;
}

static void srv_request(struct srv *s, struct srv_conn *c, const char *sip)
{
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

/* Client frames are masked (RFC 6455 5.3); unmask in place. */
static void srv_frames(struct srv *s, struct srv_conn *c)
{
	size_t pos = 0;

	while (c->len - pos >= 6) {
		uint8_t *f = c->buf + pos, *m, op = f[0] & 0x0f;
		size_t len = f[1] & 0x7f, h = 2;

		assert_true(f[1] & 0x80);
		if (len == 126) {
			if (c->len - pos < 8)
				break;
			len = (size_t)f[2] << 8 | f[3];
			h = 4;
		}
		if (c->len - pos < h + 4 + len)
			break;
		m = f + h;
		for (size_t i = 0; i < len; i++)
			f[h + 4 + i] ^= m[i & 3];
		if (op == WSLOAD_OP_PONG) {
			assert_int_equal(len, 2);
			assert_memory_equal(f + h + 4, "hi", 2);
			s->pongs++;
		} else {
			char sip[2048];

			assert_int_equal(op, WSLOAD_OP_TEXT);
			assert_true(len < sizeof(sip));
			memcpy(sip, f + h + 4, len);
			sip[len] = '\0';
			srv_request(s, c, sip);
		}
		pos += h + 4 + len;
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
}

static void srv_step(struct srv *s)
{
	int fd;

	if (!s)
		return;
	fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK);

	if (fd >= 0) {
		for (unsigned i = 0; i < SRV_CONNS; i++) {
			if (s->c[i].fd < 0) {
				s->c[i].fd = fd;
				fd = -1;
				break;
			}
		}
		assert_int_equal(fd, -1);
	}
	for (unsigned i = 0; i < SRV_CONNS; i++) {
		struct srv_conn *c = &s->c[i];
		ssize_t r;

		if (c->fd < 0)
			continue;
		r = read(c->fd, c->buf + c->len, SRV_BUF - 1 - c->len);
		if (r == 0) {
			close(c->fd);
			memset(c, 0, sizeof(*c));
			c->fd = -1;
			continue;
		}
		if (r < 0)
			continue;
		c->len += (size_t)r;
		if (!c->upgraded)
			srv_upgrade(c);
		if (c->upgraded)
			srv_frames(s, c);
	}
}

static void srv_open(struct srv *s, struct wsload_cfg *cfg)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < SRV_CONNS; i++)
		s->c[i].fd = -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sin, &sl), 0);
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->addr, &sin, sizeof(sin));
	cfg->addrlen = sizeof(sin);
	strcpy(cfg->host, "127.0.0.1");
	strcpy(cfg->vhost, "127.0.0.1");
	strcpy(cfg->path, "/ws");
	strcpy(cfg->domain, "example.org");
	cfg->pipeline = 2;
}

static void srv_close(struct srv *s)
{
	for (unsigned i = 0; i < SRV_CONNS; i++) {
		if (s->c[i].fd >= 0)
			close(s->c[i].fd);
	}
	close(s->lfd);
}

/* Polls engine and server together until cond holds (or the limit). */
#define DRIVE(e, s, cond)                                                      \
	do {                                                                   \
		uint64_t t0_ = wsload_now_us();                                \
		while (!(cond) && wsload_now_us() - t0_ < TEST_LIMIT_US) {     \
			assert_int_equal(wsload_engine_poll(e, 1), 0);         \
			srv_step(s);                                           \
		}                                                              \
		assert_true(cond);                                             \
	} while (0)

static void test_engine_closed_loop(void **state)
{
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg;
	const struct wsload_stats *st;
	struct srv s;
	uint64_t t0;

	(void)state;
	srv_open(&s, &cfg);
	s.reply_503 = true;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 2), 0);
	st = wsload_engine_stats(e);
	/* Ramp: both open and answer the ping; nothing is sent yet. */
	DRIVE(e, &s, wsload_engine_open(e) == 2 && s.pongs == 2);
	assert_int_equal(s.requests, 0);
	assert_int_equal(st->pings, 2);
	/* Run: a closed loop, two outstanding per connection. */
	wsload_engine_phase(e, WSLOAD_RUN);
	t0 = wsload_now_us();
	DRIVE(e, &s, wsload_now_us() - t0 >= TEST_RUN_US);
	wsload_engine_phase(e, WSLOAD_DRAIN);
	DRIVE(e, &s, wsload_engine_outstanding(e) == 0);
	assert_true(st->ok > 20);
	/* CSeq 3 of each connection got the 503. */
	assert_int_equal(st->bad_status, 2);
	assert_int_equal(st->sent, st->ok + st->bad_status);
	assert_int_equal(st->lat.count, st->ok);
	assert_int_equal(s.requests, st->sent);
	assert_int_equal(st->conn_errors + st->drops + st->timeouts, 0);
	/* The server drops one connection: counted; no reconnect while
	 * draining, one after the back-off once running again. */
	close(s.c[0].fd);
	memset(&s.c[0], 0, sizeof(s.c[0]));
	s.c[0].fd = -1;
	DRIVE(e, &s, st->drops == 1);
	assert_int_equal(wsload_engine_open(e), 1);
	wsload_engine_phase(e, WSLOAD_RUN);
	DRIVE(e, &s, wsload_engine_open(e) == 2 && st->opened == 3);
	wsload_engine_close(e);
	assert_int_equal(wsload_engine_open(e), 0);
	mem_deref(e);
	srv_close(&s);
}

static void test_engine_refused(void **state)
{
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg;
	struct srv s;

	(void)state;
	srv_open(&s, &cfg);
	srv_close(&s); /* nobody listens on that port now */
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
