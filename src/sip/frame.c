/* frame.c: cutting SIP messages out of a byte stream (TCP, TLS: RFC 3261
 * §18.3) and CRLF keepalives (RFC 5626 §3.5.1). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/msg_int.h"

/* Offset just past the empty line that ends the head, or 0 when there is
 * none yet within the first max bytes. A line ends at LF (CR optional),
 * the same rule sip_msg_decode() applies. */
static size_t head_end(const char *buf, size_t len, size_t max)
{
	size_t n = SC_MIN(len, max), i = 0;
	const char *nl;

	while (i < n && (nl = memchr(buf + i, '\n', n - i)) != NULL) {
		i = (size_t)(nl - buf) + 1;
		if (i < n && buf[i] == '\n')
			return i + 1;
		if (i + 1 < n && buf[i] == '\r' && buf[i + 1] == '\n')
			return i + 2;
	}
	return 0;
}

/* Content-Length (or "l") of the head; the start line is skipped, and a
 * line starting with SP/HT is a fold, never a header name. */
static int head_clen(const char *buf, size_t hlen, uint32_t *clenp)
{
	const char *nl = memchr(buf, '\n', hlen);
	bool found = false;
	size_t i;

	i = nl ? (size_t)(nl - buf) + 1 : hlen;
	while (i < hlen) {
		size_t s = i, e, j;
		struct pl v;
		uint32_t clen;

		nl = memchr(buf + i, '\n', hlen - i);
		e = nl ? (size_t)(nl - buf) : hlen;
		/* extend over folded continuation lines */
		while (e + 1 < hlen &&
		       (buf[e + 1] == ' ' || buf[e + 1] == '\t')) {
			nl = memchr(buf + e + 1, '\n', hlen - e - 1);
			e = nl ? (size_t)(nl - buf) : hlen;
		}
		i = e + 1;
		for (j = s; j < e && sip_is(buf[j], SIP_C_TOKEN); j++)
			;
		if (!((j - s == 14 &&
		       !strncasecmp(buf + s, "Content-Length", 14)) ||
		      (j - s == 1 && (buf[s] | 0x20) == 'l')))
			continue;
		while (j < e && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		if (j >= e || buf[j] != ':')
			continue;
		v.p = buf + j + 1;
		v.l = e - j - 1;
		switch (sip_pl_u32_lws(&v, &clen)) {
		case 0:
			break;
		case EOVERFLOW:
			return EOVERFLOW; /* beyond any SIP_MSG_MAX */
		default:
			return EBADMSG;
		}
		/* two different lengths: no way to know where the next
		 * message starts (RFC 4475 §3.3.9) */
		if (found && clen != *clenp)
			return EBADMSG;
		found = true;
		*clenp = clen;
	}
	return found ? 0 : EBADMSG;
}

int sip_frame(const char *buf, size_t len, size_t *msglenp)
{
	size_t hlen;
	uint32_t clen = 0;
	int err;

	if (!buf || !msglenp)
		return EINVAL;
	/* +2: the CRLF that ends the last header line may end past it */
	hlen = head_end(buf, len, SIP_HEAD_MAX + 2);
	if (!hlen) {
		err = len >= SIP_HEAD_MAX + 2 ? EOVERFLOW : ENODATA;
		goto out;
	}
	err = head_clen(buf, hlen, &clen);
	if (err)
		goto out;
	if (clen > SIP_MSG_MAX || hlen + clen > SIP_MSG_MAX)
		err = EOVERFLOW;
	else if (len < hlen + clen)
		err = ENODATA;
	else
		*msglenp = hlen + clen;
out:
	return err;
}

size_t sip_frame_crlf(const char *buf, size_t len, bool *pingp)
{
	static const char ping[] = "\r\n\r\n";
	size_t n = 0;

	if (pingp)
		*pingp = false;
	if (!buf)
		return 0;
	while (n < len && (buf[n] == '\r' || buf[n] == '\n'))
		n++;
	/* a run that is all of the buffer and still a ping prefix: wait */
	if (n == len && n < sizeof(ping) - 1 && !memcmp(buf, ping, n))
		return 0;
	if (pingp && n >= sizeof(ping) - 1)
		*pingp = memmem(buf, n, ping, sizeof(ping) - 1) != NULL;
	/* a CR that ends the buffer may begin the next ping */
	if (n == len && buf[n - 1] == '\r')
		n--;
	return n;
}
