/* dialog.h: SIP dialogs as a user agent keeps them (RFC 3261 §12) and the
 * requests a UA sends, inside a dialog or not (§8.1.1, §12.2.1.1). */
#ifndef SC_SIP_DIALOG_H
#define SC_SIP_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "sip/msg.h"

#define SIP_MAX_FORWARDS 70 /* §8.1.1.6 */
#define SIP_ROUTES_MAX 1024 /* bytes of a dialog's route set */

/*
 * The parts of a request a UA writes (§8.1.1). Strings are written as
 * given: the caller builds them (name-addrs with their tags, a Via value
 * with its branch). contact, routes, extra, ctype and body may be NULL.
 */
struct sip_req {
	const char *method;
	const char *ruri;
	const char *via;    /* "SIP/2.0/UDP host:port;branch=z9hG4bK..;rport" */
	const char *from;   /* name-addr with ;tag= */
	const char *to;     /* name-addr, ;tag= inside a dialog */
	const char *callid;
	uint32_t cseq;
	const char *contact; /* "<sip:...>" */
	const char *routes;  /* ready "Route: <...>\r\n" lines */
	const char *extra;   /* other ready header lines */
	const char *ctype;
	const struct pl *body;
};

/* Appends the request to mb. Returns 0, EINVAL (a mandatory part missing,
 * CR or LF inside one) or ENOMEM. */
int sip_req_encode(struct mbuf *mb, const struct sip_req *r);

/*
 * One dialog, seen from our side: we send with From = local, To = remote,
 * to the remote target, through the route set (§12.2.1.1).
 */
struct sip_dialog {
	char *callid;
	char *local;  /* name-addr with our tag */
	char *remote; /* name-addr with the peer's tag */
	char *ltag;
	char *rtag;
	char *target; /* remote target URI (the peer's Contact) */
	char *routes; /* "Route: ...\r\n" lines, "" for none */
	uint32_t lseq; /* last CSeq number we used */
	uint32_t rseq; /* last CSeq number received, 0 none */
};

/*
 * The dialog a UAS creates by answering req (an INVITE) with a response
 * carrying ltag (§12.1.1): route set = Record-Route in order, target =
 * Contact, remote = From, local = To with ltag. Returns 0, EBADMSG (no Contact, no From tag),
 * ENOMEM.
 */
int sip_dialog_uas_alloc(struct sip_dialog **dp, const struct sip_msg *req,
                         const char *ltag);

/*
 * The dialog a UAC creates on a 2xx or a 1xx with a To tag (§12.1.2) to
 * the request it sent (callid, from with ltag, its CSeq): route set =
 * Record-Route reversed, target = Contact, remote = the response's To.
 * Returns 0, EBADMSG (no To tag or Contact), ENOMEM.
 */
int sip_dialog_uac_alloc(struct sip_dialog **dp, const char *callid,
                         const char *from, const char *ltag, uint32_t cseq,
                         const struct sip_msg *resp);

/* True when msg (request or response) belongs to d: Call-ID, and the tags
 * of our side and theirs in the right headers. */
bool sip_dialog_match(const struct sip_dialog *d, const struct sip_msg *msg);

/* A target refresh (§12.2: re-INVITE, UPDATE or its 2xx): a new Contact
 * becomes the remote target. Returns 0 (no Contact: unchanged), ENOMEM. */
int sip_dialog_refresh(struct sip_dialog *d, const struct sip_msg *msg);

/*
 * Checks the CSeq of an in-dialog request (§12.2.2): lower than the last
 * one: EPROTO (answer 500); else remembered. ACK and CANCEL are not checked.
 */
int sip_dialog_recv_cseq(struct sip_dialog *d, const struct sip_msg *req);

/*
 * Fills r for a request in d: Request-URI, From, To, Call-ID, routes and
 * the next CSeq (cseq 0: the next one; ACK passes the INVITE's). The
 * strings stay owned by d. Via, Contact, extra and body are the caller's.
 */
void sip_dialog_req(struct sip_dialog *d, struct sip_req *r,
                    const char *method, uint32_t cseq);

/* Copies the first value of the Contact header's URI (without < >) into
 * buf. Returns 0, ENOENT, EOVERFLOW. */
int sip_msg_contact_uri(const struct sip_msg *msg, char *buf, size_t size);

#endif
