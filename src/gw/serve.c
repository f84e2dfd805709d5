/* serve.c: placeholder for the running server (the lead replaces it). */
#include "gw/gw.h"

int gw_serve(const struct gw_config *cfg)
{
	(void)cfg;
	log_error("gw", "serve: not built yet");
	return GW_CLI_FAIL;
}
