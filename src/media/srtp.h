/* srtp.h: SRTP and SRTCP (RFC 3711) with AES-CM + HMAC-SHA1 and AEAD
 * AES-GCM (RFC 7714), on OpenSSL's libcrypto (EVP), prefix msrtp_ so it
 * never collides with libsrtp2's srtp_*.
 *
 * DESIGN.md keeps OpenSSL calls in tls/; SRTP's per-packet crypto lives here
 * in media/ because it is packet code on the media workers' hot path. Keying
 * (the DTLS-SRTP handshake, exporting keys) stays in tls/.
 *
 * One struct msrtp protects or unprotects one direction of a session: every
 * SSRC sent (or received) under one master key, SRTP and SRTCP. It is used
 * by one thread at a time. Use one struct per direction: per-SSRC state
 * (rollover counter, replay window, SRTCP index) is shared by protect and
 * unprotect, so protecting and unprotecting the same SSRC with one struct
 * would mix the sender's and the receiver's view.
 *
 * Errors of the packet functions:
 *   EACCES     authentication failed; checked before the packet changes
 *              any state (rollover counter, replay window, SSRC table) and
 *              before replay, so a forged replay is EACCES too
 *   EALREADY   replayed packet, or one older than the replay window; on
 *              protect, an index already sent or one before ROC 0 (no
 *              keystream is ever reused)
 *   EBADMSG    malformed (too short, not RTP/RTCP version 2)
 *   ENOENT     (unprotect) the packet's MKI is not this context's: another
 *              master key, nothing was checked or changed
 *   EOVERFLOW  the buffer has no room for the tag (protect), the SSRC table
 *              is full (MSRTP_MAX_SSRC), the SRTCP index is exhausted, or
 *              an AES-CM payload is over 2^16 blocks (RFC 3711 4.1.1)
 *   EINVAL     caller bug (NULL arguments)
 * After EACCES, EBADMSG or EINVAL the bytes are as they were (AES-GCM, which
 * decrypts while it checks the tag, puts a forged packet back); after an
 * unprotect's EALREADY or EOVERFLOW the packet was decrypted: drop it.
 */
#ifndef SC_MEDIA_SRTP_H
#define SC_MEDIA_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* IANA DTLS-SRTP protection profile ids */
enum msrtp_profile {
	MSRTP_AES128_CM_SHA1_80 = 0x0001, /* RFC 5764 section 4.1.2 */
	MSRTP_AES128_CM_SHA1_32 = 0x0002,
	MSRTP_AEAD_AES_128_GCM = 0x0007, /* RFC 7714 section 14.2 */
	MSRTP_AEAD_AES_256_GCM = 0x0008,
};

#define MSRTP_MAX_KEY 32         /* master key, AES-256 */
#define MSRTP_MAX_SALT 14        /* master salt, AES-CM (GCM: 12) */
#define MSRTP_MAX_TAG 16         /* AES-GCM tag (RFC 7714 section 12) */
#define MSRTP_SRTCP_INDEX_SIZE 4 /* E flag and 31-bit index (RFC 3711 3.4) */
/* Longest MKI we put in or take from packets (RFC 3711 section 3.1: the
 * length is signalled; RFC 4568 lines in the field say 1 to 4 bytes). */
#define MSRTP_MKI_MAX 4
/* Bytes protect may add: SRTCP with AES-GCM, tag, index and MKI. */
#define MSRTP_MAX_OVERHEAD                                                     \
	(MSRTP_MAX_TAG + MSRTP_SRTCP_INDEX_SIZE + MSRTP_MKI_MAX)
/* SSRCs one struct msrtp keeps state for; more are refused (EOVERFLOW). */
#define MSRTP_MAX_SSRC 16
/* Replay window in packets (RFC 3711 section 3.3.2). */
#define MSRTP_REPLAY_WINDOW 128

/* Master key and salt lengths of a profile; 0 for an unknown profile.
 * msrtp_salt_len() is 14 for AES-CM and 12 for AES-GCM. */
size_t msrtp_key_len(enum msrtp_profile p);
size_t msrtp_salt_len(enum msrtp_profile p);

/* The SDES crypto-suite name (RFC 4568 section 6.2, RFC 7714 section 14.1),
 * e.g. "AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"; NULL if unknown.
 * msrtp_profile_decode() is the inverse (exact match): 0, ENOENT unknown,
 * EINVAL. */
const char *msrtp_profile_name(enum msrtp_profile p);
int msrtp_profile_decode(enum msrtp_profile *pp, const struct pl *name);

struct msrtp;

/* Derives the SRTP and SRTCP session keys (RFC 3711 section 4.3, key
 * derivation rate 0) from key (msrtp_key_len(p) bytes) and salt
 * (msrtp_salt_len(p) bytes) and creates the cipher contexts once. The
 * caller keeps (and should wipe) key and salt; no copy of them is kept and
 * session keys are wiped when the last reference goes (mem_deref()).
 * Returns 0, EINVAL (unknown profile, NULL), ENOMEM. */
int msrtp_alloc(struct msrtp **sp, enum msrtp_profile p, const uint8_t *key,
		const uint8_t *salt);

/* RTP in place: buf holds *lenp bytes of RTP (header with CSRCs and
 * extension, payload, padding) in a buffer of size bytes. protect encrypts
 * the payload and appends the tag (*lenp grows by at most
 * MSRTP_MAX_OVERHEAD); unprotect checks, decrypts and removes it. Returns 0
 * or an error listed at the top of this file. */
int msrtp_protect(struct msrtp *s, uint8_t *buf, size_t *lenp, size_t size);
int msrtp_unprotect(struct msrtp *s, uint8_t *buf, size_t *lenp);

/* SRTCP in place, the same way for one compound RTCP packet. protect
 * always encrypts (E=1) and appends the SRTCP index and tag; unprotect
 * accepts E=0 packets too (authenticated only, RFC 3711 section 3.4). */
int msrtcp_protect(struct msrtp *s, uint8_t *buf, size_t *lenp, size_t size);
int msrtcp_unprotect(struct msrtp *s, uint8_t *buf, size_t *lenp);

/*
 * Master Key Identifier (RFC 3711 section 3.1; RFC 4568 section 6.1
 * "|MKI:length"): from now on protect writes these len bytes (1 to
 * MSRTP_MKI_MAX, the MKI value big-endian) into every SRTP and SRTCP
 * packet, and unprotect takes only packets that carry them (ENOENT
 * otherwise). Where it sits: AES-CM, between the encrypted portion (SRTCP:
 * the index) and the tag; AES-GCM, after the tag (SRTCP: after the index),
 * as libsrtp places it. The MKI is not authenticated (RFC 3711 section
 * 3.1). len 0 turns it off. Returns 0 or EINVAL (too long, NULL).
 */
int msrtp_mki_set(struct msrtp *s, const uint8_t *mki, size_t len);

/* The profile a struct msrtp was created with. */
enum msrtp_profile msrtp_profile(const struct msrtp *s);

#endif
