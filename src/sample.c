/*-------------------------------------------------------------------------
 *
 * sample.c
 *		  Finding the columns of an endpoint from a sample response.
 *
 * IMPORT FOREIGN SCHEMA samples endpoints that have no declared columns.
 * The sample page is read with PostgreSQL's own JSON parser, like rows
 * are (numbers keep their exact text, so 99999999999999999999 is seen as
 * too big for bigint rather than rounded), and every leaf of the first
 * sample_rows rows becomes a column:
 *
 *	 - numbers: bigint, numeric (fractions, or integers beyond bigint), or
 *	   double precision (exponent notation);
 *	 - strings: date, timestamptz, uuid when every value looks like one,
 *	   else text;
 *	 - true/false: boolean;
 *	 - nested objects: flattened into parent_child columns;
 *	 - arrays of scalars: arrays of the elements' type; arrays holding
 *	   objects or arrays: jsonb;
 *	 - a key whose values disagree in kind (object here, number there):
 *	   jsonb; other disagreements widen (bigint and numeric to numeric,
 *	   date and timestamp to timestamptz) or fall back to text; columns
 *	   that are always null are text.
 *
 * Columns come in the order their keys first appear.  Their names are
 * lower-case identifiers (rest_sql_identifier), made unique; the JSON path
 * is kept in the json_path option.
 *
 * A hostile sample must not cost more than its size: paths are found in a
 * hash table and names made unique with another (no list scans), the
 * parser's copies of keys and scalars are freed as soon as they are read,
 * every callback checks for interrupts, and a sample is refused when it
 * gives more columns than a table can have (MaxHeapAttributeNumber), or,
 * as soon as it is seen, when its rows hold more than SAMPLE_MAX_PATHS
 * distinct paths.  A key whose json_path would be longer than
 * SAMPLE_MAX_PATH_LEN is skipped with a NOTICE, like keys a json_path
 * cannot name, so the paths kept take at most SAMPLE_MAX_PATHS times that.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#define REST_COMPAT_JSON
#include "rest_fdw.h"
#include "strmap.h"

/* Distinct paths (leaves and objects) a sample may hold while it is read */
#define SAMPLE_MAX_PATHS	(2 * MaxHeapAttributeNumber)
/* Longest json_path of a sampled column, in bytes */
#define SAMPLE_MAX_PATH_LEN	1024


/* Kinds of values seen at a path (bit mask) */
#define K_INT		0x0001		/* integer within bigint */
#define K_BIGNUM	0x0002		/* integer beyond bigint */
#define K_DEC		0x0004		/* decimal fraction */
#define K_FLOAT		0x0008		/* exponent notation */
#define K_BOOL		0x0010
#define K_DATE		0x0020
#define K_TSTZ		0x0040
#define K_UUID		0x0080
#define K_TEXT		0x0100
#define K_NUMBERS	(K_INT | K_BIGNUM | K_DEC | K_FLOAT)

/* What was seen at one path of the rows */
typedef struct SampleCol
{
	char	   *path;			/* dotted path inside a row */
	int			parent;			/* the object it is in, or -1 */
	int			kinds;			/* of scalar values */
	int			elem_kinds;		/* of scalar array elements */
	bool		object;			/* seen as an object */
	bool		array;			/* seen as an array */
	bool		array_json;		/* an array holding objects or arrays */
	bool		has_children;	/* an object with at least one key */
} SampleCol;

typedef enum SRole
{
	S_OUTSIDE,					/* above the rows */
	S_ROWS,						/* the array of rows */
	S_ROW,						/* a row, or an object inside one */
	S_ARRAY,					/* an array inside a row */
	S_SKIP						/* inside something kept as JSON */
} SRole;

typedef struct SFrame
{
	SRole		role;
	int			col;			/* S_ROW: this object's column, -1 for a
								 * row; S_ARRAY: its column */
	int			matched;		/* S_OUTSIDE: rows_path keys matched */
} SFrame;

typedef struct SampleState
{
	JsonLexContext *lex;
	char	  **keys;			/* rows_path split, or NULL */
	int			nkeys;
	int			max_rows;
	int64		rows;			/* rows seen */
	bool		found_rows;
	bool		scalar_rows;	/* a row was not an object */

	/* the value about to start */
	char	   *pending_path;	/* inside a row: its path (in pathbuf) */
	int			pending_parent; /* ... and the column of its object */
	int			pending_matched;	/* outside: rows_path keys matched, or -1 */
	StringInfoData pathbuf;

	SFrame	   *frames;
	int			nframes;
	int			maxframes;

	SampleCol  *cols;
	int			ncols;
	int			maxcols;
	strmap_hash *col_of;		/* path -> index in cols */
	List	   *skipped;		/* keys that cannot be a json_path */
	bool		skipped_long;	/* keys whose path is too long */
} SampleState;

/* State of the search for the rows of a document without rows_path */
typedef struct DetectState
{
	int			depth;			/* of the current value, 0 at the top */
	char	   *path[3];		/* keys from the top, depth 1 and 2 */
	bool		top_array;
	bool		first_elem[4];	/* array at that depth: first element next */
	char	   *found[3];		/* first array of objects at depth 1, 2 */
	bool		arr[4];			/* is the value at depth an array */
} DetectState;

pg_noreturn static void too_many_columns(const char *detail);

/*
 * The column of a path inside the rows (in the object of column parent, -1
 * for a row itself), added when new; path is copied.
 */
static SampleCol *
col_for(SampleState *ss, const char *path, int parent)
{
	StrEntry   *e;
	bool		found;
	SampleCol  *c;

	e = strmap_insert(ss->col_of, path, &found);
	if (found)
		return &ss->cols[e->value];
	if (ss->ncols >= SAMPLE_MAX_PATHS)
		too_many_columns(psprintf("The rows sampled hold more than %d distinct keys.",
								  SAMPLE_MAX_PATHS));
	if (ss->ncols == ss->maxcols)
	{
		ss->maxcols *= 2;
		ss->cols = repalloc(ss->cols, sizeof(SampleCol) * ss->maxcols);
	}
	c = &ss->cols[ss->ncols];
	memset(c, 0, sizeof(SampleCol));
	c->path = pstrdup(path);
	c->parent = parent;
	e->key = c->path;			/* the table keeps the copy */
	e->value = ss->ncols++;
	return c;
}

static void
push(SampleState *ss, SRole role, int col, int matched)
{
	SFrame	   *f;

	if (ss->nframes == ss->maxframes)
	{
		ss->maxframes *= 2;
		ss->frames = repalloc(ss->frames, sizeof(SFrame) * ss->maxframes);
	}
	f = &ss->frames[ss->nframes++];
	f->role = role;
	f->col = col;
	f->matched = matched;
}

static SFrame *
top_frame(SampleState *ss)
{
	return ss->nframes > 0 ? &ss->frames[ss->nframes - 1] : NULL;
}

/* n ASCII digits */
static bool
digits(const char *s, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) s[i]))
			return false;
	}
	return true;
}

/* YYYY-MM-DD with a plausible month and day */
static bool
is_date(const char *s)
{
	int			m;
	int			d;

	if (!(digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
		  digits(s + 8, 2)))
		return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH[:MM]|-HH[:MM]] */
static bool
is_timestamp(const char *s)
{
	const char *p;

	if (!is_date(s) || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return false;
	p = s + 11;
	if (!(digits(p, 2) && p[2] == ':' && digits(p + 3, 2)))
		return false;
	if ((p[0] - '0') * 10 + (p[1] - '0') > 24 || (p[3] - '0') * 10 + (p[4] - '0') > 59)
		return false;
	p += 5;
	if (*p == ':')
	{
		if (!digits(p + 1, 2))
			return false;
		p += 3;
		if (*p == '.')
		{
			if (!isdigit((unsigned char) p[1]))
				return false;
			for (p++; isdigit((unsigned char) *p); p++)
				;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-')
	{
		if (!digits(p + 1, 2))
			return false;
		p += 3;
		if (*p == ':')
			p++;
		if (digits(p, 2))
			p += 2;
	}
	return *p == '\0';
}

/* 8-4-4-4-12 hexadecimal digits */
static bool
is_uuid(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	int			g;

	for (g = 0; g < 5; g++)
	{
		int			i;

		for (i = 0; i < groups[g]; i++, s++)
		{
			if (!isxdigit((unsigned char) *s))
				return false;
		}
		if (g < 4 && *s++ != '-')
			return false;
	}
	return *s == '\0';
}

static int
scalar_kind(const char *token, JsonTokenType type)
{
	switch (type)
	{
		case JSON_TOKEN_NUMBER:
			if (strpbrk(token, "eE"))
				return K_FLOAT;
			if (strchr(token, '.'))
				return K_DEC;
			{
				char	   *end;

				errno = 0;
				(void) strtoll(token, &end, 10);
				return errno == ERANGE ? K_BIGNUM : K_INT;
			}
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			return K_BOOL;
		case JSON_TOKEN_STRING:
			if (is_date(token) && token[10] == '\0')
				return K_DATE;
			if (is_timestamp(token))
				return K_TSTZ;
			if (is_uuid(token))
				return K_UUID;
			return K_TEXT;
		default:
			return 0;			/* null */
	}
}

/* ---------------------------------------------------------------------
 * Semantic actions of the sampling pass
 * ---------------------------------------------------------------------
 */

/*
 * A value starts where the parser stands: decide what it is to us.
 * Returns the role for a container (object or array) starting here.
 */
static void
value_start(SampleState *ss, bool is_object, bool is_array)
{
	SFrame	   *f = top_frame(ss);
	char	   *path = ss->pending_path;

	CHECK_FOR_INTERRUPTS();
	ss->pending_path = NULL;

	if (f == NULL || f->role == S_OUTSIDE)
	{
		int			matched = f ? ss->pending_matched : 0;

		if (matched >= 0 && matched == ss->nkeys)
		{
			/* the value at rows_path (or the top without one) */
			ss->found_rows = true;
			if (is_array)
				push(ss, S_ROWS, -1, 0);
			else if (is_object && ss->nkeys == 0)
			{
				/* a single object at the top is one row */
				ss->rows++;
				push(ss, S_ROW, -1, 0);
			}
			else if (is_object)
				push(ss, S_SKIP, -1, 0);	/* reported by the caller */
			return;
		}
		if (is_object && matched >= 0)
			push(ss, S_OUTSIDE, -1, matched);	/* on the way to rows_path */
		else if (is_object || is_array)
			push(ss, S_SKIP, -1, 0);
		return;
	}

	switch (f->role)
	{
		case S_ROWS:
			if (ss->rows >= ss->max_rows)
			{
				if (is_object || is_array)
					push(ss, S_SKIP, -1, 0);
				return;
			}
			ss->rows++;
			if (is_object)
				push(ss, S_ROW, -1, 0);
			else
			{
				ss->scalar_rows = true;
				if (is_array)
					push(ss, S_SKIP, -1, 0);
			}
			return;

		case S_ROW:
			{
				SampleCol  *c;

				if (path == NULL)	/* a key that cannot be a json_path */
				{
					if (is_object || is_array)
						push(ss, S_SKIP, -1, 0);
					return;
				}
				c = col_for(ss, path, ss->pending_parent);
				if (is_object)
				{
					c->object = true;
					push(ss, S_ROW, (int) (c - ss->cols), 0);
				}
				else if (is_array)
				{
					c->array = true;
					push(ss, S_ARRAY, (int) (c - ss->cols), 0);
				}
				return;
			}

		case S_ARRAY:
			if (is_object || is_array)
			{
				ss->cols[f->col].array_json = true;
				push(ss, S_SKIP, -1, 0);
			}
			return;

		default:
			if (is_object || is_array)
				push(ss, S_SKIP, -1, 0);
			return;
	}
}

static SEM_ACTION_RESULT
s_object_start(void *state)
{
	value_start((SampleState *) state, true, false);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
s_array_start(void *state)
{
	value_start((SampleState *) state, false, true);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
s_end(void *state)
{
	SampleState *ss = (SampleState *) state;

	if (ss->nframes > 0)
		ss->nframes--;
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
s_field_start(void *state, char *fname, bool isnull)
{
	SampleState *ss = (SampleState *) state;
	SFrame	   *f = top_frame(ss);

	CHECK_FOR_INTERRUPTS();
	ss->pending_path = NULL;
	ss->pending_matched = -1;
	if (f == NULL)
	{
		/* not reached: a field is inside an object */
	}
	else if (f->role == S_OUTSIDE)
	{
		if (f->matched < ss->nkeys && strcmp(fname, ss->keys[f->matched]) == 0)
			ss->pending_matched = f->matched + 1;
	}
	else if (f->role == S_ROW)
	{
		if (f->col >= 0)
			ss->cols[f->col].has_children = true;
		if (*fname == '\0' || rest_has_control_chars(fname))
		{
			if (ss->skipped == NIL)
				ss->skipped = lappend(ss->skipped, makeString(""));
		}
		else
		{
			/* the path, in a buffer reused for every field */
			resetStringInfo(&ss->pathbuf);
			if (f->col >= 0)
				appendStringInfo(&ss->pathbuf, "%s.", ss->cols[f->col].path);
			rest_append_json_key(&ss->pathbuf, fname);
			if (ss->pathbuf.len > SAMPLE_MAX_PATH_LEN)
				ss->skipped_long = true;
			else
			{
				ss->pending_path = ss->pathbuf.data;
				ss->pending_parent = f->col;
			}
		}
	}
	/* the parser's copy is ours: free it, the document holds many */
	if (fname)
		pfree(fname);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
s_scalar(void *state, char *token, JsonTokenType tokentype)
{
	SampleState *ss = (SampleState *) state;
	SFrame	   *f = top_frame(ss);
	char	   *path = ss->pending_path;

	CHECK_FOR_INTERRUPTS();
	ss->pending_path = NULL;
	if (f == NULL)
	{
		/* a scalar document: reported by the caller */
	}
	else if (f->role == S_ROW && path != NULL)
		col_for(ss, path, ss->pending_parent)->kinds |= scalar_kind(token, tokentype);
	else if (f->role == S_ARRAY)
		ss->cols[f->col].elem_kinds |= scalar_kind(token, tokentype);
	else if (f->role == S_ROWS && ss->rows < ss->max_rows)
	{
		ss->rows++;
		ss->scalar_rows = true;
	}
	/* the parser's copy is ours */
	if (token)
		pfree(token);
	SEM_ACTION_DONE;
}

/* ---------------------------------------------------------------------
 * Finding the rows of a document without rows_path
 * ---------------------------------------------------------------------
 */

static void
detect_value(DetectState *ds, bool is_object, bool is_array)
{
	int			d = ds->depth;

	CHECK_FOR_INTERRUPTS();

	/* the first element of an array at depth 1 or 2 is an object */
	if (d >= 1 && d <= 3 && ds->arr[d - 1] && ds->first_elem[d - 1] && is_object)
	{
		int			keys = d - 1;	/* keys leading to that array */

		/* reached through objects only, by keys a json_path can name */
		if (keys >= 1 && keys <= 2 && ds->found[keys] == NULL &&
			!ds->arr[0] && !(keys == 2 && ds->arr[1]) &&
			ds->path[1] != NULL && (keys == 1 || ds->path[2] != NULL))
			ds->found[keys] = keys == 1 ? pstrdup(ds->path[1])
				: psprintf("%s.%s", ds->path[1], ds->path[2]);
	}
	if (d >= 1 && d <= 3 && ds->arr[d - 1])
		ds->first_elem[d - 1] = false;
	if (d == 0 && is_array)
		ds->top_array = true;
	if (d <= 3)
	{
		ds->arr[d] = is_array;
		ds->first_elem[d] = is_array;
	}
	if (is_object || is_array)
		ds->depth++;
}

static SEM_ACTION_RESULT
d_object_start(void *state)
{
	detect_value((DetectState *) state, true, false);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
d_array_start(void *state)
{
	detect_value((DetectState *) state, false, true);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
d_end(void *state)
{
	((DetectState *) state)->depth--;
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
d_field_start(void *state, char *fname, bool isnull)
{
	DetectState *ds = (DetectState *) state;

	CHECK_FOR_INTERRUPTS();
	if (ds->depth >= 1 && ds->depth <= 2)
	{
		/* the key replaces the one before it at this depth */
		if (ds->path[ds->depth])
			pfree(ds->path[ds->depth]);
		ds->path[ds->depth] = NULL;
		if (*fname && !rest_has_control_chars(fname))
		{
			StringInfoData buf;

			initStringInfo(&buf);
			rest_append_json_key(&buf, fname);
			ds->path[ds->depth] = buf.data;
		}
	}
	/* the parser's copy is ours */
	if (fname)
		pfree(fname);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
d_scalar(void *state, char *token, JsonTokenType tokentype)
{
	detect_value((DetectState *) state, false, false);
	if (token)
		pfree(token);
	SEM_ACTION_DONE;
}

/* ---------------------------------------------------------------------
 * Driver
 * ---------------------------------------------------------------------
 */

static void
parse_or_error(const char *text, size_t len, JsonSemAction *sem, List *secrets)
{
	JsonLexContext *lex = rest_make_json_lexer(text, len, true);
	JsonParseErrorType rc = pg_parse_json(lex, sem);

	if (rc != JSON_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("sample response is not valid JSON"),
				 errdetail("%s The body begins with: %s",
						   json_errdetail(rc, lex),
						   rest_shorten_scrubbed(text, len, 100, secrets))));
}

/*
 * The sample gives more columns than a table can have: an error, with
 * detail saying how many.
 */
static void
too_many_columns(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_TOO_MANY_COLUMNS),
			 errmsg("sample gives more columns than a table can have"),
			 errdetail("%s A table can have at most %d columns.",
					   detail, MaxHeapAttributeNumber),
			 errhint("Sample fewer rows with the option sample_rows, or describe the columns in a REST config file.")));
}

/* The SQL type for what was seen at a path */
static char *
type_of(int kinds)
{
	if (kinds == 0)
		return "text";
	if ((kinds & ~K_NUMBERS) == 0)
	{
		if ((kinds & K_FLOAT) && !(kinds & K_BIGNUM))
			return "double precision";
		if (kinds & (K_DEC | K_BIGNUM | K_FLOAT))
			return "numeric";
		return "bigint";
	}
	if (kinds == K_BOOL)
		return "boolean";
	if (kinds == K_DATE)
		return "date";
	if ((kinds & ~(K_DATE | K_TSTZ)) == 0)
		return "timestamptz";
	if (kinds == K_UUID)
		return "uuid";
	return "text";
}

/*
 * The columns (RestImportColumn, without names yet) of what ss saw, in the
 * order their keys first appeared: a leaf is a column of the type its
 * values suggest; an object with children is flattened into them unless it
 * is kept as jsonb (it also held scalars or arrays), and what lies inside
 * a jsonb column has no column of its own.
 */
static List *
sampled_columns(SampleState *ss)
{
	List	   *result = NIL;
	int			i;

	for (i = 0; i < ss->ncols; i++)
	{
		SampleCol  *c = &ss->cols[i];
		RestImportColumn *ic;
		char	   *type;
		int			j;
		bool		inside_json = false;

		CHECK_FOR_INTERRUPTS();

		/* a column inside one kept as jsonb has no column of its own */
		for (j = c->parent; j >= 0; j = ss->cols[j].parent)
		{
			SampleCol  *o = &ss->cols[j];

			if (o->object && (o->kinds || o->array || !o->has_children))
				inside_json = true;
		}
		if (inside_json)
			continue;

		if (c->object && !c->kinds && !c->array && c->has_children)
			continue;			/* flattened into its children */
		if (c->object || (c->array && c->kinds) || c->array_json)
			type = "jsonb";
		else if (c->array)
			type = psprintf("%s[]", type_of(c->elem_kinds));
		else
			type = type_of(c->kinds);

		ic = palloc0(sizeof(RestImportColumn));
		ic->json_path = c->path;
		ic->type = type;
		result = lappend(result, ic);
	}
	return result;
}

/*
 * The columns (RestImportColumn) of a sample response body, from its first
 * sample_rows rows.  The rows are at table->sample_rows_path; when
 * table->detect_rows is set they are found instead: the document itself if
 * it is an array, else the first member array whose first element is an
 * object (one or two levels down), else the document as one row; the path
 * found is stored in table->rows_path.  Errors when there is no row or a
 * row is not an object.
 */
List *
rest_sample_columns(const char *body, size_t len, RestImportTable *table,
					int sample_rows, const char *display_url, List *secrets)
{
	SampleState ss;
	JsonSemAction sem;
	const char *text = body;
	size_t		textlen = len;
	const char *rows_path = table->sample_rows_path;
	List	   *result = NIL;
	RestNameSet *names;
	ListCell   *lc;
	RestRequestContext errctx;

	rest_push_request_context(&errctx, "GET", display_url, NULL);
	if (GetDatabaseEncoding() == PG_UTF8)
	{
		int			valid = pg_encoding_verifymbstr(PG_UTF8, body, (int) len);

		if ((size_t) valid != len)
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("sample response is not valid UTF-8")));
	}
	else
	{
		text = pg_any_to_server(body, (int) len, PG_UTF8);
		textlen = strlen(text);
	}

	if (table->detect_rows)
	{
		DetectState ds;

		memset(&ds, 0, sizeof(ds));
		memset(&sem, 0, sizeof(sem));
		sem.semstate = &ds;
		sem.object_start = d_object_start;
		sem.object_end = d_end;
		sem.array_start = d_array_start;
		sem.array_end = d_end;
		sem.object_field_start = d_field_start;
		sem.scalar = d_scalar;
		parse_or_error(text, textlen, &sem, secrets);
		rows_path = ds.top_array ? NULL : ds.found[1] ? ds.found[1] : ds.found[2];
		table->rows_path = (char *) rows_path;
		table->detect_rows = false;
	}

	memset(&ss, 0, sizeof(ss));
	ss.max_rows = sample_rows;
	ss.maxframes = 16;
	ss.frames = palloc(sizeof(SFrame) * ss.maxframes);
	ss.maxcols = 16;
	ss.cols = palloc(sizeof(SampleCol) * ss.maxcols);
	ss.col_of = strmap_create(CurrentMemoryContext, 64, NULL);
	initStringInfo(&ss.pathbuf);
	ss.pending_matched = 0;
	if (rows_path)
		ss.keys = rest_split_json_path(rows_path, &ss.nkeys);

	memset(&sem, 0, sizeof(sem));
	sem.semstate = &ss;
	sem.object_start = s_object_start;
	sem.object_end = s_end;
	sem.array_start = s_array_start;
	sem.array_end = s_end;
	sem.object_field_start = s_field_start;
	sem.scalar = s_scalar;
	parse_or_error(text, textlen, &sem, secrets);

	if (rows_path && !ss.found_rows)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("sample response has no element \"%s\"", rows_path)));
	if (ss.scalar_rows)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("rows of the sample response are not JSON objects"),
				 errdetail("Each row must be an object whose keys become columns.")));
	if (ss.rows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("sample response has no rows"),
				 errdetail("The columns of %s are found from the rows of a sample.",
						   table->source),
				 errhint("Sample an endpoint that returns data, or describe the columns in a REST config file.")));

	if (ss.skipped != NIL)
		ereport(NOTICE,
				(errmsg("empty keys and keys with control characters of the rows of %s are skipped: a json_path cannot name them",
						table->source)));
	if (ss.skipped_long)
		ereport(NOTICE,
				(errmsg("keys of the rows of %s whose json_path would be longer than %d bytes are skipped",
						table->source, SAMPLE_MAX_PATH_LEN)));

	result = sampled_columns(&ss);

	if (list_length(result) > MaxHeapAttributeNumber)
		too_many_columns(psprintf("The rows sampled give %d columns.",
								  list_length(result)));

	/* names last: only for the columns a table can have */
	names = rest_name_set_create(list_length(result));
	foreach(lc, result)
	{
		RestImportColumn *ic = (RestImportColumn *) lfirst(lc);

		ic->name = rest_unique_name(names, rest_sql_identifier(ic->json_path));
	}
	rest_pop_request_context(&errctx);
	return result;
}
