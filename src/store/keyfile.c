/* keyfile.c: the master key file ([store] master_key): load with a
 * permission check, create with mode 0600, rewrite atomically on rotation. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "store/seal_priv.h"

#define KEYFILE_HEADER                                                         \
	"# sipcloak master keys: <id> <64 hex digits>; the highest id "        \
	"seals.\n# Keep this file private (mode 0600) and backed up.\n"
#define KEYFILE_LINE_MAX (10 + 1 + 2 * STORE_KEY_LEN + 1) /* id hex \n */
#define KEYFILE_PATH_MAX 4096

/* Reads the whole file into sodium-guarded memory after checking that it
 * is a regular file nobody but its owner can read or write. */
static int read_private(const char *path, char *buf, size_t size, size_t *lenp)
{
	struct stat st;
	size_t len = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno;
	/* fstat on the open fd: no window between the check and the read. */
	if (fstat(fd, &st)) {
		err = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("store", "master key file %s is not a regular file",
			  path);
		err = EACCES;
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		log_error("store",
			  "master key file %s has mode %04o: group or others "
			  "may read or write it; run: chmod 600 %s",
			  path, (unsigned)(st.st_mode & 07777), path);
		err = EACCES;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == size) {
			err = EOVERFLOW; /* the buffer has one spare byte */
			goto out;
		}
	}
	*lenp = len;
out:
	close(fd);
	return err;
}

/* One line: "<id> <64 hex>", blanks around, or a comment / empty line. */
static int parse_line(struct store_keyring *kr, const char *p, size_t n,
		      uint8_t *key)
{
	struct pl line = {p, n}, id, hex;
	const char *sp;
	uint32_t v;
	size_t blen = 0;
	int err;

	pl_trim(&line);
	if (!line.l || line.p[0] == '#')
		return 0;
	sp = pl_chr(&line, ' ');
	if (!sp)
		sp = pl_chr(&line, '\t');
	if (!sp)
		return EBADMSG;
	id.p = line.p;
	id.l = (size_t)(sp - line.p);
	hex.p = sp;
	hex.l = line.l - id.l;
	pl_trim(&hex);
	err = pl_u32(&id, &v);
	if (err)
		return EBADMSG;
	if (hex.l != 2 * STORE_KEY_LEN ||
	    sodium_hex2bin(key, STORE_KEY_LEN, hex.p, hex.l, NULL, &blen,
			   NULL) ||
	    blen != STORE_KEY_LEN)
		return EBADMSG;
	err = store_keyring_add(kr, v, key);
	return err == EINVAL ? EBADMSG : err; /* id 0 or duplicate */
}

int store_keyfile_load(struct store_keyring **krp, const char *path)
{
	struct store_keyring *kr = NULL;
	uint8_t *key = NULL;
	char *buf = NULL;
	size_t len = 0, start = 0, i, lineno = 1;
	int err;

	if (!krp || !path)
		return EINVAL;
	err = store_keyring_alloc(&kr);
	if (err)
		return err;
	buf = sodium_malloc(STORE_KEYFILE_MAX + 1);
	key = sodium_malloc(STORE_KEY_LEN);
	if (!buf || !key) {
		err = ENOMEM;
		goto out;
	}
	err = read_private(path, buf, STORE_KEYFILE_MAX + 1, &len);
	if (err)
		goto out;
	for (i = 0; i <= len; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		err = parse_line(kr, buf + start, i - start, key);
		if (err) {
			if (err == EBADMSG)
				log_error("store",
					  "%s:%zu: expected "
					  "\"<id> <64 hex digits>\" "
					  "with a new id",
					  path, lineno);
			goto out;
		}
		start = i + 1;
		lineno++;
	}
	if (!kr->count) {
		log_error("store", "%s: no master key in the file", path);
		err = EBADMSG;
	}
out:
	if (buf)
		sodium_free(buf); /* wipes */
	if (key)
		sodium_free(key);
	if (err)
		mem_deref(kr);
	else
		*krp = kr;
	return err;
}

/* Writes every key of kr to a new file at path (O_EXCL, 0600 whatever the
 * umask) and syncs it. The file is removed again on error. */
static int write_new(const char *path, const struct store_keyring *kr)
{
	char *line = NULL;
	size_t i;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  S_IRUSR | S_IWUSR);
	if (fd < 0)
		return errno;
	/* The umask may have removed bits we need; it never adds any. */
	if (fchmod(fd, S_IRUSR | S_IWUSR)) {
		err = errno;
		goto out;
	}
	line = sodium_malloc(KEYFILE_LINE_MAX + 1);
	if (!line) {
		err = ENOMEM;
		goto out;
	}
	if (write(fd, KEYFILE_HEADER, strlen(KEYFILE_HEADER)) < 0) {
		err = errno;
		goto out;
	}
	for (i = 0; i < kr->count; i++) {
		size_t n;

		n = (size_t)snprintf(line, KEYFILE_LINE_MAX + 1, "%u ",
				     (unsigned)kr->ids[i]);
		sodium_bin2hex(line + n, KEYFILE_LINE_MAX + 1 - n,
			       store_keyring_key(kr, i), STORE_KEY_LEN);
		n += 2 * STORE_KEY_LEN;
		line[n++] = '\n';
		if (write(fd, line, n) != (ssize_t)n) {
			err = errno ? errno : EIO;
			goto out;
		}
	}
	if (fsync(fd))
		err = errno;
out:
	if (line)
		sodium_free(line);
	if (close(fd) && !err)
		err = errno;
	if (err)
		unlink(path);
	return err;
}

/* Makes a rename or a new file in path's directory durable. Best effort:
 * the data itself is already synced, a failure here is not reported. */
static void sync_dir(const char *path)
{
	char buf[KEYFILE_PATH_MAX];
	int fd;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return;
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

int store_keyfile_create(struct store_keyring **krp, const char *path)
{
	struct store_keyring *kr = NULL;
	int err;

	if (!krp || !path)
		return EINVAL;
	err = store_keyring_alloc(&kr);
	if (err)
		return err;
	err = store_keyring_rotate(kr, NULL);
	if (err)
		goto out;
	err = write_new(path, kr);
	if (!err)
		sync_dir(path);
out:
	if (err)
		mem_deref(kr);
	else
		*krp = kr;
	return err;
}

int store_keyfile_rotate(struct store_keyring *kr, const char *path,
			 uint32_t *idp)
{
	char tmp[KEYFILE_PATH_MAX];
	uint32_t id = 0;
	int err;

	if (!kr || !path)
		return EINVAL;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return EOVERFLOW;
	err = store_keyring_rotate(kr, &id);
	if (err)
		return err;
	/* A temporary file left by a crash holds no more than the real one. */
	if (unlink(tmp) && errno != ENOENT) {
		err = errno;
		goto out;
	}
	err = write_new(tmp, kr);
	if (err)
		goto out;
	if (rename(tmp, path)) {
		err = errno;
		unlink(tmp);
		goto out;
	}
	sync_dir(path);
out:
	if (err)
		store_keyring_drop_last(kr);
	else if (idp)
		*idp = id;
	return err;
}
