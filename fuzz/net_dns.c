/* net_dns.c: fuzz target for the DNS reply parser (dns_msg.c) with each
 * record type the resolver asks for, and the SRV ordering of what it
 * returns. */
#include <stdint.h>
#include <string.h>

#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fixed(void *arg)
{
	return *(const uint32_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {NET_DNS_SRV, NET_DNS_A, NET_DNS_AAAA};
	struct net_dns_rr rrv[NET_DNS_RR_MAX];
	uint32_t r = size > 4 ? (uint32_t)data[0] << 8 | data[1] : 7;

	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		size_t n = NET_DNS_RR_MAX;
		uint32_t ttl;

		if (net_dns_reply_decode(data, size, types[k], rrv, &n, &ttl))
			continue;
		if (n > NET_DNS_RR_MAX)
			__builtin_trap();
		for (size_t i = 0; i < n; i++)
			if (rrv[i].type != types[k] ||
			    strlen(rrv[i].target) > NET_DNS_NAME_MAX ||
			    ttl > rrv[i].ttl)
				__builtin_trap();
		if (net_dns_srv_order(rrv, n, fixed, &r))
			__builtin_trap();
		for (size_t i = 1; i < n; i++)
			if (rrv[i - 1].prio > rrv[i].prio)
				__builtin_trap();
	}
	return 0;
}
