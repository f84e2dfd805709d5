/* tmr.c: one-shot timers in a binary min-heap on an owner-driven clock. */
#include <errno.h>

#include "core.h"

struct tmrl {
	struct tmr **heap;
	size_t n;
	size_t cap;
	uint64_t now;
};

static void tmrl_destroy(void *data)
{
	struct tmrl *tl = data;
	size_t i;

	/* Timers still running belong to objects that outlive nothing now. */
	for (i = 0; i < tl->n; i++)
		tl->heap[i]->tl = NULL;
	mem_deref(tl->heap);
}

int tmrl_alloc(struct tmrl **tlp, uint64_t now_ms)
{
	struct tmrl *tl = mem_zalloc(sizeof(*tl), tmrl_destroy);

	if (!tl)
		return ENOMEM;
	tl->now = now_ms;
	*tlp = tl;
	return 0;
}

uint64_t tmrl_now(const struct tmrl *tl)
{
	return tl->now;
}

size_t tmrl_count(const struct tmrl *tl)
{
	return tl->n;
}

static bool earlier(const struct tmr *a, const struct tmr *b)
{
	return a->when < b->when;
}

static void place(struct tmrl *tl, size_t i, struct tmr *t)
{
	tl->heap[i] = t;
	t->idx = i;
}

static void sift_up(struct tmrl *tl, size_t i)
{
	struct tmr *t = tl->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!earlier(t, tl->heap[parent]))
			break;
		place(tl, i, tl->heap[parent]);
		i = parent;
	}
	place(tl, i, t);
}

static void sift_down(struct tmrl *tl, size_t i)
{
	struct tmr *t = tl->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= tl->n)
			break;
		if (c + 1 < tl->n && earlier(tl->heap[c + 1], tl->heap[c]))
			c++;
		if (!earlier(tl->heap[c], t))
			break;
		place(tl, i, tl->heap[c]);
		i = c;
	}
	place(tl, i, t);
}

void tmr_init(struct tmr *tmr)
{
	tmr->tl = NULL;
	tmr->when = 0;
	tmr->idx = 0;
	tmr->th = NULL;
	tmr->arg = NULL;
}

void tmr_cancel(struct tmr *tmr)
{
	struct tmrl *tl = tmr->tl;
	size_t i = tmr->idx;
	struct tmr *last;

	if (!tl)
		return;
	tmr->tl = NULL;
	last = tl->heap[--tl->n];
	if (i == tl->n)
		return;
	place(tl, i, last);
	sift_down(tl, i);
	sift_up(tl, last->idx);
}

/* Restarts the timer if it was running. Returns ENOMEM, EINVAL or 0. */
int tmr_start(struct tmr *tmr, struct tmrl *tl, uint64_t delay_ms, tmr_h *th,
	      void *arg)
{
	if (!tmr || !tl || !th)
		return EINVAL;
	tmr_cancel(tmr);
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 64;
		struct tmr **h = mem_realloc(tl->heap, cap * sizeof(*h));

		if (!h)
			return ENOMEM;
		tl->heap = h;
		tl->cap = cap;
	}
	tmr->tl = tl;
	tmr->when = tl->now + delay_ms;
	tmr->th = th;
	tmr->arg = arg;
	tl->heap[tl->n] = tmr;
	tmr->idx = tl->n++;
	sift_up(tl, tmr->idx);
	return 0;
}

/*
 * Advances the clock and runs each expired timer once. A handler may start
 * or cancel any timer, including its own.
 */
void tmrl_poll(struct tmrl *tl, uint64_t now_ms)
{
	if (now_ms > tl->now)
		tl->now = now_ms;
	while (tl->n && tl->heap[0]->when <= tl->now) {
		struct tmr *t = tl->heap[0];

		tmr_cancel(t);
		t->th(t->arg);
	}
}

uint64_t tmrl_next(const struct tmrl *tl)
{
	if (!tl->n)
		return UINT64_MAX;
	return tl->heap[0]->when > tl->now ? tl->heap[0]->when - tl->now : 0;
}
