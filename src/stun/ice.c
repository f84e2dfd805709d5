/* ice.c: ICE-lite responder, answering connectivity checks (RFC 8445
 * sections 2.5, 7.3; RFC 8489 sections 6.3 and 9.1). */
#include <errno.h>
#include <string.h>

#include "stun/ice.h"

struct ice_lite {
	char ufrag[ICE_UFRAG_LEN + 1];
	char pwd[ICE_PWD_LEN + 1];
	struct stun_hmac *key; /* keyed with pwd (RFC 8445 section 7.2.2) */
	char rufrag[ICE_UFRAG_MAX + 1];
	char rpwd[ICE_PWD_MAX + 1];
};

static void ice_destroy(void *data)
{
	struct ice_lite *ice = data;

	mem_deref(ice->key);
	mem_secure_zero(ice->pwd, sizeof(ice->pwd));
	mem_secure_zero(ice->rpwd, sizeof(ice->rpwd));
}

/* New local credentials into ice; the old ones stay on failure. */
static int new_creds(struct ice_lite *ice)
{
	char ufrag[ICE_UFRAG_LEN + 1], pwd[ICE_PWD_LEN + 1];
	struct stun_hmac *key = NULL;
	int err;

	do {
		rand_token(ufrag, sizeof(ufrag));
	} while (!strcmp(ufrag, ice->ufrag)); /* a restart must change it */
	rand_token(pwd, sizeof(pwd));
	err = stun_hmac_alloc(&key, (const uint8_t *)pwd, ICE_PWD_LEN);
	if (err)
		goto out;
	mem_deref(ice->key);
	ice->key = key;
	memcpy(ice->ufrag, ufrag, sizeof(ufrag));
	memcpy(ice->pwd, pwd, sizeof(pwd));
out:
	mem_secure_zero(pwd, sizeof(pwd));
	return err;
}

int ice_lite_alloc(struct ice_lite **ip)
{
	struct ice_lite *ice;
	int err;

	if (!ip)
		return EINVAL;
	ice = mem_zalloc(sizeof(*ice), ice_destroy);
	if (!ice)
		return ENOMEM;
	err = new_creds(ice);
	if (err)
		ice = mem_deref(ice);
	*ip = ice;
	return err;
}

const char *ice_lite_ufrag(const struct ice_lite *ice)
{
	return ice ? ice->ufrag : "";
}

const char *ice_lite_pwd(const struct ice_lite *ice)
{
	return ice ? ice->pwd : "";
}

const char *ice_lite_remote_ufrag(const struct ice_lite *ice)
{
	return ice ? ice->rufrag : "";
}

int ice_lite_restart(struct ice_lite *ice)
{
	int err;

	if (!ice)
		return EINVAL;
	err = new_creds(ice);
	if (!err) {
		ice->rufrag[0] = '\0';
		mem_secure_zero(ice->rpwd, sizeof(ice->rpwd));
	}
	return err;
}

/* RFC 8839 section 5.4: ice-char = ALPHA / DIGIT / "+" / "/". */
static bool ice_chars(const struct pl *pl, size_t min, size_t max)
{
	size_t i;

	if (!pl || !pl->p || pl->l < min || pl->l > max)
		return false;
	for (i = 0; i < pl->l; i++) {
		char c = pl->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

int ice_lite_set_remote(struct ice_lite *ice, const struct pl *ufrag,
			const struct pl *pwd)
{
	if (!ice || !ufrag || !pwd)
		return EINVAL;
	/* RFC 8839 section 5.4: ufrag 4..256, password 22..256 chars. */
	if (!ice_chars(ufrag, 4, ICE_UFRAG_MAX) ||
	    !ice_chars(pwd, 22, ICE_PWD_MAX))
		return EBADMSG;
	memcpy(ice->rufrag, ufrag->p, ufrag->l);
	ice->rufrag[ufrag->l] = '\0';
	mem_secure_zero(ice->rpwd, sizeof(ice->rpwd));
	memcpy(ice->rpwd, pwd->p, pwd->l);
	return 0;
}

/* USERNAME is "<our ufrag>:<their ufrag>" (RFC 8445 section 7.2.2). */
static bool username_ours(const struct ice_lite *ice, const struct pl *user)
{
	const char *colon = pl_chr(user, ':');

	return colon && (size_t)(colon - user->p) == ICE_UFRAG_LEN &&
	       !memcmp(user->p, ice->ufrag, ICE_UFRAG_LEN);
}

/*
 * Authentication of a request with short-term credentials (RFC 8489
 * section 9.1.3): 0 when it passed, else the error code to answer with.
 * The SHA-256 integrity variant is not used by ICE (RFC 8445 section
 * 7.2.2 names MESSAGE-INTEGRITY), so it alone does not count.
 */
static uint16_t authenticate(struct ice_lite *ice, const struct stun_msg *msg,
			     const uint8_t *buf, size_t len)
{
	if (!(msg->has & STUN_HAS_USERNAME) || !(msg->has & STUN_HAS_INTEGRITY))
		return STUN_ERR_BAD_REQUEST;
	if (!username_ours(ice, &msg->username))
		return STUN_ERR_UNAUTHORIZED;
	if (stun_msg_check_integrity(msg, buf, len, ice->key))
		return STUN_ERR_UNAUTHORIZED;
	return 0;
}

static int respond_error(struct ice_lite *ice, const struct stun_msg *msg,
			 uint16_t code, bool authed, uint8_t *resp, size_t size,
			 size_t *resp_lenp)
{
	struct stun_enc enc;

	if (msg->method != STUN_METHOD_BINDING) {
		/* The response carries the request's method (section 5). */
		stun_enc_init(&enc, resp, size,
			      stun_type(msg->method, STUN_CLASS_ERROR),
			      msg->tid);
		stun_enc_error(&enc, code, NULL);
		stun_enc_fingerprint(&enc);
		return stun_enc_finish(&enc, resp_lenp);
	}
	/* 400 and 401 go without MESSAGE-INTEGRITY: the request could not
	 * be authenticated (RFC 8489 section 9.1.3). */
	return stun_binding_error_encode(resp, size, resp_lenp, msg->tid, code,
					 msg->unknownv, msg->unknownc,
					 authed ? ice->key : NULL, NULL);
}

int ice_lite_handle(struct ice_lite *ice, const uint8_t *buf, size_t len,
		    const struct stun_addr *src, uint8_t *resp, size_t size,
		    size_t *resp_lenp, struct ice_check *chk)
{
	struct stun_msg msg;
	uint16_t code;
	int err;

	if (!ice || !buf || !src || !resp || !resp_lenp || !chk)
		return EINVAL;
	memset(chk, 0, sizeof(*chk));
	*resp_lenp = 0;
	if (stun_msg_decode(&msg, buf, len))
		return EBADMSG;
	/* RFC 8445 section 7.2.2: checks carry FINGERPRINT; without a
	 * matching one this is not a check (and maybe not STUN at all). */
	if (stun_msg_check_fingerprint(&msg, buf, len))
		return EBADMSG;
	if (msg.cls != STUN_CLASS_REQUEST)
		return 0; /* indications, or responses we never asked for */
	if (msg.method != STUN_METHOD_BINDING) {
		code = STUN_ERR_BAD_REQUEST;
		goto error;
	}
	chk->priority = msg.priority;
	chk->nominated = msg.has & STUN_HAS_USE_CANDIDATE;
	chk->controlling = msg.has & STUN_HAS_ICE_CONTROLLING;
	if (chk->controlling)
		chk->tiebreak = msg.ice_controlling;
	else if (msg.has & STUN_HAS_ICE_CONTROLLED)
		chk->tiebreak = msg.ice_controlled;

	code = authenticate(ice, &msg, buf, len);
	if (code)
		goto error;
	/* RFC 8489 section 6.3.1.1, after authentication. */
	if (msg.unknownc) {
		code = STUN_ERR_UNKNOWN_ATTRIBUTE;
		goto error;
	}
	/* RFC 8445 section 7.3.1.1: both sides claim controlled. A lite
	 * agent never takes the controlling role, so it keeps its role
	 * and answers 487 whatever the tie-breaker. */
	if (msg.has & STUN_HAS_ICE_CONTROLLED) {
		code = STUN_ERR_ROLE_CONFLICT;
		goto error;
	}
	err = stun_binding_success_encode(resp, size, resp_lenp, msg.tid, src,
					  ice->key, NULL);
	if (!err)
		chk->valid = true;
	return err;
error:
	chk->code = code;
	err = respond_error(ice, &msg, code,
			    code != STUN_ERR_BAD_REQUEST &&
				code != STUN_ERR_UNAUTHORIZED,
			    resp, size, resp_lenp);
	if (err)
		*resp_lenp = 0;
	return err;
}
