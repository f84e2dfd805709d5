/* msdp_enc.h: what the engine writes into one audio SDP (internal). */
#ifndef SC_MEDIA_MSDP_ENC_H
#define SC_MEDIA_MSDP_ENC_H

#include "media/media_int.h"

#define MSDP_TE_MAX 2
#define MSDP_SDES_MAX 2 /* a=crypto lines we offer */

struct msdp_out {
	enum media_kind kind;
	bool avpf;
	uint64_t sess_id;
	uint32_t version;
	struct sa addr; /* advertised address */
	uint16_t port;
	uint16_t rtcp_port;
	bool rtcp_mux;
	struct mcodec_pt codecv[MEDIA_CODECS_MAX];
	size_t codecc;
	struct mcodec_pt tev[MSDP_TE_MAX]; /* telephone-event per clock */
	size_t tec;
	uint32_t ptime;
	enum msdp_dir dir;
	uint32_t ssrc;
	const char *cname;
	/* WebRTC */
	const char *ufrag, *pwd, *fp, *setup;
	char mid[32];
	/* SDES-SRTP: "1 AES_CM_128_HMAC_SHA1_80 inline:..." (secrets:
	 * wiped by the writer after use) */
	char cryptov[MSDP_SDES_MAX][MSDP_STR_MAX];
	size_t cryptoc;
	/* for an answer: the offer's m= lines (ours marked audio) */
	const struct msdp_mline *mlinev;
	size_t mlinec;
};

/* Appends the SDP to mb: 0, EINVAL, ENOMEM. */
int msdp_encode(struct mbuf *mb, const struct msdp_out *o);

#endif
