/* srtp_bench.c: SRTP protect and unprotect cost per RTP packet (12-byte
 * header, 160-byte payload: 20 ms of G.711) for every profile, msrtp (ours,
 * OpenSSL EVP) next to libsrtp2 (Debian's) in the same run, one core. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "media/srtp.h"

#define PAYLOAD 160
#define HDR 12
#define SLOT 256   /* bytes per stored packet */
#define BATCH 4096 /* packets per timed round */
#define ROUNDS 30  /* the best round is reported */

typedef int(prot_fn)(void *ctx, uint8_t *buf, size_t *lenp, size_t size);
typedef int(unprot_fn)(void *ctx, uint8_t *buf, size_t *lenp);

struct impl {
	const char *name;
	void *tx;
	void *rx;
	prot_fn *prot;
	unprot_fn *unprot;
};

static const enum msrtp_profile profiles[] = {
    MSRTP_AES128_CM_SHA1_80,
    MSRTP_AES128_CM_SHA1_32,
    MSRTP_AEAD_AES_128_GCM,
    MSRTP_AEAD_AES_256_GCM,
};

/* CPU time of this thread: meaningful on a shared, loaded machine. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int ours_prot(void *ctx, uint8_t *buf, size_t *lenp, size_t size)
{
	return msrtp_protect(ctx, buf, lenp, size);
}

static int ours_unprot(void *ctx, uint8_t *buf, size_t *lenp)
{
	return msrtp_unprotect(ctx, buf, lenp);
}

static int lib_prot(void *ctx, uint8_t *buf, size_t *lenp, size_t size)
{
	int len = (int)*lenp;

	(void)size; /* libsrtp2 trusts the caller's buffer */
	if (srtp_protect(ctx, buf, &len) != srtp_err_status_ok)
		return 1;
	*lenp = (size_t)len;
	return 0;
}

static int lib_unprot(void *ctx, uint8_t *buf, size_t *lenp)
{
	int len = (int)*lenp;

	if (srtp_unprotect(ctx, buf, &len) != srtp_err_status_ok)
		return 1;
	*lenp = (size_t)len;
	return 0;
}

static srtp_t lib_session(enum msrtp_profile p, const uint8_t *key,
			  const uint8_t *salt, int inbound)
{
	uint8_t master[MSRTP_MAX_KEY + MSRTP_MAX_SALT];
	size_t kl = msrtp_key_len(p);
	srtp_policy_t pol;
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_from_profile_for_rtp(&pol.rtp,
						    (srtp_profile_t)p);
	srtp_crypto_policy_set_from_profile_for_rtcp(&pol.rtcp,
						     (srtp_profile_t)p);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	memcpy(master, key, kl);
	memcpy(master + kl, salt, msrtp_salt_len(p));
	pol.key = master;
	pol.window_size = MSRTP_REPLAY_WINDOW;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		return NULL;
	return s;
}

/* Best-of-ROUNDS ns per packet for protect and for unprotect. Protect
 * copies the plain packet into its slot first, unprotect copies the
 * protected one into a work buffer: the same memcpy for both sides. */
static int run(const struct impl *im, uint8_t *store, size_t *lens,
	       double *prot_ns, double *unprot_ns)
{
	uint8_t plain[HDR + PAYLOAD], work[SLOT];
	uint16_t seq = 1;
	int r, i;

	memset(plain, 0x55, sizeof(plain));
	memcpy(plain, "\x80\x00\x00\x00\x00\x00\x00\xa0\x12\x34\x56\x78", HDR);
	*prot_ns = *unprot_ns = 1e30;
	for (r = 0; r < ROUNDS; r++) {
		double t0 = now_s(), t;

		for (i = 0; i < BATCH; i++, seq++) {
			uint8_t *p = store + (size_t)i * SLOT;

			memcpy(p, plain, sizeof(plain));
			p[2] = (uint8_t)(seq >> 8);
			p[3] = (uint8_t)seq;
			lens[i] = sizeof(plain);
			if (im->prot(im->tx, p, &lens[i], SLOT))
				return 1;
		}
		t = (now_s() - t0) / BATCH;
		if (t < *prot_ns)
			*prot_ns = t;

		t0 = now_s();
		for (i = 0; i < BATCH; i++) {
			size_t len = lens[i];

			memcpy(work, store + (size_t)i * SLOT, len);
			if (im->unprot(im->rx, work, &len) ||
			    len != sizeof(plain))
				return 1;
		}
		t = (now_s() - t0) / BATCH;
		if (t < *unprot_ns)
			*unprot_ns = t;
	}
	*prot_ns *= 1e9;
	*unprot_ns *= 1e9;
	return 0;
}

static int bench(enum msrtp_profile p, uint8_t *store, size_t *lens)
{
	uint8_t key[MSRTP_MAX_KEY], salt[MSRTP_MAX_SALT];
	struct msrtp *otx = NULL, *orx = NULL;
	double op, ou, lp, lu;
	struct impl ours, lib;
	int err = 1;

	memset(key, 0x2b, sizeof(key));
	memset(salt, 0xf0, sizeof(salt));
	if (msrtp_alloc(&otx, p, key, salt) || msrtp_alloc(&orx, p, key, salt))
		goto out;
	ours = (struct impl){"msrtp", otx, orx, ours_prot, ours_unprot};
	lib = (struct impl){"libsrtp2", lib_session(p, key, salt, 0),
			    lib_session(p, key, salt, 1), lib_prot, lib_unprot};
	if (!lib.tx || !lib.rx)
		goto out;
	if (run(&ours, store, lens, &op, &ou) ||
	    run(&lib, store, lens, &lp, &lu)) {
		fprintf(stderr, "srtp_bench: %s failed\n",
			msrtp_profile_name(p));
		goto out;
	}
	printf("%-24s protect   msrtp %6.0f ns  libsrtp2 %6.0f ns  "
	       "libsrtp2/msrtp %.2f\n",
	       msrtp_profile_name(p), op, lp, lp / op);
	printf("%-24s unprotect msrtp %6.0f ns  libsrtp2 %6.0f ns  "
	       "libsrtp2/msrtp %.2f\n",
	       msrtp_profile_name(p), ou, lu, lu / ou);
	err = 0;
out:
	if (lib.tx)
		srtp_dealloc(lib.tx);
	if (lib.rx)
		srtp_dealloc(lib.rx);
	mem_deref(otx);
	mem_deref(orx);
	return err;
}

int main(void)
{
	uint8_t *store = malloc((size_t)BATCH * SLOT);
	size_t *lens = malloc(BATCH * sizeof(*lens));
	size_t i;
	int err = 0;

	if (!store || !lens || srtp_init() != srtp_err_status_ok)
		return 1;
	printf("SRTP per packet (%d-byte payload), CPU time, best of %d "
	       "rounds of %d\n",
	       PAYLOAD, ROUNDS, BATCH);
	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		err |= bench(profiles[i], store, lens);
	srtp_shutdown();
	free(store);
	free(lens);
	return err;
}
