/* conn_trunk.c: sending on a connection (flows toward the PBX through the
 * transaction layer) and trunk health: an OPTIONS request (RFC 3261 §11)
 * every options_interval marks the trunk up or down. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/conn_int.h"
#include "gw/server.h"

#define TRUNK_MAX_FORWARDS 70

int gw_conn_local_hostport(const struct gw_conn *c, char *buf, size_t size)
{
	const struct gw_conns *cs = c->cs;
	const char *pub = cs->cfg->server.public_address;
	struct sa la;
	uint16_t port = c->conf->transport == SIP_TRANSP_TLS ? 5061 : 5060;
	int n;

	sa_init(&la, AF_INET);
	if (cs->srv &&
	    !sip_transp_laddr(cs->srv->tp, c->conf->transport, AF_UNSPEC, &la))
		port = sa_port(&la);
	if (!pub) {
		char host[SA_ADDR_MAX];

		if (sa_ntop(&la, host, sizeof(host)))
			return EINVAL;
		n = snprintf(buf, size,
			     sa_family(&la) == AF_INET6 ? "[%s]:%u" : "%s:%u",
			     host, port);
	} else {
		n = snprintf(buf, size, strchr(pub, ':') ? "[%s]:%u" : "%s:%u",
			     pub, port);
	}
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

int gw_conn_send(struct gw_conn *c, const struct sa *dst, struct mbuf *mb,
		 struct sip_ctx **ctxp, sip_ctx_resp_h *resph, void *arg)
{
	struct gw_conns *cs = c->cs;
	struct gw_conn_rt *rt = gw_conn_rt(c);
	struct sip_msg *msg;
	void *dest = c; /* unit tests: their send handler gets the conn */
	bool reliable = c->conf->transport != SIP_TRANSP_UDP;
	struct sa to;
	int err;

	if (!cs->tsx || !c->addrc)
		return ENOTCONN;
	if (dst)
		to = *dst;
	else if (gw_conn_pick(c, &to))
		return ENOTCONN;
	if (cs->srv) {
		/* one flow per connection, to the target in use */
		if (rt->flow && (!sip_flow_isopen(rt->flow) ||
				 !sa_cmp(sip_flow_peer(rt->flow), &to)))
			rt->flow = mem_deref(rt->flow);
		if (!rt->flow) {
			err = sip_transp_connect(
			    &rt->flow, cs->srv->tp, c->conf->transport, &to,
			    c->conf->transport == SIP_TRANSP_TLS ? c->conf->host
								 : NULL);
			if (err)
				return err;
		}
		dest = rt->flow;
	}
	msg = mem_zalloc(sizeof(*msg), NULL);
	if (!msg)
		return ENOMEM;
	err = sip_msg_decode(msg, (const char *)mb->buf, mb->end);
	if (!err)
		err = sip_ctx_send(ctxp, cs->tsx, msg, mb->buf, mb->end, dest,
				   reliable, resph, arg);
	mem_deref(msg);
	return err;
}

static void on_options(int err, uint16_t scode, const struct sip_msg *msg,
		       void *arg);

static void options_send(void *arg)
{
	struct gw_conn *c = arg;
	struct gw_conn_rt *rt = gw_conn_rt(c);
	const struct gw_conn_conf *cf = c->conf;
	const char *dom = cf->from_domain ? cf->from_domain : cf->host;
	char local[SA_STR_MAX + NET_HOST_MAX], branch[GW_CONN_TAG_LEN + 1];
	char tag[GW_CONN_TAG_LEN + 1], port[8];
	bool v6 = strchr(cf->host, ':') != NULL;
	bool dv6 = strchr(dom, ':') != NULL;
	struct mbuf *mb = NULL;
	int err;

	rt->ctx = mem_deref(rt->ctx);
	if (!sa_isset(&rt->opt_dst) && gw_conn_pick(c, &rt->opt_dst)) {
		on_options(ENOTCONN, 503, NULL, c);
		return;
	}
	/* each check its own Call-ID: a peer (sipp as UAS) may take a
	 * repeated one for a stray message of an ended call */
	rand_pool_token(&c->cs->rp, rt->callid, sizeof(rt->callid));
	err = gw_conn_local_hostport(c, local, sizeof(local));
	rand_pool_token(&c->cs->rp, branch, sizeof(branch));
	rand_pool_token(&c->cs->rp, tag, sizeof(tag));
	gw_conn_ruri_port(c, port, sizeof(port));
	err = err ? err : mbuf_alloc(&mb, 1024);
	err = err ? err
		  : mbuf_printf(mb,
				"OPTIONS sip:%s%s%s%s SIP/2.0\r\n"
				"Via: SIP/2.0/%s %s;branch=" SIP_TSX_COOKIE
				"%s;rport\r\n"
				"Max-Forwards: %u\r\n"
				"From: <sip:sipcloak@%s%s%s>;tag=%s\r\n"
				"To: <sip:%s%s%s>\r\n"
				"Call-ID: %s\r\n"
				"CSeq: %u OPTIONS\r\n"
				"Accept: application/sdp\r\n"
				"User-Agent: sipcloak\r\n"
				"Content-Length: 0\r\n\r\n",
				v6 ? "[" : "", cf->host, v6 ? "]" : "",
				port, sip_transp_name(cf->transport), local,
				branch, TRUNK_MAX_FORWARDS, dv6 ? "[" : "", dom,
				dv6 ? "]" : "", tag, v6 ? "[" : "", cf->host,
				v6 ? "]" : "", rt->callid, ++rt->cseq);
	err = err ? err
		  : gw_conn_send(c, &rt->opt_dst, mb, &rt->ctx, on_options, c);
	mem_deref(mb);
	if (err)
		on_options(err, 503, NULL, c);
}

/* Any final response shows the peer is alive, except 503 (RFC 3261
 * §21.5.4: it cannot serve now), which counts as down like a timeout
 * or a transport failure. */
static void on_options(int err, uint16_t scode, const struct sip_msg *msg,
		       void *arg)
{
	struct gw_conn *c = arg;
	struct gw_conn_rt *rt = gw_conn_rt(c);
	enum gw_conn_state st;

	(void)msg;
	if (scode < 200)
		return;
	st = !err && scode != 503 ? GW_CONN_STATE_UP : GW_CONN_STATE_DOWN;
	/* RFC 3263 §4.3: a failed target is skipped; the next is asked at
	 * once, and the trunk is down only when none is left */
	if (st == GW_CONN_STATE_DOWN && !c->cs->closing &&
	    sa_isset(&rt->opt_dst)) {
		struct sa next;

		gw_conn_target_failed(c, &rt->opt_dst);
		if (!gw_conn_target_next(c, &rt->opt_dst, &next)) {
			rt->opt_dst = next;
			options_send(c);
			return;
		}
	}
	sa_init(&rt->opt_dst, AF_UNSPEC); /* the next check picks anew */
	if (st != c->state)
		log_msg(st == GW_CONN_STATE_UP ? LOG_INFO : LOG_WARN, "conn",
			"[connection %s] trunk %s (%u%s%s)", c->conf->name,
			st == GW_CONN_STATE_UP ? "up" : "down", scode,
			err ? ", " : "", err ? strerror(err) : "");
	c->state = st;
	c->last_scode = scode;
	c->last_err = err;
	if (!c->cs->closing)
		tmr_start(&rt->tmr, c->cs->tl,
			  (uint64_t)c->conf->options_interval * 1000,
			  options_send, c);
}

void gw_trunk_start(struct gw_conn *c)
{
	struct gw_conn_rt *rt = gw_conn_rt(c);

	if (c->conf->type != GW_CONN_TRUNK || !c->cs->tsx ||
	    tmr_isrunning(&rt->tmr) || rt->ctx)
		return;
	if (!c->conf->options_interval) { /* no health check: always up */
		c->state = GW_CONN_STATE_UP;
		return;
	}
	options_send(c);
}

void gw_trunk_stop(struct gw_conn *c)
{
	struct gw_conn_rt *rt = gw_conn_rt(c);

	tmr_cancel(&rt->tmr);
	if (rt->ctx)
		sip_ctx_close(rt->ctx);
	rt->ctx = mem_deref(rt->ctx);
}

void gw_conns_flow_closed(struct gw_conns *cs, struct sip_flow *flow, int err)
{
	struct le *le, *ule;

	if (!cs || !flow || !err || cs->closing)
		return;
	LIST_FOREACH(&cs->conns, le)
	{
		struct gw_conn *c = le->data;
		struct gw_conn_rt *rt = gw_conn_rt(c);
		const struct sa *peer = sip_flow_peer(flow);

		if (rt->flow != flow)
			continue;
		/* the connection's one flow is going: let go of it, so that
		 * what is sent next opens a new one */
		rt->flow = mem_deref(rt->flow);
		LIST_FOREACH(&rt->users, ule)
		{
			struct gw_conn_user *u = ule->data;

			if (!u->ctx || !sip_ctx_alive(u->ctx) ||
			    !sa_cmp(&u->dst, peer))
				continue;
			sip_ctx_close(u->ctx);
			u->ctx = mem_deref(u->ctx);
			gw_upreg_response(u, err, 503, NULL);
		}
		if (rt->ctx && sip_ctx_alive(rt->ctx) &&
		    sa_cmp(&rt->opt_dst, peer)) {
			sip_ctx_close(rt->ctx);
			rt->ctx = mem_deref(rt->ctx);
			on_options(err, 503, NULL, c);
		}
	}
}
