/* timers.c: the libuv loop drives the core timer list (struct tmrl). */
#include <errno.h>

#include "net/net.h"

struct net_timers {
	uv_loop_t *loop;
	struct tmrl *tl;
	uv_prepare_t prepare;
	uv_timer_t timer;
	bool closed;
};

uint64_t net_now_ms(uv_loop_t *loop)
{
	return uv_now(loop);
}

static void on_timer(uv_timer_t *handle)
{
	struct net_timers *nt = handle->data;

	tmrl_poll(nt->tl, uv_now(nt->loop));
}

/* Runs before libuv blocks for I/O: timers started since the last poll are
 * accounted for here, so the loop never sleeps past a due timer. Handlers
 * run only from on_timer, never from here. */
static void on_prepare(uv_prepare_t *handle)
{
	struct net_timers *nt = handle->data;
	uint64_t next = tmrl_next(nt->tl), now = uv_now(nt->loop);
	uint64_t behind = now > tmrl_now(nt->tl) ? now - tmrl_now(nt->tl) : 0;

	if (next == UINT64_MAX) {
		uv_timer_stop(&nt->timer);
		return;
	}
	/* tmrl_next() counts from the list's clock, which may lag uv_now */
	uv_timer_start(&nt->timer, on_timer, next > behind ? next - behind : 0,
	               0);
}

static void on_close(uv_handle_t *handle)
{
	mem_deref(handle->data);
}

/* Each open handle holds one reference on nt until its close callback. */
int net_timers_alloc(struct net_timers **ntp, uv_loop_t *loop, struct tmrl *tl)
{
	struct net_timers *nt;

	if (!ntp || !loop || !tl)
		return EINVAL;
	nt = mem_zalloc(sizeof(*nt), NULL);
	if (!nt)
		return ENOMEM;
	nt->loop = loop;
	nt->tl = tl;
	uv_prepare_init(loop, &nt->prepare);
	uv_timer_init(loop, &nt->timer);
	nt->prepare.data = mem_ref(nt);
	nt->timer.data = mem_ref(nt);
	/* Like a listening socket, an open net_timers keeps uv_run() going
	 * until net_timers_close(). */
	uv_prepare_start(&nt->prepare, on_prepare);
	*ntp = nt;
	return 0;
}

void net_timers_close(struct net_timers *nt)
{
	if (!nt || nt->closed)
		return;
	nt->closed = true;
	uv_prepare_stop(&nt->prepare);
	uv_timer_stop(&nt->timer);
	uv_close((uv_handle_t *)&nt->prepare, on_close);
	uv_close((uv_handle_t *)&nt->timer, on_close);
}
