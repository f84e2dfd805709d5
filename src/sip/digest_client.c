/* digest_client.c: answering a 401/407 challenge as a client (RFC 3261
 * §22.2-§22.3, RFC 7616 §3.4, RFC 8760 §2.4): the best challenge of the
 * response is chosen and an Authorization / Proxy-Authorization line
 * written. */
#include <errno.h>

#include "sip/digest.h"
#include "sip/msg.h"

#define DIGEST_CNONCE_LEN 24 /* [a-zA-Z0-9]: about 142 bits */

/* RFC 8760 §2.4: the client uses the strongest algorithm it supports
 * among those offered: SHA-256 before MD5; -sess variants after the plain
 * ones (fewer servers implement them correctly). */
static int alg_rank(enum sip_digest_alg alg)
{
	switch (alg) {
	case SIP_DIGEST_SHA256:
		return 4;
	case SIP_DIGEST_SHA256_SESS:
		return 3;
	case SIP_DIGEST_MD5:
		return 2;
	case SIP_DIGEST_MD5_SESS:
		return 1;
	default:
		return 0;
	}
}

/* Whether we can answer chal at all: a known algorithm and, when qop is
 * offered, auth among it (auth-int is not supported). */
static bool usable(const struct sip_digest *chal)
{
	return alg_rank(chal->alg) && (!chal->qop.p || chal->qop_auth);
}

int sip_digest_respond_cnonce(struct mbuf *hdr, const struct sip_msg *resp,
			      const struct pl *method, const struct pl *uri,
			      const struct pl *user, const struct pl *password,
			      uint32_t *ncp, const struct pl *cnonce)
{
	const struct sip_hdr *h = NULL;
	struct sip_digest best, d;
	struct sip_digest_client cl;
	char cn[DIGEST_CNONCE_LEN + 1];
	enum sip_hdr_id id;
	const char *name;
	size_t pos, end;
	int rank = 0, err;

	if (!hdr || !resp || resp->req || !method || !uri || !user ||
	    !password || !ncp)
		return EINVAL;
	if (resp->scode == 407) {
		id = SIP_HDR_PROXY_AUTHENTICATE;
		name = "Proxy-Authorization";
	} else if (resp->scode == 401) {
		id = SIP_HDR_WWW_AUTHENTICATE;
		name = "Authorization";
	} else {
		return EINVAL;
	}
	while ((h = sip_msg_hdr_next(resp, h, id)) != NULL) {
		if (sip_digest_decode(&d, SIP_DIGEST_CHALLENGE, &h->val) ||
		    !usable(&d) || alg_rank(d.alg) <= rank)
			continue;
		best = d;
		rank = alg_rank(d.alg);
	}
	if (!rank)
		return EBADMSG;
	if (cnonce) {
		cl.cnonce = *cnonce;
	} else {
		rand_token(cn, sizeof(cn));
		pl_set_str(&cl.cnonce, cn);
	}
	cl.username = *user;
	cl.password = *password;
	cl.method = *method;
	cl.uri = *uri;
	cl.nc = *ncp + 1;
	pos = hdr->pos;
	end = hdr->end;
	err = mbuf_printf(hdr, "%s: ", name);
	err = err ? err : sip_digest_client_auth(hdr, &best, &cl);
	err = err ? err : mbuf_write_str(hdr, "\r\n");
	if (err) {
		hdr->pos = pos;
		hdr->end = end;
	} else {
		*ncp = cl.nc;
	}
	return err;
}

int sip_digest_respond(struct mbuf *hdr, const struct sip_msg *resp,
		       const struct pl *method, const struct pl *uri,
		       const struct pl *user, const struct pl *password,
		       uint32_t *ncp)
{
	return sip_digest_respond_cnonce(hdr, resp, method, uri, user, password,
					 ncp, NULL);
}
