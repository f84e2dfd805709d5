/* addr.c: name-addr / addr-spec values with header parameters (From, To,
 * Contact, Route, ...: RFC 3261 §20.10, §20.20, §20.39, §25.1). */
#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* Decodes the URI when its scheme is one we route on; other schemes (RFC
 * 4475 §3.3.4 "isbn:", "name:") are kept as written, scheme only. */
static int addr_uri_decode(struct sip_addr *addr)
{
	return sip_uri_decode(&addr->uri, &addr->auri);
}

/* display-name as *(token LWS): every byte token or LWS. */
static bool addr_dname_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!sip_is(p[i], SIP_C_TOKEN) && !sip_is_lws(p[i]))
			return false;
	return true;
}

int sip_addr_decode(struct sip_addr *addr, const struct pl *pl)
{
	const char *p, *lt;
	size_t len, i, e;
	int err = EBADMSG;

	if (!addr || !pl)
		return EINVAL;
	memset(addr, 0, sizeof(*addr));
	p = pl->p;
	len = pl->l;
	i = sip_skip_lws(p, 0, len);
	if (i >= len)
		goto out;
	if (p[i] == '"') {
		if (sip_quoted_scan(p, i, len, &e))
			goto out;
		addr->dname.p = p + i + 1;
		addr->dname.l = e - i - 2;
		i = sip_skip_lws(p, e, len);
		if (i >= len || p[i] != '<')
			goto out;
	} else if ((lt = memchr(p + i, '<', len - i)) != NULL &&
	           !memchr(p + i, ';', (size_t)(lt - (p + i)))) {
		/* name-addr with a token display name (maybe none) */
		size_t dl = (size_t)(lt - (p + i));

		if (!addr_dname_ok(p + i, dl))
			goto out;
		addr->dname.p = p + i;
		addr->dname.l = dl;
		pl_trim(&addr->dname);
		i = (size_t)(lt - p);
	}
	if (p[i] == '<') {
		const char *gt = memchr(p + i, '>', len - i);

		if (!gt)
			goto out;
		addr->auri.p = p + i + 1;
		addr->auri.l = (size_t)(gt - (p + i + 1));
		/* RFC 4475 §3.1.2.14: be liberal with LWS inside < >. */
		pl_trim(&addr->auri);
		i = (size_t)(gt - p) + 1;
	} else {
		/* addr-spec: the URI ends at the first ';' (header parameters
		 * follow) and may hold no ',', '?' (RFC 3261 §20.10). */
		e = i;
		while (e < len && p[e] != ';' && !sip_is_lws(p[e])) {
			if (p[e] == ',' || p[e] == '?' || p[e] == '"' ||
			    p[e] == '<' || p[e] == '>')
				goto out;
			e++;
		}
		addr->auri.p = p + i;
		addr->auri.l = e - i;
		i = e;
	}
	if (!addr->auri.l || addr_uri_decode(addr))
		goto out;
	addr->params.p = p + i;
	addr->params.l = len - i;
	pl_trim(&addr->params);
	if (addr->params.l && addr->params.p[0] != ';')
		goto out;
	if (sip_params_check(&addr->params))
		goto out;
	if (sip_param_get(&addr->params, "tag", &addr->tag) == 0 &&
	    !addr->tag.l)
		goto out; /* "tag" without a value */
	err = 0;
out:
	return err;
}

int sip_addr_encode(struct mbuf *mb, const struct sip_addr *addr)
{
	int err = 0;

	if (!mb || !addr)
		return EINVAL;
	if (pl_isset(&addr->dname))
		err = mbuf_printf(mb, "\"%.*s\" ", PL_FMT(&addr->dname));
	if (!err)
		err = mbuf_write_str(mb, "<");
	if (!err)
		err = pl_isset(&addr->uri.scheme) && pl_isset(&addr->uri.host)
		          ? sip_uri_encode(mb, &addr->uri)
		          : mbuf_write_pl(mb, &addr->auri);
	if (!err)
		err = mbuf_write_str(mb, ">");
	if (!err && pl_isset(&addr->params))
		err = mbuf_write_pl(mb, &addr->params);
	return err;
}
