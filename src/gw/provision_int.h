/* provision_int.h: the pure parts of provisioning (token syntax, the JSON
 * answer), shared by provision.c and the fuzz target. Internal to gw/. */
#ifndef SC_GW_PROVISION_INT_H
#define SC_GW_PROVISION_INT_H

#include <stdbool.h>

#include "gw/provision.h"

#define GW_PROVISION_URL_MAX 512 /* ws_url and sip_uri */

/*
 * Whether t is a token as store_link_create makes them: STORE_TOKEN_LEN
 * characters of [A-Za-z0-9]. The same work whatever the input (no early
 * exit), so a malformed token answers in the time of a well-formed one up
 * to the store query. Copies the first STORE_TOKEN_LEN bytes (zeros past
 * the end of t), NUL-terminated, into tok; the caller wipes it.
 */
bool gw_provision_token_check(const struct pl *t,
			      char tok[STORE_TOKEN_LEN + 1]);

/* Appends s as a JSON string (RFC 8259 §7), NUL-terminated, to buf at *np,
 * advancing *np. Returns 0 or EOVERFLOW (buf then holds a partial string). */
int gw_provision_json_str(char *buf, size_t size, size_t *np, const char *s);

/*
 * The device configuration of a redeemed link as one JSON object into buf
 * (NUL-terminated; the caller wipes it: it holds the password), *lenp its
 * length. ice_servers stays an empty array until the gateway runs TURN.
 * Returns 0 or EOVERFLOW.
 */
int gw_provision_config_json(const struct gw_config *cfg,
			     const struct store_link_info *info, char *buf,
			     size_t size, size_t *lenp);

#endif
