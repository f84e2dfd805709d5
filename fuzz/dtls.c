/* dtls.c: fuzz target for DTLS connections (RFC 6347) fed arbitrary
 * datagrams, and for a=fingerprint parsing (RFC 8122).
 *
 * Input: one mode byte, then datagrams as [u16 length][bytes]... Mode bit
 * 0: we are the client (the ClientHello goes out first), else the server;
 * bit 1: the rest is an a=fingerprint value for dtls_fp_parse() instead. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/dtls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_send(const uint8_t *buf, size_t len, void *arg)
{
	(void)buf;
	(void)arg;
	if (len > DTLS_MTU)
		abort(); /* the MTU always holds */
	return 0;
}

static void on_estab(const struct dtls_srtp_keys *keys, void *arg)
{
	(void)keys;
	(void)arg;
	abort(); /* nobody can finish a handshake without our peer's key */
}

static void on_close(int err, const char *reason, void *arg)
{
	int *closes = arg;

	(void)err;
	(void)reason;
	if (++*closes > 1)
		abort(); /* closeh runs at most once */
}

static void fp_parse(const uint8_t *data, size_t size)
{
	uint8_t fp[DTLS_FP_MAX];
	size_t len = sizeof(fp);
	char *s = malloc(size + 1);

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)dtls_fp_parse(fp, &len, s);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One certificate for the whole run: key generation per input would
	 * be all the fuzzer measures. */
	static struct dtls_ctx *ctx;
	static const char rfp[] =
	    "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:"
	    "7C:AB:3A:4B:4C:51:FB:2A:FC:B1:A6:B9:41:9F";
	struct dtls_conn *dc = NULL;
	uint64_t now = 1000;
	int closes = 0;
	size_t pos = 1;

	if (!size)
		return 0;
	if (data[0] & 2) {
		fp_parse(data + 1, size - 1);
		return 0;
	}
	if (!ctx && dtls_ctx_alloc(&ctx))
		return 0;
	if (dtls_conn_alloc(&dc, ctx, data[0] & 1, rfp, on_send, on_estab,
			    on_close, &closes))
		return 0;
	(void)dtls_conn_start(dc, now);
	while (size - pos >= 2) {
		size_t n = (size_t)data[pos] << 8 | data[pos + 1];

		pos += 2;
		n = n < size - pos ? n : size - pos;
		(void)dtls_conn_recv(dc, data + pos, n, now);
		pos += n;
		now += 250;
		(void)dtls_conn_tick(dc, now);
	}
	(void)dtls_conn_timeout(dc);
	(void)dtls_conn_tick(dc, now + DTLS_HANDSHAKE_MAX_MS);
	dtls_conn_close(dc);
	mem_deref(dc);
	return 0;
}
