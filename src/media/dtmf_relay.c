/* dtmf_relay.c: DTMF between signalling and media (RFC 4733 <-> SIP
 * INFO). Events the gateway sends itself on a leg (a keypress that came as
 * SIP INFO) go out as telephone-events in the leg's own numbering; events
 * that arrive for a leg whose peer negotiated no telephone-event are
 * reported to the signalling thread (MEDIA_EV_DTMF), which sends INFO.
 * Runs on the session's worker. */
#include <string.h>

#include "media/media_int.h"
#include "media/srtp.h"

#define MDTMF_STEP_MS 20 /* one update per packet time (RFC 4733 2.5.1.3) */
#define MDTMF_ENDS 3     /* the end packet is sent three times (2.5.1.4) */
#define MDTMF_VOLUME 10  /* -dBm0 */
#define MDTMF_MIN_MS 40
#define MDTMF_MAX_MS 5000

/* Event names as MEDIA_EV_DTMF reports them (RFC 4733 3.2 codes). */
static const char *const names[16] = {
	"0", "1", "2", "3", "4", "5", "6", "7",
	"8", "9", "*", "#", "A", "B", "C", "D",
};

int mdtmf_code(char digit)
{
	static const char set[] = "0123456789*#ABCD";
	const char *p;

	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	p = digit ? strchr(set, digit) : NULL;
	return p ? (int)(p - set) : -1;
}

static uint32_t to_ts(uint64_t ms, uint32_t rate)
{
	return (uint32_t)(ms * rate / 1000u);
}

void mdtmf_start(struct mrelay *r, int leg, uint8_t code, uint32_t dur_ms,
		 uint64_t now_ms)
{
	struct mrelay_leg *l = &r->leg[leg];
	struct mdtmf_tx *d = &l->dtx;
	uint32_t rate = l->p.te_rate ? l->p.te_rate : 8000;

	if (!l->p.te_pt || code > 15)
		return;
	dur_ms = SC_MIN(SC_MAX(dur_ms, MDTMF_MIN_MS), MDTMF_MAX_MS);
	memset(d, 0, sizeof(*d));
	d->active = true;
	d->first = true;
	d->code = code;
	d->dur = SC_MIN(to_ts(dur_ms, rate), 0xffffu);
	/* RFC 4733 2.5.1.2: the event starts now on the leg's clock */
	d->ts = l->out.started ? l->out.last_ts +
				     to_ts(now_ms - SC_MIN(now_ms,
							   l->out.last_ms),
					   rate)
			       : l->out.last_ts;
}

void mdtmf_tick(struct mrelay *r, int leg, uint64_t now_ms)
{
	struct mrelay_leg *l = &r->leg[leg];
	struct mdtmf_tx *d = &l->dtx;
	uint32_t rate = l->p.te_rate ? l->p.te_rate : 8000;
	uint8_t buf[RTP_HEADER_SIZE + DTMF_PAYLOAD_SIZE + MSRTP_MAX_OVERHEAD];
	struct rtp_hdr h;
	struct dtmf_event ev;
	size_t len;

	if (!d->active)
		return;
	if (d->sent < d->dur)
		d->sent = SC_MIN(d->sent + to_ts(MDTMF_STEP_MS, rate), d->dur);
	memset(&h, 0, sizeof(h));
	h.pt = l->p.te_pt;
	h.marker = d->first;
	h.seq = ++l->out.last_seq;
	h.ts = d->ts;
	h.ssrc = l->out.ssrc;
	ev.event = d->code;
	ev.volume = MDTMF_VOLUME;
	ev.duration = (uint16_t)d->sent;
	ev.end = d->sent >= d->dur;
	if (rtp_hdr_encode(buf, sizeof(buf), &len, &h) ||
	    dtmf_encode(buf + len, sizeof(buf) - len, &ev))
		return;
	d->first = false;
	/* the audio that follows continues after our numbers */
	l->out.resync = true;
	l->out.started = true;
	l->out.last_ms = now_ms;
	mrelay_emit(r, leg, buf, len + DTMF_PAYLOAD_SIZE, sizeof(buf),
		    DTMF_PAYLOAD_SIZE);
	if (ev.end && ++d->ends >= MDTMF_ENDS)
		d->active = false;
}

bool mdtmf_busy(const struct mrelay *r)
{
	return r->leg[0].dtx.active || r->leg[1].dtx.active;
}

void mdtmf_rx(struct mrelay *r, int leg, const struct rtp_hdr *h)
{
	struct mrelay_leg *l = &r->leg[leg];
	struct dtmf_event ev;

	if (dtmf_decode(&ev, h->payload, h->payload_len) || !ev.end ||
	    ev.event > 15)
		return;
	/* the end packet comes three times: report the event once */
	if (l->dtmf_rx_seen && l->dtmf_rx_ts == h->ts)
		return;
	l->dtmf_rx_seen = true;
	l->dtmf_rx_ts = h->ts;
	if (r->eventh)
		r->eventh(r, leg, MEDIA_EV_DTMF, names[ev.event]);
}
