/* test_wsload_reg_engine.c: wsload's REGISTER mode end to end against an
 * in-test registrar on 127.0.0.1 driven from the same loop: challenge rounds
 * (REGISTER, 401, REGISTER with Authorization, 200; RFC 3261 22.2), nonce
 * reuse with a rising nonce count (RFC 7616 3.4.5) checked by sc_sip's
 * verifier, one Call-ID per connection with rising CSeq (RFC 3261 10.2.4),
 * devices in turn, and a wrong password (403). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sip/digest.h"
#include "testutil.h"
#include "wsload.h"

#define TEST_DEVICES 4
#define TEST_RUN_US 300000u
#define TEST_LIMIT_US 5000000u

#include "test_wssrv.h"

struct srv {
	struct srv_ws ws; /* first */
	unsigned requests;
	unsigned challenges; /* 401s sent */
	unsigned accepted;   /* 200s sent */
	unsigned refused;    /* 403s sent */
	unsigned nonces;     /* nonces issued */
	uint32_t last_nc[TEST_DEVICES];      /* per device, for its nonce */
	char nonce[TEST_DEVICES][16];        /* per device: the last issued */
	unsigned long last_cseq[SRV_CONNS];  /* per connection */
	char callid[SRV_CONNS][64];          /* per connection */
};

/* The value of header name in sip (NUL-terminated copy into out). */
static bool srv_hdr(const char *sip, const char *name, char *out, size_t size)
{
	const char *h = strstr(sip, name), *end;

	if (!h)
		return false;
	h += strlen(name);
	end = strstr(h, "\r\n");
	assert_non_null(end);
	assert_true((size_t)(end - h) < size);
	memcpy(out, h, (size_t)(end - h));
	out[end - h] = '\0';
	return true;
}

/* A registrar: 401 with an MD5 challenge (qop=auth) without credentials or
 * with an unknown nonce; 200 when the response is right for password
 * "pw-" USER and nc is above the last one for the nonce; 403 otherwise. */
static void srv_request(struct srv_ws *ws, struct srv_conn *c, const char *sip)
{
	struct srv *s = (struct srv *)ws;
	const unsigned ci = (unsigned)(c - ws->c);
	char resp[512], auth[1024], callid[64], user[32];
	struct sip_digest cred;
	const char *status = "403 Forbidden";
	unsigned long cseq, dev;
	char hdr[320] = "";
	int n;

	assert_memory_equal(sip, "REGISTER sip:example.org SIP/2.0\r\n", 34);
	assert_true(srv_hdr(sip, "\r\nCSeq: ", auth, sizeof(auth)));
	cseq = strtoul(auth, NULL, 10);
	assert_true(srv_hdr(sip, "\r\nCall-ID: ", callid, sizeof(callid)));
	assert_true(srv_hdr(sip, "\r\nTo: <sip:u", user, sizeof(user)));
	dev = strtoul(user, NULL, 10);
	assert_true(dev < TEST_DEVICES);
	assert_non_null(strstr(sip, "\r\nExpires: 3600\r\n"));
	/* One Call-ID per connection, CSeq increasing (RFC 3261 10.2.4). */
	if (!s->callid[ci][0])
		strcpy(s->callid[ci], callid);
	assert_string_equal(s->callid[ci], callid);
	assert_true(cseq > s->last_cseq[ci]);
	s->last_cseq[ci] = cseq;
	s->requests++;
	if (!srv_hdr(sip, "\r\nAuthorization: ", auth, sizeof(auth))) {
		status = "401 Unauthorized";
	} else {
		const struct pl val = {auth, strlen(auth)};
		struct pl u, realm, pw, method;
		char ha1[SIP_DIGEST_HEX_MAX], pass[32];

		assert_int_equal(
		    sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS, &val), 0);
		snprintf(pass, sizeof(pass), "pw-u%lu", dev);
		snprintf(user, sizeof(user), "u%lu", dev);
		pl_set_str(&u, user);
		pl_set_str(&realm, "example.org");
		pl_set_str(&pw, pass);
		pl_set_str(&method, "REGISTER");
		assert_int_equal(
		    sip_digest_ha1(ha1, SIP_DIGEST_MD5, &u, &realm, &pw), 0);
		assert_int_equal(pl_strcmp(&cred.username, user), 0);
		if (pl_strcmp(&cred.nonce, s->nonce[dev])) {
			status = "401 Unauthorized"; /* not the last nonce */
		} else if (!sip_digest_verify(&cred, ha1, &method, false)) {
			/* RFC 7616 3.4.5: the nonce count only goes up. */
			assert_true(cred.ncv == s->last_nc[dev] + 1);
			s->last_nc[dev] = cred.ncv;
			status = "200 OK";
			s->accepted++;
		} else {
			s->refused++;
		}
	}
	if (!strncmp(status, "401", 3)) {
		snprintf(s->nonce[dev], sizeof(s->nonce[dev]), "n%u",
		         ++s->nonces);
		s->last_nc[dev] = 0;
		s->challenges++;
		/* SHA-256 first as sipcloak does; wsload takes the MD5. */
		snprintf(hdr, sizeof(hdr),
		         "WWW-Authenticate: Digest realm=\"example.org\", "
		         "nonce=\"%s\", algorithm=SHA-256, qop=\"auth\"\r\n"
		         "WWW-Authenticate: Digest realm=\"example.org\", "
		         "nonce=\"%s\", algorithm=MD5, qop=\"auth\"\r\n",
		         s->nonce[dev], s->nonce[dev]);
	}
	n = snprintf(resp, sizeof(resp),
	             "SIP/2.0 %s\r\nVia: SIP/2.0/WSS abc.invalid\r\n"
	             "CSeq: %lu REGISTER\r\n%sContent-Length: 0\r\n\r\n",
	             status, cseq, hdr);
	assert_true(n > 0 && (size_t)n < sizeof(resp));
	srv_frame(c->fd, 0x81, resp, (size_t)n);
}
/* Devices u0..u3 with passwords pw-u0..; wrong: every password wrong. */
static void creds_make(struct wsload_cred *creds, bool wrong)
{
	for (unsigned i = 0; i < TEST_DEVICES; i++) {
		snprintf(creds[i].user, sizeof(creds[i].user), "u%u", i);
		snprintf(creds[i].pass, sizeof(creds[i].pass), "%s-u%u",
		         wrong ? "bad" : "pw", i);
	}
}

/* Two connections, four devices, a run then a drain; returns the stats. */
static void reg_run(struct srv *s, bool reuse, bool wrong,
                    struct wsload_stats *out)
{
	struct wsload_cred creds[TEST_DEVICES];
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg;
	uint64_t t0;

	memset(s, 0, sizeof(*s));
	srv_open(&s->ws, &cfg, srv_request);
	cfg.pipeline = 1;
	creds_make(creds, wrong);
	cfg.mode = WSLOAD_MODE_REGISTER;
	cfg.reuse_nonce = reuse;
	cfg.creds = creds;
	cfg.ncreds = TEST_DEVICES;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 2), 0);
	DRIVE(e, &s->ws, wsload_engine_open(e) == 2 && s->ws.pongs == 2);
	assert_int_equal(s->requests, 0);
	wsload_engine_phase(e, WSLOAD_RUN);
	t0 = wsload_now_us();
	DRIVE(e, &s->ws, wsload_now_us() - t0 >= TEST_RUN_US);
	wsload_engine_phase(e, WSLOAD_DRAIN);
	DRIVE(e, &s->ws, wsload_engine_outstanding(e) == 0);
	*out = *wsload_engine_stats(e);
	wsload_engine_close(e);
	mem_deref(e);
	srv_close(&s->ws);
}

static void test_reg_challenge(void **state)
{
	struct wsload_stats st;
	struct srv s;

	(void)state;
	reg_run(&s, false, false, &st);
	/* Every round: REGISTER, 401, REGISTER with nc=1, 200. */
	assert_true(st.ok > 8);
	assert_int_equal(st.sent, st.ok);
	assert_int_equal(st.challenges, st.ok);
	assert_int_equal(s.challenges, st.ok);
	assert_int_equal(s.accepted, st.ok);
	assert_int_equal(s.requests, 2 * st.ok);
	assert_int_equal(st.bad_status + st.timeouts + st.lost, 0);
	/* Each connection went through its two devices. */
	assert_int_equal(st.registered, TEST_DEVICES);
	assert_int_equal(st.lat.count, st.ok);
}

static void test_reg_reuse(void **state)
{
	struct wsload_stats st;
	struct srv s;

	(void)state;
	reg_run(&s, true, false, &st);
	/* One challenge per device, then one request per registration
	 * with nc going up (srv_request checks it). */
	assert_true(st.ok > 8);
	assert_int_equal(s.challenges, TEST_DEVICES);
	assert_int_equal(st.challenges, TEST_DEVICES);
	assert_int_equal(s.requests, st.ok + TEST_DEVICES);
	assert_int_equal(st.bad_status + st.timeouts + st.lost, 0);
	assert_int_equal(st.registered, TEST_DEVICES);
	for (unsigned i = 0; i < TEST_DEVICES; i++)
		assert_true(s.last_nc[i] > 1);
}

static void test_reg_wrong_password(void **state)
{
	struct wsload_stats st;
	struct srv s;

	(void)state;
	reg_run(&s, false, true, &st);
	/* 403 after the challenge: an error, no registration. */
	assert_int_equal(st.ok, 0);
	assert_true(st.bad_status > 0);
	assert_int_equal(st.last_bad, 403);
	assert_int_equal(st.registered, 0);
	assert_int_equal(s.refused, st.bad_status);
}

static void test_reg_args(void **state)
{
	struct wsload_engine *e = NULL;
	struct wsload_cfg cfg = {.mode = WSLOAD_MODE_REGISTER, .pipeline = 1};
	struct wsload_cred cred = {.user = "u", .pass = "p"};

	(void)state;
	/* No devices; more than one request outstanding. */
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 1), EINVAL);
	cfg.creds = &cred;
	cfg.ncreds = 1;
	cfg.pipeline = 2;
	assert_int_equal(wsload_engine_alloc(&e, &cfg, 1), EINVAL);
	assert_null(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_reg_challenge),
	    SC_TEST(test_reg_reuse),
	    SC_TEST(test_reg_wrong_password),
	    SC_TEST(test_reg_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
