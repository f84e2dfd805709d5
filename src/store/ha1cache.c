/* ha1cache.c: the server's cache of unsealed device HA1s (RFC 3261 §22.4,
 * RFC 7616 §3.4.2), so that an authenticated request does not run the
 * SQLite query and the XChaCha20-Poly1305 unseal every time. Bounded LRU;
 * entries are wiped when they go; the whole cache is dropped whenever the
 * database changed: this connection's writes (sqlite3_total_changes64,
 * checked at every lookup, no system call) and other processes' such as
 * the CLI (PRAGMA data_version: at every lookup, or only when the owner
 * asks, store_cache_check). See docs/store.md. */
#include <errno.h>
#include <string.h>

#include "store/db_priv.h"

#define HA1CACHE_BUCKETS 4096 /* hash buckets (a power of two) */
#define HA1CACHE_BIN_MAX 32   /* a SHA-256 HA1, kept as bytes, not hex */

struct ha1cache_entry {
	struct le he;  /* cache->entries */
	struct le lru; /* cache->lru, least recently used first */
	int64_t id;    /* the device */
	uint32_t key;  /* hash of col, user and realm */
	uint8_t col;   /* 0: ha1_md5, 1: ha1_sha256 */
	uint8_t nbin;  /* bytes in bin: 16 (MD5) or 32 (SHA-256) */
	uint8_t bin[HA1CACHE_BIN_MAX];
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
	mem_secure_zero(e->bin, sizeof(e->bin));
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

static const char hexdig[] = "0123456789abcdef";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* hlen lower-case hex digits (even) to hlen / 2 bytes; EBADMSG otherwise */
static int unhex(uint8_t *bin, const char *hex, size_t hlen)
{
	size_t i;

	for (i = 0; i < hlen; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return EBADMSG;
		bin[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
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

/* Drops everything when this connection wrote since the last look
 * (provisioning, the admin API): a counter in memory, no system call. */
static void own_check(struct store *s)
{
	struct store_ha1cache *c = s->ha1c;
	int64_t n = (int64_t)sqlite3_total_changes64(s->db);

	if (n != c->changes) {
		store_ha1cache_flush(c);
		c->changes = n;
	}
}

/* Drops everything when another connection (the CLI's revoke, rotate,
 * user remove) committed since the last check: PRAGMA data_version, which
 * costs SQLite two fcntl locks and an fstat. Returns 0 or EIO (then
 * flushed too: a cache we cannot vouch for is no cache). */
static int other_check(struct store *s)
{
	struct store_ha1cache *c = s->ha1c;
	sqlite3_stmt *st = NULL;
	int64_t v;
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
	if (v != c->data_version) {
		store_ha1cache_flush(c);
		c->data_version = v;
	}
out:
	store_done(st);
	if (err) {
		store_ha1cache_flush(c);
		c->data_version = -1;
	}
	return err;
}

int store_ha1cache_check(struct store *s)
{
	own_check(s);
	return s->cache_polled ? 0 : other_check(s);
}

int store_ha1cache_get(struct store_ha1cache *c, const char *user,
		       const char *realm, uint8_t col, char *hex, size_t size,
		       int64_t *idp)
{
	struct lookup l = {user, realm, col};
	struct ha1cache_entry *e;
	struct le *le;
	size_t len, i;

	le = hash_lookup(c->entries, key_of(user, realm, col), entry_cmp, &l);
	if (!le)
		return ENOENT;
	e = le->data;
	len = 2 * (size_t)e->nbin;
	if (len >= size)
		return EOVERFLOW;
	for (i = 0; i < e->nbin; i++) {
		hex[2 * i] = hexdig[e->bin[i] >> 4];
		hex[2 * i + 1] = hexdig[e->bin[i] & 0xf];
	}
	hex[len] = '\0';
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
	uint8_t bin[HA1CACHE_BIN_MAX];
	struct ha1cache_entry *e;

	/* Only what get() gives back exactly: lower-case hex of whole bytes */
	if (!hlen || hlen % 2 || hlen > 2 * HA1CACHE_BIN_MAX ||
	    unhex(bin, hex, hlen))
		goto out;
	if (list_count(&c->lru) >= c->max && c->lru.head)
		mem_deref(c->lru.head->data); /* evict the oldest, wiped */
	e = mem_zalloc(sizeof(*e) + ulen + rlen + 2, entry_destroy);
	if (!e)
		goto out; /* a cache: the next request reads the store */
	e->id = id;
	e->col = col;
	e->key = key_of(user, realm, col);
	e->nbin = (uint8_t)(hlen / 2);
	memcpy(e->bin, bin, e->nbin);
	memcpy(e->name, user, ulen + 1);
	memcpy(e->name + ulen + 1, realm, rlen + 1);
	hash_append(c->entries, e->key, &e->he, e);
	list_append(&c->lru, &e->lru, e);
out:
	mem_secure_zero(bin, sizeof(bin));
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

int store_cache_check(struct store *s)
{
	if (!s)
		return EINVAL;
	if (!s->ha1c)
		return 0;
	own_check(s);
	return other_check(s);
}

void store_cache_polled_set(struct store *s, bool polled)
{
	if (s)
		s->cache_polled = polled;
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
