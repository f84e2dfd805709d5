/* stun_enc.c: STUN message encoding into a caller buffer (RFC 8489
 * sections 5, 14), and the Binding responses of an ICE-lite agent
 * (RFC 8445 section 7.3). */
#include <errno.h>
#include <string.h>

#include "stun/stun.h"

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void set_body_len(struct stun_enc *enc, size_t body)
{
	wr16(enc->buf + 2, (uint32_t)body);
}

/* Reserves n bytes at the end, or records EOVERFLOW. */
static uint8_t *reserve(struct stun_enc *enc, size_t n)
{
	uint8_t *p;

	if (enc->err)
		return NULL;
	if (enc->size - enc->pos < n ||
	    enc->pos + n - STUN_HEADER_SIZE > 0xffff) {
		enc->err = EOVERFLOW;
		return NULL;
	}
	p = enc->buf + enc->pos;
	enc->pos += n;
	return p;
}

/*
 * Starts a message of the given type (see stun_type()) in buf. Errors are
 * sticky: they show up from every later call and from stun_enc_finish(),
 * so a sequence of calls needs only one check at the end.
 */
void stun_enc_init(struct stun_enc *enc, uint8_t *buf, size_t size,
                   uint16_t type, const uint8_t tid[STUN_TID_SIZE])
{
	if (!enc)
		return;
	memset(enc, 0, sizeof(*enc));
	enc->buf = buf;
	enc->size = size;
	if (!buf || !tid || (type & 0xc000)) {
		enc->err = EINVAL;
		return;
	}
	if (!reserve(enc, STUN_HEADER_SIZE))
		return;
	wr16(buf, type);
	set_body_len(enc, 0);
	wr32(buf + 4, STUN_MAGIC_COOKIE);
	memcpy(buf + 8, tid, STUN_TID_SIZE);
}

/* Appends one attribute, padded to 32 bits with enc->pad bytes.
 * Returns 0, EINVAL or EOVERFLOW (buffer or 16-bit length). */
int stun_enc_attr(struct stun_enc *enc, uint16_t type, const void *val,
                  size_t len)
{
	uint8_t *p;

	if (!enc)
		return EINVAL;
	if (!enc->err && ((!val && len) || len > 0xffff))
		enc->err = EINVAL;
	p = reserve(enc, STUN_ATTR_HEADER_SIZE + pad4(len));
	if (!p)
		return enc->err;
	wr16(p, type);
	wr16(p + 2, (uint32_t)len);
	if (len)
		memcpy(p + STUN_ATTR_HEADER_SIZE, val, len);
	memset(p + STUN_ATTR_HEADER_SIZE + len, enc->pad, pad4(len) - len);
	set_body_len(enc, enc->pos - STUN_HEADER_SIZE);
	return 0;
}

int stun_enc_u32(struct stun_enc *enc, uint16_t type, uint32_t v)
{
	uint8_t val[4];

	wr32(val, v);
	return stun_enc_attr(enc, type, val, sizeof(val));
}

int stun_enc_u64(struct stun_enc *enc, uint16_t type, uint64_t v)
{
	uint8_t val[8];

	wr32(val, (uint32_t)(v >> 32));
	wr32(val + 4, (uint32_t)v);
	return stun_enc_attr(enc, type, val, sizeof(val));
}

/* MAPPED-ADDRESS as is, XOR-MAPPED-ADDRESS (or any other type) XORed
 * with the cookie and transaction id (section 14.2). */
int stun_enc_addr(struct stun_enc *enc, uint16_t type,
                  const struct stun_addr *addr)
{
	uint8_t val[20];
	size_t n;

	if (!enc || !addr)
		return EINVAL;
	if (enc->err)
		return enc->err;
	n = stun_attr_addr_value(val, addr, enc->buf + 8,
	                         type != STUN_ATTR_MAPPED_ADDRESS);
	if (!n) {
		enc->err = EINVAL;
		return enc->err;
	}
	return stun_enc_attr(enc, type, val, n);
}

/* ERROR-CODE (section 14.8); reason NULL picks stun_reason(code). */
int stun_enc_error(struct stun_enc *enc, uint16_t code, const char *reason)
{
	uint8_t val[4 + STUN_MAX_REASON_BYTES];
	size_t rlen;

	if (!enc)
		return EINVAL;
	if (!reason)
		reason = stun_reason(code);
	rlen = strlen(reason);
	if (!enc->err &&
	    (code < 300 || code > 699 || rlen > STUN_MAX_REASON_BYTES))
		enc->err = EINVAL;
	if (enc->err)
		return enc->err;
	val[0] = 0;
	val[1] = 0;
	val[2] = (uint8_t)(code / 100);
	val[3] = (uint8_t)(code % 100);
	memcpy(val + 4, reason, rlen);
	return stun_enc_attr(enc, STUN_ATTR_ERROR_CODE, val, 4 + rlen);
}

/* MESSAGE-INTEGRITY over everything so far (section 14.5): the header
 * length first counts the attribute about to be added. */
int stun_enc_integrity(struct stun_enc *enc, struct stun_hmac *key)
{
	uint8_t *p;
	size_t start;
	int err;

	if (!enc || !key)
		return EINVAL;
	start = enc->pos;
	p = reserve(enc, STUN_ATTR_HEADER_SIZE + STUN_HMAC_SHA1_SIZE);
	if (!p)
		return enc->err;
	set_body_len(enc, enc->pos - STUN_HEADER_SIZE);
	wr16(p, STUN_ATTR_MESSAGE_INTEGRITY);
	wr16(p + 2, STUN_HMAC_SHA1_SIZE);
	err = stun_hmac_digest(key, p + STUN_ATTR_HEADER_SIZE, enc->buf, start,
	                       NULL, 0);
	if (err)
		enc->err = err;
	return err;
}

/* FINGERPRINT (section 14.7); must be the last attribute. */
int stun_enc_fingerprint(struct stun_enc *enc)
{
	uint8_t *p;
	size_t start;
	uint32_t crc;

	if (!enc)
		return EINVAL;
	start = enc->pos;
	p = reserve(enc, STUN_ATTR_HEADER_SIZE + 4);
	if (!p)
		return enc->err;
	set_body_len(enc, enc->pos - STUN_HEADER_SIZE);
	crc = stun_crc32(0, enc->buf, start) ^ STUN_FINGERPRINT_XOR;
	wr16(p, STUN_ATTR_FINGERPRINT);
	wr16(p + 2, 4);
	wr32(p + STUN_ATTR_HEADER_SIZE, crc);
	return 0;
}

/* Ends encoding: *lenp is the message length. Returns the first error. */
int stun_enc_finish(struct stun_enc *enc, size_t *lenp)
{
	if (!enc || !lenp)
		return EINVAL;
	if (!enc->err)
		*lenp = enc->pos;
	return enc->err;
}

/*
 * A Binding success response (RFC 8445 section 7.3.1.5): SOFTWARE if
 * given, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY keyed with our ICE password,
 * FINGERPRINT. Returns 0, EINVAL or EOVERFLOW (buffer too small).
 */
int stun_binding_success_encode(uint8_t *buf, size_t size, size_t *lenp,
                                const uint8_t tid[STUN_TID_SIZE],
                                const struct stun_addr *mapped,
                                struct stun_hmac *key, const char *software)
{
	struct stun_enc enc;

	if (!mapped || !key)
		return EINVAL;
	stun_enc_init(&enc, buf, size,
	              stun_type(STUN_METHOD_BINDING, STUN_CLASS_SUCCESS), tid);
	if (software)
		stun_enc_attr(&enc, STUN_ATTR_SOFTWARE, software,
		              strlen(software));
	stun_enc_addr(&enc, STUN_ATTR_XOR_MAPPED_ADDRESS, mapped);
	stun_enc_integrity(&enc, key);
	stun_enc_fingerprint(&enc);
	return stun_enc_finish(&enc, lenp);
}

/*
 * A Binding error response: 400, 401, 420 (with UNKNOWN-ATTRIBUTES listing
 * unknownv, section 14.13) or 487 (RFC 8445 section 7.3.1.1). key NULL
 * omits MESSAGE-INTEGRITY, as for 400 and 401 where the request could not
 * be authenticated (RFC 8489 section 9.1.3). FINGERPRINT always ends it.
 * Returns 0, EINVAL or EOVERFLOW.
 */
int stun_binding_error_encode(uint8_t *buf, size_t size, size_t *lenp,
                              const uint8_t tid[STUN_TID_SIZE], uint16_t code,
                              const uint16_t *unknownv, size_t unknownc,
                              struct stun_hmac *key, const char *software)
{
	uint8_t list[2 * STUN_MAX_UNKNOWN];
	struct stun_enc enc;
	size_t i;

	if (code == STUN_ERR_UNKNOWN_ATTRIBUTE &&
	    (!unknownv || !unknownc || unknownc > STUN_MAX_UNKNOWN))
		return EINVAL;
	stun_enc_init(&enc, buf, size,
	              stun_type(STUN_METHOD_BINDING, STUN_CLASS_ERROR), tid);
	if (software)
		stun_enc_attr(&enc, STUN_ATTR_SOFTWARE, software,
		              strlen(software));
	stun_enc_error(&enc, code, NULL);
	if (code == STUN_ERR_UNKNOWN_ATTRIBUTE) {
		for (i = 0; i < unknownc; i++)
			wr16(list + 2 * i, unknownv[i]);
		stun_enc_attr(&enc, STUN_ATTR_UNKNOWN_ATTRIBUTES, list,
		              2 * unknownc);
	}
	if (key)
		stun_enc_integrity(&enc, key);
	stun_enc_fingerprint(&enc);
	return stun_enc_finish(&enc, lenp);
}
