/* tls_conn.c: a TLS session over memory BIOs, for any byte stream. */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls/tls_int.h"

/* Bytes moved per SSL_read / BIO_read step. */
#define TLS_IO_CHUNK 16384

struct tls_conn {
	struct tls_ctx *ctx;
	SSL *ssl;
	BIO *rbio; /* ciphertext in (we write, OpenSSL reads) */
	BIO *wbio; /* ciphertext out (OpenSSL writes, we read) */
	struct tls_conn_handlers h;
	void *arg;
	struct mbuf *pend; /* plaintext written before the handshake */
	bool established;
	bool failed;
	bool shut;
	char err[TLS_ERR_MAX];
};

static void conn_destroy(void *data)
{
	struct tls_conn *tc = data;

	SSL_free(tc->ssl); /* frees both BIOs */
	mem_deref(tc->pend);
	mem_deref(tc->ctx);
}

int tls_conn_alloc(struct tls_conn **tcp, struct tls_ctx *ctx, const char *host,
                   const struct tls_conn_handlers *h, void *arg)
{
	struct tls_conn *tc;
	int err = 0;

	if (!tcp || !ctx || !h || !h->sendh || !h->recvh)
		return EINVAL;
	tc = mem_zalloc(sizeof(*tc), conn_destroy);
	if (!tc)
		return ENOMEM;
	tc->ctx = mem_ref(ctx);
	tc->h = *h;
	tc->arg = arg;
	tc->ssl = SSL_new(ctx->ssl);
	tc->rbio = BIO_new(BIO_s_mem());
	tc->wbio = BIO_new(BIO_s_mem());
	if (!tc->ssl || !tc->rbio || !tc->wbio) {
		BIO_free(tc->rbio);
		BIO_free(tc->wbio);
		tls_log_err("SSL_new");
		err = ENOMEM;
		goto out;
	}
	/* An empty memory BIO means "try again", not end of file. */
	BIO_set_mem_eof_return(tc->rbio, -1);
	SSL_set_bio(tc->ssl, tc->rbio, tc->wbio);
	if (ctx->server) {
		SSL_set_accept_state(tc->ssl);
		goto out;
	}
	SSL_set_connect_state(tc->ssl);
	if (host && *host) {
		/* SNI only for names, never for IP literals (RFC 6066 §3). */
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);

		if (!ip && !SSL_set_tlsext_host_name(tc->ssl, host))
			err = EINVAL;
		ASN1_OCTET_STRING_free(ip);
		if (!err && ctx->verify && !SSL_set1_host(tc->ssl, host))
			err = EINVAL;
		if (err)
			tls_log_err(host);
	}
out:
	if (err)
		mem_deref(tc);
	else
		*tcp = tc;
	return err;
}

/* Hands everything OpenSSL produced to the transmitter. */
static void flush_out(struct tls_conn *tc)
{
	uint8_t buf[TLS_IO_CHUNK];
	int n;

	while ((n = BIO_read(tc->wbio, buf, sizeof(buf))) > 0)
		tc->h.sendh(buf, (size_t)n, tc->arg);
}

static int fail(struct tls_conn *tc, const char *what)
{
	long vr = SSL_get_verify_result(tc->ssl);
	char reason[TLS_ERR_MAX / 2];

	tls_err_str(reason, sizeof(reason));
	if (vr != X509_V_OK)
		snprintf(tc->err, sizeof(tc->err), "%.32s: %.80s (%.100s)",
		         what, X509_verify_cert_error_string(vr), reason);
	else
		snprintf(tc->err, sizeof(tc->err), "%.32s: %.120s", what,
		         reason);
	tc->failed = true;
	flush_out(tc); /* the alert, if OpenSSL wrote one */
	return EPROTO;
}

static int write_plain(struct tls_conn *tc, const uint8_t *data, size_t len)
{
	while (len) {
		int chunk = (int)SC_MIN(len, (size_t)TLS_IO_CHUNK);
		int n = SSL_write(tc->ssl, data, chunk);

		if (n <= 0)
			return fail(tc, "TLS write");
		data += n;
		len -= (size_t)n;
	}
	flush_out(tc);
	return 0;
}

static int handshake(struct tls_conn *tc)
{
	int r = SSL_do_handshake(tc->ssl);
	int err = 0;

	if (r != 1) {
		int e = SSL_get_error(tc->ssl, r);

		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			flush_out(tc);
			return 0;
		}
		return fail(tc, "TLS handshake");
	}
	flush_out(tc);
	tc->established = true;
	if (tc->pend) {
		err = write_plain(tc, tc->pend->buf, tc->pend->end);
		tc->pend = mem_deref(tc->pend);
		if (err)
			return err;
	}
	if (tc->h.estabh)
		tc->h.estabh(tc->arg);
	return 0;
}

int tls_conn_start(struct tls_conn *tc)
{
	if (!tc)
		return EINVAL;
	if (tc->ctx->server || tc->established)
		return 0;
	return handshake(tc);
}

static int read_plain(struct tls_conn *tc)
{
	uint8_t buf[TLS_IO_CHUNK];

	while (!tc->failed && !tc->shut) {
		int n = SSL_read(tc->ssl, buf, sizeof(buf));
		int e;

		if (n > 0) {
			tc->h.recvh(buf, (size_t)n, tc->arg);
			continue;
		}
		e = SSL_get_error(tc->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			break;
		if (e == SSL_ERROR_ZERO_RETURN) {
			flush_out(tc);
			tc->shut = true;
			return ENOTCONN;
		}
		return fail(tc, "TLS read");
	}
	flush_out(tc); /* session tickets, key updates */
	return tc->failed ? EPROTO : 0;
}

int tls_conn_recv(struct tls_conn *tc, const uint8_t *data, size_t len)
{
	int err = 0;

	if (!tc || (!data && len))
		return EINVAL;
	if (tc->failed)
		return EPROTO;
	if (tc->shut)
		return ENOTCONN;
	if (len && BIO_write(tc->rbio, data, (int)len) != (int)len)
		return ENOMEM;
	mem_ref(tc); /* handlers may drop the caller's reference */
	if (!tc->established) {
		err = handshake(tc);
		if (err || !tc->established)
			goto out;
	}
	err = read_plain(tc);
out:
	mem_deref(tc);
	return err;
}

int tls_conn_send(struct tls_conn *tc, const uint8_t *data, size_t len)
{
	int err;

	if (!tc || (!data && len))
		return EINVAL;
	if (tc->failed || tc->shut)
		return ENOTCONN;
	if (tc->established)
		return write_plain(tc, data, len);
	if (!tc->pend) {
		err = mbuf_alloc(&tc->pend, SC_MAX(len, (size_t)1024));
		if (err)
			return err;
	}
	if (tc->pend->end + len > TLS_PEND_MAX)
		return EOVERFLOW;
	return mbuf_write_mem(tc->pend, data, len);
}

void tls_conn_shutdown(struct tls_conn *tc)
{
	if (!tc || tc->shut)
		return;
	tc->shut = true;
	if (tc->established && !tc->failed) {
		SSL_shutdown(tc->ssl);
		flush_out(tc);
	}
	ERR_clear_error();
}

bool tls_conn_established(const struct tls_conn *tc)
{
	return tc && tc->established;
}

const char *tls_conn_error(const struct tls_conn *tc)
{
	return tc ? tc->err : "";
}

const char *tls_conn_version(const struct tls_conn *tc)
{
	return tc && tc->established ? SSL_get_version(tc->ssl) : "";
}
