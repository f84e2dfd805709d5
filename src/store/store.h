/* store.h: the credential store: users, devices with sealed digest HA1s
 * (RFC 3261 §22.4, RFC 7616 §3.4.2), one-time provisioning links and an
 * audit trail. SQLite today; the interface names no SQL so that another
 * backend (PostgreSQL) can sit behind the same functions. */
#ifndef SC_STORE_STORE_H
#define SC_STORE_STORE_H

#include "core/core.h"
#include "sip/digest.h"
#include "store/seal.h"

/* Limits, each enforced (EOVERFLOW) before anything is written. */
#define STORE_NAME_MAX 64          /* bytes of a user name */
#define STORE_EXTENSION_MAX 32     /* bytes of an extension */
#define STORE_DISPLAY_MAX 128      /* bytes of a display name */
#define STORE_LABEL_MAX 128        /* bytes of a device label */
#define STORE_REALM_MAX 253        /* bytes of a realm (a domain name) */
#define STORE_ADDRESS_MAX 64       /* bytes of "[v6]:port" as last seen */
#define STORE_ACTOR_MAX 32         /* bytes of an audit actor */
#define STORE_USER_DEVICES_MAX 64  /* active (not revoked) devices per user */
#define STORE_BUSY_TIMEOUT_MS 5000 /* wait for a writer in another process */

/* Generated credentials. */
#define STORE_SIP_USERNAME_RAND 20 /* random [a-z0-9] after the "d" */
#define STORE_SIP_USERNAME_LEN (1 + STORE_SIP_USERNAME_RAND)
#define STORE_PASSWORD_LEN 32 /* base62: 32 * log2(62) = 190 bits */
#define STORE_TOKEN_LEN 32    /* base62: 190 bits; only SHA-256 stored */
#define STORE_LINK_TTL_MIN 60 /* seconds */
#define STORE_LINK_TTL_MAX (7 * 86400) /* seconds */
#define STORE_HA1_HEX_MAX 65           /* SHA-256 hex and its NUL */

struct store;

/* Seconds since the epoch; the store asks it whenever it stamps a row. */
typedef int64_t(store_now_h)(void *arg);

/*
 * Opens (creating with mode 0600 if absent) the database at path and
 * brings its schema up to date (forward migrations, one transaction each).
 * kr is referenced (mem_ref) and used to seal and unseal. The file is put
 * in WAL mode with foreign keys on, secure_delete on and a busy timeout, so
 * that the CLI and the running server can share it.
 * Returns 0, EINVAL, ENOMEM, EIO (not a database, or a schema newer than
 * this program: logged), EBUSY (locked past the timeout), or the errno of
 * creating the file (ENOENT: no such directory, EACCES, ...).
 */
int store_open(struct store **sp, const char *path, struct store_keyring *kr);

/*
 * Remembers the master key file the keyring came from. When a value was
 * sealed under a key the keyring lacks (another process ran `sipcloak key
 * rotate` while this one runs), the file is loaded again, once per such
 * value, and replaces the keyring. Returns 0, EINVAL or ENOMEM.
 */
int store_keyfile_set(struct store *s, const char *path);

/* Closes the database and drops the keyring reference; NULL is a no-op. */
void store_close(struct store *s);

/* The clock (default: time(NULL)) and the audit actor (default "server"). */
void store_clock_set(struct store *s, store_now_h *nowh, void *arg);
int store_actor_set(struct store *s, const char *actor); /* EOVERFLOW */

/* The schema version the database is at after store_open. */
int store_schema_version(const struct store *s);

/* Users. Strings are NUL-terminated; an absent one is "". */
struct store_user {
	int64_t id;
	char name[STORE_NAME_MAX + 1];
	char extension[STORE_EXTENSION_MAX + 1];
	char display[STORE_DISPLAY_MAX + 1];
	int64_t created;
	unsigned devices; /* active (not revoked) devices */
	char connection[STORE_NAME_MAX + 1];    /* [connection NAME] or "" */
	char pbx_user[STORE_EXTENSION_MAX + 1]; /* PBX login, "" : extension */
	bool pbx_password;                      /* one is stored (sealed) */
};

/*
 * Adds a user. name: 1..STORE_NAME_MAX of [A-Za-z0-9._-]; extension and
 * display may be NULL. *idp (may be NULL) gets the id.
 * Returns 0, EINVAL (bad name), EOVERFLOW, EEXIST, EIO.
 */
int store_user_add(struct store *s, const char *name, const char *extension,
		   const char *display, int64_t *idp);
/* Fills *u. Returns 0, ENOENT, EINVAL, EIO. */
int store_user_get(struct store *s, const char *name, struct store_user *u);
/* The (first) user with that extension. 0, EINVAL, ENOENT, EIO. */
int store_user_by_extension(struct store *s, const char *extension,
                            struct store_user *u);

/* Calls h for each user (by name) or device; a non-zero return stops the
 * walk and is returned. */
typedef int(store_user_h)(const struct store_user *u, void *arg);
int store_user_list(struct store *s, store_user_h *h, void *arg);

/*
 * Removes a user with its devices and links (one transaction). ids (room
 * for STORE_USER_DEVICES_MAX) gets the ids of the removed active devices,
 * *np how many, so that the caller can end their registrations (revoked
 * ones have none). Returns 0, ENOENT, EIO.
 */
int store_user_remove(struct store *s, const char *name,
		      int64_t ids[STORE_USER_DEVICES_MAX], size_t *np);

struct store_device_secret;

/*
 * The PBX side of a user (src/store/pbx.c). Sets the user's connection,
 * extension, PBX login and PBX password; a NULL argument keeps what is
 * stored, "" clears it. The password is sealed to its row
 * ("users:<id>:pbx_password") and never returned by store_user_get.
 * Returns 0, ENOENT, EOVERFLOW, EINVAL, EIO.
 */
int store_user_pbx_set(struct store *s, const char *name,
		       const char *connection, const char *extension,
		       const char *pbx_user, const char *pbx_password);
/* Unseals the user's PBX password into pw (NUL-terminated; the caller
 * wipes it). Returns 0, ENOENT (no user or no password), EOVERFLOW,
 * EBADMSG (cannot unseal), EIO. */
int store_user_pbx_password(struct store *s, const char *name, char *pw,
			    size_t size);

/*
 * Connection secrets. kind "auth": the login and password the gateway
 * answers a trunk's challenges with (password sealed). kind "inbound":
 * the credential an inbound PBX registers with (only its HA1s for realm,
 * sealed, as for devices).
 */
int store_conn_auth_set(struct store *s, const char *conn, const char *user,
			const char *password);
/* Returns 0, ENOENT, EOVERFLOW, EBADMSG, EIO; the caller wipes pw. */
int store_conn_auth_get(struct store *s, const char *conn, char *user,
			size_t usize, char *pw, size_t pwsize);
/* Generates (and replaces) conn's inbound credential: sip_username "p"
 * and 20 random [a-z0-9], a password of STORE_CONN_PASSWORD_LEN base62
 * characters (131 bits, at least the 128 asked for), shown once through
 * *sec (wipe it with store_secret_wipe). Returns 0, EOVERFLOW, EINVAL,
 * EIO. */
#define STORE_CONN_PASSWORD_LEN 22
int store_conn_cred_make(struct store *s, const char *conn, const char *realm,
			 struct store_device_secret *sec);
/* The user name of conn's inbound credential. Returns 0, ENOENT, EIO. */
int store_conn_inbound_user(struct store *s, const char *conn, char *user,
			    size_t size);
/* The HA1 (hex) of an inbound credential for alg's base hash (as
 * store_device_ha1); conn (size csize, may be NULL) gets the connection.
 * Returns 0, ENOENT, EBADMSG, EOVERFLOW, EIO. */
int store_conn_ha1(struct store *s, const char *sip_username,
		   const char *realm, int alg, char *ha1, size_t size,
		   char *conn, size_t csize);

/* Devices. */
struct store_device {
	int64_t id;
	char user[STORE_NAME_MAX + 1];
	char label[STORE_LABEL_MAX + 1];
	char sip_username[STORE_SIP_USERNAME_LEN + 1];
	char realm[STORE_REALM_MAX + 1];
	uint32_t key_id; /* the key its HA1s are sealed under */
	int64_t created;
	int64_t revoked_at;   /* 0: active */
	int64_t last_seen_at; /* 0: never */
	char last_address[STORE_ADDRESS_MAX + 1];
};

/* A device's credential, in plaintext in memory only: the caller shows it
 * once and wipes it with store_secret_wipe(). */
struct store_device_secret {
	int64_t device;
	char sip_username[STORE_SIP_USERNAME_LEN + 1];
	char password[STORE_SECRET_MAX + 1];
};

void store_secret_wipe(struct store_device_secret *sec);

/*
 * Creates a device for user with a generated credential: sip_username "d"
 * and 20 random [a-z0-9] (not derived from the user), a 32-character
 * base62 password from the OS random source, and the sealed HA1s for MD5
 * and SHA-256 over (sip_username, realm, password). label may be NULL.
 * Returns 0, ENOENT (no such user), EOVERFLOW (label, realm, or
 * STORE_USER_DEVICES_MAX reached), EINVAL, ENOMEM, EIO.
 */
int store_device_add(struct store *s, const char *user, const char *label,
		     const char *realm, struct store_device_secret *out);
/* As store_device_add with an operator-chosen password (checked for
 * strength by the caller); password NULL means generate. */
int store_device_add_password(struct store *s, const char *user,
			      const char *label, const char *realm,
			      const char *password,
			      struct store_device_secret *out);

/*
 * Creates n devices for user in one transaction (all or none), each as
 * store_device_add makes one (generated credential, sealed HA1s, an audit
 * row): out[0..n-1] get their credentials (the caller wipes them). n is 1
 * to STORE_USER_DEVICES_MAX, and the user's active devices plus n may not
 * exceed it; *activep (may be NULL) gets how many the user had. Returns 0,
 * EINVAL (n 0), ENOENT (user), EOVERFLOW (n, the user's limit, label or
 * realm), EEXIST (a sip_username drawn twice), ENOMEM, EIO, EBUSY.
 */
int store_device_add_many(struct store *s, const char *user,
			  const char *label, const char *realm, size_t n,
			  struct store_device_secret *out, size_t *activep);

/* Fills *d. Returns 0, ENOENT, EIO. */
int store_device_get(struct store *s, int64_t id, struct store_device *d);
/* The device whose SIP user name is sip_username (revoked ones too).
 * Returns 0, EINVAL, ENOENT or EIO. */
int store_device_find(struct store *s, const char *sip_username,
                      struct store_device *d);

typedef int(store_device_h)(const struct store_device *d, void *arg);
/* Devices of user (by id). Returns 0, ENOENT (no such user), EIO, or h's. */
int store_device_list(struct store *s, const char *user, store_device_h *h,
		      void *arg);

/* Revokes a device at once: its HA1 lookups answer EACCES and its pending
 * links are wiped. Returns 0, ENOENT, EACCES (already revoked), EIO. */
int store_device_revoke(struct store *s, int64_t id);

/* New password and HA1s (old ones stop at once; pending links wiped).
 * password NULL: generated. Returns as store_device_revoke, and ENOMEM. */
int store_device_rotate(struct store *s, int64_t id,
			struct store_device_secret *out);
int store_device_rotate_password(struct store *s, int64_t id,
				 const char *password,
				 struct store_device_secret *out);

/*
 * The digest callback's lookup: the HA1 (hex, NUL-terminated) of the device
 * sip_username in realm for alg (SIP_DIGEST_MD5/_SESS use the MD5 HA1,
 * SHA256/_SESS the SHA-256 one; the value of enum sip_digest_alg).
 * *device_idp (may be NULL) gets the device id. The caller wipes hex.
 * Returns 0, ENOENT (unknown user or realm), EACCES (revoked), EBADMSG
 * (sealed value corrupt, or bound to another row), EOVERFLOW (size), EIO.
 */
int store_device_ha1(struct store *s, const char *sip_username,
		     const char *realm, int alg, char *hex, size_t size,
		     int64_t *device_idp);

/*
 * The HA1 cache (ha1cache.c, docs/store.md): with max > 0 store_device_ha1
 * keeps up to max unsealed HA1s in memory (least recently used evicted and
 * wiped), so that a device's repeated REGISTERs skip the query and the
 * unseal. Any write through this connection (provisioning, the admin API)
 * empties the cache before the next answer (a counter in memory). Writes
 * by other connections (the CLI's revoke, rotate, user remove) are found
 * with PRAGMA data_version: before every lookup by default, or, after
 * store_cache_polled_set(s, true), only when the owner calls
 * store_cache_check() (the server does on a timer, and drops a device's
 * entries when the CLI tells it on the control socket). max 0 turns the
 * cache off (the default). Returns 0, EINVAL, EOVERFLOW (over
 * STORE_CACHE_MAX), ENOMEM.
 */
#define STORE_CACHE_MAX 1000000
int store_cache_set(struct store *s, size_t max);
/* polled: lookups no longer ask whether another connection wrote; the
 * caller must call store_cache_check() often enough for its guarantee. */
void store_cache_polled_set(struct store *s, bool polled);
/* Asks SQLite now whether the database changed since the last check (any
 * connection) and empties the cache if so. Returns 0, EINVAL, EIO (the
 * cache is emptied too). Three system calls; nothing without a cache. */
int store_cache_check(struct store *s);
/* Drops sip_username's cached HA1s (the control socket's device_gone). */
void store_cache_forget(struct store *s, const char *sip_username);
/* Drops every cached HA1 (wiped). */
void store_cache_clear(struct store *s);
/* Entries cached now. */
size_t store_cache_count(const struct store *s);

/*
 * The HA1 callback of sip_digest_authenticate (sip_digest_ha1_h) with arg a
 * struct store: looks cred's username and realm up with store_device_ha1
 * for sip_digest_alg_base(alg). Unknown, revoked, userhash credentials and
 * values that do not unseal all answer ENOENT (a failed authentication);
 * other errors pass through (EIO: answer 500).
 */
int store_digest_ha1h(const struct sip_digest *cred, enum sip_digest_alg alg,
		      char ha1[SIP_DIGEST_HEX_MAX], void *arg);

/* Records that a device was seen (a registration) from address at now.
 * Not audited (not a change by anyone). Returns 0, ENOENT, EOVERFLOW. */
int store_device_seen(struct store *s, int64_t id, const char *address,
		      int64_t now);

/* One-time provisioning links. */
struct store_link_info {
	int64_t device;
	char sip_username[STORE_SIP_USERNAME_LEN + 1];
	char password[STORE_SECRET_MAX + 1]; /* wipe with store_link_wipe */
	char realm[STORE_REALM_MAX + 1];
	char user[STORE_NAME_MAX + 1];
	char display[STORE_DISPLAY_MAX + 1];
};

void store_link_wipe(struct store_link_info *info);

/*
 * Creates a link for a device carrying password (sealed in the link row
 * until it is used or expires) valid ttl_s seconds from now. token (size
 * > STORE_TOKEN_LEN) gets 32 base62 characters; only SHA-256(token) is
 * stored. *expiresp (may be NULL) gets the expiry time.
 * Returns 0, ENOENT (device), EACCES (revoked), EOVERFLOW (ttl or size),
 * EINVAL, EIO.
 */
int store_link_create(struct store *s, int64_t device_id, const char *password,
		      int64_t ttl_s, int64_t now, char *token, size_t size,
		      int64_t *expiresp);

/*
 * Redeems a token: the first call before expiry fills *out and marks the
 * link used, wiping its sealed password. The lookup is one indexed query
 * on SHA-256(token), so unknown and used tokens cost the same.
 * Returns 0, ENOENT (unknown), ESTALE (used, expired, or device revoked or
 * rotated since), EBADMSG (sealed value corrupt), EIO.
 */
int store_link_redeem(struct store *s, const char *token, int64_t now,
		      struct store_link_info *out);

/* Wipes the sealed passwords of links that expired by now; *np (may be
 * NULL) gets how many. Returns 0 or EIO. */
int store_link_purge(struct store *s, int64_t now, unsigned *np);

/*
 * Re-seals every sealed value under kr's current key in one transaction
 * (kr must also hold every key in use: load it from the key file after
 * rotating). kr replaces the store's keyring. *np (may be NULL) gets the
 * number of values re-sealed. Returns 0, EBADMSG (a value does not
 * unseal: nothing changed), ENOMEM, EIO, EBUSY.
 */
int store_rekey(struct store *s, struct store_keyring *kr, unsigned *np);

/*
 * Admin API bearer tokens (src/store/token.c, issue 6): STORE_ATOKEN_PREFIX
 * and STORE_TOKEN_LEN base62 characters (190 bits from the OS random
 * source); only SHA-256(token) is stored.
 */
#define STORE_ATOKEN_PREFIX "sca_"
#define STORE_ATOKEN_LEN (sizeof(STORE_ATOKEN_PREFIX) - 1 + STORE_TOKEN_LEN)
#define STORE_ATOKEN_NAME_MAX 24 /* "api:<name>" fits STORE_ACTOR_MAX */

struct store_atoken {
	int64_t id;
	char name[STORE_ATOKEN_NAME_MAX + 1];
	int64_t created;
	int64_t last_used; /* 0: never */
};

/* Whether t has the shape of a token (prefix, length, base62). Examines
 * every byte whatever it finds (no early exit). */
bool store_atoken_syntax(const char *t, size_t len);

/*
 * Creates token NAME (1..STORE_ATOKEN_NAME_MAX of [A-Za-z0-9._-]); token
 * (size > STORE_ATOKEN_LEN) gets it, NUL-terminated, to be shown once and
 * wiped by the caller. Audited as "token.create". Returns 0, EINVAL (bad
 * name), EEXIST, EOVERFLOW (size), EIO.
 */
int store_atoken_create(struct store *s, const char *name, char *token,
			size_t size);
/* Deletes token NAME at once (audited). Returns 0, ENOENT, EINVAL, EIO. */
int store_atoken_revoke(struct store *s, const char *name);
typedef int(store_atoken_h)(const struct store_atoken *t, void *arg);
/* Tokens by name; never the token. Returns 0, EIO or h's return. */
int store_atoken_list(struct store *s, store_atoken_h *h, void *arg);
/*
 * Authenticates a presented token (len bytes, need not be NUL-terminated):
 * one indexed lookup on SHA-256(token), the stored hash compared in
 * constant time; on success fills *t and sets last_used to now (not
 * audited). Returns 0, EACCES (malformed, unknown or revoked), EIO.
 */
int store_atoken_check(struct store *s, const char *token, size_t len,
		       struct store_atoken *t);

/* Appends an audit row (the store's actor, now) for a change made outside
 * the store, e.g. "ban.clear" "address:192.0.2.1". Returns 0, EINVAL,
 * EIO. */
int store_audit_note(struct store *s, const char *action, const char *subject);

/* Audit rows, oldest first. */
struct store_audit {
	int64_t id;
	int64_t time;
	char actor[STORE_ACTOR_MAX + 1];
	char action[32];
	char subject[STORE_NAME_MAX + 32];
};

typedef int(store_audit_h)(const struct store_audit *a, void *arg);
int store_audit_list(struct store *s, store_audit_h *h, void *arg);

#endif
