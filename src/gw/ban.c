/* ban.c: brute-force bans for digest authentication failures, per source
 * and per account, with bounded memory (see ban.h for the rules). */
#include <errno.h>
#include <string.h>

#include "gw/ban.h"

/* Eviction classes: entries without history go first, active bans never. */
enum ent_class {
	CLASS_PLAIN = 0, /* failures only */
	CLASS_REPEAT,    /* not banned now, banned before */
	CLASS_BANNED,    /* banned now (or until the next look) */
	CLASS_COUNT
};

struct ban_ent {
	struct le hle; /* in the table's hash */
	struct le lle; /* in the list of its class, least recent first */
	enum ent_class cls;
	uint64_t fails[GW_BAN_THRESHOLD_MAX]; /* ring of failure times */
	uint32_t nfails;                      /* in the ring, <= threshold */
	uint32_t head;                        /* next slot to write */
	uint64_t until;                       /* end of the last ban */
	uint64_t quiet_from; /* last failure or ban end: decay counts from */
	uint32_t bans;       /* earlier bans still remembered */
	size_t klen;
	char key[];
};

struct ban_table {
	struct hash *ht;
	struct list lists[CLASS_COUNT];
	size_t count;
};

struct gw_bans {
	struct gw_bans_conf conf;
	struct ban_table tab[GW_BAN_TABLES];
};

static void ent_destroy(void *data)
{
	struct ban_ent *e = data;

	hash_unlink(&e->hle);
	list_unlink(&e->lle);
}

static void ent_free(struct ban_table *tab, struct ban_ent *e)
{
	tab->count--;
	mem_deref(e);
}

static void bans_destroy(void *data)
{
	struct gw_bans *bans = data;
	int t, c;

	for (t = 0; t < GW_BAN_TABLES; t++) {
		for (c = 0; c < CLASS_COUNT; c++)
			while (bans->tab[t].lists[c].head)
				mem_deref(bans->tab[t].lists[c].head->data);
		mem_deref(bans->tab[t].ht);
	}
}

int gw_bans_alloc(struct gw_bans **bansp, const struct gw_bans_conf *conf)
{
	struct gw_bans_conf c = {0};
	struct gw_bans *bans;
	int t, err = 0;

	if (!bansp)
		return EINVAL;
	if (conf)
		c = *conf;
	c.window_ms = c.window_ms ? c.window_ms : GW_BAN_WINDOW_MS;
	c.threshold = c.threshold ? c.threshold : GW_BAN_THRESHOLD;
	c.period_ms = c.period_ms ? c.period_ms : GW_BAN_PERIOD_MS;
	c.period_max_ms =
	    c.period_max_ms ? c.period_max_ms : GW_BAN_PERIOD_MAX_MS;
	c.decay_ms = c.decay_ms ? c.decay_ms : GW_BAN_DECAY_MS;
	c.max_entries = c.max_entries ? c.max_entries : GW_BAN_ENTRIES_MAX;
	if (c.threshold > GW_BAN_THRESHOLD_MAX || c.period_max_ms < c.period_ms)
		return EINVAL;

	bans = mem_zalloc(sizeof(*bans), bans_destroy);
	if (!bans)
		return ENOMEM;
	bans->conf = c;
	for (t = 0; t < GW_BAN_TABLES && !err; t++)
		err = hash_alloc(
		    &bans->tab[t].ht,
		    (uint32_t)SC_MIN(c.max_entries / 2 + 1, 1u << 16));
	if (err)
		mem_deref(bans);
	else
		*bansp = bans;
	return err;
}

static bool ent_cmp(struct le *le, void *arg)
{
	const struct ban_ent *e = le->data;
	const struct pl *key = arg;

	return e->klen == key->l && !memcmp(e->key, key->p, key->l);
}

static int key_get(struct pl *pl, const char *key)
{
	if (!key)
		return EINVAL;
	pl->p = key;
	pl->l = strnlen(key, GW_BAN_KEY_MAX + 1);
	return pl->l > GW_BAN_KEY_MAX ? EOVERFLOW : 0;
}

static struct ban_ent *ent_find(struct ban_table *tab, const struct pl *key)
{
	struct le *le = hash_lookup(tab->ht, hash_fnv(key->p, key->l), ent_cmp,
				    (void *)key);

	return le ? le->data : NULL;
}

/* Forgets one earlier ban per full decay period of quiet. */
static void ent_decay(const struct gw_bans *bans, struct ban_ent *e,
		      uint64_t now)
{
	uint64_t days;

	if (!e->bans || now <= e->quiet_from)
		return;
	days = (now - e->quiet_from) / bans->conf.decay_ms;
	if (!days)
		return;
	e->bans = days >= e->bans ? 0 : e->bans - (uint32_t)days;
	e->quiet_from += days * bans->conf.decay_ms;
}

static uint64_t newest_fail(const struct gw_bans *bans, const struct ban_ent *e)
{
	uint32_t thr = bans->conf.threshold;

	return e->fails[(e->head + thr - 1) % thr];
}

/* Decays, then moves e to the list of its class (tail: most recent) when
 * touch or when the class changed. Frees it and returns NULL when no rule
 * needs it any more. */
static struct ban_ent *ent_settle(struct gw_bans *bans, struct ban_table *tab,
				  struct ban_ent *e, uint64_t now, bool touch)
{
	enum ent_class cls;

	ent_decay(bans, e, now);
	if (e->nfails && now - newest_fail(bans, e) >= bans->conf.window_ms)
		e->nfails = 0; /* every counted failure is out of the window */
	if (e->until > now)
		cls = CLASS_BANNED;
	else if (e->bans)
		cls = CLASS_REPEAT;
	else if (e->nfails)
		cls = CLASS_PLAIN;
	else {
		ent_free(tab, e);
		return NULL;
	}
	if (touch || cls != e->cls) {
		list_unlink(&e->lle);
		list_append(&tab->lists[cls], &e->lle, e);
		e->cls = cls;
	}
	return e;
}

/* Makes room for one entry: never drops an active ban. */
static int table_make_room(struct gw_bans *bans, struct ban_table *tab,
			   uint64_t now)
{
	struct le *le, *next;

	if (tab->count < bans->conf.max_entries)
		return 0;
	if (!tab->lists[CLASS_PLAIN].head && !tab->lists[CLASS_REPEAT].head) {
		/* Only bans: expired ones become evictable. */
		for (le = tab->lists[CLASS_BANNED].head; le; le = next) {
			next = le->next;
			ent_settle(bans, tab, le->data, now, false);
		}
		if (tab->count < bans->conf.max_entries)
			return 0;
	}
	le = tab->lists[CLASS_PLAIN].head ? tab->lists[CLASS_PLAIN].head
					  : tab->lists[CLASS_REPEAT].head;
	if (!le)
		return EOVERFLOW;
	ent_free(tab, le->data);
	return 0;
}

static int ent_new(struct gw_bans *bans, struct ban_table *tab,
		   const struct pl *key, uint64_t now, struct ban_ent **ep)
{
	struct ban_ent *e;
	int err;

	err = table_make_room(bans, tab, now);
	if (err) {
		log_warn("gw", "ban table full of active bans: not tracking "
			       "new keys");
		return err;
	}
	e = mem_zalloc(sizeof(*e) + key->l + 1, ent_destroy);
	if (!e)
		return ENOMEM;
	memcpy(e->key, key->p, key->l);
	e->klen = key->l;
	e->cls = CLASS_PLAIN;
	hash_append(tab->ht, hash_fnv(key->p, key->l), &e->hle, e);
	list_append(&tab->lists[CLASS_PLAIN], &e->lle, e);
	tab->count++;
	*ep = e;
	return 0;
}

static uint64_t ban_period(const struct gw_bans *bans, uint32_t earlier)
{
	uint64_t p = bans->conf.period_ms;

	while (earlier-- && p < bans->conf.period_max_ms)
		p *= 2;
	return SC_MIN(p, bans->conf.period_max_ms);
}

static bool bad_table(const struct gw_bans *bans, enum gw_ban_table t)
{
	return !bans || (int)t < 0 || (int)t >= GW_BAN_TABLES;
}

/* Counts one failure of an entry that is not banned now; EACCES when it
 * bans. The entry is never freed here: it holds a failure or a ban. */
static int count_failure(struct gw_bans *bans, struct ban_table *tab,
			 struct ban_ent *e, uint64_t now)
{
	uint32_t thr = bans->conf.threshold;
	int err = 0;

	ent_decay(bans, e, now);
	e->fails[e->head] = now;
	e->head = (e->head + 1) % thr;
	if (e->nfails < thr)
		e->nfails++;
	e->quiet_from = now;
	/* The oldest of the last thr failures is the next slot to write. */
	if (e->nfails == thr &&
	    now - e->fails[e->head] < bans->conf.window_ms) {
		e->until = now + ban_period(bans, e->bans);
		e->quiet_from = e->until;
		e->bans++;
		e->nfails = 0;
		e->head = 0;
		err = EACCES;
	}
	ent_settle(bans, tab, e, now, true);
	return err;
}

int gw_bans_fail(struct gw_bans *bans, enum gw_ban_table t, const char *key,
		 uint64_t now_ms, uint64_t *remainp)
{
	struct ban_table *tab;
	struct ban_ent *e;
	struct pl k;
	int err;

	if (bad_table(bans, t))
		return EINVAL;
	err = key_get(&k, key);
	if (err)
		return err;
	tab = &bans->tab[t];
	e = ent_find(tab, &k);
	if (!e) {
		err = ent_new(bans, tab, &k, now_ms, &e);
		if (err)
			return err;
	}
	if (e->until > now_ms)
		err = EACCES; /* not counted, not extended */
	else
		err = count_failure(bans, tab, e, now_ms);
	if (err == EACCES && remainp)
		*remainp = e->until - now_ms;
	return err;
}

int gw_bans_check(struct gw_bans *bans, enum gw_ban_table t, const char *key,
		  uint64_t now_ms, uint64_t *remainp)
{
	struct ban_ent *e;
	struct pl k;
	int err;

	if (bad_table(bans, t))
		return EINVAL;
	err = key_get(&k, key);
	if (err)
		return err;
	e = ent_find(&bans->tab[t], &k);
	if (!e)
		return 0;
	if (e->until > now_ms) {
		if (remainp)
			*remainp = e->until - now_ms;
		return EACCES;
	}
	if (e->cls == CLASS_BANNED)
		ent_settle(bans, &bans->tab[t], e, now_ms, false);
	return 0;
}

void gw_bans_success(struct gw_bans *bans, enum gw_ban_table t, const char *key)
{
	struct ban_ent *e;
	struct pl k;

	if (bad_table(bans, t) || key_get(&k, key))
		return;
	e = ent_find(&bans->tab[t], &k);
	if (!e)
		return;
	e->nfails = 0;
	e->head = 0;
	if (e->cls == CLASS_PLAIN)
		ent_free(&bans->tab[t], e); /* nothing else to remember */
}

int gw_bans_clear(struct gw_bans *bans, enum gw_ban_table t, const char *key)
{
	struct ban_ent *e;
	struct pl k;
	int err;

	if (bad_table(bans, t))
		return EINVAL;
	err = key_get(&k, key);
	if (err)
		return err;
	e = ent_find(&bans->tab[t], &k);
	if (!e)
		return ENOENT;
	ent_free(&bans->tab[t], e);
	return 0;
}

void gw_bans_list(struct gw_bans *bans, uint64_t now_ms, gw_ban_h *h, void *arg)
{
	struct le *le;
	int t;

	if (!bans || !h)
		return;
	for (t = 0; t < GW_BAN_TABLES; t++) {
		LIST_FOREACH(&bans->tab[t].lists[CLASS_BANNED], le)
		{
			const struct ban_ent *e = le->data;
			struct gw_ban_info bi;

			if (e->until <= now_ms)
				continue;
			bi.table = (enum gw_ban_table)t;
			bi.key = e->key;
			bi.remain_ms = e->until - now_ms;
			bi.bans = e->bans;
			if (!h(&bi, arg))
				return;
		}
	}
}

void gw_bans_sweep(struct gw_bans *bans, uint64_t now_ms)
{
	struct le *le, *next;
	int t, c;

	if (!bans)
		return;
	/* ent_settle moves an entry only to another class's tail, never to
	 * its own list, so the walk ends. */
	for (t = 0; t < GW_BAN_TABLES; t++)
		for (c = 0; c < CLASS_COUNT; c++)
			for (le = bans->tab[t].lists[c].head; le; le = next) {
				next = le->next;
				ent_settle(bans, &bans->tab[t], le->data,
					   now_ms, false);
			}
}

size_t gw_bans_count(const struct gw_bans *bans, enum gw_ban_table t)
{
	return bad_table(bans, t) ? 0 : bans->tab[t].count;
}
