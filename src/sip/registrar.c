/* registrar.c: the registrar's bindings: AOR table, flow index, expiry
 * timers, lookup and removal (RFC 3261 §10.3, RFC 5626 §6-§7). */
#include <errno.h>
#include <string.h>

#include "sip/registrar_int.h"
#include "sip/transp.h"

static uint32_t aor_key(const char *aor)
{
	return hash_fnv(aor, strlen(aor));
}

static uint32_t flow_key(const struct sip_flow *flow)
{
	uintptr_t p = (uintptr_t)flow;

	return hash_fnv(&p, sizeof(p));
}

static void registrar_destroy(void *data)
{
	struct sip_registrar *reg = data;

	/* Bindings hold their AOR through the AOR table only: drop the
	 * flow index first, then each AOR frees its bindings. */
	if (reg->aors)
		hash_flush(reg->aors);
	mem_deref(reg->aors);
	mem_deref(reg->flows);
}

static int conf_apply(struct sip_reg_conf *c, const struct sip_reg_conf *in)
{
	c->expires_min =
	    in && in->expires_min ? in->expires_min : SIP_REG_EXPIRES_MIN;
	c->expires_max =
	    in && in->expires_max ? in->expires_max : SIP_REG_EXPIRES_MAX;
	c->expires_default =
	    in && in->expires_default
	        ? in->expires_default
	        : SC_MIN(SIP_REG_EXPIRES_DEFAULT, c->expires_max);
	c->contacts_max =
	    in && in->contacts_max ? in->contacts_max : SIP_REG_CONTACTS_MAX;
	c->bindings_max =
	    in && in->bindings_max ? in->bindings_max : SIP_REG_BINDINGS_MAX;
	if (c->expires_min > c->expires_max ||
	    c->expires_default < c->expires_min ||
	    c->expires_default > c->expires_max ||
	    c->contacts_max > SIP_REG_CONTACTS_LIMIT)
		return EINVAL;
	return 0;
}

int sip_registrar_alloc(struct sip_registrar **regp, struct tmrl *tl,
                        const struct sip_reg_conf *conf)
{
	struct sip_registrar *reg;
	int err;

	if (!regp || !tl)
		return EINVAL;
	reg = mem_zalloc(sizeof(*reg), registrar_destroy);
	if (!reg)
		return ENOMEM;
	reg->tl = tl;
	err = conf_apply(&reg->conf, conf);
	if (err)
		goto out;
	err = hash_alloc(&reg->aors, SIP_REG_HASH_BUCKETS);
	if (err)
		goto out;
	err = hash_alloc(&reg->flows, SIP_REG_HASH_BUCKETS);
out:
	if (err)
		mem_deref(reg);
	else
		*regp = reg;
	return err;
}

void sip_registrar_set_eventh(struct sip_registrar *reg, sip_reg_event_h *eh,
                              void *arg)
{
	if (!reg)
		return;
	reg->eh = eh;
	reg->arg = arg;
}

static void aor_destroy(void *data)
{
	struct reg_aor *a = data;
	struct le *le;

	/* Only reached when the registrar itself goes (reg_aor_release
	 * frees empty AORs): free the bindings silently. */
	while ((le = a->bindings.head))
		reg_binding_remove(le->data, false);
	hash_unlink(&a->he);
}

static bool aor_cmp(struct le *le, void *arg)
{
	const struct reg_aor *a = le->data;

	return !strcmp(a->aor, arg);
}

struct reg_aor *reg_aor_find(const struct sip_registrar *reg, const char *aor)
{
	struct le *le;

	le = hash_lookup(reg->aors, aor_key(aor), aor_cmp, (void *)aor);
	return le ? le->data : NULL;
}

int reg_aor_get(struct reg_aor **ap, struct sip_registrar *reg, const char *aor)
{
	struct reg_aor *a = reg_aor_find(reg, aor);
	size_t len = strlen(aor);
	int err = 0;

	if (a)
		goto out;
	a = mem_zalloc(sizeof(*a) + len + 1, aor_destroy);
	if (!a) {
		err = ENOMEM;
		goto out;
	}
	memcpy(a->aor, aor, len + 1);
	a->reg = reg;
	hash_append(reg->aors, aor_key(aor), &a->he, a);
out:
	*ap = a;
	return err;
}

void reg_aor_release(struct reg_aor *a)
{
	if (a && !list_count(&a->bindings)) {
		hash_unlink(&a->he);
		mem_deref(a);
	}
}

uint32_t reg_binding_left(const struct reg_binding *b)
{
	uint64_t now = tmrl_now(b->aor->reg->tl);

	if (b->expires_at <= now)
		return 0;
	/* Rounded up: a binding with 200 ms left still exists. */
	return (uint32_t)((b->expires_at - now + 999) / 1000);
}

static void report(struct reg_binding *b, enum sip_reg_event ev)
{
	struct sip_registrar *reg = b->aor->reg;
	struct sip_reg_contact c;

	if (!reg->eh)
		return;
	c.aor = b->aor->aor;
	c.uri = b->uri;
	c.params = b->params;
	c.instance = b->instance;
	c.reg_id = b->reg_id;
	c.flow = b->flow;
	c.expires = reg_binding_left(b);
	c.since_ms = b->since;
	reg->eh(ev, &c, reg->arg);
}

static void binding_destroy(void *data)
{
	struct reg_binding *b = data;

	tmr_cancel(&b->tmr);
	list_unlink(&b->le);
	hash_unlink(&b->fle);
	mem_deref(b->flow);
}

static void binding_expired(void *arg)
{
	struct reg_binding *b = arg;
	struct reg_aor *a = b->aor;

	log_debug("registrar", "%s: %s expired", a->aor, b->uri);
	reg_binding_remove(b, true);
	reg_aor_release(a);
}

int reg_binding_alloc(struct reg_binding **bp, struct sip_registrar *reg,
                      struct sip_flow *flow, uint32_t expires, size_t strsize)
{
	struct reg_binding *b;
	int err;

	b = mem_zalloc(sizeof(*b) + strsize, binding_destroy);
	if (!b)
		return ENOMEM;
	tmr_init(&b->tmr);
	b->flow = mem_ref(flow);
	b->since = tmrl_now(reg->tl);
	b->expires_at = b->since + (uint64_t)expires * 1000;
	err = tmr_start(&b->tmr, reg->tl, (uint64_t)expires * 1000,
	                binding_expired, b);
	if (err)
		b = mem_deref(b);
	*bp = b;
	return err;
}

void reg_binding_link(struct reg_binding *b, struct reg_aor *a,
                      enum sip_reg_event ev)
{
	struct sip_registrar *reg = a->reg;

	b->aor = a;
	list_append(&a->bindings, &b->le, b);
	hash_append(reg->flows, flow_key(b->flow), &b->fle, b);
	reg->nbindings++;
	report(b, ev);
}

void reg_binding_remove(struct reg_binding *b, bool report_it)
{
	if (report_it)
		report(b, SIP_REG_REMOVED);
	b->aor->reg->nbindings--;
	mem_deref(b);
}

void reg_aor_purge(struct reg_aor *a)
{
	struct le *le = a->bindings.head;

	while (le) {
		struct reg_binding *b = le->data;

		le = le->next;
		if (!sip_flow_isopen(b->flow))
			reg_binding_remove(b, true);
	}
}

int sip_registrar_lookup(struct sip_registrar *reg, const char *aor,
                         sip_reg_contact_h *h, void *arg)
{
	struct sip_reg_contact c;
	struct reg_aor *a;
	struct le *le;

	if (!reg || !aor || !h)
		return EINVAL;
	a = reg_aor_find(reg, aor);
	if (!a)
		return ENOENT;
	reg_aor_purge(a);
	if (!list_count(&a->bindings)) {
		reg_aor_release(a);
		return ENOENT;
	}
	LIST_FOREACH(&a->bindings, le)
	{
		const struct reg_binding *b = le->data;

		c.aor = a->aor;
		c.uri = b->uri;
		c.params = b->params;
		c.instance = b->instance;
		c.reg_id = b->reg_id;
		c.flow = b->flow;
		c.expires = reg_binding_left(b);
		c.since_ms = b->since;
		if (!h(&c, arg))
			break;
	}
	return 0;
}

int sip_registrar_remove(struct sip_registrar *reg, const char *aor)
{
	struct reg_aor *a;
	struct le *le;

	if (!reg || !aor)
		return EINVAL;
	a = reg_aor_find(reg, aor);
	if (!a)
		return ENOENT;
	while ((le = a->bindings.head))
		reg_binding_remove(le->data, true);
	reg_aor_release(a);
	return 0;
}

void sip_registrar_flow_closed(struct sip_registrar *reg,
                               const struct sip_flow *flow)
{
	struct list *bucket;
	struct le *le;

	if (!reg || !flow)
		return;
	bucket = hash_bucket(reg->flows, flow_key(flow));
	le = bucket->head;
	while (le) {
		struct reg_binding *b = le->data;
		struct reg_aor *a = b->aor;

		le = le->next;
		if (b->flow != flow)
			continue;
		/* Removing b may free a, never another entry of this bucket
		 * but b itself. */
		reg_binding_remove(b, true);
		reg_aor_release(a);
	}
}

size_t sip_registrar_count(const struct sip_registrar *reg, const char *aor)
{
	const struct reg_aor *a;

	if (!reg)
		return 0;
	if (!aor)
		return reg->nbindings;
	a = reg_aor_find(reg, aor);
	return a ? list_count(&a->bindings) : 0;
}
