/* transp_tcp.c: SIP over TCP and TLS: listeners, accepting under the
 * connection caps, outgoing connections and their reuse (RFC 3261 §18). */
#include <errno.h>
#include <string.h>

#include "sip/transp_int.h"
#include "tls/tls.h"

#define TCP_BACKLOG 128

struct tcp_lsnr {
	struct le le;          /* in tp->lsnrs; the list holds a reference */
	struct sip_transp *tp; /* referenced */
	uv_tcp_t h;
	enum sip_transp_type type;
	struct tls_ctx *tls; /* server context, TLS only */
	struct sa laddr;
};

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

	if (status < 0 || tp->closed || transp_conn_alloc(&c, tp, l->type))
		return;
	if (uv_accept(s, (uv_stream_t *)&c->h) ||
	    uv_tcp_getpeername(&c->h, &c->flow.peer.u.sa, &namelen)) {
		transp_conn_abort(c);
		return;
	}
	namelen = sizeof(struct sockaddr_storage);
	uv_tcp_getsockname(&c->h, &c->flow.local.u.sa, &namelen);
	if (!conn_allowed(tp, &c->flow.peer)) {
		tp->stats.conns_refused++;
		transp_conn_abort(c);
		return;
	}
	uv_tcp_nodelay(&c->h, 1);
	c->state = CONN_OPEN;
	transp_conn_link(c);
	if (l->tls && tls_conn_alloc(&c->tls, l->tls, NULL,
	                             &transp_conn_tls_handlers, c)) {
		transp_conn_close(c, ENOMEM);
		return;
	}
	if (transp_conn_read_start(c))
		transp_conn_close(c, EIO);
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
		transp_conn_close(c, net_uv_err(status));
		return;
	}
	c->state = CONN_OPEN;
	c->last_rx = uv_now(c->flow.tp->loop);
	uv_tcp_getsockname(&c->h, &c->flow.local.u.sa, &namelen);
	uv_tcp_nodelay(&c->h, 1);
	mem_ref(c);
	if (transp_conn_read_start(c)) {
		transp_conn_close(c, EIO);
		goto out;
	}
	if (c->tls)
		err = tls_conn_start(c->tls);
	pend = c->pend;
	c->pend = NULL;
	if (!err && pend)
		err = transp_conn_write(c, pend->buf, pend->end);
	mem_deref(pend);
	if (err) {
		transp_conn_close(c, err);
		goto out;
	}
	if (!c->tls) /* TLS: once the handshake is done */
		transp_conn_event(c->flow.tp, &c->flow, 0);
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

/* Outgoing connections leave from the address the operator gave the
 * listener of that transport (or of TCP for TLS), so that the PBX sees the
 * address our Via and Contact name; a wildcard listener, or one on the
 * other side of the loopback boundary, leaves the choice to the kernel. */
static int bind_source(struct tcp_conn *c, struct sip_transp *tp,
                       enum sip_transp_type type, const struct sa *dst)
{
	struct sa src;
	int r;

	if (transp_tcp_laddr(tp, type, sa_family(dst), &src) &&
	    transp_tcp_laddr(tp, SIP_TRANSP_TCP, sa_family(dst), &src))
		return 0;
	if (sa_is_any(&src) || sa_is_loopback(&src) != sa_is_loopback(dst))
		return 0;
	sa_set_port(&src, 0);
	r = uv_tcp_bind(&c->h, sa_sockaddr(&src), 0);
	return r ? net_uv_err(r) : 0;
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
	err = transp_conn_alloc(&c, tp, type);
	if (err)
		return err;
	c->outgoing = true;
	c->flow.peer = *dst;
	if (type == SIP_TRANSP_TLS) {
		err = tls_conn_alloc(&c->tls, tp->tls_client, tls_host,
		                     &transp_conn_tls_handlers, c);
		if (err)
			goto fail;
	}
	err = bind_source(c, tp, type, dst);
	if (err)
		goto fail;
	c->creq.data = c;
	r = uv_tcp_connect(&c->creq, &c->h, sa_sockaddr(dst), on_connect);
	if (r) {
		err = net_uv_err(r);
		goto fail;
	}
	transp_conn_link(c);
	*flowp = mem_ref(&c->flow);
	return 0;
fail:
	transp_conn_abort(c);
	return err;
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
	transp_conn_close_all(tp);
}
