/*
 * fuzz_body.c
 *		libFuzzer harness of the body templates (src/template.c).
 *
 * The input is a body option's value: a NUL-terminated string (an input's
 * bytes after a NUL are ignored).  rest_parse_body must accept it or
 * explain why without an ERROR; a template it accepts is filled three
 * times, with no values, with values full of quotes, backslashes, braces,
 * control characters and placeholder names, and with body_null 'omit':
 * every body must be valid JSON (jansson), no value may leave its string,
 * and a body is at most the template with each placeholder replaced by an
 * escaped value.
 */
#include "rest_fdw.h"

#include <jansson.h>

#include "fuzz_common.h"

static const char *const evil[] = {
	"\"}, \"evil\": true, {\"",
	"\\\n\t\x01{limit}{cursor}\x7f",
	"12.5e3",
	"caf\xc3\xa9 }]",
};

/* arg: the round; names are given values in turn, some without */
static RestJsonKind
lookup(void *arg, const char *name, const char **text)
{
	int			round = *(int *) arg;
	size_t		h = strlen(name) + (unsigned char) name[0];

	if (round == 0 || h % 3 == 0)
	{
		*text = NULL;
		return REST_JSON_NONE;
	}
	switch (h % 4)
	{
		case 0:
			*text = "42";
			return REST_JSON_NUMBER;
		case 1:
			*text = "true";
			return REST_JSON_BOOL;
		default:
			*text = evil[h % lengthof(evil)];
			return REST_JSON_STRING;
	}
}

static int
fuzz_body_one(const uint8_t *data, size_t size)
{
	char	   *text = fuzz_cstring(data, size);
	const char *problem = NULL;
	RestBodyTemplate *tmpl;
	int			round;

	if (fuzz_json_nesting(data, size) > FUZZ_MAX_NESTING)
		return -1;
	tmpl = rest_parse_body(text, &problem);
	if (tmpl == NULL)
	{
		FUZZ_CHECK(problem != NULL, "refused without a reason");
		return 0;
	}
	for (round = 0; round < 3; round++)
	{
		char	   *body = rest_fill_body(tmpl, lookup, &round, round == 2);
		json_error_t jerr;
		json_t	   *doc = json_loads(body, JSON_DECODE_ANY, &jerr);

		FUZZ_CHECK(doc != NULL, "body %s is not JSON: %s", body, jerr.text);
		json_decref(doc);
		FUZZ_CHECK(strstr(text, "evil") != NULL || strstr(body, "\"evil\"") == NULL,
				   "a value left its string: %s", body);
		/* a placeholder is 3 bytes or more, a value at most 6 * 32 escaped */
		FUZZ_CHECK(strlen(body) <= (strlen(text) + 1) * (6 * 32 + 4),
				   "body of %zu bytes from a template of %zu", strlen(body), strlen(text));
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_body_one, data, size);
}
