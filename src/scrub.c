/*-------------------------------------------------------------------------
 *
 * scrub.c
 *		  Text received from a server, made fit for a message.
 *
 * What an API sends back (an error body, a header, a value that does not
 * convert) is shown shortened, printable and valid in the database
 * encoding (rest_shorten), and without the credentials the request
 * carried, which a server may echo: every occurrence of a secret, as sent,
 * percent-encoded, form-encoded or JSON-escaped, in any case of its ASCII
 * letters, and also one cut by the end of the text, becomes "***"
 * (rest_shorten_scrubbed, rest_scrub).  Only the part of a text that can
 * be shown is looked at, so a long body costs little.
 *
 * Loops over untrusted text check for interrupts; nothing here does I/O.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "rest_fdw.h"

/*
 * Decode the unit of text at s[0..len-1] the way a server may have encoded
 * a byte of a secret: a JSON escape (\" \\ \/ \b \f \n \r \t, and \uXXXX,
 * with surrogate pairs, as UTF-8), percent-encoding (%XX, any case), or the
 * byte itself.  Writes the decoded bytes to out (at most 4) and returns how
 * many; *used gets the input bytes consumed.
 */
static int
decode_unit(const char *s, size_t len, unsigned char *out, size_t *used)
{
	unsigned char c = (unsigned char) s[0];

	if (c == '%' && len >= 3 && isxdigit((unsigned char) s[1]) &&
		isxdigit((unsigned char) s[2]))
	{
		out[0] = (unsigned char) rest_hex_value(s + 1, 2);
		*used = 3;
		return 1;
	}
	if (c == '\\' && len >= 2)
	{
		const char *simple = strchr("\"\\/bfnrt", s[1]);

		if (simple && s[1] != '\0')
		{
			static const char decoded[] = "\"\\/\b\f\n\r\t";

			out[0] = (unsigned char) decoded[simple - "\"\\/bfnrt"];
			*used = 2;
			return 1;
		}
		if (s[1] == 'u' && len >= 6 && isxdigit((unsigned char) s[2]) &&
			isxdigit((unsigned char) s[3]) && isxdigit((unsigned char) s[4]) &&
			isxdigit((unsigned char) s[5]))
		{
			pg_wchar	cp = rest_hex_value(s + 2, 4);

			*used = 6;
			if (cp >= 0xD800 && cp <= 0xDBFF && len >= 12 && s[6] == '\\' &&
				s[7] == 'u' && isxdigit((unsigned char) s[8]) &&
				isxdigit((unsigned char) s[9]) && isxdigit((unsigned char) s[10]) &&
				isxdigit((unsigned char) s[11]))
			{
				pg_wchar	lo = rest_hex_value(s + 8, 4);

				if (lo >= 0xDC00 && lo <= 0xDFFF)
				{
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					*used = 12;
				}
			}
			unicode_to_utf8(cp, out);
			return pg_utf_mblen(out);
		}
	}
	out[0] = c;
	*used = 1;
	return 1;
}

/*
 * Does sec occur at s[0..len-1], read through decode_unit (so also JSON-
 * escaped or percent-encoded, "+" for a space), ASCII letters in any case?
 * Returns the input bytes the occurrence covers, or 0.  When the text ends
 * inside the occurrence after at least four of its bytes (a header or body
 * cut short by a limit), that cut occurrence counts as one.
 */
static size_t
match_encoded(const char *s, size_t len, const char *sec)
{
	size_t		pos = 0;
	size_t		k = 0;
	size_t		slen = strlen(sec);

	while (k < slen)
	{
		unsigned char dec[4];
		size_t		used;
		int			n;
		int			j;

		if (pos >= len)
			return k >= 4 ? pos : 0;
		n = decode_unit(s + pos, len - pos, dec, &used);
		if (n == 1 && dec[0] == '+' && used == 1 && sec[k] == ' ')
			dec[0] = ' ';
		for (j = 0; j < n; j++)
		{
			if (k + j >= slen ||
				pg_tolower(dec[j]) != pg_tolower((unsigned char) sec[k + j]))
				return 0;
		}
		k += n;
		pos += used;
	}
	return pos;
}

/*
 * Does text s (len bytes) contain word, read as match_encoded reads it?
 * For words a message must not quote (token member names).
 */
bool
rest_text_contains(const char *s, size_t len, const char *word)
{
	size_t		i;
	size_t		wlen = strlen(word);

	for (i = 0; i < len; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (match_encoded(s + i, len - i, word) > 0 &&
			/* a cut occurrence does not count here */
			(len - i >= wlen))
			return true;
	}
	return false;
}

/*
 * The DETAIL of a JSON parse error of a response, the json_errdetail text
 * that quotes the token the lexer stopped at whole: that text, or, when
 * the token holds a secret of the request (a hostile API may echo one into
 * a body that is not JSON), a sentence that does not show the token.  The
 * caller quotes the beginning of the body scrubbed.
 */
const char *
rest_scrubbed_json_detail(const char *detail, List *secrets)
{
	if (rest_holds_secret(detail, strlen(detail), secrets))
		return "Its bad token is not shown, as it holds a secret of the request.";
	return detail;
}

/*
 * Does the text s (len bytes) hold one of secrets (a List of C strings) in
 * a form scrub hides: as sent, JSON-escaped or percent-encoded, ASCII
 * letters in any case, or cut by the end of the text?  For a caller that
 * must know before it quotes s; cheap when s holds none (a comparison or
 * two per byte and secret).
 */
bool
rest_holds_secret(const char *s, size_t len, List *secrets)
{
	ListCell   *lc;

	foreach(lc, secrets)
	{
		const char *sec = (const char *) lfirst(lc);
		unsigned char first = (unsigned char) sec[0];
		unsigned char lo = first;
		unsigned char up = first;
		size_t		i;

		if (first == '\0')
			continue;
		if (first >= 'A' && first <= 'Z')
			lo = first + ('a' - 'A');
		if (first >= 'a' && first <= 'z')
			up = first - ('a' - 'A');
		for (i = 0; i < len; i++)
		{
			unsigned char c = (unsigned char) s[i];

			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
			/* where an occurrence can start: see decode_unit */
			if ((c == lo || c == up || c == '%' || c == '\\' ||
				 (c == '+' && first == ' ') || IS_HIGHBIT_SET(first)) &&
				match_encoded(s + i, len - i, sec) > 0)
				return true;
		}
	}
	return false;
}

/*
 * A copy of the len bytes at s, up to input position limit, with every
 * occurrence of one of secrets (a List of C strings) replaced by "***":
 * as sent, JSON-escaped or percent-encoded (match_encoded), ASCII letters
 * in any case, and also an occurrence cut by the end of the text.
 * Occurrences may overlap: every byte any of them covers is hidden, and a
 * run of hidden bytes becomes one "***".  A match that starts before limit
 * is hidden whole even if it ends after it, so no part of a secret is
 * copied.  NUL bytes in s are kept.  Returns a palloc'd, NUL-terminated
 * copy; *outlen receives its length and *consumed the input bytes it
 * covers.
 */
static char *
scrub(const char *s, size_t len, size_t limit, List *secrets,
	  size_t *outlen, size_t *consumed)
{
	StringInfoData buf;
	size_t		i;
	size_t		scan = Min(len, limit);
	size_t		maxsec = 0;
	size_t		masklen;
	bool	   *hidden;
	ListCell   *lc;

	foreach(lc, secrets)
		maxsec = Max(maxsec, strlen((const char *) lfirst(lc)));
	/* an occurrence covers at most 12 input bytes per 4 of the secret */
	masklen = Min(len, scan + 3 * maxsec + 12);
	hidden = palloc0(masklen + 1);

	for (i = 0; i < scan; i++)
	{
		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		foreach(lc, secrets)
		{
			const char *sec = (const char *) lfirst(lc);
			size_t		n;

			if (*sec == '\0')
				continue;
			n = match_encoded(s + i, len - i, sec);
			if (n > 0)
				memset(hidden + i, true, Min(n, masklen - i));
		}
	}

	initStringInfo(&buf);
	i = 0;
	while (i < len && (i < limit || (i < masklen && hidden[i])))
	{
		if (i < masklen && hidden[i])
		{
			appendStringInfoString(&buf, "***");
			while (i < masklen && hidden[i])
				i++;
		}
		else
			appendStringInfoChar(&buf, s[i++]);
	}
	pfree(hidden);
	*outlen = buf.len;
	*consumed = i;
	return buf.data;
}

/*
 * rest_shorten of text received from a server, after every secret of the
 * List secrets (C strings) in it was replaced by "***".  Only the part of
 * s that can show up in the result is looked at, so a long body costs
 * little, and no part of a secret is shown even where the text is cut.
 */
char *
rest_shorten_scrubbed(const char *s, size_t len, int maxbytes, List *secrets)
{
	size_t		outlen;
	size_t		consumed;
	char	   *clean;
	char	   *res;

	if (s == NULL)
		return pstrdup("");
	if (secrets == NIL)
		return rest_shorten(s, len, maxbytes);
	clean = scrub(s, len, (size_t) maxbytes, secrets, &outlen, &consumed);
	res = rest_shorten(clean, outlen, maxbytes);
	if (consumed < len && outlen <= (size_t) maxbytes)
		res = psprintf("%s...", res);
	return res;
}

/*
 * A copy of the string s with every secret of the List secrets replaced by
 * "***", for URLs and other short texts shown whole.  palloc'd.
 */
char *
rest_scrub(const char *s, List *secrets)
{
	size_t		outlen;
	size_t		consumed;

	if (s == NULL)
		return pstrdup("");
	if (secrets == NIL)
		return pstrdup(s);
	return scrub(s, strlen(s), strlen(s), secrets, &outlen, &consumed);
}

/*
 * A printable, shortened copy of text received from a server, for error
 * messages: at most maxbytes bytes (cut at a character boundary, "..."
 * appended), control characters replaced by spaces, and bytes that are not
 * valid in the database encoding replaced by '?'.
 */
char *
rest_shorten(const char *s, size_t len, int maxbytes)
{
	StringInfoData buf;
	int			consider;
	int			valid;
	int			i;

	if (s == NULL)
		return pstrdup("");

	/* the longest valid prefix, then at most maxbytes of it */
	consider = (int) Min(len, (size_t) maxbytes);
	valid = pg_encoding_verifymbstr(GetDatabaseEncoding(), s, consider);
	if (valid == consider && (size_t) consider < len)
		valid = pg_mbcliplen(s, consider, maxbytes);

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, s, valid);
	/* past an invalid byte, show ASCII only */
	for (i = valid; i < consider; i++)
		appendStringInfoChar(&buf, IS_HIGHBIT_SET(s[i]) ? '?' : s[i]);

	for (i = 0; i < buf.len; i++)
	{
		if ((unsigned char) buf.data[i] < 0x20 || buf.data[i] == 0x7f)
			buf.data[i] = ' ';
	}
	if ((size_t) consider < len)
		appendStringInfoString(&buf, "...");
	return buf.data;
}
