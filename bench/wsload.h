/* wsload.h: the WSS OPTIONS load generator: its WebSocket client codec
 * (RFC 6455 frames and opening handshake) and the SIP OPTIONS it carries
 * (RFC 7118), pure byte code without sockets or allocation; and the
 * connection engine (epoll, non-blocking OpenSSL) that drives them. */
#ifndef WSLOAD_H
#define WSLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* Largest frame payload wsload accepts from a server (SIP replies to an
 * OPTIONS are a few hundred bytes); anything larger is EOVERFLOW. */
#define WSLOAD_FRAME_MAX_PAYLOAD 8192u
/* Largest header: 2 + 8 (64-bit length) + 4 (mask). */
#define WSLOAD_FRAME_MAX_HDR 14u
/* RFC 6455 5.5: control frames carry at most 125 bytes. */
#define WSLOAD_FRAME_MAX_CONTROL 125u
/* Largest HTTP upgrade response header block we read. */
#define WSLOAD_UPGRADE_MAX_RESP 4096u
/* Base64 of a 20-byte SHA-1 plus NUL. */
#define WSLOAD_ACCEPT_SIZE 29u
/* Base64 of the 16-byte Sec-WebSocket-Key plus NUL. */
#define WSLOAD_KEY_SIZE 25u

/* RFC 6455 5.2 opcodes. */
enum wsload_opcode {
	WSLOAD_OP_CONT = 0x0,
	WSLOAD_OP_TEXT = 0x1,
	WSLOAD_OP_BINARY = 0x2,
	WSLOAD_OP_CLOSE = 0x8,
	WSLOAD_OP_PING = 0x9,
	WSLOAD_OP_PONG = 0xa,
};

/* One decoded server frame; payload points into the caller's bytes. */
struct wsload_frame {
	bool fin;
	enum wsload_opcode opcode;
	const uint8_t *payload;
	size_t len;
};

/*
 * Decodes one server-to-client frame from p[0..n). On success fills *f
 * (payload is a view into p) and sets *consumed to the frame's total size.
 * Returns ENODATA when more bytes are needed, EBADMSG for a malformed frame
 * (reserved bits, unknown opcode, masked server frame, non-minimal or
 * oversized length encoding, bad control frame), EOVERFLOW when the payload
 * exceeds WSLOAD_FRAME_MAX_PAYLOAD, EINVAL for NULL arguments.
 */
int wsload_frame_decode(struct wsload_frame *f, const uint8_t *p, size_t n,
                        size_t *consumed);

/*
 * Encodes one final client-to-server frame, masked with mask (RFC 6455 5.3),
 * into buf[0..size). Sets *lenp to the bytes written. Returns EOVERFLOW when
 * buf is too small, EINVAL for bad arguments (a control frame over 125 bytes).
 */
int wsload_frame_encode(uint8_t *buf, size_t size, size_t *lenp,
                        enum wsload_opcode op, const uint8_t mask[4],
                        const void *payload, size_t plen);

/*
 * Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2 step 5.4):
 * base64(SHA-1(key + GUID)) into out (NUL-terminated). Returns 0, EINVAL or
 * ENOMEM (OpenSSL failure).
 */
int wsload_accept_key(char out[WSLOAD_ACCEPT_SIZE], const char *key);

/*
 * Fills key with base64 of 16 random bytes (RFC 6455 4.1). Returns 0 or the
 * error of the random source.
 */
int wsload_key_make(char key[WSLOAD_KEY_SIZE]);

/*
 * Writes the HTTP/1.1 upgrade request for path on host (host as it goes in
 * the Host header, port included) with subprotocol "sip" (RFC 7118 4.1).
 * Returns 0 and *lenp, or EOVERFLOW.
 */
int wsload_upgrade_request(char *buf, size_t size, size_t *lenp,
                           const char *host, const char *path, const char *key);

/*
 * Checks an upgrade response in p[0..n) (RFC 6455 4.1 client rules): status
 * 101, Upgrade: websocket, Connection: upgrade, the expected accept value and
 * Sec-WebSocket-Protocol: sip. Sets *hdr_len to the length of the header block
 * (bytes after it are already WebSocket frames). Returns ENODATA until the
 * blank line arrives, EOVERFLOW past WSLOAD_UPGRADE_MAX_RESP, EBADMSG for a
 * malformed block, EPROTO for a well-formed refusal or a wrong accept value.
 */
int wsload_upgrade_response(const uint8_t *p, size_t n, const char *accept,
                            size_t *hdr_len);

/* What makes one OPTIONS request unique on its connection. */
struct wsload_sip_req {
	const char *domain; /* Request-URI sip:<domain> */
	uint32_t conn_id;
	uint32_t cseq;
	const char *tag; /* From tag, per connection */
};

/*
 * Writes an OPTIONS request as JsSIP sends it over WebSocket (RFC 7118 5.2:
 * Via transport WSS, host abc.invalid), with a unique branch, Call-ID and
 * CSeq, Max-Forwards 70. Returns 0 and *lenp, or EOVERFLOW.
 */
int wsload_sip_options(char *buf, size_t size, size_t *lenp,
                       const struct wsload_sip_req *req);

/*
 * REGISTER mode (ws_reg.c): each connection registers devices with digest
 * authentication (RFC 3261 10.2, 22.4; RFC 7616 3.4 with qop=auth).
 */
#define WSLOAD_USER_MAX 128u     /* device user name and NUL */
#define WSLOAD_PASS_MAX 128u     /* device password and NUL */
#define WSLOAD_CHAL_MAX 512u     /* one WWW-Authenticate value and NUL */
#define WSLOAD_AUTH_MAX 768u     /* one Authorization value */
#define WSLOAD_CNONCE_SIZE 17u   /* 16 random characters and NUL */
#define WSLOAD_REG_EXPIRES 3600u /* asked for in every REGISTER */
#define WSLOAD_MAX_DEVICES 200000u

/* One device's credentials, as `sipcloak device add --json` gives them. */
struct wsload_cred {
	char user[WSLOAD_USER_MAX];
	char pass[WSLOAD_PASS_MAX];
};

/* What makes one REGISTER unique: To/From are sip:<user>@<domain>, one
 * Call-ID per connection (callid) with an increasing CSeq. */
struct wsload_reg_req {
	const char *domain;
	const char *user;
	const char *callid;
	const char *tag;     /* From tag and Contact user part */
	uint32_t conn_id;
	uint32_t cseq;
	const char *auth;    /* Authorization value, or NULL for none */
};

/*
 * Writes a REGISTER as JsSIP sends it over WebSocket (RFC 7118 5.2: Via
 * WSS abc.invalid, Contact sip:<tag>@abc.invalid;transport=ws), Expires
 * WSLOAD_REG_EXPIRES, with an Authorization header when req->auth is set.
 * Returns 0 and *lenp, EINVAL, or EOVERFLOW.
 */
int wsload_sip_register(char *buf, size_t size, size_t *lenp,
                        const struct wsload_reg_req *req);

/*
 * Finds the MD5 challenge offering qop=auth among the WWW-Authenticate
 * headers of the SIP response in p[0..n) (sipcloak sends SHA-256 and MD5,
 * RFC 8760 2.4; Kamailio MD5 alone) and copies its value, NUL-terminated,
 * to chal[0..size). Returns 0 and *lenp, ENOENT when there is none,
 * EOVERFLOW when it does not fit, EINVAL.
 */
int wsload_sip_challenge(const uint8_t *p, size_t n, char *chal, size_t size,
                         size_t *lenp);

/*
 * Writes the Authorization value answering the challenge value chal (as
 * wsload_sip_challenge copied it) for cred, Request-URI uri, nonce count nc
 * and client nonce cnonce, to out[0..size) NUL-terminated (RFC 7616 3.4,
 * qop=auth). Returns 0, EBADMSG (chal malformed or not usable), EOVERFLOW,
 * EINVAL or ENOMEM.
 */
int wsload_sip_authorize(char *out, size_t size, const char *chal,
                         const struct wsload_cred *cred, const char *uri,
                         uint32_t nc, const char *cnonce);

/*
 * Reads the status code and CSeq number of a SIP response in p[0..n).
 * Returns 0, or EBADMSG when it is not a response or has no valid CSeq.
 */
int wsload_sip_response(const uint8_t *p, size_t n, uint16_t *status,
                        uint32_t *cseq);

/*
 * Call mode (ws_call.c, ws_call_conn.c): per connection a closed loop of
 * calls: INVITE with a WebRTC offer, 401, ACK, INVITE with Authorization,
 * 200, ACK, BYE, 200 (RFC 3261 13, 15, 22.2; RFC 7118).
 */
#define WSLOAD_URI_MAX 256u    /* a Request-URI or Contact URI and NUL */
#define WSLOAD_TAG_MAX 96u     /* a To tag and NUL */
#define WSLOAD_TARGET_MAX 64u  /* the dialled number and NUL */
#define WSLOAD_SDP_MAX 2048u   /* the offer */
#define WSLOAD_CALL_SIP_MAX 4096u /* one INVITE with offer and credentials */

/* What makes one offer unique (ICE credentials per call, RFC 8445 5.3). */
struct wsload_sdp_req {
	uint64_t sess_id;
	const char *ufrag; /* 4..256 ice-chars */
	const char *pwd;   /* 22..256 ice-chars */
	uint32_t ssrc;
	uint16_t port;     /* of the host candidate */
};

/*
 * Writes a Chrome-like audio offer (BUNDLE, rtcp-mux, DTLS fingerprint,
 * Opus, RED, G722, PCMU, PCMA, CN, telephone-event) to buf[0..size).
 * Returns 0 and *lenp, EINVAL or EOVERFLOW.
 */
int wsload_sdp_offer(char *buf, size_t size, size_t *lenp,
                     const struct wsload_sdp_req *req);

enum wsload_call_method {
	WSLOAD_CALL_INVITE = 0,
	WSLOAD_CALL_ACK,
	WSLOAD_CALL_BYE,
};

/* One request of a call. To is sip:<target>@<domain>, From
 * sip:<user>@<domain>;tag=<tag>; the Via branch is built from tag, conn_id,
 * cseq and branch_ext. */
struct wsload_call_req {
	enum wsload_call_method method;
	const char *domain;
	const char *user;
	const char *target;
	const char *callid;
	const char *tag;
	const char *to_tag;     /* NULL before the dialog */
	const char *ruri;       /* NULL: sip:<target>@<domain> */
	const char *route;      /* one Route value, or NULL */
	const char *branch_ext; /* NULL or a suffix making a new branch */
	const char *auth;       /* Authorization value, or NULL */
	const char *sdp;        /* INVITE: the offer */
	uint32_t conn_id;
	uint32_t cseq;
};

/* Writes the request. Returns 0 and *lenp, EINVAL or EOVERFLOW. */
int wsload_sip_call(char *buf, size_t size, size_t *lenp,
                    const struct wsload_call_req *req);

/*
 * Finds the first header name (or its compact form c, 0 for none) of the
 * SIP message in p[0..n) and sets *val to its value (a view into p).
 * Returns 0, ENOENT or EINVAL.
 */
int wsload_sip_header(const uint8_t *p, size_t n, const char *name, char c,
                      struct pl *val);

/* Copies the To tag of the response in p[0..n) to out[0..size). Returns 0,
 * ENOENT (no To or no tag), EBADMSG (empty tag), EOVERFLOW or EINVAL. */
int wsload_sip_to_tag(const uint8_t *p, size_t n, char *out, size_t size);

/* Copies the URI inside <...> of the first Contact of p[0..n) to
 * out[0..size). Returns 0, ENOENT, EBADMSG, EOVERFLOW or EINVAL. */
int wsload_sip_contact(const uint8_t *p, size_t n, char *out, size_t size);

/*
 * Like wsload_sip_authorize for another method (INVITE; RFC 3261 22.4:
 * the digest covers the method and Request-URI of the request it goes in).
 */
int wsload_sip_authorize_method(char *out, size_t size, const char *chal,
                                const struct wsload_cred *cred,
                                const char *method, const char *uri,
                                uint32_t nc, const char *cnonce);

/*
 * hist: a log-linear latency histogram in microseconds (64 sub-buckets per
 * power of two, so a quantile is within 1/64 of the true value).
 */
#define WSLOAD_HIST_SUB 64u
#define WSLOAD_HIST_MAX_BITS 40u /* values are capped at 2^40-1 us */
#define WSLOAD_HIST_BUCKETS                                                    \
	(2 * WSLOAD_HIST_SUB + (WSLOAD_HIST_MAX_BITS - 7) * WSLOAD_HIST_SUB)

struct wsload_hist {
	uint64_t count;
	uint64_t max;
	uint64_t b[WSLOAD_HIST_BUCKETS];
};

void wsload_hist_add(struct wsload_hist *h, uint64_t us);
/* The q-quantile (0 < q <= 1) of what was added; 0 when empty. */
uint64_t wsload_hist_quantile(const struct wsload_hist *h, double q);

/*
 * The engine: N persistent WebSocket connections on one epoll set, each in a
 * closed loop of OPTIONS requests. Single-threaded; the caller drives it with
 * wsload_engine_poll() and moves it through the phases.
 */
#define WSLOAD_MAX_CONNS 20000u
#define WSLOAD_MAX_PIPELINE 16u
#define WSLOAD_MAX_PENDING 64u /* connections mid-handshake at once */
#define WSLOAD_CONNECT_TIMEOUT_US 5000000u /* TCP + TLS + upgrade */
#define WSLOAD_REQ_TIMEOUT_US 5000000u
#define WSLOAD_RETRY_US 200000u /* back-off before reconnecting */
#define WSLOAD_HOST_MAX 128u
#define WSLOAD_PATH_MAX 256u

struct sockaddr;

enum wsload_mode {
	WSLOAD_MODE_OPTIONS = 0, /* closed loop of OPTIONS */
	WSLOAD_MODE_REGISTER,    /* closed loop of digest registrations */
	WSLOAD_MODE_CALL,        /* closed loop of calls (ws_call_conn.c) */
};

struct wsload_cfg {
	enum wsload_mode mode;
	/* REGISTER: after the first challenge of a device, answer its nonce
	 * again with nc+1 in the next REGISTER (one round trip each). */
	bool reuse_nonce;
	/* REGISTER: the devices; connection i registers devices i, i+N,
	 * i+2N, ... in turn (N connections), one registration per round. */
	const struct wsload_cred *creds;
	size_t ncreds;
	/* CALL: the number dialled; connection i calls as device i mod
	 * ncreds. */
	char target[WSLOAD_TARGET_MAX];
	bool tls;
	bool insecure; /* skip certificate verification (self-signed) */
	const char *cafile;
	uint8_t addr[28]; /* struct sockaddr_in or sockaddr_in6 */
	uint32_t addrlen;
	char host[WSLOAD_HOST_MAX];  /* Host header: address[:port] */
	char vhost[WSLOAD_HOST_MAX]; /* address alone, for verification */
	char path[WSLOAD_PATH_MAX];
	char domain[WSLOAD_HOST_MAX]; /* Request-URI sip:<domain> */
	unsigned pipeline;            /* outstanding requests per connection */
};

enum wsload_phase {
	WSLOAD_RAMP,  /* open connections, send nothing */
	WSLOAD_RUN,   /* closed loop; requests sent now are measured */
	WSLOAD_DRAIN, /* send nothing new, collect outstanding replies */
};

struct wsload_stats {
	uint64_t sent;        /* measured requests sent */
	uint64_t ok;          /* measured 200 replies */
	uint64_t bad_status;  /* measured non-2xx final replies */
	uint64_t timeouts;    /* measured requests unanswered in time */
	uint64_t lost;        /* measured requests on a dropped connection */
	uint64_t opened;      /* successful upgrades, ever */
	uint64_t conn_errors; /* failed connects, handshakes, upgrades */
	uint64_t drops;       /* open connections that died */
	uint64_t pings;       /* pings answered */
	uint64_t challenges;  /* measured 401s answered (REGISTER mode) */
	uint64_t registered;  /* devices with a 200 to a REGISTER, ever */
	uint64_t answered;    /* CALL: measured INVITEs with a 200 */
	uint64_t bye_bad;     /* CALL: BYEs without a 200 */
	uint16_t last_bad;    /* status code of the last measured non-2xx */
	struct wsload_hist lat;
};

struct wsload_engine;

/*
 * Creates an engine for n connections (none opened yet: that starts with the
 * first poll). cfg must outlive the engine. Returns 0, EINVAL, EOVERFLOW
 * (n over WSLOAD_MAX_CONNS), ENOMEM or an errno from epoll/OpenSSL set-up.
 */
int wsload_engine_alloc(struct wsload_engine **ep, const struct wsload_cfg *cfg,
                        size_t n);

/* Waits up to timeout_ms for socket events and handles them, then runs the
 * time-based work (ramp, timeouts, reconnects). Returns 0 or an errno of
 * epoll_wait. */
int wsload_engine_poll(struct wsload_engine *e, int timeout_ms);

void wsload_engine_phase(struct wsload_engine *e, enum wsload_phase ph);
size_t wsload_engine_open(const struct wsload_engine *e);
size_t wsload_engine_outstanding(const struct wsload_engine *e);
const struct wsload_stats *wsload_engine_stats(const struct wsload_engine *e);

/* Closes every connection; the engine is freed with mem_deref(). */
void wsload_engine_close(struct wsload_engine *e);

/* Monotonic microseconds. */
uint64_t wsload_now_us(void);

#endif
