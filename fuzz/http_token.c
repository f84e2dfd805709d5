/* http_token.c: fuzzes the Sec-WebSocket-Protocol token list matcher
 * (RFC 6455 4.1, 11.3.4) against a plain reference implementation. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_ows(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Reference: split at ',', trim, compare exactly. */
static bool ref_listed(const char *list, const char *tok)
{
	size_t tl = strlen(tok);
	const char *s = list;

	for (;;) {
		const char *e = strchr(s, ',');
		const char *b = s, *z = e ? e : s + strlen(s);

		while (b < z && is_ows(*b))
			b++;
		while (z > b && is_ows(z[-1]))
			z--;
		if (tl && (size_t)(z - b) == tl && !memcmp(b, tok, tl))
			return true;
		if (!e)
			return false;
		s = e + 1;
	}
}

/* Input: "<list>\n<token>"; without '\n' the token is "sip". */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ll = nl ? (size_t)(nl - data) : size;
	size_t tl = nl ? size - ll - 1 : 3;
	char *list = malloc(ll + 1), *tok = malloc(tl + 1);

	if (!list || !tok)
		abort();
	memcpy(list, data, ll);
	list[ll] = '\0';
	memcpy(tok, nl ? (const char *)nl + 1 : "sip", tl);
	tok[tl] = '\0';
	/* strings end at the first NUL, as header copies from lws do */
	if (strlen(tok) && !is_ows(tok[0]) && !is_ows(tok[strlen(tok) - 1]) &&
	    !strchr(tok, ',') &&
	    http_token_listed(list, tok) != ref_listed(list, tok))
		abort();
	free(list);
	free(tok);
	return 0;
}
