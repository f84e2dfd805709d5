/* msg_decode.c: zero-copy SIP message parser (RFC 3261 §7, §18.3, §25). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "sip/msg_int.h"

#define SIP_MAX_FORWARDS_MAX 255 /* RFC 3261 §20.22 */
#define SIP_SCODE_DIGITS 3       /* RFC 3261 §25.1 Status-Code */

/* Only the scalar part is cleared: hdrv is written up to hdrc only. */
static void msg_reset(struct sip_msg *msg)
{
	memset(msg, 0, offsetof(struct sip_msg, hdrv));
	memset(&msg->hdrc, 0, sizeof(*msg) - offsetof(struct sip_msg, hdrc));
}

/* Decoder state: the first error and which key headers were seen. */
struct dec {
	struct sip_msg *msg;
	int err;
	uint64_t seen; /* bit per enum sip_hdr_id */
};

/* Keeps the first error: later ones are usually its consequences. */
static void msg_fail(struct dec *d, int code, const char *why)
{
	if (!d->err) {
		d->err = code;
		d->msg->err = why;
	}
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §25.1). */
static bool version_ok(const struct pl *v)
{
	size_t i = 4, s;

	if (v->l < 7 || strncasecmp(v->p, "SIP/", 4))
		return false;
	for (s = i; i < v->l && sip_is_digit(v->p[i]); i++)
		;
	if (i == s || i >= v->l || v->p[i] != '.')
		return false;
	for (s = ++i; i < v->l && sip_is_digit(v->p[i]); i++)
		;
	return i > s && i == v->l;
}

static int status_line(struct sip_msg *msg, const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n);
	uint32_t code = 0;
	size_t i;

	if (!sp)
		return EBADMSG;
	msg->ver.p = p;
	msg->ver.l = (size_t)(sp - p);
	if (!version_ok(&msg->ver))
		return EBADMSG;
	i = msg->ver.l + 1;
	if (n - i < SIP_SCODE_DIGITS)
		return EBADMSG;
	for (; i < msg->ver.l + 1 + SIP_SCODE_DIGITS; i++) {
		if (!sip_is_digit(p[i]))
			return EBADMSG;
		code = code * 10 + (uint32_t)(p[i] - '0');
	}
	if (code < 100 || (i < n && p[i] != ' '))
		return EBADMSG; /* RFC 4475 §3.1.2.19: 4294967301 */
	msg->scode = (uint16_t)code;
	/* Reason-Phrase may be empty (RFC 4475 §3.1.1.13). */
	if (i < n) {
		msg->reason.p = p + i + 1;
		msg->reason.l = n - i - 1;
	}
	return 0;
}

/* Request-Line = Method SP Request-URI SP SIP-Version: exactly two single
 * spaces (RFC 4475 §3.1.2.7 to §3.1.2.10 must fail here). */
static int request_line(struct sip_msg *msg, const char *p, size_t n,
                        const char **whyp)
{
	const char *sp1 = memchr(p, ' ', n), *sp2;
	size_t i;

	msg->req = true;
	*whyp = "Bad Request-Line";
	if (!sp1)
		return EBADMSG;
	for (i = 0; p + i < sp1; i++)
		if (!sip_is(p[i], SIP_C_TOKEN))
			return EBADMSG;
	if (!i)
		return EBADMSG;
	msg->method.p = p;
	msg->method.l = i;
	sp2 = memrchr(sp1, ' ', n - (size_t)(sp1 - p));
	msg->ver.p = sp2 + 1;
	msg->ver.l = n - (size_t)(sp2 + 1 - p);
	if (sp2 == sp1 || !version_ok(&msg->ver))
		return EBADMSG;
	msg->ruri_raw.p = sp1 + 1;
	msg->ruri_raw.l = (size_t)(sp2 - sp1 - 1);
	for (i = 0; i < msg->ruri_raw.l; i++)
		if (sip_is_lws(msg->ruri_raw.p[i]))
			return EBADMSG;
	*whyp = "Bad Request-URI";
	return sip_uri_decode(&msg->ruri, &msg->ruri_raw) ? EBADMSG : 0;
}

/* CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). The method is kept even
 * when the number is bad, so that a 400 can still be built. */
static int cseq_decode(struct sip_cseq *cseq, const struct pl *v)
{
	const char *p = v->p;
	size_t len = v->l, i = 0, s;
	struct pl num;

	while (i < len && sip_is_digit(p[i]))
		i++;
	num.p = p;
	num.l = i;
	s = i;
	i = sip_skip_lws(p, i, len);
	if (i == s || !num.l)
		return EBADMSG;
	s = i;
	while (i < len && sip_is(p[i], SIP_C_TOKEN))
		i++;
	if (i == s || i != len)
		return EBADMSG;
	cseq->method.p = p + s;
	cseq->method.l = i - s;
	return pl_u32(&num, &cseq->num) ? EBADMSG : 0;
}

static bool callid_ok(const struct pl *v)
{
	size_t i;

	for (i = 0; i < v->l; i++)
		if (!sip_is(v->p[i], SIP_C_WORD) && v->p[i] != '@')
			return false;
	return v->l > 0;
}

/* Decodes the first instance of each header the stack relies on. */
static void hdr_decode(struct dec *d, const struct sip_hdr *h)
{
	struct sip_msg *msg = d->msg;
	uint64_t bit = UINT64_C(1) << h->id;

	if (d->seen & bit)
		return; /* duplicates are sip_msg_check()'s business */
	d->seen |= bit;
	switch (h->id) {
	case SIP_HDR_VIA:
		if (sip_via_decode(&msg->via, &h->val))
			msg_fail(d, EBADMSG, "Bad Via header");
		break;
	case SIP_HDR_FROM:
		if (sip_addr_decode(&msg->from, &h->val))
			msg_fail(d, EBADMSG, "Bad From header");
		break;
	case SIP_HDR_TO:
		if (sip_addr_decode(&msg->to, &h->val))
			msg_fail(d, EBADMSG, "Bad To header");
		break;
	case SIP_HDR_CALL_ID:
		if (callid_ok(&h->val))
			msg->callid = h->val;
		else
			msg_fail(d, EBADMSG, "Bad Call-ID header");
		break;
	case SIP_HDR_CSEQ:
		if (cseq_decode(&msg->cseq, &h->val))
			msg_fail(d, EBADMSG, "Bad CSeq header");
		break;
	case SIP_HDR_MAX_FORWARDS:
		msg->has_max_forwards = true;
		if (pl_u32(&h->val, &msg->max_forwards) ||
		    msg->max_forwards > SIP_MAX_FORWARDS_MAX)
			msg_fail(d, EBADMSG, "Bad Max-Forwards header");
		break;
	case SIP_HDR_CONTENT_LENGTH:
		msg->has_clen = true;
		if (pl_u32(&h->val, &msg->clen))
			msg_fail(d, EBADMSG, "Bad Content-Length header");
		break;
	case SIP_HDR_CONTENT_TYPE:
		msg->ctype = h->val;
		break;
	default:
		break;
	}
}

static int hdr_add(struct dec *d, enum sip_hdr_id id, const struct pl *name,
                   const char *p, size_t n)
{
	struct sip_msg *msg = d->msg;
	struct sip_hdr *h;

	if (msg->hdrc >= SIP_HDR_MAX) {
		msg_fail(d, EOVERFLOW, "Too many header fields");
		return EOVERFLOW;
	}
	h = &msg->hdrv[msg->hdrc++];
	h->id = id;
	h->name = *name;
	h->val.p = p;
	h->val.l = n;
	sip_trim(&h->val);
	hdr_decode(d, h);
	return 0;
}

static int hdr_emit(struct dec *d, enum sip_hdr_id id, const struct pl *name,
                    const char *p, size_t n)
{
	struct pl el = {p, n};

	sip_trim(&el);
	return el.l ? hdr_add(d, id, name, el.p, el.l) : 0;
}

/* Splits a #rule list value at commas outside quotes and < > (RFC 3261
 * §7.3.1); empty elements are skipped. */
static int hdr_split(struct dec *d, enum sip_hdr_id id, const struct pl *name,
                     const char *p, size_t n)
{
	size_t i, s = 0;
	bool quoted = false;
	int angle = 0, err = 0;

	/* the common cases: a single element, or plain tokens (Allow,
	 * Supported) where every comma separates */
	if (!memchr(p, ',', n))
		return hdr_emit(d, id, name, p, n);
	if (!memchr(p, '"', n) && !memchr(p, '<', n)) {
		const char *c;

		while (!err && (c = memchr(p + s, ',', n - s)) != NULL) {
			err = hdr_emit(d, id, name, p + s, (size_t)(c - p) - s);
			s = (size_t)(c - p) + 1;
		}
		return err ? err : hdr_emit(d, id, name, p + s, n - s);
	}
	for (i = 0; i < n && !err; i++) {
		char c = p[i];

		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '<')
			angle++;
		else if (c == '>' && angle)
			angle--;
		else if (c == ',' && !angle) {
			err = hdr_emit(d, id, name, p + s, i - s);
			s = i + 1;
		}
	}
	if (!err)
		err = hdr_emit(d, id, name, p + s, n - s);
	return err;
}

/* One header field from p (folds included, line end excluded). */
static int hdr_line(struct dec *d, const char *p, size_t n)
{
	const char *cr;
	struct pl name;
	enum sip_hdr_id id;
	size_t i = 0;
	bool list;

	while (i < n && sip_is(p[i], SIP_C_TOKEN))
		i++;
	name.p = p;
	name.l = i;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (!name.l || i >= n || p[i] != ':') {
		msg_fail(d, EBADMSG, "Bad header field");
		return 0; /* skipped; the rest may still allow a 400 */
	}
	i++;
	/* A CR inside a value must start a fold (CRLF SP/HT): a lone CR
	 * would end the line for some peers, and replies echo values. */
	for (cr = p + i; (cr = memchr(cr, '\r', (size_t)(p + n - cr))); cr++) {
		if (cr + 1 >= p + n || cr[1] != '\n') {
			msg_fail(d, EBADMSG, "Bad header field");
			return 0;
		}
	}
	id = sip_hdr_lookup_list(name.p, name.l, &list);
	if (list)
		return hdr_split(d, id, &name, p + i, n - i);
	return hdr_add(d, id, &name, p + i, n - i); /* may be empty */
}

int sip_msg_decode(struct sip_msg *msg, const char *buf, size_t len)
{
	struct dec d = {msg, 0, 0};
	const char *nl, *why = NULL;
	size_t i = 0, e, n;

	if (!msg || !buf)
		return EINVAL;
	msg_reset(msg);
	if (len > SIP_MSG_MAX) {
		msg_fail(&d, EOVERFLOW, "Message too large");
		goto out;
	}
	/* RFC 3261 §7.5: ignore CRLFs before the start line. */
	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	nl = memchr(buf + i, '\n', len - i);
	if (!nl) {
		msg_fail(&d, EBADMSG, "Missing start line");
		goto out;
	}
	n = (size_t)(nl - (buf + i));
	if (n && buf[i + n - 1] == '\r')
		n--;
	if (n > SIP_LINE_MAX) {
		msg_fail(&d, EOVERFLOW, "Start line too long");
		goto out;
	}
	if (n >= 4 && !strncmp(buf + i, "SIP/", 4)) {
		if (status_line(msg, buf + i, n))
			msg_fail(&d, EBADMSG, "Bad Status-Line");
	} else if (request_line(msg, buf + i, n, &why)) {
		msg_fail(&d, EBADMSG, why);
	}
	i = (size_t)(nl - buf) + 1;

	for (;;) {
		if (i >= len)
			break; /* a datagram may end with the last header */
		if (buf[i] == '\n') {
			i++;
			break;
		}
		if (buf[i] == '\r' && (i + 1 == len || buf[i + 1] == '\n')) {
			i = SC_MIN(i + 2, len);
			break;
		}
		if (buf[i] == ' ' || buf[i] == '\t') {
			msg_fail(&d, EBADMSG, "Bad header folding");
			goto out;
		}
		/* the field ends at a LF not followed by SP/HT (a fold) */
		e = i;
		for (;;) {
			nl = memchr(buf + e, '\n', len - e);
			if (!nl) {
				e = len;
				break;
			}
			e = (size_t)(nl - buf) + 1;
			if (e >= len || (buf[e] != ' ' && buf[e] != '\t'))
				break;
		}
		n = e - i;
		if (n > SIP_LINE_MAX) {
			msg_fail(&d, EOVERFLOW, "Header line too long");
			goto out;
		}
		if (i + n > SIP_HEAD_MAX) {
			msg_fail(&d, EOVERFLOW, "Header too large");
			goto out;
		}
		while (n && (buf[i + n - 1] == '\n' || buf[i + n - 1] == '\r'))
			n--;
		if (hdr_line(&d, buf + i, n))
			goto out;
		i = e;
	}

	/* RFC 3261 §18.3: over UDP, Content-Length larger than what arrived
	 * is an error; smaller truncates; absent means the rest. */
	msg->body.p = buf + i;
	msg->body.l = len - i;
	if (msg->has_clen) {
		if (msg->clen > msg->body.l)
			msg_fail(&d, EBADMSG,
			         "Content-Length larger than datagram");
		else
			msg->body.l = msg->clen;
	}
out:
	return d.err;
}
