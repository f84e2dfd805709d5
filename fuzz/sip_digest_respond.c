/* sip_digest_respond.c: fuzzes the client side of digest (digest_client.c):
 * a whole SIP response, as a PBX could send it, is decoded and its 401/407
 * challenges answered; the answer must decode as credentials. */
#include <stdint.h>
#include <string.h>

#include "sip/digest.h"
#include "sip/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg msg;
	struct mbuf *mb = NULL;
	struct sip_digest cred;
	uint32_t nc = 0;
	struct pl v;
	int err;

	if (sip_msg_decode(&msg, (const char *)data, size) || msg.req)
		return 0;
	if (mbuf_alloc(&mb, 256))
		return 0;
	err = sip_digest_respond(mb, &msg, &PL("REGISTER"),
				 &PL("sip:pbx.example"), &PL("201"),
				 &PL("secret"), &nc);
	if (!err) {
		/* "Authorization: " or "Proxy-Authorization: " ... "\r\n" */
		const char *p = memchr(mb->buf, ' ', mb->end);

		if (!p || mb->end <= 2)
			__builtin_trap();
		v.p = p + 1;
		v.l = mb->end - (size_t)(p + 1 - (const char *)mb->buf) - 2;
		if (sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS, &v) ||
		    nc != 1)
			__builtin_trap(); /* we wrote what we cannot read */
	}
	mem_deref(mb);
	return 0;
}
