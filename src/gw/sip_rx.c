/* sip_rx.c: what the gateway answers to each incoming SIP message
 * (RFC 3261 §8.2 UAS behaviour, §11 OPTIONS, §21 status codes). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/call.h"
#include "gw/server.h"

#define GW_HDRS_MAX 512 /* bytes of extra header lines in one response */

/*
 * Methods in the IANA SIP method registry. One not on this list is answered
 * 501 (RFC 3261 §21.5.2); one on it that the gateway does not handle yet is
 * answered 405 with Allow (§8.2.1).
 */
static const char *const known_methods[] = {
	"ACK",	   "BYE",    "CANCEL",	 "INFO",    "INVITE",
	"MESSAGE", "NOTIFY", "OPTIONS",	 "PRACK",   "PUBLISH",
	"REFER",   "REGISTER", "SUBSCRIBE", "UPDATE",
};

static bool method_known(const struct pl *m)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(known_methods); i++)
		if (!pl_strcmp(m, known_methods[i]))
			return true;
	return false;
}

static bool host_is(const struct pl *host, const char *name)
{
	return name && !pl_strcasecmp(host, name);
}

static bool port_is(uint16_t port, const struct gw_addr *a)
{
	return a->host && a->port == port;
}

/*
 * Whether a Request-URI names the gateway itself: its SIP domain, its public
 * address or a listening address, with no port or a listening port.
 * Addresses are compared as written (an IPv6 address written in another
 * form is not recognised; the gateway then answers 404, which is safe).
 */
static bool uri_is_self(const struct gw_config *cfg, const struct sip_uri *u)
{
	const struct pl *h = &u->host;
	bool host_ok, port_ok;

	if (pl_strcasecmp(&u->scheme, "sip") &&
	    pl_strcasecmp(&u->scheme, "sips"))
		return false;
	host_ok = host_is(h, cfg->sip.domain) ||
		  host_is(h, cfg->server.public_address) ||
		  host_is(h, cfg->sip.udp.host) ||
		  host_is(h, cfg->sip.tcp.host) ||
		  host_is(h, cfg->sip.tls.host) ||
		  host_is(h, cfg->https.listen.host);
	port_ok = !u->port || port_is(u->port, &cfg->sip.udp) ||
		  port_is(u->port, &cfg->sip.tcp) ||
		  port_is(u->port, &cfg->sip.tls) ||
		  port_is(u->port, &cfg->https.listen);
	return host_ok && port_ok;
}

/*
 * Sends the response to req whose extra header lines (NUL-terminated) are in
 * srv->hdrbuf: through its server transaction when there is one (so that
 * retransmissions are answered again), else statelessly.
 */
static void send_reply(struct gw_server *srv, struct sip_flow *flow,
		       struct sip_stx *stx, const struct sip_msg *req,
		       uint16_t scode, const char *reason)
{
	char via[SIP_VIA_PARAMS_MAX], tag[GW_TAG_LEN];
	struct pl vp, tagpl;
	struct mbuf *mb = srv->txbuf;
	int err;

	if (sip_flow_via_params(flow, req, via, sizeof(via)))
		via[0] = '\0';
	pl_set_str(&vp, via);
	rand_pool_token(&srv->tags, tag, sizeof(tag));
	pl_set_str(&tagpl, tag);
	mbuf_reset(mb);
	err = sip_reply_encode(mb, req, scode, reason, &tagpl,
			       vp.l ? &vp : NULL,
			       (const char *)srv->hdrbuf->buf, NULL, NULL);
	if (err) {
		log_warn("sip", "cannot encode %u response: %s", scode,
			 strerror(err));
		return;
	}
	if (stx)
		err = sip_stx_reply(stx, scode, mb->buf, mb->end);
	else
		err = sip_flow_reply(flow, req, mb->buf, mb->end);
	if (err)
		log_debug("sip", "sending %u failed: %s", scode, strerror(err));
}

/* Starts srv->hdrbuf with the header lines every response carries. */
static int hdrs_begin(struct gw_server *srv)
{
	mbuf_reset(srv->hdrbuf);
	return mbuf_printf(srv->hdrbuf, "Server: %s\r\n", GW_SERVER_NAME);
}

/* Ends srv->hdrbuf: the encoder takes it as a C string. */
static int hdrs_end(struct gw_server *srv)
{
	return mbuf_write_mem(srv->hdrbuf, "", 1);
}

/* Answers req with extra header lines (or NULL). */
static void reply(struct gw_server *srv, struct sip_flow *flow,
		  struct sip_stx *stx, const struct sip_msg *req,
		  uint16_t scode, const char *reason, const char *extra)
{
	int err = hdrs_begin(srv);

	if (!err && extra)
		err = mbuf_write_str(srv->hdrbuf, extra);
	if (!err)
		err = hdrs_end(srv);
	if (err) {
		log_error("sip", "no memory for a %u response", scode);
		return;
	}
	send_reply(srv, flow, stx, req, scode, reason);
}

static void log_request(const struct sip_flow *flow, const struct sip_msg *m,
			uint16_t scode, const char *reason)
{
	char peer[64];

	if (log_level_get() > LOG_DEBUG)
		return;
	if (sa_str(sip_flow_peer(flow), peer, sizeof(peer)))
		snprintf(peer, sizeof(peer), "?");
	log_debug("sip", "%s %.*s %.*s from %s: %u %s",
		  sip_transp_name(sip_flow_type(flow)), PL_FMT(&m->method),
		  PL_FMT(&m->ruri_raw), peer, scode, reason);
}

/* RFC 3261 §8.2.2.3: every option tag in Require is unsupported today. */
static bool requires_extension(const struct sip_msg *msg, char *buf,
			       size_t size)
{
	const struct sip_hdr *h;
	size_t n = 0;

	for (h = sip_msg_hdr(msg, SIP_HDR_REQUIRE); h;
	     h = sip_msg_hdr_next(msg, h, SIP_HDR_REQUIRE)) {
		int w = snprintf(buf + n, size - n, "%s%.*s", n ? ", " : "",
				 PL_FMT(&h->val));

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	return n > 0;
}

/*
 * RFC 3261 §10.3 with digest authentication and bans (src/gw/reg.c). The
 * contact is bound to the flow the REGISTER came on: the path back to the
 * device (RFC 5626, RFC 7118).
 */
static void handle_register(struct gw_server *srv, struct sip_flow *flow,
			    struct sip_flow *rf, struct sip_stx *stx,
			    const struct sip_msg *msg)
{
	struct sip_reg_reply rep = {500, "Server Internal Error"};
	int err;

	err = hdrs_begin(srv);
	if (!err && gw_reg_handle(srv->reg, msg, flow, srv->hdrbuf, &rep)) {
		rep.scode = 500;
		rep.reason = "Server Internal Error";
	}
	if (!err)
		err = hdrs_end(srv);
	if (err) {
		log_error("sip", "no memory for a REGISTER response");
		return;
	}
	log_request(flow, msg, rep.scode, rep.reason);
	send_reply(srv, rf, stx, msg, rep.scode, rep.reason);
}

/* A new request that passed the syntax and transaction checks. */
static void handle_request(struct gw_server *srv, struct sip_flow *flow,
			   struct sip_flow *rf, struct sip_stx *stx,
			   const struct sip_msg *msg)
{
	char hdrs[GW_HDRS_MAX], tags[GW_HDRS_MAX / 2];
	uint16_t scode;
	const char *reason;

	srv->stats.requests++;
	/* a request inside a call's dialog (RFC 3261 §12.2.2) */
	if (pl_isset(&msg->to.tag) && pl_strcmp(&msg->method, "INVITE") &&
	    srv->calls) {
		if (!gw_call_in_dialog(srv, rf, stx, msg)) {
			log_request(flow, msg, 481, "no such dialog");
			reply(srv, rf, stx, msg, 481,
			      "Call/Transaction Does Not Exist", NULL);
		}
		return;
	}
	if (!pl_strcmp(&msg->method, "MESSAGE") && srv->calls &&
	    pl_isset(&msg->ruri.user)) {
		gw_message(srv, flow, rf, stx, msg);
		return;
	}
	if (!pl_strcmp(&msg->method, "INVITE") && srv->calls) {
		if (pl_isset(&msg->to.tag) &&
		    gw_call_in_dialog(srv, rf, stx, msg))
			return;
		if (requires_extension(msg, tags, sizeof(tags))) {
			snprintf(hdrs, sizeof(hdrs), "Unsupported: %s\r\n",
				 tags);
			reply(srv, rf, stx, msg, 420, "Bad Extension", hdrs);
			return;
		}
		gw_call_invite(srv, flow, rf, stx, msg);
		return;
	}
	/* RFC 3261 §10.3 step 1: only for a Request-URI naming us */
	if (!pl_strcmp(&msg->method, "REGISTER") &&
	    uri_is_self(srv->cfg, &msg->ruri) && !pl_isset(&msg->ruri.user)) {
		handle_register(srv, flow, rf, stx, msg);
		return;
	}
	if (!method_known(&msg->method)) {
		scode = 501, reason = "Not Implemented";
		snprintf(hdrs, sizeof(hdrs), "Allow: %s\r\n", GW_ALLOW);
	} else if (pl_isset(&msg->ruri.user) ||
		   !uri_is_self(srv->cfg, &msg->ruri)) {
		/* Users and other domains come with the registrar and the
		 * PBX connections. */
		scode = 404, reason = "Not Found";
		hdrs[0] = '\0';
	} else if (pl_strcmp(&msg->method, "OPTIONS")) {
		scode = 405, reason = "Method Not Allowed";
		snprintf(hdrs, sizeof(hdrs), "Allow: %s\r\n", GW_ALLOW);
	} else if (requires_extension(msg, tags, sizeof(tags))) {
		scode = 420, reason = "Bad Extension";
		snprintf(hdrs, sizeof(hdrs), "Unsupported: %s\r\n", tags);
	} else {
		/* RFC 3261 §11.2 */
		scode = 200, reason = "OK";
		snprintf(hdrs, sizeof(hdrs),
			 "Allow: %s\r\nAccept: %s\r\nAccept-Encoding: "
			 "identity\r\nAccept-Language: en\r\nSupported: %s\r\n",
			 GW_ALLOW, GW_ACCEPT, GW_SUPPORTED);
	}
	log_request(flow, msg, scode, reason);
	reply(srv, rf, stx, msg, scode, reason, hdrs);
}

/* RFC 3261 §9.2: a CANCEL gets 200 and its INVITE 487, or 481 alone. */
static void handle_cancel(struct gw_server *srv, struct sip_flow *flow,
			  const struct sip_msg *msg, struct sip_tsx_in *in)
{
	if (!in->invite) {
		log_request(flow, msg, 481, "no transaction");
		reply(srv, flow, in->stx, msg, 481,
		      "Call/Transaction Does Not Exist", NULL);
		return;
	}
	reply(srv, flow, in->stx, msg, 200, "OK", NULL);
	if (srv->calls && sip_stx_scode(in->invite) < 200)
		gw_call_cancel(srv, in->invite); /* 487 and CANCEL onward */
}

static void handle_invalid(struct gw_server *srv, struct sip_flow *flow,
			   const struct sip_msg *msg, uint16_t scode,
			   const char *reason)
{
	/* An ACK is never answered (RFC 3261 §17.2.1); nor is what cannot
	 * carry a response back. */
	if (!pl_strcmp(&msg->method, "ACK") || !sip_msg_can_reply(msg)) {
		srv->stats.dropped++;
		return;
	}
	srv->stats.rejected++;
	log_request(flow, msg, scode, reason);
	reply(srv, flow, NULL, msg, scode, reason, NULL);
}

void gw_sip_recv(struct sip_flow *flow, int err, struct sip_msg *msg,
		 void *arg)
{
	struct gw_server *srv = arg;
	struct sip_tsx_in in = {0};
	struct sip_flow *rf = NULL;
	uint16_t scode;
	const char *reason;

	/* The timer list's clock moves only when one of its timers fires:
	 * bring it to now before the transaction layer starts timers for
	 * this message (or a 100 Trying due "200 ms after" a stale now goes
	 * out at once) and before handlers issue nonces or check expiries. */
	tmrl_poll(srv->tl, net_now_ms(&srv->loop));
	if (!msg->req) {
		srv->stats.responses++;
		if (err)
			srv->stats.dropped++;
		else if (sip_tsx_recv_response(srv->tsx, msg) == ENOENT &&
			 msg->scode >= 200 && msg->scode < 300 && srv->calls)
			gw_call_stray_2xx(srv->calls, msg);
		return;
	}
	/* a transport framing error may come with a message that decoded */
	if (err) {
		scode = 400;
		reason = msg->err ? msg->err : "Bad Request";
	}
	if (err || sip_msg_check(msg, &scode, &reason)) {
		handle_invalid(srv, flow, msg, scode, reason);
		return;
	}
	/* RFC 3261 §18.2.2: where this request's responses go */
	if (sip_flow_reply_flow(&rf, flow, msg)) {
		srv->stats.dropped++;
		return;
	}
	err = sip_tsx_recv_request(srv->tsx, msg, rf, sip_flow_reliable(rf),
				   &in);
	if (err == EOVERFLOW && pl_strcmp(&msg->method, "ACK")) {
		/* the transaction cap: a flood of new branches */
		srv->stats.rejected++;
		reply(srv, rf, NULL, msg, 503, "Service Unavailable",
		      "Retry-After: 5\r\n");
	}
	if (err)
		goto out;

	switch (in.what) {
	case SIP_TSX_NEW:
		handle_request(srv, flow, rf, in.stx, msg);
		break;
	case SIP_TSX_CANCEL:
		handle_cancel(srv, rf, msg, &in);
		break;
	case SIP_TSX_ACK: /* an ACK to a 2xx: the call's dialog takes it */
		if (!srv->calls || !gw_call_in_dialog(srv, rf, NULL, msg))
			srv->stats.dropped++;
		break;
	case SIP_TSX_ABSORBED:
		break;
	}
out:
	mem_deref(in.stx);
	mem_deref(in.invite);
	mem_deref(rf);
}

int gw_sip_send(void *dest, const uint8_t *data, size_t len, void *arg)
{
	(void)arg;
	return sip_flow_send(dest, data, len);
}

int gw_sip_via(void *dest, const struct sip_msg *req, char *buf, size_t size,
	       void *arg)
{
	(void)arg;
	return sip_flow_via_params(dest, req, buf, size);
}
