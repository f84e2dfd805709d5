/* config_keys.c: the table of config keys (docs/config.md describes each)
 * and the pure parsers of their value types. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gw/gw.h"

#define HOST_NAME_MAX_LEN 253 /* RFC 1035 §2.3.4, without the final dot */
#define HOST_LABEL_MAX 63     /* RFC 1035 §2.3.4 */
#define MEDIA_PORT_MIN 1024
#define MEDIA_PORT_MAX 65535
#define OFF(f) offsetof(struct gw_config, f)

/* The names and defaults here are an external interface: keep them. */
static const struct gw_config_key keys[] = {
    {"server", "public_address", GW_CFG_HOST, OFF(server.public_address), 0, 0,
     NULL, true},
    {"server", "control_socket", GW_CFG_PATH, OFF(server.control_socket), 0, 0,
     "var/sipcloak.sock", false},
    {"server", "echo_number", GW_CFG_NUMBER, OFF(server.echo_number), 0, 0,
     NULL, false},
    {"server", "dns_servers", GW_CFG_STRING, OFF(server.dns_servers), 0, 0,
     NULL, false},
    {"https", "listen", GW_CFG_ADDR, OFF(https.listen), 0, 0, NULL, false},
    {"https", "cert", GW_CFG_PATH, OFF(https.cert), 0, 0, NULL, false},
    {"https", "key", GW_CFG_PATH, OFF(https.key), 0, 0, NULL, false},
    {"https", "allowed_origins", GW_CFG_ORIGINS, OFF(https.allowed_origins), 0,
     0, NULL, false},
    {"https", "max_connections_per_ip", GW_CFG_UINT,
     OFF(https.max_connections_per_ip), 1, 100000, "64", false},
    {"https", "idle_timeout", GW_CFG_UINT, OFF(https.idle_timeout), 10, 86400,
     "900", false},
    {"https", "web_root", GW_CFG_PATH, OFF(https.web_root), 0, 0, NULL, false},
    {"sip", "domain", GW_CFG_HOST, OFF(sip.domain), 0, 0, NULL, true},
    {"sip", "udp", GW_CFG_ADDR, OFF(sip.udp), 0, 0, NULL, false},
    {"sip", "tcp", GW_CFG_ADDR, OFF(sip.tcp), 0, 0, NULL, false},
    {"sip", "tls", GW_CFG_ADDR, OFF(sip.tls), 0, 0, NULL, false},
    {"sip", "tls_cert", GW_CFG_PATH, OFF(sip.tls_cert), 0, 0, NULL, false},
    {"sip", "tls_key", GW_CFG_PATH, OFF(sip.tls_key), 0, 0, NULL, false},
    {"sip", "tls_ca_file", GW_CFG_PATH, OFF(sip.tls_ca_file), 0, 0, NULL,
     false},
    {"sip", "tls_verify", GW_CFG_BOOL, OFF(sip.tls_verify), 0, 0, "yes", false},
    {"store", "path", GW_CFG_PATH, OFF(store.path), 0, 0, "var/sipcloak.db",
     false},
    {"store", "master_key", GW_CFG_PATH, OFF(store.master_key), 0, 0,
     "var/master.key", false},
    {"store", "min_secret_bits", GW_CFG_UINT, OFF(store.min_secret_bits), 40,
     256, "80", false},
    {"auth", "max_failures", GW_CFG_UINT, OFF(auth.max_failures), 1, 1000,
     "5", false},
    {"auth", "failure_window", GW_CFG_UINT, OFF(auth.failure_window), 1,
     86400, "600", false},
    {"auth", "ban_time", GW_CFG_UINT, OFF(auth.ban_time), 1, 86400, "300",
     false},
    {"auth", "ban_time_max", GW_CFG_UINT, OFF(auth.ban_time_max), 1, 604800,
     "86400", false},
    {"auth", "nonce_lifetime", GW_CFG_UINT, OFF(auth.nonce_lifetime), 10,
     3600, "300", false},
    {"registrar", "min_expires", GW_CFG_UINT, OFF(registrar.min_expires), 10,
     86400, "60", false},
    {"registrar", "max_expires", GW_CFG_UINT, OFF(registrar.max_expires), 10,
     86400, "3600", false},
    {"media", "ports", GW_CFG_PORTS, OFF(media.ports), 0, 0, "40000-40999",
     false},
    {"media", "workers", GW_CFG_UINT, OFF(media.workers), 0, 256, "0", false},
    {"media", "address", GW_CFG_HOST, OFF(media.address), 0, 0, NULL, false},
    {"media", "no_media_timeout", GW_CFG_UINT, OFF(media.no_media_timeout), 0,
     3600, "60", false},
    {"log", "level", GW_CFG_LEVEL, OFF(log.level), 0, 0, "info", false},
};

const struct gw_config_key *gw_config_keys(size_t *countp)
{
	*countp = SC_ARRAY_SIZE(keys);
	return keys;
}

const char *gw_config_type_name(enum gw_config_type type)
{
	switch (type) {
	case GW_CFG_HOST:
		return "host";
	case GW_CFG_ADDR:
		return "host:port";
	case GW_CFG_NUMBER:
		return "number";
	case GW_CFG_PATH:
		return "path";
	case GW_CFG_UINT:
		return "integer";
	case GW_CFG_BOOL:
		return "boolean";
	case GW_CFG_PORTS:
		return "port range";
	case GW_CFG_LEVEL:
		return "log level";
	case GW_CFG_ORIGINS:
		return "origin list";
	case GW_CFG_CHOICE:
		return "choice";
	case GW_CFG_LIST:
		return "list";
	case GW_CFG_STRING:
		return "string";
	}
	return "?";
}

int gw_config_section_check(const struct pl *section, const struct pl *name)
{
	size_t i;

	/* [connection NAME] must have a name: EBADMSG without one. */
	if (!pl_strcmp(section, "connection"))
		return name->l ? 0 : EBADMSG;
	for (i = 0; i < SC_ARRAY_SIZE(keys); i++) {
		if (pl_strcmp(section, keys[i].section))
			continue;
		return name->l ? EBADMSG : 0;
	}
	return ENOENT;
}

/* "the value 'V'", clipped so that one huge value cannot flood a terminal. */
static void why_set(char *why, size_t size, const char *pre, const struct pl *v,
                    const char *post)
{
	int n = (int)SC_MIN(v->l, (size_t)GW_CONFIG_VALUE_SHOW);

	if (!why || !size)
		return;
	snprintf(why, size, "%s'%.*s%s'%s", pre, n, v->p,
	         v->l > (size_t)n ? "..." : "", post);
}

int gw_config_parse_uint(const struct pl *v, uint32_t min, uint32_t max,
                         uint32_t *out, char *why, size_t size)
{
	char post[48];
	uint32_t n = 0;
	int err = pl_u32(v, &n);

	if (err == EBADMSG) {
		why_set(why, size, "cannot parse integer ", v, "");
		goto out;
	}
	if (err || n < min || n > max) {
		snprintf(post, sizeof(post), " out of range (%u..%u)", min,
		         max);
		why_set(why, size, "value ", v, post);
		err = EOVERFLOW;
		goto out;
	}
	*out = n;
out:
	return err;
}

int gw_config_parse_bool(const struct pl *v, bool *out, char *why, size_t size)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;
	int err = EBADMSG;

	for (i = 0; i < SC_ARRAY_SIZE(yes) && err; i++) {
		if (!pl_strcasecmp(v, yes[i]) || !pl_strcasecmp(v, no[i])) {
			*out = !pl_strcasecmp(v, yes[i]);
			err = 0;
		}
	}
	if (err)
		why_set(why, size, "cannot parse boolean ", v,
		        " (expected yes/no/true/false/on/off/1/0)");
	return err;
}

static bool is_digits_and_dots(const struct pl *h)
{
	size_t i;

	for (i = 0; i < h->l; i++)
		if ((h->p[i] < '0' || h->p[i] > '9') && h->p[i] != '.')
			return false;
	return true;
}

/* RFC 1123 §2.1 host name; the last label may not be all digits (so that
 * "1.2.3" is a bad IPv4 address, not a name). */
static bool is_hostname(const struct pl *h)
{
	size_t i, start = 0;

	if (!h->l || h->l > HOST_NAME_MAX_LEN)
		return false;
	for (i = 0; i <= h->l; i++) {
		char c = i < h->l ? h->p[i] : '.';
		size_t len = i - start;

		if (c == '.') {
			if (!len || len > HOST_LABEL_MAX ||
			    h->p[start] == '-' || h->p[i - 1] == '-')
				return false;
			start = i + 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	for (i = h->l; i > 0 && h->p[i - 1] != '.'; i--)
		if (h->p[i - 1] < '0' || h->p[i - 1] > '9')
			return true;
	return false;
}

static bool is_ip(int af, const struct pl *h)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];

	if (pl_strcpy(h, buf, sizeof(buf)))
		return false;
	return inet_pton(af, buf, bin) == 1;
}

/* Host part without brackets: IPv4, IPv6 (bracketed is true) or a name. */
static bool host_ok(const struct pl *h, bool bracketed)
{
	if (bracketed)
		return is_ip(AF_INET6, h);
	if (pl_chr(h, ':'))
		return is_ip(AF_INET6, h);
	if (is_digits_and_dots(h))
		return is_ip(AF_INET, h);
	return is_hostname(h);
}

int gw_config_parse_host(const struct pl *v, struct pl *host, char *why,
                         size_t size)
{
	struct pl h = *v;
	bool br = h.l >= 2 && h.p[0] == '[' && h.p[h.l - 1] == ']';
	int err = 0;

	if (br) {
		h.p++;
		h.l -= 2;
	}
	if (host_ok(&h, br)) {
		*host = h;
	} else {
		why_set(why, size, "cannot parse host ", v,
		        " (expected an IP address or host name)");
		err = EBADMSG;
	}
	return err;
}

/* Where host and port split: the ':' after "]" or the last ':'. */
static const char *addr_colon(const struct pl *v)
{
	const char *close;
	size_t i;

	if (v->l && v->p[0] == '[') {
		close = pl_chr(v, ']');
		if (close && close + 1 < v->p + v->l && close[1] == ':')
			return close + 1;
		return NULL;
	}
	for (i = v->l; i > 0; i--)
		if (v->p[i - 1] == ':')
			return v->p + i - 1;
	return NULL;
}

int gw_config_parse_addr(const struct pl *v, struct pl *host, uint16_t *port,
                         char *why, size_t size)
{
	const char *colon = addr_colon(v);
	bool br = v->l && v->p[0] == '[';
	struct pl h, p;
	uint32_t n = 0;
	int err = EBADMSG;

	if (!colon)
		goto out;
	h.p = v->p + (br ? 1 : 0);
	h.l = (size_t)(colon - v->p) - (br ? 2 : 0);
	p.p = colon + 1;
	p.l = v->l - (size_t)(p.p - v->p);
	if (!h.l || !host_ok(&h, br) || (!br && pl_chr(&h, ':')))
		goto out;
	err = pl_u32(&p, &n);
	if (!err && (n < 1 || n > 65535))
		err = EOVERFLOW;
	if (!err) {
		*host = h;
		*port = (uint16_t)n;
	}
out:
	if (err == EBADMSG)
		why_set(why, size, "cannot parse address ", v,
		        " (expected host:port)");
	else if (err)
		why_set(why, size, "port out of range in ", v, " (1..65535)");
	return err;
}

int gw_config_parse_ports(const struct pl *v, struct gw_port_range *r,
                          char *why, size_t size)
{
	const char *dash = pl_chr(v, '-');
	struct pl lo, hi;
	uint32_t a = 0, b = 0;
	char post[64];
	int err = EBADMSG, ea, eb;

	if (!dash) {
		why_set(why, size, "cannot parse port range ", v,
		        " (expected LO-HI, as in 40000-40999)");
		goto out;
	}
	lo.p = v->p;
	lo.l = (size_t)(dash - v->p);
	hi.p = dash + 1;
	hi.l = v->l - lo.l - 1;
	pl_trim(&lo);
	pl_trim(&hi);
	ea = pl_u32(&lo, &a);
	eb = pl_u32(&hi, &b);
	if (ea == EBADMSG || eb == EBADMSG) {
		why_set(why, size, "cannot parse port range ", v,
		        " (expected LO-HI, as in 40000-40999)");
	} else if (ea || eb || a < MEDIA_PORT_MIN || b > MEDIA_PORT_MAX) {
		snprintf(post, sizeof(post), " out of range (%u..%u)",
		         MEDIA_PORT_MIN, MEDIA_PORT_MAX);
		why_set(why, size, "port range ", v, post);
		err = EOVERFLOW;
	} else if (a > b) {
		why_set(why, size, "port range ", v,
		        " is reversed (expected LO-HI with LO < HI)");
	} else if (a == b) {
		why_set(why, size, "port range ", v, " has fewer than 2 ports");
		err = EOVERFLOW;
	} else {
		r->lo = (uint16_t)a;
		r->hi = (uint16_t)b;
		err = 0;
	}
out:
	return err;
}

int gw_config_parse_level(const struct pl *v, enum log_level *out, char *why,
                          size_t size)
{
	char buf[8];
	int err = EBADMSG;

	if (!pl_strcpy(v, buf, sizeof(buf)) && !log_level_parse(buf, out))
		err = 0;
	else
		why_set(why, size, "unknown log level ", v,
		        " (expected debug, info, warn or error)");
	return err;
}

/* Skips "https://" or "http://" and says which (with its default port,
 * RFC 6454 §4); NULL if neither starts rest. */
static const char *origin_scheme(struct pl *rest, uint32_t *def_port)
{
	static const struct {
		const char *name;
		uint32_t port;
	} schemes[] = {{"https", 443}, {"http", 80}};
	size_t i, n;

	for (i = 0; i < SC_ARRAY_SIZE(schemes); i++) {
		n = strlen(schemes[i].name);
		/* schemes are case-insensitive (RFC 3986 §3.1) */
		if (rest->l >= n + 3 &&
		    !strncasecmp(rest->p, schemes[i].name, n) &&
		    !strncmp(rest->p + n, "://", 3)) {
			rest->p += n + 3;
			rest->l -= n + 3;
			*def_port = schemes[i].port;
			return schemes[i].name;
		}
	}
	return NULL;
}

int gw_config_parse_origin(const struct pl *v, char *norm, size_t normsz,
                           char *why, size_t size)
{
	struct pl rest = *v, host, bare, port;
	const char *colon = NULL, *scheme;
	uint32_t n = 0, def = 0;
	size_t i, len;
	int err = EBADMSG, w;

	scheme = origin_scheme(&rest, &def);
	if (!scheme)
		goto out;
	/* An optional :port after the host (after ']' for IPv6). */
	for (i = rest.l; i > 0 && rest.p[i - 1] != ']' && !colon; i--)
		if (rest.p[i - 1] == ':')
			colon = rest.p + i - 1;
	host = rest;
	if (colon) {
		host.l = (size_t)(colon - rest.p);
		port.p = colon + 1;
		port.l = rest.l - host.l - 1;
		if (pl_u32(&port, &n) || n < 1 || n > 65535)
			goto out;
	}
	if (gw_config_parse_host(&host, &bare, NULL, 0))
		goto out;
	err = 0;
	if (!norm)
		goto out;
	/* RFC 6454 §6.2: lower-case scheme and host, default port left out. */
	if (colon && n != def)
		w = snprintf(norm, normsz, "%s://%.*s:%u", scheme,
		             PL_FMT(&host), n);
	else
		w = snprintf(norm, normsz, "%s://%.*s", scheme, PL_FMT(&host));
	if (w < 0 || (size_t)w >= normsz)
		err = EOVERFLOW;
	len = strlen(norm);
	for (i = 0; i < len; i++)
		if (norm[i] >= 'A' && norm[i] <= 'Z')
			norm[i] = (char)(norm[i] - 'A' + 'a');
out:
	if (err == EOVERFLOW)
		why_set(why, size, "origin ", v, " too long");
	else if (err)
		why_set(why, size, "cannot parse origin ", v,
		        " (expected http(s)://host[:port] without a path)");
	return err;
}

int gw_dns_servers_parse(const char *s, struct net_dns_conf *conf)
{
	const char *p = s;

	if (!s || !conf)
		return EINVAL;
	memset(conf, 0, sizeof(*conf));
	while (*p) {
		size_t n = strcspn(p, " ,\t");
		struct sa sa;

		if (!n) {
			p++;
			continue;
		}
		if (conf->srvc == NET_DNS_SERVERS_MAX)
			return EOVERFLOW;
		if (sa_decode(&sa, p, n) || sa_family(&sa) != AF_INET)
			return EBADMSG;
		if (!sa_port(&sa))
			sa_set_port(&sa, 53);
		conf->srvv[conf->srvc++] = sa;
		p += n;
	}
	return conf->srvc ? 0 : EBADMSG;
}
