/* core.h: memory, byte views, buffers, lists, hash tables, timers and logging. */
#ifndef SC_CORE_H
#define SC_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SC_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SC_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * mem: reference-counted allocation with a destructor (as in libre).
 *
 * mem_zalloc() returns an object with one reference; mem_deref() drops one
 * and runs the destructor, then frees, when the last one goes. Destructors
 * only release what the object owns: side effects belong in explicit
 * *_close() calls. The live-allocation count and the fail-after switch exist
 * for tests (leak checks, allocation-failure paths).
 */
typedef void(mem_destroy_h)(void *data);

void *mem_alloc(size_t size, mem_destroy_h *dh);
void *mem_zalloc(size_t size, mem_destroy_h *dh);
void *mem_realloc(void *data, size_t size);
void *mem_ref(void *data);
void *mem_deref(void *data); /* always returns NULL */
uint32_t mem_nrefs(const void *data);
size_t mem_live(void);
void mem_fail_after(long n); /* n-th next allocation fails; -1 never */
void mem_secure_zero(void *p, size_t n);

/*
 * pl: a pointer-length view into someone else's bytes. Never owns memory.
 */
struct pl {
	const char *p;
	size_t l;
};

#define PL(s) ((struct pl){(s), sizeof(s) - 1})
#define PL_INIT {NULL, 0}
#define PL_FMT(pl) (int)(pl)->l, (pl)->p /* for "%.*s" */

void pl_set_str(struct pl *pl, const char *s);
static inline bool pl_isset(const struct pl *pl)
{
	return pl && pl->p && pl->l;
}
int pl_strcmp(const struct pl *pl, const char *s);	/* 0 when equal */
int pl_strcasecmp(const struct pl *pl, const char *s); /* 0 when equal */
bool pl_eq(const struct pl *a, const struct pl *b);
bool pl_caseeq(const struct pl *a, const struct pl *b);
int pl_u32(const struct pl *pl, uint32_t *v);	/* EBADMSG, EOVERFLOW */
int pl_strcpy(const struct pl *pl, char *buf, size_t size); /* EOVERFLOW */
int pl_strdup(char **dstp, const struct pl *pl);	/* mem_alloc'd */
const char *pl_chr(const struct pl *pl, char c);
void pl_trim(struct pl *pl);
bool pl_casefind(const struct pl *hay, const char *needle);

/*
 * mbuf: a growable byte buffer. pos is the read/write cursor, end the
 * length of valid data.
 */
struct mbuf {
	uint8_t *buf;
	size_t size;
	size_t pos;
	size_t end;
};

int mbuf_alloc(struct mbuf **mbp, size_t size);
int mbuf_resize(struct mbuf *mb, size_t size);
void mbuf_reset(struct mbuf *mb);
int mbuf_write_mem(struct mbuf *mb, const void *p, size_t n);
int mbuf_write_str(struct mbuf *mb, const char *s);
int mbuf_write_pl(struct mbuf *mb, const struct pl *pl);
int mbuf_printf(struct mbuf *mb, const char *fmt, ...) SC_PRINTF(2, 3);
int mbuf_vprintf(struct mbuf *mb, const char *fmt, va_list ap);
static inline uint8_t *mbuf_buf(const struct mbuf *mb)
{
	return mb->buf + mb->pos;
}
static inline size_t mbuf_left(const struct mbuf *mb)
{
	return mb->end > mb->pos ? mb->end - mb->pos : 0;
}

/*
 * list: an intrusive doubly linked list. The element lives inside the
 * object it links; the list owns nothing.
 */
struct list;
struct le {
	struct le *prev;
	struct le *next;
	struct list *list;
	void *data;
};
struct list {
	struct le *head;
	struct le *tail;
	size_t count;
};

#define LIST_INIT {NULL, NULL, 0}
#define LIST_FOREACH(lst, le) for ((le) = (lst)->head; (le); (le) = (le)->next)

void list_init(struct list *list);
void list_append(struct list *list, struct le *le, void *data);
void list_prepend(struct list *list, struct le *le, void *data);
void list_unlink(struct le *le);
void list_flush(struct list *list); /* unlinks all and mem_deref()s data */
static inline size_t list_count(const struct list *list)
{
	return list ? list->count : 0;
}

/*
 * hash: buckets of intrusive lists, keyed by a caller-computed hash.
 */
struct hash;
typedef bool(hash_cmp_h)(struct le *le, void *arg);

int hash_alloc(struct hash **hp, uint32_t bucket_count);
void hash_append(struct hash *h, uint32_t key, struct le *le, void *data);
void hash_unlink(struct le *le);
struct le *hash_lookup(const struct hash *h, uint32_t key, hash_cmp_h *cmp,
		       void *arg);
struct list *hash_bucket(const struct hash *h, uint32_t key);
void hash_flush(struct hash *h);
size_t hash_count(const struct hash *h);
uint32_t hash_fnv(const void *p, size_t n);
uint32_t hash_fnv_ci(const void *p, size_t n); /* ASCII case-insensitive */

/*
 * tmr: one-shot timers on a clock that the owner drives. A timer list keeps
 * "now" as last given to tmrl_poll(); production code feeds it the event
 * loop's clock, unit tests feed it whatever time they like.
 */
struct tmrl;
typedef void(tmr_h)(void *arg);

struct tmr {
	struct tmrl *tl;
	uint64_t when;
	size_t idx; /* position in the heap */
	tmr_h *th;
	void *arg;
};

int tmrl_alloc(struct tmrl **tlp, uint64_t now_ms);
uint64_t tmrl_now(const struct tmrl *tl);
void tmrl_poll(struct tmrl *tl, uint64_t now_ms); /* runs expired timers */
uint64_t tmrl_next(const struct tmrl *tl);	/* ms until next; UINT64_MAX */
size_t tmrl_count(const struct tmrl *tl);

void tmr_init(struct tmr *tmr);
int tmr_start(struct tmr *tmr, struct tmrl *tl, uint64_t delay_ms, tmr_h *th,
	      void *arg);
void tmr_cancel(struct tmr *tmr);
static inline bool tmr_isrunning(const struct tmr *tmr)
{
	return tmr->tl != NULL;
}

/*
 * log: leveled logging to stderr. The level is the only global state.
 */
enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_level_set(enum log_level level);
enum log_level log_level_get(void);
int log_level_parse(const char *s, enum log_level *levelp);
void log_msg(enum log_level level, const char *mod, const char *fmt, ...)
	SC_PRINTF(3, 4);

#define log_debug(mod, ...)                                                    \
	do {                                                                   \
		if (log_level_get() <= LOG_DEBUG)                              \
			log_msg(LOG_DEBUG, mod, __VA_ARGS__);                  \
	} while (0)
#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

/*
 * rand: bytes from the operating system's random source.
 */
int rand_bytes(void *p, size_t n);
uint32_t rand_u32(void);
void rand_token(char *buf, size_t size); /* size-1 chars of [a-zA-Z0-9] */

/* A caller-owned pool of OS randomness for frequent small draws (tags):
 * one getrandom() per RAND_POOL_SIZE bytes instead of one per draw. */
#define RAND_POOL_SIZE 256
struct rand_pool {
	uint8_t buf[RAND_POOL_SIZE];
	size_t used;
};

void rand_pool_init(struct rand_pool *rp);
void rand_pool_token(struct rand_pool *rp, char *buf, size_t size);

#endif
