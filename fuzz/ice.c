/* ice.c: fuzz target for the ICE-lite responder (RFC 8445 section 7.3):
 * arbitrary STUN messages, some made valid checks by signing them with
 * our password so the paths after authentication are reached too.
 *
 * Input: one mode byte, then a STUN message. Mode bit 0: rewrite the
 * USERNAME's first bytes to our ufrag and re-sign (MESSAGE-INTEGRITY and
 * FINGERPRINT recomputed where the message has them); bit 1: IPv6 source. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stun/ice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Recomputes MESSAGE-INTEGRITY and FINGERPRINT in place when present. */
static void resign(uint8_t *buf, size_t len, struct ice_lite *ice,
		   struct stun_hmac *key)
{
	struct stun_msg msg;
	const struct stun_attr *a;
	uint8_t save[4];
	uint32_t crc;
	size_t body;

	if (stun_msg_decode(&msg, buf, len))
		return;
	a = stun_msg_attr(&msg, STUN_ATTR_USERNAME);
	if (a)
		memcpy(buf + a->off + STUN_ATTR_HEADER_SIZE,
		       ice_lite_ufrag(ice), SC_MIN(a->len, ICE_UFRAG_LEN));
	memcpy(save, buf, 4);
	if (msg.has & STUN_HAS_INTEGRITY) {
		a = &msg.integrity;
		body = a->off + STUN_ATTR_HEADER_SIZE + STUN_HMAC_SHA1_SIZE -
		       STUN_HEADER_SIZE;
		buf[2] = (uint8_t)(body >> 8);
		buf[3] = (uint8_t)body;
		(void)stun_hmac_digest(key,
				       buf + a->off + STUN_ATTR_HEADER_SIZE,
				       buf, a->off, NULL, 0);
		memcpy(buf, save, 4);
	}
	if (msg.has & STUN_HAS_FINGERPRINT) {
		a = &msg.fingerprint;
		body = a->off + STUN_ATTR_HEADER_SIZE + 4 - STUN_HEADER_SIZE;
		buf[2] = (uint8_t)(body >> 8);
		buf[3] = (uint8_t)body;
		crc = stun_crc32(0, buf, a->off) ^ STUN_FINGERPRINT_XOR;
		memcpy(buf, save, 4);
		buf[a->off + 4] = (uint8_t)(crc >> 24);
		buf[a->off + 5] = (uint8_t)(crc >> 16);
		buf[a->off + 6] = (uint8_t)(crc >> 8);
		buf[a->off + 7] = (uint8_t)crc;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_addr src = {
	    .family = 4, .port = 3478, .addr = {127, 0, 0, 1}};
	uint8_t resp[ICE_RESP_MAX];
	struct ice_lite *ice = NULL;
	struct stun_hmac *key = NULL;
	struct ice_check chk;
	struct stun_msg msg;
	uint8_t *buf;
	size_t len, rlen;

	if (!size || ice_lite_alloc(&ice))
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		goto out;
	memcpy(buf, data + 1, len);
	if (data[0] & 2) {
		src.family = 6;
		memset(src.addr, 0x20, sizeof(src.addr));
	}
	if ((data[0] & 1) &&
	    !stun_hmac_alloc(&key, (const uint8_t *)ice_lite_pwd(ice),
			     ICE_PWD_LEN))
		resign(buf, len, ice, key);
	if (!ice_lite_handle(ice, buf, len, &src, resp, sizeof(resp), &rlen,
			     &chk) &&
	    rlen) {
		/* Whatever we answer is one well-formed STUN message. */
		if (stun_msg_decode(&msg, resp, rlen) ||
		    stun_msg_check_fingerprint(&msg, resp, rlen))
			abort();
		if (chk.valid &&
		    (!key || stun_msg_check_integrity(&msg, resp, rlen, key)))
			abort();
	}
out:
	free(buf);
	mem_deref(key);
	mem_deref(ice);
	return 0;
}
