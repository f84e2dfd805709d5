/* seal_priv.h: the keyring's layout, shared by seal.c and keyfile.c only. */
#ifndef SC_STORE_SEAL_PRIV_H
#define SC_STORE_SEAL_PRIV_H

#include "store/seal.h"

struct store_keyring {
	uint8_t *keys; /* sodium_malloc'd STORE_KEYRING_MAX * STORE_KEY_LEN */
	uint32_t ids[STORE_KEYRING_MAX];
	size_t count;
	size_t cur; /* index of the current key */
};

static inline const uint8_t *store_keyring_key(const struct store_keyring *kr,
					       size_t i)
{
	return kr->keys + i * STORE_KEY_LEN;
}

/* Removes the most recently added key (a rotation whose file write failed);
 * the current key becomes the highest remaining id. */
void store_keyring_drop_last(struct store_keyring *kr);

#endif
