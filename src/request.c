/*-------------------------------------------------------------------------
 *
 * request.c
 *		  The requests of a scan: the values of the pushed conditions and
 *		  of the paging variables in the endpoint, its query string and the
 *		  body.
 *
 * The planner (pushdown.c) decides which conditions a scan's requests carry
 * and which endpoint alternative they use; the plan keeps the values as
 * expressions (fdw_exprs).  Each time the scan starts, or a nested loop
 * brings new values, rest_request_start computes them, and sets the values
 * of the virtual columns: the values the request was made with.  For each
 * page, rest_request_page builds the URL: base_url joined with the
 * endpoint whose placeholders are filled, each value percent-encoded
 * inside its path segment or query parameter (a query parameter that
 * holds a paging variable without value is left out), then the pushed
 * parameters in the plan's order and the param_default of every parameter
 * no condition sent; and the body, from the body template (template.c).
 * The pager (pager.c) gives the paging variables' values, {limit},
 * {offset}, {page} and {cursor}, and adds the paging parameters that the
 * templates do not hold; credentials are added by auth.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/json.h"
#include "utils/builtins.h"
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
	List	   *headers;		/* "Name: value" of param_in 'header' columns */
} RequestValues;

/* Longest value a column sends as a request header, in bytes */
#define REST_MAX_PARAM_HEADER	8192

/*
 * Send a parameter of the column at attnum: a query parameter, or with
 * param_in 'header' a request header.  A header value is the user's, but
 * must stay one header line: a control character (a line break would
 * start another header) is an error, and so is a value too long for the
 * header lines servers accept.
 */
static void
append_param(RestScanRequest *req, RequestValues *rv, AttrNumber attnum,
			 const char *name, const char *value)
{
	if (!req->table->cols[attnum - 1].param_header)
	{
		rest_append_query_param(&rv->query, name, value);
		return;
	}
	if (rest_has_control_chars(value) || strlen(value) > REST_MAX_PARAM_HEADER)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("value of column \"%s\" cannot be sent as header \"%s\"",
						NameStr(TupleDescAttr(req->tupdesc, attnum - 1)->attname), name),
				 rest_has_control_chars(value)
				 ? errdetail("The value contains a control character, such as a line break.")
				 : errdetail("The value is longer than %d bytes.", REST_MAX_PARAM_HEADER)));
	rv->headers = lappend(rv->headers, psprintf("%s: %s", name, value));
}

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
				rv->eq[pp->attnum - 1] = rest_format_param(elems[j], elemtype,
																  &req->table->cols[pp->attnum - 1]);
		}
		if (req->nvalues == 0)
			return false;
		append_param(req, rv, pp->attnum, pp->name, rv->eq[pp->attnum - 1]);
		return true;
	}
	if (req->table->cols[pp->attnum - 1].param_header)
	{
		/* one header, its values comma-joined (RFC 9110, 5.3) */
		StringInfoData list;

		initStringInfo(&list);
		for (j = 0; j < nelems; j++)
		{
			if (elemnulls[j])
				continue;
			if (list.len > 0)
				appendStringInfoString(&list, ", ");
			appendStringInfoString(&list, rest_format_param(elems[j], elemtype,
															&req->table->cols[pp->attnum - 1]));
			CHECK_FOR_INTERRUPTS();
		}
		if (list.len == 0)
			return false;
		append_param(req, rv, pp->attnum, pp->name, list.data);
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
		rest_append_urlencoded(&rv->query, rest_format_param(elems[j], elemtype,
																  &req->table->cols[pp->attnum - 1]));
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
			rv->eq[pp->attnum - 1] = rest_format_param(value, typid,
																  &req->table->cols[pp->attnum - 1]);
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
		append_param(req, rv, pp->attnum, pp->name,
					 rest_format_param(value, typid,
									   &req->table->cols[pp->attnum - 1]));
	}
	return true;
}

/*
 * Columns with param_required: the query must give each a value through a
 * pushed condition (or the column has a param_default), as the API refuses
 * requests without it.  The error names the column and suggests a WHERE.
 */
static void
check_required(RestScanRequest *req)
{
	int			i;

	for (i = 0; i < req->tupdesc->natts; i++)
	{
		RestColumnOptions *col = &req->table->cols[i];
		bool		given = col->param_default != NULL;
		const char *param = NULL;
		const char *colname;
		ListCell   *lc;
		int			op;

		if (!col->param_required)
			continue;
		for (op = 0; op < REST_NOPS && !given; op++)
		{
			if (col->params[op] == NULL)
				continue;
			param = param ? param : col->params[op];
			given = rest_param_pushed(req->pushed, col->params[op]);
		}
		foreach(lc, req->pushed)
		{
			RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

			if (pp->attnum == i + 1)
				given = true;
		}
		if (given)
			continue;
		colname = NameStr(TupleDescAttr(req->tupdesc, i)->attname);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_EXECUTION),
				 errmsg("a query of foreign table \"%s\" needs a condition on column \"%s\"",
						req->relname, colname),
				 param ? errdetail("The API requires the parameter \"%s\" (option %s of the column).",
								   param, OPT_PARAM_REQUIRED) :
				 errdetail("The column has option %s.", OPT_PARAM_REQUIRED),
				 errhint("Add a condition that can be sent, such as WHERE %s = ...",
						 quote_identifier(colname))));
	}
}

/*
 * The parameter a column's param_default is sent as: its equality
 * parameter, else the first of its range parameters (param_ge of a
 * column that has only param_ge and param_le: "since" with a default
 * date), or NULL when it has none.
 */
const char *
rest_default_param(const RestColumnOptions *col)
{
	int			op;

	for (op = 0; op < REST_NOPS; op++)
	{
		if (col->params[op])
			return col->params[op];
	}
	return NULL;
}

/* The attnum of the (not dropped) column of this name, or InvalidAttrNumber */
AttrNumber
rest_column_attnum(TupleDesc tupdesc, const char *name)
{
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

/* Does the endpoint hold the placeholder {name}? */
static bool
endpoint_uses(const char *endpoint, const char *name)
{
	return strstr(endpoint, psprintf("{%s}", name)) != NULL;
}

/* Parameters with a default value that no condition replaced */
static void
append_defaults(RestScanRequest *req, RequestValues *rv)
{
	int			i;

	for (i = 0; i < req->tupdesc->natts; i++)
	{
		RestColumnOptions *col = &req->table->cols[i];
		const char *param = rest_default_param(col);

		/* a placeholder's default: body_value and the endpoint send it */
		if (col->param_default != NULL && param == NULL && rv->eq[i] == NULL &&
			(rest_body_uses(req->table->body_template,
							NameStr(TupleDescAttr(req->tupdesc, i)->attname)) ||
			 endpoint_uses(req->endpoint->path,
						   NameStr(TupleDescAttr(req->tupdesc, i)->attname))))
			rv->eq[i] = col->param_default;
		if (col->param_default == NULL || param == NULL ||
			rest_param_pushed(req->pushed, param))
			continue;
		append_param(req, rv, i + 1, param, col->param_default);
		if (rv->eq[i] == NULL && col->params[REST_OP_EQ] != NULL)
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

/* The bit of a paging variable (REST_VAR_*), or 0 for other names */
int
rest_paging_variable(const char *name)
{
	if (strcmp(name, "limit") == 0)
		return REST_VAR_LIMIT;
	if (strcmp(name, "offset") == 0)
		return REST_VAR_OFFSET;
	if (strcmp(name, "page") == 0)
		return REST_VAR_PAGE;
	if (strcmp(name, "cursor") == 0)
		return REST_VAR_CURSOR;
	return 0;
}

/* A paging variable's value as text, or NULL when it has none */
static const char *
variable_text(const RestPageVars *vars, int var)
{
	int64		v = -1;

	switch (var)
	{
		case REST_VAR_LIMIT:
			v = vars->limit;
			break;
		case REST_VAR_OFFSET:
			v = vars->offset;
			break;
		case REST_VAR_PAGE:
			v = vars->page;
			break;
		case REST_VAR_CURSOR:
			return vars->cursor;
	}
	return v >= 0 ? psprintf(INT64_FORMAT, v) : NULL;
}

/* The value of a column's placeholder {name}, or NULL */
static const char *
placeholder_value(RestScanRequest *req, const char *name, AttrNumber *attnum)
{
	ListCell   *lc;

	foreach(lc, req->pushed)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

		if (pp->placeholder && strcmp(pp->name, name) == 0)
		{
			if (attnum)
				*attnum = pp->attnum;
			return req->values->placeholder[foreach_current_index(lc)];
		}
	}
	return NULL;
}

/*
 * Append the value of {name} of the endpoint, percent-encoded.  Returns
 * false for a paging variable without value (in a query string, its
 * parameter is left out).  Every other character is percent-encoded, so
 * a value stays inside its segment or parameter; "." and ".." would
 * still be resolved as a step up, and "" would merge two.
 */
static bool
append_endpoint_value(StringInfo buf, RestScanRequest *req, const char *name,
					  const RestPageVars *vars)
{
	int			var = rest_paging_variable(name);
	const char *v;

	if (var != 0)
	{
		v = variable_text(vars, var);
		if (v == NULL)
			return false;
	}
	else
	{
		v = placeholder_value(req, name, NULL);
		if (v == NULL)
		{
			/* no condition: the column's param_default (the planner checked) */
			AttrNumber	attnum = rest_column_attnum(req->tupdesc, name);

			if (attnum == InvalidAttrNumber ||
				req->table->cols[attnum - 1].param_default == NULL)
				elog(ERROR, "no value for endpoint placeholder {%s}", name);
			v = req->table->cols[attnum - 1].param_default;
		}
		if (v[0] == '\0' || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
					 errmsg("value \"%s\" of column \"%s\" cannot fill the endpoint placeholder of foreign table \"%s\"",
							v, name, req->relname),
					 errdetail("An empty value, \".\" and \"..\" would change the structure of the request's path.")));
	}
	rest_append_urlencoded(buf, v);
	return true;
}

/*
 * The endpoint with its placeholders filled, each value one segment (or
 * inside one query parameter).  In the query string, a parameter that
 * holds a paging variable without value is left out; in the path, the
 * planner made sure each has one (rest_check_placeholders).
 */
static char *
filled_endpoint(RestScanRequest *req, const RestPageVars *vars)
{
	StringInfoData endpoint;
	StringInfoData param;
	const char *ep = req->endpoint->path;
	bool		in_query = false;

	initStringInfo(&endpoint);
	initStringInfo(&param);
	for (;;)
	{
		bool		keep = true;
		StringInfo	out = in_query ? &param : &endpoint;

		/* the path, or one parameter of the query string */
		while (*ep != '\0' && !(in_query ? *ep == '&' : *ep == '?'))
		{
			const char *close;

			if (*ep == '{' && (close = strchr(ep, '}')) != NULL)
			{
				char	   *name = pnstrdup(ep + 1, close - ep - 1);

				if (!append_endpoint_value(out, req, name, vars))
				{
					if (!in_query)
						elog(ERROR, "paging variable {%s} without value in the path",
							 name);
					keep = false;
				}
				ep = close + 1;
			}
			else
				appendStringInfoChar(out, *ep++);
		}
		if (in_query && keep && param.len > 0)
		{
			appendStringInfoChar(&endpoint, strchr(endpoint.data, '?') ? '&' : '?');
			appendBinaryStringInfo(&endpoint, param.data, param.len);
		}
		resetStringInfo(&param);
		if (*ep == '\0')
			break;
		in_query = true;
		ep++;
	}
	return endpoint.data;
}

/*
 * The paging variables (REST_VAR_* bits) the endpoint or the body of the
 * scan's requests hold: the pager sends no parameter of its own for them.
 */
int
rest_request_variables(RestScanRequest *req)
{
	const char *p;
	int			vars = 0;
	ListCell   *lc;

	for (p = strchr(req->endpoint->path, '{'); p; p = strchr(p + 1, '{'))
	{
		const char *close = strchr(p, '}');

		if (close == NULL)
			break;
		vars |= rest_paging_variable(pnstrdup(p + 1, close - p - 1));
	}
	foreach(lc, rest_body_names(req->table->body_template))
		vars |= rest_paging_variable((char *) lfirst(lc));
	return vars;
}

/* What rest_fill_body's lookup needs */
typedef struct BodyValues
{
	RestScanRequest *req;
	const RestPageVars *vars;
} BodyValues;

/*
 * The value of a body placeholder: a paging variable (integers as
 * numbers, the cursor as a string), or the value of the column's pushed
 * equality, as a number for numeric types, true or false for boolean, a
 * string otherwise; REST_JSON_NONE without a value.
 */
static RestJsonKind
body_value(void *arg, const char *name, const char **text)
{
	BodyValues *bv = (BodyValues *) arg;
	int			var = rest_paging_variable(name);
	AttrNumber	attnum = 0;

	if (var != 0)
	{
		*text = variable_text(bv->vars, var);
		if (*text == NULL)
			return REST_JSON_NONE;
		return var == REST_VAR_CURSOR ? REST_JSON_STRING : REST_JSON_NUMBER;
	}
	*text = placeholder_value(bv->req, name, &attnum);
	if (*text == NULL)
	{
		/* no condition gave it: the column's param_default, if any */
		attnum = rest_column_attnum(bv->req->tupdesc, name);
		if (attnum == InvalidAttrNumber ||
			bv->req->table->cols[attnum - 1].param_default == NULL)
			return REST_JSON_NONE;
		*text = bv->req->table->cols[attnum - 1].param_default;
	}
	return rest_json_kind(TupleDescAttr(bv->req->tupdesc, attnum - 1)->atttypid,
						  *text);
}

/*
 * How the text of a value of type typid (rest_format_param's) is written
 * in a JSON body: a number for numeric types, true or false for boolean,
 * the document itself for json and jsonb (a filter in the API's syntax),
 * if each is one, a string otherwise (NaN and Infinity are no JSON
 * numbers).
 */
RestJsonKind
rest_json_kind(Oid typid, const char *text)
{
	switch (typid)
	{
		case JSONOID:
		case JSONBOID:
			return rest_is_json_document(text) ? REST_JSON_RAW : REST_JSON_STRING;
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case NUMERICOID:
		case FLOAT4OID:
		case FLOAT8OID:
			return rest_is_json_number(text) ? REST_JSON_NUMBER : REST_JSON_STRING;
		case BOOLOID:
			return (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
				? REST_JSON_BOOL : REST_JSON_STRING;
		default:
			return REST_JSON_STRING;
	}
}

/*
 * The request of one page, after rest_request_start: its URL, and in
 * *body the body (NULL without a body template), both palloc'd in the
 * current memory context.  vars gives the paging variables' values; the
 * pager adds its own parameters for those rest_request_variables does not
 * report.  Each page is built from the templates again, never from the
 * request before.
 */
char *
rest_request_page(RestScanRequest *req, const RestPageVars *vars, char **body)
{
	RequestValues *rv = req->values;
	char	   *url;

	url = rest_join_url(req->base_url, filled_endpoint(req, vars));
	/* query is "?a=1&b=2": after the endpoint's own query string, if any */
	if (rv->query.len > 0)
		url = psprintf("%s%c%s", url, strchr(url, '?') ? '&' : '?',
					   rv->query.data + 1);
	if (req->fields)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfoString(&buf, url);
		appendStringInfoChar(&buf, strchr(url, '?') ? '&' : '?');
		rest_append_urlencoded(&buf, req->table->fields_param);
		appendStringInfoChar(&buf, '=');
		appendStringInfoString(&buf, req->fields);
		url = buf.data;
	}

	*body = NULL;
	if (req->table->body_template)
	{
		BodyValues	bv;

		bv.req = req;
		bv.vars = vars;
		*body = rest_fill_body(req->table->body_template, body_value, &bv,
							   req->table->body_omit);
	}
	return url;
}

/*
 * The value of the table's fields_param for a scan that reads the columns
 * retrieved_attrs: the first key of each column's json_path (a nested
 * path asks for its top object), and the cursor_row_path's, each once, in
 * column order, comma-joined, so that an API that sends only the fields
 * asked for sends no more.  A scan that needs no column (count(*)) asks
 * for its first column's.  Nothing is sent (req->fields NULL) when the
 * scan needs whole rows or the list cannot say which: a "$" column, rows
 * that are arrays (header_row), rows inside arrays (a rows_path through
 * "*", where the outer objects' fields are needed too), or a key holding
 * a comma.
 */
void
rest_request_fields(RestScanRequest *req, List *retrieved_attrs)
{
	RestTableOptions *t = req->table;
	StringInfoData buf;
	List	   *paths = NIL;
	List	   *seen = NIL;
	ListCell   *lc;
	char	  **keys;
	int			n;
	int			i;

	req->fields = NULL;
	if (t->fields_param == NULL || t->header_row)
		return;
	if (req->endpoint->rows_path)
	{
		keys = rest_split_json_path(req->endpoint->rows_path, &n);
		for (i = 0; i < n; i++)
		{
			if (strcmp(keys[i], "*") == 0)
				return;
		}
	}
	foreach(lc, retrieved_attrs)
	{
		RestColumnOptions *col = &t->cols[lfirst_int(lc) - 1];

		if (!col->is_virtual)
			paths = lappend(paths, col->json_path);
	}
	if (paths == NIL)
	{
		/* count(*): the first column the response gives */
		for (i = 0; i < t->natts && paths == NIL; i++)
		{
			if (t->cols[i].json_path && !t->cols[i].is_virtual &&
				!TupleDescAttr(req->tupdesc, i)->attisdropped)
				paths = lappend(paths, t->cols[i].json_path);
		}
	}
	if (t->paging.style == REST_PAGING_CURSOR && t->paging.cursor_row_path)
		paths = lappend(paths, t->paging.cursor_row_path);
	if (paths == NIL)
		return;

	initStringInfo(&buf);
	foreach(lc, paths)
	{
		const char *first;

		keys = rest_split_json_path((const char *) lfirst(lc), &n);
		if (n == 0)
			return;
		first = keys[0];
		if (strcmp(first, "$") == 0 || strchr(first, ',') != NULL)
			return;
		if (list_member(seen, makeString((char *) first)))
			continue;
		seen = lappend(seen, makeString((char *) first));
		/* each key percent-encoded, the commas between them as they are */
		if (buf.len > 0)
			appendStringInfoChar(&buf, ',');
		rest_append_urlencoded(&buf, first);
	}
	req->fields = buf.data;
}

/*
 * The request headers of the columns with param_in 'header', for every
 * page of this (re)scan: a List of "Name: value", after
 * rest_request_start.
 */
List *
rest_request_headers(RestScanRequest *req)
{
	return req->values ? req->values->headers : NIL;
}

/*
 * Compute the values of the pushed conditions of this (re)scan in
 * econtext, for rest_request_page, palloc'd in the current memory context.
 * Returns false when a value is NULL, so that no row can match and no
 * request is made.  Sets req->nvalues (for a per-value IN list) and, unless
 * it returns false, the virtual columns' values, allocated in the current
 * memory context too.
 */
bool
rest_request_start(RestScanRequest *req, ExprContext *econtext)
{
	RequestValues *rv = palloc0(sizeof(RequestValues));

	rv->placeholder = palloc0(sizeof(char *) * Max(list_length(req->pushed), 1));
	rv->eq = palloc0(sizeof(char *) * Max(req->tupdesc->natts, 1));
	initStringInfo(&rv->query);
	req->values = rv;
	check_required(req);
	if (!compute_values(req, econtext, rv))
		return false;
	append_defaults(req, rv);
	set_virtual_values(req, rv);
	return true;
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
