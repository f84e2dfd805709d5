/* ws_call_conn.c: wsload's calls on one connection, a closed loop of:
 * INVITE with a WebRTC offer, 401, ACK (RFC 3261 17.1.1.3), INVITE with
 * Authorization (22.2), 200, ACK (13.2.2.4), BYE (15.1.1), 200. The setup
 * latency is from the first INVITE sent to its 200 received. */
#include <errno.h>
#include <stdio.h>

#include "ws_conn.h"

#define CALL_MAX_AUTH 1u   /* authorized INVITEs per call */
#define CALL_UFRAG_SIZE 9u /* 8 ice-chars, like Chrome's 4 and more */
#define CALL_PWD_SIZE 25u  /* 24 ice-chars (RFC 8445 5.3: at least 22) */

enum call_st {
	CALL_INVITE = 0, /* slot waits for the INVITE's final response */
	CALL_BYE,        /* slot waits for the BYE's */
};

static const struct wsload_cred *call_cred(const struct wsload_conn *c)
{
	const struct wsload_engine *e = c->eng;

	return &e->cfg->creds[c->id % e->cfg->ncreds];
}

/* Queues one request of the current call; INVITE gets a fresh offer. */
static int call_queue(struct wsload_conn *c, const struct wsload_call_req *in)
{
	const struct wsload_cfg *cfg = c->eng->cfg;
	char sip[WSLOAD_CALL_SIP_MAX], sdp[WSLOAD_SDP_MAX];
	char ufrag[CALL_UFRAG_SIZE], pwd[CALL_PWD_SIZE];
	struct wsload_call_req r = *in, *req = &r;
	size_t len;
	int err = 0;

	req->domain = cfg->domain;
	req->user = call_cred(c)->user;
	req->target = cfg->target;
	req->callid = c->callid;
	req->tag = c->tag;
	req->conn_id = c->id;
	if (req->method == WSLOAD_CALL_INVITE) {
		struct wsload_sdp_req sr = {
		    .sess_id = ((uint64_t)c->id << 32) | c->calls,
		    .ufrag = ufrag,
		    .pwd = pwd,
		    .ssrc = c->id * 7919u + c->calls,
		    .port = (uint16_t)(50000u + c->id % 10000u),
		};

		rand_token(ufrag, sizeof(ufrag));
		rand_token(pwd, sizeof(pwd));
		err = wsload_sdp_offer(sdp, sizeof(sdp), &len, &sr);
		req->sdp = sdp;
	}
	if (!err)
		err = wsload_sip_call(sip, sizeof(sip), &len, req);
	if (!err)
		err = wsload_conn_queue(c, WSLOAD_OP_TEXT, sip, len);
	return err;
}

int wsload_call_send(struct wsload_conn *c)
{
	struct wsload_engine *e = c->eng;
	struct wsload_slot *s = &c->slots[c->nslots];
	struct wsload_call_req req = {.method = WSLOAD_CALL_INVITE};
	int err;

	/* A new dialog per call: Call-ID, From tag (RFC 3261 8.1.1.4). */
	c->calls++;
	rand_token(c->tag, sizeof(c->tag));
	snprintf(c->callid, sizeof(c->callid), "%s-%x-%x", c->tag,
		 (unsigned)c->id, (unsigned)c->calls);
	c->call_st = CALL_INVITE;
	c->call_auth = 0;
	c->to_tag[0] = '\0';
	req.cseq = ++c->cseq;
	err = call_queue(c, &req);
	if (err)
		return err;
	c->nslots++;
	s->cseq = req.cseq;
	s->sent = e->now;
	s->measured = e->phase == WSLOAD_RUN;
	e->outstanding++;
	if (s->measured)
		e->stats.sent++;
	return 0;
}

/* ACK of a final response to the INVITE with CSeq cseq: a non-2xx ACK is
 * part of the INVITE transaction (same branch, same Request-URI); a 2xx
 * ACK is a new transaction to the remote target. */
static int call_ack(struct wsload_conn *c, uint32_t cseq, bool ok)
{
	struct wsload_call_req req = {
	    .method = WSLOAD_CALL_ACK,
	    .cseq = cseq,
	    .to_tag = c->to_tag[0] ? c->to_tag : NULL,
	    .ruri = ok && c->ruri[0] ? c->ruri : NULL,
	    .branch_ext = ok ? "a" : NULL,
	};

	return call_queue(c, &req);
}

/* A 401/407 to the INVITE: ACK it, answer the challenge in a new INVITE
 * with the next CSeq (RFC 3261 22.2). */
static int call_auth(struct wsload_conn *c, struct wsload_slot *s,
		     const uint8_t *p, size_t n, bool *done)
{
	const struct wsload_cfg *cfg = c->eng->cfg;
	char authv[WSLOAD_AUTH_MAX], uri[WSLOAD_URI_MAX];
	char cnonce[WSLOAD_CNONCE_SIZE];
	struct wsload_call_req req = {.method = WSLOAD_CALL_INVITE};
	size_t len;
	int err;

	err = wsload_sip_challenge(p, n, c->chal, sizeof(c->chal), &len);
	if (err)
		return 0; /* no usable challenge: the call fails as it is */
	if (wsload_sip_to_tag(p, n, c->to_tag, sizeof(c->to_tag)))
		c->to_tag[0] = '\0';
	err = call_ack(c, s->cseq, false);
	if (err)
		return err;
	c->to_tag[0] = '\0';
	snprintf(uri, sizeof(uri), "sip:%s@%s", cfg->target, cfg->domain);
	rand_token(cnonce, sizeof(cnonce));
	err =
	    wsload_sip_authorize_method(authv, sizeof(authv), c->chal,
					call_cred(c), "INVITE", uri, 1, cnonce);
	if (err)
		return err;
	req.auth = authv;
	req.cseq = ++c->cseq;
	err = call_queue(c, &req);
	if (err)
		return err;
	c->call_auth++;
	s->cseq = req.cseq;
	if (s->measured)
		c->eng->stats.challenges++;
	*done = false;
	return 0;
}

/* The 200 to the INVITE: ACK, then hang up at once with BYE. */
static int call_answered(struct wsload_conn *c, struct wsload_slot *s,
			 const uint8_t *p, size_t n, bool *done)
{
	struct wsload_engine *e = c->eng;
	struct wsload_call_req bye = {.method = WSLOAD_CALL_BYE};
	int err;

	if (s->measured) {
		e->stats.answered++;
		wsload_hist_add(&e->stats.lat, e->now - s->sent);
	}
	if (wsload_sip_to_tag(p, n, c->to_tag, sizeof(c->to_tag)))
		c->to_tag[0] = '\0';
	/* RFC 3261 12.1.2: the remote target is the 2xx's Contact. */
	if (wsload_sip_contact(p, n, c->ruri, sizeof(c->ruri)))
		c->ruri[0] = '\0';
	err = call_ack(c, s->cseq, true);
	if (err)
		return err;
	bye.cseq = ++c->cseq;
	bye.to_tag = c->to_tag[0] ? c->to_tag : NULL;
	bye.ruri = c->ruri[0] ? c->ruri : NULL;
	err = call_queue(c, &bye);
	if (err)
		return err;
	c->call_st = CALL_BYE;
	s->cseq = bye.cseq;
	s->sent = e->now;
	*done = false;
	return 0;
}

int wsload_call_reply(struct wsload_conn *c, unsigned i, uint16_t status,
		      const uint8_t *p, size_t n, bool *done)
{
	struct wsload_engine *e = c->eng;
	struct wsload_slot *s = &c->slots[i];
	int err = 0;

	*done = true;
	if (c->call_st == CALL_BYE) {
		if (!s->measured)
			goto out;
		if (status / 100 == 2)
			e->stats.ok++;
		else
			e->stats.bye_bad++;
		goto out;
	}
	if ((status == 401 || status == 407) && c->call_auth < CALL_MAX_AUTH) {
		err = call_auth(c, s, p, n, done);
		if (err || !*done)
			goto out;
	}
	if (status / 100 == 2) {
		err = call_answered(c, s, p, n, done);
		goto out;
	}
	/* A failure: ACK it (same transaction) and count it. */
	if (wsload_sip_to_tag(p, n, c->to_tag, sizeof(c->to_tag)))
		c->to_tag[0] = '\0';
	err = call_ack(c, s->cseq, false);
	if (s->measured) {
		e->stats.bad_status++;
		e->stats.last_bad = status;
	}
out:
	return err;
}
