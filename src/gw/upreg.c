/* upreg.c: upstream registration of one gateway user on a registration
 * connection (RFC 3261 §10.2): REGISTER as the user's PBX identity, digest
 * answers to 401/407, 423 Min-Expires (§10.2.8), refresh before expiry,
 * back-off with jitter on failures, stop on 403, Expires: 0 on the way
 * out. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/conn_int.h"

#define UPREG_MAX_FORWARDS 70
#define UPREG_REFRESH_MIN_MS 5000u /* never refresh sooner than this */

const char *gw_upreg_state_name(enum gw_upreg_state st)
{
	switch (st) {
	case GW_UPREG_IDLE:
		return "unregistered";
	case GW_UPREG_REGISTERING:
		return "registering";
	case GW_UPREG_REGISTERED:
		return "registered";
	case GW_UPREG_BACKOFF:
		return "backoff";
	case GW_UPREG_FORBIDDEN:
		return "forbidden";
	case GW_UPREG_UNREGISTERING:
		return "unregistering";
	}
	return "?";
}

uint32_t gw_upreg_backoff_ms(unsigned attempts, uint32_t rnd)
{
	uint32_t base = GW_UPREG_BACKOFF_MIN_MS;

	for (unsigned i = 0; i < attempts && base < GW_UPREG_BACKOFF_MAX_MS;
	     i++)
		base *= 2;
	base = SC_MIN(base, GW_UPREG_BACKOFF_MAX_MS);
	/* jitter: up to a quarter less, so that many users that failed
	 * together do not retry together */
	return base - rnd % (base / 4 + 1);
}

int gw_upreg_encode(struct gw_conn_user *u, struct mbuf *mb, uint32_t expires,
		    const struct pl *auth)
{
	const struct gw_conn *c = u->c;
	const struct gw_conn_conf *cf = c->conf;
	const char *dom = cf->from_domain ? cf->from_domain : cf->host;
	const char *tp = sip_transp_name(cf->transport);
	char local[SA_STR_MAX + NET_HOST_MAX], branch[GW_CONN_TAG_LEN + 1];
	char port[8];
	bool v6 = strchr(cf->host, ':') != NULL;
	bool dv6 = strchr(dom, ':') != NULL;
	int err;

	err = gw_conn_local_hostport(c, local, sizeof(local));
	if (err)
		return err;
	rand_pool_token(&c->cs->rp, branch, sizeof(branch));
	gw_conn_ruri_port(c, port, sizeof(port));
	err = mbuf_printf(
	    mb,
	    "REGISTER sip:%s%s%s%s SIP/2.0\r\n"
	    "Via: SIP/2.0/%s %s;branch=" SIP_TSX_COOKIE "%s;rport\r\n"
	    "Max-Forwards: %u\r\n"
	    "From: <sip:%s@%s%s%s>;tag=%s\r\n"
	    "To: <sip:%s@%s%s%s>\r\n"
	    "Call-ID: %s\r\n"
	    "CSeq: %u REGISTER\r\n"
	    "Contact: <sip:%s@%s%s%s>\r\n"
	    "Expires: %u\r\n"
	    "User-Agent: sipcloak\r\n",
	    v6 ? "[" : "", cf->host, v6 ? "]" : "", port, tp, local, branch,
	    UPREG_MAX_FORWARDS, u->pbx_user, dv6 ? "[" : "", dom,
	    dv6 ? "]" : "", u->tag, u->pbx_user, dv6 ? "[" : "", dom,
	    dv6 ? "]" : "", u->callid, u->cseq, u->token, local,
	    cf->transport == SIP_TRANSP_UDP ? "" : ";transport=",
	    cf->transport == SIP_TRANSP_TCP   ? "tcp"
	    : cf->transport == SIP_TRANSP_TLS ? "tls"
					      : "",
	    expires);
	if (!err && auth)
		err = mbuf_write_pl(mb, auth);
	if (!err)
		err = mbuf_write_str(mb, "Content-Length: 0\r\n\r\n");
	return err;
}

static void on_resp(int err, uint16_t scode, const struct sip_msg *msg,
		    void *arg);

/* Sends the next REGISTER (auth: the Authorization line, or NULL). */
static void send_register(struct gw_conn_user *u, uint32_t expires,
			  const struct pl *auth)
{
	struct mbuf *mb = NULL;
	int err;

	u->ctx = mem_deref(u->ctx);
	u->cseq++;
	u->auth_sent = auth != NULL;
	u->unreg = expires == 0;
	u->st = expires ? GW_UPREG_REGISTERING : GW_UPREG_UNREGISTERING;
	err = mbuf_alloc(&mb, GW_CONN_MSG_MAX);
	err = err ? err : gw_upreg_encode(u, mb, expires, auth);
	if (!err && !sa_isset(&u->dst) && gw_conn_pick(u->c, &u->dst))
		err = ENOTCONN;
	err = err ? err : gw_conn_send(u->c, &u->dst, mb, &u->ctx, on_resp, u);
	mem_deref(mb);
	if (err) {
		log_warn("upreg",
			 "[connection %s] %s: cannot send REGISTER: "
			 "%s",
			 u->c->conf->name, u->name, strerror(err));
		gw_upreg_response(u, err, 503, NULL);
	}
}

static void on_timer(void *arg)
{
	struct gw_conn_user *u = arg;

	/* a refresh or a retry: the best target now (the list may have
	 * changed, a blacklisted one may be back) */
	sa_init(&u->dst, AF_UNSPEC);
	send_register(u, u->expires_req, NULL);
}

void gw_upreg_start(struct gw_conn_user *u)
{
	struct gw_conns *cs = u->c->cs;

	if (cs->closing || !cs->tsx || u->st == GW_UPREG_REGISTERING ||
	    u->st == GW_UPREG_REGISTERED)
		return;
	tmr_cancel(&u->tmr);
	/* a new Call-ID for each registration run (RFC 3261 §10.2.4 keeps
	 * it while refreshing) */
	rand_pool_token(&cs->rp, u->callid, sizeof(u->callid));
	rand_pool_token(&cs->rp, u->tag, sizeof(u->tag));
	u->attempts = 0;
	u->expires_req = u->c->conf->expires;
	sa_init(&u->dst, AF_UNSPEC);
	send_register(u, u->expires_req, NULL);
}

void gw_upreg_stop(struct gw_conn_user *u, bool send_unregister)
{
	bool was =
	    u->st == GW_UPREG_REGISTERED || u->st == GW_UPREG_REGISTERING;

	tmr_cancel(&u->tmr);
	if (u->ctx)
		sip_ctx_close(u->ctx);
	u->ctx = mem_deref(u->ctx);
	u->st = GW_UPREG_IDLE;
	if (send_unregister && was && u->c->cs->tsx)
		send_register(u, 0, NULL);
}

/* The interval the PBX granted: our Contact's expires parameter, else
 * the Expires header, else what we asked for (§10.2.4). */
static uint32_t granted(const struct gw_conn_user *u, const struct sip_msg *msg)
{
	const struct sip_hdr *h = NULL;
	struct sip_addr a;
	struct pl v;
	uint32_t n;

	while ((h = sip_msg_hdr_next(msg, h, SIP_HDR_CONTACT)) != NULL) {
		if (sip_addr_decode(&a, &h->val) ||
		    pl_strcmp(&a.uri.user, u->token))
			continue;
		if (!sip_param_get(&a.params, "expires", &v) && !pl_u32(&v, &n))
			return n;
	}
	h = sip_msg_hdr(msg, SIP_HDR_EXPIRES);
	if (h && !pl_u32(&h->val, &n))
		return n;
	return u->expires_req;
}

static void backoff(struct gw_conn_user *u)
{
	uint32_t ms = gw_upreg_backoff_ms(u->attempts++, rand_u32());

	u->st = GW_UPREG_BACKOFF;
	tmr_start(&u->tmr, u->c->cs->tl, ms, on_timer, u);
	log_warn("upreg",
		 "[connection %s] %s: registration failed (%u%s%s); "
		 "retrying in %u ms",
		 u->c->conf->name, u->name, u->last_scode,
		 u->last_err ? ", " : "",
		 u->last_err ? strerror(u->last_err) : "", ms);
}

/*
 * RFC 3263 §4.3: a timeout, a transport failure or 503 moves on to the
 * next target (the failed one is skipped for a while, by every user of
 * the connection); the back-off starts once none is left.
 */
static bool failover(struct gw_conn_user *u)
{
	struct sa next;
	char a[SA_STR_MAX];

	if (!sa_isset(&u->dst) || u->c->cs->closing)
		return false;
	gw_conn_target_failed(u->c, &u->dst);
	if (gw_conn_target_next(u->c, &u->dst, &next))
		return false;
	u->dst = next;
	if (!sa_str(&next, a, sizeof(a)))
		log_info("upreg", "[connection %s] %s: trying %s",
			 u->c->conf->name, u->name, a);
	send_register(u, u->expires_req, NULL);
	return true;
}

static void on_2xx(struct gw_conn_user *u, const struct sip_msg *msg)
{
	uint64_t ms;

	u->granted = granted(u, msg);
	u->attempts = 0;
	u->last_err = 0;
	if (!u->granted) { /* the PBX dropped us at once: try again later */
		backoff(u);
		return;
	}
	u->st = GW_UPREG_REGISTERED;
	u->c->state = GW_CONN_STATE_UP;
	u->expires_at = tmrl_now(u->c->cs->tl) + (uint64_t)u->granted * 1000;
	ms = (uint64_t)u->granted * 10 * GW_UPREG_REFRESH_PCT;
	tmr_start(&u->tmr, u->c->cs->tl, SC_MAX(ms, UPREG_REFRESH_MIN_MS),
		  on_timer, u);
	log_info("upreg", "[connection %s] %s registered as %s for %u s",
		 u->c->conf->name, u->name, u->pbx_user, u->granted);
}

static void on_challenge(struct gw_conn_user *u, const struct sip_msg *msg)
{
	char ruri[GW_CONN_URI_MAX], port[8];
	const struct gw_conn_conf *cf = u->c->conf;
	bool v6 = strchr(cf->host, ':') != NULL;
	struct mbuf *hdr = NULL;
	struct pl auth, uri;
	int err;

	if (u->auth_sent) { /* our credentials were refused */
		u->last_err = EACCES;
		goto forbidden;
	}
	gw_conn_ruri_port(u->c, port, sizeof(port));
	snprintf(ruri, sizeof(ruri), "sip:%s%s%s%s", v6 ? "[" : "", cf->host,
		 v6 ? "]" : "", port);
	pl_set_str(&uri, ruri);
	err = mbuf_alloc(&hdr, 512);
	err = err ? err
		  : gw_conn_authorize(u->c, u->name, msg, &PL("REGISTER"), &uri,
				      hdr);
	if (err) {
		u->last_err = err;
		mem_deref(hdr);
		if (err == ENOENT)
			goto forbidden;
		backoff(u);
		return;
	}
	auth.p = (const char *)hdr->buf;
	auth.l = hdr->end;
	send_register(u, u->unreg ? 0 : u->expires_req, &auth);
	mem_secure_zero(hdr->buf, hdr->size);
	mem_deref(hdr);
	return;
forbidden:
	u->st = GW_UPREG_FORBIDDEN;
	log_error("upreg",
		  "ALARM [connection %s] %s: the PBX refused the "
		  "credentials of %s (%u): registration stopped",
		  cf->name, u->name, u->pbx_user, u->last_scode);
}

void gw_upreg_response(struct gw_conn_user *u, int err, uint16_t scode,
		       const struct sip_msg *msg)
{
	const struct sip_hdr *h;
	uint32_t min;

	if (scode < 200)
		return;
	u->last_scode = scode;
	u->last_err = err;
	if (u->unreg && !(scode == 401 || scode == 407)) {
		u->st = GW_UPREG_IDLE;
		return;
	}
	if (scode < 300) {
		on_2xx(u, msg);
		return;
	}
	switch (scode) {
	case 401:
	case 407:
		if (msg) {
			on_challenge(u, msg);
			return;
		}
		break;
	case 403:
		u->st = GW_UPREG_FORBIDDEN;
		log_error("upreg",
			  "ALARM [connection %s] %s: 403 Forbidden "
			  "for %s: registration stopped",
			  u->c->conf->name, u->name, u->pbx_user);
		return;
	case 423: /* §10.2.8: retry with at least Min-Expires */
		h = msg ? sip_msg_hdr(msg, SIP_HDR_MIN_EXPIRES) : NULL;
		if (h && !pl_u32(&h->val, &min) && min > u->expires_req &&
		    min <= 86400) {
			u->expires_req = min;
			send_register(u, u->expires_req, NULL);
			return;
		}
		break;
	default:
		break;
	}
	if (!err)
		u->last_err = scode == 408 ? ETIMEDOUT : EPROTO;
	if ((err || scode == 408 || scode == 503) && failover(u))
		return;
	backoff(u);
}

static void on_resp(int err, uint16_t scode, const struct sip_msg *msg,
		    void *arg)
{
	struct gw_conn_user *u = arg;

	gw_upreg_response(u, err, scode, msg);
}
