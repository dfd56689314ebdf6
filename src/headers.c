/*-------------------------------------------------------------------------
 *
 * headers.c
 *		  The headers option: extra request headers of a server or a foreign
 *		  table, and the checks on header names and values.
 *
 * The option is a JSON object of header names and string values.  It is
 * stored in pg_foreign_server or pg_foreign_table, which every role can
 * read, so headers that carry credentials by convention are refused, and
 * so are the headers libcurl manages and those that proxies and frameworks
 * read as another method, another path or facts about the client.  jansson
 * reads the value; a memory context reset callback releases it, so an
 * error leaks nothing.  This file depends on no other file of rest_fdw.
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

/*
 * Does s hold a control character (one that could end a header line and
 * start another)?  Bytes of 0x80 and above are not control characters.
 */
bool
rest_has_control_chars(const char *s)
{
	for (; *s; s++)
	{
		if ((unsigned char) *s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

/* RFC 9110 token characters, as allowed in an HTTP field name */
bool
rest_valid_header_name(const char *name)
{
	const char *p;

	if (*name == '\0')
		return false;
	for (p = name; *p; p++)
	{
		if (!(isalnum((unsigned char) *p) || strchr("!#$%&'*+-.^_`|~", *p)))
			return false;
	}
	return true;
}

/*
 * Header names that carry secrets by convention (X-API-Key, X-Auth-Token,
 * X-Auth-Key, Client-Secret, Ocp-Apim-Subscription-Key ...), compared
 * without case, "-" and "_": names holding one of the words, or ending in
 * "key".
 */
static bool
looks_like_credential(const char *name)
{
	static const char *const words[] = {
		"apikey", "token", "secret", "password", "passwd", "auth",
		"credential", "signature", "session", NULL
	};
	StringInfoData norm;
	const char *p;
	int			i;

	initStringInfo(&norm);
	for (p = name; *p; p++)
	{
		if (*p != '-' && *p != '_')
			appendStringInfoChar(&norm, (char) tolower((unsigned char) *p));
	}
	for (i = 0; words[i]; i++)
	{
		if (strstr(norm.data, words[i]) != NULL)
			return true;
	}
	return norm.len >= 3 && strcmp(norm.data + norm.len - 3, "key") == 0;
}

/*
 * Why an option (which every user can read) cannot name a request header
 * of this name, or NULL when it can: not a valid name, a header libcurl
 * manages or that carries credentials, or one that proxies and frameworks
 * read as another method, another path or facts about the client; and,
 * when the option also gives the value (stored_value: the headers option,
 * a column's param_default), a name that is a credential's by convention.
 * A header whose value the API sent (a next-page token) may be called
 * X-Page-Token.  palloc'd.
 */
const char *
rest_header_name_problem(const char *name, bool stored_value)
{
	static const char *const refused[] = {
		"Authorization", "Proxy-Authorization", "Cookie", "Host",
		"Content-Length", "Transfer-Encoding", "Connection", NULL
	};

	/*
	 * Headers that frameworks and proxies take as another method or path:
	 * they would turn a GET of the endpoint into a DELETE, or into a
	 * request for a path the endpoint option does not name.
	 */
	static const char *const rerouting[] = {
		"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override",
		"X-Original-URL", "X-Rewrite-URL", NULL
	};

	/*
	 * Headers that reverse proxies and frameworks read as facts about the
	 * client or the original request: with them a foreign table could pass
	 * for a trusted internal client.
	 */
	static const char *const spoofing[] = {
		"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
		"X-Forwarded-Prefix", "X-Forwarded-Port", "X-Forwarded-Server",
		"X-Real-IP", "X-Client-IP", "True-Client-IP", "Forwarded",
		"X-Original-Method", NULL
	};
	int			i;

	if (!rest_valid_header_name(name))
		return psprintf("\"%s\" is not a valid HTTP header name.", name);
	for (i = 0; refused[i]; i++)
	{
		if (pg_strcasecmp(name, refused[i]) == 0)
			return psprintf("Header \"%s\" cannot be set with this option: credentials belong in a user mapping (authentication_method 'http_header'), and libcurl sets the others itself.",
							name);
	}
	for (i = 0; rerouting[i]; i++)
	{
		if (pg_strcasecmp(name, rerouting[i]) == 0)
			return psprintf("Header \"%s\" would make the API answer another method or path than the endpoint's GET.",
							name);
	}
	for (i = 0; spoofing[i]; i++)
	{
		if (pg_strcasecmp(name, spoofing[i]) == 0)
			return psprintf("Header \"%s\" is set by proxies to describe the client or the original request, and the API or a proxy in front of it may trust it.",
							name);
	}
	if (stored_value && looks_like_credential(name))
		return psprintf("Header \"%s\" looks like a credential, and this option is readable by every user: give the server authentication_method 'http_header' and auth_header '%s', and put the value in the user mapping's api_key.",
						name, name);
	return NULL;
}

/*
 * Parse a headers option: a JSON object of header names and string values.
 * Returns a List of "Name: value" strings.  The names rest_header_name_problem
 * refuses are refused: the option is readable by every user, and
 * authentication has its own options.  With problem NULL an invalid value
 * raises an error; otherwise *problem explains it and NIL is returned.
 */
List *
rest_parse_headers(const char *value, const char **problem)
{
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));
	json_error_t jerr;
	json_t	   *root;
	const char *key;
	json_t	   *v;
	List	   *result = NIL;
	const char *bad = NULL;

	/* registered before the value exists, so running out of memory leaks nothing */
	cb->func = json_decref_callback;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	if (problem)
		*problem = NULL;
	root = json_loads(value, JSON_REJECT_DUPLICATES, &jerr);
	cb->arg = root;
	if (root == NULL)
		bad = psprintf("The value is not valid JSON: %s.", jerr.text);
	else if (!json_is_object(root))
		bad = "The value is not a JSON object.";
	else
	{
		json_object_foreach(root, key, v)
		{
			bad = rest_header_name_problem(key, true);
			if (bad == NULL && !json_is_string(v))
				bad = psprintf("The value of header \"%s\" is not a string.", key);
			else if (bad == NULL && rest_has_control_chars(json_string_value(v)))
				bad = psprintf("The value of header \"%s\" contains control characters.", key);
			if (bad)
				break;
			result = lappend(result, psprintf("%s: %s", key,
											  json_string_value(v)));
		}
	}

	if (bad)
	{
		if (problem == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("invalid value for option \"%s\"", OPT_HEADERS),
					 errdetail("%s", bad)));
		*problem = bad;
		return NIL;
	}
	return result;
}
