/* call_dlg.c: requests inside a call's dialogs (RFC 3261 §12.2.2): ACK
 * (the answer of a late-offer caller), BYE (§15), re-INVITE and UPDATE
 * (RFC 3311) carrying new offers through the media session (hold, resume,
 * codec change, ICE restart), and INFO, MESSAGE, NOTIFY and REFER relayed
 * with their bodies. One relayed request at a time: an offer crossing
 * another gets 491 (RFC 3261 §14.1), and a relayed offer answered 491 is
 * sent again after §14.1's random wait while its offerer waits. A
 * re-INVITE without SDP is call_reoffer.c's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/call.h"

/* Bodies that may cross from one leg to the other as they are. */
static const char *const relay_types[] = {
	"application/dtmf-relay", "application/dtmf", "text/plain",
	"message/sipfrag",
};

static bool type_allowed(const struct pl *ctype)
{
	size_t i;

	if (!ctype->l)
		return true;
	for (i = 0; i < SC_ARRAY_SIZE(relay_types); i++)
		if (pl_casefind(ctype, relay_types[i]))
			return true;
	return false;
}

static enum media_leg_id leg_id(const struct gw_leg *leg)
{
	return leg->uas ? MEDIA_LEG_A : MEDIA_LEG_B;
}

static struct gw_leg *other_leg(const struct gw_call *call,
				const struct gw_leg *leg)
{
	return leg == call->a ? call->b : call->a;
}

static void relay_clear(struct gw_call *call)
{
	tmr_cancel(&call->glare);
	call->relay.from = NULL;
	call->relay.to = NULL;
	call->relay.stx = mem_deref(call->relay.stx);
	call->relay.req = mem_deref(call->relay.req);
	call->relay.ctx = mem_deref(call->relay.ctx);
	call->relay.sdp = mem_deref(call->relay.sdp);
	call->relay.retries = 0;
	call->relay.offer = false;
}

static void relay_resp(int err, uint16_t scode, const struct sip_msg *msg,
		       void *arg);

/* The relayed request (call->relay.req) on leg `to`: its crossing
 * headers, and its body, or the offer made for `to` (relay.sdp). */
static int relay_send(struct gw_call *call, struct gw_leg *to,
		      const char *extra)
{
	struct gw_relay *r = &call->relay;
	const struct sip_msg *msg = &r->req->msg;
	char method[16], ctype[64] = "text/plain";
	struct pl body = PL_INIT;
	int err;

	pl_strcpy(&msg->method, method, sizeof(method));
	if (msg->ctype.l)
		pl_strcpy(&msg->ctype, ctype, sizeof(ctype));
	if (r->sdp) {
		body.p = (const char *)r->sdp->buf;
		body.l = r->sdp->end;
	}
	r->ctx = mem_deref(r->ctx);
	mem_ref(to);
	err = gw_leg_send(to, method, 0, extra,
			  r->offer ? "application/sdp" : ctype,
			  r->offer ? &body : &msg->body, &r->ctx, relay_resp, to);
	if (err)
		mem_deref(to);
	return err;
}

/* RFC 3261 §14.1: the relayed offer once more, after the 491's wait. */
static void glare_retry(void *arg)
{
	struct gw_call *call = arg;
	struct gw_relay *r = &call->relay;
	char extra[1536];

	if (!r->stx || !r->to || !r->req)
		return;
	log_info("call", "call %s: re-offer on leg %s again after 491",
		 call->a->callid, r->to->callid);
	if (!gw_cross_hdrs(extra, sizeof(extra), &r->req->msg, 0) &&
	    !relay_send(call, r->to, extra))
		return;
	gw_leg_reply(r->from, r->stx, &r->req->msg, 500,
		     "Server Internal Error", NULL, NULL);
	media_offer_cancel(call->ms);
	relay_clear(call);
}

uint32_t gw_glare_wait_ms(const struct gw_leg *leg)
{
	/* a UAC leg is ours: we sent its first INVITE, with our Call-ID */
	return leg->uas ? rand_u32() % (GW_GLARE_OTHER_SPAN_MS + 1)
			: GW_GLARE_OWNER_MIN_MS +
				  rand_u32() % (GW_GLARE_OWNER_SPAN_MS + 1);
}

/*
 * 491 to a relayed offer (the other side's own re-INVITE crossed ours):
 * the same offer goes again after a random wait, 2.1..4 s when we chose
 * the leg's Call-ID (we sent its first INVITE), 0..2 s when the peer did
 * (RFC 3261 §14.1), while the offerer's transaction waits. At most
 * GW_GLARE_RETRIES times; true when a retry is scheduled.
 */
static bool glare_wait(struct gw_call *call, struct gw_leg *to)
{
	struct gw_relay *r = &call->relay;
	uint32_t ms;

	if (!r->offer || !r->sdp || r->retries >= GW_GLARE_RETRIES)
		return false;
	r->retries++;
	ms = gw_glare_wait_ms(to);
	log_info("call", "call %s: 491 on leg %s: the offer again in %u ms",
		 call->a->callid, to->callid, ms);
	r->ctx = mem_deref(r->ctx);
	tmr_start(&call->glare, call->calls->srv->tl, ms, glare_retry, call);
	return true;
}

/* The final answer of the other leg to a relayed request. */
static void relay_resp(int err, uint16_t scode, const struct sip_msg *msg,
		       void *arg)
{
	struct gw_leg *to = arg; /* the leg the request went to */
	struct gw_call *call = to->call;
	struct gw_relay *r;
	struct mbuf *sdp = NULL;
	bool invite;

	(void)err;
	if (scode < 200)
		return;
	log_debug("call", "relayed request answered %u on leg %s", scode,
		  to->callid);
	invite = msg && !pl_strcmp(&msg->cseq.method, "INVITE");
	if (invite && scode < 300)
		gw_leg_ack(to, msg->cseq.num);
	if (!call || !call->relay.stx) {
		mem_deref(to);
		return;
	}
	r = &call->relay;
	if (scode == 491 && msg && glare_wait(call, to)) {
		mem_deref(to);
		return;
	}
	if (scode >= 300 && r->offer)
		media_offer_cancel(call->ms); /* §14.1: nothing changes */
	if (scode < 300 && r->offer) {
		if (!msg->body.l ||
		    media_answer(call->ms, leg_id(to), &msg->body, &sdp)) {
			media_offer_cancel(call->ms);
			gw_leg_reply(r->from, r->stx, &r->req->msg, 488,
				     "Not Acceptable Here", NULL, NULL);
			relay_clear(call);
			mem_deref(to);
			return;
		}
		sip_dialog_refresh(to->dlg, msg);
		gw_leg_reply(r->from, r->stx, &r->req->msg, scode, "OK", NULL,
			     sdp);
		mem_deref(sdp);
	} else if (msg && type_allowed(&msg->ctype)) {
		char ctype[64] = "";

		pl_strcpy(&msg->ctype, ctype, sizeof(ctype));
		gw_leg_reply_body(r->from, r->stx, &r->req->msg, scode,
				  scode < 300 ? "OK" : "Refused", NULL,
				  ctype[0] ? ctype : NULL, &msg->body);
	} else {
		gw_leg_reply(r->from, r->stx, &r->req->msg,
			     msg ? scode : 408, msg ? "Refused" : "Timeout",
			     NULL, NULL);
	}
	if (invite && scode < 300 && r->ctx)
		sip_ctx_close(r->ctx);
	relay_clear(call);
	mem_deref(to);
}

/* A new offer toward the echo service: answered by the media session. */
static void offer_to_echo(struct gw_call *call, struct gw_leg *leg,
			  struct sip_stx *stx, const struct sip_msg *msg)
{
	struct mbuf *sdp = NULL, *answer = NULL;
	int err;

	err = media_offer(call->ms, leg_id(leg), &msg->body, &sdp);
	err = err ? err : media_answer_local(call->ms, MEDIA_LEG_B, &answer);
	if (err)
		gw_leg_reply(leg, stx, msg, 488, "Not Acceptable Here", NULL,
			     NULL);
	else
		gw_leg_reply(leg, stx, msg, 200, "OK", NULL, answer);
	mem_deref(sdp);
	mem_deref(answer);
}

/*
 * A referee's NOTIFY (RFC 3515 §2.4.5) while another request of the call
 * is being relayed: JsSIP sends the 180 and 200 sipfrags back to back and
 * does not retry after a 500, so it is not refused: answered 200 here and
 * sent on by itself (its answer from the transferor is only logged).
 * False when it is not such a NOTIFY.
 */
static bool notify_through(struct gw_call *call, struct gw_leg *leg,
			   struct gw_leg *to, struct sip_stx *stx,
			   const struct sip_msg *msg)
{
	uint32_t id = gw_refer_id_in(call, leg, msg);
	char ctype[64] = "message/sipfrag", extra[1536];
	int err;

	if (!id || !to || to->kind == GW_LEG_ECHO || !to->dlg ||
	    call->state != GW_CALL_CONFIRMED)
		return false;
	if (msg->ctype.l)
		pl_strcpy(&msg->ctype, ctype, sizeof(ctype));
	err = gw_cross_hdrs(extra, sizeof(extra), msg, id);
	err = err ? err
		  : gw_leg_send(to, "NOTIFY", 0, extra, ctype, &msg->body,
				NULL, gw_leg_resp_ignore, NULL);
	gw_leg_reply(leg, stx, msg, err ? 500 : 200, err ? "Not Sent" : "OK",
		     NULL, NULL);
	return true;
}

static void relay(struct gw_call *call, struct gw_leg *leg,
		  struct sip_stx *stx, const struct sip_msg *msg, bool offer)
{
	struct gw_leg *to = other_leg(call, leg);
	struct mbuf *sdp = NULL;
	char extra[1536];
	size_t n;
	int err;

	if (call->relay.stx && !offer && !pl_strcmp(&msg->method, "NOTIFY") &&
	    notify_through(call, leg, to, stx, msg))
		return;
	if (call->relay.stx || (offer && call->reoffer)) {
		gw_leg_reply(leg, stx, msg, offer ? 491 : 500,
			     offer ? "Request Pending" : "Busy",
			     offer ? NULL : "Retry-After: 1\r\n", NULL);
		return;
	}
	if (!to || call->state != GW_CALL_CONFIRMED) {
		gw_leg_reply(leg, stx, msg, 491, "Request Pending", NULL, NULL);
		return;
	}
	if (to->kind == GW_LEG_ECHO) {
		if (offer)
			offer_to_echo(call, leg, stx, msg);
		else
			gw_leg_reply(leg, stx, msg, 200, "OK", NULL, NULL);
		return;
	}
	if (gw_cross_hdrs(extra, sizeof(extra), msg,
			  pl_strcmp(&msg->method, "NOTIFY")
				  ? 0
				  : gw_refer_id_in(call, leg, msg))) {
		gw_leg_reply(leg, stx, msg, 400, "Headers Too Long", NULL, NULL);
		return;
	}
	n = strlen(extra);
	if (!pl_strcmp(&msg->method, "REFER")) {
		/* Refer-To in the referee's terms (call_refer.c) */
		err = gw_refer_to(call, leg, to, msg, extra + n,
				  sizeof(extra) - n);
		if (err) {
			gw_leg_reply(leg, stx, msg, err == ENOENT ? 481 : 400,
				     err == ENOENT ? "Replaced Call Unknown"
						   : "Bad Refer-To",
				     NULL, NULL);
			return;
		}
	}
	if (offer) {
		err = media_offer(call->ms, leg_id(leg), &msg->body, &sdp);
		if (err) {
			gw_leg_reply(leg, stx, msg, err == EBADMSG ? 400 : 488,
				     err == EBADMSG ? "Bad SDP"
						    : "Not Acceptable Here",
				     NULL, NULL);
			return;
		}
	}
	call->relay.offer = offer;
	call->relay.sdp = sdp;
	err = gw_msgcopy_alloc(&call->relay.req, msg);
	err = err ? err : relay_send(call, to, extra);
	if (err) {
		if (offer)
			media_offer_cancel(call->ms);
		call->relay.req = mem_deref(call->relay.req);
		call->relay.sdp = mem_deref(call->relay.sdp);
		call->relay.offer = false;
		gw_leg_reply(leg, stx, msg, 500, "Server Internal Error", NULL,
			     NULL);
		return;
	}
	if (!pl_strcmp(&msg->method, "REFER") && to->dlg)
		gw_refer_sent(call, to, to->dlg->lseq, msg->cseq.num);
	call->relay.from = leg;
	call->relay.to = to;
	call->relay.stx = mem_ref(stx);
	sip_dialog_refresh(leg->dlg, msg);
}

/* The ACK of our 2xx to a late-offer INVITE carries the caller's answer
 * to the offer in that 2xx (RFC 3261 §13.2.1, RFC 3264 §5): media toward
 * the caller starts. None or unusable: the call ends (BYE both ways). */
static void late_answer(struct gw_call *call, const struct sip_msg *ack)
{
	struct mbuf *sdp = NULL; /* an answer for the callee: sent already */

	call->late_offer = false;
	if (!ack->body.l ||
	    media_answer(call->ms, MEDIA_LEG_A, &ack->body, &sdp)) {
		gw_call_end(call, "no usable answer in the ACK");
		return;
	}
	mem_deref(sdp);
	log_debug("call", "call %s: the caller answered in its ACK",
		  call->a->callid);
}

/*
 * A device's re-INVITE or UPDATE on another flow than its leg's: the
 * browser lost its WebSocket in mid-call and reconnected (RFC 3261 §14: a
 * target refresh; the old flow's grace timer runs). The dialog's
 * identifiers are not proof of who sends it, so the request must pass the
 * digest check of a new call (a 401 first) as the leg's own user; then the
 * leg moves to the new flow. False when the request has been answered.
 */
static bool flow_check(struct gw_leg *leg, struct sip_flow *rf,
		       struct sip_stx *stx, const struct sip_msg *msg)
{
	struct store_device dev;

	if (leg->kind != GW_LEG_DEVICE || !rf || rf == leg->flow)
		return true;
	if (!leg->user[0] || (pl_strcmp(&msg->method, "INVITE") &&
			      pl_strcmp(&msg->method, "UPDATE"))) {
		gw_leg_reply(leg, stx, msg, 403, "Not From This Connection",
			     NULL, NULL);
		return false;
	}
	if (!gw_call_auth_device(leg->calls->srv, rf, rf, stx, msg, &dev))
		return false;
	if (strcmp(dev.user, leg->user)) {
		gw_leg_reply(leg, stx, msg, 403, "Forbidden", NULL, NULL);
		return false;
	}
	log_info("call", "call %s: leg %s moved to a new connection",
		 leg->call ? leg->call->a->callid : "(ended)", leg->callid);
	gw_leg_flow_move(leg, rf);
	return true;
}

static void bye(struct gw_leg *leg, struct sip_stx *stx,
		const struct sip_msg *msg)
{
	struct gw_call *call = leg->call;

	gw_leg_reply(leg, stx, msg, 200, "OK", NULL, NULL);
	leg->dlg = mem_deref(leg->dlg); /* nothing more goes to it */
	if (call)
		gw_call_end(call, leg->uas ? "caller hung up"
					   : "callee hung up");
}

bool gw_call_in_dialog(struct gw_server *srv, struct sip_flow *rf,
		       struct sip_stx *stx, const struct sip_msg *msg)
{
	struct gw_leg *leg;
	const struct pl *m = &msg->method;

	if (!pl_isset(&msg->to.tag))
		return false;
	leg = gw_calls_find(srv->calls, msg);
	if (!leg || !leg->dlg || !sip_dialog_match(leg->dlg, msg))
		return false;
	log_debug("call", "%.*s in call %s on leg %s (CSeq %u)", PL_FMT(m),
		  leg->call ? leg->call->a->callid : "(ended)", leg->callid,
		  msg->cseq.num);
	if (!pl_strcmp(m, "ACK")) {
		gw_leg_acked(leg, msg);
		if (leg->call && leg->call->late_offer && leg == leg->call->a)
			late_answer(leg->call, msg);
		else if (leg->call)
			gw_call_reoffer_ack(leg->call, leg, msg);
		return true;
	}
	if (!stx)
		return true;
	if (sip_dialog_recv_cseq(leg->dlg, msg)) {
		gw_leg_reply(leg, stx, msg, 500, "CSeq Out of Order", NULL,
			     NULL);
		return true;
	}
	if (!pl_strcmp(m, "BYE")) {
		bye(leg, stx, msg);
	} else if (!leg->call) {
		gw_leg_reply(leg, stx, msg, 481, "Call Does Not Exist", NULL,
			     NULL);
	} else if (!pl_strcmp(m, "OPTIONS")) {
		gw_leg_reply(leg, stx, msg, 200, "OK", NULL, NULL);
	} else if (!pl_strcmp(m, "UPDATE") && !msg->body.l) {
		/* a session refresh (RFC 4028 §9): nothing for the other leg */
		const struct sip_hdr *se =
			sip_msg_hdr(msg, SIP_HDR_SESSION_EXPIRES);
		char hdr[128] = "";

		if (se)
			gw_fmt(hdr, sizeof(hdr),
			       "Require: timer\r\nSession-Expires: %.*s\r\n",
			       PL_FMT(&se->val));
		gw_leg_reply(leg, stx, msg, 200, "OK", hdr, NULL);
	} else if (!flow_check(leg, rf, stx, msg)) {
		; /* answered */
	} else if (!pl_strcmp(m, "INVITE") || !pl_strcmp(m, "UPDATE")) {
		if (!msg->body.l) /* an offer-less re-INVITE (§14.1) */
			gw_call_reoffer(leg->call, leg, stx, msg);
		else
			relay(leg->call, leg, stx, msg, true);
	} else if (!pl_strcmp(m, "INFO") || !pl_strcmp(m, "MESSAGE") ||
		   !pl_strcmp(m, "NOTIFY") || !pl_strcmp(m, "REFER")) {
		if (!type_allowed(&msg->ctype))
			gw_leg_reply(leg, stx, msg, 415,
				     "Unsupported Media Type", NULL, NULL);
		else if (!pl_strcmp(m, "INFO") &&
			 gw_call_dtmf_to_rtp(leg->call, leg, stx, msg))
			; /* answered: sent as telephone-events */
		else
			relay(leg->call, leg, stx, msg, false);
	} else {
		gw_leg_reply(leg, stx, msg, 405, "Method Not Allowed",
			     "Allow: " GW_ALLOW_CALLS "\r\n", NULL);
	}
	return true;
}
