/*-------------------------------------------------------------------------
 *
 * format.c
 *		  Response bodies that are not JSON, decoded to JSON text.
 *
 * Everything after the fetch (rows_path, json_path, paging metadata,
 * success_path, sampling for IMPORT FOREIGN SCHEMA) reads JSON.  A body in
 * another format (NDJSON, CSV, XML) is therefore decoded into JSON text
 * once, as soon as it has been received (pager.c fetch_step, the one place
 * every response of a scan or a sample passes), and replaces the body:
 * the rest of the connector never knows it was not JSON.
 *
 * The response_format option picks the format; 'auto' (the default)
 * follows the Content-Type, and a Content-Type that is none of them is the
 * "is not JSON" error it always was.  A forced format ignores the
 * Content-Type.
 *
 * NDJSON (JSON Lines) is decoded here: each non-blank line is one JSON
 * value, checked with PostgreSQL's JSON lexer so that an error names its
 * line, and the lines become the elements of one array.  CSV is in csv.c
 * (libcsv), XML in xml.c (libxml2), which also maps elements to JSON and
 * so needs the rows_path.
 *
 * The decoded text may be larger than the body (CSV repeats the header's
 * names in every row): it is bounded by REST_MAX_DECODED_FACTOR times
 * max_response_size, and by what a StringInfo can hold.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"

#define REST_COMPAT_JSON
#include "rest_fdw.h"

static RestResponseFormat content_type_format(const char *ct);
static bool json_content_type(const char *ct);
static void ndjson_to_json(RestConnOptions *conn, RestHttpResponse *resp,
						   StringInfo out, size_t limit);

/* Names of the formats, for messages */
static const char *
format_name(RestResponseFormat f)
{
	switch (f)
	{
		case REST_FORMAT_NDJSON:
			return "ndjson";
		case REST_FORMAT_CSV:
			return "csv";
		case REST_FORMAT_XML:
			return "xml";
		case REST_FORMAT_JSON:
			return "json";
		case REST_FORMAT_AUTO:
			break;
	}
	return "auto";
}

/*
 * Decode resp's body to JSON text, in place, as format says (NULL: JSON,
 * by Content-Type, as response_format 'auto').  rows_path is the rows_path
 * of the request's endpoint, or NULL: CSV and NDJSON bodies are one
 * top-level array, which a rows_path cannot name.  The new body is
 * palloc'd in the current memory context; the old one is freed.  Errors
 * are ERRORs that name the line or record; the caller's error context
 * names the request.
 */
void
rest_decode_body(RestConnOptions *conn, RestHttpResponse *resp,
				 const RestFormatOptions *format, const char *rows_path)
{
	RestResponseFormat f = format ? format->format : REST_FORMAT_AUTO;
	StringInfoData out;
	size_t		limit;

	if (f == REST_FORMAT_AUTO)
	{
		if (resp->content_type == NULL)
			f = REST_FORMAT_JSON;
		else
			f = content_type_format(resp->content_type);
		if (f == REST_FORMAT_AUTO)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("response from server \"%s\" is not JSON", conn->servername),
					 errdetail("The server answered with Content-Type \"%s\": %s",
							   rest_shorten_scrubbed(resp->content_type,
													 strlen(resp->content_type),
													 100, resp->secrets),
							   rest_shorten_scrubbed(resp->body, resp->body_len,
													 200, resp->secrets)),
					 errhint("If the body is NDJSON, CSV or XML nonetheless, set the option \"%s\" to that format.",
							 OPT_RESPONSE_FORMAT)));
	}
	if (f == REST_FORMAT_JSON)
		return;

	/* bodies are at most 1 GB; so is what a StringInfo holds */
	limit = (size_t) conn->max_response_size * REST_MAX_DECODED_FACTOR;
	if (limit > REST_MAX_RESPONSE_SIZE || limit < (size_t) conn->max_response_size)
		limit = REST_MAX_RESPONSE_SIZE;
	initStringInfo(&out);

	if (f == REST_FORMAT_XML)
	{
		/* libxml2 reads the encoding declaration and checks the bytes */
		rest_xml_to_json(conn, resp, rows_path, &out, limit);
		pfree(resp->body);
		resp->body = out.data;
		resp->body_len = out.len;
		resp->decoded_from = f;
		return;
	}

	if (rows_path != NULL && rows_path[0] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("a response in format \"%s\" has no element \"%s\"",
						format_name(f), rows_path),
				 f == REST_FORMAT_CSV
				 ? errdetail("A CSV body is read as one array of rows.")
				 : errdetail("An NDJSON body is read as one array of rows."),
				 errhint("Drop the rows_path option of the foreign table (and the rows paths of its endpoint).")));

	rest_check_utf8(conn, resp->body, resp->body_len,
			   f == REST_FORMAT_CSV ? "CSV" : "NDJSON");
	if (f == REST_FORMAT_CSV)
		rest_csv_to_json(conn, resp, format, &out, limit);
	else
		ndjson_to_json(conn, resp, &out, limit);

	pfree(resp->body);
	resp->body = out.data;
	resp->body_len = out.len;
	resp->decoded_from = f;
}

/*
 * The format a Content-Type names: JSON for application/json, +json and
 * the text types some APIs send JSON as; the other formats by their
 * registered (and common unregistered) names; REST_FORMAT_AUTO for
 * anything else.
 */
static RestResponseFormat
content_type_format(const char *ct)
{
	size_t		len = strcspn(ct, ";");

	while (len > 0 && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
#define IS(name) (len == strlen(name) && pg_strncasecmp(ct, name, len) == 0)
	if (IS("application/x-ndjson") || IS("application/ndjson") ||
		IS("application/jsonl") || IS("application/x-jsonlines") ||
		IS("application/jsonlines") || IS("application/json-seq"))
		return REST_FORMAT_NDJSON;
	if (IS("text/csv") || IS("application/csv"))
		return REST_FORMAT_CSV;
	if (IS("application/xml") || IS("text/xml") ||
		(len >= 4 && pg_strncasecmp(ct + len - 4, "+xml", 4) == 0))
		return REST_FORMAT_XML;
#undef IS
	if (json_content_type(ct))
		return REST_FORMAT_JSON;
	return REST_FORMAT_AUTO;
}

/*
 * Content types that may hold JSON: application/json, any +json type, and
 * the text types some APIs use for JSON by mistake.
 */
static bool
json_content_type(const char *ct)
{
	size_t		len = strcspn(ct, ";");

	while (len > 0 && ct[len - 1] == ' ')
		len--;
	if (len >= 4 && pg_strncasecmp(ct + len - 4, "json", 4) == 0)
		return true;			/* application/json, text/json, x+json */
	if (len == 10 && pg_strncasecmp(ct, "text/plain", 10) == 0)
		return true;
	if (len == 15 && pg_strncasecmp(ct, "text/javascript", 15) == 0)
		return true;
	return false;
}

/*
 * A body to decode must be UTF-8 (which also keeps NUL bytes out); what
 * names the format in the message.
 */
void
rest_check_utf8(RestConnOptions *conn, const char *body, size_t len,
		   const char *what)
{
	int			valid = pg_encoding_verifymbstr(PG_UTF8, body, (int) len);

	if ((size_t) valid != len)
	{
		size_t		line = 1;
		int			i;

		for (i = 0; i < valid; i++)
			if (body[i] == '\n')
				line++;
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s response from server \"%s\" is not valid UTF-8",
						what, conn->servername),
				 errdetail("The invalid byte sequence starts at byte %d of %zu, on line %zu.",
						   valid + 1, len, line),
				 strcmp(what, "XML") == 0
				 ? errhint("An XML document that declares no encoding, or UTF-8, must be in UTF-8.")
				 : errhint("%s responses are read as UTF-8.", what)));
	}
}

/* The ERROR for decoded text that would pass limit */
void
rest_decoded_too_large(RestConnOptions *conn, const char *what, size_t limit)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s response from server \"%s\" is too large once converted to JSON",
					what, conn->servername),
			 errdetail("The converted rows may take at most %zu bytes, %d times the server's %s.",
					   limit, REST_MAX_DECODED_FACTOR, OPT_MAX_RESPONSE_SIZE),
			 errhint("Ask for smaller pages, or raise \"%s\".",
					 OPT_MAX_RESPONSE_SIZE)));
}

/* Append len bytes of UTF-8 text s to buf as a JSON string */
void
rest_json_string(StringInfo buf, const char *s, size_t len)
{
	size_t		i;
	size_t		run = 0;

	appendStringInfoChar(buf, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		appendBinaryStringInfo(buf, s + run, i - run);
		run = i + 1;
		switch (c)
		{
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			default:
				appendStringInfo(buf, "\\u%04x", c);
				break;
		}
	}
	appendBinaryStringInfo(buf, s + run, len - run);
	appendStringInfoChar(buf, '"');
}

/*
 * NDJSON to a JSON array in out: each line (ended by \n or \r\n) that is
 * not blank must be one JSON value; the values are copied as they are.
 */
static void
ndjson_to_json(RestConnOptions *conn, RestHttpResponse *resp,
			   StringInfo out, size_t limit)
{
	const char *p = resp->body;
	const char *end = resp->body + resp->body_len;
	size_t		line = 0;
	bool		first = true;

	appendStringInfoChar(out, '[');
	while (p < end)
	{
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end;
		const char *s = p;
		const char *e = eol;
		JsonLexContext *lex;
		JsonParseErrorType rc;

		CHECK_FOR_INTERRUPTS();
		line++;
		p = nl ? nl + 1 : end;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s == e)
			continue;			/* a blank line */
		/* RFC 7464 (json-seq) starts each record with RS */
		if (*s == 0x1e)
		{
			s++;
			if (s == e)
				continue;
		}

		lex = rest_make_json_lexer(s, e - s, false);
		rc = pg_parse_json(lex, &nullSemAction);
		if (rc != JSON_SUCCESS)
		{
			/* the lexer's detail quotes the bad token whole, unscrubbed */
			const char *why = rest_holds_secret(s, e - s, resp->secrets)
				? "Its bad token is not shown, as the line holds a secret of the request."
				: json_errdetail(rc, lex);

			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("line %zu of the NDJSON response from server \"%s\" is not valid JSON",
							line, conn->servername),
					 errdetail("%s The line begins with: %s", why,
							   rest_shorten_scrubbed(s, e - s, 100, resp->secrets)),
					 errhint("Each line of an NDJSON response must hold one JSON value.")));
		}
		rest_free_json_lexer(lex);

		if ((size_t) out->len + (e - s) + 2 > limit)
			rest_decoded_too_large(conn, "NDJSON", limit);
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		appendBinaryStringInfo(out, s, e - s);
	}
	appendStringInfoChar(out, ']');
}
