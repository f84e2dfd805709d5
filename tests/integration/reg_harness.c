/* reg_harness.c: the gateway with REGISTER handled by gw_reg (digest, bans,
 * registrar; RFC 3261 §10.3, RFC 5626, RFC 7118), for the JsSIP and SIP.js
 * integration test until the store and the server wiring land. Test only:
 * credentials come from the environment, not from the store.
 *
 *   REG_USERS="dev1:pw1,dev2:pw2" REG_REVOKED="dx" REG_BAN_PERIOD_MS=3000 \
 *   reg_harness serve -c sipcloak.ini
 *
 * Every other request goes to the server's own handler (gw_sip_recv). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/reg.h"
#include "gw/server.h"
#include "sip/transp_int.h"

#define USERS_MAX 16

struct harness {
	struct gw_server *srv;
	struct gw_reg *gr;
	struct mbuf *hdrs;
	struct mbuf *tx;
	char users[USERS_MAX][2][128]; /* name, password */
	size_t nusers;
	const char *revoked;
};

static int cred_lookup(const char *user, const char *realm,
		       enum sip_digest_alg alg, char ha1[SIP_DIGEST_HEX_MAX],
		       void *arg)
{
	struct harness *h = arg;
	struct pl u, r, p;
	size_t i;

	if (h->revoked && !strcmp(user, h->revoked))
		return EACCES;
	for (i = 0; i < h->nusers; i++) {
		if (strcmp(user, h->users[i][0]))
			continue;
		pl_set_str(&u, user);
		pl_set_str(&r, realm);
		pl_set_str(&p, h->users[i][1]);
		return sip_digest_ha1(ha1, alg, &u, &r, &p);
	}
	return ENOENT;
}

static void handle_register(struct harness *h, struct sip_flow *flow,
			    struct sip_stx *stx, const struct sip_msg *msg)
{
	char via[SIP_VIA_PARAMS_MAX], tag[GW_TAG_LEN];
	struct sip_reg_reply rep = {500, "Server Internal Error"};
	struct pl vp, tagpl;
	int err;

	mbuf_reset(h->hdrs);
	mbuf_reset(h->tx);
	err = mbuf_printf(h->hdrs, "Server: %s\r\n", GW_SERVER_NAME);
	if (!err && gw_reg_handle(h->gr, msg, flow, h->hdrs, &rep)) {
		rep.scode = 500;
		rep.reason = "Server Internal Error";
	}
	if (!err)
		err = mbuf_write_mem(h->hdrs, "", 1);
	if (sip_flow_via_params(flow, msg, via, sizeof(via)))
		via[0] = '\0';
	pl_set_str(&vp, via);
	rand_token(tag, sizeof(tag));
	pl_set_str(&tagpl, tag);
	if (!err)
		err = sip_reply_encode(h->tx, msg, rep.scode, rep.reason, &tagpl,
				       vp.l ? &vp : NULL,
				       (const char *)h->hdrs->buf, NULL, NULL);
	if (!err)
		err = sip_stx_reply(stx, rep.scode, h->tx->buf, h->tx->end);
	log_info("harness", "REGISTER %.*s: %u %s%s", PL_FMT(&msg->to.uri.user),
		 rep.scode, rep.reason, err ? " (not sent)" : "");
}

static void harness_recv(struct sip_flow *flow, int err, struct sip_msg *msg,
			 void *arg)
{
	struct harness *h = arg;
	struct sip_tsx_in in = {0};
	struct sip_flow *rf = NULL;
	uint16_t scode;
	const char *reason;

	if (err || !msg->req || pl_strcmp(&msg->method, "REGISTER") ||
	    sip_msg_check(msg, &scode, &reason)) {
		gw_sip_recv(flow, err, msg, h->srv);
		return;
	}
	/* The timer list's clock only moves when a timer fires: bring it to
	 * now before anything reads it (nonces, bans, expiry). */
	tmrl_poll(h->srv->tl, net_now_ms(&h->srv->loop));
	if (sip_flow_reply_flow(&rf, flow, msg))
		return;
	if (!sip_tsx_recv_request(h->srv->tsx, msg, rf, sip_flow_reliable(rf),
				  &in) &&
	    in.what == SIP_TSX_NEW)
		handle_register(h, rf, in.stx, msg);
	mem_deref(in.stx);
	mem_deref(in.invite);
	mem_deref(rf);
}

/* A stream flow closed: its registrations go at once (RFC 5626 §5). */
static void harness_conn(struct sip_flow *flow, int err, void *arg)
{
	struct harness *h = arg;

	(void)err;
	if (!sip_flow_isopen(flow)) {
		log_info("harness", "flow closed: %zu binding(s) before",
			 sip_registrar_count(gw_reg_registrar(h->gr), NULL));
		gw_reg_flow_closed(h->gr, flow);
	}
}

static void parse_users(struct harness *h, char *s)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(s, ",", &save); tok && h->nusers < USERS_MAX;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');

		if (!colon)
			continue;
		*colon = '\0';
		snprintf(h->users[h->nusers][0], sizeof(h->users[0][0]), "%s",
			 tok);
		snprintf(h->users[h->nusers][1], sizeof(h->users[0][1]), "%s",
			 colon + 1);
		h->nusers++;
	}
}

int main(int argc, char **argv)
{
	struct gw_config_errors errs;
	struct gw_config *cfg = NULL;
	struct harness h;
	struct gw_reg_conf conf;
	const char *env;
	int err;

	memset(&h, 0, sizeof(h));
	memset(&conf, 0, sizeof(conf));
	if (argc != 4 || strcmp(argv[1], "serve") || strcmp(argv[2], "-c")) {
		fprintf(stderr, "usage: reg_harness serve -c FILE\n");
		return 2;
	}
	gw_config_errors_init(&errs);
	err = gw_config_load(&cfg, argv[3], &errs);
	gw_config_errors_flush(&errs);
	if (err) {
		fprintf(stderr, "config: %s\n", strerror(err));
		return 1;
	}
	log_level_set(cfg->log.level);
	signal(SIGPIPE, SIG_IGN);
	env = getenv("REG_USERS");
	if (env) {
		char *copy = strdup(env);

		if (copy)
			parse_users(&h, copy);
		free(copy);
	}
	h.revoked = getenv("REG_REVOKED");
	env = getenv("REG_BAN_PERIOD_MS");
	conf.bans.period_ms = env ? strtoull(env, NULL, 10) : 0;
	conf.domain = cfg->sip.domain;
	conf.credh = cred_lookup;
	conf.arg = &h;

	err = gw_server_alloc(&h.srv, cfg);
	if (!err)
		err = gw_reg_alloc(&h.gr, h.srv->tl, &conf);
	if (!err)
		err = mbuf_alloc(&h.hdrs, 4096);
	if (!err)
		err = mbuf_alloc(&h.tx, 8192);
	if (err) {
		fprintf(stderr, "not started: %s\n", strerror(err));
		return 1;
	}
	/* Test only: take the transport's handlers over. */
	h.srv->tp->recvh = harness_recv;
	h.srv->tp->arg = &h;
	sip_transp_set_connh(h.srv->tp, harness_conn);
	log_info("harness", "serving %s with %zu device(s)", cfg->sip.domain,
		 h.nusers);
	gw_server_run(h.srv);
	/* Bindings hold flows and timers on srv->tl: they go first. */
	h.gr = mem_deref(h.gr);
	gw_server_close(h.srv);
	mem_deref(h.srv);
	mem_deref(h.hdrs);
	mem_deref(h.tx);
	mem_deref(cfg);
	log_info("harness", "stopped");
	return 0;
}
