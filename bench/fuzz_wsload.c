/* fuzz_wsload.c: wsload's parsers on arbitrary bytes: the upgrade response,
 * a stream of server frames (RFC 6455 5.2), a SIP response, and the MD5
 * challenge of a 401 answered as REGISTER mode does (RFC 7616 3.4), and
 * the To tag and Contact URI call mode takes from a response. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A challenge found must be NUL-terminated within its buffer and answerable
 * or refused as malformed, never anything else. */
static void fuzz_challenge(const uint8_t *data, size_t size)
{
	static const struct wsload_cred cred = {.user = "u", .pass = "p"};
	char chal[WSLOAD_CHAL_MAX], auth[WSLOAD_AUTH_MAX];
	size_t len = 0;
	int err;

	if (wsload_sip_challenge(data, size, chal, sizeof(chal), &len))
		return;
	if (len >= sizeof(chal) || strlen(chal) != len)
		abort();
	err = wsload_sip_authorize(auth, sizeof(auth), chal, &cred, "sip:d",
	                           1, "cn");
	if (err && err != EBADMSG && err != EOVERFLOW)
		abort();
}

/* Call mode's fields: NUL-terminated within their buffers when found. */
static void fuzz_call_fields(const uint8_t *data, size_t size)
{
	char tag[WSLOAD_TAG_MAX], uri[WSLOAD_URI_MAX];

	if (!wsload_sip_to_tag(data, size, tag, sizeof(tag)) &&
	    (!tag[0] || strlen(tag) >= sizeof(tag)))
		abort();
	if (!wsload_sip_contact(data, size, uri, sizeof(uri)) &&
	    (!uri[0] || strlen(uri) >= sizeof(uri)))
		abort();
}

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
	fuzz_challenge(data, size);
	fuzz_call_fields(data, size);
	return 0;
}
