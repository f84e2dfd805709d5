/* msg_int.h: internals shared by the SIP codec files: RFC 3261 §25.1
 * character classes, LWS and quoted-string scanning, parameter lists. */
#ifndef SC_SIP_MSG_INT_H
#define SC_SIP_MSG_INT_H

#include "sip/msg.h"

/* Character classes of RFC 3261 §25.1, one bit each in sip_ctype[]. */
enum {
	SIP_C_TOKEN = 1 << 0, /* alphanum - . ! % * _ + ` ' ~ */
	SIP_C_UNRES = 1 << 1, /* unreserved: alphanum mark */
	SIP_C_USER = 1 << 2,  /* user-unreserved: & = + $ , ; ? / */
	SIP_C_PASS = 1 << 3,  /* password extras: & = + $ , */
	SIP_C_PARAM = 1 << 4, /* param-unreserved: [ ] / : & + $ */
	SIP_C_HNV = 1 << 5,   /* hnv-unreserved: [ ] / ? : + $ */
	SIP_C_HOST = 1 << 6,  /* hostname and IPv4: alphanum - . */
	SIP_C_WORD =
	    1 << 7, /* word (Call-ID): token ( ) < > : \ " / [ ] ? { } */
};

extern const uint8_t sip_ctype[256];

static inline bool sip_is(char c, uint8_t cls)
{
	return (sip_ctype[(uint8_t)c] & cls) != 0;
}

static inline bool sip_is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool sip_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool sip_is_hex(char c)
{
	return sip_is_digit(c) || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* Index of the first non-LWS byte at or after i (len when none). Header
 * values reach the codec with folds still in them; inside a value every CR
 * or LF belongs to a fold, so all four bytes count as LWS. */
static inline size_t sip_skip_lws(const char *p, size_t i, size_t len)
{
	while (i < len && sip_is_lws(p[i]))
		i++;
	return i;
}

/* pl_trim() for the hot path: strips SP, HT, CR and LF at both ends. */
static inline void sip_trim(struct pl *pl)
{
	const char *p = pl->p;
	size_t l = pl->l;

	while (l && sip_is_lws(*p)) {
		p++;
		l--;
	}
	while (l && sip_is_lws(p[l - 1]))
		l--;
	pl->p = p;
	pl->l = l;
}

static inline char sip_lower(char c)
{
	return (char)(c | ((c >= 'A' && c <= 'Z') << 5));
}

/* ASCII case-insensitive equality of n bytes (header and parameter names
 * are ASCII tokens; no locale, no NUL handling needed). */
static inline bool sip_casecmp_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sip_lower(a[i]) != sip_lower(b[i]))
			return false;
	return true;
}

/* p[i] is '"': sets *endp to the index just past the closing quote.
 * quoted-pair escapes (RFC 3261 §25.1) are skipped. 0 or EBADMSG. */
int sip_quoted_scan(const char *p, size_t i, size_t len, size_t *endp);

/* Next parameter of a ';' list at *posp: SWS [";"] SWS name [SWS "=" SWS
 * value]. The first call may start before or at the first ';'. 0 with
 * name and val (empty for a flag), ENOENT at the end, EBADMSG when
 * malformed (empty parameter, stray characters). */
int sip_param_next(const struct pl *params, size_t *posp, struct pl *name,
                   struct pl *val);

/* 0 when every parameter of the list is well-formed, else EBADMSG. */
int sip_params_check(const struct pl *params);

/* Scans host [":" port] at *ip (RFC 3261 §25.1 hostport; IPv6 reference
 * checked with inet_pton). Stops at the first byte that is not part of
 * it. 0 or EBADMSG. */
int sip_hostport_scan(const char *p, size_t len, size_t *ip, struct pl *host,
                      bool *ipv6, uint16_t *port);

/* Header-name table entry lookup used by the decoder (hdr.c). */
enum sip_hdr_id sip_hdr_lookup_list(const char *p, size_t n, bool *listp);

/* Strict decimal with LWS around it. 0, EBADMSG, EOVERFLOW. */
int sip_pl_u32_lws(const struct pl *pl, uint32_t *v);

#endif
