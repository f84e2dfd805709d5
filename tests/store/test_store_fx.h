/* test_store_fx.h: the fixture of the store tests: a store in a fresh
 * temporary directory with a one-key keyring and an injected clock. */
#ifndef SC_TEST_STORE_FX_H
#define SC_TEST_STORE_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static inline int64_t fx_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

static inline void fx_open(struct fx *f)
{
	assert_int_equal(store_open(&f->s, f->path, f->kr), 0);
	store_clock_set(f->s, fx_now, f);
	assert_int_equal(store_actor_set(f->s, "test"), 0);
}

static inline void fx_init(struct fx *f)
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

static inline void fx_done(struct fx *f)
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
static inline void raw(struct fx *f, const char *sql)
{
	assert_int_equal(sqlite3_exec(f->s->db, sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

static inline void ha1_expect(const char *user, const char *realm,
			      const char *pw, enum sip_digest_alg alg,
			      const char *got)
{
	char want[SIP_DIGEST_HEX_MAX];
	struct pl u, r, p;

	pl_set_str(&u, user);
	pl_set_str(&r, realm);
	pl_set_str(&p, pw);
	assert_int_equal(sip_digest_ha1(want, alg, &u, &r, &p), 0);
	assert_string_equal(got, want);
}

#endif
