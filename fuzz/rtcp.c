/* rtcp.c: fuzz target for the RTCP compound walk (RFC 3550 section 6):
 * every packet, report block and SDES item is visited, and SR/RR blocks
 * are re-encoded and compared. */
#include <stdint.h>
#include <string.h>

#include "media/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int item(uint32_t ssrc, uint8_t type, const struct pl *v, void *arg)
{
	unsigned *sum = arg;

	*sum += ssrc + type + (v->l ? (uint8_t)v->p[v->l - 1] : 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_pkt pv[RTCP_MAX_PKTS];
	struct rtcp_rb rbv[31];
	size_t n = RTCP_MAX_PKTS, i, k, len;
	uint8_t out[4 + 4 + 20 + 31 * 24];
	unsigned sum = 0;

	if (rtcp_decode(pv, &n, data, size))
		return 0;
	for (i = 0; i < n; i++) {
		const struct rtcp_pkt *p = &pv[i];

		if (p->type == RTCP_SDES && rtcp_sdes_walk(p, item, &sum))
			__builtin_trap(); /* decode already validated it */
		if (p->data_len)
			sum += p->data[p->data_len - 1];
		if (p->reason.l)
			sum += (uint8_t)p->reason.p[p->reason.l - 1];
		if (p->type != RTCP_SR && p->type != RTCP_RR)
			continue;
		for (k = 0; k < p->rbc; k++) {
			if (rtcp_rb_decode(&rbv[k], p, k))
				__builtin_trap();
		}
		if (p->type == RTCP_SR) {
			if (rtcp_sr_encode(out, sizeof(out), &len, &p->sr, rbv,
			                   p->rbc))
				__builtin_trap();
			/* Same header fields and blocks as received. */
			if (memcmp(out + 4, p->body, 24 + 24 * p->rbc))
				__builtin_trap();
		} else if (rtcp_rr_encode(out, sizeof(out), &len, p->ssrc, rbv,
		                          p->rbc) ||
		           memcmp(out + 4, p->body, 4 + 24 * p->rbc)) {
			__builtin_trap();
		}
	}
	return (int)(sum & 0);
}
