/* stun.h: STUN message codec (RFC 8489/5389) with the ICE attributes of
 * RFC 8445, MESSAGE-INTEGRITY, FINGERPRINT and the RFC 7983 demultiplexer.
 *
 * Pure byte <-> struct code: no sockets, no allocation while decoding. A
 * decoded struct stun_msg holds views into the caller's buffer, so the
 * buffer must outlive it. The only allocated object is struct stun_hmac, a
 * reusable HMAC context keyed once per password (one-shot HMAC per packet
 * costs about five times as much).
 *
 * Errors, one meaning each (decode and checks):
 *   ENODATA          fewer bytes than a header, or than its length field says
 *   EBADMSG          malformed header (length not a multiple of 4, first two
 *                    bits set, trailing bytes) or a malformed attribute value
 *   EPROTONOSUPPORT  wrong magic cookie (RFC 3489 "classic" STUN)
 *   EMSGSIZE         an attribute runs past the end of the message
 *   EOVERFLOW        more than STUN_MAX_ATTRS attributes, or an encode
 *                    buffer too small
 *   ENOENT           the attribute asked for is absent
 *   EILSEQ           FINGERPRINT does not match
 *   EACCES           MESSAGE-INTEGRITY does not match
 */
#ifndef SC_STUN_H
#define SC_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define STUN_HEADER_SIZE 20
#define STUN_ATTR_HEADER_SIZE 4
#define STUN_MAGIC_COOKIE 0x2112a442u
#define STUN_TID_SIZE 12
#define STUN_FINGERPRINT_XOR 0x5354554eu /* RFC 8489 section 14.7 */
#define STUN_HMAC_SHA1_SIZE 20
#define STUN_HMAC_SHA256_MIN 16 /* RFC 8489 section 14.6 */
#define STUN_HMAC_SHA256_MAX 32
#define STUN_MAX_ATTRS 32         /* attributes kept per message */
#define STUN_MAX_UNKNOWN 8        /* unknown comprehension-required kept */
#define STUN_MAX_REASON_BYTES 763 /* RFC 8489 section 14.8 */
#define STUN_MAX_SOFTWARE 763     /* RFC 8489 section 14.14 */
#define STUN_MAX_USERNAME 513     /* RFC 8489 section 14.3 */

/* RFC 8489 section 5: method and class are interleaved in the type. */
enum stun_class {
	STUN_CLASS_REQUEST = 0,
	STUN_CLASS_INDICATION = 1,
	STUN_CLASS_SUCCESS = 2,
	STUN_CLASS_ERROR = 3,
};

#define STUN_METHOD_BINDING 0x001

enum stun_attr_type {
	STUN_ATTR_MAPPED_ADDRESS = 0x0001,
	STUN_ATTR_USERNAME = 0x0006,
	STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
	STUN_ATTR_ERROR_CODE = 0x0009,
	STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000a,
	STUN_ATTR_REALM = 0x0014,
	STUN_ATTR_NONCE = 0x0015,
	STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001c,
	STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
	STUN_ATTR_PRIORITY = 0x0024,      /* RFC 8445 section 16.1 */
	STUN_ATTR_USE_CANDIDATE = 0x0025, /* RFC 8445 section 16.1 */
	STUN_ATTR_SOFTWARE = 0x8022,
	STUN_ATTR_FINGERPRINT = 0x8028,
	STUN_ATTR_ICE_CONTROLLED = 0x8029,  /* RFC 8445 section 16.1 */
	STUN_ATTR_ICE_CONTROLLING = 0x802a, /* RFC 8445 section 16.1 */
};

/* Error codes this module encodes (RFC 8489 section 14.8, RFC 8445 7.3). */
enum stun_error {
	STUN_ERR_BAD_REQUEST = 400,
	STUN_ERR_UNAUTHORIZED = 401,
	STUN_ERR_UNKNOWN_ATTRIBUTE = 420,
	STUN_ERR_ROLE_CONFLICT = 487,
};

/* A transport address, without any socket type. family is 4 or 6; addr
 * holds 4 or 16 bytes in network order; port is in host order. */
struct stun_addr {
	uint8_t family;
	uint16_t port;
	uint8_t addr[16];
};

/* One attribute as found on the wire: a view of its value. off is the
 * offset of its 4-byte header from the start of the message. */
struct stun_attr {
	uint16_t type;
	uint16_t len;
	size_t off;
	const uint8_t *val;
};

/* Presence bits for the attributes decoded into named fields. */
enum stun_has {
	STUN_HAS_USERNAME = 1u << 0,
	STUN_HAS_INTEGRITY = 1u << 1,
	STUN_HAS_INTEGRITY_SHA256 = 1u << 2,
	STUN_HAS_FINGERPRINT = 1u << 3,
	STUN_HAS_XOR_MAPPED = 1u << 4,
	STUN_HAS_MAPPED = 1u << 5,
	STUN_HAS_PRIORITY = 1u << 6,
	STUN_HAS_USE_CANDIDATE = 1u << 7,
	STUN_HAS_ICE_CONTROLLED = 1u << 8,
	STUN_HAS_ICE_CONTROLLING = 1u << 9,
	STUN_HAS_ERROR_CODE = 1u << 10,
	STUN_HAS_SOFTWARE = 1u << 11,
	STUN_HAS_REALM = 1u << 12,
	STUN_HAS_NONCE = 1u << 13,
};

/*
 * A decoded message. Every pointer and struct pl points into the buffer
 * given to stun_msg_decode(). Attributes after MESSAGE-INTEGRITY other
 * than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are ignored (RFC 8489
 * section 14.5); nothing may follow FINGERPRINT (section 14.7).
 */
struct stun_msg {
	uint16_t type;   /* raw 14-bit message type */
	uint16_t method; /* e.g. STUN_METHOD_BINDING */
	enum stun_class cls;
	uint16_t len; /* body length from the header */
	const uint8_t *tid;

	struct stun_attr attrv[STUN_MAX_ATTRS];
	size_t attrc;
	uint16_t unknownv[STUN_MAX_UNKNOWN]; /* for a 420 response */
	size_t unknownc;

	uint32_t has; /* enum stun_has bits */
	struct pl username;
	struct pl software;
	struct pl realm;
	struct pl nonce;
	struct stun_addr xor_mapped; /* already un-XORed */
	struct stun_addr mapped;
	uint32_t priority;
	uint64_t ice_controlled;  /* tie-breaker */
	uint64_t ice_controlling; /* tie-breaker */
	uint16_t err_code;
	struct pl err_reason;
	/* Copies of these attributes, valid when their STUN_HAS_ bit is set
	 * (copies, not pointers into attrv, so a struct copy stays valid). */
	struct stun_attr integrity;
	struct stun_attr integrity_sha256;
	struct stun_attr fingerprint;
};

/* stun_msg.c. Decode exactly one message of len bytes into views of buf
 * (no allocation, no read outside buf); integrity and fingerprint are
 * checked separately. stun_msg_frame_len() checks a header and gives the
 * full message length (for TCP framing); stun_is_stun() says whether buf is
 * exactly one well-formed STUN message by its header. */
int stun_msg_decode(struct stun_msg *msg, const uint8_t *buf, size_t len);
int stun_msg_frame_len(const uint8_t *buf, size_t len, size_t *msg_lenp);
bool stun_is_stun(const uint8_t *buf, size_t len);
const struct stun_attr *stun_msg_attr(const struct stun_msg *msg,
                                      uint16_t type);
/* 0, ENOENT (absent) or EILSEQ (mismatch). */
int stun_msg_check_fingerprint(const struct stun_msg *msg, const uint8_t *buf,
                               size_t len);

static inline uint16_t stun_type(uint16_t method, enum stun_class cls)
{
	/* RFC 8489 section 5: M11..M7 C1 M6..M4 C0 M3..M0 */
	return (uint16_t)((method & 0x000f) | ((method & 0x0070) << 1) |
	                  ((method & 0x0f80) << 2) | ((cls & 1u) << 4) |
	                  ((cls & 2u) << 7));
}

/* RFC 7983 section 7: what the first byte of a datagram says it is. */
enum stun_demux {
	STUN_DEMUX_STUN,    /* 0..3 */
	STUN_DEMUX_ZRTP,    /* 16..19 */
	STUN_DEMUX_DTLS,    /* 20..63 */
	STUN_DEMUX_TURN,    /* 64..79, TURN channel data */
	STUN_DEMUX_RTP,     /* 128..191, RTP or RTCP */
	STUN_DEMUX_UNKNOWN, /* anything else: drop */
};

enum stun_demux stun_demux(uint8_t first_byte);

/* stun_attr.c: attribute values (pure). stun_attr_addr_value() writes a
 * (XOR-)MAPPED-ADDRESS value (20 bytes of room) and returns its length, 0
 * for a bad family. stun_reason() gives the phrase we send with a code. */
int stun_attr_addr_decode(struct stun_addr *addr, const struct stun_attr *a,
                          const uint8_t *tid, bool xor_ed);
int stun_attr_error_decode(uint16_t *codep, struct pl *reasonp,
                           const struct stun_attr *a);
size_t stun_attr_addr_value(uint8_t *val, const struct stun_addr *addr,
                            const uint8_t *tid, bool xor_ed);
const char *stun_reason(uint16_t code);

/* stun_crc32.c: the CRC-32 of ISO 3309 / ITU-T V.42 (as in zlib). */
uint32_t stun_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* stun_hmac.c: a reusable HMAC-SHA1 keyed once (ICE password or the
 * long-term key). mem_deref() wipes and frees it. */
struct stun_hmac;

/* Keys a context (the key bytes are not kept by us); ENOMEM on failure. */
int stun_hmac_alloc(struct stun_hmac **hmacp, const uint8_t *key,
                    size_t key_len);
/* HMAC-SHA1 of p1 followed by p2, reusing the keyed state. */
int stun_hmac_digest(struct stun_hmac *hmac, uint8_t out[STUN_HMAC_SHA1_SIZE],
                     const uint8_t *p1, size_t n1, const uint8_t *p2,
                     size_t n2);
/* MD5(username ":" realm ":" password), RFC 8489 section 9.2.2; the
 * password must already be OpaqueString/SASLprep-processed. */
int stun_longterm_key(uint8_t key[16], const struct pl *username,
                      const struct pl *realm, const struct pl *password);
/* MESSAGE-INTEGRITY of a message decoded from buf/len: 0, ENOENT (absent)
 * or EACCES (mismatch); constant-time comparison. */
int stun_msg_check_integrity(const struct stun_msg *msg, const uint8_t *buf,
                             size_t len, struct stun_hmac *key);

/* stun_enc.c: encoding into a caller buffer. Start with stun_enc_init(),
 * append attributes in order (integrity, then fingerprint last), read the
 * length with stun_enc_finish(). Errors are sticky, so one check at the end
 * is enough: EINVAL (caller bug) or EOVERFLOW (buffer too small). */
struct stun_enc {
	uint8_t *buf;
	size_t size;
	size_t pos;
	uint8_t pad; /* padding byte value; RFC 8489 lets it be anything */
	int err;     /* first error; later calls do nothing */
};

void stun_enc_init(struct stun_enc *enc, uint8_t *buf, size_t size,
                   uint16_t type, const uint8_t tid[STUN_TID_SIZE]);
int stun_enc_attr(struct stun_enc *enc, uint16_t type, const void *val,
                  size_t len);
int stun_enc_u32(struct stun_enc *enc, uint16_t type, uint32_t v);
int stun_enc_u64(struct stun_enc *enc, uint16_t type, uint64_t v);
int stun_enc_addr(struct stun_enc *enc, uint16_t type,
                  const struct stun_addr *addr);
int stun_enc_error(struct stun_enc *enc, uint16_t code, const char *reason);
int stun_enc_integrity(struct stun_enc *enc, struct stun_hmac *key);
int stun_enc_fingerprint(struct stun_enc *enc);
int stun_enc_finish(struct stun_enc *enc, size_t *lenp);

/* Binding success response: [SOFTWARE] XOR-MAPPED-ADDRESS
 * MESSAGE-INTEGRITY FINGERPRINT (RFC 8445 section 7.3.1.5). */
int stun_binding_success_encode(uint8_t *buf, size_t size, size_t *lenp,
                                const uint8_t tid[STUN_TID_SIZE],
                                const struct stun_addr *mapped,
                                struct stun_hmac *key, const char *software);
/* Binding error response 400, 401, 420 (with UNKNOWN-ATTRIBUTES from
 * unknownv) or 487: [SOFTWARE] ERROR-CODE [UNKNOWN-ATTRIBUTES]
 * [MESSAGE-INTEGRITY if key] FINGERPRINT. */
int stun_binding_error_encode(uint8_t *buf, size_t size, size_t *lenp,
                              const uint8_t tid[STUN_TID_SIZE], uint16_t code,
                              const uint16_t *unknownv, size_t unknownc,
                              struct stun_hmac *key, const char *software);

#endif
