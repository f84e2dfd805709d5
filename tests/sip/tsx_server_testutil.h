/* tsx_server_testutil.h: requests and helpers shared by the server
 * transaction tests (RFC 3261 §17.2). */
#ifndef SC_TSX_SERVER_TESTUTIL_H
#define SC_TSX_SERVER_TESTUTIL_H

#include "tsx_testutil.h"

#define INVITE_BR(branch, sentby)                                              \
	"INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"                                 \
	"Via: SIP/2.0/UDP " sentby ";branch=" branch ";rport\r\n"              \
	"Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-far\r\n"               \
	"Max-Forwards: 70\r\n"                                                 \
	"From: <sip:alice@127.0.0.1>;tag=a1\r\n"                               \
	"To: <sip:bob@127.0.0.1>\r\n"                                          \
	"Call-ID: call1@127.0.0.1\r\n"                                         \
	"CSeq: 1 INVITE\r\n"                                                   \
	"Timestamp: 54\r\n"                                                    \
	"Content-Length: 0\r\n\r\n"

#define INVITE INVITE_BR("z9hG4bK-inv1", "127.0.0.1:5070")

#define REQ(method, branch, sentby, to)                                        \
	method " sip:bob@127.0.0.1 SIP/2.0\r\n"                                \
	       "Via: SIP/2.0/UDP " sentby ";branch=" branch "\r\n"             \
	       "Max-Forwards: 70\r\n"                                          \
	       "From: <sip:alice@127.0.0.1>;tag=a1\r\n"                        \
	       "To: " to "\r\n"                                                \
	       "Call-ID: call1@127.0.0.1\r\n"                                  \
	       "CSeq: 1 " method "\r\n"                                        \
	       "Content-Length: 0\r\n\r\n"

#define OPTIONS REQ("OPTIONS", "z9hG4bK-opt1", "127.0.0.1:5070", "<sip:b@h>")
#define ACK_NON2XX                                                             \
	REQ("ACK", "z9hG4bK-inv1", "127.0.0.1:5070",                           \
	    "<sip:bob@127.0.0.1>;tag=b1")
#define CANCEL REQ("CANCEL", "z9hG4bK-inv1", "127.0.0.1:5070", "<sip:b@h>")

/* The responses' bytes do not matter to the layer: it sends what it gets. */
static const char R180[] = "SIP/2.0 180 Ringing\r\n\r\n";
static const char R200[] = "SIP/2.0 200 OK\r\n\r\n";
static const char R486[] = "SIP/2.0 486 Busy Here\r\n\r\n";

static inline int stx_reply(struct sip_stx *stx, uint16_t scode,
			    const char *text)
{
	return sip_stx_reply(stx, scode, (const uint8_t *)text, strlen(text));
}

/* Feeds text as a request over t->dest; returns what the layer did. */
static inline enum sip_tsx_recv feed(struct tt *t, const char *text,
				     bool reliable, struct sip_tsx_in *in)
{
	assert_int_equal(sip_tsx_recv_request(t->layer, tt_parse(t, text),
					      t->dest, reliable, in),
			 0);
	return in->what;
}

/* A new server transaction for text; the reference is the caller's. */
static inline struct sip_stx *new_stx(struct tt *t, const char *text,
				      bool reliable)
{
	struct sip_tsx_in in;

	assert_int_equal(feed(t, text, reliable, &in), SIP_TSX_NEW);
	assert_non_null(in.stx);
	assert_null(in.invite);
	return in.stx;
}

#endif
