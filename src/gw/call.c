/* call.c: calls and legs: allocation, the Call-ID table, ending a call.
 *
 * Lifetimes: the call table (gw_calls.all) holds one reference to each
 * call; a call holds its legs. A client transaction we start on a leg
 * holds a reference to the leg until its final response, so a response
 * that arrives after the call ended (the CANCEL/200 race) still finds the
 * leg, sees leg->call == NULL, and is cleaned up (ACK + BYE). */
#include <errno.h>
#include <string.h>

#include "gw/call.h"

static void leg_destroy(void *data)
{
	struct gw_leg *leg = data;

	hash_unlink(&leg->hle);
	hash_unlink(&leg->fle);
	list_unlink(&leg->le);
	mem_deref(leg->flow);
	mem_deref(leg->dlg);
	mem_deref(leg->callid);
	mem_deref(leg->ltag);
	mem_deref(leg->stx);
	sip_stx_set_errh(leg->ack_stx, NULL, NULL);
	mem_deref(leg->ack_stx);
	mem_deref(leg->inv);
	mem_deref(leg->ctx);
	mem_deref(leg->from);
	mem_deref(leg->to);
	mem_deref(leg->ruri);
	mem_deref(leg->offer);
	mem_deref(leg->replaces);
}

static uint32_t flow_key(const struct sip_flow *flow)
{
	return hash_fnv(&flow, sizeof(flow));
}

int gw_leg_alloc(struct gw_leg **legp, struct gw_call *call,
		 enum gw_leg_kind kind, bool uas, struct sip_flow *flow,
		 const struct pl *callid)
{
	struct gw_calls *cs = call->calls;
	char id[GW_CALLID_LEN + 1], tag[GW_TAG_LEN];
	struct gw_leg *leg;
	struct pl idpl, tagpl;
	int err;

	leg = mem_zalloc(sizeof(*leg), leg_destroy);
	if (!leg)
		return ENOMEM;
	leg->call = call;
	leg->calls = cs;
	leg->kind = kind;
	leg->uas = uas;
	leg->flow = mem_ref(flow);
	if (callid) {
		idpl = *callid;
	} else {
		rand_pool_token(&cs->srv->tags, id, sizeof(id));
		pl_set_str(&idpl, id);
	}
	rand_pool_token(&cs->srv->tags, tag, sizeof(tag));
	pl_set_str(&tagpl, tag);
	err = pl_strdup(&leg->callid, &idpl);
	err = err ? err : pl_strdup(&leg->ltag, &tagpl);
	if (err) {
		mem_deref(leg);
		return err;
	}
	if (kind != GW_LEG_ECHO)
		hash_append(cs->legs, hash_fnv(idpl.p, idpl.l), &leg->hle,
			    leg);
	if (kind == GW_LEG_DEVICE && flow)
		hash_append(cs->flows, flow_key(flow), &leg->fle, leg);
	*legp = leg;
	return 0;
}

static void call_destroy(void *data)
{
	struct gw_call *call = data;

	tmr_cancel(&call->ring);
	tmr_cancel(&call->grace);
	tmr_cancel(&call->refresh);
	tmr_cancel(&call->glare);
	tmr_cancel(&call->ack);
	list_unlink(&call->le);
	if (call->ms) {
		media_session_close(call->ms);
		call->ms = mem_deref(call->ms);
	}
	mem_deref(call->relay.stx);
	mem_deref(call->relay.req);
	mem_deref(call->relay.ctx);
	mem_deref(call->relay.sdp);
	mem_deref(call->a);
	list_flush(&call->forks);
	for (size_t i = 0; i < GW_XFER_TOKENS_MAX; i++)
		mem_deref(call->xfer[i]);
}

int gw_call_alloc(struct gw_call **callp, struct gw_calls *cs)
{
	struct gw_call *call = mem_zalloc(sizeof(*call), call_destroy);

	if (!call)
		return ENOMEM;
	call->calls = cs;
	list_init(&call->forks);
	tmr_init(&call->ring);
	tmr_init(&call->grace);
	tmr_init(&call->refresh);
	tmr_init(&call->glare);
	tmr_init(&call->ack);
	call->started_ms = tmrl_now(cs->srv->tl);
	list_append(&cs->all, &call->le, call);
	*callp = call;
	return 0;
}

static bool leg_cmp(struct le *le, void *arg)
{
	const struct sip_msg *msg = arg;
	const struct gw_leg *leg = le->data;

	return !pl_strcmp(&msg->callid, leg->callid);
}

/*
 * The leg a message belongs to, by Call-ID and then by tags: a request
 * carries our tag in To, a response in From (a B2BUA has distinct
 * Call-IDs per leg, so the Call-ID alone finds the leg; the tags make sure
 * it is the same dialog).
 */
struct gw_leg *gw_calls_find(const struct gw_calls *cs,
			     const struct sip_msg *msg)
{
	struct le *le;

	le = hash_lookup(cs->legs, hash_fnv(msg->callid.p, msg->callid.l),
			 leg_cmp, (void *)msg);
	while (le) {
		struct gw_leg *leg = le->data;
		const struct pl *ours = msg->req ? &msg->to.tag
						 : &msg->from.tag;

		if (!leg_cmp(le, (void *)msg))
			; /* another Call-ID in the same bucket */
		else if (!pl_isset(ours) || !pl_strcmp(ours, leg->ltag))
			return leg;
		le = le->next;
	}
	return NULL;
}

/* Ends one leg toward its peer, as its state asks: BYE on a confirmed
 * dialog, CANCEL on a pending INVITE, a final response on a pending
 * incoming INVITE. */
static void leg_hangup(struct gw_leg *leg, uint16_t scode, const char *reason,
		       const char *extra)
{
	if (leg->kind == GW_LEG_ECHO)
		return;
	if (leg->uas && leg->stx && sip_stx_scode(leg->stx) < 200) {
		gw_leg_reply(leg, leg->stx, NULL, scode, reason, extra, NULL);
		return;
	}
	if (!leg->uas && leg->ctx && sip_ctx_alive(leg->ctx) && !leg->dlg) {
		leg->canceled = true;
		sip_ctx_cancel_reason(leg->ctx, extra);
		return;
	}
	if (leg->dlg)
		gw_leg_send_req(leg, "BYE", 0, extra, NULL, NULL, gw_leg_resp_ignore,
				NULL);
}

/*
 * Ends the call on every leg still up (BYE, CANCEL or a final response),
 * closes the media session, and drops the call from the table. The legs
 * with a pending INVITE transaction live on until its final response.
 */
void gw_call_end(struct gw_call *call, const char *why)
{
	struct le *le;

	if (!call || call->state == GW_CALL_ENDED)
		return;
	call->state = GW_CALL_ENDED;
	log_info("call", "call %s ended: %s", call->a->callid, why);
	leg_hangup(call->a, 480, "Temporarily Unavailable", NULL);
	LIST_FOREACH(&call->forks, le)
		leg_hangup(le->data, 0, NULL, NULL);
	call->a->call = NULL;
	LIST_FOREACH(&call->forks, le)
		((struct gw_leg *)le->data)->call = NULL;
	mem_deref(call);
}

static void calls_destroy(void *data)
{
	struct gw_calls *cs = data;

	gw_calls_close(cs);
	hash_flush(cs->legs);
	mem_deref(cs->legs);
	mem_deref(cs->flows);
	mem_deref(cs->mb);
	mem_deref(cs->msg);
}

int gw_calls_alloc(struct gw_calls **csp, struct gw_server *srv)
{
	struct gw_calls *cs = mem_zalloc(sizeof(*cs), calls_destroy);
	int err;

	if (!cs)
		return ENOMEM;
	cs->srv = srv;
	list_init(&cs->all);
	err = hash_alloc(&cs->legs, GW_CALL_HASH_BUCKETS);
	err = err ? err : hash_alloc(&cs->flows, GW_CALL_HASH_BUCKETS);
	err = err ? err : mbuf_alloc(&cs->mb, 4096);
	cs->msg = mem_zalloc(sizeof(*cs->msg), NULL);
	if (!err && !cs->msg)
		err = ENOMEM;
	if (err) {
		mem_deref(cs);
		return err;
	}
	*csp = cs;
	return 0;
}

void gw_calls_close(struct gw_calls *cs)
{
	while (cs->all.head)
		gw_call_end(cs->all.head->data, "the gateway is stopping");
}

size_t gw_calls_count(const struct gw_calls *cs)
{
	return list_count(&cs->all);
}

static void grace_expired(void *arg)
{
	gw_call_end(arg, "a device's connection closed");
}

/*
 * A flow closed: a call whose device leg used it is ended toward the
 * other side after a short grace period: the browser may be reconnecting,
 * and its re-INVITE on the new WebSocket moves the leg there
 * (gw_leg_flow_move) and keeps the call.
 */
void gw_call_flow_closed(struct gw_calls *cs, const struct sip_flow *flow)
{
	struct list *bucket = hash_bucket(cs->flows, flow_key(flow));
	struct le *le;

	LIST_FOREACH(bucket, le) {
		struct gw_leg *leg = le->data;
		struct gw_call *call = leg->call;

		if (leg->flow != flow || !call || tmr_isrunning(&call->grace))
			continue;
		tmr_start(&call->grace, cs->srv->tl, GW_CALL_GRACE_MS,
			  grace_expired, call);
	}
}

/*
 * A device leg's requests go to a new flow from now on (the browser
 * reconnected in mid-call; the caller authenticated the request that came
 * on it), and a grace period started by the old flow closing stops.
 */
void gw_leg_flow_move(struct gw_leg *leg, struct sip_flow *flow)
{
	struct gw_calls *cs = leg->calls;

	if (leg->kind != GW_LEG_DEVICE || !flow || leg->flow == flow)
		return;
	hash_unlink(&leg->fle);
	mem_deref(leg->flow);
	leg->flow = mem_ref(flow);
	hash_append(cs->flows, flow_key(flow), &leg->fle, leg);
	if (leg->call)
		tmr_cancel(&leg->call->grace);
}
