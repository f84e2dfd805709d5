/* log.c: leveled logging to stderr with a UTC timestamp. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core.h"

static enum log_level level = LOG_INFO; /* the one mutable global */

static const char *const names[] = {"debug", "info", "warn", "error"};

void log_level_set(enum log_level l)
{
	level = l;
}

enum log_level log_level_get(void)
{
	return level;
}

int log_level_parse(const char *s, enum log_level *levelp)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*levelp = (enum log_level)i;
			return 0;
		}
	}
	return EINVAL;
}

void log_msg(enum log_level l, const char *mod, const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (l < level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
		     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[l], mod);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line keeps lines whole across threads. */
	fprintf(stderr, "%s\n", line);
}
