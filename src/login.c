/*-------------------------------------------------------------------------
 *
 * login.c
 *		  Getting the first refresh token from psql: the device
 *		  authorization grant (RFC 8628) and the authorization code grant
 *		  with PKCE (RFC 7636).
 *
 * rest_fdw_login() asks the server's device_authorization_uri for a user
 * code, shows it with the verification URI, and polls the token endpoint
 * until the user has approved it in a browser; rest_fdw_authorize_url()
 * and rest_fdw_authorize_finish() do the same with the authorization
 * endpoint, for providers without the device flow: the user opens the URL,
 * logs in, and pastes the redirect URL back.
 *
 * Either way the refresh token obtained becomes the refresh_token option
 * of the calling user's own user mapping, through AlterUserMapping() or
 * CreateUserMapping(), with exactly the privilege checks of ALTER and
 * CREATE USER MAPPING (never through SQL text, which error contexts and
 * logs could show).  A new seed starts a new grant in the token store: the
 * next scan refreshes it.
 *
 * What a flow has to remember between calls (the device code; the state
 * and code verifier) is kept in this backend's memory only, per server
 * and user, and zeroed when dropped.  The user code and the verification
 * URI are shown; the device code, the code verifier, the authorization
 * code, the tokens and the client secret never are.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_foreign_server.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"

#include "rest_fdw.h"

PG_FUNCTION_INFO_V1(rest_fdw_login);
PG_FUNCTION_INFO_V1(rest_fdw_authorize_url);
PG_FUNCTION_INFO_V1(rest_fdw_authorize_finish);

#define DEVICE_GRANT_TYPE	"urn:ietf:params:oauth:grant-type:device_code"
#define DEFAULT_INTERVAL	5	/* seconds between polls (RFC 8628 3.2) */
#define SLOW_DOWN_STEP		5	/* seconds added by slow_down (3.5) */
#define MAX_INTERVAL		300
#define DEFAULT_EXPIRES_IN	900
#define MAX_SHOWN_LEN		2048	/* user code, verification URIs */
#define VERIFIER_BYTES		32	/* 43 characters of base64url */
#define STATE_BYTES			24

#define LOGIN_COLS			6
#define FINISH_COLS			2

typedef enum LoginKind
{
	LOGIN_DEVICE,
	LOGIN_CODE
} LoginKind;

/*
 * A flow waiting for the user, in LoginContext.  The secrets (device_code,
 * verifier) are zeroed when it is dropped.
 */
typedef struct PendingLogin
{
	Oid			serverid;
	Oid			userid;
	LoginKind	kind;
	/* device flow */
	char	   *device_code;	/* secret */
	char	   *user_code;
	char	   *verification_uri;
	char	   *verification_uri_complete;	/* or NULL */
	TimestampTz expires_at;
	int			interval;		/* seconds */
	TimestampTz next_poll;
	/* authorization code flow */
	char	   *state;
	char	   *verifier;		/* secret */
	char	   *redirect_uri;
} PendingLogin;

static MemoryContext LoginContext = NULL;
static List *Pending = NIL;		/* of PendingLogin */

/* ---------------------------------------------------------------------
 * Pending flows
 * ---------------------------------------------------------------------
 */

static PendingLogin *
find_pending(Oid serverid, LoginKind kind)
{
	ListCell   *lc;

	foreach(lc, Pending)
	{
		PendingLogin *p = lfirst(lc);

		if (p->serverid == serverid && p->userid == GetUserId() &&
			p->kind == kind)
			return p;
	}
	return NULL;
}

static void
free_string(char *s, bool secret)
{
	if (s == NULL)
		return;
	if (secret)
		explicit_bzero(s, strlen(s));
	pfree(s);
}

/* Drop a pending flow, zeroing its secrets */
static void
drop_pending(PendingLogin *p)
{
	if (p == NULL)
		return;
	Pending = list_delete_ptr(Pending, p);
	free_string(p->device_code, true);
	free_string(p->verifier, true);
	free_string(p->user_code, false);
	free_string(p->verification_uri, false);
	free_string(p->verification_uri_complete, false);
	free_string(p->state, false);
	free_string(p->redirect_uri, false);
	pfree(p);
}

/* A new pending flow of the current user, replacing an older one */
static PendingLogin *
new_pending(Oid serverid, LoginKind kind)
{
	PendingLogin *p;
	MemoryContext oldcxt;

	if (LoginContext == NULL)
		LoginContext = AllocSetContextCreate(TopMemoryContext,
											 "rest_fdw logins",
											 ALLOCSET_SMALL_SIZES);
	drop_pending(find_pending(serverid, kind));
	p = MemoryContextAllocZero(LoginContext, sizeof(PendingLogin));
	p->serverid = serverid;
	p->userid = GetUserId();
	p->kind = kind;
	oldcxt = MemoryContextSwitchTo(LoginContext);
	Pending = lappend(Pending, p);
	MemoryContextSwitchTo(oldcxt);
	return p;
}

/* ---------------------------------------------------------------------
 * Common checks and the result
 * ---------------------------------------------------------------------
 */

/*
 * The server named by argument argno, which must be a rest_fdw server the
 * current user has USAGE on (as for ALTER and CREATE USER MAPPING of their
 * own).
 */
static ForeignServer *
login_server(FunctionCallInfo fcinfo, int argno)
{
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	char	   *handler;
	AclResult	aclresult;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("server name must not be null")));
	server = GetForeignServerByName(text_to_cstring(PG_GETARG_TEXT_PP(argno)),
									false);
	fdw = GetForeignDataWrapper(server->fdwid);
	handler = OidIsValid(fdw->fdwhandler) ? get_func_name(fdw->fdwhandler) : NULL;
	if (handler == NULL || strcmp(handler, "rest_fdw_handler") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" does not use rest_fdw", server->servername)));
	aclresult = rest_foreign_server_aclcheck(server->serverid, GetUserId(),
											 ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);
	return server;
}

/* Does the current user have a user mapping of their own for server? */
static bool
has_own_mapping(ForeignServer *server)
{
	return SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								 ObjectIdGetDatum(GetUserId()),
								 ObjectIdGetDatum(server->serverid));
}

/*
 * The connection options of a login: the server's, and the current user's
 * own user mapping if there is one.  Not a PUBLIC mapping: the refresh
 * token goes into the user's own mapping, which must then work with the
 * client credentials the login used.
 */
static RestConnOptions *
login_conn(ForeignServer *server)
{
	RestConnOptions *conn;

	conn = rest_get_conn_options(server->serverid, GetUserId(),
								 has_own_mapping(server));
	if (conn->auth_method != REST_AUTH_OAUTH2 ||
		conn->grant_type != REST_GRANT_REFRESH_TOKEN)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("server \"%s\" does not use OAuth 2.0 refresh tokens",
						server->servername),
				 errdetail("A login obtains a refresh token, which only authentication method \"oauth2\" with grant_type \"refresh_token\" uses."),
				 errhint("Set authentication_method 'oauth2' on server %s, with grant_type 'refresh_token' (the default).",
						 rest_quote_ident(server->servername))));
	if (conn->token_uri == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option",
						server->servername, OPT_TOKEN_URI),
				 errdetail("A login exchanges what the user approved for tokens at the token endpoint."),
				 errhint("Set it with ALTER SERVER %s OPTIONS (ADD %s '...').",
						 rest_quote_ident(server->servername), OPT_TOKEN_URI)));
	if (conn->client_id == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option",
						server->servername, OPT_CLIENT_ID),
				 errdetail("A login needs the OAuth 2.0 client it is for."),
				 errhint("Set client_id on the server, or create your user mapping with client_id (and client_secret) first.")));
	return conn;
}

/* A server option a flow needs, with a hint that names an example */
static void
require_login_option(RestConnOptions *conn, const char *value,
					 const char *optname, const char *what,
					 const char *example)
{
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option",
						conn->servername, optname),
				 errdetail("%s", what),
				 errhint("Set it with ALTER SERVER %s OPTIONS (ADD %s '%s').",
						 rest_quote_ident(conn->servername), optname, example)));
}

/*
 * Make refresh_token the refresh_token option of the current user's own
 * user mapping for server: SET or ADD it with AlterUserMapping(), or
 * create the mapping with CreateUserMapping().  Both check privileges as
 * ALTER and CREATE USER MAPPING do, and call the validator.  Returns
 * "updated" or "created".
 */
static const char *
store_refresh_token(ForeignServer *server, const char *refresh_token)
{
	RoleSpec   *role = makeNode(RoleSpec);
	char	   *copy = pstrdup(refresh_token);
	const char *done;

	role->roletype = ROLESPEC_CURRENT_USER;
	role->rolename = NULL;
	role->location = -1;

	if (has_own_mapping(server))
	{
		AlterUserMappingStmt *stmt = makeNode(AlterUserMappingStmt);
		UserMapping *um = GetUserMapping(GetUserId(), server->serverid);
		bool		has = false;
		ListCell   *lc;

		foreach(lc, um->options)
		{
			if (strcmp(((DefElem *) lfirst(lc))->defname, OPT_REFRESH_TOKEN) == 0)
				has = true;
		}
		stmt->user = role;
		stmt->servername = pstrdup(server->servername);
		stmt->options = list_make1(makeDefElemExtended(NULL, OPT_REFRESH_TOKEN,
													   (Node *) makeString(copy),
													   has ? DEFELEM_SET : DEFELEM_ADD,
													   -1));
		AlterUserMapping(stmt);
		done = "updated";
	}
	else
	{
		CreateUserMappingStmt *stmt = makeNode(CreateUserMappingStmt);

		stmt->user = role;
		stmt->servername = pstrdup(server->servername);
		stmt->if_not_exists = false;
		stmt->options = list_make1(makeDefElem(OPT_REFRESH_TOKEN,
											   (Node *) makeString(copy), -1));
		CreateUserMapping(stmt);
		done = "created";
	}
	CommandCounterIncrement();
	explicit_bzero(copy, strlen(copy));
	return done;
}

/*
 * The tokens of a successful token response: checked as a refresh's are,
 * and a refresh token required.  Returns a copy of the refresh token in
 * resultcxt.
 */
static char *
take_refresh_token(RestConnOptions *conn, RestTokenResponse *tr, List *hide,
				   MemoryContext resultcxt)
{
	rest_auth_check_token(conn, tr, hide);
	if (tr->refresh_token == NULL || tr->refresh_token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("the token endpoint of server \"%s\" issued no refresh token",
						conn->servername),
				 errdetail("The login succeeded, but without a refresh token rest_fdw cannot obtain access tokens later."),
				 errhint("Most providers issue one only for the scope \"offline_access\" (or an option like Google's access_type=offline): add it to the scope option of the server and log in again.")));
	return MemoryContextStrdup(resultcxt, tr->refresh_token);
}

/* Zero the secrets of a parsed token response before its context goes */
static void
wipe_token_response(struct RestWipeList *wipe, RestTokenResponse *tr,
					List **hide)
{
	rest_wipe_string_later(wipe, tr->access_token);
	rest_wipe_string_later(wipe, tr->refresh_token);
	rest_wipe_string_later(wipe, tr->id_token);
	if (tr->access_token && tr->access_token[0])
		*hide = lappend(*hide, tr->access_token);
	if (tr->refresh_token && tr->refresh_token[0])
		*hide = lappend(*hide, tr->refresh_token);
	if (tr->id_token && tr->id_token[0])
		*hide = lappend(*hide, tr->id_token);
}

/* The RFC 6749 error of an answer, in DETAIL: shortened and scrubbed */
static int
error_detail(RestHttpResponse *resp, RestTokenResponse *tr, List *hide)
{
	if (tr->error_description)
		return errdetail("The endpoint answered HTTP status %ld with error \"%s\": %s",
						 resp->status,
						 rest_shorten_scrubbed(tr->error, strlen(tr->error),
											   100, hide),
						 rest_shorten_scrubbed(tr->error_description,
											   strlen(tr->error_description),
											   300, hide));
	return errdetail("The endpoint answered HTTP status %ld with error \"%s\".",
					 resp->status,
					 rest_shorten_scrubbed(tr->error, strlen(tr->error),
										   100, hide));
}

/* A string shown to the user: no control characters, not too long */
static bool
showable(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= MAX_SHOWN_LEN &&
		!rest_has_control_chars(s);
}

/* ---------------------------------------------------------------------
 * Device authorization grant (RFC 8628)
 * ---------------------------------------------------------------------
 */

/*
 * Ask the device authorization endpoint for a user code (RFC 8628 section
 * 3.1), with the client authentication of the token endpoint and the
 * server's scope, and keep the answer as the user's pending device flow.
 */
static PendingLogin *
start_device_flow(RestConnOptions *conn)
{
	MemoryContext tmpcxt;
	MemoryContext oldcxt;
	struct RestWipeList *wipe;
	StringInfoData form;
	RestHttpResponse resp;
	RestRequestContext errctx;
	List	   *hide = NIL;
	RestDeviceResponse dr;
	PendingLogin *p;
	char	   *display_url;
	int			expires_in;

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw device login",
								   ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);
	wipe = rest_wipe_on_reset(tmpcxt);

	initStringInfo(&form);
	if (conn->scope && conn->scope[0] != '\0')
	{
		appendStringInfoString(&form, "scope=");
		rest_append_urlencoded(&form, conn->scope);
	}
	rest_auth_post_form(conn, conn->device_authorization_uri,
						"device authorization", form.data, NIL, wipe,
						&resp, &hide);
	display_url = rest_mask_url(conn->device_authorization_uri);
	rest_push_request_context(&errctx, "POST", display_url,
							  "device authorization");

	rest_parse_device_response(resp.body, resp.body_len, &dr);
	rest_wipe_string_later(wipe, dr.device_code);
	if (resp.status != 200 || !dr.is_object || dr.error != NULL)
	{
		RestTokenResponse tr;

		rest_parse_token_response(resp.body, resp.body_len, &tr);
		if (tr.error != NULL)
			ereport(ERROR,
					(errcode(strcmp(tr.error, "invalid_client") == 0 ||
							 strcmp(tr.error, "unauthorized_client") == 0
							 ? ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION
							 : ERRCODE_FDW_ERROR),
					 errmsg("could not start the device login of server \"%s\"",
							conn->servername),
					 error_detail(&resp, &tr, hide),
					 strcmp(tr.error, "invalid_client") == 0
					 ? errhint("Check client_id and client_secret in the user mapping, and the client_auth option of the server.")
					 : strcmp(tr.error, "invalid_scope") == 0
					 ? errhint("Check the scope option of the server.")
					 : strcmp(tr.error, "unauthorized_client") == 0
					 ? errhint("The client may not use the device flow; register it for the device authorization grant, or use rest_fdw_authorize_url().")
					 : 0));
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not start the device login of server \"%s\"",
						conn->servername),
				 errdetail("The device authorization endpoint answered HTTP status %ld: %s",
						   resp.status,
						   rest_shorten_scrubbed(resp.body, resp.body_len, 200, hide))));
	}

	if (dr.device_code == NULL || dr.device_code[0] == '\0' ||
		strlen(dr.device_code) > REST_MAX_TOKEN_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid device authorization response from server \"%s\"",
						conn->servername),
				 errdetail("The response has no usable \"device_code\" string.")));
	if (!showable(dr.user_code) || !showable(dr.verification_uri))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid device authorization response from server \"%s\"",
						conn->servername),
				 errdetail("The response has no usable \"user_code\" and \"verification_uri\" strings.")));

	p = new_pending(conn->serverid, LOGIN_DEVICE);
	p->device_code = MemoryContextStrdup(LoginContext, dr.device_code);
	p->user_code = MemoryContextStrdup(LoginContext, dr.user_code);
	p->verification_uri = MemoryContextStrdup(LoginContext, dr.verification_uri);
	if (showable(dr.verification_uri_complete))
		p->verification_uri_complete =
			MemoryContextStrdup(LoginContext, dr.verification_uri_complete);
	expires_in = dr.expires_in > 0 ? (int) Min(dr.expires_in, (int64) 24 * 3600)
		: DEFAULT_EXPIRES_IN;
	p->interval = dr.interval > 0 ? (int) Min(dr.interval, (int64) MAX_INTERVAL)
		: DEFAULT_INTERVAL;
	p->expires_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												(int64) expires_in * 1000);
	p->next_poll = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											   (int64) p->interval * 1000);
	rest_pop_request_context(&errctx);

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
	return p;
}

/* Sleep until t, interruptibly: a cancel or statement_timeout ends it */
static void
wait_until(TimestampTz t)
{
	for (;;)
	{
		TimestampTz now;
		long		ms;

		CHECK_FOR_INTERRUPTS();
		now = GetCurrentTimestamp();
		if (now >= t)
			return;
		ms = TimestampDifferenceMilliseconds(now, t);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(ms, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* What one poll of the token endpoint found */
typedef enum PollResult
{
	POLL_PENDING,
	POLL_SLOW_DOWN,
	POLL_DONE
} PollResult;

/*
 * Ask the token endpoint once whether the user approved the device code
 * (RFC 8628 section 3.4).  On approval, the refresh token is returned in
 * *refresh_token (palloc'd in resultcxt).  A denial, an expired code and
 * every other error are ERRORs; the pending flow is dropped for those
 * that end it.
 */
static PollResult
poll_device_flow(RestConnOptions *conn, PendingLogin *p, char **refresh_token,
				 MemoryContext resultcxt)
{
	MemoryContext tmpcxt;
	MemoryContext oldcxt;
	struct RestWipeList *wipe;
	StringInfoData form;
	RestHttpResponse resp;
	RestTokenResponse tr;
	RestRequestContext errctx;
	List	   *hide = NIL;
	PollResult	result = POLL_DONE;
	char	   *device_code;

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw device poll",
								   ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);
	wipe = rest_wipe_on_reset(tmpcxt);

	/* a copy: the pending flow (and its device code) may go before the error */
	device_code = pstrdup(p->device_code);
	rest_wipe_string_later(wipe, device_code);
	initStringInfo(&form);
	enlargeStringInfo(&form, (int) (128 + 3 * strlen(device_code)));
	appendStringInfoString(&form, "grant_type=");
	rest_append_urlencoded(&form, DEVICE_GRANT_TYPE);
	appendStringInfoString(&form, "&device_code=");
	rest_append_urlencoded(&form, device_code);
	rest_wipe_string_later(wipe, form.data);
	hide = lappend(hide, device_code);

	rest_auth_post_form(conn, conn->token_uri, "grant_type device_code",
						form.data, hide, wipe, &resp, &hide);
	rest_push_request_context(&errctx, "POST", rest_mask_url(conn->token_uri),
							  "grant_type device_code");
	rest_parse_token_response(resp.body, resp.body_len, &tr);
	wipe_token_response(wipe, &tr, &hide);

	if (tr.error != NULL && strcmp(tr.error, "authorization_pending") == 0)
		result = POLL_PENDING;
	else if (tr.error != NULL && strcmp(tr.error, "slow_down") == 0)
		result = POLL_SLOW_DOWN;
	else if (tr.error != NULL && strcmp(tr.error, "access_denied") == 0)
	{
		drop_pending(p);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the login to server \"%s\" was denied", conn->servername),
				 error_detail(&resp, &tr, hide),
				 errhint("Log in again with rest_fdw_login() and approve the access.")));
	}
	else if (tr.error != NULL && (strcmp(tr.error, "expired_token") == 0 ||
								  strcmp(tr.error, "invalid_grant") == 0))
	{
		drop_pending(p);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the user code of the login to server \"%s\" is no longer valid",
						conn->servername),
				 error_detail(&resp, &tr, hide),
				 errhint("Log in again with rest_fdw_login(), and enter the new code before it expires.")));
	}
	else if (resp.status != 200 || tr.error != NULL)
	{
		drop_pending(p);
		rest_auth_token_error(conn, &resp, &tr, hide);
	}
	else
		*refresh_token = take_refresh_token(conn, &tr, hide, resultcxt);
	rest_pop_request_context(&errctx);

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
	return result;
}

/* Tell the user where to enter the code, at once */
static void
show_user_code(const char *servername, PendingLogin *p)
{
	ereport(NOTICE,
			(errmsg("to log in to server \"%s\", visit %s and enter the code %s",
					servername, p->verification_uri, p->user_code),
			 p->verification_uri_complete
			 ? errdetail("Or visit %s, which holds the code.  The code expires at %s.",
						 p->verification_uri_complete,
						 timestamptz_to_str(p->expires_at))
			 : errdetail("The code expires at %s.",
						 timestamptz_to_str(p->expires_at))));
}

/*
 * rest_fdw_login(server_name, wait DEFAULT true): log in to the server's
 * provider with the device flow and store the refresh token obtained in
 * the caller's user mapping.  With wait false, start a new flow and return
 * at once with the user code (status "pending"); with wait true, continue
 * the pending flow of the caller (or start one, showing the code in a
 * NOTICE), poll until the user approves it, store the refresh token and
 * return status "authorized" with what the user mapping went through
 * ("updated" or "created").
 */
Datum
rest_fdw_login(PG_FUNCTION_ARGS)
{
	ForeignServer *server = login_server(fcinfo, 0);
	bool		wait = PG_ARGISNULL(1) ? true : PG_GETARG_BOOL(1);
	RestConnOptions *conn = login_conn(server);
	PendingLogin *p;
	TupleDesc	tupdesc;
	Datum		values[LOGIN_COLS];
	bool		nulls[LOGIN_COLS];
	char	   *refresh_token = NULL;
	const char *done = NULL;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	require_login_option(conn, conn->device_authorization_uri,
						 OPT_DEVICE_AUTHORIZATION_URI,
						 "The device flow asks this endpoint for a user code (RFC 8628).",
						 "https://login.microsoftonline.com/TENANT/oauth2/v2.0/devicecode");

	p = find_pending(server->serverid, LOGIN_DEVICE);
	if (!wait || p == NULL || GetCurrentTimestamp() >= p->expires_at)
		p = start_device_flow(conn);

	if (wait)
	{
		show_user_code(server->servername, p);
		for (;;)
		{
			TimestampTz now = GetCurrentTimestamp();
			PollResult r;

			if (now >= p->expires_at)
			{
				drop_pending(p);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
						 errmsg("the user code of the login to server \"%s\" expired",
								server->servername),
						 errhint("Log in again with rest_fdw_login(), and enter the new code before it expires.")));
			}
			if (now < p->next_poll)
			{
				wait_until(Min(p->next_poll, p->expires_at));
				continue;
			}
			r = poll_device_flow(conn, p, &refresh_token, CurrentMemoryContext);
			if (r == POLL_DONE)
				break;
			if (r == POLL_SLOW_DOWN)
				p->interval = Min(p->interval + SLOW_DOWN_STEP, MAX_INTERVAL);
			p->next_poll = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   (int64) p->interval * 1000);
		}
	}

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(wait ? "authorized" : "pending");
	values[1] = CStringGetTextDatum(p->verification_uri);
	if (p->verification_uri_complete)
		values[2] = CStringGetTextDatum(p->verification_uri_complete);
	else
		nulls[2] = true;
	values[3] = CStringGetTextDatum(p->user_code);
	values[4] = TimestampTzGetDatum(p->expires_at);
	nulls[5] = true;
	if (wait)
	{
		/* the device code is spent: whatever happens next, it is over */
		drop_pending(p);
		done = store_refresh_token(server, refresh_token);
		explicit_bzero(refresh_token, strlen(refresh_token));
		values[5] = CStringGetTextDatum(done);
		nulls[5] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------------------------------------------------------------------
 * Authorization code grant with PKCE (RFC 7636)
 * ---------------------------------------------------------------------
 */

/* base64url without padding of len bytes, palloc'd */
static char *
base64url(const unsigned char *data, int len)
{
	char	   *out = palloc(4 * ((len + 2) / 3) + 1);
	int			n = EVP_EncodeBlock((unsigned char *) out, data, len);
	int			i;

	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
	{
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}

/* len random bytes from the strong source, base64url-encoded */
static char *
random_string(int len)
{
	unsigned char buf[64];
	char	   *s;

	Assert(len <= (int) sizeof(buf));
	if (!pg_strong_random(buf, len))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes")));
	s = base64url(buf, len);
	explicit_bzero(buf, sizeof(buf));
	return s;
}

/* The S256 code challenge of verifier: BASE64URL(SHA256(verifier)) */
static char *
code_challenge(const char *verifier)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (EVP_Digest(verifier, strlen(verifier), digest, &dlen, EVP_sha256(),
				   NULL) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a SHA-256 digest")));
	return base64url(digest, (int) dlen);
}

/* Is word one of the space-separated scopes of scope? */
static bool
scope_has(const char *scope, const char *word)
{
	size_t		len = strlen(word);
	const char *p = scope;

	while (p != NULL && *p)
	{
		while (*p == ' ')
			p++;
		if (strncmp(p, word, len) == 0 && (p[len] == ' ' || p[len] == '\0'))
			return true;
		p = strchr(p, ' ');
	}
	return false;
}

/*
 * rest_fdw_authorize_url(server_name, redirect_uri DEFAULT NULL): the
 * authorization endpoint URL for the user to open, with a new state and
 * PKCE code challenge (S256); the state and the code verifier are kept for
 * rest_fdw_authorize_finish().
 */
Datum
rest_fdw_authorize_url(PG_FUNCTION_ARGS)
{
	ForeignServer *server = login_server(fcinfo, 0);
	RestConnOptions *conn = login_conn(server);
	const char *redirect_uri;
	PendingLogin *p;
	StringInfoData url;
	char	   *challenge;

	require_login_option(conn, conn->authorization_uri, OPT_AUTHORIZATION_URI,
						 "The authorization code flow sends the user to the provider's authorization endpoint.",
						 "https://accounts.google.com/o/oauth2/v2/auth");
	redirect_uri = PG_NARGS() > 1 && !PG_ARGISNULL(1)
		? text_to_cstring(PG_GETARG_TEXT_PP(1)) : conn->redirect_uri;
	if (redirect_uri == NULL || redirect_uri[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no \"%s\" option", server->servername,
						OPT_REDIRECT_URI),
				 errdetail("The provider sends the user back to a redirect URI registered for the client."),
				 errhint("Give one to rest_fdw_authorize_url(), or set it with ALTER SERVER %s OPTIONS (ADD %s 'http://127.0.0.1/callback').",
						 rest_quote_ident(server->servername), OPT_REDIRECT_URI)));
	if (rest_has_control_chars(redirect_uri))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("redirect URI must not contain control characters")));

	p = new_pending(server->serverid, LOGIN_CODE);
	p->state = MemoryContextStrdup(LoginContext, random_string(STATE_BYTES));
	p->verifier = MemoryContextAlloc(LoginContext, 4 * ((VERIFIER_BYTES + 2) / 3) + 1);
	{
		char	   *v = random_string(VERIFIER_BYTES);

		strcpy(p->verifier, v);
		explicit_bzero(v, strlen(v));
	}
	p->redirect_uri = MemoryContextStrdup(LoginContext, redirect_uri);
	challenge = code_challenge(p->verifier);

	initStringInfo(&url);
	appendStringInfoString(&url, conn->authorization_uri);
	rest_append_query_param(&url, "response_type", "code");
	rest_append_query_param(&url, "client_id", conn->client_id);
	rest_append_query_param(&url, "redirect_uri", redirect_uri);
	if (conn->scope && conn->scope[0] != '\0')
		rest_append_query_param(&url, "scope", conn->scope);
	/*
	 * OpenID Connect providers grant offline_access (a refresh token) only
	 * when the user is asked for consent (OpenID Connect Core section 11)
	 */
	if (scope_has(conn->scope, "offline_access"))
		rest_append_query_param(&url, "prompt", "consent");
	rest_append_query_param(&url, "state", p->state);
	rest_append_query_param(&url, "code_challenge", challenge);
	rest_append_query_param(&url, "code_challenge_method", "S256");
	PG_RETURN_TEXT_P(cstring_to_text(url.data));
}

/* Decode a form-encoded query component of len bytes, palloc'd */
static char *
form_decode(const char *s, size_t len)
{
	StringInfoData buf;
	size_t		i;

	initStringInfo(&buf);
	for (i = 0; i < len; i++)
	{
		if (s[i] == '+')
			appendStringInfoChar(&buf, ' ');
		else if (s[i] == '%' && i + 2 < len &&
				 isxdigit((unsigned char) s[i + 1]) &&
				 isxdigit((unsigned char) s[i + 2]))
		{
			appendStringInfoChar(&buf, (char) rest_hex_value(s + i + 1, 2));
			i += 2;
		}
		else
			appendStringInfoChar(&buf, s[i]);
	}
	return buf.data;
}

/* The decoded value of parameter name in query (without "?"), or NULL */
static char *
query_param(const char *query, const char *name)
{
	const char *p = query;
	size_t		nlen = strlen(name);

	while (*p)
	{
		const char *end = strchr(p, '&');
		const char *eq;
		size_t		len;

		if (end == NULL)
			end = p + strlen(p);
		len = end - p;
		eq = memchr(p, '=', len);
		if (eq != NULL && (size_t) (eq - p) == nlen && strncmp(p, name, nlen) == 0)
			return form_decode(eq + 1, end - eq - 1);
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/*
 * The query string of a pasted redirect URL (parsed by libcurl's URL API,
 * which also takes schemes it does not speak), of "?query", or NULL for a
 * bare code.  palloc'd.
 */
static char *
redirect_query(const char *redirect)
{
	CURLU	   *u;
	char	   *q = NULL;
	char	   *result = NULL;
	CURLUcode	rc;

	if (redirect[0] == '?')
	{
		const char *hash = strchr(redirect, '#');

		return hash ? pnstrdup(redirect + 1, hash - redirect - 1)
			: pstrdup(redirect + 1);
	}
	if (strstr(redirect, "://") == NULL && strchr(redirect, '?') == NULL)
		return strchr(redirect, '=') ? pstrdup(redirect) : NULL;

	u = curl_url();
	if (u == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	rc = curl_url_set(u, CURLUPART_URL, redirect, CURLU_NON_SUPPORT_SCHEME);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_QUERY, &q, 0);
	if (rc == CURLUE_OK && q != NULL)
		result = MemoryContextStrdup(CurrentMemoryContext, q);
	if (q)
	{
		explicit_bzero(q, strlen(q));
		curl_free(q);
	}
	curl_url_cleanup(u);

	/*
	 * A private-use scheme without an authority ("com.example.app:/cb?..."),
	 * which libcurl may refuse: the query is what follows "?", up to a "#"
	 */
	if (result == NULL && rc != CURLUE_OK && strchr(redirect, '?') != NULL)
	{
		const char *start = strchr(redirect, '?') + 1;
		const char *hash = strchr(start, '#');

		result = hash ? pnstrdup(start, hash - start) : pstrdup(start);
	}
	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the redirect URL has no query string"),
				 errdetail("The provider sends the authorization code (or an error) in the query string of the redirect URL."),
				 errhint("Paste the whole URL that the browser was sent to, or just the value of its \"code\" parameter.")));
	return result;
}

/*
 * rest_fdw_authorize_finish(server_name, redirect): take the redirect URL
 * (or the bare code) the user was sent back with, check its state against
 * the pending authorization of rest_fdw_authorize_url(), exchange the code
 * with the code verifier for tokens, and store the refresh token in the
 * caller's user mapping.  Returns status "authorized" and what the user
 * mapping went through.
 */
Datum
rest_fdw_authorize_finish(PG_FUNCTION_ARGS)
{
	ForeignServer *server = login_server(fcinfo, 0);
	RestConnOptions *conn = login_conn(server);
	PendingLogin *p;
	char	   *redirect;
	char	   *query;
	char	   *code;
	char	   *verifier;
	MemoryContext tmpcxt;
	MemoryContext oldcxt;
	MemoryContext callercxt = CurrentMemoryContext;
	struct RestWipeList *wipe;
	StringInfoData form;
	RestHttpResponse resp;
	RestTokenResponse tr;
	RestRequestContext errctx;
	List	   *hide = NIL;
	char	   *refresh_token;
	const char *done;
	TupleDesc	tupdesc;
	Datum		values[FINISH_COLS];
	bool		nulls[FINISH_COLS] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("redirect must not be null")));
	p = find_pending(server->serverid, LOGIN_CODE);
	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no authorization of server \"%s\" is pending in this session",
						server->servername),
				 errhint("Call rest_fdw_authorize_url() first, in the same session, and open the URL it returns.")));
	require_login_option(conn, conn->authorization_uri, OPT_AUTHORIZATION_URI,
						 "The authorization code flow sends the user to the provider's authorization endpoint.",
						 "https://accounts.google.com/o/oauth2/v2/auth");

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw authorization",
								   ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);
	wipe = rest_wipe_on_reset(tmpcxt);

	redirect = text_to_cstring(PG_GETARG_TEXT_PP(1));
	rest_wipe_string_later(wipe, redirect);
	query = redirect_query(redirect);
	if (query == NULL)
		code = pstrdup(redirect);	/* a bare code: nothing to check */
	else
	{
		char	   *state = query_param(query, "state");
		char	   *error = query_param(query, "error");

		rest_wipe_string_later(wipe, query);
		if (error != NULL)
		{
			char	   *desc = query_param(query, "error_description");
			bool		denied = strcmp(error, "access_denied") == 0;

			if (state != NULL && strcmp(state, p->state) == 0)
				drop_pending(p);
			ereport(ERROR,
					(errcode(denied ? ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION
							 : ERRCODE_FDW_ERROR),
					 errmsg(denied ? "the login to server \"%s\" was denied"
							: "the authorization of server \"%s\" failed",
							server->servername),
					 desc
					 ? errdetail("The authorization endpoint answered with error \"%s\": %s",
								 rest_shorten(error, strlen(error), 100),
								 rest_shorten(desc, strlen(desc), 300))
					 : errdetail("The authorization endpoint answered with error \"%s\".",
								 rest_shorten(error, strlen(error), 100)),
					 errhint("Start again with rest_fdw_authorize_url().")));
		}
		if (state == NULL || strcmp(state, p->state) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
					 errmsg("the state of the redirect URL does not match the pending authorization of server \"%s\"",
							server->servername),
					 errdetail(state == NULL
							   ? "The redirect URL has no \"state\" parameter."
							   : "The redirect URL belongs to another authorization request, or was forged (cross-site request forgery)."),
					 errhint("Paste the URL the browser was sent to after opening the latest URL of rest_fdw_authorize_url().")));
		code = query_param(query, "code");
		if (code == NULL || code[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the redirect URL has no \"code\" parameter"),
					 errhint("Paste the whole URL that the browser was sent to.")));
	}
	rest_wipe_string_later(wipe, code);
	hide = lappend(hide, code);
	/* a copy: the pending authorization goes before some errors */
	verifier = pstrdup(p->verifier);
	rest_wipe_string_later(wipe, verifier);
	hide = lappend(hide, verifier);

	initStringInfo(&form);
	enlargeStringInfo(&form, (int) (128 + 3 * (strlen(code) + strlen(verifier) +
											   strlen(p->redirect_uri))));
	rest_wipe_string_later(wipe, form.data);
	appendStringInfoString(&form, "grant_type=authorization_code&code=");
	rest_append_urlencoded(&form, code);
	appendStringInfoString(&form, "&redirect_uri=");
	rest_append_urlencoded(&form, p->redirect_uri);
	appendStringInfoString(&form, "&code_verifier=");
	rest_append_urlencoded(&form, verifier);

	rest_auth_post_form(conn, conn->token_uri, "grant_type authorization_code",
						form.data, hide, wipe, &resp, &hide);
	rest_push_request_context(&errctx, "POST", rest_mask_url(conn->token_uri),
							  "grant_type authorization_code");
	rest_parse_token_response(resp.body, resp.body_len, &tr);
	wipe_token_response(wipe, &tr, &hide);
	if (tr.error != NULL && strcmp(tr.error, "invalid_grant") == 0)
	{
		/* a code is good for one try */
		drop_pending(p);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the authorization code for server \"%s\" was refused",
						server->servername),
				 error_detail(&resp, &tr, hide),
				 errhint("Codes are short-lived and good for one use: start again with rest_fdw_authorize_url().")));
	}
	if (resp.status != 200 || tr.error != NULL)
		rest_auth_token_error(conn, &resp, &tr, hide);
	refresh_token = take_refresh_token(conn, &tr, hide, callercxt);
	rest_pop_request_context(&errctx);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);

	drop_pending(p);
	done = store_refresh_token(server, refresh_token);
	explicit_bzero(refresh_token, strlen(refresh_token));

	values[0] = CStringGetTextDatum("authorized");
	values[1] = CStringGetTextDatum(done);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
