/* config_conn.c: [connection NAME] sections of the config file: the keys
 * of a connection to a PBX or trunk, parsed into struct gw_conn_conf
 * (dial patterns compiled as POSIX extended regular expressions). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/config_conn.h"
#include "gw/conn.h"

#define CONN_WEIGHT_DEFAULT 100 /* a dial pattern written without weight */

/* Indexes into the key table below (and into key_line). */
enum conn_key {
	K_TYPE = 0,
	K_TRANSPORT,
	K_HOST,
	K_PORT,
	K_DIAL_PATTERNS,
	K_ALLOW_FROM,
	K_MEDIA,
	K_CODECS,
	K_EXPIRES,
	K_REGISTER,
	K_OPTIONS_INTERVAL,
	K_FROM_DOMAIN,
	K_PAI,
	K_COUNT
};

static const struct gw_config_key conn_keys[K_COUNT] = {
    [K_TYPE] = {"connection", "type", GW_CFG_CHOICE, 0, 0, 0, NULL, true},
    [K_TRANSPORT] = {"connection", "transport", GW_CFG_CHOICE, 0, 0, 0, "udp",
		     false},
    [K_HOST] = {"connection", "host", GW_CFG_HOST, 0, 0, 0, NULL, false},
    [K_PORT] = {"connection", "port", GW_CFG_UINT, 0, 1, 65535, NULL, false},
    [K_DIAL_PATTERNS] = {"connection", "dial_patterns", GW_CFG_LIST, 0, 0, 0,
			 NULL, false},
    [K_ALLOW_FROM] = {"connection", "allow_from", GW_CFG_LIST, 0, 0, 0, NULL,
		      false},
    [K_MEDIA] = {"connection", "media", GW_CFG_CHOICE, 0, 0, 0, "rtp", false},
    [K_CODECS] = {"connection", "codecs", GW_CFG_LIST, 0, 0, 0, NULL, false},
    [K_EXPIRES] = {"connection", "expires", GW_CFG_UINT, 0, 60, 86400, "600",
		   false},
    [K_REGISTER] = {"connection", "register", GW_CFG_CHOICE, 0, 0, 0, "online",
		    false},
    [K_OPTIONS_INTERVAL] = {"connection", "options_interval", GW_CFG_UINT, 0, 0,
			    3600, "30", false},
    [K_FROM_DOMAIN] = {"connection", "from_domain", GW_CFG_HOST, 0, 0, 0, NULL,
		       false},
    [K_PAI] = {"connection", "pai", GW_CFG_STRING, 0, 0, 0, NULL, false},
};

_Static_assert(K_COUNT <= GW_CONN_KEYS_MAX, "key_line too small");

const struct gw_config_key *gw_config_conn_keys(size_t *countp)
{
	*countp = K_COUNT;
	return conn_keys;
}

static void conn_destroy(void *data)
{
	struct gw_conn_conf *c = data;

	for (size_t i = 0; i < c->patc; i++) {
		mem_deref(c->patv[i].src);
		regfree(&c->patv[i].re);
	}
	mem_deref(c->patv);
	mem_deref(c->name);
	mem_deref(c->host);
	mem_deref(c->from_domain);
	mem_deref(c->pai);
}

void gw_config_conns_free(struct gw_config *cfg)
{
	for (size_t i = 0; i < cfg->conns.n; i++)
		mem_deref(cfg->conns.v[i]);
	cfg->conns.v = mem_deref(cfg->conns.v);
	cfg->conns.n = 0;
}

static void why_val(char *why, size_t size, const char *pre, const struct pl *v,
		    const char *post)
{
	int n = (int)SC_MIN(v->l, (size_t)GW_CONFIG_VALUE_SHOW);

	snprintf(why, size, "%s'%.*s%s'%s", pre, n, v->p,
		 v->l > (size_t)n ? "..." : "", post);
}

int gw_config_conn_begin(struct gw_config *cfg, const struct pl *name,
			 unsigned line, char *why, size_t size)
{
	struct gw_conn_conf *c;
	size_t i;
	int err = 0;

	for (i = 0; i < cfg->conns.n; i++) {
		if (!pl_strcmp(name, cfg->conns.v[i]->name)) {
			snprintf(why, size,
				 "connection repeated (first at line %u)",
				 cfg->conns.v[i]->line);
			return EEXIST;
		}
	}
	if (cfg->conns.n == GW_CONN_MAX || name->l > GW_CONN_NAME_MAX) {
		snprintf(why, size,
			 "more than %u connections or a name over "
			 "%u bytes",
			 GW_CONN_MAX, GW_CONN_NAME_MAX);
		return EOVERFLOW;
	}
	if (!cfg->conns.v) {
		cfg->conns.v =
		    mem_zalloc(GW_CONN_MAX * sizeof(*cfg->conns.v), NULL);
		if (!cfg->conns.v)
			return ENOMEM;
	}
	c = mem_zalloc(sizeof(*c), conn_destroy);
	if (!c)
		return ENOMEM;
	c->line = line;
	c->transport = SIP_TRANSP_UDP;
	c->media = MEDIA_RTP;
	c->expires = 600;
	c->options_interval = 30;
	err = pl_strdup(&c->name, name);
	if (err) {
		mem_deref(c);
		return err;
	}
	cfg->conns.v[cfg->conns.n++] = c;
	return 0;
}

/* Splits list at commas outside [] and {} (regular expressions use both
 * for their own commas); calls h on each trimmed item. */
typedef int(item_h)(struct gw_conn_conf *c, const struct pl *item, char *why,
		    size_t size);

static int split_list(struct gw_conn_conf *c, const struct pl *v, item_h *h,
		      char *why, size_t size)
{
	size_t i, start = 0;
	int depth = 0, err = 0;

	for (i = 0; i <= v->l && !err; i++) {
		char ch = i < v->l ? v->p[i] : ',';
		struct pl item;

		if (ch == '[' || ch == '{')
			depth++;
		else if ((ch == ']' || ch == '}') && depth > 0)
			depth--;
		if (ch != ',' || (depth > 0 && i < v->l))
			continue;
		item.p = v->p + start;
		item.l = i - start;
		pl_trim(&item);
		start = i + 1;
		if (!item.l) {
			why_val(why, size, "empty entry in list ", v, "");
			return EBADMSG;
		}
		err = h(c, &item, why, size);
	}
	return err;
}

/* "REGEX [WEIGHT]": the weight is the last blank-separated word when it
 * is all digits. The pattern must match the whole number (gw_conns_route
 * checks the match spans it), so ^ and $ are optional. */
static int add_pattern(struct gw_conn_conf *c, const struct pl *item, char *why,
		       size_t size)
{
	struct gw_dial_pattern *p;
	struct pl re = *item, w = PL_INIT;
	uint32_t weight = CONN_WEIGHT_DEFAULT;
	char msg[128];
	size_t i;
	int err, rc;

	for (i = item->l; i > 0; i--) {
		if (item->p[i - 1] == ' ' || item->p[i - 1] == '\t') {
			w.p = item->p + i;
			w.l = item->l - i;
			re.l = i - 1;
			pl_trim(&re);
			break;
		}
	}
	if (w.l) {
		err = gw_config_parse_uint(&w, 0, GW_CONN_WEIGHT_MAX, &weight,
					   why, size);
		if (err)
			return err;
	}
	if (c->patc == GW_CONN_PATTERNS_MAX) {
		snprintf(why, size, "more than %u dial patterns",
			 GW_CONN_PATTERNS_MAX);
		return EOVERFLOW;
	}
	if (!c->patv) {
		c->patv =
		    mem_zalloc(GW_CONN_PATTERNS_MAX * sizeof(*c->patv), NULL);
		if (!c->patv)
			return ENOMEM;
	}
	p = &c->patv[c->patc];
	err = pl_strdup(&p->src, &re);
	if (err)
		return err;
	rc = regcomp(&p->re, p->src, REG_EXTENDED);
	if (rc) {
		regerror(rc, &p->re, msg, sizeof(msg));
		why_val(why, size, "invalid regular expression ", &re, "");
		snprintf(why + strlen(why), size - strlen(why), " (%s)", msg);
		p->src = mem_deref(p->src);
		return EBADMSG;
	}
	p->weight = weight;
	c->patc++;
	return 0;
}

/* "ADDR" or "ADDR/BITS", IPv4 or IPv6 (RFC 4632 §3.1 notation). */
int gw_cidr_decode(struct gw_cidr *cidr, const struct pl *v)
{
	char host[SA_ADDR_MAX];
	const char *slash = pl_chr(v, '/');
	struct pl a = *v, b = PL_INIT;
	uint32_t bits, max;
	int err;

	if (slash) {
		a.l = (size_t)(slash - v->p);
		b.p = slash + 1;
		b.l = v->l - a.l - 1;
	}
	if (pl_strcpy(&a, host, sizeof(host)) || sa_set(&cidr->addr, host, 0))
		return EBADMSG;
	max = sa_family(&cidr->addr) == AF_INET ? 32 : 128;
	bits = max;
	if (slash) {
		err = pl_u32(&b, &bits);
		if (err || bits > max)
			return EBADMSG;
	}
	cidr->bits = (uint8_t)bits;
	return 0;
}

static int add_allow(struct gw_conn_conf *c, const struct pl *item, char *why,
		     size_t size)
{
	if (c->allowc == GW_CONN_ALLOW_MAX) {
		snprintf(why, size, "more than %u networks", GW_CONN_ALLOW_MAX);
		return EOVERFLOW;
	}
	if (gw_cidr_decode(&c->allowv[c->allowc], item)) {
		why_val(why, size, "cannot parse network ", item,
			" (expected ADDRESS or ADDRESS/BITS)");
		return EBADMSG;
	}
	c->allowc++;
	return 0;
}

static int add_codec(struct gw_conn_conf *c, const struct pl *item, char *why,
		     size_t size)
{
	enum media_codec mc;

	if (media_codec_decode(&mc, item)) {
		why_val(why, size, "unknown codec ", item,
			" (expected opus, pcmu or pcma)");
		return EBADMSG;
	}
	for (size_t i = 0; i < c->codecc; i++) {
		if (c->codecv[i] == mc) {
			why_val(why, size, "codec ", item, " listed twice");
			return EBADMSG;
		}
	}
	if (c->codecc == MEDIA_CODECS_MAX)
		return EOVERFLOW;
	c->codecv[c->codecc++] = mc;
	return 0;
}

static int set_choice(const struct pl *v, const char *const *names, size_t n,
		      int *out, char *why, size_t size)
{
	char post[96] = " (expected";

	for (size_t i = 0; i < n; i++) {
		if (!pl_strcasecmp(v, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		snprintf(post + strlen(post), sizeof(post) - strlen(post),
			 "%s %s", i ? (i + 1 == n ? " or" : ",") : "",
			 names[i]);
	snprintf(post + strlen(post), sizeof(post) - strlen(post), ")");
	why_val(why, size, "unknown value ", v, post);
	return EBADMSG;
}

static int set_str(char **field, const struct pl *v)
{
	char *s;
	int err = pl_strdup(&s, v);

	if (!err) {
		mem_deref(*field);
		*field = s;
	}
	return err;
}

static int set_value(struct gw_conn_conf *c, enum conn_key k,
		     const struct pl *v, char *why, size_t size)
{
	static const char *const types[] = {"registration", "trunk", "inbound"};
	static const char *const tps[] = {"udp", "tcp", "tls"};
	static const char *const medias[] = {"rtp", "srtp", "webrtc"};
	static const char *const regs[] = {"online", "always"};
	struct pl host;
	uint32_t n;
	int i = 0, err;

	switch (k) {
	case K_TYPE:
		err = set_choice(v, types, 3, &i, why, size);
		c->type = (enum gw_conn_type)i;
		return err;
	case K_TRANSPORT:
		err = set_choice(v, tps, 3, &i, why, size);
		c->transport = i == 2   ? SIP_TRANSP_TLS
			       : i == 1 ? SIP_TRANSP_TCP
					: SIP_TRANSP_UDP;
		return err;
	case K_HOST:
	case K_FROM_DOMAIN:
		err = gw_config_parse_host(v, &host, why, size);
		return err ? err
			   : set_str(k == K_HOST ? &c->host : &c->from_domain,
				     &host);
	case K_PORT:
		err = gw_config_parse_uint(v, 1, 65535, &n, why, size);
		c->port = err ? 0 : (uint16_t)n;
		return err;
	case K_DIAL_PATTERNS:
		return split_list(c, v, add_pattern, why, size);
	case K_ALLOW_FROM:
		return split_list(c, v, add_allow, why, size);
	case K_MEDIA:
		err = set_choice(v, medias, 3, &i, why, size);
		c->media = i == 2   ? MEDIA_WEBRTC
			   : i == 1 ? MEDIA_SRTP
				    : MEDIA_RTP;
		return err;
	case K_CODECS:
		return split_list(c, v, add_codec, why, size);
	case K_EXPIRES:
		return gw_config_parse_uint(v, 60, 86400, &c->expires, why,
					    size);
	case K_REGISTER:
		err = set_choice(v, regs, 2, &i, why, size);
		c->reg_mode = (enum gw_conn_register)i;
		return err;
	case K_OPTIONS_INTERVAL:
		err = gw_config_parse_uint(v, 0, 3600, &c->options_interval,
					   why, size);
		if (!err && c->options_interval && c->options_interval < 5) {
			snprintf(why, size, "0 (off) or 5..3600 seconds");
			err = EBADMSG;
		}
		return err;
	case K_PAI:
		if (pl_strcasecmp(&(struct pl){v->p, SC_MIN(v->l, 4)},
				  "sip:") &&
		    pl_strcasecmp(&(struct pl){v->p, SC_MIN(v->l, 4)},
				  "tel:")) {
			why_val(why, size, "cannot parse URI ", v,
				" (expected sip:... or tel:...)");
			return EBADMSG;
		}
		return set_str(&c->pai, v);
	default:
		return EINVAL;
	}
}

int gw_config_conn_pair(struct gw_config *cfg, const struct pl *key,
			const struct pl *v, unsigned line, char *why,
			size_t size)
{
	struct gw_conn_conf *c =
	    cfg->conns.n ? cfg->conns.v[cfg->conns.n - 1] : NULL;
	size_t k;

	if (!c)
		return EINVAL;
	for (k = 0; k < K_COUNT; k++)
		if (!pl_strcmp(key, conn_keys[k].key))
			break;
	if (k == K_COUNT) {
		snprintf(why, size, "unknown key");
		return ENOENT;
	}
	if (c->key_line[k]) {
		snprintf(why, size, "duplicate key (first set at line %u)",
			 c->key_line[k]);
		return EALREADY;
	}
	c->key_line[k] = line;
	return set_value(c, (enum conn_key)k, v, why, size);
}

/* Keys that only one type takes. */
static const struct {
	enum conn_key k;
	enum gw_conn_type only;
} type_keys[] = {
    {K_EXPIRES, GW_CONN_REGISTRATION},
    {K_REGISTER, GW_CONN_REGISTRATION},
    {K_OPTIONS_INTERVAL, GW_CONN_TRUNK},
};

void gw_config_conn_check(struct gw_config *cfg, gw_config_conn_fail_h *fh,
			  void *arg)
{
	char sec[GW_CONN_NAME_MAX + 16], msg[GW_CONFIG_MSG_MAX];

	for (size_t i = 0; i < cfg->conns.n; i++) {
		struct gw_conn_conf *c = cfg->conns.v[i];

		snprintf(sec, sizeof(sec), "connection %s", c->name);
		if (!c->key_line[K_TYPE]) {
			fh(c->line, sec, "type", "required key is missing",
			   arg);
			continue;
		}
		if (c->type != GW_CONN_INBOUND && !c->host)
			fh(c->line, sec, "host",
			   "required for registration and trunk connections",
			   arg);
		for (size_t j = 0; j < SC_ARRAY_SIZE(type_keys); j++) {
			enum conn_key k = type_keys[j].k;

			if (!c->key_line[k] || c->type == type_keys[j].only)
				continue;
			snprintf(msg, sizeof(msg), "only for type = %s",
				 gw_conn_type_name(type_keys[j].only));
			fh(c->key_line[k], sec, conn_keys[k].key, msg, arg);
		}
		c->port_set = c->port != 0;
		if (!c->port)
			c->port = c->transport == SIP_TRANSP_TLS ? 5061 : 5060;
	}
}

const char *gw_conn_type_name(enum gw_conn_type t)
{
	switch (t) {
	case GW_CONN_REGISTRATION:
		return "registration";
	case GW_CONN_TRUNK:
		return "trunk";
	case GW_CONN_INBOUND:
		return "inbound";
	}
	return "?";
}
