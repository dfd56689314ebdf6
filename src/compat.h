/*-------------------------------------------------------------------------
 *
 * compat.h
 *		  Differences between the PostgreSQL versions rest_fdw supports
 *		  (13 to 18).
 *
 * Every test of PG_VERSION_NUM belongs here; the other files use the
 * macros and inline functions below.  rest_fdw.h includes this header.
 *
 * The look-up of a GUC variable's internal record (utils/guc_tables.h) is
 * only compiled in files that define REST_COMPAT_GUC_TABLES before
 * including rest_fdw.h, so the internals of the GUC machinery stay out of
 * the other files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef REST_COMPAT_H
#define REST_COMPAT_H

#include "postgres.h"

#include "utils/guc.h"

/* Semantic actions of common/jsonapi.h return an error code from PG 16 on */
#if PG_VERSION_NUM >= 160000
#define SEM_ACTION_RESULT JsonParseErrorType
#define SEM_ACTION_DONE return JSON_SUCCESS
#else
#define SEM_ACTION_RESULT void
#define SEM_ACTION_DONE return
#endif

/* The predefined role pg_read_server_files was renamed in PG 14 */
#if PG_VERSION_NUM < 140000
#define ROLE_PG_READ_SERVER_FILES DEFAULT_ROLE_READ_SERVER_FILES
#endif

/*
 * After defining its variables, reserve the prefix: from PG 15 on, setting
 * an unknown rest_fdw.* name is an error; before, only a warning.
 */
#if PG_VERSION_NUM >= 150000
#define rest_reserve_guc_prefix(prefix) MarkGUCPrefixReserved(prefix)
#else
#define rest_reserve_guc_prefix(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* A random number in [0, 1): pg_prng from PG 15 on */
#if PG_VERSION_NUM >= 150000
#include "common/pg_prng.h"
static inline double
rest_random_fraction(void)
{
	return pg_prng_double(&pg_global_prng_state);
}
#else
static inline double
rest_random_fraction(void)
{
	return (double) random() / ((double) 0x7FFFFFFF + 1.0);
}
#endif

#ifdef REST_COMPAT_GUC_TABLES
#include "utils/guc_tables.h"

/*
 * The record of a GUC variable, or of a placeholder for a custom one, by
 * name; NULL if there is none.  Never creates a placeholder.  PG 16 keeps
 * the variables in a hash table and exports find_option; before, they are
 * a sorted array (a linear search is enough for a look-up once per
 * backend).
 */
static inline struct config_generic *
rest_find_guc_record(const char *name)
{
#if PG_VERSION_NUM >= 160000
	return find_option(name, false, true, ERROR);
#else
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();
	int			i;

	for (i = 0; i < n; i++)
	{
		if (vars[i] != NULL && pg_strcasecmp(vars[i]->name, name) == 0)
			return vars[i];
	}
	return NULL;
#endif
}
#endif							/* REST_COMPAT_GUC_TABLES */

#endif							/* REST_COMPAT_H */
