/*-------------------------------------------------------------------------
 *
 * template.c
 *		  Request body templates: JSON text with {name} placeholders.
 *
 * A template is JSON in which {name} (name an identifier) may stand for a
 * whole value outside strings ("first": {limit}) or for part of a string
 * ("query": "... after: {cursor} ...").  A literal {name} inside a string
 * is written with a JSON escape, \u007bname}.  rest_parse_body checks the
 * template once: with every placeholder outside strings read as null, it
 * must be valid JSON (jansson decides, and says where it is not).  It is
 * then kept as a small tree of text pieces, so that each request fills it
 * again from the template: literal numbers and strings keep their exact
 * text, a value is inserted as a JSON value or as escaped string content
 * and never read again for placeholders, and the body of a page never
 * grows from the body of the page before.  A placeholder without a value
 * becomes null, or, with body_null 'omit', its object member or array
 * element is left out; inside a string it becomes "".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <jansson.h>

#include "miscadmin.h"

#include "rest_fdw.h"

/* Largest body template accepted, in bytes */
#define REST_MAX_BODY_SIZE		(64 * 1024)

typedef enum BodyNodeKind
{
	BN_TEXT,					/* a literal scalar or string, as written */
	BN_VALUE,					/* {name} in the place of a value */
	BN_STRING,					/* a string with placeholders in it */
	BN_OBJECT,					/* members: key and value nodes in turn */
	BN_ARRAY					/* elements */
} BodyNodeKind;

typedef struct BodyNode
{
	BodyNodeKind kind;
	char	   *text;			/* BN_TEXT: the text; BN_VALUE: the name */
	List	   *items;			/* BN_STRING: BodyPart; BN_OBJECT, BN_ARRAY:
								 * BodyNode */
} BodyNode;

/* A piece of a string's content: raw (escaped) text, or a placeholder */
typedef struct BodyPart
{
	bool		is_name;
	char	   *text;
} BodyPart;

struct RestBodyTemplate
{
	BodyNode   *root;
	List	   *names;			/* distinct placeholder names, in order */
};

/* A placeholder outside strings, read as null for the JSON check */
typedef struct ValueSlot
{
	int			spos;			/* of its "null" in the checked text */
	int			tpos;			/* of its "{" in the template */
	int			tlen;
	char	   *name;
} ValueSlot;

/* The parser's position in the checked text */
typedef struct BodyParser
{
	const char *s;
	int			pos;
	List	   *slots;			/* ValueSlot, in order */
	int			next_slot;
} BodyParser;

/*
 * The length of "{name}" at p, name an identifier, or 0 if p does not
 * start a placeholder.
 */
static int
placeholder_len(const char *p)
{
	const char *q = p + 1;

	if (*p != '{' || !(isalpha((unsigned char) *q) || *q == '_'))
		return 0;
	while (isalnum((unsigned char) *q) || *q == '_')
		q++;
	return *q == '}' ? (int) (q - p) + 1 : 0;
}

static void
add_name(List **names, const char *p, int len)
{
	char	   *name = pnstrdup(p + 1, len - 2);
	ListCell   *lc;

	foreach(lc, *names)
	{
		if (strcmp((char *) lfirst(lc), name) == 0)
			return;
	}
	*names = lappend(*names, name);
}

/*
 * The template with each placeholder outside strings replaced by null,
 * in *checked; the placeholders outside strings in *slots, all names in
 * *names.
 */
static void
scan_template(const char *t, StringInfo checked, List **slots, List **names)
{
	bool		in_string = false;
	int			i = 0;

	while (t[i])
	{
		int			len = placeholder_len(t + i);

		if (in_string && t[i] == '\\' && t[i + 1] != '\0')
		{
			appendBinaryStringInfo(checked, t + i, 2);
			i += 2;
			continue;
		}
		if (t[i] == '"')
			in_string = !in_string;
		else if (len > 0)
		{
			add_name(names, t + i, len);
			if (!in_string)
			{
				ValueSlot  *slot = palloc(sizeof(ValueSlot));

				slot->spos = checked->len;
				slot->tpos = i;
				slot->tlen = len;
				slot->name = pnstrdup(t + i + 1, len - 2);
				*slots = lappend(*slots, slot);
				appendStringInfoString(checked, "null");
				i += len;
				continue;
			}
		}
		appendStringInfoChar(checked, t[i]);
		i++;
	}
}

/* Line and column (from 1) of byte spos of the checked text in template t */
static void
template_position(const char *t, List *slots, int spos, int *line, int *col)
{
	int			tpos = spos;
	int			i;
	ListCell   *lc;

	foreach(lc, slots)
	{
		ValueSlot  *slot = (ValueSlot *) lfirst(lc);

		if (spos < slot->spos)
			break;
		if (spos < slot->spos + 4)
			tpos = slot->tpos;
		else
			tpos = spos - (slot->spos + 4) + slot->tpos + slot->tlen;
	}
	*line = 1;
	*col = 1;
	for (i = 0; i < tpos && t[i]; i++)
	{
		if (t[i] == '\n')
		{
			(*line)++;
			*col = 1;
		}
		else
			(*col)++;
	}
}

static void
skip_space(BodyParser *bp)
{
	while (bp->s[bp->pos] == ' ' || bp->s[bp->pos] == '\t' ||
		   bp->s[bp->pos] == '\n' || bp->s[bp->pos] == '\r')
		bp->pos++;
}

/* A string at bp->pos (valid JSON): BN_TEXT, or BN_STRING if it has names */
static BodyNode *
parse_string(BodyParser *bp)
{
	BodyNode   *node = palloc0(sizeof(BodyNode));
	int			start = bp->pos;
	int			piece = bp->pos + 1;
	const char *s = bp->s;

	bp->pos++;
	while (s[bp->pos] != '"')
	{
		int			len = placeholder_len(s + bp->pos);

		if (s[bp->pos] == '\\')
			bp->pos += 2;
		else if (len > 0)
		{
			BodyPart   *raw = palloc(sizeof(BodyPart));
			BodyPart   *name = palloc(sizeof(BodyPart));

			raw->is_name = false;
			raw->text = pnstrdup(s + piece, bp->pos - piece);
			name->is_name = true;
			name->text = pnstrdup(s + bp->pos + 1, len - 2);
			node->items = lappend(lappend(node->items, raw), name);
			bp->pos += len;
			piece = bp->pos;
		}
		else
			bp->pos++;
	}
	bp->pos++;
	if (node->items == NIL)
	{
		node->kind = BN_TEXT;
		node->text = pnstrdup(s + start, bp->pos - start);
	}
	else
	{
		BodyPart   *raw = palloc(sizeof(BodyPart));

		node->kind = BN_STRING;
		raw->is_name = false;
		raw->text = pnstrdup(s + piece, bp->pos - 1 - piece);
		node->items = lappend(node->items, raw);
	}
	return node;
}

/* The value at bp->pos of text that jansson found valid */
static BodyNode *
parse_node(BodyParser *bp)
{
	BodyNode   *node;
	char		c;

	check_stack_depth();
	skip_space(bp);
	c = bp->s[bp->pos];
	if (c == '"')
		return parse_string(bp);

	node = palloc0(sizeof(BodyNode));
	if (c == '{' || c == '[')
	{
		char		close = c == '{' ? '}' : ']';

		node->kind = c == '{' ? BN_OBJECT : BN_ARRAY;
		bp->pos++;
		skip_space(bp);
		while (bp->s[bp->pos] != close)
		{
			if (node->kind == BN_OBJECT)
			{
				skip_space(bp);
				node->items = lappend(node->items, parse_string(bp));
				skip_space(bp);
				bp->pos++;		/* the colon */
			}
			node->items = lappend(node->items, parse_node(bp));
			skip_space(bp);
			if (bp->s[bp->pos] == ',')
				bp->pos++;
			skip_space(bp);
		}
		bp->pos++;
		return node;
	}

	if (bp->next_slot < list_length(bp->slots))
	{
		ValueSlot  *slot = (ValueSlot *) list_nth(bp->slots, bp->next_slot);

		if (slot->spos == bp->pos)
		{
			node->kind = BN_VALUE;
			node->text = slot->name;
			bp->next_slot++;
			bp->pos += 4;
			return node;
		}
	}

	/* a number, true, false or null */
	node->kind = BN_TEXT;
	{
		int			start = bp->pos;

		while (bp->s[bp->pos] && strchr(" \t\r\n,]}", bp->s[bp->pos]) == NULL)
			bp->pos++;
		node->text = pnstrdup(bp->s + start, bp->pos - start);
	}
	return node;
}

/*
 * Parse and check a body template.  Returns NULL with *problem (a full
 * sentence) set when it is refused: too large, or not valid JSON once
 * the placeholders outside strings are read as null.
 */
RestBodyTemplate *
rest_parse_body(const char *text, const char **problem)
{
	StringInfoData checked;
	List	   *slots = NIL;
	List	   *names = NIL;
	json_error_t jerr;
	json_t	   *doc;
	BodyParser	bp;
	RestBodyTemplate *tmpl;

	*problem = NULL;
	if (strlen(text) > REST_MAX_BODY_SIZE)
	{
		*problem = psprintf("The body template is longer than %d bytes.",
							REST_MAX_BODY_SIZE);
		return NULL;
	}
	initStringInfo(&checked);
	scan_template(text, &checked, &slots, &names);

	/* nothing can raise an ERROR while doc exists */
	doc = json_loadb(checked.data, checked.len, JSON_DECODE_ANY, &jerr);
	if (doc == NULL)
	{
		int			line;
		int			col;

		template_position(text, slots, Max(jerr.position - 1, 0), &line, &col);
		*problem = psprintf("The body is not valid JSON at line %d, column %d (placeholders outside strings read as null): %s.",
							line, col, jerr.text);
		return NULL;
	}
	json_decref(doc);

	bp.s = checked.data;
	bp.pos = 0;
	bp.slots = slots;
	bp.next_slot = 0;
	tmpl = palloc(sizeof(RestBodyTemplate));
	tmpl->root = parse_node(&bp);
	tmpl->names = names;
	return tmpl;
}

/* The distinct names of a template's placeholders, in order */
List *
rest_body_names(RestBodyTemplate *tmpl)
{
	return tmpl ? tmpl->names : NIL;
}

/* Does the template have a placeholder {name}? */
bool
rest_body_uses(RestBodyTemplate *tmpl, const char *name)
{
	ListCell   *lc;

	foreach(lc, rest_body_names(tmpl))
	{
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	}
	return false;
}

/* s as the content of a JSON string (no quotes added) */
void
rest_append_json_content(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

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
				if (c < 0x20 || c == 0x7f)
					appendStringInfo(buf, "\\u%04x", c);
				else
					appendStringInfoChar(buf, (char) c);
		}
	}
}

/*
 * Is s one JSON document (jansson decides), of at most the size of a body
 * template?  The value of a json or jsonb column placed in a body is
 * inserted as it is when it is one, as a string otherwise.
 */
bool
rest_is_json_document(const char *s)
{
	json_error_t jerr;
	json_t	   *doc;

	if (strlen(s) > REST_MAX_BODY_SIZE)
		return false;
	doc = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return false;
	json_decref(doc);
	return true;
}

/* Is s a JSON number as RFC 8259 writes one? */
bool
rest_is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (isdigit((unsigned char) *s))
			s++;
	else
		return false;
	if (*s == '.')
	{
		s++;
		if (!isdigit((unsigned char) *s))
			return false;
		while (isdigit((unsigned char) *s))
			s++;
	}
	if (*s == 'e' || *s == 'E')
	{
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char) *s))
			return false;
		while (isdigit((unsigned char) *s))
			s++;
	}
	return *s == '\0';
}

typedef struct FillState
{
	StringInfo	buf;
	RestBodyLookup lookup;
	void	   *arg;
	bool		omit;
} FillState;

/* Is node a placeholder without a value, to be left out? */
static bool
omitted(FillState *fs, BodyNode *node)
{
	const char *text;

	return fs->omit && node->kind == BN_VALUE &&
		fs->lookup(fs->arg, node->text, &text) == REST_JSON_NONE;
}

static void
fill_node(FillState *fs, BodyNode *node)
{
	StringInfo	buf = fs->buf;
	const char *text;
	ListCell   *lc;
	bool		first = true;

	CHECK_FOR_INTERRUPTS();
	check_stack_depth();
	switch (node->kind)
	{
		case BN_TEXT:
			appendStringInfoString(buf, node->text);
			break;
		case BN_VALUE:
			switch (fs->lookup(fs->arg, node->text, &text))
			{
				case REST_JSON_NONE:
					appendStringInfoString(buf, "null");
					break;
				case REST_JSON_NUMBER:
				case REST_JSON_BOOL:
				case REST_JSON_RAW:
					appendStringInfoString(buf, text);
					break;
				case REST_JSON_STRING:
					appendStringInfoChar(buf, '"');
					rest_append_json_content(buf, text);
					appendStringInfoChar(buf, '"');
					break;
			}
			break;
		case BN_STRING:
			appendStringInfoChar(buf, '"');
			foreach(lc, node->items)
			{
				BodyPart   *part = (BodyPart *) lfirst(lc);

				if (!part->is_name)
					appendStringInfoString(buf, part->text);
				else if (fs->lookup(fs->arg, part->text, &text) != REST_JSON_NONE)
					rest_append_json_content(buf, text);
			}
			appendStringInfoChar(buf, '"');
			break;
		case BN_OBJECT:
		case BN_ARRAY:
			appendStringInfoChar(buf, node->kind == BN_OBJECT ? '{' : '[');
			for (lc = list_head(node->items); lc; lc = lnext(node->items, lc))
			{
				BodyNode   *key = NULL;
				BodyNode   *value;

				if (node->kind == BN_OBJECT)
				{
					key = (BodyNode *) lfirst(lc);
					lc = lnext(node->items, lc);
				}
				value = (BodyNode *) lfirst(lc);
				if (omitted(fs, value))
					continue;
				if (!first)
					appendStringInfoChar(buf, ',');
				first = false;
				if (key)
				{
					fill_node(fs, key);
					appendStringInfoChar(buf, ':');
				}
				fill_node(fs, value);
			}
			appendStringInfoChar(buf, node->kind == BN_OBJECT ? '}' : ']');
			break;
	}
}

/*
 * The body of one request: the template filled with the values lookup
 * gives (palloc'd in the current memory context).  With omit, an object
 * member or array element whose value is a placeholder without value is
 * left out; otherwise, and at the top, it is null.
 */
char *
rest_fill_body(RestBodyTemplate *tmpl, RestBodyLookup lookup, void *arg,
			   bool omit)
{
	StringInfoData buf;
	FillState	fs;

	initStringInfo(&buf);
	fs.buf = &buf;
	fs.lookup = lookup;
	fs.arg = arg;
	fs.omit = omit;
	fill_node(&fs, tmpl->root);
	return buf.data;
}
