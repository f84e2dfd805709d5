/* call_reoffer.c: a re-INVITE without SDP on a call leg (RFC 3261 §14.1,
 * RFC 3264 §5): the peer asks for an offer. The gateway answers 200 with
 * its own current description for that leg as a fresh offer (same o=
 * session, media_reoffer()) and takes the answer from the ACK (§13.2.1),
 * for that leg only: the other leg is not asked anything. An ACK without
 * an answer, with an unusable one, or none within 64*T1 (§13.3.1.4) ends
 * the call with BYE both ways. */
#include <errno.h>
#include <string.h>

#include "gw/call.h"

static enum media_leg_id media_leg(const struct gw_leg *leg)
{
	return leg->uas ? MEDIA_LEG_A : MEDIA_LEG_B;
}

static void ack_timeout(void *arg)
{
	struct gw_call *call = arg;

	log_warn("call", "call %s: no ACK to our offer on leg %s",
		 call->a->callid, call->reoffer ? call->reoffer->callid : "?");
	call->reoffer = NULL;
	gw_call_end(call, "no ACK to the offer in our 2xx");
}

/*
 * leg sent a re-INVITE without a body: 200 with our offer, or 491 while
 * another offer is under way on the call (§14.1), or 488 when the session
 * cannot offer (an echo call).
 */
void gw_call_reoffer(struct gw_call *call, struct gw_leg *leg,
		     struct sip_stx *stx, const struct sip_msg *msg)
{
	struct gw_leg *other = leg == call->a ? call->b : call->a;
	struct mbuf *sdp = NULL;
	int err;

	if (call->relay.stx || call->reoffer || !other ||
	    call->state != GW_CALL_CONFIRMED) {
		gw_leg_reply(leg, stx, msg, 491, "Request Pending", NULL, NULL);
		return;
	}
	err = media_reoffer(call->ms, media_leg(leg), &sdp);
	if (err == EPROTO) {
		/* an offer of the session's own is still open (a late offer
		 * whose ACK has not come): ask again later */
		gw_leg_reply(leg, stx, msg, 491, "Request Pending", NULL, NULL);
		return;
	}
	if (err) {
		log_info("call", "call %s: no offer for leg %s: %s",
			 call->a->callid, leg->callid, strerror(err));
		gw_leg_reply(leg, stx, msg, 488, "Not Acceptable Here", NULL,
			     NULL);
		return;
	}
	err = gw_leg_reply(leg, stx, msg, 200, "OK", NULL, sdp);
	mem_deref(sdp);
	if (err) {
		media_offer_cancel(call->ms);
		return;
	}
	sip_dialog_refresh(leg->dlg, msg); /* a target refresh (§12.2.2) */
	call->reoffer = leg;
	call->reoffer_cseq = msg->cseq.num;
	tmr_start(&call->ack, call->calls->srv->tl, GW_ACK_WAIT_MS, ack_timeout,
		  call);
	log_debug("call", "call %s: offer sent to leg %s in a 200 (CSeq %u)",
		  call->a->callid, leg->callid, msg->cseq.num);
}

bool gw_call_reoffer_ack(struct gw_call *call, struct gw_leg *leg,
			 const struct sip_msg *ack)
{
	struct mbuf *sdp = NULL; /* the answer for the other leg: unasked */
	int err;

	if (call->reoffer != leg || ack->cseq.num != call->reoffer_cseq)
		return false;
	call->reoffer = NULL;
	tmr_cancel(&call->ack);
	err = ack->body.l
		  ? media_answer(call->ms, media_leg(leg), &ack->body, &sdp)
		  : ENODATA;
	mem_deref(sdp);
	if (err) {
		/* RFC 3261 §13.3.1.4 / RFC 3264: a 2xx offer must be answered
		 * in the ACK; without one the session cannot go on */
		log_warn("call", "call %s: ACK on leg %s: %s", call->a->callid,
			 leg->callid,
			 err == ENODATA ? "no answer" : "unusable answer");
		media_offer_cancel(call->ms);
		gw_call_end(call, "no usable answer in the ACK");
		return true;
	}
	log_debug("call", "call %s: leg %s answered our offer in its ACK",
		  call->a->callid, leg->callid);
	return true;
}
