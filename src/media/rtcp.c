/* rtcp.c: RTCP compound packet walk and SR, RR, SDES CNAME encoders (RFC
 * 3550 section 6 and A.2; RTPFB/PSFB recognised as in RFC 4585 6.1). */
#include <errno.h>
#include <string.h>

#include "media/rtp.h"

#define RTCP_MAX_RC 31 /* the 5-bit count field */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void wr_header(uint8_t *p, uint8_t count, uint8_t type, size_t len)
{
	p[0] = (uint8_t)((RTP_VERSION << 6) | count);
	p[1] = type;
	/* Section 6.4.1: length in 32-bit words minus one. */
	p[2] = (uint8_t)((len / 4 - 1) >> 8);
	p[3] = (uint8_t)(len / 4 - 1);
}

/* Fills the type-specific views of one packet. */
static int pkt_parse(struct rtcp_pkt *pkt)
{
	const uint8_t *b = pkt->body;
	size_t n = pkt->body_len;

	switch (pkt->type) {
	case RTCP_SR:
		if (n < 4 + RTCP_SR_INFO_SIZE + RTCP_RB_SIZE * pkt->count)
			return EBADMSG;
		pkt->ssrc = pkt->sr.ssrc = rd32(b);
		pkt->sr.ntp_sec = rd32(b + 4);
		pkt->sr.ntp_frac = rd32(b + 8);
		pkt->sr.rtp_ts = rd32(b + 12);
		pkt->sr.pkt_count = rd32(b + 16);
		pkt->sr.octet_count = rd32(b + 20);
		pkt->rb = b + 4 + RTCP_SR_INFO_SIZE;
		pkt->rbc = pkt->count;
		break;
	case RTCP_RR:
		if (n < 4 + RTCP_RB_SIZE * pkt->count)
			return EBADMSG;
		pkt->ssrc = rd32(b);
		pkt->rb = b + 4;
		pkt->rbc = pkt->count;
		break;
	case RTCP_SDES:
		return rtcp_sdes_walk(pkt, NULL, NULL);
	case RTCP_BYE:
		/* Section 6.6: SC SSRCs, then an optional reason. */
		if (n < 4u * pkt->count)
			return EBADMSG;
		pkt->ssrcv = b;
		if (pkt->count)
			pkt->ssrc = rd32(b);
		if (n > 4u * pkt->count) {
			size_t r = b[4u * pkt->count];

			if (1 + r > n - 4u * pkt->count)
				return EBADMSG;
			pkt->reason.p = (const char *)b + 4u * pkt->count + 1;
			pkt->reason.l = r;
		}
		break;
	case RTCP_APP:
		if (n < 8)
			return EBADMSG;
		pkt->ssrc = rd32(b);
		pkt->name = b + 4;
		pkt->data = b + 8;
		pkt->data_len = n - 8;
		break;
	case RTCP_RTPFB:
	case RTCP_PSFB:
		/* RFC 4585 section 6.1: sender SSRC, media SSRC, FCI. */
		if (n < 8)
			return EBADMSG;
		pkt->ssrc = rd32(b);
		pkt->media_ssrc = rd32(b + 4);
		pkt->data = b + 8;
		pkt->data_len = n - 8;
		break;
	default:
		/* Unknown types are kept as a body view (section 6.1). */
		break;
	}
	return 0;
}

/*
 * Walks a compound RTCP packet into pktv. *pktcp gives the room in pktv
 * on entry and the number of packets on return. Validates as RFC 3550 A.2
 * does, except that the first packet need not be SR/RR (reduced-size RTCP,
 * RFC 5506, as WebRTC sends it): version 2 everywhere, the length fields
 * add up to len exactly, padding only in the last packet.
 * Returns 0, EINVAL, EBADMSG or EOVERFLOW (more than *pktcp packets).
 */
int rtcp_decode(struct rtcp_pkt *pktv, size_t *pktcp, const uint8_t *buf,
                size_t len)
{
	size_t cap, n = 0, pos = 0;
	int err = 0;

	if (!pktv || !pktcp || !buf)
		return EINVAL;
	cap = *pktcp;
	if (len < RTCP_HEADER_SIZE) {
		err = EBADMSG;
		goto out;
	}
	while (pos < len) {
		struct rtcp_pkt *pkt;
		size_t plen, pad = 0;

		if (len - pos < RTCP_HEADER_SIZE ||
		    (buf[pos] >> 6) != RTP_VERSION) {
			err = EBADMSG;
			goto out;
		}
		plen = 4u * ((size_t)rd16(buf + pos + 2) + 1);
		if (plen > len - pos) {
			err = EBADMSG;
			goto out;
		}
		if (buf[pos] & 0x20) {
			pad = buf[pos + plen - 1];
			if (pos + plen != len || !pad ||
			    pad > plen - RTCP_HEADER_SIZE) {
				err = EBADMSG;
				goto out;
			}
		}
		if (n >= cap) {
			err = EOVERFLOW;
			goto out;
		}
		pkt = &pktv[n];
		memset(pkt, 0, sizeof(*pkt));
		pkt->type = buf[pos + 1];
		pkt->count = buf[pos] & 0x1f;
		pkt->padding = pad != 0;
		pkt->len = plen;
		pkt->body = buf + pos + RTCP_HEADER_SIZE;
		pkt->body_len = plen - RTCP_HEADER_SIZE - pad;
		err = pkt_parse(pkt);
		if (err)
			goto out;
		n++;
		pos += plen;
	}
out:
	*pktcp = err ? 0 : n;
	return err;
}

/* Report block i of an SR or RR. Returns 0 or EINVAL (no such block). */
int rtcp_rb_decode(struct rtcp_rb *rb, const struct rtcp_pkt *pkt, size_t i)
{
	const uint8_t *p;
	uint32_t lost;

	if (!rb || !pkt || !pkt->rb || i >= pkt->rbc)
		return EINVAL;
	p = pkt->rb + RTCP_RB_SIZE * i;
	rb->ssrc = rd32(p);
	rb->fraction = p[4];
	lost = rd32(p + 4) & 0x00ffffffu;
	/* Signed 24-bit (section 6.4.1: may go negative with duplicates). */
	rb->lost = (int32_t)(lost ^ 0x00800000u) - 0x00800000;
	rb->last_seq = rd32(p + 8);
	rb->jitter = rd32(p + 12);
	rb->lsr = rd32(p + 16);
	rb->dlsr = rd32(p + 20);
	return 0;
}

/*
 * Walks the SDES chunks of pkt (section 6.5), calling h (if not NULL) for
 * each item with a view of its value; a non-zero return from h stops the
 * walk and is returned. Each chunk's item list ends with a null octet and
 * padding to 32 bits. Returns 0, EINVAL, EBADMSG or h's value.
 */
int rtcp_sdes_walk(const struct rtcp_pkt *pkt, rtcp_sdes_h *h, void *arg)
{
	const uint8_t *b;
	size_t n, pos = 0, c;
	int err = 0;

	if (!pkt || pkt->type != RTCP_SDES)
		return EINVAL;
	b = pkt->body;
	n = pkt->body_len;
	for (c = 0; c < pkt->count; c++) {
		uint32_t ssrc;

		if (n - pos < 4)
			return EBADMSG;
		ssrc = rd32(b + pos);
		pos += 4;
		for (;;) {
			struct pl val;
			uint8_t type, l;

			if (pos >= n)
				return EBADMSG;
			type = b[pos];
			if (type == 0) {
				pos = (pos + 4) & ~(size_t)3;
				if (pos > n)
					return EBADMSG;
				break;
			}
			if (n - pos < 2)
				return EBADMSG;
			l = b[pos + 1];
			if (l > n - pos - 2)
				return EBADMSG;
			val.p = (const char *)b + pos + 2;
			val.l = l;
			pos += 2u + l;
			if (h) {
				err = h(ssrc, type, &val, arg);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

static void rb_encode(uint8_t *p, const struct rtcp_rb *rb)
{
	int32_t lost = rb->lost;

	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	wr32(p, rb->ssrc);
	wr32(p + 4,
	     ((uint32_t)rb->fraction << 24) | ((uint32_t)lost & 0x00ffffffu));
	wr32(p + 8, rb->last_seq);
	wr32(p + 12, rb->jitter);
	wr32(p + 16, rb->lsr);
	wr32(p + 20, rb->dlsr);
}

/*
 * A sender report with rbc report blocks (section 6.4.1); the cumulative
 * loss is clamped to 24 bits. Returns 0, EINVAL (rbc > 31) or EOVERFLOW.
 */
int rtcp_sr_encode(uint8_t *buf, size_t size, size_t *lenp,
                   const struct rtcp_sr *sr, const struct rtcp_rb *rbv,
                   size_t rbc)
{
	size_t len = RTCP_HEADER_SIZE + 4 + RTCP_SR_INFO_SIZE +
	             RTCP_RB_SIZE * rbc,
	       i;

	if (!buf || !lenp || !sr || rbc > RTCP_MAX_RC || (rbc && !rbv))
		return EINVAL;
	if (size < len)
		return EOVERFLOW;
	wr_header(buf, (uint8_t)rbc, RTCP_SR, len);
	wr32(buf + 4, sr->ssrc);
	wr32(buf + 8, sr->ntp_sec);
	wr32(buf + 12, sr->ntp_frac);
	wr32(buf + 16, sr->rtp_ts);
	wr32(buf + 20, sr->pkt_count);
	wr32(buf + 24, sr->octet_count);
	for (i = 0; i < rbc; i++)
		rb_encode(buf + 28 + RTCP_RB_SIZE * i, &rbv[i]);
	*lenp = len;
	return 0;
}

/* A receiver report (section 6.4.2). Returns 0, EINVAL or EOVERFLOW. */
int rtcp_rr_encode(uint8_t *buf, size_t size, size_t *lenp, uint32_t ssrc,
                   const struct rtcp_rb *rbv, size_t rbc)
{
	size_t len = RTCP_HEADER_SIZE + 4 + RTCP_RB_SIZE * rbc, i;

	if (!buf || !lenp || rbc > RTCP_MAX_RC || (rbc && !rbv))
		return EINVAL;
	if (size < len)
		return EOVERFLOW;
	wr_header(buf, (uint8_t)rbc, RTCP_RR, len);
	wr32(buf + 4, ssrc);
	for (i = 0; i < rbc; i++)
		rb_encode(buf + 8 + RTCP_RB_SIZE * i, &rbv[i]);
	*lenp = len;
	return 0;
}

/*
 * An SDES packet with one chunk holding one CNAME item (sections 6.5,
 * 6.5.1), null-terminated and zero-padded to 32 bits.
 * Returns 0, EINVAL (empty or over RTCP_MAX_CNAME) or EOVERFLOW.
 */
int rtcp_sdes_cname_encode(uint8_t *buf, size_t size, size_t *lenp,
                           uint32_t ssrc, const struct pl *cname)
{
	size_t items, len;

	if (!buf || !lenp || !pl_isset(cname) || cname->l > RTCP_MAX_CNAME)
		return EINVAL;
	items = 2 + cname->l + 1; /* type, length, value, null item */
	len = RTCP_HEADER_SIZE + 4 + ((items + 3) & ~(size_t)3);
	if (size < len)
		return EOVERFLOW;
	memset(buf, 0, len);
	wr_header(buf, 1, RTCP_SDES, len);
	wr32(buf + 4, ssrc);
	buf[8] = RTCP_SDES_CNAME;
	buf[9] = (uint8_t)cname->l;
	memcpy(buf + 10, cname->p, cname->l);
	*lenp = len;
	return 0;
}
