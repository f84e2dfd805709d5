/* browser_peer.h: a test-side browser for the WebRTC engine tests, made of
 * the project's own pieces: ICE checks built with the STUN encoder
 * (RFC 8445 section 7.2.2), a DTLS endpoint (tls/dtls.h) in either role
 * and SRTP (media/srtp.h) with the keys it exports; and SDP helpers. */
#ifndef SC_TEST_BROWSER_PEER_H
#define SC_TEST_BROWSER_PEER_H

#include "mtest.h"
#include "media/srtp.h"
#include "stun/ice.h"
#include "stun/stun.h"
#include "tls/dtls.h"

struct browser {
	struct mt_peer sock;
	uint16_t engine_port;
	struct dtls_ctx *ctx;
	struct dtls_conn *dc;
	struct msrtp *tx, *rx;
	bool estab;
	char ufrag[64], pwd[64], fp[160];
};

static inline int br_send(const uint8_t *buf, size_t len, void *arg)
{
	struct browser *b = arg;

	mt_send(&b->sock, b->engine_port, buf, len);
	return 0;
}

static inline void br_estab(const struct dtls_srtp_keys *k, void *arg)
{
	struct browser *b = arg;

	/* a new association replaces the keys of the old one */
	b->tx = mem_deref(b->tx);
	b->rx = mem_deref(b->rx);
	assert_int_equal(msrtp_alloc(&b->tx, (enum msrtp_profile)k->profile,
				     k->local_key, k->local_salt),
			 0);
	assert_int_equal(msrtp_alloc(&b->rx, (enum msrtp_profile)k->profile,
				     k->remote_key, k->remote_salt),
			 0);
	b->estab = true;
}

static inline void br_close(int err, const char *reason, void *arg)
{
	(void)arg;
	fail_msg("dtls closed: %d %s", err, reason ? reason : "");
}

/* Copies the value of "a=<name>:" from an SDP. */
static inline void sdp_attr(const struct mbuf *mb, const char *name, char *out,
			    size_t size)
{
	char *s = calloc(1, mb->end + 1), *p, key[64];
	size_t n;

	assert_non_null(s);
	memcpy(s, mb->buf, mb->end);
	snprintf(key, sizeof(key), "a=%s:", name);
	p = strstr(s, key);
	assert_non_null(p);
	p += strlen(key);
	n = strcspn(p, "\r\n");
	assert_true(n < size);
	memcpy(out, p, n);
	out[n] = '\0';
	free(s);
}

/* An authenticated check (RFC 8445 7.2.2), nominating the pair (USE-
 * CANDIDATE) when nominate. */
static inline size_t ice_check_nom(uint8_t *buf, size_t size,
				   const struct browser *b,
				   const char *engine_ufrag,
				   const char *engine_pwd, bool nominate)
{
	struct stun_enc enc;
	struct stun_hmac *key;
	uint8_t tid[STUN_TID_SIZE];
	char user[160];
	size_t len;

	rand_bytes(tid, sizeof(tid));
	snprintf(user, sizeof(user), "%s:%s", engine_ufrag, b->ufrag);
	assert_int_equal(stun_hmac_alloc(&key, (const uint8_t *)engine_pwd,
					 strlen(engine_pwd)),
			 0);
	stun_enc_init(&enc, buf, size,
		      stun_type(STUN_METHOD_BINDING, STUN_CLASS_REQUEST), tid);
	stun_enc_attr(&enc, STUN_ATTR_USERNAME, user, strlen(user));
	stun_enc_u32(&enc, STUN_ATTR_PRIORITY, 1845501695u);
	stun_enc_u64(&enc, STUN_ATTR_ICE_CONTROLLING, 0x1234567890abcdefull);
	if (nominate)
		stun_enc_attr(&enc, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_enc_integrity(&enc, key);
	stun_enc_fingerprint(&enc);
	assert_int_equal(stun_enc_finish(&enc, &len), 0);
	mem_deref(key);
	return len;
}

/* An authenticated check with USE-CANDIDATE. */
static inline size_t ice_check(uint8_t *buf, size_t size,
			       const struct browser *b,
			       const char *engine_ufrag, const char *engine_pwd)
{
	return ice_check_nom(buf, size, b, engine_ufrag, engine_pwd, true);
}

/* Sends a check with (ufrag, pwd), nominating when nominate, from the
 * browser's socket, and returns the response's class. */
static inline int br_check_nom(struct browser *b, const char *ufrag,
			       const char *pwd, bool nominate)
{
	uint8_t buf[512], rx[1600];
	size_t len = ice_check_nom(buf, sizeof(buf), b, ufrag, pwd, nominate);
	ssize_t n;
	int i;

	mt_send(&b->sock, b->engine_port, buf, len);
	for (i = 0; i < 10; i++) {
		n = mt_recv(&b->sock, rx, sizeof(rx), MT_WAIT_MS);
		assert_true(n > 0);
		if (stun_demux(rx[0]) == STUN_DEMUX_STUN)
			return ((rx[0] & 0x01) << 1) | ((rx[1] & 0x10) >> 4);
	}
	fail_msg("no STUN response");
	return -1;
}

static inline int br_check(struct browser *b, const char *ufrag,
			   const char *pwd)
{
	return br_check_nom(b, ufrag, pwd, true);
}

static inline void br_handshake(struct browser *b, const char *efp)
{
	uint8_t rx[1600];
	ssize_t n;
	int i;

	assert_int_equal(dtls_conn_alloc(&b->dc, b->ctx, true, efp, br_send,
					 br_estab, br_close, b),
			 0);
	assert_int_equal(dtls_conn_start(b->dc, 0), 0);
	for (i = 0; i < 50 && !b->estab; i++) {
		n = mt_recv(&b->sock, rx, sizeof(rx), 200);
		if (n > 0 && stun_demux(rx[0]) == STUN_DEMUX_DTLS)
			(void)dtls_conn_recv(b->dc, rx, (size_t)n, 100);
	}
	assert_true(b->estab);
}

static inline void br_sdp(char *sdp, size_t size, const struct browser *b,
			  const char *setup)
{
	snprintf(sdp, size,
		 "v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		 "a=group:BUNDLE 0\r\n"
		 "m=audio %u UDP/TLS/RTP/SAVPF 0\r\n"
		 "c=IN IP4 127.0.0.1\r\na=rtcp-mux\r\na=mid:0\r\n"
		 "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
		 "a=fingerprint:%s\r\na=setup:%s\r\n"
		 "a=rtpmap:0 PCMU/8000\r\n",
		 b->sock.port, b->ufrag, b->pwd, b->fp, setup);
}

static inline void br_close_ok(int err, const char *reason, void *arg)
{
	(void)err;
	(void)reason;
	(void)arg;
}

#endif
