/* rtp.c: RTP header codec (RFC 3550 section 5.1), header extensions (RFC
 * 8285), RTP/RTCP demultiplexing (RFC 5761 section 4), sequence number
 * extension, interarrival jitter (RFC 3550 A.8) and clock mapping. */
#include <errno.h>
#include <string.h>

#include "media/rtp.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

/*
 * Decodes the RTP packet buf[0..len) into hdr: fixed header, CSRC list,
 * extension block (a view; see rtp_ext_decode()) and payload view without
 * padding. Checks of RFC 3550 A.1: version 2, lengths, padding count.
 * Returns 0, EINVAL or EBADMSG.
 */
int rtp_hdr_decode(struct rtp_hdr *hdr, const uint8_t *buf, size_t len)
{
	size_t pos, i;
	int err = 0;

	if (!hdr || !buf)
		return EINVAL;
	memset(hdr, 0, sizeof(*hdr));
	if (len < RTP_HEADER_SIZE || (buf[0] >> 6) != RTP_VERSION) {
		err = EBADMSG;
		goto out;
	}
	hdr->padding = (buf[0] & 0x20) != 0;
	hdr->extension = (buf[0] & 0x10) != 0;
	hdr->cc = buf[0] & 0x0f;
	hdr->marker = (buf[1] & 0x80) != 0;
	hdr->pt = buf[1] & 0x7f;
	hdr->seq = rd16(buf + 2);
	hdr->ts = rd32(buf + 4);
	hdr->ssrc = rd32(buf + 8);
	pos = RTP_HEADER_SIZE;
	if (len - pos < 4u * hdr->cc) {
		err = EBADMSG;
		goto out;
	}
	for (i = 0; i < hdr->cc; i++, pos += 4)
		hdr->csrc[i] = rd32(buf + pos);
	if (hdr->extension) {
		/* Section 5.3.1: 16 bits profile, 16 bits length in words. */
		if (len - pos < 4) {
			err = EBADMSG;
			goto out;
		}
		hdr->ext.profile = rd16(buf + pos);
		hdr->ext.len = 4u * rd16(buf + pos + 2);
		pos += 4;
		if (len - pos < hdr->ext.len) {
			err = EBADMSG;
			goto out;
		}
		hdr->ext.data = buf + pos;
		pos += hdr->ext.len;
	}
	hdr->hdr_len = pos;
	hdr->payload = buf + pos;
	hdr->payload_len = len - pos;
	if (hdr->padding) {
		/* The last octet counts the padding, itself included. */
		uint8_t pad = hdr->payload_len ? buf[len - 1] : 0;

		if (!pad || pad > hdr->payload_len) {
			err = EBADMSG;
			goto out;
		}
		hdr->pad_len = pad;
		hdr->payload_len -= pad;
	}
out:
	return err;
}

/*
 * Writes the fixed header, CSRC list and extension block of hdr (payload,
 * padding and the fields hdr_len, pad_len, payload* are ignored; the P bit
 * is written as hdr->padding says) and sets *lenp to the header length.
 * Returns 0, EINVAL (cc > 15, pt > 127, extension not in 32-bit words) or
 * EOVERFLOW (buffer too small).
 */
int rtp_hdr_encode(uint8_t *buf, size_t size, size_t *lenp,
                   const struct rtp_hdr *hdr)
{
	size_t need, pos, i;

	if (!buf || !lenp || !hdr || hdr->cc > RTP_MAX_CSRC || hdr->pt > 127)
		return EINVAL;
	need = RTP_HEADER_SIZE + 4u * hdr->cc;
	if (hdr->extension) {
		if ((hdr->ext.len & 3) || hdr->ext.len / 4 > 0xffff ||
		    (!hdr->ext.data && hdr->ext.len))
			return EINVAL;
		need += 4 + hdr->ext.len;
	}
	if (size < need)
		return EOVERFLOW;
	buf[0] = (uint8_t)((RTP_VERSION << 6) | (hdr->padding ? 0x20 : 0) |
	                   (hdr->extension ? 0x10 : 0) | hdr->cc);
	buf[1] = (uint8_t)((hdr->marker ? 0x80 : 0) | hdr->pt);
	wr16(buf + 2, hdr->seq);
	wr32(buf + 4, hdr->ts);
	wr32(buf + 8, hdr->ssrc);
	pos = RTP_HEADER_SIZE;
	for (i = 0; i < hdr->cc; i++, pos += 4)
		wr32(buf + pos, hdr->csrc[i]);
	if (hdr->extension) {
		wr16(buf + pos, hdr->ext.profile);
		wr16(buf + pos + 2, (uint32_t)(hdr->ext.len / 4));
		if (hdr->ext.len)
			memcpy(buf + pos + 4, hdr->ext.data, hdr->ext.len);
		pos += 4 + hdr->ext.len;
	}
	*lenp = pos;
	return 0;
}

static int elem_add(struct rtp_ext_elem *elemv, size_t cap, size_t *n,
                    uint8_t id, uint8_t len, const uint8_t *data)
{
	if (*n >= cap)
		return EOVERFLOW;
	elemv[*n].id = id;
	elemv[*n].len = len;
	elemv[*n].data = data;
	(*n)++;
	return 0;
}

/*
 * Splits an RFC 8285 extension block into elements. *elemcp gives the room
 * in elemv on entry and the number found on return.
 * One-byte form (section 4.2): ID 0 is a padding byte; ID 15 ends
 * processing. Two-byte form (section 4.3): a zero byte where an ID is due
 * is padding; lengths may be 0.
 * Returns 0, ENOENT (profile is neither form), EBADMSG (an element runs
 * past the block) or EOVERFLOW (more than *elemcp elements).
 */
int rtp_ext_decode(const struct rtp_ext *ext, struct rtp_ext_elem *elemv,
                   size_t *elemcp)
{
	size_t cap, n = 0, i = 0;
	int err = 0;

	if (!ext || !elemv || !elemcp || (!ext->data && ext->len))
		return EINVAL;
	cap = *elemcp;
	if (ext->profile == RTP_EXT_ONE_BYTE) {
		while (i < ext->len) {
			uint8_t b = ext->data[i], id = b >> 4;
			uint8_t l = (uint8_t)((b & 0x0f) + 1);

			if (id == 0) {
				i++;
				continue;
			}
			if (id == 15)
				break;
			if (l > ext->len - i - 1) {
				err = EBADMSG;
				goto out;
			}
			err =
			    elem_add(elemv, cap, &n, id, l, ext->data + i + 1);
			if (err)
				goto out;
			i += 1u + l;
		}
	} else if ((ext->profile & RTP_EXT_TWO_BYTE_MASK) == RTP_EXT_TWO_BYTE) {
		while (i < ext->len) {
			uint8_t id = ext->data[i], l;

			if (id == 0) {
				i++;
				continue;
			}
			if (ext->len - i < 2) {
				err = EBADMSG;
				goto out;
			}
			l = ext->data[i + 1];
			if (l > ext->len - i - 2) {
				err = EBADMSG;
				goto out;
			}
			err =
			    elem_add(elemv, cap, &n, id, l, ext->data + i + 2);
			if (err)
				goto out;
			i += 2u + l;
		}
	} else {
		err = ENOENT;
	}
out:
	*elemcp = err ? 0 : n;
	return err;
}

/* RFC 5761 section 4: with RTP and RTCP on one port, a second byte of
 * 192..223 (RTCP packet types; RTP payload types 64..95 with the marker)
 * means RTCP. */
bool rtp_is_rtcp(const uint8_t *buf, size_t len)
{
	return buf && len >= 2 && (buf[0] >> 6) == RTP_VERSION &&
	       buf[1] >= 192 && buf[1] <= 223;
}

/*
 * Extends a 16-bit sequence number to 32 bits (cycles in the high half,
 * RFC 3550 A.1) by picking the value nearest to last_ext, the extended
 * number of a recent packet; seed last_ext with the first packet's seq.
 * Late packets from before a wrap map below it; nothing goes below 0.
 */
uint32_t rtp_seq_extend(uint32_t last_ext, uint16_t seq)
{
	uint32_t cand = (last_ext & 0xffff0000u) | seq;
	int32_t diff = (int32_t)(cand - last_ext);

	if (diff > 0x8000 && cand >= 0x10000u)
		cand -= 0x10000u;
	else if (diff < -0x8000)
		cand += 0x10000u;
	return cand;
}

#define RTP_SEQ_MOD 0x10000u

/* A.1 init_seq(): (re)starts counting at seq. */
static void seq_restart(struct rtp_seq *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

/* Starts tracking a new source whose first packet carries seq. */
void rtp_seq_init(struct rtp_seq *s, uint16_t seq)
{
	if (!s)
		return;
	seq_restart(s, seq);
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = RTP_SEQ_MIN_SEQUENTIAL;
}

/*
 * RFC 3550 A.1 update_seq(): accounts one packet. Returns true when the
 * packet counts (source valid, sequence plausible), false while the source
 * is on probation or after an unexplained jump; the relay may still
 * forward such packets, they only do not count for reports.
 */
bool rtp_seq_update(struct rtp_seq *s, uint16_t seq)
{
	uint16_t udelta;

	if (!s)
		return false;
	udelta = (uint16_t)(seq - s->max_seq);
	if (s->probation) {
		/* Packets must arrive in sequence to end probation. */
		if (seq != (uint16_t)(s->max_seq + 1)) {
			s->probation = RTP_SEQ_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
			return false;
		}
		s->probation--;
		s->max_seq = seq;
		if (s->probation)
			return false;
		seq_restart(s, seq);
	} else if (udelta < RTP_SEQ_MAX_DROPOUT) {
		/* In order, possibly with a gap. */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RTP_SEQ_MAX_MISORDER) {
		/* A big jump: believe it if the next packet follows it
		 * (the sender restarted), else drop this one. */
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1u) & (RTP_SEQ_MOD - 1);
			return false;
		}
		seq_restart(s, seq);
	}
	/* else: a duplicate or a reordered packet, counted as received */
	s->received++;
	return true;
}

/*
 * RFC 3550 A.3: fills rb's fraction lost (since the last report), the
 * cumulative number lost (clamped to signed 24 bits) and the extended
 * highest sequence number, and starts a new report interval. ssrc,
 * jitter, lsr and dlsr are the caller's.
 */
void rtp_seq_report(struct rtp_seq *s, struct rtcp_rb *rb)
{
	uint32_t ext_max, expected, exp_int, rec_int;
	int64_t lost, lost_int;

	if (!s || !rb)
		return;
	ext_max = rtp_seq_ext_max(s);
	expected = ext_max - s->base_seq + 1;
	lost = (int64_t)expected - s->received;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	exp_int = expected - s->expected_prior;
	rec_int = s->received - s->received_prior;
	s->expected_prior = expected;
	s->received_prior = s->received;
	lost_int = (int64_t)exp_int - rec_int;
	rb->fraction = (exp_int == 0 || lost_int <= 0)
	                   ? 0
	                   : (uint8_t)((lost_int << 8) / exp_int);
	rb->lost = (int32_t)lost;
	rb->last_seq = ext_max;
}

/*
 * RFC 3550 A.8: arrival is the arrival time in the stream's timestamp
 * units, ts the packet's RTP timestamp. J += (|D| - J) / 16, kept in
 * integer arithmetic scaled by 16. The first packet only sets the
 * reference transit time.
 */
void rtp_jitter_update(struct rtp_jitter *j, uint32_t arrival, uint32_t ts)
{
	uint32_t transit = arrival - ts, ad;
	int32_t d;

	if (!j)
		return;
	if (!j->started) {
		j->started = true;
		j->transit = transit;
		return;
	}
	d = (int32_t)(transit - j->transit);
	j->transit = transit;
	ad = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
	j->jitter_q4 += ad - ((j->jitter_q4 + 8) >> 4);
}

/*
 * ts on the source clock to the target clock: to_base + (ts - from_base) *
 * to_rate / from_rate, rounded to nearest. The difference is taken as a
 * signed 32-bit value, so ts may lie a little before from_base; the owner
 * moves the bases forward well before 2^31 ticks (12 h at 48 kHz).
 * A map with a zero rate returns to_base.
 */
uint32_t rtp_tsmap_ts(const struct rtp_tsmap *m, uint32_t ts)
{
	int64_t delta, scaled, half;

	if (!m || !m->from_rate || !m->to_rate)
		return m ? m->to_base : 0;
	delta = (int32_t)(ts - m->from_base);
	half = m->from_rate / 2;
	scaled = delta * m->to_rate;
	scaled = (scaled + (scaled < 0 ? -half : half)) / m->from_rate;
	return m->to_base + (uint32_t)scaled;
}
