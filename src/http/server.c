/* server.c: the lws context on a foreign libuv loop, TLS policy, per-address
 * accounting and the close dance (RFC 7118 transport, RFC 8446/5246 TLS). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "http/http_int.h"

/*
 * TLS 1.2 suites: ECDHE with AEAD only (RFC 7525 4.2). TLS 1.3 keeps
 * OpenSSL's default suites, which are all AEAD. Below 1.2, compression and
 * renegotiation are switched off through SSL_OP_* (RFC 7525 3.1.1, 3.3).
 */
static const char http_tls12_ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

static const long http_tls_options =
    SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
    SSL_OP_CIPHER_SERVER_PREFERENCE;

static void http_lws_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	log_msg(level == LLL_ERR ? LOG_ERROR : LOG_WARN, "lws", "%.*s", (int)n,
	        line);
}

static void server_destroy(void *data)
{
	struct http_server *srv = data;

	/* Not a side effect by choice: lws still points into srv while its
	 * context lives, so freeing srv first would be a use-after-free. */
	if (srv->ctx)
		http_server_close(srv);
	list_flush(&srv->routes);
	mem_deref(srv->ips);
	mem_deref(srv->txbuf);
	for (size_t i = 0; i < srv->origins_n; i++)
		mem_deref(srv->origins[i]);
	mem_deref(srv->origins);
	mem_deref(srv->host);
	mem_deref(srv->cert);
	mem_deref(srv->key);
}

static int str_dup(char **dstp, const char *s)
{
	struct pl pl;

	if (!s) {
		*dstp = NULL;
		return 0;
	}
	pl_set_str(&pl, s);
	return pl_strdup(dstp, &pl);
}

static int conf_copy(struct http_server *srv, const struct http_conf *conf)
{
	int err;

	err = str_dup(&srv->host, conf->listen_host);
	err = err ? err : str_dup(&srv->cert, conf->cert);
	err = err ? err : str_dup(&srv->key, conf->key);
	if (err)
		goto out;
	if (conf->origins_n) {
		srv->origins =
		    mem_zalloc(conf->origins_n * sizeof(char *), NULL);
		if (!srv->origins) {
			err = ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < conf->origins_n; i++) {
			err = str_dup(&srv->origins[i], conf->origins[i]);
			if (err)
				goto out;
			srv->origins_n = i + 1;
		}
	}
	srv->max_conn_per_ip = conf->max_conn_per_ip;
	srv->idle_timeout_s =
	    conf->idle_timeout_s ? conf->idle_timeout_s : HTTP_IDLE_TIMEOUT_S;
	/* lws pings after secs_since_valid_ping of silence and hangs up at
	 * secs_since_valid_hangup (counted from the last valid traffic). */
	srv->retry.secs_since_valid_ping =
	    (uint16_t)(conf->ping_s ? conf->ping_s : HTTP_WS_PING_S);
	srv->retry.secs_since_valid_hangup =
	    (uint16_t)(srv->retry.secs_since_valid_ping +
	               (conf->pong_s ? conf->pong_s : HTTP_WS_PONG_S));
out:
	return err;
}

static void healthz(struct http_req *req, const struct http_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	(void)http_reply(req, 200, "text/plain", NULL, "ok\n", 3, 0);
}

static int context_create(struct http_server *srv)
{
	struct lws_context_creation_info info;
	void *loops[1] = {srv->loop};

	srv->protocols[0] = (struct lws_protocols){
	    .name = "sc-http", /* no client will offer it as subprotocol */
	    .callback = http_lws_cb,
	    .per_session_data_size = sizeof(void *),
	};
	srv->protocols[1] = (struct lws_protocols){
	    .name = HTTP_WS_SUBPROTO,
	    .callback = http_ws_cb,
	    .per_session_data_size = sizeof(void *),
	    .rx_buffer_size = HTTP_WS_RX_CHUNK,
	};

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV |
	               LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	               LWS_SERVER_OPTION_VALIDATE_UTF8 |
	               LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	info.foreign_loops = loops;
	info.pcontext = &srv->ctx;
	info.user = srv;
	info.vhost_name = HTTP_VHOST;
	info.iface = srv->host;
	info.port = srv->listen_port;
	info.protocols = srv->protocols;
	info.ssl_cert_filepath = srv->cert;
	info.ssl_private_key_filepath = srv->key;
	info.ssl_cipher_list = http_tls12_ciphers;
	info.ssl_options_set = http_tls_options;
	info.alpn = "http/1.1"; /* WebSocket over HTTP/1.1 only (RFC 6455) */
	info.retry_and_idle_policy = &srv->retry;
	info.server_string = HTTP_VHOST;
	info.timeout_secs = HTTP_HANDSHAKE_TIMEOUT_S; /* TLS + request */

	srv->ctx = lws_create_context(&info);
	return srv->ctx ? 0 : EIO;
}

static void walk_closing(uv_handle_t *h, void *arg)
{
	if (uv_is_closing(h))
		*(bool *)arg = true;
}

static bool loop_closing(uv_loop_t *loop)
{
	bool closing = false;

	uv_walk(loop, walk_closing, &closing);
	return closing;
}

/* Binds and releases host:port, as lws will (SO_REUSEADDR); 0 if free. */
static int port_check(const char *host, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1, err = 0;

	if (!port)
		return 0;
	memset(&ss, 0, sizeof(ss));
	if (host && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	} else if (!host || inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6; /* NULL host: in6addr_any */
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else {
		return 0; /* an interface name: lws resolves it */
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl))
		err = errno;
	close(fd);
	return err;
}

int http_server_alloc(struct http_server **srvp, uv_loop_t *loop,
                      const struct http_conf *conf,
                      const struct http_handlers *h, void *arg)
{
	struct http_server *srv;
	int err;

	if (!srvp || !loop || !conf || !conf->cert || !conf->key || !h)
		return EINVAL;
	srv = mem_zalloc(sizeof(*srv), server_destroy);
	if (!srv)
		return ENOMEM;
	srv->loop = loop;
	srv->h = *h;
	srv->arg = arg;
	srv->txbuf = mem_alloc(LWS_PRE + HTTP_WS_MSG_MAX, NULL);
	err = srv->txbuf ? conf_copy(srv, conf) : ENOMEM;
	err = err ? err : hash_alloc(&srv->ips, HTTP_IP_BUCKETS);
	err = err ? err : http_route_add(srv, "GET", "/healthz", healthz, NULL);
	if (err)
		goto out;

	/* The usual causes of failure, reported clearly before lws sees them */
	if (access(srv->cert, R_OK) || access(srv->key, R_OK)) {
		log_error(HTTP_MOD, "cannot read %s or %s", srv->cert,
		          srv->key);
		err = EIO;
		goto out;
	}
	err = port_check(srv->host, conf->listen_port);
	if (err) {
		log_error(HTTP_MOD, "cannot bind %s port %u: %s",
		          srv->host ? srv->host : "*", conf->listen_port,
		          strerror(err));
		goto out;
	}
	lws_set_log_level(LLL_ERR | LLL_WARN, http_lws_log);
	srv->listen_port = conf->listen_port;
	err = context_create(srv);
	/* lws 4.1 returns a context even when its vhost failed (cert, bind) */
	if (!err) {
		srv->vh = lws_get_vhost_by_name(srv->ctx, HTTP_VHOST);
		err =
		    srv->vh && lws_get_vhost_listen_port(srv->vh) > 0 ? 0 : EIO;
	}
	if (err)
		log_error(HTTP_MOD, "cannot start lws on %s port %u",
		          srv->host ? srv->host : "*", conf->listen_port);
	/* lws 4.1 returns a context whose vhost failed (e.g. a bad PEM)
	 * already half destroyed; http_server_close skips the first step. */
	srv->half_destroyed = err && srv->ctx;
out:
	if (err)
		mem_deref(srv);
	else
		*srvp = srv;
	return err;
}

void http_server_close(struct http_server *srv)
{
	if (!srv || !srv->ctx)
		return;
	srv->closing = true;
	/*
	 * The lws 4.1 dance with a foreign libuv loop (measured, and read in
	 * its libuv plugin): the first lws_context_destroy() closes every wsi
	 * (closeh runs for each WebSocket) and uv_close()s their poll
	 * handles; their close callbacks, one loop turn later, uv_close() the
	 * per-thread timers and idle handle, whose callbacks need one more
	 * turn. Only then may the second lws_context_destroy() free the
	 * context (clearing srv->ctx through info.pcontext) and unload the
	 * plugin: earlier, libuv would later call into unmapped plugin code.
	 * So: turn the loop without blocking while any handle is closing
	 * (bounded), then destroy again. A context whose creation failed has
	 * had its first step inside lws_create_context().
	 */
	if (!srv->half_destroyed)
		lws_context_destroy(srv->ctx);
	for (unsigned i = 0; srv->ctx && i < HTTP_CLOSE_SPINS; i++) {
		uv_run(srv->loop, UV_RUN_NOWAIT);
		if (!loop_closing(srv->loop))
			break;
	}
	if (srv->ctx)
		lws_context_destroy(srv->ctx);
	if (srv->ctx)
		log_error(HTTP_MOD, "lws context not destroyed");
	srv->vh = NULL;
}

uint16_t http_server_port(const struct http_server *srv)
{
	if (!srv || !srv->vh)
		return 0;
	return (uint16_t)lws_get_vhost_listen_port(srv->vh);
}

size_t http_server_conn_count(const struct http_server *srv)
{
	return srv ? list_count(&srv->conns) : 0;
}

int http_peer_get(struct lws *wsi, struct http_peer *peer)
{
	socklen_t sl = sizeof(peer->sa);
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&peer->sa;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&peer->sa;
	uint16_t port = 0;

	memset(peer, 0, sizeof(*peer));
	if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&peer->sa,
	                &sl))
		return errno;
	if (peer->sa.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		struct sockaddr_in v4 = {.sin_family = AF_INET,
		                         .sin_port = s6->sin6_port};

		memcpy(&v4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
		memset(&peer->sa, 0, sizeof(peer->sa));
		memcpy(&peer->sa, &v4, sizeof(v4));
	}
	if (peer->sa.ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, peer->ip, sizeof(peer->ip));
		port = ntohs(s4->sin_port);
		snprintf(peer->str, sizeof(peer->str), "%s:%u", peer->ip, port);
	} else if (peer->sa.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, peer->ip, sizeof(peer->ip));
		port = ntohs(s6->sin6_port);
		snprintf(peer->str, sizeof(peer->str), "[%s]:%u", peer->ip,
		         port);
	} else {
		return EAFNOSUPPORT;
	}
	return 0;
}

static bool ipc_cmp(struct le *le, void *arg)
{
	const struct http_ipc *ipc = le->data;

	return strcmp(ipc->ip, arg) == 0;
}

static struct http_ipc *ipc_find(const struct http_server *srv, const char *ip)
{
	struct le *le = hash_lookup(srv->ips, hash_fnv(ip, strlen(ip)), ipc_cmp,
	                            (void *)ip);

	return le ? le->data : NULL;
}

unsigned http_ipc_count(const struct http_server *srv, const char *ip)
{
	const struct http_ipc *ipc = ipc_find(srv, ip);

	return ipc ? ipc->n : 0;
}

static void ipc_destroy(void *data)
{
	struct http_ipc *ipc = data;

	hash_unlink(&ipc->he);
}

/* On success the caller owns one reference to *ipcp (one per conn). */
int http_ipc_inc(struct http_server *srv, const char *ip,
                 struct http_ipc **ipcp)
{
	struct http_ipc *ipc = ipc_find(srv, ip);

	if (ipc) {
		mem_ref(ipc);
	} else {
		ipc = mem_zalloc(sizeof(*ipc), ipc_destroy);
		if (!ipc)
			return ENOMEM;
		snprintf(ipc->ip, sizeof(ipc->ip), "%s", ip);
		hash_append(srv->ips, hash_fnv(ip, strlen(ip)), &ipc->he, ipc);
	}
	ipc->n++;
	*ipcp = ipc;
	return 0;
}

void http_ipc_dec(struct http_ipc *ipc)
{
	if (!ipc)
		return;
	ipc->n--;
	mem_deref(ipc); /* the last conn's reference unlinks it */
}
