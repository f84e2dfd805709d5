/* server.c: the running gateway: one libuv loop with the SIP transports,
 * the transaction layer and the HTTPS/WSS front door on it (DESIGN.md
 * "Runtime"). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "gw/api.h"
#include "gw/call.h"
#include "gw/conn.h"
#include "gw/ctl.h"
#include "gw/server.h"

#define GW_TXBUF_SIZE 4096

#define GW_DRAIN_MS 3000    /* at most this long for unregistrations */
#define GW_DRAIN_TICK_MS 20

static void drain_tick(uv_timer_t *t)
{
	struct gw_server *srv = t->data;

	if (srv->drain_ticks && gw_conns_unregistering(srv->conns)) {
		srv->drain_ticks--;
		return;
	}
	uv_timer_stop(t);
	/* The teardown runs after uv_run() returns: http_server_close() must
	 * run the loop itself, which it may not do from inside a callback. */
	uv_stop(&srv->loop);
}

/*
 * The first signal ends the calls (BYE/CANCEL) and removes the upstream
 * registrations (REGISTER Expires: 0) while the loop still runs, so that
 * the PBX's challenge to a removal can be answered; the loop stops when
 * none waits any more, after GW_DRAIN_MS at most, or at a second signal.
 */
static void on_signal(uv_signal_t *h, int signum)
{
	struct gw_server *srv = h->data;

	log_info("gw", "%s: shutting down", strsignal(signum));
	if (srv->draining) {
		uv_stop(&srv->loop);
		return;
	}
	srv->draining = true;
	if (srv->calls)
		gw_calls_close(srv->calls);
	gw_conns_server_stop(srv);
	srv->drain_ticks = GW_DRAIN_MS / GW_DRAIN_TICK_MS;
	uv_timer_start(&srv->drain, drain_tick, 0, GW_DRAIN_TICK_MS);
}

static int listen_one(struct gw_server *srv, enum sip_transp_type type,
		      const struct gw_addr *a, struct tls_ctx *tls)
{
	struct sa sa;
	int err;

	if (!a->host)
		return 0;
	err = sa_set(&sa, a->host, a->port);
	if (err) {
		log_error("gw", "[sip] %s: '%s' is not an IP address",
			  sip_transp_name(type), a->host);
		return err;
	}
	err = sip_transp_listen(srv->tp, type, &sa, tls);
	if (err) {
		log_error("gw", "cannot listen for SIP over %s on %s:%u: %s",
			  sip_transp_name(type), a->host, a->port,
			  strerror(err));
		return err;
	}
	log_info("gw", "SIP over %s on %s:%u", sip_transp_name(type), a->host,
		 a->port);
	return 0;
}

/* The registrar's credential lookup: the device's sealed HA1 in the store,
 * through the store's HA1 cache (store_cache_set in store_start): a hit
 * costs no system call and no unseal. The server's own writes empty the
 * cache at once; the CLI's revoke or rotate drops the device's entries
 * through the control socket (device_gone, acknowledged), and cache_check
 * below catches a write whose message was lost (docs/store.md). */
static int cred_lookup(const char *user, const char *realm,
		       enum sip_digest_alg alg, char ha1[SIP_DIGEST_HEX_MAX],
		       void *arg)
{
	struct gw_server *srv = arg;

	int err = store_device_ha1(srv->store, user, realm, (int)alg, ha1,
				   SIP_DIGEST_HEX_MAX, NULL);

	/* not a device: an inbound PBX's credential (conn.h) */
	return err == ENOENT ? store_conn_ha1(srv->store, user, realm,
					      (int)alg, ha1,
					      SIP_DIGEST_HEX_MAX, NULL, 0)
			     : err;
}

/* A stream or WebSocket flow closed: its registrations go at once
 * (RFC 5626 §5, RFC 7118 §5). */
static void on_conn(struct sip_flow *flow, int err, void *arg)
{
	struct gw_server *srv = arg;
	char peer[64];

	if (sip_flow_isopen(flow))
		return;
	/* the timer list's clock moves only when a timer fires or a message
	 * arrives: bring it to now, or the calls' grace period (5 s) would
	 * count from whenever it last moved and end the call early */
	tmrl_poll(srv->tl, net_now_ms(&srv->loop));
	gw_reg_flow_closed(srv->reg, flow);
	gw_conns_flow_closed(srv->conns, flow, err);
	sip_tsx_dest_failed(srv->tsx, flow, err);
	if (srv->calls)
		gw_call_flow_closed(srv->calls, flow);
	if (log_level_get() <= LOG_DEBUG &&
	    !sa_str(sip_flow_peer(flow), peer, sizeof(peer)))
		log_debug("gw", "%s flow from %s closed (%s): its registrations "
				"removed",
			  sip_transp_name(sip_flow_type(flow)), peer,
			  err ? strerror(err) : "orderly");
}

/* A transaction's dest (a struct sip_flow) toward exactly the UDP address
 * and port, from the same local socket, that an ICMP error named. */
static bool udp_dest_is(const void *dest, void *arg)
{
	const struct sip_flow *d = dest, *failed = arg;

	return sip_flow_type(d) == SIP_TRANSP_UDP &&
	       sa_cmp(sip_flow_peer(d), sip_flow_peer(failed)) &&
	       sa_cmp(sip_flow_local(d), sip_flow_local(failed));
}

/* RFC 3261 §18.4: an ICMP error for a UDP datagram is a transport failure:
 * the requests to that destination that heard nothing yet fail with 503
 * now, so that the next target is tried (RFC 3263 §4.3) instead of after
 * Timer B or F. */
static void on_unreach(struct sip_flow *flow, int err, void *arg)
{
	struct gw_server *srv = arg;
	char peer[SA_STR_MAX];

	tmrl_poll(srv->tl, net_now_ms(&srv->loop));
	if (log_level_get() <= LOG_DEBUG &&
	    !sa_str(sip_flow_peer(flow), peer, sizeof(peer)))
		log_debug("gw", "UDP to %s: %s", peer, strerror(err));
	sip_tsx_dests_failed(srv->tsx, udp_dest_is, flow, err);
}

/* Once a minute: expired and used provisioning links lose their sealed
 * password rows (store_link_purge). */
static void housekeeping(void *arg)
{
	struct gw_server *srv = arg;
	unsigned n = 0;
	int err;

	err = store_link_purge(srv->store, (int64_t)time(NULL), &n);
	if (err)
		log_warn("gw", "purging expired links: %s", strerror(err));
	else if (n)
		log_info("gw", "%u expired or used provisioning links purged",
			 n);
	tmr_start(&srv->housekeeping, srv->tl, GW_HOUSEKEEPING_MS,
		  housekeeping, srv);
}

/* Every GW_REG_CACHE_CHECK_MS: did another process write to the store?
 * (PRAGMA data_version once a second instead of before every request.) */
static void cache_check(void *arg)
{
	struct gw_server *srv = arg;
	int err = store_cache_check(srv->store);

	if (err)
		log_warn("gw", "store change check: %s (HA1 cache emptied)",
			 strerror(err));
	tmr_start(&srv->cache_check, srv->tl, GW_REG_CACHE_CHECK_MS,
		  cache_check, srv);
}

static int store_start(struct gw_server *srv)
{
	const struct gw_config *cfg = srv->cfg;
	struct gw_reg_conf rc = {0};
	int err;

	err = store_open(&srv->store, cfg->store.path, srv->kr);
	if (err) {
		log_error("gw", "cannot open the store %s: %s",
			  cfg->store.path, strerror(err));
		return err;
	}
	store_actor_set(srv->store, "server");
	err = store_cache_set(srv->store, GW_REG_HA1_CACHE_MAX);
	if (err)
		return err;
	store_cache_polled_set(srv->store, true);
	tmr_init(&srv->cache_check);
	cache_check(srv);
	/* `sipcloak key rotate` may run while we do: reload on demand */
	err = store_keyfile_set(srv->store, cfg->store.master_key);
	if (err)
		return err;
	tmr_init(&srv->housekeeping);
	housekeeping(srv);
	rc.domain = cfg->sip.domain;
	rc.credh = cred_lookup;
	rc.arg = srv;
	rc.registrar.expires_min = cfg->registrar.min_expires;
	rc.registrar.expires_max = cfg->registrar.max_expires;
	/* a REGISTER without Expires gets the longest interval allowed */
	rc.registrar.expires_default = cfg->registrar.max_expires;
	rc.bans.threshold = cfg->auth.max_failures;
	rc.bans.window_ms = (uint64_t)cfg->auth.failure_window * 1000;
	rc.bans.period_ms = (uint64_t)cfg->auth.ban_time * 1000;
	rc.bans.period_max_ms = (uint64_t)cfg->auth.ban_time_max * 1000;
	rc.nonces.expiry_ms = (uint64_t)cfg->auth.nonce_lifetime * 1000;
	return gw_reg_alloc(&srv->reg, srv->tl, &rc);
}

static int sip_start(struct gw_server *srv)
{
	const struct gw_config *cfg = srv->cfg;
	int err;

	err = sip_tsx_layer_alloc(&srv->tsx, srv->tl, gw_sip_send, srv);
	if (err)
		return err;
	sip_tsx_layer_set_viah(srv->tsx, gw_sip_via);
	err = sip_transp_alloc(&srv->tp, &srv->loop, gw_sip_recv, srv);
	if (err)
		return err;
	sip_transp_set_connh(srv->tp, on_conn);
	sip_transp_set_unreachh(srv->tp, on_unreach);
	err = tls_ctx_client_alloc(&srv->tls_client, cfg->sip.tls_ca_file,
				   cfg->sip.tls_verify);
	if (err) {
		log_error("gw", "[sip] tls_ca_file: cannot load: %s",
			  strerror(err));
		return err;
	}
	sip_transp_set_tls_client(srv->tp, srv->tls_client);
	if (cfg->sip.tls.host) {
		err = tls_ctx_server_alloc(&srv->sip_tls, cfg->sip.tls_cert,
					   cfg->sip.tls_key);
		if (err) {
			log_error("gw", "[sip] tls_cert/tls_key: cannot load "
					"%s / %s: %s",
				  cfg->sip.tls_cert, cfg->sip.tls_key,
				  strerror(err));
			return err;
		}
	}
	err = listen_one(srv, SIP_TRANSP_UDP, &cfg->sip.udp, NULL);
	if (!err)
		err = listen_one(srv, SIP_TRANSP_TCP, &cfg->sip.tcp, NULL);
	if (!err)
		err = listen_one(srv, SIP_TRANSP_TLS, &cfg->sip.tls,
				 srv->sip_tls);
	return err;
}

static int https_start(struct gw_server *srv)
{
	const struct gw_config *cfg = srv->cfg;
	struct http_conf conf = {0};
	struct http_handlers h = {0};
	int err;

	if (!cfg->https.listen.host)
		return 0;
	conf.listen_host = cfg->https.listen.host;
	conf.listen_port = cfg->https.listen.port;
	conf.cert = cfg->https.cert;
	conf.key = cfg->https.key;
	conf.origins = (const char *const *)cfg->https.allowed_origins.v;
	conf.origins_n = cfg->https.allowed_origins.n;
	conf.max_conn_per_ip = cfg->https.max_connections_per_ip;
	conf.idle_timeout_s = cfg->https.idle_timeout;
	h.openh = sip_transp_ws_open;
	h.recvh = sip_transp_ws_recv;
	h.closeh = sip_transp_ws_close;
	err = http_server_alloc(&srv->http, &srv->loop, &conf, &h, srv->tp);
	if (err) {
		log_error("gw", "cannot start HTTPS on %s:%u: %s",
			  conf.listen_host, conf.listen_port, strerror(err));
		return err;
	}
	err = gw_provision_alloc(&srv->prov, srv->http, srv->store, cfg,
				 srv->tl);
	if (err) {
		log_error("gw", "cannot serve provisioning links: %s",
			  strerror(err));
		return err;
	}
	err = gw_api_alloc(&srv->api, srv); /* the admin API, /api/v1 */
	if (err) {
		log_error("gw", "cannot serve the admin API: %s",
			  strerror(err));
		return err;
	}
	log_info("gw", "HTTPS and SIP over WSS on https://%s:%u%s",
		 conf.listen_host, conf.listen_port, HTTP_WS_PATH);
	return 0;
}

/* The media relay: sockets on [media] address (an IP literal; default
 * the public address, which must then be one), ports from [media] ports. */
static int media_start(struct gw_server *srv)
{
	const struct gw_config *cfg = srv->cfg;
	struct media_engine_conf mc = {0};
	const char *addr = cfg->media.address ? cfg->media.address
					      : cfg->server.public_address;
	int err;

	if (sa_set(&mc.bind, addr, 0)) {
		log_error("gw", "[media] address: %s is not an IP address "
				"(set [media] address when [server] "
				"public_address is a name)",
			  addr);
		return EINVAL;
	}
	mc.advertise = mc.bind;
	mc.port_min = cfg->media.ports.lo;
	mc.port_max = cfg->media.ports.hi;
	mc.workers = cfg->media.workers;
	mc.no_media_ms = cfg->media.no_media_timeout * 1000u;
	err = media_engine_alloc(&srv->media, &srv->loop, &mc);
	if (err) {
		log_error("gw", "cannot start the media relay: %s",
			  strerror(err));
		return err;
	}
	err = gw_calls_alloc(&srv->calls, srv);
	return err;
}

static void gw_server_destroy(void *data)
{
	struct gw_server *srv = data;

	gw_server_close(srv);
	mem_deref(srv->txbuf);
	mem_deref(srv->hdrbuf);
}

/*
 * Builds the whole gateway from cfg (which must outlive it) and the master
 * keyring kr (referenced), opens the store and starts listening. On error
 * everything started so far is closed again and an errno value returned
 * (the cause is logged).
 */
int gw_server_alloc(struct gw_server **srvp, const struct gw_config *cfg,
		    struct store_keyring *kr)
{
	struct gw_server *srv;
	int err;

	srv = mem_zalloc(sizeof(*srv), gw_server_destroy);
	if (!srv)
		return ENOMEM;
	srv->cfg = cfg;
	srv->kr = mem_ref(kr);
	rand_pool_init(&srv->tags);
	err = uv_loop_init(&srv->loop);
	if (err) {
		err = net_uv_err(err);
		goto out;
	}
	srv->loop_ready = true;
	err = mbuf_alloc(&srv->txbuf, GW_TXBUF_SIZE);
	if (!err)
		err = mbuf_alloc(&srv->hdrbuf, GW_TXBUF_SIZE);
	if (!err)
		err = tmrl_alloc(&srv->tl, net_now_ms(&srv->loop));
	if (!err)
		err = net_timers_alloc(&srv->timers, &srv->loop, srv->tl);
	if (!err)
		err = store_start(srv);
	if (!err)
		err = sip_start(srv);
	if (!err)
		err = media_start(srv);
	if (!err)
		err = https_start(srv);
	if (!err)
		err = gw_ctl_alloc(&srv->ctl, srv);
	if (!err) /* connections to PBXs (conn.h): after store and SIP */
		err = gw_conns_server_start(srv);
	if (err)
		goto out;
	uv_signal_init(&srv->loop, &srv->sigint);
	uv_signal_init(&srv->loop, &srv->sigterm);
	uv_timer_init(&srv->loop, &srv->drain);
	srv->sigint.data = srv->sigterm.data = srv->drain.data = srv;
	uv_signal_start(&srv->sigint, on_signal, SIGINT);
	uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
out:
	if (err)
		mem_deref(srv);
	else
		*srvp = srv;
	return err;
}

/* Runs until SIGINT or SIGTERM. */
void gw_server_run(struct gw_server *srv)
{
	uv_run(&srv->loop, UV_RUN_DEFAULT);
}

static void close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/*
 * Stops everything: WebSocket and stream connections close, transactions
 * end without callbacks, then the loop runs until every handle is closed.
 * Idempotent; the destructor calls it too.
 */
void gw_server_close(struct gw_server *srv)
{
	if (!srv->loop_ready)
		return;
	gw_ctl_close(srv->ctl);
	srv->ctl = mem_deref(srv->ctl);
	/* provisioning closes first (its routes answer 503 from then on) but
	 * is freed only after the front door, which runs the loop while its
	 * connections close */
	if (srv->prov)
		gw_provision_close(srv->prov);
	gw_api_close(srv->api);
	if (srv->http) {
		http_server_close(srv->http);
		srv->http = mem_deref(srv->http);
	}
	srv->prov = mem_deref(srv->prov);
	srv->api = mem_deref(srv->api);
	tmr_cancel(&srv->housekeeping);
	tmr_cancel(&srv->cache_check);
	/* calls end with BYE/CANCEL, and upstream registrations with
	 * Expires: 0, while the transports still run (UDP and open streams
	 * send at once; no answers are awaited) */
	if (srv->calls)
		gw_calls_close(srv->calls);
	gw_conns_server_stop(srv);
	srv->conns = mem_deref(srv->conns);
	if (srv->tp) {
		sip_transp_close(srv->tp);
		srv->tp = mem_deref(srv->tp);
	}
	if (srv->tsx) {
		sip_tsx_layer_close(srv->tsx);
		srv->tsx = mem_deref(srv->tsx);
	}
	srv->calls = mem_deref(srv->calls);
	if (srv->media) {
		media_engine_close(srv->media);
		srv->media = mem_deref(srv->media);
	}
	srv->reg = mem_deref(srv->reg);
	if (srv->store) {
		store_close(srv->store);
		srv->store = NULL;
	}
	srv->kr = mem_deref(srv->kr);
	if (srv->timers) {
		net_timers_close(srv->timers);
		srv->timers = mem_deref(srv->timers);
	}
	srv->sip_tls = mem_deref(srv->sip_tls);
	srv->tls_client = mem_deref(srv->tls_client);
	uv_walk(&srv->loop, close_walk, NULL);
	uv_run(&srv->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&srv->loop))
		log_warn("gw", "event loop closed with handles still open");
	srv->tl = mem_deref(srv->tl);
	srv->loop_ready = false;
}
