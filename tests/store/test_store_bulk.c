/* test_store_bulk.c: store_device_add_many: n devices in one transaction,
 * each with its own credential and sealed HA1s (RFC 7616 §3.4.2), all or
 * none, within the per-user limit. */
#include <errno.h>

#include "test_store_fx.h"

#define REALM "example.com"

static int64_t count(struct fx *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(f->s->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void wipe(struct store_device_secret *sec, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_secret_wipe(&sec[i]);
}

/* n devices: distinct names and passwords, each HA1 the store answers is
 * the one of its own password, one audit row each, the label on all. */
static void test_bulk_add(void **state)
{
	struct store_device_secret sec[STORE_USER_DEVICES_MAX];
	char hex[STORE_HA1_HEX_MAX];
	struct store_device d;
	size_t i, j, active = 99;
	int64_t id;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add_many(f.s, "alice", "desk", REALM, 10,
					       sec, &active),
			 0);
	assert_int_equal(active, 0);
	assert_int_equal(count(&f, "SELECT count(*) FROM devices"), 10);
	assert_int_equal(count(&f, "SELECT count(*) FROM audit WHERE "
				   "action = 'device.add'"),
			 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(strlen(sec[i].sip_username),
				 STORE_SIP_USERNAME_LEN);
		assert_int_equal(strlen(sec[i].password), STORE_PASSWORD_LEN);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(sec[i].sip_username,
						sec[j].sip_username);
			assert_string_not_equal(sec[i].password,
						sec[j].password);
			assert_true(sec[i].device != sec[j].device);
		}
		assert_int_equal(store_device_ha1(f.s, sec[i].sip_username,
						  REALM, SIP_DIGEST_SHA256, hex,
						  sizeof(hex), &id),
				 0);
		assert_int_equal(id, sec[i].device);
		ha1_expect(sec[i].sip_username, REALM, sec[i].password,
			   SIP_DIGEST_SHA256, hex);
		assert_int_equal(store_device_ha1(f.s, sec[i].sip_username,
						  REALM, SIP_DIGEST_MD5, hex,
						  sizeof(hex), NULL),
				 0);
		ha1_expect(sec[i].sip_username, REALM, sec[i].password,
			   SIP_DIGEST_MD5, hex);
		assert_int_equal(store_device_get(f.s, sec[i].device, &d), 0);
		assert_string_equal(d.label, "desk");
		assert_string_equal(d.user, "alice");
	}
	/* a second batch counts the first */
	assert_int_equal(store_device_add_many(f.s, "alice", NULL, REALM, 3,
					       sec + 10, &active),
			 0);
	assert_int_equal(active, 10);
	wipe(sec, 13);
	fx_done(&f);
}

/* The limit (fresh and with devices already there), bad arguments: each
 * refused with nothing added and the output wiped. */
static void test_bulk_limits(void **state)
{
	struct store_device_secret sec[STORE_USER_DEVICES_MAX + 1];
	char label[STORE_LABEL_MAX + 2];
	size_t active = 0;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_user_add(f.s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_user_add(f.s, "bob", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add_many(f.s, "alice", NULL, REALM, 0,
					       sec, NULL),
			 EINVAL);
	assert_int_equal(store_device_add_many(NULL, "alice", NULL, REALM, 1,
					       sec, NULL),
			 EINVAL);
	assert_int_equal(store_device_add_many(f.s, "alice", NULL, REALM,
					       STORE_USER_DEVICES_MAX + 1, sec,
					       NULL),
			 EOVERFLOW);
	assert_int_equal(store_device_add_many(f.s, "nobody", NULL, REALM, 2,
					       sec, NULL),
			 ENOENT);
	assert_string_equal(sec[0].password, ""); /* wiped on error */
	memset(label, 'x', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	assert_int_equal(store_device_add_many(f.s, "alice", label, REALM, 1,
					       sec, NULL),
			 EOVERFLOW);
	assert_int_equal(count(&f, "SELECT count(*) FROM devices"), 0);

	/* 60 there, 5 more would pass the limit: none added */
	assert_int_equal(store_device_add_many(f.s, "alice", NULL, REALM, 60,
					       sec, NULL),
			 0);
	wipe(sec, 60);
	assert_int_equal(store_device_add_many(f.s, "alice", NULL, REALM, 5,
					       sec, &active),
			 EOVERFLOW);
	assert_int_equal(active, 60);
	assert_string_equal(sec[0].password, "");
	assert_string_equal(sec[4].sip_username, "");
	assert_int_equal(count(&f, "SELECT count(*) FROM devices"), 60);
	/* exactly up to the limit is fine; a fresh user takes the maximum */
	assert_int_equal(store_device_add_many(f.s, "alice", NULL, REALM, 4,
					       sec, NULL),
			 0);
	assert_int_equal(store_device_add_many(f.s, "bob", NULL, REALM,
					       STORE_USER_DEVICES_MAX, sec,
					       NULL),
			 0);
	assert_int_equal(count(&f, "SELECT count(*) FROM devices"),
			 2 * STORE_USER_DEVICES_MAX);
	wipe(sec, STORE_USER_DEVICES_MAX);
	fx_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_bulk_add),
	    SC_TEST(test_bulk_limits),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
