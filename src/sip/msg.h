/* msg.h: SIP message codec (RFC 3261 §7, §20, §25): zero-copy views. */
#ifndef SC_SIP_MSG_H
#define SC_SIP_MSG_H

#include "core/core.h"

/* Limits, enforced by the decoder and the stream framer. */
#define SIP_MSG_MAX 65535  /* bytes in one message, headers and body */
#define SIP_HDR_MAX 128    /* header fields (after splitting comma lists) */
#define SIP_LINE_MAX 8192  /* bytes in one header line, folds included */
#define SIP_HEAD_MAX 32768 /* bytes of start line plus headers */

/* Headers the stack looks at; everything else is SIP_HDR_OTHER. */
enum sip_hdr_id {
	SIP_HDR_OTHER = 0,
	SIP_HDR_VIA,
	SIP_HDR_FROM,
	SIP_HDR_TO,
	SIP_HDR_CALL_ID,
	SIP_HDR_CSEQ,
	SIP_HDR_CONTACT,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_EXPIRES,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_ROUTE,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_REQUIRE,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_SUPPORTED,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_ALLOW,
	SIP_HDR_ACCEPT,
	SIP_HDR_USER_AGENT,
	SIP_HDR_SERVER,
	SIP_HDR_REASON,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_EVENT,
	SIP_HDR_REFER_TO,
	SIP_HDR_REFERRED_BY,
	SIP_HDR_REPLACES,
	SIP_HDR_SESSION_EXPIRES,
	SIP_HDR_MIN_SE,
	SIP_HDR_SUBJECT,
	SIP_HDR_P_ASSERTED_IDENTITY,
	SIP_HDR_CONTENT_ENCODING,
	SIP_HDR_COUNT
};

/* One header field value. Comma-separated list headers are split into one
 * sip_hdr per element; name is the name as written (maybe compact). */
struct sip_hdr {
	enum sip_hdr_id id;
	struct pl name;
	struct pl val; /* trimmed; may still contain folded whitespace */
};

struct sip_uri {
	struct pl scheme; /* "sip", "sips", "tel", ... */
	struct pl user;   /* may contain escapes, as written */
	struct pl password;
	struct pl host; /* IPv6 without the brackets */
	uint16_t port;  /* 0 when absent */
	bool ipv6;
	struct pl params;  /* ";a=b;lr", as written, leading ';' included */
	struct pl headers; /* "?a=b", as written */
};

/* name-addr or addr-spec with header parameters (From, To, Contact, ...). */
struct sip_addr {
	struct pl dname; /* display name, quotes stripped, escapes kept */
	struct pl auri;  /* the URI as written, without < > */
	struct sip_uri uri;
	struct pl params; /* header parameters after the URI */
	struct pl tag;    /* the tag parameter, if any */
};

struct sip_via {
	struct pl proto; /* "SIP/2.0/UDP" transport part: "UDP" */
	struct pl host;  /* IPv6 without the brackets */
	uint16_t port;   /* 0 when absent */
	bool ipv6;
	struct pl branch;
	struct pl received;
	bool rport;          /* rport parameter present */
	struct pl rport_val; /* its value, if any */
	struct pl params;
	struct pl val; /* the whole value */
};

struct sip_cseq {
	uint32_t num;
	struct pl method;
};

/*
 * A decoded message. Every pl points into the caller's buffer, which must
 * outlive the struct. The caller owns the struct (it is large: keep one per
 * receive path, not per message on the stack of deep call chains).
 */
struct sip_msg {
	bool req;
	/* request line */
	struct pl method;
	struct pl ruri_raw;
	struct sip_uri ruri;
	/* status line */
	uint16_t scode;
	struct pl reason;
	struct pl ver; /* "SIP/2.0" as written */

	struct sip_hdr hdrv[SIP_HDR_MAX];
	size_t hdrc;

	/* the headers every transaction needs, parsed */
	struct sip_via via; /* top-most Via */
	struct sip_addr from;
	struct sip_addr to;
	struct pl callid;
	struct sip_cseq cseq;
	uint32_t max_forwards;
	bool has_max_forwards;
	uint32_t clen;
	bool has_clen;
	struct pl ctype;
	struct pl body;

	/* On EBADMSG: a reason phrase naming what is wrong (static string),
	 * e.g. "Bad CSeq header"; fields parsed before the error stay valid. */
	const char *err;
};

/*
 * Decoding (all non-allocating; every pl points into the caller's buffer).
 */

/* Decodes one whole message (a UDP datagram, or one message cut out by
 * sip_frame()). The parser never allocates and never reads past len.
 * Returns 0; EBADMSG with msg->err naming what is wrong (the headers are
 * still split and the mandatory ones decoded as far as they go, so the
 * caller can answer 400 when sip_msg_can_reply() says so); EOVERFLOW when a
 * SIP_*_MAX limit was exceeded (msg->err says which); EINVAL on NULL
 * arguments. Datagram rules of RFC 3261 §18.3: a Content-Length larger than
 * the bytes present is EBADMSG, a smaller one truncates the body, none makes
 * the rest of the buffer the body. */
int sip_msg_decode(struct sip_msg *msg, const char *buf, size_t len);

/* First header with that id, or the next one after prev; NULL when none.
 * For SIP_HDR_OTHER use sip_msg_hdr_named(). */
const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg,
                                  enum sip_hdr_id id);
const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *msg,
                                       const struct sip_hdr *prev,
                                       enum sip_hdr_id id);
/* First header named name (case-insensitive, compact forms included). */
const struct sip_hdr *sip_msg_hdr_named(const struct sip_msg *msg,
                                        const char *name);
/* Header id for a field name, full or compact (RFC 3261 §7.3.3). */
enum sip_hdr_id sip_hdr_lookup(const struct pl *name);

/* SIP/SIPS URI (RFC 3261 §19.1.1), tel URI (RFC 3966: number in user) or
 * any other absolute URI (scheme only). 0 or EBADMSG. */
int sip_uri_decode(struct sip_uri *uri, const struct pl *pl);
/* name-addr or addr-spec with header parameters (RFC 3261 §20.10, §25.1).
 * 0 or EBADMSG. The URI itself is decoded only for sip, sips and tel. */
int sip_addr_decode(struct sip_addr *addr, const struct pl *pl);
/* One via-parm (RFC 3261 §20.42), LWS allowed where §25.1 allows it.
 * 0 or EBADMSG (fields decoded before the error stay set). */
int sip_via_decode(struct sip_via *via, const struct pl *pl);
/* Looks up a ';'-separated parameter by name (case-insensitive) in params
 * as stored in the structs above (leading ';' optional, LWS tolerated).
 * 0 with val set (empty for a flag parameter; a quoted value keeps its
 * quotes), ENOENT when absent, EBADMSG when the list is malformed before
 * the parameter was found. */
int sip_param_get(const struct pl *params, const char *name, struct pl *val);

/*
 * Semantics.
 */

/* True when msg is a request whose top Via, From, To, Call-ID and CSeq
 * were decoded well enough to build a response (RFC 3261 §8.2.6.2). */
bool sip_msg_can_reply(const struct sip_msg *msg);

/* The checks a server runs before anything else (RFC 3261 §8.2, §16.3).
 * 0 when fine; EBADMSG with *scodep (400, 416, 483, 505) and *reasonp (a
 * static reason phrase) when not. Also EBADMSG (400) when msg->err is set.
 * For responses nothing is to be answered: the codes only say why. */
int sip_msg_check(const struct sip_msg *msg, uint16_t *scodep,
                  const char **reasonp);

/*
 * Encoding.
 */

/* Appends to mb a response to req (RFC 3261 §8.2.6): status line, every
 * Via in order (via_params such as ";received=192.0.2.1;rport=5060" added
 * to the top one when given), From, To (";tag=" to_tag added when the To
 * has no tag, scode > 100 and to_tag is given), Call-ID, CSeq, extra_hdrs
 * (ready "Name: value\r\n" lines, or NULL), Content-Type when body is set,
 * always Content-Length, then the body. Works from any request for which
 * sip_msg_can_reply() holds, whatever its other headers. 0, EINVAL (not
 * answerable, bad status code, CR/LF in reason or ctype) or ENOMEM. */
int sip_reply_encode(struct mbuf *mb, const struct sip_msg *req, uint16_t scode,
                     const char *reason, const struct pl *to_tag,
                     const struct pl *via_params, const char *extra_hdrs,
                     const char *ctype, const struct pl *body);
/* Writes uri in canonical form: scheme ":" [user [":" password] "@"]
 * host (IPv6 in brackets) [":" port] params headers. 0, EINVAL, ENOMEM. */
int sip_uri_encode(struct mbuf *mb, const struct sip_uri *uri);
/* Writes ["dname" ]<uri>params from the decoded fields. 0, EINVAL, ENOMEM. */
int sip_addr_encode(struct mbuf *mb, const struct sip_addr *addr);

/*
 * Stream framing (TCP, TLS; RFC 3261 §18.3) and keepalives (RFC 5626).
 */

/* Length of the first complete message in buf (call sip_frame_crlf()
 * first). 0 with *msglenp set; ENODATA when more bytes are needed; EBADMSG
 * when the head is complete but has no or an unparseable Content-Length
 * (answer 400 and close); EOVERFLOW when the head exceeds SIP_HEAD_MAX or
 * the message would exceed SIP_MSG_MAX; EINVAL on NULL arguments. */
int sip_frame(const char *buf, size_t len, size_t *msglenp);
/* Number of leading CR/LF bytes to consume before a message; *pingp is set
 * when a double CRLF (RFC 5626 §3.5.1 ping; answer "\r\n") was among them.
 * A run that reaches the end of buf and could still grow into a ping
 * ("\r", "\r\n", "\r\n\r") is held back: 0 is returned for it. */
size_t sip_frame_crlf(const char *buf, size_t len, bool *pingp);

#endif
