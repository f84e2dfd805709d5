/* cli_ban.c: `sipcloak ban list|clear`: the brute-force bans the running
 * server holds in memory, through its control socket (ctl.h). */
#include <errno.h>
#include <string.h>

#include "gw/cli_store.h"
#include "gw/ctl.h"
#include "gw/reg.h"

void gw_ctl_cli_gone(struct gw_cli *cli, int err, size_t ended)
{
	if (cli->json) {
		if (err)
			fputs(",\"registrations_ended\":null", cli->out);
		else
			fprintf(cli->out, ",\"registrations_ended\":%zu",
				ended);
	} else if (err == ENOTCONN) {
		fputs("server not running: nothing to end\n", cli->out);
	} else if (!err) {
		fprintf(cli->out, "%zu registration(s) ended\n", ended);
	}
	if (err && err != ENOTCONN)
		fprintf(cli->err,
			"sipcloak: warning: cannot tell the server (%s): the "
			"change reaches its credential cache within %d ms, but "
			"its registrations end only when they expire\n",
			strerror(err), GW_REG_CACHE_CHECK_MS);
}

/* Exit 1 with the reason when the server cannot answer. */
static int ctl_fail(struct gw_cli *cli, int err, const char *path)
{
	if (err == ENOTCONN)
		return gw_cli_fail(cli, GW_CLI_FAIL,
				   "server not running (no control socket at "
				   "%s)",
				   path);
	return gw_cli_fail(cli, GW_CLI_FAIL, "control socket %s: %s", path,
			   strerror(err));
}

struct walk {
	struct gw_cli *cli;
	unsigned n;
};

static void ban_one(const struct gw_ctl_ban *b, void *arg)
{
	struct walk *w = arg;
	FILE *f = w->cli->out;

	if (w->cli->json) {
		fprintf(f, "%s{", w->n ? "," : "[");
		gw_cli_json_str(f, "key", b->key, false);
		fprintf(f,
			",\"table\":\"%s\",\"remaining\":%llu,\"failures\":%u}",
			b->account ? "account" : "source",
			(unsigned long long)b->remaining, b->failures);
	} else {
		fprintf(f, "%-40s %-8s %-10llu %u\n", b->key,
			b->account ? "account" : "source",
			(unsigned long long)b->remaining, b->failures);
	}
	w->n++;
}

static int run_list(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	struct walk w = {cli, 0};
	struct gw_cli_store cs = {0};
	const char *path;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "ban list", argc, argv, NULL, NULL, 0);
	if (!ret)
		ret = gw_cli_store_config(cli, &cs);
	if (ret)
		goto out;
	path = cs.cfg->server.control_socket;
	/* JSON: the array opens with its first ban, so a server that is not
	 * running gets the usual {"ok":false,...} alone */
	if (!cli->json)
		fprintf(cli->out, "%-40s %-8s %-10s %s\n", "KEY", "TABLE",
			"REMAINING", "BANS");
	err = gw_ctl_bans(path, ban_one, &w);
	if (cli->json && (w.n || !err))
		fputs(w.n ? "]\n" : "[]\n", cli->out);
	if (err)
		ret = ctl_fail(cli, err, path);
out:
	gw_cli_store_close(&cs);
	return ret;
}

static int run_clear(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		     char **argv)
{
	struct gw_cli_store cs = {0};
	const char *key = NULL, *path;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "ban clear", argc, argv, NULL, &key, 1);
	if (!ret)
		ret = gw_cli_store_config(cli, &cs);
	if (ret)
		goto out;
	path = cs.cfg->server.control_socket;
	err = gw_ctl_ban_clear(path, key);
	if (err == ENOENT) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL, "no ban on '%s'", key);
	} else if (err == EINVAL) {
		ret = gw_cli_fail(cli, GW_CLI_USAGE,
				  "not an address or "
				  "account: '%s'",
				  key);
	} else if (err) {
		ret = ctl_fail(cli, err, path);
	} else if (cli->json) {
		fputs("{\"ok\":true,\"cleared\":", cli->out);
		gw_json_str(cli->out, key);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out, "ban on %s cleared\n", key);
	}
out:
	gw_cli_store_close(&cs);
	return ret;
}

static const struct gw_cli_cmd cmd_list = {
    .name = "list",
    .summary = "list the bans the running server holds",
    .help = "Prints each active ban of the running server: the key (a "
	    "source address,\nan IPv6 /64, or an account), its table, the "
	    "seconds left and how many\ntimes it was banned; a JSON array "
	    "with --json. Exits 1 if the server is\nnot running.",
    .run = run_list,
};

static const struct gw_cli_cmd cmd_clear = {
    .name = "clear",
    .summary = "lift a ban at once",
    .args = "ADDRESS",
    .help = "Lifts the ban on ADDRESS (an IPv6 address clears its /64) or "
	    "on the account\nof that name, and forgets its history. Exits 1 "
	    "if nothing was banned under\nit or the server is not running.",
    .run = run_clear,
};

static const struct gw_cli_cmd *const ban_sub[] = {&cmd_list, &cmd_clear, NULL};

const struct gw_cli_cmd gw_cli_cmd_ban = {
    .name = "ban",
    .summary = "list and lift the running server's brute-force bans",
    .sub = ban_sub,
};
