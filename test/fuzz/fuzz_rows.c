/*
 * fuzz_rows.c
 *		libFuzzer harness of rest_parse_rows (src/rows.c): a response body
 *		to rows and page metadata.
 *
 * Input: one selector byte, then the body.  The selector (byte % 4, so the
 * ASCII digits '0'..'3' name them) picks rows_path and the metadata paths:
 *   0: no rows_path (a top-level array of rows, or one object)
 *   1: rows_path data.items; next_cursor, links.next, has_more, meta.total,
 *      meta.pages
 *   2: rows_path data.items; metadata paths that overlap it (data.cursor,
 *      data.items.next, data, -, meta)
 *   3: rows_path items; next, items (the rows_path itself), -, total, pages
 * The columns' json_paths are fixed: id, name, address, address.city,
 * address.geo.lat, tags, a.b.c and id again.
 *
 * Then every row's captured values are read as rest_rowset_store would
 * read them, without the type input functions it needs (those exist only
 * in a backend), and checked: a value's kind matches its text, scalars are
 * what the JSON lexer produced, and object or array text parses again as
 * JSON (json_array_to_datum relies on that).
 *
 * rows.c is #included, unchanged, so that the harness sees its private
 * RestRowSet and RestValue; the other harnesses link rows.o instead.
 *
 * Inputs nested deeper than FUZZ_MAX_NESTING are skipped before parsing
 * (see fuzz_json_nesting in fuzz_common.h).
 */
#include "rows.c"				/* src/rows.c, by -I */

#include "fuzz_common.h"

static const char *const col_paths[] = {
	"id", "name", "address", "address.city", "address.geo.lat", "tags",
	"a.b.c", "id"
};

#define NCOLS ((int) lengthof(col_paths))

typedef struct RowsConfig
{
	const char *rows_path;
	const char *meta[REST_NMETA];	/* cursor, next url, has more, total, pages */
} RowsConfig;

static const RowsConfig configs[] = {
	{NULL, {NULL, NULL, NULL, NULL, NULL}},
	{"data.items", {"next_cursor", "links.next", "has_more", "meta.total", "meta.pages"}},
	{"data.items", {"data.cursor", "data.items.next", "data", NULL, "meta"}},
	{"items", {"next", "items", NULL, "total", "pages"}},
};

static const char *const display_url =
"https://api.example.com/v1/items?limit=100&api_key=***";

/* Does this JSON text parse (the way json_array_to_datum parses it)? */
static bool
parses_as_json(const char *text, size_t len)
{
	JsonLexContext *lex = make_lexer(text, len);

	return pg_parse_json(lex, &nullSemAction) == JSON_SUCCESS;
}

static void
check_value(const RestValue *v, int64 rowno, int col)
{
	size_t		len;

	FUZZ_CHECK(v->kind >= RV_MISSING && v->kind <= RV_ARRAY,
			   "row %lld column %d: kind %d", (long long) rowno, col, (int) v->kind);
	if (v->kind == RV_MISSING)
	{
		FUZZ_CHECK(v->str == NULL, "row %lld column %d", (long long) rowno, col);
		return;
	}
	FUZZ_CHECK(v->str != NULL, "row %lld column %d: kind %d",
			   (long long) rowno, col, (int) v->kind);
	len = strlen(v->str);

	switch (v->kind)
	{
		case RV_NULL:
			FUZZ_CHECK(strcmp(v->str, "null") == 0, "null is \"%s\"", v->str);
			break;
		case RV_BOOL:
			FUZZ_CHECK(strcmp(v->str, "true") == 0 || strcmp(v->str, "false") == 0,
					   "boolean is \"%s\"", v->str);
			break;
		case RV_NUMBER:
			FUZZ_CHECK(IsValidJsonNumber(v->str, (int) len),
					   "number is \"%s\"", v->str);
			break;
		case RV_STRING:
			/* what cstring_to_text and the text input function would get */
			FUZZ_CHECK(pg_encoding_verifymbstr(PG_UTF8, v->str, (int) len) == (int) len,
					   "string value is not valid UTF-8");
			break;
		case RV_OBJECT:
		case RV_ARRAY:
			FUZZ_CHECK(len >= 2, "captured \"%s\"", v->str);
			FUZZ_CHECK(v->str[0] == (v->kind == RV_OBJECT ? '{' : '['),
					   "captured \"%s\"", v->str);
			FUZZ_CHECK(v->str[len - 1] == (v->kind == RV_OBJECT ? '}' : ']'),
					   "captured \"%s\"", v->str);
			FUZZ_CHECK(parses_as_json(v->str, len),
					   "captured text does not parse again: \"%s\"", v->str);
			break;
		default:
			break;
	}

	/* what the conversion error message would show */
	(void) rest_shorten(v->str, len, 60);
}

static int
fuzz_rows_one(const uint8_t *data, size_t size)
{
	const RowsConfig *cfg;
	RestColumn	cols[NCOLS];
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

	cfg = &configs[data[0] % lengthof(configs)];
	memcpy(meta_paths, cfg->meta, sizeof(meta_paths));
	memset(cols, 0, sizeof(cols));
	for (i = 0; i < NCOLS; i++)
	{
		cols[i].attnum = i + 1;
		cols[i].name = psprintf("c%d", i + 1);
		cols[i].json_path = pstrdup(col_paths[i]);
		cols[i].typid = TEXTOID;
		cols[i].typmod = -1;
	}

	/* a response body is NUL-terminated (http.c's write_callback) */
	len = size - 1;
	body = fuzz_cstring(data + 1, len);

	rs = rest_parse_rows(body, len, cfg->rows_path, meta_paths, REST_NMETA,
						 cols, NCOLS, display_url);

	/* no ERROR: the page's rows, as the executor reads them */
	nrows = rest_rowset_count(rs);
	FUZZ_CHECK(nrows >= 0 && nrows <= rs->maxrows && rs->ncols == NCOLS,
			   "nrows %lld maxrows %lld", (long long) nrows, (long long) rs->maxrows);
	if (cfg->rows_path == NULL)
	{
		const char *p = body;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		FUZZ_CHECK(*p != '{' || nrows == 1,
				   "a top-level object gave %lld rows", (long long) nrows);
	}
	for (r = 0; r < nrows; r++)
	{
		RestValue  *row = rs->rows[r];

		FUZZ_CHECK(row != NULL, "row %lld", (long long) r);
		for (i = 0; i < NCOLS; i++)
			check_value(&row[i], r, i);
		/* both "id" columns see the same value */
		FUZZ_CHECK(row[0].kind == row[NCOLS - 1].kind && row[0].str == row[NCOLS - 1].str,
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
	FUZZ_RUN_ONE(fuzz_rows_one, data, size);
}
