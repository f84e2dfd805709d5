/* gw_reg.c: fuzzes the gateway's REGISTER handling (RFC 3261 §10.3, §22.3):
 * domain and Require checks, credentials lookup among several headers,
 * digest verdicts, bans and the registrar behind them. One gw_reg per
 * process (harness only), so bans and nonces see many inputs. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "gw/reg.h"
#include "sip/transp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake_flow {
	struct sip_flow flow; /* first */
	bool open;
};

static bool fake_isopen(const struct sip_flow *f)
{
	return ((const struct fake_flow *)f)->open;
}

static const struct sip_flow_ops fake_ops = {.isopen = fake_isopen};
static struct sip_transp fake_tp;

static int cred_lookup(const char *user, const char *realm,
		       enum sip_digest_alg alg, char ha1[SIP_DIGEST_HEX_MAX],
		       void *arg)
{
	struct pl u, r, p = PL("Xq3v9TzL0pWcB7sN2mKe4RyH8uJd6fGa");

	(void)arg;
	if (!strcmp(user, "drevoked"))
		return EACCES;
	if (strcmp(user, "alice") && strcmp(user, "dev1"))
		return ENOENT;
	pl_set_str(&u, user);
	pl_set_str(&r, realm);
	return sip_digest_ha1(ha1, alg, &u, &r, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_reg *gr;
	static struct tmrl *tl;
	static struct fake_flow *ff;
	static struct mbuf *hdrs;
	static struct sip_msg msg;
	struct gw_reg_conf conf = {.domain = "example.com",
				   .credh = cred_lookup};
	struct sip_reg_reply rep;

	if (!gr) {
		ff = mem_zalloc(sizeof(*ff), NULL);
		if (!ff || tmrl_alloc(&tl, 1700000000000ull) ||
		    mbuf_alloc(&hdrs, 1024) || gw_reg_alloc(&gr, tl, &conf))
			return 0;
		ff->flow.ops = &fake_ops;
		ff->flow.tp = &fake_tp;
		ff->flow.type = SIP_TRANSP_WSS;
		ff->open = true;
		if (sa_set(&ff->flow.peer, "192.0.2.1", 5060))
			return 0;
	}
	/* Time moves a little with every input; bans come and go. */
	tmrl_poll(tl, tmrl_now(tl) + 997);
	if (sip_msg_decode(&msg, (const char *)data, size) || !msg.req ||
	    !sip_msg_can_reply(&msg))
		return 0;
	mbuf_reset(hdrs);
	memset(&rep, 0, sizeof(rep));
	if (!gw_reg_handle(gr, &msg, &ff->flow, hdrs, &rep) &&
	    (rep.scode < 200 || rep.scode > 599 || !rep.reason))
		__builtin_trap();
	return 0;
}
