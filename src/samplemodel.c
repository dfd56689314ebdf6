/*-------------------------------------------------------------------------
 *
 * samplemodel.c
 *		  rest_fdw_sample_model(): the model file that sampling infers.
 *
 *	 SELECT rest_fdw_sample_model('api');
 *
 * The DataDirect connector shows the model it inferred in its
 * "_CONFIGURATION" table; this is rest_fdw's counterpart.  The tables and
 * columns IMPORT FOREIGN SCHEMA would create from a server (import.c,
 * sampled as IMPORT samples) are written in the model grammar config.c
 * reads: table name -> {"#path": ..., settings, column: "Type", nested
 * objects}, so that saving the text and naming it in rest_config_file
 * imports the same tables and columns.  What the grammar cannot say
 * (options without a setting, JSON names it would misread) is left out
 * with a NOTICE naming it.  A model holds no credential.
 *
 * jansson builds the document; a memory context reset callback releases
 * it, so an ERROR on the way leaks nothing.  Empty objects come from
 * json_pack("{}"), not json_object(): the postgres executable exports a
 * json_object of its own (the SQL function), which would win; for the same
 * reason this file does not include utils/builtins.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <jansson.h>

#include "catalog/pg_foreign_server.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/memutils.h"

#include "rest_fdw.h"

PG_FUNCTION_INFO_V1(rest_fdw_sample_model);
/* The document being built: released by a reset callback on error */
typedef struct ModelDoc
{
	json_t	   *root;
	MemoryContextCallback cb;
} ModelDoc;

static void
model_doc_free(void *arg)
{
	ModelDoc   *doc = (ModelDoc *) arg;

	if (doc->root)
		json_decref(doc->root);
	doc->root = NULL;
}

/* An empty jansson object (see the head of the file) */
static json_t *
new_object(void)
{
	return json_pack("{}");
}

static void
json_oom(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("out of memory")));
}

/*
 * json_object_set_new() that reports failure; v is consumed.  jansson
 * refuses names and strings that are not UTF-8, as well as running out of
 * memory.
 */
static void
set_member(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not add \"%s\" to the model", key),
				 errdetail("A model file is UTF-8 JSON: the name or its value is not valid UTF-8, or memory ran out.")));
}

/*
 * The model-file type of a SQL type that sampling or a model file gave, or
 * NULL if the grammar has none.
 */
static char *
model_type(const char *sql)
{
	static const struct
	{
		const char *sql;
		const char *model;
	}			types[] = {
		{"text", "Text"},
		{"bigint", "BigInt"},
		{"integer", "Integer"},
		{"smallint", "SmallInt"},
		{"double precision", "Double"},
		{"real", "Real"},
		{"numeric", "Decimal"},
		{"boolean", "Boolean"},
		{"date", "Date"},
		{"timestamptz", "TimestampWithTimeZone"},
		{"time", "Time"},
		{"timetz", "TimeWithTimeZone"},
		{"uuid", "GUID"},
		{"jsonb", "JSON"},
		{"bytea", "VarBinary"},
		{"varchar", "VarChar"},
		{"char", "Char"},
		{NULL, NULL}
	};
	const char *paren = strchr(sql, '(');
	size_t		len = paren ? (size_t) (paren - sql) : strlen(sql);
	int			i;

	/* arrays: the grammar's child tables are not supported; jsonb reads them */
	if (len > 2 && strcmp(sql + strlen(sql) - 2, "[]") == 0)
		return pstrdup("JSON");

	for (i = 0; types[i].sql; i++)
	{
		if (strlen(types[i].sql) == len && strncmp(types[i].sql, sql, len) == 0)
		{
			/* "numeric(10,2)" is "Decimal(10,2)"; "timestamptz(3)" "Timestamp(3)" */
			if (paren == NULL)
				return pstrdup(types[i].model);
			if (strcmp(types[i].sql, "timestamptz") == 0)
				return psprintf("Timestamp%s", paren);
			return psprintf("%s%s", types[i].model, paren);
		}
	}
	return NULL;
}

/*
 * A JSON name that the grammar reads as something else: a setting ("#"),
 * a rename ("<...>"), a child table ("[]", "{...}") or a reference.
 */
static bool
model_name_ok(const char *name)
{
	size_t		len = strlen(name);

	return len > 0 && name[0] != '#' && strcmp(name, "$ref") != 0 &&
		strpbrk(name, "<>{}") == NULL &&
		!(len >= 2 && strcmp(name + len - 2, "[]") == 0);
}

/*
 * A dotted json_path as the model's slash-separated path ("data/items"),
 * or NULL if a key holds a "/" or a space, which the grammar cannot write.
 */
static char *
slash_path(const char *dotted)
{
	StringInfoData buf;
	char	  **keys;
	int			n;
	int			i;

	keys = rest_split_json_path(dotted, &n);
	initStringInfo(&buf);
	for (i = 0; i < n; i++)
	{
		if (strpbrk(keys[i], "/ ") != NULL || keys[i][0] == '\0')
			return NULL;
		if (i > 0)
			appendStringInfoChar(&buf, '/');
		appendStringInfoString(&buf, keys[i]);
	}
	return buf.data;
}

/* The options of a table (or server) that are model-file settings */
static const struct
{
	const char *option;
	const char *setting;
	char		kind;			/* 'i' integer, 's' string, 'p' path, 'j' JSON */
}			model_settings[] = {
	{OPT_PAGE_SIZE, "#maximumPageSize", 'i'},
	{OPT_PAGE_SIZE_PARAM, "#pageSizeParameter", 's'},
	{OPT_OFFSET_PARAM, "#rowOffsetParameter", 's'},
	{OPT_FIRST_OFFSET, "#firstRowNumber", 'i'},
	{OPT_PAGE_PARAM, "#pageNumberParameter", 's'},
	{OPT_FIRST_PAGE, "#firstPageNumber", 'i'},
	{OPT_NEXT_URL_PATH, "#nextPageElement", 'p'},
	{OPT_CURSOR_PATH, "#nextPageElement", 'p'},
	{OPT_CURSOR_PARAM, "#nextPageParameter", 's'},
	{OPT_HAS_MORE_PATH, "#hasMoreElement", 'p'},
	{OPT_TOTAL_COUNT_PATH, "#totalRowsElement", 'p'},
	{OPT_TOTAL_PAGES_PATH, "#totalPagesElement", 'p'},
	{OPT_HEADERS, "#headers", 'j'},
	{NULL}
};

/*
 * Write the options of opts that are settings into obj.  Others get one
 * NOTICE each unless quiet (a server's other options are not the table's).
 * cursor_param is written only with cursor_path, as the grammar reads it.
 */
static void
write_settings(json_t *obj, List *opts, const char *table, bool quiet)
{
	ListCell   *lc;
	bool		cursor = false;

	foreach(lc, opts)
	{
		if (strcmp(((DefElem *) lfirst(lc))->defname, OPT_CURSOR_PATH) == 0)
			cursor = true;
	}
	foreach(lc, opts)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const char *value = defGetString(def);
		json_t	   *v = NULL;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (strcmp(def->defname, OPT_PAGING) == 0)
		{
			/* the style follows from the settings, but for Link headers */
			if (strcmp(value, "link_header") == 0)
				set_member(obj, "#nextPageResponseHeader", json_string("Link"));
			continue;
		}
		if (strcmp(def->defname, OPT_CURSOR_PARAM) == 0 && !cursor)
			continue;
		for (i = 0; model_settings[i].option; i++)
		{
			if (strcmp(model_settings[i].option, def->defname) == 0)
				break;
		}
		if (model_settings[i].option != NULL)
		{
			switch (model_settings[i].kind)
			{
				case 'i':
					v = json_integer(strtoll(value, NULL, 10));
					break;
				case 's':
					v = json_string(value);
					break;
				case 'p':
					{
						char	   *path = slash_path(value);

						v = path ? json_string(path) : NULL;
						if (path == NULL)
						{
							if (!quiet)
								ereport(NOTICE,
										(errmsg("option \"%s\" of table \"%s\" is not written to the model",
												def->defname, table),
										 errdetail("A key of its path holds a \"/\" or a space, which the model grammar cannot write.")));
							continue;
						}
						break;
					}
				case 'j':
					v = json_loads(value, 0, NULL);
					break;
			}
			set_member(obj, model_settings[i].setting, v);
		}
		else if (!quiet)
			ereport(NOTICE,
					(errmsg("option \"%s\" of table \"%s\" is not written to the model",
							def->defname, table),
					 errdetail("The model grammar has no setting for it; set it on the foreign table after IMPORT FOREIGN SCHEMA.")));
	}
}

/* The "#path" of a table: one path, or a list of alternatives */
static json_t *
model_path(RestImportTable *t)
{
	const char *problem = NULL;
	List	   *eps = rest_parse_endpoints(t->endpoint, t->rows_path, &problem);
	List	   *texts = NIL;
	json_t	   *arr;
	ListCell   *lc;

	if (problem != NULL || eps == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot write the path of table \"%s\" to the model", t->name)));
	/* the texts first: no jansson value is held while an ERROR may come */
	foreach(lc, eps)
	{
		RestEndpoint *ep = (RestEndpoint *) lfirst(lc);
		char	   *text = ep->path;

		if (ep->rows_path && ep->rows_path[0] != '\0')
		{
			char	   *rows = slash_path(ep->rows_path);

			if (rows == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("cannot write the rows path of table \"%s\" to the model", t->name),
						 errdetail("A key of the rows path holds a \"/\" or a space, which the model grammar cannot write.")));
			text = psprintf("%s %s", ep->path, rows);
		}
		texts = lappend(texts, text);
	}
	if (list_length(texts) == 1)
		return json_string((char *) linitial(texts));
	arr = json_array();
	if (arr == NULL)
		json_oom();
	foreach(lc, texts)
	{
		if (json_array_append_new(arr, json_string((char *) lfirst(lc))) != 0)
		{
			json_decref(arr);
			json_oom();
		}
	}
	return arr;
}

/* Is name a {placeholder} of the table's endpoint? */
static bool
is_placeholder(RestImportTable *t, const char *name)
{
	ListCell   *lc;

	foreach(lc, t->placeholders)
	{
		if (strcmp(strVal(lfirst(lc)), name) == 0)
			return true;
	}
	return false;
}

/*
 * A column's value in the model: "Type", or {"#type": "Type", "#eq": ...}
 * when it has parameters, a default or is virtual.
 */
static json_t *
column_value(RestImportColumn *c, const char *type)
{
	static const char *const ops[REST_NOPS] = {"#eq", "#lt", "#le", "#gt", "#ge", "#ne",
	"#contains"};
	json_t	   *obj;
	bool		plain = !c->is_virtual && !c->in_comma && !c->required &&
		!c->param_header && c->param_default == NULL;
	int			op;

	for (op = 0; op < REST_NOPS; op++)
		plain = plain && c->params[op] == NULL;
	if (plain)
		return json_string(type);
	obj = new_object();
	if (obj == NULL)
		return NULL;
	if (json_object_set_new(obj, "#type", json_string(type)) != 0)
		goto fail;
	for (op = 0; op < REST_NOPS; op++)
	{
		/* an IN list is "#in", which also sets the equality parameter */
		if (c->params[op] &&
			json_object_set_new(obj, op == REST_OP_EQ && c->in_comma ? "#in" : ops[op],
								json_string(c->params[op])) != 0)
			goto fail;
	}
	if (c->is_virtual && json_object_set_new(obj, "#virtual", json_true()) != 0)
		goto fail;
	if (c->param_header && json_object_set_new(obj, "#header", json_true()) != 0)
		goto fail;
	if (c->param_default &&
		json_object_set_new(obj, "#default", json_string(c->param_default)) != 0)
		goto fail;
	if (c->required && json_object_set_new(obj, "#mandatory", json_true()) != 0)
		goto fail;
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

/*
 * The columns of a table into obj: nested objects for JSON paths into
 * objects, a column renamed ("json<sql>") where the SQL name is not the
 * one the grammar derives.  The virtual columns of placeholders, which
 * the grammar adds from "#path" itself, are not written unless they have
 * parameters or a default.
 */
static void
write_columns(json_t *obj, RestImportTable *t)
{
	ListCell   *lc;

	foreach(lc, t->columns)
	{
		RestImportColumn *c = (RestImportColumn *) lfirst(lc);
		char	  **keys;
		int			n;
		int			i;
		json_t	   *parent = obj;
		char	   *type;
		char	   *prefix = pstrdup("");
		char	   *leaf;
		bool		ok = true;

		CHECK_FOR_INTERRUPTS();
		if (c->is_virtual && is_placeholder(t, c->name) &&
			c->param_default == NULL && !c->required)
			continue;
		type = model_type(c->type);
		if (c->json_path)
			keys = rest_split_json_path(c->json_path, &n);
		else
		{
			/* a virtual column: its key is its name */
			keys = palloc(sizeof(char *));
			keys[0] = c->name;
			n = 1;
		}
		for (i = 0; i < n; i++)
			ok = ok && model_name_ok(keys[i]);
		if (type == NULL || !ok || n == 0)
		{
			ereport(NOTICE,
					(errmsg("column \"%s\" of table \"%s\" is not written to the model",
							c->name, t->name),
					 type == NULL
					 ? errdetail("The model grammar has no type for %s.", c->type)
					 : errdetail("Its JSON name would be read as a setting, a renamed column or a child table.")));
			continue;
		}
		if (c->format && !(strcmp(c->type, "bytea") == 0 && strcmp(c->format, "base64") == 0))
			ereport(NOTICE,
					(errmsg("the format of column \"%s\" of table \"%s\" is not written to the model",
							c->name, t->name),
					 errdetail("Set the column option format after IMPORT FOREIGN SCHEMA.")));
		if (strcmp(type, "JSON") == 0 && strcmp(c->type, "jsonb") != 0)
			ereport(NOTICE,
					(errmsg("column \"%s\" of table \"%s\" is written to the model as JSON", c->name, t->name),
					 errdetail("The model grammar has no type for %s: the column will be jsonb.", c->type)));
		if (c->is_key)
			type = psprintf("%s,#key", type);
		if (c->not_null)
			type = psprintf("%s,#notnull", type);
		/* the nested objects, as the grammar names them: prefix_name */
		for (i = 0; i < n - 1; i++)
		{
			json_t	   *child = json_object_get(parent, keys[i]);

			if (child == NULL)
			{
				child = new_object();
				set_member(parent, keys[i], child);
			}
			else if (!json_is_object(child))
			{
				ok = false;
				break;
			}
			parent = child;
			prefix = psprintf("%s%s_", prefix, rest_sql_identifier(keys[i]));
		}
		if (!ok)
		{
			ereport(NOTICE,
					(errmsg("column \"%s\" of table \"%s\" is not written to the model",
							c->name, t->name),
					 errdetail("Another column has the JSON name of an object it is inside.")));
			continue;
		}
		/* renamed unless the grammar derives the same SQL name */
		leaf = keys[n - 1];
		if (n == 1)
		{
			if (strcmp(rest_sql_identifier(leaf), c->name) != 0)
				leaf = psprintf("%s<%s>", leaf, c->name);
		}
		else if (strcmp(rest_sql_identifier(psprintf("%s%s", prefix, leaf)), c->name) != 0)
		{
			size_t		plen = strlen(prefix);

			if (strncmp(c->name, prefix, plen) == 0 && c->name[plen] != '\0')
				leaf = psprintf("%s<%s>", leaf, c->name + plen);
		}
		if (json_object_get(parent, leaf) != NULL)
		{
			ereport(NOTICE,
					(errmsg("column \"%s\" of table \"%s\" is not written to the model",
							c->name, t->name),
					 errdetail("Another column has the same JSON name.")));
			continue;
		}
		set_member(parent, leaf, column_value(c, type));
	}
}

/*
 * rest_fdw_sample_model(server): the model file, as pretty JSON text, of
 * the tables IMPORT FOREIGN SCHEMA would create from the server, their
 * columns sampled as IMPORT samples them.  Needs USAGE on the server and,
 * to sample, the caller's user mapping.  Holds no credential: a model file
 * never does.
 */
Datum
rest_fdw_sample_model(PG_FUNCTION_ARGS)
{
	char	   *servername = NameStr(*PG_GETARG_NAME(0));
	ForeignServer *server = GetForeignServerByName(servername, false);
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	AclResult	aclresult;
	List	   *tables;
	MemoryContext cxt;
	MemoryContext oldcxt;
	ModelDoc   *doc;
	ListCell   *lc;
	char	   *dump;
	text	   *result;
	bool		sampled_server;

	if (strcmp(fdw->fdwname, "rest_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a rest_fdw server", servername)));
	aclresult = rest_foreign_server_aclcheck(server->serverid, GetUserId(), ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);

	tables = rest_import_tables(server->serverid);
	sampled_server = rest_get_conn_options(server->serverid, GetUserId(), false)->rest_config_file == NULL;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw model",
								ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(cxt);
	doc = palloc0(sizeof(ModelDoc));
	doc->cb.func = model_doc_free;
	doc->cb.arg = doc;
	MemoryContextRegisterResetCallback(cxt, &doc->cb);
	doc->root = new_object();
	if (doc->root == NULL)
		json_oom();

	foreach(lc, tables)
	{
		RestImportTable *t = (RestImportTable *) lfirst(lc);
		json_t	   *obj = new_object();

		CHECK_FOR_INTERRUPTS();
		/* "name<sqlname>" where the grammar would derive another name */
		set_member(doc->root,
				   strcmp(rest_sql_identifier(t->name), t->name) == 0 ? t->name
				   : psprintf("%s<%s>", t->name, t->name),
				   obj);
		set_member(obj, "#path", model_path(t));
		/* a sampled server's paging options are the table's */
		if (sampled_server)
			write_settings(obj, server->options, t->name, true);
		write_settings(obj, t->options, t->name, false);
		write_columns(obj, t);
	}

	dump = json_dumps(doc->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (dump == NULL)
		json_oom();
	MemoryContextSwitchTo(oldcxt);
	/* copied without throwing, so that text is freed on every path */
	result = (text *) MemoryContextAllocExtended(CurrentMemoryContext,
												 VARHDRSZ + strlen(dump) + 1,
												 MCXT_ALLOC_NO_OOM);
	if (result)
	{
		SET_VARSIZE(result, VARHDRSZ + strlen(dump) + 1);
		memcpy(VARDATA(result), dump, strlen(dump));
		VARDATA(result)[strlen(dump)] = '\n';
	}
	free(dump);
	MemoryContextDelete(cxt);
	if (result == NULL)
		json_oom();
	PG_RETURN_TEXT_P(result);
}
