/* media.h: the media relay as the B2BUA sees it: an engine of worker
 * threads and, per call, one session joining two legs (A and B). Each leg
 * speaks one kind of media (WebRTC, plain RTP, SDES-SRTP or DTLS-SRTP);
 * the engine rewrites the SDP of one leg for the other (sdp/), anchors both
 * media paths in its own sockets, and converts between them: DTLS-SRTP or
 * SDES-SRTP <-> RTP, and Opus <-> PCMU/PCMA when the legs share no codec.
 *
 * The interface is offer / answer / close / stats on a session, all called
 * from the signalling thread, so that it can be served over a control
 * socket later when media runs on other hosts. Events (no media, DTLS
 * failure) come back on the signalling loop.
 *
 * Errors: EINVAL caller bug, EBADMSG SDP that cannot be parsed, ENOTSUP no
 * codec or transport both legs can use (SIP 488), EADDRINUSE no free port
 * in [media] ports (SIP 503), EPROTO an offer/answer out of order.
 */
#ifndef SC_MEDIA_MEDIA_H
#define SC_MEDIA_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/core.h"
#include "net/net.h"

#define MEDIA_CODECS_MAX 8 /* codecs a leg may be configured with */

/* What a leg speaks (issue: browser side always WEBRTC; PBX side per
 * connection `media = rtp | srtp | webrtc`). */
enum media_kind {
	MEDIA_RTP,    /* RTP/AVP, RTCP on port+1 or rtcp-mux when offered */
	MEDIA_SRTP,   /* RTP/SAVP with a=crypto (SDES, RFC 4568) */
	MEDIA_WEBRTC, /* UDP/TLS/RTP/SAVPF, ICE-lite, DTLS-SRTP, rtcp-mux */
	MEDIA_ECHO,   /* no peer: what arrives on the other leg goes back */
};

/* Codecs the engine knows (codec/). */
enum media_codec {
	MEDIA_CODEC_OPUS,
	MEDIA_CODEC_PCMU,
	MEDIA_CODEC_PCMA,
};

struct media_engine_conf {
	struct sa bind;        /* address the UDP sockets bind to (port 0) */
	struct sa advertise;   /* address written in SDP (port 0); bind's
	                        * when unset */
	uint16_t port_min;     /* [media] ports, inclusive, even */
	uint16_t port_max;
	unsigned workers;      /* threads; 0: the number of cores */
	uint32_t no_media_ms;  /* silence on a leg that had media: event */
	bool plain_io;         /* a system call per datagram instead of
	                        * io_uring batches (also what a worker does
	                        * when io_uring is unavailable) */
};

/* Configuration of one leg. codecv lists the codecs this leg may get in
 * order of preference (an empty list: all three, Opus first). */
struct media_leg_conf {
	enum media_kind kind;
	enum media_codec codecv[MEDIA_CODECS_MAX];
	size_t codecc;
	bool transcode; /* allowed to transcode toward this leg */
};

enum media_leg_id {
	MEDIA_LEG_A = 0,
	MEDIA_LEG_B = 1,
};

enum media_event {
	MEDIA_EV_CONNECTED, /* a leg passed ICE/DTLS (or got its first RTP) */
	MEDIA_EV_NO_MEDIA,  /* no packet on a leg for no_media_ms */
	MEDIA_EV_FAILED,    /* DTLS handshake or fingerprint failed */
	MEDIA_EV_DTMF,      /* an RFC 4733 event ended on the leg and the
			     * other leg has no telephone-event: reason is
			     * the key ("0".."9", "*", "#", "A".."D"), for
			     * the B2BUA to send as SIP INFO */
};

/* Per-leg statistics, from real counters (RFC 3550 A.3, A.8). */
struct media_leg_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_lost;      /* expected minus received */
	uint64_t rx_dropped;   /* failed authentication, unknown source, ... */
	uint64_t rx_opus_nb;   /* transcoded Opus packets received coded
	                        * narrowband (what maxplaybackrate=8000
	                        * asked the sender for) */
	uint32_t jitter_us;    /* interarrival jitter */
	uint32_t rtt_us;       /* from RTCP LSR/DLSR; 0 unknown */
	enum media_codec codec; /* in use on this leg */
	bool transcoding;
	bool connected;
};

struct media_stats {
	struct media_leg_stats leg[2];
	uint64_t duration_ms;
	int opus_complexity; /* of the Opus encoders on the session's worker
	                      * now: 5, lowered to 3, 1, 0 while the worker
	                      * is busy (media/mload.c); -1 none */
};

struct media_engine;
struct media_session;

typedef void(media_event_h)(struct media_session *ms, enum media_leg_id leg,
                            enum media_event ev, const char *reason,
                            void *arg);

/*
 * Creates the engine: its DTLS certificate (ECDSA P-256), the worker
 * threads, the port pool. loop is the signalling loop, on which events are
 * delivered. Returns 0, EINVAL (bad conf), ENOMEM or an error of starting
 * a thread. Free with media_engine_close() then mem_deref().
 */
int media_engine_alloc(struct media_engine **mep, uv_loop_t *loop,
                       const struct media_engine_conf *conf);

/* Stops the workers (ending every session) and releases every port. */
void media_engine_close(struct media_engine *me);

/* The engine's certificate fingerprint as in a=fingerprint. */
const char *media_engine_fingerprint(const struct media_engine *me);

/* Ports in use and sessions alive (tests check that all are released). */
size_t media_engine_ports_used(const struct media_engine *me);
size_t media_engine_sessions(const struct media_engine *me);

/*
 * A session joining leg A and leg B. eh (may be NULL) gets events on the
 * signalling loop until media_session_close(). Free with mem_deref() after
 * closing.
 */
int media_session_alloc(struct media_session **msp, struct media_engine *me,
                        const struct media_leg_conf *a,
                        const struct media_leg_conf *b, media_event_h *eh,
                        void *arg);

/*
 * An offer arrived from leg `from`: parses sdp, allocates ports for both
 * legs on first use, and writes into *sdpp (a new mbuf) the offer to send
 * to the other leg. Used for the first offer and every re-offer (hold,
 * resume, codec change, ICE restart, a new DTLS role or certificate, new
 * SDES keys: docs/media.md). Errors: see the file comment.
 */
int media_offer(struct media_session *ms, enum media_leg_id from,
                const struct pl *sdp, struct mbuf **sdpp);

/*
 * The answer to the last offer arrived from leg `from` (the leg the offer
 * was sent to): writes into *sdpp the answer for the offering leg and
 * starts media with the negotiated codecs. ENOTSUP when the answer names
 * nothing usable, or a new DTLS association past MSESS_DTLS_RENEW_MAX
 * (media_offer() refuses that too when the offer asks for it). The leg that answered may answer again until the next
 * offer (a 200 OK after a 183 with SDP): media follows the new answer and
 * the o= version of *sdpp moves only if our description changed.
 */
int media_answer(struct media_session *ms, enum media_leg_id from,
                 const struct pl *sdp, struct mbuf **sdpp);

/*
 * Leg `from` made no offer (a late-offer INVITE, no SDP): writes into
 * *sdpp the offer for the other leg, as if `from` had offered every codec
 * of its configuration (session_offer.c). Then: the other leg's answer
 * (media_answer()), that answer as an offer toward `from`
 * (media_offer() from the other leg), and `from`'s answer. `from` may be
 * MEDIA_RTP, MEDIA_SRTP or MEDIA_WEBRTC: until its answer it stays
 * inactive (no keys, no DTLS; the offer toward it carries our a=crypto,
 * or our fingerprint with a=setup:actpass and ICE credentials). ENOTSUP
 * for other kinds; otherwise as media_offer().
 */
int media_offer_local(struct media_session *ms, enum media_leg_id from,
                      struct mbuf **sdpp);

/*
 * Leg `to` asked for an offer without making one (an offer-less
 * re-INVITE, RFC 3261 §14.1): writes into *sdpp an offer for it as if the
 * other leg had offered its last description again; `to`'s answer goes to
 * media_answer() and what that writes for the other leg may be dropped
 * (session_offer.c). EPROTO when an offer is pending or the other leg
 * has no description; ENOTSUP toward an echo call; else as media_offer().
 */
int media_reoffer(struct media_session *ms, enum media_leg_id to,
                  struct mbuf **sdpp);

/*
 * The pending offer was refused (a non-2xx to a re-INVITE: RFC 3261 §14.1
 * keeps the session as it was): the relay keeps the last answer's
 * parameters and a new offer may be made. EINVAL, or EPROTO when none is
 * pending.
 */
int media_offer_cancel(struct media_session *ms);

/*
 * For MEDIA_ECHO-style services: writes the answer a local endpoint would
 * give for the offer the other leg received (no SDP from a peer needed).
 * Used by the echo service (*43): the B leg is MEDIA_ECHO. For a peer leg
 * that already answered the last offer (early media, then a 200 without
 * SDP) it writes that answer again. EPROTO otherwise.
 */
int media_answer_local(struct media_session *ms, enum media_leg_id from,
                       struct mbuf **sdpp);

/*
 * Sends a key press as RFC 4733 telephone-events on leg (toward that
 * leg's peer), in the leg's own numbering, for duration_ms (40..5000):
 * what a SIP INFO with application/dtmf-relay asked for. Returns 0,
 * EINVAL (not a DTMF key), ENOTSUP (the leg negotiated no
 * telephone-event), EPROTO (no media yet), ENOMEM.
 */
int media_dtmf_send(struct media_session *ms, enum media_leg_id leg,
                    char key, uint32_t duration_ms);

/* Fills *st from the workers' counters. */
int media_stats_get(struct media_session *ms, struct media_stats *st);

/* Ends the session: sockets closed and ports released; no more events. */
void media_session_close(struct media_session *ms);

const char *media_codec_name(enum media_codec c); /* "opus", "PCMU", ... */
const char *media_kind_name(enum media_kind k);   /* "rtp", "srtp", ... */
int media_kind_decode(enum media_kind *kp, const struct pl *name);
int media_codec_decode(enum media_codec *cp, const struct pl *name);

#endif
