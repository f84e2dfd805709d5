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

/*
 * The replay table is one array of fixed-size slots used as a ring in
 * first-use order (the oldest at head), indexed by a chained hash of slot
 * numbers: 24 bytes per used nonce and no allocation per request. The
 * array is allocated once and not cleared, so its pages become resident
 * only as the ring first fills them.
 */
#define NONCE_NIL UINT32_MAX       /* end of a chain */
#define NONCE_SLOTS_PER_BUCKET 2   /* average chain length when full */
#define NONCE_SLOTS_MAX (1u << 30) /* so that indices fit uint32_t */

struct nonce_slot {
	uint8_t id[NONCE_ID_LEN]; /* ts || random, as in the nonce */
	uint32_t nc;              /* the highest nc seen */
	uint32_t next;            /* next slot in the bucket, NONCE_NIL */
};

struct sip_nonces {
	EVP_MAC_CTX *mac; /* keyed once, re-initialised per nonce */
	uint64_t expiry_ms;
	size_t replay_max;
	uint64_t floor; /* newest timestamp forgotten by eviction */
	bool has_floor;
	struct nonce_slot *slot; /* replay_max slots, a ring */
	uint32_t *bucket;        /* first slot of each chain, NONCE_NIL */
	uint32_t mask;           /* buckets - 1 */
	uint32_t head;           /* the oldest used slot */
	uint32_t count;          /* used slots */
};

static void nonces_destroy(void *data)
{
	struct sip_nonces *n = data;

	mem_deref(n->slot);
	mem_deref(n->bucket);
	EVP_MAC_CTX_free(n->mac);
}

static int table_alloc(struct sip_nonces *n)
{
	uint32_t nb = 1;
	size_t i;

	if (n->replay_max > NONCE_SLOTS_MAX)
		return EINVAL;
	while (nb * NONCE_SLOTS_PER_BUCKET < n->replay_max)
		nb <<= 1;
	n->mask = nb - 1;
	n->slot = mem_alloc(n->replay_max * sizeof(*n->slot), NULL);
	n->bucket = mem_alloc(nb * sizeof(*n->bucket), NULL);
	if (!n->slot || !n->bucket)
		return ENOMEM;
	for (i = 0; i < nb; i++)
		n->bucket[i] = NONCE_NIL;
	return 0;
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
	err = table_alloc(n);
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

/* The random half of the id keys the hash: it came from our random
 * source and is covered by the MAC, so no client can aim at one chain. */
static uint32_t id_bucket(const struct sip_nonces *n,
			  const uint8_t id[NONCE_ID_LEN])
{
	const uint8_t *r = id + NONCE_TS_LEN;

	return ((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
		(uint32_t)r[2] << 8 | r[3]) &
	       n->mask;
}

static struct nonce_slot *ent_find(const struct sip_nonces *n,
				   const uint8_t id[NONCE_ID_LEN])
{
	uint32_t i;

	for (i = n->bucket[id_bucket(n, id)]; i != NONCE_NIL;
	     i = n->slot[i].next) {
		if (!memcmp(n->slot[i].id, id, NONCE_ID_LEN))
			return &n->slot[i];
	}
	return NULL;
}

/* Forgets the oldest slot (unlinks it from its chain). */
static void drop_oldest(struct sip_nonces *n)
{
	uint32_t old = n->head;
	uint32_t *pp = &n->bucket[id_bucket(n, n->slot[old].id)];

	while (*pp != NONCE_NIL && *pp != old)
		pp = &n->slot[*pp].next;
	if (*pp == old)
		*pp = n->slot[old].next;
	n->head = (uint32_t)((old + 1) % n->replay_max);
	n->count--;
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
	while (n->count) {
		uint64_t ts = be64_get(n->slot[n->head].id);

		if (ts + n->expiry_ms + SIP_NONCE_SKEW_MS > now_ms)
			break;
		drop_oldest(n);
	}
}

int sip_nonce_use(struct sip_nonces *n, const struct pl *nonce, uint32_t nc,
		  uint64_t now_ms)
{
	uint8_t raw[SIP_NONCE_RAW_LEN];
	struct nonce_slot *e;
	uint32_t i, b;
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
	if (n->count >= n->replay_max) {
		uint64_t ts = be64_get(n->slot[n->head].id);

		/* Forget the oldest; its timestamp becomes the floor so that
		 * nonces as old are answered stale instead of replayable. */
		if (!n->has_floor || ts > n->floor)
			n->floor = ts;
		n->has_floor = true;
		drop_oldest(n);
	}
	i = (uint32_t)((n->head + n->count) % n->replay_max);
	e = &n->slot[i];
	memcpy(e->id, raw, NONCE_ID_LEN);
	e->nc = nc;
	b = id_bucket(n, e->id);
	e->next = n->bucket[b];
	n->bucket[b] = i;
	n->count++;
out:
	return err;
}

size_t sip_nonces_count(const struct sip_nonces *n)
{
	return n ? n->count : 0;
}
