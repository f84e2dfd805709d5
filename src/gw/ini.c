/* ini.c: INI tokenizer for the config file (our own dialect, see
 * docs/config.md): sections, key = value, comments, quoted values. */
#include <errno.h>
#include <string.h>

#include "gw/gw.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_comment(char c)
{
	return c == ';' || c == '#';
}

/* Characters of section types, section names and keys. */
static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static bool is_name(const struct pl *pl)
{
	size_t i;

	if (!pl->l)
		return false;
	for (i = 0; i < pl->l; i++)
		if (!is_name_char(pl->p[i]))
			return false;
	return true;
}

static void skip_space(struct pl *pl)
{
	while (pl->l && is_space(pl->p[0])) {
		pl->p++;
		pl->l--;
	}
}

static void trim_space(struct pl *pl)
{
	skip_space(pl);
	while (pl->l && is_space(pl->p[pl->l - 1]))
		pl->l--;
}

/* What may follow a closing bracket or quote: nothing or a comment. */
static bool is_tail_ok(struct pl rest)
{
	skip_space(&rest);
	return !rest.l || is_comment(rest.p[0]);
}

void gw_ini_init(struct gw_ini *ini, const char *p, size_t len)
{
	ini->p = p;
	ini->len = len;
	ini->pos = 0;
	ini->line = 0;
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		ini->pos = 3;
}

/* "[type]" or "[type name]"; line starts at '['. */
static int parse_section(struct pl line, struct gw_ini_item *item)
{
	const char *close = pl_chr(&line, ']');
	struct pl in, rest;
	size_t i;

	item->type = GW_INI_SECTION;
	if (!close) {
		item->error = "missing ']' in section header";
		return EBADMSG;
	}
	in.p = line.p + 1;
	in.l = (size_t)(close - in.p);
	rest.p = close + 1;
	rest.l = line.l - (size_t)(rest.p - line.p);
	if (!is_tail_ok(rest)) {
		item->error = "unexpected text after ']'";
		return EBADMSG;
	}
	trim_space(&in);
	for (i = 0; i < in.l && !is_space(in.p[i]); i++)
		;
	item->section.p = in.p;
	item->section.l = i;
	item->name.p = in.p + i;
	item->name.l = in.l - i;
	skip_space(&item->name);
	if (!in.l) {
		item->error = "empty section header";
		return EBADMSG;
	}
	if (!is_name(&item->section) ||
	    (item->name.l && !is_name(&item->name))) {
		item->error = "invalid section header (expected [type] or "
		              "[type name] of letters, digits, '_', '-', '.')";
		return EBADMSG;
	}
	return 0;
}

/* The value after '=': quoted, or up to a comment that follows a blank. */
static int parse_value(struct pl v, struct gw_ini_item *item)
{
	size_t i;

	skip_space(&v);
	if (v.l && v.p[0] == '"') {
		const char *q;
		struct pl in = {v.p + 1, v.l - 1}, rest;

		q = pl_chr(&in, '"');
		if (!q) {
			item->error = "unterminated quoted value";
			return EBADMSG;
		}
		rest.p = q + 1;
		rest.l = v.l - (size_t)(rest.p - v.p);
		if (!is_tail_ok(rest)) {
			item->error = "unexpected text after closing quote";
			return EBADMSG;
		}
		item->value.p = in.p;
		item->value.l = (size_t)(q - in.p);
		return 0;
	}
	for (i = 0; i < v.l; i++) {
		if (is_comment(v.p[i]) && (i == 0 || is_space(v.p[i - 1])))
			break;
	}
	item->value.p = v.p;
	item->value.l = i;
	trim_space(&item->value);
	return 0;
}

/* "key = value"; line starts at the first non-blank. */
static int parse_pair(struct pl line, struct gw_ini_item *item)
{
	const char *eq = pl_chr(&line, '=');
	struct pl key, v;

	item->type = GW_INI_PAIR;
	if (!eq) {
		item->error = "expected 'key = value' or '[section]'";
		return EBADMSG;
	}
	key.p = line.p;
	key.l = (size_t)(eq - line.p);
	trim_space(&key);
	if (!key.l) {
		item->error = "missing key before '='";
		return EBADMSG;
	}
	if (!is_name(&key)) {
		item->error = "invalid key (expected letters, digits, '_', "
		              "'-', '.')";
		return EBADMSG;
	}
	item->key = key; /* set from here on, errors in the value included */
	v.p = eq + 1;
	v.l = line.l - (size_t)(v.p - line.p);
	return parse_value(v, item);
}

static bool has_control(const struct pl *line)
{
	size_t i;

	for (i = 0; i < line->l; i++) {
		unsigned char c = (unsigned char)line->p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

int gw_ini_next(struct gw_ini *ini, struct gw_ini_item *item)
{
	memset(item, 0, sizeof(*item));
	while (ini->pos < ini->len) {
		const char *start = ini->p + ini->pos;
		size_t rest = ini->len - ini->pos;
		const char *nl = memchr(start, '\n', rest);
		struct pl line = {start, nl ? (size_t)(nl - start) : rest};

		ini->pos += line.l + (nl ? 1 : 0);
		item->line = ++ini->line;
		if (line.l && line.p[line.l - 1] == '\r')
			line.l--; /* CRLF line ends */
		if (line.l > GW_INI_LINE_MAX) {
			item->error = "line too long";
			return EOVERFLOW;
		}
		if (has_control(&line)) {
			item->error = "control character in line";
			return EBADMSG;
		}
		skip_space(&line);
		if (!line.l || is_comment(line.p[0]))
			continue;
		if (line.p[0] == '[')
			return parse_section(line, item);
		return parse_pair(line, item);
	}
	return ENOENT;
}
