/* presence.h: users online (a device registered) for the connections
 * (internal to src/gw/). */
#ifndef SC_GW_PRESENCE_H
#define SC_GW_PRESENCE_H

#include "core/core.h"

struct gw_server;

/* A user whose last binding went away is reported offline after this,
 * unless a device of theirs registered again meanwhile. */
#define GW_PRESENCE_SETTLE_MS 2000

struct gw_presence {
	struct gw_server *srv;
	struct list pending; /* users to recount */
	struct tmr tmr;
};

/* Hooks into srv's registrar (srv->reg must exist). */
void gw_presence_init(struct gw_presence *p, struct gw_server *srv);
void gw_presence_close(struct gw_presence *p);

#endif
