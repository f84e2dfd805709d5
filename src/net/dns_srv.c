/* dns_srv.c: the order in which SRV targets are tried (RFC 2782 "Usage
 * rules": priority, then weighted random selection) and the blacklist of
 * targets that failed (RFC 3263 §4.3). Pure: the random source and the
 * clock come from the caller. */
#include <errno.h>
#include <string.h>

#include "net/dns.h"

static uint32_t default_rand(void *arg)
{
	(void)arg;
	return rand_u32();
}

/* Stable insertion sort by priority (n is small). */
static void by_priority(struct net_dns_rr *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct net_dns_rr x = v[i];
		size_t j = i;

		while (j > 0 && v[j - 1].prio > x.prio) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/*
 * RFC 2782: "arrange all SRV RRs (that have not been ordered yet) in any
 * order, except that all those with weight 0 are placed at the beginning
 * of the list. Compute the sum of the weights ... choose a uniform random
 * number between 0 and the sum computed (inclusive), and select the RR
 * whose running sum value is the first in the selected order which is
 * greater than or equal to the random number selected." Repeated until
 * none is left. v[0..n) share one priority.
 * Deviation: the number is drawn from 1..sum when sum > 0, not 0..sum:
 * drawing 0 would give the first record an extra 1/(sum+1) share (with
 * weights 1 and 3 it wins 40% instead of 25%). Weight 0 records are then
 * tried only after the weighted ones, which RFC 2782's "very small
 * chance" allows.
 */
static void weighted(struct net_dns_rr *v, size_t n, net_rand_h *rh,
		     void *arg)
{
	/* weight 0 first, keeping the order otherwise */
	for (size_t i = 1; i < n; i++) {
		struct net_dns_rr x = v[i];
		size_t j = i;

		if (x.weight)
			continue;
		while (j > 0 && v[j - 1].weight) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	for (size_t k = 0; k + 1 < n; k++) {
		uint64_t sum = 0, run = 0, pick;
		size_t sel = n - 1;

		for (size_t i = k; i < n; i++)
			sum += v[i].weight;
		pick = sum ? 1 + (uint64_t)rh(arg) % sum : 0;
		for (size_t i = k; i < n; i++) {
			run += v[i].weight;
			if (run >= pick) {
				sel = i;
				break;
			}
		}
		if (sel != k) { /* move sel to k, keeping the others' order */
			struct net_dns_rr x = v[sel];

			memmove(&v[k + 1], &v[k], (sel - k) * sizeof(*v));
			v[k] = x;
		}
	}
}

int net_dns_srv_order(struct net_dns_rr *rrv, size_t n, net_rand_h *rh,
		      void *arg)
{
	size_t i = 0;

	if ((!rrv && n) || n > NET_DNS_RR_MAX)
		return EINVAL;
	if (!rh)
		rh = default_rand;
	by_priority(rrv, n);
	while (i < n) {
		size_t j = i + 1;

		while (j < n && rrv[j].prio == rrv[i].prio)
			j++;
		weighted(&rrv[i], j - i, rh, arg);
		i = j;
	}
	return 0;
}

void net_blist_add(struct net_blist *bl, const struct sa *sa, uint64_t now,
		   uint64_t ms)
{
	size_t slot = 0;

	if (!bl || !sa)
		return;
	for (size_t i = 0; i < NET_DNS_BLIST_MAX; i++) {
		if (bl->until[i] > now && sa_cmp(&bl->v[i], sa)) {
			slot = i; /* already there: extend */
			break;
		}
		if (bl->until[i] < bl->until[slot])
			slot = i; /* free (0) or expiring first */
	}
	bl->v[slot] = *sa;
	bl->until[slot] = now + ms;
}

bool net_blist_has(const struct net_blist *bl, const struct sa *sa,
		   uint64_t now)
{
	if (!bl || !sa)
		return false;
	for (size_t i = 0; i < NET_DNS_BLIST_MAX; i++)
		if (bl->until[i] > now && sa_cmp(&bl->v[i], sa))
			return true;
	return false;
}

void net_blist_del(struct net_blist *bl, const struct sa *sa)
{
	if (!bl || !sa)
		return;
	for (size_t i = 0; i < NET_DNS_BLIST_MAX; i++)
		if (bl->until[i] && sa_cmp(&bl->v[i], sa))
			bl->until[i] = 0;
}
