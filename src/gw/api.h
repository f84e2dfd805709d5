/* api.h: the admin API under /api/v1 (issue 6): users, devices,
 * provisioning links, bans, connection status and the audit trail over
 * HTTPS with JSON, authenticated by bearer tokens (RFC 6750) that
 * `sipcloak admin token create` makes. Internal to gw/. */
#ifndef SC_GW_API_H
#define SC_GW_API_H

#include "gw/api_int.h"

/* Rate limit of failed authentications per source address (IPv4 address
 * or IPv6 /64), a table of its own (as provisioning's): at the threshold
 * the source gets 429 with Retry-After, doubling on repeats. */
#define GW_API_FAIL_WINDOW_MS (10 * 60 * 1000ull)
#define GW_API_FAIL_THRESHOLD 10
#define GW_API_BAN_MS (10 * 60 * 1000ull)
#define GW_API_BAN_MAX_MS (24 * 3600 * 1000ull)
#define GW_API_SOURCES_MAX 4096
#define GW_API_SWEEP_MS (60 * 1000ull)
#define GW_API_ACTOR_PREFIX "api:"
#define GW_API_RESP_MAX (1024 * 1024) /* bytes of one answer */

struct gw_api;
struct gw_server;

/*
 * Registers the route GW_API_PREFIX on srv->http. srv is borrowed and must
 * outlive *ap; close srv->http before the last mem_deref of *ap (http
 * cannot remove routes). Returns 0, EINVAL, ENOMEM.
 */
int gw_api_alloc(struct gw_api **ap, struct gw_server *srv);

/* Stops the sweep timer; afterwards the routes answer 503. Idempotent. */
void gw_api_close(struct gw_api *a);

#endif
