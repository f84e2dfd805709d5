/* session_int.h: the signalling-side session shared by session.c and
 * session_sdp.c (internal). */
#ifndef SC_MEDIA_SESSION_INT_H
#define SC_MEDIA_SESSION_INT_H

#include "media/media_int.h"
#include "media/msdp_enc.h"

#define MSESS_PT_OPUS 111
#define MSESS_PT_TE8K 101
#define MSESS_PT_TE48K 110

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
};

struct media_session {
	struct le le;
	struct media_engine *me;
	struct mworker *w; /* set when media started */
	media_event_h *eh;
	void *arg;
	struct msess_leg leg[2];
	int offer_from; /* -1: no offer pending */
	struct mrelay *relay;
	uint64_t start_ms;
	bool open;
};

int msess_leg_bind(struct media_session *ms, int i);
int msess_commit(struct media_session *ms);

#endif
