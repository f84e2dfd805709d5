/* session_int.h: the signalling-side session shared by session.c and
 * session_sdp.c (internal). */
#ifndef SC_MEDIA_SESSION_INT_H
#define SC_MEDIA_SESSION_INT_H

#include "media/media_int.h"
#include "media/msdp_enc.h"

#define MSESS_PT_OPUS 111
#define MSESS_PT_TE8K 101
#define MSESS_PT_TE48K 110
#define MSESS_ICE_RESTARTS_MAX 8 /* per leg and session */

struct ice_lite;
struct dtls_conn;

#define MSESS_SDES_KEY_MAX 46 /* AES-256 key and salt */

struct msess_sdes_key {
	unsigned prof; /* enum msrtp_profile; 0 unset */
	unsigned tag;
	uint8_t key_salt[MSESS_SDES_KEY_MAX];
	size_t len;
};

struct msess_leg {
	struct media_leg_conf conf;
	uint16_t port;
	int fdv[2];           /* until the worker owns them */
	struct msdp remote;   /* the leg's last SDP */
	bool have_remote;
	uint64_t sess_id;
	uint32_t version;
	/* What we offered to this leg (when it was the answerer). */
	struct mcodec_pt offered[MEDIA_CODECS_MAX];
	size_t offeredc;
	struct mcodec_pt te_offered[MSDP_TE_MAX];
	size_t te_offeredc;
	struct mleg_params params;
	bool connected_sent;
	/* WebRTC (signalling side owns these; the worker uses them) */
	struct ice_lite *ice;
	struct ice_lite *ice_old[MSESS_ICE_RESTARTS_MAX];
	size_t ice_oldc;
	struct dtls_conn *dtls;
	bool dtls_client;
	/* SDES-SRTP (session_sdes.c) */
	struct msess_sdes_key sdes_localv[MSDP_SDES_MAX]; /* offered */
	struct msess_sdes_key sdes_local, sdes_remote;    /* in use */
	bool sdes_pending; /* keys changed: new contexts at commit */
	struct mbuf *last_sdp; /* what we sent last, at version-1 */
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
int msess_sdes_offer(struct msess_leg *l, struct msdp_out *o);
int msess_sdes_answer(struct msess_leg *l, const struct msdp *d);
int msess_sdes_from_offer(struct msess_leg *l, const struct msdp *d,
                          struct msdp_out *o);
int msess_sdes_contexts(struct msess_leg *l, struct mleg_params *p);
void msess_sdes_wipe(struct msess_leg *l);
int msess_commit(struct media_session *ms);
void msess_sdp_forget(struct msess_leg *l);

#endif
