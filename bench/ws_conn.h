/* ws_conn.h: wsload's connection and engine internals (private to the tool);
 * the public interface is wsload.h. */
#ifndef WSLOAD_WS_CONN_H
#define WSLOAD_WS_CONN_H

#include <openssl/ssl.h>

#include "wsload.h"

/* Input: one largest frame plus the next one's header; the upgrade response
 * fits too. Output: a full pipeline of OPTIONS plus pongs. */
#define WSLOAD_CONN_INBUF (WSLOAD_FRAME_MAX_PAYLOAD + 2 * WSLOAD_FRAME_MAX_HDR)
#define WSLOAD_CONN_OUTBUF 12288u

enum wsload_conn_state {
	CONN_IDLE,       /* not connected; deadline is when to (re)connect */
	CONN_CONNECTING, /* TCP connect in progress */
	CONN_TLS,        /* TLS handshake */
	CONN_UPGRADE,    /* HTTP upgrade sent, waiting for 101 */
	CONN_OPEN,       /* WebSocket open, closed loop running */
};

/* One outstanding request. */
struct wsload_slot {
	uint32_t cseq;
	uint64_t sent;
	bool measured;
};

struct wsload_conn {
	struct wsload_engine *eng;
	uint32_t id;
	int fd;
	SSL *ssl;
	enum wsload_conn_state st;
	uint32_t events;   /* what epoll watches now */
	uint64_t deadline; /* connect deadline or reconnect time, us */
	bool want_write;
	bool in_msg; /* inside a fragmented message */
	uint32_t cseq;
	uint32_t reg_k;    /* REGISTER: registering device id + reg_k * n */
	unsigned reg_auth; /* REGISTER: authorized requests this round */
	char tag[11];
	uint8_t call_st;   /* CALL: what the slot's request is (call_st) */
	uint8_t call_auth; /* CALL: authorized INVITEs of this call */
	uint32_t calls;    /* CALL: calls started on this connection */
	char callid[48];
	char to_tag[WSLOAD_TAG_MAX];
	char ruri[WSLOAD_URI_MAX];
	char chal[WSLOAD_CHAL_MAX];
	char accept[WSLOAD_ACCEPT_SIZE];
	struct wsload_slot slots[WSLOAD_MAX_PIPELINE];
	unsigned nslots;
	size_t inlen, outlen, msglen;
	uint8_t in[WSLOAD_CONN_INBUF];
	uint8_t out[WSLOAD_CONN_OUTBUF];
	uint8_t msg[WSLOAD_FRAME_MAX_PAYLOAD];
};

/* REGISTER mode: the last MD5 challenge of a device and the last nonce
 * count sent with it. */
struct wsload_reg_dev {
	uint32_t nc;
	bool registered; /* a 200 was seen */
	char chal[WSLOAD_CHAL_MAX]; /* empty until the first 401 */
};

struct wsload_engine {
	const struct wsload_cfg *cfg;
	int epfd;
	SSL_CTX *ssl_ctx;
	struct wsload_conn *conns; /* n of them */
	size_t n;
	struct wsload_reg_dev *devs; /* REGISTER mode: cfg->ncreds of them */
	enum wsload_phase phase;
	uint64_t now;
	uint64_t next_tick;
	size_t open, pending, outstanding;
	struct wsload_stats stats;
};

void wsload_conn_init(struct wsload_conn *c, struct wsload_engine *e,
                      uint32_t id);
/* Starts a non-blocking connect; on error the caller resets. */
int wsload_conn_connect(struct wsload_conn *c);
/* Handles epoll events; on error the caller resets the connection. */
int wsload_conn_event(struct wsload_conn *c, uint32_t ev);
/* Timeouts and reconnects; on error the caller resets the connection. */
int wsload_conn_tick(struct wsload_conn *c);
/* Queues one masked frame for sending (RFC 6455 5.3). */
int wsload_conn_queue(struct wsload_conn *c, enum wsload_opcode op,
                      const void *p, size_t n);

/* ws_reg_conn.c, REGISTER mode. Starts a round on an open connection: queues
 * a REGISTER for its current device (with Authorization when the nonce is
 * reused) and takes a slot. Returns 0 or an error (reset the connection). */
int wsload_reg_send(struct wsload_conn *c);
/* A final response to slot i: answers a 401 with credentials (same slot,
 * *done false) or ends the round (*done true; the caller counts status,
 * 200 being a registration). Returns 0 or an error. */
int wsload_reg_reply(struct wsload_conn *c, unsigned i, uint16_t status,
                     const uint8_t *p, size_t n, bool *done);

/* ws_call_conn.c, CALL mode. Starts a call on an open connection (INVITE
 * with an offer) and takes a slot. Returns 0 or an error. */
int wsload_call_send(struct wsload_conn *c);
/* A final response to slot i: moves the call on (ACK, authorized INVITE,
 * BYE) with *done false, or ends it (*done true; the caller frees the slot).
 * Counts the call's stats itself. Returns 0 or an error. */
int wsload_call_reply(struct wsload_conn *c, unsigned i, uint16_t status,
                      const uint8_t *p, size_t n, bool *done);

/* Closes the socket and goes idle (failed: count a connection error). */
void wsload_conn_reset(struct wsload_conn *c, bool failed);

#endif
