/* ws_hist.c: a log-linear latency histogram for wsload (exact below 128 us,
 * then 64 sub-buckets per power of two) and the monotonic clock. */
#include <time.h>

#include "wsload.h"

#define HIST_LINEAR (2 * WSLOAD_HIST_SUB) /* values stored exactly */

static size_t hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < HIST_LINEAR)
		return (size_t)v;
	msb = 63u - (unsigned)__builtin_clzll(v); /* >= 7 */
	shift = msb - 6;
	return HIST_LINEAR + (msb - 7) * WSLOAD_HIST_SUB +
	       (size_t)((v >> shift) - WSLOAD_HIST_SUB);
}

/* The middle of bucket idx, the value a quantile reports. */
static uint64_t hist_value(size_t idx)
{
	size_t o, sub;
	unsigned shift;

	if (idx < HIST_LINEAR)
		return idx;
	o = (idx - HIST_LINEAR) / WSLOAD_HIST_SUB;
	sub = (idx - HIST_LINEAR) % WSLOAD_HIST_SUB;
	shift = (unsigned)o + 1;
	return ((uint64_t)(WSLOAD_HIST_SUB + sub) << shift) +
	       ((uint64_t)1 << (shift - 1));
}

void wsload_hist_add(struct wsload_hist *h, uint64_t us)
{
	const uint64_t cap = ((uint64_t)1 << WSLOAD_HIST_MAX_BITS) - 1;

	if (us > cap)
		us = cap;
	h->b[hist_index(us)]++;
	h->count++;
	if (us > h->max)
		h->max = us;
}

uint64_t wsload_hist_quantile(const struct wsload_hist *h, double q)
{
	uint64_t target, seen = 0;

	if (!h->count || q <= 0)
		return 0;
	if (q >= 1)
		return h->max;
	target = (uint64_t)(q * (double)h->count);
	if ((double)target < q * (double)h->count)
		target++;
	for (size_t i = 0; i < WSLOAD_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= target)
			return SC_MIN(hist_value(i), h->max);
	}
	return h->max;
}

uint64_t wsload_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
