/* sdp_int.h: helpers shared by the SDP module's files (not public). */
#ifndef SC_SDP_INT_H
#define SC_SDP_INT_H

#include "sdp/sdp.h"

/* Splits the next space-separated token off *rest (leading spaces and
 * tabs skipped). 0, or ENOENT when *rest holds no more tokens. */
int sdp_tok(struct pl *tok, struct pl *rest);

/* Decimal port 0..65535: 0 or EBADMSG. */
int sdp_port_decode(uint16_t *port, const struct pl *pl);

/* An IP4/IP6 literal view into *sa with port: 0 or EBADMSG. */
int sdp_sa_decode(struct sa *sa, const struct pl *addr, uint16_t port);

/* True for the RFC 8843 token characters kept by mirrored values. */
bool sdp_is_token(const struct pl *pl, size_t max);

/* Base64 (RFC 4648 section 4) of n bytes into out (NUL-terminated):
 * 0 or EOVERFLOW. */
int sdp_b64_encode(char *out, size_t size, const uint8_t *in, size_t n);
/* Decodes base64 with optional padding: 0, EBADMSG or EOVERFLOW. */
int sdp_b64_decode(uint8_t *out, size_t size, size_t *outlen,
		   const struct pl *in);

#endif
