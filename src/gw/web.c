/* web.c: where the web softphone's files are (`[https] web_root`, else the
 * "web" folder beside the running program) and opening them for serving. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gw/provision.h"

#define WEB_MOD "web"

int gw_web_root(const struct gw_config *cfg, char *buf, size_t size)
{
	char exe[PATH_MAX];
	const char *slash;
	ssize_t n;
	int r;

	if (!cfg || !buf || !size)
		return EINVAL;
	if (cfg->https.web_root) {
		r = snprintf(buf, size, "%s", cfg->https.web_root);
		return r < 0 || (size_t)r >= size ? EOVERFLOW : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return errno ? errno : ENOENT;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return ENOENT;
	r = snprintf(buf, size, "%.*s/" GW_WEB_DIR, (int)(slash - exe), exe);
	return r < 0 || (size_t)r >= size ? EOVERFLOW : 0;
}

int gw_web_open(struct http_static **stp, const struct gw_config *cfg)
{
	char root[PATH_MAX];
	int err;

	if (!stp || !cfg)
		return EINVAL;
	*stp = NULL;
	err = gw_web_root(cfg, root, sizeof(root));
	if (!err)
		err = http_static_alloc(stp, root);
	if (!err) {
		log_info(WEB_MOD, "web softphone from %s",
			 http_static_root(*stp));
		return 0;
	}
	if (cfg->https.web_root) {
		log_error(WEB_MOD, "[https] web_root %s: %s",
			  cfg->https.web_root, strerror(err));
		return err;
	}
	/* the default place may be empty (a build without npm): not fatal */
	log_warn(WEB_MOD,
		 "no web softphone at %s (%s): / and /p/<token> answer 404; "
		 "build it with `make` or set [https] web_root",
		 root, strerror(err));
	return 0;
}
