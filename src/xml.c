/*-------------------------------------------------------------------------
 *
 * xml.c
 *		  XML response bodies decoded to JSON text, with libxml2.
 *
 * The body is read with libxml2's streaming reader (xmlTextReader), the
 * library PostgreSQL itself uses, under PostgreSQL's libxml2 error
 * handling (pg_xml_init, xml_ereport).  No document tree is built: each
 * element's JSON is made when the element ends, from the JSON of its
 * children, and the children's texts are freed; what stays is the output.
 *
 * The mapping, for rows_path, json_path and the paging paths:
 *	- the document is an object with one member, the root element:
 *	  <feed><entry>..</entry></feed> is {"feed": {"entry": ...}}, so
 *	  rows_path 'feed.entry' names the entries;
 *	- an element with neither attributes nor child elements is a string of
 *	  its text ("" when empty);
 *	- otherwise an object: attributes are members "@name", child elements
 *	  members by their name, and text beside them (not just white space) is
 *	  the member "#text", without the white space around it;
 *	- child elements of the same name are an array, in document order;
 *	  the elements that rows_path names are an array even when only one is
 *	  there, so that one row is a page of one row, not an object;
 *	- names are local names: namespace prefixes and xmlns declarations are
 *	  dropped (<p:name> is "name").
 *
 * Security: a document type declaration is refused, which keeps out entity
 * definitions of every kind (billion laughs, external entities and their
 * file:// or http:// URLs).  Entities are never substituted
 * (no XML_PARSE_NOENT), no DTD is loaded, nothing is fetched from the
 * network (XML_PARSE_NONET), XInclude is off, libxml2's size limits hold
 * (no XML_PARSE_HUGE); pg_xml_init also installs PostgreSQL's entity
 * loader, which loads nothing.  Elements may nest at most
 * REST_XML_MAX_DEPTH deep.  libxml2 reads the encoding declaration and
 * converts to UTF-8; bytes invalid in the declared encoding are an error.
 *
 * libxml2 allocates with malloc: the reader and PostgreSQL's error context
 * are released in a PG_CATCH on every ERROR.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/xml.h"

#ifdef USE_LIBXML
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#endif

#include "rest_fdw.h"

#define REST_XML_MAX_DEPTH	64

#ifdef USE_LIBXML

/* One member of an element's object: an attribute or a child element */
typedef struct XMember
{
	const char *name;			/* local name, without "@" */
	char	   *json;			/* the value's JSON text */
	int			len;
	int			order;			/* position among the element's members */
} XMember;

/* An element being read */
typedef struct XFrame
{
	char	   *name;			/* local name */
	bool		on_path;		/* the path from the root matches rows_path
								 * this far */
	XMember    *attrs;
	int			nattrs;
	XMember    *children;
	int			nchildren;
	int			maxchildren;
	StringInfoData text;		/* the text directly inside */
} XFrame;

typedef struct XState
{
	RestConnOptions *conn;
	char	  **segs;			/* rows_path split at its dots */
	int			nsegs;
	XFrame		frames[REST_XML_MAX_DEPTH + 1]; /* [0]: the document */
	int			depth;
	size_t		limit;
	size_t		size;			/* JSON bytes held in frames, roughly */
	List	   *secrets;		/* the request's: never quoted */
} XState;

static int
member_cmp(const void *a, const void *b)
{
	const XMember *x = (const XMember *) a;
	const XMember *y = (const XMember *) b;
	int			c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->order - y->order;
}

/* Groups of same-named members, ordered by their first member */
typedef struct XGroup
{
	int			first;			/* index into the sorted members */
	int			count;
	int			order;			/* of its first member */
} XGroup;

static int
group_cmp(const void *a, const void *b)
{
	return ((const XGroup *) a)->order - ((const XGroup *) b)->order;
}

/* Split a rows_path at its dots ("\." is a dot inside a name) */
static void
split_rows_path(XState *st, const char *rows_path)
{
	StringInfoData seg;
	const char *p;

	st->nsegs = 0;
	if (rows_path == NULL || rows_path[0] == '\0')
		return;
	st->segs = palloc(sizeof(char *) * (strlen(rows_path) + 1));
	initStringInfo(&seg);
	for (p = rows_path;; p++)
	{
		if (*p == '\\' && p[1] != '\0')
		{
			appendStringInfoChar(&seg, *++p);
			continue;
		}
		if (*p == '.' || *p == '\0')
		{
			st->segs[st->nsegs++] = pstrdup(seg.data);
			resetStringInfo(&seg);
			if (*p == '\0')
				break;
			continue;
		}
		appendStringInfoChar(&seg, *p);
	}
}

/* Is text all XML white space? */
static bool
all_space(const char *s, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/*
 * The JSON of the element of frame f, which has ended, palloc'd in *out;
 * the frame's children are freed.  Child elements named by rows_path are
 * an array even when alone.
 */
static void
element_json(XState *st, XFrame *f, int depth, StringInfo out)
{
	bool		text_only = f->nattrs == 0 && f->nchildren == 0;
	bool		first = true;
	int			i;

	if (text_only)
	{
		rest_json_string(out, f->text.data, f->text.len);
		return;
	}
	appendStringInfoChar(out, '{');
	for (i = 0; i < f->nattrs; i++)
	{
		StringInfoData key;

		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		initStringInfo(&key);
		appendStringInfoChar(&key, '@');
		appendStringInfoString(&key, f->attrs[i].name);
		rest_json_string(out, key.data, key.len);
		appendStringInfoChar(out, ':');
		appendBinaryStringInfo(out, f->attrs[i].json, f->attrs[i].len);
		pfree(key.data);
	}
	if (f->nchildren > 0)
	{
		XGroup	   *groups = palloc(sizeof(XGroup) * f->nchildren);
		int			ngroups = 0;
		const char *forced = NULL;

		/* the rows: children of the element one step before rows_path */
		if (st->nsegs > 0 && f->on_path && depth == st->nsegs - 1)
			forced = st->segs[st->nsegs - 1];

		qsort(f->children, f->nchildren, sizeof(XMember), member_cmp);
		for (i = 0; i < f->nchildren; i++)
		{
			if (i > 0 && strcmp(f->children[i].name, f->children[i - 1].name) == 0)
			{
				groups[ngroups - 1].count++;
				continue;
			}
			groups[ngroups].first = i;
			groups[ngroups].count = 1;
			groups[ngroups].order = f->children[i].order;
			ngroups++;
		}
		qsort(groups, ngroups, sizeof(XGroup), group_cmp);
		for (i = 0; i < ngroups; i++)
		{
			XMember    *m = &f->children[groups[i].first];
			bool		array = groups[i].count > 1 ||
				(forced && strcmp(m->name, forced) == 0);
			int			j;

			CHECK_FOR_INTERRUPTS();
			if (!first)
				appendStringInfoChar(out, ',');
			first = false;
			rest_json_string(out, m->name, strlen(m->name));
			appendStringInfoChar(out, ':');
			if (array)
				appendStringInfoChar(out, '[');
			for (j = 0; j < groups[i].count; j++)
			{
				if (j > 0)
					appendStringInfoChar(out, ',');
				appendBinaryStringInfo(out, m[j].json, m[j].len);
				pfree(m[j].json);
			}
			if (array)
				appendStringInfoChar(out, ']');
		}
		pfree(groups);
	}
	if (!all_space(f->text.data, f->text.len))
	{
		/* beside elements, the white space around text is layout */
		const char *s = f->text.data;
		int			len = f->text.len;

		while (len > 0 && all_space(s, 1))
			s++, len--;
		while (len > 0 && all_space(s + len - 1, 1))
			len--;
		if (!first)
			appendStringInfoChar(out, ',');
		appendStringInfoString(out, "\"#text\":");
		rest_json_string(out, s, len);
	}
	appendStringInfoChar(out, '}');
}

/* Add a member to a frame's children */
static void
add_child(XFrame *f, const char *name, char *json, int len)
{
	if (f->nchildren == f->maxchildren)
	{
		f->maxchildren = f->maxchildren ? f->maxchildren * 2 : 8;
		if (f->children)
			f->children = repalloc_huge(f->children,
										sizeof(XMember) * f->maxchildren);
		else
			f->children = palloc(sizeof(XMember) * f->maxchildren);
	}
	f->children[f->nchildren].name = name;
	f->children[f->nchildren].json = json;
	f->children[f->nchildren].len = len;
	f->children[f->nchildren].order = f->nchildren;
	f->nchildren++;
}

/* The element of the top frame has ended: its JSON goes to its parent */
static void
close_element(XState *st)
{
	XFrame	   *f = &st->frames[st->depth];
	XFrame	   *parent = &st->frames[st->depth - 1];
	StringInfoData json;

	initStringInfo(&json);
	element_json(st, f, st->depth, &json);
	if (f->children)
		pfree(f->children);
	if (f->attrs)
		pfree(f->attrs);
	pfree(f->text.data);
	st->size += json.len;
	if (st->size > st->limit)
		rest_decoded_too_large(st->conn, "XML", st->limit);
	add_child(parent, f->name, json.data, json.len);
	st->depth--;
}

/* An element starts where the reader stands */
static void
open_element(XState *st, xmlTextReaderPtr reader)
{
	XFrame	   *parent = &st->frames[st->depth];
	XFrame	   *f;
	int			n;
	int			depth = st->depth + 1;

	if (depth > REST_XML_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("XML response from server \"%s\" nests elements more than %d deep",
						st->conn->servername, REST_XML_MAX_DEPTH),
				 errdetail("Element \"%s\" is at depth %d.",
						   rest_scrub((const char *) xmlTextReaderConstLocalName(reader),
									  st->secrets),
						   depth)));
	st->depth = depth;
	f = &st->frames[depth];
	memset(f, 0, sizeof(XFrame));
	f->name = pstrdup((const char *) xmlTextReaderConstLocalName(reader));
	f->on_path = parent->on_path && depth <= st->nsegs &&
		strcmp(f->name, st->segs[depth - 1]) == 0;
	initStringInfo(&f->text);

	n = xmlTextReaderAttributeCount(reader);
	if (n > 0)
	{
		f->attrs = palloc(sizeof(XMember) * n);
		while (xmlTextReaderMoveToNextAttribute(reader) == 1)
		{
			const char *value = (const char *) xmlTextReaderConstValue(reader);
			StringInfoData v;

			if (xmlTextReaderIsNamespaceDecl(reader) == 1)
				continue;
			if (f->nattrs >= n)
				break;
			initStringInfo(&v);
			rest_json_string(&v, value ? value : "", value ? strlen(value) : 0);
			f->attrs[f->nattrs].name =
				pstrdup((const char *) xmlTextReaderConstLocalName(reader));
			f->attrs[f->nattrs].json = v.data;
			f->attrs[f->nattrs].len = v.len;
			f->attrs[f->nattrs].order = f->nattrs;
			f->nattrs++;
			st->size += v.len;
		}
		xmlTextReaderMoveToElement(reader);
	}
}

/* The ERROR for a document type declaration */
static void
refuse_doctype(RestConnOptions *conn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_XML_DOCUMENT),
			 errmsg("XML response from server \"%s\" holds a document type declaration",
					conn->servername),
			 errdetail("Document type declarations are refused: the entities they define can expand without bound or read files and URLs.")));
}

/*
 * Before libxml2 sees the body: a document type declaration in the prolog
 * is refused here already, before libxml2 parses the entity declarations
 * in it; and a document in UTF-8 (declared so, or not declared: the
 * default) is checked to be UTF-8, so that no invalid byte reaches an
 * error message.  Bodies in UTF-16 (a byte order mark) are left to
 * libxml2, which also sees the declaration in the DocumentType node.
 */
static void
check_prolog(RestConnOptions *conn, const char *body, size_t len)
{
	const char *p = body;
	const char *end = body + len;
	char	   *encoding = NULL;

	if (len >= 2 && ((unsigned char) p[0] == 0xFF || (unsigned char) p[0] == 0xFE))
		return;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	if (end - p >= 5 && memcmp(p, "<?xml", 5) == 0)
	{
		const char *close = p;
		const char *e;

		while (close + 1 < end && !(close[0] == '?' && close[1] == '>'))
			close++;
		for (e = p; e + 8 < close; e++)
		{
			if (memcmp(e, "encoding", 8) == 0)
			{
				const char *v = e + 8;
				const char *q;

				while (v < close && (*v == ' ' || *v == '=' || *v == '\t'))
					v++;
				if (v < close && (*v == '"' || *v == '\''))
				{
					q = memchr(v + 1, *v, close - v - 1);
					if (q)
						encoding = pnstrdup(v + 1, q - v - 1);
				}
				break;
			}
		}
	}
	if (encoding == NULL || pg_strcasecmp(encoding, "UTF-8") == 0 ||
		pg_strcasecmp(encoding, "UTF8") == 0)
		rest_check_utf8(conn, body, len, "XML");

	/* the prolog: white space, the declaration, comments, PIs */
	while (p < end)
	{
		const char *stop = NULL;

		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		{
			p++;
			continue;
		}
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
			stop = "-->";
		else if (end - p >= 2 && memcmp(p, "<?", 2) == 0)
			stop = "?>";
		else if (end - p >= 9 && pg_strncasecmp(p, "<!DOCTYPE", 9) == 0)
			refuse_doctype(conn);
		if (stop == NULL)
			break;
		p += 2;
		while (p < end && !(end - p >= (long) strlen(stop) &&
							memcmp(p, stop, strlen(stop)) == 0))
			p++;
		p += strlen(stop);
	}
}

/*
 * The ERROR for what libxml2 found wrong, with its message as detail.
 * libxml2's messages quote the document (names, and the line around the
 * problem, cut anywhere), so they are left out when it may hold one of
 * the request's secrets: as sent (in an encoding compatible with ASCII),
 * or in UTF-16 (a byte order mark), which rest_holds_secret does not read.
 */
static void
report_parse_error(XState *st, PgXmlErrorContext *xmlerrcxt,
				   RestHttpResponse *resp)
{
	char	   *msg = psprintf("XML response from server \"%s\" is not well-formed",
							   st->conn->servername);

	if (pg_xml_error_occurred(xmlerrcxt))
	{
		bool		utf16 = resp->body_len >= 2 &&
			((unsigned char) resp->body[0] == 0xFF ||
			 (unsigned char) resp->body[0] == 0xFE);

		if (resp->secrets == NIL ||
			(!utf16 && !rest_holds_secret(resp->body, resp->body_len, resp->secrets)))
			xml_ereport(xmlerrcxt, ERROR, ERRCODE_INVALID_XML_DOCUMENT, msg);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_DOCUMENT),
				 errmsg_internal("%s", msg),
				 errdetail("libxml2's description of the problem is not shown, as it quotes the document, which may hold a secret of the request.")));
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_XML_DOCUMENT),
			 errmsg_internal("%s", msg)));
}

/*
 * Read the XML document of resp into out as JSON (the mapping in the file
 * header), the elements at rows_path as an array.  The JSON may take at
 * most limit bytes.
 */
void
rest_xml_to_json(RestConnOptions *conn, RestHttpResponse *resp,
				 const char *rows_path, StringInfo out, size_t limit)
{
	XState	   *st = palloc0(sizeof(XState));
	PgXmlErrorContext *volatile xmlerrcxt = NULL;
	volatile xmlTextReaderPtr reader = NULL;

	st->conn = conn;
	st->limit = limit;
	st->secrets = resp->secrets;
	split_rows_path(st, rows_path);
	st->frames[0].on_path = true;
	st->frames[0].name = "";
	initStringInfo(&st->frames[0].text);

	if (resp->body_len > (size_t) INT_MAX)
		rest_decoded_too_large(conn, "XML", limit);
	check_prolog(conn, resp->body, resp->body_len);

	xmlerrcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);
	PG_TRY();
	{
		int			rc;

		reader = xmlReaderForMemory(resp->body, (int) resp->body_len, NULL,
									NULL,
									XML_PARSE_NONET | XML_PARSE_NOXINCNODE |
									XML_PARSE_NOCDATA | XML_PARSE_NOWARNING);
		if (reader == NULL || pg_xml_error_occurred(xmlerrcxt))
			xml_ereport(xmlerrcxt, ERROR, ERRCODE_OUT_OF_MEMORY,
						"could not allocate an XML reader");

		while ((rc = xmlTextReaderRead(reader)) == 1)
		{
			int			type = xmlTextReaderNodeType(reader);

			CHECK_FOR_INTERRUPTS();
			switch (type)
			{
				case XML_READER_TYPE_DOCUMENT_TYPE:
					refuse_doctype(conn);
					break;
				case XML_READER_TYPE_ELEMENT:
					{
						bool		empty = xmlTextReaderIsEmptyElement(reader) == 1;

						open_element(st, reader);
						if (empty)
							close_element(st);
					}
					break;
				case XML_READER_TYPE_END_ELEMENT:
					if (st->depth > 0)
						close_element(st);
					break;
				case XML_READER_TYPE_TEXT:
				case XML_READER_TYPE_CDATA:
				case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
				case XML_READER_TYPE_WHITESPACE:
					if (st->depth > 0)
					{
						const char *v = (const char *) xmlTextReaderConstValue(reader);

						if (v)
						{
							size_t		len = strlen(v);

							st->size += len;
							if (st->size > st->limit)
								rest_decoded_too_large(conn, "XML", limit);
							appendBinaryStringInfo(&st->frames[st->depth].text,
												   v, len);
						}
					}
					break;
				case XML_READER_TYPE_ENTITY_REFERENCE:
				case XML_READER_TYPE_ENTITY:
					/* not without a DTD, but never substituted */
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_XML_DOCUMENT),
							 errmsg("XML response from server \"%s\" refers to an entity",
									conn->servername),
							 errdetail("Entities other than the predefined ones and character references are not read.")));
					break;
				default:
					/* comments, processing instructions */
					break;
			}
		}
		if (rc != 0 || pg_xml_error_occurred(xmlerrcxt) || st->depth != 0 ||
			st->frames[0].nchildren != 1)
			report_parse_error(st, xmlerrcxt, resp);
	}
	PG_CATCH();
	{
		if (reader)
			xmlFreeTextReader(reader);
		pg_xml_done(xmlerrcxt, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xmlFreeTextReader(reader);
	pg_xml_done(xmlerrcxt, false);

	/* the document: an object whose one member is the root element */
	appendStringInfoChar(out, '{');
	rest_json_string(out, st->frames[0].children[0].name,
					 strlen(st->frames[0].children[0].name));
	appendStringInfoChar(out, ':');
	appendBinaryStringInfo(out, st->frames[0].children[0].json,
						   st->frames[0].children[0].len);
	appendStringInfoChar(out, '}');
	/* st->size did not count the root's name */
	if ((size_t) out->len > limit)
		rest_decoded_too_large(conn, "XML", limit);
}

#else							/* !USE_LIBXML */

void
rest_xml_to_json(RestConnOptions *conn, RestHttpResponse *resp,
				 const char *rows_path, StringInfo out, size_t limit)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("XML responses are not supported by this build"),
			 errdetail("PostgreSQL was built without libxml (configure --with-libxml).")));
}

#endif							/* USE_LIBXML */
