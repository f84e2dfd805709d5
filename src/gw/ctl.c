/* ctl.c: the server side of the control socket: a Unix domain stream
 * socket (mode 0600) on the server's libuv loop, one JSON request per line
 * and one response per line, bounded in line length, clients and idle
 * time. */
/* struct ucred, SO_PEERCRED: _GNU_SOURCE comes from the build */
#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gw/ctl.h"
#include "gw/server.h"

#define CTL_RESP_INIT 512 /* first size of a response buffer */

struct gw_ctl {
	struct gw_server *srv;
	uv_pipe_t pipe;
	bool open;    /* pipe initialised and not yet closed */
	bool created; /* we made the socket file: unlink it on close */
	const char *path;
	struct list conns;
};

struct ctl_conn {
	struct le le;
	struct gw_ctl *ctl; /* NULL once gw_ctl_close detached it */
	uv_pipe_t pipe;
	uv_timer_t idle;
	uv_shutdown_t shut;
	unsigned handles; /* initialised and not yet closed */
	bool closing;
	size_t n;
	char buf[GW_CTL_LINE_MAX];
};

struct ctl_write {
	uv_write_t req;
	struct mbuf *mb;
};

static void write_destroy(void *data)
{
	struct ctl_write *w = data;

	mem_deref(w->mb);
}

static void conn_handle_closed(uv_handle_t *h)
{
	struct ctl_conn *c = h->data;

	if (--c->handles == 0)
		mem_deref(c);
}

static void conn_close(struct ctl_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->ctl)
		list_unlink(&c->le);
	c->ctl = NULL;
	uv_close((uv_handle_t *)&c->pipe, conn_handle_closed);
	uv_close((uv_handle_t *)&c->idle, conn_handle_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	conn_close(req->data);
}

static void on_write(uv_write_t *req, int status)
{
	(void)status;
	mem_deref(req->data);
}

static void conn_send(struct ctl_conn *c, struct mbuf *mb)
{
	struct ctl_write *w = mem_zalloc(sizeof(*w), write_destroy);
	uv_buf_t b;

	if (!w) {
		conn_close(c);
		return;
	}
	w->mb = mem_ref(mb);
	w->req.data = w;
	b = uv_buf_init((char *)mb->buf, (unsigned)mb->end);
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, on_write)) {
		mem_deref(w);
		conn_close(c);
	}
}

/* Answers what is wrong and closes once the answer is out. */
static void conn_refuse(struct ctl_conn *c, const char *msg)
{
	struct mbuf *mb = NULL;

	uv_read_stop((uv_stream_t *)&c->pipe);
	if (!mbuf_alloc(&mb, CTL_RESP_INIT) && !gw_ctl_error(mb, msg))
		conn_send(c, mb);
	mem_deref(mb);
	c->shut.data = c;
	if (uv_shutdown(&c->shut, (uv_stream_t *)&c->pipe, on_shutdown))
		conn_close(c);
}

static void conn_line(struct ctl_conn *c, const char *p, size_t len)
{
	struct gw_ctl_req req;
	struct mbuf *mb = NULL;
	int err;

	if (len && p[len - 1] == '\r')
		len--;
	err = mbuf_alloc(&mb, CTL_RESP_INIT);
	if (err)
		goto out;
	err = gw_ctl_req_parse(&req, p, len);
	if (err == ENOTSUP)
		err = gw_ctl_error(mb, "unknown cmd");
	else if (err == EOVERFLOW)
		err = gw_ctl_error(mb, "over a limit");
	else if (err)
		err = gw_ctl_error(mb, "malformed request");
	else
		err = gw_ctl_dispatch(c->ctl->srv, &req, mb);
	if (!err)
		conn_send(c, mb);
out:
	if (err)
		conn_close(c);
	mem_deref(mb);
}

static void on_idle(uv_timer_t *t)
{
	conn_close(t->data);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct ctl_conn *c = h->data;

	(void)hint;
	*buf = uv_buf_init(c->buf + c->n, (unsigned)(sizeof(c->buf) - c->n));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct ctl_conn *c = s->data;
	size_t start = 0, i;

	(void)buf;
	if (nread < 0 || !c->ctl) {
		conn_close(c);
		return;
	}
	for (i = c->n, c->n += (size_t)nread; i < c->n && !c->closing; i++) {
		if (c->buf[i] != '\n')
			continue;
		conn_line(c, c->buf + start, i - start);
		start = i + 1;
	}
	if (c->closing)
		return;
	memmove(c->buf, c->buf + start, c->n - start);
	c->n -= start;
	if (c->n == sizeof(c->buf)) {
		conn_refuse(c, "request line too long");
		return;
	}
	uv_timer_again(&c->idle);
}

/* Only the owner of the server process (or root) may talk to it: the
 * socket's mode says so already; the peer's credentials say it again. */
static bool peer_allowed(uv_pipe_t *p)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)p, &fd) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	return cr.uid == 0 || cr.uid == geteuid();
}

static void on_connection(uv_stream_t *server, int status)
{
	struct gw_ctl *ctl = server->data;
	struct ctl_conn *c;

	if (status < 0)
		return;
	c = mem_zalloc(sizeof(*c), NULL);
	if (!c)
		return;
	c->pipe.data = c->idle.data = c;
	uv_pipe_init(&ctl->srv->loop, &c->pipe, 0);
	uv_timer_init(&ctl->srv->loop, &c->idle);
	c->handles = 2;
	c->ctl = ctl;
	list_append(&ctl->conns, &c->le, c);
	if (uv_accept(server, (uv_stream_t *)&c->pipe)) {
		conn_close(c);
		return;
	}
	if (list_count(&ctl->conns) > GW_CTL_CLIENTS_MAX ||
	    !peer_allowed(&c->pipe)) {
		log_warn("gw", "control: connection refused (%s)",
			 list_count(&ctl->conns) > GW_CTL_CLIENTS_MAX
			     ? "too many clients"
			     : "another user");
		conn_close(c);
		return;
	}
	uv_timer_start(&c->idle, on_idle, GW_CTL_IDLE_MS, GW_CTL_IDLE_MS);
	if (uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read))
		conn_close(c);
}

/* What is at path: nothing (0), a stale socket (removed, 0), a live server
 * (EADDRINUSE) or something else (EEXIST). */
static int path_clear(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, err = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : errno;
	if (!S_ISSOCK(st.st_mode))
		return EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (!connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		err = EADDRINUSE;
	else if (unlink(path))
		err = errno;
	close(fd);
	return err;
}

/* A directory others can enter and list lets them see the socket; the mode
 * 0600 still keeps them out, but say so. */
static void dir_check(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;

	memcpy(dir, path, strlen(path) + 1);
	if (!stat(dirname(dir), &st) && (st.st_mode & 077))
		log_warn("gw",
			 "[server] control_socket: directory of %s is "
			 "open to group or others (0%o): 0700 is safer",
			 path, (unsigned)(st.st_mode & 0777));
}

static void ctl_closed(uv_handle_t *h)
{
	mem_deref(h->data);
}

static int ctl_listen(struct gw_ctl *ctl)
{
	mode_t old;
	int err;

	err = path_clear(ctl->path);
	if (err)
		return err;
	dir_check(ctl->path);
	err = uv_pipe_init(&ctl->srv->loop, &ctl->pipe, 0);
	if (err)
		return net_uv_err(err);
	ctl->pipe.data = mem_ref(ctl);
	ctl->open = true;
	old = umask(0177); /* the socket is born 0600: no window for others */
	err = uv_pipe_bind(&ctl->pipe, ctl->path);
	umask(old);
	if (err)
		return net_uv_err(err);
	ctl->created = true;
	if (chmod(ctl->path, 0600))
		return errno;
	err = uv_listen((uv_stream_t *)&ctl->pipe, GW_CTL_CLIENTS_MAX,
			on_connection);
	return err ? net_uv_err(err) : 0;
}

void gw_ctl_close(struct gw_ctl *ctl)
{
	struct le *le;

	if (!ctl)
		return;
	while ((le = ctl->conns.head)) {
		struct ctl_conn *c = le->data;

		list_unlink(le);
		c->ctl = NULL;
		conn_close(c);
	}
	if (ctl->open) {
		ctl->open = false;
		uv_close((uv_handle_t *)&ctl->pipe, ctl_closed);
	}
	if (ctl->created) {
		ctl->created = false;
		(void)unlink(ctl->path);
	}
}

int gw_ctl_alloc(struct gw_ctl **ctlp, struct gw_server *srv)
{
	struct gw_ctl *ctl;
	const char *path;
	int err;

	if (!ctlp || !srv || !srv->cfg)
		return EINVAL;
	path = srv->cfg->server.control_socket;
	if (!path || !*path)
		return EINVAL;
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		log_error("gw", "[server] control_socket: path too long: %s",
			  path);
		return ENAMETOOLONG;
	}
	/* no destructor: the pipe's close callback holds a reference */
	ctl = mem_zalloc(sizeof(*ctl), NULL);
	if (!ctl)
		return ENOMEM;
	ctl->srv = srv;
	ctl->path = path;
	list_init(&ctl->conns);
	err = ctl_listen(ctl);
	if (err) {
		log_error("gw",
			  "[server] control_socket: cannot listen on %s: "
			  "%s",
			  path,
			  err == EEXIST       ? "exists and is not a socket"
			  : err == EADDRINUSE ? "another server is running"
					      : strerror(err));
		gw_ctl_close(ctl);
		mem_deref(ctl);
		return err;
	}
	log_info("gw", "control socket on %s", path);
	*ctlp = ctl;
	return 0;
}
