/* test_frame.c: stream framing (RFC 3261 §18.3) and CRLF keepalives (RFC
 * 5626 §3.5.1). Every message is cut at every byte offset, and inputs sit
 * right before a PROT_NONE page so that any over-read crashes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sip/msg.h"
#include "testutil.h"

/* A readable area followed by an unreadable page. */
struct guard {
	char *base;
	size_t size; /* readable bytes */
	size_t page;
};

static void guard_init(struct guard *g, size_t need)
{
	g->page = (size_t)sysconf(_SC_PAGESIZE);
	g->size = (need + g->page - 1) / g->page * g->page;
	g->base = mmap(NULL, g->size + g->page, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->base != MAP_FAILED);
	assert_int_equal(mprotect(g->base + g->size, g->page, PROT_NONE), 0);
}

static void guard_close(struct guard *g)
{
	munmap(g->base, g->size + g->page);
}

/* Copies n bytes so that they end exactly at the unreadable page. */
static const char *guard_put(struct guard *g, const char *p, size_t n)
{
	char *dst = g->base + g->size - n;

	assert_true(n <= g->size);
	memcpy(dst, p, n);
	return dst;
}

static const char register_msg[] =
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/WSS 7h2k3l4m.invalid;branch=z9hG4bK5125521\r\n"
    "Max-Forwards: 69\r\n"
    "To: <sip:alice@example.com>\r\n"
    "From: <sip:alice@example.com>;tag=3ab4rmm3sk\r\n"
    "Call-ID: 2n9fj5ifg0q0nt8ni1op7k\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Contact: <sip:k8v7ruep@7h2k3l4m.invalid;transport=ws>;expires=600\r\n"
    "Expires: 600\r\n"
    "Content-Length: 0\r\n\r\n";

static const char message_msg[] =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP pc.example.com;branch=z9hG4bK776sgdkse\r\n"
    "Max-Forwards: 70\r\n"
    "From: sip:alice@example.com;tag=49583\r\n"
    "To: sip:bob@example.com\r\n"
    "Call-ID: asd88asd77a@1.2.3.4\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "l:\r\n 18\r\n\r\n"
    "Watson, come here.";

/* Every strict prefix needs more bytes; the whole message frames to its
 * length and decodes; nothing reads past the end. */
static void cut_everywhere(struct guard *g, const char *m, size_t n)
{
	size_t k, len = 0;
	static struct sip_msg msg;

	for (k = 0; k < n; k++) {
		const char *p = guard_put(g, m, k);

		if (sip_frame(p, k, &len) != ENODATA)
			fail_msg("prefix %zu of %zu", k, n);
		(void)sip_msg_decode(&msg, p, k); /* must not over-read */
	}
	assert_int_equal(sip_frame(guard_put(g, m, n), n, &len), 0);
	assert_int_equal(len, n);
	assert_int_equal(sip_msg_decode(&msg, guard_put(g, m, n), n), 0);
}

static void test_frame_prefixes(void **state)
{
	struct guard g;

	(void)state;
	guard_init(&g, 4096);
	cut_everywhere(&g, register_msg, sizeof(register_msg) - 1);
	cut_everywhere(&g, message_msg, sizeof(message_msg) - 1);
	guard_close(&g);
}

/* The RFC 4475 messages whose framing over a stream is well defined. */
static void test_frame_torture(void **state)
{
	static const char *const files[] = {
	    "rfc4475-3.1.1.1-wsinv.sip",     "rfc4475-3.1.1.2-intmeth.sip",
	    "rfc4475-3.1.1.3-esc01.sip",     "rfc4475-3.1.1.4-escnull.sip",
	    "rfc4475-3.1.1.7-longreq.sip",   "rfc4475-3.1.1.11-mpart01.sip",
	    "rfc4475-3.1.1.12-unreason.sip", "rfc4475-3.3.15-sdp01.sip",
	};
	static char buf[8192];
	struct guard g;
	size_t i;

	(void)state;
	guard_init(&g, sizeof(buf));
	for (i = 0; i < SC_ARRAY_SIZE(files); i++) {
		char path[128];
		FILE *f;
		size_t n, len;

		snprintf(path, sizeof(path), "torture/%s", files[i]);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		/* over a stream the message ends where Content-Length says */
		assert_int_equal(sip_frame(buf, n, &len), 0);
		assert_true(len <= n);
		cut_everywhere(&g, buf, len);
	}
	guard_close(&g);
}

static void test_frame_pipeline(void **state)
{
	static char buf[2048];
	size_t n = 0, len, used, off = 0;
	bool ping;
	int count = 0;

	(void)state;
	memcpy(buf + n, "\r\n\r\n", 4);
	n += 4;
	memcpy(buf + n, register_msg, sizeof(register_msg) - 1);
	n += sizeof(register_msg) - 1;
	memcpy(buf + n, "\r\n", 2);
	n += 2;
	memcpy(buf + n, message_msg, sizeof(message_msg) - 1);
	n += sizeof(message_msg) - 1;
	for (;;) {
		used = sip_frame_crlf(buf + off, n - off, &ping);
		if (off == 0) {
			assert_int_equal(used, 4);
			assert_true(ping);
		}
		off += used;
		if (off == n)
			break;
		assert_int_equal(sip_frame(buf + off, n - off, &len), 0);
		off += len;
		count++;
	}
	assert_int_equal(count, 2);
}

static void test_frame_errors(void **state)
{
	static char big[SIP_HEAD_MAX + 64];
	size_t len = 0;

	(void)state;
	/* head complete, no Content-Length: 400 and close */
	assert_int_equal(
	    sip_frame("OPTIONS sip:a@b SIP/2.0\r\nX: y\r\n\r\n", 33, &len),
	    EBADMSG);
	assert_int_equal(
	    sip_frame("OPTIONS sip:a@b SIP/2.0\r\nl: -1\r\n\r\n", 34, &len),
	    EBADMSG);
	assert_int_equal(
	    sip_frame("OPTIONS sip:a@b SIP/2.0\r\nl: 1x\r\n\r\nab", 36, &len),
	    EBADMSG);
	/* two different lengths */
	assert_int_equal(
	    sip_frame(
	        "A sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab", 48,
	        &len),
	    EBADMSG);
	/* the same twice is fine */
	assert_int_equal(
	    sip_frame(
	        "A sip:a@b SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n\r\nab", 48,
	        &len),
	    0);
	assert_int_equal(len, 48);
	/* a folded line mentioning Content-Length is not a header */
	assert_int_equal(sip_frame("A sip:a@b SIP/2.0\r\nl: 0\r\nX: a\r\n "
	                           "Content-Length: 9\r\n\r\n",
	                           53, &len),
	                 0);
	assert_int_equal(len, 53);
	/* a body that would pass SIP_MSG_MAX */
	assert_int_equal(
	    sip_frame("A sip:a@b SIP/2.0\r\nl: 65536\r\n\r\n", 31, &len),
	    EOVERFLOW);
	assert_int_equal(
	    sip_frame("A sip:a@b SIP/2.0\r\nl: 99999999999\r\n\r\n", 37, &len),
	    EOVERFLOW);
	/* a head that never ends */
	memset(big, 'a', sizeof(big));
	assert_int_equal(sip_frame(big, SIP_HEAD_MAX, &len), ENODATA);
	assert_int_equal(sip_frame(big, sizeof(big), &len), EOVERFLOW);
	assert_int_equal(sip_frame(NULL, 0, &len), EINVAL);
	assert_int_equal(sip_frame("", 0, &len), ENODATA);
}

static void test_frame_crlf(void **state)
{
	bool ping = true;

	(void)state;
	assert_int_equal(sip_frame_crlf("\r\n\r\n", 4, &ping), 4);
	assert_true(ping);
	assert_int_equal(sip_frame_crlf("\r\n\r\nREG", 7, &ping), 4);
	assert_true(ping);
	assert_int_equal(sip_frame_crlf("\r\nREG", 5, &ping), 2);
	assert_false(ping);
	/* could still become a ping: wait */
	assert_int_equal(sip_frame_crlf("\r", 1, &ping), 0);
	assert_int_equal(sip_frame_crlf("\r\n", 2, &ping), 0);
	assert_int_equal(sip_frame_crlf("\r\n\r", 3, &ping), 0);
	assert_false(ping);
	assert_int_equal(sip_frame_crlf("\r\n\r\n\r\n", 6, &ping), 6);
	assert_true(ping);
	/* the CR that ends the buffer is kept for the next ping */
	assert_int_equal(sip_frame_crlf("\r\n\r\n\r", 5, &ping), 4);
	assert_true(ping);
	assert_int_equal(sip_frame_crlf("\n\n", 2, &ping), 2);
	assert_false(ping);
	assert_int_equal(sip_frame_crlf("REG", 3, &ping), 0);
	assert_int_equal(sip_frame_crlf("", 0, &ping), 0);
	assert_int_equal(sip_frame_crlf(NULL, 4, &ping), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_frame_prefixes), SC_TEST(test_frame_torture),
	    SC_TEST(test_frame_pipeline), SC_TEST(test_frame_errors),
	    SC_TEST(test_frame_crlf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
