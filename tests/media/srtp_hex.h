/* srtp_hex.h: hex strings (spaces allowed) to bytes for the SRTP tests. */
#ifndef SC_TEST_SRTP_HEX_H
#define SC_TEST_SRTP_HEX_H

#include <stddef.h>
#include <stdint.h>

static inline int srtp_hex_nib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Bytes written to out (at most size); whitespace is skipped. */
static inline size_t srtp_hex(uint8_t *out, size_t size, const char *s)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		v = srtp_hex_nib(*s);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n < size)
			out[n] = (uint8_t)(hi << 4 | v);
		n++;
		hi = -1;
	}
	return n;
}

#endif
