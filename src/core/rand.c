/* rand.c: random bytes from the kernel (getrandom), never a userspace PRNG. */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "core.h"

int rand_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t r = getrandom(b, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

uint32_t rand_u32(void)
{
	uint32_t v;

	/* getrandom() on a booted kernel does not fail for 4 bytes. */
	if (rand_bytes(&v, sizeof(v)))
		abort();
	return v;
}

void rand_token(char *buf, size_t size)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i;

	if (!size)
		return;
	for (i = 0; i + 1 < size; i++) {
		uint8_t b;

		/* Rejection sampling keeps the distribution uniform. */
		do {
			if (rand_bytes(&b, 1))
				abort();
		} while (b >= 248);
		buf[i] = alphabet[b % 62];
	}
	buf[i] = '\0';
}
