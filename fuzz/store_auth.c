/* store_auth.c: fuzzes what the store does with bytes a client sends: a
 * provisioning token (store_link_redeem) and the credentials of a Digest
 * Authorization header (RFC 7616) looked up by store_digest_ha1h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_INPUT_MAX 2048

/* One store per process (fuzz harness only), in a temporary directory
 * removed at exit, with one device and one pending link. */
static char dir[] = "/tmp/fuzz_store.XXXXXX";
static char path[64];
static char devname[STORE_SIP_USERNAME_LEN + 1]; /* "DEV" in inputs */

static void cleanup(void)
{
	char p[96];

	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	unlink(path);
	rmdir(dir);
}

static struct store *fuzz_store(void)
{
	static const uint8_t key[STORE_KEY_LEN] =
	    "fuzz-key-fuzz-key-fuzz-key-fuzz";
	static struct store *s;
	struct store_device_secret sec;
	struct store_keyring *kr = NULL;
	char token[STORE_TOKEN_LEN + 1];

	if (s)
		return s;
	log_level_set(LOG_ERROR);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/f.db", dir);
	atexit(cleanup);
	if (store_keyring_alloc(&kr) || store_keyring_add(kr, 1, key) ||
	    store_open(&s, path, kr) ||
	    store_user_add(s, "u", NULL, NULL, NULL) ||
	    store_device_add(s, "u", NULL, "r", &sec) ||
	    store_link_create(s, sec.device, sec.password, STORE_LINK_TTL_MAX,
			      0, token, sizeof(token), NULL))
		abort();
	memcpy(devname, sec.sip_username, sizeof(devname));
	mem_deref(kr); /* the store holds a reference */
	store_secret_wipe(&sec);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[FUZZ_INPUT_MAX + 1], ha1[SIP_DIGEST_HEX_MAX];
	struct store_link_info info;
	struct store *s = fuzz_store();
	struct sip_digest cred;
	struct pl val;
	int err;

	if (!size || size > FUZZ_INPUT_MAX)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	if (data[0] & 1) {
		err = store_link_redeem(s, buf, 1, &info);
		if (err != ENOENT && err != ESTALE && err != 0)
			abort();
		store_link_wipe(&info);
		return 0;
	}
	val.p = buf;
	val.l = size - 1;
	if (sip_digest_decode(&cred, SIP_DIGEST_CREDENTIALS, &val))
		return 0;
	/* The device's name is random: let inputs name it "DEV". */
	if (!pl_strcmp(&cred.username, "DEV"))
		pl_set_str(&cred.username, devname);
	err = store_digest_ha1h(&cred, cred.alg, ha1, s);
	if (err && err != ENOENT && err != EINVAL)
		abort();
	if (!err && strlen(ha1) != 32 && strlen(ha1) != 64)
		abort();
	return 0;
}
