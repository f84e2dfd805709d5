/* cli_user.c: `sipcloak user add|list|show|remove`: the users of the
 * credential store, text or --json. */
#include <errno.h>
#include <string.h>

#include "gw/cli_store.h"
#include "gw/conn.h"
#include "gw/ctl.h"

static void user_json(FILE *f, const struct store_user *u)
{
	gw_cli_json_str(f, "name", u->name, false);
	gw_cli_json_str(f, "extension", u->extension, true);
	gw_cli_json_str(f, "display", u->display, true);
	gw_cli_json_time(f, "created", u->created, true);
	fprintf(f, ",\"active_devices\":%u", u->devices);
	gw_cli_json_str(f, "connection", u->connection, true);
	gw_cli_json_str(f, "pbx_user", u->pbx_user, true);
	fprintf(f, ",\"pbx_password\":%s", u->pbx_password ? "true" : "false");
}

/* The PBX side of add and set: --connection must name a [connection] of
 * the config; the PBX password comes from stdin (never an argument: it
 * would show in ps and shell history), not strength-checked (the PBX
 * chose it). Returns 0 or an exit code (printed). */
static int pbx_set(struct gw_cli *cli, const struct gw_cli_store *cs,
		   const char *name, const char *conn, const char *ext,
		   const char *pbx_user, bool pw_stdin)
{
	char pw[STORE_SECRET_MAX + 2] = "";
	size_t i, n;
	int err, ret = 0;

	if (conn && *conn) {
		for (i = 0; i < cs->cfg->conns.n; i++)
			if (!strcmp(cs->cfg->conns.v[i]->name, conn))
				break;
		if (i == cs->cfg->conns.n)
			return gw_cli_fail(cli, GW_CLI_FAIL,
					   "no [connection %s] in %s", conn,
					   cli->config_path);
	}
	if (pw_stdin) {
		if (!fgets(pw, sizeof(pw), stdin))
			return gw_cli_fail(cli, GW_CLI_FAIL,
					   "no PBX password on stdin");
		n = strcspn(pw, "\r\n");
		pw[n] = '\0';
		if (!n || n > STORE_SECRET_MAX) {
			mem_secure_zero(pw, sizeof(pw));
			return gw_cli_fail(cli, GW_CLI_FAIL,
					   "PBX password: 1 to %d bytes on one "
					   "line of stdin",
					   STORE_SECRET_MAX);
		}
	}
	err = store_user_pbx_set(cs->s, name, conn, ext, pbx_user,
				 pw_stdin ? pw : NULL);
	mem_secure_zero(pw, sizeof(pw));
	if (err)
		ret = gw_cli_store_err(cli, err, "user");
	return ret;
}

static void user_text(FILE *f, const struct store_user *u)
{
	char when[32];

	gw_cli_time_fmt(u->created, when, sizeof(when));
	fprintf(f, "%-20s %-10s %-24s %-7u %s\n", u->name,
		*u->extension ? u->extension : "-",
		*u->display ? u->display : "-", u->devices, when);
}

/* The user as it is now in the store: "user NAME VERB", or JSON. */
static int print_user(struct gw_cli *cli, struct gw_cli_store *cs,
		      const char *name, const char *verb)
{
	struct store_user u;
	int err;

	err = store_user_get(cs->s, name, &u);
	if (err)
		return gw_cli_store_err(cli, err, "user");
	if (cli->json) {
		fputc('{', cli->out);
		user_json(cli->out, &u);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out, "user %s %s\n", u.name, verb);
	}
	return 0;
}

static int run_add(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		   char **argv)
{
	const char *name = NULL, *ext = NULL, *display = NULL, *conn = NULL;
	const char *pbx_user = NULL;
	bool pw_stdin = false;
	const struct gw_cli_opt opts[] = {
	    {"--extension", &ext, NULL},
	    {"--display", &display, NULL},
	    {"--connection", &conn, NULL},
	    {"--pbx-user", &pbx_user, NULL},
	    {"--pbx-password-stdin", NULL, &pw_stdin},
	    {NULL, NULL, NULL},
	};
	struct gw_cli_store cs;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "user add", argc, argv, opts, &name, 1);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_user_add(cs.s, name, ext, display, NULL);
	if (!err && (conn || pbx_user || pw_stdin)) {
		ret = pbx_set(cli, &cs, name, conn, NULL, pbx_user, pw_stdin);
		if (ret)
			goto out;
	}
	if (err == EINVAL) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "user name '%s': use 1 to %d of A-Z a-z "
				  "0-9 . _ -",
				  name, STORE_NAME_MAX);
		goto out;
	}
	ret = err ? gw_cli_store_err(cli, err, "user")
		  : print_user(cli, &cs, name, "added");
out:
	gw_cli_store_close(&cs);
	return ret;
}

struct walk {
	struct gw_cli *cli;
	unsigned n;
};

static int list_one(const struct store_user *u, void *arg)
{
	struct walk *w = arg;

	if (w->cli->json) {
		fputs(w->n ? ",{" : "{", w->cli->out);
		user_json(w->cli->out, u);
		fputc('}', w->cli->out);
	} else {
		user_text(w->cli->out, u);
	}
	w->n++;
	return 0;
}

static int run_list(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	struct walk w = {cli, 0};
	struct gw_cli_store cs;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "user list", argc, argv, NULL, NULL, 0);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	if (cli->json)
		fputc('[', cli->out);
	else
		fprintf(cli->out, "%-20s %-10s %-24s %-7s %s\n", "NAME",
			"EXTENSION", "DISPLAY", "DEVICES", "CREATED");
	err = store_user_list(cs.s, list_one, &w);
	if (cli->json)
		fputs("]\n", cli->out);
	if (err)
		ret = gw_cli_store_err(cli, err, "user list");
out:
	gw_cli_store_close(&cs);
	return ret;
}

/* Shared with `device list`: one device, never a secret. */
static int show_dev(const struct store_device *d, void *arg)
{
	struct walk *w = arg;
	FILE *f = w->cli->out;

	if (w->cli->json) {
		fprintf(f, "%s{\"device\":%lld", w->n ? "," : "",
			(long long)d->id);
		gw_cli_json_str(f, "label", d->label, true);
		gw_cli_json_str(f, "sip_username", d->sip_username, true);
		fprintf(f, ",\"revoked\":%s", d->revoked_at ? "true" : "false");
		fputc('}', f);
	} else {
		fprintf(f, "  device %lld %s %s%s\n", (long long)d->id,
			d->sip_username, *d->label ? d->label : "-",
			d->revoked_at ? " (revoked)" : "");
	}
	w->n++;
	return 0;
}

static int run_show(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	struct walk w = {cli, 0};
	const char *name = NULL;
	struct gw_cli_store cs;
	struct store_user u;
	char when[32];
	int ret, err;

	ret = gw_cli_args(cli, cmd, "user show", argc, argv, NULL, &name, 1);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_user_get(cs.s, name, &u);
	if (err) {
		ret = gw_cli_store_err(cli, err, "user");
		goto out;
	}
	if (cli->json) {
		fputc('{', cli->out);
		user_json(cli->out, &u);
		fputs(",\"devices\":[", cli->out);
	} else {
		gw_cli_time_fmt(u.created, when, sizeof(when));
		fprintf(cli->out,
			"user %s\n  extension %s\n  display %s\n  created "
			"%s\n",
			u.name, *u.extension ? u.extension : "-",
			*u.display ? u.display : "-", when);
		fprintf(cli->out,
			"  connection %s\n  pbx user %s\n  pbx password "
			"%s\n",
			*u.connection ? u.connection : "-",
			*u.pbx_user ? u.pbx_user : "-",
			u.pbx_password ? "set (sealed)" : "-");
	}
	err = store_device_list(cs.s, name, show_dev, &w);
	if (cli->json)
		fputs("]}\n", cli->out);
	if (err)
		ret = gw_cli_store_err(cli, err, "user");
out:
	gw_cli_store_close(&cs);
	return ret;
}

/* The SIP user names of a user's active devices, before they go. */
struct gone {
	size_t n;
	char names[STORE_USER_DEVICES_MAX][STORE_SIP_USERNAME_LEN + 1];
};

static int gone_one(const struct store_device *d, void *arg)
{
	struct gone *g = arg;

	if (!d->revoked_at && g->n < STORE_USER_DEVICES_MAX)
		memcpy(g->names[g->n++], d->sip_username, sizeof(g->names[0]));
	return 0;
}

static int run_remove(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		      int argc, char **argv)
{
	int64_t ids[STORE_USER_DEVICES_MAX];
	const char *names[STORE_USER_DEVICES_MAX];
	const char *name = NULL;
	struct gw_cli_store cs;
	struct gone g = {0};
	size_t n = 0, i, ended = 0;
	int ret, err, cerr;

	ret = gw_cli_args(cli, cmd, "user remove", argc, argv, NULL, &name, 1);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_device_list(cs.s, name, gone_one, &g);
	if (!err)
		err = store_user_remove(cs.s, name, ids, &n);
	if (err) {
		ret = gw_cli_store_err(cli, err, "user");
		goto out;
	}
	for (i = 0; i < g.n; i++)
		names[i] = g.names[i];
	cerr = gw_ctl_devices_gone(cs.cfg->server.control_socket, names, g.n,
				   &ended);
	if (cli->json) {
		fputs("{\"removed\":", cli->out);
		gw_json_str(cli->out, name);
		fputs(",\"devices\":[", cli->out);
		for (i = 0; i < n; i++)
			fprintf(cli->out, "%s%lld", i ? "," : "",
				(long long)ids[i]);
		fputc(']', cli->out);
		gw_ctl_cli_gone(cli, cerr, ended);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out, "user %s removed with %zu device(s)\n", name,
			n);
		gw_ctl_cli_gone(cli, cerr, ended);
	}
out:
	gw_cli_store_close(&cs);
	return ret;
}

static int run_set(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		   char **argv)
{
	const char *name = NULL, *ext = NULL, *conn = NULL, *pbx_user = NULL;
	bool pw_stdin = false;
	const struct gw_cli_opt opts[] = {
	    {"--extension", &ext, NULL},
	    {"--connection", &conn, NULL},
	    {"--pbx-user", &pbx_user, NULL},
	    {"--pbx-password-stdin", NULL, &pw_stdin},
	    {NULL, NULL, NULL},
	};
	struct gw_cli_store cs;
	int ret;

	ret = gw_cli_args(cli, cmd, "user set", argc, argv, opts, &name, 1);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	ret = pbx_set(cli, &cs, name, conn, ext, pbx_user, pw_stdin);
	if (!ret)
		ret = print_user(cli, &cs, name, "changed");
out:
	gw_cli_store_close(&cs);
	return ret;
}

static const struct gw_cli_cmd cmd_add = {
    .name = "add",
    .summary = "add a user",
    .args = "NAME [--extension EXT] [--display \"Full Name\"] [--connection "
	    "CONN]\n       [--pbx-user USER] [--pbx-password-stdin]",
    .help = "Adds a user (NAME: 1 to 64 of A-Z a-z 0-9 . _ -). Prints "
	    "\"user NAME added\",\nor the user as JSON with --json. Exits 1 "
	    "if the user exists.\n\n--connection names the [connection] of "
	    "the config the user's calls use;\n--pbx-user is the user's PBX "
	    "login (default: the extension) and\n--pbx-password-stdin reads "
	    "its PBX password from one line of stdin. The\npassword is sealed "
	    "in the store and never printed or sent to a browser.",
    .run = run_add,
};

static const struct gw_cli_cmd cmd_set = {
    .name = "set",
    .summary = "change a user's extension and PBX side",
    .args = "NAME [--extension EXT] [--connection CONN] [--pbx-user USER]\n"
	    "       [--pbx-password-stdin]",
    .help = "Changes what is given and keeps the rest; an empty value "
	    "(--connection \"\")\nclears it. Prints \"user NAME changed\", "
	    "or the user as JSON with --json.\nThe running server picks the "
	    "change up when it restarts.",
    .run = run_set,
};

static const struct gw_cli_cmd cmd_list = {
    .name = "list",
    .summary = "list the users",
    .help = "Prints one line per user (name, extension, display name, "
	    "active devices,\ncreated), or a JSON array with --json.",
    .run = run_list,
};

static const struct gw_cli_cmd cmd_show = {
    .name = "show",
    .summary = "show a user and its devices",
    .args = "NAME",
    .help = "Prints the user and the ids, SIP user names and labels of its "
	    "devices.\nNever prints a secret.",
    .run = run_show,
};

static const struct gw_cli_cmd cmd_remove = {
    .name = "remove",
    .summary = "remove a user with its devices and links",
    .args = "NAME",
    .help = "Removes the user, its devices and their provisioning links. "
	    "The running\nserver ends the registrations of the removed "
	    "devices.",
    .run = run_remove,
};

static const struct gw_cli_cmd *const user_sub[] = {
    &cmd_add, &cmd_set, &cmd_list, &cmd_show, &cmd_remove, NULL};

const struct gw_cli_cmd gw_cli_cmd_user = {
    .name = "user",
    .summary = "add, change, list, show and remove users",
    .sub = user_sub,
};
