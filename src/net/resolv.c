/* resolv.c: asynchronous name resolution through uv_getaddrinfo. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "net/net.h"

struct net_resolv {
	uv_getaddrinfo_t req;
	uint16_t port;
	net_resolv_h *rh; /* NULL once cancelled */
	void *arg;
};

static int eai_err(int status)
{
	switch (status) {
	case UV_EAI_NONAME:
	case UV_EAI_NODATA:
	case UV_EAI_ADDRFAMILY:
		return ENOENT;
	case UV_EAI_AGAIN:
		return EAGAIN;
	case UV_EAI_MEMORY:
		return ENOMEM;
	case UV_EAI_CANCELED:
	case UV_ECANCELED:
		return ECANCELED;
	default:
		return EIO;
	}
}

/* The request holds one reference on r until this runs. */
static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct net_resolv *r = req->data;
	struct sa addrv[NET_RESOLV_MAX];
	struct addrinfo *ai;
	size_t n = 0;
	int err = 0;

	if (status < 0) {
		err = eai_err(status);
	} else {
		for (ai = res; ai && n < NET_RESOLV_MAX; ai = ai->ai_next) {
			if (sa_set_sockaddr(&addrv[n], ai->ai_addr))
				continue;
			sa_set_port(&addrv[n], r->port);
			n++;
		}
		if (!n)
			err = ENOENT;
	}
	uv_freeaddrinfo(res);
	if (r->rh)
		r->rh(err, err ? NULL : addrv, err ? 0 : n, r->arg);
	mem_deref(r);
}

int net_resolve(struct net_resolv **rp, uv_loop_t *loop, const char *host,
                uint16_t port, net_resolv_h *rh, void *arg)
{
	struct addrinfo hints;
	struct net_resolv *r;
	int err;

	if (!rp || !loop || !host || !rh || !*host ||
	    strlen(host) > NET_HOST_MAX)
		return EINVAL;
	r = mem_zalloc(sizeof(*r), NULL);
	if (!r)
		return ENOMEM;
	r->port = port;
	r->rh = rh;
	r->arg = arg;
	r->req.data = mem_ref(r);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM; /* one entry per address */
	hints.ai_flags = AI_ADDRCONFIG;
	err = uv_getaddrinfo(loop, &r->req, on_resolved, host, NULL, &hints);
	if (err) {
		mem_deref(r); /* the request's reference */
		mem_deref(r);
		return eai_err(err);
	}
	*rp = r;
	return 0;
}

void net_resolv_cancel(struct net_resolv *r)
{
	if (!r)
		return;
	r->rh = NULL;
	uv_cancel((uv_req_t *)&r->req);
}
