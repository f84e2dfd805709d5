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

void rand_pool_init(struct rand_pool *rp)
{
	rp->used = sizeof(rp->buf); /* empty: the first draw fills it */
}

/*
 * Tokens from a pool of OS randomness, refilled with one getrandom() call
 * per RAND_POOL_SIZE bytes: the gateway draws a To tag for every response,
 * and a system call per tag was 10% of its CPU. Bytes of 248 and above are
 * rejected so that each of the 62 characters is equally likely.
 */
void rand_pool_token(struct rand_pool *rp, char *buf, size_t size)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i = 0;

	if (!size)
		return;
	while (i + 1 < size) {
		uint8_t b;

		if (rp->used == sizeof(rp->buf)) {
			if (rand_bytes(rp->buf, sizeof(rp->buf)))
				abort();
			rp->used = 0;
		}
		b = rp->buf[rp->used];
		rp->buf[rp->used++] = 0; /* a byte is used once, then wiped */
		if (b < 248)
			buf[i++] = alphabet[b % 62];
	}
	buf[i] = '\0';
}

void rand_token(char *buf, size_t size)
{
	struct rand_pool rp;

	rand_pool_init(&rp);
	rand_pool_token(&rp, buf, size);
	mem_secure_zero(&rp, sizeof(rp));
}
