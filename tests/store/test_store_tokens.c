/* test_store_tokens.c: admin API bearer tokens: creation shows the token
 * once and keeps only its SHA-256, lookup and constant-time compare,
 * last-used stamps, revocation, the audit trail. */
#include <errno.h>

#include "test_store_fx.h"

struct seen {
	unsigned n;
	struct store_atoken last;
};

static int list_h(const struct store_atoken *t, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->last = *t;
	return 0;
}

static int audit_h(const struct store_audit *a, void *arg)
{
	struct seen *s = arg;

	if (!strncmp(a->action, "token.", 6) && !strcmp(a->actor, "test"))
		s->n++;
	return 0;
}

static void test_create_check_revoke(void **state)
{
	char tok[STORE_ATOKEN_LEN + 1], bad[STORE_ATOKEN_LEN + 1];
	struct store_atoken t;
	struct seen seen = {0};
	sqlite3_stmt *st;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(store_atoken_create(f.s, "ops", tok, sizeof(tok)), 0);
	assert_int_equal(strlen(tok), STORE_ATOKEN_LEN);
	assert_memory_equal(tok, "sca_", 4);
	assert_true(store_atoken_syntax(tok, strlen(tok)));
	assert_int_equal(store_atoken_create(f.s, "ops", bad, sizeof(bad)),
			 EEXIST);
	assert_int_equal(store_atoken_create(f.s, "a b", bad, sizeof(bad)),
			 EINVAL);
	assert_int_equal(store_atoken_create(f.s, "x", bad, 10), EOVERFLOW);

	/* Only the hash is stored: the token text is nowhere in the row. */
	assert_int_equal(sqlite3_prepare_v2(f.s->db,
					    "SELECT count(*) FROM admin_tokens "
					    "WHERE instr(token_hash, ?) > 0",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, tok + 4, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);

	assert_int_equal(store_atoken_list(f.s, list_h, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.last.last_used, 0);

	f.now += 10;
	assert_int_equal(store_atoken_check(f.s, tok, strlen(tok), &t), 0);
	assert_string_equal(t.name, "ops");
	assert_int_equal(t.last_used, f.now);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_atoken_list(f.s, list_h, &seen), 0);
	assert_int_equal(seen.last.last_used, f.now);

	/* One character off, a prefix, too long, the wrong prefix. */
	memcpy(bad, tok, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	assert_int_equal(store_atoken_check(f.s, bad, strlen(bad), &t), EACCES);
	assert_int_equal(store_atoken_check(f.s, tok, strlen(tok) - 1, &t),
			 EACCES);
	bad[0] = 'x';
	memcpy(bad + 1, tok + 1, STORE_ATOKEN_LEN - 1);
	assert_int_equal(store_atoken_check(f.s, bad, strlen(bad), &t), EACCES);
	assert_false(store_atoken_syntax("sca_short", 9));
	assert_false(store_atoken_syntax(NULL, 0));

	assert_int_equal(store_atoken_revoke(f.s, "ops"), 0);
	assert_int_equal(store_atoken_revoke(f.s, "ops"), ENOENT);
	assert_int_equal(store_atoken_check(f.s, tok, strlen(tok), &t), EACCES);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_atoken_list(f.s, list_h, &seen), 0);
	assert_int_equal(seen.n, 0);
	assert_int_equal(store_audit_list(f.s, audit_h, &seen), 0);
	assert_int_equal(seen.n, 2); /* token.create, token.revoke */
	mem_secure_zero(tok, sizeof(tok));
	fx_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_create_check_revoke),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
