/* ban.h: brute-force bans: failed authentications counted per source
 * address and per account, with growing ban periods. */
#ifndef SC_GW_BAN_H
#define SC_GW_BAN_H

#include "core/core.h"

#define GW_BAN_WINDOW_MS (10 * 60 * 1000ull)       /* failures counted in */
#define GW_BAN_THRESHOLD 5                         /* failures that ban */
#define GW_BAN_THRESHOLD_MAX 16                    /* configurable up to */
#define GW_BAN_PERIOD_MS (5 * 60 * 1000ull)        /* first ban */
#define GW_BAN_PERIOD_MAX_MS (24 * 3600 * 1000ull) /* doubling stops here */
#define GW_BAN_DECAY_MS (24 * 3600 * 1000ull)      /* one repeat forgotten */
#define GW_BAN_ENTRIES_MAX 32768                   /* keys per table */
#define GW_BAN_KEY_MAX 256                         /* bytes of one key */

/* Two independent tables: a source (the caller passes an address string;
 * for IPv6 pass the /64 prefix, or one host owns a whole table) and an
 * account (the user name as authenticated). */
enum gw_ban_table { GW_BAN_SOURCE = 0, GW_BAN_ACCOUNT, GW_BAN_TABLES };

/* Zero fields take the defaults above. */
struct gw_bans_conf {
	uint64_t window_ms;
	uint32_t threshold; /* 1..GW_BAN_THRESHOLD_MAX */
	uint64_t period_ms;
	uint64_t period_max_ms;
	uint64_t decay_ms;
	size_t max_entries; /* per table */
};

/*
 * Rules (time is always the caller's now_ms, so tests drive it):
 * - threshold failures of one key within window_ms ban it for period_ms;
 *   the counter restarts after a ban and on a success;
 * - each further ban of the same key doubles the period, up to
 *   period_max_ms; every full decay_ms without a failure (counted from the
 *   last failure or the end of the last ban) forgets one earlier ban;
 * - failures while banned are not counted (the caller should not even try
 *   to authenticate a banned key) and do not extend the ban.
 *
 * Memory is bounded by max_entries per table. When a new key arrives at a
 * full table the least recently active entry without history is dropped,
 * then one with only a ban history; an active ban is never dropped, so an
 * attacker cannot flood a ban away. A table full of active bans stops
 * tracking new keys (gw_bans_fail returns EOVERFLOW) until bans expire.
 */
struct gw_bans;

/* Allocates the two tables; conf may be NULL. Returns 0, EINVAL, ENOMEM. */
int gw_bans_alloc(struct gw_bans **bansp, const struct gw_bans_conf *conf);

/* 0 when key may try to authenticate; EACCES while it is banned, with the
 * time left in *remainp (may be NULL). EOVERFLOW: key over GW_BAN_KEY_MAX. */
int gw_bans_check(struct gw_bans *bans, enum gw_ban_table t, const char *key,
		  uint64_t now_ms, uint64_t *remainp);

/*
 * Counts a failed authentication. Returns 0 when key is not banned, EACCES
 * when it is banned now (by this failure or before) with the time left in
 * *remainp (may be NULL), EOVERFLOW (key too long, or a table full of
 * active bans: nothing recorded), ENOMEM.
 */
int gw_bans_fail(struct gw_bans *bans, enum gw_ban_table t, const char *key,
		 uint64_t now_ms, uint64_t *remainp);

/* A successful authentication: clears key's failure counter (not a running
 * ban, not the ban history). */
void gw_bans_success(struct gw_bans *bans, enum gw_ban_table t,
		     const char *key);

/* Forgets key entirely: lifts its ban and its history (operator unban).
 * Returns 0 or ENOENT. */
int gw_bans_clear(struct gw_bans *bans, enum gw_ban_table t, const char *key);

/* One active ban, as gw_bans_list reports it; key is valid during the call. */
struct gw_ban_info {
	enum gw_ban_table table;
	const char *key;
	uint64_t remain_ms;
	uint32_t bans; /* how many times banned, this one included */
};

/* Return false to stop. The handler must not call gw_bans_* on bans. */
typedef bool(gw_ban_h)(const struct gw_ban_info *bi, void *arg);

/* Calls h for every active ban at now_ms, sources first. */
void gw_bans_list(struct gw_bans *bans, uint64_t now_ms, gw_ban_h *h,
		  void *arg);

/* Frees what no rule needs any more (old failures, decayed history) and
 * returns expired bans to the evictable set. Call it now and then (e.g.
 * every minute); the other calls also clean up the entries they touch. */
void gw_bans_sweep(struct gw_bans *bans, uint64_t now_ms);

/* Keys tracked in table t (for tests and metrics). */
size_t gw_bans_count(const struct gw_bans *bans, enum gw_ban_table t);

#endif
