/* worker.c: one media worker thread: its own libuv loop, the UDP sockets
 * of the sessions it owns, and a command queue fed by the signalling
 * thread through a mutex and a uv_async. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "media/media_int.h"

static void relay_send(struct mrelay *r, int leg, bool rtcp, const uint8_t *buf,
		       size_t len, const struct sa *dst)
{
	struct mrelay_leg *l = &r->leg[leg];
	uv_udp_t *h =
	    (rtcp && !l->p.rtcp_mux && l->open[1]) ? &l->rtcp : &l->rtp;
	uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);

	if (!l->open[0])
		return;
	/* A full socket buffer drops the packet, as the network would. */
	(void)uv_udp_try_send(h, &b, 1, sa_sockaddr(dst));
}

static void relay_event(struct mrelay *r, int leg, enum media_event ev,
			const char *reason)
{
	media_engine_event_post(r->w->me, r->arg, leg, ev, reason);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct mrelay *r = h->data;

	(void)hint;
	/* Room is left behind the datagram for an SRTP tag. */
	*buf = uv_buf_init((char *)r->w->rxbuf, MEDIA_PKT_MAX);
}

static void recv_cb(uv_udp_t *h, ssize_t n, const uv_buf_t *buf,
		    const struct sockaddr *addr, unsigned flags)
{
	struct mrelay *r = h->data;
	struct sa src;
	int leg;
	bool rtcp;

	if (n <= 0 || !addr || (flags & UV_UDP_PARTIAL))
		return;
	if (sa_set_sockaddr(&src, addr))
		return;
	sa_unmap(&src, &src);
	leg = (h == &r->leg[1].rtp || h == &r->leg[1].rtcp) ? 1 : 0;
	rtcp = (h == &r->leg[leg].rtcp);
	mrelay_input(r, leg, rtcp, (uint8_t *)buf->base, (size_t)n,
		     sizeof(r->w->rxbuf), &src, uv_now(&r->w->loop));
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

static int sock_open(struct mrelay *r, uv_udp_t *h, int fd)
{
	int err;

	err = net_uv_err(uv_udp_init(&r->w->loop, h));
	if (err) {
		close(fd);
		return err;
	}
	h->data = r;
	err = net_uv_err(uv_udp_open(h, fd));
	if (!err)
		err = net_uv_err(uv_udp_recv_start(h, alloc_cb, recv_cb));
	return err;
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
		uv_udp_t *hv[2] = {&l->rtp, &l->rtcp};

		for (k = 0; k < 2; k++) {
			if (l->fdv[k] < 0)
				continue;
			/* Even on error the handle was initialised (or the
			 * fd closed): it is closed with the rest. */
			l->open[k] = true;
			if (sock_open(r, hv[k], l->fdv[k]))
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

static void handle_closed(uv_handle_t *h)
{
	struct mrelay *r = h->data;

	if (--r->closing > 0)
		return;
	/* Every socket is closed: give the ports back and wake the closer. */
	mport_release(&r->w->me->ports, r->leg[0].port,
		      (size_t)r->leg[0].open[0] + r->leg[0].open[1]);
	mport_release(&r->w->me->ports, r->leg[1].port,
		      (size_t)r->leg[1].open[0] + r->leg[1].open[1]);
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
	r->closing = 1;
	r->tick.data = r;
	uv_close((uv_handle_t *)&r->tick, handle_closed);
	for (i = 0; i < 2; i++) {
		uv_udp_t *hv[2] = {&r->leg[i].rtp, &r->leg[i].rtcp};

		for (k = 0; k < 2; k++) {
			if (!r->leg[i].open[k])
				continue;
			hv[k]->data = r;
			r->closing++;
			uv_close((uv_handle_t *)hv[k], handle_closed);
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
			uv_close((uv_handle_t *)&w->async, NULL);
			break;
		}
		mem_deref(c);
	}
}

static void worker_main(void *arg)
{
	struct mworker *w = arg;

	uv_run(&w->loop, UV_RUN_DEFAULT);
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
	uv_mutex_init(&w->lock);
	err = net_uv_err(uv_thread_create(&w->thr, worker_main, w));
	if (err) {
		uv_close((uv_handle_t *)&w->async, NULL);
		uv_run(&w->loop, UV_RUN_NOWAIT);
		uv_loop_close(&w->loop);
		uv_mutex_destroy(&w->lock);
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
