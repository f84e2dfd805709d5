/* test_tls.c: contexts, memory-BIO sessions in pairs, certificates. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "testutil.h"

#include "tls/tls.h"

struct files {
	char dir[64];
	char cert[96];
	char key[96];
};

static void files_make(struct files *f, const char *cn)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/sc-tls-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
	assert_int_equal(tls_cert_selfsigned(f->cert, f->key, cn), 0);
}

static void files_remove(struct files *f)
{
	unlink(f->cert);
	unlink(f->key);
	rmdir(f->dir);
}

/* One side of an in-memory connection. */
struct side {
	struct tls_conn *tc;
	struct mbuf *out; /* ciphertext for the other side */
	struct mbuf *plain;
	int estab;
};

static void on_send(const uint8_t *data, size_t len, void *arg)
{
	struct side *s = arg;

	assert_int_equal(mbuf_write_mem(s->out, data, len), 0);
}

static void on_recv(const uint8_t *data, size_t len, void *arg)
{
	struct side *s = arg;

	assert_int_equal(mbuf_write_mem(s->plain, data, len), 0);
}

static void on_estab(void *arg)
{
	struct side *s = arg;

	s->estab++;
}

static const struct tls_conn_handlers handlers = {on_send, on_recv, on_estab};

static void side_init(struct side *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(mbuf_alloc(&s->out, 1024), 0);
	assert_int_equal(mbuf_alloc(&s->plain, 1024), 0);
}

static void side_free(struct side *s)
{
	mem_deref(s->tc);
	mem_deref(s->out);
	mem_deref(s->plain);
}

/* Moves ciphertext both ways until quiet. Returns the first error. */
static int pump(struct side *c, struct side *s)
{
	int i, err = 0;

	for (i = 0; i < 20 && !err; i++) {
		struct mbuf *co = c->out, *so = s->out;
		uint8_t tmp[65536];
		size_t n;

		if (!co->end && !so->end)
			break;
		n = co->end;
		memcpy(tmp, co->buf, n);
		mbuf_reset(co);
		if (n)
			err = tls_conn_recv(s->tc, tmp, n);
		if (err)
			break;
		n = so->end;
		memcpy(tmp, so->buf, n);
		mbuf_reset(so);
		if (n)
			err = tls_conn_recv(c->tc, tmp, n);
	}
	return err;
}

static void pair(struct side *c, struct side *s, struct tls_ctx *cctx,
                 struct tls_ctx *sctx, const char *host)
{
	side_init(c);
	side_init(s);
	assert_int_equal(tls_conn_alloc(&c->tc, cctx, host, &handlers, c), 0);
	assert_int_equal(tls_conn_alloc(&s->tc, sctx, NULL, &handlers, s), 0);
	assert_int_equal(tls_conn_start(s->tc), 0);
	assert_int_equal(tls_conn_start(c->tc), 0);
	assert_true(c->out->end > 0); /* the ClientHello */
}

static void test_handshake_and_data(void **state)
{
	struct tls_ctx *sctx = NULL, *cctx = NULL;
	struct side c, s;
	struct files f;

	(void)state;
	files_make(&f, "sip.example.test");
	assert_int_equal(tls_ctx_server_alloc(&sctx, f.cert, f.key), 0);
	assert_true(tls_ctx_is_server(sctx));
	assert_int_equal(tls_ctx_client_alloc(&cctx, f.cert, true), 0);
	pair(&c, &s, cctx, sctx, "sip.example.test");
	/* written before the handshake: buffered, then delivered */
	assert_int_equal(tls_conn_send(c.tc, (const uint8_t *)"early", 5), 0);
	assert_int_equal(pump(&c, &s), 0);
	assert_int_equal(c.estab, 1);
	assert_int_equal(s.estab, 1);
	assert_string_equal(tls_conn_version(c.tc), "TLSv1.3");
	assert_int_equal(s.plain->end, 5);
	assert_memory_equal(s.plain->buf, "early", 5);
	assert_int_equal(tls_conn_send(s.tc, (const uint8_t *)"pong", 4), 0);
	assert_int_equal(pump(&c, &s), 0);
	assert_int_equal(c.plain->end, 4);
	assert_memory_equal(c.plain->buf, "pong", 4);
	/* close_notify ends the peer's session */
	tls_conn_shutdown(c.tc);
	assert_int_equal(tls_conn_send(c.tc, (const uint8_t *)"x", 1),
	                 ENOTCONN);
	assert_int_equal(pump(&c, &s), ENOTCONN);
	side_free(&c);
	side_free(&s);
	mem_deref(cctx);
	mem_deref(sctx);
	files_remove(&f);
}

static void test_wrong_host_fails(void **state)
{
	struct tls_ctx *sctx = NULL, *cctx = NULL;
	struct side c, s;
	struct files f;

	(void)state;
	files_make(&f, "sip.example.test");
	assert_int_equal(tls_ctx_server_alloc(&sctx, f.cert, f.key), 0);
	assert_int_equal(tls_ctx_client_alloc(&cctx, f.cert, true), 0);
	pair(&c, &s, cctx, sctx, "other.example.test");
	assert_int_equal(pump(&c, &s), EPROTO);
	assert_int_equal(c.estab, 0);
	assert_non_null(strstr(tls_conn_error(c.tc), "hostname mismatch"));
	assert_int_equal(tls_conn_send(c.tc, (const uint8_t *)"x", 1),
	                 ENOTCONN);
	side_free(&c);
	side_free(&s);

	/* Without verification the same name is accepted. */
	mem_deref(cctx);
	assert_int_equal(tls_ctx_client_alloc(&cctx, f.cert, false), 0);
	pair(&c, &s, cctx, sctx, "other.example.test");
	assert_int_equal(pump(&c, &s), 0);
	assert_int_equal(c.estab, 1);
	side_free(&c);
	side_free(&s);
	mem_deref(cctx);
	mem_deref(sctx);
	files_remove(&f);
}

static void test_untrusted_ca_fails(void **state)
{
	struct tls_ctx *sctx = NULL, *cctx = NULL;
	struct files f, other;
	struct side c, s;

	(void)state;
	files_make(&f, "sip.example.test");
	files_make(&other, "sip.example.test");
	assert_int_equal(tls_ctx_server_alloc(&sctx, f.cert, f.key), 0);
	assert_int_equal(tls_ctx_client_alloc(&cctx, other.cert, true), 0);
	pair(&c, &s, cctx, sctx, "sip.example.test");
	assert_int_equal(pump(&c, &s), EPROTO);
	assert_non_null(strstr(tls_conn_error(c.tc), "certificate"));
	side_free(&c);
	side_free(&s);
	mem_deref(cctx);
	mem_deref(sctx);
	files_remove(&f);
	files_remove(&other);
}

/* TLS 1.1 (and older) clients are refused by the server. */
static void test_tls11_refused(void **state)
{
	struct tls_ctx *sctx = NULL;
	struct side s;
	SSL_CTX *old;
	SSL *ssl;
	BIO *in, *out;
	uint8_t buf[16384];
	struct files f;
	int n, err;

	(void)state;
	files_make(&f, "sip.example.test");
	assert_int_equal(tls_ctx_server_alloc(&sctx, f.cert, f.key), 0);
	side_init(&s);
	assert_int_equal(tls_conn_alloc(&s.tc, sctx, NULL, &handlers, &s), 0);

	/* A raw OpenSSL client limited to TLS 1.1 (test-only). */
	old = SSL_CTX_new(TLS_client_method());
	assert_non_null(old);
	SSL_CTX_set_security_level(old, 0);
	assert_int_equal(SSL_CTX_set_min_proto_version(old, TLS1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_cipher_list(old, "DEFAULT:@SECLEVEL=0"),
	                 1);
	ssl = SSL_new(old);
	in = BIO_new(BIO_s_mem());
	out = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(in, -1);
	SSL_set_bio(ssl, in, out);
	SSL_set_connect_state(ssl);
	assert_true(SSL_do_handshake(ssl) <= 0);
	n = BIO_read(out, buf, sizeof(buf));
	assert_true(n > 0);
	err = tls_conn_recv(s.tc, buf, (size_t)n);
	assert_int_equal(err, EPROTO);
	assert_non_null(strstr(tls_conn_error(s.tc), "protocol"));
	assert_false(tls_conn_established(s.tc));
	assert_true(s.out->end > 0); /* an alert went back */
	SSL_free(ssl);
	SSL_CTX_free(old);
	side_free(&s);
	mem_deref(sctx);
	files_remove(&f);
}

static void test_tls12_aead_only(void **state)
{
	struct tls_ctx *sctx = NULL, *cctx = NULL;
	struct side c, s;
	struct files f;

	(void)state;
	files_make(&f, "127.0.0.1");
	assert_int_equal(tls_ctx_server_alloc(&sctx, f.cert, f.key), 0);
	assert_int_equal(tls_ctx_client_alloc(&cctx, f.cert, true), 0);
	assert_int_equal(tls_ctx_set_versions(cctx, 0, TLS1_2_VERSION), 0);
	/* IP literal: no SNI, checked against the IP subjectAltName */
	pair(&c, &s, cctx, sctx, "127.0.0.1");
	assert_int_equal(pump(&c, &s), 0);
	assert_string_equal(tls_conn_version(c.tc), "TLSv1.2");
	side_free(&c);
	side_free(&s);
	mem_deref(cctx);
	mem_deref(sctx);
	files_remove(&f);
}

static void test_cert_files(void **state)
{
	uint8_t fp[TLS_FP_LEN], fp2[TLS_FP_LEN];
	char str[TLS_FP_STR_MAX];
	struct tls_ctx *ctx = NULL;
	struct files f, g;

	(void)state;
	files_make(&f, "gw.example.test");
	files_make(&g, "gw.example.test");
	assert_int_equal(tls_cert_fingerprint(f.cert, fp), 0);
	assert_int_equal(tls_cert_fingerprint(f.cert, fp2), 0);
	assert_memory_equal(fp, fp2, TLS_FP_LEN);
	assert_int_equal(tls_cert_fingerprint(g.cert, fp2), 0);
	assert_memory_not_equal(fp, fp2, TLS_FP_LEN);
	assert_int_equal(tls_fp_str(fp, str, sizeof(str)), 0);
	assert_int_equal(strlen(str), TLS_FP_LEN * 3 - 1);
	assert_int_equal(str[2], ':');
	assert_int_equal(tls_fp_str(fp, str, 10), EOVERFLOW);
	assert_int_equal(access(f.key, R_OK), 0);
	assert_int_equal(tls_cert_fingerprint(f.key, fp), EBADMSG);
	assert_int_equal(tls_cert_fingerprint("/nonexistent/x.pem", fp),
	                 ENOENT);
	/* a key that does not match the certificate */
	assert_int_equal(tls_ctx_server_alloc(&ctx, f.cert, g.key), EACCES);
	assert_int_equal(tls_ctx_server_alloc(&ctx, "/nonexistent", f.key),
	                 ENOENT);
	assert_int_equal(tls_cert_selfsigned(f.cert, f.key, ""), EINVAL);
	files_remove(&f);
	files_remove(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_handshake_and_data), SC_TEST(test_wrong_host_fails),
	    SC_TEST(test_untrusted_ca_fails), SC_TEST(test_tls11_refused),
	    SC_TEST(test_tls12_aead_only),    SC_TEST(test_cert_files),
	};

	log_level_set(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
