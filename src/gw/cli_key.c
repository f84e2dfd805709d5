/* cli_key.c: `sipcloak key init|rotate`: the master key file that seals
 * every secret of the store, and re-sealing under a new key. */
#include <errno.h>
#include <string.h>

#include "gw/cli_store.h"

static int run_init(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	struct store_keyring *kr = NULL;
	struct gw_cli_store cs;
	const char *path;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "key init", argc, argv, NULL, NULL, 0);
	if (ret)
		return ret;
	ret = gw_cli_store_config(cli, &cs);
	if (ret)
		goto out;
	path = cs.cfg->store.master_key;
	err = store_keyfile_create(&kr, path);
	if (err == EEXIST) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "master key file %s exists: refusing to "
				  "replace it (use 'sipcloak key rotate')",
				  path);
		goto out;
	}
	if (err) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "cannot create master key file %s: %s", path,
				  strerror(err));
		goto out;
	}
	if (cli->json) {
		fputs("{\"key_file\":", cli->out);
		gw_json_str(cli->out, path);
		fprintf(cli->out, ",\"key_id\":%u}\n",
			(unsigned)store_keyring_current(kr));
	} else {
		fprintf(cli->out,
			"master key file %s created (mode 0600, key id %u); "
			"back it up apart from the database\n",
			path, (unsigned)store_keyring_current(kr));
	}
out:
	mem_deref(kr);
	gw_cli_store_close(&cs);
	return ret;
}

static int run_rotate(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		      int argc, char **argv)
{
	struct gw_cli_store cs;
	uint32_t id = 0;
	unsigned n = 0;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "key rotate", argc, argv, NULL, NULL, 0);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	/* The file first: once it holds the new key (and the old ones), the
	 * database may be sealed under it; the reverse order could leave
	 * values sealed under a key that exists nowhere. */
	err = store_keyfile_rotate(cs.kr, cs.cfg->store.master_key, &id);
	if (err) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "cannot rotate master key file %s: %s",
				  cs.cfg->store.master_key, strerror(err));
		goto out;
	}
	err = store_rekey(cs.s, cs.kr, &n);
	if (err) {
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "key %u added to %s but re-sealing failed "
				  "(%s): run 'sipcloak key rotate' again",
				  (unsigned)id, cs.cfg->store.master_key,
				  strerror(err));
		goto out;
	}
	if (cli->json) {
		fputs("{\"key_file\":", cli->out);
		gw_json_str(cli->out, cs.cfg->store.master_key);
		fprintf(cli->out, ",\"key_id\":%u,\"resealed\":%u}\n",
			(unsigned)id, n);
	} else {
		fprintf(cli->out,
			"key %u added to %s; %u sealed value(s) re-sealed "
			"under it\n",
			(unsigned)id, cs.cfg->store.master_key, n);
	}
out:
	gw_cli_store_close(&cs);
	return ret;
}

static const struct gw_cli_cmd cmd_init = {
    .name = "init",
    .summary = "create the master key file",
    .help = "Creates the master key file ([store] master_key) with one "
	    "random 256-bit\nkey, mode 0600. Refuses (exit 1) if the file "
	    "exists.",
    .run = run_init,
};

static const struct gw_cli_cmd cmd_rotate = {
    .name = "rotate",
    .summary = "add a new master key and re-seal everything under it",
    .help = "Adds a new key to the master key file (older keys stay, to "
	    "read values\nsealed under them) and re-seals every sealed value "
	    "of the store under it\nin one transaction. Safe while the "
	    "server runs.",
    .run = run_rotate,
};

static const struct gw_cli_cmd *const key_sub[] = {&cmd_init, &cmd_rotate,
						   NULL};

const struct gw_cli_cmd gw_cli_cmd_key = {
    .name = "key",
    .summary = "create and rotate the master key",
    .sub = key_sub,
};
