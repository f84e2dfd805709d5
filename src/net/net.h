/* net.h: socket addresses, the libuv clock binding for core timers, and an
 * asynchronous name resolver for outgoing connections. */
#ifndef SC_NET_NET_H
#define SC_NET_NET_H

#include <netinet/in.h>
#include <sys/socket.h>

#include <uv.h>

#include "core/core.h"

/* Room for "[ipv6%scope]:65535" plus the terminating NUL. */
#define SA_STR_MAX 72
/* Room for a host alone (INET6_ADDRSTRLEN). */
#define SA_ADDR_MAX 46

/*
 * sa: one IPv4 or IPv6 socket address (address and port). A zeroed struct
 * is "unset" (family AF_UNSPEC). Plain value type: copy it freely.
 */
struct sa {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_storage ss;
	} u;
};

void sa_init(struct sa *sa, int af); /* zeroed, family af, any address */

/* Literal addresses only (no DNS): "192.0.2.1", "::1", "[::1]".
 * Returns 0 or EINVAL (bad arguments or not a literal address). */
int sa_set(struct sa *sa, const char *host, uint16_t port);

/* "1.2.3.4:5060", "[::1]:5060", or an address without a port (port 0).
 * Reads at most len bytes. Returns 0 or EINVAL. */
int sa_decode(struct sa *sa, const char *str, size_t len);

/* From a system address (AF_INET or AF_INET6); EAFNOSUPPORT otherwise. */
int sa_set_sockaddr(struct sa *sa, const struct sockaddr *s);
const struct sockaddr *sa_sockaddr(const struct sa *sa);
socklen_t sa_len(const struct sa *sa); /* 0 when unset */

int sa_family(const struct sa *sa);
uint16_t sa_port(const struct sa *sa);
void sa_set_port(struct sa *sa, uint16_t port);
bool sa_is_any(const struct sa *sa); /* 0.0.0.0 / :: (or unset) */
bool sa_is_loopback(const struct sa *sa); /* 127.0.0.0/8 / ::1 */
bool sa_isset(const struct sa *sa);
/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, from dual-stack sockets)
 * becomes the IPv4 address with the same port; anything else is copied. */
void sa_unmap(struct sa *dst, const struct sa *src);

/* The host alone, IPv6 without brackets. Returns 0, EINVAL or EOVERFLOW. */
int sa_ntop(const struct sa *sa, char *buf, size_t size);
/* "host:port", IPv6 in brackets. Returns 0, EINVAL or EOVERFLOW. */
int sa_str(const struct sa *sa, char *buf, size_t size);

bool sa_cmp(const struct sa *a, const struct sa *b);      /* addr + port */
bool sa_cmp_addr(const struct sa *a, const struct sa *b); /* addr only */
uint32_t sa_hash(const struct sa *sa, bool with_port);

/*
 * net_timers: drives a core struct tmrl from a libuv loop. Before every
 * poll a uv_prepare re-arms one uv_timer for the list's next expiry; the
 * uv_timer callback calls tmrl_poll(tl, uv_now()), which runs the handlers.
 * It keeps the loop alive until closed.
 *
 * net_timers_alloc() keeps a pointer to tl (the caller keeps it alive until
 * net_timers_close()). net_timers_close() stops and closes the libuv
 * handles; the memory goes when the caller's reference and the handles'
 * close callbacks are all done (so run the loop once more after closing).
 */
struct net_timers;

int net_timers_alloc(struct net_timers **ntp, uv_loop_t *loop, struct tmrl *tl);
void net_timers_close(struct net_timers *nt);

/* The loop's cached clock in milliseconds (uv_now). */
uint64_t net_now_ms(uv_loop_t *loop);

/*
 * net_resolv: asynchronous host name lookup (uv_getaddrinfo, the thread
 * pool) for outgoing connections. The handler runs once on the loop with
 * err 0 and up to NET_RESOLV_MAX addresses (IPv4 and IPv6, in the order the
 * system prefers) each with the given port, or with an errno value
 * (ENOENT no such name, ECANCELED after net_resolv_cancel, ...).
 * The caller holds a reference on *rp; net_resolv_cancel() makes sure the
 * handler is never called; mem_deref() then at any time.
 */
#define NET_RESOLV_MAX 8
#define NET_HOST_MAX 255

struct net_resolv;
typedef void(net_resolv_h)(int err, const struct sa *addrv, size_t addrc,
                           void *arg);

int net_resolve(struct net_resolv **rp, uv_loop_t *loop, const char *host,
                uint16_t port, net_resolv_h *rh, void *arg);
void net_resolv_cancel(struct net_resolv *r);

/* A libuv error (negative) as an errno value (positive). */
int net_uv_err(int uverr);

#endif
