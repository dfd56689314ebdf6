/*-------------------------------------------------------------------------
 *
 * config.c
 *		  REST config (model) files: table definitions for IMPORT FOREIGN
 *		  SCHEMA.
 *
 * A REST config file is a JSON object.  Keys starting with "#" are
 * settings that every table inherits; every other key is a table:
 *
 *	 "orders": "/v1/orders"						columns found by sampling
 *	 "tickets": {
 *		 "#path": ["/customers/{customer_id}/orders data", "/orders data"],
 *		 "#nextPageElement": "next_page",
 *		 "id": "Integer,#key",
 *		 "subject": "VarChar(200)",
 *		 "requester": {"name": "VarChar(80)"},		 nested: requester_name
 *		 "createdAt<created>": "Timestamp",			 renamed column
 *		 "status": {"#type": "VarChar(20)", "#eq": "status"}
 *	 }
 *
 * The file is turned into RestImportTable records whose options are those
 * of CREATE FOREIGN TABLE, so an imported table behaves exactly like one
 * written by hand.  Credentials are never read from the file: they belong
 * in user mappings.  jansson reads the file; its values are released by a
 * memory context reset callback, so errors raised while walking the
 * document leak nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>

#include <jansson.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/fd.h"

#include "rest_fdw.h"
#include "strmap.h"

/* Largest config file read, in bytes */
#define REST_MAX_CONFIG_SIZE	(16 * 1024 * 1024)

/* Settings of a config file, at the top or per table */
typedef enum ConfigKey
{
	CK_PATH,
	CK_MAX_PAGE_SIZE,
	CK_PAGE_SIZE_PARAM,
	CK_ROW_OFFSET_PARAM,
	CK_FIRST_ROW_NUMBER,
	CK_PAGE_NUMBER_PARAM,
	CK_FIRST_PAGE_NUMBER,
	CK_NEXT_PAGE_ELEMENT,
	CK_NEXT_PAGE_PARAM,
	CK_NEXT_PAGE_HEADER,
	CK_HAS_MORE_ELEMENT,
	CK_HEADERS,
	CK_TOTAL_ROWS_ELEMENT,
	CK_TOTAL_PAGES_ELEMENT,
	CK_POST,
	CK_GET,
	CK_INSERT,
	CK_UPDATE,
	CK_DELETE,
	CK_HOSTNAME,
	CK_VERSION,
	CK_DESCRIPTION,
	CK_OPTIONS,
	CK_COMPONENTS,
	CK_HTTP,
	CK_FIELD_LIST_PARAM,
	CK_NEXT_PAGE_REQUEST_HEADER,
	CK_POST_BODY_PAGING,
	CK_PAGE_SIZE_ELEMENT,
	CK_COUNT
} ConfigKey;

/* Where a setting may stand */
#define IN_TOP		0x01		/* at the top of the file */
#define IN_TABLE	0x02		/* in a table */

static const char *const config_key_names[CK_COUNT] = {
	"#path",
	"#maximumPageSize",
	"#pageSizeParameter",
	"#rowOffsetParameter",
	"#firstRowNumber",
	"#pageNumberParameter",
	"#firstPageNumber",
	"#nextPageElement",
	"#nextPageParameter",
	"#nextPageResponseHeader",
	"#hasMoreElement",
	"#headers",
	"#totalRowsElement",
	"#totalPagesElement",
	"#post",
	"#get",
	"#insert",
	"#update",
	"#delete",
	"#hostname",
	"#version",
	"#description",
	"#options",
	"#components",
	"#http",
	"#fieldListParameter",
	"#nextPageRequestHeader",
	"#postBodyPaging",
	"#pageSizeElement"
};

static const int config_key_where[CK_COUNT] = {
	IN_TABLE,					/* #path */
	IN_TOP | IN_TABLE, IN_TOP | IN_TABLE, IN_TOP | IN_TABLE,
	IN_TOP | IN_TABLE, IN_TOP | IN_TABLE, IN_TOP | IN_TABLE,
	IN_TOP | IN_TABLE, IN_TOP | IN_TABLE, IN_TOP | IN_TABLE,
	IN_TOP | IN_TABLE, IN_TOP | IN_TABLE,	/* ... #headers */
	IN_TOP | IN_TABLE, IN_TOP | IN_TABLE,	/* #total...Element */
	IN_TABLE, IN_TABLE,			/* #post, #get */
	IN_TABLE, IN_TABLE, IN_TABLE,	/* #insert, #update, #delete */
	IN_TOP, IN_TOP, IN_TOP, IN_TOP, IN_TOP,	/* #hostname ... #components */
	IN_TOP | IN_TABLE,			/* #http */
	IN_TOP | IN_TABLE,			/* #fieldListParameter */
	IN_TOP | IN_TABLE,			/* #nextPageRequestHeader */
	IN_TOP | IN_TABLE,			/* #postBodyPaging */
	IN_TOP | IN_TABLE			/* #pageSizeElement */
};

/* Other spellings of settings that the connector's files use */
static const struct
{
	const char *alias;
	ConfigKey	key;
}			config_aliases[] = {
	{"#firstRow", CK_FIRST_ROW_NUMBER},
	{NULL, 0}
};

/* Settings that would hold credentials; compared without "#", "_" and case */
static const char *const secret_keys[] = {
	"clientsecret", "refreshtoken", "accesstoken", "password", "apikey",
	"securitytoken", "authtoken", "token", "secret", "clientid", "user",
	"username", NULL
};

/* What reading a file needs to know */
typedef struct ConfigContext
{
	const char *filename;
	const char *base_url;
	const char *table;			/* JSON name of the table being read */
	const char *hostname;		/* the file's #hostname, or NULL */
	json_t	   *root;			/* the document, for "$ref" */
	int			ref_depth;		/* "$ref"s being followed */
	bool		keep_lengths;	/* VarChar(n) as varchar(n), not text */
	char	   *other_url;		/* a URL of the table on another host */
	const char *path_key;		/* "#path", or the key of a table given as a
								 * string, for messages */
	List	   *children;		/* ChildSpec: arrays of the table being read */
} ConfigContext;

/*
 * An array member of a table ("lines[]", "name<Child>[]"), which becomes a
 * child table: the element's columns, one row per element, with the
 * parent's keys
 */
typedef struct ChildSpec
{
	const char *key;			/* as the file writes it, for messages */
	char	   *json_path;		/* the array's path in the parent's row */
	char	   *name;			/* its SQL name, unqualified */
	bool		named;			/* ... given by the file ("<Child>") */
	json_t	   *element;		/* an object of columns, or a type string */
	bool		is_map;			/* a map ("name{Type}", "name<key:Type>"):
								 * its members are the rows */
	char	   *key_name;		/* ... the column of their keys */
	const char *key_type;		/* ... and its type, as the file writes it */
} ChildSpec;

/* Nested "$ref"s followed at most: a cycle stops here */
#define MAX_REF_DEPTH 16

/* Objects of columns nested at most */
#define MAX_NESTING 32

/* ---------------------------------------------------------------------
 * jansson values owned by a memory context
 * ---------------------------------------------------------------------
 */

static void
json_decref_callback(void *arg)
{
	json_decref((json_t *) arg);
}

/*
 * Register a callback that releases the value set later in cb->arg when
 * the current memory context is reset or deleted.  Allocated before the
 * value exists, so running out of memory cannot leak it.
 */
static MemoryContextCallback *
json_guard(void)
{
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));

	cb->func = json_decref_callback;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return cb;
}

/* ---------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------
 */

/*
 * A JSON name as a lower-case SQL identifier that needs no quoting:
 * camelCase and other separators become snake_case ("firstName",
 * "first name", "first-name" all give first_name), a leading digit gets an
 * underscore, and the result fits NAMEDATALEN.  Non-ASCII letters are kept.
 */
char *
rest_sql_identifier(const char *name)
{
	StringInfoData buf;
	const unsigned char *p = (const unsigned char *) name;
	int			len;

	initStringInfo(&buf);
	for (; *p; p++)
	{
		unsigned char c = *p;

		if (c >= 0x80)
			appendStringInfoChar(&buf, (char) c);
		else if (isalnum(c))
		{
			if (isupper(c) && p > (const unsigned char *) name &&
				(islower(p[-1]) || isdigit(p[-1]) ||
				 (isupper(p[-1]) && islower(p[1]))) &&
				buf.len > 0 && buf.data[buf.len - 1] != '_')
				appendStringInfoChar(&buf, '_');
			appendStringInfoChar(&buf, (char) tolower(c));
		}
		else if (buf.len > 0 && buf.data[buf.len - 1] != '_')
			appendStringInfoChar(&buf, '_');
	}
	while (buf.len > 0 && buf.data[buf.len - 1] == '_')
		buf.data[--buf.len] = '\0';
	if (buf.len == 0)
		appendStringInfoString(&buf, "column");
	if (isdigit((unsigned char) buf.data[0]))
	{
		char	   *s = psprintf("_%s", buf.data);

		resetStringInfo(&buf);
		appendStringInfoString(&buf, s);
	}
	len = pg_mbcliplen(buf.data, buf.len, NAMEDATALEN - 1);
	buf.data[len] = '\0';
	return buf.data;
}

/* A set of SQL names in use, for rest_unique_name */
RestNameSet *
rest_name_set_create(int size)
{
	return strmap_create(CurrentMemoryContext, Max(size, 8), NULL);
}

/*
 * name, or name_2, name_3 ... when it is already in taken, clipped to fit
 * NAMEDATALEN; the result is added to taken.  Each entry keeps the next
 * suffix to try for its name, so n equal names cost about n lookups in
 * all, not n^2 comparisons.
 */
char *
rest_unique_name(RestNameSet *taken, const char *name)
{
	StrEntry   *e;
	bool		found;
	int			n;

	e = strmap_insert(taken, name, &found);
	if (!found)
	{
		e->key = pstrdup(name);
		e->value = 2;
		return (char *) e->key;
	}
	for (n = e->value;; n++)
	{
		char		suffix[16];
		int			keep;
		char	   *candidate;
		StrEntry   *c;

		CHECK_FOR_INTERRUPTS();
		snprintf(suffix, sizeof(suffix), "_%d", n);
		keep = pg_mbcliplen(name, strlen(name),
							NAMEDATALEN - 1 - (int) strlen(suffix));
		candidate = psprintf("%.*s%s", keep, name, suffix);
		c = strmap_insert(taken, candidate, &found);
		if (!found)
		{
			c->value = 2;
			/* the insert may have moved the entries: find name again */
			strmap_lookup(taken, name)->value = n + 1;
			return candidate;
		}
		pfree(candidate);
	}
}

/*
 * Add a virtual text column for each placeholder of the table's endpoint
 * that names none of its columns; taken holds the names in use.
 */
void
rest_add_placeholder_columns(RestImportTable *t, RestNameSet *taken)
{
	ListCell   *lc;

	foreach(lc, t->placeholders)
	{
		char	   *name = strVal(lfirst(lc));
		ListCell   *lc2;
		bool		found = false;

		foreach(lc2, t->columns)
		{
			if (strcmp(((RestImportColumn *) lfirst(lc2))->name, name) == 0)
				found = true;
		}
		if (!found)
		{
			RestImportColumn *c = palloc0(sizeof(RestImportColumn));

			c->name = rest_unique_name(taken, name);
			c->type = "text";
			c->is_virtual = true;
			t->columns = lappend(t->columns, c);
		}
	}
}

/* ---------------------------------------------------------------------
 * Reading a config file
 * ---------------------------------------------------------------------
 */

pg_noreturn static void config_error(ConfigContext *cx, const char *key,
						 const char *detail);
static json_t *deref(ConfigContext *cx, const char *key, json_t *v);

/* An error in the setting or column key of the current table */
static void
config_error(ConfigContext *cx, const char *key, const char *detail)
{
	if (cx->table)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("invalid entry \"%s\" in table \"%s\" of REST config file \"%s\"",
						key, cx->table, cx->filename),
				 errdetail("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_CONFIG_FILE_ERROR),
			 errmsg("invalid entry \"%s\" at the top of REST config file \"%s\"",
					key, cx->filename),
			 errdetail("%s", detail)));
}

/* The whole file, NUL-terminated; AllocateFile closes it on error. */
static char *
read_whole_file(const char *filename, size_t *len)
{
	FILE	   *f;
	struct stat st;
	StringInfoData buf;
	char		chunk[8192];
	size_t		n;

	f = AllocateFile(filename, "r");
	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open REST config file \"%s\": %m", filename),
				 errhint("A relative file name is relative to the data directory.")));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("REST config file \"%s\" is a directory", filename)));

	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
	{
		if (buf.len + n > REST_MAX_CONFIG_SIZE)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("REST config file \"%s\" is larger than %d MB",
							filename, REST_MAX_CONFIG_SIZE / (1024 * 1024))));
		appendBinaryStringInfo(&buf, chunk, (int) n);
	}
	if (ferror(f))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read REST config file \"%s\": %m", filename)));
	FreeFile(f);
	*len = buf.len;
	return buf.data;
}

/*
 * Blank out the comments of a model file in place: "//" to the end of the
 * line and "/" "*" to "*" "/", as the DataDirect connector's model files may
 * have them, outside JSON strings only.  Comments become spaces (their
 * newlines stay), so that jansson's line and column numbers still point
 * into the file as written.  An unterminated block comment is an ERROR.
 */
static void
strip_comments(const char *filename, char *text, size_t len)
{
	bool		in_string = false;
	int			line = 1;
	size_t		linestart = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		char		c = text[i];

		if ((i & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (c == '\n')
		{
			line++;
			linestart = i + 1;
		}
		if (in_string)
		{
			if (c == '\\' && i + 1 < len && text[i + 1] != '\n')
				i++;
			else if (c == '"' || c == '\n')
				in_string = false;	/* an unclosed string is jansson's error */
			continue;
		}
		if (c == '"')
			in_string = true;
		else if (c == '/' && i + 1 < len && text[i + 1] == '/')
		{
			while (i < len && text[i] != '\n')
				text[i++] = ' ';
			i--;				/* the newline is counted above */
		}
		else if (c == '/' && i + 1 < len && text[i + 1] == '*')
		{
			int			startline = line;
			size_t		startcol = i - linestart + 1;

			text[i++] = ' ';
			text[i++] = ' ';
			while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/'))
			{
				if (text[i] == '\n')
				{
					line++;
					linestart = i + 1;
				}
				else
					text[i] = ' ';
				i++;
			}
			if (i >= len)
				ereport(ERROR,
						(errcode(ERRCODE_CONFIG_FILE_ERROR),
						 errmsg("REST config file \"%s\" has an unterminated comment",
								filename),
						 errdetail("The comment that starts at line %d, column %zu has no \"*/\".",
								   startline, startcol)));
			text[i++] = ' ';
			text[i] = ' ';
		}
	}
}

/* Which setting a "#" key is (case-insensitive), or -1 */
static int
setting_index(const char *key)
{
	int			i;

	for (i = 0; i < CK_COUNT; i++)
	{
		if (pg_strcasecmp(key, config_key_names[i]) == 0)
			return i;
	}
	for (i = 0; config_aliases[i].alias; i++)
	{
		if (pg_strcasecmp(key, config_aliases[i].alias) == 0)
			return config_aliases[i].key;
	}
	return -1;
}

/* Refuse keys that would hold credentials */
static void
check_not_secret(ConfigContext *cx, const char *key)
{
	StringInfoData norm;
	const char *p;
	int			i;

	initStringInfo(&norm);
	for (p = key; *p; p++)
	{
		if (*p != '#' && *p != '_' && *p != '-')
			appendStringInfoChar(&norm, (char) tolower((unsigned char) *p));
	}
	for (i = 0; secret_keys[i]; i++)
	{
		if (strcmp(norm.data, secret_keys[i]) == 0)
		{
			if (cx->table)
				ereport(ERROR,
						(errcode(ERRCODE_CONFIG_FILE_ERROR),
						 errmsg("REST config file \"%s\" sets credential \"%s\" in table \"%s\"",
								cx->filename, key, cx->table),
						 errdetail("Credentials are never read from a REST config file."),
						 errhint("Put them in the user mapping: CREATE USER MAPPING ... OPTIONS (client_id '...', client_secret '...', refresh_token '...').")));
			ereport(ERROR,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg("REST config file \"%s\" sets credential \"%s\"",
							cx->filename, key),
					 errdetail("Credentials are never read from a REST config file."),
					 errhint("Put them in the user mapping: CREATE USER MAPPING ... OPTIONS (client_id '...', client_secret '...', refresh_token '...').")));
		}
	}
}

/* A setting's value as text: strings as they are, integers printed */
static char *
setting_text(ConfigContext *cx, const char *key, json_t *v)
{
	if (json_is_string(v) && json_string_length(v) > 0 &&
		!rest_has_control_chars(json_string_value(v)))
		return pstrdup(json_string_value(v));
	if (json_is_integer(v))
		return psprintf("%lld", (long long) json_integer_value(v));
	config_error(cx, key, "The value must be a non-empty string.");
}

/* A setting that must be a non-negative (or positive) integer */
static char *
setting_int(ConfigContext *cx, const char *key, json_t *v, int min)
{
	char	   *s = json_is_integer(v) || json_is_string(v)
		? setting_text(cx, key, v) : NULL;
	char	   *end;
	long		n;

	if (s)
	{
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno == 0 && *end == '\0' && end != s && n >= min && n <= INT_MAX)
			return psprintf("%ld", n);
	}
	config_error(cx, key, min > 0 ? "The value must be a positive integer."
				 : "The value must be an integer of 0 or more.");
}

/* A setting that names a query parameter */
static char *
setting_param(ConfigContext *cx, const char *key, json_t *v)
{
	char	   *s = setting_text(cx, key, v);

	if (strpbrk(s, "&=#? ") != NULL)
		config_error(cx, key, "A query parameter name must not contain &, =, #, ? or spaces.");
	return s;
}

/*
 * A path inside a JSON document as the file writes it, keys separated by
 * slashes ("data/items"), as the dotted form of rest_fdw options, where a
 * dot inside a key ("@odata.nextLink") is escaped.  With stars (a rows
 * path), a key that is just "*" is rows_path's "*" (every element of an
 * array or member of an object: "data/ * /items" without the spaces);
 * elsewhere it is a key.
 */
static char *
dotted_path(ConfigContext *cx, const char *key, const char *path, bool stars)
{
	StringInfoData buf;
	const char *p = path;
	const char *seg;

	while (*p == '/')
		p++;
	initStringInfo(&buf);
	seg = p;
	for (;; p++)
	{
		if (*p == '/' || *p == '\0')
		{
			char	   *k = pnstrdup(seg, p - seg);

			if (*k == '\0' && *p == '/')
				break;			/* an empty key: reported below */
			if (*k != '\0')
			{
				if (buf.len > 0)
					appendStringInfoChar(&buf, '.');
				if (stars && strcmp(k, "*") == 0)
					appendStringInfoChar(&buf, '*');
				else
					rest_append_json_key(&buf, k);
			}
			if (*p == '\0')
				break;
			seg = p + 1;
		}
	}
	if (buf.len == 0 || *p != '\0' || strpbrk(path, " \t") != NULL ||
		rest_has_control_chars(path))
		config_error(cx, key, psprintf("\"%s\" is not a path of object keys separated by slashes, such as \"data/items\".", path));
	return buf.data;
}

/* Is the option in opts (a List of DefElem)? */
static bool
has_option(List *opts, const char *name)
{
	ListCell   *lc;

	foreach(lc, opts)
	{
		if (strcmp(((DefElem *) lfirst(lc))->defname, name) == 0)
			return true;
	}
	return false;
}

static DefElem *
make_option(const char *name, const char *value)
{
	return makeDefElem(pstrdup(name), (Node *) makeString(pstrdup(value)), -1);
}

/*
 * A value of the file as compact JSON text, palloc'd: "#headers" as the
 * headers option, "#post" as the body option.
 */
static char *
json_text(json_t *v)
{
	char	   *text;
	char	   *copy;

	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	/* copied without throwing, so that text is freed on every path */
	copy = MemoryContextAllocExtended(CurrentMemoryContext,
									  strlen(text) + 1, MCXT_ALLOC_NO_OOM);
	if (copy)
		strcpy(copy, text);
	free(text);
	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return copy;
}

/* A text of an http_rules rule, quoted, its quotes doubled */
static void
append_rule_text(StringInfo buf, const char *word, const char *text)
{
	appendStringInfo(buf, " %s '", word);
	for (; *text; text++)
	{
		if (*text == '\'')
			appendStringInfoChar(buf, '\'');
		appendStringInfoChar(buf, *text);
	}
	appendStringInfoChar(buf, '\'');
}

/*
 * "#http": [{"#code": 404, "#action": "ZERO_ROWS", "#match": "...",
 * "#message": "...", "#operation": "SELECT"}, ...] as an http_rules value,
 * or NULL when no rule is for reads.  Rules of other operations are for
 * writes, which foreign tables do not make.  The connector's waiting
 * retries are rest_fdw's retries of 429, 502, 503 and 504 (and of
 * retry_statuses): for those statuses they are left out, for others an
 * error says so.
 */
static char *
http_rules_text(ConfigContext *cx, json_t *rules)
{
	const char *key = config_key_names[CK_HTTP];
	StringInfoData buf;
	size_t		i;
	json_t	   *rule;

	if (!json_is_array(rules))
		config_error(cx, key, "The value must be an array of objects with \"#code\" and \"#action\".");
	initStringInfo(&buf);
	json_array_foreach(rules, i, rule)
	{
		json_t	   *code;
		json_t	   *v;
		const char *action;
		const char *rule_action;
		const char *m;
		long		status;

		if (!json_is_object(rule))
			config_error(cx, key, "Each rule must be an object with \"#code\" and \"#action\".");
		json_object_foreach(rule, m, v)
		{
			if (strcmp(m, "#code") != 0 && strcmp(m, "#action") != 0 &&
				strcmp(m, "#match") != 0 && strcmp(m, "#message") != 0 &&
				strcmp(m, "#operation") != 0)
				config_error(cx, key, psprintf("A rule has the member \"%s\"; rules have #code, #action, #match, #message and #operation.", m));
		}
		v = json_object_get(rule, "#operation");
		if (v != NULL &&
			(!json_is_string(v) || pg_strcasecmp(json_string_value(v), "SELECT") != 0))
			continue;			/* a rule for writes */
		code = json_object_get(rule, "#code");
		if (json_is_string(code))
			status = strtol(json_string_value(code), NULL, 10);
		else
			status = json_is_integer(code) ? (long) json_integer_value(code) : 0;
		if (status < 100 || status > 599)
			config_error(cx, key, "Each rule needs a \"#code\", an HTTP status from 100 to 599.");
		v = json_object_get(rule, "#action");
		if (!json_is_string(v))
			config_error(cx, key, psprintf("The rule for code %ld needs an \"#action\".", status));
		action = json_string_value(v);
		if (pg_strcasecmp(action, "OK") == 0)
			rule_action = "ok";
		else if (pg_strcasecmp(action, "ZERO_ROWS") == 0)
			rule_action = "zero_rows";
		else if (pg_strcasecmp(action, "REAUTHENTICATE") == 0)
			rule_action = "reauthenticate";
		else if (pg_strcasecmp(action, "RETRY_ONCE") == 0)
			rule_action = "retry_once";
		else if (pg_strcasecmp(action, "FAIL") == 0)
			rule_action = "fail";
		else if (pg_strncasecmp(action, "RETRY_", 6) == 0 &&
				 (status == 429 || status == 502 || status == 503 || status == 504))
			continue;			/* retried as always */
		else if (pg_strncasecmp(action, "RETRY_", 6) == 0)
			config_error(cx, key, psprintf("The action \"%s\" of code %ld is a retry with waits: set the server option retry_statuses '%ld' instead.",
										   action, status, status));
		else
			config_error(cx, key, psprintf("The action \"%s\" of code %ld is not supported; actions are OK, ZERO_ROWS, REAUTHENTICATE, RETRY_ONCE, FAIL and the RETRY_ ones of 429, 502, 503 and 504.",
										   action, status));

		appendStringInfo(&buf, "%s%ld", buf.len > 0 ? "; " : "", status);
		v = json_object_get(rule, "#match");
		if (v != NULL)
			append_rule_text(&buf, "match", setting_text(cx, key, v));
		appendStringInfo(&buf, " %s", rule_action);
		v = json_object_get(rule, "#message");
		if (v != NULL && strcmp(rule_action, "fail") == 0)
			append_rule_text(&buf, "message", setting_text(cx, key, v));
	}
	if (buf.len == 0)
		return NULL;
	{
		const char *problem;

		(void) rest_parse_http_rules(buf.data, &problem);
		if (problem)
			config_error(cx, key, problem);
	}
	return buf.data;
}

static char *body_with_paging(ConfigContext *cx, json_t *post, List *options);

/* The placeholder of column n in a body being built, as jansson writes it */
#define POST_SENTINEL(n)	psprintf("\"\\u0001%d\\u0001\"", (n))

/*
 * Put a placeholder for each "#postParameter" column of t into its copy of
 * the "#post" object, at the member the column names ("filter/status":
 * created as needed, replacing a sample value), as a sentinel string that
 * post_body_text() turns into {column}.  Returns how many.
 */
static int
set_post_parameters(ConfigContext *cx, RestImportTable *t, json_t *body)
{
	ListCell   *lc;
	int			n = 0;

	foreach(lc, t->columns)
	{
		RestImportColumn *c = (RestImportColumn *) lfirst(lc);
		char	   *path;
		char	   *key;
		char	   *next;
		const char *sep;
		json_t	   *obj = body;
		const char *p;

		if (c->post_field == NULL)
			continue;
		if (!json_is_object(body))
			config_error(cx, "#postParameter",
						 psprintf("Column \"%s\" goes into the body, so the table needs \"#post\", a JSON object.", c->name));
		for (p = c->name; *p; p++)
		{
			if (!(isalnum((unsigned char) *p) || *p == '_') ||
				(p == c->name && isdigit((unsigned char) *p)))
				config_error(cx, "#postParameter",
							 psprintf("Column \"%s\" fills a body placeholder, so its name must be a plain identifier: rename it with \"jsonName<sqlname>\".", c->name));
		}
		path = pstrdup(c->post_field);
		sep = strchr(path, '/') ? "/" : ".";
		for (key = path; key; key = next)
		{
			next = strstr(key, sep);
			if (next)
				*next++ = '\0';
			if (*key == '\0')
				config_error(cx, "#postParameter",
							 psprintf("The member \"%s\" of column \"%s\" has an empty key.", c->post_field, c->name));
			if (next == NULL)
			{
				/* this column's placeholder, numbered from 1 */
				if (json_object_set_new(obj, key, json_string(psprintf("\001%d\001", ++n))) != 0)
					config_error(cx, "#postParameter", "The member's key is not valid UTF-8.");
			}
			else
			{
				json_t	   *child = json_object_get(obj, key);

				if (child == NULL)
				{
					child = json_object();
					if (child == NULL || json_object_set_new(obj, key, child) != 0)
						ereport(ERROR,
								(errcode(ERRCODE_OUT_OF_MEMORY),
								 errmsg("out of memory")));
				}
				else if (!json_is_object(child))
					config_error(cx, "#postParameter",
								 psprintf("The member \"%s\" of column \"%s\" goes through \"%s\", which is not an object in \"#post\".",
										  c->post_field, c->name, key));
				obj = child;
			}
		}
		c->post_slot = n;
	}
	return n;
}

/*
 * The body option of a table with "#post": the object or array as written,
 * with the "#postParameter" columns' placeholders and, with
 * "#postBodyPaging", the paging variables.
 */
static char *
post_body_text(ConfigContext *cx, RestImportTable *t, json_t *post, bool body_paging)
{
	MemoryContextCallback *guard = json_guard();
	json_t	   *body;
	char	   *text;
	int			n;
	ListCell   *lc;

	text = json_text(post);
	if (strstr(text, "\\u0001") != NULL)
		config_error(cx, "#post", "The body must not hold the character U+0001.");
	body = json_deep_copy(post);
	guard->arg = body;
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	n = set_post_parameters(cx, t, body);
	text = body_paging ? body_with_paging(cx, body, t->options) : json_text(body);
	foreach(lc, t->columns)
	{
		RestImportColumn *c = (RestImportColumn *) lfirst(lc);
		char	   *sentinel;
		char	   *at;

		if (c->post_field == NULL)
			continue;
		sentinel = POST_SENTINEL(c->post_slot);
		at = strstr(text, sentinel);
		if (at == NULL)
			elog(ERROR, "placeholder of column \"%s\" not found in the body", c->name);
		text = psprintf("%.*s{%s}%s", (int) (at - text), text, c->name,
						at + strlen(sentinel));
	}
	(void) n;
	return text;
}

/*
 * The body of a table with "#postBodyPaging": true, its "#post" object
 * with a member for each paging parameter the options name, whose value
 * is the paging variable ({"startAt": {offset}, "maxResults": {limit}}),
 * so that the pager sends them there and not in the query string.
 */
static char *
body_with_paging(ConfigContext *cx, json_t *post, List *options)
{
	static const struct
	{
		const char *option;
		const char *variable;
	}			params[] = {
		{OPT_OFFSET_PARAM, "{offset}"},
		{OPT_PAGE_PARAM, "{page}"},
		{OPT_CURSOR_PARAM, "{cursor}"},
		{OPT_PAGE_SIZE_PARAM, "{limit}"}
	};
	StringInfoData body;
	char	   *text;
	bool		empty;
	int			i;

	if (!json_is_object(post))
		config_error(cx, config_key_names[CK_POST_BODY_PAGING],
					 "The paging parameters go into the body, so the table needs \"#post\", a JSON object.");
	text = json_text(post);
	empty = json_object_size(post) == 0;
	/* the object without its closing brace */
	initStringInfo(&body);
	appendBinaryStringInfo(&body, text, strlen(text) - 1);
	for (i = 0; i < (int) lengthof(params); i++)
	{
		ListCell   *lc;

		foreach(lc, options)
		{
			DefElem    *d = (DefElem *) lfirst(lc);
			MemoryContextCallback *guard;

			if (strcmp(d->defname, params[i].option) != 0)
				continue;
			if (!empty)
				appendStringInfoChar(&body, ',');
			empty = false;
			/* the name as a JSON string, jansson's escaping */
			guard = json_guard();
			guard->arg = json_string(strVal(d->arg));
			if (guard->arg == NULL)
				config_error(cx, config_key_names[CK_POST_BODY_PAGING],
							 "A paging parameter's name is not valid UTF-8.");
			appendStringInfo(&body, "%s:%s", json_text((json_t *) guard->arg),
							 params[i].variable);
		}
	}
	appendStringInfoChar(&body, '}');
	return body.data;
}

/*
 * The paging and header options of a table from its settings, each taken
 * from the table or else from the top of the file.
 */
static List *
settings_to_options(ConfigContext *cx, json_t **table_set, json_t **top_set)
{
	json_t	   *set[CK_COUNT];
	List	   *opts = NIL;
	const char *style = NULL;
	const char *style_key = NULL;
	int			cursor_to;
	int			i;

	for (i = 0; i < CK_COUNT; i++)
		set[i] = table_set[i] ? table_set[i] : top_set[i];

#define STYLE(key, name) \
	do { \
		if (style != NULL && strcmp(style, name) != 0) \
			config_error(cx, config_key_names[key], \
						 psprintf("It asks for %s paging, but \"%s\" asks for %s paging; a table pages one way.", \
								  name, style_key, style)); \
		style = name; \
		style_key = config_key_names[key]; \
	} while (0)

	if (set[CK_ROW_OFFSET_PARAM])
	{
		STYLE(CK_ROW_OFFSET_PARAM, "offset");
		opts = lappend(opts, make_option(OPT_OFFSET_PARAM,
										 setting_param(cx, config_key_names[CK_ROW_OFFSET_PARAM],
													   set[CK_ROW_OFFSET_PARAM])));
	}
	if (set[CK_PAGE_NUMBER_PARAM])
	{
		STYLE(CK_PAGE_NUMBER_PARAM, "page");
		opts = lappend(opts, make_option(OPT_PAGE_PARAM,
										 setting_param(cx, config_key_names[CK_PAGE_NUMBER_PARAM],
													   set[CK_PAGE_NUMBER_PARAM])));
	}
	/* the next cursor sent back as a query parameter or a request header */
	cursor_to = set[CK_NEXT_PAGE_PARAM] ? CK_NEXT_PAGE_PARAM
		: set[CK_NEXT_PAGE_REQUEST_HEADER] ? CK_NEXT_PAGE_REQUEST_HEADER : -1;
	if (set[CK_NEXT_PAGE_PARAM] && set[CK_NEXT_PAGE_REQUEST_HEADER])
		config_error(cx, config_key_names[CK_NEXT_PAGE_REQUEST_HEADER],
					 "The next page's token is sent as \"#nextPageParameter\" or as \"#nextPageRequestHeader\", not both.");
	if (set[CK_NEXT_PAGE_HEADER] && set[CK_NEXT_PAGE_ELEMENT])
		config_error(cx, config_key_names[CK_NEXT_PAGE_HEADER],
					 "The next page is given by \"#nextPageResponseHeader\" or by \"#nextPageElement\", not both.");
	if (set[CK_NEXT_PAGE_HEADER])
	{
		char	   *h = setting_text(cx, config_key_names[CK_NEXT_PAGE_HEADER],
									 set[CK_NEXT_PAGE_HEADER]);

		if (!rest_valid_header_name(h) || strlen(h) > REST_MAX_CAPTURE_NAME)
			config_error(cx, config_key_names[CK_NEXT_PAGE_HEADER],
						 psprintf("\"%s\" is not a response header name of at most %d characters.",
								  h, REST_MAX_CAPTURE_NAME));
		if (cursor_to >= 0)
		{
			/* the header holds a token, sent back */
			STYLE(CK_NEXT_PAGE_HEADER, "cursor");
			opts = lappend(opts, make_option(OPT_CURSOR_HEADER, h));
		}
		else if (pg_strcasecmp(h, "Link") == 0)
			STYLE(CK_NEXT_PAGE_HEADER, "link_header");
		else
		{
			/* another header holds the next page's URL (the connector's "Next") */
			STYLE(CK_NEXT_PAGE_HEADER, "next_url");
			opts = lappend(opts, make_option(OPT_NEXT_URL_HEADER, h));
		}
	}
	if (set[CK_NEXT_PAGE_ELEMENT])
	{
		char	   *path = dotted_path(cx, config_key_names[CK_NEXT_PAGE_ELEMENT],
									   setting_text(cx, config_key_names[CK_NEXT_PAGE_ELEMENT],
													set[CK_NEXT_PAGE_ELEMENT]), false);

		if (cursor_to >= 0)
		{
			STYLE(CK_NEXT_PAGE_ELEMENT, "cursor");
			opts = lappend(opts, make_option(OPT_CURSOR_PATH, path));
		}
		else
		{
			STYLE(CK_NEXT_PAGE_ELEMENT, "next_url");
			opts = lappend(opts, make_option(OPT_NEXT_URL_PATH, path));
		}
	}
	else if (cursor_to >= 0 && !set[CK_NEXT_PAGE_HEADER])
		config_error(cx, config_key_names[cursor_to],
					 "A next-page token needs \"#nextPageElement\" or \"#nextPageResponseHeader\", the element or header of the response that holds its value.");
	if (cursor_to == CK_NEXT_PAGE_PARAM)
		opts = lappend(opts, make_option(OPT_CURSOR_PARAM,
										 setting_param(cx, config_key_names[CK_NEXT_PAGE_PARAM],
													   set[CK_NEXT_PAGE_PARAM])));
	else if (cursor_to == CK_NEXT_PAGE_REQUEST_HEADER)
	{
		char	   *h = setting_text(cx, config_key_names[CK_NEXT_PAGE_REQUEST_HEADER],
									 set[CK_NEXT_PAGE_REQUEST_HEADER]);
		const char *problem = rest_header_name_problem(h, false);

		if (problem)
			config_error(cx, config_key_names[CK_NEXT_PAGE_REQUEST_HEADER], problem);
		opts = lappend(opts, make_option(OPT_CURSOR_REQUEST_HEADER, h));
	}
#undef STYLE

	if (style)
		opts = lcons(make_option(OPT_PAGING, style), opts);
	if (set[CK_MAX_PAGE_SIZE])
		opts = lappend(opts, make_option(OPT_PAGE_SIZE,
										 setting_int(cx, config_key_names[CK_MAX_PAGE_SIZE],
													 set[CK_MAX_PAGE_SIZE], 1)));
	if (set[CK_PAGE_SIZE_PARAM])
		opts = lappend(opts, make_option(OPT_PAGE_SIZE_PARAM,
										 setting_param(cx, config_key_names[CK_PAGE_SIZE_PARAM],
													   set[CK_PAGE_SIZE_PARAM])));
	if (set[CK_FIRST_ROW_NUMBER])
		opts = lappend(opts, make_option(OPT_FIRST_OFFSET,
										 setting_int(cx, config_key_names[CK_FIRST_ROW_NUMBER],
													 set[CK_FIRST_ROW_NUMBER], 0)));
	if (set[CK_FIRST_PAGE_NUMBER])
		opts = lappend(opts, make_option(OPT_FIRST_PAGE,
										 setting_int(cx, config_key_names[CK_FIRST_PAGE_NUMBER],
													 set[CK_FIRST_PAGE_NUMBER], 0)));
	if (set[CK_TOTAL_ROWS_ELEMENT])
		opts = lappend(opts, make_option(OPT_TOTAL_COUNT_PATH,
										 dotted_path(cx, config_key_names[CK_TOTAL_ROWS_ELEMENT],
													 setting_text(cx, config_key_names[CK_TOTAL_ROWS_ELEMENT],
																  set[CK_TOTAL_ROWS_ELEMENT]), false)));
	if (set[CK_TOTAL_PAGES_ELEMENT])
		opts = lappend(opts, make_option(OPT_TOTAL_PAGES_PATH,
										 dotted_path(cx, config_key_names[CK_TOTAL_PAGES_ELEMENT],
													 setting_text(cx, config_key_names[CK_TOTAL_PAGES_ELEMENT],
																  set[CK_TOTAL_PAGES_ELEMENT]), false)));
	if (set[CK_HAS_MORE_ELEMENT])
		opts = lappend(opts, make_option(OPT_HAS_MORE_PATH,
										 dotted_path(cx, config_key_names[CK_HAS_MORE_ELEMENT],
													 setting_text(cx, config_key_names[CK_HAS_MORE_ELEMENT],
																  set[CK_HAS_MORE_ELEMENT]), false)));
	if (set[CK_HEADERS])
	{
		char	   *copy;
		const char *problem;

		if (!json_is_object(set[CK_HEADERS]))
			config_error(cx, config_key_names[CK_HEADERS],
						 "The value must be an object of header names and string values.");
		copy = json_text(set[CK_HEADERS]);
		(void) rest_parse_headers(copy, &problem);
		if (problem)
			config_error(cx, config_key_names[CK_HEADERS], problem);
		opts = lappend(opts, make_option(OPT_HEADERS, copy));
	}
	/*
	 * The API's page size in the response: the pager takes it from the
	 * first page's rows, and a short or empty page ends the paging.
	 */
	if (set[CK_PAGE_SIZE_ELEMENT])
		(void) dotted_path(cx, config_key_names[CK_PAGE_SIZE_ELEMENT],
						   setting_text(cx, config_key_names[CK_PAGE_SIZE_ELEMENT],
										set[CK_PAGE_SIZE_ELEMENT]), false);
	if (set[CK_FIELD_LIST_PARAM])
		opts = lappend(opts, make_option(OPT_FIELDS_PARAM,
										 setting_param(cx, config_key_names[CK_FIELD_LIST_PARAM],
													   set[CK_FIELD_LIST_PARAM])));
	if (set[CK_HTTP])
	{
		char	   *rules = http_rules_text(cx, set[CK_HTTP]);

		if (rules)
			opts = lappend(opts, make_option(OPT_HTTP_RULES, rules));
	}
	return opts;
}

/*
 * The settings ("#" keys) of an object into set[], refusing credentials,
 * unknown keys and settings that do not belong where (IN_TOP or IN_TABLE).
 * A setting spelled twice (an alias, or in another case) is an error.
 */
static void
read_settings(ConfigContext *cx, json_t *obj, json_t **set, int where)
{
	const char *key;
	json_t	   *v;

	json_object_foreach(obj, key, v)
	{
		int			k;

		if (key[0] != '#')
			continue;
		check_not_secret(cx, key);
		k = setting_index(key);
		if (k < 0 || (config_key_where[k] & where) == 0)
		{
			StringInfoData valid;
			int			i;

			initStringInfo(&valid);
			for (i = 0; i < CK_COUNT; i++)
			{
				if (config_key_where[i] & where)
					appendStringInfo(&valid, "%s%s", valid.len > 0 ? ", " : "",
									 config_key_names[i]);
			}
			if (cx->table)
				ereport(ERROR,
						(errcode(ERRCODE_CONFIG_FILE_ERROR),
						 errmsg("unrecognized setting \"%s\" in table \"%s\" of REST config file \"%s\"",
								key, cx->table, cx->filename),
						 errhint("Settings of a table are: %s.", valid.data)));
			ereport(ERROR,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg("unrecognized setting \"%s\" at the top of REST config file \"%s\"",
							key, cx->filename),
					 errhint("Settings at the top of the file are: %s.", valid.data)));
		}
		if (set[k] != NULL)
			config_error(cx, key, psprintf("The setting \"%s\" is given twice.",
										   config_key_names[k]));
		set[k] = v;
	}
}

/*
 * An absolute URL under base_url as a path relative to it; a path as it is.
 * Either way the path must not climb above base_url, as the endpoint
 * option requires (options.c).
 */
static char *relative_path_or_url(ConfigContext *cx, const char *key,
								  const char *url);

static char *
relative_path(ConfigContext *cx, const char *key, const char *url)
{
	char	   *path = relative_path_or_url(cx, key, url);

	if (rest_has_dot_segment(path))
		config_error(cx, key, psprintf("The path \"%s\" has \".\" or \"..\" segments, which would reach paths outside the server's base_url.", path));
	return path;
}

/* Is url under prefix (compared without case, at a path boundary)? */
static const char *
under_prefix(const char *url, const char *prefix)
{
	size_t		n = strlen(prefix);

	while (n > 0 && prefix[n - 1] == '/')
		n--;
	if (n > 0 && pg_strncasecmp(url, prefix, n) == 0 &&
		(url[n] == '\0' || url[n] == '/' || url[n] == '?'))
		return url[n] ? url + n : "/";
	return NULL;
}

static char *
relative_path_or_url(ConfigContext *cx, const char *key, const char *url)
{
	const char *rest;

	if (strstr(url, "://") == NULL)
		return pstrdup(url);
	if (cx->base_url == NULL)
		config_error(cx, key, "The table is given by a URL, but the server has no base_url to resolve it against.");

	/* under base_url, or under the file's #hostname, which base_url stands for */
	if ((rest = under_prefix(url, cx->base_url)) != NULL ||
		(cx->hostname && (rest = under_prefix(url, cx->hostname)) != NULL))
	{
		/* what the endpoint option refuses (options.c) */
		if (strstr(rest, "://") != NULL)
			config_error(cx, key, psprintf("The path \"%s\" under the server's base_url contains \"://\"; write it percent-encoded (%%3A//).", rest));
		return pstrdup(rest);
	}

	/*
	 * Another host: the table belongs to another server.  Note it, and go
	 * on with the path so that the rest of the table is still checked.
	 */
	if (cx->other_url == NULL)
		cx->other_url = pstrdup(url);
	rest = strstr(url, "://") + 3;
	rest = strchr(rest, '/');
	return pstrdup(rest ? rest : "/");
}

/*
 * The method a "#path" entry starts with ("GET ", "POST ", or "IDENTITY ",
 * which the connector's generator writes for a request sent as it is: a
 * GET), as "GET" or "POST", and *entry advanced past it; NULL without one.
 */
static const char *
entry_method(const char **entry)
{
	static const char *const words[] = {"GET", "POST", "IDENTITY"};
	int			i;

	for (i = 0; i < (int) lengthof(words); i++)
	{
		size_t		n = strlen(words[i]);

		if (pg_strncasecmp(*entry, words[i], n) == 0 &&
			((*entry)[n] == ' ' || (*entry)[n] == '\t'))
		{
			*entry += n;
			while (**entry == ' ' || **entry == '\t')
				(*entry)++;
			return i == 1 ? "POST" : "GET";
		}
	}
	return NULL;
}

/*
 * A placeholder that is a paging variable ({limit}, {offset}, {page},
 * {cursor}, in any case, as in "locator=start:{OFFSET},count:{LIMIT}"):
 * its lower-case name and the value a sample request uses (NULL: none,
 * for {cursor}), or false for a column placeholder.
 */
static bool
paging_variable(const char *name, const char **lower, const char **sample)
{
	static const char *const vars[][2] = {
		{"limit", "100"}, {"offset", "0"}, {"page", "1"}, {"cursor", NULL}
	};
	int			i;

	for (i = 0; i < (int) lengthof(vars); i++)
	{
		if (pg_strcasecmp(name, vars[i][0]) == 0)
		{
			*lower = vars[i][0];
			*sample = vars[i][1];
			return true;
		}
	}
	return false;
}

/*
 * One "#path" entry: "[METHOD ]path[ rows/path]" with {name} or
 * {name:sample} placeholders.  Appends the endpoint alternative
 * (placeholders renamed to SQL names, samples removed) to ep, its rows
 * path to *rows, its sample path to *sample (NULL if a placeholder has no
 * sample), its method to *method (NULL if it names none) and placeholder
 * names to table->placeholders.
 */
static void
read_path_entry(ConfigContext *cx, RestImportTable *t, const char *entry,
				StringInfo ep, char **rows, char **sample, const char **method)
{
	char	   *copy;
	char	   *space;
	char	   *path;
	StringInfoData s;
	const char *p;
	bool		sampleable = true;

	while (*entry == ' ')
		entry++;
	*method = entry_method(&entry);
	copy = pstrdup(entry);
	space = strpbrk(copy, " \t");
	*rows = NULL;
	if (space)
	{
		*space++ = '\0';
		while (*space == ' ' || *space == '\t')
			space++;
		if (strchr(space, '|') != NULL)
			config_error(cx, cx->path_key, psprintf("The rows path \"%s\" must not contain \"|\", which separates the alternatives of an endpoint.", space));
		if (*space)
		{
			const char *problem;

			*rows = dotted_path(cx, cx->path_key, space, true);
			if ((problem = rest_rows_path_problem(*rows)) != NULL)
				config_error(cx, cx->path_key, problem);
		}
	}
	if (*copy == '\0')
		config_error(cx, cx->path_key, "An entry of \"#path\" is empty.");
	path = relative_path(cx, cx->path_key, copy);
	if (strpbrk(path, "#|") != NULL || rest_has_control_chars(path))
		config_error(cx, cx->path_key, psprintf("The path \"%s\" must not contain \"#\" or \"|\".", path));

	initStringInfo(&s);
	for (p = path; *p; p++)
	{
		const char *close;
		const char *colon;
		char	   *name;

		if (*p != '{')
		{
			appendStringInfoChar(ep, *p);
			appendStringInfoChar(&s, *p);
			continue;
		}
		close = strchr(p, '}');
		if (close == NULL)
			config_error(cx, cx->path_key, psprintf("The path \"%s\" has an unclosed \"{\".", path));
		colon = memchr(p, ':', close - p);
		name = pnstrdup(p + 1, (colon ? colon : close) - p - 1);
		if (*name == '\0')
			config_error(cx, cx->path_key, psprintf("The path \"%s\" has a placeholder without a name.", path));
		{
			const char *lower;
			const char *value;

			if (paging_variable(name, &lower, &value))
			{
				appendStringInfo(ep, "{%s}", lower);
				if (value)
					appendStringInfoString(&s, value);
				else
					sampleable = false;
				p = close;
				continue;
			}
		}
		name = rest_sql_identifier(name);
		appendStringInfo(ep, "{%s}", name);
		if (colon && colon + 1 < close)
		{
			/* the sample value goes into the path as one segment */
			char	   *value = pnstrdup(colon + 1, close - colon - 1);

			rest_append_urlencoded(&s, value);
		}
		else
			sampleable = false;
		if (!list_member(t->placeholders, makeString(name)))
			t->placeholders = lappend(t->placeholders, makeString(name));
		p = close;
	}
	/* a sample value of "." or ".." would climb too */
	if (sampleable && rest_has_dot_segment(s.data))
		config_error(cx, cx->path_key, psprintf("The sample path \"%s\" has \".\" or \"..\" segments, which would reach paths outside the server's base_url.", s.data));
	*sample = sampleable ? s.data : NULL;
}

/*
 * "#path": one string or an array of them, most specific first.  *method
 * is set to the method the entries name ("GET" or "POST"), or NULL.
 */
static void
read_paths(ConfigContext *cx, RestImportTable *t, json_t *v, const char **method)
{
	StringInfoData ep;
	List	   *paths = NIL;
	List	   *rows_list = NIL;
	List	   *entries = NIL;
	bool		same_rows = true;
	ListCell   *lc;
	ListCell   *lc2;
	size_t		i;
	json_t	   *e;

	if (json_is_string(v))
		entries = list_make1(pstrdup(json_string_value(v)));
	else if (json_is_array(v) && json_array_size(v) > 0)
	{
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e))
				config_error(cx, cx->path_key, "The value must be a string or an array of strings.");
			entries = lappend(entries, pstrdup(json_string_value(e)));
		}
	}
	else
		config_error(cx, cx->path_key, "The value must be a string or a non-empty array of strings.");

	/* each entry once: its path (placeholders renamed) and rows path */
	foreach(lc, entries)
	{
		char	   *rows;
		char	   *sample;
		StringInfoData alt;

		const char *m;

		initStringInfo(&alt);
		read_path_entry(cx, t, (char *) lfirst(lc), &alt, &rows, &sample, &m);
		if (strstr(alt.data, "://") != NULL)
			config_error(cx, cx->path_key, psprintf("The path \"%s\" holds another URL; a path is relative to the server's base_url.", alt.data));
		if (foreach_current_index(lc) == 0)
			*method = m;
		else if ((m == NULL) != (*method == NULL) ||
				 (m && strcmp(m, *method) != 0))
			config_error(cx, cx->path_key, "The alternatives of \"#path\" must all use the same method.");
		paths = lappend(paths, alt.data);
		rows_list = lappend(rows_list, rows);
		if (foreach_current_index(lc) > 0)
		{
			char	   *first = (char *) linitial(rows_list);

			if ((first == NULL) != (rows == NULL) ||
				(first && strcmp(first, rows) != 0))
				same_rows = false;
		}
		/* sample the first alternative that can be requested as it is */
		if (t->sample_path == NULL && sample != NULL)
		{
			t->sample_path = sample;
			t->sample_rows_path = rows;
		}
	}

	/*
	 * One rows_path option when all alternatives share it; otherwise each
	 * alternative names its own after its path.
	 */
	initStringInfo(&ep);
	forboth(lc, paths, lc2, rows_list)
	{
		char	   *rows = (char *) lfirst(lc2);

		if (ep.len > 0)
			appendStringInfoString(&ep, " | ");
		appendStringInfoString(&ep, (char *) lfirst(lc));
		if (!same_rows && rows)
			appendStringInfo(&ep, " %s", rows);
	}
	t->endpoint = ep.data;
	if (same_rows)
		t->rows_path = (char *) linitial(rows_list);
	t->detect_rows = false;
}

/*
 * A column type of the config file as a PostgreSQL type, such as
 * "VarChar(64)", "Decimal(10,2)", "Timestamp(3)" or "LongVarBinary"; a
 * binary type also sets *format to base64, how JSON carries bytes.
 * VarChar(n) and its kin give text unless the file's lengths are kept
 * (cx->keep_lengths): a length found by sampling is no limit the API
 * keeps, and a varchar(n) column would make every query fail on the first
 * longer value.
 */
static char *
sql_type(ConfigContext *cx, const char *key, const char *spec, char **format)
{
	/* maxargs -1: a length, text unless lengths are kept */
	static const struct
	{
		const char *name;
		const char *sql;
		int			maxargs;
	}			types[] = {
		{"varchar", "varchar", -1},
		{"nvarchar", "varchar", -1},
		{"longvarchar", "varchar", -1},
		{"longnvarchar", "varchar", -1},
		{"varcharignorecase", "varchar", -1},
		{"char", "char", -1},
		{"nchar", "char", -1},
		{"text", "text", 0},
		{"string", "text", 0},
		{"integer", "integer", 0},
		{"int", "integer", 0},
		{"tinyint", "smallint", 0},
		{"smallint", "smallint", 0},
		{"bigint", "bigint", 0},
		{"double", "double precision", 0},
		{"float", "double precision", 0},
		{"real", "real", 0},
		{"decimal", "numeric", 2},
		{"numeric", "numeric", 2},
		{"boolean", "boolean", 0},
		{"bit", "boolean", 0},
		{"date", "date", 0},
		{"time", "time", 1},
		{"timewithtimezone", "timetz", 1},
		{"timestamp", "timestamptz", 1},
		{"timestampwithtimezone", "timestamptz", 1},
		{"guid", "uuid", 0},
		{"uuid", "uuid", 0},
		{"json", "jsonb", 0},
		{"binary", "bytea", -1},
		{"varbinary", "bytea", -1},
		{"longvarbinary", "bytea", -1},
		{NULL, NULL, 0}
	};
	char	   *s = pstrdup(spec);
	char	   *open;
	char	   *args = NULL;
	int			nargs = 0;
	int			i;

	/* "Type(args)" */
	while (*s == ' ')
		s++;
	open = strchr(s, '(');
	if (open)
	{
		char	   *close = strchr(open, ')');
		char	   *p;

		if (close == NULL || close[1] != '\0')
			config_error(cx, key, psprintf("Type \"%s\" has unbalanced parentheses.", spec));
		*open = '\0';
		*close = '\0';
		args = open + 1;
		nargs = 1;
		for (p = args; *p; p++)
		{
			if (*p == ',')
				nargs++;
			else if (!isdigit((unsigned char) *p) && *p != ' ')
				config_error(cx, key, psprintf("The arguments of type \"%s\" must be integers.", spec));
		}
	}
	for (i = (int) strlen(s); i > 0 && s[i - 1] == ' '; i--)
		s[i - 1] = '\0';

	for (i = 0; types[i].name; i++)
	{
		char	   *a;
		char	   *p;
		char	   *q;
		int			maxargs = types[i].maxargs < 0 ? 1 : types[i].maxargs;

		if (pg_strcasecmp(s, types[i].name) != 0)
			continue;
		if (nargs > maxargs)
			config_error(cx, key, psprintf("Type \"%s\" takes %s.", s,
										   maxargs == 0 ? "no arguments" :
										   maxargs == 1 ? "one argument" :
										   "at most two arguments"));
		if (strcmp(types[i].sql, "bytea") == 0)
		{
			*format = "base64";
			return pstrdup("bytea");
		}
		if (args == NULL)
			return pstrdup(types[i].maxargs < 0 && strcmp(types[i].sql, "char") != 0 ?
						   "text" : types[i].sql);

		/* drop spaces: the arguments are digits and commas */
		a = pstrdup(args);
		for (p = q = a; *p; p++)
			if (*p != ' ')
				*q++ = *p;
		*q = '\0';
		if (*a == '\0' || a[0] == ',' || q[-1] == ',' || strstr(a, ",,"))
			config_error(cx, key, psprintf("The arguments of type \"%s\" must be integers.", spec));
		if (types[i].maxargs < 0)
		{
			if (atol(a) < 1 || atol(a) > 10485760)
				config_error(cx, key, psprintf("The length of type \"%s\" must be between 1 and 10485760.", spec));
			if (!cx->keep_lengths)
				return pstrdup("text");
		}
		if (types[i].maxargs == 1 && strcmp(types[i].sql, "varchar") != 0 &&
			strcmp(types[i].sql, "char") != 0)
		{
			/* a precision: time(n), timetz(n), timestamptz(n) */
			if (atol(a) > 6)
				config_error(cx, key, psprintf("The precision of type \"%s\" must be between 0 and 6.", spec));
			return psprintf("%s(%s)", types[i].sql, a);
		}
		return psprintf("%s(%s)", types[i].sql, a);
	}
	config_error(cx, key, psprintf("Type \"%s\" is not supported.  Supported types are VarChar(n), NVarChar(n), LongVarChar, LongNVarChar, VarCharIgnoreCase, Char(n), Text, Integer, TinyInt, SmallInt, BigInt, Double, Float, Real, Decimal(p,s), Boolean, Bit, Date, Time(p), TimeWithTimeZone, Timestamp(p), TimestampWithTimeZone, GUID, JSON, Binary, VarBinary and LongVarBinary.", s));
}

/*
 * A Java SimpleDateFormat pattern, as the connector's files write dates
 * ("Date,yyyy-MM-dd", "Timestamp,dd/MM/yyyy HH:mm:ss"), as a pattern of
 * the format option (valuefmt.c).  Letters it cannot read (eras, week
 * numbers, day names, two-digit years, zone names) are an error that
 * names the pattern.
 */
static char *
java_date_pattern(ConfigContext *cx, const char *key, const char *java)
{
	StringInfoData buf;
	const char *p = java;

	initStringInfo(&buf);
	while (*p)
	{
		char		c = *p;
		int			n = 1;
		const char *conv = NULL;

		if (c == '\'')
		{
			/* quoted text; '' is a quote */
			p++;
			if (*p == '\'')
			{
				appendStringInfoChar(&buf, '\'');
				p++;
				continue;
			}
			while (*p && !(*p == '\'' && p[1] != '\''))
			{
				if (*p == '\'')
					p++;
				if (*p == '%')
					appendStringInfoChar(&buf, '%');
				appendStringInfoChar(&buf, *p++);
			}
			if (*p != '\'')
				config_error(cx, key, psprintf("The date format \"%s\" has an unclosed quote.", java));
			p++;
			continue;
		}
		if (!isalpha((unsigned char) c))
		{
			if (c == '%')
				appendStringInfoChar(&buf, '%');
			appendStringInfoChar(&buf, c);
			p++;
			continue;
		}
		while (p[n] == c)
			n++;
		switch (c)
		{
			case 'y':
				conv = n == 2 ? NULL : "%Y";
				break;
			case 'M':
				conv = n <= 2 ? "%m" : n == 3 ? "%b" : NULL;
				break;
			case 'd':
				conv = n <= 2 ? "%d" : NULL;
				break;
			case 'H':
				conv = n <= 2 ? "%H" : NULL;
				break;
			case 'h':
				conv = n <= 2 ? "%I" : NULL;
				break;
			case 'm':
				conv = n <= 2 ? "%M" : NULL;
				break;
			case 's':
				conv = n <= 2 ? "%S" : NULL;
				break;
			case 'S':
				conv = "%f";
				break;
			case 'a':
				conv = "%p";
				break;
			case 'Z':
			case 'X':
				conv = "%z";
				break;
			default:
				break;
		}
		if (conv == NULL)
			config_error(cx, key, psprintf("The date format \"%s\" uses \"%.*s\", which rest_fdw cannot read; it reads y, yyyy, M, MM, MMM, d, dd, H, HH, h, hh, m, mm, s, ss, S..., a, Z and X, and quoted text.",
										   java, n, p));
		appendStringInfoString(&buf, conv);
		p += n;
	}
	if (rest_format_problem(buf.data) != NULL)
		config_error(cx, key, psprintf("The date format \"%s\" cannot be read: %s", java,
									   rest_format_problem(buf.data)));
	return buf.data;
}

/*
 * A column's type as the file writes it: "Type" followed by comma-separated
 * flags (#key, #readonly, #notnull, #unique) and, for dates and times, a
 * Java date format, as in "VarChar(64),#key" or "Date,d-M-yyyy".  Sets
 * c->type, c->format, c->is_key and c->not_null.
 */
static void
read_type_spec(ConfigContext *cx, RestImportColumn *c, const char *key,
			   const char *spec)
{
	char	   *copy = pstrdup(spec);
	char	   *p;
	char	   *part;
	int			depth = 0;
	List	   *parts = NIL;
	ListCell   *lc;
	char	   *format = NULL;

	/* split at commas outside parentheses: Decimal(10,2) is one part */
	part = copy;
	for (p = copy;; p++)
	{
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if ((*p == ',' && depth == 0) || *p == '\0')
		{
			bool		end = *p == '\0';

			*p = '\0';
			while (*part == ' ')
				part++;
			parts = lappend(parts, part);
			if (end)
				break;
			part = p + 1;
		}
	}
	c->type = sql_type(cx, key, (char *) linitial(parts), &format);
	c->format = format;
	for_each_from(lc, parts, 1)
	{
		char	   *f = (char *) lfirst(lc);
		size_t		n = strlen(f);

		while (n > 0 && f[n - 1] == ' ')
			f[--n] = '\0';
		if (pg_strcasecmp(f, "#key") == 0)
			c->is_key = true;
		else if (pg_strcasecmp(f, "#notnull") == 0)
			c->not_null = true;
		else if (pg_strcasecmp(f, "#readonly") == 0)
			c->read_only = true;
		else if (pg_strcasecmp(f, "#unique") == 0)
			 /* read; a foreign table has no use for it */ ;
		else if (f[0] == '#' || n == 0)
			config_error(cx, key, psprintf("\"%s\" is not a column flag; the flags are #key, #readonly, #notnull and #unique.", f));
		else if (strcmp(c->type, "date") == 0 || strncmp(c->type, "time", 4) == 0)
		{
			if (c->format != NULL)
				config_error(cx, key, psprintf("The type \"%s\" gives two date formats.", spec));
			c->format = java_date_pattern(cx, key, f);
		}
		else
			config_error(cx, key, psprintf("\"%s\" follows a type that is not a date or time: only flags (#key, #readonly, #notnull, #unique) may.", f));
	}
}

/*
 * A JSON number with a fraction as the shortest text that reads back as
 * the same double (jansson keeps no number text): 0.1, not
 * 0.10000000000000001.
 */
static char *
shortest_real(double d)
{
	char		buf[64];
	int			prec;

	for (prec = 1; prec <= 17; prec++)
	{
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return pstrdup(buf);
}

/* A JSON key as one key of a dotted path */
static char *
escaped_key(const char *key)
{
	StringInfoData buf;

	initStringInfo(&buf);
	rest_append_json_key(&buf, key);
	return buf.data;
}

/* A parameter name of a column mapping: a string, or true for the column's JSON name */
static char *
mapping_param(ConfigContext *cx, const char *key, json_t *v, const char *jname)
{
	if (json_is_true(v))
	{
		if (strpbrk(jname, "&=#? ") != NULL)
			config_error(cx, key, "The column's JSON name is not a query parameter name (it contains &, =, #, ? or spaces): give the parameter's name instead of true.");
		return pstrdup(jname);
	}
	if (json_is_string(v))
	{
		char	   *s = setting_text(cx, key, v);

		if (strpbrk(s, "&=#? ") != NULL)
			config_error(cx, key, "A query parameter name must not contain &, =, #, ? or spaces.");
		return s;
	}
	config_error(cx, key, "The value must be a query parameter name, or true for the column's own name.");
}

/*
 * The settings of a column object ("#type", "#eq" ... "#default") into c;
 * key is the column's key in the table, jname its JSON name.
 */
static void
read_column_settings(ConfigContext *cx, RestImportColumn *c, const char *key,
					 json_t *v, const char *jname)
{
	const char *k2;
	json_t	   *v2;
	static const char *const ops[REST_NOPS] = {"#eq", "#lt", "#le", "#gt", "#ge", "#ne",
	"#contains"};
	bool		has_param = false;
	int			op;

	json_object_foreach(v, k2, v2)
	{
		bool		known = false;

		for (op = 0; op < REST_NOPS; op++)
		{
			if (pg_strcasecmp(k2, ops[op]) == 0)
			{
				c->params[op] = mapping_param(cx, key, v2, jname);
				known = true;
			}
		}
		if (known)
			continue;
		if (pg_strcasecmp(k2, "#type") == 0)
		{
			if (!json_is_string(v2))
				config_error(cx, key, "\"#type\" must be a type name such as \"VarChar(20)\".");
			read_type_spec(cx, c, key, json_string_value(v2));
		}
		else if (pg_strcasecmp(k2, "#in") == 0)
		{
			char	   *in = mapping_param(cx, key, v2, jname);

			if (c->params[REST_OP_EQ] && strcmp(c->params[REST_OP_EQ], in) != 0)
				config_error(cx, key, "\"#in\" must name the same parameter as \"#eq\": an IN list is sent as that parameter's values, comma-joined.");
			c->params[REST_OP_EQ] = in;
			c->in_comma = true;
		}
		else if (pg_strcasecmp(k2, "#virtual") == 0)
		{
			if (!json_is_boolean(v2))
				config_error(cx, key, "\"#virtual\" must be true or false.");
			c->is_virtual = json_is_true(v2);
		}
		else if (pg_strcasecmp(k2, "#default") == 0)
		{
			if (json_is_string(v2))
			{
				if (json_string_length(v2) == 0 ||
					rest_has_control_chars(json_string_value(v2)))
					config_error(cx, key, "\"#default\" must not be empty or contain control characters.");
				c->param_default = pstrdup(json_string_value(v2));
			}
			else if (json_is_integer(v2))
				c->param_default = psprintf("%lld", (long long) json_integer_value(v2));
			else if (json_is_real(v2))
				c->param_default = shortest_real(json_real_value(v2));
			else if (json_is_boolean(v2))
				c->param_default = json_is_true(v2) ? "true" : "false";
			else if (json_is_null(v2))
				c->param_default = NULL;
			else
				config_error(cx, key, "\"#default\" must be a string, a number, a Boolean or null.");
		}
		else if (pg_strcasecmp(k2, "#queryParameter") == 0)
		{
			/* a parameter in the API's own language (JQL ...): a virtual column */
			c->params[REST_OP_EQ] = mapping_param(cx, key, v2, jname);
			c->is_virtual = true;
		}
		else if (pg_strcasecmp(k2, "#postParameter") == 0)
		{
			/* the value goes into the #post body: a virtual column */
			if (json_is_true(v2))
				c->post_field = pstrdup(jname);
			else if (json_is_string(v2) && json_string_length(v2) > 0 &&
					 !rest_has_control_chars(json_string_value(v2)))
				c->post_field = pstrdup(json_string_value(v2));
			else
				config_error(cx, key, "\"#postParameter\" must be true or the member of the \"#post\" body that takes the column's value, such as \"filter/status\".");
			c->is_virtual = true;
		}
		else if (pg_strcasecmp(k2, "#header") == 0)
		{
			if (!json_is_boolean(v2))
				config_error(cx, key, "\"#header\" must be true or false.");
			c->param_header = json_is_true(v2);
		}
		else if (pg_strcasecmp(k2, "#mandatory") == 0)
		{
			if (!json_is_boolean(v2))
				config_error(cx, key, "\"#mandatory\" must be true or false.");
			c->required = json_is_true(v2);
		}
		else if (pg_strcasecmp(k2, "#key") == 0 || pg_strcasecmp(k2, "#notnull") == 0 ||
				 pg_strcasecmp(k2, "#readonly") == 0 || pg_strcasecmp(k2, "#unique") == 0)
		{
			if (!json_is_boolean(v2))
				config_error(cx, key, psprintf("\"%s\" must be true or false.", k2));
			if (pg_strcasecmp(k2, "#key") == 0)
				c->is_key = json_is_true(v2);
			else if (pg_strcasecmp(k2, "#notnull") == 0)
				c->not_null = json_is_true(v2);
			else if (pg_strcasecmp(k2, "#readonly") == 0)
				c->read_only = json_is_true(v2);
		}
		else
			config_error(cx, key, psprintf("\"%s\" is not a column setting; they are #type, #eq, #lt, #le, #gt, #ge, #ne, #in, #contains, #queryParameter, #postParameter, #header, #virtual, #default, #mandatory, #key, #notnull, #readonly and #unique.", k2));
	}
	if (c->type == NULL)
		config_error(cx, key, "A column object needs \"#type\".");
	for (op = 0; op < REST_NOPS; op++)
		has_param = has_param || c->params[op] != NULL;
	if (c->required && !has_param)
		config_error(cx, key, "\"#mandatory\" needs a parameter (\"#eq\", \"#ge\" ...): it says a query must give that parameter a value.");
	if (c->post_field && has_param)
		config_error(cx, key, "A column with \"#postParameter\" sends its value in the body; it cannot also be a query parameter (\"#eq\" ...).");
	if (c->param_default && !c->is_virtual && !has_param)
		config_error(cx, key, "\"#default\" needs a parameter (\"#eq\", or \"#ge\" ...): it is the value sent for that parameter when the query gives none.");
	if (c->param_header)
	{
		const char *problem;

		/* what the validator checks of param_in 'header' */
		if (c->params[REST_OP_EQ] == NULL)
			config_error(cx, key, "\"#header\" needs \"#eq\", the name of the request header.");
		for (op = REST_OP_LT; op < REST_NOPS; op++)
		{
			if (c->params[op] != NULL)
				config_error(cx, key, psprintf("\"#header\" sends one value: \"%s\" cannot be a header.", ops[op]));
		}
		problem = rest_header_name_problem(c->params[REST_OP_EQ], true);
		if (problem)
			config_error(cx, key, problem);
	}
	if (c->is_virtual)
		c->json_path = NULL;
}

/*
 * The columns of a table object (its non-"#" keys), nested objects
 * flattened.  jprefix and sprefix are the JSON path and SQL name prefixes
 * of a nested object ("" at the top).
 */
static void
read_columns(ConfigContext *cx, RestImportTable *t, json_t *obj,
			 const char *jprefix, const char *sprefix, RestNameSet *taken)
{
	const char *key;
	json_t	   *v;

	if (++cx->ref_depth > MAX_NESTING)
		config_error(cx, cx->table, psprintf("Objects of columns are nested more than %d deep: is there a cycle of \"$ref\"s?", MAX_NESTING));
	check_stack_depth();
	json_object_foreach(obj, key, v)
	{
		RestImportColumn *c;
		char	   *jname = pstrdup(key);
		char	   *ejname;
		char	   *sname = NULL;
		char	   *lt;
		size_t		klen = strlen(key);

		if (key[0] == '#')
		{
			if (*jprefix != '\0')
				config_error(cx, key, "Settings are not allowed inside a nested object.");
			continue;
		}
		v = deref(cx, key, v);

		/* arrays: child tables, read once the table is */
		if (klen > 2 && strcmp(key + klen - 2, "[]") == 0)
		{
			ChildSpec  *cs = palloc0(sizeof(ChildSpec));
			char	   *aname = pnstrdup(key, klen - 2);
			char	   *lt2 = strchr(aname, '<');

			if (lt2 && aname[strlen(aname) - 1] == '>')
			{
				aname[strlen(aname) - 1] = '\0';
				*lt2 = '\0';
				cs->name = pstrdup(lt2 + 1);
				cs->named = true;
				if (*cs->name == '\0' || strlen(cs->name) >= NAMEDATALEN)
					config_error(cx, key, "A child table renamed \"json<Name>[]\" needs a non-empty name shorter than 64 bytes.");
			}
			if (*aname == '\0' || rest_has_control_chars(aname))
				config_error(cx, key, "An array's JSON name must not be empty or contain control characters.");
			if (!cs->named)
				cs->name = rest_sql_identifier(aname);
			cs->key = key;
			cs->json_path = psprintf("%s%s", jprefix, escaped_key(aname));
			cs->element = v;
			if (!json_is_object(v) && !json_is_string(v))
				config_error(cx, key, "An array member (\"name[]\") is described by an object of its elements' columns, or by their type, as in \"tags[]\": \"VarChar(20)\".");
			cx->children = lappend(cx->children, cs);
			continue;
		}
		/* maps: child tables of their members, keyed by the member's key */
		if ((klen > 2 && key[klen - 1] == '}' && strchr(key, '{') != NULL) ||
			(klen > 2 && key[klen - 1] == '>' && strchr(key, '<') != NULL &&
			 strchr(strchr(key, '<'), ':') != NULL))
		{
			ChildSpec  *cs = palloc0(sizeof(ChildSpec));
			char	   *aname = pstrdup(key);
			char	   *open = strchr(aname, key[klen - 1] == '}' ? '{' : '<');

			aname[klen - 1] = '\0';
			*open = '\0';
			cs->is_map = true;
			if (key[klen - 1] == '}')
			{
				cs->key_name = "key";
				cs->key_type = pstrdup(open + 1);
			}
			else
			{
				char	   *colon = strchr(open + 1, ':');

				*colon = '\0';
				cs->key_name = rest_sql_identifier(open + 1);
				cs->key_type = pstrdup(colon + 1);
			}
			if (*aname == '\0' || rest_has_control_chars(aname) ||
				*cs->key_type == '\0' || *cs->key_name == '\0')
				config_error(cx, key, "A map is written \"name{KeyType}\" or \"name<keyname:KeyType>\", with a non-empty name and key type.");
			cs->name = rest_sql_identifier(aname);
			cs->key = key;
			cs->json_path = psprintf("%s%s", jprefix, escaped_key(aname));
			cs->element = v;
			if (!json_is_object(v) && !json_is_string(v))
				config_error(cx, key, "A map is described by an object of its members' columns, or by their type, as in \"prices{VarChar(3)}\": \"Decimal(10,2)\".");
			cx->children = lappend(cx->children, cs);
			continue;
		}

		/* "jsonName<sqlname>" renames */
		if (klen > 2 && key[klen - 1] == '>' && (lt = strchr(jname, '<')) != NULL)
		{
			*lt = '\0';
			sname = pnstrdup(lt + 1, strlen(lt + 1) - 1);
			if (*jname == '\0' || *sname == '\0' || strlen(sname) >= NAMEDATALEN)
				config_error(cx, key, "A renamed column is written \"jsonName<sqlname>\" with both names non-empty and the SQL name shorter than 64 bytes.");
		}
		if (*jname == '\0' || rest_has_control_chars(jname))
			config_error(cx, key, "A JSON name that is empty or contains control characters cannot be reached by a json_path.");
		ejname = escaped_key(jname);

		/* a nested object: no "#" keys */
		if (json_is_object(v))
		{
			const char *k2;
			json_t	   *v2;
			bool		mapping = false;

			json_object_foreach(v, k2, v2)
			{
				if (k2[0] == '#')
					mapping = true;
			}
			if (!mapping)
			{
				if (json_object_size(v) == 0)
					config_error(cx, key, "A nested object must describe at least one column.");
				read_columns(cx, t, v,
							 psprintf("%s%s.", jprefix, ejname),
							 psprintf("%s%s_", sprefix,
									  sname ? sname : rest_sql_identifier(jname)),
							 taken);
				continue;
			}
		}

		c = palloc0(sizeof(RestImportColumn));
		c->json_path = psprintf("%s%s", jprefix, ejname);
		c->name = rest_unique_name(taken,
								   sname && *sprefix == '\0' ? sname :
								   rest_sql_identifier(psprintf("%s%s", sprefix,
																sname ? sname : jname)));
		if (json_is_string(v) && pg_strcasecmp(json_string_value(v), "=rowid()") == 0)
		{
			/* a synthetic key: the row's position in its array */
			if (*jprefix != '\0')
				config_error(cx, key, "\"=rowid()\" names a column of the row, not of a nested object.");
			c->type = "integer";
			c->json_path = "#";
			c->is_key = true;
		}
		else if (json_is_string(v))
			read_type_spec(cx, c, key, json_string_value(v));
		else if (json_is_object(v))
			read_column_settings(cx, c, key, v, jname);
		else
			config_error(cx, key, "A column is a type name such as \"VarChar(20)\", an object with \"#type\", or a nested object of columns.");
		t->columns = lappend(t->columns, c);
	}
	cx->ref_depth--;
}

/*
 * A child table of table t for the array (or, is_map, the object of
 * members) at json_path inside t's rows, which the file or a sample names
 * key (for messages) and name: "<t>_<name>", or name itself when named
 * (given by the file), made unique in table_names.  Its rows_path goes
 * through t's ("<t rows>.*.<json_path>", ".*" after it for a map); it has
 * t's options, and the columns of t that identify a row (its keys, the
 * columns its endpoint's placeholders name and the virtual ones) as
 * "<t>_<column>" climbing with "^." (a child's inherited ones keep their
 * names), its endpoint naming them so; then, for an array, "position"
 * (json_path "#", part of its key).  The caller adds a map's key column
 * and the element's columns, with the names in taken.
 */
RestImportTable *
rest_child_table(RestImportTable *t, const char *json_path, const char *name,
				 bool named, bool is_map, const char *key,
				 RestNameSet *table_names, RestNameSet *taken)
{
	RestImportTable *ct = palloc0(sizeof(RestImportTable));
	StringInfoData ep;
	ListCell   *lc2;

	ct->name = rest_unique_name(table_names,
								named ? name :
								rest_sql_identifier(psprintf("%s_%s", t->name, name)));
	ct->renamed = named;
	ct->source = psprintf("child table \"%s\" of %s", key, t->source);
	ct->rows_path = t->rows_path
		? psprintf("%s.*.%s%s", t->rows_path, json_path, is_map ? ".*" : "")
		: psprintf("*.%s%s", json_path, is_map ? ".*" : "");
	ct->options = list_copy(t->options);
	ct->skip_reason = t->skip_reason;
	if (t->rows_path == NULL && strchr(t->endpoint, ' ') != NULL)
		ct->skip_reason = "its parent's paths each have their own rows path";

	/* the parent's identifying columns, climbing one level */
	initStringInfo(&ep);
	appendStringInfoString(&ep, t->endpoint);
	foreach(lc2, t->columns)
	{
		RestImportColumn *pc = (RestImportColumn *) lfirst(lc2);
		RestImportColumn *c;

		if (!pc->is_key && !pc->is_virtual &&
			!list_member(t->placeholders, makeString(pc->name)))
			continue;
		c = palloc(sizeof(RestImportColumn));
		memcpy(c, pc, sizeof(RestImportColumn));
		c->name = rest_unique_name(taken, pc->inherited ? pc->name :
								   rest_sql_identifier(psprintf("%s_%s", t->name, pc->name)));
		c->json_path = pc->json_path ? psprintf("^.%s", pc->json_path) : NULL;
		c->not_null = false;
		c->inherited = true;
		ct->columns = lappend(ct->columns, c);
		/* a placeholder of the endpoint names the column by its new name */
		if (list_member(t->placeholders, makeString(pc->name)))
		{
			char	   *from = psprintf("{%s}", pc->name);
			char	   *to = psprintf("{%s}", c->name);
			char	   *p;
			StringInfoData out;

			initStringInfo(&out);
			for (p = ep.data; *p;)
			{
				if (strncmp(p, from, strlen(from)) == 0)
				{
					appendStringInfoString(&out, to);
					p += strlen(from);
				}
				else
					appendStringInfoChar(&out, *p++);
			}
			ep = out;
			ct->placeholders = lappend(ct->placeholders, makeString(c->name));
		}
	}
	ct->endpoint = ep.data;

	/* the element's position: part of its key */
	if (!is_map)
	{
		RestImportColumn *pos = palloc0(sizeof(RestImportColumn));

		pos->name = rest_unique_name(taken, "position");
		pos->type = "integer";
		pos->json_path = "#";
		pos->is_key = true;
		ct->columns = lappend(ct->columns, pos);
	}
	return ct;
}

/*
 * The child tables of table t (cx->children, its arrays, taken from the
 * list), appended to tables with their own children: each is made by
 * rest_child_table, with a map member's key column and the element's
 * columns added.  level counts the arrays on the way, which a rows_path
 * allows REST_MAX_ROWS_LEVELS of.
 */
static List *
add_children(ConfigContext *cx, RestImportTable *t, int level, List *tables,
			 RestNameSet *table_names)
{
	List	   *specs = cx->children;
	ListCell   *lc;

	cx->children = NIL;
	foreach(lc, specs)
	{
		ChildSpec  *cs = (ChildSpec *) lfirst(lc);
		RestImportTable *ct;
		RestNameSet *taken = rest_name_set_create(0);

		CHECK_FOR_INTERRUPTS();
		if (level > REST_MAX_ROWS_LEVELS)
			config_error(cx, cs->key, psprintf("Arrays are nested more than %d deep.", REST_MAX_ROWS_LEVELS));
		ct = rest_child_table(t, cs->json_path, cs->name, cs->named, cs->is_map,
							  cs->key, table_names, taken);

		/* a map member's key: part of its key */
		if (cs->is_map)
		{
			RestImportColumn *pos = palloc0(sizeof(RestImportColumn));

			pos->name = rest_unique_name(taken, cs->key_name);
			read_type_spec(cx, pos, cs->key, cs->key_type);
			pos->json_path = "#";
			pos->is_key = true;
			ct->columns = lappend(ct->columns, pos);
		}

		/* the element's columns: an object of them, or the element itself */
		if (json_is_object(cs->element))
			read_columns(cx, ct, cs->element, "", "", taken);
		else
		{
			RestImportColumn *c = palloc0(sizeof(RestImportColumn));

			c->name = rest_unique_name(taken, cs->name);
			c->json_path = "$";
			read_type_spec(cx, c, cs->key, json_string_value(cs->element));
			ct->columns = lappend(ct->columns, c);
		}
		/* its own arrays: grandchildren, with "<ct>_position" */
		tables = lappend(tables, ct);
		tables = add_children(cx, ct, level + 1, tables, table_names);
	}
	return tables;
}

/*
 * A value of the file, or what its "$ref" points to: {"$ref":
 * "#/components/schemas/Address"} is replaced by that value of the
 * document (a JSON pointer, RFC 6901, inside the file only).  Chains of
 * references are followed up to MAX_REF_DEPTH.
 */
static json_t *
deref(ConfigContext *cx, const char *key, json_t *v)
{
	int			depth;

	for (depth = 0; json_is_object(v) && json_object_get(v, "$ref"); depth++)
	{
		json_t	   *ref = json_object_get(v, "$ref");
		const char *p;
		json_t	   *target = cx->root;

		if (json_object_size(v) != 1 || !json_is_string(ref))
			config_error(cx, key, "An object with \"$ref\" holds nothing else, and \"$ref\" is a string such as \"#/components/schemas/Address\".");
		if (depth >= MAX_REF_DEPTH)
			config_error(cx, key, psprintf("More than %d \"$ref\"s lead to one another: is there a cycle?", MAX_REF_DEPTH));
		p = json_string_value(ref);
		if (p[0] != '#' || (p[1] != '/' && p[1] != '\0'))
			config_error(cx, key, psprintf("\"$ref\": \"%s\" is not a reference inside the file (\"#/...\"); references to other files are not followed.", p));
		for (p++; *p == '/';)
		{
			StringInfoData seg;
			const char *name;

			initStringInfo(&seg);
			for (p++; *p && *p != '/'; p++)
			{
				/* ~0 is "~", ~1 is "/" */
				if (*p == '~' && (p[1] == '0' || p[1] == '1'))
				{
					appendStringInfoChar(&seg, p[1] == '0' ? '~' : '/');
					p++;
				}
				else
					appendStringInfoChar(&seg, *p);
			}
			/* "#/components/..." finds the file's "#components" */
			name = seg.data;
			if (target == cx->root && strcmp(name, "components") == 0 &&
				json_object_get(target, "components") == NULL)
				name = "#components";
			target = json_is_object(target) ? json_object_get(target, name) : NULL;
			if (target == NULL)
				config_error(cx, key, psprintf("\"$ref\": \"%s\" points to nothing in the file.",
											   json_string_value(ref)));
		}
		v = target;
	}
	return v;
}

/* A top-level setting that is a string, or NULL */
static const char *
top_string(ConfigContext *cx, json_t *v, int k)
{
	if (v == NULL)
		return NULL;
	if (!json_is_string(v) || rest_has_control_chars(json_string_value(v)))
		config_error(cx, config_key_names[k], "The value must be a string.");
	return json_string_value(v);
}

/*
 * The "#options" object of the file: connection defaults such as
 * {"AuthenticationMethod": "OAuth2", "TokenURI": "https://..."}, as a
 * List of DefElem with the names as written.  Credentials are refused.
 */
static List *
read_model_options(ConfigContext *cx, json_t *v)
{
	List	   *result = NIL;
	const char *key;
	json_t	   *e;

	if (v == NULL)
		return NIL;
	if (!json_is_object(v))
		config_error(cx, "#options", "The value must be an object of connection properties and their values.");
	json_object_foreach(v, key, e)
	{
		char	   *value;

		check_not_secret(cx, key);
		if (json_is_string(e))
			value = pstrdup(json_string_value(e));
		else if (json_is_integer(e))
			value = psprintf("%lld", (long long) json_integer_value(e));
		else if (json_is_boolean(e))
			value = json_is_true(e) ? "true" : "false";
		else
			config_error(cx, "#options", psprintf("The value of \"%s\" must be a string, an integer or a Boolean.", key));
		if (rest_has_control_chars(value) || rest_has_control_chars(key))
			config_error(cx, "#options", psprintf("The property \"%s\" holds control characters.", key));
		result = lappend(result, makeDefElem(pstrdup(key), (Node *) makeString(value), -1));
	}
	return result;
}

/*
 * "#get": an object of query parameters sent with every request of the
 * table, appended to each alternative of its endpoint.
 */
static void
add_get_parameters(ConfigContext *cx, RestImportTable *t, json_t *v)
{
	StringInfoData q;
	StringInfoData ep;
	const char *key;
	json_t	   *e;
	char	   *copy;
	char	   *alt;
	char	   *save = NULL;

	if (!json_is_object(v))
		config_error(cx, "#get", "The value must be an object of query parameter names and values.");
	initStringInfo(&q);
	json_object_foreach(v, key, e)
	{
		char	   *value;

		if (json_is_string(e))
			value = pstrdup(json_string_value(e));
		else if (json_is_integer(e))
			value = psprintf("%lld", (long long) json_integer_value(e));
		else if (json_is_boolean(e))
			value = json_is_true(e) ? "true" : "false";
		else
			config_error(cx, "#get", psprintf("The value of \"%s\" must be a string, an integer or a Boolean.", key));
		if (*key == '\0' || strpbrk(key, "{}|") || strpbrk(value, "{}|") ||
			rest_has_control_chars(key) || rest_has_control_chars(value))
			config_error(cx, "#get", psprintf("The parameter \"%s\" or its value holds a control character, \"{\", \"}\" or \"|\".", key));
		appendStringInfoString(&q, q.len ? "&" : "");
		rest_append_urlencoded(&q, key);
		appendStringInfoChar(&q, '=');
		rest_append_urlencoded(&q, value);
	}
	if (q.len == 0)
		return;

	initStringInfo(&ep);
	copy = pstrdup(t->endpoint);
	for (alt = strtok_r(copy, "|", &save); alt; alt = strtok_r(NULL, "|", &save))
	{
		char	   *sp;
		char	   *rows = NULL;

		while (*alt == ' ')
			alt++;
		sp = strchr(alt, ' ');
		if (sp)
		{
			*sp = '\0';
			rows = sp + 1;
		}
		appendStringInfo(&ep, "%s%s%c%s%s%s", ep.len ? " | " : "", alt,
						 strchr(alt, '?') ? '&' : '?', q.data,
						 rows ? " " : "", rows ? rows : "");
	}
	t->endpoint = ep.data;
	if (t->sample_path)
		t->sample_path = psprintf("%s%c%s", t->sample_path,
								  strchr(t->sample_path, '?') ? '&' : '?', q.data);
}

/*
 * "#insert", "#update", "#delete": "METHOD [host]/path" (or an object of
 * it as "#path"), the request of a write, become the table's insert, update and delete options, the URL
 * relative to base_url (another host skips the table, as for "#path") and
 * its {name} placeholders renamed as columns are.  A trailing "[]" says
 * the API takes the rows in an array: batch_size '100' for #insert; an
 * array body of an UPDATE or DELETE is not supported, and that write is
 * left out with a NOTICE.
 */
static void
read_write_op(ConfigContext *cx, RestImportTable *t, int k, json_t *v)
{
	static const char *const options[] = {OPT_INSERT, OPT_UPDATE, OPT_DELETE};
	const char *key = config_key_names[k];
	const char *option = options[k - CK_INSERT];
	char	   *text;
	char	   *url;
	char	   *path;
	size_t		len;
	bool		array = false;
	StringInfoData value;
	const char *p;
	const char *problem;

	/* also written as an object: {"#path": "POST /customers"} */
	if (json_is_object(v) && json_object_size(v) == 1 &&
		json_is_string(json_object_get(v, "#path")))
		v = json_object_get(v, "#path");
	if (!json_is_string(v))
		config_error(cx, key, "The value is the method and the URL of the request, as \"POST /customers\" or {\"#path\": \"POST /customers\"}.");
	text = pstrdup(json_string_value(v));
	while (*text == ' ' || *text == '\t')
		text++;
	url = strpbrk(text, " \t");
	if (url == NULL)
		config_error(cx, key, "The value names no method: write it before the URL, as \"POST /customers\".");
	*url++ = '\0';
	while (*url == ' ' || *url == '\t')
		url++;
	len = strlen(url);
	while (len > 0 && (url[len - 1] == ' ' || url[len - 1] == '\t'))
		url[--len] = '\0';
	if (len >= 2 && strcmp(url + len - 2, "[]") == 0)
	{
		array = true;
		url[len - 2] = '\0';
	}
	if (*url == '\0')
		config_error(cx, key, "The value names no URL: write it after the method, as \"POST /customers\".");
	path = relative_path(cx, key, url);

	initStringInfo(&value);
	for (p = text; *p; p++)
		appendStringInfoChar(&value, pg_ascii_toupper((unsigned char) *p));
	appendStringInfoChar(&value, ' ');
	for (p = path; *p; p++)
	{
		const char *close;

		if (*p == '{' && (close = strchr(p, '}')) != NULL && close > p + 1)
		{
			appendStringInfo(&value, "{%s}",
							 rest_sql_identifier(pnstrdup(p + 1, close - p - 1)));
			p = close;
		}
		else
			appendStringInfoChar(&value, *p);
	}
	if ((problem = rest_table_option_problem(option, value.data)) != NULL)
		config_error(cx, key, psprintf("\"%s\" is not a request rest_fdw can send for it: %s",
									   json_string_value(v), problem));
	if (array && k != CK_INSERT)
	{
		ereport(NOTICE,
				(errmsg("%s is imported without its \"%s\"", t->source, key),
				 errdetail("It sends the rows of an UPDATE or DELETE in an array (\"[]\"), which rest_fdw does not do.")));
		return;
	}
	t->options = lappend(t->options, make_option(option, value.data));
	if (array && !has_option(t->options, OPT_BATCH_SIZE))
		t->options = lappend(t->options, make_option(OPT_BATCH_SIZE, "100"));
}

/*
 * Read a REST config file into a List of RestImportTable, in the file's
 * order.  base_url resolves tables given as absolute URLs, and stands for
 * the file's #hostname.  keep_lengths keeps VarChar(n) lengths (else such
 * columns are text).  *model_options, if not NULL, receives the file's
 * "#options".  A table on another host than base_url is returned with
 * skip_reason set.  Raises an error naming the file (and the line and
 * column for malformed JSON, the table and key otherwise).
 */
List *
rest_read_config_file(const char *filename, const char *base_url,
					   bool keep_lengths, List **model_options)
{
	ConfigContext cx;
	MemoryContextCallback *cb;
	json_error_t jerr;
	json_t	   *root;
	json_t	   *top_set[CK_COUNT];
	const char *key;
	json_t	   *v;
	List	   *tables = NIL;
	RestNameSet *table_names = rest_name_set_create(0);
	char	   *text;
	size_t		len;

	memset(&cx, 0, sizeof(cx));
	cx.filename = filename;
	cx.base_url = base_url;
	cx.keep_lengths = keep_lengths;

	text = read_whole_file(filename, &len);
	strip_comments(filename, text, len);
	cb = json_guard();
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	cb->arg = root;
	if (root == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("REST config file \"%s\" is not valid JSON", filename),
				 errdetail("%s at line %d, column %d.", jerr.text, jerr.line,
						   jerr.column)));
	if (!json_is_object(root))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("REST config file \"%s\" is not a JSON object", filename),
				 errhint("A REST config file is an object whose keys are table names, and \"#\" settings.")));
	cx.root = root;

	memset(top_set, 0, sizeof(top_set));
	read_settings(&cx, root, top_set, IN_TOP);
	cx.hostname = top_string(&cx, top_set[CK_HOSTNAME], CK_HOSTNAME);
	if (cx.hostname && strstr(cx.hostname, "://") == NULL)
		cx.hostname = psprintf("https://%s", cx.hostname);
	(void) top_string(&cx, top_set[CK_VERSION], CK_VERSION);
	(void) top_string(&cx, top_set[CK_DESCRIPTION], CK_DESCRIPTION);
	if (top_set[CK_COMPONENTS] && !json_is_object(top_set[CK_COMPONENTS]))
		config_error(&cx, "#components", "The value must be an object, whose members \"$ref\" can point to.");
	{
		List	   *mo = read_model_options(&cx, top_set[CK_OPTIONS]);

		if (model_options)
			*model_options = mo;
	}

	json_object_foreach(root, key, v)
	{
		RestImportTable *t;
		json_t	   *set[CK_COUNT];
		RestNameSet *taken;
		const char *method = NULL;
		json_t	   *body_paging;
		char	   *sqlname = NULL;
		size_t		klen = strlen(key);
		int			k;

		if (key[0] == '#')
			continue;
		CHECK_FOR_INTERRUPTS();
		taken = rest_name_set_create(0);
		cx.table = key;
		cx.other_url = NULL;

		/* "jsonName<sqlname>" names the table */
		if (klen > 2 && key[klen - 1] == '>' && strchr(key, '<') != NULL &&
			strchr(key, '<') > key)
		{
			const char *lt = strchr(key, '<');

			sqlname = pnstrdup(lt + 1, klen - (lt - key) - 2);
			if (*sqlname == '\0' || strlen(sqlname) >= NAMEDATALEN ||
				strpbrk(sqlname, "<>") != NULL)
				config_error(&cx, key, "A renamed table is written \"name<sqlname>\" with a non-empty SQL name shorter than 64 bytes.");
		}
		t = palloc0(sizeof(RestImportTable));
		t->name = rest_unique_name(table_names,
								   sqlname ? sqlname : rest_sql_identifier(key));
		t->renamed = sqlname != NULL;
		t->source = psprintf("table \"%s\" of REST config file \"%s\"", key, filename);
		memset(set, 0, sizeof(set));
		v = deref(&cx, key, v);

		if (json_is_string(v))
		{
			/* a URL or path: columns (and rows, unless given) by sampling */
			if (*json_string_value(v) == '\0')
				config_error(&cx, key, "A table given as a string is a path or URL.");
			cx.path_key = key;
			read_paths(&cx, t, v, &method);
			t->detect_rows = t->rows_path == NULL;
		}
		else if (json_is_object(v))
		{
			read_settings(&cx, v, set, IN_TABLE);
			if (set[CK_PATH] == NULL)
				config_error(&cx, "#path", "The table has no \"#path\": give the path of its endpoint, for example \"#path\": \"/v1/orders\".");
			cx.path_key = "#path";
			read_paths(&cx, t, set[CK_PATH], &method);
			read_columns(&cx, t, v, "", "", taken);
		}
		else
			config_error(&cx, key, "A table is a URL or path string, or an object with \"#path\" and columns.");

		t->options = settings_to_options(&cx, set, top_set);

		/*
		 * A path that places {offset} or {page} itself (a query-string
		 * template such as "locator=start:{OFFSET},count:{LIMIT}") pages
		 * that way, when no setting says otherwise.
		 */
		if (!has_option(t->options, OPT_PAGING))
		{
			if (strstr(t->endpoint, "{offset}"))
				t->options = lcons(make_option(OPT_PAGING, "offset"), t->options);
			else if (strstr(t->endpoint, "{page}"))
				t->options = lcons(make_option(OPT_PAGING, "page"), t->options);
		}

		/* the request: "#post" makes it a POST with that body */
		body_paging = set[CK_POST_BODY_PAGING] ? set[CK_POST_BODY_PAGING]
			: top_set[CK_POST_BODY_PAGING];
		if (body_paging && !json_is_boolean(body_paging))
			config_error(&cx, config_key_names[CK_POST_BODY_PAGING],
						 "The value must be true or false.");
		if (set[CK_POST])
		{
			if (method && strcmp(method, "POST") != 0)
				config_error(&cx, "#post", "The table has \"#post\", but its \"#path\" names another method.");
			if (!json_is_object(set[CK_POST]) && !json_is_array(set[CK_POST]))
				config_error(&cx, "#post", "The value must be the JSON body of the request: an object or an array.");
			method = "POST";
			t->options = lappend(t->options,
								 make_option(OPT_BODY,
											 post_body_text(&cx, t, set[CK_POST],
															json_is_true(body_paging))));
		}
		else if (set[CK_POST_BODY_PAGING] && json_is_true(body_paging))
			(void) body_with_paging(&cx, NULL, t->options);
		else
			(void) set_post_parameters(&cx, t, NULL);
		if (method && strcmp(method, "POST") == 0)
			t->options = lappend(t->options, make_option(OPT_METHOD, "POST"));
		if (set[CK_GET])
			add_get_parameters(&cx, t, set[CK_GET]);
		for (k = CK_INSERT; k <= CK_DELETE; k++)
		{
			if (set[k])
				read_write_op(&cx, t, k, set[k]);
		}

		if (cx.other_url)
			t->skip_reason = psprintf("its URL \"%s\" is not under the server's base_url \"%s\"",
									  cx.other_url, base_url);

		/* a placeholder names a column; virtual if the file has none */
		if (t->columns != NIL)
			rest_add_placeholder_columns(t, taken);
		tables = lappend(tables, t);
		tables = add_children(&cx, t, 1, tables, table_names);
	}
	cx.table = NULL;
	if (tables == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("REST config file \"%s\" describes no table", filename)));
	return tables;
}
