/* rl.h: the pure pieces of relayload, the media relay load generator:
 * the SDPs a browser and a plain RTP peer send and what relayload reads
 * from the relay's SDPs (RFC 8866, RFC 8839 ICE attributes, RFC 8122
 * fingerprint), the ng control messages (rtpengine's bencode protocol) and
 * per-stream receive statistics (RFC 3550 A.3 loss, A.8 jitter). No
 * sockets, no clock: times come from the caller in nanoseconds. */
#ifndef SC_BENCH_RL_H
#define SC_BENCH_RL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define RL_UFRAG_MAX 64
#define RL_PWD_MAX 128
#define RL_FP_MAX 160 /* "sha-256 AB:CD:..." */
#define RL_ADDR_MAX 64
#define RL_SDP_MAX 4096 /* an SDP we write or accept */
#define RL_NG_MAX 8192  /* one ng datagram */
#define RL_COOKIE_MAX 32
#define RL_PT_PCMU 0
#define RL_PT_OPUS 111
/* Payload stamp: magic then the send time, so a pass-through relay hands
 * the receiver the exact send time of each packet. */
#define RL_STAMP_MAGIC 0x524c4253u /* "RLBS" */
#define RL_STAMP_LEN 12

/* What relayload needs from a relay's SDP (offer to the RTP peer, or
 * answer to the browser). Strings are NUL-terminated copies. */
struct rl_sdp_info {
	char addr[RL_ADDR_MAX]; /* the candidate's, else c= */
	uint16_t port;          /* the candidate's, else m= */
	char proto[32];         /* m= proto, e.g. "UDP/TLS/RTP/SAVPF" */
	int pt;                 /* first payload type on m=, -1 if none */
	char ufrag[RL_UFRAG_MAX], pwd[RL_PWD_MAX];
	char fp[RL_FP_MAX]; /* "sha-256 AB:..." or "" */
	char setup[16];     /* "active", "passive", "actpass" or "" */
	bool rtcp_mux;
	/* an a=fmtp with maxplaybackrate at most 8000 (RFC 7587 section
	 * 6.1): the receiver plays narrowband only */
	bool opus_nb;
};

/* rl_sdp.c. The browser's offer (Chrome's shape: UDP/TLS/RTP/SAVPF, one
 * host candidate, ICE credentials, a=setup:actpass, rtcp-mux, BUNDLE);
 * opus: offer Opus (pt 111) instead of PCMU. Returns 0 or EOVERFLOW. */
int rl_sdp_browser(char *buf, size_t size, uint16_t port, const char *ufrag,
		   const char *pwd, const char *fp, uint32_t ssrc, bool opus);
/* The plain RTP peer's SDP (RTP/AVP, PCMU, no RTCP mux). */
int rl_sdp_peer(char *buf, size_t size, uint16_t port);
/* Reads the first audio m= section. Returns 0, EBADMSG (no audio m= or
 * no address) or EOVERFLOW (a value too long for its field). */
int rl_sdp_parse(struct rl_sdp_info *info, const struct pl *sdp);

/* rl_ng.c: ng requests ("<cookie> <bencoded dict>"). For rtpengine the
 * flags turn the browser's offer into plain RTP toward the peer and the
 * peer's answer into a WebRTC answer (ICE force, DTLS passive, rtcp-mux);
 * transcode adds codec flags (Opus on the browser, PCMU on the peer);
 * plain (the RTP <-> RTP baseline) sends no media flags at all. */
enum rl_ng_cmd {
	RL_NG_OFFER,
	RL_NG_ANSWER,
	RL_NG_DELETE,
	RL_NG_PING,
};

struct rl_ng_req {
	enum rl_ng_cmd cmd;
	const char *cookie;
	const char *call_id;
	const char *from_tag;
	const char *to_tag; /* answer, delete */
	const char *sdp;    /* offer, answer */
	bool transcode;
	bool plain; /* both legs plain RTP/AVP: no ICE, DTLS or SRTP flags */
};

int rl_ng_encode(uint8_t *buf, size_t size, size_t *lenp,
		 const struct rl_ng_req *req);
/*
 * A reply: checks that it starts with cookie and a space, decodes the
 * dictionary and gives "result" and "sdp" (empty when absent) and, on
 * error, "error-reason". Views into buf. Returns 0 (result "ok" or
 * "pong"), EPROTO (another result; *reasonp says why), ENOENT (another
 * cookie) or EBADMSG.
 */
int rl_ng_reply(const uint8_t *buf, size_t len, const char *cookie,
		struct pl *sdpp, struct pl *reasonp);

/* rl_stats.c: one received RTP stream. */
struct rl_rx {
	uint64_t packets;  /* received in the window */
	uint64_t stamped;  /* of those, with a send-time stamp */
	uint32_t base_seq; /* extended sequence of the first one */
	uint32_t max_seq;  /* highest extended sequence */
	uint16_t last_seq;
	uint32_t cycles;
	bool started;
	int64_t last_transit; /* ns */
	bool have_transit;
	double jitter_ns; /* RFC 3550 A.8, from stamps or timestamps */
	uint32_t clock;   /* RTP clock rate for timestamp-based jitter */
};

void rl_rx_init(struct rl_rx *rx, uint32_t clock);
/* One packet's RTP header fields and arrival time; send_ns is the stamp
 * from the payload (0: none, then the RTP timestamp is used). */
void rl_rx_packet(struct rl_rx *rx, uint16_t seq, uint32_t ts,
		  uint64_t arrival_ns, uint64_t send_ns);
/* Expected (RFC 3550 A.3: highest - first + 1) and lost (expected -
 * received, never negative). */
uint64_t rl_rx_expected(const struct rl_rx *rx);
uint64_t rl_rx_lost(const struct rl_rx *rx);

/* Writes / reads the stamp at the start of a payload. */
void rl_stamp_put(uint8_t *payload, uint64_t send_ns);
uint64_t rl_stamp_get(const uint8_t *payload, size_t len);

/* RTP header (RFC 3550 section 5.1) without CSRCs or extension: writes 12
 * bytes; rl_rtp_parse() finds the payload of any valid RTP packet. */
void rl_rtp_header(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts,
		   uint32_t ssrc);
int rl_rtp_parse(const uint8_t *p, size_t len, uint16_t *seqp, uint32_t *tsp,
		 uint8_t *ptp, size_t *payload_offp);
/* RFC 5761 section 4: an RTCP packet in an RTP/RTCP mux (PT 64..95). */
bool rl_is_rtcp(const uint8_t *p, size_t len);

/* Percentile (0..100) of v (sorted in place). 0 for n == 0. */
double rl_percentile(double *v, size_t n, double pct);

#endif
