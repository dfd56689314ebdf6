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
 * requested ahead speculatively and those past the end found are
 * discarded.  Responses are consumed in scan order only, through the same
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

/* One page's request, followed through a 401 and redirects */
typedef struct RestPageFetch
{
	MemoryContext cxt;			/* everything of this fetch */
	int64		param;			/* offset or page number asked for, or -1 */
	char	   *url;			/* of the current request, no credentials */
	char	   *first_url;		/* redirects stay in its origin */
	char	   *page_display_url;	/* masked first URL, for paging errors */
	char	   *req_display_url;	/* masked URL as sent, for HTTP errors */
	List	   *secrets;		/* credentials sent, never shown (auth.c) */
	RestHttpXfer *xfer;			/* the request in flight, or NULL */
	int			attempt;		/* 1 once a 401 was answered */
	int			epoch;			/* auth epoch when the request was sent */
	int			redirects;
	RestHttpResponse resp;		/* the final response */
} RestPageFetch;

/* The paging state of a scan */
struct RestPager
{
	RestConnOptions *conn;
	RestPaging *cfg;
	RestScanStats *stats;
	const char *relname;
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
};

static bool json_content_type(const char *ct);
static bool seen_before(RestPager *pager, const char *s);
static void fetch_send(RestConnOptions *conn, RestScanStats *stats,
					   RestPageFetch *f, bool force_new_token);
static bool fetch_step(RestConnOptions *conn, RestScanStats *stats,
					   RestPageFetch *f, int *auth_epoch);
static void advance_state(RestPager *pager, RestRowSet *rs,
						  RestHttpResponse *resp);
static void schedule(RestPager *pager);
static void discard_inflight(RestPager *pager, int from);

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

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = f->url;
	req.display_url = rest_auth_mask_url(conn, f->url);
	req.headers = list_copy(conn->headers);
	if (!has_header(req.headers, "Accept"))
		req.headers = lcons("Accept: application/json", req.headers);
	rest_auth_add_credentials(conn, &req, force_new_token, stats);
	f->req_display_url = (char *) req.display_url;
	f->secrets = req.secrets;

	f->xfer = rest_http_start(conn, &req);
	if (stats)
		stats->requests++;
	MemoryContextSwitchTo(oldcxt);
}

/*
 * The transfer of f is done: take its response.  A 401 of an OAuth 2.0
 * API is answered once with a new token (unless another fetch of the scan
 * got one since this request was sent: then that one is used), and
 * redirects are followed within the first URL's origin; both send the
 * request again and return false.  Otherwise the response must be a
 * non-empty 2xx JSON answer, or this is an ERROR; returns true.
 */
static bool
fetch_step(RestConnOptions *conn, RestScanStats *stats, RestPageFetch *f,
		   int *auth_epoch)
{
	RestHttpResponse *resp = &f->resp;
	MemoryContext oldcxt = MemoryContextSwitchTo(f->cxt);
	RestRequestContext errctx;

	rest_http_finish(f->xfer, resp);
	f->xfer = NULL;
	/* popped before the request is sent again: that one has its own */
	rest_push_request_context(&errctx, "GET", f->req_display_url, NULL);
	if (stats)
	{
		stats->requests += resp->retries;
		stats->retries += resp->retries;
		stats->bytes += resp->body_len;
	}

	/* one new token and one retry for a rejected OAuth token */
	if (resp->status == 401 && f->attempt == 0 && rest_auth_refreshable(conn))
	{
		bool		force = f->epoch == *auth_epoch;

		f->attempt++;
		if (force)
			(*auth_epoch)++;
		f->epoch = *auth_epoch;
		pfree(resp->body);
		rest_pop_request_context(&errctx);
		fetch_send(conn, stats, f, force);
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	/*
	 * Redirects are followed only within the first URL's origin, so
	 * credentials never go to another server.  A Location that echoes the
	 * query string holds the API key of url_parameter authentication: it
	 * is taken out, to be added once again.
	 */
	if ((resp->status == 301 || resp->status == 302 || resp->status == 303 ||
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
		pfree(resp->body);
		rest_pop_request_context(&errctx);
		fetch_send(conn, stats, f, false);
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	if (resp->status < 200 || resp->status > 299)
	{
		const char *hint = NULL;

		if (resp->status == 401 && conn->auth_method == REST_AUTH_OAUTH2)
			hint = f->attempt > 0
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
	}

	if (resp->body_len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("response from server \"%s\" is empty", conn->servername),
				 errdetail("The server answered HTTP status %ld with no body.",
						   resp->status),
				 errhint("A JSON array or object was expected.")));

	if (resp->content_type != NULL && !json_content_type(resp->content_type))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("response from server \"%s\" is not JSON", conn->servername),
				 errdetail("The server answered with Content-Type \"%s\": %s",
						   rest_shorten_scrubbed(resp->content_type,
												 strlen(resp->content_type),
												 100, f->secrets),
						   rest_shorten_scrubbed(resp->body, resp->body_len,
												 200, f->secrets))));
	rest_pop_request_context(&errctx);
	MemoryContextSwitchTo(oldcxt);
	return true;
}

/*
 * GET url (which holds no secret) as the user of conn and return the 2xx
 * response in *resp, with its body in the current memory context.
 */
void
rest_fetch(RestConnOptions *conn, const char *url, RestHttpResponse *resp,
		   RestScanStats *stats)
{
	RestPageFetch f;
	int			epoch = 0;

	memset(&f, 0, sizeof(f));
	f.cxt = CurrentMemoryContext;
	f.param = -1;
	f.url = pstrdup(url);
	f.first_url = f.url;
	fetch_send(conn, stats, &f, false);
	do
		rest_http_wait(f.xfer, true);
	while (!fetch_step(conn, stats, &f, &epoch));
	*resp = f.resp;
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

/*
 * Start paging url (which carries the endpoint's query string and the
 * pushed parameters).  bound is the number of rows the query needs at
 * most, or -1.  The pager, its paging state and the pages in flight live
 * in the current memory context until it is reset.
 */
RestPager *
rest_pager_create(RestConnOptions *conn, RestPaging *cfg, const char *url,
				  int64 bound, RestScanStats *stats, const char *relname)
{
	RestPager  *pager = palloc0(sizeof(RestPager));

	pager->conn = conn;
	pager->cfg = cfg;
	pager->stats = stats;
	pager->relname = relname;
	pager->url = pstrdup(url);
	pager->bound = bound;
	pager->offset = cfg->first_offset;
	pager->page = cfg->first_page;
	pager->cxt = CurrentMemoryContext;
	pager->concurrency = cfg->style == REST_PAGING_NONE ? 1
		: Max(cfg->fetch_concurrency, 1);
	pager->inflight = palloc0(sizeof(RestPageFetch *) * pager->concurrency);
	pager->total = -1;
	pager->total_pages = -1;

	/* ask for no more rows than the query needs */
	pager->page_size = cfg->page_size;
	if (bound > 0 && cfg->page_size_param &&
		(cfg->style == REST_PAGING_OFFSET || cfg->style == REST_PAGING_PAGE ||
		 cfg->style == REST_PAGING_CURSOR || cfg->style == REST_PAGING_NEXT_URL) &&
		(pager->page_size == 0 || bound < pager->page_size))
		pager->page_size = (int) Min(bound, (int64) INT_MAX);

	if (cfg->style == REST_PAGING_CURSOR)
		pager->meta_paths[REST_META_CURSOR] = cfg->cursor_path;
	if (cfg->style == REST_PAGING_NEXT_URL)
		pager->meta_paths[REST_META_NEXT_URL] = cfg->next_url_path;
	if (cfg->style != REST_PAGING_NONE)
	{
		pager->meta_paths[REST_META_HAS_MORE] = cfg->has_more_path;
		pager->meta_paths[REST_META_TOTAL_COUNT] = cfg->total_count_path;
		pager->meta_paths[REST_META_TOTAL_PAGES] = cfg->total_pages_path;
	}
	return pager;
}

/*
 * The URL of the next page to request: for offset and page-number paging
 * the one with offset or page number param, for the other styles the one
 * the last response pointed to.  palloc'd in the current context.
 */
static char *
page_url(RestPager *pager, int64 param)
{
	RestPaging *cfg = pager->cfg;
	StringInfoData url;

	initStringInfo(&url);
	if ((cfg->style == REST_PAGING_NEXT_URL ||
		 cfg->style == REST_PAGING_LINK_HEADER) && pager->next_url)
		appendStringInfoString(&url, pager->next_url);
	else
	{
		appendStringInfoString(&url, pager->url);
		switch (cfg->style)
		{
			case REST_PAGING_OFFSET:
				rest_append_query_param(&url, cfg->offset_param,
							 psprintf(INT64_FORMAT, param));
				break;
			case REST_PAGING_PAGE:
				rest_append_query_param(&url, cfg->page_param,
							 psprintf(INT64_FORMAT, param));
				break;
			case REST_PAGING_CURSOR:
				if (pager->cursor)
					rest_append_query_param(&url, cfg->cursor_param, pager->cursor);
				break;
			default:
				break;
		}
		if (pager->page_size > 0 && cfg->page_size_param &&
			cfg->style != REST_PAGING_NONE)
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
	f->url = page_url(pager, param);
	f->first_url = f->url;
	f->page_display_url = rest_auth_mask_url(pager->conn, f->url);
	f->epoch = pager->auth_epoch;
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
	}
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

/*
 * The next page of the scan, in order, in *resp (valid until the next call
 * or rest_pager_release_page).  Returns false, without a request, when the
 * previous page was the last.  Waits for the page if needed, letting the
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
		rest_http_wait(f->xfer, true);
	while (!fetch_step(pager->conn, pager->stats, f, &pager->auth_epoch));

	pager->ninflight--;
	memmove(pager->inflight, pager->inflight + 1,
			sizeof(RestPageFetch *) * pager->ninflight);
	pager->inflight[pager->ninflight] = NULL;
	pager->current = f;

	if (pager->display_url)
		pfree(pager->display_url);
	pager->display_url = MemoryContextStrdup(pager->cxt, f->page_display_url);
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

	while (pager->ninflight < pager->concurrency)
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
	rest_push_request_context(&errctx, "GET", pager->display_url, NULL);
	advance_state(pager, rs, resp);
	rest_pop_request_context(&errctx);
	schedule(pager);
}

/* The sequential paging state after a page: done, or the next request */
static void
advance_state(RestPager *pager, RestRowSet *rs, RestHttpResponse *resp)
{
	RestPaging *cfg = pager->cfg;
	int64		n = rest_rowset_count(rs);
	bool		is_true;
	const char *v;

	pager->rows += n;
	if (pager->pages == 1)
		pager->step = n;		/* the API's page size, as far as we know */

	if (cfg->style == REST_PAGING_NONE || n == 0)
	{
		pager->done = true;
		return;
	}
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
			if (cfg->total_count_path)
			{
				int64		total = meta_int(rest_rowset_meta(rs, REST_META_TOTAL_COUNT, &is_true));

				pager->total = total;
				if (total >= 0 && pager->offset - cfg->first_offset >= total)
					pager->done = true;
			}
			break;

		case REST_PAGING_PAGE:
			if (cfg->total_count_path)
			{
				int64		total = meta_int(rest_rowset_meta(rs, REST_META_TOTAL_COUNT, &is_true));

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
			v = rest_rowset_meta(rs, REST_META_NEXT_URL, &is_true);
			if (v == NULL || v[0] == '\0')
				pager->done = true;
			else
				pager->next_url = checked_next_url(pager, v, cfg->next_url_path);
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
