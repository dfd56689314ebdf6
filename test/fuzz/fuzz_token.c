/*
 * fuzz_token.c
 *		libFuzzer harness of rest_parse_token_response and
 *		rest_parse_device_response (src/token_response.c): an OAuth 2.0
 *		token endpoint's response body, success (RFC 6749 5.1) or error
 *		(5.2), and the same bytes as a device authorization response (RFC
 *		8628 3.2), read with jansson.
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

	/* the same bytes as a device authorization response, as login.c reads it */
	{
		RestDeviceResponse dr;

		rest_parse_device_response(body, size, &dr);
		if (!dr.is_object)
			FUZZ_CHECK(dr.device_code == NULL && dr.user_code == NULL &&
					   dr.verification_uri == NULL &&
					   dr.verification_uri_complete == NULL &&
					   dr.error == NULL && dr.expires_in == 0 && dr.interval == 0,
					   "device fields set for a response that is not an object");
		FUZZ_CHECK(dr.expires_in >= 0 && dr.interval >= 0,
				   "negative expires_in %lld or interval %lld accepted",
				   (long long) dr.expires_in, (long long) dr.interval);
		use_string(dr.user_code, 100);
		use_string(dr.verification_uri, 300);
		use_string(dr.verification_uri_complete, 300);
		use_string(dr.error, 100);
		if (dr.device_code != NULL)
			explicit_bzero(dr.device_code, strlen(dr.device_code));
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_token_one, data, size);
}
