/* config_conn.h: the config loader's side of [connection NAME] sections
 * (config_conn.c). Internal to src/gw/. */
#ifndef SC_GW_CONFIG_CONN_H
#define SC_GW_CONFIG_CONN_H

#include "gw/gw.h"

struct gw_cidr;

/*
 * Starts a new connection named name whose header is on line. Returns 0,
 * EEXIST (name used before) or EOVERFLOW (too many, name too long), with
 * why (size bytes) set, or ENOMEM.
 */
int gw_config_conn_begin(struct gw_config *cfg, const struct pl *name,
			 unsigned line, char *why, size_t size);

/*
 * Sets key = v on line in the connection begun last. Returns 0, ENOENT
 * (unknown key), EALREADY (duplicate key), EBADMSG or EOVERFLOW (bad
 * value), with why set, or ENOMEM / EINVAL.
 */
int gw_config_conn_pair(struct gw_config *cfg, const struct pl *key,
			const struct pl *v, unsigned line, char *why,
			size_t size);

/* Rules over a whole section (required keys, keys of another type), run
 * after the file was read; fills in default ports. */
typedef void(gw_config_conn_fail_h)(unsigned line, const char *section,
				    const char *key, const char *msg,
				    void *arg);
void gw_config_conn_check(struct gw_config *cfg, gw_config_conn_fail_h *fh,
			  void *arg);

/* Frees every connection of cfg (its destructor calls it). */
void gw_config_conns_free(struct gw_config *cfg);

/* "ADDR" or "ADDR/BITS" (IPv4 or IPv6). Returns 0 or EBADMSG. */
int gw_cidr_decode(struct gw_cidr *cidr, const struct pl *v);

#endif
