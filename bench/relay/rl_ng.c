/* rl_ng.c: ng control requests and replies (rtpengine's protocol: a
 * cookie, a space and a bencoded dictionary over UDP). */
#include <errno.h>
#include <string.h>

#include "benc.h"
#include "rl.h"

#define RL_NG_NODES 256 /* nodes of a decoded reply */

static const char *cmd_name(enum rl_ng_cmd c)
{
	switch (c) {
	case RL_NG_OFFER:
		return "offer";
	case RL_NG_ANSWER:
		return "answer";
	case RL_NG_DELETE:
		return "delete";
	case RL_NG_PING:
		return "ping";
	}
	return "?";
}

/* Keys in sorted order (BEP 3). Offer: the browser's WebRTC offer becomes
 * plain RTP/AVP toward the peer: ICE removed, DTLS off, rtcp-mux demuxed.
 * With transcode the peer is offered PCMU only (Opus masked: still
 * accepted from the browser, not offered to the peer; PCMU added by
 * transcoding). */
static void enc_offer_flags(struct benc_enc *e, const struct rl_ng_req *r)
{
	benc_enc_kv(e, "DTLS", "off");
	benc_enc_kv(e, "ICE", "remove");
	benc_enc_kv(e, "call-id", r->call_id);
	if (r->transcode) {
		benc_enc_str(e, "codec");
		benc_enc_dict(e);
		benc_enc_str(e, "mask");
		benc_enc_list(e);
		benc_enc_str(e, "opus");
		benc_enc_end(e);
		benc_enc_str(e, "transcode");
		benc_enc_list(e);
		benc_enc_str(e, "PCMU");
		benc_enc_end(e);
		benc_enc_end(e);
	}
	benc_enc_kv(e, "command", "offer");
	benc_enc_kv(e, "from-tag", r->from_tag);
	benc_enc_str(e, "replace");
	benc_enc_list(e);
	benc_enc_str(e, "origin");
	benc_enc_str(e, "session-connection");
	benc_enc_end(e);
	benc_enc_str(e, "rtcp-mux");
	benc_enc_list(e);
	benc_enc_str(e, "demux");
	benc_enc_end(e);
	benc_enc_kv(e, "sdp", r->sdp);
	benc_enc_kv(e, "transport-protocol", "RTP/AVP");
}

/* Answer: the peer's RTP/AVP answer becomes a WebRTC answer: ICE forced,
 * DTLS passive (the browser offered actpass and becomes the client),
 * rtcp-mux offered back (the browser asked for it). */
static void enc_answer_flags(struct benc_enc *e, const struct rl_ng_req *r)
{
	benc_enc_kv(e, "DTLS", "passive");
	benc_enc_kv(e, "ICE", "force");
	benc_enc_kv(e, "call-id", r->call_id);
	benc_enc_kv(e, "command", "answer");
	benc_enc_kv(e, "from-tag", r->from_tag);
	benc_enc_str(e, "replace");
	benc_enc_list(e);
	benc_enc_str(e, "origin");
	benc_enc_str(e, "session-connection");
	benc_enc_end(e);
	benc_enc_str(e, "rtcp-mux");
	benc_enc_list(e);
	benc_enc_str(e, "offer");
	benc_enc_str(e, "accept");
	benc_enc_end(e);
	benc_enc_kv(e, "sdp", r->sdp);
	benc_enc_kv(e, "to-tag", r->to_tag);
	benc_enc_kv(e, "transport-protocol", "UDP/TLS/RTP/SAVPF");
}

/* Plain RTP on both legs: the relay only anchors the media. */
static void enc_plain(struct benc_enc *e, const struct rl_ng_req *r)
{
	benc_enc_kv(e, "call-id", r->call_id);
	benc_enc_kv(e, "command", cmd_name(r->cmd));
	benc_enc_kv(e, "from-tag", r->from_tag);
	benc_enc_str(e, "replace");
	benc_enc_list(e);
	benc_enc_str(e, "origin");
	benc_enc_str(e, "session-connection");
	benc_enc_end(e);
	benc_enc_kv(e, "sdp", r->sdp);
	if (r->to_tag)
		benc_enc_kv(e, "to-tag", r->to_tag);
}

int rl_ng_encode(uint8_t *buf, size_t size, size_t *lenp,
		 const struct rl_ng_req *r)
{
	struct benc_enc e;
	size_t cl, len;
	int err;

	if (!buf || !lenp || !r || !r->cookie)
		return EINVAL;
	if ((r->cmd == RL_NG_OFFER || r->cmd == RL_NG_ANSWER) &&
	    (!r->sdp || !r->call_id || !r->from_tag))
		return EINVAL;
	if ((r->cmd == RL_NG_ANSWER) && !r->to_tag)
		return EINVAL;
	if (r->cmd == RL_NG_DELETE && (!r->call_id || !r->from_tag))
		return EINVAL;
	cl = strlen(r->cookie);
	if (cl + 1 >= size)
		return EOVERFLOW;
	memcpy(buf, r->cookie, cl);
	buf[cl] = ' ';
	benc_enc_init(&e, buf + cl + 1, size - cl - 1);
	benc_enc_dict(&e);
	switch (r->cmd) {
	case RL_NG_OFFER:
	case RL_NG_ANSWER:
		if (r->plain)
			enc_plain(&e, r);
		else if (r->cmd == RL_NG_OFFER)
			enc_offer_flags(&e, r);
		else
			enc_answer_flags(&e, r);
		break;
	case RL_NG_DELETE:
		benc_enc_kv(&e, "call-id", r->call_id);
		benc_enc_kv(&e, "command", cmd_name(r->cmd));
		benc_enc_kv(&e, "from-tag", r->from_tag);
		break;
	case RL_NG_PING:
		benc_enc_kv(&e, "command", cmd_name(r->cmd));
		break;
	}
	benc_enc_end(&e);
	err = benc_enc_finish(&e, &len);
	if (!err)
		*lenp = cl + 1 + len;
	return err;
}

int rl_ng_reply(const uint8_t *buf, size_t len, const char *cookie,
		struct pl *sdpp, struct pl *reasonp)
{
	struct benc_node nv[RL_NG_NODES];
	struct pl result = PL_INIT;
	size_t cl, n;
	int err;

	if (!buf || !cookie)
		return EINVAL;
	cl = strlen(cookie);
	if (len < cl + 1 || memcmp(buf, cookie, cl) || buf[cl] != ' ')
		return len > cl && memchr(buf, ' ', len) ? ENOENT : EBADMSG;
	err = benc_decode(nv, RL_NG_NODES, &n, buf + cl + 1, len - cl - 1);
	if (err)
		return EBADMSG;
	if (sdpp && !benc_dict_str(nv, 0, "sdp", sdpp))
		*sdpp = (struct pl)PL_INIT;
	if (reasonp && !benc_dict_str(nv, 0, "error-reason", reasonp))
		*reasonp = (struct pl)PL_INIT;
	if (!benc_dict_str(nv, 0, "result", &result))
		return EBADMSG;
	if (pl_strcmp(&result, "ok") && pl_strcmp(&result, "pong"))
		return EPROTO;
	return 0;
}
