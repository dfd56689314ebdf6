/*-------------------------------------------------------------------------
 *
 * request.c
 *		  The request of a scan: the values of the pushed conditions in the
 *		  endpoint's placeholders and in the query string.
 *
 * The planner (pushdown.c) decides which conditions a scan's requests carry
 * and which endpoint alternative they use; the plan keeps the values as
 * expressions (fdw_exprs).  Each time the scan starts, or a nested loop
 * brings new values, rest_request_url computes them and builds the URL of
 * the first page: base_url joined with the endpoint whose placeholders are
 * filled, each value percent-encoded inside its path segment, then the
 * endpoint's own query string, the pushed parameters in the plan's order
 * and the param_default of every parameter no condition sent.  It also
 * sets the values of the virtual columns: the values the request was made
 * with.  Paging parameters are added by pager.c, credentials by auth.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "rest_fdw.h"

/* The values of one (re)scan, as text for the request */
typedef struct RequestValues
{
	StringInfoData query;		/* "?a=1&b=2", or "" */
	char	  **placeholder;	/* by position in pushed: a placeholder's
								 * value, or NULL */
	char	  **eq;				/* by attnum - 1: the value an equality (or
								 * this request's IN value, or a default)
								 * gives the column, or NULL */
} RequestValues;

/*
 * The query parameters of an IN list (value is the array): the parameter
 * repeated per value, or once with the values comma-joined; for a
 * per-value list, the value_index-th non-NULL value only, which is also
 * the column's value.  NULL elements are left out.  Returns false when no
 * value is left: no row can match.
 */
static bool
append_in_values(RestScanRequest *req, RestPushedParam *pp, Datum value,
				 RequestValues *rv)
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
		req->nvalues = 0;
		for (j = 0; j < nelems; j++)
		{
			if (elemnulls[j])
				continue;
			if (req->nvalues++ == req->value_index)
				rv->eq[pp->attnum - 1] = rest_format_value(elems[j], elemtype);
		}
		if (req->nvalues == 0)
			return false;
		rest_append_query_param(&rv->query, pp->name, rv->eq[pp->attnum - 1]);
		return true;
	}
	for (j = 0; j < nelems; j++)
	{
		if (elemnulls[j])
			continue;
		if (sent == 0 || !pp->in_comma)
		{
			appendStringInfoChar(&rv->query, rv->query.len > 0 ? '&' : '?');
			rest_append_urlencoded(&rv->query, pp->name);
			appendStringInfoChar(&rv->query, '=');
		}
		else
			appendStringInfoChar(&rv->query, ',');
		rest_append_urlencoded(&rv->query, rest_format_value(elems[j], elemtype));
		sent++;
	}
	return sent > 0;
}

/*
 * Compute the pushed values: placeholders' values, query parameters and
 * the columns' equality values in *rv.  Returns false, at the first NULL
 * value (or an IN list of NULLs only), when no row can match.
 */
static bool
compute_values(RestScanRequest *req, ExprContext *econtext, RequestValues *rv)
{
	ListCell   *lc;

	foreach(lc, req->pushed)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);
		ExprState  *es = (ExprState *) list_nth(req->value_states, pp->expr_index);
		Expr	   *expr = (Expr *) list_nth(req->value_exprs, pp->expr_index);
		Oid			typid = exprType((Node *) expr);
		bool		isnull;
		Datum		value;

		value = ExecEvalExprSwitchContext(es, econtext, &isnull);
		if (isnull)
			return false;
		if (pp->op == REST_OP_EQ && !pp->is_in)
			rv->eq[pp->attnum - 1] = rest_format_value(value, typid);
		if (pp->placeholder)
		{
			rv->placeholder[foreach_current_index(lc)] = rv->eq[pp->attnum - 1];
			continue;
		}
		if (pp->is_in)
		{
			if (!append_in_values(req, pp, value, rv))
				return false;
			continue;
		}
		rest_append_query_param(&rv->query, pp->name,
								rest_format_value(value, typid));
	}
	return true;
}

/* Parameters with a default value that no condition replaced */
static void
append_defaults(RestScanRequest *req, RequestValues *rv)
{
	int			i;

	for (i = 0; i < req->tupdesc->natts; i++)
	{
		RestColumnOptions *col = &req->table->cols[i];

		if (col->param_default == NULL || col->params[REST_OP_EQ] == NULL ||
			rest_param_pushed(req->pushed, col->params[REST_OP_EQ]))
			continue;
		rest_append_query_param(&rv->query, col->params[REST_OP_EQ],
								col->param_default);
		if (rv->eq[i] == NULL)
			rv->eq[i] = col->param_default;
	}
}

/*
 * The text of a virtual column's value: the value the request was made
 * with, or NULL.
 */
static char *
virtual_text(RestScanRequest *req, RequestValues *rv, int att)
{
	char	   *text = rv->eq[att];
	const char *param = req->table->cols[att].params[REST_OP_EQ];
	ListCell   *lc;
	int			i;

	/* its parameter sent for another column's condition: that value */
	if (text == NULL && param != NULL)
	{
		foreach(lc, req->pushed)
		{
			RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

			if (!pp->placeholder && pp->op == REST_OP_EQ &&
				(!pp->is_in || pp->per_value) &&
				strcmp(pp->name, param) == 0)
				text = rv->eq[pp->attnum - 1];
		}
	}
	if (text == NULL && param == NULL)
		text = req->table->cols[att].param_default;
	else if (text == NULL && !rest_param_pushed(req->pushed, param))
	{
		/* the default sent for the parameter, whichever column has it */
		for (i = 0; i < req->tupdesc->natts && text == NULL; i++)
		{
			RestColumnOptions *other = &req->table->cols[i];

			if (other->params[REST_OP_EQ] != NULL &&
				strcmp(other->params[REST_OP_EQ], param) == 0)
				text = other->param_default;
		}
	}
	return text;
}

/* Virtual columns: the value the request was made with, as their type */
static void
set_virtual_values(RestScanRequest *req, RequestValues *rv)
{
	ListCell   *lc;

	foreach(lc, req->virtual_cols)
	{
		int			att = lfirst_int(lc) - 1;
		Form_pg_attribute attr = TupleDescAttr(req->tupdesc, att);
		char	   *text = virtual_text(req, rv, att);

		req->virtual_nulls[att] = (text == NULL);
		if (text != NULL)
		{
			Oid			infunc;
			Oid			ioparam;

			getTypeInputInfo(attr->atttypid, &infunc, &ioparam);
			req->virtual_values[att] = OidInputFunctionCall(infunc, text, ioparam,
															attr->atttypmod);
		}
	}
}

/* The endpoint with its placeholders filled, each value one segment */
static char *
filled_endpoint(RestScanRequest *req, RequestValues *rv)
{
	StringInfoData endpoint;
	const char *ep = req->endpoint->path;
	ListCell   *lc;

	initStringInfo(&endpoint);
	while (*ep)
	{
		const char *close;

		if (*ep == '{' && (close = strchr(ep, '}')) != NULL)
		{
			char	   *name = pnstrdup(ep + 1, close - ep - 1);

			foreach(lc, req->pushed)
			{
				RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

				if (pp->placeholder && strcmp(pp->name, name) == 0)
				{
					const char *v = rv->placeholder[foreach_current_index(lc)];

					/*
					 * Every other character is percent-encoded, so a value
					 * stays inside its segment; "." and ".." would still
					 * be resolved as a step up, and "" would merge two.
					 */
					if (v[0] == '\0' || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
						ereport(ERROR,
								(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
								 errmsg("value \"%s\" of column \"%s\" cannot fill the endpoint placeholder of foreign table \"%s\"",
										v, name, req->relname),
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
	return endpoint.data;
}

/*
 * The URL of the first page of this (re)scan, with the values of the
 * pushed conditions computed in econtext, palloc'd in the current memory
 * context; NULL when a value is NULL, so that no row can match and no
 * request is made.  Sets req->nvalues (for a per-value IN list) and, unless
 * it returns NULL, the virtual columns' values, allocated in the current
 * memory context too.
 */
char *
rest_request_url(RestScanRequest *req, ExprContext *econtext)
{
	RequestValues rv;
	char	   *url;

	rv.placeholder = palloc0(sizeof(char *) * Max(list_length(req->pushed), 1));
	rv.eq = palloc0(sizeof(char *) * Max(req->tupdesc->natts, 1));
	initStringInfo(&rv.query);
	if (!compute_values(req, econtext, &rv))
		return NULL;
	append_defaults(req, &rv);
	set_virtual_values(req, &rv);

	url = rest_join_url(req->base_url, filled_endpoint(req, &rv));
	/* query is "?a=1&b=2": after the endpoint's own query string, if any */
	if (rv.query.len > 0)
		url = psprintf("%s%c%s", url, strchr(url, '?') ? '&' : '?',
					   rv.query.data + 1);
	return url;
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
