/*-------------------------------------------------------------------------
 *
 * import.c
 *		  IMPORT FOREIGN SCHEMA: foreign tables from a REST config file or
 *		  from a sampled endpoint.
 *
 *	 IMPORT FOREIGN SCHEMA rest FROM SERVER api INTO api_tables
 *		 [LIMIT TO (...) | EXCEPT (...)]
 *		 [OPTIONS (sample_rows '200', header_row 'true',
 *				   header_names 'dimensionHeaders.*.name = dimensionValues.*.value',
 *				   detect_epoch 'true', normalize 'true')];
 *
 * With the server option rest_config_file, one foreign table is created
 * per table of the file (config.c); tables without declared columns are
 * sampled.  Otherwise the server's rest_sample_path is sampled into one
 * table named after its last path segment.  With normalize, the arrays of
 * objects a sample finds in its rows are child tables (as a config file's
 * "name[]" are, config.c rest_child_table), sampled from the same response;
 * it is off by default so that an import gives the tables it gave before.
 * The remote schema name is not used: an API has no schemas.
 *
 * Samples are fetched through pager.c and http.c like any scan, as the
 * importing user with that user's user mapping, so allowed_hosts, TLS,
 * timeouts, size limits and token refresh all apply.  The result is plain
 * CREATE FOREIGN TABLE commands whose options are written out in full: an
 * imported table does not depend on the file afterwards.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "rest_fdw.h"

/*
 * Child tables that sampling one table with normalize may give, at all
 * levels: each is sampled from the same response again, so they are
 * bounded like the columns of one table are
 */
#define IMPORT_MAX_CHILD_TABLES	100

/* For messages while a table is sampled */
typedef struct SampleErrorContext
{
	RestImportTable *table;
} SampleErrorContext;

static void
sample_error_callback(void *arg)
{
	SampleErrorContext *cx = (SampleErrorContext *) arg;

	errcontext("sampling %s", cx->table->source);
}

/* Is a table of this name to be imported (LIMIT TO / EXCEPT)? */
static bool
wanted(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;
	bool		listed = false;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL)
		return true;
	foreach(lc, stmt->table_list)
	{
		RangeVar   *rv = (RangeVar *) lfirst(lc);

		if (strcmp(rv->relname, name) == 0)
			listed = true;
	}
	return stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO ? listed : !listed;
}

/*
 * May a child table that sampling table name with normalize gives be
 * wanted when the table itself is not: when LIMIT TO names a table
 * "<name>_..."?  A table EXCEPT leaves out is not sampled, and so has no
 * children.
 */
static bool
child_listed(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;
	size_t		len = strlen(name);

	if (stmt->list_type != FDW_IMPORT_SCHEMA_LIMIT_TO)
		return false;
	foreach(lc, stmt->table_list)
	{
		RangeVar   *rv = (RangeVar *) lfirst(lc);

		if (strncmp(rv->relname, name, len) == 0 && rv->relname[len] == '_')
			return true;
	}
	return false;
}

/* The value of a table option from the config file, or NULL */
static const char *
table_option(RestImportTable *t, const char *name)
{
	ListCell   *lc;

	foreach(lc, t->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

/*
 * The URL of the sample request: the sample path, asking for sample_rows
 * rows when the table pages by offset or page number with a page size
 * parameter.
 */
static char *
sample_url(RestConnOptions *conn, RestImportTable *t, int sample_rows)
{
	char	   *url = rest_join_url(conn->base_url, t->sample_path);
	const char *paging = table_option(t, OPT_PAGING);
	const char *size_param = table_option(t, OPT_PAGE_SIZE_PARAM);
	const char *page_size = table_option(t, OPT_PAGE_SIZE);
	StringInfoData buf;
	int			n = sample_rows;

	if (paging == NULL ||
		(strcmp(paging, "offset") != 0 && strcmp(paging, "page") != 0))
		return url;
	/* the path places the page size itself ({limit}: filled in the sample path) */
	if (strstr(t->endpoint, "{limit}") != NULL)
		return url;
	if (size_param == NULL && strcmp(paging, "offset") == 0)
		size_param = "limit";
	if (size_param == NULL)
		return url;
	if (page_size && atoi(page_size) > 0 && atoi(page_size) < n)
		n = atoi(page_size);

	initStringInfo(&buf);
	appendStringInfoString(&buf, url);
	appendStringInfoChar(&buf, strchr(url, '?') ? '&' : '?');
	rest_append_urlencoded(&buf, size_param);
	appendStringInfo(&buf, "=%d", n);
	return buf.data;
}

/*
 * Fetch the sample of table t into *resp, in the current memory context, as
 * the user of conn, with the table's headers; returns the URL asked.
 */
static char *
fetch_sample(RestConnOptions *conn, RestImportTable *t, int sample_rows,
			 RestHttpResponse *resp)
{
	char	   *url = sample_url(conn, t, sample_rows);
	List	   *saved_headers = conn->headers;
	RestFormatOptions format;

	if (table_option(t, OPT_HEADERS))
		conn->headers = list_concat(list_copy(saved_headers),
									rest_parse_headers(table_option(t, OPT_HEADERS),
													   NULL));
	/* the table will read its responses so: its options, or the server's */
	rest_format_options(GetForeignServer(conn->serverid)->options, t->options,
						&format);
	rest_fetch(conn, url, resp, NULL, &format, t->sample_rows_path);
	conn->headers = saved_headers;
	return url;
}

/*
 * Can the arrays of objects in the rows of table t, which sampling reads at
 * sample_rows_path, be child tables?  Their rows paths go through one more
 * "*" than t's, and a rows path goes through at most REST_MAX_ROWS_LEVELS;
 * deeper arrays stay jsonb columns.
 */
static bool
children_fit(RestImportTable *t, const char *sample_rows_path)
{
	const char *rows = t->rows_path ? t->rows_path : "*";
	const char *sampled = sample_rows_path ? sample_rows_path : "*";

	return rest_rows_path_problem(psprintf("%s.*.x", rows)) == NULL &&
		rest_rows_path_problem(psprintf("%s.*.x", sampled)) == NULL;
}

/*
 * The IMPORT option normalize: the child tables of table t, sampled from
 * the same response (body), for the arrays of objects sampling found in its
 * rows (t->sampled_arrays), each followed by its own children.  t's key
 * columns, which every child inherits, are its "id" column if it has one,
 * else its first; a child's keys are its parent's and its position.  The
 * rows of t are at sample_rows_path in the response.  *nchildren counts
 * the child tables made for one sampled table, at most
 * IMPORT_MAX_CHILD_TABLES.
 */
static List *
sample_children(RestImportTable *t, const char *sample_rows_path,
				const char *body, size_t len, int sample_rows,
				const char *display_url, List *secrets,
				RestNameSet *table_names, SampleErrorContext *cx,
				int *nchildren)
{
	List	   *result = NIL;
	ListCell   *lc;
	bool		has_key = false;

	if (t->sampled_arrays == NIL)
		return NIL;

	foreach(lc, t->columns)
		has_key = has_key || ((RestImportColumn *) lfirst(lc))->is_key;
	if (!has_key && t->columns != NIL)
	{
		RestImportColumn *key = (RestImportColumn *) linitial(t->columns);

		foreach(lc, t->columns)
		{
			RestImportColumn *c = (RestImportColumn *) lfirst(lc);

			if (strcmp(c->name, "id") == 0 && c->json_path != NULL)
			{
				key = c;
				break;
			}
		}
		key->is_key = true;
	}

	foreach(lc, t->sampled_arrays)
	{
		const char *path = strVal(lfirst(lc));
		RestNameSet *taken = rest_name_set_create(0);
		RestImportTable *ct;
		List	   *cols;
		ListCell   *lc2;

		CHECK_FOR_INTERRUPTS();
		if (++*nchildren > IMPORT_MAX_CHILD_TABLES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("sample gives more than %d child tables",
							IMPORT_MAX_CHILD_TABLES),
					 errdetail("With normalize, each array of objects in the rows sampled is a child table."),
					 errhint("Import with normalize 'false', which keeps such arrays as jsonb columns, or describe the tables in a REST config file.")));
		ct = rest_child_table(t, path, path, false, false, path, table_names,
							  taken);
		ct->sample_path = t->sample_path;
		ct->sample_rows_path = sample_rows_path
			? psprintf("%s.*.%s", sample_rows_path, path)
			: psprintf("*.%s", path);
		ct->detect_epoch = t->detect_epoch;
		ct->empty_as_null = t->empty_as_null;
		ct->typed_strings = t->typed_strings;
		ct->normalize = children_fit(ct, ct->sample_rows_path);

		cx->table = ct;
		cols = rest_sample_columns(body, len, ct, sample_rows, display_url,
								   secrets);
		foreach(lc2, cols)
		{
			RestImportColumn *c = (RestImportColumn *) lfirst(lc2);

			c->name = rest_unique_name(taken, c->name);
			ct->columns = lappend(ct->columns, c);
		}
		result = lappend(result, ct);
		result = list_concat(result,
							 sample_children(ct, ct->sample_rows_path, body, len,
											 sample_rows, display_url, secrets,
											 table_names, cx, nchildren));
		cx->table = t;
	}
	return result;
}

/*
 * Fetch the sample of a table and find its columns and rows path; with
 * t->normalize, returns its child tables (sample_children), whose names
 * are made unique in table_names; otherwise NIL.
 */
static List *
sample_table(RestConnOptions *conn, RestImportTable *t, int sample_rows,
			 RestNameSet *table_names)
{
	ErrorContextCallback errcb;
	SampleErrorContext cx;
	RestHttpResponse resp;
	MemoryContext fetch_cxt;
	MemoryContext oldcxt;
	char	   *url;
	List	   *cols;
	List	   *children = NIL;
	RestNameSet *taken;
	ListCell   *lc;
	int			nchildren = 0;

	if (t->sample_path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot sample %s: every path has a placeholder without a sample value",
						t->source),
				 errhint("Give a sample value in the path, as in \"/customers/{customer_id:42}/orders\", or declare the columns.")));

	cx.table = t;
	errcb.callback = sample_error_callback;
	errcb.arg = &cx;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	/* the raw response goes as soon as the columns are known */
	fetch_cxt = AllocSetContextCreate(CurrentMemoryContext,
									  "rest_fdw sample",
									  ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(fetch_cxt);
	url = fetch_sample(conn, t, sample_rows, &resp);
	MemoryContextSwitchTo(oldcxt);
	t->typed_strings = (resp.decoded_from == REST_FORMAT_CSV ||
						resp.decoded_from == REST_FORMAT_XML);
	if (t->normalize && !t->detect_rows)
		t->normalize = children_fit(t, t->sample_rows_path);
	cols = rest_sample_columns(resp.body, resp.body_len, t, sample_rows,
							   rest_mask_url(url), resp.secrets);

	/* placeholders the response does not hold become virtual columns */
	taken = rest_name_set_create(list_length(cols));
	foreach(lc, cols)
	{
		RestImportColumn *c = (RestImportColumn *) lfirst(lc);

		c->name = rest_unique_name(taken, c->name);	/* unique already */
	}
	t->columns = cols;
	rest_add_placeholder_columns(t, taken);

	/* the rows found (detect_rows) are where the children's are */
	if (t->normalize)
		children = sample_children(t, t->sample_rows_path ? t->sample_rows_path :
								   t->rows_path, resp.body, resp.body_len,
								   sample_rows, rest_mask_url(url), resp.secrets,
								   table_names, &cx, &nchildren);
	MemoryContextDelete(fetch_cxt);
	error_context_stack = errcb.previous;
	return children;
}

/*
 * The IMPORT option verify_columns: fetch the sample of a table whose
 * columns the config file declares, and warn of every declared column that
 * has a value in none of the sampled rows, the mark of a JSON name the file
 * gets wrong (or of an array the connector would make a child table): such
 * a column would read as NULL in every row.
 */
static void
verify_columns(RestConnOptions *conn, RestImportTable *t, int sample_rows)
{
	ErrorContextCallback errcb;
	SampleErrorContext cx;
	RestHttpResponse resp;
	MemoryContext fetch_cxt;
	MemoryContext oldcxt;
	RestColumn *cols;
	RestRowSet *rs;
	char	   *url;
	int64		nrows;
	int64		row;
	int			ncols = 0;
	bool	   *seen;
	ListCell   *lc;
	const char *method = table_option(t, OPT_METHOD);

	if (method && strcmp(method, "GET") != 0)
	{
		ereport(NOTICE,
				(errmsg("columns of %s are not verified: its requests are %s requests",
						t->source, method)));
		return;
	}
	if (t->sample_path == NULL)
	{
		ereport(NOTICE,
				(errmsg("columns of %s are not verified: its paths have placeholders without sample values",
						t->source),
				 errhint("Give sample values in the path, as in \"/customers/{customer_id:42}/orders\".")));
		return;
	}

	cols = palloc0(sizeof(RestColumn) * Max(list_length(t->columns), 1));
	foreach(lc, t->columns)
	{
		RestImportColumn *c = (RestImportColumn *) lfirst(lc);

		if (c->json_path == NULL)
			continue;
		cols[ncols].attnum = foreach_current_index(lc) + 1;
		cols[ncols].name = c->name;
		cols[ncols].json_path = c->json_path;
		cols[ncols].typid = TEXTOID;
		cols[ncols].typmod = -1;
		ncols++;
	}
	if (ncols == 0)
		return;
	rest_prepare_columns(cols, ncols);

	cx.table = t;
	errcb.callback = sample_error_callback;
	errcb.arg = &cx;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	fetch_cxt = AllocSetContextCreate(CurrentMemoryContext,
									  "rest_fdw verify",
									  ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(fetch_cxt);
	url = fetch_sample(conn, t, sample_rows, &resp);
	rs = rest_parse_rows(resp.body, resp.body_len,
						 t->sample_rows_path ? t->sample_rows_path : t->rows_path,
						 false, NULL, 0, cols, ncols, "GET", rest_mask_url(url),
						 resp.secrets);
	nrows = Min(rest_rowset_count(rs), sample_rows);
	seen = palloc0(sizeof(bool) * ncols);
	for (row = 0; row < nrows; row++)
	{
		int			i;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < ncols; i++)
		{
			if (!seen[i] && rest_rowset_text(rs, row, i) != NULL)
				seen[i] = true;
		}
	}
	error_context_stack = errcb.previous;
	if (nrows == 0)
		ereport(NOTICE,
				(errmsg("columns of %s are not verified: the sample has no rows",
						t->source)));
	else
	{
		int			i;

		for (i = 0; i < ncols; i++)
		{
			if (!seen[i])
				ereport(WARNING,
						(errmsg("column \"%s\" of %s has no value in the sample",
								cols[i].name, t->source),
						 errdetail("None of the " INT64_FORMAT " rows of GET %s has a value at \"%s\".",
								   nrows, rest_mask_url(url), cols[i].json_path),
						 errhint("Check the column's JSON name in the file; an array of objects is a child table.")));
		}
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(fetch_cxt);
}

static void
append_option(StringInfo buf, bool *first, const char *name, const char *value)
{
	appendStringInfo(buf, "%s%s %s", *first ? "" : ", ", name,
					 quote_literal_cstr(value));
	*first = false;
}

/*
 * The IMPORT option header_names: "names_path = values_path" pairs
 * separated by commas, each path a json_path with exactly one "*" key, as
 * in 'dimensionHeaders.*.name = dimensionValues.*.value'.  Returns a List
 * of RestHeaderNames.
 */
static List *
parse_header_names(const char *value)
{
	List	   *result = NIL;
	char	   *copy = pstrdup(value);
	char	   *entry;
	char	   *save = NULL;

	for (entry = strtok_r(copy, ",", &save); entry;
		 entry = strtok_r(NULL, ",", &save))
	{
		RestHeaderNames *hn = palloc0(sizeof(RestHeaderNames));
		char	   *eq = strchr(entry, '=');
		char	   *paths[2];
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (eq == NULL)
			goto bad;
		*eq = '\0';
		paths[0] = entry;
		paths[1] = eq + 1;
		for (i = 0; i < 2; i++)
		{
			char	   *p = paths[i];
			char	  **keys;
			int			nkeys;
			int			k;
			int			stars = 0;

			while (*p == ' ')
				p++;
			while (*p && p[strlen(p) - 1] == ' ')
				p[strlen(p) - 1] = '\0';
			if (!rest_valid_json_path(p))
				goto bad;
			keys = rest_split_json_path(p, &nkeys);
			for (k = 0; k < nkeys; k++)
				stars += strcmp(keys[k], "*") == 0;
			if (stars != 1)
				goto bad;
			paths[i] = p;
		}
		hn->names_path = paths[0];
		hn->values_path = paths[1];
		result = lappend(result, hn);
	}
	if (result == NIL)
		goto bad;
	return result;

bad:
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("invalid value for option \"%s\": \"%s\"",
					OPT_HEADER_NAMES, value),
			 errhint("Give pairs \"names_path = values_path\" separated by commas, each path with one \"*\" for the array index, for example 'dimensionHeaders.*.name = dimensionValues.*.value'.")));
	return NIL;					/* keep the compiler quiet */
}

/*
 * Will "" read as NULL in the non-text columns of the table t creates: its
 * empty_as_null option, else the server's, else the default (true)?
 */
static bool
empty_is_null(RestImportTable *t, Oid serverid)
{
	const char *value = table_option(t, OPT_EMPTY_AS_NULL);
	bool		result = true;
	ListCell   *lc;

	if (value == NULL)
	{
		foreach(lc, GetForeignServer(serverid)->options)
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, OPT_EMPTY_AS_NULL) == 0)
				value = defGetString(def);
		}
	}
	if (value != NULL && !parse_bool(value, &result))
		result = true;
	return result;
}

/* A Boolean IMPORT option */
static bool
import_bool(DefElem *def)
{
	bool		result;

	if (!parse_bool(defGetString(def), &result))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"",
						def->defname, defGetString(def)),
				 errhint("The value must be a Boolean: true or false.")));
	return result;
}

/* CREATE FOREIGN TABLE for one imported table */
static char *
create_statement(RestImportTable *t, const char *server)
{
	static const char *const op_options[REST_NOPS] = {
		OPT_PARAM, OPT_PARAM_LT, OPT_PARAM_LE, OPT_PARAM_GT, OPT_PARAM_GE,
		OPT_PARAM_NE, OPT_PARAM_CONTAINS
	};
	StringInfoData buf;
	ListCell   *lc;
	bool		first;
	/* a model file's #key and #readonly matter to the writes it maps */
	bool		keyed = table_option(t, OPT_UPDATE) || table_option(t, OPT_DELETE);
	bool		writes = keyed || table_option(t, OPT_INSERT);

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (\n", quote_identifier(t->name));
	foreach(lc, t->columns)
	{
		RestImportColumn *c = (RestImportColumn *) lfirst(lc);
		int			op;

		CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "  %s %s", quote_identifier(c->name), c->type);
		first = true;
		appendStringInfoString(&buf, " OPTIONS (");
		if (c->json_path)
			append_option(&buf, &first, OPT_JSON_PATH, c->json_path);
		if (c->is_virtual)
			append_option(&buf, &first, OPT_VIRTUAL, "true");
		for (op = 0; op < REST_NOPS; op++)
		{
			if (c->params[op])
				append_option(&buf, &first, op_options[op], c->params[op]);
		}
		if (c->in_comma)
			append_option(&buf, &first, OPT_IN_STYLE, "comma");
		if (c->param_header)
			append_option(&buf, &first, OPT_PARAM_IN, "header");
		if (c->param_default)
			append_option(&buf, &first, OPT_PARAM_DEFAULT, c->param_default);
		if (c->required)
			append_option(&buf, &first, OPT_PARAM_REQUIRED, "true");
		if (c->format)
			append_option(&buf, &first, OPT_FORMAT, c->format);
		if (c->is_key && keyed)
			append_option(&buf, &first, OPT_KEY, "true");
		if (c->read_only && writes)
			append_option(&buf, &first, OPT_READ_ONLY, "true");
		if (first)
		{
			/* no options after all */
			buf.len -= strlen(" OPTIONS (");
			buf.data[buf.len] = '\0';
		}
		else
			appendStringInfoChar(&buf, ')');
		if (c->not_null)
			appendStringInfoString(&buf, " NOT NULL");
		appendStringInfoString(&buf, lnext(t->columns, lc) ? ",\n" : "\n");
	}
	appendStringInfo(&buf, ") SERVER %s OPTIONS (", quote_identifier(server));
	first = true;
	append_option(&buf, &first, OPT_ENDPOINT, t->endpoint);
	if (t->rows_path)
		append_option(&buf, &first, OPT_ROWS_PATH, t->rows_path);
	if (t->header_row && table_option(t, OPT_HEADER_ROW) == NULL)
		append_option(&buf, &first, OPT_HEADER_ROW, "true");
	foreach(lc, t->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		append_option(&buf, &first, def->defname, defGetString(def));
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * The tables a server describes, before sampling: those of its REST config
 * file, or the one of its sample path, named after the path's last
 * segment.
 */
static List *
server_tables(RestConnOptions *conn, bool keep_lengths, List **model_options)
{
	List	   *tables;

	if (conn->rest_config_file)
		tables = rest_read_config_file(conn->rest_config_file, conn->base_url,
									   keep_lengths, model_options);
	else if (conn->rest_sample_path)
	{
		RestImportTable *t = palloc0(sizeof(RestImportTable));
		char	   *path = pstrdup(conn->rest_sample_path);
		char	   *q = strchr(path, '?');
		char	   *slash;

		/* named after the last path segment */
		if (q)
			*q = '\0';
		while (*path && path[strlen(path) - 1] == '/')
			path[strlen(path) - 1] = '\0';
		slash = strrchr(path, '/');
		t->name = rest_sql_identifier(slash ? slash + 1 : path);
		t->source = psprintf("sample path \"%s\" of server \"%s\"",
							 conn->rest_sample_path, conn->servername);
		t->endpoint = conn->rest_sample_path;
		t->sample_path = conn->rest_sample_path;
		t->detect_rows = true;
		tables = list_make1(t);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has neither \"%s\" nor \"%s\"",
						conn->servername, OPT_REST_CONFIG_FILE, OPT_REST_SAMPLE_PATH),
				 errhint("Name a REST config file, or a path to sample, for example ALTER SERVER %s OPTIONS (ADD rest_sample_path '/v1/orders').",
						 quote_identifier(conn->servername))));

	return tables;
}

/*
 * A model file's "#options" are connection properties (AuthenticationMethod,
 * TokenURI, Scope ...), which rest_fdw keeps in the server and the user
 * mapping, not in the file, and never takes from it silently: a NOTICE
 * names the options they stand for that the server lacks or sets
 * otherwise, and the ALTER SERVER that would set them.
 */
static void
report_model_options(Oid serverid, List *model_options)
{
	ForeignServer *server;
	List	   *want_server;
	List	   *want_mapping;
	StringInfoData detail;
	StringInfoData alter;
	ListCell   *lc;

	if (model_options == NIL)
		return;
	rest_model_option_settings(model_options, &want_server, &want_mapping);
	server = GetForeignServer(serverid);
	initStringInfo(&detail);
	initStringInfo(&alter);
	foreach(lc, want_server)
	{
		DefElem    *want = (DefElem *) lfirst(lc);
		const char *has = NULL;
		ListCell   *lc2;

		foreach(lc2, server->options)
		{
			DefElem    *d = (DefElem *) lfirst(lc2);

			if (strcmp(d->defname, want->defname) == 0)
				has = defGetString(d);
		}
		/* an option the server does not set has its default */
		if (has == NULL && rest_server_option_default(want->defname) &&
			strcmp(rest_server_option_default(want->defname), strVal(want->arg)) == 0)
			continue;
		if (has && strcmp(has, strVal(want->arg)) == 0)
			continue;
		appendStringInfo(&detail, "%s%s %s (%s)", detail.len ? ", " : "",
						 want->defname, quote_literal_cstr(strVal(want->arg)),
						 has ? psprintf("the server has %s", quote_literal_cstr(has))
						 : "not set");
		appendStringInfo(&alter, "%s%s %s %s", alter.len ? ", " : "",
						 has ? "SET" : "ADD", want->defname,
						 quote_literal_cstr(strVal(want->arg)));
	}
	foreach(lc, want_mapping)
	{
		DefElem    *want = (DefElem *) lfirst(lc);

		appendStringInfo(&detail, "%suser mapping option %s %s", detail.len ? ", " : "",
						 want->defname, quote_literal_cstr(strVal(want->arg)));
	}
	if (detail.len == 0)
		return;
	ereport(NOTICE,
			(errmsg("the \"#options\" of the REST config file of server \"%s\" ask for other options",
					server->servername),
			 errdetail("They stand for %s.", detail.data),
			 alter.len > 0
			 ? errhint("ALTER SERVER %s OPTIONS (%s) sets them; the file's \"#options\" are not applied.",
					   quote_identifier(server->servername), alter.data)
			 : errhint("The file's \"#options\" are not applied.")));
}

/*
 * The ImportForeignSchema callback: CREATE FOREIGN TABLE commands for the
 * tables of the server's REST config file, or for its sample path.
 */
List *
rest_import_foreign_schema(ImportForeignSchemaStmt *stmt, Oid serverid)
{
	RestConnOptions *conn = rest_get_conn_options(serverid, GetUserId(), false);
	RestConnOptions *creds = NULL;
	List	   *tables;
	List	   *commands = NIL;
	int			sample_rows = conn->sample_rows;
	bool		header_row = false;
	bool		detect_epoch = false;
	bool		keep_lengths = false;
	bool		verify = false;
	bool		normalize = false;
	List	   *header_names = NIL;
	List	   *model_options = NIL;
	RestNameSet *table_names;
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, OPT_SAMPLE_ROWS) == 0)
		{
			char	   *end;
			long		n;

			errno = 0;
			n = strtol(defGetString(def), &end, 10);
			if (errno != 0 || *end != '\0' || n < 1 || n > INT_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								OPT_SAMPLE_ROWS, defGetString(def)),
						 errhint("The value must be a positive integer.")));
			sample_rows = (int) n;
		}
		else if (strcmp(def->defname, OPT_HEADER_ROW) == 0)
			header_row = import_bool(def);
		else if (strcmp(def->defname, OPT_DETECT_EPOCH) == 0)
			detect_epoch = import_bool(def);
		else if (strcmp(def->defname, OPT_HEADER_NAMES) == 0)
			header_names = parse_header_names(defGetString(def));
		else if (strcmp(def->defname, OPT_KEEP_LENGTHS) == 0)
			keep_lengths = import_bool(def);
		else if (strcmp(def->defname, OPT_VERIFY_COLUMNS) == 0)
			verify = import_bool(def);
		else if (strcmp(def->defname, OPT_NORMALIZE) == 0)
			normalize = import_bool(def);
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 errhint("Valid options in this context are: %s, %s, %s, %s, %s, %s, %s",
							 OPT_SAMPLE_ROWS, OPT_HEADER_ROW, OPT_HEADER_NAMES,
							 OPT_DETECT_EPOCH, OPT_KEEP_LENGTHS, OPT_VERIFY_COLUMNS,
							 OPT_NORMALIZE)));
	}

	tables = server_tables(conn, keep_lengths, &model_options);
	report_model_options(serverid, model_options);
	table_names = rest_name_set_create(list_length(tables));
	foreach(lc, tables)
		(void) rest_unique_name(table_names, ((RestImportTable *) lfirst(lc))->name);

	foreach(lc, tables)
	{
		RestImportTable *t = (RestImportTable *) lfirst(lc);
		List	   *children = NIL;
		ListCell   *lc2;
		bool		want = wanted(stmt, t->name);

		CHECK_FOR_INTERRUPTS();
		/* a sampled table's children are only known once it is sampled */
		if (!want && !(normalize && t->columns == NIL && t->skip_reason == NULL &&
					   child_listed(stmt, t->name)))
			continue;
		if (t->skip_reason)
		{
			/* a table of another host is another server's */
			if (stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("cannot import %s from server \"%s\"",
								t->source, stmt->server_name),
						 errdetail("The table is on another host: %s.", t->skip_reason),
						 errhint("Create a server for that host with the same rest_config_file and import the table from it.")));
			ereport(NOTICE,
					(errmsg("skipping %s", t->source),
					 errdetail("The table is on another host: %s.", t->skip_reason),
					 errhint("Create a server for that host with the same rest_config_file and import the table from it.")));
			continue;
		}
		t->header_row = header_row;
		if (table_option(t, OPT_HEADER_ROW) &&
			!parse_bool(table_option(t, OPT_HEADER_ROW), &t->header_row))
			t->header_row = false;
		t->header_names = header_names;
		t->detect_epoch = detect_epoch;
		t->empty_as_null = empty_is_null(t, serverid);
		if (t->columns == NIL)
		{
			if (creds == NULL)
			{
				creds = rest_get_conn_options(serverid, GetUserId(), true);
				rest_require_base_url(creds);
			}
			t->normalize = normalize;
			children = sample_table(creds, t, sample_rows, table_names);
		}
		else if (verify)
		{
			if (creds == NULL)
			{
				creds = rest_get_conn_options(serverid, GetUserId(), true);
				rest_require_base_url(creds);
			}
			verify_columns(creds, t, sample_rows);
		}
		if (want)
			commands = lappend(commands, create_statement(t, stmt->server_name));
		foreach(lc2, children)
		{
			RestImportTable *ct = (RestImportTable *) lfirst(lc2);

			if (!wanted(stmt, ct->name))
				continue;
			if (ct->skip_reason)
			{
				ereport(NOTICE,
						(errmsg("skipping %s", ct->source),
						 errdetail("The table cannot be read so: %s.", ct->skip_reason)));
				continue;
			}
			commands = lappend(commands, create_statement(ct, stmt->server_name));
		}
	}
	return commands;
}

/*
 * The tables IMPORT FOREIGN SCHEMA (without options) would create from a
 * server, with their columns, sampled where none are declared, for
 * rest_fdw_sample_model().  Tables of another host are left out with a
 * NOTICE.  The caller checks USAGE on the server; sampling needs the
 * caller's user mapping, as IMPORT does.
 */
List *
rest_import_tables(Oid serverid)
{
	RestConnOptions *conn = rest_get_conn_options(serverid, GetUserId(), false);
	RestConnOptions *creds = NULL;
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, server_tables(conn, false, NULL))
	{
		RestImportTable *t = (RestImportTable *) lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (t->skip_reason)
		{
			ereport(NOTICE,
					(errmsg("skipping %s", t->source),
					 errdetail("The table is on another host: %s.", t->skip_reason)));
			continue;
		}
		if (table_option(t, OPT_HEADER_ROW) &&
			!parse_bool(table_option(t, OPT_HEADER_ROW), &t->header_row))
			t->header_row = false;
		t->empty_as_null = empty_is_null(t, serverid);
		if (t->columns == NIL)
		{
			if (creds == NULL)
			{
				creds = rest_get_conn_options(serverid, GetUserId(), true);
				rest_require_base_url(creds);
			}
			(void) sample_table(creds, t, conn->sample_rows, NULL);
		}
		result = lappend(result, t);
	}
	return result;
}
