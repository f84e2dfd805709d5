/* srtp.c: fuzz target of msrtp (RFC 3711, RFC 7714) for every profile under
 * a fixed key, without and with an MKI (RFC 3711 section 3.1): the input
 * unprotected as SRTP and as SRTCP (exact-size heap copies, so over-reads
 * crash; a refused packet must come back as it was), protected then
 * unprotected back (must give the input again), and read as a list of
 * sequence numbers that a sender and a receiver must agree on (rollover,
 * replay window). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media/srtp.h"

#define SEQ_PKTS 64
#define SEQ_PAYLOAD 20
#define SEQ_PKT_LEN (12 + SEQ_PAYLOAD)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum msrtp_profile profiles[] = {
    MSRTP_AES128_CM_SHA1_80,
    MSRTP_AES128_CM_SHA1_32,
    MSRTP_AEAD_AES_128_GCM,
    MSRTP_AEAD_AES_256_GCM,
};

static const uint8_t key[MSRTP_MAX_KEY] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};
static const uint8_t mki[MSRTP_MKI_MAX] = {0xde, 0xad, 0xbe, 0xef};
static const size_t mki_lens[] = {0, 1, MSRTP_MKI_MAX};

static const uint8_t salt[MSRTP_MAX_SALT] = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
    0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
};

typedef int(unprot_h)(struct msrtp *s, uint8_t *buf, size_t *lenp);
typedef int(prot_h)(struct msrtp *s, uint8_t *buf, size_t *lenp, size_t size);

static void unprotect_input(struct msrtp *s, unprot_h *uh, const uint8_t *d,
			    size_t n)
{
	uint8_t *buf = malloc(n ? n : 1);
	size_t len = n;

	int err;

	if (!buf)
		return;
	memcpy(buf, d, n);
	err = uh(s, buf, &len);
	if (!err && len >= n)
		abort();
	/* srtp.h: refused before any change (AES-GCM puts a forged packet
	 * back), the MKI left in place */
	if ((err == EACCES || err == EBADMSG || err == ENOENT) &&
	    (len != n || memcmp(buf, d, n)))
		abort();
	free(buf);
}

static void roundtrip_input(struct msrtp *tx, struct msrtp *rx, prot_h *ph,
			    unprot_h *uh, const uint8_t *d, size_t n)
{
	size_t size = n + MSRTP_MAX_OVERHEAD, len = n;
	uint8_t *buf = malloc(size);
	int err;

	if (!buf)
		return;
	memcpy(buf, d, n);
	if (!ph(tx, buf, &len, size)) {
		if (len <= n || len > size)
			abort();
		/* rx has accepted nothing yet: a fresh index for it too. */
		err = uh(rx, buf, &len);
		if (err || len != n || memcmp(buf, d, n))
			abort();
	}
	free(buf);
}

/* Sender and receiver see the same accepted sequence numbers, so every
 * packet the sender protects the receiver must accept. */
static void seq_walk(struct msrtp *tx, struct msrtp *rx, const uint8_t *d,
		     size_t n)
{
	uint8_t buf[SEQ_PKT_LEN + MSRTP_MAX_OVERHEAD];
	size_t i, len;

	for (i = 0; i + 1 < n && i / 2 < SEQ_PKTS; i += 2) {
		memset(buf, (int)i, sizeof(buf));
		buf[0] = 0x80;
		buf[1] = 0;
		buf[2] = d[i];
		buf[3] = d[i + 1];
		buf[8] = buf[9] = buf[10] = 0;
		buf[11] = 1;
		len = SEQ_PKT_LEN;
		if (msrtp_protect(tx, buf, &len, sizeof(buf)))
			continue;
		if (msrtp_unprotect(rx, buf, &len) || len != SEQ_PKT_LEN)
			abort();
	}
}

/* One profile with an MKI of mki_len bytes (0: none). */
static void run(enum msrtp_profile p, size_t mki_len, const uint8_t *data,
		size_t size)
{
	struct msrtp *tx = NULL, *rx = NULL, *in = NULL;

	if (msrtp_alloc(&tx, p, key, salt) || msrtp_alloc(&rx, p, key, salt) ||
	    msrtp_alloc(&in, p, key, salt) || msrtp_mki_set(tx, mki, mki_len) ||
	    msrtp_mki_set(rx, mki, mki_len) || msrtp_mki_set(in, mki, mki_len))
		abort();
	/* the input may be a real packet under this key (the corpus has
	 * some): its own receiver, so that rx still mirrors tx below */
	unprotect_input(in, msrtp_unprotect, data, size);
	unprotect_input(in, msrtcp_unprotect, data, size);
	mem_deref(in);
	roundtrip_input(tx, rx, msrtp_protect, msrtp_unprotect, data, size);
	roundtrip_input(tx, rx, msrtcp_protect, msrtcp_unprotect, data, size);
	/* Both sides accepted the same packets so far: they still mirror
	 * each other. */
	seq_walk(tx, rx, data, size);
	mem_deref(tx);
	mem_deref(rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i, m;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		for (m = 0; m < sizeof(mki_lens) / sizeof(mki_lens[0]); m++)
			run(profiles[i], mki_lens[m], data, size);
	return 0;
}
