/* ctl_req.c: the CLI's requests on the control socket (ctl.h): build the
 * request line, call, and read the response with the JSON reader. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/ctl.h"

#define CTL_RESP_INIT 4096

/* Names and keys go into the request between quotes as they are. */
static bool plain(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > GW_CTL_STR_MAX)
		return false;
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/* Calls, then enters the response object and checks "ok" comes first as
 * true (else ENOENT when its error says "not found", EPROTO otherwise). */
static int call(const char *path, const char *req, struct mbuf *resp,
		struct gw_ctl_json *js)
{
	struct pl name, err_pl;
	bool ok = false;
	int err;

	err = gw_ctl_call(path, req, resp);
	if (gw_ctl_down(err))
		return ENOTCONN;
	if (err)
		return err;
	gw_ctl_json_init(js, (const char *)resp->buf, resp->end);
	err = gw_ctl_json_enter(js, '{');
	if (!err)
		err = gw_ctl_json_member(js, &name);
	if (!err && pl_strcmp(&name, "ok"))
		err = EBADMSG;
	if (!err)
		err = gw_ctl_json_bool(js, &ok);
	if (err)
		return EBADMSG;
	if (ok)
		return 0;
	if (!gw_ctl_json_member(js, &name) && !pl_strcmp(&name, "error") &&
	    !gw_ctl_json_str(js, &err_pl) && !pl_strcmp(&err_pl, "not found"))
		return ENOENT;
	return EPROTO;
}

int gw_ctl_devices_gone(const char *path, const char *const *names, size_t n,
			size_t *endedp)
{
	char req[GW_CTL_STR_MAX + 64];
	struct mbuf *resp = NULL;
	struct gw_ctl_json js;
	struct pl name;
	uint64_t removed;
	size_t i, ended = 0;
	int err;

	err = mbuf_alloc(&resp, CTL_RESP_INIT);
	for (i = 0; !err && i < n; i++) {
		if (!plain(names[i])) {
			err = EINVAL;
			break;
		}
		snprintf(req, sizeof(req),
			 "{\"cmd\":\"device_gone\",\"sip_username\":\"%s\"}",
			 names[i]);
		err = call(path, req, resp, &js);
		while (!err && !(err = gw_ctl_json_member(&js, &name))) {
			if (pl_strcmp(&name, "removed"))
				err = gw_ctl_json_skip(&js, NULL);
			else if (!(err = gw_ctl_json_u64(&js, &removed)))
				ended += (size_t)removed;
		}
		if (err == ENOENT)
			err = 0;
	}
	if (endedp)
		*endedp = ended;
	mem_deref(resp);
	return err;
}

/* One element of "bindings": the oldest binding gives since and address. */
static int binding_read(struct gw_ctl_json *js, struct gw_ctl_online *o)
{
	struct pl name, addr = PL_INIT, tp = PL_INIT;
	uint64_t since = 0;
	int err = gw_ctl_json_enter(js, '{');

	while (!err && !(err = gw_ctl_json_member(js, &name))) {
		if (!pl_strcmp(&name, "since"))
			err = gw_ctl_json_u64(js, &since);
		else if (!pl_strcmp(&name, "address"))
			err = gw_ctl_json_str(js, &addr);
		else if (!pl_strcmp(&name, "transport"))
			err = gw_ctl_json_str(js, &tp);
		else
			err = gw_ctl_json_skip(js, NULL);
	}
	if (err != ENOENT)
		return err;
	if (!o->since || (int64_t)since < o->since) {
		o->since = (int64_t)since;
		if (pl_strcpy(&addr, o->address, sizeof(o->address)))
			o->address[0] = '\0';
		if (pl_strcpy(&tp, o->transport, sizeof(o->transport)))
			o->transport[0] = '\0';
	}
	return 0;
}

static int device_read(struct gw_ctl_json *js, const char *const *names,
		       size_t n, struct gw_ctl_online *out)
{
	struct gw_ctl_online o;
	struct pl name, user = PL_INIT;
	uint64_t contacts = 0;
	size_t i;
	int err = gw_ctl_json_enter(js, '{');

	memset(&o, 0, sizeof(o));
	while (!err && !(err = gw_ctl_json_member(js, &name))) {
		if (!pl_strcmp(&name, "sip_username")) {
			err = gw_ctl_json_str(js, &user);
		} else if (!pl_strcmp(&name, "contacts")) {
			err = gw_ctl_json_u64(js, &contacts);
		} else if (!pl_strcmp(&name, "bindings")) {
			err = gw_ctl_json_enter(js, '[');
			while (!err && !(err = gw_ctl_json_elem(js)))
				err = binding_read(js, &o);
			err = err == ENOENT ? 0 : err;
		} else {
			err = gw_ctl_json_skip(js, NULL);
		}
	}
	if (err != ENOENT)
		return err;
	o.contacts = (uint32_t)SC_MIN(contacts, UINT32_MAX);
	for (i = 0; i < n; i++)
		if (!pl_strcmp(&user, names[i]))
			out[i] = o;
	return 0;
}

int gw_ctl_registrations(const char *path, const char *const *names, size_t n,
			 struct gw_ctl_online *out)
{
	struct mbuf *req = NULL, *resp = NULL;
	struct gw_ctl_json js;
	struct pl name;
	size_t i;
	int err;

	if (n > GW_CTL_NAMES_MAX)
		return EOVERFLOW;
	memset(out, 0, n * sizeof(*out));
	err = mbuf_alloc(&req, CTL_RESP_INIT);
	if (!err)
		err = mbuf_alloc(&resp, CTL_RESP_INIT);
	if (!err)
		err = mbuf_write_str(req, "{\"cmd\":\"registrations\","
					  "\"sip_usernames\":[");
	for (i = 0; !err && i < n; i++)
		err = plain(names[i])
			  ? mbuf_printf(req, "%s\"%s\"", i ? "," : "", names[i])
			  : EINVAL;
	if (!err)
		err = mbuf_write_mem(req, "]}", 3); /* NUL-terminated */
	if (!err)
		err = call(path, (const char *)req->buf, resp, &js);
	while (!err && !(err = gw_ctl_json_member(&js, &name))) {
		if (pl_strcmp(&name, "devices")) {
			err = gw_ctl_json_skip(&js, NULL);
			continue;
		}
		err = gw_ctl_json_enter(&js, '[');
		while (!err && !(err = gw_ctl_json_elem(&js)))
			err = device_read(&js, names, n, out);
		err = err == ENOENT ? 0 : err;
	}
	if (err == ENOENT)
		err = 0;
	mem_deref(req);
	mem_deref(resp);
	return err;
}

static int ban_read(struct gw_ctl_json *js, gw_ctl_ban_h *h, void *arg)
{
	struct gw_ctl_ban b;
	struct pl name, key = PL_INIT, table = PL_INIT;
	uint64_t failures = 0;
	int err = gw_ctl_json_enter(js, '{');

	memset(&b, 0, sizeof(b));
	while (!err && !(err = gw_ctl_json_member(js, &name))) {
		if (!pl_strcmp(&name, "key"))
			err = gw_ctl_json_str(js, &key);
		else if (!pl_strcmp(&name, "table"))
			err = gw_ctl_json_str(js, &table);
		else if (!pl_strcmp(&name, "remaining"))
			err = gw_ctl_json_u64(js, &b.remaining);
		else if (!pl_strcmp(&name, "failures"))
			err = gw_ctl_json_u64(js, &failures);
		else
			err = gw_ctl_json_skip(js, NULL);
	}
	if (err != ENOENT)
		return err;
	if (pl_strcpy(&key, b.key, sizeof(b.key)))
		return EBADMSG;
	b.account = !pl_strcmp(&table, "account");
	b.failures = (uint32_t)SC_MIN(failures, UINT32_MAX);
	h(&b, arg);
	return 0;
}

int gw_ctl_bans(const char *path, gw_ctl_ban_h *h, void *arg)
{
	struct mbuf *resp = NULL;
	struct gw_ctl_json js;
	struct pl name;
	int err;

	if (!h)
		return EINVAL;
	err = mbuf_alloc(&resp, CTL_RESP_INIT);
	if (!err)
		err = call(path, "{\"cmd\":\"bans\"}", resp, &js);
	while (!err && !(err = gw_ctl_json_member(&js, &name))) {
		if (pl_strcmp(&name, "bans")) {
			err = gw_ctl_json_skip(&js, NULL);
			continue;
		}
		err = gw_ctl_json_enter(&js, '[');
		while (!err && !(err = gw_ctl_json_elem(&js)))
			err = ban_read(&js, h, arg);
		err = err == ENOENT ? 0 : err;
	}
	if (err == ENOENT)
		err = 0;
	mem_deref(resp);
	return err;
}

int gw_ctl_ban_clear(const char *path, const char *key)
{
	char req[GW_CTL_STR_MAX + 64];
	struct mbuf *resp = NULL;
	struct gw_ctl_json js;
	int err;

	if (!key || !plain(key))
		return EINVAL;
	snprintf(req, sizeof(req), "{\"cmd\":\"ban_clear\",\"key\":\"%s\"}",
		 key);
	err = mbuf_alloc(&resp, CTL_RESP_INIT);
	if (!err)
		err = call(path, req, resp, &js);
	mem_deref(resp);
	return err;
}
