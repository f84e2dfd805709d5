/* test_cache.c: the HA1 cache (ha1cache.c): hits without the store, and
 * a revoked, rotated or removed device failing at once, whether the change
 * came through this connection or another one (the CLI's). */
#include <errno.h>

#include "test_store_fx.h"

#define REALM "example.com"

static void lookup_ok(struct fx *f, const struct store_device_secret *sec,
		      enum sip_digest_alg alg)
{
	char hex[STORE_HA1_HEX_MAX];
	int64_t id = 0;

	assert_int_equal(store_device_ha1(f->s, sec->sip_username, REALM,
					  (int)alg, hex, sizeof(hex), &id),
			 0);
	assert_int_equal(id, sec->device);
	ha1_expect(sec->sip_username, REALM, sec->password,
		   sip_digest_alg_base(alg), hex);
}

static int lookup(struct fx *f, const char *user)
{
	char hex[STORE_HA1_HEX_MAX];

	return store_device_ha1(f->s, user, REALM, SIP_DIGEST_MD5, hex,
				sizeof(hex), NULL);
}

static void setup(struct fx *f, struct store_device_secret *a,
		  struct store_device_secret *b)
{
	fx_init(f);
	assert_int_equal(store_cache_set(f->s, 8), 0);
	assert_int_equal(store_user_add(f->s, "alice", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f->s, "alice", NULL, REALM, a), 0);
	assert_int_equal(store_device_add(f->s, "alice", NULL, REALM, b), 0);
}

/* A hit answers what the store would, for both columns, without SQL. */
static void test_cache_hit(void **state)
{
	struct store_device_secret a, b;
	struct fx f;

	(void)state;
	setup(&f, &a, &b);
	assert_int_equal(store_cache_count(f.s), 0);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	lookup_ok(&f, &a, SIP_DIGEST_SHA256);
	assert_int_equal(store_cache_count(f.s), 2);
	/* later lookups are hits (the _sess variants use the same HA1) */
	lookup_ok(&f, &a, SIP_DIGEST_MD5_SESS);
	lookup_ok(&f, &a, SIP_DIGEST_SHA256_SESS);
	assert_int_equal(store_cache_count(f.s), 2);
	/* ...but any write on the connection empties it */
	raw(&f, "UPDATE devices SET ha1_md5 = x'00' WHERE id > 0");
	assert_int_equal(lookup(&f, a.sip_username), EBADMSG);
	assert_int_equal(store_cache_count(f.s), 0);
	/* unknown users are not cached */
	assert_int_equal(lookup(&f, "dnobody"), ENOENT);
	assert_int_equal(store_cache_count(f.s), 0);
	store_secret_wipe(&a);
	store_secret_wipe(&b);
	fx_done(&f);
}

/* Revoke and rotate through this connection fail at once. */
static void test_cache_revoke_rotate(void **state)
{
	struct store_device_secret a, b, rot;
	struct fx f;

	(void)state;
	setup(&f, &a, &b);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	lookup_ok(&f, &b, SIP_DIGEST_MD5);
	assert_int_equal(store_device_revoke(f.s, a.device), 0);
	assert_int_equal(lookup(&f, a.sip_username), EACCES);
	lookup_ok(&f, &b, SIP_DIGEST_MD5);
	assert_int_equal(store_device_rotate(f.s, b.device, &rot), 0);
	/* the new password's HA1, not the cached old one */
	lookup_ok(&f, &rot, SIP_DIGEST_MD5);
	store_secret_wipe(&a);
	store_secret_wipe(&b);
	store_secret_wipe(&rot);
	fx_done(&f);
}

/* Another connection (the CLI) revokes, rotates, removes the user. */
static void test_cache_other_connection(void **state)
{
	struct store_device_secret a, b, rot;
	struct store *cli;
	int64_t ids[STORE_USER_DEVICES_MAX];
	size_t n = 0;
	struct fx f;

	(void)state;
	setup(&f, &a, &b);
	assert_int_equal(store_open(&cli, f.path, f.kr), 0);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	lookup_ok(&f, &b, SIP_DIGEST_SHA256);
	assert_int_equal(store_cache_count(f.s), 2);

	assert_int_equal(store_device_revoke(cli, a.device), 0);
	assert_int_equal(lookup(&f, a.sip_username), EACCES);

	lookup_ok(&f, &b, SIP_DIGEST_SHA256);
	assert_int_equal(store_device_rotate(cli, b.device, &rot), 0);
	lookup_ok(&f, &rot, SIP_DIGEST_SHA256);
	lookup_ok(&f, &rot, SIP_DIGEST_MD5);

	assert_int_equal(store_user_remove(cli, "alice", ids, &n), 0);
	assert_int_equal(lookup(&f, rot.sip_username), ENOENT);
	assert_int_equal(store_cache_count(f.s), 0);

	store_close(cli);
	store_secret_wipe(&a);
	store_secret_wipe(&b);
	store_secret_wipe(&rot);
	fx_done(&f);
}

/* The bound, forget, clear and off. */
static void test_cache_bound(void **state)
{
	struct store_device_secret a, b;
	struct fx f;

	(void)state;
	setup(&f, &a, &b);
	assert_int_equal(store_cache_set(f.s, STORE_CACHE_MAX + 1), EOVERFLOW);
	assert_int_equal(store_cache_set(NULL, 1), EINVAL);
	assert_int_equal(store_cache_set(f.s, 1), 0);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	lookup_ok(&f, &b, SIP_DIGEST_MD5); /* evicts a */
	assert_int_equal(store_cache_count(f.s), 1);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	assert_int_equal(store_cache_count(f.s), 1);

	assert_int_equal(store_cache_set(f.s, 8), 0);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	lookup_ok(&f, &a, SIP_DIGEST_SHA256);
	lookup_ok(&f, &b, SIP_DIGEST_MD5);
	assert_int_equal(store_cache_count(f.s), 3);
	store_cache_forget(f.s, a.sip_username);
	assert_int_equal(store_cache_count(f.s), 1);
	store_cache_clear(f.s);
	assert_int_equal(store_cache_count(f.s), 0);
	lookup_ok(&f, &b, SIP_DIGEST_MD5);
	assert_int_equal(store_cache_set(f.s, 0), 0);
	assert_int_equal(store_cache_count(f.s), 0);
	lookup_ok(&f, &b, SIP_DIGEST_MD5);
	store_secret_wipe(&a);
	store_secret_wipe(&b);
	fx_done(&f);
}

/* Polled (the server): another connection's write is seen only when the
 * owner checks or is told (forget); this connection's own at once. */
static void test_cache_polled(void **state)
{
	struct store_device_secret a, b, rot;
	struct store *cli;
	struct fx f;

	(void)state;
	setup(&f, &a, &b);
	store_cache_polled_set(f.s, true);
	assert_int_equal(store_open(&cli, f.path, f.kr), 0);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	lookup_ok(&f, &b, SIP_DIGEST_MD5);
	assert_int_equal(store_cache_count(f.s), 2);

	/* the CLI revokes a: the stale entry answers until a check... */
	assert_int_equal(store_device_revoke(cli, a.device), 0);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	assert_int_equal(store_cache_check(f.s), 0);
	assert_int_equal(store_cache_count(f.s), 0);
	assert_int_equal(lookup(&f, a.sip_username), EACCES);
	/* ...a check with nothing written keeps the cache */
	lookup_ok(&f, &b, SIP_DIGEST_MD5);
	assert_int_equal(store_cache_check(f.s), 0);
	assert_int_equal(store_cache_count(f.s), 1);

	/* ...or until the control socket's forget */
	assert_int_equal(store_device_rotate(cli, b.device, &rot), 0);
	store_cache_forget(f.s, b.sip_username);
	lookup_ok(&f, &rot, SIP_DIGEST_MD5);

	/* this connection's own write empties it at the next lookup */
	assert_int_equal(store_device_revoke(f.s, rot.device), 0);
	assert_int_equal(lookup(&f, rot.sip_username), EACCES);
	assert_int_equal(store_cache_count(f.s), 0);

	/* and back to checking each lookup */
	store_cache_polled_set(f.s, false);
	assert_int_equal(store_user_add(f.s, "bob", NULL, NULL, NULL), 0);
	assert_int_equal(store_device_add(f.s, "bob", NULL, REALM, &a), 0);
	lookup_ok(&f, &a, SIP_DIGEST_MD5);
	assert_int_equal(store_device_revoke(cli, a.device), 0);
	assert_int_equal(lookup(&f, a.sip_username), EACCES);

	assert_int_equal(store_cache_check(NULL), EINVAL);
	assert_int_equal(store_cache_set(f.s, 0), 0);
	assert_int_equal(store_cache_check(f.s), 0); /* no cache: nothing */
	store_close(cli);
	store_secret_wipe(&a);
	store_secret_wipe(&b);
	store_secret_wipe(&rot);
	fx_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_cache_hit),
	    SC_TEST(test_cache_revoke_rotate),
	    SC_TEST(test_cache_other_connection),
	    SC_TEST(test_cache_bound),
	    SC_TEST(test_cache_polled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
