/* media_demux.c: fuzz target for the relay's per-packet input
 * (mrelay_input): arbitrary datagrams on a plain RTP leg and on a WebRTC
 * leg (RFC 7983 demultiplexing, ICE-lite checks, SRTP/SRTCP
 * authentication), with forwarding into the other leg's SRTP or RTP.
 *
 * Input: one byte choosing leg a's kind (bit 0: SDES-SRTP instead of plain
 * RTP) and (bit 1) a re-key: a current receive key with a 4-byte MKI and
 * the first key as the previous one (relay.c); then records
 * [flags][len/8][bytes...]; flags bit 0 picks the leg, bit 1 the RTCP
 * socket, bit 2 a source that passed no check, bit 3 a timer tick 2.6 s
 * later. */
#include <stdint.h>
#include <string.h>

#include "media/media_int.h"
#include "media/srtp.h"
#include "stun/ice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_send(struct mrelay *r, int leg, bool rtcp, const uint8_t *buf,
		    size_t len, const struct sa *dst)
{
	(void)r;
	(void)leg;
	(void)rtcp;
	/* Touch every byte so ASan sees any bad length. */
	if (len && dst && buf[len - 1] == 0xff && buf[0] == 0xff)
		r->no_media_ms++;
}

static void fz_event(struct mrelay *r, int leg, enum media_event ev,
		     const char *reason)
{
	(void)r;
	(void)leg;
	(void)ev;
	(void)reason;
}

static void setup(struct mrelay *r, struct ice_lite *ice, bool sdes, bool rekey)
{
	static const uint8_t mki[4] = {0, 0, 0, 2};
	static const uint8_t key[16] = {1, 2,  3,  4,  5,  6,  7,  8,
					9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t salt[14] = {1, 2, 3,  4,  5,  6,  7,
					 8, 9, 10, 11, 12, 13, 14};
	struct mleg_params p;
	int i;

	mrelay_init(r, 100);
	r->sendh = fz_send;
	r->eventh = fz_event;
	for (i = 0; i < 2; i++) {
		memset(&p, 0, sizeof(p));
		p.kind = i ? MEDIA_WEBRTC : sdes ? MEDIA_SRTP : MEDIA_RTP;
		p.active = true;
		p.dir = SDP_SENDRECV;
		p.codec.codec = MEDIA_CODEC_PCMU;
		p.codec.pt = 0;
		p.codec.rate = 8000;
		p.te_pt = 101;
		p.te_rate = i ? 48000 : 8000;
		sa_set(&p.remote, "127.0.0.1", 5000);
		sa_set(&p.remote_rtcp, "127.0.0.1", 5001);
		p.rtcp_mux = i == 1;
		p.ice = i ? ice : NULL;
		mrelay_set_params(r, i, &p);
	}
	sa_set(&r->leg[1].ice_dst, "127.0.0.1", 6000);
	r->leg[1].validv[0] = r->leg[1].ice_dst;
	r->leg[1].validc = 1;
	for (i = 0; i < 2; i++) {
		if (i == 0 && !sdes)
			continue;
		msrtp_alloc(&r->leg[i].srtp_tx, MSRTP_AES128_CM_SHA1_80, key,
		            salt);
		msrtp_alloc(&r->leg[i].srtp_rx, MSRTP_AES128_CM_SHA1_80, key,
		            salt);
		if (rekey) {
			struct msrtp *rx = NULL;

			msrtp_alloc(&rx, MSRTP_AES128_CM_SHA1_80, salt, key);
			if (rx)
				msrtp_mki_set(rx, mki, sizeof(mki));
			mleg_keys_set(&r->leg[i], NULL, rx);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mrelay r;
	struct ice_lite *ice = NULL;
	struct sa good[2][2], bad;
	uint8_t buf[MEDIA_PKT_ROOM];
	uint64_t now = 1000;
	size_t pos = 1;
	int i;

	if (!size || ice_lite_alloc(&ice))
		return 0;
	setup(&r, ice, data[0] & 1, data[0] & 2);
	sa_set(&good[0][0], "127.0.0.1", 5000);
	sa_set(&good[0][1], "127.0.0.1", 5001);
	good[1][0] = good[1][1] = r.leg[1].ice_dst;
	sa_set(&bad, "127.0.0.2", 5000);
	while (pos + 2 <= size) {
		uint8_t flags = data[pos];
		size_t len = SC_MIN((size_t)data[pos + 1] * 8, size - pos - 2);
		int leg = flags & 1;
		bool rtcp = (flags & 2) != 0;

		len = SC_MIN(len, (size_t)MEDIA_PKT_MAX);
		memcpy(buf, data + pos + 2, len);
		mrelay_input(&r, leg, rtcp, buf, len, sizeof(buf),
			     (flags & 4) ? &bad : &good[leg][rtcp], now);
		if (flags & 8) {
			now += 2600;
			mrelay_tick(&r, now);
		}
		pos += 2 + len;
	}
	for (i = 0; i < 2; i++) {
		mem_deref(r.leg[i].srtp_tx);
		mem_deref(r.leg[i].srtp_rx);
		mem_deref(r.leg[i].srtp_rx_old);
	}
	mem_deref(ice);
	return 0;
}
