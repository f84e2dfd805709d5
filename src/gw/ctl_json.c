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

/* Four hex digits at p (len bytes left) into *u. */
static int hex4(const char *p, size_t len, uint32_t *u)
{
	size_t i;

	if (len < 4)
		return EBADMSG;
	*u = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		uint32_t d = c >= '0' && c <= '9'   ? (uint32_t)(c - '0')
			     : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
						    : 16;
		if (d > 15)
			return EBADMSG;
		*u = *u << 4 | d;
	}
	return 0;
}

/* The escape after a backslash at js->pos into the code point *cp. */
static int unescape(struct gw_ctl_json *js, uint32_t *cp)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	uint32_t lo;

	if (++js->pos >= js->len)
		return EBADMSG;
	e = strchr(from, js->p[js->pos]);
	if (e && *e) {
		*cp = (unsigned char)to[e - from];
		js->pos++;
		return 0;
	}
	if (js->p[js->pos] != 'u' ||
	    hex4(js->p + js->pos + 1, js->len - js->pos - 1, cp))
		return EBADMSG;
	js->pos += 5;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return EBADMSG; /* a low surrogate first */
	if (*cp >= 0xd800 && *cp <= 0xdbff) { /* §7: a UTF-16 pair */
		if (js->len - js->pos < 6 || js->p[js->pos] != '\\' ||
		    js->p[js->pos + 1] != 'u' ||
		    hex4(js->p + js->pos + 2, js->len - js->pos - 2, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return EBADMSG;
		js->pos += 6;
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return *cp ? 0 : EBADMSG; /* no NUL inside a C string */
}

/* cp as UTF-8 at dst + *n (size bytes in all, one kept for the NUL). */
static int put_utf8(char *dst, size_t size, size_t *n, uint32_t cp)
{
	uint8_t b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp, k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6), k = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12), k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18), k = 4;
	}
	for (size_t i = 1; i < k; i++)
		b[i] = (uint8_t)(0x80 | ((cp >> (6 * (k - 1 - i))) & 0x3f));
	if (*n + k >= size)
		return EOVERFLOW;
	memcpy(dst + *n, b, k);
	*n += k;
	return 0;
}

int gw_ctl_json_text(struct gw_ctl_json *js, char *dst, size_t size)
{
	size_t n = 0;
	uint32_t cp;
	char c;
	int err;

	if (!size || peek(js, &c) || c != '"')
		return EBADMSG;
	js->pos++;
	while (js->pos < js->len && (c = js->p[js->pos]) != '"') {
		if ((unsigned char)c < 0x20)
			return EBADMSG;
		if (c == '\\') {
			err = unescape(js, &cp);
			err = err ? err : put_utf8(dst, size, &n, cp);
		} else {
			js->pos++;
			err = n + 1 < size ? 0 : EOVERFLOW;
			if (!err)
				dst[n++] = c;
		}
		if (err)
			return err;
	}
	if (js->pos >= js->len)
		return EBADMSG;
	js->pos++;
	dst[n] = '\0';
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
