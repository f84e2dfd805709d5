/* rtp.h: RTP and RTCP codecs (RFC 3550), RTP header extensions (RFC 8285)
 * and telephone-events (RFC 4733): pure byte <-> struct code, no sockets.
 *
 * Decoders never allocate and never read outside the buffer given; their
 * results point into that buffer. Errors: EBADMSG malformed input,
 * EOVERFLOW over a named limit or an output buffer too small, EINVAL a
 * caller bug.
 */
#ifndef SC_MEDIA_RTP_H
#define SC_MEDIA_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define RTP_VERSION 2
#define RTP_HEADER_SIZE 12
#define RTP_MAX_CSRC 15
#define RTP_EXT_ONE_BYTE 0xbede /* RFC 8285 section 4.2 */
#define RTP_EXT_TWO_BYTE 0x1000 /* RFC 8285 section 4.3, low 4 bits free */
#define RTP_EXT_TWO_BYTE_MASK 0xfff0
#define RTP_EXT_MAX_ELEMS 16 /* elements kept by rtp_ext_decode() */

/* The extension block of RFC 3550 section 5.3.1 as a view. */
struct rtp_ext {
	uint16_t profile; /* "defined by profile" field */
	const uint8_t *data;
	size_t len; /* bytes, a multiple of 4 */
};

/* A decoded RTP header (RFC 3550 section 5.1). payload is a view without
 * the padding; pad_len counts the padding bytes including the last. */
struct rtp_hdr {
	bool padding;
	bool extension;
	bool marker;
	uint8_t cc;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t csrc[RTP_MAX_CSRC];
	struct rtp_ext ext;
	size_t hdr_len;
	uint8_t pad_len;
	const uint8_t *payload;
	size_t payload_len;
};

/* One RFC 8285 element: a local identifier and a view of its data. */
struct rtp_ext_elem {
	uint8_t id;
	uint8_t len;
	const uint8_t *data;
};

/* rtp.c. rtp_hdr_decode(): header, CSRCs, extension view and payload view
 * (0 or EBADMSG). rtp_hdr_encode(): writes the header part of hdr, *lenp
 * its length (EINVAL, EOVERFLOW). rtp_ext_decode(): RFC 8285 elements,
 * *elemcp room in, count out (ENOENT not RFC 8285, EBADMSG, EOVERFLOW).
 * rtp_is_rtcp(): RFC 5761 demultiplexing. rtp_seq_extend(): the 32-bit
 * extended sequence number nearest to last_ext. */
int rtp_hdr_decode(struct rtp_hdr *hdr, const uint8_t *buf, size_t len);
int rtp_hdr_encode(uint8_t *buf, size_t size, size_t *lenp,
                   const struct rtp_hdr *hdr);
int rtp_ext_decode(const struct rtp_ext *ext, struct rtp_ext_elem *elemv,
                   size_t *elemcp);
bool rtp_is_rtcp(const uint8_t *buf, size_t len);
uint32_t rtp_seq_extend(uint32_t last_ext, uint16_t seq);

/* RFC 3550 A.1 source validation and sequence accounting, and A.3 loss
 * for a reception report. A source is valid after RTP_SEQ_MIN_SEQUENTIAL
 * packets in sequence; a jump over RTP_SEQ_MAX_DROPOUT restarts the count
 * when the packet after it follows it. */
#define RTP_SEQ_MAX_DROPOUT 3000
#define RTP_SEQ_MAX_MISORDER 100
#define RTP_SEQ_MIN_SEQUENTIAL 2

struct rtp_seq {
	uint16_t max_seq;
	uint32_t cycles; /* wraps counted in the high 16 bits */
	uint32_t base_seq;
	uint32_t bad_seq;
	uint32_t probation;
	uint32_t received;
	uint32_t expected_prior;
	uint32_t received_prior;
};

struct rtcp_rb;
void rtp_seq_init(struct rtp_seq *s, uint16_t seq);
bool rtp_seq_update(struct rtp_seq *s, uint16_t seq);
void rtp_seq_report(struct rtp_seq *s, struct rtcp_rb *rb);
static inline uint32_t rtp_seq_ext_max(const struct rtp_seq *s)
{
	return s->cycles + s->max_seq;
}

/* RFC 3550 section 6.4.1 and A.8: interarrival jitter in timestamp units,
 * kept scaled by 16 as in the reference code. */
struct rtp_jitter {
	bool started;
	uint32_t transit;
	uint32_t jitter_q4; /* jitter << 4 */
};

void rtp_jitter_update(struct rtp_jitter *j, uint32_t arrival, uint32_t ts);
static inline uint32_t rtp_jitter_get(const struct rtp_jitter *j)
{
	return j->jitter_q4 >> 4;
}

/* Maps timestamps from one clock to another (e.g. telephone-event at
 * 48 kHz in WebRTC to 8 kHz toward a PBX): from_base on the source clock
 * corresponds to to_base on the target clock. */
struct rtp_tsmap {
	uint32_t from_base;
	uint32_t to_base;
	uint32_t from_rate;
	uint32_t to_rate;
};

uint32_t rtp_tsmap_ts(const struct rtp_tsmap *m, uint32_t ts);

/* rtcp.c: RTCP (RFC 3550 section 6, RFC 4585 feedback). */
enum rtcp_type {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205, /* RFC 4585 */
	RTCP_PSFB = 206,  /* RFC 4585 */
};

#define RTCP_HEADER_SIZE 4
#define RTCP_RB_SIZE 24u
#define RTCP_SR_INFO_SIZE 20u
#define RTCP_MAX_PKTS 16 /* packets kept from one compound packet */
#define RTCP_SDES_CNAME 1
#define RTCP_MAX_CNAME 255

/* A reception report block (RFC 3550 section 6.4.1). lost is the signed
 * 24-bit cumulative number of packets lost. */
struct rtcp_rb {
	uint32_t ssrc;
	uint8_t fraction;
	int32_t lost;
	uint32_t last_seq;
	uint32_t jitter;
	uint32_t lsr;
	uint32_t dlsr;
};

/* Sender info of an SR (RFC 3550 section 6.4.1). */
struct rtcp_sr {
	uint32_t ssrc;
	uint32_t ntp_sec;
	uint32_t ntp_frac;
	uint32_t rtp_ts;
	uint32_t pkt_count;
	uint32_t octet_count;
};

/*
 * One packet of a compound packet. count is RC, SC or FMT by type. body is
 * everything after the 4-byte header without padding. By type:
 *   SR:    sr filled, rb/rbc the report blocks (raw, see rtcp_rb_decode())
 *   RR:    ssrc, rb/rbc
 *   SDES:  body is the chunk list (see rtcp_sdes_walk())
 *   BYE:   ssrcv/count the SSRC list (raw, 4 bytes each), reason a view
 *   APP:   ssrc, name (4 bytes), data
 *   RTPFB, PSFB: ssrc (sender), media_ssrc, data (the FCI)
 */
struct rtcp_pkt {
	uint8_t type;
	uint8_t count;
	bool padding;
	size_t len; /* whole packet, bytes */
	const uint8_t *body;
	size_t body_len;
	uint32_t ssrc;
	uint32_t media_ssrc;
	struct rtcp_sr sr;
	const uint8_t *rb;
	size_t rbc;
	const uint8_t *ssrcv;
	struct pl reason;
	const uint8_t *name;
	const uint8_t *data;
	size_t data_len;
};

/* rtcp_decode(): walks and validates a compound packet into pktv (*pktcp
 * room in, count out): EBADMSG, EOVERFLOW. rtcp_rb_decode(): report block
 * i of an SR/RR. rtcp_sdes_walk(): calls h for every SDES item. Encoders
 * write one packet each (EINVAL, EOVERFLOW); concatenate for compounds. */
int rtcp_decode(struct rtcp_pkt *pktv, size_t *pktcp, const uint8_t *buf,
                size_t len);
int rtcp_rb_decode(struct rtcp_rb *rb, const struct rtcp_pkt *pkt, size_t i);

typedef int(rtcp_sdes_h)(uint32_t ssrc, uint8_t type, const struct pl *value,
                         void *arg);
int rtcp_sdes_walk(const struct rtcp_pkt *pkt, rtcp_sdes_h *h, void *arg);

int rtcp_sr_encode(uint8_t *buf, size_t size, size_t *lenp,
                   const struct rtcp_sr *sr, const struct rtcp_rb *rbv,
                   size_t rbc);
int rtcp_rr_encode(uint8_t *buf, size_t size, size_t *lenp, uint32_t ssrc,
                   const struct rtcp_rb *rbv, size_t rbc);
int rtcp_sdes_cname_encode(uint8_t *buf, size_t size, size_t *lenp,
                           uint32_t ssrc, const struct pl *cname);

/* dtmf.c: the telephone-event payload (RFC 4733 section 2.3). */
#define DTMF_PAYLOAD_SIZE 4
#define DTMF_MAX_VOLUME 63

struct dtmf_event {
	uint8_t event;     /* 0-9, 10 '*', 11 '#', 12-15 'A'-'D', ... */
	bool end;          /* E bit */
	uint8_t volume;    /* 0..63, -dBm0 */
	uint16_t duration; /* timestamp units */
};

/* dtmf_decode(): EBADMSG under 4 bytes. dtmf_encode(): EINVAL volume > 63,
 * EOVERFLOW size < 4. dtmf_event_map(): timestamp and duration onto
 * another clock; EOVERFLOW if the duration no longer fits 16 bits.
 * dtmf_char(): '0'-'9', '*', '#', 'A'-'D' or '\0'. */
int dtmf_decode(struct dtmf_event *ev, const uint8_t *buf, size_t len);
int dtmf_encode(uint8_t *buf, size_t size, const struct dtmf_event *ev);
int dtmf_event_map(struct dtmf_event *ev, uint32_t *tsp,
                   const struct rtp_tsmap *m);
char dtmf_char(uint8_t event);

#endif
