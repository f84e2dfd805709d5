/* srtp_pkt.c: the four packet functions of SRTP/SRTCP (RFC 3711 sections
 * 3.3 and 3.4, RFC 7714 sections 8 and 9): length checks, per-SSRC state,
 * replay protection, then the AES-CM or AES-GCM transform; and the MKI
 * field (below). */
#include <errno.h>
#include <string.h>

#include "media/srtp_int.h"

#define RTCP_VERSION_BITS 0x80

/* The state of ssrc, created if absent (sender side). */
static int ssrc_get(struct msrtp *s, uint32_t ssrc, struct msrtp_ssrc **stp)
{
	struct msrtp_ssrc init;

	*stp = msrtp_ssrc_find(s, ssrc);
	if (*stp)
		return 0;
	memset(&init, 0, sizeof(init));
	init.ssrc = ssrc;
	return msrtp_ssrc_add(s, stp, &init);
}

int msrtp_protect(struct msrtp *s, uint8_t *buf, size_t *lenp, size_t size)
{
	struct msrtp_ssrc *st;
	size_t len, hl;
	uint64_t idx;
	uint32_t roc;
	uint16_t seq;
	int err;

	if (!s || !buf || !lenp)
		return EINVAL;
	len = *lenp;
	err = msrtp_rtp_hdr_len(buf, len, &hl);
	if (err)
		goto out;
	if (size < len || size - len < s->rtp.tag_len + s->mki_len) {
		err = EOVERFLOW;
		goto out;
	}
	err = ssrc_get(s, msrtp_be32(buf + 8), &st);
	if (err)
		goto out;
	seq = msrtp_be16(buf + 2);
	idx = msrtp_index_guess(st, seq, &roc);
	/* Never the same index twice: AES-CM and GCM keystreams would repeat
	 * (RFC 3711 section 9.1, RFC 7714 section 8.1). A jump back to before
	 * ROC 0 has no index at all (as libsrtp's sender, refuse it). */
	err = msrtp_replay_check(&st->rtp, idx);
	if (!err && st->rtp_init && st->roc == 0 && roc == UINT32_MAX)
		err = EALREADY;
	if (err)
		goto out;
	if (s->gcm)
		err = msrtp_gcm_rtp_protect(&s->rtp, buf, len, hl, roc);
	else
		err = msrtp_cm_rtp_protect(&s->rtp, buf, len, hl, roc);
	if (err)
		goto out;
	msrtp_replay_add(&st->rtp, idx);
	msrtp_index_update(st, seq, roc, idx);
	*lenp = len + s->rtp.tag_len;
	if (s->mki_len)
		msrtp_mki_insert(s, buf, lenp, msrtp_mki_trail(s, &s->rtp));
out:
	return err;
}

/* RFC 3711 section 3.3.2: estimate the index, authenticate, then check for
 * replay and only then update ROC, s_l and the window. A new SSRC takes a
 * table entry only once its first packet authenticated. */
int msrtp_unprotect(struct msrtp *s, uint8_t *buf, size_t *lenp)
{
	struct msrtp_ssrc *st, init;
	size_t len, hl, trail;
	bool stripped = false;
	uint64_t idx;
	uint32_t roc;
	uint16_t seq;
	int err;

	if (!s || !buf || !lenp)
		return EINVAL;
	len = *lenp;
	trail = msrtp_mki_trail(s, &s->rtp);
	if (s->mki_len) {
		err = msrtp_mki_strip(s, buf, &len, trail);
		if (err)
			goto out;
		stripped = true;
	}
	if (len < MSRTP_RTP_HDR_SIZE + s->rtp.tag_len) {
		err = EBADMSG;
		goto out;
	}
	err = msrtp_rtp_hdr_len(buf, len - s->rtp.tag_len, &hl);
	if (err)
		goto out;
	st = msrtp_ssrc_find(s, msrtp_be32(buf + 8));
	seq = msrtp_be16(buf + 2);
	idx = msrtp_index_guess(st, seq, &roc);
	if (s->gcm)
		err = msrtp_gcm_rtp_unprotect(&s->rtp, buf, len, hl, roc);
	else
		err = msrtp_cm_rtp_unprotect(&s->rtp, buf, len, hl, roc);
	if (err)
		goto out;
	if (st) {
		err = msrtp_replay_check(&st->rtp, idx);
	} else {
		memset(&init, 0, sizeof(init));
		init.ssrc = msrtp_be32(buf + 8);
		err = msrtp_ssrc_add(s, &st, &init);
	}
	if (err)
		goto out;
	msrtp_replay_add(&st->rtp, idx);
	msrtp_index_update(st, seq, roc, idx);
	*lenp = len - s->rtp.tag_len;
out:
	if (err && stripped)
		msrtp_mki_restore(s, buf, len, trail);
	return err;
}

int msrtcp_protect(struct msrtp *s, uint8_t *buf, size_t *lenp, size_t size)
{
	size_t len, add;
	struct msrtp_ssrc *st;
	uint32_t index;
	int err;

	if (!s || !buf || !lenp)
		return EINVAL;
	len = *lenp;
	add = s->rtcp.tag_len + MSRTP_SRTCP_INDEX_SIZE;
	if (len < MSRTP_RTCP_HDR_SIZE || (buf[0] & 0xc0) != RTCP_VERSION_BITS) {
		err = EBADMSG;
		goto out;
	}
	if (size < len || size - len < add + s->mki_len) {
		err = EOVERFLOW;
		goto out;
	}
	err = ssrc_get(s, msrtp_be32(buf + 4), &st);
	if (err)
		goto out;
	/* RFC 3711 section 3.4: the index starts at 0 and must not wrap
	 * under one master key. */
	index = st->rtcp_next;
	if (index > MSRTP_SRTCP_INDEX_MAX) {
		err = EOVERFLOW;
		goto out;
	}
	if (s->gcm)
		err = msrtp_gcm_rtcp_protect(&s->rtcp, buf, len, index);
	else
		err = msrtp_cm_rtcp_protect(&s->rtcp, buf, len, index);
	if (err)
		goto out;
	st->rtcp_next = index + 1;
	*lenp = len + add;
	if (s->mki_len)
		msrtp_mki_insert(s, buf, lenp, msrtp_mki_trail(s, &s->rtcp));
out:
	return err;
}

int msrtcp_unprotect(struct msrtp *s, uint8_t *buf, size_t *lenp)
{
	struct msrtp_ssrc *st, init;
	size_t len, add, at, trail;
	bool stripped = false;
	uint32_t index;
	int err;

	if (!s || !buf || !lenp)
		return EINVAL;
	len = *lenp;
	trail = msrtp_mki_trail(s, &s->rtcp);
	if (s->mki_len) {
		err = msrtp_mki_strip(s, buf, &len, trail);
		if (err)
			goto out;
		stripped = true;
	}
	add = s->rtcp.tag_len + MSRTP_SRTCP_INDEX_SIZE;
	if (len < MSRTP_RTCP_HDR_SIZE + add ||
	    (buf[0] & 0xc0) != RTCP_VERSION_BITS) {
		err = EBADMSG;
		goto out;
	}
	if (s->gcm)
		err = msrtp_gcm_rtcp_unprotect(&s->rtcp, buf, len);
	else
		err = msrtp_cm_rtcp_unprotect(&s->rtcp, buf, len);
	if (err)
		goto out;
	/* GCM: packet, tag, index; AES-CM: packet, index, tag. */
	at = s->gcm ? len - MSRTP_SRTCP_INDEX_SIZE : len - add;
	index = msrtp_be32(buf + at) & MSRTP_SRTCP_INDEX_MAX;
	st = msrtp_ssrc_find(s, msrtp_be32(buf + 4));
	if (st) {
		err = msrtp_replay_check(&st->rtcp, index);
	} else {
		memset(&init, 0, sizeof(init));
		init.ssrc = msrtp_be32(buf + 4);
		err = msrtp_ssrc_add(s, &st, &init);
	}
	if (err)
		goto out;
	msrtp_replay_add(&st->rtcp, index);
	*lenp = len - add;
out:
	if (err && stripped)
		msrtp_mki_restore(s, buf, len, trail);
	return err;
}

/* The Master Key Identifier of SRTP and SRTCP packets (RFC 3711
 * section 3.1 and 3.4; RFC 7714 section 8.1 leaves it where RFC 3711 has
 * it, after the encrypted portion, and libsrtp writes it after the AEAD
 * tag): set on a context, written by protect, checked and taken out by
 * unprotect. The MKI is not covered by authentication, so moving the tag
 * over it before the transform runs changes nothing the transform sees. */
int msrtp_mki_set(struct msrtp *s, const uint8_t *mki, size_t len)
{
	if (!s || len > MSRTP_MKI_MAX || (len && !mki))
		return EINVAL;
	memset(s->mki, 0, sizeof(s->mki));
	if (len)
		memcpy(s->mki, mki, len);
	s->mki_len = len;
	return 0;
}

/* AES-CM: packet | MKI | tag; AES-GCM: ciphertext and tag | MKI. */
size_t msrtp_mki_trail(const struct msrtp *s, const struct msrtp_xform *x)
{
	return s->gcm ? 0 : x->tag_len;
}

int msrtp_mki_strip(const struct msrtp *s, uint8_t *buf, size_t *lenp,
		    size_t trail)
{
	size_t len = *lenp, at;

	if (len < MSRTP_RTCP_HDR_SIZE + s->mki_len + trail)
		return EBADMSG;
	at = len - trail - s->mki_len;
	/* Not a secret: an ordinary comparison. */
	if (memcmp(buf + at, s->mki, s->mki_len))
		return ENOENT;
	memmove(buf + at, buf + at + s->mki_len, trail);
	*lenp = len - s->mki_len;
	return 0;
}

void msrtp_mki_restore(const struct msrtp *s, uint8_t *buf, size_t len,
		       size_t trail)
{
	size_t at = len - trail;

	memmove(buf + at + s->mki_len, buf + at, trail);
	memcpy(buf + at, s->mki, s->mki_len);
}

void msrtp_mki_insert(const struct msrtp *s, uint8_t *buf, size_t *lenp,
		      size_t trail)
{
	msrtp_mki_restore(s, buf, *lenp, trail);
	*lenp += s->mki_len;
}
