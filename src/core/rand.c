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

/*
 * One getrandom() call per token, not per character: the gateway draws a
 * To tag for every response. Bytes of 248 and above are rejected so that
 * each of the 62 characters is equally likely; the rare refill draws again.
 */
void rand_token(char *buf, size_t size)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t pool[64];
	size_t i = 0, used = sizeof(pool);

	if (!size)
		return;
	while (i + 1 < size) {
		if (used == sizeof(pool)) {
			if (rand_bytes(pool, sizeof(pool)))
				abort();
			used = 0;
		}
		if (pool[used] < 248)
			buf[i++] = alphabet[pool[used] % 62];
		used++;
	}
	buf[i] = '\0';
	mem_secure_zero(pool, sizeof(pool));
}
