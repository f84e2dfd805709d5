/* test_wsload.c: wsload's codec against RFC 6455 vectors (1.3, 5.7), cut at
 * every byte into exact-size heap copies so any over-read trips ASan; the
 * SIP OPTIONS builder and response reader; the latency histogram. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "wsload.h"

/* An exact-size heap copy of p[0..n). */
static uint8_t *dup_exact(const void *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	assert_non_null(b);
	memcpy(b, p, n);
	return b;
}

static void test_accept_key(void **state)
{
	char out[WSLOAD_ACCEPT_SIZE];
	char key[WSLOAD_KEY_SIZE];

	(void)state;
	/* RFC 6455 1.3. */
	assert_int_equal(wsload_accept_key(out, "dGhlIHNhbXBsZSBub25jZQ=="), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(wsload_key_make(key), 0);
	assert_int_equal(strlen(key), 24);
	assert_int_equal(key[22], '=');
}

/* Decodes v whole, then checks every proper prefix asks for more bytes. */
static void decode_all_cuts(const uint8_t *v, size_t n, struct wsload_frame *f)
{
	size_t used = 0;

	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *b = dup_exact(v, cut);

		assert_int_equal(wsload_frame_decode(f, b, cut, &used),
		                 ENODATA);
		free(b);
	}
	assert_int_equal(wsload_frame_decode(f, v, n, &used), 0);
	assert_int_equal(used, n);
}

static void test_frame_decode_rfc(void **state)
{
	/* RFC 6455 5.7: unmasked "Hello", its two fragments, a ping. */
	static const uint8_t hello[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
	static const uint8_t frag1[] = {0x01, 0x03, 'H', 'e', 'l'};
	static const uint8_t frag2[] = {0x80, 0x02, 'l', 'o'};
	static const uint8_t ping[] = {0x89, 0x05, 'H', 'e', 'l', 'l', 'o'};
	uint8_t big[4 + 256];
	struct wsload_frame f;

	(void)state;
	decode_all_cuts(hello, sizeof(hello), &f);
	assert_true(f.fin);
	assert_int_equal(f.opcode, WSLOAD_OP_TEXT);
	assert_int_equal(f.len, 5);
	assert_memory_equal(f.payload, "Hello", 5);
	decode_all_cuts(frag1, sizeof(frag1), &f);
	assert_false(f.fin);
	assert_int_equal(f.opcode, WSLOAD_OP_TEXT);
	decode_all_cuts(frag2, sizeof(frag2), &f);
	assert_true(f.fin);
	assert_int_equal(f.opcode, WSLOAD_OP_CONT);
	decode_all_cuts(ping, sizeof(ping), &f);
	assert_int_equal(f.opcode, WSLOAD_OP_PING);
	/* RFC 6455 5.7: 256 bytes binary, 16-bit length. */
	memset(big, 0xab, sizeof(big));
	big[0] = 0x82;
	big[1] = 0x7e;
	big[2] = 0x01;
	big[3] = 0x00;
	decode_all_cuts(big, sizeof(big), &f);
	assert_int_equal(f.len, 256);
	assert_ptr_equal(f.payload, big + 4);
}

static void test_frame_decode_bad(void **state)
{
	/* RFC 6455 5.7: the masked "Hello" a client sends; from a server it
	 * is an error (5.1). */
	static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
	                                 0x7f, 0x9f, 0x4d, 0x51, 0x58};
	static const uint8_t rsv[] = {0xc1, 0x00};
	static const uint8_t op3[] = {0x83, 0x00};
	static const uint8_t ping_frag[] = {0x09, 0x00};
	static const uint8_t ping_long[] = {0x89, 0x7e, 0x00, 0x7e};
	static const uint8_t nonmin16[] = {0x81, 0x7e, 0x00, 0x05};
	static const uint8_t nonmin64[] = {0x82, 0x7f, 0, 0,    0,
	                                   0,    0,    0, 0x01, 0};
	static const uint8_t msb64[] = {0x82, 0x7f, 0x80, 0, 0, 0, 0, 1, 0, 0};
	/* RFC 6455 5.7: 64 KiB binary, over wsload's limit. */
	static const uint8_t huge[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0, 0};
	struct wsload_frame f;
	size_t used;

	(void)state;
	assert_int_equal(wsload_frame_decode(&f, masked, sizeof(masked), &used),
	                 EBADMSG);
	assert_int_equal(wsload_frame_decode(&f, rsv, sizeof(rsv), &used),
	                 EBADMSG);
	assert_int_equal(wsload_frame_decode(&f, op3, sizeof(op3), &used),
	                 EBADMSG);
	assert_int_equal(
	    wsload_frame_decode(&f, ping_frag, sizeof(ping_frag), &used),
	    EBADMSG);
	assert_int_equal(
	    wsload_frame_decode(&f, ping_long, sizeof(ping_long), &used),
	    EBADMSG);
	assert_int_equal(
	    wsload_frame_decode(&f, nonmin16, sizeof(nonmin16), &used),
	    EBADMSG);
	assert_int_equal(
	    wsload_frame_decode(&f, nonmin64, sizeof(nonmin64), &used),
	    EBADMSG);
	assert_int_equal(wsload_frame_decode(&f, msb64, sizeof(msb64), &used),
	                 EBADMSG);
	assert_int_equal(wsload_frame_decode(&f, huge, sizeof(huge), &used),
	                 EOVERFLOW);
	assert_int_equal(wsload_frame_decode(NULL, huge, sizeof(huge), &used),
	                 EINVAL);
}

static void test_frame_encode(void **state)
{
	static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
	static const uint8_t want[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
	                               0x7f, 0x9f, 0x4d, 0x51, 0x58};
	uint8_t buf[400], payload[300];
	size_t len;

	(void)state;
	/* RFC 6455 5.7, byte for byte. */
	assert_int_equal(wsload_frame_encode(buf, sizeof(buf), &len,
	                                     WSLOAD_OP_TEXT, mask, "Hello", 5),
	                 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* 16-bit length form; unmasking gives the payload back. */
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	assert_int_equal(wsload_frame_encode(buf, sizeof(buf), &len,
	                                     WSLOAD_OP_BINARY, mask, payload,
	                                     sizeof(payload)),
	                 0);
	assert_int_equal(len, 4 + 4 + sizeof(payload));
	assert_int_equal(buf[1], 0x80 | 126);
	assert_int_equal(buf[2] << 8 | buf[3], sizeof(payload));
	for (size_t i = 0; i < sizeof(payload); i++)
		assert_int_equal(buf[8 + i] ^ mask[i & 3], payload[i]);
	/* Every buffer size short of the frame is EOVERFLOW. */
	for (size_t size = 0; size < 11; size++)
		assert_int_equal(wsload_frame_encode(buf, size, &len,
		                                     WSLOAD_OP_TEXT, mask,
		                                     "Hello", 5),
		                 EOVERFLOW);
	/* RFC 6455 5.5: no control frame over 125 bytes. */
	assert_int_equal(wsload_frame_encode(buf, sizeof(buf), &len,
	                                     WSLOAD_OP_PONG, mask, payload,
	                                     126),
	                 EINVAL);
	assert_int_equal(wsload_frame_encode(buf, sizeof(buf), &len,
	                                     WSLOAD_OP_PONG, mask, NULL, 0),
	                 0);
	assert_int_equal(len, 6);
	assert_int_equal(buf[0], 0x8a);
}

static const char resp_ok[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "sec-websocket-protocol:  sip \r\n"
    "\r\n";
static const char accept_ok[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

static void test_upgrade_response(void **state)
{
	size_t n = sizeof(resp_ok) - 1, hdr = 0;
	uint8_t with_frame[sizeof(resp_ok) + 1];
	char bad[512];

	(void)state;
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *b = dup_exact(resp_ok, cut);

		assert_int_equal(
		    wsload_upgrade_response(b, cut, accept_ok, &hdr), ENODATA);
		free(b);
	}
	/* A frame right behind the header block stays unconsumed. */
	memcpy(with_frame, resp_ok, n);
	with_frame[n] = 0x81;
	assert_int_equal(
	    wsload_upgrade_response(with_frame, n + 1, accept_ok, &hdr), 0);
	assert_int_equal(hdr, n);
	/* A wrong accept value, a refusal, no subprotocol, garbage. */
	assert_int_equal(wsload_upgrade_response((const uint8_t *)resp_ok, n,
	                                         "AAAAs3pPLMBiTxaQ9kYGzzhZRbK+",
	                                         &hdr),
	                 EPROTO);
	snprintf(bad, sizeof(bad), "HTTP/1.1 403 Forbidden\r\n\r\n");
	assert_int_equal(wsload_upgrade_response((uint8_t *)bad, strlen(bad),
	                                         accept_ok, &hdr),
	                 EPROTO);
	snprintf(bad, sizeof(bad),
	         "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
	         "Connection: upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
	         accept_ok);
	assert_int_equal(wsload_upgrade_response((uint8_t *)bad, strlen(bad),
	                                         accept_ok, &hdr),
	                 EPROTO);
	snprintf(bad, sizeof(bad), "SIP/2.0 200 OK\r\n\r\n");
	assert_int_equal(wsload_upgrade_response((uint8_t *)bad, strlen(bad),
	                                         accept_ok, &hdr),
	                 EBADMSG);
	snprintf(bad, sizeof(bad), "HTTP/1.1 101 OK\r\nno colon\r\n\r\n");
	assert_int_equal(wsload_upgrade_response((uint8_t *)bad, strlen(bad),
	                                         accept_ok, &hdr),
	                 EBADMSG);
}

static void test_upgrade_response_limit(void **state)
{
	size_t n = WSLOAD_UPGRADE_MAX_RESP + 16;
	uint8_t *b = malloc(n);
	size_t hdr;

	(void)state;
	assert_non_null(b);
	memset(b, 'a', n);
	memcpy(b, "HTTP/1.1 101 OK\r\n", 17);
	assert_int_equal(wsload_upgrade_response(b, n, accept_ok, &hdr),
	                 EOVERFLOW);
	free(b);
}

static void test_upgrade_request(void **state)
{
	char buf[512];
	size_t len;

	(void)state;
	assert_int_equal(wsload_upgrade_request(buf, sizeof(buf), &len,
	                                        "127.0.0.1:8443", "/ws",
	                                        "dGhlIHNhbXBsZSBub25jZQ=="),
	                 0);
	assert_int_equal(len, strlen(buf));
	assert_memory_equal(buf, "GET /ws HTTP/1.1\r\n", 18);
	assert_non_null(strstr(buf, "\r\nHost: 127.0.0.1:8443\r\n"));
	assert_non_null(strstr(buf, "\r\nSec-WebSocket-Protocol: sip\r\n"));
	assert_non_null(strstr(buf, "\r\nSec-WebSocket-Version: 13\r\n"));
	assert_non_null(
	    strstr(buf, "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
	assert_memory_equal(buf + len - 4, "\r\n\r\n", 4);
	assert_int_equal(
	    wsload_upgrade_request(buf, 40, &len, "127.0.0.1:8443", "/ws", "x"),
	    EOVERFLOW);
}

static void test_sip_options(void **state)
{
	struct wsload_sip_req req = {"example.org", 7, 1, "abcdefghij"};
	char a[1024], b[1024];
	size_t la, lb;

	(void)state;
	assert_int_equal(wsload_sip_options(a, sizeof(a), &la, &req), 0);
	req.cseq = 2;
	assert_int_equal(wsload_sip_options(b, sizeof(b), &lb, &req), 0);
	assert_memory_equal(a, "OPTIONS sip:example.org SIP/2.0\r\n", 33);
	assert_non_null(strstr(a, "\r\nVia: SIP/2.0/WSS abc.invalid;branch="
	                          "z9hG4bKabcdefghij71\r\n"));
	assert_non_null(strstr(a, "\r\nMax-Forwards: 70\r\n"));
	assert_non_null(strstr(a, "\r\nCSeq: 1 OPTIONS\r\n"));
	assert_non_null(strstr(b, "\r\nCSeq: 2 OPTIONS\r\n"));
	assert_non_null(strstr(a, "\r\nCall-ID: abcdefghij7-1\r\n"));
	assert_non_null(strstr(b, "\r\nCall-ID: abcdefghij7-2\r\n"));
	assert_memory_equal(a + la - 4, "\r\n\r\n", 4);
	/* A request is not a response. */
	{
		uint16_t st;
		uint32_t cs;

		assert_int_equal(
		    wsload_sip_response((uint8_t *)a, la, &st, &cs), EBADMSG);
	}
	assert_int_equal(wsload_sip_options(a, 100, &la, &req), EOVERFLOW);
}

static void test_sip_response(void **state)
{
	static const char ok[] =
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKx\r\n"
	    "cseq :\t42 OPTIONS\r\n"
	    "Content-Length: 0\r\n\r\n";
	static const char nocseq[] = "SIP/2.0 404 Not Found\r\n\r\n";
	static const char badcode[] =
	    "SIP/2.0 2x0 OK\r\nCSeq: 1 OPTIONS\r\n\r\n";
	uint16_t st = 0;
	uint32_t cs = 0;
	size_t n = sizeof(ok) - 1;

	(void)state;
	assert_int_equal(wsload_sip_response((const uint8_t *)ok, n, &st, &cs),
	                 0);
	assert_int_equal(st, 200);
	assert_int_equal(cs, 42);
	/* Cut anywhere: never an over-read; a success reads a prefix of 42
	 * (a WebSocket message is always whole, so this is the only case). */
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *b = dup_exact(ok, cut);
		int err = wsload_sip_response(b, cut, &st, &cs);

		assert_true(err == EBADMSG ||
		            (err == 0 && (cs == 4 || cs == 42)));
		free(b);
	}
	assert_int_equal(wsload_sip_response((const uint8_t *)nocseq,
	                                     sizeof(nocseq) - 1, &st, &cs),
	                 EBADMSG);
	assert_int_equal(wsload_sip_response((const uint8_t *)badcode,
	                                     sizeof(badcode) - 1, &st, &cs),
	                 EBADMSG);
}

static void test_hist(void **state)
{
	struct wsload_hist *h = calloc(1, sizeof(*h));
	uint64_t p50, p99;

	(void)state;
	assert_non_null(h);
	assert_int_equal(wsload_hist_quantile(h, 0.5), 0);
	for (uint64_t v = 1; v <= 100000; v++)
		wsload_hist_add(h, v);
	p50 = wsload_hist_quantile(h, 0.50);
	p99 = wsload_hist_quantile(h, 0.99);
	/* Within 1/64 of the exact 50000 and 99000. */
	assert_true(p50 >= 50000 - 50000 / 64 && p50 <= 50000 + 50000 / 64);
	assert_true(p99 >= 99000 - 99000 / 64 && p99 <= 99000 + 99000 / 64);
	assert_int_equal(wsload_hist_quantile(h, 1.0), 100000);
	/* Small values are exact; huge ones are capped, not out of range. */
	memset(h, 0, sizeof(*h));
	wsload_hist_add(h, 3);
	wsload_hist_add(h, 5);
	assert_int_equal(wsload_hist_quantile(h, 0.5), 3);
	wsload_hist_add(h, UINT64_MAX);
	assert_int_equal(h->max, ((uint64_t)1 << WSLOAD_HIST_MAX_BITS) - 1);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_accept_key),
	    SC_TEST(test_frame_decode_rfc),
	    SC_TEST(test_frame_decode_bad),
	    SC_TEST(test_frame_encode),
	    SC_TEST(test_upgrade_response),
	    SC_TEST(test_upgrade_response_limit),
	    SC_TEST(test_upgrade_request),
	    SC_TEST(test_sip_options),
	    SC_TEST(test_sip_response),
	    SC_TEST(test_hist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
