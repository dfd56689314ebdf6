/*
 * fuzz_sample.c
 *		libFuzzer harness of rest_sample_columns (src/sample.c): the columns
 *		IMPORT FOREIGN SCHEMA infers from a sample response body.
 *
 * Input: one selector byte, then the body.  The selector b picks where the
 * rows are, b % 3 (so the ASCII digits '0', '1', '2' name them):
 *   0: detect_rows (the rows are found: the document if it is an array,
 *      else the first member array of objects one or two levels down,
 *      else the document as one row)
 *   1: sample_rows_path "data.items"
 *   2: no rows path (a top-level array of rows, or one object)
 * and sample_rows = 1 + b / 3 (1..86; '0' '1' '2' give 17).  Bits of b / 3
 * also set the IMPORT options: header_row (b / 3 odd), detect_epoch
 * ((b / 6) odd) and header_names 'h.*.name = v.*.value' ((b / 12) odd).
 * The table is zeroed otherwise, but for source = "fuzz table".
 *
 * An ERROR is an expected outcome.  After a successful call every column
 * is checked: a non-empty name shorter than NAMEDATALEN of lower-case
 * ASCII letters, digits, "_" and bytes >= 0x80 not starting with a digit,
 * names unique, a type sample.c can produce (text, bigint, numeric,
 * double precision, boolean, date, timestamptz, uuid, jsonb, or an array
 * of a scalar one), and a json_path that the option validator accepts
 * (options.c's check_option_value), as it must in the CREATE FOREIGN TABLE
 * that import.c writes; so must a rows_path that detect_rows found.
 *
 * Inputs nested deeper than FUZZ_MAX_NESTING are skipped before parsing
 * (see fuzz_json_nesting in fuzz_common.h).
 *
 * options.c is #included, unchanged, for its static check_option_value
 * and find_option; fuzz_sample therefore does not link options.o.
 */
#include "options.c"			/* src/options.c, by -I */

#include "nodes/makefuncs.h"

#include "fuzz_common.h"
#include "fuzz_validator.h"

static const char *const display_url =
"https://api.example.com/v1/items?limit=100&api_key=***";

static const char *const scalar_types[] = {
	"text", "bigint", "numeric", "double precision", "boolean", "date",
	"timestamptz", "uuid", NULL
};

static bool
known_type(const char *type)
{
	size_t		len = strlen(type);
	int			i;

	if (strcmp(type, "jsonb") == 0)
		return true;
	if (len > 2 && strcmp(type + len - 2, "[]") == 0)
		len -= 2;
	for (i = 0; scalar_types[i]; i++)
	{
		if (strlen(scalar_types[i]) == len && strncmp(type, scalar_types[i], len) == 0)
			return true;
	}
	return false;
}

/* An option of CREATE FOREIGN TABLE or of a column, as the validator sees it */
static void
check_option(const char *column, Oid context, const char *name, const char *value)
{
	const RestFdwOption *opt = find_option(name, catalog_bit(context));

	FUZZ_CHECK(opt != NULL, "option %s unknown", name);
	FUZZ_CHECK(fuzz_validator_accepts(opt, name, value),
			   "column %s: the validator rejects option %s '%s'",
			   column ? column : "-", name, value);
}

static void
check_column(RestImportColumn *c, List **names)
{
	const unsigned char *p;
	size_t		len;
	ListCell   *lc;

	FUZZ_CHECK(c->name != NULL, "a column without a name");
	len = strlen(c->name);
	FUZZ_CHECK(len > 0 && len < NAMEDATALEN, "column name \"%s\": %zu bytes",
			   c->name, len);
	FUZZ_CHECK(!isdigit((unsigned char) c->name[0]),
			   "column name \"%s\" starts with a digit", c->name);
	for (p = (const unsigned char *) c->name; *p; p++)
		FUZZ_CHECK(*p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
				   (*p >= '0' && *p <= '9') || *p == '_',
				   "column name \"%s\" has byte 0x%02x", c->name, *p);
	foreach(lc, *names)
		FUZZ_CHECK(strcmp((const char *) lfirst(lc), c->name) != 0,
				   "column name \"%s\" twice", c->name);
	*names = lappend(*names, c->name);

	FUZZ_CHECK(c->type != NULL && known_type(c->type), "column %s: type \"%s\"",
			   c->name, c->type ? c->type : "(null)");
	FUZZ_CHECK(c->format == NULL ||
			   (strcmp(c->type, "timestamptz") == 0 &&
				(strcmp(c->format, "epoch") == 0 || strcmp(c->format, "epoch_ms") == 0)),
			   "column %s: format \"%s\" for type %s", c->name, c->format, c->type);
	FUZZ_CHECK(c->json_path != NULL && !c->is_virtual,
			   "column %s: no json_path, or virtual", c->name);
	check_option(c->name, AttributeRelationId, OPT_JSON_PATH, c->json_path);
}

static int
fuzz_sample_one(const uint8_t *data, size_t size)
{
	RestImportTable table;
	int			mode;
	int			sample_rows;
	char	   *body;
	size_t		len;
	List	   *cols;
	List	   *names = NIL;
	ListCell   *lc;

	if (size < 1)
		return 0;
	if (fuzz_json_nesting(data + 1, size - 1) > FUZZ_MAX_NESTING)
		return -1;

	mode = data[0] % 3;
	sample_rows = 1 + data[0] / 3;
	memset(&table, 0, sizeof(table));
	table.source = "fuzz table";
	if (mode == 0)
		table.detect_rows = true;
	else if (mode == 1)
		table.sample_rows_path = "data.items";
	table.header_row = (data[0] / 3) % 2 == 1;
	table.detect_epoch = (data[0] / 6) % 2 == 1;
	if ((data[0] / 12) % 2 == 1)
	{
		RestHeaderNames *hn = palloc0(sizeof(RestHeaderNames));

		hn->names_path = "h.*.name";
		hn->values_path = "v.*.value";
		table.header_names = lappend(NIL, hn);
	}

	/* a response body is NUL-terminated (http.c's write_callback) */
	len = size - 1;
	body = fuzz_cstring(data + 1, len);

	cols = rest_sample_columns(body, len, &table, sample_rows, display_url, NIL);

	FUZZ_CHECK(!table.detect_rows, "detect_rows still set");
	if (mode == 0 && table.rows_path != NULL)
		check_option(NULL, ForeignTableRelationId, OPT_ROWS_PATH, table.rows_path);
	if (mode != 0)
		FUZZ_CHECK(table.rows_path == NULL, "rows_path set without detect_rows");
	foreach(lc, cols)
		check_column((RestImportColumn *) lfirst(lc), &names);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_sample_one, data, size);
}
