/*-------------------------------------------------------------------------
 *
 * httprules.c
 *		  The http_rules option: what a response's HTTP status means.
 *
 * Some APIs answer 404 for a collection that is empty, 400 when a filter
 * matches nothing, or a 500 whose body says "try again".  http_rules maps
 * such answers to actions, the way the DataDirect connector's #http entries
 * do, one rule after another, separated by semicolons:
 *
 *		404 zero_rows; 500 match 'try again' retry_once;
 *		403 fail message 'not allowed: {/error/message}'
 *
 * A rule is a status (three digits, or a class such as 4xx), optionally
 * "match 'text'" (the body must hold text), an action, and for fail
 * optionally "message 'text'", where {/a/b} is replaced by the value at
 * that JSON pointer (RFC 6901) in the response.  Quotes inside a quoted
 * text are doubled.  The first rule that matches a response decides; a
 * status no rule matches is handled as without the option.
 *
 * The option is stored in the catalogs, which every role can read, and the
 * rules come from users with USAGE on a server at most: so the parser
 * bounds everything (rules, text lengths, placeholders) and the message is
 * built from the body only through rest_shorten_scrubbed, so that no
 * credential the request sent is ever quoted.  This file depends on no
 * other file of rest_fdw but the shortening in scrub.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <jansson.h>

#include "lib/stringinfo.h"

#include "rest_fdw.h"

#define MAX_RULES			64
#define MAX_TEXT			1000
#define MAX_PLACEHOLDERS	8

static const struct
{
	const char *name;
	RestHttpAction action;
}			actions[] =
{
	{"ok", REST_HTTP_OK},
	{"zero_rows", REST_HTTP_ZERO_ROWS},
	{"reauthenticate", REST_HTTP_REAUTHENTICATE},
	{"retry_once", REST_HTTP_RETRY_ONCE},
	{"fail", REST_HTTP_FAIL},
	{NULL, 0}
};

static void
json_decref_callback(void *arg)
{
	if (arg)
		json_decref((json_t *) arg);
}

/* The scanner's state: the text left, and the first problem found */
typedef struct RuleScan
{
	const char *p;
	const char **problem;
} RuleScan;

static void
skip_space(RuleScan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

/* The next word (letters, digits, underscores), or NULL */
static char *
next_word(RuleScan *s)
{
	const char *start;

	skip_space(s);
	start = s->p;
	while ((*s->p >= 'a' && *s->p <= 'z') || (*s->p >= 'A' && *s->p <= 'Z') ||
		   (*s->p >= '0' && *s->p <= '9') || *s->p == '_')
		s->p++;
	if (s->p == start)
		return NULL;
	return pnstrdup(start, s->p - start);
}

/* A quoted text ('...', quotes doubled inside), or NULL with *problem */
static char *
next_quoted(RuleScan *s, const char *what)
{
	StringInfoData buf;

	skip_space(s);
	if (*s->p != '\'')
	{
		*s->problem = psprintf("\"%s\" must be followed by a quoted text, as in %s 'text'.",
							   what, what);
		return NULL;
	}
	s->p++;
	initStringInfo(&buf);
	for (;;)
	{
		if (*s->p == '\0')
		{
			*s->problem = psprintf("The text after \"%s\" has no closing quote.", what);
			return NULL;
		}
		if (*s->p == '\'')
		{
			if (s->p[1] != '\'')
				break;
			s->p++;
		}
		if ((unsigned char) *s->p < 0x20)
		{
			*s->problem = psprintf("The text after \"%s\" holds a control character.", what);
			return NULL;
		}
		appendStringInfoChar(&buf, *s->p++);
		if (buf.len > MAX_TEXT)
		{
			*s->problem = psprintf("The text after \"%s\" is longer than %d bytes.",
								   what, MAX_TEXT);
			return NULL;
		}
	}
	s->p++;
	if (buf.len == 0)
	{
		*s->problem = psprintf("The text after \"%s\" is empty.", what);
		return NULL;
	}
	return buf.data;
}

/* Are the {/pointer} placeholders of a message well formed? */
static bool
check_message(const char *m, const char **problem)
{
	int			n = 0;

	for (; *m; m++)
	{
		const char *end;

		if (*m != '{')
			continue;
		end = strchr(m, '}');
		if (m[1] != '/' || end == NULL)
		{
			*problem = "A \"{\" in a message must start a JSON pointer placeholder such as {/error/message}.";
			return false;
		}
		if (++n > MAX_PLACEHOLDERS)
		{
			*problem = psprintf("A message may hold at most %d placeholders.",
								MAX_PLACEHOLDERS);
			return false;
		}
		m = end;
	}
	return true;
}

/*
 * Parse an http_rules value into a List of RestHttpRule, in the current
 * memory context.  On a problem, returns NULL and sets *problem to an
 * errdetail.
 */
List *
rest_parse_http_rules(const char *value, const char **problem)
{
	RuleScan	s;
	List	   *rules = NIL;

	*problem = NULL;
	s.p = value;
	s.problem = problem;
	for (;;)
	{
		RestHttpRule *rule;
		char	   *word;
		int			i;

		skip_space(&s);
		if (*s.p == '\0')
			break;
		if (*s.p == ';')
		{
			s.p++;
			continue;
		}
		if (list_length(rules) >= MAX_RULES)
		{
			*problem = psprintf("At most %d rules may be given.", MAX_RULES);
			return NULL;
		}
		rule = palloc0(sizeof(RestHttpRule));

		/* the status: 404, or a class: 4xx */
		word = next_word(&s);
		if (word == NULL || strlen(word) != 3 || word[0] < '1' || word[0] > '5')
		{
			*problem = psprintf("Rule %d does not start with an HTTP status such as 404 or a class such as 4xx.",
								list_length(rules) + 1);
			return NULL;
		}
		if ((word[1] == 'x' || word[1] == 'X') && (word[2] == 'x' || word[2] == 'X'))
		{
			rule->status = word[0] - '0';
			rule->is_class = true;
		}
		else if (word[1] >= '0' && word[1] <= '9' && word[2] >= '0' && word[2] <= '9')
			rule->status = atoi(word);
		else
		{
			*problem = psprintf("Rule %d does not start with an HTTP status such as 404 or a class such as 4xx.",
								list_length(rules) + 1);
			return NULL;
		}

		word = next_word(&s);
		if (word != NULL && pg_strcasecmp(word, "match") == 0)
		{
			rule->match = next_quoted(&s, "match");
			if (rule->match == NULL)
				return NULL;
			word = next_word(&s);
		}
		if (word == NULL)
		{
			*problem = psprintf("Rule %d has no action: give ok, zero_rows, reauthenticate, retry_once or fail.",
								list_length(rules) + 1);
			return NULL;
		}
		for (i = 0; actions[i].name; i++)
			if (pg_strcasecmp(word, actions[i].name) == 0)
				break;
		if (actions[i].name == NULL)
		{
			*problem = psprintf("\"%s\" is not an action; give ok, zero_rows, reauthenticate, retry_once or fail.",
								word);
			return NULL;
		}
		rule->action = actions[i].action;

		word = next_word(&s);
		if (word != NULL && pg_strcasecmp(word, "message") == 0)
		{
			if (rule->action != REST_HTTP_FAIL)
			{
				*problem = psprintf("Rule %d has a message, but only the action fail shows one.",
									list_length(rules) + 1);
				return NULL;
			}
			rule->message = next_quoted(&s, "message");
			if (rule->message == NULL || !check_message(rule->message, problem))
				return NULL;
			word = NULL;
		}
		skip_space(&s);
		if (word != NULL || (*s.p != ';' && *s.p != '\0'))
		{
			*problem = psprintf("Rule %d has more after its action; separate rules with semicolons.",
								list_length(rules) + 1);
			return NULL;
		}
		rules = lappend(rules, rule);
	}
	if (rules == NIL)
		*problem = "Give at least one rule, such as 404 zero_rows.";
	return rules;
}

/* Does body (len bytes, maybe with NULs) hold text? */
static bool
body_holds(const char *body, size_t len, const char *text)
{
	size_t		tlen = strlen(text);
	const char *p = body;
	const char *end = body + len;

	while ((size_t) (end - p) >= tlen)
	{
		p = memchr(p, text[0], end - p - tlen + 1);
		if (p == NULL)
			return false;
		if (memcmp(p, text, tlen) == 0)
			return true;
		p++;
	}
	return false;
}

/*
 * The first rule that matches a response with this status and body, or
 * NULL.
 */
const RestHttpRule *
rest_http_rule_find(List *rules, long status, const char *body, size_t len)
{
	ListCell   *lc;

	foreach(lc, rules)
	{
		const RestHttpRule *rule = lfirst(lc);

		if (rule->is_class ? status / 100 != rule->status : status != rule->status)
			continue;
		if (rule->match != NULL &&
			(body == NULL || !body_holds(body, len, rule->match)))
			continue;
		return rule;
	}
	return NULL;
}

/* The value at an RFC 6901 pointer (ptr .. end, after the '/'), or NULL */
static json_t *
json_at_pointer(json_t *v, const char *ptr, const char *end)
{
	StringInfoData token;

	initStringInfo(&token);
	while (v != NULL && ptr < end)
	{
		resetStringInfo(&token);
		for (; ptr < end && *ptr != '/'; ptr++)
		{
			if (*ptr == '~' && ptr + 1 < end && (ptr[1] == '0' || ptr[1] == '1'))
			{
				appendStringInfoChar(&token, ptr[1] == '0' ? '~' : '/');
				ptr++;
			}
			else
				appendStringInfoChar(&token, *ptr);
		}
		if (ptr < end)
			ptr++;				/* the '/' */
		if (json_is_object(v))
			v = json_object_get(v, token.data);
		else if (json_is_array(v))
		{
			char	   *e;
			long		i = strtol(token.data, &e, 10);

			v = (token.len > 0 && *e == '\0' && i >= 0 && token.data[0] != '-')
				? json_array_get(v, i) : NULL;
		}
		else
			v = NULL;
	}
	pfree(token.data);
	return v;
}

/*
 * The message of a fail rule, its {/pointer} placeholders replaced by the
 * values in the body (parsed only when there are some): strings as they
 * are, other values as JSON, a missing value as an empty text.  Values are
 * shortened and stripped of the request's secrets, and so is the whole.
 */
char *
rest_http_rule_message(const RestHttpRule *rule, const char *body, size_t len,
					   List *secrets)
{
	StringInfoData buf;
	json_t	   *doc = NULL;
	const char *m;

	if (strchr(rule->message, '{') != NULL && body != NULL &&
		len <= REST_MAX_STATUS_BODY)
	{
		MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));

		/* released with the context, also when an ERROR comes first */
		cb->func = json_decref_callback;
		MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
		doc = json_loadb(body, len, JSON_DECODE_ANY, NULL);
		cb->arg = doc;
	}

	initStringInfo(&buf);
	for (m = rule->message; *m; m++)
	{
		const char *end;
		json_t	   *v;
		char	   *text = NULL;

		if (*m != '{' || (end = strchr(m, '}')) == NULL)
		{
			appendStringInfoChar(&buf, *m);
			continue;
		}
		v = doc ? json_at_pointer(doc, m + 2, end) : NULL;
		if (json_is_string(v))
			text = pstrdup(json_string_value(v));
		else if (v != NULL)
		{
			char	   *dumped = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

			if (dumped)
			{
				text = pstrdup(dumped);
				free(dumped);
			}
		}
		if (text)
			appendStringInfoString(&buf,
								   rest_shorten_scrubbed(text, strlen(text), 200,
														 secrets));
		m = end;
	}
	/* a secret may also be pieced together from values and the text */
	return rest_scrub(buf.data, secrets);
}
