/* rtp.c: fuzz target for the RTP header codec (RFC 3550 section 5.1), its
 * RFC 8285 extension elements and the RFC 4733 payload decoder. */
#include <stdint.h>
#include <string.h>

#include "media/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_ext_elem ev[RTP_EXT_MAX_ELEMS];
	size_t n = RTP_EXT_MAX_ELEMS, len, i;
	struct dtmf_event dtmf;
	struct rtp_hdr h, h2;
	uint8_t out[128];
	unsigned sum = 0;

	/* The input as a series of sequence numbers: A.1 and A.3 helpers. */
	if (size >= 2) {
		struct rtp_seq seq;
		struct rtcp_rb rb;

		rtp_seq_init(&seq, (uint16_t)((data[0] << 8) | data[1]));
		for (i = 0; i + 1 < size; i += 2) {
			sum += rtp_seq_update(
			    &seq, (uint16_t)((data[i] << 8) | data[i + 1]));
			if ((i & 31) == 0)
				rtp_seq_report(&seq, &rb);
		}
	}
	(void)rtp_is_rtcp(data, size);
	if (rtp_hdr_decode(&h, data, size))
		return 0;
	if (h.extension && rtp_ext_decode(&h.ext, ev, &n) == 0) {
		for (i = 0; i < n; i++)
			sum += ev[i].len ? ev[i].data[ev[i].len - 1] : 0;
	}
	if (dtmf_decode(&dtmf, h.payload, h.payload_len) == 0)
		sum += dtmf.duration;
	/* Re-encoding the header gives back the bytes it came from. */
	if (rtp_hdr_encode(out, sizeof(out), &len, &h) == 0) {
		if (len != h.hdr_len || memcmp(out, data, len))
			__builtin_trap();
		/* Without its payload a padded header cannot decode. */
		if (!h.padding &&
		    (rtp_hdr_decode(&h2, out, len) || h2.seq != h.seq))
			__builtin_trap();
	}
	return (int)(sum & 0);
}
