/* cand.c: the ICE and DTLS attributes: a=candidate (RFC 8839 section 5.1)
 * and a=fingerprint (RFC 8122 section 5). Views only, no allocation. */
#include <errno.h>
#include <string.h>

#include "sdp/sdp_int.h"

#define CAND_FOUNDATION_MAX 32 /* RFC 8839 section 5.1: 1*32ice-char */
#define CAND_COMPONENT_MAX 256 /* RFC 8445 section 5.1.2.1 */

static bool is_ice_chars(const struct pl *pl, size_t max)
{
	size_t i;

	if (!pl->l || pl->l > max)
		return false;
	for (i = 0; i < pl->l; i++) {
		char c = pl->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

static bool ends_with_local(const struct pl *addr)
{
	static const char sfx[] = ".local";
	struct pl tail;

	if (addr->l < sizeof(sfx))
		return false;
	tail.p = addr->p + addr->l - (sizeof(sfx) - 1);
	tail.l = sizeof(sfx) - 1;
	return !pl_strcasecmp(&tail, sfx);
}

int sdp_candidate_decode(struct sdp_candidate *c, const struct pl *val)
{
	struct pl rest, comp, prio, port, typ, key, v;
	uint32_t n;

	if (!c || !val)
		return EINVAL;
	memset(c, 0, sizeof(*c));
	rest = *val;
	if (sdp_tok(&c->foundation, &rest) || sdp_tok(&comp, &rest) ||
	    sdp_tok(&c->transport, &rest) || sdp_tok(&prio, &rest) ||
	    sdp_tok(&c->addr, &rest) || sdp_tok(&port, &rest) ||
	    sdp_tok(&typ, &rest) || sdp_tok(&c->type, &rest))
		return EBADMSG;
	if (!is_ice_chars(&c->foundation, CAND_FOUNDATION_MAX) || comp.l > 3 ||
	    pl_u32(&comp, &n) || !n || n > CAND_COMPONENT_MAX || prio.l > 10 ||
	    pl_u32(&prio, &c->priority) || sdp_port_decode(&c->port, &port) ||
	    pl_strcmp(&typ, "typ") || !sdp_is_token(&c->transport, 32) ||
	    !sdp_is_token(&c->type, 32))
		return EBADMSG;
	c->component = n;
	c->mdns = ends_with_local(&c->addr);
	/* [raddr <addr>] [rport <port>] then extension name/value pairs */
	for (;;) {
		struct pl save = rest;

		if (sdp_tok(&key, &rest))
			break;
		if (!pl_strcmp(&key, "raddr")) {
			if (sdp_tok(&c->raddr, &rest))
				return EBADMSG;
		} else if (!pl_strcmp(&key, "rport")) {
			if (sdp_tok(&v, &rest) ||
			    sdp_port_decode(&c->rport, &v))
				return EBADMSG;
		} else {
			c->ext = save;
			pl_trim(&c->ext);
			break;
		}
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sdp_fingerprint_decode(struct pl *hash, uint8_t *md, size_t *mdlen,
			   const struct pl *val)
{
	struct pl rest, hex, extra;
	size_t i, n = 0;

	if (!hash || !md || !mdlen || !val)
		return EINVAL;
	rest = *val;
	if (sdp_tok(hash, &rest) || sdp_tok(&hex, &rest) ||
	    !sdp_tok(&extra, &rest) || !sdp_is_token(hash, 16))
		return EBADMSG;
	/* 2UHEX *(":" 2UHEX); lower case accepted too (Firefox writes upper,
	 * some SIP stacks lower). */
	if ((hex.l + 1) % 3 || (hex.l + 1) / 3 > SDP_MAX_FP_BYTES)
		return EBADMSG;
	for (i = 0; i < hex.l; i += 3) {
		int hi = hexval(hex.p[i]), lo = hexval(hex.p[i + 1]);

		if (hi < 0 || lo < 0 || (i + 2 < hex.l && hex.p[i + 2] != ':'))
			return EBADMSG;
		md[n++] = (uint8_t)(hi << 4 | lo);
	}
	*mdlen = n;
	return 0;
}
