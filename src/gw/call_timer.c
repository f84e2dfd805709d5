/* call_timer.c: session timers toward the PBX (RFC 4028). The gateway
 * asks to be the refresher (refresher=uac) and refreshes with an
 * offer-less UPDATE at half the interval; when the PBX keeps the role,
 * its refreshes are answered here without bothering the browser. A 422
 * (Session Interval Too Small) is retried once with the Min-SE it asks
 * for (§7.2, call_out.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/call.h"

/* The headers of an INVITE toward a PBX (RFC 4028 §7.1); se and min_se
 * 0 for ours, or what a 422 asked for (§7.2). */
int gw_timer_invite_hdrs(char *buf, size_t size, uint32_t se,
			 uint32_t min_se)
{
	return gw_fmt(buf, size,
		      "Supported: timer\r\nSession-Expires: %u;refresher=uac\r\n"
		      "Min-SE: %u\r\n",
		      se ? se : GW_SESSION_EXPIRES, min_se ? min_se : GW_MIN_SE);
}

/* The Min-SE of a 422 (RFC 4028 §6): 0 with *min_se set, EBADMSG when
 * absent, malformed or beyond GW_SE_MAX. */
int gw_timer_min_se(const struct sip_msg *resp, uint32_t *min_se)
{
	const struct sip_hdr *h = sip_msg_hdr(resp, SIP_HDR_MIN_SE);
	struct pl v;
	const char *semi;

	if (!h)
		return EBADMSG;
	v = h->val;
	semi = pl_chr(&v, ';');
	if (semi)
		v.l = (size_t)(semi - v.p);
	pl_trim(&v);
	if (pl_u32(&v, min_se) || *min_se < GW_MIN_SE || *min_se > GW_SE_MAX)
		return EBADMSG;
	return 0;
}

/* Session-Expires of msg: *delta and whether we (the UAC of the leg)
 * refresh. ENOENT when absent. */
static int session_expires(const struct sip_msg *msg, uint32_t *delta,
			   bool *uac)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_SESSION_EXPIRES);
	struct pl v, params = PL_INIT, r;
	const char *semi;

	if (!h)
		return ENOENT;
	v = h->val;
	semi = pl_chr(&v, ';');
	if (semi) {
		params.p = semi;
		params.l = (size_t)(v.p + v.l - semi);
		v.l = (size_t)(semi - v.p);
	}
	pl_trim(&v);
	if (pl_u32(&v, delta) || *delta < GW_MIN_SE / 2)
		return EBADMSG;
	*uac = !sip_param_get(&params, "refresher", &r) &&
	       !pl_strcasecmp(&r, "uac");
	return 0;
}

static void refresh(void *arg);

static void refresh_resp(int err, uint16_t scode, const struct sip_msg *msg,
			 void *arg)
{
	struct gw_leg *leg = arg;
	struct gw_call *call = leg->call;

	(void)err, (void)msg;
	if (scode < 200)
		return;
	if (call && scode >= 300 && scode != 491)
		log_warn("call", "call %s: session refresh refused (%u); the "
				 "PBX may end the call",
			 call->a->callid, scode);
	else if (call && scode == 491) /* RFC 3261 §14.1 */
		tmr_start(&call->refresh, call->calls->srv->tl,
			  gw_glare_wait_ms(leg), refresh, call);
	mem_deref(leg);
}

static void refresh(void *arg)
{
	struct gw_call *call = arg;
	struct gw_leg *leg = call->b && call->b->kind == GW_LEG_PBX ? call->b
								    : call->a;
	char hdrs[128];

	if (!leg->dlg || leg->kind != GW_LEG_PBX)
		return;
	gw_fmt(hdrs, sizeof(hdrs), "Session-Expires: %u;refresher=uac\r\n",
	       call->session_expires);
	mem_ref(leg);
	if (gw_leg_send(leg, "UPDATE", 0, hdrs, NULL, NULL, NULL, refresh_resp,
			leg))
		mem_deref(leg);
	tmr_start(&call->refresh, call->calls->srv->tl,
		  call->session_expires * 1000ull / 2, refresh, call);
}

/* The PBX leg's 2xx arrived: start refreshing if we are the refresher. */
void gw_timer_start(struct gw_call *call, const struct sip_msg *resp)
{
	uint32_t delta;
	bool uac;

	if (session_expires(resp, &delta, &uac) || !uac)
		return;
	call->session_expires = delta;
	tmr_start(&call->refresh, call->calls->srv->tl, delta * 1000ull / 2,
		  refresh, call);
}
