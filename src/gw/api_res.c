/* api_res.c: the admin API's resources (issue 6): users, their devices
 * and provisioning links, device revoke and rotate (registrations end at
 * once, as `sipcloak device revoke` through the control socket), bans,
 * connection status and the audit trail; JSON shapes as the CLI's --json. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw/api_priv.h"
#include "gw/cli_store.h"
#include "gw/ctl.h"
#include "sip/registrar.h"

#define API_URL_MAX 512
#define API_ID_DIGITS 18

static bool seg_is(const struct api_ctx *c, size_t i, const char *s)
{
	return i < c->nseg && !pl_strcmp(&c->seg[i], s);
}

static bool method_is(const struct api_ctx *c, const char *m)
{
	return !pl_strcmp(&c->msg->method, m);
}

static uint16_t not_allowed(struct api_ctx *c, const char *allow)
{
	c->allow = allow;
	return api_error(c, 405, "method_not_allowed", NULL);
}

/* A path segment as a NUL-terminated name; false when too long. */
static bool seg_name(const struct api_ctx *c, size_t i, char *buf, size_t size)
{
	return !pl_strcpy(&c->seg[i], buf, size);
}

static bool seg_id(const struct api_ctx *c, size_t i, int64_t *id)
{
	const struct pl *s = &c->seg[i];
	int64_t v = 0;
	size_t k;

	if (!s->l || s->l > API_ID_DIGITS)
		return false;
	for (k = 0; k < s->l; k++) {
		if (s->p[k] < '0' || s->p[k] > '9')
			return false;
		v = v * 10 + (s->p[k] - '0');
	}
	*id = v;
	return v > 0;
}

static bool body(struct api_ctx *c, struct gw_api_body *b)
{
	char field[GW_API_FIELD_MAX + 1];
	int err = gw_api_body_parse(b, c->msg->body.p, c->msg->body.l, field,
				    sizeof(field));

	if (!err)
		return true;
	api_error(c, 400, err == EOVERFLOW ? "too_long" : "invalid", field);
	return false;
}

/* Ends the registrations of a device now (gw_reg_device_gone, as the
 * control socket's device_gone). Returns how many ended. */
static size_t gone(struct api_ctx *c, const char *sip_username)
{
	struct sip_registrar *reg = gw_reg_registrar(c->srv->reg);
	size_t n = sip_registrar_count(reg, sip_username);

	gw_reg_device_gone(c->srv->reg, sip_username);
	if (n)
		log_info("api", "device %s gone: %zu registration(s) ended",
			 sip_username, n);
	return n;
}

static void user_json(FILE *f, const struct store_user *u)
{
	fputc('{', f);
	gw_cli_json_str(f, "name", u->name, false);
	gw_cli_json_str(f, "extension", u->extension, true);
	gw_cli_json_str(f, "display", u->display, true);
	gw_cli_json_time(f, "created", u->created, true);
	fprintf(f, ",\"active_devices\":%u", u->devices);
	gw_cli_json_str(f, "connection", u->connection, true);
	gw_cli_json_str(f, "pbx_user", u->pbx_user, true);
	fprintf(f, ",\"pbx_password\":%s}", u->pbx_password ? "true" : "false");
}

struct walk {
	struct api_ctx *c;
	unsigned n;
	const char *names[STORE_USER_DEVICES_MAX];
	char buf[STORE_USER_DEVICES_MAX][STORE_SIP_USERNAME_LEN + 1];
	size_t nn;
};

static int user_one(const struct store_user *u, void *arg)
{
	struct walk *w = arg;

	fputs(w->n++ ? "," : "", w->c->f);
	user_json(w->c->f, u);
	return 0;
}

static void device_json(struct api_ctx *c, const struct store_device *d)
{
	FILE *f = c->f;

	fprintf(f, "{\"id\":%lld", (long long)d->id);
	gw_cli_json_str(f, "user", d->user, true);
	gw_cli_json_str(f, "label", d->label, true);
	gw_cli_json_str(f, "sip_username", d->sip_username, true);
	gw_cli_json_time(f, "created", d->created, true);
	fprintf(f, ",\"revoked\":%s", d->revoked_at ? "true" : "false");
	gw_cli_json_time(f, "revoked_at", d->revoked_at, true);
	gw_cli_json_time(f, "last_seen_at", d->last_seen_at, true);
	gw_cli_json_str(f, "last_address", d->last_address, true);
	fprintf(f, ",\"registrations\":%zu}",
		d->revoked_at ? (size_t)0
			      : sip_registrar_count(
				    gw_reg_registrar(c->srv->reg),
				    d->sip_username));
}

static int device_one(const struct store_device *d, void *arg)
{
	struct walk *w = arg;

	fputs(w->n++ ? "," : "", w->c->f);
	device_json(w->c, d);
	return 0;
}

static int active_one(const struct store_device *d, void *arg)
{
	struct walk *w = arg;

	if (d->revoked_at || w->nn >= STORE_USER_DEVICES_MAX)
		return 0;
	snprintf(w->buf[w->nn], sizeof(w->buf[0]), "%s", d->sip_username);
	w->names[w->nn] = w->buf[w->nn];
	w->nn++;
	return 0;
}

/* The one-time credential, as `device add --json`. */
static void secret_json(struct api_ctx *c, const char *user,
			const struct store_device_secret *sec, long long ended)
{
	const struct gw_config *cfg = c->srv->cfg;
	char ws[API_URL_MAX], uri[API_URL_MAX];
	FILE *f = c->f;

	gw_cli_ws_url(cfg, ws, sizeof(ws));
	snprintf(uri, sizeof(uri), "sip:%s@%s", sec->sip_username,
		 cfg->sip.domain);
	fprintf(f, "{\"device\":%lld", (long long)sec->device);
	gw_cli_json_str(f, "user", user, true);
	gw_cli_json_str(f, "sip_username", sec->sip_username, true);
	gw_cli_json_str(f, "password", sec->password, true);
	gw_cli_json_str(f, "sip_uri", uri, true);
	gw_cli_json_str(f, "ws_url", ws, true);
	gw_cli_json_str(f, "realm", cfg->sip.domain, true);
	if (ended >= 0)
		fprintf(f, ",\"registrations_ended\":%lld", ended);
	fputc('}', f);
}

static void users(struct api_ctx *c)
{
	struct gw_api_body b;
	struct store_user u;
	struct walk w = {.c = c};
	int err;

	if (c->get) {
		fputc('[', c->f);
		err = store_user_list(c->srv->store, user_one, &w);
		fputc(']', c->f);
		if (err)
			api_store_error(c, err, "users");
		return;
	}
	if (!method_is(c, "POST")) {
		not_allowed(c, "GET, HEAD, POST");
		return;
	}
	if (!body(c, &b))
		return;
	if (!b.has_name) {
		api_error(c, 400, "missing", "name");
		return;
	}
	err = store_user_add(c->srv->store, b.name,
			     b.has_extension ? b.extension : NULL,
			     b.has_display ? b.display : NULL, NULL);
	if (err == EINVAL || err == EEXIST) {
		api_error(c, err == EEXIST ? 409 : 400,
			  err == EEXIST ? "exists" : "invalid", "name");
		return;
	}
	if (!err)
		err = store_user_get(c->srv->store, b.name, &u);
	if (err) {
		api_store_error(c, err, "user");
		return;
	}
	c->status = 201;
	user_json(c->f, &u);
}

static void user_delete(struct api_ctx *c, const char *name)
{
	int64_t ids[STORE_USER_DEVICES_MAX];
	struct walk *w;
	size_t i, n = 0, ended = 0;
	int err;

	w = calloc(1, sizeof(*w));
	if (!w) {
		api_error(c, 500, "internal", NULL);
		return;
	}
	w->c = c;
	err = store_device_list(c->srv->store, name, active_one, w);
	if (!err)
		err = store_user_remove(c->srv->store, name, ids, &n);
	if (err) {
		api_store_error(c, err, "user");
	} else {
		for (i = 0; i < w->nn; i++)
			ended += gone(c, w->names[i]);
		fprintf(c->f,
			"{\"ok\":true,\"devices_removed\":%zu,"
			"\"registrations_ended\":%zu}",
			n, ended);
	}
	free(w);
}

static void user(struct api_ctx *c)
{
	char name[STORE_NAME_MAX + 1];
	struct store_user u;
	int err;

	if (!seg_name(c, 1, name, sizeof(name))) {
		api_error(c, 404, "not_found", "user");
		return;
	}
	if (c->get) {
		err = store_user_get(c->srv->store, name, &u);
		if (err)
			api_store_error(c, err, "user");
		else
			user_json(c->f, &u);
	} else if (method_is(c, "DELETE")) {
		user_delete(c, name);
	} else {
		not_allowed(c, "GET, HEAD, DELETE");
	}
}

static void user_devices(struct api_ctx *c, const char *name)
{
	struct store_device_secret sec;
	struct walk w = {.c = c};
	struct gw_api_body b;
	int err;

	if (c->get) {
		fputc('[', c->f);
		err = store_device_list(c->srv->store, name, device_one, &w);
		fputc(']', c->f);
		if (err)
			api_store_error(c, err, "user");
		return;
	}
	if (!method_is(c, "POST")) {
		not_allowed(c, "GET, HEAD, POST");
		return;
	}
	if (!body(c, &b))
		return;
	if (b.has_name || b.has_extension || b.has_display || b.ttl) {
		api_error(c, 400, "unexpected", "body");
		return;
	}
	memset(&sec, 0, sizeof(sec));
	err = store_device_add(c->srv->store, name,
			       b.has_label ? b.label : NULL,
			       c->srv->cfg->sip.domain, &sec);
	if (err) {
		api_store_error(c, err, err == ENOENT ? "user" : "device");
	} else {
		c->status = 201;
		secret_json(c, name, &sec, -1);
	}
	store_secret_wipe(&sec);
}

static void user_links(struct api_ctx *c, const char *name)
{
	char token[STORE_TOKEN_LEN + 1] = "", base[API_URL_MAX];
	char url[API_URL_MAX + sizeof("/p/") + STORE_TOKEN_LEN];
	struct store_device_secret sec;
	int64_t now = (int64_t)time(NULL), exp = 0;
	struct gw_api_body b;
	int err;

	if (!method_is(c, "POST")) {
		not_allowed(c, "POST");
		return;
	}
	if (!body(c, &b))
		return;
	if (!b.ttl)
		b.ttl = GW_API_TTL_DEFAULT;
	if (b.ttl < STORE_LINK_TTL_MIN || b.ttl > STORE_LINK_TTL_MAX) {
		api_error(c, 400, "out_of_range", "ttl");
		return;
	}
	memset(&sec, 0, sizeof(sec));
	err = store_device_add(c->srv->store, name,
			       b.has_label ? b.label : NULL,
			       c->srv->cfg->sip.domain, &sec);
	if (err) {
		api_store_error(c, err, err == ENOENT ? "user" : "device");
		goto out;
	}
	err = store_link_create(c->srv->store, sec.device, sec.password,
				(int64_t)b.ttl, now, token, sizeof(token),
				&exp);
	if (err) {
		(void)store_device_revoke(c->srv->store, sec.device);
		api_store_error(c, err, "link");
		goto out;
	}
	gw_cli_https_base(c->srv->cfg, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/p/%s", base, token);
	c->status = 201;
	fprintf(c->f, "{\"device\":%lld", (long long)sec.device);
	gw_cli_json_str(c->f, "url", url, true);
	fprintf(c->f, ",\"expires_at\":%lld}", (long long)exp);
	mem_secure_zero(url, sizeof(url));
out:
	mem_secure_zero(token, sizeof(token));
	store_secret_wipe(&sec);
}

static void device(struct api_ctx *c)
{
	struct store_device_secret sec;
	struct store_device d;
	int64_t id = 0;
	size_t ended;
	int err;

	if (!seg_id(c, 1, &id)) {
		api_error(c, 404, "not_found", "device");
		return;
	}
	memset(&sec, 0, sizeof(sec));
	if (c->nseg == 3 && !seg_is(c, 2, "rotate")) {
		api_error(c, 404, "not_found", NULL);
		return;
	}
	if (c->nseg == 3 && !method_is(c, "POST")) {
		not_allowed(c, "POST");
		return;
	}
	if (c->nseg == 2 && !c->get && !method_is(c, "DELETE")) {
		not_allowed(c, "GET, HEAD, DELETE");
		return;
	}
	err = store_device_get(c->srv->store, id, &d);
	if (!err && c->nseg == 2 && c->get) {
		device_json(c, &d);
		return;
	}
	if (!err && c->nseg == 2)
		err = store_device_revoke(c->srv->store, id);
	else if (!err)
		err = store_device_rotate(c->srv->store, id, &sec);
	if (err) {
		api_store_error(c, err, "device");
		goto out;
	}
	ended = gone(c, d.sip_username);
	if (c->nseg == 2)
		fprintf(c->f,
			"{\"ok\":true,\"device\":%lld,"
			"\"registrations_ended\":%zu}",
			(long long)id, ended);
	else
		secret_json(c, d.user, &sec, (long long)ended);
out:
	store_secret_wipe(&sec);
}

/* Bans and connections: the control socket's own handlers, in process;
 * their {"ok":true,...} answer is passed on. */
static void ctl(struct api_ctx *c, enum gw_ctl_cmd cmd)
{
	struct gw_ctl_req req;
	struct mbuf *mb = NULL;
	int err;

	if (mbuf_alloc(&mb, 1024)) {
		api_error(c, 500, "internal", NULL);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.cmd = cmd;
	if (cmd == GW_CTL_BAN_CLEAR)
		req.arg = c->seg[1];
	err = gw_ctl_dispatch(c->srv, &req, mb);
	if (!err && cmd == GW_CTL_BAN_CLEAR &&
	    mb->end >= 10 && !memcmp(mb->buf, "{\"ok\":true", 10)) {
		char key[GW_CTL_STR_MAX + 1];

		if (!pl_strcpy(&req.arg, key, sizeof(key)) &&
		    store_audit_note(c->srv->store, "ban.clear", key))
			log_warn("api", "ban on %s cleared, not audited", key);
	}
	if (err) {
		api_error(c, 500, "internal", NULL);
	} else if (mb->end >= 11 && !memcmp(mb->buf, "{\"ok\":false", 11)) {
		api_error(c, 404, "not_found", cmd == GW_CTL_BAN_CLEAR
						   ? "address"
						   : NULL);
	} else {
		fwrite(mb->buf, 1, mb->end && mb->buf[mb->end - 1] == '\n'
				       ? mb->end - 1
				       : mb->end,
		       c->f);
	}
	mem_deref(mb);
}

static int audit_one(const struct store_audit *a, void *arg)
{
	struct walk *w = arg;
	FILE *f = w->c->f;

	fprintf(f, "%s{\"id\":%lld", w->n++ ? "," : "", (long long)a->id);
	gw_cli_json_time(f, "time", a->time, true);
	gw_cli_json_str(f, "actor", a->actor, true);
	gw_cli_json_str(f, "action", a->action, true);
	gw_cli_json_str(f, "subject", a->subject, true);
	fputc('}', f);
	return 0;
}

static void audit(struct api_ctx *c)
{
	struct walk w = {.c = c};
	int err;

	if (!c->get) {
		not_allowed(c, "GET, HEAD");
		return;
	}
	fputc('[', c->f);
	err = store_audit_list(c->srv->store, audit_one, &w);
	fputc(']', c->f);
	if (err)
		api_store_error(c, err, "audit");
}

static void get_only(struct api_ctx *c, enum gw_ctl_cmd cmd)
{
	if (c->get)
		ctl(c, cmd);
	else
		not_allowed(c, "GET, HEAD");
}

void api_dispatch(struct api_ctx *c)
{
	char name[STORE_NAME_MAX + 1];

	if (seg_is(c, 0, "users") && c->nseg == 1) {
		users(c);
	} else if (seg_is(c, 0, "users") && c->nseg == 2) {
		user(c);
	} else if (seg_is(c, 0, "users") && c->nseg == 3 &&
		   (seg_is(c, 2, "devices") || seg_is(c, 2, "links"))) {
		if (!seg_name(c, 1, name, sizeof(name)))
			api_error(c, 404, "not_found", "user");
		else if (seg_is(c, 2, "devices"))
			user_devices(c, name);
		else
			user_links(c, name);
	} else if (seg_is(c, 0, "devices") && c->nseg >= 2) {
		device(c);
	} else if (seg_is(c, 0, "bans") && c->nseg == 1) {
		get_only(c, GW_CTL_BANS);
	} else if (seg_is(c, 0, "bans") && c->nseg == 2) {
		if (method_is(c, "DELETE"))
			ctl(c, GW_CTL_BAN_CLEAR);
		else
			not_allowed(c, "DELETE");
	} else if (seg_is(c, 0, "connections") && c->nseg == 1) {
		get_only(c, GW_CTL_CONNECTIONS);
	} else if (seg_is(c, 0, "audit") && c->nseg == 1) {
		audit(c);
	} else {
		api_error(c, 404, "not_found", NULL);
	}
}
