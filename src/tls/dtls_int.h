/* dtls_int.h: the DTLS part of the tls module, private (not for other
 * modules): the shared context and the hooks dtls_conn.c gives it. */
#ifndef SC_TLS_DTLS_INT_H
#define SC_TLS_DTLS_INT_H

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "tls/dtls.h"
#include "tls/tls_int.h"

struct dtls_ctx {
	SSL_CTX *ssl;
	uint32_t rto_init_ms;
	char fp[DTLS_FP_STR_MAX]; /* "sha-256 AB:..." of our certificate */
};

/* One association (dtls_conn.c; its datagram I/O in dtls_bio.c). */
struct dtls_conn {
	SSL *ssl;
	BIO_METHOD *biom; /* of our one BIO (dtls_bio.c) */
	uint32_t rto_init_ms;
	bool client;
	dtls_send_h *sendh;
	dtls_estab_h *estabh;
	dtls_close_h *closeh;
	void *arg;

	/* The peer's fingerprint from SDP (rfp_len 0: not known yet). */
	uint8_t rfp[DTLS_FP_MAX];
	size_t rfp_len;
	const EVP_MD *rfp_md;
	bool fp_bad; /* the verify callback saw a mismatch */

	/* The datagram being fed to OpenSSL (read once by the BIO). */
	const uint8_t *in;
	size_t in_len;
	struct mbuf *out;    /* [u16 length][datagram]... to send */
	struct mbuf *flight; /* our last flight, same format */
	uint64_t call;       /* counts calls into OpenSSL */
	uint64_t flight_call;

	/* Retransmission on the caller's clock (RFC 6347 4.2.4.1). */
	uint64_t now;
	uint64_t deadline;    /* next retransmission, 0 none */
	uint64_t hs_deadline; /* the whole handshake, 0 not started */
	uint32_t rto_ms;
	uint32_t tries; /* transmissions of the current flight */

	bool started;
	bool hs_done;     /* OpenSSL finished the handshake */
	bool wait_fp;     /* ... but the peer's fingerprint is not known */
	bool established; /* estabh ran */
	bool failed;
	bool closed;
	uint64_t dropped;
	char reason[TLS_ERR_MAX];
};

/* dtls_conn.c: the peer-certificate callback (accepts any certificate,
 * checks the leaf against the SDP fingerprint). */
int dtls_verify_cb(int ok, X509_STORE_CTX *store);

/* dtls_bio.c: the datagram BIO (each write is one datagram, queued in
 * dc->out; a read hands over dc->in once) and the sending of the queue
 * through sendh, outside any OpenSSL call. */
BIO_METHOD *dtls_bio_method_new(void);
void dtls_flush(struct dtls_conn *dc);

/* dtls_fp.c: parses "alg hex" into fp (room *lenp, then the length) and
 * names the digest. Returns 0, EINVAL, EBADMSG or EOVERFLOW. */
int dtls_fp_parse_md(uint8_t *fp, size_t *lenp, const EVP_MD **mdp,
		     const char *alg_and_hex);
/* Prints "sha-256 AB:CD:.." of crt into buf. Returns 0 or EPROTO. */
int dtls_fp_print(char *buf, size_t size, X509 *crt);

#endif
