/* gw_api.c: fuzz target: the admin API's JSON body parser (RFC 8259) and
 * its Bearer header reader (RFC 6750 §2.1) on arbitrary bytes in a buffer
 * sized to the byte; checks that every parsed string (escapes decoded)
 * fits its limit and that a reported field name is NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw/api_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char field[GW_API_FIELD_MAX + 1];
	struct gw_api_body b;
	struct pl auth, tok;
	char *p = malloc(size ? size : 1);
	int err;

	if (!p)
		return 0;
	memcpy(p, data, size);
	err = gw_api_body_parse(&b, p, size, field, sizeof(field));
	if (strnlen(field, sizeof(field)) > GW_API_FIELD_MAX)
		__builtin_trap();
	if (!err && (strlen(b.name) > STORE_NAME_MAX ||
		     strlen(b.extension) > STORE_EXTENSION_MAX ||
		     strlen(b.display) > STORE_DISPLAY_MAX ||
		     strlen(b.label) > STORE_LABEL_MAX))
		__builtin_trap();
	if (!err && b.has_name && strchr(b.name, '"') &&
	    !memchr(p, '\\', size))
		__builtin_trap(); /* a quote in a value comes from an escape */
	auth.p = p;
	auth.l = size;
	if (!gw_api_bearer(&auth, &tok) &&
	    (tok.p < p || tok.p + tok.l > p + size || !tok.l))
		__builtin_trap();
	free(p);
	return 0;
}
