/* http_static.c: fuzzes the static file path check (static.c) against its
 * promise: an accepted path starts with '/', has no "." or ".." segment,
 * no hidden name, no empty segment but the last, no backslash, '%', NUL or
 * control byte, and is at most HTTP_STATIC_PATH_MAX bytes; also the
 * content-type lookup on the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ref_check(const char *p, size_t n)
{
	if (n < 1 || n > HTTP_STATIC_PATH_MAX || p[0] != '/')
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || c == '%')
			return 1;
		if (c == '/' && i + 1 < n && p[i + 1] == '/')
			return 1; /* empty segment */
		if (c == '/' && i + 1 < n && p[i + 1] == '.')
			return 1; /* ".", "..", ".hidden" */
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy: ASan catches any read past it */
	char *p = malloc(size ? size : 1);
	char *s;
	struct pl pl;
	int got;

	if (!p)
		return 0;
	memcpy(p, data, size);
	pl.p = p;
	pl.l = size;
	got = http_static_path_check(&pl);
	if ((got == 0) != (ref_check(p, size) == 0))
		abort();
	s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
		(void)http_static_ctype(s);
		free(s);
	}
	free(p);
	return 0;
}
