/* transp_tcp.c: SIP over TCP and TLS streams: connections, framing
 * (RFC 3261 §18.3), CRLF keep-alives (RFC 5626 §3.5.1), limits. */
#include <errno.h>
#include <string.h>

#include "sip/transp_int.h"
#include "tls/tls.h"

/* First size of a connection's receive buffer; it doubles up to
 * SIP_MSG_MAX. */
#define TCP_RBUF_INIT 4096
#define TCP_BACKLOG 128

struct tcp_lsnr {
	struct le le; /* in tp->lsnrs; the list holds a reference */
	struct sip_transp *tp; /* referenced */
	uv_tcp_t h;
	enum sip_transp_type type;
	struct tls_ctx *tls; /* server context, TLS only */
	struct sa laddr;
};

enum conn_state { CONN_CONNECTING, CONN_OPEN, CONN_CLOSING };

struct tcp_conn {
	struct sip_flow flow; /* first */
	struct le le;	      /* tp->conns: holds a reference until closed */
	struct le hle;	      /* tp->conn_ht while not closing */
	uv_tcp_t h;	      /* open handle: a reference until on_close */
	uv_connect_t creq;
	uv_shutdown_t sreq;
	struct tls_conn *tls;
	struct mbuf *rb;   /* plaintext received, not yet a whole message */
	struct mbuf *pend; /* plaintext sent while connecting */
	size_t wq;	   /* bytes in libuv's write queue */
	uint64_t last_rx;
	uint64_t closing_since;
	enum conn_state state;
	bool outgoing;
	bool ready; /* connected and, for TLS, handshake done */
	bool shutting;
};

struct tcp_wreq {
	uv_write_t req;
	struct tcp_conn *c;
	size_t len;
	uint8_t data[];
};

static void conn_close(struct tcp_conn *c, int err);
static void conn_input(struct tcp_conn *c, const uint8_t *data, size_t n);

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
		conn_close(c, net_uv_err(status));
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

static int conn_write(struct tcp_conn *c, const uint8_t *data, size_t len)
{
	if (c->tls)
		return tls_conn_send(c->tls, data, len);
	return raw_write(c, data, len);
}

static void on_tls_send(const uint8_t *data, size_t len, void *arg)
{
	struct tcp_conn *c = arg;

	if (raw_write(c, data, len) && c->state == CONN_OPEN)
		conn_close(c, EIO);
}

static void on_tls_recv(const uint8_t *data, size_t len, void *arg)
{
	conn_input(arg, data, len);
}

static void on_tls_estab(void *arg)
{
	struct tcp_conn *c = arg;

	c->ready = true;
	if (c->outgoing)
		transp_conn_event(c->flow.tp, &c->flow, 0);
}

static const struct tls_conn_handlers tls_handlers = {
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
		if (used) {
			/* RFC 5626 §3.5.1: answer the ping with a pong. */
			if (ping)
				conn_write(c, (const uint8_t *)"\r\n", 2);
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
			conn_close(c, err);
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
}

static void conn_input(struct tcp_conn *c, const uint8_t *data, size_t n)
{
	struct mbuf *rb = c->rb;

	while (n && c->state == CONN_OPEN) {
		size_t room, take;

		if (rb->end == rb->size && rb->size < SIP_MSG_MAX &&
		    mbuf_resize(rb, SC_MIN(rb->size * 2, (size_t)SIP_MSG_MAX))) {
			conn_close(c, ENOMEM);
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
		conn_close(c, nread == UV_EOF ? 0 : net_uv_err((int)nread));
		return;
	}
	c->last_rx = uv_now(c->flow.tp->loop);
	mem_ref(c); /* handlers may close and drop it */
	if (!c->tls) {
		conn_input(c, (const uint8_t *)buf->base, (size_t)nread);
		goto out;
	}
	err = tls_conn_recv(c->tls, (const uint8_t *)buf->base,
			    (size_t)nread);
	if (err == EPROTO)
		log_info("sip", "TLS with %s: %s",
			 sip_transp_name(c->flow.type),
			 tls_conn_error(c->tls));
	if (err)
		conn_close(c, err == ENOTCONN ? 0 : err);
out:
	mem_deref(c);
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
static void conn_close(struct tcp_conn *c, int err)
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
	}
	else {
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
	return conn_write(c, data, len);
}

static void flow_close(struct sip_flow *flow)
{
	struct tcp_conn *c = (struct tcp_conn *)flow;

	if (c->flow.tp && !c->flow.tp->closed)
		conn_close(c, 0);
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

static int conn_alloc(struct tcp_conn **cp, struct sip_transp *tp,
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

static void conn_link(struct tcp_conn *c)
{
	struct sip_transp *tp = c->flow.tp;

	hash_append(tp->conn_ht, sa_hash(&c->flow.peer, false), &c->hle, c);
	tp->stats.conns_open++;
}

static unsigned conns_from(const struct sip_transp *tp, const struct sa *ip)
{
	struct list *b = hash_bucket(tp->conn_ht, sa_hash(ip, false));
	unsigned n = 0;
	struct le *le;

	LIST_FOREACH(b, le)
	{
		const struct tcp_conn *c = le->data;

		if (!c->outgoing && sa_cmp_addr(&c->flow.peer, ip))
			n++;
	}
	return n;
}

static bool conn_allowed(struct sip_transp *tp, const struct sa *peer)
{
	if (tp->stats.conns_open >= tp->lim.conn_max)
		return false;
	return conns_from(tp, peer) < tp->lim.conn_per_ip;
}

static void on_connection(uv_stream_t *s, int status)
{
	struct tcp_lsnr *l = s->data;
	struct sip_transp *tp = l->tp;
	int namelen = sizeof(struct sockaddr_storage);
	struct tcp_conn *c = NULL;

	if (status < 0 || tp->closed || conn_alloc(&c, tp, l->type))
		return;
	if (uv_accept(s, (uv_stream_t *)&c->h) ||
	    uv_tcp_getpeername(&c->h, &c->flow.peer.u.sa, &namelen)) {
		c->state = CONN_CLOSING;
		uv_close((uv_handle_t *)&c->h, on_handle_close);
		return;
	}
	namelen = sizeof(struct sockaddr_storage);
	uv_tcp_getsockname(&c->h, &c->flow.local.u.sa, &namelen);
	if (!conn_allowed(tp, &c->flow.peer)) {
		tp->stats.conns_refused++;
		c->state = CONN_CLOSING;
		uv_close((uv_handle_t *)&c->h, on_handle_close);
		return;
	}
	uv_tcp_nodelay(&c->h, 1);
	c->state = CONN_OPEN;
	conn_link(c);
	if (l->tls && tls_conn_alloc(&c->tls, l->tls, NULL, &tls_handlers, c)) {
		conn_close(c, ENOMEM);
		return;
	}
	c->ready = !c->tls;
	if (uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read))
		conn_close(c, EIO);
}

static void on_lsnr_close(uv_handle_t *h)
{
	mem_deref(h->data);
}

static void lsnr_destroy(void *data)
{
	struct tcp_lsnr *l = data;

	mem_deref(l->tls);
	mem_deref(l->tp);
}

int transp_tcp_listen(struct sip_transp *tp, enum sip_transp_type type,
		      const struct sa *laddr, struct tls_ctx *tls)
{
	struct tcp_lsnr *l = mem_zalloc(sizeof(*l), lsnr_destroy);
	int namelen = sizeof(struct sockaddr_storage);
	int r;

	if (!l)
		return ENOMEM;
	l->tp = mem_ref(tp);
	l->type = type;
	l->tls = mem_ref(tls);
	uv_tcp_init(tp->loop, &l->h);
	l->h.data = mem_ref(l); /* until on_lsnr_close */
	r = uv_tcp_bind(&l->h, sa_sockaddr(laddr), 0);
	if (!r)
		r = uv_tcp_getsockname(&l->h, &l->laddr.u.sa, &namelen);
	if (!r)
		r = uv_listen((uv_stream_t *)&l->h, TCP_BACKLOG, on_connection);
	if (r) {
		uv_close((uv_handle_t *)&l->h, on_lsnr_close);
		mem_deref(l);
		return net_uv_err(r);
	}
	list_append(&tp->lsnrs, &l->le, l);
	return 0;
}

int transp_tcp_laddr(const struct sip_transp *tp, enum sip_transp_type type,
		     int af, struct sa *laddr)
{
	struct le *le;

	LIST_FOREACH(&tp->lsnrs, le)
	{
		const struct tcp_lsnr *l = le->data;

		if (l->type == type &&
		    (af == AF_UNSPEC || sa_family(&l->laddr) == af)) {
			*laddr = l->laddr;
			return 0;
		}
	}
	return ENOENT;
}

static void on_connect(uv_connect_t *req, int status)
{
	struct tcp_conn *c = req->data;
	int namelen = sizeof(struct sockaddr_storage);
	struct mbuf *pend;
	int err = 0;

	if (c->state != CONN_CONNECTING)
		return; /* closed meanwhile (ECANCELED) */
	if (status < 0) {
		conn_close(c, net_uv_err(status));
		return;
	}
	c->state = CONN_OPEN;
	c->last_rx = uv_now(c->flow.tp->loop);
	uv_tcp_getsockname(&c->h, &c->flow.local.u.sa, &namelen);
	uv_tcp_nodelay(&c->h, 1);
	mem_ref(c);
	if (uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read)) {
		conn_close(c, EIO);
		goto out;
	}
	if (c->tls)
		err = tls_conn_start(c->tls);
	pend = c->pend;
	c->pend = NULL;
	if (!err && pend)
		err = conn_write(c, pend->buf, pend->end);
	mem_deref(pend);
	if (err) {
		conn_close(c, err);
		goto out;
	}
	if (!c->tls) {
		c->ready = true;
		transp_conn_event(c->flow.tp, &c->flow, 0);
	}
out:
	mem_deref(c);
}

static struct tcp_conn *conn_find(const struct sip_transp *tp,
				  enum sip_transp_type type,
				  const struct sa *dst)
{
	struct list *b = hash_bucket(tp->conn_ht, sa_hash(dst, false));
	struct le *le;

	LIST_FOREACH(b, le)
	{
		struct tcp_conn *c = le->data;

		if (c->flow.type == type && sa_cmp(&c->flow.peer, dst))
			return c;
	}
	return NULL;
}

int transp_tcp_connect(struct sip_flow **flowp, struct sip_transp *tp,
		       enum sip_transp_type type, const struct sa *dst,
		       const char *tls_host)
{
	struct tcp_conn *c = conn_find(tp, type, dst);
	int r, err;

	if (c) {
		*flowp = mem_ref(&c->flow);
		return 0;
	}
	if (type == SIP_TRANSP_TLS && !tp->tls_client)
		return ENOENT;
	if (tp->stats.conns_open >= tp->lim.conn_max)
		return EOVERFLOW;
	err = conn_alloc(&c, tp, type);
	if (err)
		return err;
	c->outgoing = true;
	c->flow.peer = *dst;
	if (type == SIP_TRANSP_TLS) {
		err = tls_conn_alloc(&c->tls, tp->tls_client, tls_host,
				     &tls_handlers, c);
		if (err)
			goto fail;
	}
	c->creq.data = c;
	r = uv_tcp_connect(&c->creq, &c->h, sa_sockaddr(dst), on_connect);
	if (r) {
		err = net_uv_err(r);
		goto fail;
	}
	conn_link(c);
	*flowp = mem_ref(&c->flow);
	return 0;
fail:
	c->state = CONN_CLOSING;
	uv_close((uv_handle_t *)&c->h, on_handle_close);
	return err;
}

void transp_tcp_sweep(struct sip_transp *tp, uint64_t now)
{
	struct le *le = tp->conns.head;

	while (le) {
		struct tcp_conn *c = le->data;

		le = le->next; /* conn_close never unlinks from tp->conns */
		if (c->state != CONN_CLOSING) {
			if (now - c->last_rx >= tp->lim.idle_ms)
				conn_close(c, ETIMEDOUT);
		}
		else if (now - c->closing_since >= SIP_TRANSP_LINGER_MS &&
			 !uv_is_closing((uv_handle_t *)&c->h)) {
			/* a peer that does not read: give up flushing */
			uv_close((uv_handle_t *)&c->h, on_handle_close);
		}
	}
}

void transp_tcp_close_all(struct sip_transp *tp)
{
	struct le *le;

	while ((le = tp->lsnrs.head)) {
		struct tcp_lsnr *l = le->data;

		list_unlink(le);
		uv_close((uv_handle_t *)&l->h, on_lsnr_close);
		mem_deref(l);
	}
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
