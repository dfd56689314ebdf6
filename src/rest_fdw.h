/*-------------------------------------------------------------------------
 *
 * rest_fdw.h
 *		  Shared structures and prototypes of the REST/JSON foreign data
 *		  wrapper.
 *
 * Every source file includes this header.  It holds no logic: the option
 * records the validator and the planner agree on, the HTTP request and
 * response records, and the prototypes grouped by the file that defines
 * them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef REST_FDW_H
#define REST_FDW_H

#include "postgres.h"

#include "compat.h"

#include "access/tupdesc.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "utils/timestamp.h"

#define REST_FDW_VERSION "0.1"

/* Option names, shared by the validator and the code that reads them */
#define OPT_BASE_URL			"base_url"
#define OPT_AUTH_METHOD			"authentication_method"
#define OPT_TOKEN_URI			"token_uri"
#define OPT_REVOCATION_URI		"revocation_uri"
#define OPT_DEVICE_AUTHORIZATION_URI "device_authorization_uri"
#define OPT_AUTHORIZATION_URI	"authorization_uri"
#define OPT_REDIRECT_URI		"redirect_uri"
#define OPT_TOKEN_TYPES			"token_types"
#define OPT_SCOPE				"scope"
#define OPT_GRANT_TYPE			"grant_type"
#define OPT_CLIENT_ID			"client_id"
#define OPT_CLIENT_AUTH			"client_auth"
#define OPT_PRIVATE_KEY			"private_key"
#define OPT_JWT_ISSUER			"jwt_issuer"
#define OPT_JWT_SUBJECT			"jwt_subject"
#define OPT_JWT_AUDIENCE		"jwt_audience"
#define OPT_JWT_KEY_ID			"jwt_key_id"
#define OPT_JWT_X5T				"jwt_x5t"
#define OPT_JWT_ALGORITHM		"jwt_algorithm"
#define OPT_JWT_LIFETIME		"jwt_lifetime"
#define OPT_AUTH_HEADER			"auth_header"
#define OPT_AUTH_PARAM			"auth_param"
#define OPT_CONNECT_TIMEOUT		"connect_timeout"
#define OPT_TIMEOUT				"timeout"
#define OPT_SSL_CA_FILE			"ssl_ca_file"
#define OPT_ALLOW_INSECURE_HTTP	"allow_insecure_http"
#define OPT_SSL_VERIFY			"ssl_verify"
#define OPT_SSL_MIN_VERSION		"ssl_min_version"
#define OPT_SSL_CERT_FILE		"ssl_cert_file"
#define OPT_SSL_KEY_FILE		"ssl_key_file"
#define OPT_SSL_CERT			"ssl_cert"
#define OPT_SSL_KEY				"ssl_key"
#define OPT_SSL_KEY_PASSWORD	"ssl_key_password"
#define OPT_PROXY				"proxy"
#define OPT_NO_PROXY			"no_proxy"
#define OPT_PROXY_USER			"proxy_user"
#define OPT_PROXY_PASSWORD		"proxy_password"
#define OPT_USER_AGENT			"user_agent"
#define OPT_CLIENT_SECRET		"client_secret"
#define OPT_REFRESH_TOKEN		"refresh_token"
#define OPT_USER				"user"
#define OPT_PASSWORD			"password"
#define OPT_API_KEY				"api_key"
#define OPT_ACCESS_TOKEN		"access_token"
#define OPT_AWS_REGION			"aws_region"
#define OPT_AWS_SERVICE			"aws_service"
#define OPT_AWS_ACCESS_KEY_ID	"aws_access_key_id"
#define OPT_AWS_SECRET_ACCESS_KEY "aws_secret_access_key"
#define OPT_AWS_SESSION_TOKEN	"aws_session_token"
#define OPT_ENDPOINT			"endpoint"
#define OPT_ROWS_PATH			"rows_path"
#define OPT_JSON_PATH			"json_path"
#define OPT_MAX_RETRIES			"max_retries"
#define OPT_MAX_RETRY_WAIT		"max_retry_wait"
#define OPT_MAX_RESPONSE_SIZE	"max_response_size"
#define OPT_LOW_SPEED_LIMIT		"low_speed_limit"
#define OPT_LOW_SPEED_TIME		"low_speed_time"
#define OPT_PAGING				"paging"
#define OPT_PAGE_SIZE			"page_size"
#define OPT_PAGE_SIZE_PARAM		"page_size_param"
#define OPT_OFFSET_PARAM		"offset_param"
#define OPT_FIRST_OFFSET		"first_offset"
#define OPT_PAGE_PARAM			"page_param"
#define OPT_FIRST_PAGE			"first_page"
#define OPT_CURSOR_PATH			"cursor_path"
#define OPT_CURSOR_PARAM		"cursor_param"
#define OPT_CURSOR_ROW_PATH		"cursor_row_path"
#define OPT_CURSOR_HEADER		"cursor_header"
#define OPT_CURSOR_REQUEST_HEADER	"cursor_request_header"
#define OPT_NEXT_URL_PATH		"next_url_path"
#define OPT_NEXT_URL_HEADER		"next_url_header"
#define OPT_HAS_MORE_PATH		"has_more_path"
#define OPT_TOTAL_COUNT_PATH	"total_count_path"
#define OPT_TOTAL_PAGES_PATH	"total_pages_path"
#define OPT_TOTAL_COUNT_HEADER	"total_count_header"
#define OPT_SUCCESS_PATH		"success_path"
#define OPT_ERROR_PATH			"error_path"
#define OPT_AUTH_ERROR_VALUES	"auth_error_values"
#define OPT_HTTP_RULES			"http_rules"
#define OPT_PAGE_END			"page_end"
#define OPT_MAX_PAGES			"max_pages"
#define OPT_FETCH_CONCURRENCY	"fetch_concurrency"
#define OPT_ROWS				"rows"
#define OPT_REQUEST_COST		"request_cost"
#define OPT_EXACT				"exact"
#define OPT_FIELDS_PARAM		"fields_param"
#define OPT_INSERT				"insert"
#define OPT_UPDATE				"update"
#define OPT_DELETE				"delete"
#define OPT_ALLOW_FULL_UPDATE	"allow_full_update"
#define OPT_KEY					"key"
#define OPT_BATCH_SIZE			"batch_size"
#define OPT_WRITE_WRAP			"write_wrap"
#define REST_MAX_BATCH_SIZE		1000	/* rows in one INSERT request */
#define OPT_UPDATABLE			"updatable"
#define OPT_IDEMPOTENCY_HEADER	"idempotency_header"
#define OPT_ON_ERROR			"on_error"
#define OPT_CACHE_TTL			"cache_ttl"
#define OPT_READ_ONLY			"read_only"
#define OPT_PARAM				"param"
#define OPT_PARAM_LT			"param_lt"
#define OPT_PARAM_LE			"param_le"
#define OPT_PARAM_GT			"param_gt"
#define OPT_PARAM_GE			"param_ge"
#define OPT_PARAM_NE			"param_ne"
#define OPT_PARAM_CONTAINS		"param_contains"
#define OPT_IN_STYLE			"in_style"
#define OPT_PARAM_IN			"param_in"
#define OPT_VIRTUAL				"virtual"
#define OPT_PARAM_REQUIRED		"param_required"
#define OPT_PARAM_DEFAULT		"param_default"
#define OPT_HEADERS				"headers"
#define OPT_METHOD				"method"
#define OPT_BODY				"body"
#define OPT_BODY_NULL			"body_null"
#define OPT_REST_CONFIG_FILE	"rest_config_file"
#define OPT_REST_SAMPLE_PATH	"rest_sample_path"
#define OPT_SAMPLE_ROWS			"sample_rows"
#define OPT_RETRY_STATUSES		"retry_statuses"
#define OPT_RATE_LIMIT			"rate_limit"
#define OPT_ROWS_PATH_OPTIONAL	"rows_path_optional"
#define OPT_HEADER_ROW			"header_row"
#define OPT_FORMAT				"format"
#define OPT_EMPTY_AS_NULL		"empty_as_null"
#define OPT_RESPONSE_FORMAT		"response_format"
#define OPT_CSV_DELIMITER		"csv_delimiter"
#define OPT_CSV_QUOTE			"csv_quote"
#define OPT_CSV_HEADER			"csv_header"
#define OPT_DETECT_EPOCH		"detect_epoch"	/* IMPORT FOREIGN SCHEMA */
#define OPT_HEADER_NAMES		"header_names"	/* IMPORT FOREIGN SCHEMA */
#define OPT_KEEP_LENGTHS		"keep_lengths"	/* IMPORT FOREIGN SCHEMA */
#define OPT_VERIFY_COLUMNS		"verify_columns"	/* IMPORT FOREIGN SCHEMA */
#define OPT_NORMALIZE			"normalize"	/* IMPORT FOREIGN SCHEMA */

/* Defaults */
#define REST_DEFAULT_CONNECT_TIMEOUT	10	/* seconds */
#define REST_DEFAULT_TIMEOUT			300 /* seconds */
#define REST_DEFAULT_AUTH_HEADER		"Authorization"
#define REST_DEFAULT_AUTH_PARAM			"api_key"
#define REST_DEFAULT_USER_AGENT			"rest_fdw/" REST_FDW_VERSION
#define REST_DEFAULT_MAX_PAGES			1000
#define REST_DEFAULT_FETCH_CONCURRENCY	8	/* requests in flight per scan */
#define REST_MAX_FETCH_CONCURRENCY		32
#define REST_DEFAULT_MAX_RETRIES		3
#define REST_DEFAULT_MAX_RETRY_WAIT		60	/* seconds */
#define REST_DEFAULT_MAX_RESPONSE_SIZE	"256MB"	/* as written in OPTIONS */
#define REST_MAX_REDIRECTS				5
#define REST_DEFAULT_ROWS				1000
#define REST_DEFAULT_REQUEST_COST		500.0
#define REST_DEFAULT_SAMPLE_ROWS		100
#define REST_DEFAULT_JWT_LIFETIME		300 /* seconds */
#define REST_MAX_JWT_LIFETIME			3600	/* Google's limit */

/* A header captured for the pager (total_count_header): name and value */
#define REST_MAX_CAPTURE_NAME		64
#define REST_MAX_CAPTURE_VALUE		128

/* Largest body read for success_path and error_path before its rows */
#define REST_MAX_STATUS_BODY		((size_t) 1024 * 1024)

/* Largest response body accepted, in bytes (below MaxAllocHugeSize). */
#define REST_MAX_RESPONSE_SIZE		((size_t) 1024 * 1024 * 1024 - 1)

typedef enum RestAuthMethod
{
	REST_AUTH_NONE,
	REST_AUTH_BASIC,
	REST_AUTH_HTTP_HEADER,
	REST_AUTH_URL_PARAMETER,
	REST_AUTH_OAUTH2,
	REST_AUTH_BEARER,			/* a static access_token, never refreshed */
	REST_AUTH_DIGEST,			/* HTTP Digest (RFC 7616), by libcurl */
	REST_AUTH_NTLM,				/* NTLM, by libcurl */
	REST_AUTH_AWS_SIGV4			/* AWS Signature Version 4, by libcurl */
} RestAuthMethod;

typedef enum RestGrantType
{
	REST_GRANT_REFRESH_TOKEN,
	REST_GRANT_CLIENT_CREDENTIALS,
	REST_GRANT_PASSWORD,		/* RFC 6749 4.3; discouraged (RFC 9700) */
	REST_GRANT_JWT_BEARER		/* RFC 7523 2.1: a signed JWT assertion */
} RestGrantType;

typedef enum RestClientAuth
{
	REST_CLIENT_AUTH_BASIC,		/* client_secret_basic */
	REST_CLIENT_AUTH_POST,		/* client_secret_post */
	REST_CLIENT_AUTH_URL,		/* query parameters of the token URL */
	REST_CLIENT_AUTH_PRIVATE_KEY_JWT,	/* RFC 7523 2.2, signed with private_key */
	REST_CLIENT_AUTH_SECRET_JWT /* RFC 7523 2.2, HS256 with client_secret */
} RestClientAuth;

/* jwt_algorithm: how a JWT is signed (jwt.c) */
typedef enum RestJwtAlg
{
	REST_JWT_DEFAULT,			/* the private key's: RS256 or ES256 */
	REST_JWT_RS256,
	REST_JWT_ES256,
	REST_JWT_HS256				/* client_secret_jwt only */
} RestJwtAlg;

/* A rate_limit option: requests per second, and how many may start at once */
typedef struct RestRateLimit
{
	double		per_second;		/* 0: no limit */
	int			burst;
} RestRateLimit;

/*
 * Everything needed to talk to one server as one user: the server's options
 * and, when the authentication method needs them, the user mapping's
 * credentials.  Built at execution time only (credentials never enter a
 * plan).  Strings are palloc'd in the caller's context; NULL when unset.
 */
typedef struct RestConnOptions
{
	Oid			serverid;
	char	   *servername;
	Oid			umid;			/* InvalidOid when no user mapping is used */

	/* server options */
	char	   *base_url;
	RestAuthMethod auth_method;
	char	   *token_uri;
	char	   *revocation_uri;	/* RFC 7009 endpoint, or NULL */
	char	   *device_authorization_uri;	/* RFC 8628 endpoint, or NULL */
	char	   *authorization_uri;	/* RFC 6749 authorization endpoint */
	char	   *redirect_uri;	/* of the authorization code grant */
	char	   *token_types;	/* token_type values accepted besides Bearer */
	char	   *scope;
	RestGrantType grant_type;
	RestClientAuth client_auth;
	char	   *auth_header;
	char	   *auth_param;
	int			connect_timeout;
	int			timeout;
	int			max_retries;
	int			max_retry_wait;	/* seconds */
	int			max_response_size;	/* bytes */
	int			low_speed_limit;	/* bytes per second; 0: no check */
	int			low_speed_time;		/* seconds */
	struct Bitmapset *retry_statuses;	/* more statuses a GET retries */
	RestRateLimit rate_limit;	/* of all sessions' requests to the server */
	bool		owner_is_superuser;	/* of the server: not bound by allowed_hosts */
	bool		allow_insecure_http;	/* credentials over http:// to any host */
	char	   *ssl_ca_file;
	bool		ssl_verify;		/* false: no certificate verification */
	int			ssl_min_version;	/* REST_TLS_*: lowest TLS version */
	char	   *ssl_cert_file;	/* client certificate (PEM file), or NULL */
	char	   *ssl_key_file;	/* its private key (PEM file), or NULL */
	char	   *proxy;			/* http:// or https:// proxy URL, or NULL */
	char	   *no_proxy;		/* hosts reached without the proxy, or NULL */
	char	   *user_agent;
	List	   *headers;		/* extra "Name: value" request headers of
								 * the server, then of the table (scans add
								 * the table's) */
	char	   *rest_config_file;
	char	   *rest_sample_path;
	int			sample_rows;
	char	   *aws_region;		/* aws_sigv4: "us-east-1" */
	char	   *aws_service;	/* aws_sigv4: "execute-api", "s3" */
	char	   *jwt_issuer;		/* JWTs: iss, or NULL for the default */
	char	   *jwt_subject;	/* sub, or NULL for the default */
	char	   *jwt_audience;	/* aud of the jwt_bearer assertion, or NULL */
	char	   *jwt_key_id;		/* kid header, or NULL */
	char	   *jwt_x5t;		/* x5t header (certificate thumbprint), or NULL */
	RestJwtAlg	jwt_algorithm;
	int			jwt_lifetime;	/* seconds */

	/* user mapping options (client_id may also come from the server) */
	char	   *client_id;
	char	   *client_secret;
	char	   *refresh_token;
	char	   *user;
	char	   *password;
	char	   *api_key;
	char	   *access_token;
	char	   *aws_access_key_id;
	char	   *aws_secret_access_key;
	char	   *aws_session_token;
	char	   *private_key;	/* PEM text or a service-account JSON key */
	char	   *ssl_cert;		/* client certificate (PEM text), or NULL */
	char	   *ssl_key;		/* its private key (PEM text), or NULL */
	char	   *ssl_key_password;	/* passphrase of an encrypted key */
	char	   *proxy_user;
	char	   *proxy_password;
} RestConnOptions;

/* ssl_min_version: the lowest TLS version accepted */
#define REST_TLS_DEFAULT	0	/* libcurl's */
#define REST_TLS_1_2		12
#define REST_TLS_1_3		13

typedef enum RestPagingStyle
{
	REST_PAGING_NONE,
	REST_PAGING_OFFSET,			/* offset and limit parameters */
	REST_PAGING_PAGE,			/* page number (and page size) parameters */
	REST_PAGING_CURSOR,			/* a cursor from the body, sent back */
	REST_PAGING_NEXT_URL,		/* the next page's URL from the body */
	REST_PAGING_LINK_HEADER		/* RFC 8288 Link: <...>; rel="next" */
} RestPagingStyle;

/* How paging works for a table: server defaults overridden by the table */
/* The response_format option: how a body is read (format.c) */
typedef enum RestResponseFormat
{
	REST_FORMAT_AUTO,			/* by the response's Content-Type */
	REST_FORMAT_JSON,
	REST_FORMAT_NDJSON,			/* one JSON value per line */
	REST_FORMAT_CSV,
	REST_FORMAT_XML
} RestResponseFormat;

/* How response bodies are decoded to JSON (format.c, csv.c, xml.c) */
typedef struct RestFormatOptions
{
	RestResponseFormat format;
	char	   *csv_delimiter;	/* one byte */
	char	   *csv_quote;		/* one byte */
	bool		csv_header;		/* the first record names the fields */
} RestFormatOptions;

/* http_rules (httprules.c): what a response's status means */
typedef enum RestHttpAction
{
	REST_HTTP_OK,				/* read the body's rows */
	REST_HTTP_ZERO_ROWS,		/* no rows, and the scan ends */
	REST_HTTP_REAUTHENTICATE,	/* once more with a new token */
	REST_HTTP_RETRY_ONCE,		/* once more */
	REST_HTTP_FAIL				/* an ERROR, with the rule's message */
} RestHttpAction;

typedef struct RestHttpRule
{
	int			status;			/* 404, or 4 for the class 4xx */
	bool		is_class;
	char	   *match;			/* the body must hold it, or NULL */
	RestHttpAction action;
	char	   *message;		/* of fail, with {/pointer}s, or NULL */
} RestHttpRule;

typedef struct RestPaging
{
	RestPagingStyle style;
	int			page_size;		/* 0: the API's default */
	char	   *page_size_param;
	char	   *offset_param;
	int			first_offset;
	char	   *page_param;
	int			first_page;
	char	   *cursor_path;
	char	   *cursor_param;
	char	   *cursor_row_path;	/* the cursor: this path in the last row */
	char	   *cursor_header;	/* the cursor: this response header */
	int			cache_ttl;		/* seconds responses are kept (cache.c), or
								 * 0 */
	char	   *cursor_request_header;	/* sent as this header, not as
										 * cursor_param */
	char	   *next_url_path;
	char	   *next_url_header;	/* a response header holds the next URL */
	char	   *has_more_path;
	char	   *total_count_path;
	char	   *total_pages_path;
	char	   *total_count_header; /* X-Total-Count, Content-Range */
	char	   *success_path;	/* a Boolean element: false is an error */
	char	   *error_path;		/* an element that holds an error */
	char	   *auth_error_values;	/* comma list: errors that mean a 401 */
	List	   *http_rules;		/* RestHttpRule: what statuses mean */
	bool		short_page_ends;	/* page_end 'short' */
	int			max_pages;
	int			fetch_concurrency;	/* pages requested at a time (1: no prefetch) */
	RestFormatOptions format;	/* response_format and the csv_* options:
								 * server defaults, per table */
} RestPaging;

/* Operators a column can map to a request parameter */
typedef enum RestPushOp
{
	REST_OP_EQ,
	REST_OP_LT,
	REST_OP_LE,
	REST_OP_GT,
	REST_OP_GE,
	REST_OP_NE,
	REST_OP_CONTAINS,			/* LIKE '%text%': the text */
	REST_NOPS
} RestPushOp;

typedef struct RestColumnOptions
{
	char	   *json_path;		/* dotted path inside a row */
	char	   *params[REST_NOPS];	/* request parameter per operator */
	bool		in_comma;		/* IN lists comma-joined, not repeated */
	bool		param_header;	/* param_in 'header': param is a request
								 * header, not a query parameter */
	bool		is_key;			/* key 'true': identifies a row for UPDATE
								 * and DELETE */
	bool		read_only;		/* read_only 'true': never written (an id or
								 * timestamp the API sets) */
	bool		is_virtual;		/* not in the response: the value of its
								 * pushed equality, or param_default */
	char	   *param_default;	/* sent as param when no condition gives one */
	bool		param_required; /* a query must give the value */
	char	   *format;			/* how dates and times are written
								 * (valuefmt.c), or NULL */
	int			empty_as_null;	/* REST_EMPTY_*: the column's own choice */
} RestColumnOptions;

/* A column's empty_as_null option */
#define REST_EMPTY_DEFAULT	0	/* not given: the table's, for non-text types */
#define REST_EMPTY_NULL		1	/* "" is NULL */
#define REST_EMPTY_KEEP		2	/* "" is converted as it is */

/*
 * One alternative of a table's endpoint option: a path relative to
 * base_url, possibly with {column} placeholders, and the rows_path of its
 * responses (the table's rows_path unless the alternative names one).
 */
typedef struct RestEndpoint
{
	char	   *path;
	char	   *rows_path;
} RestEndpoint;

/* The HTTP method of a table's requests */
typedef enum RestMethod
{
	REST_METHOD_GET,
	REST_METHOD_POST
} RestMethod;

/* A parsed request body template (template.c) */
typedef struct RestBodyTemplate RestBodyTemplate;

/* A foreign table's options, with its server's defaults applied. */
typedef struct RestTableOptions
{
	char	   *endpoint;		/* the option as written, or NULL */
	RestMethod	method;
	char	   *body;			/* the body template as written, or NULL */
	bool		body_omit;		/* body_null 'omit' */
	RestBodyTemplate *body_template;	/* body, parsed; NULL without one */
	char	   *rows_path;
	List	   *endpoints;		/* RestEndpoint, most specific first; at
								 * least one (path "" without endpoint) */
	List	   *headers;		/* the table's extra headers */
	RestPaging	paging;
	double		rows;			/* estimated rows, -1 if not given */
	double		request_cost;
	bool		exact;			/* the API applies pushed conditions exactly */
	char	   *fields_param;	/* sends the JSON keys the query needs, or
								 * NULL */
	char	   *insert;			/* "POST /path": what an INSERT sends, or
								 * NULL (modify.c) */
	char	   *update;			/* "PATCH /path/{id}" (or PUT), or NULL */
	char	   *delete;			/* "DELETE /path/{id}", or NULL */
	bool		allow_full_update;	/* UPDATE and DELETE without a pushed
									 * condition on the key */
	int			batch_size;		/* rows an INSERT sends in one array body */
	char	   *write_wrap;		/* the member a write's object goes in
								 * ({"customer": {...}}), or NULL */
	bool		updatable;		/* writes allowed (default true) */
	char	   *idempotency_header; /* a POST's key header, or "" for none */
	bool		skip_failed_writes; /* on_error 'skip': a row the API refuses
									 * is a WARNING, not an ERROR */
	bool		rows_path_optional; /* no rows_path element: no rows */
	bool		header_row;		/* the first row holds the column names */
	bool		empty_as_null;	/* "" is NULL in columns of non-text types */
	RestColumnOptions *cols;	/* indexed by attnum - 1; dropped: zeros */
	int			natts;
} RestTableOptions;

/*
 * One HTTP exchange.  The request's url may carry a secret (url_parameter
 * authentication); display_url never does and is what messages show.
 * headers is a List of "Name: value" C strings.
 */
typedef struct RestHttpRequest
{
	const char *method;			/* "GET" or "POST" */
	const char *url;
	const char *display_url;
	List	   *headers;
	const char *body;			/* POST body, or NULL */
	size_t		body_len;
	List	   *secrets;		/* C strings never to show in messages about
								 * the response (the credentials sent, in the
								 * forms a server may echo them), or NIL */
	size_t		max_size;		/* largest response body accepted, if below
								 * the server's max_response_size; 0: that */
	const char *note;			/* shown after the URL in the error context
								 * (a token request's grant type), or NULL */
	const char *capture_header; /* name of a response header to keep in
								 * captured_header (total_count_header), or
								 * NULL */
	const char *link_header;	/* the header kept in link: NULL for Link,
								 * or next_url_header */
	bool		idempotent;		/* a request other than GET that may be
								 * retried as a GET is (it carries an
								 * idempotency key) */
	const char *cache_key;		/* rest_cache_key of the request, or NULL */
	int			cache_ttl;		/* seconds its response is kept (cache.c) */

	/*
	 * Credentials that libcurl itself applies (auth.c sets them, http.c
	 * hands them to libcurl): httpauth is CURLAUTH_DIGEST or CURLAUTH_NTLM,
	 * or 0; aws_sigv4 is the provider string of CURLOPT_AWS_SIGV4, or NULL.
	 * auth_user and auth_password go with either.
	 */
	long		httpauth;
	const char *aws_sigv4;
	const char *auth_user;
	const char *auth_password;
} RestHttpRequest;

typedef struct RestHttpResponse
{
	long		status;
	char	   *body;			/* NUL-terminated; palloc'd in caller's context */
	size_t		body_len;
	char	   *content_type;	/* NULL if the server sent none */
	char	   *www_authenticate;	/* NULL if absent */
	char	   *link;			/* Link header(s) (or the request's
								 * link_header), comma-joined; NULL if absent */
	char	   *redirect_url;	/* absolute Location of a 3xx, or NULL */
	int			retries;		/* retries made before this response */
	double		rate_wait;		/* seconds waited for rate_limit slots */
	bool		link_too_long;
	char	   *captured_header;	/* value of capture_header, or NULL */
	double		elapsed;		/* seconds */
	List	   *secrets;		/* the request's (RestHttpRequest.secrets):
								 * never quoted from the body */
	int			decoded_from;	/* RestResponseFormat the body was decoded
								 * from (format.c); 0: not decoded */
	bool		from_cache;		/* the response cache's (cache.c) */
	bool		revalidated;	/* ... after a 304 to a conditional request */
} RestHttpResponse;

/* Rows parsed from one page (rows.c) */
typedef struct RestRowSet RestRowSet;

/* Counters shown by EXPLAIN ANALYZE */
typedef struct RestScanStats
{
	int64		requests;
	int64		requests_without_rows;	/* empty pages, pages discarded */
	int64		pages;
	int64		bytes;
	int64		token_requests;
	int64		retries;
	double		rate_wait;		/* seconds requests waited for rate_limit */
	int64		cache_hits;		/* responses from the cache, not requested */
	int64		cache_revalidated;	/* requests the API answered 304 */
} RestScanStats;

/* in cache.c: the per-backend response cache of cache_ttl */
typedef struct RestCacheEntry RestCacheEntry;
extern void rest_cache_init(void);
extern char *rest_cache_key(RestConnOptions *conn, const RestHttpRequest *req);
extern RestCacheEntry *rest_cache_lookup(const char *key, bool *fresh);
extern const char *rest_cache_etag(RestCacheEntry *e);
extern const char *rest_cache_last_modified(RestCacheEntry *e);
extern void rest_cache_fill(RestCacheEntry *e, RestHttpResponse *resp,
							MemoryContext bodycxt, int ttl);
extern void rest_cache_store(const char *key, int ttl,
							 const RestHttpResponse *resp, const char *etag,
							 const char *last_modified);
extern int64 rest_cache_clear(void);

/* in options.c */
extern RestConnOptions *rest_get_conn_options(Oid serverid, Oid userid,
											 bool with_credentials);
extern RestTableOptions *rest_get_table_options(Oid relid, TupleDesc tupdesc);
extern void rest_format_options(List *server_options, List *table_options,
								RestFormatOptions *format);
extern const char *rest_auth_method_name(RestAuthMethod method);
extern const char *rest_paging_name(RestPagingStyle style);
extern const char *rest_quote_ident(const char *ident);
extern bool rest_option_is_secret(const char *name);
extern const char *rest_server_option_default(const char *name);
extern const char *rest_table_option_problem(const char *name,
											 const char *value);
extern char *rest_quote_literal(const char *s);
extern void rest_require_base_url(RestConnOptions *conn);
extern bool rest_has_dot_segment(const char *path);
extern List *rest_parse_endpoints(const char *value, const char *rows_path,
								  const char **problem);
extern char **rest_split_json_path(const char *path, int *n);
extern const char *rest_rows_path_problem(const char *path);
extern bool rest_rows_path_nested(const char *path);
/* arrays a rows_path may go through ("orders.*.lines"): levels of parents */
#define REST_MAX_ROWS_LEVELS	8
/* the special segments in its result: compare keys to these by address */
extern const char rest_json_star[];
extern const char rest_json_parent[];
extern const char rest_json_position[];
extern const char rest_json_self[];
#define REST_JSON_STAR		rest_json_star		/* every element of an array */
#define REST_JSON_PARENT	rest_json_parent	/* the element a row is in */
#define REST_JSON_POSITION	rest_json_position	/* a row's position, from 1 */
#define REST_JSON_SELF		rest_json_self		/* the row itself */
extern void rest_append_json_key(StringInfo buf, const char *key);
extern bool rest_valid_json_path(const char *path);

/* in httprules.c */
extern List *rest_parse_http_rules(const char *value, const char **problem);
extern const RestHttpRule *rest_http_rule_find(List *rules, long status,
											   const char *body, size_t len);
extern char *rest_http_rule_message(const RestHttpRule *rule, const char *body,
									size_t len, List *secrets);

/* in headers.c */
extern List *rest_parse_headers(const char *value, const char **problem);
extern bool rest_valid_header_name(const char *name);
extern const char *rest_header_name_problem(const char *name, bool stored_value);
extern bool rest_has_control_chars(const char *s);

/* in http.c */
typedef struct RestHttpXfer RestHttpXfer;	/* a request in flight */

extern void rest_http_init(void);
extern void rest_http_perform(RestConnOptions *conn, RestHttpRequest *req,
							  RestHttpResponse *resp);
extern RestHttpXfer *rest_http_start(RestConnOptions *conn, RestHttpRequest *req);
extern void rest_http_wait(RestHttpXfer *x, bool block);
extern bool rest_http_done(RestHttpXfer *x);
extern void rest_http_finish(RestHttpXfer *x, RestHttpResponse *resp);
extern void rest_http_cancel(RestHttpXfer *x);
extern char *rest_resolve_url(const char *base, const char *ref);
extern bool rest_same_origin(const char *a, const char *b);

/* in transport.c */
extern const char *rest_proxy_parse(const char *value, char **host, int *port,
									bool *is_https, bool *credentials);
extern const char *rest_no_proxy_problem(const char *value);
extern bool rest_no_proxy_matches(const char *no_proxy, const char *host);
extern const char *rest_proxy_for(RestConnOptions *conn, const char *host);

/* in retryopts.c */
extern bool rest_parse_rate_limit(const char *value, RestRateLimit *rl,
								  const char **detail);
extern bool rest_parse_status_list(const char *value, struct Bitmapset **set,
								   const char **detail);
extern char *rest_rate_limit_text(const RestRateLimit *rl);

/* in ratelimit.c */
extern void rest_ratelimit_init(void);
extern bool rest_ratelimit_reserve(RestConnOptions *opts, TimestampTz now,
								   TimestampTz *start);
pg_noreturn extern void rest_ratelimit_report_delay(RestConnOptions *opts,
													int64 delay);

/* in url.c */

/*
 * The error context naming a request, "GET <url>" or "POST <url> (note)";
 * see rest_push_request_context.
 */
typedef struct RestRequestContext
{
	ErrorContextCallback callback;
	const char *method;
	const char *display_url;	/* masked: never holds a secret */
	const char *note;			/* e.g. a token request's grant type, or NULL */
} RestRequestContext;

extern void rest_push_request_context(RestRequestContext *rc,
									  const char *method,
									  const char *display_url,
									  const char *note);
extern void rest_pop_request_context(RestRequestContext *rc);
extern void rest_append_urlencoded(StringInfo buf, const char *s);
extern void rest_append_query_param(StringInfo buf, const char *name,
									const char *value);
extern char *rest_canonical_query_url(const char *url);
extern char *rest_join_url(const char *base, const char *path);
extern unsigned int rest_hex_value(const char *s, int n);
extern char *rest_url_last_segment(const char *url);
extern bool rest_is_secret_param(const char *name, size_t len);
extern char *rest_mask_url(const char *url);
extern char *rest_mask_url_param(const char *url, const char *secret_param);
extern char *rest_url_without_param(const char *url, const char *name);

/* in scrub.c */
extern char *rest_shorten(const char *s, size_t len, int maxbytes);
extern char *rest_shorten_scrubbed(const char *s, size_t len, int maxbytes,
								   List *secrets);
extern char *rest_scrub(const char *s, List *secrets);
extern bool rest_text_contains(const char *s, size_t len, const char *word);
extern bool rest_holds_secret(const char *s, size_t len, List *secrets);
extern const char *rest_scrubbed_json_detail(const char *detail, List *secrets);

/* in netpolicy.c */
struct sockaddr;

/* An IPv4 or IPv6 address; IPv4-mapped IPv6 addresses are kept as IPv4 */
typedef struct RestNetAddr
{
	int			family;			/* AF_INET or AF_INET6 */
	unsigned char bytes[16];	/* network byte order; IPv4 in the first 4 */
} RestNetAddr;

/* Why rest_net_allowed refused a connection */
typedef enum RestNetRefusal
{
	REST_NET_NOT_LISTED,		/* no entry names the host or the address */
	REST_NET_OTHER_PORT,		/* entries name the host with other ports */
	REST_NET_NOT_PUBLIC,		/* "*" allows only public addresses */
	REST_NET_NOT_LOOPBACK		/* credentials over http:// were allowed
								 * for a loopback host, and the address is
								 * not loopback */
} RestNetRefusal;

extern char *rest_allowed_hosts;
extern uint32 rest_net_generation;
extern void rest_net_define_guc(void);
extern void rest_net_check_list_known(const char *servername);
extern bool rest_net_parse_literal(const char *host, RestNetAddr *addr);
extern bool rest_net_from_sockaddr(const struct sockaddr *sa, RestNetAddr *addr,
								   int *port);
extern void rest_net_format(const RestNetAddr *addr, int port, char *buf,
							size_t size);
extern const char *rest_net_address_class(const RestNetAddr *addr);
extern bool rest_net_allowed(const char *host, int port, const RestNetAddr *addr,
							 RestNetRefusal *why, const char **addr_class);
extern bool rest_net_is_loopback_addr(const RestNetAddr *addr);
extern bool rest_net_is_loopback_host(const char *host);

/* in auth.c */
extern bool rest_auth_refreshable(RestConnOptions *conn);
extern void rest_auth_add_credentials(RestConnOptions *conn,
									  RestHttpRequest *req,
									  bool force_new_token,
									  RestScanStats *stats);
extern void rest_auth_forget_cached(Oid umid);
extern void rest_auth_revoke(RestConnOptions *conn, const char *token,
							 bool is_refresh);
extern char *rest_auth_display_url(RestConnOptions *conn, const char *display_url);
extern List *rest_auth_secrets(RestConnOptions *conn, const char *token);
extern char *rest_auth_mask_url(RestConnOptions *conn, const char *url);
extern char *rest_auth_strip_url(RestConnOptions *conn, const char *url);
extern void rest_auth_grant_digest(RestConnOptions *conn,
								   unsigned char *grant_digest,
								   unsigned char *token_digest);
struct RestWipeList;				/* secret buffers zeroed on reset */
struct RestTokenResponse;
extern struct RestWipeList *rest_wipe_on_reset(MemoryContext cxt);
extern void rest_wipe_string_later(struct RestWipeList *wipe, char *s);
extern void rest_auth_post_form(RestConnOptions *conn, const char *url,
								const char *note, const char *form,
								List *hide, struct RestWipeList *wipe,
								RestHttpResponse *resp, List **secrets);
pg_noreturn extern void rest_auth_token_error(RestConnOptions *conn,
											  RestHttpResponse *resp,
											  struct RestTokenResponse *tr,
											  List *hide);
extern void rest_auth_check_token(RestConnOptions *conn,
								  struct RestTokenResponse *tr, List *hide);

/* in jwt.c */
/* A private_key option, split: PEM text and a JSON key file's members */
typedef struct RestJwtKeyText
{
	char	   *pem;
	bool		from_json;		/* a service-account JSON key file */
	char	   *client_email;	/* from the JSON key file, or NULL */
	char	   *key_id;			/* its private_key_id, or NULL */
	char	   *token_uri;		/* its token_uri, or NULL */
} RestJwtKeyText;

/* What a JWT says, and how it is signed; NULL strings are left out */
typedef struct RestJwtAssertion
{
	RestJwtAlg	alg;
	const char *pem;			/* RS256, ES256 */
	const char *secret;			/* HS256 */
	const char *kid;
	const char *x5t;
	const char *iss;
	const char *sub;
	const char *aud;
	const char *scope;
	int			lifetime;		/* seconds */
} RestJwtAssertion;

extern void rest_append_base64url(StringInfo buf, const unsigned char *data,
								  size_t len);
extern const char *rest_jwt_split_key(const char *value, RestJwtKeyText *key);
extern const char *rest_jwt_key_problem(const char *value);
extern const char *rest_jwt_alg_name(RestJwtAlg alg);
extern char *rest_jwt_sign(RestConnOptions *conn, const RestJwtAssertion *a,
						   const char *optname);

/* in token_response.c */
/* A parsed token endpoint response; strings palloc'd, NULL when absent */
typedef struct RestTokenResponse
{
	char	   *access_token;
	char	   *token_type;
	char	   *refresh_token;
	bool		has_expires_in;
	int64		expires_in;
	bool		bad_expires_in;
	char	   *id_token;
	char	   *error;
	char	   *error_description;
	bool		is_object;
	bool		has_token_fields;	/* access_token, refresh_token or
									 * id_token is a member, of any type */
} RestTokenResponse;

/* Longest access or refresh token accepted from a token endpoint */
#define REST_MAX_TOKEN_SIZE			(64 * 1024)
/* Largest token endpoint response read */
#define REST_MAX_TOKEN_RESPONSE_SIZE	(1024 * 1024)

extern void rest_parse_token_response(const char *body, size_t len,
									  RestTokenResponse *tr);

/* A parsed device authorization response (RFC 8628 section 3.2) */
typedef struct RestDeviceResponse
{
	char	   *device_code;	/* secret */
	char	   *user_code;
	char	   *verification_uri;
	char	   *verification_uri_complete;
	int64		expires_in;		/* 0: absent or invalid */
	int64		interval;		/* 0: absent or invalid */
	char	   *error;
	bool		is_object;
} RestDeviceResponse;

extern void rest_parse_device_response(const char *body, size_t len,
									   RestDeviceResponse *dr);
extern bool rest_valid_b64token(const char *s);
extern bool rest_mentions_token_fields(const char *body, size_t len);

/* in token_store.c */
#define REST_DIGEST_LEN 32		/* SHA-256 */

/*
 * The shared token state of one user mapping.  Timestamps are 0 when
 * unknown; expires_at 0 means the token's lifetime is unknown.
 */
typedef struct RestStoredToken
{
	bool		found;
	unsigned char digest[REST_DIGEST_LEN];	/* of the grant's inputs */
	unsigned char token_digest[REST_DIGEST_LEN];	/* the access token's */
	char	   *access_token;
	char	   *refresh_token;	/* newest (possibly rotated) refresh token */
	TimestampTz expires_at;		/* when the access token expires */
	TimestampTz refresh_at;		/* when to replace it (a margin earlier) */
	TimestampTz last_refresh;
	int64		refresh_count;
	char	   *last_error;		/* message of the last failed request */
	TimestampTz last_error_at;
} RestStoredToken;

/* What rest_store_inspect found */
typedef enum RestStoreState
{
	REST_STORE_NONE,			/* nothing is stored */
	REST_STORE_FOUND,			/* this cluster's state */
	REST_STORE_COPY,			/* another cluster's, ignored (and removed) */
	REST_STORE_COPY_ROTATED,	/* another cluster's rotated refresh token */
	REST_STORE_SHARED,			/* the seed was rotated by another user
								 * mapping of the cluster */
	REST_STORE_UNREADABLE		/* too large or not in the expected format */
} RestStoreState;

extern void rest_store_lock(Oid umid);
extern void rest_store_unlock(Oid umid);
extern bool rest_store_read(Oid umid, RestStoredToken *tok);
extern RestStoreState rest_store_inspect(Oid umid, RestStoredToken *tok,
										 char **problem);
extern void rest_store_claim_seed(RestConnOptions *conn,
								  const unsigned char *digest);
extern void rest_store_release_seed(RestConnOptions *conn,
									const unsigned char *digest);
extern void rest_store_write(Oid umid, const RestStoredToken *tok);
extern bool rest_store_forget(Oid umid);
extern void rest_store_gc(void);

/*
 * The state every user mapping holding the same grant shares (the same
 * token endpoint, client_id, seed refresh token and grant type): the
 * newest refresh token of its chain, and the newest access tokens, one
 * per token digest (scope and client credentials).
 */
#define REST_GRANT_MAX_TOKENS 4
typedef struct RestGrantToken
{
	unsigned char token_digest[REST_DIGEST_LEN];
	char	   *access_token;
	TimestampTz expires_at;
	TimestampTz refresh_at;
	TimestampTz obtained_at;
} RestGrantToken;

typedef struct RestGrantState
{
	bool		found;
	char	   *refresh_token;	/* newest of the chain; NULL: none yet */
	TimestampTz last_refresh;
	int64		refresh_count;	/* of every user mapping together */
	int			ntokens;
	RestGrantToken tokens[REST_GRANT_MAX_TOKENS];
} RestGrantState;

extern void rest_store_lock_grant(const unsigned char *digest);
extern void rest_store_unlock_grant(const unsigned char *digest);
extern bool rest_store_grant_read(RestConnOptions *conn,
								  const unsigned char *digest,
								  RestGrantState *gs);
extern RestStoreState rest_store_grant_inspect(RestConnOptions *conn,
											   const unsigned char *digest,
											   RestGrantState *gs,
											   char **problem);
extern void rest_store_grant_write(RestConnOptions *conn,
								   const unsigned char *digest,
								   const RestGrantState *gs);
extern bool rest_store_grant_forget(const unsigned char *digest);
extern RestGrantToken *rest_grant_token(RestGrantState *gs,
										const unsigned char *token_digest);

/* in pushdown.c */
struct PlannerInfo;
struct RelOptInfo;
struct ForeignPath;

/* A condition the request carries, as the plan keeps it (fdw_private) */
typedef struct RestPushedParam
{
	AttrNumber	attnum;
	RestPushOp	op;
	bool		is_in;			/* column IN (...): the value is an array */
	bool		in_comma;		/* IN values comma-joined */
	bool		placeholder;	/* fills {name} in the endpoint */
	bool		per_value;		/* IN on a virtual column: one request per
								 * value, sent as the = parameter */
	int			expr_index;		/* position of the value in fdw_exprs */
	char	   *name;			/* parameter name, or placeholder column */
} RestPushedParam;

/* A scan's conditions split by rest_split_conditions */
typedef struct RestPushdown
{
	List	   *pushed;			/* RestPushedParam the request carries */
	List	   *fdw_exprs;		/* their values, by expr_index */
	List	   *local_exprs;	/* clauses PostgreSQL checks */
	int			endpoint_index; /* the endpoint alternative used */
} RestPushdown;

extern bool rest_classify_clause(Expr *clause, Index relid, TupleDesc tupdesc,
								 RestTableOptions *topts, RestPushedParam *pp,
								 Expr **value);
extern List *rest_pushable_clauses(List *rinfos, Index relid,
								   TupleDesc tupdesc, RestTableOptions *topts,
								   List **pushed_rinfos);
extern List *rest_join_clauses(struct PlannerInfo *root,
							   struct RelOptInfo *baserel, TupleDesc tupdesc,
							   RestTableOptions *topts);
extern void rest_split_conditions(List *scan_clauses, Index relid,
								  TupleDesc tupdesc, RestTableOptions *topts,
								  Oid foreigntableid, RestPushdown *pd);
extern int64 rest_pushdown_bound(struct PlannerInfo *root,
								 struct ForeignPath *best_path,
								 List *local_exprs, RestTableOptions *topts);
extern List *rest_retrieved_attrs(TupleDesc tupdesc, Index relid,
								  Bitmapset *attrs_used, List *scan_clauses);
extern List *rest_pushed_to_list(List *pushed);
extern List *rest_pushed_from_list(List *list);
extern bool rest_param_pushed(List *pushed, const char *name);
extern int	rest_choose_endpoint(RestTableOptions *topts, TupleDesc tupdesc,
								 List *pushed);
extern void rest_check_placeholders(RestTableOptions *topts, TupleDesc tupdesc,
									const char *relname);

/* in request.c */
struct ExprContext;

/*
 * What the requests of a scan are made of: set by BeginForeignScan from
 * the plan and the options; rest_request_start fills the rest for each
 * (re)scan, and rest_request_page builds each page's request from it.
 */
typedef struct RestScanRequest
{
	const char *base_url;		/* the server's */
	RestEndpoint *endpoint;		/* the alternative the plan uses */
	RestTableOptions *table;
	TupleDesc	tupdesc;
	const char *relname;		/* for messages */
	List	   *pushed;			/* RestPushedParam */
	List	   *value_exprs;	/* the plan's fdw_exprs: the pushed values */
	List	   *value_states;	/* ExprState per value_exprs item */
	List	   *virtual_cols;	/* attnums of needed virtual columns */
	int			value_index;	/* of the per-value IN list: this request's
								 * (set by the caller) */
	char	   *fields;			/* fields_param's value: the keys the scan
								 * reads, percent-encoded and comma-joined;
								 * NULL: not sent */

	/* set by rest_request_start */
	struct RequestValues *values;	/* the pushed values, as text */
	int			nvalues;		/* non-NULL values of the per-value IN list
								 * (0: there is none) */
	Datum	   *virtual_values; /* by attnum - 1 (allocated by the caller) */
	bool	   *virtual_nulls;
} RestScanRequest;

/* The paging variables of templates, as bits of rest_request_variables */
#define REST_VAR_LIMIT		0x01
#define REST_VAR_OFFSET		0x02
#define REST_VAR_PAGE		0x04
#define REST_VAR_CURSOR		0x08

/* The values of the paging variables for one page's request */
typedef struct RestPageVars
{
	int64		limit;			/* -1: none */
	int64		offset;			/* -1: none */
	int64		page;			/* -1: none */
	const char *cursor;			/* NULL: none */
} RestPageVars;

extern const char *rest_default_param(const RestColumnOptions *col);
extern bool rest_request_start(RestScanRequest *req,
							   struct ExprContext *econtext);
extern int	rest_request_variables(RestScanRequest *req);
extern List *rest_request_headers(RestScanRequest *req);
extern AttrNumber rest_column_attnum(TupleDesc tupdesc, const char *name);
extern void rest_request_fields(RestScanRequest *req, List *retrieved_attrs);
extern char *rest_request_page(RestScanRequest *req, const RestPageVars *vars,
							   char **body);
extern int	rest_paging_variable(const char *name);
extern char *rest_format_value(Datum value, Oid typid);

/* in template.c */
typedef enum RestJsonKind
{
	REST_JSON_NONE,				/* no value */
	REST_JSON_NUMBER,
	REST_JSON_BOOL,
	REST_JSON_STRING,
	REST_JSON_RAW				/* a JSON document, inserted as it is */
} RestJsonKind;

/* The value of a placeholder {name}: its kind, and its text in *text */
typedef RestJsonKind (*RestBodyLookup) (void *arg, const char *name,
										const char **text);

extern RestBodyTemplate *rest_parse_body(const char *text, const char **problem);
extern List *rest_body_names(RestBodyTemplate *tmpl);
extern bool rest_body_uses(RestBodyTemplate *tmpl, const char *name);
extern char *rest_fill_body(RestBodyTemplate *tmpl, RestBodyLookup lookup,
							void *arg, bool omit);
extern void rest_append_json_content(StringInfo buf, const char *s);
extern bool rest_is_json_number(const char *s);
extern bool rest_is_json_document(const char *s);
extern RestJsonKind rest_json_kind(Oid typid, const char *text);
/* in fmtcheck.c */
typedef enum RestFormatKind
{
	REST_FMT_EPOCH,
	REST_FMT_EPOCH_MS,
	REST_FMT_MSJSON,
	REST_FMT_BASE64,
	REST_FMT_BASE64URL,
	REST_FMT_PATTERN
} RestFormatKind;

extern RestFormatKind rest_format_kind(const char *format);
extern bool rest_is_binary_format(const char *format);
extern const char *rest_format_problem(const char *format);

/* in valuefmt.c */
extern bool rest_format_type_ok(Oid typid);
extern void rest_check_format_type(const char *format, Oid typid,
								   const char *colname);
extern Datum rest_read_formatted(const char *format, const char *s,
								 Oid typid, int32 typmod);
extern char *rest_format_param(Datum value, Oid typid,
							   const RestColumnOptions *col);
extern bool rest_empty_as_null(const RestTableOptions *table,
							   AttrNumber attnum, Oid typid);

/* in config.c */

/* A column of a table to import: from a config file or from sampling */
typedef struct RestImportColumn
{
	char	   *name;			/* SQL name */
	char	   *type;			/* SQL type, e.g. "varchar(64)" */
	char	   *json_path;		/* dotted path inside a row; NULL if virtual */
	char	   *params[REST_NOPS];
	bool		in_comma;
	bool		is_virtual;
	bool		param_header;	/* #header: param_in 'header' */
	char	   *post_field;		/* #postParameter: the member of the #post
								 * body that takes the value ("a/b" or
								 * "a.b"), or NULL */
	int			post_slot;		/* config.c's number of its placeholder */
	char	   *param_default;
	char	   *format;			/* format option (sampled epochs, a model
								 * file's date format), or NULL */
	bool		is_key;			/* #key in a model file */
	bool		read_only;		/* #readonly: read_only 'true' */
	bool		required;		/* #mandatory: param_required */
	bool		not_null;		/* #notnull: declared NOT NULL, which the
								 * scan checks */
	bool		inherited;		/* a child table's copy of its parent's */
} RestImportColumn;

/*
 * Column names from a header element of the response (the IMPORT option
 * header_names): the strings at names_path ("dimensionHeaders.*.name",
 * from the top of the response) name the columns at values_path
 * ("dimensionValues.*.value", inside a row), "*" standing for the same
 * array index in both.
 */
typedef struct RestHeaderNames
{
	char	   *names_path;
	char	   *values_path;
} RestHeaderNames;

/* A table to import */
typedef struct RestImportTable
{
	char	   *name;			/* SQL name */
	bool		renamed;		/* named by the file ("json<name>"): as
								 * written, not a derived identifier */
	char	   *source;			/* where it was described, for messages */
	char	   *endpoint;		/* the endpoint option (alternatives) */
	char	   *rows_path;		/* rows_path option, or NULL */
	char	   *sample_path;	/* path to sample (placeholders filled with
								 * their sample values), or NULL */
	char	   *sample_rows_path;	/* rows path of sample_path's responses */
	bool		detect_rows;	/* rows_path unknown: find it while sampling */
	List	   *columns;		/* RestImportColumn; NIL: found by sampling */
	List	   *placeholders;	/* names of {placeholders} in the endpoint */
	List	   *options;		/* other table options (DefElem of String) */
	/* how sampling names and types columns (IMPORT options) */
	bool		header_row;		/* the first row holds the column names */
	List	   *header_names;	/* RestHeaderNames */
	bool		detect_epoch;	/* integers that look like epoch seconds or
								 * milliseconds are timestamps */
	bool		normalize;		/* arrays of objects in the rows become
								 * child tables, not jsonb columns */
	List	   *sampled_arrays; /* normalize: json_paths (String) of the
								 * arrays of objects sampling found */
	bool		empty_as_null;	/* "" will read as NULL: it says nothing of
								 * a column's type */
	bool		typed_strings;	/* the sample was CSV or XML: strings that
								 * read as numbers or Booleans are typed so */
	char	   *skip_reason;	/* why the table cannot be imported from this
								 * server (another host), or NULL */
} RestImportTable;

extern void rest_model_option_settings(List *model_options, List **server,
									   List **mapping);
extern List *rest_read_config_file(const char *filename, const char *base_url,
								   bool keep_lengths, List **model_options);
extern char *rest_sql_identifier(const char *name);
typedef struct strmap_hash RestNameSet;	/* SQL names in use (strmap.h) */
extern RestNameSet *rest_name_set_create(int size);
extern char *rest_unique_name(RestNameSet *taken, const char *name);
extern void rest_add_placeholder_columns(RestImportTable *table,
										 RestNameSet *taken);
extern RestImportTable *rest_child_table(RestImportTable *t,
										 const char *json_path,
										 const char *name, bool named,
										 bool is_map, const char *key,
										 RestNameSet *table_names,
										 RestNameSet *taken);

/* in sample.c */
extern List *rest_sample_columns(const char *body, size_t len,
								 RestImportTable *table, int sample_rows,
								 const char *display_url, List *secrets);

/* in import.c */
extern List *rest_import_foreign_schema(ImportForeignSchemaStmt *stmt,
										Oid serverid);
extern List *rest_import_tables(Oid serverid);

/* in format.c */
#define REST_MAX_DECODED_FACTOR	4	/* decoded JSON: at most this many times
									 * max_response_size */
extern void rest_decode_body(RestConnOptions *conn, RestHttpResponse *resp,
							 const RestFormatOptions *format,
							 const char *rows_path);
extern void rest_json_string(StringInfo buf, const char *s, size_t len);
extern void rest_check_utf8(RestConnOptions *conn, const char *body,
							size_t len, const char *what);
extern void rest_decoded_too_large(RestConnOptions *conn, const char *what,
								   size_t limit);

/* in csv.c */
extern void rest_csv_to_json(RestConnOptions *conn, RestHttpResponse *resp,
							 const RestFormatOptions *format,
							 StringInfo out, size_t limit);

/* in xml.c */
extern void rest_xml_to_json(RestConnOptions *conn, RestHttpResponse *resp,
							 const char *rows_path, StringInfo out,
							 size_t limit);

/* in pager.c */
#define REST_META_CURSOR		0
#define REST_META_NEXT_URL		1
#define REST_META_HAS_MORE		2
#define REST_META_TOTAL_COUNT	3
#define REST_META_TOTAL_PAGES	4
#define REST_META_SUCCESS		5
#define REST_META_ERROR			6
#define REST_NMETA				7

/* The paging state of a scan; opaque outside pager.c */
typedef struct RestPager RestPager;

/* in modify.c (for the files that define REST_COMPAT_FDW_API) */
#ifdef REST_COMPAT_FDW_API
struct ExplainState;
extern int	rest_modify_updatable(Relation rel);
extern bool rest_modify_reads_all(PlannerInfo *root, RelOptInfo *baserel,
								  RestTableOptions *t, List *pushed);
extern List *rest_modify_plan(PlannerInfo *root, ModifyTable *plan,
							  Index resultRelation, int subplan_index);
extern void rest_modify_begin(ModifyTableState *mtstate, ResultRelInfo *rinfo,
							  List *fdw_private, int subplan_index, int eflags);
extern void rest_modify_begin_insert(ModifyTableState *mtstate,
									 ResultRelInfo *rinfo);
extern TupleTableSlot *rest_modify_insert(EState *estate, ResultRelInfo *rinfo,
										  TupleTableSlot *slot,
										  TupleTableSlot *planSlot);
extern void rest_modify_end(EState *estate, ResultRelInfo *rinfo);
extern void rest_modify_add_targets(PlannerInfo *root, Index rtindex,
									RangeTblEntry *target_rte,
									Relation target_relation);
extern TupleTableSlot *rest_modify_update(EState *estate, ResultRelInfo *rinfo,
										  TupleTableSlot *slot,
										  TupleTableSlot *planSlot);
extern TupleTableSlot *rest_modify_delete(EState *estate, ResultRelInfo *rinfo,
										  TupleTableSlot *slot,
										  TupleTableSlot *planSlot);
extern List *rest_scan_pushed(ForeignScan *fsplan);
extern int	rest_modify_batch_size(ResultRelInfo *rinfo);
extern TupleTableSlot **rest_modify_batch_insert(EState *estate,
												 ResultRelInfo *rinfo,
												 TupleTableSlot **slots,
												 TupleTableSlot **planSlots,
												 int *numSlots);
extern void rest_modify_explain(ModifyTableState *mtstate, ResultRelInfo *rinfo,
								List *fdw_private, int subplan_index,
								struct ExplainState *es);
#endif

extern bool rest_send_write(RestConnOptions *conn, const char *method,
							const char *url, const char *body, List *headers,
							bool idempotent, int fail_elevel,
							RestHttpResponse *resp, RestScanStats *stats);
extern void rest_fetch(RestConnOptions *conn, const char *url,
					   RestHttpResponse *resp, RestScanStats *stats,
					   const RestFormatOptions *format,
					   const char *rows_path);
extern RestPager *rest_pager_create(RestConnOptions *conn, RestPaging *cfg,
									RestScanRequest *request, int64 bound,
									RestScanStats *stats, const char *relname);
extern void rest_pager_set_cursor_column(RestPager *pager, int col);
extern bool rest_pager_next(RestPager *pager, RestHttpResponse **resp);
extern void rest_pager_advance(RestPager *pager, RestRowSet *rs,
							   RestHttpResponse *resp);
extern void rest_pager_release_page(RestPager *pager);
extern void rest_pager_poll(RestPager *pager);
extern void rest_pager_end(RestPager *pager);
extern bool rest_pager_done(RestPager *pager);
extern int	rest_pager_pages(RestPager *pager);
extern const char **rest_pager_meta_paths(RestPager *pager);
extern const char *rest_pager_display_url(RestPager *pager);
extern const char *rest_pager_display_method(RestPager *pager);
extern char *rest_link_next(const char *header, bool *malformed);

/* in pagestatus.c */
typedef enum RestBodyStatus
{
	REST_BODY_OK,
	REST_BODY_FAILED,
	REST_BODY_UNCHECKED			/* too large, or not JSON */
} RestBodyStatus;

extern RestBodyStatus rest_body_status(const char *body, size_t len,
									   const char *success_path,
									   const char *error_path,
									   char **message);

/* in rows.c */
typedef struct RestColumn
{
	AttrNumber	attnum;
	char	   *name;			/* column name, for messages */
	char	   *json_path;		/* dotted path inside a row */
	Oid			typid;
	int32		typmod;
	const char *format;			/* the format option (valuefmt.c), or NULL */
	bool		empty_as_null;	/* "" is NULL (resolved from the options) */
	/* conversion info, filled by rest_prepare_columns */
	int			category;
	FmgrInfo	infunc;
	Oid			ioparam;
	Oid			elemtypid;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	FmgrInfo	eleminfunc;
	Oid			elemioparam;
} RestColumn;

extern void rest_prepare_columns(RestColumn *cols, int ncols);
extern RestRowSet *rest_parse_rows(const char *body, size_t len,
								   const char *rows_path, bool rows_optional,
								   const char **meta_paths, int nmeta,
								   RestColumn *cols, int ncols,
								   const char *method, const char *display_url,
								   List *secrets);
extern int64 rest_rowset_count(RestRowSet *rs);
extern bool rest_rowset_single(RestRowSet *rs);
extern int64 rest_rowset_elements(RestRowSet *rs);
extern char *rest_rowset_text(RestRowSet *rs, int64 rowno, int col);
extern const char *rest_rowset_meta(RestRowSet *rs, int i, bool *is_true);
extern void rest_rowset_store(RestRowSet *rs, int64 rowno, RestColumn *cols,
							  int ncols, Datum *values, bool *nulls,
							  int64 global_rowno, const char *relname);

#endif							/* REST_FDW_H */
