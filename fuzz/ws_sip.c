/* ws_sip.c: fuzz target for the SIP-over-WebSocket message path (RFC 7118):
 * one input is one WebSocket message, fed through transp_ws_input() into the
 * running gateway's handler (decode, checks, transactions, the answer) on a
 * flow that captures what would go back to the browser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/server.h"
#include "sip/transp_int.h"

struct fuzz_flow {
	struct sip_flow flow; /* first */
};

static struct gw_server *srv;
static struct gw_config *cfg;
static struct fuzz_flow *flow;
static uint64_t now;

/* Every answer must be a whole SIP response (never a crash, never junk). */
static int flow_send(struct sip_flow *f, const uint8_t *data, size_t len)
{
	(void)f;
	if (len < 12 || memcmp(data, "SIP/2.0 ", 8) ||
	    !memmem(data, len, "\r\n\r\n", 4))
		abort();
	return 0;
}

static int flow_send_to(struct sip_flow *f, const struct sa *dst,
			const uint8_t *data, size_t len)
{
	(void)dst;
	return flow_send(f, data, len);
}

static void flow_close(struct sip_flow *f)
{
	(void)f;
}

static bool flow_isopen(const struct sip_flow *f)
{
	(void)f;
	return true;
}

static const struct sip_flow_ops fuzz_ops = {
	.send = flow_send,
	.send_to = flow_send_to,
	.close = flow_close,
	.isopen = flow_isopen,
};

static void flow_destroy(void *data)
{
	struct fuzz_flow *ff = data;

	transp_flow_release(&ff->flow);
}

/* A gateway without listeners: the loop, the transport object and the
 * transactions, which is all a message needs once it has arrived. */
static void setup(void)
{
	char dir[] = "/tmp/sc-fuzz-ws.XXXXXX", text[512], key[64];
	struct gw_config_errors errs;
	struct store_keyring *kr;

	/* a real store in a temp dir: REGISTERs reach the credential lookup
	 * (left behind in /tmp: the process ends without a teardown) */
	if (!mkdtemp(dir))
		abort();
	snprintf(key, sizeof(key), "%s/key", dir);
	if (store_keyfile_create(&kr, key))
		abort();
	snprintf(text, sizeof(text),
		 "[server]\npublic_address = 127.0.0.1\n"
		 "control_socket = %s/ctl.sock\n"
		 "[sip]\ndomain = sipcloak.test\n"
		 "[store]\npath = %s/db\nmaster_key = %s\n"
		 "[log]\nlevel = error\n",
		 dir, dir, key);
	gw_config_errors_init(&errs);
	if (gw_config_parse(&cfg, "fuzz.ini", text, strlen(text), &errs))
		abort();
	gw_config_errors_flush(&errs);
	log_level_set(LOG_ERROR);
	if (gw_server_alloc(&srv, cfg, kr))
		abort();
	mem_deref(kr);
	flow = mem_zalloc(sizeof(*flow), flow_destroy);
	if (!flow)
		abort();
	transp_flow_init(&flow->flow, srv->tp, &fuzz_ops, SIP_TRANSP_WSS);
	sa_set(&flow->flow.peer, "127.0.0.1", 50000);
	now = tmrl_now(srv->tl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool ping;

	if (!srv)
		setup();
	if (!size || size > HTTP_WS_MSG_MAX)
		return 0;
	transp_ws_input(srv->tp, &flow->flow, data, size, &ping);
	/* Let every transaction run out, so state does not pile up. */
	now += 64 * SIP_TSX_T1 + 1;
	tmrl_poll(srv->tl, now);
	return 0;
}
