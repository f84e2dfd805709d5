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
    {0, "PCMU", 8000}, {3, "GSM", 8000},  {4, "G723", 8000},
    {8, "PCMA", 8000}, {9, "G722", 8000}, {18, "G729", 8000},
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

static bool printable(const struct pl *pl)
{
	size_t i;

	for (i = 0; i < pl->l; i++)
		if (pl->p[i] < ' ' || pl->p[i] > '~')
			return false;
	return true;
}

#define PT_COUNT 128 /* RTP payload types are 7 bits (RFC 3550) */

/* The first rtpmap and fmtp of each payload type, decoded once (one pass
 * over the attributes instead of one per format). */
struct pt_index {
	struct sdp_rtpmap rtpmap[PT_COUNT];
	struct pl fmtp[PT_COUNT];
	bool has_rtpmap[PT_COUNT];
	bool has_fmtp[PT_COUNT];
};

static void pt_index_build(struct pt_index *ix, const struct sdp_media *m)
{
	size_t i;

	memset(ix->has_rtpmap, 0, sizeof(ix->has_rtpmap));
	memset(ix->has_fmtp, 0, sizeof(ix->has_fmtp));
	for (i = 0; i < m->attrc; i++) {
		const struct sdp_attr *at = &m->attrv[i];
		struct sdp_rtpmap rm;
		struct sdp_fmtp fm;

		if (!pl_strcmp(&at->name, "rtpmap")) {
			if (sdp_rtpmap_decode(&rm, &at->value) ||
			    ix->has_rtpmap[rm.pt])
				continue;
			ix->rtpmap[rm.pt] = rm;
			ix->has_rtpmap[rm.pt] = true;
		} else if (!pl_strcmp(&at->name, "fmtp")) {
			if (sdp_fmtp_decode(&fm, &at->value) ||
			    ix->has_fmtp[fm.pt])
				continue;
			ix->fmtp[fm.pt] = fm.params;
			ix->has_fmtp[fm.pt] = true;
		}
	}
}

/* The codec for payload type pt from rtpmap/fmtp: false when unknown (a
 * dynamic type without rtpmap) or when its name or fmtp do not fit. */
static bool codec_get(struct sdp_codec *c, const struct pt_index *ix,
		      uint8_t pt)
{
	const struct sdp_rtpmap *rm = &ix->rtpmap[pt];

	memset(c, 0, sizeof(*c));
	/* RFC 8866 section 6.6: rtpmap overrides a static mapping. */
	if (ix->has_rtpmap[pt]) {
		if (!sdp_is_token(&rm->name, sizeof(c->name) - 1))
			return false;
		(void)pl_strcpy(&rm->name, c->name, sizeof(c->name));
		c->pt = pt;
		c->rate = rm->rate;
		c->channels = rm->channels;
	} else if (!static_codec(c, pt)) {
		return false;
	}
	/* the fmtp is kept only when it can be written again as it is */
	return !ix->has_fmtp[pt] ||
	       (printable(&ix->fmtp[pt]) &&
		!pl_strcpy(&ix->fmtp[pt], c->fmtp, sizeof(c->fmtp)));
}

static void codecs_get(struct sdp_audio *a, const struct sdp_media *m)
{
	struct pl rest = m->fmts, tok;
	struct pt_index ix;
	uint32_t v;

	pt_index_build(&ix, m);
	while (a->codecc < SDP_MAX_CODECS && !sdp_tok(&tok, &rest)) {
		if (tok.l > 3 || pl_u32(&tok, &v) || v >= PT_COUNT)
			continue;
		if (codec_get(&a->codecv[a->codecc], &ix, (uint8_t)v))
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
	/* RFC 8843 section 5: mid is a token; ours mirrors it. */
	if (!sdp_media_attr(&val, m, "mid")) {
		if (val.l > SDP_MID_MAX)
			return EOVERFLOW;
		if (!sdp_is_token(&val, SDP_MID_MAX))
			return EBADMSG;
		(void)pl_strcpy(&val, a->mid, sizeof(a->mid));
	}
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
