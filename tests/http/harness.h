/* harness.h: a real http_server on 127.0.0.1 driven by the test's libuv
 * loop, plus a raw blocking TLS/WebSocket client run in a helper thread. */
#ifndef SC_TEST_HTTP_HARNESS_H
#define SC_TEST_HTTP_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "http/http.h"

enum {
	TH_MSG_MAX = 80 * 1024,
	TH_RUN_MS = 15000,    /* a client scenario must end within */
	TC_TIMEOUT_MS = 5000, /* each blocking client read */
	TC_RESP_MAX = 8192,
};

/* Server side: what the handlers saw (read on the loop thread). */
struct th {
	uv_loop_t loop;
	struct http_server *srv;
	uint16_t port;
	unsigned opens, closes, msgs;
	uint16_t last_close;
	bool last_binary;
	size_t last_len;
	uint8_t last[TH_MSG_MAX];
	bool echo;
	bool keep_on_open;    /* take a reference into kept at open */
	bool refuse;          /* openh says no */
	int send_err;         /* ws_conn_send of an oversize message */
	struct ws_conn *kept; /* a reference held by the test, or NULL */
};

/* Creates the throw-away certificate once per process (openssl CLI). */
int th_cert_init(void);
void th_cert_cleanup(void);
const char *th_cert(void);
const char *th_key(void);

/* conf may leave cert/key NULL: the harness fills them in. */
int th_start(struct th *t, const struct http_conf *conf);
void th_stop(struct th *t);

/* Runs fn(arg) in a thread while turning the loop; false on timeout. */
bool th_run(struct th *t, void (*fn)(void *), void *arg, unsigned max_ms);
/* Turns the loop for ms milliseconds. */
void th_spin(struct th *t, unsigned ms);

/* Raw client. */
struct tc {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
};

extern bool tc_ipv6; /* clients connect to [::1] */

/* TCP connect, then TLS unless plain; versions 0 = library default;
 * ciphers applies to TLS 1.2. Returns 0 when the TLS handshake succeeds. */
int tc_connect(struct tc *c, uint16_t port, bool plain, int min_ver,
               int max_ver, const char *ciphers);
void tc_close(struct tc *c);
int tc_write(struct tc *c, const void *p, size_t n);
int tc_read(struct tc *c, void *p, size_t n); /* >0, 0 at EOF, <0 error */

/* Sends req verbatim, reads one response (headers + Content-Length body)
 * into resp; returns the status code or -1. */
int tc_http(struct tc *c, const char *req, char *resp, size_t size);

/* GET /ws upgrade with extra header lines; returns the status code. */
int tc_ws_upgrade(struct tc *c, const char *extra, char *resp, size_t size);
int tc_ws_send(struct tc *c, int opcode, bool fin, const void *p, size_t n);
/* One frame: opcode, FIN and payload; returns payload length or -1. */
long tc_ws_recv(struct tc *c, int *opcode, bool *fin, uint8_t *buf,
                size_t size);

/* Case-insensitive search in a NUL-terminated response. */
bool tc_has(const char *resp, const char *needle);

#endif
