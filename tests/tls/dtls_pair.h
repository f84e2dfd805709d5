/* dtls_pair.h: two DTLS connections wired together in memory for the
 * tests: each side queues what it sends; pump() delivers both ways. */
#ifndef SC_TEST_DTLS_PAIR_H
#define SC_TEST_DTLS_PAIR_H

#include <errno.h>
#include <string.h>

#include "testutil.h"

#include "tls/dtls.h"

#define QMAX 32

/* One side: its connection and the datagrams it sent, not yet delivered. */
struct side {
	struct dtls_conn *dc;
	uint8_t q[QMAX][DTLS_MTU];
	size_t qlen[QMAX];
	size_t qn;
	size_t sent;             /* datagrams sent, dropped ones included */
	size_t maxlen;           /* largest datagram */
	int drop;                /* drop this many of the next datagrams */
	uint8_t first[DTLS_MTU]; /* the first datagram ever sent */
	size_t first_len;
	int estabs;
	struct dtls_srtp_keys keys;
	int closes;
	int close_err;
	char reason[256];
};

static inline int on_send(const uint8_t *buf, size_t len, void *arg)
{
	struct side *s = arg;

	assert_true(len <= DTLS_MTU);
	if (!s->sent) {
		memcpy(s->first, buf, len);
		s->first_len = len;
	}
	s->sent++;
	s->maxlen = SC_MAX(s->maxlen, len);
	if (s->drop > 0) {
		s->drop--;
		return 0;
	}
	assert_true(s->qn < QMAX);
	memcpy(s->q[s->qn], buf, len);
	s->qlen[s->qn++] = len;
	return 0;
}

static inline void on_estab(const struct dtls_srtp_keys *keys, void *arg)
{
	struct side *s = arg;

	s->estabs++;
	s->keys = *keys;
}

static inline void on_close(int err, const char *reason, void *arg)
{
	struct side *s = arg;

	s->closes++;
	s->close_err = err;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
}

/* Delivers what from sent to to; returns how many datagrams moved. */
static inline size_t deliver(struct side *from, struct side *to, uint64_t now)
{
	size_t i, n = from->qn;

	from->qn = 0;
	for (i = 0; i < n; i++) {
		int err =
		    dtls_conn_recv(to->dc, from->q[i], from->qlen[i], now);

		assert_true(err == 0 || err == EPROTO || err == ENOTCONN);
	}
	return n;
}

static inline void pump(struct side *a, struct side *b, uint64_t now)
{
	int rounds = 0;

	while (deliver(a, b, now) + deliver(b, a, now)) {
		assert_true(++rounds < 20);
	}
}

static inline void side_alloc(struct side *s, struct dtls_ctx *ctx, bool client,
			      const char *rfp)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(dtls_conn_alloc(&s->dc, ctx, client, rfp, on_send,
					 on_estab, on_close, s),
			 0);
}

/* Client a (ctx ca) and server b (ctx cb), fingerprints crosswise. */
static inline void pair(struct side *a, struct side *b, struct dtls_ctx *ca,
			struct dtls_ctx *cb)
{
	side_alloc(a, ca, true, dtls_ctx_fingerprint(cb));
	side_alloc(b, cb, false, dtls_ctx_fingerprint(ca));
}

static inline void assert_keys_crosswise(const struct side *a,
					 const struct side *b)
{
	const struct dtls_srtp_keys *ka = &a->keys, *kb = &b->keys;

	assert_int_equal(a->estabs, 1);
	assert_int_equal(b->estabs, 1);
	assert_int_equal(ka->profile, kb->profile);
	assert_int_equal(ka->key_len, kb->key_len);
	assert_int_equal(ka->salt_len, kb->salt_len);
	assert_memory_equal(ka->local_key, kb->remote_key, ka->key_len);
	assert_memory_equal(ka->remote_key, kb->local_key, ka->key_len);
	assert_memory_equal(ka->local_salt, kb->remote_salt, ka->salt_len);
	assert_memory_equal(ka->remote_salt, kb->local_salt, ka->salt_len);
	/* The two directions never share a key. */
	assert_memory_not_equal(ka->local_key, ka->remote_key, ka->key_len);
}

#endif
