/* db_priv.h: what the SQLite store's files share: the store struct, the
 * statement and transaction helpers, sealing bound to a row and column. */
#ifndef SC_STORE_DB_PRIV_H
#define SC_STORE_DB_PRIV_H

#include <sqlite3.h>

#include "store/store.h"

#define STORE_SCHEMA_VERSION 4 /* migrations 1..this; see schema.c */
#define STORE_AD_MAX 64        /* "devices:<id>:ha1_sha256" */
#define STORE_SEALED_MAX (STORE_SECRET_MAX + STORE_SEAL_OVERHEAD)
/* SQLite's page cache per connection, in KiB (PRAGMA cache_size = -N): the
 * default is 2 MiB. Small and bounded: the server's hot path is served by
 * the HA1 cache (ha1cache.c), and a miss reads pages from the OS cache. */
#define STORE_PAGE_CACHE_KIB 256

/* Statements prepared once for the life of the connection: the lookups
 * every authenticated SIP request makes (store_prep_cached). */
enum store_stmt {
	STORE_STMT_HA1_MD5 = 0,
	STORE_STMT_HA1_SHA256,
	STORE_STMT_DATA_VERSION, /* ha1cache.c: did the database change? */
	STORE_STMT_CACHED
};

struct store {
	sqlite3 *db;
	struct store_keyring *kr;
	store_now_h *nowh;
	void *arg;
	char actor[STORE_ACTOR_MAX + 1];
	int version;
	char *keyfile; /* reloaded when a value needs a key kr lacks */
	sqlite3_stmt *cached[STORE_STMT_CACHED]; /* hot queries, prepared once */
	struct store_ha1cache *ha1c; /* NULL: no cache (store_cache_set) */
	bool cache_polled; /* other writers: only store_cache_check() looks */
};

/* ha1cache.c: unsealed HA1s by (sip_username, realm, column); col 0 is
 * ha1_md5, 1 ha1_sha256. get answers ENOENT on a miss, EOVERFLOW when
 * size is too small; put copies (a failed allocation is ignored); check
 * (before each lookup) flushes everything when this connection wrote since
 * the last look, and, unless s->cache_polled, when another one did (0 or
 * EIO, then flushed too). Entries are wiped when freed. */
struct store_ha1cache;
int store_ha1cache_alloc(struct store_ha1cache **cp, size_t max);
void store_ha1cache_flush(struct store_ha1cache *c);
size_t store_ha1cache_count(const struct store_ha1cache *c);
int store_ha1cache_check(struct store *s);
int store_ha1cache_get(struct store_ha1cache *c, const char *user,
		       const char *realm, uint8_t col, char *hex, size_t size,
		       int64_t *idp);
void store_ha1cache_put(struct store_ha1cache *c, const char *user,
			const char *realm, uint8_t col, const char *hex,
			int64_t id);
void store_ha1cache_forget(struct store_ha1cache *c, const char *user);

int64_t store_now(const struct store *s);

/* Prepares sql; logs and returns EIO on failure. */
int store_prep(struct store *s, sqlite3_stmt **stp, const char *sql);
/* As store_prep for a hot query: prepared on first use and kept; the
 * caller ends with store_done(), not sqlite3_finalize(). */
int store_prep_cached(struct store *s, sqlite3_stmt **stp, enum store_stmt id,
		      const char *sql);
void store_done(sqlite3_stmt *st);
/* Runs sql without results; EIO, EBUSY or EEXIST (a constraint). */
int store_exec(struct store *s, const char *sql);
/* Maps a sqlite3 result code to our errno values (logs the unexpected). */
int store_sqlerr(struct store *s, int rc);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. end() commits when err is 0 and
 * rolls back otherwise; it returns err, or the commit's error. */
int store_begin(struct store *s);
int store_end(struct store *s, int err);

/* Appends an audit row (actor from s, time now) inside the caller's
 * transaction: action "device.add", subject "device:4". */
int store_audit(struct store *s, const char *action, const char *fmt, ...)
    SC_PRINTF(3, 4);

/* Seals pt under the current key with ad "<table>:<id>:<column>" and binds
 * the result to parameter idx of st. */
int store_seal_bind(struct store *s, sqlite3_stmt *st, int idx,
		    const char *table, int64_t id, const char *column,
		    const char *pt);
/* Unseals column col of st (row "<table>:<id>:<column>") into pt (size
 * bytes, NUL-terminated). Returns 0, EBADMSG (corrupt, other row, unknown
 * key, NULL), EOVERFLOW. */
int store_unseal_col(struct store *s, sqlite3_stmt *st, int col,
		     const char *table, int64_t id, const char *column,
		     char *pt, size_t size);

/* Copies column col of st into buf (size bytes); NULL gives "". */
void store_col_str(sqlite3_stmt *st, int col, char *buf, size_t size);

/* Frees pages and truncates the WAL after secrets were wiped, so that the
 * sealed bytes do not linger in the -wal file. */
void store_checkpoint(struct store *s);

/* Schema: brings the database to version target (forward only). */
int store_schema_migrate(sqlite3 *db, int target);
int store_schema_get(sqlite3 *db, int *versionp);

/* Random credentials: n chars of alphabet into buf (NUL-terminated). */
int store_rand_chars(char *buf, size_t n, const char *alphabet);

#endif
