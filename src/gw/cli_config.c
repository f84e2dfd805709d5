/* cli_config.c: the `config check`, `config keys` and `serve` commands and
 * the printing of config errors (text or JSON). */
#include <errno.h>
#include <string.h>

#include "gw/gw.h"

static void json_field_str(FILE *f, const char *name, const char *s)
{
	fprintf(f, "\"%s\":", name);
	if (s)
		gw_json_str(f, s);
	else
		fputs("null", f);
}

/* {"ok":false,"errors":[{"file":..,"line":..,"section":..,"key":..,
 * "message":..}],"truncated":false} on out. */
static void errors_json(FILE *f, const struct gw_config_errors *errs)
{
	struct le *le;

	fputs("{\"ok\":false,\"errors\":[", f);
	LIST_FOREACH(&errs->list, le)
	{
		const struct gw_config_error *e = le->data;

		fputs(le == errs->list.head ? "{" : ",{", f);
		json_field_str(f, "file", e->file);
		if (e->line)
			fprintf(f, ",\"line\":%u,", e->line);
		else
			fputs(",\"line\":null,", f);
		json_field_str(f, "section", e->section);
		fputc(',', f);
		json_field_str(f, "key", e->key);
		fputc(',', f);
		json_field_str(f, "message", e->message);
		fputc('}', f);
	}
	fprintf(f, "],\"truncated\":%s}\n", errs->truncated ? "true" : "false");
}

static void errors_text(FILE *f, const struct gw_config_errors *errs,
                        const char *path)
{
	char line[GW_INI_LINE_MAX];
	struct le *le;

	LIST_FOREACH(&errs->list, le)
	{
		gw_config_error_format(le->data, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (errs->truncated)
		fprintf(f, "%s: too many errors, only the first %u shown\n",
		        path, GW_CONFIG_ERRORS_MAX);
}

int gw_cli_config_load(struct gw_cli *cli, struct gw_config **cfgp)
{
	struct gw_config_errors errs;
	int err;

	gw_config_errors_init(&errs);
	err = gw_config_load(cfgp, cli->config_path, &errs);
	if (err == ENOMEM) {
		fprintf(cli->err, "sipcloak: out of memory\n");
	} else if (err && cli->json) {
		errors_json(cli->out, &errs);
	} else if (err) {
		errors_text(cli->err, &errs, cli->config_path);
	}
	gw_config_errors_flush(&errs);
	return err ? GW_CLI_USAGE : 0;
}

static int run_check(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
                     char **argv)
{
	struct gw_config *cfg = NULL;
	int ret;

	(void)cmd;
	(void)argc;
	(void)argv;
	ret = gw_cli_config_load(cli, &cfg);
	if (ret)
		return ret;
	if (cli->json) {
		fputs("{\"ok\":true,", cli->out);
		json_field_str(cli->out, "file", cli->config_path);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out, "%s: ok\n", cli->config_path);
	}
	mem_deref(cfg);
	return GW_CLI_OK;
}

static int run_keys(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
                    char **argv)
{
	const struct gw_config_key *keys, *conn_keys;
	size_t i, n, nconn;

	(void)cmd;
	(void)argc;
	(void)argv;
	keys = gw_config_keys(&n);
	conn_keys = gw_config_conn_keys(&nconn);
	if (cli->json)
		fputc('[', cli->out);
	for (i = 0; i < n + nconn; i++) {
		/* the [connection NAME] keys follow the table's */
		const struct gw_config_key *k =
		        i < n ? &keys[i] : &conn_keys[i - n];
		const char *type = gw_config_type_name(k->type);

		if (cli->json) {
			fputs(i ? ",{" : "{", cli->out);
			json_field_str(cli->out, "section", k->section);
			fputc(',', cli->out);
			json_field_str(cli->out, "key", k->key);
			fputc(',', cli->out);
			json_field_str(cli->out, "type", type);
			fputc(',', cli->out);
			json_field_str(cli->out, "default", k->def);
			fprintf(cli->out, ",\"required\":%s}",
			        k->required ? "true" : "false");
			continue;
		}
		fprintf(cli->out, "[%s] %s (%s", k->section, k->key, type);
		if (k->type == GW_CFG_UINT)
			fprintf(cli->out, " %u..%u", k->min, k->max);
		fprintf(cli->out, ")%s%s%s\n", k->required ? " required" : "",
		        k->def ? " default " : "", k->def ? k->def : "");
	}
	if (cli->json)
		fputs("]\n", cli->out);
	return GW_CLI_OK;
}

static int run_serve(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
                     char **argv)
{
	struct gw_config *cfg = NULL;
	int ret;

	(void)cmd;
	(void)argc;
	(void)argv;
	ret = gw_cli_config_load(cli, &cfg);
	if (ret)
		return ret; /* never start on a bad config */
	log_level_set(cfg->log.level);
	ret = gw_serve(cfg);
	mem_deref(cfg);
	return ret;
}

static const struct gw_cli_cmd cmd_check = {
    .name = "check",
    .summary = "parse and validate the config file",
    .help = "Reads the config file and checks every section, key and "
            "value. Prints\n\"FILE: ok\" and exits 0, or prints every "
            "mistake as\n\"FILE:LINE: [SECTION] KEY: MESSAGE\" on stderr and "
            "exits 2. With --json\nprints {\"ok\":true,\"file\":FILE} or "
            "{\"ok\":false,\"errors\":[...]} on stdout.",
    .run = run_check,
};

static const struct gw_cli_cmd cmd_keys = {
    .name = "keys",
    .summary = "list every config key with its type and default",
    .help = "Prints one line per key: [SECTION] KEY (TYPE) and whether "
            "it is required\nor its default. docs/config.md describes "
            "each key.",
    .run = run_keys,
};

static const struct gw_cli_cmd *const config_sub[] = {&cmd_check, &cmd_keys,
                                                      NULL};

const struct gw_cli_cmd gw_cli_cmd_config = {
    .name = "config",
    .summary = "check the config file, list its keys",
    .sub = config_sub,
};

const struct gw_cli_cmd gw_cli_cmd_serve = {
    .name = "serve",
    .summary = "run the gateway",
    .help = "Loads the config file and runs the gateway until SIGINT or "
            "SIGTERM, then\ncloses every connection and exits 0. Refuses "
            "to start, printing every\nmistake as `config check` does and "
            "exiting 2, if the config has any\nerror; exits 1 if a listener "
            "or certificate cannot be set up (logged).",
    .run = run_serve,
};
