/* rl_call.c: one simulated call of relayload: the browser leg does what
 * Chrome does toward a relay (ICE checks as the controlling agent with
 * USE-CANDIDATE, RFC 8445 section 7.2; answers the relay's own checks when
 * it is a full agent; DTLS 1.2 with use_srtp, RFC 5764; SRTP at 50
 * packets/s) and the peer leg is a plain RTP endpoint sending 50 packets/s
 * and counting what arrives. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relayload.h"

#define RL_PRIORITY 0x6e7f1effu /* host candidate, RFC 8445 5.1.2.1 */
#define RL_RCVBUF (256 * 1024)

static int udp_open(uint16_t *portp)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);
	int fd, rcv = RL_RCVBUF, one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* kernel receive times: see rl_wall_ns() */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl)) {
		close(fd);
		return -1;
	}
	*portp = ntohs(sin.sin_port);
	return fd;
}

static int watch(struct rl_call *c, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN};

	/* the call's index and which of its two sockets */
	ev.data.u64 = (uint64_t)c->idx << 1 | (fd == c->pfd);
	return epoll_ctl(c->run->epfd, EPOLL_CTL_ADD, fd, &ev) ? errno : 0;
}

int rl_call_open(struct rl_call *c, struct rl_run *run, unsigned idx)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->run = run;
	c->idx = idx;
	c->bfd = c->pfd = -1;
	rand_token(c->ufrag, sizeof(c->ufrag) - 8); /* 7 chars */
	rand_token(c->pwd, 25);                     /* 24 chars */
	c->up_ssrc = rand_u32();
	c->down_ssrc = rand_u32();
	c->up_seq = (uint16_t)rand_u32();
	c->down_seq = (uint16_t)rand_u32();
	c->up_ts = rand_u32();
	c->down_ts = rand_u32();
	err =
	    stun_hmac_alloc(&c->lkey, (const uint8_t *)c->pwd, strlen(c->pwd));
	if (err)
		return err;
	c->bfd = udp_open(&c->bport);
	c->pfd = udp_open(&c->pport);
	if (c->bfd < 0 || c->pfd < 0)
		return errno ? errno : EMFILE;
	err = watch(c, c->bfd);
	if (!err)
		err = watch(c, c->pfd);
	rl_rx_init(&c->rx_up, 8000);
	rl_rx_init(&c->rx_down, run->transcode ? 48000 : 8000);
	return err;
}

void rl_call_close(struct rl_call *c)
{
	if (c->bfd >= 0)
		close(c->bfd);
	if (c->pfd >= 0)
		close(c->pfd);
	c->bfd = c->pfd = -1;
	c->dc = mem_deref(c->dc);
	c->tx = mem_deref(c->tx);
	c->rx = mem_deref(c->rx);
	c->lkey = mem_deref(c->lkey);
	c->rkey = mem_deref(c->rkey);
}

static int to_sin(struct sockaddr_in *sin, const struct rl_sdp_info *in)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(in->port);
	if (inet_pton(AF_INET, in->addr, &sin->sin_addr) != 1)
		return EBADMSG;
	/* loopback only: the benchmark never sends anywhere else */
	if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
		return EBADMSG;
	return 0;
}

int rl_call_set_relay(struct rl_call *c, const struct pl *sdp_a,
		      const struct pl *sdp_b)
{
	struct rl_sdp_info a, b;
	int err;

	err = rl_sdp_parse(&a, sdp_a);
	if (!err)
		err = rl_sdp_parse(&b, sdp_b);
	if (!err)
		err = to_sin(&c->relay_a, &a);
	if (!err)
		err = to_sin(&c->relay_b, &b);
	if (err)
		return err;
	c->peer_known = true;
	if (c->run->plain)
		return 0;
	if (!a.ufrag[0] || !a.pwd[0] || !a.fp[0])
		return EBADMSG;
	memcpy(c->rufrag, a.ufrag, sizeof(c->rufrag));
	/* Chrome (libwebrtc) codes narrowband when the answer's
	 * maxplaybackrate is 8000 or less: so does our browser. */
	c->opus_nb = a.opus_nb;
	memcpy(c->rfp, a.fp, sizeof(c->rfp));
	/* RFC 8842 section 5: the answerer's a=setup:active makes it the
	 * DTLS client; passive (or anything else) leaves that to us */
	c->dtls_client = strcmp(a.setup, "active") != 0;
	c->peer_known = true;
	return stun_hmac_alloc(&c->rkey, (const uint8_t *)a.pwd, strlen(a.pwd));
}

static void fail(struct rl_call *c, const char *why)
{
	if (c->state != RL_FAILED) {
		c->state = RL_FAILED;
		c->why = why;
	}
}

static void send_to(int fd, const struct sockaddr_in *to, const void *p,
		    size_t n)
{
	(void)sendto(fd, p, n, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void send_check(struct rl_call *c)
{
	uint8_t buf[256];
	char user[RL_UFRAG_MAX + 20];
	struct stun_enc e;
	size_t len;

	(void)rand_bytes(c->tid, sizeof(c->tid));
	/* RFC 8445 section 7.2.2: USERNAME is "remote:local" and
	 * MESSAGE-INTEGRITY is keyed with the remote password */
	snprintf(user, sizeof(user), "%s:%s", c->rufrag, c->ufrag);
	stun_enc_init(&e, buf, sizeof(buf),
		      stun_type(STUN_METHOD_BINDING, STUN_CLASS_REQUEST),
		      c->tid);
	stun_enc_attr(&e, STUN_ATTR_USERNAME, user, strlen(user));
	stun_enc_u32(&e, STUN_ATTR_PRIORITY, RL_PRIORITY);
	stun_enc_u64(&e, STUN_ATTR_ICE_CONTROLLING, 0x0102030405060708ull);
	stun_enc_attr(&e, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_enc_integrity(&e, c->rkey);
	stun_enc_fingerprint(&e);
	if (!stun_enc_finish(&e, &len))
		send_to(c->bfd, &c->relay_a, buf, len);
}

static int dtls_send(const uint8_t *buf, size_t len, void *arg)
{
	struct rl_call *c = arg;

	send_to(c->bfd, &c->relay_a, buf, len);
	return 0;
}

static void dtls_estab(const struct dtls_srtp_keys *k, void *arg)
{
	struct rl_call *c = arg;
	enum msrtp_profile p = (enum msrtp_profile)k->profile;

	if (msrtp_alloc(&c->tx, p, k->local_key, k->local_salt) ||
	    msrtp_alloc(&c->rx, p, k->remote_key, k->remote_salt)) {
		fail(c, "srtp-keys");
		return;
	}
	c->profile = p;
	c->t_dtls1 = rl_now_ns();
	c->state = RL_MEDIA;
	c->next_up = c->t_dtls1;
}

static void dtls_closed(int err, const char *reason, void *arg)
{
	struct rl_call *c = arg;

	(void)reason;
	c->run->dtls_failed++;
	fail(c, err == ETIMEDOUT ? "dtls-timeout" : "dtls-failed");
}

static void dtls_begin(struct rl_call *c, uint64_t now)
{
	int err;

	c->t_ice = now;
	c->state = RL_DTLS;
	if (c->dc)
		return; /* the relay started it (we are the server) */
	err = dtls_conn_alloc(&c->dc, c->run->dtls, c->dtls_client, c->rfp,
			      dtls_send, dtls_estab, dtls_closed, c);
	c->t_dtls0 = now;
	if (!err && c->dtls_client)
		err = dtls_conn_start(c->dc, now / 1000000);
	if (err)
		fail(c, "dtls-start");
}

void rl_call_start(struct rl_call *c, uint64_t now)
{
	if (c->run->plain) { /* no ICE, no keys: media at once */
		c->t_check0 = c->t_dtls1 = 0;
		c->state = RL_MEDIA;
		c->next_up = c->next_down = now;
		c->next_check = UINT64_MAX;
		return;
	}
	c->state = RL_ICE;
	c->t_check0 = now;
	c->next_check = now;
	/* the RTP peer sends from the answer on, as a PBX does */
	c->next_down = now;
	rl_call_tick(c, now);
}

static void send_up(struct rl_call *c)
{
	uint8_t pkt[RL_PKT_MAX];
	size_t len, plen;
	struct rl_run *r = c->run;

	if (r->transcode) {
		unsigned f = (unsigned)(c->up_seq % RL_OPUS_FRAMES);

		plen = c->opus_nb ? r->opus_nb_lenv[f] : r->opus_lenv[f];
		memcpy(pkt + 12, c->opus_nb ? r->opus_nbv[f] : r->opusv[f],
		       plen);
		rl_rtp_header(pkt, RL_PT_OPUS, c->up_seq, c->up_ts, c->up_ssrc);
		c->up_ts += 960; /* 20 ms at 48 kHz (RFC 7587) */
	} else {
		plen = RL_PCMU_BYTES;
		memset(pkt + 12, 0xff, plen);
		rl_stamp_put(pkt + 12, rl_wall_ns());
		rl_rtp_header(pkt, RL_PT_PCMU, c->up_seq, c->up_ts, c->up_ssrc);
		c->up_ts += RL_PCMU_BYTES;
	}
	c->up_seq++;
	len = 12 + plen;
	if (!r->plain && msrtp_protect(c->tx, pkt, &len, sizeof(pkt)))
		return;
	send_to(c->bfd, &c->relay_a, pkt, len);
	if (r->measuring)
		c->tx_up++;
}

static void send_down(struct rl_call *c)
{
	uint8_t pkt[12 + RL_PCMU_BYTES];

	memset(pkt + 12, 0xff, RL_PCMU_BYTES);
	rl_stamp_put(pkt + 12, rl_wall_ns());
	rl_rtp_header(pkt, RL_PT_PCMU, c->down_seq++, c->down_ts, c->down_ssrc);
	c->down_ts += RL_PCMU_BYTES;
	send_to(c->pfd, &c->relay_b, pkt, sizeof(pkt));
	if (c->run->measuring)
		c->tx_down++;
}

/* Runs a 50 packet/s sender due at *next: one packet per call, the
 * schedule restarting when the loop fell far behind (counted). */
static bool due(struct rl_call *c, uint64_t *next, uint64_t now)
{
	if (now < *next)
		return false;
	if (now - *next > RL_LATE_RESET_NS) {
		c->late++;
		*next = now;
	}
	*next += RL_PTIME_NS;
	return true;
}

void rl_call_tick(struct rl_call *c, uint64_t now)
{
	if (c->state == RL_FAILED || c->state == RL_IDLE)
		return;
	if (c->state == RL_ICE && now >= c->next_check) {
		send_check(c);
		c->next_check = now + RL_CHECK_NS;
	} else if (c->state == RL_MEDIA && now >= c->next_check) {
		send_check(c); /* consent freshness, RFC 7675 */
		c->next_check = now + RL_CONSENT_NS;
	}
	if (c->state == RL_DTLS && c->dc) {
		uint64_t t = dtls_conn_timeout(c->dc);

		if (t && now / 1000000 >= t)
			(void)dtls_conn_tick(c->dc, now / 1000000);
	}
	if (!c->run->sending)
		return;
	if (c->state == RL_MEDIA && due(c, &c->next_up, now))
		send_up(c);
	if (c->peer_known && due(c, &c->next_down, now))
		send_down(c);
}

static void stun_in(struct rl_call *c, const uint8_t *buf, size_t len,
		    const struct sockaddr_in *src, uint64_t now)
{
	struct stun_msg m;
	uint8_t resp[256];
	struct stun_addr mapped = {.family = 4};
	size_t rlen;

	c->stun_rx++;
	if (stun_msg_decode(&m, buf, len) || m.method != STUN_METHOD_BINDING)
		return;
	if (m.cls == STUN_CLASS_SUCCESS) {
		if (memcmp(m.tid, c->tid, STUN_TID_SIZE) ||
		    stun_msg_check_integrity(&m, buf, len, c->rkey))
			return;
		if (c->state == RL_ICE)
			dtls_begin(c, now);
		return;
	}
	if (m.cls != STUN_CLASS_REQUEST)
		return;
	/* the relay's own check (a full agent such as rtpengine): keyed
	 * with our password (RFC 8445 section 7.3) */
	if (stun_msg_check_integrity(&m, buf, len, c->lkey))
		return;
	mapped.port = ntohs(src->sin_port);
	memcpy(mapped.addr, &src->sin_addr, 4);
	if (!stun_binding_success_encode(resp, sizeof(resp), &rlen, m.tid,
					 &mapped, c->lkey, NULL))
		send_to(c->bfd, src, resp, rlen);
}

static void srtp_in(struct rl_call *c, uint8_t *buf, size_t len, uint64_t now,
		    uint64_t arr)
{
	uint16_t seq;
	uint32_t ts;
	uint8_t pt;
	size_t off;

	if (!c->rx && !c->run->plain) {
		c->bad_rx++;
		return;
	}
	if (rl_is_rtcp(buf, len)) {
		c->rtcp_rx++;
		return;
	}
	if ((!c->run->plain && msrtp_unprotect(c->rx, buf, &len)) ||
	    rl_rtp_parse(buf, len, &seq, &ts, &pt, &off)) {
		c->bad_rx++;
		return;
	}
	if (pt != (c->run->transcode ? RL_PT_OPUS : RL_PT_PCMU))
		c->wrong_pt++;
	if (!c->t_media)
		c->t_media = now;
	if (c->run->measuring)
		rl_rx_packet(&c->rx_down, seq, ts, arr,
			     rl_stamp_get(buf + off, len - off));
}

static void browser_in(struct rl_call *c, uint8_t *buf, size_t len,
		       const struct sockaddr_in *src, uint64_t now,
		       uint64_t arr)
{
	switch (stun_demux(buf[0])) {
	case STUN_DEMUX_STUN:
		stun_in(c, buf, len, src, now);
		break;
	case STUN_DEMUX_DTLS:
		if (!c->dc && c->state != RL_FAILED && !c->dtls_client) {
			/* the relay is the DTLS client: we serve */
			if (dtls_conn_alloc(&c->dc, c->run->dtls, false, c->rfp,
					    dtls_send, dtls_estab, dtls_closed,
					    c)) {
				fail(c, "dtls-alloc");
				break;
			}
			c->t_dtls0 = now;
		}
		if (c->dc)
			(void)dtls_conn_recv(c->dc, buf, len, now / 1000000);
		break;
	case STUN_DEMUX_RTP:
		srtp_in(c, buf, len, now, arr);
		break;
	default:
		c->bad_rx++;
		break;
	}
}

static void peer_in(struct rl_call *c, const uint8_t *buf, size_t len,
		    uint64_t arr)
{
	uint16_t seq;
	uint32_t ts;
	uint8_t pt;
	size_t off;

	if (rl_is_rtcp(buf, len)) {
		c->rtcp_rx++;
		return;
	}
	if (rl_rtp_parse(buf, len, &seq, &ts, &pt, &off)) {
		c->bad_rx++;
		return;
	}
	if (pt != RL_PT_PCMU)
		c->wrong_pt++;
	if (c->run->measuring)
		rl_rx_packet(&c->rx_up, seq, ts, arr,
			     rl_stamp_get(buf + off, len - off));
}

#define RL_READS_PER_EVENT 32

void rl_call_readable(struct rl_call *c, int fd)
{
	uint8_t buf[RL_PKT_MAX + 64];
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in src;
	int i;

	for (i = 0; i < RL_READS_PER_EVENT; i++) {
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr mh = {.msg_name = &src,
				    .msg_namelen = sizeof(src),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.b,
				    .msg_controllen = sizeof(ctl.b)};
		struct cmsghdr *cm;
		ssize_t n = recvmsg(fd, &mh, 0);
		uint64_t now, arr = 0;

		if (n <= 0)
			break;
		now = rl_now_ns();
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			struct timespec ts;

			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_TIMESTAMPNS)
				continue;
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			arr = (uint64_t)ts.tv_sec * 1000000000ull +
			      (uint64_t)ts.tv_nsec;
		}
		if (!arr)
			arr = rl_wall_ns();
		if (fd == c->bfd)
			browser_in(c, buf, (size_t)n, &src, now, arr);
		else
			peer_in(c, buf, (size_t)n, arr);
	}
}

void rl_call_window(struct rl_call *c)
{
	rl_rx_init(&c->rx_up, c->rx_up.clock);
	rl_rx_init(&c->rx_down, c->rx_down.clock);
	c->tx_up = c->tx_down = 0;
	c->late = 0;
}
