/* call_refer.c: what crosses from one leg to the other besides bodies:
 * an allow-list of header fields, and REFER (RFC 3515) from a device to
 * its PBX, whose Refer-To is rewritten into the PBX's terms: a blind
 * transfer names a number on the PBX; an attended one (RFC 3891 Replaces)
 * names the device's other call, which becomes the PBX leg of that call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw/call.h"
#include "gw/conn.h"

/* RFC 6665 subscription state (REFER's NOTIFYs), RFC 3326 Reason,
 * Subject, RFC 6086 Info-Package. Nothing else crosses. */
static const char *const cross_hdrs[] = {
	"Event", "Subscription-State", "Reason", "Subject", "Info-Package",
};

int gw_cross_hdrs(char *buf, size_t size, const struct sip_msg *msg)
{
	size_t i, j, n = 0;

	buf[0] = '\0';
	for (i = 0; i < msg->hdrc; i++) {
		const struct sip_hdr *h = &msg->hdrv[i];
		const char *name = NULL;

		if (h->id == SIP_HDR_EVENT)
			name = "Event";
		else if (h->id == SIP_HDR_REASON)
			name = "Reason";
		else if (h->id == SIP_HDR_SUBJECT)
			name = "Subject";
		for (j = 0; !name && j < SC_ARRAY_SIZE(cross_hdrs); j++)
			if (!pl_strcasecmp(&h->name, cross_hdrs[j]))
				name = cross_hdrs[j];
		if (!name || pl_chr(&h->val, '\r') || pl_chr(&h->val, '\n'))
			continue;
		if (gw_fmt(buf + n, size - n, "%s: %.*s\r\n", name,
			   PL_FMT(&h->val)))
			return EOVERFLOW;
		n += strlen(buf + n);
	}
	return 0;
}

/* %XX decoding of a URI header value (RFC 3261 §19.1.1, §25.1). */
static int unescape(const struct pl *in, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < in->l; i++) {
		char c = in->p[i];

		if (c == '%' && i + 2 < in->l) {
			char hex[3] = {in->p[i + 1], in->p[i + 2], 0};
			char *end;
			long v = strtol(hex, &end, 16);

			if (*end || v <= 0)
				return EBADMSG;
			c = (char)v;
			i += 2;
		}
		if (n + 1 >= size)
			return EOVERFLOW;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

/* The call whose device-side leg has this Call-ID (the device's own view
 * of its other call). */
static struct gw_call *call_by_leg_callid(struct gw_calls *cs,
					  const char *callid)
{
	struct le *le;

	LIST_FOREACH(&cs->all, le) {
		struct gw_call *c = le->data;

		if (!strcmp(c->a->callid, callid) ||
		    (c->b && !strcmp(c->b->callid, callid)))
			return c;
	}
	return NULL;
}

/* The PBX-side leg of call (the one that is not the device's). */
static struct gw_leg *pbx_leg(struct gw_call *call)
{
	if (call->a->kind == GW_LEG_PBX)
		return call->a;
	return call->b && call->b->kind == GW_LEG_PBX ? call->b : NULL;
}

/* Replaces=<callid>;to-tag=..;from-tag=.. of the device's other call,
 * as the PBX knows that call: its Call-ID and tags on our PBX leg. */
static int replaces_for_pbx(struct gw_calls *cs, const struct pl *esc,
			    char *buf, size_t size)
{
	char raw[512], callid[256];
	const char *semi;
	struct gw_call *other;
	struct gw_leg *p;
	int err = unescape(esc, raw, sizeof(raw));

	if (err)
		return err;
	semi = strchr(raw, ';');
	if (!semi || (size_t)(semi - raw) >= sizeof(callid))
		return EBADMSG;
	memcpy(callid, raw, (size_t)(semi - raw));
	callid[semi - raw] = '\0';
	other = call_by_leg_callid(cs, callid);
	p = other ? pbx_leg(other) : NULL;
	if (!p || !p->dlg)
		return ENOENT;
	/* RFC 3891 §3: tags as seen by the UA receiving the INVITE (the
	 * PBX): its own tag is to-tag, ours from-tag; escaped for the URI */
	return gw_fmt(buf, size, "?Replaces=%s%%3Bto-tag%%3D%s%%3Bfrom-tag%%3D%s",
		      p->callid, p->dlg->rtag, p->dlg->ltag);
}

/*
 * Builds the Refer-To line for the PBX from a device's REFER. Returns 0,
 * EBADMSG (no usable Refer-To), ENOENT (the call to replace is unknown).
 */
int gw_refer_to_pbx(struct gw_call *call, const struct gw_leg *to,
		    const struct sip_msg *msg, char *hdr, size_t size)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
	char uri[GW_URI_MAX], repl[768] = "";
	struct sip_addr a;
	struct pl number, rv;
	int err;

	if (!h || sip_addr_decode(&a, &h->val) || !pl_isset(&a.uri.user))
		return EBADMSG;
	number = a.uri.user;
	if (pl_isset(&a.uri.headers) &&
	    !sip_param_get(&(struct pl){a.uri.headers.p + 1,
					a.uri.headers.l - 1},
			   "Replaces", &rv)) {
		err = replaces_for_pbx(call->calls, &rv, repl, sizeof(repl));
		if (err)
			return err;
	}
	err = gw_conn_request_uri(to->conn, &number, uri, sizeof(uri));
	return err ? err : gw_fmt(hdr, size, "Refer-To: <%s%s>\r\n", uri, repl);
}
