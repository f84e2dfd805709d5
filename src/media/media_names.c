/* media_names.c: names of media kinds and codecs, as in the config file
 * (`media = rtp | srtp | webrtc`, `codecs = opus, pcmu, pcma`) and in SDP
 * (RFC 3551 §6 encoding names PCMU/PCMA, RFC 7587 §7 "opus"). */
#include <errno.h>

#include "media/media.h"

static const struct {
	enum media_kind k;
	const char *name;
} kinds[] = {
    {MEDIA_RTP, "rtp"},
    {MEDIA_SRTP, "srtp"},
    {MEDIA_WEBRTC, "webrtc"},
    {MEDIA_ECHO, "echo"},
};

static const struct {
	enum media_codec c;
	const char *name;
} codecs[] = {
    {MEDIA_CODEC_OPUS, "opus"},
    {MEDIA_CODEC_PCMU, "PCMU"},
    {MEDIA_CODEC_PCMA, "PCMA"},
};

const char *media_kind_name(enum media_kind k)
{
	for (size_t i = 0; i < SC_ARRAY_SIZE(kinds); i++)
		if (kinds[i].k == k)
			return kinds[i].name;
	return "?";
}

const char *media_codec_name(enum media_codec c)
{
	for (size_t i = 0; i < SC_ARRAY_SIZE(codecs); i++)
		if (codecs[i].c == c)
			return codecs[i].name;
	return "?";
}

/* Case-insensitive. Returns 0 or ENOENT (EINVAL on NULL arguments). */
int media_kind_decode(enum media_kind *kp, const struct pl *name)
{
	if (!kp || !name)
		return EINVAL;
	for (size_t i = 0; i < SC_ARRAY_SIZE(kinds); i++) {
		if (!pl_strcasecmp(name, kinds[i].name)) {
			*kp = kinds[i].k;
			return 0;
		}
	}
	return ENOENT;
}

/* Case-insensitive ("opus", "pcmu", "PCMA"). Returns 0, ENOENT or EINVAL. */
int media_codec_decode(enum media_codec *cp, const struct pl *name)
{
	if (!cp || !name)
		return EINVAL;
	for (size_t i = 0; i < SC_ARRAY_SIZE(codecs); i++) {
		if (!pl_strcasecmp(name, codecs[i].name)) {
			*cp = codecs[i].c;
			return 0;
		}
	}
	return ENOENT;
}
