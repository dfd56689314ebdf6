/*-------------------------------------------------------------------------
 *
 * retryopts.c
 *		  The values of the options of the retry policy: rate_limit
 *		  ("N/unit [burst B]") and retry_statuses (a list of status codes).
 *
 * Pure parsers and their text, without shared memory or I/O, so that the
 * option validator (and the fuzz harnesses that drive it) can use them
 * without the rate limit's shared state (ratelimit.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "nodes/bitmapset.h"

#include "rest_fdw.h"

/* Limits of a rate_limit value */
#define REST_RATE_MAX_PER_SECOND	1000000.0
#define REST_RATE_MAX_BURST		1000000

static const struct
{
	const char *name;
	double		seconds;
}			rate_units[] =
{
	{"second", 1},
	{"minute", 60},
	{"hour", 3600},
	{"day", 86400}
};

static const char *
skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Parse a rate_limit value, "N/unit" optionally followed by "burst B":
 * N a positive decimal number, unit second, minute, hour or day (or their
 * plurals), B an integer from 1 (the default: requests evenly spaced).
 * Fills *rl and returns true; or returns false with *detail saying why
 * (NULL when the option's hint says enough).
 */
bool
rest_parse_rate_limit(const char *value, RestRateLimit *rl,
					  const char **detail)
{
	const char *p = skip_spaces(value);
	char	   *end;
	double		n;
	double		unit = 0;
	long		burst = 1;
	size_t		len;
	int			i;

	*detail = NULL;
	if (!(isdigit((unsigned char) *p) || *p == '.'))
		return false;
	errno = 0;
	n = strtod(p, &end);
	if (errno != 0 || end == p)
		return false;
	p = skip_spaces(end);
	if (*p++ != '/')
		return false;
	p = skip_spaces(p);
	for (len = 0; isalpha((unsigned char) p[len]); len++)
		;
	for (i = 0; i < (int) lengthof(rate_units); i++)
	{
		size_t		ulen = strlen(rate_units[i].name);

		if ((len == ulen || (len == ulen + 1 && pg_tolower((unsigned char) p[ulen]) == 's')) &&
			pg_strncasecmp(p, rate_units[i].name, ulen) == 0)
			unit = rate_units[i].seconds;
	}
	if (unit == 0)
		return false;
	p = skip_spaces(p + len);
	if (pg_strncasecmp(p, "burst", 5) == 0)
	{
		p = skip_spaces(p + 5);
		if (!isdigit((unsigned char) *p))
			return false;
		errno = 0;
		burst = strtol(p, &end, 10);
		if (errno != 0 || burst < 1 || burst > REST_RATE_MAX_BURST)
		{
			*detail = "The burst must be an integer from 1 to 1000000.";
			return false;
		}
		p = skip_spaces(end);
	}
	if (*p != '\0')
		return false;
	if (!(n / unit >= 1.0 / 86400 && n / unit <= REST_RATE_MAX_PER_SECOND))
	{
		*detail = "The rate must be from 1 request a day to 1000000 requests a second.";
		return false;
	}
	rl->per_second = n / unit;
	rl->burst = (int) burst;
	return true;
}

/*
 * Parse a list of HTTP status codes from 400 to 599, separated by commas
 * (retry_statuses), into a set of the codes.  Returns false with *detail
 * saying why when a code is refused.
 */
bool
rest_parse_status_list(const char *value, Bitmapset **set,
					   const char **detail)
{
	const char *p = value;
	Bitmapset  *codes = NULL;

	*detail = NULL;
	for (;;)
	{
		int			code;

		p = skip_spaces(p);
		if (!isdigit((unsigned char) p[0]) || !isdigit((unsigned char) p[1]) ||
			!isdigit((unsigned char) p[2]) || isdigit((unsigned char) p[3]))
		{
			*detail = "Each item must be a three-digit HTTP status code.";
			return false;
		}
		code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (code < 400 || code > 599)
		{
			*detail = psprintf("Status %d is not an error status from 400 to 599.",
							   code);
			return false;
		}
		codes = bms_add_member(codes, code);
		p = skip_spaces(p + 3);
		if (*p == '\0')
			break;
		if (*p++ != ',')
		{
			*detail = "Separate the status codes with commas.";
			return false;
		}
	}
	*set = codes;
	return true;
}

/*
 * The rate of rl in the first unit that makes it a whole number, "10/second"
 * or "30/minute burst 4", for messages and EXPLAIN (palloc'd).
 */
char *
rest_rate_limit_text(const RestRateLimit *rl)
{
	char		rate[64];
	int			i;

	snprintf(rate, sizeof(rate), "%g/second", rl->per_second);
	for (i = 0; i < (int) lengthof(rate_units); i++)
	{
		double		n = rl->per_second * rate_units[i].seconds;

		if (n >= 1 && fabs(n - rint(n)) < 1e-6 * n)
		{
			snprintf(rate, sizeof(rate), "%.0f/%s", rint(n), rate_units[i].name);
			break;
		}
	}
	if (rl->burst > 1)
		return psprintf("%s burst %d", rate, rl->burst);
	return pstrdup(rate);
}
