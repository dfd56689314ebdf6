/*
 * fuzz_token.c
 *		libFuzzer harness of rest_parse_token_response
 *		(src/token_response.c): an OAuth 2.0 token endpoint's response body,
 *		success (RFC 6749 5.1) or error (5.2), read with jansson.
 *
 * The parsed fields are then used as auth.c uses them (shortened for
 * messages, token_type compared).  The jansson tree is released by the
 * memory context reset callback the parser registers, which pg_stubs.c
 * runs when the input's arena is reset; LeakSanitizer would report it
 * otherwise.
 */
#include "rest_fdw.h"

#include "fuzz_common.h"

static void
use_string(const char *s, int maxbytes)
{
	if (s != NULL)
		(void) rest_shorten(s, strlen(s), maxbytes);
}

static int
fuzz_token_one(const uint8_t *data, size_t size)
{
	RestTokenResponse tr;
	char	   *body = fuzz_cstring(data, size);

	rest_parse_token_response(body, size, &tr);

	if (!tr.is_object)
		FUZZ_CHECK(tr.access_token == NULL && tr.token_type == NULL &&
				   tr.refresh_token == NULL && tr.error == NULL &&
				   tr.error_description == NULL && !tr.has_expires_in &&
				   !tr.bad_expires_in,
				   "fields set for a response that is not an object");
	if (tr.has_expires_in && !tr.bad_expires_in)
		FUZZ_CHECK(tr.expires_in >= 0 && tr.expires_in <= INT64CONST(100000000000),
				   "expires_in %lld accepted", (long long) tr.expires_in);

	/* as auth.c reads them */
	use_string(tr.error, 100);
	use_string(tr.error_description, 300);
	use_string(tr.token_type, 50);
	if (tr.token_type != NULL)
		(void) pg_strcasecmp(tr.token_type, "bearer");
	if (tr.access_token != NULL)
		explicit_bzero(tr.access_token, strlen(tr.access_token));
	if (tr.refresh_token != NULL)
		explicit_bzero(tr.refresh_token, strlen(tr.refresh_token));
	(void) rest_shorten(body, size, 200);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_token_one, data, size);
}
