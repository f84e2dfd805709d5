/* cli_store.c: the pieces the store commands share: option parsing,
 * opening the store from the config with the master key file, errors in
 * text or JSON, operator secrets from stdin with a strength check. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "gw/cli_store.h"

#define HTTPS_DEFAULT_PORT 443

int gw_cli_args(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		const char *path, int argc, char **argv,
		const struct gw_cli_opt *opts, const char **pos, int npos)
{
	const struct gw_cli_opt *o;
	const char *what = NULL, *arg = NULL;
	int i, n = 0;

	for (i = 0; i < argc && !what; i++) {
		if (argv[i][0] != '-') {
			if (n == npos) {
				what = "unexpected argument";
				arg = argv[i];
			} else {
				pos[n++] = argv[i];
			}
			continue;
		}
		for (o = opts; o && o->name; o++)
			if (!strcmp(o->name, argv[i]))
				break;
		if (!o || !o->name) {
			what = "unknown option";
			arg = argv[i];
		} else if (o->flag) {
			*o->flag = true;
		} else if (i + 1 == argc) {
			what = "option needs a value:";
			arg = argv[i];
		} else {
			*o->val = argv[++i];
		}
	}
	if (!what && n < npos)
		what = "missing argument";
	if (!what)
		return 0;
	fprintf(cli->err, "sipcloak: %s%s%s%s\n", what, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "");
	gw_cli_usage(cli->err, cmd, path);
	return GW_CLI_USAGE;
}

int gw_cli_fail(struct gw_cli *cli, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json) {
		fputs("{\"ok\":false,\"error\":", cli->out);
		gw_json_str(cli->out, msg);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->err, "sipcloak: %s\n", msg);
	}
	return code;
}

int gw_cli_store_config(struct gw_cli *cli, struct gw_cli_store *cs)
{
	memset(cs, 0, sizeof(*cs));
	return gw_cli_config_load(cli, &cs->cfg);
}

static int key_err(struct gw_cli *cli, const char *path, int err)
{
	switch (err) {
	case ENOENT:
		return gw_cli_fail(cli, GW_CLI_USAGE,
				   "master key file %s does not exist: create "
				   "it with 'sipcloak key init'",
				   path);
	case EACCES:
		return gw_cli_fail(cli, GW_CLI_USAGE,
				   "master key file %s is not a regular file "
				   "or is readable by group or others: refused "
				   "(fix with 'chmod 600 %s')",
				   path, path);
	case EBADMSG:
	case EOVERFLOW:
		return gw_cli_fail(cli, GW_CLI_USAGE,
				   "master key file %s is malformed", path);
	default:
		return gw_cli_fail(cli, GW_CLI_USAGE, "master key file %s: %s",
				   path, strerror(err));
	}
}

int gw_cli_store_open(struct gw_cli *cli, struct gw_cli_store *cs)
{
	int ret, err;

	ret = gw_cli_store_config(cli, cs);
	if (ret)
		return ret;
	log_level_set(LOG_ERROR); /* our own messages say what went wrong */
	err = store_keyfile_load(&cs->kr, cs->cfg->store.master_key);
	if (err)
		return key_err(cli, cs->cfg->store.master_key, err);
	err = store_open(&cs->s, cs->cfg->store.path, cs->kr);
	if (err)
		return gw_cli_fail(cli, GW_CLI_FAIL,
				   "cannot open the store %s: %s",
				   cs->cfg->store.path, strerror(err));
	store_actor_set(cs->s, "cli");
	return 0;
}

void gw_cli_store_close(struct gw_cli_store *cs)
{
	store_close(cs->s);
	mem_deref(cs->kr);
	mem_deref(cs->cfg);
	memset(cs, 0, sizeof(*cs));
}

int gw_cli_store_err(struct gw_cli *cli, int err, const char *what)
{
	switch (err) {
	case ENOENT:
		return gw_cli_fail(cli, GW_CLI_FAIL, "no such %s", what);
	case EEXIST:
		return gw_cli_fail(cli, GW_CLI_FAIL, "%s already exists", what);
	case EACCES:
		return gw_cli_fail(cli, GW_CLI_FAIL, "%s is revoked", what);
	case EOVERFLOW:
		return gw_cli_fail(cli, GW_CLI_FAIL, "%s: over a limit", what);
	case EINVAL:
		return gw_cli_fail(cli, GW_CLI_FAIL, "%s: invalid", what);
	default:
		return gw_cli_fail(cli, GW_CLI_FAIL, "%s: %s", what,
				   strerror(err));
	}
}

int gw_cli_secret_read(struct gw_cli *cli, const struct gw_config *cfg,
		       char *buf, size_t size)
{
	const char *reason = NULL;
	double bits = 0;
	size_t n;
	int err, ret = 0;

	if (!fgets(buf, (int)size, stdin)) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL, "no password on stdin");
		goto out;
	}
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n + 1 == size) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "password too long (at most %d bytes)",
				  STORE_SECRET_MAX);
		goto out;
	}
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	err = store_secret_strength(buf, &bits, &reason);
	if (err && err != ERANGE) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL, "password refused: %s",
				  strerror(err));
		goto out;
	}
	if (bits < (double)cfg->store.min_secret_bits) {
		if (!reason)
			reason = "too predictable: use a longer random secret";
		if (cli->json) {
			fprintf(cli->out,
				"{\"ok\":false,\"error\":\"weak password\","
				"\"bits\":%.0f,\"min_bits\":%u,\"reason\":",
				bits, cfg->store.min_secret_bits);
			gw_json_str(cli->out, reason);
			fputs("}\n", cli->out);
		} else {
			fprintf(cli->err,
				"sipcloak: weak password refused: estimated "
				"%.0f bits, at least %u needed ([store] "
				"min_secret_bits): %s\n",
				bits, cfg->store.min_secret_bits, reason);
		}
		ret = GW_CLI_FAIL;
	}
out:
	if (ret)
		mem_secure_zero(buf, size);
	return ret;
}

static void base(const struct gw_config *cfg, const char *scheme, char *buf,
		 size_t size)
{
	const char *host = cfg->server.public_address;
	bool v6 = host && strchr(host, ':');
	unsigned port = cfg->https.listen.host ? cfg->https.listen.port
					       : HTTPS_DEFAULT_PORT;

	snprintf(buf, size, "%s://%s%s%s:%u", scheme, v6 ? "[" : "",
		 host ? host : "", v6 ? "]" : "", port);
}

void gw_cli_ws_url(const struct gw_config *cfg, char *buf, size_t size)
{
	size_t n;

	base(cfg, "wss", buf, size);
	n = strlen(buf);
	snprintf(buf + n, size - n, "/ws");
}

void gw_cli_https_base(const struct gw_config *cfg, char *buf, size_t size)
{
	base(cfg, "https", buf, size);
}

void gw_cli_json_str(FILE *f, const char *name, const char *s, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", name);
	if (s && *s)
		gw_json_str(f, s);
	else
		fputs("null", f);
}

void gw_cli_json_time(FILE *f, const char *name, int64_t t, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", name);
	if (t)
		fprintf(f, "%lld", (long long)t);
	else
		fputs("null", f);
}

void gw_cli_time_fmt(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm)) {
		snprintf(buf, size, "-");
		return;
	}
	strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm);
}
