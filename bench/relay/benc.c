/* benc.c: bencode decoder and encoder (BEP 3) for the ng control
 * protocol of rtpengine. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "benc.h"

struct dec {
	struct benc_node *nodev;
	size_t nodec;
	size_t used;
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

static int dec_value(struct dec *d, unsigned depth);

/* Digits up to the terminator term: a non-negative decimal of at most
 * BENC_INT_DIGITS_MAX digits (BEP 3: no leading zeros). */
static int dec_digits(struct dec *d, char term, uint64_t *vp)
{
	size_t start = d->pos;
	uint64_t v = 0;

	while (d->pos < d->len && d->buf[d->pos] != term) {
		uint8_t c = d->buf[d->pos];

		if (c < '0' || c > '9')
			return EBADMSG;
		if (d->pos - start >= BENC_INT_DIGITS_MAX)
			return EOVERFLOW;
		v = v * 10 + (uint64_t)(c - '0');
		d->pos++;
	}
	if (d->pos >= d->len)
		return ENODATA;
	if (d->pos == start)
		return EBADMSG;
	if (d->buf[start] == '0' && d->pos - start > 1)
		return EBADMSG;
	d->pos++; /* the terminator */
	*vp = v;
	return 0;
}

static int dec_int(struct dec *d, struct benc_node *n)
{
	bool neg = false;
	uint64_t v;
	int err;

	d->pos++; /* 'i' */
	if (d->pos < d->len && d->buf[d->pos] == '-') {
		neg = true;
		d->pos++;
	}
	err = dec_digits(d, 'e', &v);
	if (err)
		return err;
	if (v > INT64_MAX)
		return EOVERFLOW;
	if (neg && v == 0)
		return EBADMSG; /* "-0" is not bencode */
	n->type = BENC_INT;
	n->i = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int dec_str(struct dec *d, struct benc_node *n)
{
	uint64_t l;
	int err = dec_digits(d, ':', &l);

	if (err)
		return err;
	if (l > d->len - d->pos)
		return ENODATA;
	n->type = BENC_STR;
	n->str.p = (const char *)d->buf + d->pos;
	n->str.l = (size_t)l;
	d->pos += (size_t)l;
	return 0;
}

static int dec_container(struct dec *d, struct benc_node *n, size_t idx,
			 unsigned depth)
{
	bool dict = d->buf[d->pos] == 'd';
	int err;

	if (depth >= BENC_DEPTH_MAX)
		return EOVERFLOW;
	d->pos++;
	n->type = dict ? BENC_DICT : BENC_LIST;
	for (;;) {
		size_t child;

		if (d->pos >= d->len)
			return ENODATA;
		if (d->buf[d->pos] == 'e') {
			d->pos++;
			break;
		}
		child = d->used;
		err = dec_value(d, depth + 1);
		if (err)
			return err;
		/* BEP 3: dictionary keys are strings */
		if (dict && n->n % 2 == 0 && d->nodev[child].type != BENC_STR)
			return EBADMSG;
		d->nodev[idx].n++;
	}
	if (dict && n->n % 2)
		return EBADMSG; /* a key without a value */
	return 0;
}

static int dec_value(struct dec *d, unsigned depth)
{
	struct benc_node *n;
	size_t idx;
	int err;

	if (d->pos >= d->len)
		return ENODATA;
	if (d->used >= d->nodec)
		return EOVERFLOW;
	idx = d->used++;
	n = &d->nodev[idx];
	memset(n, 0, sizeof(*n));
	switch (d->buf[d->pos]) {
	case 'i':
		err = dec_int(d, n);
		break;
	case 'l':
	case 'd':
		err = dec_container(d, n, idx, depth);
		break;
	default:
		if (d->buf[d->pos] >= '0' && d->buf[d->pos] <= '9')
			err = dec_str(d, n);
		else
			err = EBADMSG;
		break;
	}
	d->nodev[idx].next = d->used;
	return err;
}

int benc_decode(struct benc_node *nodev, size_t nodec, size_t *countp,
		const uint8_t *buf, size_t len)
{
	struct dec d = {nodev, nodec, 0, buf, len, 0};
	int err;

	if (!nodev || !countp || (!buf && len))
		return EINVAL;
	err = dec_value(&d, 0);
	if (err)
		goto out;
	if (d.pos != len) {
		err = EBADMSG;
		goto out;
	}
	*countp = d.used;
out:
	return err;
}

size_t benc_dict_get(const struct benc_node *nodev, size_t dict,
		     const char *key)
{
	size_t i, k;

	if (!nodev || !key || nodev[dict].type != BENC_DICT)
		return 0;
	i = dict + 1;
	for (k = 0; k + 1 < nodev[dict].n; k += 2) {
		size_t val = nodev[i].next;

		if (!pl_strcmp(&nodev[i].str, key))
			return val;
		i = nodev[val].next;
	}
	return 0;
}

bool benc_dict_str(const struct benc_node *nodev, size_t dict, const char *key,
		   struct pl *strp)
{
	size_t i = benc_dict_get(nodev, dict, key);

	if (!i || nodev[i].type != BENC_STR)
		return false;
	if (strp)
		*strp = nodev[i].str;
	return true;
}

void benc_enc_init(struct benc_enc *e, uint8_t *buf, size_t size)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->size = size;
	if (!buf)
		e->err = EINVAL;
}

static void put(struct benc_enc *e, const void *p, size_t n)
{
	if (e->err)
		return;
	if (n > e->size - e->pos) {
		e->err = EOVERFLOW;
		return;
	}
	memcpy(e->buf + e->pos, p, n);
	e->pos += n;
}

void benc_enc_mem(struct benc_enc *e, const void *p, size_t n)
{
	char len[24];
	int l = snprintf(len, sizeof(len), "%zu:", n);

	put(e, len, (size_t)l);
	put(e, p, n);
}

void benc_enc_str(struct benc_enc *e, const char *s)
{
	benc_enc_mem(e, s, strlen(s));
}

void benc_enc_int(struct benc_enc *e, int64_t v)
{
	char s[32];
	int l = snprintf(s, sizeof(s), "i%llde", (long long)v);

	put(e, s, (size_t)l);
}

static void open_c(struct benc_enc *e, const char *c)
{
	if (!e->err && e->depth >= BENC_DEPTH_MAX)
		e->err = EOVERFLOW;
	put(e, c, 1);
	if (!e->err)
		e->depth++;
}

void benc_enc_dict(struct benc_enc *e)
{
	open_c(e, "d");
}

void benc_enc_list(struct benc_enc *e)
{
	open_c(e, "l");
}

void benc_enc_end(struct benc_enc *e)
{
	if (!e->err && !e->depth)
		e->err = EINVAL;
	put(e, "e", 1);
	if (!e->err)
		e->depth--;
}

void benc_enc_kv(struct benc_enc *e, const char *key, const char *val)
{
	benc_enc_str(e, key);
	benc_enc_str(e, val);
}

int benc_enc_finish(struct benc_enc *e, size_t *lenp)
{
	if (e->err)
		return e->err;
	if (e->depth)
		return EPROTO;
	if (lenp)
		*lenp = e->pos;
	return 0;
}
