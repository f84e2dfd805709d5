/* harness.c: test server on a libuv loop and a raw OpenSSL client that can
 * send what no well-behaved client would (RFC 6455 framing by hand). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"

static char th_dir[64];
static char th_certf[128];
static char th_keyf[128];

int th_cert_init(void)
{
	char cmd[512];

	snprintf(th_dir, sizeof(th_dir), "/tmp/sc_http_XXXXXX");
	if (!mkdtemp(th_dir))
		return errno;
	snprintf(th_certf, sizeof(th_certf), "%s/cert.pem", th_dir);
	snprintf(th_keyf, sizeof(th_keyf), "%s/key.pem", th_dir);
	/* RSA, so that an RSA-kx suite such as AES128-SHA would be possible
	 * if the server allowed it. */
	snprintf(cmd, sizeof(cmd),
	         "openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
	         "-subj /CN=localhost -keyout %s -out %s 2>/dev/null",
	         th_keyf, th_certf);
	return system(cmd) == 0 ? 0 : EIO;
}

void th_cert_cleanup(void)
{
	unlink(th_certf);
	unlink(th_keyf);
	rmdir(th_dir);
}

const char *th_cert(void)
{
	return th_certf;
}

const char *th_key(void)
{
	return th_keyf;
}

static int th_open(struct ws_conn *c, void *arg)
{
	struct th *t = arg;

	t->opens++;
	if (t->keep_on_open && !t->kept)
		t->kept = mem_ref(c);
	return t->refuse ? EPERM : 0;
}

static void th_recv(struct ws_conn *c, const uint8_t *data, size_t len,
                    bool binary, void *arg)
{
	struct th *t = arg;

	t->msgs++;
	t->last_binary = binary;
	t->last_len = SC_MIN(len, sizeof(t->last));
	memcpy(t->last, data, t->last_len);
	if (len == 8 && !memcmp(data, "overflow", 8)) {
		static uint8_t big[HTTP_WS_MSG_MAX + 1];

		t->send_err = ws_conn_send(c, big, sizeof(big), true);
		return;
	}
	if (len == 8 && !memcmp(data, "close-me", 8)) {
		if (!t->kept)
			t->kept = mem_ref(c);
		ws_conn_close(c, 1000, "bye");
		return;
	}
	if (t->echo)
		(void)ws_conn_send(c, data, len, binary);
}

static void th_closed(struct ws_conn *c, uint16_t code, void *arg)
{
	struct th *t = arg;

	(void)c;
	t->closes++;
	t->last_close = code;
}

int th_start(struct th *t, const struct http_conf *conf)
{
	struct http_conf cf = *conf;
	struct http_handlers h = {th_open, th_recv, th_closed};
	int err;

	memset(t, 0, sizeof(*t));
	t->echo = true;
	if (!cf.cert)
		cf.cert = th_certf;
	if (!cf.key)
		cf.key = th_keyf;
	if (!cf.listen_host)
		cf.listen_host = "127.0.0.1";
	err = uv_loop_init(&t->loop);
	if (err)
		return err;
	err = http_server_alloc(&t->srv, &t->loop, &cf, &h, t);
	if (err)
		return err;
	t->port = http_server_port(t->srv);
	return t->port ? 0 : EIO;
}

void th_stop(struct th *t)
{
	http_server_close(t->srv);
	t->srv = mem_deref(t->srv);
	t->kept = mem_deref(t->kept);
	uv_run(&t->loop, UV_RUN_NOWAIT);
	if (uv_loop_close(&t->loop))
		fprintf(stderr, "harness: loop has live handles\n");
}

struct th_job {
	void (*fn)(void *);
	void *arg;
	uv_async_t done;
	uv_timer_t guard;
	bool timed_out;
};

static void *th_thread(void *arg)
{
	struct th_job *j = arg;

	j->fn(j->arg);
	uv_async_send(&j->done);
	return NULL;
}

static void th_done(uv_async_t *a)
{
	uv_stop(a->loop);
}

static void th_guard(uv_timer_t *tm)
{
	struct th_job *j = tm->data;

	j->timed_out = true;
	uv_stop(tm->loop);
}

bool th_run(struct th *t, void (*fn)(void *), void *arg, unsigned max_ms)
{
	struct th_job j = {.fn = fn, .arg = arg};
	pthread_t tid;

	uv_async_init(&t->loop, &j.done, th_done);
	uv_timer_init(&t->loop, &j.guard);
	j.guard.data = &j;
	uv_timer_start(&j.guard, th_guard, max_ms, 0);
	pthread_create(&tid, NULL, th_thread, &j);
	uv_run(&t->loop, UV_RUN_DEFAULT);
	if (j.timed_out) /* let the client's reads time out, serving on */
		uv_run(&t->loop, UV_RUN_DEFAULT);
	pthread_join(tid, NULL);
	uv_close((uv_handle_t *)&j.done, NULL);
	uv_close((uv_handle_t *)&j.guard, NULL);
	uv_run(&t->loop, UV_RUN_NOWAIT);
	return !j.timed_out;
}

static void th_spin_stop(uv_timer_t *tm)
{
	uv_stop(tm->loop);
}

void th_spin(struct th *t, unsigned ms)
{
	uv_timer_t tm;

	uv_timer_init(&t->loop, &tm);
	uv_timer_start(&tm, th_spin_stop, ms, 0);
	uv_run(&t->loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&tm, NULL);
	uv_run(&t->loop, UV_RUN_NOWAIT);
}

bool tc_ipv6; /* connect to [::1] instead of 127.0.0.1 */

int tc_connect(struct tc *c, uint16_t port, bool plain, int min_ver,
               int max_ver, const char *ciphers)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons(port)};
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6,
	                           .sin6_port = htons(port),
	                           .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct timeval tv = {TC_TIMEOUT_MS / 1000, 0};
	int one = 1;

	memset(c, 0, sizeof(*c));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(tc_ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		return errno;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (tc_ipv6 ? connect(c->fd, (struct sockaddr *)&sa6, sizeof(sa6))
	            : connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return errno;
	if (plain)
		return 0;
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx)
		return ENOMEM;
	/* level 0 lets this client even offer what the server must refuse */
	SSL_CTX_set_security_level(c->ctx, 0);
	if (min_ver)
		SSL_CTX_set_min_proto_version(c->ctx, min_ver);
	if (max_ver)
		SSL_CTX_set_max_proto_version(c->ctx, max_ver);
	if (ciphers && !SSL_CTX_set_cipher_list(c->ctx, ciphers))
		return EINVAL;
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl)
		return ENOMEM;
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, "localhost");
	return SSL_connect(c->ssl) == 1 ? 0 : EPROTO;
}

void tc_close(struct tc *c)
{
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->ctx)
		SSL_CTX_free(c->ctx);
	if (c->fd > 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
}

int tc_write(struct tc *c, const void *p, size_t n)
{
	if (!c->ssl)
		return write(c->fd, p, n) == (ssize_t)n ? 0 : EIO;
	return SSL_write(c->ssl, p, (int)n) == (int)n ? 0 : EIO;
}

int tc_read(struct tc *c, void *p, size_t n)
{
	int r;

	if (!c->ssl)
		return (int)read(c->fd, p, n);
	r = SSL_read(c->ssl, p, (int)n);
	if (r > 0)
		return r;
	return SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

static int tc_read_full(struct tc *c, uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		int r = tc_read(c, p + got, n - got);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Reads byte by byte up to the blank line so no frame bytes are eaten. */
static int tc_read_head(struct tc *c, char *resp, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		if (tc_read(c, resp + n, 1) != 1)
			return -1;
		n++;
		resp[n] = '\0';
		if (n >= 4 && !memcmp(resp + n - 4, "\r\n\r\n", 4))
			return (int)n;
	}
	return -1;
}

static int tc_status(const char *resp)
{
	int st;

	return sscanf(resp, "HTTP/1.%*d %d", &st) == 1 ? st : -1;
}

int tc_http(struct tc *c, const char *req, char *resp, size_t size)
{
	const char *cl;
	int n;
	size_t len = 0;

	resp[0] = '\0';
	if (tc_write(c, req, strlen(req)))
		return -1;
	n = tc_read_head(c, resp, size);
	if (n < 0)
		return -1;
	cl = strcasestr(resp, "content-length:");
	if (cl)
		len = strtoul(cl + 15, NULL, 10);
	if (len >= size - (size_t)n ||
	    tc_read_full(c, (uint8_t *)resp + n, len))
		return -1;
	resp[(size_t)n + len] = '\0';
	return tc_status(resp);
}

int tc_ws_upgrade(struct tc *c, const char *extra, char *resp, size_t size)
{
	char req[1024];

	snprintf(req, sizeof(req),
	         "GET /ws HTTP/1.1\r\nHost: localhost\r\n"
	         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	         "Sec-WebSocket-Version: 13\r\n%s\r\n",
	         extra ? extra : "");
	resp[0] = '\0';
	if (tc_write(c, req, strlen(req)))
		return -1;
	if (tc_read_head(c, resp, size) < 0)
		return -1;
	if (tc_status(resp) != 101) {
		/* a refusal has a body too */
		const char *cl = strcasestr(resp, "content-length:");
		size_t n = strlen(resp),
		       len = cl ? strtoul(cl + 15, NULL, 10) : 0;

		if (len < size - n &&
		    !tc_read_full(c, (uint8_t *)resp + n, len))
			resp[n + len] = '\0';
	}
	return tc_status(resp);
}

int tc_ws_send(struct tc *c, int opcode, bool fin, const void *p, size_t n)
{
	static const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
	uint8_t *f = malloc(n + 14);
	size_t h = 0;
	int err;

	if (!f)
		return ENOMEM;
	f[h++] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
	if (n < 126) {
		f[h++] = (uint8_t)(0x80 | n);
	} else if (n < 65536) {
		f[h++] = 0x80 | 126;
		f[h++] = (uint8_t)(n >> 8);
		f[h++] = (uint8_t)n;
	} else {
		f[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			f[h++] = (uint8_t)((uint64_t)n >> (8 * i));
	}
	memcpy(f + h, mask, 4);
	h += 4;
	for (size_t i = 0; i < n; i++) /* RFC 6455 5.3: clients mask */
		f[h + i] = ((const uint8_t *)p)[i] ^ mask[i % 4];
	err = tc_write(c, f, h + n);
	free(f);
	return err;
}

long tc_ws_recv(struct tc *c, int *opcode, bool *fin, uint8_t *buf, size_t size)
{
	uint8_t h[8];
	uint64_t n;

	if (tc_read_full(c, h, 2))
		return -1;
	*opcode = h[0] & 0x0f;
	*fin = h[0] & 0x80;
	n = h[1] & 0x7f;
	if (n == 126) {
		if (tc_read_full(c, h, 2))
			return -1;
		n = (uint64_t)h[0] << 8 | h[1];
	} else if (n == 127) {
		if (tc_read_full(c, h, 8))
			return -1;
		n = 0;
		for (int i = 0; i < 8; i++)
			n = n << 8 | h[i];
	}
	if (n > size || tc_read_full(c, buf, (size_t)n))
		return -1;
	return (long)n;
}

bool tc_has(const char *resp, const char *needle)
{
	return strcasestr(resp, needle) != NULL;
}
