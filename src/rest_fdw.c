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
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/sysattr.h"
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
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#define REST_COMPAT_EXPLAIN
#define REST_COMPAT_FDW_API
#include "rest_fdw.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(rest_fdw_handler);

/*
 * Indexes of the items of ForeignScan.fdw_private.  The plan holds no
 * secret and no URL, only what the executor cannot recompute; the pushed
 * values are in fdw_exprs.
 */
enum FdwScanPrivateIndex
{
	FdwScanPrivateRetrievedAttrs,	/* Integer list of attnums to fetch */
	FdwScanPrivatePushed,		/* pushed parameters (rest_pushed_to_list) */
	FdwScanPrivateBound,		/* Integer: rows needed at most, or -1 */
	FdwScanPrivateEndpoint		/* Integer: the endpoint alternative used */
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
	RestEndpoint *endpoint;		/* the alternative the plan uses */
	char	   *display_url;	/* of the endpoint, for EXPLAIN */

	RestColumn *cols;			/* the columns the query needs */
	int			ncols;
	List	   *virtual_cols;	/* attnums of needed virtual columns */
	Datum	   *virtual_values; /* by attnum - 1, for this (re)scan */
	bool	   *virtual_nulls;

	List	   *pushed;			/* RestPushedParam */
	List	   *param_exprs;	/* ExprState per fdw_exprs item */
	Bitmapset  *param_ids;		/* PARAM_EXEC ids the pushed values use */
	int64		bound;

	int			value_index;	/* of the per-value IN list: this request's */
	int			nvalues;		/* its non-NULL values (0: there is none) */

	bool		started;		/* pager set up for the current parameters */
	bool		no_rows;		/* a pushed value is NULL: nothing can match */
	RestPager	pager;
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
	rest_reserve_guc_prefix("rest_fdw");
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
	routine->ImportForeignSchema = restImportForeignSchema;

	PG_RETURN_POINTER(routine);
}

static RestPushedParam *
copy_pushed(RestPushedParam *pp)
{
	RestPushedParam *copy = palloc(sizeof(RestPushedParam));

	memcpy(copy, pp, sizeof(RestPushedParam));
	return copy;
}

/*
 * Pushable conditions of a list of RestrictInfos, as RestPushedParam, and
 * the RestrictInfos they came from in *rinfos.
 */
static List *
classify_rinfos(List *rinfos_in, RelOptInfo *baserel, RestPlanState *ps,
				List **pushed_rinfos)
{
	List	   *pushed = NIL;
	ListCell   *lc;

	*pushed_rinfos = NIL;
	foreach(lc, rinfos_in)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		RestPushedParam pp;
		Expr	   *value;

		if (rest_classify_clause(rinfo->clause, baserel->relid, ps->tupdesc,
								 ps->topts, &pp, &value))
		{
			pushed = lappend(pushed, copy_pushed(&pp));
			*pushed_rinfos = lappend(*pushed_rinfos, rinfo);
		}
	}
	return pushed;
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
	rest_check_placeholders(ps->topts->endpoint, ps->tupdesc,
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
	ps->base_pushed = classify_rinfos(baserel->baserestrictinfo, baserel, ps,
									  &pushed_rinfos);
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

/* generate_implied_equalities_for_column callback: our column attnum */
static bool
ec_member_is_column(PlannerInfo *root, RelOptInfo *rel,
					EquivalenceClass *ec, EquivalenceMember *em, void *arg)
{
	Expr	   *expr = em->em_expr;

	while (expr && IsA(expr, RelabelType))
		expr = ((RelabelType *) expr)->arg;
	return IsA(expr, Var) &&
		(Index) ((Var *) expr)->varno == rel->relid &&
		((Var *) expr)->varattno == *(AttrNumber *) arg &&
		((Var *) expr)->varlevelsup == 0;
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
	List	   *candidates = NIL;
	List	   *outer_sets = NIL;
	ListCell   *lc;
	int			i;

	estimate_costs(ps, ps->fetched_rows, &startup_cost, &total_cost);

	/* without a value for a placeholder, only a parameterized path works */
	add_path(baserel, (Path *)
			 rest_create_foreignscan_path(root, baserel, baserel->rows,
										  rest_choose_endpoint(ps->topts->endpoints,
															   ps->base_pushed) < 0,
										  startup_cost, total_cost,
										  baserel->lateral_relids));

	/* join clauses the API could apply: from equivalence classes ... */
	for (i = 1; i <= ps->tupdesc->natts; i++)
	{
		RestColumnOptions *col = &ps->topts->cols[i - 1];
		AttrNumber	attnum = i;

		if (TupleDescAttr(ps->tupdesc, i - 1)->attisdropped)
			continue;
		if (col->params[REST_OP_EQ] == NULL &&
			!rest_is_placeholder(ps->topts->endpoint,
								 NameStr(TupleDescAttr(ps->tupdesc, i - 1)->attname)))
			continue;
		candidates = list_concat(candidates,
								 generate_implied_equalities_for_column(root, baserel,
																		ec_member_is_column,
																		&attnum,
																		baserel->lateral_referencers));
	}
	/* ... and others */
	candidates = list_concat(candidates, list_copy(baserel->joininfo));

	foreach(lc, candidates)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		RestPushedParam pp;
		Expr	   *value;
		Relids		required_outer;
		ParamPathInfo *param_info;
		List	   *pushed;
		List	   *pushed_rinfos;
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

		param_info = get_baserel_parampathinfo(root, baserel, required_outer);
		pushed = list_concat(list_copy(ps->base_pushed),
							 classify_rinfos(param_info->ppi_clauses, baserel,
											 ps, &pushed_rinfos));
		if (rest_choose_endpoint(ps->topts->endpoints, pushed) < 0)
			continue;

		estimate_costs(ps, param_info->ppi_rows, &startup_cost, &total_cost);
		add_path(baserel, (Path *)
				 rest_create_foreignscan_path(root, baserel, param_info->ppi_rows,
											  false, startup_cost, total_cost,
											  required_outer));
	}
}

/*
 * Split the conditions: those the API applies become request parameters
 * (values in fdw_exprs), the others (and, unless the table is exact, the
 * pushed ones too) are checked locally.  A LIMIT is passed down when the
 * API applies every condition of a single-table query without ORDER BY.
 */
static ForeignScan *
restGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
				   Oid foreigntableid, ForeignPath *best_path,
				   List *tlist, List *scan_clauses, Plan *outer_plan)
{
	RestPlanState *ps = (RestPlanState *) baserel->fdw_private;
	List	   *retrieved_attrs = NIL;
	List	   *local_exprs = NIL;
	List	   *fdw_exprs = NIL;
	List	   *pushed = NIL;
	List	   *candidates = NIL;
	List	   *candidate_clauses = NIL;
	List	   *missing;
	RestEndpoint *endpoint;
	int			endpoint_index;
	bool		have_per_value = false;
	Bitmapset  *attrs_used = bms_copy(ps->attrs_used);
	int64		bound = -1;
	bool		whole_row;
	ListCell   *lc;
	ListCell   *lc2;
	int			i;

	/* the conditions the API could apply, and those it cannot */
	foreach(lc, scan_clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		RestPushedParam pp;
		Expr	   *value;
		bool		push = false;

		if (rinfo->pseudoconstant)
			continue;
		pull_varattnos((Node *) rinfo->clause, baserel->relid, &attrs_used);
		if (rest_classify_clause(rinfo->clause, baserel->relid, ps->tupdesc,
								 ps->topts, &pp, &value))
		{
			/* one value per parameter; further conditions stay local */
			push = true;
			foreach(lc2, candidates)
			{
				RestPushedParam *other = (RestPushedParam *) lfirst(lc2);

				if (strcmp(other->name, pp.name) == 0 &&
					other->placeholder == pp.placeholder &&
					(other->op == pp.op || pp.placeholder))
					push = false;
			}

			/*
			 * IN on a virtual column: one request per value, so that each
			 * row shows the value it was asked for; one such list per scan
			 * (a second would multiply the requests), others stay local.
			 */
			if (push && pp.is_in && ps->topts->cols[pp.attnum - 1].is_virtual)
			{
				if (have_per_value)
					push = false;
				pp.per_value = have_per_value = true;
			}
		}
		if (push)
		{
			pp.expr_index = list_length(fdw_exprs);
			fdw_exprs = lappend(fdw_exprs, value);
			candidates = lappend(candidates, copy_pushed(&pp));
			candidate_clauses = lappend(candidate_clauses, rinfo->clause);
		}
		else
			local_exprs = lappend(local_exprs, rinfo->clause);
	}

	/* the most specific endpoint whose placeholders have values */
	endpoint_index = rest_choose_endpoint(ps->topts->endpoints, candidates);
	if (endpoint_index < 0)
	{
		endpoint = (RestEndpoint *) llast(ps->topts->endpoints);
		missing = rest_missing_placeholders(endpoint->path, candidates);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("no value for the placeholder \"{%s}\" in the endpoint of foreign table \"%s\"",
						(char *) linitial(missing), get_rel_name(foreigntableid)),
				 errhint("Add a condition \"%s = ...\" to the query, or join on column \"%s\".",
						 (char *) linitial(missing), (char *) linitial(missing))));
	}
	endpoint = (RestEndpoint *) list_nth(ps->topts->endpoints, endpoint_index);

	/*
	 * A placeholder of another alternative becomes the column's query
	 * parameter if it has one, or is checked locally only.
	 */
	forboth(lc, candidates, lc2, candidate_clauses)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);
		RestColumnOptions *col = &ps->topts->cols[pp->attnum - 1];
		Expr	   *clause = (Expr *) lfirst(lc2);

		if (pp->placeholder && !rest_is_placeholder(endpoint->path, pp->name))
		{
			if (col->params[REST_OP_EQ] == NULL)
			{
				local_exprs = lappend(local_exprs, clause);
				continue;
			}
			pp->placeholder = false;
			pp->name = col->params[REST_OP_EQ];
			pp->in_comma = col->in_comma;
		}
		pushed = lappend(pushed, pp);
		if (rest_pushed_needs_recheck(pp, col,
									  TupleDescAttr(ps->tupdesc, pp->attnum - 1)->atttypid,
									  TupleDescAttr(ps->tupdesc, pp->attnum - 1)->atttypmod,
									  exprType(list_nth(fdw_exprs, pp->expr_index)),
									  ps->topts->exact))
			local_exprs = lappend(local_exprs, clause);
	}

	/* local conditions in the query's order, which EXPLAIN shows */
	{
		List	   *ordered = NIL;

		foreach(lc, scan_clauses)
		{
			Expr	   *clause = lfirst_node(RestrictInfo, lc)->clause;

			if (list_member_ptr(local_exprs, clause))
				ordered = lappend(ordered, clause);
		}
		local_exprs = ordered;
	}

	if (root->limit_tuples > 0 && local_exprs == NIL &&
		root->query_pathkeys == NIL && best_path->path.param_info == NULL &&
		bms_membership(root->all_baserels) == BMS_SINGLETON)
		bound = (int64) Min(root->limit_tuples, (double) PG_INT32_MAX);

	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber,
							  attrs_used);
	for (i = 1; i <= ps->tupdesc->natts; i++)
	{
		if (TupleDescAttr(ps->tupdesc, i - 1)->attisdropped)
			continue;
		if (whole_row ||
			bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs_used))
			retrieved_attrs = lappend_int(retrieved_attrs, i);
	}

	return make_foreignscan(tlist, local_exprs, baserel->relid,
							fdw_exprs,
							list_make4(retrieved_attrs,
									   rest_pushed_to_list(pushed),
									   makeInteger((int) bound),
									   makeInteger(endpoint_index)),
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

	userid = rest_scan_user(fsplan, estate);

	ft = GetForeignTable(RelationGetRelid(st->rel));
	st->table = rest_get_table_options(RelationGetRelid(st->rel), tupdesc);
	st->conn = rest_get_conn_options(ft->serverid, userid,
									 (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0);
	rest_require_base_url(st->conn);
	st->conn->headers = list_concat(st->conn->headers, st->table->headers);
	st->endpoint = list_nth(st->table->endpoints,
							intVal(list_nth(fsplan->fdw_private,
											FdwScanPrivateEndpoint)));
	st->display_url = rest_mask_url(rest_join_url(st->conn->base_url,
												  st->endpoint->path));

	retrieved_attrs = (List *) list_nth(fsplan->fdw_private,
										FdwScanPrivateRetrievedAttrs);
	st->pushed = rest_pushed_from_list((List *) list_nth(fsplan->fdw_private,
														 FdwScanPrivatePushed));
	st->bound = intVal(list_nth(fsplan->fdw_private, FdwScanPrivateBound));
	st->param_exprs = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	(void) exec_param_walker((Node *) fsplan->fdw_exprs, &st->param_ids);

	st->cols = palloc0(sizeof(RestColumn) * Max(list_length(retrieved_attrs), 1));
	st->virtual_values = palloc0(sizeof(Datum) * Max(tupdesc->natts, 1));
	st->virtual_nulls = palloc0(sizeof(bool) * Max(tupdesc->natts, 1));
	i = 0;
	foreach(lc, retrieved_attrs)
	{
		int			attnum = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);
		RestColumn *c;

		/* virtual columns are not in the response */
		if (st->table->cols[attnum - 1].is_virtual)
		{
			st->virtual_cols = lappend_int(st->virtual_cols, attnum);
			continue;
		}
		c = &st->cols[i++];

		c->attnum = attnum;
		c->name = pstrdup(NameStr(att->attname));
		c->json_path = st->table->cols[attnum - 1].json_path;
		c->typid = att->atttypid;
		c->typmod = att->atttypmod;
	}
	st->ncols = i;
	rest_prepare_columns(st->cols, st->ncols);

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

/* Does a pushed condition (not a placeholder) send query parameter name? */
static bool
param_pushed(List *pushed, const char *name)
{
	ListCell   *lc;

	foreach(lc, pushed)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

		if (!pp->placeholder && strcmp(pp->name, name) == 0)
			return true;
	}
	return false;
}

/*
 * The values of the pushed conditions for this (re)scan, and the first
 * page's URL with them.  A NULL value means no row can match: no request.
 */
static void
start_scan(ForeignScanState *node, RestScanState *st)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	StringInfoData endpoint;
	StringInfoData query;
	char	   *url;
	const char *ep = st->endpoint->path;
	char	  **placeholder_values;
	char	  **eq_values;
	TupleDesc	tupdesc = RelationGetDescr(st->rel);
	ListCell   *lc;
	ListCell   *lc2;
	int			i;
	MemoryContext oldcxt;

	MemoryContextReset(st->pager_cxt);
	oldcxt = MemoryContextSwitchTo(st->pager_cxt);
	st->started = true;
	st->no_rows = false;
	st->rows = NULL;
	st->next = 0;
	st->rowno = 0;

	placeholder_values = palloc0(sizeof(char *) * Max(list_length(st->pushed), 1));
	eq_values = palloc0(sizeof(char *) * Max(tupdesc->natts, 1));
	initStringInfo(&query);
	foreach(lc, st->pushed)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);
		ExprState  *es = (ExprState *) list_nth(st->param_exprs, pp->expr_index);
		Expr	   *expr = (Expr *) list_nth(fsplan->fdw_exprs, pp->expr_index);
		Oid			typid = exprType((Node *) expr);
		bool		isnull;
		Datum		value;

		value = ExecEvalExprSwitchContext(es, econtext, &isnull);
		if (isnull)
		{
			st->no_rows = true;
			break;
		}
		if (pp->op == REST_OP_EQ && !pp->is_in)
			eq_values[pp->attnum - 1] = rest_format_value(value, typid);
		if (pp->placeholder)
		{
			placeholder_values[foreach_current_index(lc)] =
				eq_values[pp->attnum - 1];
			continue;
		}
		if (pp->is_in)
		{
			ArrayType  *arr = DatumGetArrayTypeP(value);
			Oid			elemtype = ARR_ELEMTYPE(arr);
			int16		elemlen;
			bool		elembyval;
			char		elemalign;
			Datum	   *elems;
			bool	   *elemnulls;
			int			nelems;
			int			j;
			int			sent = 0;

			get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
			deconstruct_array(arr, elemtype, elemlen, elembyval, elemalign,
							  &elems, &elemnulls, &nelems);
			if (pp->per_value)
			{
				/* this request's value: the value_index-th that is not NULL */
				st->nvalues = 0;
				for (j = 0; j < nelems; j++)
				{
					if (elemnulls[j])
						continue;
					if (st->nvalues++ == st->value_index)
						eq_values[pp->attnum - 1] =
							rest_format_value(elems[j], elemtype);
				}
				if (st->nvalues == 0)
				{
					st->no_rows = true;
					break;
				}
				rest_append_query_param(&query, pp->name,
										eq_values[pp->attnum - 1]);
				continue;
			}
			for (j = 0; j < nelems; j++)
			{
				if (elemnulls[j])
					continue;
				if (sent == 0 || !pp->in_comma)
				{
					appendStringInfoChar(&query, query.len > 0 ? '&' : '?');
					rest_append_urlencoded(&query, pp->name);
					appendStringInfoChar(&query, '=');
				}
				else
					appendStringInfoChar(&query, ',');
				rest_append_urlencoded(&query, rest_format_value(elems[j], elemtype));
				sent++;
			}
			if (sent == 0)
			{
				st->no_rows = true;
				break;
			}
			continue;
		}
		rest_append_query_param(&query, pp->name, rest_format_value(value, typid));
	}

	if (st->no_rows)
	{
		MemoryContextSwitchTo(oldcxt);
		return;
	}

	/* parameters with a default value that no condition replaced */
	for (i = 0; i < tupdesc->natts; i++)
	{
		RestColumnOptions *col = &st->table->cols[i];

		if (col->param_default == NULL || col->params[REST_OP_EQ] == NULL ||
			param_pushed(st->pushed, col->params[REST_OP_EQ]))
			continue;
		rest_append_query_param(&query, col->params[REST_OP_EQ],
								col->param_default);
		if (eq_values[i] == NULL)
			eq_values[i] = col->param_default;
	}

	/* virtual columns: the value the request was made with */
	foreach(lc, st->virtual_cols)
	{
		int			att = lfirst_int(lc) - 1;
		Form_pg_attribute attr = TupleDescAttr(tupdesc, att);
		char	   *text = eq_values[att];
		const char *param = st->table->cols[att].params[REST_OP_EQ];

		/* its parameter sent for another column's condition: that value */
		if (text == NULL && param != NULL)
		{
			foreach(lc2, st->pushed)
			{
				RestPushedParam *pp = (RestPushedParam *) lfirst(lc2);

				if (!pp->placeholder && pp->op == REST_OP_EQ &&
					(!pp->is_in || pp->per_value) &&
					strcmp(pp->name, param) == 0)
					text = eq_values[pp->attnum - 1];
			}
		}
		if (text == NULL && param == NULL)
			text = st->table->cols[att].param_default;
		else if (text == NULL && !param_pushed(st->pushed, param))
		{
			/* the default sent for the parameter, whichever column has it */
			for (i = 0; i < tupdesc->natts && text == NULL; i++)
			{
				RestColumnOptions *other = &st->table->cols[i];

				if (other->params[REST_OP_EQ] != NULL &&
					strcmp(other->params[REST_OP_EQ], param) == 0)
					text = other->param_default;
			}
		}
		st->virtual_nulls[att] = (text == NULL);
		if (text != NULL)
		{
			Oid			infunc;
			Oid			ioparam;

			getTypeInputInfo(attr->atttypid, &infunc, &ioparam);
			st->virtual_values[att] = OidInputFunctionCall(infunc, text, ioparam,
														   attr->atttypmod);
		}
	}

	/* the endpoint with its placeholders filled, each value one segment */
	initStringInfo(&endpoint);
	while (*ep)
	{
		const char *close;

		if (*ep == '{' && (close = strchr(ep, '}')) != NULL)
		{
			char	   *name = pnstrdup(ep + 1, close - ep - 1);

			foreach(lc, st->pushed)
			{
				RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

				if (pp->placeholder && strcmp(pp->name, name) == 0)
				{
					const char *v = placeholder_values[foreach_current_index(lc)];

					/*
					 * Every other character is percent-encoded, so a value
					 * stays inside its segment; "." and ".." would still
					 * be resolved as a step up, and "" would merge two.
					 */
					if (v[0] == '\0' || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
						ereport(ERROR,
								(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
								 errmsg("value \"%s\" of column \"%s\" cannot fill the endpoint placeholder of foreign table \"%s\"",
										v, name, st->relname),
								 errdetail("An empty value, \".\" and \"..\" would change the structure of the request's path.")));
					rest_append_urlencoded(&endpoint, v);
					break;
				}
			}
			ep = close + 1;
		}
		else
			appendStringInfoChar(&endpoint, *ep++);
	}

	url = rest_join_url(st->conn->base_url, endpoint.data);
	/* query is "?a=1&b=2": after the endpoint's own query string, if any */
	if (query.len > 0)
		url = psprintf("%s%c%s", url, strchr(url, '?') ? '&' : '?', query.data + 1);

	rest_pager_init(&st->pager, st->conn, &st->table->paging, url, st->bound,
					&st->stats, st->relname);
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
	if (st->pager.done)
		return false;

	MemoryContextReset(st->page_cxt);
	st->rows = NULL;
	st->next = 0;

	oldcxt = MemoryContextSwitchTo(st->pager_cxt);
	if (!rest_pager_next(&st->pager, &resp))
	{
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	MemoryContextSwitchTo(st->page_cxt);
	st->rows = rest_parse_rows(resp->body, resp->body_len, st->endpoint->rows_path,
							   st->pager.meta_paths, REST_NMETA,
							   st->cols, st->ncols, st->pager.display_url,
							   resp->secrets);
	MemoryContextSwitchTo(st->pager_cxt);
	rest_pager_advance(&st->pager, st->rows, resp);
	MemoryContextSwitchTo(oldcxt);
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
		st->value_index = 0;
		st->nvalues = 0;
		start_scan(node, st);
	}
	if (st->no_rows)
		return slot;

	while (st->rows == NULL || st->next >= rest_rowset_count(st->rows))
	{
		if (fetch_page(st))
			continue;
		/* the next value of an IN list on a virtual column */
		if (st->value_index + 1 >= st->nvalues)
			return slot;
		rest_pager_end(&st->pager);
		st->value_index++;
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
	foreach(lc, st->virtual_cols)
	{
		int			att = lfirst_int(lc) - 1;

		slot->tts_values[att] = st->virtual_values[att];
		slot->tts_isnull[att] = st->virtual_nulls[att];
	}
	MemoryContextSwitchTo(oldcxt);
	st->next++;

	/* let prefetched pages arrive while rows are returned */
	if (st->pager.ninflight > 0 && (st->next & 63) == 0)
		rest_pager_poll(&st->pager);

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
		st->no_rows || !st->pager.done || st->pager.pages > 1 ||
		st->nvalues > 1)
	{
		st->started = false;
		st->rows = NULL;
		return;
	}
	st->next = 0;
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
		rest_pager_end(&st->pager);
}

static const char *const op_names[] = {"=", "<", "<=", ">", ">=", "<>"};

static void
restExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	RestScanState *st = (RestScanState *) node->fdw_state;
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	RestPaging *pg = &st->table->paging;
	char	   *url = rest_auth_display_url(st->conn, st->display_url);

	ExplainPropertyText("Request", psprintf("GET %s", url), es);

	if (st->pushed != NIL)
	{
		StringInfoData buf;
		ListCell   *lc;

		initStringInfo(&buf);
		foreach(lc, st->pushed)
		{
			RestPushedParam *pp = (RestPushedParam *) lfirst(lc);
			Node	   *expr = list_nth(fsplan->fdw_exprs, pp->expr_index);
			char	   *value = deparse_expression(expr, es->deparse_cxt,
												   false, false);

			if (buf.len > 0)
				appendStringInfoString(&buf, ", ");
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
	/* param_default values sent because no condition replaced them */
	{
		StringInfoData buf;
		int			i;

		initStringInfo(&buf);
		for (i = 0; i < st->table->natts; i++)
		{
			RestColumnOptions *col = &st->table->cols[i];

			if (col->param_default == NULL || col->params[REST_OP_EQ] == NULL)
				continue;
			/* masked like the same parameter in a URL */
			if (!param_pushed(st->pushed, col->params[REST_OP_EQ]))
				appendStringInfo(&buf, "%s%s=%s", buf.len > 0 ? ", " : "",
								 col->params[REST_OP_EQ],
								 rest_is_secret_param(col->params[REST_OP_EQ],
													  strlen(col->params[REST_OP_EQ]))
								 ? "***" : col->param_default);
		}
		if (buf.len > 0)
			ExplainPropertyText("Default Parameters", buf.data, es);
	}
	if (st->endpoint->rows_path)
		ExplainPropertyText("Rows Path", st->endpoint->rows_path, es);
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
	ExplainPropertyText("Authentication",
						rest_auth_method_name(st->conn->auth_method), es);

	if (es->analyze)
	{
		ExplainPropertyInteger("Requests", NULL, st->stats.requests, es);
		ExplainPropertyInteger("Pages", NULL, st->stats.pages, es);
		ExplainPropertyInteger("Token Requests", NULL,
							   st->stats.token_requests, es);
		ExplainPropertyInteger("Retries", NULL, st->stats.retries, es);
		ExplainPropertyInteger("Bytes Received", NULL, st->stats.bytes, es);
	}
}

/* IMPORT FOREIGN SCHEMA: the work is in import.c */
static List *
restImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	return rest_import_foreign_schema(stmt, serverOid);
}
