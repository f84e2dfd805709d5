/* call_dtmf.c: DTMF across the B2BUA in both of its SIP forms: RFC 4733
 * telephone-events in the media, and SIP INFO with application/dtmf-relay
 * (the de facto format: "Signal=5\r\nDuration=160\r\n"). A key pressed in
 * the media toward a leg that negotiated no telephone-event becomes an
 * INFO on that leg; an INFO from a device toward a PBX leg that did
 * negotiate telephone-event becomes RFC 4733 events there. Between two
 * legs that agree, nothing is converted. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/call.h"

#define GW_DTMF_DEFAULT_MS 160 /* Duration when an INFO gives none */
#define GW_DTMF_MAX_MS 5000

void gw_call_dtmf_info(struct gw_call *call, enum media_leg_id from,
		       const char *key)
{
	struct gw_leg *to = from == MEDIA_LEG_A ? call->b : call->a;
	char body[64];
	struct pl pl;

	if (!to || !to->dlg || to->kind == GW_LEG_ECHO ||
	    call->state != GW_CALL_CONFIRMED || !key || !key[0])
		return;
	if (gw_fmt(body, sizeof(body), "Signal=%s\r\nDuration=%u\r\n", key,
		   GW_DTMF_DEFAULT_MS))
		return;
	pl_set_str(&pl, body);
	if (gw_leg_send(to, "INFO", 0, NULL, "application/dtmf-relay", &pl,
			NULL, gw_leg_resp_ignore, NULL))
		log_warn("call", "call %s: cannot send DTMF %s as INFO",
			 call->a->callid, key);
}

/* "Signal=5" / "Duration=250" lines of an application/dtmf-relay body. */
static int parse_relay(const struct pl *body, char *key, uint32_t *dur)
{
	const char *p = body->p, *end = body->p + body->l;

	*key = '\0';
	*dur = GW_DTMF_DEFAULT_MS;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		struct pl line = {p, (size_t)((eol ? eol : end) - p)}, v;
		const char *eq = pl_chr(&line, '=');

		p = eol ? eol + 1 : end;
		if (!eq)
			continue;
		v.p = eq + 1;
		v.l = (size_t)(line.p + line.l - v.p);
		pl_trim(&v);
		line.l = (size_t)(eq - line.p);
		pl_trim(&line);
		if (!pl_strcasecmp(&line, "Signal") && v.l == 1)
			*key = v.p[0];
		else if (!pl_strcasecmp(&line, "Duration") &&
			 (pl_u32(&v, dur) || *dur > GW_DTMF_MAX_MS))
			return EBADMSG;
	}
	return *key ? 0 : EBADMSG;
}

bool gw_call_dtmf_to_rtp(struct gw_call *call, struct gw_leg *leg,
			 struct sip_stx *stx, const struct sip_msg *msg)
{
	struct gw_leg *to = leg == call->a ? call->b : call->a;
	uint32_t dur;
	char key;
	int err;

	if (!to || to->kind != GW_LEG_PBX || leg->kind != GW_LEG_DEVICE ||
	    !pl_casefind(&msg->ctype, "application/dtmf-relay") ||
	    parse_relay(&msg->body, &key, &dur))
		return false;
	err = media_dtmf_send(call->ms, to->uas ? MEDIA_LEG_A : MEDIA_LEG_B,
			      key, dur);
	if (err)
		return false; /* no telephone-event there: INFO goes on */
	gw_leg_reply(leg, stx, msg, 200, "OK", NULL, NULL);
	return true;
}
