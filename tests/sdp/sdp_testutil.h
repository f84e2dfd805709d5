/* sdp_testutil.h: reads the SDP samples of tests/sdp/data for the tests. */
#ifndef SC_SDP_TESTUTIL_H
#define SC_SDP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define SDP_TEST_FILE_MAX 16384

/* The samples: browsers' offers (typed in the shapes Chrome, Firefox and
 * Safari send, with documentation addresses), a real answer of headless
 * Chromium 156 to one of our offers, PBX offers. */
static const char *const sdp_test_files[] = {
    "data/chrome_audio.sdp",  "data/chrome_av_dc.sdp",
    "data/firefox_audio.sdp", "data/safari_audio.sdp",
    "data/asterisk.sdp",      "data/freeswitch.sdp",
    "data/sdes_lf.sdp",       "data/chromium156_answer.sdp",
};

/* Reads path into buf (NUL-terminated); returns the length. */
static inline size_t sdp_test_read(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	assert_true(n > 0 && n < size - 1);
	buf[n] = '\0';
	return n;
}

#endif
