/* token.c: admin API bearer tokens (issue 6; RFC 6750 bearer tokens): a
 * random token shown once, only its SHA-256 stored, looked up by hash and
 * compared in constant time, revocable by name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "store/db_priv.h"

static const char base62[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789";

#define PREFIX_LEN (sizeof(STORE_ATOKEN_PREFIX) - 1)

static bool name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n > STORE_ATOKEN_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

static unsigned is_b62(unsigned char c)
{
	unsigned r = 0;

	/* Branch-free range checks so the time does not depend on c. */
	r |= (unsigned)(((c - 'A') & 0xff) < 26);
	r |= (unsigned)(((c - 'a') & 0xff) < 26);
	r |= (unsigned)(((c - '0') & 0xff) < 10);
	return r;
}

bool store_atoken_syntax(const char *t, size_t len)
{
	unsigned bad = 0;
	size_t i;

	if (!t || len != STORE_ATOKEN_LEN)
		return false;
	for (i = 0; i < PREFIX_LEN; i++)
		bad |= (unsigned char)t[i] ^
		       (unsigned char)STORE_ATOKEN_PREFIX[i];
	for (i = PREFIX_LEN; i < len; i++)
		bad |= !is_b62((unsigned char)t[i]);
	return bad == 0;
}

int store_atoken_create(struct store *s, const char *name, char *token,
			size_t size)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st = NULL;
	int err;

	if (!s || !name || !token)
		return EINVAL;
	if (!name_ok(name))
		return EINVAL;
	if (size <= STORE_ATOKEN_LEN)
		return EOVERFLOW;
	memcpy(token, STORE_ATOKEN_PREFIX, PREFIX_LEN);
	err = store_rand_chars(token + PREFIX_LEN, STORE_TOKEN_LEN, base62);
	if (err)
		return err;
	crypto_hash_sha256(h, (const unsigned char *)token, STORE_ATOKEN_LEN);
	err = store_begin(s);
	if (err)
		goto wipe;
	err = store_prep(s, &st,
			 "INSERT INTO admin_tokens(name, token_hash, created) "
			 "VALUES (?, ?, ?)");
	if (!err) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, h, sizeof(h), SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, store_now(s));
		err = store_sqlerr(s, sqlite3_step(st));
	}
	sqlite3_finalize(st);
	if (!err)
		err = store_audit(s, "token.create", "token:%s", name);
	err = store_end(s, err);
wipe:
	mem_secure_zero(h, sizeof(h));
	if (err)
		mem_secure_zero(token, size);
	return err;
}

int store_atoken_revoke(struct store *s, const char *name)
{
	sqlite3_stmt *st = NULL;
	int err;

	if (!s || !name || !name_ok(name))
		return !s || !name ? EINVAL : ENOENT;
	err = store_begin(s);
	if (err)
		return err;
	err = store_prep(s, &st, "DELETE FROM admin_tokens WHERE name = ?");
	if (!err) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		err = store_sqlerr(s, sqlite3_step(st));
		if (!err && !sqlite3_changes(s->db))
			err = ENOENT;
	}
	sqlite3_finalize(st);
	if (!err)
		err = store_audit(s, "token.revoke", "token:%s", name);
	return store_end(s, err);
}

static void row(sqlite3_stmt *st, struct store_atoken *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	store_col_str(st, 1, t->name, sizeof(t->name));
	t->created = sqlite3_column_int64(st, 2);
	t->last_used = sqlite3_column_int64(st, 3); /* NULL reads 0 */
}

int store_atoken_list(struct store *s, store_atoken_h *h, void *arg)
{
	struct store_atoken t;
	sqlite3_stmt *st = NULL;
	int err, rc;

	if (!s || !h)
		return EINVAL;
	err = store_prep(s, &st,
			 "SELECT id, name, created, last_used FROM "
			 "admin_tokens ORDER BY name");
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, &t);
		err = h(&t, arg);
		if (err)
			goto out;
	}
	err = store_sqlerr(s, rc);
out:
	sqlite3_finalize(st);
	return err;
}

static int touch(struct store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int err;

	err = store_prep(s, &st,
			 "UPDATE admin_tokens SET last_used = ? WHERE id = ?");
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, store_now(s));
	sqlite3_bind_int64(st, 2, id);
	err = store_sqlerr(s, sqlite3_step(st));
	sqlite3_finalize(st);
	return err;
}

int store_atoken_check(struct store *s, const char *token, size_t len,
		       struct store_atoken *t)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st = NULL;
	bool shape;
	int err, rc;

	if (!s || !token || !t)
		return EINVAL;
	/* Hash whatever came (bounded) so a malformed token costs about what
	 * a well-formed one does, then refuse it without a query. */
	shape = store_atoken_syntax(token, len);
	crypto_hash_sha256(h, (const unsigned char *)token,
			   len > STORE_ATOKEN_LEN ? STORE_ATOKEN_LEN : len);
	if (!shape) {
		err = EACCES;
		goto out;
	}
	err = store_prep(s, &st,
			 "SELECT id, name, created, last_used, token_hash "
			 "FROM admin_tokens WHERE token_hash = ?");
	if (err)
		goto out;
	sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? EACCES : store_sqlerr(s, rc);
		goto out;
	}
	if (sqlite3_column_bytes(st, 4) != (int)sizeof(h) ||
	    sodium_memcmp(sqlite3_column_blob(st, 4), h, sizeof(h))) {
		err = EACCES;
		goto out;
	}
	row(st, t);
	sqlite3_finalize(st);
	st = NULL;
	err = touch(s, t->id);
	if (!err)
		t->last_used = store_now(s);
out:
	sqlite3_finalize(st);
	mem_secure_zero(h, sizeof(h));
	return err;
}

int store_audit_note(struct store *s, const char *action, const char *subject)
{
	if (!s || !action || !subject)
		return EINVAL;
	return store_audit(s, action, "%s", subject);
}
