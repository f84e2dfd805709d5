/* tsx.h: SIP client and server transactions (RFC 3261 §17, RFC 6026). */
#ifndef SC_SIP_TSX_H
#define SC_SIP_TSX_H

#include "core/core.h"
#include "sip/msg.h"

/*
 * Timer values (RFC 3261 §17.1.1.1, Table 4), in milliseconds. They are the
 * defaults of every layer; sip_tsx_layer_set_timers() changes them (tests).
 * The other timers derive from them:
 *   A = T1 doubling (INVITE, unreliable only)   B = F = H = L = M = 64*T1
 *   E = G = T1 doubling, capped at T2           D = 32 s (0 on reliable)
 *   I = K = T4 (0 on reliable)                  J = 64*T1 (0 on reliable)
 */
#define SIP_TSX_T1 500u
#define SIP_TSX_T2 4000u
#define SIP_TSX_T4 5000u
#define SIP_TSX_TD 32000u   /* Timer D: "> 32 s" for unreliable transports */
#define SIP_TSX_TRYING 200u /* §17.2.1: auto 100 Trying after 200 ms */

/* Buckets of each of the two hash tables (server, client); a power of two
 * sized so that tens of thousands of transactions stay a few per bucket. */
#define SIP_TSX_HASH_BUCKETS 16384u
/* Default cap on live server transactions, and on client ones: a flood of
 * new branches is refused (EOVERFLOW) instead of exhausting memory. */
#define SIP_TSX_COUNT_MAX 65536u
/* Longest branch, sent-by host or method a transaction keeps (bytes). */
#define SIP_TSX_KEY_MAX 256u
/* Room for ";received=<IPv6>;rport=65535" and the NUL. */
#define SIP_TSX_VIA_PARAMS_MAX 96
/* Longest request or response the layer keeps a copy of. */
#define SIP_TSX_MSG_MAX SIP_MSG_MAX
/* RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this. */
#define SIP_TSX_COOKIE "z9hG4bK"

/*
 * Sends one message. dest is the transport's opaque, mem_ref-counted flow
 * object given to sip_ctx_send() or sip_tsx_recv_request(); the layer keeps
 * a reference to it as long as the transaction lives. For a server
 * transaction dest is the path its responses take (§18.2.2: the connection
 * the request came on; for UDP the source address and rport, or the Via
 * sent-by port): the layer sends requests and responses alike through it.
 * Returns 0 or an errno value; an error is a transport failure (§17.1.4,
 * §17.2.4). It must not call back into the layer.
 *
 * Wiring with sip/transp.h: dest is a struct sip_flow, sendh calls
 * sip_flow_send(), the optional sip_tsx_via_h calls sip_flow_via_params().
 */
typedef int(sip_tsx_send_h)(void *dest, const uint8_t *data, size_t len,
			    void *arg);

/*
 * Optional: writes into buf (NUL-terminated, size SIP_TSX_VIA_PARAMS_MAX)
 * the parameters to append to the top Via of the responses the layer makes
 * itself (100 Trying, stateless 400) for req received over dest, as the
 * transport's sip_flow_via_params() does (RFC 3261 §18.2.1, RFC 3581 §4).
 * Returns 0 or an errno value (then nothing is added).
 */
typedef int(sip_tsx_via_h)(void *dest, const struct sip_msg *req, char *buf,
			   size_t size, void *arg);

struct sip_tsx_layer;
struct sip_stx; /* server transaction */
struct sip_ctx; /* client transaction */

/*
 * Allocates a transaction layer on the timer list tl (which must outlive
 * it); every message goes out through sendh(dest, data, len, arg).
 * *layerp gets the only reference. Returns 0, EINVAL or ENOMEM.
 */
int sip_tsx_layer_alloc(struct sip_tsx_layer **layerp, struct tmrl *tl,
			sip_tsx_send_h *sendh, void *arg);

/* Sets the cap on live server (and, separately, client) transactions.
 * Returns 0 or EINVAL (0). */
int sip_tsx_layer_set_max(struct sip_tsx_layer *layer, size_t max);

/* Sets (or clears, NULL) the Via parameter hook; it gets the layer's arg. */
void sip_tsx_layer_set_viah(struct sip_tsx_layer *layer, sip_tsx_via_h *viah);

/* Changes T1, T2 and T4 (ms, 0 < T1 <= T2, T4 > 0) for every timer started
 * from now on (Timer D stays SIP_TSX_TD). Returns 0 or EINVAL. */
int sip_tsx_layer_set_timers(struct sip_tsx_layer *layer, uint32_t t1,
			     uint32_t t2, uint32_t t4);

/*
 * Terminates every transaction now: timers stop, nothing is sent and no
 * callback runs. References the TU still holds stay valid (the objects are
 * in the Terminated state). The caller still mem_deref()s the layer.
 */
void sip_tsx_layer_close(struct sip_tsx_layer *layer);

/* Live transactions (server, client) in the layer. */
size_t sip_tsx_layer_count(const struct sip_tsx_layer *layer, bool server);

/*
 * Server side.
 *
 * What sip_tsx_recv_request() did with a request:
 */
enum sip_tsx_recv {
	/* A new server transaction: in->stx, which the TU answers with
	 * sip_stx_reply(). */
	SIP_TSX_NEW = 0,
	/* A retransmission of a request whose transaction exists (the last
	 * response, if any, was sent again: §17.2.1, §17.2.2), or an ACK to a
	 * non-2xx final (§17.2.1): nothing for the TU to do. */
	SIP_TSX_ABSORBED,
	/* A CANCEL (§9.2): in->stx is its own new server transaction (the TU
	 * answers it 200, or 481 when in->invite is NULL); in->invite is the
	 * INVITE server transaction it matches, which the TU answers 487 if
	 * sip_stx_scode(in->invite) < 200. */
	SIP_TSX_CANCEL,
	/* An ACK for the TU: the ACK to a 2xx (§13.3.1.4), which has its own
	 * branch and so matches no transaction (in->stx NULL), or one that
	 * matches an INVITE server transaction in the Accepted state (RFC 6026
	 * §7.1: passed to the TU; in->stx is that transaction). */
	SIP_TSX_ACK,
};

struct sip_tsx_in {
	enum sip_tsx_recv what;
	struct sip_stx *stx;    /* a new reference for the TU, or NULL */
	struct sip_stx *invite; /* SIP_TSX_CANCEL: a new reference or NULL */
};

/*
 * Feeds one decoded incoming request (msg views must be valid during the
 * call only; the layer copies what it keeps) that arrived over dest
 * (mem_ref'd if a transaction is created). reliable: TCP, TLS or WS (no
 * retransmissions, Timers I and J are 0).
 *
 * Matching is RFC 3261 §17.2.3: top Via branch + sent-by + method (ACK and
 * CANCEL match INVITE). A request whose branch lacks the magic cookie (an
 * RFC 2543 element; RFC 4475 §3.4.1 and §3.2.1 call such requests valid)
 * is matched by the §17.2.3 fallback fields instead (Request-URI, From tag,
 * Call-ID, CSeq number, top Via), folded into a digest that takes the
 * branch's place in the same table: one lookup path for both.
 *
 * The references in *in belong to the caller, who mem_deref()s them.
 * Returns 0 (see in->what), EINVAL, EBADMSG (not a request, or one that
 * cannot be answered: sip_msg_can_reply() false), EOVERFLOW (branch, host or
 * method over SIP_TSX_KEY_MAX, or the cap on server transactions reached:
 * answer 503 statelessly) or ENOMEM; a failure to send a retransmitted
 * response is not an error here (it goes to the transaction's errh).
 */
int sip_tsx_recv_request(struct sip_tsx_layer *layer, const struct sip_msg *msg,
			 void *dest, bool reliable, struct sip_tsx_in *in);

/* Failure of a server transaction reported after the fact: ETIMEDOUT when
 * Timer H fires with no ACK (§17.2.1), or the transport's error when a
 * retransmission of the response cannot be sent (§17.2.4). The transaction
 * is Terminated when this runs. */
typedef void(sip_stx_err_h)(int err, void *arg);

/* Sets the failure handler of stx (NULL to clear). */
void sip_stx_set_errh(struct sip_stx *stx, sip_stx_err_h *errh, void *arg);

/*
 * Sends the encoded response data (status scode) of stx; the layer keeps a
 * copy to answer retransmissions. A 1xx keeps the transaction proceeding; a
 * final moves it to Completed (3xx-6xx: Timer G retransmits on unreliable
 * transports until the ACK) or, for a 2xx to INVITE, to Accepted (RFC 6026:
 * the TU may pass 2xx retransmissions through here). The 100 Trying the
 * layer sends on its own at 200 ms needs nothing from the TU.
 * Returns 0, EINVAL, EOVERFLOW (len > SIP_TSX_MSG_MAX), EPROTO (the
 * transaction cannot take this response: terminated, final already sent),
 * ENOMEM, or the transport's error (then the transaction is Terminated).
 */
int sip_stx_reply(struct sip_stx *stx, uint16_t scode, const uint8_t *data,
		  size_t len);

/*
 * The UAS core's duty for a 2xx to INVITE (RFC 3261 §13.3.1.4), taken on
 * by the transaction that holds the response's copy and the timers (it
 * stays the TU's choice, RFC 6026 §7.1): on an unreliable transport the
 * 2xx is sent again at T1, doubling up to T2, until sip_stx_acked(); if
 * Timer L (64*T1) ends the transaction first, on any transport, the errh
 * gets ETIMEDOUT and the TU should end the session with a BYE.
 * Returns 0, EINVAL, or EPROTO (no 2xx sent to an INVITE, or already
 * waiting).
 */
int sip_stx_await_ack(struct sip_stx *stx);

/* The ACK of stx's 2xx arrived (matched by the TU on its dialog): the
 * retransmissions stop and Timer L ends the transaction quietly. */
void sip_stx_acked(struct sip_stx *stx);

/* Last status sent by stx (0 for none yet). */
uint16_t sip_stx_scode(const struct sip_stx *stx);

/* True until stx reached the Terminated state. */
bool sip_stx_alive(const struct sip_stx *stx);

/*
 * Client side.
 *
 * Receives every response to a client transaction. err is 0 for a real
 * response (msg, valid during the call only); ETIMEDOUT with scode 408 and
 * msg NULL when Timer B or F fires (§17.1.1.2, §17.1.2.2, §8.1.3.1); the
 * transport's error with scode 503 and msg NULL when sending fails
 * (§17.1.4, §8.1.3.1). After a final (or synthetic) response the transaction
 * delivers nothing more, except further 2xx to an INVITE (RFC 6026 Accepted
 * state: retransmissions and forked 2xx, which the TU must ACK).
 */
typedef void(sip_ctx_resp_h)(int err, uint16_t scode, const struct sip_msg *msg,
			     void *arg);

/*
 * Starts a client transaction for the request data (encoded) whose decoded
 * view is req (valid during the call only; the layer copies what it needs
 * for ACK and CANCEL), and sends it to dest (mem_ref'd). The top Via must
 * carry a branch with the magic cookie; ACK is not sent through a
 * transaction (EINVAL). If ctxp is not NULL, *ctxp gets a reference for the
 * caller. Returns 0, EINVAL, EBADMSG (an INVITE lacking what ACK and CANCEL
 * copy), EEXIST (a live client transaction has this branch and method),
 * EOVERFLOW (len, branch over SIP_TSX_KEY_MAX, or the cap on client
 * transactions reached), ENOMEM. A transport
 * error on the first send is reported as a synthetic 503 through resph
 * (before this returns 0).
 */
int sip_ctx_send(struct sip_ctx **ctxp, struct sip_tsx_layer *layer,
		 const struct sip_msg *req, const uint8_t *data, size_t len,
		 void *dest, bool reliable, sip_ctx_resp_h *resph, void *arg);

/*
 * Feeds one decoded incoming response. Matching is §17.1.3: top Via branch
 * and CSeq method. Returns 0, EINVAL, or ENOENT for a response that matches
 * no client transaction (stray: the caller drops it, §18.1.2).
 */
int sip_tsx_recv_response(struct sip_tsx_layer *layer,
			  const struct sip_msg *msg);

/*
 * Cancels a pending INVITE (§9.1): sends a CANCEL in its own non-INVITE
 * client transaction, at once if a provisional response arrived, else as
 * soon as one does. The INVITE then gets its final response (487) as usual;
 * if none comes within 64*T1 of the CANCEL, resph gets a synthetic 408.
 * Returns 0 (also when already cancelling), EINVAL (not an INVITE), EPROTO
 * (a final response arrived or the transaction ended), EOVERFLOW (the cap on
 * client transactions) or ENOMEM. When sending is deferred to the 1xx, a
 * failure then is only logged (the INVITE still ends by its final or B).
 */
int sip_ctx_cancel(struct sip_ctx *ctx);

/* As sip_ctx_cancel() with a Reason header (RFC 3326) in the CANCEL, e.g.
 * SIP;cause=200;text="Call completed elsewhere" (RFC 3326 §2, used by
 * forking UAs). reason NULL: none. ENOMEM besides. */
int sip_ctx_cancel_reason(struct sip_ctx *ctx, const char *reason);

/*
 * The transport to dest failed (a connection refused, reset or timed out,
 * RFC 3261 §17.1.4): every client transaction sent to dest that heard
 * nothing yet ends with err and a synthetic 503 through its resph, at once
 * rather than at Timer B or F, so that the TU can try the next address
 * (RFC 3263 §4.3). Transactions that got a response keep waiting for their
 * final (it may come on a new connection, §18.2.2).
 */
void sip_tsx_dest_failed(struct sip_tsx_layer *layer, const void *dest,
			 int err);

/*
 * As sip_tsx_dest_failed() for every dest that matchh(dest, arg) accepts:
 * for transports where one failure names an address rather than a flow
 * object (UDP: an ICMP error, §18.4, names the destination address and
 * port; the transaction's dest may be any flow toward it).
 */
typedef bool(sip_tsx_dest_match_h)(const void *dest, void *arg);
void sip_tsx_dests_failed(struct sip_tsx_layer *layer,
			  sip_tsx_dest_match_h *matchh, void *arg, int err);

/* Terminates ctx now without sending anything or calling resph again. */
void sip_ctx_close(struct sip_ctx *ctx);

/* True until ctx reached the Terminated state. */
bool sip_ctx_alive(const struct sip_ctx *ctx);

#endif
