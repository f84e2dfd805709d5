/* tsx_testutil.h: test-only glue for the transaction tests: a recording
 * transport and a minimal message reader standing in for the SIP decoder
 * (only what the transaction layer reads; the real codec replaces it). */
#ifndef SC_TSX_TESTUTIL_H
#define SC_TSX_TESTUTIL_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testutil.h"

#include "sip/tsx.h"

#define TT_SENT_MAX 64
#define TT_TEXT_MAX 2048

/* One message the layer sent, with the clock at the time. */
struct tt_sent {
	uint64_t at;
	void *dest;
	char text[TT_TEXT_MAX];
};

struct tt {
	struct tmrl *tl;
	struct sip_tsx_layer *layer;
	void *dest;
	struct tt_sent sent[TT_SENT_MAX];
	size_t nsent;
	int send_err; /* returned by the transport when set */
	struct sip_msg msg; /* scratch for tt_parse() */
};

static inline int tt_send_h(void *dest, const uint8_t *data, size_t len,
			    void *arg)
{
	struct tt *t = arg;
	struct tt_sent *s;

	if (t->send_err)
		return t->send_err;
	assert_true(t->nsent < TT_SENT_MAX);
	assert_true(len < TT_TEXT_MAX);
	s = &t->sent[t->nsent++];
	s->at = tmrl_now(t->tl);
	s->dest = dest;
	memcpy(s->text, data, len);
	s->text[len] = '\0';
	return 0;
}

static inline void tt_init(struct tt *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(tmrl_alloc(&t->tl, 0), 0);
	assert_int_equal(sip_tsx_layer_alloc(&t->layer, t->tl, tt_send_h, t),
			 0);
	t->dest = mem_zalloc(8, NULL); /* stands in for a transport flow */
	assert_non_null(t->dest);
}

static inline void tt_close(struct tt *t)
{
	sip_tsx_layer_close(t->layer);
	mem_deref(t->layer);
	mem_deref(t->dest);
	mem_deref(t->tl);
}

/* Drives the clock in steps of 1 ms up to ms (so every timer fires on
 * time), returns how many messages were sent meanwhile. */
static inline size_t tt_run(struct tt *t, uint64_t ms)
{
	size_t before = t->nsent;
	uint64_t now = tmrl_now(t->tl);

	while (now < ms) {
		uint64_t next = tmrl_next(t->tl);

		now = next == UINT64_MAX || now + next > ms ? ms : now + next;
		tmrl_poll(t->tl, now);
	}
	return t->nsent - before;
}

static inline enum sip_hdr_id tt_hdr_id(const struct pl *name)
{
	static const struct {
		const char *name;
		const char *compact;
		enum sip_hdr_id id;
	} tab[] = {
		{"Via", "v", SIP_HDR_VIA},
		{"From", "f", SIP_HDR_FROM},
		{"To", "t", SIP_HDR_TO},
		{"Call-ID", "i", SIP_HDR_CALL_ID},
		{"CSeq", NULL, SIP_HDR_CSEQ},
		{"Route", NULL, SIP_HDR_ROUTE},
		{"Max-Forwards", NULL, SIP_HDR_MAX_FORWARDS},
		{"Content-Length", "l", SIP_HDR_CONTENT_LENGTH},
	};
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(tab); i++) {
		if (!pl_strcasecmp(name, tab[i].name) ||
		    (tab[i].compact && !pl_strcasecmp(name, tab[i].compact)))
			return tab[i].id;
	}
	return SIP_HDR_OTHER;
}

/* ";name=value" out of params, or an empty view. */
static inline struct pl tt_param(const struct pl *params, const char *name)
{
	struct pl r = PL_INIT;
	size_t n = strlen(name), i;

	for (i = 0; i + n + 1 < params->l; i++) {
		if (params->p[i] == ';' &&
		    !strncasecmp(params->p + i + 1, name, n) &&
		    params->p[i + 1 + n] == '=') {
			r.p = params->p + i + n + 2;
			r.l = 0;
			while (r.p + r.l < params->p + params->l &&
			       r.p[r.l] != ';')
				r.l++;
			break;
		}
	}
	return r;
}

static inline void tt_via(struct sip_via *via, const struct pl *val)
{
	const char *sp = pl_chr(val, ' ');
	const char *end = val->p + val->l;
	const char *semi, *colon;

	memset(via, 0, sizeof(*via));
	via->val = *val;
	assert_non_null(sp);
	via->proto.p = sp - 3;
	via->proto.l = 3;
	via->host.p = sp + 1;
	semi = memchr(sp, ';', (size_t)(end - sp));
	if (!semi)
		semi = end;
	colon = memchr(sp, ':', (size_t)(semi - sp));
	via->host.l = (size_t)((colon ? colon : semi) - via->host.p);
	if (colon) {
		struct pl port = {colon + 1, (size_t)(semi - colon - 1)};
		uint32_t v;

		assert_int_equal(pl_u32(&port, &v), 0);
		via->port = (uint16_t)v;
	}
	via->params.p = semi;
	via->params.l = (size_t)(end - semi);
	via->branch = tt_param(&via->params, "branch");
}

/* Reads text (which must outlive msg) into msg; asserts it is sane. */
static inline void tt_parse_into(struct sip_msg *msg, const char *text)
{
	const char *p = text, *eol;
	bool first = true;

	memset(msg, 0, sizeof(*msg));
	while ((eol = strstr(p, "\r\n")) && eol != p) {
		struct pl line = {p, (size_t)(eol - p)};

		p = eol + 2;
		if (first) {
			const char *sp1 = pl_chr(&line, ' ');
			const char *sp2;

			first = false;
			assert_non_null(sp1);
			sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
			assert_non_null(sp2);
			if (!strncmp(line.p, "SIP/2.0 ", 8)) {
				struct pl code = {sp1 + 1, 3};
				uint32_t v;

				assert_int_equal(pl_u32(&code, &v), 0);
				msg->scode = (uint16_t)v;
				msg->reason.p = sp2 + 1;
				msg->reason.l = (size_t)(eol - sp2 - 1);
			} else {
				msg->req = true;
				msg->method.p = line.p;
				msg->method.l = (size_t)(sp1 - line.p);
				msg->ruri_raw.p = sp1 + 1;
				msg->ruri_raw.l = (size_t)(sp2 - sp1 - 1);
			}
			continue;
		}
		{
			const char *colon = pl_chr(&line, ':');
			struct sip_hdr *h = &msg->hdrv[msg->hdrc++];

			assert_non_null(colon);
			h->name.p = line.p;
			h->name.l = (size_t)(colon - line.p);
			h->val.p = colon + 1;
			h->val.l = (size_t)(eol - colon - 1);
			pl_trim(&h->val);
			h->id = tt_hdr_id(&h->name);
			switch (h->id) {
			case SIP_HDR_VIA:
				if (!msg->via.val.p)
					tt_via(&msg->via, &h->val);
				break;
			case SIP_HDR_TO:
				msg->to.params = h->val;
				msg->to.tag = tt_param(&h->val, "tag");
				break;
			case SIP_HDR_FROM:
				msg->from.params = h->val;
				msg->from.tag = tt_param(&h->val, "tag");
				break;
			case SIP_HDR_CALL_ID:
				msg->callid = h->val;
				break;
			case SIP_HDR_CSEQ: {
				const char *sp = pl_chr(&h->val, ' ');
				struct pl num = {h->val.p,
						 (size_t)(sp - h->val.p)};

				assert_non_null(sp);
				assert_int_equal(
					pl_u32(&num, &msg->cseq.num), 0);
				msg->cseq.method.p = sp + 1;
				msg->cseq.method.l =
					(size_t)(h->val.p + h->val.l - sp - 1);
				break;
			}
			default:
				break;
			}
		}
	}
	assert_non_null(eol);
}

static inline const struct sip_msg *tt_parse(struct tt *t, const char *text)
{
	tt_parse_into(&t->msg, text);
	return &t->msg;
}

/* The value of the first header name in text (a copy in buf). */
static inline const char *tt_hdr(const char *text, const char *name,
				 char *buf, size_t size)
{
	struct sip_msg *m = calloc(1, sizeof(*m));
	const char *r = NULL;
	size_t i;

	assert_non_null(m);
	tt_parse_into(m, text);
	for (i = 0; i < m->hdrc; i++) {
		if (!pl_strcasecmp(&m->hdrv[i].name, name)) {
			assert_int_equal(pl_strcpy(&m->hdrv[i].val, buf, size),
					 0);
			r = buf;
			break;
		}
	}
	free(m);
	return r;
}

#endif
