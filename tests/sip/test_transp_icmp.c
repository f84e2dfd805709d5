/* test_transp_icmp.c: ICMP errors on UDP as transport failures (RFC 3261
 * §18.4) over real loopback sockets: an INVITE to a closed port fails with
 * 503 at once instead of at Timer B, and only the transactions toward
 * exactly that address and port do. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "testutil.h"

#include "sip/transp.h"
#include "sip/tsx.h"

/* Longest a test waits; the ICMP error must come well before. */
#define WAIT_MS 1000
#define FAST_MS 500

struct seen {
	int n;
	int err;
	uint16_t scode;
};

struct env {
	uv_loop_t loop;
	struct tmrl *tl;
	struct sip_transp *tp;
	struct sip_tsx_layer *layer;
	int nrecv;
	int nunreach;
	int unreach_err;
	struct sa unreach_dst;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int send_h(void *dest, const uint8_t *data, size_t len, void *arg)
{
	(void)arg;
	return sip_flow_send(dest, data, len);
}

static void on_recv(struct sip_flow *flow, int err, struct sip_msg *msg,
                    void *arg)
{
	struct env *e = arg;

	(void)flow;
	(void)msg;
	if (!err)
		e->nrecv++;
}

/* The same match as the gateway's (gw/server.c). */
static bool udp_dest_is(const void *dest, void *arg)
{
	const struct sip_flow *d = dest, *failed = arg;

	return sip_flow_type(d) == SIP_TRANSP_UDP &&
	       sa_cmp(sip_flow_peer(d), sip_flow_peer(failed)) &&
	       sa_cmp(sip_flow_local(d), sip_flow_local(failed));
}

static void on_unreach(struct sip_flow *flow, int err, void *arg)
{
	struct env *e = arg;

	e->nunreach++;
	e->unreach_err = err;
	e->unreach_dst = *sip_flow_peer(flow);
	sip_tsx_dests_failed(e->layer, udp_dest_is, flow, err);
}

static void resp_h(int err, uint16_t scode, const struct sip_msg *msg,
                   void *arg)
{
	struct seen *s = arg;

	(void)msg;
	s->n++;
	s->err = err;
	s->scode = scode;
}

static void env_init(struct env *e, const char *host)
{
	struct sa sa;

	memset(e, 0, sizeof(*e));
	assert_int_equal(uv_loop_init(&e->loop), 0);
	assert_int_equal(tmrl_alloc(&e->tl, net_now_ms(&e->loop)), 0);
	assert_int_equal(sip_tsx_layer_alloc(&e->layer, e->tl, send_h, e), 0);
	assert_int_equal(sip_transp_alloc(&e->tp, &e->loop, on_recv, e), 0);
	sip_transp_set_unreachh(e->tp, on_unreach);
	assert_int_equal(sa_set(&sa, host, 0), 0);
	assert_int_equal(sip_transp_listen(e->tp, SIP_TRANSP_UDP, &sa, NULL),
	                 0);
}

static void env_close(struct env *e)
{
	sip_tsx_layer_close(e->layer);
	e->layer = mem_deref(e->layer);
	sip_transp_close(e->tp);
	e->tp = mem_deref(e->tp);
	uv_run(&e->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&e->loop), 0);
	mem_deref(e->tl);
}

/* Runs the loop and the transaction timers until s->n is set or ms
 * passed; returns the time it took. */
static uint64_t pump(struct env *e, const struct seen *s, int ms)
{
	uint64_t start = mono_ms(), end = start + (uint64_t)ms;

	while (mono_ms() < end) {
		uv_run(&e->loop, UV_RUN_NOWAIT);
		tmrl_poll(e->tl, net_now_ms(&e->loop));
		if (s && s->n)
			break;
		usleep(500);
	}
	return mono_ms() - start;
}

/* A UDP socket bound to a free port of host: kept open (a silent peer) or
 * closed again (a port nobody listens on). */
static int udp_port(const char *host, uint16_t *portp, bool keep)
{
	struct sa sa;
	socklen_t len;
	int fd;

	assert_int_equal(sa_set(&sa, host, 0), 0);
	fd = socket(sa_family(&sa), SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, sa_sockaddr(&sa), sa_len(&sa)), 0);
	len = sizeof(sa.u);
	assert_int_equal(getsockname(fd, &sa.u.sa, &len), 0);
	*portp = sa_port(&sa);
	if (!keep) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Sends an INVITE (a new branch per call) to host:port through the layer. */
static struct sip_ctx *invite(struct env *e, const char *host, uint16_t port,
                              const char *branch, struct seen *s)
{
	struct sip_flow *flow = NULL;
	struct sip_ctx *ctx = NULL;
	struct sip_msg msg;
	char text[1024];
	struct sa dst;

	memset(s, 0, sizeof(*s));
	assert_int_equal(sa_set(&dst, host, port), 0);
	if (strchr(host, ':'))
		host = "[::1]"; /* in a URI */
	assert_int_equal(
	    sip_transp_connect(&flow, e->tp, SIP_TRANSP_UDP, &dst, NULL), 0);
	snprintf(text, sizeof(text),
	         "INVITE sip:bob@%s SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP gw.test;branch=z9hG4bK%s;rport\r\n"
	         "Max-Forwards: 70\r\n"
	         "From: <sip:alice@gw.test>;tag=a1\r\n"
	         "To: <sip:bob@%s>\r\n"
	         "Call-ID: %s@gw.test\r\n"
	         "CSeq: 1 INVITE\r\n"
	         "Contact: <sip:alice@gw.test>\r\n"
	         "Content-Length: 0\r\n\r\n",
	         host, branch, host, branch);
	assert_int_equal(sip_msg_decode(&msg, text, strlen(text)), 0);
	assert_int_equal(sip_ctx_send(&ctx, e->layer, &msg,
	                              (const uint8_t *)text, strlen(text),
	                              flow, false, resp_h, s),
	                 0);
	mem_deref(flow);
	return ctx;
}

static void closed_port(const char *host)
{
	struct seen dead, alive;
	struct sip_ctx *cd, *ca;
	struct sip_transp_stats st;
	struct sa lsa;
	uint16_t pdead, palive;
	uint64_t took;
	struct env e;
	char msg[256];
	int fd;

	env_init(&e, host);
	(void)udp_port(host, &pdead, false);
	fd = udp_port(host, &palive, true);
	/* the silent peer first: its transaction must outlive the error */
	ca = invite(&e, host, palive, "alive", &alive);
	cd = invite(&e, host, pdead, "dead", &dead);
	took = pump(&e, &dead, WAIT_MS);
	assert_int_equal(dead.n, 1);
	assert_int_equal(dead.scode, 503);
	assert_int_equal(dead.err, ECONNREFUSED);
	assert_true(took < FAST_MS);
	assert_false(sip_ctx_alive(cd));
	assert_int_equal(e.nunreach, 1);
	assert_int_equal(e.unreach_err, ECONNREFUSED);
	assert_int_equal(sa_port(&e.unreach_dst), pdead);
	/* the same address, another port: untouched, still waiting */
	pump(&e, NULL, 50);
	assert_int_equal(alive.n, 0);
	assert_true(sip_ctx_alive(ca));
	sip_transp_stats(e.tp, &st);
	assert_int_equal(st.unreachable, 1);

	/* the socket still receives after its error queue was read */
	assert_int_equal(sip_transp_laddr(e.tp, SIP_TRANSP_UDP, AF_UNSPEC,
	                                  &lsa),
	                 0);
	snprintf(msg, sizeof(msg),
	         "OPTIONS sip:gw@gw.test SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP peer.test;branch=z9hG4bKo1\r\n"
	         "From: <sip:a@peer.test>;tag=1\r\n"
	         "To: <sip:gw@gw.test>\r\n"
	         "Call-ID: o1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	         "Content-Length: 0\r\n\r\n");
	assert_int_equal(sendto(fd, msg, strlen(msg), 0, sa_sockaddr(&lsa),
	                        sa_len(&lsa)),
	                 (ssize_t)strlen(msg));
	for (int i = 0; i < 200 && !e.nrecv; i++)
		pump(&e, NULL, 5);
	assert_int_equal(e.nrecv, 1);

	close(fd);
	mem_deref(cd);
	mem_deref(ca);
	env_close(&e);
}

static void test_udp_closed_port(void **state)
{
	(void)state;
	closed_port("127.0.0.1");
}

static void test_udp6_closed_port(void **state)
{
	(void)state;
	closed_port("::1");
}

/* Without a handler the error is still read (counted), so the socket does
 * not stay readable and spin, and nothing fails. */
static void test_udp_no_handler(void **state)
{
	struct sip_transp_stats st;
	struct seen dead;
	struct sip_ctx *cd;
	uint16_t pdead;
	struct env e;

	(void)state;
	env_init(&e, "127.0.0.1");
	sip_transp_set_unreachh(e.tp, NULL);
	(void)udp_port("127.0.0.1", &pdead, false);
	cd = invite(&e, "127.0.0.1", pdead, "dead", &dead);
	pump(&e, NULL, 100);
	sip_transp_stats(e.tp, &st);
	assert_int_equal(st.unreachable, 1);
	assert_int_equal(dead.n, 0);
	assert_true(sip_ctx_alive(cd));
	mem_deref(cd);
	env_close(&e);
}

/* The ICMP error of one peer is pending on the socket (not read yet)
 * when a datagram goes to another: that send still succeeds and the
 * datagram arrives; then the error reaches only the dead peer's
 * transaction. */
static void test_udp_pending_error(void **state)
{
	struct sip_flow *flow = NULL;
	struct seen d1;
	struct sip_ctx *c1;
	uint16_t pdead, palive;
	struct sa dst;
	char buf[64];
	struct env e;
	ssize_t n = -1;
	int fd;

	(void)state;
	env_init(&e, "127.0.0.1");
	(void)udp_port("127.0.0.1", &pdead, false);
	fd = udp_port("127.0.0.1", &palive, true);
	assert_int_equal(sa_set(&dst, "127.0.0.1", palive), 0);
	assert_int_equal(
	    sip_transp_connect(&flow, e.tp, SIP_TRANSP_UDP, &dst, NULL), 0);
	c1 = invite(&e, "127.0.0.1", pdead, "dead1", &d1);
	usleep(50 * 1000); /* the ICMP error arrives; the loop does not run */
	assert_int_equal(d1.n, 0);
	assert_int_equal(sip_flow_send(flow, (const uint8_t *)"hello", 5), 0);
	for (int i = 0; i < 200 && n < 0; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			usleep(1000);
	}
	assert_int_equal(n, 5);
	pump(&e, &d1, WAIT_MS);
	assert_int_equal(d1.n, 1);
	assert_int_equal(d1.scode, 503);
	assert_int_equal(d1.err, ECONNREFUSED);
	assert_int_equal(e.nunreach, 1);
	mem_deref(flow);
	mem_deref(c1);
	close(fd);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_udp_closed_port),
	    SC_TEST(test_udp6_closed_port),
	    SC_TEST(test_udp_no_handler),
	    SC_TEST(test_udp_pending_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
