/* test_config.c: config loading: defaults, required keys, every kind of
 * mistake with its file:line, cross-key rules, files, allocation failures. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gw/gw.h"
#include "testutil.h"

#define MINIMAL                                                                \
	"[server]\npublic_address = 192.0.2.1\n[sip]\ndomain = example.com\n"

/* A view of a C string, for the value parsers. */
#define P(s) (&(struct pl){(s), strlen(s)})

/* Parses text; returns the error code and the formatted errors joined by
 * '\n' in out (size bytes). */
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
	assert_int_equal(err ? 1 : 0, list_count(&errs.list) ? 1 : 0);
	gw_config_errors_flush(&errs);
	if (cfgp)
		*cfgp = cfg;
	else
		mem_deref(cfg);
	return err;
}

/* text must fail with exactly the errors want (one per line). */
static void expect_errors(const char *text, const char *want)
{
	char got[4096];

	assert_int_equal(parse(text, NULL, got, sizeof(got)), EBADMSG);
	assert_string_equal(got, want);
}

static void test_config_defaults(void **state)
{
	struct gw_config *cfg;
	char errs[1024];

	(void)state;
	assert_int_equal(parse(MINIMAL, &cfg, errs, sizeof(errs)), 0);
	assert_string_equal(cfg->path, "t.ini");
	assert_string_equal(cfg->server.public_address, "192.0.2.1");
	assert_string_equal(cfg->sip.domain, "example.com");
	assert_null(cfg->https.listen.host);
	assert_null(cfg->https.cert);
	assert_int_equal(cfg->https.allowed_origins.n, 0);
	assert_int_equal(cfg->https.max_connections_per_ip, 64);
	assert_int_equal(cfg->https.idle_timeout, 900);
	assert_null(cfg->sip.udp.host);
	assert_null(cfg->sip.tcp.host);
	assert_null(cfg->sip.tls.host);
	assert_null(cfg->sip.tls_cert);
	assert_null(cfg->sip.tls_ca_file);
	assert_true(cfg->sip.tls_verify);
	assert_string_equal(cfg->store.path, "var/sipcloak.db");
	assert_string_equal(cfg->store.master_key, "var/master.key");
	assert_int_equal(cfg->media.ports.lo, 40000);
	assert_int_equal(cfg->media.ports.hi, 40999);
	assert_int_equal(cfg->media.workers, 0);
	assert_int_equal(cfg->log.level, LOG_INFO);
	mem_deref(cfg);
}

static void test_config_full(void **state)
{
	static const char text[] =
	    "[server]\npublic_address = [2001:db8::5]\n"
	    "[https]\nlisten = [::]:443\ncert = c.pem\nkey = \"k ;.pem\"\n"
	    "allowed_origins = https://A.example:443 , http://localhost:8080\n"
	    "max_connections_per_ip = 100000\nidle_timeout = 10\n"
	    "[sip]\ndomain = sip.example.com\nudp = 0.0.0.0:5060\n"
	    "tcp = localhost:5080\ntls = 127.0.0.1:5061\n"
	    "tls_ca_file = ca.pem\ntls_verify = off\n"
	    "[store]\npath = /tmp/x.db\nmaster_key = mk\n"
	    "[media]\nports = 1024-1025\nworkers = 256\n"
	    "[log]\nlevel = error\n";
	struct gw_config *cfg;
	char errs[1024];

	(void)state;
	assert_int_equal(parse(text, &cfg, errs, sizeof(errs)), 0);
	assert_string_equal(cfg->server.public_address, "2001:db8::5");
	assert_string_equal(cfg->https.listen.host, "::");
	assert_int_equal(cfg->https.listen.port, 443);
	assert_string_equal(cfg->https.key, "k ;.pem");
	assert_int_equal(cfg->https.allowed_origins.n, 2);
	assert_string_equal(cfg->https.allowed_origins.v[0],
	                    "https://a.example"); /* as browsers send it */
	assert_string_equal(cfg->https.allowed_origins.v[1],
	                    "http://localhost:8080");
	assert_int_equal(cfg->https.max_connections_per_ip, 100000);
	assert_int_equal(cfg->https.idle_timeout, 10);
	assert_string_equal(cfg->sip.udp.host, "0.0.0.0");
	assert_int_equal(cfg->sip.tcp.port, 5080);
	assert_string_equal(cfg->sip.tls.host, "127.0.0.1");
	/* tls_cert and tls_key default to the [https] ones. */
	assert_string_equal(cfg->sip.tls_cert, "c.pem");
	assert_string_equal(cfg->sip.tls_key, "k ;.pem");
	assert_string_equal(cfg->sip.tls_ca_file, "ca.pem");
	assert_false(cfg->sip.tls_verify);
	assert_string_equal(cfg->store.path, "/tmp/x.db");
	assert_int_equal(cfg->media.ports.lo, 1024);
	assert_int_equal(cfg->media.workers, 256);
	assert_int_equal(cfg->log.level, LOG_ERROR);
	mem_deref(cfg);
}

static void test_config_required(void **state)
{
	(void)state;
	expect_errors("", "t.ini: [server] public_address: required key is "
	                  "missing\nt.ini: [sip] domain: required key is "
	                  "missing\n");
	expect_errors("; nothing\n[log]\n\n[sip]\nudp = 1.2.3.4:5\n",
	              "t.ini: [server] public_address: required key is "
	              "missing\nt.ini:4: [sip] domain: required key is "
	              "missing\n");
}

static void test_config_mistakes(void **state)
{
	(void)state;
	expect_errors(MINIMAL "[connection office]\nhost = x\n[bogus]\n",
	              "t.ini:7: [bogus]: unknown section 'bogus'\n"
	              "t.ini:5: [connection office] type: required key is "
	              "missing\n");
	expect_errors(MINIMAL "[sip main]\nudp = x\n",
	              "t.ini:5: [sip main]: section [sip] takes no name\n");
	expect_errors(MINIMAL "[sip]\n",
	              "t.ini:5: [sip]: section repeated (first at line 3)\n");
	expect_errors(MINIMAL "[log]\nlevel = debug\ncolour = yes\n",
	              "t.ini:7: [log] colour: unknown key\n");
	expect_errors(MINIMAL "[log]\nlevel = debug\nlevel = info\n",
	              "t.ini:7: [log] level: duplicate key (first set at "
	              "line 6)\n");
	expect_errors("level = info\n" MINIMAL,
	              "t.ini:1: key outside of a section\n");
	expect_errors(MINIMAL "[sip]x\n", "t.ini:5: unexpected text after "
	                                  "']'\n");
	expect_errors(MINIMAL "[media]\nports = 5000-4000\nworkers = 257\n",
	              "t.ini:6: [media] ports: port range '5000-4000' is "
	              "reversed (expected LO-HI with LO < HI)\nt.ini:7: "
	              "[media] workers: value '257' out of range (0..256)\n");
	expect_errors("[server]\npublic_address = 1.2.3\n[sip]\ndomain = "
	              "x\nudp = 1.2.3:x\ntcp = h:70000\n",
	              "t.ini:2: [server] public_address: cannot parse host "
	              "'1.2.3' (expected an IP address or host name)\n"
	              "t.ini:5: [sip] udp: cannot parse address '1.2.3:x' "
	              "(expected host:port)\nt.ini:6: [sip] tcp: port out of "
	              "range in 'h:70000' (1..65535)\n");
	expect_errors(MINIMAL "[store]\npath =\n",
	              "t.ini:6: [store] path: empty path\n");
	expect_errors(MINIMAL "[https]\nallowed_origins = https://a.b,,x\n",
	              "t.ini:6: [https] allowed_origins: cannot parse origin "
	              "'' (expected http(s)://host[:port] without a path)\n");
	expect_errors(MINIMAL "[log]\nlevel = \"debug\n",
	              "t.ini:6: [log] level: unterminated quoted value\n");
	/* After a malformed header, keys were lost: none is "missing". */
	expect_errors("[server\npublic_address = a\n[sip]\ndomain = b\n",
	              "t.ini:1: missing ']' in section header\n");
	/* Keys of a malformed or unknown section are not reported again. */
	expect_errors(MINIMAL "[media\nfoo = 1\n",
	              "t.ini:5: missing ']' in section header\n");
}

static void test_config_cross_rules(void **state)
{
	struct gw_config *cfg;
	char errs[1024];

	(void)state;
	expect_errors(MINIMAL "[https]\nlisten = 0.0.0.0:443\n",
	              "t.ini:5: [https] cert: required when listen is set\n"
	              "t.ini:5: [https] key: required when listen is set\n");
	expect_errors("[server]\npublic_address = a\n[sip]\ndomain = b\n"
	              "tls = 0.0.0.0:5061\ntls_key = k\n",
	              "t.ini:3: [sip] tls_cert: required when tls is set (or "
	              "set [https] cert)\n");
	expect_errors("[server]\npublic_address = ::\n[sip]\ndomain = b\n",
	              "t.ini:2: [server] public_address: '::' is not an "
	              "address others can reach (set the public one)\n");
	expect_errors(MINIMAL "[https]\nlisten = 0.0.0.0:5061\ncert = c\n"
	                      "key = k\n[sip]\n",
	              "t.ini:9: [sip]: section repeated (first at line 3)\n");
	expect_errors("[server]\npublic_address = a\n[https]\nlisten = "
	              "0.0.0.0:443\ncert = c\nkey = k\n[sip]\ndomain = b\n"
	              "udp = 1.2.3.4:443\ntcp = 1.2.3.4:443\n"
	              "tls = [::1]:443\n",
	              "t.ini:10: [sip] tcp: same TCP port as [https] listen "
	              "(line 4)\nt.ini:11: [sip] tls: same TCP port as "
	              "[https] listen (line 4)\n");
	/* Different hosts, or UDP and TCP on one port, are fine. */
	assert_int_equal(parse("[server]\npublic_address = a\n[https]\n"
	                       "listen = 1.2.3.5:5060\ncert = c\nkey = k\n"
	                       "[sip]\ndomain = b\nudp = 1.2.3.4:5060\n"
	                       "tcp = 1.2.3.4:5060\n",
	                       &cfg, errs, sizeof(errs)),
	                 0);
	mem_deref(cfg);
	/* An explicit tls_cert wins over the [https] one. */
	assert_int_equal(parse("[server]\npublic_address = a\n[https]\ncert "
	                       "= h.pem\nkey = h.key\n[sip]\ndomain = b\n"
	                       "tls = 0.0.0.0:5061\ntls_cert = s.pem\n",
	                       &cfg, errs, sizeof(errs)),
	                 0);
	assert_string_equal(cfg->sip.tls_cert, "s.pem");
	assert_string_equal(cfg->sip.tls_key, "h.key");
	mem_deref(cfg);
}

static void test_config_many_errors(void **state)
{
	struct gw_config_errors errs;
	struct gw_config *cfg = NULL;
	char *text = malloc(20 * (GW_CONFIG_ERRORS_MAX + 10));
	size_t i, n = 0;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < GW_CONFIG_ERRORS_MAX + 10; i++)
		n += (size_t)sprintf(text + n, "junk\n");
	gw_config_errors_init(&errs);
	assert_int_equal(gw_config_parse(&cfg, "t", text, n, &errs), EBADMSG);
	assert_null(cfg);
	assert_int_equal(list_count(&errs.list), GW_CONFIG_ERRORS_MAX);
	assert_true(errs.truncated);
	gw_config_errors_flush(&errs);
	assert_false(errs.truncated);
	free(text);
}

static void test_config_load_files(void **state)
{
	struct gw_config_errors errs;
	struct gw_config *cfg = NULL;
	char line[512];

	(void)state;
	gw_config_errors_init(&errs);
	assert_int_equal(gw_config_load(&cfg, "configs/good.ini", &errs), 0);
	assert_int_equal(list_count(&errs.list), 0);
	assert_string_equal(cfg->path, "configs/good.ini");
	assert_string_equal(cfg->server.public_address, "gw.example.com");
	cfg = mem_deref(cfg);

	assert_int_equal(gw_config_load(&cfg, "configs/none.ini", &errs),
	                 ENOENT);
	assert_null(cfg);
	assert_int_equal(list_count(&errs.list), 1);
	gw_config_error_format(errs.list.head->data, line, sizeof(line));
	assert_string_equal(line, "configs/none.ini: cannot read: No such "
	                          "file or directory");
	gw_config_errors_flush(&errs);

	assert_int_equal(gw_config_load(NULL, "configs/good.ini", &errs),
	                 EINVAL);
	assert_int_equal(gw_config_load(&cfg, NULL, &errs), EINVAL);
	assert_int_equal(gw_config_parse(&cfg, "t", NULL, 1, &errs), EINVAL);
	assert_int_equal(gw_config_parse(&cfg, "t", "", 0, NULL), EINVAL);
	assert_int_equal(list_count(&errs.list), 0);

	assert_int_equal(gw_config_load(&cfg, "configs", &errs), EISDIR);
	gw_config_error_format(errs.list.head->data, line, sizeof(line));
	assert_string_equal(line, "configs: cannot read: Is a directory");
	gw_config_errors_flush(&errs);
}

/* Every allocation of a load may fail: ENOMEM, nothing leaked. */
static void test_config_enomem(void **state)
{
	struct gw_config_errors errs;
	struct gw_config *cfg;
	long n;
	int err = ENOMEM;

	(void)state;
	gw_config_errors_init(&errs);
	for (n = 0; err == ENOMEM && n < 10000; n++) {
		cfg = NULL;
		mem_fail_after(n);
		err = gw_config_load(&cfg, "configs/good.ini", &errs);
		mem_fail_after(-1);
		if (err == ENOMEM)
			assert_null(cfg);
		gw_config_errors_flush(&errs);
	}
	assert_int_equal(err, 0);
	assert_true(n > 20);
	mem_deref(cfg);

	/* And while errors are being recorded. */
	err = ENOMEM;
	for (n = 0; err == ENOMEM && n < 10000; n++) {
		cfg = NULL;
		mem_fail_after(n);
		err = gw_config_parse(&cfg, "t", "[x]\n[log]\nlevel=z\n", 18,
		                      &errs);
		mem_fail_after(-1);
		gw_config_errors_flush(&errs);
	}
	assert_int_equal(err, EBADMSG);
	assert_null(cfg);
}

static void test_config_keys_table(void **state)
{
	const struct gw_config_key *keys;
	size_t i, j, n;

	(void)state;
	keys = gw_config_keys(&n);
	assert_int_equal(n, 34);
	for (i = 0; i < n; i++) {
		/* every default parses (apply_defaults relies on it) */
		assert_true(!keys[i].required || !keys[i].def);
		for (j = i + 1; j < n; j++)
			assert_false(
			    !strcmp(keys[i].section, keys[j].section) &&
			    !strcmp(keys[i].key, keys[j].key));
		assert_string_not_equal(gw_config_type_name(keys[i].type), "?");
	}
	assert_int_equal(gw_config_section_check(P("sip"), P("")), 0);
	assert_int_equal(gw_config_section_check(P("sip"), P("x")), EBADMSG);
	assert_int_equal(gw_config_section_check(P("connection"), P("x")), 0);
	assert_int_equal(gw_config_section_check(P("connection"), P("")),
	                 EBADMSG);
}

static void test_config_json_str(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	gw_json_str(f, "a\"b\\c\n\t\x01\x7f é");
	gw_json_str(f, NULL);
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f é\"\"\"");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_config_defaults),    SC_TEST(test_config_full),
	    SC_TEST(test_config_required),    SC_TEST(test_config_mistakes),
	    SC_TEST(test_config_cross_rules), SC_TEST(test_config_many_errors),
	    SC_TEST(test_config_load_files),  SC_TEST(test_config_enomem),
	    SC_TEST(test_config_keys_table),  SC_TEST(test_config_json_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
