/* registrar_req.c: REGISTER processing (RFC 3261 §10.3 steps 6-8, RFC 5626
 * §6 instance and reg-id bindings): parse, check, then commit all or
 * nothing. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/registrar_int.h"
#include "sip/transp.h"

/* One Contact of the request, parsed and checked. */
struct req_contact {
	struct pl uri; /* as written, without < > */
	struct sip_uri puri;
	struct pl params;   /* header params as written */
	struct pl instance; /* +sip.instance, as written (quotes kept) */
	uint32_t reg_id;    /* 0: none or ignored */
	uint32_t expires;   /* clamped; 0: remove */
	bool superseded;    /* a later Contact of the request has its key */
	struct reg_binding *match; /* the binding it updates, or NULL */
	struct reg_binding *nb;    /* prepared binding (expires > 0) */
};

struct req_ctx {
	struct sip_registrar *reg;
	struct reg_aor *aor;
	const struct sip_msg *req;
	struct sip_flow *flow;
	struct sip_reg_reply *rep;
	struct req_contact cv[SIP_REG_CONTACTS_LIMIT];
	size_t cc;
	bool star;
	bool outbound; /* a reg-id was honoured (RFC 5626 §6) */
	uint32_t min_expires;
};

static void set_reply(struct req_ctx *ctx, uint16_t scode, const char *reason)
{
	ctx->rep->scode = scode;
	ctx->rep->reason = reason;
}

/* delta-seconds (RFC 3261 §20.19, §25.1): a value over 2^32-1 is 2^32-1. */
static int delta_seconds(const struct pl *pl, uint32_t *v)
{
	struct pl t = *pl;
	int err;

	pl_trim(&t);
	err = pl_u32(&t, v);
	if (err == EOVERFLOW) {
		*v = UINT32_MAX;
		err = 0;
	}
	return err;
}

/* Copies ';'-separated params (quoted strings kept whole) without the
 * expires parameter, each as ";" token. 0 or EOVERFLOW. */
static int params_copy(char *buf, size_t size, const struct pl *params)
{
	const char *p = params->p, *end = params->p + params->l;
	size_t n = 0;

	while (p < end) {
		const char *s, *e, *ne;
		bool quoted = false;

		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		s = p;
		while (p < end && (quoted || *p != ';')) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == '\\' && quoted && p + 1 < end)
				p++;
			p++;
		}
		e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e == s)
			continue;
		for (ne = s; ne < e && *ne != '=' && *ne != ' ' && *ne != '\t';
		     ne++)
			;
		if (ne - s == 7 && !strncasecmp(s, "expires", 7))
			continue;
		if (n + 1 + (size_t)(e - s) >= size)
			return EOVERFLOW;
		buf[n++] = ';';
		memcpy(buf + n, s, (size_t)(e - s));
		n += (size_t)(e - s);
	}
	buf[n] = '\0';
	return 0;
}

/* RFC 3261 §19.1.4, simplified to what a registrar compares: scheme, user
 * and password exactly, host case-insensitively, the port as written (an
 * absent port does not equal an explicit 5060); URI parameters ignored. */
static bool uri_eq(const struct sip_uri *a, const struct sip_uri *b)
{
	return pl_caseeq(&a->scheme, &b->scheme) && pl_eq(&a->user, &b->user) &&
	       pl_eq(&a->password, &b->password) &&
	       pl_caseeq(&a->host, &b->host) && a->port == b->port;
}

static bool binding_uri_eq(const struct reg_binding *b, const struct sip_uri *u)
{
	struct sip_uri bu;
	struct pl pl;

	pl_set_str(&pl, b->uri);
	return !sip_uri_decode(&bu, &pl) && uri_eq(&bu, u);
}

/* The binding key: instance and reg-id when an instance is given (RFC 5626
 * §6, RFC 5627 §6), else the contact URI (RFC 3261 §10.3 step 7). */
static bool same_key(const struct req_contact *x, const struct req_contact *y)
{
	if (pl_isset(&x->instance) || pl_isset(&y->instance))
		return pl_eq(&x->instance, &y->instance) &&
		       x->reg_id == y->reg_id;
	return uri_eq(&x->puri, &y->puri);
}

static struct reg_binding *find_match(const struct reg_aor *a,
				      const struct req_contact *rc)
{
	struct le *le;

	LIST_FOREACH(&a->bindings, le)
	{
		struct reg_binding *b = le->data;

		if (pl_isset(&rc->instance)) {
			if (b->instance &&
			    !pl_strcmp(&rc->instance, b->instance) &&
			    b->reg_id == rc->reg_id)
				return b;
		} else if (!b->instance && binding_uri_eq(b, &rc->puri)) {
			return b;
		}
	}
	return NULL;
}

static size_t via_count(const struct sip_msg *m)
{
	const struct sip_hdr *h;
	size_t n = 0;

	for (h = sip_msg_hdr(m, SIP_HDR_VIA); h;
	     h = sip_msg_hdr_next(m, h, SIP_HDR_VIA))
		n++;
	return n;
}

/* Parses one Contact value into rc. Returns 0 or sets the reply (400, 423,
 * 439) and returns EBADMSG. */
static int parse_contact(struct req_ctx *ctx, const struct pl *val,
			 const uint32_t *hdr_expires, struct req_contact *rc)
{
	const struct sip_reg_conf *conf = &ctx->reg->conf;
	struct sip_addr addr;
	struct pl v;
	uint32_t exp = hdr_expires ? *hdr_expires : conf->expires_default;

	memset(rc, 0, sizeof(*rc));
	if (sip_addr_decode(&addr, val) ||
	    (pl_strcasecmp(&addr.uri.scheme, "sip") &&
	     pl_strcasecmp(&addr.uri.scheme, "sips")) ||
	    !pl_isset(&addr.uri.host))
		goto bad;
	if (addr.auri.l >= SIP_REG_URI_MAX ||
	    addr.params.l >= SIP_REG_PARAMS_MAX)
		goto bad;
	rc->uri = addr.auri;
	rc->params = addr.params;
	rc->puri = addr.uri;
	/* §10.3 step 7: the expires parameter, else the Expires header. */
	if (!sip_param_get(&addr.params, "expires", &v) &&
	    delta_seconds(&v, &exp))
		goto bad;
	/* RFC 5626 §6: reg-id only counts together with +sip.instance. */
	if (!sip_param_get(&addr.params, "+sip.instance", &v) && v.l) {
		rc->instance = v;
		if (!sip_param_get(&addr.params, "reg-id", &v)) {
			if (pl_u32(&v, &rc->reg_id) || !rc->reg_id)
				goto bad;
			/* Only the first hop may accept a flow (no Path). */
			if (via_count(ctx->req) > 1) {
				set_reply(ctx, 439,
					  "First Hop Lacks Outbound Support");
				return EBADMSG;
			}
			ctx->outbound = true;
		}
	}
	if (exp && exp < conf->expires_min) {
		set_reply(ctx, 423, "Interval Too Brief");
		ctx->min_expires = conf->expires_min;
		return EBADMSG;
	}
	rc->expires = SC_MIN(exp, conf->expires_max);
	return 0;
bad:
	set_reply(ctx, 400, "Bad Contact");
	return EBADMSG;
}

/* Collects the Contacts (§10.3 step 6 for "*"). Returns 0 or EBADMSG with
 * the reply set. */
static int parse_contacts(struct req_ctx *ctx)
{
	const struct sip_msg *m = ctx->req;
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_EXPIRES);
	uint32_t hexp = 0;
	size_t i, j;
	int err;

	if (h && delta_seconds(&h->val, &hexp)) {
		set_reply(ctx, 400, "Bad Expires");
		return EBADMSG;
	}
	for (h = sip_msg_hdr(m, SIP_HDR_CONTACT); h;
	     h = sip_msg_hdr_next(m, h, SIP_HDR_CONTACT)) {
		if (!pl_strcmp(&h->val, "*")) {
			ctx->star = true;
			continue;
		}
		if (ctx->cc == SIP_REG_CONTACTS_LIMIT ||
		    ctx->cc == ctx->reg->conf.contacts_max) {
			set_reply(ctx, 403, "Too Many Contacts");
			return EBADMSG;
		}
		err = parse_contact(ctx, &h->val,
				    sip_msg_hdr(m, SIP_HDR_EXPIRES) ? &hexp
								    : NULL,
				    &ctx->cv[ctx->cc]);
		if (err)
			return err;
		ctx->cc++;
	}
	/* §10.3 step 6: "*" only alone and only with Expires: 0. */
	if (ctx->star &&
	    (ctx->cc || !sip_msg_hdr(m, SIP_HDR_EXPIRES) || hexp)) {
		set_reply(ctx, 400, "Invalid Wildcard Contact");
		return EBADMSG;
	}
	for (i = 0; i < ctx->cc; i++)
		for (j = i + 1; j < ctx->cc; j++)
			if (same_key(&ctx->cv[i], &ctx->cv[j]))
				ctx->cv[i].superseded = true;
	return 0;
}

/* §10.3 steps 6 and 7: a binding with the same Call-ID needs a higher CSeq;
 * otherwise the whole request fails. */
static bool in_order(const struct req_ctx *ctx, const struct reg_binding *b)
{
	return pl_strcmp(&ctx->req->callid, b->callid) ||
	       ctx->req->cseq.num > b->cseq;
}

static int remove_all(struct req_ctx *ctx)
{
	struct le *le;

	LIST_FOREACH(&ctx->aor->bindings, le)
	{
		if (!in_order(ctx, le->data)) {
			set_reply(ctx, 500, "Out of Order");
			return 0;
		}
	}
	while ((le = ctx->aor->bindings.head))
		reg_binding_remove(le->data, true);
	return 0;
}

/* Checks ordering and limits. Returns 0 or EBADMSG with the reply set. */
static int check(struct req_ctx *ctx)
{
	size_t i, n = list_count(&ctx->aor->bindings), added = 0, gone = 0;
	const struct sip_reg_conf *conf = &ctx->reg->conf;

	for (i = 0; i < ctx->cc; i++) {
		struct req_contact *rc = &ctx->cv[i];

		if (rc->superseded)
			continue;
		rc->match = find_match(ctx->aor, rc);
		if (rc->match && !in_order(ctx, rc->match)) {
			set_reply(ctx, 500, "Out of Order");
			return EBADMSG;
		}
		if (rc->expires && !rc->match)
			added++;
		else if (!rc->expires && rc->match)
			gone++;
	}
	if (n + added - gone > conf->contacts_max) {
		set_reply(ctx, 403, "Too Many Contacts");
		return EBADMSG;
	}
	if (ctx->reg->nbindings + added - gone > conf->bindings_max) {
		set_reply(ctx, 503, "Registrar Full");
		return EBADMSG;
	}
	return 0;
}

/* Copies pl into *pos as a C string and returns it. */
static const char *put(char **pos, const struct pl *pl)
{
	char *s = *pos;

	memcpy(s, pl->p, pl->l);
	s[pl->l] = '\0';
	*pos += pl->l + 1;
	return s;
}

static int prepare_one(struct req_ctx *ctx, struct req_contact *rc)
{
	const struct pl *callid = &ctx->req->callid;
	struct reg_binding *b;
	char *pos;
	int err;

	/* Filtered params are never longer than as written (each ';' kept
	 * replaces one consumed); +1 for a list written without one. */
	err = reg_binding_alloc(&rc->nb, ctx->reg, ctx->flow, rc->expires,
				rc->uri.l + 1 + rc->params.l + 2 +
				    rc->instance.l + 1 + callid->l + 1);
	if (err)
		return err;
	b = rc->nb;
	pos = b->str;
	b->uri = put(&pos, &rc->uri);
	b->callid = put(&pos, callid);
	if (pl_isset(&rc->instance))
		b->instance = put(&pos, &rc->instance);
	b->params = pos;
	if (params_copy(pos, rc->params.l + 2, &rc->params))
		pos[0] = '\0'; /* cannot happen: see the size above */
	b->reg_id = rc->reg_id;
	b->cseq = ctx->req->cseq.num;
	if (rc->match)
		b->since = rc->match->since;
	return 0;
}

/* Allocates every new binding before anything changes, so that the commit
 * cannot fail half-way (§10.3: all updates or none). */
static int prepare(struct req_ctx *ctx)
{
	size_t i;
	int err = 0;

	for (i = 0; i < ctx->cc && !err; i++)
		if (!ctx->cv[i].superseded && ctx->cv[i].expires)
			err = prepare_one(ctx, &ctx->cv[i]);
	if (err)
		for (i = 0; i < ctx->cc; i++)
			ctx->cv[i].nb = mem_deref(ctx->cv[i].nb);
	return err;
}

static void commit(struct req_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->cc; i++) {
		struct req_contact *rc = &ctx->cv[i];

		if (rc->superseded)
			continue;
		if (!rc->nb) {
			if (rc->match)
				reg_binding_remove(rc->match, true);
			continue;
		}
		if (rc->match)
			reg_binding_remove(rc->match, false);
		reg_binding_link(rc->nb, ctx->aor,
				 rc->match ? SIP_REG_REFRESHED : SIP_REG_ADDED);
		rc->nb = NULL;
	}
}

/* §10.3 step 8: the 200 lists every current binding with its expires. */
static int reply_headers(struct req_ctx *ctx, struct mbuf *hdrs)
{
	struct le *le;
	int err = 0;

	switch (ctx->rep->scode) {
	case 200:
		LIST_FOREACH(&ctx->aor->bindings, le)
		{
			const struct reg_binding *b = le->data;

			err =
			    mbuf_printf(hdrs, "Contact: <%s>%s;expires=%u\r\n",
					b->uri, b->params, reg_binding_left(b));
			if (err)
				return err;
		}
		/* RFC 5626 §6 */
		err = mbuf_write_str(hdrs, "Supported: outbound\r\n");
		if (!err && ctx->outbound)
			err = mbuf_write_str(hdrs, "Require: outbound\r\n");
		break;
	case 423: /* §10.3 step 7, §20.23 */
		err =
		    mbuf_printf(hdrs, "Min-Expires: %u\r\n", ctx->min_expires);
		break;
	case 503:
		err = mbuf_printf(hdrs, "Retry-After: %u\r\n",
				  SIP_REG_RETRY_AFTER);
		break;
	default:
		break;
	}
	return err;
}

int sip_registrar_register(struct sip_registrar *reg, const char *aor,
			   const struct sip_msg *req, struct sip_flow *flow,
			   struct mbuf *hdrs, struct sip_reg_reply *rep)
{
	struct req_ctx c, *ctx = &c;
	size_t alen;
	int err;

	if (!reg || !aor || !req || !req->req || !flow || !hdrs || !rep)
		return EINVAL;
	alen = strlen(aor);
	if (!alen || alen >= SIP_REG_AOR_MAX)
		return EINVAL;
	if (req->callid.l >= SIP_REG_CALLID_MAX) {
		rep->scode = 400;
		rep->reason = "Call-ID Too Long";
		return 0;
	}
	/* Contacts are cleared one by one as they are parsed: the array is
	 * large (SIP_REG_CONTACTS_LIMIT) and mostly unused. */
	ctx->reg = reg;
	ctx->aor = NULL;
	ctx->cc = 0;
	ctx->star = ctx->outbound = false;
	ctx->min_expires = 0;
	ctx->req = req;
	ctx->flow = flow;
	ctx->rep = rep;
	set_reply(ctx, 200, "OK");
	err = reg_aor_get(&ctx->aor, reg, aor);
	if (err)
		goto out;
	reg_aor_purge(ctx->aor);

	if (parse_contacts(ctx))
		goto reply;
	if (ctx->star) {
		err = remove_all(ctx);
		goto reply;
	}
	if (check(ctx))
		goto reply;
	err = prepare(ctx);
	if (err)
		goto out;
	commit(ctx);
reply:
	err = reply_headers(ctx, hdrs);
out:
	if (ctx->aor)
		reg_aor_release(ctx->aor);
	return err;
}
