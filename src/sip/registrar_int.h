/* registrar_int.h: structures shared by registrar.c (bindings, timers,
 * lookup) and registrar_req.c (REGISTER processing, RFC 3261 §10.3). */
#ifndef SC_SIP_REGISTRAR_INT_H
#define SC_SIP_REGISTRAR_INT_H

#include "sip/registrar.h"

struct sip_registrar {
	struct tmrl *tl;
	struct sip_reg_conf conf;
	struct hash *aors;  /* struct reg_aor by AOR */
	struct hash *flows; /* struct reg_binding by flow pointer */
	size_t nbindings;
	sip_reg_event_h *eh;
	void *arg;
};

struct reg_aor {
	struct le he; /* reg->aors */
	struct sip_registrar *reg;
	struct list bindings; /* struct reg_binding, oldest first */
	char aor[];           /* the key, NUL-terminated */
};

/* One contact bound to an AOR, with the flow it came over (RFC 5626). */
struct reg_binding {
	struct le le;  /* aor->bindings */
	struct le fle; /* reg->flows */
	struct reg_aor *aor;
	struct sip_flow *flow; /* referenced */
	struct tmr tmr;        /* expiry */
	const char *uri;       /* these four point into str */
	const char *params;
	const char *instance; /* NULL: none */
	const char *callid;
	uint32_t reg_id;
	uint32_t cseq;
	uint64_t expires_at; /* ms, tl clock */
	uint64_t since;
	char str[]; /* one allocation per binding: its strings follow */
};

/* registrar.c */
struct reg_aor *reg_aor_find(const struct sip_registrar *reg, const char *aor);
int reg_aor_get(struct reg_aor **ap, struct sip_registrar *reg,
                const char *aor);
void reg_aor_release(struct reg_aor *a);
/* A new unlinked binding expiring in expires s, with strsize bytes for its
 * strings in str; takes a flow reference. */
int reg_binding_alloc(struct reg_binding **bp, struct sip_registrar *reg,
                      struct sip_flow *flow, uint32_t expires, size_t strsize);
/* Links b to a (taking its reference) and reports ev. */
void reg_binding_link(struct reg_binding *b, struct reg_aor *a,
                      enum sip_reg_event ev);
/* Unlinks and frees b; reports SIP_REG_REMOVED when report. */
void reg_binding_remove(struct reg_binding *b, bool report);
/* Drops the bindings of a whose flow has closed. */
void reg_aor_purge(struct reg_aor *a);
uint32_t reg_binding_left(const struct reg_binding *b);

#endif
