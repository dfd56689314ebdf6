/*
 * fuzz_link.c
 *		libFuzzer harness of rest_link_next (src/pager.c): the rel="next"
 *		URL of an RFC 8288 Link header.
 *
 * The input is the header value as http.c hands it over: a NUL-terminated
 * string (an input's bytes after a NUL are ignored) of at most 8191 bytes
 * (run with -max_len=8192).  rest_link_next must not raise an ERROR and
 * must not read past the NUL; a URL it returns must be the text between a
 * '<' and the next '>' of the header.  A malformed header is then shown as
 * rest_pager_advance shows it.
 */
#include "rest_fdw.h"

#include "fuzz_common.h"

static int
fuzz_link_one(const uint8_t *data, size_t size)
{
	char	   *header = fuzz_cstring(data, size);
	bool		malformed = true;
	char	   *next;

	next = rest_link_next(header, &malformed);

	if (next != NULL)
	{
		FUZZ_CHECK(!malformed, "a URL from a malformed header");
		FUZZ_CHECK(strchr(next, '>') == NULL, "URL \"%s\"", next);
		FUZZ_CHECK(strstr(header, psprintf("<%s>", next)) != NULL,
				   "URL \"%s\" is not between <> in the header", next);
	}
	if (malformed)
		(void) rest_shorten(header, strlen(header), 300);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_link_one, data, size);
}
