/* reg.c: REGISTER handling in the gateway (RFC 3261 §10.3): our domain
 * only, Require, digest with bans, then the registrar keyed by device. */
#include <errno.h>
#include <string.h>

#include "gw/reg.h"
#include "sip/transp.h"

struct gw_reg {
	struct tmrl *tl;
	char *domain;
	struct gw_auth auth;
	struct sip_nonces *nonces;
	struct gw_bans *bans;
	struct sip_registrar *registrar;
};

static void reg_destroy(void *data)
{
	struct gw_reg *gr = data;

	mem_deref(gr->registrar);
	mem_deref(gr->bans);
	mem_deref(gr->nonces);
	mem_deref(gr->domain);
}

int gw_reg_alloc(struct gw_reg **grp, struct tmrl *tl,
		 const struct gw_reg_conf *conf)
{
	uint8_t secret[GW_REG_SECRET_LEN];
	struct gw_reg *gr;
	struct pl pl;
	int err;

	if (!grp || !tl || !conf || !conf->domain || !*conf->domain ||
	    !conf->credh)
		return EINVAL;
	gr = mem_zalloc(sizeof(*gr), reg_destroy);
	if (!gr)
		return ENOMEM;
	gr->tl = tl;
	pl_set_str(&pl, conf->domain);
	err = pl_strdup(&gr->domain, &pl);
	if (!err)
		err = rand_bytes(secret, sizeof(secret));
	if (!err)
		err = sip_nonces_alloc(&gr->nonces, secret, sizeof(secret),
				       &conf->nonces);
	mem_secure_zero(secret, sizeof(secret));
	if (!err)
		err = gw_bans_alloc(&gr->bans, &conf->bans);
	if (!err)
		err = sip_registrar_alloc(&gr->registrar, tl, &conf->registrar);
	if (err)
		goto out;
	gr->auth.nonces = gr->nonces;
	gr->auth.bans = gr->bans;
	gr->auth.realm = gr->domain;
	gr->auth.order = SIP_DIGEST_ORDER_SHA256_FIRST; /* MD5 last */
	gr->auth.credh = conf->credh;
	gr->auth.arg = conf->arg;
out:
	if (err)
		mem_deref(gr);
	else
		*grp = gr;
	return err;
}

struct sip_registrar *gw_reg_registrar(const struct gw_reg *gr)
{
	return gr ? gr->registrar : NULL;
}

const struct gw_auth *gw_reg_auth(const struct gw_reg *gr)
{
	return gr ? &gr->auth : NULL;
}

static void set_reply(struct sip_reg_reply *rep, uint16_t scode,
		      const char *reason)
{
	rep->scode = scode;
	rep->reason = reason;
}

/* RFC 3261 §8.2.2.3: Require may name only what we support (outbound). */
static int check_require(const struct sip_msg *msg, struct mbuf *hdrs,
			 struct sip_reg_reply *rep)
{
	const struct sip_hdr *h;
	bool first = true;
	int err = 0;

	for (h = sip_msg_hdr(msg, SIP_HDR_REQUIRE); h && !err;
	     h = sip_msg_hdr_next(msg, h, SIP_HDR_REQUIRE)) {
		if (!pl_strcasecmp(&h->val, "outbound"))
			continue;
		err =
		    mbuf_printf(hdrs, "%s%.*s", first ? "Unsupported: " : ", ",
				PL_FMT(&h->val));
		first = false;
	}
	if (!first && !err) {
		err = mbuf_write_str(hdrs, "\r\n");
		set_reply(rep, 420, "Bad Extension");
	}
	return err;
}

/* §10.3 steps 2-3: our domain, and a user to register. */
static bool to_is_ours(const struct gw_reg *gr, const struct sip_msg *msg)
{
	const struct sip_uri *u = &msg->to.uri;

	return (!pl_strcasecmp(&u->scheme, "sip") ||
		!pl_strcasecmp(&u->scheme, "sips")) &&
	       !pl_strcasecmp(&u->host, gr->domain) && pl_isset(&u->user);
}

static void log_result(const struct sip_msg *msg, const struct sip_flow *flow,
		       const char *user, const struct sip_reg_reply *rep)
{
	char peer[64];

	if (log_level_get() > LOG_DEBUG)
		return;
	if (sa_str(sip_flow_peer(flow), peer, sizeof(peer)))
		peer[0] = '\0';
	log_debug("reg", "REGISTER %.*s as %s from %s: %u %s",
		  PL_FMT(&msg->to.uri.user), user, peer, rep->scode,
		  rep->reason);
}

int gw_reg_handle(struct gw_reg *gr, const struct sip_msg *msg,
		  struct sip_flow *flow, struct mbuf *hdrs,
		  struct sip_reg_reply *rep)
{
	uint64_t now;
	struct gw_auth_result res;
	int err = 0;

	if (!gr || !msg || !flow || !hdrs || !rep)
		return EINVAL;
	now = tmrl_now(gr->tl);
	res.user[0] = '\0';
	/* Issue 3: another domain gets 403, unchallenged. */
	if (!to_is_ours(gr, msg)) {
		set_reply(rep, 403, "Forbidden");
		goto out;
	}
	set_reply(rep, 200, "OK");
	err = check_require(msg, hdrs, rep);
	if (err || rep->scode != 200)
		goto out;
	err = gw_auth_request(&gr->auth, msg, false, sip_flow_peer(flow), now,
			      &res);
	if (err)
		goto out;
	switch (res.verdict) {
	case GW_AUTH_CHALLENGE:
		set_reply(rep, 401, "Unauthorized");
		err = gw_auth_challenge(&gr->auth, hdrs, false, res.stale, now);
		goto out;
	case GW_AUTH_FORBIDDEN:
		set_reply(rep, 403, "Forbidden");
		goto out;
	case GW_AUTH_BAD:
		set_reply(rep, 400, "Bad Credentials");
		goto out;
	case GW_AUTH_OK:
		break;
	}
	/* A device registers itself only: the To user is its SIP user name
	 * (compared exactly; the registrar keys by it). */
	if (pl_strcmp(&msg->to.uri.user, res.user)) {
		set_reply(rep, 403, "Forbidden");
		goto out;
	}
	err = sip_registrar_register(gr->registrar, res.user, msg, flow, hdrs,
				     rep);
out:
	if (!err)
		log_result(msg, flow, res.user, rep);
	return err;
}

void gw_reg_flow_closed(struct gw_reg *gr, const struct sip_flow *flow)
{
	if (gr)
		sip_registrar_flow_closed(gr->registrar, flow);
}

#define GW_REG_GONE_FLOWS 16 /* WebSocket flows closed per revoked device */

struct gone_flows {
	struct sip_flow *v[GW_REG_GONE_FLOWS];
	size_t n;
};

static bool collect_ws(const struct sip_reg_contact *c, void *arg)
{
	struct gone_flows *g = arg;
	enum sip_transp_type t = sip_flow_type(c->flow);

	if ((t == SIP_TRANSP_WS || t == SIP_TRANSP_WSS) &&
	    g->n < GW_REG_GONE_FLOWS)
		g->v[g->n++] = mem_ref(c->flow);
	return true;
}

/*
 * The device's registrations end, and so do the WebSockets it registered
 * over: a browser that is still open then reconnects, gets 403 for its
 * next REGISTER and can say at once that it was revoked (a binding alone
 * going away is invisible to it until its next refresh).
 */
void gw_reg_device_gone(struct gw_reg *gr, const char *sip_username)
{
	struct gone_flows g = {.n = 0};
	size_t i;

	if (!gr || !sip_username)
		return;
	(void)sip_registrar_lookup(gr->registrar, sip_username, collect_ws,
				   &g);
	(void)sip_registrar_remove(gr->registrar, sip_username);
	for (i = 0; i < g.n; i++) {
		sip_flow_close(g.v[i]);
		mem_deref(g.v[i]);
	}
}
