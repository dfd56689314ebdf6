/*-------------------------------------------------------------------------
 *
 * fmtcheck.c
 *		  The values of the format column option: which kind a value names,
 *		  and why a pattern is refused.
 *
 * Pure code without the backend's date and time routines, so that the
 * option validator, the model-file reader (config.c) and the fuzz
 * harnesses that drive both can use it; the conversions themselves are
 * in valuefmt.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "rest_fdw.h"

/* The conversions a pattern may use, for messages */
#define FORMAT_CONVERSIONS "%Y %m %d %H %I %M %S %f %p %b %z %%"

RestFormatKind
rest_format_kind(const char *format)
{
	if (pg_strcasecmp(format, "epoch") == 0)
		return REST_FMT_EPOCH;
	if (pg_strcasecmp(format, "epoch_ms") == 0)
		return REST_FMT_EPOCH_MS;
	if (pg_strcasecmp(format, "msjson") == 0 ||
		pg_strcasecmp(format, "/Date()/") == 0)
		return REST_FMT_MSJSON;
	if (pg_strcasecmp(format, "base64") == 0)
		return REST_FMT_BASE64;
	if (pg_strcasecmp(format, "base64url") == 0)
		return REST_FMT_BASE64URL;
	return REST_FMT_PATTERN;
}

/* Is the format one for bytea columns? */
bool
rest_is_binary_format(const char *format)
{
	RestFormatKind k = rest_format_kind(format);

	return k == REST_FMT_BASE64 || k == REST_FMT_BASE64URL;
}

/*
 * Why a format option's value is refused, as a DETAIL sentence, or NULL
 * when it is valid.
 */
const char *
rest_format_problem(const char *format)
{
	const char *p;
	bool		any = false;

	if (rest_format_kind(format) != REST_FMT_PATTERN)
		return NULL;
	if (strchr(format, '%') == NULL)
		return psprintf("The format \"%s\" is neither epoch, epoch_ms, msjson, base64 nor base64url, and holds no %% conversion.",
						format);
	if (strlen(format) > 200 || rest_has_control_chars(format))
		return "A pattern is at most 200 bytes, without control characters.";
	for (p = format; *p; p++)
	{
		if (*p != '%')
			continue;
		p++;
		if (*p == '\0' || strchr("YmdHIMSfpbz%", *p) == NULL)
			return psprintf("The conversion %%%.*s is not supported; the supported conversions are %s.",
							*p ? pg_mblen(p) : 0, p, FORMAT_CONVERSIONS);
		any = any || *p != '%';
	}
	if (!any)
		return "The pattern holds no conversion but %.";
	return NULL;
}

