/* mload.c: the Opus encoder complexity of a worker's transcoders, chosen
 * from the worker's load (as libwebrtc adapts its encoder to CPU): one
 * step down as soon as a window is busy, one step up only after several
 * quiet windows, with a wait that doubles when a step up had to be taken
 * back (hysteresis against oscillating between two levels). Pure: the
 * caller measures the load and applies the result between frames. */
#include <string.h>

#include "codec/xcode.h"
#include "media/media_int.h"

/* The levels below the top one (RFC 6716 section 2.1.7; libopus's SILK
 * tiers: 3 turns off delayed decision, 1 and 0 shorten the searches;
 * BENCHMARKS.md "Transcoding": 74, 59, 33 and 24 us per 20 ms frame at
 * 5, 3, 1 and 0). */
static const int lower_levels[] = {3, 1, 0};

void mload_init(struct mload *ml, int top)
{
	size_t i;

	memset(ml, 0, sizeof(*ml));
	top = SC_MIN(SC_MAX(top, 0), MLOAD_COMPLEXITY_MAX);
	ml->levelv[ml->levelc++] = top;
	for (i = 0; i < SC_ARRAY_SIZE(lower_levels); i++)
		if (lower_levels[i] < top)
			ml->levelv[ml->levelc++] = lower_levels[i];
	ml->hold = MLOAD_HOLD_MIN;
	ml->since_up = UINT32_MAX;
}

int mload_complexity(const struct mload *ml)
{
	return ml->levelv[ml->idx];
}

int mload_update(struct mload *ml, unsigned busy_pct)
{
	if (ml->since_up < UINT32_MAX)
		ml->since_up++;
	if (ml->since_down < UINT32_MAX)
		ml->since_down++;
	if (busy_pct >= MLOAD_BUSY_HIGH_PCT) {
		ml->quiet = 0;
		if (ml->idx + 1 < ml->levelc) {
			ml->idx++;
			/* The last step up did not fit: wait longer next
			 * time before trying it again. */
			if (ml->since_up <= 2 * ml->hold)
				ml->hold = SC_MIN(ml->hold * 2, MLOAD_HOLD_MAX);
			ml->since_down = 0;
		}
	} else if (busy_pct <= MLOAD_BUSY_LOW_PCT) {
		if (++ml->quiet >= ml->hold && ml->idx > 0) {
			ml->idx--;
			ml->quiet = 0;
			ml->since_up = 0;
		}
	} else {
		ml->quiet = 0;
	}
	/* Twice the longest wait without having to step down: the past is
	 * forgotten (a cycle at the longest wait never gets this far). */
	if (ml->since_down >= 2 * MLOAD_HOLD_MAX && ml->hold > MLOAD_HOLD_MIN) {
		ml->hold = MLOAD_HOLD_MIN;
		ml->since_down = 0;
	}
	return ml->levelv[ml->idx];
}

unsigned mload_busy_pct(uint64_t cpu_ns, uint64_t wall_ns)
{
	if (!wall_ns)
		return 0;
	if (cpu_ns >= wall_ns)
		return 100;
	return (unsigned)(cpu_ns * 100 / wall_ns);
}
