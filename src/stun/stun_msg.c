/* stun_msg.c: STUN header and attribute walk (RFC 8489 sections 5, 14),
 * FINGERPRINT check (section 14.7) and the RFC 7983 demultiplexer. */
#include <errno.h>
#include <string.h>

#include "stun/stun.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t rd64(const uint8_t *p)
{
	return ((uint64_t)rd32(p) << 32) | rd32(p + 4);
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Checks the 20-byte header of a message that starts at buf and stores the
 * whole message length (header included) in *msg_lenp. Meant for stream
 * framing (RFC 8489 section 6.2.2) as well as for datagrams.
 * Returns 0, ENODATA (need more bytes), EBADMSG or EPROTONOSUPPORT.
 */
int stun_msg_frame_len(const uint8_t *buf, size_t len, size_t *msg_lenp)
{
	size_t body;

	if (!buf || !msg_lenp)
		return EINVAL;
	if (len < STUN_HEADER_SIZE)
		return ENODATA;
	/* Section 5: the two most significant bits are zero. */
	if (buf[0] & 0xc0)
		return EBADMSG;
	body = rd16(buf + 2);
	if (body & 3)
		return EBADMSG;
	if (rd32(buf + 4) != STUN_MAGIC_COOKIE)
		return EPROTONOSUPPORT;
	*msg_lenp = STUN_HEADER_SIZE + body;
	return 0;
}

bool stun_is_stun(const uint8_t *buf, size_t len)
{
	size_t mlen;

	return stun_msg_frame_len(buf, len, &mlen) == 0 && mlen == len;
}

enum stun_demux stun_demux(uint8_t b)
{
	/* RFC 7983 section 7, the decision list for the first byte. */
	if (b <= 3)
		return STUN_DEMUX_STUN;
	if (b >= 16 && b <= 19)
		return STUN_DEMUX_ZRTP;
	if (b >= 20 && b <= 63)
		return STUN_DEMUX_DTLS;
	if (b >= 64 && b <= 79)
		return STUN_DEMUX_TURN;
	if (b >= 128 && b <= 191)
		return STUN_DEMUX_RTP;
	return STUN_DEMUX_UNKNOWN;
}

static int pl_attr(struct pl *pl, const struct stun_attr *a, size_t max)
{
	if (a->len > max)
		return EBADMSG;
	pl->p = (const char *)a->val;
	pl->l = a->len;
	return 0;
}

/* Decodes the value of a recognised attribute into the named fields. An
 * attribute that is neither recognised nor comprehension-optional is kept
 * for the 420 response (section 14: types 0x0000-0x7fff). */
static int attr_decode(struct stun_msg *msg, struct stun_attr *a)
{
	int err = 0;

	switch (a->type) {
	case STUN_ATTR_USERNAME:
		err = pl_attr(&msg->username, a, STUN_MAX_USERNAME);
		msg->has |= STUN_HAS_USERNAME;
		break;
	case STUN_ATTR_SOFTWARE:
		err = pl_attr(&msg->software, a, STUN_MAX_SOFTWARE);
		msg->has |= STUN_HAS_SOFTWARE;
		break;
	case STUN_ATTR_REALM:
		err = pl_attr(&msg->realm, a, STUN_MAX_SOFTWARE);
		msg->has |= STUN_HAS_REALM;
		break;
	case STUN_ATTR_NONCE:
		err = pl_attr(&msg->nonce, a, STUN_MAX_SOFTWARE);
		msg->has |= STUN_HAS_NONCE;
		break;
	case STUN_ATTR_MESSAGE_INTEGRITY:
		if (a->len != STUN_HMAC_SHA1_SIZE)
			return EBADMSG;
		msg->integrity = *a;
		msg->has |= STUN_HAS_INTEGRITY;
		break;
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
		if (a->len < STUN_HMAC_SHA256_MIN ||
		    a->len > STUN_HMAC_SHA256_MAX || (a->len & 3))
			return EBADMSG;
		msg->integrity_sha256 = *a;
		msg->has |= STUN_HAS_INTEGRITY_SHA256;
		break;
	case STUN_ATTR_FINGERPRINT:
		if (a->len != 4)
			return EBADMSG;
		msg->fingerprint = *a;
		msg->has |= STUN_HAS_FINGERPRINT;
		break;
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
		err =
		    stun_attr_addr_decode(&msg->xor_mapped, a, msg->tid, true);
		msg->has |= STUN_HAS_XOR_MAPPED;
		break;
	case STUN_ATTR_MAPPED_ADDRESS:
		err = stun_attr_addr_decode(&msg->mapped, a, msg->tid, false);
		msg->has |= STUN_HAS_MAPPED;
		break;
	case STUN_ATTR_PRIORITY:
		if (a->len != 4)
			return EBADMSG;
		msg->priority = rd32(a->val);
		msg->has |= STUN_HAS_PRIORITY;
		break;
	case STUN_ATTR_USE_CANDIDATE:
		if (a->len != 0)
			return EBADMSG;
		msg->has |= STUN_HAS_USE_CANDIDATE;
		break;
	case STUN_ATTR_ICE_CONTROLLED:
		if (a->len != 8)
			return EBADMSG;
		msg->ice_controlled = rd64(a->val);
		msg->has |= STUN_HAS_ICE_CONTROLLED;
		break;
	case STUN_ATTR_ICE_CONTROLLING:
		if (a->len != 8)
			return EBADMSG;
		msg->ice_controlling = rd64(a->val);
		msg->has |= STUN_HAS_ICE_CONTROLLING;
		break;
	case STUN_ATTR_ERROR_CODE:
		err =
		    stun_attr_error_decode(&msg->err_code, &msg->err_reason, a);
		msg->has |= STUN_HAS_ERROR_CODE;
		break;
	default:
		if (a->type < 0x8000 && msg->unknownc < STUN_MAX_UNKNOWN)
			msg->unknownv[msg->unknownc++] = a->type;
		break;
	}
	return err;
}

/*
 * Decodes exactly one message of len bytes into msg (views into buf; nothing
 * is allocated, nothing outside buf[0..len) is read). Integrity and
 * fingerprint are not checked here: see stun_msg_check_integrity() and
 * stun_msg_check_fingerprint(). Unknown comprehension-required attributes
 * do not fail decoding; they are listed in msg->unknownv.
 * Returns 0 or an error from the table in stun.h.
 */
int stun_msg_decode(struct stun_msg *msg, const uint8_t *buf, size_t len)
{
	size_t mlen, pos;
	bool after_mi = false;
	int err;

	if (!msg || !buf)
		return EINVAL;
	memset(msg, 0, sizeof(*msg));
	err = stun_msg_frame_len(buf, len, &mlen);
	if (err)
		goto out;
	if (mlen > len) {
		err = ENODATA;
		goto out;
	}
	if (mlen < len) {
		err = EBADMSG; /* trailing bytes after the message */
		goto out;
	}

	msg->type = rd16(buf);
	msg->method =
	    (uint16_t)((msg->type & 0x000f) | ((msg->type & 0x00e0) >> 1) |
	               ((msg->type & 0x3e00) >> 2));
	msg->cls =
	    (enum stun_class)(((msg->type >> 4) & 1) | ((msg->type >> 7) & 2));
	msg->len = rd16(buf + 2);
	msg->tid = buf + 8;

	for (pos = STUN_HEADER_SIZE; pos < len;) {
		struct stun_attr a;

		if (msg->has & STUN_HAS_FINGERPRINT) {
			err = EBADMSG; /* section 14.7: FINGERPRINT is last */
			goto out;
		}
		if (len - pos < STUN_ATTR_HEADER_SIZE) {
			err = EMSGSIZE;
			goto out;
		}
		a.type = rd16(buf + pos);
		a.len = rd16(buf + pos + 2);
		a.off = pos;
		a.val = buf + pos + STUN_ATTR_HEADER_SIZE;
		if (pad4(a.len) > len - pos - STUN_ATTR_HEADER_SIZE) {
			err = EMSGSIZE;
			goto out;
		}
		pos += STUN_ATTR_HEADER_SIZE + pad4(a.len);

		/* Section 14.5: after MESSAGE-INTEGRITY only the SHA256
		 * variant and FINGERPRINT count. */
		if (after_mi && a.type != STUN_ATTR_MESSAGE_INTEGRITY_SHA256 &&
		    a.type != STUN_ATTR_FINGERPRINT)
			continue;
		if (msg->attrc >= STUN_MAX_ATTRS) {
			err = EOVERFLOW;
			goto out;
		}
		msg->attrv[msg->attrc] = a;
		err = attr_decode(msg, &msg->attrv[msg->attrc]);
		if (err)
			goto out;
		msg->attrc++;
		if (a.type == STUN_ATTR_MESSAGE_INTEGRITY ||
		    a.type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
			after_mi = true;
	}
out:
	return err;
}

/* The first attribute of the given type, or NULL. */
const struct stun_attr *stun_msg_attr(const struct stun_msg *msg, uint16_t type)
{
	size_t i;

	for (i = 0; msg && i < msg->attrc; i++) {
		if (msg->attrv[i].type == type)
			return &msg->attrv[i];
	}
	return NULL;
}

/*
 * RFC 8489 section 14.7: CRC-32 of the message up to the FINGERPRINT
 * attribute, with the header length covering FINGERPRINT, XORed with
 * 0x5354554e. msg must have been decoded from buf/len.
 * Returns 0, ENOENT (no FINGERPRINT) or EILSEQ (mismatch).
 */
int stun_msg_check_fingerprint(const struct stun_msg *msg, const uint8_t *buf,
                               size_t len)
{
	const struct stun_attr *fp;
	uint8_t hdr[4];
	uint32_t crc;
	size_t body;

	if (!msg || !buf)
		return EINVAL;
	if (!(msg->has & STUN_HAS_FINGERPRINT))
		return ENOENT;
	fp = &msg->fingerprint;
	if (fp->off + STUN_ATTR_HEADER_SIZE + 4 > len)
		return EINVAL;
	body = fp->off + STUN_ATTR_HEADER_SIZE + 4 - STUN_HEADER_SIZE;
	hdr[0] = buf[0];
	hdr[1] = buf[1];
	hdr[2] = (uint8_t)(body >> 8);
	hdr[3] = (uint8_t)body;
	crc = stun_crc32(0, hdr, sizeof(hdr));
	crc = stun_crc32(crc, buf + 4, fp->off - 4);
	crc ^= STUN_FINGERPRINT_XOR;
	return crc == rd32(fp->val) ? 0 : EILSEQ;
}
