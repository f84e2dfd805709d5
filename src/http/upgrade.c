/* upgrade.c: admission of WebSocket handshakes at /ws: path, subprotocol
 * "sip" (RFC 7118 4.1), Origin allow-list (RFC 6455 10.2), per-address cap. */
#include <errno.h>
#include <string.h>

#include "http/http_int.h"

enum {
	UPG_HDR_MAX = 512, /* Origin or Sec-WebSocket-Protocol we look at */
};

/* Is tok one of the comma-separated tokens of list (RFC 6455 4.1, 11.3.4)? */
bool http_token_listed(const char *list, const char *tok)
{
	struct pl rest, item;
	const char *comma;

	pl_set_str(&rest, list);
	while (rest.l) {
		comma = pl_chr(&rest, ',');
		item.p = rest.p;
		item.l = comma ? (size_t)(comma - rest.p) : rest.l;
		pl_trim(&item);
		if (pl_strcmp(&item, tok) == 0)
			return true;
		if (!comma)
			break;
		rest.l -= (size_t)(comma + 1 - rest.p);
		rest.p = comma + 1;
	}
	return false;
}

static int hdr_get(struct lws *wsi, enum lws_token_indexes t, char *buf,
                   size_t size)
{
	int n = lws_hdr_total_length(wsi, t);

	buf[0] = '\0';
	if (n <= 0)
		return ENOENT;
	if ((size_t)n >= size)
		return EOVERFLOW;
	return lws_hdr_copy(wsi, buf, (int)size, t) < 0 ? EBADMSG : 0;
}

/* Origin matching is exact, ASCII case-insensitive (RFC 6454 6.1 form). */
static bool origin_allowed(const struct http_server *srv, struct lws *wsi)
{
	char origin[UPG_HDR_MAX];

	if (!srv->origins_n)
		return true;
	if (hdr_get(wsi, WSI_TOKEN_ORIGIN, origin, sizeof(origin)))
		return false;
	for (size_t i = 0; i < srv->origins_n; i++) {
		if (strcasecmp(origin, srv->origins[i]) == 0)
			return true;
	}
	return false;
}

static int refuse(struct lws *wsi, uint16_t status, const char *headers,
                  const char *why)
{
	if (http_write_simple(wsi, status, why, headers))
		return -1; /* hang up */
	return 1;          /* answered; lws finishes the transaction */
}

/*
 * Called from LWS_CALLBACK_HTTP_CONFIRM_UPGRADE with the request headers
 * still at hand. Returns 0 to let lws answer 101, >0 when we answered with
 * an error, <0 to hang up.
 */
int http_upgrade_confirm(struct http_server *srv, struct lws *wsi,
                         const char *upgrade)
{
	char path[UPG_HDR_MAX], proto[UPG_HDR_MAX];
	struct http_peer peer;

	if (srv->closing)
		return -1;
	if (!upgrade || strcasecmp(upgrade, "websocket"))
		return refuse(wsi, 400, NULL, "only WebSocket upgrades");
	if (hdr_get(wsi, WSI_TOKEN_GET_URI, path, sizeof(path)) ||
	    strcmp(path, HTTP_WS_PATH))
		return refuse(wsi, 404, NULL, "not found");

	/* RFC 7118 4.1: the client offers "sip"; we select it or refuse. */
	if (hdr_get(wsi, WSI_TOKEN_PROTOCOL, proto, sizeof(proto)) ||
	    !http_token_listed(proto, HTTP_WS_SUBPROTO))
		return refuse(wsi, 400, NULL,
		              "WebSocket subprotocol 'sip' required");

	/* RFC 6455 10.2: browsers send Origin; refuse foreign pages. */
	if (!origin_allowed(srv, wsi))
		return refuse(wsi, 403, NULL, "origin not allowed");

	if (srv->max_conn_per_ip) {
		if (http_peer_get(wsi, &peer))
			return -1;
		if (http_ipc_count(srv, peer.ip) >= srv->max_conn_per_ip) {
			log_info(HTTP_MOD, "%s: over %u connections", peer.str,
			         srv->max_conn_per_ip);
			return refuse(wsi, 503, "Retry-After: 30\r\n",
			              "too many connections from this address");
		}
	}
	return 0;
}
