/*-------------------------------------------------------------------------
 *
 * rest_fdw.c
 *		  Foreign data wrapper for REST/JSON APIs: handler, planner and
 *		  executor callbacks, EXPLAIN.
 *
 * A scan resolves the table's endpoint against the server's base_url,
 * fetches the response as the checking user (credentials are looked up at
 * execution time and never enter the plan), parses it into rows keeping
 * only the columns the query needs, and converts one row per call of
 * IterateForeignScan.  All quals are checked locally.
 *
 *-------------------------------------------------------------------------
 */
#include "rest_fdw.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(rest_fdw_handler);

/* Default planner estimates until the rows and cost options exist */
#define DEFAULT_ROWS			1000
#define DEFAULT_REQUEST_COST	100.0

/*
 * Indexes of the items of ForeignScan.fdw_private: the plan holds no
 * secret and no URL, only what the executor cannot recompute.
 */
enum FdwScanPrivateIndex
{
	FdwScanPrivateRetrievedAttrs	/* Integer list of attnums to fetch */
};

/* Planner state of a base relation */
typedef struct RestPlanState
{
	Bitmapset  *attrs_used;
} RestPlanState;

/* Executor state of a scan */
typedef struct RestScanState
{
	Relation	rel;
	char	   *relname;
	RestConnOptions *conn;
	RestTableOptions *table;
	char	   *url;			/* request URL, without credentials */
	char	   *display_url;	/* for EXPLAIN and messages */

	RestColumn *cols;			/* the columns the query needs */
	int			ncols;

	bool		fetched;
	RestRowSet *rows;
	int64		next;			/* index of the next row to return */
	int64		rowno;			/* rows returned so far, for messages */

	MemoryContext page_cxt;		/* the parsed page; reset per page */
	MemoryContext fetch_cxt;	/* the raw response; reset after parsing */
	MemoryContext row_cxt;		/* one row's Datums; reset per row */

	RestScanStats stats;
} RestScanState;

void		_PG_init(void);

static void restGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
								  Oid foreigntableid);
static void restGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
								Oid foreigntableid);
static ForeignScan *restGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
									   Oid foreigntableid, ForeignPath *best_path,
									   List *tlist, List *scan_clauses,
									   Plan *outer_plan);
static void restBeginForeignScan(ForeignScanState *node, int eflags);
static TupleTableSlot *restIterateForeignScan(ForeignScanState *node);
static void restReScanForeignScan(ForeignScanState *node);
static void restEndForeignScan(ForeignScanState *node);
static void restExplainForeignScan(ForeignScanState *node, ExplainState *es);

void
_PG_init(void)
{
	rest_http_init();
}

Datum
rest_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = restGetForeignRelSize;
	routine->GetForeignPaths = restGetForeignPaths;
	routine->GetForeignPlan = restGetForeignPlan;
	routine->BeginForeignScan = restBeginForeignScan;
	routine->IterateForeignScan = restIterateForeignScan;
	routine->ReScanForeignScan = restReScanForeignScan;
	routine->EndForeignScan = restEndForeignScan;
	routine->ExplainForeignScan = restExplainForeignScan;

	PG_RETURN_POINTER(routine);
}

/*
 * Note which columns the query uses, so that only those are extracted from
 * the responses.
 */
static void
restGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	RestPlanState *ps = palloc0(sizeof(RestPlanState));
	ListCell   *lc;

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid,
				   &ps->attrs_used);
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		pull_varattnos((Node *) rinfo->clause, baserel->relid,
					   &ps->attrs_used);
	}
	baserel->fdw_private = ps;

	baserel->rows = clamp_row_est(DEFAULT_ROWS *
								  clauselist_selectivity(root,
														 baserel->baserestrictinfo,
														 0, JOIN_INNER, NULL));
	baserel->tuples = DEFAULT_ROWS;
}

static void
restGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					Oid foreigntableid)
{
	Cost		startup_cost = DEFAULT_REQUEST_COST;
	Cost		total_cost = startup_cost + DEFAULT_ROWS * cpu_tuple_cost * 10;

	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel,
									 NULL,	/* default pathtarget */
									 baserel->rows,
									 startup_cost,
									 total_cost,
									 NIL,	/* no pathkeys */
									 baserel->lateral_relids,
									 NULL,	/* no extra plan */
#if PG_VERSION_NUM >= 170000
									 NIL,	/* no fdw_restrictinfo */
#endif
									 NIL));
}

static ForeignScan *
restGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
				   Oid foreigntableid, ForeignPath *best_path,
				   List *tlist, List *scan_clauses, Plan *outer_plan)
{
	RestPlanState *ps = (RestPlanState *) baserel->fdw_private;
	List	   *retrieved_attrs = NIL;
	Relation	rel;
	TupleDesc	tupdesc;
	bool		whole_row;
	int			i;

	/* every qual is checked locally */
	scan_clauses = extract_actual_clauses(scan_clauses, false);

	rel = table_open(foreigntableid, NoLock);
	tupdesc = RelationGetDescr(rel);
	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber,
							  ps->attrs_used);
	for (i = 1; i <= tupdesc->natts; i++)
	{
		if (TupleDescAttr(tupdesc, i - 1)->attisdropped)
			continue;
		if (whole_row ||
			bms_is_member(i - FirstLowInvalidHeapAttributeNumber,
						  ps->attrs_used))
			retrieved_attrs = lappend_int(retrieved_attrs, i);
	}
	table_close(rel, NoLock);

	return make_foreignscan(tlist, scan_clauses, baserel->relid,
							NIL,	/* no expressions to evaluate */
							list_make1(retrieved_attrs),
							NIL,	/* no custom tlist */
							NIL,	/* no remote quals */
							outer_plan);
}

/*
 * Resolve options, credentials and column conversions.  With
 * EXEC_FLAG_EXPLAIN_ONLY nothing is fetched and no credentials are read.
 */
static void
restBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	RestScanState *st = palloc0(sizeof(RestScanState));
	TupleDesc	tupdesc;
	ForeignTable *ft;
	List	   *retrieved_attrs;
	ListCell   *lc;
	Oid			userid;
	int			i;

	node->fdw_state = st;
	st->rel = node->ss.ss_currentRelation;
	st->relname = pstrdup(RelationGetRelationName(st->rel));
	tupdesc = RelationGetDescr(st->rel);

#if PG_VERSION_NUM >= 160000
	userid = OidIsValid(fsplan->checkAsUser) ? fsplan->checkAsUser : GetUserId();
#else
	{
		RangeTblEntry *rte = exec_rt_fetch(fsplan->scan.scanrelid, estate);

		userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	}
#endif

	ft = GetForeignTable(RelationGetRelid(st->rel));
	st->table = rest_get_table_options(RelationGetRelid(st->rel), tupdesc);
	st->conn = rest_get_conn_options(ft->serverid, userid,
									 (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0);
	rest_require_base_url(st->conn);
	st->url = rest_join_url(st->conn->base_url, st->table->endpoint);
	st->display_url = rest_mask_url(st->url);

	retrieved_attrs = (List *) list_nth(fsplan->fdw_private,
										FdwScanPrivateRetrievedAttrs);
	st->ncols = list_length(retrieved_attrs);
	st->cols = palloc0(sizeof(RestColumn) * Max(st->ncols, 1));
	i = 0;
	foreach(lc, retrieved_attrs)
	{
		int			attnum = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);
		RestColumn *c = &st->cols[i++];

		c->attnum = attnum;
		c->name = pstrdup(NameStr(att->attname));
		c->json_path = st->table->json_paths[attnum - 1];
		c->typid = att->atttypid;
		c->typmod = att->atttypmod;
	}
	rest_prepare_columns(st->cols, st->ncols);

	st->page_cxt = AllocSetContextCreate(estate->es_query_cxt,
										 "rest_fdw page",
										 ALLOCSET_DEFAULT_SIZES);
	st->fetch_cxt = AllocSetContextCreate(estate->es_query_cxt,
										  "rest_fdw response",
										  ALLOCSET_DEFAULT_SIZES);
	st->row_cxt = AllocSetContextCreate(estate->es_query_cxt,
										"rest_fdw row",
										ALLOCSET_SMALL_SIZES);
}

/* Fetch and parse the endpoint's response. */
static void
fetch_page(RestScanState *st)
{
	RestHttpResponse resp;
	MemoryContext oldcxt;

	MemoryContextReset(st->page_cxt);
	MemoryContextReset(st->fetch_cxt);

	oldcxt = MemoryContextSwitchTo(st->fetch_cxt);
	rest_fetch(st->conn, st->url, &resp, &st->stats);

	/* parsed values are copies: the raw body can go right after */
	MemoryContextSwitchTo(st->page_cxt);
	st->rows = rest_parse_rows(resp.body, resp.body_len, st->table->rows_path,
							   st->cols, st->ncols, st->display_url);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(st->fetch_cxt);

	st->fetched = true;
	st->next = 0;
}

static TupleTableSlot *
restIterateForeignScan(ForeignScanState *node)
{
	RestScanState *st = (RestScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	MemoryContext oldcxt;

	if (!st->fetched)
		fetch_page(st);

	ExecClearTuple(slot);
	if (st->next >= rest_rowset_count(st->rows))
		return slot;

	MemoryContextReset(st->row_cxt);
	oldcxt = MemoryContextSwitchTo(st->row_cxt);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	st->rowno++;
	rest_rowset_store(st->rows, st->next, st->cols, st->ncols,
					  slot->tts_values, slot->tts_isnull, st->rowno,
					  st->relname);
	MemoryContextSwitchTo(oldcxt);
	st->next++;

	return ExecStoreVirtualTuple(slot);
}

/*
 * Without parameters a rescan returns the rows already fetched: the same
 * rows, and no second request.
 */
static void
restReScanForeignScan(ForeignScanState *node)
{
	RestScanState *st = (RestScanState *) node->fdw_state;

	st->next = 0;
	st->rowno = 0;
}

static void
restEndForeignScan(ForeignScanState *node)
{
	/* memory contexts go with the query; handles stay cached */
}

static void
restExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	RestScanState *st = (RestScanState *) node->fdw_state;
	char	   *url = st->display_url;

	if (st->conn->auth_method == REST_AUTH_URL_PARAMETER)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "%s%c", url, strchr(url, '?') ? '&' : '?');
		rest_append_urlencoded(&buf, st->conn->auth_param);
		appendStringInfoString(&buf, "=***");
		url = buf.data;
	}
	ExplainPropertyText("Request", psprintf("GET %s", url), es);
	if (st->table->rows_path)
		ExplainPropertyText("Rows Path", st->table->rows_path, es);
	ExplainPropertyText("Authentication",
						rest_auth_method_name(st->conn->auth_method), es);

	if (es->analyze)
	{
		ExplainPropertyInteger("Requests", NULL, st->stats.requests, es);
		ExplainPropertyInteger("Token Requests", NULL,
							   st->stats.token_requests, es);
		ExplainPropertyInteger("Bytes Received", NULL, st->stats.bytes, es);
	}
}
