/* sdp.c: fuzz target for the SDP parser (RFC 8866), the audio description
 * and the answer encoder (RFC 3264), with every attribute grammar. */
#include <stdint.h>
#include <string.h>

#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void attrs(const struct sdp_media *m)
{
	size_t i;

	for (i = 0; i < m->attrc; i++) {
		const struct pl *v = &m->attrv[i].value;
		uint8_t md[SDP_MAX_FP_BYTES];
		struct sdp_candidate cand;
		struct sdp_rtpmap rm;
		struct sdp_fmtp fm;
		struct sdp_crypto c;
		struct pl a, b;
		uint32_t ssrc;
		uint16_t port;
		size_t n;

		(void)sdp_candidate_decode(&cand, v);
		(void)sdp_rtpmap_decode(&rm, v);
		(void)sdp_fmtp_decode(&fm, v);
		(void)sdp_crypto_decode(&c, v);
		(void)sdp_fingerprint_decode(&a, md, &n, v);
		(void)sdp_rtcp_decode(&port, &a, v);
		(void)sdp_ssrc_decode(&ssrc, &a, &b, v);
		(void)sdp_group_decode(&a, &b, v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sdp_codec *const want[] = {
	    &sdp_codec_opus, &sdp_codec_pcmu, &sdp_codec_pcma,
	    &sdp_codec_tel_event_48k, &sdp_codec_tel_event_8k};
	struct sdp_origin o = {.user = "fuzz", .sess_id = 1, .sess_ver = 2};
	struct sdp_codec wantv[5];
	struct sdp_sess s, s2;
	struct sdp_audio a, ans;
	struct mbuf *mb = NULL;
	unsigned idx;
	size_t i;

	if (sdp_decode(&s, (const char *)data, size))
		return 0;
	for (i = 0; i < s.mediac; i++) {
		struct pl mid;
		struct sa sa;

		attrs(&s.mediav[i]);
		(void)sdp_media_addr(&sa, &s, &s.mediav[i]);
		if (!sdp_media_attr(&mid, &s.mediav[i], "mid"))
			(void)sdp_bundle_has(&s, &mid);
	}
	if (sdp_audio_get(&a, &idx, &s))
		return 0;
	for (i = 0; i < 5; i++)
		wantv[i] = *want[i];
	(void)sa_set(&o.addr, "203.0.113.5", 0);
	if (mbuf_alloc(&mb, 512))
		goto out;

	/* The answer as the engine builds it, from our values, the offer's
	 * mid and the chosen codecs: it must encode, parse and read back. */
	memset(&ans, 0, sizeof(ans));
	ans.proto = a.proto;
	(void)sa_set(&ans.addr, "203.0.113.5", 41000);
	ans.rtcp_mux = true;
	ans.ice_lite = true;
	strcpy(ans.ice_ufrag, "abcd");
	strcpy(ans.ice_pwd, "0123456789012345678901");
	strcpy(ans.fp, "sha-256 01:02");
	ans.setup = SDP_SETUP_PASSIVE;
	memcpy(ans.mid, a.mid, sizeof(ans.mid));
	if (!sdp_answer_codecs(&ans, &a, wantv, 5)) {
		struct sdp_audio back;

		if (sdp_audio_encode(mb, &o, &ans, &s, idx) ||
		    sdp_decode(&s2, (const char *)mb->buf, mb->end) ||
		    s2.mediac != s.mediac || sdp_audio_get(&back, NULL, &s2) ||
		    back.codecv[0].pt != ans.codecv[0].pt)
			__builtin_trap();
	}

	/* Anything audio_get gave, written back (an offer to the peer). */
	ans = a;
	if (sdp_answer_codecs(&ans, &a, wantv, 5))
		ans.codecc = 0;
	if (!sa_isset(&ans.addr))
		(void)sa_set(&ans.addr, "203.0.113.5", 41000);
	mbuf_reset(mb);
	if (!sdp_audio_encode(mb, &o, &ans, &s, idx) &&
	    sdp_decode(&s2, (const char *)mb->buf, mb->end))
		__builtin_trap();
	mbuf_reset(mb);
	if (!sdp_audio_encode(mb, &o, &a, NULL, 0))
		(void)sdp_decode(&s2, (const char *)mb->buf, mb->end);
out:
	mem_deref(mb);
	sdp_audio_wipe(&a);
	sdp_audio_wipe(&ans);
	return 0;
}
