/*-------------------------------------------------------------------------
 *
 * csv.c
 *		  CSV response bodies decoded to JSON text, with libcsv.
 *
 * libcsv is a streaming RFC 4180 parser: it calls back once per field and
 * once per record.  In strict mode (CSV_STRICT, CSV_STRICT_FINI) a quote
 * inside an unquoted field, text after a closing quote and an unclosed
 * quote are errors.  Spaces are kept (libcsv would trim them around
 * unquoted fields): every field is a JSON string of its exact text, and
 * an empty field is "", which empty_as_null turns into NULL for columns
 * of non-text types.
 *
 * With csv_header (the default) the first record names the fields and
 * every other record becomes an object of them; without, every record
 * becomes an array of strings (json_path '0', '1', ..., or header_row).
 * A record with another number of fields than the first is an error that
 * names it: a ragged row is most often a delimiter or quote option that
 * does not match the file, and guessing would misplace values.
 *
 * libcsv allocates through palloc (csv_set_realloc_func), so an ERROR,
 * raised only between calls of csv_parse, leaves nothing behind.  The
 * callbacks never raise one: they record the first problem and ignore the
 * rest of the body, which is fed to libcsv in slices so that the problem
 * stops the work soon and interrupts are noticed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <csv.h>

#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "rest_fdw.h"

/* bytes given to libcsv at a time */
#define CSV_SLICE	65536

typedef enum CsvProblem
{
	CSV_OK,
	CSV_RAGGED,					/* a record of another field count */
	CSV_TOO_LARGE,				/* the JSON would pass the limit */
	CSV_DUPLICATE				/* a header name given twice */
} CsvProblem;

typedef struct CsvState
{
	StringInfo	out;
	size_t		limit;
	bool		header;			/* csv_header */
	List	   *names;			/* the header's names, as JSON strings */
	int			nfields;		/* fields of the first record, -1 before */
	int			field;			/* fields of the current record so far */
	int64		record;			/* records finished */
	bool		any_row;		/* a row has been written */
	StringInfoData rowbuf;		/* the current record as JSON */
	CsvProblem	problem;
	int			problem_fields; /* CSV_RAGGED: fields of that record */
	int			problem_dup;	/* CSV_DUPLICATE: the field given twice */
	char	   *dup_name;		/* and its name, as a JSON string */
} CsvState;

/*
 * libcsv's allocator: palloc'd memory, freed with the caller's context.
 * An allocation failure is an ERROR like any other: libcsv holds no
 * resource that would leak.
 */
static void *
csv_realloc(void *ptr, size_t size)
{
	if (ptr == NULL)
		return MemoryContextAllocHuge(CurrentMemoryContext, size);
	return repalloc_huge(ptr, size);
}

static void
csv_free_noop(void *ptr)
{
	/* freed with the memory context */
}

/* No byte is a space to trim: fields keep their exact text */
static int
csv_no_space(unsigned char c)
{
	return 0;
}

/* One field: added to the current record's JSON */
static void
csv_field(void *data, size_t len, void *arg)
{
	CsvState   *st = (CsvState *) arg;
	const char *s = data ? (const char *) data : "";

	if (st->problem != CSV_OK)
		return;
	if (st->header && st->nfields < 0)
	{
		/* the header: its names, in the order of the fields */
		StringInfoData name;
		ListCell   *lc;

		initStringInfo(&name);
		rest_json_string(&name, s, len);
		foreach(lc, st->names)
		{
			if (strcmp((char *) lfirst(lc), name.data) == 0)
			{
				st->problem = CSV_DUPLICATE;
				st->problem_dup = list_length(st->names) + 1;
				st->dup_name = name.data;
				return;
			}
		}
		st->names = lappend(st->names, name.data);
		st->field++;
		return;
	}

	if (st->field > 0)
		appendStringInfoChar(&st->rowbuf, ',');
	if (st->header)
	{
		/* more fields than names: reported at the record's end */
		if (st->field < list_length(st->names))
		{
			appendStringInfoString(&st->rowbuf,
								   (char *) list_nth(st->names, st->field));
			appendStringInfoChar(&st->rowbuf, ':');
		}
	}
	rest_json_string(&st->rowbuf, s, len);
	st->field++;
	/* the row's ",", "{" and "}", and the array's closing "]" */
	if ((size_t) st->out->len + st->rowbuf.len + 4 > st->limit)
		st->problem = CSV_TOO_LARGE;
}

/* The end of a record: the row goes out */
static void
csv_record(int c, void *arg)
{
	CsvState   *st = (CsvState *) arg;

	if (st->problem != CSV_OK)
		return;
	st->record++;
	if (st->nfields < 0)
	{
		st->nfields = st->field;
		if (st->header)
		{
			st->field = 0;
			return;
		}
	}
	else if (st->field != st->nfields)
	{
		st->problem = CSV_RAGGED;
		st->problem_fields = st->field;
		return;
	}
	if (st->any_row)
		appendStringInfoChar(st->out, ',');
	st->any_row = true;
	appendStringInfoChar(st->out, st->header ? '{' : '[');
	appendBinaryStringInfo(st->out, st->rowbuf.data, st->rowbuf.len);
	appendStringInfoChar(st->out, st->header ? '}' : ']');
	resetStringInfo(&st->rowbuf);
	st->field = 0;
}

/* Report st's problem, if any; secrets are the request's, never quoted */
static void
report_problem(RestConnOptions *conn, CsvState *st, List *secrets)
{
	switch (st->problem)
	{
		case CSV_OK:
			return;
		case CSV_RAGGED:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("record %lld of the CSV response from server \"%s\" has %d fields, not %d",
							(long long) st->record, conn->servername,
							st->problem_fields, st->nfields),
					 errdetail("Every record must have as many fields as the first%s.",
							   st->header ? ", which names them" : ""),
					 errhint("Check the options \"%s\" and \"%s\".",
							 OPT_CSV_DELIMITER, OPT_CSV_QUOTE)));
			break;
		case CSV_TOO_LARGE:
			rest_decoded_too_large(conn, "CSV", st->limit);
			break;
		case CSV_DUPLICATE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("field %d of the header of the CSV response from server \"%s\" repeats an earlier name",
							st->problem_dup, conn->servername),
					 errdetail("The name is %s.", rest_scrub(st->dup_name, secrets)),
					 errhint("Set \"%s\" to false to read the rows as arrays, with json_path '0', '1', ...",
							 OPT_CSV_HEADER)));
			break;
	}
}

/*
 * Decode resp's CSV body (UTF-8, checked by the caller) into out as a JSON
 * array of rows: objects named by the header (csv_header) or arrays.  The
 * JSON may take at most limit bytes.
 */
void
rest_csv_to_json(RestConnOptions *conn, RestHttpResponse *resp,
				 const RestFormatOptions *format, StringInfo out, size_t limit)
{
	struct csv_parser p;
	CsvState	st;
	size_t		done = 0;

	memset(&st, 0, sizeof(st));
	st.out = out;
	st.limit = limit;
	st.header = format->csv_header;
	st.nfields = -1;
	initStringInfo(&st.rowbuf);

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		elog(ERROR, "could not initialize the CSV parser");
	csv_set_realloc_func(&p, csv_realloc);
	csv_set_free_func(&p, csv_free_noop);
	csv_set_space_func(&p, csv_no_space);
	csv_set_delim(&p, (unsigned char) format->csv_delimiter[0]);
	csv_set_quote(&p, (unsigned char) format->csv_quote[0]);

	appendStringInfoChar(out, '[');
	while (done < resp->body_len && st.problem == CSV_OK)
	{
		size_t		n = Min(resp->body_len - done, (size_t) CSV_SLICE);

		CHECK_FOR_INTERRUPTS();
		if (csv_parse(&p, resp->body + done, n, csv_field, csv_record, &st) != n)
			break;
		done += n;
	}
	report_problem(conn, &st, resp->secrets);
	if (done == resp->body_len &&
		csv_fini(&p, csv_field, csv_record, &st) != 0)
		done = 0;				/* an unclosed quote */
	report_problem(conn, &st, resp->secrets);
	if (csv_error(&p) != CSV_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("record %lld of the CSV response from server \"%s\" is malformed",
						(long long) st.record + 1, conn->servername),
				 errdetail("A quoted field must end with a quote followed by the delimiter or the end of the line, and a quote inside it must be written twice."),
				 errhint("Check the options \"%s\" and \"%s\".",
						 OPT_CSV_DELIMITER, OPT_CSV_QUOTE)));
	csv_free(&p);
	appendStringInfoChar(out, ']');
}
