/* srtp_int.h: what the msrtp files (RFC 3711, RFC 7714) share: the session
 * layout, per-SSRC state and the transforms. Not for other modules; unit
 * tests of media/ use it to feed session keys (RFC vectors) directly. */
#ifndef SC_MEDIA_SRTP_INT_H
#define SC_MEDIA_SRTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "media/srtp.h"

#define MSRTP_RTP_HDR_SIZE 12 /* RFC 3550 section 5.1 */
#define MSRTP_RTCP_HDR_SIZE 8 /* header and sender SSRC, never encrypted */
#define MSRTP_CM_KEY 16       /* AES-128 key (all profiles but AES-256) */
#define MSRTP_CM_SALT 14      /* RFC 3711 section 4.3.1 */
#define MSRTP_GCM_SALT 12     /* RFC 7714 section 11 */
#define MSRTP_AUTH_KEY 20     /* HMAC-SHA1 session key, RFC 3711 4.2.1 */
#define MSRTP_SHA1_LEN 20
#define MSRTP_TAG_80 10
#define MSRTP_TAG_32 4
#define MSRTP_GCM_IV 12
#define MSRTP_CM_IV 16
#define MSRTP_SRTCP_INDEX_MAX 0x7fffffffu /* 31 bits (RFC 3711 3.4) */
#define MSRTP_SRTCP_E 0x80000000u
#define MSRTP_SEQ_HALF 32768 /* RFC 3711 Appendix A */

/* Key derivation labels (RFC 3711 section 4.3.2). */
enum msrtp_label {
	MSRTP_LABEL_RTP_ENC = 0x00,
	MSRTP_LABEL_RTP_AUTH = 0x01,
	MSRTP_LABEL_RTP_SALT = 0x02,
	MSRTP_LABEL_RTCP_ENC = 0x03,
	MSRTP_LABEL_RTCP_AUTH = 0x04,
	MSRTP_LABEL_RTCP_SALT = 0x05,
};

/* Session keys of SRTP or of SRTCP, as derived (or given by a vector). */
struct msrtp_keys {
	uint8_t enc[MSRTP_MAX_KEY];
	uint8_t auth[MSRTP_AUTH_KEY]; /* AES-CM profiles only */
	uint8_t salt[MSRTP_MAX_SALT];
};

/* One transform (SRTP or SRTCP) with its contexts, keyed once. */
struct msrtp_xform {
	EVP_CIPHER_CTX *cipher; /* AES-ECB (for AES-CM) or AES-GCM, keyed */
	EVP_MAC_CTX *mac;       /* HMAC-SHA1 (AES-CM), session key set */
	uint8_t salt[MSRTP_MAX_SALT];
	size_t tag_len;
};

/* Anti-replay over packet indexes: bit i of win set when top - i arrived. */
struct msrtp_replay {
	bool init;
	uint64_t top;
	uint64_t win[MSRTP_REPLAY_WINDOW / 64];
};

/* State of one SSRC (RFC 3711 section 3.2.1 cryptographic context). */
struct msrtp_ssrc {
	uint32_t ssrc;
	uint32_t roc; /* rollover counter */
	uint16_t s_l; /* highest sequence number */
	bool rtp_init;
	struct msrtp_replay rtp;
	uint32_t rtcp_next; /* next SRTCP index to send */
	struct msrtp_replay rtcp;
};

struct msrtp {
	enum msrtp_profile prof;
	bool gcm;
	struct msrtp_xform rtp;
	struct msrtp_xform rtcp;
	struct msrtp_ssrc ssrcv[MSRTP_MAX_SSRC];
	size_t ssrcc;
	uint8_t mki[MSRTP_MKI_MAX]; /* msrtp_mki_set() */
	size_t mki_len;
};

/* srtp.c: a session from session keys (tests feed RFC vectors this way). */
int msrtp_alloc_keys(struct msrtp **sp, enum msrtp_profile p,
		     const struct msrtp_keys *rtp,
		     const struct msrtp_keys *rtcp);

/* srtp_kdf.c: the AES-CM PRF of RFC 3711 section 4.3.3: n bytes for label
 * from a master key (16 or 32 bytes) and salt (14, or 12 padded with zeros
 * as RFC 7714 section 11 does). 0, EINVAL, ENOMEM. */
int msrtp_kdf(uint8_t *out, size_t n, const uint8_t *key, size_t key_len,
	      const uint8_t *salt, size_t salt_len, enum msrtp_label label);
int msrtp_derive(struct msrtp_keys *rtp, struct msrtp_keys *rtcp,
		 enum msrtp_profile p, const uint8_t *key, const uint8_t *salt);

/* srtp_replay.c: the SSRC table, RFC 3711 Appendix A index estimation and
 * the replay window. */
struct msrtp_ssrc *msrtp_ssrc_find(struct msrtp *s, uint32_t ssrc);
int msrtp_ssrc_add(struct msrtp *s, struct msrtp_ssrc **stp,
		   const struct msrtp_ssrc *init);
uint64_t msrtp_index_guess(const struct msrtp_ssrc *st, uint16_t seq,
			   uint32_t *rocp);
void msrtp_index_update(struct msrtp_ssrc *st, uint16_t seq, uint32_t roc,
			uint64_t idx);
int msrtp_replay_check(const struct msrtp_replay *r, uint64_t idx);
void msrtp_replay_add(struct msrtp_replay *r, uint64_t idx);
int msrtp_rtcp_index_set(struct msrtp *s, uint32_t ssrc, uint32_t index);

/* srtp_pkt.c: the MKI field in a packet of total length *lenp. trail is
 * what follows the MKI: the tag for AES-CM, nothing for AES-GCM
 * (msrtp_mki_trail()). strip checks the MKI (ENOENT another one, EBADMSG
 * too short) and takes it out; restore puts it back after a failed
 * unprotect (len: without the MKI); insert adds it to a protected packet
 * (the caller checked the room). */
size_t msrtp_mki_trail(const struct msrtp *s, const struct msrtp_xform *x);
int msrtp_mki_strip(const struct msrtp *s, uint8_t *buf, size_t *lenp,
		    size_t trail);
void msrtp_mki_restore(const struct msrtp *s, uint8_t *buf, size_t len,
		       size_t trail);
void msrtp_mki_insert(const struct msrtp *s, uint8_t *buf, size_t *lenp,
		      size_t trail);

/* srtp.c: the RTP header length (CSRCs and extension), EBADMSG. */
int msrtp_rtp_hdr_len(const uint8_t *buf, size_t len, size_t *hlp);

/* srtp_cm.c, srtp_gcm.c: the transforms on one packet, whose SSRC and
 * sequence number they read from it. RTP: hl is the header length, roc the
 * rollover counter; SRTCP: index the SRTCP index. protect: len without the
 * tag, the caller made room for the tag (and index); unprotect: len with
 * them, checks the tag (EACCES) before it decrypts. 0, EACCES, ENOMEM
 * (OpenSSL failed). */
int msrtp_cm_rtp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			 size_t hl, uint32_t roc);
int msrtp_cm_rtp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			   size_t hl, uint32_t roc);
int msrtp_cm_rtcp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			  uint32_t index);
int msrtp_cm_rtcp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len);

int msrtp_gcm_rtp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			  size_t hl, uint32_t roc);
int msrtp_gcm_rtp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			    size_t hl, uint32_t roc);
int msrtp_gcm_rtcp_protect(struct msrtp_xform *x, uint8_t *buf, size_t len,
			   uint32_t index);
int msrtp_gcm_rtcp_unprotect(struct msrtp_xform *x, uint8_t *buf, size_t len);

static inline uint16_t msrtp_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t msrtp_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void msrtp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
