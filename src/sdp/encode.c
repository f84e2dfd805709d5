/* encode.c: writes a whole SDP (RFC 8866) from a struct sdp_origin and a
 * struct sdp_audio only; an answer mirrors the offer's other m= sections
 * as rejected (RFC 3264 section 6) from their type and proto alone. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sdp/sdp_int.h"

#define KEY_B64_MAX 64      /* base64 of SDP_CRYPTO_KEY_MAX, with NUL */
#define REJECT_TOKEN_MAX 32 /* longest type/proto/fmt mirrored */

static const char *addrtype(const struct sa *sa)
{
	return sa_family(sa) == AF_INET6 ? "IP6" : "IP4";
}

static int write_codecs(struct mbuf *mb, const struct sdp_audio *a)
{
	int err = 0;
	size_t i;

	for (i = 0; i < a->codecc && !err; i++) {
		const struct sdp_codec *c = &a->codecv[i];

		err = mbuf_printf(mb, "a=rtpmap:%u %.*s/%" PRIu32, c->pt,
				  (int)strnlen(c->name, sizeof(c->name)),
				  c->name, c->rate);
		if (!err && c->channels > 1)
			err = mbuf_printf(mb, "/%u", c->channels);
		if (!err)
			err = mbuf_write_str(mb, "\r\n");
		if (!err && c->fmtp[0])
			err = mbuf_printf(
			    mb, "a=fmtp:%u %.*s\r\n", c->pt,
			    (int)strnlen(c->fmtp, sizeof(c->fmtp)), c->fmtp);
	}
	return err;
}

static int write_cands(struct mbuf *mb, const struct sdp_audio *a)
{
	char host[SA_ADDR_MAX];
	int err = 0;
	size_t i;

	/* RFC 8839 section 5.1; host candidates of the relay's sockets. */
	for (i = 0; i < a->candc && i < SDP_MAX_CANDS && !err; i++) {
		const struct sdp_cand *c = &a->candv[i];
		const char *type = c->type[0] ? c->type : "host";

		if (sa_ntop(&c->addr, host, sizeof(host)))
			return EINVAL;
		err = mbuf_printf(
		    mb, "a=candidate:%.*s %u udp %" PRIu32 " %s %u typ %.*s",
		    (int)strnlen(c->foundation, sizeof(c->foundation)),
		    c->foundation, c->component, c->priority, host,
		    sa_port(&c->addr), (int)strnlen(type, sizeof(c->type)),
		    type);
		if (!err && strcmp(type, "host"))
			err = mbuf_write_str(mb, " raddr 0.0.0.0 rport 0");
		if (!err)
			err = mbuf_write_str(mb, "\r\n");
	}
	if (!err)
		err = mbuf_write_str(mb, "a=end-of-candidates\r\n");
	return err;
}

static int write_crypto(struct mbuf *mb, const struct sdp_audio *a)
{
	char key[KEY_B64_MAX];
	int err = 0;
	size_t i;

	/* RFC 4568 section 9.1 */
	for (i = 0; i < a->cryptoc && i < SDP_MAX_CRYPTO && !err; i++) {
		const struct sdp_crypto *c = &a->cryptov[i];

		if (c->key_salt_len > sizeof(c->key_salt) ||
		    sdp_b64_encode(key, sizeof(key), c->key_salt,
				   c->key_salt_len)) {
			err = EINVAL;
			break;
		}
		err = mbuf_printf(mb, "a=crypto:%u %.*s inline:%s", c->tag,
				  (int)strnlen(c->suite, sizeof(c->suite)),
				  c->suite, key);
		if (!err && c->lifetime)
			err = mbuf_printf(mb, "|%" PRIu64, c->lifetime);
		if (!err && c->mki_len)
			err = mbuf_printf(mb, "|%" PRIu32 ":%u", c->mki,
					  c->mki_len);
		if (!err)
			err = mbuf_write_str(mb, "\r\n");
	}
	mem_secure_zero(key, sizeof(key));
	return err;
}

/* ICE-lite and DTLS-SRTP attributes of the audio section: RFC 8839
 * section 5.4, RFC 8842 section 5, RFC 8843 section 7, RFC 5761. */
static int write_webrtc(struct mbuf *mb, const struct sdp_audio *a)
{
	int err = 0;

	if (a->ice_ufrag[0])
		err = mbuf_printf(mb,
				  "a=ice-ufrag:%.256s\r\na=ice-pwd:%.256s\r\n",
				  a->ice_ufrag, a->ice_pwd);
	if (!err && a->fp[0])
		err = mbuf_printf(mb, "a=fingerprint:%.159s\r\n", a->fp);
	if (!err && a->setup != SDP_SETUP_NONE)
		err =
		    mbuf_printf(mb, "a=setup:%s\r\n", sdp_setup_name(a->setup));
	if (!err)
		err = write_cands(mb, a);
	return err;
}

static int write_audio(struct mbuf *mb, const struct sdp_audio *a)
{
	bool dtls = sdp_proto_is_dtls(a->proto);
	int err;
	size_t i;

	err = mbuf_printf(mb, "m=audio %u %s",
			  a->port_zero ? 0 : sa_port(&a->addr),
			  sdp_proto_name(a->proto));
	for (i = 0; i < a->codecc && !err; i++)
		err = mbuf_printf(mb, " %u", a->codecv[i].pt);
	if (!err && !a->codecc) /* RFC 8866 5.14: at least one format */
		err = mbuf_write_str(mb, " 0");
	if (!err)
		err = mbuf_write_str(mb, "\r\n");
	if (!err && dtls && a->mid[0])
		err = mbuf_printf(mb, "a=mid:%.32s\r\n", a->mid);
	if (!err)
		err = write_codecs(mb, a);
	if (!err && a->ptime)
		err = mbuf_printf(mb, "a=ptime:%" PRIu32 "\r\n", a->ptime);
	if (!err)
		err = mbuf_printf(mb, "a=%s\r\n", sdp_dir_name(a->dir));
	if (!err && a->rtcp_mux && !a->rtcp_attr)
		err = mbuf_write_str(mb, "a=rtcp-mux\r\n");
	else if (!err && sa_isset(&a->rtcp) && !a->port_zero &&
		 (a->rtcp_attr || sa_port(&a->rtcp) != sa_port(&a->addr) + 1 ||
		  !sa_cmp_addr(&a->rtcp, &a->addr))) {
		char host[SA_ADDR_MAX];

		err = sa_ntop(&a->rtcp, host, sizeof(host));
		if (!err)
			err = mbuf_printf(mb, "a=rtcp:%u IN %s %s\r\n",
					  sa_port(&a->rtcp), addrtype(&a->rtcp),
					  host);
		/* RFC 5761 section 5.1.3: a=rtcp with the RTP port, then
		 * rtcp-mux, for peers that do not know rtcp-mux. */
		if (!err && a->rtcp_mux)
			err = mbuf_write_str(mb, "a=rtcp-mux\r\n");
	}
	if (!err && dtls)
		err = write_webrtc(mb, a);
	if (!err && sdp_proto_is_sdes(a->proto))
		err = write_crypto(mb, a);
	/* Our own SSRC and cname (RFC 5576), and an msid (RFC 8830) made
	 * of our cname so that every browser puts the track in a stream.
	 * No a=msid-semantic: Chromium accepts the answer and gives the
	 * track a stream without it (checked with headless Chromium 156). */
	if (!err && a->ssrc && a->cname[0])
		err = mbuf_printf(mb, "a=ssrc:%" PRIu32 " cname:%.63s\r\n",
				  a->ssrc, a->cname);
	if (!err && dtls && a->cname[0])
		err = mbuf_printf(mb, "a=msid:%.63s %.63s-audio\r\n", a->cname,
				  a->cname);
	return err;
}

/* proto = token *("/" token), RFC 8866 section 9 */
static bool is_proto(const struct pl *pl)
{
	struct pl part = *pl;
	const char *slash;

	if (pl->l > REJECT_TOKEN_MAX)
		return false;
	while ((slash = pl_chr(&part, '/'))) {
		struct pl head = {part.p, (size_t)(slash - part.p)};

		if (!sdp_is_token(&head, REJECT_TOKEN_MAX))
			return false;
		part.l -= head.l + 1;
		part.p = slash + 1;
	}
	return sdp_is_token(&part, REJECT_TOKEN_MAX);
}

/* The value if it is short and well formed (a token, or a proto), else
 * the fallback: nothing else of the offer's m= line is ever written. */
static const char *mirror(char *buf, size_t size, const struct pl *val,
			  bool proto, const char *fallback)
{
	bool ok = proto ? is_proto(val) : sdp_is_token(val, REJECT_TOKEN_MAX);

	if (!ok || pl_strcpy(val, buf, size))
		return fallback;
	return buf;
}

/* RFC 3264 section 6: a rejected stream keeps its place with port 0. */
static int write_rejected(struct mbuf *mb, const struct sdp_media *m)
{
	char type[REJECT_TOKEN_MAX + 1], proto[REJECT_TOKEN_MAX + 1];
	char fmt[REJECT_TOKEN_MAX + 1], mid[SDP_MID_MAX + 1];
	struct pl rest = m->fmts, first = PL_INIT, val;
	int err;

	(void)sdp_tok(&first, &rest);
	err = mbuf_printf(
	    mb, "m=%s 0 %s %s\r\n",
	    mirror(type, sizeof(type), &m->type, false, "application"),
	    mirror(proto, sizeof(proto), &m->proto, true, "RTP/AVP"),
	    mirror(fmt, sizeof(fmt), &first, false, "0"));
	/* RFC 8843 section 7.3.1: the answer mirrors each a=mid. */
	if (!err && !sdp_media_attr(&val, m, "mid") &&
	    sdp_is_token(&val, SDP_MID_MAX) &&
	    !pl_strcpy(&val, mid, sizeof(mid)))
		err = mbuf_printf(mb, "a=mid:%s\r\n", mid);
	return err;
}

static int write_session(struct mbuf *mb, const struct sdp_origin *o,
			 const struct sdp_audio *a)
{
	char ohost[SA_ADDR_MAX], chost[SA_ADDR_MAX];
	bool dtls = sdp_proto_is_dtls(a->proto);
	int err;

	if (sa_ntop(&o->addr, ohost, sizeof(ohost)) ||
	    sa_ntop(&a->addr, chost, sizeof(chost)))
		return EINVAL;
	err = mbuf_printf(mb,
			  "v=0\r\n"
			  "o=%.31s %" PRIu64 " %" PRIu64 " IN %s %s\r\n"
			  "s=-\r\n"
			  "c=IN %s %s\r\n"
			  "t=0 0\r\n",
			  o->user[0] ? o->user : "-", o->sess_id, o->sess_ver,
			  addrtype(&o->addr), ohost, addrtype(&a->addr), chost);
	if (!err && dtls && a->ice_lite)
		err = mbuf_write_str(mb, "a=ice-lite\r\n");
	if (!err && dtls && a->mid[0])
		err = mbuf_printf(mb, "a=group:BUNDLE %.32s\r\n", a->mid);
	return err;
}

/* A NUL-terminated string of printable ASCII (spaces only when allowed),
 * so that no value can end its line or add one (RFC 8866 section 9). */
static bool clean(const char *s, size_t size, bool spaces)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (!s[i])
			return true;
		if (s[i] < ' ' || s[i] > '~' || (s[i] == ' ' && !spaces))
			return false;
	}
	return false;
}

#define CLEAN(field, spaces) clean((field), sizeof(field), (spaces))

static bool audio_clean(const struct sdp_origin *o, const struct sdp_audio *a)
{
	size_t i;

	if (a->codecc > SDP_MAX_CODECS || a->candc > SDP_MAX_CANDS ||
	    a->cryptoc > SDP_MAX_CRYPTO || !CLEAN(o->user, false) ||
	    !CLEAN(a->ice_ufrag, false) || !CLEAN(a->ice_pwd, false) ||
	    !CLEAN(a->fp, true) || !CLEAN(a->mid, false) ||
	    !CLEAN(a->cname, false))
		return false;
	for (i = 0; i < a->codecc; i++)
		if (!a->codecv[i].name[0] || !CLEAN(a->codecv[i].name, false) ||
		    !CLEAN(a->codecv[i].fmtp, true) || a->codecv[i].pt > 127)
			return false;
	for (i = 0; i < a->candc; i++)
		if (!a->candv[i].foundation[0] ||
		    !CLEAN(a->candv[i].foundation, false) ||
		    !CLEAN(a->candv[i].type, false))
			return false;
	for (i = 0; i < a->cryptoc; i++)
		if (!CLEAN(a->cryptov[i].suite, false))
			return false;
	return true;
}

int sdp_audio_encode(struct mbuf *mb, const struct sdp_origin *o,
		     const struct sdp_audio *a,
		     const struct sdp_sess *offer_for_answer,
		     unsigned audio_index)
{
	size_t i, n = 1, pos, end;
	int err;

	if (!mb || !o || !a || !audio_clean(o, a))
		return EINVAL;
	if (offer_for_answer) {
		n = offer_for_answer->mediac;
		if (audio_index >= n || n > SDP_MAX_MEDIA)
			return EINVAL;
	}
	pos = mb->pos;
	end = mb->end;
	err = write_session(mb, o, a);
	for (i = 0; i < n && !err; i++) {
		if (!offer_for_answer || i == audio_index)
			err = write_audio(mb, a);
		else
			err = write_rejected(mb, &offer_for_answer->mediav[i]);
	}
	if (err) { /* nothing half-written stays behind */
		mb->pos = pos;
		mb->end = end;
	}
	return err;
}
