/* msdp_enc.c: writes the engine's own audio SDP (RFC 8866, RFC 3264)
 * from its own values only (address, ports, codecs, ICE credentials,
 * fingerprint, SSRC, CNAME): nothing of the other leg's description is
 * copied, which is what keeps each side's topology hidden. */
#include <errno.h>
#include <string.h>

#include "media/msdp_enc.h"

static const char *codec_rtpmap(enum media_codec c)
{
	switch (c) {
	case MEDIA_CODEC_OPUS: return "opus/48000/2";
	case MEDIA_CODEC_PCMA: return "PCMA/8000";
	default: return "PCMU/8000";
	}
}

static const char *proto_name(const struct msdp_out *o)
{
	switch (o->kind) {
	case MEDIA_SRTP: return "RTP/SAVP";
	case MEDIA_WEBRTC: return "UDP/TLS/RTP/SAVPF";
	default: return o->avpf ? "RTP/AVPF" : "RTP/AVP";
	}
}

static int enc_fmts(struct mbuf *mb, const struct msdp_out *o)
{
	size_t i;
	int err = 0;

	for (i = 0; i < o->codecc && !err; i++)
		err = mbuf_printf(mb, " %u", o->codecv[i].pt);
	for (i = 0; i < o->tec && !err; i++)
		err = mbuf_printf(mb, " %u", o->tev[i].pt);
	return err;
}

static int enc_rtpmaps(struct mbuf *mb, const struct msdp_out *o)
{
	size_t i;
	int err = 0;

	for (i = 0; i < o->codecc && !err; i++) {
		const struct mcodec_pt *c = &o->codecv[i];

		err = mbuf_printf(mb, "a=rtpmap:%u %s\r\n", c->pt,
		                  codec_rtpmap(c->codec));
		/* RFC 7587 section 7: what WebRTC peers expect of Opus. */
		if (!err && c->codec == MEDIA_CODEC_OPUS)
			err = mbuf_printf(mb,
			                  "a=fmtp:%u minptime=10;useinbandfec=1\r\n",
			                  c->pt);
	}
	for (i = 0; i < o->tec && !err; i++)
		err = mbuf_printf(mb,
		                  "a=rtpmap:%u telephone-event/%u\r\n"
		                  "a=fmtp:%u 0-16\r\n",
		                  o->tev[i].pt, o->tev[i].rate, o->tev[i].pt);
	return err;
}

static int enc_webrtc(struct mbuf *mb, const struct msdp_out *o,
                      const char *host, const char *ipver)
{
	int err;

	err = mbuf_printf(mb,
	                  "a=ice-lite\r\n"
	                  "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
	                  "a=ice-options:trickle\r\n"
	                  "a=fingerprint:%s\r\na=setup:%s\r\n",
	                  o->ufrag, o->pwd, o->fp, o->setup);
	if (!err && o->mid[0])
		err = mbuf_printf(mb, "a=mid:%s\r\n", o->mid);
	/* RFC 8839 section 5.1: one host candidate, our relay address. */
	if (!err)
		err = mbuf_printf(mb,
		                  "a=candidate:1 1 udp 2130706431 %s %u typ "
		                  "host\r\na=end-of-candidates\r\n",
		                  host, o->port);
	(void)ipver;
	return err;
}

int msdp_encode(struct mbuf *mb, const struct msdp_out *o)
{
	char host[SA_ADDR_MAX];
	const char *ipver;
	size_t i, k;
	int err;

	if (!mb || !o)
		return EINVAL;
	err = sa_ntop(&o->addr, host, sizeof(host));
	if (err)
		goto out;
	ipver = sa_family(&o->addr) == AF_INET6 ? "IP6" : "IP4";
	err = mbuf_printf(mb,
	                  "v=0\r\no=sipcloak %llu %u IN %s %s\r\ns=-\r\n"
	                  "c=IN %s %s\r\nt=0 0\r\n",
	                  (unsigned long long)o->sess_id, o->version, ipver,
	                  host, ipver, host);
	if (!err && o->kind == MEDIA_WEBRTC && o->mid[0])
		err = mbuf_printf(mb, "a=group:BUNDLE %s\r\n", o->mid);
	if (!err && o->kind == MEDIA_WEBRTC)
		err = mbuf_printf(mb, "a=msid-semantic: WMS\r\n");
	if (err)
		goto out;
	/* An answer keeps every m= line of the offer, in order; the ones we
	 * do not use get port 0 (RFC 3264 section 6). */
	for (i = 0; i < o->mlinec || (i == 0 && !o->mlinec); i++) {
		const struct msdp_mline *ml = o->mlinec ? &o->mlinev[i] : NULL;

		if (ml && !ml->audio) {
			err = mbuf_printf(mb, "m=%s 0 %s %s\r\n", ml->media,
			                  ml->proto, ml->fmts);
			if (!err && ml->mid[0])
				err = mbuf_printf(mb, "a=mid:%s\r\n", ml->mid);
			if (err)
				goto out;
			continue;
		}
		err = mbuf_printf(mb, "m=audio %u %s", o->port, proto_name(o));
		if (!err)
			err = enc_fmts(mb, o);
		if (!err)
			err = mbuf_write_str(mb, "\r\n");
		if (!err)
			err = enc_rtpmaps(mb, o);
		if (!err && o->ptime)
			err = mbuf_printf(mb, "a=ptime:%u\r\n", o->ptime);
		if (!err)
			err = mbuf_printf(mb, "a=%s\r\n", msdp_dir_name(o->dir));
		if (!err && o->rtcp_mux)
			err = mbuf_printf(mb, "a=rtcp:%u\r\na=rtcp-mux\r\n",
			                  o->port);
		else if (!err)
			err = mbuf_printf(mb, "a=rtcp:%u\r\n", o->rtcp_port);
		for (k = 0; k < o->cryptoc && !err; k++)
			err = mbuf_printf(mb, "a=crypto:%s\r\n", o->cryptov[k]);
		if (!err && o->kind == MEDIA_WEBRTC)
			err = enc_webrtc(mb, o, host, ipver);
		if (!err)
			err = mbuf_printf(mb, "a=ssrc:%u cname:%s\r\n", o->ssrc,
			                  o->cname);
		if (err)
			goto out;
	}
out:
	return err;
}
