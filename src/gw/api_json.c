/* api_json.c: the admin API's request bodies (RFC 8259 objects of a few
 * string and number members) and its Bearer credentials (RFC 6750 §2.1),
 * read without allocating. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gw/api_int.h"
#include "gw/ctl.h"

#define BEARER "Bearer"

/* A string member into dst (size bytes, NUL-terminated). */
static int str_member(struct gw_ctl_json *js, char *dst, size_t size,
		      bool *has)
{
	int err = gw_ctl_json_text(js, dst, size);

	if (!err)
		*has = true;
	return err;
}

static void field_set(char *field, size_t size, const struct pl *name)
{
	size_t n = name->l < GW_API_FIELD_MAX ? name->l : GW_API_FIELD_MAX;

	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(field, name->p, n);
	field[n] = '\0';
}

static int member(struct gw_ctl_json *js, const struct pl *name,
		  struct gw_api_body *b)
{
	if (!pl_strcmp(name, "name"))
		return str_member(js, b->name, sizeof(b->name), &b->has_name);
	if (!pl_strcmp(name, "extension"))
		return str_member(js, b->extension, sizeof(b->extension),
				  &b->has_extension);
	if (!pl_strcmp(name, "display"))
		return str_member(js, b->display, sizeof(b->display),
				  &b->has_display);
	if (!pl_strcmp(name, "label"))
		return str_member(js, b->label, sizeof(b->label),
				  &b->has_label);
	if (!pl_strcmp(name, "ttl")) {
		int err = gw_ctl_json_u64(js, &b->ttl);

		if (!err && !b->ttl)
			err = EBADMSG;
		return err;
	}
	return EBADMSG; /* unknown member */
}

int gw_api_body_parse(struct gw_api_body *b, const char *p, size_t len,
		      char *field, size_t size)
{
	struct gw_ctl_json js;
	struct pl name = PL("body");
	size_t i;
	int err;

	if (!b || (!p && len) || !field)
		return EINVAL;
	memset(b, 0, sizeof(*b));
	field_set(field, size, &name);
	if (len > GW_API_BODY_MAX)
		return EOVERFLOW;
	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			break;
	if (i == len)
		return 0; /* no body: an empty object */
	gw_ctl_json_init(&js, p, len);
	err = gw_ctl_json_enter(&js, '{');
	while (!err) {
		err = gw_ctl_json_member(&js, &name);
		if (err) {
			err = err == ENOENT ? 0 : err;
			break;
		}
		err = member(&js, &name, b);
		if (err)
			field_set(field, size, &name);
	}
	if (!err) {
		err = gw_ctl_json_end(&js);
		if (err) {
			name = PL("body");
			field_set(field, size, &name);
		}
	}
	return err == ENOENT ? EBADMSG : err;
}

int gw_api_bearer(const struct pl *auth, struct pl *token)
{
	const size_t n = sizeof(BEARER) - 1;
	size_t i;

	if (!auth || !token)
		return EINVAL;
	if (!auth->p || !auth->l)
		return ENOENT;
	if (auth->l <= n + 1 || strncasecmp(auth->p, BEARER, n) ||
	    auth->p[n] != ' ')
		return EBADMSG;
	for (i = n; i < auth->l && auth->p[i] == ' '; i++)
		;
	token->p = auth->p + i;
	token->l = auth->l - i;
	while (token->l && (token->p[token->l - 1] == ' ' ||
			    token->p[token->l - 1] == '\t'))
		token->l--;
	return token->l ? 0 : EBADMSG;
}
