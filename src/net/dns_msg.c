/* dns_msg.c: the DNS reply parser (RFC 1035 §4.1 message format, §4.1.4
 * name compression; SRV RDATA RFC 2782, AAAA RFC 3596 §2.2). Pure: reads
 * only the bytes given, allocates nothing. */
#include <errno.h>
#include <string.h>

#include "net/dns.h"

#define DNS_HDR_LEN 12
#define DNS_PTR_MAX 32 /* compression jumps in one name */
#define DNS_CLASS_IN 1
#define DNS_QR 0x8000u    /* header flags: a response */
#define DNS_RCODE 0x000fu
#define DNS_RCODE_NXDOMAIN 3

struct rd {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

static int u16(struct rd *r, uint16_t *v)
{
	if (r->len - r->pos < 2)
		return EBADMSG;
	*v = (uint16_t)(r->buf[r->pos] << 8 | r->buf[r->pos + 1]);
	r->pos += 2;
	return 0;
}

static int u32(struct rd *r, uint32_t *v)
{
	uint16_t hi, lo;

	if (u16(r, &hi) || u16(r, &lo))
		return EBADMSG;
	*v = (uint32_t)hi << 16 | lo;
	return 0;
}

/*
 * Reads the name at r->pos (advancing past it in the record, not past
 * pointer targets) into out (size at least NET_DNS_NAME_MAX + 1, or NULL
 * to skip): labels joined by '.', the root as ".". Pointers must point
 * backwards (RFC 1035 §4.1.4: to a prior occurrence), which also rules
 * out loops; at most DNS_PTR_MAX of them.
 */
static int name(struct rd *r, char *out)
{
	size_t p = r->pos, n = 0, end = 0;
	unsigned jumps = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (p >= r->len)
			return EBADMSG;
		l = r->buf[p];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (p + 1 >= r->len || ++jumps > DNS_PTR_MAX)
				return EBADMSG;
			to = (size_t)(l & 0x3f) << 8 | r->buf[p + 1];
			if (to >= p)
				return EBADMSG;
			if (!jumped)
				end = p + 2;
			jumped = true;
			p = to;
			continue;
		}
		if (l & 0xc0) /* 01 and 10: reserved (RFC 6891 §5) */
			return EBADMSG;
		p++;
		if (!l)
			break;
		if (l > r->len - p || n + l + 1 > NET_DNS_NAME_MAX)
			return EBADMSG;
		if (out) {
			if (n)
				out[n++] = '.';
			memcpy(out + n, r->buf + p, l);
		} else if (n) {
			n++;
		}
		n += l;
		p += l;
	}
	if (out) {
		if (!n)
			out[n++] = '.';
		out[n] = '\0';
	}
	r->pos = jumped ? end : p;
	return 0;
}

/* The RDATA of one answer record of the asked type into rr. */
static int rdata(struct rd *r, uint16_t type, size_t rdlen,
		 struct net_dns_rr *rr)
{
	struct rd sub = {r->buf, r->pos + rdlen, r->pos};
	int err = 0;

	switch (type) {
	case NET_DNS_A:
		if (rdlen != 4)
			return EBADMSG;
		sa_init(&rr->addr, AF_INET);
		memcpy(&rr->addr.u.in.sin_addr, r->buf + r->pos, 4);
		break;
	case NET_DNS_AAAA:
		if (rdlen != 16)
			return EBADMSG;
		sa_init(&rr->addr, AF_INET6);
		memcpy(&rr->addr.u.in6.sin6_addr, r->buf + r->pos, 16);
		break;
	case NET_DNS_SRV: /* RFC 2782: priority, weight, port, target */
		err = u16(&sub, &rr->prio);
		err = err ? err : u16(&sub, &rr->weight);
		err = err ? err : u16(&sub, &rr->port);
		/* the target must end inside RDATA; pointers may leave it */
		err = err ? err : name(&sub, rr->target);
		if (!err && sub.pos != sub.len)
			err = EBADMSG;
		break;
	default:
		break;
	}
	return err;
}

int net_dns_reply_decode(const uint8_t *buf, size_t len, uint16_t qtype,
			 struct net_dns_rr *rrv, size_t *rrc, uint32_t *ttl)
{
	struct rd r = {buf, len, 0};
	uint16_t id, flags, qd, an, type, cls, rdlen;
	size_t max, n = 0;
	uint32_t t;
	int err = 0;

	if (!buf || !rrv || !rrc || !ttl)
		return EINVAL;
	max = *rrc;
	*rrc = 0;
	*ttl = UINT32_MAX;
	if (len < DNS_HDR_LEN)
		return EBADMSG;
	u16(&r, &id);
	u16(&r, &flags);
	u16(&r, &qd);
	u16(&r, &an);
	r.pos = DNS_HDR_LEN; /* NSCOUNT and ARCOUNT: not read */
	(void)id;
	if (!(flags & DNS_QR))
		return EBADMSG;
	if ((flags & DNS_RCODE) == DNS_RCODE_NXDOMAIN)
		return ENOENT;
	if (flags & DNS_RCODE)
		return EAGAIN;
	for (uint16_t i = 0; i < qd && !err; i++) {
		err = name(&r, NULL);
		err = err ? err : u16(&r, &type);
		err = err ? err : u16(&r, &cls);
	}
	for (uint16_t i = 0; i < an && !err; i++) {
		struct net_dns_rr *rr = n < max ? &rrv[n] : NULL;

		err = name(&r, NULL);
		err = err ? err : u16(&r, &type);
		err = err ? err : u16(&r, &cls);
		err = err ? err : u32(&r, &t);
		err = err ? err : u16(&r, &rdlen);
		if (!err && rdlen > len - r.pos)
			err = EBADMSG;
		if (err)
			break;
		if (type == qtype && cls == DNS_CLASS_IN && rr) {
			memset(rr, 0, sizeof(*rr));
			rr->type = type;
			rr->ttl = t & 0x7fffffffu; /* RFC 2181 §8 */
			err = rdata(&r, type, rdlen, rr);
			if (!err) {
				*ttl = SC_MIN(*ttl, rr->ttl);
				n++;
			}
		}
		r.pos += rdlen;
	}
	if (err)
		return err;
	*rrc = n;
	return 0;
}

uint32_t net_dns_ttl_clamp(uint32_t ttl)
{
	return SC_MIN(SC_MAX(ttl, (uint32_t)NET_DNS_TTL_FLOOR),
		      (uint32_t)NET_DNS_TTL_CEIL);
}
