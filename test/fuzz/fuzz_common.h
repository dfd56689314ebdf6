/*
 * fuzz_common.h
 *		Shared by the libFuzzer harnesses of test/fuzz and pg_stubs.c.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* in pg_stubs.c */
extern void fuzz_reset(void);	/* reset callbacks, free the arena, no error */
extern size_t fuzz_arena_chunks(void);
extern int	fuzz_reset_callbacks(void);	/* registered, not yet run */
extern int	fuzz_open_files(void);	/* AllocateFile'd, not yet freed */
extern void fuzz_print_error(void);	/* the one caught, in PG_CATCH */
extern int	fuzz_verbose(void);	/* FUZZ_VERBOSE=1: print every ereport */
extern int	fuzz_xml_contexts(void);	/* pg_xml_init'ed, not yet done */
extern int	fuzz_xml_entity_loads(void);	/* external entities libxml2 asked for */

/* One ereport, as errfinish has it: valid until the next fuzz_reset() */
typedef struct FuzzReport
{
	int			elevel;
	int			sqlerrcode;
	const char *message;
	const char *detail;			/* NULL if none */
	const char *hint;
	const char *context;
} FuzzReport;

typedef void (*fuzz_report_hook_type) (const FuzzReport *report);
extern fuzz_report_hook_type fuzz_report_hook;	/* NULL: none */

/* A palloc'd, NUL-terminated copy of the input (server data always is). */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char	   *s = palloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The deepest nesting of arrays and objects in JSON text, as a recursive
 * parser would descend (brackets inside strings do not count).  The
 * frontend build of common/jsonapi.c in libpgcommon.a recurses once or
 * twice per level and, unlike the backend build, never calls
 * check_stack_depth(), so the harnesses skip inputs nested deeper than
 * FUZZ_MAX_NESTING (the backend would stop them with "stack depth limit
 * exceeded").
 */
#define FUZZ_MAX_NESTING 2000

static inline int
fuzz_json_nesting(const uint8_t *p, size_t n)
{
	int			depth = 0;
	int			max = 0;
	int			in_string = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint8_t		c = p[i];

		if (in_string)
		{
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		}
		else if (c == '"')
			in_string = 1;
		else if (c == '[' || c == '{')
		{
			if (++depth > max)
				max = depth;
		}
		else if ((c == ']' || c == '}') && depth > 0)
			depth--;
	}
	return max;
}

/* An invariant of the code under test does not hold: a crash for libFuzzer. */
#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "fuzz check failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/*
 * Run one input through fn(data, size) inside PG_TRY: an ERROR is the
 * expected "reported error" outcome.  Then free everything the input
 * allocated.  Returns libFuzzer's verdict: 0, or -1 to keep the input out
 * of the corpus.
 */
#define FUZZ_RUN_ONE(fn, data, size) \
	do { \
		volatile int _verdict = 0; \
		PG_TRY(); \
		{ \
			_verdict = fn((data), (size)); \
		} \
		PG_CATCH(); \
		{ \
			FlushErrorState(); \
		} \
		PG_END_TRY(); \
		fuzz_reset(); \
		return _verdict; \
	} while (0)

/* No report's message, detail or hint may show secret */
static inline void
fuzz_check_report_secret(const FuzzReport *r, const char *secret)
{
	const char *texts[3] = {r->message, r->detail, r->hint};
	int			i;

	for (i = 0; i < 3; i++)
		FUZZ_CHECK(texts[i] == NULL || strstr(texts[i], secret) == NULL,
				   "the secret in a report: %s", texts[i]);
}

#endif							/* FUZZ_COMMON_H */
