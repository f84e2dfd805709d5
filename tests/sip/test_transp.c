/* test_transp.c: SIP transports over real sockets on 127.0.0.1: UDP reply
 * routing (RFC 3261 §18.2.2, RFC 3581), TCP framing, CRLF keep-alives,
 * framing errors, TLS with host-name checks, connection limits, idle
 * timeout. One uv loop per test, bounded run time. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/ssl.h>

#include "testutil.h"

#include "sip/transp.h"
#include "tls/tls.h"

/* Longest any test waits for one event. */
#define WAIT_MS 3000

struct env {
	uv_loop_t loop;
	struct sip_transp *tp;
	int nrecv;
	int last_err;
	char callids[8][32];
	char via_params[SIP_VIA_PARAMS_MAX];
	bool reply;   /* answer each request with sip_flow_reply */
	bool drop_tp; /* close and release the transport in the handler */
	struct sip_flow *kept;
	struct sip_flow *rflow; /* sip_flow_reply_flow of the last request */
	bool rflow_same;        /* ... was the request's flow itself */
	int nconn;
	int conn_err[8];
	struct sip_transp_stats st;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop until *counter reaches target or ms passed. */
static void pump(struct env *e, const int *counter, int target, int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms;

	while (mono_ms() < end) {
		uv_run(&e->loop, UV_RUN_NOWAIT);
		if (counter && *counter >= target)
			return;
		usleep(500);
	}
}

/* Runs the loop until open + refused connections reach n (or timeout). */
static void pump_conns(struct env *e, uint64_t n)
{
	uint64_t end = mono_ms() + WAIT_MS;

	do {
		pump(e, NULL, 0, 5);
		sip_transp_stats(e->tp, &e->st);
	} while (e->st.conns_open + e->st.conns_refused < n && mono_ms() < end);
}

/* Encodes a response with the codec and sends it as RFC 3261 §18.2.2
 * says (routed) or on the flow as is. */
static void reply(struct sip_flow *flow, const struct sip_msg *req,
                  uint16_t scode, const char *reason, const char *via_params,
                  bool routed)
{
	struct pl vp;
	struct mbuf *mb = NULL;

	pl_set_str(&vp, via_params);
	assert_int_equal(mbuf_alloc(&mb, 512), 0);
	assert_int_equal(sip_reply_encode(mb, req, scode, reason, NULL, &vp,
	                                  NULL, NULL, NULL),
	                 0);
	if (routed)
		assert_int_equal(sip_flow_reply(flow, req, mb->buf, mb->end),
		                 0);
	else
		assert_int_equal(sip_flow_send(flow, mb->buf, mb->end), 0);
	mem_deref(mb);
}

static void on_recv(struct sip_flow *flow, int err, struct sip_msg *msg,
                    void *arg)
{
	struct env *e = arg;

	e->last_err = err;
	if (e->nrecv < 8)
		pl_strcpy(&msg->callid, e->callids[e->nrecv],
		          sizeof(e->callids[0]));
	e->nrecv++;
	assert_int_equal(sip_flow_via_params(flow, msg, e->via_params,
	                                     sizeof(e->via_params)),
	                 0);
	if (e->drop_tp) {
		sip_transp_close(e->tp);
		e->tp = mem_deref(e->tp);
		return;
	}
	if (err) {
		/* the gateway's part: answer 400 on the same flow */
		reply(flow, msg, 400, "Bad Request", e->via_params, false);
		return;
	}
	if (e->reply)
		reply(flow, msg, 200, "OK", e->via_params, true);
	e->rflow = mem_deref(e->rflow);
	assert_int_equal(sip_flow_reply_flow(&e->rflow, flow, msg), 0);
	e->rflow_same = e->rflow == flow;
	if (!e->kept)
		e->kept = mem_ref(flow);
}

static void on_conn(struct sip_flow *flow, int err, void *arg)
{
	struct env *e = arg;

	(void)flow;
	if (e->nconn < 8)
		e->conn_err[e->nconn] = err;
	e->nconn++;
}

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	assert_int_equal(uv_loop_init(&e->loop), 0);
	assert_int_equal(sip_transp_alloc(&e->tp, &e->loop, on_recv, e), 0);
	sip_transp_set_connh(e->tp, on_conn);
}

static void env_close(struct env *e)
{
	e->kept = mem_deref(e->kept);
	e->rflow = mem_deref(e->rflow);
	sip_transp_close(e->tp);
	e->tp = mem_deref(e->tp);
	pump(e, NULL, 0, 20);
	uv_run(&e->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&e->loop), 0);
}

static uint16_t listen_on(struct env *e, enum sip_transp_type type,
                          struct tls_ctx *tls)
{
	struct sa sa;

	assert_int_equal(sa_set(&sa, "127.0.0.1", 0), 0);
	assert_int_equal(sip_transp_listen(e->tp, type, &sa, tls), 0);
	assert_int_equal(sip_transp_laddr(e->tp, type, AF_INET, &sa), 0);
	assert_true(sa_port(&sa) > 0);
	return sa_port(&sa);
}

static int udp_sock(uint16_t *portp)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	*portp = ntohs(in.sin_port);
	return fd;
}

static void send_to(int fd, uint16_t port, const char *s)
{
	struct sockaddr_in in;

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.sin_port = htons(port);
	assert_int_equal(
	    sendto(fd, s, strlen(s), 0, (struct sockaddr *)&in, sizeof(in)),
	    (ssize_t)strlen(s));
}

/* Reads what arrives on fd while the loop runs: bytes, 0 on EOF, -1 on
 * timeout. */
static ssize_t client_read(struct env *e, int fd, char *buf, size_t size,
                           int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms;

	while (mono_ms() < end) {
		ssize_t n;

		uv_run(&e->loop, UV_RUN_NOWAIT);
		n = recv(fd, buf, size - 1, MSG_DONTWAIT);
		if (n >= 0) {
			buf[n] = '\0';
			return n;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return 0; /* reset counts as closed */
		usleep(500);
	}
	return -1;
}

static void udp_request(char *buf, size_t size, const char *via,
                        const char *callid)
{
	snprintf(buf, size,
	         "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s\r\n"
	         "From: <sip:a@example.test>;tag=1\r\n"
	         "To: <sip:gw@127.0.0.1>\r\n"
	         "Call-ID: %s\r\n"
	         "CSeq: 1 OPTIONS\r\n"
	         "Max-Forwards: 70\r\n"
	         "Content-Length: 0\r\n\r\n",
	         via, callid, callid);
}

static void test_udp_reply_routing(void **state)
{
	char req[512], via[64], buf[1024], want[64];
	uint16_t port, pa, pb;
	int a, b;
	struct env e;

	(void)state;
	env_init(&e);
	e.reply = true;
	port = listen_on(&e, SIP_TRANSP_UDP, NULL);
	a = udp_sock(&pa);
	b = udp_sock(&pb);

	/* rport: the reply goes to the source port (socket a). */
	snprintf(via, sizeof(via), "127.0.0.1:%u;rport", pb);
	udp_request(req, sizeof(req), via, "rport1");
	send_to(a, port, req);
	pump(&e, &e.nrecv, 1, WAIT_MS);
	assert_int_equal(e.nrecv, 1);
	assert_int_equal(e.last_err, 0);
	assert_string_equal(e.callids[0], "rport1");
	snprintf(want, sizeof(want), ";received=127.0.0.1;rport=%u", pa);
	assert_string_equal(e.via_params, want);
	assert_true(client_read(&e, a, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "SIP/2.0 200 OK"));
	assert_non_null(strstr(buf, want)); /* in the response's top Via */
	assert_int_equal(recv(b, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(sip_flow_type(e.kept), SIP_TRANSP_UDP);
	assert_false(sip_flow_reliable(e.kept));
	assert_int_equal(sa_port(sip_flow_peer(e.kept)), pa);
	assert_int_equal(sa_port(sip_flow_local(e.kept)), port);
	assert_true(e.rflow_same); /* rport: the request's own flow */

	/* No rport: the Via sent-by port (socket b), same host. */
	snprintf(via, sizeof(via), "127.0.0.1:%u", pb);
	udp_request(req, sizeof(req), via, "norport");
	send_to(a, port, req);
	pump(&e, &e.nrecv, 2, WAIT_MS);
	assert_int_equal(e.nrecv, 2);
	assert_string_equal(e.via_params, "");
	assert_true(client_read(&e, b, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "SIP/2.0 200 OK"));
	assert_int_equal(recv(a, buf, sizeof(buf), MSG_DONTWAIT), -1);
	/* the flow a transaction keeps goes to the sent-by port too */
	assert_false(e.rflow_same);
	assert_int_equal(sa_port(sip_flow_peer(e.rflow)), pb);
	assert_int_equal(sa_port(sip_flow_local(e.rflow)), port);
	assert_int_equal(sip_flow_send(e.rflow, (const uint8_t *)"again", 5),
	                 0);
	assert_int_equal(client_read(&e, b, buf, sizeof(buf), WAIT_MS), 5);

	/* Via host differs: received, and still the sent-by port. */
	snprintf(via, sizeof(via), "192.0.2.9:%u", pb);
	udp_request(req, sizeof(req), via, "received");
	send_to(a, port, req);
	pump(&e, &e.nrecv, 3, WAIT_MS);
	assert_string_equal(e.via_params, ";received=127.0.0.1");
	assert_true(client_read(&e, b, buf, sizeof(buf), WAIT_MS) > 0);

	/* Keep-alive CRLFs and junk are no messages. */
	send_to(a, port, "\r\n\r\n");
	send_to(a, port, "junk that is not SIP");
	udp_request(req, sizeof(req), "127.0.0.1;rport", "last");
	send_to(a, port, req);
	pump(&e, &e.nrecv, 4, WAIT_MS);
	assert_int_equal(e.nrecv, 4);
	assert_string_equal(e.callids[3], "last");
	sip_transp_stats(e.tp, &e.st);
	assert_int_equal(e.st.received, 4);
	assert_int_equal(e.st.sent, 5); /* 4 replies, "again" */
	assert_int_equal(e.st.parse_errors, 1);
	assert_int_equal(e.st.dropped, 1);

	/* A flow toward a peer from the listening socket. */
	{
		struct sip_flow *f = NULL;
		struct sa dst;

		assert_int_equal(sa_set(&dst, "127.0.0.1", pb), 0);
		assert_int_equal(
		    sip_transp_connect(&f, e.tp, SIP_TRANSP_UDP, &dst, NULL),
		    0);
		assert_int_equal(sip_flow_send(f, (const uint8_t *)"hello", 5),
		                 0);
		assert_int_equal(client_read(&e, b, buf, sizeof(buf), WAIT_MS),
		                 5);
		sip_transp_close(e.tp);
		assert_int_equal(sip_flow_send(f, (const uint8_t *)"x", 1),
		                 ENOTCONN);
		mem_deref(f);
	}
	close(a);
	close(b);
	env_close(&e);
}

static void test_udp_ipv6(void **state)
{
	struct sockaddr_in6 in;
	socklen_t len = sizeof(in);
	char req[512], buf[1024], want[64];
	uint16_t port, pa;
	struct sa sa;
	struct env e;
	int fd;

	(void)state;
	env_init(&e);
	e.reply = true;
	assert_int_equal(sa_set(&sa, "::1", 0), 0);
	if (sip_transp_listen(e.tp, SIP_TRANSP_UDP, &sa, NULL)) {
		env_close(&e);
		skip(); /* no IPv6 loopback here */
	}
	assert_int_equal(sip_transp_laddr(e.tp, SIP_TRANSP_UDP, AF_INET6, &sa),
	                 0);
	assert_int_equal(sip_transp_laddr(e.tp, SIP_TRANSP_UDP, AF_INET, &sa),
	                 ENOENT);
	assert_int_equal(sip_transp_laddr(e.tp, SIP_TRANSP_UDP, AF_INET6, &sa),
	                 0);
	port = sa_port(&sa);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	memset(&in, 0, sizeof(in));
	in.sin6_family = AF_INET6;
	in.sin6_addr = in6addr_loopback;
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	pa = ntohs(in.sin6_port);
	udp_request(req, sizeof(req), "[2001:db8::9]:5060;rport", "v6");
	in.sin6_port = htons(port);
	assert_int_equal(
	    sendto(fd, req, strlen(req), 0, (struct sockaddr *)&in, sizeof(in)),
	    (ssize_t)strlen(req));
	pump(&e, &e.nrecv, 1, WAIT_MS);
	assert_int_equal(e.nrecv, 1);
	snprintf(want, sizeof(want), ";received=::1;rport=%u", pa);
	assert_string_equal(e.via_params, want);
	assert_true(client_read(&e, fd, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "SIP/2.0 200 OK"));
	close(fd);
	env_close(&e);
}

static int tcp_client(uint16_t port)
{
	struct sockaddr_in in;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.sin_port = htons(port);
	assert_int_equal(connect(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	return fd;
}

static void tcp_send(int fd, const char *s, size_t len)
{
	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

static size_t tcp_request(char *buf, size_t size, const char *callid,
                          const char *body)
{
	int n = snprintf(buf, size,
	                 "MESSAGE sip:gw@127.0.0.1 SIP/2.0\r\n"
	                 "Via: SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK%s\r\n"
	                 "From: <sip:a@example.test>;tag=1\r\n"
	                 "To: <sip:gw@127.0.0.1>\r\n"
	                 "Call-ID: %s\r\n"
	                 "CSeq: 1 MESSAGE\r\n"
	                 "Content-Type: text/plain\r\n"
	                 "Content-Length: %zu\r\n\r\n%s",
	                 callid, callid, strlen(body), body);

	assert_true(n > 0 && (size_t)n < size);
	return (size_t)n;
}

static void test_tcp_framing(void **state)
{
	char m1[512], m23[1024], buf[2048];
	size_t n1, n2;
	uint16_t port;
	struct env e;
	int fd;

	(void)state;
	env_init(&e);
	e.reply = true;
	port = listen_on(&e, SIP_TRANSP_TCP, NULL);
	fd = tcp_client(port);

	/* One message in three writes, cut inside the head and the body. */
	n1 = tcp_request(m1, sizeof(m1), "split", "hello body");
	tcp_send(fd, m1, 40);
	pump(&e, NULL, 0, 20);
	tcp_send(fd, m1 + 40, n1 - 45);
	pump(&e, NULL, 0, 20);
	assert_int_equal(e.nrecv, 0);
	tcp_send(fd, m1 + n1 - 5, 5);
	pump(&e, &e.nrecv, 1, WAIT_MS);
	assert_int_equal(e.nrecv, 1);
	assert_string_equal(e.callids[0], "split");
	assert_true(client_read(&e, fd, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "SIP/2.0 200 OK"));
	assert_true(sip_flow_reliable(e.kept));
	assert_int_equal(sip_flow_type(e.kept), SIP_TRANSP_TCP);

	/* Two messages (and keep-alive CRLFs between them) in one write. */
	n2 = tcp_request(m23, sizeof(m23), "two", "x");
	memcpy(m23 + n2, "\r\n", 2);
	n2 += 2;
	n2 += tcp_request(m23 + n2, sizeof(m23) - n2, "three", "");
	tcp_send(fd, m23, n2);
	pump(&e, &e.nrecv, 3, WAIT_MS);
	assert_int_equal(e.nrecv, 3);
	assert_string_equal(e.callids[1], "two");
	assert_string_equal(e.callids[2], "three");
	sip_transp_stats(e.tp, &e.st);
	assert_int_equal(e.st.received, 3);
	assert_int_equal(e.st.conns_open, 1);
	/* both replies came back (read them: unread data would make the
	 * close a reset) */
	{
		int replies = 0;
		char *p;

		while (replies < 2 &&
		       client_read(&e, fd, buf, sizeof(buf), WAIT_MS) > 0) {
			for (p = buf; (p = strstr(p, "200 OK")); p++)
				replies++;
		}
		assert_int_equal(replies, 2);
	}
	close(fd);
	pump(&e, &e.nconn, 1, WAIT_MS);
	assert_int_equal(e.nconn, 1); /* the close, orderly */
	assert_int_equal(e.conn_err[0], 0);
	assert_false(sip_flow_isopen(e.kept));
	assert_int_equal(sip_flow_send(e.kept, (const uint8_t *)"x", 1),
	                 ENOTCONN);
	env_close(&e);
}

static void test_tcp_crlf_ping(void **state)
{
	char buf[64];
	struct env e;
	int fd;

	(void)state;
	env_init(&e);
	fd = tcp_client(listen_on(&e, SIP_TRANSP_TCP, NULL));
	tcp_send(fd, "\r\n\r\n", 4);
	assert_int_equal(client_read(&e, fd, buf, sizeof(buf), WAIT_MS), 2);
	assert_string_equal(buf, "\r\n");
	/* a ping split across writes is still a ping */
	tcp_send(fd, "\r\n", 2);
	assert_int_equal(client_read(&e, fd, buf, sizeof(buf), 50), -1);
	tcp_send(fd, "\r\n", 2);
	assert_int_equal(client_read(&e, fd, buf, sizeof(buf), WAIT_MS), 2);
	assert_int_equal(e.nrecv, 0);
	close(fd);
	env_close(&e);
}

static void test_tcp_missing_clen(void **state)
{
	static const char req[] =
	    "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\n"
	    "From: <sip:a@example.test>;tag=1\r\n"
	    "To: <sip:gw@127.0.0.1>\r\n"
	    "Call-ID: noclen\r\n"
	    "CSeq: 1 OPTIONS\r\n\r\n";
	char buf[1024];
	struct env e;
	ssize_t n;
	int fd;

	(void)state;
	env_init(&e);
	fd = tcp_client(listen_on(&e, SIP_TRANSP_TCP, NULL));
	tcp_send(fd, req, sizeof(req) - 1);
	pump(&e, &e.nrecv, 1, WAIT_MS);
	assert_int_equal(e.nrecv, 1);
	assert_int_equal(e.last_err, EBADMSG);
	assert_string_equal(e.callids[0], "noclen");
	/* The 400 the handler queued arrives, then the connection ends. */
	n = client_read(&e, fd, buf, sizeof(buf), WAIT_MS);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "SIP/2.0 400"));
	assert_int_equal(client_read(&e, fd, buf, sizeof(buf), WAIT_MS), 0);
	sip_transp_stats(e.tp, &e.st);
	assert_int_equal(e.st.parse_errors, 1);
	assert_int_equal(e.st.conns_open, 0);
	assert_int_equal(e.conn_err[0], EBADMSG);
	close(fd);
	env_close(&e);
}

static void test_tcp_big_and_oversize(void **state)
{
	static char body[40000], m[45000];
	char buf[1024];
	struct env e;
	size_t n;
	int fd;

	(void)state;
	env_init(&e);
	fd = tcp_client(listen_on(&e, SIP_TRANSP_TCP, NULL));
	/* larger than the first receive buffer: it grows */
	memset(body, 'b', sizeof(body) - 1);
	n = tcp_request(m, sizeof(m), "big", body);
	tcp_send(fd, m, n);
	pump(&e, &e.nrecv, 1, WAIT_MS);
	assert_int_equal(e.nrecv, 1);
	assert_int_equal(e.last_err, 0);
	assert_string_equal(e.callids[0], "big");
	/* a Content-Length beyond SIP_MSG_MAX: EOVERFLOW, 400, closed */
	n = (size_t)snprintf(m, sizeof(m),
	                     "MESSAGE sip:gw@127.0.0.1 SIP/2.0\r\n"
	                     "Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK2\r\n"
	                     "From: <sip:a@example.test>;tag=1\r\n"
	                     "To: <sip:gw@127.0.0.1>\r\n"
	                     "Call-ID: huge\r\n"
	                     "CSeq: 2 MESSAGE\r\n"
	                     "Content-Length: 70000\r\n\r\n");
	tcp_send(fd, m, n);
	pump(&e, &e.nrecv, 2, WAIT_MS);
	assert_int_equal(e.nrecv, 2);
	assert_int_equal(e.last_err, EOVERFLOW);
	assert_true(client_read(&e, fd, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "SIP/2.0 400"));
	assert_int_equal(client_read(&e, fd, buf, sizeof(buf), WAIT_MS), 0);
	close(fd);
	env_close(&e);
}

static void test_conn_limits(void **state)
{
	struct sip_transp_limits lim = {.conn_max = 3, .conn_per_ip = 2};
	int fds[4], i;
	char buf[64];
	uint16_t port;
	struct env e;

	(void)state;
	env_init(&e);
	sip_transp_set_limits(e.tp, &lim);
	port = listen_on(&e, SIP_TRANSP_TCP, NULL);
	for (i = 0; i < 3; i++)
		fds[i] = tcp_client(port);
	pump_conns(&e, 3);
	assert_int_equal(e.st.conns_open, 2);
	assert_int_equal(e.st.conns_refused, 1);
	/* the refused one (the third accepted) is closed at once */
	assert_int_equal(client_read(&e, fds[2], buf, sizeof(buf), WAIT_MS), 0);
	assert_int_equal(client_read(&e, fds[0], buf, sizeof(buf), 30), -1);
	/* a slot frees up once one goes */
	close(fds[0]);
	pump(&e, &e.nconn, 1, WAIT_MS);
	fds[3] = tcp_client(port);
	pump_conns(&e, 3);
	assert_int_equal(e.st.conns_open, 2);
	assert_int_equal(e.st.conns_refused, 1);
	for (i = 1; i < 4; i++)
		close(fds[i]);
	env_close(&e);
}

static void test_idle_timeout(void **state)
{
	struct sip_transp_limits lim = {.idle_ms = 60};
	uint64_t start;
	char buf[64];
	struct env e;
	int fd;

	(void)state;
	env_init(&e);
	sip_transp_set_limits(e.tp, &lim);
	fd = tcp_client(listen_on(&e, SIP_TRANSP_TCP, NULL));
	start = mono_ms();
	assert_int_equal(client_read(&e, fd, buf, sizeof(buf), WAIT_MS), 0);
	assert_true(mono_ms() - start >= 50);
	assert_int_equal(e.nconn, 1);
	assert_int_equal(e.conn_err[0], ETIMEDOUT);
	close(fd);
	env_close(&e);
}

static void test_tcp_connect_reuse(void **state)
{
	struct sip_flow *f1 = NULL, *f2 = NULL;
	struct env srv, cli;
	char m[512];
	struct sa dst;
	size_t n;

	(void)state;
	env_init(&srv);
	/* the client transport shares the server's loop */
	memset(&cli, 0, sizeof(cli));
	assert_int_equal(sip_transp_alloc(&cli.tp, &srv.loop, on_recv, &cli),
	                 0);
	sip_transp_set_connh(cli.tp, on_conn);
	srv.reply = true;
	assert_int_equal(
	    sa_set(&dst, "127.0.0.1", listen_on(&srv, SIP_TRANSP_TCP, NULL)),
	    0);
	assert_int_equal(
	    sip_transp_connect(&f1, cli.tp, SIP_TRANSP_TCP, &dst, NULL), 0);
	assert_int_equal(
	    sip_transp_connect(&f2, cli.tp, SIP_TRANSP_TCP, &dst, NULL), 0);
	assert_ptr_equal(f1, f2);
	n = tcp_request(m, sizeof(m), "out", "queued before connect");
	assert_int_equal(sip_flow_send(f1, (const uint8_t *)m, n), 0);
	pump(&srv, &srv.nrecv, 1, WAIT_MS);
	assert_int_equal(srv.nrecv, 1);
	assert_string_equal(srv.callids[0], "out");
	assert_int_equal(cli.conn_err[0], 0); /* connected */
	/* the 200 comes back on the same connection */
	pump(&srv, &cli.nrecv, 1, WAIT_MS);
	assert_int_equal(cli.nrecv, 1);
	assert_true(sa_cmp(sip_flow_peer(f1), &dst));
	sip_flow_close(f1);
	assert_int_equal(sip_flow_send(f1, (const uint8_t *)m, n), ENOTCONN);
	pump(&srv, &srv.nconn, 1, WAIT_MS);
	assert_int_equal(srv.nconn, 1);
	mem_deref(f1);
	mem_deref(f2);

	/* nobody listening: the connection fails */
	sa_set_port(&dst, 1);
	assert_int_equal(
	    sip_transp_connect(&f1, cli.tp, SIP_TRANSP_TCP, &dst, NULL), 0);
	pump(&srv, &cli.nconn, 3, WAIT_MS);
	assert_int_equal(cli.conn_err[2], ECONNREFUSED);
	mem_deref(f1);

	cli.kept = mem_deref(cli.kept);
	cli.rflow = mem_deref(cli.rflow);
	sip_transp_close(cli.tp);
	cli.tp = mem_deref(cli.tp);
	env_close(&srv);
}

struct certs {
	char dir[64];
	char cert[96];
	char key[96];
};

static void certs_make(struct certs *c)
{
	snprintf(c->dir, sizeof(c->dir), "/tmp/sc-transp-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(c->cert, sizeof(c->cert), "%s/cert.pem", c->dir);
	snprintf(c->key, sizeof(c->key), "%s/key.pem", c->dir);
	assert_int_equal(
	    tls_cert_selfsigned(c->cert, c->key, "sip.example.test"), 0);
}

static void certs_remove(struct certs *c)
{
	unlink(c->cert);
	unlink(c->key);
	rmdir(c->dir);
}

static void test_tls_hostname(void **state)
{
	struct tls_ctx *sctx = NULL, *cctx = NULL;
	struct sip_flow *good = NULL, *bad = NULL;
	struct sip_transp *cli2 = NULL;
	struct env srv, cli;
	struct certs c;
	struct sa dst;
	char m[512];
	size_t n;

	(void)state;
	certs_make(&c);
	assert_int_equal(tls_ctx_server_alloc(&sctx, c.cert, c.key), 0);
	assert_int_equal(tls_ctx_client_alloc(&cctx, c.cert, true), 0);
	env_init(&srv);
	srv.reply = true;
	memset(&cli, 0, sizeof(cli));
	assert_int_equal(sip_transp_alloc(&cli.tp, &srv.loop, on_recv, &cli),
	                 0);
	sip_transp_set_connh(cli.tp, on_conn);
	assert_int_equal(
	    sip_transp_connect(&good, cli.tp, SIP_TRANSP_TLS, &dst, "x"),
	    EINVAL); /* dst unset */
	assert_int_equal(
	    sa_set(&dst, "127.0.0.1", listen_on(&srv, SIP_TRANSP_TLS, sctx)),
	    0);
	assert_int_equal(sip_transp_connect(&good, cli.tp, SIP_TRANSP_TLS, &dst,
	                                    "sip.example.test"),
	                 ENOENT); /* no client context yet */
	sip_transp_set_tls_client(cli.tp, cctx);

	/* The right name: connects, and the queued request arrives. */
	assert_int_equal(sip_transp_connect(&good, cli.tp, SIP_TRANSP_TLS, &dst,
	                                    "sip.example.test"),
	                 0);
	n = tcp_request(m, sizeof(m), "overtls", "secret");
	assert_int_equal(sip_flow_send(good, (const uint8_t *)m, n), 0);
	pump(&srv, &cli.nrecv, 1, WAIT_MS);
	assert_int_equal(srv.nrecv, 1);
	assert_string_equal(srv.callids[0], "overtls");
	assert_int_equal(sip_flow_type(srv.kept), SIP_TRANSP_TLS);
	assert_int_equal(cli.nconn, 1);
	assert_int_equal(cli.conn_err[0], 0);
	assert_int_equal(cli.nrecv, 1); /* the 200 came back */

	/* A wrong name: the handshake fails, nothing is delivered. */
	assert_int_equal(sip_transp_alloc(&cli2, &srv.loop, on_recv, &cli), 0);
	sip_transp_set_connh(cli2, on_conn);
	sip_transp_set_tls_client(cli2, cctx);
	assert_int_equal(sip_transp_connect(&bad, cli2, SIP_TRANSP_TLS, &dst,
	                                    "wrong.example.test"),
	                 0);
	assert_int_equal(sip_flow_send(bad, (const uint8_t *)m, n), 0);
	pump(&srv, &cli.nconn, 2, WAIT_MS);
	assert_int_equal(cli.nconn, 2);
	assert_int_equal(cli.conn_err[1], EPROTO);
	pump(&srv, NULL, 0, 50);
	assert_int_equal(srv.nrecv, 1);
	assert_int_equal(sip_flow_send(bad, (const uint8_t *)m, n), ENOTCONN);

	mem_deref(good);
	mem_deref(bad);
	sip_transp_close(cli2);
	mem_deref(cli2);
	cli.kept = mem_deref(cli.kept);
	cli.rflow = mem_deref(cli.rflow);
	sip_transp_close(cli.tp);
	cli.tp = mem_deref(cli.tp);
	env_close(&srv);
	mem_deref(cctx);
	mem_deref(sctx);
	certs_remove(&c);
}

/* A raw OpenSSL client limited to TLS 1.1, on a non-blocking socket, stepped
 * while the server's loop runs: the server must refuse it. */
static void test_tls11_client_refused(void **state)
{
	struct tls_ctx *sctx = NULL;
	SSL_CTX *old;
	struct certs c;
	struct env e;
	uint64_t end;
	SSL *ssl;
	int fd, r = 0;

	(void)state;
	certs_make(&c);
	assert_int_equal(tls_ctx_server_alloc(&sctx, c.cert, c.key), 0);
	env_init(&e);
	fd = tcp_client(listen_on(&e, SIP_TRANSP_TLS, sctx));
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	old = SSL_CTX_new(TLS_client_method());
	assert_non_null(old);
	SSL_CTX_set_security_level(old, 0);
	assert_int_equal(SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_cipher_list(old, "DEFAULT:@SECLEVEL=0"),
	                 1);
	ssl = SSL_new(old);
	assert_int_equal(SSL_set_fd(ssl, fd), 1);
	end = mono_ms() + WAIT_MS;
	while (mono_ms() < end) {
		int se;

		r = SSL_connect(ssl);
		se = SSL_get_error(ssl, r);
		if (r == 1 ||
		    (se != SSL_ERROR_WANT_READ && se != SSL_ERROR_WANT_WRITE))
			break;
		uv_run(&e.loop, UV_RUN_NOWAIT);
		usleep(500);
	}
	assert_int_not_equal(r, 1);
	pump(&e, &e.nconn, 1, WAIT_MS);
	assert_int_equal(e.nconn, 1);
	assert_int_equal(e.conn_err[0], EPROTO);
	SSL_free(ssl);
	SSL_CTX_free(old);
	close(fd);
	env_close(&e);
	mem_deref(sctx);
	certs_remove(&c);
}

/* The handler closes and releases the whole transport while a second
 * message waits in the same read: nothing is touched afterwards. */
static void test_close_in_handler(void **state)
{
	char m[1024];
	struct env e;
	size_t n;
	int fd;

	(void)state;
	env_init(&e);
	e.drop_tp = true;
	fd = tcp_client(listen_on(&e, SIP_TRANSP_TCP, NULL));
	n = tcp_request(m, sizeof(m), "first", "");
	n += tcp_request(m + n, sizeof(m) - n, "second", "");
	tcp_send(fd, m, n);
	pump(&e, &e.nrecv, 1, WAIT_MS);
	pump(&e, NULL, 0, 20);
	assert_int_equal(e.nrecv, 1);
	assert_null(e.tp);
	close(fd);
	env_close(&e);
}

/* TCP over IPv6 loopback, client and server transports on one loop. */
static void test_tcp_ipv6(void **state)
{
	struct sip_flow *f = NULL;
	struct env srv, cli;
	char m[512], buf[SA_STR_MAX];
	struct sa sa;
	size_t n;

	(void)state;
	env_init(&srv);
	assert_int_equal(sa_set(&sa, "::1", 0), 0);
	if (sip_transp_listen(srv.tp, SIP_TRANSP_TCP, &sa, NULL)) {
		env_close(&srv);
		skip(); /* no IPv6 loopback here */
	}
	srv.reply = true;
	memset(&cli, 0, sizeof(cli));
	assert_int_equal(sip_transp_alloc(&cli.tp, &srv.loop, on_recv, &cli),
	                 0);
	assert_int_equal(
	    sip_transp_laddr(srv.tp, SIP_TRANSP_TCP, AF_INET6, &sa), 0);
	assert_int_equal(
	    sip_transp_connect(&f, cli.tp, SIP_TRANSP_TCP, &sa, NULL), 0);
	n = tcp_request(m, sizeof(m), "six", "");
	assert_int_equal(sip_flow_send(f, (const uint8_t *)m, n), 0);
	pump(&srv, &cli.nrecv, 1, WAIT_MS);
	assert_int_equal(srv.nrecv, 1);
	assert_int_equal(cli.nrecv, 1);
	assert_int_equal(sa_family(sip_flow_peer(srv.kept)), AF_INET6);
	assert_int_equal(sa_ntop(sip_flow_peer(srv.kept), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "::1");
	assert_true(sa_cmp(sip_flow_local(f), sip_flow_peer(srv.kept)));
	/* the TCP reply carries received (the Via said 127.0.0.1) */
	assert_string_equal(srv.via_params, ";received=::1");
	mem_deref(f);
	cli.kept = mem_deref(cli.kept);
	cli.rflow = mem_deref(cli.rflow);
	sip_transp_close(cli.tp);
	cli.tp = mem_deref(cli.tp);
	env_close(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_udp_reply_routing),
	    SC_TEST(test_tcp_framing),
	    SC_TEST(test_tcp_crlf_ping),
	    SC_TEST(test_tcp_missing_clen),
	    SC_TEST(test_conn_limits),
	    SC_TEST(test_idle_timeout),
	    SC_TEST(test_tcp_connect_reuse),
	    SC_TEST(test_tls_hostname),
	    SC_TEST(test_udp_ipv6),
	    SC_TEST(test_tcp_big_and_oversize),
	    SC_TEST(test_tls11_client_refused),
	    SC_TEST(test_close_in_handler),
	    SC_TEST(test_tcp_ipv6),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
