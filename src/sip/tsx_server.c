/* tsx_server.c: INVITE and non-INVITE server transactions (RFC 3261 §17.2,
 * with the RFC 6026 Accepted state and Timer L). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/tsx_int.h"

enum stx_state {
	STX_TRYING,     /* non-INVITE, nothing sent yet */
	STX_PROCEEDING, /* INVITE from the start; non-INVITE after a 1xx */
	STX_COMPLETED,  /* final sent (INVITE: 3xx-6xx) */
	STX_CONFIRMED,  /* INVITE: ACK received */
	STX_ACCEPTED,   /* INVITE: 2xx sent (RFC 6026 §7.1) */
	STX_TERMINATED,
};

struct sip_stx {
	struct le le;
	struct sip_tsx_layer *layer;
	struct tsx_key key;
	void *dest;
	bool reliable;
	bool invite;
	enum stx_state state;
	uint16_t scode;
	struct mbuf *resp;   /* last response sent */
	struct mbuf *trying; /* INVITE: the 100 to send at 200 ms */
	struct tmr tmr_rt;   /* the 100 Trying, then Timer G */
	struct tmr tmr_end;  /* Timer H, I, J or L */
	uint32_t rt_ival;
	bool await_ack;      /* Accepted: the TU waits for the 2xx's ACK */
	sip_stx_err_h *errh;
	void *arg;
};

static const struct pl pl_invite = {"INVITE", 6};

static void stx_destroy(void *data)
{
	struct sip_stx *stx = data;

	tmr_cancel(&stx->tmr_rt);
	tmr_cancel(&stx->tmr_end);
	tsx_key_reset(&stx->key);
	mem_deref(stx->dest);
	mem_deref(stx->resp);
	mem_deref(stx->trying);
}

void tsx_stx_terminate(struct sip_stx *stx)
{
	if (stx->state == STX_TERMINATED)
		return;
	stx->state = STX_TERMINATED;
	tmr_cancel(&stx->tmr_rt);
	tmr_cancel(&stx->tmr_end);
	hash_unlink(&stx->le);
	stx->layer->nstx--;
	stx->dest = mem_deref(stx->dest);
	stx->trying = mem_deref(stx->trying);
	mem_deref(stx); /* the table's reference */
}

/* Terminates stx and tells the TU why; survives the TU dropping stx. */
static void stx_fail(struct sip_stx *stx, int err)
{
	sip_stx_err_h *errh = stx->errh;
	void *arg = stx->arg;

	mem_ref(stx);
	tsx_stx_terminate(stx);
	if (errh)
		errh(err, arg);
	mem_deref(stx);
}

static void stx_end_h(void *arg)
{
	struct sip_stx *stx = arg;

	/* §17.2.1: Timer H fired in Completed: the ACK never came; or Timer L
	 * in Accepted with no ACK to the 2xx either (§13.3.1.4). */
	if ((stx->state == STX_COMPLETED && stx->invite) ||
	    (stx->state == STX_ACCEPTED && stx->await_ack))
		stx_fail(stx, ETIMEDOUT);
	else /* Timer I, J or L */
		tsx_stx_terminate(stx);
}

/* Starts the end timer, or terminates at once for a zero duration (the
 * reliable-transport values of I and J, §17.2.1, §17.2.2). */
static void stx_end_start(struct sip_stx *stx, uint32_t ms)
{
	if (!ms || tmr_start(&stx->tmr_end, stx->layer->tl, ms, stx_end_h, stx))
		tsx_stx_terminate(stx);
}

static void stx_rt_h(void *arg)
{
	struct sip_stx *stx = arg;
	const struct sip_tsx_layer *layer = stx->layer;
	int err;

	if (stx->state == STX_PROCEEDING && !stx->scode && stx->trying) {
		/* §17.2.1: the TU has not answered within 200 ms. */
		mem_deref(stx->resp);
		stx->resp = stx->trying;
		stx->trying = NULL;
		stx->scode = 100;
		err = tsx_send(layer, stx->dest, stx->resp);
		if (err)
			stx_fail(stx, err);
		return;
	}
	if (stx->state != STX_COMPLETED &&
	    !(stx->state == STX_ACCEPTED && stx->await_ack))
		return;
	/* Timer G: retransmit the final, doubling up to T2 (§17.2.1); the
	 * same schedule for a 2xx until its ACK (§13.3.1.4). */
	err = tsx_send(layer, stx->dest, stx->resp);
	if (err) {
		stx_fail(stx, err);
		return;
	}
	stx->rt_ival = SC_MIN(stx->rt_ival * 2, layer->t2);
	if (tmr_start(&stx->tmr_rt, layer->tl, stx->rt_ival, stx_rt_h, stx))
		log_warn("sip", "stx: cannot restart Timer G");
}

static bool stx_cmp(struct le *le, void *arg)
{
	const struct sip_stx *stx = le->data;

	return tsx_key_match(&stx->key, arg);
}

static struct sip_stx *stx_find(const struct sip_tsx_layer *layer,
				const struct sip_msg *msg,
				const struct pl *branch,
				const struct pl *method)
{
	struct tsx_match m;
	struct le *le;

	tsx_match_init(&m, branch, &msg->via.host, msg->via.port, method);
	le = hash_lookup(layer->stxh, m.hash, stx_cmp, &m);
	return le ? le->data : NULL;
}

static int stx_alloc(struct sip_stx **stxp, struct sip_tsx_layer *layer,
		     const struct sip_msg *msg, const struct pl *branch,
		     void *dest, bool reliable)
{
	struct sip_stx *stx;
	int err;

	if (layer->nstx >= layer->max)
		return EOVERFLOW; /* the TU may answer 503 statelessly */
	stx = mem_zalloc(sizeof(*stx), stx_destroy);
	if (!stx)
		return ENOMEM;
	tmr_init(&stx->tmr_rt);
	tmr_init(&stx->tmr_end);
	stx->layer = layer;
	stx->reliable = reliable;
	stx->invite = !pl_strcmp(&msg->method, "INVITE");
	stx->state = stx->invite ? STX_PROCEEDING : STX_TRYING;
	err = tsx_key_set(&stx->key, branch, &msg->via.host, msg->via.port,
			  &msg->method);
	if (err)
		goto out;
	if (stx->invite) {
		err = tsx_reply_for(&stx->trying, layer, dest, msg, 100,
				    "Trying");
		if (err)
			goto out;
		err = tmr_start(&stx->tmr_rt, layer->tl, SIP_TSX_TRYING,
				stx_rt_h, stx);
		if (err)
			goto out;
	}
	stx->dest = mem_ref(dest);
	hash_append(layer->stxh, stx->key.hash, &stx->le, stx);
	layer->nstx++;
out:
	if (err)
		mem_deref(stx);
	else
		*stxp = stx;
	return err;
}

/* §17.2.1, §17.2.2: a retransmitted request gets the last response again
 * where the state machine says so. */
static void stx_retransmission(struct sip_stx *stx)
{
	int err;

	if (stx->state != STX_PROCEEDING && stx->state != STX_COMPLETED)
		return;
	if (!stx->resp || !stx->scode)
		return;
	err = tsx_send(stx->layer, stx->dest, stx->resp);
	if (err)
		stx_fail(stx, err);
}

/* An ACK: §17.2.1 (to a non-2xx) or RFC 6026 §7.1 (Accepted). */
static void stx_ack(struct sip_stx *stx, struct sip_tsx_in *in)
{
	in->what = SIP_TSX_ABSORBED;
	if (stx->state == STX_ACCEPTED) {
		in->what = SIP_TSX_ACK;
		in->stx = mem_ref(stx);
	} else if (stx->state == STX_COMPLETED) {
		stx->state = STX_CONFIRMED;
		tmr_cancel(&stx->tmr_rt);
		tmr_cancel(&stx->tmr_end);
		stx_end_start(stx, stx->reliable ? 0 : stx->layer->t4);
	}
}

/*
 * §17.2.3 for a request whose branch lacks the RFC 3261 cookie (an RFC 2543
 * element, or RFC 4475 §3.2.1's bare cookie): it matches a transaction when
 * Request-URI, From tag, Call-ID, CSeq number and top Via all match (the To
 * tag is left out so that the ACK to our non-2xx, which carries our tag,
 * matches its INVITE). Those fields are folded into a 64-bit FNV-1a digest
 * that stands in for the branch: one key, one table, one lookup path.
 */
static void stx_branch_2543(const struct sip_msg *msg, char *buf, size_t size,
			    struct pl *branch)
{
	const struct pl *parts[] = {&msg->ruri_raw, &msg->from.tag,
				    &msg->callid, &msg->via.val};
	uint64_t h = 14695981039346656037ull;
	size_t i, j;

	for (i = 0; i < SC_ARRAY_SIZE(parts); i++) {
		for (j = 0; j < parts[i]->l; j++) {
			h ^= (uint8_t)parts[i]->p[j];
			h *= 1099511628211ull;
		}
		h ^= 0xff; /* separator: ("ab","c") differs from ("a","bc") */
		h *= 1099511628211ull;
	}
	h ^= msg->cseq.num;
	h *= 1099511628211ull;
	snprintf(buf, size, "2543-%016llx", (unsigned long long)h);
	pl_set_str(branch, buf);
}

int sip_tsx_recv_request(struct sip_tsx_layer *layer, const struct sip_msg *msg,
			 void *dest, bool reliable, struct sip_tsx_in *in)
{
	char b2543[24];
	struct pl branch;
	struct sip_stx *stx;
	int err = 0;

	if (!layer || !msg || !dest || !in)
		return EINVAL;
	memset(in, 0, sizeof(*in));
	if (!sip_msg_can_reply(msg))
		return EBADMSG;
	branch = msg->via.branch;
	if (!tsx_branch_rfc3261(&branch))
		stx_branch_2543(msg, b2543, sizeof(b2543), &branch);
	if (!pl_strcmp(&msg->method, "ACK")) {
		stx = stx_find(layer, msg, &branch, &pl_invite);
		if (stx)
			stx_ack(stx, in);
		else
			in->what = SIP_TSX_ACK;
		goto out;
	}
	stx = stx_find(layer, msg, &branch, &msg->method);
	if (stx) {
		in->what = SIP_TSX_ABSORBED;
		stx_retransmission(stx);
		goto out;
	}
	err = stx_alloc(&stx, layer, msg, &branch, dest, reliable);
	if (err)
		goto out;
	in->stx = mem_ref(stx);
	in->what = SIP_TSX_NEW;
	if (!pl_strcmp(&msg->method, "CANCEL")) {
		/* §9.2: the CANCEL matches the INVITE by the §17.2.3 rules. */
		struct sip_stx *inv = stx_find(layer, msg, &branch, &pl_invite);

		in->what = SIP_TSX_CANCEL;
		in->invite = inv ? mem_ref(inv) : NULL;
	}
out:
	return err;
}

void sip_stx_set_errh(struct sip_stx *stx, sip_stx_err_h *errh, void *arg)
{
	if (!stx)
		return;
	stx->errh = errh;
	stx->arg = errh ? arg : NULL;
}

/* Moves stx on after sending a response of class scode (§17.2.1, §17.2.2,
 * RFC 6026 §7.1). */
static void stx_advance(struct sip_stx *stx, uint16_t scode)
{
	const struct sip_tsx_layer *layer = stx->layer;

	if (scode < 200) {
		stx->state = STX_PROCEEDING;
	} else if (stx->invite && scode < 300) {
		if (stx->state == STX_ACCEPTED)
			return; /* a 2xx retransmission from the TU */
		stx->state = STX_ACCEPTED;
		stx_end_start(stx, 64 * layer->t1); /* Timer L */
	} else if (stx->invite) {
		stx->state = STX_COMPLETED;
		stx->rt_ival = layer->t1;
		if (!stx->reliable && tmr_start(&stx->tmr_rt, layer->tl,
						stx->rt_ival, stx_rt_h, stx))
			log_warn("sip", "stx: cannot start Timer G");
		stx_end_start(stx, 64 * layer->t1); /* Timer H */
	} else {
		stx->state = STX_COMPLETED;
		stx_end_start(stx, stx->reliable ? 0 : 64 * layer->t1); /* J */
	}
}

/* Whether stx can send a response of class scode now. */
static bool stx_takes(const struct sip_stx *stx, uint16_t scode)
{
	switch (stx->state) {
	case STX_TRYING:
	case STX_PROCEEDING:
		return true;
	case STX_ACCEPTED: /* RFC 6026 §7.1: the TU's 2xx retransmissions */
		return stx->invite && scode >= 200 && scode < 300;
	default:
		return false;
	}
}

int sip_stx_reply(struct sip_stx *stx, uint16_t scode, const uint8_t *data,
		  size_t len)
{
	int err = 0;

	if (!stx || !data || !len || scode < 100 || scode > 699)
		err = EINVAL;
	else if (len > SIP_TSX_MSG_MAX)
		err = EOVERFLOW;
	else if (!stx_takes(stx, scode))
		err = EPROTO;
	else if (!stx->reliable)
		err = tsx_copy(&stx->resp, data, len);
	if (err)
		goto out;
	if (stx->trying) {
		tmr_cancel(&stx->tmr_rt);
		stx->trying = mem_deref(stx->trying);
	}
	if (stx->reliable) /* a 100 sent earlier is not repeated either */
		stx->resp = mem_deref(stx->resp);
	stx->scode = scode;
	/* §17.2.1, §17.2.2: only an unreliable transport retransmits the
	 * request, so only there is the response kept to answer it again;
	 * over TCP, TLS and WebSocket it goes out from the caller's buffer. */
	err = stx->reliable
		  ? stx->layer->sendh(stx->dest, data, len, stx->layer->arg)
		  : tsx_send(stx->layer, stx->dest, stx->resp);
	if (err) {
		tsx_stx_terminate(stx); /* §17.2.4; the TU learns it here */
		goto out;
	}
	stx_advance(stx, scode);
out:
	return err;
}

int sip_stx_await_ack(struct sip_stx *stx)
{
	const struct sip_tsx_layer *layer;

	if (!stx)
		return EINVAL;
	if (stx->state != STX_ACCEPTED || stx->await_ack)
		return EPROTO;
	layer = stx->layer;
	stx->await_ack = true;
	stx->rt_ival = layer->t1;
	if (!stx->reliable && tmr_start(&stx->tmr_rt, layer->tl, stx->rt_ival,
					stx_rt_h, stx))
		log_warn("sip", "stx: cannot start the 2xx retransmissions");
	return 0;
}

void sip_stx_acked(struct sip_stx *stx)
{
	if (!stx || !stx->await_ack)
		return;
	stx->await_ack = false;
	if (stx->state == STX_ACCEPTED)
		tmr_cancel(&stx->tmr_rt);
}

uint16_t sip_stx_scode(const struct sip_stx *stx)
{
	return stx ? stx->scode : 0;
}

bool sip_stx_alive(const struct sip_stx *stx)
{
	return stx && stx->state != STX_TERMINATED;
}
