/* tls_ctx.c: TLS contexts for servers and clients (RFC 8446, RFC 7525). */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls/tls_int.h"

/* RFC 7525 §4.2: TLS 1.2 only with forward secrecy and AEAD. TLS 1.3
 * keeps OpenSSL's default suites (all AEAD). */
static const char tls12_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                    "ECDHE-RSA-AES128-GCM-SHA256:"
                                    "ECDHE-ECDSA-AES256-GCM-SHA384:"
                                    "ECDHE-RSA-AES256-GCM-SHA384:"
                                    "ECDHE-ECDSA-CHACHA20-POLY1305:"
                                    "ECDHE-RSA-CHACHA20-POLY1305";

void tls_err_str(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();

	if (!buf || !size)
		return;
	if (!e)
		snprintf(buf, size, "unknown error");
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
}

void tls_log_err(const char *what)
{
	char buf[TLS_ERR_MAX];

	tls_err_str(buf, sizeof(buf));
	log_warn("tls", "%s: %s", what, buf);
}

static void ctx_destroy(void *data)
{
	struct tls_ctx *ctx = data;

	SSL_CTX_free(ctx->ssl);
}

static int ctx_new(struct tls_ctx **ctxp, bool server)
{
	struct tls_ctx *ctx = mem_zalloc(sizeof(*ctx), ctx_destroy);
	int err = 0;

	if (!ctx)
		return ENOMEM;
	ctx->server = server;
	ctx->ssl =
	    SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx->ssl) {
		tls_log_err("SSL_CTX_new");
		err = ENOMEM;
		goto out;
	}
	if (!SSL_CTX_set_min_proto_version(ctx->ssl, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx->ssl, tls12_ciphers)) {
		tls_log_err("TLS context setup");
		err = EINVAL;
		goto out;
	}
	/* No renegotiation, no compression, a fresh ECDHE key each time. */
	SSL_CTX_set_options(ctx->ssl, SSL_OP_NO_RENEGOTIATION |
	                                  SSL_OP_NO_COMPRESSION |
	                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
out:
	if (err)
		mem_deref(ctx);
	else
		*ctxp = ctx;
	return err;
}

int tls_ctx_server_alloc(struct tls_ctx **ctxp, const char *cert_file,
                         const char *key_file)
{
	struct tls_ctx *ctx = NULL;
	int err;

	if (!ctxp || !cert_file || !key_file)
		return EINVAL;
	err = ctx_new(&ctx, true);
	if (err)
		return err;
	if (SSL_CTX_use_certificate_chain_file(ctx->ssl, cert_file) != 1) {
		tls_log_err(cert_file);
		err = ENOENT;
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx->ssl, key_file, SSL_FILETYPE_PEM) !=
	    1) {
		/* OpenSSL checks the pair here already. */
		err = ERR_GET_REASON(ERR_peek_error()) ==
		              X509_R_KEY_VALUES_MISMATCH
		          ? EACCES
		          : ENOENT;
		tls_log_err(key_file);
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx->ssl) != 1) {
		tls_log_err("key does not match certificate");
		err = EACCES;
		goto out;
	}
out:
	if (err)
		mem_deref(ctx);
	else
		*ctxp = ctx;
	return err;
}

int tls_ctx_client_alloc(struct tls_ctx **ctxp, const char *ca_file,
                         bool verify)
{
	struct tls_ctx *ctx = NULL;
	int ok, err;

	if (!ctxp)
		return EINVAL;
	err = ctx_new(&ctx, false);
	if (err)
		return err;
	ctx->verify = verify;
	if (ca_file)
		ok = SSL_CTX_load_verify_locations(ctx->ssl, ca_file, NULL);
	else
		ok = SSL_CTX_set_default_verify_paths(ctx->ssl);
	if (ok != 1) {
		tls_log_err(ca_file ? ca_file : "system CA store");
		err = ENOENT;
		goto out;
	}
	SSL_CTX_set_verify(ctx->ssl, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
	                   NULL);
out:
	if (err)
		mem_deref(ctx);
	else
		*ctxp = ctx;
	return err;
}

int tls_ctx_set_versions(struct tls_ctx *ctx, int min_ver, int max_ver)
{
	if (!ctx)
		return EINVAL;
	if (min_ver && !SSL_CTX_set_min_proto_version(ctx->ssl, min_ver))
		return EINVAL;
	if (max_ver && !SSL_CTX_set_max_proto_version(ctx->ssl, max_ver))
		return EINVAL;
	return 0;
}

bool tls_ctx_is_server(const struct tls_ctx *ctx)
{
	return ctx && ctx->server;
}
