/* test_dtmf.c: RFC 4733 telephone-event payloads and their mapping
 * between the 48 kHz and 8 kHz clocks. */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "media/rtp.h"

static void test_codec(void **state)
{
	/* Event 5, E bit, R bit set (ignored), volume 10, duration 800. */
	static const uint8_t in[] = {0x05, 0xca, 0x03, 0x20};
	static const uint8_t want[] = {0x05, 0x8a, 0x03, 0x20};
	struct dtmf_event ev;
	uint8_t out[4];

	(void)state;
	assert_int_equal(dtmf_decode(&ev, in, sizeof(in)), 0);
	assert_int_equal(ev.event, 5);
	assert_true(ev.end);
	assert_int_equal(ev.volume, 10);
	assert_int_equal(ev.duration, 800);
	assert_int_equal(dtmf_encode(out, sizeof(out), &ev), 0);
	assert_memory_equal(out, want, 4);
	assert_int_equal(dtmf_decode(&ev, in, 3), EBADMSG);
	assert_int_equal(dtmf_encode(out, 3, &ev), EOVERFLOW);
	ev.volume = 64;
	assert_int_equal(dtmf_encode(out, sizeof(out), &ev), EINVAL);
	assert_int_equal(dtmf_char(0), '0');
	assert_int_equal(dtmf_char(10), '*');
	assert_int_equal(dtmf_char(11), '#');
	assert_int_equal(dtmf_char(15), 'D');
	assert_int_equal(dtmf_char(16), '\0');
}

static void test_map(void **state)
{
	/* Browser at 48 kHz (base 0x10000000) to PBX at 8 kHz (base 4000). */
	struct rtp_tsmap down = {0x10000000u, 4000, 48000, 8000};
	struct rtp_tsmap up = {4000, 0x10000000u, 8000, 48000};
	struct dtmf_event ev = {.event = 1, .volume = 10, .duration = 4800};
	uint32_t ts = 0x10000000u + 96000; /* 2 s into the stream */

	(void)state;
	assert_int_equal(dtmf_event_map(&ev, &ts, &down), 0);
	assert_int_equal(ts, 4000 + 16000);
	assert_int_equal(ev.duration, 800);
	/* And back. */
	assert_int_equal(dtmf_event_map(&ev, &ts, &up), 0);
	assert_int_equal(ts, 0x10000000u + 96000);
	assert_int_equal(ev.duration, 4800);
	/* Rounding to nearest: 1003 / 6 = 167.17 -> 167, 1005 -> 168. */
	ev.duration = 1003;
	assert_int_equal(dtmf_event_map(&ev, &ts, &down), 0);
	assert_int_equal(ev.duration, 167);
	ev.duration = 1005;
	assert_int_equal(dtmf_event_map(&ev, &ts, &down), 0);
	assert_int_equal(ev.duration, 168);
	/* 8 kHz durations over 65535 / 6 no longer fit: nothing changes. */
	ev.duration = 12000;
	ts = 4000;
	assert_int_equal(dtmf_event_map(&ev, &ts, &up), EOVERFLOW);
	assert_int_equal(ev.duration, 12000);
	assert_int_equal(ts, 4000);
	up.from_rate = 0;
	assert_int_equal(dtmf_event_map(&ev, &ts, &up), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_codec),
	    SC_TEST(test_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
