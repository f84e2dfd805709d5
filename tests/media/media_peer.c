/* media_peer.c: the far side of the browser media test. Reads a browser's
 * SDP offer on stdin, runs it through the media engine (leg A WebRTC, leg
 * B plain RTP) and plays the RTP peer on leg B itself: answers with its
 * own SDP, echoes every RTP packet back, and checks that what arrives is
 * G.711 carrying the test tone. Prints two JSON lines on stdout:
 *   {"answer":"<SDP for the browser>"}
 *   {"packets":N,"pt":P,"tone":T,"off":O,"ratio":R,"a_rx":..,"a_tx":..}
 * Usage: media_peer pcmu|opus SECONDS [TONE_HZ]
 * (pcmu: the browser leg may use PCMU, so media passes through; opus: the
 * browser leg is Opus only, so the relay transcodes Opus <-> PCMU.) */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "codec/codec.h"
#include "codec/xcode.h"
#include "media/media.h"
#include "media/rtp.h"

#define PEER_SDP_MAX 65536
#define PEER_PCM_MAX (8000 * 30) /* 30 s of 8 kHz audio */
#define PEER_OFF_HZ 1700.0
#define PEER_PORT_MIN 42000
#define PEER_PORT_MAX 42199

struct peer {
	int fd;
	uint16_t port;
	uint16_t engine_port;
	int16_t *pcm;
	size_t pcmc;
	unsigned packets;
	int pt;
	uint16_t seq;
};

static void json_str(const char *key, const uint8_t *p, size_t n)
{
	size_t i;

	printf("{\"%s\":\"", key);
	for (i = 0; i < n; i++) {
		if (p[i] == '\r')
			fputs("\\r", stdout);
		else if (p[i] == '\n')
			fputs("\\n", stdout);
		else if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else
			putchar(p[i]);
	}
	printf("\"}\n");
	fflush(stdout);
}

static int peer_open(struct peer *p)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(p->fd, (struct sockaddr *)&a, &al))
		return errno;
	p->port = ntohs(a.sin_port);
	return 0;
}

static uint16_t sdp_port(const struct mbuf *mb)
{
	char *s = calloc(1, mb->end + 1), *m;
	unsigned port = 0;

	if (!s)
		return 0;
	memcpy(s, mb->buf, mb->end);
	m = strstr(s, "m=audio ");
	if (m)
		sscanf(m, "m=audio %u", &port);
	free(s);
	return (uint16_t)port;
}

/* One datagram from the engine: keep the audio, echo it back. */
static void peer_rx(struct peer *p)
{
	uint8_t buf[2048];
	struct sockaddr_in a;
	struct rtp_hdr h;
	ssize_t n = recv(p->fd, buf, sizeof(buf), 0);
	size_t k;

	if (n <= 0 || rtp_is_rtcp(buf, (size_t)n) ||
	    rtp_hdr_decode(&h, buf, (size_t)n))
		return;
	p->packets++;
	p->pt = h.pt;
	if (h.pt == 0) {
		k = SC_MIN(h.payload_len, PEER_PCM_MAX - p->pcmc);
		g711_ulaw_decode(p->pcm + p->pcmc, h.payload, k);
		p->pcmc += k;
	}
	/* The echo: our own source, same payload. */
	h.ssrc = 0x0ec0ec0e;
	h.seq = p->seq++;
	h.cc = 0;
	h.extension = false;
	if (rtp_hdr_encode(buf, 12, &k, &h))
		return;
	memmove(buf + k, h.payload, h.payload_len);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(p->engine_port);
	(void)sendto(p->fd, buf, k + h.payload_len, 0, (struct sockaddr *)&a,
		     sizeof(a));
}

static int run(int argc, char **argv)
{
	static char offer[PEER_SDP_MAX];
	struct media_leg_conf a = {.kind = MEDIA_WEBRTC, .transcode = true};
	struct media_leg_conf b = {.kind = MEDIA_RTP,
				   .codecv = {MEDIA_CODEC_PCMU},
				   .codecc = 1,
				   .transcode = true};
	struct media_engine_conf conf;
	struct media_engine *me = NULL;
	struct media_session *ms = NULL;
	struct media_stats st;
	struct mbuf *mb = NULL;
	struct peer p;
	uv_loop_t loop;
	char sdp[512];
	struct pl pl;
	double hz = argc > 3 ? atof(argv[3]) : 1000.0, on = 0, off = 0;
	long secs = atol(argv[2]);
	size_t n = 0, r;
	uint64_t end;
	int err;

	memset(&p, 0, sizeof(p));
	if (!strcmp(argv[1], "opus")) {
		a.codecv[0] = MEDIA_CODEC_OPUS;
		a.codecc = 1;
	}
	while (n < sizeof(offer) - 1 &&
	       (r = fread(offer + n, 1, sizeof(offer) - 1 - n, stdin)) > 0)
		n += r;
	offer[n] = '\0';
	p.pcm = calloc(PEER_PCM_MAX, sizeof(*p.pcm));
	if (!p.pcm || peer_open(&p))
		return 1;
	memset(&conf, 0, sizeof(conf));
	sa_set(&conf.bind, "127.0.0.1", 0);
	conf.port_min = PEER_PORT_MIN;
	conf.port_max = PEER_PORT_MAX;
	conf.workers = 1;
	uv_loop_init(&loop);
	err = media_engine_alloc(&me, &loop, &conf);
	if (!err)
		err = media_session_alloc(&ms, me, &a, &b, NULL, NULL);
	pl_set_str(&pl, offer);
	if (!err)
		err = media_offer(ms, MEDIA_LEG_A, &pl, &mb);
	if (err) {
		fprintf(stderr, "media_peer: offer: %s\n", strerror(err));
		return 1;
	}
	p.engine_port = sdp_port(mb);
	mb = mem_deref(mb);
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 0 101\r\n"
		 "a=rtpmap:101 telephone-event/8000\r\n",
		 p.port);
	pl_set_str(&pl, sdp);
	err = media_answer(ms, MEDIA_LEG_B, &pl, &mb);
	if (err) {
		fprintf(stderr, "media_peer: answer: %s\n", strerror(err));
		return 1;
	}
	json_str("answer", mb->buf, mb->end);
	mb = mem_deref(mb);
	end = uv_hrtime() / 1000000 + (uint64_t)secs * 1000;
	while (uv_hrtime() / 1000000 < end) {
		struct pollfd pfd = {.fd = p.fd, .events = POLLIN};

		if (poll(&pfd, 1, 5) > 0)
			peer_rx(&p);
		uv_run(&loop, UV_RUN_NOWAIT);
	}
	if (p.pcmc >= 1600) {
		/* Skip the first half second (codec and level start-up). */
		size_t skip = SC_MIN((size_t)4000, p.pcmc / 2);

		on = codec_goertzel(p.pcm + skip, p.pcmc - skip, 8000, hz);
		off = codec_goertzel(p.pcm + skip, p.pcmc - skip, 8000,
				     PEER_OFF_HZ);
	}
	media_stats_get(ms, &st);
	printf("{\"packets\":%u,\"pt\":%d,\"tone\":%.6f,\"off\":%.6f,"
	       "\"ratio\":%.1f,\"a_rx\":%llu,\"a_tx\":%llu,"
	       "\"a_dropped\":%llu,\"a_opus_nb\":%llu,\"transcoding\":%s}\n",
	       p.packets, p.pt, on, off, off > 0 ? on / off : on * 1e9,
	       (unsigned long long)st.leg[0].rx_packets,
	       (unsigned long long)st.leg[0].tx_packets,
	       (unsigned long long)st.leg[0].rx_dropped,
	       (unsigned long long)st.leg[0].rx_opus_nb,
	       st.leg[0].transcoding ? "true" : "false");
	fflush(stdout);
	media_session_close(ms);
	mem_deref(ms);
	media_engine_close(me);
	mem_deref(me);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	close(p.fd);
	free(p.pcm);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "pcmu") && strcmp(argv[1], "opus"))) {
		fprintf(stderr, "usage: media_peer pcmu|opus SECONDS [HZ]\n");
		return 2;
	}
	return run(argc, argv);
}
