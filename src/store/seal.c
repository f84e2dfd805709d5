/* seal.c: the master keyring and AEAD sealing of secrets at rest
 * (XChaCha20-Poly1305-IETF from libsodium). */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "store/seal_priv.h"

static void keyring_destroy(void *data)
{
	struct store_keyring *kr = data;

	/* sodium_free wipes before unmapping. */
	if (kr->keys)
		sodium_free(kr->keys);
}

int store_keyring_alloc(struct store_keyring **krp)
{
	struct store_keyring *kr;

	if (!krp)
		return EINVAL;
	/* Idempotent and thread-safe; fails only without a random source. */
	if (sodium_init() < 0)
		return EIO;
	kr = mem_zalloc(sizeof(*kr), keyring_destroy);
	if (!kr)
		return ENOMEM;
	kr->keys = sodium_malloc(STORE_KEYRING_MAX * STORE_KEY_LEN);
	if (!kr->keys) {
		mem_deref(kr);
		return ENOMEM;
	}
	sodium_memzero(kr->keys, STORE_KEYRING_MAX * STORE_KEY_LEN);
	sodium_mprotect_readonly(kr->keys);
	*krp = kr;
	return 0;
}

static int keyring_find(const struct store_keyring *kr, uint32_t id, size_t *ip)
{
	size_t i;

	for (i = 0; i < kr->count; i++) {
		if (kr->ids[i] == id) {
			*ip = i;
			return 0;
		}
	}
	return ENOENT;
}

static void keyring_pick_current(struct store_keyring *kr)
{
	size_t i;

	kr->cur = 0;
	for (i = 1; i < kr->count; i++)
		if (kr->ids[i] > kr->ids[kr->cur])
			kr->cur = i;
}

/* key NULL: a fresh random key. */
static int keyring_put(struct store_keyring *kr, uint32_t id,
		       const uint8_t *key)
{
	uint8_t *slot;
	size_t i;

	if (!id || !keyring_find(kr, id, &i))
		return EINVAL;
	if (kr->count >= STORE_KEYRING_MAX)
		return EOVERFLOW;
	sodium_mprotect_readwrite(kr->keys);
	slot = kr->keys + kr->count * STORE_KEY_LEN;
	if (key)
		memcpy(slot, key, STORE_KEY_LEN);
	else
		randombytes_buf(slot, STORE_KEY_LEN);
	sodium_mprotect_readonly(kr->keys);
	kr->ids[kr->count++] = id;
	keyring_pick_current(kr);
	return 0;
}

int store_keyring_add(struct store_keyring *kr, uint32_t id,
		      const uint8_t key[STORE_KEY_LEN])
{
	if (!kr || !key)
		return EINVAL;
	return keyring_put(kr, id, key);
}

int store_keyring_rotate(struct store_keyring *kr, uint32_t *idp)
{
	uint32_t id;
	int err;

	if (!kr)
		return EINVAL;
	id = kr->count ? kr->ids[kr->cur] + 1 : 1;
	if (!id)
		return EOVERFLOW; /* ids exhausted */
	err = keyring_put(kr, id, NULL);
	if (!err && idp)
		*idp = id;
	return err;
}

void store_keyring_drop_last(struct store_keyring *kr)
{
	if (!kr || !kr->count)
		return;
	kr->count--;
	sodium_mprotect_readwrite(kr->keys);
	sodium_memzero(kr->keys + kr->count * STORE_KEY_LEN, STORE_KEY_LEN);
	sodium_mprotect_readonly(kr->keys);
	kr->ids[kr->count] = 0;
	keyring_pick_current(kr);
}

uint32_t store_keyring_current(const struct store_keyring *kr)
{
	return kr && kr->count ? kr->ids[kr->cur] : 0;
}

size_t store_keyring_count(const struct store_keyring *kr)
{
	return kr ? kr->count : 0;
}

static void hdr_write(uint8_t hdr[STORE_SEAL_HDR_LEN], uint32_t id)
{
	hdr[0] = STORE_SEAL_VERSION;
	hdr[1] = (uint8_t)(id >> 24);
	hdr[2] = (uint8_t)(id >> 16);
	hdr[3] = (uint8_t)(id >> 8);
	hdr[4] = (uint8_t)id;
}

/* The AEAD's associated data: the header, then the caller's binding. */
static int ad_build(uint8_t *buf, size_t *lenp, const uint8_t *hdr,
		    const uint8_t *ad, size_t adlen)
{
	if (adlen > STORE_SEAL_AD_MAX || (adlen && !ad))
		return adlen > STORE_SEAL_AD_MAX ? EOVERFLOW : EINVAL;
	memcpy(buf, hdr, STORE_SEAL_HDR_LEN);
	if (adlen)
		memcpy(buf + STORE_SEAL_HDR_LEN, ad, adlen);
	*lenp = STORE_SEAL_HDR_LEN + adlen;
	return 0;
}

int store_seal(struct mbuf *out, const struct store_keyring *kr,
	       const uint8_t *pt, size_t n, const uint8_t *ad, size_t adlen)
{
	uint8_t adbuf[STORE_SEAL_HDR_LEN + STORE_SEAL_AD_MAX];
	size_t need, adl = 0;
	uint8_t *p;
	int err;

	if (!out || !kr || !kr->count || (n && !pt))
		return EINVAL;
	if (n > STORE_SEAL_PT_MAX)
		return EOVERFLOW;
	need = STORE_SEAL_OVERHEAD + n;
	if (out->size - out->pos < need) {
		err = mbuf_resize(out, out->pos + need);
		if (err)
			return err;
	}
	p = out->buf + out->pos;
	hdr_write(p, kr->ids[kr->cur]);
	err = ad_build(adbuf, &adl, p, ad, adlen);
	if (err)
		return err;
	randombytes_buf(p + STORE_SEAL_HDR_LEN, STORE_SEAL_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    p + STORE_SEAL_HDR_LEN + STORE_SEAL_NONCE_LEN, NULL, pt, n, adbuf,
	    adl, NULL, p + STORE_SEAL_HDR_LEN, store_keyring_key(kr, kr->cur));
	out->pos += need;
	if (out->pos > out->end)
		out->end = out->pos;
	return 0;
}

int store_sealed_key_id(const uint8_t *sealed, size_t n, uint32_t *idp)
{
	if (!sealed || !idp || n < STORE_SEAL_OVERHEAD ||
	    sealed[0] != STORE_SEAL_VERSION)
		return EBADMSG;
	*idp = (uint32_t)sealed[1] << 24 | (uint32_t)sealed[2] << 16 |
	       (uint32_t)sealed[3] << 8 | sealed[4];
	return 0;
}

int store_unseal(uint8_t *pt, size_t size, size_t *lenp,
		 const struct store_keyring *kr, const uint8_t *sealed,
		 size_t n, const uint8_t *ad, size_t adlen)
{
	uint8_t adbuf[STORE_SEAL_HDR_LEN + STORE_SEAL_AD_MAX];
	unsigned long long plen = 0;
	size_t i, adl = 0;
	uint32_t id;
	int err;

	if (!pt || !lenp || !kr || !sealed)
		return EINVAL;
	err = store_sealed_key_id(sealed, n, &id);
	if (err)
		return err;
	if (n - STORE_SEAL_OVERHEAD > size)
		return EOVERFLOW;
	err = keyring_find(kr, id, &i);
	if (err)
		return err;
	err = ad_build(adbuf, &adl, sealed, ad, adlen);
	if (err)
		return err;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		pt, &plen, NULL,
		sealed + STORE_SEAL_HDR_LEN + STORE_SEAL_NONCE_LEN,
		n - STORE_SEAL_HDR_LEN - STORE_SEAL_NONCE_LEN, adbuf, adl,
		sealed + STORE_SEAL_HDR_LEN, store_keyring_key(kr, i)))
		return EACCES;
	*lenp = (size_t)plen;
	return 0;
}
