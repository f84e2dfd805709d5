/* ws_reg.c: the SIP REGISTER wsload sends over WebSocket (RFC 3261 10.2,
 * RFC 7118 5) and its digest side: picking the MD5 challenge out of a 401
 * and answering it with qop=auth (RFC 3261 22.4, RFC 7616 3.4). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/digest.h"
#include "wsload.h"

#define REG_HDR_NAME "WWW-Authenticate"

int wsload_sip_register(char *buf, size_t size, size_t *lenp,
                        const struct wsload_reg_req *req)
{
	int n;

	if (!buf || !lenp || !req || !req->domain || !req->user ||
	    !req->callid || !req->tag)
		return EINVAL;
	/* RFC 3261 10.2: Request-URI is the domain, To and From the AOR;
	 * RFC 7118 5.2: JsSIP's invented Via host and Contact over WSS. */
	n = snprintf(buf, size,
	             "REGISTER sip:%s SIP/2.0\r\n"
	             "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK%s%x%x\r\n"
	             "Max-Forwards: 70\r\n"
	             "To: <sip:%s@%s>\r\n"
	             "From: <sip:%s@%s>;tag=%s\r\n"
	             "Call-ID: %s\r\n"
	             "CSeq: %u REGISTER\r\n"
	             "Contact: <sip:%s%x@abc.invalid;transport=ws>;"
	             "expires=%u\r\n"
	             "Expires: %u\r\n"
	             "%s%s%s"
	             "Allow: INVITE,ACK,CANCEL,BYE,OPTIONS\r\n"
	             "Supported: path,gruu\r\n"
	             "User-Agent: wsload\r\n"
	             "Content-Length: 0\r\n"
	             "\r\n",
	             req->domain, req->tag, (unsigned)req->conn_id,
	             (unsigned)req->cseq, req->user, req->domain, req->user,
	             req->domain, req->tag, req->callid, (unsigned)req->cseq,
	             req->tag, (unsigned)req->conn_id, WSLOAD_REG_EXPIRES,
	             WSLOAD_REG_EXPIRES, req->auth ? "Authorization: " : "",
	             req->auth ? req->auth : "", req->auth ? "\r\n" : "");
	if (n < 0 || (size_t)n >= size)
		return EOVERFLOW;
	*lenp = (size_t)n;
	return 0;
}

/* If the line at p[0..len) is "WWW-Authenticate:" sets *val to its value
 * (leading whitespace skipped) and returns true. */
static bool reg_hdr_value(const char *p, size_t len, struct pl *val)
{
	const size_t nl = sizeof(REG_HDR_NAME) - 1;
	struct pl name = {p, nl};
	size_t j = nl;

	if (len < nl || pl_strcasecmp(&name, REG_HDR_NAME))
		return false;
	/* RFC 3261 7.3.1: whitespace may precede the colon. */
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

int wsload_sip_challenge(const uint8_t *p, size_t n, char *chal, size_t size,
                         size_t *lenp)
{
	const char *m = (const char *)p;
	size_t pos = 0;
	int err = ENOENT;

	if (!p || !chal || !size || !lenp)
		return EINVAL;
	/* Header lines until the blank line; the status line is skipped. */
	while (pos < n) {
		const char *eol = memchr(m + pos, '\n', n - pos);
		size_t len = eol ? (size_t)(eol - (m + pos)) : n - pos;
		struct sip_digest d;
		struct pl val;

		if (len && m[pos + len - 1] == '\r')
			len--;
		if (pos && !len)
			break;
		if (pos && reg_hdr_value(m + pos, len, &val) &&
		    !sip_digest_decode(&d, SIP_DIGEST_CHALLENGE, &val) &&
		    d.alg == SIP_DIGEST_MD5 && d.qop_auth) {
			if (val.l >= size) {
				err = EOVERFLOW;
				goto out;
			}
			memcpy(chal, val.p, val.l);
			chal[val.l] = '\0';
			*lenp = val.l;
			err = 0;
			goto out;
		}
		if (!eol)
			break;
		pos = (size_t)(eol - m) + 1;
	}
out:
	return err;
}

int wsload_sip_authorize(char *out, size_t size, const char *chal,
                         const struct wsload_cred *cred, const char *uri,
                         uint32_t nc, const char *cnonce)
{
	return wsload_sip_authorize_method(out, size, chal, cred, "REGISTER",
	                                   uri, nc, cnonce);
}

int wsload_sip_authorize_method(char *out, size_t size, const char *chal,
                                const struct wsload_cred *cred,
                                const char *method, const char *uri,
                                uint32_t nc, const char *cnonce)
{
	const struct pl val = {chal, chal ? strlen(chal) : 0};
	struct sip_digest_client cl;
	struct mbuf *mb = NULL;
	struct sip_digest d;
	int err;

	if (!out || !size || !chal || !cred || !method || !uri || !cnonce ||
	    !nc)
		return EINVAL;
	err = sip_digest_decode(&d, SIP_DIGEST_CHALLENGE, &val);
	if (err || d.alg != SIP_DIGEST_MD5 || !d.qop_auth) {
		err = EBADMSG;
		goto out;
	}
	pl_set_str(&cl.username, cred->user);
	pl_set_str(&cl.password, cred->pass);
	pl_set_str(&cl.method, method);
	pl_set_str(&cl.uri, uri);
	pl_set_str(&cl.cnonce, cnonce);
	cl.nc = nc;
	err = mbuf_alloc(&mb, WSLOAD_AUTH_MAX);
	if (err)
		goto out;
	err = sip_digest_client_auth(mb, &d, &cl);
	if (err)
		goto out;
	if (mb->end >= size) {
		err = EOVERFLOW;
		goto out;
	}
	memcpy(out, mb->buf, mb->end);
	out[mb->end] = '\0';
out:
	mem_deref(mb);
	return err;
}
