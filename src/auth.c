/*-------------------------------------------------------------------------
 *
 * auth.c
 *		  Credentials for requests, and the OAuth 2.0 token cache.
 *
 * Each request gets the credentials its server's authentication method
 * asks for: none, HTTP Basic, an API key in a header or a query parameter,
 * a static bearer token, or an OAuth 2.0 bearer token.  OAuth tokens come
 * from the user mapping (a static access_token) or from the token
 * endpoint, by the refresh_token, client_credentials or (discouraged)
 * password grant (RFC 6749 sections 6, 4.4 and 4.3), or by the JWT bearer
 * grant (RFC 7523 section 2.1) with an assertion that jwt.c signs.  The
 * client authenticates at the token endpoint with its secret (HTTP Basic,
 * form fields or URL parameters) or with a signed JWT (private_key_jwt,
 * client_secret_jwt: RFC 7523 section 2.2).  Digest, NTLM and AWS
 * Signature Version 4 are done by libcurl: they only hand it credentials
 * in the request (http.c sets them on the handle).
 *
 * Tokens are cached per user mapping in the backend, in front of the
 * cluster-wide token store (token_store.c), and reused until shortly before
 * they expire.  Only one backend at a time asks the token endpoint for a
 * new token for a user mapping: the others wait for it and use its result.
 * A refresh token returned by the token endpoint replaces the one used
 * (rotation) in the store, and is used as long as the user mapping's
 * refresh_token (the seed), client_id and the server's token_uri stay the
 * same.  ALTER SERVER and ALTER USER MAPPING drop the backend's cached
 * access token.
 *
 * Nothing here logs or returns secret text: error messages name options,
 * never their values.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "rest_fdw.h"

/* The cached token state of one user mapping */
typedef struct RestTokenEntry
{
	Oid			umid;			/* hash key */
	uint32		server_hashvalue;
	uint32		mapping_hashvalue;
	bool		stale;			/* server or mapping altered */
	char	   *access_token;	/* in TokenContext, or NULL */
	TimestampTz refresh_at;		/* replace it from then on; 0: unknown */
	bool		static_used;	/* the user mapping's access_token was tried */
	unsigned char seed_digest[REST_DIGEST_LEN];	/* of the grant's inputs */
	unsigned char token_digest[REST_DIGEST_LEN];	/* of all token inputs */
} RestTokenEntry;

/* A successful token response */
typedef struct RestNewToken
{
	char	   *access_token;
	char	   *refresh_token;	/* a rotated refresh token, or NULL */
	bool		has_expires_in;
	int64		expires_in;
} RestNewToken;


static HTAB *TokenHash = NULL;
static MemoryContext TokenContext = NULL;

static RestTokenEntry *get_token_entry(RestConnOptions *conn);
static void token_inval_callback(Datum arg, int cacheid, uint32 hashvalue);
static void forget_access_token(RestTokenEntry *entry);
static void forget_secret(char **s);
static const char *get_access_token(RestConnOptions *conn, bool force,
									RestScanStats *stats);
static void request_token(RestConnOptions *conn, const char *refresh_token,
						  RestNewToken *result, RestScanStats *stats);
static void request_token_in(RestConnOptions *conn, const char *refresh_token,
							 RestNewToken *result, RestScanStats *stats,
							 MemoryContext resultcxt);
pg_noreturn static void report_token_error(RestConnOptions *conn,
											RestHttpResponse *resp,
											RestTokenResponse *tr, List *hide);
static void adopt_token(RestTokenEntry *entry, const char *token,
						TimestampTz refresh_at);
static bool stored_token_usable(RestTokenEntry *entry, RestStoredToken *st,
								const char *rejected);
static void record_failure(RestConnOptions *conn, RestTokenEntry *entry,
						   ErrorData *edata);
static void record_failure_quietly(RestConnOptions *conn,
								   RestTokenEntry *entry, ErrorData *edata);
static void check_static_token(RestConnOptions *conn);
static char *basic_credentials(const char *user, const char *password,
							   bool urlencode);
static void require_option(RestConnOptions *conn, const char *value,
						   const char *optname);
static void add_aws_sigv4(RestConnOptions *conn, RestHttpRequest *req);
static bool uses_client_assertion(RestConnOptions *conn);

/*
 * Can a rejected token be replaced by asking the token endpoint for a new
 * one?  Only then is a 401 answered by refreshing and retrying.
 */
bool
rest_auth_refreshable(RestConnOptions *conn)
{
	if (conn->auth_method != REST_AUTH_OAUTH2 || conn->token_uri == NULL)
		return false;
	if (conn->grant_type == REST_GRANT_CLIENT_CREDENTIALS ||
		conn->grant_type == REST_GRANT_PASSWORD ||
		conn->grant_type == REST_GRANT_JWT_BEARER)
		return true;
	return conn->refresh_token != NULL;
}

/*
 * Add the credentials the server's authentication method needs to req:
 * an Authorization (or custom) header, or a query parameter.  With
 * force_new_token, a cached OAuth token is not reused.  The secret values
 * go into req->headers and req->url only; req->display_url shows "***",
 * and req->secrets lists them for messages that quote the response.
 */
void
rest_auth_add_credentials(RestConnOptions *conn, RestHttpRequest *req,
						  bool force_new_token, RestScanStats *stats)
{
	const char *token = NULL;

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

				require_option(conn, conn->api_key, OPT_API_KEY);
				initStringInfo(&url);
				appendStringInfo(&url, "%s%c", req->url,
								 strchr(req->url, '?') ? '&' : '?');
				rest_append_urlencoded(&url, conn->auth_param);
				appendStringInfoChar(&url, '=');
				rest_append_urlencoded(&url, conn->api_key);
				req->url = url.data;
				req->display_url = rest_auth_display_url(conn, req->display_url);
				break;
			}

		case REST_AUTH_OAUTH2:
			token = get_access_token(conn, force_new_token, stats);
			req->headers = lappend(req->headers,
								   psprintf("Authorization: Bearer %s", token));
			break;

		case REST_AUTH_BEARER:
			/* a static token: nothing to refresh it with, so never cached */
			require_option(conn, conn->access_token, OPT_ACCESS_TOKEN);
			check_static_token(conn);
			req->headers = lappend(req->headers,
								   psprintf("Authorization: Bearer %s",
											conn->access_token));
			break;

		case REST_AUTH_DIGEST:
		case REST_AUTH_NTLM:
			require_option(conn, conn->user, OPT_USER);
			require_option(conn, conn->password, OPT_PASSWORD);
			/* some builds of libcurl leave NTLM out (Debian unstable's, for one) */
			if (conn->auth_method == REST_AUTH_NTLM &&
				(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_NTLM) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("authentication method \"ntlm\" of server \"%s\" is not available",
								conn->servername),
						 errdetail("The libcurl that rest_fdw uses was built without NTLM."),
						 errhint("Use a libcurl built with NTLM, or another authentication method the API offers.")));
			req->httpauth = conn->auth_method == REST_AUTH_DIGEST
				? CURLAUTH_DIGEST : CURLAUTH_NTLM;
			req->auth_user = conn->user;
			req->auth_password = conn->password;
			break;

		case REST_AUTH_AWS_SIGV4:
			add_aws_sigv4(conn, req);
			break;
	}
	req->secrets = rest_auth_secrets(conn, token);
}

/*
 * How a URL is shown once credentials are added: with url_parameter
 * authentication, the key's parameter is appended with the value "***".
 */
char *
rest_auth_display_url(RestConnOptions *conn, const char *display_url)
{
	StringInfoData buf;

	if (conn->auth_method != REST_AUTH_URL_PARAMETER)
		return pstrdup(display_url);
	initStringInfo(&buf);
	appendStringInfo(&buf, "%s%c", display_url,
					 strchr(display_url, '?') ? '&' : '?');
	rest_append_urlencoded(&buf, conn->auth_param);
	appendStringInfoString(&buf, "=***");
	return buf.data;
}

/*
 * Add s to the List *secrets.  Only as sent: the scrubbing (scrub.c)
 * also finds it where a server echoes it percent-encoded, form-encoded or
 * JSON-escaped.
 */
static void
add_secret(List **secrets, const char *s)
{
	if (s != NULL && s[0] != '\0')
		*secrets = lappend(*secrets, (char *) s);
}

/*
 * The secrets a request with conn's credentials may carry, for messages
 * that quote what a server sent back (rest_shorten_scrubbed, rest_scrub):
 * every credential of the user mapping, the HTTP Basic credentials, the
 * cached access token, and token (the one just sent, or NULL).  palloc'd
 * in the current memory context; the strings may be conn's own.
 */
List *
rest_auth_secrets(RestConnOptions *conn, const char *token)
{
	List	   *secrets = NIL;

	add_secret(&secrets, token);
	add_secret(&secrets, conn->api_key);
	add_secret(&secrets, conn->password);
	add_secret(&secrets, conn->access_token);
	add_secret(&secrets, conn->refresh_token);
	add_secret(&secrets, conn->client_secret);
	add_secret(&secrets, conn->aws_secret_access_key);
	add_secret(&secrets, conn->aws_session_token);
	add_secret(&secrets, conn->private_key);
	/* the transport's: the proxy login, the client key's passphrase */
	add_secret(&secrets, conn->proxy_password);
	add_secret(&secrets, conn->ssl_key_password);
	if (conn->user && conn->password)
		add_secret(&secrets, basic_credentials(conn->user, conn->password,
											   false));
	if (conn->client_id && conn->client_secret)
		add_secret(&secrets, basic_credentials(conn->client_id,
											   conn->client_secret, true));
	if (TokenHash != NULL && OidIsValid(conn->umid))
	{
		RestTokenEntry *entry = hash_search(TokenHash, &conn->umid,
											HASH_FIND, NULL);

		if (entry && entry->access_token)
			add_secret(&secrets, pstrdup(entry->access_token));
	}
	return secrets;
}

/*
 * A URL (one the server handed back, or one to request) as messages show
 * it: masked as rest_mask_url does, also the value of the auth_param of
 * url_parameter authentication, and any credential of conn in it replaced
 * by "***".  palloc'd.
 */
char *
rest_auth_mask_url(RestConnOptions *conn, const char *url)
{
	char	   *masked;

	masked = rest_mask_url_param(url,
								 conn->auth_method == REST_AUTH_URL_PARAMETER
								 ? conn->auth_param : NULL);
	return rest_scrub(masked, rest_auth_secrets(conn, NULL));
}

/*
 * A URL that the server handed back (a next page, a Link header, a
 * redirect), ready to be requested again with credentials: with
 * url_parameter authentication, every auth_param parameter in it is
 * removed, since rest_auth_add_credentials adds the key again and it must
 * be sent once.  palloc'd.
 */
char *
rest_auth_strip_url(RestConnOptions *conn, const char *url)
{
	if (conn->auth_method != REST_AUTH_URL_PARAMETER || conn->auth_param == NULL)
		return pstrdup(url);
	return rest_url_without_param(url, conn->auth_param);
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

/* require_option for an option of the server */
static void
require_server_option(RestConnOptions *conn, const char *value,
					  const char *optname, const char *example)
{
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option",
						conn->servername, optname),
				 errdetail("Authentication method \"%s\" needs it.",
						   rest_auth_method_name(conn->auth_method)),
				 errhint("Set it with ALTER SERVER %s OPTIONS (ADD %s '%s').",
						 rest_quote_ident(conn->servername), optname, example)));
}

/*
 * AWS Signature Version 4: libcurl signs each request (CURLOPT_AWS_SIGV4)
 * with the key id and secret key, for the region and service of the
 * server.  A session token (temporary credentials) goes into
 * X-Amz-Security-Token, which libcurl signs with host, X-Amz-Date and the
 * other headers the request sets.  The query string is put into AWS's
 * canonical order and encoding first (rest_canonical_query_url).
 */
static void
add_aws_sigv4(RestConnOptions *conn, RestHttpRequest *req)
{
	require_server_option(conn, conn->aws_region, OPT_AWS_REGION, "us-east-1");
	require_server_option(conn, conn->aws_service, OPT_AWS_SERVICE, "execute-api");
	require_option(conn, conn->aws_access_key_id, OPT_AWS_ACCESS_KEY_ID);
	require_option(conn, conn->aws_secret_access_key, OPT_AWS_SECRET_ACCESS_KEY);

	/*
	 * So that libcurl signs the query string as AWS reads it: libcurl 8
	 * puts it in canonical order and encoding itself, earlier versions sign
	 * it as it is.
	 */
	if (curl_version_info(CURLVERSION_NOW)->version_num < 0x080000)
		req->url = rest_canonical_query_url(req->url);
	req->aws_sigv4 = psprintf("aws:amz:%s:%s", conn->aws_region,
							  conn->aws_service);
	req->auth_user = conn->aws_access_key_id;
	req->auth_password = conn->aws_secret_access_key;
	if (conn->aws_session_token != NULL)
		req->headers = lappend(req->headers,
							   psprintf("X-Amz-Security-Token: %s",
										conn->aws_session_token));
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
	unsigned char digest[REST_DIGEST_LEN];
	unsigned char tdigest[REST_DIGEST_LEN];

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
		/* once per backend: drop the stored state of dropped mappings */
		rest_store_gc();
	}

	rest_auth_grant_digest(conn, digest, tdigest);
	entry = hash_search(TokenHash, &conn->umid, HASH_ENTER, &found);
	if (!found)
	{
		entry->access_token = NULL;
		entry->refresh_at = 0;
		entry->static_used = false;
		entry->stale = false;
		memcpy(entry->seed_digest, digest, sizeof(digest));
		memcpy(entry->token_digest, tdigest, sizeof(tdigest));
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
		entry->static_used = false;
		entry->stale = false;
	}

	/*
	 * Tokens belong to the grant they were issued for: when the seed, the
	 * client or the token endpoint changed, start over.  An access token
	 * also belongs to the scope and client credentials it was asked with.
	 */
	if (memcmp(entry->seed_digest, digest, sizeof(digest)) != 0)
	{
		entry->static_used = false;
		memcpy(entry->seed_digest, digest, sizeof(digest));
	}
	if (memcmp(entry->token_digest, tdigest, sizeof(tdigest)) != 0)
	{
		forget_access_token(entry);
		memcpy(entry->token_digest, tdigest, sizeof(tdigest));
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
	entry->refresh_at = 0;
}

/*
 * Drop the backend's cached token of a user mapping (rest_fdw_forget_tokens).
 */
void
rest_auth_forget_cached(Oid umid)
{
	RestTokenEntry *entry;

	if (TokenHash == NULL)
		return;
	entry = hash_search(TokenHash, &umid, HASH_FIND, NULL);
	if (entry)
	{
		forget_access_token(entry);
		entry->static_used = false;
	}
}

static void
adopt_token(RestTokenEntry *entry, const char *token, TimestampTz refresh_at)
{
	forget_access_token(entry);
	entry->access_token = MemoryContextStrdup(TokenContext, token);
	entry->refresh_at = refresh_at;
}

/*
 * Is the stored access token one of this grant, not due for replacement,
 * and not the one the API just rejected?
 */
static bool
stored_token_usable(RestTokenEntry *entry, RestStoredToken *st,
					const char *rejected)
{
	if (!st->found || st->access_token == NULL ||
		memcmp(st->token_digest, entry->token_digest, REST_DIGEST_LEN) != 0)
		return false;
	if (rejected != NULL && strcmp(rejected, st->access_token) == 0)
		return false;
	/* one that could not be sent is replaced (the store is no authority) */
	if (strlen(st->access_token) > REST_MAX_TOKEN_SIZE ||
		!rest_valid_b64token(st->access_token))
		return false;
	return st->refresh_at == 0 || GetCurrentTimestamp() < st->refresh_at;
}

/* Is the grant's access token for this user mapping's token digest usable? */
static RestGrantToken *
grant_token_usable(RestTokenEntry *entry, RestGrantState *gs,
				   const char *rejected)
{
	RestGrantToken *gt = rest_grant_token(gs, entry->token_digest);
	RestStoredToken st;

	if (gt == NULL)
		return NULL;
	memset(&st, 0, sizeof(st));
	st.found = true;
	memcpy(st.token_digest, gt->token_digest, REST_DIGEST_LEN);
	st.access_token = gt->access_token;
	st.refresh_at = gt->refresh_at;
	st.expires_at = gt->expires_at;
	return stored_token_usable(entry, &st, rejected) ? gt : NULL;
}

/*
 * Put a new access token into the grant's state: in place of the one of
 * the same token digest, else in a free slot, else in place of the oldest.
 */
static void
grant_put_token(RestGrantState *gs, const unsigned char *token_digest,
				char *access_token, TimestampTz expires_at,
				TimestampTz refresh_at, TimestampTz now)
{
	RestGrantToken *gt = rest_grant_token(gs, token_digest);
	int			i;

	if (gt == NULL && gs->ntokens < REST_GRANT_MAX_TOKENS)
		gt = &gs->tokens[gs->ntokens++];
	if (gt == NULL)
	{
		gt = &gs->tokens[0];
		for (i = 1; i < gs->ntokens; i++)
		{
			if (gs->tokens[i].obtained_at < gt->obtained_at)
				gt = &gs->tokens[i];
		}
	}
	memcpy(gt->token_digest, token_digest, REST_DIGEST_LEN);
	gt->access_token = access_token;
	gt->expires_at = expires_at;
	gt->refresh_at = refresh_at;
	gt->obtained_at = now;
}

/* SHA-256 over NUL-terminated strings */
static void
sha256_strings(const char **parts, int nparts, unsigned char *digest)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int			i;
	bool		ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	for (i = 0; ok && i < nparts; i++)
		ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, digest, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a SHA-256 digest")));
}

/*
 * Digests of what identifies the grant a refresh token belongs to (token
 * endpoint, client, seed refresh token, grant type), and, into
 * token_digest unless NULL, of that plus what else shapes an access token
 * (scope, client secret and authentication).
 */
void
rest_auth_grant_digest(RestConnOptions *conn, unsigned char *grant_digest,
					   unsigned char *token_digest)
{
	const char *parts[8];
	char		hex[2 * REST_DIGEST_LEN + 1];
	int			nparts = 4;
	int			i;

	parts[0] = conn->token_uri ? conn->token_uri : "";
	parts[1] = conn->client_id ? conn->client_id : "";
	parts[2] = conn->refresh_token ? conn->refresh_token : "";
	parts[3] = conn->grant_type == REST_GRANT_CLIENT_CREDENTIALS ? "cc" : "rt";
	if (conn->grant_type == REST_GRANT_PASSWORD)
	{
		/* the resource owner's credentials are the grant's seed */
		parts[2] = conn->user ? conn->user : "";
		parts[3] = "pw";
		parts[4] = conn->password ? conn->password : "";
		nparts = 5;
	}
	else if (conn->grant_type == REST_GRANT_JWT_BEARER)
	{
		/* the key and whom the assertion names */
		parts[2] = conn->private_key ? conn->private_key : "";
		parts[3] = "jb";
		parts[4] = conn->jwt_issuer ? conn->jwt_issuer : "";
		parts[5] = conn->jwt_subject ? conn->jwt_subject : "";
		parts[6] = conn->jwt_audience ? conn->jwt_audience : "";
		nparts = 7;
	}
	sha256_strings(parts, nparts, grant_digest);
	if (token_digest == NULL)
		return;

	for (i = 0; i < REST_DIGEST_LEN; i++)
		sprintf(hex + 2 * i, "%02x", grant_digest[i]);
	parts[0] = hex;
	parts[1] = conn->scope ? conn->scope : "";
	parts[2] = conn->client_secret ? conn->client_secret : "";
	parts[3] = conn->client_auth == REST_CLIENT_AUTH_POST ? "post" : "basic";
	if (conn->client_auth == REST_CLIENT_AUTH_PRIVATE_KEY_JWT)
	{
		/* the client is its key */
		parts[2] = conn->private_key ? conn->private_key : "";
		parts[3] = "private_key_jwt";
	}
	else if (conn->client_auth == REST_CLIENT_AUTH_SECRET_JWT)
		parts[3] = "client_secret_jwt";
	parts[4] = conn->access_token ? conn->access_token : "";
	sha256_strings(parts, 5, token_digest);
}

/*
 * The access token to send: from the backend's cache while it is not due
 * for replacement, else from the token store, else from the token
 * endpoint, asked by one backend at a time.  With force, the token just
 * sent was rejected by the API: it is not used again.  The result lives in
 * TokenContext until the token is dropped; callers copy it.
 */
static const char *
get_access_token(RestConnOptions *conn, bool force, RestScanStats *stats)
{
	RestTokenEntry *entry = get_token_entry(conn);
	char	   *rejected = NULL;
	RestStoredToken st;
	RestGrantState gs;
	RestGrantToken *gt;
	bool		have_own;
	bool		refers;
	RestNewToken nt;
	const char *refresh_token;
	TimestampTz now;
	MemoryContext callercxt;

	if (force && entry->access_token)
	{
		rejected = pstrdup(entry->access_token);
		forget_access_token(entry);
	}

	if (entry->access_token != NULL)
	{
		if (entry->refresh_at == 0 || GetCurrentTimestamp() < entry->refresh_at)
			return entry->access_token;
		forget_access_token(entry);
	}

	if (!rest_auth_refreshable(conn))
	{
		/* a static token from the user mapping is all there is */
		if (conn->access_token != NULL && !force)
		{
			check_static_token(conn);
			adopt_token(entry, conn->access_token, 0);
			return entry->access_token;
		}
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

	/*
	 * Another backend may have obtained one already, for this user mapping
	 * or for another one holding the same grant.
	 */
	have_own = rest_store_read(conn->umid, &st);	/* ERROR if unusable */
	refers = have_own &&
		memcmp(st.digest, entry->seed_digest, REST_DIGEST_LEN) == 0;
	if (rest_store_grant_read(conn, entry->seed_digest, &gs) &&
		(gt = grant_token_usable(entry, &gs, rejected)) != NULL && refers)
	{
		adopt_token(entry, gt->access_token, gt->refresh_at);
		return entry->access_token;
	}
	/* the user mapping's own file: only a token the grant has no newer of */
	if (have_own && stored_token_usable(entry, &st, rejected) &&
		!(gs.found && rest_grant_token(&gs, entry->token_digest)))
	{
		adopt_token(entry, st.access_token, st.refresh_at);
		return entry->access_token;
	}

	/* a static token from the user mapping is tried once before refreshing */
	if (conn->access_token != NULL && !force && !entry->static_used)
	{
		check_static_token(conn);
		entry->static_used = true;
		adopt_token(entry, conn->access_token, 0);
		return entry->access_token;
	}

	/*
	 * One backend at a time per user mapping, and per grant: wait for the
	 * locks (interruptibly), then look again, since the backend we waited
	 * for has probably done the work.
	 */
	rest_store_lock(conn->umid);
	rest_store_lock_grant(entry->seed_digest);
	have_own = rest_store_read(conn->umid, &st);
	if (rest_store_grant_read(conn, entry->seed_digest, &gs) &&
		(gt = grant_token_usable(entry, &gs, rejected)) != NULL)
	{
		/*
		 * The user mapping's file refers to the grant it uses, which keeps
		 * rest_store_gc from removing the grant's file; written under the
		 * grant lock, which rest_store_gc takes too.
		 */
		if (!have_own ||
			memcmp(st.digest, entry->seed_digest, REST_DIGEST_LEN) != 0)
		{
			memset(&st, 0, sizeof(st));
			st.found = true;
			memcpy(st.digest, entry->seed_digest, REST_DIGEST_LEN);
			memcpy(st.token_digest, entry->token_digest, REST_DIGEST_LEN);
			rest_store_write(conn->umid, &st);
		}
		rest_store_unlock_grant(entry->seed_digest);
		rest_store_unlock(conn->umid);
		adopt_token(entry, gt->access_token, gt->refresh_at);
		return entry->access_token;
	}
	if (have_own && stored_token_usable(entry, &st, rejected) &&
		!(gs.found && rest_grant_token(&gs, entry->token_digest)))
	{
		rest_store_unlock_grant(entry->seed_digest);
		rest_store_unlock(conn->umid);
		adopt_token(entry, st.access_token, st.refresh_at);
		return entry->access_token;
	}

	/* a stored state of another grant (an older seed) does not count */
	if (st.found && memcmp(st.digest, entry->seed_digest, REST_DIGEST_LEN) != 0)
		memset(&st, 0, sizeof(st));

	/*
	 * The newest refresh token of the grant: the grant's, else one that the
	 * user mapping's own file kept before grants were shared, else the
	 * seed, which is presented for the first time: not if another user
	 * mapping's file of that kind shows it rotated.
	 */
	if (gs.refresh_token != NULL)
		refresh_token = gs.refresh_token;
	else if (st.refresh_token != NULL)
		refresh_token = st.refresh_token;
	else
	{
		rest_store_claim_seed(conn, entry->seed_digest);
		refresh_token = conn->refresh_token;
	}

	callercxt = CurrentMemoryContext;
	PG_TRY();
	{
		request_token(conn, refresh_token, &nt, stats);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(callercxt);
		edata = CopyErrorData();
		FlushErrorState();
		record_failure_quietly(conn, entry, edata);
		ReThrowError(edata);
	}
	PG_END_TRY();

	/*
	 * Durably keep the new state before anything else can fail: first the
	 * grant's, which every user mapping of the grant reads, then the user
	 * mapping's own (its access token and status), which keeps the grant's
	 * file from being collected.
	 */
	now = GetCurrentTimestamp();
	memcpy(st.digest, entry->seed_digest, REST_DIGEST_LEN);
	memcpy(st.token_digest, entry->token_digest, REST_DIGEST_LEN);
	st.access_token = nt.access_token;
	st.refresh_token = NULL;
	if (conn->grant_type == REST_GRANT_REFRESH_TOKEN)
		gs.refresh_token = nt.refresh_token ? nt.refresh_token
			: (char *) refresh_token;
	else
		gs.refresh_token = NULL;
	if (nt.has_expires_in)
	{
		int64		lifetime_ms = nt.expires_in * 1000;
		int64		margin_ms = Min(lifetime_ms / 10, (int64) 60000);

		st.expires_at = TimestampTzPlusMilliseconds(now, lifetime_ms);
		st.refresh_at = TimestampTzPlusMilliseconds(now, lifetime_ms - margin_ms);
	}
	else
		st.expires_at = st.refresh_at = 0;
	st.last_refresh = now;
	st.refresh_count++;
	st.last_error = NULL;
	st.last_error_at = 0;
	gs.found = true;
	gs.last_refresh = now;
	gs.refresh_count++;
	grant_put_token(&gs, entry->token_digest, nt.access_token, st.expires_at,
					st.refresh_at, now);
	rest_store_grant_write(conn, entry->seed_digest, &gs);
	/* the tokens live in the grant's file only */
	st.access_token = NULL;
	rest_store_write(conn->umid, &st);
	rest_store_unlock_grant(entry->seed_digest);
	rest_store_unlock(conn->umid);

	adopt_token(entry, nt.access_token, st.refresh_at);
	explicit_bzero(nt.access_token, strlen(nt.access_token));
	if (nt.refresh_token)
		explicit_bzero(nt.refresh_token, strlen(nt.refresh_token));
	return entry->access_token;
}

/*
 * Note a failed token request in the store, for rest_fdw_token_status.
 * Cancellations are not failures of the grant.  Called with the store lock
 * held; the error is re-thrown by the caller.
 */
static void
record_failure(RestConnOptions *conn, RestTokenEntry *entry, ErrorData *edata)
{
	RestStoredToken st;

	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
		edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
		return;
	if (!rest_store_read(conn->umid, &st) ||
		memcmp(st.digest, entry->seed_digest, REST_DIGEST_LEN) != 0)
	{
		memset(&st, 0, sizeof(st));
		memcpy(st.digest, entry->seed_digest, REST_DIGEST_LEN);
		memcpy(st.token_digest, entry->token_digest, REST_DIGEST_LEN);
	}
	st.last_error = edata->detail
		? psprintf("%s: %s", edata->message, edata->detail)
		: pstrdup(edata->message);
	st.last_error = rest_shorten(st.last_error, strlen(st.last_error), 500);
	st.last_error_at = GetCurrentTimestamp();
	rest_store_write(conn->umid, &st);
}

/*
 * record_failure, called while the error edata is being handled: a failure
 * of its own (the store cannot be written) must not replace edata, which
 * the caller re-throws, so it is caught and reported as a WARNING.  Only
 * the file I/O of token_store.c runs inside: the transaction that the
 * re-thrown error aborts releases whatever it left behind.
 */
static void
record_failure_quietly(RestConnOptions *conn, RestTokenEntry *entry,
					   ErrorData *edata)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		record_failure(conn, entry, edata);
	}
	PG_CATCH();
	{
		ErrorData  *own;

		MemoryContextSwitchTo(cxt);
		own = CopyErrorData();
		FlushErrorState();
		ereport(WARNING,
				(errcode(own->sqlerrcode),
				 errmsg("could not record the failed token request of server \"%s\"",
						conn->servername),
				 errdetail("%s", own->message)));
		FreeErrorData(own);
	}
	PG_END_TRY();
}

/*
 * A static access_token from the user mapping goes into an Authorization
 * header as it is: it must be a valid RFC 6750 bearer token, or it could
 * add header lines.  The token is never quoted.
 */
static void
check_static_token(RestConnOptions *conn)
{
	if (strlen(conn->access_token) > REST_MAX_TOKEN_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" of the user mapping for server \"%s\" is too long",
						OPT_ACCESS_TOKEN, conn->servername),
				 errdetail("An access token may be at most %d bytes long.",
						   REST_MAX_TOKEN_SIZE)));
	if (!rest_valid_b64token(conn->access_token))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\" of the user mapping for server \"%s\"",
						OPT_ACCESS_TOKEN, conn->servername),
				 errdetail("A bearer token consists of letters, digits and the characters \"-._~+/\", optionally followed by \"=\" signs (RFC 6750)."),
				 errhint("Set the access token with ALTER USER MAPPING FOR ... SERVER %s OPTIONS (SET %s '...').",
						 rest_quote_ident(conn->servername), OPT_ACCESS_TOKEN)));
}

/*
 * Secret buffers of a token request, zeroed by a reset callback of the
 * request's memory context: whether the request succeeds or fails, nothing
 * of them stays in freed memory.
 */
#define REST_MAX_WIPE	16

typedef struct RestWipeList
{
	int			n;
	char	   *ptr[REST_MAX_WIPE];
	size_t		len[REST_MAX_WIPE];
} RestWipeList;

static void
wipe_callback(void *arg)
{
	RestWipeList *w = (RestWipeList *) arg;
	int			i;

	for (i = 0; i < w->n; i++)
		explicit_bzero(w->ptr[i], w->len[i]);
	w->n = 0;
}

static RestWipeList *
wipe_on_reset(MemoryContext cxt)
{
	RestWipeList *w = MemoryContextAllocZero(cxt, sizeof(RestWipeList));
	MemoryContextCallback *cb = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));

	cb->func = wipe_callback;
	cb->arg = w;
	MemoryContextRegisterResetCallback(cxt, cb);
	return w;
}

/* Zero len bytes at p (in the list's context) when the context goes */
static void
wipe_later(RestWipeList *w, char *p, size_t len)
{
	if (p == NULL)
		return;
	if (w->n >= REST_MAX_WIPE)
		elog(ERROR, "rest_fdw: too many secret buffers in a token request");
	w->ptr[w->n] = p;
	w->len[w->n] = len;
	w->n++;
}

/* wipe_later for a NUL-terminated string */
static void
wipe_string_later(RestWipeList *w, char *s)
{
	if (s != NULL)
		wipe_later(w, s, strlen(s));
}

/*
 * Ask the token endpoint for a new access token, with refresh_token for
 * the refresh_token grant, and return it in *result (palloc'd in the
 * caller's context).  Every failure is an ERROR naming the server; the
 * endpoint's RFC 6749 error code and description go into DETAIL, what to
 * do about it into HINT.  No message quotes a secret: not the client
 * secret or refresh token sent (a server may echo the request), nor a
 * token the answer holds; the buffers that held them are zeroed on every
 * path.
 */
static void
request_token(RestConnOptions *conn, const char *refresh_token,
			  RestNewToken *result, RestScanStats *stats)
{
	MemoryContext tmpcxt;
	MemoryContext oldcxt;

	/* an assertion of the jwt_bearer grant may name the client itself */
	if (conn->grant_type != REST_GRANT_JWT_BEARER || uses_client_assertion(conn))
		require_option(conn, conn->client_id, OPT_CLIENT_ID);

	/* everything but the results is freed (and zeroed) when this goes */
	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw token request",
								   ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);
	PG_TRY();
	{
		request_token_in(conn, refresh_token, result, stats, oldcxt);
	}
	PG_CATCH();
	{
		/* zero the secrets now, not when the caller's context goes */
		MemoryContextSwitchTo(oldcxt);
		MemoryContextDelete(tmpcxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
}

/* Is token_type one of the server's token_types (case-insensitive)? */
static bool
token_type_accepted(RestConnOptions *conn, const char *token_type)
{
	const char *p = conn->token_types;
	size_t		len = strlen(token_type);

	while (p != NULL && *p)
	{
		const char *end;
		const char *q;

		while (*p == ' ' || *p == ',')
			p++;
		for (end = p; *end && *end != ',' && *end != ' '; end++)
			;
		q = end;
		if ((size_t) (q - p) == len && len > 0 && pg_strncasecmp(p, token_type, len) == 0)
			return true;
		p = end;
	}
	return false;
}

/* Does the client authenticate with a JWT (RFC 7523 section 2.2)? */
static bool
uses_client_assertion(RestConnOptions *conn)
{
	return conn->client_auth == REST_CLIENT_AUTH_PRIVATE_KEY_JWT ||
		conn->client_auth == REST_CLIENT_AUTH_SECRET_JWT;
}

/* require_option, saying which feature needs the option */
static void
require_option_for(RestConnOptions *conn, const char *value,
				   const char *optname, const char *feature)
{
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("user mapping for server \"%s\" has no \"%s\" option",
						conn->servername, optname),
				 errdetail("%s needs it.", feature),
				 errhint("Add it with ALTER USER MAPPING FOR ... SERVER %s OPTIONS (ADD %s '...').",
						 rest_quote_ident(conn->servername), optname)));
}

/* A URL without its query string and fragment, as a JWT's audience */
static char *
url_without_query(const char *url)
{
	size_t		len = strcspn(url, "?#");

	return pnstrdup(url, len);
}

/*
 * The user mapping's private_key, split (jwt.c) into PEM text and, for a
 * Google service-account JSON key file, the defaults it gives; the PEM
 * text is wiped with wipe.  ERROR if there is none or it is malformed.
 */
static void
read_private_key(RestConnOptions *conn, const char *feature,
				 RestWipeList *wipe, RestJwtKeyText *key)
{
	const char *problem;

	require_option_for(conn, conn->private_key, OPT_PRIVATE_KEY, feature);
	problem = rest_jwt_split_key(conn->private_key, key);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\" of the user mapping for server \"%s\"",
						OPT_PRIVATE_KEY, conn->servername),
				 errdetail("%s", problem)));
	wipe_string_later(wipe, key->pem);
}

/*
 * The assertion of the jwt_bearer grant (RFC 7523 section 2.1), signed
 * with private_key: iss is jwt_issuer, else a JSON key file's
 * client_email, else client_id; sub is jwt_subject, else iss, except with
 * a JSON key file, where Google reads sub as a user to act for and it is
 * left out; aud is jwt_audience, else a JSON key file's token_uri, else
 * token_uri without its query.  The scope also goes into a "scope" claim,
 * where Google looks for it.  Wiped with wipe.
 */
static char *
jwt_bearer_assertion(RestConnOptions *conn, RestWipeList *wipe)
{
	RestJwtKeyText key;
	RestJwtAssertion a;
	char	   *jwt;

	read_private_key(conn, "Grant type \"jwt_bearer\"", wipe, &key);
	memset(&a, 0, sizeof(a));
	a.alg = conn->jwt_algorithm;
	a.pem = key.pem;
	a.kid = conn->jwt_key_id ? conn->jwt_key_id : key.key_id;
	a.x5t = conn->jwt_x5t;
	a.iss = conn->jwt_issuer ? conn->jwt_issuer
		: key.client_email ? key.client_email : conn->client_id;
	if (a.iss == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option",
						conn->servername, OPT_JWT_ISSUER),
				 errdetail("The assertion of grant type \"jwt_bearer\" names its issuer, and neither client_id nor a service-account key file gives one."),
				 errhint("Set jwt_issuer on the server or in the user mapping, for example to the client id the provider gave the application.")));
	a.sub = conn->jwt_subject ? conn->jwt_subject
		: key.from_json ? NULL : a.iss;
	a.aud = conn->jwt_audience ? conn->jwt_audience
		: key.token_uri ? key.token_uri : url_without_query(conn->token_uri);
	a.scope = (conn->scope && conn->scope[0] != '\0') ? conn->scope : NULL;
	a.lifetime = conn->jwt_lifetime;
	jwt = rest_jwt_sign(conn, &a, OPT_PRIVATE_KEY);
	wipe_string_later(wipe, jwt);
	return jwt;
}

/*
 * The client assertion of private_key_jwt (signed with private_key) or
 * client_secret_jwt (HS256 with client_secret), RFC 7523 section 2.2 and
 * OpenID Connect Core section 9: iss and sub are the client_id, aud is
 * the token endpoint's URL without its query (which OpenID Connect
 * providers accept at their other endpoints too); NULL with other
 * client_auth methods.  Wiped with wipe.
 */
static char *
client_assertion(RestConnOptions *conn, RestWipeList *wipe)
{
	RestJwtAssertion a;
	RestJwtKeyText key;
	char	   *jwt;

	if (!uses_client_assertion(conn))
		return NULL;
	memset(&a, 0, sizeof(a));
	if (conn->client_auth == REST_CLIENT_AUTH_PRIVATE_KEY_JWT)
	{
		read_private_key(conn, "Client authentication \"private_key_jwt\"",
						 wipe, &key);
		a.alg = conn->jwt_algorithm;
		a.pem = key.pem;
		a.kid = conn->jwt_key_id ? conn->jwt_key_id : key.key_id;
		a.x5t = conn->jwt_x5t;
	}
	else
	{
		require_option_for(conn, conn->client_secret, OPT_CLIENT_SECRET,
						   "Client authentication \"client_secret_jwt\"");
		a.alg = REST_JWT_HS256;
		a.secret = conn->client_secret;
	}
	a.iss = a.sub = conn->client_id;
	a.aud = url_without_query(conn->token_uri ? conn->token_uri
							  : conn->revocation_uri);
	a.lifetime = conn->jwt_lifetime;
	jwt = rest_jwt_sign(conn, &a, OPT_PRIVATE_KEY);
	wipe_string_later(wipe, jwt);
	return jwt;
}

/*
 * Client authentication at the token and revocation endpoints: HTTP Basic
 * by default, form fields in body with client_auth 'post', query
 * parameters of the endpoint's URL with client_auth 'url' (req->url and
 * req->display_url set already), a signed JWT (assertion, from
 * client_assertion) in form fields with private_key_jwt and
 * client_secret_jwt; a public client (no secret) only names itself, and
 * a jwt_bearer grant without client_id not even that.  Returns the Basic
 * credentials (wiped with wipe), or NULL.
 */
static char *
add_client_auth(RestConnOptions *conn, StringInfo body, RestWipeList *wipe,
				RestHttpRequest *req, const char *assertion)
{
	char	   *basic = NULL;

	if (assertion != NULL)
	{
		appendStringInfoString(body, "&client_id=");
		rest_append_urlencoded(body, conn->client_id);
		appendStringInfoString(body, "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=");
		rest_append_urlencoded(body, assertion);
		return NULL;
	}
	if (conn->client_id == NULL)
		return NULL;

	if (conn->client_auth == REST_CLIENT_AUTH_URL)
	{
		StringInfoData url;
		StringInfoData shown;
		char		sep = strchr(req->url, '?') ? '&' : '?';

		/* a secret in a URL: wiped, and shown as *** */
		initStringInfo(&url);
		enlargeStringInfo(&url, (int) (strlen(req->url) + 64 +
									   3 * (strlen(conn->client_id) +
											(conn->client_secret ? strlen(conn->client_secret) : 0))));
		wipe_later(wipe, url.data, url.maxlen);
		appendStringInfo(&url, "%s%cclient_id=", req->url, sep);
		rest_append_urlencoded(&url, conn->client_id);
		initStringInfo(&shown);
		appendStringInfo(&shown, "%s%cclient_id=", req->display_url, sep);
		rest_append_urlencoded(&shown, conn->client_id);
		if (conn->client_secret != NULL)
		{
			appendStringInfoString(&url, "&client_secret=");
			rest_append_urlencoded(&url, conn->client_secret);
			appendStringInfoString(&shown, "&client_secret=***");
		}
		req->url = url.data;
		req->display_url = shown.data;
		return NULL;
	}
	if (conn->client_secret != NULL &&
		conn->client_auth == REST_CLIENT_AUTH_BASIC)
	{
		char	   *header;

		basic = basic_credentials(conn->client_id, conn->client_secret, true);
		wipe_string_later(wipe, basic);
		header = psprintf("Authorization: Basic %s", basic);
		wipe_string_later(wipe, header);
		req->headers = lappend(req->headers, header);
	}
	else
	{
		appendStringInfoString(body, "&client_id=");
		rest_append_urlencoded(body, conn->client_id);
		if (conn->client_secret != NULL)
		{
			appendStringInfoString(body, "&client_secret=");
			rest_append_urlencoded(body, conn->client_secret);
		}
	}
	return basic;
}

/*
 * The token request for conn in *req, with refresh_token for the
 * refresh_token grant: a form body, client authentication, and the
 * secrets the endpoint may echo in req->secrets.  Every buffer holding a
 * secret is registered with wipe; everything is allocated in the current
 * memory context.
 */
static void
build_token_request(RestConnOptions *conn, const char *refresh_token,
					RestWipeList *wipe, RestHttpRequest *req)
{
	StringInfoData body;
	const char *grant;
	char	   *basic = NULL;
	char	   *assertion = NULL;
	char	   *client_jwt;
	List	   *hide = NIL;
	size_t		need;

	/*
	 * The body holds the client secret and the refresh token: size it so
	 * that it is never reallocated (which would leave a copy behind), and
	 * have it zeroed whatever happens.
	 */
	if (conn->grant_type == REST_GRANT_PASSWORD)
	{
		require_option(conn, conn->user, OPT_USER);
		require_option(conn, conn->password, OPT_PASSWORD);
	}
	if (conn->grant_type == REST_GRANT_JWT_BEARER)
		assertion = jwt_bearer_assertion(conn, wipe);
	client_jwt = client_assertion(conn, wipe);
	need = 256 + 3 * ((conn->client_id ? strlen(conn->client_id) : 0) +
					  (assertion ? strlen(assertion) : 0) +
					  (client_jwt ? strlen(client_jwt) : 0) +
					  (refresh_token ? strlen(refresh_token) : 0) +
					  (conn->user ? strlen(conn->user) : 0) +
					  (conn->password ? strlen(conn->password) : 0) +
					  (conn->scope ? strlen(conn->scope) : 0) +
					  (conn->client_secret ? strlen(conn->client_secret) : 0));
	initStringInfo(&body);
	enlargeStringInfo(&body, (int) need);
	wipe_later(wipe, body.data, body.maxlen);

	if (conn->grant_type == REST_GRANT_CLIENT_CREDENTIALS)
	{
		grant = "client_credentials";
		appendStringInfoString(&body, "grant_type=client_credentials");
	}
	else if (conn->grant_type == REST_GRANT_PASSWORD)
	{
		/* RFC 6749 section 4.3.2 */
		grant = "password";
		appendStringInfoString(&body, "grant_type=password&username=");
		rest_append_urlencoded(&body, conn->user);
		appendStringInfoString(&body, "&password=");
		rest_append_urlencoded(&body, conn->password);
	}
	else if (conn->grant_type == REST_GRANT_JWT_BEARER)
	{
		/* RFC 7523 section 2.1 */
		grant = "jwt_bearer";
		appendStringInfoString(&body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=");
		rest_append_urlencoded(&body, assertion);
	}
	else
	{
		grant = "refresh_token";
		appendStringInfoString(&body, "grant_type=refresh_token&refresh_token=");
		rest_append_urlencoded(&body, refresh_token);
	}
	if (conn->scope && conn->scope[0] != '\0')
	{
		appendStringInfoString(&body, "&scope=");
		rest_append_urlencoded(&body, conn->scope);
	}

	memset(req, 0, sizeof(RestHttpRequest));
	req->method = "POST";
	req->url = conn->token_uri;
	req->display_url = rest_mask_url(conn->token_uri);
	req->note = psprintf("grant_type %s", grant);
	req->headers = list_make2("Accept: application/json",
							  "Content-Type: application/x-www-form-urlencoded");
	req->max_size = REST_MAX_TOKEN_RESPONSE_SIZE;

	basic = add_client_auth(conn, &body, wipe, req, client_jwt);
	Assert(body.len < (int) need);
	req->body = body.data;
	req->body_len = body.len;

	/* what the endpoint may echo: never shown */
	add_secret(&hide, assertion);
	add_secret(&hide, client_jwt);
	add_secret(&hide, conn->private_key);
	add_secret(&hide, conn->client_secret);
	add_secret(&hide, refresh_token);
	add_secret(&hide, conn->refresh_token);
	add_secret(&hide, conn->password);
	add_secret(&hide, basic);
	req->secrets = hide;
}

/*
 * Fail a token request whose answer is not a token: a status other than
 * 200, or an RFC 6749 error.  What it says is shown only as far as it
 * cannot be a secret (hide); the error code decides SQLSTATE and hint.
 */
static void
report_token_error(RestConnOptions *conn, RestHttpResponse *resp,
				   RestTokenResponse *tr, List *hide)
{
	const char *hint = NULL;
	int			code = ERRCODE_FDW_ERROR;

	if (tr->error == NULL &&
		(tr->has_token_fields ||
		 rest_mentions_token_fields(resp->body, resp->body_len)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not obtain an OAuth 2.0 access token for server \"%s\"",
						conn->servername),
				 errdetail("The token endpoint answered HTTP status %ld with a body that holds token fields, which is not shown.",
						   resp->status),
				 resp->status >= 200 && resp->status < 300
				 ? errhint("A token endpoint must answer a successful token request with HTTP status 200 (RFC 6749 section 5.1).")
				 : 0));
	if (tr->error == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not obtain an OAuth 2.0 access token for server \"%s\"",
						conn->servername),
				 errdetail("The token endpoint answered HTTP status %ld: %s",
						   resp->status,
						   rest_shorten_scrubbed(resp->body, resp->body_len,
												 200, hide))));

	if (strcmp(tr->error, "invalid_grant") == 0)
	{
		code = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
		hint = conn->grant_type == REST_GRANT_REFRESH_TOKEN
			? "Obtain a new refresh token and set it with ALTER USER MAPPING."
			: conn->grant_type == REST_GRANT_PASSWORD
			? "Check the user and password options of the user mapping."
			: conn->grant_type == REST_GRANT_JWT_BEARER
			? "The token endpoint refused the assertion: check that it trusts the key in private_key, and the options jwt_issuer, jwt_subject, jwt_audience and jwt_key_id."
			: "Check the client credentials in the user mapping.";
	}
	else if (strcmp(tr->error, "invalid_client") == 0)
	{
		code = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
		hint = conn->client_auth == REST_CLIENT_AUTH_PRIVATE_KEY_JWT
			? "Check client_id and private_key in the user mapping (the provider must know the key's public half, by jwt_key_id if it has several), and the client_auth option of the server."
			: "Check client_id and client_secret in the user mapping, and the client_auth option of the server.";
	}
	else if (strcmp(tr->error, "unauthorized_client") == 0 ||
			 strcmp(tr->error, "unsupported_grant_type") == 0)
	{
		code = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
		hint = "Check the grant_type option of the server: the client may not use this grant.";
	}
	else if (strcmp(tr->error, "invalid_scope") == 0)
		hint = "Check the scope option of the server.";

	ereport(ERROR,
			(errcode(code),
			 errmsg("could not obtain an OAuth 2.0 access token for server \"%s\"",
					conn->servername),
			 tr->error_description
			 ? errdetail("The token endpoint answered HTTP status %ld with error \"%s\": %s",
						 resp->status,
						 rest_shorten_scrubbed(tr->error, strlen(tr->error),
											   100, hide),
						 rest_shorten_scrubbed(tr->error_description,
											   strlen(tr->error_description),
											   300, hide))
			 : errdetail("The token endpoint answered HTTP status %ld with error \"%s\".",
						 resp->status,
						 rest_shorten_scrubbed(tr->error, strlen(tr->error),
											   100, hide)),
			 hint ? errhint("%s", hint) : 0));
}

/* Fail a token request because the token endpoint's answer is unusable */
static void
token_response_error(RestConnOptions *conn, int code, const char *detail)
{
	ereport(ERROR,
			(errcode(code),
			 errmsg("invalid token response from server \"%s\"", conn->servername),
			 errdetail("%s", detail)));
}

/*
 * Check the token of a successful token response: present, a bearer token
 * that can go into a header as it is, and not too long; an expires_in
 * that can be read.  The token is never quoted.
 */
static void
check_new_token(RestConnOptions *conn, RestTokenResponse *tr, List *hide)
{
	if (!tr->is_object || tr->access_token == NULL || tr->access_token[0] == '\0')
		token_response_error(conn, ERRCODE_FDW_ERROR,
							 tr->is_object
							 ? "The response has no \"access_token\" string."
							 : "The response is not a JSON object.");

	/*
	 * The token goes into an Authorization header as it is: a CR, LF or
	 * other character outside RFC 6750's b64token could add header lines
	 * or requests.
	 */
	if (strlen(tr->access_token) > REST_MAX_TOKEN_SIZE)
		token_response_error(conn, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
							 psprintf("The access token is longer than %d bytes.",
									  REST_MAX_TOKEN_SIZE));
	if (!rest_valid_b64token(tr->access_token))
		token_response_error(conn, ERRCODE_FDW_ERROR,
							 "The access token contains characters that a bearer token may not contain; RFC 6750 allows letters, digits, \"-._~+/\" and trailing \"=\" signs.");
	if (tr->refresh_token && strlen(tr->refresh_token) > REST_MAX_TOKEN_SIZE)
		token_response_error(conn, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
							 psprintf("The refresh token is longer than %d bytes.",
									  REST_MAX_TOKEN_SIZE));

	/*
	 * Only bearer tokens can be sent; no token_type is taken for Bearer, and
	 * the types of token_types are sent as bearer tokens too.
	 */
	if (tr->token_type != NULL && pg_strcasecmp(tr->token_type, "bearer") != 0 &&
		!token_type_accepted(conn, tr->token_type))
		token_response_error(conn, ERRCODE_FDW_ERROR,
							 psprintf("The token type is \"%s\"; only \"Bearer\" and the types of the server's token_types option (sent as bearer tokens) are accepted.",
									  rest_shorten_scrubbed(tr->token_type,
															strlen(tr->token_type),
															50, hide)));
	if (tr->bad_expires_in)
		token_response_error(conn, ERRCODE_FDW_ERROR,
							 "\"expires_in\" is not a non-negative number of seconds.");
}

/*
 * The work of request_token, in its memory context (the current one),
 * which is zeroed when deleted; results are copied to resultcxt.  Errors
 * about the answer name the request as http.c's do: "POST <token_uri>
 * (grant_type <grant>)".
 */
static void
request_token_in(RestConnOptions *conn, const char *refresh_token,
				 RestNewToken *result, RestScanStats *stats,
				 MemoryContext resultcxt)
{
	RestWipeList *wipe = wipe_on_reset(CurrentMemoryContext);
	RestHttpRequest req;
	RestHttpResponse resp;
	RestTokenResponse tr;
	RestRequestContext errctx;
	List	   *hide;

	build_token_request(conn, refresh_token, wipe, &req);
	hide = req.secrets;

	rest_http_perform(conn, &req, &resp);
	wipe_later(wipe, resp.body, resp.body_len);
	if (stats)
	{
		stats->token_requests += 1 + resp.retries;
		stats->retries += resp.retries;
	}

	rest_push_request_context(&errctx, req.method, req.display_url, req.note);
	rest_parse_token_response(resp.body, resp.body_len, &tr);
	wipe_string_later(wipe, tr.access_token);
	wipe_string_later(wipe, tr.refresh_token);
	wipe_string_later(wipe, tr.id_token);

	/* nor the tokens of the answer, if there are any */
	add_secret(&hide, tr.access_token);
	add_secret(&hide, tr.refresh_token);
	add_secret(&hide, tr.id_token);

	/*
	 * RFC 6749 section 5.1 allows only status 200 for a token: any other
	 * answer is an error.
	 */
	if (resp.status != 200 || tr.error != NULL)
		report_token_error(conn, &resp, &tr, hide);
	check_new_token(conn, &tr, hide);
	rest_pop_request_context(&errctx);

	/* success: copy the results out */
	result->access_token = MemoryContextStrdup(resultcxt, tr.access_token);
	result->refresh_token = (tr.refresh_token && tr.refresh_token[0] != '\0')
		? MemoryContextStrdup(resultcxt, tr.refresh_token) : NULL;
	result->has_expires_in = tr.has_expires_in;
	result->expires_in = tr.expires_in;
}

/*
 * Revoke token (a refresh token when is_refresh, else an access token) at
 * the server's revocation endpoint (RFC 7009), authenticating the client
 * as at the token endpoint.  An ERROR unless the endpoint answers 200
 * (which it does for a token it does not know as well).  Nothing of the
 * request or the answer that may be a secret is shown.
 */
void
rest_auth_revoke(RestConnOptions *conn, const char *token, bool is_refresh)
{
	MemoryContext tmpcxt;
	MemoryContext oldcxt;
	RestWipeList *wipe;
	StringInfoData body;
	RestHttpRequest req;
	RestHttpResponse resp;
	RestRequestContext errctx;
	char	   *basic;
	char	   *client_jwt;
	List	   *hide = NIL;
	size_t		need;

	if (conn->revocation_uri == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option",
						conn->servername, OPT_REVOCATION_URI),
				 errhint("Set revocation_uri to the provider's token revocation endpoint (RFC 7009), or forget the tokens without revoking them.")));
	require_option(conn, conn->client_id, OPT_CLIENT_ID);

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw token revocation",
								   ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);
	wipe = wipe_on_reset(tmpcxt);

	/* sized never to be reallocated, as the token request's */
	client_jwt = client_assertion(conn, wipe);
	need = 256 + 3 * (strlen(token) + strlen(conn->client_id) +
					  (client_jwt ? strlen(client_jwt) : 0) +
					  (conn->client_secret ? strlen(conn->client_secret) : 0));
	initStringInfo(&body);
	enlargeStringInfo(&body, (int) need);
	wipe_later(wipe, body.data, body.maxlen);
	appendStringInfoString(&body, "token=");
	rest_append_urlencoded(&body, token);
	appendStringInfoString(&body, is_refresh ? "&token_type_hint=refresh_token"
						   : "&token_type_hint=access_token");

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = conn->revocation_uri;
	req.display_url = rest_mask_url(conn->revocation_uri);
	req.note = pstrdup("token revocation");
	req.headers = list_make2("Accept: application/json",
							 "Content-Type: application/x-www-form-urlencoded");
	req.max_size = REST_MAX_TOKEN_RESPONSE_SIZE;
	basic = add_client_auth(conn, &body, wipe, &req, client_jwt);
	Assert(body.len < (int) need);
	req.body = body.data;
	req.body_len = body.len;
	add_secret(&hide, client_jwt);
	add_secret(&hide, conn->private_key);
	add_secret(&hide, conn->client_secret);
	add_secret(&hide, token);
	add_secret(&hide, conn->refresh_token);
	add_secret(&hide, basic);
	req.secrets = hide;

	rest_http_perform(conn, &req, &resp);
	wipe_later(wipe, resp.body, resp.body_len);
	rest_push_request_context(&errctx, req.method, req.display_url, req.note);
	if (resp.status != 200)
		ereport(ERROR,
				(errcode(resp.status == 401 ? ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION
						 : ERRCODE_FDW_ERROR),
				 errmsg("could not revoke the OAuth 2.0 %s token of server \"%s\"",
						is_refresh ? "refresh" : "access", conn->servername),
				 errdetail("The revocation endpoint answered HTTP status %ld: %s",
						   resp.status,
						   rest_shorten_scrubbed(resp.body, resp.body_len, 200, hide)),
				 errhint("The stored tokens were kept; check revocation_uri and the client credentials, then try again.")));
	rest_pop_request_context(&errctx);

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
}

/* ---------------------------------------------------------------------
 * Requests of the login flows (login.c)
 *
 * The device authorization grant (RFC 8628) and the authorization code
 * grant with PKCE (RFC 7636) talk to the same endpoints with the same
 * client authentication as the grants above; these functions lend them
 * the request building, the secret wiping and the RFC 6749 error
 * reporting of this file.
 * ---------------------------------------------------------------------
 */

/* The wipe list of rest_auth_post_form's callers: see wipe_on_reset */
struct RestWipeList *
rest_wipe_on_reset(MemoryContext cxt)
{
	return wipe_on_reset(cxt);
}

/* wipe_string_later for the login flows */
void
rest_wipe_string_later(struct RestWipeList *wipe, char *s)
{
	wipe_string_later(wipe, s);
}

/*
 * POST form (a form-encoded body without client authentication, which the
 * caller wipes) to url with the client authentication that the token
 * endpoint gets, and return the answer in *resp.  note names the request
 * in error contexts.  hide lists the secrets of form; the client's
 * credentials are added to it, and the result, for messages quoting the
 * answer, is returned in *secrets.  Every buffer holding a secret is
 * registered with wipe (of the current memory context, in which
 * everything is allocated).
 */
void
rest_auth_post_form(RestConnOptions *conn, const char *url, const char *note,
					const char *form, List *hide, struct RestWipeList *wipe,
					RestHttpResponse *resp, List **secrets)
{
	StringInfoData body;
	RestHttpRequest req;
	char	   *basic;
	char	   *client_jwt;
	size_t		need;

	require_option(conn, conn->client_id, OPT_CLIENT_ID);
	client_jwt = client_assertion(conn, wipe);
	need = 128 + strlen(form) +
		3 * (strlen(conn->client_id) +
			 (client_jwt ? strlen(client_jwt) : 0) +
			 (conn->client_secret ? strlen(conn->client_secret) : 0));
	initStringInfo(&body);
	enlargeStringInfo(&body, (int) need);
	wipe_later(wipe, body.data, body.maxlen);
	appendStringInfoString(&body, form);

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.display_url = rest_mask_url(url);
	req.note = note;
	req.headers = list_make2("Accept: application/json",
							 "Content-Type: application/x-www-form-urlencoded");
	req.max_size = REST_MAX_TOKEN_RESPONSE_SIZE;
	basic = add_client_auth(conn, &body, wipe, &req, client_jwt);
	Assert(body.len < (int) need);
	/* an empty form followed by the client's fields */
	if (body.data[0] == '&')
	{
		memmove(body.data, body.data + 1, body.len);
		body.len--;
	}
	req.body = body.data;
	req.body_len = body.len;
	add_secret(&hide, conn->client_secret);
	add_secret(&hide, conn->refresh_token);
	add_secret(&hide, conn->private_key);
	add_secret(&hide, client_jwt);
	add_secret(&hide, basic);
	req.secrets = hide;

	rest_http_perform(conn, &req, resp);
	wipe_later(wipe, resp->body, resp->body_len);
	*secrets = hide;
}

/* report_token_error for the login flows */
void
rest_auth_token_error(RestConnOptions *conn, RestHttpResponse *resp,
					  RestTokenResponse *tr, List *hide)
{
	report_token_error(conn, resp, tr, hide);
}

/* check_new_token for the login flows */
void
rest_auth_check_token(RestConnOptions *conn, RestTokenResponse *tr,
					  List *hide)
{
	check_new_token(conn, tr, hide);
}
