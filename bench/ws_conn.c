/* ws_conn.c: one wsload connection: non-blocking TCP connect, TLS handshake
 * (OpenSSL), the RFC 6455 upgrade, then a closed loop of SIP OPTIONS over
 * WebSocket frames (RFC 7118), answering pings (RFC 6455 5.5.2). */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ws_conn.h"

#define CONN_TAG_SIZE 11u
#define CONN_SIP_MAX 1024u /* one OPTIONS request */

static int conn_fill(struct wsload_conn *c);

static void conn_events(struct wsload_conn *c, uint32_t ev)
{
	struct epoll_event ee = {.events = ev, .data.ptr = c};

	if (ev == c->events)
		return;
	epoll_ctl(c->eng->epfd, EPOLL_CTL_MOD, c->fd, &ee);
	c->events = ev;
}

/* Puts the connection back to idle, to be reopened after the back-off. */
void wsload_conn_reset(struct wsload_conn *c, bool failed)
{
	struct wsload_engine *e = c->eng;

	if (c->st == CONN_OPEN) {
		e->open--;
		e->stats.drops++;
	} else if (c->st != CONN_IDLE) {
		e->pending--;
		if (failed)
			e->stats.conn_errors++;
	}
	for (unsigned i = 0; i < c->nslots; i++) {
		if (c->slots[i].measured)
			e->stats.lost++;
	}
	e->outstanding -= c->nslots;
	c->nslots = 0;
	if (c->ssl) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd); /* also leaves the epoll set */
		c->fd = -1;
	}
	c->st = CONN_IDLE;
	c->events = 0;
	c->inlen = c->outlen = c->msglen = 0;
	c->in_msg = false;
	c->want_write = false;
	c->deadline = e->now + WSLOAD_RETRY_US;
}

/* Reads into buf: 0 with *n > 0, EAGAIN, or an error (peer gone). */
static int conn_read(struct wsload_conn *c, uint8_t *buf, size_t size,
                     size_t *n)
{
	ssize_t r;
	int ret;

	if (!c->ssl) {
		r = read(c->fd, buf, size);
		if (r > 0) {
			*n = (size_t)r;
			return 0;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return EAGAIN;
		return r == 0 ? ECONNRESET : errno;
	}
	ERR_clear_error();
	ret = SSL_read(c->ssl, buf, (int)size);
	if (ret > 0) {
		*n = (size_t)ret;
		return 0;
	}
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		return EAGAIN;
	default:
		return ECONNRESET;
	}
}

/* Writes out what is queued; arms EPOLLOUT while something is left. */
static int conn_flush(struct wsload_conn *c)
{
	size_t done = 0;
	int err = 0;

	c->want_write = false;
	while (done < c->outlen) {
		size_t left = c->outlen - done;
		ssize_t r;

		if (!c->ssl) {
			r = write(c->fd, c->out + done, left);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (r < 0) {
				err = errno;
				goto out;
			}
		} else {
			ERR_clear_error();
			r = SSL_write(c->ssl, c->out + done, (int)left);
			if (r <= 0) {
				int se = SSL_get_error(c->ssl, (int)r);

				if (se == SSL_ERROR_WANT_WRITE) {
					c->want_write = true;
					break;
				}
				if (se == SSL_ERROR_WANT_READ)
					break;
				err = ECONNRESET;
				goto out;
			}
		}
		done += (size_t)r;
	}
	if (done < c->outlen)
		c->want_write = true;
	memmove(c->out, c->out + done, c->outlen - done);
	c->outlen -= done;
out:
	if (!err)
		conn_events(c, EPOLLIN | (c->want_write ? EPOLLOUT : 0u));
	return err;
}

/* Queues one masked frame (RFC 6455 5.3: fresh random masking key). */
int wsload_conn_queue(struct wsload_conn *c, enum wsload_opcode op,
                      const void *p, size_t n)
{
	uint8_t mask[4];
	size_t len;
	int err;

	if (RAND_bytes(mask, sizeof(mask)) != 1)
		return ENOMEM;
	err =
	    wsload_frame_encode(c->out + c->outlen, sizeof(c->out) - c->outlen,
	                        &len, op, mask, p, n);
	if (!err)
		c->outlen += len;
	return err;
}

static int conn_send_options(struct wsload_conn *c)
{
	struct wsload_engine *e = c->eng;
	struct wsload_sip_req req = {
	    .domain = e->cfg->domain,
	    .conn_id = c->id,
	    .cseq = ++c->cseq,
	    .tag = c->tag,
	};
	char sip[CONN_SIP_MAX];
	struct wsload_slot *s;
	size_t len;
	int err;

	err = wsload_sip_options(sip, sizeof(sip), &len, &req);
	if (err)
		return err;
	err = wsload_conn_queue(c, WSLOAD_OP_TEXT, sip, len);
	if (err)
		return err;
	s = &c->slots[c->nslots++];
	s->cseq = req.cseq;
	s->sent = e->now;
	s->measured = e->phase == WSLOAD_RUN;
	e->outstanding++;
	if (s->measured)
		e->stats.sent++;
	return 0;
}

/* Keeps cfg->pipeline requests outstanding while the run lasts. */
static int conn_fill(struct wsload_conn *c)
{
	struct wsload_engine *e = c->eng;
	int err = 0;

	while (e->phase == WSLOAD_RUN && c->st == CONN_OPEN &&
	       c->nslots < e->cfg->pipeline) {
		switch (e->cfg->mode) {
		case WSLOAD_MODE_REGISTER:
			err = wsload_reg_send(c);
			break;
		case WSLOAD_MODE_CALL:
			err = wsload_call_send(c);
			break;
		default:
			err = conn_send_options(c);
			break;
		}
		if (err)
			return err;
	}
	return c->outlen ? conn_flush(c) : 0;
}

static int conn_on_sip(struct wsload_conn *c, const uint8_t *p, size_t n)
{
	struct wsload_engine *e = c->eng;
	uint16_t status;
	uint32_t cseq;
	unsigned i;

	if (wsload_sip_response(p, n, &status, &cseq))
		return EBADMSG;
	if (status < 200)
		return 0; /* provisional: keep waiting */
	for (i = 0; i < c->nslots && c->slots[i].cseq != cseq; i++)
		;
	if (i == c->nslots)
		return 0; /* a stray or late reply: ignore */
	if (e->cfg->mode == WSLOAD_MODE_CALL) {
		bool done = false;
		int err = wsload_call_reply(c, i, status, p, n, &done);

		if (err)
			return err;
		if (done) {
			c->slots[i] = c->slots[--c->nslots];
			e->outstanding--;
		}
		return conn_fill(c);
	}
	if (e->cfg->mode == WSLOAD_MODE_REGISTER) {
		bool done = false;
		int err = wsload_reg_reply(c, i, status, p, n, &done);

		if (err || !done)
			return err ? err : conn_fill(c);
	}
	if (c->slots[i].measured) {
		if (status == 200) {
			e->stats.ok++;
			wsload_hist_add(&e->stats.lat,
			                e->now - c->slots[i].sent);
		} else {
			e->stats.bad_status++;
			e->stats.last_bad = status;
		}
	}
	c->slots[i] = c->slots[--c->nslots];
	e->outstanding--;
	return conn_fill(c);
}

static int conn_on_frame(struct wsload_conn *c, const struct wsload_frame *f)
{
	switch (f->opcode) {
	case WSLOAD_OP_TEXT:
	case WSLOAD_OP_BINARY:
		if (c->in_msg)
			return EBADMSG; /* RFC 6455 5.4: no interleaving */
		if (f->fin)
			return conn_on_sip(c, f->payload, f->len);
		c->in_msg = true;
		c->msglen = 0;
		/* fall through */
	case WSLOAD_OP_CONT:
		if (!c->in_msg)
			return EBADMSG;
		if (f->len > sizeof(c->msg) - c->msglen)
			return EOVERFLOW;
		memcpy(c->msg + c->msglen, f->payload, f->len);
		c->msglen += f->len;
		if (!f->fin)
			return 0;
		c->in_msg = false;
		return conn_on_sip(c, c->msg, c->msglen);
	case WSLOAD_OP_PING:
		c->eng->stats.pings++;
		if (wsload_conn_queue(c, WSLOAD_OP_PONG, f->payload, f->len))
			return EOVERFLOW;
		return conn_flush(c);
	case WSLOAD_OP_PONG:
		return 0;
	default: /* CLOSE: the server is going away */
		return ECONNRESET;
	}
}

static int conn_upgraded(struct wsload_conn *c, size_t hdr_len)
{
	struct wsload_engine *e = c->eng;

	memmove(c->in, c->in + hdr_len, c->inlen - hdr_len);
	c->inlen -= hdr_len;
	c->st = CONN_OPEN;
	e->pending--;
	e->open++;
	e->stats.opened++;
	return conn_fill(c);
}

/* Consumes whatever is complete in c->in. */
static int conn_process(struct wsload_conn *c)
{
	size_t pos = 0, used, hdr_len;
	struct wsload_frame f;
	int err = 0;

	if (c->st == CONN_UPGRADE) {
		err = wsload_upgrade_response(c->in, c->inlen, c->accept,
		                              &hdr_len);
		if (err == ENODATA)
			return 0;
		if (err)
			return err;
		err = conn_upgraded(c, hdr_len);
		if (err)
			return err;
	}
	while (c->st == CONN_OPEN) {
		err =
		    wsload_frame_decode(&f, c->in + pos, c->inlen - pos, &used);
		if (err == ENODATA) {
			err = 0;
			break;
		}
		if (err)
			break;
		err = conn_on_frame(c, &f);
		if (err)
			break;
		pos += used;
	}
	if (!err) {
		memmove(c->in, c->in + pos, c->inlen - pos);
		c->inlen -= pos;
	}
	return err;
}

static int conn_readable(struct wsload_conn *c)
{
	size_t n = 0;
	int err;

	for (;;) {
		if (c->inlen == sizeof(c->in))
			return EOVERFLOW;
		err = conn_read(c, c->in + c->inlen, sizeof(c->in) - c->inlen,
		                &n);
		if (err == EAGAIN)
			break;
		if (err)
			return err;
		c->inlen += n;
		err = conn_process(c);
		if (err)
			return err;
	}
	return c->want_write ? conn_flush(c) : 0;
}

static int conn_start_upgrade(struct wsload_conn *c)
{
	const struct wsload_cfg *cfg = c->eng->cfg;
	char key[WSLOAD_KEY_SIZE];
	size_t len;
	int err;

	c->st = CONN_UPGRADE;
	err = wsload_key_make(key);
	if (!err)
		err = wsload_accept_key(c->accept, key);
	if (!err)
		err = wsload_upgrade_request((char *)c->out, sizeof(c->out),
		                             &len, cfg->host, cfg->path, key);
	if (err)
		return err;
	c->outlen = len;
	return conn_flush(c);
}

static int conn_handshake(struct wsload_conn *c)
{
	int ret;

	ERR_clear_error();
	ret = SSL_connect(c->ssl);
	if (ret == 1)
		return conn_start_upgrade(c);
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		conn_events(c, EPOLLIN);
		return 0;
	case SSL_ERROR_WANT_WRITE:
		conn_events(c, EPOLLIN | EPOLLOUT);
		return 0;
	default:
		return EPROTO;
	}
}

static bool ip_literal(const char *host)
{
	return strspn(host, "0123456789abcdefABCDEF.:") == strlen(host) &&
	       (strchr(host, ':') ||
	        strspn(host, "0123456789.") == strlen(host));
}

static int conn_connected(struct wsload_conn *c)
{
	const struct wsload_cfg *cfg = c->eng->cfg;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr)
		return soerr ? soerr : errno;
	if (!cfg->tls)
		return conn_start_upgrade(c);
	c->ssl = SSL_new(c->eng->ssl_ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd))
		return ENOMEM;
	/* An address literal is checked against IP SANs, a name against DNS
	 * SANs; SNI only for names (RFC 6066 3). */
	if (ip_literal(cfg->vhost)) {
		if (!cfg->insecure && !X509_VERIFY_PARAM_set1_ip_asc(
		                          SSL_get0_param(c->ssl), cfg->vhost))
			return EINVAL;
	} else {
		if (!cfg->insecure && !SSL_set1_host(c->ssl, cfg->vhost))
			return ENOMEM;
		SSL_set_tlsext_host_name(c->ssl, cfg->vhost);
	}
	c->st = CONN_TLS;
	return conn_handshake(c);
}

int wsload_conn_event(struct wsload_conn *c, uint32_t ev)
{
	int err = 0;

	switch (c->st) {
	case CONN_IDLE:
		break;
	case CONN_CONNECTING:
		err = conn_connected(c);
		break;
	case CONN_TLS:
		err = conn_handshake(c);
		break;
	case CONN_UPGRADE:
	case CONN_OPEN:
		if ((ev & EPOLLOUT) && c->outlen)
			err = conn_flush(c);
		if (!err && (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
			err = conn_readable(c);
		break;
	}
	return err;
}

int wsload_conn_connect(struct wsload_conn *c)
{
	struct wsload_engine *e = c->eng;
	const struct wsload_cfg *cfg = e->cfg;
	struct epoll_event ee = {.events = EPOLLOUT, .data.ptr = c};
	int one = 1;
	int err = 0;

	c->fd = socket(((const struct sockaddr *)cfg->addr)->sa_family,
	               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->st = CONN_CONNECTING;
	c->deadline = e->now + WSLOAD_CONNECT_TIMEOUT_US;
	e->pending++;
	if (c->fd < 0) {
		err = errno;
		goto out;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, c->fd, &ee)) {
		err = errno;
		goto out;
	}
	c->events = EPOLLOUT;
	if (connect(c->fd, (const struct sockaddr *)cfg->addr, cfg->addrlen) &&
	    errno != EINPROGRESS)
		err = errno;
out:
	return err;
}

/* Time-based work for one connection: reconnects and timeouts. */
int wsload_conn_tick(struct wsload_conn *c)
{
	struct wsload_engine *e = c->eng;

	switch (c->st) {
	case CONN_IDLE:
		if (e->now >= c->deadline && e->pending < WSLOAD_MAX_PENDING &&
		    e->phase != WSLOAD_DRAIN)
			return wsload_conn_connect(c);
		return 0;
	case CONN_OPEN:
		for (unsigned i = 0; i < c->nslots; i++) {
			if (e->now - c->slots[i].sent < WSLOAD_REQ_TIMEOUT_US)
				continue;
			if (c->slots[i].measured) {
				e->stats.timeouts++;
				c->slots[i].measured = false;
			}
			return ETIMEDOUT;
		}
		return conn_fill(c);
	default:
		return e->now >= c->deadline ? ETIMEDOUT : 0;
	}
}

void wsload_conn_init(struct wsload_conn *c, struct wsload_engine *e,
                      uint32_t id)
{
	/* The engine's array comes zeroed; only non-zero fields are set. */
	c->eng = e;
	c->id = id;
	c->fd = -1;
	rand_token(c->tag, sizeof(c->tag));
}
