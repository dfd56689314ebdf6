/*
 * fuzz_config.c
 *		libFuzzer harness of src/config.c: REST config (model) files read by
 *		rest_read_config_file, the headers option parsed by
 *		rest_parse_headers, and JSON names turned into SQL identifiers by
 *		rest_sql_identifier.
 *
 * Input: the whole of a config file.  It is written to one file per
 * process ($TMPDIR, else /dev/shm, else /tmp), rewritten for every input
 * and removed at exit, and read with rest_read_config_file; the base_url
 * is picked by the input's length (size % 4): 0 and 1
 * http://127.0.0.1:8080/api, 2 the same with a trailing slash, 3 none
 * (NULL: a server without base_url).  An ERROR is an expected outcome.
 *
 * A file read without an error gives tables that are checked: unique
 * table names that are plain SQL identifiers, unique column names
 * shorter than NAMEDATALEN with a type, virtual columns exactly those
 * without a json_path, and every option that IMPORT FOREIGN SCHEMA
 * writes into CREATE FOREIGN TABLE for them (import.c's create_statement:
 * endpoint, rows_path, the table's options, json_path, param*,
 * param_default) known for its object and accepted by the option
 * validator's own check (options.c's check_option_value): an imported
 * table must be one that could be written by hand.  No file is left open
 * either way.
 *
 * The same input, as a NUL-terminated string, is also given to
 * rest_parse_headers (with a problem pointer, then without one: it must
 * raise an ERROR exactly when it reported a problem, and every header it
 * returns must be "Name: value" with a valid name and no control
 * characters) and to rest_sql_identifier (non-empty, shorter than
 * NAMEDATALEN, lower-case ASCII letters, digits, "_" and bytes >= 0x80,
 * not starting with a digit).
 *
 * jansson's values are released by the memory context reset callbacks
 * config.c registers; pg_stubs.c runs them when the input's arena is
 * reset (fuzz_reset), so LeakSanitizer reports a value that no callback
 * owns, on the error path as on the success path.
 *
 * options.c is #included, unchanged, for its static check_option_value
 * and find_option; fuzz_config therefore does not link options.o.
 */
#include "options.c"			/* src/options.c, by -I */

#include <unistd.h>

#include "nodes/makefuncs.h"

#include "fuzz_common.h"
#include "fuzz_validator.h"

static const char *const base_urls[] = {
	"http://127.0.0.1:8080/api",
	"http://127.0.0.1:8080/api",
	"http://127.0.0.1:8080/api/",
	NULL,
};

static char config_path[1024];

static void
remove_config_file(void)
{
	if (config_path[0] != '\0')
		unlink(config_path);
}

/* The per-process file the inputs are written to */
static const char *
config_file(void)
{
	if (config_path[0] == '\0')
	{
		const char *dir = getenv("TMPDIR");

		if (dir == NULL || dir[0] == '\0' || access(dir, W_OK) != 0)
			dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(config_path, sizeof(config_path),
				 "%s/rest_fdw_fuzz_config.%d.json", dir, (int) getpid());
		atexit(remove_config_file);
	}
	return config_path;
}

static void
write_config_file(const uint8_t *data, size_t size)
{
	FILE	   *f = fopen(config_file(), "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
		fclose(f) != 0)
	{
		perror(config_path);
		abort();
	}
}

/* A name rest_sql_identifier can return */
static void
check_identifier(const char *name, const char *what)
{
	const unsigned char *p;
	size_t		len = strlen(name);

	FUZZ_CHECK(len > 0 && len < NAMEDATALEN, "%s \"%s\": %zu bytes", what, name, len);
	FUZZ_CHECK(!isdigit((unsigned char) name[0]), "%s \"%s\" starts with a digit",
			   what, name);
	for (p = (const unsigned char *) name; *p; p++)
		FUZZ_CHECK(*p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
				   (*p >= '0' && *p <= '9') || *p == '_',
				   "%s \"%s\" has byte 0x%02x", what, name, *p);
}

static bool
in_names(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		if (strcmp((const char *) lfirst(lc), name) == 0)
			return true;
	}
	return false;
}

static bool
any_control_chars(const char *s)
{
	for (; *s; s++)
	{
		if ((unsigned char) *s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

/* What rest_parse_headers returned for a value it accepted */
static void
check_headers(List *headers)
{
	ListCell   *lc;

	foreach(lc, headers)
	{
		const char *h = (const char *) lfirst(lc);
		const char *colon = strchr(h, ':');
		const char *p;

		FUZZ_CHECK(colon != NULL && colon > h && colon[1] == ' ',
				   "header \"%s\"", h);
		for (p = h; p < colon; p++)
			FUZZ_CHECK(isalnum((unsigned char) *p) ||
					   strchr("!#$%&'*+-.^_`|~", *p) != NULL,
					   "header name in \"%s\"", h);
		FUZZ_CHECK(!any_control_chars(h), "control characters in header \"%s\"", h);
		FUZZ_CHECK(pg_strncasecmp(h, "Authorization:", 14) != 0 &&
				   pg_strncasecmp(h, "Cookie:", 7) != 0 &&
				   pg_strncasecmp(h, "Proxy-Authorization:", 20) != 0,
				   "credential header \"%s\" accepted", h);
	}
}

/* rest_parse_headers both ways: errors without a problem pointer iff with */
static void
fuzz_headers(const char *value)
{
	const char *problem = (const char *) 1;
	List	   *headers;
	volatile bool raised = false;

	headers = rest_parse_headers(value, &problem);
	if (problem != NULL)
		FUZZ_CHECK(headers == NIL && problem[0] != '\0', "problem and headers");
	else
		check_headers(headers);

	PG_TRY();
	{
		(void) rest_parse_headers(value, NULL);
	}
	PG_CATCH();
	{
		FlushErrorState();
		raised = true;
	}
	PG_END_TRY();
	FUZZ_CHECK(raised == (problem != NULL),
			   "rest_parse_headers raised %d, problem \"%s\"", (int) raised,
			   problem ? problem : "(none)");
}

/*
 * An option of CREATE FOREIGN TABLE (context ForeignTableRelationId) or of
 * a column (AttributeRelationId) as the validator sees it.
 */
static void
check_option(const char *table, const char *column, Oid context,
			 const char *name, const char *value)
{
	const RestFdwOption *opt = find_option(name, catalog_bit(context));

	FUZZ_CHECK(value != NULL, "table %s column %s: option %s is NULL", table,
			   column ? column : "-", name);
	FUZZ_CHECK(opt != NULL, "table %s column %s: option %s is not one of %s",
			   table, column ? column : "-", name,
			   column ? "a column's" : "a foreign table's");
	FUZZ_CHECK(fuzz_validator_accepts(opt, name, value),
			   "table %s column %s: the validator rejects option %s '%s'",
			   table, column ? column : "-", name, value);
}

static void
check_table(RestImportTable *t, List **table_names)
{
	static const char *const op_options[REST_NOPS] = {
		OPT_PARAM, OPT_PARAM_LT, OPT_PARAM_LE, OPT_PARAM_GT, OPT_PARAM_GE,
		OPT_PARAM_NE, OPT_PARAM_CONTAINS
	};
	List	   *col_names = NIL;
	ListCell   *lc;

	FUZZ_CHECK(t->name != NULL, "a table without a name");
	if (t->renamed)
	{
		/* a name the file gives is taken as written: a quoted identifier */
		FUZZ_CHECK(t->name[0] != '\0' && strlen(t->name) < NAMEDATALEN &&
				   !rest_has_control_chars(t->name),
				   "renamed table \"%s\"", t->name);
	}
	else
		check_identifier(t->name, "table name");
	FUZZ_CHECK(!in_names(*table_names, t->name), "table name \"%s\" twice", t->name);
	*table_names = lappend(*table_names, t->name);

	FUZZ_CHECK(t->source != NULL, "table %s: no source", t->name);
	FUZZ_CHECK(t->endpoint != NULL && t->endpoint[0] != '\0',
			   "table %s: no endpoint", t->name);
	FUZZ_CHECK(!any_control_chars(t->endpoint), "table %s: endpoint \"%s\"",
			   t->name, t->endpoint);
	if (t->sample_path != NULL)
		FUZZ_CHECK(!any_control_chars(t->sample_path) &&
				   strpbrk(t->sample_path, "{|#") == NULL,
				   "table %s: sample path \"%s\"", t->name, t->sample_path);
	/* without a sample path (placeholders without sample values) IMPORT refuses */
	if (t->detect_rows)
		FUZZ_CHECK(t->columns == NIL && t->rows_path == NULL,
				   "table %s: detect_rows with columns or paths", t->name);
	check_option(t->name, NULL, ForeignTableRelationId, OPT_ENDPOINT, t->endpoint);
	if (t->rows_path != NULL)
		check_option(t->name, NULL, ForeignTableRelationId, OPT_ROWS_PATH, t->rows_path);

	foreach(lc, t->columns)
	{
		RestImportColumn *c = (RestImportColumn *) lfirst(lc);
		int			op;

		FUZZ_CHECK(c->name != NULL && c->name[0] != '\0' &&
				   strlen(c->name) < NAMEDATALEN,
				   "table %s: column name \"%s\"", t->name, c->name ? c->name : "(null)");
		FUZZ_CHECK(!in_names(col_names, c->name), "table %s: column \"%s\" twice",
				   t->name, c->name);
		col_names = lappend(col_names, c->name);
		FUZZ_CHECK(c->type != NULL && c->type[0] != '\0',
				   "table %s: column %s has no type", t->name, c->name);
		FUZZ_CHECK(c->is_virtual == (c->json_path == NULL),
				   "table %s: column %s: virtual %d, json_path %s", t->name,
				   c->name, (int) c->is_virtual, c->json_path ? c->json_path : "(null)");
		if (c->json_path != NULL)
			check_option(t->name, c->name, AttributeRelationId, OPT_JSON_PATH,
						 c->json_path);
		for (op = 0; op < REST_NOPS; op++)
		{
			if (c->params[op] != NULL)
				check_option(t->name, c->name, AttributeRelationId,
							 op_options[op], c->params[op]);
		}
		if (c->param_default != NULL)
			check_option(t->name, c->name, AttributeRelationId,
						 OPT_PARAM_DEFAULT, c->param_default);
		if (c->in_comma)
			FUZZ_CHECK(c->params[REST_OP_EQ] != NULL, "table %s: column %s: #in",
					   t->name, c->name);
		/* what the validator's check_header_param asks of param_in 'header' */
		if (c->param_header)
		{
			FUZZ_CHECK(c->params[REST_OP_EQ] != NULL &&
					   rest_header_name_problem(c->params[REST_OP_EQ], true) == NULL,
					   "table %s: column %s: #header with parameter %s", t->name,
					   c->name, c->params[REST_OP_EQ] ? c->params[REST_OP_EQ] : "(null)");
			for (op = REST_OP_LT; op < REST_NOPS; op++)
				FUZZ_CHECK(c->params[op] == NULL,
						   "table %s: column %s: #header with a range", t->name, c->name);
		}
	}

	foreach(lc, t->options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);

		FUZZ_CHECK(IsA(d, DefElem) && d->defname != NULL && d->arg != NULL &&
				   IsA(d->arg, String) && strVal(d->arg) != NULL,
				   "table %s: an option that is not a string", t->name);
		FUZZ_CHECK(strcmp(d->defname, OPT_ENDPOINT) != 0 &&
				   strcmp(d->defname, OPT_ROWS_PATH) != 0,
				   "table %s: option %s twice", t->name, d->defname);
		check_option(t->name, NULL, ForeignTableRelationId, d->defname,
					 strVal(d->arg));
		if (strcmp(d->defname, OPT_HEADERS) == 0)
		{
			const char *problem;
			List	   *headers = rest_parse_headers(strVal(d->arg), &problem);

			FUZZ_CHECK(problem == NULL, "table %s: headers option \"%s\": %s",
					   t->name, strVal(d->arg), problem);
			check_headers(headers);
		}
	}
}

static int
fuzz_config_one(const uint8_t *data, size_t size)
{
	char	   *text = fuzz_cstring(data, size);
	char	   *ident;
	const char *base_url = base_urls[size % lengthof(base_urls)];
	List	   *tables;
	List	   *table_names = NIL;
	ListCell   *lc;

	/* the input as a JSON name */
	ident = rest_sql_identifier(text);
	check_identifier(ident, "rest_sql_identifier");

	/* the input as a headers option */
	fuzz_headers(text);

	/* the input as a config file */
	write_config_file(data, size);
	tables = rest_read_config_file(config_file(), base_url, size % 5 == 0, NULL);

	FUZZ_CHECK(fuzz_open_files() == 0, "%d files left open", fuzz_open_files());
	FUZZ_CHECK(fuzz_reset_callbacks() >= 1,
			   "no reset callback owns the jansson document");
	FUZZ_CHECK(tables != NIL, "no tables and no error");
	foreach(lc, tables)
		check_table((RestImportTable *) lfirst(lc), &table_names);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_config_one, data, size);
}
