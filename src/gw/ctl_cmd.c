/* ctl_cmd.c: what the control socket's requests do on the running server:
 * end a device's registrations, list registrations and bans, lift a ban. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "gw/ctl.h"
#include "gw/server.h"

#define CTL_ADDR_MAX 64 /* "[2001:db8::1]:65535" */

/* Strings we write come from the registrar, the ban tables and the
 * request (which the parser made free of quotes, backslashes and control
 * characters); escape anyway, as RFC 8259 §7 asks. */
static int json_str(struct mbuf *mb, const char *s, size_t n)
{
	int err = mbuf_write_str(mb, "\"");
	size_t i;

	for (i = 0; !err && i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			err = mbuf_printf(mb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			err = mbuf_printf(mb, "\\u%04x", c);
		else
			err = mbuf_write_mem(mb, &c, 1);
	}
	if (!err)
		err = mbuf_write_str(mb, "\"");
	return err;
}

int gw_ctl_error(struct mbuf *resp, const char *msg)
{
	int err = mbuf_write_str(resp, "{\"ok\":false,\"error\":");

	if (!err)
		err = json_str(resp, msg, strlen(msg));
	if (!err)
		err = mbuf_write_str(resp, "}\n");
	return err;
}

/* The timer list's clock, brought to now (reg.h: it moves only when a
 * timer fires). */
static uint64_t now_ms(struct gw_server *srv)
{
	tmrl_poll(srv->tl, net_now_ms(&srv->loop));
	return tmrl_now(srv->tl);
}

static int device_gone(struct gw_server *srv, const struct gw_ctl_req *req,
		       struct mbuf *resp)
{
	struct sip_registrar *reg = gw_reg_registrar(srv->reg);
	char name[GW_CTL_STR_MAX + 1];
	size_t n;

	if (pl_strcpy(&req->arg, name, sizeof(name)))
		return gw_ctl_error(resp, "sip_username too long");
	n = sip_registrar_count(reg, name);
	gw_reg_device_gone(srv->reg, name);
	store_cache_forget(srv->store, name); /* the store's write did too */
	log_info("gw", "control: device %s gone: %zu registration(s) ended",
		 name, n);
	return mbuf_printf(resp, "{\"ok\":true,\"removed\":%zu}\n", n);
}

struct walk {
	struct mbuf *mb;
	uint64_t now_ms;
	int64_t wall;
	size_t n;
	int err;
};

static bool binding_one(const struct sip_reg_contact *c, void *arg)
{
	struct walk *w = arg;
	char addr[CTL_ADDR_MAX] = "";
	uint64_t age = w->now_ms > c->since_ms ? w->now_ms - c->since_ms : 0;

	if (c->flow && sa_str(sip_flow_peer(c->flow), addr, sizeof(addr)))
		addr[0] = '\0';
	w->err = mbuf_printf(
	    w->mb,
	    "%s{\"since\":%lld,\"expires\":%u,\"address\":", w->n++ ? "," : "",
	    (long long)(w->wall - (int64_t)(age / 1000)), c->expires);
	if (!w->err)
		w->err = json_str(w->mb, addr, strlen(addr));
	if (!w->err)
		w->err = mbuf_printf(
		    w->mb, ",\"transport\":\"%s\"}",
		    c->flow ? sip_transp_name(sip_flow_type(c->flow)) : "");
	return !w->err;
}

static bool stop_h(const struct sip_reg_contact *c, void *arg)
{
	(void)c;
	(void)arg;
	return false;
}

static int registrations(struct gw_server *srv, const struct gw_ctl_req *req,
			 struct mbuf *resp)
{
	struct sip_registrar *reg = gw_reg_registrar(srv->reg);
	struct walk w = {resp, now_ms(srv), (int64_t)time(NULL), 0, 0};
	char name[GW_CTL_STR_MAX + 1];
	size_t i, n = 0;
	int err;

	err = mbuf_write_str(resp, "{\"ok\":true,\"devices\":[");
	for (i = 0; !err && i < req->names_n; i++) {
		if (pl_strcpy(&req->names[i], name, sizeof(name)))
			continue;
		/* the lookup drops bindings whose flow closed: count after */
		(void)sip_registrar_lookup(reg, name, stop_h, NULL);
		err = mbuf_printf(resp, "%s{\"sip_username\":", n++ ? "," : "");
		if (!err)
			err = json_str(resp, name, strlen(name));
		if (!err)
			err = mbuf_printf(resp,
					  ",\"contacts\":%zu,\"bindings\":[",
					  sip_registrar_count(reg, name));
		w.n = 0;
		if (!err)
			(void)sip_registrar_lookup(reg, name, binding_one, &w);
		err = err ? err : w.err;
		if (!err)
			err = mbuf_write_str(resp, "]}");
	}
	if (!err)
		err = mbuf_write_str(resp, "]}\n");
	return err;
}

static bool ban_one(const struct gw_ban_info *bi, void *arg)
{
	struct walk *w = arg;

	w->err = mbuf_printf(w->mb, "%s{\"key\":", w->n++ ? "," : "");
	if (!w->err)
		w->err = json_str(w->mb, bi->key, strlen(bi->key));
	if (!w->err)
		w->err = mbuf_printf(
		    w->mb,
		    ",\"table\":\"%s\",\"remaining\":%llu,\"failures\":%u}",
		    bi->table == GW_BAN_SOURCE ? "source" : "account",
		    (unsigned long long)((bi->remain_ms + 999) / 1000),
		    bi->bans);
	return !w->err;
}

static int bans(struct gw_server *srv, struct mbuf *resp)
{
	struct walk w = {resp, now_ms(srv), 0, 0, 0};
	int err;

	err = mbuf_write_str(resp, "{\"ok\":true,\"bans\":[");
	if (!err)
		gw_bans_list(gw_reg_auth(srv->reg)->bans, w.now_ms, ban_one,
			     &w);
	err = err ? err : w.err;
	if (!err)
		err = mbuf_write_str(resp, "]}\n");
	return err;
}

/* An address is cleared under its source key (an IPv6 address under its
 * /64, as gw_auth_request counts it); any key is also tried as written
 * in both tables, so an account name or a "/64" key works too. */
static int ban_clear(struct gw_server *srv, const struct gw_ctl_req *req,
		     struct mbuf *resp)
{
	struct gw_bans *b = gw_reg_auth(srv->reg)->bans;
	char key[GW_CTL_STR_MAX + 1], src[GW_AUTH_SOURCE_MAX];
	bool source = false, account = false;
	struct sa sa;
	int err;

	if (pl_strcpy(&req->arg, key, sizeof(key)))
		return gw_ctl_error(resp, "key too long");
	if (!sa_set(&sa, key, 0) && !gw_auth_source_key(&sa, src, sizeof(src)))
		source = !gw_bans_clear(b, GW_BAN_SOURCE, src);
	source = !gw_bans_clear(b, GW_BAN_SOURCE, key) || source;
	account = !gw_bans_clear(b, GW_BAN_ACCOUNT, key);
	if (!source && !account)
		return gw_ctl_error(resp, "not found");
	log_info("gw", "control: ban on %s cleared", key);
	err = mbuf_printf(resp, "{\"ok\":true,\"cleared\":[%s%s%s]}\n",
			  source ? "\"source\"" : "",
			  source && account ? "," : "",
			  account ? "\"account\"" : "");
	return err;
}

int gw_ctl_dispatch(struct gw_server *srv, const struct gw_ctl_req *req,
		    struct mbuf *resp)
{
	if (!srv || !srv->reg || !req || !resp)
		return EINVAL;
	switch (req->cmd) {
	case GW_CTL_DEVICE_GONE:
		return device_gone(srv, req, resp);
	case GW_CTL_REGISTRATIONS:
		return registrations(srv, req, resp);
	case GW_CTL_BANS:
		return bans(srv, resp);
	case GW_CTL_BAN_CLEAR:
		return ban_clear(srv, req, resp);
	case GW_CTL_CONNECTIONS:
		return gw_ctl_conn_status(srv, resp);
	default:
		return gw_ctl_error(resp, "unknown cmd");
	}
}
