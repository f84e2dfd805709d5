/* dtls.h: DTLS 1.2 (RFC 6347) for media: DTLS-SRTP keying (RFC 5764) with
 * certificate fingerprints from SDP (RFC 8122, RFC 8842), over datagrams
 * that the caller moves. No sockets, no wall clock: time comes from the
 * caller. */
#ifndef SC_TLS_DTLS_H
#define SC_TLS_DTLS_H

#include "core/core.h"

/* Longest "sha-256 AB:CD:..." string we print (with the NUL). */
#define DTLS_FP_STR_MAX 128
/* Largest digest dtls_fp_parse() accepts (SHA-512). */
#define DTLS_FP_MAX 64
/* Largest datagram we send (SSL_set_mtu; no path MTU discovery). */
#define DTLS_MTU 1200
/* Largest datagram accepted by dtls_conn_recv(). */
#define DTLS_DGRAM_MAX 16384
/* Retransmission (RFC 6347 section 4.2.4.1): first timeout, doubling up to
 * DTLS_RTO_MAX_MS, at most DTLS_TRIES_MAX transmissions of one flight, and
 * the whole handshake gives up DTLS_HANDSHAKE_MAX_MS after it started. */
#define DTLS_RTO_INIT_MS 1000
#define DTLS_RTO_MAX_MS 6000
#define DTLS_TRIES_MAX 7
#define DTLS_HANDSHAKE_MAX_MS 30000
/* Self-signed certificate validity (RFC 8827 section 6.5: short-lived). */
#define DTLS_CERT_DAYS 30

/* IANA DTLS-SRTP protection profile ids (RFC 5764 section 4.1.2,
 * RFC 7714 section 14.2). */
#define DTLS_SRTP_AES128_CM_SHA1_80 0x0001
#define DTLS_SRTP_AES128_CM_SHA1_32 0x0002
#define DTLS_SRTP_AEAD_AES_128_GCM 0x0007
#define DTLS_SRTP_AEAD_AES_256_GCM 0x0008

/*
 * dtls_ctx: one per media engine, shared by all its connections. It holds
 * an ECDSA P-256 key and a self-signed certificate (random serial, CN
 * "sipcloak", DTLS_CERT_DAYS days) made at allocation, and an SSL_CTX for
 * DTLS 1.2 offering use_srtp "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
 * (GCM preferred; as a server our order wins). Any self-signed peer
 * certificate is accepted by OpenSSL; the peer is authenticated by the
 * fingerprint from its SDP instead.
 *
 * Threads: after dtls_ctx_alloc() (and dtls_ctx_set_srtp_profiles() or
 * dtls_ctx_set_rto(), if used, before the first connection) the context
 * is only read, so connections on several worker threads may share it
 * (SSL_new() on a shared SSL_CTX is thread-safe). Each dtls_conn belongs
 * to one thread. Connections take no mem reference on the context (mem
 * reference counts are not atomic); OpenSSL's atomic one on the SSL_CTX
 * keeps what they use alive, so the owner may mem_deref() the context at
 * any time, on any thread.
 */
struct dtls_ctx;

/* Returns 0, ENOMEM or EPROTO (OpenSSL refused the setup; logged). */
int dtls_ctx_alloc(struct dtls_ctx **ctxp);
/* Our certificate's fingerprint as in a=fingerprint: "sha-256 AB:CD:..".
 * Owned by ctx. */
const char *dtls_ctx_fingerprint(const struct dtls_ctx *ctx);
/* Replaces the offered SRTP profiles, in preference order, with an OpenSSL
 * list such as "SRTP_AES128_CM_SHA1_80" (tests, or a configuration that
 * wants one profile). Call before allocating connections. Returns 0,
 * EINVAL (unknown profile name) or EPROTO. */
int dtls_ctx_set_srtp_profiles(struct dtls_ctx *ctx, const char *profiles);
/* Changes the first retransmission timeout (default DTLS_RTO_INIT_MS) for
 * connections allocated afterwards; tests use it to see OpenSSL's own
 * retransmission without waiting a second. Returns 0 or EINVAL. */
int dtls_ctx_set_rto(struct dtls_ctx *ctx, uint32_t rto_init_ms);

/* SRTP master keys and salts of one connection (RFC 5764 section 4.2). */
struct dtls_srtp_keys {
	uint16_t profile; /* DTLS_SRTP_* */
	size_t key_len, salt_len;
	uint8_t local_key[32], local_salt[14];   /* protects what we send */
	uint8_t remote_key[32], remote_salt[14]; /* unprotects what we get */
};

/* One datagram to transmit. The return value is ignored (UDP: lost
 * datagrams are what retransmission is for). */
typedef int(dtls_send_h)(const uint8_t *buf, size_t len, void *arg);
/* The handshake completed and the peer's fingerprint matched. keys is
 * valid during the call only (copy it; it is wiped afterwards). */
typedef void(dtls_estab_h)(const struct dtls_srtp_keys *keys, void *arg);
/* The connection ended: err 0 with reason "close_notify" when the peer
 * closed it; EACCES (fingerprint mismatch or no certificate), ETIMEDOUT
 * (no answer to our retransmissions) or EPROTO (handshake or record
 * failure, reason from OpenSSL). Called at most once. */
typedef void(dtls_close_h)(int err, const char *reason, void *arg);

/*
 * dtls_conn: one DTLS association of a media leg.
 *
 * client: our role (the engine decides from a=setup; RFC 8842 section 5).
 * remote_fp: the peer's "sha-256 AB:..." (sha-1, sha-224, sha-256,
 * sha-384, sha-512) from its SDP; NULL when not known yet (we offered and
 * the answer has not come): the handshake may then run, but estabh waits
 * for dtls_conn_set_remote_fp(). ctx is not needed after this call.
 *
 * Handlers run from dtls_conn_start/recv/tick/set_remote_fp, never from
 * inside OpenSSL (datagrams are queued and sent once OpenSSL returns);
 * they may drop the caller's reference (the connection stays valid until
 * the function that ran them returns). After closeh the connection only
 * answers EPROTO/ENOTCONN; free it with mem_deref(), which sends nothing.
 *
 * Returns 0, EINVAL (missing handler), EBADMSG (remote_fp unparsable) or
 * ENOMEM.
 */
struct dtls_conn;

int dtls_conn_alloc(struct dtls_conn **dcp, struct dtls_ctx *ctx, bool client,
		    const char *remote_fp, dtls_send_h *sendh,
		    dtls_estab_h *estabh, dtls_close_h *closeh, void *arg);
/* Client: sends the ClientHello (once). Server: nothing to do. Returns 0,
 * EINVAL or EPROTO (failed; closeh ran). */
int dtls_conn_start(struct dtls_conn *dc, uint64_t now_ms);
/* Feeds one received datagram (RFC 7983: first byte 20..63). Garbage is
 * dropped by DTLS rules (RFC 6347 section 4.1.2.7) and returns 0.
 * Application data after the handshake is dropped and counted; a second
 * handshake (renegotiation) is refused. Returns 0, EINVAL, EBADMSG (not a
 * DTLS datagram by its first byte, or longer than DTLS_DGRAM_MAX), EPROTO
 * (the connection failed, now or before; closeh ran) or ENOTCONN (closed). */
int dtls_conn_recv(struct dtls_conn *dc, const uint8_t *buf, size_t len,
		   uint64_t now_ms);
/*
 * Retransmission (RFC 6347 section 4.2.4) follows the caller's clock: a
 * flight is due again DTLS_RTO_INIT_MS after it went out, then twice as
 * long each time up to DTLS_RTO_MAX_MS. OpenSSL 3.0 cannot be given a
 * clock, only the durations (DTLS_set_timer_cb), so its own timer runs on
 * the wall clock with the same durations; when a flight is due by the
 * caller's clock, tick asks OpenSSL to resend it (fresh record numbers,
 * as a peer that got the first copy needs), and when OpenSSL's wall clock
 * disagrees (the caller's clock ran ahead, as in tests that drive time by
 * hand) the copy kept of the flight goes out unchanged instead.
 */
/* Absolute time (ms, the caller's clock) of the next retransmission or of
 * the handshake deadline; 0 when nothing is pending. */
uint64_t dtls_conn_timeout(const struct dtls_conn *dc);
/* Retransmits the last flight if its timeout has passed; fails the
 * connection (closeh ETIMEDOUT) after DTLS_TRIES_MAX transmissions or
 * DTLS_HANDSHAKE_MAX_MS after the handshake started (also when the peer's
 * fingerprint never came). Returns 0, EINVAL, ETIMEDOUT, EPROTO (failed
 * before) or ENOTCONN (closed). */
int dtls_conn_tick(struct dtls_conn *dc, uint64_t now_ms);
/* Gives (or replaces, before establishment) the peer's fingerprint. When
 * the handshake already finished, it is checked now: estabh or closeh
 * (EACCES) runs from this call. Returns 0, EINVAL, EBADMSG (unparsable),
 * EACCES (mismatch) or EPROTO (wrong state: failed or closed). */
int dtls_conn_set_remote_fp(struct dtls_conn *dc, const char *remote_fp);
bool dtls_conn_established(const struct dtls_conn *dc);
/* Application-data records dropped after the handshake. */
uint64_t dtls_conn_dropped(const struct dtls_conn *dc);
/* Sends close_notify when established; later calls fail with ENOTCONN.
 * closeh is not called for our own close. */
void dtls_conn_close(struct dtls_conn *dc);

/*
 * Parses an a=fingerprint value "sha-256 AB:CD:..." (hash name case-
 * insensitive: sha-1, sha-224, sha-256, sha-384, sha-512; hex of either
 * case; RFC 8122 section 5). On entry *fp_lenp is the room in fp (at least
 * the digest length; DTLS_FP_MAX is always enough), on return the digest
 * length. Returns 0, EINVAL, EBADMSG (malformed, unknown hash or wrong
 * length) or EOVERFLOW (fp too small).
 */
int dtls_fp_parse(uint8_t *fp, size_t *fp_lenp, const char *alg_and_hex);

#endif
