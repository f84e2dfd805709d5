/* call.h: the B2BUA (internal to src/gw/). A call is two or more legs,
 * each its own SIP dialog with its own Call-ID, tags, CSeq, Via and
 * Contact, tied by one media session (media.h). Nothing of one leg's
 * headers is copied to another except an allow-list (From/To user and
 * display name, Reason, Subject, ...): everything else is rebuilt. */
#ifndef SC_GW_CALL_H
#define SC_GW_CALL_H

#include "gw/server.h"
#include "media/media.h"
#include "sip/dialog.h"

#define GW_CALLID_LEN 24   /* random Call-IDs of our legs */
#define GW_BRANCH_LEN 24   /* random part of our Via branches */
#define GW_URI_MAX 512     /* a URI or name-addr we build */
#define GW_CALL_FORKS_MAX 16 /* contacts rung in parallel */
#define GW_CALL_HASH_BUCKETS 1024u
#define GW_REFER_MAX 4       /* REFERs of one call whose NOTIFYs map */
#define GW_XFER_TOKENS_MAX 2 /* opaque Replaces handed out per call */
#define GW_XFER_TOKEN_MS (64 * 1000) /* a token's life: 64*T1 */
#define GW_XFER_REPLACES_MAX 512 /* the PBX's Replaces value we keep */
#define GW_CALL_RING_MS (120 * 1000) /* unanswered: 480 to the caller */
#define GW_CALL_GRACE_MS 5000  /* device flow gone in a call: then BYE */
#define GW_SESSION_EXPIRES 1800 /* s, RFC 4028 toward the PBX */
#define GW_MIN_SE 90            /* RFC 4028 §4 minimum */
#define GW_SE_MAX 86400         /* s, the largest Min-SE a 422 may ask */
#define GW_GLARE_RETRIES 2   /* a relayed offer sent again after 491 */
#define GW_GLARE_OWNER_MIN_MS 2100 /* RFC 3261 §14.1: we own the Call-ID */
#define GW_GLARE_OWNER_SPAN_MS 1900
#define GW_GLARE_OTHER_SPAN_MS 2000 /* the peer owns it: 0..2 s */
#define GW_ACK_WAIT_MS (64 * SIP_TSX_T1) /* §13.3.1.4: the ACK */
#define GW_CALL_REASON_ELSEWHERE \
	"SIP;cause=200;text=\"Call completed elsewhere\""

/* What a call leg allows (RFC 3261 §20.5): the methods relayed. */
#define GW_ALLOW_CALLS \
	"INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, MESSAGE, REFER, NOTIFY"

/* A received request kept past its receive callback: its bytes and the
 * decoded view into them. */
struct gw_msgcopy {
	char *buf;
	struct sip_msg msg;
};

int gw_msgcopy_alloc(struct gw_msgcopy **cp, const struct sip_msg *msg);

enum gw_leg_kind {
	GW_LEG_DEVICE, /* a browser (WSS flow), media WEBRTC */
	GW_LEG_PBX,    /* a connection to a PBX */
	GW_LEG_ECHO,   /* the echo service: no SIP peer */
};

enum gw_call_state {
	GW_CALL_TRYING,    /* INVITE relayed, no answer yet */
	GW_CALL_EARLY,     /* a 18x came back */
	GW_CALL_CONFIRMED, /* 2xx sent to the caller */
	GW_CALL_ENDED,     /* BYE/CANCEL done; waiting for nothing */
};

struct gw_call;

/* One SIP leg. The caller's leg (a) is a UAS leg: we answer its INVITE;
 * every callee leg is a UAC leg: we sent it an INVITE. */
struct gw_leg {
	struct le le;      /* in call->forks (callee legs) */
	struct le hle;     /* in the server's Call-ID table */
	struct le fle;     /* device legs: in the table by flow */
	struct gw_call *call;    /* NULL once the call ended */
	struct gw_calls *calls;
	enum gw_leg_kind kind;
	bool uas;
	struct sip_flow *flow;   /* where this leg's requests go */
	struct sip_dialog *dlg;  /* once established (early or confirmed) */
	char *callid;            /* this leg's Call-ID */
	char *ltag;              /* our tag on this leg */
	struct sip_stx *stx;     /* uas: the INVITE we answer */
	/* the last INVITE (or re-INVITE) we answered with a 2xx until its
	 * ACK: resent on UDP, no ACK ends the call (§13.3.1.4) */
	struct sip_stx *ack_stx;
	uint32_t ack_cseq;
	struct gw_msgcopy *inv;  /* uas: that INVITE */
	struct sip_ctx *ctx;     /* uac: the INVITE we sent */
	char *from;              /* uac: the From we sent (with tag) */
	char *to;                /* uac: the To we sent */
	char *ruri;              /* uac: the Request-URI we sent */
	uint32_t cseq;           /* uac: the INVITE's CSeq */
	struct mbuf *offer;      /* uac: the SDP offer sent (for auth retry) */
	const void *conn;        /* GW_LEG_PBX: its struct gw_conn */
	char user[STORE_NAME_MAX + 1]; /* the user of this leg ("" none) */
	char *replaces;          /* uac: the Replaces the INVITE carries */
	uint32_t se, min_se;     /* uac toward a PBX: after a 422, RFC 4028 */
	bool auth_tried;         /* uac: one 401/407 answered already */
	bool se_retried;         /* uac: one 422 answered already */
	bool canceled;
};

/* A request relayed inside a dialog (re-INVITE, UPDATE, INFO, ...):
 * the incoming server transaction waiting for the other leg's answer. */
struct gw_relay {
	struct gw_leg *from;     /* where the request came from */
	struct gw_msgcopy *req;  /* that request */
	struct sip_stx *stx;     /* its server transaction */
	struct sip_ctx *ctx;     /* the request sent on the other leg */
	struct gw_leg *to;       /* that leg */
	struct mbuf *sdp;        /* the offer sent there (again after 491) */
	unsigned retries;        /* 491s answered by sending it again */
	bool offer;              /* it carried an SDP offer */
};

/* A REFER relayed: the referee's NOTIFYs carry the CSeq of the REFER it
 * got as their Event id (RFC 3515 §2.4.6), which the transferor must see
 * as the CSeq of the REFER it sent. */
struct gw_refer_id {
	const struct gw_leg *to; /* the referee's leg (compared only) */
	uint32_t out;            /* the relayed REFER's CSeq on `to` */
	uint32_t in;             /* the transferor's REFER's CSeq */
};

/*
 * A PBX's attended transfer naming a dialog of its own that does not go
 * through the gateway (call_refer.c): the device gets a gateway-made
 * token in its Replaces instead of the PBX's Call-ID and tags; its INVITE
 * with that token goes to the PBX with the original value. One use.
 */
struct gw_xfer_token {
	char id[GW_TAG_LEN];                     /* "" when free */
	char replaces[GW_XFER_REPLACES_MAX];     /* the PBX's, unescaped */
	char user[STORE_NAME_MAX + 1];           /* the referee's user */
	const void *conn;                        /* the PBX's gw_conn */
	uint64_t expires_ms;
};

struct gw_call {
	struct le le;              /* in calls->all */
	struct gw_calls *calls;
	enum gw_call_state state;
	struct gw_leg *a;          /* the caller's leg */
	struct gw_leg *b;          /* the callee leg that answered */
	struct list forks;         /* callee legs (struct gw_leg) */
	struct media_session *ms;
	struct tmr ring;           /* GW_CALL_RING_MS without an answer */
	struct tmr grace;          /* a leg's flow closed mid-call */
	struct tmr refresh;        /* RFC 4028 refresh toward the PBX */
	struct tmr glare;          /* §14.1: the relayed offer again after 491 */
	struct tmr ack;            /* GW_ACK_WAIT_MS for reoffer's ACK */
	/* a leg whose re-INVITE without SDP got our offer in a 2xx: its ACK
	 * (of that CSeq) carries the answer (RFC 3264 §5, call_reoffer.c) */
	struct gw_leg *reoffer;
	uint32_t reoffer_cseq;
	uint32_t session_expires;  /* s, when we refresh */
	struct gw_relay relay;     /* one relayed request at a time */
	/* the last GW_REFER_MAX REFERs relayed (call_refer.c) */
	struct gw_refer_id refers[GW_REFER_MAX];
	unsigned refer_next;       /* the slot the next one takes */
	struct gw_xfer_token *xfer[GW_XFER_TOKENS_MAX]; /* or NULL */
	bool late_offer;           /* the caller's INVITE had no SDP: our
				    * 2xx carries an offer, its ACK the
				    * answer (RFC 3261 §13.2.1) */
	char number[64];           /* what was dialled */
	uint64_t started_ms;
};

struct gw_calls {
	struct gw_server *srv;
	struct hash *legs;  /* by Call-ID: struct gw_leg */
	struct hash *flows; /* device legs by their flow (gw_call_flow_closed) */
	struct list all;    /* struct gw_call */
	struct mbuf *mb;    /* encoding scratch */
	struct sip_msg *msg; /* decoding scratch (what we send) */
};

/* call.c */
int gw_calls_alloc(struct gw_calls **csp, struct gw_server *srv);
void gw_calls_close(struct gw_calls *cs); /* ends every call (BYE/CANCEL) */
size_t gw_calls_count(const struct gw_calls *cs);
int gw_call_alloc(struct gw_call **callp, struct gw_calls *cs);
int gw_leg_alloc(struct gw_leg **legp, struct gw_call *call,
                 enum gw_leg_kind kind, bool uas, struct sip_flow *flow,
                 const struct pl *callid);
struct gw_leg *gw_calls_find(const struct gw_calls *cs,
                             const struct sip_msg *msg);
void gw_call_end(struct gw_call *call, const char *why);
void gw_call_flow_closed(struct gw_calls *cs, const struct sip_flow *flow);
void gw_leg_flow_move(struct gw_leg *leg, struct sip_flow *flow);

/* call_send.c: what we send on a leg */
/* The answer handler of a request whose answer changes nothing (BYE after
 * the call ended, DTMF INFO): final failures are logged, nothing kept. */
/* The 2xx stx just sent for the INVITE of CSeq cseq waits for its ACK
 * (RFC 3261 §13.3.1.4: resent over UDP; none within 64*T1 ends the
 * call); gw_leg_acked() is told of every ACK on the leg. */
void gw_leg_await_ack(struct gw_leg *leg, struct sip_stx *stx,
                      uint32_t cseq);
void gw_leg_acked(struct gw_leg *leg, const struct sip_msg *ack);
void gw_leg_resp_ignore(int err, uint16_t scode, const struct sip_msg *msg,
                        void *arg);
/* snprintf that says EOVERFLOW when the text did not fit. */
int gw_fmt(char *buf, size_t size, const char *fmt, ...) SC_PRINTF(3, 4);
int gw_leg_via(struct gw_leg *leg, char *buf, size_t size);
int gw_leg_contact(struct gw_leg *leg, char *buf, size_t size);
int gw_leg_send_req(struct gw_leg *leg, const char *method, uint32_t cseq,
                    const char *extra, const struct mbuf *sdp,
                    struct sip_ctx **ctxp, sip_ctx_resp_h *resph, void *arg);
int gw_leg_reply(struct gw_leg *leg, struct sip_stx *stx,
                 const struct sip_msg *req, uint16_t scode,
                 const char *reason, const char *extra,
                 const struct mbuf *sdp);
int gw_leg_send(struct gw_leg *leg, const char *method, uint32_t cseq,
                const char *extra, const char *ctype, const struct pl *body,
                struct sip_ctx **ctxp, sip_ctx_resp_h *resph, void *arg);
int gw_leg_reply_body(struct gw_leg *leg, struct sip_stx *stx,
                      const struct sip_msg *req, uint16_t scode,
                      const char *reason, const char *extra,
                      const char *ctype, const struct pl *body);
int gw_leg_ack(struct gw_leg *leg, uint32_t cseq);

/* call_in.c: a new INVITE, and what other out-of-dialog requests share */
void gw_refuse(struct gw_server *srv, struct sip_flow *rf, struct sip_stx *stx,
               const struct sip_msg *msg, uint16_t scode, const char *reason,
               const char *extra);
bool gw_call_auth_device(struct gw_server *srv, struct sip_flow *flow,
                         struct sip_flow *rf, struct sip_stx *stx,
                         const struct sip_msg *msg, struct store_device *dev);
bool gw_local_user(struct gw_server *srv, const char *number, char *user,
                   size_t size);
void gw_call_invite(struct gw_server *srv, struct sip_flow *flow,
                    struct sip_flow *rf, struct sip_stx *stx,
                    const struct sip_msg *msg);
void gw_call_cancel(struct gw_server *srv, struct sip_stx *invite);

/* call_out.c: ringing the callee legs */
int gw_call_ring_pbx(struct gw_call *call, const void *conn,
                     const struct mbuf *sdp, const char *from_user);
int gw_call_ring_user(struct gw_call *call, const char *user,
                      const struct mbuf *sdp, const struct sip_msg *inv);
int gw_call_ring_replacing(struct gw_call *call, const struct gw_leg *old,
                           const struct mbuf *sdp);
/* The PBX on conn with INVITE carrying "Replaces: <replaces>" (a dialog
 * of the PBX's own, RFC 3891), to the number the call dialled. */
int gw_call_ring_pbx_replaces(struct gw_call *call, const void *conn,
                              const struct mbuf *sdp, const char *from_user,
                              const char *replaces);
void gw_call_fail(struct gw_call *call, uint16_t scode, const char *reason,
                  const char *extra);
/* A 2xx to an INVITE that matched no transaction: ours was closed on the
 * first 2xx, so a retransmission means our ACK was lost (§13.2.2.4). */
void gw_call_stray_2xx(struct gw_calls *cs, const struct sip_msg *msg);

/* call_refer.c: the headers that cross legs; REFER both ways */
int gw_cross_hdrs(char *buf, size_t size, const struct sip_msg *msg,
                  uint32_t refer_id);
/* A REFER went to `to` with CSeq out, from one the transferor sent with
 * CSeq in: remembered (the oldest of GW_REFER_MAX is forgotten). */
void gw_refer_sent(struct gw_call *call, const struct gw_leg *to,
                   uint32_t out, uint32_t in);
/* The Event id (RFC 3515 §2.4.6) a NOTIFY from leg `from` must carry on
 * the other leg: the transferor's CSeq of the REFER whose relayed copy
 * the NOTIFY's id names (no id: the last REFER sent to `from`), or 0
 * when none is known (not a refer NOTIFY: headers cross as they are). */
uint32_t gw_refer_id_in(const struct gw_call *call, const struct gw_leg *from,
                        const struct sip_msg *notify);
int gw_refer_to(struct gw_call *call, const struct gw_leg *from,
                const struct gw_leg *to, const struct sip_msg *msg,
                char *hdr, size_t size);
/* The token a device's INVITE carries as Replaces Call-ID (and to-tag):
 * its PBX connection and the PBX's Replaces value (copied into buf), when
 * it is live and was given to `user`; the token is used up. Returns 0,
 * ENOENT or EOVERFLOW. */
int gw_xfer_token_take(struct gw_calls *cs, const struct pl *id,
                       const char *user, const void **connp, char *buf,
                       size_t size);
int gw_replaces_parse(const struct pl *val, struct pl *callid,
                      struct pl *totag, struct pl *fromtag);
struct gw_leg *gw_replaces_leg(struct gw_calls *cs, const struct pl *callid,
                               const struct pl *totag);

/* call_timer.c: session timers toward the PBX (RFC 4028) */
int gw_timer_invite_hdrs(char *buf, size_t size, uint32_t se,
                         uint32_t min_se);
int gw_timer_min_se(const struct sip_msg *resp, uint32_t *min_se);
void gw_timer_start(struct gw_call *call, const struct sip_msg *resp);

/* message.c: MESSAGE outside dialogs (RFC 3428) */
void gw_message(struct gw_server *srv, struct sip_flow *flow,
                struct sip_flow *rf, struct sip_stx *stx,
                const struct sip_msg *msg);

/* call_dtmf.c: DTMF between SIP INFO and RFC 4733 */
void gw_call_dtmf_info(struct gw_call *call, enum media_leg_id from,
                       const char *key);
bool gw_call_dtmf_to_rtp(struct gw_call *call, struct gw_leg *leg,
                         struct sip_stx *stx, const struct sip_msg *msg);

/* call_reoffer.c: a re-INVITE without an offer (RFC 3261 §14.1) */
void gw_call_reoffer(struct gw_call *call, struct gw_leg *leg,
                     struct sip_stx *stx, const struct sip_msg *msg);
/* The ACK of leg: true when it answered our offer (the call may have
 * ended: no usable answer). */
bool gw_call_reoffer_ack(struct gw_call *call, struct gw_leg *leg,
                         const struct sip_msg *ack);

/* call_dlg.c: requests inside a dialog; true when handled */
/* How long to wait before a request answered 491 on leg goes again (RFC
 * 3261 §14.1): 2.1..4 s when we chose its Call-ID, else 0..2 s. */
uint32_t gw_glare_wait_ms(const struct gw_leg *leg);
bool gw_call_in_dialog(struct gw_server *srv, struct sip_flow *rf,
                       struct sip_stx *stx, const struct sip_msg *msg);

#endif
