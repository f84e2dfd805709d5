/* ws.c: WebSocket connections carrying SIP (RFC 7118 over RFC 6455): whole
 * messages in, a send queue out, idle timeout and close handshake. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"

struct ws_txm {
	struct le le;
	bool binary;
	size_t len;
	uint8_t buf[]; /* LWS_PRE + len */
};

struct ws_conn {
	struct le le; /* in srv->conns while open */
	struct http_server *srv;
	struct lws *wsi; /* NULL once closed */
	struct http_peer peer;
	struct http_ipc *ipc;
	struct list txq;
	size_t txq_bytes;
	struct mbuf *rx;
	bool rx_active;
	bool rx_binary;
	bool in_recvh; /* inside this connection's recvh: may write at once */
	bool closing;
	uint16_t close_code;
	uint8_t close_reason[HTTP_WS_REASON_MAX];
	size_t close_reason_len;
	uint16_t peer_code;
	void *user;
	uint64_t last_us; /* monotonic time of the last message or touch */
};

static void conn_destroy(void *data)
{
	struct ws_conn *c = data;

	list_flush(&c->txq);
	mem_deref(c->rx);
	http_ipc_dec(c->ipc);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Arms the idle timer for us microseconds from now. */
static void idle_arm(struct ws_conn *c, uint64_t us)
{
	if (c->wsi && !c->closing)
		lws_set_timer_usecs(c->wsi, (lws_usec_t)us);
}

/*
 * Marks the connection alive. The timer is not re-armed here: lws 4.1 keeps
 * timers in a sorted list, so a re-arm per message walks every other
 * connection's timer (41% of the CPU at 1,000 connections). Instead the
 * timer, when it fires, re-arms itself for what is left (conn_timer()).
 */
static void idle_touch(struct ws_conn *c)
{
	c->last_us = mono_us();
}

/*
 * lws 4.1 sends our Close frame only when the close starts from a callback
 * other than WRITEABLE (from there it drops the socket without one), so the
 * close runs from an immediate lws timer: see conn_timer().
 */
static void close_soon(struct ws_conn *c)
{
	lws_set_timer_usecs(c->wsi, 1);
}

/*
 * The answer to a message usually comes while its recvh runs. Then, with
 * nothing queued and nothing left over from an earlier partial write, it is
 * written at once: lws buffers whatever the socket does not take and asks
 * for WRITEABLE itself. This saves the two epoll_ctl() calls and the extra
 * loop turn of the WRITEABLE round trip, per message. Returns 1 when
 * written, 0 when the caller must queue, -1 when the connection failed.
 */
static int send_now(struct ws_conn *c, const uint8_t *data, size_t len,
		    bool binary)
{
	uint8_t *buf = c->srv->txbuf;

	if (!c->in_recvh || !buf || c->txq.head || !len ||
	    lws_partial_buffered(c->wsi))
		return 0;
	memcpy(buf + LWS_PRE, data, len);
	if (lws_write(c->wsi, buf + LWS_PRE, len,
		      binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < 0)
		return -1;
	return 1;
}

int ws_conn_send(struct ws_conn *c, const uint8_t *data, size_t len,
                 bool binary)
{
	struct ws_txm *m;
	int n;

	if (!c || (len && !data))
		return EINVAL;
	if (!c->wsi || c->closing)
		return ENOTCONN;
	if (len > HTTP_WS_MSG_MAX || c->txq_bytes + len > HTTP_WS_TXQ_MAX)
		return EOVERFLOW;
	n = send_now(c, data, len, binary);
	if (n > 0)
		return 0;
	if (n < 0) {
		close_soon(c);
		return EIO;
	}
	m = mem_alloc(sizeof(*m) + LWS_PRE + len, NULL);
	if (!m)
		return ENOMEM;
	memset(&m->le, 0, sizeof(m->le));
	m->binary = binary;
	m->len = len;
	if (len)
		memcpy(m->buf + LWS_PRE, data, len);
	list_append(&c->txq, &m->le, m);
	c->txq_bytes += len;
	lws_callback_on_writable(c->wsi);
	return 0;
}

void ws_conn_close(struct ws_conn *c, uint16_t code, const char *reason)
{
	size_t n;

	if (!c || !c->wsi || c->closing)
		return;
	c->closing = true;
	c->close_code = code;
	n = reason ? SC_MIN(strlen(reason), sizeof(c->close_reason)) : 0;
	memcpy(c->close_reason, reason ? reason : "", n);
	c->close_reason_len = n;
	if (c->txq.head)
		lws_callback_on_writable(c->wsi); /* flush, then close_soon */
	else
		close_soon(c);
}

const struct sockaddr *ws_conn_peer(const struct ws_conn *c)
{
	return c ? (const struct sockaddr *)&c->peer.sa : NULL;
}

const char *ws_conn_peer_str(const struct ws_conn *c)
{
	return c ? c->peer.str : "";
}

bool ws_conn_is_open(const struct ws_conn *c)
{
	return c && c->wsi && !c->closing;
}

void ws_conn_set_user(struct ws_conn *c, void *user)
{
	if (c)
		c->user = user;
}

void *ws_conn_user(const struct ws_conn *c)
{
	return c ? c->user : NULL;
}

void ws_conn_touch(struct ws_conn *c)
{
	if (c)
		idle_touch(c);
}

static int conn_open(struct http_server *srv, struct ws_conn **pss,
                     struct lws *wsi)
{
	struct ws_conn *c;
	int err;

	c = mem_zalloc(sizeof(*c), conn_destroy);
	if (!c)
		return -1;
	c->srv = srv;
	c->wsi = wsi;
	err = http_peer_get(wsi, &c->peer);
	err = err ? err : http_ipc_inc(srv, c->peer.ip, &c->ipc);
	if (err) {
		c->wsi = NULL;
		mem_deref(c);
		return -1;
	}
	*pss = c; /* the server's reference, dropped after closeh */
	list_append(&srv->conns, &c->le, c);
	idle_touch(c);
	idle_arm(c, (uint64_t)srv->idle_timeout_s * LWS_USEC_PER_SEC);
	log_debug(HTTP_MOD, "%s: WebSocket open", c->peer.str);
	if (srv->h.openh && srv->h.openh(c, srv->arg))
		ws_conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "refused");
	return 0;
}

static void deliver(struct ws_conn *c, const uint8_t *data, size_t len,
                    bool binary)
{
	idle_touch(c);
	if (c->srv->h.recvh) {
		mem_ref(c);
		c->in_recvh = true;
		c->srv->h.recvh(c, data, len, binary, c->srv->arg);
		c->in_recvh = false;
		mem_deref(c);
	}
}

static int too_big(struct ws_conn *c, struct lws *wsi)
{
	static const char why[] = "message too big";

	log_info(HTTP_MOD, "%s: message over %u bytes", c->peer.str,
	         HTTP_WS_MSG_MAX);
	lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
	                 (uint8_t *)why, sizeof(why) - 1);
	return -1;
}

/*
 * RFC 7118 5: one SIP message per WebSocket message; fragments joined. A
 * message that arrives whole in one callback (almost every SIP message:
 * lws reads up to HTTP_WS_RX_CHUNK) goes to recvh straight from lws's
 * buffer; only a fragmented one is copied, into a buffer allocated then,
 * so an idle connection holds no receive buffer of its own.
 */
static int conn_rx(struct ws_conn *c, struct lws *wsi, const void *in,
                   size_t len)
{
	bool whole = lws_is_final_fragment(wsi) &&
	             !lws_remaining_packet_payload(wsi);

	if (c->closing)
		return 0; /* draining until our Close goes out */
	if (!c->rx_active && whole) {
		if (len > HTTP_WS_MSG_MAX)
			return too_big(c, wsi);
		deliver(c, in, len, lws_frame_is_binary(wsi));
		return 0;
	}
	if (!c->rx && mbuf_alloc(&c->rx, HTTP_WS_RX_CHUNK))
		return -1;
	if (!c->rx_active) {
		mbuf_reset(c->rx);
		c->rx_active = true;
		c->rx_binary = lws_frame_is_binary(wsi);
	}
	if (c->rx->end + len > HTTP_WS_MSG_MAX)
		return too_big(c, wsi);
	if (mbuf_write_mem(c->rx, in, len))
		return -1;
	if (!whole)
		return 0;
	c->rx_active = false;
	deliver(c, c->rx->buf, c->rx->end, c->rx_binary);
	/* one big message must not pin 64 KiB for the connection's life */
	if (c->rx && c->rx->size > 2 * HTTP_WS_RX_CHUNK) {
		mbuf_reset(c->rx);
		(void)mbuf_resize(c->rx, HTTP_WS_RX_CHUNK);
	}
	return 0;
}

static int conn_writable(struct ws_conn *c, struct lws *wsi)
{
	struct ws_txm *m;
	int n;

	if (!c->txq.head)
		return 0;
	m = c->txq.head->data;
	list_unlink(&m->le);
	c->txq_bytes -= m->len;
	n = lws_write(wsi, m->buf + LWS_PRE, m->len,
	              m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
	mem_deref(m);
	if (n < 0)
		return -1;
	if (c->txq.head)
		lws_callback_on_writable(wsi);
	else if (c->closing)
		close_soon(c);
	return 0;
}

/* Idle timeout, or a close waiting to be sent. */
static int conn_timer(struct ws_conn *c, struct lws *wsi)
{
	uint64_t idle_us = (uint64_t)c->srv->idle_timeout_s * LWS_USEC_PER_SEC;
	uint64_t quiet_us = mono_us() - c->last_us;

	if (!c->closing && quiet_us < idle_us) {
		idle_arm(c, idle_us - quiet_us); /* touched since armed */
		return 0;
	}
	if (!c->closing) {
		log_debug(HTTP_MOD, "%s: idle for %us", c->peer.str,
		          c->srv->idle_timeout_s);
		ws_conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "idle timeout");
		return 0;
	}
	if (c->txq.head)
		return 0; /* conn_writable comes back here */
	/* RFC 6455 5.5.1: our Close frame; lws then waits for the peer's
	 * Close, bounded by its own timeout. */
	lws_close_reason(wsi, (enum lws_close_status)c->close_code,
	                 c->close_reason, c->close_reason_len);
	return -1;
}

static void conn_closed(struct ws_conn **pss)
{
	struct ws_conn *c = *pss;
	struct http_server *srv;
	uint16_t code;

	if (!c)
		return;
	*pss = NULL;
	srv = c->srv;
	c->wsi = NULL;
	list_unlink(&c->le);
	http_ipc_dec(c->ipc); /* while srv->ips still exists */
	c->ipc = NULL;
	list_flush(&c->txq);
	c->txq_bytes = 0;
	code = c->peer_code    ? c->peer_code
	       : c->close_code ? c->close_code
	                       : LWS_CLOSE_STATUS_ABNORMAL_CLOSE;
	log_debug(HTTP_MOD, "%s: WebSocket closed (%u)", c->peer.str, code);
	c->closing = true;
	if (srv->h.closeh)
		srv->h.closeh(c, code, srv->arg);
	mem_deref(c);
}

int http_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
               void *in, size_t len)
{
	struct http_server *srv = lws_context_user(lws_get_context(wsi));
	struct ws_conn **pss = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return http_upgrade_confirm(srv, wsi, in);
	case LWS_CALLBACK_ESTABLISHED:
		return conn_open(srv, pss, wsi);
	case LWS_CALLBACK_RECEIVE:
		return *pss ? conn_rx(*pss, wsi, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return *pss ? conn_writable(*pss, wsi) : -1;
	case LWS_CALLBACK_TIMER:
		return *pss ? conn_timer(*pss, wsi) : 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (*pss && len >= 2) {
			const uint8_t *b = in;

			(*pss)->peer_code = (uint16_t)(b[0] << 8 | b[1]);
		} else if (*pss) {
			(*pss)->peer_code = LWS_CLOSE_STATUS_NO_STATUS;
		}
		return 0;
	case LWS_CALLBACK_CLOSED:
		conn_closed(pss);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
