/* net_sa.c: fuzz target for sa_decode (address:port parsing), the
 * printing round trip and sa_unmap. */
#include <stdint.h>
#include <string.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[SA_STR_MAX];
	struct sa sa, sb;

	if (sa_decode(&sa, (const char *)data, size))
		return 0;
	/* what parses prints, and what prints parses back the same */
	if (sa_str(&sa, buf, sizeof(buf)))
		__builtin_trap();
	if (sa_decode(&sb, buf, strlen(buf)) || !sa_cmp(&sa, &sb))
		__builtin_trap();
	/* unmapping keeps the port and is idempotent */
	sa_unmap(&sb, &sa);
	if (sa_port(&sb) != sa_port(&sa))
		__builtin_trap();
	sa_unmap(&sa, &sb);
	if (!sa_cmp(&sa, &sb))
		__builtin_trap();
	return 0;
}
