/*-------------------------------------------------------------------------
 *
 * modify.c
 *		  INSERT, UPDATE and DELETE on a foreign table as API requests.
 *
 * A foreign table with the option insert 'POST /customers' (or PUT) takes
 * INSERT: each row is one request whose body is a JSON object of the
 * row's columns, each placed back along its json_path ("address.city"
 * under "address"), typed as request bodies type values (request.c
 * rest_json_kind: numbers, booleans, json documents, strings); NULL
 * columns and virtual ones are left out, and so are columns whose
 * json_path reads something other than a member (^, #, $).  {column}
 * placeholders in the path are filled from the row, percent-encoded
 * inside their segment.  RETURNING reads the response's object with the
 * scan's conversions; a response without a body (201, 204) returns the row
 * as sent.
 *
 * UPDATE and DELETE (options update 'PATCH /customers/{id}' and delete
 * 'DELETE /customers/{id}') identify each row by the table's key columns
 * (column option key 'true'), which the scan reads for them as row
 * identity columns; their old values fill the path's placeholders.  A
 * PATCH sends the columns the UPDATE sets, a NULL as null; a PUT, which
 * replaces the resource, sends every column: the scan reads the whole row
 * for it (a "wholerow" row identity column, from which the executor makes
 * the new row).  Without allow_full_update 'true', an UPDATE or DELETE
 * whose scan sends the API no condition on a key column is refused: it
 * would read the whole collection and change every row.  Columns with
 * read_only 'true' (ids, timestamps the API sets) are never sent: an
 * INSERT of a value into one, or an UPDATE that sets one, is an error.
 *
 * RETURNING of an INSERT whose answer has no body (201 Created with a
 * Location header) takes the key from the Location's last segment.  With
 * on_error 'skip', a row the API refuses (a failure status) is a WARNING
 * and is not counted; otherwise it is an ERROR.
 *
 * An API has no transaction: a row written stays written when a later row
 * fails or the transaction rolls back.  The error of a failed row says
 * how many rows the statement wrote before it.  A POST is not idempotent:
 * http.c retries it only when it surely did not reach the API, unless it
 * carries an idempotency key (idempotency_header, default
 * Idempotency-Key, a random UUID per row), which Stripe and many APIs
 * honour by answering a repeated request as the first, and which makes a
 * retry safe.  The option updatable 'false' on the server or the table
 * refuses writes, as postgres_fdw's does.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/appendinfo.h"
#include "optimizer/inherit.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#define REST_COMPAT_EXPLAIN
#define REST_COMPAT_FDW_API
#include "rest_fdw.h"

/* The plan's fdw_private of a ModifyTable */
enum FdwModifyPrivateIndex
{
	FdwModifyPrivateTargetAttrs,	/* integer List: the columns sent */
	FdwModifyPrivateRetrievedAttrs	/* integer List: RETURNING's */
};

/* The state of an INSERT into one foreign table */
typedef struct RestModifyState
{
	CmdType		op;
	const char *relname;
	TupleDesc	tupdesc;
	RestTableOptions *table;
	RestConnOptions *conn;		/* NULL under EXPLAIN only */
	const char *method;			/* of the insert option */
	const char *path;
	List	   *target_attrs;
	bool		send_nulls;		/* an UPDATE: a NULL is sent as null */
	int			nkeys;
	AttrNumber *key_attnums;	/* the key columns */
	AttrNumber *key_junk;		/* their row identity columns in the plan's
								 * output (UPDATE, DELETE) */
	char	   *row_key;		/* "(id)=(17)": the key of the row being
								 * written, for messages, or NULL */
	RestColumn *ret_cols;		/* RETURNING's columns, read from the
								 * response */
	int			nret;
	MemoryContext row_cxt;		/* reset per row */
	int64		written;		/* rows the API accepted */
	int64		skipped;		/* rows it refused (on_error 'skip') */
	int			batch;			/* rows of the request being sent */
	RestScanStats stats;
} RestModifyState;

/* One member of the body: the keys of its json_path and its value */
typedef struct BodyField
{
	char	  **keys;
	int			nkeys;
	RestJsonKind kind;
	const char *text;
	const char *column;
} BodyField;

static const char *op_option(RestModifyState *ms);
static char *wrapped(RestModifyState *ms, const char *body);
static char *wrap_path(RestModifyState *ms);

/* For the error context of a row's request */
typedef struct RowErrorContext
{
	RestModifyState *ms;
} RowErrorContext;

/*
 * The method and path of a write option ("POST /customers"), as the
 * validator accepted it.
 */
static void
split_write_op(const char *value, const char **method, const char **path)
{
	const char *space = strchr(value, ' ');

	Assert(space != NULL);
	*method = pnstrdup(value, space - value);
	*path = space + 1;
}

/* Does the table's update option send a PUT, which replaces the resource? */
static bool
update_is_put(RestTableOptions *t)
{
	return t->update != NULL && pg_strncasecmp(t->update, "PUT ", 4) == 0;
}

/*
 * IsForeignRelUpdatable: INSERT when the table has the insert option and
 * neither it nor its server says updatable 'false'.
 */
int
rest_modify_updatable(Relation rel)
{
	RestTableOptions *t = rest_get_table_options(RelationGetRelid(rel),
												 RelationGetDescr(rel));

	if (!t->updatable)
		return 0;
	return (t->insert ? (1 << CMD_INSERT) : 0) |
		(t->update ? (1 << CMD_UPDATE) : 0) |
		(t->delete ? (1 << CMD_DELETE) : 0);
}

/*
 * The columns an INSERT or a PUT sends: every column but dropped and
 * generated ones, as postgres_fdw sends them (row_body leaves out virtual
 * and read_only ones).
 */
static List *
insert_columns(TupleDesc tupdesc)
{
	List	   *attrs = NIL;
	int			attnum;

	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, attnum - 1);

		if (!attr->attisdropped && !attr->attgenerated)
			attrs = lappend_int(attrs, attnum);
	}
	return attrs;
}

/* The name of the row identity column of key column attnum */
static char *
key_junk_name(AttrNumber attnum)
{
	return psprintf("rest_key_%d", attnum);
}

/*
 * AddForeignUpdateTargets: the key columns as row identity columns, so
 * that the scan reads them for each row UPDATE and DELETE change; for an
 * UPDATE by PUT also the whole row, from which the executor makes the new
 * row with every column (ExecGetUpdateNewTuple), as for row triggers.
 */
void
rest_modify_add_targets(PlannerInfo *root, Index rtindex,
						RangeTblEntry *target_rte, Relation target_relation)
{
	TupleDesc	tupdesc = RelationGetDescr(target_relation);
	RestTableOptions *t = rest_get_table_options(RelationGetRelid(target_relation),
												 tupdesc);
	bool		found = false;
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped || !t->cols[i].is_key)
			continue;
		add_row_identity_var(root, makeVar(rtindex, att->attnum, att->atttypid,
										   att->atttypmod, att->attcollation, 0),
							 rtindex, key_junk_name(att->attnum));
		found = true;
	}
	if (found && update_is_put(t) && root->parse->commandType == CMD_UPDATE)
		add_row_identity_var(root, makeWholeRowVar(target_rte, rtindex, 0, false),
							 rtindex, "wholerow");
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("foreign table \"%s\" has no key column",
						RelationGetRelationName(target_relation)),
				 errdetail("UPDATE and DELETE identify each row by its key columns."),
				 errhint("Give the column that identifies a row the option key 'true': ALTER FOREIGN TABLE %s ALTER COLUMN id OPTIONS (ADD key 'true').",
						 quote_identifier(RelationGetRelationName(target_relation)))));
}

/* The scan of relation rtindex under plan, or NULL */
static ForeignScan *
find_scan(Plan *plan, Index rtindex)
{
	ForeignScan *fs;

	if (plan == NULL)
		return NULL;
	if (IsA(plan, ForeignScan) && ((ForeignScan *) plan)->scan.scanrelid == rtindex)
		return (ForeignScan *) plan;
	/*
	 * Below a Result, a LockRows, or a join (UPDATE ... FROM) and what
	 * feeds one: in a join, the scan's pushed conditions may be
	 * parameterized by the other side (a key from a local table).
	 */
	if (IsA(plan, Result) || IsA(plan, LockRows) || IsA(plan, Limit) ||
		IsA(plan, NestLoop) || IsA(plan, HashJoin) || IsA(plan, MergeJoin) ||
		IsA(plan, Hash) || IsA(plan, Material) || IsA(plan, Sort) ||
		IsA(plan, Memoize))
	{
		fs = find_scan(plan->lefttree, rtindex);
		if (fs == NULL)
			fs = find_scan(plan->righttree, rtindex);
		return fs;
	}
	return NULL;
}

/*
 * Do the pushed parameters (RestPushedParam) hold a condition on a key
 * column: an equality, an IN list or an endpoint placeholder?
 */
static bool
pushes_key(List *pushed, RestTableOptions *t)
{
	ListCell   *lc;

	foreach(lc, pushed)
	{
		RestPushedParam *pp = (RestPushedParam *) lfirst(lc);

		if (t->cols[pp->attnum - 1].is_key &&
			(pp->placeholder || pp->op == REST_OP_EQ))
			return true;
	}
	return false;
}

/*
 * Is baserel, with these pushed parameters, the target of an UPDATE or
 * DELETE that would read the whole collection (no key condition, and the
 * table does not allow_full_update)?  Such a path is offered disabled
 * (rest_fdw.c), so that a join that gives the keys (UPDATE ... FROM a
 * local table) runs as a nested loop whose scan is sent each key.
 */
bool
rest_modify_reads_all(PlannerInfo *root, RelOptInfo *baserel,
					  RestTableOptions *t, List *pushed)
{
	return (root->parse->commandType == CMD_UPDATE ||
			root->parse->commandType == CMD_DELETE) &&
		baserel->relid == (Index) root->parse->resultRelation &&
		!t->allow_full_update && !pushes_key(pushed, t);
}

/*
 * An UPDATE or DELETE must send the API a condition on a key column
 * (an equality, an IN list or an endpoint placeholder), unless the table
 * says allow_full_update 'true': otherwise it would read the whole
 * collection and change every row it gets.
 */
static void
check_keyed_scan(ModifyTable *plan, Index resultRelation, RestTableOptions *t,
				 Relation rel)
{
	ForeignScan *fs = find_scan(plan->plan.lefttree, resultRelation);

	if (t->allow_full_update)
		return;
	if (fs != NULL && pushes_key(rest_scan_pushed(fs), t))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_CREATE_EXECUTION),
			 errmsg("%s on foreign table \"%s\" sends the API no condition on its key",
					plan->operation == CMD_UPDATE ? "UPDATE" : "DELETE",
					RelationGetRelationName(rel)),
			 errdetail("It would read the whole collection and change every row the API sends."),
			 errhint("Add a condition on the key column that the API applies (a param option or an endpoint placeholder), or set the option allow_full_update 'true'.")));
}

/*
 * PlanForeignModify: the columns an INSERT sends (every column but
 * generated ones, as postgres_fdw sends them) and those RETURNING reads.
 */
List *
rest_modify_plan(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
				 int subplan_index)
{
	CmdType		operation = plan->operation;
	RangeTblEntry *rte = planner_rt_fetch(resultRelation, root);
	Relation	rel;
	TupleDesc	tupdesc;
	RestTableOptions *t;
	List	   *target_attrs = NIL;
	List	   *retrieved_attrs = NIL;
	int			attnum;

	/* an API has no unique index to decide a conflict by */
	if (plan->onConflictAction != ONCONFLICT_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("INSERT ... ON CONFLICT is not supported by foreign table \"%s\"",
						get_rel_name(rte->relid))));

	rel = table_open(rte->relid, NoLock);
	tupdesc = RelationGetDescr(rel);
	t = rest_get_table_options(rte->relid, tupdesc);
	if (operation == CMD_UPDATE)
	{
		/* the columns the UPDATE sets, none of them read_only */
		RelOptInfo *baserel = find_base_rel(root, resultRelation);
		Bitmapset  *cols = get_rel_all_updated_cols(root, baserel);
		int			col = -1;

		while ((col = bms_next_member(cols, col)) >= 0)
		{
			attnum = col + FirstLowInvalidHeapAttributeNumber;
			if (attnum <= 0)
				continue;
			if (t->cols[attnum - 1].read_only)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("column \"%s\" of foreign table \"%s\" is read-only",
								NameStr(TupleDescAttr(tupdesc, attnum - 1)->attname),
								RelationGetRelationName(rel)),
						 errdetail("It has the option read_only 'true': the API sets its value.")));
			target_attrs = lappend_int(target_attrs, attnum);
		}
	}
	/* an INSERT, or a PUT that replaces the resource, sends every column */
	if (operation == CMD_INSERT || (operation == CMD_UPDATE && update_is_put(t)))
		target_attrs = insert_columns(tupdesc);
	if (operation == CMD_UPDATE || operation == CMD_DELETE)
	{
		check_keyed_scan(plan, resultRelation, t, rel);
		if (operation == CMD_DELETE && plan->returningLists)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("DELETE ... RETURNING is not supported by foreign table \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("A DELETE request answers without the row.")));
	}
	if (plan->returningLists)
	{
		List	   *returning = (List *) list_nth(plan->returningLists, subplan_index);
		Bitmapset  *attrs = NULL;
		bool		whole_row;

		pull_varattnos((Node *) returning, resultRelation, &attrs);
		whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
		for (attnum = 1; attnum <= tupdesc->natts; attnum++)
		{
			if (TupleDescAttr(tupdesc, attnum - 1)->attisdropped)
				continue;
			if (whole_row ||
				bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, attrs))
				retrieved_attrs = lappend_int(retrieved_attrs, attnum);
		}
	}
	table_close(rel, NoLock);
	return list_make2(target_attrs, retrieved_attrs);
}

/*
 * The state of the inserts into rinfo's table: its options, the user's
 * credentials (not when explain_only), and the conversions of the columns
 * in retrieved (RETURNING's) from the response.
 */
static void
begin_state(ResultRelInfo *rinfo, EState *estate, CmdType op, List *target_attrs,
			List *retrieved, Plan *subplan, bool explain_only)
{
	RestModifyState *ms = palloc0(sizeof(RestModifyState));
	Relation	rel = rinfo->ri_RelationDesc;
	ForeignTable *ft = GetForeignTable(RelationGetRelid(rel));
	ListCell   *lc;
	int			i = 0;

	rinfo->ri_FdwState = ms;
	ms->relname = pstrdup(RelationGetRelationName(rel));
	ms->tupdesc = RelationGetDescr(rel);
	ms->table = rest_get_table_options(RelationGetRelid(rel), ms->tupdesc);
	ms->op = op;
	{
		const char *option = op == CMD_INSERT ? ms->table->insert
			: op == CMD_UPDATE ? ms->table->update : ms->table->delete;

		if (!ms->table->updatable || option == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("foreign table \"%s\" does not allow %s", ms->relname,
							op == CMD_INSERT ? "inserts" : op == CMD_UPDATE ? "updates" : "deletes")));
		split_write_op(option, &ms->method, &ms->path);
	}
	ms->target_attrs = target_attrs;
	ms->send_nulls = op == CMD_UPDATE;
	{
		int			attnum;

		ms->key_attnums = palloc0(sizeof(AttrNumber) * ms->tupdesc->natts);
		ms->key_junk = palloc0(sizeof(AttrNumber) * ms->tupdesc->natts);
		for (attnum = 1; attnum <= ms->tupdesc->natts; attnum++)
		{
			if (TupleDescAttr(ms->tupdesc, attnum - 1)->attisdropped ||
				!ms->table->cols[attnum - 1].is_key)
				continue;
			ms->key_attnums[ms->nkeys] = attnum;
			if (op != CMD_INSERT)
			{
				ms->key_junk[ms->nkeys] =
					ExecFindJunkAttributeInTlist(subplan->targetlist, key_junk_name(attnum));
				if (!AttributeNumberIsValid(ms->key_junk[ms->nkeys]))
					elog(ERROR, "row identity column of key \"%s\" not found",
						 NameStr(TupleDescAttr(ms->tupdesc, attnum - 1)->attname));
			}
			ms->nkeys++;
		}
	}

	ms->ret_cols = palloc0(sizeof(RestColumn) * Max(list_length(retrieved), 1));
	foreach(lc, retrieved)
	{
		int			attnum = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(ms->tupdesc, attnum - 1);
		RestColumn *c;

		if (ms->table->cols[attnum - 1].is_virtual)
			continue;
		c = &ms->ret_cols[i++];
		c->attnum = attnum;
		c->name = pstrdup(NameStr(att->attname));
		c->json_path = ms->table->cols[attnum - 1].json_path;
		/* with write_wrap, the answer's row is in the same member */
		if (ms->table->write_wrap)
			c->json_path = psprintf("%s.%s", wrap_path(ms), c->json_path);
		c->typid = att->atttypid;
		c->typmod = att->atttypmod;
		c->format = ms->table->cols[attnum - 1].format;
		c->empty_as_null = rest_empty_as_null(ms->table, attnum, c->typid);
	}
	ms->nret = i;
	rest_prepare_columns(ms->ret_cols, ms->nret);
	ms->row_cxt = AllocSetContextCreate(estate->es_query_cxt, "rest_fdw modify row",
										ALLOCSET_DEFAULT_SIZES);

	/* as a scan resolves them: credentials only when requests are made */
	ms->conn = rest_get_conn_options(ft->serverid,
									 rest_modify_user(rinfo, estate), !explain_only);
	if (explain_only)
		return;
	rest_require_base_url(ms->conn);
	ms->conn->headers = list_concat(ms->conn->headers, ms->table->headers);
}

/* BeginForeignModify: the state of an INSERT the planner planned */
void
rest_modify_begin(ModifyTableState *mtstate, ResultRelInfo *rinfo,
				  List *fdw_private, int subplan_index, int eflags)
{
	begin_state(rinfo, mtstate->ps.state, mtstate->operation,
				(List *) list_nth(fdw_private, FdwModifyPrivateTargetAttrs),
				(List *) list_nth(fdw_private, FdwModifyPrivateRetrievedAttrs),
				outerPlanState(mtstate)->plan,
				(eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0);
}

/*
 * BeginForeignInsert: COPY into the table, or rows routed to it as a
 * partition.  Every column is sent; what the statement returns is the row
 * as sent.
 */
void
rest_modify_begin_insert(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	begin_state(rinfo, mtstate->ps.state, CMD_INSERT,
				insert_columns(RelationGetDescr(rinfo->ri_RelationDesc)),
				NIL, NULL, false);
}

/*
 * Append the members of fields[0..n-1] at depth as the content of one
 * object: fields sharing keys[depth] in the order they first appear, a
 * nested object for those whose path goes deeper.  A member that is a
 * value for one column and an object for another is an error naming both.
 */
static void
append_members(StringInfo buf, BodyField *fields, int n, int depth,
			   const char *relname)
{
	bool	   *done = palloc0(sizeof(bool) * Max(n, 1));
	bool		first = true;
	int			i;

	for (i = 0; i < n; i++)
	{
		const char *key;
		int			j;
		int			m = 0;
		BodyField  *group;

		CHECK_FOR_INTERRUPTS();
		if (done[i])
			continue;
		key = fields[i].keys[depth];
		group = palloc(sizeof(BodyField) * (n - i));
		for (j = i; j < n; j++)
		{
			if (!done[j] && strcmp(fields[j].keys[depth], key) == 0)
			{
				done[j] = true;
				group[m++] = fields[j];
			}
		}
		for (j = 0; j < m; j++)
		{
			if (m > 1 && group[j].nkeys == depth + 1)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("columns \"%s\" and \"%s\" of foreign table \"%s\" write the same member \"%s\"",
								group[j].column, group[j == 0 ? 1 : 0].column,
								relname, key),
						 errhint("Give the columns json_path options that name different members.")));
		}
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		appendStringInfoChar(buf, '"');
		rest_append_json_content(buf, key);
		appendStringInfoString(buf, "\":");
		if (m == 1 && group[0].nkeys == depth + 1)
		{
			if (group[0].kind == REST_JSON_STRING)
			{
				appendStringInfoChar(buf, '"');
				rest_append_json_content(buf, group[0].text);
				appendStringInfoChar(buf, '"');
			}
			else
				appendStringInfoString(buf, group[0].text);
		}
		else
		{
			appendStringInfoChar(buf, '{');
			append_members(buf, group, m, depth + 1, relname);
			appendStringInfoChar(buf, '}');
		}
	}
}

/*
 * The body of a row: a JSON object of its non-NULL columns, each along
 * its json_path.
 */
static char *
row_body(RestModifyState *ms, TupleTableSlot *slot)
{
	BodyField  *fields = palloc(sizeof(BodyField) * Max(list_length(ms->target_attrs), 1));
	int			n = 0;
	StringInfoData buf;
	ListCell   *lc;

	foreach(lc, ms->target_attrs)
	{
		int			attnum = lfirst_int(lc);
		RestColumnOptions *col = &ms->table->cols[attnum - 1];
		Form_pg_attribute att = TupleDescAttr(ms->tupdesc, attnum - 1);
		BodyField  *f = &fields[n];
		bool		isnull;
		Datum		value = slot_getattr(slot, attnum, &isnull);
		int			k;

		if (col->read_only)
		{
			/* the API's to set: an INSERT may not give it (a PUT keeps it) */
			if (!isnull && ms->op == CMD_INSERT)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("column \"%s\" of foreign table \"%s\" is read-only",
								NameStr(att->attname), ms->relname),
						 errdetail("It has the option read_only 'true': the API sets its value."),
						 errhint("Leave the column out of the INSERT's column list.")));
			continue;
		}
		if ((isnull && !ms->send_nulls) || col->is_virtual || col->json_path == NULL)
			continue;
		f->keys = rest_split_json_path(col->json_path, &f->nkeys);
		if (f->nkeys == 0)
			continue;
		/* positions, parents and the row itself are read, not written */
		for (k = 0; k < f->nkeys; k++)
		{
			if (f->keys[k] == REST_JSON_STAR || f->keys[k] == REST_JSON_PARENT ||
				f->keys[k] == REST_JSON_POSITION || f->keys[k] == REST_JSON_SELF)
				break;
		}
		if (k < f->nkeys)
			continue;
		if (isnull)
		{
			/* an UPDATE that sets NULL: the member becomes null */
			f->text = "null";
			f->kind = REST_JSON_RAW;
		}
		else
		{
			f->text = rest_format_param(value, att->atttypid, col);
			f->kind = rest_json_kind(att->atttypid, f->text);
		}
		f->column = NameStr(att->attname);
		n++;
	}
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	append_members(&buf, fields, n, 0, ms->relname);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * The path with its {column} placeholders filled from the row, each value
 * percent-encoded inside its segment; NULL, "", "." and ".." are errors
 * naming the column, as they are for a scan's endpoint.
 */
static char *
row_path(RestModifyState *ms, TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	StringInfoData buf;
	const char *p = ms->path;

	initStringInfo(&buf);
	while (*p)
	{
		const char *close;

		if (*p == '{' && (close = strchr(p, '}')) != NULL)
		{
			char	   *name = pnstrdup(p + 1, close - p - 1);
			AttrNumber	attnum = rest_column_attnum(ms->tupdesc, name);
			bool		isnull = true;
			Datum		value = (Datum) 0;
			char	   *text;
			int			k;

			if (attnum == InvalidAttrNumber)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("placeholder \"{%s}\" in the %s option of foreign table \"%s\" is not a column",
								name, op_option(ms), ms->relname)));
			/* a key: its old value, the row's identity */
			for (k = 0; k < ms->nkeys && ms->key_attnums[k] != attnum; k++)
				;
			if (k < ms->nkeys && ms->op != CMD_INSERT)
				value = ExecGetJunkAttribute(planSlot, ms->key_junk[k], &isnull);
			else if (slot != NULL)
				value = slot_getattr(slot, attnum, &isnull);
			text = isnull ? NULL
				: rest_format_param(value, TupleDescAttr(ms->tupdesc, attnum - 1)->atttypid,
									&ms->table->cols[attnum - 1]);
			if (text == NULL || text[0] == '\0' || strcmp(text, ".") == 0 ||
				strcmp(text, "..") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
						 errmsg("column \"%s\" cannot fill the placeholder of the %s option of foreign table \"%s\"",
								name, op_option(ms), ms->relname),
						 errdetail("A NULL, an empty value, \".\" and \"..\" would leave the request's path without the segment or change its structure.")));
			rest_append_urlencoded(&buf, text);
			p = close + 1;
		}
		else
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/* The option of the statement's operation, for messages */
static const char *
op_option(RestModifyState *ms)
{
	return ms->op == CMD_INSERT ? OPT_INSERT : ms->op == CMD_UPDATE ? OPT_UPDATE : OPT_DELETE;
}

/*
 * The body inside the member write_wrap names, for APIs that want
 * {"customer": {...}}; the body as it is without the option.
 */
static char *
wrapped(RestModifyState *ms, const char *body)
{
	StringInfoData buf;

	if (ms->table->write_wrap == NULL)
		return (char *) body;
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"");
	rest_append_json_content(&buf, ms->table->write_wrap);
	appendStringInfo(&buf, "\":%s}", body);
	return buf.data;
}

/*
 * The member write_wrap names as the first key of a json_path, its dots
 * and backslashes escaped: RETURNING reads the answer's row there.
 */
static char *
wrap_path(RestModifyState *ms)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	for (p = ms->table->write_wrap; *p; p++)
	{
		if (*p == '.' || *p == '\\')
			appendStringInfoChar(&buf, '\\');
		appendStringInfoChar(&buf, *p);
	}
	return buf.data;
}

/* A random (version 4) UUID, the idempotency key of one row */
static char *
random_uuid(void)
{
	uint8		b[16];

	if (!pg_strong_random(b, sizeof(b)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random values")));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	return psprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
					b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/*
 * The key of the row being written, "(id)=(17)", from its identity (UPDATE,
 * DELETE) or from the row (an INSERT that gives it); NULL without one.
 */
static char *
row_key(RestModifyState *ms, TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	StringInfoData names;
	StringInfoData values;
	int			k;

	if (ms->nkeys == 0)
		return NULL;
	initStringInfo(&names);
	initStringInfo(&values);
	for (k = 0; k < ms->nkeys; k++)
	{
		AttrNumber	attnum = ms->key_attnums[k];
		Form_pg_attribute att = TupleDescAttr(ms->tupdesc, attnum - 1);
		bool		isnull = true;
		Datum		value = (Datum) 0;

		if (ms->op != CMD_INSERT)
			value = ExecGetJunkAttribute(planSlot, ms->key_junk[k], &isnull);
		else if (slot != NULL)
			value = slot_getattr(slot, attnum, &isnull);
		if (ms->op == CMD_INSERT && isnull)
			return NULL;		/* the API will set it */
		appendStringInfo(&names, "%s%s", k ? ", " : "", quote_identifier(NameStr(att->attname)));
		appendStringInfoString(&values, k ? ", " : "");
		if (isnull)
			appendStringInfoString(&values, "null");
		else
		{
			Oid			out;
			bool		varlena;

			char	   *text;

			getTypeOutputInfo(att->atttypid, &out, &varlena);
			text = OidOutputFunctionCall(out, value);
			appendStringInfoString(&values, rest_shorten(text, strlen(text), 100));
		}
	}
	return psprintf("(%s)=(%s)", names.data, values.data);
}

/*
 * Error context of a row's request: the row, its key and what was written
 * before it; under on_error 'skip', that the row is skipped.
 */
static void
row_error_callback(void *arg)
{
	RestModifyState *ms = ((RowErrorContext *) arg)->ms;
	const char *what = ms->op == CMD_INSERT ? "INSERT into"
		: ms->op == CMD_UPDATE ? "UPDATE of" : "DELETE from";
	long long	first = (long long) (ms->written + ms->skipped + 1);
	char	   *key = ms->row_key ? psprintf(" with key %s", ms->row_key) : "";

	if (ms->table->skip_failed_writes)
	{
		if (ms->batch > 1)
			errcontext("rows %lld to %lld of the %s foreign table \"%s\", sent together; on_error 'skip' skips the rows an API refuses",
					   first, first + ms->batch - 1, what, ms->relname);
		else
			errcontext("row %lld of the %s foreign table \"%s\"%s; on_error 'skip' skips the rows an API refuses",
					   first, what, ms->relname, key);
	}
	else if (ms->batch > 1)
		errcontext("rows %lld to %lld of the %s foreign table \"%s\", sent together; the API had accepted %lld rows before them, which stay written (an API has no transaction)",
				   first, first + ms->batch - 1, what, ms->relname,
				   (long long) ms->written);
	else if (ms->written == 0)
		errcontext("row %lld of the %s foreign table \"%s\"%s",
				   first, what, ms->relname, key);
	else if (ms->written == 1)
		errcontext("row %lld of the %s foreign table \"%s\"%s; the API had accepted 1 row before it, which stays written (an API has no transaction)",
				   first, what, ms->relname, key);
	else
		errcontext("row %lld of the %s foreign table \"%s\"%s; the API had accepted %lld rows before it, which stay written (an API has no transaction)",
				   first, what, ms->relname, key, (long long) ms->written);
}

/*
 * Start a request of ms->batch rows: the row context reset and current,
 * and the error context that names the rows pushed (errcb and ecx live in
 * the caller's frame until finish_request).  Returns the memory context
 * to go back to.
 */
static MemoryContext
start_request(RestModifyState *ms, int rows, ErrorContextCallback *errcb,
			  RowErrorContext *ecx)
{
	MemoryContext oldcxt;

	if (ms == NULL || ms->conn == NULL)
		elog(ERROR, "foreign table modification without a begun state");
	MemoryContextReset(ms->row_cxt);
	oldcxt = MemoryContextSwitchTo(ms->row_cxt);
	ms->batch = rows;
	ms->row_key = NULL;
	ecx->ms = ms;
	errcb->callback = row_error_callback;
	errcb->arg = ecx;
	errcb->previous = error_context_stack;
	error_context_stack = errcb;
	return oldcxt;
}

/* After a request: the error context popped */
static void
finish_request(RestModifyState *ms, ErrorContextCallback *errcb,
			   MemoryContext oldcxt)
{
	ms->batch = 1;
	ms->row_key = NULL;
	error_context_stack = errcb->previous;
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Send a write's request to url with body (or NULL).  A POST carries an
 * idempotency key (a random UUID in idempotency_header) and may then be
 * retried as a GET is; so may PUT and DELETE, idempotent by RFC 9110
 * (9.2.2).  A PATCH, or a POST without a key, is retried only when it
 * surely did not reach the API (http.c).  Returns whether the API
 * accepted the request's ms->batch rows: a failure status it answers is
 * an ERROR, or under on_error 'skip' a WARNING, the rows skipped.
 */
static bool
send_write(RestModifyState *ms, const char *url, const char *body,
		   RestHttpResponse *resp)
{
	List	   *headers = NIL;
	bool		retry_safe = false;

	if (strcmp(ms->method, "POST") == 0 && ms->table->idempotency_header[0] != '\0')
	{
		headers = list_make1(psprintf("%s: %s", ms->table->idempotency_header,
									  random_uuid()));
		retry_safe = true;
	}
	else if (strcmp(ms->method, "PUT") == 0 || strcmp(ms->method, "DELETE") == 0)
		retry_safe = true;
	if (!rest_send_write(ms->conn, ms->method, url, body, headers, retry_safe,
						 ms->table->skip_failed_writes ? WARNING : ERROR,
						 resp, &ms->stats))
	{
		ms->skipped += ms->batch;
		return false;
	}
	ms->written += ms->batch;
	/* what the cache kept may have changed */
	(void) rest_cache_clear();
	return true;
}

/*
 * The key of a created row from the Location header of the answer
 * ("/customers/17": 17) into values/nulls, converted as a scan converts
 * the value "17": for a table with one key column that RETURNING reads
 * and the answer's body did not give.
 */
static void
location_key(RestModifyState *ms, RestHttpResponse *resp, const char *url,
			 Datum *values, bool *nulls)
{
	AttrNumber	attnum;
	char	   *id;
	int			i;

	if (ms->op != CMD_INSERT || ms->nkeys != 1 || resp->captured_header == NULL)
		return;
	attnum = ms->key_attnums[0];
	if (!nulls[attnum - 1])
		return;
	id = rest_url_last_segment(resp->captured_header);
	if (id == NULL)
		return;
	for (i = 0; i < ms->nret; i++)
	{
		if (ms->ret_cols[i].attnum == attnum)
		{
			RestColumn	c = ms->ret_cols[i];
			StringInfoData doc;
			RestRowSet *rs;

			c.json_path = "id";
			initStringInfo(&doc);
			appendStringInfoString(&doc, "{\"id\":\"");
			rest_append_json_content(&doc, id);
			appendStringInfoString(&doc, "\"}");
			rs = rest_parse_rows(doc.data, doc.len, NULL, false, NULL, 0, &c, 1,
								 ms->method, rest_mask_url(url), resp->secrets);
			rest_rowset_store(rs, 0, &c, 1, values, nulls, ms->written,
							  ms->relname);
			return;
		}
	}
}

/*
 * What RETURNING shows of a row written: the response's object, converted
 * as a scan converts rows, with the virtual columns as sent; the row as
 * sent when the response has no body.  A key the answer lacks comes from
 * its Location.  Stored into slot, whose values are copied out of the row
 * context.
 */
static void
returned_row(RestModifyState *ms, TupleTableSlot *slot, RestHttpResponse *resp,
			 const char *url, MemoryContext slotcxt)
{
	int			natts = ms->tupdesc->natts;
	Datum	   *values;
	bool	   *nulls;
	RestRowSet *rs = NULL;
	bool		from_body;
	int			i;

	if (resp->body_len > 0)
		rs = rest_parse_rows(resp->body, resp->body_len, NULL, false, NULL, 0,
							 ms->ret_cols, ms->nret, ms->method,
							 rest_mask_url(url), resp->secrets);
	from_body = rs != NULL && rest_rowset_count(rs) > 0;
	if (!from_body && resp->captured_header == NULL)
		return;					/* the row as sent: the slot stays */

	values = palloc0(sizeof(Datum) * natts);
	nulls = palloc(sizeof(bool) * natts);
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(ms->tupdesc, i);

		nulls[i] = true;
		/* the row as sent, or with a body the virtual columns as sent */
		if (!att->attisdropped && (!from_body || ms->table->cols[i].is_virtual))
		{
			values[i] = slot_getattr(slot, i + 1, &nulls[i]);
			/* copied: clearing the slot frees its values */
			if (!nulls[i])
				values[i] = datumCopy(values[i], att->attbyval, att->attlen);
		}
	}
	if (from_body)
		rest_rowset_store(rs, 0, ms->ret_cols, ms->nret, values, nulls,
						  ms->written, ms->relname);
	location_key(ms, resp, url, values, nulls);

	MemoryContextSwitchTo(slotcxt);
	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		slot->tts_values[i] = values[i];
		slot->tts_isnull[i] = nulls[i];
	}
	ExecStoreVirtualTuple(slot);
	/* the values live in row_cxt until the next row: copy them */
	ExecMaterializeSlot(slot);
	MemoryContextSwitchTo(ms->row_cxt);
}

/*
 * One request for a row: slot holds the new row (INSERT, UPDATE; NULL for
 * DELETE), planSlot the row identity of UPDATE and DELETE.  RETURNING's
 * columns are filled by returned_row.  false when the API refused the
 * row under on_error 'skip'.
 */
static bool
modify_row(RestModifyState *ms, TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	MemoryContext oldcxt;
	ErrorContextCallback errcb;
	RowErrorContext ecx;
	RestHttpResponse resp;
	char	   *url;
	char	   *body;
	bool		accepted;

	oldcxt = start_request(ms, 1, &errcb, &ecx);
	ms->row_key = row_key(ms, slot, planSlot);
	url = rest_join_url(ms->conn->base_url, row_path(ms, slot, planSlot));
	body = ms->op == CMD_DELETE ? NULL : row_body(ms, slot);
	/* a bulk endpoint (batch_size) takes an array, also of one row */
	if (ms->op == CMD_INSERT && ms->table->batch_size > 1)
		body = psprintf("[%s]", body);
	if (body)
		body = wrapped(ms, body);
	accepted = send_write(ms, url, body, &resp);
	if (accepted && slot != NULL && ms->nret > 0)
		returned_row(ms, slot, &resp, url, oldcxt);
	finish_request(ms, &errcb, oldcxt);
	return accepted;
}

/* ExecForeignInsert */
TupleTableSlot *
rest_modify_insert(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
				   TupleTableSlot *planSlot)
{
	return modify_row((RestModifyState *) rinfo->ri_FdwState, slot, NULL) ? slot : NULL;
}

/* ExecForeignUpdate: the row identified by its old key, the new values */
TupleTableSlot *
rest_modify_update(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
				   TupleTableSlot *planSlot)
{
	return modify_row((RestModifyState *) rinfo->ri_FdwState, slot, planSlot) ? slot : NULL;
}

/* ExecForeignDelete: the row identified by its key */
TupleTableSlot *
rest_modify_delete(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
				   TupleTableSlot *planSlot)
{
	return modify_row((RestModifyState *) rinfo->ri_FdwState, NULL, planSlot) ? slot : NULL;
}

/* EndForeignModify: nothing is held but memory */
void
rest_modify_end(EState *estate, ResultRelInfo *rinfo)
{
}

/* ExplainForeignModify: the request of each row; ANALYZE: the counts */
void
rest_modify_explain(ModifyTableState *mtstate, ResultRelInfo *rinfo,
					List *fdw_private, int subplan_index, ExplainState *es)
{
	RestModifyState *ms = (RestModifyState *) rinfo->ri_FdwState;
	const char *base = ms->conn->base_url;

	ExplainPropertyText(ms->op == CMD_INSERT ? "Insert Request"
						: ms->op == CMD_UPDATE ? "Update Request" : "Delete Request",
						psprintf("%s %s", ms->method,
								 base ? rest_mask_url(rest_join_url(base, ms->path))
								 : ms->path), es);
	if (strcmp(ms->method, "POST") == 0 && ms->table->idempotency_header[0] != '\0')
		ExplainPropertyText("Idempotency Key", ms->table->idempotency_header, es);
	if (es->analyze)
	{
		ExplainPropertyInteger("Rows Written", NULL, ms->written, es);
		if (ms->table->skip_failed_writes)
			ExplainPropertyInteger("Rows Skipped", NULL, ms->skipped, es);
		ExplainPropertyInteger("Requests", NULL, ms->stats.requests, es);
		ExplainPropertyInteger("Retries", NULL, ms->stats.retries, es);
	}
}

/*
 * GetForeignModifyBatchSize: the table's batch_size, or 1 when each row
 * must be its own request: RETURNING, WITH CHECK OPTION or row triggers
 * need each row back (as postgres_fdw decides), and a path with
 * placeholders differs from row to row.
 */
int
rest_modify_batch_size(ResultRelInfo *rinfo)
{
	RestModifyState *ms = (RestModifyState *) rinfo->ri_FdwState;
	Relation	rel = rinfo->ri_RelationDesc;
	RestTableOptions *t = ms ? ms->table
		: rest_get_table_options(RelationGetRelid(rel), RelationGetDescr(rel));

	if (rinfo->ri_projectReturning != NULL || rinfo->ri_WithCheckOptions != NIL ||
		(rinfo->ri_TrigDesc &&
		 (rinfo->ri_TrigDesc->trig_insert_before_row ||
		  rinfo->ri_TrigDesc->trig_insert_after_row)))
		return 1;
	if (t->insert == NULL || strchr(t->insert, '{') != NULL)
		return 1;
	return t->batch_size;
}

/*
 * ExecForeignBatchInsert: the rows in one request, a JSON array of their
 * objects, with one idempotency key for the request.
 */
TupleTableSlot **
rest_modify_batch_insert(EState *estate, ResultRelInfo *rinfo,
						 TupleTableSlot **slots, TupleTableSlot **planSlots,
						 int *numSlots)
{
	RestModifyState *ms = (RestModifyState *) rinfo->ri_FdwState;
	MemoryContext oldcxt;
	ErrorContextCallback errcb;
	RowErrorContext ecx;
	RestHttpResponse resp;
	StringInfoData body;
	char	   *url;
	int			i;

	oldcxt = start_request(ms, *numSlots, &errcb, &ecx);
	url = rest_join_url(ms->conn->base_url, row_path(ms, slots[0], NULL));
	initStringInfo(&body);
	appendStringInfoChar(&body, '[');
	for (i = 0; i < *numSlots; i++)
	{
		if (i > 0)
			appendStringInfoChar(&body, ',');
		appendStringInfoString(&body, row_body(ms, slots[i]));
	}
	appendStringInfoChar(&body, ']');
	if (!send_write(ms, url, wrapped(ms, body.data), &resp))
		*numSlots = 0;			/* skipped, with a WARNING */
	finish_request(ms, &errcb, oldcxt);
	return slots;
}
