/* dtls_bio.c: the datagram I/O of a DTLS connection (RFC 6347 section
 * 4.1.1: records never span datagrams): an OpenSSL BIO over the caller's
 * datagrams, and the queue of datagrams to send. */
#include <errno.h>
#include <string.h>

#include "tls/dtls_int.h"

/* Our BIO's type. A fixed number: BIO_get_new_index() draws from a
 * process-wide counter meant to be used once (the index must fit the
 * type's low byte), not once per context; the type only matters to
 * BIO_find_type(), which nobody calls on this BIO. */
#define DTLS_BIO_TYPE (0xe7 | BIO_TYPE_SOURCE_SINK)

/* Appends one datagram to a queue. */
static int queue_put(struct mbuf **qp, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = {(uint8_t)(n >> 8), (uint8_t)n};
	int err;

	if (!*qp) {
		err = mbuf_alloc(qp, 2 * DTLS_MTU);
		if (err)
			return err;
	}
	err = mbuf_write_mem(*qp, hdr, sizeof(hdr));
	if (!err)
		err = mbuf_write_mem(*qp, p, n);
	return err;
}

/* The BIO: each write is one datagram (OpenSSL's buffering BIO packs a
 * flight's records up to the MTU before writing); reads hand over the
 * datagram being fed, once. */
static int bio_write(BIO *b, const char *buf, int len)
{
	struct dtls_conn *dc = BIO_get_data(b);

	if (len <= 0 || (size_t)len > DTLS_DGRAM_MAX)
		return -1;
	if (queue_put(&dc->out, (const uint8_t *)buf, (size_t)len))
		return -1;
	/* Keep a copy of our latest flight for verbatim resending. */
	if (!dc->hs_done) {
		if (dc->flight_call != dc->call && dc->flight)
			mbuf_reset(dc->flight);
		dc->flight_call = dc->call;
		(void)queue_put(&dc->flight, (const uint8_t *)buf, (size_t)len);
	}
	return len;
}

static int bio_read(BIO *b, char *buf, int size)
{
	struct dtls_conn *dc = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (!dc->in || size <= 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = SC_MIN(dc->in_len, (size_t)size);
	memcpy(buf, dc->in, n);
	dc->in = NULL;
	dc->in_len = 0;
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct dtls_conn *dc = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return dc && dc->in ? (long)dc->in_len : 0;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return DTLS_MTU;
	default:
		return 0;
	}
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

BIO_METHOD *dtls_bio_method_new(void)
{
	BIO_METHOD *m = BIO_meth_new(DTLS_BIO_TYPE, "sipcloak dtls");

	if (!m)
		return NULL;
	if (!BIO_meth_set_write(m, bio_write) ||
	    !BIO_meth_set_read(m, bio_read) ||
	    !BIO_meth_set_ctrl(m, bio_ctrl) ||
	    !BIO_meth_set_create(m, bio_create)) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* Sends every queued datagram. The queue is detached first, so handlers
 * that make more output (or free nothing: the caller holds a reference)
 * are safe. */
void dtls_flush(struct dtls_conn *dc)
{
	struct mbuf *q = dc->out;

	dc->out = NULL;
	if (!q)
		return;
	q->pos = 0;
	while (mbuf_left(q) >= 2) {
		const uint8_t *p = mbuf_buf(q);
		size_t n = (size_t)p[0] << 8 | p[1];

		if (mbuf_left(q) - 2 < n)
			break;
		(void)dc->sendh(p + 2, n, dc->arg);
		q->pos += 2 + n;
	}
	mem_deref(q);
}
