/* rl_opus.c: the Opus packets relayload's browsers send when the relay
 * transcodes: 1 s of a voice-like signal (a 180 Hz buzz with harmonics,
 * amplitude-modulated at 4 Hz like syllables) encoded once as Chrome does
 * (48 kHz, mono, VoIP, 20 ms frames, in-band FEC; RFC 7587): once in
 * full band and once narrowband, which Chrome sends to a receiver whose
 * fmtp says maxplaybackrate=8000 (RFC 7587 section 6.1). */
#include <errno.h>
#include <math.h>
#include <opus/opus.h>

#include "relayload.h"

#define RL_OPUS_RATE 48000
#define RL_OPUS_SAMPLES 960 /* 20 ms */
#define RL_OPUS_BITRATE 32000

/* One set of frames; nb: at most narrowband, as libwebrtc's Opus encoder
 * does for a receiver's maxplaybackrate <= 8000. */
static int encode(uint8_t (*outv)[RL_OPUS_MAX], size_t *lenv, bool nb)
{
	opus_int16 pcm[RL_OPUS_SAMPLES];
	OpusEncoder *enc;
	int err = 0, oe, f, i;

	enc = opus_encoder_create(RL_OPUS_RATE, 1, OPUS_APPLICATION_VOIP, &oe);
	if (!enc)
		return ENOMEM;
	opus_encoder_ctl(enc, OPUS_SET_BITRATE(RL_OPUS_BITRATE));
	opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
	opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(5));
	if (nb)
		opus_encoder_ctl(enc,
				 OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_NARROWBAND));
	for (f = 0; f < RL_OPUS_FRAMES; f++) {
		opus_int32 n;

		for (i = 0; i < RL_OPUS_SAMPLES; i++) {
			double t =
			    (double)(f * RL_OPUS_SAMPLES + i) / RL_OPUS_RATE;
			double env = 0.5 + 0.5 * sin(2 * M_PI * 4 * t);
			double v = sin(2 * M_PI * 180 * t) +
				   0.5 * sin(2 * M_PI * 360 * t) +
				   0.3 * sin(2 * M_PI * 540 * t);

			pcm[i] = (opus_int16)(6000.0 * env * v);
		}
		n = opus_encode(enc, pcm, RL_OPUS_SAMPLES, outv[f],
				RL_OPUS_MAX);
		if (n <= 0) {
			err = EPROTO;
			break;
		}
		lenv[f] = (size_t)n;
	}
	opus_encoder_destroy(enc);
	return err;
}

int rl_opus_frames(struct rl_run *run)
{
	int err = encode(run->opusv, run->opus_lenv, false);

	if (!err)
		err = encode(run->opus_nbv, run->opus_nb_lenv, true);
	return err;
}
