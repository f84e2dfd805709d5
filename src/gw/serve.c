/* serve.c: `sipcloak serve`: runs the gateway until SIGINT or SIGTERM. */
#include <signal.h>
#include <string.h>

#include "gw/server.h"

int gw_serve(const struct gw_config *cfg)
{
	struct gw_server *srv = NULL;
	int err;

	log_level_set(cfg->log.level);
	/* A peer closing mid-write must cost an error code, not the process. */
	signal(SIGPIPE, SIG_IGN);
	err = gw_server_alloc(&srv, cfg);
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
