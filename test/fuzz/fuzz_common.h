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
extern int	fuzz_verbose(void);	/* FUZZ_VERBOSE=1: print every ereport */

/* A palloc'd, NUL-terminated copy of the input (server data always is). */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char	   *s = palloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
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

#endif							/* FUZZ_COMMON_H */
