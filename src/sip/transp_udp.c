/* transp_udp.c: SIP over UDP, one datagram one message (RFC 3261 §18),
 * and the ICMP errors its datagrams draw (§18.4, Linux IP_RECVERR). */
#include <errno.h>
#include <string.h>
#include <time.h> /* linux/errqueue.h uses struct timespec */

#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include "sip/transp_int.h"

struct udp_sock {
	struct le le; /* in tp->udps; the list holds a reference */
	struct sip_transp *tp;
	uv_udp_t h;
	struct sa laddr;
	bool closed;
	bool errq; /* a send failed: the error queue may hold something */
};

struct udp_flow {
	struct sip_flow flow; /* first */
	struct udp_sock *us;  /* referenced */
};

/* A send that could not go out at once. */
struct udp_wreq {
	uv_udp_send_t req;
	struct udp_sock *us; /* referenced until sent */
	size_t len;
	uint8_t data[];
};

static void sock_destroy(void *data)
{
	struct udp_sock *us = data;

	mem_deref(us->tp);
}

static void udp_flow_destroy(void *data)
{
	struct udp_flow *uf = data;

	mem_deref(uf->us);
	transp_flow_release(&uf->flow);
}

/* What an ICMP error becomes as a socket's pending error (Linux
 * icmp_err_convert, icmpv6_err_convert). */
static bool icmp_errno(int err)
{
	return err == ECONNREFUSED || err == EHOSTUNREACH ||
	       err == ENETUNREACH || err == ENOPROTOOPT || err == EPROTO ||
	       err == EACCES || err == EHOSTDOWN || err == ENONET;
}

static void on_sent(uv_udp_send_t *req, int status)
{
	struct udp_wreq *wr = req->data;

	if (status < 0 && wr->us->tp)
		wr->us->tp->stats.dropped++;
	if (status < 0) /* another's ICMP error, or a local one: queued */
		wr->us->errq = true;
	mem_deref(wr->us);
	mem_deref(wr);
}

static int sock_send(struct udp_sock *us, const struct sa *dst,
                     const uint8_t *data, size_t len)
{
	uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
	struct udp_wreq *wr;
	unsigned n;
	int r;

	if (us->closed)
		return ENOTCONN;
	if (len > SIP_MSG_MAX)
		return EOVERFLOW;
	r = uv_udp_try_send(&us->h, &buf, 1, sa_sockaddr(dst));
	/* IP_RECVERR: an ICMP error about an earlier datagram, to anyone,
	 * fails the next send once (the kernel hands the socket's pending
	 * error to whichever call comes first); it is not about dst, and it
	 * waits in the error queue (udp_errqueue): send again. */
	for (n = 0; r < 0 && r != UV_EAGAIN && icmp_errno(net_uv_err(r)) &&
	            n < SIP_TRANSP_UDP_SEND_TRIES;
	     n++) {
		us->errq = true;
		r = uv_udp_try_send(&us->h, &buf, 1, sa_sockaddr(dst));
	}
	if (r >= 0)
		return 0;
	if (r != UV_EAGAIN) {
		us->errq = true; /* a local error may wait in the queue too */
		return net_uv_err(r);
	}
	/* The socket buffer is full: queue a copy. */
	wr = mem_alloc(sizeof(*wr) + len, NULL);
	if (!wr)
		return ENOMEM;
	memcpy(wr->data, data, len);
	wr->len = len;
	wr->us = mem_ref(us);
	wr->req.data = wr;
	buf = uv_buf_init((char *)wr->data, (unsigned)len);
	r = uv_udp_send(&wr->req, &us->h, &buf, 1, sa_sockaddr(dst), on_sent);
	if (r < 0) {
		mem_deref(wr->us);
		mem_deref(wr);
		return net_uv_err(r);
	}
	return 0;
}

static int flow_send(struct sip_flow *flow, const uint8_t *data, size_t len)
{
	struct udp_flow *uf = (struct udp_flow *)flow;

	return sock_send(uf->us, &flow->peer, data, len);
}

static int flow_send_to(struct sip_flow *flow, const struct sa *dst,
                        const uint8_t *data, size_t len)
{
	struct udp_flow *uf = (struct udp_flow *)flow;

	return sock_send(uf->us, dst, data, len);
}

static int flow_alloc(struct udp_flow **ufp, struct udp_sock *us,
                      const struct sa *peer);

static int flow_to(struct sip_flow **flowp, struct sip_flow *flow,
                   const struct sa *dst)
{
	struct udp_flow *uf = NULL;
	int err = flow_alloc(&uf, ((struct udp_flow *)flow)->us, dst);

	if (!err)
		*flowp = &uf->flow;
	return err;
}

static bool flow_isopen(const struct sip_flow *flow)
{
	return !((const struct udp_flow *)flow)->us->closed;
}

static const struct sip_flow_ops udp_ops = {
    .send = flow_send,
    .send_to = flow_send_to,
    .flow_to = flow_to,
    .close = NULL,
    .isopen = flow_isopen,
};

static int flow_alloc(struct udp_flow **ufp, struct udp_sock *us,
                      const struct sa *peer)
{
	struct udp_flow *uf = mem_zalloc(sizeof(*uf), udp_flow_destroy);

	if (!uf)
		return ENOMEM;
	transp_flow_init(&uf->flow, us->tp, &udp_ops, SIP_TRANSP_UDP);
	uf->us = mem_ref(us);
	uf->flow.peer = *peer;
	uf->flow.local = us->laddr;
	*ufp = uf;
	return 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct udp_sock *us = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)us->tp->rxbuf, SIP_MSG_MAX);
}

/* RFC 5626 §4.4.1 keep-alives on UDP are STUN; bare CRLFs are common
 * too: neither is a message. */
static bool is_keepalive(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	}
	return true;
}

/*
 * RFC 3261 §18.4: host, network, port or protocol unreachable and
 * parameter problem errors are transport failures; source quench and TTL
 * exceeded are ignored, and so is "fragmentation needed" / "packet too
 * big" (path MTU, not a dead peer). Errors the local stack made (origin
 * LOCAL) are not about the peer either.
 */
static bool icmp_fatal(const struct sock_extended_err *ee)
{
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP)
		return (ee->ee_type == ICMP_DEST_UNREACH &&
		        ee->ee_code != ICMP_FRAG_NEEDED) ||
		       ee->ee_type == ICMP_PARAMETERPROB;
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP6)
		return ee->ee_type == ICMP6_DST_UNREACH ||
		       ee->ee_type == ICMP6_PARAM_PROB;
	return false;
}

/* The ICMP error in one message read from the error queue, or NULL. */
static const struct sock_extended_err *errq_ee(struct msghdr *mh)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if ((cm->cmsg_level == IPPROTO_IP &&
		     cm->cmsg_type == IP_RECVERR) ||
		    (cm->cmsg_level == IPPROTO_IPV6 &&
		     cm->cmsg_type == IPV6_RECVERR))
			return (const struct sock_extended_err *)CMSG_DATA(cm);
	}
	return NULL;
}

/* One ICMP error read from the error queue. */
struct udp_unreach {
	struct sa dst;
	int err;
};

/* Reads one message of the error queue into *u: 0 (u->err 0 when it is
 * not an error to report), or ENODATA when the queue is empty. */
static int errq_read(uv_os_fd_t fd, struct udp_unreach *u)
{
	struct sockaddr_storage ss;
	union {
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
		                    sizeof(struct sockaddr_in6))];
		struct cmsghdr align;
	} ctl;
	uint8_t byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {
	    .msg_name = &ss,
	    .msg_namelen = sizeof(ss),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	const struct sock_extended_err *ee;

	u->err = 0;
	if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return ENODATA; /* EAGAIN: drained */
	ee = errq_ee(&mh);
	if (!ee || !icmp_fatal(ee) || !ee->ee_errno ||
	    mh.msg_namelen < sizeof(struct sockaddr_in) ||
	    sa_set_sockaddr(&u->dst, (const struct sockaddr *)&ss) ||
	    !sa_port(&u->dst))
		return 0;
	u->err = (int)ee->ee_errno;
	return 0;
}

/*
 * The socket may hold ICMP errors: with IP_RECVERR each waits in the
 * socket's error queue (and keeps the socket readable until read). The
 * queue is read to the end before anyone is told, so that the socket's
 * pending error is clear when a handler sends its next request (else that
 * send would fail with the error of another peer). The address the kernel
 * gives with each is the destination of the datagram that drew it, taken
 * from the ICMP payload: only transactions to exactly that address and
 * port are told, so an error about one peer (spoofed or not) never
 * touches another.
 */
static void udp_errqueue(struct udp_sock *us)
{
	struct udp_unreach uv[SIP_TRANSP_UDP_ERRQ_MAX];
	struct sip_transp *tp = us->tp;
	size_t i, k, n = 0;
	uv_os_fd_t fd;

	if (uv_fileno((const uv_handle_t *)&us->h, &fd))
		return;
	for (i = 0; i < SIP_TRANSP_UDP_ERRQ_MAX; i++) {
		if (errq_read(fd, &uv[n]))
			break;
		if (!uv[n].err)
			continue;
		tp->stats.unreachable++;
		for (k = 0; k < n && !sa_cmp(&uv[k].dst, &uv[n].dst); k++)
			;
		if (k == n)
			n++; /* once per destination */
	}
	if (!n || tp->closed || !tp->unreachh)
		return;
	mem_ref(us); /* the handler may close the transport */
	mem_ref(tp);
	for (i = 0; i < n && !us->closed && !tp->closed && tp->unreachh; i++) {
		struct udp_flow *uf = NULL;

		if (flow_alloc(&uf, us, &uv[i].dst))
			continue;
		tp->unreachh(&uf->flow, uv[i].err, tp->arg);
		mem_deref(uf);
	}
	mem_deref(tp);
	mem_deref(us);
}

/* Asks the kernel to queue ICMP errors for this unconnected socket (by
 * default Linux reports them on connected sockets only). The IPv6 socket
 * is dual-stack: IPv4-mapped peers' errors come as IP_RECVERR. */
static void udp_recverr_on(struct udp_sock *us)
{
	uv_os_fd_t fd;
	int on = 1;

	if (uv_fileno((const uv_handle_t *)&us->h, &fd))
		return;
	if (sa_family(&us->laddr) == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)))
		log_warn("sip", "UDP: IPV6_RECVERR: %s", strerror(errno));
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) &&
	    sa_family(&us->laddr) == AF_INET)
		log_warn("sip", "UDP: IP_RECVERR: %s", strerror(errno));
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                    const struct sockaddr *addr, unsigned flags)
{
	struct udp_sock *us = h->data;
	struct sip_transp *tp = us->tp;
	struct udp_flow *uf = NULL;
	struct sa peer;

	if (!addr && !us->closed && (nread < 0 || us->errq)) {
		/* A socket error (ICMP, §18.4); or a send took it (then the
		 * error queue keeps the socket readable, and libuv's read
		 * finds nothing): read the queue. Not on every empty read:
		 * that would cost one more recvmsg per wakeup. */
		us->errq = false;
		udp_errqueue(us);
		return;
	}
	if (nread == 0 || !addr || us->closed)
		return; /* nothing */
	if ((flags & UV_UDP_PARTIAL) || sa_set_sockaddr(&peer, addr)) {
		tp->stats.dropped++;
		return;
	}
	if (is_keepalive((const uint8_t *)buf->base, (size_t)nread))
		return;
	if (flow_alloc(&uf, us, &peer)) {
		tp->stats.dropped++;
		return;
	}
	transp_recv_msg(tp, &uf->flow, (const uint8_t *)buf->base,
	                (size_t)nread, 0);
	mem_deref(uf);
}

static void on_close(uv_handle_t *h)
{
	mem_deref(h->data);
}

int transp_udp_listen(struct sip_transp *tp, const struct sa *laddr)
{
	struct udp_sock *us;
	int namelen = sizeof(us->laddr.u);
	int r, err = 0;

	us = mem_zalloc(sizeof(*us), sock_destroy);
	if (!us)
		return ENOMEM;
	us->tp = mem_ref(tp);
	uv_udp_init(tp->loop, &us->h);
	us->h.data = mem_ref(us); /* until on_close */
	r = uv_udp_bind(&us->h, sa_sockaddr(laddr), 0);
	if (!r)
		r = uv_udp_getsockname(&us->h, &us->laddr.u.sa, &namelen);
	if (!r) {
		/* one socket carries every PBX's and trunk's signalling: a
		 * burst of INVITEs must not overflow the default ~200 KiB
		 * (the kernel caps it at net.core.rmem_max/wmem_max) */
		int size = SIP_TRANSP_UDP_SOCKBUF;

		uv_recv_buffer_size((uv_handle_t *)&us->h, &size);
		size = SIP_TRANSP_UDP_SOCKBUF;
		uv_send_buffer_size((uv_handle_t *)&us->h, &size);
		udp_recverr_on(us);
		r = uv_udp_recv_start(&us->h, on_alloc, on_recv);
	}
	if (r) {
		err = net_uv_err(r);
		us->closed = true;
		uv_close((uv_handle_t *)&us->h, on_close);
		mem_deref(us);
		return err;
	}
	list_append(&tp->udps, &us->le, us);
	return 0;
}

static struct udp_sock *sock_find(const struct sip_transp *tp, int af)
{
	struct le *le;

	LIST_FOREACH(&tp->udps, le)
	{
		struct udp_sock *us = le->data;

		if (af == AF_UNSPEC || sa_family(&us->laddr) == af)
			return us;
	}
	return NULL;
}

int transp_udp_flow(struct sip_flow **flowp, struct sip_transp *tp,
                    const struct sa *dst)
{
	struct udp_sock *us = sock_find(tp, sa_family(dst));
	struct udp_flow *uf;
	int err;

	if (!us)
		return ENOENT;
	err = flow_alloc(&uf, us, dst);
	if (!err)
		*flowp = &uf->flow;
	return err;
}

int transp_udp_laddr(const struct sip_transp *tp, int af, struct sa *laddr)
{
	struct udp_sock *us = sock_find(tp, af);

	if (!us)
		return ENOENT;
	*laddr = us->laddr;
	return 0;
}

void transp_udp_close_all(struct sip_transp *tp)
{
	struct le *le;

	while ((le = tp->udps.head)) {
		struct udp_sock *us = le->data;

		list_unlink(le);
		us->closed = true;
		uv_udp_recv_stop(&us->h);
		uv_close((uv_handle_t *)&us->h, on_close);
		mem_deref(us); /* the list's reference */
	}
}
