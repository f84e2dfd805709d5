/* tsx_int.h: internals shared by the transaction layer's files (RFC 3261 §17).
 */
#ifndef SC_SIP_TSX_INT_H
#define SC_SIP_TSX_INT_H

#include "sip/tsx.h"

struct sip_tsx_layer {
	struct tmrl *tl;
	struct hash *stxh; /* server transactions by branch */
	struct hash *ctxh; /* client transactions by branch */
	size_t nstx;
	size_t nctx;
	size_t max; /* of each */
	sip_tsx_send_h *sendh;
	sip_tsx_via_h *viah;
	void *arg;
	uint32_t t1;
	uint32_t t2;
	uint32_t t4;
};

/* A transaction's matching key (§17.1.3, §17.2.3), copied into one buffer.
 * Client transactions leave host empty and port 0. */
struct tsx_key {
	char *buf;
	uint32_t hash; /* of the branch: the table key, compared first */
	struct pl branch;
	struct pl host;
	uint16_t port;
	struct pl method;
};

/* What an incoming message is matched with (views into it). host NULL:
 * client side, no sent-by. */
struct tsx_match {
	const struct pl *branch;
	const struct pl *host;
	uint16_t port;
	const struct pl *method;
	uint32_t hash;
};

int tsx_key_set(struct tsx_key *key, const struct pl *branch,
		const struct pl *host, uint16_t port, const struct pl *method);
void tsx_key_reset(struct tsx_key *key);
void tsx_match_init(struct tsx_match *m, const struct pl *branch,
		    const struct pl *host, uint16_t port,
		    const struct pl *method);
bool tsx_key_match(const struct tsx_key *key, const struct tsx_match *m);
bool tsx_branch_rfc3261(const struct pl *branch);

/* Sends mb's bytes (pos to end) to dest through the layer's handler. */
int tsx_send(const struct sip_tsx_layer *layer, void *dest,
	     const struct mbuf *mb);
/* Copies data into *mbp (allocated or reset). */
int tsx_copy(struct mbuf **mbp, const uint8_t *data, size_t len);

/* Terminate one transaction: no callback, nothing sent; drops the layer's
 * reference (the caller holds its own if it still touches the object). */
void tsx_stx_terminate(struct sip_stx *stx);
void tsx_ctx_terminate(struct sip_ctx *ctx);

/*
 * Builders (tsx_build.c).
 */

/* A response to req with no body, made by the layer itself: 100 Trying
 * (§8.2.6.1, no To tag) or a stateless error (a To tag is added, §8.2.6.2). */
int tsx_build_reply(struct mbuf **mbp, const struct sip_msg *req,
		    uint16_t scode, const char *reason, const char *via_params);
/* The same with the Via parameters the layer's sip_tsx_via_h gives. */
int tsx_reply_for(struct mbuf **mbp, const struct sip_tsx_layer *layer,
		  void *dest, const struct sip_msg *req, uint16_t scode,
		  const char *reason);

/* What an INVITE client transaction keeps to build its ACK and CANCEL. */
struct tsx_parts {
	struct mbuf *ruri; /* Request-URI */
	struct mbuf *to;   /* To header value of the request */
	struct mbuf
	    *hdrs; /* "Via: top\r\nFrom: ..\r\nCall-ID: ..\r\n" + Routes */
	uint32_t cseq;
};

int tsx_parts_alloc(struct tsx_parts **partsp, const struct sip_msg *req);

/* ACK for a non-2xx final (§17.1.1.3: To from the response) or CANCEL
 * (§9.1: to NULL, the request's To; reason: a Reason value, RFC 3326,
 * or NULL). */
int tsx_build_ack(struct mbuf **mbp, const struct tsx_parts *parts,
		  const struct sip_msg *resp);
int tsx_build_cancel(struct mbuf **mbp, const struct tsx_parts *parts,
		     const char *reason);

#endif
