/* test_benc.c: the ng protocol's bencode codec (BEP 3): decoding real ng
 * messages, every cut point, malformed input and limits; encoding byte
 * for byte. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "benc.h"

#define NODES 64

static int dec(const char *s, struct benc_node *nv, size_t *cp)
{
	return benc_decode(nv, NODES, cp, (const uint8_t *)s, strlen(s));
}

static void test_decode_ng_reply(void **state)
{
	/* an rtpengine answer to "offer" (the cookie already cut off) */
	const char *s = "d3:sdp14:v=0\r\no=- 1 1\r\n6:result2:ok"
			"8:warnings l4:abcdi-42ee5:countli0ei7eee";
	struct benc_node nv[NODES];
	struct pl v;
	size_t n = 0, i;

	(void)state;
	/* "warnings " has a trailing space in the key: 9 bytes, not 8 */
	assert_int_equal(dec(s, nv, &n), EBADMSG);
	s = "d3:sdp17:v=0\r\no=- 1 1 IN\r\n6:result2:ok"
	    "8:warningsl4:abcdi-42ee5:countli0ei7eee";
	assert_int_equal(dec(s, nv, &n), 0);
	assert_int_equal(nv[0].type, BENC_DICT);
	assert_int_equal(nv[0].n, 8);
	assert_int_equal(nv[0].next, n);
	assert_true(benc_dict_str(nv, 0, "result", &v));
	assert_int_equal(pl_strcmp(&v, "ok"), 0);
	assert_true(benc_dict_str(nv, 0, "sdp", &v));
	assert_int_equal(v.l, 17);
	assert_false(benc_dict_str(nv, 0, "error-reason", &v));
	i = benc_dict_get(nv, 0, "warnings");
	assert_true(i > 0);
	assert_int_equal(nv[i].type, BENC_LIST);
	assert_int_equal(nv[i].n, 2);
	assert_int_equal(nv[i + 2].type, BENC_INT);
	assert_int_equal(nv[i + 2].i, -42);
	i = benc_dict_get(nv, 0, "count");
	assert_int_equal(nv[i].n, 2);
	assert_int_equal(nv[i + 1].i, 0);
	assert_int_equal(nv[i + 2].i, 7);
	/* a list value is not a string */
	assert_false(benc_dict_str(nv, 0, "count", &v));
}

static void test_decode_every_cut(void **state)
{
	const char *s = "d7:command5:offer5:flagsl5:trust3:abce3:numi123ee";
	size_t len = strlen(s), cut, n;
	struct benc_node nv[NODES];

	(void)state;
	assert_int_equal(dec(s, nv, &n), 0);
	for (cut = 0; cut < len; cut++) {
		/* a copy of exactly cut bytes so ASan sees any over-read */
		uint8_t *b = malloc(cut ? cut : 1);

		memcpy(b, s, cut);
		assert_int_equal(benc_decode(nv, NODES, &n, b, cut), ENODATA);
		free(b);
	}
}

static void test_decode_malformed(void **state)
{
	static const char *bad[] = {
	    "i-0e",        "i01e",     "ie",      "i1x2e",  "03:abc", "x",
	    "d1:ai1e1:be", "di1ei2ee", "4:abcde", "i1ei2e", "l-e",    "d3:abc",
	};
	static const int want[] = {
	    EBADMSG, EBADMSG, EBADMSG, EBADMSG, EBADMSG, EBADMSG,
	    EBADMSG, EBADMSG, EBADMSG, EBADMSG, EBADMSG, ENODATA,
	};
	struct benc_node nv[NODES];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dec(bad[i], nv, &n), want[i]);
}

static void test_decode_limits(void **state)
{
	struct benc_node nv[NODES];
	char deep[2 * BENC_DEPTH_MAX + 8];
	size_t n, i;

	(void)state;
	assert_int_equal(dec("i9223372036854775807e", nv, &n), 0);
	assert_int_equal(nv[0].i, INT64_MAX);
	assert_int_equal(dec("i9999999999999999999e", nv, &n), EOVERFLOW);
	assert_int_equal(dec("i99999999999999999999e", nv, &n), EOVERFLOW);
	assert_int_equal(dec("99999999999999999999:a", nv, &n), EOVERFLOW);
	/* BENC_DEPTH_MAX nested lists decode, one more does not */
	for (i = 0; i < BENC_DEPTH_MAX; i++) {
		deep[i] = 'l';
		deep[BENC_DEPTH_MAX + i] = 'e';
	}
	deep[2 * BENC_DEPTH_MAX] = '\0';
	assert_int_equal(dec(deep, nv, &n), 0);
	memmove(deep + 1, deep, 2 * BENC_DEPTH_MAX + 1);
	deep[0] = 'l';
	strcat(deep, "e");
	assert_int_equal(dec(deep, nv, &n), EOVERFLOW);
	/* more nodes than room */
	assert_int_equal(benc_decode(nv, 2, &n, (const uint8_t *)"li1ei2ee", 8),
			 EOVERFLOW);
	assert_int_equal(benc_decode(nv, 3, &n, (const uint8_t *)"li1ei2ee", 8),
			 0);
	assert_int_equal(benc_decode(NULL, 3, &n, (const uint8_t *)"i1e", 3),
			 EINVAL);
}

static void test_encode(void **state)
{
	uint8_t buf[128];
	struct benc_enc e;
	size_t len = 0;

	(void)state;
	benc_enc_init(&e, buf, sizeof(buf));
	benc_enc_dict(&e);
	benc_enc_kv(&e, "ICE", "remove");
	benc_enc_str(&e, "rtcp-mux");
	benc_enc_list(&e);
	benc_enc_str(&e, "demux");
	benc_enc_end(&e);
	benc_enc_str(&e, "n");
	benc_enc_int(&e, -7);
	benc_enc_end(&e);
	assert_int_equal(benc_enc_finish(&e, &len), 0);
	assert_int_equal(len,
			 strlen("d3:ICE6:remove8:rtcp-muxl5:demuxe1:ni-7ee"));
	assert_memory_equal(buf, "d3:ICE6:remove8:rtcp-muxl5:demuxe1:ni-7ee",
			    len);

	/* too small: sticky EOVERFLOW, nothing past size written */
	benc_enc_init(&e, buf, 5);
	benc_enc_kv(&e, "abc", "def");
	assert_int_equal(benc_enc_finish(&e, &len), EOVERFLOW);
	/* an unclosed container, and a close without an open one */
	benc_enc_init(&e, buf, sizeof(buf));
	benc_enc_list(&e);
	assert_int_equal(benc_enc_finish(&e, &len), EPROTO);
	benc_enc_init(&e, buf, sizeof(buf));
	benc_enc_end(&e);
	assert_int_equal(benc_enc_finish(&e, &len), EINVAL);
}

static void test_round_trip(void **state)
{
	uint8_t buf[256];
	struct benc_node nv[NODES];
	struct benc_enc e;
	struct pl v;
	size_t len, n;
	const char bin[] = {'a', '\0', 'b', ':', 'e'};

	(void)state;
	benc_enc_init(&e, buf, sizeof(buf));
	benc_enc_dict(&e);
	benc_enc_str(&e, "bin");
	benc_enc_mem(&e, bin, sizeof(bin));
	benc_enc_kv(&e, "sdp", "");
	benc_enc_end(&e);
	assert_int_equal(benc_enc_finish(&e, &len), 0);
	assert_int_equal(benc_decode(nv, NODES, &n, buf, len), 0);
	assert_true(benc_dict_str(nv, 0, "bin", &v));
	assert_int_equal(v.l, sizeof(bin));
	assert_memory_equal(v.p, bin, sizeof(bin));
	assert_true(benc_dict_str(nv, 0, "sdp", &v));
	assert_int_equal(v.l, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_decode_ng_reply),  SC_TEST(test_decode_every_cut),
	    SC_TEST(test_decode_malformed), SC_TEST(test_decode_limits),
	    SC_TEST(test_encode),           SC_TEST(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
