/* seal.h: secrets at rest: AEAD sealing under a keyring of master keys, the
 * master key file, and password strength estimates. */
#ifndef SC_STORE_SEAL_H
#define SC_STORE_SEAL_H

#include "core/core.h"

/*
 * A sealed value (XChaCha20-Poly1305-IETF, libsodium):
 *
 *   version(1) || key_id(4, big-endian) || nonce(24) || ciphertext || tag(16)
 *
 * The associated data authenticated with it is header(5) || the caller's
 * ad, where the caller's ad names the row and column the value belongs to
 * ("device:42:ha1"): a sealed value copied into another row does not
 * unseal. Nonces are random (192 bits: no counter to keep).
 */
#define STORE_KEY_LEN 32     /* bytes of one master key */
#define STORE_KEYRING_MAX 32 /* keys in one keyring (rotations kept) */
#define STORE_SEAL_VERSION 1
#define STORE_SEAL_HDR_LEN 5 /* version and key id */
#define STORE_SEAL_NONCE_LEN 24
#define STORE_SEAL_TAG_LEN 16
#define STORE_SEAL_OVERHEAD                                                    \
	(STORE_SEAL_HDR_LEN + STORE_SEAL_NONCE_LEN + STORE_SEAL_TAG_LEN)
#define STORE_SEAL_AD_MAX 256   /* bytes of caller associated data */
#define STORE_SEAL_PT_MAX 65536 /* bytes of one sealed secret */
#define STORE_KEYFILE_MAX 8192  /* bytes of a master key file */

/*
 * A keyring: master keys with their ids; the current key seals, every key
 * unseals. Key bytes live in sodium_malloc'd memory (guard pages, locked,
 * read-only except while a key is added) and are wiped when the keyring is
 * freed (mem_deref). Seal/unseal may run concurrently; adding keys may not
 * run concurrently with anything else.
 */
struct store_keyring;

/* Allocates an empty keyring. Returns 0, ENOMEM, or EIO when libsodium
 * cannot initialise (no randomness). */
int store_keyring_alloc(struct store_keyring **krp);

/* Adds key (copied) under id (non-zero, unused); it becomes current.
 * Returns 0, EINVAL (id 0 or taken) or EOVERFLOW (keyring full). */
int store_keyring_add(struct store_keyring *kr, uint32_t id,
		      const uint8_t key[STORE_KEY_LEN]);

/* Rotation: adds a new random key with id = highest id + 1, which becomes
 * current; older keys stay for unsealing (re-sealing old values is the
 * store's job). *idp (may be NULL) gets the new id. Errors as for add. */
int store_keyring_rotate(struct store_keyring *kr, uint32_t *idp);

/* The current key's id; 0 when the keyring is empty. */
uint32_t store_keyring_current(const struct store_keyring *kr);
size_t store_keyring_count(const struct store_keyring *kr);

/*
 * Appends the sealed form of pt[0..n) at out->pos under the current key.
 * Returns 0, EINVAL (empty keyring, NULL), EOVERFLOW (n or adlen over the
 * limits) or ENOMEM; on error out is as before.
 */
int store_seal(struct mbuf *out, const struct store_keyring *kr,
	       const uint8_t *pt, size_t n, const uint8_t *ad, size_t adlen);

/*
 * Unseals sealed[0..n) with the key its header names into pt (size bytes;
 * n - STORE_SEAL_OVERHEAD are needed); *lenp gets the plaintext length.
 * The caller wipes pt when done.
 * Returns 0, EBADMSG (too short, unknown version), ENOENT (key id not in
 * the keyring), EACCES (forged, corrupted, or bound to other ad),
 * EOVERFLOW (pt too small or adlen over the limit), EINVAL.
 */
int store_unseal(uint8_t *pt, size_t size, size_t *lenp,
		 const struct store_keyring *kr, const uint8_t *sealed,
		 size_t n, const uint8_t *ad, size_t adlen);

/* The key id a sealed value names (to find values to re-seal after a
 * rotation). Returns 0 or EBADMSG. */
int store_sealed_key_id(const uint8_t *sealed, size_t n, uint32_t *idp);

/*
 * The master key file ([store] master_key). Text, so that it can be backed
 * up, diffed and read without tools; one key per line:
 *
 *   # comment
 *   <id, decimal> <64 hex digits>
 *
 * The highest id is the current key. The file must be a regular file with
 * no permission bits for group or others (0600 or 0400).
 */

/* Loads a key file into a new keyring. Returns 0, EACCES (group/other
 * permissions, or not a regular file; logged with the fix), EBADMSG (bad
 * line; logged with its number), EOVERFLOW (file too big or too many keys),
 * ENOENT and other open() errors, ENOMEM. */
int store_keyfile_load(struct store_keyring **krp, const char *path);

/* Creates a new key file with one random key (id 1), mode 0600 whatever the
 * umask, refusing to overwrite (O_EXCL: EEXIST), and returns its keyring. */
int store_keyfile_create(struct store_keyring **krp, const char *path);

/* Rotates kr (store_keyring_rotate) and rewrites path with every key, via a
 * 0600 temporary file and rename(). On error kr and the file are as before.
 */
int store_keyfile_rotate(struct store_keyring *kr, const char *path,
			 uint32_t *idp);

/*
 * Password strength (zxcvbn). Bits below STORE_SECRET_MIN_BITS are weak.
 * *bitsp gets zxcvbn's entropy estimate in bits; *reasonp a static,
 * human-readable reason when weak, NULL when strong.
 * Returns 0 (strong), ERANGE (weak: a valid answer, just not good enough;
 * none of the project-wide codes means that), EINVAL.
 */
#define STORE_SECRET_MIN_BITS 60.0
#define STORE_SECRET_MAX 256 /* bytes; longer is refused with EOVERFLOW */
int store_secret_strength(const char *secret, double *bitsp,
			  const char **reasonp);

#endif
