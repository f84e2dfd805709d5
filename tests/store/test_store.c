/* test_store.c: the SQLite credential store: opening, users, devices and
 * their HA1 lookups, revocation and rotation, sealed values bound to their
 * rows. */
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "test_store_fx.h"

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
	assert_int_equal(
	    sqlite3_prepare_v2(f.s->db, "PRAGMA journal_mode", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(
	    sqlite3_prepare_v2(f.s->db, "PRAGMA foreign_keys", -1, &st, NULL),
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
	assert_int_equal(store_user_add(f.s, "alice", "201", "Alice A", &id),
			 0);
	assert_true(id > 0);
	assert_int_equal(store_user_add(f.s, "bob", NULL, NULL, NULL), 0);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL),
			 EEXIST);
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
	assert_int_equal(
	    store_device_add(f.s, "alice", "laptop", "example.com", &sec), 0);
	assert_true(sec.device > 0);
	assert_int_equal(strlen(sec.sip_username), STORE_SIP_USERNAME_LEN);
	assert_int_equal(sec.sip_username[0], 'd');
	assert_null(strstr(sec.sip_username, "alice"));
	for (i = 1; i < STORE_SIP_USERNAME_LEN; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789",
				       sec.sip_username[i]));
	assert_int_equal(strlen(sec.password), STORE_PASSWORD_LEN);
	assert_int_equal(
	    store_device_add(f.s, "alice", NULL, "example.com", &sec2), 0);
	assert_string_not_equal(sec.password, sec2.password);
	assert_string_not_equal(sec.sip_username, sec2.sip_username);
	assert_int_equal(
	    store_device_add(f.s, "nobody", NULL, "example.com", &sec2),
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

	assert_int_equal(
	    store_device_seen(f.s, sec.device, "[::1]:5060", f.now + 5), 0);
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
	assert_int_equal(
	    store_device_rotate_password(
		f.s, sec.device, "correct horse battery staple 9!", &rot),
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
	int64_t ids[STORE_USER_DEVICES_MAX], first = 0, last = 0;
	char token[STORE_TOKEN_LEN + 1], hex[STORE_HA1_HEX_MAX];
	char name[STORE_SIP_USERNAME_LEN + 1];
	struct store_link_info info;
	size_t n = 0, i;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	for (i = 0; i < STORE_USER_DEVICES_MAX; i++) {
		assert_int_equal(
		    store_device_add(f.s, "alice", NULL, "r", &sec), 0);
		if (!first)
			first = sec.device;
		last = sec.device;
	}
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &sec),
			 EOVERFLOW);
	assert_string_equal(sec.password, ""); /* wiped on error */
	/* Revoked devices do not count, and have no registrations to end. */
	assert_int_equal(store_device_revoke(f.s, last), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &sec), 0);
	memcpy(name, sec.sip_username, sizeof(name));
	assert_int_equal(store_link_create(f.s, first, "pw", 600, f.now, token,
					   sizeof(token), NULL),
			 0);
	assert_int_equal(store_user_remove(f.s, "alice", ids, &n), 0);
	assert_int_equal(n, STORE_USER_DEVICES_MAX);
	assert_int_equal(ids[0], first);
	assert_int_equal(ids[n - 1], sec.device);
	for (i = 0; i < n; i++)
		assert_true(ids[i] != last);
	assert_int_equal(store_device_ha1(f.s, name, "r", SIP_DIGEST_MD5, hex,
					  sizeof(hex), NULL),
			 ENOENT);
	assert_int_equal(store_device_get(f.s, last, &(struct store_device){0}),
			 ENOENT);
	assert_int_equal(store_link_redeem(f.s, token, f.now, &info), ENOENT);
	store_secret_wipe(&sec);
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

/* Out of memory at every allocation of open and device add: ENOMEM (or
 * success once there are enough), nothing leaked, the store still whole. */
static void test_enomem(void **state)
{
	struct store_device_secret sec;
	struct store *s2 = NULL;
	struct fx f;
	int n, err = ENOMEM;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	for (n = 0; err == ENOMEM && n < 100; n++) {
		mem_fail_after(n);
		err = store_device_add(f.s, "alice", NULL, "r", &sec);
		mem_fail_after(-1);
		assert_true(err == 0 || err == ENOMEM);
	}
	assert_int_equal(err, 0);
	err = ENOMEM;
	for (n = 0; err == ENOMEM && n < 100; n++) {
		mem_fail_after(n);
		err = store_open(&s2, f.path, f.kr);
		mem_fail_after(-1);
		assert_true(err == 0 || err == ENOMEM);
	}
	assert_int_equal(err, 0);
	store_close(s2);
	store_secret_wipe(&sec);
	fx_done(&f);
}

struct holder {
	sqlite3 *db;
};

static void *release_later(void *arg)
{
	struct holder *h = arg;
	struct timespec ts = {0, 300 * 1000 * 1000};

	nanosleep(&ts, NULL);
	sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	return NULL;
}

/* Two processes share the file (the CLI and the server): a writer waits
 * for another's transaction (busy timeout) instead of failing. */
static void test_shared_writer(void **state)
{
	struct store_user u;
	struct holder h;
	pthread_t t;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(sqlite3_open(f.path, &h.db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h.db,
				      "BEGIN IMMEDIATE; INSERT INTO users"
				      "(name, created) VALUES ('other', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(pthread_create(&t, NULL, release_later, &h), 0);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(store_user_get(f.s, "other", &u), 0);
	assert_int_equal(store_user_get(f.s, "alice", &u), 0);
	sqlite3_close(h.db);
	fx_done(&f);
}

/* The digest callback: the HA1 of a device, ENOENT for everything that
 * must fail like a wrong password. */
static void test_digest_callback(void **state)
{
	struct store_device_secret sec;
	char hex[SIP_DIGEST_HEX_MAX];
	struct sip_digest cred;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "ex.org", &sec),
			 0);
	memset(&cred, 0, sizeof(cred));
	pl_set_str(&cred.username, sec.sip_username);
	cred.realm = PL("ex.org");
	assert_int_equal(
	    store_digest_ha1h(&cred, SIP_DIGEST_MD5_SESS, hex, f.s), 0);
	ha1_expect(sec.sip_username, "ex.org", sec.password, SIP_DIGEST_MD5,
		   hex);
	assert_int_equal(store_digest_ha1h(&cred, SIP_DIGEST_SHA256, hex, f.s),
			 0);
	ha1_expect(sec.sip_username, "ex.org", sec.password, SIP_DIGEST_SHA256,
		   hex);
	cred.is_userhash = true;
	assert_int_equal(store_digest_ha1h(&cred, SIP_DIGEST_MD5, hex, f.s),
			 ENOENT);
	cred.is_userhash = false;
	cred.realm = PL("other.org");
	assert_int_equal(store_digest_ha1h(&cred, SIP_DIGEST_MD5, hex, f.s),
			 ENOENT);
	cred.realm = PL("ex.org");
	cred.username = PL("dthisnameiswaytoolongtobeours");
	assert_int_equal(store_digest_ha1h(&cred, SIP_DIGEST_MD5, hex, f.s),
			 ENOENT);
	pl_set_str(&cred.username, sec.sip_username);
	assert_int_equal(store_device_revoke(f.s, sec.device), 0);
	assert_int_equal(store_digest_ha1h(&cred, SIP_DIGEST_MD5, hex, f.s),
			 ENOENT);
	assert_int_equal(store_digest_ha1h(&cred, SIP_DIGEST_MD5, hex, NULL),
			 EINVAL);
	store_secret_wipe(&sec);
	fx_done(&f);
}

static int stop_at_first(const struct store_user *u, void *arg)
{
	(void)u;
	(*(int *)arg)++;
	return EINTR;
}

/* Files that are not a store, and walks stopped by their callback. */
static void test_open_errors(void **state)
{
	struct store *s2 = (struct store *)&s2;
	char junk[128];
	int count = 0;
	FILE *fp;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_open(&s2, "/nonexistent/dir/s.db", f.kr),
			 ENOENT);
	assert_null(s2);
	snprintf(junk, sizeof(junk), "%s/junk.db", f.dir);
	fp = fopen(junk, "w");
	assert_non_null(fp);
	fputs(
	    "this is not an SQLite database, not even close to one..........."
	    "................................................................",
	    fp);
	fclose(fp);
	assert_int_equal(store_open(&s2, junk, f.kr), EIO);
	unlink(junk);
	assert_int_equal(store_user_add(f.s, "a", NULL, NULL, NULL), 0);
	assert_int_equal(store_user_add(f.s, "b", NULL, NULL, NULL), 0);
	assert_int_equal(store_user_list(f.s, stop_at_first, &count), EINTR);
	assert_int_equal(count, 1);
	assert_int_equal(store_actor_set(f.s, ""), EINVAL);
	assert_int_equal(store_device_seen(f.s, 1, NULL, 0), EINVAL);
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
	    SC_TEST(test_enomem),
	    SC_TEST(test_shared_writer),
	    SC_TEST(test_digest_callback),
	    SC_TEST(test_open_errors),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
