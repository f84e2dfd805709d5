/* transp_ws.c: SIP over WebSocket (RFC 7118): one flow per WebSocket
 * connection of the http module, one SIP message per WebSocket message. */
#include <errno.h>
#include <string.h>

#include "http/http.h"
#include "sip/transp_int.h"

/* WebSocket close code for "policy violation" (RFC 6455 §7.4.1). */
#define WS_CLOSE_NORMAL 1000

struct ws_flow {
	struct sip_flow flow; /* first */
	struct ws_conn *wc;   /* referenced while open */
};

static void ws_flow_destroy(void *data)
{
	struct ws_flow *wf = data;

	mem_deref(wf->wc);
	transp_flow_release(&wf->flow);
}

static int flow_send(struct sip_flow *flow, const uint8_t *data, size_t len)
{
	struct ws_flow *wf = (struct ws_flow *)flow;

	if (!wf->wc)
		return ENOTCONN;
	/* text frames: SIP is UTF-8 text (RFC 7118 §5.1 allows both) */
	return ws_conn_send(wf->wc, data, len, false);
}

static void flow_close(struct sip_flow *flow)
{
	struct ws_flow *wf = (struct ws_flow *)flow;

	if (wf->wc)
		ws_conn_close(wf->wc, WS_CLOSE_NORMAL, "");
}

static bool flow_isopen(const struct sip_flow *flow)
{
	const struct ws_flow *wf = (const struct ws_flow *)flow;

	return wf->wc && ws_conn_is_open(wf->wc);
}

static const struct sip_flow_ops ws_ops = {
    .send = flow_send,
    .send_to = NULL,
    .close = flow_close,
    .isopen = flow_isopen,
};

int sip_transp_ws_open(struct ws_conn *wc, void *arg)
{
	struct sip_transp *tp = arg;
	struct ws_flow *wf;

	if (!wc || !tp)
		return EINVAL;
	if (tp->closed)
		return EPROTO;
	if (tp->stats.conns_open >= tp->lim.conn_max) {
		tp->stats.conns_refused++;
		return EOVERFLOW;
	}
	wf = mem_zalloc(sizeof(*wf), ws_flow_destroy);
	if (!wf)
		return ENOMEM;
	/* the http front door always runs TLS */
	transp_flow_init(&wf->flow, tp, &ws_ops, SIP_TRANSP_WSS);
	if (sa_set_sockaddr(&wf->flow.peer, ws_conn_peer(wc)))
		sa_init(&wf->flow.peer, AF_UNSPEC);
	wf->wc = mem_ref(wc);
	ws_conn_set_user(wc, wf); /* the transport's reference */
	tp->stats.conns_open++;
	return 0;
}

/* RFC 7118 §6 allows CRLF keep-alives (RFC 5626 §3.5.1) over WebSocket;
 * they come as messages of their own. */
static bool is_crlf(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	}
	return true;
}

bool transp_ws_input(struct sip_transp *tp, struct sip_flow *flow,
		     const uint8_t *data, size_t len, bool *pingp)
{
	*pingp = false;
	if (is_crlf(data, len)) {
		*pingp = len >= 4 && memmem(data, len, "\r\n\r\n", 4);
		return true;
	}
	/* RFC 7118 §5.1: each WebSocket message is one whole SIP message */
	transp_recv_msg(tp, flow, data, len, 0);
	return false;
}

void sip_transp_ws_recv(struct ws_conn *wc, const uint8_t *data, size_t len,
                        bool binary, void *arg)
{
	struct sip_transp *tp = arg;
	struct ws_flow *wf = ws_conn_user(wc);
	bool ping;

	(void)binary;
	if (!wf || !tp || tp->closed || !len)
		return;
	if (transp_ws_input(tp, &wf->flow, data, len, &ping)) {
		ws_conn_touch(wc);
		if (ping)
			ws_conn_send(wc, (const uint8_t *)"\r\n", 2, false);
	}
}

void sip_transp_ws_close(struct ws_conn *wc, uint16_t code, void *arg)
{
	struct sip_transp *tp = arg;
	struct ws_flow *wf = ws_conn_user(wc);

	(void)code;
	if (!wf)
		return;
	ws_conn_set_user(wc, NULL);
	wf->wc = mem_deref(wf->wc);
	tp->stats.conns_open--;
	transp_conn_event(tp, &wf->flow,
	                  code == WS_CLOSE_NORMAL ? 0 : ECONNRESET);
	mem_deref(wf);
}
