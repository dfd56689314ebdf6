/*-------------------------------------------------------------------------
 *
 * options.c
 *		  Option validation and resolution for rest_fdw.
 *
 * One static table, rest_options, lists every option: the catalogs it may
 * be given in, whether it is a secret or required, its kind, and the field
 * of the resolved record (RestConnOptions, RestTableOptions or
 * RestColumnOptions) that holds its value, with its default.  A kind holds
 * the parser of its values, their limits and the hint shown when a value
 * is refused.  The validator checks a value with the same parser the
 * resolvers convert it with, so a value CREATE or ALTER accepts is read as
 * it was checked, and the message for a bad value is the same wherever it
 * is found.  A new option is one row of the table and one field of a
 * resolved record.
 *
 * The validator sees one object's options: it checks what one catalog
 * decides alone (required options, combinations within the object); the
 * resolvers check what depends on several (a table's paging with its
 * server's defaults).  Secrets are accepted only in user mappings, because
 * pg_foreign_server is readable by every role.  Nothing here does I/O.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <stddef.h>

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

/* The catalogs an option may be given in */
#define CAT_WRAPPER		0x01	/* pg_foreign_data_wrapper */
#define CAT_SERVER		0x02	/* pg_foreign_server */
#define CAT_MAPPING		0x04	/* pg_user_mapping */
#define CAT_TABLE		0x08	/* pg_foreign_table */
#define CAT_COLUMN		0x10	/* attfdwoptions of pg_attribute */

/* Flags of an option */
#define OPTF_SECRET		0x01	/* accepted only in user mappings */
#define OPTF_REQUIRED	0x02	/* every object of its catalogs needs it */

/* The resolved record an option's value is stored in */
typedef enum RestOptTarget
{
	TARGET_CONN,				/* RestConnOptions */
	TARGET_TABLE,				/* RestTableOptions; given on a server, the
								 * default of the server's tables */
	TARGET_COLUMN				/* RestColumnOptions */
} RestOptTarget;

/* The primary message for a refused value */
typedef enum RestOptMessage
{
	MSG_QUOTE_VALUE,			/* invalid value for option "x": "value" */
	MSG_NO_VALUE,				/* invalid value for option "x": the value
								 * may be a secret, or a long document */
	MSG_URL						/* invalid URL in option "x" */
} RestOptMessage;

/* Why a parser refused a value */
typedef struct RestOptProblem
{
	const char *detail;			/* errdetail, or NULL */
	const char *hint;			/* errhint instead of the kind's, or NULL */
} RestOptProblem;

/* One allowed value of an enumerated kind, compared without case */
typedef struct RestOptEnum
{
	const char *name;
	int			value;
	const char *note;			/* shown after the name in the hint, or NULL */
} RestOptEnum;

typedef struct RestOptKind RestOptKind;

/*
 * A kind's parser: checks value and stores it, converted, in *dest, whose C
 * type the kind fixes (char *, int, double, bool, an enum, List *).  A
 * string stored is value itself.  Returns false, with *problem filled in
 * where there is more to say than the kind's hint, if the value is refused.
 */
typedef bool (*RestOptParser) (const RestOptKind *kind, const char *value,
							   void *dest, RestOptProblem *problem);

struct RestOptKind
{
	RestOptParser parse;
	long		min;			/* integers, sizes: limits; text: min length */
	long		max;
	const RestOptEnum *values;	/* enumerations; ends with a NULL name */
	RestOptMessage message;
	const char *hint;			/* errhint for a refused value, or NULL */
	bool		privileged;		/* names a file the server process reads */
	bool		superuser_only; /* only superusers may set it */
};

typedef struct RestFdwOption
{
	const char *name;
	int			catalogs;		/* CAT_* bits */
	int			flags;			/* OPTF_* bits */
	const RestOptKind *kind;
	RestOptTarget target;
	size_t		offset;			/* of its field in the target record */
	const char *defval;			/* default, as written in OPTIONS; NULL: the
								 * field stays zero (NULL, false) */
} RestFdwOption;

/* Room for a value of any kind, for the validator, which keeps none */
typedef union RestOptValue
{
	char	   *s;
	int			i;
	double		d;
	bool		b;
	List	   *l;
	RestRateLimit r;
} RestOptValue;

/* the enumerated kinds store their value as an int */
StaticAssertDecl(sizeof(RestAuthMethod) == sizeof(int) &&
				 sizeof(RestGrantType) == sizeof(int) &&
				 sizeof(RestClientAuth) == sizeof(int) &&
				 sizeof(RestPagingStyle) == sizeof(int) &&
				 sizeof(RestMethod) == sizeof(int) &&
				 sizeof(RestJwtAlg) == sizeof(int),
				 "enumerations of options must have the size of int");

static bool parse_text(const RestOptKind *kind, const char *value,
					   void *dest, RestOptProblem *problem);
static bool parse_url(const RestOptKind *kind, const char *value,
					  void *dest, RestOptProblem *problem);
static bool parse_integer(const RestOptKind *kind, const char *value,
						  void *dest, RestOptProblem *problem);
static bool parse_size(const RestOptKind *kind, const char *value,
					   void *dest, RestOptProblem *problem);
static bool parse_number(const RestOptKind *kind, const char *value,
						 void *dest, RestOptProblem *problem);
static bool parse_boolean(const RestOptKind *kind, const char *value,
						  void *dest, RestOptProblem *problem);
static bool parse_enum(const RestOptKind *kind, const char *value,
					   void *dest, RestOptProblem *problem);
static bool parse_enum_flag(const RestOptKind *kind, const char *value,
							void *dest, RestOptProblem *problem);
static bool parse_request_header(const RestOptKind *kind, const char *value,
								 void *dest, RestOptProblem *problem);
static bool parse_write_op(const RestOptKind *kind, const char *value,
						   void *dest, RestOptProblem *problem);
static bool is_relative_path(const char *value, const char *what,
							 RestOptProblem *problem);
static bool parse_header_name(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_header_list(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_server_file(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_config_file(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_endpoint(const RestOptKind *kind, const char *value,
						   void *dest, RestOptProblem *problem);
static bool parse_body(const RestOptKind *kind, const char *value,
					   void *dest, RestOptProblem *problem);
static bool parse_sample_path(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_param_name(const RestOptKind *kind, const char *value,
							 void *dest, RestOptProblem *problem);
static bool parse_rows_path(const RestOptKind *kind, const char *value,
							void *dest, RestOptProblem *problem);
static bool parse_column_path(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_json_path(const RestOptKind *kind, const char *value,
							void *dest, RestOptProblem *problem);
static bool parse_status_list(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_rate_limit(const RestOptKind *kind, const char *value,
							 void *dest, RestOptProblem *problem);
static bool parse_token_url(const RestOptKind *kind, const char *value,
							void *dest, RestOptProblem *problem);
static bool parse_token_types(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_format(const RestOptKind *kind, const char *value,
						 void *dest, RestOptProblem *problem);
static bool parse_token_chars(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_pem(const RestOptKind *kind, const char *value,
					  void *dest, RestOptProblem *problem);
static bool parse_proxy(const RestOptKind *kind, const char *value,
						void *dest, RestOptProblem *problem);
static bool parse_private_key(const RestOptKind *kind, const char *value,
							  void *dest, RestOptProblem *problem);
static bool parse_no_proxy(const RestOptKind *kind, const char *value,
						   void *dest, RestOptProblem *problem);
static bool parse_csv_char(const RestOptKind *kind, const char *value,
						   void *dest, RestOptProblem *problem);
static bool parse_http_rules(const RestOptKind *kind, const char *value,
							 void *dest, RestOptProblem *problem);

static const RestOptEnum auth_methods[] = {
	{"none", REST_AUTH_NONE},
	{"basic", REST_AUTH_BASIC},
	{"http_header", REST_AUTH_HTTP_HEADER},
	{"url_parameter", REST_AUTH_URL_PARAMETER},
	{"oauth2", REST_AUTH_OAUTH2},
	{"bearer", REST_AUTH_BEARER, "a static access_token"},
	{"digest", REST_AUTH_DIGEST},
	{"ntlm", REST_AUTH_NTLM},
	{"aws_sigv4", REST_AUTH_AWS_SIGV4},
	{NULL, 0}
};

static const RestOptEnum grant_types[] = {
	{"refresh_token", REST_GRANT_REFRESH_TOKEN},
	{"client_credentials", REST_GRANT_CLIENT_CREDENTIALS},
	{"password", REST_GRANT_PASSWORD, "discouraged"},
	{"jwt_bearer", REST_GRANT_JWT_BEARER, "a JWT signed with private_key"},
	{NULL, 0}
};

static const RestOptEnum client_auths[] = {
	{"basic", REST_CLIENT_AUTH_BASIC, "client_secret_basic"},
	{"post", REST_CLIENT_AUTH_POST, "client_secret_post"},
	{"url", REST_CLIENT_AUTH_URL, "in the token endpoint's URL"},
	{"private_key_jwt", REST_CLIENT_AUTH_PRIVATE_KEY_JWT, "a JWT signed with private_key"},
	{"client_secret_jwt", REST_CLIENT_AUTH_SECRET_JWT, "a JWT signed with client_secret"},
	{NULL, 0}
};

/* jwt_algorithm: HS256 only comes with client_secret_jwt */
static const RestOptEnum jwt_algorithms[] = {
	{"RS256", REST_JWT_RS256, "an RSA key"},
	{"ES256", REST_JWT_ES256, "an EC P-256 key"},
	{NULL, 0}
};

static const RestOptEnum paging_styles[] = {
	{"none", REST_PAGING_NONE},
	{"offset", REST_PAGING_OFFSET},
	{"page", REST_PAGING_PAGE},
	{"cursor", REST_PAGING_CURSOR},
	{"next_url", REST_PAGING_NEXT_URL},
	{"link_header", REST_PAGING_LINK_HEADER},
	{NULL, 0}
};

/* page_end: does a short page end the scan? */
static const RestOptEnum page_ends[] = {
	{"empty", false, "an empty page ends"},
	{"short", true, "a page shorter than page_size ends"},
	{NULL, 0}
};

static const RestOptEnum methods[] = {
	{"GET", REST_METHOD_GET},
	{"POST", REST_METHOD_POST, "with a body"},
	{NULL, 0}
};

/* body_null: is a member without value left out? */
static const RestOptEnum body_nulls[] = {
	{"null", false, "\"after\": null"},
	{"omit", true, "the member or element is left out"},
	{NULL, 0}
};

/* in_style: are IN lists comma-joined? */
static const RestOptEnum in_styles[] = {
	{"repeat", false, "id=1&id=2"},
	{"comma", true, "id=1,2"},
	{NULL, 0}
};

/* The methods of the update and delete options */
static const RestOptEnum update_methods[] = {
	{"PATCH", 0, "the columns the UPDATE sets"},
	{"PUT", 0, "every column: the resource replaced"},
	{"POST", 0, "the columns the UPDATE sets (as Stripe updates)"},
	{NULL, 0}
};
static const RestOptEnum delete_methods[] = {
	{"DELETE", 0, "the row's resource"},
	{NULL, 0}
};

/* The methods of the insert option */
static const RestOptEnum insert_methods[] = {
	{"POST", 0, "a new resource"},
	{"PUT", 0, "a resource at the path"},
	{NULL, 0}
};

/* param_in: is the column's parameter a request header? */
static const RestOptEnum on_errors[] = {
	{"stop", false, "a row the API refuses is an ERROR"},
	{"skip", true, "a row the API refuses is a WARNING, and the next is sent"},
	{NULL, 0}
};

static const RestOptEnum param_ins[] = {
	{"query", false, "?name=value"},
	{"header", true, "a request header name: value"},
	{NULL, 0}
};

/* ssl_min_version */
static const RestOptEnum tls_versions[] = {
	{"1.2", REST_TLS_1_2, "TLS 1.2 or 1.3"},
	{"1.3", REST_TLS_1_3, "TLS 1.3 only"},
	{NULL, 0}
};

/* The kinds of option values */
static const RestOptKind kind_text = {
	.parse = parse_text, .min = 1, .message = MSG_NO_VALUE
};
static const RestOptKind kind_text_or_empty = {
	.parse = parse_text, .min = 0, .message = MSG_NO_VALUE
};
static const RestOptKind kind_url = {
	.parse = parse_url, .message = MSG_URL
};
/* token_uri: a URL, optionally after "POST " (DataDirect's TokenURI) */
static const RestOptKind kind_token_url = {
	.parse = parse_token_url, .message = MSG_URL
};
static const RestOptKind kind_token_types = {
	.parse = parse_token_types,
	.hint = "Give token types separated by commas, such as 'bot,user': letters, digits, \"-\" and \"_\"."
};
static const RestOptKind kind_seconds = {
	/* small enough to be turned into milliseconds */
	.parse = parse_integer, .min = 1, .max = INT_MAX / 1000,
	.hint = "The value must be a positive integer number of seconds."
};
static const RestOptKind kind_batch_size = {
	.parse = parse_integer, .min = 1, .max = REST_MAX_BATCH_SIZE,
	.hint = "The value must be an integer from 1 to " CppAsString2(REST_MAX_BATCH_SIZE) "."
};
static const RestOptKind kind_count = {
	.parse = parse_integer, .min = 1, .max = INT_MAX,
	.hint = "The value must be a positive integer."
};
static const RestOptKind kind_nonneg_int = {
	.parse = parse_integer, .min = 0, .max = INT_MAX,
	.hint = "The value must be an integer of 0 or more."
};
static const RestOptKind kind_concurrency = {
	.parse = parse_integer, .min = 1, .max = REST_MAX_FETCH_CONCURRENCY,
	.hint = "The value must be an integer from 1 (one request at a time) to "
	CppAsString2(REST_MAX_FETCH_CONCURRENCY) "."
};
static const RestOptKind kind_size = {
	/*
	 * A body is kept with a terminating zero byte in one allocation, so
	 * http.c caps a response at REST_MAX_RESPONSE_SIZE, one byte below 1GB.
	 */
	.parse = parse_size, .min = 1024, .max = 1024 * 1024 * 1024,
	.hint = "Give a size from 1kB to 1GB, in bytes or with a unit: kB, MB, GB."
};
static const RestOptKind kind_number = {
	.parse = parse_number,
	.hint = "The value must be a non-negative number."
};
static const RestOptKind kind_bool = {
	.parse = parse_boolean,
	.hint = "The value must be a Boolean: true or false."
};
/* a column's empty_as_null: stored as REST_EMPTY_NULL or REST_EMPTY_KEEP */
static const RestOptEnum empty_as_null_values[] = {
	{"true", REST_EMPTY_NULL}, {"on", REST_EMPTY_NULL}, {"yes", REST_EMPTY_NULL},
	{"false", REST_EMPTY_KEEP}, {"off", REST_EMPTY_KEEP}, {"no", REST_EMPTY_KEEP},
	{NULL, 0}
};
static const RestOptKind kind_column_bool = {
	.parse = parse_enum, .values = empty_as_null_values,
	.hint = "The value must be a Boolean: true or false."
};
static const RestOptKind kind_format = {
	.parse = parse_format,
	.hint = "Give epoch, epoch_ms, msjson or a pattern such as '%d/%m/%Y %H:%M' of the conversions %Y %m %d %H %I %M %S %f %p %b %z %%; for a bytea column, base64 or base64url."
};
static const RestOptKind kind_auth_method = {
	.parse = parse_enum, .values = auth_methods
};
static const RestOptKind kind_grant_type = {
	.parse = parse_enum, .values = grant_types
};
static const RestOptKind kind_client_auth = {
	.parse = parse_enum, .values = client_auths
};
static const RestOptKind kind_jwt_algorithm = {
	.parse = parse_enum, .values = jwt_algorithms
};
static const RestOptKind kind_jwt_lifetime = {
	.parse = parse_integer, .min = 1, .max = REST_MAX_JWT_LIFETIME,
	.hint = "The value must be a number of seconds from 1 to "
	CppAsString2(REST_MAX_JWT_LIFETIME) "; a JWT is meant to be short-lived."
};
/* x5t: a base64url SHA-1 (or longer) certificate thumbprint */
static const RestOptKind kind_base64url = {
	.parse = parse_token_chars, .min = 1, .max = 128,
	.hint = "Give the base64url encoding of the certificate's thumbprint: letters, digits, \"-\" and \"_\", such as \"hOBcHZi846VCHSJbFAs26Go9VTQ\"."
};
static const RestOptKind kind_private_key = {
	.parse = parse_private_key, .message = MSG_NO_VALUE,
	.hint = "Give the PEM text of an unencrypted RSA (2048 bits or more) or EC P-256 private key, from \"-----BEGIN\" to \"-----END\", or the whole JSON key file of a Google service account."
};
static const RestOptKind kind_paging = {
	.parse = parse_enum, .values = paging_styles
};
static const RestOptKind kind_page_end = {
	.parse = parse_enum_flag, .values = page_ends
};
static const RestOptKind kind_method = {
	.parse = parse_enum, .values = methods
};
static const RestOptKind kind_body = {
	.parse = parse_body, .message = MSG_NO_VALUE,
	.hint = "Give a JSON document in which {name} stands for a value or for part of a string, for example '{\"first\": {limit}, \"after\": {cursor}}'; write a literal { before a name inside a string as \\u007b."
};
static const RestOptKind kind_body_null = {
	.parse = parse_enum_flag, .values = body_nulls
};
static const RestOptKind kind_in_style = {
	.parse = parse_enum_flag, .values = in_styles
};
static const RestOptKind kind_on_error = {
	.parse = parse_enum_flag, .values = on_errors
};
static const RestOptKind kind_param_in = {
	.parse = parse_enum_flag, .values = param_ins
};
static const RestOptKind kind_header_name = {
	.parse = parse_header_name,
	.hint = "An HTTP header name consists of letters, digits and !#$%&'*+-.^_`|~ only."
};
static const RestOptKind kind_response_header = {
	.parse = parse_header_name, .max = REST_MAX_CAPTURE_NAME,
	.hint = "Give the name of a response header, such as X-Total-Count or Content-Range: letters, digits and !#$%&'*+-.^_`|~, at most "
	CppAsString2(REST_MAX_CAPTURE_NAME) " characters."
};
static const RestOptKind kind_request_header = {
	.parse = parse_request_header,
	.hint = "Give the name of a request header, such as X-Page-Token."
};
static const RestOptKind kind_idempotency_header = {
	.parse = parse_request_header, .min = 0,
	.hint = "Give the name of the request header that carries a POST's idempotency key, such as Idempotency-Key, or '' for none."
};
static const RestOptKind kind_insert = {
	.parse = parse_write_op, .values = insert_methods,
	.hint = "Give the method and the path relative to base_url, for example 'POST /customers'; the method is POST or PUT."
};
static const RestOptKind kind_update = {
	.parse = parse_write_op, .values = update_methods,
	.hint = "Give the method and the path relative to base_url, for example 'PATCH /customers/{id}'; the method is PATCH, PUT or POST."
};
static const RestOptKind kind_delete = {
	.parse = parse_write_op, .values = delete_methods,
	.hint = "Give the method and the path relative to base_url, for example 'DELETE /customers/{id}'."
};
static const RestOptKind kind_headers = {
	.parse = parse_header_list, .message = MSG_NO_VALUE,
	.hint = "Give a JSON object of header names and string values, for example '{\"Accept\": \"application/vnd.api+json\"}'."
};
static const RestOptKind kind_server_file = {
	.parse = parse_server_file, .privileged = true,
	.hint = "The value must be an absolute file name."
};
static const RestOptKind kind_config_file = {
	.parse = parse_config_file, .privileged = true, .message = MSG_NO_VALUE,
	.hint = "Give a file name, absolute or relative to the data directory."
};
static const RestOptKind kind_endpoint = {
	.parse = parse_endpoint,
	.hint = "Give a path relative to base_url, or several separated by \"|\", most specific first, each optionally followed by a space and its rows_path: '/customers/{customer_id}/orders | /orders'."
};
static const RestOptKind kind_sample_path = {
	.parse = parse_sample_path
};
static const RestOptKind kind_param_name = {
	.parse = parse_param_name,
	.hint = "A query parameter name must not be empty or contain &, =, #, ? or spaces."
};
static const RestOptKind kind_rows_path = {
	.parse = parse_rows_path,
	.hint = "Give object keys separated by dots, for example \"data.items\", with \"*\" for every element of an array on the way, as in \"orders.*.lines\"; write a dot inside a key as \\."
};
static const RestOptKind kind_column_path = {
	.parse = parse_column_path,
	.hint = "Give object keys separated by dots, for example \"address.city\", each leading \"^\" for the element one level up the rows_path, as in \"^.id\", and \"#\" for a position, as in \"#\" or \"^.#\", and \"$\" for the row itself; write a dot inside a key as \\."
};
static const RestOptKind kind_json_path = {
	.parse = parse_json_path,
	.hint = "Give object keys separated by dots, for example \"data.items\"; write a dot inside a key as \\."
};
static const RestOptKind kind_http_rules = {
	.parse = parse_http_rules,
	.hint = "Give rules separated by semicolons, each a status or class, optionally match 'text', and an action, for example '404 zero_rows; 5xx match ''busy'' retry_once'."
};
static const RestOptKind kind_status_list = {
	.parse = parse_status_list,
	.hint = "Give HTTP status codes from 400 to 599 separated by commas, for example '500,520,522'."
};
static const RestOptKind kind_ssl_verify = {
	.parse = parse_boolean, .superuser_only = true,
	.hint = "The value must be a Boolean: true or false."
};
static const RestOptKind kind_tls_version = {
	.parse = parse_enum, .values = tls_versions
};
static const RestOptKind kind_pem = {
	.parse = parse_pem, .message = MSG_NO_VALUE,
	.hint = "Give the PEM text itself, as in a .pem file: the lines from \"-----BEGIN\" to \"-----END\"; or, for a file the server reads, the option ssl_cert_file or ssl_key_file."
};
static const RestOptKind kind_proxy = {
	.parse = parse_proxy, .message = MSG_URL,
	.hint = "Give the proxy as http://host:port or https://host:port."
};
static const RestOptKind kind_no_proxy = {
	.parse = parse_no_proxy,
	.hint = "Give host names or addresses separated by commas, for example 'localhost,127.0.0.1,.internal.example.com', or '*' for every host."
};
static const RestOptEnum response_formats[] = {
	{"auto", REST_FORMAT_AUTO, "by Content-Type"},
	{"json", REST_FORMAT_JSON},
	{"ndjson", REST_FORMAT_NDJSON},
	{"csv", REST_FORMAT_CSV},
	{"xml", REST_FORMAT_XML},
	{NULL, 0}
};
static const RestOptKind kind_response_format = {
	.parse = parse_enum, .values = response_formats
};

/* csv_delimiter, csv_quote: one byte, not a line end */
static const RestOptKind kind_csv_char = {
	.parse = parse_csv_char,
	.hint = "Give one ASCII character other than a line end, for example ';' or a tab (E'\\t')."
};

static const RestOptKind kind_rate_limit = {
	.parse = parse_rate_limit,
	.hint = "Give requests per second, minute, hour or day, optionally followed by how many may start at once, for example '10/second', '0.5/second' or '5000/hour burst 20'."
};

/*
 * AWS names (aws_region, aws_service) go into libcurl's provider string
 * "aws:amz:region:service" and the signed credential scope, an access key
 * id into the Authorization header: only characters that cannot end a
 * field or a header.
 */
static const RestOptKind kind_aws_name = {
	.parse = parse_token_chars, .min = 1, .max = 64,
	.hint = "An AWS region or service name consists of lower-case letters, digits and hyphens, such as \"eu-central-1\" or \"execute-api\"."
};
static const RestOptKind kind_aws_key_id = {
	.parse = parse_token_chars, .min = 1, .max = 128,
	.hint = "An access key id consists of letters and digits, such as \"AKIAIOSFODNN7EXAMPLE\"."
};

/* Where a value is stored */
#define CONN(field)		TARGET_CONN, offsetof(RestConnOptions, field)
#define TABLE(field)	TARGET_TABLE, offsetof(RestTableOptions, field)
#define PAGING(field)	TARGET_TABLE, offsetof(RestTableOptions, paging.field)
#define COLUMN(field)	TARGET_COLUMN, offsetof(RestColumnOptions, field)

/* Paging options: defaults on the server, per table on the foreign table */
#define CAT_PAGING		(CAT_SERVER | CAT_TABLE)

/*
 * Every option.  The hint "Valid options in this context are: ..." lists a
 * catalog's options in this order.
 */
static const RestFdwOption rest_options[] = {
	/* server */
	{OPT_BASE_URL, CAT_SERVER, OPTF_REQUIRED, &kind_url, CONN(base_url)},
	{OPT_AUTH_METHOD, CAT_SERVER, 0, &kind_auth_method, CONN(auth_method), "none"},
	{OPT_TOKEN_URI, CAT_SERVER, 0, &kind_token_url, CONN(token_uri)},
	{OPT_TOKEN_TYPES, CAT_SERVER, 0, &kind_token_types, CONN(token_types)},
	{OPT_REVOCATION_URI, CAT_SERVER, 0, &kind_url, CONN(revocation_uri)},
	{OPT_DEVICE_AUTHORIZATION_URI, CAT_SERVER, 0, &kind_url, CONN(device_authorization_uri)},
	{OPT_AUTHORIZATION_URI, CAT_SERVER, 0, &kind_url, CONN(authorization_uri)},
	{OPT_REDIRECT_URI, CAT_SERVER, 0, &kind_text, CONN(redirect_uri)},
	{OPT_SCOPE, CAT_SERVER, 0, &kind_text_or_empty, CONN(scope)},
	{OPT_GRANT_TYPE, CAT_SERVER, 0, &kind_grant_type, CONN(grant_type), "refresh_token"},
	{OPT_CLIENT_ID, CAT_SERVER | CAT_MAPPING, 0, &kind_text, CONN(client_id)},
	{OPT_CLIENT_AUTH, CAT_SERVER, 0, &kind_client_auth, CONN(client_auth), "basic"},
	/* JWTs: the jwt_bearer grant, private_key_jwt and client_secret_jwt */
	{OPT_JWT_ISSUER, CAT_SERVER | CAT_MAPPING, 0, &kind_text, CONN(jwt_issuer)},
	{OPT_JWT_SUBJECT, CAT_SERVER | CAT_MAPPING, 0, &kind_text, CONN(jwt_subject)},
	{OPT_JWT_AUDIENCE, CAT_SERVER, 0, &kind_text, CONN(jwt_audience)},
	{OPT_JWT_KEY_ID, CAT_SERVER | CAT_MAPPING, 0, &kind_text, CONN(jwt_key_id)},
	{OPT_JWT_X5T, CAT_SERVER | CAT_MAPPING, 0, &kind_base64url, CONN(jwt_x5t)},
	{OPT_JWT_ALGORITHM, CAT_SERVER | CAT_MAPPING, 0, &kind_jwt_algorithm, CONN(jwt_algorithm)},
	{OPT_JWT_LIFETIME, CAT_SERVER, 0, &kind_jwt_lifetime, CONN(jwt_lifetime),
	CppAsString2(REST_DEFAULT_JWT_LIFETIME)},
	{OPT_AUTH_HEADER, CAT_SERVER, 0, &kind_header_name, CONN(auth_header), REST_DEFAULT_AUTH_HEADER},
	{OPT_AUTH_PARAM, CAT_SERVER, 0, &kind_text, CONN(auth_param), REST_DEFAULT_AUTH_PARAM},
	{OPT_CONNECT_TIMEOUT, CAT_SERVER, 0, &kind_seconds, CONN(connect_timeout),
	CppAsString2(REST_DEFAULT_CONNECT_TIMEOUT)},
	{OPT_TIMEOUT, CAT_SERVER, 0, &kind_seconds, CONN(timeout), CppAsString2(REST_DEFAULT_TIMEOUT)},
	{OPT_SSL_CA_FILE, CAT_SERVER, 0, &kind_server_file, CONN(ssl_ca_file)},
	{OPT_ALLOW_INSECURE_HTTP, CAT_SERVER, 0, &kind_bool, CONN(allow_insecure_http)},
	/* TLS and proxies (the secrets among them: user mappings only) */
	{OPT_SSL_VERIFY, CAT_SERVER, 0, &kind_ssl_verify, CONN(ssl_verify), "true"},
	{OPT_SSL_MIN_VERSION, CAT_SERVER, 0, &kind_tls_version, CONN(ssl_min_version)},
	{OPT_SSL_CERT_FILE, CAT_SERVER | CAT_MAPPING, 0, &kind_server_file, CONN(ssl_cert_file)},
	{OPT_SSL_KEY_FILE, CAT_SERVER | CAT_MAPPING, 0, &kind_server_file, CONN(ssl_key_file)},
	{OPT_SSL_CERT, CAT_MAPPING, OPTF_SECRET, &kind_pem, CONN(ssl_cert)},
	{OPT_SSL_KEY, CAT_MAPPING, OPTF_SECRET, &kind_pem, CONN(ssl_key)},
	{OPT_SSL_KEY_PASSWORD, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(ssl_key_password)},
	{OPT_PROXY, CAT_SERVER, 0, &kind_proxy, CONN(proxy)},
	{OPT_NO_PROXY, CAT_SERVER, 0, &kind_no_proxy, CONN(no_proxy)},
	{OPT_PROXY_USER, CAT_MAPPING, 0, &kind_text, CONN(proxy_user)},
	{OPT_PROXY_PASSWORD, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(proxy_password)},
	{OPT_MAX_RETRIES, CAT_SERVER, 0, &kind_nonneg_int, CONN(max_retries),
	CppAsString2(REST_DEFAULT_MAX_RETRIES)},
	{OPT_MAX_RETRY_WAIT, CAT_SERVER, 0, &kind_seconds, CONN(max_retry_wait),
	CppAsString2(REST_DEFAULT_MAX_RETRY_WAIT)},
	{OPT_MAX_RESPONSE_SIZE, CAT_SERVER, 0, &kind_size, CONN(max_response_size),
	REST_DEFAULT_MAX_RESPONSE_SIZE},
	{OPT_LOW_SPEED_LIMIT, CAT_SERVER, 0, &kind_nonneg_int, CONN(low_speed_limit)},
	{OPT_LOW_SPEED_TIME, CAT_SERVER, 0, &kind_seconds, CONN(low_speed_time)},
	{OPT_RETRY_STATUSES, CAT_SERVER, 0, &kind_status_list, CONN(retry_statuses)},
	{OPT_RATE_LIMIT, CAT_SERVER, 0, &kind_rate_limit, CONN(rate_limit)},
	{OPT_USER_AGENT, CAT_SERVER, 0, &kind_text_or_empty, CONN(user_agent), REST_DEFAULT_USER_AGENT},
	{OPT_HEADERS, CAT_SERVER, 0, &kind_headers, CONN(headers)},
	{OPT_REST_CONFIG_FILE, CAT_SERVER, 0, &kind_config_file, CONN(rest_config_file)},
	{OPT_REST_SAMPLE_PATH, CAT_SERVER, 0, &kind_sample_path, CONN(rest_sample_path)},
	{OPT_SAMPLE_ROWS, CAT_SERVER, 0, &kind_count, CONN(sample_rows),
	CppAsString2(REST_DEFAULT_SAMPLE_ROWS)},
	{OPT_AWS_REGION, CAT_SERVER, 0, &kind_aws_name, CONN(aws_region)},
	{OPT_AWS_SERVICE, CAT_SERVER, 0, &kind_aws_name, CONN(aws_service)},

	/* user mapping */
	{OPT_CLIENT_SECRET, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(client_secret)},
	{OPT_REFRESH_TOKEN, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(refresh_token)},
	{OPT_USER, CAT_MAPPING, 0, &kind_text, CONN(user)},
	{OPT_PASSWORD, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(password)},
	{OPT_API_KEY, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(api_key)},
	{OPT_ACCESS_TOKEN, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(access_token)},
	{OPT_PRIVATE_KEY, CAT_MAPPING, OPTF_SECRET, &kind_private_key, CONN(private_key)},

	/*
	 * The access key id is sent in clear in every Authorization header: not
	 * a secret, but it names whose credentials sign, so it belongs with
	 * the secret key in the user mapping.
	 */
	{OPT_AWS_ACCESS_KEY_ID, CAT_MAPPING, 0, &kind_aws_key_id, CONN(aws_access_key_id)},
	{OPT_AWS_SECRET_ACCESS_KEY, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(aws_secret_access_key)},
	{OPT_AWS_SESSION_TOKEN, CAT_MAPPING, OPTF_SECRET, &kind_text, CONN(aws_session_token)},

	/* foreign table */
	{OPT_ENDPOINT, CAT_TABLE, 0, &kind_endpoint, TABLE(endpoint)},
	{OPT_ROWS_PATH, CAT_TABLE, 0, &kind_rows_path, TABLE(rows_path)},
	{OPT_ROWS_PATH_OPTIONAL, CAT_SERVER | CAT_TABLE, 0, &kind_bool, TABLE(rows_path_optional)},
	{OPT_HEADER_ROW, CAT_TABLE, 0, &kind_bool, TABLE(header_row)},
	{OPT_EMPTY_AS_NULL, CAT_SERVER | CAT_TABLE, 0, &kind_bool, TABLE(empty_as_null), "true"},
	{OPT_HEADERS, CAT_TABLE, 0, &kind_headers, TABLE(headers)},

	/* requests: defaults on the server, per table on the foreign table */
	{OPT_METHOD, CAT_SERVER | CAT_TABLE, 0, &kind_method, TABLE(method), "GET"},
	{OPT_BODY, CAT_SERVER | CAT_TABLE, 0, &kind_body, TABLE(body)},
	{OPT_BODY_NULL, CAT_SERVER | CAT_TABLE, 0, &kind_body_null, TABLE(body_omit)},

	/* paging */
	{OPT_PAGING, CAT_PAGING, 0, &kind_paging, PAGING(style), "none"},
	{OPT_PAGE_SIZE, CAT_PAGING, 0, &kind_count, PAGING(page_size)},
	{OPT_PAGE_SIZE_PARAM, CAT_PAGING, 0, &kind_param_name, PAGING(page_size_param)},
	{OPT_OFFSET_PARAM, CAT_PAGING, 0, &kind_param_name, PAGING(offset_param)},
	{OPT_FIRST_OFFSET, CAT_PAGING, 0, &kind_nonneg_int, PAGING(first_offset)},
	{OPT_PAGE_PARAM, CAT_PAGING, 0, &kind_param_name, PAGING(page_param)},
	{OPT_FIRST_PAGE, CAT_PAGING, 0, &kind_nonneg_int, PAGING(first_page), "1"},
	{OPT_CURSOR_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(cursor_path)},
	{OPT_CURSOR_PARAM, CAT_PAGING, 0, &kind_param_name, PAGING(cursor_param), "cursor"},
	{OPT_CURSOR_ROW_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(cursor_row_path)},
	{OPT_CURSOR_HEADER, CAT_PAGING, 0, &kind_response_header, PAGING(cursor_header)},
	{OPT_CURSOR_REQUEST_HEADER, CAT_PAGING, 0, &kind_request_header, PAGING(cursor_request_header)},
	{OPT_NEXT_URL_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(next_url_path)},
	{OPT_NEXT_URL_HEADER, CAT_PAGING, 0, &kind_response_header, PAGING(next_url_header)},
	{OPT_HAS_MORE_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(has_more_path)},
	{OPT_TOTAL_COUNT_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(total_count_path)},
	{OPT_TOTAL_PAGES_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(total_pages_path)},
	{OPT_TOTAL_COUNT_HEADER, CAT_PAGING, 0, &kind_response_header, PAGING(total_count_header)},
	{OPT_SUCCESS_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(success_path)},
	{OPT_ERROR_PATH, CAT_PAGING, 0, &kind_json_path, PAGING(error_path)},
	{OPT_AUTH_ERROR_VALUES, CAT_PAGING, 0, &kind_text, PAGING(auth_error_values)},
	{OPT_HTTP_RULES, CAT_PAGING, 0, &kind_http_rules, PAGING(http_rules)},
	{OPT_PAGE_END, CAT_PAGING, 0, &kind_page_end, PAGING(short_page_ends)},
	{OPT_MAX_PAGES, CAT_PAGING, 0, &kind_count, PAGING(max_pages),
	CppAsString2(REST_DEFAULT_MAX_PAGES)},
	{OPT_CACHE_TTL, CAT_PAGING, 0, &kind_nonneg_int, PAGING(cache_ttl), "0"},
	{OPT_FETCH_CONCURRENCY, CAT_PAGING, 0, &kind_concurrency, PAGING(fetch_concurrency),
	CppAsString2(REST_DEFAULT_FETCH_CONCURRENCY)},
	/* response formats (format.c): server defaults, per table */
	{OPT_RESPONSE_FORMAT, CAT_PAGING, 0, &kind_response_format, PAGING(format.format), "auto"},
	{OPT_CSV_DELIMITER, CAT_PAGING, 0, &kind_csv_char, PAGING(format.csv_delimiter), ","},
	{OPT_CSV_QUOTE, CAT_PAGING, 0, &kind_csv_char, PAGING(format.csv_quote), "\""},
	{OPT_CSV_HEADER, CAT_PAGING, 0, &kind_bool, PAGING(format.csv_header), "true"},
	{OPT_REQUEST_COST, CAT_PAGING, 0, &kind_number, TABLE(request_cost),
	CppAsString2(REST_DEFAULT_REQUEST_COST)},
	{OPT_FIELDS_PARAM, CAT_PAGING, 0, &kind_param_name, TABLE(fields_param)},
	/* writes (modify.c) */
	{OPT_INSERT, CAT_TABLE, 0, &kind_insert, TABLE(insert)},
	{OPT_UPDATE, CAT_TABLE, 0, &kind_update, TABLE(update)},
	{OPT_DELETE, CAT_TABLE, 0, &kind_delete, TABLE(delete)},
	{OPT_ALLOW_FULL_UPDATE, CAT_SERVER | CAT_TABLE, 0, &kind_bool, TABLE(allow_full_update)},
	{OPT_BATCH_SIZE, CAT_SERVER | CAT_TABLE, 0, &kind_batch_size, TABLE(batch_size), "1"},
	{OPT_WRITE_WRAP, CAT_TABLE, 0, &kind_text, TABLE(write_wrap)},
	{OPT_UPDATABLE, CAT_SERVER | CAT_TABLE, 0, &kind_bool, TABLE(updatable), "true"},
	{OPT_IDEMPOTENCY_HEADER, CAT_SERVER | CAT_TABLE, 0, &kind_idempotency_header,
	TABLE(idempotency_header), "Idempotency-Key"},
	{OPT_ON_ERROR, CAT_SERVER | CAT_TABLE, 0, &kind_on_error, TABLE(skip_failed_writes), "stop"},
	{OPT_ROWS, CAT_TABLE, 0, &kind_number, TABLE(rows)},
	{OPT_EXACT, CAT_TABLE, 0, &kind_bool, TABLE(exact)},

	/* column */
	{OPT_JSON_PATH, CAT_COLUMN, 0, &kind_column_path, COLUMN(json_path)},
	{OPT_PARAM, CAT_COLUMN, 0, &kind_param_name, COLUMN(params[REST_OP_EQ])},
	{OPT_PARAM_LT, CAT_COLUMN, 0, &kind_param_name, COLUMN(params[REST_OP_LT])},
	{OPT_PARAM_LE, CAT_COLUMN, 0, &kind_param_name, COLUMN(params[REST_OP_LE])},
	{OPT_PARAM_GT, CAT_COLUMN, 0, &kind_param_name, COLUMN(params[REST_OP_GT])},
	{OPT_PARAM_GE, CAT_COLUMN, 0, &kind_param_name, COLUMN(params[REST_OP_GE])},
	{OPT_PARAM_NE, CAT_COLUMN, 0, &kind_param_name, COLUMN(params[REST_OP_NE])},
	{OPT_PARAM_CONTAINS, CAT_COLUMN, 0, &kind_param_name, COLUMN(params[REST_OP_CONTAINS])},
	{OPT_IN_STYLE, CAT_COLUMN, 0, &kind_in_style, COLUMN(in_comma)},
	{OPT_PARAM_IN, CAT_COLUMN, 0, &kind_param_in, COLUMN(param_header)},
	{OPT_KEY, CAT_COLUMN, 0, &kind_bool, COLUMN(is_key)},
	{OPT_READ_ONLY, CAT_COLUMN, 0, &kind_bool, COLUMN(read_only)},
	{OPT_VIRTUAL, CAT_COLUMN, 0, &kind_bool, COLUMN(is_virtual)},
	{OPT_PARAM_DEFAULT, CAT_COLUMN, 0, &kind_text, COLUMN(param_default)},
	{OPT_PARAM_REQUIRED, CAT_COLUMN, 0, &kind_bool, COLUMN(param_required)},
	{OPT_FORMAT, CAT_COLUMN, 0, &kind_format, COLUMN(format)},
	{OPT_EMPTY_AS_NULL, CAT_COLUMN, 0, &kind_column_bool, COLUMN(empty_as_null)},

	{NULL}
};

/* Paging options that name elements of the response */
static const char *const meta_path_options[] = {
	OPT_CURSOR_PATH, OPT_NEXT_URL_PATH, OPT_HAS_MORE_PATH,
	OPT_TOTAL_COUNT_PATH, OPT_TOTAL_PAGES_PATH
};

static int	catalog_bit(Oid catalog);
static const RestFdwOption *find_option(const char *name, int catalog);
static bool is_secret_option(const char *name);
static char *valid_options_list(int catalog);
static const char *option_string(List *options, const char *name);
static void check_may_name_server_file(const RestFdwOption *opt);
static void parse_value(const RestFdwOption *opt, const char *value,
						void *dest);
static void check_required(List *options, int catalog);
static void check_table_paging(List *options);
static void check_body_method(List *options, int catalog);
static void check_header_param(List *options);
static const char *enum_name(const RestOptEnum *values, int value);
static bool endpoints_lack_rows_path(List *endpoints);
static const char *check_http_url(const char *url);
static bool valid_dotted_path(const char *path);
static void check_client_certificate(RestConnOptions *opts);

/*
 * Validate the options given to CREATE/ALTER of a foreign data wrapper,
 * server, user mapping, foreign table or column of rest_fdw.
 *
 * The option list is the object's complete list after the change, so the
 * options one catalog decides alone are checked together here; those that
 * depend on other catalogs are checked when a query resolves them.
 */
Datum
rest_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	int			catalog = catalog_bit(PG_GETARG_OID(1));
	ListCell   *cell;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		const RestFdwOption *opt = find_option(def->defname, catalog);
		RestOptValue scratch;

		if (opt == NULL)
		{
			char	   *valid = valid_options_list(catalog);

			if (catalog == CAT_SERVER && is_secret_option(def->defname))
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

		if (opt->kind->privileged)
			check_may_name_server_file(opt);
		if (opt->kind->superuser_only && !superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to set option \"%s\"", opt->name),
					 errdetail("Only superusers may set it: turning certificate verification off lets anyone on the network path impersonate the API.")));
		parse_value(opt, defGetString(def), &scratch);
	}

	check_required(options, catalog);
	if (catalog == CAT_TABLE)
		check_table_paging(options);
	if (catalog == CAT_SERVER || catalog == CAT_TABLE)
		check_body_method(options, catalog);
	if (catalog == CAT_COLUMN)
		check_header_param(options);

	PG_RETURN_VOID();
}

/* The CAT_* bit of a catalog, or 0 */
static int
catalog_bit(Oid catalog)
{
	switch (catalog)
	{
		case ForeignDataWrapperRelationId:
			return CAT_WRAPPER;
		case ForeignServerRelationId:
			return CAT_SERVER;
		case UserMappingRelationId:
			return CAT_MAPPING;
		case ForeignTableRelationId:
			return CAT_TABLE;
		case AttributeRelationId:
			return CAT_COLUMN;
	}
	return 0;
}

/* What a catalog holds, for messages */
static const char *
catalog_objects(int catalog)
{
	switch (catalog)
	{
		case CAT_WRAPPER:
			return "foreign-data wrappers";
		case CAT_SERVER:
			return "servers";
		case CAT_MAPPING:
			return "user mappings";
		case CAT_TABLE:
			return "foreign tables";
		case CAT_COLUMN:
			return "columns";
	}
	return "objects";
}

static const RestFdwOption *
find_option(const char *name, int catalog)
{
	const RestFdwOption *opt;

	for (opt = rest_options; opt->name; opt++)
	{
		if ((opt->catalogs & catalog) != 0 && strcmp(opt->name, name) == 0)
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
		if ((opt->flags & OPTF_SECRET) != 0 && strcmp(opt->name, name) == 0)
			return true;
	}
	return false;
}

/* Is the option a secret (user mappings only, never shown)? */
bool
rest_option_is_secret(const char *name)
{
	return is_secret_option(name);
}

/*
 * The default of a server option, as written in OPTIONS, or NULL when it
 * has none (or there is no such server option).
 */
const char *
rest_server_option_default(const char *name)
{
	const RestFdwOption *opt = find_option(name, CAT_SERVER);

	return opt ? opt->defval : NULL;
}

/* Comma-separated names of the options valid for a catalog. */
static char *
valid_options_list(int catalog)
{
	StringInfoData buf;
	const RestFdwOption *opt;

	initStringInfo(&buf);
	for (opt = rest_options; opt->name; opt++)
	{
		if ((opt->catalogs & catalog) == 0)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, opt->name);
	}
	return buf.data;
}

/* The value of an option in a list of DefElem, or NULL */
static const char *
option_string(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

/*
 * An option that names a file the server process reads (ssl_ca_file,
 * rest_config_file): naming it is as powerful as reading server files, so
 * only superusers and roles with the privileges of pg_read_server_files
 * may set it, the rule of file_fdw's filename.  Checked when the option is
 * set, not when a query reads it.
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

/* "Valid values are: a, b (note), c.", from an enumeration's table */
static const char *
enum_values_hint(const RestOptEnum *values)
{
	StringInfoData buf;
	const RestOptEnum *e;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "Valid values are: ");
	for (e = values; e->name != NULL; e++)
	{
		if (e != values)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, e->name);
		if (e->note)
			appendStringInfo(&buf, " (%s)", e->note);
	}
	appendStringInfoChar(&buf, '.');
	return buf.data;
}

/*
 * Convert an option's value with its kind's parser into *dest, or raise
 * the error that says why the value is refused: the validator and the
 * resolvers both come here, so they accept and read the same values.
 */
static void
parse_value(const RestFdwOption *opt, const char *value, void *dest)
{
	const RestOptKind *kind = opt->kind;
	RestOptProblem problem = {NULL, NULL};
	const char *hint;

	if (kind->parse(kind, value, dest, &problem))
		return;

	/* kinds that may hold a secret or a long document do not quote it */
	hint = problem.hint ? problem.hint : kind->hint;
	if (hint == NULL && kind->values != NULL)
		hint = enum_values_hint(kind->values);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 kind->message == MSG_URL
			 ? errmsg("invalid URL in option \"%s\"", opt->name)
			 : kind->message == MSG_NO_VALUE
			 ? errmsg("invalid value for option \"%s\"", opt->name)
			 : errmsg("invalid value for option \"%s\": \"%s\"",
					  opt->name, value),
			 problem.detail ? errdetail("%s", problem.detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

/*
 * Is value valid for the foreign table option name?  NULL if so, else
 * what the option's validator would say (the detail, else the hint), for
 * a caller that reports it in its own terms (a REST config file's).
 */
const char *
rest_table_option_problem(const char *name, const char *value)
{
	const RestFdwOption *opt = find_option(name, CAT_TABLE);
	RestOptProblem problem = {NULL, NULL};
	RestOptValue scratch;

	Assert(opt != NULL);
	if (opt->kind->parse(opt->kind, value, &scratch, &problem))
		return NULL;
	if (problem.detail)
		return problem.detail;
	if (problem.hint || opt->kind->hint)
		return problem.hint ? problem.hint : opt->kind->hint;
	return opt->kind->values ? enum_values_hint(opt->kind->values) : "The value is not valid.";
}

/* Every object of a catalog has its required options. */
static void
check_required(List *options, int catalog)
{
	const RestFdwOption *opt;

	for (opt = rest_options; opt->name; opt++)
	{
		if ((opt->flags & OPTF_REQUIRED) != 0 &&
			(opt->catalogs & catalog) != 0 &&
			option_string(options, opt->name) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("option \"%s\" is required for rest_fdw %s",
							opt->name, catalog_objects(catalog)),
					 errhint("Give it in the OPTIONS clause: OPTIONS (%s '...').",
							 opt->name)));
	}
}

/*
 * Paging that reads elements of the response (a cursor, the next page's
 * URL, a total) finds the rows inside an object, so every alternative of
 * the endpoint needs a rows_path.  A table that sets both the paging style
 * and such an element itself is refused here, as its server cannot change
 * the outcome; otherwise the resolver checks it with the server's
 * defaults.
 */
static void
check_table_paging(List *options)
{
	const char *paging = option_string(options, OPT_PAGING);
	const char *meta = NULL;
	RestOptValue style;
	List	   *endpoints;
	int			i;

	if (paging == NULL)
		return;
	parse_value(find_option(OPT_PAGING, CAT_TABLE), paging, &style);
	if (style.i == REST_PAGING_NONE)
		return;
	for (i = 0; i < (int) lengthof(meta_path_options) && meta == NULL; i++)
	{
		if (option_string(options, meta_path_options[i]) != NULL)
			meta = meta_path_options[i];
	}
	if (meta == NULL)
		return;

	endpoints = rest_parse_endpoints(option_string(options, OPT_ENDPOINT),
									 option_string(options, OPT_ROWS_PATH),
									 NULL);
	if (endpoints_lack_rows_path(endpoints))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("paging \"%s\" with option \"%s\" reads elements of the response, so it needs the \"%s\" option",
						paging, meta, OPT_ROWS_PATH),
				 errhint("Set rows_path to the array of rows inside the response object.")));
}

/*
 * A column with param_in 'header' sends its param as a request header: the
 * param must be a header name an option may set (rest_header_name_problem:
 * pg_attribute is readable by every user, so no credential), and a header
 * carries a value, so no range or inequality parameter.
 */
static void
check_header_param(List *options)
{
	const char *in = option_string(options, OPT_PARAM_IN);
	const char *param = option_string(options, OPT_PARAM);
	static const char *const ranges[] = {
		OPT_PARAM_LT, OPT_PARAM_LE, OPT_PARAM_GT, OPT_PARAM_GE, OPT_PARAM_NE,
		OPT_PARAM_CONTAINS
	};
	RestOptValue header;
	const char *problem;
	int			i;

	if (in == NULL)
		return;
	parse_value(find_option(OPT_PARAM_IN, CAT_COLUMN), in, &header);
	if (!header.b)
		return;
	for (i = 0; i < (int) lengthof(ranges); i++)
	{
		if (option_string(options, ranges[i]) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" cannot be used with %s 'header'",
							ranges[i], OPT_PARAM_IN),
					 errdetail("A request header carries one value; only an equality (option \"%s\") or an IN list is sent as a header.",
							   OPT_PARAM)));
	}
	if (param == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"%s\" 'header' needs option \"%s\", the name of the header",
						OPT_PARAM_IN, OPT_PARAM)));
	problem = rest_header_name_problem(param, true);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\"", OPT_PARAM),
				 errdetail("%s", problem)));
}

/*
 * A body is sent with POST only: refused here when the object also sets
 * method to something else, otherwise when a query resolves both.
 */
static void
check_body_method(List *options, int catalog)
{
	const char *method = option_string(options, OPT_METHOD);
	RestOptValue m;

	if (option_string(options, OPT_BODY) == NULL || method == NULL)
		return;
	parse_value(find_option(OPT_METHOD, catalog), method, &m);
	if (m.i != REST_METHOD_POST)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" needs method \"POST\"", OPT_BODY),
				 errdetail("The requests of method \"%s\" have no body.", method),
				 errhint("Set method 'POST', or drop the body option.")));
}

/* Does an alternative of the endpoint have no rows_path? */
static bool
endpoints_lack_rows_path(List *endpoints)
{
	ListCell   *lc;

	foreach(lc, endpoints)
	{
		if (((RestEndpoint *) lfirst(lc))->rows_path == NULL)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------
 * The parsers of the kinds
 * ---------------------------------------------------------------------
 */

static bool
store_string(const char *value, void *dest)
{
	*(char **) dest = (char *) value;
	return true;
}

/* Text without control characters, at least kind->min bytes long */
static bool
parse_text(const RestOptKind *kind, const char *value, void *dest,
		   RestOptProblem *problem)
{
	if (rest_has_control_chars(value))
		problem->detail = "The value contains control characters such as newlines.";
	else if (strlen(value) < (size_t) kind->min)
		problem->detail = "The value is empty.";
	else
		return store_string(value, dest);
	return false;
}

static bool
parse_url(const RestOptKind *kind, const char *value, void *dest,
		  RestOptProblem *problem)
{
	problem->detail = check_http_url(value);
	return problem->detail == NULL && store_string(value, dest);
}

/*
 * token_uri: an http(s) URL, which may follow "POST " as DataDirect model
 * files and connection strings write it (token requests are POSTs; other
 * methods are refused)
 */
static bool
parse_token_url(const RestOptKind *kind, const char *value, void *dest,
				RestOptProblem *problem)
{
	const char *sp = strchr(value, ' ');

	if (sp != NULL && strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
		(size_t) (sp - value))
	{
		if (sp - value != 4 || pg_strncasecmp(value, "POST", 4) != 0)
		{
			problem->detail = "A token endpoint is asked with POST; give the URL alone or after \"POST \".";
			return false;
		}
		value = sp + 1;
		while (*value == ' ')
			value++;
	}
	return parse_url(kind, value, dest, problem);
}

/*
 * token_types: the token_type values, other than Bearer, that a token
 * response may have (Slack's "bot" and "user"); the token is still sent as
 * a bearer token.  Stored as given, lower-cased.
 */
static bool
parse_token_types(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	const char *p;
	bool		item_empty = true;

	for (p = value; *p; p++)
	{
		if (*p == ',')
		{
			if (item_empty)
				return false;
			item_empty = true;
		}
		else if (*p == ' ')
			continue;
		else if (isalnum((unsigned char) *p) || *p == '-' || *p == '_')
			item_empty = false;
		else
			return false;
	}
	if (item_empty)
		return false;
	return store_string(value, dest);
}

/* A decimal integer from kind->min to kind->max, as an int */
static bool
parse_integer(const RestOptKind *kind, const char *value, void *dest,
			  RestOptProblem *problem)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' ||
		v < kind->min || v > kind->max)
		return false;
	*(int *) dest = (int) v;
	return true;
}

/* A size in bytes, or with a unit (kB, MB, GB), as an int of bytes */
static bool
parse_size(const RestOptKind *kind, const char *value, void *dest,
		   RestOptProblem *problem)
{
	int			bytes;

	if (!parse_int(value, &bytes, GUC_UNIT_BYTE, NULL) ||
		bytes < kind->min || bytes > kind->max)
		return false;
	*(int *) dest = bytes;
	return true;
}

/* A non-negative number below 10^15, as a double */
static bool
parse_number(const RestOptKind *kind, const char *value, void *dest,
			 RestOptProblem *problem)
{
	char	   *end;
	double		d;

	errno = 0;
	d = strtod(value, &end);
	if (errno != 0 || end == value || *end != '\0' || !(d >= 0 && d < 1e15))
		return false;
	*(double *) dest = d;
	return true;
}

/* A Boolean as PostgreSQL reads one (true, yes, on, 1, ...), as a bool */
static bool
parse_boolean(const RestOptKind *kind, const char *value, void *dest,
			  RestOptProblem *problem)
{
	return parse_bool(value, (bool *) dest);
}

static const RestOptEnum *
find_enum(const RestOptEnum *values, const char *value)
{
	for (; values->name; values++)
	{
		if (pg_strcasecmp(values->name, value) == 0)
			return values;
	}
	return NULL;
}

/* One of kind->values, stored as an int (an enum) */
static bool
parse_enum(const RestOptKind *kind, const char *value, void *dest,
		   RestOptProblem *problem)
{
	const RestOptEnum *e = find_enum(kind->values, value);

	if (e == NULL)
		return false;
	*(int *) dest = e->value;
	return true;
}

/* One of two kind->values, stored as a bool */
static bool
parse_enum_flag(const RestOptKind *kind, const char *value, void *dest,
				RestOptProblem *problem)
{
	const RestOptEnum *e = find_enum(kind->values, value);

	if (e == NULL)
		return false;
	*(bool *) dest = (e->value != 0);
	return true;
}

static bool
parse_header_name(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	if (kind->max > 0 && strlen(value) > (size_t) kind->max)
		return false;
	return rest_valid_header_name(value) && store_string(value, dest);
}

/* A request header an option may set (rest_header_name_problem) */
static bool
parse_request_header(const RestOptKind *kind, const char *value, void *dest,
					 RestOptProblem *problem)
{
	if (kind->min == 0 && value[0] == '\0')
		return store_string(value, dest);
	problem->detail = rest_header_name_problem(value, false);
	return problem->detail == NULL && store_string(value, dest);
}

/*
 * What a write sends: "METHOD path", the method one of kind->values, the
 * path one alternative of an endpoint (relative to base_url, its
 * placeholders checked as an endpoint's), stored as written.
 */
static bool
parse_write_op(const RestOptKind *kind, const char *value, void *dest,
			   RestOptProblem *problem)
{
	const char *space = strchr(value, ' ');
	const RestOptEnum *e;
	char	   *method;
	const char *path;
	List	   *alternatives;

	if (space == NULL)
		return false;
	method = pnstrdup(value, space - value);
	for (e = kind->values; e->name; e++)
	{
		if (strcmp(e->name, method) == 0)
			break;
	}
	if (e->name == NULL)
		return false;
	path = space + 1;
	if (!is_relative_path(path, "path", problem))
		return false;
	alternatives = rest_parse_endpoints(path, NULL, &problem->detail);
	if (problem->detail != NULL)
		return false;
	if (list_length(alternatives) != 1 ||
		((RestEndpoint *) linitial(alternatives))->rows_path != NULL)
	{
		problem->detail = "A write sends one request: give one path, without alternatives or a rows path.";
		return false;
	}
	return store_string(value, dest);
}

/* The headers option (headers.c), as a List of "Name: value" */
static bool
parse_header_list(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	List	   *headers = rest_parse_headers(value, &problem->detail);

	if (problem->detail != NULL)
		return false;
	*(List **) dest = headers;
	return true;
}

/* An absolute file name (ssl_ca_file) */
static bool
parse_server_file(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	return is_absolute_path(value) && !rest_has_control_chars(value) &&
		store_string(value, dest);
}

/* A file name, absolute or relative to the data directory */
static bool
parse_config_file(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	return value[0] != '\0' && !rest_has_control_chars(value) &&
		store_string(value, dest);
}

/* A path relative to base_url: "://" means a URL was given */
static bool
is_relative_path(const char *value, const char *what, RestOptProblem *problem)
{
	if (strstr(value, "://") == NULL)
		return true;
	problem->detail = psprintf("The %s is a path relative to the server's base_url, not a URL.",
							   what);
	problem->hint = "Put the scheme and host in the base_url option of the server.";
	return false;
}

/* The endpoint option: alternatives separated by "|" (rest_parse_endpoints) */
static bool
parse_endpoint(const RestOptKind *kind, const char *value, void *dest,
			   RestOptProblem *problem)
{
	if (!is_relative_path(value, "endpoint", problem))
		return false;
	(void) rest_parse_endpoints(value, NULL, &problem->detail);
	return problem->detail == NULL && store_string(value, dest);
}

/* A body template (template.c), stored as written */
static bool
parse_body(const RestOptKind *kind, const char *value, void *dest,
		   RestOptProblem *problem)
{
	return rest_parse_body(value, &problem->detail) != NULL &&
		store_string(value, dest);
}

/* One path relative to base_url, without placeholders */
static bool
parse_sample_path(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	if (!is_relative_path(value, "sample path", problem))
		return false;
	if (strpbrk(value, " |{}#") != NULL || rest_has_control_chars(value))
		problem->detail = "A sample path is one path without white space, placeholders or a fragment (#).";
	else if (rest_has_dot_segment(value))
		problem->detail = "A sample path must not contain \".\" or \"..\" path segments: they would reach paths outside the server's base_url.";
	else
		return store_string(value, dest);
	return false;
}

static bool
parse_param_name(const RestOptKind *kind, const char *value, void *dest,
				 RestOptProblem *problem)
{
	return value[0] != '\0' && !rest_has_control_chars(value) &&
		strpbrk(value, "&=#? ") == NULL && store_string(value, dest);
}

static bool
parse_json_path(const RestOptKind *kind, const char *value, void *dest,
				RestOptProblem *problem)
{
	return valid_dotted_path(value) && store_string(value, dest);
}

/*
 * rows_path: a dotted path whose "*" segments go through every element of
 * an array (the rows of a child table); "^" and "#" belong to columns.
 */
static bool
parse_rows_path(const RestOptKind *kind, const char *value, void *dest,
				RestOptProblem *problem)
{
	if (!valid_dotted_path(value))
		return false;
	problem->detail = rest_rows_path_problem(value);
	return problem->detail == NULL && store_string(value, dest);
}

/*
 * A column's json_path: leading "^" segments climb to the elements a row
 * is in (the "*" of rows_path, innermost first); a final "#" is a
 * position; "$" alone is the row itself; no "*".
 */
static bool
parse_column_path(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	char	  **keys;
	int			nkeys;
	int			k = 0;

	if (!valid_dotted_path(value))
		return false;
	keys = rest_split_json_path(value, &nkeys);
	while (k < nkeys && keys[k] == REST_JSON_PARENT)
		k++;
	if (k == nkeys)
	{
		problem->detail = "A json_path must not end with \"^\".";
		return false;
	}
	if (nkeys == 1 && keys[0] == REST_JSON_SELF)
		return store_string(value, dest);
	for (; k < nkeys; k++)
	{
		if (keys[k] == REST_JSON_STAR || keys[k] == REST_JSON_PARENT ||
			keys[k] == REST_JSON_SELF ||
			(keys[k] == REST_JSON_POSITION && k < nkeys - 1))
		{
			problem->detail = psprintf("The segment \"%s\" cannot stand there in a json_path.",
									   keys[k]);
			return false;
		}
	}
	return store_string(value, dest);
}

/*
 * Why a rows_path is refused (a DETAIL sentence), or NULL: a dotted path
 * without "^", "#" or "$" segments, and at most REST_MAX_ROWS_LEVELS "*"
 * that are not last (the last one names rows, not their ancestors).
 */
const char *
rest_rows_path_problem(const char *path)
{
	char	  **keys;
	int			nkeys;
	int			k;
	int			stars = 0;

	if (!valid_dotted_path(path))
		return psprintf("The rows path \"%s\" must be object keys separated by dots.", path);
	keys = rest_split_json_path(path, &nkeys);
	for (k = 0; k < nkeys; k++)
	{
		if (keys[k] == REST_JSON_PARENT || keys[k] == REST_JSON_POSITION ||
			keys[k] == REST_JSON_SELF)
			return psprintf("The segment \"%s\" belongs in a column's json_path, not in a rows path.",
							keys[k]);
		stars += keys[k] == REST_JSON_STAR && k < nkeys - 1;
	}
	if (stars > REST_MAX_ROWS_LEVELS)
		return psprintf("A rows path goes through at most %d arrays.", REST_MAX_ROWS_LEVELS);
	return NULL;
}

/* Does a (valid) rows path go through an array ("orders.*.lines")? */
bool
rest_rows_path_nested(const char *path)
{
	char	  **keys;
	int			nkeys;
	int			k;

	if (path == NULL)
		return false;
	keys = rest_split_json_path(path, &nkeys);
	for (k = 0; k < nkeys; k++)
	{
		if (keys[k] == REST_JSON_STAR)
			return true;
	}
	return false;
}

/* retry_statuses (ratelimit.c), as a Bitmapset of status codes */
static bool
parse_status_list(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	return rest_parse_status_list(value, (Bitmapset **) dest, &problem->detail);
}

/* rate_limit (ratelimit.c), as a RestRateLimit */
static bool
parse_rate_limit(const RestOptKind *kind, const char *value, void *dest,
				 RestOptProblem *problem)
{
	return rest_parse_rate_limit(value, (RestRateLimit *) dest, &problem->detail);
}

/*
 * A name or key id for AWS Signature Version 4: kind_aws_name allows
 * lower-case letters, digits and "-", kind_aws_key_id letters and digits,
 * from kind->min to kind->max characters.
 */
/* One printable ASCII byte (or a tab), stored as the string */
/* http_rules (httprules.c), as a List of RestHttpRule */
static bool
parse_http_rules(const RestOptKind *kind, const char *value, void *dest,
				 RestOptProblem *problem)
{
	List	   *rules = rest_parse_http_rules(value, &problem->detail);

	if (problem->detail != NULL)
		return false;
	*(List **) dest = rules;
	return true;
}

static bool
parse_csv_char(const RestOptKind *kind, const char *value, void *dest,
			   RestOptProblem *problem)
{
	unsigned char c = (unsigned char) value[0];

	if (c == '\0' || value[1] != '\0' || c == '\n' || c == '\r' ||
		(c < 0x20 && c != '\t') || c >= 0x7f)
		return false;
	return store_string(value, dest);
}

static bool
parse_token_chars(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	size_t		len = strlen(value);
	const char *p;

	if (len < (size_t) kind->min || len > (size_t) kind->max)
	{
		problem->detail = psprintf("The value must be from %ld to %ld characters long.",
								   kind->min, kind->max);
		return false;
	}
	for (p = value; *p; p++)
	{
		bool		ok;

		if (kind == &kind_aws_name)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
				*p == '-';
		else if (kind == &kind_base64url)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
		else
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9');
		if (!ok)
			return false;
	}
	return store_string(value, dest);
}

/* A column's format (valuefmt.c) */
static bool
parse_format(const RestOptKind *kind, const char *value, void *dest,
			 RestOptProblem *problem)
{
	problem->detail = rest_format_problem(value);
	return problem->detail == NULL && store_string(value, dest);
}

/*
 * PEM text (ssl_cert, ssl_key): a "-----BEGIN" line, then an "-----END"
 * one; line breaks are allowed, other control characters are not.
 */
static bool
parse_pem(const RestOptKind *kind, const char *value, void *dest,
		  RestOptProblem *problem)
{
	const char *begin = strstr(value, "-----BEGIN ");
	const char *p;

	for (p = value; *p; p++)
	{
		if ((unsigned char) *p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
		{
			problem->detail = "The value contains control characters other than line breaks.";
			return false;
		}
	}
	if (begin == NULL || strstr(begin, "-----END ") == NULL)
	{
		problem->detail = "The value is not PEM text.";
		return false;
	}
	return store_string(value, dest);
}

/*
 * private_key: PEM text or a service-account JSON key file holding a key
 * that can sign a JWT (jwt.c reads it as it will when signing); the
 * problem never quotes the value
 */
static bool
parse_private_key(const RestOptKind *kind, const char *value, void *dest,
				  RestOptProblem *problem)
{
	problem->detail = rest_jwt_key_problem(value);
	return problem->detail == NULL && store_string(value, dest);
}

/* A proxy URL without credentials (transport.c) */
static bool
parse_proxy(const RestOptKind *kind, const char *value, void *dest,
			RestOptProblem *problem)
{
	bool		credentials;

	problem->detail = rest_proxy_parse(value, NULL, NULL, NULL, &credentials);
	if (credentials)
		problem->hint = "Give the proxy's user name and password in the user mapping options proxy_user and proxy_password: the options of a server are readable by every user.";
	return problem->detail == NULL && store_string(value, dest);
}

/* A no_proxy list (transport.c) */
static bool
parse_no_proxy(const RestOptKind *kind, const char *value, void *dest,
			   RestOptProblem *problem)
{
	problem->detail = rest_no_proxy_problem(value);
	return problem->detail == NULL && store_string(value, dest);
}

/* ---------------------------------------------------------------------
 * URLs and dotted paths
 * ---------------------------------------------------------------------
 */

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
 * backslash inside a key written \. or \\ ("@odata\.nextLink"), and a
 * key that is just "*", "^", "#" or "$" written \*, \^, \# or \$, since
 * those keys alone are the special segments of rows_path and json_path
 * (the elements of an array, the element a row is in, a row's position,
 * the row itself).
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
			if (p[1] != '.' && p[1] != '\\' && p[1] != '*' && p[1] != '^' &&
				p[1] != '#' && p[1] != '$')
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
	bool		escaped = false;

	*n = 0;
	initStringInfo(&key);
	for (p = path;; p++)
	{
		if (*p == '\\' && p[1] != '\0' && strchr(".\\*^#$", p[1]) != NULL)
		{
			appendStringInfoChar(&key, *++p);
			escaped = true;
		}
		else if (*p == '.' || *p == '\0')
		{
			/* the special segments are these very strings, compared by address */
			if (!escaped && strcmp(key.data, "*") == 0)
				keys[(*n)++] = (char *) REST_JSON_STAR;
			else if (!escaped && strcmp(key.data, "^") == 0)
				keys[(*n)++] = (char *) REST_JSON_PARENT;
			else if (!escaped && strcmp(key.data, "#") == 0)
				keys[(*n)++] = (char *) REST_JSON_POSITION;
			else if (!escaped && strcmp(key.data, "$") == 0)
				keys[(*n)++] = (char *) REST_JSON_SELF;
			else
				keys[(*n)++] = pstrdup(key.data);
			escaped = false;
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

/* The special segments of rest_split_json_path's result, by address */
const char rest_json_star[] = "*";
const char rest_json_parent[] = "^";
const char rest_json_position[] = "#";
const char rest_json_self[] = "$";

/* Is path a json_path the validator accepts? */
bool
rest_valid_json_path(const char *path)
{
	return valid_dotted_path(path);
}

/*
 * Append a JSON key to a dotted path, escaping dots and backslashes, and
 * the keys "*", "^" and "#" that would read as special segments
 */
void
rest_append_json_key(StringInfo buf, const char *key)
{
	if (key[0] != '\0' && strchr("*^#$", key[0]) != NULL && key[1] == '\0')
		appendStringInfoChar(buf, '\\');
	for (; *key; key++)
	{
		if (*key == '.' || *key == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *key);
	}
}

/* ---------------------------------------------------------------------
 * Names of enumerated values, for EXPLAIN and messages
 * ---------------------------------------------------------------------
 */

static const char *
enum_name(const RestOptEnum *values, int value)
{
	for (; values->name; values++)
	{
		if (values->value == value)
			return values->name;
	}
	return "?";
}

const char *
rest_auth_method_name(RestAuthMethod method)
{
	return enum_name(auth_methods, method);
}

const char *
rest_paging_name(RestPagingStyle style)
{
	return enum_name(paging_styles, style);
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

/* ---------------------------------------------------------------------
 * Resolution: catalog options to RestConnOptions and RestTableOptions
 * ---------------------------------------------------------------------
 */

/* Store the defaults of the options kept in a target's record. */
static void
set_defaults(RestOptTarget target, void *record)
{
	const RestFdwOption *opt;

	for (opt = rest_options; opt->name; opt++)
	{
		if (opt->target == target && opt->defval != NULL)
			parse_value(opt, opt->defval, (char *) record + opt->offset);
	}
}

/*
 * Store the options of one catalog's object that are kept in a target's
 * record, over the defaults (or over the values of an object read before).
 */
static void
apply_options(List *options, int catalog, RestOptTarget target, void *record)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const RestFdwOption *opt = find_option(def->defname, catalog);

		if (opt != NULL && opt->target == target)
			parse_value(opt, defGetString(def), (char *) record + opt->offset);
	}
}

/*
 * Build the connection options for a scan of a server by a user.
 *
 * The user mapping is looked up only when with_credentials is set and the
 * server's authentication method needs credentials; a missing one is an
 * error that says how to make it.  The result is palloc'd in the current
 * memory context.
 */
RestConnOptions *
rest_get_conn_options(Oid serverid, Oid userid, bool with_credentials)
{
	ForeignServer *server = GetForeignServer(serverid);
	RestConnOptions *opts = palloc0(sizeof(RestConnOptions));
	UserMapping *um;

	opts->serverid = serverid;
	opts->servername = pstrdup(server->servername);
	opts->umid = InvalidOid;
	opts->owner_is_superuser = superuser_arg(server->owner);
	set_defaults(TARGET_CONN, opts);
	apply_options(server->options, CAT_SERVER, TARGET_CONN, opts);

	if (!with_credentials)
		return opts;
	if (opts->auth_method == REST_AUTH_NONE)
	{
		/*
		 * No credentials are needed, but a user mapping, if there is one,
		 * may hold the transport's: a client certificate, a proxy login.
		 */
		if (SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								  ObjectIdGetDatum(userid),
								  ObjectIdGetDatum(serverid)) ||
			SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								  ObjectIdGetDatum(InvalidOid),
								  ObjectIdGetDatum(serverid)))
			apply_options(GetUserMapping(userid, serverid)->options,
						  CAT_MAPPING, TARGET_CONN, opts);
		check_client_certificate(opts);
		return opts;
	}

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
	apply_options(um->options, CAT_MAPPING, TARGET_CONN, opts);
	check_client_certificate(opts);
	return opts;
}

/*
 * A client certificate needs its private key, and a key its certificate;
 * each may be PEM text in the user mapping (which wins) or a file.
 */
static void
check_client_certificate(RestConnOptions *opts)
{
	bool		cert = opts->ssl_cert != NULL || opts->ssl_cert_file != NULL;
	bool		key = opts->ssl_key != NULL || opts->ssl_key_file != NULL;

	if (cert && !key)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("the TLS client certificate of server \"%s\" has no private key",
						opts->servername),
				 errhint("Give the key as \"%s\" in the user mapping, or as \"%s\".",
						 OPT_SSL_KEY, OPT_SSL_KEY_FILE)));
	if (key && !cert)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("the TLS client key of server \"%s\" has no certificate",
						opts->servername),
				 errhint("Give the certificate as \"%s\" in the user mapping, or as \"%s\".",
						 OPT_SSL_CERT, OPT_SSL_CERT_FILE)));
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
 * Complete a table's paging from its style: default parameter names, and
 * the options the style needs, which the table or its server may give.
 */
static void
resolve_paging(Oid relid, RestTableOptions *opts)
{
	RestPaging *pg = &opts->paging;

	if (pg->style == REST_PAGING_OFFSET)
	{
		if (pg->offset_param == NULL)
			pg->offset_param = "offset";
		if (pg->page_size_param == NULL)
			pg->page_size_param = "limit";
	}
	else if (pg->style == REST_PAGING_PAGE && pg->page_param == NULL)
		pg->page_param = "page";

	if (pg->style == REST_PAGING_CURSOR &&
		(pg->cursor_path != NULL) + (pg->cursor_row_path != NULL) +
		(pg->cursor_header != NULL) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("only one of the options \"%s\", \"%s\" and \"%s\" can be set",
						OPT_CURSOR_PATH, OPT_CURSOR_ROW_PATH, OPT_CURSOR_HEADER),
				 errdetail("Each says where the next cursor is.")));
	if (pg->style == REST_PAGING_CURSOR && pg->cursor_path == NULL &&
		pg->cursor_row_path == NULL && pg->cursor_header == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("paging \"cursor\" needs the \"%s\" option", OPT_CURSOR_PATH),
				 errhint("Name the element of the response that holds the next cursor, for example OPTIONS (ADD cursor_path 'meta.next_cursor'), or the element of a row whose value in the last row is the next cursor, for example OPTIONS (ADD cursor_row_path 'id'), or the response header that holds it, for example OPTIONS (ADD cursor_header 'X-Next-Page').")));
	if (pg->style == REST_PAGING_NEXT_URL && pg->next_url_path == NULL &&
		pg->next_url_header == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("paging \"next_url\" needs the \"%s\" option", OPT_NEXT_URL_PATH),
				 errhint("Name the element of the response that holds the next page's URL, for example OPTIONS (ADD next_url_path 'links.next'), or the response header that holds it, for example OPTIONS (ADD next_url_header 'Next').")));
	if (pg->style == REST_PAGING_NEXT_URL && pg->next_url_path != NULL &&
		pg->next_url_header != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("options \"%s\" and \"%s\" cannot both be set",
						OPT_NEXT_URL_PATH, OPT_NEXT_URL_HEADER),
				 errdetail("The next page's URL is in the response's body or in one of its headers.")));
	if ((pg->cursor_path || pg->next_url_path || pg->has_more_path ||
		 pg->total_count_path || pg->total_pages_path) &&
		pg->style != REST_PAGING_NONE && endpoints_lack_rows_path(opts->endpoints))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("paging of foreign table \"%s\" reads elements of the response, so it needs the \"%s\" option",
						get_rel_name(relid), OPT_ROWS_PATH),
				 errhint("Set rows_path to the array of rows inside the response object.")));
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
	int			i;

	set_defaults(TARGET_TABLE, opts);
	opts->rows = -1;			/* not given */
	apply_options(server->options, CAT_SERVER, TARGET_TABLE, opts);
	apply_options(table->options, CAT_TABLE, TARGET_TABLE, opts);
	opts->endpoints = rest_parse_endpoints(opts->endpoint, opts->rows_path,
										   NULL);
	resolve_paging(relid, opts);
	if (opts->body != NULL)
	{
		const char *problem;

		if (opts->method != REST_METHOD_POST)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("foreign table \"%s\" has a body but method \"%s\"",
							get_rel_name(relid), enum_name(methods, opts->method)),
					 errhint("Set method 'POST' on the foreign table or its server.")));
		opts->body_template = rest_parse_body(opts->body, &problem);
		if (opts->body_template == NULL)
			elog(ERROR, "body of foreign table \"%s\" is invalid: %s",
				 get_rel_name(relid), problem);
	}

	opts->natts = tupdesc->natts;
	opts->cols = palloc0(sizeof(RestColumnOptions) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		RestColumnOptions *col = &opts->cols[i];

		if (att->attisdropped)
			continue;
		set_defaults(TARGET_COLUMN, col);
		col->json_path = pstrdup(NameStr(att->attname));
		apply_options(GetForeignColumnOptions(relid, att->attnum),
					  CAT_COLUMN, TARGET_COLUMN, col);
	}

	return opts;
}

/*
 * The response format options of a table given by its server's and its
 * own option lists (DefElems; either may be NIL), over the defaults: for
 * IMPORT FOREIGN SCHEMA, whose tables are not in the catalogs yet.
 */
void
rest_format_options(List *server_options, List *table_options,
					RestFormatOptions *format)
{
	RestTableOptions *opts = palloc0(sizeof(RestTableOptions));

	set_defaults(TARGET_TABLE, opts);
	apply_options(server_options, CAT_SERVER, TARGET_TABLE, opts);
	apply_options(table_options, CAT_TABLE, TARGET_TABLE, opts);
	*format = opts->paging.format;
}

/* ---------------------------------------------------------------------
 * Endpoints
 * ---------------------------------------------------------------------
 */

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
		else if (rows && rest_rows_path_problem(rows) != NULL)
			bad = rest_rows_path_problem(rows);
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
