/* ws_frame.c: RFC 6455 section 5 frames as a client sees them: decode
 * unmasked server frames, encode masked client frames. */
#include <errno.h>
#include <string.h>

#include "wsload.h"

static bool opcode_known(unsigned op)
{
	switch (op) {
	case WSLOAD_OP_CONT:
	case WSLOAD_OP_TEXT:
	case WSLOAD_OP_BINARY:
	case WSLOAD_OP_CLOSE:
	case WSLOAD_OP_PING:
	case WSLOAD_OP_PONG:
		return true;
	default:
		return false;
	}
}

int wsload_frame_decode(struct wsload_frame *f, const uint8_t *p, size_t n,
                        size_t *consumed)
{
	size_t hdr = 2;
	uint64_t len;
	unsigned op;
	int err = 0;

	if (!f || !p || !consumed)
		return EINVAL;
	if (n < 2) {
		err = ENODATA;
		goto out;
	}
	op = p[0] & 0x0f;
	/* RFC 6455 5.2: RSV1-3 must be 0 without a negotiated extension. */
	if ((p[0] & 0x70) || !opcode_known(op)) {
		err = EBADMSG;
		goto out;
	}
	/* RFC 6455 5.1: a client closes on a masked frame from the server. */
	if (p[1] & 0x80) {
		err = EBADMSG;
		goto out;
	}
	len = p[1] & 0x7f;
	if (len == 126) {
		hdr += 2;
		if (n < hdr) {
			err = ENODATA;
			goto out;
		}
		len = (uint64_t)p[2] << 8 | p[3];
		/* RFC 6455 5.2: the minimal number of bytes must be used. */
		if (len < 126) {
			err = EBADMSG;
			goto out;
		}
	} else if (len == 127) {
		hdr += 8;
		if (n < hdr) {
			err = ENODATA;
			goto out;
		}
		len = 0;
		for (size_t i = 2; i < 10; i++)
			len = len << 8 | p[i];
		/* The most significant bit must be 0; minimal encoding. */
		if ((len >> 63) || len <= 0xffff) {
			err = EBADMSG;
			goto out;
		}
	}
	/* RFC 6455 5.5: control frames are final and carry <= 125 bytes. */
	if ((op & 0x8) && (!(p[0] & 0x80) || len > WSLOAD_FRAME_MAX_CONTROL)) {
		err = EBADMSG;
		goto out;
	}
	if (len > WSLOAD_FRAME_MAX_PAYLOAD) {
		err = EOVERFLOW;
		goto out;
	}
	if (n - hdr < len) {
		err = ENODATA;
		goto out;
	}
	f->fin = (p[0] & 0x80) != 0;
	f->opcode = (enum wsload_opcode)op;
	f->payload = p + hdr;
	f->len = (size_t)len;
	*consumed = hdr + (size_t)len;
out:
	return err;
}

int wsload_frame_encode(uint8_t *buf, size_t size, size_t *lenp,
                        enum wsload_opcode op, const uint8_t mask[4],
                        const void *payload, size_t plen)
{
	const uint8_t *src = payload;
	size_t hdr;
	int err = 0;

	if (!buf || !lenp || !mask || (plen && !payload) || !opcode_known(op) ||
	    op == WSLOAD_OP_CONT ||
	    ((op & 0x8) && plen > WSLOAD_FRAME_MAX_CONTROL)) {
		err = EINVAL;
		goto out;
	}
	hdr = plen < 126 ? 2 : plen <= 0xffff ? 4 : 10;
	if (size < hdr + 4 || size - hdr - 4 < plen) {
		err = EOVERFLOW;
		goto out;
	}
	buf[0] = (uint8_t)(0x80 | op);
	/* RFC 6455 5.3: every client frame is masked. */
	if (plen < 126) {
		buf[1] = (uint8_t)(0x80 | plen);
	} else if (plen <= 0xffff) {
		buf[1] = 0x80 | 126;
		buf[2] = (uint8_t)(plen >> 8);
		buf[3] = (uint8_t)plen;
	} else {
		buf[1] = 0x80 | 127;
		for (size_t i = 0; i < 8; i++)
			buf[2 + i] = (uint8_t)((uint64_t)plen >> (56 - 8 * i));
	}
	memcpy(buf + hdr, mask, 4);
	for (size_t i = 0; i < plen; i++)
		buf[hdr + 4 + i] = src[i] ^ mask[i & 3];
	*lenp = hdr + 4 + plen;
out:
	return err;
}
