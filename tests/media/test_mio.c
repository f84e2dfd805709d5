/* test_mio.c: a worker's io_uring batches (media/mio.c) on real sockets on
 * 127.0.0.1: reads of several sockets in one flush, the sends they cause,
 * dropped reads of a closing relay, over-long datagrams, slot limits; and
 * the engine relaying bursts of many sessions with io_uring and with a
 * system call per datagram (plain_io). */
#include "media/media_int.h"
#include "mtest.h"

#define NSOCK 4
#define NSESS 8
#define BURST 10

struct got {
	size_t n;
	struct mrelay *r[MIO_RX_MAX];
	int leg[MIO_RX_MAX];
	bool rtcp[MIO_RX_MAX];
	size_t len[MIO_RX_MAX];
	uint8_t first[MIO_RX_MAX];
	uint16_t src_port[MIO_RX_MAX];
	/* when set, each read is sent back to its source on this fd */
	struct mio *echo_io;
	int echo_fd;
	/* a costly read: this long each, and whether the peer (check_fd)
	 * already had an echo when the last read was processed */
	unsigned slow_us;
	int check_fd;
	bool echo_seen;
};

static struct got *got_of(struct mrelay *r)
{
	return r->arg;
}

static void input_h(struct mrelay *r, int leg, bool rtcp, uint8_t *buf,
		    size_t len, size_t size, const struct sa *src,
		    uint64_t now_ms)
{
	struct got *g = got_of(r);

	(void)now_ms;
	assert_true(size >= len + 16); /* room for an SRTP tag */
	assert_true(g->n < MIO_RX_MAX);
	g->r[g->n] = r;
	g->leg[g->n] = leg;
	g->rtcp[g->n] = rtcp;
	g->len[g->n] = len;
	g->first[g->n] = buf[0];
	g->src_port[g->n] = sa_port(src);
	g->n++;
	if (g->slow_us) {
		usleep(g->slow_us);
		if (g->n == NSOCK)
			g->echo_seen = poll(&(struct pollfd){.fd = g->check_fd,
							     .events = POLLIN},
					    1, 0) == 1;
	}
	if (g->echo_io) {
		buf[0] ^= 0xff;
		assert_true(mio_send(g->echo_io, g->echo_fd, buf, len, src));
	}
}

/* A ring, or a skip where io_uring is not available (the worker then
 * uses plain system calls, tested below with plain_io). */
static struct mio *ring_or_skip(void)
{
	struct mio *io = NULL;
	int err = mio_alloc(&io, input_h);

	if (err) {
		assert_true(err == ENOSYS || err == EPERM || err == ENOMEM);
		skip();
	}
	assert_int_equal(mio_alloc(NULL, input_h), EINVAL);
	return io;
}

static void test_reads_and_sends(void **state)
{
	struct mt_peer sock[NSOCK], peer;
	struct mrelay r;
	struct got g;
	struct mio_stats st;
	struct mio *io;
	uint8_t buf[64], rx[64];
	int i;

	(void)state;
	io = ring_or_skip();
	memset(&g, 0, sizeof(g));
	mrelay_init(&r, 0);
	r.arg = &g;
	mt_peer_open(&peer);
	for (i = 0; i < NSOCK; i++) {
		mt_peer_open(&sock[i]);
		memset(buf, 0x10 + i, sizeof(buf));
		mt_send(&peer, sock[i].port, buf, 20 + (size_t)i);
	}
	for (i = 0; i < NSOCK; i++) /* wait until each has arrived */
		assert_int_equal(
		    poll(&(struct pollfd){.fd = sock[i].fd, .events = POLLIN},
			 1, MT_WAIT_MS),
		    1);
	/* One read queued per socket, plus one of a socket with nothing. */
	for (i = 0; i < NSOCK; i++)
		assert_true(mio_recv(io, &r, i % 2, i / 2, sock[i].fd));
	assert_true(mio_recv(io, &r, 0, 0, peer.fd));
	assert_int_equal(g.n, 0); /* nothing is read before the flush */
	g.echo_io = io;
	g.echo_fd = peer.fd;
	mio_flush(io, 1000);
	assert_int_equal(g.n, NSOCK);
	for (i = 0; i < NSOCK; i++) {
		assert_ptr_equal(g.r[i], &r);
		assert_int_equal(g.leg[i], i % 2);
		assert_int_equal(g.rtcp[i], i / 2 == 1);
		assert_int_equal(g.len[i], 20 + i);
		assert_int_equal(g.first[i], 0x10 + i);
		assert_int_equal(g.src_port[i], peer.port);
	}
	/* The echoes went out in the same flush: the peer has them all. */
	for (i = 0; i < NSOCK; i++) {
		ssize_t n = mt_recv(&peer, rx, sizeof(rx), MT_WAIT_MS);

		assert_int_equal(n, 20 + i);
		assert_int_equal(rx[0], (0x10 + i) ^ 0xff);
	}
	mio_stats_get(io, &st);
	assert_int_equal(st.rx, NSOCK);
	assert_int_equal(st.tx, NSOCK);
	assert_int_equal(st.tx_err, 0);
	assert_int_equal(st.rx_again, 0); /* a quick flush reads once */
	/* reads, then the sends they made: two submissions */
	assert_int_equal(st.enters, 2);
	mio_flush(io, 1000); /* nothing queued: no system call */
	mio_stats_get(io, &st);
	assert_int_equal(st.enters, 2);
	for (i = 0; i < NSOCK; i++)
		mt_peer_close(&sock[i]);
	mt_peer_close(&peer);
	mem_deref(io);
}

/* Reads that take long (DTLS handshakes, transcoding): what the first
 * made goes out before the last is processed, not after the batch. */
static void test_slow_reads(void **state)
{
	struct mt_peer sock[NSOCK], peer;
	struct mrelay r;
	struct got g;
	struct mio_stats st;
	struct mio *io;
	uint8_t buf[64];
	int i;

	(void)state;
	io = ring_or_skip();
	memset(&g, 0, sizeof(g));
	mrelay_init(&r, 0);
	r.arg = &g;
	mt_peer_open(&peer);
	for (i = 0; i < NSOCK; i++) {
		mt_peer_open(&sock[i]);
		memset(buf, i, sizeof(buf));
		mt_send(&peer, sock[i].port, buf, sizeof(buf));
		assert_int_equal(
		    poll(&(struct pollfd){.fd = sock[i].fd, .events = POLLIN},
			 1, MT_WAIT_MS),
		    1);
		assert_true(mio_recv(io, &r, 0, 0, sock[i].fd));
	}
	/* The last socket holds two datagrams: a long flush reads it
	 * again (recvmmsg would have taken both at once). */
	mt_send(&peer, sock[NSOCK - 1].port, buf, sizeof(buf));
	usleep(20000);
	g.echo_io = io;
	g.echo_fd = peer.fd;
	g.check_fd = peer.fd;
	g.slow_us = 2 * MIO_TX_WAIT_NS / 1000;
	mio_flush(io, 0);
	assert_int_equal(g.n, NSOCK + 1);
	assert_true(g.echo_seen);
	mio_stats_get(io, &st);
	assert_int_equal(st.tx, NSOCK + 1);
	assert_true(st.enters > 2);
	/* every read that had data was repeated: 4 + the second one */
	assert_int_equal(st.rx_again, NSOCK + 1);
	for (i = 0; i < NSOCK + 1; i++)
		assert_int_equal(mt_recv(&peer, buf, sizeof(buf), MT_WAIT_MS),
				 sizeof(buf));
	for (i = 0; i < NSOCK; i++)
		mt_peer_close(&sock[i]);
	mt_peer_close(&peer);
	mem_deref(io);
}

static void test_closing_and_limits(void **state)
{
	struct mt_peer a, b;
	struct mrelay r, r2;
	struct got g;
	struct sa dst;
	struct mio *io;
	uint8_t big[MEDIA_PKT_MAX + 100];
	int i;

	(void)state;
	io = ring_or_skip();
	memset(&g, 0, sizeof(g));
	mrelay_init(&r, 0);
	mrelay_init(&r2, 0);
	r.arg = r2.arg = &g;
	mt_peer_open(&a);
	mt_peer_open(&b);
	memset(big, 0x80, sizeof(big));
	/* Longer than relayed: dropped, not cut. */
	mt_send(&a, b.port, big, sizeof(big));
	mt_send(&a, b.port, big, MEDIA_PKT_MAX);
	assert_int_equal(
	    poll(&(struct pollfd){.fd = b.fd, .events = POLLIN}, 1, MT_WAIT_MS),
	    1);
	usleep(20000);
	assert_true(mio_recv(io, &r, 0, 0, b.fd));
	assert_true(mio_recv(io, &r, 0, 0, b.fd));
	mio_flush(io, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], MEDIA_PKT_MAX);

	/* A relay closing (or forgotten) before the flush gets nothing. */
	mt_send(&a, b.port, big, 30);
	mt_send(&a, b.port, big, 31);
	mt_send(&a, b.port, big, 32);
	usleep(20000);
	assert_true(mio_recv(io, &r, 0, 0, b.fd));
	assert_true(mio_recv(io, &r2, 0, 0, b.fd));
	assert_true(mio_recv(io, &r2, 0, 0, b.fd));
	mio_forget(io, &r);
	r2.closing = 1;
	mio_flush(io, 0);
	assert_int_equal(g.n, 1);

	/* Every read slot taken: the caller is told to read itself. */
	for (i = 0; i < MIO_RX_MAX; i++)
		assert_true(mio_recv(io, &r, 0, 0, b.fd));
	assert_false(mio_recv(io, &r, 0, 0, b.fd));
	mio_flush(io, 0);
	assert_true(mio_recv(io, &r, 0, 0, b.fd));
	mio_flush(io, 0);
	assert_int_equal(g.n, 1); /* the socket was empty */

	/* The same for sends, and for a packet over a slot's size. */
	sa_set(&dst, "127.0.0.1", b.port);
	assert_false(mio_send(io, a.fd, big, MEDIA_PKT_ROOM + 1, &dst));
	for (i = 0; i < MIO_TX_MAX; i++)
		assert_true(mio_send(io, a.fd, big, 12, &dst));
	assert_false(mio_send(io, a.fd, big, 12, &dst));
	mio_flush(io, 0);
	assert_true(mio_send(io, a.fd, big, 12, &dst));
	mio_flush(io, 0);
	assert_int_equal(mt_recv(&b, big, sizeof(big), MT_WAIT_MS), 12);
	/* NULL: the worker without a ring */
	assert_false(mio_recv(NULL, &r, 0, 0, b.fd));
	assert_false(mio_send(NULL, a.fd, big, 12, &dst));
	mio_flush(NULL, 0);
	mt_peer_close(&a);
	mt_peer_close(&b);
	mem_deref(io);
}

struct sess {
	struct media_session *ms;
	struct mt_peer pa, pb;
	uint16_t port_a, port_b;
};

static void sess_open(struct sess *s, struct media_engine *me,
		      struct mt_events *ev)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP}, b = {.kind = MEDIA_RTP};
	struct mbuf *mb = NULL;
	char sdp[512];
	struct pl pl;

	mt_peer_open(&s->pa);
	mt_peer_open(&s->pb);
	assert_int_equal(
	    media_session_alloc(&s->ms, me, &a, &b, mt_event_h, ev), 0);
	mt_sdp(sdp, sizeof(sdp), s->pa.port, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(s->ms, MEDIA_LEG_A, &pl, &mb), 0);
	s->port_b = mt_sdp_port(mb);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), s->pb.port, "0", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(s->ms, MEDIA_LEG_B, &pl, &mb), 0);
	s->port_a = mt_sdp_port(mb);
	mem_deref(mb);
}

static void sess_close(struct sess *s)
{
	media_session_close(s->ms);
	s->ms = mem_deref(s->ms);
	mt_peer_close(&s->pa);
	mt_peer_close(&s->pb);
}

/* Every session's peer a sends a burst at once (many sockets readable in
 * one loop iteration); each peer b gets all of it, in order. */
static void burst_check(struct sess *sv, size_t n)
{
	uint8_t buf[256], rx[1500];
	struct rtp_hdr h;
	size_t i;
	int k;

	for (k = 0; k < BURST; k++)
		for (i = 0; i < n; i++) {
			size_t len =
			    mt_rtp(buf, 0, (uint16_t)(100 + k),
				   160 * (uint32_t)k, 0x1000 + (uint32_t)i,
				   (uint8_t)(16 * i + (size_t)k), 160);

			mt_send(&sv[i].pa, sv[i].port_a, buf, len);
		}
	for (i = 0; i < n; i++) {
		uint16_t seq0 = 0;

		for (k = 0; k < BURST; k++) {
			ssize_t r =
			    mt_recv_rtp(&sv[i].pb, rx, sizeof(rx), MT_WAIT_MS);

			assert_true(r > 0);
			assert_int_equal(rtp_hdr_decode(&h, rx, (size_t)r), 0);
			assert_int_equal(h.payload_len, 160);
			assert_int_equal(h.payload[0], 16 * i + (size_t)k);
			if (!k)
				seq0 = h.seq;
			assert_int_equal(h.seq, (uint16_t)(seq0 + k));
		}
	}
}

static void engine_bursts(bool plain_io)
{
	struct media_engine_conf c;
	struct media_engine *me;
	struct sess sv[NSESS];
	struct mt_events ev;
	struct media_stats st;
	uv_loop_t loop;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(sa_set(&c.bind, "127.0.0.1", 0), 0);
	c.port_min = MT_PORT_MIN;
	c.port_max = MT_PORT_MAX;
	c.workers = 2;
	c.plain_io = plain_io;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(media_engine_alloc(&me, &loop, &c), 0);
	for (i = 0; i < NSESS; i++)
		sess_open(&sv[i], me, &ev);
	burst_check(sv, NSESS);
	burst_check(sv, NSESS);
	assert_int_equal(media_stats_get(sv[0].ms, &st), 0);
	assert_int_equal(st.leg[0].rx_packets, 2 * BURST);
	assert_int_equal(st.leg[1].tx_packets, 2 * BURST);
	assert_int_equal(st.leg[0].rx_dropped, 0);
	/* Closed while its burst is on its way: the others go on. */
	{
		uint8_t buf[256];
		size_t len = mt_rtp(buf, 0, 1, 0, 0x77, 0, 160);
		int k;

		for (k = 0; k < BURST; k++)
			mt_send(&sv[0].pa, sv[0].port_a, buf, len);
	}
	sess_close(&sv[0]);
	burst_check(sv + 1, NSESS - 1);
	for (i = 1; i < NSESS; i++)
		sess_close(&sv[i]);
	assert_int_equal(media_engine_ports_used(me), 0);
	assert_int_equal(media_engine_sessions(me), 0);
	mt_engine_free(me, &loop);
}

static void test_engine_uring(void **state)
{
	(void)state;
	engine_bursts(false);
}

static void test_engine_plain_io(void **state)
{
	(void)state;
	engine_bursts(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_reads_and_sends),    SC_TEST(test_slow_reads),
	    SC_TEST(test_closing_and_limits), SC_TEST(test_engine_uring),
	    SC_TEST(test_engine_plain_io),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
