/* api_int.h: the pure parts of the admin API (issue 6): the bearer
 * credential of an Authorization header (RFC 6750 §2.1) and the JSON
 * request bodies (RFC 8259), shared by api.c, its tests and the fuzz
 * target. Internal to gw/. */
#ifndef SC_GW_API_INT_H
#define SC_GW_API_INT_H

#include <stdbool.h>

#include "core/core.h"
#include "store/store.h"

#define GW_API_PREFIX "/api/v1"
#define GW_API_BODY_MAX 4096     /* bytes of a request body; over: 413 */
#define GW_API_FIELD_MAX 32      /* bytes of a field name we report */
#define GW_API_TTL_DEFAULT 86400 /* seconds a link lives without "ttl" */

/* The members a request body may carry; each one optional here, the
 * handler says which it needs. Strings are NUL-terminated copies. */
struct gw_api_body {
	char name[STORE_NAME_MAX + 1];
	char extension[STORE_EXTENSION_MAX + 1];
	char display[STORE_DISPLAY_MAX + 1];
	char label[STORE_LABEL_MAX + 1];
	uint64_t ttl; /* seconds, 0: absent */
	bool has_name, has_extension, has_display, has_label;
};

/*
 * Parses a JSON object body of len bytes at p (empty: an empty object)
 * into *b. Unknown members, wrong types, strings with escapes or control
 * characters, and values over their store limit are refused; field (size
 * bytes) gets the offending member's name ("body" when the object itself
 * is malformed). Never allocates, never reads past len.
 * Returns 0, EBADMSG (malformed or mistyped), EOVERFLOW (too long), EINVAL.
 */
int gw_api_body_parse(struct gw_api_body *b, const char *p, size_t len,
		      char *field, size_t size);

/*
 * The token of "Bearer <token>" (scheme case-insensitive, RFC 6750 §2.1)
 * as a view into auth. Returns 0, ENOENT (no header), EBADMSG (another
 * scheme or no token).
 */
int gw_api_bearer(const struct pl *auth, struct pl *token);

#endif
