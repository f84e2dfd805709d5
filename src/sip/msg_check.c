/* msg_check.c: the checks a server runs on a request before anything else
 * (RFC 3261 §8.2, §16.3, §20; RFC 4475 §3.1.2, §3.3). */
#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* Headers that may appear once only (RFC 3261 §7.3.1, §20). */
static const enum sip_hdr_id single_hdrs[] = {
    SIP_HDR_FROM,           SIP_HDR_TO,           SIP_HDR_CALL_ID, SIP_HDR_CSEQ,
    SIP_HDR_CONTENT_LENGTH, SIP_HDR_MAX_FORWARDS,
};

static const char *const single_why[] = {
    "Multiple From headers",           "Multiple To headers",
    "Multiple Call-ID headers",        "Multiple CSeq headers",
    "Multiple Content-Length headers", "Multiple Max-Forwards headers",
};

/* Mandatory in every message (RFC 3261 §8.1.1); Max-Forwards is tolerated
 * when absent (RFC 2543 peers, RFC 4475 §3.4.1). */
static const enum sip_hdr_id mandatory_hdrs[] = {
    SIP_HDR_VIA, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CALL_ID, SIP_HDR_CSEQ,
};

static const char *const mandatory_why[] = {
    "Missing Via header",     "Missing From header", "Missing To header",
    "Missing Call-ID header", "Missing CSeq header",
};

bool sip_msg_can_reply(const struct sip_msg *msg)
{
	const struct sip_hdr *from, *to, *cseq;

	if (!msg || !msg->req)
		return false;
	from = sip_msg_hdr(msg, SIP_HDR_FROM);
	to = sip_msg_hdr(msg, SIP_HDR_TO);
	/* The response copies the CSeq value as written (§8.2.6.2), so a
	 * malformed one ("CSeq: x OPTIONS") can still be answered 400. */
	cseq = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	return pl_isset(&msg->via.proto) && pl_isset(&msg->via.host) &&
	       from && from->val.l && to && to->val.l &&
	       pl_isset(&msg->callid) && cseq && cseq->val.l;
}

static bool scheme_ok(const struct pl *s)
{
	return !pl_strcasecmp(s, "sip") || !pl_strcasecmp(s, "sips") ||
	       !pl_strcasecmp(s, "tel");
}

/* Contact values must decode; "*" only in REGISTER (RFC 3261 §10.2.2). */
static bool contacts_ok(const struct sip_msg *msg)
{
	const struct sip_hdr *h = NULL;
	struct sip_addr a;

	while ((h = sip_msg_hdr_next(msg, h, SIP_HDR_CONTACT)) != NULL) {
		if (h->val.l == 1 && h->val.p[0] == '*' &&
		    !pl_strcmp(&msg->method, "REGISTER"))
			continue;
		if (sip_addr_decode(&a, &h->val))
			return false;
	}
	return true;
}

static int check_request(const struct sip_msg *msg, uint16_t *scodep,
                         const char **reasonp)
{
	int err = EBADMSG;

	/* RFC 3261 §8.2.2.1 */
	if (!scheme_ok(&msg->ruri.scheme)) {
		*scodep = 416;
		*reasonp = "Unsupported URI Scheme";
		goto out;
	}
	*scodep = 400;
	/* Method names are case-sensitive (RFC 3261 §7.1, §20.16). */
	if (!pl_eq(&msg->cseq.method, &msg->method)) {
		*reasonp = "CSeq method does not match";
		goto out;
	}
	/* RFC 3261 §19.1.1 table: no headers in a Request-URI
	 * (RFC 4475 §3.1.2.11). */
	if (msg->ruri.headers.l) {
		*reasonp = "Bad Request-URI";
		goto out;
	}
	if (!contacts_ok(msg)) {
		*reasonp = "Bad Contact header";
		goto out;
	}
	/* RFC 3261 §16.3 item 3 */
	if (msg->has_max_forwards && msg->max_forwards == 0) {
		*scodep = 483;
		*reasonp = "Too Many Hops";
		goto out;
	}
	err = 0;
out:
	return err;
}

int sip_msg_check(const struct sip_msg *msg, uint16_t *scodep,
                  const char **reasonp)
{
	const char *why = NULL;
	uint16_t scode = 400;
	size_t i;
	int err = EBADMSG;

	if (!msg || !scodep || !reasonp)
		return EINVAL;
	if (msg->err) {
		why = msg->err;
		goto out;
	}
	/* RFC 3261 §8.2.2 ... §21.5.6 */
	if (pl_strcasecmp(&msg->ver, "SIP/2.0")) {
		scode = 505;
		why = "Version Not Supported";
		goto out;
	}
	for (i = 0; i < SC_ARRAY_SIZE(mandatory_hdrs); i++) {
		if (!sip_msg_hdr(msg, mandatory_hdrs[i])) {
			why = mandatory_why[i];
			goto out;
		}
	}
	/* RFC 4475 §3.3.8, §3.3.9: the same field twice with different
	 * values cannot be interpreted. */
	for (i = 0; i < SC_ARRAY_SIZE(single_hdrs); i++) {
		const struct sip_hdr *first = sip_msg_hdr(msg, single_hdrs[i]);
		const struct sip_hdr *h = first;

		while (h && (h = sip_msg_hdr_next(msg, h, single_hdrs[i]))) {
			if (!pl_eq(&h->val, &first->val)) {
				why = single_why[i];
				goto out;
			}
		}
	}
	if (msg->req) {
		err = check_request(msg, &scode, &why);
		goto out;
	}
	err = 0;
out:
	*scodep = err ? scode : 0;
	*reasonp = err ? why : NULL;
	return err;
}
