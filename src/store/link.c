/* link.c: one-time provisioning links: a random token of which only the
 * SHA-256 is stored, the device password sealed in the link row until the
 * link is used or expires, single use enforced in one transaction. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "store/db_priv.h"

static const char base62[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789";

void store_link_wipe(struct store_link_info *info)
{
	if (info)
		mem_secure_zero(info, sizeof(*info));
}

static void token_hash(uint8_t h[crypto_hash_sha256_BYTES], const char *token)
{
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
}

/* Inside a transaction. */
static int purge(struct store *s, int64_t now, unsigned *np)
{
	sqlite3_stmt *st = NULL;
	int err;

	err = store_prep(s, &st,
			 "UPDATE links SET password = NULL "
			 "WHERE password IS NOT NULL AND "
			 "expires_at <= ?");
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, now);
	err = store_sqlerr(s, sqlite3_step(st));
	if (np)
		*np = err ? 0 : (unsigned)sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return err;
}

int store_link_purge(struct store *s, int64_t now, unsigned *np)
{
	unsigned n = 0;
	int err;

	if (!s)
		return EINVAL;
	err = store_begin(s);
	if (err)
		return err;
	err = store_end(s, purge(s, now, &n));
	if (!err && n)
		store_checkpoint(s);
	if (np)
		*np = err ? 0 : n;
	return err;
}

static int device_check(struct store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int err, rc;

	err = store_prep(s, &st, "SELECT revoked_at FROM devices WHERE id = ?");
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
	else if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		err = EACCES;
	sqlite3_finalize(st);
	return err;
}

int store_link_create(struct store *s, int64_t device_id, const char *password,
		      int64_t ttl_s, int64_t now, char *token, size_t size,
		      int64_t *expiresp)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st = NULL;
	int64_t id;
	int err;

	if (!s || !password || !*password || !token)
		return EINVAL;
	if (size <= STORE_TOKEN_LEN || ttl_s < STORE_LINK_TTL_MIN ||
	    ttl_s > STORE_LINK_TTL_MAX || strlen(password) > STORE_SECRET_MAX)
		return EOVERFLOW;
	err = store_rand_chars(token, STORE_TOKEN_LEN, base62);
	if (err)
		return err;
	token_hash(h, token);
	err = store_begin(s);
	if (err)
		goto wipe;
	err = purge(s, now, NULL);
	if (!err)
		err = device_check(s, device_id);
	if (err)
		goto out;
	err = store_prep(s, &st,
			 "INSERT INTO links(device_id, token_hash, "
			 "expires_at) VALUES (?, ?, ?)");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, device_id);
	sqlite3_bind_blob(st, 2, h, sizeof(h), SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now + ttl_s);
	err = store_sqlerr(s, sqlite3_step(st));
	if (err)
		goto out;
	id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	err = store_prep(s, &st, "UPDATE links SET password = ? WHERE id = ?");
	if (err)
		goto out;
	err = store_seal_bind(s, st, 1, "links", id, "password", password);
	if (err)
		goto out;
	sqlite3_bind_int64(st, 2, id);
	err = store_sqlerr(s, sqlite3_step(st));
	if (!err)
		err = store_audit(s, "link.create", "link:%lld device:%lld",
				  (long long)id, (long long)device_id);
out:
	sqlite3_finalize(st);
	err = store_end(s, err);
wipe:
	if (err)
		mem_secure_zero(token, size);
	else if (expiresp)
		*expiresp = now + ttl_s;
	return err;
}

static int mark_used(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int err;

	err = store_prep(s, &st,
			 "UPDATE links SET used_at = ?, "
			 "password = NULL WHERE id = ?");
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	err = store_sqlerr(s, sqlite3_step(st));
	sqlite3_finalize(st);
	return err;
}

int store_link_redeem(struct store *s, const char *token, int64_t now,
		      struct store_link_info *out)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st = NULL;
	int64_t id;
	int err, rc;
	bool wiped = false;

	if (!s || !token || !out)
		return EINVAL;
	memset(out, 0, sizeof(*out));
	token_hash(h, token);
	err = store_begin(s);
	if (err)
		return err;
	/* One indexed lookup (token_hash is UNIQUE) whatever the outcome. */
	err = store_prep(s, &st,
			 "SELECT l.id, l.device_id, l.expires_at, l.used_at,"
			 " l.password, d.revoked_at, d.sip_username, d.realm,"
			 " u.name, u.display FROM links l"
			 " JOIN devices d ON d.id = l.device_id"
			 " JOIN users u ON u.id = d.user_id"
			 " WHERE l.token_hash = ?");
	if (err)
		goto out;
	sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL ||
	    sqlite3_column_type(st, 4) == SQLITE_NULL ||
	    sqlite3_column_type(st, 5) != SQLITE_NULL ||
	    sqlite3_column_int64(st, 2) <= now) {
		err = ESTALE;
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			/* Expired with its password: wipe it now. */
			sqlite3_finalize(st);
			st = NULL;
			rc = purge(s, now, NULL);
			wiped = !rc;
		}
		goto out;
	}
	out->device = sqlite3_column_int64(st, 1);
	err = store_unseal_col(s, st, 4, "links", id, "password", out->password,
			       sizeof(out->password));
	if (err)
		goto out;
	store_col_str(st, 6, out->sip_username, sizeof(out->sip_username));
	store_col_str(st, 7, out->realm, sizeof(out->realm));
	store_col_str(st, 8, out->user, sizeof(out->user));
	store_col_str(st, 9, out->display, sizeof(out->display));
	sqlite3_finalize(st);
	st = NULL;
	err = mark_used(s, id, now);
	if (!err)
		err = store_audit(s, "link.redeem", "link:%lld device:%lld",
				  (long long)id, (long long)out->device);
out:
	sqlite3_finalize(st);
	if (err == ESTALE && wiped)
		store_end(s, 0); /* keep the wipe; the answer stays ESTALE */
	else
		err = store_end(s, err);
	if (!err || wiped)
		store_checkpoint(s);
	if (err)
		store_link_wipe(out);
	return err;
}
