/* ws_call.c: the SIP requests and response fields of wsload's call mode:
 * an INVITE carrying a Chrome-like WebRTC offer (RFC 3261 13.2.1, RFC 8829
 * 5.2, RFC 8842), ACK (RFC 3261 17.1.1.3 for a non-2xx, 13.2.2.4 for a 2xx)
 * and BYE (15.1.1) over WebSocket (RFC 7118 5), plus the To tag and Contact
 * URI picked from a response. Pure byte code, no allocation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wsload.h"

/* Allow list and SDP of Chrome 120 through JsSIP (RFC 8829 5.2.1): one
 * audio m-line, BUNDLE, rtcp-mux, Opus/PCMU/PCMA/telephone-event. */
#define CALL_ALLOW                                                             \
	"INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY"
#define CALL_FPR                                                               \
	"sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:" \
	"3A:7B:0C:C3:52:3C:9E:1B:64:6E:0F:41"

int wsload_sdp_offer(char *buf, size_t size, size_t *lenp,
		     const struct wsload_sdp_req *req)
{
	int n;

	if (!buf || !lenp || !req || !req->ufrag || !req->pwd)
		return EINVAL;
	n = snprintf(
	    buf, size,
	    "v=0\r\n"
	    "o=- %llu 2 IN IP4 127.0.0.1\r\n"
	    "s=-\r\n"
	    "t=0 0\r\n"
	    "a=group:BUNDLE 0\r\n"
	    "a=extmap-allow-mixed\r\n"
	    "a=msid-semantic: WMS %s\r\n"
	    "m=audio %u UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
	    "c=IN IP4 127.0.0.1\r\n"
	    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
	    "a=candidate:%u 1 udp 2122260223 127.0.0.1 %u typ host "
	    "generation 0 network-id 1\r\n"
	    "a=ice-ufrag:%s\r\n"
	    "a=ice-pwd:%s\r\n"
	    "a=ice-options:trickle\r\n"
	    "a=fingerprint:" CALL_FPR "\r\n"
	    "a=setup:actpass\r\n"
	    "a=mid:0\r\n"
	    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
	    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/"
	    "abs-send-time\r\n"
	    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
	    "a=sendrecv\r\n"
	    "a=msid:%s %s-a\r\n"
	    "a=rtcp-mux\r\n"
	    "a=rtpmap:111 opus/48000/2\r\n"
	    "a=rtcp-fb:111 transport-cc\r\n"
	    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	    "a=rtpmap:63 red/48000/2\r\n"
	    "a=fmtp:63 111/111\r\n"
	    "a=rtpmap:9 G722/8000\r\n"
	    "a=rtpmap:0 PCMU/8000\r\n"
	    "a=rtpmap:8 PCMA/8000\r\n"
	    "a=rtpmap:13 CN/8000\r\n"
	    "a=rtpmap:110 telephone-event/48000\r\n"
	    "a=rtpmap:126 telephone-event/8000\r\n"
	    "a=ssrc:%u cname:%s\r\n"
	    "a=ssrc:%u msid:%s %s-a\r\n",
	    (unsigned long long)req->sess_id, req->ufrag, (unsigned)req->port,
	    (unsigned)req->ssrc, (unsigned)req->port, req->ufrag, req->pwd,
	    req->ufrag, req->ufrag, (unsigned)req->ssrc, req->ufrag,
	    (unsigned)req->ssrc, req->ufrag, req->ufrag);
	if (n < 0 || (size_t)n >= size)
		return EOVERFLOW;
	*lenp = (size_t)n;
	return 0;
}

static const char *call_method(enum wsload_call_method m)
{
	switch (m) {
	case WSLOAD_CALL_INVITE:
		return "INVITE";
	case WSLOAD_CALL_ACK:
		return "ACK";
	default:
		return "BYE";
	}
}

int wsload_sip_call(char *buf, size_t size, size_t *lenp,
		    const struct wsload_call_req *req)
{
	const char *m;
	char ruri[WSLOAD_URI_MAX];
	size_t blen;
	int n;

	if (!buf || !lenp || !req || !req->domain || !req->user ||
	    !req->target || !req->callid || !req->tag ||
	    (req->method == WSLOAD_CALL_INVITE && !req->sdp))
		return EINVAL;
	m = call_method(req->method);
	blen = req->method == WSLOAD_CALL_INVITE ? strlen(req->sdp) : 0;
	/* RFC 3261 12.2.1.1: in the dialog the Request-URI is the remote
	 * target (the Contact of the 2xx); before it, the dialled number. */
	if (req->ruri)
		n = snprintf(ruri, sizeof(ruri), "%s", req->ruri);
	else
		n = snprintf(ruri, sizeof(ruri), "sip:%s@%s", req->target,
			     req->domain);
	if (n < 0 || (size_t)n >= sizeof(ruri))
		return EOVERFLOW;
	/* RFC 3261 17.1.1.3: the ACK of a non-2xx has the INVITE's branch;
	 * branch_ext tells a 2xx ACK's new transaction apart (13.2.2.4). */
	n = snprintf(
	    buf, size,
	    "%s %s SIP/2.0\r\n"
	    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK%s%x%x%s\r\n"
	    "Max-Forwards: 70\r\n"
	    "To: <sip:%s@%s>%s%s\r\n"
	    "From: <sip:%s@%s>;tag=%s\r\n"
	    "Call-ID: %s\r\n"
	    "CSeq: %u %s\r\n"
	    "%s%s%s"
	    "%s%s%s"
	    "%s"
	    "User-Agent: wsload\r\n"
	    "%s"
	    "Content-Length: %zu\r\n"
	    "\r\n"
	    "%s",
	    m, ruri, req->tag, (unsigned)req->conn_id, (unsigned)req->cseq,
	    req->branch_ext ? req->branch_ext : "", req->target, req->domain,
	    req->to_tag ? ";tag=" : "", req->to_tag ? req->to_tag : "",
	    req->user, req->domain, req->tag, req->callid, (unsigned)req->cseq,
	    m, req->route ? "Route: " : "", req->route ? req->route : "",
	    req->route ? "\r\n" : "", req->auth ? "Authorization: " : "",
	    req->auth ? req->auth : "", req->auth ? "\r\n" : "",
	    req->method == WSLOAD_CALL_INVITE
		? "Contact: <sip:wsload@abc.invalid;transport=ws;ob>\r\n"
		  "Allow: " CALL_ALLOW "\r\n"
		  "Supported: outbound\r\n"
		: "",
	    blen ? "Content-Type: application/sdp\r\n" : "", blen,
	    blen ? req->sdp : "");
	if (n < 0 || (size_t)n >= size)
		return EOVERFLOW;
	*lenp = (size_t)n;
	return 0;
}

/* True when the line p[0..len) is header name (or its compact form c, 0
 * for none; RFC 3261 7.3.3) followed by a colon; *val is its value. */
static bool call_hdr(const char *p, size_t len, const char *name, char c,
		     struct pl *val)
{
	const size_t nl = strlen(name);
	struct pl pn = {p, nl};
	size_t j;

	if (len >= nl && !pl_strcasecmp(&pn, name))
		j = nl;
	else if (c && len >= 1 && (p[0] | 0x20) == c)
		j = 1;
	else
		return false;
	while (j < len && (p[j] == ' ' || p[j] == '\t'))
		j++;
	if (j == len || p[j] != ':')
		return false;
	j++;
	while (j < len && (p[j] == ' ' || p[j] == '\t'))
		j++;
	val->p = p + j;
	val->l = len - j;
	return true;
}

int wsload_sip_header(const uint8_t *p, size_t n, const char *name, char c,
		      struct pl *val)
{
	const char *m = (const char *)p;
	size_t pos = 0;

	if (!p || !name || !val)
		return EINVAL;
	while (pos < n) {
		const char *eol = memchr(m + pos, '\n', n - pos);
		size_t len = eol ? (size_t)(eol - (m + pos)) : n - pos;

		if (len && m[pos + len - 1] == '\r')
			len--;
		if (pos && !len)
			break; /* end of the header block */
		if (pos && call_hdr(m + pos, len, name, c, val))
			return 0;
		if (!eol)
			break;
		pos = (size_t)(eol - m) + 1;
	}
	return ENOENT;
}

/* RFC 3261 25.1 token characters. */
static bool call_token(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || (ch && strchr("-.!%*_+`'~", ch));
}

/* Copies v to out[0..size) NUL-terminated, or EOVERFLOW. */
static int call_copy(char *out, size_t size, const char *p, size_t l)
{
	if (l >= size)
		return EOVERFLOW;
	memcpy(out, p, l);
	out[l] = '\0';
	return 0;
}

int wsload_sip_to_tag(const uint8_t *p, size_t n, char *out, size_t size)
{
	struct pl v;
	size_t i, j;
	int err;

	if (!out || !size)
		return EINVAL;
	err = wsload_sip_header(p, n, "To", 't', &v);
	if (err)
		return err;
	/* RFC 3261 25.1 to-param: the tag after the name-addr's '>'. */
	i = 0;
	{
		const char *gt = memchr(v.p, '>', v.l);

		if (gt)
			i = (size_t)(gt - v.p);
	}
	for (; i + 5 <= v.l; i++) {
		struct pl t = {v.p + i, 5};

		if (!pl_strcasecmp(&t, ";tag="))
			break;
	}
	if (i + 5 > v.l)
		return ENOENT;
	i += 5;
	/* RFC 3261 25.1: a tag is a token. */
	for (j = i; j < v.l && call_token(v.p[j]); j++)
		;
	if (j == i ||
	    (j < v.l && v.p[j] != ';' && v.p[j] != ' ' && v.p[j] != '\t'))
		return EBADMSG;
	return call_copy(out, size, v.p + i, j - i);
}

int wsload_sip_contact(const uint8_t *p, size_t n, char *out, size_t size)
{
	const char *lt, *gt;
	struct pl v;
	int err;

	if (!out || !size)
		return EINVAL;
	err = wsload_sip_header(p, n, "Contact", 'm', &v);
	if (err)
		return err;
	lt = memchr(v.p, '<', v.l);
	if (!lt)
		return EBADMSG; /* we only take the name-addr form */
	gt = memchr(lt, '>', v.l - (size_t)(lt - v.p));
	if (!gt || gt == lt + 1)
		return EBADMSG;
	/* Printable ASCII only: the URI goes back into our requests. */
	for (const char *q = lt + 1; q < gt; q++) {
		if (*q <= ' ' || *q > '~')
			return EBADMSG;
	}
	return call_copy(out, size, lt + 1, (size_t)(gt - lt - 1));
}
