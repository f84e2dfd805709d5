/* test_store_links.c: the store's one-time links (single use, expiry with
 * an injected clock), rekeying after a key rotation, migration from schema
 * version 1, and the audit trail. */
#include <errno.h>
#include <time.h>

#include "test_store_fx.h"

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
	assert_int_equal(store_link_redeem(f.s, t2, f.now + 60, &info), ESTALE);
	{
		sqlite3_stmt *st;

		assert_int_equal(
		    sqlite3_prepare_v2(f.s->db,
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
	ha1_expect(sec.sip_username, "r", sec.password, SIP_DIGEST_SHA256, hex);
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
	assert_int_equal(store_schema_migrate(db, STORE_SCHEMA_VERSION + 1),
			 EINVAL);
	sqlite3_close(db);

	assert_int_equal(store_keyring_alloc(&kr), 0);
	assert_int_equal(store_keyring_add(kr, 1, key1), 0);
	assert_int_equal(store_open(&s, path, kr), 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
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
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE schema_version SET "
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

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define TIMING_ROUNDS 300

/* Unknown and used tokens answer after the same work (one indexed lookup
 * in one transaction): measured, printed, and compared loosely. */
static void test_redeem_timing(void **state)
{
	struct store_device_secret sec;
	struct store_link_info info;
	char token[STORE_TOKEN_LEN + 1], bogus[STORE_TOKEN_LEN + 1];
	double t0, unknown = 1e9, used = 1e9;
	struct fx f;
	int i, b;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", NULL, "r", &sec), 0);
	assert_int_equal(store_link_create(f.s, sec.device, sec.password, 600,
					   f.now, token, sizeof(token), NULL),
			 0);
	assert_int_equal(store_link_redeem(f.s, token, f.now, &info), 0);
	memcpy(bogus, token, sizeof(bogus));
	bogus[0] = bogus[0] == 'A' ? 'B' : 'A';
	/* Best of 5 batches of each, interleaved. */
	for (b = 0; b < 5; b++) {
		t0 = mono();
		for (i = 0; i < TIMING_ROUNDS; i++)
			assert_int_equal(
			    store_link_redeem(f.s, bogus, f.now, &info),
			    ENOENT);
		unknown = SC_MIN(unknown, mono() - t0);
		t0 = mono();
		for (i = 0; i < TIMING_ROUNDS; i++)
			assert_int_equal(
			    store_link_redeem(f.s, token, f.now, &info),
			    ESTALE);
		used = SC_MIN(used, mono() - t0);
	}
	printf("redeem: unknown %.1f us, used %.1f us per call\n",
	       unknown / TIMING_ROUNDS * 1e6, used / TIMING_ROUNDS * 1e6);
	assert_true(used < unknown * 2 && unknown < used * 2);
	store_secret_wipe(&sec);
	store_link_wipe(&info);
	fx_done(&f);
}

/* Another process rotates the key file and rekeys: a store that knows its
 * key file reloads it on meeting the new key id. */
static void test_keyfile_reload(void **state)
{
	struct store_keyring *kr_file, *kr_other;
	struct store_device_secret sec;
	struct store *other;
	char key[128], hex[SIP_DIGEST_HEX_MAX];
	uint32_t id;
	struct fx f;

	(void)state;
	fx_init(&f);
	snprintf(key, sizeof(key), "%s/master.key", f.dir);
	assert_int_equal(store_keyfile_create(&kr_file, key), 0);
	/* our store runs on the key file's keyring */
	store_close(f.s);
	mem_deref(f.kr);
	f.kr = kr_file;
	fx_open(&f);
	assert_int_equal(store_keyfile_set(f.s, key), 0);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "alice", "tab", "r", &sec), 0);

	/* "sipcloak key rotate" elsewhere: new key, everything resealed */
	assert_int_equal(store_keyfile_load(&kr_other, key), 0);
	assert_int_equal(store_keyfile_rotate(kr_other, key, &id), 0);
	assert_int_equal(store_open(&other, f.path, kr_other), 0);
	assert_int_equal(store_rekey(other, kr_other, NULL), 0);
	store_close(other);
	mem_deref(kr_other);

	assert_int_equal(store_device_ha1(f.s, sec.sip_username, "r",
					  SIP_DIGEST_MD5, hex, sizeof(hex),
					  NULL),
			 0);
	assert_int_equal(store_keyring_count(f.s->kr), 2);
	store_secret_wipe(&sec);
	unlink(key);
	fx_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_links),          SC_TEST(test_rekey),
	    SC_TEST(test_keyfile_reload),
	    SC_TEST(test_migrate_from_1), SC_TEST(test_audit),
	    SC_TEST(test_redeem_timing),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
