/* session_int.h: the signalling-side session shared by session.c and
 * session_sdp.c (internal). */
#ifndef SC_MEDIA_SESSION_INT_H
#define SC_MEDIA_SESSION_INT_H

#include "media/media_int.h"

#define MSESS_PT_OPUS 111
#define MSESS_PT_TE8K 101
#define MSESS_PT_TE48K 110
#define MSESS_ICE_RESTARTS_MAX 8 /* per leg and session */
#define MSESS_TE_MAX 2           /* telephone-event per clock offered */
#define MSESS_SDES_MAX 2         /* a=crypto lines we offer */
/* New DTLS associations per leg and session (RFC 8842 section 5). */
#define MSESS_DTLS_RENEW_MAX 4
/* Shortest SDES key lifetime we take (RFC 4568 section 6.1): 2^20
 * packets, 5.8 hours at 50 packets/s; we re-key only on re-offers. */
#define MSESS_SDES_LIFETIME_MIN (1ull << 20)
/* Added to our Opus fmtp when that leg's Opus is transcoded to G.711
 * (RFC 7587 section 6.1): we play and capture 8 kHz only, so the far
 * encoder may code narrowband (SILK NB), which our 8 kHz decoder decodes
 * about 3x cheaper than wideband. Pass-through Opus keeps the default. */
#define MSESS_OPUS_NB_FMTP ";maxplaybackrate=8000;sprop-maxcapturerate=8000"

struct ice_lite;
struct dtls_conn;

#define MSESS_SDES_KEY_MAX 46 /* AES-256 key and salt */

struct msess_sdes_key {
	unsigned prof; /* enum msrtp_profile; 0 unset */
	unsigned tag;
	uint8_t key_salt[MSESS_SDES_KEY_MAX];
	size_t len;
	uint32_t mki;    /* RFC 4568 section 6.1 "|MKI:length" */
	uint8_t mki_len; /* 0: packets carry no MKI */
};

struct msess_leg {
	struct media_leg_conf conf;
	uint16_t port;
	int fdv[2];         /* until the worker owns them */
	struct sdp_audio remote; /* the leg's last SDP (may hold its SDES
				  * keys: wiped in msess_remote_forget) */
	bool have_remote;
	/* The leg's last offer as it came (its other m= sections are
	 * answered with port 0, RFC 3264 section 6), and its audio index. */
	struct mbuf *remote_offer;
	unsigned remote_offer_idx;
	uint64_t sess_id;
	uint32_t version;
	/* What we offered to this leg (when it was the answerer). */
	struct mcodec_pt offered[MEDIA_CODECS_MAX];
	size_t offeredc;
	struct mcodec_pt te_offered[MSESS_TE_MAX];
	size_t te_offeredc;
	struct mleg_params params;
	bool connected_sent;
	/* It made no offer (media_offer_local): its remote is a stand-in
	 * without usable keys, address or fingerprint; nothing is sent to or
	 * taken from it until it answers our offer (session_offer.c). */
	bool late;
	/* WebRTC (signalling side owns these; the worker uses them) */
	struct ice_lite *ice;
	struct ice_lite *ice_old[MSESS_ICE_RESTARTS_MAX];
	size_t ice_oldc;
	struct dtls_conn *dtls;
	bool dtls_client;
	bool dtls_renew;   /* a new association at the next commit */
	char dtls_fp[160]; /* the peer fingerprint dtls checks */
	/* associations replaced (session.c); like ice_old, freed with
	 * the session, after the worker let go of them */
	struct dtls_conn *dtls_old[MSESS_DTLS_RENEW_MAX];
	size_t dtls_oldc;
	/* SDES-SRTP (session_sdes.c) */
	struct msess_sdes_key sdes_localv[MSESS_SDES_MAX]; /* offered */
	struct msess_sdes_key sdes_local, sdes_remote;    /* in use */
	bool sdes_tx_pending, sdes_rx_pending; /* new contexts at commit */
	struct mbuf *last_sdp; /* what we sent last, at version-1 */
};

/* Work space of offers and answers, one per engine on the heap (struct
 * sdp_sess is ~20 KB, struct sdp_audio ~7 KB): the SDP decoded, the audio
 * read from it, the audio we write; the audio wiped after each use (SDES
 * keys). */
struct msess_scratch {
	struct sdp_sess sess;
	struct sdp_audio in;
	struct sdp_audio out;
};

struct media_session {
	struct le le;
	struct media_engine *me;
	struct mworker *w; /* set when media started */
	media_event_h *eh;
	void *arg;
	struct msess_leg leg[2];
	int offer_from;  /* -1: no offer pending */
	int answered_by; /* the leg that answered the last offer, or -1 */
	struct mrelay *relay;
	uint64_t start_ms;
	bool open;
};

int msess_leg_bind(struct media_session *ms, int i);
int msess_sdes_offer(struct msess_leg *l, struct sdp_audio *o);
int msess_sdes_answer(struct msess_leg *l, const struct sdp_audio *d);
int msess_sdes_from_offer(struct msess_leg *l, const struct sdp_audio *d,
			  struct sdp_audio *o);
int msess_sdes_contexts(struct msess_leg *l, struct mleg_params *p);
void msess_sdes_wipe(struct msess_leg *l);
int msess_commit(struct media_session *ms);

/* session.c: our DTLS role toward the peer's a=setup (RFC 8842
 * section 5), whether the association must be new (role or fingerprint
 * changed; ENOTSUP after MSESS_DTLS_RENEW_MAX), and the connection made
 * or replaced at commit. */
bool msess_dtls_client(const struct msess_leg *l, enum sdp_setup remote);
int msess_dtls_renew(const struct msess_leg *l, bool client, const char *fp,
		     bool *renewp);
int msess_dtls_commit(struct media_session *ms, int i);
void msess_dtls_free(struct msess_leg *l);
void msess_sdp_forget(struct msess_leg *l);
void msess_remote_forget(struct msess_leg *l);

/* session_sdp_out.c */
/* The engine's work space (made on first use, kept by the engine; one
 * offer or answer at a time, signalling thread only), its audio wiped:
 * NULL when out of memory. msess_scratch_done() wipes it after use. */
struct msess_scratch *msess_scratch_get(struct media_engine *me);
void msess_scratch_done(struct msess_scratch *scr);
/* Decodes sdp into scr->sess and its audio into scr->in (*idxp: index of
 * the audio section, may be NULL). 0, EBADMSG malformed, ENOTSUP no
 * audio. */
int msess_sdp_read(struct msess_scratch *scr, unsigned *idxp,
		   const struct pl *sdp);
void msess_codec_out(struct sdp_codec *c, const struct mcodec_pt *m,
		     bool xcoded);
void msess_te_out(struct sdp_codec *c, uint8_t pt, uint32_t rate);
/* Completes o with our own values for leg i (address, ports, proto,
 * ssrc/cname, ICE and DTLS) and writes the SDP into a new *sdpp, as an
 * answer to offer (section idx) when offer is set; o= version raised
 * only when the SDP changed (RFC 3264 section 8). 0, EINVAL, ENOMEM. */
int msess_sdp_write(struct media_session *ms, int i, struct sdp_audio *o,
		    const struct sdp_sess *offer, unsigned idx,
		    struct mbuf **sdpp);
/* A copy of an offer into a new *mbp: 0 or ENOMEM. */
int msess_offer_keep(struct mbuf **mbp, const struct pl *sdp);
/* scr->out written as the answer to leg xi's kept offer. */
int msess_answer_write(struct media_session *ms, int xi,
		       struct msess_scratch *scr, struct mbuf **sdpp);

#endif
