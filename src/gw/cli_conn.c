/* cli_conn.c: `sipcloak connection status|credentials|auth`: the running
 * server's connections and upstream registrations (control socket), the
 * credential an inbound PBX registers with, a trunk's outbound login. */
#include <errno.h>
#include <string.h>

#include "gw/cli_store.h"
#include "gw/conn.h"
#include "gw/ctl.h"

#define CONN_STATUS_FIELDS 8 /* members of one object printed */

/* The [connection NAME] of the config, or NULL (printed). */
static const struct gw_conn_conf *
conn_conf(struct gw_cli *cli, const struct gw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->conns.n; i++)
		if (!strcmp(cfg->conns.v[i]->name, name))
			return cfg->conns.v[i];
	gw_cli_fail(cli, GW_CLI_FAIL, "no [connection %s] in %s", name,
		    cli->config_path);
	return NULL;
}

/* Prints the objects of the array entered, one line each, the members
 * named in keys in that order ("-" for null). */
static int print_rows(FILE *f, struct gw_ctl_json *js, const char *const *keys,
		      size_t nkeys)
{
	int err;

	while (!(err = gw_ctl_json_elem(js))) {
		char vals[CONN_STATUS_FIELDS][GW_CTL_STR_MAX + 1];
		struct pl name, v;
		uint64_t n;

		memset(vals, 0, sizeof(vals));
		err = gw_ctl_json_enter(js, '{');
		while (!err && !(err = gw_ctl_json_member(js, &name))) {
			size_t k;

			for (k = 0; k < nkeys; k++)
				if (!pl_strcmp(&name, keys[k]))
					break;
			if (k == nkeys || k >= CONN_STATUS_FIELDS) {
				err = gw_ctl_json_skip(js, NULL);
			} else if (!gw_ctl_json_str(js, &v)) {
				pl_strcpy(&v, vals[k], sizeof(vals[k]));
			} else if (!gw_ctl_json_u64(js, &n)) {
				snprintf(vals[k], sizeof(vals[k]), "%llu",
					 (unsigned long long)n);
			} else {
				err = gw_ctl_json_skip(js, NULL);
			}
		}
		if (err != ENOENT)
			return EBADMSG;
		fputs(" ", f);
		for (size_t k = 0; k < nkeys; k++)
			fprintf(f, k + 1 < nkeys ? " %-14s" : " %s",
				*vals[k] ? vals[k] : "-");
		fputc('\n', f);
	}
	return err == ENOENT ? 0 : err;
}

static int status_text(FILE *f, const char *line)
{
	static const char *const ck[] = {"name",      "type",   "state",
					 "last_code", "target", "last_error"};
	static const char *const rk[] = {
	    "connection", "user",      "pbx_user", "state",
	    "expires_in", "last_code", "target",   "last_error"};
	struct gw_ctl_json js;
	struct pl name;
	int err;

	gw_ctl_json_init(&js, line, strlen(line));
	err = gw_ctl_json_enter(&js, '{');
	while (!err && !(err = gw_ctl_json_member(&js, &name))) {
		if (!pl_strcmp(&name, "connections")) {
			fprintf(f,
				"connections:\n  %-14s %-14s %-14s %-14s "
				"%-14s %s\n",
				"NAME", "TYPE", "STATE", "LAST CODE", "TARGET",
				"LAST ERROR");
			err = gw_ctl_json_enter(&js, '[');
			err = err ? err : print_rows(f, &js, ck, 6);
		} else if (!pl_strcmp(&name, "registrations")) {
			fprintf(f,
				"upstream registrations:\n  %-14s %-14s "
				"%-14s %-14s %-14s %-14s %-14s %s\n",
				"CONNECTION", "USER", "PBX USER", "STATE",
				"EXPIRES IN", "LAST CODE", "TARGET",
				"LAST ERROR");
			err = gw_ctl_json_enter(&js, '[');
			err = err ? err : print_rows(f, &js, rk, 8);
		} else {
			err = gw_ctl_json_skip(&js, NULL);
		}
	}
	return err == ENOENT ? 0 : EBADMSG;
}

static int run_status(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		      int argc, char **argv)
{
	struct gw_cli_store cs;
	struct mbuf *resp = NULL;
	const char *path;
	int ret, err;

	memset(&cs, 0, sizeof(cs));
	ret = gw_cli_args(cli, cmd, "connection status", argc, argv, NULL, NULL,
			  0);
	if (ret)
		return ret;
	ret = gw_cli_store_config(cli, &cs);
	if (ret)
		goto out;
	path = cs.cfg->server.control_socket;
	err = mbuf_alloc(&resp, 4096);
	err = err ? err : gw_ctl_connections(path, resp);
	if (err == ENOTCONN) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "server not running (no control socket at "
				  "%s)",
				  path);
		goto out;
	}
	if (err) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL, "control socket %s: %s",
				  path, strerror(err));
		goto out;
	}
	if (cli->json)
		fprintf(cli->out, "%s\n", (char *)resp->buf);
	else if (status_text(cli->out, (char *)resp->buf))
		ret = gw_cli_fail(cli, GW_CLI_FAIL, "unreadable response");
out:
	mem_deref(resp);
	gw_cli_store_close(&cs);
	return ret;
}

static int run_credentials(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
			   int argc, char **argv)
{
	struct store_device_secret sec;
	const struct gw_conn_conf *cc;
	const char *name = NULL;
	struct gw_cli_store cs;
	int ret, err;

	memset(&sec, 0, sizeof(sec));
	ret = gw_cli_args(cli, cmd, "connection credentials", argc, argv, NULL,
			  &name, 1);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	cc = conn_conf(cli, cs.cfg, name);
	if (!cc) {
		ret = GW_CLI_FAIL;
		goto out;
	}
	if (cc->type != GW_CONN_INBOUND) {
		ret =
		    gw_cli_fail(cli, GW_CLI_FAIL,
				"[connection %s] is not type = inbound", name);
		goto out;
	}
	err = store_conn_cred_make(cs.s, name, cs.cfg->sip.domain, &sec);
	if (err) {
		ret = gw_cli_store_err(cli, err, "connection");
		goto out;
	}
	if (cli->json) {
		fputs("{\"connection\":", cli->out);
		gw_json_str(cli->out, name);
		fputs(",\"username\":", cli->out);
		gw_json_str(cli->out, sec.sip_username);
		fputs(",\"password\":", cli->out);
		gw_json_str(cli->out, sec.password);
		fputs(",\"realm\":", cli->out);
		gw_json_str(cli->out, cs.cfg->sip.domain);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out,
			"inbound credential of connection %s (replaces any "
			"earlier one); the password is shown only now:\n"
			"  username  %s\n  password  %s\n  realm     %s\n"
			"The PBX registers with it to sip:%s@%s (restart the "
			"server to use it).\n",
			name, sec.sip_username, sec.password,
			cs.cfg->sip.domain, sec.sip_username,
			cs.cfg->sip.domain);
	}
	fflush(cli->out);
out:
	store_secret_wipe(&sec);
	gw_cli_store_close(&cs);
	return ret;
}

static int run_auth(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	const char *name = NULL, *user = NULL;
	bool pw_stdin = false;
	const struct gw_cli_opt opts[] = {
	    {"--user", &user, NULL},
	    {"--password-stdin", NULL, &pw_stdin},
	    {NULL, NULL, NULL},
	};
	char pw[STORE_SECRET_MAX + 2] = "";
	const struct gw_conn_conf *cc;
	struct gw_cli_store cs;
	size_t n;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "connection auth", argc, argv, opts, &name,
			  1);
	if (ret)
		return ret;
	if (!user || !*user || !pw_stdin) {
		fprintf(cli->err, "sipcloak: --user and --password-stdin are "
				  "required\n");
		return GW_CLI_USAGE;
	}
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	cc = conn_conf(cli, cs.cfg, name);
	if (!cc) {
		ret = GW_CLI_FAIL;
		goto out;
	}
	if (cc->type != GW_CONN_TRUNK) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "[connection %s] is not type = trunk (users "
				  "of registration connections have their own: "
				  "user set --pbx-password-stdin)",
				  name);
		goto out;
	}
	if (!fgets(pw, sizeof(pw), stdin) || !(n = strcspn(pw, "\r\n")) ||
	    n > STORE_SECRET_MAX) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "password: 1 to %d bytes on one line of "
				  "stdin",
				  STORE_SECRET_MAX);
		goto out;
	}
	pw[n] = '\0';
	err = store_conn_auth_set(cs.s, name, user, pw);
	if (err) {
		ret = gw_cli_store_err(cli, err, "connection");
		goto out;
	}
	if (cli->json) {
		fputs("{\"connection\":", cli->out);
		gw_json_str(cli->out, name);
		fputs(",\"user\":", cli->out);
		gw_json_str(cli->out, user);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out,
			"outbound credentials of connection %s set "
			"(user %s)\n",
			name, user);
	}
out:
	mem_secure_zero(pw, sizeof(pw));
	gw_cli_store_close(&cs);
	return ret;
}

static const struct gw_cli_cmd cmd_status = {
    .name = "status",
    .summary = "connections and upstream registrations of the running server",
    .help = "Asks the running server (control socket) for the state of every "
	    "connection\n(type, up or down, last response code and error) and "
	    "of every upstream\nregistration (user, PBX user, state, seconds "
	    "until it expires, last response\ncode and error). States: "
	    "registered, registering, unregistered, backoff,\nforbidden (the "
	    "PBX refused the credentials: fix them and restart). Exits 1\nwhen "
	    "no server runs.",
    .run = run_status,
};

static const struct gw_cli_cmd cmd_credentials = {
    .name = "credentials",
    .summary = "generate the credential an inbound PBX registers with",
    .args = "NAME",
    .help = "For a [connection NAME] of type = inbound: generates a user "
	    "name and a random\npassword (131 bits), replacing any earlier "
	    "one, stores only its sealed HA1s\nand prints it once. Configure "
	    "the PBX to register with it to the gateway.",
    .run = run_credentials,
};

static const struct gw_cli_cmd cmd_auth = {
    .name = "auth",
    .summary = "set a trunk's outbound digest credentials",
    .args = "NAME --user USER --password-stdin",
    .help = "For a [connection NAME] of type = trunk: the login the gateway "
	    "answers the\ntrunk's 401/407 challenges with. The password is "
	    "read from one line of stdin\nand sealed in the store.",
    .run = run_auth,
};

static const struct gw_cli_cmd *const conn_sub[] = {
    &cmd_status, &cmd_credentials, &cmd_auth, NULL};

const struct gw_cli_cmd gw_cli_cmd_connection = {
    .name = "connection",
    .summary = "status of the connections to PBXs, their credentials",
    .sub = conn_sub,
};
