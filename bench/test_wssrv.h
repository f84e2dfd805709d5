/* test_wssrv.h: the WebSocket server the wsload engine tests run against
 * on 127.0.0.1, in the test's own loop: upgrade with subprotocol sip and a
 * ping (RFC 6455 4.2.2, 5.5.2), masked client frames unmasked, pongs
 * counted, each text message handed to the test's request handler. */
#ifndef SC_BENCH_TEST_WSSRV_H
#define SC_BENCH_TEST_WSSRV_H

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "wsload.h"

#ifndef TEST_LIMIT_US
#define TEST_LIMIT_US 5000000u
#endif

#define SRV_CONNS 4
#define SRV_BUF 16384

struct srv_conn {
	int fd;
	bool upgraded;
	size_t len;
	uint8_t buf[SRV_BUF];
};

struct srv_ws;
/* One whole SIP request from connection c; the test answers it. */
typedef void(srv_request_h)(struct srv_ws *ws, struct srv_conn *c,
                            const char *sip);

/* The server; a test's own state embeds it as its first member. */
struct srv_ws {
	int lfd;
	struct srv_conn c[SRV_CONNS];
	unsigned pongs;
	srv_request_h *requesth;
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

/* Client frames are masked (RFC 6455 5.3); unmask in place. */
static void srv_frames(struct srv_ws *s, struct srv_conn *c)
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
			s->requesth(s, c, sip);
		}
		pos += h + 4 + len;
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
}

static void srv_step(struct srv_ws *s)
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

/* Listens on 127.0.0.1 and points cfg (zeroed) at it. */
static void srv_open(struct srv_ws *s, struct wsload_cfg *cfg,
                     srv_request_h *requesth)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);

	memset(s, 0, sizeof(*s));
	s->requesth = requesth;
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
}

static void srv_close(struct srv_ws *s)
{
	for (unsigned i = 0; i < SRV_CONNS; i++) {
		if (s->c[i].fd >= 0)
			close(s->c[i].fd);
	}
	close(s->lfd);
}

/* Polls engine and server s (a struct srv_ws *) together until cond holds
 * (or TEST_LIMIT_US). */
#define DRIVE(e, s, cond)                                                      \
	do {                                                                   \
		uint64_t t0_ = wsload_now_us();                                \
		while (!(cond) && wsload_now_us() - t0_ < TEST_LIMIT_US) {     \
			assert_int_equal(wsload_engine_poll(e, 1), 0);         \
			srv_step(s);                                           \
		}                                                              \
		assert_true(cond);                                             \
	} while (0)

#endif
