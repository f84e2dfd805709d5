/* attr.c: SDP attribute lookup and the small attribute grammars: rtpmap
 * and fmtp (RFC 8866 section 6.6/6.15), rtcp (RFC 3605), group (RFC 5888),
 * ssrc (RFC 5576). Views only, no allocation. */
#include <errno.h>
#include <string.h>

#include "sdp/sdp_int.h"

static int attr_find(struct pl *val, const struct sdp_attr *v, size_t c,
		     const char *name, size_t *idx)
{
	size_t i;

	for (i = idx ? *idx : 0; i < c; i++) {
		if (pl_strcmp(&v[i].name, name))
			continue;
		if (val)
			*val = v[i].value;
		if (idx)
			*idx = i + 1;
		return 0;
	}
	if (idx)
		*idx = c;
	return ENOENT;
}

int sdp_sess_attr(struct pl *val, const struct sdp_sess *sess, const char *name)
{
	if (!sess || !name)
		return EINVAL;
	return attr_find(val, sess->attrv, sess->attrc, name, NULL);
}

int sdp_media_attr(struct pl *val, const struct sdp_media *m, const char *name)
{
	if (!m || !name)
		return EINVAL;
	return attr_find(val, m->attrv, m->attrc, name, NULL);
}

int sdp_attr_fallback(struct pl *val, const struct sdp_sess *sess,
		      const struct sdp_media *m, const char *name)
{
	if (m && !sdp_media_attr(val, m, name))
		return 0;
	return sdp_sess_attr(val, sess, name);
}

int sdp_media_attr_next(struct pl *val, const struct sdp_media *m,
			const char *name, size_t *idx)
{
	if (!m || !name || !idx)
		return EINVAL;
	return attr_find(val, m->attrv, m->attrc, name, idx);
}

bool sdp_media_has(const struct sdp_media *m, const char *name)
{
	return sdp_media_attr(NULL, m, name) == 0;
}

int sdp_sa_decode(struct sa *sa, const struct pl *addr, uint16_t port)
{
	char host[SA_ADDR_MAX + 1];

	if (pl_strcpy(addr, host, sizeof(host)) || sa_set(sa, host, port))
		return EBADMSG;
	return 0;
}

bool sdp_is_token(const struct pl *pl, size_t max)
{
	size_t i;

	if (!pl->l || pl->l > max)
		return false;
	for (i = 0; i < pl->l; i++) {
		char c = pl->p[i];

		/* RFC 8866 section 9 token-char, minus the odd ones. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') ||
		      (c && strchr("-._+~!*'#$%&^`{|}", c))))
			return false;
	}
	return true;
}

int sdp_media_addr(struct sa *sa, const struct sdp_sess *sess,
		   const struct sdp_media *m)
{
	const struct sdp_conn *c;

	if (!sa || !sess || !m)
		return EINVAL;
	c = m->has_conn ? &m->conn : sess->has_conn ? &sess->conn : NULL;
	if (!c)
		return ENOENT;
	if (pl_strcmp(&c->nettype, "IN") ||
	    (pl_strcmp(&c->addrtype, "IP4") && pl_strcmp(&c->addrtype, "IP6")))
		return EBADMSG;
	return sdp_sa_decode(sa, &c->addr, m->port);
}

static int pt_decode(uint8_t *pt, const struct pl *pl)
{
	uint32_t v;

	if (pl->l > 3 || pl_u32(pl, &v) || v > 127)
		return EBADMSG;
	*pt = (uint8_t)v;
	return 0;
}

int sdp_rtpmap_decode(struct sdp_rtpmap *rm, const struct pl *val)
{
	struct pl rest, pt, enc, rate, ch = PL_INIT;
	const char *s1, *s2;
	uint32_t v;

	if (!rm || !val)
		return EINVAL;
	rest = *val;
	if (sdp_tok(&pt, &rest) || sdp_tok(&enc, &rest) ||
	    pt_decode(&rm->pt, &pt))
		return EBADMSG;
	s1 = pl_chr(&enc, '/');
	if (!s1)
		return EBADMSG;
	rm->name.p = enc.p;
	rm->name.l = (size_t)(s1 - enc.p);
	rate.p = s1 + 1;
	rate.l = enc.l - rm->name.l - 1;
	s2 = pl_chr(&rate, '/');
	if (s2) {
		ch.p = s2 + 1;
		ch.l = rate.l - (size_t)(s2 - rate.p) - 1;
		rate.l = (size_t)(s2 - rate.p);
	}
	if (!rm->name.l || pl_u32(&rate, &rm->rate) || !rm->rate)
		return EBADMSG;
	rm->channels = 1;
	if (s2) {
		if (pl_u32(&ch, &v) || !v || v > 255)
			return EBADMSG;
		rm->channels = (uint8_t)v;
	}
	return 0;
}

int sdp_fmtp_decode(struct sdp_fmtp *fm, const struct pl *val)
{
	struct pl rest, pt;

	if (!fm || !val)
		return EINVAL;
	rest = *val;
	if (sdp_tok(&pt, &rest) || pt_decode(&fm->pt, &pt))
		return EBADMSG;
	fm->params = rest;
	pl_trim(&fm->params);
	return 0;
}

int sdp_rtcp_decode(uint16_t *port, struct pl *addr, const struct pl *val)
{
	struct pl rest, p, nettype, addrtype;

	if (!port || !addr || !val)
		return EINVAL;
	rest = *val;
	addr->p = NULL;
	addr->l = 0;
	if (sdp_tok(&p, &rest) || sdp_port_decode(port, &p))
		return EBADMSG;
	if (sdp_tok(&nettype, &rest))
		return 0;
	if (sdp_tok(&addrtype, &rest) || sdp_tok(addr, &rest))
		return EBADMSG;
	return 0;
}

int sdp_group_decode(struct pl *semantics, struct pl *ids, const struct pl *val)
{
	if (!semantics || !ids || !val)
		return EINVAL;
	*ids = *val;
	if (sdp_tok(semantics, ids))
		return EBADMSG;
	pl_trim(ids);
	return 0;
}

bool sdp_bundle_has(const struct sdp_sess *sess, const struct pl *mid)
{
	struct pl val, sem, ids, id;
	size_t i;

	if (!sess || !mid)
		return false;
	for (i = 0; i < sess->attrc; i++) {
		if (pl_strcmp(&sess->attrv[i].name, "group"))
			continue;
		val = sess->attrv[i].value;
		if (sdp_group_decode(&sem, &ids, &val) ||
		    pl_strcmp(&sem, "BUNDLE"))
			continue;
		while (!sdp_tok(&id, &ids))
			if (pl_eq(&id, mid))
				return true;
	}
	return false;
}

int sdp_ssrc_decode(uint32_t *ssrc, struct pl *attr, struct pl *value,
		    const struct pl *val)
{
	struct pl rest, s;
	const char *colon;

	if (!ssrc || !attr || !value || !val)
		return EINVAL;
	rest = *val;
	if (sdp_tok(&s, &rest) || s.l > 10 || pl_u32(&s, ssrc))
		return EBADMSG;
	pl_trim(&rest);
	if (!rest.l)
		return EBADMSG;
	*attr = rest;
	value->p = rest.p + rest.l;
	value->l = 0;
	colon = pl_chr(&rest, ':');
	if (colon) {
		attr->l = (size_t)(colon - rest.p);
		value->p = colon + 1;
		value->l = rest.l - attr->l - 1;
	}
	return 0;
}
