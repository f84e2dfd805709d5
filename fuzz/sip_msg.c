/* sip_msg.c: fuzz target for the SIP message decoder (one datagram):
 * decode, check, the per-header decoders, and a reply when answerable. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk_headers(const struct sip_msg *msg)
{
	struct pl val;
	size_t i;

	for (i = 0; i < msg->hdrc; i++) {
		const struct sip_hdr *h = &msg->hdrv[i];
		struct sip_addr a;
		struct sip_via v;

		switch (h->id) {
		case SIP_HDR_VIA:
			(void)sip_via_decode(&v, &h->val);
			break;
		case SIP_HDR_CONTACT:
		case SIP_HDR_ROUTE:
		case SIP_HDR_RECORD_ROUTE:
		case SIP_HDR_REFER_TO:
		case SIP_HDR_P_ASSERTED_IDENTITY:
			if (!sip_addr_decode(&a, &h->val))
				(void)sip_param_get(&a.params, "expires", &val);
			break;
		default:
			(void)sip_hdr_lookup(&h->name);
			break;
		}
	}
	(void)sip_msg_hdr_named(msg, "Allow-Events");
	(void)sip_param_get(&msg->ruri.params, "transport", &val);
}

static void reply(const struct sip_msg *msg, uint16_t scode, const char *reason)
{
	static const struct pl tag = PL("fz1"), viap = PL(";rport=5060");
	static const struct pl body = PL("x");
	static struct sip_msg rsp;
	struct mbuf *mb;

	if (mbuf_alloc(&mb, 256))
		return;
	if (!sip_reply_encode(mb, msg, scode, reason, &tag, &viap, NULL,
	                      "text/plain", &body)) {
		/* our own output must at least decode its status line */
		int err = sip_msg_decode(&rsp, (const char *)mb->buf, mb->end);

		if (err == EINVAL ||
		    (err != EBADMSG && err != 0 && err != EOVERFLOW) ||
		    rsp.req || rsp.scode != scode)
			abort();
	}
	if (pl_isset(&msg->ruri.scheme)) {
		mbuf_reset(mb);
		(void)sip_uri_encode(mb, &msg->ruri);
	}
	mem_deref(mb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg msg;
	const char *why;
	uint16_t scode;
	int err;

	err = sip_msg_decode(&msg, (const char *)data, size);
	if (err != 0 && err != EBADMSG && err != EOVERFLOW)
		abort();
	if (err && !msg.err)
		abort(); /* every failure names its reason */
	walk_headers(&msg);
	err = sip_msg_check(&msg, &scode, &why);
	if (sip_msg_can_reply(&msg))
		reply(&msg, err ? scode : 200, err ? why : "OK");
	return 0;
}
