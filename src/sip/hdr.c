/* hdr.c: header field names, full and compact (RFC 3261 §7.3.3, §20 and
 * the IANA SIP header registry), looked up through a perfect hash. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/msg_int.h"

struct hdr_def {
	const char *name; /* as matched, lower case: full or compact form */
	size_t len;
	enum sip_hdr_id id;
	bool list;         /* value is a comma-separated list (#rule) */
	const char *canon; /* the full name */
};

/* Generated offline: a collision-free hash of (length, first, middle and
 * last byte, lower-cased) over every name below; one strncasecmp confirms. */
#define HDR_HASH_SIZE 256
#define HDR_HASH(n, f, m, l)                                                   \
	(((n)*46u + (f)*77u + (m)*60u + (l)) % HDR_HASH_SIZE)

static const struct hdr_def hdr_table[HDR_HASH_SIZE] = {
    [0] = {"path", 4, SIP_HDR_OTHER, true, "Path"},
    [1] = {"route", 5, SIP_HDR_ROUTE, true, "Route"},
    [2] = {"b", 1, SIP_HDR_REFERRED_BY, false, "Referred-By"},
    [3] = {"p-asserted-identity", 19, SIP_HDR_P_ASSERTED_IDENTITY, true,
           "P-Asserted-Identity"},
    [4] = {"o", 1, SIP_HDR_EVENT, false, "Event"},
    [5] = {"via", 3, SIP_HDR_VIA, true, "Via"},
    [22] = {"d", 1, SIP_HDR_OTHER, true, "Request-Disposition"},
    [23] = {"security-server", 15, SIP_HDR_OTHER, true, "Security-Server"},
    [25] = {"security-client", 15, SIP_HDR_OTHER, true, "Security-Client"},
    [28] = {"max-forwards", 12, SIP_HDR_MAX_FORWARDS, false, "Max-Forwards"},
    [30] = {"security-verify", 15, SIP_HDR_OTHER, true, "Security-Verify"},
    [35] = {"proxy-require", 13, SIP_HDR_PROXY_REQUIRE, true, "Proxy-Require"},
    [37] = {"subject", 7, SIP_HDR_SUBJECT, false, "Subject"},
    [40] = {"error-info", 10, SIP_HDR_OTHER, true, "Error-Info"},
    [42] = {"f", 1, SIP_HDR_FROM, false, "From"},
    [44] = {"s", 1, SIP_HDR_SUBJECT, false, "Subject"},
    [45] = {"user-agent", 10, SIP_HDR_USER_AGENT, false, "User-Agent"},
    [49] = {"p-preferred-identity", 20, SIP_HDR_OTHER, true,
            "P-Preferred-Identity"},
    [59] = {"history-info", 12, SIP_HDR_OTHER, true, "History-Info"},
    [60] = {"warning", 7, SIP_HDR_OTHER, true, "Warning"},
    [62] = {"in-reply-to", 11, SIP_HDR_OTHER, true, "In-Reply-To"},
    [63] = {"content-length", 14, SIP_HDR_CONTENT_LENGTH, false,
            "Content-Length"},
    [64] = {"u", 1, SIP_HDR_OTHER, true, "Allow-Events"},
    [66] = {"retry-after", 11, SIP_HDR_RETRY_AFTER, false, "Retry-After"},
    [72] = {"session-expires", 15, SIP_HDR_SESSION_EXPIRES, false,
            "Session-Expires"},
    [82] = {"j", 1, SIP_HDR_OTHER, true, "Reject-Contact"},
    [86] = {"min-expires", 11, SIP_HDR_MIN_EXPIRES, false, "Min-Expires"},
    [89] = {"accept-contact", 14, SIP_HDR_OTHER, true, "Accept-Contact"},
    [92] = {"content-language", 16, SIP_HDR_OTHER, true, "Content-Language"},
    [93] = {"require", 7, SIP_HDR_REQUIRE, true, "Require"},
    [96] = {"call-info", 9, SIP_HDR_OTHER, true, "Call-Info"},
    [97] = {"accept", 6, SIP_HDR_ACCEPT, true, "Accept"},
    [99] = {"record-route", 12, SIP_HDR_RECORD_ROUTE, true, "Record-Route"},
    [102] = {"l", 1, SIP_HDR_CONTENT_LENGTH, false, "Content-Length"},
    [103] = {"event", 5, SIP_HDR_EVENT, false, "Event"},
    [104] = {"y", 1, SIP_HDR_OTHER, false, "Identity"},
    [116] = {"allow-events", 12, SIP_HDR_OTHER, true, "Allow-Events"},
    [117] = {"referred-by", 11, SIP_HDR_REFERRED_BY, false, "Referred-By"},
    [118] = {"reject-contact", 14, SIP_HDR_OTHER, true, "Reject-Contact"},
    [120] = {"a", 1, SIP_HDR_OTHER, true, "Accept-Contact"},
    [122] = {"n", 1, SIP_HDR_OTHER, false, "Identity-Info"},
    [132] = {"content-type", 12, SIP_HDR_CONTENT_TYPE, false, "Content-Type"},
    [138] = {"identity-info", 13, SIP_HDR_OTHER, false, "Identity-Info"},
    [140] = {"c", 1, SIP_HDR_CONTENT_TYPE, false, "Content-Type"},
    [141] = {"authorization", 13, SIP_HDR_AUTHORIZATION, false,
             "Authorization"},
    [148] = {"accept-language", 15, SIP_HDR_OTHER, true, "Accept-Language"},
    [156] = {"cseq", 4, SIP_HDR_CSEQ, false, "CSeq"},
    [157] = {"supported", 9, SIP_HDR_SUPPORTED, true, "Supported"},
    [160] = {"e", 1, SIP_HDR_CONTENT_ENCODING, true, "Content-Encoding"},
    [162] = {"r", 1, SIP_HDR_REFER_TO, false, "Refer-To"},
    [173] = {"contact", 7, SIP_HDR_CONTACT, true, "Contact"},
    [174] = {"identity", 8, SIP_HDR_OTHER, false, "Identity"},
    [177] = {"proxy-authenticate", 18, SIP_HDR_PROXY_AUTHENTICATE, false,
             "Proxy-Authenticate"},
    [178] = {"expires", 7, SIP_HDR_EXPIRES, false, "Expires"},
    [179] = {"to", 2, SIP_HDR_TO, false, "To"},
    [182] = {"t", 1, SIP_HDR_TO, false, "To"},
    [186] = {"content-encoding", 16, SIP_HDR_CONTENT_ENCODING, true,
             "Content-Encoding"},
    [188] = {"www-authenticate", 16, SIP_HDR_WWW_AUTHENTICATE, false,
             "WWW-Authenticate"},
    [189] = {"call-id", 7, SIP_HDR_CALL_ID, false, "Call-ID"},
    [190] = {"request-disposition", 19, SIP_HDR_OTHER, true,
             "Request-Disposition"},
    [192] = {"reason", 6, SIP_HDR_REASON, true, "Reason"},
    [197] = {"server", 6, SIP_HDR_SERVER, false, "Server"},
    [200] = {"i", 1, SIP_HDR_CALL_ID, false, "Call-ID"},
    [202] = {"v", 1, SIP_HDR_VIA, true, "Via"},
    [206] = {"min-se", 6, SIP_HDR_MIN_SE, false, "Min-SE"},
    [207] = {"unsupported", 11, SIP_HDR_UNSUPPORTED, true, "Unsupported"},
    [215] = {"from", 4, SIP_HDR_FROM, false, "From"},
    [218] = {"allow", 5, SIP_HDR_ALLOW, true, "Allow"},
    [220] = {"k", 1, SIP_HDR_SUPPORTED, true, "Supported"},
    [222] = {"x", 1, SIP_HDR_SESSION_EXPIRES, false, "Session-Expires"},
    [225] = {"refer-to", 8, SIP_HDR_REFER_TO, false, "Refer-To"},
    [232] = {"proxy-authorization", 19, SIP_HDR_PROXY_AUTHORIZATION, false,
             "Proxy-Authorization"},
    [233] = {"replaces", 8, SIP_HDR_REPLACES, false, "Replaces"},
    [240] = {"m", 1, SIP_HDR_CONTACT, true, "Contact"},
    [242] = {"accept-encoding", 15, SIP_HDR_OTHER, true, "Accept-Encoding"},
    [244] = {"alert-info", 10, SIP_HDR_OTHER, true, "Alert-Info"},
    [254] = {"service-route", 13, SIP_HDR_OTHER, true, "Service-Route"},
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
	if (!d->name || d->len != n)
		return NULL;
	for (h = 0; h < n; h++)
		if (sip_lower(p[h]) != d->name[h])
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

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg, enum sip_hdr_id id)
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
