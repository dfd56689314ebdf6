/*
 * fuzz_url.c
 *		libFuzzer harness of the URL helpers (src/http.c, url.c, scrub.c)
 *		that see text from servers: rest_resolve_url (next page URLs,
 *		redirects), rest_same_origin, rest_mask_url, rest_shorten, and
 *		rest_append_urlencoded and rest_join_url.
 *
 * Input: "base\nref" (split at the first newline; without one, ref is
 * empty).  base and ref are NUL-terminated copies, so bytes after a NUL in
 * either are ignored by the functions that take C strings; rest_shorten
 * gets the whole input with its length, NULs included.
 *
 * rest_resolve_url and rest_same_origin use libcurl's URL parser, which is
 * linked as installed (not instrumented).  When rest_same_origin says two
 * URLs share an origin, the harness checks with libcurl that their hosts
 * are equal.
 */
#include "rest_fdw.h"

#include <curl/curl.h>

#include "mb/pg_wchar.h"

#include "fuzz_common.h"

/* The host of a URL as libcurl parses it (palloc'd), or NULL */
static char *
url_host(const char *url)
{
	CURLU	   *u = curl_url();
	char	   *host = NULL;
	char	   *copy = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		copy = pstrdup(host);
	if (host)
		curl_free(host);
	curl_url_cleanup(u);
	return copy;
}

/* the last 40 bytes of a host, printable, for messages */
static const char *
host_tail(const char *host)
{
	size_t		len = strlen(host);
	const char *tail = host + (len > 40 ? len - 40 : 0);

	return rest_shorten(tail, strlen(tail), 40);
}

/*
 * rest_same_origin guards credentials (redirects, next page URLs): when it
 * says yes, the two hosts must really be the same.
 */
static void
check_same_origin(const char *a, const char *b)
{
	if (rest_same_origin(a, b))
	{
		char	   *ha = url_host(a);
		char	   *hb = url_host(b);

		FUZZ_CHECK(ha != NULL && hb != NULL && pg_strcasecmp(ha, hb) == 0,
				   "same origin for hosts of %zu and %zu bytes ending \"%s\" and \"%s\"",
				   ha ? strlen(ha) : 0, hb ? strlen(hb) : 0,
				   ha ? host_tail(ha) : "(none)", hb ? host_tail(hb) : "(none)");
	}
}

/* rest_shorten's promises: bounded, printable, valid in the encoding */
static void
check_shortened(const char *out, int maxbytes)
{
	size_t		len = strlen(out);
	size_t		i;

	FUZZ_CHECK(len <= (size_t) maxbytes + 3, "%zu bytes for maxbytes %d", len, maxbytes);
	FUZZ_CHECK(pg_encoding_verifymbstr(PG_UTF8, out, (int) len) == (int) len,
			   "shortened text is not valid UTF-8");
	for (i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char) out[i] >= 0x20 && out[i] != 0x7f,
				   "control character 0x%02x at %zu", (unsigned char) out[i], i);
}

static void
check_urlencoded(const char *s)
{
	for (; *s; s++)
	{
		if (*s == '%')
		{
			FUZZ_CHECK(isxdigit((unsigned char) s[1]) && isxdigit((unsigned char) s[2]),
					   "bad escape");
			s += 2;
		}
		else
			FUZZ_CHECK(isalnum((unsigned char) *s) || strchr("-._~", *s) != NULL,
					   "unescaped 0x%02x", (unsigned char) *s);
	}
}

static int
fuzz_url_one(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t		baselen = nl ? (size_t) (nl - data) : size;
	char	   *base = fuzz_cstring(data, baselen);
	char	   *ref = nl ? fuzz_cstring(nl + 1, size - baselen - 1) : pstrdup("");
	char	   *resolved;
	StringInfoData buf;
	int			maxbytes;

	resolved = rest_resolve_url(base, ref);
	if (resolved != NULL)
	{
		FUZZ_CHECK(pg_strncasecmp(resolved, "http://", 7) == 0 ||
				   pg_strncasecmp(resolved, "https://", 8) == 0,
				   "resolved to \"%s\"", resolved);
		check_same_origin(base, resolved);
		check_same_origin(resolved, base);
		(void) rest_mask_url(resolved);
	}
	(void) rest_mask_url(ref);
	(void) rest_mask_url(base);

	check_shortened(rest_shorten((const char *) data, size, 200), 200);
	maxbytes = size > 0 ? 1 + data[size - 1] % 64 : 1;
	check_shortened(rest_shorten((const char *) data, size, maxbytes), maxbytes);

	/* a cursor from a response goes into the next page's query string */
	initStringInfo(&buf);
	rest_append_urlencoded(&buf, ref);
	check_urlencoded(buf.data);
	(void) rest_join_url(base, ref);

	/* the id in a created resource's Location: one segment, never empty */
	{
		char	   *id = rest_url_last_segment(ref);

		if (id != NULL)
			FUZZ_CHECK(id[0] != '\0' && strlen(id) <= strlen(ref),
					   "last segment \"%s\" of \"%s\"", id, ref);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_url_one, data, size);
}
