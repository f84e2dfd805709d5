/* audio.c: a parsed SDP's first audio section into the normalised struct
 * sdp_audio (RFC 3264, RFC 3551, RFC 8839, RFC 8842, RFC 4568). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

/* RFC 3551 section 6: static audio payload types still met in the wild. */
static const struct {
	uint8_t pt;
	const char *name;
	uint32_t rate;
} static_pts[] = {
	{0, "PCMU", 8000}, {3, "GSM", 8000},   {4, "G723", 8000},
	{8, "PCMA", 8000}, {9, "G722", 8000},  {18, "G729", 8000},
};

static bool static_codec(struct sdp_codec *c, uint8_t pt)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(static_pts); i++) {
		if (static_pts[i].pt != pt)
			continue;
		c->pt = pt;
		strcpy(c->name, static_pts[i].name);
		c->rate = static_pts[i].rate;
		c->channels = 1;
		return true;
	}
	return false;
}

/* The codec for payload type pt from rtpmap/fmtp: false when unknown (a
 * dynamic type without rtpmap) or when its name or fmtp do not fit. */
static bool codec_get(struct sdp_codec *c, const struct sdp_media *m,
		      uint8_t pt)
{
	bool found = false;
	struct pl val;
	size_t idx = 0;

	memset(c, 0, sizeof(*c));
	while (!found && !sdp_media_attr_next(&val, m, "rtpmap", &idx)) {
		struct sdp_rtpmap rm;

		if (sdp_rtpmap_decode(&rm, &val) || rm.pt != pt)
			continue;
		if (!sdp_is_token(&rm.name, sizeof(c->name) - 1))
			return false;
		(void)pl_strcpy(&rm.name, c->name, sizeof(c->name));
		c->pt = pt;
		c->rate = rm.rate;
		c->channels = rm.channels;
		found = true;
	}
	/* RFC 8866 section 6.6: rtpmap overrides a static mapping. */
	if (!found && !static_codec(c, pt))
		return false;
	idx = 0;
	while (!sdp_media_attr_next(&val, m, "fmtp", &idx)) {
		struct sdp_fmtp fm;

		if (sdp_fmtp_decode(&fm, &val) || fm.pt != pt)
			continue;
		return pl_strcpy(&fm.params, c->fmtp, sizeof(c->fmtp)) == 0;
	}
	return true;
}

static void codecs_get(struct sdp_audio *a, const struct sdp_media *m)
{
	struct pl rest = m->fmts, tok;
	uint32_t v;

	while (a->codecc < SDP_MAX_CODECS && !sdp_tok(&tok, &rest)) {
		if (tok.l > 3 || pl_u32(&tok, &v) || v > 127)
			continue;
		if (codec_get(&a->codecv[a->codecc], m, (uint8_t)v))
			a->codecc++;
	}
	memset(&a->codecv[a->codecc], 0,
	       (SDP_MAX_CODECS - a->codecc) * sizeof(a->codecv[0]));
}

static void cands_get(struct sdp_audio *a, const struct sdp_media *m)
{
	struct sdp_candidate c;
	struct pl val;
	size_t idx = 0;

	while (a->candc < SDP_MAX_CANDS &&
	       !sdp_media_attr_next(&val, m, "candidate", &idx)) {
		struct sdp_cand *o = &a->candv[a->candc];

		/* The relay speaks UDP; mDNS names (RFC 8839 section 5.1,
		 * draft-ietf-mmusic-mdns-ice-candidates) are not resolved. */
		if (sdp_candidate_decode(&c, &val) || c.mdns ||
		    pl_strcasecmp(&c.transport, "UDP") ||
		    sdp_sa_decode(&o->addr, &c.addr, c.port) ||
		    pl_strcpy(&c.foundation, o->foundation,
			      sizeof(o->foundation)) ||
		    pl_strcpy(&c.type, o->type, sizeof(o->type))) {
			memset(o, 0, sizeof(*o));
			continue;
		}
		o->component = c.component;
		o->priority = c.priority;
		a->candc++;
	}
}

static void cryptos_get(struct sdp_audio *a, const struct sdp_media *m)
{
	struct pl val;
	size_t idx = 0;

	/* Lines we cannot use are skipped: the answerer picks one it can
	 * (RFC 4568 section 7.1.2). */
	while (a->cryptoc < SDP_MAX_CRYPTO &&
	       !sdp_media_attr_next(&val, m, "crypto", &idx))
		if (!sdp_crypto_decode(&a->cryptov[a->cryptoc], &val))
			a->cryptoc++;
}

static enum sdp_dir dir_get(const struct sdp_sess *s, const struct sdp_media *m)
{
	static const char *const names[] = {"sendrecv", "sendonly", "recvonly",
					    "inactive"};
	size_t i;

	/* RFC 3264 section 5.1: media level overrides session level. */
	for (i = 0; i < SC_ARRAY_SIZE(names); i++)
		if (sdp_media_has(m, names[i]))
			return (enum sdp_dir)i;
	for (i = 0; i < SC_ARRAY_SIZE(names); i++)
		if (!sdp_sess_attr(NULL, s, names[i]))
			return (enum sdp_dir)i;
	return SDP_SENDRECV;
}

static enum sdp_setup setup_get(const struct sdp_sess *s,
				const struct sdp_media *m)
{
	struct pl val;

	if (sdp_attr_fallback(&val, s, m, "setup"))
		return SDP_SETUP_NONE;
	if (!pl_strcasecmp(&val, "actpass"))
		return SDP_SETUP_ACTPASS;
	if (!pl_strcasecmp(&val, "active"))
		return SDP_SETUP_ACTIVE;
	if (!pl_strcasecmp(&val, "passive"))
		return SDP_SETUP_PASSIVE;
	return SDP_SETUP_NONE; /* holdconn (RFC 4145 section 4) */
}

/* a=rtcp (RFC 3605) or the RTP address with port + 1 (RFC 3550 11). */
static int rtcp_get(struct sdp_audio *a, const struct sdp_media *m)
{
	struct pl val, addr;
	uint16_t port;

	if (!sdp_media_attr(&val, m, "rtcp")) {
		if (sdp_rtcp_decode(&port, &addr, &val))
			return EBADMSG;
		if (!addr.l) {
			a->rtcp = a->addr;
			sa_set_port(&a->rtcp, port);
			return 0;
		}
		return sdp_sa_decode(&a->rtcp, &addr, port);
	}
	a->rtcp = a->addr;
	sa_set_port(&a->rtcp, m->port < 65535 ? (uint16_t)(m->port + 1) : 0);
	return 0;
}

/* ICE and DTLS values: RFC 8839 section 5.4, RFC 8842 section 5. */
static int ice_dtls_get(struct sdp_audio *a, const struct sdp_sess *s,
			const struct sdp_media *m)
{
	uint8_t md[SDP_MAX_FP_BYTES];
	struct pl val, hash;
	size_t mdlen;

	if (!sdp_attr_fallback(&val, s, m, "ice-ufrag") &&
	    pl_strcpy(&val, a->ice_ufrag, sizeof(a->ice_ufrag)))
		return EOVERFLOW;
	if (!sdp_attr_fallback(&val, s, m, "ice-pwd") &&
	    pl_strcpy(&val, a->ice_pwd, sizeof(a->ice_pwd)))
		return EOVERFLOW;
	a->ice_lite = !sdp_sess_attr(NULL, s, "ice-lite");
	if (!sdp_attr_fallback(&val, s, m, "fingerprint")) {
		if (sdp_fingerprint_decode(&hash, md, &mdlen, &val))
			return EBADMSG;
		if (pl_strcpy(&val, a->fp, sizeof(a->fp)))
			return EOVERFLOW;
	}
	a->setup = setup_get(s, m);
	if (!sdp_media_attr(&val, m, "mid") &&
	    pl_strcpy(&val, a->mid, sizeof(a->mid)))
		return EOVERFLOW;
	cands_get(a, m);
	return 0;
}

int sdp_audio_get(struct sdp_audio *a, unsigned *indexp,
		  const struct sdp_sess *sess)
{
	const struct sdp_media *m = NULL;
	struct pl val;
	size_t i;
	int err;

	if (!a || !sess)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	for (i = 0; i < sess->mediac && i < SDP_MAX_MEDIA; i++) {
		if (!pl_strcasecmp(&sess->mediav[i].type, "audio")) {
			m = &sess->mediav[i];
			break;
		}
	}
	if (!m) {
		err = ENOENT;
		goto out;
	}
	if (indexp)
		*indexp = (unsigned)i;
	if (sdp_proto_decode(&a->proto, &m->proto)) {
		err = EBADMSG;
		goto out;
	}
	a->port_zero = m->port == 0;
	err = sdp_media_addr(&a->addr, sess, m);
	if (err && !a->port_zero) {
		err = EBADMSG;
		goto out;
	}
	err = 0;
	if (!a->port_zero && (err = rtcp_get(a, m)))
		goto out;
	a->rtcp_mux = sdp_media_has(m, "rtcp-mux");
	a->dir = dir_get(sess, m);
	/* a=ptime is an integer of ms; "20.0" and the like are ignored. */
	if (!sdp_media_attr(&val, m, "ptime") && pl_u32(&val, &a->ptime))
		a->ptime = 0;
	codecs_get(a, m);
	if (!a->codecc && !a->port_zero) {
		err = EBADMSG;
		goto out;
	}
	err = ice_dtls_get(a, sess, m);
	if (err)
		goto out;
	cryptos_get(a, m);
out:
	if (err)
		sdp_audio_wipe(a);
	return err;
}

void sdp_audio_wipe(struct sdp_audio *a)
{
	if (a)
		mem_secure_zero(a, sizeof(*a));
}
