/* ice.h: ICE-lite responder (RFC 8445 sections 2.5 and 7.3, short-term
 * credentials of RFC 8489 section 9.1): answers the connectivity checks a
 * full agent (a browser) sends; never sends checks of its own. */
#ifndef SC_STUN_ICE_H
#define SC_STUN_ICE_H

#include "stun/stun.h"

#define ICE_UFRAG_LEN 8 /* RFC 8839 section 5.4: at least 4 ice-chars */
#define ICE_PWD_LEN 24  /* at least 22 */
/* Longest remote ufrag / password accepted (RFC 8839 section 5.4). */
#define ICE_UFRAG_MAX 256
#define ICE_PWD_MAX 256
/* Room that is always enough for a response from ice_lite_handle(). */
#define ICE_RESP_MAX 192

/*
 * ice_lite: the local credentials of one media stream, with an HMAC
 * context keyed once with our password (re-keyed on restart), and the
 * remote credentials once known. Belongs to one thread. mem_deref() wipes
 * the passwords and frees it.
 */
struct ice_lite;

/* Random local ufrag and password from the OS RNG ([A-Za-z0-9], a subset
 * of ice-char). Returns 0, EINVAL or ENOMEM. */
int ice_lite_alloc(struct ice_lite **ip);
/* Our credentials for a=ice-ufrag / a=ice-pwd (owned by ice). */
const char *ice_lite_ufrag(const struct ice_lite *ice);
const char *ice_lite_pwd(const struct ice_lite *ice);
/* New local credentials (ICE restart, RFC 8445 section 9): checks with
 * the old ones fail from now on. The remote credentials are forgotten.
 * Returns 0, EINVAL or ENOMEM (the old credentials then stay). */
int ice_lite_restart(struct ice_lite *ice);
/* The peer's a=ice-ufrag / a=ice-pwd (copied). A lite agent needs them
 * only to know them: checks are authenticated with our password alone.
 * Returns 0, EINVAL or EBADMSG (empty, too long or not ice-chars). */
int ice_lite_set_remote(struct ice_lite *ice, const struct pl *ufrag,
			const struct pl *pwd);
/* The peer's ufrag ("" until set). */
const char *ice_lite_remote_ufrag(const struct ice_lite *ice);

/* What one incoming check said. */
struct ice_check {
	bool valid;       /* authenticated and answered with success */
	bool nominated;   /* USE-CANDIDATE (RFC 8445 section 7.3.1.5) */
	bool controlling; /* the peer sent ICE-CONTROLLING */
	uint64_t tiebreak;
	uint32_t priority; /* PRIORITY (0 when absent) */
	uint16_t code;     /* 0 for success, else the error code we sent */
};

/*
 * buf is a STUN message that arrived from src. Writes the response to send
 * back into resp (room: size; ICE_RESP_MAX is always enough) and fills
 * *chk:
 *  - Binding request, USERNAME "<our ufrag>:<anything>" and
 *    MESSAGE-INTEGRITY under our password: success with
 *    XOR-MAPPED-ADDRESS = src, MESSAGE-INTEGRITY, FINGERPRINT
 *    (RFC 8445 section 7.3.1.5); chk->valid.
 *  - no USERNAME or no MESSAGE-INTEGRITY: 400; unknown ufrag or integrity
 *    mismatch: 401, both without MESSAGE-INTEGRITY (RFC 8489 section
 *    9.1.3).
 *  - authenticated, with ICE-CONTROLLED: 487 Role Conflict (a lite agent
 *    is always controlled, RFC 8445 sections 6.1.1 and 7.3.1.1).
 *  - authenticated, unknown comprehension-required attributes: 420 with
 *    UNKNOWN-ATTRIBUTES (RFC 8489 section 6.3.1.1).
 *  - a request of another method: 400.
 *  - indications and responses: nothing to send (*resp_lenp = 0).
 * Returns 0 (send *resp_lenp bytes of resp, maybe 0), EBADMSG (not a
 * usable STUN message: undecodable, or FINGERPRINT absent or wrong, RFC
 * 8445 section 7.2.2; send nothing), EINVAL or EOVERFLOW (size too small).
 */
int ice_lite_handle(struct ice_lite *ice, const uint8_t *buf, size_t len,
		    const struct stun_addr *src, uint8_t *resp, size_t size,
		    size_t *resp_lenp, struct ice_check *chk);

#endif
