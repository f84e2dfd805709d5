/* ws_upgrade.c: the client side of the RFC 6455 section 4 opening handshake,
 * asking for the "sip" subprotocol of RFC 7118. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "wsload.h"

/* RFC 6455 1.3: the GUID appended to the key before hashing. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int wsload_accept_key(char out[WSLOAD_ACCEPT_SIZE], const char *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	int err = 0;

	if (!out || !key)
		return EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) ||
	    !EVP_DigestUpdate(ctx, key, strlen(key)) ||
	    !EVP_DigestUpdate(ctx, ws_guid, sizeof(ws_guid) - 1) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 20) {
		err = ENOMEM;
		goto out;
	}
	/* 20 bytes encode to 28 characters plus the NUL EVP_EncodeBlock adds.
	 */
	EVP_EncodeBlock((unsigned char *)out, md, 20);
out:
	EVP_MD_CTX_free(ctx);
	return err;
}

int wsload_key_make(char key[WSLOAD_KEY_SIZE])
{
	uint8_t nonce[16];
	int err;

	err = rand_bytes(nonce, sizeof(nonce));
	if (err)
		return err;
	EVP_EncodeBlock((unsigned char *)key, nonce, sizeof(nonce));
	return 0;
}

int wsload_upgrade_request(char *buf, size_t size, size_t *lenp,
                           const char *host, const char *path, const char *key)
{
	int n;

	if (!buf || !lenp || !host || !path || !key)
		return EINVAL;
	n = snprintf(buf, size,
	             "GET %s HTTP/1.1\r\n"
	             "Host: %s\r\n"
	             "Upgrade: websocket\r\n"
	             "Connection: Upgrade\r\n"
	             "Sec-WebSocket-Key: %s\r\n"
	             "Sec-WebSocket-Version: 13\r\n"
	             "Sec-WebSocket-Protocol: sip\r\n"
	             "\r\n",
	             path, host, key);
	if (n < 0 || (size_t)n >= size)
		return EOVERFLOW;
	*lenp = (size_t)n;
	return 0;
}

/* Does the comma-separated token list v contain tok (case-insensitive)? */
static bool list_has(const struct pl *v, const char *tok)
{
	struct pl rest = *v;

	while (rest.l) {
		const char *comma = pl_chr(&rest, ',');
		struct pl item = {rest.p,
		                  comma ? (size_t)(comma - rest.p) : rest.l};

		pl_trim(&item);
		if (!pl_strcasecmp(&item, tok))
			return true;
		if (!comma)
			break;
		rest.l -= (size_t)(comma - rest.p) + 1;
		rest.p = comma + 1;
	}
	return false;
}

/* Finds the end of the header block: the index just past "\r\n\r\n". */
static size_t block_end(const uint8_t *p, size_t n)
{
	for (size_t i = 3; i < n; i++) {
		if (p[i] == '\n' && p[i - 1] == '\r' && p[i - 2] == '\n' &&
		    p[i - 3] == '\r')
			return i + 1;
	}
	return 0;
}

int wsload_upgrade_response(const uint8_t *p, size_t n, const char *accept,
                            size_t *hdr_len)
{
	bool upgrade = false, connection = false, acc = false, proto = false;
	struct pl line, name, value;
	const char *s = (const char *)p;
	size_t end, pos, i;
	int err = 0;

	if (!p || !accept || !hdr_len)
		return EINVAL;
	end = block_end(p, SC_MIN(n, WSLOAD_UPGRADE_MAX_RESP));
	if (!end) {
		err = n >= WSLOAD_UPGRADE_MAX_RESP ? EOVERFLOW : ENODATA;
		goto out;
	}
	/* Status line: HTTP/1.1 101 <reason> (RFC 6455 4.1 client rule 1). */
	if (end < 12 || memcmp(s, "HTTP/1.1 ", 9)) {
		err = EBADMSG;
		goto out;
	}
	if (memcmp(s + 9, "101", 3) || (s[12] != ' ' && s[12] != '\r')) {
		err = EPROTO;
		goto out;
	}
	pos = 0;
	while (s[pos] != '\n')
		pos++;
	pos++;
	while (pos + 2 < end) {
		for (i = pos;
		     i + 1 < end && !(s[i] == '\r' && s[i + 1] == '\n'); i++)
			;
		line.p = s + pos;
		line.l = i - pos;
		pos = i + 2;
		if (!pl_chr(&line, ':')) {
			err = EBADMSG;
			goto out;
		}
		name.p = line.p;
		name.l = (size_t)(pl_chr(&line, ':') - line.p);
		value.p = name.p + name.l + 1;
		value.l = line.l - name.l - 1;
		pl_trim(&value);
		if (!pl_strcasecmp(&name, "Upgrade"))
			upgrade = !pl_strcasecmp(&value, "websocket");
		else if (!pl_strcasecmp(&name, "Connection"))
			connection = list_has(&value, "upgrade");
		else if (!pl_strcasecmp(&name, "Sec-WebSocket-Accept"))
			acc = !pl_strcmp(&value, accept);
		else if (!pl_strcasecmp(&name, "Sec-WebSocket-Protocol"))
			proto = !pl_strcasecmp(&value, "sip");
	}
	/* RFC 6455 4.1 client rules 2-5; RFC 7118 4.1: sip must be chosen. */
	if (!upgrade || !connection || !acc || !proto) {
		err = EPROTO;
		goto out;
	}
	*hdr_len = end;
out:
	return err;
}
