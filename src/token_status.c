/*-------------------------------------------------------------------------
 *
 * token_status.c
 *		  SQL functions over the token store: rest_fdw_token_status() and
 *		  rest_fdw_forget_tokens().
 *
 * Both look only at user mappings of rest_fdw servers that the caller may
 * see: their own, PUBLIC ones, and all of the servers they own (superusers
 * see all).  Neither ever returns a token.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_user_mapping.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "rest_fdw.h"

PG_FUNCTION_INFO_V1(rest_fdw_token_status);
PG_FUNCTION_INFO_V1(rest_fdw_forget_tokens);

#define TOKEN_STATUS_COLS 8
/* hex digits of the grant digest shown as grant_id */
#define GRANT_ID_LEN 12

/* Is the server one of rest_fdw's? */
static bool
is_rest_server(ForeignServer *server)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	char	   *handler;

	if (!OidIsValid(fdw->fdwhandler))
		return false;
	handler = get_func_name(fdw->fdwhandler);
	return handler != NULL && strcmp(handler, "rest_fdw_handler") == 0;
}

/* May the current user manage the server's mappings (owner, superuser)? */
static bool
manages_server(ForeignServer *server)
{
	return superuser() || has_privs_of_role(GetUserId(), server->owner);
}

static const char *
mapping_user_name(Oid umuser)
{
	if (!OidIsValid(umuser))
		return "public";
	return GetUserNameFromId(umuser, false);
}

/*
 * The state of a user mapping's tokens: valid, expiring (due for
 * replacement), expired, none, failed, copied (from another cluster, with a
 * rotated refresh token: see token_store.c), shared (the user mapping's
 * refresh_token was rotated by another user mapping of the cluster, such as
 * the one it was copied from: see rest_store_claim_seed) or unreadable.
 */
/* The first GRANT_ID_LEN hex digits of a digest, into dst */
static void
to_hex_prefix(const unsigned char *digest, char *dst)
{
	int			i;

	for (i = 0; i < GRANT_ID_LEN / 2; i++)
		sprintf(dst + 2 * i, "%02x", digest[i]);
	dst[GRANT_ID_LEN] = '\0';
}

static const char *
token_state(RestStoreState what, RestStoredToken *st, bool same_grant,
			bool same_token)
{
	TimestampTz now = GetCurrentTimestamp();

	if (what == REST_STORE_COPY_ROTATED)
		return "copied";
	if (what == REST_STORE_SHARED)
		return "shared";
	if (what == REST_STORE_UNREADABLE)
		return "unreadable";
	if (what != REST_STORE_FOUND || !st->found || !same_grant)
		return "none";
	if (st->last_error_at != 0 && st->last_error_at >= st->last_refresh)
		return "failed";
	if (st->access_token == NULL || !same_token)
		return "none";
	if (st->expires_at == 0 || now < st->refresh_at)
		return "valid";
	if (now < st->expires_at)
		return "expiring";
	return "expired";
}

/*
 * rest_fdw_token_status(): one row per visible user mapping of a rest_fdw
 * server, with the shared token state and no token.
 */
Datum
rest_fdw_token_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	Tuplestorestate *tupstore;
	MemoryContext oldcxt;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	tupdesc = CreateTupleDescCopy(tupdesc);
	tupstore = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = tupdesc;
	MemoryContextSwitchTo(oldcxt);

	rest_store_gc();

	rel = table_open(UserMappingRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_user_mapping um = (Form_pg_user_mapping) GETSTRUCT(tuple);
		ForeignServer *server = GetForeignServer(um->umserver);
		Datum		values[TOKEN_STATUS_COLS];
		bool		nulls[TOKEN_STATUS_COLS];
		RestStoredToken st;
		RestStoreState what;
		char	   *problem = NULL;
		bool		same_grant = false;
		bool		same_token = false;
		RestConnOptions *conn = NULL;
		unsigned char digest[REST_DIGEST_LEN];
		unsigned char tdigest[REST_DIGEST_LEN];
		RestGrantState gs;
		RestStoreState grant_what;
		char	   *grant_problem = NULL;
		char		grant_id[2 * REST_DIGEST_LEN + 1];

		if (!is_rest_server(server))
			continue;
		if (!(um->umuser == GetUserId() || !OidIsValid(um->umuser) ||
			  manages_server(server)))
			continue;

		memset(nulls, false, sizeof(nulls));
		what = rest_store_inspect(um->oid, &st, &problem);
		conn = rest_get_conn_options(um->umserver, um->umuser, true);
		rest_auth_grant_digest(conn, digest, tdigest);
		if (what == REST_STORE_FOUND)
		{
			same_grant = memcmp(digest, st.digest, REST_DIGEST_LEN) == 0;
			same_token = memcmp(tdigest, st.token_digest, REST_DIGEST_LEN) == 0;
		}

		/*
		 * The grant's shared state: its refreshes, by every user mapping
		 * holding it, and its newest access token for this user mapping's
		 * scope and client credentials, wherever it was obtained.
		 */
		grant_what = conn->auth_method == REST_AUTH_OAUTH2
			? rest_store_grant_inspect(conn, digest, &gs, &grant_problem)
			: REST_STORE_NONE;
		if ((grant_what == REST_STORE_COPY_ROTATED ||
			 grant_what == REST_STORE_UNREADABLE) &&
			what != REST_STORE_UNREADABLE)
		{
			what = grant_what;
			problem = grant_problem;
		}
		else if ((what == REST_STORE_FOUND || what == REST_STORE_NONE ||
				  what == REST_STORE_COPY) && grant_what == REST_STORE_FOUND)
		{
			RestGrantToken *gt = rest_grant_token(&gs, tdigest);

			if (!same_grant)
			{
				memset(&st, 0, sizeof(st));
				st.found = true;
				memcpy(st.digest, digest, REST_DIGEST_LEN);
			}
			what = REST_STORE_FOUND;
			same_grant = true;
			st.last_refresh = gs.last_refresh;
			st.refresh_count = gs.refresh_count;
			/* every refresh replaces the grant's token of its digest */
			if (gt != NULL)
			{
				st.access_token = gt->access_token;
				st.expires_at = gt->expires_at;
				st.refresh_at = gt->refresh_at;
				same_token = true;
			}
		}

		values[0] = CStringGetTextDatum(server->servername);
		values[1] = CStringGetTextDatum(mapping_user_name(um->umuser));
		values[2] = CStringGetTextDatum(token_state(what, &st, same_grant,
													same_token));
		values[3] = TimestampTzGetDatum(st.expires_at);
		nulls[3] = !same_token || st.expires_at == 0;
		values[4] = TimestampTzGetDatum(st.last_refresh);
		nulls[4] = !same_grant || st.last_refresh == 0;
		values[5] = Int64GetDatum(same_grant ? st.refresh_count : 0);
		if (what == REST_STORE_UNREADABLE)
			values[6] = CStringGetTextDatum(psprintf("the token store file cannot be used: %s",
													 problem));
		else if (what == REST_STORE_COPY_ROTATED)
			values[6] = CStringGetTextDatum("the stored tokens were copied from another cluster");
		else if (what == REST_STORE_SHARED)
			values[6] = CStringGetTextDatum("the refresh token was rotated by another user mapping with the same grant");
		else if (same_grant && st.last_error)
			values[6] = CStringGetTextDatum(st.last_error);
		else
			nulls[6] = true;
		/* which user mappings share a grant (a prefix of its digest) */
		if (conn->auth_method == REST_AUTH_OAUTH2 && conn->token_uri != NULL)
		{
			to_hex_prefix(digest, grant_id);
			values[7] = CStringGetTextDatum(grant_id);
		}
		else
			nulls[7] = true;
		tuplestore_putvalues(tupstore, tupdesc, values, nulls);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	return (Datum) 0;
}

/*
 * rest_fdw_forget_tokens(server_name, user_name DEFAULT NULL): remove the
 * stored tokens (and this backend's cached one) of the server's user
 * mapping for user_name ('public' for PUBLIC), or of all its user mappings
 * the caller may manage when user_name is NULL.  Returns how many stored
 * states were removed.  The next query starts again from the user
 * mapping's refresh_token.
 */
/*
 * Revoke the tokens of a user mapping's grant at the server's revocation
 * endpoint (RFC 7009), with its store lock held: the grant's newest refresh
 * token (which revokes the grant and, at most providers, its access tokens),
 * or without one (client_credentials) its access tokens.  A NOTICE says
 * what was revoked; a failure is an ERROR, and nothing is forgotten.
 */
static void
revoke_tokens(ForeignServer *server, Form_pg_user_mapping um)
{
	RestConnOptions *conn = rest_get_conn_options(um->umserver, um->umuser, true);
	unsigned char digest[REST_DIGEST_LEN];
	RestGrantState gs;
	RestStoredToken st;
	const char *refresh_token = NULL;
	int			revoked = 0;
	int			i;

	if (conn->auth_method != REST_AUTH_OAUTH2 || conn->token_uri == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("server \"%s\" has no OAuth 2.0 tokens to revoke",
						server->servername),
				 errdetail("Only OAuth 2.0 tokens obtained from a token_uri can be revoked.")));
	rest_auth_grant_digest(conn, digest, NULL);
	rest_store_lock_grant(digest);
	if (rest_store_grant_read(conn, digest, &gs) && gs.refresh_token)
		refresh_token = gs.refresh_token;
	else if (rest_store_read(um->oid, &st) && st.refresh_token &&
			 memcmp(st.digest, digest, REST_DIGEST_LEN) == 0)
		refresh_token = st.refresh_token;
	else if (conn->grant_type == REST_GRANT_REFRESH_TOKEN)
		refresh_token = conn->refresh_token;

	if (refresh_token != NULL)
		rest_auth_revoke(conn, refresh_token, true);
	else
	{
		for (i = 0; i < gs.ntokens; i++)
		{
			rest_auth_revoke(conn, gs.tokens[i].access_token, false);
			revoked++;
		}
	}
	rest_store_unlock_grant(digest);

	if (refresh_token != NULL)
		ereport(NOTICE,
				(errmsg("revoked the OAuth 2.0 refresh token of the user mapping for \"%s\" on server \"%s\"",
						mapping_user_name(um->umuser), server->servername),
				 errdetail("The revocation endpoint ends the grant, for every user mapping that holds the same refresh token.")));
	else
		ereport(NOTICE,
				(errmsg_plural("revoked %d OAuth 2.0 access token of the user mapping for \"%s\" on server \"%s\"",
							   "revoked %d OAuth 2.0 access tokens of the user mapping for \"%s\" on server \"%s\"",
							   revoked, revoked,
							   mapping_user_name(um->umuser), server->servername)));
}

Datum
rest_fdw_forget_tokens(PG_FUNCTION_ARGS)
{
	ForeignServer *server;
	Oid			only_user = InvalidOid;
	bool		one_user = !PG_ARGISNULL(1);
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;
	int			removed = 0;
	bool		matched = false;
	bool		revoke = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("server name must not be null")));
	server = GetForeignServerByName(text_to_cstring(PG_GETARG_TEXT_PP(0)), false);
	if (!is_rest_server(server))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" does not use rest_fdw", server->servername)));
	if (one_user)
	{
		char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));

		only_user = pg_strcasecmp(name, "public") == 0
			? InvalidOid : get_role_oid(name, false);
	}

	rel = table_open(UserMappingRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_user_mapping um = (Form_pg_user_mapping) GETSTRUCT(tuple);
		bool		allowed;

		if (um->umserver != server->serverid)
			continue;
		if (one_user && um->umuser != only_user)
			continue;
		matched = true;

		allowed = manages_server(server) ||
			(OidIsValid(um->umuser) && um->umuser == GetUserId());
		if (!allowed)
		{
			if (one_user)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to forget the tokens of user mapping for \"%s\" on server \"%s\"",
								mapping_user_name(um->umuser), server->servername),
						 errdetail("Only the user of the mapping, the owner of the server and superusers may.")));
			continue;
		}

		/* not while another backend is refreshing */
		rest_store_lock(um->oid);
		if (revoke)
			revoke_tokens(server, um);
		if (rest_store_forget(um->oid))
			removed++;
		rest_store_unlock(um->oid);
		rest_auth_forget_cached(um->oid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (one_user && !matched)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user mapping for \"%s\" on server \"%s\" does not exist",
						mapping_user_name(only_user), server->servername)));

	PG_RETURN_INT32(removed);
}
