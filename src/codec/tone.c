/* tone.c: test and tool helpers: a sine generator and a Goertzel power
 * estimate (G. Goertzel, 1958) to check that a tone survives transcoding. */
#include <errno.h>
#include <math.h>

#include "codec/xcode.h"

#define TONE_FULL_SCALE 32767.0
#define TWO_PI (2.0 * M_PI)

int codec_tone(int16_t *pcm, size_t n, uint32_t rate, double hz,
	       double amplitude, double *phase)
{
	double step, ph;
	size_t i;

	if ((!pcm && n) || !phase || !rate || hz < 0 || hz > rate / 2.0 ||
	    amplitude < 0 || amplitude > 1)
		return EINVAL;
	step = TWO_PI * hz / rate;
	ph = *phase;
	for (i = 0; i < n; i++) {
		pcm[i] = (int16_t)lrint(amplitude * TONE_FULL_SCALE * sin(ph));
		ph += step;
		if (ph >= TWO_PI)
			ph -= TWO_PI;
	}
	*phase = ph;
	return 0;
}

/*
 * Goertzel's recurrence over Hann-windowed samples: |X(hz)|^2 without a
 * full DFT. A sine of amplitude A (fraction of full scale) gives
 * |X| = A * n / 4 under the window (coherent gain 1/2, half the energy at
 * +hz), so (4 |X| / n)^2 is A^2. The window keeps the sidelobes of a tone
 * elsewhere from reading as power at hz.
 */
double codec_goertzel(const int16_t *pcm, size_t n, uint32_t rate, double hz)
{
	double coeff, s1 = 0, s2 = 0, mag2;
	size_t i;

	if (!pcm || n < 2 || !rate)
		return 0;
	coeff = 2.0 * cos(TWO_PI * hz / rate);
	for (i = 0; i < n; i++) {
		double w =
		    0.5 - 0.5 * cos(TWO_PI * (double)i / (double)(n - 1));
		double s0 = pcm[i] / TONE_FULL_SCALE * w + coeff * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	mag2 = s1 * s1 + s2 * s2 - coeff * s1 * s2;
	if (mag2 < 0)
		mag2 = 0;
	return mag2 * 16.0 / ((double)n * (double)n);
}
