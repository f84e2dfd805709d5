/* msg_encode.c: building responses to requests (RFC 3261 §8.2.6). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/msg_int.h"

#define SIP_SCODE_MIN 100
#define SIP_SCODE_MAX 699

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* Whether the request's To already has a tag. When the To did not decode,
 * the raw value is searched, so a tag is never added twice. */
static bool to_has_tag(const struct sip_msg *req, const struct sip_hdr *to)
{
	if (pl_isset(&req->to.auri))
		return pl_isset(&req->to.tag);
	return pl_casefind(&to->val, ";tag");
}

static int write_hdr(struct mbuf *mb, const char *pre, const struct pl *v,
                     const char *post)
{
	int err = mbuf_write_str(mb, pre);

	if (!err)
		err = mbuf_write_pl(mb, v);
	if (!err)
		err = mbuf_write_str(mb, post);
	return err;
}

/*
 * Finds a bare ";rport" (no value) among the parameters of a Via value, so
 * that RFC 3581 §4 "rport=PORT" from via_params replaces it instead of
 * standing next to it. Returns its position and length, or 0 length.
 */
static struct pl bare_rport(const struct pl *v)
{
	struct pl r = {NULL, 0};
	size_t i;

	for (i = 0; i + 6 <= v->l; i++) {
		size_t end = i + 6;

		if (v->p[i] != ';' || strncasecmp(v->p + i + 1, "rport", 5))
			continue;
		while (end < v->l && (v->p[end] == ' ' || v->p[end] == '\t'))
			end++;
		if (end == v->l || v->p[end] == ';' || v->p[end] == ',') {
			r.p = v->p + i;
			r.l = 6;
			break;
		}
	}
	return r;
}

/* The top Via with via_params; a bare rport gives way to theirs. */
static int write_top_via(struct mbuf *mb, const struct pl *val,
			 const struct pl *via_params)
{
	struct pl r = {NULL, 0};
	int err;

	if (pl_casefind(via_params, ";rport="))
		r = bare_rport(val);
	if (!r.l)
		return mbuf_write_pl(mb, val);
	err = mbuf_write_mem(mb, val->p, (size_t)(r.p - val->p));
	if (!err)
		err = mbuf_write_mem(mb, r.p + r.l,
				     val->l - (size_t)(r.p - val->p) - r.l);
	return err;
}

static int write_vias(struct mbuf *mb, const struct sip_msg *req,
                      const struct pl *via_params)
{
	const struct sip_hdr *h = NULL;
	bool top = true;
	int err = 0;

	while (!err && (h = sip_msg_hdr_next(req, h, SIP_HDR_VIA)) != NULL) {
		err = mbuf_write_str(mb, "Via: ");
		if (!err && top && via_params && via_params->l)
			err = write_top_via(mb, &h->val, via_params);
		else if (!err)
			err = mbuf_write_pl(mb, &h->val);
		if (!err && top && via_params && via_params->l)
			err = mbuf_write_pl(mb, via_params);
		if (!err)
			err = mbuf_write_str(mb, "\r\n");
		top = false;
	}
	return err;
}

/* v in decimal */
static int write_uint(struct mbuf *mb, size_t v)
{
	char buf[24]; /* 20 digits of a 64-bit value */
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i);
	return mbuf_write_mem(mb, buf + i, sizeof(buf) - i);
}

int sip_reply_encode(struct mbuf *mb, const struct sip_msg *req, uint16_t scode,
                     const char *reason, const struct pl *to_tag,
                     const struct pl *via_params, const char *extra_hdrs,
                     const char *ctype, const struct pl *body)
{
	const struct sip_hdr *from, *to, *cseq;
	size_t blen = body ? body->l : 0;
	int err;

	if (!mb || !reason || scode < SIP_SCODE_MIN || scode > SIP_SCODE_MAX ||
	    has_crlf(reason) || has_crlf(ctype) || !sip_msg_can_reply(req))
		return EINVAL;
	from = sip_msg_hdr(req, SIP_HDR_FROM);
	to = sip_msg_hdr(req, SIP_HDR_TO);
	cseq = sip_msg_hdr(req, SIP_HDR_CSEQ);

	/* no printf on this path: it was a tenth of a REGISTER's encoding */
	err = mbuf_write_str(mb, "SIP/2.0 ");
	err = err ? err : write_uint(mb, scode);
	err = err ? err : mbuf_write_str(mb, " ");
	err = err ? err : mbuf_write_str(mb, reason);
	err = err ? err : mbuf_write_str(mb, "\r\n");
	if (!err)
		err = write_vias(mb, req, via_params);
	/* values are copied with write_pl, never "%.*s": a quoted-pair may
	 * hold a NUL byte (RFC 4475 §3.1.1.2) */
	if (!err)
		err = write_hdr(mb, "From: ", &from->val, "\r\nTo: ");
	if (!err)
		err = mbuf_write_pl(mb, &to->val);
	/* RFC 3261 §8.2.6.2: a UAS adds a To tag except to 100 Trying. */
	if (!err && scode > SIP_SCODE_MIN && to_tag && to_tag->l &&
	    !to_has_tag(req, to))
		err = write_hdr(mb, ";tag=", to_tag, "");
	if (!err)
		err = write_hdr(mb, "\r\nCall-ID: ", &req->callid, "\r\n");
	if (!err)
		err = write_hdr(mb, "CSeq: ", &cseq->val, "\r\n");
	if (!err && extra_hdrs)
		err = mbuf_write_str(mb, extra_hdrs);
	if (!err && blen && ctype)
		err = mbuf_printf(mb, "Content-Type: %s\r\n", ctype);
	if (!err)
		err = mbuf_write_str(mb, "Content-Length: ");
	err = err ? err : write_uint(mb, blen);
	err = err ? err : mbuf_write_str(mb, "\r\n\r\n");
	if (!err && blen)
		err = mbuf_write_pl(mb, body);
	return err;
}
