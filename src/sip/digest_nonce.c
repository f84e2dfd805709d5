/* digest_nonce.c: stateless HMAC nonces and the bounded nc replay table
 * (RFC 7616 §3.3 nonce and stale, §3.4 nc, §5.4-§5.5 replay). */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sip/digest.h"

#define NONCE_TS_LEN 8
#define NONCE_RAND_LEN 8
#define NONCE_ID_LEN (NONCE_TS_LEN + NONCE_RAND_LEN)
#define NONCE_MAC_LEN 16 /* HMAC-SHA256 truncated to 128 bits */
#define NONCE_HMAC_LEN 32

struct nonce_ent {
	struct le hle; /* in the hash table, by id */
	struct le ole; /* in first-use order */
	uint8_t id[NONCE_ID_LEN];
	uint64_t ts;
	uint32_t nc; /* the highest nc seen */
};

struct sip_nonces {
	EVP_MAC_CTX *mac; /* keyed once, re-initialised per nonce */
	uint64_t expiry_ms;
	size_t replay_max;
	uint64_t floor; /* newest timestamp forgotten by eviction */
	bool has_floor;
	struct hash *ht;
	struct list order; /* oldest first use at the head */
};

static void ent_destroy(void *data)
{
	struct nonce_ent *e = data;

	hash_unlink(&e->hle);
	list_unlink(&e->ole);
}

static void nonces_destroy(void *data)
{
	struct sip_nonces *n = data;

	while (n->order.head)
		mem_deref(n->order.head->data);
	mem_deref(n->ht);
	EVP_MAC_CTX_free(n->mac);
}

int sip_nonces_alloc(struct sip_nonces **np, const uint8_t *secret, size_t len,
		     const struct sip_nonce_conf *conf)
{
	OSSL_PARAM params[2];
	struct sip_nonces *n;
	EVP_MAC *mac = NULL;
	int err = 0;

	if (!np || !secret || len < SIP_NONCE_SECRET_MIN ||
	    len > SIP_NONCE_SECRET_MAX)
		return EINVAL;
	n = mem_zalloc(sizeof(*n), nonces_destroy);
	if (!n)
		return ENOMEM;
	n->expiry_ms =
	    conf && conf->expiry_ms ? conf->expiry_ms : SIP_NONCE_EXPIRY_MS;
	n->replay_max =
	    conf && conf->replay_max ? conf->replay_max : SIP_NONCE_REPLAY_MAX;
	list_init(&n->order);
	err = hash_alloc(&n->ht,
			 (uint32_t)SC_MIN(n->replay_max / 4 + 1, 1u << 16));
	if (err)
		goto out;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	n->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	if (!n->mac) {
		err = ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	/* OpenSSL copies the key; later EVP_MAC_init(ctx, NULL, 0, NULL)
	 * restarts with it, without a new allocation per nonce. */
	if (!EVP_MAC_init(n->mac, secret, len, params))
		err = ENOMEM;
out:
	EVP_MAC_free(mac);
	if (err)
		mem_deref(n);
	else
		*np = n;
	return err;
}

static int nonce_mac(struct sip_nonces *n, uint8_t out[NONCE_MAC_LEN],
		     const uint8_t id[NONCE_ID_LEN], const struct pl *realm)
{
	uint8_t full[NONCE_HMAC_LEN];
	size_t flen = 0;
	int err = 0;

	if (!EVP_MAC_init(n->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(n->mac, id, NONCE_ID_LEN) ||
	    (realm->l &&
	     !EVP_MAC_update(n->mac, (const uint8_t *)realm->p, realm->l)) ||
	    !EVP_MAC_final(n->mac, full, &flen, sizeof(full)) ||
	    flen != sizeof(full)) {
		err = ENOMEM;
		goto out;
	}
	memcpy(out, full, NONCE_MAC_LEN);
out:
	mem_secure_zero(full, sizeof(full));
	return err;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789-_";

/* base64url without padding (RFC 4648 §5) of exactly SIP_NONCE_RAW_LEN. */
static void b64_encode(char out[SIP_NONCE_LEN + 1],
		       const uint8_t in[SIP_NONCE_RAW_LEN])
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	for (i = 0; i < SIP_NONCE_RAW_LEN; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64url[(acc >> bits) & 0x3f];
		}
	}
	if (bits)
		out[o++] = b64url[(acc << (6 - bits)) & 0x3f];
	out[o] = '\0';
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Strict: exactly SIP_NONCE_LEN characters, canonical last character. */
static int b64_decode(uint8_t out[SIP_NONCE_RAW_LEN], const struct pl *in)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	if (!in || in->l != SIP_NONCE_LEN)
		return EBADMSG;
	for (i = 0; i < in->l; i++) {
		int v = b64_val(in->p[i]);

		if (v < 0)
			return EBADMSG;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* The unused low bits of the last character must be zero. */
	if (o != SIP_NONCE_RAW_LEN || (acc & ((1u << bits) - 1)))
		return EBADMSG;
	return 0;
}

static uint64_t be64_get(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

int sip_nonce_make(struct sip_nonces *n, char nonce[SIP_NONCE_LEN + 1],
		   const struct pl *realm, uint64_t now_ms)
{
	uint8_t raw[SIP_NONCE_RAW_LEN];
	int i, err;

	if (!n || !nonce || !realm)
		return EINVAL;
	for (i = 0; i < NONCE_TS_LEN; i++)
		raw[i] = (uint8_t)(now_ms >> (56 - 8 * i));
	err = rand_bytes(raw + NONCE_TS_LEN, NONCE_RAND_LEN);
	if (err)
		return err;
	err = nonce_mac(n, raw + NONCE_ID_LEN, raw, realm);
	if (err)
		return err;
	b64_encode(nonce, raw);
	return 0;
}

static bool ent_cmp(struct le *le, void *arg)
{
	const struct nonce_ent *e = le->data;

	return !memcmp(e->id, arg, NONCE_ID_LEN);
}

static struct nonce_ent *ent_find(const struct sip_nonces *n,
				  const uint8_t id[NONCE_ID_LEN])
{
	struct le *le =
	    hash_lookup(n->ht, hash_fnv(id, NONCE_ID_LEN), ent_cmp, (void *)id);

	return le ? le->data : NULL;
}

enum sip_nonce_state sip_nonce_check(struct sip_nonces *n,
				     const struct pl *nonce,
				     const struct pl *realm, uint64_t now_ms)
{
	uint8_t raw[SIP_NONCE_RAW_LEN], mac[NONCE_MAC_LEN];
	uint64_t ts;

	if (!n || !realm || b64_decode(raw, nonce))
		return SIP_NONCE_INVALID;
	if (nonce_mac(n, mac, raw, realm) ||
	    CRYPTO_memcmp(mac, raw + NONCE_ID_LEN, NONCE_MAC_LEN))
		return SIP_NONCE_INVALID;
	ts = be64_get(raw);
	/* Authentic, so a future timestamp means our clock went back. */
	if (ts > now_ms + SIP_NONCE_SKEW_MS)
		return SIP_NONCE_INVALID;
	if (now_ms >= ts && now_ms - ts >= n->expiry_ms)
		return SIP_NONCE_STALE;
	if (n->has_floor && ts <= n->floor && !ent_find(n, raw))
		return SIP_NONCE_STALE; /* its nc history was forgotten */
	return SIP_NONCE_FRESH;
}

/* Drops entries whose nonces are past their lifetime: they are refused as
 * stale by their timestamp alone, so forgetting them costs nothing. */
static void prune_expired(struct sip_nonces *n, uint64_t now_ms)
{
	while (n->order.head) {
		struct nonce_ent *e = n->order.head->data;

		if (e->ts + n->expiry_ms + SIP_NONCE_SKEW_MS > now_ms)
			break;
		mem_deref(e);
	}
}

int sip_nonce_use(struct sip_nonces *n, const struct pl *nonce, uint32_t nc,
		  uint64_t now_ms)
{
	uint8_t raw[SIP_NONCE_RAW_LEN];
	struct nonce_ent *e;
	int err = 0;

	if (!n || !nonce)
		return EINVAL;
	if (b64_decode(raw, nonce))
		return EBADMSG;
	prune_expired(n, now_ms);

	e = ent_find(n, raw);
	if (e) {
		/* RFC 7616 §3.4: nc counts up; equal or lower is a replay. */
		if (nc <= e->nc)
			err = EACCES;
		else
			e->nc = nc;
		goto out;
	}
	if (n->has_floor && be64_get(raw) <= n->floor) {
		err = EACCES;
		goto out;
	}
	if (list_count(&n->order) >= n->replay_max && n->order.head) {
		struct nonce_ent *old = n->order.head->data;

		/* Forget the oldest; its timestamp becomes the floor so that
		 * nonces as old are answered stale instead of replayable. */
		if (!n->has_floor || old->ts > n->floor)
			n->floor = old->ts;
		n->has_floor = true;
		mem_deref(old);
	}
	e = mem_zalloc(sizeof(*e), ent_destroy);
	if (!e) {
		err = ENOMEM;
		goto out;
	}
	memcpy(e->id, raw, NONCE_ID_LEN);
	e->ts = be64_get(raw);
	e->nc = nc;
	hash_append(n->ht, hash_fnv(e->id, NONCE_ID_LEN), &e->hle, e);
	list_append(&n->order, &e->ole, e);
out:
	return err;
}

size_t sip_nonces_count(const struct sip_nonces *n)
{
	return n ? list_count(&n->order) : 0;
}
