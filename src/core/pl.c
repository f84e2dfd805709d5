/* pl.c: pointer-length byte views. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core.h"

void pl_set_str(struct pl *pl, const char *s)
{
	pl->p = s;
	pl->l = s ? strlen(s) : 0;
}

int pl_strcmp(const struct pl *pl, const char *s)
{
	size_t n = strlen(s);

	if (pl->l != n)
		return pl->l < n ? -1 : 1;
	return n ? memcmp(pl->p, s, n) : 0;
}

int pl_strcasecmp(const struct pl *pl, const char *s)
{
	size_t n = strlen(s);

	if (pl->l != n)
		return pl->l < n ? -1 : 1;
	return n ? strncasecmp(pl->p, s, n) : 0;
}

bool pl_eq(const struct pl *a, const struct pl *b)
{
	return a->l == b->l && (a->l == 0 || !memcmp(a->p, b->p, a->l));
}

bool pl_caseeq(const struct pl *a, const struct pl *b)
{
	return a->l == b->l && (a->l == 0 || !strncasecmp(a->p, b->p, a->l));
}

/* Strict unsigned decimal: digits only, no sign, no spaces. */
int pl_u32(const struct pl *pl, uint32_t *v)
{
	uint64_t n = 0;
	size_t i;

	if (!pl->l)
		return EBADMSG;
	for (i = 0; i < pl->l; i++) {
		char c = pl->p[i];

		if (c < '0' || c > '9')
			return EBADMSG;
		n = n * 10 + (uint64_t)(c - '0');
		if (n > UINT32_MAX)
			return EOVERFLOW;
	}
	*v = (uint32_t)n;
	return 0;
}

int pl_strcpy(const struct pl *pl, char *buf, size_t size)
{
	if (!size || pl->l >= size)
		return EOVERFLOW;
	if (pl->l)
		memcpy(buf, pl->p, pl->l);
	buf[pl->l] = '\0';
	return 0;
}

int pl_strdup(char **dstp, const struct pl *pl)
{
	char *s = mem_alloc(pl->l + 1, NULL);

	if (!s)
		return ENOMEM;
	if (pl->l)
		memcpy(s, pl->p, pl->l);
	s[pl->l] = '\0';
	*dstp = s;
	return 0;
}

const char *pl_chr(const struct pl *pl, char c)
{
	return pl->l ? memchr(pl->p, c, pl->l) : NULL;
}

void pl_trim(struct pl *pl)
{
	while (pl->l && (pl->p[0] == ' ' || pl->p[0] == '\t' ||
			 pl->p[0] == '\r' || pl->p[0] == '\n')) {
		pl->p++;
		pl->l--;
	}
	while (pl->l && (pl->p[pl->l - 1] == ' ' || pl->p[pl->l - 1] == '\t' ||
			 pl->p[pl->l - 1] == '\r' || pl->p[pl->l - 1] == '\n'))
		pl->l--;
}

bool pl_casefind(const struct pl *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n > hay->l)
		return false;
	for (i = 0; i + n <= hay->l; i++)
		if (!strncasecmp(hay->p + i, needle, n))
			return true;
	return false;
}
