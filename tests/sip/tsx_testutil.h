/* tsx_testutil.h: test-only glue for the transaction tests: a recording
 * transport, a driven clock and message text decoded by the SIP codec. */
#ifndef SC_TSX_TESTUTIL_H
#define SC_TSX_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
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
	int send_err;       /* returned by the transport when set */
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

/* Decodes text (which must outlive msg) into msg with the real codec. */
static inline void tt_parse_into(struct sip_msg *msg, const char *text)
{
	int err = sip_msg_decode(msg, text, strlen(text));

	if (err)
		fprintf(stderr, "decode: %s\n", msg->err ? msg->err : "?");
	assert_int_equal(err, 0);
}

static inline const struct sip_msg *tt_parse(struct tt *t, const char *text)
{
	tt_parse_into(&t->msg, text);
	return &t->msg;
}

/* The value of the first header name in text (a copy in buf), or NULL. */
static inline const char *tt_hdr(const char *text, const char *name, char *buf,
				 size_t size)
{
	struct sip_msg *m = calloc(1, sizeof(*m));
	const struct sip_hdr *h;
	const char *r = NULL;

	assert_non_null(m);
	tt_parse_into(m, text);
	h = sip_msg_hdr_named(m, name);
	if (h) {
		assert_int_equal(pl_strcpy(&h->val, buf, size), 0);
		r = buf;
	}
	free(m);
	return r;
}

#endif
