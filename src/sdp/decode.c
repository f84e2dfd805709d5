/* decode.c: SDP parser (RFC 8866 section 5) into views, no allocation. */
#include <errno.h>
#include <string.h>

#include "sdp/sdp_int.h"

struct dec {
	struct sdp_sess *sess;
	unsigned line;
	bool have_v, have_o;
};

static int fail(struct dec *d, const char *why)
{
	d->sess->err = why;
	d->sess->err_line = d->line;
	return EBADMSG;
}

int sdp_tok(struct pl *tok, struct pl *rest)
{
	size_t i = 0, start;

	while (i < rest->l && (rest->p[i] == ' ' || rest->p[i] == '\t'))
		i++;
	if (i == rest->l) {
		rest->p += i;
		rest->l = 0;
		return ENOENT;
	}
	start = i;
	while (i < rest->l && rest->p[i] != ' ' && rest->p[i] != '\t')
		i++;
	tok->p = rest->p + start;
	tok->l = i - start;
	rest->p += i;
	rest->l -= i;
	return 0;
}

int sdp_port_decode(uint16_t *port, const struct pl *pl)
{
	uint32_t v;

	if (pl->l > 5 || pl_u32(pl, &v) || v > 65535)
		return EBADMSG;
	*port = (uint16_t)v;
	return 0;
}

/* c=<nettype> <addrtype> <connection-address>: RFC 8866 section 5.7. The
 * "/ttl" and "/count" suffixes are dropped; the address itself is checked
 * only where it is used (sdp_media_addr). */
static int conn_decode(struct sdp_conn *c, const struct pl *val)
{
	struct pl rest = *val, extra;
	const char *slash;

	if (sdp_tok(&c->nettype, &rest) || sdp_tok(&c->addrtype, &rest) ||
	    sdp_tok(&c->addr, &rest) || !sdp_tok(&extra, &rest))
		return EBADMSG;
	slash = pl_chr(&c->addr, '/');
	if (slash)
		c->addr.l = (size_t)(slash - c->addr.p);
	return c->addr.l ? 0 : EBADMSG;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <addr>:
 * RFC 8866 section 5.2. */
static int origin_decode(struct sdp_sess *s, const struct pl *val)
{
	struct pl rest = *val, extra;

	if (sdp_tok(&s->o_user, &rest) || sdp_tok(&s->o_sess_id, &rest) ||
	    sdp_tok(&s->o_sess_ver, &rest) || sdp_tok(&s->o_nettype, &rest) ||
	    sdp_tok(&s->o_addrtype, &rest) || sdp_tok(&s->o_addr, &rest) ||
	    !sdp_tok(&extra, &rest))
		return EBADMSG;
	return 0;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ...: section 5.14. */
static int media_decode(struct sdp_media *m, const struct pl *val)
{
	struct pl rest = *val, port;
	const char *slash;
	uint16_t n;

	if (sdp_tok(&m->type, &rest) || sdp_tok(&port, &rest) ||
	    sdp_tok(&m->proto, &rest))
		return EBADMSG;
	m->nports = 1;
	slash = pl_chr(&port, '/');
	if (slash) {
		struct pl np = {slash + 1,
				port.l - (size_t)(slash - port.p) - 1};

		if (sdp_port_decode(&n, &np) || !n)
			return EBADMSG;
		m->nports = n;
		port.l = (size_t)(slash - port.p);
	}
	if (sdp_port_decode(&m->port, &port))
		return EBADMSG;
	m->fmts = rest;
	pl_trim(&m->fmts);
	return 0;
}

static void attr_add(struct sdp_attr *v, size_t *c, size_t *dropped,
		     const struct pl *val)
{
	const char *colon = pl_chr(val, ':');
	struct sdp_attr *a;

	if (*c >= SDP_MAX_ATTRS) {
		(*dropped)++;
		return;
	}
	a = &v[(*c)++];
	a->name = *val;
	a->value.p = val->p + val->l;
	a->value.l = 0;
	if (colon) {
		a->name.l = (size_t)(colon - val->p);
		a->value.p = colon + 1;
		a->value.l = val->l - a->name.l - 1;
	}
	pl_trim(&a->name);
	pl_trim(&a->value);
}

static int line_decode(struct dec *d, char type, const struct pl *val)
{
	struct sdp_sess *s = d->sess;
	struct sdp_media *m = s->mediac ? &s->mediav[s->mediac - 1] : NULL;

	if (!d->have_v) {
		if (type != 'v')
			return fail(d, "first line is not v=");
		if (pl_strcmp(val, "0"))
			return fail(d, "v= is not 0");
		d->have_v = true;
		return 0;
	}
	switch (type) {
	case 'v':
		return fail(d, "second v=");
	case 'o':
		if (d->have_o || m)
			return fail(d, "o= out of place");
		d->have_o = true;
		return origin_decode(s, val) ? fail(d, "malformed o=") : 0;
	case 's':
		if (!m)
			s->name = *val;
		return 0;
	case 'c':
		if (m) {
			m->has_conn = true;
			return conn_decode(&m->conn, val)
				   ? fail(d, "malformed c=")
				   : 0;
		}
		s->has_conn = true;
		return conn_decode(&s->conn, val) ? fail(d, "malformed c=") : 0;
	case 'm':
		if (!d->have_o)
			return fail(d, "m= before o=");
		if (s->mediac >= SDP_MAX_MEDIA) {
			s->err = "too many m= sections";
			s->err_line = d->line;
			return EOVERFLOW;
		}
		m = &s->mediav[s->mediac++];
		return media_decode(m, val) ? fail(d, "malformed m=") : 0;
	case 'a':
		if (!val->l)
			return fail(d, "empty a=");
		if (m)
			attr_add(m->attrv, &m->attrc, &m->attr_dropped, val);
		else
			attr_add(s->attrv, &s->attrc, &s->attr_dropped, val);
		return 0;
	default:
		/* i= u= e= p= b= t= r= z= k= and unknown types: RFC 8866
		 * section 5 says unknown types are ignored. */
		return 0;
	}
}

int sdp_decode(struct sdp_sess *sess, const char *buf, size_t len)
{
	struct dec d = {.sess = sess};
	size_t pos = 0;
	int err = 0;

	if (!sess || (!buf && len))
		return EINVAL;
	memset(sess, 0, sizeof(*sess));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct pl line = {buf + pos, end - pos}, val;

		pos = nl ? end + 1 : len;
		d.line++;
		if (line.l && line.p[line.l - 1] == '\r')
			line.l--;
		if (!line.l)
			continue; /* blank lines, e.g. a trailing one */
		if (line.l > SDP_MAX_LINE) {
			err = fail(&d, "line too long");
			goto out;
		}
		if (memchr(line.p, '\0', line.l) ||
		    memchr(line.p, '\r', line.l)) {
			err = fail(&d, "NUL or CR inside a line");
			goto out;
		}
		if (line.l < 2 || line.p[1] != '=') {
			err = fail(&d, "line is not <type>=<value>");
			goto out;
		}
		val.p = line.p + 2;
		val.l = line.l - 2;
		err = line_decode(&d, line.p[0], &val);
		if (err)
			goto out;
	}
	if (!d.have_v)
		err = fail(&d, "no v= line");
	else if (!d.have_o)
		err = fail(&d, "no o= line");
out:
	return err;
}
