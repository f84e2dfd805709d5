/* session_sdes.c: SDES-SRTP keying of a PBX leg (RFC 4568): our master
 * keys from the OS RNG, offered as AES_CM_128_HMAC_SHA1_80 first (what
 * PBXs know best) then AEAD_AES_128_GCM (RFC 7714 section 14.1); in an
 * offer from the PBX, the first line we support wins. MKI and lifetime of
 * the key parameters (section 6.1) are honoured; a re-offer or re-answer
 * with another key re-keys that direction only (section 7.1.4), the
 * worker keeping the previous receive key for a short overlap
 * (relay.c). Keys are secrets: wiped when replaced and with the
 * session. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "media/session_int.h"
#include "media/srtp.h"
#include "sdp/sdp.h"

static const enum msrtp_profile offer_order[MSESS_SDES_MAX] = {
    MSRTP_AES128_CM_SHA1_80, MSRTP_AEAD_AES_128_GCM};

/* A new key of ours; mki_len 0: packets without MKI. A new key gets the
 * next MKI value, so that the peer tells it from the one it replaces. */
static int key_make(struct msess_sdes_key *k, enum msrtp_profile prof,
		    unsigned tag, uint8_t mki_len, uint32_t prev_mki)
{
	mem_secure_zero(k, sizeof(*k));
	k->prof = prof;
	k->tag = tag;
	k->len = msrtp_key_len(prof) + msrtp_salt_len(prof);
	k->mki_len = mki_len;
	if (mki_len) {
		k->mki = prev_mki + 1;
		/* it must fit its length (RFC 4568 section 9.1) */
		if (mki_len < 4)
			k->mki &= (1u << (8 * mki_len)) - 1;
		if (!k->mki)
			k->mki = 1;
	}
	return rand_bytes(k->key_salt, k->len);
}

/* Our key as an a=crypto line's values (base64 by sdp_audio_encode). */
static void key_line(struct sdp_crypto *c, const struct msess_sdes_key *k)
{
	mem_secure_zero(c, sizeof(*c));
	c->tag = k->tag;
	snprintf(c->suite, sizeof(c->suite), "%s",
		 msrtp_profile_name((enum msrtp_profile)k->prof));
	memcpy(c->key_salt, k->key_salt, k->len);
	c->key_salt_len = k->len;
	c->mki = k->mki;
	c->mki_len = k->mki_len;
}

/* The same key with the same MKI (the key compared in constant time). */
static bool key_same(const struct msess_sdes_key *a,
		     const struct msess_sdes_key *b)
{
	return a->prof == b->prof && a->len == b->len && a->mki == b->mki &&
	       a->mki_len == b->mki_len &&
	       !CRYPTO_memcmp(a->key_salt, b->key_salt, a->len);
}

/* Our offer toward SRTP leg l: one key per suite, kept across re-offers;
 * the key in use when its suite is offered (no re-key of ours). */
int msess_sdes_offer(struct msess_leg *l, struct sdp_audio *o)
{
	size_t i;
	int err = 0;

	for (i = 0; i < MSESS_SDES_MAX && !err; i++) {
		struct msess_sdes_key *k = &l->sdes_localv[i];

		if (l->sdes_local.prof == (unsigned)offer_order[i]) {
			*k = l->sdes_local;
			k->tag = (unsigned)i + 1;
		} else if (k->prof != (unsigned)offer_order[i]) {
			err =
			    key_make(k, offer_order[i], (unsigned)i + 1, 0, 0);
		}
		if (!err)
			key_line(&o->cryptov[i], k);
	}
	o->cryptoc = err ? 0 : MSESS_SDES_MAX;
	return err;
}

/* RFC 4568 section 6.1: a line whose MKI or lifetime we cannot honour is
 * not taken (the next one may be); why goes to the log. */
static bool line_usable(const struct sdp_crypto *c, enum msrtp_profile prof)
{
	if (c->key_salt_len != msrtp_key_len(prof) + msrtp_salt_len(prof))
		return false;
	if (c->mki_len > MSRTP_MKI_MAX) {
		log_info("media",
			 "a=crypto:%u: MKI of %u bytes refused (at most %u)",
			 c->tag, c->mki_len, MSRTP_MKI_MAX);
		return false;
	}
	/* We never re-key on our own: a key that would run out within a
	 * call is refused rather than used past its lifetime. */
	if (c->lifetime && c->lifetime < MSESS_SDES_LIFETIME_MIN) {
		log_info("media",
			 "a=crypto:%u: lifetime %llu packets refused (at "
			 "least %llu: we re-key only on re-offers)",
			 c->tag, (unsigned long long)c->lifetime,
			 (unsigned long long)MSESS_SDES_LIFETIME_MIN);
		return false;
	}
	return true;
}

/* Takes the peer's key of a usable line and ours (mine) into the keys in
 * use; a direction whose key changed gets a new context at commit, the
 * other keeps its running one (rollover counter, replay window). */
static void keys_take(struct msess_leg *l, const struct sdp_crypto *c,
		      enum msrtp_profile prof,
		      const struct msess_sdes_key *mine)
{
	struct msess_sdes_key rk;

	memset(&rk, 0, sizeof(rk));
	rk.prof = prof;
	rk.tag = c->tag;
	rk.len = c->key_salt_len;
	memcpy(rk.key_salt, c->key_salt, c->key_salt_len);
	rk.mki = c->mki;
	rk.mki_len = c->mki_len;
	if (!key_same(&l->sdes_remote, &rk)) {
		l->sdes_remote = rk;
		l->sdes_rx_pending = true;
	}
	l->sdes_remote.tag = c->tag;
	if (!key_same(&l->sdes_local, mine)) {
		size_t k;

		/* A key we sent with is never offered again: a new context
		 * under it would start the packet index over and repeat
		 * keystream (RFC 3711 section 9.1). */
		for (k = 0; k < MSESS_SDES_MAX && l->sdes_local.len; k++)
			if (key_same(&l->sdes_localv[k], &l->sdes_local))
				mem_secure_zero(&l->sdes_localv[k],
						sizeof(l->sdes_localv[k]));
		l->sdes_local = *mine;
		l->sdes_tx_pending = true;
	}
	l->sdes_local.tag = mine->tag;
	mem_secure_zero(&rk, sizeof(rk));
}

static int suite_decode(enum msrtp_profile *prof, const struct sdp_crypto *c)
{
	struct pl suite;

	pl_set_str(&suite, c->suite);
	return msrtp_profile_decode(prof, &suite);
}

/* The answer of leg l to our offer: the line whose tag and suite we
 * offered. ENOTSUP when there is none. */
int msess_sdes_answer(struct msess_leg *l, const struct sdp_audio *d)
{
	enum msrtp_profile prof;
	size_t i, k;
	int err = ENOTSUP;

	for (i = 0; i < d->cryptoc && i < SDP_MAX_CRYPTO && err; i++) {
		const struct sdp_crypto *c = &d->cryptov[i];

		if (suite_decode(&prof, c))
			continue;
		for (k = 0; k < MSESS_SDES_MAX; k++) {
			if (l->sdes_localv[k].tag != c->tag ||
			    l->sdes_localv[k].prof != (unsigned)prof)
				continue;
			if (line_usable(c, prof)) {
				keys_take(l, c, prof, &l->sdes_localv[k]);
				err = 0;
			}
			break;
		}
	}
	return err;
}

/* Ours toward an offered line: the key in use when the suite and the MKI
 * length stay, else a new one; an MKI exactly when the line has one (of
 * its length). */
static int key_for(struct msess_sdes_key *mine, const struct msess_leg *l,
		   const struct sdp_crypto *c, enum msrtp_profile prof)
{
	if (l->sdes_local.prof == (unsigned)prof && l->sdes_local.len &&
	    l->sdes_local.mki_len == c->mki_len) {
		*mine = l->sdes_local;
		mine->tag = c->tag;
		return 0;
	}
	return key_make(mine, prof, c->tag, c->mki_len, l->sdes_local.mki);
}

/* The offer of leg l: the first line we support; our key for its suite
 * (kept when the suite stays) goes into the answer with the same tag. */
int msess_sdes_from_offer(struct msess_leg *l, const struct sdp_audio *d,
			  struct sdp_audio *o)
{
	struct msess_sdes_key mine;
	enum msrtp_profile prof;
	size_t i;
	int err = ENOTSUP;

	for (i = 0; i < d->cryptoc && i < SDP_MAX_CRYPTO && err; i++) {
		const struct sdp_crypto *c = &d->cryptov[i];

		if (suite_decode(&prof, c) || !line_usable(c, prof))
			continue;
		if (key_for(&mine, l, c, prof))
			break;
		keys_take(l, c, prof, &mine);
		mem_secure_zero(&mine, sizeof(mine));
		err = 0;
	}
	if (!err) {
		key_line(&o->cryptov[0], &l->sdes_local);
		o->cryptoc = 1;
	}
	return err;
}

/* A context for key k, with its MKI (big-endian, RFC 3711 section 3.1). */
static int ctx_make(struct msrtp **sp, const struct msess_sdes_key *k)
{
	enum msrtp_profile prof = (enum msrtp_profile)k->prof;
	uint8_t mki[MSRTP_MKI_MAX];
	size_t i;
	int err;

	err = msrtp_alloc(sp, prof, k->key_salt,
			  k->key_salt + msrtp_key_len(prof));
	if (err || !k->mki_len)
		return err;
	for (i = 0; i < k->mki_len; i++)
		mki[i] = (uint8_t)(k->mki >> (8 * (k->mki_len - 1 - i)));
	err = msrtp_mki_set(*sp, mki, k->mki_len);
	if (err)
		*sp = mem_deref(*sp);
	return err;
}

/* Contexts for the worker for the directions whose keys changed. */
int msess_sdes_contexts(struct msess_leg *l, struct mleg_params *p)
{
	int err = 0;

	p->sdes_tx = p->sdes_rx = NULL;
	if (l->sdes_tx_pending)
		err = ctx_make(&p->sdes_tx, &l->sdes_local);
	if (!err && l->sdes_rx_pending)
		err = ctx_make(&p->sdes_rx, &l->sdes_remote);
	if (err) {
		p->sdes_tx = mem_deref(p->sdes_tx);
		p->sdes_rx = mem_deref(p->sdes_rx);
		return err;
	}
	l->sdes_tx_pending = false;
	l->sdes_rx_pending = false;
	return 0;
}

void msess_sdes_wipe(struct msess_leg *l)
{
	mem_secure_zero(l->sdes_localv, sizeof(l->sdes_localv));
	mem_secure_zero(&l->sdes_local, sizeof(l->sdes_local));
	mem_secure_zero(&l->sdes_remote, sizeof(l->sdes_remote));
}
