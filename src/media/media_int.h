/* media_int.h: internals of the relay engine shared by its files (not a
 * public interface): port pool, the engine's SDP view, negotiated leg
 * parameters, the worker-side relay and the worker queue. */
#ifndef SC_MEDIA_INT_H
#define SC_MEDIA_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <uv.h>

#include "core/core.h"
#include "media/media.h"
#include "media/rtp.h"
#include "net/net.h"
#include "sdp/sdp.h"

#define MEDIA_PKT_MAX 1500  /* largest datagram relayed */
#define MEDIA_PKT_ROOM 1600 /* receive buffer: MEDIA_PKT_MAX + SRTP tag */
#define MEDIA_VALID_MAX 4   /* ICE-checked addresses kept per leg */
#define MEDIA_RTCP_INTERVAL_MS 5000 /* RFC 3550 6.2, fixed for 2 members */
#define MEDIA_TICK_MIN_MS 10
#define MEDIA_TICK_MAX_MS 200 /* also the DTLS retransmit granularity */
#define MEDIA_WORKERS_MAX 64
#define MEDIA_CNAME_LEN 16
/* After a re-key (SDES re-offer, new DTLS association) the previous
 * receive key still takes packets this long (relay.c). */
#define MEDIA_REKEY_OVERLAP_MS 3000
/* Datagrams one readiness of a socket reads with one recvmmsg(): at 50
 * packets/s a socket rarely holds more than one; a burst beyond this
 * stays queued and the (level-triggered) poll reports it again. */
#define MEDIA_RX_BATCH 8

/* ---- mport.c: the [media] ports pool ---------------------------------- */

/* Pairs of ports (even RTP, odd RTCP); a slot is one pair. */
struct mport_pool {
	uv_mutex_t lock;
	uint16_t port_min; /* even */
	size_t slotc;
	uint8_t *used; /* one byte per slot */
	size_t next;
	size_t ports_used; /* sockets bound */
};

int mport_pool_init(struct mport_pool *pp, uint16_t port_min,
		    uint16_t port_max);
void mport_pool_destroy(struct mport_pool *pp);
/* Binds one (rtcp false) or two UDP sockets on the next free even port of
 * bind's address: fdv[0] RTP, fdv[1] RTCP or -1. EADDRINUSE when the range
 * is exhausted. The caller owns the descriptors and the slot. */
int mport_bind(struct mport_pool *pp, const struct sa *bind, bool rtcp,
	       int fdv[2], uint16_t *portp);
/* Gives back the slot of port and accounts nsock closed sockets. */
void mport_release(struct mport_pool *pp, uint16_t port, size_t nsock);
size_t mport_used(struct mport_pool *pp);

struct msrtp;
struct msess_scratch;

/* ---- negotiated parameters of one leg (session.c -> worker) ---------- */

struct mcodec_pt {
	enum media_codec codec;
	uint8_t pt;
	uint32_t rate; /* RTP clock */
};

struct mleg_params {
	enum media_kind kind;
	bool active;      /* has a negotiated remote (answer applied) */
	struct sa remote; /* RTP destination (unset: none, e.g. on hold) */
	struct sa remote_rtcp;
	bool rtcp_mux;
	enum sdp_dir dir;       /* as the remote declared it */
	struct mcodec_pt codec; /* codec used on this leg */
	uint8_t te_pt;          /* telephone-event PT, 0: none */
	uint32_t te_rate;
	uint32_t ptime;
	/* WebRTC: objects made on the signalling thread, used only by the
	 * worker, freed by the session after the worker let go. */
	struct ice_lite *ice;
	struct dtls_conn *dtls;
	bool dtls_client;
	/* SDES-SRTP: new contexts whose reference passes to the worker
	 * (NULL: keep the current ones). */
	struct msrtp *sdes_tx, *sdes_rx;
};

/* ---- relay.c: the worker-side half of a session -------------------- */

struct mrelay;
typedef void(mrelay_send_h)(struct mrelay *r, int leg, bool rtcp,
			    const uint8_t *buf, size_t len,
			    const struct sa *dst);
typedef void(mrelay_event_h)(struct mrelay *r, int leg, enum media_event ev,
			     const char *reason);

/* Output state of one leg: our own SSRC, sequence and timestamp space. */
struct mout {
	uint32_t ssrc;
	bool started;
	uint32_t in_ssrc; /* source the offsets were computed for */
	uint32_t in_rate;
	bool resync;
	uint16_t seq_off;
	uint32_t ts_off;
	uint16_t last_seq;
	uint32_t last_ts;
	uint64_t last_ms;
	uint32_t pkt_count, octet_count;
};

/* Reception state of one leg. */
struct min {
	bool have_src;
	uint32_t ssrc;
	struct rtp_seq seq;
	struct rtp_jitter jit;
	uint64_t last_rx_ms;
	bool no_media_sent;
	uint32_t lsr;    /* middle of the last SR's NTP time */
	uint64_t lsr_ms; /* when it arrived */
};

struct mleg_stats_atomic {
	atomic_uint_fast64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	atomic_uint_fast64_t rx_lost, rx_dropped, rx_opus_nb;
	atomic_uint_fast32_t jitter_us, rtt_us;
	atomic_bool connected;
};

/* A telephone-event we send ourselves on a leg (dtmf_relay.c). */
struct mdtmf_tx {
	bool active, first;
	uint8_t code;
	uint32_t ts;   /* the event's start on the leg's clock */
	uint32_t dur;  /* total, timestamp units */
	uint32_t sent; /* duration reported so far */
	int ends;      /* end packets sent */
};

struct mrelay_leg {
	struct mrelay *owner;
	int idx;
	struct mleg_params p;
	/* WebRTC state (webrtc.c) */
	struct ice_lite *ice;
	struct dtls_conn *dtls;
	bool dtls_client, dtls_started;
	struct msrtp *srtp_tx, *srtp_rx; /* in use (relay.c) */
	struct msrtp *srtp_rx_old;       /* the previous key, in overlap */
	uint64_t rx_old_until;           /* 0: from the next packet on */
	struct sa ice_dst;               /* where media goes */
	struct sa validv[MEDIA_VALID_MAX];
	size_t validc;
	bool ice_stale; /* validv/ice_dst from before an ICE restart */
	struct sa latched; /* authenticated source once latched */
	struct mout out;
	struct min in;
	struct mdtmf_tx dtx;
	uint32_t dtmf_rx_ts; /* last event reported as MEDIA_EV_DTMF */
	bool dtmf_rx_seen;
	char cname[MEDIA_CNAME_LEN + 1];
	uint64_t next_rtcp_ms;
	struct mleg_stats_atomic st;
	/* worker sockets: [0] RTP, [1] RTCP. fdv: bound by the session,
	 * handed over once; sockv: owned by the worker from MCMD_ADD until
	 * its handles are closed; open: pollv[k] initialised. */
	uv_poll_t pollv[2];
	int fdv[2];
	int sockv[2];
	uint16_t port;
	bool open[2];
};

/* Transcoding state of the packets arriving on one leg (relay_xcode.c):
 * from -> mid, and for an echo mid -> back. */
struct xcode;
struct mxc {
	struct xcode *x, *x2;
	enum media_codec from, mid, to;
	uint32_t ptime;
	uint16_t seq2;       /* input numbering of the second stage */
	struct rtp_tsmap te; /* telephone-event timestamps onto ours */
};

struct mrelay {
	struct mrelay_leg leg[2];
	struct mxc xc[2]; /* by input leg */
	uint32_t no_media_ms;
	bool echo; /* leg B is MEDIA_ECHO: leg A talks to itself */
	mrelay_send_h *sendh;
	mrelay_event_h *eventh;
	void *arg; /* the signalling session, for events */
	struct mworker *w;
	struct le le; /* in the worker's list */
	uv_timer_t tick;
	uint64_t tick_period; /* ms; 20 while a telephone-event is sent */
	int closing; /* handles still to close */
	uv_mutex_t *done_lock;
	uv_cond_t *done_cond;
	bool *done;
};

void mrelay_init(struct mrelay *r, uint32_t no_media_ms);
/* The per-packet entry point: a datagram that arrived on leg's RTP
 * (rtcp false) or RTCP socket from src at now_ms. Forwards, answers or
 * drops it; never keeps buf. */
void mrelay_input(struct mrelay *r, int leg, bool rtcp, uint8_t *buf,
		  size_t len, size_t size, const struct sa *src,
		  uint64_t now_ms);
/* Periodic work: RTCP reports, no-media detection. */
void mrelay_tick(struct mrelay *r, uint64_t now_ms);
/* New parameters for a leg (applied on the worker). */
void mrelay_set_params(struct mrelay *r, int leg, const struct mleg_params *p);

/* webrtc.c. mwebrtc_input(): 0 when buf now holds authenticated plain
 * RTP/RTCP (*lenp updated), ENODATA when the datagram was consumed (STUN,
 * DTLS), else why it is dropped. mwebrtc_protect(): ENOTCONN until keys
 * and a checked address exist. */
struct dtls_srtp_keys;
int mwebrtc_input(struct mrelay *r, int leg, uint8_t *buf, size_t *lenp,
		  const struct sa *src, uint64_t now_ms);
int mleg_protect(struct mrelay_leg *l, uint8_t *buf, size_t *lenp, size_t size,
		 bool rtcp);
/* relay.c: new SRTP contexts for leg l (each may be NULL: kept),
 * references taken; the previous receive one stays for
 * MEDIA_REKEY_OVERLAP_MS. mleg_unprotect(): SRTP or SRTCP in place with
 * the current key, else the previous one; 0, EACCES (no key of ours, or
 * forged) or an msrtp error. */
void mleg_keys_set(struct mrelay_leg *l, struct msrtp *tx, struct msrtp *rx);
int mleg_unprotect(struct mrelay_leg *l, bool rtcp, uint8_t *buf, size_t *lenp,
		   uint64_t now_ms);
/* webrtc.c: the ICE and DTLS objects of new parameters (restart, new
 * association) taken over on the worker. */
void mwebrtc_set_params(struct mrelay_leg *l, const struct mleg_params *p);
/* Where media for leg l goes: the checked ICE address (WebRTC), the
 * authenticated source once latched (SRTP), else the SDP address. */
const struct sa *mleg_dst(const struct mrelay_leg *l);
void mwebrtc_tick(struct mrelay_leg *l, uint64_t now_ms);
int mwebrtc_dtls_send(const uint8_t *buf, size_t len, void *arg);
void mwebrtc_dtls_estab(const struct dtls_srtp_keys *keys, void *arg);
void mwebrtc_dtls_close(int err, const char *reason, void *arg);

/* Sends one finished RTP packet on leg to (SRTP when WebRTC), counts. */
void mrelay_emit(struct mrelay *r, int to, uint8_t *buf, size_t len,
		 size_t size, size_t payload_len);

/* relay_xcode.c: one audio packet of leg transcoded toward leg to. */
int mxcode_audio(struct mrelay *r, int leg, int to, const struct rtp_hdr *h,
		 uint64_t now_ms);
void mxcode_free(struct mxc *xc);

/* dtmf_relay.c: RFC 4733 events sent by the gateway / reported to it */
int mdtmf_code(char digit); /* 0..15, -1 not a DTMF key */
void mdtmf_start(struct mrelay *r, int leg, uint8_t code, uint32_t dur_ms,
		 uint64_t now_ms);
void mdtmf_tick(struct mrelay *r, int leg, uint64_t now_ms);
bool mdtmf_busy(const struct mrelay *r);
void mdtmf_rx(struct mrelay *r, int leg, const struct rtp_hdr *h);

/* rtcpgen.c */
void mrtcp_consume(struct mrelay *r, int leg, const uint8_t *buf, size_t len,
		   uint64_t now_ms);
void mrtcp_send_report(struct mrelay *r, int leg, uint64_t now_ms);

/* ---- mload.c: Opus complexity from the worker's load ---------------- */

#define MLOAD_PERIOD_MS 500     /* one load window */
#define MLOAD_BUSY_HIGH_PCT 70  /* a window this busy: one level down */
#define MLOAD_BUSY_LOW_PCT 35   /* this quiet for `hold` windows: one up */
#define MLOAD_HOLD_MIN 4u       /* windows (2 s) */
#define MLOAD_HOLD_MAX 128u     /* windows (64 s) */
#define MLOAD_LEVELS_MAX 4
#define MLOAD_COMPLEXITY_MAX 10 /* libopus's range is 0..10 */

struct mload {
	int levelv[MLOAD_LEVELS_MAX]; /* complexities, highest first */
	size_t levelc;
	size_t idx;         /* the level in use */
	unsigned quiet;     /* consecutive quiet windows */
	unsigned hold;      /* quiet windows needed for a step up */
	uint32_t since_up;  /* windows since the last step up */
	uint32_t since_down; /* windows since the last step down */
};

/* Levels top, then 3, 1, 0 below it; starts at top. */
void mload_init(struct mload *ml, int top);
/* One window's busy share of a core (0..100): the complexity to use. */
int mload_update(struct mload *ml, unsigned busy_pct);
int mload_complexity(const struct mload *ml);
/* cpu over wall time as a percentage, at most 100. */
unsigned mload_busy_pct(uint64_t cpu_ns, uint64_t wall_ns);

/* ---- mio.c: a worker's socket I/O batched through io_uring ---------- */

#define MIO_RX_MAX 128     /* reads queued per loop iteration */
#define MIO_TX_MAX 256     /* sends queued per loop iteration */
#define MIO_FLUSH_TRIES 8  /* rounds of a flush that reap nothing */
/* The longest a queued send waits for the reads processed after it (a
 * batch of costly reads, e.g. DTLS handshakes or transcoding, must not
 * delay the packets it made first): 0.2 ms. A flush that has taken this
 * long also reads again the sockets that had a datagram (up to
 * MEDIA_RX_BATCH each), as a recvmmsg() would have. */
#define MIO_TX_WAIT_NS 200000u

struct mio;
/* A datagram read for relay r's leg, RTP (rtcp false) or RTCP socket. */
typedef void(mio_input_h)(struct mrelay *r, int leg, bool rtcp, uint8_t *buf,
			  size_t len, size_t size, const struct sa *src,
			  uint64_t now_ms);

struct mio_stats {
	uint64_t rx, tx;  /* datagrams read and sends queued */
	uint64_t rx_again; /* reads repeated within a long flush */
	uint64_t tx_err;  /* sends that failed (full buffer, ICMP error) */
	uint64_t enters;  /* io_uring_enter() calls */
};

/* A ring for one worker (used only on that worker's thread); inh gets
 * every datagram read. ENOSYS, EPERM etc. when io_uring is unavailable:
 * the worker then uses one system call per datagram. */
int mio_alloc(struct mio **iop, mio_input_h *inh);
/* Queues one read of fd for (r, leg, k): false when no slot is free (the
 * caller reads itself). */
bool mio_recv(struct mio *io, struct mrelay *r, int leg, int k, int fd);
/* Queues a copy of buf to dst on fd: false when no slot is free or buf
 * is too long (the caller sends itself). */
bool mio_send(struct mio *io, int fd, const uint8_t *buf, size_t len,
	      const struct sa *dst);
/* Submits what is queued and processes completions until nothing is in
 * flight (reads are handed to inh, which may queue sends). */
void mio_flush(struct mio *io, uint64_t now_ms);
/* r is closing: reads queued for it are dropped. */
void mio_forget(struct mio *io, const struct mrelay *r);
void mio_stats_get(const struct mio *io, struct mio_stats *st);

/* ---- worker.c ----------------------------------------------------- */

enum mcmd_type {
	MCMD_ADD,    /* start a relay: open its sockets */
	MCMD_PARAMS, /* new parameters for one leg */
	MCMD_CLOSE,  /* close a relay, signal done */
	MCMD_DTMF,   /* send a telephone-event on a leg */
	MCMD_STOP,   /* end the worker */
};

struct mcmd {
	struct le le;
	enum mcmd_type type;
	struct mrelay *r;
	int leg;
	struct mleg_params p;
	uint8_t dtmf_code;   /* MCMD_DTMF */
	uint32_t dtmf_ms;
};

struct mworker {
	struct media_engine *me;
	uv_thread_t thr;
	uv_loop_t loop;
	uv_async_t async;
	uv_mutex_t lock;
	struct list cmdq;
	struct list relays;
	atomic_size_t load;
	bool started;
	/* transcoders' Opus complexity from the worker's CPU (mload.c),
	 * read by relay_xcode.c on the worker; the statistic is atomic */
	struct mload ml;
	uv_timer_t load_tmr;
	uint64_t load_cpu_ns, load_wall_ns;
	int opus_complexity;
	atomic_int opus_complexity_st;
	/* io_uring batching (mio.c), NULL: a system call per datagram */
	struct mio *io;
	uv_prepare_t io_prep;
	uv_check_t io_check;
	/* one recvmmsg() worth of datagrams, their sources and headers */
	uint8_t rxbuf[MEDIA_RX_BATCH][MEDIA_PKT_ROOM];
	struct sockaddr_storage rxsrc[MEDIA_RX_BATCH];
	struct iovec rxiov[MEDIA_RX_BATCH];
	struct mmsghdr rxmsg[MEDIA_RX_BATCH];
};

int mworker_start(struct mworker *w, struct media_engine *me);
void mworker_stop(struct mworker *w);
/* Queues a command (taking ownership of cmd) and wakes the worker. */
void mworker_post(struct mworker *w, struct mcmd *cmd);
/* Closes r on its worker and waits until its sockets are released. */
void mworker_close_sync(struct mworker *w, struct mrelay *r);

/* ---- engine.c ----------------------------------------------------- */

struct media_engine {
	uv_loop_t *loop;
	struct media_engine_conf conf;
	struct mport_pool ports;
	struct mworker *workerv;
	unsigned workerc;
	unsigned rr;
	atomic_size_t sessions;
	uv_async_t *evasync; /* own allocation: outlives me while closing */
	uv_mutex_t evlock;
	struct list evq;
	struct list sessl; /* signalling-side sessions */
	struct dtls_ctx *dtls;
	bool closed;
	char fp[160];
	/* offer/answer work space, made on first use and reused: signalling
	 * thread only (session_sdp_out.c) */
	struct msess_scratch *scratch;
};

/* Called on a worker: queue an event for the signalling loop. */
void media_engine_event_post(struct media_engine *me, void *sess, int leg,
			     enum media_event ev, const char *reason);
/* Drops queued events of a session being closed. */
void media_engine_event_flush(struct media_engine *me, void *sess);
void media_engine_session_deliver(void *sess, int leg, enum media_event ev,
				  const char *reason);
struct mworker *media_engine_pick_worker(struct media_engine *me);
uint32_t media_codec_rate(enum media_codec c);

#endif
