/* provision.h: one-time provisioning links over HTTPS (issue 3) and the web
 * softphone that redeems them (issue 6): GET / and GET /p/<token> serve the
 * app, POST /p/<token> redeems the link once. */
#ifndef SC_GW_PROVISION_H
#define SC_GW_PROVISION_H

#include "core/core.h"
#include "gw/gw.h"
#include "http/http.h"
#include "store/store.h"

#define GW_PROVISION_PREFIX "/p/"

/* Rate limit of redeem attempts per source address (IPv4 address or IPv6
 * /64): failures (unknown, used, expired or malformed tokens) counted in
 * the window; at the threshold the source gets 429 with Retry-After for
 * the period, doubling on each repeat up to the maximum. Successes are not
 * counted. A table of its own: provisioning failures never ban SIP
 * registrations, nor the other way round. */
#define GW_PROVISION_FAIL_WINDOW_MS (10 * 60 * 1000ull)
#define GW_PROVISION_FAIL_THRESHOLD 10
#define GW_PROVISION_BAN_MS (10 * 60 * 1000ull)
#define GW_PROVISION_BAN_MAX_MS (24 * 3600 * 1000ull)
#define GW_PROVISION_SOURCES_MAX 4096        /* tracked source addresses */
#define GW_PROVISION_SWEEP_MS (60 * 1000ull) /* forget old failures */
#define GW_PROVISION_JSON_MAX 4096           /* bytes of the answer */
#define GW_WEB_DIR "web" /* the app's folder beside the program */
#define GW_WEB_INDEX "/index.html"

struct gw_provision;

/*
 * Registers two routes on http. "/": the web softphone's files (static, see
 * http_static_*) from gw_web_root(), 404 when it has none. Under
 * GW_PROVISION_PREFIX (other methods 405):
 *   GET  /p/<token>  the app's index.html (never consumes the token, no
 *                    store access: the app itself POSTs when asked to);
 *   POST /p/<token>  redeems: 200 with the device configuration once, 410
 *                    used or expired, 404 unknown or malformed, 429 while
 *                    the source is rate-limited (JSON bodies throughout).
 * http, s, cfg and tl are borrowed: they must outlive *pp. The routes keep
 * a pointer to *pp and http has no way to remove them, so close http
 * (http_server_close) before the last mem_deref of *pp. tl drives the rate
 * limit's clock (its now) and a sweep timer. Returns 0, EINVAL, ENOMEM.
 */
int gw_provision_alloc(struct gw_provision **pp, struct http_server *http,
		       struct store *s, const struct gw_config *cfg,
		       struct tmrl *tl);

/*
 * The web app's directory into buf: cfg's [https] web_root, else
 * GW_WEB_DIR beside the running program (/proc/self/exe). Returns 0,
 * EINVAL, EOVERFLOW, or readlink's errno.
 */
int gw_web_root(const struct gw_config *cfg, char *buf, size_t size);

/*
 * Opens the web app's directory for serving into *stp (the caller
 * mem_deref()s it). A configured web_root that cannot be opened is an
 * error (logged, its errno returned); a missing default folder only a
 * warning: 0 with *stp NULL. EINVAL on NULL arguments.
 */
int gw_web_open(struct http_static **stp, const struct gw_config *cfg);

/* Stops the sweep timer; afterwards the routes answer 503. Idempotent. */
void gw_provision_close(struct gw_provision *p);

/* The wall clock that decides link expiry (default time(NULL)); tests
 * inject theirs. */
void gw_provision_clock_set(struct gw_provision *p, store_now_h *nowh,
			    void *arg);

#endif
