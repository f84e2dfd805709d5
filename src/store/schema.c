/* schema.c: the store's versioned SQLite schema and its forward migrations
 * (migration N takes the database from version N-1 to N). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/db_priv.h"

typedef int(migration_h)(sqlite3 *db);

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_error("store", "migration: %s", msg ? msg : "failed");
		sqlite3_free(msg);
		return (rc & 0xff) == SQLITE_BUSY ? EBUSY : EIO;
	}
	return 0;
}

/* 1: users, devices with sealed HA1s (bound to "devices:<id>:ha1_md5" and
 * "devices:<id>:ha1_sha256"), the audit trail. */
static int migrate_1(sqlite3 *db)
{
	return exec(db, "CREATE TABLE users ("
			" id INTEGER PRIMARY KEY,"
			" name TEXT NOT NULL UNIQUE,"
			" extension TEXT,"
			" display TEXT,"
			" created INTEGER NOT NULL);"
			"CREATE TABLE devices ("
			" id INTEGER PRIMARY KEY,"
			" user_id INTEGER NOT NULL"
			"  REFERENCES users(id) ON DELETE CASCADE,"
			" label TEXT,"
			" sip_username TEXT NOT NULL UNIQUE,"
			" realm TEXT NOT NULL,"
			" ha1_md5 BLOB,"
			" ha1_sha256 BLOB,"
			" key_id INTEGER NOT NULL DEFAULT 0,"
			" created INTEGER NOT NULL,"
			" revoked_at INTEGER);"
			"CREATE INDEX devices_user ON devices(user_id);"
			"CREATE TABLE audit ("
			" id INTEGER PRIMARY KEY,"
			" time INTEGER NOT NULL,"
			" actor TEXT NOT NULL,"
			" action TEXT NOT NULL,"
			" subject TEXT NOT NULL);");
}

/* 2: when and where a device was last seen; one-time links (the token only
 * as its SHA-256; the password sealed to "links:<id>:password" until the
 * link is used or expires). */
static int migrate_2(sqlite3 *db)
{
	return exec(db, "ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;"
			"ALTER TABLE devices ADD COLUMN last_address TEXT;"
			"CREATE TABLE links ("
			" id INTEGER PRIMARY KEY,"
			" device_id INTEGER NOT NULL"
			"  REFERENCES devices(id) ON DELETE CASCADE,"
			" token_hash BLOB NOT NULL UNIQUE,"
			" expires_at INTEGER NOT NULL,"
			" used_at INTEGER,"
			" password BLOB);"
			"CREATE INDEX links_device ON links(device_id);");
}

/* 3: connections to PBXs: a user's connection, PBX login and PBX password
 * (sealed to "users:<id>:pbx_password"); per connection its outbound
 * digest login (kind 'auth', password sealed to
 * "connection_secrets:<id>:password") or the credential an inbound PBX
 * registers with (kind 'inbound', HA1s sealed as for devices). */
static int migrate_3(sqlite3 *db)
{
	return exec(db, "ALTER TABLE users ADD COLUMN connection TEXT;"
			"ALTER TABLE users ADD COLUMN pbx_user TEXT;"
			"ALTER TABLE users ADD COLUMN pbx_password BLOB;"
			"CREATE TABLE connection_secrets ("
			" id INTEGER PRIMARY KEY,"
			" name TEXT NOT NULL,"
			" kind TEXT NOT NULL,"
			" username TEXT NOT NULL,"
			" realm TEXT,"
			" password BLOB,"
			" ha1_md5 BLOB,"
			" ha1_sha256 BLOB,"
			" created INTEGER NOT NULL,"
			" UNIQUE (name, kind));"
			"CREATE INDEX connection_secrets_user"
			" ON connection_secrets(username);");
}

/* 4: admin API bearer tokens (issue 6): only SHA-256(token) is kept;
 * revoking deletes the row (the audit trail remembers it). */
static int migrate_4(sqlite3 *db)
{
	return exec(db, "CREATE TABLE admin_tokens ("
			" id INTEGER PRIMARY KEY,"
			" name TEXT NOT NULL UNIQUE,"
			" token_hash BLOB NOT NULL UNIQUE,"
			" created INTEGER NOT NULL,"
			" last_used INTEGER);");
}

static migration_h *const migrations[] = {
    migrate_1,
    migrate_2,
    migrate_3,
    migrate_4,
};

int store_schema_get(sqlite3 *db, int *versionp)
{
	sqlite3_stmt *st = NULL;
	int err = 0, rc;

	*versionp = 0;
	rc = sqlite3_prepare_v2(db,
				"SELECT count(*) FROM sqlite_master WHERE "
				"type = 'table' AND name = 'schema_version'",
				-1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		err = EIO;
		goto out;
	}
	if (!sqlite3_column_int(st, 0))
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version",
				-1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		err = EIO;
		goto out;
	}
	*versionp = sqlite3_column_int(st, 0);
out:
	if (err)
		log_error("store", "cannot read the schema version: %s",
			  sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return err;
}

static int step(sqlite3 *db, int n)
{
	char sql[96];
	int err, cur = 0;

	err = exec(db, "BEGIN IMMEDIATE");
	if (err)
		return err;
	/* Under the write lock: another process may have migrated. */
	err = store_schema_get(db, &cur);
	if (!err && cur >= n)
		return exec(db, "COMMIT");
	if (!err)
		err = exec(db, "CREATE TABLE IF NOT EXISTS schema_version ("
			       " version INTEGER NOT NULL)");
	if (!err)
		err = migrations[n - 1](db);
	if (!err) {
		snprintf(sql, sizeof(sql),
			 "DELETE FROM schema_version;"
			 "INSERT INTO schema_version VALUES (%d)",
			 n);
		err = exec(db, sql);
	}
	if (!err)
		err = exec(db, "COMMIT");
	if (err)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	else
		log_info("store", "schema migrated to version %d", n);
	return err;
}

int store_schema_migrate(sqlite3 *db, int target)
{
	int v, err;

	if (target < 1 || target > (int)SC_ARRAY_SIZE(migrations))
		return EINVAL;
	err = store_schema_get(db, &v);
	if (err)
		return err;
	if (v > (int)SC_ARRAY_SIZE(migrations)) {
		log_error("store",
			  "schema version %d is newer than this "
			  "program (%d): upgrade sipcloak",
			  v, (int)SC_ARRAY_SIZE(migrations));
		return EIO;
	}
	while (!err && v < target)
		err = step(db, ++v);
	return err;
}
