/* tsx.c: the SIP transaction layer: tables, keys, sending (RFC 3261 §17). */
#include <errno.h>
#include <string.h>

#include "sip/tsx_int.h"

static void layer_destroy(void *data)
{
	struct sip_tsx_layer *layer = data;

	/* Terminating only releases memory and timers: nothing is sent. */
	sip_tsx_layer_close(layer);
	mem_deref(layer->stxh);
	mem_deref(layer->ctxh);
}

int sip_tsx_layer_alloc(struct sip_tsx_layer **layerp, struct tmrl *tl,
			sip_tsx_send_h *sendh, void *arg)
{
	struct sip_tsx_layer *layer;
	int err;

	if (!layerp || !tl || !sendh)
		return EINVAL;
	layer = mem_zalloc(sizeof(*layer), layer_destroy);
	if (!layer)
		return ENOMEM;
	layer->tl = tl;
	layer->sendh = sendh;
	layer->arg = arg;
	layer->t1 = SIP_TSX_T1;
	layer->t2 = SIP_TSX_T2;
	layer->t4 = SIP_TSX_T4;
	layer->max = SIP_TSX_COUNT_MAX;
	err = hash_alloc(&layer->stxh, SIP_TSX_HASH_BUCKETS);
	if (err)
		goto out;
	err = hash_alloc(&layer->ctxh, SIP_TSX_HASH_BUCKETS);
out:
	if (err)
		mem_deref(layer);
	else
		*layerp = layer;
	return err;
}

int sip_tsx_layer_set_timers(struct sip_tsx_layer *layer, uint32_t t1,
			     uint32_t t2, uint32_t t4)
{
	if (!layer || !t1 || !t2 || !t4 || t2 < t1)
		return EINVAL;
	layer->t1 = t1;
	layer->t2 = t2;
	layer->t4 = t4;
	return 0;
}

void sip_tsx_layer_close(struct sip_tsx_layer *layer)
{
	uint32_t i;

	if (!layer)
		return;
	/* Bucket i of a power-of-two table is the one of key i. */
	for (i = 0; i < SIP_TSX_HASH_BUCKETS && (layer->nstx || layer->nctx);
	     i++) {
		struct list *sb = hash_bucket(layer->stxh, i);
		struct list *cb = hash_bucket(layer->ctxh, i);

		while (sb->head)
			tsx_stx_terminate(sb->head->data);
		while (cb->head)
			tsx_ctx_terminate(cb->head->data);
	}
}

int sip_tsx_layer_set_max(struct sip_tsx_layer *layer, size_t max)
{
	if (!layer || !max)
		return EINVAL;
	layer->max = max;
	return 0;
}

void sip_tsx_layer_set_viah(struct sip_tsx_layer *layer, sip_tsx_via_h *viah)
{
	if (layer)
		layer->viah = viah;
}

int tsx_reply_for(struct mbuf **mbp, const struct sip_tsx_layer *layer,
		  void *dest, const struct sip_msg *req, uint16_t scode,
		  const char *reason)
{
	char vp[SIP_TSX_VIA_PARAMS_MAX] = "";

	if (layer->viah && layer->viah(dest, req, vp, sizeof(vp), layer->arg))
		vp[0] = '\0';
	vp[sizeof(vp) - 1] = '\0';
	return tsx_build_reply(mbp, req, scode, reason, vp);
}

size_t sip_tsx_layer_count(const struct sip_tsx_layer *layer, bool server)
{
	if (!layer)
		return 0;
	return server ? layer->nstx : layer->nctx;
}

bool tsx_branch_rfc3261(const struct pl *branch)
{
	const size_t n = sizeof(SIP_TSX_COOKIE) - 1;

	/* §8.1.1.7: the cookie, and something unique after it. */
	return branch && branch->p && branch->l > n &&
	       !memcmp(branch->p, SIP_TSX_COOKIE, n);
}

static uint32_t key_hash(const struct pl *branch)
{
	return hash_fnv(branch->p, branch->l);
}

void tsx_key_reset(struct tsx_key *key)
{
	key->buf = mem_deref(key->buf);
	memset(key, 0, sizeof(*key));
}

static void key_place(char **cursor, struct pl *dst, const struct pl *src)
{
	dst->p = *cursor;
	dst->l = src ? src->l : 0;
	if (dst->l)
		memcpy(*cursor, src->p, dst->l);
	*cursor += dst->l;
}

/* Returns 0, EOVERFLOW (a part over SIP_TSX_KEY_MAX) or ENOMEM. */
int tsx_key_set(struct tsx_key *key, const struct pl *branch,
		const struct pl *host, uint16_t port, const struct pl *method)
{
	size_t hl = host ? host->l : 0;
	char *cursor;

	if (branch->l > SIP_TSX_KEY_MAX || hl > SIP_TSX_KEY_MAX ||
	    method->l > SIP_TSX_KEY_MAX)
		return EOVERFLOW;
	tsx_key_reset(key);
	key->buf = mem_alloc(branch->l + hl + method->l + 1, NULL);
	if (!key->buf)
		return ENOMEM;
	cursor = key->buf;
	key_place(&cursor, &key->branch, branch);
	key_place(&cursor, &key->host, host);
	key_place(&cursor, &key->method, method);
	key->port = port;
	key->hash = key_hash(branch);
	return 0;
}

void tsx_match_init(struct tsx_match *m, const struct pl *branch,
		    const struct pl *host, uint16_t port,
		    const struct pl *method)
{
	m->branch = branch;
	m->host = host;
	m->port = port;
	m->method = method;
	m->hash = key_hash(branch);
}

/*
 * §17.2.3: branch equal, sent-by equal (host compared case-insensitively, as
 * hosts are; ports as written), method equal (methods are case-sensitive,
 * §7.1). §17.1.3 (m->host NULL): branch and method only.
 */
bool tsx_key_match(const struct tsx_key *key, const struct tsx_match *m)
{
	if (key->hash != m->hash || !pl_eq(&key->branch, m->branch) ||
	    !pl_eq(&key->method, m->method))
		return false;
	if (!m->host)
		return true;
	return key->port == m->port && pl_caseeq(&key->host, m->host);
}

int tsx_send(const struct sip_tsx_layer *layer, void *dest,
	     const struct mbuf *mb)
{
	return layer->sendh(dest, mb->buf, mb->end, layer->arg);
}

/* Replaces *mbp with a new buffer holding data, or leaves it untouched
 * (ENOMEM): a retransmission never sends a half-written copy. */
int tsx_copy(struct mbuf **mbp, const uint8_t *data, size_t len)
{
	struct mbuf *mb = NULL;
	int err = mbuf_alloc(&mb, len);

	if (!err)
		err = mbuf_write_mem(mb, data, len);
	if (err) {
		mem_deref(mb);
		goto out;
	}
	mem_deref(*mbp);
	*mbp = mb;
out:
	return err;
}
