/* test_rewrite.c: table tests of the engine's use of the module: each
 * sample is decoded, the other leg's offer and the answer to this leg are
 * built from our own values, encoded and decoded again; then nothing that
 * identifies any sample (addresses, ports, ICE credentials, fingerprints,
 * ssrc/cname/msid, o= session id, SDES keys) may appear in any output, and
 * every answer must be a valid RFC 3264 answer to its offer. */
#include <errno.h>

#include "sdp/sdp.h"
#include "sdp_testutil.h"

#define SECRETS_MAX 512
#define OUR_ADDR "203.0.113.5"
#define OUR_PORT_PLAIN 40000
#define OUR_PORT_WEB 41000

struct secrets {
	char v[SECRETS_MAX][300];
	bool numeric[SECRETS_MAX]; /* matched as a whole token only */
	size_t n;
};

/* Splits off the next space-separated token: 0, or ENOENT at the end. */
static int next_tok(struct pl *tok, struct pl *rest)
{
	while (rest->l && rest->p[0] == ' ') {
		rest->p++;
		rest->l--;
	}
	if (!rest->l)
		return ENOENT;
	tok->p = rest->p;
	tok->l = 0;
	while (tok->l < rest->l && rest->p[tok->l] != ' ')
		tok->l++;
	rest->p += tok->l;
	rest->l -= tok->l;
	return 0;
}

static void secret_add(struct secrets *sc, const struct pl *pl, bool numeric)
{
	size_t i;

	if (!pl->l || pl->l >= sizeof(sc->v[0]))
		return;
	if (numeric ? pl->l < 4 : pl->l < 3)
		return; /* "9", "0": ports of nothing, payload types */
	for (i = 0; i < sc->n; i++)
		if (!pl_strcmp(pl, sc->v[i]))
			return;
	assert_true(sc->n < SECRETS_MAX);
	assert_int_equal(pl_strcpy(pl, sc->v[sc->n], sizeof(sc->v[0])), 0);
	sc->numeric[sc->n++] = numeric;
}

static void secret_tokens(struct secrets *sc, const struct pl *val)
{
	struct pl rest = *val, tok;

	while (!next_tok(&tok, &rest))
		secret_add(sc, &tok, false);
}

/* The ufrag value of a candidate's extensions (RFC 8840 / Chrome). */
static void secret_ext_ufrag(struct secrets *sc, const struct pl *ext)
{
	struct pl rest = *ext, key, val;

	while (!next_tok(&key, &rest) && !next_tok(&val, &rest))
		if (!pl_strcmp(&key, "ufrag"))
			secret_add(sc, &val, false);
}

static void secrets_from_attrs(struct secrets *sc, const struct sdp_attr *v,
			       size_t c)
{
	size_t i;

	for (i = 0; i < c; i++) {
		const struct pl *name = &v[i].name, *val = &v[i].value;
		struct sdp_candidate cand;
		struct pl hash, addr, attr, sval;
		uint16_t port;
		uint32_t ssrc;

		if (!pl_strcmp(name, "ice-ufrag") ||
		    !pl_strcmp(name, "ice-pwd"))
			secret_add(sc, val, false);
		else if (!pl_strcmp(name, "fingerprint")) {
			struct pl rest = *val;

			(void)next_tok(&hash, &rest);
			pl_trim(&rest);
			secret_add(sc, &rest, false);
		} else if (!pl_strcmp(name, "candidate") &&
			   !sdp_candidate_decode(&cand, val)) {
			char p[8];
			struct pl pp;

			secret_add(sc, &cand.foundation, true);
			secret_add(sc, &cand.addr, false);
			secret_add(sc, &cand.raddr, false);
			snprintf(p, sizeof(p), "%u", cand.port);
			pl_set_str(&pp, p);
			secret_add(sc, &pp, true);
			snprintf(p, sizeof(p), "%u", cand.rport);
			pl_set_str(&pp, p);
			secret_add(sc, &pp, true);
			secret_ext_ufrag(sc, &cand.ext);
		} else if (!pl_strcmp(name, "rtcp") &&
			   !sdp_rtcp_decode(&port, &addr, val)) {
			struct pl rest = *val, tok;

			(void)next_tok(&tok, &rest);
			secret_add(sc, &tok, true);
			secret_add(sc, &addr, false);
		} else if (!pl_strcmp(name, "ssrc") &&
			   !sdp_ssrc_decode(&ssrc, &attr, &sval, val)) {
			struct pl rest = *val, tok;

			(void)next_tok(&tok, &rest);
			secret_add(sc, &tok, true);
			secret_tokens(sc, &sval);
		} else if (!pl_strcmp(name, "msid")) {
			secret_tokens(sc, val);
		} else if (!pl_strcmp(name, "msid-semantic")) {
			struct pl rest = *val, tok;

			(void)next_tok(&tok, &rest); /* "WMS" */
			secret_tokens(sc, &rest);
		} else if (!pl_strcmp(name, "crypto")) {
			const char *in = pl_chr(val, ':');
			struct pl key;

			assert_non_null(in);
			key.p = in + 1;
			key.l = (size_t)(val->p + val->l - key.p);
			if (pl_chr(&key, '|'))
				key.l = (size_t)(pl_chr(&key, '|') - key.p);
			secret_add(sc, &key, false);
		}
	}
}

/* What of an SDP identifies its sender. */
static void secrets_collect(struct secrets *sc, const struct sdp_sess *s)
{
	size_t i;

	secret_add(sc, &s->o_sess_id, true);
	secret_add(sc, &s->o_addr, false);
	if (s->has_conn)
		secret_add(sc, &s->conn.addr, false);
	secrets_from_attrs(sc, s->attrv, s->attrc);
	for (i = 0; i < s->mediac; i++) {
		const struct sdp_media *m = &s->mediav[i];
		char p[8];
		struct pl pp;

		snprintf(p, sizeof(p), "%u", m->port);
		pl_set_str(&pp, p);
		secret_add(sc, &pp, true);
		if (m->has_conn)
			secret_add(sc, &m->conn.addr, false);
		secrets_from_attrs(sc, m->attrv, m->attrc);
	}
}

static bool is_sep(char c)
{
	return c == ' ' || c == ':' || c == '/' || c == '\r' || c == '\n' ||
	       c == '=' || c == '|';
}

/* The first secret found in out, or NULL. */
static const char *find_secret(const struct secrets *sc, const char *out)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const char *hit = out;
		size_t l = strlen(sc->v[i]);

		while ((hit = strstr(hit, sc->v[i]))) {
			bool whole = (hit == out || is_sep(hit[-1])) &&
				     (is_sep(hit[l]) || !hit[l]);

			if (!sc->numeric[i] || whole)
				return sc->v[i];
			hit += l;
		}
	}
	return NULL;
}

static void assert_no_secret(const struct secrets *sc, const char *out,
			     const char *what)
{
	const char *leak = find_secret(sc, out);

	if (leak)
		fail_msg("%s: \"%s\" leaked into:\n%s", what, leak, out);
}

/* Fills what the engine would: our address, credentials, fingerprint,
 * ssrc and cname; nothing from the peer. */
static void our_webrtc(struct sdp_audio *a)
{
	memset(a, 0, sizeof(*a));
	a->proto = SDP_PROTO_UDP_TLS_RTP_SAVPF;
	assert_int_equal(sa_set(&a->addr, OUR_ADDR, OUR_PORT_WEB), 0);
	a->rtcp = a->addr;
	a->rtcp_mux = true;
	a->ice_lite = true;
	strcpy(a->ice_ufrag, "GwUf");
	strcpy(a->ice_pwd, "GatewayIcePasswordXyz1");
	strcpy(a->fp, "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
		      "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99");
	a->setup = SDP_SETUP_ACTPASS;
	strcpy(a->candv[0].foundation, "gw1");
	a->candv[0].component = 1;
	a->candv[0].priority = 2130706431;
	a->candv[0].addr = a->addr;
	strcpy(a->candv[0].type, "host");
	a->candc = 1;
	a->ssrc = 777;
	strcpy(a->cname, "gwcname");
}

static void our_plain(struct sdp_audio *a, enum sdp_proto proto)
{
	memset(a, 0, sizeof(*a));
	a->proto = proto;
	assert_int_equal(sa_set(&a->addr, OUR_ADDR, OUR_PORT_PLAIN), 0);
	a->rtcp = a->addr;
	sa_set_port(&a->rtcp, OUR_PORT_PLAIN + 1);
	a->ptime = 20;
	a->ssrc = 778;
	strcpy(a->cname, "gwcname");
	if (proto == SDP_PROTO_RTP_SAVP) {
		a->cryptov[0].tag = 1;
		strcpy(a->cryptov[0].suite, "AES_CM_128_HMAC_SHA1_80");
		memset(a->cryptov[0].key_salt, 0x5a, 30);
		a->cryptov[0].key_salt_len = 30;
		a->cryptoc = 1;
	}
}

static void want_codecs(struct sdp_codec *v, size_t *n, bool web)
{
	*n = 0;
	if (web)
		v[(*n)++] = sdp_codec_opus;
	v[(*n)++] = sdp_codec_pcmu;
	v[(*n)++] = sdp_codec_pcma;
	if (web)
		v[(*n)++] = sdp_codec_tel_event_48k;
	v[(*n)++] = sdp_codec_tel_event_8k;
}

/* Encodes, NUL-terminates, decodes again and checks the audio section
 * reads back as built. Returns the text (in *mbp, caller frees). */
static void encode_check(struct mbuf **mbp, const struct sdp_audio *a,
			 const struct sdp_sess *offer, unsigned idx,
			 struct sdp_sess *out)
{
	struct sdp_origin o = {
	    .user = "sipcloak", .sess_id = 90001, .sess_ver = 1};
	struct sdp_audio back;
	struct mbuf *mb;
	unsigned bidx;

	assert_int_equal(sa_set(&o.addr, OUR_ADDR, 0), 0);
	assert_int_equal(mbuf_alloc(&mb, 1024), 0);
	assert_int_equal(sdp_audio_encode(mb, &o, a, offer, idx), 0);
	assert_int_equal(sdp_decode(out, (char *)mb->buf, mb->end), 0);
	assert_int_equal(mbuf_write_mem(mb, "", 1), 0);
	assert_int_equal(sdp_audio_get(&back, &bidx, out), 0);
	assert_int_equal(bidx, offer ? idx : 0);
	assert_int_equal(back.proto, a->proto);
	assert_true(sa_cmp(&back.addr, &a->addr));
	assert_int_equal(back.codecc, a->codecc);
	assert_int_equal(back.codecv[0].pt, a->codecv[0].pt);
	assert_string_equal(back.ice_ufrag, a->ice_ufrag);
	assert_string_equal(back.fp, a->fp);
	assert_int_equal(back.candc, a->candc);
	assert_int_equal(back.cryptoc, a->cryptoc);
	if (a->cryptoc)
		assert_memory_equal(back.cryptov[0].key_salt,
				    a->cryptov[0].key_salt, 30);
	*mbp = mb;
}

/* RFC 3264 section 6: as many m= lines as the offer, in its order, the
 * ones we do not take with port 0; the audio one with a codec the offer
 * has under the same payload type. */
static void assert_valid_answer(const struct sdp_sess *offer,
				const struct sdp_sess *ans, unsigned idx,
				const struct sdp_audio *offer_audio)
{
	struct sdp_audio a;
	size_t i;
	int k;

	assert_int_equal(ans->mediac, offer->mediac);
	for (i = 0; i < offer->mediac; i++) {
		assert_true(
		    pl_eq(&ans->mediav[i].type, &offer->mediav[i].type));
		assert_true(
		    pl_eq(&ans->mediav[i].proto, &offer->mediav[i].proto));
		if (i != idx)
			assert_int_equal(ans->mediav[i].port, 0);
		else
			assert_int_not_equal(ans->mediav[i].port, 0);
	}
	assert_int_equal(sdp_audio_get(&a, NULL, ans), 0);
	assert_true(a.codecc >= 1 && a.codecc <= 2);
	k = sdp_codec_find(offer_audio, a.codecv[0].name, a.codecv[0].rate);
	assert_true(k >= 0);
	assert_int_equal(offer_audio->codecv[k].pt, a.codecv[0].pt);
	if (sdp_proto_is_dtls(a.proto)) {
		struct pl mid;

		pl_set_str(&mid, offer_audio->mid);
		assert_string_equal(a.mid, offer_audio->mid);
		assert_true(sdp_bundle_has(ans, &mid));
		assert_int_equal(a.setup, SDP_SETUP_PASSIVE);
	}
}

static struct secrets all_secrets;
static char bufs[SC_ARRAY_SIZE(sdp_test_files)][SDP_TEST_FILE_MAX];

static void test_secrets_found(void **state)
{
	struct sdp_sess s;
	size_t f;

	(void)state;
	memset(&all_secrets, 0, sizeof(all_secrets));
	for (f = 0; f < SC_ARRAY_SIZE(sdp_test_files); f++) {
		size_t n =
		    sdp_test_read(sdp_test_files[f], bufs[f], sizeof(bufs[f]));

		assert_int_equal(sdp_decode(&s, bufs[f], n), 0);
		secrets_collect(&all_secrets, &s);
	}
	/* the helper itself finds what it must */
	assert_true(all_secrets.n > 60);
	assert_null(find_secret(&all_secrets, "m=audio 9 RTP/AVP 0 8 101\r\n"
					      "a=msid-semantic: WMS *\r\n"
					      "a=ssrc:1 cname:gw\r\n"));
	assert_string_equal(
	    find_secret(&all_secrets, "c=IN IP4 192.0.2.10\r\n"), "192.0.2.10");
	assert_non_null(
	    find_secret(&all_secrets, "a=ice-pwd:Qm4kTr8sWe2YuIo0PaSdFg6H"));
	assert_string_equal(
	    find_secret(&all_secrets, "m=audio 17382 RTP/AVP 0\r\n"), "17382");
	assert_null(find_secret(&all_secrets, "m=audio 173820 RTP/AVP 0\r\n"));
	assert_non_null(
	    find_secret(&all_secrets, "a=ssrc:1 cname:q9Rt5Yh2Kz8Lp3Xw"));
	assert_non_null(find_secret(&all_secrets, "a=ssrc:3735928559 cname:x"));
	assert_non_null(find_secret(&all_secrets, "a=x:Hq7bNc3Vx9Rt"));
	assert_non_null(find_secret(&all_secrets, "o=- 4611731400430051336 "));
	assert_non_null(find_secret(&all_secrets, "inline:NzB4d1BINUAvLEw6UzF3"
						  "WSJ+PSdFcGdUJShpX1Zj"));
	assert_non_null(find_secret(&all_secrets,
				    "4E:9B:02:C7:35:AD:18:F0:62:DB:"
				    "7C:E9:41:0A:B5:3E:88:17:CF:54:"
				    "29:6A:B0:D3:0E:71:F4:9D:26:C8:"
				    "5B:13"));
	assert_non_null(find_secret(&all_secrets, "2001:db8:5afa::42"));
	assert_non_null(find_secret(&all_secrets, "raddr 192.0.2.44"));
}

static void test_rewrite_all(void **state)
{
	size_t f;

	(void)state;
	for (f = 0; f < SC_ARRAY_SIZE(sdp_test_files); f++) {
		struct sdp_sess in, out;
		struct sdp_audio ain, other, ans;
		struct sdp_codec want[5];
		struct mbuf *mb;
		unsigned idx;
		size_t wantc;
		bool web;

		assert_int_equal(sdp_decode(&in, bufs[f], strlen(bufs[f])), 0);
		assert_int_equal(sdp_audio_get(&ain, &idx, &in), 0);
		web = sdp_proto_is_dtls(ain.proto);

		/* the offer toward the other leg */
		if (web) {
			our_plain(&other, SDP_PROTO_RTP_AVP);
			want_codecs(other.codecv, &other.codecc, false);
		} else {
			our_webrtc(&other);
			strcpy(other.mid, "0");
			want_codecs(other.codecv, &other.codecc, true);
		}
		other.dir = ain.dir;
		encode_check(&mb, &other, NULL, 0, &out);
		assert_int_equal(out.mediac, 1);
		assert_no_secret(&all_secrets, (char *)mb->buf,
				 sdp_test_files[f]);
		mem_deref(mb);

		/* the answer to this leg's offer */
		want_codecs(want, &wantc, web);
		if (web) {
			our_webrtc(&ans);
			strcpy(ans.mid, ain.mid);
			ans.setup = SDP_SETUP_PASSIVE;
		} else {
			our_plain(&ans, ain.proto);
			if (ain.cryptoc)
				ans.cryptov[0].tag = ain.cryptov[0].tag;
		}
		assert_int_equal(sdp_answer_codecs(&ans, &ain, want, wantc), 0);
		encode_check(&mb, &ans, &in, idx, &out);
		assert_valid_answer(&in, &out, idx, &ain);
		assert_no_secret(&all_secrets, (char *)mb->buf,
				 sdp_test_files[f]);
		mem_deref(mb);
		sdp_audio_wipe(&ain);
		sdp_audio_wipe(&ans);
		sdp_audio_wipe(&other);
	}
}

/* A disabled audio stream is answered with port 0 as well. */
static void test_answer_port_zero(void **state)
{
	static const char offer[] = "v=0\r\n"
				    "o=- 5 5 IN IP4 192.0.2.1\r\n"
				    "s=-\r\n"
				    "c=IN IP4 192.0.2.1\r\n"
				    "t=0 0\r\n"
				    "m=video 5002 RTP/AVP 96\r\n"
				    "a=rtpmap:96 H264/90000\r\n"
				    "m=audio 0 RTP/AVP 0\r\n";
	struct sdp_sess in, out;
	struct sdp_audio ain, ans;
	struct sdp_origin o = {.sess_id = 1};
	struct mbuf *mb;
	unsigned idx;

	(void)state;
	assert_int_equal(sdp_decode(&in, offer, sizeof(offer) - 1), 0);
	assert_int_equal(sdp_audio_get(&ain, &idx, &in), 0);
	assert_int_equal(idx, 1);
	assert_true(ain.port_zero);
	our_plain(&ans, SDP_PROTO_RTP_AVP);
	ans.port_zero = true;
	ans.codecv[0] = sdp_codec_pcmu;
	ans.codecc = 1;
	assert_int_equal(sa_set(&o.addr, OUR_ADDR, 0), 0);
	assert_int_equal(mbuf_alloc(&mb, 256), 0);
	assert_int_equal(sdp_audio_encode(mb, &o, &ans, &in, idx), 0);
	assert_int_equal(sdp_decode(&out, (char *)mb->buf, mb->end), 0);
	assert_int_equal(out.mediac, 2);
	assert_int_equal(out.mediav[0].port, 0);
	assert_int_equal(out.mediav[1].port, 0);
	assert_int_equal(pl_strcmp(&out.o_user, "-"), 0);
	mem_deref(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_secrets_found),
	    SC_TEST(test_rewrite_all),
	    SC_TEST(test_answer_port_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
