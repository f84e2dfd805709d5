/* conn_dns.c: where requests on a connection go (RFC 3263 §4): the host
 * resolved to an ordered target list (SRV by priority and weight, then
 * A/AAAA; or A/AAAA with the configured port), cached for the TTL and
 * resolved again when it ends; targets that failed are blacklisted for a
 * while and the next one is tried (§4.3). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/conn_int.h"
#include "gw/server.h"

static uint64_t now_ms(const struct gw_conn *c)
{
	return c->cs->tl ? tmrl_now(c->cs->tl) : 0;
}

/* RFC 3263 §4.1: the SRV service of the connection's transport. */
static const char *service(const struct gw_conn *c)
{
	switch (c->conf->transport) {
	case SIP_TRANSP_TCP:
		return "_sip._tcp";
	case SIP_TRANSP_TLS:
		return "_sips._tcp";
	default:
		return "_sip._udp";
	}
}

static void dns_again(void *arg);

/* The first lookup started the trunk check and the registrations. */
static void start_users(struct gw_conn *c)
{
	struct le *le;

	if (c->conf->type == GW_CONN_TRUNK)
		gw_trunk_start(c);
	LIST_FOREACH(&gw_conn_rt(c)->users, le)
	{
		struct gw_conn_user *u = le->data;

		if (c->conf->reg_mode == GW_CONN_REGISTER_ALWAYS || u->online)
			gw_upreg_start(u);
	}
}

static void log_targets(const struct gw_conn *c, uint32_t ttl)
{
	char list[NET_DNS_TARGETS_MAX * (SA_STR_MAX + 1)] = "";
	size_t n = 0;

	for (size_t i = 0; i < c->addrc; i++) {
		char a[SA_STR_MAX];

		if (sa_str(&c->addrv[i], a, sizeof(a)))
			continue;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
				      i ? " " : "", a);
		if (n >= sizeof(list))
			break;
	}
	log_info("conn", "[connection %s] %s%s -> %s (for %u s)",
		 c->conf->name, gw_conn_rt(c)->dns_srv ? "SRV " : "",
		 c->conf->host, list, ttl);
}

static void on_dns(int err, const struct net_dns_result *res, void *arg)
{
	struct gw_conn *c = arg;
	struct gw_conn_rt *rt = gw_conn_rt(c);
	bool first = !c->addrc;
	uint64_t retry = GW_CONN_DNS_RETRY_MS;

	rt->dns = mem_deref(rt->dns);
	if (err) {
		if (err != rt->dns_err)
			log_error("conn",
				  "[connection %s] cannot resolve %s: %s%s",
				  c->conf->name, c->conf->host,
				  net_dns_strerror(err),
				  c->addrc ? " (keeping the last targets)"
					   : "");
		rt->dns_err = err;
		if (!c->addrc)
			c->last_err = err;
	} else {
		rt->dns_err = 0;
		rt->dns_srv = res->srv;
		c->addrc = SC_MIN(res->addrc, SC_ARRAY_SIZE(c->addrv));
		memcpy(c->addrv, res->addrv, c->addrc * sizeof(c->addrv[0]));
		if (first)
			c->last_err = 0;
		log_targets(c, res->ttl);
		retry = (uint64_t)res->ttl * 1000;
	}
	if (!c->cs->closing && c->cs->tl)
		tmr_start(&rt->dns_tmr, c->cs->tl, retry, dns_again, c);
	if (!err && first && !c->cs->closing)
		start_users(c);
}

static int lookup(struct gw_conn *c)
{
	struct gw_conns *cs = c->cs;
	const struct gw_conn_conf *cf = c->conf;
	struct net_dns_conf dc;

	memset(&dc, 0, sizeof(dc));
	if (cs->cfg->server.dns_servers &&
	    gw_dns_servers_parse(cs->cfg->server.dns_servers, &dc))
		return EINVAL; /* config check refuses it before */
	return net_dns_resolve(&gw_conn_rt(c)->dns, &cs->srv->loop, &dc,
			       cf->host, cf->port_set ? cf->port : 0,
			       service(c), cf->port, on_dns, c);
}

static void dns_again(void *arg)
{
	struct gw_conn *c = arg;
	int err;

	if (gw_conn_rt(c)->dns)
		return;
	err = lookup(c);
	if (err) {
		log_warn("conn", "[connection %s] cannot start a lookup: %s",
			 c->conf->name, strerror(err));
		tmr_start(&gw_conn_rt(c)->dns_tmr, c->cs->tl,
			  GW_CONN_DNS_RETRY_MS, dns_again, c);
	}
}

int gw_conn_dns_start(struct gw_conn *c)
{
	struct sa sa;

	if (!c->conf->host)
		return 0;
	/* an IP literal: itself, with the configured port (§4.2) */
	if (!sa_set(&sa, c->conf->host, c->conf->port)) {
		c->addrv[0] = sa;
		c->addrc = 1;
		return 0;
	}
	if (!c->cs->srv)
		return 0;
	return lookup(c);
}

void gw_conn_dns_stop(struct gw_conn *c)
{
	struct gw_conn_rt *rt = gw_conn_rt(c);

	tmr_cancel(&rt->dns_tmr);
	if (rt->dns)
		net_dns_cancel(rt->dns);
	rt->dns = mem_deref(rt->dns);
}

void gw_conn_target_failed(const struct gw_conn *c, const struct sa *dst)
{
	char a[SA_STR_MAX];

	if (!c || !dst || !sa_isset(dst) || c->addrc < 2)
		return; /* one target: nothing to skip to */
	net_blist_add(&gw_conn_rt(c)->bl, dst, now_ms(c), NET_DNS_BLIST_MS);
	if (!sa_str(dst, a, sizeof(a)))
		log_warn("conn",
			 "[connection %s] target %s failed: skipped for "
			 "%u s",
			 c->conf->name, a, NET_DNS_BLIST_MS / 1000);
}

/* The first target at or after index from that is not blacklisted. */
static int usable(const struct gw_conn *c, size_t from, struct sa *dst)
{
	const struct net_blist *bl = &gw_conn_rt(c)->bl;
	uint64_t now = now_ms(c);

	for (size_t i = from; i < c->addrc; i++) {
		if (net_blist_has(bl, &c->addrv[i], now))
			continue;
		*dst = c->addrv[i];
		return 0;
	}
	return ENOENT;
}

int gw_conn_pick(const struct gw_conn *c, struct sa *dst)
{
	if (!c->addrc)
		return ENOTCONN;
	if (usable(c, 0, dst))
		*dst = c->addrv[0]; /* all failed lately: the best anyway */
	return 0;
}

int gw_conn_target_next(const struct gw_conn *c, const struct sa *after,
			struct sa *dst)
{
	size_t i;

	if (!c || !after || !dst)
		return EINVAL;
	for (i = 0; i < c->addrc; i++)
		if (sa_cmp(&c->addrv[i], after))
			break;
	if (i == c->addrc) /* not in the list (any more): from the top */
		return usable(c, 0, dst);
	return usable(c, i + 1, dst);
}

void gw_conn_dns_error(const struct gw_conn *c, char *buf, size_t size)
{
	int err = gw_conn_rt(c)->dns_err;

	if (!size)
		return;
	buf[0] = '\0';
	if (err)
		snprintf(buf, size, "DNS %s: %s", c->conf->host,
			 net_dns_strerror(err));
}

void gw_conn_ruri_port(const struct gw_conn *c, char *buf, size_t size)
{
	if (!size)
		return;
	buf[0] = '\0';
	if (c->conf->port_set)
		snprintf(buf, size, ":%u", c->conf->port);
}
