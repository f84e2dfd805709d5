/* cli.c: the sipcloak command line: global options, a table of commands
 * (each a row; new ones slot into commands[] below), usage and `version`. */
#include <errno.h>
#include <string.h>

#include "gw/gw.h"

#define CLI_ARGS_MAX 64  /* command words and arguments */
#define CLI_PATH_MAX 128 /* "sipcloak config check" */

static const struct gw_cli_cmd *const commands[] = {
    &gw_cli_cmd_version,
    &gw_cli_cmd_config,
    &gw_cli_cmd_serve,
    &gw_cli_cmd_user,
    &gw_cli_cmd_device,
    &gw_cli_cmd_key,
    &gw_cli_cmd_ban,
    &gw_cli_cmd_connection,
    &gw_cli_cmd_admin,
    &gw_cli_cmd_audit,
    NULL,
};

static const struct gw_cli_cmd root = {
    .name = "sipcloak",
    .summary = "a secure WebRTC-to-SIP gateway",
    .help = "sipcloak is a secure WebRTC-to-SIP gateway: browsers speak SIP "
            "over WSS\nand DTLS-SRTP, the PBX plain SIP and RTP.",
    .sub = commands,
};

static const char global_help[] =
    "Global options (anywhere on the line):\n"
    "  -c, --config FILE  config file (default: " GW_CONFIG_DEFAULT_PATH ")\n"
    "  --json             machine-readable output on stdout\n"
    "  -h, --help         show help for the command and exit\n";

void gw_cli_usage(FILE *f, const struct gw_cli_cmd *cmd, const char *path)
{
	const struct gw_cli_cmd *const *s;
	size_t w = 0;
	const char *tail = cmd->sub ? "COMMAND" : cmd->args;

	fprintf(f, "usage: sipcloak [-c FILE] [--json]%s%s%s%s\n",
	        *path ? " " : "", path, tail ? " " : "", tail ? tail : "");
	if (cmd->help)
		fprintf(f, "\n%s\n", cmd->help);
	if (cmd->sub) {
		for (s = cmd->sub; *s; s++)
			w = SC_MAX(w, strlen((*s)->name));
		fprintf(f, "\nCommands:\n");
		for (s = cmd->sub; *s; s++)
			fprintf(f, "  %-*s  %s\n", (int)w, (*s)->name,
			        (*s)->summary);
	}
	fprintf(f, "\n%s", global_help);
	if (cmd->sub)
		fprintf(f, "\nRun 'sipcloak %s%sCOMMAND --help' for more.\n",
		        path, *path ? " " : "");
}

static const struct gw_cli_cmd *find_sub(const struct gw_cli_cmd *cmd,
                                         const char *name)
{
	const struct gw_cli_cmd *const *s;

	for (s = cmd->sub; *s; s++)
		if (!strcmp((*s)->name, name))
			return *s;
	return NULL;
}

static void path_add(char *path, size_t size, const char *word)
{
	size_t n = strlen(path);

	snprintf(path + n, size - n, "%s%s", n ? " " : "", word);
}

/* "unknown command 'x'" and the usage of where it was looked up. */
static int usage_error(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
                       const char *path, const char *what, const char *arg)
{
	if (what)
		fprintf(cli->err, "sipcloak: %s%s%s%s\n", what, arg ? " '" : "",
		        arg ? arg : "", arg ? "'" : "");
	gw_cli_usage(cli->err, cmd, path);
	return GW_CLI_USAGE;
}

int gw_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct gw_cli cli = {out, err, GW_CONFIG_DEFAULT_PATH, false};
	const struct gw_cli_cmd *cmd = &root, *sub;
	char *words[CLI_ARGS_MAX];
	char path[CLI_PATH_MAX] = "";
	bool help = false, options = true;
	int i, n = 0, w = 0, ret;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (n == CLI_ARGS_MAX) {
			ret = usage_error(&cli, cmd, path, "too many arguments",
			                  NULL);
			goto out;
		}
		if (!options || a[0] != '-' || !a[1]) {
			words[n++] = a;
		} else if (!strcmp(a, "--")) {
			options = false;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = true;
		} else if (!strcmp(a, "--json")) {
			cli.json = true;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (i + 1 == argc) {
				ret = usage_error(&cli, cmd, path,
				                  "option needs a FILE:", a);
				goto out;
			}
			cli.config_path = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			cli.config_path = a + 9;
		} else {
			words[n++] = a; /* the command's own option */
		}
	}

	/* Walk the table: each word picks a row among the current subs. */
	while (cmd->sub && w < n) {
		sub = words[w][0] == '-' ? NULL : find_sub(cmd, words[w]);
		if (!sub) {
			ret =
			    usage_error(&cli, cmd, path,
			                words[w][0] == '-' ? "unknown option"
			                                   : "unknown command",
			                words[w]);
			goto out;
		}
		cmd = sub;
		path_add(path, sizeof(path), words[w++]);
	}
	if (help) {
		gw_cli_usage(out, cmd, path);
		ret = GW_CLI_OK;
	} else if (cmd->sub) {
		ret = usage_error(&cli, cmd, path,
		                  cmd == &root ? "missing command"
		                               : "missing subcommand",
		                  NULL);
	} else if (!cmd->args && w < n) {
		ret = usage_error(&cli, cmd, path,
		                  words[w][0] == '-' ? "unknown option"
		                                     : "unexpected argument",
		                  words[w]);
	} else {
		ret = cmd->run(&cli, cmd, n - w, words + w);
	}
out:
	return ret;
}

static int run_version(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
                       int argc, char **argv)
{
	(void)cmd;
	(void)argc;
	(void)argv;
	if (cli->json)
		fprintf(cli->out, "{\"version\":\"%s\"}\n", SC_VERSION);
	else
		fprintf(cli->out, "sipcloak %s\n", SC_VERSION);
	return GW_CLI_OK;
}

const struct gw_cli_cmd gw_cli_cmd_version = {
    .name = "version",
    .summary = "print the version",
    .help = "Prints \"sipcloak VERSION\", or {\"version\":\"VERSION\"} with "
            "--json.",
    .run = run_version,
};
