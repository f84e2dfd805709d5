/* config.c: loads and validates the INI config file into struct gw_config,
 * collecting every mistake with its file, line, section and key. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/config_conn.h"
#include "gw/gw.h"

#define CONFIG_KEYS_MAX 48 /* rows of the key table the loader can track */

/* One load in progress. */
struct loader {
	struct gw_config *cfg;
	struct gw_config_errors *errs;
	const char *file;
	const struct gw_config_key *keys;
	size_t nkeys;
	unsigned set_line[CONFIG_KEYS_MAX];     /* per key: line set, or 0 */
	unsigned section_line[CONFIG_KEYS_MAX]; /* per key: its header's line */
	struct pl section; /* current section; p NULL: skip its keys */
	struct pl whole;   /* "connection NAME" while in one, else unset */
	unsigned cur_line; /* line of the current section header */
	size_t nerrs;
	bool bad_header; /* keys were lost: "missing" would mislead */
	int err;         /* ENOMEM, which stops the load */
};

static void error_destroy(void *data)
{
	struct gw_config_error *e = data;

	mem_deref(e->file);
	mem_deref(e->section);
	mem_deref(e->key);
	mem_deref(e->message);
}

void gw_config_errors_init(struct gw_config_errors *errs)
{
	list_init(&errs->list);
	errs->truncated = false;
}

void gw_config_errors_flush(struct gw_config_errors *errs)
{
	list_flush(&errs->list);
	errs->truncated = false;
}

static int dup_opt(char **dst, const char *s)
{
	struct pl pl;

	if (!s)
		return 0;
	pl_set_str(&pl, s);
	return pl_strdup(dst, &pl);
}

static int error_add(struct gw_config_errors *errs, const char *file,
                     unsigned line, const struct pl *section, const char *key,
                     const char *message)
{
	struct gw_config_error *e;
	int err;

	if (list_count(&errs->list) >= GW_CONFIG_ERRORS_MAX) {
		errs->truncated = true;
		return 0;
	}
	e = mem_zalloc(sizeof(*e), error_destroy);
	if (!e)
		return ENOMEM;
	e->line = line;
	err = dup_opt(&e->file, file);
	if (!err && pl_isset(section))
		err = pl_strdup(&e->section, section);
	err = err ? err : dup_opt(&e->key, key);
	err = err ? err : dup_opt(&e->message, message);
	if (err) {
		mem_deref(e);
		return err;
	}
	list_append(&errs->list, &e->le, e);
	return 0;
}

/* Records a mistake; a failing allocation stops the load. */
static void fail(struct loader *ld, unsigned line, const struct pl *section,
                 const char *key, const char *message)
{
	int err = error_add(ld->errs, ld->file, line, section, key, message);

	ld->nerrs++;
	if (err && !ld->err)
		ld->err = err;
}

int gw_config_error_format(const struct gw_config_error *e, char *buf,
                           size_t size)
{
	char line[16] = "";
	char where[GW_CONFIG_MSG_MAX] = "";
	int n;

	if (e->line)
		snprintf(line, sizeof(line), ":%u", e->line);
	if (e->section && e->key)
		snprintf(where, sizeof(where), "[%s] %s: ", e->section, e->key);
	else if (e->section)
		snprintf(where, sizeof(where), "[%s]: ", e->section);
	else if (e->key)
		snprintf(where, sizeof(where), "%s: ", e->key);
	n = snprintf(buf, size, "%s%s: %s%s", e->file ? e->file : "-", line,
	             where, e->message ? e->message : "");
	return n < 0 || (size_t)n >= size ? EOVERFLOW : 0;
}

static void config_destroy(void *data)
{
	struct gw_config *cfg = data;
	size_t i, n;
	const struct gw_config_key *keys = gw_config_keys(&n);

	for (i = 0; i < n; i++) {
		void *field = (char *)cfg + keys[i].offset;

		switch (keys[i].type) {
		case GW_CFG_HOST:
		case GW_CFG_PATH:
		case GW_CFG_NUMBER:
		case GW_CFG_STRING:
			mem_deref(*(char **)field);
			break;
		case GW_CFG_ADDR:
			mem_deref(((struct gw_addr *)field)->host);
			break;
		case GW_CFG_ORIGINS: {
			struct gw_origins *o = field;
			size_t j;

			for (j = 0; j < o->n; j++)
				mem_deref(o->v[j]);
			mem_deref(o->v);
			break;
		}
		default:
			break;
		}
	}
	gw_config_conns_free(cfg);
	mem_deref(cfg->path);
}

/* Replaces a string field with a copy of v. */
static bool number_ok(const struct pl *v)
{
	size_t i;

	if (!v->l || v->l > GW_NUMBER_MAX)
		return false;
	for (i = 0; i < v->l; i++) {
		char c = v->p[i];

		if (!isalnum((unsigned char)c) && c != '*' && c != '#' &&
		    c != '+')
			return false;
	}
	return true;
}

static int set_str(char **field, const struct pl *v)
{
	char *s;
	int err = pl_strdup(&s, v);

	if (err)
		return err;
	mem_deref(*field);
	*field = s;
	return 0;
}

/* Splits a comma list and checks each origin; empty: any origin. */
static int set_origins(struct gw_origins *o, const struct pl *v, char *why,
                       size_t size)
{
	char norm[GW_INI_LINE_MAX + 1];
	struct pl rest = *v, item;
	size_t n = 0;
	int err = 0;

	for (size_t j = 0; j < o->n; j++)
		mem_deref(o->v[j]);
	o->v = mem_deref(o->v);
	o->n = 0;
	if (!v->l)
		return 0;
	o->v = mem_zalloc(GW_CONFIG_ORIGINS_MAX * sizeof(*o->v), NULL);
	if (!o->v)
		return ENOMEM;
	while (!err) {
		const char *comma = pl_chr(&rest, ',');

		item.p = rest.p;
		item.l = comma ? (size_t)(comma - rest.p) : rest.l;
		pl_trim(&item);
		if (n == GW_CONFIG_ORIGINS_MAX) {
			snprintf(why, size, "more than %u origins",
			         GW_CONFIG_ORIGINS_MAX);
			return EOVERFLOW;
		}
		err = gw_config_parse_origin(&item, norm, sizeof(norm), why,
		                             size);
		if (!err) {
			pl_set_str(&item, norm);
			err = pl_strdup(&o->v[n], &item);
		}
		if (!err)
			o->n = ++n;
		if (!comma)
			break;
		rest.l -= (size_t)(comma + 1 - rest.p);
		rest.p = comma + 1;
	}
	return err;
}

/* Parses v as the key's type into the config. 0, ENOMEM, or an error
 * with why filled in. */
static int set_value(struct gw_config *cfg, const struct gw_config_key *k,
                     const struct pl *v, char *why, size_t size)
{
	void *field = (char *)cfg + k->offset;
	struct pl host;
	uint16_t port;
	int err;

	switch (k->type) {
	case GW_CFG_HOST:
		err = gw_config_parse_host(v, &host, why, size);
		return err ? err : set_str(field, &host);
	case GW_CFG_ADDR:
		err = gw_config_parse_addr(v, &host, &port, why, size);
		if (err)
			return err;
		((struct gw_addr *)field)->port = port;
		return set_str(&((struct gw_addr *)field)->host, &host);
	case GW_CFG_PATH:
		if (!v->l) {
			snprintf(why, size, "empty path");
			return EBADMSG;
		}
		return set_str(field, v);
	case GW_CFG_NUMBER:
		if (!number_ok(v)) {
			snprintf(why, size, "expected 1 to %d of 0-9 * # + "
			                    "and letters",
			         GW_NUMBER_MAX);
			return EBADMSG;
		}
		return set_str(field, v);
	case GW_CFG_UINT:
		return gw_config_parse_uint(v, k->min, k->max, field, why,
		                            size);
	case GW_CFG_BOOL:
		return gw_config_parse_bool(v, field, why, size);
	case GW_CFG_PORTS:
		return gw_config_parse_ports(v, field, why, size);
	case GW_CFG_LEVEL:
		return gw_config_parse_level(v, field, why, size);
	case GW_CFG_ORIGINS:
		return set_origins(field, v, why, size);
	case GW_CFG_STRING: /* checked as a whole (check_dns_servers) */
		return set_str(field, v);
	case GW_CFG_CHOICE: /* [connection] only: config_conn.c */
	case GW_CFG_LIST:
		break;
	}
	return EINVAL;
}

/* [connection NAME]: many of them, each with its own keys. */
static void on_conn_section(struct loader *ld, const struct gw_ini_item *it,
                            const struct pl *whole, int err)
{
	char msg[GW_CONFIG_MSG_MAX];

	if (err) {
		fail(ld, it->line, whole, NULL,
		     "section [connection] needs a name: [connection NAME]");
		return;
	}
	err = gw_config_conn_begin(ld->cfg, &it->name, it->line, msg,
	                           sizeof(msg));
	if (err == ENOMEM) {
		ld->err = err;
		return;
	}
	if (err) {
		fail(ld, it->line, whole, NULL, msg);
		return;
	}
	ld->section = it->section;
	ld->whole = *whole;
}

static void on_section(struct loader *ld, const struct gw_ini_item *it)
{
	struct pl whole = {it->section.p,
	                   (size_t)(it->name.p + it->name.l - it->section.p)};
	char msg[GW_CONFIG_MSG_MAX];
	size_t i;
	int err;

	ld->section.p = NULL;
	ld->whole.p = NULL;
	ld->cur_line = it->line;
	err = gw_config_section_check(&it->section, &it->name);
	if (!pl_strcmp(&it->section, "connection")) {
		on_conn_section(ld, it, &whole, err);
		return;
	}
	if (err == ENOENT) {
		snprintf(msg, sizeof(msg), "unknown section '%.*s'",
		         PL_FMT(&it->section));
		fail(ld, it->line, &whole, NULL, msg);
		return;
	}
	if (err) {
		snprintf(msg, sizeof(msg), "section [%.*s] takes no name",
		         PL_FMT(&it->section));
		fail(ld, it->line, &whole, NULL, msg);
		return;
	}
	for (i = 0; i < ld->nkeys; i++) {
		if (pl_strcmp(&it->section, ld->keys[i].section))
			continue;
		if (ld->section_line[i]) {
			snprintf(msg, sizeof(msg),
			         "section repeated (first at line %u)",
			         ld->section_line[i]);
			fail(ld, it->line, &whole, NULL, msg);
			return;
		}
	}
	for (i = 0; i < ld->nkeys; i++)
		if (!pl_strcmp(&it->section, ld->keys[i].section))
			ld->section_line[i] = it->line;
	ld->section = it->section;
}

/* A key for messages, clipped: keys are at most a line long. */
static void key_copy(const struct pl *k, char *buf, size_t size)
{
	if (pl_strcpy(k, buf, size))
		snprintf(buf, size, "%.*s...", GW_CONFIG_VALUE_SHOW, k->p);
}

static void on_pair(struct loader *ld, const struct gw_ini_item *it)
{
	char key[GW_CONFIG_MSG_MAX], msg[GW_CONFIG_MSG_MAX];
	const struct gw_config_key *k = NULL;
	size_t i;
	int err;

	if (!ld->section.p) /* in a bad section (reported) or none */
		goto out;
	if (ld->whole.p) {
		key_copy(&it->key, key, sizeof(key));
		err = gw_config_conn_pair(ld->cfg, &it->key, &it->value,
		                          it->line, msg, sizeof(msg));
		if (err == ENOMEM || err == EINVAL)
			ld->err = err;
		else if (err)
			fail(ld, it->line, &ld->whole, key, msg);
		goto out;
	}
	for (i = 0; i < ld->nkeys && !k; i++)
		if (!pl_strcmp(&ld->section, ld->keys[i].section) &&
		    !pl_strcmp(&it->key, ld->keys[i].key))
			k = &ld->keys[i];
	key_copy(&it->key, key, sizeof(key));
	if (!k) {
		fail(ld, it->line, &ld->section, key, "unknown key");
		goto out;
	}
	i = (size_t)(k - ld->keys);
	if (ld->set_line[i]) {
		snprintf(msg, sizeof(msg),
		         "duplicate key (first set at line %u)",
		         ld->set_line[i]);
		fail(ld, it->line, &ld->section, key, msg);
		goto out;
	}
	ld->set_line[i] = it->line;
	err = set_value(ld->cfg, k, &it->value, msg, sizeof(msg));
	if (err == ENOMEM)
		ld->err = ENOMEM;
	else if (err)
		fail(ld, it->line, &ld->section, key, msg);
out:
	return;
}

/* A known section's key whose value did not tokenize. */
static void on_bad_pair(struct loader *ld, const struct gw_ini_item *it)
{
	char key[GW_CONFIG_MSG_MAX];

	key_copy(&it->key, key, sizeof(key));
	fail(ld, it->line, ld->whole.p ? &ld->whole : &ld->section, key,
	     it->error);
}

static int apply_defaults(struct gw_config *cfg,
                          const struct gw_config_key *keys, size_t n)
{
	char why[GW_CONFIG_MSG_MAX];
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		struct pl v;

		if (!keys[i].def)
			continue;
		pl_set_str(&v, keys[i].def);
		err = set_value(cfg, &keys[i], &v, why, sizeof(why));
	}
	return err;
}

/* The line a key was set on (0: not set), for errors about it. */
static unsigned key_line(const struct loader *ld, const char *section,
                         const char *key)
{
	size_t i;

	for (i = 0; i < ld->nkeys; i++)
		if (!strcmp(ld->keys[i].section, section) &&
		    !strcmp(ld->keys[i].key, key))
			return ld->set_line[i];
	return 0;
}

static bool is_wildcard(const char *host)
{
	return !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
}

/* The public address goes into SDP and SIP headers: a wildcard there
 * would tell both sides to send to themselves. */
static void check_public_address(struct loader *ld)
{
	const char *a = ld->cfg->server.public_address;
	char msg[GW_CONFIG_MSG_MAX];
	struct pl sec = PL("server");

	if (!a || !is_wildcard(a))
		return;
	snprintf(msg, sizeof(msg),
	         "'%s' is not an address others can reach (set the public "
	         "one)",
	         a);
	fail(ld, key_line(ld, "server", "public_address"), &sec,
	     "public_address", msg);
}

/* dns_servers: up to NET_DNS_SERVERS_MAX IPv4 addresses. */
static void check_dns_servers(struct loader *ld)
{
	const char *v = ld->cfg->server.dns_servers;
	char msg[GW_CONFIG_MSG_MAX];
	struct net_dns_conf dc;
	struct pl sec = PL("server");
	int err;

	if (!v)
		return;
	err = gw_dns_servers_parse(v, &dc);
	if (!err)
		return;
	snprintf(msg, sizeof(msg),
	         err == EOVERFLOW ? "more than %d servers"
	                          : "not a list of IPv4 address[:port] "
	                            "(at most %d)",
	         NET_DNS_SERVERS_MAX);
	fail(ld, key_line(ld, "server", "dns_servers"), &sec, "dns_servers",
	     msg);
}

/* A registration interval range must not be empty. */
static void check_expires(struct loader *ld)
{
	char msg[GW_CONFIG_MSG_MAX];
	struct pl sec = PL("registrar");

	if (ld->cfg->registrar.min_expires <= ld->cfg->registrar.max_expires)
		return;
	snprintf(msg, sizeof(msg), "%u is above max_expires (%u)",
	         ld->cfg->registrar.min_expires,
	         ld->cfg->registrar.max_expires);
	fail(ld, key_line(ld, "registrar", "min_expires"), &sec, "min_expires",
	     msg);
}

/* The TCP listeners cannot share a port on overlapping addresses. */
static void check_listeners(struct loader *ld)
{
	const struct {
		const char *section, *key;
		const struct gw_addr *a;
	} l[] = {
	    {"https", "listen", &ld->cfg->https.listen},
	    {"sip", "tcp", &ld->cfg->sip.tcp},
	    {"sip", "tls", &ld->cfg->sip.tls},
	};
	char msg[GW_CONFIG_MSG_MAX];
	struct pl sec;
	size_t i, j;

	for (j = 1; j < SC_ARRAY_SIZE(l); j++) {
		for (i = 0; i < j; i++) {
			const struct gw_addr *a = l[i].a, *b = l[j].a;

			if (!a->host || !b->host || a->port != b->port ||
			    (strcmp(a->host, b->host) &&
			     !is_wildcard(a->host) && !is_wildcard(b->host)))
				continue;
			snprintf(msg, sizeof(msg),
			         "same TCP port as [%s] %s (line %u)",
			         l[i].section, l[i].key,
			         key_line(ld, l[i].section, l[i].key));
			pl_set_str(&sec, l[j].section);
			fail(ld, key_line(ld, l[j].section, l[j].key), &sec,
			     l[j].key, msg);
		}
	}
}

static void conn_fail(unsigned line, const char *section, const char *key,
                      const char *msg, void *arg)
{
	struct pl sec;

	pl_set_str(&sec, section);
	fail(arg, line, &sec, key, msg);
}

/* Rules that involve more than one key, run once the file is read. */
static void check_file(struct loader *ld)
{
	struct gw_config *cfg = ld->cfg;
	struct pl sec;
	size_t i;
	unsigned https_line = 0, sip_line = 0;

	for (i = 0; i < ld->nkeys; i++) {
		const struct gw_config_key *k = &ld->keys[i];

		if (!strcmp(k->section, "https"))
			https_line = ld->section_line[i];
		if (!strcmp(k->section, "sip"))
			sip_line = ld->section_line[i];
		if (!k->required || ld->set_line[i] || ld->bad_header)
			continue;
		pl_set_str(&sec, k->section);
		fail(ld, ld->section_line[i], &sec, k->key,
		     "required key is missing");
	}
	pl_set_str(&sec, "https");
	if (cfg->https.listen.host && !cfg->https.cert)
		fail(ld, https_line, &sec, "cert",
		     "required when listen is set");
	if (cfg->https.listen.host && !cfg->https.key)
		fail(ld, https_line, &sec, "key",
		     "required when listen is set");

	/* [sip] tls_cert and tls_key default to the [https] ones. */
	if (!cfg->sip.tls_cert && cfg->https.cert &&
	    dup_opt(&cfg->sip.tls_cert, cfg->https.cert))
		ld->err = ENOMEM;
	if (!cfg->sip.tls_key && cfg->https.key &&
	    dup_opt(&cfg->sip.tls_key, cfg->https.key))
		ld->err = ENOMEM;
	pl_set_str(&sec, "sip");
	if (cfg->sip.tls.host && !cfg->sip.tls_cert)
		fail(ld, sip_line, &sec, "tls_cert",
		     "required when tls is set (or set [https] cert)");
	if (cfg->sip.tls.host && !cfg->sip.tls_key)
		fail(ld, sip_line, &sec, "tls_key",
		     "required when tls is set (or set [https] key)");
	check_public_address(ld);
	check_dns_servers(ld);
	check_expires(ld);
	gw_config_conn_check(cfg, conn_fail, ld);
	check_listeners(ld);
}

int gw_config_parse(struct gw_config **cfgp, const char *name, const char *text,
                    size_t len, struct gw_config_errors *errs)
{
	struct loader ld;
	struct gw_ini ini;
	struct gw_ini_item it;
	int err;

	memset(&ld, 0, sizeof(ld));
	ld.errs = errs;
	ld.file = name;
	ld.keys = gw_config_keys(&ld.nkeys);
	if (!cfgp || !name || (!text && len) || !errs ||
	    ld.nkeys > CONFIG_KEYS_MAX) {
		err = EINVAL;
		goto out;
	}
	ld.cfg = mem_zalloc(sizeof(*ld.cfg), config_destroy);
	err = ld.cfg ? dup_opt(&ld.cfg->path, name) : ENOMEM;
	err = err ? err : apply_defaults(ld.cfg, ld.keys, ld.nkeys);
	if (err)
		goto out;
	gw_ini_init(&ini, text, len);
	while (!ld.err && (err = gw_ini_next(&ini, &it)) != ENOENT) {
		if (err && it.key.l && ld.section.p) {
			on_bad_pair(&ld, &it);
		} else if (err) {
			fail(&ld, it.line, NULL, NULL, it.error);
			if (it.type == GW_INI_SECTION) {
				ld.section.p = NULL; /* skip its keys */
				ld.whole.p = NULL;
				ld.cur_line = it.line;
				ld.bad_header = true;
			}
		} else if (it.type == GW_INI_SECTION) {
			on_section(&ld, &it);
		} else if (!ld.section.p && !ld.cur_line) {
			fail(&ld, it.line, NULL, NULL,
			     "key outside of a section");
		} else {
			on_pair(&ld, &it);
		}
	}
	if (!ld.err)
		check_file(&ld);
	err = ld.err ? ld.err : ld.nerrs ? EBADMSG : 0;
out:
	if (err)
		mem_deref(ld.cfg); /* NULL-safe */
	else
		*cfgp = ld.cfg;
	return err;
}

int gw_config_load(struct gw_config **cfgp, const char *path,
                   struct gw_config_errors *errs)
{
	char msg[GW_CONFIG_MSG_MAX];
	char *text = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int err = 0;

	if (!cfgp || !path || !errs) {
		err = EINVAL;
		goto out;
	}
	f = fopen(path, "rb");
	if (!f) {
		err = errno;
		goto unreadable;
	}
	/* One byte more than the limit tells "too large" from "just fits". */
	text = mem_alloc(GW_CONFIG_FILE_MAX + 1, NULL);
	if (!text) {
		err = ENOMEM;
		goto out;
	}
	len = fread(text, 1, GW_CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		err = errno ? errno : EIO;
		goto unreadable;
	}
	if (len > GW_CONFIG_FILE_MAX) {
		snprintf(msg, sizeof(msg), "larger than %u bytes",
		         GW_CONFIG_FILE_MAX);
		err = error_add(errs, path, 0, NULL, NULL, msg);
		err = err ? err : EOVERFLOW;
		goto out;
	}
	err = gw_config_parse(cfgp, path, text, len, errs);
	goto out;
unreadable:
	snprintf(msg, sizeof(msg), "cannot read: %s", strerror(err));
	if (error_add(errs, path, 0, NULL, NULL, msg))
		err = ENOMEM;
out:
	mem_deref(text);
	if (f)
		fclose(f); /* read-only: nothing to lose */
	return err;
}
