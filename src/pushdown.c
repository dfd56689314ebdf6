/*-------------------------------------------------------------------------
 *
 * pushdown.c
 *		  Which conditions become request parameters, and endpoint
 *		  placeholders.
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
 * volatile.  Values are computed by the executor from fdw_exprs.
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
 * which becomes one request per value (rest_pushed_needs_recheck).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

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
bool
rest_is_placeholder(const char *endpoint, const char *colname)
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

	if (IsA(clause, OpExpr))
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
	else
		return false;

	att = TupleDescAttr(tupdesc, var->varattno - 1);
	col = &topts->cols[var->varattno - 1];
	pp->attnum = var->varattno;
	pp->op = op;

	/* an equality on a placeholder column fills the path */
	if (op == REST_OP_EQ && !pp->is_in &&
		rest_is_placeholder(topts->endpoint, NameStr(att->attname)))
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
 * Names of the endpoint's placeholders that no pushed equality fills; NIL
 * when all are filled.
 */
List *
rest_missing_placeholders(const char *endpoint, List *pushed)
{
	List	   *missing = NIL;
	bool		unclosed;
	ListCell   *lc;

	foreach(lc, placeholder_names(endpoint, &unclosed))
	{
		char	   *name = (char *) lfirst(lc);
		ListCell   *lc2;
		bool		found = false;

		foreach(lc2, pushed)
		{
			RestPushedParam *pp = (RestPushedParam *) lfirst(lc2);

			if (pp->placeholder && strcmp(pp->name, name) == 0)
				found = true;
		}
		if (!found)
			missing = lappend(missing, name);
	}
	return missing;
}

/*
 * The index of the first (most specific) endpoint alternative whose
 * placeholders the pushed equalities all fill, or -1 if none.
 */
int
rest_choose_endpoint(List *endpoints, List *pushed)
{
	ListCell   *lc;

	foreach(lc, endpoints)
	{
		RestEndpoint *ep = (RestEndpoint *) lfirst(lc);

		if (rest_missing_placeholders(ep->path, pushed) == NIL)
			return foreach_current_index(lc);
	}
	return -1;
}

/*
 * Check that every {name} in the endpoint is a column of the table.
 */
void
rest_check_placeholders(const char *endpoint, TupleDesc tupdesc,
						const char *relname)
{
	bool		unclosed;
	List	   *names = placeholder_names(endpoint, &unclosed);
	ListCell   *lc;

	if (unclosed)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("endpoint of foreign table \"%s\" has an unclosed \"{\"",
						relname)));
	foreach(lc, names)
	{
		char	   *name = (char *) lfirst(lc);
		int			i;
		bool		found = false;

		for (i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
				found = true;
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("endpoint placeholder \"{%s}\" of foreign table \"%s\" is not a column",
							name, relname),
					 errhint("A placeholder names a column of the foreign table, for example /customers/{customer_id}/orders.")));
	}
}

/*
 * A value as text for a request: booleans as true/false, dates and times
 * in ISO 8601 whatever DateStyle says, everything else through the type's
 * output function.
 */
char *
rest_format_value(Datum value, Oid typid)
{
	Oid			outfunc;
	bool		isvarlena;

	switch (typid)
	{
		case BOOLOID:
			return pstrdup(DatumGetBool(value) ? "true" : "false");
		case FLOAT4OID:
		case FLOAT8OID:
			{
				/* the shortest text that reads back exactly, whatever
				 * extra_float_digits says */
				double		d = typid == FLOAT4OID ?
					(double) DatumGetFloat4(value) : DatumGetFloat8(value);
				char	   *buf;

				if (isnan(d))
					return pstrdup("NaN");
				if (isinf(d))
					return pstrdup(d > 0 ? "Infinity" : "-Infinity");
				buf = palloc(DOUBLE_SHORTEST_DECIMAL_LEN);
				if (typid == FLOAT4OID)
					float_to_shortest_decimal_buf(DatumGetFloat4(value), buf);
				else
					double_to_shortest_decimal_buf(d, buf);
				return buf;
			}
		case DATEOID:
		case TIMEOID:
		case TIMETZOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return JsonEncodeDateTime(NULL, value, typid, NULL);
		default:
			getTypeOutputInfo(typid, &outfunc, &isvarlena);
			return OidOutputFunctionCall(outfunc, value);
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
bool
rest_pushed_needs_recheck(const RestPushedParam *pp,
						  const RestColumnOptions *col,
						  Oid coltype, int32 coltypmod, Oid valuetype,
						  bool exact)
{
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
