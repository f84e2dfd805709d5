/* session_sdes.c: SDES-SRTP keying of a PBX leg (RFC 4568): our master
 * keys from the OS RNG, offered as AES_CM_128_HMAC_SHA1_80 first (what
 * PBXs know best) then AEAD_AES_128_GCM (RFC 7714 section 14.1); in an
 * offer from the PBX, the first line we support wins. Keys are secrets:
 * wiped when replaced and with the session. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "media/session_int.h"
#include "media/srtp.h"
#include "sdp/sdp.h"

static const enum msrtp_profile offer_order[MSESS_SDES_MAX] = {
    MSRTP_AES128_CM_SHA1_80, MSRTP_AEAD_AES_128_GCM};

static int key_make(struct msess_sdes_key *k, enum msrtp_profile prof,
		    unsigned tag)
{
	mem_secure_zero(k, sizeof(*k));
	k->prof = prof;
	k->tag = tag;
	k->len = msrtp_key_len(prof) + msrtp_salt_len(prof);
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
}

/* Our offer toward SRTP leg l: one key per suite, kept across re-offers. */
int msess_sdes_offer(struct msess_leg *l, struct sdp_audio *o)
{
	size_t i;
	int err = 0;

	for (i = 0; i < MSESS_SDES_MAX && !err; i++) {
		if (l->sdes_localv[i].prof != (unsigned)offer_order[i])
			err = key_make(&l->sdes_localv[i], offer_order[i],
				       (unsigned)i + 1);
		if (!err)
			key_line(&o->cryptov[i], &l->sdes_localv[i]);
	}
	o->cryptoc = err ? 0 : MSESS_SDES_MAX;
	return err;
}

/* Takes the peer's key of a line we can use into the pending state. */
static int remote_take(struct msess_leg *l, const struct sdp_crypto *c,
		       enum msrtp_profile prof,
		       const struct msess_sdes_key *mine)
{
	if (c->key_salt_len != msrtp_key_len(prof) + msrtp_salt_len(prof) ||
	    c->mki_len)
		return EBADMSG;
	/* The same keys again (a repeated answer, a re-offer): the running
	 * contexts stay, with their rollover counters and replay windows. */
	if (l->sdes_remote.prof == (unsigned)prof &&
	    l->sdes_remote.len == c->key_salt_len &&
	    !memcmp(l->sdes_remote.key_salt, c->key_salt, c->key_salt_len) &&
	    l->sdes_local.prof == mine->prof &&
	    l->sdes_local.len == mine->len &&
	    !memcmp(l->sdes_local.key_salt, mine->key_salt, mine->len)) {
		l->sdes_local.tag = mine->tag;
		return 0;
	}
	mem_secure_zero(&l->sdes_remote, sizeof(l->sdes_remote));
	l->sdes_remote.prof = prof;
	l->sdes_remote.tag = c->tag;
	l->sdes_remote.len = c->key_salt_len;
	memcpy(l->sdes_remote.key_salt, c->key_salt, c->key_salt_len);
	l->sdes_local = *mine;
	l->sdes_pending = true;
	return 0;
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
			if (l->sdes_localv[k].tag == c->tag &&
			    l->sdes_localv[k].prof == (unsigned)prof) {
				err =
				    remote_take(l, c, prof, &l->sdes_localv[k])
					? ENOTSUP
					: 0;
				break;
			}
		}
	}
	return err;
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

		if (suite_decode(&prof, c))
			continue;
		if (l->sdes_local.prof == (unsigned)prof && l->sdes_local.len) {
			mine = l->sdes_local;
			mine.tag = c->tag;
		} else if (key_make(&mine, prof, c->tag)) {
			break;
		}
		err = remote_take(l, c, prof, &mine) ? ENOTSUP : 0;
		mem_secure_zero(&mine, sizeof(mine));
	}
	if (!err) {
		key_line(&o->cryptov[0], &l->sdes_local);
		o->cryptoc = 1;
	}
	return err;
}

static int ctx_make(struct msrtp **sp, const struct msess_sdes_key *k)
{
	enum msrtp_profile prof = (enum msrtp_profile)k->prof;

	return msrtp_alloc(sp, prof, k->key_salt,
			   k->key_salt + msrtp_key_len(prof));
}

/* Contexts for the worker from the pending keys (when they changed). */
int msess_sdes_contexts(struct msess_leg *l, struct mleg_params *p)
{
	int err;

	p->sdes_tx = p->sdes_rx = NULL;
	if (!l->sdes_pending)
		return 0;
	err = ctx_make(&p->sdes_tx, &l->sdes_local);
	if (!err)
		err = ctx_make(&p->sdes_rx, &l->sdes_remote);
	if (err) {
		p->sdes_tx = mem_deref(p->sdes_tx);
		p->sdes_rx = mem_deref(p->sdes_rx);
		return err;
	}
	l->sdes_pending = false;
	return 0;
}

void msess_sdes_wipe(struct msess_leg *l)
{
	mem_secure_zero(l->sdes_localv, sizeof(l->sdes_localv));
	mem_secure_zero(&l->sdes_local, sizeof(l->sdes_local));
	mem_secure_zero(&l->sdes_remote, sizeof(l->sdes_remote));
}
