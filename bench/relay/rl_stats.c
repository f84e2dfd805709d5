/* rl_stats.c: receive statistics of one RTP stream (RFC 3550 A.1 extended
 * sequence numbers, A.3 loss, A.8 interarrival jitter) and the RTP header
 * bits relayload writes and reads (RFC 3550 section 5.1, RFC 5761). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rl.h"

#define RTP_HDR 12
#define SEQ_MOD 65536u

void rl_rx_init(struct rl_rx *rx, uint32_t clock)
{
	memset(rx, 0, sizeof(*rx));
	rx->clock = clock;
}

void rl_rx_packet(struct rl_rx *rx, uint16_t seq, uint32_t ts,
		  uint64_t arrival_ns, uint64_t send_ns)
{
	int64_t transit;

	if (!rx->started) {
		rx->started = true;
		rx->base_seq = seq;
		rx->max_seq = seq;
		rx->last_seq = seq;
	} else {
		uint16_t delta = (uint16_t)(seq - rx->last_seq);

		/* in order (allowing gaps): advance; wrapped: a new cycle.
		 * Late or duplicate packets leave max_seq alone (A.1). */
		if (delta > 0 && delta < SEQ_MOD / 2) {
			if (seq < rx->last_seq)
				rx->cycles += SEQ_MOD;
			rx->last_seq = seq;
			rx->max_seq = rx->cycles + seq;
		}
	}
	rx->packets++;

	/* A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16. With
	 * a stamp S is the true send time (the jitter the path added);
	 * without, the RTP timestamp on the sender's media clock. */
	if (send_ns) {
		rx->stamped++;
		transit = (int64_t)(arrival_ns - send_ns);
	} else if (rx->clock) {
		transit = (int64_t)arrival_ns -
			  (int64_t)((uint64_t)ts * 1000000000ull / rx->clock);
	} else {
		return;
	}
	if (rx->have_transit) {
		int64_t d = transit - rx->last_transit;

		if (d < 0)
			d = -d;
		rx->jitter_ns += ((double)d - rx->jitter_ns) / 16.0;
	}
	rx->last_transit = transit;
	rx->have_transit = true;
}

uint64_t rl_rx_expected(const struct rl_rx *rx)
{
	return rx->started ? (uint64_t)rx->max_seq - rx->base_seq + 1 : 0;
}

uint64_t rl_rx_lost(const struct rl_rx *rx)
{
	uint64_t exp = rl_rx_expected(rx);

	return exp > rx->packets ? exp - rx->packets : 0;
}

void rl_stamp_put(uint8_t *p, uint64_t send_ns)
{
	uint32_t m = RL_STAMP_MAGIC;
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(m >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		p[4 + i] = (uint8_t)(send_ns >> (56 - 8 * i));
}

uint64_t rl_stamp_get(const uint8_t *p, size_t len)
{
	uint64_t v = 0;
	uint32_t m = 0;
	int i;

	if (len < RL_STAMP_LEN)
		return 0;
	for (i = 0; i < 4; i++)
		m = m << 8 | p[i];
	if (m != RL_STAMP_MAGIC)
		return 0;
	for (i = 0; i < 8; i++)
		v = v << 8 | p[4 + i];
	return v;
}

void rl_rtp_header(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts,
		   uint32_t ssrc)
{
	p[0] = 0x80;
	p[1] = pt & 0x7f;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}

int rl_rtp_parse(const uint8_t *p, size_t len, uint16_t *seqp, uint32_t *tsp,
		 uint8_t *ptp, size_t *offp)
{
	size_t off;

	if (len < RTP_HDR || (p[0] >> 6) != 2)
		return EBADMSG;
	off = RTP_HDR + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) { /* header extension (5.3.1) */
		if (len < off + 4)
			return EBADMSG;
		off += 4 + 4u * ((size_t)p[off + 2] << 8 | p[off + 3]);
	}
	if (off > len)
		return EBADMSG;
	if (p[0] & 0x20) { /* padding: the last byte counts it */
		if (len == off || p[len - 1] > len - off)
			return EBADMSG;
	}
	*seqp = (uint16_t)(p[2] << 8 | p[3]);
	*tsp = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	       (uint32_t)p[6] << 8 | p[7];
	*ptp = p[1] & 0x7f;
	*offp = off;
	return 0;
}

bool rl_is_rtcp(const uint8_t *p, size_t len)
{
	return len >= 2 && (p[1] & 0x7f) >= 64 && (p[1] & 0x7f) <= 95;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double rl_percentile(double *v, size_t n, double pct)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_d);
	i = (size_t)(pct / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}
