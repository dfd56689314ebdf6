/*-------------------------------------------------------------------------
 *
 * transport.c
 *		  The proxy options of rest_fdw: checking a proxy URL and a no_proxy
 *		  list, and deciding whether a request goes through the proxy.
 *
 * The decision is made here, not by libcurl's CURLOPT_NOPROXY, because the
 * network policy must know before the connection is opened which host it
 * is opened to: the proxy's, when the request goes through it, or the
 * destination's otherwise (http.c checks that host against
 * rest_fdw.allowed_hosts).  The matching follows libcurl's rules for
 * NO_PROXY: "*" matches every host; an entry matches the host it names and
 * the host's subdomains ("example.com" and ".example.com" both match
 * "api.example.com"); addresses match exactly; case does not matter.
 *
 * Nothing here does I/O.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rest_fdw.h"

/*
 * Split a proxy URL, http://host[:port][/] or https://..., into its parts.
 * Returns NULL when it is fine, else why it is refused; *credentials is
 * set when the URL holds a user name or password.  *host (palloc'd, IPv6
 * without brackets), *port (the scheme's default when not given: 1080 for
 * http://, as libcurl, 443 for https://) and *is_https are set on success
 * when not NULL.
 */
const char *
rest_proxy_parse(const char *value, char **host, int *port, bool *is_https,
				 bool *credentials)
{
	const char *rest;
	const char *end;
	const char *h;
	const char *hend;
	const char *p;
	bool		https;
	long		portnum;

	*credentials = false;
	if (pg_strncasecmp(value, "http://", 7) == 0)
	{
		rest = value + 7;
		https = false;
	}
	else if (pg_strncasecmp(value, "https://", 8) == 0)
	{
		rest = value + 8;
		https = true;
	}
	else
		return "A proxy URL starts with http:// or https://.";
	if (rest_has_control_chars(value) || strpbrk(value, " \t") != NULL)
		return "The URL contains white space or control characters.";

	end = rest + strcspn(rest, "/?#");
	if (memchr(rest, '@', end - rest) != NULL)
	{
		*credentials = true;
		return "The URL holds a user name or password.";
	}
	if (*end != '\0' && strcmp(end, "/") != 0)
		return "A proxy URL has no path, query or fragment: give http://host:port.";

	h = rest;
	if (*h == '[')
	{
		hend = memchr(h, ']', end - h);
		if (hend == NULL || hend == h + 1)
			return "The URL has no valid host.";
		p = hend + 1;
		h++;
	}
	else
	{
		hend = memchr(h, ':', end - h);
		if (hend == NULL)
			hend = end;
		p = hend;
	}
	if (hend == h)
		return "The URL has no host name.";
	if (p < end)
	{
		char		digits[8];
		char	   *dend;
		size_t		n;

		if (*p != ':')
			return "The URL has no valid host.";
		p++;
		n = end - p;
		if (n == 0 || n >= sizeof(digits) || strspn(p, "0123456789") < n)
			return "The port of the URL is not a number from 1 to 65535.";
		memcpy(digits, p, n);
		digits[n] = '\0';
		portnum = strtol(digits, &dend, 10);
		if (portnum < 1 || portnum > 65535)
			return "The port of the URL is not a number from 1 to 65535.";
	}
	else
		portnum = https ? 443 : 1080;

	if (host)
		*host = pnstrdup(h, hend - h);
	if (port)
		*port = (int) portnum;
	if (is_https)
		*is_https = https;
	return NULL;
}

/* The next entry of a no_proxy list at *p, trimmed; advances *p */
static bool
next_entry(const char **p, const char **start, size_t *len)
{
	const char *s = *p;
	const char *e;

	if (*s == '\0')
		return false;
	e = s + strcspn(s, ",");
	*p = *e == ',' ? e + 1 : e;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*start = s;
	*len = e - s;
	return true;
}

/*
 * Check a no_proxy list: host names or addresses separated by commas, or
 * "*".  Returns NULL when it is fine, else why it is refused.
 */
const char *
rest_no_proxy_problem(const char *value)
{
	const char *p = value;
	const char *s;
	size_t		len;
	int			n = 0;

	if (rest_has_control_chars(value))
		return "The value contains control characters such as newlines.";
	while (next_entry(&p, &s, &len))
	{
		if (len == 0)
			return "An entry of the list is empty.";
		if (memchr(s, ' ', len) != NULL || memchr(s, '\t', len) != NULL)
			return "An entry of the list contains white space: separate the hosts with commas.";
		if (memchr(s, '/', len) != NULL || memchr(s, '@', len) != NULL ||
			memchr(s, '?', len) != NULL || memchr(s, '#', len) != NULL)
			return "An entry is a host name or an address, not a URL or a network.";
		n++;
	}
	if (n == 0)
		return "The list is empty.";
	return NULL;
}

/*
 * Does the no_proxy list name host (as in a URL: an IPv6 address in
 * brackets)?
 */
bool
rest_no_proxy_matches(const char *no_proxy, const char *host)
{
	const char *p = no_proxy;
	const char *s;
	size_t		len;
	size_t		hlen;

	if (no_proxy == NULL || host == NULL)
		return false;
	if (host[0] == '[')
	{
		host++;
		hlen = strcspn(host, "]");
	}
	else
		hlen = strlen(host);
	/* "example.com." is example.com */
	if (hlen > 1 && host[hlen - 1] == '.')
		hlen--;

	while (next_entry(&p, &s, &len))
	{
		if (len == 1 && s[0] == '*')
			return true;
		if (len > 0 && s[0] == '.')
			s++, len--;
		if (len > 0 && s[0] == '[' && s[len - 1] == ']')
			s++, len -= 2;
		if (len > 1 && s[len - 1] == '.')
			len--;
		if (len == 0 || len > hlen)
			continue;
		if (pg_strncasecmp(host + hlen - len, s, len) != 0)
			continue;
		if (len == hlen || host[hlen - len - 1] == '.')
			return true;
	}
	return false;
}

/*
 * The proxy a request to host goes through: conn's proxy option, unless
 * no_proxy names the host; NULL for a direct connection.
 */
const char *
rest_proxy_for(RestConnOptions *conn, const char *host)
{
	if (conn->proxy == NULL)
		return NULL;
	if (conn->no_proxy != NULL && rest_no_proxy_matches(conn->no_proxy, host))
		return NULL;
	return conn->proxy;
}
