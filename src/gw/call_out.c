/* call_out.c: ringing the callee side: one INVITE to a PBX, or one per
 * registered contact of every device of a user (parallel forking, RFC 3261
 * §16.7 in spirit: the first 2xx wins and the others are cancelled with
 * RFC 3326 Reason "Call completed elsewhere"), and relaying the answers to
 * the caller. Only the From user and display name cross from one leg to
 * the other; everything else is ours. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/call.h"
#include "gw/conn.h"

static void invite_resp(int err, uint16_t scode, const struct sip_msg *msg,
			void *arg);

/* The caller's display name, quoted for a name-addr ("" when none). */
static void display_of(const struct gw_call *call, char *buf, size_t size)
{
	const struct pl *d = &call->a->inv->msg.from.dname;
	size_t i, n = 0;

	buf[0] = '\0';
	if (!d->l || size < 4)
		return;
	buf[n++] = '"';
	for (i = 0; i < d->l && n + 3 < size; i++)
		if (d->p[i] != '"' && d->p[i] != '\\' &&
		    (unsigned char)d->p[i] >= 0x20)
			buf[n++] = d->p[i];
	buf[n++] = '"';
	buf[n++] = ' ';
	buf[n] = '\0';
}

static int leg_str(char **dst, const char *s)
{
	struct pl pl;

	pl_set_str(&pl, s);
	return pl_strdup(dst, &pl);
}

/* Sends the INVITE of a new callee leg; the pending transaction holds a
 * reference to the leg until its final response. */
static int leg_invite(struct gw_leg *leg, const char *auth)
{
	char extra[1024];
	int err;

	extra[0] = '\0';
	if (leg->kind == GW_LEG_PBX &&
	    gw_timer_invite_hdrs(extra, sizeof(extra), leg->se, leg->min_se))
		return EOVERFLOW;
	if (leg->replaces &&
	    gw_fmt(extra + strlen(extra), sizeof(extra) - strlen(extra),
		   "Replaces: %s\r\n", leg->replaces))
		return EOVERFLOW;
	if (auth && gw_fmt(extra + strlen(extra), sizeof(extra) - strlen(extra),
			   "%s", auth))
		return EOVERFLOW;
	mem_ref(leg);
	leg->ctx = mem_deref(leg->ctx);
	err = gw_leg_send_req(leg, "INVITE", 0, extra, leg->offer, &leg->ctx,
			      invite_resp, leg);
	if (err)
		mem_deref(leg);
	return err;
}

static int fork_add(struct gw_call *call, enum gw_leg_kind kind,
		    struct sip_flow *flow, const char *ruri, const char *from,
		    const char *to, const struct mbuf *sdp,
		    const char *replaces)
{
	char buf[GW_URI_MAX];
	struct gw_leg *leg;
	int err;

	err = gw_leg_alloc(&leg, call, kind, false, flow, NULL);
	if (err)
		return err;
	list_append(&call->forks, &leg->le, leg);
	snprintf(buf, sizeof(buf), "%s;tag=%s", from, leg->ltag);
	leg->cseq = 1 + (rand_u32() & 0xffffu);
	leg->offer = mem_ref((void *)sdp);
	err = leg_str(&leg->ruri, ruri);
	err = err ? err : leg_str(&leg->from, buf);
	err = err ? err : leg_str(&leg->to, to);
	if (!err && replaces)
		err = leg_str(&leg->replaces, replaces);
	err = err ? err : leg_invite(leg, NULL);
	if (err)
		mem_deref(leg);
	return err;
}

/* A trunk is shared: a user not attached to it calls out as their
 * extension (or user name) on the trunk's host. */
static int trunk_identity(struct gw_call *call, const struct gw_conn *conn,
			  const char *user, char *buf, size_t size)
{
	struct store_user u;
	struct pl id;

	if (store_user_get(call->calls->srv->store, user, &u))
		return ENOENT;
	pl_set_str(&id, u.extension[0] ? u.extension : u.name);
	return gw_conn_request_uri(conn, &id, buf, size);
}

static int ring_pbx(struct gw_call *call, const struct gw_conn *conn,
		    const struct mbuf *sdp, const char *from_user,
		    const char *replaces)
{
	struct gw_server *srv = call->calls->srv;
	char ruri[GW_URI_MAX], from_uri[GW_URI_MAX], from[GW_URI_MAX];
	char to[GW_URI_MAX], dname[128];
	struct sip_flow *flow = NULL;
	enum sip_transp_type tp;
	struct pl number;
	struct sa dst;
	int err;

	pl_set_str(&number, call->number);
	err = gw_conn_target(conn, &dst, &tp);
	err = err ? err : gw_conn_request_uri(conn, &number, ruri, sizeof(ruri));
	err = err ? err
		  : gw_conn_from_uri(conn, from_user, from_uri,
				     sizeof(from_uri));
	if (err == ENOENT && conn->conf->type == GW_CONN_TRUNK)
		err = trunk_identity(call, conn, from_user, from_uri,
				     sizeof(from_uri));
	if (err == ENOENT) /* the user has no identity on that PBX */
		return EACCES;
	if (err)
		return err;
	err = sip_transp_connect(&flow, srv->tp, tp, &dst, conn->conf->host);
	if (err)
		return err;
	display_of(call, dname, sizeof(dname));
	if (gw_fmt(from, sizeof(from), "%s<%s>", dname, from_uri) ||
	    gw_fmt(to, sizeof(to), "<%s>", ruri)) {
		mem_deref(flow);
		return EOVERFLOW;
	}
	err = fork_add(call, GW_LEG_PBX, flow, ruri, from, to, sdp, replaces);
	if (!err)
		((struct gw_leg *)call->forks.tail->data)->conn = conn;
	mem_deref(flow);
	return err;
}

int gw_call_ring_pbx(struct gw_call *call, const void *conn,
		     const struct mbuf *sdp, const char *from_user)
{
	return ring_pbx(call, conn, sdp, from_user, NULL);
}

int gw_call_ring_pbx_replaces(struct gw_call *call, const void *conn,
			      const struct mbuf *sdp, const char *from_user,
			      const char *replaces)
{
	return ring_pbx(call, conn, sdp, from_user, replaces);
}

struct ring_ctx {
	struct gw_call *call;
	const struct mbuf *sdp;
	const char *from;
	const char *domain;
	const char *user; /* the callee: each device leg remembers it */
	unsigned n;
};

static bool ring_contact(const struct sip_reg_contact *c, void *arg)
{
	struct ring_ctx *rc = arg;
	char to[GW_URI_MAX];

	if (rc->n >= GW_CALL_FORKS_MAX)
		return false;
	snprintf(to, sizeof(to), "<sip:%s@%s>", c->aor, rc->domain);
	if (!fork_add(rc->call, GW_LEG_DEVICE, c->flow, c->uri, rc->from, to,
		      rc->sdp, NULL)) {
		struct gw_leg *leg = rc->call->forks.tail->data;

		snprintf(leg->user, sizeof(leg->user), "%s", rc->user);
		rc->n++;
	}
	return true;
}

static int ring_device(const struct store_device *d, void *arg)
{
	struct ring_ctx *rc = arg;
	struct gw_server *srv = rc->call->calls->srv;

	if (!d->revoked_at)
		sip_registrar_lookup(gw_reg_registrar(srv->reg), d->sip_username,
				     ring_contact, rc);
	return 0;
}

/* What the browser shows as the caller: the caller's user part and
 * display name, on our domain. */
static void caller_from(const struct gw_call *call, char *buf, size_t size)
{
	const struct gw_server *srv = call->calls->srv;
	const struct pl *u = &call->a->inv->msg.from.uri.user;
	char dname[128], user[STORE_NAME_MAX + 1];

	display_of(call, dname, sizeof(dname));
	if (call->a->user[0] && call->a->kind == GW_LEG_DEVICE)
		memcpy(user, call->a->user, sizeof(user));
	else if (pl_strcpy(u, user, sizeof(user)) || !user[0] ||
		 strpbrk(user, "<>\"@;: "))
		snprintf(user, sizeof(user), "anonymous");
	snprintf(buf, size, "%s<sip:%s@%s>", dname, user, srv->cfg->sip.domain);
}

int gw_call_ring_user(struct gw_call *call, const char *user,
		      const struct mbuf *sdp, const struct sip_msg *inv)
{
	struct gw_server *srv = call->calls->srv;
	char from[GW_URI_MAX];
	struct ring_ctx rc = {call, sdp, from, srv->cfg->sip.domain, user, 0};

	(void)inv;
	caller_from(call, from, sizeof(from));
	store_device_list(srv->store, user, ring_device, &rc);
	if (!rc.n)
		return ENOENT;
	log_info("call", "call %s: ringing %u contact(s) of %s",
		 call->a->callid, rc.n, user);
	return 0;
}

/*
 * An INVITE with Replaces from a device named leg `old` of another call
 * (gw_replaces_leg()): the call rings old's peer, on old's flow or
 * connection, with Replaces naming old's dialog as that peer knows it
 * (RFC 3891 §3: its own tag is to-tag). The peer takes the new call and
 * ends old with BYE, which ends old's call (its other leg gets BYE).
 */
int gw_call_ring_replacing(struct gw_call *call, const struct gw_leg *old,
			   const struct mbuf *sdp)
{
	char repl[GW_URI_MAX], from[GW_URI_MAX], to[GW_URI_MAX];
	int err;

	if (!old->dlg || gw_fmt(repl, sizeof(repl), "%s;to-tag=%s;from-tag=%s",
				old->callid, old->dlg->rtag, old->dlg->ltag))
		return EINVAL;
	if (old->kind == GW_LEG_PBX)
		return ring_pbx(call, old->conn, sdp, call->a->user, repl);
	caller_from(call, from, sizeof(from));
	if (gw_fmt(to, sizeof(to), "<%s>", old->dlg->target))
		return EOVERFLOW;
	log_info("call", "call %s: replaces %s toward its device",
		 call->a->callid, old->callid);
	err = fork_add(call, GW_LEG_DEVICE, old->flow, old->dlg->target, from,
		       to, sdp, repl);
	if (err)
		return err;
	/* the same device: its re-INVITE on a new WebSocket is checked
	 * against the same user (call_dlg.c flow_check) */
	snprintf(((struct gw_leg *)call->forks.tail->data)->user,
		 sizeof(old->user), "%s", old->user);
	return 0;
}

static void ring_timeout(void *arg)
{
	gw_call_fail(arg, 480, "Temporarily Unavailable", NULL);
}

/* A final answer for the caller, and the end of the call. */
void gw_call_fail(struct gw_call *call, uint16_t scode, const char *reason,
		  const char *extra)
{
	struct gw_leg *a = call->a;

	if (a->stx && sip_stx_scode(a->stx) < 200)
		gw_leg_reply(a, a->stx, NULL, scode, reason, extra, NULL);
	gw_call_end(call, reason);
}

/* The 18x of a callee: ringing (and early media when the PBX sends SDP). */
static void provisional(struct gw_call *call, struct gw_leg *leg,
			uint16_t scode, const struct sip_msg *msg)
{
	struct mbuf *sdp = NULL;
	struct gw_leg *a = call->a;

	if (scode == 100 || sip_stx_scode(a->stx) >= 200)
		return;
	if (!tmr_isrunning(&call->ring))
		tmr_start(&call->ring, call->calls->srv->tl, GW_CALL_RING_MS,
			  ring_timeout, call);
	if (msg->body.l && leg->kind == GW_LEG_PBX && !call->b &&
	    list_count(&call->forks) == 1 &&
	    !media_answer(call->ms, MEDIA_LEG_B, &msg->body, &sdp)) {
		if (!a->dlg)
			sip_dialog_uas_alloc(&a->dlg, &a->inv->msg, a->ltag);
		gw_leg_reply(a, a->stx, NULL, 183, "Session Progress", NULL,
			     sdp);
		call->b = leg; /* early media fixes the answering leg */
		mem_deref(sdp);
		call->state = GW_CALL_EARLY;
		return;
	}
	if (call->state == GW_CALL_TRYING) {
		if (!a->dlg)
			sip_dialog_uas_alloc(&a->dlg, &a->inv->msg, a->ltag);
		gw_leg_reply(a, a->stx, NULL, 180, "Ringing", NULL, NULL);
		call->state = GW_CALL_EARLY;
	}
}

static void cancel_others(struct gw_call *call, struct gw_leg *winner)
{
	struct le *le;

	LIST_FOREACH(&call->forks, le) {
		struct gw_leg *leg = le->data;

		if (leg == winner || leg->dlg || !leg->ctx ||
		    !sip_ctx_alive(leg->ctx))
			continue;
		leg->canceled = true;
		sip_ctx_cancel_reason(leg->ctx, GW_CALL_REASON_ELSEWHERE);
	}
}

/* A 2xx on a leg that lost (another fork won, or the call ended while it
 * was on its way): it is ACKed and hung up (RFC 3261 §15). */
static void stray_2xx(struct gw_leg *leg, const struct sip_msg *msg)
{
	struct sip_dialog *dlg = NULL;

	if (leg->dlg)
		return; /* a retransmission: ACKed already */
	if (sip_dialog_uac_alloc(&dlg, leg->callid, leg->from, leg->ltag,
				 leg->cseq, msg))
		return;
	leg->dlg = dlg;
	gw_leg_ack(leg, leg->cseq);
	gw_leg_send_req(leg, "BYE", 0, NULL, NULL, NULL, gw_leg_resp_ignore,
			NULL);
}

static void answered(struct gw_call *call, struct gw_leg *leg,
		     const struct sip_msg *msg)
{
	struct gw_leg *a = call->a;
	struct mbuf *sdp = NULL;
	int err;

	if (leg->dlg) { /* retransmitted 2xx: our ACK was lost */
		gw_leg_ack(leg, leg->cseq);
		return;
	}
	if (call->b && call->b != leg) {
		stray_2xx(leg, msg);
		return;
	}
	err = sip_dialog_uac_alloc(&leg->dlg, leg->callid, leg->from,
				   leg->ltag, leg->cseq, msg);
	if (!err)
		gw_leg_ack(leg, leg->cseq);
	call->b = leg;
	tmr_cancel(&call->ring);
	cancel_others(call, leg);
	if (!err && msg->body.l)
		err = media_answer(call->ms, MEDIA_LEG_B, &msg->body, &sdp);
	else if (!err && call->state != GW_CALL_EARLY)
		err = ENOTSUP; /* no answer to our offer */
	if (!err && call->late_offer) {
		/* the caller made no offer: the callee's answer becomes our
		 * offer to the caller, whose ACK answers (call_dlg.c) */
		sdp = mem_deref(sdp);
		err = msg->body.l ? media_offer(call->ms, MEDIA_LEG_B,
						&msg->body, &sdp)
				  : ENOTSUP;
	}
	if (!err && !a->dlg)
		err = sip_dialog_uas_alloc(&a->dlg, &a->inv->msg, a->ltag);
	if (!err && !sdp)
		err = media_answer_local(call->ms, MEDIA_LEG_B, &sdp);
	if (!err)
		err = gw_leg_reply(a, a->stx, NULL, 200, "OK", NULL, sdp);
	mem_deref(sdp);
	if (err) {
		log_warn("call", "call %s: cannot complete the answer: %s",
			 a->callid, strerror(err));
		gw_call_fail(call, err == ENOTSUP ? 488 : 500,
			     err == ENOTSUP ? "Not Acceptable Here"
					    : "Server Internal Error",
			     NULL);
		return;
	}
	call->state = GW_CALL_CONFIRMED;
	if (leg->kind == GW_LEG_PBX)
		gw_timer_start(call, msg);
	log_info("call", "call %s: answered", a->callid);
}

/* 401/407 from a PBX: answered once with the connection's credentials. */
static bool authenticate(struct gw_call *call, struct gw_leg *leg,
			 const struct sip_msg *msg)
{
	struct mbuf *hdr = NULL;
	struct pl method = PL("INVITE"), uri;
	bool ok = false;

	if (leg->kind != GW_LEG_PBX || leg->auth_tried || !leg->conn)
		return false;
	leg->auth_tried = true;
	pl_set_str(&uri, leg->ruri);
	if (mbuf_alloc(&hdr, 512))
		return false;
	if (!gw_conn_authorize(leg->conn, call->a->user, msg, &method, &uri,
			       hdr) &&
	    !mbuf_write_mem(hdr, "", 1)) {
		leg->cseq++;
		ok = !leg_invite(leg, (const char *)hdr->buf);
	}
	mem_deref(hdr);
	return ok;
}

/*
 * RFC 3263 §4.3: the PBX target of leg did not answer (timeout, transport
 * failure) or sent 503: the same INVITE goes to the connection's next
 * target, on a new leg, before the caller hears anything. Returns whether
 * one was sent.
 */
static bool pbx_next_target(struct gw_call *call, struct gw_leg *leg,
			    uint16_t scode, const struct sip_msg *msg)
{
	const struct gw_conn *conn = leg->conn;
	struct gw_server *srv = call->calls->srv;
	char from[GW_URI_MAX];
	struct sip_flow *flow = NULL;
	const struct sa *peer;
	const char *tag;
	struct sa dst;
	int err;

	if (leg->kind != GW_LEG_PBX || !conn || leg->canceled || !leg->flow ||
	    call->b || (msg && scode != 503) || !leg->from)
		return false;
	peer = sip_flow_peer(leg->flow);
	gw_conn_target_failed(conn, peer);
	if (gw_conn_target_next(conn, peer, &dst))
		return false;
	tag = strstr(leg->from, ";tag=");
	if (!tag || gw_fmt(from, sizeof(from), "%.*s",
			   (int)(tag - leg->from), leg->from))
		return false;
	err = sip_transp_connect(&flow, srv->tp, conn->conf->transport, &dst,
				 conn->conf->host);
	err = err ? err
		  : fork_add(call, GW_LEG_PBX, flow, leg->ruri, from, leg->to,
			     leg->offer, leg->replaces);
	mem_deref(flow);
	if (err)
		return false;
	((struct gw_leg *)call->forks.tail->data)->conn = conn;
	log_info("call", "call %s: PBX target failed (%u): next target",
		 call->a->callid, scode);
	return true;
}

/* 422 from a PBX (RFC 4028 §7.2): the INVITE once more, with a new
 * CSeq, asking for the Min-SE it named. Credentials may be asked again. */
static bool retry_422(struct gw_leg *leg, const struct sip_msg *msg)
{
	uint32_t min_se;

	if (leg->kind != GW_LEG_PBX || leg->se_retried ||
	    gw_timer_min_se(msg, &min_se))
		return false;
	leg->se_retried = true;
	leg->auth_tried = false;
	leg->min_se = min_se;
	leg->se = min_se > GW_SESSION_EXPIRES ? min_se : GW_SESSION_EXPIRES;
	leg->cseq++;
	log_info("call", "leg %s: 422, INVITE again with Min-SE %u",
		 leg->callid, min_se);
	return !leg_invite(leg, NULL);
}

/* §16.7 step 6, simplified: a 6xx ends the search; else the most
 * meaningful 4xx/5xx of the callee legs. */
static void failed(struct gw_call *call, struct gw_leg *leg, uint16_t scode,
		   const struct sip_msg *msg)
{
	const char *reason = "Temporarily Unavailable";
	bool next = pbx_next_target(call, leg, scode, msg);

	list_unlink(&leg->le);
	mem_deref(leg); /* the fork list's reference */
	if (call->b == leg)
		call->b = NULL;
	if (next || (scode < 600 && call->forks.head))
		return; /* others still ring */
	if (!msg) { /* the PBX did not answer or could not be reached */
		gw_call_fail(call, 503, "Service Unavailable",
			     "Retry-After: 30\r\n");
		return;
	}
	switch (scode) {
	case 401:
	case 407: scode = 403, reason = "Forbidden by the PBX"; break;
	case 486: reason = "Busy Here"; break;
	case 600: reason = "Busy Everywhere"; break;
	case 603: reason = "Decline"; break;
	case 404: reason = "Not Found"; break;
	case 487: scode = 480; break;
	default:
		if (scode < 400 || scode > 699)
			scode = 480; /* redirects are not followed */
		else
			reason = "Call Failed";
	}
	gw_call_fail(call, scode, reason, NULL);
}

static void invite_resp(int err, uint16_t scode, const struct sip_msg *msg,
			void *arg)
{
	struct gw_leg *leg = arg;
	struct gw_call *call = leg->call;
	bool final = scode >= 200;

	(void)err;
	if (!call) {
		if (msg && scode >= 200 && scode < 300)
			stray_2xx(leg, msg);
	} else if (scode < 200) {
		provisional(call, leg, scode, msg);
	} else if (scode < 300) {
		answered(call, leg, msg);
	} else if ((scode == 401 || scode == 407) && msg && !leg->canceled &&
		   authenticate(call, leg, msg)) {
		; /* the new INVITE holds its own reference */
	} else if (scode == 422 && msg && !leg->canceled &&
		   retry_422(leg, msg)) {
		; /* the same */
	} else if (!leg->dlg) {
		failed(call, leg, scode, msg);
	}
	if (!final)
		return;
	/* 2xx retransmissions (RFC 6026) reach the dialog as strays from
	 * now on (gw_call_stray_2xx): the transaction ends here */
	if (scode < 300 && leg->ctx)
		sip_ctx_close(leg->ctx);
	mem_deref(leg); /* the transaction's reference */
}

void gw_call_stray_2xx(struct gw_calls *cs, const struct sip_msg *msg)
{
	struct gw_leg *leg = gw_calls_find(cs, msg);

	if (leg && leg->dlg && !leg->uas &&
	    !pl_strcmp(&msg->cseq.method, "INVITE"))
		gw_leg_ack(leg, msg->cseq.num);
}
