/*-------------------------------------------------------------------------
 *
 * migrate.c
 *		  Coming from the DataDirect Autonomous REST Connector: a server and
 *		  a user mapping from a DataDirect connection string or odbc.ini
 *		  data source.
 *
 *	 SELECT * FROM rest_fdw_import_connection(
 *		 'AuthenticationMethod=OAuth2-RefreshToken;HostName=https://api.example.com;'
 *		 'ClientID=abc;ClientSecret={s;e}}c};RefreshToken=...', 'api');
 *
 * The text is either a connection string (Key=Value pairs separated by
 * semicolons, a value in braces when it holds semicolons or leading or
 * trailing spaces, optionally after a "jdbc:datadirect:autorest:" prefix)
 * or one data source section of an odbc.ini file ("[name]", then Key=Value
 * lines, "#" and ";" comments).  Property names are case-insensitive.
 *
 * Each DataDirect property is mapped by the table props[] to a rest_fdw
 * option: the secrets (as options.c says) go into the caller's user
 * mapping, the rest into the server.  Properties that only steer the
 * driver are reported in a NOTICE and ignored, as are names this file does
 * not know.  The server and the user mapping are made by
 * CreateForeignServer() and CreateUserMapping(), as the caller, so the
 * privilege checks are those of CREATE SERVER and CREATE USER MAPPING and
 * the validator checks every option; no SQL text is built, so no statement
 * holding a secret reaches an error context or the log.  No message of
 * this file shows a value that may be secret.
 *
 * rest_fdw_sample_model(), the other migration helper, is in
 * samplemodel.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "rest_fdw.h"

PG_FUNCTION_INFO_V1(rest_fdw_import_connection);

/* Bounds on hostile input: DataDirect strings are a few hundred bytes */
#define MAX_CONNECTION_STRING	65536
#define MAX_PROPERTIES			256
#define MAX_PROPERTY_NAME		64

#define MASKED_VALUE			"********"

/* What a DataDirect property becomes */
typedef enum PropHow
{
	HOW_OPTION,					/* the value as the option's value */
	HOW_AUTH,					/* AuthenticationMethod */
	HOW_HOST,					/* HostName / ServerName: base_url */
	HOW_PORT,					/* PortNumber: into base_url */
	HOW_SAMPLE,					/* Sample: rest_sample_path (and base_url) */
	HOW_QUOTED,					/* a path that may be in single quotes */
	HOW_TOKEN_URI,				/* TokenURI, optionally "POST url" */
	HOW_SECURITY_TOKEN,			/* access_token or api_key, by method */
	HOW_PROXY_HOST,				/* ProxyHost / ProxyPort: proxy */
	HOW_PROXY_PORT,
	HOW_SECONDS,				/* timeouts: 0 (none) keeps the default */
	HOW_VERIFY,					/* ValidateServerCertificate: ssl_verify */
	HOW_CLIENT_MODE,			/* ClientCredentialsMode: client_auth */
	HOW_IGNORED,				/* driver-only: NOTICE, ignored */
	HOW_UNSUPPORTED				/* no counterpart: NOTICE, ignored */
} PropHow;

typedef enum PropTarget
{
	TGT_NONE,
	TGT_SERVER,
	TGT_MAPPING
} PropTarget;

typedef struct DDProperty
{
	const char *name;			/* DataDirect name */
	const char *alias;			/* ODBC short name or JDBC alternative */
	PropHow		how;
	const char *option;			/* rest_fdw option, or NULL */
	PropTarget	target;
	bool		secret;			/* never show the value (besides the
								 * options options.c calls secret) */
	const char *why;			/* why ignored, for the NOTICE's DETAIL */
} DDProperty;

#define DRIVER_ONLY "It steers the DataDirect driver itself and has no counterpart in rest_fdw."

/*
 * Every property this file knows.  README "Migrating from DataDirect"
 * lists the same with the reasons.
 */
static const DDProperty props[] = {
	/* general */
	{"AuthenticationMethod", "am", HOW_AUTH, OPT_AUTH_METHOD, TGT_SERVER},
	{"HostName", "host", HOW_HOST, OPT_BASE_URL, TGT_SERVER},
	{"ServerName", NULL, HOW_HOST, OPT_BASE_URL, TGT_SERVER},
	{"PortNumber", "port", HOW_PORT, OPT_BASE_URL, TGT_SERVER},
	{"RESTConfigFile", "rcf", HOW_QUOTED, OPT_REST_CONFIG_FILE, TGT_SERVER},
	{"Config", NULL, HOW_QUOTED, OPT_REST_CONFIG_FILE, TGT_SERVER},
	{"RESTSamplePath", "rsp", HOW_SAMPLE, OPT_REST_SAMPLE_PATH, TGT_SERVER},
	{"Sample", NULL, HOW_SAMPLE, OPT_REST_SAMPLE_PATH, TGT_SERVER},
	/* basic, digest, HTTP header, URL parameter, bearer */
	{"User", "uid", HOW_OPTION, OPT_USER, TGT_MAPPING},
	{"Password", "pwd", HOW_OPTION, OPT_PASSWORD, TGT_MAPPING, true},
	{"AuthHeader", "ah", HOW_OPTION, OPT_AUTH_HEADER, TGT_SERVER},
	{"AuthParam", "ap", HOW_OPTION, OPT_AUTH_PARAM, TGT_SERVER},
	{"SecurityToken", "st", HOW_SECURITY_TOKEN, NULL, TGT_MAPPING, true},
	/* AWS */
	{"AccessKey", NULL, HOW_OPTION, OPT_AWS_ACCESS_KEY_ID, TGT_MAPPING},
	{"SecretKey", NULL, HOW_OPTION, OPT_AWS_SECRET_ACCESS_KEY, TGT_MAPPING, true},
	{"SessionToken", NULL, HOW_OPTION, OPT_AWS_SESSION_TOKEN, TGT_MAPPING, true},
	{"Region", NULL, HOW_OPTION, OPT_AWS_REGION, TGT_SERVER},
	{"ServiceName", NULL, HOW_OPTION, OPT_AWS_SERVICE, TGT_SERVER},
	/* OAuth 2.0 */
	{"ClientID", "cid", HOW_OPTION, OPT_CLIENT_ID, TGT_SERVER},
	{"ClientSecret", "cs", HOW_OPTION, OPT_CLIENT_SECRET, TGT_MAPPING, true},
	{"RefreshToken", "rt", HOW_OPTION, OPT_REFRESH_TOKEN, TGT_MAPPING, true},
	{"AccessToken", "at", HOW_OPTION, OPT_ACCESS_TOKEN, TGT_MAPPING, true},
	{"TokenURI", "turi", HOW_TOKEN_URI, OPT_TOKEN_URI, TGT_SERVER},
	{"AuthURI", "auri", HOW_OPTION, OPT_AUTHORIZATION_URI, TGT_SERVER},
	{"RedirectURI", "ruri", HOW_OPTION, OPT_REDIRECT_URI, TGT_SERVER},
	{"Scope", NULL, HOW_OPTION, OPT_SCOPE, TGT_SERVER},
	{"ClientCredentialsMode", "clcm", HOW_CLIENT_MODE, OPT_CLIENT_AUTH, TGT_SERVER},
	{"ClaimsIssuer", NULL, HOW_OPTION, OPT_JWT_ISSUER, TGT_SERVER},
	{"ClaimsSubject", NULL, HOW_OPTION, OPT_JWT_SUBJECT, TGT_SERVER},
	{"ClaimsAudience", NULL, HOW_OPTION, OPT_JWT_AUDIENCE, TGT_SERVER},
	{"OAuthCode", "oac", HOW_UNSUPPORTED, NULL, TGT_NONE, true,
	"An authorization code is used once; obtain the refresh token with rest_fdw_authorize_url() and rest_fdw_authorize_finish() instead."},
	/* TLS and proxies */
	{"ValidateServerCertificate", "vsc", HOW_VERIFY, OPT_SSL_VERIFY, TGT_SERVER},
	{"TrustStore", "ts", HOW_QUOTED, OPT_SSL_CA_FILE, TGT_SERVER},
	{"TrustStorePassword", "tsp", HOW_UNSUPPORTED, NULL, TGT_NONE, true,
	"rest_fdw reads CA certificates from a PEM file (ssl_ca_file), which has no password."},
	{"KeyStore", NULL, HOW_UNSUPPORTED, NULL, TGT_NONE, false,
	"rest_fdw takes a client certificate as PEM: ssl_cert and ssl_key in the user mapping, or ssl_cert_file and ssl_key_file."},
	{"KeyStorePassword", NULL, HOW_UNSUPPORTED, NULL, TGT_NONE, true,
	"rest_fdw takes a client certificate as PEM: ssl_cert and ssl_key in the user mapping, or ssl_cert_file and ssl_key_file."},
	{"KeyPassword", NULL, HOW_UNSUPPORTED, NULL, TGT_NONE, true,
	"rest_fdw takes a client certificate as PEM: ssl_cert and ssl_key in the user mapping, or ssl_cert_file and ssl_key_file."},
	{"HostNameInCertificate", "hnic", HOW_UNSUPPORTED, NULL, TGT_NONE, false,
	"rest_fdw checks the certificate against the host name of base_url."},
	{"CryptoProtocolVersion", "cpv", HOW_UNSUPPORTED, NULL, TGT_NONE, false,
	"Set the lowest TLS version with the server option ssl_min_version."},
	{"ProxyHost", "pxhn", HOW_PROXY_HOST, OPT_PROXY, TGT_SERVER},
	{"ProxyPort", "pxpt", HOW_PROXY_PORT, OPT_PROXY, TGT_SERVER},
	{"ProxyUser", "pxu", HOW_OPTION, OPT_PROXY_USER, TGT_MAPPING},
	{"ProxyPassword", "pxpw", HOW_OPTION, OPT_PROXY_PASSWORD, TGT_MAPPING, true},
	/* web service */
	{"LoginTimeout", "lt", HOW_SECONDS, OPT_CONNECT_TIMEOUT, TGT_SERVER},
	{"WSTimeout", "wst", HOW_SECONDS, OPT_TIMEOUT, TGT_SERVER},
	{"WSRetryCount", "wsrc", HOW_OPTION, OPT_MAX_RETRIES, TGT_SERVER},
	{"WSFetchSize", "wsfs", HOW_IGNORED, NULL, TGT_NONE, false,
	"rest_fdw fetches the pages an API returns, of the size given by page_size."},
	{"WSPoolSize", "wsps", HOW_IGNORED, NULL, TGT_NONE, false,
	"rest_fdw keeps one connection cache per backend; fetch_concurrency sets parallel page requests."},
	{"StmtCallLimit", "scl", HOW_IGNORED, NULL, TGT_NONE, false,
	"The per-table option max_pages bounds the requests of a scan."},
	/* driver only */
	{"Driver", NULL, HOW_IGNORED},
	{"DriverName", NULL, HOW_IGNORED},
	{"DataSourceName", "dsn", HOW_IGNORED},
	{"Description", "desc", HOW_IGNORED},
	{"LogConfigFile", "lcf", HOW_IGNORED},
	{"CreateMap", "cm", HOW_IGNORED, NULL, TGT_NONE, false,
	"rest_fdw keeps no relational map: IMPORT FOREIGN SCHEMA creates the foreign tables."},
	{"SchemaMap", "sm", HOW_IGNORED, NULL, TGT_NONE, false,
	"rest_fdw keeps no relational map: IMPORT FOREIGN SCHEMA creates the foreign tables."},
	{"TransactionMode", "tm", HOW_IGNORED},
	{"SpyAttributes", NULL, HOW_IGNORED},
	{"ConfigOptions", NULL, HOW_IGNORED},
	{"SQLEngineMode", "sem", HOW_IGNORED},
	{"EnableLoginPrompt", NULL, HOW_IGNORED},
	{"InsensitiveResultSetBufferSize", "irsbs", HOW_IGNORED},
	{"MaxPooledStatements", "mps", HOW_IGNORED},
	{"ImportStatementPool", NULL, HOW_IGNORED},
	{"RegisterStatementPoolMonitorMBean", NULL, HOW_IGNORED},
	{"FetchSize", NULL, HOW_IGNORED},
	{"IANAAppCodePage", "iacp", HOW_IGNORED},
	{"ApplicationUsingThreads", "aut", HOW_IGNORED},
	{NULL}
};

/* AuthenticationMethod: JDBC names and ODBC numbers */
typedef struct DDAuthMethod
{
	const char *name;
	int			number;
	const char *method;			/* authentication_method, NULL: refused */
	const char *grant;			/* grant_type, or NULL */
} DDAuthMethod;

#define GRANT_INFER "?"

static const DDAuthMethod auth_methods[] = {
	{"None", 15, "none", NULL},
	{"AWS", 43, "aws_sigv4", NULL},
	{"Basic", 0, "basic", NULL},
	{"BearerToken", 34, "bearer", NULL},
	{"OAuth2", 24, "oauth2", GRANT_INFER},
	{"OAuth2-AccessToken", 50, "bearer", NULL},
	{"OAuth2-AuthorizationCode", 51, "oauth2", "refresh_token"},
	{"OAuth2-PKCE", 56, "oauth2", "refresh_token"},
	{"OAuth2-Password", 52, "oauth2", "password"},
	{"OAuth2-ClientCredentials", 53, "oauth2", "client_credentials"},
	{"OAuth2-RefreshToken", 54, "oauth2", "refresh_token"},
	{"OAuth2-JWTBearer", 55, "oauth2", "jwt_bearer"},
	{"HTTPHeader", 25, "http_header", NULL},
	{"URLParameter", 14, "url_parameter", NULL},
	{"Digest", 30, "digest", NULL},
	{"Custom", 29, NULL, NULL},
	{NULL}
};

/* A property as given */
typedef struct GivenProp
{
	char	   *key;			/* as written */
	char	   *value;
	const DDProperty *def;		/* NULL: not known */
} GivenProp;

/* An option to set, and the property it came from */
typedef struct OptionSet
{
	const char *option;
	char	   *value;
	const char *property;
	PropTarget	target;
} OptionSet;

typedef struct MigrateState
{
	List	   *given;			/* GivenProp, in order, no duplicates */
	List	   *options;		/* OptionSet, in order */
	bool		for_model;		/* a model file's "#options": no host needed,
								 * no result rows */
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
} MigrateState;

static List *options_of(MigrateState *ms, PropTarget target);

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* A copy of [start, end) without the surrounding white space */
static char *
trimmed(const char *start, const char *end)
{
	while (start < end && is_space(*start))
		start++;
	while (end > start && is_space(end[-1]))
		end--;
	return pnstrdup(start, end - start);
}

/*
 * A property name that may be shown: a bad name may be a piece of a value
 * whose semicolon was not quoted, so only names that look like one are.
 */
static bool
showable_name(const char *key)
{
	const char *p;

	if (*key == '\0' || strlen(key) > MAX_PROPERTY_NAME)
		return false;
	for (p = key; *p; p++)
	{
		if (!isalnum((unsigned char) *p) && *p != '_' && *p != '-' && *p != '.')
			return false;
	}
	return true;
}

static const DDProperty *
find_property(const char *key)
{
	const DDProperty *p;

	for (p = props; p->name; p++)
	{
		if (pg_strcasecmp(p->name, key) == 0 ||
			(p->alias && pg_strcasecmp(p->alias, key) == 0))
			return p;
	}
	return NULL;
}

/*
 * Add a property: a repeated property (by any of its names) must repeat
 * its value.
 */
static void
add_given(MigrateState *ms, char *key, char *value)
{
	const DDProperty *def;
	ListCell   *lc;

	if (*key == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid DataDirect connection string"),
				 errdetail("Property %d has an empty name.", list_length(ms->given) + 1)));
	if (list_length(ms->given) >= MAX_PROPERTIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("DataDirect connection string has more than %d properties",
						MAX_PROPERTIES)));
	def = find_property(key);
	foreach(lc, ms->given)
	{
		GivenProp  *g = (GivenProp *) lfirst(lc);

		if ((def != NULL && g->def == def) ||
			(def == NULL && g->def == NULL && pg_strcasecmp(g->key, key) == 0))
		{
			if (strcmp(g->value, value) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("DataDirect property \"%s\" is given twice with different values",
								def ? def->name : showable_name(key) ? key : "?")));
			return;
		}
	}
	{
		GivenProp  *g = palloc(sizeof(GivenProp));

		g->key = key;
		g->value = value;
		g->def = def;
		ms->given = lappend(ms->given, g);
	}
}

/*
 * Key=Value;Key={value; with ;semicolons};...  A value in braces runs to
 * the first "}" followed by ";" or the end (after white space), so it may
 * hold braces itself, as DataDirect's "Password={{hello}}" holds
 * "{hello}".  An optional "jdbc:datadirect:autorest:" prefix may be
 * followed by the server name or URL before the first ";".
 */
static void
parse_connection_string(MigrateState *ms, const char *s)
{
	const char *p = s;
	int			n = 0;
	static const char prefix[] = "jdbc:datadirect:autorest:";

	while (is_space(*p))
		p++;
	if (pg_strncasecmp(p, prefix, strlen(prefix)) == 0)
	{
		const char *end;

		p += strlen(prefix);
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		/* "//servername" or a URL, unless the first property follows */
		if (memchr(p, '=', end - p) == NULL || strncmp(p, "//", 2) == 0 ||
			pg_strncasecmp(p, "http", 4) == 0)
		{
			char	   *server = trimmed(p, end);

			if (strncmp(server, "//", 2) == 0)
				server += 2;
			if (*server)
				add_given(ms, pstrdup("ServerName"), server);
			p = *end ? end + 1 : end;
		}
	}

	while (*p)
	{
		const char *key_start;
		const char *eq;
		char	   *key;
		char	   *value;

		CHECK_FOR_INTERRUPTS();
		while (is_space(*p) || *p == ';')
			p++;
		if (*p == '\0')
			break;
		n++;
		key_start = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		if (*p != '=')
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("invalid DataDirect connection string"),
					 errdetail("Property %d has no \"=\" after its name.", n),
					 errhint("Write properties as Name=Value, separated by semicolons; write a value that holds a semicolon in braces: Password={a;b}.")));
		eq = p;
		key = trimmed(key_start, eq);
		p = eq + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '{')
		{
			const char *vstart = p + 1;
			const char *q = vstart;
			const char *close = NULL;

			for (; *q; q++)
			{
				const char *r;

				if (*q != '}')
					continue;
				r = q + 1;
				while (is_space(*r))
					r++;
				if (*r == ';' || *r == '\0')
				{
					close = q;
					break;
				}
			}
			if (close == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("invalid DataDirect connection string"),
						 errdetail("The value of property %d has an opening brace \"{\" without a closing one.", n),
						 errhint("A value in braces ends with \"}\" followed by \";\" or the end of the string.")));
			value = pnstrdup(vstart, close - vstart);
			p = close + 1;
			while (is_space(*p))
				p++;
		}
		else
		{
			const char *vstart = p;

			while (*p && *p != ';')
				p++;
			value = trimmed(vstart, p);
		}
		add_given(ms, key, value);
	}
}

/*
 * One data source section of an odbc.ini file.  The listing sections
 * "[ODBC Data Sources]" and "[ODBC]" are skipped; a second data source is
 * refused, as it is not clear which one is meant.
 */
static void
parse_odbc_ini(MigrateState *ms, const char *s)
{
	const char *p = s;
	int			line = 0;
	int			sections = 0;
	bool		skipping = false;

	while (*p)
	{
		const char *eol = strchr(p, '\n');
		const char *next;
		char	   *text;

		CHECK_FOR_INTERRUPTS();
		if (eol == NULL)
			eol = p + strlen(p);
		next = *eol ? eol + 1 : eol;
		line++;
		text = trimmed(p, eol);
		p = next;
		if (text[0] == '\0' || text[0] == '#' || text[0] == ';')
			continue;
		if (text[0] == '[')
		{
			char	   *close = strchr(text, ']');
			char	   *name;

			if (close == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("invalid odbc.ini data source"),
						 errdetail("Line %d opens a section name with \"[\" but does not close it.", line)));
			name = trimmed(text + 1, close);
			if (pg_strcasecmp(name, "ODBC Data Sources") == 0 ||
				pg_strcasecmp(name, "ODBC") == 0)
			{
				skipping = true;
				continue;
			}
			skipping = false;
			if (++sections > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("odbc.ini text holds more than one data source"),
						 errdetail("Line %d starts a second data source section.", line),
						 errhint("Give only the section of the data source to import.")));
			continue;
		}
		if (skipping)
			continue;
		{
			char	   *eq = strchr(text, '=');

			if (eq == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("invalid odbc.ini data source"),
						 errdetail("Line %d has no \"=\" after its name.", line),
						 errhint("Write one property a line as Name=Value.")));
			add_given(ms, trimmed(text, eq), trimmed(eq + 1, eq + strlen(eq)));
		}
	}
	if (sections == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid odbc.ini data source"),
				 errdetail("The text has no data source section such as \"[my_api]\".")));
}

/* Does the text start (after blank and comment lines) with "[section]"? */
static bool
looks_like_odbc_ini(const char *s)
{
	const char *p = s;

	for (;;)
	{
		while (is_space(*p))
			p++;
		if (*p == '#' || *p == ';')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		return *p == '[';
	}
}

/* One result row */
static void
report(MigrateState *ms, const char *property, const char *option,
	   const char *target, const char *value)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (ms->tupstore == NULL)
		return;
	values[0] = CStringGetTextDatum(property);
	if (option)
		values[1] = CStringGetTextDatum(option);
	else
		nulls[1] = true;
	values[2] = CStringGetTextDatum(target);
	if (value)
		values[3] = CStringGetTextDatum(value);
	else
		nulls[3] = true;
	tuplestore_putvalues(ms->tupstore, ms->tupdesc, values, nulls);
}

/*
 * Set an option; two properties that set it must agree.
 */
static void
set_option(MigrateState *ms, const char *option, char *value,
		   const char *property, PropTarget target)
{
	ListCell   *lc;
	OptionSet  *o;

	foreach(lc, ms->options)
	{
		o = (OptionSet *) lfirst(lc);
		if (strcmp(o->option, option) == 0)
		{
			if (strcmp(o->value, value) == 0)
				return;
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 strcmp(o->property, property) == 0
					 ? errmsg("DataDirect property \"%s\" conflicts with another property", property)
					 : errmsg("DataDirect properties \"%s\" and \"%s\" conflict",
							  o->property, property),
					 errdetail("Both set the rest_fdw option \"%s\", to different values.", option)));
		}
	}
	o = palloc(sizeof(OptionSet));
	o->option = option;
	o->value = value;
	o->property = property;
	o->target = target;
	ms->options = lappend(ms->options, o);
}

/*
 * The property given for a role that takes one value (the host, the sample
 * path ...): two spellings of it (HostName and ServerName) must agree.
 */
static GivenProp *
given(MigrateState *ms, PropHow how)
{
	GivenProp  *found = NULL;
	ListCell   *lc;

	foreach(lc, ms->given)
	{
		GivenProp  *g = (GivenProp *) lfirst(lc);

		if (g->def == NULL || g->def->how != how)
			continue;
		if (found == NULL)
			found = g;
		else if (strcmp(found->value, g->value) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("DataDirect properties \"%s\" and \"%s\" conflict",
							found->def->name, g->def->name),
					 errdetail("They give different values for the same setting.")));
	}
	return found;
}

/* Was the property of this DataDirect name given? */
static bool
given_named(MigrateState *ms, const char *name)
{
	const DDProperty *def = find_property(name);
	ListCell   *lc;

	foreach(lc, ms->given)
	{
		if (((GivenProp *) lfirst(lc))->def == def)
			return true;
	}
	return false;
}

/* 'path' or "path" as DataDirect's examples quote paths: without quotes */
static char *
unquoted(char *s)
{
	size_t		len = strlen(s);

	if (len >= 2 && (s[0] == '\'' || s[0] == '"') && s[len - 1] == s[0])
		return pnstrdup(s + 1, len - 2);
	return s;
}

/* A URL with a scheme? */
static bool
has_scheme(const char *s)
{
	return pg_strncasecmp(s, "http://", 7) == 0 ||
		pg_strncasecmp(s, "https://", 8) == 0;
}

/* Is s a decimal port number? */
static bool
valid_port(const char *s)
{
	int			n = 0;

	if (*s == '\0' || strlen(s) > 5)
		return false;
	for (; *s; s++)
	{
		if (!isdigit((unsigned char) *s))
			return false;
		n = n * 10 + (*s - '0');
	}
	return n >= 1 && n <= 65535;
}

/*
 * scheme://host[:port][/path]: with the port inserted after the host when
 * given separately.  The port of an IPv6 literal follows its "]".
 */
static char *
url_with_port(const char *url, const char *port, const char *property,
			  const char *port_property)
{
	const char *authority = strstr(url, "://") + 3;
	const char *path = strchr(authority, '/');
	size_t		hostlen = path ? (size_t) (path - authority) : strlen(authority);
	const char *bracket = authority[0] == '[' ? memchr(authority, ']', hostlen) : NULL;
	bool		has_port;

	if (port == NULL)
		return pstrdup(url);
	if (authority[0] == '[')
		has_port = bracket != NULL && bracket + 1 < authority + hostlen;
	else
		has_port = memchr(authority, ':', hostlen) != NULL;
	if (has_port)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DataDirect properties \"%s\" and \"%s\" conflict",
						property, port_property),
				 errdetail("The host name already has a port.")));
	return psprintf("%.*s:%s%s", (int) (authority - url + hostlen), url, port,
					path ? path : "");
}

/* The authentication method, from its JDBC name or ODBC number */
static const DDAuthMethod *
find_auth_method(const char *value)
{
	const DDAuthMethod *m;
	char	   *end;
	long		n;

	errno = 0;
	n = strtol(value, &end, 10);
	for (m = auth_methods; m->name; m++)
	{
		if (pg_strcasecmp(m->name, value) == 0)
			return m;
		if (*value && *end == '\0' && errno == 0 && n == m->number)
			return m;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for DataDirect property \"AuthenticationMethod\": \"%s\"",
					value),
			 errhint("Give one of None, Basic, BearerToken, HTTPHeader, URLParameter, Digest, AWS, OAuth2, OAuth2-AccessToken, OAuth2-AuthorizationCode, OAuth2-PKCE, OAuth2-Password, OAuth2-ClientCredentials, OAuth2-RefreshToken, OAuth2-JWTBearer, or its ODBC number.")));
	return NULL;				/* keep compiler quiet */
}

static bool
dd_bool(const char *value, const char *property)
{
	if (strcmp(value, "1") == 0 || pg_strcasecmp(value, "true") == 0)
		return true;
	if (strcmp(value, "0") == 0 || pg_strcasecmp(value, "false") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for DataDirect property \"%s\": \"%s\"", property, value),
			 errhint("The value must be 0, 1, false or true.")));
	return false;
}

/*
 * Turn the given properties into options, reporting each property.
 */
static void
map_properties(MigrateState *ms, const char *base_url_arg, bool user_mapping)
{
	GivenProp  *auth = given(ms, HOW_AUTH);
	GivenProp  *host = given(ms, HOW_HOST);
	GivenProp  *port = given(ms, HOW_PORT);
	GivenProp  *sample = given(ms, HOW_SAMPLE);
	GivenProp  *proxy_host = given(ms, HOW_PROXY_HOST);
	GivenProp  *proxy_port = given(ms, HOW_PROXY_PORT);
	const DDAuthMethod *method = NULL;
	const char *grant = NULL;
	char	   *base_url = NULL;
	const char *base_from = NULL;
	char	   *sample_path = NULL;
	ListCell   *lc;

	/* the authentication method first: SecurityToken depends on it */
	if (auth)
	{
		method = find_auth_method(auth->value);
		if (method->method == NULL && ms->for_model)
		{
			/* the file's tables can still be read with the server's own */
			ereport(NOTICE,
					(errmsg("DataDirect authentication method \"%s\" of the REST config file is not supported",
							method->name),
					 errdetail("Custom authentication runs requests that a model file describes; rest_fdw has no such requests."),
					 errhint("Give the server the method the API documents among those of README \"Authentication\".")));
			method = NULL;
			auth = NULL;
		}
		else if (method->method == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("DataDirect authentication method \"%s\" is not supported",
							method->name),
					 errdetail("Custom authentication runs requests that a model file describes; rest_fdw has no such requests."),
					 errhint("Use the method the API documents among those of README \"Authentication\".")));
	}
	if (auth && method)
	{
		grant = method->grant;
		/* a model file holds no credentials to infer the grant from */
		if (grant && strcmp(grant, GRANT_INFER) == 0 && ms->for_model)
			grant = NULL;
		if (grant && strcmp(grant, GRANT_INFER) == 0)
		{
			/* "OAuth2": the grant of the properties given */
			if (given_named(ms, "RefreshToken"))
				grant = "refresh_token";
			else if (given_named(ms, "ClaimsIssuer"))
				grant = "jwt_bearer";
			else if (given_named(ms, "User") && given_named(ms, "Password"))
				grant = "password";
			else
				grant = "client_credentials";
		}
		set_option(ms, OPT_AUTH_METHOD, pstrdup(method->method),
				   auth->def->name, TGT_SERVER);
		report(ms, auth->def->name, OPT_AUTH_METHOD, "server", method->method);
		if (grant)
		{
			set_option(ms, OPT_GRANT_TYPE, pstrdup(grant), auth->def->name, TGT_SERVER);
			report(ms, auth->def->name, OPT_GRANT_TYPE, "server", grant);
		}
		if (method->number == 51 || method->number == 56)
			ereport(NOTICE,
					(errmsg("DataDirect authentication method \"%s\" becomes the refresh token grant",
							method->name),
					 errhint("Obtain the first refresh token once with rest_fdw_authorize_url() and rest_fdw_authorize_finish().")));
	}

	/* base_url: HostName (and PortNumber), else a Sample URL, else the argument */
	if (host)
	{
		char	   *h = unquoted(host->value);

		base_url = has_scheme(h) ? h : psprintf("https://%s", h);
		base_url = url_with_port(base_url, port ? port->value : NULL, host->def->name,
								 "PortNumber");
		base_from = host->def->name;
	}
	if (port && !valid_port(port->value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for DataDirect property \"PortNumber\": \"%s\"",
						port->value),
				 errhint("The value must be a port number from 1 to 65535.")));
	if (sample)
	{
		char	   *path = unquoted(sample->value);

		if (has_scheme(path))
		{
			const char *authority = strstr(path, "://") + 3;
			const char *slash = strchr(authority, '/');
			char	   *origin = pnstrdup(path, slash ? (size_t) (slash - path) : strlen(path));

			if (base_url == NULL)
			{
				base_url = url_with_port(origin, port ? port->value : NULL, sample->def->name,
										 "PortNumber");
				base_from = sample->def->name;
				path = pstrdup(slash ? slash : "/");
			}
			else if (strncmp(path, base_url, strlen(base_url)) == 0)
			{
				path = pstrdup(path + strlen(base_url));
				if (path[0] != '/')
					path = psprintf("/%s", path);
			}
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("DataDirect properties \"%s\" and \"%s\" conflict",
								base_from, sample->def->name),
						 errdetail("The sample URL is not under the host name's URL.")));
		}
		sample_path = path;
	}
	if (port && base_url == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DataDirect property \"PortNumber\" needs a host name"),
				 errhint("Give HostName, or a Sample URL.")));
	if (base_url_arg)
	{
		if (base_url && strcmp(base_url, base_url_arg) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("argument base_url conflicts with DataDirect property \"%s\"",
							base_from)));
		base_url = pstrdup(base_url_arg);
		base_from = "base_url";
	}
	if (base_url == NULL && !ms->for_model)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("DataDirect connection string names no host"),
				 errhint("Give HostName or a Sample URL in it, or the argument base_url.")));
	if (base_url)
	{
		set_option(ms, OPT_BASE_URL, base_url, base_from, TGT_SERVER);
		report(ms, base_from, OPT_BASE_URL, "server", base_url);
	}
	if (port)
		report(ms, port->def->name, OPT_BASE_URL, "server", base_url);
	if (sample)
	{
		set_option(ms, OPT_REST_SAMPLE_PATH, sample_path, sample->def->name, TGT_SERVER);
		report(ms, sample->def->name, OPT_REST_SAMPLE_PATH, "server", sample_path);
	}

	/* proxy: ProxyHost and ProxyPort */
	if (proxy_port && !valid_port(proxy_port->value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for DataDirect property \"ProxyPort\": \"%s\"",
						proxy_port->value),
				 errhint("The value must be a port number from 1 to 65535.")));
	if (proxy_port && proxy_host == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("DataDirect property \"ProxyPort\" needs \"ProxyHost\"")));
	if (proxy_host)
	{
		char	   *proxy = has_scheme(proxy_host->value) ? proxy_host->value
			: psprintf("http://%s", proxy_host->value);

		proxy = url_with_port(proxy, proxy_port ? proxy_port->value : NULL,
							  proxy_host->def->name, "ProxyPort");
		set_option(ms, OPT_PROXY, proxy, proxy_host->def->name, TGT_SERVER);
		report(ms, proxy_host->def->name, OPT_PROXY, "server", proxy);
		if (proxy_port)
			report(ms, proxy_port->def->name, OPT_PROXY, "server", proxy);
	}

	foreach(lc, ms->given)
	{
		GivenProp  *g = (GivenProp *) lfirst(lc);
		const DDProperty *def = g->def;
		const char *option = def ? def->option : NULL;
		char	   *value = g->value;
		PropTarget	target = def ? def->target : TGT_NONE;
		bool		secret;

		CHECK_FOR_INTERRUPTS();
		if (def == NULL)
		{
			if (showable_name(g->key))
				ereport(NOTICE,
						(errmsg("unrecognized DataDirect property \"%s\" is ignored", g->key)));
			else
				ereport(NOTICE,
						(errmsg("a DataDirect property with an invalid name is ignored")));
			report(ms, showable_name(g->key) ? g->key : "?", NULL, "ignored", NULL);
			continue;
		}
		switch (def->how)
		{
			case HOW_AUTH:
			case HOW_HOST:
			case HOW_PORT:
			case HOW_SAMPLE:
			case HOW_PROXY_HOST:
			case HOW_PROXY_PORT:
				continue;		/* done above */
			case HOW_IGNORED:
			case HOW_UNSUPPORTED:
				ereport(NOTICE,
						(errmsg("DataDirect property \"%s\" is ignored", def->name),
						 errdetail("%s", def->why ? def->why : DRIVER_ONLY)));
				report(ms, def->name, NULL, "ignored", NULL);
				continue;
			case HOW_SECURITY_TOKEN:
				{
					const char *m = method ? method->method : "none";

					if (strcmp(m, "bearer") == 0)
						option = OPT_ACCESS_TOKEN;
					else if (strcmp(m, "http_header") == 0 ||
							 strcmp(m, "url_parameter") == 0)
						option = OPT_API_KEY;
					else
					{
						ereport(NOTICE,
								(errmsg("DataDirect property \"%s\" is ignored", def->name),
								 errdetail("rest_fdw sends no security token with authentication method \"%s\".",
										   m)));
						report(ms, def->name, NULL, "ignored", NULL);
						continue;
					}
					break;
				}
			case HOW_QUOTED:
				value = unquoted(value);
				break;
			case HOW_TOKEN_URI:
				/* "POST https://...": rest_fdw always POSTs (RFC 6749) */
				if (pg_strncasecmp(value, "POST ", 5) == 0)
					value = trimmed(value + 5, value + strlen(value));
				else if (pg_strncasecmp(value, "GET ", 4) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("DataDirect property \"%s\" asks for a GET request", def->name),
							 errdetail("rest_fdw sends token requests with POST, as RFC 6749 requires.")));
				break;
			case HOW_SECONDS:
				if (strcmp(value, "0") == 0)
				{
					ereport(NOTICE,
							(errmsg("DataDirect property \"%s\" = 0 (no limit) is not kept", def->name),
							 errdetail("rest_fdw always limits the time: the option \"%s\" keeps its default.",
									   option)));
					report(ms, def->name, option, "ignored", value);
					continue;
				}
				break;
			case HOW_VERIFY:
				if (dd_bool(value, def->name))
				{
					report(ms, def->name, option, "ignored", "true");
					continue;	/* the default */
				}
				value = pstrdup("false");
				break;
			case HOW_CLIENT_MODE:
				if (pg_strcasecmp(value, "Default") == 0 || strcmp(value, "0") == 0 ||
					pg_strcasecmp(value, "Basic") == 0 || strcmp(value, "1") == 0)
					value = pstrdup("basic");
				else if (pg_strcasecmp(value, "URL") == 0 || strcmp(value, "2") == 0)
					value = pstrdup("url");
				else if (pg_strcasecmp(value, "Post") == 0 || strcmp(value, "3") == 0)
					value = pstrdup("post");
				else
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("invalid value for DataDirect property \"%s\": \"%s\"",
									def->name, value),
							 errhint("Give Default, Basic, URL or Post, or 0 to 3.")));
				break;
			case HOW_OPTION:
				break;
		}

		secret = def->secret || rest_option_is_secret(option);
		if (target == TGT_MAPPING && !user_mapping)
		{
			ereport(NOTICE,
					(errmsg("DataDirect property \"%s\" is not kept", def->name),
					 errdetail("It belongs in the user mapping, and user_mapping is false.")));
			report(ms, def->name, option, "ignored", secret ? MASKED_VALUE : value);
			continue;
		}
		set_option(ms, option, value, def->name, target);
		report(ms, def->name, option,
			   target == TGT_MAPPING ? "user mapping" : "server",
			   secret ? MASKED_VALUE : value);
	}
}

/*
 * The rest_fdw options a model file's "#options" stand for (DataDirect
 * connection properties; the file may hold no secret), mapped as
 * rest_fdw_import_connection() maps a connection string, with its NOTICEs
 * for the properties it ignores: server options in *server, user mapping
 * options (a User) in *mapping, as DefElems.
 */
void
rest_model_option_settings(List *model_options, List **server, List **mapping)
{
	MigrateState ms = {0};
	ListCell   *lc;

	ms.for_model = true;
	foreach(lc, model_options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);

		add_given(&ms, d->defname, strVal(d->arg));
	}
	map_properties(&ms, NULL, true);
	*server = options_of(&ms, TGT_SERVER);
	*mapping = options_of(&ms, TGT_MAPPING);
}

/* The DefElem list of one target's options */
static List *
options_of(MigrateState *ms, PropTarget target)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, ms->options)
	{
		OptionSet  *o = (OptionSet *) lfirst(lc);

		if (o->target == target)
			result = lappend(result, makeDefElem(pstrdup(o->option),
												 (Node *) makeString(o->value), -1));
	}
	return result;
}

/*
 * rest_fdw_import_connection(connection_string, server_name,
 * user_mapping DEFAULT true, base_url DEFAULT NULL): create the server
 * (FOREIGN DATA WRAPPER rest_fdw) and, with user_mapping, the caller's
 * user mapping for it, from a DataDirect connection string or odbc.ini
 * data source.  Returns one row per property: the option it set, where
 * ('server', 'user mapping' or 'ignored'), and the value, masked for a
 * secret.
 */
Datum
rest_fdw_import_connection(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrateState ms = {0};
	TupleDesc	tupdesc;
	MemoryContext oldcxt;
	text	   *conn_text;
	char	   *conn_str;
	char	   *server_name;
	bool		user_mapping = PG_ARGISNULL(2) ? true : PG_GETARG_BOOL(2);
	char	   *base_url = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("connection string and server name must not be null")));
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	conn_text = PG_GETARG_TEXT_PP(0);
	if (VARSIZE_ANY_EXHDR(conn_text) > MAX_CONNECTION_STRING)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("DataDirect connection string is too long"),
				 errdetail("It may be at most %d bytes long.", MAX_CONNECTION_STRING)));
	conn_str = text_to_cstring(conn_text);
	server_name = NameStr(*PG_GETARG_NAME(1));

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	ms.tupdesc = CreateTupleDescCopy(tupdesc);
	ms.tupstore = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = ms.tupstore;
	rsinfo->setDesc = ms.tupdesc;
	MemoryContextSwitchTo(oldcxt);

	if (looks_like_odbc_ini(conn_str))
		parse_odbc_ini(&ms, conn_str);
	else
		parse_connection_string(&ms, conn_str);
	map_properties(&ms, base_url, user_mapping);

	/* as CREATE SERVER and CREATE USER MAPPING, with their checks */
	{
		CreateForeignServerStmt *stmt = makeNode(CreateForeignServerStmt);

		stmt->servername = pstrdup(server_name);
		stmt->fdwname = "rest_fdw";
		stmt->if_not_exists = false;
		stmt->options = options_of(&ms, TGT_SERVER);
		CreateForeignServer(stmt);
		CommandCounterIncrement();
	}
	if (user_mapping)
	{
		CreateUserMappingStmt *stmt = makeNode(CreateUserMappingStmt);
		RoleSpec   *role = makeNode(RoleSpec);

		role->roletype = ROLESPEC_CURRENT_USER;
		role->rolename = NULL;
		role->location = -1;
		stmt->user = role;
		stmt->servername = pstrdup(server_name);
		stmt->if_not_exists = false;
		stmt->options = options_of(&ms, TGT_MAPPING);
		CreateUserMapping(stmt);
		CommandCounterIncrement();
	}

	/* the copies of the secrets go */
	explicit_bzero(conn_str, strlen(conn_str));
	return (Datum) 0;
}
