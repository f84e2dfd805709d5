/* sdp.h: SDP codec (RFC 8866) and the normalised audio description with
 * which the media engine rewrites offers and answers (RFC 3264) between a
 * WebRTC leg (RFC 8829/8839/8842/8843) and a plain SIP leg (RTP/AVP, SDES
 * RFC 4568).
 *
 * Two halves:
 *  - sdp_decode() parses bytes into struct sdp_sess: views (struct pl) into
 *    the caller's buffer, no allocation, never a byte past len. Accessors
 *    parse single attribute values, also into views.
 *  - struct sdp_audio is a self-contained (no views) description of one
 *    audio stream. sdp_audio_get() fills one from a parsed offer or answer;
 *    the engine then builds the other leg's description from its OWN
 *    values (address, ICE credentials, fingerprint, ssrc/cname, origin)
 *    and sdp_audio_encode() writes a whole SDP from that alone. Nothing of
 *    the input is ever copied line by line into an output, so nothing of
 *    one leg (addresses, credentials, fingerprint, cname/msid, session id)
 *    can reach the other; the only things carried over from an offer into
 *    an answer are the m= types/protocols and a=mid tokens RFC 3264/8843
 *    require to be mirrored, and those are written only when they are short
 *    tokens.
 *
 * How the engine uses it (offer from leg A to leg B):
 *
 *   sdp_decode(&sa, buf, len);              views into buf
 *   sdp_audio_get(&offa, &idx, &sa);        A's audio, plain values
 *   fill outb with OUR values: addr/rtcp of our B-side socket, our ICE
 *     ufrag/pwd, fingerprint, candidates, ssrc/cname, mid "0"; codecs
 *     from the sdp_codec_* tables (or offa's, re-numbered as wanted)
 *   sdp_audio_encode(mb, &our_origin, &outb, NULL, 0);     offer to B
 *   ... B answers: sdp_decode + sdp_audio_get -> ansb ...
 *   fill ansa with our A-side values, mid = offa.mid, setup chosen,
 *     sdp_answer_codecs(&ansa, &offa, wantv, wantc)
 *   sdp_audio_encode(mb, &our_origin, &ansa, &sa, idx);    answer to A
 *
 * An ICE-lite gateway learns a browser's address from its STUN checks:
 * browsers often give only mDNS host candidates, which are skipped here
 * (a real Chromium 156 answer in tests/sdp/data has none left).
 *
 * Errors, one meaning each:
 *   EINVAL    caller bug (NULL, bad index)
 *   EBADMSG   malformed SDP (sess->err says why, sess->err_line where)
 *   EOVERFLOW more than SDP_MAX_MEDIA m= sections, or a value longer than
 *             the normalised field that must hold it
 *   ENOENT    no such attribute / no audio section
 *   ENOTSUP   no codec in common (the engine answers SIP 488)
 *   ENOMEM    while encoding
 */
#ifndef SC_SDP_SDP_H
#define SC_SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "net/net.h"

#define SDP_MAX_MEDIA 8       /* m= sections; more is EOVERFLOW */
#define SDP_MAX_ATTRS 64      /* kept per section; more are counted, ignored */
#define SDP_MAX_CODECS 16     /* codecs kept per normalised audio stream */
#define SDP_MAX_CANDS 16      /* candidates kept per normalised audio stream */
#define SDP_MAX_CRYPTO 4      /* a=crypto lines kept */
#define SDP_MAX_LINE 4096     /* longest line accepted (EBADMSG beyond) */
#define SDP_MAX_FP_BYTES 64   /* SHA-512 */
#define SDP_CRYPTO_KEY_MAX 46 /* AES-256 key + 14-byte salt (RFC 6188) */
#define SDP_MID_MAX 32        /* a=mid mirrored into an answer */

/* ---- parsed SDP: views into the decoded buffer -------------------------- */

/* "a=name:value" or the flag "a=name" (value empty). */
struct sdp_attr {
	struct pl name;
	struct pl value;
};

/* c=<nettype> <addrtype> <addr>[/ttl...] */
struct sdp_conn {
	struct pl nettype;  /* "IN" */
	struct pl addrtype; /* "IP4" / "IP6" */
	struct pl addr;     /* without /ttl */
};

struct sdp_media {
	struct pl type;  /* "audio", "video", "application", ... */
	uint16_t port;   /* 0: rejected / disabled */
	uint16_t nports; /* "port/n", 1 when absent */
	struct pl proto; /* "RTP/AVP", "UDP/TLS/RTP/SAVPF", ... */
	struct pl fmts;  /* the format list after proto, trimmed */
	bool has_conn;
	struct sdp_conn conn;
	struct sdp_attr attrv[SDP_MAX_ATTRS];
	size_t attrc;
	size_t attr_dropped; /* beyond SDP_MAX_ATTRS, ignored */
};

struct sdp_sess {
	/* o=<user> <sess-id> <sess-version> <nettype> <addrtype> <addr> */
	struct pl o_user, o_sess_id, o_sess_ver, o_nettype, o_addrtype, o_addr;
	struct pl name; /* s= */
	bool has_conn;
	struct sdp_conn conn;
	struct sdp_attr attrv[SDP_MAX_ATTRS];
	size_t attrc;
	size_t attr_dropped;
	struct sdp_media mediav[SDP_MAX_MEDIA];
	size_t mediac;
	const char *err;   /* static reason when decode failed, else NULL */
	unsigned err_line; /* 1-based line of the error, 0 when none */
};

/*
 * Parses len bytes of buf (CRLF or LF line ends, a last line with or
 * without one). *sess gets views into buf: buf must outlive it. Unknown
 * lines and attributes are kept or skipped, never an error. Returns 0,
 * EINVAL, EBADMSG (reason in sess->err) or EOVERFLOW (too many m=).
 */
int sdp_decode(struct sdp_sess *sess, const char *buf, size_t len);

/* Attribute lookup. The first one named `name` (case-sensitive as in RFC
 * 8866 section 5.13) goes into *val (may be NULL). 0 or ENOENT. */
int sdp_sess_attr(struct pl *val, const struct sdp_sess *sess,
		  const char *name);
int sdp_media_attr(struct pl *val, const struct sdp_media *m, const char *name);
/* Media level first, then session level (ice-ufrag, ice-pwd, fingerprint,
 * setup, ice-lite, direction may be either, RFC 8839/8842). */
int sdp_attr_fallback(struct pl *val, const struct sdp_sess *sess,
		      const struct sdp_media *m, const char *name);
/* Iterates attributes named `name` of one section: start with *idx = 0;
 * returns 0 with *val set and *idx advanced, ENOENT when no more. */
int sdp_media_attr_next(struct pl *val, const struct sdp_media *m,
			const char *name, size_t *idx);
bool sdp_media_has(const struct sdp_media *m, const char *name);

/* The media's c= address (else the session's) with the m= port.
 * 0, ENOENT (no c=) or EBADMSG (not an IP4/IP6 literal). */
int sdp_media_addr(struct sa *sa, const struct sdp_sess *sess,
		   const struct sdp_media *m);

/* a=rtpmap:<pt> <name>/<rate>[/<channels>]; channels 1 when absent. */
struct sdp_rtpmap {
	uint8_t pt;
	struct pl name;
	uint32_t rate;
	uint8_t channels;
};
int sdp_rtpmap_decode(struct sdp_rtpmap *rm, const struct pl *val);

/* a=fmtp:<pt> <params> */
struct sdp_fmtp {
	uint8_t pt;
	struct pl params;
};
int sdp_fmtp_decode(struct sdp_fmtp *fm, const struct pl *val);

/* a=candidate (RFC 8839 section 5.1) with any extension pairs. */
struct sdp_candidate {
	struct pl foundation;
	unsigned component;
	struct pl transport; /* "UDP", "TCP" */
	uint32_t priority;
	struct pl addr; /* IP literal or an mDNS name */
	uint16_t port;
	struct pl type;  /* host, srflx, prflx, relay */
	struct pl raddr; /* may be empty */
	uint16_t rport;
	struct pl ext; /* the rest: generation, ufrag, network-id... */
	bool mdns;     /* addr is a ".local" name, not an IP */
};
int sdp_candidate_decode(struct sdp_candidate *c, const struct pl *val);

/* a=fingerprint:<hash> <hex:..>: hash name and the bytes (md holds
 * SDP_MAX_FP_BYTES). */
int sdp_fingerprint_decode(struct pl *hash, uint8_t *md, size_t *mdlen,
			   const struct pl *val);

/* a=rtcp:<port> [IN IP4 <addr>] (RFC 3605); addr empty when absent. */
int sdp_rtcp_decode(uint16_t *port, struct pl *addr, const struct pl *val);

/* a=group:<semantics> <id>...: ids is the rest, space separated. */
int sdp_group_decode(struct pl *semantics, struct pl *ids,
		     const struct pl *val);
/* True when the session has a=group:BUNDLE listing mid. */
bool sdp_bundle_has(const struct sdp_sess *sess, const struct pl *mid);

/* a=ssrc:<ssrc> <attr>[:<value>] (RFC 5576). */
int sdp_ssrc_decode(uint32_t *ssrc, struct pl *attr, struct pl *value,
		    const struct pl *val);

/* ---- normalised audio description: plain values, no views --------------- */

enum sdp_proto {
	SDP_PROTO_RTP_AVP,
	SDP_PROTO_RTP_AVPF,
	SDP_PROTO_RTP_SAVP,
	SDP_PROTO_RTP_SAVPF,
	SDP_PROTO_UDP_TLS_RTP_SAVP,
	SDP_PROTO_UDP_TLS_RTP_SAVPF,
};
enum sdp_dir { SDP_SENDRECV, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };
enum sdp_setup {
	SDP_SETUP_NONE,
	SDP_SETUP_ACTPASS,
	SDP_SETUP_ACTIVE,
	SDP_SETUP_PASSIVE,
};

struct sdp_codec {
	uint8_t pt;
	char name[16]; /* as written: "opus", "PCMU", "telephone-event" */
	uint32_t rate;
	uint8_t channels; /* 1 when not given */
	char fmtp[128];   /* "" when none */
};

/* One a=crypto line (RFC 4568 section 9.1), key and salt decoded. A
 * secret: wipe it (sdp_audio_wipe) when done. */
struct sdp_crypto {
	unsigned tag;
	char suite[32]; /* "AES_CM_128_HMAC_SHA1_80", ... */
	uint8_t key_salt[SDP_CRYPTO_KEY_MAX];
	size_t key_salt_len;
	uint64_t lifetime; /* packets; 0: not given */
	uint32_t mki;      /* MKI value (kept when it fits 32 bits) */
	uint8_t mki_len;   /* its length in bytes, 1..128; 0: no MKI */
};

/* a=crypto:<tag> <suite> inline:<key||salt>[|lifetime][|mki:len] [params]
 * (RFC 4568 section 9.1): the first key-params only; key length checked
 * for the known suites. 0, EINVAL, EBADMSG or EOVERFLOW (MKI length over
 * 128, key over SDP_CRYPTO_KEY_MAX); *c wiped on error. */
int sdp_crypto_decode(struct sdp_crypto *c, const struct pl *val);

/* A candidate: UDP only (the relay is UDP); mDNS names are skipped. */
struct sdp_cand {
	char foundation[33];
	unsigned component;
	uint32_t priority;
	struct sa addr;
	char type[8]; /* "host", "srflx", "prflx", "relay" */
};

struct sdp_audio {
	enum sdp_proto proto;
	bool port_zero; /* rejected / disabled stream */
	struct sa addr; /* c= address + m= port (RTP) */
	struct sa rtcp; /* a=rtcp, or address port+1 */
	bool rtcp_mux;
	bool rtcp_attr; /* encode: a=rtcp even when it is port + 1 or muxed
			 * (RFC 3605, RFC 5761 section 5.1.3) */
	enum sdp_dir dir;
	uint32_t ptime;                          /* 0 = not given */
	struct sdp_codec codecv[SDP_MAX_CODECS]; /* m= order, incl. DTMF */
	size_t codecc;
	char ice_ufrag[257], ice_pwd[257];
	bool ice_lite;
	struct sdp_cand candv[SDP_MAX_CANDS];
	size_t candc;
	char fp[160]; /* "sha-256 AB:CD:..." */
	enum sdp_setup setup;
	struct sdp_crypto cryptov[SDP_MAX_CRYPTO];
	size_t cryptoc;
	char mid[SDP_MID_MAX + 1]; /* BUNDLE group written when set and
				    * proto is UDP/TLS */
	uint32_t ssrc;  /* what WE send: our own ssrc/cname, never the */
	char cname[64]; /* peer's; written when ssrc != 0 */
};

/* o= of the SDP we write: our own values. Empty user is written "-". */
struct sdp_origin {
	char user[32];
	uint64_t sess_id, sess_ver;
	struct sa addr;
};

/*
 * Fills *a from the first audio m= section of sess (*indexp: its index in
 * sess->mediav, may be NULL). A port-0 section gives port_zero and returns
 * 0. Codecs whose payload type has no rtpmap and is not a static RFC 3551
 * type, or whose name or fmtp do not fit or are not printable ASCII, are
 * skipped, as are candidates
 * that are not UDP, are mDNS names or do not parse, and a=crypto lines
 * that do not parse. ICE credentials, fingerprint or mid longer than
 * their fields are EOVERFLOW. The peer's ssrc/cname are never taken.
 * Returns 0, EINVAL, ENOENT (no audio section), EBADMSG (unknown proto,
 * no usable codec, no or bad c=, bad a=rtcp, a=fingerprint or a=mid) or
 * EOVERFLOW; *a is wiped on error.
 */
int sdp_audio_get(struct sdp_audio *a, unsigned *indexp,
		  const struct sdp_sess *sess);

/*
 * Appends a whole SDP to mb, written only from *o and *a. For an answer,
 * offer_for_answer is the parsed offer and audio_index the index of the
 * audio section being answered: every other m= section is answered with
 * port 0 in the same place (RFC 3264 section 6) from its type and proto
 * alone. For UDP/TLS/RTP/SAVP(F) the ICE-lite and DTLS attributes are
 * written (ice-lite, ice-ufrag/pwd, fingerprint, setup, rtcp-mux, mid,
 * group:BUNDLE, candidates, end-of-candidates), and a=msid made of our
 * cname; a=ssrc with our cname when a->ssrc is set. Every string of *o
 * and *a must be printable ASCII (spaces only in fmtp and fp): a value
 * that could end a line is EINVAL. Returns 0, EINVAL (also: a->addr or
 * o->addr unset) or ENOMEM; on error mb is as it was.
 */
int sdp_audio_encode(struct mbuf *mb, const struct sdp_origin *o,
		     const struct sdp_audio *a,
		     const struct sdp_sess *offer_for_answer,
		     unsigned audio_index);

/* Wipes the secrets of *a (SDES keys) and clears it. */
void sdp_audio_wipe(struct sdp_audio *a);

/* ---- negotiation helpers (pure) ------------------------------------------ */

extern const struct sdp_codec sdp_codec_opus;          /* 111 opus/48000/2 */
extern const struct sdp_codec sdp_codec_pcmu;          /* 0 PCMU/8000 */
extern const struct sdp_codec sdp_codec_pcma;          /* 8 PCMA/8000 */
extern const struct sdp_codec sdp_codec_tel_event_8k;  /* 101 .../8000 */
extern const struct sdp_codec sdp_codec_tel_event_48k; /* 110 .../48000 */

/* Index of the codec named `name` (ASCII case-insensitive) at `rate` (0:
 * any) in a->codecv, or -1. */
int sdp_codec_find(const struct sdp_audio *a, const char *name, uint32_t rate);
bool sdp_codec_is_tel_event(const struct sdp_codec *c);

/*
 * RFC 3264 section 6.1 codec choice for an answer: the first codec of
 * wantv (our order of preference; telephone-event entries in wantv are
 * ignored here) that the offer has, with the offer's payload type, name,
 * rate and channels and our fmtp; then telephone-event at that codec's
 * clock rate when the offer has it and wantv lists telephone-event at any
 * rate. Replaces ans->codecv/codecc only. Returns 0, EINVAL or ENOTSUP
 * (nothing in common).
 */
int sdp_answer_codecs(struct sdp_audio *ans, const struct sdp_audio *offer,
		      const struct sdp_codec *wantv, size_t wantc);

const char *sdp_proto_name(enum sdp_proto p); /* "UDP/TLS/RTP/SAVPF" ... */
int sdp_proto_decode(enum sdp_proto *p, const struct pl *name); /* ENOENT */
const char *sdp_dir_name(enum sdp_dir d);     /* "sendrecv" ... */
/* What a direction says of the side that declared it (RFC 3264 5.1). */
bool sdp_dir_sends(enum sdp_dir d);             /* sendrecv, sendonly */
bool sdp_dir_recvs(enum sdp_dir d);             /* sendrecv, recvonly */
enum sdp_dir sdp_dir_make(bool sends, bool recvs);
/* The direction an answer to d allows at most (RFC 3264 section 6.1):
 * sendonly <-> recvonly, the others as they are. */
enum sdp_dir sdp_dir_reverse(enum sdp_dir d);
const char *sdp_setup_name(enum sdp_setup s); /* "actpass" ... */
bool sdp_proto_is_dtls(enum sdp_proto p);     /* UDP/TLS/... */
bool sdp_proto_is_sdes(enum sdp_proto p);     /* RTP/SAVP(F) */

#endif
