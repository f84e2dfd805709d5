/* api_priv.h: what api.c (authentication, rate limit, answers) and
 * api_res.c (the resources) share. Internal to gw/. */
#ifndef SC_GW_API_PRIV_H
#define SC_GW_API_PRIV_H

#include <stdio.h>

#include "gw/api.h"
#include "gw/server.h"

#define API_ERR_MAX 192 /* bytes of an error body */

/* One request being answered. The resource writes a success body to f
 * (an open_memstream, wiped after sending: it may hold a password) and
 * sets status, or calls api_error(). */
struct api_ctx {
	struct gw_server *srv;
	const struct http_msg *msg;
	const struct store_atoken *tok;
	struct pl seg[3]; /* path segments after GW_API_PREFIX */
	size_t nseg;
	bool get; /* GET or HEAD */
	FILE *f;
	uint16_t status;
	const char *allow; /* Allow header of a 405 */
	char err[API_ERR_MAX];
};

/* Sets an error answer {"error":code[,"field":field]}; returns status. */
uint16_t api_error(struct api_ctx *c, uint16_t status, const char *code,
		   const char *field);
/* An error answer for a store errno (ENOENT 404, EEXIST 409, ...). */
uint16_t api_store_error(struct api_ctx *c, int err, const char *what);

/* Routes the request to its resource (api_res.c); sets c->status. */
void api_dispatch(struct api_ctx *c);

#endif
