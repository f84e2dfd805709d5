/* tsx_build.c: messages the transaction layer makes itself: 100 Trying,
 * stateless errors (RFC 3261 §8.2.6), ACK (§17.1.1.3) and CANCEL (§9.1). */
#include <errno.h>
#include <string.h>

#include "sip/tsx_int.h"

/* Max-Forwards of the requests the layer builds (§8.1.1.6). */
#define TSX_MAX_FORWARDS 70
/* Length of the To tag added to stateless responses (§19.3: 32 bits of
 * randomness at least; 16 alphanumerics carry 95). */
#define TSX_TAG_LEN 16

static const struct sip_hdr *hdr_first(const struct sip_msg *msg,
				       enum sip_hdr_id id)
{
	size_t i;

	for (i = 0; i < msg->hdrc && i < SIP_HDR_MAX; i++) {
		if (msg->hdrv[i].id == id)
			return &msg->hdrv[i];
	}
	return NULL;
}

static int hdr_write(struct mbuf *mb, const char *name, const struct pl *val)
{
	return mbuf_printf(mb, "%s: %.*s\r\n", name, PL_FMT(val));
}

/* Writes every header of id (in order) under the canonical name. */
static int hdr_write_all(struct mbuf *mb, const struct sip_msg *msg,
			 enum sip_hdr_id id, const char *name)
{
	size_t i;
	int err = 0;

	for (i = 0; i < msg->hdrc && i < SIP_HDR_MAX && !err; i++) {
		if (msg->hdrv[i].id == id)
			err = hdr_write(mb, name, &msg->hdrv[i].val);
	}
	return err;
}

static int hdr_write_one(struct mbuf *mb, const struct sip_msg *msg,
			 enum sip_hdr_id id, const char *name)
{
	const struct sip_hdr *hdr = hdr_first(msg, id);

	if (!hdr)
		return EBADMSG;
	return hdr_write(mb, name, &hdr->val);
}

/* §8.2.6.1: a 100 copies Timestamp; it is not a known header id. */
static int timestamp_write(struct mbuf *mb, const struct sip_msg *msg)
{
	size_t i;

	for (i = 0; i < msg->hdrc && i < SIP_HDR_MAX; i++) {
		const struct sip_hdr *h = &msg->hdrv[i];

		if (h->id == SIP_HDR_OTHER && !pl_strcasecmp(&h->name,
							      "Timestamp"))
			return hdr_write(mb, "Timestamp", &h->val);
	}
	return 0;
}

/*
 * §8.2.6.2: Via (all, in order), From, To, Call-ID and CSeq copied from the
 * request; a To tag added to anything but a 100 when the request had none.
 * Returns 0, EBADMSG (a header missing from req) or ENOMEM.
 */
int tsx_build_reply(struct mbuf **mbp, const struct sip_msg *req,
		    uint16_t scode, const char *reason)
{
	struct mbuf *mb = NULL;
	const struct sip_hdr *to = hdr_first(req, SIP_HDR_TO);
	int err;

	if (!to)
		return EBADMSG;
	err = mbuf_alloc(&mb, 512);
	if (err)
		return err;
	err = mbuf_printf(mb, "SIP/2.0 %u %s\r\n", scode, reason);
	err = err ? err : hdr_write_all(mb, req, SIP_HDR_VIA, "Via");
	err = err ? err : hdr_write_one(mb, req, SIP_HDR_FROM, "From");
	if (!err && scode > 100 && !pl_isset(&req->to.tag)) {
		char tag[TSX_TAG_LEN + 1];

		rand_token(tag, sizeof(tag));
		err = mbuf_printf(mb, "To: %.*s;tag=%s\r\n", PL_FMT(&to->val),
				  tag);
	} else if (!err)
		err = hdr_write(mb, "To", &to->val);
	err = err ? err : hdr_write(mb, "Call-ID", &req->callid);
	err = err ? err
		  : mbuf_printf(mb, "CSeq: %u %.*s\r\n", req->cseq.num,
				PL_FMT(&req->cseq.method));
	if (!err && scode == 100)
		err = timestamp_write(mb, req);
	err = err ? err : mbuf_write_str(mb, "Content-Length: 0\r\n\r\n");
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
	const struct sip_hdr *to = hdr_first(req, SIP_HDR_TO);
	struct tsx_parts *parts;
	int err;

	if (!to || !pl_isset(&req->via.val) || !pl_isset(&req->ruri_raw))
		return EBADMSG;
	parts = mem_zalloc(sizeof(*parts), parts_destroy);
	if (!parts)
		return ENOMEM;
	parts->cseq = req->cseq.num;
	err = pl_strdup(&parts->ruri, &req->ruri_raw);
	err = err ? err : pl_strdup(&parts->to, &to->val);
	err = err ? err : mbuf_alloc(&parts->hdrs, 256);
	err = err ? err : hdr_write(parts->hdrs, "Via", &req->via.val);
	err = err ? err : hdr_write_one(parts->hdrs, req, SIP_HDR_FROM, "From");
	err = err ? err : hdr_write(parts->hdrs, "Call-ID", &req->callid);
	err = err ? err : hdr_write_all(parts->hdrs, req, SIP_HDR_ROUTE,
					"Route");
	if (err)
		mem_deref(parts);
	else
		*partsp = parts;
	return err;
}

static int build_req(struct mbuf **mbp, const struct tsx_parts *parts,
		     const char *method, const struct pl *to)
{
	struct mbuf *mb = NULL;
	int err;

	err = mbuf_alloc(&mb, parts->hdrs->end + 256);
	if (err)
		return err;
	err = mbuf_printf(mb, "%s %s SIP/2.0\r\n", method, parts->ruri);
	err = err ? err : mbuf_write_mem(mb, parts->hdrs->buf, parts->hdrs->end);
	err = err ? err : hdr_write(mb, "To", to);
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
	const struct sip_hdr *to = hdr_first(resp, SIP_HDR_TO);

	if (!to)
		return EBADMSG;
	return build_req(mbp, parts, "ACK", &to->val);
}

/* §9.1: To identical to the request's (no tag unless it had one). */
int tsx_build_cancel(struct mbuf **mbp, const struct tsx_parts *parts)
{
	struct pl to;

	pl_set_str(&to, parts->to);
	return build_req(mbp, parts, "CANCEL", &to);
}
