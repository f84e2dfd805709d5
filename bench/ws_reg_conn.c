/* ws_reg_conn.c: wsload's REGISTER rounds on one connection: REGISTER, 401
 * with a digest challenge, REGISTER with Authorization, 200 (RFC 3261 10.2,
 * 22.2); or, reusing the device's nonce with an increasing nonce count
 * (RFC 7616 3.4.5), one REGISTER with Authorization and its 200. */
#include <errno.h>
#include <stdio.h>

#include "ws_conn.h"

#define REG_SIP_MAX 2048u   /* one REGISTER with its Authorization */
#define REG_URI_MAX (WSLOAD_HOST_MAX + 5u)
#define REG_CALLID_MAX 32u
#define REG_MAX_AUTH 2u /* authorized requests per round before giving up */

/* The device connection c registers this round. */
static size_t reg_dev(const struct wsload_conn *c)
{
	const struct wsload_engine *e = c->eng;

	return ((size_t)c->id + (size_t)c->reg_k * e->n) % e->cfg->ncreds;
}

/* Moves c to its next device: id, id+n, id+2n, ... below ncreds. */
static void reg_next(struct wsload_conn *c)
{
	const struct wsload_engine *e = c->eng;

	c->reg_k++;
	if ((size_t)c->id + (size_t)c->reg_k * e->n >= e->cfg->ncreds)
		c->reg_k = 0;
	c->reg_auth = 0;
}

/* Queues a REGISTER for the current device under a new CSeq; with auth
 * (the device has a challenge) answers it with the next nonce count. */
static int reg_queue(struct wsload_conn *c, bool auth, uint32_t *cseqp)
{
	struct wsload_engine *e = c->eng;
	const size_t d = reg_dev(c);
	struct wsload_reg_dev *dev = &e->devs[d];
	char sip[REG_SIP_MAX], authv[WSLOAD_AUTH_MAX], uri[REG_URI_MAX];
	char callid[REG_CALLID_MAX], cnonce[WSLOAD_CNONCE_SIZE];
	struct wsload_reg_req req = {
	    .domain = e->cfg->domain,
	    .user = e->cfg->creds[d].user,
	    .callid = callid,
	    .tag = c->tag,
	    .conn_id = c->id,
	    .cseq = ++c->cseq,
	};
	size_t len;
	int err;

	/* One Call-ID per connection, CSeq increasing (RFC 3261 10.2.4). */
	snprintf(callid, sizeof(callid), "%s-%x", c->tag, (unsigned)c->id);
	if (auth) {
		snprintf(uri, sizeof(uri), "sip:%s", e->cfg->domain);
		rand_token(cnonce, sizeof(cnonce));
		err = wsload_sip_authorize(authv, sizeof(authv), dev->chal,
		                           &e->cfg->creds[d], uri, ++dev->nc,
		                           cnonce);
		if (err)
			return err;
		req.auth = authv;
		c->reg_auth++;
	}
	err = wsload_sip_register(sip, sizeof(sip), &len, &req);
	if (!err)
		err = wsload_conn_queue(c, WSLOAD_OP_TEXT, sip, len);
	if (!err)
		*cseqp = req.cseq;
	return err;
}

int wsload_reg_send(struct wsload_conn *c)
{
	struct wsload_engine *e = c->eng;
	const bool reuse =
	    e->cfg->reuse_nonce && e->devs[reg_dev(c)].chal[0] != '\0';
	struct wsload_slot *s = &c->slots[c->nslots];
	int err;

	c->reg_auth = 0;
	err = reg_queue(c, reuse, &s->cseq);
	if (err)
		return err;
	c->nslots++;
	s->sent = e->now;
	s->measured = e->phase == WSLOAD_RUN;
	e->outstanding++;
	if (s->measured)
		e->stats.sent++;
	return 0;
}

int wsload_reg_reply(struct wsload_conn *c, unsigned i, uint16_t status,
                     const uint8_t *p, size_t n, bool *done)
{
	struct wsload_engine *e = c->eng;
	struct wsload_reg_dev *dev = &e->devs[reg_dev(c)];
	size_t len;
	int err = 0;

	*done = true;
	/* RFC 3261 22.2: answer a 401 once with credentials; a second 401
	 * after credentials (stale nonce with nonce reuse) once more. */
	if (status == 401 && c->reg_auth < REG_MAX_AUTH &&
	    !wsload_sip_challenge(p, n, dev->chal, sizeof(dev->chal), &len)) {
		dev->nc = 0;
		err = reg_queue(c, true, &c->slots[i].cseq);
		if (err)
			goto out;
		if (c->slots[i].measured)
			e->stats.challenges++;
		*done = false; /* the caller flushes what was queued */
		goto out;
	}
	if (status == 200 && !dev->registered) {
		dev->registered = true;
		e->stats.registered++;
	}
	reg_next(c);
out:
	return err;
}
