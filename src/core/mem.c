/* mem.c: reference-counted allocation with destructors (the libre model). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define MEM_MAGIC 0x5c10a4e5u

struct mem {
	uint32_t magic;
	uint32_t nrefs;
	mem_destroy_h *dh;
	size_t size;
} __attribute__((aligned(16)));

static atomic_size_t live;	 /* allocations not yet freed, for leak checks */
static atomic_long fail_countdown = -1; /* test hook: make the n-th fail */

static bool should_fail(void)
{
	long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

	if (n < 0)
		return false;
	if (n == 0) {
		atomic_store(&fail_countdown, -1);
		return true;
	}
	atomic_store(&fail_countdown, n - 1);
	return false;
}

static struct mem *mem_of(const void *data)
{
	struct mem *m = (struct mem *)data - 1;

	/* A wrong pointer here is a programming error, never input. */
	if (m->magic != MEM_MAGIC)
		abort();
	return m;
}

void *mem_alloc(size_t size, mem_destroy_h *dh)
{
	struct mem *m;

	if (size > SIZE_MAX - sizeof(*m) || should_fail())
		return NULL;
	m = malloc(sizeof(*m) + size);
	if (!m)
		return NULL;
	m->magic = MEM_MAGIC;
	m->nrefs = 1;
	m->dh = dh;
	m->size = size;
	atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	return m + 1;
}

void *mem_zalloc(size_t size, mem_destroy_h *dh)
{
	void *p = mem_alloc(size, dh);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Grows or shrinks; on failure the old block is untouched and NULL returned. */
void *mem_realloc(void *data, size_t size)
{
	struct mem *m, *m2;

	if (!data)
		return mem_alloc(size, NULL);
	m = mem_of(data);
	if (m->nrefs > 1 || size > SIZE_MAX - sizeof(*m) || should_fail())
		return NULL;
	m2 = realloc(m, sizeof(*m2) + size);
	if (!m2)
		return NULL;
	m2->size = size;
	return m2 + 1;
}

void *mem_ref(void *data)
{
	if (data)
		mem_of(data)->nrefs++;
	return data;
}

void *mem_deref(void *data)
{
	struct mem *m;

	if (!data)
		return NULL;
	m = mem_of(data);
	if (--m->nrefs > 0)
		return NULL;
	if (m->dh)
		m->dh(data);
	/* The destructor may not resurrect the object. */
	m->magic = 0;
	free(m);
	atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
	return NULL;
}

uint32_t mem_nrefs(const void *data)
{
	return data ? mem_of(data)->nrefs : 0;
}

size_t mem_live(void)
{
	return atomic_load_explicit(&live, memory_order_relaxed);
}

void mem_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}

/* Wipes secrets in a way the compiler may not optimise away. */
void mem_secure_zero(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}
