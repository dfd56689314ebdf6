/*-------------------------------------------------------------------------
 *
 * url.c
 *		  Building URLs, and showing them and the requests they name in
 *		  messages.
 *
 * Query strings and form bodies are percent-encoded here, endpoints joined
 * to base_url, and URLs masked for display: user information and the
 * values of query parameters that usually carry secrets become "***".  A
 * URL a server hands back loses the credential parameter here before it is
 * requested again.
 *
 * Errors about a request name it through one error context callback,
 * "GET <masked URL>" (with a note, such as the grant type of a token
 * request), pushed on error_context_stack by the code that makes the
 * request or handles its response (rest_push_request_context).  So every
 * ERROR, whichever file raises it, names the request it is about in the
 * same words, and DETAIL is left for what the server answered.
 *
 * Pure string work: no libcurl (http.c parses URLs with libcurl's URL API
 * where a URL must be resolved or compared), no I/O.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rest_fdw.h"

/* rest_push_request_context's callback: "GET <url>" or "POST <url> (note)" */
static void
request_context_callback(void *arg)
{
	RestRequestContext *rc = (RestRequestContext *) arg;

	if (rc->note)
		errcontext("%s %s (%s)", rc->method, rc->display_url, rc->note);
	else
		errcontext("%s %s", rc->method, rc->display_url);
}

/*
 * Name a request in the context of every message raised until
 * rest_pop_request_context(rc): method and display_url (which must hold no
 * secret: a URL masked by rest_mask_url or rest_auth_mask_url), and note in
 * parentheses unless it is NULL.  rc and the strings must stay valid until
 * then; an ERROR unwinds the stack by itself.  Pushed only while the code
 * works on that one request (sending it, reading its response), so that
 * a failure of another request in flight never shows this one's URL.
 */
void
rest_push_request_context(RestRequestContext *rc, const char *method,
						  const char *display_url, const char *note)
{
	rc->method = method;
	rc->display_url = display_url;
	rc->note = note;
	rc->callback.callback = request_context_callback;
	rc->callback.arg = rc;
	rc->callback.previous = error_context_stack;
	error_context_stack = &rc->callback;
}

/* Take rc, the innermost error context, off the stack. */
void
rest_pop_request_context(RestRequestContext *rc)
{
	Assert(error_context_stack == &rc->callback);
	error_context_stack = rc->callback.previous;
}

/*
 * Percent-encode s for a URL query or an application/x-www-form-urlencoded
 * body: everything but RFC 3986 unreserved characters is escaped.
 */
void
rest_append_urlencoded(StringInfo buf, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			appendStringInfoChar(buf, (char) c);
		else
		{
			appendStringInfoChar(buf, '%');
			appendStringInfoChar(buf, hex[c >> 4]);
			appendStringInfoChar(buf, hex[c & 15]);
		}
	}
}

/*
 * Append "name=value" (both URL-encoded) to the URL or query string in buf,
 * after "?" if buf has none yet, else after "&".
 */
void
rest_append_query_param(StringInfo buf, const char *name, const char *value)
{
	appendStringInfoChar(buf, strchr(buf->data, '?') ? '&' : '?');
	rest_append_urlencoded(buf, name);
	appendStringInfoChar(buf, '=');
	rest_append_urlencoded(buf, value);
}

/*
 * Join base_url and an endpoint with exactly one slash between them.  An
 * endpoint that starts with '?' only adds a query string.
 */
char *
rest_join_url(const char *base, const char *path)
{
	size_t		blen = strlen(base);
	StringInfoData buf;

	if (path == NULL || *path == '\0')
		return pstrdup(base);

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, base, blen);
	if (*path != '?')
	{
		appendStringInfoChar(&buf, '/');
		while (*path == '/')
			path++;
	}
	appendStringInfoString(&buf, path);
	return buf.data;
}

/* The value of n hex digits at s (which the caller checked) */
unsigned int
rest_hex_value(const char *s, int n)
{
	unsigned int v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		char		c = s[i];

		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/*
 * The last non-empty segment of the path of url (absolute or not), %XX
 * decoded: the id in the Location of a created resource
 * ("/customers/17" or "https://api.example.com/customers/17?x=1" gives
 * "17").  NULL when the path has none, or a decoded NUL.  palloc'd.
 */
char *
rest_url_last_segment(const char *url)
{
	const char *p = url;
	const char *end;
	const char *start;
	StringInfoData out;

	/* the path begins after the scheme and authority, if any */
	if ((start = strstr(p, "://")) != NULL && start < p + strcspn(p, "/?#"))
		p = start + 3 + strcspn(start + 3, "/?#");
	end = p + strcspn(p, "?#");
	while (end > p && end[-1] == '/')
		end--;
	start = end;
	while (start > p && start[-1] != '/')
		start--;
	if (start == end)
		return NULL;
	initStringInfo(&out);
	for (; start < end; start++)
	{
		char		c = *start;

		if (c == '%' && end - start > 2 && isxdigit((unsigned char) start[1]) &&
			isxdigit((unsigned char) start[2]))
		{
			c = (char) rest_hex_value(start + 1, 2);
			start += 2;
			if (c == '\0')
				return NULL;
		}
		appendStringInfoChar(&out, c);
	}
	return out.data;
}

/* One query parameter of rest_canonical_query_url, encoded */
typedef struct RestQueryPair
{
	char	   *name;
	char	   *value;
} RestQueryPair;

static int
query_pair_cmp(const void *a, const void *b)
{
	const RestQueryPair *x = (const RestQueryPair *) a;
	const RestQueryPair *y = (const RestQueryPair *) b;
	int			c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

/*
 * The n bytes at s with %XX decoded ('+' is kept as it is) and encoded
 * again as rest_append_urlencoded does.  palloc'd.
 */
static char *
reencode_query_part(const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	StringInfoData out;
	size_t		i;

	initStringInfo(&out);
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '%' && i + 2 < n &&
			isxdigit((unsigned char) s[i + 1]) &&
			isxdigit((unsigned char) s[i + 2]))
		{
			c = (unsigned char) rest_hex_value(s + i + 1, 2);
			i += 2;
		}
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			appendStringInfoChar(&out, (char) c);
		else
		{
			appendStringInfoChar(&out, '%');
			appendStringInfoChar(&out, hex[c >> 4]);
			appendStringInfoChar(&out, hex[c & 15]);
		}
	}
	return out.data;
}

/*
 * The URL with its query string in the canonical form of AWS Signature
 * Version 4: every name and value percent-encoded with upper-case hex
 * digits and only A-Z a-z 0-9 - . _ ~ left as they are, parameters sorted
 * by name, then value, a parameter without value given "=".  Older
 * libcurl versions (7.88, for one) sign the query string as it is sent: a
 * URL in this form signs the same with every libcurl and means the same
 * to the server.
 * palloc'd.
 */
char *
rest_canonical_query_url(const char *url)
{
	const char *q = strchr(url, '?');
	const char *p;
	RestQueryPair *pairs;
	int			n = 0;
	int			i;
	StringInfoData buf;

	if (q == NULL || q[1] == '\0')
		return q ? pnstrdup(url, q - url) : pstrdup(url);

	pairs = palloc(sizeof(RestQueryPair) * (strlen(q) / 2 + 1));
	for (p = q + 1;;)
	{
		const char *end = strchr(p, '&');
		size_t		len = end ? (size_t) (end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);

		if (len > 0)
		{
			pairs[n].name = reencode_query_part(p, eq ? (size_t) (eq - p) : len);
			pairs[n].value = eq ? reencode_query_part(eq + 1, len - (eq + 1 - p))
				: pstrdup("");
			n++;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	qsort(pairs, n, sizeof(RestQueryPair), query_pair_cmp);

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, url, q - url);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%c%s=%s", i == 0 ? '?' : '&',
						 pairs[i].name, pairs[i].value);
	return buf.data;
}

/*
 * Does a query parameter name, as it appears in a URL (percent-encoded, '+'
 * for a space), decode to target?  Case-insensitively with nocase.
 */
static bool
param_name_is(const char *name, size_t len, const char *target, bool nocase)
{
	size_t		i = 0;
	const char *t = target;

	while (i < len)
	{
		unsigned char c = (unsigned char) name[i];

		if (c == '%' && i + 2 < len && isxdigit((unsigned char) name[i + 1]) &&
			isxdigit((unsigned char) name[i + 2]))
		{
			c = (unsigned char) rest_hex_value(name + i + 1, 2);
			i += 3;
		}
		else
		{
			if (c == '+')
				c = ' ';
			i++;
		}
		if (*t == '\0')
			return false;
		if (nocase ? pg_tolower(c) != pg_tolower((unsigned char) *t)
			: c != (unsigned char) *t)
			return false;
		t++;
	}
	return *t == '\0';
}

/*
 * Query parameter names whose values are treated as secrets in messages.
 * name is compared as the server would read it (percent-decoded) and
 * case-insensitively.
 */
bool
rest_is_secret_param(const char *name, size_t len)
{
	static const char *const secret_names[] = {
		"api_key", "apikey", "api-key", "key", "access_token", "token",
		"refresh_token", "client_secret", "password", "passwd", "secret",
		"signature", "sig", "auth", "code", "id_token", "assertion",
		"client_assertion", NULL
	};
	int			i;

	for (i = 0; secret_names[i]; i++)
	{
		if (param_name_is(name, len, secret_names[i], true))
			return true;
	}
	return false;
}

/*
 * A copy of url that is safe to show: user information before the host and
 * the values of query parameters that usually carry secrets are replaced
 * by "***".
 */
char *
rest_mask_url(const char *url)
{
	return rest_mask_url_param(url, NULL);
}

/*
 * rest_mask_url, also masking the value of every query parameter named
 * secret_param (the auth_param of url_parameter authentication), unless it
 * is NULL.
 */
char *
rest_mask_url_param(const char *url, const char *secret_param)
{
	StringInfoData buf;
	const char *p = url;
	const char *scheme_end = strstr(url, "://");
	const char *q;

	initStringInfo(&buf);

	/* user:password@host */
	if (scheme_end)
	{
		const char *host = scheme_end + 3;
		const char *host_end = host + strcspn(host, "/?#");
		const char *at = NULL;
		const char *s;

		for (s = host; s < host_end; s++)
			if (*s == '@')
				at = s;
		appendBinaryStringInfo(&buf, url, host - url);
		if (at)
		{
			appendStringInfoString(&buf, "***");
			p = at;
		}
		else
			p = host;
	}

	q = strchr(p, '?');
	if (q == NULL)
	{
		appendStringInfoString(&buf, p);
		return buf.data;
	}
	appendBinaryStringInfo(&buf, p, q + 1 - p);
	p = q + 1;
	while (*p)
	{
		size_t		plen = strcspn(p, "&#");
		const char *eq = memchr(p, '=', plen);

		if (eq && (rest_is_secret_param(p, eq - p) ||
				   (secret_param &&
					param_name_is(p, eq - p, secret_param, true))))
		{
			appendBinaryStringInfo(&buf, p, eq + 1 - p);
			appendStringInfoString(&buf, "***");
		}
		else
			appendBinaryStringInfo(&buf, p, plen);
		p += plen;
		if (*p == '&')
			appendStringInfoChar(&buf, *p++);
		else if (*p == '#')
		{
			appendStringInfoString(&buf, p);
			break;
		}
	}
	return buf.data;
}

/*
 * A copy of url without the query parameters named name (compared as the
 * server reads them, percent-decoded; with or without a value).  Used to
 * take a credential out of a URL that a server handed back before the
 * credential is added again, so that it is sent once.  palloc'd.
 */
char *
rest_url_without_param(const char *url, const char *name)
{
	StringInfoData buf;
	const char *q = strchr(url, '?');
	const char *frag = strchr(url, '#');
	const char *p;
	bool		first = true;

	if (q == NULL || (frag != NULL && frag < q))
		return pstrdup(url);

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, url, q - url);
	p = q + 1;
	while (*p && *p != '#')
	{
		size_t		plen = strcspn(p, "&#");
		const char *eq = memchr(p, '=', plen);
		size_t		nlen = eq ? (size_t) (eq - p) : plen;

		if (plen > 0 && !param_name_is(p, nlen, name, false))
		{
			appendStringInfoChar(&buf, first ? '?' : '&');
			appendBinaryStringInfo(&buf, p, plen);
			first = false;
		}
		p += plen;
		if (*p == '&')
			p++;
	}
	if (*p == '#')
		appendStringInfoString(&buf, p);
	return buf.data;
}

