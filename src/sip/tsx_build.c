/* tsx_build.c: messages the transaction layer makes itself: 100 Trying,
 * stateless errors (RFC 3261 §8.2.6), ACK (§17.1.1.3) and CANCEL (§9.1). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/tsx_int.h"

/* Max-Forwards of the requests the layer builds (§8.1.1.6). */
#define TSX_MAX_FORWARDS 70
/* Length of the To tag added to stateless responses (§19.3: 32 bits of
 * randomness at least; 16 alphanumerics carry 95). */
#define TSX_TAG_LEN 16
/* Room for a copied "Timestamp: ...\r\n" line. */
#define TSX_TIMESTAMP_MAX 64

static int hdr_write(struct mbuf *mb, const char *name, const struct pl *val)
{
	/* Values go through mbuf_write_pl, not "%.*s": a quoted-pair may
	 * hold a NUL byte (RFC 4475 §3.1.1.2). */
	int err = mbuf_printf(mb, "%s: ", name);

	err = err ? err : mbuf_write_pl(mb, val);
	return err ? err : mbuf_write_str(mb, "\r\n");
}

/* Writes every header of id (in order) under the canonical name. */
static int hdr_write_all(struct mbuf *mb, const struct sip_msg *msg,
			 enum sip_hdr_id id, const char *name)
{
	const struct sip_hdr *h = NULL;
	int err = 0;

	while (!err && (h = sip_msg_hdr_next(msg, h, id)) != NULL)
		err = hdr_write(mb, name, &h->val);
	return err;
}

static int hdr_write_one(struct mbuf *mb, const struct sip_msg *msg,
			 enum sip_hdr_id id, const char *name)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, id);

	if (!hdr)
		return EBADMSG;
	return hdr_write(mb, name, &hdr->val);
}

/* §8.2.6.1: a 100 copies Timestamp (§20.38: digits, '.', LWS delay);
 * anything else in it is left out rather than echoed. */
static void timestamp_extra(const struct sip_msg *req, char *buf, size_t size)
{
	const struct sip_hdr *h = sip_msg_hdr_named(req, "Timestamp");
	size_t i;

	buf[0] = '\0';
	if (!h || !h->val.l || h->val.l + sizeof("Timestamp: \r\n") > size)
		return;
	for (i = 0; i < h->val.l; i++) {
		char c = h->val.p[i];

		if (!(c >= '0' && c <= '9') && c != '.' && c != ' ' &&
		    c != '\t')
			return;
	}
	snprintf(buf, size, "Timestamp: %.*s\r\n", PL_FMT(&h->val));
}

/*
 * A response made by the layer itself, through the codec's encoder
 * (§8.2.6): a 100 with Timestamp copied, or a final with a random To tag.
 * via_params as from the layer's sip_tsx_via_h ("" for none).
 * Returns 0, EBADMSG (req cannot be answered, §8.2.6.2) or ENOMEM.
 */
int tsx_build_reply(struct mbuf **mbp, const struct sip_msg *req,
		    uint16_t scode, const char *reason, const char *via_params)
{
	struct mbuf *mb = NULL;
	char tag[TSX_TAG_LEN + 1], ts[TSX_TIMESTAMP_MAX];
	struct pl to_tag, vp;
	int err;

	if (!sip_msg_can_reply(req))
		return EBADMSG;
	rand_token(tag, sizeof(tag));
	pl_set_str(&to_tag, tag);
	pl_set_str(&vp, via_params ? via_params : "");
	if (scode == 100)
		timestamp_extra(req, ts, sizeof(ts));
	else
		ts[0] = '\0';
	err = mbuf_alloc(&mb, 512);
	if (err)
		return err;
	err = sip_reply_encode(mb, req, scode, reason, &to_tag, &vp,
			       ts[0] ? ts : NULL, NULL, NULL);
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;
	return err;
}

static void parts_destroy(void *data)
{
	struct tsx_parts *parts = data;

	mem_deref(parts->ruri);
	mem_deref(parts->to);
	mem_deref(parts->hdrs);
}

/*
 * Keeps what ACK and CANCEL copy from the INVITE: Request-URI, top Via,
 * From, Call-ID, Route (§17.1.1.3, §9.1), To and the CSeq number.
 * Returns 0, EBADMSG (From or To missing) or ENOMEM.
 */
int tsx_parts_alloc(struct tsx_parts **partsp, const struct sip_msg *req)
{
	const struct sip_hdr *to = sip_msg_hdr(req, SIP_HDR_TO);
	struct tsx_parts *parts;
	int err;

	if (!to || !pl_isset(&req->via.val) || !pl_isset(&req->ruri_raw))
		return EBADMSG;
	parts = mem_zalloc(sizeof(*parts), parts_destroy);
	if (!parts)
		return ENOMEM;
	parts->cseq = req->cseq.num;
	err = tsx_copy(&parts->ruri, (const uint8_t *)req->ruri_raw.p,
		       req->ruri_raw.l);
	err = err ? err
		  : tsx_copy(&parts->to, (const uint8_t *)to->val.p, to->val.l);
	err = err ? err : mbuf_alloc(&parts->hdrs, 256);
	err = err ? err : hdr_write(parts->hdrs, "Via", &req->via.val);
	err = err ? err : hdr_write_one(parts->hdrs, req, SIP_HDR_FROM, "From");
	err = err ? err : hdr_write(parts->hdrs, "Call-ID", &req->callid);
	err =
	    err ? err : hdr_write_all(parts->hdrs, req, SIP_HDR_ROUTE, "Route");
	if (err)
		mem_deref(parts);
	else
		*partsp = parts;
	return err;
}

static int build_req(struct mbuf **mbp, const struct tsx_parts *parts,
		     const char *method, const struct pl *to, const char *reason)
{
	struct mbuf *mb = NULL;
	int err;

	err = mbuf_alloc(&mb, parts->hdrs->end + 256);
	if (err)
		return err;
	err = mbuf_printf(mb, "%s ", method);
	err =
	    err ? err : mbuf_write_mem(mb, parts->ruri->buf, parts->ruri->end);
	err = err ? err : mbuf_write_str(mb, " SIP/2.0\r\n");
	err =
	    err ? err : mbuf_write_mem(mb, parts->hdrs->buf, parts->hdrs->end);
	err = err ? err : hdr_write(mb, "To", to);
	if (!err && reason) /* RFC 3326 */
		err = mbuf_printf(mb, "Reason: %s\r\n", reason);
	err = err ? err
		  : mbuf_printf(mb,
				"CSeq: %u %s\r\n"
				"Max-Forwards: %u\r\n"
				"Content-Length: 0\r\n\r\n",
				parts->cseq, method, TSX_MAX_FORWARDS);
	if (err)
		mem_deref(mb);
	else
		*mbp = mb;
	return err;
}

/* §17.1.1.3: the To of the ACK is the To of the response (with its tag). */
int tsx_build_ack(struct mbuf **mbp, const struct tsx_parts *parts,
		  const struct sip_msg *resp)
{
	const struct sip_hdr *to = sip_msg_hdr(resp, SIP_HDR_TO);

	if (!to)
		return EBADMSG;
	return build_req(mbp, parts, "ACK", &to->val, NULL);
}

/* §9.1: To identical to the request's (no tag unless it had one). */
int tsx_build_cancel(struct mbuf **mbp, const struct tsx_parts *parts,
		     const char *reason)
{
	struct pl to = {(const char *)parts->to->buf, parts->to->end};

	return build_req(mbp, parts, "CANCEL", &to, reason);
}
