/* test_transp_ws.c: the SIP WebSocket adapter (RFC 7118) on a real http
 * server on 127.0.0.1, with the http tests' raw WSS client in a thread. */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "testutil.h"

#include "sip/transp.h"

#define WS_SIP "Sec-WebSocket-Protocol: sip\r\n"

static const char options[] = "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
                              "Via: SIP/2.0/WSS df7jal23ls0d.invalid;"
                              "branch=z9hG4bKws1;rport\r\n"
                              "From: <sip:a@example.test>;tag=1\r\n"
                              "To: <sip:gw@127.0.0.1>\r\n"
                              "Call-ID: overws\r\n"
                              "CSeq: 1 OPTIONS\r\n"
                              "Max-Forwards: 70\r\n\r\n";
static const char reply200[] = "SIP/2.0 200 OK\r\n"
                               "Via: SIP/2.0/WSS x\r\n"
                               "Call-ID: r\r\n"
                               "CSeq: 1 OPTIONS\r\n"
                               "Content-Length: 0\r\n\r\n";

/* Server side (loop thread). */
struct srv {
	int nrecv;
	int last_err;
	char via_params[SIP_VIA_PARAMS_MAX];
	enum sip_transp_type type;
	bool had_peer;
	struct sip_flow *kept;
	int nconn;
	int conn_err;
};

/* Client side (helper thread). */
struct cli {
	uint16_t port;
	int status;
	char resp[TC_RESP_MAX];
	long len[3];
	int op[3];
	uint8_t buf[3][2048];
	int close_op;
	bool eof;
};

static struct th th;
static struct srv srv;
static struct cli cli;

static void on_recv(struct sip_flow *flow, int err, struct sip_msg *msg,
                    void *arg)
{
	(void)arg;
	srv.nrecv++;
	srv.last_err = err;
	srv.type = sip_flow_type(flow);
	srv.had_peer =
	    sa_isset(sip_flow_peer(flow)) && sa_port(sip_flow_peer(flow)) != 0;
	sip_flow_via_params(flow, msg, srv.via_params, sizeof(srv.via_params));
	sip_flow_reply(flow, msg, (const uint8_t *)reply200,
	               sizeof(reply200) - 1);
	if (!srv.kept)
		srv.kept = mem_ref(flow);
}

static void on_conn(struct sip_flow *flow, int err, void *arg)
{
	(void)flow;
	(void)arg;
	srv.nconn++;
	srv.conn_err = err;
}

static void client_scenario(void *arg)
{
	struct cli *c = arg;
	struct tc tc;
	bool fin;
	int i;

	if (tc_connect(&tc, c->port, false, 0, 0, NULL))
		return;
	c->status = tc_ws_upgrade(&tc, WS_SIP, c->resp, sizeof(c->resp));
	if (c->status != 101)
		goto out;
	/* one SIP message, then a ping (double CRLF), then a lone CRLF */
	tc_ws_send(&tc, 1, true, options, sizeof(options) - 1);
	c->len[0] =
	    tc_ws_recv(&tc, &c->op[0], &fin, c->buf[0], sizeof(c->buf[0]) - 1);
	tc_ws_send(&tc, 1, true, "\r\n\r\n", 4);
	c->len[1] =
	    tc_ws_recv(&tc, &c->op[1], &fin, c->buf[1], sizeof(c->buf[1]) - 1);
	tc_ws_send(&tc, 2, true, options, sizeof(options) - 1); /* binary */
	c->len[2] =
	    tc_ws_recv(&tc, &c->op[2], &fin, c->buf[2], sizeof(c->buf[2]) - 1);
	for (i = 0; i < 3; i++) {
		if (c->len[i] > 0)
			c->buf[i][c->len[i]] = '\0';
	}
	/* buf[0] is reused below: check it now */
	c->len[0] =
	    strstr((char *)c->buf[0], "SIP/2.0 200 OK") ? c->len[0] : -1;
	/* a Close frame, then the server's Close and EOF */
	tc_ws_send(&tc, 8, true, "\x03\xe8", 2);
	c->eof = tc_ws_recv(&tc, &c->close_op, &fin, c->buf[0],
	                    sizeof(c->buf[0])) >= 0;
out:
	tc_close(&tc);
}

static void test_ws_flow(void **state)
{
	struct http_conf conf = {.listen_host = "127.0.0.1"};
	struct http_handlers h = {sip_transp_ws_open, sip_transp_ws_recv,
	                          sip_transp_ws_close};
	struct sip_transp_stats st;
	struct sip_transp *tp = NULL;

	(void)state;
	memset(&th, 0, sizeof(th));
	memset(&srv, 0, sizeof(srv));
	memset(&cli, 0, sizeof(cli));
	conf.cert = th_cert();
	conf.key = th_key();
	assert_int_equal(uv_loop_init(&th.loop), 0);
	assert_int_equal(sip_transp_alloc(&tp, &th.loop, on_recv, NULL), 0);
	sip_transp_set_connh(tp, on_conn);
	assert_int_equal(http_server_alloc(&th.srv, &th.loop, &conf, &h, tp),
	                 0);
	cli.port = http_server_port(th.srv);

	assert_true(th_run(&th, client_scenario, &cli, TH_RUN_MS));
	th_spin(&th, 50);
	assert_int_equal(cli.status, 101);
	/* the reply came back on the same WebSocket, as text */
	assert_int_equal(cli.op[0], 1);
	assert_true(cli.len[0] > 0);
	assert_int_equal(cli.close_op, 8);
	assert_int_equal(cli.op[1], 1);
	assert_int_equal(cli.len[1], 2); /* the pong */
	assert_memory_equal(cli.buf[1], "\r\n", 2);
	assert_true(cli.len[2] > 0);
	assert_non_null(strstr((char *)cli.buf[2], "SIP/2.0 200 OK"));
	assert_int_equal(cli.op[2], 1);
	assert_true(cli.eof);

	assert_int_equal(srv.nrecv, 2); /* text and binary; not the ping */
	assert_int_equal(srv.last_err, 0);
	assert_int_equal(srv.type, SIP_TRANSP_WSS);
	assert_true(srv.had_peer);
	assert_string_equal(srv.via_params, ""); /* RFC 7118: nothing */
	assert_true(sip_flow_reliable(srv.kept));
	/* the WebSocket closed: so did the flow */
	assert_int_equal(srv.nconn, 1);
	assert_int_equal(srv.conn_err, 0);
	assert_false(sip_flow_isopen(srv.kept));
	assert_int_equal(sip_flow_send(srv.kept, (const uint8_t *)"x", 1),
	                 ENOTCONN);
	sip_transp_stats(tp, &st);
	assert_int_equal(st.received, 2);
	assert_int_equal(st.sent, 2);
	assert_int_equal(st.conns_open, 0);

	srv.kept = mem_deref(srv.kept);
	sip_transp_close(tp);
	mem_deref(tp);
	th_stop(&th);
}

static int group_setup(void **state)
{
	(void)state;
	return th_cert_init();
}

static int group_teardown(void **state)
{
	(void)state;
	th_cert_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_ws_flow),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
