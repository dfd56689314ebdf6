/*
 * fuzz_decode.c
 *		libFuzzer harness of the response decoders: rest_decode_body
 *		(src/format.c) with NDJSON, CSV (src/csv.c, libcsv) and XML
 *		(src/xml.c, libxml2) bodies.
 *
 * Input: one selector byte b, then the body.  b % 5 picks the format and
 * v = b / 5 its variant:
 *   0  NDJSON; rows_path "data" when v % 8 == 7 (an ERROR), the small
 *      limit when (v / 8) is odd
 *   1  CSV; delimiter ",;\t|"[v % 4], quote ' when v & 4 (else "),
 *      csv_header off when v & 8, the small limit when v & 16, rows_path
 *      "data" when v & 32 (an ERROR)
 *   2  XML; rows_path none, "feed.entry", "root.items.item", "feed",
 *      "a.b" by v % 5, the small limit when (v / 5) is odd
 *   3  the same XML body turned into UTF-16LE with a byte order mark
 *      (each byte one code unit: Latin-1), which xml.c leaves to libxml2
 *   4  response_format 'auto': the Content-Type none, application/json,
 *      application/x-ndjson, text/csv, application/atom+xml, text/html
 *      or "TEXT/XML ; charset=utf-8" by v % 7 (rows_path "feed.entry"
 *      when (v / 7) is odd, small limit never)
 * The small limit is a max_response_size of 256 bytes (1 kB of JSON),
 * else 10 MB.  The request's secret is SECRET.
 *
 * What must hold, after rest_decode_body returned or raised an ERROR:
 *   - an ERROR has an errcode other than XX000 and no SECRET in its
 *     message, detail or hint (the body is never quoted unscrubbed);
 *   - every pg_xml_init has its pg_xml_done, libxml2 has freed every block
 *     it allocated for the input (its allocator is counted), and it tried
 *     to load no external entity;
 *   - a decoded body is NUL-terminated without a NUL inside, at most
 *     4 * max_response_size bytes, JSON that PostgreSQL's parser (which
 *     rows.c uses) accepts, and marked with the format it came from; a
 *     JSON body is left alone;
 *   - NDJSON: the body is exactly "[" + the non-blank lines (trimmed, RS
 *     dropped) joined by "," + "]"; it fails exactly when the body is not
 *     UTF-8, a line is not JSON (and the message names the first such
 *     line), a rows_path is given, or the array would pass the limit;
 *   - CSV: an array of rows of one kind (objects with the header's names,
 *     or arrays of as many strings); a body without quotes and carriage
 *     returns is split here by lines and delimiters, and the result must
 *     be exactly those fields (blank lines skipped), or an ERROR exactly
 *     when records are ragged, header names repeat, or the limit passed;
 *   - XML: an object with one member, the root; "@name" and "#text"
 *     members are strings, other members strings, objects or arrays of
 *     those, names without ":"; the elements a rows_path of two or more
 *     steps names are an array; nesting is bounded; and a document whose
 *     prolog holds a document type declaration (billion laughs, external
 *     entities) never decodes.
 */
#define REST_COMPAT_JSON
#include "rest_fdw.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/elog.h"

#include "fuzz_common.h"

#define SECRET "s3cr3t-t0ken"

/* --- libxml2's allocations, counted ------------------------------------ */

static long xml_blocks = 0;

static void *
count_malloc(size_t n)
{
	void	   *p = malloc(n);

	if (p)
		xml_blocks++;
	return p;
}

static void *
count_realloc(void *p, size_t n)
{
	void	   *q = realloc(p, n);

	if (q && p == NULL)
		xml_blocks++;
	return q;
}

static void
count_free(void *p)
{
	if (p)
		xml_blocks--;
	free(p);
}

static char *
count_strdup(const char *s)
{
	char	   *p = strdup(s);

	if (p)
		xml_blocks++;
	return p;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlMemSetup(count_free, count_malloc, count_realloc, count_strdup);
	xmlInitParser();
	return 0;
}

/* --- the ERROR, as reported -------------------------------------------- */

static int	error_code;
static char *error_message;

static void
catch_report(const FuzzReport *r)
{
	fuzz_check_report_secret(r, SECRET);
	if (r->elevel >= ERROR)
	{
		error_code = r->sqlerrcode;
		error_message = r->message ? pstrdup(r->message) : NULL;
	}
}

/* --- helpers ----------------------------------------------------------- */

static bool
pg_json_valid(const char *s, size_t len)
{
	JsonLexContext *lex = rest_make_json_lexer(s, len, false);
	JsonParseErrorType rc = pg_parse_json(lex, &nullSemAction);

	rest_free_json_lexer(lex);
	return rc == JSON_SUCCESS;
}

static bool
utf8_valid(const char *s, size_t len)
{
	return (size_t) pg_encoding_verifymbstr(PG_UTF8, s, (int) len) == len;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* --- NDJSON ------------------------------------------------------------ */

static void
check_ndjson(const char *body, size_t len, bool failed, const char *out,
			 size_t outlen, size_t limit, bool rows_path)
{
	StringInfoData expected;
	const char *p = body;
	const char *end = body + len;
	size_t		line = 0;
	size_t		bad_line = 0;
	bool		first = true;

	if (rows_path)
	{
		FUZZ_CHECK(failed && error_code == ERRCODE_FDW_INVALID_OPTION_NAME,
				   "NDJSON with a rows_path decoded");
		return;
	}
	if (!utf8_valid(body, len))
	{
		FUZZ_CHECK(failed && error_code == ERRCODE_CHARACTER_NOT_IN_REPERTOIRE,
				   "NDJSON that is not UTF-8: %s", failed ? "another error" : "decoded");
		return;
	}
	initStringInfo(&expected);
	appendStringInfoChar(&expected, '[');
	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *s = p;
		const char *e = nl ? nl : end;

		line++;
		p = nl ? nl + 1 : end;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
		if (s < e && *s == 0x1e)
			s++;
		if (s == e)
			continue;
		if (!pg_json_valid(s, e - s))
		{
			bad_line = line;
			break;
		}
		if (!first)
			appendStringInfoChar(&expected, ',');
		first = false;
		appendBinaryStringInfo(&expected, s, e - s);
	}
	appendStringInfoChar(&expected, ']');

	if (failed && error_code == ERRCODE_PROGRAM_LIMIT_EXCEEDED)
	{
		FUZZ_CHECK((size_t) expected.len + 1 > limit,
				   "NDJSON of %d bytes too large for %zu", expected.len, limit);
		return;
	}
	if (bad_line)
	{
		char		want[64];

		snprintf(want, sizeof(want), "line %zu of the NDJSON", bad_line);
		FUZZ_CHECK(failed && error_code == ERRCODE_INVALID_TEXT_REPRESENTATION &&
				   error_message && strncmp(error_message, want, strlen(want)) == 0,
				   "NDJSON line %zu is not JSON: %s", bad_line,
				   failed ? (error_message ? error_message : "?") : "decoded");
		return;
	}
	FUZZ_CHECK(!failed, "valid NDJSON refused: %s", error_message ? error_message : "?");
	FUZZ_CHECK(outlen == (size_t) expected.len && memcmp(out, expected.data, outlen) == 0,
			   "NDJSON decoded to %s, not %s", out, expected.data);
}

/* --- CSV --------------------------------------------------------------- */

/* The body's records and fields, split here (no quotes, no CR in it) */
typedef struct SplitCsv
{
	int			nrecords;
	int		   *nfields;
	char	 ***fields;
} SplitCsv;

static void
split_csv(const char *body, size_t len, char delim, SplitCsv *out)
{
	const char *p = body;
	const char *end = body + len;
	int			max = 16;

	out->nrecords = 0;
	out->nfields = palloc(sizeof(int) * max);
	out->fields = palloc(sizeof(char **) * max);
	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *e = nl ? nl : end;
		const char *f;
		int			n = 1;
		int			i;
		const char *q;

		if (e > p)
		{
			if (out->nrecords == max)
			{
				max *= 2;
				out->nfields = repalloc(out->nfields, sizeof(int) * max);
				out->fields = repalloc(out->fields, sizeof(char **) * max);
			}
			for (q = p; q < e; q++)
				n += *q == delim;
			out->fields[out->nrecords] = palloc(sizeof(char *) * n);
			out->nfields[out->nrecords] = n;
			for (f = p, i = 0; i < n; i++)
			{
				const char *d = memchr(f, delim, e - f);
				const char *fe = d ? d : e;

				out->fields[out->nrecords][i] = pnstrdup(f, fe - f);
				f = fe + 1;
			}
			out->nrecords++;
		}
		p = nl ? nl + 1 : end;
	}
}

/* A decoded JSON string that must be text */
static void
check_string(json_t *v, const char *text, const char *what)
{
	FUZZ_CHECK(json_is_string(v), "%s is not a string", what);
	if (text)
		FUZZ_CHECK(json_string_length(v) == strlen(text) &&
				   memcmp(json_string_value(v), text, strlen(text)) == 0,
				   "%s is \"%s\", not \"%s\"", what, json_string_value(v), text);
}

static void
check_csv(const char *body, size_t len, const RestFormatOptions *fmt,
		  bool failed, const char *out, size_t outlen, size_t limit,
		  bool rows_path)
{
	json_t	   *doc;
	json_error_t jerr;
	bool		simple;
	SplitCsv	sp = {0};
	bool		problem = false;
	int			names = 0;
	int			r,
				i;

	if (rows_path)
	{
		FUZZ_CHECK(failed && error_code == ERRCODE_FDW_INVALID_OPTION_NAME,
				   "CSV with a rows_path decoded");
		return;
	}
	if (!utf8_valid(body, len))
	{
		FUZZ_CHECK(failed && error_code == ERRCODE_CHARACTER_NOT_IN_REPERTOIRE,
				   "CSV that is not UTF-8: %s", failed ? "another error" : "decoded");
		return;
	}
	simple = memchr(body, fmt->csv_quote[0], len) == NULL && memchr(body, '\r', len) == NULL;
	if (simple)
	{
		split_csv(body, len, fmt->csv_delimiter[0], &sp);
		for (r = 1; r < sp.nrecords; r++)
			problem |= sp.nfields[r] != sp.nfields[0];
		if (fmt->csv_header && sp.nrecords > 0)
		{
			names = sp.nfields[0];
			for (i = 0; i < names; i++)
				for (r = 0; r < i; r++)
					problem |= strcmp(sp.fields[0][i], sp.fields[0][r]) == 0;
		}
	}

	if (failed)
	{
		if (error_code == ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			FUZZ_CHECK(limit < 4096, "CSV too large for %zu", limit);
		else if (simple)
			FUZZ_CHECK(problem, "CSV refused: %s", error_message ? error_message : "?");
		return;
	}
	FUZZ_CHECK(!simple || !problem, "ragged CSV or a repeated name decoded");

	doc = json_loadb(out, outlen, 0, &jerr);
	FUZZ_CHECK(doc != NULL, "decoded CSV is not JSON for jansson: %s: %s", jerr.text, out);
	FUZZ_CHECK(json_is_array(doc), "decoded CSV is not an array");
	if (simple)
		FUZZ_CHECK(json_array_size(doc) == (size_t) (sp.nrecords - (fmt->csv_header && sp.nrecords > 0)),
				   "%zu rows from %d records", json_array_size(doc), sp.nrecords);
	for (r = 0; r < (int) json_array_size(doc); r++)
	{
		json_t	   *row = json_array_get(doc, r);
		int			first_size = -1;

		if (fmt->csv_header)
		{
			FUZZ_CHECK(json_is_object(row), "CSV row %d is not an object", r);
			if (simple)
			{
				FUZZ_CHECK(json_object_size(row) == (size_t) names,
						   "row %d has %zu members, not %d", r, json_object_size(row), names);
				for (i = 0; i < names; i++)
					check_string(json_object_get(row, sp.fields[0][i]),
								 sp.fields[r + 1][i], "a CSV field");
			}
			else
			{
				const char *key;
				json_t	   *v;

				json_object_foreach(row, key, v)
					check_string(v, NULL, "a CSV field");
				first_size = json_object_size(json_array_get(doc, 0));
				FUZZ_CHECK(json_object_size(row) == (size_t) first_size,
						   "CSV rows of different sizes");
			}
		}
		else
		{
			FUZZ_CHECK(json_is_array(row), "CSV row %d is not an array", r);
			FUZZ_CHECK(json_array_size(row) == json_array_size(json_array_get(doc, 0)),
					   "CSV rows of different lengths");
			for (i = 0; i < (int) json_array_size(row); i++)
				check_string(json_array_get(row, i), simple ? sp.fields[r][i] : NULL,
							 "a CSV field");
		}
	}
	json_decref(doc);
}

/* --- XML --------------------------------------------------------------- */

/* Does the prolog of text (one byte a character) hold <!DOCTYPE? */
static bool
prolog_has_doctype(const char *s, size_t len)
{
	const char *p = s;
	const char *end = s + len;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end)
	{
		const char *stop;
		size_t		slen;

		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		{
			p++;
			continue;
		}
		if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
			return true;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
			stop = "-->";
		else if (end - p >= 2 && memcmp(p, "<?", 2) == 0)
			stop = "?>";
		else
			return false;
		slen = strlen(stop);
		for (p += 2; p < end && !(end - p >= (long) slen && memcmp(p, stop, slen) == 0); p++)
			;
		p += slen;
	}
	return false;
}

static void
check_xml_value(json_t *v, int depth)
{
	const char *key;
	json_t	   *m;

	FUZZ_CHECK(depth <= 64, "XML nested %d deep", depth);
	if (json_is_string(v))
		return;
	FUZZ_CHECK(json_is_object(v), "an XML element that is neither a string nor an object");
	json_object_foreach(v, key, m)
	{
		FUZZ_CHECK(key[0] != '\0', "an empty name");
		if (key[0] == '@' || strcmp(key, "#text") == 0)
		{
			FUZZ_CHECK(json_is_string(m), "member %s is not a string", key);
			continue;
		}
		FUZZ_CHECK(strchr(key, ':') == NULL, "element name with a prefix: %s", key);
		if (json_is_array(m))
		{
			size_t		i;

			FUZZ_CHECK(json_array_size(m) > 0, "an empty array of %s", key);
			for (i = 0; i < json_array_size(m); i++)
			{
				FUZZ_CHECK(!json_is_array(json_array_get(m, i)), "an array in an array");
				check_xml_value(json_array_get(m, i), depth + 1);
			}
		}
		else
			check_xml_value(m, depth + 1);
	}
}

/* The elements segs[i] names under v are an array (when present) */
static void
check_rows_forced(json_t *v, char **segs, int nsegs, int i)
{
	json_t	   *m;

	if (json_is_array(v))
	{
		size_t		k;

		for (k = 0; k < json_array_size(v); k++)
			check_rows_forced(json_array_get(v, k), segs, nsegs, i);
		return;
	}
	if (!json_is_object(v) || (m = json_object_get(v, segs[i])) == NULL)
		return;
	if (i == nsegs - 1)
	{
		FUZZ_CHECK(json_is_array(m), "the rows at %s are not an array", segs[i]);
		return;
	}
	check_rows_forced(m, segs, nsegs, i + 1);
}

static void
check_xml(const char *text, size_t textlen, bool failed, const char *out,
		  size_t outlen, const char *rows_path)
{
	json_t	   *doc;
	json_error_t jerr;

	if (failed)
		return;
	FUZZ_CHECK(!prolog_has_doctype(text, textlen),
			   "a document with a document type declaration decoded");
	doc = json_loadb(out, outlen, 0, &jerr);
	FUZZ_CHECK(doc != NULL, "decoded XML is not JSON for jansson: %s: %s", jerr.text, out);
	FUZZ_CHECK(json_is_object(doc) && json_object_size(doc) == 1,
			   "decoded XML is not an object of one member: %s", out);
	check_xml_value(doc, 0);
	if (rows_path && strchr(rows_path, '.'))
	{
		char	   *copy = pstrdup(rows_path);
		char	   *segs[8];
		int			nsegs = 0;
		char	   *tok;

		for (tok = strtok(copy, "."); tok && nsegs < 8; tok = strtok(NULL, "."))
			segs[nsegs++] = tok;
		check_rows_forced(doc, segs, nsegs, 0);
	}
	json_decref(doc);
}

/* --- one input --------------------------------------------------------- */

static const char *const xml_paths[] = {NULL, "feed.entry", "root.items.item", "feed", "a.b"};
static const char *const content_types[] = {
	NULL, "application/json", "application/x-ndjson", "text/csv; charset=utf-8",
	"application/atom+xml", "text/html", "TEXT/XML ; charset=utf-8"
};
static const RestResponseFormat content_formats[] = {
	REST_FORMAT_JSON, REST_FORMAT_JSON, REST_FORMAT_NDJSON, REST_FORMAT_CSV,
	REST_FORMAT_XML, REST_FORMAT_AUTO, REST_FORMAT_XML
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	RestConnOptions conn;
	RestHttpResponse resp;
	RestFormatOptions fmt;
	const char *rows_path = NULL;
	const char *text;
	size_t		textlen;
	RestResponseFormat expect;
	bool		small = false;
	bool		utf16 = false;
	volatile bool failed = false;
	size_t		limit;
	char	   *original;
	int			b,
				v;
	long		xml_before = xml_blocks;
	int			loads_before = fuzz_xml_entity_loads();

	if (size < 1)
		return -1;
	b = data[0];
	v = b / 5;
	text = (const char *) data + 1;
	textlen = size - 1;

	memset(&conn, 0, sizeof(conn));
	memset(&resp, 0, sizeof(resp));
	memset(&fmt, 0, sizeof(fmt));
	conn.servername = "fuzz";
	fmt.csv_delimiter = ",";
	fmt.csv_quote = "\"";
	fmt.csv_header = true;

	switch (b % 5)
	{
		case 0:
			fmt.format = expect = REST_FORMAT_NDJSON;
			if (v % 8 == 7)
				rows_path = "data";
			small = (v / 8) & 1;
			break;
		case 1:
			fmt.format = expect = REST_FORMAT_CSV;
			fmt.csv_delimiter = (char *[]) {",", ";", "\t", "|"}[v & 3];
			fmt.csv_quote = (v & 4) ? "'" : "\"";
			fmt.csv_header = !(v & 8);
			small = (v & 16) != 0;
			if (v & 32)
				rows_path = "data";
			break;
		case 2:
		case 3:
			fmt.format = expect = REST_FORMAT_XML;
			rows_path = xml_paths[v % 5];
			small = (v / 5) & 1;
			utf16 = b % 5 == 3;
			break;
		default:
			fmt.format = REST_FORMAT_AUTO;
			resp.content_type = (char *) content_types[v % 7];
			expect = content_formats[v % 7];
			if ((v / 7) & 1)
				rows_path = "feed.entry";
			break;
	}
	if (expect == REST_FORMAT_NDJSON &&
		fuzz_json_nesting(data + 1, textlen) > FUZZ_MAX_NESTING)
		return -1;

	conn.max_response_size = small ? 256 : 10 * 1024 * 1024;
	limit = (size_t) conn.max_response_size * REST_MAX_DECODED_FACTOR;

	if (utf16)
	{
		size_t		i;

		resp.body_len = 2 + 2 * textlen;
		resp.body = palloc(resp.body_len + 1);
		resp.body[0] = (char) 0xFF;
		resp.body[1] = (char) 0xFE;
		for (i = 0; i < textlen; i++)
		{
			resp.body[2 + 2 * i] = text[i];
			resp.body[3 + 2 * i] = '\0';
		}
		resp.body[resp.body_len] = '\0';
	}
	else
	{
		resp.body = fuzz_cstring((const uint8_t *) text, textlen);
		resp.body_len = textlen;
	}
	original = resp.body;
	resp.secrets = list_make1(SECRET);

	error_code = 0;
	error_message = NULL;
	fuzz_report_hook = catch_report;
	PG_TRY();
	{
		rest_decode_body(&conn, &resp, &fmt, rows_path);
	}
	PG_CATCH();
	{
		FlushErrorState();
		failed = true;
	}
	PG_END_TRY();
	fuzz_report_hook = NULL;
	FUZZ_CHECK(fuzz_xml_contexts() == 0, "%d libxml2 error contexts left open",
			   fuzz_xml_contexts());
	FUZZ_CHECK(fuzz_xml_entity_loads() == loads_before, "libxml2 loaded an external entity");

	if (failed)
		FUZZ_CHECK(error_code != 0 && error_code != ERRCODE_INTERNAL_ERROR,
				   "an ERROR without an errcode: %s", error_message ? error_message : "?");
	else
	{
		FUZZ_CHECK(resp.body != NULL, "no body");
		if (expect == REST_FORMAT_JSON)
			FUZZ_CHECK(resp.body == original && resp.decoded_from == 0,
					   "a JSON body was changed");
		else
		{
			FUZZ_CHECK(strlen(resp.body) == resp.body_len,
					   "a body of %zu bytes with a NUL at %zu",
					   resp.body_len, strlen(resp.body));
			FUZZ_CHECK(expect != REST_FORMAT_AUTO, "a text/html body decoded");
			FUZZ_CHECK(resp.decoded_from == (int) expect, "decoded from %d, not %d",
					   resp.decoded_from, (int) expect);
			FUZZ_CHECK(resp.body_len <= limit, "%zu decoded bytes, over the limit of %zu",
					   resp.body_len, limit);
			FUZZ_CHECK(pg_json_valid(resp.body, resp.body_len),
					   "decoded body is not JSON: %s", resp.body);
		}
	}
	if (expect == REST_FORMAT_AUTO)
		FUZZ_CHECK(failed && error_code == ERRCODE_FDW_INVALID_DATA_TYPE,
				   "a text/html body was not refused as not JSON");
	else if (expect == REST_FORMAT_NDJSON)
		check_ndjson(text, textlen, failed, resp.body, resp.body_len, limit,
					 rows_path != NULL);
	else if (expect == REST_FORMAT_CSV)
		check_csv(text, textlen, &fmt, failed, resp.body, resp.body_len, limit,
				  rows_path != NULL);
	else if (expect == REST_FORMAT_XML)
		check_xml(text, textlen, failed, resp.body, resp.body_len, rows_path);

	fuzz_reset();
	/* libxml2 keeps a copy of the last error it raised, globally */
	xmlResetLastError();
	FUZZ_CHECK(xml_blocks == xml_before, "libxml2 kept %ld blocks of the input",
			   xml_blocks - xml_before);
	return 0;
}
