/* sa.c: IPv4/IPv6 socket address parsing, printing and comparison. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/net.h"

void sa_init(struct sa *sa, int af)
{
	memset(sa, 0, sizeof(*sa));
	sa->u.sa.sa_family = (sa_family_t)af;
}

/* host is a NUL-terminated literal, maybe in brackets for IPv6. */
static int set_literal(struct sa *sa, const char *host, size_t len,
                       uint16_t port)
{
	char buf[SA_ADDR_MAX];

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
		if (!memchr(host, ':', len))
			return EINVAL; /* brackets only around IPv6 */
	}
	if (!len || len >= sizeof(buf))
		return EINVAL;
	memcpy(buf, host, len);
	buf[len] = '\0';

	sa_init(sa, AF_INET);
	if (inet_pton(AF_INET, buf, &sa->u.in.sin_addr) == 1) {
		sa->u.in.sin_port = htons(port);
		return 0;
	}
	sa_init(sa, AF_INET6);
	if (inet_pton(AF_INET6, buf, &sa->u.in6.sin6_addr) == 1) {
		sa->u.in6.sin6_port = htons(port);
		return 0;
	}
	sa_init(sa, AF_UNSPEC);
	return EINVAL;
}

int sa_set(struct sa *sa, const char *host, uint16_t port)
{
	if (!sa || !host)
		return EINVAL;
	return set_literal(sa, host, strlen(host), port);
}

static int parse_port(const char *p, size_t len, uint16_t *portp)
{
	uint32_t v = 0;
	size_t i;

	if (!len || len > 5)
		return EINVAL;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return EINVAL;
		v = v * 10 + (uint32_t)(p[i] - '0');
	}
	if (v > 65535)
		return EINVAL;
	*portp = (uint16_t)v;
	return 0;
}

int sa_decode(struct sa *sa, const char *str, size_t len)
{
	const char *colon = NULL;
	uint16_t port = 0;
	size_t hlen = len;
	int err;

	if (!sa || !str || !len)
		return EINVAL;
	if (str[0] == '[') {
		const char *rb = memchr(str, ']', len);

		if (!rb)
			return EINVAL;
		hlen = (size_t)(rb - str) + 1;
		if (hlen < len) {
			if (str[hlen] != ':')
				return EINVAL;
			colon = str + hlen;
		}
	} else {
		const char *c = memchr(str, ':', len);

		/* More than one colon without brackets: a bare IPv6. */
		if (c && !memchr(c + 1, ':', len - (size_t)(c - str) - 1)) {
			colon = c;
			hlen = (size_t)(c - str);
		}
	}
	if (colon) {
		err = parse_port(colon + 1, len - (size_t)(colon - str) - 1,
		                 &port);
		if (err)
			return err;
	}
	return set_literal(sa, str, hlen, port);
}

int sa_set_sockaddr(struct sa *sa, const struct sockaddr *s)
{
	if (!sa || !s)
		return EINVAL;
	switch (s->sa_family) {
	case AF_INET:
		sa_init(sa, AF_INET);
		memcpy(&sa->u.in, s, sizeof(sa->u.in));
		return 0;
	case AF_INET6:
		sa_init(sa, AF_INET6);
		memcpy(&sa->u.in6, s, sizeof(sa->u.in6));
		return 0;
	default:
		return EAFNOSUPPORT;
	}
}

const struct sockaddr *sa_sockaddr(const struct sa *sa)
{
	return &sa->u.sa;
}

socklen_t sa_len(const struct sa *sa)
{
	switch (sa_family(sa)) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

int sa_family(const struct sa *sa)
{
	return sa ? sa->u.sa.sa_family : AF_UNSPEC;
}

bool sa_isset(const struct sa *sa)
{
	int af = sa_family(sa);

	return af == AF_INET || af == AF_INET6;
}

void sa_unmap(struct sa *dst, const struct sa *src)
{
	const struct in6_addr *a6 = &src->u.in6.sin6_addr;

	if (sa_family(src) != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(a6)) {
		*dst = *src;
		return;
	}
	sa_init(dst, AF_INET);
	memcpy(&dst->u.in.sin_addr, &a6->s6_addr[12], 4);
	dst->u.in.sin_port = src->u.in6.sin6_port;
}

uint16_t sa_port(const struct sa *sa)
{
	switch (sa_family(sa)) {
	case AF_INET:
		return ntohs(sa->u.in.sin_port);
	case AF_INET6:
		return ntohs(sa->u.in6.sin6_port);
	default:
		return 0;
	}
}

void sa_set_port(struct sa *sa, uint16_t port)
{
	switch (sa_family(sa)) {
	case AF_INET:
		sa->u.in.sin_port = htons(port);
		break;
	case AF_INET6:
		sa->u.in6.sin6_port = htons(port);
		break;
	default:
		break;
	}
}

bool sa_is_any(const struct sa *sa)
{
	switch (sa_family(sa)) {
	case AF_INET:
		return sa->u.in.sin_addr.s_addr == htonl(INADDR_ANY);
	case AF_INET6:
		return IN6_IS_ADDR_UNSPECIFIED(&sa->u.in6.sin6_addr);
	default:
		return true;
	}
}

bool sa_is_loopback(const struct sa *sa)
{
	switch (sa_family(sa)) {
	case AF_INET:
		return (ntohl(sa->u.in.sin_addr.s_addr) >> 24) == 127;
	case AF_INET6:
		return IN6_IS_ADDR_LOOPBACK(&sa->u.in6.sin6_addr);
	default:
		return false;
	}
}

int sa_ntop(const struct sa *sa, char *buf, size_t size)
{
	char tmp[SA_ADDR_MAX];
	const void *addr;
	size_t n;

	if (!sa || !buf || !size)
		return EINVAL;
	if (sa_family(sa) == AF_INET)
		addr = &sa->u.in.sin_addr;
	else if (sa_family(sa) == AF_INET6)
		addr = &sa->u.in6.sin6_addr;
	else
		return EINVAL;
	if (!inet_ntop(sa_family(sa), addr, tmp, sizeof(tmp)))
		return EINVAL;
	n = strlen(tmp);
	if (n >= size)
		return EOVERFLOW;
	memcpy(buf, tmp, n + 1);
	return 0;
}

int sa_str(const struct sa *sa, char *buf, size_t size)
{
	char host[SA_ADDR_MAX];
	int err, n;

	err = sa_ntop(sa, host, sizeof(host));
	if (err)
		return err;
	if (sa_family(sa) == AF_INET6)
		n = snprintf(buf, size, "[%s]:%u", host, sa_port(sa));
	else
		n = snprintf(buf, size, "%s:%u", host, sa_port(sa));
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

bool sa_cmp_addr(const struct sa *a, const struct sa *b)
{
	if (!a || !b || sa_family(a) != sa_family(b))
		return false;
	switch (sa_family(a)) {
	case AF_INET:
		return a->u.in.sin_addr.s_addr == b->u.in.sin_addr.s_addr;
	case AF_INET6:
		return !memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr,
		               sizeof(a->u.in6.sin6_addr)) &&
		       a->u.in6.sin6_scope_id == b->u.in6.sin6_scope_id;
	default:
		return true; /* both unset */
	}
}

bool sa_cmp(const struct sa *a, const struct sa *b)
{
	return sa_cmp_addr(a, b) && sa_port(a) == sa_port(b);
}

uint32_t sa_hash(const struct sa *sa, bool with_port)
{
	uint32_t h = 0;
	uint16_t port = sa_port(sa);

	switch (sa_family(sa)) {
	case AF_INET:
		h = hash_fnv(&sa->u.in.sin_addr, sizeof(sa->u.in.sin_addr));
		break;
	case AF_INET6:
		h = hash_fnv(&sa->u.in6.sin6_addr, sizeof(sa->u.in6.sin6_addr));
		break;
	default:
		break;
	}
	if (with_port)
		h ^= hash_fnv(&port, sizeof(port));
	return h;
}

int net_uv_err(int uverr)
{
	return uverr < 0 ? -uverr : uverr;
}
