/*-------------------------------------------------------------------------
 *
 * pager.c
 *		  Fetching the pages of an endpoint.
 *
 * rest_fetch performs one authenticated GET: it asks auth.c for
 * credentials, retries once with a new token when an OAuth 2.0 API answers
 * 401, and turns any other non-2xx status or a response that is not JSON
 * into an ERROR that shows the status, the (masked) URL and the start of
 * the body.  The pager runs the same steps for each page, without waiting
 * for one page before requesting the next.
 *
 * The pager builds each page's request from what the previous response
 * said, for six styles: none, offset/limit, page number, a cursor read from
 * the body, a next-page URL read from the body, and an RFC 8288 Link
 * header.  The end is an empty page, a short page (page_end 'short'), a
 * false has-more element, a total count or total pages element, or a
 * missing cursor or next URL.  Safety: at most max_pages pages, an ERROR
 * when a cursor or next URL repeats, and next URLs must keep the scheme,
 * host and port of the first request, so credentials never go elsewhere.
 *
 * Concurrency (fetch_concurrency > 1).  The first page is always requested
 * alone.  With offset and page-number paging, later pages do not depend on
 * earlier responses, so up to fetch_concurrency pages are kept in flight:
 * the offset advances by the first page's row count, and no page is
 * requested past a known end (total count or pages), past the rows a
 * LIMIT needs, or past max_pages.  Without a known end, pages are
 * requested ahead in generations that double while they come back full
 * (1, 2, 4, ... up to fetch_concurrency; after a full generation of that
 * size, as many as with a known end), and one at a time after a short
 * page; those past the end found are discarded.  Responses are consumed in scan order only, through the same
 * end detection as one page at a time; when a page turns out not to be
 * the one sequential paging would have asked for (a short page in the
 * middle), every page requested after it is discarded and requested again
 * from the right offset.  So results, errors and the max_pages and loop
 * checks are those of sequential paging.  With cursor, next-URL and Link
 * paging, the next page is requested as soon as the current one is parsed,
 * and arrives while its rows are returned.  Pages in flight live in memory
 * contexts of their own under the scan's paging context: discarding one,
 * ending the scan, or an ERROR aborts the transfer (http.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "rest_fdw.h"

/* Longest cursor sent as a request header (cursor_request_header) */
#define REST_MAX_CURSOR_HEADER	8192

/* One page's request, followed through a 401 and redirects */
typedef struct RestPageFetch
{
	MemoryContext cxt;			/* everything of this fetch */
	int64		param;			/* offset or page number asked for, or -1 */
	const char *method;			/* "GET" or "POST" */
	char	   *body;			/* the POST body, or NULL */
	char	   *url;			/* of the current request, no credentials */
	char	   *first_url;		/* redirects stay in its origin */
	char	   *page_display_url;	/* masked first URL, for paging errors */
	char	   *req_display_url;	/* masked URL as sent, for HTTP errors */
	List	   *secrets;		/* credentials sent, never shown (auth.c) */
	RestHttpXfer *xfer;			/* the request in flight, or NULL */
	int			attempt;		/* 1 once a 401 was answered */
	int			epoch;			/* auth epoch when the request was sent */
	int			redirects;
	const char *capture_header; /* total_count_header, or NULL */
	const char *link_header;	/* next_url_header, or NULL: Link */
	const RestFormatOptions *format;	/* how the body is decoded */
	const char *rows_path;		/* of the endpoint asked, or NULL */
	List	   *http_rules;		/* what statuses mean, or NIL */
	List	   *headers;		/* headers of the request's values: they
								 * replace the server's of the same name */
	bool		idempotent;		/* not GET, but it may be retried (it carries
								 * an idempotency key) */
	bool		empty_ok;		/* a response without a body is an answer
								 * (a write's 201 or 204) */
	bool		retried;		/* a retry_once rule sent it again */
	bool		zero_rows;		/* a zero_rows rule matched: no rows */
	int			fail_elevel;	/* of the API's failure status: ERROR (0
								 * stands for it), or WARNING for a write
								 * with on_error 'skip' */
	bool		failed;			/* the API answered a failure, reported at
								 * fail_elevel below ERROR */
	int			cache_ttl;		/* a scan's cache_ttl (cache.c), or 0 */
	RestHttpResponse resp;		/* the final response */
} RestPageFetch;

/* The paging state of a scan */
struct RestPager
{
	RestConnOptions *conn;
	RestPaging *cfg;
	RestScanStats *stats;
	const char *relname;
	RestScanRequest *request;	/* builds each page's request (request.c) */
	const char *method;			/* of the pages' requests */
	char	   *url;			/* first page's URL, with pushed parameters */
	int64		bound;			/* rows the query needs at most, or -1 */
	int			page_size;		/* size asked for, 0 for the API's default */
	int			pages;			/* pages fetched */
	int64		rows;			/* rows seen */
	bool		done;
	int64		offset;			/* offset paging: next offset */
	int64		page;			/* page paging: next page number */
	char	   *cursor;			/* cursor paging: next cursor */
	char	   *next_url;		/* next_url, link_header: next page's URL */
	List	   *seen;			/* cursors or URLs seen, for loop detection */
	char	   *display_url;	/* of the last request */
	const char *display_method; /* and its method (after redirects) */
	const char *meta_paths[REST_NMETA];

	/* pages requested ahead; see the file header */
	MemoryContext cxt;			/* the scan's paging context */
	int			concurrency;	/* pages requested at a time */
	RestPageFetch **inflight;	/* requested pages in scan order */
	int			ninflight;
	RestPageFetch *current;		/* the page returned last */
	int64		step;			/* rows of the first page: offsets advance by it */
	int64		total;			/* last total count element seen, or -1 */
	int64		total_pages;	/* last total pages element seen, or -1 */
	int			auth_epoch;		/* new tokens asked for by this scan */
	int			window;			/* pages requested together while the end is
								 * unknown: 1, 2, 4, ... up to concurrency */
	bool		short_seen;		/* a short page: no more pages ahead */
	bool		window_open;	/* a generation of concurrency pages came
								 * back full: refilled as pages are consumed */
	int			cursor_col;		/* column of cursor_row_path, or -1 */
};

static bool seen_before(RestPager *pager, const char *s);
static void fetch_send(RestConnOptions *conn, RestScanStats *stats,
					   RestPageFetch *f, bool force_new_token);
static char *page_url(RestPager *pager, int64 param, char **body);
static bool fetch_step(RestConnOptions *conn, RestScanStats *stats,
					   RestPageFetch *f, int *auth_epoch);
static void fetch_again_new_token(RestConnOptions *conn, RestScanStats *stats,
								  RestPageFetch *f, int *auth_epoch);
static bool fetch_reported_error(RestPager *pager, RestPageFetch *f);
pg_noreturn static void report_body_error(RestPager *pager, const char *message,
										  bool auth_like, List *secrets);
static const char *last_row_cursor(RestPager *pager, RestRowSet *rs, int64 n);
static void advance_state(RestPager *pager, RestRowSet *rs,
						  RestHttpResponse *resp);
static void schedule(RestPager *pager);
static int	window_size(RestPager *pager);
static void grow_window(RestPager *pager, int64 n);
static void discard_inflight(RestPager *pager, int from);
static int64 meta_int(const char *s);

/*
 * The request header "name: cursor" that sends the next cursor
 * (cursor_request_header).  The cursor is the API's, and a hostile one
 * could end the header line and start another: a control character is an
 * error, and so is a cursor longer than servers take in a header.
 */
static char *
cursor_header_line(RestPager *pager, const char *name)
{
	const char *cursor = pager->cursor;

	if (rest_has_control_chars(cursor) || strlen(cursor) > REST_MAX_CURSOR_HEADER)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("the next cursor of foreign table \"%s\" cannot be sent as header \"%s\"",
						pager->relname, name),
				 rest_has_control_chars(cursor)
				 ? errdetail("The cursor the API sent contains a control character, such as a line break.")
				 : errdetail("The cursor the API sent is longer than %d bytes.",
							 REST_MAX_CURSOR_HEADER)));
	return psprintf("%s: %s", name, cursor);
}

/* Is a header of this name in a List of "Name: value" strings? */
static bool
has_header(List *headers, const char *name)
{
	size_t		len = strlen(name);
	ListCell   *lc;

	foreach(lc, headers)
	{
		const char *h = (const char *) lfirst(lc);

		if (pg_strncasecmp(h, name, len) == 0 && h[len] == ':')
			return true;
	}
	return false;
}

/*
 * Send the request of f (again): credentials for f->url (a new token with
 * force_new_token) and a transfer started in f's memory context.
 */
static void
fetch_send(RestConnOptions *conn, RestScanStats *stats, RestPageFetch *f,
		   bool force_new_token)
{
	RestHttpRequest req;
	MemoryContext oldcxt = MemoryContextSwitchTo(f->cxt);
	ListCell   *lc;

	memset(&req, 0, sizeof(req));
	req.method = f->method;
	req.url = f->url;
	req.display_url = rest_auth_mask_url(conn, f->url);
	req.capture_header = f->capture_header;
	req.link_header = f->link_header;
	req.idempotent = f->idempotent;
	req.headers = NIL;
	foreach(lc, conn->headers)
	{
		const char *h = (const char *) lfirst(lc);
		const char *colon = strchr(h, ':');
		char	   *name = pnstrdup(h, colon ? (size_t) (colon - h) : strlen(h));

		if (!has_header(f->headers, name))
			req.headers = lappend(req.headers, (char *) h);
	}
	foreach(lc, f->headers)
		req.headers = lappend(req.headers, lfirst(lc));
	if (!has_header(req.headers, "Accept"))
		req.headers = lcons("Accept: application/json", req.headers);
	if (f->body != NULL)
	{
		req.body = f->body;
		req.body_len = strlen(f->body);
		if (!has_header(req.headers, "Content-Type"))
			req.headers = lappend(req.headers, "Content-Type: application/json");
	}

	/*
	 * The response cache is keyed by the request without its credentials,
	 * which a fresh response does not need (no token is asked for).
	 */
	if (f->cache_ttl > 0)
	{
		bool		fresh;

		req.cache_key = rest_cache_key(conn, &req);
		req.cache_ttl = f->cache_ttl;
		if (rest_cache_lookup(req.cache_key, &fresh) != NULL && fresh)
		{
			f->req_display_url = (char *) req.display_url;
			f->secrets = NIL;
			f->xfer = rest_http_start(conn, &req);
			if (stats)
				stats->cache_hits++;
			MemoryContextSwitchTo(oldcxt);
			return;
		}
	}
	rest_auth_add_credentials(conn, &req, force_new_token, stats);
	f->req_display_url = (char *) req.display_url;
	f->secrets = req.secrets;

	f->xfer = rest_http_start(conn, &req);
	if (stats)
		stats->requests++;
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Request f again with a new access token, once: the API rejected the one
 * sent.  A new token is asked for unless another fetch of the scan got one
 * since this request was sent (then that one is used), so that pages in
 * flight rejected together cost one token request.  In f's context.
 */
static void
fetch_again_new_token(RestConnOptions *conn, RestScanStats *stats,
					  RestPageFetch *f, int *auth_epoch)
{
	bool		force = f->epoch == *auth_epoch;

	f->attempt++;
	if (force)
		(*auth_epoch)++;
	f->epoch = *auth_epoch;
	pfree(f->resp.body);
	fetch_send(conn, stats, f, force);
}

/*
 * The transfer of f is done: take its response.  A 401 of an OAuth 2.0
 * API is answered once with a new token (unless another fetch of the scan
 * got one since this request was sent: then that one is used), and
 * redirects are followed within the first URL's origin; both send the
 * request again and return false.  Otherwise the response must be a
 * non-empty 2xx answer in a format that f->format accepts, or this is an
 * ERROR; its body is decoded to JSON (format.c) and true returned.
 */
static bool
fetch_step(RestConnOptions *conn, RestScanStats *stats, RestPageFetch *f,
		   int *auth_epoch)
{
	RestHttpResponse *resp = &f->resp;
	MemoryContext oldcxt = MemoryContextSwitchTo(f->cxt);
	RestRequestContext errctx;
	bool		fail_now = false;	/* a fail rule without message matched */

	rest_http_finish(f->xfer, resp);
	f->xfer = NULL;
	/* popped before the request is sent again: that one has its own */
	rest_push_request_context(&errctx, f->method, f->req_display_url, NULL);
	if (stats)
	{
		if (resp->revalidated)
			stats->cache_revalidated++;
		stats->requests += resp->retries;
		stats->retries += resp->retries;
		stats->rate_wait += resp->rate_wait;
		stats->bytes += resp->body_len;
	}

	/* the http_rules come first; see httprules.c */
	if (f->http_rules != NIL)
	{
		const RestHttpRule *rule = rest_http_rule_find(f->http_rules, resp->status,
													   resp->body, resp->body_len);
		bool		again = false;

		if (rule == NULL)
			 /* as without the option */ ;
		else if (rule->action == REST_HTTP_ZERO_ROWS ||
				 (rule->action == REST_HTTP_OK && resp->body_len == 0))
		{
			/* no rows (ok with nothing to read is the same) */
			f->zero_rows = true;
			rest_pop_request_context(&errctx);
			MemoryContextSwitchTo(oldcxt);
			return true;
		}
		else if (rule->action == REST_HTTP_OK)
			goto decode;
		else if (rule->action == REST_HTTP_REAUTHENTICATE)
		{
			if (f->attempt == 0 && rest_auth_refreshable(conn))
			{
				rest_pop_request_context(&errctx);
				fetch_again_new_token(conn, stats, f, auth_epoch);
				MemoryContextSwitchTo(oldcxt);
				return false;
			}
			/* a new token did not help, or none can be had: the error */
		}
		else if (rule->action == REST_HTTP_RETRY_ONCE)
			again = !f->retried;
		else if (rule->action == REST_HTTP_FAIL && rule->message != NULL)
		{
			ereport(f->fail_elevel ? f->fail_elevel : ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("server \"%s\" answered HTTP status %ld: %s",
							conn->servername, resp->status,
							rest_http_rule_message(rule, resp->body, resp->body_len,
												   f->secrets)),
					 errdetail("The message is that of the http_rules rule for status %ld.",
							   resp->status)));
			/* reported as a WARNING: the caller skips the request's rows */
			f->failed = true;
			rest_pop_request_context(&errctx);
			MemoryContextSwitchTo(oldcxt);
			return true;
		}
		else if (rule->action == REST_HTTP_FAIL)
			fail_now = true;

		if (again)
		{
			f->retried = true;
			if (stats)
				stats->retries++;
			pfree(resp->body);
			rest_pop_request_context(&errctx);
			fetch_send(conn, stats, f, false);
			MemoryContextSwitchTo(oldcxt);
			return false;
		}
	}

	/* one new token and one retry for a rejected OAuth token */
	if (!fail_now && resp->status == 401 && f->attempt == 0 &&
		rest_auth_refreshable(conn))
	{
		rest_pop_request_context(&errctx);
		fetch_again_new_token(conn, stats, f, auth_epoch);
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	/*
	 * Redirects are followed only within the first URL's origin, so
	 * credentials never go to another server.  A Location that echoes the
	 * query string holds the API key of url_parameter authentication: it
	 * is taken out, to be added once again.  A POST redirected with 307
	 * or 308 is sent again with its body; with 301, 302 or 303 the next
	 * request is a GET without body, as browsers and curl do.
	 */
	if (!fail_now &&
		(resp->status == 301 || resp->status == 302 || resp->status == 303 ||
		 resp->status == 307 || resp->status == 308) && resp->redirect_url)
	{
		char	   *target = rest_auth_strip_url(conn, resp->redirect_url);
		char	   *shown = rest_auth_mask_url(conn, target);

		if (pg_strncasecmp(target, "http://", 7) != 0 &&
			pg_strncasecmp(target, "https://", 8) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("server \"%s\" redirected to a URL that is not http or https",
							conn->servername),
					 errdetail("The server answered HTTP status %ld with Location %s.",
							   resp->status,
							   rest_shorten(shown, strlen(shown), 200))));
		if (!rest_same_origin(target, f->first_url))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("server \"%s\" redirected to another server", conn->servername),
					 errdetail("The server answered HTTP status %ld with Location %s.",
							   resp->status, shown),
					 errhint("Redirects are followed only to the scheme, host and port of the request, so that credentials are not sent elsewhere; point base_url at the new location.")));
		if (++f->redirects > REST_MAX_REDIRECTS)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("server \"%s\" redirected more than %d times",
							conn->servername, REST_MAX_REDIRECTS),
					 errdetail("The last redirect was to %s.", shown)));
		f->url = target;
		if (resp->status != 307 && resp->status != 308)
		{
			f->method = "GET";
			f->body = NULL;
		}
		pfree(resp->body);
		rest_pop_request_context(&errctx);
		fetch_send(conn, stats, f, false);
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	if (fail_now || resp->status < 200 || resp->status > 299)
	{
		const char *hint = NULL;

		if (resp->status == 401 && conn->auth_method == REST_AUTH_OAUTH2)
			hint = f->attempt > 0
				? "The API rejected a newly obtained access token; check the scope option of the server and the client's permissions."
				: "The access token was rejected and cannot be refreshed; set refresh_token (or a new access_token) in the user mapping.";
		else if (resp->status == 401 && conn->auth_method == REST_AUTH_BEARER)
			hint = "The access token was rejected; authentication method \"bearer\" does not refresh it: set a new access_token in the user mapping.";
		else if (resp->status == 401 && (conn->auth_method == REST_AUTH_DIGEST ||
										 conn->auth_method == REST_AUTH_NTLM))
			hint = "Check the user and password options of the user mapping.";
		else if (resp->status == 403 && conn->auth_method == REST_AUTH_AWS_SIGV4)
			hint = "Check aws_access_key_id, aws_secret_access_key and aws_session_token in the user mapping, and aws_region and aws_service of the server.";
		else if (resp->status == 401 && conn->auth_method == REST_AUTH_NONE)
			hint = "The API needs credentials: set authentication_method on the server and create a user mapping.";
		else if (resp->status == 401)
			hint = "Check the credentials in the user mapping.";
		else if (resp->status == 403)
			hint = "The credentials are valid but lack permission for this endpoint.";
		else if (resp->status == 404)
			hint = "Check the endpoint option of the foreign table and the base_url option of the server.";

		ereport(f->fail_elevel ? f->fail_elevel : ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("HTTP request to server \"%s\" failed with status %ld",
						conn->servername, resp->status),
				 resp->www_authenticate
				 ? errdetail("The server answered with WWW-Authenticate: %s; body: %s",
							 rest_shorten_scrubbed(resp->www_authenticate,
												   strlen(resp->www_authenticate),
												   200, f->secrets),
							 rest_shorten_scrubbed(resp->body, resp->body_len,
												   200, f->secrets))
				 : errdetail("The server answered: %s",
							 rest_shorten_scrubbed(resp->body, resp->body_len,
												   300, f->secrets)),
				 hint ? errhint("%s", hint) : 0));
		/* reported as a WARNING: the caller skips the request's rows */
		f->failed = true;
		rest_pop_request_context(&errctx);
		MemoryContextSwitchTo(oldcxt);
		return true;
	}

	if (resp->body_len == 0 && f->empty_ok)
	{
		rest_pop_request_context(&errctx);
		MemoryContextSwitchTo(oldcxt);
		return true;
	}
	if (resp->body_len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("response from server \"%s\" is empty", conn->servername),
				 errdetail("The server answered HTTP status %ld with no body.",
						   resp->status),
				 errhint("A JSON array or object was expected.")));

	/* NDJSON, CSV and XML become JSON here, before anything reads them */
decode:
	rest_decode_body(conn, resp, f->format, f->rows_path);
	rest_pop_request_context(&errctx);
	MemoryContextSwitchTo(oldcxt);
	return true;
}

/*
 * GET url (which holds no secret) as the user of conn and return the 2xx
 * response in *resp, with its body in the current memory context, decoded
 * to JSON as format says (NULL: JSON) for an endpoint with rows_path.
 */
void
rest_fetch(RestConnOptions *conn, const char *url, RestHttpResponse *resp,
		   RestScanStats *stats, const RestFormatOptions *format,
		   const char *rows_path)
{
	RestPageFetch f;
	int			epoch = 0;

	memset(&f, 0, sizeof(f));
	f.cxt = CurrentMemoryContext;
	f.param = -1;
	f.method = "GET";
	f.url = pstrdup(url);
	f.first_url = f.url;
	f.format = format;
	f.rows_path = rows_path;
	fetch_send(conn, stats, &f, false);
	do
		rest_http_wait(f.xfer, true);
	while (!fetch_step(conn, stats, &f, &epoch));
	*resp = f.resp;
}

/*
 * One authenticated request that changes data (modify.c): method, url
 * (which holds no secret), body (or NULL) and extra "Name: value" headers
 * as given.  The response, a 2xx, is in *resp, its body (possibly empty:
 * 201 and 204 need none) in the current memory context; it is JSON, not
 * decoded from another format.  As for every request but GET, http.c
 * retries it only when it surely did not reach the server, unless
 * idempotent says it carries an idempotency key, which makes a retry safe.
 * A 401 of OAuth 2.0 is sent again once with a new token (the API did not
 * act on it); redirects are followed as rest_fetch follows them.  The
 * response's Location header is kept in resp->captured_header (the id of
 * a created resource).  A failure status the API answers with is an
 * ERROR, or reported at fail_elevel (WARNING) and false returned.
 */
bool
rest_send_write(RestConnOptions *conn, const char *method, const char *url,
				const char *body, List *headers, bool idempotent,
				int fail_elevel, RestHttpResponse *resp, RestScanStats *stats)
{
	RestPageFetch f;
	int			epoch = 0;

	memset(&f, 0, sizeof(f));
	f.cxt = CurrentMemoryContext;
	f.param = -1;
	f.method = method;
	f.body = body ? pstrdup(body) : NULL;
	f.url = pstrdup(url);
	f.first_url = f.url;
	f.headers = headers;
	f.idempotent = idempotent;
	f.empty_ok = true;
	f.capture_header = "location";
	f.fail_elevel = fail_elevel;
	fetch_send(conn, stats, &f, false);
	do
		rest_http_wait(f.xfer, true);
	while (!fetch_step(conn, stats, &f, &epoch));
	*resp = f.resp;
	return !f.failed;
}

/*
 * Start paging the requests of request (rest_request_start has computed
 * its pushed values; rest_request_page builds each page's request).
 * bound is the number of rows the query needs at most, or -1.  The pager,
 * its paging state and the pages in flight live in the current memory
 * context until it is reset.
 */
RestPager *
rest_pager_create(RestConnOptions *conn, RestPaging *cfg,
				  RestScanRequest *request, int64 bound, RestScanStats *stats,
				  const char *relname)
{
	RestPager  *pager = palloc0(sizeof(RestPager));
	bool		limit_var = (rest_request_variables(request) & REST_VAR_LIMIT) != 0;
	bool		sends_limit = cfg->page_size_param != NULL || limit_var;
	char	   *body;

	pager->conn = conn;
	pager->cfg = cfg;
	pager->stats = stats;
	pager->relname = relname;
	pager->request = request;
	pager->method = request->table->method == REST_METHOD_POST ? "POST" : "GET";
	pager->bound = bound;
	pager->offset = cfg->first_offset;
	pager->page = cfg->first_page;
	pager->cxt = CurrentMemoryContext;
	pager->concurrency = cfg->style == REST_PAGING_NONE ? 1
		: Max(cfg->fetch_concurrency, 1);
	pager->inflight = palloc0(sizeof(RestPageFetch *) * pager->concurrency);
	pager->total = -1;
	pager->total_pages = -1;
	pager->window = 1;
	pager->cursor_col = -1;

	/* ask for no more rows than the query needs */
	pager->page_size = cfg->page_size;
	if (bound > 0 && sends_limit &&
		(cfg->style == REST_PAGING_OFFSET || cfg->style == REST_PAGING_PAGE ||
		 cfg->style == REST_PAGING_CURSOR || cfg->style == REST_PAGING_NEXT_URL ||
		 (cfg->style == REST_PAGING_NONE && limit_var)) &&
		(pager->page_size == 0 || bound < pager->page_size))
		pager->page_size = (int) Min(bound, (int64) INT_MAX);

	if (cfg->style == REST_PAGING_CURSOR)
		pager->meta_paths[REST_META_CURSOR] = cfg->cursor_path;
	if (cfg->style == REST_PAGING_NEXT_URL)
		pager->meta_paths[REST_META_NEXT_URL] = cfg->next_url_path;
	pager->meta_paths[REST_META_SUCCESS] = cfg->success_path;
	pager->meta_paths[REST_META_ERROR] = cfg->error_path;
	if (cfg->style != REST_PAGING_NONE)
	{
		pager->meta_paths[REST_META_HAS_MORE] = cfg->has_more_path;
		pager->meta_paths[REST_META_TOTAL_COUNT] = cfg->total_count_path;
		pager->meta_paths[REST_META_TOTAL_PAGES] = cfg->total_pages_path;
	}
	/* next URLs are resolved against the first, and must keep its origin */
	pager->url = page_url(pager, cfg->style == REST_PAGING_OFFSET ?
						  pager->offset : cfg->style == REST_PAGING_PAGE ?
						  pager->page : -1, &body);
	return pager;
}

/*
 * The URL of the next page to request, and in *body its body (NULL for
 * none): for offset and page-number paging the one with offset or page
 * number param, for the other styles the one the last response pointed
 * to.  request.c builds it from the templates with the paging variables'
 * values; the paging parameters the templates do not hold are added
 * here.  palloc'd in the current context.
 */
static char *
page_url(RestPager *pager, int64 param, char **body)
{
	RestPaging *cfg = pager->cfg;
	RestPageVars vars;
	int			in_template = rest_request_variables(pager->request);
	StringInfoData url;
	char	   *built;

	vars.limit = pager->page_size > 0 ? pager->page_size : -1;
	vars.offset = cfg->style == REST_PAGING_OFFSET ? param : -1;
	vars.page = cfg->style == REST_PAGING_PAGE ? param : -1;
	vars.cursor = cfg->style == REST_PAGING_CURSOR ? pager->cursor : NULL;
	built = rest_request_page(pager->request, &vars, body);

	initStringInfo(&url);
	if ((cfg->style == REST_PAGING_NEXT_URL ||
		 cfg->style == REST_PAGING_LINK_HEADER) && pager->next_url)
		appendStringInfoString(&url, pager->next_url);
	else
	{
		appendStringInfoString(&url, built);
		switch (cfg->style)
		{
			case REST_PAGING_OFFSET:
				if (!(in_template & REST_VAR_OFFSET))
					rest_append_query_param(&url, cfg->offset_param,
											psprintf(INT64_FORMAT, param));
				break;
			case REST_PAGING_PAGE:
				if (!(in_template & REST_VAR_PAGE))
					rest_append_query_param(&url, cfg->page_param,
											psprintf(INT64_FORMAT, param));
				break;
			case REST_PAGING_CURSOR:
				/* with cursor_request_header, issue() sends it as a header */
				if (pager->cursor && !(in_template & REST_VAR_CURSOR) &&
					cfg->cursor_request_header == NULL)
					rest_append_query_param(&url, cfg->cursor_param, pager->cursor);
				break;
			default:
				break;
		}
		if (pager->page_size > 0 && cfg->page_size_param &&
			cfg->style != REST_PAGING_NONE && !(in_template & REST_VAR_LIMIT))
			rest_append_query_param(&url, cfg->page_size_param,
									psprintf("%d", pager->page_size));
	}
	return url.data;
}

/* The offset or page number sequential paging asks for next, or -1 */
static int64
next_param(RestPager *pager)
{
	if (pager->cfg->style == REST_PAGING_OFFSET)
		return pager->offset;
	if (pager->cfg->style == REST_PAGING_PAGE)
		return pager->page;
	return -1;
}

/*
 * Request the page after those in flight (param as for page_url) and send
 * the request at once.  Everything of it lives in a new memory context
 * under the pager's.
 */
static void
issue(RestPager *pager, int64 param)
{
	RestPaging *cfg = pager->cfg;
	MemoryContext cxt;
	MemoryContext oldcxt;
	RestPageFetch *f;

	Assert(pager->ninflight < pager->concurrency);
	cxt = AllocSetContextCreate(pager->cxt, "rest_fdw page",
								ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(cxt);
	f = palloc0(sizeof(RestPageFetch));
	f->cxt = cxt;
	f->param = param;
	f->method = pager->method;
	f->url = page_url(pager, param, &f->body);
	f->first_url = f->url;
	f->page_display_url = rest_auth_mask_url(pager->conn, f->url);
	f->epoch = pager->auth_epoch;
	f->capture_header = cfg->total_count_header;
	f->link_header = cfg->style == REST_PAGING_NEXT_URL ? cfg->next_url_header
		: cfg->style == REST_PAGING_CURSOR ? cfg->cursor_header : NULL;
	f->format = &cfg->format;
	f->rows_path = pager->request->endpoint ? pager->request->endpoint->rows_path : NULL;
	f->http_rules = cfg->http_rules;
	f->cache_ttl = cfg->cache_ttl;
	f->headers = rest_request_headers(pager->request);
	if (cfg->style == REST_PAGING_CURSOR && cfg->cursor_request_header &&
		pager->cursor)
		f->headers = lappend(list_copy(f->headers),
							 cursor_header_line(pager, cfg->cursor_request_header));
	pager->inflight[pager->ninflight++] = f;

	/* a next URL that leads back to the first page is a loop too */
	if (pager->pages == 0 && pager->ninflight == 1 &&
		(cfg->style == REST_PAGING_NEXT_URL ||
		 cfg->style == REST_PAGING_LINK_HEADER))
	{
		MemoryContextSwitchTo(pager->cxt);
		(void) seen_before(pager, f->url);
		MemoryContextSwitchTo(cxt);
	}

	fetch_send(pager->conn, pager->stats, f, false);
	MemoryContextSwitchTo(oldcxt);
	rest_http_wait(f->xfer, false);
}

/* Abort and forget the pages in flight from position from on. */
static void
discard_inflight(RestPager *pager, int from)
{
	while (pager->ninflight > from)
	{
		RestPageFetch *f = pager->inflight[--pager->ninflight];

		pager->inflight[pager->ninflight] = NULL;
		MemoryContextDelete(f->cxt);
		/* its rows, if any, are never returned */
		if (pager->stats)
			pager->stats->requests_without_rows++;
	}
}

/*
 * cursor_row_path: the next cursor is the value of column col (one the
 * query may not select) in each page's last row.
 */
void
rest_pager_set_cursor_column(RestPager *pager, int col)
{
	pager->cursor_col = col;
}

/*
 * Free the response of the page returned last.  Called when the caller no
 * longer needs its body; rest_pager_next and rest_pager_end do it anyway.
 */
void
rest_pager_release_page(RestPager *pager)
{
	if (pager->current)
	{
		MemoryContextDelete(pager->current->cxt);
		pager->current = NULL;
	}
}

/* Is message one of the auth_error_values (a comma-separated list)? */
static bool
is_auth_error(RestPaging *cfg, const char *message)
{
	const char *p = cfg->auth_error_values;
	size_t		mlen;

	if (p == NULL || message == NULL)
		return false;
	mlen = strlen(message);
	while (*p)
	{
		const char *end = strchr(p, ',');
		size_t		len;

		if (end == NULL)
			end = p + strlen(p);
		while (*p == ' ')
			p++;
		len = end - p;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0 && len == mlen && strncmp(p, message, len) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/*
 * Errors inside a 2xx response (success_path, error_path), checked before
 * the page's rows are parsed, so that none of them is returned.  A message
 * among auth_error_values is answered like a 401: with OAuth 2.0 that can
 * be refreshed, the page is requested once more with a new token and true
 * returned; otherwise it is an ERROR.  false: the body reports no error
 * (or is too large to be read here: advance_state checks what rows.c
 * found).
 */
static bool
fetch_reported_error(RestPager *pager, RestPageFetch *f)
{
	RestPaging *cfg = pager->cfg;
	MemoryContext oldcxt;
	RestRequestContext errctx;
	char	   *message;
	bool		auth_like;

	if ((cfg->success_path == NULL && cfg->error_path == NULL) || f->zero_rows)
		return false;
	oldcxt = MemoryContextSwitchTo(f->cxt);
	if (rest_body_status(f->resp.body, f->resp.body_len, cfg->success_path,
						 cfg->error_path, &message) != REST_BODY_FAILED)
	{
		MemoryContextSwitchTo(oldcxt);
		return false;
	}
	auth_like = is_auth_error(cfg, message);
	if (auth_like && f->attempt == 0 && rest_auth_refreshable(pager->conn))
	{
		fetch_again_new_token(pager->conn, pager->stats, f, &pager->auth_epoch);
		MemoryContextSwitchTo(oldcxt);
		return true;
	}
	rest_push_request_context(&errctx, f->method, f->req_display_url, NULL);
	report_body_error(pager, message, auth_like, f->secrets);
}

/*
 * The ERROR for a response that says the request failed: the API's
 * message (shortened, without the credentials sent), or which element
 * said so.
 */
static void
report_body_error(RestPager *pager, const char *message, bool auth_like,
				  List *secrets)
{
	RestPaging *cfg = pager->cfg;
	const char *hint = NULL;

	if (auth_like && rest_auth_refreshable(pager->conn))
		hint = "The API rejected a newly obtained access token; check the scope option of the server and the client's permissions.";
	else if (auth_like)
		hint = "The API rejected the credentials; check the user mapping.";

	if (message)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("server \"%s\" answered with an error: %s",
						pager->conn->servername,
						rest_shorten_scrubbed(message, strlen(message), 200,
											  secrets)),
				 errdetail("The response for foreign table \"%s\" holds the error in its element \"%s\".",
						   pager->relname, cfg->error_path),
				 hint ? errhint("%s", hint) : 0));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("server \"%s\" answered that the request failed",
					pager->conn->servername),
			 errdetail("The element \"%s\" of the response for foreign table \"%s\" is false.",
					   cfg->success_path, pager->relname),
			 hint ? errhint("%s", hint) : 0));
}

/*
 * The next page of the scan, in order, in *resp (valid until the next call
 * or rest_pager_release_page).  Returns false, without a request, when the
 * previous page was the last, and also when this page's answer means no
 * rows (an http_rules zero_rows rule).  Waits for the page if needed, letting the
 * other requests in flight go on.
 */
bool
rest_pager_next(RestPager *pager, RestHttpResponse **resp)
{
	RestPaging *cfg = pager->cfg;
	RestPageFetch *f;

	rest_pager_release_page(pager);
	if (pager->done)
		return false;

	if (pager->pages >= cfg->max_pages)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("foreign table \"%s\" has more than %d pages",
						pager->relname, cfg->max_pages),
				 errdetail("The last page requested was %s.",
						   pager->display_url ? pager->display_url : "?"),
				 errhint("Raise the \"%s\" option, or add conditions that the API can apply.",
						 OPT_MAX_PAGES)));

	if (pager->ninflight == 0)
		issue(pager, next_param(pager));
	f = pager->inflight[0];
	do
	{
		do
			rest_http_wait(f->xfer, true);
		while (!fetch_step(pager->conn, pager->stats, f, &pager->auth_epoch));
	} while (fetch_reported_error(pager, f));

	pager->ninflight--;
	memmove(pager->inflight, pager->inflight + 1,
			sizeof(RestPageFetch *) * pager->ninflight);
	pager->inflight[pager->ninflight] = NULL;

	/* an http_rules zero_rows answer: no rows, and no page after it */
	if (f->zero_rows)
	{
		pager->done = true;
		pager->pages++;
		if (pager->stats)
		{
			pager->stats->pages++;
			pager->stats->requests_without_rows++;
		}
		MemoryContextDelete(f->cxt);
		discard_inflight(pager, 0);
		return false;
	}
	pager->current = f;

	if (pager->display_url)
		pfree(pager->display_url);
	pager->display_url = MemoryContextStrdup(pager->cxt, f->page_display_url);
	pager->display_method = f->method;
	pager->pages++;
	if (pager->stats)
		pager->stats->pages++;
	*resp = &f->resp;
	return true;
}

/*
 * Let the requests in flight make progress without waiting; called while
 * rows are returned, so that prefetched pages arrive meanwhile.
 */
void
rest_pager_poll(RestPager *pager)
{
	if (pager->ninflight > 0 && pager->inflight[0]->xfer != NULL)
		rest_http_wait(pager->inflight[0]->xfer, false);
}

/* The scan ends: abort the requests in flight, free the last page. */
void
rest_pager_end(RestPager *pager)
{
	discard_inflight(pager, 0);
	rest_pager_release_page(pager);
}

/* Was the page rest_pager_next returned last the last page of the scan? */
bool
rest_pager_done(RestPager *pager)
{
	return pager->done;
}

/* The number of pages rest_pager_next returned */
int
rest_pager_pages(RestPager *pager)
{
	return pager->pages;
}

/*
 * The paths of the metadata elements the pager reads from each page
 * (REST_NMETA of them, indexed by REST_META_*; NULL for those it does not
 * need), for rest_parse_rows.
 */
const char **
rest_pager_meta_paths(RestPager *pager)
{
	return pager->meta_paths;
}

/* The masked URL of the page rest_pager_next returned last, or NULL */
const char *
rest_pager_display_url(RestPager *pager)
{
	return pager->display_url;
}

/* The method of that request ("GET" or "POST"), or NULL */
const char *
rest_pager_display_method(RestPager *pager)
{
	return pager->display_method;
}

/*
 * Request pages ahead after a page was consumed; see the file header.
 * Pages in flight that are not the ones sequential paging asks for next
 * are discarded first.
 */
static void
schedule(RestPager *pager)
{
	RestPaging *cfg = pager->cfg;
	int64		next;
	int64		stride;
	int			limit;
	int			j;

	if (pager->done)
	{
		discard_inflight(pager, 0);
		return;
	}
	if (pager->concurrency <= 1)
		return;					/* one page at a time, when it is needed */

	if (cfg->style != REST_PAGING_OFFSET && cfg->style != REST_PAGING_PAGE)
	{
		/* the next page's request depends on this one: prefetch one */
		if (pager->ninflight == 0)
			issue(pager, -1);
		return;
	}

	next = next_param(pager);
	stride = cfg->style == REST_PAGING_OFFSET ? pager->step : 1;
	for (j = 0; j < pager->ninflight; j++)
	{
		if (pager->inflight[j]->param != next + j * stride)
		{
			discard_inflight(pager, j);
			break;
		}
	}
	if (pager->step <= 0)
		return;

	limit = window_size(pager);
	while (pager->ninflight < limit)
	{
		int64		ahead = pager->ninflight;
		int64		param = next + ahead * stride;
		int64		rows_before = pager->rows + ahead * pager->step;

		if (pager->pages + ahead >= cfg->max_pages)
			break;				/* the max_pages error comes in order */
		if (pager->bound > 0 && rows_before >= pager->bound)
			break;
		if (cfg->style == REST_PAGING_OFFSET && pager->total >= 0 &&
			param - cfg->first_offset >= pager->total)
			break;
		if (cfg->style == REST_PAGING_PAGE && pager->total >= 0 &&
			rows_before >= pager->total)
			break;
		if (cfg->style == REST_PAGING_PAGE && pager->total_pages >= 0 &&
			param > cfg->first_page + pager->total_pages - 1)
			break;
		issue(pager, param);
	}
}

/*
 * How many pages may be in flight with offset and page-number paging.
 * Once the end is known (a total count or a page count), all that
 * concurrency allows, refilled as pages are consumed: no page past the end
 * is requested.  Before, pages are requested in generations of the window's
 * size, the next one only when the last is consumed (see grow_window), so
 * that a short scan whose end shows only as a short or empty page gets few
 * requests past it; once a generation of fetch_concurrency pages came back
 * full, the scan is a long one, and the window is refilled as pages are
 * consumed, never holding more than fetch_concurrency requests past the
 * end.
 */
static int
window_size(RestPager *pager)
{
	if (pager->total >= 0 || pager->total_pages >= 0 || pager->window_open)
		return pager->concurrency;
	return pager->ninflight > 0 ? 0 : pager->window;
}

/*
 * The window after a page of n rows was consumed: it doubles (1, 2, 4, ...
 * up to concurrency) each time a generation of pages came back full, and
 * opens (see window_size) when a generation of concurrency pages did.  A
 * short page means that the end is near (or that the API pages
 * irregularly): from then on one page at a time, as sequential paging asks
 * for it.
 */
static void
grow_window(RestPager *pager, int64 n)
{
	int64		full = pager->page_size > 0 ? pager->page_size : pager->step;

	if (n < full)
		pager->short_seen = true;
	if (pager->short_seen)
	{
		pager->window = 1;
		pager->window_open = false;
	}
	else if (pager->ninflight == 0 && pager->window == pager->concurrency)
		pager->window_open = true;
	else if (pager->ninflight == 0)
		pager->window = Min(pager->window * 2, pager->concurrency);
}

/* Has this cursor or URL been seen in this scan?  Remember it. */
static bool
seen_before(RestPager *pager, const char *s)
{
	ListCell   *lc;

	foreach(lc, pager->seen)
	{
		if (strcmp((char *) lfirst(lc), s) == 0)
			return true;
	}
	pager->seen = lappend(pager->seen, pstrdup(s));
	return false;
}

/*
 * The URL of the rel="next" link of an RFC 8288 Link header (palloc'd), or
 * NULL when there is none; *malformed tells a header that cannot be read.
 * Reads untrusted text: no ERROR, no reads past the terminating NUL.
 */
char *
rest_link_next(const char *header, bool *malformed)
{
	const char *p = header;

	*malformed = false;

	while (*p)
	{
		const char *uri_start;
		const char *uri_end;
		bool		is_next = false;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p != '<' || (uri_end = strchr(p, '>')) == NULL)
			goto malformed;
		uri_start = p + 1;
		p = uri_end + 1;

		/* parameters: ; name=value or ; name="value" */
		for (;;)
		{
			const char *name;
			size_t		namelen;
			char	   *value;

			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ';')
				break;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			name = p;
			while (*p && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
				p++;
			namelen = p - name;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '=')
				continue;		/* a parameter without value */
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '"')
			{
				const char *end = strchr(p + 1, '"');

				if (end == NULL)
					goto malformed;
				value = pnstrdup(p + 1, end - p - 1);
				p = end + 1;
			}
			else
			{
				const char *start = p;

				while (*p && *p != ';' && *p != ',' && *p != ' ')
					p++;
				value = pnstrdup(start, p - start);
			}
			if (namelen == 3 && pg_strncasecmp(name, "rel", 3) == 0)
			{
				/* rel may hold several space-separated relation types */
				char	   *tok;
				char	   *save;

				for (tok = strtok_r(value, " \t", &save); tok;
					 tok = strtok_r(NULL, " \t", &save))
					if (pg_strcasecmp(tok, "next") == 0)
						is_next = true;
			}
		}
		if (*p != '\0' && *p != ',')
			goto malformed;
		if (is_next)
			return pnstrdup(uri_start, uri_end - uri_start);
	}
	return NULL;

malformed:
	*malformed = true;
	return NULL;
}

/*
 * A next-page URL from the response: resolved against the request's URL,
 * and refused unless it keeps the first request's scheme, host and port.
 * A URL that echoes the query string holds the API key of url_parameter
 * authentication: it is taken out, to be added once again, and masked in
 * messages, as every credential is.
 */
static char *
checked_next_url(RestPager *pager, const char *ref, const char *what)
{
	RestConnOptions *conn = pager->conn;
	char	   *next = NULL;
	const char *p;
	bool		plausible = true;

	/*
	 * RFC 3986 would read "ht!tp://x" as a relative path; a next link that
	 * names a scheme must name http or https, and no URL holds spaces.
	 */
	for (p = ref; *p; p++)
		if ((unsigned char) *p <= ' ' || *p == 0x7f)
			plausible = false;
	if (strstr(ref, "://") != NULL &&
		pg_strncasecmp(ref, "http://", 7) != 0 &&
		pg_strncasecmp(ref, "https://", 8) != 0)
		plausible = false;
	if (plausible)
		next = rest_resolve_url(pager->url, ref);

	if (next == NULL)
	{
		char	   *shown = rest_auth_mask_url(conn, ref);

		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid next page URL in the %s of the response for foreign table \"%s\"",
						what, pager->relname),
				 errdetail("The URL is \"%s\".", rest_shorten(shown, strlen(shown), 200))));
	}
	next = rest_auth_strip_url(conn, next);
	if (!rest_same_origin(next, pager->url))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("next page URL of foreign table \"%s\" points to another server",
						pager->relname),
				 errdetail("The next page is %s, the first was %s.",
						   rest_auth_mask_url(conn, next),
						   rest_auth_mask_url(conn, pager->url)),
				 errhint("Credentials are only sent to the scheme, host and port of the server's base_url.")));
	if (seen_before(pager, next))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("paging of foreign table \"%s\" loops", pager->relname),
				 errdetail("The next page URL %s was already fetched in this scan.",
						   rest_auth_mask_url(conn, next))));
	return next;
}

/*
 * The total of a total_count_header value, or -1 when it gives none:
 * X-Total-Count: 1003, or a Content-Range with the total after the slash,
 * as "items 0-99/1003", "0-99/1003" or PostgREST's "* /1003" (written here
 * with a space; a total of "*" means that it is not known).  Reads
 * untrusted text: no ERROR.
 */
static int64
header_total(const char *v)
{
	const char *slash = strrchr(v, '/');
	int64		total = 0;
	int			digits = 0;

	if (slash)
		v = slash + 1;
	while (*v == ' ')
		v++;
	for (; *v >= '0' && *v <= '9'; v++)
	{
		if (++digits > 15)
			return -1;
		total = total * 10 + (*v - '0');
	}
	while (*v == ' ')
		v++;
	return digits > 0 && *v == '\0' ? total : -1;
}

/*
 * The total number of rows a page announces, in the total_count_path
 * element or the total_count_header header, or -1.  The element wins when
 * both are given and the page has it.
 */
static int64
page_total(RestPager *pager, RestRowSet *rs, RestHttpResponse *resp)
{
	RestPaging *cfg = pager->cfg;
	int64		total = -1;
	bool		is_true;

	if (cfg->total_count_path)
		total = meta_int(rest_rowset_meta(rs, REST_META_TOTAL_COUNT, &is_true));
	if (total < 0 && cfg->total_count_header && resp->captured_header)
		total = header_total(resp->captured_header);
	return total;
}

/* A non-negative integer from a metadata element, or -1 */
static int64
meta_int(const char *s)
{
	char	   *end;
	double		d;

	if (s == NULL)
		return -1;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || !(d >= 0 && d < 9e15))
		return -1;
	return (int64) d;
}

/*
 * Decide from the page just parsed (the one rest_pager_next returned)
 * whether there is another and how to ask for it, then request the pages
 * ahead that concurrency allows.
 */
void
rest_pager_advance(RestPager *pager, RestRowSet *rs, RestHttpResponse *resp)
{
	RestRequestContext errctx;

	/* errors about what the page said; the next requests have their own */
	rest_push_request_context(&errctx, pager->method, pager->display_url, NULL);
	advance_state(pager, rs, resp);
	rest_pop_request_context(&errctx);
	schedule(pager);
}

/*
 * cursor_row_path: the next cursor, the value at that path in the last of
 * the page's n rows (n > 0).  A last row without it is an ERROR: the scan
 * could not go on, and ending it would hide the rows after it.
 */
static const char *
last_row_cursor(RestPager *pager, RestRowSet *rs, int64 n)
{
	char	   *v = NULL;

	if (pager->cursor_col >= 0)
		v = rest_rowset_text(rs, n - 1, pager->cursor_col);
	if (v == NULL || v[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("the last row of a page of foreign table \"%s\" has no element \"%s\"",
						pager->relname, pager->cfg->cursor_row_path),
				 errdetail("The next page is asked for with the value of \"%s\" in the last row of the page.",
						   OPT_CURSOR_ROW_PATH)));
	return v;
}

/* The sequential paging state after a page: done, or the next request */
static void
advance_state(RestPager *pager, RestRowSet *rs, RestHttpResponse *resp)
{
	RestPaging *cfg = pager->cfg;
	int64		n = rest_rowset_elements(rs);
	bool		is_true;
	const char *v;

	/* a body too large for fetch_reported_error: its scalar elements */
	if (cfg->success_path || cfg->error_path)
	{
		v = rest_rowset_meta(rs, REST_META_ERROR, &is_true);
		if (v != NULL && v[0] != '\0' && strcmp(v, "false") != 0)
			report_body_error(pager, v, is_auth_error(cfg, v), resp->secrets);
		v = rest_rowset_meta(rs, REST_META_SUCCESS, &is_true);
		if (v != NULL && strcmp(v, "false") == 0)
			report_body_error(pager, NULL, false, resp->secrets);
	}

	pager->rows += n;
	if (pager->pages == 1)
		pager->step = n;		/* the API's page size, as far as we know */

	/* a response that is one object, not an array of rows, has no pages */
	if (cfg->style == REST_PAGING_NONE || n == 0 || rest_rowset_single(rs))
	{
		pager->done = true;
		if (n == 0 && pager->stats)
			pager->stats->requests_without_rows++;
		return;
	}
	if (cfg->style == REST_PAGING_OFFSET || cfg->style == REST_PAGING_PAGE)
		grow_window(pager, n);
	/* the query needs no more rows */
	if (pager->bound > 0 && pager->rows >= pager->bound)
	{
		pager->done = true;
		return;
	}
	if (cfg->has_more_path)
	{
		v = rest_rowset_meta(rs, REST_META_HAS_MORE, &is_true);
		if (v != NULL && !is_true)
		{
			pager->done = true;
			return;
		}
	}
	if (cfg->short_page_ends && pager->page_size > 0 && n < pager->page_size)
	{
		pager->done = true;
		return;
	}

	switch (cfg->style)
	{
		case REST_PAGING_OFFSET:
			pager->offset += n;
			if (cfg->total_count_path || cfg->total_count_header)
			{
				int64		total = page_total(pager, rs, resp);

				pager->total = total;
				if (total >= 0 && pager->offset - cfg->first_offset >= total)
					pager->done = true;
			}
			break;

		case REST_PAGING_PAGE:
			if (cfg->total_count_path || cfg->total_count_header)
			{
				int64		total = page_total(pager, rs, resp);

				pager->total = total;
				if (total >= 0 && pager->rows >= total)
					pager->done = true;
			}
			if (cfg->total_pages_path)
			{
				int64		tp = meta_int(rest_rowset_meta(rs, REST_META_TOTAL_PAGES, &is_true));

				pager->total_pages = tp;
				if (tp >= 0 && pager->page >= cfg->first_page + tp - 1)
					pager->done = true;
			}
			pager->page++;
			break;

		case REST_PAGING_CURSOR:
			if (cfg->cursor_row_path)
				v = last_row_cursor(pager, rs, n);
			else if (cfg->cursor_header)
			{
				if (resp->link_too_long)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_ERROR),
							 errmsg("%s header of the response for foreign table \"%s\" is too long",
									cfg->cursor_header, pager->relname)));
				v = resp->link;
			}
			else
				v = rest_rowset_meta(rs, REST_META_CURSOR, &is_true);
			if (v == NULL || v[0] == '\0')
				pager->done = true;
			else if (seen_before(pager, v))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("paging of foreign table \"%s\" loops", pager->relname),
						 errdetail("The response repeated the cursor \"%s\".",
								   rest_shorten_scrubbed(v, strlen(v), 100,
														 rest_auth_secrets(pager->conn,
																		   NULL)))));
			else
				pager->cursor = pstrdup(v);
			break;

		case REST_PAGING_NEXT_URL:
			if (cfg->next_url_header)
			{
				/* the whole value of the header is the URL */
				if (resp->link_too_long)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_ERROR),
							 errmsg("%s header of the response for foreign table \"%s\" is too long",
									cfg->next_url_header, pager->relname)));
				v = resp->link;
			}
			else
				v = rest_rowset_meta(rs, REST_META_NEXT_URL, &is_true);
			if (v == NULL || v[0] == '\0')
				pager->done = true;
			else
				pager->next_url = checked_next_url(pager, v, cfg->next_url_header
												   ? psprintf("%s header", cfg->next_url_header)
												   : cfg->next_url_path);
			break;

		case REST_PAGING_LINK_HEADER:
			{
				char	   *next;
				bool		malformed = false;

				if (resp->link_too_long)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_ERROR),
							 errmsg("Link header of the response for foreign table \"%s\" is too long",
									pager->relname)));

				next = resp->link ? rest_link_next(resp->link, &malformed) : NULL;
				if (malformed)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_ERROR),
							 errmsg("malformed Link header in the response for foreign table \"%s\"",
									pager->relname),
							 errdetail("Link: %s",
									   rest_shorten_scrubbed(resp->link,
															 strlen(resp->link), 300,
															 rest_auth_secrets(pager->conn,
																			   NULL)))));
				if (next == NULL)
					pager->done = true;
				else
					pager->next_url = checked_next_url(pager, next, "Link header");
				break;
			}

		case REST_PAGING_NONE:
			break;
	}
}
