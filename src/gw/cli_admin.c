/* cli_admin.c: `sipcloak admin token create|list|revoke` (the admin API's
 * bearer tokens, issue 6) and `sipcloak audit list` (the store's audit
 * trail). */
#include <errno.h>
#include <string.h>

#include "gw/cli_store.h"

static int run_create(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		      int argc, char **argv)
{
	char tok[STORE_ATOKEN_LEN + 1];
	const char *name = NULL;
	struct gw_cli_store cs = {0};
	int ret, err;

	ret = gw_cli_args(cli, cmd, "admin token create", argc, argv, NULL,
			  &name, 1);
	if (!ret)
		ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_atoken_create(cs.s, name, tok, sizeof(tok));
	if (err == EINVAL) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "token name '%s': use 1 to %d of A-Z a-z "
				  "0-9 . _ -",
				  name, STORE_ATOKEN_NAME_MAX);
	} else if (err == EEXIST) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL, "token '%s' exists", name);
	} else if (err) {
		ret = gw_cli_store_err(cli, err, "token");
	} else if (cli->json) {
		fputc('{', cli->out);
		gw_cli_json_str(cli->out, "name", name, false);
		gw_cli_json_str(cli->out, "token", tok, true);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out,
			"%s\n(token %s: shown only now; use it as "
			"Authorization: Bearer ...)\n",
			tok, name);
	}
	mem_secure_zero(tok, sizeof(tok));
out:
	gw_cli_store_close(&cs);
	return ret;
}

struct walk {
	struct gw_cli *cli;
	unsigned n;
};

static int token_one(const struct store_atoken *t, void *arg)
{
	struct walk *w = arg;
	char c[32], u[32];

	if (w->cli->json) {
		fputs(w->n ? ",{" : "{", w->cli->out);
		gw_cli_json_str(w->cli->out, "name", t->name, false);
		gw_cli_json_time(w->cli->out, "created", t->created, true);
		gw_cli_json_time(w->cli->out, "last_used", t->last_used, true);
		fputc('}', w->cli->out);
	} else {
		gw_cli_time_fmt(t->created, c, sizeof(c));
		gw_cli_time_fmt(t->last_used, u, sizeof(u));
		fprintf(w->cli->out, "%-24s %-21s %s\n", t->name, c, u);
	}
	w->n++;
	return 0;
}

static int run_list(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	struct gw_cli_store cs = {0};
	struct walk w = {cli, 0};
	int ret, err;

	ret = gw_cli_args(cli, cmd, "admin token list", argc, argv, NULL, NULL,
			  0);
	if (!ret)
		ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	if (cli->json)
		fputc('[', cli->out);
	else
		fprintf(cli->out, "%-24s %-21s %s\n", "NAME", "CREATED",
			"LAST USED");
	err = store_atoken_list(cs.s, token_one, &w);
	if (cli->json)
		fputs("]\n", cli->out);
	if (err)
		ret = gw_cli_store_err(cli, err, "token");
out:
	gw_cli_store_close(&cs);
	return ret;
}

static int run_revoke(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		      int argc, char **argv)
{
	struct gw_cli_store cs = {0};
	const char *name = NULL;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "admin token revoke", argc, argv, NULL,
			  &name, 1);
	if (!ret)
		ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_atoken_revoke(cs.s, name);
	if (err)
		ret = gw_cli_store_err(cli, err, "token");
	else if (cli->json)
		fprintf(cli->out, "{\"ok\":true}\n");
	else
		fprintf(cli->out, "token %s revoked\n", name);
out:
	gw_cli_store_close(&cs);
	return ret;
}

static int audit_one(const struct store_audit *a, void *arg)
{
	struct walk *w = arg;
	char t[32];

	if (w->cli->json) {
		fprintf(w->cli->out, "%s{\"id\":%lld", w->n ? "," : "",
			(long long)a->id);
		gw_cli_json_time(w->cli->out, "time", a->time, true);
		gw_cli_json_str(w->cli->out, "actor", a->actor, true);
		gw_cli_json_str(w->cli->out, "action", a->action, true);
		gw_cli_json_str(w->cli->out, "subject", a->subject, true);
		fputc('}', w->cli->out);
	} else {
		gw_cli_time_fmt(a->time, t, sizeof(t));
		fprintf(w->cli->out, "%-6lld %-21s %-20s %-22s %s\n",
			(long long)a->id, t, a->actor, a->action, a->subject);
	}
	w->n++;
	return 0;
}

static int run_audit(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		     int argc, char **argv)
{
	struct gw_cli_store cs = {0};
	struct walk w = {cli, 0};
	int ret, err;

	ret = gw_cli_args(cli, cmd, "audit list", argc, argv, NULL, NULL, 0);
	if (!ret)
		ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	if (cli->json)
		fputc('[', cli->out);
	else
		fprintf(cli->out, "%-6s %-21s %-20s %-22s %s\n", "ID", "TIME",
			"ACTOR", "ACTION", "SUBJECT");
	err = store_audit_list(cs.s, audit_one, &w);
	if (cli->json)
		fputs("]\n", cli->out);
	if (err)
		ret = gw_cli_store_err(cli, err, "audit");
out:
	gw_cli_store_close(&cs);
	return ret;
}

static const struct gw_cli_cmd cmd_create = {
    .name = "create",
    .summary = "create an admin API token (shown once)",
    .args = "NAME",
    .help = "Prints a new bearer token for the admin API (/api/v1). Only "
	    "its SHA-256 is\nstored: copy it now. Its changes are audited "
	    "as api:NAME.",
    .run = run_create,
};

static const struct gw_cli_cmd cmd_list = {
    .name = "list",
    .summary = "list admin API tokens (never the tokens)",
    .run = run_list,
};

static const struct gw_cli_cmd cmd_revoke = {
    .name = "revoke",
    .summary = "revoke an admin API token at once",
    .args = "NAME",
    .run = run_revoke,
};

static const struct gw_cli_cmd *const token_sub[] = {&cmd_create, &cmd_list,
						     &cmd_revoke, NULL};

static const struct gw_cli_cmd cmd_token = {
    .name = "token",
    .summary = "bearer tokens of the admin API",
    .sub = token_sub,
};

static const struct gw_cli_cmd *const admin_sub[] = {&cmd_token, NULL};

const struct gw_cli_cmd gw_cli_cmd_admin = {
    .name = "admin",
    .summary = "the admin API (/api/v1)",
    .sub = admin_sub,
};

static const struct gw_cli_cmd cmd_audit_list = {
    .name = "list",
    .summary = "print the audit trail, oldest first",
    .run = run_audit,
};

static const struct gw_cli_cmd *const audit_sub[] = {&cmd_audit_list, NULL};

const struct gw_cli_cmd gw_cli_cmd_audit = {
    .name = "audit",
    .summary = "the store's audit trail of changes",
    .sub = audit_sub,
};
