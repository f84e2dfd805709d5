/* test_engine_sdes.c: SDES-SRTP key parameters and re-keying through the
 * engine (RFC 4568 sections 6.1 and 7.1.4): an offer with "|MKI:len" gets
 * an answer with an MKI of that length and packets carrying it both ways;
 * lines whose lifetime or MKI we cannot honour are skipped; a re-offer
 * with a new key re-keys that direction only, with the previous key
 * accepted for MEDIA_REKEY_OVERLAP_MS, and our stream toward the plain
 * leg keeps its SSRC and sequence. */
#include "sdes_peer.h"

#define OVERLAP_WAIT_US 3300000 /* MEDIA_REKEY_OVERLAP_MS and a margin */

struct call {
	uv_loop_t loop;
	struct media_engine *me;
	struct media_session *ms;
	struct mt_peer pa, pb; /* plain RTP (leg A), the PBX (leg B) */
	uint16_t port_a, port_b;
	struct msrtp *rx; /* the PBX's view of what the engine sends */
	uint16_t pbx_seq, a_seq;
};

static void call_start(struct call *c)
{
	struct media_leg_conf a = {.kind = MEDIA_RTP};
	struct media_leg_conf b = {.kind = MEDIA_SRTP};

	memset(c, 0, sizeof(*c));
	mt_engine(&c->me, &c->loop, 0);
	mt_peer_open(&c->pa);
	mt_peer_open(&c->pb);
	assert_int_equal(media_session_alloc(&c->ms, c->me, &a, &b, NULL, NULL),
			 0);
	c->pbx_seq = 100;
	c->a_seq = 1;
}

static void call_free(struct call *c)
{
	media_session_close(c->ms);
	mem_deref(c->ms);
	assert_int_equal(media_engine_ports_used(c->me), 0);
	mem_deref(c->rx);
	mt_peer_close(&c->pa);
	mt_peer_close(&c->pb);
	mt_engine_free(c->me, &c->loop);
}

/* The PBX offers (leg B), the plain leg answers: the answer for the PBX
 * into *mbp. */
static void pbx_offer(struct call *c, const char *sdp, struct mbuf **mbp)
{
	struct mbuf *mb = NULL;
	char a[512];
	struct pl pl;

	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c->ms, MEDIA_LEG_B, &pl, &mb), 0);
	c->port_a = mt_sdp_port(mb);
	mb = mem_deref(mb);
	mt_sdp(a, sizeof(a), c->pa.port, "0", NULL);
	pl_set_str(&pl, a);
	assert_int_equal(media_answer(c->ms, MEDIA_LEG_A, &pl, mbp), 0);
	c->port_b = mt_sdp_port(*mbp);
}

/* One packet PBX -> engine under tx: whether it reached leg A. */
static bool pbx_send(struct call *c, struct msrtp *tx, uint8_t fill)
{
	uint8_t buf[256], rx[1600];
	size_t len;
	ssize_t n;

	len = mt_rtp(buf, 0, c->pbx_seq++, 9000, 0xb0b0, fill, 160);
	assert_int_equal(msrtp_protect(tx, buf, &len, sizeof(buf)), 0);
	mt_send(&c->pb, c->port_b, buf, len);
	n = mt_recv_rtp(&c->pa, rx, sizeof(rx), 300);
	return n == 172 && rx[12] == fill;
}

/* One packet leg A -> engine -> PBX: decrypted with c->rx; its header
 * into *h, the datagram's length returned. */
static size_t a_send(struct call *c, uint8_t fill, struct rtp_hdr *h)
{
	uint8_t buf[256], rx[1600];
	size_t len;
	ssize_t n;

	len = mt_rtp(buf, 0, c->a_seq, (uint32_t)c->a_seq * 160, 0xa0a0, fill,
		     160);
	c->a_seq++;
	mt_send(&c->pa, c->port_a, buf, len);
	n = mt_recv_rtp(&c->pb, rx, sizeof(rx), MT_WAIT_MS);
	assert_true(n > 172);
	len = (size_t)n;
	assert_int_equal(msrtp_unprotect(c->rx, rx, &len), 0);
	assert_int_equal(rtp_hdr_decode(h, rx, len), 0);
	assert_int_equal(h->payload[0], fill);
	return (size_t)n;
}

/* RFC 4568 section 6.1: the PBX's key with lifetime and a 4-byte MKI;
 * ours comes back with an MKI of 4 bytes; packets carry them. */
static void test_mki(void **state)
{
	struct call c;
	struct mbuf *mb = NULL;
	struct msrtp *tx, *wrong;
	struct media_stats st;
	struct sdp_crypto line;
	struct rtp_hdr h;
	uint8_t ks[30];
	char sdp[512];

	(void)state;
	call_start(&c);
	rand_bytes(ks, sizeof(ks));
	sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 3, MSRTP_AES128_CM_SHA1_80,
		     ks, "|2^31|7:4");
	pbx_offer(&c, sdp, &mb);
	assert_true(mt_sdp_has(mb, "a=crypto:3 AES_CM_128_HMAC_SHA1_80 "));
	sdes_engine_line(&line, mb, 3);
	assert_int_equal(line.mki_len, 4);
	assert_int_equal(line.mki, 1);
	assert_int_equal(line.lifetime, 0); /* the suite's default */
	mem_secure_zero(&line, sizeof(line));
	c.rx = sdes_engine_key(mb, 3, MSRTP_AES128_CM_SHA1_80);
	mb = mem_deref(mb);

	assert_int_equal(msrtp_alloc(&tx, MSRTP_AES128_CM_SHA1_80, ks, ks + 16),
			 0);
	sdes_mki_set(tx, 7, 4);
	assert_true(pbx_send(&c, tx, 0x41));
	/* 12 + 160 + MKI 4 + tag 10 */
	assert_int_equal(a_send(&c, 0x51, &h), 186);

	/* The right key under another MKI: not ours, dropped. */
	assert_int_equal(
	    msrtp_alloc(&wrong, MSRTP_AES128_CM_SHA1_80, ks, ks + 16), 0);
	sdes_mki_set(wrong, 8, 4);
	assert_false(pbx_send(&c, wrong, 0x42));
	/* without one: dropped too */
	sdes_mki_set(wrong, 0, 0);
	assert_false(pbx_send(&c, wrong, 0x43));
	assert_true(pbx_send(&c, tx, 0x44));
	assert_int_equal(media_stats_get(c.ms, &st), 0);
	assert_int_equal(st.leg[1].rx_dropped, 2);
	assert_int_equal(st.leg[1].rx_packets, 2);
	mem_deref(tx);
	mem_deref(wrong);
	call_free(&c);
}

/* Lines we cannot honour are skipped for the next: a lifetime under
 * 2^20 packets, an MKI over 4 bytes; none left: 488 (ENOTSUP). */
static void test_refused_lines(void **state)
{
	struct call c;
	struct mbuf *mb = NULL;
	struct sdp_crypto line;
	uint8_t ks[30];
	char k[80], sdp[1024], a[512];
	struct pl pl;

	(void)state;
	call_start(&c);
	rand_bytes(ks, sizeof(ks));
	sdes_b64(k, ks, sizeof(ks));
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/SAVP 0\r\n"
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^10\r\n"
		 "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:%s|1:5\r\n"
		 "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:%s|1048576\r\n",
		 c.pb.port, k, k, k);
	pbx_offer(&c, sdp, &mb);
	assert_false(mt_sdp_has(mb, "a=crypto:1 "));
	assert_false(mt_sdp_has(mb, "a=crypto:2 "));
	sdes_engine_line(&line, mb, 3);
	assert_int_equal(line.mki_len, 0);
	mem_secure_zero(&line, sizeof(line));
	mb = mem_deref(mb);
	call_free(&c);

	call_start(&c);
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/SAVP 0\r\n"
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^19|1:1\r\n",
		 c.pb.port, k);
	pl_set_str(&pl, sdp);
	assert_int_equal(media_offer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
	mb = mem_deref(mb);
	mt_sdp(a, sizeof(a), c.pa.port, "0", NULL);
	pl_set_str(&pl, a);
	assert_int_equal(media_answer(c.ms, MEDIA_LEG_A, &pl, &mb), ENOTSUP);
	assert_null(mb);
	call_free(&c);
}

/* RFC 4568 section 7.1.4: the PBX re-offers with a new key (and a new
 * MKI when mki): our key stays (same line, the PBX's receive context goes
 * on), its new key works at once, its old one until the overlap ends;
 * toward leg A the stream keeps its SSRC and sequence. */
static void rekey_pbx(bool mki)
{
	const char *p1 = mki ? "|1:2" : "", *p2 = mki ? "|2:2" : "";
	struct call c;
	struct mbuf *mb = NULL;
	struct msrtp *tx1, *tx2;
	struct sdp_crypto l1, l2;
	struct rtp_hdr h1, h2;
	uint8_t ks1[30], ks2[30];
	char sdp[512];

	call_start(&c);
	rand_bytes(ks1, sizeof(ks1));
	rand_bytes(ks2, sizeof(ks2));
	sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 1, MSRTP_AES128_CM_SHA1_80,
		     ks1, p1);
	pbx_offer(&c, sdp, &mb);
	sdes_engine_line(&l1, mb, 1);
	c.rx = sdes_engine_key(mb, 1, MSRTP_AES128_CM_SHA1_80);
	mb = mem_deref(mb);
	assert_int_equal(
	    msrtp_alloc(&tx1, MSRTP_AES128_CM_SHA1_80, ks1, ks1 + 16), 0);
	assert_int_equal(
	    msrtp_alloc(&tx2, MSRTP_AES128_CM_SHA1_80, ks2, ks2 + 16), 0);
	if (mki) {
		sdes_mki_set(tx1, 1, 2);
		sdes_mki_set(tx2, 2, 2);
	}
	assert_true(pbx_send(&c, tx1, 0x10));
	a_send(&c, 0x20, &h1);

	sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 1, MSRTP_AES128_CM_SHA1_80,
		     ks2, p2);
	pbx_offer(&c, sdp, &mb);
	sdes_engine_line(&l2, mb, 1);
	/* our key and MKI unchanged */
	assert_int_equal(l1.key_salt_len, l2.key_salt_len);
	assert_memory_equal(l1.key_salt, l2.key_salt, l1.key_salt_len);
	assert_int_equal(l1.mki, l2.mki);
	assert_int_equal(l1.mki_len, l2.mki_len);
	mem_secure_zero(&l1, sizeof(l1));
	mem_secure_zero(&l2, sizeof(l2));
	mb = mem_deref(mb);
	usleep(20000); /* the worker has the new parameters */

	/* our send context went on: the PBX's old receive one decrypts it,
	 * and the stream toward the PBX continues */
	a_send(&c, 0x21, &h2);
	assert_int_equal(h2.ssrc, h1.ssrc);
	assert_int_equal((uint16_t)(h1.seq + 1), h2.seq);
	assert_true(pbx_send(&c, tx2, 0x11));
	assert_true(pbx_send(&c, tx1, 0x12)); /* in the overlap */
	assert_true(pbx_send(&c, tx2, 0x13));
	usleep(OVERLAP_WAIT_US);
	assert_false(pbx_send(&c, tx1, 0x14)); /* after it */
	assert_true(pbx_send(&c, tx2, 0x15));
	mem_deref(tx1);
	mem_deref(tx2);
	call_free(&c);
}

static void test_rekey_pbx(void **state)
{
	(void)state;
	rekey_pbx(false);
}

static void test_rekey_pbx_mki(void **state)
{
	(void)state;
	rekey_pbx(true);
}

/* We offer; on our re-offer (leg A re-offers) our key is the one in use,
 * and the PBX answers with a new key: re-keyed with the overlap. */
static void test_rekey_we_offer(void **state)
{
	struct call c;
	struct mbuf *mb = NULL;
	struct msrtp *tx1, *tx2;
	struct sdp_crypto l1, l2;
	struct rtp_hdr h;
	uint8_t ks1[30], ks2[30];
	char sdp[512];
	struct pl pl;
	int round;

	(void)state;
	call_start(&c);
	rand_bytes(ks1, sizeof(ks1));
	rand_bytes(ks2, sizeof(ks2));
	assert_int_equal(
	    msrtp_alloc(&tx1, MSRTP_AES128_CM_SHA1_80, ks1, ks1 + 16), 0);
	assert_int_equal(
	    msrtp_alloc(&tx2, MSRTP_AES128_CM_SHA1_80, ks2, ks2 + 16), 0);
	for (round = 0; round < 2; round++) {
		mt_sdp(sdp, sizeof(sdp), c.pa.port, "0", NULL);
		pl_set_str(&pl, sdp);
		assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
		sdes_engine_line(round ? &l2 : &l1, mb, 1);
		if (!round)
			c.rx = sdes_engine_key(mb, 1, MSRTP_AES128_CM_SHA1_80);
		c.port_b = mt_sdp_port(mb);
		mb = mem_deref(mb);
		sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 1,
			     MSRTP_AES128_CM_SHA1_80, round ? ks2 : ks1, "");
		pl_set_str(&pl, sdp);
		assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
		c.port_a = mt_sdp_port(mb);
		mb = mem_deref(mb);
		usleep(20000);
		assert_true(pbx_send(&c, round ? tx2 : tx1, 0x30));
		a_send(&c, 0x40, &h);
	}
	assert_memory_equal(l1.key_salt, l2.key_salt, l1.key_salt_len);
	mem_secure_zero(&l1, sizeof(l1));
	mem_secure_zero(&l2, sizeof(l2));
	assert_true(pbx_send(&c, tx1, 0x31)); /* the old key, in overlap */
	mem_deref(tx1);
	mem_deref(tx2);
	call_free(&c);
}

/* Our re-offer carries the key in use for its suite; a key we sent with
 * and then left is never offered again (a new context under it would
 * repeat keystream, RFC 3711 section 9.1). */
static void test_no_key_reuse(void **state)
{
	struct call c;
	struct mbuf *mb = NULL;
	struct sdp_crypto g1, c1, x;
	uint8_t ks[30];
	char sdp[512];
	struct pl pl;
	int round;

	(void)state;
	call_start(&c);
	rand_bytes(ks, sizeof(ks));
	sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 7, MSRTP_AEAD_AES_128_GCM, ks,
		     "");
	pbx_offer(&c, sdp, &mb);
	sdes_engine_line(&g1, mb, 7); /* ours in use: GCM */
	mb = mem_deref(mb);
	for (round = 0; round < 2; round++) {
		mt_sdp(sdp, sizeof(sdp), c.pa.port, "0", NULL);
		pl_set_str(&pl, sdp);
		assert_int_equal(media_offer(c.ms, MEDIA_LEG_A, &pl, &mb), 0);
		sdes_engine_line(&x, mb, 2);
		assert_string_equal(x.suite, "AEAD_AES_128_GCM");
		if (!round) {
			/* in use: offered again */
			assert_memory_equal(x.key_salt, g1.key_salt, 28);
			sdes_engine_line(&c1, mb, 1);
		} else {
			/* left for AES-CM: a new one */
			assert_memory_not_equal(x.key_salt, g1.key_salt, 28);
			mem_secure_zero(&x, sizeof(x));
			sdes_engine_line(&x, mb, 1);
			assert_memory_equal(x.key_salt, c1.key_salt, 30);
		}
		mem_secure_zero(&x, sizeof(x));
		mb = mem_deref(mb);
		sdes_pbx_sdp(sdp, sizeof(sdp), c.pb.port, 1,
			     MSRTP_AES128_CM_SHA1_80, ks, "");
		pl_set_str(&pl, sdp);
		assert_int_equal(media_answer(c.ms, MEDIA_LEG_B, &pl, &mb), 0);
		mb = mem_deref(mb);
	}
	mem_secure_zero(&g1, sizeof(g1));
	mem_secure_zero(&c1, sizeof(c1));
	call_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_mki),
	    SC_TEST(test_refused_lines),
	    SC_TEST(test_rekey_pbx),
	    SC_TEST(test_rekey_pbx_mki),
	    SC_TEST(test_rekey_we_offer),
	    SC_TEST(test_no_key_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
