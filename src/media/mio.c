/* mio.c: a media worker's socket I/O batched through io_uring (Linux): the
 * datagrams of every socket found readable in one loop iteration are read
 * with one io_uring_enter(), and the packets that iteration sends leave
 * with one more, instead of a recvmmsg() per readable socket and a
 * sendto() per packet. Every operation is MSG_DONTWAIT and completes while
 * it is submitted (a full socket buffer drops the packet, as sendto()
 * did), so nothing is in flight between two flushes. */
#include <errno.h>
#include <liburing.h>
#include <string.h>
#include <sys/socket.h>

#include "media/media_int.h"

enum mio_kind {
	MIO_RX,
	MIO_TX,
};

/* One pending read: the socket it is for and where the datagram goes. */
struct mio_rx {
	struct mrelay *r;
	int leg, k;
	int fd;
	unsigned reads; /* of this socket in this flush */
	struct msghdr mh;
	struct iovec iov;
	struct sockaddr_storage src;
	uint8_t buf[MEDIA_PKT_ROOM];
};

/* One pending send: a copy of the packet (the caller's buffer is reused
 * at once) and its destination. */
struct mio_tx {
	struct msghdr mh;
	struct iovec iov;
	struct sockaddr_storage dst;
	uint8_t buf[MEDIA_PKT_ROOM];
};

struct mio {
	struct io_uring ring;
	bool ring_init;
	mio_input_h *inh;
	struct mio_rx rxv[MIO_RX_MAX];
	struct mio_tx txv[MIO_TX_MAX];
	uint16_t rx_free[MIO_RX_MAX], tx_free[MIO_TX_MAX];
	size_t rx_freec, tx_freec;
	size_t pending; /* queued or submitted, completion not yet reaped */
	uint64_t flush_start; /* ns */
	size_t tx_queued;     /* sends not yet submitted */
	uint64_t tx_first;    /* when the first of them was queued (ns) */
	bool flushing;
	struct mio_stats st;
};

static void mio_destructor(void *arg)
{
	struct mio *io = arg;

	if (io->ring_init)
		io_uring_queue_exit(&io->ring);
}

int mio_alloc(struct mio **iop, mio_input_h *inh)
{
	struct mio *io;
	size_t i;
	int err = 0, e;

	if (!iop || !inh)
		return EINVAL;
	io = mem_zalloc(sizeof(*io), mio_destructor);
	if (!io)
		return ENOMEM;
	io->inh = inh;
	/* Every slot can be pending at once: the ring never runs out. */
	e = io_uring_queue_init(MIO_RX_MAX + MIO_TX_MAX, &io->ring, 0);
	if (e < 0) {
		err = -e; /* ENOSYS, EPERM: io_uring disabled */
		goto out;
	}
	io->ring_init = true;
	for (i = 0; i < MIO_RX_MAX; i++)
		io->rx_free[io->rx_freec++] = (uint16_t)(MIO_RX_MAX - 1 - i);
	for (i = 0; i < MIO_TX_MAX; i++)
		io->tx_free[io->tx_freec++] = (uint16_t)(MIO_TX_MAX - 1 - i);
out:
	if (err)
		mem_deref(io);
	else
		*iop = io;
	return err;
}

static uint64_t udata(enum mio_kind kind, size_t idx)
{
	return ((uint64_t)kind << 32) | idx;
}

static void rx_prep(struct mio *io, struct io_uring_sqe *sqe, size_t idx)
{
	struct mio_rx *x = &io->rxv[idx];

	/* One byte more than relayed: a longer datagram shows as such. */
	x->iov.iov_base = x->buf;
	x->iov.iov_len = MEDIA_PKT_MAX + 1;
	memset(&x->mh, 0, sizeof(x->mh));
	x->src.ss_family = AF_UNSPEC; /* no stale source, ever */
	x->mh.msg_name = &x->src;
	x->mh.msg_namelen = sizeof(x->src);
	x->mh.msg_iov = &x->iov;
	x->mh.msg_iovlen = 1;
	io_uring_prep_recvmsg(sqe, x->fd, &x->mh, MSG_DONTWAIT);
	io_uring_sqe_set_data64(sqe, udata(MIO_RX, idx));
	io->pending++;
}

bool mio_recv(struct mio *io, struct mrelay *r, int leg, int k, int fd)
{
	struct io_uring_sqe *sqe;
	struct mio_rx *x;
	uint16_t idx;

	if (!io || !io->rx_freec || io->flushing)
		return false;
	sqe = io_uring_get_sqe(&io->ring);
	if (!sqe)
		return false;
	idx = io->rx_free[--io->rx_freec];
	x = &io->rxv[idx];
	x->r = r;
	x->leg = leg;
	x->k = k;
	x->fd = fd;
	x->reads = 1;
	rx_prep(io, sqe, idx);
	return true;
}

bool mio_send(struct mio *io, int fd, const uint8_t *buf, size_t len,
	      const struct sa *dst)
{
	struct io_uring_sqe *sqe;
	struct mio_tx *x;
	uint16_t idx;

	if (!io || !io->tx_freec || len > sizeof(x->buf) ||
	    sa_len(dst) > sizeof(x->dst))
		return false;
	sqe = io_uring_get_sqe(&io->ring);
	if (!sqe)
		return false;
	idx = io->tx_free[--io->tx_freec];
	x = &io->txv[idx];
	memcpy(x->buf, buf, len);
	memcpy(&x->dst, sa_sockaddr(dst), sa_len(dst));
	x->iov.iov_base = x->buf;
	x->iov.iov_len = len;
	memset(&x->mh, 0, sizeof(x->mh));
	x->mh.msg_name = &x->dst;
	x->mh.msg_namelen = sa_len(dst);
	x->mh.msg_iov = &x->iov;
	x->mh.msg_iovlen = 1;
	io_uring_prep_sendmsg(sqe, fd, &x->mh, MSG_DONTWAIT);
	io_uring_sqe_set_data64(sqe, udata(MIO_TX, idx));
	if (!io->tx_queued++)
		io->tx_first = uv_hrtime();
	io->pending++;
	io->st.tx++;
	return true;
}

/* A completed read: handed to the relay unless it is closing. True when
 * the socket is to be read again in this flush: it had a datagram and
 * the flush has taken long enough (costly reads: DTLS handshakes,
 * transcoding) for more to be waiting, as recvmmsg() would have read. */
static bool rx_done(struct mio *io, struct mio_rx *x, int res, uint64_t now)
{
	struct sa src;

	if (res <= 0 || !x->r || x->r->closing)
		return false;
	if (res <= MEDIA_PKT_MAX &&
	    !sa_set_sockaddr(&src, (struct sockaddr *)&x->src)) {
		sa_unmap(&src, &src);
		io->st.rx++;
		io->inh(x->r, x->leg, x->k == 1, x->buf, (size_t)res,
			sizeof(x->buf), &src, now);
	}
	return x->reads < MEDIA_RX_BATCH && x->r && !x->r->closing &&
	       uv_hrtime() - io->flush_start > MIO_TX_WAIT_NS;
}

/* Sends what is queued without waiting (its completions are reaped
 * later in the same flush). */
static void submit(struct mio *io)
{
	io->tx_queued = 0;
	io->st.enters++;
	(void)io_uring_submit(&io->ring);
}

/* Reaps what has completed: reads are processed (which may queue sends),
 * slots go back. How many were reaped. */
static size_t reap(struct mio *io, uint64_t now)
{
	struct io_uring_cqe *cqe;
	size_t n = 0;

	while (io_uring_peek_cqe(&io->ring, &cqe) == 0) {
		uint64_t d = io_uring_cqe_get_data64(cqe);
		size_t idx = (size_t)(d & 0xffffffffu);
		int res = cqe->res;

		io_uring_cqe_seen(&io->ring, cqe);
		io->pending--;
		n++;
		if ((enum mio_kind)(d >> 32) == MIO_RX) {
			struct io_uring_sqe *sqe;

			if (rx_done(io, &io->rxv[idx], res, now) &&
			    (sqe = io_uring_get_sqe(&io->ring))) {
				io->rxv[idx].reads++;
				io->st.rx_again++;
				rx_prep(io, sqe, idx);
			} else {
				io->rx_free[io->rx_freec++] = (uint16_t)idx;
			}
			/* Costly reads (DTLS handshakes, transcoding) must
			 * not hold back what earlier ones made. */
			if (io->tx_queued &&
			    uv_hrtime() - io->tx_first > MIO_TX_WAIT_NS)
				submit(io);
		} else {
			if (res < 0)
				io->st.tx_err++;
			io->tx_free[io->tx_freec++] = (uint16_t)idx;
		}
	}
	return n;
}

void mio_flush(struct mio *io, uint64_t now)
{
	unsigned tries = 0;

	if (!io || io->flushing)
		return;
	io->flushing = true;
	io->flush_start = uv_hrtime();
	/* Reads first; the sends they cause go in the next round. */
	while (io->pending && tries < MIO_FLUSH_TRIES) {
		int e =
		    io_uring_submit_and_wait(&io->ring, (unsigned)io->pending);

		io->tx_queued = 0;
		io->st.enters++;
		if (e < 0 && e != -EINTR && e != -EAGAIN && e != -EBUSY) {
			log_warn("media", "io_uring submit: %s", strerror(-e));
			tries++;
		}
		if (!reap(io, now))
			tries++;
	}
	io->flushing = false;
}

void mio_forget(struct mio *io, const struct mrelay *r)
{
	size_t i;

	if (!io)
		return;
	for (i = 0; i < MIO_RX_MAX; i++)
		if (io->rxv[i].r == r)
			io->rxv[i].r = NULL;
}

void mio_stats_get(const struct mio *io, struct mio_stats *st)
{
	if (io)
		*st = io->st;
	else
		memset(st, 0, sizeof(*st));
}
