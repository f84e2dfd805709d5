/* auth.c: the store as the HA1 source of SIP digest authentication
 * (RFC 3261 §22.4): the sip_digest_ha1_h callback over store_device_ha1. */
#include <errno.h>
#include <string.h>

#include "sip/digest.h"
#include "store/db_priv.h"

int store_digest_ha1h(const struct sip_digest *cred, enum sip_digest_alg alg,
		      char ha1[SIP_DIGEST_HEX_MAX], void *arg)
{
	char user[STORE_SIP_USERNAME_LEN + 1], realm[STORE_REALM_MAX + 1];
	struct store *s = arg;
	size_t n = 0;
	int err;

	if (!cred || !ha1 || !s)
		return EINVAL;
	/* Our user names are never hashed (RFC 7616 §3.4.4 userhash would
	 * need a stored H(user:realm)); names and realms longer than ours
	 * cannot match. All of these are an unknown user. */
	if (cred->is_userhash ||
	    sip_digest_unquote(user, sizeof(user), &n, &cred->username) ||
	    sip_digest_unquote(realm, sizeof(realm), &n, &cred->realm))
		return ENOENT;
	err = store_device_ha1(s, user, realm, (int)sip_digest_alg_base(alg),
			       ha1, SIP_DIGEST_HEX_MAX, NULL);
	/* A revoked device or a value that does not unseal (logged) fails
	 * like a wrong password: 403, no hint to the client. */
	if (err == EACCES || err == EBADMSG)
		err = ENOENT;
	return err;
}
