/* fuzz_wsload.c: wsload's parsers on arbitrary bytes: the upgrade response,
 * a stream of server frames (RFC 6455 5.2) and a SIP response. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
	struct wsload_frame f;
	size_t pos = 0, used = 0, hdr = 0;
	uint16_t status;
	uint32_t cseq;

	if (!wsload_upgrade_response(data, size, accept, &hdr)) {
		if (hdr > size)
			abort();
		pos = hdr;
	}
	while (pos < size &&
	       !wsload_frame_decode(&f, data + pos, size - pos, &used)) {
		if (!used || used > size - pos ||
		    f.payload + f.len > data + size)
			abort();
		(void)wsload_sip_response(f.payload, f.len, &status, &cseq);
		pos += used;
	}
	(void)wsload_sip_response(data, size, &status, &cseq);
	return 0;
}
