/* sip_auth.c: fuzzes the Digest header decoder (RFC 7616) and the code
 * that consumes its views: unquoting, response checks, client answers. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sip/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed HA1 for each base hash (MD5 and SHA-256 of "u:r:p"). */
static const char ha1_md5[] = "6b4eb6c9d3f4ba3a2bbd1ec2a4a4fa8f";
static const char ha1_sha[] =
    "1f0b1a0b3b3a8c0d6f3d8b4d3c2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e";

static int fuzz_ha1(const struct sip_digest *cred, enum sip_digest_alg alg,
		    char ha1[SIP_DIGEST_HEX_MAX], void *arg)
{
	(void)arg;
	if (cred->username.l & 1)
		return ENOENT;
	strcpy(ha1, alg == SIP_DIGEST_MD5 ? ha1_md5 : ha1_sha);
	return 0;
}

/* The whole server-side path. The nonce issuer is made once per process
 * (fuzz harness only): its replay table then sees many inputs. */
static void run_authenticate(const struct pl *val, uint8_t flags)
{
	static struct sip_nonces *nonces;
	static const uint8_t secret[32] = "fuzz-secret-fuzz-secret-fuzz-sec";
	struct sip_digest_auth auth = {
	    .realm = "r",
	    .allow_rfc2069 = flags & 2,
	    .ha1h = fuzz_ha1,
	};
	enum sip_digest_verdict verdict;

	if (!nonces && sip_nonces_alloc(&nonces, secret, sizeof(secret), NULL))
		return;
	auth.nonces = nonces;
	(void)sip_digest_authenticate(&auth, val, &PL("REGISTER"),
				      (uint64_t)flags << 20, &verdict, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_digest d;
	struct pl v = {(const char *)data, size};
	char buf[SIP_DIGEST_PARAM_MAX + 1];
	struct mbuf *mb;
	int err;

	/* The first byte picks how the rest is read. */
	if (!size)
		return 0;
	v.p++;
	v.l--;
	err = sip_digest_decode(
	    &d, data[0] & 1 ? SIP_DIGEST_CHALLENGE : SIP_DIGEST_CREDENTIALS,
	    &v);
	if (err)
		return 0;
	(void)sip_digest_unquote(buf, sizeof(buf), NULL, &d.realm);
	(void)sip_digest_unquote(buf, sizeof(buf), NULL, &d.username);
	if (d.kind == SIP_DIGEST_CREDENTIALS) {
		const char *ha1 = sip_digest_alg_base(d.alg) == SIP_DIGEST_MD5
				      ? ha1_md5
				      : ha1_sha;

		(void)sip_digest_verify(&d, ha1, &PL("REGISTER"), data[0] & 2);
		run_authenticate(&v, data[0]);
		return 0;
	}
	if (mbuf_alloc(&mb, 64))
		return 0;
	{
		struct sip_digest_client cl = {
		    .username = PL("u"),
		    .password = PL("p"),
		    .method = PL("REGISTER"),
		    .uri = PL("sip:example.org"),
		    .cnonce = PL("c"),
		    .nc = 1,
		};
		struct sip_digest cred;

		err = sip_digest_client_auth(mb, &d, &cl);
		/* What we write must parse back as credentials. */
		if (!err) {
			struct pl w = {(const char *)mb->buf, mb->end};

			if (sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS,
					      &w))
				__builtin_trap();
		}
	}
	mem_deref(mb);
	return 0;
}
