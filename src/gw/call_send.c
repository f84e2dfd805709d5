/* call_send.c: what the B2BUA writes on a leg: its own Via (RFC 3261
 * §8.1.1.7, RFC 7118 §5 for WebSocket), Contact, requests through client
 * transactions, responses to a kept INVITE, and ACKs (§13.2.2.4). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw/call.h"

int gw_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

/* A copy of a received request that outlives the receive callback (the
 * INVITE a leg answers later). */
static void msgcopy_destroy(void *data)
{
	struct gw_msgcopy *c = data;

	mem_deref(c->buf);
}

int gw_msgcopy_alloc(struct gw_msgcopy **cp, const struct sip_msg *msg)
{
	size_t len = (size_t)(msg->body.p + msg->body.l - msg->method.p);
	struct gw_msgcopy *c;
	int err;

	c = mem_zalloc(sizeof(*c), msgcopy_destroy);
	if (!c)
		return ENOMEM;
	c->buf = mem_alloc(len + 1, NULL);
	if (!c->buf) {
		mem_deref(c);
		return ENOMEM;
	}
	memcpy(c->buf, msg->method.p, len);
	c->buf[len] = '\0';
	err = sip_msg_decode(&c->msg, c->buf, len);
	if (err) {
		mem_deref(c);
		return err;
	}
	*cp = c;
	return 0;
}

/*
 * The address this host sends from toward peer: the flow's local address,
 * or, for a socket bound to the wildcard, the one the routing table picks
 * (a connected UDP socket's name; nothing is sent).
 */
static int local_addr(const struct sip_flow *flow, struct sa *out)
{
	const struct sa *l = sip_flow_local(flow);
	const struct sa *peer = sip_flow_peer(flow);
	struct sa s;
	socklen_t len = sizeof(s.u);
	int fd, err = 0;

	*out = *l;
	if (!sa_is_any(l))
		return 0;
	fd = socket(sa_family(peer), SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, sa_sockaddr(peer), sa_len(peer)) ||
	    getsockname(fd, &s.u.sa, &len))
		err = errno;
	close(fd);
	if (!err) {
		sa_set_sockaddr(out, &s.u.sa);
		sa_set_port(out, sa_port(l));
	}
	return err;
}

static bool is_ws(const struct sip_flow *flow)
{
	enum sip_transp_type t = sip_flow_type(flow);

	return t == SIP_TRANSP_WS || t == SIP_TRANSP_WSS;
}

/* host[:port] we put in Via and Contact. A WebSocket peer cannot reach us
 * by address anyway: RFC 7118 §5 lets us use a ".invalid" name, which
 * also tells the browser nothing about our network. */
static int leg_host(struct gw_leg *leg, char *buf, size_t size)
{
	struct sa l;
	int err;

	if (is_ws(leg->flow)) {
		snprintf(buf, size, "%s.invalid", leg->ltag);
		return 0;
	}
	err = local_addr(leg->flow, &l);
	return err ? err : sa_str(&l, buf, size);
}

int gw_leg_via(struct gw_leg *leg, char *buf, size_t size)
{
	char host[SA_STR_MAX], branch[GW_BRANCH_LEN + 1];
	int err = leg_host(leg, host, sizeof(host));
	int n;

	if (err)
		return err;
	rand_pool_token(&leg->calls->srv->tags, branch, sizeof(branch));
	n = snprintf(buf, size, "SIP/2.0/%s %s;branch=" SIP_TSX_COOKIE "%s%s",
		     sip_transp_name(sip_flow_type(leg->flow)), host, branch,
		     sip_flow_type(leg->flow) == SIP_TRANSP_UDP ? ";rport"
								: "");
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

int gw_leg_contact(struct gw_leg *leg, char *buf, size_t size)
{
	char host[SA_STR_MAX];
	const char *tp;
	int err = leg_host(leg, host, sizeof(host));
	int n;

	if (err)
		return err;
	switch (sip_flow_type(leg->flow)) {
	case SIP_TRANSP_TCP: tp = ";transport=tcp"; break;
	case SIP_TRANSP_TLS: tp = ";transport=tls"; break;
	case SIP_TRANSP_WS:
	case SIP_TRANSP_WSS: tp = ";transport=ws"; break;
	default: tp = ""; break;
	}
	n = snprintf(buf, size, "<sip:%s@%s%s>", leg->ltag, host, tp);
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

static bool wants_contact(const char *method)
{
	return !strcmp(method, "INVITE") || !strcmp(method, "UPDATE") ||
	       !strcmp(method, "REFER") || !strcmp(method, "NOTIFY") ||
	       !strcmp(method, "SUBSCRIBE");
}

/* The request line and headers of a request on leg (in its dialog, or
 * the initial INVITE of a UAC leg). */
static void leg_req(struct gw_leg *leg, struct sip_req *r, const char *method,
		    uint32_t cseq)
{
	if (leg->dlg) {
		sip_dialog_req(leg->dlg, r, method, cseq);
		return;
	}
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->ruri = leg->ruri;
	r->from = leg->from;
	r->to = leg->to;
	r->callid = leg->callid;
	r->cseq = cseq ? cseq : leg->cseq;
}

static struct pl sdp_pl(const struct mbuf *sdp)
{
	struct pl pl = PL_INIT;

	if (sdp) {
		pl.p = (const char *)sdp->buf;
		pl.l = sdp->end;
	}
	return pl;
}

int gw_leg_send(struct gw_leg *leg, const char *method, uint32_t cseq,
		const char *extra, const char *ctype, const struct pl *body,
		struct sip_ctx **ctxp, sip_ctx_resp_h *resph, void *arg)
{
	struct gw_calls *cs = leg->calls;
	char via[GW_URI_MAX], contact[GW_URI_MAX];
	struct sip_req r;
	int err;

	leg_req(leg, &r, method, cseq);
	err = gw_leg_via(leg, via, sizeof(via));
	if (!err && wants_contact(method))
		err = gw_leg_contact(leg, contact, sizeof(contact));
	if (err)
		return err;
	r.via = via;
	r.contact = wants_contact(method) ? contact : NULL;
	r.extra = extra;
	r.body = body && body->l ? body : NULL;
	r.ctype = r.body ? ctype : NULL;
	mbuf_reset(cs->mb);
	err = sip_req_encode(cs->mb, &r);
	if (err)
		return err;
	if (!strcmp(method, "ACK"))
		return sip_flow_send(leg->flow, cs->mb->buf, cs->mb->end);
	err = sip_msg_decode(cs->msg, (const char *)cs->mb->buf, cs->mb->end);
	if (err)
		return err;
	return sip_ctx_send(ctxp, cs->srv->tsx, cs->msg, cs->mb->buf,
			    cs->mb->end, leg->flow, sip_flow_reliable(leg->flow),
			    resph, arg);
}

int gw_leg_send_req(struct gw_leg *leg, const char *method, uint32_t cseq,
		    const char *extra, const struct mbuf *sdp,
		    struct sip_ctx **ctxp, sip_ctx_resp_h *resph, void *arg)
{
	struct pl body = sdp_pl(sdp);

	return gw_leg_send(leg, method, cseq, extra, "application/sdp", &body,
			   ctxp, resph, arg);
}

void gw_leg_resp_ignore(int err, uint16_t scode, const struct sip_msg *msg,
			void *arg)
{
	(void)err, (void)arg;
	if (scode >= 300 && msg)
		log_debug("call", "%.*s answered %u",
			  PL_FMT(&msg->cseq.method), scode);
}

int gw_leg_ack(struct gw_leg *leg, uint32_t cseq)
{
	return gw_leg_send_req(leg, "ACK", cseq, NULL, NULL, NULL, NULL,
			       NULL);
}

int gw_leg_reply(struct gw_leg *leg, struct sip_stx *stx,
		 const struct sip_msg *req, uint16_t scode, const char *reason,
		 const char *extra, const struct mbuf *sdp)
{
	struct pl body = sdp_pl(sdp);

	return gw_leg_reply_body(leg, stx, req, scode, reason, extra,
				 "application/sdp", sdp ? &body : NULL);
}

int gw_leg_reply_body(struct gw_leg *leg, struct sip_stx *stx,
		      const struct sip_msg *req, uint16_t scode,
		      const char *reason, const char *extra, const char *ctype,
		      const struct pl *body)
{
	struct gw_calls *cs = leg->calls;
	char hdrs[GW_URI_MAX * 2], contact[GW_URI_MAX];
	char via[SIP_VIA_PARAMS_MAX];
	struct pl tag, vp;
	struct mbuf *mb;
	int err;

	if (!cs || !stx)
		return EINVAL;
	if (!req)
		req = leg->inv ? &leg->inv->msg : NULL;
	if (!req)
		return EINVAL;
	mb = cs->mb;
	hdrs[0] = '\0';
	/* a dialog-creating response carries our Contact (§12.1.1) */
	if (scode > 100 && scode < 300 &&
	    !gw_leg_contact(leg, contact, sizeof(contact)))
		snprintf(hdrs, sizeof(hdrs), "Contact: %s\r\n", contact);
	snprintf(hdrs + strlen(hdrs), sizeof(hdrs) - strlen(hdrs),
		 "Server: %s\r\nAllow: %s\r\nSupported: %s\r\n%s",
		 GW_SERVER_NAME, GW_ALLOW_CALLS, GW_SUPPORTED,
		 extra ? extra : "");
	pl_set_str(&tag, leg->ltag);
	if (sip_flow_via_params(leg->flow, req, via, sizeof(via)))
		via[0] = '\0';
	pl_set_str(&vp, via);
	mbuf_reset(mb);
	err = sip_reply_encode(mb, req, scode, reason, &tag, vp.l ? &vp : NULL,
			       hdrs, body && body->l ? ctype : NULL,
			       body && body->l ? body : NULL);
	if (err)
		return err;
	err = sip_stx_reply(stx, scode, mb->buf, mb->end);
	if (!err && scode >= 200 && scode < 300 &&
	    !pl_strcmp(&req->method, "INVITE"))
		gw_leg_await_ack(leg, stx, req->cseq.num);
	return err;
}

/* §13.3.1.4: the 2xx was sent again for 64*T1 and no ACK came: "the
 * session SHOULD be terminated", with a BYE on each leg. */
static void no_ack(int err, void *arg)
{
	struct gw_leg *leg = arg;

	(void)err;
	leg->ack_stx = mem_deref(leg->ack_stx);
	log_warn("call", "leg %s: no ACK to our 2xx", leg->callid);
	gw_call_end(leg->call, "no ACK to the 2xx");
}

void gw_leg_await_ack(struct gw_leg *leg, struct sip_stx *stx, uint32_t cseq)
{
	if (leg->ack_stx == stx)
		return; /* a 2xx sent again by us: the same wait */
	sip_stx_set_errh(leg->ack_stx, NULL, NULL);
	mem_deref(leg->ack_stx);
	leg->ack_stx = NULL;
	if (sip_stx_await_ack(stx))
		return;
	leg->ack_stx = mem_ref(stx);
	leg->ack_cseq = cseq;
	sip_stx_set_errh(stx, no_ack, leg);
}

void gw_leg_acked(struct gw_leg *leg, const struct sip_msg *ack)
{
	if (!leg->ack_stx || ack->cseq.num != leg->ack_cseq)
		return;
	sip_stx_acked(leg->ack_stx);
	sip_stx_set_errh(leg->ack_stx, NULL, NULL);
	leg->ack_stx = mem_deref(leg->ack_stx);
}
