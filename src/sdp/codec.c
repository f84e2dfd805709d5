/* codec.c: the codec tables, RFC 3264 answer codec choice and the names of
 * the SDP enums (RFC 8866, RFC 3551, RFC 4733, RFC 7587). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp_int.h"

#define TEL_EVENT "telephone-event"

/* RFC 7587 section 7: opus/48000/2 always; minptime and in-band FEC as
 * browsers offer them. The dynamic payload types are defaults only: an
 * answer uses the offer's. */
const struct sdp_codec sdp_codec_opus = {111, "opus", 48000, 2,
					 "minptime=10;useinbandfec=1"};
const struct sdp_codec sdp_codec_pcmu = {0, "PCMU", 8000, 1, ""};
const struct sdp_codec sdp_codec_pcma = {8, "PCMA", 8000, 1, ""};
const struct sdp_codec sdp_codec_tel_event_8k = {101, TEL_EVENT, 8000, 1,
						 "0-16"};
const struct sdp_codec sdp_codec_tel_event_48k = {110, TEL_EVENT, 48000, 1,
						  "0-16"};

bool sdp_codec_is_tel_event(const struct sdp_codec *c)
{
	return c && !strcasecmp(c->name, TEL_EVENT);
}

int sdp_codec_find(const struct sdp_audio *a, const char *name, uint32_t rate)
{
	size_t i;

	if (!a || !name)
		return -1;
	for (i = 0; i < a->codecc && i < SDP_MAX_CODECS; i++) {
		if (strcasecmp(a->codecv[i].name, name))
			continue;
		if (rate && a->codecv[i].rate != rate)
			continue;
		return (int)i;
	}
	return -1;
}

/* The fmtp of our telephone-event entry for rate (or of any rate), or
 * NULL when wantv has no telephone-event. */
static const char *want_tel_fmtp(const struct sdp_codec *wantv, size_t wantc,
				 uint32_t rate)
{
	const char *any = NULL;
	size_t i;

	for (i = 0; i < wantc; i++) {
		if (!sdp_codec_is_tel_event(&wantv[i]))
			continue;
		if (wantv[i].rate == rate)
			return wantv[i].fmtp;
		if (!any)
			any = wantv[i].fmtp;
	}
	return any;
}

int sdp_answer_codecs(struct sdp_audio *ans, const struct sdp_audio *offer,
		      const struct sdp_codec *wantv, size_t wantc)
{
	struct sdp_codec v[2];
	const char *tel_fmtp;
	size_t i, n = 0;
	int idx = -1;

	if (!ans || !offer || (!wantv && wantc))
		return EINVAL;
	/* RFC 3264 section 6.1: the answer keeps the offer's payload type
	 * numbers; we pick one audio codec, in our order of preference. */
	for (i = 0; i < wantc && idx < 0; i++) {
		if (sdp_codec_is_tel_event(&wantv[i]))
			continue;
		idx = sdp_codec_find(offer, wantv[i].name, wantv[i].rate);
		if (idx >= 0 && wantv[i].channels > 1 &&
		    offer->codecv[idx].channels != wantv[i].channels)
			idx = -1;
	}
	if (idx < 0)
		return ENOTSUP;
	i--;
	v[n] = offer->codecv[idx];
	memcpy(v[n].fmtp, wantv[i].fmtp, sizeof(v[n].fmtp));
	v[n].fmtp[sizeof(v[n].fmtp) - 1] = '\0';
	n++;
	/* RFC 4733 section 7.1.1: telephone-event at the codec's rate. */
	tel_fmtp = want_tel_fmtp(wantv, wantc, v[0].rate);
	idx = sdp_codec_find(offer, TEL_EVENT, v[0].rate);
	if (tel_fmtp && idx >= 0) {
		v[n] = offer->codecv[idx];
		memcpy(v[n].fmtp, tel_fmtp,
		       strnlen(tel_fmtp, sizeof(v[n].fmtp) - 1));
		v[n].fmtp[strnlen(tel_fmtp, sizeof(v[n].fmtp) - 1)] = '\0';
		n++;
	}
	memcpy(ans->codecv, v, n * sizeof(v[0]));
	ans->codecc = n;
	return 0;
}

static const char *const proto_names[] = {
    [SDP_PROTO_RTP_AVP] = "RTP/AVP",
    [SDP_PROTO_RTP_AVPF] = "RTP/AVPF",
    [SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
    [SDP_PROTO_RTP_SAVPF] = "RTP/SAVPF",
    [SDP_PROTO_UDP_TLS_RTP_SAVP] = "UDP/TLS/RTP/SAVP",
    [SDP_PROTO_UDP_TLS_RTP_SAVPF] = "UDP/TLS/RTP/SAVPF",
};

const char *sdp_proto_name(enum sdp_proto p)
{
	return (unsigned)p < SC_ARRAY_SIZE(proto_names) ? proto_names[p] : "?";
}

int sdp_proto_decode(enum sdp_proto *p, const struct pl *name)
{
	size_t i;

	if (!p || !name)
		return EINVAL;
	/* RFC 8866 section 5.14: proto is case-sensitive; some stacks send
	 * lower case, so compare without case. */
	for (i = 0; i < SC_ARRAY_SIZE(proto_names); i++) {
		if (!pl_strcasecmp(name, proto_names[i])) {
			*p = (enum sdp_proto)i;
			return 0;
		}
	}
	return ENOENT;
}

bool sdp_proto_is_dtls(enum sdp_proto p)
{
	return p == SDP_PROTO_UDP_TLS_RTP_SAVP ||
	       p == SDP_PROTO_UDP_TLS_RTP_SAVPF;
}

bool sdp_proto_is_sdes(enum sdp_proto p)
{
	return p == SDP_PROTO_RTP_SAVP || p == SDP_PROTO_RTP_SAVPF;
}

const char *sdp_dir_name(enum sdp_dir d)
{
	switch (d) {
	case SDP_SENDONLY:
		return "sendonly";
	case SDP_RECVONLY:
		return "recvonly";
	case SDP_INACTIVE:
		return "inactive";
	default:
		return "sendrecv";
	}
}

bool sdp_dir_sends(enum sdp_dir d)
{
	return d == SDP_SENDRECV || d == SDP_SENDONLY;
}

bool sdp_dir_recvs(enum sdp_dir d)
{
	return d == SDP_SENDRECV || d == SDP_RECVONLY;
}

enum sdp_dir sdp_dir_make(bool sends, bool recvs)
{
	if (sends)
		return recvs ? SDP_SENDRECV : SDP_SENDONLY;
	return recvs ? SDP_RECVONLY : SDP_INACTIVE;
}

enum sdp_dir sdp_dir_reverse(enum sdp_dir d)
{
	return sdp_dir_make(sdp_dir_recvs(d), sdp_dir_sends(d));
}

const char *sdp_setup_name(enum sdp_setup s)
{
	switch (s) {
	case SDP_SETUP_ACTPASS:
		return "actpass";
	case SDP_SETUP_ACTIVE:
		return "active";
	case SDP_SETUP_PASSIVE:
		return "passive";
	default:
		return "holdconn";
	}
}
