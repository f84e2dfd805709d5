/* stun.c: fuzz target for the STUN decoder, the integrity and fingerprint
 * checks and the response encoder (RFC 8489). */
#include <stdint.h>
#include <string.h>

#include "stun/stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pw[] = "VOkJxbRl1RmTxUk/WvJxBt";
	struct stun_hmac *key = NULL;
	struct stun_msg msg;
	uint8_t out[256];
	size_t olen, mlen;

	(void)stun_is_stun(data, size);
	(void)stun_msg_frame_len(data, size, &mlen);
	if (size)
		(void)stun_demux(data[0]);
	if (stun_msg_decode(&msg, data, size))
		return 0;
	(void)stun_msg_check_fingerprint(&msg, data, size);
	if (stun_hmac_alloc(&key, (const uint8_t *)pw, strlen(pw)))
		return 0;
	(void)stun_msg_check_integrity(&msg, data, size, key);
	if (msg.has & STUN_HAS_XOR_MAPPED)
		(void)stun_binding_success_encode(out, sizeof(out), &olen,
		                                  msg.tid, &msg.xor_mapped, key,
		                                  NULL);
	if (msg.unknownc)
		(void)stun_binding_error_encode(out, sizeof(out), &olen,
		                                msg.tid, 420, msg.unknownv,
		                                msg.unknownc, key, NULL);
	mem_deref(key);
	return 0;
}
