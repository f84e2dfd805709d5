/* message.c: pager-mode instant messages outside calls (RFC 3428): from a
 * device (digest-authenticated) to another user of the gateway or to a PBX
 * by dial pattern, and from a PBX to a user. A user's every registered
 * contact gets a copy; the sender gets the first 2xx, or the last failure
 * when every copy failed. Only the body (text/plain), the sender's user
 * part and display name cross; the rest is rebuilt as for calls. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/call.h"
#include "gw/conn.h"

#define GW_MESSAGE_MAX 8192 /* bytes of a relayed message body */

/* One incoming MESSAGE waiting for its copies' answers. */
struct msgfwd {
	struct gw_server *srv;
	struct sip_stx *stx;
	struct sip_flow *rf;
	struct gw_msgcopy *req;
	unsigned pending;
	uint16_t last;   /* last failure status */
	bool answered;
};

static void msgfwd_destroy(void *data)
{
	struct msgfwd *f = data;

	mem_deref(f->stx);
	mem_deref(f->rf);
	mem_deref(f->req);
}

static void answer(struct msgfwd *f, uint16_t scode, const char *reason)
{
	if (f->answered)
		return;
	f->answered = true;
	gw_refuse(f->srv, f->rf, f->stx, &f->req->msg, scode, reason, NULL);
}

static void copy_resp(int err, uint16_t scode, const struct sip_msg *msg,
		      void *arg)
{
	struct msgfwd *f = arg;

	(void)err, (void)msg;
	if (scode < 200)
		return;
	if (scode < 300)
		answer(f, scode, scode == 202 ? "Accepted" : "OK");
	else
		f->last = scode;
	if (--f->pending == 0) {
		if (f->last == 401 || f->last == 407)
			f->last = 403;
		answer(f, f->last >= 400 ? f->last : 480,
		       f->last >= 400 ? "Not Delivered" : "Not Delivered");
	}
	mem_deref(f);
}

/* Sends one copy over flow to ruri. */
static int send_copy(struct msgfwd *f, struct sip_flow *flow, const char *ruri,
		     const char *from, const char *to)
{
	const struct sip_msg *m = &f->req->msg;
	char tag[GW_TAG_LEN], callid[GW_CALLID_LEN + 1], fromtag[GW_URI_MAX];
	char ctype[64] = "text/plain";
	struct gw_leg leg = {0};
	int err;

	rand_pool_token(&f->srv->tags, tag, sizeof(tag));
	rand_pool_token(&f->srv->tags, callid, sizeof(callid));
	if (gw_fmt(fromtag, sizeof(fromtag), "%s;tag=%s", from, tag))
		return EOVERFLOW;
	if (m->ctype.l)
		pl_strcpy(&m->ctype, ctype, sizeof(ctype));
	/* a leg that lives for this request only (no dialog, no call) */
	leg.calls = f->srv->calls;
	leg.flow = flow;
	leg.ltag = tag;
	leg.callid = callid;
	leg.ruri = (char *)ruri;
	leg.from = fromtag;
	leg.to = (char *)to;
	leg.cseq = 1;
	mem_ref(f);
	err = gw_leg_send(&leg, "MESSAGE", 1, NULL, ctype, &m->body, NULL,
			  copy_resp, f);
	if (err)
		mem_deref(f);
	else
		f->pending++;
	return err;
}

struct to_user {
	struct msgfwd *f;
	const char *from;
	const char *domain;
};

static bool copy_to_contact(const struct sip_reg_contact *c, void *arg)
{
	struct to_user *tu = arg;
	char to[GW_URI_MAX];

	if (tu->f->pending >= GW_CALL_FORKS_MAX)
		return false;
	if (!gw_fmt(to, sizeof(to), "<sip:%s@%s>", c->aor, tu->domain))
		send_copy(tu->f, c->flow, c->uri, tu->from, to);
	return true;
}

static int copy_to_device(const struct store_device *d, void *arg)
{
	struct to_user *tu = arg;

	if (!d->revoked_at)
		sip_registrar_lookup(gw_reg_registrar(tu->f->srv->reg),
				     d->sip_username, copy_to_contact, tu);
	return 0;
}

static void to_pbx(struct msgfwd *f, const struct gw_conn *conn,
		   const char *user)
{
	char ruri[GW_URI_MAX], from_uri[GW_URI_MAX], from[GW_URI_MAX],
	    to[GW_URI_MAX];
	struct sip_flow *flow = NULL;
	enum sip_transp_type tp;
	struct sa dst;
	int err;

	err = gw_conn_target(conn, &dst, &tp);
	err = err ? err
		  : gw_conn_request_uri(conn, &f->req->msg.ruri.user, ruri,
					sizeof(ruri));
	err = err ? err
		  : gw_conn_from_uri(conn, user, from_uri, sizeof(from_uri));
	err = err ? err : gw_fmt(from, sizeof(from), "<%s>", from_uri);
	err = err ? err : gw_fmt(to, sizeof(to), "<%s>", ruri);
	err = err ? err
		  : sip_transp_connect(&flow, f->srv->tp, tp, &dst,
				       conn->conf->host);
	err = err ? err : send_copy(f, flow, ruri, from, to);
	mem_deref(flow);
	if (err)
		answer(f, 503, "Service Unavailable");
}

static void to_user(struct msgfwd *f, const char *user, const char *from)
{
	struct to_user tu = {f, from, f->srv->cfg->sip.domain};

	store_device_list(f->srv->store, user, copy_to_device, &tu);
	if (!f->pending)
		answer(f, 480, "Temporarily Unavailable");
}

/* A PBX's sender name that may be written into our From as it is. */
static bool user_safe(const struct pl *u)
{
	size_t i;

	for (i = 0; i < u->l; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789+*#._-",
			    u->p[i]) ||
		    !u->p[i])
			return false;
	return u->l > 0;
}

void gw_message(struct gw_server *srv, struct sip_flow *flow,
		struct sip_flow *rf, struct sip_stx *stx,
		const struct sip_msg *msg)
{
	const struct gw_conn *conn = NULL;
	struct store_device dev;
	struct msgfwd *f;
	char number[64], user[STORE_NAME_MAX + 1], from[GW_URI_MAX];
	bool ws = sip_flow_type(flow) == SIP_TRANSP_WS ||
		  sip_flow_type(flow) == SIP_TRANSP_WSS;

	if (msg->body.l > GW_MESSAGE_MAX) {
		gw_refuse(srv, rf, stx, msg, 413, "Message Too Large", NULL);
		return;
	}
	if (msg->ctype.l && !pl_casefind(&msg->ctype, "text/plain")) {
		gw_refuse(srv, rf, stx, msg, 415, "Unsupported Media Type",
			  "Accept: text/plain\r\n");
		return;
	}
	if (!ws && srv->conns)
		conn = gw_conns_by_source(srv->conns, sip_flow_peer(flow));
	if (!conn && !gw_call_auth_device(srv, flow, rf, stx, msg, &dev))
		return;
	f = mem_zalloc(sizeof(*f), msgfwd_destroy);
	if (!f || gw_msgcopy_alloc(&f->req, msg)) {
		mem_deref(f);
		gw_refuse(srv, rf, stx, msg, 500, "Server Internal Error", NULL);
		return;
	}
	f->srv = srv;
	f->stx = mem_ref(stx);
	f->rf = mem_ref(rf);
	if (pl_strcpy(&msg->ruri.user, number, sizeof(number)))
		number[0] = '\0';
	if (conn) {
		/* PBX -> user: the sender as the PBX named it, on our domain */
		if (gw_conn_user_of(conn, msg, user, sizeof(user)))
			answer(f, 404, "Not Found");
		else if (user_safe(&msg->from.uri.user) &&
			 !gw_fmt(from, sizeof(from), "<sip:%.*s@%s>",
				 PL_FMT(&msg->from.uri.user),
				 srv->cfg->sip.domain))
			to_user(f, user, from);
		else
			answer(f, 400, "Bad From");
	} else if (number[0] && gw_local_user(srv, number, user, sizeof(user))) {
		gw_fmt(from, sizeof(from), "<sip:%s@%s>", dev.user,
		       srv->cfg->sip.domain);
		to_user(f, user, from);
	} else if (number[0] && srv->conns &&
		   (conn = gw_conns_route(srv->conns, &msg->ruri.user))) {
		to_pbx(f, conn, dev.user);
	} else {
		answer(f, 404, "Not Found");
	}
	mem_deref(f);
}
