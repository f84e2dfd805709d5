/* mbuf.c: growable byte buffers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

#define MBUF_MIN 64

static void mbuf_destroy(void *data)
{
	struct mbuf *mb = data;

	mem_deref(mb->buf);
}

int mbuf_alloc(struct mbuf **mbp, size_t size)
{
	struct mbuf *mb = mem_zalloc(sizeof(*mb), mbuf_destroy);
	int err;

	if (!mb)
		return ENOMEM;
	err = mbuf_resize(mb, size ? size : MBUF_MIN);
	if (err) {
		mem_deref(mb);
		return err;
	}
	*mbp = mb;
	return 0;
}

int mbuf_resize(struct mbuf *mb, size_t size)
{
	uint8_t *buf = mem_realloc(mb->buf, size);

	if (!buf)
		return ENOMEM;
	mb->buf = buf;
	mb->size = size;
	if (mb->end > size)
		mb->end = size;
	if (mb->pos > size)
		mb->pos = size;
	return 0;
}

void mbuf_reset(struct mbuf *mb)
{
	mb->pos = 0;
	mb->end = 0;
}

static int mbuf_reserve(struct mbuf *mb, size_t n)
{
	size_t need = mb->pos + n, sz = mb->size ? mb->size : MBUF_MIN;

	if (need <= mb->size)
		return 0;
	while (sz < need)
		sz *= 2;
	return mbuf_resize(mb, sz);
}

int mbuf_write_mem(struct mbuf *mb, const void *p, size_t n)
{
	int err = mbuf_reserve(mb, n);

	if (err)
		return err;
	if (n)
		memcpy(mb->buf + mb->pos, p, n);
	mb->pos += n;
	if (mb->pos > mb->end)
		mb->end = mb->pos;
	return 0;
}

int mbuf_write_str(struct mbuf *mb, const char *s)
{
	return mbuf_write_mem(mb, s, strlen(s));
}

int mbuf_write_pl(struct mbuf *mb, const struct pl *pl)
{
	return mbuf_write_mem(mb, pl->p, pl->l);
}

int mbuf_vprintf(struct mbuf *mb, const char *fmt, va_list ap)
{
	va_list aq;
	int n, err;

	va_copy(aq, ap);
	n = vsnprintf((char *)mb->buf + mb->pos, mb->size - mb->pos, fmt, aq);
	va_end(aq);
	if (n < 0)
		return EINVAL;
	if ((size_t)n >= mb->size - mb->pos) {
		err = mbuf_reserve(mb, (size_t)n + 1);
		if (err)
			return err;
		n = vsnprintf((char *)mb->buf + mb->pos, mb->size - mb->pos,
			      fmt, ap);
		if (n < 0)
			return EINVAL;
	}
	mb->pos += (size_t)n;
	if (mb->pos > mb->end)
		mb->end = mb->pos;
	return 0;
}

int mbuf_printf(struct mbuf *mb, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = mbuf_vprintf(mb, fmt, ap);
	va_end(ap);
	return err;
}
