/* test_dns.c: the DNS reply parser (RFC 1035 §4.1, RFC 2782, RFC 3596),
 * SRV ordering (RFC 2782) with an injected random source, TTL clamping,
 * the failed-target blacklist on a caller's clock, and the resolver's
 * literal path on a real loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "net/dns.h"

/* A reply builder: header, one question, answers appended. */
struct pkt {
	uint8_t b[1024];
	size_t n;
	size_t an_pos;
};

static void put16(struct pkt *p, uint16_t v)
{
	p->b[p->n++] = (uint8_t)(v >> 8);
	p->b[p->n++] = (uint8_t)v;
}

static void put32(struct pkt *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

static void put_name(struct pkt *p, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p->b[p->n++] = (uint8_t)l;
		memcpy(p->b + p->n, name, l);
		p->n += l;
		name += l + (dot ? 1 : 0);
	}
	p->b[p->n++] = 0;
}

/* Header with rcode and one question (qname at offset 12). */
static void pkt_init(struct pkt *p, uint16_t rcode, const char *qname,
		     uint16_t qtype)
{
	memset(p, 0, sizeof(*p));
	put16(p, 0x1234);
	put16(p, 0x8180 | rcode); /* QR, RD, RA */
	put16(p, 1);
	put16(p, 0);
	put16(p, 0);
	put16(p, 0);
	put_name(p, qname);
	put16(p, qtype);
	put16(p, 1);
}

static void an_inc(struct pkt *p)
{
	uint16_t an = (uint16_t)(p->b[6] << 8 | p->b[7]);

	an++;
	p->b[6] = (uint8_t)(an >> 8);
	p->b[7] = (uint8_t)an;
}

/* An SRV answer whose owner is a pointer to the question name. */
static void add_srv(struct pkt *p, uint32_t ttl, uint16_t prio, uint16_t w,
		    uint16_t port, const char *target)
{
	size_t len_pos;

	put16(p, 0xc00c);
	put16(p, NET_DNS_SRV);
	put16(p, 1);
	put32(p, ttl);
	len_pos = p->n;
	put16(p, 0);
	put16(p, prio);
	put16(p, w);
	put16(p, port);
	put_name(p, target);
	p->b[len_pos] = (uint8_t)((p->n - len_pos - 2) >> 8);
	p->b[len_pos + 1] = (uint8_t)(p->n - len_pos - 2);
	an_inc(p);
}

static void add_a(struct pkt *p, uint32_t ttl, uint8_t last)
{
	put16(p, 0xc00c);
	put16(p, NET_DNS_A);
	put16(p, 1);
	put32(p, ttl);
	put16(p, 4);
	p->b[p->n++] = 127;
	p->b[p->n++] = 0;
	p->b[p->n++] = 0;
	p->b[p->n++] = last;
	an_inc(p);
}

static void test_decode_srv(void **state)
{
	struct net_dns_rr rrv[4];
	struct pkt p;
	size_t n = SC_ARRAY_SIZE(rrv);
	uint32_t ttl;

	(void)state;
	pkt_init(&p, 0, "_sip._udp.pbx.test", NET_DNS_SRV);
	add_srv(&p, 600, 10, 5, 5071, "a.pbx.test");
	add_srv(&p, 60, 20, 0, 5072, "b.pbx.test");
	assert_int_equal(net_dns_reply_decode(p.b, p.n, NET_DNS_SRV, rrv, &n,
					      &ttl),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(ttl, 60);
	assert_int_equal(rrv[0].prio, 10);
	assert_int_equal(rrv[0].weight, 5);
	assert_int_equal(rrv[0].port, 5071);
	assert_string_equal(rrv[0].target, "a.pbx.test");
	assert_int_equal(rrv[1].ttl, 60);
	assert_string_equal(rrv[1].target, "b.pbx.test");

	/* A records are skipped when SRV was asked; room for one only */
	add_a(&p, 5, 1);
	n = 1;
	assert_int_equal(net_dns_reply_decode(p.b, p.n, NET_DNS_SRV, rrv, &n,
					      &ttl),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(ttl, 600);

	/* every cut short of the whole is malformed (none reads past n) */
	for (size_t cut = 0; cut < p.n; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);

		memcpy(b, p.b, cut);
		n = SC_ARRAY_SIZE(rrv);
		assert_int_equal(net_dns_reply_decode(b, cut, NET_DNS_SRV, rrv,
						      &n, &ttl),
				 EBADMSG);
		free(b);
	}
}

static void test_decode_a_aaaa(void **state)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct net_dns_rr rrv[4];
	char buf[SA_ADDR_MAX];
	struct pkt p;
	size_t n = SC_ARRAY_SIZE(rrv);
	uint32_t ttl;

	(void)state;
	pkt_init(&p, 0, "a.pbx.test", NET_DNS_A);
	add_a(&p, 0x80000010u, 7); /* high bit set: RFC 2181 §8 says 0.. */
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sa_ntop(&rrv[0].addr, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "127.0.0.7");
	assert_int_equal(ttl, 0x10);

	pkt_init(&p, 0, "a.pbx.test", NET_DNS_AAAA);
	put16(&p, 0xc00c);
	put16(&p, NET_DNS_AAAA);
	put16(&p, 1);
	put32(&p, 30);
	put16(&p, 16);
	memcpy(p.b + p.n, v6, 16);
	p.n += 16;
	an_inc(&p);
	n = SC_ARRAY_SIZE(rrv);
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_AAAA, rrv, &n, &ttl), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sa_ntop(&rrv[0].addr, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8::1");

	/* an A record with a 5-byte RDATA */
	pkt_init(&p, 0, "a.pbx.test", NET_DNS_A);
	add_a(&p, 1, 1);
	p.b[p.n - 5] = 5;
	p.b[p.n++] = 0;
	n = SC_ARRAY_SIZE(rrv);
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), EBADMSG);
}

static void test_decode_errors(void **state)
{
	struct net_dns_rr rrv[2];
	struct pkt p;
	size_t n = SC_ARRAY_SIZE(rrv);
	uint32_t ttl;

	(void)state;
	pkt_init(&p, 3, "nope.test", NET_DNS_A); /* NXDOMAIN */
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), ENOENT);
	pkt_init(&p, 2, "nope.test", NET_DNS_A); /* SERVFAIL */
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), EAGAIN);
	pkt_init(&p, 0, "nope.test", NET_DNS_A); /* NODATA */
	n = SC_ARRAY_SIZE(rrv);
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), 0);
	assert_int_equal(n, 0);
	/* a query, not a response */
	p.b[2] = 0x01;
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), EBADMSG);

	/* a compression pointer to itself, and one pointing forwards */
	pkt_init(&p, 0, "x.test", NET_DNS_A);
	put16(&p, 0xc000 | (uint16_t)p.n);
	p.b[7] = 1;
	n = SC_ARRAY_SIZE(rrv);
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), EBADMSG);
	p.b[p.n - 1] = (uint8_t)(p.n + 4);
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), EBADMSG);
	/* a label with the reserved 01 bits */
	pkt_init(&p, 0, "x.test", NET_DNS_A);
	p.b[12] = 0x41;
	assert_int_equal(
	    net_dns_reply_decode(p.b, p.n, NET_DNS_A, rrv, &n, &ttl), EBADMSG);
	assert_int_equal(
	    net_dns_reply_decode(NULL, 0, NET_DNS_A, rrv, &n, &ttl), EINVAL);
}

/* A name of 256 bytes (over RFC 1035's 255) is refused. */
static void test_decode_long_name(void **state)
{
	struct net_dns_rr rrv[1];
	char name[400];
	struct pkt p;
	size_t n = 1, pos = 0;
	uint32_t ttl;

	(void)state;
	for (int i = 0; i < 5; i++) {
		memset(name + pos, 'a', 63);
		pos += 63;
		name[pos++] = '.';
	}
	name[pos - 1] = '\0';
	pkt_init(&p, 0, "t.test", NET_DNS_SRV);
	add_srv(&p, 1, 1, 1, 1, name);
	assert_int_equal(net_dns_reply_decode(p.b, p.n, NET_DNS_SRV, rrv, &n,
					      &ttl),
			 EBADMSG);
}

static void test_ttl_clamp(void **state)
{
	(void)state;
	assert_int_equal(net_dns_ttl_clamp(0), NET_DNS_TTL_FLOOR);
	assert_int_equal(net_dns_ttl_clamp(120), 120);
	assert_int_equal(net_dns_ttl_clamp(UINT32_MAX), NET_DNS_TTL_CEIL);
}

/* Random numbers from a script. */
struct script {
	const uint32_t *v;
	size_t n, i;
};

static uint32_t scripted(void *arg)
{
	struct script *s = arg;

	assert_true(s->i < s->n);
	return s->v[s->i++];
}

static void srv(struct net_dns_rr *rr, uint16_t prio, uint16_t w,
		const char *t)
{
	memset(rr, 0, sizeof(*rr));
	rr->type = NET_DNS_SRV;
	rr->prio = prio;
	rr->weight = w;
	snprintf(rr->target, sizeof(rr->target), "%s", t);
}

static void test_srv_order(void **state)
{
	struct net_dns_rr v[5];
	/* priority 10: a 10, b 30, c 0 (moved first, running sum 0, so
	 * never drawn while others are left): sum 40, draw 1 + 25 % 40 =
	 * 26 -> b (10 < 26 <= 40); then c 0, a 10: 1 + 7 % 10 = 8 -> a */
	static const uint32_t r1[] = {25, 7};
	struct script s = {r1, SC_ARRAY_SIZE(r1), 0};
	/* 1 + 5 % 40 = 6 -> a (10 >= 6); then c, b: 1 + 40 % 30 -> b */
	static const uint32_t r2[] = {5, 40};
	struct script s2 = {r2, SC_ARRAY_SIZE(r2), 0};
	int count_a_first = 0;

	(void)state;
	srv(&v[0], 20, 0, "z");
	srv(&v[1], 10, 10, "a");
	srv(&v[2], 10, 30, "b");
	srv(&v[3], 10, 0, "c");
	srv(&v[4], 5, 1, "first");
	assert_int_equal(net_dns_srv_order(v, 5, scripted, &s), 0);
	assert_string_equal(v[0].target, "first");
	assert_string_equal(v[1].target, "b");
	assert_string_equal(v[2].target, "a");
	assert_string_equal(v[3].target, "c");
	assert_string_equal(v[4].target, "z");
	assert_int_equal(s.i, 2); /* one draw per choice with 2+ left */

	srv(&v[0], 10, 10, "a");
	srv(&v[1], 10, 30, "b");
	srv(&v[2], 10, 0, "c");
	assert_int_equal(net_dns_srv_order(v, 3, scripted, &s2), 0);
	assert_string_equal(v[0].target, "a");
	assert_string_equal(v[1].target, "b");
	assert_string_equal(v[2].target, "c");

	/* with the real source, weight 1 vs 3 picks a about a quarter of
	 * the time */
	for (int i = 0; i < 4000; i++) {
		srv(&v[0], 1, 1, "a");
		srv(&v[1], 1, 3, "b");
		assert_int_equal(net_dns_srv_order(v, 2, NULL, NULL), 0);
		count_a_first += v[0].target[0] == 'a';
	}
	assert_in_range(count_a_first, 800, 1200);
	assert_int_equal(net_dns_srv_order(v, NET_DNS_RR_MAX + 1, NULL, NULL),
			 EINVAL);
}

static void test_blist(void **state)
{
	struct net_blist bl;
	struct sa a, b;

	(void)state;
	memset(&bl, 0, sizeof(bl));
	assert_int_equal(sa_set(&a, "127.0.0.1", 5071), 0);
	assert_int_equal(sa_set(&b, "127.0.0.1", 5072), 0);
	assert_false(net_blist_has(&bl, &a, 1000));
	net_blist_add(&bl, &a, 1000, NET_DNS_BLIST_MS);
	assert_true(net_blist_has(&bl, &a, 1000));
	assert_false(net_blist_has(&bl, &b, 1000)); /* the port counts */
	assert_true(net_blist_has(&bl, &a, 1000 + NET_DNS_BLIST_MS - 1));
	assert_false(net_blist_has(&bl, &a, 1000 + NET_DNS_BLIST_MS));
	/* adding again extends, in the same slot */
	net_blist_add(&bl, &a, 2000, 100);
	net_blist_add(&bl, &a, 2050, 100);
	assert_true(net_blist_has(&bl, &a, 2120));
	net_blist_del(&bl, &a);
	assert_false(net_blist_has(&bl, &a, 2120));
	/* full: the one that expires first goes */
	for (uint16_t i = 0; i < NET_DNS_BLIST_MAX; i++) {
		sa_set_port(&b, (uint16_t)(6000 + i));
		net_blist_add(&bl, &b, 3000, 1000u + i);
	}
	sa_set_port(&b, 6000);
	assert_true(net_blist_has(&bl, &b, 3000));
	net_blist_add(&bl, &a, 3000, 5000);
	assert_false(net_blist_has(&bl, &b, 3000));
	assert_true(net_blist_has(&bl, &a, 3000));
	sa_set_port(&b, 6001);
	assert_true(net_blist_has(&bl, &b, 3000));
}

struct res_out {
	int calls, err;
	struct net_dns_result res;
};

static void on_dns(int err, const struct net_dns_result *res, void *arg)
{
	struct res_out *o = arg;

	o->calls++;
	o->err = err;
	if (res)
		o->res = *res;
}

/* An IP literal resolves to itself (no query), with the default port
 * when none is given; a cancelled lookup never calls back. */
static void test_resolve_literal(void **state)
{
	struct net_dns *d = NULL, *d2 = NULL;
	struct res_out o = {0}, o2 = {0};
	uv_loop_t loop;
	char buf[SA_STR_MAX];

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(net_dns_resolve(&d, &loop, NULL, "127.0.0.1", 0,
					 "_sip._udp", 5060, on_dns, &o),
			 0);
	assert_int_equal(net_dns_resolve(&d2, &loop, NULL, "::1", 5070, NULL,
					 5060, on_dns, &o2),
			 0);
	net_dns_cancel(d2);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.err, 0);
	assert_int_equal(o.res.addrc, 1);
	assert_false(o.res.srv);
	assert_int_equal(sa_str(&o.res.addrv[0], buf, sizeof(buf)), 0);
	assert_string_equal(buf, "127.0.0.1:5060");
	assert_int_equal(o2.calls, 0);
	mem_deref(d);
	mem_deref(d2);
	assert_int_equal(net_dns_resolve(&d, &loop, NULL, "", 0, NULL, 5060,
					 on_dns, &o),
			 EINVAL);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_decode_srv),     SC_TEST(test_decode_a_aaaa),
	    SC_TEST(test_decode_errors),  SC_TEST(test_decode_long_name),
	    SC_TEST(test_ttl_clamp),      SC_TEST(test_srv_order),
	    SC_TEST(test_blist),          SC_TEST(test_resolve_literal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
