/* test_wsload_reg_engine.c: wsload's REGISTER mode end to end against an
 * in-test registrar on 127.0.0.1 driven from the same loop: challenge rounds
 * (REGISTER, 401, REGISTER with Authorization, 200; RFC 3261 22.2), nonce
 * reuse with a rising nonce count (RFC 7616 3.4.5) checked by sc_sip's
 * verifier, one Call-ID per connection with rising CSeq (RFC 3261 10.2.4),
 * devices in turn, and a wrong password (403). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sip/digest.h"
#include "testutil.h"
#include "wsload.h"

#define SRV_CONNS 4
#define SRV_BUF 16384
#define TEST_DEVICES 4
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
	unsigned challenges; /* 401s sent */
	unsigned accepted;   /* 200s sent */
	unsigned refused;    /* 403s sent */
	unsigned nonces;     /* nonces issued */
	uint32_t last_nc[TEST_DEVICES];      /* per device, for its nonce */
	char nonce[TEST_DEVICES][16];        /* per device: the last issued */
	unsigned long last_cseq[SRV_CONNS];  /* per connection */
	char callid[SRV_CONNS][64];          /* per connection */
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

/* The value of header name in sip (NUL-terminated copy into out). */
static bool srv_hdr(const char *sip, const char *name, char *out, size_t size)
{
	const char *h = strstr(sip, name), *end;

	if (!h)
		return false;
	h += strlen(name);
	end = strstr(h, "\r\n");
	assert_non_null(end);
	assert_true((size_t)(end - h) < size);
	memcpy(out, h, (size_t)(end - h));
	out[end - h] = '\0';
	return true;
}

/* A registrar: 401 with an MD5 challenge (qop=auth) without credentials or
 * with an unknown nonce; 200 when the response is right for password
 * "pw-" USER and nc is above the last one for the nonce; 403 otherwise. */
static void srv_request(struct srv *s, struct srv_conn *c, const char *sip)
{
	const unsigned ci = (unsigned)(c - s->c);
	char resp[512], auth[1024], callid[64], user[32];
	struct sip_digest cred;
	const char *status = "403 Forbidden";
	unsigned long cseq, dev;
	char hdr[320] = "";
	int n;

	assert_memory_equal(sip, "REGISTER sip:example.org SIP/2.0\r\n", 34);
	assert_true(srv_hdr(sip, "\r\nCSeq: ", auth, sizeof(auth)));
	cseq = strtoul(auth, NULL, 10);
	assert_true(srv_hdr(sip, "\r\nCall-ID: ", callid, sizeof(callid)));
	assert_true(srv_hdr(sip, "\r\nTo: <sip:u", user, sizeof(user)));
	dev = strtoul(user, NULL, 10);
	assert_true(dev < TEST_DEVICES);
	assert_non_null(strstr(sip, "\r\nExpires: 3600\r\n"));
	/* One Call-ID per connection, CSeq increasing (RFC 3261 10.2.4). */
	if (!s->callid[ci][0])
		strcpy(s->callid[ci], callid);
	assert_string_equal(s->callid[ci], callid);
	assert_true(cseq > s->last_cseq[ci]);
	s->last_cseq[ci] = cseq;
	s->requests++;
	if (!srv_hdr(sip, "\r\nAuthorization: ", auth, sizeof(auth))) {
		status = "401 Unauthorized";
	} else {
		const struct pl val = {auth, strlen(auth)};
		struct pl u, realm, pw, method;
		char ha1[SIP_DIGEST_HEX_MAX], pass[32];

		assert_int_equal(
		    sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS, &val), 0);
		snprintf(pass, sizeof(pass), "pw-u%lu", dev);
		snprintf(user, sizeof(user), "u%lu", dev);
		pl_set_str(&u, user);
		pl_set_str(&realm, "example.org");
		pl_set_str(&pw, pass);
		pl_set_str(&method, "REGISTER");
		assert_int_equal(
		    sip_digest_ha1(ha1, SIP_DIGEST_MD5, &u, &realm, &pw), 0);
		assert_int_equal(pl_strcmp(&cred.username, user), 0);
		if (pl_strcmp(&cred.nonce, s->nonce[dev])) {
			status = "401 Unauthorized"; /* not the last nonce */
		} else if (!sip_digest_verify(&cred, ha1, &method, false)) {
			/* RFC 7616 3.4.5: the nonce count only goes up. */
			assert_true(cred.ncv == s->last_nc[dev] + 1);
			s->last_nc[dev] = cred.ncv;
			status = "200 OK";
			s->accepted++;
		} else {
			s->refused++;
		}
	}
	if (!strncmp(status, "401", 3)) {
		snprintf(s->nonce[dev], sizeof(s->nonce[dev]), "n%u",
		         ++s->nonces);
		s->last_nc[dev] = 0;
		s->challenges++;
		/* SHA-256 first as sipcloak does; wsload takes the MD5. */
		snprintf(hdr, sizeof(hdr),
		         "WWW-Authenticate: Digest realm=\"example.org\", "
		         "nonce=\"%s\", algorithm=SHA-256, qop=\"auth\"\r\n"
		         "WWW-Authenticate: Digest realm=\"example.org\", "
		         "nonce=\"%s\", algorithm=MD5, qop=\"auth\"\r\n",
		         s->nonce[dev], s->nonce[dev]);
	}
	n = snprintf(resp, sizeof(resp),
	             "SIP/2.0 %s\r\nVia: SIP/2.0/WSS abc.invalid\r\n"
	             "CSeq: %lu REGISTER\r\n%sContent-Length: 0\r\n\r\n",
	             status, cseq, hdr);
	assert_true(n > 0 && (size_t)n < sizeof(resp));
	srv_frame(c->fd, 0x81, resp, (size_t)n);
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
	cfg->pipeline = 1;
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

/* Devices u0..u3 with passwords pw-u0..; wrong: every password wrong. */
static void creds_make(struct wsload_cred *creds, bool wrong)
{
	for (unsigned i = 0; i < TEST_DEVICES; i++) {
		snprintf(creds[i].user, sizeof(creds[i].user), "u%u", i);
		snprintf(creds[i].pass, sizeof(creds[i].pass), "%s-u%u",
		         wrong ? "bad" : "pw", i);
	}
}

/* Two connections, four devices, a run then a drain; returns the stats. */
static void reg_run(struct srv *s, bool reuse, bool wrong,
                    struct wsload_stats *out)
{
	struct wsload_cred creds[TEST_DEVICES];
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg;
	uint64_t t0;

	srv_open(s, &cfg);
	creds_make(creds, wrong);
	cfg.mode = WSLOAD_MODE_REGISTER;
	cfg.reuse_nonce = reuse;
	cfg.creds = creds;
	cfg.ncreds = TEST_DEVICES;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 2), 0);
	DRIVE(e, s, wsload_engine_open(e) == 2 && s->pongs == 2);
	assert_int_equal(s->requests, 0);
	wsload_engine_phase(e, WSLOAD_RUN);
	t0 = wsload_now_us();
	DRIVE(e, s, wsload_now_us() - t0 >= TEST_RUN_US);
	wsload_engine_phase(e, WSLOAD_DRAIN);
	DRIVE(e, s, wsload_engine_outstanding(e) == 0);
	*out = *wsload_engine_stats(e);
	wsload_engine_close(e);
	mem_deref(e);
	srv_close(s);
}

static void test_reg_challenge(void **state)
{
	struct wsload_stats st;
	struct srv s;

	(void)state;
	reg_run(&s, false, false, &st);
	/* Every round: REGISTER, 401, REGISTER with nc=1, 200. */
	assert_true(st.ok > 8);
	assert_int_equal(st.sent, st.ok);
	assert_int_equal(st.challenges, st.ok);
	assert_int_equal(s.challenges, st.ok);
	assert_int_equal(s.accepted, st.ok);
	assert_int_equal(s.requests, 2 * st.ok);
	assert_int_equal(st.bad_status + st.timeouts + st.lost, 0);
	/* Each connection went through its two devices. */
	assert_int_equal(st.registered, TEST_DEVICES);
	assert_int_equal(st.lat.count, st.ok);
}

static void test_reg_reuse(void **state)
{
	struct wsload_stats st;
	struct srv s;

	(void)state;
	reg_run(&s, true, false, &st);
	/* One challenge per device, then one request per registration
	 * with nc going up (srv_request checks it). */
	assert_true(st.ok > 8);
	assert_int_equal(s.challenges, TEST_DEVICES);
	assert_int_equal(st.challenges, TEST_DEVICES);
	assert_int_equal(s.requests, st.ok + TEST_DEVICES);
	assert_int_equal(st.bad_status + st.timeouts + st.lost, 0);
	assert_int_equal(st.registered, TEST_DEVICES);
	for (unsigned i = 0; i < TEST_DEVICES; i++)
		assert_true(s.last_nc[i] > 1);
}

static void test_reg_wrong_password(void **state)
{
	struct wsload_stats st;
	struct srv s;

	(void)state;
	reg_run(&s, false, true, &st);
	/* 403 after the challenge: an error, no registration. */
	assert_int_equal(st.ok, 0);
	assert_true(st.bad_status > 0);
	assert_int_equal(st.last_bad, 403);
	assert_int_equal(st.registered, 0);
	assert_int_equal(s.refused, st.bad_status);
}

static void test_reg_args(void **state)
{
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg = {.mode = WSLOAD_MODE_REGISTER, .pipeline = 1};
	struct wsload_cred cred = {.user = "u", .pass = "p"};

	(void)state;
	/* No devices; more than one request outstanding. */
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 1), EINVAL);
	cfg.creds = &cred;
	cfg.ncreds = 1;
	cfg.pipeline = 2;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 1), EINVAL);
	assert_null(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_reg_challenge),
	    SC_TEST(test_reg_reuse),
	    SC_TEST(test_reg_wrong_password),
	    SC_TEST(test_reg_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
