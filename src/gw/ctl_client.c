/* ctl_client.c: the CLI side of the control socket: one request line out,
 * one response line back, blocking with a timeout. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "gw/ctl.h"

#define CTL_READ_CHUNK 4096

bool gw_ctl_down(int err)
{
	/* no socket file, or a stale one nobody listens on */
	return err == ENOENT || err == ECONNREFUSED;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EWOULDBLOCK ? EAGAIN : errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until the newline into resp (NUL-terminated, newline dropped). */
static int recv_line(int fd, struct mbuf *resp)
{
	char *nl = NULL;
	ssize_t r;
	int err;

	mbuf_reset(resp);
	while (!nl) {
		if (resp->end >= GW_CTL_RESP_MAX)
			return EOVERFLOW;
		if (resp->size - resp->end < CTL_READ_CHUNK) {
			err =
			    mbuf_resize(resp, resp->size * 2 + CTL_READ_CHUNK);
			if (err)
				return err;
		}
		r = recv(fd, resp->buf + resp->end,
			 SC_MIN(resp->size - resp->end - 1,
				GW_CTL_RESP_MAX - resp->end),
			 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EWOULDBLOCK ? EAGAIN : errno;
		if (r == 0)
			return EBADMSG;
		nl = memchr(resp->buf + resp->end, '\n', (size_t)r);
		resp->end += (size_t)r;
	}
	resp->end = (size_t)((uint8_t *)nl - resp->buf);
	resp->buf[resp->end] = '\0';
	return 0;
}

int gw_ctl_call(const char *path, const char *req, struct mbuf *resp)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {GW_CTL_CALL_MS / 1000,
			     (GW_CTL_CALL_MS % 1000) * 1000};
	int fd = -1, err;

	if (!path || !req || !resp)
		return EINVAL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	if (strlen(req) >= GW_CTL_LINE_MAX)
		return EOVERFLOW;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno;
		goto out;
	}
	err = send_all(fd, req, strlen(req));
	if (!err)
		err = send_all(fd, "\n", 1);
	if (!err)
		err = recv_line(fd, resp);
out:
	close(fd);
	return err;
}
