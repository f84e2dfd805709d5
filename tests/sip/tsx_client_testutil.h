/* tsx_client_testutil.h: requests, responses and a recording response
 * handler shared by the client transaction tests (RFC 3261 §17.1). */
#ifndef SC_TSX_CLIENT_TESTUTIL_H
#define SC_TSX_CLIENT_TESTUTIL_H

#include "tsx_testutil.h"

static const char INVITE[] =
    "INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-c1;rport\r\n"
    "Max-Forwards: 70\r\n"
    "Route: <sip:p1.example;lr>\r\n"
    "Route: <sip:p2.example;lr>\r\n"
    "From: \"Alice\" <sip:alice@127.0.0.1>;tag=a1\r\n"
    "To: <sip:bob@127.0.0.1>\r\n"
    "Call-ID: c1@127.0.0.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact: <sip:alice@127.0.0.1:5080>\r\n"
    "Content-Length: 0\r\n\r\n";

static const char OPTIONS[] =
    "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-o1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
    "To: <sip:bob@127.0.0.1>\r\n"
    "Call-ID: o1@127.0.0.1\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n";

#define RESP(code, branch, method)                                             \
	"SIP/2.0 " code "\r\n"                                                 \
	"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=" branch ";rport=5080\r\n"     \
	"From: \"Alice\" <sip:alice@127.0.0.1>;tag=a1\r\n"                     \
	"To: <sip:bob@127.0.0.1>;tag=b9\r\n"                                   \
	"Call-ID: c1@127.0.0.1\r\n"                                            \
	"CSeq: 7 " method "\r\n"                                               \
	"Content-Length: 0\r\n\r\n"

/* What resph saw. */
struct seen {
	int n;
	int err;
	uint16_t scode;
	bool had_msg;
	struct sip_ctx *drop; /* mem_deref'd from inside the handler */
	struct tt *close;     /* layer closed from inside the handler */
};

static inline void resp_h(int err, uint16_t scode, const struct sip_msg *msg,
			  void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->err = err;
	s->scode = scode;
	s->had_msg = msg != NULL;
	if (msg)
		assert_int_equal(msg->scode, scode);
	if (s->drop)
		s->drop = mem_deref(s->drop);
	if (s->close)
		sip_tsx_layer_close(s->close->layer);
}

static inline struct sip_ctx *send_req(struct tt *t, const char *text,
				       bool reliable, struct seen *s)
{
	struct sip_ctx *ctx = NULL;

	memset(s, 0, sizeof(*s));
	assert_int_equal(sip_ctx_send(&ctx, t->layer, tt_parse(t, text),
				      (const uint8_t *)text, strlen(text),
				      t->dest, reliable, resp_h, s),
			 0);
	assert_non_null(ctx);
	return ctx;
}

static inline int recv_resp(struct tt *t, const char *text)
{
	return sip_tsx_recv_response(t->layer, tt_parse(t, text));
}

#endif
