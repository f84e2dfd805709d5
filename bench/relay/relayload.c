/* relayload: media relay load generator (make bench). Sets up N calls
 * through a relay driven over the ng control protocol (rtpengine, or
 * relay_sipcloak speaking the same protocol), then runs them: ICE checks,
 * a DTLS-SRTP handshake and SRTP at 50 packets/s on the browser leg, RTP
 * at 50 packets/s on the peer leg. Prints one line of results: loss and
 * added jitter each way, setup and DTLS times, handshakes per second and
 * the relay's CPU (utime + stime from /proc/PID/stat). Loopback only,
 * bounded in calls and time. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "relayload.h"

#define RL_CALLS_MAX 5000
#define RL_SECONDS_MAX 600
#define RL_NG_TIMEOUT_MS 3000
#define RL_NG_TRIES 2
#define RL_SETTLE_NS 1000000000ull
#define RL_TICK_NS 1000000ull
#define RL_EVENTS 256

struct opts {
	struct sockaddr_in ng;
	unsigned calls;
	unsigned seconds;
	unsigned setup_seconds;
	bool transcode;
	bool plain;
	const char *pids;     /* relay processes, comma-separated */
	const char *profiles; /* the client's use_srtp list (OpenSSL names) */
	double max_loss_pct, max_jitter_ms;
};

struct ng {
	int fd;
	unsigned seq;
	uint8_t buf[RL_NG_MAX];
};

uint64_t rl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU seconds (utime + stime) of the processes in pids. */
uint64_t rl_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double relay_cpu(const char *pids)
{
	char path[64], line[1024], list[256];
	double s = 0;
	char *tok, *save = NULL;
	long hz = sysconf(_SC_CLK_TCK);

	if (!pids)
		return 0;
	snprintf(list, sizeof(list), "%s", pids);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		FILE *f;
		char *p;
		unsigned long ut, st;

		snprintf(path, sizeof(path), "/proc/%s/stat", tok);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
		fclose(f);
		/* after ")": state ppid pgrp session tty tpgid flags minflt
		 * cminflt majflt cmajflt utime stime (fields 3..15) */
		if (p && sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
				"%*u %lu %lu",
				&ut, &st) == 2)
			s += (double)(ut + st) / (double)hz;
	}
	return s;
}

static double self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* One ng request and its reply (retried once); *sdpp views ng->buf. */
static int ng_call(struct ng *ng, struct rl_ng_req *req, struct pl *sdpp)
{
	char cookie[RL_COOKIE_MAX];
	struct pl reason;
	size_t len;
	int err, t;

	snprintf(cookie, sizeof(cookie), "%d_%u", (int)getpid(), ++ng->seq);
	req->cookie = cookie;
	err = rl_ng_encode(ng->buf, sizeof(ng->buf), &len, req);
	if (err)
		return err;
	for (t = 0; t < RL_NG_TRIES; t++) {
		struct pollfd pfd = {.fd = ng->fd, .events = POLLIN};
		uint64_t end = rl_now_ns() + RL_NG_TIMEOUT_MS * 1000000ull;

		/* the request is re-encoded: the reply overwrites buf */
		if (t)
			(void)rl_ng_encode(ng->buf, sizeof(ng->buf), &len, req);
		if (send(ng->fd, ng->buf, len, 0) < 0)
			return errno;
		while (rl_now_ns() < end) {
			int ms = (int)((end - rl_now_ns()) / 1000000) + 1;
			ssize_t n;

			if (poll(&pfd, 1, ms) <= 0)
				continue;
			n = recv(ng->fd, ng->buf, sizeof(ng->buf) - 1, 0);
			if (n <= 0)
				continue;
			err = rl_ng_reply(ng->buf, (size_t)n, cookie, sdpp,
					  &reason);
			if (err == ENOENT)
				continue; /* a late reply to an earlier try */
			if (err == EPROTO)
				fprintf(stderr, "relayload: ng %s: %.*s\n",
					req->cmd == RL_NG_OFFER ? "offer"
								: "answer",
					PL_FMT(&reason));
			return err;
		}
	}
	return ETIMEDOUT;
}

static int signal_call(struct rl_run *run, struct ng *ng, struct rl_call *c,
		       const char *fp)
{
	char sdp[RL_SDP_MAX], sdp_b[RL_SDP_MAX], cid[48], ft[16], tt[16];
	struct rl_ng_req req = {0};
	struct pl reply, b;
	int err;

	snprintf(cid, sizeof(cid), "relayload-%d-%u", (int)getpid(), c->idx);
	snprintf(ft, sizeof(ft), "b%u", c->idx);
	snprintf(tt, sizeof(tt), "p%u", c->idx);
	if (run->plain)
		err = rl_sdp_peer(sdp, sizeof(sdp), c->bport);
	else
		err = rl_sdp_browser(sdp, sizeof(sdp), c->bport, c->ufrag,
				     c->pwd, fp, c->up_ssrc, run->transcode);
	if (err)
		return err;
	req = (struct rl_ng_req){RL_NG_OFFER,    NULL,      cid, ft, NULL, sdp,
				 run->transcode, run->plain};
	err = ng_call(ng, &req, &reply);
	if (err)
		return err;
	if (pl_strcpy(&reply, sdp_b, sizeof(sdp_b)))
		return EOVERFLOW;
	err = rl_sdp_peer(sdp, sizeof(sdp), c->pport);
	if (err)
		return err;
	req = (struct rl_ng_req){RL_NG_ANSWER,   NULL,      cid, ft, tt, sdp,
				 run->transcode, run->plain};
	err = ng_call(ng, &req, &reply);
	if (err)
		return err;
	b = (struct pl){sdp_b, strlen(sdp_b)};
	return rl_call_set_relay(c, &reply, &b);
}

static void delete_call(struct ng *ng, struct rl_call *c)
{
	char cid[48], ft[16];
	struct rl_ng_req req = {0};
	struct pl reply;

	snprintf(cid, sizeof(cid), "relayload-%d-%u", (int)getpid(), c->idx);
	snprintf(ft, sizeof(ft), "b%u", c->idx);
	req = (struct rl_ng_req){RL_NG_DELETE, NULL, cid,   ft,
				 NULL,         NULL, false, false};
	(void)ng_call(ng, &req, &reply);
}

/* Runs the loop until end, or until every call left setup when setup. */
static void loop(struct rl_run *run, uint64_t end, bool setup)
{
	struct epoll_event evv[RL_EVENTS];
	uint64_t next_tick = rl_now_ns();

	for (;;) {
		uint64_t now = rl_now_ns();
		struct timespec ts;
		int n, i;

		if (now >= next_tick) {
			unsigned k, pending = 0;

			/* how late relayload itself runs (the machine) */
			if (run->measuring && now - next_tick > run->gap_max_ns)
				run->gap_max_ns = now - next_tick;
			if (run->measuring && now - next_tick > RL_GAP_NS)
				run->gaps++;

			for (k = 0; k < run->callc; k++) {
				struct rl_call *c = &run->callv[k];

				rl_call_tick(c, now);
				if (c->state != RL_FAILED &&
				    (c->state != RL_MEDIA || !c->t_media))
					pending++;
			}
			next_tick = now + RL_TICK_NS;
			if (setup && !pending)
				return;
		}
		if (now >= end)
			return;
		/* nanosecond timeout: a millisecond one would round the
		 * last fraction down to 0 and spin */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(next_tick - now);
		n = epoll_pwait2(run->epfd, evv, RL_EVENTS, &ts, NULL);
		for (i = 0; i < n; i++) {
			uint64_t u = evv[i].data.u64;
			struct rl_call *c = &run->callv[u >> 1];

			rl_call_readable(c, (u & 1) ? c->pfd : c->bfd);
		}
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: relayload --ng 127.0.0.1:PORT --calls N --seconds S\n"
		"       [--transcode | --plain] [--relay-pids PID,..] "
		"[--setup-seconds S]\n"
		"       [--max-loss-pct 0.1] [--max-jitter-ms 5]\n"
		"       [--srtp-profiles SRTP_AES128_CM_SHA1_80]\n");
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"ng", 1, NULL, 'n'},
	    {"calls", 1, NULL, 'c'},
	    {"seconds", 1, NULL, 's'},
	    {"transcode", 0, NULL, 't'},
	    {"relay-pids", 1, NULL, 'p'},
	    {"setup-seconds", 1, NULL, 'S'},
	    {"max-loss-pct", 1, NULL, 'L'},
	    {"max-jitter-ms", 1, NULL, 'J'},
	    {"plain", 0, NULL, 'P'},
	    {"srtp-profiles", 1, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	char host[64];
	int ch, port;

	*o = (struct opts){.calls = 10,
			   .seconds = 10,
			   .setup_seconds = 20,
			   .max_loss_pct = 0.1,
			   .max_jitter_ms = 5};
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (sscanf(optarg, "%63[^:]:%d", host, &port) != 2 ||
			    port <= 0 || port > 65535 ||
			    inet_pton(AF_INET, host, &o->ng.sin_addr) != 1 ||
			    (ntohl(o->ng.sin_addr.s_addr) >> 24) != 127) {
				fprintf(stderr, "relayload: --ng must be "
						"127.x.x.x:PORT\n");
				return EINVAL;
			}
			o->ng.sin_family = AF_INET;
			o->ng.sin_port = htons((uint16_t)port);
			break;
		case 'c':
			o->calls = (unsigned)atoi(optarg);
			break;
		case 's':
			o->seconds = (unsigned)atoi(optarg);
			break;
		case 't':
			o->transcode = true;
			break;
		case 'P':
			o->plain = true;
			break;
		case 'R':
			o->profiles = optarg;
			break;
		case 'p':
			o->pids = optarg;
			break;
		case 'S':
			o->setup_seconds = (unsigned)atoi(optarg);
			break;
		case 'L':
			o->max_loss_pct = atof(optarg);
			break;
		case 'J':
			o->max_jitter_ms = atof(optarg);
			break;
		default:
			usage();
			return EINVAL;
		}
	}
	if (!o->ng.sin_port || !o->calls || o->calls > RL_CALLS_MAX ||
	    !o->seconds || o->seconds > RL_SECONDS_MAX ||
	    o->setup_seconds > RL_SECONDS_MAX) {
		usage();
		return EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rl_run run = {.epfd = -1};
	struct ng ng = {.fd = -1};
	struct opts o;
	double cpu0, cpu1, scpu0, scpu1, self0, self1;
	uint64_t t0, t1;
	unsigned i, opened = 0;
	int err;

	err = parse_opts(&o, argc, argv);
	if (err)
		return 2;
	run.callc = o.calls;
	run.transcode = o.transcode;
	run.plain = o.plain;
	if (o.plain && o.transcode) {
		usage();
		return 2;
	}
	run.callv = calloc(o.calls, sizeof(*run.callv));
	run.epfd = epoll_create1(EPOLL_CLOEXEC);
	ng.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!run.callv || run.epfd < 0 || ng.fd < 0 ||
	    connect(ng.fd, (struct sockaddr *)&o.ng, sizeof(o.ng))) {
		perror("relayload");
		err = errno ? errno : ENOMEM;
		goto out;
	}
	err = dtls_ctx_alloc(&run.dtls);
	/* e.g. SRTP_AES128_CM_SHA1_80 to make the relay use AES-CM */
	if (!err && o.profiles)
		err = dtls_ctx_set_srtp_profiles(run.dtls, o.profiles);
	if (!err && o.transcode)
		err = rl_opus_frames(&run);
	if (err) {
		fprintf(stderr, "relayload: setup: %s\n", strerror(err));
		goto out;
	}
	/* 1. signalling, one call after the other; no media yet */
	for (i = 0; i < o.calls && !err; i++) {
		err = rl_call_open(&run.callv[i], &run, i);
		opened = i + 1;
		if (!err)
			err = signal_call(&run, &ng, &run.callv[i],
					  dtls_ctx_fingerprint(run.dtls));
		if (err)
			fprintf(stderr, "relayload: call %u: %s\n", i,
				strerror(err));
	}
	if (err)
		goto out;
	/* 2. every call starts ICE and DTLS at once; media flows as soon as
	 * each is keyed */
	scpu0 = relay_cpu(o.pids);
	run.sending = true;
	t0 = rl_now_ns();
	for (i = 0; i < o.calls; i++)
		rl_call_start(&run.callv[i], t0);
	loop(&run, t0 + o.setup_seconds * 1000000000ull, true);
	scpu1 = relay_cpu(o.pids);
	/* 3. settle, then the measured window */
	loop(&run, rl_now_ns() + RL_SETTLE_NS, false);
	for (i = 0; i < o.calls; i++)
		rl_call_window(&run.callv[i]);
	run.measuring = true;
	cpu0 = relay_cpu(o.pids);
	self0 = self_cpu();
	t0 = rl_now_ns();
	loop(&run, t0 + o.seconds * 1000000000ull, false);
	run.measuring = false;
	t1 = rl_now_ns();
	cpu1 = relay_cpu(o.pids);
	self1 = self_cpu();
	run.sending = false;
	rl_report(&run, (double)(t1 - t0) / 1e9, cpu1 - cpu0, scpu1 - scpu0,
		  self1 - self0, o.max_loss_pct, o.max_jitter_ms);
out:
	for (i = 0; i < opened; i++) {
		if (run.callv[i].peer_known)
			delete_call(&ng, &run.callv[i]);
		rl_call_close(&run.callv[i]);
	}
	free(run.callv);
	mem_deref(run.dtls);
	if (run.epfd >= 0)
		close(run.epfd);
	if (ng.fd >= 0)
		close(ng.fd);
	return err ? 1 : 0;
}
