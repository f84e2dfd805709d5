/* transp.c: the SIP transport layer: flows, dispatch, delivery, response
 * routing (RFC 3261 §18.2, RFC 3581 §4). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/transp_int.h"

/* Idle checks run this often at most, and at least this often. */
#define TRANSP_SWEEP_MIN_MS 10
#define TRANSP_SWEEP_MAX_MS 5000
/* Connection hash buckets (by peer address). */
#define TRANSP_CONN_BUCKETS 1024

const char *sip_transp_name(enum sip_transp_type type)
{
	switch (type) {
	case SIP_TRANSP_UDP:
		return "UDP";
	case SIP_TRANSP_TCP:
		return "TCP";
	case SIP_TRANSP_TLS:
		return "TLS";
	case SIP_TRANSP_WS:
		return "WS";
	case SIP_TRANSP_WSS:
		return "WSS";
	default:
		return "?";
	}
}

bool sip_transp_reliable(enum sip_transp_type type)
{
	return type != SIP_TRANSP_UDP;
}

static void transp_destroy(void *data)
{
	struct sip_transp *tp = data;

	mem_deref(tp->conn_ht);
	mem_deref(tp->rxbuf);
	mem_deref(tp->tls_client);
}

static uint64_t sweep_interval(const struct sip_transp *tp)
{
	uint64_t ms = tp->lim.idle_ms / 4;

	return SC_MAX(TRANSP_SWEEP_MIN_MS, SC_MIN(ms, TRANSP_SWEEP_MAX_MS));
}

static void on_sweep(uv_timer_t *h)
{
	struct sip_transp *tp = h->data;

	transp_conn_sweep(tp, uv_now(tp->loop));
}

static void on_sweep_close(uv_handle_t *h)
{
	mem_deref(h->data);
}

int sip_transp_alloc(struct sip_transp **tpp, uv_loop_t *loop,
                     sip_transp_recv_h *recvh, void *arg)
{
	struct sip_transp *tp;
	int err;

	if (!tpp || !loop || !recvh)
		return EINVAL;
	tp = mem_zalloc(sizeof(*tp), transp_destroy);
	if (!tp)
		return ENOMEM;
	tp->loop = loop;
	tp->recvh = recvh;
	tp->arg = arg;
	tp->lim.conn_max = SIP_TRANSP_CONN_MAX;
	tp->lim.conn_per_ip = SIP_TRANSP_CONN_PER_IP;
	tp->lim.idle_ms = SIP_TRANSP_IDLE_MS;
	tp->rxbuf = mem_alloc(SIP_MSG_MAX, NULL);
	err =
	    tp->rxbuf ? hash_alloc(&tp->conn_ht, TRANSP_CONN_BUCKETS) : ENOMEM;
	if (err) {
		mem_deref(tp);
		return err;
	}
	uv_timer_init(loop, &tp->sweep);
	tp->sweep.data = mem_ref(tp); /* until on_sweep_close */
	uv_timer_start(&tp->sweep, on_sweep, sweep_interval(tp),
	               sweep_interval(tp));
	uv_unref((uv_handle_t *)&tp->sweep);
	*tpp = tp;
	return 0;
}

void sip_transp_set_connh(struct sip_transp *tp, sip_transp_conn_h *connh)
{
	if (tp)
		tp->connh = connh;
}

void sip_transp_set_unreachh(struct sip_transp *tp,
                             sip_transp_unreach_h *unreachh)
{
	if (tp)
		tp->unreachh = unreachh;
}

void sip_transp_set_limits(struct sip_transp *tp,
                           const struct sip_transp_limits *lim)
{
	if (!tp || !lim)
		return;
	if (lim->conn_max)
		tp->lim.conn_max = lim->conn_max;
	if (lim->conn_per_ip)
		tp->lim.conn_per_ip = lim->conn_per_ip;
	if (lim->idle_ms)
		tp->lim.idle_ms = lim->idle_ms;
	if (!tp->closed)
		uv_timer_start(&tp->sweep, on_sweep, sweep_interval(tp),
		               sweep_interval(tp));
}

void sip_transp_set_tls_client(struct sip_transp *tp, struct tls_ctx *ctx)
{
	if (!tp)
		return;
	mem_deref(tp->tls_client);
	tp->tls_client = mem_ref(ctx);
}

int sip_transp_listen(struct sip_transp *tp, enum sip_transp_type type,
                      const struct sa *laddr, struct tls_ctx *tls)
{
	if (!tp || !sa_isset(laddr) || tp->closed)
		return EINVAL;
	switch (type) {
	case SIP_TRANSP_UDP:
		return transp_udp_listen(tp, laddr);
	case SIP_TRANSP_TCP:
		return transp_tcp_listen(tp, type, laddr, NULL);
	case SIP_TRANSP_TLS:
		if (!tls)
			return EINVAL;
		return transp_tcp_listen(tp, type, laddr, tls);
	default:
		return EINVAL; /* WS/WSS: the http module listens */
	}
}

int sip_transp_laddr(const struct sip_transp *tp, enum sip_transp_type type,
                     int af, struct sa *laddr)
{
	if (!tp || !laddr)
		return EINVAL;
	if (type == SIP_TRANSP_UDP)
		return transp_udp_laddr(tp, af, laddr);
	return transp_tcp_laddr(tp, type, af, laddr);
}

int sip_transp_connect(struct sip_flow **flowp, struct sip_transp *tp,
                       enum sip_transp_type type, const struct sa *dst,
                       const char *tls_host)
{
	if (!flowp || !tp || !sa_isset(dst) || !sa_port(dst))
		return EINVAL;
	if (tp->closed)
		return EPROTO;
	switch (type) {
	case SIP_TRANSP_UDP:
		return transp_udp_flow(flowp, tp, dst);
	case SIP_TRANSP_TCP:
	case SIP_TRANSP_TLS:
		return transp_tcp_connect(flowp, tp, type, dst, tls_host);
	default:
		return EINVAL; /* WebSocket flows are only ever incoming */
	}
}

void sip_transp_close(struct sip_transp *tp)
{
	if (!tp || tp->closed)
		return;
	tp->closed = true;
	transp_udp_close_all(tp);
	transp_tcp_close_all(tp);
	uv_timer_stop(&tp->sweep);
	uv_close((uv_handle_t *)&tp->sweep, on_sweep_close);
}

void sip_transp_stats(const struct sip_transp *tp, struct sip_transp_stats *st)
{
	if (tp && st)
		*st = tp->stats;
}

void transp_flow_init(struct sip_flow *flow, struct sip_transp *tp,
                      const struct sip_flow_ops *ops, enum sip_transp_type type)
{
	flow->ops = ops;
	flow->tp = mem_ref(tp);
	flow->type = type;
}

void transp_flow_release(struct sip_flow *flow)
{
	flow->tp = mem_deref(flow->tp);
}

void transp_deliver(struct sip_transp *tp, struct sip_flow *flow, int err)
{
	struct sip_msg *msg = &tp->msg;

	if (err) {
		tp->stats.parse_errors++;
		/* Only a request we can answer is worth a callback. */
		if (!msg->req || !sip_msg_can_reply(msg)) {
			tp->stats.dropped++;
			return;
		}
	} else {
		tp->stats.received++;
	}
	mem_ref(tp); /* the handler may close and drop the transport */
	mem_ref(flow);
	tp->recvh(flow, err, msg, tp->arg);
	mem_deref(flow);
	mem_deref(tp);
}

void transp_recv_msg(struct sip_transp *tp, struct sip_flow *flow,
                     const uint8_t *data, size_t len, int frame_err)
{
	int err;

	/* sip_msg_decode() resets what it uses: no 5 KB memset per message */
	err = sip_msg_decode(&tp->msg, (const char *)data, len);
	transp_deliver(tp, flow, frame_err ? frame_err : err);
}

void transp_conn_event(struct sip_transp *tp, struct sip_flow *flow, int err)
{
	if (tp->closed || !tp->connh)
		return;
	mem_ref(tp);
	mem_ref(flow);
	tp->connh(flow, err, tp->arg);
	mem_deref(flow);
	mem_deref(tp);
}

enum sip_transp_type sip_flow_type(const struct sip_flow *flow)
{
	return flow ? flow->type : SIP_TRANSP_UDP;
}

const struct sa *sip_flow_peer(const struct sip_flow *flow)
{
	return flow ? &flow->peer : NULL;
}

const struct sa *sip_flow_local(const struct sip_flow *flow)
{
	return flow ? &flow->local : NULL;
}

bool sip_flow_reliable(const struct sip_flow *flow)
{
	return flow && sip_transp_reliable(flow->type);
}

bool sip_flow_isopen(const struct sip_flow *flow)
{
	return flow && flow->tp && !flow->tp->closed && flow->ops->isopen(flow);
}

int sip_flow_send(struct sip_flow *flow, const uint8_t *data, size_t len)
{
	int err;

	if (!flow || !data || !len)
		return EINVAL;
	if (!sip_flow_isopen(flow))
		return ENOTCONN;
	err = flow->ops->send(flow, data, len);
	if (!err)
		flow->tp->stats.sent++;
	return err;
}

void sip_flow_close(struct sip_flow *flow)
{
	if (flow && flow->ops->close)
		flow->ops->close(flow);
}

/* The Via host as an address, if it is a literal one. */
static bool via_host_is(const struct sip_via *via, const struct sa *src)
{
	char host[SA_ADDR_MAX];
	struct sa sa;

	if (pl_strcpy(&via->host, host, sizeof(host)))
		return false;
	return !sa_set(&sa, host, 0) && sa_cmp_addr(&sa, src);
}

int sip_flow_via_params(const struct sip_flow *flow, const struct sip_msg *req,
                        char *buf, size_t size)
{
	char host[SA_ADDR_MAX];
	struct sa src;
	bool received;
	int n = 0, err;

	if (!flow || !req || !buf || !size)
		return EINVAL;
	buf[0] = '\0';
	if (flow->type == SIP_TRANSP_WS || flow->type == SIP_TRANSP_WSS)
		return 0;
	/* a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d */
	sa_unmap(&src, &flow->peer);
	/* §18.2.1: received when sent-by differs from the source;
	 * RFC 3581 §4: always received and rport when rport was asked. */
	received = req->via.rport || !via_host_is(&req->via, &src);
	if (!received)
		return 0;
	err = sa_ntop(&src, host, sizeof(host));
	if (err)
		return err;
	if (req->via.rport)
		n = snprintf(buf, size, ";received=%s;rport=%u", host,
		             sa_port(&src));
	else
		n = snprintf(buf, size, ";received=%s", host);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return EOVERFLOW;
	}
	return 0;
}

/* §18.2.2 unreliable unicast: the source address (what "received"
 * names); the source port with rport (RFC 3581 §4), else the sent-by
 * port, else 5060. */
static void reply_dst(struct sa *dst, const struct sip_flow *flow,
                      const struct sip_msg *req)
{
	*dst = flow->peer;
	if (!req->via.rport)
		sa_set_port(dst,
		            req->via.port ? req->via.port : SIP_TRANSP_PORT);
}

int sip_flow_reply_flow(struct sip_flow **rfp, struct sip_flow *flow,
                        const struct sip_msg *req)
{
	struct sa dst;

	if (!rfp || !flow || !req)
		return EINVAL;
	reply_dst(&dst, flow, req);
	if (sip_flow_reliable(flow) || !flow->ops->flow_to ||
	    sa_cmp(&dst, &flow->peer)) {
		*rfp = mem_ref(flow);
		return 0;
	}
	return flow->ops->flow_to(rfp, flow, &dst);
}

int sip_flow_reply(struct sip_flow *flow, const struct sip_msg *req,
                   const uint8_t *data, size_t len)
{
	struct sa dst;
	int err;

	if (!flow || !req || !data || !len)
		return EINVAL;
	if (sip_flow_reliable(flow))
		return sip_flow_send(flow, data, len);
	if (!sip_flow_isopen(flow))
		return ENOTCONN;
	reply_dst(&dst, flow, req);
	err = flow->ops->send_to(flow, &dst, data, len);
	if (!err)
		flow->tp->stats.sent++;
	return err;
}
