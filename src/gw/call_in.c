/* call_in.c: a new INVITE (RFC 3261 §13.3): who is calling (a device,
 * authenticated by digest, or a PBX known by its address), where the call
 * goes (the echo service, another user of the gateway, or a PBX chosen by
 * dial pattern), and the media session that joins the two sides. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/call.h"
#include "gw/conn.h"

static bool flow_is_ws(const struct sip_flow *flow)
{
	enum sip_transp_type t = sip_flow_type(flow);

	return t == SIP_TRANSP_WS || t == SIP_TRANSP_WSS;
}

/* A final answer before any call exists (auth, routing, bad offer). */
void gw_refuse(struct gw_server *srv, struct sip_flow *rf,
		   struct sip_stx *stx, const struct sip_msg *msg,
		   uint16_t scode, const char *reason, const char *extra)
{
	char via[SIP_VIA_PARAMS_MAX], tag[GW_TAG_LEN], hdrs[1024];
	struct pl vp, tagpl;
	struct mbuf *mb = srv->txbuf;

	log_info("call", "%.*s %.*s: %u %s", PL_FMT(&msg->method),
		 PL_FMT(&msg->ruri_raw), scode, reason);
	if (sip_flow_via_params(rf, msg, via, sizeof(via)))
		via[0] = '\0';
	pl_set_str(&vp, via);
	rand_pool_token(&srv->tags, tag, sizeof(tag));
	pl_set_str(&tagpl, tag);
	snprintf(hdrs, sizeof(hdrs), "Server: %s\r\n%s", GW_SERVER_NAME,
		 extra ? extra : "");
	mbuf_reset(mb);
	if (sip_reply_encode(mb, msg, scode, reason, &tagpl, vp.l ? &vp : NULL,
			     hdrs, NULL, NULL) ||
	    sip_stx_reply(stx, scode, mb->buf, mb->end))
		log_debug("call", "cannot send %u", scode);
}

/*
 * Digest authentication of a request from a device (RFC 3261 §22, the
 * bans of reg.h): true with *dev set when it passed; otherwise the
 * request has been answered (401, 403, 400, 500).
 */
bool gw_call_auth_device(struct gw_server *srv, struct sip_flow *flow,
			 struct sip_flow *rf, struct sip_stx *stx,
			 const struct sip_msg *msg, struct store_device *dev)
{
	const struct gw_auth *auth = gw_reg_auth(srv->reg);
	struct gw_auth_result res;
	uint64_t now = tmrl_now(srv->tl);
	int err;

	err = gw_auth_request(auth, msg, false, sip_flow_peer(flow), now, &res);
	if (err) {
		gw_refuse(srv, rf, stx, msg, 500, "Server Internal Error", NULL);
		return false;
	}
	if (res.verdict == GW_AUTH_CHALLENGE) {
		struct mbuf *h = srv->hdrbuf;

		mbuf_reset(h);
		if (gw_auth_challenge(auth, h, false, res.stale, now) ||
		    mbuf_write_mem(h, "", 1))
			gw_refuse(srv, rf, stx, msg, 500,
				  "Server Internal Error", NULL);
		else
			gw_refuse(srv, rf, stx, msg, 401, "Unauthorized",
				  (const char *)h->buf);
		return false;
	}
	if (res.verdict != GW_AUTH_OK) {
		gw_refuse(srv, rf, stx, msg,
			  res.verdict == GW_AUTH_BAD ? 400 : 403,
			  res.verdict == GW_AUTH_BAD ? "Bad Credentials"
						     : "Forbidden",
			  NULL);
		return false;
	}
	if (store_device_find(srv->store, res.user, dev) || dev->revoked_at) {
		gw_refuse(srv, rf, stx, msg, 403, "Forbidden", NULL);
		return false;
	}
	return true;
}

static void media_event(struct media_session *ms, enum media_leg_id leg,
			enum media_event ev, const char *reason, void *arg)
{
	struct gw_call *call = arg;

	(void)ms;
	switch (ev) {
	case MEDIA_EV_CONNECTED:
		log_debug("call", "call %s: media on leg %c connected",
			  call->a->callid, leg == MEDIA_LEG_A ? 'A' : 'B');
		break;
	case MEDIA_EV_DTMF:
		gw_call_dtmf_info(call, leg, reason);
		break;
	case MEDIA_EV_NO_MEDIA:
	case MEDIA_EV_FAILED:
		log_info("call", "call %s: media on leg %c: %s",
			 call->a->callid, leg == MEDIA_LEG_A ? 'A' : 'B',
			 reason ? reason : "failed");
		gw_call_end(call, ev == MEDIA_EV_NO_MEDIA ? "no media"
							  : "media failed");
		break;
	}
}

/* SIP answers for the media module's errors (media.h). */
static void media_refusal(int err, uint16_t *scode, const char **reason)
{
	switch (err) {
	case EBADMSG: *scode = 400, *reason = "Bad SDP"; break;
	case ENOTSUP: *scode = 488, *reason = "Not Acceptable Here"; break;
	case EADDRINUSE: *scode = 503, *reason = "No Media Ports"; break;
	default: *scode = 500, *reason = "Server Internal Error"; break;
	}
}

static void leg_conf_from(struct media_leg_conf *lc, enum media_kind kind,
			  const struct gw_conn *conn)
{
	memset(lc, 0, sizeof(*lc));
	lc->kind = kind;
	lc->transcode = true;
	if (conn) {
		lc->kind = conn->conf->media;
		memcpy(lc->codecv, conn->conf->codecv, sizeof(lc->codecv));
		lc->codecc = conn->conf->codecc;
	} else if (kind == MEDIA_ECHO) {
		/* through the whole path: the echo leg speaks G.711, so an
		 * Opus caller is transcoded both ways */
		lc->codecv[0] = MEDIA_CODEC_PCMU;
		lc->codecc = 1;
	}
}

/* The call and its caller's leg, with the media offer for the callee. */
static int call_start(struct gw_call **callp, struct gw_server *srv,
		      struct sip_flow *rf, struct sip_stx *stx,
		      const struct sip_msg *msg, enum gw_leg_kind akind,
		      const struct media_leg_conf *a,
		      const struct media_leg_conf *b, struct mbuf **sdpp)
{
	struct gw_call *call = NULL;
	int err;

	err = gw_call_alloc(&call, srv->calls);
	err = err ? err
		  : gw_leg_alloc(&call->a, call, akind, true, rf,
				 &msg->callid);
	if (err)
		goto out;
	call->a->stx = mem_ref(stx);
	pl_strcpy(&msg->ruri.user, call->number, sizeof(call->number));
	err = gw_msgcopy_alloc(&call->a->inv, msg);
	err = err ? err
		  : media_session_alloc(&call->ms, srv->media, a, b,
					media_event, call);
	if (!err && akind == GW_LEG_PBX && !msg->body.l) {
		/* a late offer: the gateway offers in the PBX's stead */
		call->late_offer = true;
		err = media_offer_local(call->ms, MEDIA_LEG_A, sdpp);
	} else if (!err) {
		err = media_offer(call->ms, MEDIA_LEG_A, &msg->body, sdpp);
	}
out:
	if (err && call) {
		call->state = GW_CALL_ENDED; /* nothing sent to anyone yet */
		mem_deref(call);
	} else if (!err) {
		*callp = call;
	}
	return err;
}

static void echo_answer(struct gw_call *call)
{
	struct mbuf *sdp = NULL;
	struct gw_leg *echo;
	int err;

	err = gw_leg_alloc(&echo, call, GW_LEG_ECHO, false, NULL, NULL);
	if (!err) {
		list_append(&call->forks, &echo->le, echo);
		call->b = echo;
		err = media_answer_local(call->ms, MEDIA_LEG_B, &sdp);
	}
	if (!err)
		err = sip_dialog_uas_alloc(&call->a->dlg, &call->a->inv->msg,
					   call->a->ltag);
	if (!err)
		err = gw_leg_reply(call->a, call->a->stx, NULL, 200, "OK", NULL,
				   sdp);
	mem_deref(sdp);
	if (err) {
		gw_call_fail(call, 500, "Server Internal Error", NULL);
		return;
	}
	call->state = GW_CALL_CONFIRMED;
	log_info("call", "call %s: echo test answered", call->a->callid);
}

/* Another user of this gateway: by name or extension. */
bool gw_local_user(struct gw_server *srv, const char *number, char *user,
		   size_t size)
{
	struct store_user u;

	if (!store_user_get(srv->store, number, &u) ||
	    !store_user_by_extension(srv->store, number, &u))
		return !gw_fmt(user, size, "%s", u.name);
	return false;
}

/*
 * The device's INVITE carries a token the gateway gave it for a PBX's own
 * dialog (call_refer.c xfer_token()): a new call to the PBX, to the number
 * of the Request-URI, with the PBX's Replaces value. False when the token
 * is unknown, expired or not this device user's.
 */
static bool replacing_pbx(struct gw_server *srv, struct sip_flow *rf,
			  struct sip_stx *stx, const struct sip_msg *msg,
			  const struct store_device *dev, const struct pl *id)
{
	char repl[GW_XFER_REPLACES_MAX];
	struct media_leg_conf a, b;
	struct gw_call *call = NULL;
	struct mbuf *sdp = NULL;
	const struct gw_conn *conn = NULL;
	const void *cv = NULL;
	uint16_t scode;
	const char *reason;
	int err;

	if (gw_xfer_token_take(srv->calls, id, dev->user, &cv, repl,
			       sizeof(repl)))
		return false;
	conn = cv;
	leg_conf_from(&a, MEDIA_WEBRTC, NULL);
	leg_conf_from(&b, MEDIA_WEBRTC, conn);
	err = call_start(&call, srv, rf, stx, msg, GW_LEG_DEVICE, &a, &b, &sdp);
	if (err) {
		media_refusal(err, &scode, &reason);
		gw_refuse(srv, rf, stx, msg, scode, reason, NULL);
		return true;
	}
	snprintf(call->a->user, sizeof(call->a->user), "%s", dev->user);
	log_info("call", "call %s: %s (device %s) -> %s on connection %s, "
			 "replacing a dialog of the PBX",
		 call->a->callid, dev->user, dev->sip_username, call->number,
		 conn->conf->name);
	err = gw_call_ring_pbx_replaces(call, conn, sdp, dev->user, repl);
	if (err)
		gw_call_fail(call, 503, "Service Unavailable", NULL);
	mem_deref(sdp);
	return true;
}

/*
 * An INVITE with Replaces (RFC 3891) from a device: the referee of a
 * transfer that the gateway told to replace a leg of another call
 * (call_refer.c names it by the gateway's tag), or a dialog of a PBX's
 * own (a token). The Request-URI is not routed for a leg: the new call
 * goes to that leg's peer, which replaces its dialog and hangs the old
 * one up. Unknown or not up: 481 (§3).
 */
static void replacing(struct gw_server *srv, struct sip_flow *rf,
		      struct sip_stx *stx, const struct sip_msg *msg,
		      const struct store_device *dev)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_REPLACES);
	struct media_leg_conf a, b;
	struct gw_call *call = NULL;
	struct mbuf *sdp = NULL;
	struct pl id, totag, fromtag;
	struct gw_leg *old = NULL;
	uint16_t scode;
	const char *reason;
	bool parsed;
	int err;

	parsed = !gw_replaces_parse(&h->val, &id, &totag, &fromtag);
	if (parsed)
		old = gw_replaces_leg(srv->calls, &id, &totag);
	if (!old && parsed && pl_eq(&id, &totag) &&
	    replacing_pbx(srv, rf, stx, msg, dev, &id))
		return;
	if (!old) {
		gw_refuse(srv, rf, stx, msg, 481,
			  "Call/Transaction Does Not Exist", NULL);
		return;
	}
	mem_ref(old); /* call_start() may end calls: keep it while used */
	leg_conf_from(&a, MEDIA_WEBRTC, NULL);
	leg_conf_from(&b, MEDIA_WEBRTC, old->kind == GW_LEG_PBX ? old->conn
							       : NULL);
	err = call_start(&call, srv, rf, stx, msg, GW_LEG_DEVICE, &a, &b, &sdp);
	if (err) {
		media_refusal(err, &scode, &reason);
		gw_refuse(srv, rf, stx, msg, scode, reason, NULL);
		goto out;
	}
	snprintf(call->a->user, sizeof(call->a->user), "%s", dev->user);
	log_info("call", "call %s: %s (device %s) replaces leg %s",
		 call->a->callid, dev->user, dev->sip_username, old->callid);
	err = old->call ? gw_call_ring_replacing(call, old, sdp) : ENOENT;
	if (err)
		gw_call_fail(call, 481, "Call/Transaction Does Not Exist",
			     NULL);
out:
	mem_deref(sdp);
	mem_deref(old);
}

/* A device calls: digest first (401; the same bans as REGISTER). */
static void from_device(struct gw_server *srv, struct sip_flow *flow,
			struct sip_flow *rf, struct sip_stx *stx,
			const struct sip_msg *msg)
{
	struct media_leg_conf a, b;
	const struct gw_conn *conn = NULL;
	struct store_device dev;
	struct gw_call *call = NULL;
	struct mbuf *sdp = NULL;
	char number[64], callee[64];
	enum media_kind bkind = MEDIA_WEBRTC;
	uint16_t scode = 0;
	const char *reason = NULL;
	int err;

	if (!gw_call_auth_device(srv, flow, rf, stx, msg, &dev))
		return;
	if (sip_msg_hdr(msg, SIP_HDR_REPLACES)) {
		replacing(srv, rf, stx, msg, &dev);
		return;
	}
	if (!pl_isset(&msg->ruri.user) ||
	    pl_strcpy(&msg->ruri.user, number, sizeof(number))) {
		gw_refuse(srv, rf, stx, msg, 404, "Not Found", NULL);
		return;
	}
	callee[0] = '\0';
	if (srv->cfg->server.echo_number &&
	    !strcmp(number, srv->cfg->server.echo_number))
		bkind = MEDIA_ECHO;
	else if (gw_local_user(srv, number, callee, sizeof(callee)))
		bkind = MEDIA_WEBRTC;
	else if (srv->conns &&
		 (conn = gw_conns_route(srv->conns, &msg->ruri.user)) != NULL)
		bkind = conn->conf->media;
	else {
		gw_refuse(srv, rf, stx, msg, 404, "Not Found", NULL);
		return;
	}
	leg_conf_from(&a, MEDIA_WEBRTC, NULL);
	leg_conf_from(&b, bkind, conn);
	err = call_start(&call, srv, rf, stx, msg, GW_LEG_DEVICE, &a, &b, &sdp);
	if (err) {
		media_refusal(err, &scode, &reason);
		gw_refuse(srv, rf, stx, msg, scode, reason, NULL);
		return;
	}
	snprintf(call->a->user, sizeof(call->a->user), "%s", dev.user);
	log_info("call", "call %s: %s (device %s) -> %s", call->a->callid,
		 dev.user, dev.sip_username, number);
	if (bkind == MEDIA_ECHO)
		echo_answer(call);
	else if (callee[0])
		err = gw_call_ring_user(call, callee, sdp, msg);
	else
		err = gw_call_ring_pbx(call, conn, sdp, dev.user);
	if (err)
		log_warn("call", "call %s: cannot ring %s: %s", call->a->callid,
			 conn ? conn->conf->name : callee, strerror(err));
	if (err)
		gw_call_fail(call, err == ENOENT ? 480 : 503,
			     err == ENOENT ? "Temporarily Unavailable"
					   : "Service Unavailable",
			     err == ENOENT ? NULL : "Retry-After: 30\r\n");
	mem_deref(sdp);
}

/*
 * An INVITE with Replaces from a PBX: the referee of a device's attended
 * transfer whose other call is with another device (call_refer.c: the
 * PBX was told to call the gateway with Replaces naming that device's leg
 * by the gateway's tag). The transfer is resolved here: that device is
 * rung with Replaces naming its own dialog, and the PBX's call is bridged
 * to it. Unknown, not up, or not a device's leg: 481 (RFC 3891 §3).
 */
static void pbx_replacing(struct gw_server *srv, const struct gw_conn *conn,
			  struct sip_flow *rf, struct sip_stx *stx,
			  const struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_REPLACES);
	struct media_leg_conf a, b;
	struct gw_call *call = NULL;
	struct mbuf *sdp = NULL;
	struct pl id, totag, fromtag;
	struct gw_leg *old = NULL;
	uint16_t scode;
	const char *reason;
	int err;

	if (!gw_replaces_parse(&h->val, &id, &totag, &fromtag))
		old = gw_replaces_leg(srv->calls, &id, &totag);
	if (!old || old->kind != GW_LEG_DEVICE) {
		gw_refuse(srv, rf, stx, msg, 481,
			  "Call/Transaction Does Not Exist", NULL);
		return;
	}
	mem_ref(old); /* call_start() may end calls: keep it while used */
	leg_conf_from(&a, MEDIA_RTP, conn);
	leg_conf_from(&b, MEDIA_WEBRTC, NULL);
	err = call_start(&call, srv, rf, stx, msg, GW_LEG_PBX, &a, &b, &sdp);
	if (err) {
		media_refusal(err, &scode, &reason);
		gw_refuse(srv, rf, stx, msg, scode, reason, NULL);
		goto out;
	}
	call->a->conn = conn;
	log_info("call", "call %s: connection %s replaces leg %s (device)",
		 call->a->callid, conn->conf->name, old->callid);
	err = old->call ? gw_call_ring_replacing(call, old, sdp) : ENOENT;
	if (err)
		gw_call_fail(call, 481, "Call/Transaction Does Not Exist",
			     NULL);
out:
	mem_deref(sdp);
	mem_deref(old);
}

/* A PBX calls one of our users: every device of the user rings. */
static void from_pbx(struct gw_server *srv, const struct gw_conn *conn,
		     struct sip_flow *rf, struct sip_stx *stx,
		     const struct sip_msg *msg)
{
	struct media_leg_conf a, b;
	struct gw_call *call = NULL;
	struct mbuf *sdp = NULL;
	char user[GW_CONN_USER_MAX];
	uint16_t scode;
	const char *reason;
	int err;

	if (sip_msg_hdr(msg, SIP_HDR_REPLACES)) {
		pbx_replacing(srv, conn, rf, stx, msg);
		return;
	}
	if (gw_conn_user_of(conn, msg, user, sizeof(user))) {
		gw_refuse(srv, rf, stx, msg, 404, "Not Found", NULL);
		return;
	}
	leg_conf_from(&a, MEDIA_RTP, conn);
	leg_conf_from(&b, MEDIA_WEBRTC, NULL);
	err = call_start(&call, srv, rf, stx, msg, GW_LEG_PBX, &a, &b, &sdp);
	if (err) {
		media_refusal(err, &scode, &reason);
		gw_refuse(srv, rf, stx, msg, scode, reason, NULL);
		return;
	}
	call->a->conn = conn;
	log_info("call", "call %s: connection %s -> user %s", call->a->callid,
		 conn->conf->name, user);
	err = gw_call_ring_user(call, user, sdp, msg);
	if (err)
		gw_call_fail(call, 480, "Temporarily Unavailable", NULL);
	mem_deref(sdp);
}

void gw_call_invite(struct gw_server *srv, struct sip_flow *flow,
		    struct sip_flow *rf, struct sip_stx *stx,
		    const struct sip_msg *msg)
{
	const struct gw_conn *conn = NULL;

	if (pl_isset(&msg->to.tag)) {
		/* a re-INVITE whose dialog we do not know (§12.2.2) */
		gw_refuse(srv, rf, stx, msg, 481,
		       "Call/Transaction Does Not Exist", NULL);
		return;
	}
	if (!flow_is_ws(flow) && srv->conns)
		conn = gw_conns_by_source(srv->conns, sip_flow_peer(flow));
	if (conn)
		from_pbx(srv, conn, rf, stx, msg);
	else
		from_device(srv, flow, rf, stx, msg);
}

/* §9.2: CANCEL of an INVITE we are still ringing out. */
void gw_call_cancel(struct gw_server *srv, struct sip_stx *invite)
{
	struct le *le;

	LIST_FOREACH(&srv->calls->all, le) {
		struct gw_call *call = le->data;

		if (call->a->stx != invite)
			continue;
		if (call->state == GW_CALL_CONFIRMED)
			return; /* too late: the 2xx went out */
		gw_leg_reply(call->a, call->a->stx, NULL, 487,
			     "Request Terminated", NULL, NULL);
		gw_call_end(call, "caller cancelled");
		return;
	}
}
