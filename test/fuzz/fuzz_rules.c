/*
 * fuzz_rules.c
 *		libFuzzer harness of the http_rules option (src/httprules.c).
 *
 * The input is an http_rules value, a NUL, then a response body (an input
 * without a NUL is a value with an empty body).  rest_parse_http_rules must
 * accept the value or explain why without an ERROR; for an accepted one,
 * every rule holds a status of 100 to 599 (or a class 1 to 5), texts of at
 * most 1000 bytes, and only fail rules a message.  Each status of the
 * value's rules is then looked up against the body: the rule found must
 * match it, and a fail rule's message is built from the body: at most the
 * message with each placeholder replaced by 200 bytes (the shortening of
 * rest_shorten_scrubbed, plus its "..."), never holding the secret the
 * request is said to have sent, not even pieced together from values and
 * the message's own text.
 */
#include "rest_fdw.h"

#include "fuzz_common.h"

#define SECRET "s3cr3t-t0ken"

/* Does body hold text?  (Written plainly, unlike httprules.c's.) */
static int
holds(const char *body, size_t len, const char *text)
{
	size_t		tlen = strlen(text);
	size_t		i;

	for (i = 0; i + tlen <= len; i++)
		if (memcmp(body + i, text, tlen) == 0)
			return 1;
	return 0;
}

static int
fuzz_rules_one(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t		vlen = nul ? (size_t) (nul - data) : size;
	char	   *value = fuzz_cstring(data, vlen);
	const char *body = nul ? (const char *) nul + 1 : "";
	size_t		blen = nul ? size - vlen - 1 : 0;
	const char *problem = NULL;
	List	   *rules;
	List	   *secrets = list_make1(SECRET);
	ListCell   *lc;

	if (nul && fuzz_json_nesting(nul + 1, blen) > FUZZ_MAX_NESTING)
		return -1;
	rules = rest_parse_http_rules(value, &problem);
	if (problem != NULL)
	{
		FUZZ_CHECK(rules == NIL, "a list with a problem");
		return 0;
	}
	FUZZ_CHECK(rules != NIL && list_length(rules) <= 64, "%d rules", list_length(rules));
	foreach(lc, rules)
	{
		const RestHttpRule *rule = lfirst(lc);
		const RestHttpRule *found;
		long		status;

		FUZZ_CHECK(rule->is_class ? rule->status >= 1 && rule->status <= 5
				   : rule->status >= 100 && rule->status <= 599,
				   "status %d", rule->status);
		FUZZ_CHECK(rule->match == NULL || (rule->match[0] && strlen(rule->match) <= 1000),
				   "match of %zu bytes", rule->match ? strlen(rule->match) : 0);
		FUZZ_CHECK(rule->message == NULL || rule->action == REST_HTTP_FAIL,
				   "a message on another action");
		status = rule->is_class ? rule->status * 100 + 1 : rule->status;
		found = rest_http_rule_find(rules, status, body, blen);
		if (found == NULL)
			continue;
		FUZZ_CHECK(found->is_class ? status / 100 == found->status : status == found->status,
				   "rule of status %d found for %ld", found->status, status);
		FUZZ_CHECK(found->match == NULL || holds(body, blen, found->match),
				   "a rule whose text the body does not hold");
		if (found->message)
		{
			char	   *m = rest_http_rule_message(found, body, blen, secrets);

			FUZZ_CHECK(strlen(m) <= strlen(found->message) * 204, "message of %zu bytes from %zu",
					   strlen(m), strlen(found->message));
			FUZZ_CHECK(strstr(m, SECRET) == NULL, "the secret in the message: %s", m);
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_rules_one, data, size);
}
