/* route.c: HTTPS request routing and responses, synchronous or later
 * (RFC 9110 semantics, RFC 9112 framing through lws). */
#include <errno.h>
#include <string.h>

#include "http/http_int.h"

enum {
	HTTP_HDR_NAME_MAX = 64,
	HTTP_QUERY_ARGS_MAX = 64,
};

struct http_route {
	struct le le;
	char *method; /* NULL: any */
	char *prefix;
	size_t prefix_len;
	http_route_h *h;
	void *arg;
};

struct http_req {
	struct http_server *srv;
	struct lws *wsi; /* NULL once the connection let go */
	const struct http_route *route;
	struct http_peer peer;
	char hdr[HTTP_HDR_MAX]; /* copies the views below point into */
	size_t hdr_used;
	struct pl method, path, query, auth, ctype, inm;
	struct mbuf *body;
	size_t body_len; /* Content-Length */
	bool dispatched;
	bool answered;
	bool hdr_sent;
	bool head;
	uint8_t *hbuf; /* LWS_PRE + response headers */
	size_t hlen;
	uint8_t *rbuf; /* LWS_PRE + response body */
	size_t rcap;   /* bytes allocated at rbuf */
	size_t rlen, roff;
};

static const struct {
	enum lws_token_indexes tok;
	const char *name;
} http_methods[] = {
    {WSI_TOKEN_GET_URI, "GET"},       {WSI_TOKEN_POST_URI, "POST"},
    {WSI_TOKEN_PUT_URI, "PUT"},       {WSI_TOKEN_PATCH_URI, "PATCH"},
    {WSI_TOKEN_DELETE_URI, "DELETE"}, {WSI_TOKEN_OPTIONS_URI, "OPTIONS"},
    {WSI_TOKEN_HEAD_URI, "HEAD"},
};

static void route_destroy(void *data)
{
	struct http_route *r = data;

	mem_deref(r->method);
	mem_deref(r->prefix);
}

int http_route_add(struct http_server *srv, const char *method,
                   const char *path_prefix, http_route_h *h, void *arg)
{
	struct http_route *r;
	struct pl pl;
	int err = 0;

	if (!srv || !path_prefix || path_prefix[0] != '/' || !h)
		return EINVAL;
	r = mem_zalloc(sizeof(*r), route_destroy);
	if (!r)
		return ENOMEM;
	if (method) {
		pl_set_str(&pl, method);
		err = pl_strdup(&r->method, &pl);
	}
	pl_set_str(&pl, path_prefix);
	err = err ? err : pl_strdup(&r->prefix, &pl);
	if (err) {
		mem_deref(r);
		return err;
	}
	r->prefix_len = pl.l;
	r->h = h;
	r->arg = arg;
	list_append(&srv->routes, &r->le, r);
	return 0;
}

/* "/a" matches "/a" and "/a/..."; "/a/" matches "/a/..."; not "/ab". */
static bool prefix_match(const struct http_route *r, const struct pl *path)
{
	if (path->l < r->prefix_len ||
	    memcmp(path->p, r->prefix, r->prefix_len))
		return false;
	return path->l == r->prefix_len ||
	       r->prefix[r->prefix_len - 1] == '/' ||
	       path->p[r->prefix_len] == '/';
}

/* Longest matching prefix; *path_only tells a 405 from a 404. */
static const struct http_route *route_find(const struct http_server *srv,
                                           const struct http_req *req,
                                           bool *path_only)
{
	const struct http_route *best = NULL;
	struct le *le;

	*path_only = false;
	LIST_FOREACH(&srv->routes, le)
	{
		const struct http_route *r = le->data;

		if (!prefix_match(r, &req->path))
			continue;
		if (r->method && pl_strcmp(&req->method, r->method) &&
		    !(req->head && !strcmp(r->method, "GET"))) {
			*path_only = true;
			continue;
		}
		if (!best || r->prefix_len > best->prefix_len)
			best = r;
	}
	return best;
}

static void req_destroy(void *data)
{
	struct http_req *req = data;

	/* Bodies may carry secrets (a provisioning answer holds a device
	 * password): wiped before the memory goes back. */
	if (req->body)
		mem_secure_zero(req->body->buf, req->body->size);
	if (req->rbuf)
		mem_secure_zero(req->rbuf, req->rcap);
	mem_deref(req->body);
	mem_deref(req->hbuf);
	mem_deref(req->rbuf);
}

/* Copies header t into req->hdr; absent headers give an empty view. */
static int req_hdr(struct http_req *req, struct lws *wsi,
                   enum lws_token_indexes t, struct pl *pl)
{
	int n = lws_hdr_total_length(wsi, t);
	char *dst = req->hdr + req->hdr_used;

	*pl = (struct pl)PL_INIT;
	if (n <= 0)
		return 0;
	if ((size_t)n + 1 > sizeof(req->hdr) - req->hdr_used)
		return EOVERFLOW;
	n = lws_hdr_copy(wsi, dst, n + 1, t);
	if (n < 0)
		return EBADMSG;
	pl->p = dst;
	pl->l = (size_t)n;
	req->hdr_used += (size_t)n + 1;
	return 0;
}

/* lws splits the query at '&' into fragments; join them back. */
static int req_query(struct http_req *req, struct lws *wsi)
{
	char *start = req->hdr + req->hdr_used;
	size_t room = sizeof(req->hdr) - req->hdr_used, used = 0;

	for (int i = 0; i < HTTP_QUERY_ARGS_MAX; i++) {
		int n =
		    lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i);

		if (n <= 0)
			break;
		if (used + (size_t)n + 2 > room)
			return EOVERFLOW;
		if (used)
			start[used++] = '&';
		n = lws_hdr_copy_fragment(wsi, start + used, (int)(room - used),
		                          WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n < 0)
			return EBADMSG;
		used += (size_t)n;
	}
	req->query.p = start;
	req->query.l = used;
	req->hdr_used += used + 1;
	return 0;
}

static int req_parse(struct http_req *req, struct lws *wsi)
{
	struct pl cl;
	int err = EBADMSG;

	for (size_t i = 0; i < SC_ARRAY_SIZE(http_methods); i++) {
		if (lws_hdr_total_length(wsi, http_methods[i].tok) <= 0)
			continue;
		pl_set_str(&req->method, http_methods[i].name);
		req->head = http_methods[i].tok == WSI_TOKEN_HEAD_URI;
		err = req_hdr(req, wsi, http_methods[i].tok, &req->path);
		break;
	}
	err = err ? err : req_query(req, wsi);
	err = err ? err
	          : req_hdr(req, wsi, WSI_TOKEN_HTTP_AUTHORIZATION, &req->auth);
	err = err ? err
	          : req_hdr(req, wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, &req->ctype);
	err = err ? err
	          : req_hdr(req, wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH, &req->inm);
	err = err ? err : req_hdr(req, wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, &cl);
	if (err)
		return err;
	if (pl_isset(&cl)) {
		uint32_t v;

		if (pl_u32(&cl, &v))
			return EBADMSG;
		if (v > HTTP_BODY_MAX)
			return EOVERFLOW;
		req->body_len = v;
	}
	return http_peer_get(wsi, &req->peer);
}

static void req_dispatch(struct http_req *req)
{
	struct http_msg msg = {
	    .method = req->method,
	    .path = req->path,
	    .query = req->query,
	    .authorization = req->auth,
	    .content_type = req->ctype,
	    .if_none_match = req->inm,
	    .peer = (const struct sockaddr *)&req->peer.sa,
	    .peer_str = req->peer.str,
	};

	if (req->body) {
		msg.body.p = (const char *)req->body->buf;
		msg.body.l = req->body->end;
	}
	req->dispatched = true;
	mem_ref(req); /* the handler may drop the connection's reference */
	req->route->h(req, &msg, req->route->arg);
	if (!req->answered && req->wsi)
		lws_set_timeout(req->wsi, PENDING_TIMEOUT_HTTP_CONTENT,
		                HTTP_ASYNC_TIMEOUT_S);
	mem_deref(req);
}

/* Adds "Name: value\r\n" lines of text through lws (EINVAL if malformed). */
static int hdrs_add_text(struct lws *wsi, const char *text, uint8_t **p,
                         uint8_t *end)
{
	char name[HTTP_HDR_NAME_MAX + 2];
	const char *line = text, *eol, *colon, *v;

	while (line && *line) {
		eol = strstr(line, "\r\n");
		colon = strchr(line, ':');
		if (!eol || !colon || colon > eol || colon == line ||
		    (size_t)(colon - line) > HTTP_HDR_NAME_MAX ||
		    memchr(line, '\n', (size_t)(eol - line)) ||
		    memchr(line, '\r', (size_t)(eol - line)))
			return EINVAL;
		memcpy(name, line, (size_t)(colon - line) + 1);
		name[colon - line + 1] = '\0';
		for (v = colon + 1; v < eol && *v == ' '; v++)
			;
		if (lws_add_http_header_by_name(wsi, (uint8_t *)name,
		                                (const uint8_t *)v,
		                                (int)(eol - v), p, end))
			return EOVERFLOW;
		line = eol + 2;
	}
	return 0;
}

/* The headers of every response (http.h, http_reply). */
static const struct {
	const char *name;
	const char *value;
} http_sec_hdrs[] = {
    {"x-content-type-options:", "nosniff"},
    {"content-security-policy:", HTTP_CSP},
    {"strict-transport-security:", HTTP_HSTS},
    {"referrer-policy:", "no-referrer"},
    {"x-frame-options:", "DENY"},
};

static int sec_hdrs_add(struct lws *wsi, uint8_t **p, uint8_t *end)
{
	for (size_t i = 0; i < SC_ARRAY_SIZE(http_sec_hdrs); i++)
		if (lws_add_http_header_by_name(
		        wsi, (const uint8_t *)http_sec_hdrs[i].name,
		        (const uint8_t *)http_sec_hdrs[i].value,
		        (int)strlen(http_sec_hdrs[i].value), p, end))
			return EOVERFLOW;
	return 0;
}

/* Status line and headers into [*p, end); the caller finalizes. */
static int hdrs_build(struct lws *wsi, uint16_t status, const char *ctype,
                      const char *headers, size_t body_len, int flags,
                      uint8_t **p, uint8_t *end)
{
	int err;

	if (lws_add_http_header_status(wsi, status, p, end))
		return EOVERFLOW;
	if (ctype && lws_add_http_header_by_token(
	                 wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
	                 (const uint8_t *)ctype, (int)strlen(ctype), p, end))
		return EOVERFLOW;
	if (!(flags & HTTP_REPLY_CACHEABLE) &&
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
	                                 (const uint8_t *)"no-store", 8, p,
	                                 end))
		return EOVERFLOW;
	if (sec_hdrs_add(wsi, p, end))
		return EOVERFLOW;
	err = headers ? hdrs_add_text(wsi, headers, p, end) : 0;
	if (err)
		return err;
	if (lws_add_http_header_content_length(wsi, body_len, p, end))
		return EOVERFLOW;
	return lws_finalize_http_header(wsi, p, end) ? EOVERFLOW : 0;
}

/*
 * Writes a whole small response now, with reason as the reason phrase and
 * as the body (RFC 9112 4: the status line is ours because lws would say
 * HTTP/1.0 before an upgrade and has no custom reason phrases).
 */
int http_write_simple(struct lws *wsi, uint16_t status, const char *reason,
                      const char *headers)
{
	uint8_t buf[LWS_PRE + HTTP_RESP_HDR_MAX];
	uint8_t bbuf[LWS_PRE + HTTP_REASON_MAX + 1];
	uint8_t *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf);
	size_t blen = strlen(reason);
	int n, err;

	if (blen > HTTP_REASON_MAX || strpbrk(reason, "\r\n"))
		return EINVAL;
	n = snprintf((char *)p, HTTP_RESP_HDR_MAX, "HTTP/1.1 %u %s\r\n", status,
	             reason);
	p += n;
	if (lws_add_http_header_by_token(
	        wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
	        (const uint8_t *)"text/plain; charset=utf-8", 25, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
	                                 (const uint8_t *)"no-store", 8, &p,
	                                 end) ||
	    sec_hdrs_add(wsi, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
	                                 (const uint8_t *)"close", 5, &p, end))
		return EOVERFLOW;
	err = headers ? hdrs_add_text(wsi, headers, &p, end) : 0;
	if (err)
		return err;
	if (lws_add_http_header_content_length(wsi, blen + 1, &p, end) ||
	    lws_finalize_http_header(wsi, &p, end))
		return EOVERFLOW;
	if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) <
	    (int)(p - start))
		return EIO;
	memcpy(bbuf + LWS_PRE, reason, blen);
	bbuf[LWS_PRE + blen] = '\n';
	if (lws_write(wsi, bbuf + LWS_PRE, blen + 1, LWS_WRITE_HTTP_FINAL) <
	    (int)blen + 1)
		return EIO;
	return 0;
}

int http_reply(struct http_req *req, uint16_t status, const char *ctype,
               const char *headers, const void *body, size_t len, int flags)
{
	uint8_t *p, *end;
	int err;

	if (!req || status < 100 || status > 999 || (len && !body))
		return EINVAL;
	if (!req->wsi)
		return ENOTCONN;
	if (req->answered)
		return EPROTO;
	req->hbuf = mem_alloc(LWS_PRE + HTTP_RESP_HDR_MAX, NULL);
	req->rbuf = mem_alloc(LWS_PRE + len + 1, NULL);
	req->rcap = req->rbuf ? LWS_PRE + len + 1 : 0;
	if (!req->hbuf || !req->rbuf) {
		err = ENOMEM;
		goto out;
	}
	p = req->hbuf + LWS_PRE;
	end = p + HTTP_RESP_HDR_MAX;
	err = hdrs_build(req->wsi, status, ctype, headers, len, flags, &p, end);
	if (err)
		goto out;
	req->hlen = (size_t)(p - (req->hbuf + LWS_PRE));
	if (len)
		memcpy(req->rbuf + LWS_PRE, body, len);
	req->rlen = req->head ? 0 : len;
	req->answered = true;
	lws_callback_on_writable(req->wsi);
out:
	if (err) {
		req->hbuf = mem_deref(req->hbuf);
		req->rbuf = mem_deref(req->rbuf);
		req->rcap = 0;
	}
	return err;
}

/* The connection lets go of its request (done, closed or upgraded). */
static void req_detach(struct http_req **pss)
{
	struct http_req *req = *pss;

	if (!req)
		return;
	*pss = NULL;
	req->wsi = NULL;
	mem_deref(req);
}

/* One write per writable callback: headers, then body chunks. */
static int req_writable(struct http_req **pss, struct lws *wsi)
{
	struct http_req *req = *pss;
	size_t n;

	if (!req || !req->answered)
		return 0;
	if (!req->hdr_sent) {
		if (lws_write(wsi, req->hbuf + LWS_PRE, req->hlen,
		              LWS_WRITE_HTTP_HEADERS) < (int)req->hlen)
			return -1;
		req->hdr_sent = true;
		if (req->rlen) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	} else {
		n = SC_MIN(req->rlen - req->roff, (size_t)HTTP_TX_CHUNK);
		if (lws_write(wsi, req->rbuf + LWS_PRE + req->roff, n,
		              req->roff + n == req->rlen
		                  ? LWS_WRITE_HTTP_FINAL
		                  : LWS_WRITE_HTTP) < (int)n)
			return -1;
		req->roff += n;
		if (req->roff < req->rlen) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	}
	req_detach(pss);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int req_start(struct http_server *srv, struct http_req **pss,
                     struct lws *wsi)
{
	struct http_req *req;
	bool path_only;
	int err;

	req_detach(pss);
	req = mem_zalloc(sizeof(*req), req_destroy);
	if (!req)
		return -1;
	req->srv = srv;
	req->wsi = wsi;
	*pss = req; /* the connection's reference */
	err = req_parse(req, wsi);
	if (err == EOVERFLOW)
		return http_reply(req, 413, "text/plain", NULL, "too large\n",
		                  10, 0)
		           ? -1
		           : 0;
	if (err)
		return http_reply(req, 400, "text/plain", NULL, "bad request\n",
		                  12, 0)
		           ? -1
		           : 0;
	req->route = route_find(srv, req, &path_only);
	if (!req->route)
		return http_reply(
		           req, path_only ? 405 : 404, "text/plain", NULL,
		           path_only ? "method not allowed\n" : "not found\n",
		           path_only ? 19 : 10, 0)
		           ? -1
		           : 0;
	if (req->body_len) {
		if (mbuf_alloc(&req->body, req->body_len))
			return -1;
		return 0; /* dispatched at LWS_CALLBACK_HTTP_BODY_COMPLETION */
	}
	req_dispatch(req);
	return 0;
}

static int req_body(struct http_req *req, const void *in, size_t len)
{
	if (!req || req->dispatched || !req->body)
		return 0;
	if (req->body->end + len > req->body_len)
		return -1; /* more than Content-Length: lws framing bug */
	return mbuf_write_mem(req->body, in, len) ? -1 : 0;
}

int http_lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                void *in, size_t len)
{
	struct http_server *srv = lws_context_user(lws_get_context(wsi));
	struct http_req **pss = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return http_upgrade_confirm(srv, wsi, in);
	case LWS_CALLBACK_HTTP:
		if (srv->closing)
			return -1;
		return req_start(srv, pss, wsi);
	case LWS_CALLBACK_HTTP_BODY:
		return req_body(*pss, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (*pss && !(*pss)->dispatched && (*pss)->route)
			req_dispatch(*pss);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return req_writable(pss, wsi);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss)
			req_detach(pss);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
