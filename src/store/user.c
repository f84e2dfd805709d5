/* user.c: users of the credential store: add, get, list, remove (which
 * takes their devices and links with it). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/db_priv.h"

static bool name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (!n)
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

static int check(const char *s, size_t max)
{
	return s && strlen(s) > max ? EOVERFLOW : 0;
}

static void bind_opt(sqlite3_stmt *st, int idx, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

int store_user_add(struct store *s, const char *name, const char *extension,
		   const char *display, int64_t *idp)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int err;

	if (!s || !name)
		return EINVAL;
	if (strlen(name) > STORE_NAME_MAX ||
	    check(extension, STORE_EXTENSION_MAX) ||
	    check(display, STORE_DISPLAY_MAX))
		return EOVERFLOW;
	if (!name_ok(name))
		return EINVAL;
	err = store_begin(s);
	if (err)
		return err;
	err = store_prep(s, &st,
			 "INSERT INTO users(name, extension, display, created) "
			 "VALUES (?, ?, ?, ?)");
	if (err)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bind_opt(st, 2, extension);
	bind_opt(st, 3, display);
	sqlite3_bind_int64(st, 4, store_now(s));
	err = store_sqlerr(s, sqlite3_step(st));
	if (err)
		goto out;
	id = sqlite3_last_insert_rowid(s->db);
	err = store_audit(s, "user.add", "user:%s", name);
out:
	sqlite3_finalize(st);
	err = store_end(s, err);
	if (!err && idp)
		*idp = id;
	return err;
}

#define USER_COLS                                                              \
	"SELECT u.id, u.name, u.extension, u.display, u.created,"              \
	" (SELECT count(*) FROM devices d WHERE d.user_id = u.id"              \
	"  AND d.revoked_at IS NULL), u.connection, u.pbx_user,"              \
	" u.pbx_password IS NOT NULL FROM users u "

static void user_row(sqlite3_stmt *st, struct store_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	store_col_str(st, 1, u->name, sizeof(u->name));
	store_col_str(st, 2, u->extension, sizeof(u->extension));
	store_col_str(st, 3, u->display, sizeof(u->display));
	u->created = sqlite3_column_int64(st, 4);
	u->devices = (unsigned)sqlite3_column_int(st, 5);
	store_col_str(st, 6, u->connection, sizeof(u->connection));
	store_col_str(st, 7, u->pbx_user, sizeof(u->pbx_user));
	u->pbx_password = sqlite3_column_int(st, 8) != 0;
}

static int user_by(struct store *s, const char *where, const char *val,
		   struct store_user *u)
{
	char sql[512];
	sqlite3_stmt *st = NULL;
	int err, rc;

	if (!s || !val || !u)
		return EINVAL;
	snprintf(sql, sizeof(sql), "%s%s", USER_COLS, where);
	err = store_prep(s, &st, sql);
	if (err)
		goto out;
	sqlite3_bind_text(st, 1, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		user_row(st, u);
	else
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
out:
	sqlite3_finalize(st);
	return err;
}

int store_user_get(struct store *s, const char *name, struct store_user *u)
{
	return user_by(s, "WHERE u.name = ?", name, u);
}

int store_user_by_extension(struct store *s, const char *extension,
			    struct store_user *u)
{
	return user_by(s, "WHERE u.extension = ? ORDER BY u.id LIMIT 1",
		       extension, u);
}

int store_user_list(struct store *s, store_user_h *h, void *arg)
{
	struct store_user u;
	sqlite3_stmt *st = NULL;
	int err, rc;

	if (!s || !h)
		return EINVAL;
	err = store_prep(s, &st, USER_COLS "ORDER BY u.name");
	if (err)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		user_row(st, &u);
		err = h(&u, arg);
		if (err)
			goto out;
	}
	err = store_sqlerr(s, rc);
out:
	sqlite3_finalize(st);
	return err;
}

int store_user_remove(struct store *s, const char *name,
		      int64_t ids[STORE_USER_DEVICES_MAX], size_t *np)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int64_t uid;
	int err, rc;

	if (!s || !name || !ids || !np)
		return EINVAL;
	err = store_begin(s);
	if (err)
		return err;
	err = store_prep(s, &st, "SELECT id FROM users WHERE name = ?");
	if (err)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? ENOENT : store_sqlerr(s, rc);
		goto out;
	}
	uid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	err = store_prep(s, &st,
			 "SELECT id FROM devices WHERE user_id = ? "
			 "AND revoked_at IS NULL ORDER BY id");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, uid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       n < STORE_USER_DEVICES_MAX)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	/* Foreign keys cascade to devices and links; secure_delete zeroes
	 * the freed cells. */
	err = store_prep(s, &st, "DELETE FROM users WHERE id = ?");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, uid);
	err = store_sqlerr(s, sqlite3_step(st));
	if (!err)
		err = store_audit(s, "user.remove", "user:%s", name);
out:
	sqlite3_finalize(st);
	err = store_end(s, err);
	if (!err)
		store_checkpoint(s);
	*np = err ? 0 : n;
	return err;
}
