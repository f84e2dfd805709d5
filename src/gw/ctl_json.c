/* ctl_json.c: the control socket's JSON (RFC 8259) reader and its request
 * parser: views into the caller's bytes, no allocation, bounded. */
#include <errno.h>
#include <string.h>

#include "gw/ctl.h"

void gw_ctl_json_init(struct gw_ctl_json *js, const char *p, size_t len)
{
	memset(js, 0, sizeof(*js));
	js->p = p;
	js->len = len;
}

/* RFC 8259 §2: insignificant white space. */
static void ws(struct gw_ctl_json *js)
{
	while (js->pos < js->len &&
	       (js->p[js->pos] == ' ' || js->p[js->pos] == '\t' ||
		js->p[js->pos] == '\r' || js->p[js->pos] == '\n'))
		js->pos++;
}

static int peek(struct gw_ctl_json *js, char *c)
{
	ws(js);
	if (js->pos >= js->len)
		return EBADMSG;
	*c = js->p[js->pos];
	return 0;
}

int gw_ctl_json_enter(struct gw_ctl_json *js, char open)
{
	char c;

	if (peek(js, &c) || c != open)
		return EBADMSG;
	if (js->depth + 1 >= GW_CTL_DEPTH_MAX)
		return EOVERFLOW;
	js->pos++;
	js->depth++;
	js->more &= ~(1u << js->depth);
	return 0;
}

/* Before the next member or element: ENOENT (and leave the container) at
 * its close, else 0 past the separating comma. */
static int next(struct gw_ctl_json *js, char close)
{
	uint32_t bit = 1u << js->depth;
	char c;

	if (!js->depth || peek(js, &c))
		return EBADMSG;
	if (c == close) {
		js->pos++;
		js->depth--;
		return ENOENT;
	}
	if (js->more & bit) {
		if (c != ',')
			return EBADMSG;
		js->pos++;
	}
	js->more |= bit;
	return 0;
}

int gw_ctl_json_str(struct gw_ctl_json *js, struct pl *s)
{
	size_t start;
	char c;

	if (peek(js, &c) || c != '"')
		return EBADMSG;
	start = ++js->pos;
	for (; js->pos < js->len; js->pos++) {
		c = js->p[js->pos];
		if (c == '"')
			break;
		/* §7: control characters must be escaped; we take none */
		if (c == '\\' || (unsigned char)c < 0x20)
			return EBADMSG;
	}
	if (js->pos >= js->len)
		return EBADMSG;
	if (js->pos - start > GW_CTL_STR_MAX)
		return EOVERFLOW;
	s->p = js->p + start;
	s->l = js->pos - start;
	js->pos++;
	return 0;
}

int gw_ctl_json_member(struct gw_ctl_json *js, struct pl *name)
{
	char c;
	int err = next(js, '}');

	if (!err)
		err = gw_ctl_json_str(js, name);
	if (!err && (peek(js, &c) || c != ':'))
		err = EBADMSG;
	if (!err)
		js->pos++;
	return err;
}

int gw_ctl_json_elem(struct gw_ctl_json *js)
{
	return next(js, ']');
}

int gw_ctl_json_u64(struct gw_ctl_json *js, uint64_t *v)
{
	uint64_t n = 0;
	size_t start;
	char c;

	if (peek(js, &c))
		return EBADMSG;
	for (start = js->pos; js->pos < js->len; js->pos++) {
		c = js->p[js->pos];
		if (c < '0' || c > '9')
			break;
		if (n > (UINT64_MAX - 9) / 10)
			return EOVERFLOW;
		n = n * 10 + (uint64_t)(c - '0');
	}
	/* §6: no leading zeros; fractions and exponents are not ours */
	if (js->pos == start || (js->p[start] == '0' && js->pos - start > 1))
		return EBADMSG;
	if (js->pos < js->len &&
	    (js->p[js->pos] == '.' || js->p[js->pos] == 'e' ||
	     js->p[js->pos] == 'E'))
		return EBADMSG;
	*v = n;
	return 0;
}

static int literal(struct gw_ctl_json *js, const char *word)
{
	size_t n = strlen(word);

	if (js->len - js->pos < n || memcmp(js->p + js->pos, word, n))
		return EBADMSG;
	js->pos += n;
	return 0;
}

int gw_ctl_json_bool(struct gw_ctl_json *js, bool *v)
{
	char c;

	if (peek(js, &c))
		return EBADMSG;
	*v = c == 't';
	return literal(js, *v ? "true" : "false");
}

static int skip(struct gw_ctl_json *js)
{
	struct pl s;
	uint64_t u;
	bool b;
	char c;
	int err;

	err = peek(js, &c);
	if (err)
		return err;
	switch (c) {
	case '"':
		return gw_ctl_json_str(js, &s);
	case 't':
	case 'f':
		return gw_ctl_json_bool(js, &b);
	case 'n':
		return literal(js, "null");
	case '-':
		js->pos++;
		return gw_ctl_json_u64(js, &u);
	case '{':
	case '[':
		err = gw_ctl_json_enter(js, c);
		while (!err) {
			err = c == '{' ? gw_ctl_json_member(js, &s)
				       : gw_ctl_json_elem(js);
			if (!err)
				err = skip(js);
		}
		return err == ENOENT ? 0 : err;
	default:
		return gw_ctl_json_u64(js, &u);
	}
}

int gw_ctl_json_skip(struct gw_ctl_json *js, struct pl *raw)
{
	size_t start;
	char c;
	int err;

	if (peek(js, &c))
		return EBADMSG;
	start = js->pos;
	err = skip(js);
	if (!err && raw) {
		raw->p = js->p + start;
		raw->l = js->pos - start;
	}
	return err;
}

int gw_ctl_json_end(struct gw_ctl_json *js)
{
	ws(js);
	return js->pos == js->len && !js->depth ? 0 : EBADMSG;
}

static const struct {
	const char *name;
	enum gw_ctl_cmd cmd;
} cmds[] = {
    {"device_gone", GW_CTL_DEVICE_GONE},
    {"registrations", GW_CTL_REGISTRATIONS},
    {"bans", GW_CTL_BANS},
    {"ban_clear", GW_CTL_BAN_CLEAR},
    {"connections", GW_CTL_CONNECTIONS},
};

static int names_parse(struct gw_ctl_json *js, struct gw_ctl_req *req)
{
	int err = gw_ctl_json_enter(js, '[');

	req->names_n = 0;
	while (!err && !(err = gw_ctl_json_elem(js))) {
		if (req->names_n == GW_CTL_NAMES_MAX)
			return EOVERFLOW;
		err = gw_ctl_json_str(js, &req->names[req->names_n++]);
	}
	return err == ENOENT ? 0 : err;
}

int gw_ctl_req_parse(struct gw_ctl_req *req, const char *p, size_t len)
{
	struct gw_ctl_json js;
	struct pl name, cmd = PL_INIT, arg = PL_INIT;
	bool names = false;
	size_t i;
	int err;

	if (!req || (!p && len))
		return EINVAL;
	memset(req, 0, sizeof(*req));
	gw_ctl_json_init(&js, p, len);
	err = gw_ctl_json_enter(&js, '{');
	while (!err && !(err = gw_ctl_json_member(&js, &name))) {
		if (!pl_strcmp(&name, "cmd")) {
			err = gw_ctl_json_str(&js, &cmd);
		} else if (!pl_strcmp(&name, "sip_username") ||
			   !pl_strcmp(&name, "key")) {
			err = gw_ctl_json_str(&js, &arg);
		} else if (!pl_strcmp(&name, "sip_usernames")) {
			err = names_parse(&js, req);
			names = true;
		} else {
			err = gw_ctl_json_skip(&js, NULL);
		}
	}
	if (err != ENOENT)
		return err ? err : EBADMSG;
	err = gw_ctl_json_end(&js);
	if (err || !pl_isset(&cmd))
		return EBADMSG;
	for (i = 0; i < SC_ARRAY_SIZE(cmds); i++)
		if (!pl_strcmp(&cmd, cmds[i].name))
			req->cmd = cmds[i].cmd;
	switch (req->cmd) {
	case GW_CTL_DEVICE_GONE:
	case GW_CTL_BAN_CLEAR:
		if (!arg.l)
			return EBADMSG;
		req->arg = arg;
		return 0;
	case GW_CTL_REGISTRATIONS:
		return names ? 0 : EBADMSG;
	case GW_CTL_BANS:
	case GW_CTL_CONNECTIONS:
		return 0;
	default:
		return ENOTSUP;
	}
}
