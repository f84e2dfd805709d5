/* wsload.c: a WSS/WS SIP OPTIONS load generator (RFC 7118 over RFC 6455):
 * N persistent connections from one process, each in a closed loop, for a
 * fixed time against a loopback target; prints one line of results. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsload.h"

#define WSLOAD_MAX_SECONDS 600u
#define WSLOAD_DRAIN_US 2000000u /* wait for replies after the run */
#define WSLOAD_FD_SPARE 64u      /* descriptors besides the connections */
#define WSLOAD_POLL_MS 10
#define WSLOAD_FIRST_OPEN_US 10000000u /* give up if none opens in 10 s */
#define WSLOAD_MAX_PIDS 64u            /* --sample-pids */
#define WSLOAD_STAT_MAX 1024u
#define WSLOAD_CRED_LINE 512u /* one "user password" line of --cred-file */

struct wsload_opts {
	const char *url;
	unsigned conns;
	unsigned seconds;
	unsigned ramp_seconds;
	int pids[WSLOAD_MAX_PIDS]; /* server processes whose CPU we sample */
	unsigned npids;
	const char *cred_file; /* REGISTER: "user password" per line */
	unsigned users;        /* REGISTER: devices used (0: every line) */
};

static void usage(void)
{
	fprintf(stderr,
	        "usage: wsload --url ws[s]://127.0.0.1:PORT/PATH "
	        "[--connections N] [--seconds S]\n"
	        "              [--pipeline K] [--insecure] [--cafile FILE] "
	        "[--domain D] [--ramp-seconds R]\n"
	        "              [--sample-pids PID,PID,...]  (server CPU over "
	        "the run)\n"
	        "              [--mode options|register] [--cred-file FILE] "
	        "[--users N] [--reuse-nonce]\n"
	        "              [--mode call --target NUMBER]  (INVITE, 401, "
	        "INVITE, 200, ACK, BYE)\n"
	        "  register: FILE has one \"user password\" per line; "
	        "connection i registers\n"
	        "  devices i, i+N, ... of the first --users lines in turn "
	        "(401, then Authorization).\n"
	        "Targets must be loopback (127.0.0.0/8, ::1, localhost).\n");
}

/* Parses ws[s]://host[:port][/path]; host must be a loopback address. */
static int parse_url(struct wsload_cfg *cfg, const char *url)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)cfg->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)cfg->addr;
	char host[WSLOAD_HOST_MAX];
	const char *p, *hend, *path;
	unsigned long port;
	char *end;

	if (!strncmp(url, "wss://", 6)) {
		cfg->tls = true;
		p = url + 6;
	} else if (!strncmp(url, "ws://", 5)) {
		p = url + 5;
	} else {
		return EINVAL;
	}
	path = strchr(p, '/');
	if (!path)
		path = p + strlen(p);
	if (*p == '[') {
		hend = memchr(p, ']', (size_t)(path - p));
		if (!hend)
			return EINVAL;
		p++;
	} else {
		hend = memchr(p, ':', (size_t)(path - p));
		if (!hend)
			hend = path;
	}
	if (hend == p || (size_t)(hend - p) >= sizeof(host))
		return EINVAL;
	memcpy(host, p, (size_t)(hend - p));
	host[hend - p] = '\0';
	if (*hend == ']')
		hend++;
	port = cfg->tls ? 443 : 80;
	if (*hend == ':') {
		port = strtoul(hend + 1, &end, 10);
		if (end != path || !port || port > 65535)
			return EINVAL;
	}
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	memset(cfg->addr, 0, sizeof(cfg->addr));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return EACCES;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		cfg->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return EACCES;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		cfg->addrlen = sizeof(*sin6);
	} else {
		return EACCES;
	}
	snprintf(cfg->vhost, sizeof(cfg->vhost), "%s", host);
	snprintf(cfg->host, sizeof(cfg->host),
	         strchr(host, ':') ? "[%s]:%lu" : "%s:%lu", host, port);
	if (!cfg->domain[0])
		snprintf(cfg->domain, sizeof(cfg->domain), "%s", host);
	if (strlen(*path ? path : "/") >= sizeof(cfg->path))
		return EINVAL;
	strcpy(cfg->path, *path ? path : "/");
	return 0;
}

static int parse_uint(const char *s, unsigned max, unsigned *v)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (!*s || *end || n > max)
		return EINVAL;
	*v = (unsigned)n;
	return 0;
}

static int parse_pids(const char *s, struct wsload_opts *o)
{
	char *end;

	while (*s) {
		long v = strtol(s, &end, 10);

		if (end == s || v <= 0 || v > INT32_MAX ||
		    o->npids == WSLOAD_MAX_PIDS || (*end && *end != ','))
			return EINVAL;
		o->pids[o->npids++] = (int)v;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct wsload_opts *o,
                      struct wsload_cfg *cfg)
{
	static const struct option lo[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"connections", required_argument, NULL, 'n'},
	    {"seconds", required_argument, NULL, 's'},
	    {"pipeline", required_argument, NULL, 'p'},
	    {"insecure", no_argument, NULL, 'k'},
	    {"cafile", required_argument, NULL, 'c'},
	    {"domain", required_argument, NULL, 'd'},
	    {"ramp-seconds", required_argument, NULL, 'r'},
	    {"sample-pids", required_argument, NULL, 'P'},
	    {"mode", required_argument, NULL, 'm'},
	    {"cred-file", required_argument, NULL, 'f'},
	    {"users", required_argument, NULL, 'U'},
	    {"reuse-nonce", no_argument, NULL, 'R'},
	    {"target", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};
	int ch, err = 0;

	while (!err && (ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'u':
			o->url = optarg;
			break;
		case 'n':
			err = parse_uint(optarg, WSLOAD_MAX_CONNS, &o->conns);
			break;
		case 's':
			err =
			    parse_uint(optarg, WSLOAD_MAX_SECONDS, &o->seconds);
			break;
		case 'p':
			err = parse_uint(optarg, WSLOAD_MAX_PIPELINE,
			                 &cfg->pipeline);
			break;
		case 'k':
			cfg->insecure = true;
			break;
		case 'c':
			cfg->cafile = optarg;
			break;
		case 'd':
			if (strlen(optarg) >= sizeof(cfg->domain))
				err = EINVAL;
			else
				strcpy(cfg->domain, optarg);
			break;
		case 'r':
			err = parse_uint(optarg, WSLOAD_MAX_SECONDS,
			                 &o->ramp_seconds);
			break;
		case 'P':
			err = parse_pids(optarg, o);
			break;
		case 'm':
			if (!strcmp(optarg, "register"))
				cfg->mode = WSLOAD_MODE_REGISTER;
			else if (!strcmp(optarg, "call"))
				cfg->mode = WSLOAD_MODE_CALL;
			else if (strcmp(optarg, "options"))
				err = EINVAL;
			break;
		case 'f':
			o->cred_file = optarg;
			break;
		case 'U':
			err = parse_uint(optarg, WSLOAD_MAX_DEVICES, &o->users);
			break;
		case 'R':
			cfg->reuse_nonce = true;
			break;
		case 'T':
			if (strlen(optarg) >= sizeof(cfg->target))
				err = EINVAL;
			else
				strcpy(cfg->target, optarg);
			break;
		default:
			err = EINVAL;
			break;
		}
	}
	if (!err && (!o->url || optind != argc || !o->conns || !o->seconds ||
	             !cfg->pipeline))
		err = EINVAL;
	/* REGISTER: one request at a time per connection, its devices from
	 * a file. */
	if (!err && cfg->mode != WSLOAD_MODE_OPTIONS &&
	    (!o->cred_file || cfg->pipeline != 1))
		err = EINVAL;
	/* CALL: one call at a time per connection to --target. */
	if (!err && cfg->mode == WSLOAD_MODE_CALL && !cfg->target[0])
		err = EINVAL;
	return err;
}

/* Reads up to max "user password" lines (blank lines and # comments
 * skipped) into a new array *credsp of *np. Returns 0, ENOENT, EBADMSG (a
 * line without two words or with a too long one), ENODATA (no line) or
 * ENOMEM. */
static int read_creds(const char *path, unsigned max,
                      struct wsload_cred **credsp, size_t *np)
{
	struct wsload_cred *creds = NULL;
	char line[WSLOAD_CRED_LINE];
	size_t n = 0;
	FILE *f;
	int err = 0;

	f = fopen(path, "r");
	if (!f)
		return ENOENT;
	creds = mem_zalloc((size_t)max * sizeof(*creds), NULL);
	if (!creds) {
		err = ENOMEM;
		goto out;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		char user[WSLOAD_CRED_LINE], pass[WSLOAD_CRED_LINE];
		int k = sscanf(line, "%511s %511s", user, pass);

		if (k <= 0 || user[0] == '#')
			continue;
		if (k != 2 || strlen(user) >= WSLOAD_USER_MAX ||
		    strlen(pass) >= WSLOAD_PASS_MAX) {
			err = EBADMSG;
			goto out;
		}
		strcpy(creds[n].user, user);
		strcpy(creds[n].pass, pass);
		n++;
	}
	if (!n)
		err = ENODATA;
out:
	fclose(f);
	if (err) {
		mem_deref(creds);
	} else {
		*credsp = creds;
		*np = n;
	}
	return err;
}

/* Raises the soft descriptor limit to fit n connections. */
static int raise_nofile(unsigned n)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)n + WSLOAD_FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return errno;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want)
		return EMFILE;
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl) ? errno : 0;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* utime + stime in clock ticks summed over the sampled processes (proc(5):
 * fields 14 and 15, counted after the ")" that ends the command name). A
 * process that is gone adds nothing. */
static uint64_t server_ticks(const struct wsload_opts *o)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < o->npids; i++) {
		char path[64], buf[WSLOAD_STAT_MAX];
		unsigned long ut = 0, st = 0;
		const char *p;
		size_t n;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", o->pids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1,
		                " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		                "%lu %lu",
		                &ut, &st) == 2)
			total += ut + st;
	}
	return total;
}

static void report(const struct wsload_opts *o, const struct wsload_stats *s,
                   size_t open, uint64_t ramp_us, uint64_t run_us, uint64_t cpu,
                   uint64_t srv_ticks)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t errors =
	    s->bad_status + s->timeouts + s->lost + s->bye_bad;
	uint64_t done = s->ok + errors;
	double secs = (double)run_us / 1e6;

	printf("connections=%u seconds=%u requests=%llu ok=%llu errors=%llu "
	       "rps=%.0f p50_us=%llu p99_us=%llu max_us=%llu open=%zu "
	       "opened=%llu conn_errors=%llu drops=%llu timeouts=%llu "
	       "bad_status=%llu lost=%llu unfinished=%llu pings=%llu "
	       "ramp_ms=%llu client_cpu_pct=%.0f server_cpu_pct=%.0f "
	       "challenges=%llu registered=%llu last_bad_status=%u "
	       "answered=%llu bye_bad=%llu\n",
	       o->conns, o->seconds, (unsigned long long)s->sent,
	       (unsigned long long)s->ok, (unsigned long long)errors,
	       secs > 0 ? (double)s->ok / secs : 0.0,
	       (unsigned long long)wsload_hist_quantile(&s->lat, 0.50),
	       (unsigned long long)wsload_hist_quantile(&s->lat, 0.99),
	       (unsigned long long)s->lat.max, open,
	       (unsigned long long)s->opened,
	       (unsigned long long)s->conn_errors, (unsigned long long)s->drops,
	       (unsigned long long)s->timeouts,
	       (unsigned long long)s->bad_status, (unsigned long long)s->lost,
	       (unsigned long long)(s->sent > done ? s->sent - done : 0),
	       (unsigned long long)s->pings, (unsigned long long)ramp_us / 1000,
	       run_us ? 100.0 * (double)cpu / (double)run_us : 0.0,
	       run_us && hz > 0 ? 100.0 * (double)srv_ticks / (double)hz /
	                              ((double)run_us / 1e6)
	                        : 0.0,
	       (unsigned long long)s->challenges,
	       (unsigned long long)s->registered, (unsigned)s->last_bad,
	       (unsigned long long)s->answered,
	       (unsigned long long)s->bye_bad);
	fflush(stdout);
}

static int run(const struct wsload_opts *o, const struct wsload_cfg *cfg)
{
	struct wsload_engine *e = NULL;
	struct wsload_stats s;
	uint64_t t0, t_run, t_end, cpu0, ticks0;
	int err;

	err = wsload_engine_alloc(&e, cfg, o->conns);
	if (err)
		goto out;
	/* Ramp: open every connection, within a bounded time. */
	t0 = wsload_now_us();
	while (!err && wsload_engine_open(e) < o->conns &&
	       wsload_now_us() - t0 < (uint64_t)o->ramp_seconds * 1000000u) {
		if (!wsload_engine_stats(e)->opened &&
		    wsload_now_us() - t0 > WSLOAD_FIRST_OPEN_US)
			break;
		err = wsload_engine_poll(e, WSLOAD_POLL_MS);
	}
	t_run = wsload_now_us();
	if (!err && !wsload_engine_open(e)) {
		fprintf(stderr,
		        "wsload: no connection opened (%llu failed connects, "
		        "TLS handshakes or upgrades%s)\n",
		        (unsigned long long)wsload_engine_stats(e)->conn_errors,
		        cfg->tls && !cfg->insecure
		            ? "; a self-signed certificate needs --cafile "
		              "or --insecure"
		            : "");
		err = ECONNREFUSED;
	}
	if (err)
		goto out;
	/* Run: closed loop for the fixed time, measured. */
	/* bench/run.sh samples the server's CPU time on these two lines. */
	fprintf(stderr, "wsload: phase run open=%zu\n", wsload_engine_open(e));
	cpu0 = cpu_us();
	ticks0 = server_ticks(o);
	wsload_engine_phase(e, WSLOAD_RUN);
	t_end = t_run + (uint64_t)o->seconds * 1000000u;
	while (!err && wsload_now_us() < t_end)
		err = wsload_engine_poll(e, WSLOAD_POLL_MS);
	/* Drain: let the last replies arrive, counted against the run. */
	wsload_engine_phase(e, WSLOAD_DRAIN);
	cpu0 = cpu_us() - cpu0;
	ticks0 = server_ticks(o) - ticks0;
	fprintf(stderr, "wsload: phase drain\n");
	while (!err && wsload_engine_outstanding(e) &&
	       wsload_now_us() - t_end < WSLOAD_DRAIN_US)
		err = wsload_engine_poll(e, WSLOAD_POLL_MS);
	s = *wsload_engine_stats(e);
	report(o, &s, wsload_engine_open(e), t_run - t0, t_end - t_run, cpu0,
	       ticks0);
out:
	if (e)
		wsload_engine_close(e);
	mem_deref(e);
	return err;
}

int main(int argc, char **argv)
{
	struct wsload_opts o = {.conns = 1, .seconds = 10, .ramp_seconds = 30};
	struct wsload_cfg cfg = {.pipeline = 1};
	struct wsload_cred *creds = NULL;
	int err;

	/* A peer that goes away must be an error return, not SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	err = parse_args(argc, argv, &o, &cfg);
	if (err) {
		usage();
		return 2;
	}
	err = parse_url(&cfg, o.url);
	if (err) {
		fprintf(stderr, "wsload: %s: %s\n", o.url,
		        err == EACCES ? "not a loopback address"
		                      : "malformed URL");
		return 2;
	}
	if (cfg.mode != WSLOAD_MODE_OPTIONS) {
		err = read_creds(o.cred_file,
		                 o.users ? o.users : WSLOAD_MAX_DEVICES, &creds,
		                 &cfg.ncreds);
		if (!err && o.users && cfg.ncreds < o.users)
			err = ENODATA;
		if (err) {
			fprintf(stderr, "wsload: %s: %s\n", o.cred_file,
			        err == ENODATA ? "fewer devices than --users"
			                       : strerror(err));
			return 2;
		}
		cfg.creds = creds;
	}
	err = raise_nofile(o.conns);
	if (err) {
		fprintf(stderr, "wsload: cannot open %u descriptors: %s\n",
		        o.conns, strerror(err));
		mem_deref(creds);
		return 1;
	}
	err = run(&o, &cfg);
	mem_deref(creds);
	if (err) {
		fprintf(stderr, "wsload: %s\n", strerror(err));
		return 1;
	}
	return 0;
}
