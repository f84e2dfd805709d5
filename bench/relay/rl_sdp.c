/* rl_sdp.c: the SDPs relayload sends as a browser and as a plain RTP peer,
 * and the few fields it reads from a relay's SDP (RFC 8866; ICE
 * attributes RFC 8839; a=fingerprint RFC 8122; a=setup RFC 4145). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl.h"

static int put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= size) ? EOVERFLOW : 0;
}

int rl_sdp_browser(char *buf, size_t size, uint16_t port, const char *ufrag,
		   const char *pwd, const char *fp, uint32_t ssrc, bool opus)
{
	int pt = opus ? RL_PT_OPUS : RL_PT_PCMU;
	const char *rtpmap = opus ? "a=rtpmap:111 opus/48000/2\r\n"
				    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
				  : "a=rtpmap:0 PCMU/8000\r\n";

	/* what Chrome sends for one audio track, without trickle */
	return put(buf, size,
		   "v=0\r\n"
		   "o=- %u 2 IN IP4 127.0.0.1\r\n"
		   "s=-\r\n"
		   "t=0 0\r\n"
		   "a=group:BUNDLE 0\r\n"
		   "a=msid-semantic: WMS relayload\r\n"
		   "m=audio %u UDP/TLS/RTP/SAVPF %d\r\n"
		   "c=IN IP4 127.0.0.1\r\n"
		   "a=rtcp:9 IN IP4 0.0.0.0\r\n"
		   "a=candidate:1 1 udp 2122260223 127.0.0.1 %u typ host "
		   "generation 0\r\n"
		   "a=ice-ufrag:%s\r\n"
		   "a=ice-pwd:%s\r\n"
		   "a=fingerprint:%s\r\n"
		   "a=setup:actpass\r\n"
		   "a=mid:0\r\n"
		   "a=sendrecv\r\n"
		   "a=msid:relayload track0\r\n"
		   "a=rtcp-mux\r\n"
		   "%s"
		   "a=ssrc:%u cname:relayload\r\n",
		   ssrc, port, pt, port, ufrag, pwd, fp, rtpmap, ssrc);
}

int rl_sdp_peer(char *buf, size_t size, uint16_t port)
{
	return put(buf, size,
		   "v=0\r\n"
		   "o=- 1 1 IN IP4 127.0.0.1\r\n"
		   "s=rtppeer\r\n"
		   "c=IN IP4 127.0.0.1\r\n"
		   "t=0 0\r\n"
		   "m=audio %u RTP/AVP 0\r\n"
		   "a=rtpmap:0 PCMU/8000\r\n"
		   "a=ptime:20\r\n"
		   "a=sendrecv\r\n",
		   port);
}

static int copy(char *dst, size_t size, const struct pl *v)
{
	return pl_strcpy(v, dst, size) ? EOVERFLOW : 0;
}

/* The n-th space-separated word of line (0-based) as a view. */
static bool word(const struct pl *line, unsigned n, struct pl *w)
{
	const char *p = line->p, *end = line->p + line->l;

	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return false;
		w->p = p;
		while (p < end && *p != ' ')
			p++;
		w->l = (size_t)(p - w->p);
		if (!n--)
			return true;
	}
}

static bool attr(const struct pl *line, const char *name, struct pl *val)
{
	size_t n = strlen(name);

	if (line->l < n + 2 || memcmp(line->p, "a=", 2) ||
	    memcmp(line->p + 2, name, n))
		return false;
	if (line->l == n + 2) {
		val->p = line->p + line->l;
		val->l = 0;
		return true;
	}
	if (line->p[n + 2] != ':')
		return false;
	val->p = line->p + n + 3;
	val->l = line->l - n - 3;
	return true;
}

static int port_of(const struct pl *w, uint16_t *portp)
{
	uint32_t v;

	if (pl_u32(w, &v) || v > 65535)
		return EBADMSG;
	*portp = (uint16_t)v;
	return 0;
}

/* maxplaybackrate=N with N <= 8000 among the fmtp parameters. */
static bool fmtp_nb(const struct pl *v)
{
	static const char key[] = "maxplaybackrate=";
	const char *p = v->p, *end = v->p + v->l;
	uint32_t n = 0;

	for (; p + sizeof(key) - 1 <= end; p++) {
		if (memcmp(p, key, sizeof(key) - 1) ||
		    (p > v->p && p[-1] != ';' && p[-1] != ' '))
			continue;
		p += sizeof(key) - 1;
		while (p < end && *p >= '0' && *p <= '9' && n < 1000000)
			n = n * 10 + (uint32_t)(*p++ - '0');
		return n > 0 && n <= 8000;
	}
	return false;
}

/* One line of the audio section (or of the session part: c=, ICE and
 * fingerprint may sit at session level and apply to every m=). */
static int line_do(struct rl_sdp_info *info, const struct pl *line,
		   bool *have_cand)
{
	struct pl v, w;
	int err = 0;

	if (line->l > 2 && !memcmp(line->p, "c=", 2)) {
		if (!*have_cand && word(line, 2, &w))
			err = copy(info->addr, sizeof(info->addr), &w);
	} else if (attr(line, "ice-ufrag", &v))
		err = copy(info->ufrag, sizeof(info->ufrag), &v);
	else if (attr(line, "ice-pwd", &v))
		err = copy(info->pwd, sizeof(info->pwd), &v);
	else if (attr(line, "fingerprint", &v))
		err = copy(info->fp, sizeof(info->fp), &v);
	else if (attr(line, "setup", &v))
		err = copy(info->setup, sizeof(info->setup), &v);
	else if (attr(line, "rtcp-mux", &v))
		info->rtcp_mux = true;
	else if (attr(line, "fmtp", &v))
		info->opus_nb |= fmtp_nb(&v);
	else if (attr(line, "candidate", &v) && !*have_cand) {
		struct pl comp, tr, addr, port;

		/* foundation component transport priority addr port typ .. */
		if (word(&v, 1, &comp) && !pl_strcmp(&comp, "1") &&
		    word(&v, 2, &tr) && !pl_strcasecmp(&tr, "udp") &&
		    word(&v, 4, &addr) && word(&v, 5, &port)) {
			err = copy(info->addr, sizeof(info->addr), &addr);
			if (!err)
				err = port_of(&port, &info->port);
			*have_cand = !err;
		}
	}
	return err;
}

int rl_sdp_parse(struct rl_sdp_info *info, const struct pl *sdp)
{
	const char *p, *end;
	bool in_audio = false, seen_audio = false, have_cand = false;
	int err = 0;

	if (!info || !sdp || !sdp->p)
		return EINVAL;
	memset(info, 0, sizeof(*info));
	info->pt = -1;
	p = sdp->p;
	end = sdp->p + sdp->l;
	while (p < end && !err) {
		struct pl line = {p, 0}, w;
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		line.l = (size_t)((nl ? nl : end) - p);
		p = nl ? nl + 1 : end;
		if (line.l && line.p[line.l - 1] == '\r')
			line.l--;
		if (line.l > 2 && !memcmp(line.p, "m=", 2)) {
			if (seen_audio)
				break; /* only the first audio section */
			in_audio = line.l > 8 && !memcmp(line.p, "m=audio ", 8);
			if (!in_audio)
				continue;
			seen_audio = true;
			if (!word(&line, 1, &w) || port_of(&w, &info->port)) {
				err = EBADMSG;
				break;
			}
			if (word(&line, 2, &w))
				err =
				    copy(info->proto, sizeof(info->proto), &w);
			if (!err && word(&line, 3, &w)) {
				uint32_t pt;

				if (!pl_u32(&w, &pt) && pt < 128)
					info->pt = (int)pt;
			}
			continue;
		}
		if (seen_audio && !in_audio)
			continue;
		err = line_do(info, &line, &have_cand);
	}
	if (!err && (!seen_audio || !info->addr[0]))
		err = EBADMSG;
	return err;
}
