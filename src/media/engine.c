/* engine.c: the media relay engine: worker threads, the port pool, and
 * events carried from the workers to the signalling loop (uv_async). */
#include <errno.h>
#include <string.h>

#include "media/media_int.h"
#include "tls/dtls.h"

/* An event on its way from a worker to the signalling loop. */
struct mevent {
	struct le le;
	void *sess;
	int leg;
	enum media_event ev;
	char reason[64];
};

static void ev_async_cb(uv_async_t *h)
{
	struct media_engine *me = h->data;
	struct le *le;

	/* One at a time, outside the lock, so that a handler may close a
	 * session (which flushes its queued events) or the engine. */
	while (me) {
		struct mevent *e;

		uv_mutex_lock(&me->evlock);
		le = me->evq.head;
		if (le)
			list_unlink(le);
		uv_mutex_unlock(&me->evlock);
		if (!le)
			break;
		e = le->data;
		media_engine_session_deliver(e->sess, e->leg, e->ev, e->reason);
		mem_deref(e);
		me = h->data; /* cleared when the engine closed */
	}
}

static void async_close_cb(uv_handle_t *h)
{
	mem_deref(h);
}

void media_engine_event_post(struct media_engine *me, void *sess, int leg,
			     enum media_event ev, const char *reason)
{
	struct mevent *e = mem_zalloc(sizeof(*e), NULL);

	if (!e)
		return;
	e->sess = sess;
	e->leg = leg;
	e->ev = ev;
	if (reason)
		snprintf(e->reason, sizeof(e->reason), "%s", reason);
	uv_mutex_lock(&me->evlock);
	list_append(&me->evq, &e->le, e);
	uv_mutex_unlock(&me->evlock);
	uv_async_send(me->evasync);
}

void media_engine_event_flush(struct media_engine *me, void *sess)
{
	struct le *le, *next;

	uv_mutex_lock(&me->evlock);
	for (le = me->evq.head; le; le = next) {
		struct mevent *e = le->data;

		next = le->next;
		if (e->sess == sess) {
			list_unlink(le);
			mem_deref(e);
		}
	}
	uv_mutex_unlock(&me->evlock);
}

static void engine_destructor(void *arg)
{
	struct media_engine *me = arg;

	media_engine_close(me);
	mport_pool_destroy(&me->ports);
	mem_deref(me->workerv);
	mem_deref(me->dtls);
	mem_deref(me->scratch);
}

static unsigned cores(void)
{
	unsigned n = uv_available_parallelism();

	return n ? n : 1;
}

int media_engine_alloc(struct media_engine **mep, uv_loop_t *loop,
		       const struct media_engine_conf *conf)
{
	struct media_engine *me = NULL;
	unsigned i;
	int err;

	if (!mep || !loop || !conf || !sa_isset(&conf->bind))
		return EINVAL;
	/* An SDP with c=0.0.0.0 means hold (RFC 3264 8.4): a wildcard bind
	 * needs an advertised address. */
	if (sa_is_any(&conf->bind) &&
	    (!sa_isset(&conf->advertise) || sa_is_any(&conf->advertise)))
		return EINVAL;
	me = mem_zalloc(sizeof(*me), engine_destructor);
	if (!me)
		return ENOMEM;
	me->closed = true; /* until everything below is up */
	me->loop = loop;
	me->conf = *conf;
	if (!sa_isset(&me->conf.advertise) || sa_is_any(&me->conf.advertise))
		me->conf.advertise = conf->bind;
	/* The certificate every WebRTC leg shows (ECDSA P-256). */
	err = dtls_ctx_alloc(&me->dtls);
	if (err)
		goto out;
	snprintf(me->fp, sizeof(me->fp), "%s", dtls_ctx_fingerprint(me->dtls));
	err = mport_pool_init(&me->ports, conf->port_min, conf->port_max);
	if (err)
		goto out;
	me->workerc = conf->workers ? conf->workers : cores();
	if (me->workerc > MEDIA_WORKERS_MAX)
		me->workerc = MEDIA_WORKERS_MAX;
	me->workerv = mem_zalloc(me->workerc * sizeof(*me->workerv), NULL);
	if (!me->workerv) {
		err = ENOMEM;
		goto out;
	}
	if (uv_mutex_init(&me->evlock)) {
		err = ENOMEM;
		goto out;
	}
	me->evasync = mem_zalloc(sizeof(*me->evasync), NULL);
	err = me->evasync
		  ? net_uv_err(uv_async_init(loop, me->evasync, ev_async_cb))
		  : ENOMEM;
	if (err) {
		me->evasync = mem_deref(me->evasync);
		uv_mutex_destroy(&me->evlock);
		goto out;
	}
	me->evasync->data = me;
	me->closed = false;
	for (i = 0; i < me->workerc; i++) {
		err = mworker_start(&me->workerv[i], me);
		if (err)
			goto out;
	}
out:
	if (err)
		mem_deref(me);
	else
		*mep = me;
	return err;
}

void media_engine_close(struct media_engine *me)
{
	unsigned i;

	if (!me || me->closed)
		return;
	me->closed = true;
	for (i = 0; i < me->workerc; i++)
		mworker_stop(&me->workerv[i]);
	uv_mutex_lock(&me->evlock);
	list_flush(&me->evq);
	uv_mutex_unlock(&me->evlock);
	/* The handle outlives me until libuv is done with it. */
	me->evasync->data = NULL;
	uv_close((uv_handle_t *)me->evasync, async_close_cb);
	me->evasync = NULL;
	uv_mutex_destroy(&me->evlock);
}

const char *media_engine_fingerprint(const struct media_engine *me)
{
	return me ? me->fp : NULL;
}

size_t media_engine_ports_used(const struct media_engine *me)
{
	return me ? mport_used((struct mport_pool *)&me->ports) : 0;
}

size_t media_engine_sessions(const struct media_engine *me)
{
	return me ? atomic_load(&me->sessions) : 0;
}

struct mworker *media_engine_pick_worker(struct media_engine *me)
{
	struct mworker *best = &me->workerv[me->rr % me->workerc];
	unsigned i;

	/* Least loaded, round robin among equals. */
	for (i = 0; i < me->workerc; i++) {
		struct mworker *w = &me->workerv[(me->rr + i) % me->workerc];

		if (atomic_load(&w->load) < atomic_load(&best->load))
			best = w;
	}
	me->rr++;
	return best;
}

uint32_t media_codec_rate(enum media_codec c)
{
	return c == MEDIA_CODEC_OPUS ? 48000 : 8000;
}

const char *media_codec_name(enum media_codec c)
{
	switch (c) {
	case MEDIA_CODEC_OPUS:
		return "opus";
	case MEDIA_CODEC_PCMU:
		return "PCMU";
	case MEDIA_CODEC_PCMA:
		return "PCMA";
	default:
		return "?";
	}
}

const char *media_kind_name(enum media_kind k)
{
	switch (k) {
	case MEDIA_RTP:
		return "rtp";
	case MEDIA_SRTP:
		return "srtp";
	case MEDIA_WEBRTC:
		return "webrtc";
	case MEDIA_ECHO:
		return "echo";
	default:
		return "?";
	}
}

int media_kind_decode(enum media_kind *kp, const struct pl *name)
{
	static const enum media_kind kv[] = {MEDIA_RTP, MEDIA_SRTP,
					     MEDIA_WEBRTC, MEDIA_ECHO};
	size_t i;

	if (!kp || !name)
		return EINVAL;
	for (i = 0; i < SC_ARRAY_SIZE(kv); i++) {
		if (!pl_strcasecmp(name, media_kind_name(kv[i]))) {
			*kp = kv[i];
			return 0;
		}
	}
	return ENOENT;
}

int media_codec_decode(enum media_codec *cp, const struct pl *name)
{
	static const enum media_codec cv[] = {
	    MEDIA_CODEC_OPUS, MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA};
	size_t i;

	if (!cp || !name)
		return EINVAL;
	for (i = 0; i < SC_ARRAY_SIZE(cv); i++) {
		if (!pl_strcasecmp(name, media_codec_name(cv[i]))) {
			*cp = cv[i];
			return 0;
		}
	}
	return ENOENT;
}
