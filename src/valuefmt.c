/*-------------------------------------------------------------------------
 *
 * valuefmt.c
 *		  How an API writes dates and times: the format column option.
 *
 * A date, time, timestamp or timestamptz column may say how its values
 * are written in the JSON, for reading them and for sending the values of
 * pushed conditions in the same form:
 *
 *	 epoch		seconds since 1970-01-01 00:00 UTC, an integer or a decimal
 *				fraction (to the microsecond), as a JSON number or string
 *	 epoch_ms	milliseconds since then (to the microsecond)
 *	 msjson		(or /Date()/) the Microsoft JSON date /Date(1700000000000+0000)/:
 *				milliseconds since then, and optionally the writer's UTC
 *				offset (+hhmm or -hhmm)
 *	 a pattern	holding a %: strftime conversions (those fmtcheck.c names),
 *				anything else matched literally
 *
 * and a bytea column how its bytes are written in a JSON string:
 *
 *	 base64		RFC 4648 base64 (the JSON writers of Java, .NET and Python)
 *	 base64url	the URL-safe alphabet, padding optional (Gmail, JWTs)
 *
 * An instant (epoch, epoch_ms, msjson) is a UTC time; a timestamp, date or
 * time column gets its wall-clock time in UTC, or at the offset msjson
 * gives.  A pattern without %z is read, and written, in the session's time
 * zone for timestamptz columns.  Values that do not match raise a data
 * exception (class 22), which rows.c reports with the table, row, column
 * and value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "mb/pg_wchar.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "rest_fdw.h"

/* Microseconds from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch) */
#define UNIX_TO_PG_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* Digits of the integer part of an epoch value: enough for any timestamp */
#define EPOCH_MAX_DIGITS 16

static const char *const month_abbrevs[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Is format allowed for a column of this type? */
bool
rest_format_type_ok(Oid typid)
{
	return typid == DATEOID || typid == TIMEOID || typid == TIMESTAMPOID ||
		typid == TIMESTAMPTZOID;
}

/* A format option on a column of another type: the error */
void
rest_check_format_type(const char *format, Oid typid, const char *colname)
{
	if (format == NULL)
		return;
	if (rest_is_binary_format(format))
	{
		if (getBaseType(typid) != BYTEAOID)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("option \"%s\" '%s' of column \"%s\" needs a column of type bytea",
							OPT_FORMAT, format, colname),
					 errdetail("The column is of type %s.", format_type_be(typid))));
		return;
	}
	if (!rest_format_type_ok(typid))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("option \"%s\" of column \"%s\" needs a column of type date, time, timestamp or timestamptz",
						OPT_FORMAT, colname),
				 errdetail("The column is of type %s.", format_type_be(typid))));
}

pg_noreturn static void
no_match(const char *format)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
			 errmsg("value does not match format \"%s\"", format)));
}

pg_noreturn static void
out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("date or time out of range")));
}

/*
 * A decimal number of units (1: seconds, 1000: milliseconds) since the
 * Unix epoch, in microseconds since PostgreSQL's epoch; digits of the
 * fraction beyond the microsecond are dropped.  *p is advanced past it.
 */
static int64
read_epoch(const char **p, int64 usecs_per_unit, const char *format)
{
	const char *s = *p;
	bool		neg = false;
	int64		whole = 0;
	int64		frac = 0;
	int64		scale = usecs_per_unit;
	int			ndigits = 0;
	int64		usecs;

	if (*s == '-')
	{
		neg = true;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++)
	{
		if (++ndigits > EPOCH_MAX_DIGITS)
			out_of_range();
		whole = whole * 10 + (*s - '0');
	}
	if (ndigits == 0)
		no_match(format);
	if (*s == '.')
	{
		s++;
		if (*s < '0' || *s > '9')
			no_match(format);
		for (; *s >= '0' && *s <= '9'; s++)
		{
			if (scale >= 10)
			{
				scale /= 10;
				frac += (*s - '0') * scale;
			}
		}
	}
	*p = s;
	if (pg_mul_s64_overflow(whole, usecs_per_unit, &usecs) ||
		pg_add_s64_overflow(usecs, frac, &usecs))
		out_of_range();
	if (neg)
		usecs = -usecs;
	if (pg_sub_s64_overflow(usecs, UNIX_TO_PG_USECS, &usecs) ||
		!IS_VALID_TIMESTAMP(usecs))
		out_of_range();
	return usecs;
}

/*
 * An instant ts (UTC) as a Datum of typid, with the wall-clock time at
 * offset seconds east of UTC for the types without a time zone.
 */
static Datum
instant_datum(TimestampTz ts, int offset, Oid typid, int32 typmod)
{
	int64		local = ts + (int64) offset * USECS_PER_SEC;
	int64		days;

	switch (typid)
	{
		case TIMESTAMPTZOID:
			return DirectFunctionCall2(timestamptz_scale,
									   TimestampTzGetDatum(ts),
									   Int32GetDatum(typmod));
		case TIMESTAMPOID:
			if (!IS_VALID_TIMESTAMP(local))
				out_of_range();
			return DirectFunctionCall2(timestamp_scale,
									   TimestampGetDatum(local),
									   Int32GetDatum(typmod));
		case DATEOID:
			days = local / USECS_PER_DAY;
			if (local % USECS_PER_DAY < 0)
				days--;
			return DateADTGetDatum((DateADT) days);
		default:				/* TIMEOID */
			local %= USECS_PER_DAY;
			if (local < 0)
				local += USECS_PER_DAY;
			return DirectFunctionCall2(time_scale, TimeADTGetDatum(local),
									   Int32GetDatum(typmod));
	}
}

/* /Date(ms[+-hhmm])/ */
static Datum
read_msjson(const char *s, Oid typid, int32 typmod)
{
	const char *p = s;
	TimestampTz ts;
	int			offset = 0;

	if (strncmp(p, "/Date(", 6) != 0)
		no_match("msjson");
	p += 6;
	ts = read_epoch(&p, 1000, "msjson");
	if (*p == '+' || *p == '-')
	{
		int			sign = *p == '-' ? -1 : 1;
		int			i;

		for (i = 1; i <= 4; i++)
		{
			if (p[i] < '0' || p[i] > '9')
				no_match("msjson");
		}
		offset = sign * (((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
						 ((p[3] - '0') * 10 + (p[4] - '0')) * 60);
		if (offset > 18 * 3600 || offset < -18 * 3600)
			no_match("msjson");
		p += 5;
	}
	if (strcmp(p, ")/") != 0)
		no_match("msjson");
	return instant_datum(ts, offset, typid, typmod);
}

/* Up to maxdigits decimal digits at *p (at least one), advancing it */
static int
read_digits(const char **p, int maxdigits, const char *format)
{
	int			n = 0;
	int			i;

	for (i = 0; i < maxdigits && (*p)[0] >= '0' && (*p)[0] <= '9'; i++)
		n = n * 10 + (*(*p)++ - '0');
	if (i == 0)
		no_match(format);
	return n;
}

/* The fields a pattern gave */
typedef struct PatternFields
{
	int			year;
	int			month;
	int			day;
	int			hour;
	int			minute;
	int			second;
	int			usec;
	int			pm;				/* -1: no %p; 0: AM; 1: PM */
	bool		hour12;			/* %I */
	bool		has_tz;
	int			offset;			/* %z: seconds east of UTC */
} PatternFields;

/* %z: Z, +hh, +hhmm or +hh:mm (or -) */
static int
read_offset(const char **p, const char *format)
{
	const char *s = *p;
	int			sign;
	int			h;
	int			m = 0;

	if (*s == 'Z' || *s == 'z')
	{
		*p = s + 1;
		return 0;
	}
	if (*s != '+' && *s != '-')
		no_match(format);
	sign = *s++ == '-' ? -1 : 1;
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
		no_match(format);
	h = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s == ':')
		s++;
	if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9')
	{
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
	}
	if (h > 18 || m > 59)
		no_match(format);
	*p = s;
	return sign * (h * 3600 + m * 60);
}

/* Read s by the pattern format into *pf; anything left over is refused */
static void
read_pattern(const char *s, const char *format, PatternFields *pf)
{
	const char *f;

	memset(pf, 0, sizeof(*pf));
	pf->year = 1970;
	pf->month = 1;
	pf->day = 1;
	pf->pm = -1;
	for (f = format; *f; f++)
	{
		if (*f != '%' || f[1] == '%')
		{
			if (*f == '%')
				f++;
			if (*s++ != *f)
				no_match(format);
			continue;
		}
		switch (*++f)
		{
			case 'Y':
				pf->year = read_digits(&s, 4, format);
				break;
			case 'm':
				pf->month = read_digits(&s, 2, format);
				break;
			case 'd':
				pf->day = read_digits(&s, 2, format);
				break;
			case 'H':
				pf->hour = read_digits(&s, 2, format);
				break;
			case 'I':
				pf->hour = read_digits(&s, 2, format);
				pf->hour12 = true;
				break;
			case 'M':
				pf->minute = read_digits(&s, 2, format);
				break;
			case 'S':
				pf->second = read_digits(&s, 2, format);
				break;
			case 'f':
				{
					int			scale = 100000;
					int			i;

					if (*s < '0' || *s > '9')
						no_match(format);
					for (i = 0; *s >= '0' && *s <= '9' && i < 9; i++, s++)
					{
						pf->usec += (*s - '0') * scale;
						scale /= 10;
					}
					break;
				}
			case 'p':
				if (pg_strncasecmp(s, "AM", 2) == 0)
					pf->pm = 0;
				else if (pg_strncasecmp(s, "PM", 2) == 0)
					pf->pm = 1;
				else
					no_match(format);
				s += 2;
				break;
			case 'b':
				{
					int			m;

					for (m = 0; m < 12; m++)
					{
						if (pg_strncasecmp(s, month_abbrevs[m], 3) == 0)
							break;
					}
					if (m == 12)
						no_match(format);
					pf->month = m + 1;
					s += 3;
					break;
				}
			default:			/* 'z', the validator allows no other */
				pf->offset = read_offset(&s, format);
				pf->has_tz = true;
				break;
		}
	}
	if (*s != '\0')
		no_match(format);
	if (pf->hour12)
	{
		if (pf->hour < 1 || pf->hour > 12)
			out_of_range();
		pf->hour %= 12;
	}
	if (pf->pm == 1 && pf->hour < 12)
		pf->hour += 12;
	if (pf->month < 1 || pf->month > MONTHS_PER_YEAR || pf->day < 1 ||
		pf->day > day_tab[isleap(pf->year)][pf->month - 1] ||
		pf->hour > 23 || pf->minute > 59 || pf->second > 59)
		out_of_range();
}

/* A value read by a pattern, as a Datum of typid */
static Datum
pattern_datum(const char *s, const char *format, Oid typid, int32 typmod)
{
	PatternFields pf;
	struct pg_tm tm;
	Timestamp	ts;
	int			tz;

	read_pattern(s, format, &pf);
	if (typid == DATEOID)
		return DateADTGetDatum(date2j(pf.year, pf.month, pf.day) -
							   POSTGRES_EPOCH_JDATE);
	if (typid == TIMEOID)
	{
		TimeADT		t = (((int64) pf.hour * MINS_PER_HOUR + pf.minute) *
						 SECS_PER_MINUTE + pf.second) * USECS_PER_SEC + pf.usec;

		return DirectFunctionCall2(time_scale, TimeADTGetDatum(t),
								   Int32GetDatum(typmod));
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = pf.year;
	tm.tm_mon = pf.month;
	tm.tm_mday = pf.day;
	tm.tm_hour = pf.hour;
	tm.tm_min = pf.minute;
	tm.tm_sec = pf.second;
	if (typid == TIMESTAMPOID)
	{
		if (tm2timestamp(&tm, pf.usec, NULL, &ts) != 0)
			out_of_range();
		return DirectFunctionCall2(timestamp_scale, TimestampGetDatum(ts),
								   Int32GetDatum(typmod));
	}
	tz = pf.has_tz ? -pf.offset : DetermineTimeZoneOffset(&tm, session_timezone);
	if (tm2timestamp(&tm, pf.usec, &tz, &ts) != 0)
		out_of_range();
	return DirectFunctionCall2(timestamptz_scale, TimestampTzGetDatum(ts),
							   Int32GetDatum(typmod));
}

/*
 * Bytes written in base64 (or base64url: "-" and "_" for "+" and "/",
 * padding optional) as a bytea, through PostgreSQL's decode(), which
 * refuses other characters with a data exception.
 */
static Datum
read_base64(const char *s, bool url)
{
	size_t		len = strlen(s);
	char	   *copy = palloc(len + 4);
	size_t		i;

	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (url && (c == '+' || c == '/'))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid symbol \"%c\" found while decoding base64url sequence", c)));
		copy[i] = !url ? c : c == '-' ? '+' : c == '_' ? '/' : c;
	}
	/* base64url often leaves the padding out */
	if (url)
		while (i % 4 != 0)
			copy[i++] = '=';
	copy[i] = '\0';
	return DirectFunctionCall2(binary_decode,
							   PointerGetDatum(cstring_to_text(copy)),
							   PointerGetDatum(cstring_to_text("base64")));
}

/*
 * A value written in format (a valid format option), as a Datum of typid
 * (date, time, timestamp or timestamptz) and typmod: s is a JSON number's
 * text or a string's de-escaped content.
 */
Datum
rest_read_formatted(const char *format, const char *s, Oid typid, int32 typmod)
{
	const char *p = s;
	TimestampTz ts;

	/* no date or time is written in more: what follows loops over less */
	if (strlen(s) > 256 && !rest_is_binary_format(format))
		no_match(format);
	switch (rest_format_kind(format))
	{
		case REST_FMT_EPOCH:
		case REST_FMT_EPOCH_MS:
			ts = read_epoch(&p, rest_format_kind(format) == REST_FMT_EPOCH ?
							USECS_PER_SEC : 1000, format);
			if (*p != '\0')
				no_match(format);
			return instant_datum(ts, 0, typid, typmod);
		case REST_FMT_MSJSON:
			return read_msjson(s, typid, typmod);
		case REST_FMT_BASE64:
		case REST_FMT_BASE64URL:
			return read_base64(s, rest_format_kind(format) == REST_FMT_BASE64URL);
		default:
			return pattern_datum(s, format, typid, typmod);
	}
}

/* ---------------------------------------------------------------------
 * Sending
 * ---------------------------------------------------------------------
 */

/*
 * A value as microseconds since the Unix epoch (timestamps without time
 * zone and dates read as UTC; a time as microseconds since midnight)
 */
static int64
value_usecs(Datum value, Oid typid)
{
	int64		us;

	switch (typid)
	{
		case DATEOID:
			if (DATE_NOT_FINITE(DatumGetDateADT(value)))
				out_of_range();
			us = (int64) DatumGetDateADT(value) * USECS_PER_DAY;
			break;
		case TIMEOID:
			return DatumGetTimeADT(value);
		default:
			if (TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value)))
				out_of_range();
			us = DatumGetTimestamp(value);
			break;
	}
	if (pg_add_s64_overflow(us, UNIX_TO_PG_USECS, &us))
		out_of_range();
	return us;
}

/*
 * usecs as a decimal number of units of div microseconds, with a fraction
 * of fracdigits digits, trailing zeros trimmed, when it is not whole
 */
static void
append_decimal(StringInfo buf, int64 usecs, int64 div, int fracdigits)
{
	/* |usecs| < 2^63: valid timestamps stay far from the int64 limits */
	int64		whole = usecs / div;
	int64		rest = usecs % div;

	if (rest < 0)
		rest = -rest;
	if (usecs < 0 && whole == 0)
		appendStringInfoChar(buf, '-');
	appendStringInfo(buf, INT64_FORMAT, whole);
	if (rest != 0)
	{
		char		digits[16];
		int			len;

		snprintf(digits, sizeof(digits), "%0*lld", fracdigits, (long long) rest);
		len = strlen(digits);
		while (len > 0 && digits[len - 1] == '0')
			len--;
		appendStringInfo(buf, ".%.*s", len, digits);
	}
}

/* A value written by a pattern */
static void
append_pattern(StringInfo buf, Datum value, Oid typid, const char *format)
{
	struct pg_tm tm;
	fsec_t		fsec = 0;
	int			tz = 0;
	const char *f;

	memset(&tm, 0, sizeof(tm));
	if (typid == DATEOID)
	{
		DateADT		d = DatumGetDateADT(value);

		if (DATE_NOT_FINITE(d))
			out_of_range();
		j2date(d + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	}
	else if (typid == TIMEOID)
	{
		TimeADT		t = DatumGetTimeADT(value);

		tm.tm_year = 1970;
		tm.tm_mon = 1;
		tm.tm_mday = 1;
		tm.tm_hour = t / USECS_PER_HOUR;
		tm.tm_min = (t / USECS_PER_MINUTE) % MINS_PER_HOUR;
		tm.tm_sec = (t / USECS_PER_SEC) % SECS_PER_MINUTE;
		fsec = t % USECS_PER_SEC;
	}
	else if (TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value)) ||
			 timestamp2tm(DatumGetTimestamp(value),
						  typid == TIMESTAMPTZOID ? &tz : NULL,
						  &tm, &fsec, NULL, NULL) != 0)
		out_of_range();

	for (f = format; *f; f++)
	{
		if (*f != '%')
		{
			appendStringInfoChar(buf, *f);
			continue;
		}
		switch (*++f)
		{
			case 'Y':
				appendStringInfo(buf, "%04d", tm.tm_year);
				break;
			case 'm':
				appendStringInfo(buf, "%02d", tm.tm_mon);
				break;
			case 'd':
				appendStringInfo(buf, "%02d", tm.tm_mday);
				break;
			case 'H':
				appendStringInfo(buf, "%02d", tm.tm_hour);
				break;
			case 'I':
				appendStringInfo(buf, "%02d", tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12);
				break;
			case 'M':
				appendStringInfo(buf, "%02d", tm.tm_min);
				break;
			case 'S':
				appendStringInfo(buf, "%02d", tm.tm_sec);
				break;
			case 'f':
				appendStringInfo(buf, "%06d", (int) fsec);
				break;
			case 'p':
				appendStringInfoString(buf, tm.tm_hour < 12 ? "AM" : "PM");
				break;
			case 'b':
				appendStringInfoString(buf, month_abbrevs[tm.tm_mon - 1]);
				break;
			case 'z':
				/* tz is seconds west of UTC */
				appendStringInfo(buf, "%c%02d%02d", tz <= 0 ? '+' : '-',
								 abs(tz) / 3600, (abs(tz) / 60) % 60);
				break;
			default:			/* '%' */
				appendStringInfoChar(buf, '%');
				break;
		}
	}
}

/*
 * A pushed condition's value as text for a request, written as the
 * column's format option says (rest_format_value's text without one, or
 * for a type format does not apply to).  palloc'd.
 */
char *
rest_format_param(Datum value, Oid typid, const RestColumnOptions *col)
{
	StringInfoData buf;
	const char *format = col ? col->format : NULL;

	if (format != NULL && rest_is_binary_format(format) &&
		getBaseType(typid) == BYTEAOID)
	{
		char	   *b64;
		char	   *p;
		char	   *q;

		b64 = text_to_cstring(DatumGetTextPP(DirectFunctionCall2(binary_encode, value,
																 PointerGetDatum(cstring_to_text("base64")))));
		/* encode() breaks lines every 76 characters; base64url has no padding */
		for (p = q = b64; *p; p++)
		{
			if (*p == '\n' || (rest_format_kind(format) == REST_FMT_BASE64URL && *p == '='))
				continue;
			*q++ = rest_format_kind(format) != REST_FMT_BASE64URL ? *p :
				*p == '+' ? '-' : *p == '/' ? '_' : *p;
		}
		*q = '\0';
		return b64;
	}
	if (format == NULL || !rest_format_type_ok(typid))
		return rest_format_value(value, typid);

	initStringInfo(&buf);
	switch (rest_format_kind(format))
	{
		case REST_FMT_EPOCH:
			append_decimal(&buf, value_usecs(value, typid),
						   USECS_PER_SEC, 6);
			break;
		case REST_FMT_EPOCH_MS:
			append_decimal(&buf, value_usecs(value, typid),
						   1000, 3);
			break;
		case REST_FMT_MSJSON:
			{
				int64		us = value_usecs(value, typid);
				int64		ms = us / 1000 - (us % 1000 < 0 ? 1 : 0);

				appendStringInfo(&buf, "/Date(" INT64_FORMAT ")/", ms);
				break;
			}
		default:
			append_pattern(&buf, value, typid, format);
			break;
	}
	return buf.data;
}

/*
 * Is "" NULL in this column?  The column's empty_as_null option decides;
 * without one, the table's (default true) for every type but the string
 * types (text, varchar, char, name, ...) and json/jsonb, where "" is a
 * value.
 */
bool
rest_empty_as_null(const RestTableOptions *table, AttrNumber attnum, Oid typid)
{
	const RestColumnOptions *col = &table->cols[attnum - 1];
	Oid			base = getBaseType(typid);
	char		category;
	bool		preferred;

	if (col->empty_as_null != REST_EMPTY_DEFAULT)
		return col->empty_as_null == REST_EMPTY_NULL;
	if (!table->empty_as_null || base == JSONOID || base == JSONBOID)
		return false;
	get_type_category_preferred(base, &category, &preferred);
	return category != TYPCATEGORY_STRING;
}
