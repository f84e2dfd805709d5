/* sdes_peer.h: the PBX side of the SDES-SRTP engine tests (RFC 4568): its
 * a=crypto lines written, and the context for what the engine sends read
 * from the engine's a=crypto line, MKI included (RFC 3711 section 3.1). */
#ifndef SC_TEST_SDES_PEER_H
#define SC_TEST_SDES_PEER_H

#include "mtest.h"
#include "media/srtp.h"
#include "sdp/sdp.h"

static inline void sdes_b64(char *dst, const uint8_t *p, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 |
			     (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		dst[o++] = t[v >> 18 & 63];
		dst[o++] = t[v >> 12 & 63];
		dst[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		dst[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	dst[o] = '\0';
}

/* The engine's a=crypto line `tag` decoded into *c (wipe it after). */
static inline void sdes_engine_line(struct sdp_crypto *c, const struct mbuf *mb,
				    unsigned tag)
{
	char *s = calloc(1, mb->end + 1), *p, key[32];
	struct pl v;

	assert_non_null(s);
	memcpy(s, mb->buf, mb->end);
	snprintf(key, sizeof(key), "a=crypto:%u ", tag);
	p = strstr(s, key);
	assert_non_null(p);
	v.p = p + strlen("a=crypto:");
	v.l = strcspn(v.p, "\r\n");
	assert_int_equal(sdp_crypto_decode(c, &v), 0);
	free(s);
}

/* A context for an MKI value of mki_len bytes (0: none). */
static inline void sdes_mki_set(struct msrtp *ctx, uint32_t mki,
				uint8_t mki_len)
{
	uint8_t b[MSRTP_MKI_MAX];
	size_t i;

	for (i = 0; i < mki_len; i++)
		b[i] = (uint8_t)(mki >> (8 * (mki_len - 1 - i)));
	assert_int_equal(msrtp_mki_set(ctx, b, mki_len), 0);
}

/* The context for what the engine sends, from its a=crypto line `tag`. */
static inline struct msrtp *sdes_engine_key(const struct mbuf *mb, unsigned tag,
					    enum msrtp_profile prof)
{
	struct sdp_crypto c;
	struct msrtp *ctx = NULL;

	sdes_engine_line(&c, mb, tag);
	assert_string_equal(c.suite, msrtp_profile_name(prof));
	assert_int_equal(c.key_salt_len,
			 msrtp_key_len(prof) + msrtp_salt_len(prof));
	assert_int_equal(msrtp_alloc(&ctx, prof, c.key_salt,
				     c.key_salt + msrtp_key_len(prof)),
			 0);
	sdes_mki_set(ctx, c.mki, c.mki_len);
	mem_secure_zero(&c, sizeof(c));
	return ctx;
}

/* An SDP of the PBX with one a=crypto line; params: what follows the key
 * in the key-params ("|2^20|1:4"), or "". */
static inline void sdes_pbx_sdp(char *buf, size_t size, uint16_t port,
				unsigned tag, enum msrtp_profile prof,
				const uint8_t *ks, const char *params)
{
	char k[80];

	sdes_b64(k, ks, msrtp_key_len(prof) + msrtp_salt_len(prof));
	snprintf(buf, size,
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/SAVP 0\r\n"
		 "a=crypto:%u %s inline:%s%s\r\n",
		 port, tag, msrtp_profile_name(prof), k, params);
}

#endif
