/* ctl_conn.c: the `connections` control request: every connection's
 * state and every upstream registration, as JSON for `connection status`,
 * and the client call that asks for it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/conn.h"
#include "gw/ctl.h"
#include "gw/server.h"

struct out {
	struct mbuf *mb;
	bool reg; /* writing registrations (else connections) */
	unsigned n;
	int err;
};

/* Names and states are config names and fixed words: no escaping needed
 * beyond what the config allows ([A-Za-z0-9._-]); user names alike. */
static void one(const struct gw_conn_status *st, void *arg)
{
	struct out *o = arg;
	const char *e = st->error      ? st->error
			: st->last_err ? strerror(st->last_err)
				       : NULL;

	if (o->err || st->reg != o->reg)
		return;
	if (!o->reg)
		o->err = mbuf_printf(o->mb,
				     "%s{\"name\":\"%s\",\"type\":\"%s\","
				     "\"state\":\"%s\",\"last_code\":%u,",
				     o->n ? "," : "", st->conn, st->type,
				     st->state, st->last_scode);
	else
		o->err = mbuf_printf(
		    o->mb,
		    "%s{\"connection\":\"%s\",\"user\":\"%s\","
		    "\"pbx_user\":\"%s\",\"state\":\"%s\",\"expires_in\":%u,"
		    "\"last_code\":%u,",
		    o->n ? "," : "", st->conn, st->user, st->pbx_user,
		    st->state, st->expires_in, st->last_scode);
	if (!o->err)
		o->err = st->target ? mbuf_printf(o->mb, "\"target\":\"%s\",",
						  st->target)
				    : mbuf_write_str(o->mb, "\"target\":null,");
	if (!o->err)
		o->err = e ? mbuf_printf(o->mb, "\"last_error\":\"%s\"}", e)
			   : mbuf_write_str(o->mb, "\"last_error\":null}");
	o->n++;
}

int gw_ctl_conn_status(struct gw_server *srv, struct mbuf *resp)
{
	struct out o = {resp, false, 0, 0};

	o.err = mbuf_write_str(resp, "{\"ok\":true,\"connections\":[");
	gw_conns_status(srv->conns, one, &o);
	if (!o.err)
		o.err = mbuf_write_str(resp, "],\"registrations\":[");
	o.reg = true;
	o.n = 0;
	gw_conns_status(srv->conns, one, &o);
	if (!o.err)
		o.err = mbuf_write_str(resp, "]}\n");
	return o.err;
}

int gw_ctl_connections(const char *path, struct mbuf *resp)
{
	int err = gw_ctl_call(path, "{\"cmd\":\"connections\"}", resp);

	return gw_ctl_down(err) ? ENOTCONN : err;
}
