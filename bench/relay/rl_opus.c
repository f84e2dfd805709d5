/* rl_opus.c: the Opus packets relayload's browsers send when the relay
 * transcodes: 1 s of a voice-like signal (a 180 Hz buzz with harmonics,
 * amplitude-modulated at 4 Hz like syllables) encoded once as Chrome does
 * (48 kHz, mono, VoIP, 20 ms frames, in-band FEC; RFC 7587). */
#include <errno.h>
#include <math.h>
#include <opus/opus.h>

#include "relayload.h"

#define RL_OPUS_RATE 48000
#define RL_OPUS_SAMPLES 960 /* 20 ms */
#define RL_OPUS_BITRATE 32000

int rl_opus_frames(struct rl_run *run)
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
		n = opus_encode(enc, pcm, RL_OPUS_SAMPLES, run->opusv[f],
				RL_OPUS_MAX);
		if (n <= 0) {
			err = EPROTO;
			break;
		}
		run->opus_lenv[f] = (size_t)n;
	}
	opus_encoder_destroy(enc);
	return err;
}
