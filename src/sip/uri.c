/* uri.c: SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966;
 * IPv6 references as clarified by RFC 5118). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/msg_int.h"

/* Longest IPv6 text form, IPv4-mapped tail included (INET6_ADDRSTRLEN). */
#define SIP_IPV6_TEXT_MAX 45
#define SIP_PORT_DIGITS_MAX 5

int sip_hostport_scan(const char *p, size_t len, size_t *ip, struct pl *host,
                      bool *ipv6, uint16_t *port)
{
	size_t i = *ip, s;
	uint32_t v = 0;
	int err = EBADMSG;

	*ipv6 = false;
	*port = 0;
	if (i < len && p[i] == '[') {
		char txt[SIP_IPV6_TEXT_MAX + 1];
		struct in6_addr a;
		const char *e = memchr(p + i, ']', len - i);

		if (!e || (size_t)(e - (p + i + 1)) > SIP_IPV6_TEXT_MAX)
			goto out;
		s = i + 1;
		memcpy(txt, p + s, (size_t)(e - (p + s)));
		txt[e - (p + s)] = '\0';
		/* RFC 5118 §4.10: "2001:db8:::192.0.2.1" is not an address;
		 * inet_pton accepts exactly the RFC 4291 text forms. */
		if (inet_pton(AF_INET6, txt, &a) != 1)
			goto out;
		host->p = p + s;
		host->l = (size_t)(e - (p + s));
		*ipv6 = true;
		i = (size_t)(e - p) + 1;
	} else {
		s = i;
		while (i < len && sip_is(p[i], SIP_C_HOST))
			i++;
		if (i == s)
			goto out;
		host->p = p + s;
		host->l = i - s;
	}
	if (i < len && p[i] == ':') {
		s = ++i;
		while (i < len && sip_is_digit(p[i]) &&
		       i - s < SIP_PORT_DIGITS_MAX) {
			v = v * 10 + (uint32_t)(p[i] - '0');
			i++;
		}
		if (i == s || v > UINT16_MAX || (i < len && sip_is_digit(p[i])))
			goto out;
		*port = (uint16_t)v;
	}
	*ip = i;
	err = 0;
out:
	return err;
}

/* Checks a URI component: every byte in cls, or a %HH escape. */
static bool uri_chars_ok(const char *p, size_t n, uint8_t cls,
                         const char *extra)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '%') {
			if (i + 2 >= n || !sip_is_hex(p[i + 1]) ||
			    !sip_is_hex(p[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (!sip_is(c, cls) && !(c && extra && strchr(extra, c)))
			return false;
	}
	return true;
}

static int uri_sip_decode(struct sip_uri *uri, const char *p, size_t len)
{
	const char *at = memchr(p, '@', len);
	size_t i = 0, s;
	int err = EBADMSG;

	if (at) {
		const char *colon;
		size_t ul = (size_t)(at - p);

		colon = memchr(p, ':', ul);
		uri->user.p = p;
		uri->user.l = colon ? (size_t)(colon - p) : ul;
		if (!uri->user.l ||
		    !uri_chars_ok(p, uri->user.l, SIP_C_UNRES | SIP_C_USER,
		                  NULL))
			goto out;
		if (colon) {
			uri->password.p = colon + 1;
			uri->password.l = (size_t)(at - colon - 1);
			if (!uri_chars_ok(uri->password.p, uri->password.l,
			                  SIP_C_UNRES | SIP_C_PASS, NULL))
				goto out;
		}
		i = ul + 1;
	}
	if (sip_hostport_scan(p, len, &i, &uri->host, &uri->ipv6, &uri->port))
		goto out;
	if (i < len && p[i] == ';') {
		s = i;
		while (i < len && p[i] != '?')
			i++;
		uri->params.p = p + s;
		uri->params.l = i - s;
		if (!uri_chars_ok(p + s, i - s, SIP_C_UNRES | SIP_C_PARAM,
		                  ";=") ||
		    sip_params_check(&uri->params))
			goto out;
	}
	if (i < len && p[i] == '?') {
		uri->headers.p = p + i;
		uri->headers.l = len - i;
		if (len - i < 2 || !uri_chars_ok(p + i + 1, len - i - 1,
		                                 SIP_C_UNRES | SIP_C_HNV, "=&"))
			goto out;
		i = len;
	}
	if (i != len)
		goto out;
	err = 0;
out:
	return err;
}

/* tel URI (RFC 3966): the number goes into user, parameters into params. */
static int uri_tel_decode(struct sip_uri *uri, const char *p, size_t len)
{
	const char *semi = memchr(p, ';', len);
	size_t nl = semi ? (size_t)(semi - p) : len;

	if (!nl || !uri_chars_ok(p, nl, SIP_C_UNRES | SIP_C_USER, NULL))
		return EBADMSG;
	uri->user.p = p;
	uri->user.l = nl;
	if (semi) {
		uri->params.p = semi;
		uri->params.l = len - nl;
		if (!uri_chars_ok(semi, len - nl, SIP_C_UNRES | SIP_C_PARAM,
		                  ";=") ||
		    sip_params_check(&uri->params))
			return EBADMSG;
	}
	return 0;
}

int sip_uri_decode(struct sip_uri *uri, const struct pl *pl)
{
	const char *p;
	size_t len, i = 0;
	int err = EBADMSG;

	if (!uri || !pl)
		return EINVAL;
	memset(uri, 0, sizeof(*uri));
	p = pl->p;
	len = pl->l;
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (!len || !((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))
		goto out;
	while (i < len && (sip_is(p[i], SIP_C_HOST) || p[i] == '+'))
		i++;
	if (i >= len || p[i] != ':' || i + 1 >= len)
		goto out;
	uri->scheme.p = p;
	uri->scheme.l = i;
	p += i + 1;
	len -= i + 1;
	if (!pl_strcasecmp(&uri->scheme, "sip") ||
	    !pl_strcasecmp(&uri->scheme, "sips")) {
		err = uri_sip_decode(uri, p, len);
		goto out;
	}
	if (!pl_strcasecmp(&uri->scheme, "tel")) {
		err = uri_tel_decode(uri, p, len);
		goto out;
	}
	/* Any other absoluteURI: no whitespace, quotes or angle brackets. */
	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)p[i];

		if (c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>')
			goto out;
	}
	err = 0;
out:
	return err;
}

int sip_uri_encode(struct mbuf *mb, const struct sip_uri *uri)
{
	int err;

	if (!mb || !uri || !pl_isset(&uri->scheme))
		return EINVAL;
	err = mbuf_printf(mb, "%.*s:", PL_FMT(&uri->scheme));
	if (!err && pl_isset(&uri->user)) {
		err = mbuf_write_pl(mb, &uri->user);
		if (!err && pl_isset(&uri->password))
			err = mbuf_printf(mb, ":%.*s", PL_FMT(&uri->password));
		if (!err && pl_isset(&uri->host))
			err = mbuf_write_str(mb, "@");
	}
	if (!err && pl_isset(&uri->host))
		err = mbuf_printf(mb, uri->ipv6 ? "[%.*s]" : "%.*s",
		                  PL_FMT(&uri->host));
	if (!err && uri->port)
		err = mbuf_printf(mb, ":%u", uri->port);
	if (!err && pl_isset(&uri->params))
		err = mbuf_write_pl(mb, &uri->params);
	if (!err && pl_isset(&uri->headers))
		err = mbuf_write_pl(mb, &uri->headers);
	return err;
}
