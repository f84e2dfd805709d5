/* gw_config.c: fuzz target: the config loader (INI tokenizer, value
 * parsers, cross-key rules) on arbitrary bytes. */
#include <stdint.h>

#include "gw/gw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_config_errors errs;
	struct gw_config *cfg = NULL;
	char line[GW_INI_LINE_MAX];
	struct le *le;
	size_t live = mem_live();

	gw_config_errors_init(&errs);
	if (!gw_config_parse(&cfg, "f", (const char *)data, size, &errs)) {
		if (!cfg || list_count(&errs.list))
			__builtin_trap();
		mem_deref(cfg);
	} else if (!list_count(&errs.list) || cfg) {
		__builtin_trap(); /* a failure always says why */
	}
	LIST_FOREACH(&errs.list, le)
	gw_config_error_format(le->data, line, sizeof(line));
	gw_config_errors_flush(&errs);
	if (mem_live() != live)
		__builtin_trap();
	return 0;
}
