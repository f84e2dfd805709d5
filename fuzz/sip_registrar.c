/* sip_registrar.c: fuzzes the registrar (RFC 3261 §10.3, RFC 5626 §6) with
 * sequences of REGISTERs over a few flows, with time passing and flows
 * closing between them, and checks its invariants after every step. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/registrar.h"
#include "sip/transp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FLOWS 3
#define STEPS_MAX 32
#define SEP "\n--\n" /* between messages of one input */

/* Flows that are only an open/closed switch (fuzz harness only). */
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

struct walk {
	size_t n;
	uint32_t max;
};

static bool on_contact(const struct sip_reg_contact *c, void *arg)
{
	struct walk *w = arg;

	if (!c->uri || !c->params || !c->flow || c->expires > w->max)
		abort();
	w->n++;
	return true;
}

/* The AOR: the To user, as the gateway would key it. */
static void step(struct sip_registrar *reg, struct tmrl *tl,
                 struct fake_flow **fv, struct mbuf *hdrs, uint8_t ctl,
                 const char *p, size_t n)
{
	static struct sip_msg msg;
	struct sip_reg_reply rep;
	struct walk w = {0, SIP_REG_EXPIRES_MAX};
	struct fake_flow *ff = fv[ctl % FLOWS];
	char aor[SIP_REG_AOR_MAX];

	tmrl_poll(tl, tmrl_now(tl) + (uint64_t)(ctl >> 2) * 60000);
	if (ctl & 0x80) {
		ff->open = !ff->open;
		if (!ff->open && (ctl & 0x40))
			sip_registrar_flow_closed(reg, &ff->flow);
	}
	if (sip_msg_decode(&msg, p, n) || !msg.req ||
	    !sip_msg_can_reply(&msg) ||
	    pl_strcpy(&msg.to.uri.user, aor, sizeof(aor)) || !aor[0])
		return;
	mbuf_reset(hdrs);
	if (sip_registrar_register(reg, aor, &msg, &ff->flow, hdrs, &rep))
		return;
	if (rep.scode < 200 || rep.scode > 599 || !rep.reason)
		abort();
	if (!sip_registrar_lookup(reg, aor, on_contact, &w) &&
	    w.n != sip_registrar_count(reg, aor))
		abort();
	if (sip_registrar_count(reg, aor) > SIP_REG_CONTACTS_MAX ||
	    sip_registrar_count(reg, NULL) > SIP_REG_BINDINGS_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_flow *fv[FLOWS] = {NULL};
	struct sip_registrar *reg = NULL;
	struct tmrl *tl = NULL;
	struct mbuf *hdrs = NULL;
	const char *p = (const char *)data, *end = p + size;
	size_t i;

	if (tmrl_alloc(&tl, 1000) || mbuf_alloc(&hdrs, 1024) ||
	    sip_registrar_alloc(&reg, tl, NULL))
		goto out;
	/* Each flow its own mem object: bindings mem_ref() them. */
	for (i = 0; i < FLOWS; i++) {
		fv[i] = mem_zalloc(sizeof(*fv[i]), NULL);
		if (!fv[i])
			goto out;
		fv[i]->flow.ops = &fake_ops;
		fv[i]->flow.tp = &fake_tp;
		fv[i]->flow.type = SIP_TRANSP_WSS;
		fv[i]->open = true;
	}
	/* Each step: one control byte, then a message up to SEP. */
	for (i = 0; i < STEPS_MAX && p < end; i++) {
		uint8_t ctl = (uint8_t)*p++;
		const char *e = p;
		size_t left;

		while ((left = (size_t)(end - e)) >= sizeof(SEP) - 1 &&
		       memcmp(e, SEP, sizeof(SEP) - 1))
			e++;
		if (left < sizeof(SEP) - 1)
			e = end;
		step(reg, tl, fv, hdrs, ctl, p, (size_t)(e - p));
		p = e < end ? e + sizeof(SEP) - 1 : end;
	}
	/* Everything expires eventually. */
	tmrl_poll(tl, tmrl_now(tl) + (SIP_REG_EXPIRES_MAX + 1) * 1000ull);
	if (sip_registrar_count(reg, NULL))
		abort();
out:
	mem_deref(reg);
	mem_deref(hdrs);
	mem_deref(tl);
	for (i = 0; i < FLOWS; i++)
		mem_deref(fv[i]);
	return 0;
}
