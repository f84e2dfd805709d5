/* tsx_client.c: INVITE and non-INVITE client transactions (RFC 3261 §17.1,
 * with the RFC 6026 Accepted state and Timer M), ACK and CANCEL (§9.1). */
#include <errno.h>
#include <string.h>

#include "sip/tsx_int.h"

enum ctx_state {
	CTX_CALLING,    /* INVITE sent, nothing heard (non-INVITE: Trying) */
	CTX_PROCEEDING, /* a 1xx arrived */
	CTX_COMPLETED,  /* a final arrived (INVITE: 3xx-6xx) */
	CTX_ACCEPTED,   /* INVITE: a 2xx arrived (RFC 6026 §8.4) */
	CTX_TERMINATED,
};

struct sip_ctx {
	struct le le;
	struct sip_tsx_layer *layer;
	struct tsx_key key; /* branch + method */
	void *dest;
	bool reliable;
	bool invite;
	enum ctx_state state;
	struct mbuf *req;
	struct tsx_parts *parts; /* INVITE: for ACK and CANCEL */
	struct mbuf *ack;        /* INVITE: the ACK to a non-2xx final */
	bool cancel_pending;     /* INVITE: CANCEL waits for a 1xx */
	bool cancelled;          /* INVITE: CANCEL sent */
	char *cancel_reason;     /* INVITE: Reason of the CANCEL, or NULL */
	struct tmr tmr_rt;       /* Timer A or E */
	struct tmr tmr_end;      /* Timer B, F, D, K, M, or CANCEL wait */
	uint32_t rt_ival;
	sip_ctx_resp_h *resph;
	void *arg;
};

static void ctx_destroy(void *data)
{
	struct sip_ctx *ctx = data;

	tmr_cancel(&ctx->tmr_rt);
	tmr_cancel(&ctx->tmr_end);
	tsx_key_reset(&ctx->key);
	mem_deref(ctx->dest);
	mem_deref(ctx->req);
	mem_deref(ctx->parts);
	mem_deref(ctx->ack);
	mem_deref(ctx->cancel_reason);
}

void tsx_ctx_terminate(struct sip_ctx *ctx)
{
	if (ctx->state == CTX_TERMINATED)
		return;
	ctx->state = CTX_TERMINATED;
	tmr_cancel(&ctx->tmr_rt);
	tmr_cancel(&ctx->tmr_end);
	hash_unlink(&ctx->le);
	ctx->layer->nctx--;
	ctx->dest = mem_deref(ctx->dest);
	ctx->req = mem_deref(ctx->req);
	ctx->parts = mem_deref(ctx->parts);
	ctx->ack = mem_deref(ctx->ack);
	mem_deref(ctx); /* the table's reference */
}

/* Calls the TU; ctx survives the TU dropping it (or closing the layer). */
static void ctx_deliver(struct sip_ctx *ctx, int err, uint16_t scode,
			const struct sip_msg *msg)
{
	sip_ctx_resp_h *resph = ctx->resph;
	void *arg = ctx->arg;

	if (!resph)
		return;
	mem_ref(ctx);
	resph(err, scode, msg, arg);
	mem_deref(ctx);
}

/* Terminates ctx and hands the TU a synthetic final (§8.1.3.1). */
static void ctx_fail(struct sip_ctx *ctx, int err, uint16_t scode)
{
	mem_ref(ctx);
	tsx_ctx_terminate(ctx);
	ctx_deliver(ctx, err, scode, NULL);
	mem_deref(ctx);
}

/* Sends bytes of ctx; a transport error ends it with a 503 (§17.1.4).
 * Returns the error so that callers stop touching the state machine. */
static int ctx_send(struct sip_ctx *ctx, const struct mbuf *mb)
{
	int err = tsx_send(ctx->layer, ctx->dest, mb);

	if (err)
		ctx_fail(ctx, err, 503);
	return err;
}

static void ctx_end_h(void *arg)
{
	struct sip_ctx *ctx = arg;

	/* Timer B or F (or the wait after a CANCEL, §9.1): a 408. */
	if (ctx->state == CTX_CALLING || ctx->state == CTX_PROCEEDING)
		ctx_fail(ctx, ETIMEDOUT, 408);
	else /* Timer D, K or M */
		tsx_ctx_terminate(ctx);
}

static void ctx_end_start(struct sip_ctx *ctx, uint32_t ms)
{
	if (!ms || tmr_start(&ctx->tmr_end, ctx->layer->tl, ms, ctx_end_h, ctx))
		tsx_ctx_terminate(ctx);
}

static void ctx_rt_h(void *arg)
{
	struct sip_ctx *ctx = arg;
	const struct sip_tsx_layer *layer = ctx->layer;

	if (ctx->state != CTX_CALLING &&
	    (ctx->invite || ctx->state != CTX_PROCEEDING))
		return;
	if (ctx_send(ctx, ctx->req))
		return;
	if (ctx->invite) /* Timer A: 2*previous, no cap (§17.1.1.2) */
		ctx->rt_ival *= 2;
	else if (ctx->state == CTX_CALLING) /* Timer E in Trying */
		ctx->rt_ival = SC_MIN(ctx->rt_ival * 2, layer->t2);
	else /* Timer E in Proceeding: T2 (§17.1.2.2) */
		ctx->rt_ival = layer->t2;
	if (tmr_start(&ctx->tmr_rt, layer->tl, ctx->rt_ival, ctx_rt_h, ctx))
		log_warn("sip", "ctx: cannot restart Timer A/E");
}

static bool ctx_cmp(struct le *le, void *arg)
{
	const struct sip_ctx *ctx = le->data;

	return tsx_key_match(&ctx->key, arg);
}

static struct sip_ctx *ctx_find(const struct sip_tsx_layer *layer,
				const struct pl *branch,
				const struct pl *method)
{
	struct tsx_match m;
	struct le *le;

	tsx_match_init(&m, branch, NULL, 0, method);
	le = hash_lookup(layer->ctxh, m.hash, ctx_cmp, &m);
	return le ? le->data : NULL;
}

static int ctx_alloc(struct sip_ctx **ctxp, struct sip_tsx_layer *layer,
		     const struct pl *branch, const struct pl *method,
		     const uint8_t *data, size_t len, bool reliable)
{
	struct sip_ctx *ctx;
	int err;

	if (ctx_find(layer, branch, method))
		return EEXIST;
	if (layer->nctx >= layer->max)
		return EOVERFLOW;
	ctx = mem_zalloc(sizeof(*ctx), ctx_destroy);
	if (!ctx)
		return ENOMEM;
	tmr_init(&ctx->tmr_rt);
	tmr_init(&ctx->tmr_end);
	ctx->layer = layer;
	ctx->reliable = reliable;
	ctx->invite = !pl_strcmp(method, "INVITE");
	ctx->state = CTX_CALLING;
	err = tsx_key_set(&ctx->key, branch, NULL, 0, method);
	err = err ? err : tsx_copy(&ctx->req, data, len);
	if (err)
		mem_deref(ctx);
	else
		*ctxp = ctx;
	return err;
}

/* Links ctx into the table, starts Timers A/E and B/F and sends. */
static int ctx_start(struct sip_ctx *ctx, void *dest)
{
	struct sip_tsx_layer *layer = ctx->layer;
	int err;

	ctx->rt_ival = layer->t1;
	if (!ctx->reliable) {
		err = tmr_start(&ctx->tmr_rt, layer->tl, ctx->rt_ival, ctx_rt_h,
				ctx);
		if (err)
			return err;
	}
	err =
	    tmr_start(&ctx->tmr_end, layer->tl, 64 * layer->t1, ctx_end_h, ctx);
	if (err)
		return err;
	ctx->dest = mem_ref(dest);
	/* The table's reference; the caller keeps its own across the send,
	 * which may terminate ctx. */
	hash_append(layer->ctxh, ctx->key.hash, &ctx->le, mem_ref(ctx));
	layer->nctx++;
	ctx_send(ctx, ctx->req);
	return 0;
}

int sip_ctx_send(struct sip_ctx **ctxp, struct sip_tsx_layer *layer,
		 const struct sip_msg *req, const uint8_t *data, size_t len,
		 void *dest, bool reliable, sip_ctx_resp_h *resph, void *arg)
{
	struct sip_ctx *ctx = NULL;
	int err;

	/* §17.1.1.3: ACK is not a transaction; §8.1.1.5: CSeq names the
	 * method; §8.1.1.7: our branches carry the cookie. */
	if (!layer || !req || !data || !len || !dest || !resph || !req->req ||
	    !pl_strcmp(&req->method, "ACK") ||
	    !pl_eq(&req->method, &req->cseq.method) ||
	    !tsx_branch_rfc3261(&req->via.branch))
		err = EINVAL;
	else if (len > SIP_TSX_MSG_MAX)
		err = EOVERFLOW;
	else
		err = ctx_alloc(&ctx, layer, &req->via.branch, &req->method,
				data, len, reliable);
	if (err)
		goto out;
	ctx->resph = resph;
	ctx->arg = arg;
	if (ctx->invite) {
		err = tsx_parts_alloc(&ctx->parts, req);
		if (err)
			goto out;
	}
	if (ctxp)
		*ctxp = mem_ref(ctx);
	err = ctx_start(ctx, dest);
	if (err && ctxp)
		*ctxp = mem_deref(*ctxp);
out:
	/* The table holds its own reference once linked. */
	mem_deref(ctx);
	return err;
}

static void cancel_resp_h(int err, uint16_t scode, const struct sip_msg *msg,
			  void *arg)
{
	(void)msg;
	(void)arg;
	/* The INVITE's own final tells the TU how the CANCEL went. */
	log_debug("sip", "ctx: CANCEL answered %u (%d)", scode, err);
}

/* §9.1: the CANCEL goes in its own non-INVITE transaction with the INVITE's
 * branch; if the INVITE sees no final within 64*T1, it gives up. */
static int ctx_send_cancel(struct sip_ctx *ctx)
{
	struct mbuf *mb = NULL;
	struct sip_ctx *cctx = NULL;
	const struct pl method = PL("CANCEL");
	int err;

	ctx->cancel_pending = false;
	err = tsx_build_cancel(&mb, ctx->parts, ctx->cancel_reason);
	err = err ? err
		  : ctx_alloc(&cctx, ctx->layer, &ctx->key.branch, &method,
			      mb->buf, mb->end, ctx->reliable);
	if (err)
		goto out;
	cctx->resph = cancel_resp_h;
	err = ctx_start(cctx, ctx->dest);
	mem_deref(cctx);
	ctx->cancelled = !err;
	if (!err && tmr_start(&ctx->tmr_end, ctx->layer->tl,
			      64 * ctx->layer->t1, ctx_end_h, ctx))
		log_warn("sip", "ctx: cannot start the CANCEL wait");
out:
	mem_deref(mb);
	return err;
}

int sip_ctx_cancel(struct sip_ctx *ctx)
{
	return sip_ctx_cancel_reason(ctx, NULL);
}

int sip_ctx_cancel_reason(struct sip_ctx *ctx, const char *reason)
{
	int err = 0;

	if (ctx && reason && !ctx->cancel_reason && !strpbrk(reason, "\r\n")) {
		struct pl r;

		pl_set_str(&r, reason);
		if (pl_strdup(&ctx->cancel_reason, &r))
			return ENOMEM;
	}

	if (!ctx || !ctx->invite)
		err = EINVAL;
	else if (ctx->state != CTX_CALLING && ctx->state != CTX_PROCEEDING)
		err = EPROTO;
	else if (ctx->cancel_pending || ctx->cancelled)
		err = 0;
	else if (ctx->state == CTX_CALLING)
		ctx->cancel_pending = true; /* §9.1: not before a 1xx */
	else
		err = ctx_send_cancel(ctx);
	return err;
}

static void ctx_invite_final(struct sip_ctx *ctx, const struct sip_msg *msg)
{
	int err;

	tmr_cancel(&ctx->tmr_rt);
	tmr_cancel(&ctx->tmr_end);
	if (msg->scode < 300) { /* RFC 6026 §8.4: Accepted, Timer M */
		ctx->state = CTX_ACCEPTED;
		ctx_end_start(ctx, 64 * ctx->layer->t1);
		ctx_deliver(ctx, 0, msg->scode, msg);
		return;
	}
	/* §17.1.1.3: ACK the non-2xx ourselves, then Timer D. */
	ctx->state = CTX_COMPLETED;
	err = tsx_build_ack(&ctx->ack, ctx->parts, msg);
	err = err ? err : tsx_send(ctx->layer, ctx->dest, ctx->ack);
	if (err) /* the final still goes to the TU, which learns nothing new */
		log_warn("sip", "ctx: cannot ACK a %u: %d", msg->scode, err);
	ctx_end_start(ctx, ctx->reliable || err ? 0 : SIP_TSX_TD);
	ctx_deliver(ctx, 0, msg->scode, msg);
}

static void ctx_invite_resp(struct sip_ctx *ctx, const struct sip_msg *msg)
{
	switch (ctx->state) {
	case CTX_CALLING:
	case CTX_PROCEEDING:
		if (msg->scode >= 200) {
			ctx_invite_final(ctx, msg);
			return;
		}
		if (ctx->state == CTX_CALLING) {
			/* §17.1.1.2: no more A; B only bounds Calling. */
			ctx->state = CTX_PROCEEDING;
			tmr_cancel(&ctx->tmr_rt);
			tmr_cancel(&ctx->tmr_end);
			if (ctx->cancel_pending && ctx_send_cancel(ctx))
				log_warn("sip", "ctx: cannot send CANCEL");
		}
		ctx_deliver(ctx, 0, msg->scode, msg);
		break;
	case CTX_COMPLETED: /* a retransmitted final: ACK again (§17.1.1.2) */
		if (msg->scode >= 300 && ctx->ack &&
		    tsx_send(ctx->layer, ctx->dest, ctx->ack))
			tsx_ctx_terminate(ctx); /* the TU has its final */
		break;
	case CTX_ACCEPTED: /* RFC 6026 §8.4: 2xx go to the TU */
		if (msg->scode >= 200 && msg->scode < 300)
			ctx_deliver(ctx, 0, msg->scode, msg);
		break;
	default:
		break;
	}
}

static void ctx_noninvite_resp(struct sip_ctx *ctx, const struct sip_msg *msg)
{
	if (ctx->state != CTX_CALLING && ctx->state != CTX_PROCEEDING)
		return; /* Completed absorbs retransmitted finals (§17.1.2.2) */
	if (msg->scode < 200) {
		ctx->state = CTX_PROCEEDING;
		ctx_deliver(ctx, 0, msg->scode, msg);
		return;
	}
	ctx->state = CTX_COMPLETED;
	tmr_cancel(&ctx->tmr_rt);
	tmr_cancel(&ctx->tmr_end);
	ctx_end_start(ctx, ctx->reliable ? 0 : ctx->layer->t4); /* Timer K */
	ctx_deliver(ctx, 0, msg->scode, msg);
}

int sip_tsx_recv_response(struct sip_tsx_layer *layer,
			  const struct sip_msg *msg)
{
	struct sip_ctx *ctx;
	int err = 0;

	if (!layer || !msg || msg->req || msg->scode < 100 ||
	    msg->scode > 699) {
		err = EINVAL;
		goto out;
	}
	ctx = ctx_find(layer, &msg->via.branch, &msg->cseq.method);
	if (!ctx) {
		err = ENOENT;
		goto out;
	}
	mem_ref(ctx); /* Timer D/K of 0 may terminate it before delivery */
	if (ctx->invite)
		ctx_invite_resp(ctx, msg);
	else
		ctx_noninvite_resp(ctx, msg);
	mem_deref(ctx);
out:
	return err;
}

void sip_ctx_close(struct sip_ctx *ctx)
{
	if (ctx)
		tsx_ctx_terminate(ctx);
}

bool sip_ctx_alive(const struct sip_ctx *ctx)
{
	return ctx && ctx->state != CTX_TERMINATED;
}

/* The first client transaction still waiting for any answer from a dest
 * that matchh accepts. */
static struct sip_ctx *ctx_waiting_on(const struct sip_tsx_layer *layer,
				      sip_tsx_dest_match_h *matchh, void *arg)
{
	uint32_t i;
	struct le *le;

	for (i = 0; i < SIP_TSX_HASH_BUCKETS; i++) {
		LIST_FOREACH(hash_bucket(layer->ctxh, i), le)
		{
			struct sip_ctx *ctx = le->data;

			if (ctx->state == CTX_CALLING && matchh(ctx->dest, arg))
				return ctx;
		}
	}
	return NULL;
}

void sip_tsx_dests_failed(struct sip_tsx_layer *layer,
			  sip_tsx_dest_match_h *matchh, void *arg, int err)
{
	size_t n;
	struct sip_ctx *ctx;

	if (!layer || !matchh || !err)
		return;
	/* bounded: a handler may start new transactions of its own */
	for (n = layer->nctx; n && (ctx = ctx_waiting_on(layer, matchh, arg));
	     n--)
		ctx_fail(ctx, err, 503);
}

static bool dest_is(const void *dest, void *arg)
{
	return dest == arg;
}

void sip_tsx_dest_failed(struct sip_tsx_layer *layer, const void *dest,
			 int err)
{
	if (dest)
		sip_tsx_dests_failed(layer, dest_is, (void *)(uintptr_t)dest,
				     err);
}
