/*-------------------------------------------------------------------------
 *
 * pager.c
 *		  Fetching the pages of an endpoint.
 *
 * rest_fetch performs one authenticated GET: it asks auth.c for
 * credentials, retries once with a new token when an OAuth 2.0 API answers
 * 401, and turns any other non-2xx status or a response that is not JSON
 * into an ERROR that shows the status, the (masked) URL and the start of
 * the body.  Paging styles build on it.
 *
 *-------------------------------------------------------------------------
 */
#include "rest_fdw.h"

#include "utils/builtins.h"

static bool json_content_type(const char *ct);

/*
 * GET url (which holds no secret) as the user of conn and return the 2xx
 * response in *resp, with its body in the current memory context.
 */
void
rest_fetch(RestConnOptions *conn, const char *url, RestHttpResponse *resp,
		   RestScanStats *stats)
{
	RestHttpRequest req;
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.url = url;
		req.display_url = rest_mask_url(url);
		req.headers = list_make1("Accept: application/json");
		rest_auth_add_credentials(conn, &req, attempt > 0, stats);

		rest_http_perform(conn, &req, resp);
		if (stats)
		{
			stats->requests++;
			stats->bytes += resp->body_len;
		}

		/* one new token and one retry for a rejected OAuth token */
		if (resp->status == 401 && attempt == 0 && rest_auth_refreshable(conn))
			continue;
		break;
	}

	if (resp->status < 200 || resp->status > 299)
	{
		const char *hint = NULL;

		if (resp->status == 401 && conn->auth_method == REST_AUTH_OAUTH2)
			hint = attempt > 0
				? "The API rejected a newly obtained access token; check the scope option of the server and the client's permissions."
				: "The access token was rejected and cannot be refreshed; set refresh_token (or a new access_token) in the user mapping.";
		else if (resp->status == 401 && conn->auth_method == REST_AUTH_NONE)
			hint = "The API needs credentials: set authentication_method on the server and create a user mapping.";
		else if (resp->status == 401)
			hint = "Check the credentials in the user mapping.";
		else if (resp->status == 403)
			hint = "The credentials are valid but lack permission for this endpoint.";
		else if (resp->status == 404)
			hint = "Check the endpoint option of the foreign table and the base_url option of the server.";

		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("HTTP request to server \"%s\" failed with status %ld",
						conn->servername, resp->status),
				 resp->www_authenticate
				 ? errdetail("GET %s answered with WWW-Authenticate: %s; body: %s",
							 req.display_url,
							 rest_shorten(resp->www_authenticate,
										  strlen(resp->www_authenticate), 200),
							 rest_shorten(resp->body, resp->body_len, 200))
				 : errdetail("GET %s answered: %s",
							 req.display_url,
							 rest_shorten(resp->body, resp->body_len, 300)),
				 hint ? errhint("%s", hint) : 0));
	}

	if (resp->content_type != NULL && !json_content_type(resp->content_type))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("response from server \"%s\" is not JSON", conn->servername),
				 errdetail("GET %s answered with Content-Type \"%s\": %s",
						   req.display_url,
						   rest_shorten(resp->content_type,
										strlen(resp->content_type), 100),
						   rest_shorten(resp->body, resp->body_len, 200))));
}

/*
 * Content types that may hold JSON: application/json, any +json type, and
 * the text types some APIs use for JSON by mistake.
 */
static bool
json_content_type(const char *ct)
{
	size_t		len = strcspn(ct, ";");

	while (len > 0 && ct[len - 1] == ' ')
		len--;
	if (len >= 4 && pg_strncasecmp(ct + len - 4, "json", 4) == 0)
		return true;			/* application/json, text/json, x+json */
	if (len == 10 && pg_strncasecmp(ct, "text/plain", 10) == 0)
		return true;
	if (len == 15 && pg_strncasecmp(ct, "text/javascript", 15) == 0)
		return true;
	return false;
}
