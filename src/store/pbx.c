/* pbx.c: the secrets of the PBX side: users' PBX logins and passwords,
 * trunks' outbound digest logins, and the credentials inbound PBXs
 * register with (HA1s only, RFC 7616 §3.4.2), all sealed to their row. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/digest.h"
#include "store/db_priv.h"

static const char lower36[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static const char base62[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static int too_long(const char *v, size_t max)
{
	return v && strlen(v) > max;
}

/* Sets one text column of the user, NULL keeping it, "" clearing it. */
static int set_col(struct store *s, int64_t id, const char *col, const char *v)
{
	char sql[96];
	sqlite3_stmt *st = NULL;
	int err;

	if (!v)
		return 0;
	snprintf(sql, sizeof(sql), "UPDATE users SET %s = ? WHERE id = ?", col);
	err = store_prep(s, &st, sql);
	if (err)
		return err;
	if (*v)
		sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, id);
	err = store_sqlerr(s, sqlite3_step(st));
	sqlite3_finalize(st);
	return err;
}

int store_user_pbx_set(struct store *s, const char *name,
		       const char *connection, const char *extension,
		       const char *pbx_user, const char *pbx_password)
{
	struct store_user u;
	sqlite3_stmt *st = NULL;
	int err;

	if (!s || !name)
		return EINVAL;
	if (too_long(connection, STORE_NAME_MAX) ||
	    too_long(extension, STORE_EXTENSION_MAX) ||
	    too_long(pbx_user, STORE_EXTENSION_MAX) ||
	    too_long(pbx_password, STORE_SECRET_MAX))
		return EOVERFLOW;
	err = store_begin(s);
	if (err)
		return err;
	err = store_user_get(s, name, &u);
	err = err ? err : set_col(s, u.id, "connection", connection);
	err = err ? err : set_col(s, u.id, "extension", extension);
	err = err ? err : set_col(s, u.id, "pbx_user", pbx_user);
	if (!err && pbx_password && *pbx_password) {
		err = store_prep(s, &st,
				 "UPDATE users SET pbx_password = ? "
				 "WHERE id = ?");
		err = err ? err
			  : store_seal_bind(s, st, 1, "users", u.id,
					    "pbx_password", pbx_password);
		if (!err) {
			sqlite3_bind_int64(st, 2, u.id);
			err = store_sqlerr(s, sqlite3_step(st));
		}
		sqlite3_finalize(st);
	} else if (!err && pbx_password) {
		err = set_col(s, u.id, "pbx_password", "");
	}
	if (!err)
		err = store_audit(s, "user.pbx", "user:%s", name);
	err = store_end(s, err);
	if (!err && pbx_password)
		store_checkpoint(s); /* the old sealed value leaves the WAL */
	return err;
}

int store_user_pbx_password(struct store *s, const char *name, char *pw,
			    size_t size)
{
	sqlite3_stmt *st = NULL;
	int64_t id;
	int err, rc;

	if (!s || !name || !pw || !size)
		return EINVAL;
	err = store_prep(s, &st,
			 "SELECT id, pbx_password FROM users WHERE name = ? "
			 "AND pbx_password IS NOT NULL");
	if (err)
		return err;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	err = store_unseal_col(s, st, 1, "users", id, "pbx_password", pw, size);
out:
	sqlite3_finalize(st);
	return err;
}

/* The id of conn's secret row of kind, creating it for user; 0 if none
 * and !create. */
static int secret_row(struct store *s, const char *conn, const char *kind,
		      const char *user, const char *realm, int64_t *idp)
{
	sqlite3_stmt *st = NULL;
	int err;

	err = store_prep(s, &st,
			 "INSERT INTO connection_secrets(name, kind, username,"
			 " realm, created) VALUES (?, ?, ?, ?, ?) "
			 "ON CONFLICT(name, kind) DO UPDATE SET "
			 "username = excluded.username, realm = excluded.realm,"
			 " password = NULL, ha1_md5 = NULL, ha1_sha256 = NULL "
			 "RETURNING id");
	if (err)
		return err;
	sqlite3_bind_text(st, 1, conn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
	if (realm)
		sqlite3_bind_text(st, 4, realm, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, store_now(s));
	if (sqlite3_step(st) == SQLITE_ROW)
		*idp = sqlite3_column_int64(st, 0);
	else
		err = store_sqlerr(s, sqlite3_errcode(s->db));
	sqlite3_finalize(st);
	return err ? err : *idp ? 0 : EIO;
}

int store_conn_auth_set(struct store *s, const char *conn, const char *user,
			const char *password)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int err;

	if (!s || !conn || !user || !password || !*user || !*password)
		return EINVAL;
	if (too_long(conn, STORE_NAME_MAX) || too_long(user, STORE_NAME_MAX) ||
	    too_long(password, STORE_SECRET_MAX))
		return EOVERFLOW;
	err = store_begin(s);
	if (err)
		return err;
	err = secret_row(s, conn, "auth", user, NULL, &id);
	err = err ? err
		  : store_prep(s, &st,
			       "UPDATE connection_secrets SET password = ? "
			       "WHERE id = ?");
	err = err ? err
		  : store_seal_bind(s, st, 1, "connection_secrets", id,
				    "password", password);
	if (!err) {
		sqlite3_bind_int64(st, 2, id);
		err = store_sqlerr(s, sqlite3_step(st));
	}
	sqlite3_finalize(st);
	if (!err)
		err = store_audit(s, "connection.auth", "connection:%s", conn);
	err = store_end(s, err);
	if (!err)
		store_checkpoint(s);
	return err;
}

int store_conn_auth_get(struct store *s, const char *conn, char *user,
			size_t usize, char *pw, size_t pwsize)
{
	sqlite3_stmt *st = NULL;
	int64_t id;
	int err, rc;

	if (!s || !conn || !user || !pw)
		return EINVAL;
	err = store_prep(s, &st,
			 "SELECT id, username, password FROM "
			 "connection_secrets WHERE name = ? AND kind = 'auth'"
			 " AND password IS NOT NULL");
	if (err)
		return err;
	sqlite3_bind_text(st, 1, conn, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	store_col_str(st, 1, user, usize);
	err = store_unseal_col(s, st, 2, "connection_secrets", id, "password",
			       pw, pwsize);
out:
	sqlite3_finalize(st);
	return err;
}

int store_conn_cred_make(struct store *s, const char *conn, const char *realm,
			 struct store_device_secret *sec)
{
	char md5[SIP_DIGEST_HEX_MAX], sha[SIP_DIGEST_HEX_MAX];
	sqlite3_stmt *st = NULL;
	struct pl u, r, p;
	int64_t id = 0;
	int err;

	if (!s || !conn || !realm || !sec)
		return EINVAL;
	if (too_long(conn, STORE_NAME_MAX) || too_long(realm, STORE_REALM_MAX))
		return EOVERFLOW;
	memset(sec, 0, sizeof(*sec));
	sec->sip_username[0] = 'p';
	err = store_rand_chars(sec->sip_username + 1, STORE_SIP_USERNAME_RAND,
			       lower36);
	err = err ? err
		  : store_rand_chars(sec->password, STORE_CONN_PASSWORD_LEN,
				     base62);
	if (err)
		return err;
	pl_set_str(&u, sec->sip_username);
	pl_set_str(&r, realm);
	pl_set_str(&p, sec->password);
	err = sip_digest_ha1(md5, SIP_DIGEST_MD5, &u, &r, &p);
	err = err ? err : sip_digest_ha1(sha, SIP_DIGEST_SHA256, &u, &r, &p);
	err = err ? err : store_begin(s);
	if (err)
		goto wipe;
	err = secret_row(s, conn, "inbound", sec->sip_username, realm, &id);
	err = err ? err
		  : store_prep(s, &st,
			       "UPDATE connection_secrets SET ha1_md5 = ?, "
			       "ha1_sha256 = ? WHERE id = ?");
	err = err ? err
		  : store_seal_bind(s, st, 1, "connection_secrets", id,
				    "ha1_md5", md5);
	err = err ? err
		  : store_seal_bind(s, st, 2, "connection_secrets", id,
				    "ha1_sha256", sha);
	if (!err) {
		sqlite3_bind_int64(st, 3, id);
		err = store_sqlerr(s, sqlite3_step(st));
	}
	sqlite3_finalize(st);
	if (!err)
		err = store_audit(s, "connection.credentials", "connection:%s",
				  conn);
	err = store_end(s, err);
	if (!err)
		store_checkpoint(s);
wipe:
	mem_secure_zero(md5, sizeof(md5));
	mem_secure_zero(sha, sizeof(sha));
	if (err)
		store_secret_wipe(sec);
	return err;
}

int store_conn_ha1(struct store *s, const char *sip_username, const char *realm,
		   int alg, char *ha1, size_t size, char *conn, size_t csize)
{
	const char *col;
	sqlite3_stmt *st = NULL;
	char sql[160];
	int64_t id;
	int err, rc;

	if (!s || !sip_username || !realm || !ha1)
		return EINVAL;
	switch (sip_digest_alg_base((enum sip_digest_alg)alg)) {
	case SIP_DIGEST_MD5:
		col = "ha1_md5";
		break;
	case SIP_DIGEST_SHA256:
		col = "ha1_sha256";
		break;
	default:
		return ENOENT;
	}
	snprintf(sql, sizeof(sql),
		 "SELECT id, name, %s FROM connection_secrets WHERE "
		 "kind = 'inbound' AND username = ? AND realm = ?",
		 col);
	err = store_prep(s, &st, sql);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, sip_username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, realm, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	if (conn)
		store_col_str(st, 1, conn, csize);
	err = store_unseal_col(s, st, 2, "connection_secrets", id, col, ha1,
			       size);
out:
	sqlite3_finalize(st);
	return err;
}

int store_conn_inbound_user(struct store *s, const char *conn, char *user,
			    size_t size)
{
	sqlite3_stmt *st = NULL;
	int err, rc;

	if (!s || !conn || !user || !size)
		return EINVAL;
	err = store_prep(s, &st,
			 "SELECT username FROM connection_secrets WHERE "
			 "name = ? AND kind = 'inbound'");
	if (err)
		return err;
	sqlite3_bind_text(st, 1, conn, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_col_str(st, 0, user, size);
	else
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
	sqlite3_finalize(st);
	return err;
}
