/* mport.c: the [media] ports pool: even RTP ports with RTCP on port+1
 * (RFC 3550 section 11), bound with plain sockets on the signalling thread
 * so that an SDP always names a port that really listens. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "media/media_int.h"

int mport_pool_init(struct mport_pool *pp, uint16_t port_min,
                    uint16_t port_max)
{
	int err = 0;

	if (!pp || port_min < 2 || port_max <= port_min) {
		err = EINVAL;
		goto out;
	}
	memset(pp, 0, sizeof(*pp));
	pp->port_min = (uint16_t)((port_min + 1u) & ~1u);
	if (pp->port_min >= port_max) {
		err = EINVAL;
		goto out;
	}
	/* A slot is a pair whose odd port is still inside the range. */
	pp->slotc = ((size_t)port_max - pp->port_min + 1) / 2;
	pp->used = mem_zalloc(pp->slotc, NULL);
	if (!pp->used) {
		err = ENOMEM;
		goto out;
	}
	if (uv_mutex_init(&pp->lock)) {
		pp->used = mem_deref(pp->used);
		err = ENOMEM;
	}
out:
	return err;
}

void mport_pool_destroy(struct mport_pool *pp)
{
	if (!pp || !pp->used)
		return;
	pp->used = mem_deref(pp->used);
	uv_mutex_destroy(&pp->lock);
}

static int udp_bind(const struct sa *laddr, uint16_t port, int *fdp)
{
	struct sa a = *laddr;
	int fd, err = 0;

	sa_set_port(&a, port);
	fd = socket(sa_family(&a), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            0);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	if (bind(fd, sa_sockaddr(&a), sa_len(&a)) < 0) {
		err = errno;
		close(fd);
		goto out;
	}
	*fdp = fd;
out:
	return err;
}

int mport_bind(struct mport_pool *pp, const struct sa *bind, bool rtcp,
               int fdv[2], uint16_t *portp)
{
	int err = EADDRINUSE;
	size_t i;

	if (!pp || !bind || !fdv || !portp)
		return EINVAL;
	fdv[0] = fdv[1] = -1;
	uv_mutex_lock(&pp->lock);
	for (i = 0; i < pp->slotc; i++) {
		size_t slot = (pp->next + i) % pp->slotc;
		uint16_t port = (uint16_t)(pp->port_min + 2 * slot);
		int e;

		if (pp->used[slot])
			continue;
		/* Taken by someone outside the engine: try the next one. */
		e = udp_bind(bind, port, &fdv[0]);
		if (e == EADDRINUSE || e == EACCES)
			continue;
		if (e) {
			err = e;
			break;
		}
		if (rtcp) {
			e = udp_bind(bind, (uint16_t)(port + 1), &fdv[1]);
			if (e) {
				close(fdv[0]);
				fdv[0] = -1;
				if (e == EADDRINUSE || e == EACCES)
					continue;
				err = e;
				break;
			}
		}
		pp->used[slot] = 1;
		pp->next = (slot + 1) % pp->slotc;
		pp->ports_used += rtcp ? 2 : 1;
		*portp = port;
		err = 0;
		break;
	}
	uv_mutex_unlock(&pp->lock);
	return err;
}

void mport_release(struct mport_pool *pp, uint16_t port, size_t nsock)
{
	size_t slot;

	if (!pp || port < pp->port_min)
		return;
	slot = (size_t)(port - pp->port_min) / 2;
	if (slot >= pp->slotc)
		return;
	uv_mutex_lock(&pp->lock);
	pp->used[slot] = 0;
	pp->ports_used -= SC_MIN(nsock, pp->ports_used);
	uv_mutex_unlock(&pp->lock);
}

size_t mport_used(struct mport_pool *pp)
{
	size_t n;

	uv_mutex_lock(&pp->lock);
	n = pp->ports_used;
	uv_mutex_unlock(&pp->lock);
	return n;
}
