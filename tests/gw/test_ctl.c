/* test_ctl.c: the control socket (ctl.h): the request parser, the command
 * dispatch on a real gateway (temp store and keyring), and the socket
 * itself with the CLI's client in a thread while the loop runs. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gw/ctl.h"
#include "gw/server.h"
#include "sip/transp_int.h"
#include "testutil.h"

#define PUMP_MS 5000 /* longest a socket test waits for the loop */

/* The parser reads exactly len bytes: a malloc'd copy without a NUL lets
 * ASan catch any read past them. The request's views point into it: it
 * lives until the next call (parse(NULL, NULL) frees it). */
static char *parsed;

static int parse(struct gw_ctl_req *req, const char *s)
{
	size_t n;

	free(parsed);
	parsed = NULL;
	if (!s)
		return 0;
	n = strlen(s);
	parsed = malloc(n ? n : 1);
	assert_non_null(parsed);
	memcpy(parsed, s, n);
	return gw_ctl_req_parse(req, parsed, n);
}

static void test_ctl_parse_ok(void **state)
{
	struct gw_ctl_req req;

	(void)state;
	assert_int_equal(parse(&req, "{\"cmd\":\"device_gone\","
				     "\"sip_username\":\"dabc\"}"),
			 0);
	assert_int_equal(req.cmd, GW_CTL_DEVICE_GONE);
	assert_int_equal(pl_strcmp(&req.arg, "dabc"), 0);

	assert_int_equal(parse(&req, " { \"sip_usernames\" : [ \"a\" , \"bb\" ]"
				     ", \"x\":{\"y\":[1,-2,true,null]},"
				     "\"cmd\":\"registrations\" }\r\n"),
			 0);
	assert_int_equal(req.cmd, GW_CTL_REGISTRATIONS);
	assert_int_equal(req.names_n, 2);
	assert_int_equal(pl_strcmp(&req.names[1], "bb"), 0);

	assert_int_equal(parse(&req, "{\"cmd\":\"registrations\","
				     "\"sip_usernames\":[]}"),
			 0);
	assert_int_equal(req.names_n, 0);
	assert_int_equal(parse(&req, "{\"cmd\":\"bans\"}"), 0);
	assert_int_equal(req.cmd, GW_CTL_BANS);
	assert_int_equal(parse(&req, "{\"key\":\"2001:db8::/64\",\"cmd\":"
				     "\"ban_clear\"}"),
			 0);
	assert_int_equal(req.cmd, GW_CTL_BAN_CLEAR);
	assert_int_equal(pl_strcmp(&req.arg, "2001:db8::/64"), 0);
}

static void test_ctl_parse_bad(void **state)
{
	static const struct {
		const char *line;
		int err;
	} bad[] = {
	    {"", EBADMSG},
	    {"[]", EBADMSG},
	    {"{}", EBADMSG},
	    {"{\"cmd\":\"nope\"}", ENOTSUP},
	    {"{\"cmd\":1}", EBADMSG},
	    {"{\"cmd\":\"device_gone\"}", EBADMSG},
	    {"{\"cmd\":\"device_gone\",\"sip_username\":\"\"}", EBADMSG},
	    {"{\"cmd\":\"device_gone\",\"sip_username\":\"a\\\"b\"}", EBADMSG},
	    {"{\"cmd\":\"registrations\"}", EBADMSG},
	    {"{\"cmd\":\"registrations\",\"sip_usernames\":\"a\"}", EBADMSG},
	    {"{\"cmd\":\"registrations\",\"sip_usernames\":[1]}", EBADMSG},
	    {"{\"cmd\":\"bans\"} x", EBADMSG},
	    {"{\"cmd\":\"bans\",}", EBADMSG},
	    {"{,\"cmd\":\"bans\"}", EBADMSG},
	    {"{\"cmd\" \"bans\"}", EBADMSG},
	    {"{\"cmd\":\"bans\" \"a\":1}", EBADMSG},
	    {"{\"cmd\":\"bans\",\"n\":01}", EBADMSG},
	    {"{\"cmd\":\"bans\",\"n\":1.5}", EBADMSG},
	    {"{\"cmd\":\"bans\",\"n\":99999999999999999999999}", EOVERFLOW},
	    {"{\"cmd\":\"bans\",\"n\":[[[[[[[[[[1]]]]]]]]]]}", EOVERFLOW},
	    {"{\"cmd\":\"bans\",\"s\":\"a\x01\"}", EBADMSG},
	};
	struct gw_ctl_req req;
	char line[700];
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++)
		assert_int_equal(parse(&req, bad[i].line), bad[i].err);
	/* a string over GW_CTL_STR_MAX */
	snprintf(line, sizeof(line), "{\"cmd\":\"ban_clear\",\"key\":\"%0*d\"}",
		 GW_CTL_STR_MAX + 1, 0);
	assert_int_equal(parse(&req, line), EOVERFLOW);
	snprintf(line, sizeof(line), "{\"cmd\":\"ban_clear\",\"key\":\"%0*d\"}",
		 GW_CTL_STR_MAX, 0);
	assert_int_equal(parse(&req, line), 0);
	/* more names than GW_CTL_NAMES_MAX */
	strcpy(line, "{\"cmd\":\"registrations\",\"sip_usernames\":[\"a\"");
	for (i = 1; i <= GW_CTL_NAMES_MAX; i++)
		strcat(line, ",\"a\"");
	strcat(line, "]}");
	assert_int_equal(parse(&req, line), EOVERFLOW);
}

/* Every cut of a valid request fails cleanly, never reading past it. */
static void test_ctl_parse_cuts(void **state)
{
	static const char line[] = "{\"cmd\":\"registrations\","
				   "\"sip_usernames\":[\"ab\",\"cd\"],"
				   "\"x\":[true,false,null,12]}";
	struct gw_ctl_req req;
	char buf[sizeof(line)];
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(line) - 1; n++) {
		memcpy(buf, line, n);
		buf[n] = '\0';
		assert_int_not_equal(parse(&req, buf), 0);
	}
	assert_int_equal(parse(&req, line), 0);
}

/*
 * A real gateway over a temp store; bindings made through its registrar
 * with a stand-in flow (the transport's flows need a peer on the wire).
 */
struct fixture {
	char dir[64];
	char sock[96];
	struct store_keyring *kr;
	struct gw_config *cfg;
	struct gw_server *srv;
	struct mbuf *resp;
	char *srv_sock; /* the config's own string (the server's socket, once
			 * server.c opens one), put back before it is freed */
};

static bool fake_isopen(const struct sip_flow *f)
{
	(void)f;
	return true;
}

static const struct sip_flow_ops fake_ops = {.isopen = fake_isopen};
static struct sip_transp fake_tp;

static struct sip_flow *fake_flow(void)
{
	struct sip_flow *f = mem_zalloc(sizeof(*f), NULL);

	assert_non_null(f);
	f->ops = &fake_ops;
	f->tp = &fake_tp;
	f->type = SIP_TRANSP_WSS;
	assert_int_equal(sa_set(&f->peer, "192.0.2.7", 41234), 0);
	return f;
}

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

static void fx_open(struct fixture *fx)
{
	struct gw_config_errors errs;
	char text[768], path[128];

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/sc-ctl.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/key", fx->dir);
	snprintf(fx->sock, sizeof(fx->sock), "%s/ctl.sock", fx->dir);
	assert_int_equal(store_keyfile_create(&fx->kr, path), 0);
	snprintf(text, sizeof(text),
		 "[server]\npublic_address = 127.0.0.1\n"
		 "control_socket = %s/srv.sock\n"
		 "[sip]\ndomain = example.com\nudp = 127.0.0.1:%u\n"
		 "[store]\npath = %s/db\nmaster_key = %s\n"
		 "[log]\nlevel = error\n",
		 fx->dir, free_udp_port(), fx->dir, path);
	gw_config_errors_init(&errs);
	assert_int_equal(
	    gw_config_parse(&fx->cfg, "test.ini", text, strlen(text), &errs),
	    0);
	gw_config_errors_flush(&errs);
	log_level_set(fx->cfg->log.level);
	assert_int_equal(gw_server_alloc(&fx->srv, fx->cfg, fx->kr), 0);
	assert_int_equal(mbuf_alloc(&fx->resp, 512), 0);
	/* the tests' own gw_ctl listens here, apart from the server's */
	fx->srv_sock = fx->cfg->server.control_socket;
	fx->cfg->server.control_socket = fx->sock;
}

static void fx_close(struct fixture *fx)
{
	static const char *const files[] = {
	    "db", "db-wal", "db-shm", "key", "ctl.sock", "srv.sock", "file"};
	char path[128];
	size_t i;

	mem_deref(fx->resp);
	gw_server_close(fx->srv);
	mem_deref(fx->srv);
	fx->cfg->server.control_socket = fx->srv_sock;
	mem_deref(fx->cfg);
	mem_deref(fx->kr);
	for (i = 0; i < SC_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", fx->dir, files[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(fx->dir), 0);
}

static void reg_one(struct fixture *fx, struct sip_flow *flow, const char *user)
{
	struct sip_msg *msg = malloc(sizeof(*msg));
	struct sip_reg_reply rep = {0};
	struct mbuf *hdrs = NULL;
	char buf[512];
	int n;

	assert_non_null(msg);
	n = snprintf(buf, sizeof(buf),
		     "REGISTER sip:example.com SIP/2.0\r\n"
		     "Via: SIP/2.0/WSS h.invalid;branch=z9hG4bKb1\r\n"
		     "Max-Forwards: 70\r\nFrom: <sip:%s@example.com>;tag=1\r\n"
		     "To: <sip:%s@example.com>\r\nCall-ID: c1\r\n"
		     "CSeq: 1 REGISTER\r\n"
		     "Contact: <sip:x@r4nd0m.invalid;transport=ws>\r\n"
		     "Content-Length: 0\r\n\r\n",
		     user, user);
	assert_int_equal(sip_msg_decode(msg, buf, (size_t)n), 0);
	assert_int_equal(mbuf_alloc(&hdrs, 256), 0);
	assert_int_equal(sip_registrar_register(gw_reg_registrar(fx->srv->reg),
						user, msg, flow, hdrs, &rep),
			 0);
	assert_int_equal(rep.scode, 200);
	mem_deref(hdrs);
	free(msg);
}

/* Dispatches one request line; the response is NUL-terminated in resp. */
static const char *run(struct fixture *fx, const char *line)
{
	struct gw_ctl_req req;

	mbuf_reset(fx->resp);
	assert_int_equal(parse(&req, line), 0);
	assert_int_equal(gw_ctl_dispatch(fx->srv, &req, fx->resp), 0);
	assert_int_equal(mbuf_write_mem(fx->resp, "", 1), 0);
	return (const char *)fx->resp->buf;
}

static void test_ctl_dispatch(void **state)
{
	struct fixture fx;
	struct sip_flow *flow;
	struct gw_bans *bans;
	const char *r;
	unsigned i;

	(void)state;
	fx_open(&fx);
	flow = fake_flow();
	reg_one(&fx, flow, "dev1");

	r = run(&fx, "{\"cmd\":\"registrations\",\"sip_usernames\":"
		     "[\"dev1\",\"dev2\"]}");
	assert_non_null(strstr(r, "{\"sip_username\":\"dev1\",\"contacts\":1,"
				  "\"bindings\":[{\"since\":"));
	assert_non_null(strstr(r, "\"address\":\"192.0.2.7:41234\","
				  "\"transport\":\"WSS\"}]}"));
	assert_non_null(strstr(r, "{\"sip_username\":\"dev2\",\"contacts\":0,"
				  "\"bindings\":[]}]}\n"));
	assert_int_equal(strncmp(r, "{\"ok\":true,", 11), 0);

	r = run(&fx, "{\"cmd\":\"device_gone\",\"sip_username\":\"dev1\"}");
	assert_string_equal(r, "{\"ok\":true,\"removed\":1}\n");
	assert_int_equal(
	    sip_registrar_count(gw_reg_registrar(fx.srv->reg), "dev1"), 0);
	r = run(&fx, "{\"cmd\":\"device_gone\",\"sip_username\":\"dev1\"}");
	assert_string_equal(r, "{\"ok\":true,\"removed\":0}\n");

	/* bans: a source and an account */
	r = run(&fx, "{\"cmd\":\"bans\"}");
	assert_string_equal(r, "{\"ok\":true,\"bans\":[]}\n");
	bans = gw_reg_auth(fx.srv->reg)->bans;
	for (i = 0; i < fx.cfg->auth.max_failures; i++) {
		gw_bans_fail(bans, GW_BAN_SOURCE, "192.0.2.9",
			     tmrl_now(fx.srv->tl), NULL);
		gw_bans_fail(bans, GW_BAN_ACCOUNT, "dev3", tmrl_now(fx.srv->tl),
			     NULL);
	}
	r = run(&fx, "{\"cmd\":\"bans\"}");
	assert_non_null(strstr(r, "{\"key\":\"192.0.2.9\",\"table\":\"source\","
				  "\"remaining\":300,\"failures\":1}"));
	assert_non_null(strstr(r, "{\"key\":\"dev3\",\"table\":\"account\","));
	r = run(&fx, "{\"cmd\":\"ban_clear\",\"key\":\"192.0.2.9\"}");
	assert_string_equal(r, "{\"ok\":true,\"cleared\":[\"source\"]}\n");
	r = run(&fx, "{\"cmd\":\"ban_clear\",\"key\":\"192.0.2.9\"}");
	assert_string_equal(r, "{\"ok\":false,\"error\":\"not found\"}\n");
	r = run(&fx, "{\"cmd\":\"ban_clear\",\"key\":\"dev3\"}");
	assert_string_equal(r, "{\"ok\":true,\"cleared\":[\"account\"]}\n");
	r = run(&fx, "{\"cmd\":\"bans\"}");
	assert_string_equal(r, "{\"ok\":true,\"bans\":[]}\n");

	mem_deref(flow);
	fx_close(&fx);
}

/* The CLI's blocking client, in a thread while the test runs the loop. */
struct call {
	const char *path;
	char req[GW_CTL_LINE_MAX + 16];
	struct mbuf *resp;
	int err;
	volatile int done;
};

static void *call_thread(void *arg)
{
	struct call *c = arg;

	c->err = gw_ctl_call(c->path, c->req, c->resp);
	__atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int call_pump(struct fixture *fx, struct call *c)
{
	pthread_t t;
	int i;

	c->path = fx->sock;
	c->done = 0;
	assert_int_equal(pthread_create(&t, NULL, call_thread, c), 0);
	for (i = 0; i < PUMP_MS && !__atomic_load_n(&c->done, __ATOMIC_SEQ_CST);
	     i++) {
		uv_run(&fx->srv->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	return c->err;
}

static void test_ctl_socket(void **state)
{
	struct fixture fx;
	struct gw_ctl *ctl = NULL;
	struct call *c = calloc(1, sizeof(*c));
	struct stat st;
	char path[128], *orig;
	int fd;

	(void)state;
	assert_non_null(c);
	fx_open(&fx);
	assert_int_equal(mbuf_alloc(&c->resp, 64), 0);

	/* no server: the CLI hears "not running" */
	snprintf(c->req, sizeof(c->req), "{\"cmd\":\"bans\"}");
	c->path = fx.sock;
	call_thread(c);
	assert_true(gw_ctl_down(c->err));

	/* a file that is not a socket is refused */
	snprintf(path, sizeof(path), "%s/file", fx.dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	orig = fx.cfg->server.control_socket;
	fx.cfg->server.control_socket = path;
	assert_int_equal(gw_ctl_alloc(&ctl, fx.srv), EEXIST);
	fx.cfg->server.control_socket = orig;

	assert_int_equal(gw_ctl_alloc(&ctl, fx.srv), 0);
	assert_int_equal(lstat(fx.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(call_pump(&fx, c), 0);
	assert_string_equal((char *)c->resp->buf, "{\"ok\":true,\"bans\":[]}");
	snprintf(c->req, sizeof(c->req), "{\"cmd\":\"what\"}");
	assert_int_equal(call_pump(&fx, c), 0);
	assert_string_equal((char *)c->resp->buf,
			    "{\"ok\":false,\"error\":\"unknown cmd\"}");
	snprintf(c->req, sizeof(c->req), "not json");
	assert_int_equal(call_pump(&fx, c), 0);
	assert_string_equal((char *)c->resp->buf,
			    "{\"ok\":false,\"error\":\"malformed request\"}");
	/* a line over the limit: the client refuses to send it */
	memset(c->req, 'x', GW_CTL_LINE_MAX);
	c->req[GW_CTL_LINE_MAX] = '\0';
	assert_int_equal(call_pump(&fx, c), EOVERFLOW);

	/* a second server on the same path is refused while one listens */
	{
		struct gw_ctl *two = NULL;

		assert_int_equal(gw_ctl_alloc(&two, fx.srv), EADDRINUSE);
	}
	gw_ctl_close(ctl);
	ctl = mem_deref(ctl);
	uv_run(&fx.srv->loop, UV_RUN_NOWAIT);
	assert_int_equal(lstat(fx.sock, &st), -1); /* unlinked */

	mem_deref(c->resp);
	free(c);
	fx_close(&fx);
}

/* A server line over GW_CTL_LINE_MAX gets an error and the close; a stale
 * socket left by a crashed server is replaced. */
static void test_ctl_limits(void **state)
{
	struct fixture fx;
	struct gw_ctl *ctl = NULL;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *big = malloc(GW_CTL_LINE_MAX + 1), reply[256];
	size_t got = 0;
	ssize_t r;
	int fd, i;

	(void)state;
	assert_non_null(big);
	fx_open(&fx);
	/* a stale socket: bound, then its owner gone */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, fx.sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(gw_ctl_alloc(&ctl, fx.srv), 0);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	memset(big, 'x', GW_CTL_LINE_MAX + 1);
	for (i = 0; i < PUMP_MS && got < GW_CTL_LINE_MAX + 1; i++) {
		r = send(fd, big + got, GW_CTL_LINE_MAX + 1 - got, 0);
		if (r > 0)
			got += (size_t)r;
		uv_run(&fx.srv->loop, UV_RUN_NOWAIT);
	}
	got = 0;
	for (i = 0; i < PUMP_MS; i++) {
		uv_run(&fx.srv->loop, UV_RUN_NOWAIT);
		r = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (r == 0)
			break; /* closed after the answer */
		if (r > 0)
			got += (size_t)r;
		usleep(1000);
	}
	reply[got] = '\0';
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"request line "
				   "too long\"}\n");
	close(fd);

	gw_ctl_close(ctl);
	mem_deref(ctl);
	free(big);
	fx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_ctl_parse_ok),   SC_TEST(test_ctl_parse_bad),
	    SC_TEST(test_ctl_parse_cuts), SC_TEST(test_ctl_dispatch),
	    SC_TEST(test_ctl_socket),     SC_TEST(test_ctl_limits),
	};

	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	parse(NULL, NULL);
	return ret;
}
