/* presence.c: whether a user has a device online, from the registrar's
 * events, for the connections that register upstream only while someone
 * is there (conn.h, `register = online`). A removal is counted a moment
 * later, outside the registrar's callback (which must not call back into
 * it), so that a device re-registering over a new WebSocket does not
 * unregister the user upstream in between. */
#include <errno.h>
#include <string.h>

#include "gw/conn.h"
#include "gw/server.h"

struct pending {
	struct le le;
	char user[STORE_NAME_MAX + 1];
};

struct count_ctx {
	struct sip_registrar *reg;
	size_t n;
};

static int count_device(const struct store_device *d, void *arg)
{
	struct count_ctx *cc = arg;

	if (!d->revoked_at)
		cc->n += sip_registrar_count(cc->reg, d->sip_username);
	return 0;
}

static void recount(void *arg)
{
	struct gw_presence *p = arg;

	while (p->pending.head) {
		struct pending *u = p->pending.head->data;
		struct count_ctx cc = {gw_reg_registrar(p->srv->reg), 0};

		if (!store_device_list(p->srv->store, u->user, count_device,
				       &cc) &&
		    p->srv->conns)
			gw_conns_user_online(p->srv->conns, u->user, cc.n > 0);
		list_unlink(&u->le);
		mem_deref(u);
	}
}

static void event(enum sip_reg_event ev, const struct sip_reg_contact *c,
		  void *arg)
{
	struct gw_presence *p = arg;
	struct store_device d;
	struct pending *u;
	struct le *le;

	if (ev == SIP_REG_REFRESHED ||
	    store_device_find(p->srv->store, c->aor, &d))
		return;
	if (ev == SIP_REG_ADDED && !d.revoked_at) {
		if (p->srv->conns)
			gw_conns_user_online(p->srv->conns, d.user, true);
		return;
	}
	LIST_FOREACH(&p->pending, le)
		if (!strcmp(((struct pending *)le->data)->user, d.user))
			return;
	u = mem_zalloc(sizeof(*u), NULL);
	if (!u)
		return;
	memcpy(u->user, d.user, sizeof(u->user));
	list_append(&p->pending, &u->le, u);
	if (!tmr_isrunning(&p->tmr))
		tmr_start(&p->tmr, p->srv->tl, GW_PRESENCE_SETTLE_MS, recount, p);
}

void gw_presence_init(struct gw_presence *p, struct gw_server *srv)
{
	memset(p, 0, sizeof(*p));
	p->srv = srv;
	list_init(&p->pending);
	tmr_init(&p->tmr);
	sip_registrar_set_eventh(gw_reg_registrar(srv->reg), event, p);
}

void gw_presence_close(struct gw_presence *p)
{
	tmr_cancel(&p->tmr);
	list_flush(&p->pending);
	if (p->srv && p->srv->reg)
		sip_registrar_set_eventh(gw_reg_registrar(p->srv->reg), NULL,
					 NULL);
}
