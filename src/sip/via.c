/* via.c: Via header field values (RFC 3261 §20.42, §18.2.1; RFC 3581
 * rport; IPv6 sent-by and received per RFC 5118 §4.5). */
#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* protocol-name / protocol-version / transport: tokens, LWS around '/'. */
static int via_proto_scan(const char *p, size_t len, size_t *ip,
                          struct pl *transport)
{
	size_t i = *ip, s = 0;
	int part;

	for (part = 0; part < 3; part++) {
		if (part) {
			i = sip_skip_lws(p, i, len);
			if (i >= len || p[i] != '/')
				return EBADMSG;
			i = sip_skip_lws(p, i + 1, len);
		}
		s = i;
		while (i < len && sip_is(p[i], SIP_C_TOKEN))
			i++;
		if (i == s)
			return EBADMSG;
	}
	transport->p = p + s;
	transport->l = i - s;
	*ip = i;
	return 0;
}

int sip_via_decode(struct sip_via *via, const struct pl *pl)
{
	const char *p;
	size_t len, i, s;
	struct pl name, val;
	int err = EBADMSG;

	if (!via || !pl)
		return EINVAL;
	memset(via, 0, sizeof(*via));
	via->val = *pl;
	p = pl->p;
	len = pl->l;
	i = sip_skip_lws(p, 0, len);
	if (via_proto_scan(p, len, &i, &via->proto))
		goto out;
	s = i;
	i = sip_skip_lws(p, i, len);
	if (i == s)
		goto out; /* sent-protocol LWS sent-by */
	if (sip_hostport_scan(p, len, &i, &via->host, &via->ipv6, &via->port))
		goto out;
	/* after sent-by only LWS and ";" via-params may follow */
	s = sip_skip_lws(p, i, len);
	if (s < len && p[s] != ';')
		goto out;
	via->params.p = p + i;
	via->params.l = len - i;
	s = 0;
	/* via-params: branch, received, rport, maddr, ttl, extensions. */
	while (!(err = sip_param_next(&via->params, &s, &name, &val))) {
		if (!pl_strcasecmp(&name, "branch"))
			via->branch = val;
		else if (!pl_strcasecmp(&name, "received"))
			via->received = val;
		else if (!pl_strcasecmp(&name, "rport")) {
			via->rport = true;
			via->rport_val = val;
		}
	}
	if (err != ENOENT) {
		err = EBADMSG;
		goto out;
	}
	/* The params view starts at the first ';' (trailing LWS dropped). */
	pl_trim(&via->params);
	err = 0;
out:
	return err;
}
