/* call_refer.c: what crosses from one leg to the other besides bodies:
 * an allow-list of header fields, and REFER (RFC 3515) in both
 * directions, whose Refer-To is rewritten into the referee's terms: a
 * blind transfer names a number on the PBX (toward a PBX) or on the
 * gateway's domain (toward a device); an attended one (RFC 3891 Replaces)
 * names the transferor's other call, mapped to the far leg of that call
 * (the leg whose peer the referee is to talk to). */
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

/*
 * The allow-listed headers of msg as "Name: value\r\n" lines. refer_id
 * (not 0) replaces the id of an "Event: refer" (RFC 3515 §2.4.6: the
 * CSeq of the REFER, which differs on each leg).
 */
int gw_cross_hdrs(char *buf, size_t size, const struct sip_msg *msg,
		  uint32_t refer_id)
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
		if (h->id == SIP_HDR_EVENT && refer_id && h->val.l >= 5 &&
		    !strncasecmp(h->val.p, "refer", 5) &&
		    (h->val.l == 5 || h->val.p[5] == ';' || h->val.p[5] == ' ')) {
			if (gw_fmt(buf + n, size - n, "Event: refer;id=%u\r\n",
				   refer_id))
				return EOVERFLOW;
			n += strlen(buf + n);
			continue;
		}
		if (gw_fmt(buf + n, size - n, "%s: %.*s\r\n", name,
			   PL_FMT(&h->val)))
			return EOVERFLOW;
		n += strlen(buf + n);
	}
	return 0;
}

void gw_refer_sent(struct gw_call *call, const struct gw_leg *to,
		   uint32_t out, uint32_t in)
{
	struct gw_refer_id *r = &call->refers[call->refer_next];

	r->to = to;
	r->out = out;
	r->in = in;
	call->refer_next = (call->refer_next + 1) % GW_REFER_MAX;
}

uint32_t gw_refer_id_in(const struct gw_call *call, const struct gw_leg *from,
			const struct sip_msg *notify)
{
	const struct sip_hdr *h = sip_msg_hdr(notify, SIP_HDR_EVENT);
	struct pl params, id;
	const char *semi;
	uint32_t out = 0;
	bool has_id = false;
	unsigned i, k;

	if (!h || h->val.l < 5 || strncasecmp(h->val.p, "refer", 5) ||
	    (h->val.l > 5 && h->val.p[5] != ';' && h->val.p[5] != ' '))
		return 0;
	semi = pl_chr(&h->val, ';');
	if (semi) {
		params.p = semi;
		params.l = (size_t)(h->val.p + h->val.l - semi);
		if (!sip_param_get(&params, "id", &id)) {
			if (pl_u32(&id, &out))
				return 0;
			has_id = true;
		}
	}
	/* newest first: without an id, the last REFER to that leg */
	for (k = 1; k <= GW_REFER_MAX; k++) {
		i = (call->refer_next + GW_REFER_MAX - k) % GW_REFER_MAX;
		if (call->refers[i].to == from && call->refers[i].in &&
		    (!has_id || call->refers[i].out == out))
			return call->refers[i].in;
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

/* Replaces=<callid>;to-tag=..;from-tag=.. (RFC 3891 §6.1), unescaped:
 * views into val. */
int gw_replaces_parse(const struct pl *val, struct pl *callid,
		      struct pl *totag, struct pl *fromtag)
{
	const char *semi = pl_chr(val, ';');
	struct pl params;

	if (!semi)
		return EBADMSG;
	callid->p = val->p;
	callid->l = (size_t)(semi - val->p);
	pl_trim(callid);
	params.p = semi;
	params.l = (size_t)(val->p + val->l - semi);
	if (!callid->l || sip_param_get(&params, "to-tag", totag) ||
	    sip_param_get(&params, "from-tag", fromtag) || !totag->l ||
	    !fromtag->l)
		return EBADMSG;
	return 0;
}

/* The leg with this Call-ID whose dialog has these two tags, in either
 * order (each end of a dialog sees them swapped). */
static struct gw_leg *leg_by_dialog(struct gw_calls *cs, const struct pl *id,
				    const struct pl *t1, const struct pl *t2)
{
	struct le *le;

	LIST_FOREACH(&cs->all, le) {
		struct gw_call *c = le->data;
		struct gw_leg *legv[2] = {c->a, c->b};
		size_t i;

		for (i = 0; i < 2; i++) {
			const struct gw_leg *l = legv[i];

			if (!l || !l->dlg || pl_strcmp(id, l->callid))
				continue;
			if ((!pl_strcmp(t1, l->dlg->ltag) &&
			     !pl_strcmp(t2, l->dlg->rtag)) ||
			    (!pl_strcmp(t1, l->dlg->rtag) &&
			     !pl_strcmp(t2, l->dlg->ltag)))
				return legv[i];
		}
	}
	return NULL;
}

static struct gw_leg *far_leg(const struct gw_leg *named)
{
	const struct gw_call *c = named->call;

	if (!c || c->state != GW_CALL_CONFIRMED)
		return NULL;
	return named == c->a ? c->b : c->a;
}

/*
 * The leg a device's INVITE with Replaces names: Replaces toward a device
 * never carries the far leg's own Call-ID or tags (they are the far
 * party's, or the PBX's: topology hiding) but the gateway's tag on that
 * leg, as Call-ID and to-tag (see refer_replaces()). NULL when unknown or
 * when its call is not up.
 */
struct gw_leg *gw_replaces_leg(struct gw_calls *cs, const struct pl *callid,
			       const struct pl *totag)
{
	struct le *le;

	if (!pl_eq(callid, totag))
		return NULL;
	LIST_FOREACH(&cs->all, le) {
		struct gw_call *c = le->data;
		struct gw_leg *legv[2] = {c->a, c->b};
		size_t i;

		if (c->state != GW_CALL_CONFIRMED)
			continue;
		for (i = 0; i < 2; i++)
			if (legv[i] && legv[i]->dlg &&
			    legv[i]->kind != GW_LEG_ECHO &&
			    !pl_strcmp(totag, legv[i]->ltag))
				return legv[i];
	}
	return NULL;
}

/* Tokens are compared with the token given out: same length, no
 * early exit (they stand for a dialog of the PBX). */
static bool token_eq(const struct pl *id, const char *tok)
{
	size_t i, n = strlen(tok);
	uint8_t d = 0;

	if (id->l != n || !n)
		return false;
	for (i = 0; i < n; i++)
		d |= (uint8_t)(id->p[i] ^ tok[i]);
	return !d;
}

int gw_xfer_token_take(struct gw_calls *cs, const struct pl *id,
		       const char *user, const void **connp, char *buf,
		       size_t size)
{
	uint64_t now = tmrl_now(cs->srv->tl);
	struct le *le;
	size_t i;

	LIST_FOREACH(&cs->all, le) {
		struct gw_call *c = le->data;

		for (i = 0; i < GW_XFER_TOKENS_MAX; i++) {
			struct gw_xfer_token *t = c->xfer[i];

			if (!t || !token_eq(id, t->id))
				continue;
			if (t->expires_ms < now || strcmp(t->user, user))
				return ENOENT;
			*connp = t->conn;
			t->id[0] = '\0'; /* one use */
			return gw_fmt(buf, size, "%s", t->replaces);
		}
	}
	return ENOENT;
}

/*
 * RFC 3891 toward a device for a PBX's own dialog that does not go
 * through the gateway (the PBX's REFER names its call with someone else):
 * the value is kept in the call under a new random token (at most
 * GW_XFER_TOKENS_MAX, the oldest given up) and the device gets the token
 * as Call-ID and to-tag, so none of the PBX's Call-ID and tags reach it.
 * Its INVITE with that token goes to the PBX with the value itself.
 */
static int xfer_token(struct gw_call *call, const struct gw_leg *from,
		      const struct gw_leg *to, const char *raw, char *buf,
		      size_t size)
{
	uint64_t now = tmrl_now(call->calls->srv->tl);
	struct gw_xfer_token *t;
	size_t i, k = 0;

	for (i = 0; raw[i]; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
			return EBADMSG; /* %0D%0A: no header injection */
	if (i >= sizeof(t->replaces) || !to->user[0])
		return EOVERFLOW;
	for (i = 0; i < GW_XFER_TOKENS_MAX; i++) {
		if (!call->xfer[i] || !call->xfer[i]->id[0] ||
		    call->xfer[i]->expires_ms < now) {
			k = i;
			break;
		}
		if (call->xfer[i]->expires_ms < call->xfer[k]->expires_ms)
			k = i;
	}
	if (!call->xfer[k])
		call->xfer[k] = mem_zalloc(sizeof(*t), NULL);
	t = call->xfer[k];
	if (!t)
		return ENOMEM;
	rand_pool_token(&call->calls->srv->tags, t->id, sizeof(t->id));
	snprintf(t->replaces, sizeof(t->replaces), "%s", raw);
	snprintf(t->user, sizeof(t->user), "%s", to->user);
	t->conn = from->conn;
	t->expires_ms = now + GW_XFER_TOKEN_MS;
	return gw_fmt(buf, size,
		      "?Replaces=%s%%3Bto-tag%%3D%s%%3Bfrom-tag%%3D%s", t->id,
		      t->id, to->ltag);
}

/*
 * The "?Replaces=..." URI header for the referee `to` (escaped, RFC 3261
 * §19.1.1) from the transferor's Replaces value (as it sent it, escaped):
 * the transferor named one of its own dialogs (a leg of the same kind as
 * the one its REFER came on); the referee is to join the far leg of that
 * leg's call.
 * - toward a PBX, when the far leg is a PBX leg on the same connection:
 *   it is named as the PBX knows it (its Call-ID, its tag as to-tag).
 * - toward a PBX, when the far leg is another device: named by the
 *   gateway's tags as toward a device, and *via_gw set: the Refer-To URI
 *   is then the gateway itself, whose leg the PBX's INVITE with Replaces
 *   reaches (call_in.c), and that device is rung with the real Replaces:
 *   the transfer is resolved inside the gateway.
 * - toward a device: the far leg is named by the gateway's own tag on it
 *   (Call-ID and to-tag), from-tag the gateway's tag on the referee's leg:
 *   the referee's INVITE comes to the gateway, which matches it
 *   (gw_replaces_leg()) and rings the far leg's peer with the real
 *   Replaces (call_out.c).
 * - toward a device, from a PBX naming a dialog the gateway does not
 *   know (the PBX's own call with someone else): an opaque token
 *   (xfer_token()).
 */
static int refer_replaces(struct gw_call *call, const struct gw_leg *from,
			  const struct gw_leg *to, const struct pl *esc,
			  char *buf, size_t size, bool *via_gw)
{
	char raw[GW_XFER_REPLACES_MAX];
	struct pl val, id, t1, t2;
	struct gw_leg *named, *far;
	int err = unescape(esc, raw, sizeof(raw));

	if (err)
		return err;
	pl_set_str(&val, raw);
	err = gw_replaces_parse(&val, &id, &t1, &t2);
	if (err)
		return err;
	named = leg_by_dialog(call->calls, &id, &t1, &t2);
	if (!named && from->kind == GW_LEG_PBX && to->kind == GW_LEG_DEVICE)
		return xfer_token(call, from, to, raw, buf, size);
	if (!named || named == from || named->kind != from->kind ||
	    (from->kind == GW_LEG_PBX && named->conn != from->conn))
		return ENOENT;
	far = far_leg(named);
	if (!far || !far->dlg || far->kind == GW_LEG_ECHO)
		return ENOENT;
	if (to->kind == GW_LEG_PBX && far->kind == GW_LEG_PBX) {
		/* RFC 3891 §3: tags as seen by the UA receiving the INVITE
		 * (the PBX): its own tag is to-tag, ours from-tag */
		if (far->conn != to->conn)
			return ENOENT;
		return gw_fmt(buf, size,
			      "?Replaces=%s%%3Bto-tag%%3D%s%%3Bfrom-tag%%3D%s",
			      far->callid, far->dlg->rtag, far->dlg->ltag);
	}
	if (to->kind == GW_LEG_PBX)
		*via_gw = true;
	return gw_fmt(buf, size,
		      "?Replaces=%s%%3Bto-tag%%3D%s%%3Bfrom-tag%%3D%s",
		      far->ltag, far->ltag, to->ltag);
}

/* A user part that may be written into a URI of ours as it is. */
static bool user_ok(const struct pl *u)
{
	size_t i;

	if (!u->l || u->l > STORE_NAME_MAX)
		return false;
	for (i = 0; i < u->l; i++)
		if (strchr("<>\"@;:?&= \t\r\n\\", u->p[i]))
			return false;
	return true;
}

/*
 * Builds the Refer-To line for the referee leg `to` from the REFER that
 * came on leg `from`: toward a PBX the number on the PBX's host (the
 * connection's Request-URI), or the gateway itself when an attended
 * transfer is resolved here (refer_replaces()); toward a device
 * sip:<user>@<our domain>, so the device's new INVITE comes back to the
 * gateway and is routed like any other. Returns 0, EBADMSG (no usable Refer-To), ENOENT (the call to
 * replace is unknown), EOVERFLOW.
 */
int gw_refer_to(struct gw_call *call, const struct gw_leg *from,
		const struct gw_leg *to, const struct sip_msg *msg, char *hdr,
		size_t size)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
	char uri[GW_URI_MAX], repl[768] = "";
	struct sip_addr a;
	struct pl number, rv;
	bool via_gw = false;
	int err;

	if (!h || sip_addr_decode(&a, &h->val) || !pl_isset(&a.uri.user) ||
	    !user_ok(&a.uri.user) ||
	    (pl_strcasecmp(&a.uri.scheme, "sip") &&
	     pl_strcasecmp(&a.uri.scheme, "sips")))
		return EBADMSG;
	number = a.uri.user;
	if (pl_isset(&a.uri.headers) && a.uri.headers.l > 1 &&
	    !sip_param_get(&(struct pl){a.uri.headers.p + 1,
					a.uri.headers.l - 1},
			   "Replaces", &rv)) {
		err = refer_replaces(call, from, to, &rv, repl, sizeof(repl),
				     &via_gw);
		if (err)
			return err;
	}
	if (via_gw) { /* our Contact on the PBX's leg, without < > */
		char c[GW_URI_MAX];

		err = gw_leg_contact((struct gw_leg *)to, c, sizeof(c));
		err = err || strlen(c) < 2
			  ? EOVERFLOW
			  : gw_fmt(uri, sizeof(uri), "%.*s",
				   (int)strlen(c) - 2, c + 1);
	} else if (to->kind == GW_LEG_PBX)
		err = gw_conn_request_uri(to->conn, &number, uri, sizeof(uri));
	else
		err = gw_fmt(uri, sizeof(uri), "sip:%.*s@%s", PL_FMT(&number),
			     call->calls->srv->cfg->sip.domain);
	return err ? err : gw_fmt(hdr, size, "Refer-To: <%s%s>\r\n", uri, repl);
}
