/* device.c: devices and their digest credentials: generated SIP user names
 * and passwords, HA1s (RFC 7616 §3.4.2) sealed to their row, revocation,
 * rotation, and the HA1 lookup of the digest callback (RFC 3261 §22). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/digest.h"
#include "store/db_priv.h"

static const char lower36[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static const char base62[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789";

void store_secret_wipe(struct store_device_secret *sec)
{
	if (sec)
		mem_secure_zero(sec, sizeof(*sec));
}

/* Seals both HA1s of (sip_username, realm, password) into the row. */
static int credential_set(struct store *s, int64_t id, const char *user,
			  const char *realm, const char *password)
{
	char md5[SIP_DIGEST_HEX_MAX], sha[SIP_DIGEST_HEX_MAX];
	struct pl u, r, p;
	sqlite3_stmt *st = NULL;
	int err;

	pl_set_str(&u, user);
	pl_set_str(&r, realm);
	pl_set_str(&p, password);
	err = sip_digest_ha1(md5, SIP_DIGEST_MD5, &u, &r, &p);
	if (!err)
		err = sip_digest_ha1(sha, SIP_DIGEST_SHA256, &u, &r, &p);
	if (err)
		goto out;
	err = store_prep(s, &st,
			 "UPDATE devices SET ha1_md5 = ?, ha1_sha256 = ?, "
			 "key_id = ? WHERE id = ?");
	if (err)
		goto out;
	err = store_seal_bind(s, st, 1, "devices", id, "ha1_md5", md5);
	if (!err)
		err =
		    store_seal_bind(s, st, 2, "devices", id, "ha1_sha256", sha);
	if (err)
		goto out;
	sqlite3_bind_int64(st, 3, store_keyring_current(s->kr));
	sqlite3_bind_int64(st, 4, id);
	err = store_sqlerr(s, sqlite3_step(st));
out:
	sqlite3_finalize(st);
	mem_secure_zero(md5, sizeof(md5));
	mem_secure_zero(sha, sizeof(sha));
	return err;
}

static int password_make(char *pw, size_t size, const char *given)
{
	if (!given)
		return store_rand_chars(pw, STORE_PASSWORD_LEN, base62);
	if (!*given)
		return EINVAL;
	if (strlen(given) >= size)
		return EOVERFLOW;
	memcpy(pw, given, strlen(given) + 1);
	return 0;
}

static int user_id(struct store *s, const char *user, int64_t *uidp,
		   int *countp)
{
	sqlite3_stmt *st = NULL;
	int err, rc;

	err = store_prep(s, &st,
			 "SELECT u.id, (SELECT count(*) FROM devices d "
			 "WHERE d.user_id = u.id AND d.revoked_at IS NULL) "
			 "FROM users u WHERE name = ?");
	if (err)
		goto out;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
		goto out;
	}
	*uidp = sqlite3_column_int64(st, 0);
	*countp = sqlite3_column_int(st, 1);
out:
	sqlite3_finalize(st);
	return err;
}

/* A fresh credential in out: the password (given, or generated) and a
 * random sip_username "d" + STORE_SIP_USERNAME_RAND of [a-z0-9]. */
static int secret_make(struct store_device_secret *out, const char *password)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = password_make(out->password, sizeof(out->password), password);
	if (!err)
		err = store_rand_chars(out->sip_username + 1,
				       STORE_SIP_USERNAME_RAND, lower36);
	if (!err)
		out->sip_username[0] = 'd';
	return err;
}

/* Inserts the device of out (credential made) for user uid with its sealed
 * HA1s and an audit row, inside the caller's transaction; out->device gets
 * the id. */
static int device_insert(struct store *s, int64_t uid, const char *user,
			 const char *label, const char *realm,
			 struct store_device_secret *out)
{
	sqlite3_stmt *st = NULL;
	int64_t id;
	int err;

	err = store_prep(s, &st,
			 "INSERT INTO devices(user_id, label, sip_username, "
			 "realm, created) VALUES (?, ?, ?, ?, ?)");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, uid);
	if (label && *label)
		sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, out->sip_username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, realm, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, store_now(s));
	err = store_sqlerr(s, sqlite3_step(st));
	if (err)
		goto out;
	id = sqlite3_last_insert_rowid(s->db);
	err = credential_set(s, id, out->sip_username, realm, out->password);
	if (!err)
		err = store_audit(s, "device.add", "device:%lld user:%s",
				  (long long)id, user);
	if (!err)
		out->device = id;
out:
	sqlite3_finalize(st);
	return err;
}

static int add_check(struct store *s, const char *user, const char *label,
		     const char *realm, const void *out)
{
	if (!s || !user || !realm || !*realm || !out)
		return EINVAL;
	if ((label && strlen(label) > STORE_LABEL_MAX) ||
	    strlen(realm) > STORE_REALM_MAX)
		return EOVERFLOW;
	return 0;
}

int store_device_add_password(struct store *s, const char *user,
			      const char *label, const char *realm,
			      const char *password,
			      struct store_device_secret *out)
{
	int64_t uid = 0;
	int err, count = 0;

	err = add_check(s, user, label, realm, out);
	if (err)
		return err;
	err = secret_make(out, password);
	if (err)
		goto wipe;
	err = store_begin(s);
	if (err)
		goto wipe;
	err = user_id(s, user, &uid, &count);
	if (!err && count >= STORE_USER_DEVICES_MAX)
		err = EOVERFLOW;
	if (!err)
		err = device_insert(s, uid, user, label, realm, out);
	err = store_end(s, err);
wipe:
	if (err)
		store_secret_wipe(out);
	return err;
}

int store_device_add_many(struct store *s, const char *user,
			  const char *label, const char *realm, size_t n,
			  struct store_device_secret *out, size_t *activep)
{
	int64_t uid = 0;
	int err, count = 0;
	size_t i;

	err = add_check(s, user, label, realm, out);
	if (err)
		return err;
	if (!n)
		return EINVAL;
	if (n > STORE_USER_DEVICES_MAX)
		return EOVERFLOW;
	memset(out, 0, n * sizeof(*out));
	for (i = 0; !err && i < n; i++)
		err = secret_make(&out[i], NULL);
	if (err)
		goto wipe;
	err = store_begin(s);
	if (err)
		goto wipe;
	err = user_id(s, user, &uid, &count);
	if (!err && activep)
		*activep = (size_t)count;
	if (!err && (size_t)count + n > STORE_USER_DEVICES_MAX)
		err = EOVERFLOW;
	/* a sip_username drawn twice (2^-103 per pair) fails the UNIQUE
	 * constraint: EEXIST, and nothing is added */
	for (i = 0; !err && i < n; i++)
		err = device_insert(s, uid, user, label, realm, &out[i]);
	err = store_end(s, err);
wipe:
	if (err) {
		for (i = 0; i < n; i++)
			store_secret_wipe(&out[i]);
	}
	return err;
}

int store_device_add(struct store *s, const char *user, const char *label,
		     const char *realm, struct store_device_secret *out)
{
	return store_device_add_password(s, user, label, realm, NULL, out);
}

#define DEVICE_COLS                                                            \
	"SELECT d.id, u.name, d.label, d.sip_username, d.realm, d.key_id,"     \
	" d.created, d.revoked_at, d.last_seen_at, d.last_address "            \
	"FROM devices d JOIN users u ON u.id = d.user_id "

static void device_row(sqlite3_stmt *st, struct store_device *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(st, 0);
	store_col_str(st, 1, d->user, sizeof(d->user));
	store_col_str(st, 2, d->label, sizeof(d->label));
	store_col_str(st, 3, d->sip_username, sizeof(d->sip_username));
	store_col_str(st, 4, d->realm, sizeof(d->realm));
	d->key_id = (uint32_t)sqlite3_column_int64(st, 5);
	d->created = sqlite3_column_int64(st, 6);
	d->revoked_at = sqlite3_column_int64(st, 7);
	d->last_seen_at = sqlite3_column_int64(st, 8);
	store_col_str(st, 9, d->last_address, sizeof(d->last_address));
}

/* The one device a prepared statement st (already bound) selects. */
static int device_one(struct store *s, sqlite3_stmt *st, struct store_device *d)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		device_row(st, d);
		return 0;
	}
	return rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
}

int store_device_get(struct store *s, int64_t id, struct store_device *d)
{
	sqlite3_stmt *st = NULL;
	int err;

	if (!s || !d)
		return EINVAL;
	err = store_prep(s, &st, DEVICE_COLS "WHERE d.id = ?");
	if (!err) {
		sqlite3_bind_int64(st, 1, id);
		err = device_one(s, st, d);
	}
	sqlite3_finalize(st);
	return err;
}

int store_device_find(struct store *s, const char *sip_username,
		      struct store_device *d)
{
	sqlite3_stmt *st = NULL;
	int err;

	if (!s || !sip_username || !d)
		return EINVAL;
	err = store_prep(s, &st, DEVICE_COLS "WHERE d.sip_username = ?");
	if (!err) {
		sqlite3_bind_text(st, 1, sip_username, -1, SQLITE_STATIC);
		err = device_one(s, st, d);
	}
	sqlite3_finalize(st);
	return err;
}

int store_device_list(struct store *s, const char *user, store_device_h *h,
		      void *arg)
{
	struct store_device d;
	sqlite3_stmt *st = NULL;
	int64_t uid;
	int err, rc, count;

	if (!s || !user || !h)
		return EINVAL;
	err = user_id(s, user, &uid, &count);
	if (err)
		goto out;
	err = store_prep(s, &st,
			 DEVICE_COLS "WHERE d.user_id = ? "
				     "ORDER BY d.id");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, uid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		device_row(st, &d);
		err = h(&d, arg);
		if (err)
			goto out;
	}
	err = store_sqlerr(s, rc);
out:
	sqlite3_finalize(st);
	return err;
}

/* Inside a transaction: ENOENT, EACCES (revoked) or 0 with the row. */
static int device_active(struct store *s, int64_t id, struct store_device *d)
{
	int err = store_device_get(s, id, d);

	if (!err && d->revoked_at)
		err = EACCES;
	return err;
}

/* Wipes the sealed passwords of the device's pending links. */
static int links_wipe(struct store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int err;

	err = store_prep(s, &st,
			 "UPDATE links SET password = NULL "
			 "WHERE device_id = ? AND password IS NOT NULL");
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, id);
	err = store_sqlerr(s, sqlite3_step(st));
	sqlite3_finalize(st);
	return err;
}

int store_device_revoke(struct store *s, int64_t id)
{
	struct store_device d;
	sqlite3_stmt *st = NULL;
	int err;

	if (!s)
		return EINVAL;
	err = store_begin(s);
	if (err)
		return err;
	err = device_active(s, id, &d);
	if (err)
		goto out;
	/* The HA1s go too: a revoked device never authenticates again. */
	err = store_prep(s, &st,
			 "UPDATE devices SET revoked_at = ?, "
			 "ha1_md5 = NULL, ha1_sha256 = NULL "
			 "WHERE id = ?");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, store_now(s));
	sqlite3_bind_int64(st, 2, id);
	err = store_sqlerr(s, sqlite3_step(st));
	if (!err)
		err = links_wipe(s, id);
	if (!err)
		err = store_audit(s, "device.revoke", "device:%lld",
				  (long long)id);
out:
	sqlite3_finalize(st);
	err = store_end(s, err);
	if (!err)
		store_checkpoint(s);
	return err;
}

int store_device_rotate_password(struct store *s, int64_t id,
				 const char *password,
				 struct store_device_secret *out)
{
	struct store_device d;
	int err;

	if (!s || !out)
		return EINVAL;
	memset(out, 0, sizeof(*out));
	err = password_make(out->password, sizeof(out->password), password);
	if (err)
		goto wipe;
	err = store_begin(s);
	if (err)
		goto wipe;
	err = device_active(s, id, &d);
	if (!err)
		err = credential_set(s, id, d.sip_username, d.realm,
				     out->password);
	if (!err)
		err = links_wipe(s, id);
	if (!err)
		err = store_audit(s, "device.rotate", "device:%lld",
				  (long long)id);
	err = store_end(s, err);
	if (!err) {
		store_checkpoint(s);
		out->device = id;
		memcpy(out->sip_username, d.sip_username,
		       sizeof(out->sip_username));
	}
wipe:
	if (err)
		store_secret_wipe(out);
	return err;
}

int store_device_rotate(struct store *s, int64_t id,
			struct store_device_secret *out)
{
	return store_device_rotate_password(s, id, NULL, out);
}

int store_device_ha1(struct store *s, const char *sip_username,
		     const char *realm, int alg, char *hex, size_t size,
		     int64_t *device_idp)
{
	const char *col;
	sqlite3_stmt *st = NULL;
	uint8_t sha;
	int64_t id;
	int err, rc;

	if (!s || !sip_username || !realm || !hex)
		return EINVAL;
	switch (alg) {
	case SIP_DIGEST_MD5:
	case SIP_DIGEST_MD5_SESS:
		col = "ha1_md5";
		sha = 0;
		break;
	case SIP_DIGEST_SHA256:
	case SIP_DIGEST_SHA256_SESS:
		col = "ha1_sha256";
		sha = 1;
		break;
	default:
		return EINVAL;
	}
	/* the cache first (ha1cache.c): valid only while nothing was written */
	if (s->ha1c) {
		err = store_ha1cache_check(s);
		if (!err)
			err = store_ha1cache_get(s->ha1c, sip_username, realm,
						 sha, hex, size,
						 device_idp);
		if (err != ENOENT)
			return err;
	}
	/* every authenticated request comes here: prepared once */
	err = alg == SIP_DIGEST_MD5 || alg == SIP_DIGEST_MD5_SESS
		  ? store_prep_cached(s, &st, STORE_STMT_HA1_MD5,
				      "SELECT id, revoked_at, ha1_md5 FROM "
				      "devices WHERE sip_username = ? AND "
				      "realm = ?")
		  : store_prep_cached(s, &st, STORE_STMT_HA1_SHA256,
				      "SELECT id, revoked_at, ha1_sha256 FROM "
				      "devices WHERE sip_username = ? AND "
				      "realm = ?");
	if (err)
		goto out;
	sqlite3_bind_text(st, 1, sip_username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, realm, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		err = EACCES;
		goto out;
	}
	err = store_unseal_col(s, st, 2, "devices", id, col, hex, size);
	if (!err && device_idp)
		*device_idp = id;
	if (!err && s->ha1c)
		store_ha1cache_put(s->ha1c, sip_username, realm, sha,
				   hex, id);
out:
	store_done(st);
	return err;
}

int store_device_seen(struct store *s, int64_t id, const char *address,
		      int64_t now)
{
	sqlite3_stmt *st = NULL;
	int err;

	if (!s || !address)
		return EINVAL;
	if (strlen(address) > STORE_ADDRESS_MAX)
		return EOVERFLOW;
	err = store_prep(s, &st,
			 "UPDATE devices SET last_seen_at = ?, "
			 "last_address = ? WHERE id = ?");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	err = store_sqlerr(s, sqlite3_step(st));
	if (!err && !sqlite3_changes(s->db))
		err = ENOENT;
out:
	sqlite3_finalize(st);
	return err;
}
