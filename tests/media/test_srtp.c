/* test_srtp.c: msrtp against the RFC vectors: RFC 3711 B.2 (AES-CM
 * keystream) and B.3 (key derivation), RFC 7714 sections 16 and 17
 * (AES-GCM 128 and 256, SRTP and SRTCP, protect and unprotect), and the
 * profile table. Vector bytes typed from the RFC texts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "srtp_hex.h"
#include "media/srtp_int.h"

#define BUF 256

static void test_profiles(void **state)
{
	enum msrtp_profile p;
	struct pl pl;

	(void)state;
	assert_int_equal(msrtp_key_len(MSRTP_AES128_CM_SHA1_80), 16);
	assert_int_equal(msrtp_salt_len(MSRTP_AES128_CM_SHA1_32), 14);
	assert_int_equal(msrtp_key_len(MSRTP_AEAD_AES_256_GCM), 32);
	assert_int_equal(msrtp_salt_len(MSRTP_AEAD_AES_128_GCM), 12);
	assert_int_equal(msrtp_key_len((enum msrtp_profile)3), 0);
	assert_int_equal(msrtp_salt_len((enum msrtp_profile)0), 0);
	assert_string_equal(msrtp_profile_name(MSRTP_AES128_CM_SHA1_80),
			    "AES_CM_128_HMAC_SHA1_80");
	assert_string_equal(msrtp_profile_name(MSRTP_AES128_CM_SHA1_32),
			    "AES_CM_128_HMAC_SHA1_32");
	assert_string_equal(msrtp_profile_name(MSRTP_AEAD_AES_128_GCM),
			    "AEAD_AES_128_GCM");
	assert_string_equal(msrtp_profile_name(MSRTP_AEAD_AES_256_GCM),
			    "AEAD_AES_256_GCM");
	assert_null(msrtp_profile_name((enum msrtp_profile)9));

	pl_set_str(&pl, "AEAD_AES_256_GCM");
	assert_int_equal(msrtp_profile_decode(&p, &pl), 0);
	assert_int_equal(p, MSRTP_AEAD_AES_256_GCM);
	pl_set_str(&pl, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(msrtp_profile_decode(&p, &pl), 0);
	assert_int_equal(p, MSRTP_AES128_CM_SHA1_32);
	pl_set_str(&pl, "AES_CM_128_HMAC_SHA1_8");
	assert_int_equal(msrtp_profile_decode(&p, &pl), ENOENT);
	assert_int_equal(msrtp_profile_decode(NULL, &pl), EINVAL);
}

/* RFC 3711 B.3: master key and salt to cipher key, cipher salt, auth key
 * (the 94 bytes the RFC prints). */
static void test_rfc3711_b3_kdf(void **state)
{
	uint8_t key[16], salt[14], out[94], want[94];

	(void)state;
	srtp_hex(key, sizeof(key), "E1F97A0D3E018BE0D64FA32C06DE4139");
	srtp_hex(salt, sizeof(salt), "0EC675AD498AFEEBB6960B3AABE6");

	assert_int_equal(
	    msrtp_kdf(out, 16, key, 16, salt, 14, MSRTP_LABEL_RTP_ENC), 0);
	srtp_hex(want, 16, "C61E7A93744F39EE10734AFE3FF7A087");
	assert_memory_equal(out, want, 16);

	assert_int_equal(
	    msrtp_kdf(out, 14, key, 16, salt, 14, MSRTP_LABEL_RTP_SALT), 0);
	srtp_hex(want, 14, "30CBBC08863D8C85D49DB34A9AE1");
	assert_memory_equal(out, want, 14);

	assert_int_equal(
	    msrtp_kdf(out, 94, key, 16, salt, 14, MSRTP_LABEL_RTP_AUTH), 0);
	assert_int_equal(srtp_hex(want, sizeof(want),
				  "CEBE321F6FF7716B6FD4AB49AF256A15"
				  "6D38BAA48F0A0ACF3C34E2359E6CDBCE"
				  "E049646C43D9327AD175578EF7227098"
				  "6371C10C9A369AC2F94A8C5FBCDDDC25"
				  "6D6E919A48B610EF17C2041E47403576"
				  "6B68642C59BBFC2F34DB60DBDFB2"),
			 94);
	assert_memory_equal(out, want, 94);

	assert_int_equal(msrtp_kdf(out, 16, key, 24, salt, 14, 0), EINVAL);
}

/* RFC 3711 B.2: with SSRC 0, ROC 0, SEQ 0 the payload of a protected
 * all-zero packet is the AES-CM keystream of the session key and salt;
 * the segment is 65282 blocks, its last three blocks are checked too. */
static void test_rfc3711_b2_keystream(void **state)
{
	const size_t seg = 1044512;
	struct msrtp_keys k;
	struct msrtp *s = NULL;
	uint8_t want[48], *buf;
	size_t len = MSRTP_RTP_HDR_SIZE + seg;

	(void)state;
	memset(&k, 0, sizeof(k));
	srtp_hex(k.enc, 16, "2B7E151628AED2A6ABF7158809CF4F3C");
	srtp_hex(k.salt, 14, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
	assert_int_equal(msrtp_alloc_keys(&s, MSRTP_AES128_CM_SHA1_80, &k, &k),
			 0);

	buf = calloc(1, len + MSRTP_MAX_OVERHEAD);
	assert_non_null(buf);
	buf[0] = 0x80;
	assert_int_equal(msrtp_protect(s, buf, &len, len + MSRTP_MAX_OVERHEAD),
			 0);
	assert_int_equal(len, MSRTP_RTP_HDR_SIZE + seg + 10);
	srtp_hex(want, sizeof(want),
		 "E03EAD0935C95E80E166B16DD92B4EB4"
		 "D23513162B02D0F72A43A2FE4A5F97AB"
		 "41E95B3BB0A2E8DD477901E4FCA894C0");
	assert_memory_equal(buf + MSRTP_RTP_HDR_SIZE, want, 48);
	srtp_hex(want, sizeof(want),
		 "EC8CDF7398607CB0F2D21675EA9EA1E4"
		 "362B7C3C6773516318A077D7FC5073AE"
		 "6A2CC3787889374FBEB4C81B17BA6C44");
	assert_memory_equal(buf + MSRTP_RTP_HDR_SIZE + seg - 48, want, 48);
	free(buf);
	mem_deref(s);
}

static const char rtp_plain[] =
    "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973"
    "20646976 69736120 696e2070 61727465 73207472 6573";
static const char rtcp_plain[] =
    "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930"
    "4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";
#define RFC7714_SALT "517569642070726f2071756f" /* "Quid pro quo" */
#define RFC7714_SSRC 0x4d617273
#define RFC7714_INDEX 0x5d4

struct gcm_vec {
	enum msrtp_profile p;
	const char *key;
	const char *rtp_prot;  /* section 16.x.1 */
	const char *rtcp_prot; /* section 17.x, encrypted (E=1) */
	const char *rtcp_auth; /* section 17.x, authenticated only (E=0) */
};

static const struct gcm_vec gcm_vecs[] = {
    {MSRTP_AEAD_AES_128_GCM, "000102030405060708090a0b0c0d0e0f",
     "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca"
     "be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1"
     "6a9152cf 765ee439 0cce",
     "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7"
     "6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458"
     "96cf4d2f c5abf872 45d9eade 800005d4",
     "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930"
     "4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968"
     "3dd78ec9 2ae58790 125f62b3 000005d4"},
    {MSRTP_AEAD_AES_256_GCM,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa"
     "b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff"
     "d6b0f9bb 7878d7a7 6c13",
     "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d"
     "bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c"
     "4446839f 57ff6f6c b26ac3be 800005d4",
     NULL},
};

static void gcm_session(struct msrtp **sp, const struct gcm_vec *v)
{
	struct msrtp_keys k;

	memset(&k, 0, sizeof(k));
	srtp_hex(k.enc, sizeof(k.enc), v->key);
	srtp_hex(k.salt, sizeof(k.salt), RFC7714_SALT);
	assert_int_equal(msrtp_alloc_keys(sp, v->p, &k, &k), 0);
}

/* RFC 7714 section 16: the RTP packet protected and back. */
static void test_rfc7714_rtp(void **state)
{
	uint8_t buf[BUF], plain[BUF], want[BUF];
	size_t i, len, plen, wlen;
	struct msrtp *tx, *rx;

	(void)state;
	plen = srtp_hex(plain, sizeof(plain), rtp_plain);
	for (i = 0; i < SC_ARRAY_SIZE(gcm_vecs); i++) {
		gcm_session(&tx, &gcm_vecs[i]);
		gcm_session(&rx, &gcm_vecs[i]);
		wlen = srtp_hex(want, sizeof(want), gcm_vecs[i].rtp_prot);
		memcpy(buf, plain, plen);
		len = plen;
		assert_int_equal(msrtp_protect(tx, buf, &len, sizeof(buf)), 0);
		assert_int_equal(len, wlen);
		assert_memory_equal(buf, want, wlen);
		assert_int_equal(msrtp_unprotect(rx, buf, &len), 0);
		assert_int_equal(len, plen);
		assert_memory_equal(buf, plain, plen);
		mem_deref(tx);
		mem_deref(rx);
	}
}

/* RFC 7714 section 17: the RTCP packet with SRTCP index 0x5d4 protected
 * and back; the authenticated-only form (E=0) unprotects too. */
static void test_rfc7714_rtcp(void **state)
{
	uint8_t buf[BUF], plain[BUF], want[BUF];
	size_t i, len, plen, wlen;
	struct msrtp *tx, *rx;

	(void)state;
	plen = srtp_hex(plain, sizeof(plain), rtcp_plain);
	for (i = 0; i < SC_ARRAY_SIZE(gcm_vecs); i++) {
		gcm_session(&tx, &gcm_vecs[i]);
		gcm_session(&rx, &gcm_vecs[i]);
		assert_int_equal(
		    msrtp_rtcp_index_set(tx, RFC7714_SSRC, RFC7714_INDEX), 0);
		wlen = srtp_hex(want, sizeof(want), gcm_vecs[i].rtcp_prot);
		memcpy(buf, plain, plen);
		len = plen;
		assert_int_equal(msrtcp_protect(tx, buf, &len, sizeof(buf)), 0);
		assert_int_equal(len, wlen);
		assert_memory_equal(buf, want, wlen);
		assert_int_equal(msrtcp_unprotect(rx, buf, &len), 0);
		assert_int_equal(len, plen);
		assert_memory_equal(buf, plain, plen);

		if (gcm_vecs[i].rtcp_auth) {
			mem_deref(rx);
			gcm_session(&rx, &gcm_vecs[i]);
			len = srtp_hex(buf, sizeof(buf), gcm_vecs[i].rtcp_auth);
			assert_int_equal(msrtcp_unprotect(rx, buf, &len), 0);
			assert_int_equal(len, plen);
			assert_memory_equal(buf, plain, plen);
		}
		mem_deref(tx);
		mem_deref(rx);
	}
}

/* The derived GCM keys: a master key gives different SRTP and SRTCP
 * session keys, and 12-byte session salts. */
static void test_derive_gcm(void **state)
{
	uint8_t key[32], salt[12];
	struct msrtp_keys rtp, rtcp;

	(void)state;
	memset(key, 7, sizeof(key));
	memset(salt, 9, sizeof(salt));
	assert_int_equal(
	    msrtp_derive(&rtp, &rtcp, MSRTP_AEAD_AES_256_GCM, key, salt), 0);
	assert_memory_not_equal(rtp.enc, rtcp.enc, 32);
	assert_memory_not_equal(rtp.salt, rtcp.salt, 12);
	assert_int_equal(rtp.salt[12] | rtp.salt[13], 0);
	assert_int_equal(
	    msrtp_derive(&rtp, &rtcp, (enum msrtp_profile)5, key, salt),
	    EINVAL);
}

/* Bad arguments, and the allocation failing: ENOMEM, nothing left over. */
static void test_alloc_errors(void **state)
{
	uint8_t key[MSRTP_MAX_KEY] = {1}, salt[MSRTP_MAX_SALT] = {2};
	struct msrtp *s = NULL;

	(void)state;
	assert_int_equal(msrtp_alloc(&s, (enum msrtp_profile)4, key, salt),
			 EINVAL);
	assert_int_equal(msrtp_alloc(NULL, MSRTP_AEAD_AES_128_GCM, key, salt),
			 EINVAL);
	assert_int_equal(msrtp_alloc(&s, MSRTP_AEAD_AES_128_GCM, NULL, salt),
			 EINVAL);
	mem_fail_after(0);
	assert_int_equal(msrtp_alloc(&s, MSRTP_AES128_CM_SHA1_80, key, salt),
			 ENOMEM);
	mem_fail_after(-1);
	assert_null(s);
	assert_int_equal(msrtp_alloc(&s, MSRTP_AES128_CM_SHA1_80, key, salt),
			 0);
	assert_int_equal(msrtp_profile(s), MSRTP_AES128_CM_SHA1_80);
	mem_deref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_profiles),
	    SC_TEST(test_rfc3711_b3_kdf),
	    SC_TEST(test_rfc3711_b2_keystream),
	    SC_TEST(test_rfc7714_rtp),
	    SC_TEST(test_rfc7714_rtcp),
	    SC_TEST(test_derive_gcm),
	    SC_TEST(test_alloc_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
