/*-------------------------------------------------------------------------
 *
 * auth.c
 *		  Credentials for requests, and the OAuth 2.0 token cache.
 *
 * Each request gets the credentials its server's authentication method
 * asks for: none, HTTP Basic, an API key in a header or a query parameter,
 * or an OAuth 2.0 bearer token.  Bearer tokens come from the user mapping
 * (a static access_token) or from the token endpoint, by the refresh_token
 * or the client_credentials grant (RFC 6749 sections 6 and 4.4).
 *
 * Tokens are cached per user mapping for the life of the backend and
 * reused until shortly before they expire.  A refresh token returned by the
 * token endpoint replaces the one used (rotation), and is kept as long as
 * the user mapping's refresh_token (the seed), client_id and the server's
 * token_uri stay the same; ALTER SERVER and ALTER USER MAPPING drop the
 * cached access token.
 *
 * Nothing here logs or returns secret text: error messages name options,
 * never their values.
 *
 *-------------------------------------------------------------------------
 */
#include "rest_fdw.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "catalog/pg_user_mapping.h"
#include "catalog/pg_foreign_server.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

/* The cached token state of one user mapping */
typedef struct RestTokenEntry
{
	Oid			umid;			/* hash key */
	uint32		server_hashvalue;
	uint32		mapping_hashvalue;
	bool		stale;			/* server or mapping altered */
	char	   *access_token;	/* in TokenContext, or NULL */
	bool		static_token;	/* access_token came from the user mapping */
	TimestampTz expires_at;		/* 0 when the lifetime is unknown */
	char	   *refresh_token;	/* newest rotated refresh token, or NULL */
	unsigned char seed_digest[SHA256_DIGEST_LENGTH];	/* of the grant's inputs */
} RestTokenEntry;

/* A parsed token endpoint response */
typedef struct RestTokenResponse
{
	char	   *access_token;
	char	   *token_type;
	char	   *refresh_token;
	bool		has_expires_in;
	int64		expires_in;
	bool		bad_expires_in;
	char	   *error;
	char	   *error_description;
	bool		is_object;
} RestTokenResponse;

static HTAB *TokenHash = NULL;
static MemoryContext TokenContext = NULL;

static RestTokenEntry *get_token_entry(RestConnOptions *conn);
static void token_inval_callback(Datum arg, int cacheid, uint32 hashvalue);
static void forget_access_token(RestTokenEntry *entry);
static void forget_secret(char **s);
static void grant_digest(RestConnOptions *conn, unsigned char *digest);
static const char *get_access_token(RestConnOptions *conn, bool force,
									RestScanStats *stats);
static void request_token(RestConnOptions *conn, RestTokenEntry *entry,
						  RestScanStats *stats);
static void parse_token_response(const char *body, size_t len,
								 RestTokenResponse *tr);
static char *basic_credentials(const char *user, const char *password,
							   bool urlencode);
static void require_option(RestConnOptions *conn, const char *value,
						   const char *optname);

/*
 * Can a rejected token be replaced by asking the token endpoint for a new
 * one?  Only then is a 401 answered by refreshing and retrying.
 */
bool
rest_auth_refreshable(RestConnOptions *conn)
{
	if (conn->auth_method != REST_AUTH_OAUTH2 || conn->token_uri == NULL)
		return false;
	if (conn->grant_type == REST_GRANT_CLIENT_CREDENTIALS)
		return true;
	return conn->refresh_token != NULL;
}

/*
 * Add the credentials the server's authentication method needs to req:
 * an Authorization (or custom) header, or a query parameter.  With
 * force_new_token, a cached OAuth token is not reused.  The secret values
 * go into req->headers and req->url only; req->display_url shows "***".
 */
void
rest_auth_add_credentials(RestConnOptions *conn, RestHttpRequest *req,
						  bool force_new_token, RestScanStats *stats)
{
	switch (conn->auth_method)
	{
		case REST_AUTH_NONE:
			break;

		case REST_AUTH_BASIC:
			require_option(conn, conn->user, OPT_USER);
			require_option(conn, conn->password, OPT_PASSWORD);
			req->headers = lappend(req->headers,
								   psprintf("Authorization: Basic %s",
											basic_credentials(conn->user,
															  conn->password,
															  false)));
			break;

		case REST_AUTH_HTTP_HEADER:
			require_option(conn, conn->api_key, OPT_API_KEY);
			req->headers = lappend(req->headers,
								   psprintf("%s: %s", conn->auth_header,
											conn->api_key));
			break;

		case REST_AUTH_URL_PARAMETER:
			{
				StringInfoData url;
				StringInfoData display;
				char		sep;

				require_option(conn, conn->api_key, OPT_API_KEY);
				sep = strchr(req->url, '?') ? '&' : '?';
				initStringInfo(&url);
				initStringInfo(&display);
				appendStringInfo(&url, "%s%c", req->url, sep);
				rest_append_urlencoded(&url, conn->auth_param);
				appendStringInfoChar(&url, '=');
				rest_append_urlencoded(&url, conn->api_key);
				appendStringInfo(&display, "%s%c", req->display_url, sep);
				rest_append_urlencoded(&display, conn->auth_param);
				appendStringInfoString(&display, "=***");
				req->url = url.data;
				req->display_url = display.data;
				break;
			}

		case REST_AUTH_OAUTH2:
			req->headers = lappend(req->headers,
								   psprintf("Authorization: Bearer %s",
											get_access_token(conn,
															 force_new_token,
															 stats)));
			break;
	}
}

static void
require_option(RestConnOptions *conn, const char *value, const char *optname)
{
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("user mapping for server \"%s\" has no \"%s\" option",
						conn->servername, optname),
				 errdetail("Authentication method \"%s\" needs it.",
						   rest_auth_method_name(conn->auth_method)),
				 errhint("Add it with ALTER USER MAPPING FOR ... SERVER %s OPTIONS (ADD %s '...').",
						 rest_quote_ident(conn->servername), optname)));
}

/*
 * "user:password" in base64, for an HTTP Basic Authorization header.  With
 * urlencode, both parts are form-urlencoded first, as RFC 6749 section
 * 2.3.1 requires for OAuth client credentials.
 */
static char *
basic_credentials(const char *user, const char *password, bool urlencode)
{
	StringInfoData plain;
	char	   *encoded;
	int			n;

	initStringInfo(&plain);
	if (urlencode)
	{
		rest_append_urlencoded(&plain, user);
		appendStringInfoChar(&plain, ':');
		rest_append_urlencoded(&plain, password);
	}
	else
		appendStringInfo(&plain, "%s:%s", user, password);

	encoded = palloc(4 * ((plain.len + 2) / 3) + 1);
	n = EVP_EncodeBlock((unsigned char *) encoded,
						(const unsigned char *) plain.data, plain.len);
	encoded[n] = '\0';
	explicit_bzero(plain.data, plain.len);
	pfree(plain.data);
	return encoded;
}

/* ---------------------------------------------------------------------
 * Token cache
 * ---------------------------------------------------------------------
 */

static RestTokenEntry *
get_token_entry(RestConnOptions *conn)
{
	RestTokenEntry *entry;
	bool		found;
	unsigned char digest[SHA256_DIGEST_LENGTH];

	if (TokenHash == NULL)
	{
		HASHCTL		ctl;

		TokenContext = AllocSetContextCreate(TopMemoryContext,
											 "rest_fdw tokens",
											 ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(RestTokenEntry);
		ctl.hcxt = TokenContext;
		TokenHash = hash_create("rest_fdw tokens", 8, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID, token_inval_callback,
									  (Datum) 0);
		CacheRegisterSyscacheCallback(USERMAPPINGOID, token_inval_callback,
									  (Datum) 0);
	}

	grant_digest(conn, digest);
	entry = hash_search(TokenHash, &conn->umid, HASH_ENTER, &found);
	if (!found)
	{
		entry->access_token = NULL;
		entry->refresh_token = NULL;
		entry->static_token = false;
		entry->expires_at = 0;
		entry->stale = false;
		memcpy(entry->seed_digest, digest, sizeof(digest));
		entry->server_hashvalue =
			GetSysCacheHashValue1(FOREIGNSERVEROID,
								  ObjectIdGetDatum(conn->serverid));
		entry->mapping_hashvalue =
			GetSysCacheHashValue1(USERMAPPINGOID,
								  ObjectIdGetDatum(conn->umid));
	}

	if (entry->stale)
	{
		forget_access_token(entry);
		entry->stale = false;
	}

	/*
	 * A rotated refresh token belongs to the grant it was issued for: when
	 * the seed, the client or the token endpoint changed, start over from
	 * the user mapping's refresh_token.
	 */
	if (memcmp(entry->seed_digest, digest, sizeof(digest)) != 0)
	{
		forget_access_token(entry);
		forget_secret(&entry->refresh_token);
		memcpy(entry->seed_digest, digest, sizeof(digest));
	}
	return entry;
}

/*
 * ALTER/DROP SERVER or USER MAPPING: the cached access token may belong to
 * other credentials now.
 */
static void
token_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	RestTokenEntry *entry;

	hash_seq_init(&scan, TokenHash);
	while ((entry = hash_seq_search(&scan)) != NULL)
	{
		if (hashvalue == 0 ||
			(cacheid == FOREIGNSERVEROID &&
			 entry->server_hashvalue == hashvalue) ||
			(cacheid == USERMAPPINGOID &&
			 entry->mapping_hashvalue == hashvalue))
			entry->stale = true;
	}
}

/* Zero and free a secret string kept in TokenContext. */
static void
forget_secret(char **s)
{
	if (*s)
	{
		explicit_bzero(*s, strlen(*s));
		pfree(*s);
		*s = NULL;
	}
}

static void
forget_access_token(RestTokenEntry *entry)
{
	forget_secret(&entry->access_token);
	entry->static_token = false;
	entry->expires_at = 0;
}

/* SHA-256 over what identifies the grant a refresh token belongs to */
static void
grant_digest(RestConnOptions *conn, unsigned char *digest)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *parts[4];
	int			i;
	bool		ok;

	parts[0] = conn->token_uri ? conn->token_uri : "";
	parts[1] = conn->client_id ? conn->client_id : "";
	parts[2] = conn->refresh_token ? conn->refresh_token : "";
	parts[3] = conn->grant_type == REST_GRANT_CLIENT_CREDENTIALS ? "cc" : "rt";

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	for (i = 0; ok && i < 4; i++)
		ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, digest, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a SHA-256 digest")));
}

/*
 * The access token to send, from the cache while it is not about to
 * expire, else from the token endpoint.  The result lives in TokenContext
 * until the token is dropped; callers copy it into their request.
 */
static const char *
get_access_token(RestConnOptions *conn, bool force, RestScanStats *stats)
{
	RestTokenEntry *entry = get_token_entry(conn);

	if (force)
		forget_access_token(entry);

	if (entry->access_token != NULL)
	{
		TimestampTz now = GetCurrentTimestamp();

		if (entry->expires_at == 0 || now < entry->expires_at)
			return entry->access_token;
		forget_access_token(entry);
	}

	/* a static token from the user mapping is used until it is rejected */
	if (conn->access_token != NULL && !force)
	{
		entry->access_token = MemoryContextStrdup(TokenContext,
												  conn->access_token);
		entry->static_token = true;
		return entry->access_token;
	}

	if (!rest_auth_refreshable(conn))
	{
		if (conn->token_uri == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("server \"%s\" has no \"%s\" option",
							conn->servername, OPT_TOKEN_URI),
					 errdetail("An OAuth 2.0 access token is needed and none can be requested."),
					 errhint("Set token_uri on the server, or a static access_token in the user mapping.")));
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("user mapping for server \"%s\" has no \"%s\" option",
						conn->servername, OPT_REFRESH_TOKEN),
				 errdetail("The refresh_token grant needs a refresh token."),
				 errhint("Add refresh_token to the user mapping, or set grant_type 'client_credentials' on the server.")));
	}

	request_token(conn, entry, stats);
	return entry->access_token;
}

/*
 * Ask the token endpoint for a new access token and store it, with its
 * expiry and any rotated refresh token, in entry.  Every failure is an
 * ERROR naming the server; the endpoint's RFC 6749 error code and
 * description go into DETAIL, what to do about it into HINT.
 */
static void
request_token(RestConnOptions *conn, RestTokenEntry *entry,
			  RestScanStats *stats)
{
	RestHttpRequest req;
	RestHttpResponse resp;
	RestTokenResponse tr;
	StringInfoData body;
	const char *grant;
	char	   *display_url;
	MemoryContext tmpcxt;
	MemoryContext oldcxt;

	require_option(conn, conn->client_id, OPT_CLIENT_ID);

	/* everything but the cached results is freed when this is deleted */
	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw token request",
								   ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);

	initStringInfo(&body);
	if (conn->grant_type == REST_GRANT_CLIENT_CREDENTIALS)
	{
		grant = "client_credentials";
		appendStringInfoString(&body, "grant_type=client_credentials");
	}
	else
	{
		const char *rt = entry->refresh_token ? entry->refresh_token
			: conn->refresh_token;

		grant = "refresh_token";
		appendStringInfoString(&body, "grant_type=refresh_token&refresh_token=");
		rest_append_urlencoded(&body, rt);
	}
	if (conn->scope && conn->scope[0] != '\0')
	{
		appendStringInfoString(&body, "&scope=");
		rest_append_urlencoded(&body, conn->scope);
	}

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = conn->token_uri;
	display_url = rest_mask_url(conn->token_uri);
	req.display_url = display_url;
	req.headers = list_make2("Accept: application/json",
							 "Content-Type: application/x-www-form-urlencoded");

	/*
	 * Client authentication: HTTP Basic by default, form fields with
	 * client_auth 'post'; a public client (no secret) only names itself.
	 */
	if (conn->client_secret != NULL &&
		conn->client_auth == REST_CLIENT_AUTH_BASIC)
		req.headers = lappend(req.headers,
							  psprintf("Authorization: Basic %s",
									   basic_credentials(conn->client_id,
														 conn->client_secret,
														 true)));
	else
	{
		appendStringInfoString(&body, "&client_id=");
		rest_append_urlencoded(&body, conn->client_id);
		if (conn->client_secret != NULL)
		{
			appendStringInfoString(&body, "&client_secret=");
			rest_append_urlencoded(&body, conn->client_secret);
		}
	}
	req.body = body.data;
	req.body_len = body.len;

	rest_http_perform(conn, &req, &resp);
	if (stats)
		stats->token_requests++;
	explicit_bzero(body.data, body.len);

	parse_token_response(resp.body, resp.body_len, &tr);

	if (resp.status != 200 || tr.error != NULL)
	{
		const char *hint = NULL;
		int			code = ERRCODE_FDW_ERROR;

		if (tr.error == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("could not obtain an OAuth 2.0 access token for server \"%s\"",
							conn->servername),
					 errdetail("The token endpoint answered HTTP status %ld: %s",
							   resp.status,
							   rest_shorten(resp.body, resp.body_len, 200)),
					 errcontext("POST %s", display_url)));

		if (strcmp(tr.error, "invalid_grant") == 0)
		{
			code = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
			hint = conn->grant_type == REST_GRANT_REFRESH_TOKEN
				? "Obtain a new refresh token and set it with ALTER USER MAPPING."
				: "Check the client credentials in the user mapping.";
		}
		else if (strcmp(tr.error, "invalid_client") == 0)
		{
			code = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
			hint = "Check client_id and client_secret in the user mapping, and the client_auth option of the server.";
		}
		else if (strcmp(tr.error, "unauthorized_client") == 0 ||
				 strcmp(tr.error, "unsupported_grant_type") == 0)
		{
			code = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
			hint = "Check the grant_type option of the server: the client may not use this grant.";
		}
		else if (strcmp(tr.error, "invalid_scope") == 0)
			hint = "Check the scope option of the server.";

		ereport(ERROR,
				(errcode(code),
				 errmsg("could not obtain an OAuth 2.0 access token for server \"%s\"",
						conn->servername),
				 tr.error_description
				 ? errdetail("The token endpoint answered HTTP status %ld with error \"%s\": %s",
							 resp.status, rest_shorten(tr.error, strlen(tr.error), 100),
							 rest_shorten(tr.error_description,
										  strlen(tr.error_description), 300))
				 : errdetail("The token endpoint answered HTTP status %ld with error \"%s\".",
							 resp.status, rest_shorten(tr.error, strlen(tr.error), 100)),
				 hint ? errhint("%s", hint) : 0,
				 errcontext("POST %s (grant_type %s)", display_url, grant)));
	}

	if (!tr.is_object || tr.access_token == NULL || tr.access_token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid token response from server \"%s\"", conn->servername),
				 errdetail(tr.is_object
						   ? "The response has no \"access_token\" string."
						   : "The response is not a JSON object."),
				 errcontext("POST %s (grant_type %s)", display_url, grant)));
	if (tr.token_type != NULL && pg_strcasecmp(tr.token_type, "bearer") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid token response from server \"%s\"", conn->servername),
				 errdetail("The token type is \"%s\"; only \"Bearer\" is supported.",
						   rest_shorten(tr.token_type, strlen(tr.token_type), 50)),
				 errcontext("POST %s (grant_type %s)", display_url, grant)));
	if (tr.bad_expires_in)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid token response from server \"%s\"", conn->servername),
				 errdetail("\"expires_in\" is not a non-negative number of seconds."),
				 errcontext("POST %s (grant_type %s)", display_url, grant)));

	/* success: keep the token, its expiry and any rotated refresh token */
	forget_access_token(entry);
	entry->access_token = MemoryContextStrdup(TokenContext, tr.access_token);
	entry->static_token = false;
	if (tr.has_expires_in)
	{
		int64		lifetime_ms = tr.expires_in * 1000;
		int64		margin_ms = Min(lifetime_ms / 10, (int64) 60000);

		entry->expires_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														lifetime_ms - margin_ms);
	}
	else
		entry->expires_at = 0;

	if (tr.refresh_token != NULL && tr.refresh_token[0] != '\0')
	{
		forget_secret(&entry->refresh_token);
		entry->refresh_token = MemoryContextStrdup(TokenContext,
												   tr.refresh_token);
	}

	explicit_bzero(resp.body, resp.body_len);
	explicit_bzero(tr.access_token, strlen(tr.access_token));
	if (tr.refresh_token)
		explicit_bzero(tr.refresh_token, strlen(tr.refresh_token));

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
}

/* jansson values are released when the memory context holding this dies */
static void
json_decref_callback(void *arg)
{
	json_decref((json_t *) arg);
}

/* A copy of a JSON string member, or NULL when absent or not a string. */
static char *
member_string(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? pstrdup(json_string_value(v)) : NULL;
}

/*
 * Parse a token endpoint response (success or RFC 6749 section 5.2 error)
 * with jansson.  Never fails: what is missing or malformed is left NULL or
 * flagged for the caller to report.
 */
static void
parse_token_response(const char *body, size_t len, RestTokenResponse *tr)
{
	json_error_t jerr;
	json_t	   *root;
	json_t	   *exp;

	memset(tr, 0, sizeof(RestTokenResponse));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return;

	/* from here on, an ERROR (even out of memory) must not leak root */
	{
		MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

		cb->func = json_decref_callback;
		cb->arg = root;
		MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	}

	if (!json_is_object(root))
		return;
	tr->is_object = true;
	tr->access_token = member_string(root, "access_token");
	tr->token_type = member_string(root, "token_type");
	tr->refresh_token = member_string(root, "refresh_token");
	tr->error = member_string(root, "error");
	tr->error_description = member_string(root, "error_description");

	exp = json_object_get(root, "expires_in");
	if (json_is_integer(exp))
	{
		tr->has_expires_in = true;
		tr->expires_in = json_integer_value(exp);
	}
	else if (json_is_real(exp))
	{
		tr->has_expires_in = true;
		tr->expires_in = (int64) json_real_value(exp);
	}
	else if (json_is_string(exp))
	{
		const char *s = json_string_value(exp);
		char	   *end;

		errno = 0;
		tr->expires_in = strtoll(s, &end, 10);
		tr->has_expires_in = true;
		if (errno != 0 || end == s || *end != '\0')
			tr->bad_expires_in = true;
	}
	else if (exp != NULL && !json_is_null(exp))
		tr->bad_expires_in = true;

	if (tr->has_expires_in &&
		(tr->expires_in < 0 || tr->expires_in > INT64CONST(100000000000)))
		tr->bad_expires_in = true;

	/* the raw copies of the secrets inside jansson's tree are not wiped */
}
