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
	char tag[11];
	char accept[WSLOAD_ACCEPT_SIZE];
	struct wsload_slot slots[WSLOAD_MAX_PIPELINE];
	unsigned nslots;
	size_t inlen, outlen, msglen;
	uint8_t in[WSLOAD_CONN_INBUF];
	uint8_t out[WSLOAD_CONN_OUTBUF];
	uint8_t msg[WSLOAD_FRAME_MAX_PAYLOAD];
};

struct wsload_engine {
	const struct wsload_cfg *cfg;
	int epfd;
	SSL_CTX *ssl_ctx;
	struct wsload_conn *conns; /* n of them */
	size_t n;
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
/* Closes the socket and goes idle (failed: count a connection error). */
void wsload_conn_reset(struct wsload_conn *c, bool failed);

#endif
