/* static.c: static files below one root directory for the web softphone
 * (RFC 9110 9.3.1-2 GET/HEAD, 8.8.3 ETag, 13.1.2 If-None-Match, 15.4.5
 * 304). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/http_int.h"

#define STATIC_INDEX "index.html"
#define STATIC_HDRS_MAX 256 /* ETag, Last-Modified, Cache-Control lines */
#define STATIC_ETAG_MAX 48  /* "\"<16 hex>-<16 hex>\"" */

struct http_static {
	char *root; /* realpath, without a trailing '/' */
	size_t root_len;
};

static const struct {
	const char *ext;
	const char *ctype;
} static_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".woff2", "font/woff2"},
};

const char *http_static_ctype(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	for (size_t i = 0; i < SC_ARRAY_SIZE(static_types); i++) {
		size_t e = strlen(static_types[i].ext);

		if (n > e && !strcmp(name + n - e, static_types[i].ext))
			return static_types[i].ctype;
	}
	return "application/octet-stream";
}

/* One segment (between slashes): not empty unless last, no dot first
 * (".", "..", hidden files). */
static bool segment_ok(const char *s, size_t n, bool last)
{
	if (!n)
		return last; /* "/dir/" means its index */
	return s[0] != '.';
}

int http_static_path_check(const struct pl *path)
{
	size_t i, seg;

	if (!path || !path->p || path->l < 1 || path->p[0] != '/' ||
	    path->l > HTTP_STATIC_PATH_MAX)
		return EACCES;
	for (i = 1, seg = 1; i <= path->l; i++) {
		unsigned char c = i < path->l ? (unsigned char)path->p[i] : '/';

		if (c < 0x20 || c == 0x7f || c == '\\' || c == '%')
			return EACCES;
		if (c != '/')
			continue;
		if (!segment_ok(path->p + seg, i - seg, i == path->l))
			return EACCES;
		seg = i + 1;
	}
	return 0;
}

static void static_destroy(void *data)
{
	struct http_static *st = data;

	mem_deref(st->root);
}

int http_static_alloc(struct http_static **stp, const char *root)
{
	struct http_static *st;
	char real[PATH_MAX];
	struct stat sb;
	struct pl pl;
	int err;

	if (!stp || !root || !root[0])
		return EINVAL;
	if (!realpath(root, real))
		return errno;
	if (stat(real, &sb))
		return errno;
	if (!S_ISDIR(sb.st_mode))
		return ENOTDIR;
	st = mem_zalloc(sizeof(*st), static_destroy);
	if (!st)
		return ENOMEM;
	st->root_len = strlen(real);
	if (st->root_len == 1) /* "/" itself: keep prefixes "/x" simple */
		st->root_len = 0;
	pl.p = real;
	pl.l = st->root_len;
	err = pl_strdup(&st->root, &pl);
	if (err) {
		mem_deref(st);
		return err;
	}
	*stp = st;
	return 0;
}

const char *http_static_root(const struct http_static *st)
{
	return st ? (st->root_len ? st->root : "/") : NULL;
}

static int reply_text(struct http_req *req, uint16_t status, const char *hdrs,
		      const char *text)
{
	return http_reply(req, status, "text/plain; charset=utf-8", hdrs, text,
			  strlen(text), 0);
}

/* Whether the If-None-Match list names etag or is "*" (RFC 9110 13.1.2:
 * weak comparison, so a W/ prefix on either side does not matter). */
static bool inm_matches(const struct pl *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p, *end;

	if (!pl_isset(inm))
		return false;
	end = inm->p + inm->l;
	for (p = inm->p; p < end; p++) {
		if (*p == '*')
			return true;
		if ((size_t)(end - p) >= n && !memcmp(p, etag, n))
			return true;
	}
	return false;
}

/* Resolves path below the root into real: ENOENT when missing, outside the
 * root or not a regular file. */
static int resolve(const struct http_static *st, const struct pl *path,
		   char real[PATH_MAX])
{
	char full[PATH_MAX];
	bool dir = path->p[path->l - 1] == '/';
	int n;

	n = snprintf(full, sizeof(full), "%.*s%.*s%s", (int)st->root_len,
		     st->root, (int)path->l, path->p, dir ? STATIC_INDEX : "");
	if (n < 0 || (size_t)n >= sizeof(full))
		return ENOENT;
	if (!realpath(full, real))
		return ENOENT;
	/* inside the root: "<root>/..." (symbolic links may not lead out) */
	if (strncmp(real, st->root, st->root_len) || real[st->root_len] != '/')
		return ENOENT;
	return 0;
}

/* Reads the regular file at real into *bufp (mem_alloc'd), with its stat.
 * ENOENT when not a regular file, EFBIG over HTTP_STATIC_FILE_MAX. */
static int read_file(const char *real, uint8_t **bufp, struct stat *sb)
{
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, err = 0;

	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return ENOENT;
	if (fstat(fd, sb) || !S_ISREG(sb->st_mode)) {
		err = ENOENT;
		goto out;
	}
	if (sb->st_size > HTTP_STATIC_FILE_MAX) {
		err = EFBIG;
		goto out;
	}
	buf = mem_alloc((size_t)sb->st_size + 1, NULL);
	if (!buf) {
		err = ENOMEM;
		goto out;
	}
	while (got < (size_t)sb->st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb->st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = EIO;
			goto out;
		}
		got += (size_t)r;
	}
out:
	close(fd);
	if (err)
		mem_deref(buf);
	else
		*bufp = buf;
	return err;
}

static int serve_file(struct http_req *req, const struct http_msg *msg,
		      const char *real)
{
	char etag[STATIC_ETAG_MAX], date[64], hdrs[STATIC_HDRS_MAX];
	uint8_t *buf = NULL;
	struct stat sb;
	struct tm tm;
	int err;

	err = read_file(real, &buf, &sb);
	if (err == ENOENT)
		return reply_text(req, 404, NULL, "not found\n");
	if (err) {
		log_warn(HTTP_MOD, "static file %s: %s", real, strerror(err));
		return reply_text(req, 500, NULL, "cannot read the file\n");
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
		 (unsigned long long)sb.st_size,
		 (unsigned long long)sb.st_mtim.tv_sec * 1000000000ull +
		     (unsigned long long)sb.st_mtim.tv_nsec);
	gmtime_r(&sb.st_mtim.tv_sec, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(hdrs, sizeof(hdrs),
		 "ETag: %s\r\nLast-Modified: %s\r\nCache-Control: no-cache\r\n",
		 etag, date);
	if (inm_matches(&msg->if_none_match, etag))
		err = http_reply(req, 304, NULL, hdrs, NULL, 0,
				 HTTP_REPLY_CACHEABLE);
	else
		err = http_reply(req, 200, http_static_ctype(real), hdrs, buf,
				 (size_t)sb.st_size, HTTP_REPLY_CACHEABLE);
	mem_deref(buf);
	return err;
}

int http_static_serve(struct http_static *st, struct http_req *req,
		      const struct http_msg *msg, const struct pl *path)
{
	char real[PATH_MAX];

	if (!st || !req || !msg || !path)
		return EINVAL;
	if (pl_strcmp(&msg->method, "GET") && pl_strcmp(&msg->method, "HEAD"))
		return reply_text(req, 405, "Allow: GET, HEAD\r\n",
				  "method not allowed\n");
	if (http_static_path_check(path) || resolve(st, path, real))
		return reply_text(req, 404, NULL, "not found\n");
	return serve_file(req, msg, real);
}

void http_static_route_h(struct http_req *req, const struct http_msg *msg,
			 void *arg)
{
	int err = http_static_serve(arg, req, msg, &msg->path);

	if (err && err != ENOTCONN)
		log_warn(HTTP_MOD, "static answer: %s", strerror(err));
}
