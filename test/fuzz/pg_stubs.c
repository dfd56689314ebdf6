/*-------------------------------------------------------------------------
 *
 * pg_stubs.c
 *		  Just enough of a PostgreSQL backend to run rest_fdw's parsers of
 *		  untrusted text (src/rows.c, src/token_response.c, src/pager.c,
 *		  src/http.c, src/config.c, src/sample.c, the decoders of
 *		  src/format.c, src/csv.c and src/xml.c, the parsers of
 *		  src/migrate.c, with src/options.c linked for its checks; all
 *		  compiled unchanged) under libFuzzer.
 *
 * Memory: palloc and friends allocate from one per-input arena.  Every
 * chunk is its own malloc() block with a small header, so AddressSanitizer
 * still sees each allocation's bounds, pfree/repalloc work, and
 * fuzz_reset() releases whatever is left, after running the memory context
 * reset callbacks (MemoryContextRegisterResetCallback) newest first, as a
 * memory context reset does.  These definitions replace libpgcommon's
 * frontend fe_memutils.o, so the frontend JSON parser (common/jsonapi.c)
 * allocates from the same arena; fe_memutils.o must therefore never be
 * linked in (the link fails with duplicate symbols if it is).
 *
 * Errors: ereport/elog format their message, detail, hint and context as
 * the backend does, call the error_context_stack callbacks, and for ERROR
 * siglongjmp to *PG_exception_stack: the harnesses wrap each input in
 * PG_TRY/PG_CATCH and call FlushErrorState, exactly as backend code would.
 * A harness that sets fuzz_report_hook sees every report (ERROR, NOTICE
 * ...) as it is finished, with its message, detail and hint.
 * FATAL and PANIC abort (they would end the backend), as does an ERROR
 * with no PG_TRY active.  Set FUZZ_VERBOSE=1 to print every report.
 *
 * Lists (lappend, lcons, list_make1, list_copy, list_member of String
 * nodes),
 * makeString and makeDefElem work as in the backend; a List's cell array
 * moves to a new allocation whenever it grows, so a ListCell pointer kept
 * across an append that reallocated is a use-after-free for ASan.
 * AllocateFile/FreeFile track their files; fuzz_reset() closes the ones
 * an ERROR left open, as the end of a transaction does.
 *
 * Backend functions that the harnessed code paths never reach (catalog
 * lookups, type input functions, hash tables, latches, libcurl requests,
 * option validation, ...) abort with their name, so reaching one shows up
 * as a crash.
 *
 * libxml2's error handling is PostgreSQL's (pg_xml_init and friends): the
 * errors libxml2 reports are collected and turned into the ERROR's DETAIL,
 * external entities load nothing.
 *
 * The database encoding is UTF8.
 *
 *-------------------------------------------------------------------------
 */
#include "rest_fdw.h"

#include <stdio.h>
#include <stdlib.h>

#include <errno.h>

#include "access/reloptions.h"
#include "access/tupdesc.h"
#include "access/xact.h"
#include "commands/defrem.h"
#include "common/jsonapi.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "fuzz_common.h"

static void not_in_fuzzer(const char *fn) pg_attribute_noreturn();

static void
not_in_fuzzer(const char *fn)
{
	fprintf(stderr, "pg_stubs: %s() was called; it needs a real PostgreSQL "
			"backend and no fuzzed code path should reach it\n", fn);
	abort();
}

int
fuzz_verbose(void)
{
	static int	verbose = -1;

	if (verbose < 0)
	{
		const char *v = getenv("FUZZ_VERBOSE");

		verbose = (v != NULL && v[0] != '\0' && v[0] != '0');
	}
	return verbose;
}

/* ---------------------------------------------------------------------
 * The per-input arena
 * ---------------------------------------------------------------------
 */

typedef struct FuzzChunk
{
	struct FuzzChunk *prev;
	struct FuzzChunk *next;
	Size		size;
	uint64		magic;
} FuzzChunk;					/* 32 bytes: keeps malloc's 16-byte alignment */

#define CHUNK_MAGIC		UINT64CONST(0x72657374667a7a31)

static FuzzChunk arena = {&arena, &arena, 0, 0};	/* circular list head */
static size_t arena_chunks = 0;
static MemoryContextCallback *reset_callbacks = NULL;

/* the one memory context there is; nothing looks inside it */
static MemoryContextData fuzz_context;
MemoryContext CurrentMemoryContext = &fuzz_context;

static void
link_chunk(FuzzChunk *c)
{
	c->next = arena.next;
	c->prev = &arena;
	arena.next->prev = c;
	arena.next = c;
}

static void
unlink_chunk(FuzzChunk *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
}

static FuzzChunk *
chunk_of(void *pointer, const char *fn)
{
	FuzzChunk  *c;

	if (pointer == NULL)
	{
		/* the backend would crash on this */
		fprintf(stderr, "pg_stubs: %s(NULL)\n", fn);
		abort();
	}
	c = (FuzzChunk *) pointer - 1;
	if (c->magic != CHUNK_MAGIC)
	{
		fprintf(stderr, "pg_stubs: %s() of a pointer that palloc did not return\n", fn);
		abort();
	}
	return c;
}

static void *
arena_alloc(Size size, int flags)
{
	FuzzChunk  *c;

	if ((flags & MCXT_ALLOC_HUGE) ? !AllocHugeSizeIsValid(size)
		: !AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);

	c = malloc(sizeof(FuzzChunk) + size);
	if (c == NULL)
	{
		if (flags & MCXT_ALLOC_NO_OOM)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu in memory context \"%s\".",
						   size, "fuzz")));
	}
	c->size = size;
	c->magic = CHUNK_MAGIC;
	link_chunk(c);
	arena_chunks++;
	if (flags & MCXT_ALLOC_ZERO)
		memset(c + 1, 0, size);
	return c + 1;
}

static void *
arena_realloc(void *pointer, Size size, int flags)
{
	FuzzChunk  *c = chunk_of(pointer, "repalloc");
	FuzzChunk  *n;

	if ((flags & MCXT_ALLOC_HUGE) ? !AllocHugeSizeIsValid(size)
		: !AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);

	unlink_chunk(c);
	n = realloc(c, sizeof(FuzzChunk) + size);
	if (n == NULL)
	{
		link_chunk(c);			/* the old chunk survives, as in the backend */
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu in memory context \"%s\".",
						   size, "fuzz")));
	}
	n->size = size;
	link_chunk(n);
	return n + 1;
}

void
pfree(void *pointer)
{
	FuzzChunk  *c = chunk_of(pointer, "pfree");

	unlink_chunk(c);
	c->magic = 0;
	arena_chunks--;
	free(c);
}

void *
palloc(Size size)
{
	return arena_alloc(size, 0);
}

void *
palloc0(Size size)
{
	return arena_alloc(size, MCXT_ALLOC_ZERO);
}

void *
palloc_extended(Size size, int flags)
{
	return arena_alloc(size, flags);
}

void *
repalloc(void *pointer, Size size)
{
	return arena_realloc(pointer, size, 0);
}

void *
repalloc_huge(void *pointer, Size size)
{
	return arena_realloc(pointer, size, MCXT_ALLOC_HUGE);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return arena_alloc(size, 0);
}

void *
MemoryContextAllocHuge(MemoryContext context, Size size)
{
	return arena_alloc(size, MCXT_ALLOC_HUGE);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return arena_alloc(size, MCXT_ALLOC_ZERO);
}

/* makeNode (migrate.c's statements, never reached) */
void *
MemoryContextAllocZeroAligned(MemoryContext context, Size size)
{
	return arena_alloc(size, MCXT_ALLOC_ZERO);
}

void *
MemoryContextAllocExtended(MemoryContext context, Size size, int flags)
{
	return arena_alloc(size, flags);
}

char *
pstrdup(const char *in)
{
	size_t		len = strlen(in);
	char	   *out = palloc(len + 1);

	memcpy(out, in, len + 1);
	return out;
}

char *
MemoryContextStrdup(MemoryContext context, const char *string)
{
	return pstrdup(string);
}

/* as the backend's: stops at a NUL within len */
char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

void
MemoryContextRegisterResetCallback(MemoryContext context,
								   MemoryContextCallback *cb)
{
	cb->next = reset_callbacks;
	reset_callbacks = cb;
}

size_t
fuzz_arena_chunks(void)
{
	return arena_chunks;
}

/* how many reset callbacks the next fuzz_reset() will run */
int
fuzz_reset_callbacks(void)
{
	MemoryContextCallback *cb;
	int			n = 0;

	for (cb = reset_callbacks; cb != NULL; cb = cb->next)
		n++;
	return n;
}

static void close_allocated_files(void);

/*
 * The end of one input: run the reset callbacks (newest first), free
 * every chunk, forget any error state.
 */
void
fuzz_reset(void)
{
	FuzzChunk  *c;

	while (reset_callbacks != NULL)
	{
		MemoryContextCallback *cb = reset_callbacks;

		reset_callbacks = cb->next;
		cb->func(cb->arg);
	}
	while ((c = arena.next) != &arena)
	{
		unlink_chunk(c);
		c->magic = 0;
		free(c);
	}
	arena_chunks = 0;
	close_allocated_files();
	FlushErrorState();
	CurrentMemoryContext = &fuzz_context;
	error_context_stack = NULL;
	PG_exception_stack = NULL;
}

/* Only http.c's request machinery creates contexts; it is not fuzzed. */
MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name,
							  Size minContextSize, Size initBlockSize,
							  Size maxBlockSize)
{
	not_in_fuzzer("AllocSetContextCreateInternal");
}

void
MemoryContextDelete(MemoryContext context)
{
	not_in_fuzzer("MemoryContextDelete");
}

void
MemoryContextReset(MemoryContext context)
{
	not_in_fuzzer("MemoryContextReset");
}

/* ---------------------------------------------------------------------
 * ereport / elog
 * ---------------------------------------------------------------------
 */

typedef struct FuzzError
{
	int			elevel;
	int			sqlerrcode;
	char	   *message;
	char	   *detail;
	char	   *hint;
	char	   *context;
	const char *filename;
	int			lineno;
	const char *funcname;
} FuzzError;

#define FUZZ_ERROR_STACK_SIZE 5

static FuzzError errstack[FUZZ_ERROR_STACK_SIZE];
static int	errdepth = -1;

fuzz_report_hook_type fuzz_report_hook = NULL;

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

static FuzzError *
current_error(const char *fn)
{
	if (errdepth < 0)
	{
		fprintf(stderr, "pg_stubs: %s() called without errstart()\n", fn);
		abort();
	}
	return &errstack[errdepth];
}

/* vsnprintf into the arena, with the backend's snprintf (%m and all) */
static char *
format_va(const char *fmt, va_list args)
{
	size_t		len = 128;

	for (;;)
	{
		char	   *buf = palloc(len);
		va_list		copy;
		size_t		needed;

		va_copy(copy, args);
		needed = pvsnprintf(buf, len, fmt, copy);	/* as psprintf uses it */
		va_end(copy);
		if (needed < len)
			return buf;
		pfree(buf);
		len = needed;
	}
}

#define FORMAT_INTO(field, fmt) \
	do { \
		va_list		args; \
		va_start(args, fmt); \
		(field) = format_va((fmt), args); \
		va_end(args); \
	} while (0)

bool
errstart(int elevel, const char *domain)
{
	if (errdepth >= FUZZ_ERROR_STACK_SIZE - 1)
	{
		/* the backend PANICs: "ERRORDATA_STACK_SIZE exceeded" */
		fprintf(stderr, "pg_stubs: ERRORDATA_STACK_SIZE exceeded\n");
		abort();
	}
	errdepth++;
	memset(&errstack[errdepth], 0, sizeof(FuzzError));
	errstack[errdepth].elevel = elevel;
	errstack[errdepth].sqlerrcode = elevel >= ERROR ? ERRCODE_INTERNAL_ERROR
		: ERRCODE_SUCCESSFUL_COMPLETION;
	/* always true: the message arguments are evaluated, as they would be */
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

int
errcode(int sqlerrcode)
{
	current_error("errcode")->sqlerrcode = sqlerrcode;
	return 0;
}

int
errmsg(const char *fmt,...)
{
	FuzzError  *e = current_error("errmsg");

	FORMAT_INTO(e->message, fmt);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	FuzzError  *e = current_error("errmsg_internal");

	FORMAT_INTO(e->message, fmt);
	return 0;
}

int
errmsg_plural(const char *fmt_singular, const char *fmt_plural,
			  unsigned long n,...)
{
	FuzzError  *e = current_error("errmsg_plural");
	va_list		args;

	va_start(args, n);
	e->message = format_va(n == 1 ? fmt_singular : fmt_plural, args);
	va_end(args);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	FuzzError  *e = current_error("errdetail");

	FORMAT_INTO(e->detail, fmt);
	return 0;
}

int
errhint(const char *fmt,...)
{
	FuzzError  *e = current_error("errhint");

	FORMAT_INTO(e->hint, fmt);
	return 0;
}

int
set_errcontext_domain(const char *domain)
{
	(void) current_error("set_errcontext_domain");
	return 0;
}

int
errcontext_msg(const char *fmt,...)
{
	FuzzError  *e = current_error("errcontext_msg");
	char	   *line;

	FORMAT_INTO(line, fmt);
	e->context = e->context ? psprintf("%s\n%s", e->context, line) : line;
	return 0;
}

static void
print_error(const FuzzError *e)
{
	char		sqlstate[6];
	int			code = e->sqlerrcode;
	int			i;

	for (i = 0; i < 5; i++)
	{
		sqlstate[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	sqlstate[5] = '\0';
	fprintf(stderr, "[%s] %s (SQLSTATE %s, %s:%d)\n",
			e->elevel >= ERROR ? "ERROR" : "report",
			e->message ? e->message : "(no message)",
			sqlstate,
			e->filename ? e->filename : "?", e->lineno);
	if (e->detail)
		fprintf(stderr, "  DETAIL: %s\n", e->detail);
	if (e->hint)
		fprintf(stderr, "  HINT: %s\n", e->hint);
	if (e->context)
		fprintf(stderr, "  CONTEXT: %s\n", e->context);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	FuzzError  *e = current_error("errfinish");
	ErrorContextCallback *econtext;

	e->filename = filename;
	e->lineno = lineno;
	e->funcname = funcname;

	/* as the backend does: collect the context lines */
	for (econtext = error_context_stack; econtext != NULL;
		 econtext = econtext->previous)
		econtext->callback(econtext->arg);

	if (fuzz_verbose())
		print_error(e);
	if (fuzz_report_hook)
	{
		FuzzReport	r;

		r.elevel = e->elevel;
		r.sqlerrcode = e->sqlerrcode;
		r.message = e->message;
		r.detail = e->detail;
		r.hint = e->hint;
		r.context = e->context;
		fuzz_report_hook(&r);
	}

	if (e->elevel >= ERROR)
	{
		if (e->elevel > ERROR)
		{
			fprintf(stderr, "pg_stubs: FATAL or PANIC reported:\n");
			print_error(e);
			abort();
		}
		if (PG_exception_stack == NULL)
		{
			fprintf(stderr, "pg_stubs: ERROR outside PG_TRY:\n");
			print_error(e);
			abort();
		}
		siglongjmp(*PG_exception_stack, 1);
	}
	errdepth--;
}

/* print the error being handled (in a PG_CATCH block) */
void
fuzz_print_error(void)
{
	print_error(current_error("fuzz_print_error"));
}

void
FlushErrorState(void)
{
	errdepth = -1;
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
	{
		fprintf(stderr, "pg_stubs: PG_RE_THROW outside PG_TRY\n");
		abort();
	}
	siglongjmp(*PG_exception_stack, 1);
}

/* only rest_rowset_store (not fuzzed: it needs type input functions) */
ErrorData *
CopyErrorData(void)
{
	not_in_fuzzer("CopyErrorData");
}

void
ReThrowError(ErrorData *edata)
{
	not_in_fuzzer("ReThrowError");
}

/* ---------------------------------------------------------------------
 * Encoding: the database is UTF8
 * ---------------------------------------------------------------------
 */

int
GetDatabaseEncoding(void)
{
	return PG_UTF8;
}

/* mbutils.c: the byte length of the character at mbstr */
int
pg_mblen(const char *mbstr)
{
	return pg_wchar_table[PG_UTF8].mblen((const unsigned char *) mbstr);
}

/* mbutils.c: the byte length of at most limit bytes of whole characters */
int
pg_mbcliplen(const char *mbstr, int len, int limit)
{
	int			clen = 0;
	int			l;

	while (len > 0 && *mbstr)
	{
		l = pg_wchar_table[PG_UTF8].mblen((const unsigned char *) mbstr);
		if ((clen + l) > limit)
			break;
		clen += l;
		if (clen == limit)
			break;
		len -= l;
		mbstr += l;
	}
	return clen;
}

/* reached only when the database encoding is not UTF8 */
char *
pg_any_to_server(const char *s, int len, int encoding)
{
	not_in_fuzzer("pg_any_to_server");
}

/*
 * json_errdetail: compiled only into the backend's common/jsonapi.c
 * (#ifndef FRONTEND), so libpgcommon.a lacks it.  The same messages, for
 * the error path of rest_parse_rows.
 */
static char *
json_token(JsonLexContext *lex)
{
	if (lex->token_start == NULL || lex->token_terminator < lex->token_start)
		return pstrdup("");
	return pnstrdup(lex->token_start,
					lex->token_terminator - lex->token_start);
}

char *
json_errdetail(JsonParseErrorType error, JsonLexContext *lex)
{
	switch (error)
	{
		case JSON_SUCCESS:
			break;
		case JSON_ESCAPING_INVALID:
			return psprintf("Escape sequence \"\\%s\" is invalid.", json_token(lex));
		case JSON_ESCAPING_REQUIRED:
			return psprintf("Character with value 0x%02x must be escaped.",
							(unsigned char) *(lex->token_terminator));
		case JSON_EXPECTED_END:
			return psprintf("Expected end of input, but found \"%s\".", json_token(lex));
		case JSON_EXPECTED_ARRAY_FIRST:
			return psprintf("Expected array element or \"]\", but found \"%s\".", json_token(lex));
		case JSON_EXPECTED_ARRAY_NEXT:
			return psprintf("Expected \",\" or \"]\", but found \"%s\".", json_token(lex));
		case JSON_EXPECTED_COLON:
			return psprintf("Expected \":\", but found \"%s\".", json_token(lex));
		case JSON_EXPECTED_JSON:
			return psprintf("Expected JSON value, but found \"%s\".", json_token(lex));
		case JSON_EXPECTED_MORE:
			return "The input string ended unexpectedly.";
		case JSON_EXPECTED_OBJECT_FIRST:
			return psprintf("Expected string or \"}\", but found \"%s\".", json_token(lex));
		case JSON_EXPECTED_OBJECT_NEXT:
			return psprintf("Expected \",\" or \"}\", but found \"%s\".", json_token(lex));
		case JSON_EXPECTED_STRING:
			return psprintf("Expected string, but found \"%s\".", json_token(lex));
		case JSON_INVALID_TOKEN:
			return psprintf("Token \"%s\" is invalid.", json_token(lex));
		case JSON_UNICODE_CODE_POINT_ZERO:
			return "\\u0000 cannot be converted to text.";
		case JSON_UNICODE_ESCAPE_FORMAT:
			return "\"\\u\" must be followed by four hexadecimal digits.";
		case JSON_UNICODE_HIGH_ESCAPE:
			return "Unicode escape values cannot be used for code point values above 007F when the encoding is not UTF8.";
		case JSON_UNICODE_HIGH_SURROGATE:
			return "Unicode high surrogate must not follow a high surrogate.";
		case JSON_UNICODE_LOW_SURROGATE:
			return "Unicode low surrogate must follow a high surrogate.";
	}
	elog(ERROR, "unexpected json parse error type: %d", (int) error);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Lists and value nodes (nodes/list.c, value.c, makefuncs.c)
 * ---------------------------------------------------------------------
 */

#define FUZZ_LIST_CELLS 4		/* cells allocated with a new List header */

static List *
new_list(NodeTag type, int length)
{
	List	   *list = palloc(offsetof(List, initial_elements) +
							  FUZZ_LIST_CELLS * sizeof(ListCell));

	Assert(length <= FUZZ_LIST_CELLS);
	list->type = type;
	list->length = length;
	list->max_length = FUZZ_LIST_CELLS;
	list->elements = list->initial_elements;
	return list;
}

/*
 * Room for one more cell.  A full list gets a new, larger cell array (the
 * old one is freed): cell pointers taken before then are dangling, as they
 * may be in the backend.
 */
static void
grow_list(List *list)
{
	ListCell   *cells;
	int			max;

	if (list->length < list->max_length)
		return;
	max = list->max_length * 2;
	cells = palloc(max * sizeof(ListCell));
	memcpy(cells, list->elements, list->length * sizeof(ListCell));
	if (list->elements != list->initial_elements)
		pfree(list->elements);
	list->elements = cells;
	list->max_length = max;
}

List *
list_make1_impl(NodeTag t, ListCell datum1)
{
	List	   *list = new_list(t, 1);

	list->elements[0] = datum1;
	return list;
}

List *
lappend(List *list, void *datum)
{
	if (list == NIL)
		list = new_list(T_List, 0);
	else if (list->type != T_List)
		not_in_fuzzer("lappend to an integer or OID list");
	grow_list(list);
	list->elements[list->length++].ptr_value = datum;
	return list;
}

List *
lcons(void *datum, List *list)
{
	if (list == NIL)
		list = new_list(T_List, 0);
	else if (list->type != T_List)
		not_in_fuzzer("lcons to an integer or OID list");
	grow_list(list);
	memmove(&list->elements[1], &list->elements[0],
			list->length * sizeof(ListCell));
	list->elements[0].ptr_value = datum;
	list->length++;
	return list;
}

List *
list_copy(const List *oldlist)
{
	List	   *list;
	int			i;

	if (oldlist == NIL)
		return NIL;
	list = new_list(oldlist->type, 0);
	for (i = 0; i < oldlist->length; i++)
	{
		grow_list(list);
		list->elements[list->length++] = oldlist->elements[i];
	}
	return list;
}

/* equal() for the only nodes the code compares: String */
static bool
nodes_equal(const void *a, const void *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (nodeTag(a) != nodeTag(b))
		return false;
	if (nodeTag(a) != T_String)
		not_in_fuzzer("equal");
	return strcmp(((const String *) a)->sval, ((const String *) b)->sval) == 0;
}

bool
list_member(const List *list, const void *datum)
{
	int			i;

	if (list != NIL && list->type != T_List)
		not_in_fuzzer("list_member of an integer or OID list");
	for (i = 0; i < list_length(list); i++)
	{
		if (nodes_equal(list->elements[i].ptr_value, datum))
			return true;
	}
	return false;
}

String *
makeString(char *str)
{
	String	   *v = palloc0(sizeof(String));

	v->type = T_String;
	v->sval = str;
	return v;
}

DefElem *
makeDefElem(char *name, Node *arg, int location)
{
	DefElem    *d = palloc0(sizeof(DefElem));

	d->type = T_DefElem;
	d->defnamespace = NULL;
	d->defname = name;
	d->arg = arg;
	d->defaction = DEFELEM_UNSPEC;
	d->location = location;
	return d;
}

/* commands/define.c, for String values, the only kind options have here */
char *
defGetString(DefElem *def)
{
	if (def->arg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s requires a parameter", def->defname)));
	if (!IsA(def->arg, String))
		not_in_fuzzer("defGetString of a node other than String");
	return strVal(def->arg);
}

/* ---------------------------------------------------------------------
 * Files (storage/file/fd.c)
 * ---------------------------------------------------------------------
 */

#define FUZZ_MAX_FILES 8

static FILE *allocated_files[FUZZ_MAX_FILES];

FILE *
AllocateFile(const char *name, const char *mode)
{
	FILE	   *f;
	int			i;

	for (i = 0; i < FUZZ_MAX_FILES && allocated_files[i] != NULL; i++)
		;
	if (i == FUZZ_MAX_FILES)
		elog(ERROR, "exceeded maxAllocatedDescs (%d) while trying to open file \"%s\"",
			 FUZZ_MAX_FILES, name);
	f = fopen(name, mode);
	if (f != NULL)
		allocated_files[i] = f;
	return f;
}

int
FreeFile(FILE *file)
{
	int			i;

	for (i = 0; i < FUZZ_MAX_FILES; i++)
	{
		if (allocated_files[i] == file)
		{
			allocated_files[i] = NULL;
			return fclose(file);
		}
	}
	fprintf(stderr, "pg_stubs: FreeFile() of a file AllocateFile did not open\n");
	abort();
}

int
fuzz_open_files(void)
{
	int			i;
	int			n = 0;

	for (i = 0; i < FUZZ_MAX_FILES; i++)
		n += allocated_files[i] != NULL;
	return n;
}

/* what the end of the transaction does with files an ERROR left open */
static void
close_allocated_files(void)
{
	int			i;

	for (i = 0; i < FUZZ_MAX_FILES; i++)
	{
		if (allocated_files[i] != NULL)
		{
			fclose(allocated_files[i]);
			allocated_files[i] = NULL;
		}
	}
}

/* the SQLSTATE of a failed file operation, from errno */
int
errcode_for_file_access(void)
{
	FuzzError  *e = current_error("errcode_for_file_access");

	switch (errno)
	{
		case EPERM:
		case EACCES:
		case EROFS:
			e->sqlerrcode = ERRCODE_INSUFFICIENT_PRIVILEGE;
			break;
		case ENOENT:
			e->sqlerrcode = ERRCODE_UNDEFINED_FILE;
			break;
		case EEXIST:
			e->sqlerrcode = ERRCODE_DUPLICATE_FILE;
			break;
		case ENOTDIR:
		case EISDIR:
		case ENOTEMPTY:
			e->sqlerrcode = ERRCODE_WRONG_OBJECT_TYPE;
			break;
		case ENOSPC:
			e->sqlerrcode = ERRCODE_DISK_FULL;
			break;
		case ENFILE:
		case EMFILE:
			e->sqlerrcode = ERRCODE_INSUFFICIENT_RESOURCES;
			break;
		case EIO:
			e->sqlerrcode = ERRCODE_IO_ERROR;
			break;
		default:
			e->sqlerrcode = ERRCODE_INTERNAL_ERROR;
			break;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Backend facilities the fuzzed code paths never reach
 * ---------------------------------------------------------------------
 */

/*
 * valuefmt.c is not linked: its conversions need the backend's date and
 * time code, and the harnesses' columns have no format option.
 */
void
rest_check_format_type(const char *format, Oid typid, const char *colname)
{
	not_in_fuzzer("rest_check_format_type");
}

Datum
rest_read_formatted(const char *format, const char *s, Oid typid, int32 typmod)
{
	not_in_fuzzer("rest_read_formatted");
}

/* rows.c: rest_prepare_columns and rest_rowset_store (type conversion) */
void
getTypeInputInfo(Oid type, Oid *typInput, Oid *typIOParam)
{
	not_in_fuzzer("getTypeInputInfo");
}

Oid
get_element_type(Oid typid)
{
	not_in_fuzzer("get_element_type");
}

void
get_typlenbyvalalign(Oid typid, int16 *typlen, bool *typbyval, char *typalign)
{
	not_in_fuzzer("get_typlenbyvalalign");
}

void
fmgr_info(Oid functionId, FmgrInfo *finfo)
{
	not_in_fuzzer("fmgr_info");
}

Datum
InputFunctionCall(FmgrInfo *flinfo, char *str, Oid typioparam, int32 typmod)
{
	not_in_fuzzer("InputFunctionCall");
}

ArrayType *
construct_empty_array(Oid elmtype)
{
	not_in_fuzzer("construct_empty_array");
}

ArrayType *
construct_md_array(Datum *elems, bool *nulls, int ndims, int *dims, int *lbs,
				   Oid elmtype, int elmlen, bool elmbyval, char elmalign)
{
	not_in_fuzzer("construct_md_array");
}

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	not_in_fuzzer("pg_detoast_datum");
}

/* varlena.c: migrate.c's result rows are text (fuzz_connstr reads them) */
text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *result = (text *) palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), s, len);
	return result;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

float8
float8in_internal(char *num, char **endptr_p, const char *type_name,
				  const char *orig_string)
{
	not_in_fuzzer("float8in_internal");
}

int16
pg_strtoint16(const char *s)
{
	not_in_fuzzer("pg_strtoint16");
}

int32
pg_strtoint32(const char *s)
{
	not_in_fuzzer("pg_strtoint32");
}

int64
pg_strtoint64(const char *s)
{
	not_in_fuzzer("pg_strtoint64");
}

void
escape_json(StringInfo buf, const char *str)
{
	not_in_fuzzer("escape_json");
}

char *
format_type_with_typemod(Oid type_oid, int32 typemod)
{
	not_in_fuzzer("format_type_with_typemod");
}

/* http.c: the connection cache, requests, retries */
HTAB *
hash_create(const char *tabname, long nelem, const HASHCTL *info, int flags)
{
	not_in_fuzzer("hash_create");
}

void *
hash_search(HTAB *hashp, const void *keyPtr, HASHACTION action, bool *foundPtr)
{
	not_in_fuzzer("hash_search");
}

void
hash_seq_init(HASH_SEQ_STATUS *status, HTAB *hashp)
{
	not_in_fuzzer("hash_seq_init");
}

void *
hash_seq_search(HASH_SEQ_STATUS *status)
{
	not_in_fuzzer("hash_seq_search");
}

void
CacheRegisterSyscacheCallback(int cacheid, SyscacheCallbackFunction func,
							  Datum arg)
{
	not_in_fuzzer("CacheRegisterSyscacheCallback");
}

uint32
GetSysCacheHashValue(int cacheId, Datum key1, Datum key2, Datum key3,
					 Datum key4)
{
	not_in_fuzzer("GetSysCacheHashValue");
}

volatile sig_atomic_t InterruptPending = false;
struct Latch *MyLatch = NULL;

void
ProcessInterrupts(void)
{
	not_in_fuzzer("ProcessInterrupts");
}

int
WaitLatch(Latch *latch, int wakeEvents, long timeout, uint32 wait_event_info)
{
	not_in_fuzzer("WaitLatch");
}

void
ResetLatch(Latch *latch)
{
	not_in_fuzzer("ResetLatch");
}

TimestampTz
GetCurrentTimestamp(void)
{
	not_in_fuzzer("GetCurrentTimestamp");
}

/* http.c: the ssl_verify warning of a request (no request is made) */
TimestampTz
GetCurrentStatementStartTimestamp(void)
{
	not_in_fuzzer("GetCurrentStatementStartTimestamp");
}

long
TimestampDifferenceMilliseconds(TimestampTz start_time, TimestampTz stop_time)
{
	not_in_fuzzer("TimestampDifferenceMilliseconds");
}

/* auth.c, which pager.c's rest_fetch calls */
bool
rest_auth_refreshable(RestConnOptions *conn)
{
	not_in_fuzzer("rest_auth_refreshable");
}

void
rest_auth_add_credentials(RestConnOptions *conn, RestHttpRequest *req,
						  bool force_new_token, RestScanStats *stats)
{
	not_in_fuzzer("rest_auth_add_credentials");
}

/* options.c: option validation and user mappings (only its checks of
 * header names and control characters are reached) */
ForeignServer *
GetForeignServer(Oid serverid)
{
	not_in_fuzzer("GetForeignServer");
}

ForeignTable *
GetForeignTable(Oid relid)
{
	not_in_fuzzer("GetForeignTable");
}

UserMapping *
GetUserMapping(Oid userid, Oid serverid)
{
	not_in_fuzzer("GetUserMapping");
}

List *
GetForeignColumnOptions(Oid relid, AttrNumber attnum)
{
	not_in_fuzzer("GetForeignColumnOptions");
}

Oid
GetUserId(void)
{
	not_in_fuzzer("GetUserId");
}

char *
GetUserNameFromId(Oid roleid, bool noerr)
{
	not_in_fuzzer("GetUserNameFromId");
}

/* options.c: ssl_verify, a server option (no server is validated) */
bool
superuser(void)
{
	not_in_fuzzer("superuser");
}

bool
superuser_arg(Oid roleid)
{
	not_in_fuzzer("superuser_arg");
}

bool
has_privs_of_role(Oid member, Oid role)
{
	not_in_fuzzer("has_privs_of_role");
}

bool
SearchSysCacheExists(int cacheId, Datum key1, Datum key2, Datum key3,
					 Datum key4)
{
	not_in_fuzzer("SearchSysCacheExists");
}

char *
get_rel_name(Oid relid)
{
	not_in_fuzzer("get_rel_name");
}

bool
defGetBoolean(DefElem *def)
{
	not_in_fuzzer("defGetBoolean");
}

bool
parse_bool(const char *value, bool *result)
{
	not_in_fuzzer("parse_bool");
}

bool
parse_int(const char *value, int *result, int flags, const char **hintmsg)
{
	not_in_fuzzer("parse_int");
}

const char *
quote_identifier(const char *ident)
{
	not_in_fuzzer("quote_identifier");
}

char *
quote_literal_cstr(const char *rawstr)
{
	not_in_fuzzer("quote_literal_cstr");
}

List *
untransformRelOptions(Datum options)
{
	not_in_fuzzer("untransformRelOptions");
}

/*
 * auth.c is not linked (it needs the token store and locks); pager.c's
 * URL handling calls these.  No credentials exist in the harnesses.
 */
List *
rest_auth_secrets(RestConnOptions *conn, const char *token)
{
	return NIL;
}

char *
rest_auth_mask_url(RestConnOptions *conn, const char *url)
{
	return rest_mask_url(url);
}

char *
rest_auth_strip_url(RestConnOptions *conn, const char *url)
{
	return pstrdup(url);
}

/*
 * netpolicy.c is linked for http.c's host checks; its GUC definition and
 * check hook never run in the harnesses.
 */
MemoryContext TopMemoryContext = NULL;
char	   *GUC_check_errmsg_string;
char	   *GUC_check_errdetail_string;
char	   *GUC_check_errhint_string;

void
GUC_check_errcode(int sqlerrcode)
{
}

void
pre_format_elog_string(int errnumber, const char *domain)
{
}

char *
format_elog_string(const char *fmt,...)
{
	va_list		args;
	char	   *result;

	va_start(args, fmt);
	result = format_va(fmt, args);
	va_end(args);
	return result;
}

void
DefineCustomStringVariable(const char *name, const char *short_desc,
						   const char *long_desc, char **valueAddr,
						   const char *bootValue, GucContext context, int flags,
						   GucStringCheckHook check_hook,
						   GucStringAssignHook assign_hook,
						   GucShowHook show_hook)
{
	not_in_fuzzer("DefineCustomStringVariable");
}

void
DefineCustomIntVariable(const char *name, const char *short_desc,
						const char *long_desc, int *valueAddr, int bootValue,
						int minValue, int maxValue, GucContext context,
						int flags, GucIntCheckHook check_hook,
						GucIntAssignHook assign_hook, GucShowHook show_hook)
{
	not_in_fuzzer("DefineCustomIntVariable");
}

struct config_generic **
get_guc_variables(void)
{
	not_in_fuzzer("get_guc_variables");
}

int
GetNumConfigOptions(void)
{
	not_in_fuzzer("GetNumConfigOptions");
}

/* the harnesses run no scan: pager.c's calls into request.c never happen */
int
rest_request_variables(RestScanRequest *req)
{
	not_in_fuzzer("rest_request_variables");
}

List *
rest_request_headers(RestScanRequest *req)
{
	not_in_fuzzer("rest_request_headers");
}

char *
rest_request_page(RestScanRequest *req, const RestPageVars *vars, char **body)
{
	not_in_fuzzer("rest_request_page");
}

/* template.c runs only on what jansson accepted, nested at most 2048 deep */
void
check_stack_depth(void)
{
}

/* ratelimit.c: the shared rate limit (http.c's transfers, never reached) */
bool
rest_ratelimit_reserve(RestConnOptions *opts, TimestampTz now,
					   TimestampTz *start)
{
	not_in_fuzzer("rest_ratelimit_reserve");
}

void
rest_ratelimit_report_delay(RestConnOptions *opts, int64 delay)
{
	not_in_fuzzer("rest_ratelimit_report_delay");
}

const char *
timestamptz_to_str(TimestampTz t)
{
	not_in_fuzzer("timestamptz_to_str");
}

/*
 * bitmapset.c, which is not in libpgcommon: the two functions the option
 * validator (retry_statuses) and http.c use, on the same layout.
 */
#define FUZZ_BMS_BITS	((int) (sizeof(bitmapword) * BITS_PER_BYTE))

Bitmapset *
bms_add_member(Bitmapset *a, int x)
{
	int			wordnum = x / FUZZ_BMS_BITS;

	if (x < 0)
		elog(ERROR, "negative bitmapset member not allowed");
	if (a == NULL || wordnum >= a->nwords)
	{
		int			nwords = wordnum + 1;
		Bitmapset  *b = palloc0(offsetof(Bitmapset, words) +
								nwords * sizeof(bitmapword));

#if PG_VERSION_NUM >= 160000
		b->type = T_Bitmapset;
#endif
		b->nwords = nwords;
		if (a != NULL)
		{
			memcpy(b->words, a->words, a->nwords * sizeof(bitmapword));
			pfree(a);
		}
		a = b;
	}
	a->words[wordnum] |= ((bitmapword) 1 << (x % FUZZ_BMS_BITS));
	return a;
}

bool
bms_is_member(int x, const Bitmapset *a)
{
	int			wordnum = x / FUZZ_BMS_BITS;

	if (x < 0)
		elog(ERROR, "negative bitmapset member not allowed");
	if (a == NULL || wordnum >= a->nwords)
		return false;
	return (a->words[wordnum] & ((bitmapword) 1 << (x % FUZZ_BMS_BITS))) != 0;
}

/*
 * xml.c: PostgreSQL's libxml2 error handling (utils/adt/xml.c), with the
 * same contract: pg_xml_init installs a structured error handler that
 * collects the errors libxml2 reports (all of them: PG_XML_STRICTNESS_ALL
 * is the only strictness xml.c asks for) and an external entity loader
 * that loads nothing; pg_xml_error_occurred says whether an error was
 * collected; xml_ereport reports it with the collected text as DETAIL;
 * pg_xml_done puts back what pg_xml_init replaced.  The contexts still
 * open and the entity loads tried are counted for the harnesses
 * (fuzz_xml_contexts, fuzz_xml_entity_loads): after an input, none may be
 * open, whether or not it ended in an ERROR.
 */
typedef struct PgXmlErrorContext
{
	uint64		magic;
	bool		err_occurred;
	StringInfoData err_buf;
	xmlStructuredErrorFunc saved_errfunc;
	void	   *saved_errcxt;
	xmlExternalEntityLoader saved_entityfunc;
} PgXmlErrorContext;

#define FUZZ_XML_MAGIC	UINT64CONST(0x786d6c6572726378)

extern PgXmlErrorContext *pg_xml_init(int strictness);
extern void pg_xml_done(PgXmlErrorContext *errcxt, bool isError);
extern bool pg_xml_error_occurred(PgXmlErrorContext *errcxt);
extern void xml_ereport(PgXmlErrorContext *errcxt, int level, int sqlcode,
						const char *msg);

static int	xml_contexts = 0;
static int	xml_entity_loads = 0;

int
fuzz_xml_contexts(void)
{
	return xml_contexts;
}

int
fuzz_xml_entity_loads(void)
{
	return xml_entity_loads;
}

static void
xml_error_handler(void *data, xmlErrorPtr error)
{
	PgXmlErrorContext *errcxt = (PgXmlErrorContext *) data;

	if (errcxt->magic != FUZZ_XML_MAGIC)
	{
		fprintf(stderr, "pg_stubs: libxml2 error handler called with a freed PgXmlErrorContext\n");
		abort();
	}
	/* the backend suppresses this one too */
	if ((error->domain == XML_FROM_PARSER || error->domain == XML_FROM_NONE ||
		 error->domain == XML_FROM_MEMORY || error->domain == XML_FROM_IO) &&
		error->code == XML_WAR_UNDECLARED_ENTITY)
		return;
	if (error->level < XML_ERR_ERROR)
		return;					/* the backend: a WARNING or NOTICE */
	if (errcxt->err_buf.len > 0)
		appendStringInfoChar(&errcxt->err_buf, '\n');
	if (error->line > 0)
		appendStringInfo(&errcxt->err_buf, "line %d: ", error->line);
	appendStringInfoString(&errcxt->err_buf,
						   error->message ? error->message : "(no message provided)");
	/* as the backend does: the line of the input around the error */
	if (error->ctxt != NULL && ((xmlParserCtxtPtr) error->ctxt)->input != NULL)
	{
		xmlGenericErrorFunc saved_func = xmlGenericError;
		void	   *saved_cxt = xmlGenericErrorContext;

		appendStringInfoChar(&errcxt->err_buf, '\n');
		xmlSetGenericErrorFunc(&errcxt->err_buf, (xmlGenericErrorFunc) appendStringInfo);
		xmlParserPrintFileContext(((xmlParserCtxtPtr) error->ctxt)->input);
		xmlSetGenericErrorFunc(saved_cxt, saved_func);
	}
	while (errcxt->err_buf.len > 0 &&
		   errcxt->err_buf.data[errcxt->err_buf.len - 1] == '\n')
		errcxt->err_buf.data[--errcxt->err_buf.len] = '\0';
	errcxt->err_occurred = true;
}

/* the backend's xmlPgEntityLoader: an empty string instead of anything */
static xmlParserInputPtr
xml_entity_loader(const char *URL, const char *ID, xmlParserCtxtPtr ctxt)
{
	xml_entity_loads++;
	return xmlNewStringInputStream(ctxt, (const xmlChar *) "");
}

PgXmlErrorContext *
pg_xml_init(int strictness)
{
	PgXmlErrorContext *errcxt = palloc0(sizeof(PgXmlErrorContext));

	xmlInitParser();
	errcxt->magic = FUZZ_XML_MAGIC;
	initStringInfo(&errcxt->err_buf);
	errcxt->saved_errfunc = xmlStructuredError;
	errcxt->saved_errcxt = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(errcxt, xml_error_handler);
	errcxt->saved_entityfunc = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(xml_entity_loader);
	xml_contexts++;
	return errcxt;
}

void
pg_xml_done(PgXmlErrorContext *errcxt, bool isError)
{
	if (errcxt->magic != FUZZ_XML_MAGIC)
	{
		fprintf(stderr, "pg_stubs: pg_xml_done() of a PgXmlErrorContext not open\n");
		abort();
	}
	xmlSetStructuredErrorFunc(errcxt->saved_errcxt, errcxt->saved_errfunc);
	xmlSetExternalEntityLoader(errcxt->saved_entityfunc);
	errcxt->magic = 0;
	pfree(errcxt->err_buf.data);
	pfree(errcxt);
	xml_contexts--;
}

bool
pg_xml_error_occurred(PgXmlErrorContext *errcxt)
{
	return errcxt->err_occurred;
}

void
xml_ereport(PgXmlErrorContext *errcxt, int level, int sqlcode, const char *msg)
{
	char	   *detail = NULL;

	errcxt->err_occurred = false;
	if (errcxt->err_buf.len > 0)
		detail = pstrdup(errcxt->err_buf.data);
	resetStringInfo(&errcxt->err_buf);
	ereport(level, (errcode(sqlcode), errmsg_internal("%s", msg),
					detail ? errdetail("%s", detail) : 0));
}

/*
 * migrate.c, #included by fuzz_connstr: what rest_fdw_import_connection
 * does after parsing (CREATE SERVER, CREATE USER MAPPING, the result's
 * tuplestore) is never reached; the harness has its own
 * tuplestore_putvalues for the rows map_properties reports.
 */
int			work_mem = 4096;

Tuplestorestate *
tuplestore_begin_heap(bool randomAccess, bool interXact, int maxKBytes)
{
	not_in_fuzzer("tuplestore_begin_heap");
}

ObjectAddress
CreateForeignServer(CreateForeignServerStmt *stmt)
{
	not_in_fuzzer("CreateForeignServer");
}

ObjectAddress
CreateUserMapping(CreateUserMappingStmt *stmt)
{
	not_in_fuzzer("CreateUserMapping");
}

void
CommandCounterIncrement(void)
{
	not_in_fuzzer("CommandCounterIncrement");
}

TypeFuncClass
get_call_result_type(FunctionCallInfo fcinfo, Oid *resultTypeId,
					 TupleDesc *resultTupleDesc)
{
	not_in_fuzzer("get_call_result_type");
}

TupleDesc
CreateTupleDescCopy(TupleDesc tupdesc)
{
	not_in_fuzzer("CreateTupleDescCopy");
}

char *
text_to_cstring(const text *t)
{
	not_in_fuzzer("text_to_cstring");
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	not_in_fuzzer("pg_detoast_datum_packed");
}
