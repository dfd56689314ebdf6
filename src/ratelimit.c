/*-------------------------------------------------------------------------
 *
 * ratelimit.c
 *		  The request rate limit a foreign server shares across every
 *		  session of the cluster (its option values are read in
 *		  retryopts.c).
 *
 * rate_limit 'N/unit' (second, minute, hour or day; N may be a fraction)
 * lets the requests of all backends together to one server of one
 * database start at most once every unit/N; "burst B" lets B requests
 * start at once after a quiet time, so that any window of one unit sees
 * at most N + B - 1 of them.  This is the generic cell rate algorithm
 * (a token bucket of B tokens refilled at N per unit), whose whole state
 * is one time per server: when the bucket is full again (tat).  A request
 * reserves its slot at once, under a spinlock held for a look-up in an
 * open-addressing table (usually one probe), and is told when it may start; it then waits in http.c
 * like a retry (XFER_WAITING), without a lock, on the latch, while the
 * other transfers of its scan go on.  A reservation is never given back,
 * so a cancelled query can only make others wait less than they might.
 *
 * The state lives in a table of REST_RATE_SLOTS servers in shared memory
 * (compat.h: the DSM registry from PostgreSQL 17 on, which needs no
 * preloading; before, only when the library is in
 * shared_preload_libraries), keyed by database and server OID, probed
 * linearly from the key's hash up to the first entry never used.  An entry
 * whose bucket is full is the same as no entry, so it is taken over by the
 * next server that needs one (it stays in use, so no probe sequence is
 * cut): the table is full only while REST_RATE_SLOTS servers are being
 * held back at the same moment, and a request then fails.
 *
 * Nothing here does I/O or knows of libcurl.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "storage/spin.h"
#include "utils/timestamp.h"

#define REST_COMPAT_SHMEM
#include "rest_fdw.h"

/* Servers whose rate is being held back at the same moment, at most */
#define REST_RATE_SLOTS		1024

typedef struct RestRateSlot
{
	Oid			dbid;			/* InvalidOid: never used */
	Oid			serverid;
	TimestampTz tat;			/* when the bucket is full again */
} RestRateSlot;

typedef struct RestRateShared
{
	slock_t		mutex;			/* guards slots */
	RestRateSlot slots[REST_RATE_SLOTS];
} RestRateShared;

static void
rate_shmem_init(void *ptr)
{
	RestRateShared *shared = (RestRateShared *) ptr;

	memset(shared, 0, sizeof(RestRateShared));
	SpinLockInit(&shared->mutex);
}

/*
 * Declare the shared memory of the rate limits.  Called from _PG_init,
 * which reserves it when the library is preloaded.
 */
void
rest_ratelimit_init(void)
{
	rest_shmem_define("rest_fdw rate limits", sizeof(RestRateShared),
					  rate_shmem_init);
}

/*
 * Reserve the next request slot of the rate limit of the server of opts
 * (opts->rate_limit.per_second > 0) for a request ready at now, and set
 * *start to when it may start: now, or later.  Returns false, reserving
 * nothing, when that is more than max_retry_wait away (*start is then the
 * time the slot would have had): the caller reports it with
 * rest_ratelimit_report_delay if the request is still wanted.  ERROR when
 * the table of servers is full, and when the shared memory needs
 * shared_preload_libraries and the library was not preloaded.
 */
bool
rest_ratelimit_reserve(RestConnOptions *opts, TimestampTz now,
					   TimestampTz *start)
{
	RestRateShared *shared = (RestRateShared *) rest_shmem_attach();
	const RestRateLimit *rl = &opts->rate_limit;
	int64		interval;
	int64		tolerance;
	int64		max_wait = (int64) opts->max_retry_wait * USECS_PER_SEC;
	RestRateSlot *slot = NULL;
	RestRateSlot *spare = NULL;
	bool		too_far = false;
	uint32		hash;
	int			i;

	Assert(rl->per_second > 0);
	if (shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("option \"%s\" of server \"%s\" needs rest_fdw in shared_preload_libraries",
						OPT_RATE_LIMIT, opts->servername),
				 errdetail("The requests of all sessions are counted in shared memory, which this version of PostgreSQL reserves only for libraries loaded at server start."),
				 errhint("Add rest_fdw to shared_preload_libraries and restart the server, or drop the \"%s\" option.",
						 OPT_RATE_LIMIT)));

	/* rounded up: never more than N requests a unit */
	interval = (int64) ceil(USECS_PER_SEC / rl->per_second);
	tolerance = interval * (rl->burst - 1);
	*start = now;
	hash = (uint32) ((((uint64) MyDatabaseId * UINT64CONST(0x9E3779B97F4A7C15)) ^
					  opts->serverid) * UINT64CONST(0xBF58476D1CE4E5B9) >> 32);

	SpinLockAcquire(&shared->mutex);
	for (i = 0; i < REST_RATE_SLOTS; i++)
	{
		RestRateSlot *s = &shared->slots[(hash + i) % REST_RATE_SLOTS];

		if (s->dbid == MyDatabaseId && s->serverid == opts->serverid)
		{
			slot = s;
			break;
		}
		/* a full bucket is as good as none: the entry may be reused */
		if (spare == NULL && (s->dbid == InvalidOid || s->tat <= now))
			spare = s;
		/* entries are never freed: the key is not further on */
		if (s->dbid == InvalidOid)
			break;
	}
	if (slot == NULL && spare != NULL)
	{
		slot = spare;
		slot->dbid = MyDatabaseId;
		slot->serverid = opts->serverid;
		slot->tat = now;
	}
	if (slot != NULL)
	{
		TimestampTz tat = Max(slot->tat, now);

		*start = Max(tat - tolerance, now);
		if (*start - now > max_wait)
			too_far = true;
		else
			slot->tat = tat + interval;
	}
	SpinLockRelease(&shared->mutex);

	if (slot == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("too many servers are held to their \"%s\" at the same time",
						OPT_RATE_LIMIT),
				 errdetail("The requests to %d other servers of the cluster are waiting for their rate limits.",
						   REST_RATE_SLOTS),
				 errhint("Try again later.")));
	return !too_far;
}

/*
 * Report a request that rest_ratelimit_reserve did not reserve a slot for,
 * as it would have had to wait delay microseconds.
 */
void
rest_ratelimit_report_delay(RestConnOptions *opts, int64 delay)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("rate limit of server \"%s\" would delay a request by %ld seconds",
					opts->servername,
					(long) ((delay + USECS_PER_SEC - 1) / USECS_PER_SEC)),
			 errdetail("The \"%s\" option is '%s', and the requests of all sessions to the server have taken the slots until then.",
					   OPT_RATE_LIMIT, rest_rate_limit_text(&opts->rate_limit)),
			 errhint("The longest wait allowed is the \"%s\" option of the server (%d seconds).",
					 OPT_MAX_RETRY_WAIT, opts->max_retry_wait)));
}
