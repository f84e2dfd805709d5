/* msdp.c: the engine's reader of one audio session description (RFC 8866
 * syntax, RFC 3264 offer/answer fields, RFC 3605 a=rtcp, RFC 5761
 * rtcp-mux, RFC 8839 ICE, RFC 8122 fingerprint, RFC 4568 crypto). Keeps
 * copies (the SDP buffer is gone after the call), never the peer's other
 * lines: what we send is written from our own values only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "media/media_int.h"

static bool pl_next_tok(struct pl *s, struct pl *tok, char sep)
{
	size_t i = 0;

	while (s->l && *s->p == sep) {
		s->p++;
		s->l--;
	}
	if (!s->l)
		return false;
	while (i < s->l && s->p[i] != sep)
		i++;
	tok->p = s->p;
	tok->l = i;
	s->p += i;
	s->l -= i;
	return true;
}

static void copy_pl(char *dst, size_t size, const struct pl *pl)
{
	size_t n = SC_MIN(pl->l, size - 1);

	memcpy(dst, pl->p, n);
	dst[n] = '\0';
}

static bool pl_prefix(const struct pl *pl, const char *pfx, struct pl *rest)
{
	size_t n = strlen(pfx);

	if (pl->l < n || memcmp(pl->p, pfx, n))
		return false;
	rest->p = pl->p + n;
	rest->l = pl->l - n;
	return true;
}

/* c=IN IP4 1.2.3.4 */
static int conn_decode(struct sa *sa, const struct pl *v)
{
	struct pl s = *v, nt, at, addr;
	char buf[SA_ADDR_MAX + 1];

	if (!pl_next_tok(&s, &nt, ' ') || !pl_next_tok(&s, &at, ' ') ||
	    !pl_next_tok(&s, &addr, ' '))
		return EBADMSG;
	/* Multicast TTL suffixes are not for us. */
	if (pl_chr(&addr, '/'))
		addr.l = (size_t)(pl_chr(&addr, '/') - addr.p);
	if (addr.l >= sizeof(buf))
		return EBADMSG;
	copy_pl(buf, sizeof(buf), &addr);
	return sa_set(sa, buf, 0) ? EBADMSG : 0;
}

static enum msdp_proto proto_decode(const struct pl *p)
{
	if (!pl_strcmp(p, "RTP/AVP"))
		return MSDP_PROTO_AVP;
	if (!pl_strcmp(p, "RTP/SAVP"))
		return MSDP_PROTO_SAVP;
	if (!pl_strcmp(p, "RTP/AVPF"))
		return MSDP_PROTO_AVPF;
	if (!pl_strcmp(p, "RTP/SAVPF"))
		return MSDP_PROTO_SAVPF;
	if (!pl_strcmp(p, "UDP/TLS/RTP/SAVPF") ||
	    !pl_strcmp(p, "UDP/TLS/RTP/SAVP"))
		return MSDP_PROTO_DTLS;
	return MSDP_PROTO_OTHER;
}

static struct msdp_fmt *fmt_find(struct msdp *d, uint32_t pt)
{
	size_t i;

	for (i = 0; i < d->fmtc; i++)
		if (d->fmtv[i].pt == pt)
			return &d->fmtv[i];
	return NULL;
}

/* m=audio 4000 RTP/AVP 0 8 101 */
static int mline_decode(struct msdp *d, const struct pl *v, bool *in_audio,
                        uint32_t *portp)
{
	struct pl s = *v, media, port, proto, fmt;
	struct msdp_mline *ml;
	uint32_t n;
	int err = 0;

	if (!pl_next_tok(&s, &media, ' ') || !pl_next_tok(&s, &port, ' ') ||
	    !pl_next_tok(&s, &proto, ' '))
		return EBADMSG;
	if (pl_chr(&port, '/'))
		port.l = (size_t)(pl_chr(&port, '/') - port.p);
	if (pl_u32(&port, &n) || n > 65535)
		return EBADMSG;
	if (d->mlinec >= MSDP_MLINES_MAX)
		return EOVERFLOW;
	ml = &d->mlinev[d->mlinec++];
	copy_pl(ml->media, sizeof(ml->media), &media);
	copy_pl(ml->proto, sizeof(ml->proto), &proto);
	pl_trim(&s);
	copy_pl(ml->fmts, sizeof(ml->fmts), &s);
	*in_audio = false;
	/* The first audio m= line with a port is ours. */
	if (pl_strcmp(&media, "audio") || d->proto != MSDP_PROTO_OTHER ||
	    proto_decode(&proto) == MSDP_PROTO_OTHER)
		goto out;
	ml->audio = true;
	*in_audio = true;
	*portp = n;
	d->proto = proto_decode(&proto);
	while (pl_next_tok(&s, &fmt, ' ')) {
		uint32_t pt;

		if (pl_u32(&fmt, &pt) || pt > 127) {
			err = EBADMSG;
			goto out;
		}
		if (d->fmtc >= MSDP_FMT_MAX || fmt_find(d, pt))
			continue;
		d->fmtv[d->fmtc].pt = (uint8_t)pt;
		d->fmtv[d->fmtc].channels = 1;
		/* RFC 3551 static payload types need no rtpmap. */
		if (pt == 0 || pt == 8) {
			strcpy(d->fmtv[d->fmtc].name, pt ? "PCMA" : "PCMU");
			d->fmtv[d->fmtc].rate = 8000;
		}
		d->fmtc++;
	}
out:
	return err;
}

/* a=rtpmap:111 opus/48000/2 */
static void rtpmap_decode(struct msdp *d, const struct pl *v)
{
	struct pl s = *v, ptl, enc, name, rate, ch;
	struct msdp_fmt *f;
	uint32_t pt, r = 0, c = 1;

	if (!pl_next_tok(&s, &ptl, ' ') || pl_u32(&ptl, &pt) ||
	    !(f = fmt_find(d, pt)) || !pl_next_tok(&s, &enc, ' '))
		return;
	if (!pl_next_tok(&enc, &name, '/'))
		return;
	if (pl_next_tok(&enc, &rate, '/') && pl_u32(&rate, &r))
		return;
	if (pl_next_tok(&enc, &ch, '/') && (pl_u32(&ch, &c) || c > 255))
		return;
	copy_pl(f->name, sizeof(f->name), &name);
	f->rate = r;
	f->channels = (uint8_t)c;
}

static void fmtp_decode(struct msdp *d, const struct pl *v)
{
	struct pl s = *v, ptl;
	struct msdp_fmt *f;
	uint32_t pt;

	if (!pl_next_tok(&s, &ptl, ' ') || pl_u32(&ptl, &pt) ||
	    !(f = fmt_find(d, pt)))
		return;
	pl_trim(&s);
	copy_pl(f->fmtp, sizeof(f->fmtp), &s);
}

/* a=rtcp:53020 [IN IP4 1.2.3.4] (RFC 3605) */
static void rtcpattr_decode(struct msdp *d, const struct pl *v)
{
	struct pl s = *v, port;
	uint32_t n;

	if (!pl_next_tok(&s, &port, ' ') || pl_u32(&port, &n) || n > 65535)
		return;
	pl_trim(&s);
	if (s.l && conn_decode(&d->rtcp, &s))
		return;
	sa_set_port(&d->rtcp, (uint16_t)n);
}

static void attr_decode(struct msdp *d, const struct pl *a, bool audio,
                        bool *rtcp_set)
{
	struct pl v;

	if (pl_prefix(a, "group:BUNDLE", &v)) {
		d->bundle = true;
		return;
	}
	if (!audio) {
		if (pl_prefix(a, "ice-ufrag:", &v))
			copy_pl(d->ufrag, sizeof(d->ufrag), &v);
		else if (pl_prefix(a, "ice-pwd:", &v))
			copy_pl(d->pwd, sizeof(d->pwd), &v);
		else if (pl_prefix(a, "fingerprint:", &v))
			copy_pl(d->fp, sizeof(d->fp), &v);
		else if (pl_prefix(a, "setup:", &v))
			copy_pl(d->setup, sizeof(d->setup), &v);
		else if (!pl_strcmp(a, "sendonly"))
			d->dir = MSDP_SENDONLY;
		else if (!pl_strcmp(a, "recvonly"))
			d->dir = MSDP_RECVONLY;
		else if (!pl_strcmp(a, "inactive"))
			d->dir = MSDP_INACTIVE;
		return;
	}
	if (pl_prefix(a, "rtpmap:", &v))
		rtpmap_decode(d, &v);
	else if (pl_prefix(a, "fmtp:", &v))
		fmtp_decode(d, &v);
	else if (pl_prefix(a, "rtcp:", &v)) {
		rtcpattr_decode(d, &v);
		*rtcp_set = true;
	} else if (!pl_strcmp(a, "rtcp-mux"))
		d->rtcp_mux = true;
	else if (!pl_strcmp(a, "sendonly"))
		d->dir = MSDP_SENDONLY;
	else if (!pl_strcmp(a, "recvonly"))
		d->dir = MSDP_RECVONLY;
	else if (!pl_strcmp(a, "inactive"))
		d->dir = MSDP_INACTIVE;
	else if (!pl_strcmp(a, "sendrecv"))
		d->dir = MSDP_SENDRECV;
	else if (pl_prefix(a, "ptime:", &v))
		(void)pl_u32(&v, &d->ptime);
	else if (pl_prefix(a, "ice-ufrag:", &v))
		copy_pl(d->ufrag, sizeof(d->ufrag), &v);
	else if (pl_prefix(a, "ice-pwd:", &v))
		copy_pl(d->pwd, sizeof(d->pwd), &v);
	else if (pl_prefix(a, "fingerprint:", &v))
		copy_pl(d->fp, sizeof(d->fp), &v);
	else if (pl_prefix(a, "setup:", &v))
		copy_pl(d->setup, sizeof(d->setup), &v);
	else if (pl_prefix(a, "mid:", &v)) {
		copy_pl(d->mid, sizeof(d->mid), &v);
		copy_pl(d->mlinev[d->mlinec - 1].mid,
		        sizeof(d->mlinev[0].mid), &v);
	} else if (pl_prefix(a, "crypto:", &v) &&
	           d->cryptoc < MSDP_CRYPTO_MAX)
		copy_pl(d->cryptov[d->cryptoc++], MSDP_STR_MAX, &v);
}

int msdp_decode(struct msdp *d, const struct pl *sdp)
{
	struct pl s, line, v;
	struct sa sess_c, media_c;
	bool in_audio = false, seen_audio = false, rtcp_set = false;
	bool have_media_c = false;
	uint32_t port = 0;
	int err = 0;

	if (!d || !sdp || !sdp->p)
		return EINVAL;
	memset(d, 0, sizeof(*d));
	memset(&sess_c, 0, sizeof(sess_c));
	memset(&media_c, 0, sizeof(media_c));
	d->dir = MSDP_SENDRECV;
	s = *sdp;
	while (pl_next_tok(&s, &line, '\n')) {
		if (line.l && line.p[line.l - 1] == '\r')
			line.l--;
		if (!line.l)
			continue;
		if (line.l < 2 || line.p[1] != '=') {
			err = EBADMSG;
			goto out;
		}
		v.p = line.p + 2;
		v.l = line.l - 2;
		switch (line.p[0]) {
		case 'm':
			if (in_audio)
				seen_audio = true;
			err = mline_decode(d, &v, &in_audio, &port);
			if (err)
				goto out;
			break;
		case 'c':
			if (in_audio) {
				err = conn_decode(&media_c, &v);
				have_media_c = true;
			} else if (!d->mlinec)
				err = conn_decode(&sess_c, &v);
			if (err)
				goto out;
			break;
		case 'a':
			if (in_audio || !d->mlinec)
				attr_decode(d, &v, in_audio, &rtcp_set);
			break;
		default:
			break;
		}
	}
	(void)seen_audio;
	if (d->proto == MSDP_PROTO_OTHER) {
		err = ENOENT;
		goto out;
	}
	d->addr = have_media_c ? media_c : sess_c;
	if (!sa_isset(&d->addr)) {
		err = EBADMSG;
		goto out;
	}
	sa_set_port(&d->addr, (uint16_t)port);
	if (!rtcp_set || !sa_isset(&d->rtcp)) {
		uint16_t rp = rtcp_set ? sa_port(&d->rtcp) : 0;

		d->rtcp = d->addr;
		sa_set_port(&d->rtcp, rp ? rp : (uint16_t)(port ? port + 1 : 0));
	}
out:
	return err;
}

enum msdp_dir msdp_dir_reverse(enum msdp_dir dir)
{
	if (dir == MSDP_SENDONLY)
		return MSDP_RECVONLY;
	if (dir == MSDP_RECVONLY)
		return MSDP_SENDONLY;
	return dir;
}

const char *msdp_dir_name(enum msdp_dir dir)
{
	switch (dir) {
	case MSDP_INACTIVE: return "inactive";
	case MSDP_SENDONLY: return "sendonly";
	case MSDP_RECVONLY: return "recvonly";
	default: return "sendrecv";
	}
}
