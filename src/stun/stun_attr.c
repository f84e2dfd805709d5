/* stun_attr.c: STUN attribute values: (XOR-)MAPPED-ADDRESS and ERROR-CODE
 * (RFC 8489 sections 14.1, 14.2, 14.8) and the reason phrases we send. */
#include <errno.h>
#include <string.h>

#include "stun/stun.h"

#define STUN_FAMILY_IPV4 0x01
#define STUN_FAMILY_IPV6 0x02

/*
 * Decodes a MAPPED-ADDRESS (xor_ed false) or XOR-MAPPED-ADDRESS (xor_ed
 * true; tid is the message's transaction id) value into *addr.
 * Returns 0 or EBADMSG (bad length or family).
 */
int stun_attr_addr_decode(struct stun_addr *addr, const struct stun_attr *a,
                          const uint8_t *tid, bool xor_ed)
{
	uint8_t mask[16];
	size_t alen, i;
	int err = 0;

	if (!addr || !a || (xor_ed && !tid))
		return EINVAL;
	memset(addr, 0, sizeof(*addr));
	if (a->len < 4) {
		err = EBADMSG;
		goto out;
	}
	switch (a->val[1]) {
	case STUN_FAMILY_IPV4:
		addr->family = 4;
		alen = 4;
		break;
	case STUN_FAMILY_IPV6:
		addr->family = 6;
		alen = 16;
		break;
	default:
		err = EBADMSG;
		goto out;
	}
	if (a->len != 4 + alen) {
		err = EBADMSG;
		goto out;
	}
	/* Section 14.2: X-Port is XORed with the top 16 bits of the cookie,
	 * X-Address with the cookie (IPv4) or cookie || tid (IPv6). */
	memset(mask, 0, sizeof(mask));
	if (xor_ed) {
		mask[0] = (uint8_t)(STUN_MAGIC_COOKIE >> 24);
		mask[1] = (uint8_t)(STUN_MAGIC_COOKIE >> 16);
		mask[2] = (uint8_t)(STUN_MAGIC_COOKIE >> 8);
		mask[3] = (uint8_t)STUN_MAGIC_COOKIE;
		memcpy(mask + 4, tid, STUN_TID_SIZE);
	}
	addr->port =
	    (uint16_t)(((a->val[2] ^ mask[0]) << 8) | (a->val[3] ^ mask[1]));
	for (i = 0; i < alen; i++)
		addr->addr[i] = a->val[4 + i] ^ mask[i];
out:
	if (err)
		addr->family = 0;
	return err;
}

/*
 * Writes the value of a (XOR-)MAPPED-ADDRESS for addr into val (room for
 * 20 bytes) and returns its length, or 0 for an unknown family.
 */
size_t stun_attr_addr_value(uint8_t *val, const struct stun_addr *addr,
                            const uint8_t *tid, bool xor_ed)
{
	uint8_t mask[16];
	size_t alen, i;

	if (addr->family == 4)
		alen = 4;
	else if (addr->family == 6)
		alen = 16;
	else
		return 0;
	memset(mask, 0, sizeof(mask));
	if (xor_ed) {
		mask[0] = (uint8_t)(STUN_MAGIC_COOKIE >> 24);
		mask[1] = (uint8_t)(STUN_MAGIC_COOKIE >> 16);
		mask[2] = (uint8_t)(STUN_MAGIC_COOKIE >> 8);
		mask[3] = (uint8_t)STUN_MAGIC_COOKIE;
		memcpy(mask + 4, tid, STUN_TID_SIZE);
	}
	val[0] = 0;
	val[1] = addr->family == 4 ? STUN_FAMILY_IPV4 : STUN_FAMILY_IPV6;
	val[2] = (uint8_t)(addr->port >> 8) ^ mask[0];
	val[3] = (uint8_t)addr->port ^ mask[1];
	for (i = 0; i < alen; i++)
		val[4 + i] = addr->addr[i] ^ mask[i];
	return 4 + alen;
}

/*
 * Decodes ERROR-CODE (section 14.8): class 3..6 in the low three bits of
 * byte 2, number 0..99 in byte 3, then a UTF-8 reason phrase (a view).
 * Returns 0 or EBADMSG.
 */
int stun_attr_error_decode(uint16_t *codep, struct pl *reasonp,
                           const struct stun_attr *a)
{
	unsigned cls, num;

	if (!codep || !reasonp || !a)
		return EINVAL;
	if (a->len < 4 || a->len - 4 > STUN_MAX_REASON_BYTES)
		return EBADMSG;
	cls = a->val[2] & 0x07;
	num = a->val[3];
	if (cls < 3 || cls > 6 || num > 99)
		return EBADMSG;
	*codep = (uint16_t)(cls * 100 + num);
	reasonp->p = (const char *)a->val + 4;
	reasonp->l = a->len - 4u;
	return 0;
}

/* The reason phrase we send with a code (RFC 8489 section 14.8, RFC 8445
 * section 7.3.1.1), or "Error" for codes we never produce. */
const char *stun_reason(uint16_t code)
{
	switch (code) {
	case STUN_ERR_BAD_REQUEST:
		return "Bad Request";
	case STUN_ERR_UNAUTHORIZED:
		return "Unauthorized";
	case STUN_ERR_UNKNOWN_ATTRIBUTE:
		return "Unknown Attribute";
	case STUN_ERR_ROLE_CONFLICT:
		return "Role Conflict";
	default:
		return "Error";
	}
}
