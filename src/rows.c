/*-------------------------------------------------------------------------
 *
 * rows.c
 *		  JSON response bodies to rows of Datums.
 *
 * A page is parsed with PostgreSQL's own JSON parser (common/jsonapi.h),
 * driven by semantic-action callbacks as json_populate_recordset is: no
 * document tree is built.  The callbacks walk to the rows (the rows_path
 * array, a top-level array, or a top-level object as one row) and keep,
 * for each row, only the values of the columns the query needs, found by
 * their json_path in a small trie.  Scalars keep their exact text (numbers
 * are never rounded through double); objects and arrays keep their JSON
 * text.
 *
 * Nothing is copied while parsing: the lexer runs without de-escaping
 * strings (which would copy every string of the document a character at a
 * time), there is no scalar callback (which would copy every scalar), and
 * a value is kept as its position in the body, which therefore must stay
 * allocated as long as the row set.  A field's name is read back from the
 * text before its colon; the value's token is the one the lexer has just
 * read when the field (or array element) starts.  The rare strings that
 * hold escapes are de-escaped by the same lexer when they are used.
 *
 * The values are stored sparsely: a row keeps only the values present in
 * it, each tagged with its slot (one slot per distinct json_path of the
 * needed columns), so a page takes memory in proportion to its body, not
 * to rows x columns: 300,000 rows "{}" need no more than their row
 * boundaries, whether the table has 3 columns or 1,600.  A key repeated in
 * a row overwrites its value, as before (the last one wins).
 *
 * Rows may also be arrays, and a json_path segment that is an array index
 * ("0", "12") names an element of an array on its way, in a row or on the
 * way to the rows (rows_path 'sheets.0.data'): an array frame counts its
 * elements and looks each up among the trie node's index children, so
 * positional paths cost nothing where no path has an index.  A segment
 * names an object's key of the same text just as well: a value is either
 * an object or an array, so the two readings never compete.
 *
 * rest_rowset_store then converts one row's values: text, Booleans and
 * integers directly (exactly as their input functions would), every other
 * type with its input function.  A value that does not convert is
 * reported with the input function's own error, in an error context that
 * names the column, the row number and the (shortened) value; only values
 * whose message could quote a credential or too much text are converted
 * under a PG_TRY that scrubs and shortens it.
 *
 * Nothing here knows about HTTP.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#define REST_COMPAT_JSON
#include "rest_fdw.h"

/* Column conversion categories */
#define CAT_OTHER	0			/* the type's input function */
#define CAT_TEXT	1			/* text: no input function needed */
#define CAT_JSON	2			/* json, jsonb: needs JSON text */
#define CAT_ARRAY	3			/* a PostgreSQL array from a JSON array */

/* What a captured value is */
typedef enum RestValueKind
{
	RV_MISSING = 0,				/* key absent: SQL NULL */
	RV_NULL,
	RV_STRING,
	RV_NUMBER,
	RV_BOOL,
	RV_OBJECT,
	RV_ARRAY
} RestValueKind;

/*
 * A captured value: the text of a number, true or false; a string's
 * content between its quotes (escaped: with backslash escapes, as in the
 * JSON text); or the JSON text of an object or array.  Not NUL-terminated.
 */
typedef struct RestValue
{
	const char *ptr;
	int32		len;
	uint8		kind;			/* RestValueKind */
	bool		escaped;
	uint16		slot;			/* in a row set: whose value; 16 bytes in all */
} RestValue;

/* A missing value: SQL NULL */
static const RestValue missing_value = {NULL, 0, RV_MISSING, false, 0};

/*
 * The rows of a page.  Row r's values are values[row_end[r - 1] ..
 * row_end[r] - 1] (from 0 for the first row), at most one per slot, in the
 * order they appeared.  slot_index[s] is the index in values of slot s's
 * value in the row being built or read, when it lies in that row's range
 * (an index left from another row lies outside it, so the array is never
 * cleared).  Values are counted in int32: a body is at most 1 GB, and each
 * value takes at least two of its bytes.
 */
struct RestRowSet
{
	int			ncols;
	int			nslots;			/* distinct json_paths of the columns */
	int		   *col_slot;		/* ncols: the slot of each column */
	int32	   *slot_index;		/* nslots: see above */
	int64		nrows;
	int64		maxrows;
	int32	   *row_end;		/* nrows: end of each row's values */
	RestValue  *values;			/* nvalues, row by row */
	int32		nvalues;
	int32		maxvalues;
	int32		cur_start;		/* range of the row selected by select_row */
	int32		cur_end;
	int			nmeta;
	char	  **meta;			/* values at the metadata paths, or NULL */
	bool	   *meta_true;		/* ... which were JSON true */
	const char *text;			/* the parsed text, for messages */
	size_t		textlen;

	/*
	 * Rows inside arrays of arrays (rows_path "orders.*.lines"): each "*"
	 * is a level, and each element of its array, an ancestor of the rows
	 * in it, is a row of anc[level - 1] holding the values of the columns
	 * whose json_path climbs to it ("^.id"); row_anc[r * nlevels + l] is
	 * the ancestor of row r at level l + 1 (-1: none).  row_pos[r] is a
	 * row's position in its array, from 1, for json_paths ending in "#".
	 * A level's row set uses only the value store fields above.
	 */
	int			nlevels;
	struct RestRowSet **anc;
	int32	   *row_anc;
	int32	   *row_pos;
	RestValue  *row_key;		/* a row's key, when it is a member of an
								 * object ("*" over a map), or NULL */
	int64		cur_row;		/* the row select_row chose */
	bool		single;			/* the rows are one object, not an array */
	bool		special;		/* some column has a level or is a position */
	int		   *col_level;		/* ncols: 0, or the level of its ancestor */
	bool	   *col_pos;		/* ncols: a position column */
	RestValue  *pos_value;		/* ncols: a position column's value ... */
	char	  (*pos_text)[24];	/* ... and its text */
	List	   *secrets;		/* never quoted in messages (credentials the
								 * request carried, which an API may echo) */
	StringInfoData scratch;		/* a value as a C string, for conversion */
};

/* json_path trie: one node per key, the columns whose path ends here */
typedef struct PathNode
{
	char	   *key;
	int			keylen;
	int		   *cols;
	int			ncols;
	struct PathNode **children;
	int			nchildren;
	int			slot;			/* the row set slot of its value, when ncols > 0 */
	int			level;			/* the row set it is stored in: 0 the row's,
								 * l > 0 its ancestor's at level l */
	bool		under_star;		/* in the top trie, below a "*" */
	bool		is_index;		/* key is an array index: 0 or [1-9][0-9]* */
	bool		has_index;		/* some child's key is an array index */
	int64		max_index;		/* ... the largest */
	/* in the trie of top-level paths only: */
	bool		is_rows;		/* the rows_path array */
	bool		on_rows_path;	/* an object on the way to it */
	bool		is_star;		/* "*": every element of its parent's array */
	struct PathNode *star;		/* ... the "*" child, if any */
	int			meta;			/* index of a page metadata value, or -1 */
} PathNode;

/* What the value being parsed means to us */
typedef enum Role
{
	ROLE_NONE,					/* not needed */
	ROLE_TOP,					/* top-level value, no rows_path */
	ROLE_PATH,					/* an object on the way to rows_path */
	ROLE_ROWS_TARGET,			/* the value at rows_path: must be an array */
	ROLE_ROWS,					/* the array of rows */
	ROLE_ROW,					/* one row */
	ROLE_NODE					/* inside a row, on some column's path */
} Role;

typedef struct Frame
{
	Role		role;
	PathNode   *node;			/* ROLE_PATH, ROLE_ROW, ROLE_NODE: where we
								 * are */
	const char *capture_start;	/* start of the JSON text to keep, or NULL */
	bool		is_map;			/* an object whose members are rows or
								 * ancestors ("*" over an object) */
	bool		is_array;		/* an array: its elements are looked up by
								 * index among node's children */
	int64		index;			/* ... the index of the element last started */
} Frame;

typedef struct ParseState
{
	JsonLexContext *lex;
	const char *input;
	const char *rows_path_text;
	PathNode   *top;			/* trie of rows_path and metadata paths */
	PathNode   *root;			/* json_path trie */
	int			ncols;
	bool		found_rows;
	bool		rows_optional;	/* no rows element (or null): no rows */

	/* the role of the value about to start */
	Role		pending;
	PathNode   *pending_node;

	Frame	   *frames;
	int			nframes;
	int			maxframes;

	bool		in_row;			/* a row is being filled */
	int32		row_start;		/* its first value in rs->values */
	int32		next_pos;		/* the position of the row about to start */
	int32		row_pos_cur;	/* ... of the row being filled */
	RestValue	next_key;		/* the key of the row about to start (a
								 * member of a map), ptr NULL if none */
	RestValue	row_key_cur;	/* ... of the row being filled */
	RestRowSet *rs;

	/* rows_path through arrays: the "*" nodes, and the open ancestors */
	int			nlevels;
	PathNode   *stars[REST_MAX_ROWS_LEVELS];
	bool		anc_open[REST_MAX_ROWS_LEVELS];
	int32		anc_start[REST_MAX_ROWS_LEVELS];
	int32		anc_pos[REST_MAX_ROWS_LEVELS];
	RestValue	anc_key[REST_MAX_ROWS_LEVELS];
} ParseState;

static char **split_path(const char *path, int *n);
static PathNode *add_keys(PathNode *root, char **keys, int nkeys,
						  bool mark_on_rows_path, bool stars, int level);
static PathNode *build_top_trie(ParseState *ps, const char *rows_path,
								const char **meta_paths, int nmeta);
static PathNode *build_trie(ParseState *ps, RestColumn *cols, int ncols,
							RestRowSet *rs);
static PathNode *find_child(PathNode *node, const char *key, int keylen);
static Frame *push_frame(ParseState *ps, Role role, PathNode *node,
						bool capture);
static void store_value(ParseState *ps, PathNode *node, const char *ptr,
						int len, RestValueKind kind);
static void emit_row(ParseState *ps);
static void not_an_object_row(ParseState *ps, const char *what);
static void rows_not_array(ParseState *ps, const char *what);
static void path_not_object(ParseState *ps, PathNode *node, const char *what);
static void star_not_array(ParseState *ps, PathNode *node, const char *what);
static void store_scalar(ParseState *ps, PathNode *node, JsonTokenType t);
static void row_element(ParseState *ps, Frame *f, JsonTokenType t);
static void ancestor_element(ParseState *ps, Frame *f, JsonTokenType t);
static void rows_error_callback(void *arg);

static SEM_ACTION_RESULT sem_object_start(void *state);
static SEM_ACTION_RESULT sem_object_end(void *state);
static SEM_ACTION_RESULT sem_array_start(void *state);
static SEM_ACTION_RESULT sem_array_end(void *state);
static SEM_ACTION_RESULT sem_field_start(void *state, char *fname, bool isnull);
static SEM_ACTION_RESULT sem_element_start(void *state, bool isnull);

/*
 * Is t the first token of a JSON value?  Callbacks peek at the token that
 * follows a colon or starts an array element before the parser checked
 * it: at the end of a truncated body it is JSON_TOKEN_END (with no
 * token_start), and the parser reports anything else after the callback.
 */
static inline bool
is_value_token(JsonTokenType t)
{
	return t == JSON_TOKEN_STRING || t == JSON_TOKEN_NUMBER ||
		t == JSON_TOKEN_TRUE || t == JSON_TOKEN_FALSE ||
		t == JSON_TOKEN_NULL || t == JSON_TOKEN_OBJECT_START ||
		t == JSON_TOKEN_ARRAY_START;
}

/* What a JSON token is, for messages */
static const char *
token_name(JsonTokenType t)
{
	switch (t)
	{
		case JSON_TOKEN_STRING:
			return "a string";
		case JSON_TOKEN_NUMBER:
			return "a number";
		case JSON_TOKEN_NULL:
			return "null";
		case JSON_TOKEN_OBJECT_START:
			return "an object";
		case JSON_TOKEN_ARRAY_START:
			return "an array";
		default:
			return "a boolean";
	}
}

/*
 * The de-escaped content of the JSON string whose content (between the
 * quotes) is ptr[0..len-1], palloc'd; *outlen gets its length.  An escape
 * that cannot be converted (\u0000, a lone surrogate, a character the
 * database encoding lacks) is the parse error it always was.
 */
static char *
unescape_string(const char *ptr, int len, int *outlen, const RestRowSet *rs)
{
	JsonLexContext *lex = rest_make_json_lexer(ptr - 1, len + 2, true);
	JsonParseErrorType rc = json_lex(lex);

	if (rc != JSON_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("response is not valid JSON"),
				 errdetail("%s The body begins with: %s",
						   rest_scrubbed_json_detail(json_errdetail(rc, lex),
													 rs->secrets),
						   rest_shorten_scrubbed(rs->text, rs->textlen, 100,
												 rs->secrets))));
	*outlen = lex->strval->len;
	return lex->strval->data;
}

/*
 * Look up how each column's values are converted: once per scan.
 */
void
rest_prepare_columns(RestColumn *cols, int ncols)
{
	int			i;

	for (i = 0; i < ncols; i++)
	{
		RestColumn *c = &cols[i];
		Oid			infunc;

		rest_check_format_type(c->format, c->typid, c->name);
		getTypeInputInfo(c->typid, &infunc, &c->ioparam);
		fmgr_info(infunc, &c->infunc);
		c->elemtypid = InvalidOid;

		if (c->typid == TEXTOID)
			c->category = CAT_TEXT;
		else if (c->typid == JSONOID || c->typid == JSONBOID)
			c->category = CAT_JSON;
		else if (OidIsValid(get_element_type(c->typid)))
		{
			Oid			elemin;

			c->category = CAT_ARRAY;
			c->elemtypid = get_element_type(c->typid);
			get_typlenbyvalalign(c->elemtypid, &c->elemlen, &c->elembyval,
								 &c->elemalign);
			getTypeInputInfo(c->elemtypid, &elemin, &c->elemioparam);
			fmgr_info(elemin, &c->eleminfunc);
		}
		else
			c->category = CAT_OTHER;
	}
}

/* ---------------------------------------------------------------------
 * Parsing a page
 * ---------------------------------------------------------------------
 */

/* Split a dotted path (validated, dots in keys escaped) into keys. */
static char **
split_path(const char *path, int *n)
{
	return rest_split_json_path(path, n);
}

/*
 * Does a json_path segment name an array index: "0" or digits without a
 * leading zero, at most 18 of them (an array in a body under 1 GB has far
 * fewer elements, and 18 digits always fit an int64)?  Other segments,
 * "007" or "99999999999999999999", match object keys only.
 */
static bool
is_index_key(const char *key, int keylen)
{
	int			i;

	if (keylen < 1 || keylen > 18 || (key[0] == '0' && keylen > 1))
		return false;
	for (i = 0; i < keylen; i++)
	{
		if (key[i] < '0' || key[i] > '9')
			return false;
	}
	return true;
}

/* The child of node that names array element index, or NULL */
static PathNode *
index_child(PathNode *node, int64 index)
{
	char		buf[32];
	int			len;

	if (!node->has_index || index > node->max_index)
		return NULL;
	len = snprintf(buf, sizeof(buf), INT64_FORMAT, index);
	return find_child(node, buf, len);
}

static PathNode *
find_child(PathNode *node, const char *key, int keylen)
{
	int			i;

	for (i = 0; i < node->nchildren; i++)
	{
		PathNode   *child = node->children[i];

		if (child->keylen == keylen &&
			(keylen == 0 || child->key[0] == key[0]) &&
			memcmp(child->key, key, keylen) == 0)
			return child;
	}
	return NULL;
}

/*
 * The node of the keys of a split path under root, created as needed.
 * With stars, a "*" key (REST_JSON_STAR) is the node's star child, which
 * no key matches; otherwise it is the key "*".  New nodes get level.
 */
static PathNode *
add_keys(PathNode *root, char **keys, int nkeys, bool mark_on_rows_path,
		 bool stars, int level)
{
	PathNode   *node = root;
	int			k;

	for (k = 0; k < nkeys; k++)
	{
		bool		star = stars && keys[k] == REST_JSON_STAR;
		PathNode   *child = star ? node->star : find_child(node, keys[k], strlen(keys[k]));

		if (child == NULL)
		{
			child = palloc0(sizeof(PathNode));
			child->key = keys[k];
			child->keylen = star ? -1 : (int) strlen(keys[k]);
			child->meta = -1;
			child->level = level;
			child->is_star = star;
			child->under_star = star || node->under_star;
			child->is_index = !star && is_index_key(child->key, child->keylen);
			if (child->is_index)
			{
				int64		index = strtoi64(child->key, NULL, 10);

				if (!node->has_index || index > node->max_index)
					node->max_index = index;
				node->has_index = true;
			}
			if (star)
				node->star = child;
			else
			{
				node->children = node->nchildren == 0
					? palloc(sizeof(PathNode *))
					: repalloc(node->children,
							   sizeof(PathNode *) * (node->nchildren + 1));
				node->children[node->nchildren++] = child;
			}
		}
		if (mark_on_rows_path && k < nkeys - 1)
			child->on_rows_path = true;
		node = child;
	}
	return node;
}

/*
 * The trie of the top-level paths: rows_path and the metadata paths.
 * Records rows_path's "*" nodes, outermost first, in ps->stars.
 */
static PathNode *
build_top_trie(ParseState *ps, const char *rows_path, const char **meta_paths,
			   int nmeta)
{
	PathNode   *top = palloc0(sizeof(PathNode));
	PathNode   *node = top;
	char	  **keys;
	int			nkeys;
	int			k;
	int			i;

	top->meta = -1;
	keys = split_path(rows_path, &nkeys);
	for (k = 0; k < nkeys; k++)
	{
		node = add_keys(node, &keys[k], 1, false, true, 0);
		if (k < nkeys - 1)
			node->on_rows_path = true;
		if (node->is_star && k < nkeys - 1)
		{
			if (ps->nlevels == REST_MAX_ROWS_LEVELS)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("rows path \"%s\" goes through more than %d arrays",
								rows_path, REST_MAX_ROWS_LEVELS)));
			ps->stars[ps->nlevels++] = node;
			node->level = ps->nlevels;
		}
	}
	node->is_rows = true;
	for (i = 0; i < nmeta; i++)
	{
		if (meta_paths[i])
		{
			keys = split_path(meta_paths[i], &nkeys);
			add_keys(top, keys, nkeys, false, false, 0)->meta = i;
		}
	}
	return top;
}

/*
 * The trie of the needed columns' json_paths; gives each distinct path a
 * slot of its row set (columns with the same json_path share it).  A
 * json_path climbing to an ancestor ("^.id") lives under that level's "*"
 * node in the top trie, with a slot of the level's row set; one ending in
 * "#" is a position and has no node.
 */
static PathNode *
build_trie(ParseState *ps, RestColumn *cols, int ncols, RestRowSet *rs)
{
	PathNode   *root = palloc0(sizeof(PathNode));
	int			i;
	int			l;

	root->meta = -1;
	rs->col_slot = palloc(sizeof(int) * Max(ncols, 1));
	rs->col_level = palloc0(sizeof(int) * Max(ncols, 1));
	rs->col_pos = palloc0(sizeof(bool) * Max(ncols, 1));
	rs->nslots = 0;
	rs->nlevels = ps->nlevels;
	if (ps->nlevels > 0)
	{
		rs->anc = palloc(sizeof(RestRowSet *) * ps->nlevels);
		for (l = 0; l < ps->nlevels; l++)
		{
			RestRowSet *a = palloc0(sizeof(RestRowSet));

			a->maxrows = 16;
			a->row_end = palloc(sizeof(int32) * a->maxrows);
			a->row_pos = palloc(sizeof(int32) * a->maxrows);
			a->maxvalues = 16;
			a->values = palloc(sizeof(RestValue) * a->maxvalues);
			a->text = rs->text;
			a->textlen = rs->textlen;
			rs->anc[l] = a;
		}
	}
	for (i = 0; i < ncols; i++)
	{
		char	  **keys;
		int			nkeys;
		int			up = 0;
		int			level = 0;
		RestRowSet *store = rs;
		PathNode   *node;
		int			k;

		keys = split_path(cols[i].json_path, &nkeys);
		if (nkeys == 1 && keys[0] == REST_JSON_SELF)
			nkeys = 0;			/* the row itself: the root */
		while (up < nkeys && keys[up] == REST_JSON_PARENT)
			up++;
		if (up > ps->nlevels)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("json_path \"%s\" of column \"%s\" climbs above the rows path",
							cols[i].json_path, cols[i].name),
					 errdetail("The json_path climbs %d levels (\"^\"); the rows path \"%s\" goes through %d arrays (\"*\").",
							   up, ps->rows_path_text ? ps->rows_path_text : "", ps->nlevels),
					 errhint("Each leading \"^\" climbs to the element of one \"*\" of the rows_path, the innermost first.")));
		if (up > 0)
		{
			level = ps->nlevels - up + 1;
			store = rs->anc[level - 1];
			rs->special = true;
		}
		rs->col_level[i] = level;
		if (nkeys > up && keys[nkeys - 1] == REST_JSON_POSITION)
		{
			rs->col_pos[i] = true;
			rs->special = true;
			rs->col_slot[i] = -1;
			continue;
		}
		node = level > 0 ? ps->stars[level - 1] : root;
		for (k = up; k < nkeys; k++)
		{
			node = add_keys(node, &keys[k], 1, false, false, level);
			/* an ancestor's column must not reach into the rows' way */
			if (node->is_rows || node->on_rows_path)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("json_path \"%s\" of column \"%s\" leads into the rows path",
								cols[i].json_path, cols[i].name),
						 errhint("A column of an ancestor names a member of its element beside the array of rows.")));
		}
		if (node->ncols == 0)
		{
			if (store->nslots > PG_UINT16_MAX)
				elog(ERROR, "too many columns: %d", ncols);
			node->slot = store->nslots++;
		}
		node->cols = node->ncols == 0
			? palloc(sizeof(int))
			: repalloc(node->cols, sizeof(int) * (node->ncols + 1));
		node->cols[node->ncols++] = i;
		rs->col_slot[i] = node->slot;
	}
	rs->slot_index = palloc(sizeof(int32) * Max(rs->nslots, 1));
	for (i = 0; i < rs->nslots; i++)
		rs->slot_index[i] = -1;
	for (l = 0; l < ps->nlevels; l++)
	{
		RestRowSet *a = rs->anc[l];

		a->slot_index = palloc(sizeof(int32) * Max(a->nslots, 1));
		for (i = 0; i < a->nslots; i++)
			a->slot_index[i] = -1;
	}
	if (rs->special)
	{
		rs->pos_value = palloc0(sizeof(RestValue) * Max(ncols, 1));
		rs->pos_text = palloc(sizeof(*rs->pos_text) * Max(ncols, 1));
	}
	return root;
}

/* Errors while parsing a row name it, inside the request's context */
static void
rows_error_callback(void *arg)
{
	ParseState *ps = (ParseState *) arg;

	if (ps->in_row)
		errcontext("row %lld of the response", (long long) ps->rs->nrows + 1);
}

/*
 * Parse a response body into rows, keeping the values of the given columns
 * only.  The body must be UTF-8 (RFC 8259); it is checked, and converted
 * when the database uses another encoding.  Everything is allocated in the
 * current memory context, which the caller resets per page; the values
 * point into the body, which must outlive the row set.  With rows_optional,
 * a body without the rows_path element, or with null there or on its way,
 * has no rows (instead of being an error).  Errors name the
 * request ("<method> <display_url>") and the row they are found in.
 */
RestRowSet *
rest_parse_rows(const char *body, size_t len, const char *rows_path,
				bool rows_optional, const char **meta_paths, int nmeta,
				RestColumn *cols, int ncols, const char *method,
				const char *display_url, List *secrets)
{
	ParseState	ps;
	JsonSemAction sem;
	JsonParseErrorType rc;
	ErrorContextCallback errcb;
	RestRequestContext reqctx;
	const char *text = body;
	size_t		textlen = len;

	rest_push_request_context(&reqctx, method, display_url, NULL);
	if (GetDatabaseEncoding() == PG_UTF8)
	{
		int			valid = pg_encoding_verifymbstr(PG_UTF8, body, (int) len);

		if ((size_t) valid != len)
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("response is not valid UTF-8"),
					 errdetail("The invalid byte sequence starts at byte %d of %zu.",
							   valid + 1, len)));
	}
	else
	{
		text = pg_any_to_server(body, (int) len, PG_UTF8);
		textlen = strlen(text);
	}

	memset(&ps, 0, sizeof(ps));
	ps.input = text;
	ps.rs = palloc0(sizeof(RestRowSet));
	ps.rs->text = text;
	ps.rs->textlen = textlen;
	ps.rows_path_text = rows_path;
	if (rows_path)
		ps.top = build_top_trie(&ps, rows_path, meta_paths, nmeta);
	ps.root = build_trie(&ps, cols, ncols, ps.rs);
	ps.ncols = ncols;
	ps.rows_path_text = rows_path;
	ps.rows_optional = rows_optional;
	ps.rs->nmeta = nmeta;
	ps.rs->meta = palloc0(sizeof(char *) * Max(nmeta, 1));
	ps.rs->meta_true = palloc0(sizeof(bool) * Max(nmeta, 1));
	ps.rs->secrets = secrets;
	initStringInfo(&ps.rs->scratch);
	if (rows_path)
	{
		ps.pending = ROLE_PATH;
		ps.pending_node = ps.top;
	}
	else
		ps.pending = ROLE_TOP;
	ps.maxframes = 16;
	ps.frames = palloc(sizeof(Frame) * ps.maxframes);
	ps.rs->ncols = ncols;
	ps.rs->maxrows = 64;
	ps.rs->row_end = palloc(sizeof(int32) * ps.rs->maxrows);
	ps.rs->row_pos = palloc(sizeof(int32) * ps.rs->maxrows);
	if (ps.nlevels > 0)
		ps.rs->row_anc = palloc(sizeof(int32) * ps.rs->maxrows * ps.nlevels);
	ps.next_pos = 1;
	ps.rs->maxvalues = 256;
	ps.rs->values = palloc(sizeof(RestValue) * ps.rs->maxvalues);
	ps.rs->cur_start = ps.rs->cur_end = 0;

	ps.lex = rest_make_json_lexer(text, textlen, false);

	memset(&sem, 0, sizeof(sem));
	sem.semstate = &ps;
	sem.object_start = sem_object_start;
	sem.object_end = sem_object_end;
	sem.array_start = sem_array_start;
	sem.array_end = sem_array_end;
	sem.object_field_start = sem_field_start;
	sem.array_element_start = sem_element_start;

	errcb.callback = rows_error_callback;
	errcb.arg = &ps;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	rc = pg_parse_json(ps.lex, &sem);
	if (rc != JSON_SUCCESS)
	{
		ps.in_row = false;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("response is not valid JSON"),
				 errdetail("%s The body begins with: %s",
						   rest_scrubbed_json_detail(json_errdetail(rc, ps.lex),
													 secrets),
						   rest_shorten_scrubbed(text, textlen, 100, secrets))));
	}

	/* a scalar document: nothing took the role of the top-level value */
	if (ps.pending == ROLE_TOP || (ps.pending == ROLE_PATH && ps.pending_node == ps.top))
	{
		const char *p = text;
		const char *what;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		what = *p == '"' ? "a string" : *p == 'n' ? "null"
			: (*p == 't' || *p == 'f') ? "a boolean" : "a number";
		if (ps.pending == ROLE_TOP)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("response is %s, not an array or object", what)));
		path_not_object(&ps, ps.top, what);
	}

	if (rows_path && !ps.found_rows && !rows_optional)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("response has no element \"%s\"", rows_path),
				 errhint("Check the rows_path option of the foreign table; set rows_path_optional to true if the API leaves the element out when there are no rows.")));

	error_context_stack = errcb.previous;
	rest_pop_request_context(&reqctx);
	return ps.rs;
}

static Frame *
push_frame(ParseState *ps, Role role, PathNode *node, bool capture)
{
	Frame	   *f;

	if (ps->nframes == ps->maxframes)
	{
		ps->maxframes *= 2;
		ps->frames = repalloc(ps->frames, sizeof(Frame) * ps->maxframes);
	}
	f = &ps->frames[ps->nframes++];
	f->role = role;
	f->node = node;
	f->capture_start = capture ? ps->lex->token_start : NULL;
	f->is_array = false;
	f->is_map = false;
	f->index = -1;
	return f;
}

/*
 * The value of the columns whose json_path ends at node (node->ncols > 0)
 * in the row being filled: len bytes at ptr (for a string, its content
 * between the quotes).  Replaces the value a repeated key gave before.
 */
static void
store_value(ParseState *ps, PathNode *node, const char *ptr, int len,
			RestValueKind kind)
{
	RestRowSet *rs = ps->rs;
	int32		start = ps->row_start;
	int32		idx;
	RestValue  *v;

	if (node->level > 0)
	{
		/* an ancestor's value: in its level's row set, while it is open */
		if (!ps->anc_open[node->level - 1])
			return;
		rs = rs->anc[node->level - 1];
		start = ps->anc_start[node->level - 1];
	}
	else if (!ps->in_row)
		return;
	idx = rs->slot_index[node->slot];
	if (idx < start)
	{
		if (rs->nvalues == rs->maxvalues)
		{
			/* unreachable for a body under 1 GB; keeps the int32 counts safe */
			if (rs->maxvalues > PG_INT32_MAX / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("response has too many values")));
			rs->maxvalues *= 2;
			rs->values = repalloc_huge(rs->values,
									   sizeof(RestValue) * (Size) rs->maxvalues);
		}
		idx = rs->nvalues++;
		rs->slot_index[node->slot] = idx;
	}
	v = &rs->values[idx];
	v->ptr = ptr;
	v->len = len;
	v->kind = kind;
	v->escaped = kind == RV_STRING && memchr(ptr, '\\', len) != NULL;
	v->slot = (uint16) node->slot;
}

/*
 * The end of a row of rs (the rows' or a level's) at position pos in its
 * array; for the rows, with nlevels ancestors from anc.
 */
static void
append_row(RestRowSet *rs, int32 pos, const RestValue *key, int nlevels,
		   RestRowSet **anc, const bool *anc_open)
{
	int			l;

	if (key->ptr != NULL && rs->row_key == NULL)
	{
		rs->row_key = palloc_extended(sizeof(RestValue) * (Size) rs->maxrows,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	}
	if (rs->nrows == rs->maxrows)
	{
		rs->maxrows *= 2;
		if (rs->row_key)
		{
			rs->row_key = repalloc_huge(rs->row_key,
										sizeof(RestValue) * (Size) rs->maxrows);
			memset(rs->row_key + rs->nrows, 0,
				   sizeof(RestValue) * (Size) (rs->maxrows - rs->nrows));
		}
		rs->row_end = repalloc_huge(rs->row_end,
									sizeof(int32) * (Size) rs->maxrows);
		rs->row_pos = repalloc_huge(rs->row_pos,
									sizeof(int32) * (Size) rs->maxrows);
		if (nlevels > 0)
			rs->row_anc = repalloc_huge(rs->row_anc, sizeof(int32) *
										(Size) rs->maxrows * nlevels);
	}
	/* an open ancestor becomes the next row of its level */
	for (l = 0; l < nlevels; l++)
		rs->row_anc[rs->nrows * nlevels + l] =
			anc_open[l] ? (int32) anc[l]->nrows : -1;
	rs->row_pos[rs->nrows] = pos;
	if (rs->row_key)
		rs->row_key[rs->nrows] = *key;
	rs->row_end[rs->nrows++] = rs->nvalues;
}

static void
emit_row(ParseState *ps)
{
	RestRowSet *rs = ps->rs;

	/* a body under 1 GB holds fewer rows; keeps the int32 indexes safe */
	if (rs->nrows >= PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("response has too many rows")));
	append_row(rs, ps->row_pos_cur, &ps->row_key_cur, ps->nlevels, rs->anc,
			   ps->anc_open);
	ps->in_row = false;
}

/* A new row, with no value yet, after the values of the rows before it */
static void
begin_row(ParseState *ps)
{
	ps->in_row = true;
	ps->row_start = ps->rs->nvalues;
	ps->row_pos_cur = ps->next_pos;
	ps->next_pos = 1;
	ps->row_key_cur = ps->next_key;
	ps->next_key.ptr = NULL;
}

/* An element of the array of "*" node star starts: an open ancestor */
static void
begin_ancestor(ParseState *ps, PathNode *star)
{
	int			l = star->level - 1;

	ps->anc_open[l] = true;
	ps->anc_start[l] = ps->rs->anc[l]->nvalues;
}

/* ... and ends */
static void
end_ancestor(ParseState *ps, PathNode *star)
{
	int			l = star->level - 1;

	append_row(ps->rs->anc[l], ps->anc_pos[l], &ps->anc_key[l], 0, NULL, NULL);
	ps->anc_key[l].ptr = NULL;
	ps->anc_open[l] = false;
}

/* The role a new value takes, consumed as it starts. */
static Role
take_pending(ParseState *ps, PathNode **node)
{
	Role		r = ps->pending;

	*node = ps->pending_node;
	ps->pending = ROLE_NONE;
	ps->pending_node = NULL;
	return r;
}

static void
not_an_object_row(ParseState *ps, const char *what)
{
	ps->in_row = false;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("row %lld of the response is %s, not a JSON object or array",
					(long long) ps->rs->nrows + 1, what),
			 errhint("A column with json_path '$' reads rows that are single values.")));
}

static void
rows_not_array(ParseState *ps, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("element \"%s\" of the response is %s, not an array",
					ps->rows_path_text, what),
			 errhint("The rows_path option of the foreign table must name an array of objects or arrays.")));
}

/* node's value, whose elements are ancestors of rows, is not an array of objects */
static void
star_not_array(ParseState *ps, PathNode *node, const char *what)
{
	ps->in_row = false;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("element \"%s\" of the response is %s, not an array of objects",
					node->key, what),
			 errhint("The rows_path option \"%s\" of the foreign table goes through each element of it.",
					 ps->rows_path_text)));
}

static void
path_not_object(ParseState *ps, PathNode *node, const char *what)
{
	if (node == ps->top)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("response is %s, not an object with element \"%s\"",
						what, ps->rows_path_text),
				 errhint("Check the rows_path option of the foreign table.")));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("element \"%s\" of the response is %s, not an object",
					node->key, what),
			 errhint("The rows_path option \"%s\" of the foreign table expects objects on its way.",
					 ps->rows_path_text)));
}

static SEM_ACTION_RESULT
sem_object_start(void *state)
{
	ParseState *ps = (ParseState *) state;
	PathNode   *node;

	switch (take_pending(ps, &node))
	{
		case ROLE_TOP:
			ps->rs->single = true;
			begin_row(ps);
			push_frame(ps, ROLE_ROW, ps->root, ps->root->ncols > 0);
			break;
		case ROLE_PATH:
			if (node->star && node->star->is_rows)
			{
				/* "*" last over an object: its members are the rows */
				ps->found_rows = true;
				push_frame(ps, ROLE_ROWS, node, false)->is_map = true;
				break;
			}
			if (node->star && node == ps->top)
			{
				/*
				 * "*" first over an object: the response's one row, as
				 * without a rows_path
				 */
				ps->found_rows = true;
				ps->rs->single = true;
				ps->anc_pos[0] = 1;
				begin_ancestor(ps, node->star);
				push_frame(ps, ROLE_PATH, node->star, false);
				break;
			}
			if (node->star)
			{
				/* "*" over an object: its members are ancestors */
				ps->found_rows = true;
				push_frame(ps, ROLE_PATH, node, false)->is_map = true;
				break;
			}
			if (node->is_star)
				begin_ancestor(ps, node);
			push_frame(ps, ROLE_PATH, node, false);
			break;
		case ROLE_ROWS_TARGET:
			rows_not_array(ps, "an object");
			break;
		case ROLE_ROW:
			begin_row(ps);
			push_frame(ps, ROLE_ROW, ps->root, ps->root->ncols > 0);
			break;
		case ROLE_NODE:
			push_frame(ps, ROLE_NODE, node, node->ncols > 0);
			break;
		default:
			push_frame(ps, ROLE_NONE, NULL, false);
			break;
	}
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
sem_object_end(void *state)
{
	ParseState *ps = (ParseState *) state;
	Frame	   *f = &ps->frames[--ps->nframes];

	if (f->capture_start)
		store_value(ps, f->node, f->capture_start,
					ps->lex->prev_token_terminator - f->capture_start,
					RV_OBJECT);
	if (f->role == ROLE_ROW)
		emit_row(ps);
	else if (f->role == ROLE_PATH && f->node->is_star)
		end_ancestor(ps, f->node);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
sem_array_start(void *state)
{
	ParseState *ps = (ParseState *) state;
	PathNode   *node;

	switch (take_pending(ps, &node))
	{
		case ROLE_TOP:
		case ROLE_ROWS_TARGET:
			ps->found_rows = true;
			push_frame(ps, ROLE_ROWS, NULL, false);
			break;
		case ROLE_PATH:
			if (node->star && node->star->is_rows)
			{
				/* "*" last: the array's elements are the rows */
				ps->found_rows = true;
				push_frame(ps, ROLE_ROWS, NULL, false);
			}
			else if (node->star)
			{
				/* an array of ancestors: its elements are looked at below */
				ps->found_rows = true;
				push_frame(ps, ROLE_PATH, node, false)->is_array = true;
			}
			else if (node->has_index)
				push_frame(ps, ROLE_PATH, node, false)->is_array = true;
			else
			{
				if (node == ps->top || node->on_rows_path)
					path_not_object(ps, node, "an array");
				push_frame(ps, ROLE_NONE, NULL, false);
			}
			break;
		case ROLE_ROW:
			/* a positional row: json_paths "0", "1", ... name its elements */
			begin_row(ps);
			push_frame(ps, ROLE_ROW, ps->root, ps->root->ncols > 0)->is_array = true;
			break;
		case ROLE_NODE:
			/* an array inside a row: a value, and a path when indexed */
			if (node->has_index)
				push_frame(ps, ROLE_NODE, node, node->ncols > 0)->is_array = true;
			else
				push_frame(ps, ROLE_NONE, node, node->ncols > 0);
			break;
		default:
			push_frame(ps, ROLE_NONE, NULL, false);
			break;
	}
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
sem_array_end(void *state)
{
	ParseState *ps = (ParseState *) state;
	Frame	   *f = &ps->frames[--ps->nframes];

	if (f->capture_start)
		store_value(ps, f->node, f->capture_start,
					ps->lex->prev_token_terminator - f->capture_start,
					RV_ARRAY);
	if (f->role == ROLE_ROW)
		emit_row(ps);
	SEM_ACTION_DONE;
}

/*
 * The key of the field whose value the lexer is at: read back from the
 * text, which holds  "key" <white space> : <the value's token>.  The
 * lexer already checked it, so the opening quote is the first quote
 * before the closing one that no backslash escapes.
 */
static const char *
field_key(ParseState *ps, int *keylen, bool *escaped)
{
	const char *p = ps->lex->prev_token_terminator - 1;	/* the colon */
	const char *end;
	const char *q;

	Assert(*p == ':');
	do
		p--;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r');
	Assert(*p == '"');
	end = p;
	*escaped = false;
	for (q = end - 1;; q--)
	{
		if (*q == '"')
		{
			const char *b = q;

			while (b[-1] == '\\')
				b--;
			if ((q - b) % 2 == 0)
				break;
		}
		if (*q == '\\')
			*escaped = true;
	}
	*keylen = end - (q + 1);
	return q + 1;
}

/* A metadata element's value as a C string (strings de-escaped) */
static void
store_meta(ParseState *ps, int i, JsonTokenType t)
{
	const char *ptr = ps->lex->token_start;
	int			len = ps->lex->token_terminator - ptr;

	if (t == JSON_TOKEN_NULL)
		return;
	if (t == JSON_TOKEN_STRING)
	{
		ptr++;
		len -= 2;
		if (memchr(ptr, '\\', len) != NULL)
			ptr = unescape_string(ptr, len, &len, ps->rs);
	}
	ps->rs->meta[i] = pnstrdup(ptr, len);
	ps->rs->meta_true[i] = t == JSON_TOKEN_TRUE;
}

/* The scalar the lexer is at is the value of node's columns */
static void
store_scalar(ParseState *ps, PathNode *node, JsonTokenType t)
{
	const char *ptr = ps->lex->token_start;
	int			len = ps->lex->token_terminator - ptr;

	switch (t)
	{
		case JSON_TOKEN_STRING:
			store_value(ps, node, ptr + 1, len - 2, RV_STRING);
			break;
		case JSON_TOKEN_NUMBER:
			store_value(ps, node, ptr, len, RV_NUMBER);
			break;
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			store_value(ps, node, ptr, len, RV_BOOL);
			break;
		default:
			store_value(ps, node, ptr, len, RV_NULL);
			break;
	}
}

/*
 * The value the lexer is at is child's (a field's, or an array element's
 * by its index) in frame f.  Objects and arrays are handled as they start;
 * scalars here, since no scalar callback is set.
 */
static void
child_value(ParseState *ps, Frame *f, PathNode *child, JsonTokenType t)
{
	bool		structured = t == JSON_TOKEN_OBJECT_START ||
		t == JSON_TOKEN_ARRAY_START;

	if (f->role == ROLE_PATH && child->level > 0)
	{
		/* a column of the ancestor whose element this is */
		if (structured)
		{
			ps->pending = ROLE_NODE;
			ps->pending_node = child;
		}
		else if (child->ncols > 0)
			store_scalar(ps, child, t);
	}
	else if (f->role == ROLE_PATH)
	{
		if (structured)
		{
			ps->pending = child->is_rows ? ROLE_ROWS_TARGET : ROLE_PATH;
			ps->pending_node = child;
		}
		else if (t == JSON_TOKEN_NULL &&
				 (ps->rows_optional || child->under_star) &&
				 (child->is_rows || child->on_rows_path))
		{
			/*
			 * null where the rows or an object on their way would be; in an
			 * element of an array of ancestors, that is always no rows
			 */
		}
		else if (child->is_rows)
			rows_not_array(ps, token_name(t));
		else if (child->meta >= 0)
			store_meta(ps, child->meta, t);
		else if (child->on_rows_path)
			path_not_object(ps, child, token_name(t));
	}
	else if (structured)
	{
		ps->pending = ROLE_NODE;
		ps->pending_node = child;
	}
	else if (child->ncols > 0)
		store_scalar(ps, child, t);
}

/* A field starts; the lexer is at the first token of its value. */
static SEM_ACTION_RESULT
sem_field_start(void *state, char *fname, bool isnull)
{
	ParseState *ps = (ParseState *) state;
	Frame	   *f = &ps->frames[ps->nframes - 1];
	JsonTokenType t = ps->lex->token_type;
	PathNode   *child;
	const char *key;
	int			keylen;
	bool		escaped;

	CHECK_FOR_INTERRUPTS();
	if (f->is_map && is_value_token(t))
	{
		/* a member of a map: a row or an ancestor, its key kept */
		key = field_key(ps, &keylen, &escaped);
		ps->next_key.ptr = key;
		ps->next_key.len = keylen;
		ps->next_key.kind = RV_STRING;
		ps->next_key.escaped = escaped;
		ps->next_key.slot = 0;
		if (f->role == ROLE_ROWS)
			row_element(ps, f, t);
		else
			ancestor_element(ps, f, t);
		SEM_ACTION_DONE;
	}
	if (f->role != ROLE_PATH && f->role != ROLE_ROW && f->role != ROLE_NODE)
		SEM_ACTION_DONE;
	if (!is_value_token(t))
		SEM_ACTION_DONE;		/* the parser reports it */
	key = field_key(ps, &keylen, &escaped);
	if (escaped)
		key = unescape_string(key, keylen, &keylen, ps->rs);
	child = find_child(f->node, key, keylen);
	if (child != NULL)
		child_value(ps, f, child, t);
	SEM_ACTION_DONE;
}

/*
 * An element of the rows array, or a member of the rows object, starts:
 * a row (a scalar one only when json_path '$' reads it)
 */
static void
row_element(ParseState *ps, Frame *f, JsonTokenType t)
{
	f->index++;
	ps->next_pos = (int32) Min(f->index + 1, PG_INT32_MAX);
	if (t == JSON_TOKEN_OBJECT_START || t == JSON_TOKEN_ARRAY_START)
		ps->pending = ROLE_ROW;
	else if (ps->root->ncols > 0)
	{
		begin_row(ps);
		store_scalar(ps, ps->root, t);
		emit_row(ps);
	}
	else
		not_an_object_row(ps, token_name(t));
}

/*
 * An element of an array of ancestors, or a member of an object of them,
 * starts: an object, or null (none)
 */
static void
ancestor_element(ParseState *ps, Frame *f, JsonTokenType t)
{
	PathNode   *star = f->node->star;

	f->index++;
	if (t == JSON_TOKEN_OBJECT_START)
	{
		ps->pending = ROLE_PATH;
		ps->pending_node = star;
		ps->anc_pos[star->level - 1] = (int32) Min(f->index + 1, PG_INT32_MAX);
		ps->anc_key[star->level - 1] = ps->next_key;
	}
	else if (t != JSON_TOKEN_NULL)
		star_not_array(ps, f->node,
					   psprintf(f->is_map ? "an object holding %s" : "an array holding %s",
								token_name(t)));
	ps->next_key.ptr = NULL;
}

/*
 * An array element starts.  In the rows array it is a row: an object, or
 * an array (a positional row); in an array on some path, it is the child
 * named by its index, if any.
 */
static SEM_ACTION_RESULT
sem_element_start(void *state, bool isnull)
{
	ParseState *ps = (ParseState *) state;
	Frame	   *f = &ps->frames[ps->nframes - 1];
	JsonTokenType t = ps->lex->token_type;

	CHECK_FOR_INTERRUPTS();
	if (!is_value_token(t))
		SEM_ACTION_DONE;		/* the parser reports it */
	if (f->role == ROLE_ROWS)
		row_element(ps, f, t);
	else if (f->is_array && f->node->star)
		ancestor_element(ps, f, t);
	else if (f->is_array)
	{
		PathNode   *child = index_child(f->node, ++f->index);

		if (child != NULL)
			child_value(ps, f, child, t);
	}
	SEM_ACTION_DONE;
}

int64
rest_rowset_count(RestRowSet *rs)
{
	return rs->nrows;
}

/*
 * The elements of the page's array that an API's paging counts: its rows,
 * or with a rows_path through arrays, the elements of the outermost one.
 */
int64
rest_rowset_elements(RestRowSet *rs)
{
	return rs->nlevels > 0 ? rs->anc[0]->nrows : rs->nrows;
}

/*
 * Was the response one object, the one row (or the one ancestor of the
 * rows), rather than an array of them?  Paging then has nothing to page.
 */
bool
rest_rowset_single(RestRowSet *rs)
{
	return rs->single;
}

/*
 * Make row rowno the one row_column reads: point the slots of its values
 * at them.  Costs the number of values in the row, not the columns.
 */
static void
select_row(RestRowSet *rs, int64 rowno)
{
	int32		i;
	int			l;

	Assert(rowno >= 0 && rowno < rs->nrows);
	rs->cur_row = rowno;
	rs->cur_start = rowno == 0 ? 0 : rs->row_end[rowno - 1];
	rs->cur_end = rs->row_end[rowno];
	for (i = rs->cur_start; i < rs->cur_end; i++)
		rs->slot_index[rs->values[i].slot] = i;
	/* and the row's ancestors in their levels */
	for (l = 0; l < rs->nlevels; l++)
	{
		RestRowSet *a = rs->anc[l];
		int32		g = rs->row_anc[rowno * rs->nlevels + l];

		if (g >= 0 && g < a->nrows)
			select_row(a, g);
		else
		{
			a->cur_row = -1;
			a->cur_start = a->cur_end = 0;
		}
	}
}

/*
 * The value of a column with a level or a position (rs->special) in the
 * row select_row chose
 */
static const RestValue *
special_column(RestRowSet *rs, int col)
{
	RestRowSet *a = rs->col_level[col] > 0 ? rs->anc[rs->col_level[col] - 1] : rs;
	RestValue  *v;

	if (!rs->col_pos[col])
	{
		int32		idx = a->slot_index[rs->col_slot[col]];

		if (idx >= a->cur_start && idx < a->cur_end)
			return &a->values[idx];
		return &missing_value;
	}
	if (a->cur_row < 0)
		return &missing_value;
	if (a->row_key && a->row_key[a->cur_row].ptr != NULL)
		return &a->row_key[a->cur_row];	/* a member of a map: its key */
	v = &rs->pos_value[col];
	v->len = snprintf(rs->pos_text[col], sizeof(rs->pos_text[col]), "%d",
					  (int) a->row_pos[a->cur_row]);
	v->ptr = rs->pos_text[col];
	v->kind = RV_NUMBER;
	v->escaped = false;
	return v;
}

/* The value of column col in the row select_row chose (maybe missing) */
static inline const RestValue *
row_column(RestRowSet *rs, int col)
{
	int32		idx;

	if (unlikely(rs->special) &&
		(rs->col_level[col] > 0 || rs->col_pos[col]))
		return special_column(rs, col);
	idx = rs->slot_index[rs->col_slot[col]];
	if (idx >= rs->cur_start && idx < rs->cur_end)
		return &rs->values[idx];
	return &missing_value;
}

/*
 * The value of column col in row rowno as text (strings de-escaped,
 * objects and arrays as JSON text), or NULL when it is missing or null;
 * palloc'd.  For a value the pager reads from a row (cursor_row_path).
 */
char *
rest_rowset_text(RestRowSet *rs, int64 rowno, int col)
{
	const RestValue *v;
	const char *ptr;
	int			len;

	Assert(col >= 0 && col < rs->ncols);
	select_row(rs, rowno);
	v = row_column(rs, col);
	if (v->kind == RV_MISSING || v->kind == RV_NULL)
		return NULL;
	ptr = v->ptr;
	len = v->len;
	if (v->escaped)
		ptr = unescape_string(ptr, len, &len, rs);
	return pnstrdup(ptr, len);
}

/*
 * The value found at metadata path i of the page, as text (NULL when
 * absent or JSON null); *is_true tells a JSON true.
 */
const char *
rest_rowset_meta(RestRowSet *rs, int i, bool *is_true)
{
	*is_true = rs->meta_true[i];
	return rs->meta[i];
}

/* ---------------------------------------------------------------------
 * Converting a row
 * ---------------------------------------------------------------------
 */

/*
 * A JSON array becomes a PostgreSQL array as it is parsed: each element is
 * converted when the lexer reaches it (a nested object or array, at its
 * end) in a memory context reset after it, and appended to the array's
 * data, laid out as construct_md_array lays it out; the header goes in
 * front at the end.  Nothing is kept per element but its bytes in the
 * array and one bit of the null bitmap, so converting an array costs about
 * the final array, whatever the JSON looks like.  The lexer does not
 * de-escape: a string is its position in the text, as in rest_parse_rows,
 * and only one that holds a backslash is de-escaped.
 */
typedef struct ArrayParseState
{
	RestRowSet *rs;
	RestColumn *c;
	JsonLexContext *lex;
	int			depth;
	const char *elem_start;		/* text of the nested element being parsed */
	MemoryContext elemcxt;		/* one element's conversion */
	int			nelems;
	bool		hasnulls;
	bits8	   *nullbits;		/* one bit per element: 1 when not null */
	Size		nullcap;
	char	   *data;			/* the elements' bytes, aligned */
	Size		datalen;
	Size		datacap;
} ArrayParseState;

static Datum convert_value(RestRowSet *rs, RestColumn *c, const RestValue *v,
						   bool element);

/*
 * Convert element ptr[0..len-1] (a string's content between its quotes)
 * and append it to the array.
 */
static void
array_add(ArrayParseState *as, const char *ptr, int len, RestValueKind kind)
{
	RestColumn *c = as->c;
	bool		isnull = kind == RV_NULL;
	Size		nbytes = (Size) as->nelems / 8 + 1;

	if (as->nelems >= (int) MaxArraySize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("array size exceeds the maximum allowed (%d)",
						(int) MaxArraySize)));
	if (nbytes > as->nullcap)
	{
		Size		newcap = as->nullcap * 2;

		as->nullbits = repalloc(as->nullbits, newcap);
		memset(as->nullbits + as->nullcap, 0, newcap - as->nullcap);
		as->nullcap = newcap;
	}

	if (isnull)
		as->hasnulls = true;
	else
	{
		RestValue	e;
		MemoryContext oldcxt;
		Datum		d;
		Size		start;
		Size		len_bytes;

		e.ptr = ptr;
		e.len = len;
		e.kind = kind;
		e.escaped = kind == RV_STRING && memchr(ptr, '\\', len) != NULL;
		e.slot = 0;

		oldcxt = MemoryContextSwitchTo(as->elemcxt);
		d = convert_value(as->rs, c, &e, true);
		if (c->elemlen == -1)
			d = PointerGetDatum(PG_DETOAST_DATUM(d));
		MemoryContextSwitchTo(oldcxt);

		start = att_align_nominal(as->datalen, c->elemalign);
		if (c->elemlen > 0)
			len_bytes = c->elemlen;
		else if (c->elemlen == -1)
			len_bytes = VARSIZE_ANY(DatumGetPointer(d));
		else
			len_bytes = strlen(DatumGetCString(d)) + 1;
		if (MAXALIGN(start + len_bytes) >
			MaxAllocSize - ARR_OVERHEAD_WITHNULLS(1, as->nelems + 1))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("array size exceeds the maximum allowed (%d)",
							(int) MaxAllocSize)));
		if (start + len_bytes > as->datacap)
		{
			Size		newcap = as->datacap;

			while (newcap < start + len_bytes)
				newcap *= 2;
			newcap = Min(newcap, MaxAllocSize);
			as->data = repalloc(as->data, newcap);
			as->datacap = newcap;
		}
		memset(as->data + as->datalen, 0, start - as->datalen);
		if (c->elembyval)
			store_att_byval(as->data + start, d, c->elemlen);
		else
			memcpy(as->data + start, DatumGetPointer(d), len_bytes);
		as->datalen = start + len_bytes;
		MemoryContextReset(as->elemcxt);
		as->nullbits[as->nelems / 8] |= 1 << (as->nelems % 8);
	}
	as->nelems++;
}

/* An element of the array starts: a scalar is converted at once */
static SEM_ACTION_RESULT
arr_element_start(void *state, bool isnull)
{
	ArrayParseState *as = (ArrayParseState *) state;
	JsonLexContext *lex = as->lex;
	const char *tok = lex->token_start;

	CHECK_FOR_INTERRUPTS();
	if (as->depth != 1)
		SEM_ACTION_DONE;
	switch (lex->token_type)
	{
		case JSON_TOKEN_STRING:
			array_add(as, tok + 1, lex->token_terminator - tok - 2, RV_STRING);
			break;
		case JSON_TOKEN_NUMBER:
			array_add(as, tok, lex->token_terminator - tok, RV_NUMBER);
			break;
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			array_add(as, tok, lex->token_terminator - tok, RV_BOOL);
			break;
		case JSON_TOKEN_NULL:
			array_add(as, NULL, 0, RV_NULL);
			break;
		default:
			/* an object or array: at its end; anything else: the parser's */
			break;
	}
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
arr_struct_start(void *state)
{
	ArrayParseState *as = (ArrayParseState *) state;

	if (++as->depth == 2)
		as->elem_start = as->lex->token_start;
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
arr_object_end(void *state)
{
	ArrayParseState *as = (ArrayParseState *) state;

	if (as->depth-- == 2)
		array_add(as, as->elem_start,
				  as->lex->prev_token_terminator - as->elem_start, RV_OBJECT);
	SEM_ACTION_DONE;
}

static SEM_ACTION_RESULT
arr_array_end(void *state)
{
	ArrayParseState *as = (ArrayParseState *) state;

	if (as->depth-- == 2)
		array_add(as, as->elem_start,
				  as->lex->prev_token_terminator - as->elem_start, RV_ARRAY);
	SEM_ACTION_DONE;
}

/* Report a JSON error of the array's text as the row parser would */
static void
array_json_error(RestRowSet *rs, JsonParseErrorType rc, JsonLexContext *lex)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("response is not valid JSON"),
			 errdetail("%s The body begins with: %s",
					   rest_scrubbed_json_detail(json_errdetail(rc, lex),
												 rs->secrets),
					   rest_shorten_scrubbed(rs->text, rs->textlen, 100,
											 rs->secrets))));
}

/*
 * A one-dimensional PostgreSQL array from the JSON text of an array (which
 * rest_parse_rows found to be valid JSON).  Elements that are objects or
 * arrays are converted from their JSON text; JSON null elements are NULL.
 * The result is allocated in the current memory context.
 */
static Datum
json_array_to_datum(RestRowSet *rs, RestColumn *c, const RestValue *v)
{
	ArrayParseState as;
	JsonSemAction sem;
	JsonParseErrorType rc;
	ArrayType  *result;
	Size		hdr;
	Size		datalen;

	/*
	 * An escape that does not convert (\u0000, a lone surrogate, a character
	 * the database encoding lacks) is reported before any element is, as
	 * when the whole array was de-escaped first: the text is lexed once
	 * more, de-escaping, when it holds a backslash.  The row parser checked
	 * its structure; the lexer reuses one buffer for every string.
	 */
	if (memchr(v->ptr, '\\', v->len) != NULL)
	{
		JsonLexContext *lex = rest_make_json_lexer(v->ptr, v->len, true);

		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			rc = json_lex(lex);
			if (rc != JSON_SUCCESS)
				array_json_error(rs, rc, lex);
			if (lex->token_type == JSON_TOKEN_END)
				break;
		}
		rest_free_json_lexer(lex);
	}

	memset(&as, 0, sizeof(as));
	as.rs = rs;
	as.c = c;
	as.lex = rest_make_json_lexer(v->ptr, v->len, false);
	as.elemcxt = AllocSetContextCreate(CurrentMemoryContext,
									   "rest_fdw array element",
									   ALLOCSET_SMALL_SIZES);
	as.nullcap = 8;
	as.nullbits = palloc0(as.nullcap);
	as.datacap = 64;
	as.data = palloc(as.datacap);
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &as;
	sem.object_start = arr_struct_start;
	sem.array_start = arr_struct_start;
	sem.object_end = arr_object_end;
	sem.array_end = arr_array_end;
	sem.array_element_start = arr_element_start;
	rc = pg_parse_json(as.lex, &sem);
	if (rc != JSON_SUCCESS)		/* the row parser accepted this text */
		array_json_error(rs, rc, as.lex);
	MemoryContextDelete(as.elemcxt);

	if (as.nelems == 0)
		return PointerGetDatum(construct_empty_array(c->elemtypid));

	/* the header in front of the data, as construct_md_array makes it */
	datalen = att_align_nominal(as.datalen, c->elemalign);
	hdr = as.hasnulls ? ARR_OVERHEAD_WITHNULLS(1, as.nelems)
		: ARR_OVERHEAD_NONULLS(1);
	if (hdr + datalen != as.datacap)
		as.data = repalloc(as.data, hdr + datalen);
	memmove(as.data + hdr, as.data, as.datalen);
	memset(as.data + hdr + as.datalen, 0, datalen - as.datalen);
	memset(as.data, 0, hdr);
	result = (ArrayType *) as.data;
	SET_VARSIZE(result, hdr + datalen);
	result->ndim = 1;
	result->dataoffset = as.hasnulls ? (int32) hdr : 0;
	result->elemtype = c->elemtypid;
	ARR_DIMS(result)[0] = as.nelems;
	ARR_LBOUND(result)[0] = 1;
	if (as.hasnulls)
		memcpy(as.data + sizeof(ArrayType) + 2 * sizeof(int), as.nullbits,
			   (as.nelems + 7) / 8);
	pfree(as.nullbits);
	return PointerGetDatum(result);
}

/*
 * A value as a C string, in rs->scratch (valid until the next call):
 * strings de-escaped, everything else as its JSON text.
 */
static char *
value_cstring(RestRowSet *rs, const RestValue *v)
{
	const char *ptr = v->ptr;
	int			len = v->len;

	if (v->escaped)
		ptr = unescape_string(ptr, len, &len, rs);
	resetStringInfo(&rs->scratch);
	appendBinaryStringInfo(&rs->scratch, ptr, len);
	return rs->scratch.data;
}

/*
 * One captured value to a Datum of the column's type (or, with element, of
 * its array element type).  JSON text goes to json/jsonb and to arrays;
 * strings are re-quoted for json/jsonb.  text, boolean JSON literals and
 * integer types take a direct path that does exactly what their input
 * functions do (text: the bytes; boolin of "true"/"false"; int2in, int4in
 * and, from PostgreSQL 15 on, int8in are pg_strtoint16/32/64; float8in is
 * float8in_internal); domains and every other type go through the input
 * function.
 */
static Datum
convert_value(RestRowSet *rs, RestColumn *c, const RestValue *v, bool element)
{
	Oid			typid = element ? c->elemtypid : c->typid;
	FmgrInfo   *infunc = element ? &c->eleminfunc : &c->infunc;
	Oid			ioparam = element ? c->elemioparam : c->ioparam;
	char	   *str;

	if (!element && c->category == CAT_ARRAY && v->kind == RV_ARRAY)
		return json_array_to_datum(rs, c, v);
	if (!element && c->format)
		return rest_read_formatted(c->format, value_cstring(rs, v),
								   c->typid, c->typmod);

	if (typid == TEXTOID)
	{
		if (v->escaped)
		{
			int			len;
			char	   *s = unescape_string(v->ptr, v->len, &len, rs);

			return PointerGetDatum(cstring_to_text_with_len(s, len));
		}
		return PointerGetDatum(cstring_to_text_with_len(v->ptr, v->len));
	}
	if (typid == BOOLOID && v->kind == RV_BOOL)
		return BoolGetDatum(v->ptr[0] == 't');

	str = value_cstring(rs, v);
	if ((typid == JSONOID || typid == JSONBOID) && v->kind == RV_STRING)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		escape_json(&buf, str);
		return InputFunctionCall(infunc, buf.data, ioparam, c->typmod);
	}

	switch (typid)
	{
		case INT4OID:
			return Int32GetDatum(pg_strtoint32(str));
		case INT2OID:
			return Int16GetDatum(pg_strtoint16(str));
		case INT8OID:
			return Int64GetDatum(rest_strtoint64(str));
		case FLOAT8OID:
			return Float8GetDatum(rest_float8in(str));
		case REGCLASSOID:
			/* from PG 16 on, regclassin logs a name it cannot find at DEBUG1 */
			if (rs->secrets != NIL)
				str = rest_scrub(str, rs->secrets);
			return InputFunctionCall(infunc, str, ioparam, c->typmod);
		default:
			return InputFunctionCall(infunc, str, ioparam, c->typmod);
	}
}

/*
 * What rest_rowset_store is converting, for the error context of its
 * conversions.  shown is the value as messages show it when that needed
 * scrubbing (computed before the conversion: a callback does no more than
 * format), else NULL.
 */
typedef struct ConvertErrorContext
{
	RestColumn *col;			/* the column being converted, or NULL */
	const RestValue *value;
	const char *shown;
	int64		rowno;
	const char *relname;
} ConvertErrorContext;

/*
 * Conversion errors keep their own message, SQLSTATE, DETAIL and HINT;
 * this names the foreign table, the row number and the column, and shows
 * the (shortened) value, as COPY does.
 */
static void
convert_error_callback(void *arg)
{
	ConvertErrorContext *cx = (ConvertErrorContext *) arg;
	const RestValue *v = cx->value;
	const char *quote;

	if (cx->col == NULL)
		return;
	quote = v->kind == RV_STRING ? "\"" : "";
	errcontext("foreign table \"%s\", row %lld, column \"%s\": %s%s%s",
			   cx->relname, (long long) cx->rowno, cx->col->name, quote,
			   cx->shown ? cx->shown : rest_shorten(v->ptr, v->len, 60),
			   quote);
}

/*
 * convert_value, for a value whose error message must not be passed on
 * as it is: one that holds a credential the request carried (an API may
 * echo it, and input functions quote the value), or one so long that the
 * message quoting it would be too.  The message of a conversion error
 * (class 22) is shortened, and every text of any error scrubbed.  Only
 * such values pay for the PG_TRY.
 */
static Datum
convert_guarded(RestRowSet *rs, RestColumn *c, const RestValue *v)
{
	MemoryContext cxt = CurrentMemoryContext;
	Datum		result = (Datum) 0;

	PG_TRY();
	{
		result = convert_value(rs, c, v, false);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		bool		conversion;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		conversion =
			ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_DATA_EXCEPTION;

		/* out of memory, a cancel, ...: as it is, unless a secret is near */
		if (!conversion && rs->secrets == NIL)
			PG_RE_THROW();
		FlushErrorState();
		edata->message = conversion
			? rest_shorten_scrubbed(edata->message, strlen(edata->message),
									200, rs->secrets)
			: rest_scrub(edata->message, rs->secrets);
		if (edata->detail)
			edata->detail = rest_scrub(edata->detail, rs->secrets);
		if (edata->detail_log)
			edata->detail_log = rest_scrub(edata->detail_log, rs->secrets);
		if (edata->hint)
			edata->hint = rest_scrub(edata->hint, rs->secrets);
		if (edata->context)
			edata->context = rest_scrub(edata->context, rs->secrets);
		ReThrowError(edata);
	}
	PG_END_TRY();
	return result;
}

/* Values longer than this are converted by convert_guarded */
#define REST_QUOTABLE_VALUE_LEN	100

/*
 * Convert row rowno of rs into values/nulls (indexed by attnum - 1) for the
 * given columns; other entries are left alone.  Errors keep their SQLSTATE,
 * DETAIL and HINT; their context names the column, the row number
 * global_rowno of foreign table relname, and the shortened value.  No
 * message shows a credential of the request (rs->secrets).  Allocates in
 * the current memory context (reset per row by the caller).
 */
void
rest_rowset_store(RestRowSet *rs, int64 rowno, RestColumn *cols, int ncols,
				  Datum *values, bool *nulls, int64 global_rowno,
				  const char *relname)
{
	ErrorContextCallback errcb;
	ConvertErrorContext cx;
	int			i;

	/* columns past ncols are the pager's (rest_rowset_text) */
	Assert(ncols <= rs->ncols);
	select_row(rs, rowno);

	cx.col = NULL;
	cx.value = NULL;
	cx.shown = NULL;
	cx.rowno = global_rowno;
	cx.relname = relname;
	errcb.callback = convert_error_callback;
	errcb.arg = &cx;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	for (i = 0; i < ncols; i++)
	{
		const RestValue *v = row_column(rs, i);
		RestColumn *c = &cols[i];
		int			att = c->attnum - 1;

		if (v->kind == RV_MISSING || v->kind == RV_NULL ||
			(v->kind == RV_STRING && v->len == 0 && c->empty_as_null))
		{
			values[att] = (Datum) 0;
			nulls[att] = true;
			continue;
		}
		cx.col = c;
		cx.value = v;
		cx.shown = NULL;

		/* text without escapes cannot fail: its bytes are the value */
		if (c->typid == TEXTOID && !v->escaped)
			values[att] = convert_value(rs, c, v, false);
		else if (rs->secrets != NIL &&
				 rest_holds_secret(v->ptr, v->len, rs->secrets))
		{
			cx.shown = rest_shorten_scrubbed(v->ptr, v->len, 60, rs->secrets);
			values[att] = convert_guarded(rs, c, v);
		}
		else if (v->len > REST_QUOTABLE_VALUE_LEN)
			values[att] = convert_guarded(rs, c, v);
		else
			values[att] = convert_value(rs, c, v, false);
		nulls[att] = false;
	}
	error_context_stack = errcb.previous;
}
