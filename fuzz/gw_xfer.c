/* gw_xfer.c: fuzz target for what the B2BUA reads of transfers and
 * session timers (call_refer.c, call_timer.c): one SIP message; its
 * Replaces header (RFC 3891) split into Call-ID and tags (views inside
 * the value), and a 422's Min-SE (RFC 4028) within our bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw/call.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const struct pl *v, const char *p, size_t l)
{
	if (v->l && (v->p < p || v->p + v->l > p + l))
		abort();
}

static void replaces(const struct pl *val)
{
	struct pl id, to, from;

	if (gw_replaces_parse(val, &id, &to, &from))
		return;
	if (!id.l || !to.l || !from.l)
		abort();
	inside(&id, val->p, val->l);
	inside(&to, val->p, val->l);
	inside(&from, val->p, val->l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_msg *msg = calloc(1, sizeof(*msg));
	const struct sip_hdr *h;
	uint32_t min_se;

	if (!msg)
		return 0;
	if (!sip_msg_decode(msg, (const char *)data, size)) {
		h = sip_msg_hdr(msg, SIP_HDR_REPLACES);
		if (h)
			replaces(&h->val);
		if (!gw_timer_min_se(msg, &min_se) &&
		    (min_se < GW_MIN_SE || min_se > GW_SE_MAX))
			abort();
	}
	free(msg);
	return 0;
}
