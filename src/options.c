/*-------------------------------------------------------------------------
 *
 * options.c
 *		  Option validation and resolution for rest_fdw.
 *
 * One static table lists every option with the catalog it belongs to and
 * whether it is a secret.  The validator checks names and values at
 * CREATE/ALTER time; the resolvers turn the catalog entries into the
 * RestConnOptions and RestTableOptions records the rest of the code uses.
 * Secrets are accepted only in user mappings, because pg_foreign_server is
 * readable by every role.  Nothing here does I/O.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/reloptions.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "rest_fdw.h"

PG_FUNCTION_INFO_V1(rest_fdw_validator);

typedef enum RestOptKind
{
	OPTKIND_STRING,				/* any text without control characters */
	OPTKIND_URL,				/* http:// or https:// URL */
	OPTKIND_INT,				/* positive integer */
	OPTKIND_AUTH_METHOD,
	OPTKIND_GRANT_TYPE,
	OPTKIND_CLIENT_AUTH,
	OPTKIND_HEADER_NAME,		/* an HTTP field name (RFC 9110 token) */
	OPTKIND_PATH,				/* absolute name of a file the server reads:
								 * privileged */
	OPTKIND_ENDPOINT,			/* path relative to base_url */
	OPTKIND_JSON_PATH,			/* dotted path of object keys */
	OPTKIND_COUNT,				/* positive integer (not seconds) */
	OPTKIND_NONNEG_INT,			/* integer >= 0 */
	OPTKIND_NUMBER,				/* non-negative number */
	OPTKIND_BOOL,
	OPTKIND_PAGING,
	OPTKIND_PAGE_END,
	OPTKIND_IN_STYLE,
	OPTKIND_PARAM_NAME,			/* a query parameter name */
	OPTKIND_BYTES,				/* a size: bytes, or with kB, MB, GB */
	OPTKIND_HEADERS,			/* a JSON object of extra request headers */
	OPTKIND_CONFIG_FILE,		/* a file the server reads: privileged */
	OPTKIND_SAMPLE_PATH,		/* one path relative to base_url */
	OPTKIND_CONCURRENCY			/* 1 .. REST_MAX_FETCH_CONCURRENCY */
} RestOptKind;

typedef struct RestFdwOption
{
	const char *name;
	Oid			context;		/* catalog the option belongs to */
	bool		secret;			/* accepted only in user mappings */
	RestOptKind kind;
} RestFdwOption;

static const RestFdwOption rest_options[] = {
	/* server */
	{OPT_BASE_URL, ForeignServerRelationId, false, OPTKIND_URL},
	{OPT_AUTH_METHOD, ForeignServerRelationId, false, OPTKIND_AUTH_METHOD},
	{OPT_TOKEN_URI, ForeignServerRelationId, false, OPTKIND_URL},
	{OPT_SCOPE, ForeignServerRelationId, false, OPTKIND_STRING},
	{OPT_GRANT_TYPE, ForeignServerRelationId, false, OPTKIND_GRANT_TYPE},
	{OPT_CLIENT_ID, ForeignServerRelationId, false, OPTKIND_STRING},
	{OPT_CLIENT_AUTH, ForeignServerRelationId, false, OPTKIND_CLIENT_AUTH},
	{OPT_AUTH_HEADER, ForeignServerRelationId, false, OPTKIND_HEADER_NAME},
	{OPT_AUTH_PARAM, ForeignServerRelationId, false, OPTKIND_STRING},
	{OPT_CONNECT_TIMEOUT, ForeignServerRelationId, false, OPTKIND_INT},
	{OPT_TIMEOUT, ForeignServerRelationId, false, OPTKIND_INT},
	{OPT_SSL_CA_FILE, ForeignServerRelationId, false, OPTKIND_PATH},
	{OPT_ALLOW_INSECURE_HTTP, ForeignServerRelationId, false, OPTKIND_BOOL},
	{OPT_MAX_RETRIES, ForeignServerRelationId, false, OPTKIND_NONNEG_INT},
	{OPT_MAX_RETRY_WAIT, ForeignServerRelationId, false, OPTKIND_INT},
	{OPT_MAX_RESPONSE_SIZE, ForeignServerRelationId, false, OPTKIND_BYTES},
	{OPT_LOW_SPEED_LIMIT, ForeignServerRelationId, false, OPTKIND_NONNEG_INT},
	{OPT_LOW_SPEED_TIME, ForeignServerRelationId, false, OPTKIND_INT},
	{OPT_USER_AGENT, ForeignServerRelationId, false, OPTKIND_STRING},
	{OPT_HEADERS, ForeignServerRelationId, false, OPTKIND_HEADERS},
	{OPT_REST_CONFIG_FILE, ForeignServerRelationId, false, OPTKIND_CONFIG_FILE},
	{OPT_REST_SAMPLE_PATH, ForeignServerRelationId, false, OPTKIND_SAMPLE_PATH},
	{OPT_SAMPLE_ROWS, ForeignServerRelationId, false, OPTKIND_COUNT},

	/* user mapping */
	{OPT_CLIENT_ID, UserMappingRelationId, false, OPTKIND_STRING},
	{OPT_CLIENT_SECRET, UserMappingRelationId, true, OPTKIND_STRING},
	{OPT_REFRESH_TOKEN, UserMappingRelationId, true, OPTKIND_STRING},
	{OPT_USER, UserMappingRelationId, false, OPTKIND_STRING},
	{OPT_PASSWORD, UserMappingRelationId, true, OPTKIND_STRING},
	{OPT_API_KEY, UserMappingRelationId, true, OPTKIND_STRING},
	{OPT_ACCESS_TOKEN, UserMappingRelationId, true, OPTKIND_STRING},

	/* foreign table */
	{OPT_ENDPOINT, ForeignTableRelationId, false, OPTKIND_ENDPOINT},
	{OPT_ROWS_PATH, ForeignTableRelationId, false, OPTKIND_JSON_PATH},
	{OPT_HEADERS, ForeignTableRelationId, false, OPTKIND_HEADERS},

	/* paging: defaults on the server, per table on the foreign table */
#define PAGING_OPTION(name, kind) \
	{name, ForeignServerRelationId, false, kind}, \
	{name, ForeignTableRelationId, false, kind}
	PAGING_OPTION(OPT_PAGING, OPTKIND_PAGING),
	PAGING_OPTION(OPT_PAGE_SIZE, OPTKIND_COUNT),
	PAGING_OPTION(OPT_PAGE_SIZE_PARAM, OPTKIND_PARAM_NAME),
	PAGING_OPTION(OPT_OFFSET_PARAM, OPTKIND_PARAM_NAME),
	PAGING_OPTION(OPT_FIRST_OFFSET, OPTKIND_NONNEG_INT),
	PAGING_OPTION(OPT_PAGE_PARAM, OPTKIND_PARAM_NAME),
	PAGING_OPTION(OPT_FIRST_PAGE, OPTKIND_NONNEG_INT),
	PAGING_OPTION(OPT_CURSOR_PATH, OPTKIND_JSON_PATH),
	PAGING_OPTION(OPT_CURSOR_PARAM, OPTKIND_PARAM_NAME),
	PAGING_OPTION(OPT_NEXT_URL_PATH, OPTKIND_JSON_PATH),
	PAGING_OPTION(OPT_HAS_MORE_PATH, OPTKIND_JSON_PATH),
	PAGING_OPTION(OPT_TOTAL_COUNT_PATH, OPTKIND_JSON_PATH),
	PAGING_OPTION(OPT_TOTAL_PAGES_PATH, OPTKIND_JSON_PATH),
	PAGING_OPTION(OPT_PAGE_END, OPTKIND_PAGE_END),
	PAGING_OPTION(OPT_MAX_PAGES, OPTKIND_COUNT),
	PAGING_OPTION(OPT_FETCH_CONCURRENCY, OPTKIND_CONCURRENCY),
	PAGING_OPTION(OPT_REQUEST_COST, OPTKIND_NUMBER),
	{OPT_ROWS, ForeignTableRelationId, false, OPTKIND_NUMBER},
	{OPT_EXACT, ForeignTableRelationId, false, OPTKIND_BOOL},

	/* column */
	{OPT_JSON_PATH, AttributeRelationId, false, OPTKIND_JSON_PATH},
	{OPT_PARAM, AttributeRelationId, false, OPTKIND_PARAM_NAME},
	{OPT_PARAM_LT, AttributeRelationId, false, OPTKIND_PARAM_NAME},
	{OPT_PARAM_LE, AttributeRelationId, false, OPTKIND_PARAM_NAME},
	{OPT_PARAM_GT, AttributeRelationId, false, OPTKIND_PARAM_NAME},
	{OPT_PARAM_GE, AttributeRelationId, false, OPTKIND_PARAM_NAME},
	{OPT_PARAM_NE, AttributeRelationId, false, OPTKIND_PARAM_NAME},
	{OPT_IN_STYLE, AttributeRelationId, false, OPTKIND_IN_STYLE},
	{OPT_VIRTUAL, AttributeRelationId, false, OPTKIND_BOOL},
	{OPT_PARAM_DEFAULT, AttributeRelationId, false, OPTKIND_STRING},

	{NULL, InvalidOid, false, OPTKIND_STRING}
};

static const RestFdwOption *find_option(const char *name, Oid context);
static bool is_secret_option(const char *name);
static char *valid_options_list(Oid context);
static void check_option_value(const RestFdwOption *opt, DefElem *def);
static RestAuthMethod parse_auth_method(const char *value, bool *ok);
static int	parse_positive_int(const char *value, bool *ok);
static int	parse_int_range(const char *value, long min, long max, bool *ok);
static int	parse_bytes(const char *value, bool *ok);
static RestPagingStyle parse_paging(const char *value, bool *ok);

/*
 * Validate the options given to CREATE/ALTER of a foreign data wrapper,
 * server, user mapping, foreign table or column of rest_fdw.
 *
 * The option list is the object's complete list after the change, so cross
 * option checks could be made here; values from other catalogs are checked
 * when a query uses them.
 */
Datum
rest_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	ListCell   *cell;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		const RestFdwOption *opt = find_option(def->defname, catalog);

		if (opt == NULL)
		{
			char	   *valid = valid_options_list(catalog);

			if (catalog == ForeignServerRelationId &&
				is_secret_option(def->defname))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
						 errmsg("option \"%s\" is a secret and cannot be set on a server",
								def->defname),
						 errdetail("The options of a server are stored in pg_foreign_server, which every user can read."),
						 errhint("Put \"%s\" in the user mapping: CREATE USER MAPPING FOR ... SERVER ... OPTIONS (%s '...').",
								 def->defname, def->defname)));

			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 valid[0] != '\0'
					 ? errhint("Valid options in this context are: %s", valid)
					 : errhint("There are no valid options in this context.")));
		}

		check_option_value(opt, def);
	}

	PG_RETURN_VOID();
}

static const RestFdwOption *
find_option(const char *name, Oid context)
{
	const RestFdwOption *opt;

	for (opt = rest_options; opt->name; opt++)
	{
		if (opt->context == context && strcmp(opt->name, name) == 0)
			return opt;
	}
	return NULL;
}

static bool
is_secret_option(const char *name)
{
	const RestFdwOption *opt;

	for (opt = rest_options; opt->name; opt++)
	{
		if (opt->secret && strcmp(opt->name, name) == 0)
			return true;
	}
	return false;
}

/* Comma-separated names of the options valid for a catalog. */
static char *
valid_options_list(Oid context)
{
	StringInfoData buf;
	const RestFdwOption *opt;

	initStringInfo(&buf);
	for (opt = rest_options; opt->name; opt++)
	{
		if (opt->context != context)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, opt->name);
	}
	return buf.data;
}

/*
 * Does the URL start with http:// or https:// and name a host?  Returns an
 * explanation of the problem, or NULL.
 */
static const char *
check_http_url(const char *url)
{
	const char *rest;

	if (pg_strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (pg_strncasecmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return "Only http:// and https:// URLs are supported.";

	if (*rest == '\0' || *rest == '/' || *rest == ':' || *rest == '?')
		return "The URL has no host name.";
	if (strchr(url, ' ') != NULL || rest_has_control_chars(url))
		return "The URL contains white space or control characters.";
	if (strchr(url, '#') != NULL)
		return "The URL contains a fragment (#).";
	return NULL;
}

/*
 * A dotted path: non-empty keys separated by single dots, a dot or
 * backslash inside a key written \. or \\ ("@odata\.nextLink").
 */
static bool
valid_dotted_path(const char *path)
{
	const char *p;
	bool		key_empty = true;

	for (p = path; *p; p++)
	{
		if (*p == '\\')
		{
			if (p[1] != '.' && p[1] != '\\')
				return false;
			p++;
			key_empty = false;
		}
		else if (*p == '.')
		{
			if (key_empty)
				return false;
			key_empty = true;
		}
		else
			key_empty = false;
	}
	return !key_empty && !rest_has_control_chars(path);
}

/*
 * Split a dotted path (valid_dotted_path) into its keys, with \. and \\
 * read as a dot and a backslash.  Returns a palloc'd array of *n keys.
 */
char **
rest_split_json_path(const char *path, int *n)
{
	char	  **keys = palloc(sizeof(char *) * (strlen(path) + 1));
	StringInfoData key;
	const char *p;

	*n = 0;
	initStringInfo(&key);
	for (p = path;; p++)
	{
		if (*p == '\\' && (p[1] == '.' || p[1] == '\\'))
			appendStringInfoChar(&key, *++p);
		else if (*p == '.' || *p == '\0')
		{
			keys[(*n)++] = pstrdup(key.data);
			resetStringInfo(&key);
			if (*p == '\0')
				break;
		}
		else
			appendStringInfoChar(&key, *p);
	}
	pfree(key.data);
	return keys;
}

/* Append a JSON key to a dotted path, escaping dots and backslashes */
void
rest_append_json_key(StringInfo buf, const char *key)
{
	for (; *key; key++)
	{
		if (*key == '.' || *key == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *key);
	}
}

/*
 * An option that names a file the server process reads (ssl_ca_file,
 * rest_config_file): naming it is as powerful as reading server files, so
 * only superusers and roles with the privileges of pg_read_server_files
 * may set it, the rule of file_fdw's filename.
 */
static void
check_may_name_server_file(const RestFdwOption *opt)
{
	if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set option \"%s\"", opt->name),
				 errdetail("Only superusers and roles with privileges of the pg_read_server_files role may name a file the server reads.")));
}

static void
check_option_value(const RestFdwOption *opt, DefElem *def)
{
	const char *value = defGetString(def);
	const char *problem = NULL;
	bool		ok;

	/*
	 * Values are never quoted back in these messages: some options hold
	 * secrets, and the others are visible in the catalogs anyway.
	 */
	switch (opt->kind)
	{
		case OPTKIND_STRING:
			if (rest_has_control_chars(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\"", opt->name),
						 errdetail("The value contains control characters such as newlines.")));
			if (value[0] == '\0' && strcmp(opt->name, OPT_SCOPE) != 0 &&
				strcmp(opt->name, OPT_USER_AGENT) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\"", opt->name),
						 errdetail("The value is empty.")));
			break;

		case OPTKIND_URL:
			problem = check_http_url(value);
			if (problem)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid URL in option \"%s\"", opt->name),
						 errdetail("%s", problem)));
			break;

		case OPTKIND_INT:
			(void) parse_positive_int(value, &ok);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("The value must be a positive integer number of seconds.")));
			break;

		case OPTKIND_AUTH_METHOD:
			(void) parse_auth_method(value, &ok);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Valid values are: none, basic, http_header, url_parameter, oauth2.")));
			break;

		case OPTKIND_GRANT_TYPE:
			if (pg_strcasecmp(value, "refresh_token") != 0 &&
				pg_strcasecmp(value, "client_credentials") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Valid values are: refresh_token, client_credentials.")));
			break;

		case OPTKIND_CLIENT_AUTH:
			if (pg_strcasecmp(value, "basic") != 0 &&
				pg_strcasecmp(value, "post") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Valid values are: basic (client_secret_basic), post (client_secret_post).")));
			break;

		case OPTKIND_HEADER_NAME:
			if (!rest_valid_header_name(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("An HTTP header name consists of letters, digits and !#$%%&'*+-.^_`|~ only.")));
			break;

		case OPTKIND_PATH:
			check_may_name_server_file(opt);
			if (!is_absolute_path(value) || rest_has_control_chars(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("The value must be an absolute file name.")));
			break;

		case OPTKIND_ENDPOINT:
		case OPTKIND_SAMPLE_PATH:
			if (pg_strncasecmp(value, "http://", 7) == 0 ||
				pg_strncasecmp(value, "https://", 8) == 0 ||
				strstr(value, "://") != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("The %s is a path relative to the server's base_url, not a URL.",
								   opt->kind == OPTKIND_ENDPOINT ? "endpoint" : "sample path"),
						 errhint("Put the scheme and host in the base_url option of the server.")));
			if (opt->kind == OPTKIND_SAMPLE_PATH &&
				(strpbrk(value, " |{}#") != NULL || rest_has_control_chars(value)))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("A sample path is one path without white space, placeholders or a fragment (#).")));
			if (opt->kind == OPTKIND_SAMPLE_PATH && rest_has_dot_segment(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("A sample path must not contain \".\" or \"..\" path segments: they would reach paths outside the server's base_url.")));
			if (opt->kind == OPTKIND_ENDPOINT &&
				(rest_parse_endpoints(value, NULL, &problem), problem != NULL))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("%s", problem),
						 errhint("Give a path relative to base_url, or several separated by \"|\", most specific first, each optionally followed by a space and its rows_path: '/customers/{customer_id}/orders | /orders'.")));
			break;

		case OPTKIND_HEADERS:
			(void) rest_parse_headers(value, &problem);
			if (problem != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\"", opt->name),
						 errdetail("%s", problem),
						 errhint("Give a JSON object of header names and string values, for example '{\"Accept\": \"application/vnd.api+json\"}'.")));
			break;

		case OPTKIND_CONFIG_FILE:
			check_may_name_server_file(opt);
			if (value[0] == '\0' || rest_has_control_chars(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\"", opt->name),
						 errhint("Give a file name, absolute or relative to the data directory.")));
			break;

		case OPTKIND_COUNT:
			(void) parse_int_range(value, 1, INT_MAX, &ok);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("The value must be a positive integer.")));
			break;

		case OPTKIND_NONNEG_INT:
			(void) parse_int_range(value, 0, INT_MAX, &ok);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("The value must be an integer of 0 or more.")));
			break;

		case OPTKIND_NUMBER:
			{
				char	   *end;
				double		d;

				errno = 0;
				d = strtod(value, &end);
				if (errno != 0 || end == value || *end != '\0' ||
					!(d >= 0 && d < 1e15))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									opt->name, value),
							 errhint("The value must be a non-negative number.")));
				break;
			}

		case OPTKIND_BOOL:
			if (!parse_bool(value, &ok))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("The value must be a Boolean: true or false.")));
			break;

		case OPTKIND_PAGING:
			(void) parse_paging(value, &ok);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Valid values are: none, offset, page, cursor, next_url, link_header.")));
			break;

		case OPTKIND_PAGE_END:
			if (pg_strcasecmp(value, "empty") != 0 &&
				pg_strcasecmp(value, "short") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Valid values are: empty (an empty page ends), short (a page shorter than page_size ends).")));
			break;

		case OPTKIND_IN_STYLE:
			if (pg_strcasecmp(value, "repeat") != 0 &&
				pg_strcasecmp(value, "comma") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Valid values are: repeat (id=1&id=2), comma (id=1,2).")));
			break;

		case OPTKIND_BYTES:
			(void) parse_bytes(value, &ok);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Give a size from 1kB to 1GB, in bytes or with a unit: kB, MB, GB.")));
			break;

		case OPTKIND_CONCURRENCY:
			(void) parse_int_range(value, 1, REST_MAX_FETCH_CONCURRENCY, &ok);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("The value must be an integer from 1 (one request at a time) to %d.",
								 REST_MAX_FETCH_CONCURRENCY)));
			break;

		case OPTKIND_PARAM_NAME:
			if (value[0] == '\0' || rest_has_control_chars(value) ||
				strpbrk(value, "&=#? ") != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("A query parameter name must not be empty or contain &, =, #, ? or spaces.")));
			break;

		case OPTKIND_JSON_PATH:
			if (!valid_dotted_path(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Give object keys separated by dots, for example \"data.items\"; write a dot inside a key as \\.")));
			break;
	}
}

static RestAuthMethod
parse_auth_method(const char *value, bool *ok)
{
	*ok = true;
	if (pg_strcasecmp(value, "none") == 0)
		return REST_AUTH_NONE;
	if (pg_strcasecmp(value, "basic") == 0)
		return REST_AUTH_BASIC;
	if (pg_strcasecmp(value, "http_header") == 0)
		return REST_AUTH_HTTP_HEADER;
	if (pg_strcasecmp(value, "url_parameter") == 0)
		return REST_AUTH_URL_PARAMETER;
	if (pg_strcasecmp(value, "oauth2") == 0)
		return REST_AUTH_OAUTH2;
	*ok = false;
	return REST_AUTH_NONE;
}

const char *
rest_auth_method_name(RestAuthMethod method)
{
	switch (method)
	{
		case REST_AUTH_NONE:
			return "none";
		case REST_AUTH_BASIC:
			return "basic";
		case REST_AUTH_HTTP_HEADER:
			return "http_header";
		case REST_AUTH_URL_PARAMETER:
			return "url_parameter";
		case REST_AUTH_OAUTH2:
			return "oauth2";
	}
	return "?";
}

/* quote_identifier for files that cannot include utils/builtins.h (jansson) */
const char *
rest_quote_ident(const char *ident)
{
	return quote_identifier(ident);
}

/* quote_literal_cstr, for the same files */
char *
rest_quote_literal(const char *s)
{
	return quote_literal_cstr(s);
}

/*
 * A size in bytes (units kB, MB, GB allowed), 1kB to 1GB.  (A body is
 * kept with a terminating zero byte in one allocation, so http.c caps a
 * response at REST_MAX_RESPONSE_SIZE, one byte below 1GB.)
 */
static int
parse_bytes(const char *value, bool *ok)
{
	int			bytes;

	*ok = parse_int(value, &bytes, GUC_UNIT_BYTE, NULL) &&
		bytes >= 1024 && bytes <= 1024 * 1024 * 1024;
	return *ok ? bytes : 0;
}

/* An integer in [min, max]. */
static int
parse_int_range(const char *value, long min, long max, bool *ok)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(value, &end, 10);
	*ok = (errno == 0 && end != value && *end == '\0' && v >= min && v <= max);
	return *ok ? (int) v : 0;
}

static RestPagingStyle
parse_paging(const char *value, bool *ok)
{
	*ok = true;
	if (pg_strcasecmp(value, "none") == 0)
		return REST_PAGING_NONE;
	if (pg_strcasecmp(value, "offset") == 0)
		return REST_PAGING_OFFSET;
	if (pg_strcasecmp(value, "page") == 0)
		return REST_PAGING_PAGE;
	if (pg_strcasecmp(value, "cursor") == 0)
		return REST_PAGING_CURSOR;
	if (pg_strcasecmp(value, "next_url") == 0)
		return REST_PAGING_NEXT_URL;
	if (pg_strcasecmp(value, "link_header") == 0)
		return REST_PAGING_LINK_HEADER;
	*ok = false;
	return REST_PAGING_NONE;
}

const char *
rest_paging_name(RestPagingStyle style)
{
	switch (style)
	{
		case REST_PAGING_NONE:
			return "none";
		case REST_PAGING_OFFSET:
			return "offset";
		case REST_PAGING_PAGE:
			return "page";
		case REST_PAGING_CURSOR:
			return "cursor";
		case REST_PAGING_NEXT_URL:
			return "next_url";
		case REST_PAGING_LINK_HEADER:
			return "link_header";
	}
	return "?";
}

/* Seconds as a positive int, small enough to be turned into milliseconds. */
static int
parse_positive_int(const char *value, bool *ok)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(value, &end, 10);
	*ok = (errno == 0 && end != value && *end == '\0' &&
		   v > 0 && v <= INT_MAX / 1000);
	return *ok ? (int) v : 0;
}

/*
 * Build the connection options for a scan of a server by a user.
 *
 * The user mapping is looked up only when with_credentials is set and the
 * server's authentication method needs credentials; a missing one is an
 * error that says how to make it.  The result is palloc'd in the current memory context.
 */
RestConnOptions *
rest_get_conn_options(Oid serverid, Oid userid, bool with_credentials)
{
	ForeignServer *server = GetForeignServer(serverid);
	RestConnOptions *opts = palloc0(sizeof(RestConnOptions));
	ListCell   *lc;
	bool		ok;

	opts->serverid = serverid;
	opts->servername = pstrdup(server->servername);
	opts->umid = InvalidOid;
	opts->auth_method = REST_AUTH_NONE;
	opts->grant_type = REST_GRANT_REFRESH_TOKEN;
	opts->client_auth = REST_CLIENT_AUTH_BASIC;
	opts->auth_header = REST_DEFAULT_AUTH_HEADER;
	opts->auth_param = REST_DEFAULT_AUTH_PARAM;
	opts->connect_timeout = REST_DEFAULT_CONNECT_TIMEOUT;
	opts->timeout = REST_DEFAULT_TIMEOUT;
	opts->max_retries = REST_DEFAULT_MAX_RETRIES;
	opts->sample_rows = REST_DEFAULT_SAMPLE_ROWS;
	opts->max_retry_wait = REST_DEFAULT_MAX_RETRY_WAIT;
	opts->max_response_size = REST_DEFAULT_MAX_RESPONSE_SIZE;
	opts->owner_is_superuser = superuser_arg(server->owner);
	opts->user_agent = REST_DEFAULT_USER_AGENT;

	foreach(lc, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		char	   *val = defGetString(def);

		if (strcmp(def->defname, OPT_BASE_URL) == 0)
			opts->base_url = val;
		else if (strcmp(def->defname, OPT_AUTH_METHOD) == 0)
			opts->auth_method = parse_auth_method(val, &ok);
		else if (strcmp(def->defname, OPT_TOKEN_URI) == 0)
			opts->token_uri = val;
		else if (strcmp(def->defname, OPT_SCOPE) == 0)
			opts->scope = val;
		else if (strcmp(def->defname, OPT_GRANT_TYPE) == 0)
			opts->grant_type = pg_strcasecmp(val, "client_credentials") == 0
				? REST_GRANT_CLIENT_CREDENTIALS : REST_GRANT_REFRESH_TOKEN;
		else if (strcmp(def->defname, OPT_CLIENT_ID) == 0)
			opts->client_id = val;
		else if (strcmp(def->defname, OPT_CLIENT_AUTH) == 0)
			opts->client_auth = pg_strcasecmp(val, "post") == 0
				? REST_CLIENT_AUTH_POST : REST_CLIENT_AUTH_BASIC;
		else if (strcmp(def->defname, OPT_AUTH_HEADER) == 0)
			opts->auth_header = val;
		else if (strcmp(def->defname, OPT_AUTH_PARAM) == 0)
			opts->auth_param = val;
		else if (strcmp(def->defname, OPT_CONNECT_TIMEOUT) == 0)
			opts->connect_timeout = parse_positive_int(val, &ok);
		else if (strcmp(def->defname, OPT_TIMEOUT) == 0)
			opts->timeout = parse_positive_int(val, &ok);
		else if (strcmp(def->defname, OPT_SSL_CA_FILE) == 0)
			opts->ssl_ca_file = val;
		else if (strcmp(def->defname, OPT_ALLOW_INSECURE_HTTP) == 0)
			(void) parse_bool(val, &opts->allow_insecure_http);
		else if (strcmp(def->defname, OPT_MAX_RETRIES) == 0)
			opts->max_retries = parse_int_range(val, 0, INT_MAX, &ok);
		else if (strcmp(def->defname, OPT_MAX_RETRY_WAIT) == 0)
			opts->max_retry_wait = parse_positive_int(val, &ok);
		else if (strcmp(def->defname, OPT_MAX_RESPONSE_SIZE) == 0)
			opts->max_response_size = parse_bytes(val, &ok);
		else if (strcmp(def->defname, OPT_LOW_SPEED_LIMIT) == 0)
			opts->low_speed_limit = parse_int_range(val, 0, INT_MAX, &ok);
		else if (strcmp(def->defname, OPT_LOW_SPEED_TIME) == 0)
			opts->low_speed_time = parse_positive_int(val, &ok);
		else if (strcmp(def->defname, OPT_USER_AGENT) == 0)
			opts->user_agent = val;
		else if (strcmp(def->defname, OPT_HEADERS) == 0)
			opts->headers = rest_parse_headers(val, NULL);
		else if (strcmp(def->defname, OPT_REST_CONFIG_FILE) == 0)
			opts->rest_config_file = val;
		else if (strcmp(def->defname, OPT_REST_SAMPLE_PATH) == 0)
			opts->rest_sample_path = val;
		else if (strcmp(def->defname, OPT_SAMPLE_ROWS) == 0)
			opts->sample_rows = parse_int_range(val, 1, INT_MAX, &ok);
	}

	if (with_credentials && opts->auth_method != REST_AUTH_NONE)
	{
		UserMapping *um;

		/* GetUserMapping's own error does not say what to do about it */
		if (!SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								   ObjectIdGetDatum(userid),
								   ObjectIdGetDatum(serverid)) &&
			!SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								   ObjectIdGetDatum(InvalidOid),
								   ObjectIdGetDatum(serverid)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("user mapping not found for user \"%s\" and server \"%s\"",
							GetUserNameFromId(userid, false), opts->servername),
					 errdetail("Authentication method \"%s\" needs credentials from a user mapping.",
							   rest_auth_method_name(opts->auth_method)),
					 errhint("Create one with CREATE USER MAPPING FOR %s SERVER %s OPTIONS (...).",
							 quote_identifier(GetUserNameFromId(userid, false)),
							 quote_identifier(opts->servername))));

		um = GetUserMapping(userid, serverid);
		opts->umid = um->umid;
		foreach(lc, um->options)
		{
			DefElem    *def = (DefElem *) lfirst(lc);
			char	   *val = defGetString(def);

			if (strcmp(def->defname, OPT_CLIENT_ID) == 0)
				opts->client_id = val;
			else if (strcmp(def->defname, OPT_CLIENT_SECRET) == 0)
				opts->client_secret = val;
			else if (strcmp(def->defname, OPT_REFRESH_TOKEN) == 0)
				opts->refresh_token = val;
			else if (strcmp(def->defname, OPT_USER) == 0)
				opts->user = val;
			else if (strcmp(def->defname, OPT_PASSWORD) == 0)
				opts->password = val;
			else if (strcmp(def->defname, OPT_API_KEY) == 0)
				opts->api_key = val;
			else if (strcmp(def->defname, OPT_ACCESS_TOKEN) == 0)
				opts->access_token = val;
		}
	}

	return opts;
}

/* A scan needs a base URL; say how to set it. */
void
rest_require_base_url(RestConnOptions *conn)
{
	if (conn->base_url == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option",
						conn->servername, OPT_BASE_URL),
				 errhint("Set it with ALTER SERVER %s OPTIONS (ADD base_url 'https://...').",
						 quote_identifier(conn->servername))));
}

/*
 * Apply one paging option (from the server or the table) to *pg.  Returns
 * false if the option is not a paging option.
 */
static bool
apply_paging_option(RestPaging *pg, DefElem *def, RestTableOptions *opts)
{
	const char *name = def->defname;
	char	   *val = defGetString(def);
	bool		ok;

	if (strcmp(name, OPT_PAGING) == 0)
		pg->style = parse_paging(val, &ok);
	else if (strcmp(name, OPT_PAGE_SIZE) == 0)
		pg->page_size = parse_int_range(val, 1, INT_MAX, &ok);
	else if (strcmp(name, OPT_PAGE_SIZE_PARAM) == 0)
		pg->page_size_param = val;
	else if (strcmp(name, OPT_OFFSET_PARAM) == 0)
		pg->offset_param = val;
	else if (strcmp(name, OPT_FIRST_OFFSET) == 0)
		pg->first_offset = parse_int_range(val, 0, INT_MAX, &ok);
	else if (strcmp(name, OPT_PAGE_PARAM) == 0)
		pg->page_param = val;
	else if (strcmp(name, OPT_FIRST_PAGE) == 0)
		pg->first_page = parse_int_range(val, 0, INT_MAX, &ok);
	else if (strcmp(name, OPT_CURSOR_PATH) == 0)
		pg->cursor_path = val;
	else if (strcmp(name, OPT_CURSOR_PARAM) == 0)
		pg->cursor_param = val;
	else if (strcmp(name, OPT_NEXT_URL_PATH) == 0)
		pg->next_url_path = val;
	else if (strcmp(name, OPT_HAS_MORE_PATH) == 0)
		pg->has_more_path = val;
	else if (strcmp(name, OPT_TOTAL_COUNT_PATH) == 0)
		pg->total_count_path = val;
	else if (strcmp(name, OPT_TOTAL_PAGES_PATH) == 0)
		pg->total_pages_path = val;
	else if (strcmp(name, OPT_PAGE_END) == 0)
		pg->short_page_ends = pg_strcasecmp(val, "short") == 0;
	else if (strcmp(name, OPT_MAX_PAGES) == 0)
		pg->max_pages = parse_int_range(val, 1, INT_MAX, &ok);
	else if (strcmp(name, OPT_FETCH_CONCURRENCY) == 0)
		pg->fetch_concurrency = parse_int_range(val, 1, REST_MAX_FETCH_CONCURRENCY, &ok);
	else if (strcmp(name, OPT_REQUEST_COST) == 0)
		opts->request_cost = strtod(val, NULL);
	else
		return false;
	return true;
}

static bool
any_endpoint_without_rows_path(RestTableOptions *opts)
{
	ListCell   *lc;

	foreach(lc, opts->endpoints)
	{
		if (((RestEndpoint *) lfirst(lc))->rows_path == NULL)
			return true;
	}
	return false;
}

/*
 * Read a foreign table's options, with its server's paging defaults, and
 * each column's options (json_path defaults to the column name).  Paging
 * options that a style needs are checked here, where both catalogs are
 * known.  Dropped columns get zeroed options.
 */
RestTableOptions *
rest_get_table_options(Oid relid, TupleDesc tupdesc)
{
	ForeignTable *table = GetForeignTable(relid);
	ForeignServer *server = GetForeignServer(table->serverid);
	RestTableOptions *opts = palloc0(sizeof(RestTableOptions));
	RestPaging *pg = &opts->paging;
	ListCell   *lc;
	int			i;

	pg->style = REST_PAGING_NONE;
	pg->first_page = 1;
	pg->cursor_param = "cursor";
	pg->max_pages = REST_DEFAULT_MAX_PAGES;
	pg->fetch_concurrency = REST_DEFAULT_FETCH_CONCURRENCY;
	opts->rows = -1;
	opts->request_cost = REST_DEFAULT_REQUEST_COST;

	foreach(lc, server->options)
		(void) apply_paging_option(pg, (DefElem *) lfirst(lc), opts);

	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (apply_paging_option(pg, def, opts))
			continue;
		if (strcmp(def->defname, OPT_ENDPOINT) == 0)
			opts->endpoint = defGetString(def);
		else if (strcmp(def->defname, OPT_ROWS_PATH) == 0)
			opts->rows_path = defGetString(def);
		else if (strcmp(def->defname, OPT_ROWS) == 0)
			opts->rows = strtod(defGetString(def), NULL);
		else if (strcmp(def->defname, OPT_EXACT) == 0)
			opts->exact = defGetBoolean(def);
		else if (strcmp(def->defname, OPT_HEADERS) == 0)
			opts->headers = rest_parse_headers(defGetString(def), NULL);
	}
	opts->endpoints = rest_parse_endpoints(opts->endpoint, opts->rows_path,
										   NULL);

	/* style defaults for parameter names */
	if (pg->style == REST_PAGING_OFFSET)
	{
		if (pg->offset_param == NULL)
			pg->offset_param = "offset";
		if (pg->page_size_param == NULL)
			pg->page_size_param = "limit";
	}
	else if (pg->style == REST_PAGING_PAGE && pg->page_param == NULL)
		pg->page_param = "page";

	if (pg->style == REST_PAGING_CURSOR && pg->cursor_path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("paging \"cursor\" needs the \"%s\" option", OPT_CURSOR_PATH),
				 errhint("Name the element of the response that holds the next cursor, for example OPTIONS (ADD cursor_path 'meta.next_cursor').")));
	if (pg->style == REST_PAGING_NEXT_URL && pg->next_url_path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("paging \"next_url\" needs the \"%s\" option", OPT_NEXT_URL_PATH),
				 errhint("Name the element of the response that holds the next page's URL, for example OPTIONS (ADD next_url_path 'links.next').")));
	if ((pg->cursor_path || pg->next_url_path || pg->has_more_path ||
		 pg->total_count_path || pg->total_pages_path) &&
		pg->style != REST_PAGING_NONE && any_endpoint_without_rows_path(opts))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("paging of foreign table \"%s\" reads elements of the response, so it needs the \"%s\" option",
						get_rel_name(relid), OPT_ROWS_PATH),
				 errhint("Set rows_path to the array of rows inside the response object.")));

	opts->natts = tupdesc->natts;
	opts->cols = palloc0(sizeof(RestColumnOptions) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		RestColumnOptions *col = &opts->cols[i];

		if (att->attisdropped)
			continue;
		col->json_path = pstrdup(NameStr(att->attname));
		foreach(lc, GetForeignColumnOptions(relid, att->attnum))
		{
			DefElem    *def = (DefElem *) lfirst(lc);
			char	   *val = defGetString(def);

			if (strcmp(def->defname, OPT_JSON_PATH) == 0)
				col->json_path = val;
			else if (strcmp(def->defname, OPT_PARAM) == 0)
				col->params[REST_OP_EQ] = val;
			else if (strcmp(def->defname, OPT_PARAM_LT) == 0)
				col->params[REST_OP_LT] = val;
			else if (strcmp(def->defname, OPT_PARAM_LE) == 0)
				col->params[REST_OP_LE] = val;
			else if (strcmp(def->defname, OPT_PARAM_GT) == 0)
				col->params[REST_OP_GT] = val;
			else if (strcmp(def->defname, OPT_PARAM_GE) == 0)
				col->params[REST_OP_GE] = val;
			else if (strcmp(def->defname, OPT_PARAM_NE) == 0)
				col->params[REST_OP_NE] = val;
			else if (strcmp(def->defname, OPT_IN_STYLE) == 0)
				col->in_comma = pg_strcasecmp(val, "comma") == 0;
			else if (strcmp(def->defname, OPT_VIRTUAL) == 0)
				col->is_virtual = defGetBoolean(def);
			else if (strcmp(def->defname, OPT_PARAM_DEFAULT) == 0)
				col->param_default = val;
		}
	}

	return opts;
}

/*
 * Is s at a path separator as some server reads it: "/", "\\" (IIS), or
 * their percent-encodings?  Returns its length, or 0.
 */
static int
path_separator(const char *s)
{
	if (*s == '/' || *s == '\\')
		return 1;
	if (s[0] == '%' && (s[1] == '2' || s[1] == '5') &&
		((s[1] == '2' && (s[2] == 'f' || s[2] == 'F')) ||
		 (s[1] == '5' && (s[2] == 'c' || s[2] == 'C'))))
		return 3;
	return 0;
}

/*
 * Does the path part (up to '?') of an endpoint hold a "." or ".." segment,
 * also percent-encoded ("%2e%2E"), with path parameters (Tomcat's "..;x"),
 * or between backslashes or encoded slashes?  libcurl and servers resolve
 * them, so "/../admin" would leave base_url's path.
 */
bool
rest_has_dot_segment(const char *path)
{
	const char *p = path;

	while (*p && *p != '?')
	{
		int			dots = 0;
		bool		other = false;

		while (*p && *p != '?' && path_separator(p) == 0)
		{
			if (*p == '.')
			{
				dots++;
				p++;
			}
			else if (p[0] == '%' && p[1] == '2' && (p[2] == 'e' || p[2] == 'E'))
			{
				dots++;
				p += 3;
			}
			else if (*p == ';' && !other)
			{
				/* "..;jsessionid=1" is ".." to servlet containers */
				while (*p && *p != '?' && path_separator(p) == 0)
					p++;
			}
			else
			{
				other = true;
				p++;
			}
		}
		if (!other && (dots == 1 || dots == 2))
			return true;
		if (*p && *p != '?')
			p += path_separator(p);
	}
	return false;
}

/*
 * Split an endpoint option into its alternatives: paths separated by "|",
 * most specific first, each optionally followed by white space and the
 * rows_path of its responses (default_rows_path otherwise).  Returns a List
 * of RestEndpoint; a NULL value gives one alternative with an empty path
 * (base_url itself).  With problem NULL, a malformed value (which the
 * validator rejects) raises an error; otherwise *problem explains it.
 */
List *
rest_parse_endpoints(const char *value, const char *default_rows_path,
					 const char **problem)
{
	List	   *result = NIL;
	const char *p = value;

	if (problem)
		*problem = NULL;
	if (value == NULL)
	{
		RestEndpoint *ep = palloc0(sizeof(RestEndpoint));

		ep->path = "";
		ep->rows_path = (char *) default_rows_path;
		return list_make1(ep);
	}

	for (;;)
	{
		const char *end = strchr(p, '|');
		char	   *alt = end ? pnstrdup(p, end - p) : pstrdup(p);
		char	   *path;
		char	   *rows = NULL;
		char	   *q;
		const char *bad = NULL;
		RestEndpoint *ep;

		/* trim, then split "path rows_path" */
		while (*alt == ' ' || *alt == '\t')
			alt++;
		q = alt + strlen(alt);
		while (q > alt && (q[-1] == ' ' || q[-1] == '\t'))
			*--q = '\0';
		path = alt;
		q = strpbrk(alt, " \t");
		if (q)
		{
			*q++ = '\0';
			while (*q == ' ' || *q == '\t')
				q++;
			rows = q;
		}

		if (rest_has_control_chars(alt) || (rows && rest_has_control_chars(rows)))
			bad = "An endpoint must not contain control characters.";
		else if (*path == '\0' && (end != NULL || p != value))
			bad = "An alternative of the endpoint is empty.";
		else if (strchr(path, '#') != NULL)
			bad = "An endpoint must not contain a fragment (#).";
		else if (strstr(path, "://") != NULL)
			bad = "An endpoint is a path relative to the server's base_url, not a URL.";
		else if (rest_has_dot_segment(path))
			bad = "An endpoint must not contain \".\" or \"..\" path segments: they would reach paths outside the server's base_url.";
		else if (rows && (strpbrk(rows, " \t") != NULL || !valid_dotted_path(rows)))
			bad = psprintf("The rows path \"%s\" after an endpoint must be object keys separated by dots.", rows);
		if (bad)
		{
			if (problem == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								OPT_ENDPOINT, value),
						 errdetail("%s", bad)));
			*problem = bad;
			return NIL;
		}

		ep = palloc0(sizeof(RestEndpoint));
		ep->path = path;
		ep->rows_path = rows ? rows : (char *) default_rows_path;
		result = lappend(result, ep);
		if (end == NULL)
			break;
		p = end + 1;
	}
	return result;
}
