/* conn_server.c: the connections inside the running server: users and
 * secrets from the store, the registrar telling which users are online
 * and where inbound PBXs registered, start and stop. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/conn_int.h"
#include "gw/server.h"

#define CONN_RECHECK_MS 50 /* registrar changes are folded for this long */

/* What the server keeps beside its struct gw_conns. */
struct conn_srv {
	struct gw_server *srv;
	struct tmr recheck;
};

/* PBX credentials from the store: a user's (registration) or the
 * connection's outbound login (trunk). */
static int secret_h(const struct gw_conn *c, const char *user, char *login,
		    size_t lsize, char *pw, size_t pwsize, void *arg)
{
	struct conn_srv *cv = arg;
	const struct gw_conn_user *u;

	if (!user)
		return store_conn_auth_get(cv->srv->store, c->conf->name, login,
					   lsize, pw, pwsize);
	u = gw_conn_user_find(c, user);
	if (!u)
		return ENOENT;
	if ((size_t)snprintf(login, lsize, "%s", u->pbx_user) >= lsize)
		return EOVERFLOW;
	return store_user_pbx_password(cv->srv->store, user, pw, pwsize);
}

static int add_user(const struct store_user *u, void *arg)
{
	struct gw_conns *cs = arg;
	int err;

	if (!*u->connection)
		return 0;
	err = gw_conns_user_add(cs, u->connection, u->name, u->extension,
				u->pbx_user);
	if (err == ENOENT)
		log_warn("conn",
			 "user %s: connection '%s' is not in the "
			 "config",
			 u->name, u->connection);
	return err == ENOMEM ? err : 0;
}

struct count {
	struct sip_registrar *reg;
	size_t n;
};

static int count_dev(const struct store_device *d, void *arg)
{
	struct count *k = arg;

	if (!d->revoked_at)
		k->n += sip_registrar_count(k->reg, d->sip_username);
	return 0;
}

/* Online = at least one binding of one of the user's devices. */
static void recheck(void *arg)
{
	struct gw_conns *cs = arg;
	struct conn_srv *cv = cs->owner;
	struct le *le, *ule;

	LIST_FOREACH(&cs->conns, le)
	{
		struct gw_conn *c = le->data;

		if (c->conf->type != GW_CONN_REGISTRATION)
			continue;
		LIST_FOREACH(&gw_conn_rt(c)->users, ule)
		{
			struct gw_conn_user *u = ule->data;
			struct count k = {gw_reg_registrar(cv->srv->reg), 0};

			if (store_device_list(cv->srv->store, u->name,
					      count_dev, &k))
				continue;
			gw_conns_user_online(cs, u->name, k.n > 0);
		}
	}
}

/* The registrar's change handler: inbound PBXs' bindings set their
 * connection's flow; device changes trigger a recheck of who is online
 * (not from here: the handler may not call into the registrar). */
static void on_reg_event(enum sip_reg_event ev,
			 const struct sip_reg_contact *rc, void *arg)
{
	struct gw_conns *cs = arg;
	struct conn_srv *cv = cs->owner;
	struct le *le;

	LIST_FOREACH(&cs->conns, le)
	{
		struct gw_conn *c = le->data;

		if (c->conf->type != GW_CONN_INBOUND ||
		    strcmp(c->in_user, rc->aor))
			continue;
		c->in_flow = mem_deref(c->in_flow);
		if (ev != SIP_REG_REMOVED)
			c->in_flow = mem_ref(rc->flow);
		c->state = c->in_flow ? GW_CONN_STATE_UP : GW_CONN_STATE_DOWN;
		log_info("conn", "[connection %s] inbound PBX %s",
			 c->conf->name,
			 c->in_flow ? "registered" : "unregistered");
		return;
	}
	if (!tmr_isrunning(&cv->recheck))
		tmr_start(&cv->recheck, cs->tl, CONN_RECHECK_MS, recheck, cs);
}

static void cv_destroy(void *data)
{
	struct conn_srv *cv = data;

	tmr_cancel(&cv->recheck);
}

/* The inbound connections' registering user names, from the store. */
static void inbound_users(struct gw_conns *cs, struct store *s)
{
	struct le *le;

	LIST_FOREACH(&cs->conns, le)
	{
		struct gw_conn *c = le->data;

		if (c->conf->type != GW_CONN_INBOUND)
			continue;
		if (store_conn_inbound_user(s, c->conf->name, c->in_user,
					    sizeof(c->in_user)))
			c->in_user[0] = '\0';
	}
}

int gw_conns_server_start(struct gw_server *srv)
{
	struct conn_srv *cv;
	struct gw_conns *cs = NULL;
	int err;

	cv = mem_zalloc(sizeof(*cv), cv_destroy);
	if (!cv)
		return ENOMEM;
	cv->srv = srv;
	tmr_init(&cv->recheck);
	err = gw_conns_alloc(&cs, srv, srv->cfg);
	if (err)
		goto out;
	cs->owner = cv; /* freed with cs */
	cv = NULL;
	gw_conns_set_secreth(cs, secret_h, cs->owner);
	err = store_user_list(srv->store, add_user, cs);
	if (err)
		goto out;
	inbound_users(cs, srv->store);
	sip_registrar_set_eventh(gw_reg_registrar(srv->reg), on_reg_event, cs);
	gw_conns_start(cs);
	srv->conns = cs;
	cs = NULL;
out:
	if (err) {
		mem_deref(cs);
		mem_deref(cv);
	}
	return err;
}

void gw_conns_server_stop(struct gw_server *srv)
{
	if (!srv->conns)
		return;
	if (srv->reg)
		sip_registrar_set_eventh(gw_reg_registrar(srv->reg), NULL,
					 NULL);
	gw_conns_close(srv->conns);
	tmr_cancel(&((struct conn_srv *)srv->conns->owner)->recheck);
}
