/* dtls_ctx.c: the shared DTLS 1.2 context for media (RFC 6347): a fresh
 * ECDSA P-256 self-signed certificate and use_srtp (RFC 5764, RFC 7714). */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls/dtls_int.h"

/* DTLS-SRTP profiles offered, preferred first (as a server, our order
 * decides). GCM costs a third of CM+HMAC in libsrtp here (DESIGN.md). */
static const char srtp_profiles[] =
    "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

/* RFC 8827 section 6.5 asks for TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
 * AEAD suites only, ECDSA first; RSA ones for peers with RSA certificates
 * (when we are the client). */
static const char dtls_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:"
				   "ECDHE-ECDSA-AES256-GCM-SHA384:"
				   "ECDHE-ECDSA-CHACHA20-POLY1305:"
				   "ECDHE-RSA-AES128-GCM-SHA256:"
				   "ECDHE-RSA-AES256-GCM-SHA384:"
				   "ECDHE-RSA-CHACHA20-POLY1305";

/* Subject and issuer of our certificate. */
static const char cert_cn[] = "sipcloak";

static void ctx_destroy(void *data)
{
	struct dtls_ctx *ctx = data;

	SSL_CTX_free(ctx->ssl);
}

/* A self-signed X.509 v3 certificate: random positive 63-bit serial
 * (RFC 5280 section 4.1.2.2), valid from an hour ago (clock skew) for
 * DTLS_CERT_DAYS days, signed with ECDSA-SHA256. */
static int make_cert(X509 **crtp, EVP_PKEY *key)
{
	X509 *crt = X509_new();
	X509_NAME *name;
	uint64_t serial = 0;
	int err = 0;

	if (!crt)
		return ENOMEM;
	rand_bytes(&serial, sizeof(serial));
	serial &= 0x7fffffffffffffffULL;
	name = X509_get_subject_name(crt);
	if (!X509_set_version(crt, 2) ||
	    !ASN1_INTEGER_set_uint64(X509_get_serialNumber(crt), serial) ||
	    !X509_gmtime_adj(X509_getm_notBefore(crt), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(crt),
			     (long)DTLS_CERT_DAYS * 86400) ||
	    !X509_set_pubkey(crt, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)cert_cn, -1, -1,
					0) ||
	    !X509_set_issuer_name(crt, name) ||
	    !X509_sign(crt, key, EVP_sha256())) {
		err = EPROTO;
		X509_free(crt);
		crt = NULL;
	}
	*crtp = crt;
	return err;
}

static int ctx_setup(struct dtls_ctx *ctx)
{
	SSL_CTX *s = ctx->ssl;

	if (!SSL_CTX_set_min_proto_version(s, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(s, dtls_ciphers))
		return EPROTO;
	/* Returns 0 on success, unlike most of OpenSSL. */
	if (SSL_CTX_set_tlsext_use_srtp(s, srtp_profiles))
		return EPROTO;
	/* No renegotiation (a second handshake is refused), no tickets or
	 * session cache (each DTLS-SRTP association is a full handshake
	 * pinned by SDP), no path MTU queries (SSL_set_mtu per connection). */
	SSL_CTX_set_options(s, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
				   SSL_OP_NO_COMPRESSION |
				   SSL_OP_CIPHER_SERVER_PREFERENCE |
				   SSL_OP_NO_QUERY_MTU);
	SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
	/* Ask for the client's certificate too: both sides are pinned. */
	SSL_CTX_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   dtls_verify_cb);
	SSL_CTX_set_read_ahead(s, 1);
	return 0;
}

int dtls_ctx_alloc(struct dtls_ctx **ctxp)
{
	struct dtls_ctx *ctx;
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	int err;

	if (!ctxp)
		return EINVAL;
	ctx = mem_zalloc(sizeof(*ctx), ctx_destroy);
	if (!ctx)
		return ENOMEM;
	ctx->rto_init_ms = DTLS_RTO_INIT_MS;
	ctx->ssl = SSL_CTX_new(DTLS_method());
	key = EVP_EC_gen("P-256");
	if (!ctx->ssl || !key) {
		err = ENOMEM;
		goto out;
	}
	err = make_cert(&crt, key);
	if (err)
		goto out;
	if (SSL_CTX_use_certificate(ctx->ssl, crt) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx->ssl, key) != 1 ||
	    SSL_CTX_check_private_key(ctx->ssl) != 1) {
		err = EPROTO;
		goto out;
	}
	err = ctx_setup(ctx);
	if (!err)
		err = dtls_fp_print(ctx->fp, sizeof(ctx->fp), crt);
out:
	if (err) {
		tls_log_err("DTLS context");
		ctx = mem_deref(ctx);
	}
	X509_free(crt);
	EVP_PKEY_free(key); /* the SSL_CTX holds its own references */
	*ctxp = ctx;
	return err;
}

const char *dtls_ctx_fingerprint(const struct dtls_ctx *ctx)
{
	return ctx ? ctx->fp : "";
}

int dtls_ctx_set_srtp_profiles(struct dtls_ctx *ctx, const char *profiles)
{
	if (!ctx || !profiles || !*profiles)
		return EINVAL;
	if (SSL_CTX_set_tlsext_use_srtp(ctx->ssl, profiles)) {
		ERR_clear_error();
		return EINVAL;
	}
	return 0;
}

int dtls_ctx_set_rto(struct dtls_ctx *ctx, uint32_t rto_init_ms)
{
	if (!ctx || !rto_init_ms || rto_init_ms > DTLS_RTO_MAX_MS)
		return EINVAL;
	ctx->rto_init_ms = rto_init_ms;
	return 0;
}
