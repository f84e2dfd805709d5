/* gw_ctl.c: fuzz target: the control socket's request parser and JSON
 * reader (ctl.h) on arbitrary bytes: no read past them, views inside them,
 * no allocation. */
#include <stdint.h>

#include "gw/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const struct pl *pl, const uint8_t *data, size_t size)
{
	if (pl->l && ((const uint8_t *)pl->p < data ||
		      (const uint8_t *)pl->p + pl->l > data + size))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_ctl_json js;
	struct gw_ctl_req req;
	struct pl raw;
	size_t live = mem_live(), i;

	if (!gw_ctl_req_parse(&req, (const char *)data, size)) {
		if (req.cmd < GW_CTL_DEVICE_GONE ||
		    req.cmd > GW_CTL_BAN_CLEAR ||
		    req.names_n > GW_CTL_NAMES_MAX)
			__builtin_trap();
		inside(&req.arg, data, size);
		for (i = 0; i < req.names_n; i++)
			inside(&req.names[i], data, size);
	}
	gw_ctl_json_init(&js, (const char *)data, size);
	if (!gw_ctl_json_skip(&js, &raw)) {
		inside(&raw, data, size);
		if (js.pos > size || js.depth)
			__builtin_trap();
	}
	if (mem_live() != live)
		__builtin_trap();
	return 0;
}
