/* sip_frame.c: fuzz target for stream framing: keepalives, framing, then
 * decoding every framed message, as a TCP/TLS receive path does. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "sip/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg msg;
	const char *p = (const char *)data;
	size_t off = 0;

	while (off < size) {
		size_t used, len = 0;
		bool ping;
		int err;

		used = sip_frame_crlf(p + off, size - off, &ping);
		if (used > size - off)
			abort();
		off += used;
		if (off == size)
			break;
		err = sip_frame(p + off, size - off, &len);
		if (err == ENODATA || err == EBADMSG || err == EOVERFLOW)
			break;
		if (err || !len || len > size - off || len > SIP_MSG_MAX)
			abort();
		/* framed: the decoder must agree on where the body ends */
		err = sip_msg_decode(&msg, p + off, len);
		if (!err && msg.body.p + msg.body.l != p + off + len)
			abort();
		off += len;
	}
	return 0;
}
