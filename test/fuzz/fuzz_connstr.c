/*
 * fuzz_connstr.c
 *		libFuzzer harness of rest_fdw_import_connection's parsers
 *		(src/migrate.c): DataDirect connection strings
 *		("Key=Value;Key={value; with semicolons}", parse_connection_string)
 *		and odbc.ini data source sections (parse_odbc_ini), then the
 *		mapping of the properties to rest_fdw options (map_properties).
 *
 * The input is the text, up to its first NUL (an SQL text has none); its
 * length modulo 4 sets the other arguments: user_mapping unless bit 0,
 * base_url 'https://api.example.com' when bit 1.  The text goes to the
 * parser looks_like_odbc_ini picks, as rest_fdw_import_connection does.
 *
 * What must hold:
 *   - parsing ends in an ERROR or gives at most 256 properties, each with
 *     a non-empty key without white space around it, "=" in it (nor ";"
 *     in a connection string), and a value that are both text of the
 *     input (but for the ServerName a "jdbc:datadirect:autorest:" prefix
 *     names); the known property each key names is the one whose name or
 *     alias equals it in any case of its ASCII letters, and no property is
 *     there twice (by any of its names, or unknown names in any case);
 *   - the properties written back as a connection string, each value in
 *     braces when it holds ";", starts with "{" or has white space around
 *     it, parse to the same keys and values (when no value holds "}",
 *     white space and ";" in a row, which braces cannot quote); so do they
 *     written back as an odbc.ini section (when no key or value holds a
 *     line break and no key starts with "[", "#" or ";");
 *   - the mapping ends in an ERROR or sets exactly one base_url, an http
 *     or https URL, with PortNumber's port as its only port when that was
 *     given (and so the proxy with ProxyPort's), and every option that
 *     options.c calls secret is set in the user mapping, none when
 *     user_mapping is false;
 *   - a parser's ERROR quotes no value: its texts hold none of the
 *     telling bytes below;
 *   - the value of a secret property (Password, ClientSecret,
 *     RefreshToken, ...: DDProperty.secret or a secret option) is never in
 *     the text of a report (ERROR or NOTICE: message, detail, hint) nor
 *     in a result row, whose value for it is "********".  To tell a leak
 *     from a coincidence, only values of 4 bytes or more holding a byte
 *     no message of migrate.c has (one of !$&+<>@^`|~ or a byte >= 0x80)
 *     count, and only when the input holds them no more often than the
 *     secret values do.
 *
 * migrate.c is #included, unchanged, for its static parsers; what
 * rest_fdw_import_connection does after them (CREATE SERVER, the
 * tuplestore) is stubbed in pg_stubs.c to abort, and tuplestore_putvalues
 * here keeps the result rows.
 */
#include "migrate.c"			/* src/migrate.c, by -I */

#include "fuzz_common.h"

#define FUZZ_BASE_URL "https://api.example.com"
#define MAX_TEXTS 2048

/* the texts of reports and result rows, until the end of the input */
static const char *texts[MAX_TEXTS];
static int	ntexts;
static int	nrows;
static const char *row_property[MAX_PROPERTIES * 2 + 8];
static const char *row_value[MAX_PROPERTIES * 2 + 8];

static void
keep_text(const char *s)
{
	if (s != NULL && ntexts < MAX_TEXTS)
		texts[ntexts++] = s;
}

static void
catch_report(const FuzzReport *r)
{
	keep_text(r->message);
	keep_text(r->detail);
	keep_text(r->hint);
}

static char *
text_of(Datum d)
{
	text	   *t = (text *) DatumGetPointer(d);

	return pnstrdup(VARDATA(t), VARSIZE(t) - VARHDRSZ);
}

/* map_properties's result rows (property, option, target, value) */
void
tuplestore_putvalues(Tuplestorestate *state, TupleDesc tdesc,
					 Datum *values, bool *isnull)
{
	int			i;

	FUZZ_CHECK(nrows < (int) lengthof(row_value), "%d result rows", nrows);
	FUZZ_CHECK(!isnull[0] && !isnull[2], "a row without property or target");
	row_property[nrows] = text_of(values[0]);
	row_value[nrows] = isnull[3] ? NULL : text_of(values[3]);
	for (i = 0; i < 4; i++)
		if (!isnull[i])
			keep_text(text_of(values[i]));
	nrows++;
}

/* --- helpers ----------------------------------------------------------- */

static int
ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++)
	{
		int			x = (*a >= 'A' && *a <= 'Z') ? *a + 32 : (unsigned char) *a;
		int			y = (*b >= 'A' && *b <= 'Z') ? *b + 32 : (unsigned char) *b;

		if (x != y || x == 0)
			return x - y;
	}
}

static const DDProperty *
property_named(const char *key)
{
	const DDProperty *p;

	for (p = props; p->name; p++)
		if (ascii_casecmp(p->name, key) == 0 ||
			(p->alias && ascii_casecmp(p->alias, key) == 0))
			return p;
	return NULL;
}

/* occurrences of w in s, overlapping ones too */
static int
occurrences(const char *s, const char *w)
{
	size_t		wlen = strlen(w);
	int			n = 0;
	const char *p;

	if (wlen == 0)
		return 0;
	for (p = s; (p = strstr(p, w)) != NULL; p++)
		n++;
	return n;
}

static bool
is_secret_prop(const GivenProp *g)
{
	return g->def != NULL && (g->def->secret ||
							  (g->def->option && rest_option_is_secret(g->def->option)));
}

/* a secret value whose showing could not be a coincidence */
static bool
telling(const char *v)
{
	const char *p;

	if (strlen(v) < 4)
		return false;
	for (p = v; *p; p++)
		if (strchr("!$&+<>@^`|~", *p) || IS_HIGHBIT_SET(*p))
			return true;
	return false;
}

static bool
all_space_around(const char *s)
{
	size_t		len = strlen(s);

	return len > 0 && (is_space(s[0]) || is_space(s[len - 1]));
}

/* parse s as the harnessed function would; NULL list on ERROR */
static List *
parse_as(const char *s, bool odbc, bool *failed)
{
	MigrateState ms = {0};
	volatile bool err = false;

	PG_TRY();
	{
		if (odbc)
			parse_odbc_ini(&ms, s);
		else
			parse_connection_string(&ms, s);
	}
	PG_CATCH();
	{
		FlushErrorState();
		err = true;
	}
	PG_END_TRY();
	*failed = err;
	return err ? NIL : ms.given;
}

static void
check_same(List *a, List *b, const char *how, const char *text)
{
	int			i;

	FUZZ_CHECK(list_length(a) == list_length(b), "%s: %d properties, not %d: %s",
			   how, list_length(b), list_length(a), text);
	for (i = 0; i < list_length(a); i++)
	{
		GivenProp  *x = list_nth(a, i);
		GivenProp  *y = list_nth(b, i);

		FUZZ_CHECK(strcmp(x->key, y->key) == 0 && strcmp(x->value, y->value) == 0,
				   "%s: property %d is \"%s\" = \"%s\", not \"%s\" = \"%s\": %s",
				   how, i + 1, y->key, y->value, x->key, x->value, text);
	}
}

/* Written back as a connection string and as odbc.ini, the same list */
static void
check_round_trip(List *given)
{
	StringInfoData cs;
	StringInfoData ini;
	bool		cs_ok = true;
	bool		ini_ok = true;
	bool		failed;
	ListCell   *lc;

	initStringInfo(&cs);
	initStringInfo(&ini);
	appendStringInfoString(&ini, "[fuzz]\n");
	foreach(lc, given)
	{
		GivenProp  *g = lfirst(lc);
		const char *v = g->value;
		const char *p;

		if (strchr(g->key, ';') || strchr(g->key, '='))
			cs_ok = false;
		for (p = strchr(v, '}'); p; p = strchr(p + 1, '}'))
		{
			const char *r = p + 1;

			while (is_space(*r))
				r++;
			if (*r == ';')
				cs_ok = false;
		}
		appendStringInfo(&cs, ";%s=", g->key);
		if (strchr(v, ';') || v[0] == '{' || all_space_around(v))
			appendStringInfo(&cs, "{%s}", v);
		else
			appendStringInfoString(&cs, v);

		if (strchr(g->key, '\n') || strchr(g->key, '=') || strchr(v, '\n') ||
			g->key[0] == '[' || g->key[0] == '#' || g->key[0] == ';' ||
			all_space_around(v))
			ini_ok = false;
		appendStringInfo(&ini, "%s=%s\n", g->key, v);
	}
	if (cs_ok)
	{
		List	   *again = parse_as(cs.data, false, &failed);

		FUZZ_CHECK(!failed, "written back as a connection string, refused: %s", cs.data);
		check_same(given, again, "as a connection string", cs.data);
	}
	if (ini_ok && given != NIL)
	{
		List	   *again = parse_as(ini.data, true, &failed);

		FUZZ_CHECK(!failed, "written back as odbc.ini, refused: %s", ini.data);
		check_same(given, again, "as odbc.ini", ini.data);
	}
}

static void
check_parsed(const char *s, List *given, bool odbc)
{
	ListCell   *lc;
	int			i = 0;
	const char *p = s;

	FUZZ_CHECK(list_length(given) <= MAX_PROPERTIES, "%d properties", list_length(given));
	while (is_space(*p))
		p++;
	foreach(lc, given)
	{
		GivenProp  *g = lfirst(lc);
		ListCell   *lc2;
		int			j = 0;

		i++;
		FUZZ_CHECK(g->key[0] != '\0' && !all_space_around(g->key),
				   "property %d: key \"%s\"", i, g->key);
		FUZZ_CHECK(strchr(g->key, '=') == NULL && (odbc || strchr(g->key, ';') == NULL),
				   "property %d: key \"%s\" with a separator", i, g->key);
		FUZZ_CHECK(strstr(s, g->key) != NULL ||
				   (i == 1 && !odbc && strcmp(g->key, "ServerName") == 0 &&
					pg_strncasecmp(p, "jdbc:datadirect:autorest:", 25) == 0),
				   "property %d: key \"%s\" is not in the input", i, g->key);
		FUZZ_CHECK(strstr(s, g->value) != NULL,
				   "property %d: value \"%s\" is not in the input", i, g->value);
		FUZZ_CHECK(!odbc || (strchr(g->value, '\n') == NULL && !all_space_around(g->value)),
				   "property %d: odbc.ini value \"%s\"", i, g->value);
		FUZZ_CHECK(g->def == property_named(g->key),
				   "property %d: key \"%s\" taken for %s", i, g->key,
				   g->def ? g->def->name : "an unknown one");
		foreach(lc2, given)
		{
			GivenProp  *h = lfirst(lc2);

			if (++j >= i)
				break;
			FUZZ_CHECK(g->def ? g->def != h->def
					   : (h->def != NULL || ascii_casecmp(g->key, h->key) != 0),
					   "properties %d and %d: \"%s\" twice", j, i, g->key);
		}
	}
}

/* No secret value in a report or a result row */
static void
check_secrets(const char *s, List *given)
{
	ListCell   *lc;
	int			i;

	foreach(lc, given)
	{
		GivenProp  *g = lfirst(lc);
		ListCell   *lc2;
		int			inside = 0;

		if (!is_secret_prop(g) || !telling(g->value))
			continue;
		foreach(lc2, given)
		{
			GivenProp  *h = lfirst(lc2);

			if (is_secret_prop(h))
				inside += occurrences(h->value, g->value);
		}
		if (occurrences(s, g->value) > inside)
			continue;			/* also elsewhere in the input */
		for (i = 0; i < ntexts; i++)
			FUZZ_CHECK(strstr(texts[i], g->value) == NULL,
					   "the value of secret property %s in \"%s\"", g->key, texts[i]);
	}
	/* a secret property's row shows the mask, or nothing */
	for (i = 0; i < nrows; i++)
	{
		const DDProperty *def = find_property(row_property[i]);

		if (def && def->secret && row_value[i])
			FUZZ_CHECK(strcmp(row_value[i], MASKED_VALUE) == 0,
					   "the row of %s shows \"%s\"", row_property[i], row_value[i]);
	}
}

/*
 * A URL that url_with_port gave a separate port: its authority has that
 * port and no other (after the "]" of an IPv6 literal).
 */
static void
check_one_port(const char *url, const char *port, const char *what)
{
	const char *authority = strstr(url, "://") + 3;
	size_t		hostlen = strcspn(authority, "/");
	const char *host_end = authority;
	const char *colon;

	if (authority[0] == '[')
	{
		const char *bracket = memchr(authority, ']', hostlen);

		if (bracket == NULL)
			return;				/* not a URL: the validator refuses it */
		host_end = bracket;
	}
	colon = memchr(host_end, ':', hostlen - (host_end - authority));
	FUZZ_CHECK(colon != NULL && strlen(port) == hostlen - (colon + 1 - authority) &&
			   strncmp(colon + 1, port, strlen(port)) == 0,
			   "%s \"%s\" has not just the port %s", what, url, port);
}

static void
check_options(MigrateState *ms, bool user_mapping, bool base_url_arg)
{
	ListCell   *lc;
	int			base_urls = 0;
	GivenProp  *port = given(ms, HOW_PORT);
	GivenProp  *proxy_port = given(ms, HOW_PROXY_PORT);

	foreach(lc, ms->options)
	{
		OptionSet  *o = lfirst(lc);

		FUZZ_CHECK(o->target == TGT_SERVER || o->target == TGT_MAPPING,
				   "option %s for neither", o->option);
		FUZZ_CHECK(!rest_option_is_secret(o->option) || o->target == TGT_MAPPING,
				   "secret option %s in the server", o->option);
		FUZZ_CHECK(user_mapping || o->target != TGT_MAPPING,
				   "option %s in a user mapping not asked for", o->option);
		if (strcmp(o->option, OPT_BASE_URL) == 0)
		{
			base_urls++;
			FUZZ_CHECK(has_scheme(o->value), "base_url \"%s\"", o->value);
			if (port && !base_url_arg)
				check_one_port(o->value, port->value, "base_url");
		}
		if (strcmp(o->option, OPT_PROXY) == 0 && proxy_port)
			check_one_port(o->value, proxy_port->value, "proxy");
	}
	FUZZ_CHECK(base_urls == 1, "%d base_url options", base_urls);
}

static int
fuzz_connstr_one(const uint8_t *data, size_t size)
{
	char	   *s = fuzz_cstring(data, strnlen((const char *) data, size));
	bool		user_mapping = !(size & 1);
	const char *base_url = (size & 2) ? FUZZ_BASE_URL : NULL;
	bool		odbc = looks_like_odbc_ini(s);
	MigrateState ms = {0};
	volatile bool failed = false;
	volatile bool parsed = false;

	ntexts = 0;
	nrows = 0;
	fuzz_report_hook = catch_report;
	PG_TRY();
	{
		if (odbc)
			parse_odbc_ini(&ms, s);
		else
			parse_connection_string(&ms, s);
		parsed = true;
		map_properties(&ms, base_url, user_mapping);
	}
	PG_CATCH();
	{
		FlushErrorState();
		failed = true;
	}
	PG_END_TRY();
	fuzz_report_hook = NULL;

	/*
	 * The parsers' messages quote no value at all (only numbers and names
	 * that look like names): whatever the property whose value the ERROR
	 * came in, none of the telling bytes.  After parsing, every secret
	 * value is known.
	 */
	if (!parsed)
	{
		int			i;
		const char *p;

		for (i = 0; i < ntexts; i++)
			for (p = texts[i]; *p; p++)
				FUZZ_CHECK(!strchr("!$&+<>@^`|~", *p) && !IS_HIGHBIT_SET(*p),
						   "a parser's message quotes the input: %s", texts[i]);
	}
	else
		check_secrets(s, ms.given);
	if (parsed)
	{
		check_parsed(s, ms.given, odbc);
		check_round_trip(ms.given);
		if (!failed)
			check_options(&ms, user_mapping, base_url != NULL);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_RUN_ONE(fuzz_connstr_one, data, size);
}
