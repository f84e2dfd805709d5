/* registrar.h: SIP registrar bindings and REGISTER processing (RFC 3261
 * §10.3, RFC 5626 §6 outbound flows, RFC 7118 §5 WebSocket clients). */
#ifndef SC_SIP_REGISTRAR_H
#define SC_SIP_REGISTRAR_H

#include "core/core.h"
#include "sip/msg.h"

struct sip_flow;

/* Defaults of struct sip_reg_conf (seconds, counts). */
#define SIP_REG_EXPIRES_MIN 60       /* below: 423 Interval Too Brief */
#define SIP_REG_EXPIRES_MAX 3600     /* above: lowered to this */
#define SIP_REG_EXPIRES_DEFAULT 3600 /* no expires parameter nor header */
#define SIP_REG_CONTACTS_MAX 16      /* bindings per AOR (tabs, devices) */
#define SIP_REG_BINDINGS_MAX 200000  /* bindings in the whole registrar */

/* Hard limits, not configurable. */
#define SIP_REG_CONTACTS_LIMIT 64 /* highest contacts_max; Contacts/request */
#define SIP_REG_AOR_MAX 256       /* bytes of an AOR key */
#define SIP_REG_URI_MAX 512       /* bytes of a contact URI */
#define SIP_REG_PARAMS_MAX 512    /* bytes of a contact's header params */
#define SIP_REG_CALLID_MAX 256    /* bytes of a Call-ID kept */
#define SIP_REG_HASH_BUCKETS 4096 /* AOR and flow tables */
#define SIP_REG_RETRY_AFTER 60    /* s, in a 503 when the registrar is full */

/* Zero fields take the defaults above. expires_min <= expires_default
 * <= expires_max; contacts_max <= SIP_REG_CONTACTS_LIMIT. */
struct sip_reg_conf {
	uint32_t expires_min;
	uint32_t expires_max;
	uint32_t expires_default;
	uint32_t contacts_max;
	uint32_t bindings_max;
};

/*
 * One binding as the registrar reports it. Every pointer is valid during
 * the callback only (mem_ref() the flow to keep it).
 *
 * Routing (RFC 5626 §5.3, RFC 7118 §5): a request for this contact goes
 * over flow, never to the URI's host: a WebSocket client's Contact host is
 * a random ".invalid" name, and a client behind NAT is reachable only on
 * the flow it registered over. The URI is what goes into the Request-URI.
 */
struct sip_reg_contact {
	const char *aor;
	const char *uri;      /* contact URI as registered, without < > */
	const char *params;   /* its header params, ";expires" removed */
	const char *instance; /* +sip.instance value as written, or NULL */
	uint32_t reg_id;      /* RFC 5626 reg-id, 0 when none */
	struct sip_flow *flow;
	uint32_t expires;  /* seconds left */
	uint64_t since_ms; /* registered at (the timer list's clock) */
};

/* Return false to stop. The handler must not call into the registrar. */
typedef bool(sip_reg_contact_h)(const struct sip_reg_contact *c, void *arg);

enum sip_reg_event {
	SIP_REG_ADDED = 0, /* a new binding */
	SIP_REG_REFRESHED, /* a binding renewed (maybe with a new flow) */
	SIP_REG_REMOVED,   /* unregistered, expired, flow closed, removed */
};

/* Told about every change (e.g. to keep a device's "online since" in the
 * store). Must not call into the registrar. */
typedef void(sip_reg_event_h)(enum sip_reg_event ev,
			      const struct sip_reg_contact *c, void *arg);

struct sip_registrar;

/*
 * Allocates an empty registrar whose expiry timers run on tl (which must
 * outlive it). conf may be NULL. *regp gets the only reference; freeing it
 * drops every binding (and its flow reference) without events.
 * Returns 0, EINVAL (bad conf) or ENOMEM.
 */
int sip_registrar_alloc(struct sip_registrar **regp, struct tmrl *tl,
			const struct sip_reg_conf *conf);

/* Sets the change handler (NULL to clear). */
void sip_registrar_set_eventh(struct sip_registrar *reg, sip_reg_event_h *eh,
			      void *arg);

/* What to answer a REGISTER with. */
struct sip_reg_reply {
	uint16_t scode;
	const char *reason; /* static */
};

/*
 * Processes an authenticated REGISTER req for aor (the key the caller
 * chose: the gateway uses the device's SIP user name) that arrived over
 * flow (referenced by the bindings it creates), at the timer list's now.
 * RFC 3261 §10.3 steps 6-8: "*" with Expires: 0 removes every binding;
 * each Contact is added, refreshed or removed (expires 0); an expiry below
 * the minimum rejects the whole request with 423; one above the maximum is
 * lowered; a binding whose Call-ID matches but whose CSeq is not higher
 * aborts the request (500); the update is all or nothing. RFC 5626 §6: a
 * Contact with +sip.instance and reg-id replaces the binding (and flow) of
 * the same instance and reg-id, whatever its URI.
 *
 * Appends the header lines of the response to hdrs ("Name: value\r\n"):
 * on 200 one Contact per current binding with its expires, Supported:
 * outbound, and Require: outbound when a reg-id was honoured; on 423
 * Min-Expires; on 503 Retry-After. Sets *rep to 200, 400 (malformed
 * Contact or Expires), 423, 439 (reg-id through another hop), 403 (more
 * than contacts_max bindings), 500 (out of order), 503 (registrar full).
 * Returns 0 (rep is meaningful), EINVAL or ENOMEM (nothing changed).
 */
int sip_registrar_register(struct sip_registrar *reg, const char *aor,
			   const struct sip_msg *req, struct sip_flow *flow,
			   struct mbuf *hdrs, struct sip_reg_reply *rep);

/*
 * Calls h for every live binding of aor (a binding whose flow has closed
 * is dropped first). Returns 0, ENOENT (no binding) or EINVAL.
 */
int sip_registrar_lookup(struct sip_registrar *reg, const char *aor,
			 sip_reg_contact_h *h, void *arg);

/* Removes every binding of aor (device revoked or removed). Returns 0 or
 * ENOENT (none). Events are SIP_REG_REMOVED. */
int sip_registrar_remove(struct sip_registrar *reg, const char *aor);

/* Removes at once every binding registered over flow (the transport says
 * it closed). Call it from the transport's connection handler. */
void sip_registrar_flow_closed(struct sip_registrar *reg,
			       const struct sip_flow *flow);

/* Live bindings of aor, or of the whole registrar when aor is NULL. */
size_t sip_registrar_count(const struct sip_registrar *reg, const char *aor);

#endif
