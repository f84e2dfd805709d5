/* hdr.c: header field names, full and compact (RFC 3261 §7.3.3, §20 and
 * the IANA SIP header registry), looked up through a perfect hash. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/msg_int.h"

struct hdr_def {
	const char *name; /* as matched: full or compact form */
	size_t len;
	enum sip_hdr_id id;
	bool list;	   /* value is a comma-separated list (#rule) */
	const char *canon; /* the full name */
};

/* Generated offline: a collision-free hash of (length, first, middle and
 * last byte, lower-cased) over every name below; one strncasecmp confirms. */
#define HDR_HASH_SIZE 256
#define HDR_HASH(n, f, m, l) \
	(((n) * 46u + (f) * 77u + (m) * 60u + (l)) % HDR_HASH_SIZE)

static const struct hdr_def hdr_table[HDR_HASH_SIZE] = {
	[0] = {"Path", 4, SIP_HDR_OTHER, true, "Path"},
	[1] = {"Route", 5, SIP_HDR_ROUTE, true, "Route"},
	[2] = {"b", 1, SIP_HDR_REFERRED_BY, false, "Referred-By"},
	[3] = {"P-Asserted-Identity", 19, SIP_HDR_P_ASSERTED_IDENTITY, true, "P-Asserted-Identity"},
	[4] = {"o", 1, SIP_HDR_EVENT, false, "Event"},
	[5] = {"Via", 3, SIP_HDR_VIA, true, "Via"},
	[22] = {"d", 1, SIP_HDR_OTHER, true, "Request-Disposition"},
	[23] = {"Security-Server", 15, SIP_HDR_OTHER, true, "Security-Server"},
	[25] = {"Security-Client", 15, SIP_HDR_OTHER, true, "Security-Client"},
	[28] = {"Max-Forwards", 12, SIP_HDR_MAX_FORWARDS, false, "Max-Forwards"},
	[30] = {"Security-Verify", 15, SIP_HDR_OTHER, true, "Security-Verify"},
	[35] = {"Proxy-Require", 13, SIP_HDR_PROXY_REQUIRE, true, "Proxy-Require"},
	[37] = {"Subject", 7, SIP_HDR_SUBJECT, false, "Subject"},
	[40] = {"Error-Info", 10, SIP_HDR_OTHER, true, "Error-Info"},
	[42] = {"f", 1, SIP_HDR_FROM, false, "From"},
	[44] = {"s", 1, SIP_HDR_SUBJECT, false, "Subject"},
	[45] = {"User-Agent", 10, SIP_HDR_USER_AGENT, false, "User-Agent"},
	[49] = {"P-Preferred-Identity", 20, SIP_HDR_OTHER, true, "P-Preferred-Identity"},
	[59] = {"History-Info", 12, SIP_HDR_OTHER, true, "History-Info"},
	[60] = {"Warning", 7, SIP_HDR_OTHER, true, "Warning"},
	[62] = {"In-Reply-To", 11, SIP_HDR_OTHER, true, "In-Reply-To"},
	[63] = {"Content-Length", 14, SIP_HDR_CONTENT_LENGTH, false, "Content-Length"},
	[64] = {"u", 1, SIP_HDR_OTHER, true, "Allow-Events"},
	[66] = {"Retry-After", 11, SIP_HDR_RETRY_AFTER, false, "Retry-After"},
	[72] = {"Session-Expires", 15, SIP_HDR_SESSION_EXPIRES, false, "Session-Expires"},
	[82] = {"j", 1, SIP_HDR_OTHER, true, "Reject-Contact"},
	[86] = {"Min-Expires", 11, SIP_HDR_MIN_EXPIRES, false, "Min-Expires"},
	[89] = {"Accept-Contact", 14, SIP_HDR_OTHER, true, "Accept-Contact"},
	[92] = {"Content-Language", 16, SIP_HDR_OTHER, true, "Content-Language"},
	[93] = {"Require", 7, SIP_HDR_REQUIRE, true, "Require"},
	[96] = {"Call-Info", 9, SIP_HDR_OTHER, true, "Call-Info"},
	[97] = {"Accept", 6, SIP_HDR_ACCEPT, true, "Accept"},
	[99] = {"Record-Route", 12, SIP_HDR_RECORD_ROUTE, true, "Record-Route"},
	[102] = {"l", 1, SIP_HDR_CONTENT_LENGTH, false, "Content-Length"},
	[103] = {"Event", 5, SIP_HDR_EVENT, false, "Event"},
	[104] = {"y", 1, SIP_HDR_OTHER, false, "Identity"},
	[116] = {"Allow-Events", 12, SIP_HDR_OTHER, true, "Allow-Events"},
	[117] = {"Referred-By", 11, SIP_HDR_REFERRED_BY, false, "Referred-By"},
	[118] = {"Reject-Contact", 14, SIP_HDR_OTHER, true, "Reject-Contact"},
	[120] = {"a", 1, SIP_HDR_OTHER, true, "Accept-Contact"},
	[122] = {"n", 1, SIP_HDR_OTHER, false, "Identity-Info"},
	[132] = {"Content-Type", 12, SIP_HDR_CONTENT_TYPE, false, "Content-Type"},
	[138] = {"Identity-Info", 13, SIP_HDR_OTHER, false, "Identity-Info"},
	[140] = {"c", 1, SIP_HDR_CONTENT_TYPE, false, "Content-Type"},
	[141] = {"Authorization", 13, SIP_HDR_AUTHORIZATION, false, "Authorization"},
	[148] = {"Accept-Language", 15, SIP_HDR_OTHER, true, "Accept-Language"},
	[156] = {"CSeq", 4, SIP_HDR_CSEQ, false, "CSeq"},
	[157] = {"Supported", 9, SIP_HDR_SUPPORTED, true, "Supported"},
	[160] = {"e", 1, SIP_HDR_CONTENT_ENCODING, true, "Content-Encoding"},
	[162] = {"r", 1, SIP_HDR_REFER_TO, false, "Refer-To"},
	[173] = {"Contact", 7, SIP_HDR_CONTACT, true, "Contact"},
	[174] = {"Identity", 8, SIP_HDR_OTHER, false, "Identity"},
	[177] = {"Proxy-Authenticate", 18, SIP_HDR_PROXY_AUTHENTICATE, false, "Proxy-Authenticate"},
	[178] = {"Expires", 7, SIP_HDR_EXPIRES, false, "Expires"},
	[179] = {"To", 2, SIP_HDR_TO, false, "To"},
	[182] = {"t", 1, SIP_HDR_TO, false, "To"},
	[186] = {"Content-Encoding", 16, SIP_HDR_CONTENT_ENCODING, true, "Content-Encoding"},
	[188] = {"WWW-Authenticate", 16, SIP_HDR_WWW_AUTHENTICATE, false, "WWW-Authenticate"},
	[189] = {"Call-ID", 7, SIP_HDR_CALL_ID, false, "Call-ID"},
	[190] = {"Request-Disposition", 19, SIP_HDR_OTHER, true, "Request-Disposition"},
	[192] = {"Reason", 6, SIP_HDR_REASON, true, "Reason"},
	[197] = {"Server", 6, SIP_HDR_SERVER, false, "Server"},
	[200] = {"i", 1, SIP_HDR_CALL_ID, false, "Call-ID"},
	[202] = {"v", 1, SIP_HDR_VIA, true, "Via"},
	[206] = {"Min-SE", 6, SIP_HDR_MIN_SE, false, "Min-SE"},
	[207] = {"Unsupported", 11, SIP_HDR_UNSUPPORTED, true, "Unsupported"},
	[215] = {"From", 4, SIP_HDR_FROM, false, "From"},
	[218] = {"Allow", 5, SIP_HDR_ALLOW, true, "Allow"},
	[220] = {"k", 1, SIP_HDR_SUPPORTED, true, "Supported"},
	[222] = {"x", 1, SIP_HDR_SESSION_EXPIRES, false, "Session-Expires"},
	[225] = {"Refer-To", 8, SIP_HDR_REFER_TO, false, "Refer-To"},
	[232] = {"Proxy-Authorization", 19, SIP_HDR_PROXY_AUTHORIZATION, false, "Proxy-Authorization"},
	[233] = {"Replaces", 8, SIP_HDR_REPLACES, false, "Replaces"},
	[240] = {"m", 1, SIP_HDR_CONTACT, true, "Contact"},
	[242] = {"Accept-Encoding", 15, SIP_HDR_OTHER, true, "Accept-Encoding"},
	[244] = {"Alert-Info", 10, SIP_HDR_OTHER, true, "Alert-Info"},
	[254] = {"Service-Route", 13, SIP_HDR_OTHER, true, "Service-Route"},
};

static const struct hdr_def *hdr_find(const char *p, size_t n)
{
	const struct hdr_def *d;
	unsigned h;

	if (!n)
		return NULL;
	h = HDR_HASH((unsigned)n, (unsigned)(uint8_t)(p[0] | 0x20),
		     (unsigned)(uint8_t)(p[n >> 1] | 0x20),
		     (unsigned)(uint8_t)(p[n - 1] | 0x20));
	d = &hdr_table[h];
	if (!d->name || d->len != n || strncasecmp(d->name, p, n))
		return NULL;
	return d;
}

enum sip_hdr_id sip_hdr_lookup_list(const char *p, size_t n, bool *listp)
{
	const struct hdr_def *d = hdr_find(p, n);

	*listp = d ? d->list : false;
	return d ? d->id : SIP_HDR_OTHER;
}

enum sip_hdr_id sip_hdr_lookup(const struct pl *name)
{
	const struct hdr_def *d;

	if (!name || !name->p)
		return SIP_HDR_OTHER;
	d = hdr_find(name->p, name->l);
	return d ? d->id : SIP_HDR_OTHER;
}

const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *msg,
				       const struct sip_hdr *prev,
				       enum sip_hdr_id id)
{
	size_t i;

	if (!msg)
		return NULL;
	i = prev ? (size_t)(prev - msg->hdrv) + 1 : 0;
	for (; i < msg->hdrc; i++)
		if (msg->hdrv[i].id == id)
			return &msg->hdrv[i];
	return NULL;
}

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg,
				  enum sip_hdr_id id)
{
	return sip_msg_hdr_next(msg, NULL, id);
}

const struct sip_hdr *sip_msg_hdr_named(const struct sip_msg *msg,
					const char *name)
{
	const struct hdr_def *q, *d;
	size_t i, n;

	if (!msg || !name)
		return NULL;
	n = strlen(name);
	q = hdr_find(name, n);
	if (q && q->id != SIP_HDR_OTHER)
		return sip_msg_hdr(msg, q->id);
	for (i = 0; i < msg->hdrc; i++) {
		const struct sip_hdr *h = &msg->hdrv[i];

		if (h->id != SIP_HDR_OTHER)
			continue;
		if (h->name.l == n && !strncasecmp(h->name.p, name, n))
			return h;
		/* the other form (compact or full) of a registered name */
		if (q && (d = hdr_find(h->name.p, h->name.l)) != NULL &&
		    !strcmp(d->canon, q->canon))
			return h;
	}
	return NULL;
}
