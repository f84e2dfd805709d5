/* digest_parse.c: Digest challenge/credentials decoder (RFC 3261 §25.1,
 * RFC 7616 §3.3-§3.4): zero-copy views, never allocates. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/digest.h"

static bool is_lws(char c)
{
	/* The message decoder has already checked folding: CR and LF inside
	 * a header value can only be part of an LWS fold. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 3261 §25.1 token characters. */
static bool is_token(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '-':
	case '.':
	case '!':
	case '%':
	case '*':
	case '_':
	case '+':
	case '`':
	case '\'':
	case '~':
		return true;
	default:
		return false;
	}
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* A cursor over the header value. */
struct cur {
	const char *p;
	const char *end;
};

static void skip_lws(struct cur *c)
{
	while (c->p < c->end && is_lws(*c->p))
		c->p++;
}

static int read_token(struct cur *c, struct pl *tok)
{
	tok->p = c->p;
	while (c->p < c->end && is_token(*c->p))
		c->p++;
	tok->l = (size_t)(c->p - tok->p);
	return tok->l ? 0 : EBADMSG;
}

/* quoted-string = DQUOTE *(qdtext / quoted-pair) DQUOTE; the view gets the
 * inside, escapes as written. CTLs other than HTAB are refused. */
static int read_quoted(struct cur *c, struct pl *val)
{
	c->p++; /* the opening quote */
	val->p = c->p;
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p;

		if (ch == '"') {
			val->l = (size_t)(c->p - val->p);
			c->p++;
			return 0;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return EBADMSG;
		if (ch == '\\') {
			/* quoted-pair: RFC 3261 §25.1 allows escaped CTLs
			 * (even NUL); we follow RFC 7230 §3.2.6 and refuse
			 * them, so an unquoted value is a clean C string. */
			if (c->p + 1 >= c->end)
				return EBADMSG;
			ch = (unsigned char)c->p[1];
			if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
				return EBADMSG;
			c->p++;
		}
		c->p++;
	}
	return EBADMSG; /* unterminated */
}

/* Where each known parameter goes; a second occurrence is an error. */
static struct pl *param_slot(struct sip_digest *d, const struct pl *name)
{
#define SLOT(n, f)                                                             \
	{                                                                      \
		n, sizeof(n) - 1, offsetof(struct sip_digest, f)               \
	}
	static const struct {
		const char *name;
		size_t len;
		size_t off;
	} map[] = {
	    SLOT("username", username),
	    SLOT("realm", realm),
	    SLOT("nonce", nonce),
	    SLOT("uri", uri),
	    SLOT("response", response),
	    SLOT("algorithm", algorithm),
	    SLOT("cnonce", cnonce),
	    SLOT("qop", qop),
	    SLOT("nc", nc),
	    SLOT("opaque", opaque),
	    SLOT("userhash", userhash),
	    SLOT("stale", stale),
	    SLOT("domain", domain),
	};
#undef SLOT
	size_t i;

	/* the length first: one case-insensitive compare per parameter */
	for (i = 0; i < SC_ARRAY_SIZE(map); i++)
		if (name->l == map[i].len &&
		    !strncasecmp(name->p, map[i].name, name->l))
			return (struct pl *)((char *)d + map[i].off);
	return NULL;
}

static enum sip_digest_alg alg_parse(const struct pl *a)
{
	if (!a->p)
		return SIP_DIGEST_MD5; /* RFC 7616 §3.3: absent means MD5 */
	if (!pl_strcasecmp(a, "MD5"))
		return SIP_DIGEST_MD5;
	if (!pl_strcasecmp(a, "MD5-sess"))
		return SIP_DIGEST_MD5_SESS;
	if (!pl_strcasecmp(a, "SHA-256"))
		return SIP_DIGEST_SHA256;
	if (!pl_strcasecmp(a, "SHA-256-sess"))
		return SIP_DIGEST_SHA256_SESS;
	return SIP_DIGEST_UNKNOWN;
}

/* qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT */
static bool qop_list_has_auth(const struct pl *qop)
{
	struct pl item;
	size_t i = 0;

	while (i <= qop->l) {
		size_t j = i;

		while (j < qop->l && qop->p[j] != ',')
			j++;
		item.p = qop->p + i;
		item.l = j - i;
		pl_trim(&item);
		if (!pl_strcasecmp(&item, "auth"))
			return true;
		i = j + 1;
	}
	return false;
}

/* nc-value = 8LHEX (RFC 7616 §3.4) */
static int nc_parse(const struct pl *nc, uint32_t *v)
{
	uint32_t n = 0;
	size_t i;

	if (nc->l != SIP_DIGEST_NC_LEN)
		return EBADMSG;
	for (i = 0; i < nc->l; i++) {
		char c = nc->p[i];

		if (!is_hex(c))
			return EBADMSG;
		n = n << 4 | (uint32_t)(c <= '9'   ? c - '0'
					: c <= 'F' ? c - 'A' + 10
						   : c - 'a' + 10);
	}
	*v = n;
	return 0;
}

static int check_semantics(struct sip_digest *d)
{
	int err = 0;

	d->alg = alg_parse(&d->algorithm);
	d->is_stale = d->stale.p && !pl_strcasecmp(&d->stale, "true");
	d->is_userhash = d->userhash.p && !pl_strcasecmp(&d->userhash, "true");

	if (d->kind == SIP_DIGEST_CHALLENGE) {
		/* RFC 7616 §3.3: realm and nonce are required. */
		if (!d->realm.p || !pl_isset(&d->nonce))
			return EBADMSG;
		d->qop_auth = d->qop.p && qop_list_has_auth(&d->qop);
		return 0;
	}

	/* RFC 3261 §22.4 / RFC 7616 §3.4: the credentials. */
	if (!pl_isset(&d->username) || !d->realm.p || !pl_isset(&d->nonce) ||
	    !pl_isset(&d->uri) || !pl_isset(&d->response))
		return EBADMSG;
	if (d->qop.p) {
		d->qop_auth = !pl_strcasecmp(&d->qop, "auth");
		/* With a qop, cnonce and nc MUST be sent. */
		if (!pl_isset(&d->cnonce) || !d->nc.p)
			return EBADMSG;
	}
	if (d->nc.p) {
		err = nc_parse(&d->nc, &d->ncv);
		if (err)
			return err;
	}
	return 0;
}

int sip_digest_decode(struct sip_digest *d, enum sip_digest_kind kind,
		      const struct pl *val)
{
	struct cur c;
	struct pl scheme;
	size_t nparams = 0;
	int err;

	if (!d || !val || (!val->p && val->l))
		return EINVAL;
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	c.p = val->p;
	c.end = val->p + val->l;

	skip_lws(&c);
	err = read_token(&c, &scheme);
	if (err)
		goto out;
	if (pl_strcasecmp(&scheme, "Digest") || c.p == c.end || !is_lws(*c.p)) {
		err = EBADMSG;
		goto out;
	}

	for (;;) {
		struct pl name, v;
		struct pl *slot;

		skip_lws(&c);
		err = read_token(&c, &name);
		if (err)
			goto out;
		skip_lws(&c);
		if (c.p == c.end || *c.p != '=') {
			err = EBADMSG;
			goto out;
		}
		c.p++;
		skip_lws(&c);
		if (c.p < c.end && *c.p == '"')
			err = read_quoted(&c, &v);
		else
			err = read_token(&c, &v);
		if (err)
			goto out;
		if (v.l > SIP_DIGEST_PARAM_MAX ||
		    ++nparams > SIP_DIGEST_PARAMS_MAX) {
			err = EOVERFLOW;
			goto out;
		}
		slot = param_slot(d, &name);
		if (slot) {
			if (slot->p) {
				err = EBADMSG; /* duplicate */
				goto out;
			}
			/* An empty quoted value stays distinguishable from
			 * an absent one: p is set, l is 0. */
			*slot = v;
		}
		skip_lws(&c);
		if (c.p == c.end)
			break;
		if (*c.p != ',') {
			err = EBADMSG;
			goto out;
		}
		c.p++;
	}
	err = check_semantics(d);
out:
	return err;
}

int sip_digest_unquote(char *buf, size_t size, size_t *lenp,
		       const struct pl *pl)
{
	size_t i, n = 0;

	if (!buf || !size || !pl)
		return EINVAL;
	for (i = 0; i < pl->l; i++) {
		char ch = pl->p[i];

		if (ch == '\\' && i + 1 < pl->l)
			ch = pl->p[++i];
		if (n + 1 >= size)
			return EOVERFLOW;
		buf[n++] = ch;
	}
	buf[n] = '\0';
	if (lenp)
		*lenp = n;
	return 0;
}
