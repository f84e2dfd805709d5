/* ha1cache.c: the server's cache of unsealed device HA1s (RFC 3261 §22.4,
 * RFC 7616 §3.4.2), so that an authenticated request does not run the
 * SQLite query and the XChaCha20-Poly1305 unseal every time. Bounded LRU;
 * entries are wiped when they go; the whole cache is dropped whenever the
 * database changed (PRAGMA data_version for other processes such as the
 * CLI, sqlite3_total_changes64 for this connection). See docs/store.md. */
#include <errno.h>
#include <string.h>

#include "store/db_priv.h"

#define HA1CACHE_BUCKETS 4096 /* hash buckets (a power of two) */
#define HA1CACHE_HEX_MAX 65   /* SHA-256 hex and NUL */

struct ha1cache_entry {
	struct le he;  /* cache->entries */
	struct le lru; /* cache->lru, least recently used first */
	int64_t id;    /* the device */
	uint32_t key;  /* hash of col, user and realm */
	uint8_t col;   /* 0: ha1_md5, 1: ha1_sha256 */
	char hex[HA1CACHE_HEX_MAX];
	char name[]; /* sip_username NUL realm NUL */
};

struct store_ha1cache {
	struct hash *entries;
	struct list lru;
	size_t max;
	int64_t data_version; /* of the database when last checked */
	int64_t changes;      /* sqlite3_total_changes64 then */
};

struct lookup {
	const char *user;
	const char *realm;
	uint8_t col;
};

static void entry_destroy(void *data)
{
	struct ha1cache_entry *e = data;

	hash_unlink(&e->he);
	list_unlink(&e->lru);
	mem_secure_zero(e->hex, sizeof(e->hex));
}

static void cache_destroy(void *data)
{
	struct store_ha1cache *c = data;

	store_ha1cache_flush(c);
	mem_deref(c->entries);
}

int store_ha1cache_alloc(struct store_ha1cache **cp, size_t max)
{
	struct store_ha1cache *c;
	int err;

	if (!cp || !max)
		return EINVAL;
	c = mem_zalloc(sizeof(*c), cache_destroy);
	if (!c)
		return ENOMEM;
	list_init(&c->lru);
	c->max = max;
	c->data_version = -1;
	err = hash_alloc(&c->entries, HA1CACHE_BUCKETS);
	if (err)
		c = mem_deref(c);
	*cp = c;
	return err;
}

void store_ha1cache_flush(struct store_ha1cache *c)
{
	struct le *le;

	if (!c)
		return;
	while ((le = c->lru.head))
		mem_deref(le->data);
}

size_t store_ha1cache_count(const struct store_ha1cache *c)
{
	return c ? list_count(&c->lru) : 0;
}

static uint32_t key_of(const char *user, const char *realm, uint8_t col)
{
	return hash_fnv(user, strlen(user)) ^ hash_fnv(realm, strlen(realm)) ^
	       col;
}

static bool entry_cmp(struct le *le, void *arg)
{
	const struct ha1cache_entry *e = le->data;
	const struct lookup *l = arg;
	size_t ulen = strlen(e->name);

	return e->col == l->col && !strcmp(e->name, l->user) &&
	       !strcmp(e->name + ulen + 1, l->realm);
}

/* Drops everything when the database changed since the last check: a
 * revoke, rotate or removal by the CLI (another connection: data_version)
 * or by this connection (total_changes). Returns 0 or EIO. */
int store_ha1cache_check(struct store *s)
{
	struct store_ha1cache *c = s->ha1c;
	sqlite3_stmt *st = NULL;
	int64_t v, n;
	int err;

	err = store_prep_cached(s, &st, STORE_STMT_DATA_VERSION,
				"PRAGMA data_version");
	if (err)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		err = EIO;
		goto out;
	}
	v = sqlite3_column_int64(st, 0);
	n = (int64_t)sqlite3_total_changes64(s->db);
	if (v != c->data_version || n != c->changes) {
		store_ha1cache_flush(c);
		c->data_version = v;
		c->changes = n;
	}
out:
	store_done(st);
	if (err)
		store_ha1cache_flush(c);
	return err;
}

int store_ha1cache_get(struct store_ha1cache *c, const char *user,
		       const char *realm, uint8_t col, char *hex, size_t size,
		       int64_t *idp)
{
	struct lookup l = {user, realm, col};
	struct ha1cache_entry *e;
	struct le *le;
	size_t len;

	le = hash_lookup(c->entries, key_of(user, realm, col), entry_cmp, &l);
	if (!le)
		return ENOENT;
	e = le->data;
	len = strlen(e->hex);
	if (len >= size)
		return EOVERFLOW;
	memcpy(hex, e->hex, len + 1);
	if (idp)
		*idp = e->id;
	/* most recently used goes last */
	list_unlink(&e->lru);
	list_append(&c->lru, &e->lru, e);
	return 0;
}

void store_ha1cache_put(struct store_ha1cache *c, const char *user,
			const char *realm, uint8_t col, const char *hex,
			int64_t id)
{
	size_t ulen = strlen(user), rlen = strlen(realm), hlen = strlen(hex);
	struct ha1cache_entry *e;

	if (hlen >= HA1CACHE_HEX_MAX)
		return;
	if (list_count(&c->lru) >= c->max && c->lru.head)
		mem_deref(c->lru.head->data); /* evict the oldest, wiped */
	e = mem_zalloc(sizeof(*e) + ulen + rlen + 2, entry_destroy);
	if (!e)
		return; /* a cache: the next request reads the store */
	e->id = id;
	e->col = col;
	e->key = key_of(user, realm, col);
	memcpy(e->hex, hex, hlen + 1);
	memcpy(e->name, user, ulen + 1);
	memcpy(e->name + ulen + 1, realm, rlen + 1);
	hash_append(c->entries, e->key, &e->he, e);
	list_append(&c->lru, &e->lru, e);
}

void store_ha1cache_forget(struct store_ha1cache *c, const char *user)
{
	struct le *le, *next;

	if (!c || !user)
		return;
	/* both columns and any realm: walk (rare, from the control socket) */
	for (le = c->lru.head; le; le = next) {
		struct ha1cache_entry *e = le->data;

		next = le->next;
		if (!strcmp(e->name, user))
			mem_deref(e);
	}
}

int store_cache_set(struct store *s, size_t max)
{
	struct store_ha1cache *c = NULL;
	int err = 0;

	if (!s)
		return EINVAL;
	if (max > STORE_CACHE_MAX)
		return EOVERFLOW;
	if (max)
		err = store_ha1cache_alloc(&c, max);
	if (err)
		return err;
	mem_deref(s->ha1c);
	s->ha1c = c;
	return 0;
}

void store_cache_forget(struct store *s, const char *sip_username)
{
	if (s)
		store_ha1cache_forget(s->ha1c, sip_username);
}

void store_cache_clear(struct store *s)
{
	if (s)
		store_ha1cache_flush(s->ha1c);
}

size_t store_cache_count(const struct store *s)
{
	return s ? store_ha1cache_count(s->ha1c) : 0;
}
