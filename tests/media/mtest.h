/* mtest.h: helpers of the engine tests: a signalling loop, plain UDP
 * peers on 127.0.0.1, RTP packets and SDP bodies. */
#ifndef SC_TEST_MTEST_H
#define SC_TEST_MTEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "media/media.h"
#include "media/rtp.h"
#include "testutil.h"

#define MT_PORT_MIN 41000
#define MT_PORT_MAX 41099
#define MT_WAIT_MS 2000

struct mt_peer {
	int fd;
	uint16_t port;
	struct sa addr;
};

struct mt_events {
	unsigned count[3][2]; /* [event][leg] */
};

static inline void mt_event_h(struct media_session *ms, enum media_leg_id leg,
                              enum media_event ev, const char *reason,
                              void *arg)
{
	struct mt_events *e = arg;

	(void)ms;
	(void)reason;
	e->count[ev][leg]++;
}

static inline void mt_peer_open(struct mt_peer *p)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(p->fd >= 0);
	assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(p->fd, (struct sockaddr *)&a, &al), 0);
	p->port = ntohs(a.sin_port);
	assert_int_equal(sa_set(&p->addr, "127.0.0.1", p->port), 0);
}

static inline void mt_peer_close(struct mt_peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static inline void mt_send(struct mt_peer *p, uint16_t port,
                           const uint8_t *buf, size_t len)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	assert_int_equal(sendto(p->fd, buf, len, 0, (struct sockaddr *)&a,
	                        sizeof(a)),
	                 (ssize_t)len);
}

/* Receives one datagram within ms; returns its length or -1. */
static inline ssize_t mt_recv(struct mt_peer *p, uint8_t *buf, size_t size,
                              int ms)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	return recv(p->fd, buf, size, 0);
}

/* Receives the next RTP packet (skipping RTCP) within ms. */
static inline ssize_t mt_recv_rtp(struct mt_peer *p, uint8_t *buf,
                                  size_t size, int ms)
{
	ssize_t n;

	for (;;) {
		n = mt_recv(p, buf, size, ms);
		if (n < 0 || !rtp_is_rtcp(buf, (size_t)n))
			return n;
	}
}

static inline size_t mt_rtp(uint8_t *buf, uint8_t pt, uint16_t seq,
                            uint32_t ts, uint32_t ssrc, uint8_t fill,
                            size_t plen)
{
	struct rtp_hdr h;
	size_t n;

	memset(&h, 0, sizeof(h));
	h.pt = pt;
	h.seq = seq;
	h.ts = ts;
	h.ssrc = ssrc;
	assert_int_equal(rtp_hdr_encode(buf, 64, &n, &h), 0);
	memset(buf + n, fill, plen);
	return n + plen;
}

static inline void mt_sdp(char *buf, size_t size, uint16_t port,
                          const char *fmts, const char *extra)
{
	snprintf(buf, size,
	         "v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	         "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	         "m=audio %u RTP/AVP %s\r\n"
	         "a=rtpmap:101 telephone-event/8000\r\n%s",
	         port, fmts, extra ? extra : "");
}

static inline uint16_t mt_sdp_port(const struct mbuf *mb)
{
	const char *m;
	unsigned port = 0;
	char *s = calloc(1, mb->end + 1);

	assert_non_null(s);
	memcpy(s, mb->buf, mb->end);
	m = strstr(s, "m=audio ");
	if (m)
		sscanf(m, "m=audio %u", &port);
	free(s);
	return (uint16_t)port;
}

static inline bool mt_sdp_has(const struct mbuf *mb, const char *needle)
{
	char *s = calloc(1, mb->end + 1);
	bool found;

	assert_non_null(s);
	memcpy(s, mb->buf, mb->end);
	found = strstr(s, needle) != NULL;
	free(s);
	return found;
}

/* Runs the signalling loop until *flag is non-zero or ms passed. */
static inline void mt_run_until(uv_loop_t *loop, const unsigned *flag,
                                int ms)
{
	int i;

	for (i = 0; i < ms && !*flag; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
}

static inline void mt_engine(struct media_engine **mep, uv_loop_t *loop,
                             uint32_t no_media_ms)
{
	struct media_engine_conf c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(sa_set(&c.bind, "127.0.0.1", 0), 0);
	c.port_min = MT_PORT_MIN;
	c.port_max = MT_PORT_MAX;
	c.workers = 2;
	c.no_media_ms = no_media_ms;
	assert_int_equal(uv_loop_init(loop), 0);
	assert_int_equal(media_engine_alloc(mep, loop, &c), 0);
}

static inline void mt_engine_free(struct media_engine *me, uv_loop_t *loop)
{
	media_engine_close(me);
	mem_deref(me);
	uv_run(loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(loop), 0);
}

#endif
