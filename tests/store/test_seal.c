/* test_seal.c: keyring, AEAD sealing format and bindings, the master key
 * file (permissions, format, creation, rotation). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "testutil.h"

#include "store/seal.h"

static const uint8_t key7[STORE_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const char ad42[] = "device:42:ha1";
static const char ad43[] = "device:43:ha1";

static struct store_keyring *ring7(void)
{
	struct store_keyring *kr;

	assert_int_equal(store_keyring_alloc(&kr), 0);
	assert_int_equal(store_keyring_add(kr, 7, key7), 0);
	return kr;
}

static void seal_str(struct mbuf *mb, const struct store_keyring *kr,
		     const char *pt, const char *ad)
{
	mbuf_reset(mb);
	assert_int_equal(store_seal(mb, kr, (const uint8_t *)pt, strlen(pt),
				    (const uint8_t *)ad, strlen(ad)),
			 0);
}

static int unseal_str(char *out, size_t size, const struct store_keyring *kr,
		      const struct mbuf *mb, const char *ad)
{
	size_t n = 0;
	int err;

	err = store_unseal((uint8_t *)out, size - 1, &n, kr, mb->buf, mb->end,
			   (const uint8_t *)ad, strlen(ad));
	if (!err)
		out[n] = '\0';
	return err;
}

static void test_seal_format(void **state)
{
	struct store_keyring *kr = ring7();
	uint8_t pt[64], adbuf[64];
	unsigned long long plen = 0;
	struct mbuf *mb, *mb2;
	char out[64];

	(void)state;
	assert_int_equal(mbuf_alloc(&mb, 8), 0);
	assert_int_equal(mbuf_alloc(&mb2, 8), 0);
	seal_str(mb, kr, "s3cret", ad42);
	assert_int_equal(mb->end, STORE_SEAL_OVERHEAD + 6);
	assert_memory_equal(mb->buf, "\x01\x00\x00\x00\x07", 5);

	/* The format as documented, decrypted with libsodium directly: AD is
	 * the 5-byte header followed by the caller's binding. */
	memcpy(adbuf, mb->buf, 5);
	memcpy(adbuf + 5, ad42, strlen(ad42));
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
			     pt, &plen, NULL, mb->buf + 29, mb->end - 29, adbuf,
			     5 + strlen(ad42), mb->buf + 5, key7),
			 0);
	assert_int_equal(plen, 6);
	assert_memory_equal(pt, "s3cret", 6);

	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad42), 0);
	assert_string_equal(out, "s3cret");

	/* Random nonces: sealing twice gives different bytes. */
	seal_str(mb2, kr, "s3cret", ad42);
	assert_memory_not_equal(mb->buf, mb2->buf, mb->end);
	mem_deref(mb2);

	/* Copied to another row: refused. */
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad43), EACCES);
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ""), EACCES);
	/* Any flipped bit: refused. */
	mb->buf[mb->end - 1] ^= 1;
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad42), EACCES);
	mb->buf[mb->end - 1] ^= 1;
	mb->buf[10] ^= 0x80; /* nonce */
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad42), EACCES);
	mb->buf[10] ^= 0x80;
	/* Unknown key id, unknown version, too short. */
	mb->buf[4] = 8;
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad42), ENOENT);
	mb->buf[4] = 7;
	mb->buf[0] = 2;
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad42), EBADMSG);
	mb->buf[0] = 1;
	mb->end = STORE_SEAL_OVERHEAD - 1;
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad42), EBADMSG);
	mb->end = STORE_SEAL_OVERHEAD + 6;
	assert_int_equal(unseal_str(out, 6, kr, mb, ad42), EOVERFLOW);
	assert_int_equal(unseal_str(out, sizeof(out), kr, mb, ad42), 0);

	/* Limits and caller errors. */
	assert_int_equal(store_seal(mb, kr, pt, STORE_SEAL_PT_MAX + 1, NULL, 0),
			 EOVERFLOW);
	assert_int_equal(
	    store_seal(mb, kr, pt, 1, adbuf, STORE_SEAL_AD_MAX + 1), EOVERFLOW);
	mem_deref(kr);
	assert_int_equal(store_keyring_alloc(&kr), 0);
	assert_int_equal(store_seal(mb, kr, pt, 1, NULL, 0), EINVAL);
	mem_deref(kr);
	mem_deref(mb);
}

static void test_keyring_rotation(void **state)
{
	struct store_keyring *kr = ring7();
	struct mbuf *a, *b;
	char out[64];
	uint32_t id = 0;
	size_t i;

	(void)state;
	assert_int_equal(mbuf_alloc(&a, 8), 0);
	assert_int_equal(mbuf_alloc(&b, 8), 0);
	assert_int_equal(store_keyring_current(kr), 7);
	seal_str(a, kr, "old", ad42);
	assert_int_equal(store_keyring_rotate(kr, &id), 0);
	assert_int_equal(id, 8);
	assert_int_equal(store_keyring_current(kr), 8);
	seal_str(b, kr, "new", ad42);
	assert_int_equal(store_sealed_key_id(a->buf, a->end, &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(store_sealed_key_id(b->buf, b->end, &id), 0);
	assert_int_equal(id, 8);
	assert_int_equal(unseal_str(out, sizeof(out), kr, a, ad42), 0);
	assert_string_equal(out, "old");
	assert_int_equal(unseal_str(out, sizeof(out), kr, b, ad42), 0);
	assert_string_equal(out, "new");

	/* A lower id added later does not become current. */
	assert_int_equal(store_keyring_add(kr, 3, key7), 0);
	assert_int_equal(store_keyring_current(kr), 8);
	assert_int_equal(store_keyring_add(kr, 0, key7), EINVAL);
	assert_int_equal(store_keyring_add(kr, 7, key7), EINVAL);
	for (i = store_keyring_count(kr); i < STORE_KEYRING_MAX; i++)
		assert_int_equal(store_keyring_rotate(kr, NULL), 0);
	assert_int_equal(store_keyring_rotate(kr, NULL), EOVERFLOW);
	assert_int_equal(store_keyring_count(kr), STORE_KEYRING_MAX);
	mem_deref(a);
	mem_deref(b);
	mem_deref(kr);
}

/* A private scratch directory for key files. */
static char dir[64];

static void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_keyfile_create_load_rotate(void **state)
{
	struct store_keyring *kr, *kr2;
	char path[128], out[64];
	struct mbuf *mb;
	struct stat st;
	mode_t old;
	uint32_t id = 0;

	(void)state;
	path_in(path, sizeof(path), "master.key");
	unlink(path);
	/* A hostile umask cannot change the mode. */
	old = umask(0277);
	assert_int_equal(store_keyfile_create(&kr, path), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(store_keyring_current(kr), 1);
	assert_int_equal(store_keyfile_create(&kr2, path), EEXIST);

	assert_int_equal(mbuf_alloc(&mb, 8), 0);
	seal_str(mb, kr, "ha1", ad42);
	assert_int_equal(store_keyfile_load(&kr2, path), 0);
	assert_int_equal(unseal_str(out, sizeof(out), kr2, mb, ad42), 0);
	assert_string_equal(out, "ha1");
	mem_deref(kr2);

	assert_int_equal(store_keyfile_rotate(kr, path, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(store_keyfile_load(&kr2, path), 0);
	assert_int_equal(store_keyring_count(kr2), 2);
	assert_int_equal(store_keyring_current(kr2), 2);
	assert_int_equal(unseal_str(out, sizeof(out), kr2, mb, ad42), 0);
	mem_deref(kr2);

	/* A failed rewrite leaves the keyring as it was. */
	path_in(path, sizeof(path), "nodir/master.key");
	assert_int_equal(store_keyfile_rotate(kr, path, &id), ENOENT);
	assert_int_equal(store_keyring_count(kr), 2);
	assert_int_equal(store_keyring_current(kr), 2);
	mem_deref(kr);
	mem_deref(mb);
}

static void test_keyfile_permissions(void **state)
{
	static const char good[] = "# test\n3 000102030405060708090a0b0c0d0e0f"
				   "000102030405060708090a0b0c0d0e0f\n";
	struct store_keyring *kr = NULL;
	char path[128], link[128];

	(void)state;
	path_in(path, sizeof(path), "perm.key");
	write_file(path, good, 0640);
	assert_int_equal(store_keyfile_load(&kr, path), EACCES);
	write_file(path, good, 0602);
	assert_int_equal(store_keyfile_load(&kr, path), EACCES);
	write_file(path, good, 0610);
	assert_int_equal(store_keyfile_load(&kr, path), EACCES);
	write_file(path, good, 0400);
	assert_int_equal(store_keyfile_load(&kr, path), 0);
	assert_int_equal(store_keyring_current(kr), 3);
	mem_deref(kr);
	chmod(path, 0600);

	/* Not a regular file; a symlink is not followed. */
	assert_int_equal(store_keyfile_load(&kr, dir), EACCES);
	path_in(link, sizeof(link), "link.key");
	unlink(link);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(store_keyfile_load(&kr, link), ELOOP);
	path_in(path, sizeof(path), "missing.key");
	assert_int_equal(store_keyfile_load(&kr, path), ENOENT);
}

static void test_keyfile_format(void **state)
{
	static const char *const bad[] = {
	    "",
	    "# only a comment\n",
	    "1 0001020304\n",
	    "1 "
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0g"
	    "\n",
	    "0 "
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	    "\n",
	    "x "
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	    "\n",
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	    "\n",
	    "1 "
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f\n"
	    "1 "
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	    "\n",
	};
	struct store_keyring *kr = NULL;
	char path[128], *big;
	size_t i;

	(void)state;
	path_in(path, sizeof(path), "fmt.key");
	for (i = 0; i < SC_ARRAY_SIZE(bad); i++) {
		write_file(path, bad[i], 0600);
		if (store_keyfile_load(&kr, path) != EBADMSG)
			fail_msg("case %zu accepted", i);
	}
	/* Blank lines, tabs, CRLF and any order are fine; highest id wins. */
	write_file(
	    path,
	    "\r\n9\t000102030405060708090A0B0C0D0E0F000102030405060708090a0b0c0"
	    "d0e0f  \r\n"
	    "\n4 "
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f",
	    0600);
	assert_int_equal(store_keyfile_load(&kr, path), 0);
	assert_int_equal(store_keyring_count(kr), 2);
	assert_int_equal(store_keyring_current(kr), 9);
	mem_deref(kr);

	big = calloc(1, STORE_KEYFILE_MAX + 2);
	assert_non_null(big);
	memset(big, '#', STORE_KEYFILE_MAX + 1);
	write_file(path, big, 0600);
	free(big);
	assert_int_equal(store_keyfile_load(&kr, path), EOVERFLOW);
}

static void test_alloc_failures(void **state)
{
	struct store_keyring *kr;
	char path[128];
	long i;
	int err = ENOMEM;

	(void)state;
	path_in(path, sizeof(path), "fail.key");
	write_file(path,
		   "5 "
		   "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0"
		   "d0e0f\n",
		   0600);
	for (i = 0; i < 8 && err; i++) {
		mem_fail_after(i);
		err = store_keyfile_load(&kr, path);
		mem_fail_after(-1);
		if (err)
			assert_int_equal(err, ENOMEM);
	}
	assert_int_equal(err, 0);

	/* The output buffer cannot grow: nothing written. */
	{
		struct mbuf *mb;
		uint8_t pt[100] = {0};

		assert_int_equal(mbuf_alloc(&mb, 8), 0);
		mem_fail_after(0);
		assert_int_equal(store_seal(mb, kr, pt, sizeof(pt), NULL, 0),
				 ENOMEM);
		assert_int_equal(mb->end, 0);
		assert_int_equal(store_seal(mb, kr, pt, sizeof(pt), NULL, 0), 0);
		assert_int_equal(mb->end, STORE_SEAL_OVERHEAD + sizeof(pt));
		mem_deref(mb);
	}
	mem_deref(kr);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sc_seal_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	static const char *const names[] = {
	    "master.key", "master.key.tmp", "perm.key",
	    "link.key",   "fmt.key",        "fail.key",
	};
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < SC_ARRAY_SIZE(names); i++) {
		path_in(path, sizeof(path), names[i]);
		unlink(path);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_seal_format),
	    SC_TEST(test_keyring_rotation),
	    SC_TEST(test_keyfile_create_load_rotate),
	    SC_TEST(test_keyfile_permissions),
	    SC_TEST(test_keyfile_format),
	    SC_TEST(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
