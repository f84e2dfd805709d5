/* conn.c: the connections of the config at run time: routing lookups
 * (dial patterns, allow_from), identities and targets of the PBX leg, the
 * digest answers toward the PBX, and starting/stopping the upstream
 * registrations and trunk checks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/conn_int.h"
#include "gw/server.h"

static void user_destroy(void *data)
{
	struct gw_conn_user *u = data;

	tmr_cancel(&u->tmr);
	u->ctx = mem_deref(u->ctx);
}

static void conn_destroy(void *data)
{
	struct gw_conn *c = data;
	struct gw_conn_rt *rt = c->priv;

	if (rt) {
		list_flush(&rt->users);
		tmr_cancel(&rt->tmr);
		rt->ctx = mem_deref(rt->ctx);
		rt->flow = mem_deref(rt->flow);
		gw_conn_dns_stop(c);
	}
	mem_deref(c->priv);
	c->in_flow = mem_deref(c->in_flow);
}

static void conns_destroy(void *data)
{
	struct gw_conns *cs = data;

	list_flush(&cs->conns);
	mem_deref(cs->owner);
}

int gw_conns_alloc(struct gw_conns **csp, struct gw_server *srv,
		   const struct gw_config *cfg)
{
	struct gw_conns *cs;
	int err = 0;

	if (!csp || !cfg)
		return EINVAL;
	cs = mem_zalloc(sizeof(*cs), conns_destroy);
	if (!cs)
		return ENOMEM;
	cs->cfg = cfg;
	cs->srv = srv;
	rand_pool_init(&cs->rp);
	if (srv)
		gw_conns_set_tsx(cs, srv->tl, srv->tsx);
	for (size_t i = 0; i < cfg->conns.n && !err; i++) {
		struct gw_conn *c = mem_zalloc(sizeof(*c), conn_destroy);
		struct gw_conn_rt *rt = mem_zalloc(sizeof(*rt), NULL);

		if (!c || !rt) {
			mem_deref(c);
			mem_deref(rt);
			err = ENOMEM;
			break;
		}
		c->conf = cfg->conns.v[i];
		c->cs = cs;
		c->priv = rt;
		tmr_init(&rt->tmr);
		tmr_init(&rt->dns_tmr);
		list_append(&cs->conns, &c->le, c);
		err = gw_conn_dns_start(c);
	}
	if (err)
		mem_deref(cs);
	else
		*csp = cs;
	return err;
}

/* Starts what runs by itself: trunk checks and `register = always`
 * registrations of connections whose host is known (the others start
 * when their name resolves). */
void gw_conns_start(struct gw_conns *cs)
{
	struct le *le, *ule;

	LIST_FOREACH(&cs->conns, le)
	{
		struct gw_conn *c = le->data;

		if (!c->addrc)
			continue;
		if (c->conf->type == GW_CONN_TRUNK)
			gw_trunk_start(c);
		if (c->conf->type != GW_CONN_REGISTRATION ||
		    c->conf->reg_mode != GW_CONN_REGISTER_ALWAYS)
			continue;
		LIST_FOREACH(&gw_conn_rt(c)->users, ule)
		gw_upreg_start(ule->data);
	}
}

void gw_conns_close(struct gw_conns *cs)
{
	struct le *le, *ule;

	if (!cs || cs->closing)
		return;
	cs->closing = true;
	LIST_FOREACH(&cs->conns, le)
	{
		struct gw_conn *c = le->data;

		gw_trunk_stop(c);
		gw_conn_dns_stop(c);
		LIST_FOREACH(&gw_conn_rt(c)->users, ule)
		gw_upreg_stop(ule->data, true);
	}
}

bool gw_conns_unregistering(const struct gw_conns *cs)
{
	struct le *le, *ule;

	if (!cs)
		return false;
	LIST_FOREACH(&cs->conns, le)
	{
		const struct gw_conn *c = le->data;

		LIST_FOREACH(&gw_conn_rt(c)->users, ule)
		{
			const struct gw_conn_user *u = ule->data;

			if (u->st == GW_UPREG_UNREGISTERING &&
			    sip_ctx_alive(u->ctx))
				return true;
		}
	}
	return false;
}

void gw_conns_set_secreth(struct gw_conns *cs, gw_conn_secret_h *h, void *arg)
{
	cs->secreth = h;
	cs->arg = arg;
}

void gw_conns_set_tsx(struct gw_conns *cs, struct tmrl *tl,
		      struct sip_tsx_layer *tsx)
{
	cs->tl = tl;
	cs->tsx = tsx;
}

const struct gw_conn *gw_conns_find(const struct gw_conns *cs, const char *name)
{
	struct le *le;

	if (!cs || !name)
		return NULL;
	LIST_FOREACH(&cs->conns, le)
	{
		const struct gw_conn *c = le->data;

		if (!strcmp(c->conf->name, name))
			return c;
	}
	return NULL;
}

/* Whether re matches the whole of s (POSIX has no anchored-match flag). */
static bool whole_match(const regex_t *re, const char *s, size_t len)
{
	regmatch_t m;

	return !regexec(re, s, 1, &m, 0) && m.rm_so == 0 &&
	       (size_t)m.rm_eo == len;
}

const struct gw_conn *gw_conns_route(const struct gw_conns *cs,
				     const struct pl *number)
{
	char num[GW_CONN_USER_MAX];
	const struct gw_conn *best = NULL;
	uint32_t bestw = UINT32_MAX;
	struct le *le;

	if (!cs || !number || !number->l || pl_strcpy(number, num, sizeof(num)))
		return NULL;
	if (strlen(num) != number->l) /* a NUL inside */
		return NULL;
	LIST_FOREACH(&cs->conns, le)
	{
		const struct gw_conn *c = le->data;

		for (size_t i = 0; i < c->conf->patc; i++) {
			const struct gw_dial_pattern *p = &c->conf->patv[i];

			if (p->weight < bestw &&
			    whole_match(&p->re, num, number->l)) {
				best = c;
				bestw = p->weight;
			}
		}
	}
	return best;
}

bool gw_cidr_match(const struct gw_cidr *cidr, const struct sa *src)
{
	struct sa a;
	const uint8_t *x, *y;
	unsigned full, rest;

	sa_unmap(&a, src);
	if (sa_family(&a) != sa_family(&cidr->addr))
		return false;
	if (sa_family(&a) == AF_INET) {
		x = (const uint8_t *)&a.u.in.sin_addr;
		y = (const uint8_t *)&cidr->addr.u.in.sin_addr;
	} else {
		x = a.u.in6.sin6_addr.s6_addr;
		y = cidr->addr.u.in6.sin6_addr.s6_addr;
	}
	full = cidr->bits / 8;
	rest = cidr->bits % 8;
	if (memcmp(x, y, full))
		return false;
	return !rest || !((x[full] ^ y[full]) & (uint8_t)(0xff00u >> rest));
}

const struct gw_conn *gw_conns_by_source(const struct gw_conns *cs,
					 const struct sa *src)
{
	struct sa a;
	struct le *le;

	if (!cs || !src)
		return NULL;
	sa_unmap(&a, src);
	LIST_FOREACH(&cs->conns, le)
	{
		const struct gw_conn *c = le->data;

		if (c->conf->allowc) {
			for (size_t i = 0; i < c->conf->allowc; i++)
				if (gw_cidr_match(&c->conf->allowv[i], &a))
					return c;
			continue;
		}
		for (size_t i = 0; i < c->addrc; i++)
			if (sa_cmp_addr(&c->addrv[i], &a))
				return c;
		if (c->in_flow && sip_flow_isopen(c->in_flow) &&
		    sa_cmp_addr(sip_flow_peer(c->in_flow), &a))
			return c;
	}
	return NULL;
}

int gw_conn_target(const struct gw_conn *c, struct sa *dst,
		   enum sip_transp_type *tpp)
{
	if (!c || !dst || !tpp)
		return EINVAL;
	if (c->conf->type == GW_CONN_INBOUND) {
		if (!c->in_flow || !sip_flow_isopen(c->in_flow))
			return ENOTCONN;
		*dst = *sip_flow_peer(c->in_flow);
		*tpp = sip_flow_type(c->in_flow);
		return 0;
	}
	if (!c->addrc ||
	    (c->conf->type == GW_CONN_TRUNK && c->state != GW_CONN_STATE_UP))
		return ENOTCONN;
	*tpp = c->conf->transport;
	return gw_conn_pick(c, dst);
}

/* The host part of URIs toward c: IPv6 in brackets. */
static int host_part(const struct gw_conn *c, const char *host, char *buf,
		     size_t size)
{
	int n;

	if (!host)
		return ENOENT;
	n = snprintf(buf, size, strchr(host, ':') ? "[%s]" : "%s", host);
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
	(void)c;
}

int gw_conn_request_uri(const struct gw_conn *c, const struct pl *number,
			char *buf, size_t size)
{
	char host[NET_HOST_MAX + 3];
	const char *h;
	int n, err;

	if (!c || !number || !buf || !number->l)
		return EINVAL;
	h = c->conf->host;
	if (c->conf->type == GW_CONN_INBOUND && !h)
		h = c->cs->cfg->sip.domain;
	err = host_part(c, h, host, sizeof(host));
	if (err)
		return err == ENOENT ? EINVAL : err;
	if (!c->conf->port_set || c->conf->port == 5060 ||
	    c->conf->type == GW_CONN_INBOUND)
		n = snprintf(buf, size, "sip:%.*s@%s", PL_FMT(number), host);
	else
		n = snprintf(buf, size, "sip:%.*s@%s:%u", PL_FMT(number), host,
			     c->conf->port);
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

struct gw_conn_user *gw_conn_user_find(const struct gw_conn *c,
				       const char *user)
{
	struct le *le;

	LIST_FOREACH(&gw_conn_rt(c)->users, le)
	{
		struct gw_conn_user *u = le->data;

		if (!strcmp(u->name, user))
			return u;
	}
	return NULL;
}

/* The domain of From/To URIs on c. */
static const char *from_domain(const struct gw_conn *c)
{
	if (c->conf->from_domain)
		return c->conf->from_domain;
	if (c->conf->host)
		return c->conf->host;
	return c->cs->cfg->sip.domain;
}

int gw_conn_from_uri(const struct gw_conn *c, const char *user, char *buf,
		     size_t size)
{
	char host[NET_HOST_MAX + 3];
	const struct gw_conn_user *u;
	const char *id;
	int n, err;

	if (!c || !user || !buf)
		return EINVAL;
	u = gw_conn_user_find(c, user);
	if (!u)
		return ENOENT;
	id = c->conf->type == GW_CONN_REGISTRATION && u->pbx_user[0]
		 ? u->pbx_user
		 : u->ext;
	err = host_part(c, from_domain(c), host, sizeof(host));
	if (err)
		return err;
	n = snprintf(buf, size, "sip:%s@%s", id, host);
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

/* The user whose token (i == 0) or extension / PBX login (i == 1) is id. */
static const struct gw_conn_user *user_by(const struct gw_conn *c,
					  const struct pl *id, bool token)
{
	struct le *le;

	if (!pl_isset(id))
		return NULL;
	LIST_FOREACH(&gw_conn_rt(c)->users, le)
	{
		const struct gw_conn_user *u = le->data;

		if (token ? !pl_strcmp(id, u->token)
			  : (!pl_strcmp(id, u->ext) ||
			     !pl_strcmp(id, u->pbx_user)))
			return u;
	}
	return NULL;
}

int gw_conn_user_of(const struct gw_conn *c, const struct sip_msg *req,
		    char *user, size_t size)
{
	const struct gw_conn_user *u;
	int n;

	if (!c || !req || !user || !size)
		return EINVAL;
	/* the Contact token first (not guessable), then extensions in the
	 * Request-URI, then in To */
	u = user_by(c, &req->ruri.user, true);
	u = u ? u : user_by(c, &req->ruri.user, false);
	u = u ? u : user_by(c, &req->to.uri.user, false);
	if (!u)
		return ENOENT;
	n = snprintf(user, size, "%s", u->name);
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

int gw_conn_authorize(const struct gw_conn *c, const char *user,
		      const struct sip_msg *challenge, const struct pl *method,
		      const struct pl *uri, struct mbuf *hdr)
{
	char login[GW_CONN_USER_MAX], pw[GW_CONN_SECRET_MAX];
	struct pl l, p;
	uint32_t nc = 0;
	int err;

	if (!c || !challenge || !method || !uri || !hdr)
		return EINVAL;
	if (!c->cs->secreth)
		return ENOENT;
	err = c->cs->secreth(
	    c, c->conf->type == GW_CONN_REGISTRATION ? user : NULL, login,
	    sizeof(login), pw, sizeof(pw), c->cs->arg);
	if (err)
		goto out;
	pl_set_str(&l, login);
	pl_set_str(&p, pw);
	err = sip_digest_respond(hdr, challenge, method, uri, &l, &p, &nc);
out:
	mem_secure_zero(pw, sizeof(pw));
	return err;
}

int gw_conns_user_add(struct gw_conns *cs, const char *conn, const char *user,
		      const char *ext, const char *pbx_user)
{
	struct gw_conn *c = (struct gw_conn *)gw_conns_find(cs, conn);
	struct gw_conn_user *u;

	if (!c)
		return ENOENT;
	if (gw_conn_user_find(c, user))
		return EEXIST;
	if (strlen(user) >= GW_CONN_USER_MAX ||
	    (ext && strlen(ext) >= GW_CONN_USER_MAX) ||
	    (pbx_user && strlen(pbx_user) >= GW_CONN_USER_MAX))
		return EOVERFLOW;
	u = mem_zalloc(sizeof(*u), user_destroy);
	if (!u)
		return ENOMEM;
	u->c = c;
	tmr_init(&u->tmr);
	snprintf(u->name, sizeof(u->name), "%s", user);
	snprintf(u->ext, sizeof(u->ext), "%s", ext ? ext : "");
	snprintf(u->pbx_user, sizeof(u->pbx_user), "%s",
		 pbx_user && *pbx_user ? pbx_user : u->ext);
	/* Contact user: random, so that nothing guessable reaches us */
	rand_pool_token(&cs->rp, u->token, sizeof(u->token));
	u->expires_req = c->conf->expires;
	list_append(&gw_conn_rt(c)->users, &u->le, u);
	return 0;
}

void gw_conns_user_online(struct gw_conns *cs, const char *user, bool online)
{
	struct le *le;

	if (!cs || !user || cs->closing)
		return;
	LIST_FOREACH(&cs->conns, le)
	{
		struct gw_conn *c = le->data;
		struct gw_conn_user *u;

		if (c->conf->type != GW_CONN_REGISTRATION)
			continue;
		u = gw_conn_user_find(c, user);
		if (!u || u->online == online)
			continue;
		u->online = online;
		if (c->conf->reg_mode == GW_CONN_REGISTER_ALWAYS || !c->addrc)
			continue;
		if (online)
			gw_upreg_start(u);
		else
			gw_upreg_stop(u, true);
	}
}

void gw_conns_status(const struct gw_conns *cs, gw_conn_status_h *h, void *arg)
{
	struct le *le, *ule;

	if (!cs || !h)
		return;
	LIST_FOREACH(&cs->conns, le)
	{
		const struct gw_conn *c = le->data;
		struct gw_conn_status st = {0};
		bool up = c->state == GW_CONN_STATE_UP;
		char target[SA_STR_MAX], uaddr[SA_STR_MAX];
		char error[GW_CONN_ERROR_MAX];
		struct sa dst;

		if (c->conf->type == GW_CONN_INBOUND)
			up = c->in_flow && sip_flow_isopen(c->in_flow);
		if (c->conf->type == GW_CONN_REGISTRATION) {
			/* up while one of its users is registered */
			up = false;
			LIST_FOREACH(&gw_conn_rt(c)->users, ule)
			up = up ||
			     ((const struct gw_conn_user *)ule->data)->st ==
				 GW_UPREG_REGISTERED;
		}
		st.conn = c->conf->name;
		st.type = gw_conn_type_name(c->conf->type);
		st.state = up ? "up" : "down";
		st.last_scode = c->last_scode;
		st.last_err = c->last_err;
		gw_conn_dns_error(c, error, sizeof(error));
		st.error = error[0] ? error : NULL;
		if (c->conf->type != GW_CONN_INBOUND &&
		    !gw_conn_pick(c, &dst) &&
		    !sa_str(&dst, target, sizeof(target)))
			st.target = target;
		h(&st, arg);
		LIST_FOREACH(&gw_conn_rt(c)->users, ule)
		{
			const struct gw_conn_user *u = ule->data;
			uint64_t now = cs->tl ? tmrl_now(cs->tl) : 0;

			if (c->conf->type != GW_CONN_REGISTRATION)
				continue;
			st.reg = true;
			st.user = u->name;
			st.pbx_user = u->pbx_user;
			st.state = gw_upreg_state_name(u->st);
			st.expires_in =
			    u->st == GW_UPREG_REGISTERED && u->expires_at > now
				? (uint32_t)((u->expires_at - now) / 1000)
				: 0;
			st.last_scode = u->last_scode;
			st.last_err = u->last_err;
			st.target = sa_isset(&u->dst) &&
					    !sa_str(&u->dst, uaddr,
						    sizeof(uaddr))
					? uaddr
					: NULL;
			/* a name that never resolved: say so per user */
			st.error = c->addrc ? NULL : st.error;
			h(&st, arg);
		}
	}
}
