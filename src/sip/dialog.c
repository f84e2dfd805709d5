/* dialog.c: UA dialog state (RFC 3261 §12) and the request encoder of
 * §8.1.1 used for requests inside and outside dialogs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/dialog.h"

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

static int hdr(struct mbuf *mb, const char *name, const char *val)
{
	return val ? mbuf_printf(mb, "%s: %s\r\n", name, val) : 0;
}

int sip_req_encode(struct mbuf *mb, const struct sip_req *r)
{
	size_t blen = r && r->body ? r->body->l : 0;
	int err;

	if (!mb || !r || !r->method || !r->ruri || !r->via || !r->from ||
	    !r->to || !r->callid)
		return EINVAL;
	if (has_crlf(r->method) || has_crlf(r->ruri) || has_crlf(r->via) ||
	    has_crlf(r->from) || has_crlf(r->to) || has_crlf(r->callid) ||
	    has_crlf(r->contact) || has_crlf(r->ctype) ||
	    strchr(r->ruri, ' '))
		return EINVAL;
	err = mbuf_printf(mb, "%s %s SIP/2.0\r\n", r->method, r->ruri);
	err = err ? err : hdr(mb, "Via", r->via);
	err = err ? err : mbuf_printf(mb, "Max-Forwards: %u\r\n",
				      SIP_MAX_FORWARDS);
	err = err ? err : mbuf_write_str(mb, r->routes ? r->routes : "");
	err = err ? err : hdr(mb, "From", r->from);
	err = err ? err : hdr(mb, "To", r->to);
	err = err ? err : hdr(mb, "Call-ID", r->callid);
	err = err ? err : mbuf_printf(mb, "CSeq: %u %s\r\n", r->cseq,
				      r->method);
	err = err ? err : hdr(mb, "Contact", r->contact);
	err = err ? err : mbuf_write_str(mb, r->extra ? r->extra : "");
	if (!err && blen)
		err = hdr(mb, "Content-Type", r->ctype);
	err = err ? err : mbuf_printf(mb, "Content-Length: %zu\r\n\r\n", blen);
	if (!err && blen)
		err = mbuf_write_pl(mb, r->body);
	return err;
}

static void dialog_destroy(void *data)
{
	struct sip_dialog *d = data;

	mem_deref(d->callid);
	mem_deref(d->local);
	mem_deref(d->remote);
	mem_deref(d->ltag);
	mem_deref(d->rtag);
	mem_deref(d->target);
	mem_deref(d->routes);
}

static int str_dup(char **dst, const char *s)
{
	struct pl pl;

	pl_set_str(&pl, s);
	return pl_strdup(dst, &pl);
}

/* "<value>;tag=tag" from a From/To header value lacking a tag. */
static int with_tag(char **dst, const struct pl *val, const char *tag)
{
	size_t n = val->l + sizeof(";tag=") + strlen(tag);
	char *s = mem_alloc(n, NULL);

	if (!s)
		return ENOMEM;
	snprintf(s, n, "%.*s;tag=%s", PL_FMT(val), tag);
	*dst = s;
	return 0;
}

/* The route set as Route lines from the Record-Route values of msg, in
 * order or reversed (§12.1.1, §12.1.2). */
static int routes_build(char **dst, const struct sip_msg *msg, bool reverse)
{
	const struct sip_hdr *rr[SIP_HDR_MAX];
	const struct sip_hdr *h = NULL;
	size_t n = 0, i, len = 1;
	char *s;

	while ((h = sip_msg_hdr_next(msg, h, SIP_HDR_RECORD_ROUTE)) != NULL) {
		rr[n++] = h;
		len += h->val.l + sizeof("Route: \r\n");
	}
	if (len > SIP_ROUTES_MAX)
		return EOVERFLOW;
	s = mem_alloc(len, NULL);
	if (!s)
		return ENOMEM;
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct sip_hdr *r = rr[reverse ? n - 1 - i : i];
		size_t at = strlen(s);

		snprintf(s + at, len - at, "Route: %.*s\r\n", PL_FMT(&r->val));
	}
	*dst = s;
	return 0;
}

int sip_msg_contact_uri(const struct sip_msg *msg, char *buf, size_t size)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_CONTACT);
	struct sip_addr a;

	if (!h || sip_addr_decode(&a, &h->val) || !pl_isset(&a.auri))
		return ENOENT;
	return pl_strcpy(&a.auri, buf, size);
}

static int target_set(struct sip_dialog *d, const struct sip_msg *msg)
{
	char uri[SIP_ROUTES_MAX];
	char *t;
	int err;

	err = sip_msg_contact_uri(msg, uri, sizeof(uri));
	if (err)
		return err == ENOENT ? EBADMSG : err;
	err = str_dup(&t, uri);
	if (err)
		return err;
	mem_deref(d->target);
	d->target = t;
	return 0;
}

int sip_dialog_uas_alloc(struct sip_dialog **dp, const struct sip_msg *req,
			 const char *ltag)
{
	const struct sip_hdr *to = sip_msg_hdr(req, SIP_HDR_TO);
	const struct sip_hdr *from = sip_msg_hdr(req, SIP_HDR_FROM);
	struct sip_dialog *d;
	int err;

	if (!dp || !req || !ltag || !to || !from)
		return EINVAL;
	if (!pl_isset(&req->from.tag))
		return EBADMSG;
	d = mem_zalloc(sizeof(*d), dialog_destroy);
	if (!d)
		return ENOMEM;
	err = pl_strdup(&d->callid, &req->callid);
	err = err ? err : with_tag(&d->local, &to->val, ltag);
	err = err ? err : pl_strdup(&d->remote, &from->val);
	err = err ? err : str_dup(&d->ltag, ltag);
	err = err ? err : pl_strdup(&d->rtag, &req->from.tag);
	err = err ? err : target_set(d, req);
	err = err ? err : routes_build(&d->routes, req, false);
	if (err) {
		mem_deref(d);
		return err;
	}
	d->rseq = req->cseq.num;
	d->lseq = rand_u32() & 0x7fffffu; /* §8.1.1.5: below 2^31 */
	*dp = d;
	return 0;
}

int sip_dialog_uac_alloc(struct sip_dialog **dp, const char *callid,
			 const char *from, const char *ltag, uint32_t cseq,
			 const struct sip_msg *resp)
{
	const struct sip_hdr *to = sip_msg_hdr(resp, SIP_HDR_TO);
	struct sip_dialog *d;
	int err;

	if (!dp || !callid || !from || !ltag || !resp || !to)
		return EINVAL;
	if (!pl_isset(&resp->to.tag))
		return EBADMSG;
	d = mem_zalloc(sizeof(*d), dialog_destroy);
	if (!d)
		return ENOMEM;
	err = str_dup(&d->callid, callid);
	err = err ? err : str_dup(&d->local, from);
	err = err ? err : pl_strdup(&d->remote, &to->val);
	err = err ? err : str_dup(&d->ltag, ltag);
	err = err ? err : pl_strdup(&d->rtag, &resp->to.tag);
	err = err ? err : target_set(d, resp);
	err = err ? err : routes_build(&d->routes, resp, true);
	if (err) {
		mem_deref(d);
		return err;
	}
	d->lseq = cseq;
	*dp = d;
	return 0;
}

bool sip_dialog_match(const struct sip_dialog *d, const struct sip_msg *msg)
{
	const struct pl *ours, *theirs;

	if (!d || !msg || pl_strcmp(&msg->callid, d->callid))
		return false;
	/* requests we receive carry our tag in To; responses in From */
	ours = msg->req ? &msg->to.tag : &msg->from.tag;
	theirs = msg->req ? &msg->from.tag : &msg->to.tag;
	return !pl_strcmp(ours, d->ltag) && !pl_strcmp(theirs, d->rtag);
}

int sip_dialog_refresh(struct sip_dialog *d, const struct sip_msg *msg)
{
	int err;

	if (!sip_msg_hdr(msg, SIP_HDR_CONTACT))
		return 0;
	err = target_set(d, msg);
	return err == EBADMSG ? 0 : err;
}

int sip_dialog_recv_cseq(struct sip_dialog *d, const struct sip_msg *req)
{
	if (!pl_strcmp(&req->method, "ACK") ||
	    !pl_strcmp(&req->method, "CANCEL"))
		return 0;
	if (d->rseq && req->cseq.num < d->rseq)
		return EPROTO;
	d->rseq = req->cseq.num;
	return 0;
}

void sip_dialog_req(struct sip_dialog *d, struct sip_req *r,
		    const char *method, uint32_t cseq)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->ruri = d->target;
	r->from = d->local;
	r->to = d->remote;
	r->callid = d->callid;
	r->routes = d->routes;
	r->cseq = cseq ? cseq : ++d->lseq;
}
