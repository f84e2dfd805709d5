/* serve.c: `sipcloak serve`: runs the gateway until SIGINT or SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "gw/server.h"

/* The master key is configuration: a missing or exposed key file refuses
 * the start with the same exit code as a config mistake. */
static int load_key(const struct gw_config *cfg, struct store_keyring **krp)
{
	const char *path = cfg->store.master_key;
	int err = store_keyfile_load(krp, path);

	switch (err) {
	case 0:
		return GW_CLI_OK;
	case ENOENT:
		log_error("gw", "master key file %s does not exist: create it "
				"with 'sipcloak key init'", path);
		break;
	case EACCES:
		log_error("gw", "master key file %s is not a regular file or is "
				"readable by group or others: refused (fix with "
				"'chmod 600 %s')", path, path);
		break;
	default:
		log_error("gw", "master key file %s: %s", path, strerror(err));
		break;
	}
	return GW_CLI_USAGE;
}

int gw_serve(const struct gw_config *cfg)
{
	struct store_keyring *kr = NULL;
	struct gw_server *srv = NULL;
	int ret, err;

	log_level_set(cfg->log.level);
	/* A peer closing mid-write must cost an error code, not the process. */
	signal(SIGPIPE, SIG_IGN);
	ret = load_key(cfg, &kr);
	if (ret)
		return ret;
	err = gw_server_alloc(&srv, cfg, kr);
	mem_deref(kr); /* the server holds its own reference */
	if (err) {
		log_error("gw", "not started: %s", strerror(err));
		return GW_CLI_FAIL;
	}
	log_info("gw", "sipcloak %s serving domain %s as %s", SC_VERSION,
		 cfg->sip.domain, cfg->server.public_address);
	gw_server_run(srv);
	gw_server_close(srv);
	mem_deref(srv);
	log_info("gw", "stopped");
	return GW_CLI_OK;
}
