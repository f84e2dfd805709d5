/* ws_engine.c: wsload's event loop: one epoll set over all connections, the
 * ramp (bounded handshakes in flight), timeouts and the run phases. */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "ws_conn.h"

#define ENGINE_EVENTS 256u    /* epoll events taken per wait */
#define ENGINE_TICK_US 20000u /* how often timeouts and the ramp run */

static void engine_destroy(void *data)
{
	struct wsload_engine *e = data;

	mem_deref(e->conns);
	mem_deref(e->devs);
	if (e->ssl_ctx)
		SSL_CTX_free(e->ssl_ctx);
	if (e->epfd >= 0)
		close(e->epfd);
}

static int engine_tls(struct wsload_engine *e)
{
	const struct wsload_cfg *cfg = e->cfg;

	e->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (!e->ssl_ctx)
		return ENOMEM;
	SSL_CTX_set_min_proto_version(e->ssl_ctx, TLS1_2_VERSION);
	/* Partial writes and a moving buffer: conn_flush() shifts c->out. */
	SSL_CTX_set_mode(e->ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                                 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (cfg->insecure) {
		SSL_CTX_set_verify(e->ssl_ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(e->ssl_ctx, SSL_VERIFY_PEER, NULL);
	if (cfg->cafile)
		return SSL_CTX_load_verify_locations(e->ssl_ctx, cfg->cafile,
		                                     NULL) == 1
		           ? 0
		           : ENOENT;
	return SSL_CTX_set_default_verify_paths(e->ssl_ctx) == 1 ? 0 : ENOENT;
}

int wsload_engine_alloc(struct wsload_engine **ep, const struct wsload_cfg *cfg,
                        size_t n)
{
	struct wsload_engine *e;
	int err = 0;

	if (!ep || !cfg || !n || !cfg->pipeline ||
	    cfg->pipeline > WSLOAD_MAX_PIPELINE)
		return EINVAL;
	if (cfg->mode == WSLOAD_MODE_REGISTER &&
	    (!cfg->creds || !cfg->ncreds || cfg->pipeline != 1))
		return EINVAL;
	if (n > WSLOAD_MAX_CONNS || cfg->ncreds > WSLOAD_MAX_DEVICES)
		return EOVERFLOW;
	e = mem_zalloc(sizeof(*e), engine_destroy);
	if (!e)
		return ENOMEM;
	e->epfd = -1;
	e->cfg = cfg;
	e->n = n;
	e->phase = WSLOAD_RAMP;
	e->conns = mem_zalloc(n * sizeof(*e->conns), NULL);
	if (!e->conns) {
		err = ENOMEM;
		goto out;
	}
	if (cfg->mode == WSLOAD_MODE_REGISTER) {
		e->devs = mem_zalloc(cfg->ncreds * sizeof(*e->devs), NULL);
		if (!e->devs) {
			err = ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++)
		wsload_conn_init(&e->conns[i], e, (uint32_t)i);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0) {
		err = errno;
		goto out;
	}
	if (cfg->tls)
		err = engine_tls(e);
	e->now = wsload_now_us();
out:
	if (err)
		mem_deref(e);
	else
		*ep = e;
	return err;
}

static void engine_tick(struct wsload_engine *e)
{
	for (size_t i = 0; i < e->n; i++) {
		struct wsload_conn *c = &e->conns[i];
		int err = wsload_conn_tick(c);

		if (err)
			wsload_conn_reset(c, c->st != CONN_OPEN);
	}
	e->next_tick = e->now + ENGINE_TICK_US;
}

int wsload_engine_poll(struct wsload_engine *e, int timeout_ms)
{
	struct epoll_event ev[ENGINE_EVENTS];
	int n;

	if (!e)
		return EINVAL;
	n = epoll_wait(e->epfd, ev, ENGINE_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : errno;
	e->now = wsload_now_us();
	for (int i = 0; i < n; i++) {
		struct wsload_conn *c = ev[i].data.ptr;
		int err;

		if (c->st == CONN_IDLE)
			continue; /* reset earlier in this batch */
		err = wsload_conn_event(c, ev[i].events);
		if (err)
			wsload_conn_reset(c, c->st != CONN_OPEN);
	}
	if (e->now >= e->next_tick)
		engine_tick(e);
	return 0;
}

void wsload_engine_phase(struct wsload_engine *e, enum wsload_phase ph)
{
	e->phase = ph;
	e->now = wsload_now_us();
	engine_tick(e); /* RUN: every open connection fills its pipeline */
}

size_t wsload_engine_open(const struct wsload_engine *e)
{
	return e->open;
}

size_t wsload_engine_outstanding(const struct wsload_engine *e)
{
	return e->outstanding;
}

const struct wsload_stats *wsload_engine_stats(const struct wsload_engine *e)
{
	return &e->stats;
}

void wsload_engine_close(struct wsload_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		if (e->conns[i].st != CONN_IDLE)
			wsload_conn_reset(&e->conns[i], false);
		e->conns[i].deadline = UINT64_MAX;
	}
}
