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
#include "rest_fdw.h"

#include <limits.h>

#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

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
	OPTKIND_PATH,				/* absolute file system path */
	OPTKIND_ENDPOINT,			/* path relative to base_url */
	OPTKIND_JSON_PATH			/* dotted path of object keys */
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
	{OPT_USER_AGENT, ForeignServerRelationId, false, OPTKIND_STRING},

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

	/* column */
	{OPT_JSON_PATH, AttributeRelationId, false, OPTKIND_JSON_PATH},

	{NULL, InvalidOid, false, OPTKIND_STRING}
};

static const RestFdwOption *find_option(const char *name, Oid context);
static bool is_secret_option(const char *name);
static char *valid_options_list(Oid context);
static void check_option_value(const RestFdwOption *opt, DefElem *def);
static RestAuthMethod parse_auth_method(const char *value, bool *ok);
static int	parse_positive_int(const char *value, bool *ok);

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

/* Is every byte of s printable or non-ASCII, so it cannot split a header? */
static bool
has_control_chars(const char *s)
{
	for (; *s; s++)
	{
		if ((unsigned char) *s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
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
	if (strchr(url, ' ') != NULL || has_control_chars(url))
		return "The URL contains white space or control characters.";
	if (strchr(url, '#') != NULL)
		return "The URL contains a fragment (#).";
	return NULL;
}

/* A dotted path: non-empty components separated by single dots. */
static bool
valid_dotted_path(const char *path)
{
	const char *p;

	if (*path == '\0' || *path == '.')
		return false;
	for (p = path; *p; p++)
	{
		if (*p == '.' && (p[1] == '.' || p[1] == '\0'))
			return false;
	}
	return !has_control_chars(path);
}

/* RFC 9110 token characters, as allowed in an HTTP field name */
static bool
valid_header_name(const char *name)
{
	const char *p;

	if (*name == '\0')
		return false;
	for (p = name; *p; p++)
	{
		if (!(isalnum((unsigned char) *p) || strchr("!#$%&'*+-.^_`|~", *p)))
			return false;
	}
	return true;
}

static void
check_option_value(const RestFdwOption *opt, DefElem *def)
{
	const char *value = defGetString(def);
	const char *problem;
	bool		ok;

	/*
	 * Values are never quoted back in these messages: some options hold
	 * secrets, and the others are visible in the catalogs anyway.
	 */
	switch (opt->kind)
	{
		case OPTKIND_STRING:
			if (has_control_chars(value))
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
			if (!valid_header_name(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("An HTTP header name consists of letters, digits and !#$%%&'*+-.^_`|~ only.")));
			break;

		case OPTKIND_PATH:
			if (!is_absolute_path(value) || has_control_chars(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("The value must be an absolute file name.")));
			break;

		case OPTKIND_ENDPOINT:
			if (pg_strncasecmp(value, "http://", 7) == 0 ||
				pg_strncasecmp(value, "https://", 8) == 0 ||
				strstr(value, "://") != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("The endpoint is a path relative to the server's base_url, not a URL."),
						 errhint("Put the scheme and host in the base_url option of the server.")));
			if (strchr(value, ' ') != NULL || strchr(value, '#') != NULL ||
				has_control_chars(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errdetail("An endpoint must not contain white space, control characters or a fragment (#).")));
			break;

		case OPTKIND_JSON_PATH:
			if (!valid_dotted_path(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"%s\": \"%s\"",
								opt->name, value),
						 errhint("Give object keys separated by dots, for example \"data.items\".")));
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
		else if (strcmp(def->defname, OPT_USER_AGENT) == 0)
			opts->user_agent = val;
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
 * Read a foreign table's options and each column's json_path (the column
 * name when unset).  Dropped columns get a NULL path.
 */
RestTableOptions *
rest_get_table_options(Oid relid, TupleDesc tupdesc)
{
	ForeignTable *table = GetForeignTable(relid);
	RestTableOptions *opts = palloc0(sizeof(RestTableOptions));
	ListCell   *lc;
	int			i;

	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, OPT_ENDPOINT) == 0)
			opts->endpoint = defGetString(def);
		else if (strcmp(def->defname, OPT_ROWS_PATH) == 0)
			opts->rows_path = defGetString(def);
	}

	opts->natts = tupdesc->natts;
	opts->json_paths = palloc0(sizeof(char *) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		opts->json_paths[i] = pstrdup(NameStr(att->attname));
		foreach(lc, GetForeignColumnOptions(relid, att->attnum))
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, OPT_JSON_PATH) == 0)
				opts->json_paths[i] = defGetString(def);
		}
	}

	return opts;
}
