/* test_registrar.c: the registrar (RFC 3261 §10.3, RFC 5626 §6) driven by
 * decoded REGISTERs and an injected clock: expiry, clamps and 423, "*",
 * Call-ID/CSeq ordering, instance and reg-id replacement, flow close,
 * limits, removal, and allocation failures leaving nothing half-done. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "sip/registrar.h"
#include "sip/transp_int.h"

#define T0 1000000ull
#define C1 "<sip:a1@r4nd0m.invalid;transport=ws>"
#define C2 "<sip:b2@s0m3th1ng.invalid;transport=ws>"
#define C3 "<sip:c3@192.0.2.7:5062>"

/* A flow that is only an open/closed switch (a stand-in for the
 * transport's WebSocket flows, inside this test only). */
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

static struct sip_flow *fake_flow(void)
{
	struct fake_flow *ff = mem_zalloc(sizeof(*ff), NULL);

	assert_non_null(ff);
	ff->flow.ops = &fake_ops;
	ff->flow.tp = &fake_tp;
	ff->flow.type = SIP_TRANSP_WSS;
	ff->open = true;
	return &ff->flow;
}

struct fix {
	struct tmrl *tl;
	struct sip_registrar *reg;
	struct sip_flow *f1, *f2;
	struct mbuf *hdrs;
	struct sip_msg msg;
	char buf[4096];
	struct sip_reg_reply rep;
	unsigned added, refreshed, removed;
};

static void on_event(enum sip_reg_event ev, const struct sip_reg_contact *c,
                     void *arg)
{
	struct fix *f = arg;

	assert_non_null(c->uri);
	assert_non_null(c->flow);
	if (ev == SIP_REG_ADDED)
		f->added++;
	else if (ev == SIP_REG_REFRESHED)
		f->refreshed++;
	else
		f->removed++;
}

static struct fix *fix_new(const struct sip_reg_conf *conf)
{
	struct fix *f = mem_zalloc(sizeof(*f), NULL);

	assert_non_null(f);
	assert_int_equal(tmrl_alloc(&f->tl, T0), 0);
	assert_int_equal(sip_registrar_alloc(&f->reg, f->tl, conf), 0);
	sip_registrar_set_eventh(f->reg, on_event, f);
	assert_int_equal(mbuf_alloc(&f->hdrs, 1024), 0);
	f->f1 = fake_flow();
	f->f2 = fake_flow();
	return f;
}

static void fix_free(struct fix *f)
{
	mem_deref(f->reg);
	mem_deref(f->tl);
	mem_deref(f->hdrs);
	mem_deref(f->f1);
	mem_deref(f->f2);
	mem_deref(f);
}

/* Sends "REGISTER" for user with the given extra header lines; returns
 * sip_registrar_register's result, the reply in f->rep and the header
 * lines, NUL-terminated, in f->hdrs. */
static int reg_vias(struct fix *f, const char *user, struct sip_flow *flow,
                    const char *callid, uint32_t cseq, const char *vias,
                    const char *extra)
{
	int n, err;

	n = snprintf(f->buf, sizeof(f->buf),
	             "REGISTER sip:example.test SIP/2.0\r\n"
	             "%s"
	             "Max-Forwards: 70\r\n"
	             "From: <sip:%s@example.test>;tag=x1\r\n"
	             "To: <sip:%s@example.test>\r\n"
	             "Call-ID: %s\r\n"
	             "CSeq: %u REGISTER\r\n"
	             "%s"
	             "Content-Length: 0\r\n\r\n",
	             vias, user, user, callid, cseq, extra);
	assert_true(n > 0 && (size_t)n < sizeof(f->buf));
	assert_int_equal(sip_msg_decode(&f->msg, f->buf, (size_t)n), 0);
	mbuf_reset(f->hdrs);
	memset(&f->rep, 0, sizeof(f->rep));
	err = sip_registrar_register(f->reg, user, &f->msg, flow, f->hdrs,
	                             &f->rep);
	assert_int_equal(mbuf_write_mem(f->hdrs, "", 1), 0);
	return err;
}

static int reg(struct fix *f, const char *user, struct sip_flow *flow,
               const char *callid, uint32_t cseq, const char *extra)
{
	return reg_vias(f, user, flow, callid, cseq,
	                "Via: SIP/2.0/WSS h.invalid;branch=z9hG4bKb1\r\n",
	                extra);
}

static const char *hdrs(const struct fix *f)
{
	return (const char *)f->hdrs->buf;
}

static void tick(struct fix *f, uint64_t ms)
{
	tmrl_poll(f->tl, tmrl_now(f->tl) + ms);
}

struct seen {
	unsigned n;
	struct sip_flow *flow;
	char uri[128];
	uint32_t expires;
	uint32_t reg_id;
};

static bool on_contact(const struct sip_reg_contact *c, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->flow = c->flow;
	s->expires = c->expires;
	s->reg_id = c->reg_id;
	snprintf(s->uri, sizeof(s->uri), "%s", c->uri);
	return true;
}

static void test_basic(void **state)
{
	struct fix *f = fix_new(NULL);
	struct seen s = {0};

	(void)state;
	assert_int_equal(reg(f, "dev1", f->f1, "cid1", 1,
	                     "Contact: " C1 "\r\nExpires: 600\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_non_null(strstr(hdrs(f), "Contact: " C1 ";expires=600\r\n"));
	assert_non_null(strstr(hdrs(f), "Supported: outbound\r\n"));
	assert_null(strstr(hdrs(f), "Require:"));
	assert_int_equal(sip_registrar_count(f->reg, "dev1"), 1);
	assert_int_equal(sip_registrar_count(f->reg, NULL), 1);
	assert_int_equal(f->added, 1);

	assert_int_equal(sip_registrar_lookup(f->reg, "dev1", on_contact, &s),
	                 0);
	assert_int_equal(s.n, 1);
	assert_ptr_equal(s.flow, f->f1);
	assert_string_equal(s.uri, "sip:a1@r4nd0m.invalid;transport=ws");
	assert_int_equal(s.expires, 600);
	assert_int_equal(sip_registrar_lookup(f->reg, "dev2", on_contact, &s),
	                 ENOENT);

	/* A query (no Contact) lists the bindings and changes nothing. */
	tick(f, 100500);
	assert_int_equal(reg(f, "dev1", f->f1, "cid1", 2, ""), 0);
	assert_int_equal(f->rep.scode, 200);
	assert_non_null(strstr(hdrs(f), "Contact: " C1 ";expires=500\r\n"));
	/* The flow is referenced by its binding. */
	assert_int_equal(mem_nrefs(f->f1), 2);
	fix_free(f);
}

static void test_expiry(void **state)
{
	struct fix *f = fix_new(NULL);

	(void)state;
	assert_int_equal(
	    reg(f, "dev1", f->f1, "cid1", 1, "Contact: " C1 ";expires=120\r\n"),
	    0);
	assert_int_equal(f->rep.scode, 200);
	tick(f, 119999);
	assert_int_equal(sip_registrar_count(f->reg, "dev1"), 1);
	assert_int_equal(f->removed, 0);
	tick(f, 1);
	assert_int_equal(sip_registrar_count(f->reg, "dev1"), 0);
	assert_int_equal(sip_registrar_count(f->reg, NULL), 0);
	assert_int_equal(f->removed, 1);
	assert_int_equal(mem_nrefs(f->f1), 1);

	/* A refresh restarts the timer. */
	assert_int_equal(
	    reg(f, "dev1", f->f1, "cid1", 2, "Contact: " C1 ";expires=120\r\n"),
	    0);
	tick(f, 100000);
	assert_int_equal(
	    reg(f, "dev1", f->f1, "cid1", 3, "Contact: " C1 ";expires=120\r\n"),
	    0);
	assert_int_equal(f->refreshed, 1);
	tick(f, 100000);
	assert_int_equal(sip_registrar_count(f->reg, "dev1"), 1);
	tick(f, 20000);
	assert_int_equal(sip_registrar_count(f->reg, "dev1"), 0);
	fix_free(f);
}

static void test_clamps(void **state)
{
	struct sip_reg_conf conf = {
	    .expires_min = 10, .expires_max = 100, .expires_default = 50};
	struct fix *f = fix_new(NULL);

	(void)state;
	/* Above the maximum: lowered. */
	assert_int_equal(reg(f, "d", f->f1, "c", 1,
	                     "Contact: " C1 "\r\nExpires: 100000\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_non_null(strstr(hdrs(f), ";expires=3600\r\n"));
	/* Over 2^32-1 (§20.19): the maximum too. */
	assert_int_equal(reg(f, "d", f->f1, "c", 2,
	                     "Contact: " C1 ";expires=99999999999\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_non_null(strstr(hdrs(f), ";expires=3600\r\n"));
	/* Below the minimum: 423 with Min-Expires, nothing changes. */
	assert_int_equal(
	    reg(f, "d", f->f1, "c", 3, "Contact: " C2 ";expires=30\r\n"), 0);
	assert_int_equal(f->rep.scode, 423);
	assert_string_equal(hdrs(f), "Min-Expires: 60\r\n");
	assert_int_equal(sip_registrar_count(f->reg, "d"), 1);
	/* Exactly the minimum is fine; no expires at all: the default. */
	assert_int_equal(reg(f, "d", f->f1, "c", 4,
	                     "Contact: " C2 ";expires=60\r\nContact: " C3
	                     "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_non_null(strstr(hdrs(f), C2 ";expires=60\r\n"));
	assert_non_null(strstr(hdrs(f), C3 ";expires=3600\r\n"));
	/* Malformed values: 400. */
	assert_int_equal(
	    reg(f, "d", f->f1, "c", 5, "Contact: " C2 "\r\nExpires: soon\r\n"),
	    0);
	assert_int_equal(f->rep.scode, 400);
	assert_int_equal(
	    reg(f, "d", f->f1, "c", 6, "Contact: " C2 ";expires=-1\r\n"), 0);
	assert_int_equal(f->rep.scode, 400);
	/* expires=0 for an unknown contact: nothing to remove, 200. */
	assert_int_equal(
	    reg(f, "e", f->f1, "c", 1, "Contact: " C1 ";expires=0\r\n"), 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(sip_registrar_count(f->reg, "e"), 0);
	fix_free(f);

	/* Configured limits. */
	f = fix_new(&conf);
	assert_int_equal(reg(f, "d", f->f1, "c", 1, "Contact: " C1 "\r\n"), 0);
	assert_non_null(strstr(hdrs(f), ";expires=50\r\n"));
	assert_int_equal(
	    reg(f, "d", f->f1, "c", 2, "Contact: " C1 ";expires=9\r\n"), 0);
	assert_int_equal(f->rep.scode, 423);
	assert_string_equal(hdrs(f), "Min-Expires: 10\r\n");
	assert_int_equal(
	    reg(f, "d", f->f1, "c", 3, "Contact: " C1 ";expires=101\r\n"), 0);
	assert_non_null(strstr(hdrs(f), ";expires=100\r\n"));
	fix_free(f);

	/* Inconsistent configurations are refused. */
	{
		struct sip_registrar *r = NULL;
		struct tmrl *tl;
		struct sip_reg_conf bad = {.expires_min = 200,
		                           .expires_max = 100};

		assert_int_equal(tmrl_alloc(&tl, T0), 0);
		assert_int_equal(sip_registrar_alloc(&r, tl, &bad), EINVAL);
		bad = (struct sip_reg_conf){.contacts_max =
		                                SIP_REG_CONTACTS_LIMIT + 1};
		assert_int_equal(sip_registrar_alloc(&r, tl, &bad), EINVAL);
		assert_null(r);
		mem_deref(tl);
	}
}

static void test_instance_regid(void **state)
{
	struct fix *f = fix_new(NULL);
	struct seen s = {0};

	(void)state;
	assert_int_equal(
	    reg(f, "d", f->f1, "tab1", 1,
	        "Contact: " C1 ";+sip.ice;reg-id=1;+sip.instance=\"<urn:uuid:"
	        "f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";expires=600\r\n"),
	    0);
	assert_int_equal(f->rep.scode, 200);
	/* Parameters come back as registered, expires replaced. */
	assert_non_null(strstr(hdrs(f), "Contact: " C1 ";+sip.ice;reg-id=1;"
	                                "+sip.instance=\"<urn:uuid:f81d4fae-"
	                                "7dec-11d0-a765-00a0c91e6bf6>\";"
	                                "expires=600\r\n"));
	assert_non_null(strstr(hdrs(f), "Require: outbound\r\n"));
	assert_non_null(strstr(hdrs(f), "Supported: outbound\r\n"));

	/* Same instance and reg-id after a reconnect: a new Call-ID, a new
	 * Contact URI and a new flow replace the binding (RFC 5626 §6). */
	assert_int_equal(reg(f, "d", f->f2, "tab1-again", 1,
	                     "Contact: " C2
	                     ";reg-id=1;+sip.instance=\"<urn:uuid:"
	                     "f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 1);
	assert_int_equal(sip_registrar_lookup(f->reg, "d", on_contact, &s), 0);
	assert_ptr_equal(s.flow, f->f2);
	assert_string_equal(s.uri, "sip:b2@s0m3th1ng.invalid;transport=ws");
	assert_int_equal(s.reg_id, 1);
	assert_int_equal(mem_nrefs(f->f1), 1); /* old flow released */
	assert_int_equal(f->refreshed, 1);

	/* Another reg-id of the same instance is another flow. */
	assert_int_equal(reg(f, "d", f->f1, "tab1-b", 1,
	                     "Contact: " C2
	                     ";reg-id=2;+sip.instance=\"<urn:uuid:"
	                     "f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"\r\n"),
	                 0);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	/* Another tab (instance) with the same URI is another binding, and
	 * an instance without reg-id needs no Require: outbound. */
	assert_int_equal(reg(f, "d", f->f1, "tab2", 1,
	                     "Contact: " C2 ";+sip.instance=\"<urn:uuid:"
	                     "00000000-0000-1000-8000-000a95a0e128>\"\r\n"),
	                 0);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 3);
	assert_null(strstr(hdrs(f), "Require:"));
	/* reg-id without an instance is ignored (§6): an ordinary URI
	 * binding, no Require. */
	assert_int_equal(
	    reg(f, "d", f->f1, "tab3", 1, "Contact: " C3 ";reg-id=1\r\n"), 0);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 4);
	assert_null(strstr(hdrs(f), "Require:"));
	/* reg-id through another hop without Path: 439 (§6). */
	assert_int_equal(
	    reg_vias(f, "d", f->f1, "tab4", 1,
	             "Via: SIP/2.0/WSS p.invalid;branch=z9hG4bKp1\r\n"
	             "Via: SIP/2.0/WSS h.invalid;branch=z9hG4bKb1\r\n",
	             "Contact: " C1 ";reg-id=1;+sip.instance=\"<urn:x>\"\r\n"),
	    0);
	assert_int_equal(f->rep.scode, 439);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 4);
	/* reg-id 0 or not a number: 400. */
	assert_int_equal(reg(f, "d", f->f1, "tab5", 1,
	                     "Contact: " C1
	                     ";reg-id=0;+sip.instance=\"<a>\"\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 400);
	fix_free(f);
}

static void test_star(void **state)
{
	struct fix *f = fix_new(NULL);

	(void)state;
	assert_int_equal(
	    reg(f, "d", f->f1, "c1", 1, "Contact: " C1 ", " C2 "\r\n"), 0);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	assert_int_equal(
	    reg(f, "d", f->f1, "c2", 1, "Contact: *\r\nExpires: 10\r\n"), 0);
	assert_int_equal(f->rep.scode, 400);
	assert_int_equal(reg(f, "d", f->f1, "c2", 1, "Contact: *\r\n"), 0);
	assert_int_equal(f->rep.scode, 400);
	assert_int_equal(reg(f, "d", f->f1, "c2", 1,
	                     "Contact: *\r\nContact: " C3 "\r\nExpires: 0\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 400);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	/* Same Call-ID, CSeq not higher: the request fails (§10.3 step 6). */
	assert_int_equal(
	    reg(f, "d", f->f1, "c1", 1, "Contact: *\r\nExpires: 0\r\n"), 0);
	assert_int_equal(f->rep.scode, 500);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	assert_int_equal(
	    reg(f, "d", f->f1, "c1", 2, "Contact: *\r\nExpires: 0\r\n"), 0);
	assert_int_equal(f->rep.scode, 200);
	assert_null(strstr(hdrs(f), "Contact:"));
	assert_int_equal(sip_registrar_count(f->reg, "d"), 0);
	assert_int_equal(sip_registrar_count(f->reg, NULL), 0);
	assert_int_equal(f->removed, 2);
	fix_free(f);
}

static void test_ordering(void **state)
{
	struct fix *f = fix_new(NULL);
	struct seen s = {0};

	(void)state;
	assert_int_equal(reg(f, "d", f->f1, "cid", 5, "Contact: " C1 "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	/* Same Call-ID, same or lower CSeq: 500, binding untouched. */
	assert_int_equal(
	    reg(f, "d", f->f2, "cid", 5, "Contact: " C1 ";expires=0\r\n"), 0);
	assert_int_equal(f->rep.scode, 500);
	assert_int_equal(reg(f, "d", f->f2, "cid", 4, "Contact: " C1 "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 500);
	assert_int_equal(sip_registrar_lookup(f->reg, "d", on_contact, &s), 0);
	assert_ptr_equal(s.flow, f->f1);
	/* All or nothing: a new contact beside an out-of-order one is not
	 * added either. */
	assert_int_equal(reg(f, "d", f->f2, "cid", 3,
	                     "Contact: " C2 "\r\nContact: " C1 "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 500);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 1);
	/* Another Call-ID updates whatever its CSeq (§10.3 step 7). */
	assert_int_equal(reg(f, "d", f->f2, "other", 1, "Contact: " C1 "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	/* ... and then the new Call-ID's CSeq counts. */
	assert_int_equal(
	    reg(f, "d", f->f2, "other", 1, "Contact: " C1 ";expires=0\r\n"), 0);
	assert_int_equal(f->rep.scode, 500);
	assert_int_equal(
	    reg(f, "d", f->f2, "other", 2, "Contact: " C1 ";expires=0\r\n"), 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 0);
	fix_free(f);
}

static void test_unregister_one(void **state)
{
	struct fix *f = fix_new(NULL);

	(void)state;
	assert_int_equal(reg(f, "d", f->f1, "c", 1,
	                     "Contact: " C1 "\r\nContact: " C2 "\r\n"),
	                 0);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	/* URI comparison: host case-insensitive, URI parameters ignored. */
	assert_int_equal(reg(f, "d", f->f1, "c", 2,
	                     "Contact: <sip:a1@R4ND0M.invalid>;expires=0\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 1);
	assert_null(strstr(hdrs(f), C1));
	assert_non_null(strstr(hdrs(f), C2));
	/* The user part is case-sensitive: no match, nothing removed. */
	assert_int_equal(
	    reg(f, "d", f->f1, "c", 3,
	        "Contact: <sip:B2@s0m3th1ng.invalid>;expires=0\r\n"),
	    0);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 1);
	/* Bad contacts: 400. */
	assert_int_equal(reg(f, "d", f->f1, "c", 4, "Contact: <tel:+123>\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 400);
	assert_int_equal(reg(f, "d", f->f1, "c", 5, "Contact: <sip:x@\r\n"), 0);
	assert_int_equal(f->rep.scode, 400);
	fix_free(f);
}

static void test_flow_close(void **state)
{
	struct fix *f = fix_new(NULL);
	struct seen s = {0};

	(void)state;
	assert_int_equal(reg(f, "d1", f->f1, "a", 1, "Contact: " C1 "\r\n"), 0);
	assert_int_equal(reg(f, "d1", f->f2, "b", 1, "Contact: " C2 "\r\n"), 0);
	assert_int_equal(reg(f, "d2", f->f1, "c", 1, "Contact: " C3 "\r\n"), 0);
	assert_int_equal(sip_registrar_count(f->reg, NULL), 3);
	assert_int_equal(mem_nrefs(f->f1), 3);

	sip_registrar_flow_closed(f->reg, f->f1);
	assert_int_equal(sip_registrar_count(f->reg, NULL), 1);
	assert_int_equal(sip_registrar_count(f->reg, "d2"), 0);
	assert_int_equal(f->removed, 2);
	assert_int_equal(mem_nrefs(f->f1), 1);
	assert_int_equal(sip_registrar_lookup(f->reg, "d2", on_contact, &s),
	                 ENOENT);

	/* Without the call, a closed flow is noticed on lookup. */
	((struct fake_flow *)f->f2)->open = false;
	assert_int_equal(sip_registrar_lookup(f->reg, "d1", on_contact, &s),
	                 ENOENT);
	assert_int_equal(s.n, 0);
	assert_int_equal(sip_registrar_count(f->reg, NULL), 0);
	assert_int_equal(f->removed, 3);
	fix_free(f);
}

static void test_limits(void **state)
{
	struct sip_reg_conf conf = {.contacts_max = 2, .bindings_max = 3};
	struct fix *f = fix_new(&conf);

	(void)state;
	assert_int_equal(reg(f, "d", f->f1, "c", 1,
	                     "Contact: " C1 "\r\nContact: " C2 "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(reg(f, "d", f->f1, "c", 2, "Contact: " C3 "\r\n"), 0);
	assert_int_equal(f->rep.scode, 403);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	/* Removing one in the same request makes room. */
	assert_int_equal(reg(f, "d", f->f1, "c", 3,
	                     "Contact: " C1 ";expires=0\r\nContact: " C3
	                     "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	/* More Contacts in one request than an AOR may have: 403. */
	assert_int_equal(reg(f, "e", f->f1, "c", 1,
	                     "Contact: " C1 "\r\nContact: " C2
	                     "\r\nContact: " C3 "\r\n"),
	                 0);
	assert_int_equal(f->rep.scode, 403);
	/* The registrar as a whole. */
	assert_int_equal(reg(f, "e", f->f1, "c", 2, "Contact: " C1 "\r\n"), 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(reg(f, "g", f->f1, "c", 1, "Contact: " C1 "\r\n"), 0);
	assert_int_equal(f->rep.scode, 503);
	assert_string_equal(hdrs(f), "Retry-After: 60\r\n");
	assert_int_equal(sip_registrar_count(f->reg, NULL), 3);
	assert_int_equal(sip_registrar_count(f->reg, "g"), 0);
	fix_free(f);
}

static void test_remove(void **state)
{
	struct fix *f = fix_new(NULL);

	(void)state;
	assert_int_equal(reg(f, "d", f->f1, "c", 1,
	                     "Contact: " C1 "\r\nContact: " C2 "\r\n"),
	                 0);
	assert_int_equal(reg(f, "e", f->f2, "c", 1, "Contact: " C1 "\r\n"), 0);
	assert_int_equal(sip_registrar_remove(f->reg, "d"), 0);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 0);
	assert_int_equal(sip_registrar_count(f->reg, "e"), 1);
	assert_int_equal(f->removed, 2);
	assert_int_equal(sip_registrar_remove(f->reg, "d"), ENOENT);
	/* Timers of removed bindings are gone with them. */
	assert_int_equal(tmrl_count(f->tl), 1);
	assert_int_equal(sip_registrar_register(f->reg, "", &f->msg, f->f1,
	                                        f->hdrs, &f->rep),
	                 EINVAL);
	fix_free(f);
}

/* Every allocation failure leaves the registrar as it was. */
static void test_enomem(void **state)
{
	struct fix *f = fix_new(NULL);
	long n;
	int err = ENOMEM;

	(void)state;
	assert_int_equal(reg(f, "d", f->f1, "c", 1, "Contact: " C1 "\r\n"), 0);
	for (n = 0; n < 100 && err; n++) {
		char extra[256];

		snprintf(extra, sizeof(extra),
		         "Contact: " C1 ";expires=0\r\nContact: " C2
		         ";+sip.instance=\"<u:%ld>\";reg-id=1\r\nContact: " C3
		         "\r\n",
		         n);
		mem_fail_after(n);
		err = reg(f, "d", f->f2, "c", (uint32_t)n + 2, extra);
		mem_fail_after(-1);
		if (err) {
			assert_int_equal(err, ENOMEM);
			assert_int_equal(sip_registrar_count(f->reg, "d"), 1);
		}
	}
	assert_int_equal(err, 0);
	assert_int_equal(f->rep.scode, 200);
	assert_int_equal(sip_registrar_count(f->reg, "d"), 2);
	fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_basic),          SC_TEST(test_expiry),
	    SC_TEST(test_clamps),         SC_TEST(test_instance_regid),
	    SC_TEST(test_star),           SC_TEST(test_ordering),
	    SC_TEST(test_unregister_one), SC_TEST(test_flow_close),
	    SC_TEST(test_limits),         SC_TEST(test_remove),
	    SC_TEST(test_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
