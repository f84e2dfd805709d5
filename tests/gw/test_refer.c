/* test_refer.c: the NOTIFY Event id of relayed REFERs (RFC 3515 §2.4.6)
 * with several REFERs of one call in flight, the headers that cross with
 * it, and the opaque Replaces token of a PBX's attended transfer to a
 * dialog of its own (RFC 3891; call_refer.c). */
#include <string.h>

#include "testutil.h"

#include "gw/call.h"

static const struct sip_msg *notify(struct sip_msg *msg, char *buf,
                                    size_t size, const char *event)
{
	snprintf(buf, size,
	         "NOTIFY sip:gw@gw.test SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP pbx.test;branch=z9hG4bKn1\r\n"
	         "From: <sip:pbx@pbx.test>;tag=p\r\n"
	         "To: <sip:gw@gw.test>;tag=g\r\n"
	         "Call-ID: n1\r\nCSeq: 9 NOTIFY\r\nMax-Forwards: 70\r\n"
	         "%s"
	         "Subscription-State: active;expires=60\r\n"
	         "Content-Type: message/sipfrag\r\n"
	         "Content-Length: 0\r\n\r\n",
	         event);
	assert_int_equal(sip_msg_decode(msg, buf, strlen(buf)), 0);
	return msg;
}

static uint32_t id_of(const struct gw_call *call, const struct gw_leg *from,
                      const char *event)
{
	static struct sip_msg msg;
	char buf[1024];

	return gw_refer_id_in(call, from, notify(&msg, buf, sizeof(buf), event));
}

/* Two REFERs to one leg and one to the other, in flight at once: each
 * NOTIFY gets the id its own REFER had on the transferor's side. */
static void test_refer_ids(void **state)
{
	struct gw_leg a, b;
	struct gw_call call;

	(void)state;
	memset(&call, 0, sizeof(call));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	gw_refer_sent(&call, &b, 101, 7);
	gw_refer_sent(&call, &b, 102, 8);
	gw_refer_sent(&call, &a, 55, 3001);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=101\r\n"), 7);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=102\r\n"), 8);
	assert_int_equal(id_of(&call, &a, "Event: refer;id=55\r\n"), 3001);
	assert_int_equal(id_of(&call, &b, "Event: refer; id=101\r\n"), 7);
	/* ids are per leg: 55 was sent to a, not b */
	assert_int_equal(id_of(&call, &b, "Event: refer;id=55\r\n"), 0);
	/* no id (RFC 3515 §2.4.6: the first REFER of a dialog): the last */
	assert_int_equal(id_of(&call, &b, "Event: refer\r\n"), 8);
	/* not refer, unknown id, garbage id, none at all */
	assert_int_equal(id_of(&call, &b, "Event: presence;id=101\r\n"), 0);
	assert_int_equal(id_of(&call, &b, "Event: referral;id=101\r\n"), 0);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=999\r\n"), 0);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=x1\r\n"), 0);
	assert_int_equal(id_of(&call, &b, ""), 0);
}

/* Bounded: the oldest of GW_REFER_MAX is forgotten. */
static void test_refer_ids_bounded(void **state)
{
	struct gw_leg b;
	struct gw_call call;
	uint32_t i;

	(void)state;
	memset(&call, 0, sizeof(call));
	memset(&b, 0, sizeof(b));
	for (i = 0; i < GW_REFER_MAX + 1; i++)
		gw_refer_sent(&call, &b, 200 + i, 10 + i);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=200\r\n"), 0);
	for (i = 1; i < GW_REFER_MAX + 1; i++) {
		char ev[64];

		snprintf(ev, sizeof(ev), "Event: refer;id=%u\r\n", 200 + i);
		assert_int_equal(id_of(&call, &b, ev), 10 + i);
	}
}

/* The crossing headers carry the mapped id; nothing else of Event. */
static void test_cross_hdrs_id(void **state)
{
	struct sip_msg msg;
	char buf[1024], out[512];

	(void)state;
	notify(&msg, buf, sizeof(buf), "Event: refer;id=102\r\n");
	assert_int_equal(gw_cross_hdrs(out, sizeof(out), &msg, 8), 0);
	assert_non_null(strstr(out, "Event: refer;id=8\r\n"));
	assert_null(strstr(out, "102"));
	assert_non_null(strstr(out, "Subscription-State: active;expires=60"));
	assert_int_equal(gw_cross_hdrs(out, sizeof(out), &msg, 0), 0);
	assert_non_null(strstr(out, "Event: refer;id=102\r\n"));
}

/* A call of a PBX leg (from) and a device leg (to) on a bare server. */
struct xf {
	struct gw_config cfg;
	struct gw_server srv;
	struct gw_calls cs;
	struct gw_call call;
	struct gw_leg from, to;
	struct sip_msg msg;
	char buf[1024];
};

static void xf_init(struct xf *x)
{
	memset(x, 0, sizeof(*x));
	x->cfg.sip.domain = "sipcloak.test";
	x->srv.cfg = &x->cfg;
	assert_int_equal(tmrl_alloc(&x->srv.tl, 1000), 0);
	rand_pool_init(&x->srv.tags);
	x->cs.srv = &x->srv;
	list_init(&x->cs.all);
	x->call.calls = &x->cs;
	list_append(&x->cs.all, &x->call.le, &x->call);
	x->from.kind = GW_LEG_PBX;
	x->from.conn = &x->cfg; /* any pointer stands for the connection */
	x->to.kind = GW_LEG_DEVICE;
	x->to.ltag = "devtag";
	snprintf(x->to.user, sizeof(x->to.user), "alice");
}

static void xf_close(struct xf *x)
{
	for (size_t i = 0; i < GW_XFER_TOKENS_MAX; i++)
		mem_deref(x->call.xfer[i]);
	mem_deref(x->srv.tl);
}

/* gw_refer_to() for a REFER from the PBX with this Refer-To. */
static int xf_refer(struct xf *x, const char *refer_to, char *hdr, size_t size)
{
	snprintf(x->buf, sizeof(x->buf),
	         "REFER sip:gw@gw.test SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP pbx.test;branch=z9hG4bKr1\r\n"
	         "From: <sip:pbx@pbx.test>;tag=p\r\n"
	         "To: <sip:gw@gw.test>;tag=g\r\n"
	         "Call-ID: r1\r\nCSeq: 5 REFER\r\nMax-Forwards: 70\r\n"
	         "Refer-To: %s\r\n"
	         "Content-Length: 0\r\n\r\n",
	         refer_to);
	assert_int_equal(sip_msg_decode(&x->msg, x->buf, strlen(x->buf)), 0);
	return gw_refer_to(&x->call, &x->from, &x->to, &x->msg, hdr, size);
}

#define PBX_REPL "<sip:2073@pbx.test?Replaces=cid7%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>"

/* The token in a Refer-To line we built, into tok. */
static void token_of(const char *hdr, char *tok, size_t size)
{
	const char *p = strstr(hdr, "?Replaces=");
	size_t n;

	assert_non_null(p);
	p += strlen("?Replaces=");
	n = strcspn(p, "%");
	assert_true(n > 8 && n < size);
	memcpy(tok, p, n);
	tok[n] = '\0';
}

static void test_xfer_token(void **state)
{
	char hdr[768], tok[64], want[256], repl[GW_XFER_REPLACES_MAX];
	const void *conn = NULL;
	struct xf x;
	struct pl id;

	(void)state;
	xf_init(&x);
	assert_int_equal(xf_refer(&x, PBX_REPL, hdr, sizeof(hdr)), 0);
	/* nothing of the PBX's dialog; the number on our domain */
	assert_null(strstr(hdr, "cid7"));
	assert_null(strstr(hdr, "%3Dt1"));
	assert_null(strstr(hdr, "%3Df1"));
	token_of(hdr, tok, sizeof(tok));
	snprintf(want, sizeof(want),
	         "Refer-To: <sip:2073@sipcloak.test?Replaces=%s%%3Bto-tag%%3D%s"
	         "%%3Bfrom-tag%%3Ddevtag>\r\n",
	         tok, tok);
	assert_string_equal(hdr, want);
	pl_set_str(&id, tok);
	/* another user cannot use it, nor a wrong token */
	assert_int_equal(gw_xfer_token_take(&x.cs, &id, "bob", &conn, repl,
	                                    sizeof(repl)),
	                 ENOENT);
	id.l--;
	assert_int_equal(gw_xfer_token_take(&x.cs, &id, "alice", &conn, repl,
	                                    sizeof(repl)),
	                 ENOENT);
	id.l++;
	assert_int_equal(gw_xfer_token_take(&x.cs, &id, "alice", &conn, repl,
	                                    sizeof(repl)),
	                 0);
	assert_string_equal(repl, "cid7;to-tag=t1;from-tag=f1");
	assert_ptr_equal(conn, &x.cfg);
	/* one use */
	assert_int_equal(gw_xfer_token_take(&x.cs, &id, "alice", &conn, repl,
	                                    sizeof(repl)),
	                 ENOENT);
	xf_close(&x);
}

static void test_xfer_token_expires(void **state)
{
	char hdr[768], tok[64], repl[GW_XFER_REPLACES_MAX];
	const void *conn = NULL;
	struct xf x;
	struct pl id;

	(void)state;
	xf_init(&x);
	assert_int_equal(xf_refer(&x, PBX_REPL, hdr, sizeof(hdr)), 0);
	token_of(hdr, tok, sizeof(tok));
	pl_set_str(&id, tok);
	tmrl_poll(x.srv.tl, 1000 + GW_XFER_TOKEN_MS + 1);
	assert_int_equal(gw_xfer_token_take(&x.cs, &id, "alice", &conn, repl,
	                                    sizeof(repl)),
	                 ENOENT);
	xf_close(&x);
}

/* At most GW_XFER_TOKENS_MAX per call: the oldest goes. */
static void test_xfer_token_bounded(void **state)
{
	char hdr[768], tok[GW_XFER_TOKENS_MAX + 1][64];
	char repl[GW_XFER_REPLACES_MAX];
	const void *conn = NULL;
	struct xf x;
	struct pl id;
	size_t i;

	(void)state;
	xf_init(&x);
	for (i = 0; i < GW_XFER_TOKENS_MAX + 1; i++) {
		tmrl_poll(x.srv.tl, 1000 + i);
		assert_int_equal(xf_refer(&x, PBX_REPL, hdr, sizeof(hdr)), 0);
		token_of(hdr, tok[i], sizeof(tok[i]));
	}
	pl_set_str(&id, tok[0]);
	assert_int_equal(gw_xfer_token_take(&x.cs, &id, "alice", &conn, repl,
	                                    sizeof(repl)),
	                 ENOENT);
	for (i = 1; i < GW_XFER_TOKENS_MAX + 1; i++) {
		pl_set_str(&id, tok[i]);
		assert_int_equal(gw_xfer_token_take(&x.cs, &id, "alice", &conn,
		                                    repl, sizeof(repl)),
		                 0);
	}
	xf_close(&x);
}

/* %0D%0A in the PBX's Replaces would become header lines toward it. */
static void test_xfer_token_refused(void **state)
{
	char hdr[768];
	struct xf x;

	(void)state;
	xf_init(&x);
	assert_int_equal(
	    xf_refer(&x,
	             "<sip:2073@pbx.test?Replaces=cid7%0D%0AX-Evil:%201%3Bto-tag"
	             "%3Dt1%3Bfrom-tag%3Df1>",
	             hdr, sizeof(hdr)),
	    EBADMSG);
	assert_null(x.call.xfer[0]);
	/* no Replaces parameters: malformed */
	assert_int_equal(
	    xf_refer(&x, "<sip:2073@pbx.test?Replaces=cid7>", hdr, sizeof(hdr)),
	    EBADMSG);
	xf_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_refer_ids),
	    SC_TEST(test_refer_ids_bounded),
	    SC_TEST(test_cross_hdrs_id),
	    SC_TEST(test_xfer_token),
	    SC_TEST(test_xfer_token_expires),
	    SC_TEST(test_xfer_token_bounded),
	    SC_TEST(test_xfer_token_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
