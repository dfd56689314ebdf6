/*-------------------------------------------------------------------------
 *
 * compat.h
 *		  Differences between the PostgreSQL versions rest_fdw supports
 *		  (13 to 18).
 *
 * Every test of PG_VERSION_NUM belongs here; the other files use the
 * macros and inline functions below.  rest_fdw.h includes this header.
 *
 * Five parts are compiled only in the files that ask for them, by
 * defining the name before including rest_fdw.h, so that their headers stay
 * out of the other files: REST_COMPAT_JSON (PostgreSQL's JSON lexer, for
 * the row and sample parsers), REST_COMPAT_FDW_API (planner and executor
 * calls of the FDW callbacks and the pushdown code), REST_COMPAT_EXPLAIN
 * (the EXPLAIN callback's headers), REST_COMPAT_GUC_TABLES (the look-up
 * of a GUC variable's internal record in utils/guc_tables.h, for the
 * network policy) and REST_COMPAT_SHMEM (the shared memory of the rate
 * limits).
 *
 *-------------------------------------------------------------------------
 */
#ifndef REST_COMPAT_H
#define REST_COMPAT_H

#include "postgres.h"

#include "utils/guc.h"

/*
 * A function that does not return: PG 18 marks it with pg_noreturn before
 * the declaration (C11 _Noreturn) and dropped pg_attribute_noreturn(), which
 * came after it.  GCC and clang take the attribute in front as well.
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
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

/*
 * Memory for what a GUC check hook hands to its assign hook ("extra"): the
 * GUC machinery frees it with guc_free (a pfree) from PG 16 on, with free()
 * before.  NULL when out of memory.
 */
#if PG_VERSION_NUM >= 160000
#define rest_guc_malloc(size) guc_malloc(LOG, (size))
#else
#define rest_guc_malloc(size) malloc(size)
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

/*
 * PG 15 has pg_strtoint64; before, int8in parses the same text.  PG 16 gave
 * float8in_internal a soft-error context.
 */
#if PG_VERSION_NUM >= 150000
#define rest_strtoint64(str) pg_strtoint64(str)
#else
#define rest_strtoint64(str) \
	DatumGetInt64(DirectFunctionCall1(int8in, CStringGetDatum(str)))
#endif
#if PG_VERSION_NUM >= 160000
#define rest_float8in(str) \
	float8in_internal((str), NULL, "double precision", (str), NULL)
#else
#define rest_float8in(str) \
	float8in_internal((str), NULL, "double precision", (str))
#endif

#ifdef REST_COMPAT_JSON
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

/* Semantic actions of common/jsonapi.h return an error code from PG 16 on */
#if PG_VERSION_NUM >= 160000
#define SEM_ACTION_RESULT JsonParseErrorType
#define SEM_ACTION_DONE return JSON_SUCCESS
#else
#define SEM_ACTION_RESULT void
#define SEM_ACTION_DONE return
#endif

/*
 * A JSON lexer over len bytes of text in the database encoding,
 * de-escaping strings or not; PG 17 changed the signature and added
 * freeJsonLexContext for lexers it allocated.
 */
static inline JsonLexContext *
rest_make_json_lexer(const char *text, size_t len, bool need_escapes)
{
#if PG_VERSION_NUM >= 170000
	return makeJsonLexContextCstringLen(NULL, text, len,
										GetDatabaseEncoding(), need_escapes);
#else
	return makeJsonLexContextCstringLen((char *) text, (int) len,
										GetDatabaseEncoding(), need_escapes);
#endif
}

static inline void
rest_free_json_lexer(JsonLexContext *lex)
{
#if PG_VERSION_NUM >= 170000
	freeJsonLexContext(lex);
#else
	if (lex->strval)
	{
		pfree(lex->strval->data);
		pfree(lex->strval);
	}
	pfree(lex);
#endif
}
#endif							/* REST_COMPAT_JSON */

#ifdef REST_COMPAT_FDW_API
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "parser/parsetree.h"

/* pull_varnos takes the PlannerInfo from PG 14 on (NULL is allowed) */
#if PG_VERSION_NUM >= 140000
#define rest_pull_varnos(node) pull_varnos(NULL, (node))
#else
#define rest_pull_varnos(node) pull_varnos(node)
#endif

/*
 * A foreign scan path with the default target, no pathkeys, no outer plan
 * and no private data.  A disabled path (one that cannot run, such as an
 * endpoint whose placeholder has no value) counts as a disabled node from
 * PG 18 on, and costs disable_cost before; PG 17 added fdw_restrictinfo.
 */
static inline ForeignPath *
rest_create_foreignscan_path(PlannerInfo *root, RelOptInfo *rel, double rows,
							 bool disabled, Cost startup_cost, Cost total_cost,
							 Relids required_outer)
{
#if PG_VERSION_NUM >= 180000
	return create_foreignscan_path(root, rel, NULL, rows, disabled ? 1 : 0,
								   startup_cost, total_cost, NIL,
								   required_outer, NULL, NIL, NIL);
#elif PG_VERSION_NUM >= 170000
	return create_foreignscan_path(root, rel, NULL, rows, startup_cost,
								   total_cost + (disabled ? disable_cost : 0),
								   NIL, required_outer, NULL, NIL, NIL);
#else
	return create_foreignscan_path(root, rel, NULL, rows, startup_cost,
								   total_cost + (disabled ? disable_cost : 0),
								   NIL, required_outer, NULL, NIL);
#endif
}

/* The role a foreign scan runs as: the plan carries it from PG 16 on */
static inline Oid
rest_scan_user(ForeignScan *fsplan, EState *estate)
{
#if PG_VERSION_NUM >= 160000
	Oid			userid = fsplan->checkAsUser;
#else
	Oid			userid = exec_rt_fetch(fsplan->scan.scanrelid, estate)->checkAsUser;
#endif

	return OidIsValid(userid) ? userid : GetUserId();
}

/* The role an INSERT into a foreign table runs as (postgres_fdw's choice) */
static inline Oid
rest_modify_user(ResultRelInfo *rinfo, EState *estate)
{
#if PG_VERSION_NUM >= 160000
	Oid			userid = ExecGetResultRelCheckAsUser(rinfo, estate);
#else
	Oid			userid = exec_rt_fetch(rinfo->ri_RangeTableIndex, estate)->checkAsUser;
#endif

	return OidIsValid(userid) ? userid : GetUserId();
}
#endif							/* REST_COMPAT_FDW_API */

#ifdef REST_COMPAT_EXPLAIN
/*
 * PG 18 moved ExplainState to commands/explain_state.h and the
 * ExplainProperty functions to commands/explain_format.h.
 */
#include "commands/explain.h"
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"
#include "commands/explain_state.h"
#endif
#endif							/* REST_COMPAT_EXPLAIN */

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

#ifdef REST_COMPAT_SHMEM
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#if PG_VERSION_NUM >= 170000
#include "storage/dsm_registry.h"
#endif

/*
 * One fixed-size shared memory area of the extension (ratelimit.c), made
 * and initialised once for the cluster by init.  PG 17 has the DSM
 * registry, which makes it on first use without shared_preload_libraries.
 * Before, an area exists only when the library is preloaded: it is asked
 * for from the shmem_request_hook from PG 15 on, in _PG_init before, and
 * made in the shmem_startup_hook; rest_shmem_attach then returns NULL in a
 * server that did not preload the library.
 */
#define REST_SHMEM_NEEDS_PRELOAD (PG_VERSION_NUM < 170000)

static const char *rest_shmem_name;
static Size rest_shmem_size;
static void (*rest_shmem_init) (void *ptr);
static void *rest_shmem_ptr;

#if PG_VERSION_NUM < 170000
static shmem_startup_hook_type rest_prev_shmem_startup_hook = NULL;

static void
rest_shmem_startup(void)
{
	bool		found;

	if (rest_prev_shmem_startup_hook)
		rest_prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	rest_shmem_ptr = ShmemInitStruct(rest_shmem_name, rest_shmem_size, &found);
	if (!found)
		rest_shmem_init(rest_shmem_ptr);
	LWLockRelease(AddinShmemInitLock);
}

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type rest_prev_shmem_request_hook = NULL;

static void
rest_shmem_request(void)
{
	if (rest_prev_shmem_request_hook)
		rest_prev_shmem_request_hook();
	RequestAddinShmemSpace(rest_shmem_size);
}
#endif
#endif

/* Declare the area; called from _PG_init. */
static inline void
rest_shmem_define(const char *name, Size size, void (*init) (void *ptr))
{
	rest_shmem_name = name;
	rest_shmem_size = size;
	rest_shmem_init = init;
#if PG_VERSION_NUM < 170000
	if (!process_shared_preload_libraries_in_progress)
		return;
#if PG_VERSION_NUM >= 150000
	rest_prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = rest_shmem_request;
#else
	RequestAddinShmemSpace(size);
#endif
	rest_prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = rest_shmem_startup;
#endif
}

/* The area, or NULL when it needs shared_preload_libraries and has none */
static inline void *
rest_shmem_attach(void)
{
#if PG_VERSION_NUM >= 170000
	if (rest_shmem_ptr == NULL)
	{
		bool		found;

		rest_shmem_ptr = GetNamedDSMSegment(rest_shmem_name, rest_shmem_size,
											rest_shmem_init, &found);
	}
#endif
	return rest_shmem_ptr;
}
#endif							/* REST_COMPAT_SHMEM */

/*
 * USAGE on a foreign server (login.c): PG 16 replaced the per-kind ACL
 * check functions with object_aclcheck().  Include utils/acl.h and
 * catalog/pg_foreign_server.h first.
 */
#if PG_VERSION_NUM >= 160000
#define rest_foreign_server_aclcheck(srvid, roleid, mode) \
	object_aclcheck(ForeignServerRelationId, (srvid), (roleid), (mode))
#else
#define rest_foreign_server_aclcheck(srvid, roleid, mode) \
	pg_foreign_server_aclcheck((srvid), (roleid), (mode))
#endif

#endif							/* REST_COMPAT_H */
