/* provision_json.c: the pure parts of provisioning: token syntax and the
 * device configuration as JSON (RFC 8259). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/cli_store.h"
#include "gw/provision_int.h"

/* Branch-free character classes: the loop runs STORE_TOKEN_LEN times
 * whatever t holds. */
bool gw_provision_token_check(const struct pl *t, char tok[STORE_TOKEN_LEN + 1])
{
	unsigned bad = t->l != STORE_TOKEN_LEN;
	size_t i;

	for (i = 0; i < STORE_TOKEN_LEN; i++) {
		unsigned char c = i < t->l ? (unsigned char)t->p[i] : 0;
		unsigned ok = ((unsigned)(c - '0') < 10) |
			      ((unsigned)(c - 'A') < 26) |
			      ((unsigned)(c - 'a') < 26);

		bad |= !ok;
		tok[i] = (char)c;
	}
	tok[STORE_TOKEN_LEN] = '\0';
	return !bad;
}

int gw_provision_json_str(char *buf, size_t size, size_t *np, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = *np;

	if (n >= size)
		return EOVERFLOW;
	buf[n++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (n + 6 >= size)
			return EOVERFLOW;
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(buf + n, "\\u00", 4);
			buf[n + 4] = hex[c >> 4];
			buf[n + 5] = hex[c & 15];
			n += 6;
		} else {
			buf[n++] = (char)c;
		}
	}
	if (n + 1 >= size)
		return EOVERFLOW;
	buf[n++] = '"';
	buf[n] = '\0';
	*np = n;
	return 0;
}

/* Appends a literal. Returns 0 or EOVERFLOW. */
static int json_raw(char *buf, size_t size, size_t *np, const char *s)
{
	size_t l = strlen(s);

	if (*np + l + 1 > size)
		return EOVERFLOW;
	memcpy(buf + *np, s, l + 1);
	*np += l;
	return 0;
}

int gw_provision_config_json(const struct gw_config *cfg,
			     const struct store_link_info *info, char *buf,
			     size_t size, size_t *lenp)
{
	const char *domain = cfg->sip.domain ? cfg->sip.domain : "";
	char ws[GW_PROVISION_URL_MAX], uri[GW_PROVISION_URL_MAX];
	size_t n = 0;
	int err = 0;

	gw_cli_ws_url(cfg, ws, sizeof(ws));
	if (snprintf(uri, sizeof(uri), "sip:%s@%s", info->sip_username,
		     domain) >= (int)sizeof(uri))
		return EOVERFLOW;
	err |= json_raw(buf, size, &n, "{\"ws_url\":");
	err |= gw_provision_json_str(buf, size, &n, ws);
	err |= json_raw(buf, size, &n, ",\"sip_uri\":");
	err |= gw_provision_json_str(buf, size, &n, uri);
	err |= json_raw(buf, size, &n, ",\"sip_username\":");
	err |= gw_provision_json_str(buf, size, &n, info->sip_username);
	err |= json_raw(buf, size, &n, ",\"password\":");
	err |= gw_provision_json_str(buf, size, &n, info->password);
	err |= json_raw(buf, size, &n, ",\"realm\":");
	err |= gw_provision_json_str(buf, size, &n, domain);
	err |= json_raw(buf, size, &n, ",\"display_name\":");
	err |= gw_provision_json_str(
	    buf, size, &n, info->display[0] ? info->display : info->user);
	err |= json_raw(buf, size, &n, ",\"ice_servers\":[]}");
	*lenp = n;
	return err ? EOVERFLOW : 0;
}
