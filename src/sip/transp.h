/* transp.h: SIP transports UDP, TCP, TLS and WS/WSS behind one interface
 * (RFC 3261 §18, RFC 3581, RFC 5626 §3.5.1 keep-alives, RFC 7118). */
#ifndef SC_SIP_TRANSP_H
#define SC_SIP_TRANSP_H

#include "net/net.h"
#include "sip/msg.h"

struct tls_ctx;

enum sip_transp_type {
	SIP_TRANSP_UDP,
	SIP_TRANSP_TCP,
	SIP_TRANSP_TLS,
	SIP_TRANSP_WS,
	SIP_TRANSP_WSS
};

/* Defaults of struct sip_transp_limits. */
#define SIP_TRANSP_CONN_MAX 4096           /* stream connections in total */
#define SIP_TRANSP_CONN_PER_IP 64          /* incoming ones per source IP */
#define SIP_TRANSP_IDLE_MS (300 * 1000)    /* no bytes received: close */
#define SIP_TRANSP_LINGER_MS 5000          /* flushing before a close */
#define SIP_TRANSP_SENDQ_MAX (1024 * 1024) /* bytes queued per connection */
#define SIP_TRANSP_PORT 5060               /* RFC 3261 §18.2.2 default */
#define SIP_TRANSP_UDP_SOCKBUF (4 * 1024 * 1024) /* bytes asked of the kernel */
#define SIP_TRANSP_UDP_ERRQ_MAX 64 /* ICMP errors read per socket error */
#define SIP_TRANSP_UDP_SEND_TRIES 3 /* sends failed by others' ICMP errors */
/* Room for ";received=<IPv6>;rport=65535" and the NUL. */
#define SIP_VIA_PARAMS_MAX 80

struct sip_transp_limits {
	unsigned conn_max;
	unsigned conn_per_ip;
	uint64_t idle_ms;
};

struct sip_transp_stats {
	uint64_t received;      /* messages delivered with err 0 */
	uint64_t sent;          /* messages sent */
	uint64_t parse_errors;  /* malformed messages or framing errors */
	uint64_t dropped;       /* not delivered: unanswerable, over limits */
	uint64_t unreachable;   /* ICMP errors for UDP datagrams (§18.4) */
	uint64_t conns_refused; /* incoming connections over a cap */
	uint32_t conns_open;    /* stream connections now open */
};

/*
 * sip_flow: the path back to one peer: a UDP socket plus the peer's
 * address, or one stream connection (TCP, TLS, WebSocket). Reference
 * counted: whoever keeps a flow mem_ref()s it. A flow outlives its
 * connection: once closed, sending fails with ENOTCONN.
 */
struct sip_flow;

enum sip_transp_type sip_flow_type(const struct sip_flow *flow);
const struct sa *sip_flow_peer(const struct sip_flow *flow);
const struct sa *sip_flow_local(const struct sip_flow *flow);
bool sip_flow_reliable(const struct sip_flow *flow);
bool sip_flow_isopen(const struct sip_flow *flow);
/* UDP: one datagram to the peer. Streams: queued on the connection (in
 * order; up to SIP_TRANSP_SENDQ_MAX, else EOVERFLOW). Returns 0, EINVAL,
 * ENOTCONN (closed), EOVERFLOW or another errno value from the socket. */
int sip_flow_send(struct sip_flow *flow, const uint8_t *data, size_t len);
/* Streams: closes the connection after queued bytes went out. UDP: no-op.
 * The caller's reference stays valid. */
void sip_flow_close(struct sip_flow *flow);

/*
 * RFC 3261 §18.2.1, RFC 3581 §4: the parameters to append to the top Via
 * of a response to req (see sip_reply_encode): ";received=IP" when the Via
 * host differs from the source address, ";received=IP;rport=PORT" when
 * the request carried rport. Nothing for WS/WSS flows (RFC 7118 §5 lets
 * us, and it keeps the browser's address out of our messages).
 * Returns 0 (buf may be "") or EOVERFLOW; size SIP_VIA_PARAMS_MAX is
 * always enough.
 */
int sip_flow_via_params(const struct sip_flow *flow, const struct sip_msg *req,
                        char *buf, size_t size);
/*
 * Sends a response to req back where RFC 3261 §18.2.2 says: streams on
 * the same connection (also RFC 7118 §5); UDP to the source address and,
 * with rport (RFC 3581 §4), the source port, else the Via sent-by port
 * (5060 when absent). Returns as sip_flow_send().
 */
/*
 * The flow on which responses to req travel (RFC 3261 §18.2.2, RFC 3581
 * §4), for a server transaction to keep: flow itself for streams, for
 * rport and when the sent-by port is the source port; else a UDP flow on
 * the same socket toward the source address and the sent-by port (5060
 * when absent). *rfp gets a reference. Returns 0, EINVAL or ENOMEM.
 */
int sip_flow_reply_flow(struct sip_flow **rfp, struct sip_flow *flow,
                        const struct sip_msg *req);
int sip_flow_reply(struct sip_flow *flow, const struct sip_msg *req,
                   const uint8_t *data, size_t len);

/*
 * Called once per received message with err 0, or with EBADMSG/EOVERFLOW
 * and a partially parsed request that can still be answered (the gateway
 * decides whether to send 400). msg (and the bytes it points into) is
 * valid only during the call; the flow may be mem_ref()'d and kept. After
 * a stream framing error the connection closes once the handler returned
 * and what it queued went out. Anything else malformed is counted and
 * dropped.
 */
typedef void(sip_transp_recv_h)(struct sip_flow *flow, int err,
                                struct sip_msg *msg, void *arg);
/*
 * Optional: a stream flow became usable (err 0: outgoing TCP connected,
 * TLS handshake done) or closed (err: ETIMEDOUT idle, ECONNREFUSED,
 * EPROTO TLS failure, 0 orderly, ...). Not called while the transport
 * itself closes.
 */
typedef void(sip_transp_conn_h)(struct sip_flow *flow, int err, void *arg);

/*
 * Optional: a UDP datagram sent toward flow's peer was refused
 * (RFC 3261 §18.4: an ICMP destination unreachable or parameter problem
 * came back; err ECONNREFUSED for a closed port, EHOSTUNREACH,
 * ENETUNREACH, ...). flow is a flow on the socket that sent it, toward
 * the destination named inside the ICMP error (address and port of the
 * datagram that failed), valid during the call (mem_ref() to keep it).
 * Source quench, TTL exceeded and packet too big are not reported
 * (§18.4: ignored). Not called while the transport itself closes.
 */
typedef void(sip_transp_unreach_h)(struct sip_flow *flow, int err, void *arg);

struct sip_transp;

/* Returns 0, EINVAL or ENOMEM. The caller owns *tpp: sip_transp_close()
 * then mem_deref(); memory goes once the loop ran the close callbacks. */
int sip_transp_alloc(struct sip_transp **tpp, uv_loop_t *loop,
                     sip_transp_recv_h *recvh, void *arg);
void sip_transp_set_connh(struct sip_transp *tp, sip_transp_conn_h *connh);
void sip_transp_set_unreachh(struct sip_transp *tp,
                             sip_transp_unreach_h *unreachh);
/* Zero fields keep their defaults. */
void sip_transp_set_limits(struct sip_transp *tp,
                           const struct sip_transp_limits *lim);
/* The client context for outgoing TLS (a reference is kept). */
void sip_transp_set_tls_client(struct sip_transp *tp, struct tls_ctx *ctx);

/* UDP, TCP, or TLS (tls: a server context, referenced). Port 0 picks a
 * free port (see sip_transp_laddr). WS/WSS listen in the http module.
 * Returns 0, EINVAL, EADDRINUSE or another errno value from bind. */
int sip_transp_listen(struct sip_transp *tp, enum sip_transp_type type,
                      const struct sa *laddr, struct tls_ctx *tls);
/* The bound address of the first listener of that type and address
 * family (af AF_UNSPEC: any). Returns 0 or ENOENT. */
int sip_transp_laddr(const struct sip_transp *tp, enum sip_transp_type type,
                     int af, struct sa *laddr);

/*
 * A flow to dst: for UDP on the listening socket of dst's family; for TCP
 * and TLS the open connection to dst of that type if there is one, else a
 * new one (sending before it is connected queues). tls_host names the
 * peer for SNI and certificate verification (TLS only; NULL: none).
 * *flowp gets a reference. Returns 0, EINVAL, ENOENT (no UDP listener;
 * no TLS client context), EOVERFLOW (connection cap), EPROTO (transport
 * closed) or an errno value from the socket.
 */
int sip_transp_connect(struct sip_flow **flowp, struct sip_transp *tp,
                       enum sip_transp_type type, const struct sa *dst,
                       const char *tls_host);
/* Closes every listener and connection (at once, without callbacks). */
void sip_transp_close(struct sip_transp *tp);
void sip_transp_stats(const struct sip_transp *tp, struct sip_transp_stats *st);

/*
 * WS/WSS adapter (RFC 7118), src/sip/transp_ws.c: the handlers to give the
 * http module (struct http_handlers, with arg the struct sip_transp). Each
 * WebSocket connection is one flow (SIP_TRANSP_WSS: the front door always
 * runs TLS); each WebSocket message, text or binary, is one SIP message
 * (RFC 7118 §5.1); a message of CRLFs only is a keep-alive and a double
 * CRLF is answered "\r\n" (RFC 5626 §3.5.1); the flow closes with the
 * WebSocket. Opening fails with EOVERFLOW over the connection cap.
 */
struct ws_conn;

int sip_transp_ws_open(struct ws_conn *wc, void *arg);
void sip_transp_ws_recv(struct ws_conn *wc, const uint8_t *data, size_t len,
                        bool binary, void *arg);
void sip_transp_ws_close(struct ws_conn *wc, uint16_t code, void *arg);

const char *sip_transp_name(enum sip_transp_type type); /* "UDP", "WSS" */
bool sip_transp_reliable(enum sip_transp_type type);

#endif
