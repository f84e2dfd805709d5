/* db.c: opening the SQLite store (WAL, foreign keys, busy timeout, secure
 * delete), transactions, the audit trail and sealing bound to rows. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/db_priv.h"

#define AUDIT_SUBJECT_MAX 96

static int64_t now_default(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

int64_t store_now(const struct store *s)
{
	return s->nowh(s->arg);
}

int store_sqlerr(struct store *s, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_warn("store", "database busy: %s", sqlite3_errmsg(s->db));
		return EBUSY;
	case SQLITE_CONSTRAINT:
		return EEXIST;
	case SQLITE_NOMEM:
		return ENOMEM;
	default:
		log_error("store", "sqlite: %s", sqlite3_errmsg(s->db));
		return EIO;
	}
}

int store_prep(struct store *s, sqlite3_stmt **stp, const char *sql)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, stp, NULL);
	int err = store_sqlerr(s, rc);

	if (rc != SQLITE_OK) {
		*stp = NULL;
		if (!err)
			err = EIO;
	}
	return err;
}

int store_prep_cached(struct store *s, sqlite3_stmt **stp, enum store_stmt id,
		      const char *sql)
{
	int err = 0;

	if (!s->cached[id])
		err = store_prep(s, &s->cached[id], sql);
	*stp = err ? NULL : s->cached[id];
	return err;
}

void store_done(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int store_exec(struct store *s, const char *sql)
{
	return store_sqlerr(s, sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

int store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE");
}

int store_end(struct store *s, int err)
{
	if (!err) {
		err = store_exec(s, "COMMIT");
		if (!err)
			return 0;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

int store_audit(struct store *s, const char *action, const char *fmt, ...)
{
	char subject[AUDIT_SUBJECT_MAX];
	sqlite3_stmt *st = NULL;
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(subject, sizeof(subject), fmt, ap);
	va_end(ap);
	err = store_prep(s, &st,
			 "INSERT INTO audit(time, actor, action, subject) "
			 "VALUES (?, ?, ?, ?)");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, store_now(s));
	sqlite3_bind_text(st, 2, s->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject, -1, SQLITE_TRANSIENT);
	err = store_sqlerr(s, sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return err;
}

static int ad_make(char *ad, size_t size, const char *table, int64_t id,
		   const char *column)
{
	int n = snprintf(ad, size, "%s:%lld:%s", table, (long long)id, column);

	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

int store_seal_bind(struct store *s, sqlite3_stmt *st, int idx,
		    const char *table, int64_t id, const char *column,
		    const char *pt)
{
	char ad[STORE_AD_MAX];
	struct mbuf *mb = NULL;
	int err;

	err = ad_make(ad, sizeof(ad), table, id, column);
	if (err)
		goto out;
	err = mbuf_alloc(&mb, STORE_SEALED_MAX);
	if (err)
		goto out;
	err = store_seal(mb, s->kr, (const uint8_t *)pt, strlen(pt),
			 (const uint8_t *)ad, strlen(ad));
	if (err)
		goto out;
	if (sqlite3_bind_blob(st, idx, mb->buf, (int)mb->end,
			      SQLITE_TRANSIENT) != SQLITE_OK)
		err = ENOMEM;
out:
	mem_deref(mb);
	return err;
}

int store_keyfile_set(struct store *s, const char *path)
{
	char *copy;

	if (!s || !path)
		return EINVAL;
	if (pl_strdup(&copy, &(struct pl){path, strlen(path)}))
		return ENOMEM;
	mem_deref(s->keyfile);
	s->keyfile = copy;
	return 0;
}

/* A value needs a key this keyring lacks: take the key file as it is now. */
static int keyring_reload(struct store *s)
{
	struct store_keyring *kr;
	int err;

	if (!s->keyfile)
		return ENOENT;
	err = store_keyfile_load(&kr, s->keyfile);
	if (err) {
		log_error("store", "cannot reload the master key file %s: %s",
			  s->keyfile, strerror(err));
		return err;
	}
	log_info("store", "master key file %s reloaded (%zu keys)", s->keyfile,
		 store_keyring_count(kr));
	mem_deref(s->kr);
	s->kr = kr;
	return 0;
}

int store_unseal_col(struct store *s, sqlite3_stmt *st, int col,
		     const char *table, int64_t id, const char *column,
		     char *pt, size_t size)
{
	const uint8_t *sealed;
	char ad[STORE_AD_MAX];
	size_t n = 0;
	int len, err;

	if (size < 1)
		return EOVERFLOW;
	pt[0] = '\0';
	err = ad_make(ad, sizeof(ad), table, id, column);
	if (err)
		return err;
	sealed = sqlite3_column_blob(st, col);
	len = sqlite3_column_bytes(st, col);
	if (!sealed || len <= 0)
		return EBADMSG;
	err = store_unseal((uint8_t *)pt, size - 1, &n, s->kr, sealed,
			   (size_t)len, (const uint8_t *)ad, strlen(ad));
	if (err == ENOENT && !keyring_reload(s))
		err = store_unseal((uint8_t *)pt, size - 1, &n, s->kr, sealed,
				   (size_t)len, (const uint8_t *)ad,
				   strlen(ad));
	if (err == EOVERFLOW)
		return EOVERFLOW;
	if (err) {
		log_error("store",
			  "%s does not unseal (%s): corrupt, copied "
			  "from another row, or sealed under a key not in the "
			  "key file",
			  ad, strerror(err));
		return EBADMSG;
	}
	pt[n] = '\0';
	return 0;
}

void store_col_str(sqlite3_stmt *st, int col, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(buf, size, "%s", t ? (const char *)t : "");
}

void store_checkpoint(struct store *s)
{
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
				  NULL);
}

int store_rand_chars(char *buf, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet), i = 0, lim = 256 - 256 % k;
	uint8_t r[64];
	int err = 0;

	while (i < n) {
		size_t j;

		err = rand_bytes(r, sizeof(r));
		if (err)
			goto out;
		/* Rejection sampling: no modulo bias. */
		for (j = 0; j < sizeof(r) && i < n; j++)
			if (r[j] < lim)
				buf[i++] = alphabet[r[j] % k];
	}
	buf[n] = '\0';
out:
	mem_secure_zero(r, sizeof(r));
	return err;
}

static void store_destructor(void *arg)
{
	struct store *s = arg;

	mem_deref(s->ha1c); /* wipes the cached HA1s */
	for (size_t i = 0; i < STORE_STMT_CACHED; i++)
		sqlite3_finalize(s->cached[i]);
	if (s->db)
		sqlite3_close_v2(s->db);
	mem_deref(s->kr);
	mem_deref(s->keyfile);
}

/* Creates the file 0600 before SQLite does (it would use 0644); the -wal
 * and -shm files take the mode of the database file. */
static int file_prepare(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#define DB_STR_(x) #x
#define DB_STR(x) DB_STR_(x) /* a macro's value as a literal */

static int pragmas(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int err;

	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	err = store_exec(s, "PRAGMA foreign_keys = ON;"
			    "PRAGMA secure_delete = ON;"
			    "PRAGMA synchronous = NORMAL;"
			    "PRAGMA cache_size = -" DB_STR(STORE_PAGE_CACHE_KIB));
	if (err)
		goto out;
	err = store_prep(s, &st, "PRAGMA journal_mode = WAL");
	if (err)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal")) {
		log_error("store", "cannot switch to WAL mode");
		err = EIO;
	}
out:
	sqlite3_finalize(st);
	return err;
}

int store_open(struct store **sp, const char *path, struct store_keyring *kr)
{
	struct store *s;
	int err, rc;

	if (!sp || !path || !kr)
		return EINVAL;
	s = mem_zalloc(sizeof(*s), store_destructor);
	if (!s)
		return ENOMEM;
	s->kr = mem_ref(kr);
	s->nowh = now_default;
	snprintf(s->actor, sizeof(s->actor), "server");
	err = file_prepare(path);
	if (err) {
		log_error("store", "%s: %s", path, strerror(err));
		goto out;
	}
	rc = sqlite3_open_v2(
	    path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("store", "%s: %s", path,
			  s->db ? sqlite3_errmsg(s->db) : "cannot open");
		err = rc == SQLITE_NOMEM ? ENOMEM : EIO;
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 0);
	err = pragmas(s);
	if (err)
		goto out;
	err = store_schema_migrate(s->db, STORE_SCHEMA_VERSION);
	if (err)
		goto out;
	s->version = STORE_SCHEMA_VERSION;
out:
	if (err)
		s = mem_deref(s);
	*sp = s;
	return err;
}

void store_close(struct store *s)
{
	mem_deref(s);
}

void store_clock_set(struct store *s, store_now_h *nowh, void *arg)
{
	s->nowh = nowh ? nowh : now_default;
	s->arg = arg;
}

int store_actor_set(struct store *s, const char *actor)
{
	if (!actor || !*actor)
		return EINVAL;
	if (strlen(actor) > STORE_ACTOR_MAX)
		return EOVERFLOW;
	snprintf(s->actor, sizeof(s->actor), "%s", actor);
	return 0;
}

int store_schema_version(const struct store *s)
{
	return s->version;
}

int store_audit_list(struct store *s, store_audit_h *h, void *arg)
{
	struct store_audit a;
	sqlite3_stmt *st = NULL;
	int err, rc;

	err = store_prep(s, &st,
			 "SELECT id, time, actor, action, subject FROM audit "
			 "ORDER BY id");
	if (err)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(st, 0);
		a.time = sqlite3_column_int64(st, 1);
		store_col_str(st, 2, a.actor, sizeof(a.actor));
		store_col_str(st, 3, a.action, sizeof(a.action));
		store_col_str(st, 4, a.subject, sizeof(a.subject));
		err = h(&a, arg);
		if (err)
			goto out;
	}
	err = store_sqlerr(s, rc);
out:
	sqlite3_finalize(st);
	return err;
}
