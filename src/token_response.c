/*-------------------------------------------------------------------------
 *
 * token_response.c
 *		  Reading OAuth 2.0 token endpoint responses (RFC 6749 sections 5.1
 *		  and 5.2) with jansson.
 *
 * Kept apart from auth.c because it reads untrusted text and is fuzzed on
 * its own (test/fuzz).  Nothing here raises an error for bad input: what is
 * missing or malformed is reported in the result for auth.c to explain.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <jansson.h>

#include "rest_fdw.h"

/* jansson values are released when the memory context holding this dies */
static void
json_decref_callback(void *arg)
{
	json_decref((json_t *) arg);
}

/* A copy of a JSON string member, or NULL when absent or not a string. */
static char *
member_string(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? pstrdup(json_string_value(v)) : NULL;
}

/*
 * Parse a token endpoint response (success or RFC 6749 section 5.2 error)
 * with jansson.  Never fails: what is missing or malformed is left NULL or
 * flagged for the caller to report.
 */
void
rest_parse_token_response(const char *body, size_t len, RestTokenResponse *tr)
{
	json_error_t jerr;
	json_t	   *root;
	json_t	   *exp;

	memset(tr, 0, sizeof(RestTokenResponse));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return;

	/* from here on, an ERROR (even out of memory) must not leak root */
	{
		MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

		cb->func = json_decref_callback;
		cb->arg = root;
		MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	}

	if (!json_is_object(root))
		return;
	tr->is_object = true;
	tr->access_token = member_string(root, "access_token");
	tr->token_type = member_string(root, "token_type");
	tr->refresh_token = member_string(root, "refresh_token");
	tr->id_token = member_string(root, "id_token");
	tr->error = member_string(root, "error");
	tr->error_description = member_string(root, "error_description");
	tr->has_token_fields = json_object_get(root, "access_token") != NULL ||
		json_object_get(root, "refresh_token") != NULL ||
		json_object_get(root, "id_token") != NULL;

	exp = json_object_get(root, "expires_in");
	if (json_is_integer(exp))
	{
		tr->has_expires_in = true;
		tr->expires_in = json_integer_value(exp);
	}
	else if (json_is_real(exp))
	{
		double		d = json_real_value(exp);

		/* never convert a double that does not fit (undefined behaviour) */
		tr->has_expires_in = true;
		if (d >= 0 && d <= 100000000000.0)
			tr->expires_in = (int64) d;
		else
			tr->bad_expires_in = true;
	}
	else if (json_is_string(exp))
	{
		const char *s = json_string_value(exp);
		char	   *end;

		errno = 0;
		tr->expires_in = strtoll(s, &end, 10);
		tr->has_expires_in = true;
		if (errno != 0 || end == s || *end != '\0')
			tr->bad_expires_in = true;
	}
	else if (exp != NULL && !json_is_null(exp))
		tr->bad_expires_in = true;

	if (tr->has_expires_in &&
		(tr->expires_in < 0 || tr->expires_in > INT64CONST(100000000000)))
		tr->bad_expires_in = true;

	/* the raw copies of the secrets inside jansson's tree are not wiped */
}

/*
 * Is s a bearer token that can be sent as it is: RFC 6750 section 2.1's
 * b64token, 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="?
 * Anything else (spaces, CR, LF, other control or non-ASCII characters)
 * could change the meaning of the Authorization header it goes into.
 */
bool
rest_valid_b64token(const char *s)
{
	const char *p = s;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		   (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		   *p == '_' || *p == '~' || *p == '+' || *p == '/')
		p++;
	if (p == s)
		return false;
	while (*p == '=')
		p++;
	return *p == '\0';
}

/*
 * Does the text of a response mention a token field, JSON or form-encoded
 * (access_token, refresh_token, id_token)?  Such a body is never quoted in
 * a message.  Reads len bytes, NULs included.
 */
bool
rest_mentions_token_fields(const char *body, size_t len)
{
	static const char *const fields[] = {"access_token", "refresh_token",
	"id_token", NULL};
	int			j;

	/* also "\u0061ccess_token" and "%61ccess_token" */
	for (j = 0; fields[j]; j++)
	{
		if (rest_text_contains(body, len, fields[j]))
			return true;
	}
	return false;
}

/* A positive number of seconds (an integer or a string of digits), or 0 */
static int64
member_seconds(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return Max(json_integer_value(v), 0);
	if (json_is_string(v))
	{
		const char *s = json_string_value(v);
		char	   *end;
		int64		n;

		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno == 0 && end != s && *end == '\0' && n > 0)
			return n;
	}
	return 0;
}

/*
 * Parse a device authorization response (RFC 8628 section 3.2) with
 * jansson, as rest_parse_token_response does a token response: never
 * fails; what is missing is NULL or 0.  Google's "verification_url" is
 * taken for "verification_uri".
 */
void
rest_parse_device_response(const char *body, size_t len,
						   RestDeviceResponse *dr)
{
	json_error_t jerr;
	json_t	   *root;

	memset(dr, 0, sizeof(RestDeviceResponse));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return;
	{
		MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

		cb->func = json_decref_callback;
		cb->arg = root;
		MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	}
	if (!json_is_object(root))
		return;
	dr->is_object = true;
	dr->device_code = member_string(root, "device_code");
	dr->user_code = member_string(root, "user_code");
	dr->verification_uri = member_string(root, "verification_uri");
	if (dr->verification_uri == NULL)
		dr->verification_uri = member_string(root, "verification_url");
	dr->verification_uri_complete = member_string(root, "verification_uri_complete");
	dr->expires_in = member_seconds(root, "expires_in");
	dr->interval = member_seconds(root, "interval");
	dr->error = member_string(root, "error");
}
