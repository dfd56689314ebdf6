/*-------------------------------------------------------------------------
 *
 * pushdown.c
 *		  The planner's side of a request: which conditions become
 *		  request parameters or fill endpoint placeholders, which endpoint
 *		  alternative a scan uses, the LIMIT passed down and the columns
 *		  fetched.
 *
 * A condition "column OP value" becomes a query parameter when the column
 * has a parameter option for OP (param for =, param_lt, param_le,
 * param_gt, param_ge, param_ne), and "column IN (...)" / "column = ANY
 * (array)" when it has param (repeated, or comma-joined with in_style
 * 'comma').  An endpoint like /customers/{customer_id}/orders takes the
 * value of an equality condition on customer_id.  The value may be a
 * constant, a parameter of a prepared statement, or an expression over
 * other tables (a join: the scan is then parameterized and rescanned per
 * outer row); it must not refer to the foreign table itself nor be
 * volatile.  Values are computed by the executor from fdw_exprs, which
 * fills them into the request (request.c).
 *
 * An endpoint may list alternatives, most specific first
 * ("/customers/{customer_id}/orders | /orders"); the planner uses the first
 * whose placeholders the pushed equalities fill (rest_choose_endpoint).
 *
 * Pushed conditions are still checked locally unless the table is declared
 * exact, so an API that ignores or loosely applies a parameter never makes
 * the query return wrong rows.  A virtual column's value is the one its
 * request was made with, so a condition on it needs no local check only
 * when it fixes that value: an equality or a placeholder, and an IN list,
 * which becomes one request per value (needs_recheck).
 *
 * rest_split_conditions makes these decisions for GetForeignPlan;
 * rest_pushable_clauses and rest_join_clauses give GetForeignRelSize and
 * GetForeignPaths the same answers for their estimates and parameterized
 * paths.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#define REST_COMPAT_FDW_API
#include "rest_fdw.h"

/* Map a built-in comparison operator's name to a push operator */
static bool
operator_kind(Oid opno, RestPushOp *op)
{
	char	   *name;

	/* only built-in operators have a meaning we know */
	if (opno >= FirstNormalObjectId)
		return false;
	name = get_opname(opno);
	if (name == NULL)
		return false;
	if (strcmp(name, "=") == 0)
		*op = REST_OP_EQ;
	else if (strcmp(name, "<") == 0)
		*op = REST_OP_LT;
	else if (strcmp(name, "<=") == 0)
		*op = REST_OP_LE;
	else if (strcmp(name, ">") == 0)
		*op = REST_OP_GT;
	else if (strcmp(name, ">=") == 0)
		*op = REST_OP_GE;
	else if (strcmp(name, "<>") == 0)
		*op = REST_OP_NE;
	else
		return false;
	return true;
}

/*
 * The text of a LIKE pattern that asks for values containing it: a text
 * constant '%text%' whose text holds no wildcard (an escaped \\% or \\_
 * is the character), with its escapes removed; NULL for any other
 * pattern.  "col LIKE '%ab_c%'" or "col LIKE 'ab%'" are no "contains".
 */
static char *
contains_text(Node *pattern)
{
	Const	   *c;
	char	   *p;
	size_t		len;
	StringInfoData found;
	size_t		i;

	if (pattern == NULL || !IsA(pattern, Const))
		return NULL;
	c = (Const *) pattern;
	if (c->constisnull || c->consttype != TEXTOID)
		return NULL;
	p = TextDatumGetCString(c->constvalue);
	len = strlen(p);
	if (len < 3 || p[0] != '%' || p[len - 1] != '%')
		return NULL;
	initStringInfo(&found);
	for (i = 1; i < len - 1; i++)
	{
		if (p[i] == '%' || p[i] == '_')
			return NULL;
		if (p[i] == '\\')
		{
			/* the next character as it is; in '%ab\\%' no % ends the pattern */
			if (++i == len - 1)
				return NULL;
		}
		appendStringInfoChar(&found, p[i]);
	}
	return found.len > 0 ? found.data : NULL;
}

/*
 * Is this the built-in LIKE of text (textlike, "~~"), whose column side
 * may be a varchar relabelled?  ILIKE is not: an API whose search is case
 * sensitive would miss rows ILIKE keeps.  LIKE is checked again by
 * PostgreSQL, so an API that matches without regard to case (most search
 * parameters) only sends more rows than LIKE keeps.
 */
static bool
is_contains_like(OpExpr *opexpr)
{
	return opexpr->opno == OID_TEXT_LIKE_OP && list_length(opexpr->args) == 2;
}

/* x OP y is y COMMUTED(OP) x */
static RestPushOp
commute(RestPushOp op)
{
	switch (op)
	{
		case REST_OP_LT:
			return REST_OP_GT;
		case REST_OP_LE:
			return REST_OP_GE;
		case REST_OP_GT:
			return REST_OP_LT;
		case REST_OP_GE:
			return REST_OP_LE;
		default:
			return op;
	}
}

/* A plain column of the foreign table (through implicit casts) */
static Var *
column_of(Node *node, Index relid)
{
	while (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node && IsA(node, Var) &&
		(Index) ((Var *) node)->varno == relid &&
		((Var *) node)->varlevelsup == 0 &&
		((Var *) node)->varattno > 0)
		return (Var *) node;
	return NULL;
}

/* Can the executor compute this value before the request? */
static bool
value_pushable(Node *value, Index relid)
{
	Relids		relids = rest_pull_varnos(value);

	if (bms_is_member((int) relid, relids))
		return false;
	if (contain_volatile_functions(value))
		return false;
	if (contain_agg_clause(value) || contain_window_function(value))
		return false;
	return true;
}

/*
 * The names inside {...} in an endpoint, in order.  *unclosed tells an
 * opening brace without a closing one; the names before it are returned.
 */
static List *
placeholder_names(const char *endpoint, bool *unclosed)
{
	List	   *names = NIL;
	const char *p;

	*unclosed = false;
	if (endpoint == NULL)
		return NIL;
	for (p = strchr(endpoint, '{'); p; p = strchr(p + 1, '{'))
	{
		const char *end = strchr(p, '}');

		if (end == NULL)
		{
			*unclosed = true;
			break;
		}
		names = lappend(names, pnstrdup(p + 1, end - p - 1));
	}
	return names;
}

/* Is the column named in the endpoint as {name}? */
static bool
is_placeholder(const char *endpoint, const char *colname)
{
	bool		unclosed;
	ListCell   *lc;

	foreach(lc, placeholder_names(endpoint, &unclosed))
	{
		if (strcmp((char *) lfirst(lc), colname) == 0)
			return true;
	}
	return false;
}

/*
 * Does an equality on the column fill a placeholder: of the endpoint
 * (path), or of the body template of the table?
 */
static bool
fills_placeholder(RestTableOptions *topts, const char *path,
				  const char *colname)
{
	return is_placeholder(path, colname) ||
		rest_body_uses(topts->body_template, colname);
}

/*
 * Decide whether a clause can be pushed to the request.  On success fill
 * *pp (everything but expr_index) and *value (the expression to compute).
 */
bool
rest_classify_clause(Expr *clause, Index relid, TupleDesc tupdesc,
					 RestTableOptions *topts, RestPushedParam *pp,
					 Expr **value)
{
	Node	   *left;
	Node	   *right;
	Var		   *var;
	RestPushOp	op;
	RestColumnOptions *col;
	Form_pg_attribute att;

	memset(pp, 0, sizeof(RestPushedParam));

	if (IsA(clause, OpExpr) && is_contains_like((OpExpr *) clause))
	{
		/* col LIKE '%text%': "contains text", as a text constant */
		OpExpr	   *opexpr = (OpExpr *) clause;
		char	   *contained;

		var = column_of(linitial(opexpr->args), relid);
		contained = contains_text(lsecond(opexpr->args));
		if (var == NULL || contained == NULL)
			return false;
		*value = (Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
									CStringGetTextDatum(contained), false, false);
		op = REST_OP_CONTAINS;
		pp->is_in = false;
	}
	else if (IsA(clause, OpExpr))
	{
		OpExpr	   *opexpr = (OpExpr *) clause;

		if (list_length(opexpr->args) != 2 ||
			!operator_kind(opexpr->opno, &op))
			return false;
		left = linitial(opexpr->args);
		right = lsecond(opexpr->args);
		if ((var = column_of(left, relid)) != NULL &&
			value_pushable(right, relid))
			*value = (Expr *) right;
		else if ((var = column_of(right, relid)) != NULL &&
				 value_pushable(left, relid))
		{
			*value = (Expr *) left;
			op = commute(op);
		}
		else
			return false;
		pp->is_in = false;
	}
	else if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;

		if (!saop->useOr || list_length(saop->args) != 2 ||
			!operator_kind(saop->opno, &op) || op != REST_OP_EQ)
			return false;
		var = column_of(linitial(saop->args), relid);
		if (var == NULL || !value_pushable(lsecond(saop->args), relid))
			return false;
		*value = (Expr *) lsecond(saop->args);
		pp->is_in = true;
	}
	else if ((var = column_of((Node *) clause, relid)) != NULL ||
			 (is_notclause(clause) &&
			  (var = column_of((Node *) get_notclausearg(clause), relid)) != NULL))
	{
		/*
		 * A boolean column alone, which is how the planner writes "col =
		 * true" (and "col = false" as NOT col): an equality with that
		 * constant.
		 */
		if (var->vartype != BOOLOID)
			return false;
		*value = (Expr *) makeBoolConst(!is_notclause(clause), false);
		op = REST_OP_EQ;
		pp->is_in = false;
	}
	else
		return false;

	att = TupleDescAttr(tupdesc, var->varattno - 1);
	col = &topts->cols[var->varattno - 1];
	pp->attnum = var->varattno;
	pp->op = op;

	/* an equality on a placeholder column fills the path */
	if (op == REST_OP_EQ && !pp->is_in &&
		fills_placeholder(topts, topts->endpoint, NameStr(att->attname)))
	{
		pp->placeholder = true;
		pp->name = pstrdup(NameStr(att->attname));
		return true;
	}
	if (col->params[op] == NULL)
		return false;
	pp->name = col->params[op];
	pp->in_comma = col->in_comma;
	return true;
}

/* Serialize for fdw_private (copyObject-able) */
List *
rest_pushed_to_list(List *pushed)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, pushed)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

		result = lappend(result,
						 list_make5(makeInteger(pp->attnum),
									makeInteger(pp->op),
									makeInteger((pp->is_in ? 1 : 0) |
												(pp->in_comma ? 2 : 0) |
												(pp->placeholder ? 4 : 0) |
												(pp->per_value ? 8 : 0)),
									makeInteger(pp->expr_index),
									makeString(pstrdup(pp->name))));
	}
	return result;
}

List *
rest_pushed_from_list(List *list)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, list)
	{
		List	   *item = (List *) lfirst(lc);
		RestPushedParam *pp = palloc0(sizeof(RestPushedParam));
		int			flags = intVal(lthird(item));

		pp->attnum = intVal(linitial(item));
		pp->op = intVal(lsecond(item));
		pp->is_in = (flags & 1) != 0;
		pp->in_comma = (flags & 2) != 0;
		pp->placeholder = (flags & 4) != 0;
		pp->per_value = (flags & 8) != 0;
		pp->expr_index = intVal(lfourth(item));
		pp->name = strVal(list_nth(item, 4));
		result = lappend(result, pp);
	}
	return result;
}

/*
 * Names of the endpoint's placeholders that no pushed equality fills, nor
 * a param_default of a column named in defaulted; NIL when all are filled.
 */
static List *
missing_placeholders(const char *endpoint, List *pushed, List *defaulted)
{
	List	   *missing = NIL;
	bool		unclosed;
	ListCell   *lc;

	foreach(lc, placeholder_names(endpoint, &unclosed))
	{
		char	   *name = (char *) lfirst(lc);
		ListCell   *lc2;
		bool		found = false;

		/* the pager fills paging variables */
		if (rest_paging_variable(name) != 0)
			continue;
		foreach(lc2, pushed)
		{
			RestPushedParam *pp = (RestPushedParam *) lfirst(lc2);

			if (pp->placeholder && strcmp(pp->name, name) == 0)
				found = true;
		}
		if (!found && !list_member(defaulted, makeString(name)))
			missing = lappend(missing, name);
	}
	return missing;
}

/* The names of the columns with a param_default, as String nodes */
static List *
defaulted_columns(RestTableOptions *topts, TupleDesc tupdesc)
{
	List	   *result = NIL;
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && topts->cols[i].param_default != NULL)
			result = lappend(result, makeString(pstrdup(NameStr(att->attname))));
	}
	return result;
}

/*
 * The index of the first (most specific) endpoint alternative whose
 * placeholders the pushed equalities all fill, or else the first whose
 * placeholders they and the columns' param_default fill (a default applies
 * only when no alternative can do without it), or -1 if none.
 */
int
rest_choose_endpoint(RestTableOptions *topts, TupleDesc tupdesc, List *pushed)
{
	List	   *defaulted = defaulted_columns(topts, tupdesc);
	ListCell   *lc;

	foreach(lc, topts->endpoints)
	{
		RestEndpoint *ep = (RestEndpoint *) lfirst(lc);

		if (missing_placeholders(ep->path, pushed, NIL) == NIL)
			return foreach_current_index(lc);
	}
	if (defaulted == NIL)
		return -1;
	foreach(lc, topts->endpoints)
	{
		RestEndpoint *ep = (RestEndpoint *) lfirst(lc);

		if (missing_placeholders(ep->path, pushed, defaulted) == NIL)
			return foreach_current_index(lc);
	}
	return -1;
}

/* Is name a column of the table? */
static bool
is_column(TupleDesc tupdesc, const char *name)
{
	return rest_column_attnum(tupdesc, name) != InvalidAttrNumber;
}

/*
 * Check a paging variable {name} of the endpoint (in_path: of its path) or
 * of the body (where names "endpoint" or "body"): it must not also be a
 * column, the paging style must give it values, and a path cannot hold a
 * variable that may have none.
 */
static void
check_variable(RestTableOptions *topts, TupleDesc tupdesc, const char *relname,
			   const char *name, const char *where, bool in_path)
{
	RestPaging *pg = &topts->paging;
	int			var = rest_paging_variable(name);
	const char *needs = NULL;

	if (is_column(tupdesc, name))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("placeholder \"{%s}\" in the %s of foreign table \"%s\" is both a paging variable and a column",
						name, where, relname),
				 errhint("Rename column \"%s\": {limit}, {offset}, {page} and {cursor} are filled by paging.",
						 name)));
	if (var == REST_VAR_OFFSET && pg->style != REST_PAGING_OFFSET)
		needs = "offset";
	else if (var == REST_VAR_PAGE && pg->style != REST_PAGING_PAGE)
		needs = "page";
	else if (var == REST_VAR_CURSOR && pg->style != REST_PAGING_CURSOR)
		needs = "cursor";
	if (needs)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("placeholder \"{%s}\" in the %s of foreign table \"%s\" needs paging \"%s\"",
						name, where, relname, needs)));
	if (in_path && var == REST_VAR_CURSOR)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("placeholder \"{cursor}\" cannot be in the path of the endpoint of foreign table \"%s\"",
						relname),
				 errdetail("The first page has no cursor."),
				 errhint("Put it in the query string, for example ?after={cursor}, or in the body.")));
	if (in_path && var == REST_VAR_LIMIT && pg->page_size <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("placeholder \"{limit}\" in the path of the endpoint of foreign table \"%s\" needs the \"%s\" option",
						relname, OPT_PAGE_SIZE)));
}

/*
 * Check that every {name} in the endpoint and in the body template is a
 * column of the table or a paging variable the table's paging fills.
 */
void
rest_check_placeholders(RestTableOptions *topts, TupleDesc tupdesc,
						const char *relname)
{
	bool		unclosed;
	List	   *names = placeholder_names(topts->endpoint, &unclosed);
	ListCell   *lc;

	if (unclosed)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("endpoint of foreign table \"%s\" has an unclosed \"{\"",
						relname)));
	foreach(lc, names)
	{
		char	   *name = (char *) lfirst(lc);

		if (rest_paging_variable(name) != 0)
			check_variable(topts, tupdesc, relname, name, "endpoint", false);
		else if (!is_column(tupdesc, name))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("endpoint placeholder \"{%s}\" of foreign table \"%s\" is not a column",
							name, relname),
					 errhint("A placeholder names a column of the foreign table, for example /customers/{customer_id}/orders.")));
	}
	/* the paths of the alternatives, before their query strings */
	foreach(lc, topts->endpoints)
	{
		RestEndpoint *ep = (RestEndpoint *) lfirst(lc);
		char	   *path = pstrdup(ep->path);
		ListCell   *lc2;

		if (strchr(path, '?'))
			*strchr(path, '?') = '\0';
		foreach(lc2, placeholder_names(path, &unclosed))
		{
			if (rest_paging_variable((char *) lfirst(lc2)) != 0)
				check_variable(topts, tupdesc, relname, (char *) lfirst(lc2),
							   "endpoint", true);
		}
	}
	foreach(lc, rest_body_names(topts->body_template))
	{
		char	   *name = (char *) lfirst(lc);

		if (rest_paging_variable(name) != 0)
			check_variable(topts, tupdesc, relname, name, "body", false);
		else if (!is_column(tupdesc, name))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("body placeholder \"{%s}\" of foreign table \"%s\" is neither a column nor a paging variable",
							name, relname),
					 errhint("A placeholder names a column of the foreign table or one of {limit}, {offset}, {page} and {cursor}; write a literal { before a name inside a string as \\u007b.")));
	}
}

/*
 * Must PostgreSQL check a pushed condition again on the rows the API
 * returns?  Yes unless the table is exact, for ordinary columns.  A virtual
 * column holds the value its request was made with, not one from the API,
 * so "exact" says nothing about it: the condition is redundant only when
 * it fixes that value (an equality, a placeholder, or one request per IN
 * value) with a value of the column's own type.  A range such as
 * "d > '2024-01-05'" sent as param_gt leaves the column's value at its
 * default (or NULL), and "date = timestamp" compares more than the text
 * the request carries: both keep their local check, so a row never shows
 * a value its condition excludes.  So does a column with a type modifier,
 * whose input function may round the request's value.
 */
static bool
needs_recheck(const RestPushedParam *pp, const RestColumnOptions *col,
			  Oid coltype, int32 coltypmod, Oid valuetype, bool exact)
{
	/* "contains": the API's matching (case, accents, words) is its own */
	if (pp->op == REST_OP_CONTAINS)
		return true;
	if (!col->is_virtual)
		return !exact;
	/* numeric(5,1) shows 1.25 as 1.3: a type modifier may change the value */
	if (coltypmod != -1)
		return true;
	if (pp->per_value)
		return get_element_type(valuetype) != coltype;
	if (pp->placeholder || (pp->op == REST_OP_EQ && !pp->is_in))
		return valuetype != coltype;
	return true;
}

static RestPushedParam *
copy_pushed(RestPushedParam *pp)
{
	RestPushedParam *copy = palloc(sizeof(RestPushedParam));

	memcpy(copy, pp, sizeof(RestPushedParam));
	return copy;
}

/*
 * The pushable conditions of a list of RestrictInfos, as RestPushedParam
 * (expr_index not set), and the RestrictInfos they came from in
 * *pushed_rinfos: what the API applies, for the row estimates of a path.
 */
List *
rest_pushable_clauses(List *rinfos, Index relid, TupleDesc tupdesc,
					  RestTableOptions *topts, List **pushed_rinfos)
{
	List	   *pushed = NIL;
	ListCell   *lc;

	*pushed_rinfos = NIL;
	foreach(lc, rinfos)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		RestPushedParam pp;
		Expr	   *value;

		if (rest_classify_clause(rinfo->clause, relid, tupdesc, topts,
								 &pp, &value))
		{
			pushed = lappend(pushed, copy_pushed(&pp));
			*pushed_rinfos = lappend(*pushed_rinfos, rinfo);
		}
	}
	return pushed;
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
 * The join clauses (RestrictInfos) that might become request parameters
 * of a parameterized path: the equalities implied by equivalence classes
 * for the columns with a param option or a placeholder, then the
 * relation's other join clauses.  The caller still classifies each.
 */
List *
rest_join_clauses(PlannerInfo *root, RelOptInfo *baserel, TupleDesc tupdesc,
				  RestTableOptions *topts)
{
	List	   *candidates = NIL;
	int			i;

	for (i = 1; i <= tupdesc->natts; i++)
	{
		RestColumnOptions *col = &topts->cols[i - 1];
		AttrNumber	attnum = i;

		if (TupleDescAttr(tupdesc, i - 1)->attisdropped)
			continue;
		if (col->params[REST_OP_EQ] == NULL &&
			!fills_placeholder(topts, topts->endpoint,
							   NameStr(TupleDescAttr(tupdesc, i - 1)->attname)))
			continue;
		candidates = list_concat(candidates,
								 generate_implied_equalities_for_column(root, baserel,
																		ec_member_is_column,
																		&attnum,
																		baserel->lateral_referencers));
	}
	return list_concat(candidates, list_copy(baserel->joininfo));
}

/*
 * The first pass over a scan's conditions: those the API could apply
 * (returned as RestPushedParam with their expr_index, their clauses in
 * *clauses, their values appended to *fdw_exprs) and those it cannot
 * (appended to *local).  One value per parameter: a second condition on
 * the same parameter stays local, as does a second IN list on a virtual
 * column.
 */
static List *
candidate_conditions(List *scan_clauses, Index relid, TupleDesc tupdesc,
					 RestTableOptions *topts, List **clauses,
					 List **fdw_exprs, List **local)
{
	List	   *candidates = NIL;
	bool		have_per_value = false;
	ListCell   *lc;
	ListCell   *lc2;

	*clauses = NIL;
	foreach(lc, scan_clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		RestPushedParam pp;
		Expr	   *value;
		bool		push = false;

		if (rinfo->pseudoconstant)
			continue;
		if (rest_classify_clause(rinfo->clause, relid, tupdesc, topts,
								 &pp, &value))
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
			if (push && pp.is_in && topts->cols[pp.attnum - 1].is_virtual)
			{
				if (have_per_value)
					push = false;
				pp.per_value = have_per_value = true;
			}
		}
		if (push)
		{
			pp.expr_index = list_length(*fdw_exprs);
			*fdw_exprs = lappend(*fdw_exprs, value);
			candidates = lappend(candidates, copy_pushed(&pp));
			*clauses = lappend(*clauses, rinfo->clause);
		}
		else
			*local = lappend(*local, rinfo->clause);
	}
	return candidates;
}

/*
 * Split a scan's conditions (scan_clauses, RestrictInfos) into those its
 * requests carry and those PostgreSQL checks, and pick the endpoint:
 *
 * pd->pushed		RestPushedParam of the conditions the request carries
 * pd->fdw_exprs	their values, by expr_index, computed by the executor
 * pd->local_exprs	the conditions checked locally, as bare clauses in the
 *					order of scan_clauses (which EXPLAIN shows): those the
 *					API cannot apply, and the pushed ones it may apply
 *					loosely (needs_recheck)
 * pd->endpoint_index	the most specific endpoint alternative whose
 *					placeholders the pushed equalities fill; ERROR if none
 *
 * Pseudoconstant clauses are in none of the lists: the planner checks
 * them in a gating Result.
 */
void
rest_split_conditions(List *scan_clauses, Index relid, TupleDesc tupdesc,
					  RestTableOptions *topts, Oid foreigntableid,
					  RestPushdown *pd)
{
	List	   *candidates;
	List	   *candidate_clauses;
	List	   *local = NIL;
	RestEndpoint *endpoint;
	ListCell   *lc;
	ListCell   *lc2;

	memset(pd, 0, sizeof(RestPushdown));
	candidates = candidate_conditions(scan_clauses, relid, tupdesc, topts,
									  &candidate_clauses, &pd->fdw_exprs,
									  &local);

	/* the most specific endpoint whose placeholders have values */
	pd->endpoint_index = rest_choose_endpoint(topts, tupdesc, candidates);
	if (pd->endpoint_index < 0)
	{
		List	   *missing;

		endpoint = (RestEndpoint *) llast(topts->endpoints);
		missing = missing_placeholders(endpoint->path, candidates, NIL);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("no value for the placeholder \"{%s}\" in the endpoint of foreign table \"%s\"",
						(char *) linitial(missing), get_rel_name(foreigntableid)),
				 errhint("Add a condition \"%s = ...\" to the query, or join on column \"%s\".",
						 (char *) linitial(missing), (char *) linitial(missing))));
	}
	endpoint = (RestEndpoint *) list_nth(topts->endpoints, pd->endpoint_index);

	/*
	 * A placeholder of another alternative becomes the column's query
	 * parameter if it has one, or is checked locally only.
	 */
	forboth(lc, candidates, lc2, candidate_clauses)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);
		RestColumnOptions *col = &topts->cols[pp->attnum - 1];
		Form_pg_attribute att = TupleDescAttr(tupdesc, pp->attnum - 1);
		Expr	   *clause = (Expr *) lfirst(lc2);

		if (pp->placeholder &&
			!fills_placeholder(topts, endpoint->path, pp->name))
		{
			if (col->params[REST_OP_EQ] == NULL)
			{
				local = lappend(local, clause);
				continue;
			}
			pp->placeholder = false;
			pp->name = col->params[REST_OP_EQ];
			pp->in_comma = col->in_comma;
		}
		pd->pushed = lappend(pd->pushed, pp);
		if (needs_recheck(pp, col, att->atttypid, att->atttypmod,
						  exprType(list_nth(pd->fdw_exprs, pp->expr_index)),
						  topts->exact))
			local = lappend(local, clause);
	}

	/* local conditions in the query's order, which EXPLAIN shows */
	foreach(lc, scan_clauses)
	{
		Expr	   *clause = lfirst_node(RestrictInfo, lc)->clause;

		if (list_member_ptr(local, clause))
			pd->local_exprs = lappend(pd->local_exprs, clause);
	}
}

/*
 * The number of rows a scan needs at most, for page_size, or -1: a LIMIT
 * is passed down only when the API applies every condition (no local
 * one) of a single-table query without ORDER BY on an unparameterized
 * path, and when a page's rows are the elements the API counts (not rows
 * inside arrays of those, rows_path "orders.*.lines").
 */
int64
rest_pushdown_bound(PlannerInfo *root, ForeignPath *best_path,
					List *local_exprs, RestTableOptions *topts)
{
	ListCell   *lc;

	foreach(lc, topts->endpoints)
	{
		RestEndpoint *ep = (RestEndpoint *) lfirst(lc);

		if (rest_rows_path_nested(ep->rows_path))
			return -1;
	}
	if (root->limit_tuples > 0 && local_exprs == NIL &&
		root->query_pathkeys == NIL && best_path->path.param_info == NULL &&
		bms_membership(root->all_baserels) == BMS_SINGLETON)
		return (int64) Min(root->limit_tuples, (double) PG_INT32_MAX);
	return -1;
}

/*
 * The attnums of the columns a scan returns (an Integer List in attnum
 * order): those in attrs_used (the target list's and the restriction
 * clauses') and those of the scan's other conditions (scan_clauses,
 * RestrictInfos), or every column for a whole-row reference.
 */
List *
rest_retrieved_attrs(TupleDesc tupdesc, Index relid, Bitmapset *attrs_used,
					 List *scan_clauses)
{
	Bitmapset  *attrs = bms_copy(attrs_used);
	List	   *retrieved_attrs = NIL;
	bool		whole_row;
	ListCell   *lc;
	int			i;

	foreach(lc, scan_clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (!rinfo->pseudoconstant)
			pull_varattnos((Node *) rinfo->clause, relid, &attrs);
	}
	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
	for (i = 1; i <= tupdesc->natts; i++)
	{
		if (TupleDescAttr(tupdesc, i - 1)->attisdropped)
			continue;
		if (whole_row ||
			bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs))
			retrieved_attrs = lappend_int(retrieved_attrs, i);
	}
	return retrieved_attrs;
}

/* Does a pushed condition (not a placeholder) send query parameter name? */
bool
rest_param_pushed(List *pushed, const char *name)
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
