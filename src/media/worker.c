/* worker.c: one media worker thread: its own libuv loop, the UDP sockets
 * of the sessions it owns (watched with uv_poll; read and written through
 * io_uring in one batch per loop iteration, mio.c, or else with recvmmsg
 * and sendto), and a command queue fed by the signalling thread through a
 * mutex and a uv_async. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "codec/xcode.h"
#include "media/media_int.h"

static void relay_send(struct mrelay *r, int leg, bool rtcp, const uint8_t *buf,
		       size_t len, const struct sa *dst)
{
	struct mrelay_leg *l = &r->leg[leg];
	int fd = (rtcp && !l->p.rtcp_mux && l->open[1]) ? l->sockv[1]
							: l->sockv[0];

	if (!l->open[0] || fd < 0)
		return;
	/* Queued for this loop iteration's batch, or one sendto() straight
	 * from the worker (no libuv send queue); a full socket buffer drops
	 * the packet, as the network would. */
	if (mio_send(r->w->io, fd, buf, len, dst))
		return;
	(void)sendto(fd, buf, len, MSG_DONTWAIT, sa_sockaddr(dst), sa_len(dst));
}

static void relay_event(struct mrelay *r, int leg, enum media_event ev,
			const char *reason)
{
	media_engine_event_post(r->w->me, r->arg, leg, ev, reason);
}

/* The socket that is readable: one read queued for the iteration's batch
 * (mio.c), or else one recvmmsg() of up to MEDIA_RX_BATCH datagrams; no
 * read until EAGAIN (the poll is level-triggered: what is left is
 * reported on the next loop iteration). The clock is the loop's, read
 * once per iteration. */
static void poll_cb(uv_poll_t *h, int status, int events)
{
	struct mrelay *r = h->data;
	struct mworker *w = r->w;
	uint64_t now = uv_now(&w->loop);
	int leg, k, n, i;

	leg = (h == &r->leg[1].pollv[0] || h == &r->leg[1].pollv[1]) ? 1 : 0;
	k = (h == &r->leg[leg].pollv[1]) ? 1 : 0;
	if (status < 0) {
		/* libuv stops a poll on POLLERR (a pending socket error,
		 * e.g. ICMP on a socket with IP_RECVERR): read the error
		 * and watch on, a stray ICMP must not deafen the leg. */
		int e = 0;
		socklen_t el = sizeof(e);

		(void)getsockopt(r->leg[leg].sockv[k], SOL_SOCKET, SO_ERROR,
				 &e, &el);
		(void)uv_poll_start(h, UV_READABLE, poll_cb);
		return;
	}
	if (!(events & UV_READABLE))
		return;
	if (mio_recv(w->io, r, leg, k, r->leg[leg].sockv[k]))
		return;
	for (i = 0; i < MEDIA_RX_BATCH; i++) {
		/* Room is left behind the datagram for an SRTP tag. */
		w->rxiov[i].iov_base = w->rxbuf[i];
		w->rxiov[i].iov_len = MEDIA_PKT_MAX;
		memset(&w->rxmsg[i], 0, sizeof(w->rxmsg[i]));
		w->rxmsg[i].msg_hdr.msg_name = &w->rxsrc[i];
		w->rxmsg[i].msg_hdr.msg_namelen = sizeof(w->rxsrc[i]);
		w->rxmsg[i].msg_hdr.msg_iov = &w->rxiov[i];
		w->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(r->leg[leg].sockv[k], w->rxmsg, MEDIA_RX_BATCH,
		     MSG_DONTWAIT, NULL);
	for (i = 0; i < n; i++) {
		struct msghdr *m = &w->rxmsg[i].msg_hdr;
		struct sa src;

		if (!w->rxmsg[i].msg_len || (m->msg_flags & MSG_TRUNC))
			continue;
		if (sa_set_sockaddr(&src, (struct sockaddr *)&w->rxsrc[i]))
			continue;
		sa_unmap(&src, &src);
		mrelay_input(r, leg, k == 1, w->rxbuf[i], w->rxmsg[i].msg_len,
			     sizeof(w->rxbuf[i]), &src, now);
	}
}

/* The batch goes out: before the loop waits (what timers and commands
 * sent) and after the sockets' callbacks (the reads they queued, then
 * the packets those reads make). */
static void io_prep_cb(uv_prepare_t *h)
{
	struct mworker *w = h->data;

	mio_flush(w->io, uv_now(&w->loop));
}

static void io_check_cb(uv_check_t *h)
{
	struct mworker *w = h->data;

	mio_flush(w->io, uv_now(&w->loop));
}

static void tick_cb(uv_timer_t *t)
{
	struct mrelay *r = t->data;

	mrelay_tick(r, uv_now(&r->w->loop));
	if (r->tick_period && !mdtmf_busy(r)) { /* back to the usual pace */
		uv_timer_start(&r->tick, tick_cb, r->tick_period,
			       r->tick_period);
		r->tick_period = 0;
	}
}

/* Watches fd for reading; the worker owns fd from here on (closed with
 * the relay even when watching fails). */
static int sock_open(struct mrelay *r, struct mrelay_leg *l, int k, int fd)
{
	int err;

	l->sockv[k] = fd;
	err = net_uv_err(uv_poll_init(&r->w->loop, &l->pollv[k], fd));
	if (err)
		return err;
	l->open[k] = true;
	l->pollv[k].data = r;
	return net_uv_err(uv_poll_start(&l->pollv[k], UV_READABLE, poll_cb));
}

static void relay_open(struct mworker *w, struct mrelay *r)
{
	uint64_t period;
	int i, k;

	r->w = w;
	r->sendh = relay_send;
	r->eventh = relay_event;
	list_append(&w->relays, &r->le, r);
	for (i = 0; i < 2; i++) {
		struct mrelay_leg *l = &r->leg[i];

		for (k = 0; k < 2; k++) {
			if (l->fdv[k] < 0)
				continue;
			if (sock_open(r, l, k, l->fdv[k]))
				log_warn("media", "socket on port %u failed",
					 l->port);
			l->fdv[k] = -1;
		}
	}
	period = r->no_media_ms ? r->no_media_ms / 4 : MEDIA_TICK_MAX_MS;
	period = SC_MAX(SC_MIN(period, MEDIA_TICK_MAX_MS), MEDIA_TICK_MIN_MS);
	uv_timer_init(&w->loop, &r->tick);
	r->tick.data = r;
	uv_timer_start(&r->tick, tick_cb, period, period);
}

/* Closes the sockets of leg l (its handles are closed): how many. */
static size_t leg_socks_close(struct mrelay_leg *l)
{
	size_t n = 0;
	int k;

	for (k = 0; k < 2; k++) {
		if (l->sockv[k] < 0)
			continue;
		close(l->sockv[k]);
		l->sockv[k] = -1;
		n++;
	}
	return n;
}

static void handle_closed(uv_handle_t *h)
{
	struct mrelay *r = h->data;
	size_t n0, n1;

	if (--r->closing > 0)
		return;
	/* Every handle is closed: close the sockets, give the ports back
	 * and wake the closer. */
	n0 = leg_socks_close(&r->leg[0]);
	n1 = leg_socks_close(&r->leg[1]);
	mport_release(&r->w->me->ports, r->leg[0].port, n0);
	mport_release(&r->w->me->ports, r->leg[1].port, n1);
	if (!r->done_lock)
		return; /* closed by the engine stopping: nobody waits */
	uv_mutex_lock(r->done_lock);
	*r->done = true;
	uv_cond_signal(r->done_cond);
	uv_mutex_unlock(r->done_lock);
}

static void relay_close(struct mrelay *r)
{
	int i, k;

	list_unlink(&r->le);
	mio_forget(r->w->io, r);
	r->closing = 1;
	r->tick.data = r;
	uv_close((uv_handle_t *)&r->tick, handle_closed);
	for (i = 0; i < 2; i++) {
		for (k = 0; k < 2; k++) {
			uv_poll_t *h = &r->leg[i].pollv[k];

			if (!r->leg[i].open[k])
				continue;
			h->data = r;
			r->closing++;
			uv_close((uv_handle_t *)h, handle_closed);
		}
	}
}

static void async_cb(uv_async_t *h)
{
	struct mworker *w = h->data;
	struct le *le;

	for (;;) {
		struct mcmd *c;

		uv_mutex_lock(&w->lock);
		le = w->cmdq.head;
		if (le)
			list_unlink(le);
		uv_mutex_unlock(&w->lock);
		if (!le)
			break;
		c = le->data;
		switch (c->type) {
		case MCMD_ADD:
			relay_open(w, c->r);
			break;
		case MCMD_PARAMS:
			mrelay_set_params(c->r, c->leg, &c->p);
			break;
		case MCMD_CLOSE:
			relay_close(c->r);
			break;
		case MCMD_DTMF:
			mdtmf_start(c->r, c->leg, c->dtmf_code, c->dtmf_ms,
				    uv_now(&w->loop));
			if (!c->r->tick_period && mdtmf_busy(c->r)) {
				c->r->tick_period =
				    uv_timer_get_repeat(&c->r->tick);
				uv_timer_start(&c->r->tick, tick_cb, 0, 20);
			}
			break;
		case MCMD_STOP:
			while (w->relays.head)
				relay_close(w->relays.head->data);
			uv_close((uv_handle_t *)&w->load_tmr, NULL);
			uv_close((uv_handle_t *)&w->async, NULL);
			if (w->io) {
				mio_flush(w->io, uv_now(&w->loop));
				uv_close((uv_handle_t *)&w->io_prep, NULL);
				uv_close((uv_handle_t *)&w->io_check, NULL);
			}
			break;
		}
		mem_deref(c);
	}
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Every MLOAD_PERIOD_MS: the share of a core this worker's thread used
 * (its CPU time over wall time: other processes' load does not count)
 * sets its transcoders' Opus complexity. */
static void load_cb(uv_timer_t *t)
{
	struct mworker *w = t->data;
	uint64_t cpu = thread_cpu_ns(), wall = uv_hrtime();
	unsigned busy;
	int c;

	busy = mload_busy_pct(cpu - w->load_cpu_ns, wall - w->load_wall_ns);
	w->load_cpu_ns = cpu;
	w->load_wall_ns = wall;
	c = mload_update(&w->ml, busy);
	if (c != w->opus_complexity)
		log_info("media", "worker busy %u%%: Opus complexity %d -> %d",
			 busy, w->opus_complexity, c);
	w->opus_complexity = c;
	atomic_store_explicit(&w->opus_complexity_st, c, memory_order_relaxed);
}

static void worker_main(void *arg)
{
	struct mworker *w = arg;

	w->load_cpu_ns = thread_cpu_ns();
	w->load_wall_ns = uv_hrtime();
	uv_timer_start(&w->load_tmr, load_cb, MLOAD_PERIOD_MS, MLOAD_PERIOD_MS);
	if (w->io) {
		uv_prepare_start(&w->io_prep, io_prep_cb);
		uv_check_start(&w->io_check, io_check_cb);
	}
	uv_run(&w->loop, UV_RUN_DEFAULT);
}

/* The io_uring batches, unless configured off or unavailable (then a
 * system call per datagram, as before). */
static void io_open(struct mworker *w)
{
	int err;

	if (w->me->conf.plain_io)
		return;
	err = mio_alloc(&w->io, mrelay_input);
	if (err) {
		log_info("media", "io_uring unavailable (%s): a system call "
				  "per datagram",
			 strerror(err));
		return;
	}
	uv_prepare_init(&w->loop, &w->io_prep);
	uv_check_init(&w->loop, &w->io_check);
	w->io_prep.data = w;
	w->io_check.data = w;
}

static void io_close(struct mworker *w)
{
	if (!w->io)
		return;
	uv_close((uv_handle_t *)&w->io_prep, NULL);
	uv_close((uv_handle_t *)&w->io_check, NULL);
}

int mworker_start(struct mworker *w, struct media_engine *me)
{
	int err;

	memset(w, 0, sizeof(*w));
	w->me = me;
	list_init(&w->cmdq);
	list_init(&w->relays);
	err = net_uv_err(uv_loop_init(&w->loop));
	if (err)
		goto out;
	err = net_uv_err(uv_async_init(&w->loop, &w->async, async_cb));
	if (err) {
		uv_loop_close(&w->loop);
		goto out;
	}
	w->async.data = w;
	uv_timer_init(&w->loop, &w->load_tmr);
	w->load_tmr.data = w;
	io_open(w);
	mload_init(&w->ml, XCODE_COMPLEXITY_DEFAULT);
	w->opus_complexity = mload_complexity(&w->ml);
	atomic_init(&w->opus_complexity_st, w->opus_complexity);
	uv_mutex_init(&w->lock);
	err = net_uv_err(uv_thread_create(&w->thr, worker_main, w));
	if (err) {
		uv_close((uv_handle_t *)&w->load_tmr, NULL);
		uv_close((uv_handle_t *)&w->async, NULL);
		io_close(w);
		uv_run(&w->loop, UV_RUN_NOWAIT);
		uv_loop_close(&w->loop);
		uv_mutex_destroy(&w->lock);
		w->io = mem_deref(w->io);
		goto out;
	}
	w->started = true;
out:
	return err;
}

void mworker_post(struct mworker *w, struct mcmd *cmd)
{
	uv_mutex_lock(&w->lock);
	list_append(&w->cmdq, &cmd->le, cmd);
	uv_mutex_unlock(&w->lock);
	uv_async_send(&w->async);
}

void mworker_stop(struct mworker *w)
{
	struct mcmd *c;

	if (!w->started)
		return;
	c = mem_zalloc(sizeof(*c), NULL);
	if (c) {
		c->type = MCMD_STOP;
		mworker_post(w, c);
	}
	uv_thread_join(&w->thr);
	uv_loop_close(&w->loop);
	w->io = mem_deref(w->io);
	uv_mutex_lock(&w->lock);
	list_flush(&w->cmdq);
	uv_mutex_unlock(&w->lock);
	uv_mutex_destroy(&w->lock);
	w->started = false;
}

void mworker_close_sync(struct mworker *w, struct mrelay *r)
{
	uv_mutex_t lock;
	uv_cond_t cond;
	bool done = false;
	struct mcmd *c = mem_zalloc(sizeof(*c), NULL);

	if (!c)
		return; /* the worker closes it when it stops */
	uv_mutex_init(&lock);
	uv_cond_init(&cond);
	r->done_lock = &lock;
	r->done_cond = &cond;
	r->done = &done;
	c->type = MCMD_CLOSE;
	c->r = r;
	mworker_post(w, c);
	uv_mutex_lock(&lock);
	while (!done)
		uv_cond_wait(&cond, &lock);
	uv_mutex_unlock(&lock);
	uv_cond_destroy(&cond);
	uv_mutex_destroy(&lock);
}
