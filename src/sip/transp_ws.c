/* transp_ws.c: SIP over secure WebSocket (RFC 7118): one flow per
 * WebSocket connection of the http module, one SIP message per WebSocket
 * message. */
#include <errno.h>
#include <string.h>

#include "http/http.h"
#include "sip/transp_int.h"

struct ws_flow {
	struct sip_flow flow; /* first: a struct sip_flow * is this object */
	struct ws_conn *conn; /* referenced; closed once the socket went */
};

/*
 * RFC 7118 §5: SIP messages are UTF-8 text, so they go as text frames;
 * a message whose body is not valid UTF-8 must go as a binary frame, or
 * the browser would fail the connection (RFC 6455 §8.1).
 */
static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += k + 1;
	}
	return true;
}

static int ws_flow_send(struct sip_flow *flow, const uint8_t *data,
			size_t len)
{
	struct ws_flow *wf = (struct ws_flow *)flow;

	return ws_conn_send(wf->conn, data, len, !utf8_valid(data, len));
}

static int ws_flow_send_to(struct sip_flow *flow, const struct sa *dst,
			   const uint8_t *data, size_t len)
{
	(void)dst;
	return ws_flow_send(flow, data, len);
}

static void ws_flow_close(struct sip_flow *flow)
{
	struct ws_flow *wf = (struct ws_flow *)flow;

	ws_conn_close(wf->conn, 1000, "closed by the gateway");
}

static bool ws_flow_isopen(const struct sip_flow *flow)
{
	const struct ws_flow *wf = (const struct ws_flow *)flow;

	return ws_conn_is_open(wf->conn);
}

static const struct sip_flow_ops ws_ops = {
	.send = ws_flow_send,
	.send_to = ws_flow_send_to,
	.close = ws_flow_close,
	.isopen = ws_flow_isopen,
};

static void ws_flow_destroy(void *data)
{
	struct ws_flow *wf = data;

	mem_deref(wf->conn);
	transp_flow_release(&wf->flow);
}

static int on_open(struct ws_conn *c, void *arg)
{
	struct sip_transp *tp = arg;
	struct ws_flow *wf;

	if (tp->closed)
		return EPROTO;
	wf = mem_zalloc(sizeof(*wf), ws_flow_destroy);
	if (!wf)
		return ENOMEM;
	transp_flow_init(&wf->flow, tp, &ws_ops, SIP_TRANSP_WSS);
	wf->conn = mem_ref(c);
	if (sa_set_sockaddr(&wf->flow.peer, ws_conn_peer(c)))
		sa_init(&wf->flow.peer, AF_INET);
	ws_conn_set_user(c, wf);
	tp->stats.conns_open++;
	return 0;
}

/* RFC 5626 §3.5.1 keep-alives also travel over WebSocket: a message of
 * CR/LF only; one holding a double CRLF (the ping) is answered with CRLF
 * (the pong). Either way the connection is alive. */
static bool keepalive(struct ws_conn *c, const uint8_t *data, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (data[i] != '\r' && data[i] != '\n')
			return false;
	ws_conn_touch(c);
	if (memmem(data, len, "\r\n\r\n", 4))
		ws_conn_send(c, (const uint8_t *)"\r\n", 2, false);
	return true;
}

static void on_recv(struct ws_conn *c, const uint8_t *data, size_t len,
		    bool binary, void *arg)
{
	struct sip_transp *tp = arg;
	struct ws_flow *wf = ws_conn_user(c);

	(void)binary;
	if (!wf || tp->closed || keepalive(c, data, len))
		return;
	transp_recv_msg(tp, &wf->flow, data, len, 0);
}

static void on_close(struct ws_conn *c, uint16_t code, void *arg)
{
	struct sip_transp *tp = arg;
	struct ws_flow *wf = ws_conn_user(c);

	(void)code;
	if (!wf)
		return;
	ws_conn_set_user(c, NULL);
	if (tp->stats.conns_open)
		tp->stats.conns_open--;
	transp_conn_event(tp, &wf->flow, 0);
	/* Transactions may still hold the flow: sends now fail ENOTCONN. */
	mem_deref(wf);
}

void sip_transp_ws_handlers(struct sip_transp *tp, struct http_handlers *h)
{
	(void)tp;
	h->openh = on_open;
	h->recvh = on_recv;
	h->closeh = on_close;
}
