/* dtmf.c: RFC 4733 telephone-event payload codec and the mapping of an
 * event between RTP clocks (WebRTC sends telephone-event/48000, PBXs
 * expect telephone-event/8000). */
#include <errno.h>

#include "media/rtp.h"

/*
 * Decodes the first event of a telephone-event payload (section 2.3):
 * event, E bit, R bit (ignored), volume, duration.
 * Returns 0, EINVAL or EBADMSG (shorter than 4 bytes).
 */
int dtmf_decode(struct dtmf_event *ev, const uint8_t *buf, size_t len)
{
	if (!ev || !buf)
		return EINVAL;
	if (len < DTMF_PAYLOAD_SIZE)
		return EBADMSG;
	ev->event = buf[0];
	ev->end = (buf[1] & 0x80) != 0;
	ev->volume = buf[1] & 0x3f;
	ev->duration = (uint16_t)((buf[2] << 8) | buf[3]);
	return 0;
}

/* Writes the 4-byte payload; R is sent as zero (section 2.3.3).
 * Returns 0, EINVAL (volume over 63) or EOVERFLOW (size < 4). */
int dtmf_encode(uint8_t *buf, size_t size, const struct dtmf_event *ev)
{
	if (!buf || !ev || ev->volume > DTMF_MAX_VOLUME)
		return EINVAL;
	if (size < DTMF_PAYLOAD_SIZE)
		return EOVERFLOW;
	buf[0] = ev->event;
	buf[1] = (uint8_t)((ev->end ? 0x80 : 0) | ev->volume);
	buf[2] = (uint8_t)(ev->duration >> 8);
	buf[3] = (uint8_t)ev->duration;
	return 0;
}

/*
 * Moves an event to another clock: the event's RTP timestamp *tsp (the
 * start of the event, section 2.3.4) through rtp_tsmap_ts() and the
 * duration scaled by to_rate / from_rate, rounded to nearest. A duration
 * that no longer fits 16 bits is an error; the caller then splits the
 * event into segments (section 2.5.2.3).
 * Returns 0, EINVAL (zero rate) or EOVERFLOW; on error nothing changes.
 */
int dtmf_event_map(struct dtmf_event *ev, uint32_t *tsp,
                   const struct rtp_tsmap *m)
{
	uint64_t d;

	if (!ev || !tsp || !m || !m->from_rate || !m->to_rate)
		return EINVAL;
	d = ((uint64_t)ev->duration * m->to_rate + m->from_rate / 2) /
	    m->from_rate;
	if (d > 0xffff)
		return EOVERFLOW;
	ev->duration = (uint16_t)d;
	*tsp = rtp_tsmap_ts(m, *tsp);
	return 0;
}

/* The key of a DTMF event (section 3.2): '0'-'9', '*', '#', 'A'-'D', or
 * '\0' for other events. */
char dtmf_char(uint8_t event)
{
	static const char keys[] = "0123456789*#ABCD";

	return event < 16 ? keys[event] : '\0';
}
