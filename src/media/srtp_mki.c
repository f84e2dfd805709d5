/* srtp_mki.c: the Master Key Identifier of SRTP and SRTCP packets (RFC 3711
 * section 3.1 and 3.4; RFC 7714 section 8.1 leaves it where RFC 3711 has
 * it, after the encrypted portion, and libsrtp writes it after the AEAD
 * tag): set on a context, written by protect, checked and taken out by
 * unprotect. The MKI is not covered by authentication, so moving the tag
 * over it before the transform runs changes nothing the transform sees. */
#include <errno.h>
#include <string.h>

#include "media/srtp_int.h"

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
