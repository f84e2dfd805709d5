/* msg.h: SIP message codec (RFC 3261 §7, §20, §25): zero-copy views. */
#ifndef SC_SIP_MSG_H
#define SC_SIP_MSG_H

#include "core/core.h"

/* Limits, enforced by the decoder and the stream framer. */
#define SIP_MSG_MAX 65535    /* bytes in one message, headers and body */
#define SIP_HDR_MAX 128      /* header fields (after splitting comma lists) */
#define SIP_LINE_MAX 8192    /* bytes in one header line, folds included */
#define SIP_HEAD_MAX 32768   /* bytes of start line plus headers */

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
	struct pl scheme;   /* "sip", "sips", "tel", ... */
	struct pl user;	    /* may contain escapes, as written */
	struct pl password;
	struct pl host;	    /* IPv6 without the brackets */
	uint16_t port;	    /* 0 when absent */
	bool ipv6;
	struct pl params;   /* ";a=b;lr", as written, leading ';' included */
	struct pl headers;  /* "?a=b", as written */
};

/* name-addr or addr-spec with header parameters (From, To, Contact, ...). */
struct sip_addr {
	struct pl dname;    /* display name, quotes stripped, escapes kept */
	struct pl auri;	    /* the URI as written, without < > */
	struct sip_uri uri;
	struct pl params;   /* header parameters after the URI */
	struct pl tag;	    /* the tag parameter, if any */
};

struct sip_via {
	struct pl proto;     /* "SIP/2.0/UDP" transport part: "UDP" */
	struct pl host;	     /* IPv6 without the brackets */
	uint16_t port;	     /* 0 when absent */
	bool ipv6;
	struct pl branch;
	struct pl received;
	bool rport;	     /* rport parameter present */
	struct pl rport_val; /* its value, if any */
	struct pl params;
	struct pl val;	     /* the whole value */
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

#endif
