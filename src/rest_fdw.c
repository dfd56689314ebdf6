/*-------------------------------------------------------------------------
 *
 * rest_fdw.c
 *		  Foreign data wrapper for REST/JSON APIs: handler, planner and
 *		  executor callbacks, EXPLAIN.
 *
 * The callbacks stay thin, as contrib/postgres_fdw's do: which conditions
 * become request parameters and which endpoint alternative a scan uses is
 * decided in pushdown.c, the request's URL is built from the pushed values
 * in request.c, pages are fetched by pager.c and parsed into rows by
 * rows.c.  A scan fetches as the checking user (credentials are looked up
 * at execution time and never enter the plan), keeps only the columns the
 * query needs, and converts one row per call of IterateForeignScan.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#define REST_COMPAT_EXPLAIN
#define REST_COMPAT_FDW_API
#include "rest_fdw.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(rest_fdw_handler);

/*
 * Indexes of the items of ForeignScan.fdw_private, built by
 * restGetForeignPlan and read by restBeginForeignScan.  The plan holds no
 * secret and no URL, only what the executor cannot recompute; the pushed
 * values are in fdw_exprs (RestPushedParam.expr_index).
 */
enum FdwScanPrivateIndex
{
	FdwScanPrivateRetrievedAttrs,	/* Integer list of attnums to fetch */
	FdwScanPrivatePushed,		/* pushed parameters (rest_pushed_to_list) */
	FdwScanPrivateBound,		/* Integer: rows needed at most, or -1
								 * (rest_pushdown_bound) */
	FdwScanPrivateEndpoint		/* Integer: the endpoint alternative used
								 * (RestPushdown.endpoint_index) */
};

/* Planner state of a base relation */
typedef struct RestPlanState
{
	Bitmapset  *attrs_used;
	RestTableOptions *topts;
	TupleDesc	tupdesc;
	double		base_rows;		/* rows of the whole endpoint */
	double		fetched_rows;	/* rows the API returns after pushed conditions */
	List	   *base_pushed;	/* RestPushedParam of baserestrictinfo */
} RestPlanState;

/* Executor state of a scan */
typedef struct RestScanState
{
	Relation	rel;
	char	   *relname;
	RestConnOptions *conn;
	RestTableOptions *table;
	char	   *display_url;	/* of the endpoint, for EXPLAIN */
	RestScanRequest req;		/* the endpoint, pushed values, virtual
								 * columns (request.c) */

	RestColumn *cols;			/* the columns the response gives */
	int			ncols;
	int			nparsed;		/* ncols, and the cursor_row_path column */
	Bitmapset  *param_ids;		/* PARAM_EXEC ids the pushed values use */
	List	   *notnull_attrs;	/* retrieved columns declared NOT NULL */
	int64		bound;

	bool		started;		/* pager set up for the current parameters */
	bool		no_rows;		/* a pushed value is NULL: nothing can match */
	RestPager  *pager;			/* in pager_cxt; NULL when no_rows */
	RestRowSet *rows;			/* the current page, or NULL */
	int64		next;			/* index of the next row to return */
	int64		rowno;			/* rows returned so far, for messages */

	MemoryContext pager_cxt;	/* paging state and pages in flight; reset
								 * per scan */
	MemoryContext page_cxt;		/* the parsed page; reset per page */
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
static List *restImportForeignSchema(ImportForeignSchemaStmt *stmt,
									 Oid serverOid);

void
_PG_init(void)
{
	rest_net_define_guc();
	rest_cache_init();
	rest_reserve_guc_prefix("rest_fdw");
	rest_http_init();
	rest_ratelimit_init();
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
	routine->ImportForeignSchema = restImportForeignSchema;
	/* writes (modify.c) */
	routine->IsForeignRelUpdatable = rest_modify_updatable;
	routine->PlanForeignModify = rest_modify_plan;
	routine->BeginForeignModify = rest_modify_begin;
	routine->ExecForeignInsert = rest_modify_insert;
	routine->EndForeignModify = rest_modify_end;
	routine->BeginForeignInsert = rest_modify_begin_insert;
	routine->AddForeignUpdateTargets = rest_modify_add_targets;
	routine->ExecForeignUpdate = rest_modify_update;
	routine->ExecForeignDelete = rest_modify_delete;
	routine->GetForeignModifyBatchSize = rest_modify_batch_size;
	routine->ExecForeignBatchInsert = rest_modify_batch_insert;
	routine->EndForeignInsert = rest_modify_end;
	routine->ExplainForeignModify = rest_modify_explain;

	PG_RETURN_POINTER(routine);
}

/* The pushed parameters of a rest_fdw ForeignScan's plan (modify.c) */
List *
rest_scan_pushed(ForeignScan *fsplan)
{
	return rest_pushed_from_list((List *) list_nth(fsplan->fdw_private,
												   FdwScanPrivatePushed));
}

/*
 * Rows, the columns the query uses, and which of its conditions the API
 * can apply.
 */
static void
restGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
					  Oid foreigntableid)
{
	RestPlanState *ps = palloc0(sizeof(RestPlanState));
	Relation	rel;
	List	   *pushed_rinfos;
	ListCell   *lc;

	rel = table_open(foreigntableid, NoLock);
	ps->tupdesc = CreateTupleDescCopy(RelationGetDescr(rel));
	ps->topts = rest_get_table_options(foreigntableid, ps->tupdesc);
	rest_check_placeholders(ps->topts, ps->tupdesc,
							RelationGetRelationName(rel));
	table_close(rel, NoLock);

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid,
				   &ps->attrs_used);
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		pull_varattnos((Node *) rinfo->clause, baserel->relid,
					   &ps->attrs_used);
	}
	baserel->fdw_private = ps;

	ps->base_rows = ps->topts->rows >= 0 ? ps->topts->rows : REST_DEFAULT_ROWS;
	ps->base_pushed = rest_pushable_clauses(baserel->baserestrictinfo,
											baserel->relid, ps->tupdesc,
											ps->topts, &pushed_rinfos);
	ps->fetched_rows = clamp_row_est(ps->base_rows *
									 clauselist_selectivity(root, pushed_rinfos,
															baserel->relid,
															JOIN_INNER, NULL));
	baserel->tuples = ps->base_rows;
	baserel->rows = clamp_row_est(ps->base_rows *
								  clauselist_selectivity(root,
														 baserel->baserestrictinfo,
														 0, JOIN_INNER, NULL));
}

/*
 * Cost of fetching rows_fetched rows: one request_cost per request (pages
 * of page_size rows) plus the conversion of each row.
 */
static void
estimate_costs(RestPlanState *ps, double rows_fetched, Cost *startup,
			   Cost *total)
{
	RestPaging *pg = &ps->topts->paging;
	double		requests = 1;

	if (pg->style != REST_PAGING_NONE)
	{
		double		page = pg->page_size > 0 ? pg->page_size : 100;

		requests = Max(1.0, ceil(rows_fetched / page));
	}
	*startup = ps->topts->request_cost;
	*total = ps->topts->request_cost * requests +
		rows_fetched * cpu_tuple_cost * 10;
}

/*
 * A path parameterized by required_outer, if the API can apply its join
 * clauses and the endpoint finds values for its placeholders.
 */
static void
add_parameterized_path(PlannerInfo *root, RelOptInfo *baserel,
					   RestPlanState *ps, Relids required_outer)
{
	ParamPathInfo *param_info = get_baserel_parampathinfo(root, baserel,
														  required_outer);
	List	   *pushed;
	List	   *pushed_rinfos;
	Cost		startup_cost;
	Cost		total_cost;

	pushed = list_concat(list_copy(ps->base_pushed),
						 rest_pushable_clauses(param_info->ppi_clauses,
											   baserel->relid, ps->tupdesc,
											   ps->topts, &pushed_rinfos));
	if (rest_choose_endpoint(ps->topts, ps->tupdesc, pushed) < 0)
		return;

	estimate_costs(ps, param_info->ppi_rows, &startup_cost, &total_cost);
	add_path(baserel, (Path *)
			 rest_create_foreignscan_path(root, baserel, param_info->ppi_rows,
										  false, startup_cost, total_cost,
										  required_outer));
}

/*
 * An unparameterized path, and parameterized paths for joins whose
 * conditions the API can apply: "o.customer_id = c.id" can then run as a
 * nested loop that requests only each customer's orders.
 */
static void
restGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					Oid foreigntableid)
{
	RestPlanState *ps = (RestPlanState *) baserel->fdw_private;
	Cost		startup_cost;
	Cost		total_cost;
	List	   *outer_sets = NIL;
	ListCell   *lc;

	estimate_costs(ps, ps->fetched_rows, &startup_cost, &total_cost);

	/*
	 * Without a value for a placeholder, only a parameterized path works;
	 * nor should an UPDATE or DELETE read every row (modify.c) when a
	 * join can give it the keys.
	 */
	add_path(baserel, (Path *)
			 rest_create_foreignscan_path(root, baserel, baserel->rows,
										  rest_choose_endpoint(ps->topts, ps->tupdesc,
															   ps->base_pushed) < 0 ||
										  rest_modify_reads_all(root, baserel, ps->topts,
																ps->base_pushed),
										  startup_cost, total_cost,
										  baserel->lateral_relids));

	/* one path per set of outer relations of a join clause the API applies */
	foreach(lc, rest_join_clauses(root, baserel, ps->tupdesc, ps->topts))
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		RestPushedParam pp;
		Expr	   *value;
		Relids		required_outer;
		ListCell   *lc2;
		bool		dup = false;

		if (!rest_classify_clause(rinfo->clause, baserel->relid, ps->tupdesc,
								  ps->topts, &pp, &value))
			continue;
		required_outer = bms_union(bms_difference(rinfo->clause_relids,
												  baserel->relids),
								   baserel->lateral_relids);
		if (bms_is_empty(required_outer) ||
			bms_overlap(required_outer, baserel->relids))
			continue;
		foreach(lc2, outer_sets)
		{
			if (bms_equal((Relids) lfirst(lc2), required_outer))
				dup = true;
		}
		if (dup)
			continue;
		outer_sets = lappend(outer_sets, required_outer);
		add_parameterized_path(root, baserel, ps, required_outer);
	}
}

/*
 * The conditions the API applies become request parameters (values in
 * fdw_exprs), the others (and, unless the table is exact, the pushed ones
 * too) are checked locally; the policy is pushdown.c's.  The plan keeps
 * what the executor cannot recompute, in fdw_private (FdwScanPrivateIndex).
 */
static ForeignScan *
restGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
				   Oid foreigntableid, ForeignPath *best_path,
				   List *tlist, List *scan_clauses, Plan *outer_plan)
{
	RestPlanState *ps = (RestPlanState *) baserel->fdw_private;
	RestPushdown pd;
	List	   *retrieved_attrs;
	int64		bound;

	rest_split_conditions(scan_clauses, baserel->relid, ps->tupdesc,
						  ps->topts, foreigntableid, &pd);
	bound = rest_pushdown_bound(root, best_path, pd.local_exprs, ps->topts);
	retrieved_attrs = rest_retrieved_attrs(ps->tupdesc, baserel->relid,
										   ps->attrs_used, scan_clauses);

	return make_foreignscan(tlist, pd.local_exprs, baserel->relid,
							pd.fdw_exprs,
							list_make4(retrieved_attrs,
									   rest_pushed_to_list(pd.pushed),
									   makeInteger((int) bound),
									   makeInteger(pd.endpoint_index)),
							NIL,	/* no custom tlist */
							NIL,	/* no remote quals */
							outer_plan);
}

/* Collect the ids of the PARAM_EXEC Params in an expression tree. */
static bool
exec_param_walker(Node *node, Bitmapset **ids)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
		*ids = bms_add_member(*ids, ((Param *) node)->paramid);
	return expression_tree_walker(node, exec_param_walker, (void *) ids);
}

/*
 * The columns a scan returns (retrieved_attrs): those the response gives,
 * with their conversions, and the virtual ones, whose values come from the
 * request (request.c).
 */
static void
setup_columns(RestScanState *st, TupleDesc tupdesc, List *retrieved_attrs)
{
	ListCell   *lc;
	int			i = 0;

	st->cols = palloc0(sizeof(RestColumn) * (list_length(retrieved_attrs) + 1));
	st->req.virtual_values = palloc0(sizeof(Datum) * Max(tupdesc->natts, 1));
	st->req.virtual_nulls = palloc0(sizeof(bool) * Max(tupdesc->natts, 1));
	foreach(lc, retrieved_attrs)
	{
		int			attnum = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);
		RestColumn *c;

		/* nothing makes a foreign table's NOT NULL true but a check */
		if (att->attnotnull)
			st->notnull_attrs = lappend_int(st->notnull_attrs, attnum);

		/* virtual columns are not in the response */
		if (st->table->cols[attnum - 1].is_virtual)
		{
			st->req.virtual_cols = lappend_int(st->req.virtual_cols, attnum);
			continue;
		}
		c = &st->cols[i++];

		c->attnum = attnum;
		c->name = pstrdup(NameStr(att->attname));
		c->json_path = st->table->cols[attnum - 1].json_path;
		c->typid = att->atttypid;
		c->typmod = att->atttypmod;
		c->format = st->table->cols[attnum - 1].format;
		c->empty_as_null = rest_empty_as_null(st->table, attnum, c->typid);
	}
	st->ncols = i;
	st->nparsed = i;

	/* the pager reads the next cursor from the last row: a column of its own */
	if (st->table->paging.style == REST_PAGING_CURSOR &&
		st->table->paging.cursor_row_path)
	{
		RestColumn *c = &st->cols[st->nparsed++];

		c->attnum = InvalidAttrNumber;
		c->name = OPT_CURSOR_ROW_PATH;
		c->json_path = st->table->paging.cursor_row_path;
		c->typid = TEXTOID;
		c->typmod = -1;
	}
	rest_prepare_columns(st->cols, st->nparsed);
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
	RestScanRequest *req = &st->req;
	TupleDesc	tupdesc;
	ForeignTable *ft;
	Oid			userid;

	node->fdw_state = st;
	st->rel = node->ss.ss_currentRelation;
	st->relname = pstrdup(RelationGetRelationName(st->rel));
	tupdesc = RelationGetDescr(st->rel);

	userid = rest_scan_user(fsplan, estate);

	ft = GetForeignTable(RelationGetRelid(st->rel));
	st->table = rest_get_table_options(RelationGetRelid(st->rel), tupdesc);
	st->conn = rest_get_conn_options(ft->serverid, userid,
									 (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0);
	rest_require_base_url(st->conn);
	st->conn->headers = list_concat(st->conn->headers, st->table->headers);

	req->base_url = st->conn->base_url;
	req->endpoint = list_nth(st->table->endpoints,
							 intVal(list_nth(fsplan->fdw_private,
											 FdwScanPrivateEndpoint)));
	req->table = st->table;
	req->tupdesc = tupdesc;
	req->relname = st->relname;
	req->pushed = rest_pushed_from_list((List *) list_nth(fsplan->fdw_private,
														  FdwScanPrivatePushed));
	req->value_exprs = fsplan->fdw_exprs;
	req->value_states = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	(void) exec_param_walker((Node *) fsplan->fdw_exprs, &st->param_ids);
	st->display_url = rest_mask_url(rest_join_url(st->conn->base_url,
												  req->endpoint->path));
	st->bound = intVal(list_nth(fsplan->fdw_private, FdwScanPrivateBound));

	setup_columns(st, tupdesc,
				  (List *) list_nth(fsplan->fdw_private,
									FdwScanPrivateRetrievedAttrs));
	rest_request_fields(req, (List *) list_nth(fsplan->fdw_private,
											   FdwScanPrivateRetrievedAttrs));

	st->pager_cxt = AllocSetContextCreate(estate->es_query_cxt,
										  "rest_fdw pager",
										  ALLOCSET_SMALL_SIZES);
	st->page_cxt = AllocSetContextCreate(estate->es_query_cxt,
										 "rest_fdw page",
										 ALLOCSET_DEFAULT_SIZES);
	st->row_cxt = AllocSetContextCreate(estate->es_query_cxt,
										"rest_fdw row",
										ALLOCSET_SMALL_SIZES);
}

/*
 * Start (again) with the values of the pushed conditions of this (re)scan
 * (request.c) and a new pager.  A NULL value means no row can match: no
 * request.
 */
static void
start_scan(ForeignScanState *node, RestScanState *st)
{
	MemoryContext oldcxt;

	MemoryContextReset(st->pager_cxt);
	st->pager = NULL;
	oldcxt = MemoryContextSwitchTo(st->pager_cxt);
	st->started = true;
	st->no_rows = false;
	st->rows = NULL;
	st->next = 0;
	st->rowno = 0;

	if (!rest_request_start(&st->req, node->ss.ps.ps_ExprContext))
		st->no_rows = true;
	else
	{
		st->pager = rest_pager_create(st->conn, &st->table->paging, &st->req,
									  st->bound, &st->stats, st->relname);
		if (st->nparsed > st->ncols)
			rest_pager_set_cursor_column(st->pager, st->ncols);
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Fetch and parse the next page.  Returns false when there is none.  The
 * pager then requests the pages after it, which arrive while this page's
 * rows are returned.
 */
static bool
fetch_page(RestScanState *st)
{
	RestHttpResponse *resp;
	MemoryContext oldcxt;

	/* keep the last page: a rescan may return it again */
	if (rest_pager_done(st->pager))
		return false;

	MemoryContextReset(st->page_cxt);
	st->rows = NULL;
	st->next = 0;

	oldcxt = MemoryContextSwitchTo(st->pager_cxt);
	if (!rest_pager_next(st->pager, &resp))
	{
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	MemoryContextSwitchTo(st->page_cxt);
	st->rows = rest_parse_rows(resp->body, resp->body_len,
							   st->req.endpoint->rows_path,
							   st->table->rows_path_optional,
							   rest_pager_meta_paths(st->pager), REST_NMETA,
							   st->cols, st->nparsed,
							   rest_pager_display_method(st->pager),
							   rest_pager_display_url(st->pager),
							   resp->secrets);
	MemoryContextSwitchTo(st->pager_cxt);
	rest_pager_advance(st->pager, st->rows, resp);
	MemoryContextSwitchTo(oldcxt);
	/* header_row: the first row of the first page holds column names */
	if (st->table->header_row && rest_pager_pages(st->pager) == 1)
		st->next = 1;
	return true;
}

static TupleTableSlot *
restIterateForeignScan(ForeignScanState *node)
{
	RestScanState *st = (RestScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	MemoryContext oldcxt;
	ListCell   *lc;

	ExecClearTuple(slot);
	if (!st->started)
	{
		st->req.value_index = 0;
		st->req.nvalues = 0;
		start_scan(node, st);
	}
	if (st->no_rows)
		return slot;

	while (st->rows == NULL || st->next >= rest_rowset_count(st->rows))
	{
		if (fetch_page(st))
			continue;
		/* the next value of an IN list on a virtual column */
		if (st->req.value_index + 1 >= st->req.nvalues)
			return slot;
		rest_pager_end(st->pager);
		st->req.value_index++;
		start_scan(node, st);
		if (st->no_rows)
			return slot;
	}

	MemoryContextReset(st->row_cxt);
	oldcxt = MemoryContextSwitchTo(st->row_cxt);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	st->rowno++;
	rest_rowset_store(st->rows, st->next, st->cols, st->ncols,
					  slot->tts_values, slot->tts_isnull, st->rowno,
					  st->relname);
	foreach(lc, st->req.virtual_cols)
	{
		int			att = lfirst_int(lc) - 1;

		slot->tts_values[att] = st->req.virtual_values[att];
		slot->tts_isnull[att] = st->req.virtual_nulls[att];
	}
	foreach(lc, st->notnull_attrs)
	{
		int			att = lfirst_int(lc) - 1;

		if (slot->tts_isnull[att])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("column \"%s\" of foreign table \"%s\" is declared NOT NULL, but row " INT64_FORMAT " has no value for it",
							NameStr(TupleDescAttr(slot->tts_tupleDescriptor, att)->attname),
							st->relname, st->rowno),
					 errhint("Drop the constraint if the API may leave the value out: ALTER FOREIGN TABLE %s ALTER COLUMN %s DROP NOT NULL.",
							 quote_identifier(st->relname),
							 quote_identifier(NameStr(TupleDescAttr(slot->tts_tupleDescriptor, att)->attname)))));
	}
	MemoryContextSwitchTo(oldcxt);
	st->next++;

	/* let prefetched pages arrive while rows are returned */
	if ((st->next & 63) == 0)
		rest_pager_poll(st->pager);

	return ExecStoreVirtualTuple(slot);
}

/*
 * New values of pushed parameters (a nested loop's next outer row) mean
 * new requests; parameters of local conditions do not.
 * Otherwise a result that fit in one page is returned again without a
 * request; longer ones are fetched again, as memory holds one page only.
 */
static void
restReScanForeignScan(ForeignScanState *node)
{
	RestScanState *st = (RestScanState *) node->fdw_state;

	if (bms_overlap(node->ss.ps.chgParam, st->param_ids) || !st->started ||
		st->no_rows || !rest_pager_done(st->pager) ||
		rest_pager_pages(st->pager) > 1 ||
		st->req.nvalues > 1)
	{
		st->started = false;
		st->rows = NULL;
		return;
	}
	st->next = st->table->header_row ? 1 : 0;
	st->rowno = 0;
}

static void
restEndForeignScan(ForeignScanState *node)
{
	RestScanState *st = (RestScanState *) node->fdw_state;

	/*
	 * Abort requests still in flight (pages the query did not need) now;
	 * memory contexts go with the query, handles stay cached.
	 */
	if (st != NULL && st->started && !st->no_rows)
		rest_pager_end(st->pager);
}

static const char *const op_names[] = {"=", "<", "<=", ">", ">=", "<>", "contains"};

static void
restExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	RestScanState *st = (RestScanState *) node->fdw_state;
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	RestPaging *pg = &st->table->paging;
	char	   *url = rest_auth_display_url(st->conn, st->display_url);

	ExplainPropertyText("Request",
						psprintf("%s %s", st->table->method == REST_METHOD_POST
								 ? "POST" : "GET", url), es);
	if (st->table->body)
		ExplainPropertyText("Request Body",
							rest_shorten(st->table->body,
										 strlen(st->table->body), 300), es);

	if (st->req.pushed != NIL)
	{
		StringInfoData buf;
		ListCell   *lc;

		initStringInfo(&buf);
		foreach(lc, st->req.pushed)
		{
			RestPushedParam *pp = (RestPushedParam *) lfirst(lc);
			Node	   *expr = list_nth(fsplan->fdw_exprs, pp->expr_index);
			char	   *value = deparse_expression(expr, es->deparse_cxt,
												   false, false);

			if (buf.len > 0)
				appendStringInfoString(&buf, ", ");
			if (!pp->placeholder && st->table->cols[pp->attnum - 1].param_header)
				appendStringInfoString(&buf, "header ");
			if (pp->placeholder)
				appendStringInfo(&buf, "{%s}=%s", pp->name, value);
			else if (pp->per_value)
				appendStringInfo(&buf, "%s IN %s (one request per value)",
								 pp->name, value);
			else if (pp->is_in)
				appendStringInfo(&buf, "%s IN %s%s", pp->name, value,
								 pp->in_comma ? " (comma-joined)" : "");
			else
				appendStringInfo(&buf, "%s=%s (%s)", pp->name, value,
								 op_names[pp->op]);
		}
		ExplainPropertyText("Pushed Parameters", buf.data, es);
	}
	if (st->req.fields)
		ExplainPropertyText("Fields Parameter",
							psprintf("%s=%s", st->table->fields_param,
									 st->req.fields), es);
	/* param_default values sent because no condition replaced them */
	{
		StringInfoData buf;
		int			i;

		initStringInfo(&buf);
		for (i = 0; i < st->table->natts; i++)
		{
			RestColumnOptions *col = &st->table->cols[i];
			const char *param = rest_default_param(col);

			if (col->param_default != NULL && param == NULL)
			{
				/* a placeholder's default, when no condition fills it */
				const char *name = NameStr(TupleDescAttr(st->req.tupdesc, i)->attname);
				bool		pushed = false;
				ListCell   *lc;

				foreach(lc, st->req.pushed)
				{
					RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

					pushed = pushed || (pp->placeholder && strcmp(pp->name, name) == 0);
				}
				if (!pushed &&
					(strstr(st->req.endpoint->path, psprintf("{%s}", name)) ||
					 rest_body_uses(st->table->body_template, name)))
					appendStringInfo(&buf, "%s{%s}=%s", buf.len > 0 ? ", " : "",
									 name, col->param_default);
				continue;
			}
			if (col->param_default == NULL || param == NULL)
				continue;
			/* masked like the same parameter in a URL */
			if (!rest_param_pushed(st->req.pushed, param))
				appendStringInfo(&buf, "%s%s%s=%s", buf.len > 0 ? ", " : "",
								 col->param_header ? "header " : "", param,
								 rest_is_secret_param(param, strlen(param))
								 ? "***" : col->param_default);
		}
		if (buf.len > 0)
			ExplainPropertyText("Default Parameters", buf.data, es);
	}
	if (st->req.endpoint->rows_path)
		ExplainPropertyText("Rows Path", st->req.endpoint->rows_path, es);
	if (pg->style != REST_PAGING_NONE)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfoString(&buf, rest_paging_name(pg->style));
		if (pg->page_size > 0)
			appendStringInfo(&buf, ", page size %d", pg->page_size);
		appendStringInfo(&buf, ", at most %d pages", pg->max_pages);
		if (pg->fetch_concurrency > 1 &&
			(pg->style == REST_PAGING_OFFSET || pg->style == REST_PAGING_PAGE))
			appendStringInfo(&buf, ", %d requests at a time",
							 pg->fetch_concurrency);
		else if (pg->fetch_concurrency > 1)
			appendStringInfoString(&buf, ", next page prefetched");
		ExplainPropertyText("Paging", buf.data, es);
	}
	if (st->bound > 0)
		ExplainPropertyInteger("Rows Needed", NULL, st->bound, es);
	if (pg->cache_ttl > 0)
		ExplainPropertyInteger("Cache TTL", "s", pg->cache_ttl, es);
	ExplainPropertyText("Authentication",
						rest_auth_method_name(st->conn->auth_method), es);
	if (st->conn->rate_limit.per_second > 0)
		ExplainPropertyText("Rate Limit",
							rest_rate_limit_text(&st->conn->rate_limit), es);
	/* the transport settings of the server; never a secret */
	if (st->conn->proxy)
		ExplainPropertyText("Proxy", st->conn->no_proxy
							? psprintf("%s (not for: %s)", st->conn->proxy,
									   st->conn->no_proxy)
							: st->conn->proxy, es);
	if (!st->conn->ssl_verify)
		ExplainPropertyText("TLS Verification", "off", es);
	if (st->conn->ssl_min_version != REST_TLS_DEFAULT)
		ExplainPropertyText("TLS Minimum Version",
							st->conn->ssl_min_version == REST_TLS_1_3
							? "1.3" : "1.2", es);
	if (st->conn->ssl_cert_file)
		ExplainPropertyText("TLS Client Certificate", st->conn->ssl_cert_file, es);

	if (es->analyze)
	{
		ExplainPropertyInteger("Requests", NULL, st->stats.requests, es);
		ExplainPropertyInteger("Requests Without Rows", NULL,
							   st->stats.requests_without_rows, es);
		ExplainPropertyInteger("Pages", NULL, st->stats.pages, es);
		ExplainPropertyInteger("Token Requests", NULL,
							   st->stats.token_requests, es);
		ExplainPropertyInteger("Retries", NULL, st->stats.retries, es);
		ExplainPropertyInteger("Bytes Received", NULL, st->stats.bytes, es);
		if (pg->cache_ttl > 0)
		{
			ExplainPropertyInteger("Cache Hits", NULL, st->stats.cache_hits, es);
			ExplainPropertyInteger("Cache Revalidated", NULL,
								   st->stats.cache_revalidated, es);
		}
		if (st->stats.rate_wait > 0)
			ExplainPropertyFloat("Rate Limit Wait", "s", st->stats.rate_wait,
								 3, es);
	}
}

/* IMPORT FOREIGN SCHEMA: the work is in import.c */
static List *
restImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	return rest_import_foreign_schema(stmt, serverOid);
}
