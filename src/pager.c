/*-------------------------------------------------------------------------
 *
 * pager.c
 *		  Fetching the pages of an endpoint.
 *
 * rest_fetch performs one authenticated GET: it asks auth.c for
 * credentials, retries once with a new token when an OAuth 2.0 API answers
 * 401, and turns any other non-2xx status or a response that is not JSON
 * into an ERROR that shows the status, the (masked) URL and the start of
 * the body.
 *
 * The pager builds each page's request from what the previous response
 * said, for six styles: none, offset/limit, page number, a cursor read from
 * the body, a next-page URL read from the body, and an RFC 8288 Link
 * header.  The end is an empty page, a short page (page_end 'short'), a
 * false has-more element, a total count or total pages element, or a
 * missing cursor or next URL.  Safety: at most max_pages pages, an ERROR
 * when a cursor or next URL repeats, and next URLs must keep the scheme,
 * host and port of the first request, so credentials never go elsewhere.
 * Pages are fetched one at a time, only when the scan needs more rows, so
 * a LIMIT stops the requests.
 *
 *-------------------------------------------------------------------------
 */
#include "rest_fdw.h"

#include <limits.h>

#include "utils/builtins.h"

static bool json_content_type(const char *ct);
static bool seen_before(RestPager *pager, const char *s);

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
 * GET url (which holds no secret) as the user of conn and return the 2xx
 * response in *resp, with its body in the current memory context.
 */
void
rest_fetch(RestConnOptions *conn, const char *url, RestHttpResponse *resp,
		   RestScanStats *stats)
{
	RestHttpRequest req;
	int			attempt = 0;
	int			redirects = 0;
	const char *first_url = url;

	for (;;)
	{
		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.url = url;
		req.display_url = rest_mask_url(url);
		req.headers = list_copy(conn->headers);
		if (!has_header(req.headers, "Accept"))
			req.headers = lcons("Accept: application/json", req.headers);
		rest_auth_add_credentials(conn, &req, attempt > 0, stats);

		rest_http_perform(conn, &req, resp);
		if (stats)
		{
			stats->requests += 1 + resp->retries;
			stats->retries += resp->retries;
			stats->bytes += resp->body_len;
		}

		/* one new token and one retry for a rejected OAuth token */
		if (resp->status == 401 && attempt == 0 && rest_auth_refreshable(conn))
		{
			attempt++;
			continue;
		}

		/*
		 * Redirects are followed only within the first URL's origin, so
		 * credentials never go to another server.
		 */
		if ((resp->status == 301 || resp->status == 302 || resp->status == 303 ||
			 resp->status == 307 || resp->status == 308) && resp->redirect_url)
		{
			char	   *target = resp->redirect_url;

			if (pg_strncasecmp(target, "http://", 7) != 0 &&
				pg_strncasecmp(target, "https://", 8) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("server \"%s\" redirected to a URL that is not http or https",
								conn->servername),
						 errdetail("GET %s answered HTTP status %ld with Location %s.",
								   req.display_url, resp->status,
								   rest_shorten(target, strlen(target), 200))));
			if (!rest_same_origin(target, first_url))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("server \"%s\" redirected to another server", conn->servername),
						 errdetail("GET %s answered HTTP status %ld with Location %s.",
								   req.display_url, resp->status, rest_mask_url(target)),
						 errhint("Redirects are followed only to the scheme, host and port of the request, so that credentials are not sent elsewhere; point base_url at the new location.")));
			if (++redirects > REST_MAX_REDIRECTS)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("server \"%s\" redirected more than %d times",
								conn->servername, REST_MAX_REDIRECTS),
						 errdetail("The last redirect was from %s to %s.",
								   req.display_url, rest_mask_url(target))));
			url = target;
			continue;
		}
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

	if (resp->body_len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("response from server \"%s\" is empty", conn->servername),
				 errdetail("GET %s answered HTTP status %ld with no body.",
						   req.display_url, resp->status),
				 errhint("A JSON array or object was expected.")));

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

/*
 * Start paging url (which carries the endpoint's query string and the
 * pushed parameters).  bound is the number of rows the query needs at
 * most, or -1.
 */
void
rest_pager_init(RestPager *pager, RestConnOptions *conn, RestPaging *cfg,
				const char *url, int64 bound, RestScanStats *stats,
				const char *relname)
{
	memset(pager, 0, sizeof(RestPager));
	pager->conn = conn;
	pager->cfg = cfg;
	pager->stats = stats;
	pager->relname = relname;
	pager->url = pstrdup(url);
	pager->bound = bound;
	pager->offset = cfg->first_offset;
	pager->page = cfg->first_page;

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
}

static void
append_param(StringInfo buf, const char *name, const char *value)
{
	appendStringInfoChar(buf, strchr(buf->data, '?') ? '&' : '?');
	rest_append_urlencoded(buf, name);
	appendStringInfoChar(buf, '=');
	rest_append_urlencoded(buf, value);
}

/*
 * Fetch the next page into *resp.  Returns false, without a request, when
 * the previous page was the last.
 */
bool
rest_pager_fetch(RestPager *pager, RestHttpResponse *resp)
{
	RestPaging *cfg = pager->cfg;
	StringInfoData url;

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
				append_param(&url, cfg->offset_param,
							 psprintf(INT64_FORMAT, pager->offset));
				break;
			case REST_PAGING_PAGE:
				append_param(&url, cfg->page_param,
							 psprintf(INT64_FORMAT, pager->page));
				break;
			case REST_PAGING_CURSOR:
				if (pager->cursor)
					append_param(&url, cfg->cursor_param, pager->cursor);
				break;
			default:
				break;
		}
		if (pager->page_size > 0 && cfg->page_size_param &&
			cfg->style != REST_PAGING_NONE)
			append_param(&url, cfg->page_size_param,
						 psprintf("%d", pager->page_size));
	}

	/* a next URL that leads back to the first page is a loop too */
	if (pager->pages == 0 && (cfg->style == REST_PAGING_NEXT_URL ||
							  cfg->style == REST_PAGING_LINK_HEADER))
		(void) seen_before(pager, url.data);

	pager->display_url = rest_mask_url(url.data);
	rest_fetch(pager->conn, url.data, resp, pager->stats);
	pager->pages++;
	if (pager->stats)
		pager->stats->pages++;
	return true;
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
 */
static char *
checked_next_url(RestPager *pager, const char *ref, const char *what)
{
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
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("invalid next page URL in the %s of the response for foreign table \"%s\"",
						what, pager->relname),
				 errdetail("The URL is \"%s\".", rest_shorten(ref, strlen(ref), 200)),
				 errcontext("GET %s", pager->display_url)));
	if (!rest_same_origin(next, pager->url))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("next page URL of foreign table \"%s\" points to another server",
						pager->relname),
				 errdetail("The next page is %s, the first was %s.",
						   rest_mask_url(next), rest_mask_url(pager->url)),
				 errhint("Credentials are only sent to the scheme, host and port of the server's base_url."),
				 errcontext("GET %s", pager->display_url)));
	if (seen_before(pager, next))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("paging of foreign table \"%s\" loops", pager->relname),
				 errdetail("The next page URL %s was already fetched in this scan.",
						   rest_mask_url(next)),
				 errcontext("GET %s", pager->display_url)));
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
 * Decide from the page just parsed whether there is another, and how to
 * ask for it.
 */
void
rest_pager_advance(RestPager *pager, RestRowSet *rs, RestHttpResponse *resp)
{
	RestPaging *cfg = pager->cfg;
	int64		n = rest_rowset_count(rs);
	bool		is_true;
	const char *v;

	pager->rows += n;

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

				if (total >= 0 && pager->offset - cfg->first_offset >= total)
					pager->done = true;
			}
			break;

		case REST_PAGING_PAGE:
			if (cfg->total_count_path)
			{
				int64		total = meta_int(rest_rowset_meta(rs, REST_META_TOTAL_COUNT, &is_true));

				if (total >= 0 && pager->rows >= total)
					pager->done = true;
			}
			if (cfg->total_pages_path)
			{
				int64		tp = meta_int(rest_rowset_meta(rs, REST_META_TOTAL_PAGES, &is_true));

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
								   rest_shorten(v, strlen(v), 100)),
						 errcontext("GET %s", pager->display_url)));
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
									pager->relname),
							 errcontext("GET %s", pager->display_url)));

				next = resp->link ? rest_link_next(resp->link, &malformed) : NULL;
				if (malformed)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_ERROR),
							 errmsg("malformed Link header in the response for foreign table \"%s\"",
									pager->relname),
							 errdetail("Link: %s", rest_shorten(resp->link, strlen(resp->link), 300)),
							 errcontext("GET %s", pager->display_url)));
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
