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
 *	   objects or arrays: jsonb (arrays of objects: child tables, with
 *	   normalize);
 *	 - a key whose values disagree in kind (object here, number there):
 *	   jsonb; other disagreements widen (bigint and numeric to numeric,
 *	   date and timestamp to timestamptz) or fall back to text; columns
 *	   that are always null are text.
 *
 * Rows may also be arrays (Google Sheets' values): each element is a
 * column with a positional json_path ("0", "1", ...), named column_<i>,
 * or by the header row's strings with the IMPORT option header_row (the
 * first row is then not sampled).  The IMPORT option header_names names
 * the columns of arrays inside rows by a header element of the response
 * (GA4: dimensionHeaders.*.name names dimensionValues.<i>.value); those
 * arrays are flattened into their elements.  With detect_epoch, integers
 * from 2000 to 2100 in epoch seconds or milliseconds are timestamptz
 * columns with a format option.
 *
 * The rows are found as rows.c finds them: a "*" of the rows path goes
 * through every element of an array or member of an object
 * ("orders.*.lines"), a last "*" makes an object's members the rows
 * ("days.*"), a first "*" over an object at the top is that object, and a
 * key that is an array index names that element ("sheets.0.data").  With
 * normalize (the IMPORT option), an array of objects inside the rows is
 * not a column: its path is returned for a child table (import.c), which
 * is sampled in turn through "<rows>.*.<path>".
 *
 * Columns come in the order their keys first appear.  Their names are
 * lower-case identifiers (rest_sql_identifier), made unique, whether they
 * come from keys or from the data's own header text; the JSON path is kept
 * in the json_path option.
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
#define K_EPOCH		0x0200		/* integer of epoch seconds (detect_epoch) */
#define K_EPOCH_MS	0x0400		/* integer of epoch milliseconds */
#define K_NUMBERS	(K_INT | K_BIGNUM | K_DEC | K_FLOAT | K_EPOCH | K_EPOCH_MS)

/* Epoch-looking integers: from 2000-01-01 to 2100-01-01 */
#define EPOCH_FROM	INT64CONST(946684800)
#define EPOCH_UNTIL	INT64CONST(4102444800)

/* What was seen at one path of the rows */
typedef struct SampleCol
{
	char	   *path;			/* dotted path inside a row */
	int			parent;			/* the object it is in, or -1 */
	int			kinds;			/* of scalar values */
	int			elem_kinds;		/* of scalar array elements */
	bool		elem_objects;	/* an array with objects among its elements */
	bool		elem_arrays;	/* ... with arrays among them */
	bool		object;			/* seen as an object */
	bool		array;			/* seen as an array */
	bool		array_json;		/* an array holding objects or arrays */
	bool		has_children;	/* an object with at least one key */
	bool		indexed;		/* an array whose elements are columns
								 * (header_names): flattened into them */
} SampleCol;

typedef enum SRole
{
	S_OUTSIDE,					/* above the rows: an object on the way to
								 * them, or an array one of whose elements
								 * is (an index key of the rows path) */
	S_STAR,						/* above the rows: an array or object whose
								 * every element or member is on the way
								 * (a "*" of the rows path) */
	S_ROWS,						/* the array (or, through a last "*", the
								 * object) whose elements are the rows */
	S_ROW,						/* a row, or an object inside one */
	S_ARRAY,					/* an array inside a row */
	S_AROW,						/* a row that is an array: positional */
	S_IARRAY,					/* an array inside a row whose elements are
								 * columns (header_names) */
	S_HEADER,					/* the header row (header_row) */
	S_SKIP						/* inside something kept as JSON */
} SRole;

typedef struct SFrame
{
	SRole		role;
	int			col;			/* S_ROW: this object's column, -1 for a
								 * row; S_ARRAY: its column */
	int			matched;		/* S_OUTSIDE, S_STAR: rows_path keys matched */
	bool		is_array;		/* S_OUTSIDE, S_STAR: an array */
	int64		want_index;		/* S_OUTSIDE array: the element on the way */
	int			next_index;		/* S_AROW, S_IARRAY, S_HEADER, S_OUTSIDE
								 * array: of the next element */
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

	bool		normalize;		/* arrays of objects are child tables */
	bool		detect_epoch;
	bool		empty_as_null;	/* "" is no value (RestImportTable) */
	bool		typed_strings;	/* CSV: strings may be numbers, Booleans */
	bool		header_row;		/* the first row is the header */
	bool		header_seen;
	char	  **names;			/* the header row's names, by index */
	List	   *indexed;		/* values_path prefixes (before ".*") of
								 * header_names: arrays there are indexed */
} SampleState;

/* Names at one names_path of header_names, found by collect_names */
typedef struct HeaderMatch
{
	char	  **keys;			/* names_path split; one key is "*" */
	int			nkeys;
	char	  **names;			/* by index, MaxHeapAttributeNumber */
	int		   *matched;		/* per nesting level: keys matched, or -1 */
	int		   *index;			/* ... the index "*" matched there */
	int		   *counter;		/* ... elements seen, for arrays */
	int			depth;
	int			pending;		/* keys matched by the value about to start */
	int			pending_index;
} HeaderMatch;

/* State of the search for the rows of a document without rows_path */
typedef struct DetectState
{
	int			depth;			/* of the current value, 0 at the top */
	char	   *path[3];		/* keys from the top, depth 1 and 2 */
	bool		top_array;
	bool		first_elem[4];	/* array at that depth: first element next */
	char	   *found[3];		/* first array of objects at depth 1, 2 */
	char	   *found_arrays[3];	/* ... of arrays (positional rows) */
	bool		arr[4];			/* is the value at depth an array */
	List	   *headers;		/* paths of header arrays (header_names),
								 * which are not the rows */
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

static SFrame *
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
	f->is_array = false;
	f->want_index = -1;
	f->next_index = 0;
	return f;
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

/*
 * Is s a number as JSON writes it?  Leading zeros ("007", a code) and a
 * leading "+" are not, so such texts stay text.
 */
static bool
is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (isdigit((unsigned char) *s))
			s++;
	else
		return false;
	if (*s == '.')
	{
		s++;
		if (!isdigit((unsigned char) *s))
			return false;
		while (isdigit((unsigned char) *s))
			s++;
	}
	if (*s == 'e' || *s == 'E')
	{
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char) *s))
			return false;
		while (isdigit((unsigned char) *s))
			s++;
	}
	return *s == '\0';
}

static int
scalar_kind(SampleState *ss, const char *token, JsonTokenType type)
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
				long long	n;

				errno = 0;
				n = strtoll(token, &end, 10);
				if (errno == ERANGE)
					return K_BIGNUM;
				if (ss->detect_epoch && n >= EPOCH_FROM && n < EPOCH_UNTIL)
					return K_EPOCH;
				if (ss->detect_epoch && n >= EPOCH_FROM * 1000 &&
					n < EPOCH_UNTIL * 1000)
					return K_EPOCH_MS;
				return K_INT;
			}
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			return K_BOOL;
		case JSON_TOKEN_STRING:
			/*
			 * "" says nothing of the type when it will read as NULL in a
			 * column of any type but the string types (empty_as_null, the
			 * default): ServiceNow's empty values, Sheets' empty cells
			 */
			if (token[0] == '\0' && ss->empty_as_null)
				return 0;
			if (is_date(token) && token[10] == '\0')
				return K_DATE;
			if (is_timestamp(token))
				return K_TSTZ;
			if (is_uuid(token))
				return K_UUID;
			/* a CSV field is a string whatever it holds: see its text */
			if (ss->typed_strings && (strcmp(token, "true") == 0 ||
									  strcmp(token, "false") == 0))
				return K_BOOL;
			if (ss->typed_strings && is_json_number(token))
				return scalar_kind(ss, token, JSON_TOKEN_NUMBER);
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
 * The path of the next element of an S_AROW or S_IARRAY frame ("3", or
 * "<the array's path>.3"), in pathbuf, or NULL when it would be too long;
 * advances the frame's index.  A row of many elements is as many columns,
 * refused by col_for beyond SAMPLE_MAX_PATHS.
 */
static char *
element_path(SampleState *ss, SFrame *f)
{
	int			idx = f->next_index++;

	resetStringInfo(&ss->pathbuf);
	if (f->role == S_IARRAY)
		appendStringInfo(&ss->pathbuf, "%s.", ss->cols[f->col].path);
	appendStringInfo(&ss->pathbuf, "%d", idx);
	if (ss->pathbuf.len > SAMPLE_MAX_PATH_LEN)
	{
		ss->skipped_long = true;
		return NULL;
	}
	return ss->pathbuf.data;
}

/* An array index as a key of a path: "0", or digits without a leading zero */
static bool
is_index_key(const char *key)
{
	size_t		n = strspn(key, "0123456789");

	return n > 0 && n <= 18 && key[n] == '\0' && (key[0] != '0' || n == 1);
}

/* Are the elements of arrays at this path columns (header_names)? */
static bool
is_indexed(SampleState *ss, const char *path)
{
	ListCell   *lc;

	foreach(lc, ss->indexed)
	{
		if (strcmp((char *) lfirst(lc), path) == 0)
			return true;
	}
	return false;
}

/*
 * A container starts above the rows, where matched keys of the rows path
 * lead to it (-1: it is off the way).  The rows path is read as rows.c
 * reads it: a "*" goes through every element of an array or member of an
 * object; a last "*" makes those elements or members the rows; a first
 * "*" over an object at the top is that object (the response's one row,
 * as without a rows path); a key that is an array index names that
 * element of an array.
 */
static void
outside_value(SampleState *ss, int matched, bool at_top, bool is_object,
			  bool is_array)
{
	SFrame	   *nf;

	if (!is_object && !is_array)
		return;
	if (matched < 0)
	{
		push(ss, S_SKIP, -1, 0);
		return;
	}
	if (matched == ss->nkeys)
	{
		/* the value at rows_path (or the top without one) */
		ss->found_rows = true;
		if (is_array)
			push(ss, S_ROWS, -1, 0);
		else if (ss->nkeys == 0)
		{
			/* a single object at the top is one row */
			ss->rows++;
			push(ss, S_ROW, -1, 0);
		}
		else
			push(ss, S_SKIP, -1, 0);	/* reported by the caller */
		return;
	}
	if (ss->keys[matched] == REST_JSON_STAR)
	{
		ss->found_rows = true;
		if (matched == ss->nkeys - 1)
			push(ss, S_ROWS, -1, 0);	/* its elements are the rows */
		else if (at_top && is_object)
			push(ss, S_OUTSIDE, -1, matched + 1);	/* the one element */
		else
			push(ss, S_STAR, -1, matched)->is_array = is_array;
		return;
	}
	if (is_object)
	{
		push(ss, S_OUTSIDE, -1, matched);	/* on the way to rows_path */
		return;
	}
	if (is_index_key(ss->keys[matched]))
	{
		nf = push(ss, S_OUTSIDE, -1, matched);
		nf->is_array = true;
		nf->want_index = strtoll(ss->keys[matched], NULL, 10);
		return;
	}
	push(ss, S_SKIP, -1, 0);
}

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

	if (f == NULL || f->role == S_OUTSIDE || f->role == S_STAR)
	{
		outside_value(ss, f == NULL ? 0 : ss->pending_matched, f == NULL,
					  is_object, is_array);
		ss->pending_matched = -1;
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
			if (ss->header_row && !ss->header_seen)
			{
				/* the header row: its strings name the columns */
				ss->header_seen = true;
				push(ss, is_array ? S_HEADER : S_SKIP, -1, 0);
				return;
			}
			ss->rows++;
			if (is_object)
				push(ss, S_ROW, -1, 0);
			else if (is_array)
				push(ss, S_AROW, -1, 0);
			else
				ss->scalar_rows = true;
			return;

		case S_HEADER:
			f->next_index++;
			if (is_object || is_array)
				push(ss, S_SKIP, -1, 0);
			return;

		case S_ROW:
		case S_AROW:
		case S_IARRAY:
			{
				SampleCol  *c;
				int			parent = ss->pending_parent;

				if (f->role != S_ROW)
				{
					path = element_path(ss, f);
					parent = f->role == S_IARRAY ? f->col : -1;
				}
				if (path == NULL)	/* a key that cannot be a json_path */
				{
					if (is_object || is_array)
						push(ss, S_SKIP, -1, 0);
					return;
				}
				c = col_for(ss, path, parent);
				if (is_object)
				{
					c->object = true;
					push(ss, S_ROW, (int) (c - ss->cols), 0);
				}
				else if (is_array)
				{
					c->array = true;
					c->indexed = c->indexed || is_indexed(ss, c->path);
					push(ss, c->indexed ? S_IARRAY : S_ARRAY,
						 (int) (c - ss->cols), 0);
				}
				return;
			}

		case S_ARRAY:
			if (is_object || is_array)
			{
				ss->cols[f->col].array_json = true;
				if (is_object)
					ss->cols[f->col].elem_objects = true;
				else
					ss->cols[f->col].elem_arrays = true;
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
	else if (f->role == S_STAR)
		ss->pending_matched = f->matched + 1;	/* every member */
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

/* An element of an array above the rows: is it on the way to them? */
static SEM_ACTION_RESULT
s_element_start(void *state, bool isnull)
{
	SampleState *ss = (SampleState *) state;
	SFrame	   *f = top_frame(ss);

	CHECK_FOR_INTERRUPTS();
	if (f != NULL && f->role == S_STAR)
		ss->pending_matched = f->matched + 1;
	else if (f != NULL && f->role == S_OUTSIDE && f->is_array)
		ss->pending_matched = f->next_index++ == f->want_index ? f->matched + 1 : -1;
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
		col_for(ss, path, ss->pending_parent)->kinds |= scalar_kind(ss, token, tokentype);
	else if (f->role == S_ARRAY)
		ss->cols[f->col].elem_kinds |= scalar_kind(ss, token, tokentype);
	else if (f->role == S_AROW || f->role == S_IARRAY)
	{
		path = element_path(ss, f);
		if (path != NULL)
			col_for(ss, path, f->role == S_IARRAY ? f->col : -1)->kinds |=
				scalar_kind(ss, token, tokentype);
	}
	else if (f->role == S_HEADER)
	{
		int			idx = f->next_index++;

		if (idx < MaxHeapAttributeNumber && token != NULL &&
			tokentype != JSON_TOKEN_NULL && ss->names[idx] == NULL)
		{
			ss->names[idx] = token;
			token = NULL;		/* kept */
		}
	}
	else if (f->role == S_ROWS && ss->header_row && !ss->header_seen)
		ss->header_seen = true;
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
	if (d >= 1 && d <= 3 && ds->arr[d - 1] && ds->first_elem[d - 1] &&
		(is_object || is_array))
	{
		int			keys = d - 1;	/* keys leading to that array */

		/* reached through objects only, by keys a json_path can name */
		if (keys >= 1 && keys <= 2 &&
			(is_object ? ds->found : ds->found_arrays)[keys] == NULL &&
			!ds->arr[0] && !(keys == 2 && ds->arr[1]) &&
			ds->path[1] != NULL && (keys == 1 || ds->path[2] != NULL))
		{
			char	   *found = keys == 1 ? pstrdup(ds->path[1])
				: psprintf("%s.%s", ds->path[1], ds->path[2]);

			if (!list_member(ds->headers, makeString(found)))
				(is_object ? ds->found : ds->found_arrays)[keys] = found;
		}
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
 * Names from a header element (header_names)
 * ---------------------------------------------------------------------
 */

/* A container starts: what its path matched of names_path */
static SEM_ACTION_RESULT
h_struct_start(void *state)
{
	HeaderMatch *hm = (HeaderMatch *) state;

	CHECK_FOR_INTERRUPTS();
	if (++hm->depth % 64 == 0)
	{
		Size		n = sizeof(int) * (hm->depth + 64);

		hm->matched = repalloc(hm->matched, n);
		hm->index = repalloc(hm->index, n);
		hm->counter = repalloc(hm->counter, n);
	}
	hm->matched[hm->depth] = hm->pending;
	hm->index[hm->depth] = hm->pending_index;
	hm->counter[hm->depth] = 0;
	hm->pending = -1;
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
h_struct_end(void *state)
{
	HeaderMatch *hm = (HeaderMatch *) state;

	hm->depth--;
	hm->pending = -1;
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
h_field_start(void *state, char *fname, bool isnull)
{
	HeaderMatch *hm = (HeaderMatch *) state;
	int			m = hm->matched[hm->depth];

	CHECK_FOR_INTERRUPTS();
	hm->pending = -1;
	if (m >= 0 && m < hm->nkeys && strcmp(hm->keys[m], "*") != 0 &&
		strcmp(fname, hm->keys[m]) == 0)
	{
		hm->pending = m + 1;
		hm->pending_index = hm->index[hm->depth];
	}
	pfree(fname);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
h_element_start(void *state, bool isnull)
{
	HeaderMatch *hm = (HeaderMatch *) state;
	int			m = hm->matched[hm->depth];
	int			i = hm->counter[hm->depth]++;

	CHECK_FOR_INTERRUPTS();
	hm->pending = -1;
	if (m >= 0 && m < hm->nkeys && strcmp(hm->keys[m], "*") == 0)
	{
		hm->pending = m + 1;
		hm->pending_index = i;
	}
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
h_scalar(void *state, char *token, JsonTokenType tokentype)
{
	HeaderMatch *hm = (HeaderMatch *) state;

	if (hm->pending == hm->nkeys && token != NULL &&
		tokentype != JSON_TOKEN_NULL && hm->pending_index >= 0 &&
		hm->pending_index < MaxHeapAttributeNumber &&
		hm->names[hm->pending_index] == NULL)
		hm->names[hm->pending_index] = token;
	else if (token)
		pfree(token);
	hm->pending = -1;
	SEM_ACTION_DONE;
}

static void parse_or_error(const char *text, size_t len, JsonSemAction *sem,
						   List *secrets);

/*
 * The strings at names_path ("dimensionHeaders.*.name") of the document,
 * by the index "*" stands for: an array of MaxHeapAttributeNumber names,
 * NULL where none was found.
 */
static char **
collect_names(const char *text, size_t len, const char *names_path,
			  List *secrets)
{
	HeaderMatch hm;
	JsonSemAction sem;

	memset(&hm, 0, sizeof(hm));
	hm.keys = rest_split_json_path(names_path, &hm.nkeys);
	hm.names = palloc0(sizeof(char *) * MaxHeapAttributeNumber);
	hm.matched = palloc(sizeof(int) * 64);
	hm.index = palloc(sizeof(int) * 64);
	hm.counter = palloc(sizeof(int) * 64);
	hm.matched[0] = -1;
	hm.index[0] = -1;
	hm.counter[0] = 0;
	hm.pending = 0;
	hm.pending_index = -1;

	memset(&sem, 0, sizeof(sem));
	sem.semstate = &hm;
	sem.object_start = h_struct_start;
	sem.object_end = h_struct_end;
	sem.array_start = h_struct_start;
	sem.array_end = h_struct_end;
	sem.object_field_start = h_field_start;
	sem.array_element_start = h_element_start;
	sem.scalar = h_scalar;
	parse_or_error(text, len, &sem, secrets);
	return hm.names;
}

/* A values_path of header_names, split at its "*" */
typedef struct ValuesTemplate
{
	char	   *prefix;			/* the dotted path before ".*" */
	char	   *suffix;			/* after "*.", or "" */
	char	  **names;
} ValuesTemplate;

/* Split a dotted path whose one "*" key header_names checked */
static void
split_template(const char *path, ValuesTemplate *vt)
{
	char	  **keys;
	int			nkeys;
	int			k;
	StringInfoData buf;
	bool		after = false;

	keys = rest_split_json_path(path, &nkeys);
	initStringInfo(&buf);
	vt->prefix = NULL;
	for (k = 0; k < nkeys; k++)
	{
		if (!after && strcmp(keys[k], "*") == 0)
		{
			vt->prefix = pstrdup(buf.data);
			resetStringInfo(&buf);
			after = true;
			continue;
		}
		if (buf.len > 0)
			appendStringInfoChar(&buf, '.');
		rest_append_json_key(&buf, keys[k]);
	}
	vt->suffix = buf.data;
}

/*
 * The name of the sampled column at path, before it is made an SQL
 * identifier: an element of a positional row is named by the header row
 * (or column_<index>); one at a values_path of header_names by its header
 * element; every other column by its path.
 */
static const char *
column_name(SampleState *ss, ValuesTemplate *vts, int nvts, const char *path)
{
	const char *p;
	int			i;

	if (*path >= '0' && *path <= '9' && strspn(path, "0123456789") == strlen(path))
	{
		int			idx = atoi(path);

		if (ss->names && strlen(path) < 5 && idx < MaxHeapAttributeNumber &&
			ss->names[idx])
			return ss->names[idx];
		return psprintf("column_%s", path);
	}
	for (i = 0; i < nvts; i++)
	{
		size_t		plen = strlen(vts[i].prefix);
		size_t		ndigits;

		if (strncmp(path, vts[i].prefix, plen) != 0 || path[plen] != '.')
			continue;
		p = path + plen + 1;
		ndigits = strspn(p, "0123456789");
		if (ndigits == 0 || ndigits > 4)
			continue;
		if (!(p[ndigits] == '\0' ? vts[i].suffix[0] == '\0' :
			  (p[ndigits] == '.' && strcmp(p + ndigits + 1, vts[i].suffix) == 0)))
			continue;
		if (atoi(p) < MaxHeapAttributeNumber && vts[i].names[atoi(p)])
			return vts[i].names[atoi(p)];
	}
	return path;
}

/*
 * The templates of table->header_names, with the names found in the
 * document; the arrays at their prefixes become indexed in ss.
 */
static ValuesTemplate *
header_templates(SampleState *ss, RestImportTable *table, const char *text,
				 size_t textlen, List *secrets, int *nvts)
{
	ValuesTemplate *vts;
	ListCell   *lc;

	*nvts = list_length(table->header_names);
	vts = palloc0(sizeof(ValuesTemplate) * Max(*nvts, 1));
	foreach(lc, table->header_names)
	{
		RestHeaderNames *hn = (RestHeaderNames *) lfirst(lc);
		ValuesTemplate *vt = &vts[foreach_current_index(lc)];

		split_template(hn->values_path, vt);
		vt->names = collect_names(text, textlen, hn->names_path, secrets);
		ss->indexed = lappend(ss->indexed, vt->prefix);
	}
	return vts;
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
						   rest_scrubbed_json_detail(json_errdetail(rc, lex), secrets),
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
 * Is the column an array of objects, always an array where it has a value
 * (normalize: a child table)?  Nulls among its elements are no rows; an
 * element that is a scalar or an array keeps it a jsonb column.
 */
static bool
is_child_array(SampleCol *c)
{
	return c->array && c->elem_objects && !c->elem_arrays && !c->elem_kinds &&
		!c->kinds && !c->object && !c->indexed;
}

/*
 * The columns (RestImportColumn, without names yet) of what ss saw, in the
 * order their keys first appeared: a leaf is a column of the type its
 * values suggest; an object with children is flattened into them unless it
 * is kept as jsonb (it also held scalars or arrays), and what lies inside
 * a jsonb column has no column of its own.  With normalize, the paths of
 * arrays of objects are appended to *arrays (Strings) instead: they are
 * child tables, not columns.
 */
static List *
sampled_columns(SampleState *ss, List **arrays)
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
		if (c->indexed && !c->kinds && !c->object)
			continue;			/* flattened into its elements */
		if (ss->normalize && is_child_array(c))
		{
			/* a child table's rows (normalize) */
			*arrays = lappend(*arrays, makeString(c->path));
			continue;
		}
		if (c->object || (c->array && c->kinds) || c->array_json)
			type = "jsonb";
		else if (c->array)
			type = psprintf("%s[]", type_of(c->elem_kinds));
		else
			type = type_of(c->kinds);

		ic = palloc0(sizeof(RestImportColumn));
		ic->json_path = c->path;
		ic->type = type;
		if (c->kinds == K_EPOCH || c->kinds == K_EPOCH_MS)
		{
			ic->type = "timestamptz";
			ic->format = c->kinds == K_EPOCH ? "epoch" : "epoch_ms";
		}
		result = lappend(result, ic);
	}
	return result;
}

/*
 * The columns (RestImportColumn) of a sample response body, from its first
 * sample_rows rows.  The rows are at table->sample_rows_path; when
 * table->detect_rows is set they are found instead: the document itself if
 * it is an array, else the first member array whose first element is an
 * object (one or two levels down), else one whose first element is an
 * array (positional rows), else the document as one row; the path
 * found is stored in table->rows_path.  Errors when there is no row or a
 * row is not an object.  With table->normalize, the json_paths of the
 * arrays of objects in the rows, which are not columns, are stored in
 * table->sampled_arrays (a List of String, NIL without normalize).
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
	ValuesTemplate *vts;
	int			nvts;

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
		foreach(lc, table->header_names)
		{
			ValuesTemplate vt;

			split_template(((RestHeaderNames *) lfirst(lc))->names_path, &vt);
			ds.headers = lappend(ds.headers, makeString(vt.prefix));
		}
		memset(&sem, 0, sizeof(sem));
		sem.semstate = &ds;
		sem.object_start = d_object_start;
		sem.object_end = d_end;
		sem.array_start = d_array_start;
		sem.array_end = d_end;
		sem.object_field_start = d_field_start;
		sem.scalar = d_scalar;
		parse_or_error(text, textlen, &sem, secrets);
		rows_path = ds.top_array ? NULL : ds.found[1] ? ds.found[1] :
			ds.found[2] ? ds.found[2] : ds.found_arrays[1] ? ds.found_arrays[1] :
			ds.found_arrays[2];
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
	ss.normalize = table->normalize;
	ss.detect_epoch = table->detect_epoch;
	ss.empty_as_null = table->empty_as_null;
	ss.typed_strings = table->typed_strings;
	ss.header_row = table->header_row;
	if (ss.header_row)
		ss.names = palloc0(sizeof(char *) * MaxHeapAttributeNumber);
	vts = header_templates(&ss, table, text, textlen, secrets, &nvts);

	memset(&sem, 0, sizeof(sem));
	sem.semstate = &ss;
	sem.object_start = s_object_start;
	sem.object_end = s_end;
	sem.array_start = s_array_start;
	sem.array_end = s_end;
	sem.object_field_start = s_field_start;
	sem.array_element_start = s_element_start;
	sem.scalar = s_scalar;
	parse_or_error(text, textlen, &sem, secrets);

	if (rows_path && !ss.found_rows)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("sample response has no element \"%s\"", rows_path)));
	if (ss.scalar_rows)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("rows of the sample response are not JSON objects or arrays"),
				 errdetail("Each row must be an object whose keys become columns, or an array whose elements do.")));
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

	table->sampled_arrays = NIL;
	result = sampled_columns(&ss, &table->sampled_arrays);

	if (list_length(result) > MaxHeapAttributeNumber)
		too_many_columns(psprintf("The rows sampled give %d columns.",
								  list_length(result)));

	/* names last: only for the columns a table can have */
	names = rest_name_set_create(list_length(result));
	foreach(lc, result)
	{
		RestImportColumn *ic = (RestImportColumn *) lfirst(lc);

		ic->name = rest_unique_name(names,
									rest_sql_identifier(column_name(&ss, vts, nvts,
																	ic->json_path)));
	}
	rest_pop_request_context(&errctx);
	return result;
}
