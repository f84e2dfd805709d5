/* tls.h: every OpenSSL call: TLS contexts (RFC 8446, RFC 5246 with RFC 7525
 * cipher choices), memory-BIO sessions over any byte stream, self-signed
 * certificates and SHA-256 fingerprints (RFC 8122 §5). */
#ifndef SC_TLS_TLS_H
#define SC_TLS_TLS_H

#include "core/core.h"

/* Bytes of a SHA-256 certificate fingerprint, and of its printed form
 * "AB:CD:...:EF" with the NUL. */
#define TLS_FP_LEN 32
#define TLS_FP_STR_MAX (TLS_FP_LEN * 3)
/* Longest OpenSSL error string kept for the caller. */
#define TLS_ERR_MAX 256
/* Plaintext buffered before the handshake completes. */
#define TLS_PEND_MAX (256 * 1024)
/* Validity of generated self-signed certificates. */
#define TLS_SELFSIGNED_DAYS 825

/*
 * tls_ctx: shared configuration (an SSL_CTX).
 *
 * Server: certificate chain and key from PEM files; TLS 1.2 minimum; for
 * TLS 1.2 only ECDHE with AES-GCM or CHACHA20-POLY1305 (RFC 7525 §4.2);
 * TLS 1.3 with its default suites.
 * Client: CA file (PEM) or, with ca_file NULL, the system store; with
 * verify the peer certificate chain and host name (given per connection)
 * are checked; without verify anything is accepted (tests, IP-auth trunks
 * that the operator pins otherwise).
 * Returns 0, EINVAL, ENOENT (unreadable file, with the OpenSSL reason
 * logged), EACCES (key does not match the certificate) or ENOMEM.
 */
struct tls_ctx;

int tls_ctx_server_alloc(struct tls_ctx **ctxp, const char *cert_file,
                         const char *key_file);
int tls_ctx_client_alloc(struct tls_ctx **ctxp, const char *ca_file,
                         bool verify);
/* Narrows the allowed protocol versions (e.g. 0x0302 for TLS 1.1 in tests
 * of refusal). 0 leaves a bound as it is. Returns 0 or EINVAL. */
int tls_ctx_set_versions(struct tls_ctx *ctx, int min_ver, int max_ver);
bool tls_ctx_is_server(const struct tls_ctx *ctx);

/*
 * tls_conn: one TLS session over a byte stream that the caller moves.
 * The caller feeds received ciphertext with tls_conn_recv() and writes
 * plaintext with tls_conn_send(); the session gives ciphertext to transmit
 * through sendh and decrypted plaintext through recvh, and calls estabh
 * once when the handshake completes. No socket is ever touched.
 *
 * Handlers may drop references to the tls_conn (it stays valid until the
 * call that ran them returns) and may call tls_conn_send().
 */
struct tls_conn;

typedef void(tls_send_h)(const uint8_t *data, size_t len, void *arg);
typedef void(tls_recv_h)(const uint8_t *data, size_t len, void *arg);
typedef void(tls_estab_h)(void *arg);

struct tls_conn_handlers {
	tls_send_h *sendh;   /* ciphertext to transmit (required) */
	tls_recv_h *recvh;   /* plaintext received (required) */
	tls_estab_h *estabh; /* handshake done (optional) */
};

/* host (clients): the name sent as SNI and, when the context verifies,
 * checked against the certificate (SSL_set1_host). Keeps a reference on
 * ctx. Returns 0, EINVAL or ENOMEM. */
int tls_conn_alloc(struct tls_conn **tcp, struct tls_ctx *ctx, const char *host,
                   const struct tls_conn_handlers *h, void *arg);
/* Client: sends the ClientHello. Server: nothing to do (no-op). */
int tls_conn_start(struct tls_conn *tc);
/* Feeds ciphertext. Returns 0; ENOTCONN once the peer sent close_notify;
 * EPROTO when the handshake or the record layer failed (the reason is in
 * tls_conn_error(); an alert for the peer may have gone out by sendh). */
int tls_conn_recv(struct tls_conn *tc, const uint8_t *data, size_t len);
/* Encrypts and transmits plaintext; before the handshake completes it is
 * buffered (up to TLS_PEND_MAX: EOVERFLOW). ENOTCONN after a failure or
 * shutdown. */
int tls_conn_send(struct tls_conn *tc, const uint8_t *data, size_t len);
/* Sends close_notify; later sends fail with ENOTCONN. */
void tls_conn_shutdown(struct tls_conn *tc);
bool tls_conn_established(const struct tls_conn *tc);
const char *tls_conn_error(const struct tls_conn *tc);   /* "" when none */
const char *tls_conn_version(const struct tls_conn *tc); /* "TLSv1.3" */

/*
 * Writes a new ECDSA P-256 key and a self-signed X.509 certificate for cn
 * (also as a DNS subjectAltName, or an IP one when cn is an IP literal) to
 * PEM files; the key file is created mode 0600. Returns 0, EINVAL, EIO or
 * ENOMEM.
 */
int tls_cert_selfsigned(const char *cert_file, const char *key_file,
                        const char *cn);
/* SHA-256 over the DER form of the first certificate of a PEM file.
 * Returns 0, ENOENT or EBADMSG. */
int tls_cert_fingerprint(const char *cert_file, uint8_t fp[TLS_FP_LEN]);
/* "AB:CD:..." (upper-case hex, as in SDP a=fingerprint). Returns 0 or
 * EOVERFLOW. */
int tls_fp_str(const uint8_t fp[TLS_FP_LEN], char *buf, size_t size);

/* The oldest OpenSSL error of this thread as text (then clears the queue);
 * "unknown error" when the queue is empty. */
void tls_err_str(char *buf, size_t size);

#endif
