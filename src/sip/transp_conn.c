/* transp_conn.c: one SIP stream connection (TCP or TLS): reading and
 * framing (RFC 3261 §18.3), CRLF keep-alives (RFC 5626 §3.5.1), queued
 * writes, orderly close after a flush, idle and linger checks. */
#include <errno.h>
#include <string.h>

#include "sip/transp_int.h"
#include "tls/tls.h"

/* First size of a connection's receive buffer; it doubles up to
 * SIP_MSG_MAX. */
#define TCP_RBUF_INIT 4096

static void conn_input(struct tcp_conn *c, const uint8_t *data, size_t n);

struct tcp_wreq {
	uv_write_t req;
	struct tcp_conn *c;
	size_t len;
	uint8_t data[];
};

static void conn_destroy(void *data)
{
	struct tcp_conn *c = data;

	mem_deref(c->tls);
	mem_deref(c->rb);
	mem_deref(c->pend);
	transp_flow_release(&c->flow);
}

static void on_handle_close(uv_handle_t *h)
{
	struct tcp_conn *c = h->data;

	list_unlink(&c->le);
	mem_deref(c); /* tp->conns' reference */
	mem_deref(c); /* the handle's reference */
}

static void on_write(uv_write_t *req, int status)
{
	struct tcp_wreq *wr = req->data;
	struct tcp_conn *c = wr->c;

	c->wq -= wr->len;
	if (status < 0 && status != UV_ECANCELED)
		transp_conn_close(c, net_uv_err(status));
	mem_deref(wr);
}

/* Bytes for the socket (plaintext on TCP, ciphertext on TLS). */
static int raw_write(struct tcp_conn *c, const uint8_t *data, size_t len)
{
	uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
	struct tcp_wreq *wr;
	int r = 0;

	if (uv_is_closing((uv_handle_t *)&c->h) || c->shutting)
		return ENOTCONN;
	if (!c->wq) {
		r = uv_try_write((uv_stream_t *)&c->h, &buf, 1);
		if (r >= 0 && (size_t)r == len)
			return 0;
		if (r < 0 && r != UV_EAGAIN)
			return net_uv_err(r);
		if (r < 0)
			r = 0;
	}
	len -= (size_t)r;
	if (c->wq + len > SIP_TRANSP_SENDQ_MAX)
		return EOVERFLOW;
	wr = mem_alloc(sizeof(*wr) + len, NULL);
	if (!wr)
		return ENOMEM;
	memcpy(wr->data, data + r, len);
	wr->len = len;
	wr->c = c;
	wr->req.data = wr;
	buf = uv_buf_init((char *)wr->data, (unsigned)len);
	r = uv_write(&wr->req, (uv_stream_t *)&c->h, &buf, 1, on_write);
	if (r < 0) {
		mem_deref(wr);
		return net_uv_err(r);
	}
	c->wq += len;
	return 0;
}

int transp_conn_write(struct tcp_conn *c, const uint8_t *data, size_t len)
{
	if (c->tls)
		return tls_conn_send(c->tls, data, len);
	return raw_write(c, data, len);
}

static void on_tls_send(const uint8_t *data, size_t len, void *arg)
{
	struct tcp_conn *c = arg;

	if (raw_write(c, data, len) && c->state == CONN_OPEN)
		transp_conn_close(c, EIO);
}

static void on_tls_recv(const uint8_t *data, size_t len, void *arg)
{
	conn_input(arg, data, len);
}

static void on_tls_estab(void *arg)
{
	struct tcp_conn *c = arg;

	if (c->outgoing)
		transp_conn_event(c->flow.tp, &c->flow, 0);
}

const struct tls_conn_handlers transp_conn_tls_handlers = {
    .sendh = on_tls_send,
    .recvh = on_tls_recv,
    .estabh = on_tls_estab,
};

/* Cuts whole messages out of the receive buffer (RFC 3261 §18.3); what
 * is left (a partial message) moves to the front once, at the end. */
static void conn_process(struct tcp_conn *c)
{
	struct sip_transp *tp = c->flow.tp;
	struct mbuf *rb = c->rb;
	size_t off = 0;

	while (c->state == CONN_OPEN && off < rb->end && !tp->closed) {
		const char *p = (const char *)rb->buf + off;
		size_t len = rb->end - off, used, mlen = 0;
		bool ping = false;
		int err;

		used = sip_frame_crlf(p, len, &ping);
		if (!used && (*p == '\r' || *p == '\n'))
			break; /* maybe the start of a ping: wait */
		if (used) {
			/* RFC 5626 §3.5.1: answer the ping with a pong. */
			if (ping)
				transp_conn_write(c, (const uint8_t *)"\r\n",
				                  2);
			off += used;
			continue;
		}
		err = sip_frame(p, len, &mlen);
		if (err == ENODATA && len >= SIP_MSG_MAX)
			err = EOVERFLOW;
		if (err == ENODATA)
			break;
		if (err) {
			/* deliver what parses, then close once the
			 * handler's reply is flushed */
			transp_recv_msg(tp, &c->flow, (const uint8_t *)p, len,
			                err);
			transp_conn_close(c, err);
			return;
		}
		transp_recv_msg(tp, &c->flow, (const uint8_t *)p, mlen, 0);
		off += mlen;
	}
	if (off) {
		memmove(rb->buf, rb->buf + off, rb->end - off);
		rb->end -= off;
		rb->pos = rb->end;
	}
	/* a big message grew the buffer: give the memory back once empty */
	if (!rb->end && rb->size > TCP_RBUF_INIT)
		(void)mbuf_resize(rb, TCP_RBUF_INIT);
}

static void conn_input(struct tcp_conn *c, const uint8_t *data, size_t n)
{
	struct mbuf *rb = c->rb;

	while (n && c->state == CONN_OPEN) {
		size_t room, take;

		if (rb->end == rb->size && rb->size < SIP_MSG_MAX &&
		    mbuf_resize(rb,
		                SC_MIN(rb->size * 2, (size_t)SIP_MSG_MAX))) {
			transp_conn_close(c, ENOMEM);
			return;
		}
		room = rb->size - rb->end;
		take = SC_MIN(n, room);
		memcpy(rb->buf + rb->end, data, take);
		rb->end += take;
		data += take;
		n -= take;
		conn_process(c);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct tcp_conn *c = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)c->flow.tp->rxbuf, SIP_MSG_MAX);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct tcp_conn *c = s->data;
	int err;

	if (nread == 0)
		return;
	if (nread < 0) {
		transp_conn_close(c,
		                  nread == UV_EOF ? 0 : net_uv_err((int)nread));
		return;
	}
	c->last_rx = uv_now(c->flow.tp->loop);
	mem_ref(c); /* handlers may close and drop it */
	if (!c->tls) {
		conn_input(c, (const uint8_t *)buf->base, (size_t)nread);
		goto out;
	}
	err = tls_conn_recv(c->tls, (const uint8_t *)buf->base, (size_t)nread);
	if (err == EPROTO)
		log_info("sip", "TLS with %s: %s",
		         sip_transp_name(c->flow.type), tls_conn_error(c->tls));
	if (err)
		transp_conn_close(c, err == ENOTCONN ? 0 : err);
out:
	mem_deref(c);
}

int transp_conn_read_start(struct tcp_conn *c)
{
	return uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read) ? EIO : 0;
}

/* Closes a connection that never became open (refused, failed setup). */
void transp_conn_abort(struct tcp_conn *c)
{
	c->state = CONN_CLOSING;
	uv_close((uv_handle_t *)&c->h, on_handle_close);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	struct tcp_conn *c = req->data;

	(void)status;
	if (!uv_is_closing((uv_handle_t *)&c->h))
		uv_close((uv_handle_t *)&c->h, on_handle_close);
}

/*
 * Leaves the open state: no more reads, no more sends from users; what is
 * queued still goes out (uv_shutdown waits for it), bounded by the linger
 * time in the sweep. err 0 is an orderly close.
 */
void transp_conn_close(struct tcp_conn *c, int err)
{
	struct sip_transp *tp = c->flow.tp;
	bool was_connecting = c->state == CONN_CONNECTING;

	if (c->state == CONN_CLOSING)
		return;
	c->state = CONN_CLOSING;
	c->closing_since = uv_now(tp->loop);
	hash_unlink(&c->hle);
	tp->stats.conns_open--;
	if (c->tls && !err)
		tls_conn_shutdown(c->tls); /* close_notify */
	if (was_connecting) {
		uv_close((uv_handle_t *)&c->h, on_handle_close);
	} else {
		uv_read_stop((uv_stream_t *)&c->h);
		c->sreq.data = c;
		if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->h, on_shutdown))
			uv_close((uv_handle_t *)&c->h, on_handle_close);
		else
			c->shutting = true;
	}
	transp_conn_event(tp, &c->flow, err);
}

static int flow_send(struct sip_flow *flow, const uint8_t *data, size_t len)
{
	struct tcp_conn *c = (struct tcp_conn *)flow;

	if (c->state == CONN_CONNECTING) {
		if (!c->pend && mbuf_alloc(&c->pend, len))
			return ENOMEM;
		if (c->pend->end + len > SIP_TRANSP_SENDQ_MAX)
			return EOVERFLOW;
		return mbuf_write_mem(c->pend, data, len);
	}
	return transp_conn_write(c, data, len);
}

static void flow_close(struct sip_flow *flow)
{
	struct tcp_conn *c = (struct tcp_conn *)flow;

	if (c->flow.tp && !c->flow.tp->closed)
		transp_conn_close(c, 0);
}

static bool flow_isopen(const struct sip_flow *flow)
{
	return ((const struct tcp_conn *)flow)->state != CONN_CLOSING;
}

static const struct sip_flow_ops tcp_ops = {
    .send = flow_send,
    .send_to = NULL,
    .close = flow_close,
    .isopen = flow_isopen,
};

int transp_conn_alloc(struct tcp_conn **cp, struct sip_transp *tp,
                      enum sip_transp_type type)
{
	struct tcp_conn *c = mem_zalloc(sizeof(*c), conn_destroy);
	int err;

	if (!c)
		return ENOMEM;
	transp_flow_init(&c->flow, tp, &tcp_ops, type);
	err = mbuf_alloc(&c->rb, TCP_RBUF_INIT);
	if (err) {
		mem_deref(c);
		return err;
	}
	uv_tcp_init(tp->loop, &c->h);
	c->h.data = mem_ref(c); /* until on_handle_close */
	c->last_rx = uv_now(tp->loop);
	list_append(&tp->conns, &c->le, c); /* owns the first reference */
	*cp = c;
	return 0;
}

void transp_conn_link(struct tcp_conn *c)
{
	struct sip_transp *tp = c->flow.tp;

	hash_append(tp->conn_ht, sa_hash(&c->flow.peer, false), &c->hle, c);
	tp->stats.conns_open++;
}

void transp_conn_sweep(struct sip_transp *tp, uint64_t now)
{
	struct le *le = tp->conns.head;

	while (le) {
		struct tcp_conn *c = le->data;

		le = le->next; /* transp_conn_close never unlinks from tp->conns
		                */
		if (c->state != CONN_CLOSING) {
			if (now - c->last_rx >= tp->lim.idle_ms)
				transp_conn_close(c, ETIMEDOUT);
		} else if (now - c->closing_since >= SIP_TRANSP_LINGER_MS &&
		           !uv_is_closing((uv_handle_t *)&c->h)) {
			/* a peer that does not read: give up flushing */
			uv_close((uv_handle_t *)&c->h, on_handle_close);
		}
	}
}

/* Closes every connection at once (the transport closes). */
void transp_conn_close_all(struct sip_transp *tp)
{
	struct le *le;

	for (le = tp->conns.head; le; le = le->next) {
		struct tcp_conn *c = le->data;

		if (c->state != CONN_CLOSING) {
			c->state = CONN_CLOSING;
			hash_unlink(&c->hle);
			tp->stats.conns_open--;
		}
		if (!uv_is_closing((uv_handle_t *)&c->h))
			uv_close((uv_handle_t *)&c->h, on_handle_close);
	}
}
