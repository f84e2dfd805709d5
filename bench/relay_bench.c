/* relay_bench.c: what one media worker can relay. Two measurements:
 *
 *  1. path: the per-packet function (mrelay_input) alone, thread CPU time
 *     per 20 ms PCMU packet, for RTP -> RTP, RTP -> SRTP (toward a
 *     browser: rewrite + protect), SRTP -> RTP (from a browser:
 *     unprotect + rewrite) with AEAD_AES_128_GCM and AES_CM_128_HMAC_
 *     SHA1_80 (the SRTP of DTLS-SRTP; keying is not per packet), and
 *     Opus -> PCMU transcoding.
 *  2. sockets: one engine with one worker, a session RTP <-> SDES-SRTP on
 *     127.0.0.1; a sender thread offers packets at full speed for a few
 *     seconds and a receiver counts what the engine delivered: packets per
 *     second through the worker, syscalls included.
 *
 * Usage: relay_bench [SECONDS] (socket run length, default 3). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "codec/codec.h"
#include "codec/xcode.h"
#include "media/media_int.h"
#include "media/srtp.h"

#define BATCH 20000
#define ROUNDS 5

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nop_send(struct mrelay *r, int leg, bool rtcp, const uint8_t *buf,
		     size_t len, const struct sa *dst)
{
	(void)leg;
	(void)rtcp;
	(void)dst;
	r->no_media_ms += (uint32_t)(buf[len - 1] & 1); /* keep the work */
}

static const uint8_t key[16] = {7, 1, 2,  3,  4,  5,  6,  7,
				8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t salt[14] = {3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};

static void leg_set(struct mrelay *r, int i, enum media_kind kind,
		    enum media_codec c, uint8_t pt)
{
	struct mleg_params p;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.active = true;
	p.dir = SDP_SENDRECV;
	p.codec.codec = c;
	p.codec.pt = pt;
	p.codec.rate = c == MEDIA_CODEC_OPUS ? 48000 : 8000;
	p.ptime = 20;
	sa_set(&p.remote, "127.0.0.1", (uint16_t)(5000 + 10 * i));
	sa_set(&p.remote_rtcp, "127.0.0.1", (uint16_t)(5001 + 10 * i));
	p.rtcp_mux = kind == MEDIA_WEBRTC;
	mrelay_set_params(r, i, &p);
	if (kind == MEDIA_WEBRTC) {
		sa_set(&r->leg[i].ice_dst, "127.0.0.1", (uint16_t)(6000 + i));
		r->leg[i].validv[0] = r->leg[i].ice_dst;
		r->leg[i].validc = 1;
	}
}

/* ns per packet of leg `in` relayed to the other leg. */
static double path_run(enum media_kind ka, enum media_kind kb,
		       enum msrtp_profile prof, bool opus_in)
{
	static uint8_t pkts[BATCH][256];
	static size_t lens[BATCH];
	struct msrtp *enc = NULL;
	struct xcode *oenc = NULL;
	struct mrelay r;
	struct sa src;
	uint8_t buf[MEDIA_PKT_ROOM];
	double best = 1e9;
	int i, k;

	mrelay_init(&r, 0);
	r.sendh = nop_send;
	leg_set(&r, 0, ka, opus_in ? MEDIA_CODEC_OPUS : MEDIA_CODEC_PCMU,
		opus_in ? 111 : 0);
	leg_set(&r, 1, kb, MEDIA_CODEC_PCMU, 0);
	msrtp_alloc(&r.leg[0].srtp_rx, prof, key, salt + 0);
	msrtp_alloc(&r.leg[1].srtp_tx, prof, key, salt);
	msrtp_alloc(&enc, prof, key, salt);
	if (opus_in)
		xcode_alloc(&oenc, CODEC_PCMU, CODEC_OPUS, NULL);
	if (ka == MEDIA_WEBRTC)
		src = r.leg[0].ice_dst;
	else
		src = r.leg[0].p.remote;
	for (k = 0; k < ROUNDS; k++) {
		double t0, t;

		/* Fresh input each round (SRTP replay protection). */
		for (i = 0; i < BATCH; i++) {
			struct rtp_hdr h;
			size_t n, plen = 160;
			uint8_t pay[XCODE_OUT_MAX];
			uint32_t seq = (uint32_t)k * BATCH + (uint32_t)i;

			memset(&h, 0, sizeof(h));
			h.pt = opus_in ? 111 : 0;
			h.seq = (uint16_t)seq;
			h.ts = seq * (opus_in ? 960 : 160);
			h.ssrc = 0x1234;
			rtp_hdr_encode(pkts[i], 64, &n, &h);
			memset(pay, 0x55, 160);
			if (opus_in) {
				uint32_t ots;

				xcode_push(oenc, pay, 160, (uint16_t)seq,
					   seq * 160);
				if (xcode_pull(oenc, pay, sizeof(pay), &plen,
					       &ots))
					plen = 0;
			}
			memcpy(pkts[i] + n, pay, plen);
			lens[i] = n + plen;
			if (ka == MEDIA_WEBRTC)
				msrtp_protect(enc, pkts[i], &lens[i], 256);
		}
		t0 = cpu_now();
		for (i = 0; i < BATCH; i++) {
			memcpy(buf, pkts[i], lens[i]);
			mrelay_input(&r, 0, false, buf, lens[i], sizeof(buf),
				     &src, 1000 + (uint64_t)i * 20);
		}
		t = (cpu_now() - t0) / BATCH * 1e9;
		if (t < best)
			best = t;
	}
	if (atomic_load(&r.leg[0].st.rx_dropped))
		fprintf(
		    stderr, "relay_bench: %llu dropped\n",
		    (unsigned long long)atomic_load(&r.leg[0].st.rx_dropped));
	mem_deref(enc);
	mem_deref(oenc);
	mem_deref(r.leg[0].srtp_rx);
	mem_deref(r.leg[1].srtp_tx);
	mxcode_free(&r.xc[0]);
	return best;
}

/* ---- 2. through sockets and one worker -------------------------------- */

struct sender {
	int fd;
	uint16_t port;
	int secs;
	uint64_t sent;
};

static int udp_open(uint16_t *portp)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int big = 8 << 20;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &al))
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	*portp = ntohs(a.sin_port);
	return fd;
}

static void sender_main(void *arg)
{
	struct sender *s = arg;
	struct sockaddr_in a;
	uint8_t pkt[172];
	uint64_t end = uv_hrtime() + (uint64_t)s->secs * 1000000000u;
	struct rtp_hdr h;
	size_t n;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(s->port);
	memset(&h, 0, sizeof(h));
	h.ssrc = 0x5e4d;
	memset(pkt, 0x55, sizeof(pkt));
	while (uv_hrtime() < end) {
		h.seq = (uint16_t)s->sent;
		h.ts = (uint32_t)s->sent * 160;
		rtp_hdr_encode(pkt, sizeof(pkt), &n, &h);
		if (sendto(s->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&a,
			   sizeof(a)) == (ssize_t)sizeof(pkt))
			s->sent++;
	}
}

static uint16_t sdp_port(const struct mbuf *mb)
{
	const char *m = memmem(mb->buf, mb->end, "m=audio ", 8);
	unsigned port = 0;

	if (m)
		sscanf(m, "m=audio %u", &port);
	return (uint16_t)port;
}

static int sock_bench(int secs)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP};
	struct media_leg_conf b = {.kind = MEDIA_SRTP};
	struct media_engine_conf conf;
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct media_stats st;
	struct mbuf *mb = NULL;
	struct sender snd;
	uv_thread_t thr;
	uv_loop_t loop;
	uint16_t rport;
	int rfd;
	char sdp[512];
	struct pl pl;
	uint64_t got = 0, end;
	uint8_t buf[2048];
	int err;

	memset(&snd, 0, sizeof(snd));
	snd.secs = secs;
	snd.fd = udp_open(&snd.port);
	rfd = udp_open(&rport);
	memset(&conf, 0, sizeof(conf));
	sa_set(&conf.bind, "127.0.0.1", 0);
	conf.port_min = 43000;
	conf.port_max = 43099;
	conf.workers = 1;
	uv_loop_init(&loop);
	err = media_engine_alloc(&me, &loop, &conf);
	err = err ? err : media_session_alloc(&ms, me, &a, &b, NULL, NULL);
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n",
		 snd.port);
	pl_set_str(&pl, sdp);
	err = err ? err : media_offer(ms, MEDIA_LEG_A, &pl, &mb);
	mb = mem_deref(mb);
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/SAVP 0\r\n"
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		 "inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw\r\n",
		 rport);
	pl_set_str(&pl, sdp);
	err = err ? err : media_answer(ms, MEDIA_LEG_B, &pl, &mb);
	if (err || snd.fd < 0 || rfd < 0) {
		fprintf(stderr, "relay_bench: set-up failed: %d\n", err);
		return 1;
	}
	snd.port = sdp_port(mb);
	mb = mem_deref(mb);
	uv_thread_create(&thr, sender_main, &snd);
	end = uv_hrtime() + ((uint64_t)secs * 1000 + 300) * 1000000u;
	while (uv_hrtime() < end) {
		struct pollfd pfd = {.fd = rfd, .events = POLLIN};

		if (poll(&pfd, 1, 10) > 0)
			while (recv(rfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				got++;
	}
	uv_thread_join(&thr);
	media_stats_get(ms, &st);
	printf(
	    "sockets, one worker, RTP -> SDES-SRTP (AES_CM_80), %d s:\n"
	    "  offered %.0f pkt/s, relayed %.0f pkt/s (%.1f %%), "
	    "received %.0f pkt/s\n",
	    secs, (double)snd.sent / secs, (double)st.leg[1].tx_packets / secs,
	    snd.sent ? 100.0 * (double)st.leg[1].tx_packets / (double)snd.sent
		     : 0.0,
	    (double)got / secs);
	media_session_close(ms);
	mem_deref(ms);
	media_engine_close(me);
	mem_deref(me);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	close(snd.fd);
	close(rfd);
	return 0;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 3;

	printf("relay path, thread CPU per 160-byte PCMU packet (best of %d x "
	       "%d):\n",
	       ROUNDS, BATCH);
	printf("  RTP -> RTP                      %7.0f ns\n",
	       path_run(MEDIA_RTP, MEDIA_RTP, MSRTP_AEAD_AES_128_GCM, false));
	printf(
	    "  RTP -> SRTP (AEAD_AES_128_GCM)  %7.0f ns\n",
	    path_run(MEDIA_RTP, MEDIA_WEBRTC, MSRTP_AEAD_AES_128_GCM, false));
	printf(
	    "  SRTP (GCM) -> RTP               %7.0f ns\n",
	    path_run(MEDIA_WEBRTC, MEDIA_RTP, MSRTP_AEAD_AES_128_GCM, false));
	printf(
	    "  RTP -> SRTP (AES_CM_80)         %7.0f ns\n",
	    path_run(MEDIA_RTP, MEDIA_WEBRTC, MSRTP_AES128_CM_SHA1_80, false));
	printf(
	    "  SRTP (AES_CM_80) -> RTP         %7.0f ns\n",
	    path_run(MEDIA_WEBRTC, MEDIA_RTP, MSRTP_AES128_CM_SHA1_80, false));
	printf("  SRTP Opus -> RTP PCMU (GCM)*    %7.0f ns\n",
	       path_run(MEDIA_WEBRTC, MEDIA_RTP, MSRTP_AEAD_AES_128_GCM, true));
	printf("  * the Opus input is a constant signal: a lower bound for a "
	       "transcoded packet\n");
	return sock_bench(secs);
}
