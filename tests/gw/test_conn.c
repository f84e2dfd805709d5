/* test_conn.c: connections at run time without sockets: route selection
 * by dial pattern and weight, allow_from CIDR matching (IPv4, IPv6,
 * mapped), targets, URIs and identities, and the upstream registration
 * state machine (401 digest answer, refresh at 85 %, 423, back-off
 * schedule with jitter bounds, 403 alarm, Expires: 0 on close) driven
 * through a real transaction layer on a driven clock. */
#include <errno.h>
#include <string.h>

#include "gw/conn_int.h"
#include "gw/gw.h"
#include "sip/digest.h"
#include "testutil.h"

#define SENT_MAX 16

static const char cfg_text[] =
    "[server]\npublic_address = 192.0.2.1\n"
    "[sip]\ndomain = gw.example\n"
    "[connection office]\ntype = registration\ntransport = tcp\n"
    "host = 127.0.0.1\nport = 5070\n"
    "dial_patterns = ^2[0-9]{2}$ 10, ^0[0-9]+$ 30\n"
    "allow_from = 10.1.0.0/16, 2001:db8:1::/48, 172.16.0.5\n"
    "expires = 600\n"
    "[connection trunk]\ntype = trunk\nhost = 192.0.2.50\n"
    "dial_patterns = ^0[0-9]+$ 20, 00[0-9]+ 40, [0-9]{1,3} 50\n"
    "[connection in]\ntype = inbound\n";

struct fx {
	struct tmrl *tl;
	struct sip_tsx_layer *tsx;
	struct gw_config *cfg;
	struct gw_conns *cs;
	char sent[SENT_MAX][GW_CONN_MSG_MAX];
	size_t nsent;
	uint64_t now;
};

static int send_h(void *dest, const uint8_t *data, size_t len, void *arg)
{
	struct fx *f = arg;

	(void)dest;
	assert_true(f->nsent < SENT_MAX && len < GW_CONN_MSG_MAX);
	memcpy(f->sent[f->nsent], data, len);
	f->sent[f->nsent][len] = '\0';
	f->nsent++;
	return 0;
}

static int secret_h(const struct gw_conn *c, const char *user, char *login,
		    size_t lsize, char *pw, size_t pwsize, void *arg)
{
	(void)c;
	(void)arg;
	if (!user || strcmp(user, "alice"))
		return ENOENT;
	snprintf(login, lsize, "pbx201");
	snprintf(pw, pwsize, "s3cret");
	return 0;
}

static void fx_init(struct fx *f)
{
	struct gw_config_errors errs;

	memset(f, 0, sizeof(*f));
	f->now = 1000000;
	gw_config_errors_init(&errs);
	assert_int_equal(gw_config_parse(&f->cfg, "t.ini", cfg_text,
					 strlen(cfg_text), &errs),
			 0);
	assert_int_equal(tmrl_alloc(&f->tl, f->now), 0);
	assert_int_equal(sip_tsx_layer_alloc(&f->tsx, f->tl, send_h, f), 0);
	assert_int_equal(gw_conns_alloc(&f->cs, NULL, f->cfg), 0);
	gw_conns_set_tsx(f->cs, f->tl, f->tsx);
	gw_conns_set_secreth(f->cs, secret_h, f);
	assert_int_equal(
	    gw_conns_user_add(f->cs, "office", "alice", "201", "pbx201"), 0);
	assert_int_equal(gw_conns_user_add(f->cs, "office", "bob", "202", NULL),
			 0);
	assert_int_equal(
	    gw_conns_user_add(f->cs, "office", "alice", "201", NULL), EEXIST);
	assert_int_equal(gw_conns_user_add(f->cs, "nope", "x", "1", NULL),
			 ENOENT);
}

static void fx_close(struct fx *f)
{
	mem_deref(f->cs);
	sip_tsx_layer_close(f->tsx);
	mem_deref(f->tsx);
	mem_deref(f->tl);
	mem_deref(f->cfg);
}

static void advance(struct fx *f, uint64_t ms)
{
	f->now += ms;
	tmrl_poll(f->tl, f->now);
}

/* Answers the last message sent with scode and extra header lines. */
static void reply(struct fx *f, uint16_t scode, const char *extra)
{
	struct sip_msg req, resp;
	struct mbuf *mb;
	const char *last = f->sent[f->nsent - 1];

	assert_int_equal(sip_msg_decode(&req, last, strlen(last)), 0);
	assert_int_equal(mbuf_alloc(&mb, 1024), 0);
	assert_int_equal(sip_reply_encode(mb, &req, scode, "X", &PL("totag"),
					  NULL, extra, NULL, NULL),
			 0);
	assert_int_equal(sip_msg_decode(&resp, (char *)mb->buf, mb->end), 0);
	assert_int_equal(sip_tsx_recv_response(f->tsx, &resp), 0);
	mem_deref(mb);
}

static const char *last(const struct fx *f)
{
	return f->nsent ? f->sent[f->nsent - 1] : "";
}

static void test_conn_route(void **state)
{
	struct fx f;
	const struct gw_conn *office, *trunk, *in;

	(void)state;
	fx_init(&f);
	office = gw_conns_find(f.cs, "office");
	trunk = gw_conns_find(f.cs, "trunk");
	in = gw_conns_find(f.cs, "in");
	assert_non_null(office);
	assert_non_null(trunk);
	assert_non_null(in);
	assert_null(gw_conns_find(f.cs, "x"));
	assert_ptr_equal(gw_conns_route(f.cs, &PL("201")), office);
	/* both match: the lower weight wins (trunk 20 < office 30) */
	assert_ptr_equal(gw_conns_route(f.cs, &PL("0301234")), trunk);
	assert_ptr_equal(gw_conns_route(f.cs, &PL("0049301234")), trunk);
	/* patterns must match the whole number ("00[0-9]+" is anchored) */
	assert_ptr_equal(gw_conns_route(f.cs, &PL("12")), trunk);
	assert_null(gw_conns_route(f.cs, &PL("2011")));
	assert_null(gw_conns_route(f.cs, &PL("x201")));
	assert_null(gw_conns_route(f.cs, &PL("")));
	assert_null(gw_conns_route(f.cs, &(struct pl){"20\0001", 4}));
	fx_close(&f);
}

static const struct gw_conn *from(struct fx *f, const char *addr)
{
	struct sa sa;

	assert_int_equal(sa_set(&sa, addr, 5060), 0);
	return gw_conns_by_source(f->cs, &sa);
}

static void test_conn_source(void **state)
{
	struct fx f;
	const struct gw_conn *office, *trunk;

	(void)state;
	fx_init(&f);
	office = gw_conns_find(f.cs, "office");
	trunk = gw_conns_find(f.cs, "trunk");
	assert_ptr_equal(from(&f, "10.1.0.0"), office);
	assert_ptr_equal(from(&f, "10.1.255.254"), office);
	assert_null(from(&f, "10.2.0.1"));
	assert_null(from(&f, "10.0.255.255"));
	assert_ptr_equal(from(&f, "172.16.0.5"), office);
	assert_null(from(&f, "172.16.0.6"));
	assert_ptr_equal(from(&f, "::ffff:10.1.3.4"), office);
	assert_ptr_equal(from(&f, "2001:db8:1:ffff::5"), office);
	assert_null(from(&f, "2001:db8:2::5"));
	/* office has allow_from: its host is not enough */
	assert_null(from(&f, "127.0.0.1"));
	/* trunk has none: its host's address counts */
	assert_ptr_equal(from(&f, "192.0.2.50"), trunk);
	assert_null(from(&f, "192.0.2.51"));
	fx_close(&f);
}

static void test_conn_identity(void **state)
{
	struct fx f;
	const struct gw_conn *office, *trunk, *in;
	char buf[GW_CONN_URI_MAX], user[64], small[8];
	enum sip_transp_type tp;
	struct sip_msg msg;
	struct gw_conn_user *u;
	struct sa dst;
	char req[512];

	(void)state;
	fx_init(&f);
	office = gw_conns_find(f.cs, "office");
	trunk = gw_conns_find(f.cs, "trunk");
	in = gw_conns_find(f.cs, "in");
	assert_int_equal(gw_conn_target(office, &dst, &tp), 0);
	assert_int_equal(tp, SIP_TRANSP_TCP);
	assert_int_equal(sa_port(&dst), 5070);
	assert_int_equal(gw_conn_target(trunk, &dst, &tp), ENOTCONN);
	assert_int_equal(gw_conn_target(in, &dst, &tp), ENOTCONN);

	assert_int_equal(
	    gw_conn_request_uri(office, &PL("201"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:201@127.0.0.1:5070");
	assert_int_equal(
	    gw_conn_request_uri(trunk, &PL("0301"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:0301@192.0.2.50");
	assert_int_equal(
	    gw_conn_request_uri(trunk, &PL("0301"), small, sizeof(small)),
	    EOVERFLOW);
	assert_int_equal(gw_conn_from_uri(office, "alice", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "sip:pbx201@127.0.0.1");
	assert_int_equal(gw_conn_from_uri(office, "bob", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:202@127.0.0.1");
	assert_int_equal(gw_conn_from_uri(office, "carol", buf, sizeof(buf)),
			 ENOENT);

	/* incoming: the Contact token, else the extension in R-URI or To */
	u = gw_conn_user_find(office, "alice");
	assert_non_null(u);
	assert_int_equal(strlen(u->token), GW_CONN_TOKEN_LEN);
	assert_string_not_equal(u->token,
				gw_conn_user_find(office, "bob")->token);
	snprintf(req, sizeof(req),
		 "INVITE sip:%s@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP "
		 "h;branch=z9hG4bK1\r\nFrom: <sip:x@h>;tag=1\r\nTo: "
		 "<sip:999@h>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
		 "Content-Length: 0\r\n\r\n",
		 u->token);
	assert_int_equal(sip_msg_decode(&msg, req, strlen(req)), 0);
	assert_int_equal(gw_conn_user_of(office, &msg, user, sizeof(user)), 0);
	assert_string_equal(user, "alice");
	snprintf(req, sizeof(req),
		 "INVITE sip:gw@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP "
		 "h;branch=z9hG4bK1\r\nFrom: <sip:x@h>;tag=1\r\nTo: "
		 "<sip:202@h>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
		 "Content-Length: 0\r\n\r\n");
	assert_int_equal(sip_msg_decode(&msg, req, strlen(req)), 0);
	assert_int_equal(gw_conn_user_of(office, &msg, user, sizeof(user)), 0);
	assert_string_equal(user, "bob");
	assert_int_equal(gw_conn_user_of(trunk, &msg, user, sizeof(user)),
			 ENOENT);
	fx_close(&f);
}

static void test_upreg_backoff(void **state)
{
	uint32_t want = 1000;

	(void)state;
	for (unsigned a = 0; a < 16; a++) {
		uint32_t lo = gw_upreg_backoff_ms(a, want / 4);
		uint32_t hi = gw_upreg_backoff_ms(a, 0);

		assert_int_equal(hi, want);
		assert_int_equal(lo, want - want / 4);
		for (uint32_t r = 0; r < 2000; r += 7) {
			uint32_t d = gw_upreg_backoff_ms(a, r * 2654435761u);

			assert_true(d >= want - want / 4 && d <= want);
		}
		want = SC_MIN(want * 2, GW_UPREG_BACKOFF_MAX_MS);
	}
	assert_int_equal(gw_upreg_backoff_ms(0, 0), 1000);
	assert_int_equal(gw_upreg_backoff_ms(8, 0), 256000);
	assert_int_equal(gw_upreg_backoff_ms(9, 0), 300000);
	assert_int_equal(gw_upreg_backoff_ms(100, 0), 300000);
}

struct status_rec {
	char state[32];
	uint32_t expires_in;
	uint16_t scode;
};

static void status_h(const struct gw_conn_status *st, void *arg)
{
	struct status_rec *r = arg;

	if (st->reg && !strcmp(st->user, "alice")) {
		snprintf(r->state, sizeof(r->state), "%s", st->state);
		r->expires_in = st->expires_in;
		r->scode = st->last_scode;
	}
}

static void expect_state(struct fx *f, const char *state)
{
	struct status_rec r = {0};

	gw_conns_status(f->cs, status_h, &r);
	assert_string_equal(r.state, state);
}

/* The Authorization of the last REGISTER verifies with the password. */
static void check_auth(struct fx *f)
{
	struct sip_msg msg;
	const struct sip_hdr *h;
	struct sip_digest cred;
	char ha1[SIP_DIGEST_HEX_MAX];

	assert_int_equal(sip_msg_decode(&msg, last(f), strlen(last(f))), 0);
	h = sip_msg_hdr(&msg, SIP_HDR_AUTHORIZATION);
	assert_non_null(h);
	assert_int_equal(
	    sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS, &h->val), 0);
	assert_int_equal(pl_strcmp(&cred.username, "pbx201"), 0);
	assert_int_equal(cred.alg, SIP_DIGEST_SHA256);
	assert_int_equal(sip_digest_ha1(ha1, SIP_DIGEST_SHA256, &PL("pbx201"),
					&PL("pbx"), &PL("s3cret")),
			 0);
	assert_int_equal(sip_digest_verify(&cred, ha1, &PL("REGISTER"), false),
			 0);
}

#define CHALLENGE                                                              \
	"WWW-Authenticate: Digest realm=\"pbx\", nonce=\"n1\", "               \
	"algorithm=MD5, qop=\"auth\"\r\n"                                      \
	"WWW-Authenticate: Digest realm=\"pbx\", nonce=\"n1\", "               \
	"algorithm=SHA-256, qop=\"auth\"\r\n"

static void test_upreg_flow(void **state)
{
	struct fx f;
	struct status_rec r = {0};
	struct gw_conn_user *u;
	size_t n;
	char want[128];

	(void)state;
	fx_init(&f);
	u = gw_conn_user_find(gw_conns_find(f.cs, "office"), "alice");
	expect_state(&f, "unregistered");
	gw_conns_user_online(f.cs, "alice", true);
	assert_int_equal(f.nsent, 1);
	assert_non_null(
	    strstr(last(&f), "REGISTER sip:127.0.0.1:5070 SIP/2.0"));
	assert_non_null(strstr(last(&f), "From: <sip:pbx201@127.0.0.1>;tag="));
	assert_non_null(strstr(last(&f), "To: <sip:pbx201@127.0.0.1>\r\n"));
	snprintf(want, sizeof(want),
		 "Contact: <sip:%s@192.0.2.1:5060;"
		 "transport=tcp>",
		 u->token);
	assert_non_null(strstr(last(&f), want));
	assert_non_null(strstr(last(&f), "Expires: 600\r\n"));
	assert_non_null(strstr(last(&f), "CSeq: 1 REGISTER"));
	assert_null(strstr(last(&f), "Authorization"));
	expect_state(&f, "registering");

	/* 401: answered once with SHA-256 and the PBX password */
	reply(&f, 401, CHALLENGE);
	assert_int_equal(f.nsent, 2);
	assert_non_null(strstr(last(&f), "CSeq: 2 REGISTER"));
	check_auth(&f);
	snprintf(want, sizeof(want),
		 "Contact: <sip:%s@192.0.2.1:5060;"
		 "transport=tcp>;expires=100\r\n",
		 u->token);
	reply(&f, 200, want);
	gw_conns_status(f.cs, status_h, &r);
	assert_string_equal(r.state, "registered");
	assert_int_equal(r.expires_in, 100);
	assert_int_equal(r.scode, 200);

	/* refresh at 85 % of the 100 s granted */
	advance(&f, 84000);
	assert_int_equal(f.nsent, 2);
	advance(&f, 1000);
	assert_int_equal(f.nsent, 3);
	assert_non_null(strstr(last(&f), "CSeq: 3 REGISTER"));
	/* 423: again with Min-Expires */
	reply(&f, 423, "Min-Expires: 900\r\n");
	assert_int_equal(f.nsent, 4);
	assert_non_null(strstr(last(&f), "Expires: 900\r\n"));

	/* failures: back off 1 s, then 2 s (minus jitter) */
	reply(&f, 503, NULL);
	expect_state(&f, "backoff");
	n = f.nsent;
	advance(&f, 749);
	assert_int_equal(f.nsent, n);
	advance(&f, 251);
	assert_int_equal(f.nsent, n + 1);
	reply(&f, 408, NULL);
	advance(&f, 1499);
	assert_int_equal(f.nsent, n + 1);
	advance(&f, 501);
	assert_int_equal(f.nsent, n + 2);

	/* 401 after our credentials: refused password, alarm, stop */
	reply(&f, 401, CHALLENGE);
	assert_int_equal(f.nsent, n + 3);
	reply(&f, 401, CHALLENGE);
	expect_state(&f, "forbidden");
	advance(&f, 3600 * 1000);
	assert_int_equal(f.nsent, n + 3);

	/* going offline sends nothing (not registered); online again
	 * starts over; 403 stops too */
	gw_conns_user_online(f.cs, "alice", false);
	assert_int_equal(f.nsent, n + 3);
	gw_conns_user_online(f.cs, "alice", true);
	assert_int_equal(f.nsent, n + 4);
	reply(&f, 403, NULL);
	expect_state(&f, "forbidden");

	/* registered, then shut down: Expires: 0 */
	gw_conns_user_online(f.cs, "alice", false);
	gw_conns_user_online(f.cs, "alice", true);
	reply(&f, 200, "Expires: 300\r\n");
	expect_state(&f, "registered");
	n = f.nsent;
	gw_conns_close(f.cs);
	assert_int_equal(f.nsent, n + 1);
	assert_non_null(strstr(last(&f), "Expires: 0\r\n"));
	/* nothing after close */
	gw_conns_user_online(f.cs, "bob", true);
	advance(&f, 3600 * 1000);
	assert_int_equal(f.nsent, n + 1);
	fx_close(&f);
}

static void conn_state_h(const struct gw_conn_status *st, void *arg)
{
	if (!st->reg && !strcmp(st->conn, "office"))
		snprintf(arg, 8, "%s", st->state);
}

static void expect_conn(struct fx *f, const char *state)
{
	char got[8] = "";

	gw_conns_status(f->cs, conn_state_h, got);
	assert_string_equal(got, state);
}

static void test_upreg_offline(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	gw_conns_user_online(f.cs, "bob", true);
	assert_int_equal(f.nsent, 1);
	expect_conn(&f, "down");
	reply(&f, 200, "Expires: 60\r\n");
	expect_conn(&f, "up");
	/* the last device went away: unregister at once */
	gw_conns_user_online(f.cs, "bob", false);
	expect_conn(&f, "down");
	assert_int_equal(f.nsent, 2);
	assert_non_null(strstr(last(&f), "Expires: 0\r\n"));
	reply(&f, 200, NULL);
	advance(&f, 3600 * 1000);
	assert_int_equal(f.nsent, 2);
	fx_close(&f);
}

/* RFC 3263 §4.3 with three targets (as SRV would give): a 503 and a
 * timeout move the REGISTER on to the next target at once; once every
 * target failed the back-off starts; failed targets are skipped until
 * the blacklist expires, then the first is used again. */
static void test_upreg_failover(void **state)
{
	struct fx f;
	struct gw_conn *c;
	struct gw_conn_user *u;
	struct sa a, b, d, t;
	enum sip_transp_type tp;
	size_t n;

	(void)state;
	fx_init(&f);
	c = (struct gw_conn *)gw_conns_find(f.cs, "office");
	assert_int_equal(sa_set(&a, "127.0.0.1", 5071), 0);
	assert_int_equal(sa_set(&b, "127.0.0.2", 5072), 0);
	assert_int_equal(sa_set(&d, "127.0.0.3", 5073), 0);
	c->addrv[0] = a, c->addrv[1] = b, c->addrv[2] = d;
	c->addrc = 3;
	u = gw_conn_user_find(c, "alice");
	gw_conns_user_online(f.cs, "alice", true);
	assert_int_equal(u->st, GW_UPREG_REGISTERING);
	assert_true(sa_cmp(&u->dst, &a));
	n = f.nsent;
	reply(&f, 503, NULL);
	assert_true(sa_cmp(&u->dst, &b)); /* at once, no back-off */
	assert_int_equal(u->st, GW_UPREG_REGISTERING);
	assert_int_equal(f.nsent, n + 1);
	assert_int_equal(u->attempts, 0);
	/* calls skip the failed target too */
	assert_int_equal(gw_conn_pick(c, &t), 0);
	assert_true(sa_cmp(&t, &b));
	/* no answer: Timer F (64*T1 over TCP too) -> the third target */
	advance(&f, 32 * 1000);
	assert_true(sa_cmp(&u->dst, &d));
	assert_int_equal(u->st, GW_UPREG_REGISTERING);
	assert_int_equal(gw_conn_target_next(c, &d, &t), ENOENT);
	/* the last one fails: back-off */
	reply(&f, 503, NULL);
	assert_int_equal(u->st, GW_UPREG_BACKOFF);
	assert_int_equal(u->attempts, 1);
	/* a (failed 32 s ago) is back; b and d still skipped */
	assert_int_equal(gw_conn_pick(c, &t), 0);
	assert_true(sa_cmp(&t, &a));
	assert_int_equal(gw_conn_target_next(c, &a, &t), ENOENT);
	/* the retry goes to the first usable target and registers */
	advance(&f, GW_UPREG_BACKOFF_MAX_MS);
	assert_int_equal(u->st, GW_UPREG_REGISTERING);
	assert_true(sa_cmp(&u->dst, &a));
	reply(&f, 200, "Expires: 600");
	assert_int_equal(u->st, GW_UPREG_REGISTERED);
	assert_int_equal(u->attempts, 0);
	/* a trunk-less lookup: the target of a registration connection */
	assert_int_equal(gw_conn_target(c, &t, &tp), 0);
	assert_true(sa_cmp(&t, &a));
	assert_int_equal(tp, SIP_TRANSP_TCP);
	gw_conns_close(f.cs);
	fx_close(&f);
}

/* One target only: a failure is not blacklisted (there is nothing to
 * skip to) and the back-off starts at once. */
static void test_upreg_one_target(void **state)
{
	struct fx f;
	struct gw_conn *c;
	struct gw_conn_user *u;
	struct sa t;

	(void)state;
	fx_init(&f);
	c = (struct gw_conn *)gw_conns_find(f.cs, "office");
	assert_int_equal(c->addrc, 1);
	u = gw_conn_user_find(c, "alice");
	gw_conns_user_online(f.cs, "alice", true);
	reply(&f, 503, NULL);
	assert_int_equal(u->st, GW_UPREG_BACKOFF);
	assert_int_equal(gw_conn_pick(c, &t), 0);
	assert_true(sa_cmp(&t, &c->addrv[0]));
	assert_false(net_blist_has(&gw_conn_rt(c)->bl, &t, f.now));
	gw_conns_close(f.cs);
	fx_close(&f);
}

/* [server] dns_servers values. */
static void test_dns_servers(void **state)
{
	struct net_dns_conf dc;

	(void)state;
	assert_int_equal(gw_dns_servers_parse("127.0.0.1:5353", &dc), 0);
	assert_int_equal(dc.srvc, 1);
	assert_int_equal(sa_port(&dc.srvv[0]), 5353);
	assert_int_equal(gw_dns_servers_parse(" 10.0.0.1, 10.0.0.2 ", &dc), 0);
	assert_int_equal(dc.srvc, 2);
	assert_int_equal(sa_port(&dc.srvv[1]), 53);
	assert_int_equal(gw_dns_servers_parse("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4",
					      &dc),
			 EOVERFLOW);
	assert_int_equal(gw_dns_servers_parse("[::1]:53", &dc), EBADMSG);
	assert_int_equal(gw_dns_servers_parse("dns.example", &dc), EBADMSG);
	assert_int_equal(gw_dns_servers_parse(" , ", &dc), EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_conn_route),    SC_TEST(test_conn_source),
	    SC_TEST(test_conn_identity), SC_TEST(test_upreg_backoff),
	    SC_TEST(test_upreg_flow),    SC_TEST(test_upreg_offline),
	    SC_TEST(test_upreg_failover), SC_TEST(test_upreg_one_target),
	    SC_TEST(test_dns_servers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
