/* frontdoor.c: a benchmark baseline built from sipcloak's own modules: the
 * http front door (lws on libuv, WSS /ws) plus the sip codec answering every
 * OPTIONS with a stateless 200 (RFC 3261 11.2, 8.2.6), other requests with
 * 501. Not the gateway (no transactions, routing or store): the floor under
 * what the gateway costs per request. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "http/http.h"
#include "sip/msg.h"

#define FD_REPLY_MAX 2048u
#define FD_MAX_CONN_PER_IP 20000u

struct frontdoor {
	struct http_server *srv;
	struct sip_msg msg; /* one receive path: one (large) struct */
	struct mbuf *mb;
	uint64_t replies;
};

static void fd_recv(struct ws_conn *c, const uint8_t *data, size_t len,
                    bool binary, void *arg)
{
	static const struct pl tag = {"wsbench", 7};
	struct frontdoor *fd = arg;
	const char *reason = "OK";
	uint16_t scode = 200;

	/* A malformed request still gets its 400 when it can be answered. */
	(void)sip_msg_decode(&fd->msg, (const char *)data, len);
	if (!fd->msg.req || !sip_msg_can_reply(&fd->msg))
		return;
	/* sip_msg_check() sets the code and reason only for an error. */
	if (sip_msg_check(&fd->msg, &scode, &reason)) {
		/* answer with its 400, 416, 483 or 505 */
	} else if (pl_strcmp(&fd->msg.method, "OPTIONS")) {
		scode = 501;
		reason = "Not Implemented";
	} else {
		scode = 200;
		reason = "OK";
	}
	mbuf_reset(fd->mb);
	if (sip_reply_encode(fd->mb, &fd->msg, scode, reason, &tag, NULL,
	                     "Allow: OPTIONS\r\n", NULL, NULL))
		return;
	if (!ws_conn_send(c, fd->mb->buf, fd->mb->end, binary))
		fd->replies++;
}

static void fd_signal(uv_signal_t *sig, int signum)
{
	(void)signum;
	uv_stop(sig->loop);
}

static int fd_listen(const char *arg, char *host, size_t size, uint16_t *port)
{
	const char *colon = strrchr(arg, ':');
	unsigned long p;
	char *end;

	if (!colon || (size_t)(colon - arg) >= size)
		return EINVAL;
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	p = strtoul(colon + 1, &end, 10);
	if (*end || !p || p > 65535)
		return EINVAL;
	*port = (uint16_t)p;
	return 0;
}

int main(int argc, char **argv)
{
	struct http_handlers h = {.recvh = fd_recv};
	struct http_conf conf = {.max_conn_per_ip = FD_MAX_CONN_PER_IP};
	struct frontdoor *fd = NULL;
	uv_signal_t sigterm, sigint;
	char host[64];
	uv_loop_t loop;
	int err;

	if (argc != 4 ||
	    fd_listen(argv[1], host, sizeof(host), &conf.listen_port)) {
		fprintf(stderr, "usage: frontdoor 127.0.0.1:PORT CERT KEY\n");
		return 2;
	}
	conf.listen_host = host;
	conf.cert = argv[2];
	conf.key = argv[3];
	signal(SIGPIPE, SIG_IGN);
	fd = mem_zalloc(sizeof(*fd), NULL);
	if (!fd || mbuf_alloc(&fd->mb, FD_REPLY_MAX) || uv_loop_init(&loop))
		return 1;
	err = http_server_alloc(&fd->srv, &loop, &conf, &h, fd);
	if (err) {
		fprintf(stderr, "frontdoor: %s\n", strerror(err));
		return 1;
	}
	uv_signal_init(&loop, &sigterm);
	uv_signal_start(&sigterm, fd_signal, SIGTERM);
	uv_signal_init(&loop, &sigint);
	uv_signal_start(&sigint, fd_signal, SIGINT);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&sigterm, NULL);
	uv_close((uv_handle_t *)&sigint, NULL);
	http_server_close(fd->srv);
	mem_deref(fd->srv);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	fprintf(stderr, "frontdoor: %llu replies\n",
	        (unsigned long long)fd->replies);
	mem_deref(fd->mb);
	mem_deref(fd);
	return 0;
}
