/* test_engine_dtls.c: the transport of a WebRTC leg across re-offers,
 * with a test-side browser (browser_peer.h) against the engine. DTLS
 * (RFC 8842 section 5, RFC 5763 section 6.6): a re-offer with the same
 * fingerprint and a=setup:actpass keeps the association; one that takes
 * the other role, or names another certificate, gets a new handshake in
 * the new role while media goes on under the old keys until it completes;
 * the PBX leg's stream keeps its SSRC and sequence throughout. ICE
 * restart (RFC 8445 section 9, RFC 8839 section 4.4.1.1.1): the old
 * credentials work until the answer and never after; media stays on the
 * old path until a check with the new ones passes, then goes only to the
 * freshly checked address. */
#include "browser_peer.h"

struct dcall {
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_events ev;
	struct browser br;
	struct mt_peer pbx;
	uint16_t port_b;
	char eufrag[64], epwd[64], efp[160];
	uint16_t br_seq, pbx_seq;
};

/* The browser (leg A) offers with a=setup:<setup>, the PBX answers. */
static void reoffer(struct dcall *c, const char *setup, const char *want)
{
	struct mbuf *mb = NULL;
	char sdp[2048];
	struct pl pl;

	br_sdp(sdp, sizeof(sdp), &c->br, setup);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c->ms, MEDIA_LEG_A, &pl, &mb), 0);
	c->port_b = mt_sdp_port(mb);
	mb = mem_deref(mb);
	mt_sdp(sdp, sizeof(sdp), c->pbx.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c->ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, want));
	c->br.engine_port = mt_sdp_port(mb);
	sdp_attr(mb, "ice-ufrag", c->eufrag, sizeof(c->eufrag));
	sdp_attr(mb, "ice-pwd", c->epwd, sizeof(c->epwd));
	sdp_attr(mb, "fingerprint", c->efp, sizeof(c->efp));
	mb = mem_deref(mb);
	usleep(20000); /* the worker has the new parameters */
}

static void dcall_start(struct dcall *c)
{
	struct media_leg_conf a = {.kind = MEDIA_WEBRTC};
	struct media_leg_conf b = {
	    .kind = MEDIA_RTP, .codecv = {MEDIA_CODEC_PCMU}, .codecc = 1};

	memset(c, 0, sizeof(*c));
	mt_engine(&c->me, &c->loop, 0);
	mt_peer_open(&c->br.sock);
	mt_peer_open(&c->pbx);
	assert_int_equal(dtls_ctx_alloc(&c->br.ctx), 0);
	snprintf(c->br.fp, sizeof(c->br.fp), "%s",
		 dtls_ctx_fingerprint(c->br.ctx));
	snprintf(c->br.ufrag, sizeof(c->br.ufrag), "brUf");
	snprintf(c->br.pwd, sizeof(c->br.pwd), "browserpassword0123456789");
	assert_int_equal(
	    media_session_alloc(&c->ms, c->me, &a, &b, mt_event_h, &c->ev), 0);
	c->br_seq = 10;
	c->pbx_seq = 500;
	reoffer(c, "actpass", "a=setup:passive");
	assert_int_equal(br_check(&c->br, c->eufrag, c->epwd),
			 STUN_CLASS_SUCCESS);
	br_handshake(&c->br, c->efp);
}

static void dcall_free(struct dcall *c)
{
	media_session_close(c->ms);
	mem_deref(c->ms);
	assert_int_equal(media_engine_ports_used(c->me), 0);
	mem_deref(c->br.dc);
	mem_deref(c->br.tx);
	mem_deref(c->br.rx);
	mem_deref(c->br.ctx);
	mt_peer_close(&c->br.sock);
	mt_peer_close(&c->pbx);
	mt_engine_free(c->me, &c->loop);
}

/* Browser -> PBX under tx: whether it arrived; its header into *h. */
static bool to_pbx(struct dcall *c, struct msrtp *tx, uint8_t fill,
		   struct rtp_hdr *h)
{
	uint8_t buf[256], rx[1600];
	size_t len;
	ssize_t n;

	len = mt_rtp(buf, 0, c->br_seq, (uint32_t)c->br_seq * 160, 0xb0b0, fill,
		     160);
	c->br_seq++;
	assert_int_equal(msrtp_protect(tx, buf, &len, sizeof(buf)), 0);
	mt_send(&c->br.sock, c->br.engine_port, buf, len);
	n = mt_recv_rtp(&c->pbx, rx, sizeof(rx), 300);
	if (n != 172 || rx[12] != fill)
		return false;
	assert_int_equal(rtp_hdr_decode(h, rx, (size_t)n), 0);
	return true;
}

/* PBX -> browser, decrypted with the browser's current keys; DTLS that
 * arrives meanwhile goes to the browser's association. */
static void to_browser(struct dcall *c, uint8_t fill, struct rtp_hdr *h)
{
	uint8_t buf[256], rx[1600];
	size_t len;
	ssize_t n;
	int i;

	len = mt_rtp(buf, 0, c->pbx_seq, (uint32_t)c->pbx_seq * 160, 0xcafe,
		     fill, 160);
	c->pbx_seq++;
	mt_send(&c->pbx, c->port_b, buf, len);
	for (i = 0; i < 20; i++) {
		n = mt_recv(&c->br.sock, rx, sizeof(rx), MT_WAIT_MS);
		assert_true(n > 0);
		if (stun_demux(rx[0]) == STUN_DEMUX_RTP &&
		    !rtp_is_rtcp(rx, (size_t)n))
			break;
	}
	len = (size_t)n;
	assert_int_equal(msrtp_unprotect(c->br.rx, rx, &len), 0);
	assert_int_equal(rtp_hdr_decode(h, rx, len), 0);
	assert_int_equal(h->payload[0], fill);
}

/* The browser as DTLS server of a new association: it waits for the
 * engine's ClientHello and answers until established. */
static void br_serve(struct browser *b, const char *efp)
{
	uint8_t rx[1600];
	ssize_t n;
	int i;

	b->dc = mem_deref(b->dc);
	b->estab = false;
	assert_int_equal(dtls_conn_alloc(&b->dc, b->ctx, false, efp, br_send,
					 br_estab, br_close, b),
			 0);
	for (i = 0; i < 50 && !b->estab; i++) {
		n = mt_recv(&b->sock, rx, sizeof(rx), 200);
		if (n > 0 && stun_demux(rx[0]) == STUN_DEMUX_DTLS)
			(void)dtls_conn_recv(b->dc, rx, (size_t)n, 100);
	}
	assert_true(b->estab);
}

/* RFC 8842 section 5.3: actpass again, same fingerprint: the answer
 * keeps our role and the association; a second ClientHello finds the
 * established one, which refuses it. */
static void test_same_role_kept(void **state)
{
	struct dcall c;
	struct msrtp *tx0, *rx0;
	struct rtp_hdr h;
	uint8_t rx[1600];
	ssize_t n;
	int i;

	(void)state;
	dcall_start(&c);
	assert_true(to_pbx(&c, c.br.tx, 0x11, &h));
	reoffer(&c, "actpass", "a=setup:passive");
	assert_true(to_pbx(&c, c.br.tx, 0x12, &h));

	/* a new handshake does not complete: no new association */
	tx0 = mem_ref(c.br.tx);
	rx0 = mem_ref(c.br.rx);
	mem_deref(c.br.dc);
	c.br.dc = NULL;
	c.br.estab = false;
	assert_int_equal(dtls_conn_alloc(&c.br.dc, c.br.ctx, true, c.efp,
					 br_send, br_estab, br_close_ok, &c.br),
			 0);
	assert_int_equal(dtls_conn_start(c.br.dc, 0), 0);
	for (i = 0; i < 5 && !c.br.estab; i++) {
		n = mt_recv(&c.br.sock, rx, sizeof(rx), 200);
		if (n > 0 && stun_demux(rx[0]) == STUN_DEMUX_DTLS)
			(void)dtls_conn_recv(c.br.dc, rx, (size_t)n, 100);
	}
	assert_false(c.br.estab);
	assert_true(to_pbx(&c, tx0, 0x13, &h));
	/* and it does not fail the established one (a ClientHello that
	 * raced a new association's parameters is harmless) */
	mt_run_until(&c.loop, &c.ev.count[MEDIA_EV_FAILED][0], 100);
	assert_int_equal(c.ev.count[MEDIA_EV_FAILED][0], 0);
	mem_deref(tx0);
	mem_deref(rx0);
	dcall_free(&c);
}

/* The browser re-offers a=setup:passive: we answer active and, as the
 * DTLS client now, start a new handshake; until it completes the old
 * keys carry media; then the new ones, and the old ones are refused
 * once the overlap ends. Both streams keep SSRC and sequence. */
static void test_role_change(void **state)
{
	struct dcall c;
	struct msrtp *old_tx;
	struct rtp_hdr h1, h2, g1, g2;

	(void)state;
	dcall_start(&c);
	assert_true(to_pbx(&c, c.br.tx, 0x21, &h1));
	to_browser(&c, 0x31, &g1);

	old_tx = mem_ref(c.br.tx);
	reoffer(&c, "passive", "a=setup:active");
	/* the new handshake has not run yet: old keys still work */
	assert_true(to_pbx(&c, old_tx, 0x22, &h2));
	assert_int_equal(h2.ssrc, h1.ssrc);
	assert_int_equal((uint16_t)(h1.seq + 1), h2.seq);
	assert_int_equal(h2.ts, h1.ts + 160);

	br_serve(&c.br, c.efp); /* the engine's ClientHello, answered */
	usleep(50000);          /* its last flight reached it */
	assert_true(to_pbx(&c, c.br.tx, 0x23, &h2));
	assert_int_equal(h2.ssrc, h1.ssrc);
	assert_int_equal((uint16_t)(h1.seq + 2), h2.seq);
	assert_int_equal(h2.ts, h1.ts + 320);
	to_browser(&c, 0x32, &g2);
	assert_int_equal(g2.ssrc, g1.ssrc);
	assert_int_equal((uint16_t)(g1.seq + 1), g2.seq);
	assert_int_equal(g2.ts, g1.ts + 160);
	mt_run_until(&c.loop, &c.ev.count[MEDIA_EV_FAILED][0], 100);
	assert_int_equal(c.ev.count[MEDIA_EV_FAILED][0], 0);

	/* the old association's keys: in the overlap, then refused */
	assert_true(to_pbx(&c, old_tx, 0x24, &h2));
	usleep(3300000);
	assert_false(to_pbx(&c, old_tx, 0x25, &h2));
	assert_true(to_pbx(&c, c.br.tx, 0x26, &h2));

	/* actpass now: we stay the client, on the same association */
	reoffer(&c, "actpass", "a=setup:active");
	usleep(300000); /* a tick: a new association would start now */
	assert_true(to_pbx(&c, c.br.tx, 0x27, &h2));
	to_browser(&c, 0x33, &g2);
	assert_int_equal((uint16_t)(g1.seq + 2), g2.seq);
	mem_deref(old_tx);
	dcall_free(&c);
}

/* RFC 5763 section 6.6: another certificate (a new fingerprint), actpass:
 * our role stays (server), the association is new; the handshake with
 * the new certificate passes and media uses its keys. */
static void test_fingerprint_change(void **state)
{
	struct dcall c;
	struct rtp_hdr h;

	(void)state;
	dcall_start(&c);
	assert_true(to_pbx(&c, c.br.tx, 0x41, &h));
	mem_deref(c.br.ctx);
	assert_int_equal(dtls_ctx_alloc(&c.br.ctx), 0);
	snprintf(c.br.fp, sizeof(c.br.fp), "%s",
		 dtls_ctx_fingerprint(c.br.ctx));
	reoffer(&c, "actpass", "a=setup:passive");
	assert_true(to_pbx(&c, c.br.tx, 0x42, &h)); /* old keys meanwhile */
	mem_deref(c.br.dc);
	c.br.dc = NULL;
	c.br.estab = false;
	br_handshake(&c.br, c.efp);
	assert_true(to_pbx(&c, c.br.tx, 0x43, &h));
	to_browser(&c, 0x44, &h);
	dcall_free(&c);
}

/* At most MSESS_DTLS_RENEW_MAX (4) new associations per leg: the fifth
 * role change is refused with the offer (488); an offer that keeps the
 * association still passes. */
static void test_renew_limit(void **state)
{
	struct dcall c;
	struct mbuf *mb = NULL;
	char sdp[2048];
	struct pl pl;
	int i;

	(void)state;
	dcall_start(&c);
	for (i = 0; i < 4; i++)
		reoffer(&c, i % 2 ? "active" : "passive",
			i % 2 ? "a=setup:passive" : "a=setup:active");
	br_sdp(sdp, sizeof(sdp), &c.br, "passive");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), ENOTSUP);
	assert_null(mb);
	reoffer(&c, "actpass", "a=setup:passive");
	dcall_free(&c);
}

/* Whether PBX -> browser media reaches peer p within ms (RTP only). */
static bool media_at(struct dcall *c, struct mt_peer *p, uint8_t fill, int ms)
{
	uint8_t buf[1600];
	size_t len;
	ssize_t n;

	len = mt_rtp(buf, 0, c->pbx_seq, (uint32_t)c->pbx_seq * 160, 0xcafe,
		     fill, 160);
	c->pbx_seq++;
	mt_send(&c->pbx, c->port_b, buf, len);
	for (;;) {
		n = mt_recv(p, buf, sizeof(buf), ms);
		if (n <= 0)
			return false;
		if (stun_demux(buf[0]) != STUN_DEMUX_RTP ||
		    rtp_is_rtcp(buf, (size_t)n))
			continue;
		len = (size_t)n;
		return !msrtp_unprotect(c->br.rx, buf, &len) && buf[12] == fill;
	}
}

/* The browser restarts ICE and moves to another address (a network
 * change): the old credentials pass until the answer, fail after it;
 * media keeps the old path until a check with the new credentials passes
 * (not even nominated), then goes only to the new address, and the old
 * one is refused. The DTLS association and its keys stay. */
static void test_ice_restart(void **state)
{
	struct dcall c;
	struct mt_peer old;
	struct mbuf *mb = NULL;
	char sdp[2048], uf1[64], pw1[64];
	uint8_t junk[1600];
	struct rtp_hdr h;
	struct pl pl;

	(void)state;
	dcall_start(&c);
	snprintf(uf1, sizeof(uf1), "%s", c.eufrag);
	snprintf(pw1, sizeof(pw1), "%s", c.epwd);
	assert_true(media_at(&c, &c.br.sock, 0x51, MT_WAIT_MS));

	/* the restart offer: new ufrag and password of the browser's */
	snprintf(c.br.ufrag, sizeof(c.br.ufrag), "brU2");
	snprintf(c.br.pwd, sizeof(c.br.pwd), "browserpassword987654321");
	br_sdp(sdp, sizeof(sdp), &c.br, "actpass");
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
	mb = mem_deref(mb);
	/* RFC 8445 section 9: until the answer, the old ones still work */
	assert_int_equal(br_check(&c.br, uf1, pw1), STUN_CLASS_SUCCESS);
	mt_sdp(sdp, sizeof(sdp), c.pbx.port, "0 101", NULL);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	assert_true(mt_sdp_has(mb, "a=setup:passive"));
	sdp_attr(mb, "ice-ufrag", c.eufrag, sizeof(c.eufrag));
	sdp_attr(mb, "ice-pwd", c.epwd, sizeof(c.epwd));
	assert_string_not_equal(c.eufrag, uf1);
	assert_string_not_equal(c.epwd, pw1);
	mb = mem_deref(mb);
	usleep(20000);
	assert_int_equal(br_check(&c.br, uf1, pw1), STUN_CLASS_ERROR);
	/* no check with the new credentials yet: the old path carries on */
	assert_true(media_at(&c, &c.br.sock, 0x52, MT_WAIT_MS));
	assert_true(to_pbx(&c, c.br.tx, 0x53, &h));

	/* the browser on its new address: a check with the old credentials
	 * fails there, one with the new ones (not nominated) moves media */
	old = c.br.sock;
	mt_peer_open(&c.br.sock);
	assert_int_equal(br_check_nom(&c.br, uf1, pw1, false),
			 STUN_CLASS_ERROR);
	assert_false(media_at(&c, &c.br.sock, 0x54, 300));
	assert_int_equal(br_check_nom(&c.br, c.eufrag, c.epwd, false),
			 STUN_CLASS_SUCCESS);
	assert_true(media_at(&c, &c.br.sock, 0x55, MT_WAIT_MS));
	assert_true(to_pbx(&c, c.br.tx, 0x56, &h));
	/* the old address: no media to it, none taken from it */
	{
		struct mt_peer now = c.br.sock;

		c.br.sock = old;
		assert_false(to_pbx(&c, c.br.tx, 0x57, &h));
		c.br.sock = now;
	}
	while (mt_recv(&old, junk, sizeof(junk), 0) > 0)
		;
	assert_true(media_at(&c, &c.br.sock, 0x58, MT_WAIT_MS));
	assert_true(mt_recv(&old, junk, sizeof(junk), 300) < 0);
	mt_peer_close(&old);
	dcall_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_same_role_kept),
	    SC_TEST(test_role_change),
	    SC_TEST(test_fingerprint_change),
	    SC_TEST(test_ice_restart),
	    SC_TEST(test_renew_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
