/*-------------------------------------------------------------------------
 *
 * pagestatus.c
 *		  Errors reported inside a successful response (success_path and
 *		  error_path), read with jansson.
 *
 * Many APIs answer HTTP 200 to a failed request and say so in the body:
 * Slack {"ok": false, "error": "invalid_auth"}, GraphQL {"errors": [...]}.
 * The pager asks here, before the page's rows are parsed, whether a body
 * says so, so that the page's rows are never returned and a rejected token
 * can be replaced before the page is requested again.  Bodies larger than
 * REST_MAX_STATUS_BODY are not read here (the pager checks the scalar
 * elements rows.c found instead).  Reads untrusted text: no ERROR for bad
 * input, and jansson's values are released by a memory context reset
 * callback, so that an ERROR (even out of memory) cannot leak them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <jansson.h>

#include "rest_fdw.h"

static void
json_decref_callback(void *arg)
{
	json_decref((json_t *) arg);
}

/* The value at a dotted path (integer segments index arrays), or NULL */
static json_t *
value_at(json_t *root, const char *path)
{
	int			n;
	char	  **keys = rest_split_json_path(path, &n);
	json_t	   *v = root;
	int			i;

	for (i = 0; i < n && v != NULL; i++)
	{
		const char *k = keys[i];

		if (json_is_object(v))
			v = json_object_get(v, k);
		else if (json_is_array(v) && k[0] != '\0' &&
				 strspn(k, "0123456789") == strlen(k) && strlen(k) <= 9)
			v = json_array_get(v, (size_t) atoi(k));
		else
			v = NULL;
	}
	return v;
}

/* Does this error element say that there is no error? */
static bool
no_error(json_t *v)
{
	return v == NULL || json_is_null(v) || json_is_false(v) ||
		(json_is_string(v) && json_string_length(v) == 0) ||
		(json_is_array(v) && json_array_size(v) == 0) ||
		(json_is_object(v) && json_object_size(v) == 0);
}

/*
 * The message of an error element: a string as it is; for an array its
 * first element's, for an object its "message" member (GraphQL); else the
 * element as compact JSON.  palloc'd, not shortened.
 */
static char *
error_text(json_t *v)
{
	char	   *dump;
	char	   *copy;

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v) && json_is_string(json_object_get(v, "message")))
		v = json_object_get(v, "message");
	if (json_is_string(v))
		return pnstrdup(json_string_value(v), json_string_length(v));
	dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (dump == NULL)
		return pstrdup("?");
	copy = pstrdup(dump);
	free(dump);
	return copy;
}

/*
 * Does the body say that the request failed?  REST_BODY_FAILED when the
 * success_path element is false or the error_path element holds an error
 * (*message: the error element's text, or NULL when only the success
 * element spoke); REST_BODY_OK when it does not; REST_BODY_UNCHECKED when
 * the body is too large to read here or not JSON (rows.c reports that).
 * Either path may be NULL.
 */
RestBodyStatus
rest_body_status(const char *body, size_t len, const char *success_path,
				 const char *error_path, char **message)
{
	MemoryContextCallback *cb;
	json_error_t jerr;
	json_t	   *root;
	json_t	   *v;
	RestBodyStatus status = REST_BODY_OK;

	*message = NULL;
	if (len > REST_MAX_STATUS_BODY)
		return REST_BODY_UNCHECKED;

	/* allocated first: running out of memory cannot leak the document */
	cb = palloc0(sizeof(MemoryContextCallback));
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL)
	{
		pfree(cb);
		return REST_BODY_UNCHECKED;
	}
	cb->func = json_decref_callback;
	cb->arg = root;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);

	if (success_path && json_is_false(value_at(root, success_path)))
		status = REST_BODY_FAILED;
	if (error_path && !no_error(v = value_at(root, error_path)))
	{
		status = REST_BODY_FAILED;
		*message = error_text(v);
	}
	return status;
}
