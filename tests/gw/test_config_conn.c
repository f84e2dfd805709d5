/* test_config_conn.c: [connection NAME] sections: every key parsed, the
 * defaults, and every mistake reported with its line. */
#include <errno.h>
#include <string.h>

#include "gw/config_conn.h"
#include "gw/conn.h"
#include "testutil.h"

#define MINIMAL                                                                \
	"[server]\npublic_address = 192.0.2.1\n[sip]\ndomain = example.com\n"

static int parse(const char *text, struct gw_config **cfgp, char *out,
		 size_t size)
{
	struct gw_config_errors errs;
	struct gw_config *cfg = NULL;
	struct le *le;
	size_t n = 0;
	int err;

	gw_config_errors_init(&errs);
	err = gw_config_parse(&cfg, "t.ini", text, strlen(text), &errs);
	out[0] = '\0';
	LIST_FOREACH(&errs.list, le)
	{
		char line[512];

		assert_int_equal(
		    gw_config_error_format(le->data, line, sizeof(line)), 0);
		n += (size_t)snprintf(out + n, size - n, "%s\n", line);
		assert_true(n < size);
	}
	gw_config_errors_flush(&errs);
	if (cfgp)
		*cfgp = cfg;
	else
		mem_deref(cfg);
	return err;
}

static void expect_errors(const char *text, const char *want)
{
	char got[4096];

	assert_int_equal(parse(text, NULL, got, sizeof(got)), EBADMSG);
	assert_string_equal(got, want);
}

static void test_conn_full(void **state)
{
	struct gw_config *cfg = NULL;
	const struct gw_conn_conf *c;
	char errs[1024];

	(void)state;
	assert_int_equal(
	    parse(MINIMAL "[connection office]\n"
			  "type = registration\n"
			  "transport = tls\n"
			  "host = pbx.example.com\n"
			  "dial_patterns = ^[2-9][0-9]{2}$ 10, ^0[0-9]{1,20}$ "
			  "20, 9.*\n"
			  "allow_from = 10.0.0.0/8, 2001:db8::/32, 192.0.2.7\n"
			  "media = srtp\n"
			  "codecs = pcma, OPUS\n"
			  "expires = 300\n"
			  "register = always\n"
			  "from_domain = example.org\n"
			  "pai = sip:+4930123@example.org\n"
			  "[connection t]\ntype = trunk\nhost = 192.0.2.10\n"
			  "port = 5080\noptions_interval = 15\n"
			  "[connection in]\ntype = inbound\n",
		  &cfg, errs, sizeof(errs)),
	    0);
	assert_string_equal(errs, "");
	assert_int_equal(cfg->conns.n, 3);
	c = cfg->conns.v[0];
	assert_string_equal(c->name, "office");
	assert_int_equal(c->line, 5);
	assert_int_equal(c->type, GW_CONN_REGISTRATION);
	assert_int_equal(c->transport, SIP_TRANSP_TLS);
	assert_int_equal(c->port, 5061);
	assert_string_equal(c->host, "pbx.example.com");
	assert_int_equal(c->patc, 3);
	assert_string_equal(c->patv[0].src, "^[2-9][0-9]{2}$");
	assert_int_equal(c->patv[0].weight, 10);
	assert_string_equal(c->patv[1].src, "^0[0-9]{1,20}$");
	assert_int_equal(c->patv[1].weight, 20);
	assert_string_equal(c->patv[2].src, "9.*");
	assert_int_equal(c->patv[2].weight, 100);
	assert_int_equal(c->allowc, 3);
	assert_int_equal(c->allowv[0].bits, 8);
	assert_int_equal(c->allowv[1].bits, 32);
	assert_int_equal(sa_family(&c->allowv[1].addr), AF_INET6);
	assert_int_equal(c->allowv[2].bits, 32);
	assert_int_equal(c->media, MEDIA_SRTP);
	assert_int_equal(c->codecc, 2);
	assert_int_equal(c->codecv[0], MEDIA_CODEC_PCMA);
	assert_int_equal(c->codecv[1], MEDIA_CODEC_OPUS);
	assert_int_equal(c->expires, 300);
	assert_int_equal(c->reg_mode, GW_CONN_REGISTER_ALWAYS);
	assert_string_equal(c->from_domain, "example.org");
	assert_string_equal(c->pai, "sip:+4930123@example.org");
	c = cfg->conns.v[1];
	assert_int_equal(c->type, GW_CONN_TRUNK);
	assert_int_equal(c->transport, SIP_TRANSP_UDP);
	assert_int_equal(c->port, 5080);
	assert_int_equal(c->options_interval, 15);
	assert_int_equal(c->media, MEDIA_RTP);
	c = cfg->conns.v[2];
	assert_int_equal(c->type, GW_CONN_INBOUND);
	assert_null(c->host);
	assert_int_equal(c->port, 5060);
	assert_int_equal(c->expires, 600);
	assert_int_equal(c->options_interval, 30);
	mem_deref(cfg);
}

static void test_conn_mistakes(void **state)
{
	(void)state;
	expect_errors(MINIMAL "[connection]\n",
		      "t.ini:5: [connection]: section [connection] needs a "
		      "name: [connection NAME]\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "[connection a]\n",
		      "t.ini:8: [connection a]: connection repeated (first at "
		      "line 5)\n");
	expect_errors(MINIMAL "[connection a]\ntype = foo\nhost = h\n",
		      "t.ini:6: [connection a] type: unknown value 'foo' "
		      "(expected registration, trunk or inbound)\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "type = trunk\n",
		      "t.ini:8: [connection a] type: duplicate key (first set "
		      "at line 6)\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "colour = red\n",
		      "t.ini:8: [connection a] colour: unknown key\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "dial_patterns = ^(12 5\n",
		      "t.ini:8: [connection a] dial_patterns: invalid regular "
		      "expression '^(12' (Unmatched ( or \\()\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "dial_patterns = 1 x\n",
		      "t.ini:8: [connection a] dial_patterns: cannot parse "
		      "integer 'x'\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "dial_patterns = 1,,2\n",
		      "t.ini:8: [connection a] dial_patterns: empty entry in "
		      "list '1,,2'\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "allow_from = 10.0.0.0/33\n",
		      "t.ini:8: [connection a] allow_from: cannot parse "
		      "network '10.0.0.0/33' (expected ADDRESS or "
		      "ADDRESS/BITS)\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "codecs = opus, g729\n",
		      "t.ini:8: [connection a] codecs: unknown codec 'g729' "
		      "(expected opus, pcmu or pcma)\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "codecs = opus, OPUS\n",
		      "t.ini:8: [connection a] codecs: codec 'OPUS' listed "
		      "twice\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "media = webrtc2\n",
		      "t.ini:8: [connection a] media: unknown value 'webrtc2' "
		      "(expected rtp, srtp or webrtc)\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "transport = sctp\nport = 0\n",
		      "t.ini:8: [connection a] transport: unknown value 'sctp' "
		      "(expected udp, tcp or tls)\n"
		      "t.ini:9: [connection a] port: value '0' out of range "
		      "(1..65535)\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "pai = mailto:x\n",
		      "t.ini:8: [connection a] pai: cannot parse URI "
		      "'mailto:x' (expected sip:... or tel:...)\n");
	expect_errors(MINIMAL "[connection a]\ntype = registration\n",
		      "t.ini:5: [connection a] host: required for "
		      "registration and trunk connections\n");
	expect_errors(MINIMAL "[connection a]\ntype = trunk\nhost = h\n"
			      "expires = 300\nregister = always\n"
			      "[connection b]\ntype = inbound\n"
			      "options_interval = 10\n",
		      "t.ini:8: [connection a] expires: only for type = "
		      "registration\n"
		      "t.ini:9: [connection a] register: only for type = "
		      "registration\n"
		      "t.ini:12: [connection b] options_interval: only for "
		      "type = trunk\n");
}

static void test_conn_cidr(void **state)
{
	struct gw_cidr c;

	(void)state;
	assert_int_equal(gw_cidr_decode(&c, &PL("192.0.2.0/24")), 0);
	assert_int_equal(c.bits, 24);
	assert_int_equal(gw_cidr_decode(&c, &PL("::1")), 0);
	assert_int_equal(c.bits, 128);
	assert_int_equal(gw_cidr_decode(&c, &PL("::/0")), 0);
	assert_int_equal(c.bits, 0);
	assert_int_equal(gw_cidr_decode(&c, &PL("2001:db8::/129")), EBADMSG);
	assert_int_equal(gw_cidr_decode(&c, &PL("host.example/8")), EBADMSG);
	assert_int_equal(gw_cidr_decode(&c, &PL("10.0.0.0/")), EBADMSG);
	assert_int_equal(gw_cidr_decode(&c, &PL("10.0.0.0/x")), EBADMSG);
}

static void test_conn_keys(void **state)
{
	size_t n;
	const struct gw_config_key *k = gw_config_conn_keys(&n);

	(void)state;
	assert_int_equal(n, 13);
	assert_true(n <= GW_CONN_KEYS_MAX);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(k[i].section, "connection");
		assert_string_not_equal(gw_config_type_name(k[i].type), "?");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_conn_full),
	    SC_TEST(test_conn_mistakes),
	    SC_TEST(test_conn_cidr),
	    SC_TEST(test_conn_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
