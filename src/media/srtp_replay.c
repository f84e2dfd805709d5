/* srtp_replay.c: per-SSRC state of SRTP/SRTCP: a bounded SSRC table, the
 * packet index estimate of RFC 3711 section 3.3.1 and Appendix A, and the
 * replay window of section 3.3.2. */
#include <errno.h>
#include <string.h>

#include "media/srtp_int.h"

#define WIN_WORDS (MSRTP_REPLAY_WINDOW / 64)

struct msrtp_ssrc *msrtp_ssrc_find(struct msrtp *s, uint32_t ssrc)
{
	size_t i;

	/* Linear: a call has one to a few SSRCs per direction. */
	for (i = 0; i < s->ssrcc; i++) {
		if (s->ssrcv[i].ssrc == ssrc)
			return &s->ssrcv[i];
	}
	return NULL;
}

/* Adds a copy of init to the table; EOVERFLOW when MSRTP_MAX_SSRC are
 * there already (the table never grows past its limit). */
int msrtp_ssrc_add(struct msrtp *s, struct msrtp_ssrc **stp,
		   const struct msrtp_ssrc *init)
{
	if (s->ssrcc >= MSRTP_MAX_SSRC)
		return EOVERFLOW;
	s->ssrcv[s->ssrcc] = *init;
	*stp = &s->ssrcv[s->ssrcc++];
	return 0;
}

/*
 * RFC 3711 Appendix A: the index of a packet with sequence number seq is
 * 2^16 * v + seq, with v the rollover counter that puts seq nearest to
 * s_l. Before the first packet of an SSRC, ROC is 0 and s_l is seq
 * (section 3.3.1). A guess of ROC - 1 with ROC 0 wraps, as in libsrtp: such
 * a packet fails authentication.
 */
uint64_t msrtp_index_guess(const struct msrtp_ssrc *st, uint16_t seq,
			   uint32_t *rocp)
{
	uint32_t v = 0;

	if (st && st->rtp_init) {
		v = st->roc;
		if (st->s_l < MSRTP_SEQ_HALF) {
			if ((int)seq - (int)st->s_l > MSRTP_SEQ_HALF)
				v = st->roc - 1;
		} else if ((int)st->s_l - MSRTP_SEQ_HALF > (int)seq) {
			v = st->roc + 1;
		}
	}
	*rocp = v;
	return ((uint64_t)v << 16) | seq;
}

/* After a packet was accepted: s_l and ROC follow the highest index. */
void msrtp_index_update(struct msrtp_ssrc *st, uint16_t seq, uint32_t roc,
			uint64_t idx)
{
	uint64_t top = ((uint64_t)st->roc << 16) | st->s_l;

	if (!st->rtp_init || idx > top) {
		st->roc = roc;
		st->s_l = seq;
		st->rtp_init = true;
	}
}

static bool win_bit(const struct msrtp_replay *r, uint64_t delta)
{
	return (r->win[delta / 64] >> (delta % 64)) & 1;
}

/* 0 if idx may be accepted; EALREADY if it was seen or is older than the
 * window (RFC 3711 section 3.3.2). */
int msrtp_replay_check(const struct msrtp_replay *r, uint64_t idx)
{
	uint64_t delta;

	if (!r->init || idx > r->top)
		return 0;
	delta = r->top - idx;
	if (delta >= MSRTP_REPLAY_WINDOW || win_bit(r, delta))
		return EALREADY;
	return 0;
}

/* Shifts the window left by n bits (the top moved up by n). */
static void win_shift(struct msrtp_replay *r, uint64_t n)
{
	int i;

	if (n >= MSRTP_REPLAY_WINDOW) {
		memset(r->win, 0, sizeof(r->win));
		return;
	}
	while (n >= 64) {
		for (i = WIN_WORDS - 1; i > 0; i--)
			r->win[i] = r->win[i - 1];
		r->win[0] = 0;
		n -= 64;
	}
	if (!n)
		return;
	for (i = WIN_WORDS - 1; i > 0; i--)
		r->win[i] = (r->win[i] << n) | (r->win[i - 1] >> (64 - n));
	r->win[0] <<= n;
}

/* Marks idx as received; the caller checked it first. */
void msrtp_replay_add(struct msrtp_replay *r, uint64_t idx)
{
	uint64_t delta;

	if (!r->init) {
		memset(r->win, 0, sizeof(r->win));
		r->init = true;
		r->top = idx;
	} else if (idx > r->top) {
		win_shift(r, idx - r->top);
		r->top = idx;
	}
	delta = r->top - idx;
	if (delta < MSRTP_REPLAY_WINDOW)
		r->win[delta / 64] |= (uint64_t)1 << (delta % 64);
}

/* For tests and rekeying peers: the next SRTCP index sent for ssrc. */
int msrtp_rtcp_index_set(struct msrtp *s, uint32_t ssrc, uint32_t index)
{
	struct msrtp_ssrc *st, init;
	int err = 0;

	if (!s || index > MSRTP_SRTCP_INDEX_MAX)
		return EINVAL;
	st = msrtp_ssrc_find(s, ssrc);
	if (!st) {
		memset(&init, 0, sizeof(init));
		init.ssrc = ssrc;
		err = msrtp_ssrc_add(s, &st, &init);
		if (err)
			return err;
	}
	st->rtcp_next = index;
	return 0;
}
