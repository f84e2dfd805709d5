/* dns.h: DNS for outgoing SIP connections (RFC 3263 §4): a DNS answer
 * parser (RFC 1035 §4, SRV RFC 2782, AAAA RFC 3596), the RFC 2782 SRV
 * ordering, TTL clamping, a failed-target blacklist, and an asynchronous
 * resolver that turns a host (and transport) into an ordered target list. */
#ifndef SC_NET_DNS_H
#define SC_NET_DNS_H

#include "net/net.h"

#define NET_DNS_NAME_MAX 255  /* bytes of a domain name (RFC 1035 §2.3.4) */
#define NET_DNS_RR_MAX 16     /* answer records kept from one reply */
#define NET_DNS_MSG_MAX 4096  /* bytes of a reply we read */
#define NET_DNS_SERVERS_MAX 3 /* name servers (glibc MAXNS) */
#define NET_DNS_TARGETS_MAX NET_RESOLV_MAX /* addresses of one result */
/* TTL bounds (s): a zero TTL must not make us query on every request, a
 * huge one must not pin a dead address for days. */
#define NET_DNS_TTL_FLOOR 30
#define NET_DNS_TTL_CEIL 3600
/* TTL (s) of what has none: getaddrinfo() answers, "no SRV records". */
#define NET_DNS_TTL_DEFAULT 300
#define NET_DNS_BLIST_MAX 16 /* failed targets remembered */
/* How long a target that failed is skipped (RFC 3263 §4.3 leaves it to
 * us; as long as a UDP transaction timeout). */
#define NET_DNS_BLIST_MS (32u * 1000u)

enum net_dns_type {
	NET_DNS_A = 1,
	NET_DNS_CNAME = 5,
	NET_DNS_AAAA = 28,
	NET_DNS_SRV = 33,
};

/* One answer record of the asked type. */
struct net_dns_rr {
	uint16_t type;
	uint32_t ttl;
	struct sa addr; /* A / AAAA (port 0) */
	uint16_t prio, weight, port; /* SRV */
	char target[NET_DNS_NAME_MAX + 1]; /* SRV, "." : no service */
};

/*
 * Parses a DNS reply (buf, len bytes; never reads past it, never
 * allocates) and writes its answer records of type qtype (others, like
 * CNAMEs, skipped) into rrv (up to *rrc, which becomes the count written)
 * and the smallest TTL seen into *ttl (the SOA minimum of a negative
 * answer is not read: callers apply NET_DNS_TTL_FLOOR). Returns 0 (maybe
 * no record: NODATA), ENOENT (NXDOMAIN), EAGAIN (SERVFAIL, REFUSED, any
 * other rcode), EBADMSG (malformed, not a response) or EINVAL.
 */
int net_dns_reply_decode(const uint8_t *buf, size_t len, uint16_t qtype,
			 struct net_dns_rr *rrv, size_t *rrc, uint32_t *ttl);

/* ttl clamped to [NET_DNS_TTL_FLOOR, NET_DNS_TTL_CEIL]. */
uint32_t net_dns_ttl_clamp(uint32_t ttl);

/* A random number source (tests inject their own). */
typedef uint32_t(net_rand_h)(void *arg);

/*
 * Sorts SRV records in place into the order RFC 2782 says to try them:
 * by priority, lowest first; within one priority by weighted random
 * selection, each record in proportion to its weight (weight 0 records
 * after the others; see dns_srv.c). rh draws the random
 * numbers. n at most NET_DNS_RR_MAX (more: EINVAL). Returns 0 or EINVAL.
 */
int net_dns_srv_order(struct net_dns_rr *rrv, size_t n, net_rand_h *rh,
		      void *arg);

/* Targets that failed recently (RFC 3263 §4.3), each until an expiry on
 * the caller's clock. A plain value: zero it to start. When full, the
 * entry that expires first is replaced. */
struct net_blist {
	struct sa v[NET_DNS_BLIST_MAX];
	uint64_t until[NET_DNS_BLIST_MAX];
};

void net_blist_add(struct net_blist *bl, const struct sa *sa, uint64_t now,
		   uint64_t ms);
bool net_blist_has(const struct net_blist *bl, const struct sa *sa,
		   uint64_t now);
void net_blist_del(struct net_blist *bl, const struct sa *sa);

/* Where a resolver sends its queries: servers (IPv4 with port; glibc's
 * resolver state takes IPv6 servers only from resolv.conf); none: the
 * system's /etc/resolv.conf, and A/AAAA through getaddrinfo() (which
 * also reads /etc/hosts). */
struct net_dns_conf {
	struct sa srvv[NET_DNS_SERVERS_MAX];
	size_t srvc;
};

/* A resolved host: addresses in the order to try them. */
struct net_dns_result {
	struct sa addrv[NET_DNS_TARGETS_MAX];
	size_t addrc;
	bool srv;     /* came from SRV records */
	uint32_t ttl; /* s, clamped: resolve again after it */
};

struct net_dns;
typedef void(net_dns_h)(int err, const struct net_dns_result *res,
			void *arg);

/*
 * Resolves host for SIP (RFC 3263 §4) on the libuv thread pool, never
 * blocking the loop: an IP literal is used as is; a name with a port
 * (port != 0) gets A/AAAA; a name without (port 0) first gets SRV
 * "<service>.<host>" (service e.g. "_sip._udp") ordered by
 * net_dns_srv_order(), then A/AAAA of each target, else, without SRV
 * records, A/AAAA of host with default_port (RFC 3263 §4.2). The handler
 * runs once on the loop: err 0 and the result, or ENOENT (no such name,
 * no address, or SRV target "."), ETIMEDOUT/EAGAIN (servers did not
 * answer), ECANCELED never (after net_dns_cancel it is not called).
 * rh gives the SRV ordering's random numbers (NULL: rand_u32).
 * The caller holds a reference on *dp: net_dns_cancel(), then
 * mem_deref() at any time. Returns 0, EINVAL or ENOMEM.
 */
int net_dns_resolve(struct net_dns **dp, uv_loop_t *loop,
		    const struct net_dns_conf *conf, const char *host,
		    uint16_t port, const char *service, uint16_t default_port,
		    net_dns_h *h, void *arg);
void net_dns_cancel(struct net_dns *d);

/* "no such name" style text for an errno of net_dns_resolve. */
const char *net_dns_strerror(int err);

#endif
