/*
 * fuzz_rows.c
 *		libFuzzer harness of rest_parse_rows (src/rows.c): a response body
 *		to rows and page metadata.
 *
 * Input: one selector byte, then the body.  The selector ((byte - '0') % 9,
 * so the ASCII digits '0'..'8' name them) picks rows_path and the metadata paths:
 *   0: no rows_path (a top-level array of rows, or one object)
 *   1: rows_path data.items; next_cursor, links.next, has_more, meta.total,
 *      meta.pages
 *   2: rows_path data.items; metadata paths that overlap it (data.cursor,
 *      data.items.next, data, -, meta)
 *   3: rows_path items; next, items (the rows_path itself), -, total, pages
 *   4: rows_path data.0.items (an index on the way), rows_path_optional;
 *      data.0.cursor, links.1, -, meta.0, -
 *   5: rows_path 0.1 (arrays of arrays), rows_path_optional; 1.0, -, -, -, -
 *   6: rows_path data.*.items (child rows); next, -, -, total, -
 *   7: rows_path 0.*.1.*.x (two levels), rows_path_optional; none
 *   8: rows_path *.m.* (the members of a map in each row); -, -, -, total, -
 * The columns' json_paths are fixed: id, name, address, address.city,
 * address.geo.lat, tags, a.b.c, id again, and the positional 0, 1.0,
 * tags.1, a.0.b and 007 (an object key only); with the configurations
 * through arrays also ^.id, ^.#, #, $ and ^.a.b.
 *
 * Then every row's captured values are read as rest_rowset_store would
 * read them, without the type input functions it needs (those exist only
 * in a backend), and checked: a value lies inside the body, its kind
 * matches its text, scalars are what the JSON lexer produced (a string's
 * content sits between quotes and is marked escaped exactly when it holds
 * a backslash; de-escaped, it is valid UTF-8), and object or array text
 * parses again as JSON (json_array_to_datum relies on that).  That the
 * values are where they are is what checks the field names read back from
 * the text before their colons.
 *
 * rows.c is #included, unchanged, so that the harness sees its private
 * RestRowSet and RestValue (and reads the sparse rows with select_row and
 * row_column, as rest_rowset_store does); the other harnesses link rows.o
 * instead.
 *
 * Inputs nested deeper than FUZZ_MAX_NESTING are skipped before parsing
 * (see fuzz_json_nesting in fuzz_common.h).
 */
#include "rows.c"				/* src/rows.c, by -I */

#include "fuzz_common.h"

static const char *const col_paths[] = {
	"id", "name", "address", "address.city", "address.geo.lat", "tags",
	"a.b.c", "id", "0", "1.0", "tags.1", "a.0.b", "007"
};

#define NCOLS ((int) lengthof(col_paths))

/* more columns of the configurations whose rows_path goes through arrays */
static const char *const nested_paths[] = {
	"^.id", "^.#", "#", "$", "^.a.b"
};

#define NNESTED ((int) lengthof(nested_paths))

typedef struct RowsConfig
{
	const char *rows_path;
	bool		rows_optional;
	const char *meta[REST_NMETA];	/* cursor, next url, has more, total, pages */
	bool		nested;			/* with the nested_paths columns */
} RowsConfig;

static const RowsConfig configs[] = {
	{NULL, false, {NULL, NULL, NULL, NULL, NULL}},
	{"data.items", false, {"next_cursor", "links.next", "has_more", "meta.total", "meta.pages"}},
	{"data.items", false, {"data.cursor", "data.items.next", "data", NULL, "meta"}},
	{"items", false, {"next", "items", NULL, "total", "pages"}},
	{"data.0.items", true, {"data.0.cursor", "links.1", NULL, "meta.0", NULL}},
	{"0.1", true, {"1.0", NULL, NULL, NULL, NULL}},
	{"data.*.items", false, {"next", NULL, NULL, "total", NULL}, true},
	{"0.*.1.*.x", true, {NULL, NULL, NULL, NULL, NULL}, true},
	{"*.m.*", false, {NULL, NULL, NULL, "total", NULL}, true},
};

static const char *const display_url =
"https://api.example.com/v1/items?limit=100&api_key=***";

/* Does this JSON text parse (the way json_array_to_datum parses it)? */
static bool
parses_as_json(const char *text, size_t len)
{
	JsonLexContext *lex = rest_make_json_lexer(text, len, false);

	return pg_parse_json(lex, &nullSemAction) == JSON_SUCCESS;
}

static void
check_value(RestRowSet *rs, const RestValue *v, int64 rowno, int col)
{
	const char *p = v->ptr;
	int			len = v->len;

	FUZZ_CHECK(v->kind >= RV_MISSING && v->kind <= RV_ARRAY,
			   "row %lld column %d: kind %d", (long long) rowno, col, (int) v->kind);
	if (v->kind == RV_MISSING)
	{
		FUZZ_CHECK(p == NULL, "row %lld column %d", (long long) rowno, col);
		return;
	}
	if (rs->special && rs->col_pos[col] && v->kind != RV_STRING)
	{
		/* a position: a positive integer of rows.c's text */
		FUZZ_CHECK(v->kind == RV_NUMBER && len > 0 && p[0] >= '1' && p[0] <= '9' &&
				   strspn(p, "0123456789") == (size_t) len,
				   "row %lld column %d: position \"%.*s\"", (long long) rowno, col, len, p);
		return;
	}
	FUZZ_CHECK(p != NULL && len >= 0 && p >= rs->text &&
			   p + len <= rs->text + rs->textlen,
			   "row %lld column %d: value outside the body", (long long) rowno, col);

	switch (v->kind)
	{
		case RV_NULL:
			FUZZ_CHECK(len == 4 && memcmp(p, "null", 4) == 0, "null is \"%.*s\"", len, p);
			break;
		case RV_BOOL:
			FUZZ_CHECK((len == 4 && memcmp(p, "true", 4) == 0) ||
					   (len == 5 && memcmp(p, "false", 5) == 0),
					   "boolean is \"%.*s\"", len, p);
			break;
		case RV_NUMBER:
			FUZZ_CHECK(IsValidJsonNumber(p, len), "number is \"%.*s\"", len, p);
			break;
		case RV_STRING:
			{
				int			ulen = len;
				const char *u = p;

				FUZZ_CHECK(p > rs->text && p[-1] == '"' && p[len] == '"',
						   "string \"%.*s\" is not between quotes", len, p);
				FUZZ_CHECK(v->escaped == (memchr(p, '\\', len) != NULL),
						   "string \"%.*s\": escaped is %d", len, p, (int) v->escaped);
				/* what cstring_to_text_with_len and the input functions get */
				if (v->escaped)
					u = unescape_string(p, len, &ulen, rs);
				FUZZ_CHECK(pg_encoding_verifymbstr(PG_UTF8, u, ulen) == ulen,
						   "string value is not valid UTF-8");
				break;
			}
		case RV_OBJECT:
		case RV_ARRAY:
			FUZZ_CHECK(len >= 2, "captured \"%.*s\"", len, p);
			FUZZ_CHECK(p[0] == (v->kind == RV_OBJECT ? '{' : '['),
					   "captured \"%.*s\"", len, p);
			FUZZ_CHECK(p[len - 1] == (v->kind == RV_OBJECT ? '}' : ']'),
					   "captured \"%.*s\"", len, p);
			FUZZ_CHECK(parses_as_json(p, len),
					   "captured text does not parse again: \"%.*s\"", len, p);
			break;
		default:
			break;
	}

	/* what the conversion error message would show */
	(void) rest_shorten(p, len, 60);
}

/*
 * The request's secret, as a hostile API may echo it into the body (the
 * dictionary holds it): no report may show it (scrub.c).
 */
#define SECRET "s3cr3t-t0ken"

static void
catch_report(const FuzzReport *r)
{
	fuzz_check_report_secret(r, SECRET);
}

static int
fuzz_rows_one(const uint8_t *data, size_t size)
{
	const RowsConfig *cfg;
	RestColumn	cols[NCOLS + NNESTED];
	int			ncols;
	const char *meta_paths[REST_NMETA];
	char	   *body;
	size_t		len;
	RestRowSet *rs;
	int64		nrows;
	int64		r;
	int			i;

	if (size < 1)
		return 0;
	if (fuzz_json_nesting(data + 1, size - 1) > FUZZ_MAX_NESTING)
		return -1;

	cfg = &configs[(uint8) (data[0] - '0') % lengthof(configs)];
	memcpy(meta_paths, cfg->meta, sizeof(meta_paths));
	memset(cols, 0, sizeof(cols));
	ncols = NCOLS + (cfg->nested ? NNESTED : 0);
	for (i = 0; i < ncols; i++)
	{
		cols[i].attnum = i + 1;
		cols[i].name = psprintf("c%d", i + 1);
		cols[i].json_path = pstrdup(i < NCOLS ? col_paths[i] : nested_paths[i - NCOLS]);
		cols[i].typid = TEXTOID;
		cols[i].typmod = -1;
	}

	/* a response body is NUL-terminated (http.c's write_callback) */
	len = size - 1;
	body = fuzz_cstring(data + 1, len);

	fuzz_report_hook = catch_report;
	rs = rest_parse_rows(body, len, cfg->rows_path, cfg->rows_optional, meta_paths, REST_NMETA,
						 cols, ncols, "GET", display_url, list_make1(SECRET));
	fuzz_report_hook = NULL;

	/* no ERROR: the page's rows, as the executor reads them */
	nrows = rest_rowset_count(rs);
	FUZZ_CHECK(nrows >= 0 && nrows <= rs->maxrows && rs->ncols == ncols,
			   "nrows %lld maxrows %lld", (long long) nrows, (long long) rs->maxrows);
	if (cfg->rows_path == NULL)
	{
		const char *p = body;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		FUZZ_CHECK(*p != '{' || nrows == 1,
				   "a top-level object gave %lld rows", (long long) nrows);
	}
	FUZZ_CHECK(rs->nvalues >= 0 && rs->nvalues <= rs->maxvalues &&
			   rs->nslots == NCOLS - 1 + (cfg->nested ? 1 : 0),
			   "nvalues %d maxvalues %d nslots %d", rs->nvalues, rs->maxvalues,
			   rs->nslots);
	for (r = 0; r < nrows; r++)
	{
		int32		start = r == 0 ? 0 : rs->row_end[r - 1];
		int32		j;

		/* a row holds at most one value per slot, in order */
		FUZZ_CHECK(start <= rs->row_end[r] && rs->row_end[r] <= rs->nvalues &&
				   rs->row_end[r] - start <= rs->nslots,
				   "row %lld: values %d to %d", (long long) r, start, rs->row_end[r]);
		select_row(rs, r);
		for (j = start; j < rs->row_end[r]; j++)
			FUZZ_CHECK(rs->values[j].slot < rs->nslots &&
					   rs->slot_index[rs->values[j].slot] == j,
					   "row %lld: slot %d twice", (long long) r, (int) rs->values[j].slot);
		for (i = 0; i < rs->nlevels; i++)
			FUZZ_CHECK(rs->row_anc[r * rs->nlevels + i] >= -1 &&
					   rs->row_anc[r * rs->nlevels + i] < rs->anc[i]->nrows,
					   "row %lld: ancestor %d of level %d", (long long) r,
					   rs->row_anc[r * rs->nlevels + i], i + 1);
		for (i = 0; i < ncols; i++)
			check_value(rs, row_column(rs, i), r, i);
		/* both "id" columns see the same value */
		FUZZ_CHECK(row_column(rs, 0) == row_column(rs, 7),
				   "row %lld: the two id columns differ", (long long) r);
	}

	/* the page metadata, as rest_pager_advance reads it */
	for (i = 0; i < REST_NMETA; i++)
	{
		bool		is_true = false;
		const char *v = rest_rowset_meta(rs, i, &is_true);

		if (meta_paths[i] == NULL || cfg->rows_path == NULL)
			FUZZ_CHECK(v == NULL && !is_true, "metadata %d without a path", i);
		if (v != NULL)
			(void) rest_shorten(v, strlen(v), 100);
		FUZZ_CHECK(!is_true || (v != NULL && strcmp(v, "true") == 0),
				   "metadata %d is_true for \"%s\"", i, v ? v : "(null)");
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an ERROR leaves the hook set: clear it for the next input */
	fuzz_report_hook = NULL;
	FUZZ_RUN_ONE(fuzz_rows_one, data, size);
}
