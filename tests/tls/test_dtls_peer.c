/* test_dtls_peer.c: our DTLS server against a plain OpenSSL DTLS client
 * written here: the SRTP keys checked against the client's own export
 * (RFC 5764 section 4.2), our certificate against our fingerprint, and
 * the client's application data (dropped) and renegotiation (refused). */
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dtls_pair.h"

#include "tls/tls.h"

/* The plain OpenSSL client, over memory BIOs. */
struct raw {
	char dir[64], cert[96], key[96];
	char fp[DTLS_FP_STR_MAX]; /* its certificate's, for our server */
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;
};

static void raw_open(struct raw *r)
{
	uint8_t fp[TLS_FP_LEN];

	snprintf(r->dir, sizeof(r->dir), "/tmp/sc-dtls-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->cert, sizeof(r->cert), "%s/cert.pem", r->dir);
	snprintf(r->key, sizeof(r->key), "%s/key.pem", r->dir);
	assert_int_equal(tls_cert_selfsigned(r->cert, r->key, "peer"), 0);
	assert_int_equal(tls_cert_fingerprint(r->cert, fp), 0);
	memcpy(r->fp, "sha-256 ", 8);
	assert_int_equal(tls_fp_str(fp, r->fp + 8, sizeof(r->fp) - 8), 0);

	r->ctx = SSL_CTX_new(DTLS_client_method());
	assert_non_null(r->ctx);
	assert_int_equal(
	    SSL_CTX_use_certificate_file(r->ctx, r->cert, SSL_FILETYPE_PEM), 1);
	assert_int_equal(
	    SSL_CTX_use_PrivateKey_file(r->ctx, r->key, SSL_FILETYPE_PEM), 1);
	assert_int_equal(
	    SSL_CTX_set_tlsext_use_srtp(r->ctx, "SRTP_AES128_CM_SHA1_80"), 0);
	r->ssl = SSL_new(r->ctx);
	r->rbio = BIO_new(BIO_s_mem());
	r->wbio = BIO_new(BIO_s_mem());
	assert_true(r->ssl && r->rbio && r->wbio);
	BIO_set_mem_eof_return(r->rbio, -1);
	SSL_set_bio(r->ssl, r->rbio, r->wbio);
	SSL_set_options(r->ssl, SSL_OP_NO_QUERY_MTU);
	SSL_set_mtu(r->ssl, DTLS_MTU);
	SSL_set_connect_state(r->ssl);
}

static void raw_close(struct raw *r)
{
	SSL_free(r->ssl);
	SSL_CTX_free(r->ctx);
	unlink(r->cert);
	unlink(r->key);
	rmdir(r->dir);
}

/* Moves what the client wrote to our server, as one datagram of
 * records. */
static void raw_to(struct raw *r, struct side *s)
{
	uint8_t buf[DTLS_DGRAM_MAX];
	int n = BIO_read(r->wbio, buf, sizeof(buf));

	if (n > 0)
		assert_int_equal(dtls_conn_recv(s->dc, buf, (size_t)n, 1), 0);
}

static void to_raw(struct side *s, struct raw *r)
{
	size_t i;

	for (i = 0; i < s->qn; i++)
		BIO_write(r->rbio, s->q[i], (int)s->qlen[i]);
	s->qn = 0;
}

static void test_plain_openssl_client(void **state)
{
	struct side *s = calloc(1, sizeof(*s));
	struct dtls_ctx *ctx = NULL;
	struct raw r;
	uint8_t km[2 * (16 + 14)], md[32];
	unsigned int mdlen = sizeof(md);
	char fp[DTLS_FP_STR_MAX];
	int i;

	(void)state;
	assert_non_null(s);
	raw_open(&r);
	assert_int_equal(dtls_ctx_alloc(&ctx), 0);
	side_alloc(s, ctx, false, r.fp);

	for (i = 0; i < 10 && !SSL_is_init_finished(r.ssl); i++) {
		ERR_clear_error();
		SSL_do_handshake(r.ssl);
		raw_to(&r, s);
		to_raw(s, &r);
	}
	ERR_clear_error();
	assert_int_equal(SSL_do_handshake(r.ssl), 1);
	assert_int_equal(s->estabs, 1);

	/* The client saw the certificate our fingerprint names. */
	assert_true(X509_digest(SSL_get0_peer_certificate(r.ssl), EVP_sha256(),
				md, &mdlen));
	memcpy(fp, "sha-256 ", 8);
	assert_int_equal(tls_fp_str(md, fp + 8, sizeof(fp) - 8), 0);
	assert_string_equal(fp, dtls_ctx_fingerprint(ctx));

	/* RFC 5764 4.2 split, by the client's own export: we are the server,
	 * so the client's write key is our remote key. */
	assert_int_equal(s->keys.profile, DTLS_SRTP_AES128_CM_SHA1_80);
	assert_int_equal(SSL_export_keying_material(r.ssl, km, sizeof(km),
						    "EXTRACTOR-dtls_srtp", 19,
						    NULL, 0, 0),
			 1);
	assert_memory_equal(s->keys.remote_key, km, 16);
	assert_memory_equal(s->keys.local_key, km + 16, 16);
	assert_memory_equal(s->keys.remote_salt, km + 32, 14);
	assert_memory_equal(s->keys.local_salt, km + 46, 14);

	/* Application data: dropped and counted, nothing else happens. */
	assert_int_equal(SSL_write(r.ssl, "hello", 5), 5);
	raw_to(&r, s);
	assert_int_equal(dtls_conn_dropped(s->dc), 1);
	assert_true(dtls_conn_established(s->dc));
	assert_int_equal(s->qn, 0);

	/* A second handshake: refused with a no_renegotiation warning (an
	 * alert record), still one estabh, still up. */
	assert_int_equal(SSL_renegotiate(r.ssl), 1);
	ERR_clear_error();
	SSL_do_handshake(r.ssl);
	raw_to(&r, s);
	assert_true(s->qn >= 1);
	assert_int_equal(s->q[0][0], 21); /* alert */
	assert_int_equal(s->estabs, 1);
	assert_int_equal(s->closes, 0);
	assert_true(dtls_conn_established(s->dc));

	ERR_clear_error();
	mem_deref(s->dc);
	mem_deref(ctx);
	raw_close(&r);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_plain_openssl_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
