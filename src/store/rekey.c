/* rekey.c: re-sealing every sealed value of the store under the keyring's
 * current key, in one transaction (after `sipcloak key rotate`). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/db_priv.h"

/* One sealed column; devices rows also record the key (key_id, ?3). */
struct sealed_col {
	const char *table;
	const char *column;
	const char *select; /* id, value (non-NULL values only) */
	const char *update; /* value = ?1 (and key_id = ?3) WHERE id = ?2 */
};

static const struct sealed_col cols[] = {
    {"devices", "ha1_md5",
     "SELECT id, ha1_md5 FROM devices WHERE ha1_md5 IS NOT NULL",
     "UPDATE devices SET ha1_md5 = ?1, key_id = ?3 WHERE id = ?2"},
    {"devices", "ha1_sha256",
     "SELECT id, ha1_sha256 FROM devices WHERE ha1_sha256 IS NOT NULL",
     "UPDATE devices SET ha1_sha256 = ?1, key_id = ?3 WHERE id = ?2"},
    {"links", "password",
     "SELECT id, password FROM links WHERE password IS NOT NULL",
     "UPDATE links SET password = ?1 WHERE id = ?2"},
    {"users", "pbx_password",
     "SELECT id, pbx_password FROM users WHERE pbx_password IS NOT NULL",
     "UPDATE users SET pbx_password = ?1 WHERE id = ?2"},
    {"connection_secrets", "password",
     "SELECT id, password FROM connection_secrets WHERE password IS NOT NULL",
     "UPDATE connection_secrets SET password = ?1 WHERE id = ?2"},
    {"connection_secrets", "ha1_md5",
     "SELECT id, ha1_md5 FROM connection_secrets WHERE ha1_md5 IS NOT NULL",
     "UPDATE connection_secrets SET ha1_md5 = ?1 WHERE id = ?2"},
    {"connection_secrets", "ha1_sha256",
     "SELECT id, ha1_sha256 FROM connection_secrets WHERE ha1_sha256 IS NOT "
     "NULL",
     "UPDATE connection_secrets SET ha1_sha256 = ?1 WHERE id = ?2"},
};

static int reseal_col(struct store *s, const struct sealed_col *c, unsigned *np)
{
	char pt[STORE_SECRET_MAX + 1];
	sqlite3_stmt *sel = NULL, *upd = NULL;
	int err, rc;

	err = store_prep(s, &sel, c->select);
	if (!err)
		err = store_prep(s, &upd, c->update);
	if (err)
		goto out;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(sel, 0);

		err = store_unseal_col(s, sel, 1, c->table, id, c->column, pt,
				       sizeof(pt));
		if (err)
			goto out;
		sqlite3_reset(upd);
		err = store_seal_bind(s, upd, 1, c->table, id, c->column, pt);
		mem_secure_zero(pt, sizeof(pt));
		if (err)
			goto out;
		sqlite3_bind_int64(upd, 2, id);
		if (sqlite3_bind_parameter_count(upd) >= 3)
			sqlite3_bind_int64(upd, 3,
					   store_keyring_current(s->kr));
		err = store_sqlerr(s, sqlite3_step(upd));
		if (err)
			goto out;
		(*np)++;
	}
	err = store_sqlerr(s, rc);
out:
	mem_secure_zero(pt, sizeof(pt));
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return err;
}

int store_rekey(struct store *s, struct store_keyring *kr, unsigned *np)
{
	struct store_keyring *old;
	unsigned n = 0;
	size_t i;
	int err;

	if (!s || !kr || !store_keyring_current(kr))
		return EINVAL;
	old = s->kr;
	s->kr = mem_ref(kr);
	err = store_begin(s);
	if (err)
		goto out;
	for (i = 0; !err && i < SC_ARRAY_SIZE(cols); i++)
		err = reseal_col(s, &cols[i], &n);
	if (!err)
		err = store_audit(s, "store.rekey", "key:%u",
				  (unsigned)store_keyring_current(kr));
	err = store_end(s, err);
out:
	if (err) {
		/* Keep the old keyring: nothing changed. */
		mem_deref(s->kr);
		s->kr = old;
		n = 0;
	} else {
		mem_deref(old);
		store_checkpoint(s);
	}
	if (np)
		*np = n;
	return err;
}
