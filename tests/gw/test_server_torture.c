/* test_server_torture.c: the running gateway's answer, over real UDP, to
 * every RFC 4475 and RFC 5118 message (tests/sip/torture/) and to a few
 * requests of our own: one test per message. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw/server.h"
#include "testutil.h"

#define TORTURE_DIR "../sip/torture/"
/* Replies go where the Via says (RFC 3261 §18.2.2): to the source address
 * and the Via port. Sending from a loopback address of our own lets the
 * test bind those ports without meeting anything else on 127.0.0.1. */
#define CLIENT_ADDR "127.0.0.83"
#define NO_REPLY_MS 300
#define REPLY_MS 3000

struct expect {
	const char *file; /* under TORTURE_DIR, or NULL: text is the message */
	uint16_t scode;	  /* 0: no response may come back */
	const char *text;
};

/*
 * The gateway's domain is example.com here, so a REGISTER for example.com
 * reaches the registrar: 401 (challenge: no credentials), 403 (a To outside
 * our domain: RFC 4475 §3.3.4's isbn: URI), 400 (credentials of an unknown
 * scheme). An INVITE is a call: from an unknown source it is a device's
 * and gets the digest challenge (401), and with a To tag it names a dialog
 * that does not exist (481); a MESSAGE whose body is not text/plain gets
 * 415; other requests for users get 404, unknown methods 501, and what
 * sip_msg_check() refuses its code.
 */
static const struct expect expects[] = {
	{"rfc4475-3.1.1.1-wsinv.sip", 481, NULL},
	{"rfc4475-3.1.1.2-intmeth.sip", 501, NULL},
	{"rfc4475-3.1.1.3-esc01.sip", 401, NULL},
	{"rfc4475-3.1.1.4-escnull.sip", 401, NULL},
	{"rfc4475-3.1.1.5-esc02.sip", 501, NULL},
	{"rfc4475-3.1.1.6-lwsdisp.sip", 404, NULL},
	{"rfc4475-3.1.1.7-longreq.sip", 401, NULL},
	{"rfc4475-3.1.1.8-dblreq.sip", 401, NULL},
	{"rfc4475-3.1.1.9-semiuri.sip", 404, NULL},
	{"rfc4475-3.1.1.10-transports.sip", 404, NULL},
	{"rfc4475-3.1.1.11-mpart01.sip", 415, NULL},
	{"rfc4475-3.1.1.12-unreason.sip", 0, NULL},
	{"rfc4475-3.1.1.13-noreason.sip", 0, NULL},
	{"rfc4475-3.1.2.1-badinv01.sip", 400, NULL},
	{"rfc4475-3.1.2.2-clerr.sip", 400, NULL},
	{"rfc4475-3.1.2.3-ncl.sip", 400, NULL},
	{"rfc4475-3.1.2.4-scalar02.sip", 400, NULL},
	{"rfc4475-3.1.2.5-scalarlg.sip", 0, NULL},
	{"rfc4475-3.1.2.6-quotbal.sip", 400, NULL},
	{"rfc4475-3.1.2.7-ltgtruri.sip", 400, NULL},
	{"rfc4475-3.1.2.8-lwsruri.sip", 400, NULL},
	{"rfc4475-3.1.2.9-lwsstart.sip", 400, NULL},
	{"rfc4475-3.1.2.10-trws.sip", 400, NULL},
	{"rfc4475-3.1.2.11-escruri.sip", 400, NULL},
	{"rfc4475-3.1.2.12-baddate.sip", 401, NULL},
	{"rfc4475-3.1.2.13-regbadct.sip", 400, NULL},
	{"rfc4475-3.1.2.14-badaspec.sip", 404, NULL},
	{"rfc4475-3.1.2.15-baddn.sip", 400, NULL},
	{"rfc4475-3.1.2.16-badvers.sip", 505, NULL},
	{"rfc4475-3.1.2.17-mismatch01.sip", 400, NULL},
	{"rfc4475-3.1.2.18-mismatch02.sip", 400, NULL},
	{"rfc4475-3.1.2.19-bigcode.sip", 0, NULL},
	/* a branch that is the bare cookie still identifies a transaction */
	{"rfc4475-3.2.1-badbranch.sip", 404, NULL},
	/* no Call-ID, From or To: no response can be built */
	{"rfc4475-3.3.1-insuf.sip", 0, NULL},
	{"rfc4475-3.3.2-unkscm.sip", 416, NULL},
	{"rfc4475-3.3.3-novelsc.sip", 416, NULL},
	{"rfc4475-3.3.4-unksm2.sip", 403, NULL},
	/* §8.2.2.1 (404 for the user) comes before §8.2.2.3 (420) */
	{"rfc4475-3.3.5-bext01.sip", 404, NULL},
	{"rfc4475-3.3.6-invut.sip", 401, NULL},
	{"rfc4475-3.3.7-regaut01.sip", 400, NULL},
	{"rfc4475-3.3.8-multi01.sip", 400, NULL},
	{"rfc4475-3.3.9-mcl01.sip", 400, NULL},
	{"rfc4475-3.3.10-bcast.sip", 0, NULL},
	{"rfc4475-3.3.11-zeromf.sip", 483, NULL},
	{"rfc4475-3.3.12-cparam01.sip", 401, NULL},
	{"rfc4475-3.3.13-cparam02.sip", 401, NULL},
	{"rfc4475-3.3.14-regescrt.sip", 401, NULL},
	{"rfc4475-3.3.15-sdp01.sip", 401, NULL},
	/* RFC 2543 request without an RFC 3261 branch: matched by the
	 * §17.2.3 fallback, then answered like any other */
	{"rfc4475-3.4.1-inv2543.sip", 401, NULL},
	{"rfc5118-4.1-ipv6-good.sip", 404, NULL},
	{"rfc5118-4.2-ipv6-bad.sip", 400, NULL},
	{"rfc5118-4.3-port-ambiguous.sip", 404, NULL},
	{"rfc5118-4.4-port-unambiguous.sip", 404, NULL},
	{"rfc5118-4.5-via-received-param-with-delim.sip", 481, NULL},
	{"rfc5118-4.5-via-received-param-no-delim.sip", 404, NULL},
	{"rfc5118-4.6-ipv6-in-sdp.sip", 400, NULL},
	{"rfc5118-4.7-mult-ip-in-header.sip", 481, NULL},
	{"rfc5118-4.8-mult-ip-in-sdp.sip", 401, NULL},
	{"rfc5118-4.9-ipv4-mapped-ipv6.sip", 401, NULL},
	{"rfc5118-4.10-ipv6-bug-abnf-3-colons.sip", 400, NULL},
	{"rfc5118-4.10-ipv6-correct-abnf-2-colons.sip", 404, NULL},
	/* our own */
	{NULL, 200,
	 "OPTIONS sip:example.com SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP " CLIENT_ADDR ":5099;branch=z9hG4bKopt1\r\n"
	 "From: <sip:a@example.org>;tag=1\r\nTo: <sip:example.com>\r\n"
	 "Call-ID: opt1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{NULL, 420,
	 "OPTIONS sip:example.com SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP " CLIENT_ADDR ":5099;branch=z9hG4bKreq1\r\n"
	 "From: <sip:a@example.org>;tag=1\r\nTo: <sip:example.com>\r\n"
	 "Call-ID: req1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	 "Require: nonsenseext\r\nContent-Length: 0\r\n\r\n"},
	{NULL, 481,
	 "CANCEL sip:example.com SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP " CLIENT_ADDR ":5099;branch=z9hG4bKcan1\r\n"
	 "From: <sip:a@example.org>;tag=1\r\nTo: <sip:example.com>\r\n"
	 "Call-ID: can1\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{NULL, 0, /* a stray ACK is never answered */
	 "ACK sip:example.com SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP " CLIENT_ADDR ":5099;branch=z9hG4bKack1\r\n"
	 "From: <sip:a@example.org>;tag=1\r\nTo: <sip:example.com>;tag=2\r\n"
	 "Call-ID: ack1\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{NULL, 200, /* rport: the answer comes back to the source port */
	 "OPTIONS sip:example.com SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP 192.0.2.9:7777;rport;branch=z9hG4bKrp1\r\n"
	 "From: <sip:a@example.org>;tag=1\r\nTo: <sip:example.com>\r\n"
	 "Call-ID: rp1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	 "Content-Length: 0\r\n\r\n"},
};

struct fixture {
	struct gw_config *cfg;
	struct gw_server *srv;
	uint16_t port;
	size_t live_before;
	char dir[64];	/* temp dir: the store and its master key */
	struct store_keyring *kr;
};

static struct fixture fx;

static uint16_t free_udp_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* A fresh gateway per message: several torture messages share a branch,
 * which would make later ones retransmissions of earlier ones. */
static int setup(void **state)
{
	struct gw_config_errors errs;
	char text[512];
	int err;

	(void)state;
	fx.live_before = mem_live();
	fx.port = free_udp_port();
	snprintf(text, sizeof(text),
		 "[server]\npublic_address = 127.0.0.1\n"
		 "control_socket = %s/ctl.sock\n"
		 "[sip]\ndomain = example.com\nudp = 127.0.0.1:%u\n"
		 "[store]\npath = %s/db\nmaster_key = %s/key\n"
		 "[log]\nlevel = error\n",
		 fx.dir, fx.port, fx.dir, fx.dir);
	gw_config_errors_init(&errs);
	err = gw_config_parse(&fx.cfg, "test.ini", text, strlen(text), &errs);
	gw_config_errors_flush(&errs);
	if (err)
		return -1;
	log_level_set(fx.cfg->log.level);
	return gw_server_alloc(&fx.srv, fx.cfg, fx.kr) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	gw_server_close(fx.srv);
	fx.srv = mem_deref(fx.srv);
	fx.cfg = mem_deref(fx.cfg);
	if (mem_live() != fx.live_before) {
		fprintf(stderr, "leak: %zu allocation(s) left over\n",
			mem_live() - fx.live_before);
		return -1;
	}
	return 0;
}

static char *read_file(const char *name, size_t *lenp)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s%s", TORTURE_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}

/* The port the gateway will answer to: the top Via's, 5060 when absent or
 * when the message is too broken to say; the source port with rport. Also
 * the Call-ID, to tell our answer from a late retransmission of an
 * earlier test's. */
static uint16_t reply_port(const char *buf, size_t len, bool *rportp,
			   char *callid, size_t size)
{
	struct sip_msg *msg = malloc(sizeof(*msg));
	uint16_t port;

	assert_non_null(msg);
	sip_msg_decode(msg, buf, len);
	port = msg->via.port ? msg->via.port : 5060;
	*rportp = msg->via.rport;
	if (pl_strcpy(&msg->callid, callid, size))
		callid[0] = '\0';
	free(msg);
	return port;
}

/* Whether a response carries this Call-ID (any header form). */
static bool has_callid(const char *reply, size_t n, const char *callid)
{
	struct sip_msg *msg = malloc(sizeof(*msg));
	bool yes;

	assert_non_null(msg);
	/* The answer to a malformed request repeats its malformed headers,
	 * so it may not decode cleanly: the Call-ID is what counts. */
	sip_msg_decode(msg, reply, n);
	yes = !msg->req && !pl_strcmp(&msg->callid, callid);
	free(msg);
	return yes;
}

static int client_socket(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), on = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	inet_pton(AF_INET, CLIENT_ADDR, &a.sin_addr);
	a.sin_port = htons(port);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Runs the gateway's loop until a response for callid arrives on fd or ms
 * pass. Returns its length, or 0. */
static size_t await_reply(int fd, const char *callid, char *buf, size_t size,
			  int ms)
{
	int waited;

	for (waited = 0; waited < ms; waited += 5) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		uv_run(&fx.srv->loop, UV_RUN_NOWAIT);
		if (poll(&p, 1, 5) > 0) {
			n = recv(fd, buf, size - 1, 0);
			if (n > 0 && has_callid(buf, (size_t)n, callid)) {
				buf[n] = '\0';
				return (size_t)n;
			}
		}
	}
	return 0;
}

static void test_message(void **state)
{
	const struct expect *e = *state;
	struct sockaddr_in gw = {.sin_family = AF_INET};
	char *msg, reply[8192], callid[256];
	size_t len, n;
	bool rport;
	int fd;

	if (e->file) {
		msg = read_file(e->file, &len);
	} else {
		len = strlen(e->text);
		msg = malloc(len);
		assert_non_null(msg);
		memcpy(msg, e->text, len);
	}
	fd = client_socket(
		reply_port(msg, len, &rport, callid, sizeof(callid)));
	if (rport) { /* answered to the source port: any port will do */
		close(fd);
		fd = client_socket(0);
	}
	gw.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	gw.sin_port = htons(fx.port);
	assert_int_equal(sendto(fd, msg, len, 0, (struct sockaddr *)&gw,
				sizeof(gw)),
			 (ssize_t)len);
	n = await_reply(fd, callid, reply, sizeof(reply),
			e->scode ? REPLY_MS : NO_REPLY_MS);
	close(fd);
	free(msg);
	if (!e->scode) {
		assert_int_equal(n, 0);
		return;
	}
	if (n && atoi(reply + 8) != e->scode)
		fprintf(stderr, "got: %.*s\n", (int)strcspn(reply, "\r"), reply);
	assert_true(n > 12);
	assert_memory_equal(reply, "SIP/2.0 ", 8);
	assert_int_equal(atoi(reply + 8), e->scode);
	/* a response names the gateway and always carries Content-Length */
	/* (memmem: RFC 4475 §3.1.1.2 carries a NUL inside its To header) */
	assert_non_null(memmem(reply, n, "\r\nServer: sipcloak/", 19));
	assert_non_null(memmem(reply, n, "\r\nContent-Length: ", 18));
}

/* The store and key every test's gateway opens; they are not part of the
 * leak check, which counts from setup(). */
static int store_files(bool create)
{
	static const char *const files[] = {"db", "db-wal", "db-shm", "key"};
	char path[128];
	size_t i;

	if (create) {
		snprintf(fx.dir, sizeof(fx.dir), "/tmp/sc-torture.XXXXXX");
		if (!mkdtemp(fx.dir))
			return -1;
		snprintf(path, sizeof(path), "%s/key", fx.dir);
		return store_keyfile_create(&fx.kr, path) ? -1 : 0;
	}
	fx.kr = mem_deref(fx.kr);
	for (i = 0; i < SC_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", fx.dir, files[i]);
		unlink(path);
	}
	return rmdir(fx.dir);
}

int main(void)
{
	struct CMUnitTest tests[SC_ARRAY_SIZE(expects)];
	char names[SC_ARRAY_SIZE(expects)][96];
	size_t i;
	int ret;

	if (store_files(true)) {
		perror("torture: temp store");
		return 1;
	}
	for (i = 0; i < SC_ARRAY_SIZE(expects); i++) {
		snprintf(names[i], sizeof(names[i]), "%s",
			 expects[i].file ? expects[i].file : "");
		if (!expects[i].file)
			snprintf(names[i], sizeof(names[i]), "own-%zu-%u", i,
				 expects[i].scode);
		tests[i] = (struct CMUnitTest){
			.name = names[i],
			.test_func = test_message,
			.setup_func = setup,
			.teardown_func = teardown,
			.initial_state = (void *)&expects[i],
		};
	}
	ret = _cmocka_run_group_tests("server_torture", tests, i, NULL, NULL);
	store_files(false);
	return ret;
}
