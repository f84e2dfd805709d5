/* hash.c: hash tables of intrusive lists; FNV-1a hashing. */
#include <ctype.h>
#include <errno.h>

#include "core.h"

struct hash {
	struct list *buckets;
	uint32_t mask;
};

static void hash_destroy(void *data)
{
	struct hash *h = data;

	mem_deref(h->buckets);
}

/* bucket_count is rounded up to a power of two. */
int hash_alloc(struct hash **hp, uint32_t bucket_count)
{
	struct hash *h;
	uint32_t n = 1;

	if (!hp || !bucket_count || bucket_count > (1u << 24))
		return EINVAL;
	while (n < bucket_count)
		n <<= 1;
	h = mem_zalloc(sizeof(*h), hash_destroy);
	if (!h)
		return ENOMEM;
	h->buckets = mem_zalloc(n * sizeof(*h->buckets), NULL);
	if (!h->buckets) {
		mem_deref(h);
		return ENOMEM;
	}
	h->mask = n - 1;
	*hp = h;
	return 0;
}

void hash_append(struct hash *h, uint32_t key, struct le *le, void *data)
{
	list_append(&h->buckets[key & h->mask], le, data);
}

void hash_unlink(struct le *le)
{
	list_unlink(le);
}

struct list *hash_bucket(const struct hash *h, uint32_t key)
{
	return &h->buckets[key & h->mask];
}

struct le *hash_lookup(const struct hash *h, uint32_t key, hash_cmp_h *cmp,
		       void *arg)
{
	struct le *le;

	LIST_FOREACH(&h->buckets[key & h->mask], le)
	{
		if (cmp(le, arg))
			return le;
	}
	return NULL;
}

void hash_flush(struct hash *h)
{
	uint32_t i;

	for (i = 0; i <= h->mask; i++)
		list_flush(&h->buckets[i]);
}

size_t hash_count(const struct hash *h)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i <= h->mask; i++)
		n += h->buckets[i].count;
	return n;
}

uint32_t hash_fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t x = 2166136261u;

	while (n--) {
		x ^= *b++;
		x *= 16777619u;
	}
	return x;
}

uint32_t hash_fnv_ci(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t x = 2166136261u;

	while (n--) {
		x ^= (uint8_t)tolower(*b++);
		x *= 16777619u;
	}
	return x;
}
