/* test_store.c: the SQLite credential store: users, devices, HA1 lookups,
 * sealed values bound to their rows, links, rekeying, migration from
 * version 1, and the audit trail. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "sip/digest.h"
#include "store/db_priv.h"

static const uint8_t key1[STORE_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const uint8_t key2[STORE_KEY_LEN] = "fedcba9876543210fedcba987654321";

struct fx {
	char dir[64];
	char path[96];
	struct store_keyring *kr;
	struct store *s;
	int64_t now;
};

static int64_t fx_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

static void fx_open(struct fx *f)
{
	assert_int_equal(store_open(&f->s, f->path, f->kr), 0);
	store_clock_set(f->s, fx_now, f);
	assert_int_equal(store_actor_set(f->s, "test"), 0);
}

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/store_test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.db", f->dir);
	assert_int_equal(store_keyring_alloc(&f->kr), 0);
	assert_int_equal(store_keyring_add(f->kr, 1, key1), 0);
	f->now = 1700000000;
	fx_open(f);
}

static void fx_done(struct fx *f)
{
	char p[128];

	store_close(f->s);
	mem_deref(f->kr);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
}

/* Raw SQL on the store's own connection, for tampering. */
static void raw(struct fx *f, const char *sql)
{
	assert_int_equal(sqlite3_exec(f->s->db, sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

static void ha1_expect(const char *user, const char *realm, const char *pw,
		       enum sip_digest_alg alg, const char *got)
{
	char want[SIP_DIGEST_HEX_MAX];
	struct pl u, r, p;

	pl_set_str(&u, user);
	pl_set_str(&r, realm);
	pl_set_str(&p, pw);
	assert_int_equal(sip_digest_ha1(want, alg, &u, &r, &p), 0);
	assert_string_equal(got, want);
}

static void test_open_pragmas(void **state)
{
	struct fx f;
	sqlite3_stmt *st;
	struct stat sb;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_schema_version(f.s), STORE_SCHEMA_VERSION);
	assert_int_equal(stat(f.path, &sb), 0);
	assert_int_equal(sb.st_mode & 0077, 0);
	assert_int_equal(sqlite3_prepare_v2(f.s->db, "PRAGMA journal_mode", -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(f.s->db, "PRAGMA foreign_keys", -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	/* Reopening an up-to-date database migrates nothing. */
	store_close(f.s);
	fx_open(&f);
	assert_int_equal(store_schema_version(f.s), STORE_SCHEMA_VERSION);
	assert_int_equal(store_open(NULL, f.path, f.kr), EINVAL);
	fx_done(&f);
}

static int count_user(const struct store_user *u, void *arg)
{
	(void)u;
	(*(int *)arg)++;
	return 0;
}

static void test_users(void **state)
{
	struct store_user u;
	char longname[STORE_NAME_MAX + 2];
	int64_t ids[STORE_USER_DEVICES_MAX], id = 0;
	size_t n = 9;
	int count = 0;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", "201", "Alice A", &id), 0);
	assert_true(id > 0);
	assert_int_equal(store_user_add(f.s, "bob", NULL, NULL, NULL), 0);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), EEXIST);
	assert_int_equal(store_user_add(f.s, "", NULL, NULL, NULL), EINVAL);
	assert_int_equal(store_user_add(f.s, "a b", NULL, NULL, NULL), EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(store_user_add(f.s, longname, NULL, NULL, NULL),
			 EOVERFLOW);
	assert_int_equal(store_user_get(f.s, "alice", &u), 0);
	assert_string_equal(u.extension, "201");
	assert_string_equal(u.display, "Alice A");
	assert_int_equal(u.created, f.now);
	assert_int_equal(store_user_get(f.s, "bob", &u), 0);
	assert_string_equal(u.extension, "");
	assert_int_equal(store_user_get(f.s, "carol", &u), ENOENT);
	assert_int_equal(store_user_list(f.s, count_user, &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(store_user_remove(f.s, "carol", ids, &n), ENOENT);
	assert_int_equal(n, 0);
	assert_int_equal(store_user_remove(f.s, "bob", ids, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_user_get(f.s, "bob", &u), ENOENT);
	fx_done(&f);
}

static void test_device_add_lookup(void **state)
{
	struct store_device_secret sec, sec2;
	struct store_device d;
	char hex[STORE_HA1_HEX_MAX];
	int64_t id = 0;
	struct fx f;
	size_t i;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", "laptop",
					  "example.com", &sec),
			 0);
	assert_true(sec.device > 0);
	assert_int_equal(strlen(sec.sip_username), STORE_SIP_USERNAME_LEN);
	assert_int_equal(sec.sip_username[0], 'd');
	assert_null(strstr(sec.sip_username, "alice"));
	for (i = 1; i < STORE_SIP_USERNAME_LEN; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789",
				       sec.sip_username[i]));
	assert_int_equal(strlen(sec.password), STORE_PASSWORD_LEN);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "example.com",
					  &sec2),
			 0);
	assert_string_not_equal(sec.password, sec2.password);
	assert_string_not_equal(sec.sip_username, sec2.sip_username);
	assert_int_equal(store_device_add(f.s, "nobody", NULL, "example.com",
					  &sec2),
			 ENOENT);
	assert_string_equal(sec2.password, "");

	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "example.com",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  &id),
			 0);
	assert_int_equal(id, sec.device);
	ha1_expect(sec.sip_username, "example.com", sec.password,
		   SIP_DIGEST_MD5, hex);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "example.com",
					  SIP_DIGEST_SHA256_SESS, hex,
					  sizeof(hex), NULL),
			 0);
	ha1_expect(sec.sip_username, "example.com", sec.password,
		   SIP_DIGEST_SHA256, hex);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "other.com",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 ENOENT);
	assert_int_equal(store_device_ha1(f.s, "dnobody", "example.com",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 ENOENT);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "example.com",
					  SIP_DIGEST_UNKNOWN, hex, sizeof(hex),
					  NULL),
			 EINVAL);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "example.com",
					  SIP_DIGEST_SHA256, hex, 10, NULL),
			 EOVERFLOW);

	assert_int_equal(store_device_get(f.s, sec.device, &d), 0);
	assert_string_equal(d.user, "alice");
	assert_string_equal(d.label, "laptop");
	assert_int_equal(d.key_id, 1);
	assert_int_equal(d.revoked_at, 0);
	assert_int_equal(store_device_get(f.s, 999, &d), ENOENT);

	assert_int_equal(store_device_seen(f.s, sec.device, "[::1]:5060",
					   f.now + 5),
			 0);
	assert_int_equal(store_device_get(f.s, sec.device, &d), 0);
	assert_int_equal(d.last_seen_at, f.now + 5);
	assert_string_equal(d.last_address, "[::1]:5060");
	assert_int_equal(store_device_seen(f.s, 999, "x", f.now), ENOENT);
	store_secret_wipe(&sec);
	store_secret_wipe(&sec2);
	fx_done(&f);
}

static int count_dev(const struct store_device *d, void *arg)
{
	int *c = arg;

	c[0]++;
	if (d->revoked_at)
		c[1]++;
	return 0;
}

static void test_device_revoke_rotate(void **state)
{
	struct store_device_secret sec, rot;
	char hex[STORE_HA1_HEX_MAX];
	int c[2] = {0, 0};
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "ex.org", &sec),
			 0);
	assert_int_equal(store_device_rotate(f.s, sec.device, &rot), 0);
	assert_string_equal(rot.sip_username, sec.sip_username);
	assert_string_not_equal(rot.password, sec.password);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "ex.org",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 0);
	ha1_expect(sec.sip_username, "ex.org", rot.password, SIP_DIGEST_MD5,
		   hex);
	assert_int_equal(store_device_rotate_password(
			     f.s, sec.device, "correct horse battery staple 9!",
			     &rot),
			 0);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "ex.org",
					  SIP_DIGEST_SHA256, hex, sizeof(hex),
					  NULL),
			 0);
	ha1_expect(sec.sip_username, "ex.org",
		   "correct horse battery staple 9!", SIP_DIGEST_SHA256, hex);
	assert_int_equal(store_device_rotate(f.s, 999, &rot), ENOENT);

	assert_int_equal(store_device_revoke(f.s, sec.device), 0);
	assert_int_equal(store_device_revoke(f.s, sec.device), EACCES);
	assert_int_equal(store_device_revoke(f.s, 999), ENOENT);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "ex.org",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 EACCES);
	assert_int_equal(store_device_rotate(f.s, sec.device, &rot), EACCES);
	assert_int_equal(store_device_list(f.s, "alice", count_dev, c), 0);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 1);
	assert_int_equal(store_device_list(f.s, "bob", count_dev, c), ENOENT);
	store_secret_wipe(&sec);
	store_secret_wipe(&rot);
	fx_done(&f);
}

static void test_device_limit_cascade(void **state)
{
	struct store_device_secret sec;
	int64_t ids[STORE_USER_DEVICES_MAX], first = 0;
	char token[STORE_TOKEN_LEN + 1], hex[STORE_HA1_HEX_MAX];
	struct store_link_info info;
	size_t n = 0, i;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	for (i = 0; i < STORE_USER_DEVICES_MAX; i++) {
		assert_int_equal(store_device_add(f.s, "alice", NULL, "r",
						  &sec),
				 0);
		if (!first)
			first = sec.device;
	}
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &sec),
			 EOVERFLOW);
	assert_int_equal(store_link_create(f.s, first, "pw", 600, f.now, token,
					   sizeof(token), NULL),
			 0);
	assert_int_equal(store_user_remove(f.s, "alice", ids, &n), 0);
	assert_int_equal(n, STORE_USER_DEVICES_MAX);
	assert_int_equal(ids[0], first);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "r",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 ENOENT);
	assert_int_equal(store_link_redeem(f.s, token, f.now, &info), ENOENT);
	fx_done(&f);
}

/* A sealed HA1 copied from one row to another does not unseal there. */
static void test_sealed_bound_to_row(void **state)
{
	struct store_device_secret a, b;
	char hex[STORE_HA1_HEX_MAX], sql[256];
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &a), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &b), 0);
	snprintf(sql, sizeof(sql),
		 "UPDATE devices SET ha1_md5 = (SELECT ha1_md5 FROM devices "
		 "WHERE id = %lld) WHERE id = %lld",
		 (long long)a.device, (long long)b.device);
	raw(&f, sql);
	assert_int_equal(store_device_ha1(f.s, b.sip_username, "r",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 EBADMSG);
	/* Another column of the same row does not unseal either. */
	snprintf(sql, sizeof(sql),
		 "UPDATE devices SET ha1_sha256 = ha1_md5 WHERE id = %lld",
		 (long long)a.device);
	raw(&f, sql);
	assert_int_equal(store_device_ha1(f.s, a.sip_username, "r",
					  SIP_DIGEST_SHA256, hex, sizeof(hex),
					  NULL),
			 EBADMSG);
	/* A flipped byte neither. */
	raw(&f, "UPDATE devices SET ha1_md5 = X'00' WHERE id = 1");
	assert_int_equal(store_device_ha1(f.s, a.sip_username, "r",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 EBADMSG);
	store_secret_wipe(&a);
	store_secret_wipe(&b);
	fx_done(&f);
}

static void test_links(void **state)
{
	struct store_device_secret sec;
	struct store_link_info info;
	char token[STORE_TOKEN_LEN + 1], t2[STORE_TOKEN_LEN + 1];
	char t3[STORE_TOKEN_LEN + 1], t4[STORE_TOKEN_LEN + 1];
	int64_t exp = 0, dev;
	unsigned n = 9;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, "Alice", NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &sec), 0);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 900,
					   f.now, token, sizeof(token), &exp),
			 0);
	assert_int_equal(strlen(token), STORE_TOKEN_LEN);
	assert_int_equal(exp, f.now + 900);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 59,
					   f.now, t2, sizeof(t2), NULL),
			 EOVERFLOW);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password,
					   STORE_LINK_TTL_MAX + 1, f.now, t2,
					   sizeof(t2), NULL),
			 EOVERFLOW);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 900,
					   f.now, t2, STORE_TOKEN_LEN, NULL),
			 EOVERFLOW);
	assert_int_equal(store_link_create(f.s, 999, sec.password, 900, f.now,
					   t2, sizeof(t2), NULL),
			 ENOENT);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 60,
					   f.now, t2, sizeof(t2), NULL),
			 0);
	assert_string_not_equal(token, t2);

	/* Single use. */
	assert_int_equal(store_link_redeem(f.s, token, f.now + 899, &info), 0);
	assert_string_equal(info.password, sec.password);
	assert_string_equal(info.sip_username, sec.sip_username);
	assert_string_equal(info.user, "alice");
	assert_string_equal(info.display, "Alice");
	assert_string_equal(info.realm, "r");
	assert_int_equal(info.device, sec.device);
	assert_int_equal(store_link_redeem(f.s, token, f.now + 1, &info),
			 ESTALE);
	assert_string_equal(info.password, "");
	assert_int_equal(store_link_redeem(f.s, "nosuchtoken", f.now, &info),
			 ENOENT);

	/* Expiry: at expires_at it is gone, and its password wiped. */
	assert_int_equal(store_link_redeem(f.s, t2, f.now + 60, &info),
			 ESTALE);
	raw(&f, "SELECT 1"); /* the wipe was committed: */
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(
				     f.s->db,
				     "SELECT count(*) FROM links WHERE "
				     "password IS NOT NULL",
				     -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}

	/* Purge, rotation and revocation each end pending links. */
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 60,
					   f.now, t3, sizeof(t3), NULL),
			 0);
	assert_int_equal(store_link_purge(f.s, f.now + 59, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_link_purge(f.s, f.now + 60, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 60,
					   f.now, t4, sizeof(t4), NULL),
			 0);
	dev = sec.device;
	store_secret_wipe(&sec);
	assert_int_equal(store_device_rotate(f.s, dev, &sec), 0);
	assert_int_equal(store_link_redeem(f.s, t4, f.now, &info), ESTALE);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 60,
					   f.now, t4, sizeof(t4), NULL),
			 0);
	assert_int_equal(store_device_revoke(f.s, sec.device), 0);
	assert_int_equal(store_link_redeem(f.s, t4, f.now, &info), ESTALE);
	assert_int_equal(store_link_create(f.s, sec.device, "x", 60, f.now, t4,
					   sizeof(t4), NULL),
			 EACCES);
	store_secret_wipe(&sec);
	store_link_wipe(&info);
	fx_done(&f);
}

/* Rotation: old values unseal under the old key until rekeyed, then are
 * under the new key only (a keyring without the old key reads them). */
static void test_rekey(void **state)
{
	struct store_device_secret sec;
	struct store_keyring *kr2, *only2;
	struct store_link_info info;
	struct store_device d;
	char hex[STORE_HA1_HEX_MAX], token[STORE_TOKEN_LEN + 1];
	unsigned n = 0;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &sec), 0);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 600,
					   f.now, token, sizeof(token), NULL),
			 0);
	assert_int_equal(store_keyring_alloc(&kr2), 0);
	assert_int_equal(store_keyring_add(kr2, 1, key1), 0);
	assert_int_equal(store_keyring_add(kr2, 2, key2), 0);
	assert_int_equal(store_keyring_alloc(&only2), 0);
	assert_int_equal(store_keyring_add(only2, 2, key2), 0);

	/* A keyring lacking the old key cannot rekey: nothing changes. */
	assert_int_equal(store_rekey(f.s, only2, &n), EBADMSG);
	assert_int_equal(n, 0);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "r",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 0);

	assert_int_equal(store_rekey(f.s, kr2, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_device_get(f.s, sec.device, &d), 0);
	assert_int_equal(d.key_id, 2);
	store_close(f.s);
	mem_deref(f.kr);
	f.kr = only2;
	fx_open(&f);
	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "r",
					  SIP_DIGEST_SHA256, hex, sizeof(hex),
					  NULL),
			 0);
	ha1_expect(sec.sip_username, "r", sec.password, SIP_DIGEST_SHA256,
		   hex);
	assert_int_equal(store_link_redeem(f.s, token, f.now, &info), 0);
	assert_string_equal(info.password, sec.password);
	assert_int_equal(store_rekey(f.s, NULL, NULL), EINVAL);
	mem_deref(kr2);
	store_secret_wipe(&sec);
	store_link_wipe(&info);
	fx_done(&f);
}

/* An old database (version 1: no links, no last_seen) is migrated at open
 * and keeps its rows. */
static void test_migrate_from_1(void **state)
{
	struct store_device_secret sec;
	struct store_device d;
	char dir[] = "/tmp/store_mig.XXXXXX", path[64], p[80];
	char token[STORE_TOKEN_LEN + 1];
	struct store_keyring *kr;
	struct store *s;
	sqlite3 *db;
	int v = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/old.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(store_schema_migrate(db, 1), 0);
	assert_int_equal(store_schema_get(db, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO users(id, name, created) "
				      "VALUES (1, 'old', 5);"
				      "INSERT INTO devices(id, user_id, "
				      "sip_username, realm, created) VALUES "
				      "(7, 1, 'dold', 'r', 6)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_schema_migrate(db, 3), EINVAL);
	sqlite3_close(db);

	assert_int_equal(store_keyring_alloc(&kr), 0);
	assert_int_equal(store_keyring_add(kr, 1, key1), 0);
	assert_int_equal(store_open(&s, path, kr), 0);
	assert_int_equal(store_schema_version(s), 2);
	assert_int_equal(store_device_get(s, 7, &d), 0);
	assert_string_equal(d.sip_username, "dold");
	assert_int_equal(d.last_seen_at, 0);
	assert_int_equal(store_device_rotate(s, 7, &sec), 0);
	assert_int_equal(store_link_create(s, 7, sec.password, 60, 100, token,
					   sizeof(token), NULL),
			 0);
	store_close(s);

	/* A database from a newer program is refused. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE schema_version SET "
					  "version = 99",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, path, kr), EIO);
	assert_null(s);

	mem_deref(kr);
	store_secret_wipe(&sec);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	unlink(path);
	rmdir(dir);
}

static int audit_collect(const struct store_audit *a, void *arg)
{
	struct mbuf *mb = arg;

	assert_string_equal(a->actor, "test");
	return mbuf_printf(mb, "%s %s\n", a->action, a->subject);
}

static void test_audit(void **state)
{
	struct store_device_secret sec;
	int64_t ids[STORE_USER_DEVICES_MAX];
	char token[STORE_TOKEN_LEN + 1];
	struct store_link_info info;
	struct mbuf *mb;
	size_t n;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(mbuf_alloc(&mb, 256), 0);
	assert_int_equal(store_user_add(f.s, "al", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "al", NULL, "r", &sec), 0);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 60,
					   f.now, token, sizeof(token), NULL),
			 0);
	assert_int_equal(store_link_redeem(f.s, token, f.now, &info), 0);
	assert_int_equal(store_device_rotate(f.s, sec.device, &sec), 0);
	assert_int_equal(store_device_revoke(f.s, sec.device), 0);
	assert_int_equal(store_user_remove(f.s, "al", ids, &n), 0);
	assert_int_equal(store_actor_set(f.s, "a-very-long-actor-name-over-32-"
					      "bytes"),
			 EOVERFLOW);
	assert_int_equal(store_audit_list(f.s, audit_collect, mb), 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_string_equal((char *)mb->buf, "user.add user:al\n"
					     "device.add device:1 user:al\n"
					     "link.create link:1 device:1\n"
					     "link.redeem link:1 device:1\n"
					     "device.rotate device:1\n"
					     "device.revoke device:1\n"
					     "user.remove user:al\n");
	mem_deref(mb);
	store_secret_wipe(&sec);
	store_link_wipe(&info);
	fx_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_open_pragmas),
	    SC_TEST(test_users),
	    SC_TEST(test_device_add_lookup),
	    SC_TEST(test_device_revoke_rotate),
	    SC_TEST(test_device_limit_cascade),
	    SC_TEST(test_sealed_bound_to_row),
	    SC_TEST(test_links),
	    SC_TEST(test_rekey),
	    SC_TEST(test_migrate_from_1),
	    SC_TEST(test_audit),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
