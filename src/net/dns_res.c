/* dns_res.c: the asynchronous SIP resolver (RFC 3263 §4.1-4.2): SRV, then
 * A/AAAA of each target, in one job on the libuv thread pool.
 *
 * Why res_nsend() in uv_queue_work rather than c-ares: a connection
 * resolves once per TTL (at least NET_DNS_TTL_FLOOR apart), so a pool
 * thread blocking for a few ms per lookup costs nothing, while c-ares
 * would add a dependency and its own socket/timer integration into the
 * loop. glibc's res_n* functions are thread-safe with a per-job resolver
 * state, which is also where our dns_servers go; the replies are parsed by
 * our own fuzzed net_dns_reply_decode(). */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include <arpa/nameser.h>
#include <resolv.h>

#include "net/dns.h"

#define DNS_RETRANS_S 1 /* per try, with dns_servers */
#define DNS_RETRY 2     /* tries per server, with dns_servers */

/* One SRV target (or the host itself) and its addresses. */
struct dns_tgt {
	struct net_dns_rr rr;
	struct sa addrv[NET_DNS_TARGETS_MAX];
	size_t addrc;
};

struct net_dns {
	uv_work_t req;
	struct net_dns_conf conf;
	char host[NET_DNS_NAME_MAX + 1];
	char qname[NET_DNS_NAME_MAX + 1]; /* SRV: service.host, "" none */
	uint16_t port, default_port;
	net_dns_h *h; /* NULL once cancelled */
	void *arg;
	/* filled by the work */
	struct dns_tgt tv[NET_DNS_RR_MAX];
	size_t tc;
	bool srv;
	uint32_t ttl;
	int err;
};

const char *net_dns_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case ENOENT:
		return "no such name or no address";
	case ETIMEDOUT:
		return "no answer from the DNS servers";
	case EAGAIN:
		return "DNS server failure";
	case EBADMSG:
		return "malformed DNS reply";
	default:
		return strerror(err);
	}
}

/* One query; the reply's records of type into rrv. */
static int query(res_state st, const char *qname, uint16_t type,
		 struct net_dns_rr *rrv, size_t *rrc, uint32_t *ttl)
{
	uint8_t q[NS_PACKETSZ], a[NET_DNS_MSG_MAX];
	int ql, al;

	ql = res_nmkquery(st, ns_o_query, qname, ns_c_in, type, NULL, 0, NULL,
			  q, sizeof(q));
	if (ql < 0)
		return EINVAL;
	al = res_nsend(st, q, ql, a, sizeof(a));
	if (al < 0) /* glibc: ETIMEDOUT, or ECONNREFUSED from every server */
		return !errno || errno == ETIMEDOUT || errno == ECONNREFUSED
			   ? ETIMEDOUT
			   : EAGAIN;
	return net_dns_reply_decode(a, (size_t)SC_MIN(al, (int)sizeof(a)),
				    type, rrv, rrc, ttl);
}

/* A and AAAA of t->rr.target through our servers. */
static int addrs_dns(struct net_dns *d, res_state st, struct dns_tgt *t)
{
	static const uint16_t types[] = {NET_DNS_A, NET_DNS_AAAA};
	struct net_dns_rr rrv[NET_DNS_TARGETS_MAX];
	int err = ENOENT, e;

	for (size_t k = 0; k < SC_ARRAY_SIZE(types); k++) {
		size_t n = SC_ARRAY_SIZE(rrv);
		uint32_t ttl;

		e = query(st, t->rr.target, types[k], rrv, &n, &ttl);
		if (e) {
			if (err == ENOENT)
				err = e;
			continue;
		}
		for (size_t i = 0; i < n && t->addrc < NET_DNS_TARGETS_MAX;
		     i++) {
			t->addrv[t->addrc] = rrv[i].addr;
			sa_set_port(&t->addrv[t->addrc++], t->rr.port);
		}
		if (n)
			d->ttl = SC_MIN(d->ttl, ttl);
	}
	return t->addrc ? 0 : err;
}

/* A and AAAA through getaddrinfo() (the system's way: /etc/hosts, nss). */
static int addrs_system(struct dns_tgt *t)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM; /* one entry per address */
	hints.ai_flags = AI_ADDRCONFIG;
	rc = getaddrinfo(t->rr.target, NULL, &hints, &res);
	if (rc)
		return rc == EAI_NONAME || rc == EAI_NODATA ||
			       rc == EAI_ADDRFAMILY
			   ? ENOENT
		       : rc == EAI_AGAIN ? EAGAIN
		       : rc == EAI_MEMORY ? ENOMEM
					  : EIO;
	for (ai = res; ai && t->addrc < NET_DNS_TARGETS_MAX; ai = ai->ai_next) {
		if (sa_set_sockaddr(&t->addrv[t->addrc], ai->ai_addr))
			continue;
		sa_set_port(&t->addrv[t->addrc++], t->rr.port);
	}
	freeaddrinfo(res);
	return t->addrc ? 0 : ENOENT;
}

static void resolver_state(struct net_dns *d, res_state st)
{
	memset(st, 0, sizeof(*st));
	/* on failure the state holds the defaults (the local server) */
	(void)res_ninit(st);
	if (!d->conf.srvc)
		return;
	st->nscount = (int)d->conf.srvc;
	for (size_t i = 0; i < d->conf.srvc; i++)
		st->nsaddr_list[i] = d->conf.srvv[i].u.in;
	st->retrans = DNS_RETRANS_S;
	st->retry = DNS_RETRY;
}

/* The pool thread: blocking queries, results into d. */
static void work(uv_work_t *req)
{
	struct net_dns *d = req->data;
	struct net_dns_rr rrv[NET_DNS_RR_MAX];
	struct __res_state st;
	size_t n = NET_DNS_RR_MAX;
	uint32_t ttl = NET_DNS_TTL_DEFAULT;
	int err = ENOENT;

	d->ttl = NET_DNS_TTL_CEIL;
	if (!sa_set(&d->tv[0].addrv[0], d->host, d->port ? d->port
							    : d->default_port)) {
		d->tv[0].addrc = 1;
		d->tc = 1;
		d->err = 0;
		return;
	}
	resolver_state(d, &st);
	if (d->qname[0]) {
		err = query(&st, d->qname, NET_DNS_SRV, rrv, &n, &ttl);
		if (err && err != ENOENT)
			d->ttl = NET_DNS_TTL_FLOOR; /* ask again soon */
		if (err || !n) {
			err = 0; /* no SRV: the host itself (§4.2) */
			n = 0;
		}
	} else {
		n = 0;
		err = 0;
	}
	if (n == 1 && !strcmp(rrv[0].target, ".")) {
		err = ENOENT; /* RFC 2782: the service is not available */
		goto out;
	}
	d->srv = n > 0;
	if (d->srv) {
		d->ttl = SC_MIN(d->ttl, ttl);
		for (size_t i = 0; i < n; i++)
			d->tv[i].rr = rrv[i];
		d->tc = n;
	} else {
		snprintf(d->tv[0].rr.target, sizeof(d->tv[0].rr.target), "%s",
			 d->host);
		d->tv[0].rr.port = d->port ? d->port : d->default_port;
		d->tc = 1;
	}
	err = ENOENT;
	for (size_t i = 0; i < d->tc; i++) {
		struct dns_tgt *t = &d->tv[i];
		int e;

		if (!strcmp(t->rr.target, "."))
			continue;
		e = d->conf.srvc ? addrs_dns(d, &st, t) : addrs_system(t);
		if (!e)
			err = 0;
		else if (err == ENOENT)
			err = e;
	}
	if (!d->conf.srvc)
		d->ttl = SC_MIN(d->ttl, (uint32_t)NET_DNS_TTL_DEFAULT);
out:
	res_nclose(&st);
	d->err = err;
}

/* The loop thread: order the SRV targets, flatten, report. */
static void after_work(uv_work_t *req, int status)
{
	struct net_dns *d = req->data;
	struct net_dns_result res;
	struct net_dns_rr rrv[NET_DNS_RR_MAX];
	int err = status ? ECANCELED : d->err;

	bool used[NET_DNS_RR_MAX] = {false};

	memset(&res, 0, sizeof(res));
	for (size_t i = 0; i < d->tc; i++)
		rrv[i] = d->tv[i].rr;
	if (!err && d->srv)
		net_dns_srv_order(rrv, d->tc, NULL, NULL);
	/* the targets in the records' new order (equal records have equal
	 * addresses, so either copy does) */
	for (size_t k = 0; !err && k < d->tc; k++) {
		const struct dns_tgt *t = NULL;

		for (size_t i = 0; i < d->tc && !t; i++)
			if (!used[i] &&
			    !memcmp(&d->tv[i].rr, &rrv[k], sizeof(rrv[k])))
				t = &d->tv[i], used[i] = true;
		for (size_t i = 0; t && i < t->addrc &&
				   res.addrc < NET_DNS_TARGETS_MAX;
		     i++) {
			bool dup = false;

			for (size_t j = 0; j < res.addrc; j++)
				dup = dup || sa_cmp(&res.addrv[j], &t->addrv[i]);
			if (!dup)
				res.addrv[res.addrc++] = t->addrv[i];
		}
	}
	if (!err && !res.addrc)
		err = ENOENT;
	res.srv = d->srv;
	res.ttl = net_dns_ttl_clamp(d->ttl);
	if (d->h && err != ECANCELED)
		d->h(err, err ? NULL : &res, d->arg);
	mem_deref(d);
}

int net_dns_resolve(struct net_dns **dp, uv_loop_t *loop,
		    const struct net_dns_conf *conf, const char *host,
		    uint16_t port, const char *service, uint16_t default_port,
		    net_dns_h *h, void *arg)
{
	struct net_dns *d;
	int n, err;

	if (!dp || !loop || !host || !*host || !h ||
	    strlen(host) > NET_DNS_NAME_MAX ||
	    (conf && conf->srvc > NET_DNS_SERVERS_MAX))
		return EINVAL;
	d = mem_zalloc(sizeof(*d), NULL);
	if (!d)
		return ENOMEM;
	if (conf)
		d->conf = *conf;
	snprintf(d->host, sizeof(d->host), "%s", host);
	d->port = port;
	d->default_port = default_port;
	d->h = h;
	d->arg = arg;
	if (!port && service) {
		n = snprintf(d->qname, sizeof(d->qname), "%s.%s", service,
			     host);
		if (n < 0 || (size_t)n >= sizeof(d->qname))
			d->qname[0] = '\0'; /* too long for SRV: A/AAAA */
	}
	d->req.data = mem_ref(d);
	err = uv_queue_work(loop, &d->req, work, after_work);
	if (err) {
		mem_deref(d);
		mem_deref(d);
		return net_uv_err(err);
	}
	*dp = d;
	return 0;
}

void net_dns_cancel(struct net_dns *d)
{
	if (!d)
		return;
	d->h = NULL;
	uv_cancel((uv_req_t *)&d->req);
}
