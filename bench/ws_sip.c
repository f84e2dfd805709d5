/* ws_sip.c: the SIP OPTIONS request wsload sends over WebSocket (RFC 3261
 * 11, RFC 7118 5) and the two fields it reads from the response. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wsload.h"

int wsload_sip_options(char *buf, size_t size, size_t *lenp,
                       const struct wsload_sip_req *req)
{
	int n;

	if (!buf || !lenp || !req || !req->domain || !req->tag)
		return EINVAL;
	/* RFC 7118 5.2: JsSIP puts an invented host with transport WSS in the
	 * Via; RFC 3261 8.1.1.7: the branch starts with the magic cookie. */
	n = snprintf(buf, size,
	             "OPTIONS sip:%s SIP/2.0\r\n"
	             "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK%s%x%x\r\n"
	             "Max-Forwards: 70\r\n"
	             "To: <sip:%s>\r\n"
	             "From: <sip:wsload@%s>;tag=%s\r\n"
	             "Call-ID: %s%x-%x\r\n"
	             "CSeq: %u OPTIONS\r\n"
	             "Accept: application/sdp\r\n"
	             "User-Agent: wsload\r\n"
	             "Content-Length: 0\r\n"
	             "\r\n",
	             req->domain, req->tag, (unsigned)req->conn_id,
	             (unsigned)req->cseq, req->domain, req->domain, req->tag,
	             req->tag, (unsigned)req->conn_id, (unsigned)req->cseq,
	             (unsigned)req->cseq);
	if (n < 0 || (size_t)n >= size)
		return EOVERFLOW;
	*lenp = (size_t)n;
	return 0;
}

/* Finds "\r\n<name>:" case-insensitively in m and returns the value start. */
static const char *header_find(const struct pl *m, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl + 3 <= m->l; i++) {
		const char *h = m->p + i + 2;
		struct pl cand = {h, nl};
		size_t j = nl;

		if (m->p[i] != '\r' || m->p[i + 1] != '\n')
			continue;
		if (pl_strcasecmp(&cand, name))
			continue;
		/* RFC 3261 7.3.1: whitespace may precede the colon. */
		while (i + 2 + j < m->l && (h[j] == ' ' || h[j] == '\t'))
			j++;
		if (i + 2 + j < m->l && h[j] == ':')
			return h + j + 1;
	}
	return NULL;
}

int wsload_sip_response(const uint8_t *p, size_t n, uint16_t *status,
                        uint32_t *cseq)
{
	const struct pl m = {(const char *)p, n};
	struct pl num;
	const char *v;
	uint32_t code;
	int err = 0;

	if (!p || !status || !cseq)
		return EINVAL;
	/* RFC 3261 7.2: Status-Line = SIP-Version SP Status-Code SP ... */
	if (n < 12 || memcmp(p, "SIP/2.0 ", 8) || p[11] != ' ') {
		err = EBADMSG;
		goto out;
	}
	num.p = m.p + 8;
	num.l = 3;
	if (pl_u32(&num, &code) || code < 100 || code > 699) {
		err = EBADMSG;
		goto out;
	}
	v = header_find(&m, "CSeq");
	if (!v) {
		err = EBADMSG;
		goto out;
	}
	while (v < m.p + m.l && (*v == ' ' || *v == '\t'))
		v++;
	num.p = v;
	num.l = 0;
	while (v + num.l < m.p + m.l && v[num.l] >= '0' && v[num.l] <= '9')
		num.l++;
	if (!num.l || pl_u32(&num, cseq)) {
		err = EBADMSG;
		goto out;
	}
	*status = (uint16_t)code;
out:
	return err;
}
