/* transp_int.h: structures shared by the transport files (transp*.c). */
#ifndef SC_SIP_TRANSP_INT_H
#define SC_SIP_TRANSP_INT_H

#include "sip/transp.h"
#include "tls/tls.h"

struct sip_flow;

struct sip_flow_ops {
	int (*send)(struct sip_flow *flow, const uint8_t *data, size_t len);
	/* UDP: to another address on the same socket (replies, §18.2.2). */
	int (*send_to)(struct sip_flow *flow, const struct sa *dst,
	               const uint8_t *data, size_t len);
	/* UDP: a flow on the same socket toward dst (response routing). */
	int (*flow_to)(struct sip_flow **flowp, struct sip_flow *flow,
	               const struct sa *dst);
	void (*close)(struct sip_flow *flow);
	bool (*isopen)(const struct sip_flow *flow);
};

/* The first member of every flow object (UDP flow, stream connection,
 * WebSocket flow), so a struct sip_flow * is the mem object. */
struct sip_flow {
	const struct sip_flow_ops *ops;
	struct sip_transp *tp; /* referenced */
	enum sip_transp_type type;
	struct sa peer;
	struct sa local;
};

struct sip_transp {
	uv_loop_t *loop;
	sip_transp_recv_h *recvh;
	sip_transp_conn_h *connh;
	sip_transp_unreach_h *unreachh;
	void *arg;
	struct tls_ctx *tls_client;
	struct sip_transp_limits lim;
	struct sip_transp_stats stats;
	struct list udps;     /* struct udp_sock */
	struct list lsnrs;    /* struct tcp_lsnr */
	struct list conns;    /* struct tcp_conn, open and closing */
	struct hash *conn_ht; /* open struct tcp_conn by peer address */
	uv_timer_t sweep;     /* idle and linger checks */
	bool closed;
	uint8_t *rxbuf;     /* SIP_MSG_MAX: shared by all receives */
	struct sip_msg msg; /* decode scratch, valid during one callback */
};

/* Fills the common part of a newly allocated flow (takes a tp ref). */
void transp_flow_init(struct sip_flow *flow, struct sip_transp *tp,
                      const struct sip_flow_ops *ops,
                      enum sip_transp_type type);
/* Drops what transp_flow_init took; call from the flow's destructor. */
void transp_flow_release(struct sip_flow *flow);
/* Decodes one whole message (datagram or framed) and hands it on. */
void transp_recv_msg(struct sip_transp *tp, struct sip_flow *flow,
                     const uint8_t *data, size_t len, int frame_err);
/* Hands a decoded message to the handler, or counts and drops it. */
void transp_deliver(struct sip_transp *tp, struct sip_flow *flow, int err);
void transp_conn_event(struct sip_transp *tp, struct sip_flow *flow, int err);

/* transp_ws.c: one WebSocket message (len > 0) from flow: true for a
 * CRLF keep-alive (*pingp: a double CRLF, to be answered "\r\n"), false
 * when it went on as a SIP message. Split from the lws callback so that
 * the fuzzer drives the same path. */
bool transp_ws_input(struct sip_transp *tp, struct sip_flow *flow,
		     const uint8_t *data, size_t len, bool *pingp);

/* transp_udp.c */
int transp_udp_listen(struct sip_transp *tp, const struct sa *laddr);
int transp_udp_flow(struct sip_flow **flowp, struct sip_transp *tp,
                    const struct sa *dst);
int transp_udp_laddr(const struct sip_transp *tp, int af, struct sa *laddr);
void transp_udp_close_all(struct sip_transp *tp);

/* A stream connection (TCP or TLS); its flow is its first member. */
enum tcp_conn_state { CONN_CONNECTING, CONN_OPEN, CONN_CLOSING };

struct tcp_conn {
	struct sip_flow flow; /* first */
	struct le le;         /* tp->conns: holds a reference until closed */
	struct le hle;        /* tp->conn_ht while not closing */
	uv_tcp_t h;           /* open handle: a reference until on_close */
	uv_connect_t creq;
	uv_shutdown_t sreq;
	struct tls_conn *tls;
	struct mbuf *rb;   /* plaintext received, not yet a whole message */
	struct mbuf *pend; /* plaintext sent while connecting */
	size_t wq;         /* bytes in libuv's write queue */
	uint64_t last_rx;
	uint64_t closing_since;
	enum tcp_conn_state state;
	bool outgoing;
	bool shutting;
};

/* transp_conn.c */
extern const struct tls_conn_handlers transp_conn_tls_handlers;
int transp_conn_alloc(struct tcp_conn **cp, struct sip_transp *tp,
                      enum sip_transp_type type);
void transp_conn_link(struct tcp_conn *c);
int transp_conn_read_start(struct tcp_conn *c);
int transp_conn_write(struct tcp_conn *c, const uint8_t *data, size_t len);
void transp_conn_close(struct tcp_conn *c, int err);
void transp_conn_abort(struct tcp_conn *c);
void transp_conn_sweep(struct sip_transp *tp, uint64_t now);
void transp_conn_close_all(struct sip_transp *tp);

/* transp_tcp.c (TCP and TLS) */
int transp_tcp_listen(struct sip_transp *tp, enum sip_transp_type type,
                      const struct sa *laddr, struct tls_ctx *tls);
int transp_tcp_connect(struct sip_flow **flowp, struct sip_transp *tp,
                       enum sip_transp_type type, const struct sa *dst,
                       const char *tls_host);
int transp_tcp_laddr(const struct sip_transp *tp, enum sip_transp_type type,
                     int af, struct sa *laddr);
void transp_tcp_close_all(struct sip_transp *tp);

#endif
