/* strength.c: password strength estimates for operator-chosen secrets
 * (zxcvbn entropy in bits, with a human reason when weak). */
#include <errno.h>
#include <string.h>

#include <zxcvbn.h>

#include "store/seal.h"

#define STRENGTH_SHORT_LEN 12 /* under this, "too short" is the reason */

/* The reason for the pattern that covers the most characters. */
static const char *reason_of(const ZxcMatch_t *info, size_t len)
{
	const ZxcMatch_t *m, *best = NULL;

	for (m = info; m; m = m->Next) {
		int t = (int)m->Type & ~(int)MULTIPLE_MATCH;

		if (t == NON_MATCH || t == BRUTE_MATCH)
			continue;
		if (!best || m->Length > best->Length)
			best = m;
	}
	if (!best)
		return len < STRENGTH_SHORT_LEN
			   ? "too short: use at least 12 random characters"
			   : "too predictable: use a longer random secret";
	switch ((int)best->Type & ~(int)MULTIPLE_MATCH) {
	case DICTIONARY_MATCH:
	case DICT_LEET_MATCH:
		return "contains a common word or password";
	case USER_MATCH:
	case USER_LEET_MATCH:
		return "contains a name it should not";
	case REPEATS_MATCH:
		return "contains repeated characters";
	case SEQUENCE_MATCH:
		return "contains a sequence such as abc or 123";
	case SPATIAL_MATCH:
		return "contains a keyboard pattern such as qwerty";
	case DATE_MATCH:
	case YEAR_MATCH:
		return "contains a date or a year";
	default:
		return "too predictable: use a longer random secret";
	}
}

int store_secret_strength(const char *secret, double *bitsp,
			  const char **reasonp)
{
	ZxcMatch_t *info = NULL;
	double bits;
	size_t len;
	int err = 0;

	if (!secret || !bitsp || !reasonp)
		return EINVAL;
	len = strnlen(secret, STORE_SECRET_MAX + 1);
	if (len > STORE_SECRET_MAX)
		return EOVERFLOW;
	bits = ZxcvbnMatch(secret, NULL, &info);
	*bitsp = bits;
	*reasonp = NULL;
	if (bits < STORE_SECRET_MIN_BITS) {
		*reasonp = len ? reason_of(info, len) : "empty";
		err = ERANGE;
	}
	ZxcvbnFreeInfo(info);
	return err;
}
