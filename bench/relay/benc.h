/* benc.h: bencode (BitTorrent BEP 3 encoding, as rtpengine's ng control
 * protocol uses it) for the relay benchmark: a decoder into a caller-given
 * node array (views into the input, no allocation) and an encoder into a
 * caller buffer. */
#ifndef SC_BENCH_BENC_H
#define SC_BENCH_BENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define BENC_DEPTH_MAX 16      /* nesting of lists and dictionaries */
#define BENC_INT_DIGITS_MAX 19 /* fits an int64_t */

enum benc_type {
	BENC_STR,
	BENC_INT,
	BENC_LIST,
	BENC_DICT,
};

/* One value. Containers are followed by their children in document order
 * (a dictionary: key, value, key, value, ...); next is the index just past
 * this value's subtree, so siblings are found by jumping. */
struct benc_node {
	enum benc_type type;
	struct pl str; /* BENC_STR: the bytes (a view into the input) */
	int64_t i;     /* BENC_INT */
	size_t n;      /* containers: direct children (dict: keys + values) */
	size_t next;   /* index after the subtree */
};

/*
 * Decodes exactly one value of len bytes into nodev (room for nodec
 * nodes); *countp gets the nodes used. Never reads past len; keeps views
 * into buf. Returns 0, EINVAL (NULL), EBADMSG (malformed, or bytes after
 * the value), ENODATA (the value is cut short), EOVERFLOW (more than nodec
 * nodes, deeper than BENC_DEPTH_MAX, or an integer out of range).
 */
int benc_decode(struct benc_node *nodev, size_t nodec, size_t *countp,
		const uint8_t *buf, size_t len);

/* The value under key in the dictionary at index dict: its index, or 0
 * when dict is not a dictionary or has no such key (0 is never a member:
 * it is the root). */
size_t benc_dict_get(const struct benc_node *nodev, size_t dict,
		     const char *key);
/* The string under key as a view; false when absent or not a string. */
bool benc_dict_str(const struct benc_node *nodev, size_t dict, const char *key,
		   struct pl *strp);

/* Encoder: errors are sticky (EOVERFLOW when buf is too small, EINVAL for
 * an end() without an open container), so one check at benc_enc_finish()
 * is enough. Keys of a dictionary must be written in sorted order by the
 * caller (BEP 3); this encoder does not reorder them. */
struct benc_enc {
	uint8_t *buf;
	size_t size;
	size_t pos;
	unsigned depth;
	int err;
};

void benc_enc_init(struct benc_enc *e, uint8_t *buf, size_t size);
void benc_enc_str(struct benc_enc *e, const char *s);
void benc_enc_mem(struct benc_enc *e, const void *p, size_t n);
void benc_enc_int(struct benc_enc *e, int64_t v);
void benc_enc_dict(struct benc_enc *e); /* opens "d" */
void benc_enc_list(struct benc_enc *e); /* opens "l" */
void benc_enc_end(struct benc_enc *e);  /* closes the innermost */
/* A key and its string value in one call. */
void benc_enc_kv(struct benc_enc *e, const char *key, const char *val);
/* 0 and the length when every container is closed; else the error
 * (EPROTO when a container is still open). */
int benc_enc_finish(struct benc_enc *e, size_t *lenp);

#endif
