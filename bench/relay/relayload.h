/* relayload.h: the engine of relayload (the media relay load generator):
 * N simulated browser calls, each with a browser leg (ICE checks, DTLS
 * client, SRTP at 50 packets/s) and a plain RTP peer leg (50 packets/s),
 * on one epoll loop. Loopback only. */
#ifndef SC_BENCH_RELAYLOAD_H
#define SC_BENCH_RELAYLOAD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "media/srtp.h"
#include "rl.h"
#include "stun/stun.h"
#include "tls/dtls.h"

#define RL_PTIME_NS 20000000ull       /* 20 ms: 50 packets/s */
#define RL_PCMU_BYTES 160             /* 20 ms of PCMU */
#define RL_CHECK_NS 50000000ull       /* ICE check pacing until success */
#define RL_CONSENT_NS 5000000000ull   /* consent freshness (RFC 7675) */
#define RL_LATE_RESET_NS 200000000ull /* a sender this late restarts */
#define RL_GAP_NS 10000000ull         /* a tick this late is counted */
#define RL_PKT_MAX 1500
#define RL_OPUS_FRAMES 50 /* 1 s of Opus, sent in a loop */
#define RL_OPUS_MAX 400

enum rl_state {
	RL_IDLE,
	RL_ICE,   /* checks sent, waiting for a success response */
	RL_DTLS,  /* handshake running */
	RL_MEDIA, /* SRTP keys known: media both ways */
	RL_FAILED,
};

struct rl_run;

struct rl_call {
	struct rl_run *run;
	unsigned idx;
	enum rl_state state;
	const char *why; /* failure reason (static string) */
	int bfd, pfd;    /* browser and peer sockets */
	uint16_t bport, pport;
	char ufrag[16], pwd[32];
	char rufrag[RL_UFRAG_MAX];
	struct stun_hmac *lkey, *rkey; /* our / the relay's ICE password */
	struct sockaddr_in relay_a, relay_b; /* relay's browser / peer side */
	bool peer_known;
	bool dtls_client;
	char rfp[RL_FP_MAX];
	struct dtls_conn *dc;
	struct msrtp *tx, *rx;
	enum msrtp_profile profile;
	uint8_t tid[STUN_TID_SIZE];
	uint64_t next_check, next_up, next_down;
	uint64_t t_check0, t_ice, t_dtls0, t_dtls1, t_media; /* ns, 0 unset */
	uint16_t up_seq, down_seq;
	uint32_t up_ts, down_ts, up_ssrc, down_ssrc;
	uint64_t tx_up, tx_down;     /* sent while measuring */
	struct rl_rx rx_up, rx_down; /* at the peer / at the browser */
	uint64_t rtcp_rx, stun_rx, bad_rx, late;
	uint64_t wrong_pt; /* media in a codec the receiver did not expect */
	bool opus_nb;      /* the relay asked for narrowband Opus */
};

struct rl_run {
	int epfd;
	struct dtls_ctx *dtls;
	struct rl_call *callv;
	unsigned callc;
	bool transcode;
	bool plain;     /* browser leg plain RTP (baseline without SRTP) */
	bool measuring; /* counters run between T0 and T1 */
	bool sending;   /* media senders on */
	uint8_t opusv[RL_OPUS_FRAMES][RL_OPUS_MAX];
	size_t opus_lenv[RL_OPUS_FRAMES];
	/* the same signal coded narrowband (OPUS_SET_MAX_BANDWIDTH), as
	 * Chrome sends it to a receiver asking maxplaybackrate=8000 */
	uint8_t opus_nbv[RL_OPUS_FRAMES][RL_OPUS_MAX];
	size_t opus_nb_lenv[RL_OPUS_FRAMES];
	uint64_t dtls_failed;
	uint64_t gap_max_ns; /* longest time between two ticks (measuring) */
	uint64_t gaps;       /* ticks later than RL_GAP_NS (measuring) */
};

/* Monotonic time for schedules and setup times; wall-clock time for the
 * payload stamps, which are compared with the kernel's receive
 * timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME) so that relayload's own
 * scheduling delays on receive do not count as jitter the relay added. */
uint64_t rl_now_ns(void);
uint64_t rl_wall_ns(void);

/* rl_call.c */
int rl_call_open(struct rl_call *c, struct rl_run *run, unsigned idx);
void rl_call_close(struct rl_call *c);
/* After signalling: the relay's SDP toward the browser and toward the
 * peer. Returns 0 or EBADMSG. */
int rl_call_set_relay(struct rl_call *c, const struct pl *sdp_a,
		      const struct pl *sdp_b);
/* Starts ICE (and, when done, DTLS). */
void rl_call_start(struct rl_call *c, uint64_t now);
/* Timers: checks, DTLS retransmission, media senders. */
void rl_call_tick(struct rl_call *c, uint64_t now);
/* A socket of c is readable. */
void rl_call_readable(struct rl_call *c, int fd);
/* Counters reset at the start of the measured window. */
void rl_call_window(struct rl_call *c);

/* rl_opus.c: 1 s of Opus (48 kHz, VoIP, 20 ms) of a voice-like signal. */
int rl_opus_frames(struct rl_run *run);

/* rl_report.c: prints the result line (see BENCHMARKS.md) for a window of
 * window_s seconds in which the relay used relay_cpu_s CPU seconds
 * (setup_cpu_s during setup, self_cpu_s for relayload itself). */
void rl_report(const struct rl_run *run, double window_s, double relay_cpu_s,
	       double setup_cpu_s, double self_cpu_s, double max_loss_pct,
	       double max_jitter_ms);

#endif
