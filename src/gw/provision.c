/* provision.c: one-time provisioning links over HTTPS (issue 3): the web
 * app at GET / and GET /p/<token> (issue 6) and the single redeem at
 * POST /p/<token>, rate-limited per source address. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gw/ban.h"
#include "gw/provision_int.h"
#include "gw/reg.h"

#define PROV_MOD "provision"

/* The security headers (CSP, HSTS, Referrer-Policy, ...) come with every
 * answer from http_reply; Cache-Control: no-store too unless cacheable. */
#define CT_JSON "application/json"
#define CT_TEXT "text/plain; charset=utf-8"

struct gw_provision {
	struct http_server *http;
	struct store *s;
	const struct gw_config *cfg;
	struct tmrl *tl;
	struct http_static *web; /* NULL: no app installed */
	struct gw_bans *bans;
	struct tmr sweep;
	store_now_h *nowh;
	void *now_arg;
	bool closed;
};

static int64_t wall_now(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

static void prov_destroy(void *data)
{
	struct gw_provision *p = data;

	tmr_cancel(&p->sweep);
	mem_deref(p->bans);
	mem_deref(p->web);
}

static void sweep_h(void *arg)
{
	struct gw_provision *p = arg;

	/* Also keeps tl's now fresh when nothing else runs timers. */
	gw_bans_sweep(p->bans, tmrl_now(p->tl));
	(void)tmr_start(&p->sweep, p->tl, GW_PROVISION_SWEEP_MS, sweep_h, p);
}

static void reply(struct http_req *req, uint16_t status, const char *ctype,
		  const char *hdrs, const char *body, size_t len, int flags)
{
	int err = http_reply(req, status, ctype, hdrs, body, len, flags);

	if (err && err != ENOTCONN)
		log_warn(PROV_MOD, "cannot answer %u: %s", status,
			 strerror(err));
}

static void reply_error(struct http_req *req, uint16_t status, const char *code,
			uint64_t retry_s)
{
	char body[128], hdrs[64];

	snprintf(body, sizeof(body), "{\"error\":\"%s\"}", code);
	if (retry_s)
		snprintf(hdrs, sizeof(hdrs), "Retry-After: %llu\r\n",
			 (unsigned long long)retry_s);
	reply(req, status, CT_JSON, retry_s ? hdrs : NULL, body, strlen(body),
	      0);
}

/* The part of the path after the prefix. */
static struct pl path_rest(const struct http_msg *msg)
{
	const size_t pre = sizeof(GW_PROVISION_PREFIX) - 1;
	struct pl r = {msg->path.p + pre, msg->path.l - pre};

	return r;
}

/* The app's file at path (NULL: the request's own path), or 404 when the
 * gateway has no app. */
static void web_serve(struct gw_provision *p, struct http_req *req,
		      const struct http_msg *msg, const char *path)
{
	static const char none[] =
	    "the web softphone is not installed on this gateway\n";
	struct pl pl = msg->path;
	int err;

	if (p->closed) {
		reply(req, 503, CT_TEXT, NULL, "closed\n", 7, 0);
		return;
	}
	if (!p->web) {
		reply(req, 404, CT_TEXT, NULL, none, sizeof(none) - 1, 0);
		return;
	}
	if (path)
		pl_set_str(&pl, path);
	err = http_static_serve(p->web, req, msg, &pl);
	if (err && err != ENOTCONN)
		log_warn(PROV_MOD, "cannot answer: %s", strerror(err));
}

static void on_get(struct http_req *req, const struct http_msg *msg, void *arg)
{
	struct gw_provision *p = arg;
	char tok[STORE_TOKEN_LEN + 1];
	struct pl rest = path_rest(msg);
	bool ok;

	if (p->closed) {
		reply(req, 503, CT_TEXT, NULL, "closed\n", 7, 0);
		return;
	}
	/* The page never looks the token up: only POST touches the store,
	 * so previews and scanners that fetch the link cannot use it. The
	 * app reads the token from its URL and POSTs it when asked to. */
	ok = gw_provision_token_check(&rest, tok);
	mem_secure_zero(tok, sizeof(tok));
	if (!ok) {
		reply(req, 404, CT_TEXT, NULL, "not found\n", 10, 0);
		return;
	}
	web_serve(p, req, msg, GW_WEB_INDEX);
}

/* Counts a failure of src; logs when it starts a ban. */
static void fail_count(struct gw_provision *p, const char *src)
{
	uint64_t remain = 0;
	int err =
	    gw_bans_fail(p->bans, GW_BAN_SOURCE, src, tmrl_now(p->tl), &remain);

	if (err == EACCES)
		log_warn(PROV_MOD,
			 "%s: too many failed link attempts, refused for "
			 "%llu s",
			 src, (unsigned long long)(remain + 999) / 1000);
	else if (err)
		log_warn(PROV_MOD, "%s: failure not counted: %s", src,
			 strerror(err));
}

static void redeem_ok(struct gw_provision *p, struct http_req *req,
		      const struct store_link_info *info, const char *src)
{
	char body[GW_PROVISION_JSON_MAX];
	size_t len = 0;
	int err;

	err = gw_provision_config_json(p->cfg, info, body, sizeof(body), &len);
	if (err) {
		log_error(PROV_MOD, "device %lld: configuration too long",
			  (long long)info->device);
		reply_error(req, 500, "internal", 0);
	} else {
		log_info(PROV_MOD, "device %lld of %s provisioned from %s",
			 (long long)info->device, info->user, src);
		reply(req, 200, CT_JSON, NULL, body, len, 0);
	}
	mem_secure_zero(body, sizeof(body));
}

/*
 * The store is SQLite, queried synchronously on the loop thread: one
 * indexed lookup and one small write transaction per attempt. Acceptable
 * here because redeems are rare and rate-limited per source; the hot
 * paths (SIP authentication) go elsewhere.
 */
static void on_post(struct http_req *req, const struct http_msg *msg, void *arg)
{
	struct gw_provision *p = arg;
	char tok[STORE_TOKEN_LEN + 1], src[GW_AUTH_SOURCE_MAX];
	struct pl rest = path_rest(msg);
	struct store_link_info info;
	uint64_t remain = 0;
	struct sa peer, sa;
	int err;

	memset(&info, 0, sizeof(info));
	if (p->closed) {
		reply_error(req, 503, "unavailable", 0);
		return;
	}
	err = sa_set_sockaddr(&sa, msg->peer);
	if (!err) {
		sa_unmap(&peer, &sa);
		err = gw_auth_source_key(&peer, src, sizeof(src));
	}
	if (err) {
		reply_error(req, 500, "internal", 0);
		return;
	}
	if (gw_bans_check(p->bans, GW_BAN_SOURCE, src, tmrl_now(p->tl),
			  &remain) == EACCES) {
		reply_error(req, 429, "rate_limited", (remain + 999) / 1000);
		return;
	}
	if (!gw_provision_token_check(&rest, tok))
		err = ENOENT; /* no store query for what cannot exist */
	else
		err = store_link_redeem(p->s, tok, p->nowh(p->now_arg), &info);
	mem_secure_zero(tok, sizeof(tok));
	switch (err) {
	case 0:
		redeem_ok(p, req, &info, src);
		break;
	case ENOENT:
		fail_count(p, src);
		reply_error(req, 404, "unknown_link", 0);
		break;
	case ESTALE:
		fail_count(p, src);
		reply_error(req, 410, "link_used_or_expired", 0);
		break;
	default:
		log_error(PROV_MOD, "%s: link redeem: %s", src, strerror(err));
		reply_error(req, 500, "internal", 0);
		break;
	}
	store_link_wipe(&info);
}

static void on_req(struct http_req *req, const struct http_msg *msg, void *arg)
{
	if (!pl_strcmp(&msg->method, "GET") || !pl_strcmp(&msg->method, "HEAD"))
		on_get(req, msg, arg);
	else if (!pl_strcmp(&msg->method, "POST"))
		on_post(req, msg, arg);
	else
		reply(req, 405, CT_TEXT, "Allow: GET, HEAD, POST\r\n",
		      "method not allowed\n", 19, 0);
}

/* "/": provisioning below GW_PROVISION_PREFIX, else the app's files. */
static void on_web(struct http_req *req, const struct http_msg *msg, void *arg)
{
	const size_t pre = sizeof(GW_PROVISION_PREFIX) - 1;

	if (msg->path.l >= pre &&
	    !memcmp(msg->path.p, GW_PROVISION_PREFIX, pre))
		on_req(req, msg, arg);
	else
		web_serve(arg, req, msg, NULL);
}

void gw_provision_close(struct gw_provision *p)
{
	if (!p)
		return;
	p->closed = true;
	tmr_cancel(&p->sweep);
}

void gw_provision_clock_set(struct gw_provision *p, store_now_h *nowh,
			    void *arg)
{
	if (!p)
		return;
	p->nowh = nowh ? nowh : wall_now;
	p->now_arg = arg;
}

int gw_provision_alloc(struct gw_provision **pp, struct http_server *http,
		       struct store *s, const struct gw_config *cfg,
		       struct tmrl *tl)
{
	const struct gw_bans_conf bc = {
	    .window_ms = GW_PROVISION_FAIL_WINDOW_MS,
	    .threshold = GW_PROVISION_FAIL_THRESHOLD,
	    .period_ms = GW_PROVISION_BAN_MS,
	    .period_max_ms = GW_PROVISION_BAN_MAX_MS,
	    .max_entries = GW_PROVISION_SOURCES_MAX,
	};
	struct gw_provision *p;
	int err;

	if (!pp || !http || !s || !cfg || !tl)
		return EINVAL;
	p = mem_zalloc(sizeof(*p), prov_destroy);
	if (!p)
		return ENOMEM;
	p->http = http;
	p->s = s;
	p->cfg = cfg;
	p->tl = tl;
	p->nowh = wall_now;
	tmr_init(&p->sweep);
	err = gw_web_open(&p->web, cfg);
	if (!err)
		err = gw_bans_alloc(&p->bans, &bc);
	if (!err)
		err =
		    tmr_start(&p->sweep, tl, GW_PROVISION_SWEEP_MS, sweep_h, p);
	/* One route for "/" and below (longer prefixes such as /ws and
	 * /healthz win), added last: http cannot remove routes, so nothing
	 * may fail after it (a dangling route would point at freed memory). */
	if (!err)
		err = http_route_add(http, NULL, "/", on_web, p);
	if (err) {
		mem_deref(p);
		return err;
	}
	*pp = p;
	return 0;
}
