/* gw_provision.c: fuzz target: provisioning's token syntax check (against a
 * plain reference) and its JSON answer (RFC 8259) built from arbitrary
 * strings, parsed back and compared; every buffer sized to the byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw/provision_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 6

static bool ref_token(const uint8_t *p, size_t n)
{
	size_t i;

	if (n != STORE_TOKEN_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= 'a' && p[i] <= 'z')))
			return false;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads the JSON string at *pp (after the quote) into out; traps on
 * anything our writer must never produce. */
static void unquote(const char **pp, char *out, size_t size)
{
	const char *p = *pp;
	size_t n = 0;

	for (; *p != '"'; p++) {
		char c = *p;

		if (!c || (unsigned char)c < 0x20 || n + 1 >= size)
			__builtin_trap();
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				int h = hexval(p[3]), l = hexval(p[4]);

				if (p[1] != '0' || p[2] != '0' || h < 0 ||
				    l < 0)
					__builtin_trap();
				c = (char)(h << 4 | l);
				p += 4;
			} else if (*p == '"' || *p == '\\') {
				c = *p;
			} else {
				__builtin_trap();
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
	*pp = p + 1;
}

/* The value of "name" in json, which must be a string equal to want. */
static void expect(const char *json, const char *name, const char *want)
{
	char key[32], val[GW_PROVISION_JSON_MAX];
	const char *p;

	snprintf(key, sizeof(key), "\"%s\":\"", name);
	p = strstr(json, key);
	if (!p)
		__builtin_trap();
	p += strlen(key);
	unquote(&p, val, sizeof(val));
	if (strcmp(val, want))
		__builtin_trap();
}

static void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tok[STORE_TOKEN_LEN + 1], *text, *f[FIELDS], *buf;
	struct pl t = {(const char *)data, size};
	struct store_link_info info;
	struct gw_config cfg;
	size_t i, n = 0, len = 0, bsize;

	if (gw_provision_token_check(&t, tok) != ref_token(data, size))
		__builtin_trap();
	if (size &&
	    (size < STORE_TOKEN_LEN ? memcmp(tok, data, size)
				    : memcmp(tok, data, STORE_TOKEN_LEN)))
		__builtin_trap();

	/* Fields separated by NUL: address, domain, user name, password,
	 * display name, user. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	f[0] = text;
	for (i = 1; i < FIELDS; i++)
		f[i] = f[i - 1] + strlen(f[i - 1]) +
		       (f[i - 1] + strlen(f[i - 1]) < text + size);
	memset(&cfg, 0, sizeof(cfg));
	memset(&info, 0, sizeof(info));
	cfg.server.public_address = f[0];
	cfg.https.listen.host = "0.0.0.0";
	cfg.https.listen.port = 443;
	cfg.sip.domain = f[1];
	copy_field(info.sip_username, sizeof(info.sip_username), f[2]);
	copy_field(info.password, sizeof(info.password), f[3]);
	copy_field(info.display, sizeof(info.display), f[4]);
	copy_field(info.user, sizeof(info.user), f[5]);

	/* A buffer of a size picked by the input: never written past. */
	bsize = size ? 1 + (size_t)data[0] * 16 : GW_PROVISION_JSON_MAX;
	buf = malloc(bsize);
	if (buf && !gw_provision_config_json(&cfg, &info, buf, bsize, &len)) {
		if (len != strlen(buf) || buf[0] != '{' ||
		    buf[len - 1] != '}' || !strstr(buf, ",\"ice_servers\":[]}"))
			__builtin_trap();
		expect(buf, "sip_username", info.sip_username);
		expect(buf, "password", info.password);
		expect(buf, "realm", cfg.sip.domain);
		expect(buf, "display_name",
		       info.display[0] ? info.display : info.user);
	}
	/* The string writer alone, into one exact-size buffer. */
	if (buf && !gw_provision_json_str(buf, bsize, &n, f[4])) {
		const char *p = buf + 1;
		char *out = malloc(bsize);

		if (buf[0] != '"' || n != strlen(buf))
			__builtin_trap();
		if (out) {
			unquote(&p, out, bsize);
			if (strcmp(out, f[4]) || *p)
				__builtin_trap();
			free(out);
		}
	}
	free(buf);
	free(text);
	return 0;
}
