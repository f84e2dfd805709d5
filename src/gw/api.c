/* api.c: the admin API's front (issue 6): bearer authentication (RFC 6750
 * §2.1, §3: 401 with WWW-Authenticate), a per-source rate limit of failed
 * attempts (429 with Retry-After, RFC 6585 §4), JSON answers that are
 * never cached, the audit actor "api:<token name>". */
#include <errno.h>
#include <string.h>

#include "gw/api_priv.h"
#include "gw/ban.h"
#include "gw/reg.h"

#define API_MOD "api"
#define CT_JSON "application/json"
#define API_HDRS "Referrer-Policy: no-referrer\r\n"
#define API_AUTH_HDR "WWW-Authenticate: Bearer realm=\"sipcloak\"\r\n"
#define API_HDR_MAX 256

struct gw_api {
	struct gw_server *srv;
	struct gw_bans *bans;
	struct tmr sweep;
	bool closed;
};

static void api_destroy(void *data)
{
	struct gw_api *a = data;

	tmr_cancel(&a->sweep);
	mem_deref(a->bans);
}

static uint64_t now_ms(struct gw_api *a)
{
	tmrl_poll(a->srv->tl, net_now_ms(&a->srv->loop));
	return tmrl_now(a->srv->tl);
}

static void sweep_h(void *arg)
{
	struct gw_api *a = arg;

	gw_bans_sweep(a->bans, tmrl_now(a->srv->tl));
	(void)tmr_start(&a->sweep, a->srv->tl, GW_API_SWEEP_MS, sweep_h, a);
}

uint16_t api_error(struct api_ctx *c, uint16_t status, const char *code,
		   const char *field)
{
	/* code and field are ours or checked names: no escaping needed */
	if (field)
		snprintf(c->err, sizeof(c->err),
			 "{\"error\":\"%s\",\"field\":\"%s\"}", code, field);
	else
		snprintf(c->err, sizeof(c->err), "{\"error\":\"%s\"}", code);
	c->status = status;
	return status;
}

uint16_t api_store_error(struct api_ctx *c, int err, const char *what)
{
	switch (err) {
	case ENOENT:
		return api_error(c, 404, "not_found", what);
	case EEXIST:
		return api_error(c, 409, "exists", what);
	case EACCES:
		return api_error(c, 409, "revoked", what);
	case EOVERFLOW:
		return api_error(c, 400, "over_limit", what);
	case EINVAL:
		return api_error(c, 400, "invalid", what);
	default:
		log_error(API_MOD, "%s: %s", what, strerror(err));
		return api_error(c, 500, "internal", NULL);
	}
}

static void api_send(struct http_req *req, uint16_t status, const char *hdrs,
		 const char *body, size_t len)
{
	int err = http_reply(req, status, CT_JSON, hdrs, body, len, 0);

	if (err && err != ENOTCONN)
		log_warn(API_MOD, "cannot answer %u: %s", status,
			 strerror(err));
}

static void send_error(struct http_req *req, uint16_t status, const char *code,
		       const char *extra)
{
	char body[64], hdrs[API_HDR_MAX];

	snprintf(body, sizeof(body), "{\"error\":\"%s\"}", code);
	snprintf(hdrs, sizeof(hdrs), "%s%s", API_HDRS, extra ? extra : "");
	api_send(req, status, hdrs, body, strlen(body));
}

/* Splits the path after the prefix into at most 3 segments; false when
 * there are more or one is empty. */
static bool split(struct api_ctx *c, const struct pl *path)
{
	const size_t pre = sizeof(GW_API_PREFIX) - 1;
	const char *p = path->p + pre, *end = path->p + path->l;
	const char *s;

	c->nseg = 0;
	if (end > p && end[-1] == '/')
		end--; /* "/users/" as "/users" */
	while (p < end) {
		if (*p != '/' || c->nseg == SC_ARRAY_SIZE(c->seg))
			return false;
		s = ++p;
		while (p < end && *p != '/')
			p++;
		if (p == s)
			return false;
		c->seg[c->nseg].p = s;
		c->seg[c->nseg++].l = (size_t)(p - s);
	}
	return true;
}

/* The source's rate-limit key; "" when it cannot be made. */
static void source_key(const struct http_msg *msg, char *src, size_t size)
{
	struct sa peer, sa;

	src[0] = '\0';
	if (!sa_set_sockaddr(&sa, msg->peer)) {
		sa_unmap(&peer, &sa);
		if (gw_auth_source_key(&peer, src, size))
			src[0] = '\0';
	}
}

static void auth_fail(struct gw_api *a, struct http_req *req, const char *src,
		      const char *why)
{
	uint64_t remain = 0;
	int err = gw_bans_fail(a->bans, GW_BAN_SOURCE, src, now_ms(a),
			       &remain);

	if (err == EACCES)
		log_warn(API_MOD,
			 "%s: too many failed API logins, refused for %llu s",
			 src, (unsigned long long)(remain + 999) / 1000);
	else
		log_info(API_MOD, "%s: API authentication failed (%s)", src,
			 why);
	send_error(req, 401, "unauthorized", API_AUTH_HDR);
}

/* Authenticates msg; 0 with *tok filled, or an answer was sent. */
static int authenticate(struct gw_api *a, struct http_req *req,
			const struct http_msg *msg, const char *src,
			struct store_atoken *tok)
{
	char hdrs[API_HDR_MAX];
	uint64_t remain = 0;
	struct pl bearer;
	int err;

	if (gw_bans_check(a->bans, GW_BAN_SOURCE, src, now_ms(a), &remain) ==
	    EACCES) {
		snprintf(hdrs, sizeof(hdrs), "Retry-After: %llu\r\n",
			 (unsigned long long)(remain + 999) / 1000);
		send_error(req, 429, "rate_limited", hdrs);
		return EACCES;
	}
	err = gw_api_bearer(&msg->authorization, &bearer);
	if (err) {
		auth_fail(a, req, src, err == ENOENT ? "no token" : "scheme");
		return EACCES;
	}
	/* One indexed query on SHA-256(token), the hash compared in
	 * constant time (store/token.c). */
	err = store_atoken_check(a->srv->store, bearer.p, bearer.l, tok);
	if (err == EACCES) {
		auth_fail(a, req, src, "bad token");
		return err;
	}
	if (err) {
		send_error(req, 500, "internal", NULL);
		return err;
	}
	return 0;
}

/* Runs the resource and sends its answer. The body is written into one
 * fixed buffer (fmemopen: no reallocation leaves copies of a password
 * behind in freed memory) and wiped after sending. */
static void run(struct gw_api *a, struct http_req *req,
		const struct http_msg *msg, const struct store_atoken *tok)
{
	struct api_ctx c;
	char actor[STORE_ACTOR_MAX + 1], hdrs[API_HDR_MAX];
	char *buf;
	long len = 0;

	buf = mem_zalloc(GW_API_RESP_MAX, NULL);
	if (!buf) {
		send_error(req, 500, "internal", NULL);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.srv = a->srv;
	c.msg = msg;
	c.tok = tok;
	c.get = !pl_strcmp(&msg->method, "GET") ||
		!pl_strcmp(&msg->method, "HEAD");
	c.f = fmemopen(buf, GW_API_RESP_MAX, "w");
	if (!c.f) {
		send_error(req, 500, "internal", NULL);
		goto out;
	}
	snprintf(actor, sizeof(actor), GW_API_ACTOR_PREFIX "%s", tok->name);
	(void)store_actor_set(a->srv->store, actor);
	if (!split(&c, &msg->path))
		api_error(&c, 404, "not_found", NULL);
	else if (msg->body.l > GW_API_BODY_MAX)
		api_error(&c, 413, "body_too_large", NULL);
	else
		api_dispatch(&c);
	(void)store_actor_set(a->srv->store, "server");
	if (fflush(c.f) || (len = ftell(c.f)) < 0 ||
	    len >= (long)GW_API_RESP_MAX - 1)
		api_error(&c, 500, "answer_too_large", NULL);
	fclose(c.f);
	snprintf(hdrs, sizeof(hdrs), "%s%s%s%s", API_HDRS,
		 c.allow ? "Allow: " : "", c.allow ? c.allow : "",
		 c.allow ? "\r\n" : "");
	if (c.err[0])
		api_send(req, c.status, hdrs, c.err, strlen(c.err));
	else
		api_send(req, c.status ? c.status : 200, hdrs, buf, (size_t)len);
out:
	mem_secure_zero(buf, GW_API_RESP_MAX);
	mem_deref(buf);
}

/*
 * Every store call here is synchronous SQLite on the signalling loop (as
 * the CLI paths and provisioning): one or two short statements per
 * request, behind authentication and a rate limit of failures.
 */
static void on_req(struct http_req *req, const struct http_msg *msg, void *arg)
{
	struct gw_api *a = arg;
	char src[GW_AUTH_SOURCE_MAX];
	struct store_atoken tok;

	if (a->closed) {
		send_error(req, 503, "unavailable", NULL);
		return;
	}
	source_key(msg, src, sizeof(src));
	if (!src[0]) {
		send_error(req, 500, "internal", NULL);
		return;
	}
	memset(&tok, 0, sizeof(tok));
	if (authenticate(a, req, msg, src, &tok))
		return;
	run(a, req, msg, &tok);
}

void gw_api_close(struct gw_api *a)
{
	if (!a)
		return;
	a->closed = true;
	tmr_cancel(&a->sweep);
}

int gw_api_alloc(struct gw_api **ap, struct gw_server *srv)
{
	const struct gw_bans_conf bc = {
	    .window_ms = GW_API_FAIL_WINDOW_MS,
	    .threshold = GW_API_FAIL_THRESHOLD,
	    .period_ms = GW_API_BAN_MS,
	    .period_max_ms = GW_API_BAN_MAX_MS,
	    .max_entries = GW_API_SOURCES_MAX,
	};
	struct gw_api *a;
	int err;

	if (!ap || !srv || !srv->http || !srv->store || !srv->tl)
		return EINVAL;
	a = mem_zalloc(sizeof(*a), api_destroy);
	if (!a)
		return ENOMEM;
	a->srv = srv;
	tmr_init(&a->sweep);
	err = gw_bans_alloc(&a->bans, &bc);
	if (!err)
		err = tmr_start(&a->sweep, srv->tl, GW_API_SWEEP_MS, sweep_h,
				a);
	/* The route last: http cannot remove it. */
	if (!err)
		err = http_route_add(srv->http, NULL, GW_API_PREFIX, on_req, a);
	if (err) {
		mem_deref(a);
		return err;
	}
	*ap = a;
	return 0;
}
