/* transp_codec_stub.c: a crude stand-in for the SIP codec (branch
 * sipcodec), linked into test_transp only while src/sip has no codec (see
 * transp.cmake). Just enough for the transport tests: top Via, Call-ID,
 * CSeq, Content-Length. Test-only; never a model for the real parser. */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "sip/msg.h"

int sip_msg_decode(struct sip_msg *msg, const char *buf, size_t len);
int sip_frame(const char *buf, size_t len, size_t *msglenp);
size_t sip_frame_crlf(const char *buf, size_t len, bool *pingp);
bool sip_msg_can_reply(const struct sip_msg *msg);

static const char *find(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= len; i++) {
		if (!memcmp(p + i, s, n))
			return p + i;
	}
	return NULL;
}

static void parse_via(struct sip_via *via, const char *p, const char *end)
{
	const char *sp = memchr(p, ' ', (size_t)(end - p)), *h, *semi;

	if (!sp)
		return;
	h = sp + 1;
	semi = memchr(h, ';', (size_t)(end - h));
	if (!semi)
		semi = end;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(semi - h));

		if (!rb)
			return;
		via->host.p = h + 1;
		via->host.l = (size_t)(rb - h - 1);
		via->ipv6 = true;
		h = rb + 1;
	}
	else {
		const char *c = memchr(h, ':', (size_t)(semi - h));

		via->host.p = h;
		via->host.l = (size_t)((c ? c : semi) - h);
		h = c ? c : semi;
	}
	if (*h == ':') {
		struct pl port = {h + 1, (size_t)(semi - h - 1)};
		uint32_t v;

		if (!pl_u32(&port, &v) && v <= 65535)
			via->port = (uint16_t)v;
	}
	via->params.p = semi;
	via->params.l = (size_t)(end - semi);
	via->rport = find(semi, (size_t)(end - semi), ";rport") != NULL;
}

int sip_msg_decode(struct sip_msg *msg, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol;
	bool first = true;

	memset(msg, 0, sizeof(*msg));
	while (p < end && (eol = find(p, (size_t)(end - p), "\r\n"))) {
		struct pl line = {p, (size_t)(eol - p)};

		p = eol + 2;
		if (!line.l)
			break;
		if (first) {
			first = false;
			msg->req = pl_strcmp(&(struct pl){line.p, 4}, "SIP/") != 0;
			continue;
		}
		if (!strncasecmp(line.p, "Via:", 4) && !msg->via.host.p)
			parse_via(&msg->via, line.p + 5, eol);
		else if (!strncasecmp(line.p, "Call-ID:", 8))
			msg->callid = (struct pl){line.p + 9, line.l - 9};
		else if (!strncasecmp(line.p, "CSeq:", 5))
			msg->cseq.num = 1;
		else if (!strncasecmp(line.p, "Content-Length:", 15)) {
			struct pl v = {line.p + 15, line.l - 15};

			pl_trim(&v);
			msg->has_clen = !pl_u32(&v, &msg->clen);
		}
	}
	msg->body.p = p;
	msg->body.l = (size_t)(end - p);
	if (first || !msg->via.host.p) {
		msg->err = "Missing Via header";
		return EBADMSG;
	}
	if (!msg->callid.p) {
		msg->err = "Missing Call-ID header";
		return EBADMSG;
	}
	return 0;
}

bool sip_msg_can_reply(const struct sip_msg *msg)
{
	return msg->req && msg->via.host.p && msg->callid.p && msg->cseq.num;
}

int sip_frame(const char *buf, size_t len, size_t *msglenp)
{
	const char *eoh = find(buf, SC_MIN(len, (size_t)SIP_HEAD_MAX),
			       "\r\n\r\n");
	const char *cl;
	struct pl v;
	uint32_t clen;

	if (!eoh)
		return len >= SIP_HEAD_MAX ? EOVERFLOW : ENODATA;
	cl = find(buf, (size_t)(eoh - buf), "\r\nContent-Length:");
	if (!cl)
		return EBADMSG;
	v.p = cl + 17;
	v.l = (size_t)((const char *)memchr(v.p, '\r', (size_t)(eoh + 2 - v.p)) -
		       v.p);
	pl_trim(&v);
	if (pl_u32(&v, &clen))
		return EBADMSG;
	if ((size_t)(eoh + 4 - buf) + clen > SIP_MSG_MAX)
		return EOVERFLOW;
	if ((size_t)(eoh + 4 - buf) + clen > len)
		return ENODATA;
	*msglenp = (size_t)(eoh + 4 - buf) + clen;
	return 0;
}

size_t sip_frame_crlf(const char *buf, size_t len, bool *pingp)
{
	size_t n = 0;

	while (n < len && (buf[n] == '\r' || buf[n] == '\n'))
		n++;
	*pingp = n >= 4 && !memcmp(buf, "\r\n\r\n", 4);
	return n;
}
