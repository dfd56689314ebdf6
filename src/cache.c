/*-------------------------------------------------------------------------
 *
 * cache.c
 *		  The per-backend response cache of the cache_ttl option.
 *
 * A response to a scan's request is kept for cache_ttl seconds in the
 * backend, keyed by the request as sent but for its credentials: the user
 * mapping (so one user never sees what another's credentials fetched),
 * the server, the method, the URL, the body and the headers.  The key is
 * computed before credentials are added (auth.c), so a refreshed token
 * still finds the responses; it is kept whole in the entry and compared,
 * the SHA-256 of it being only the hash key.  A stale entry that had an
 * ETag or a Last-Modified is revalidated (http.c sends If-None-Match or
 * If-Modified-Since; a 304 answers with the kept body).
 *
 * Entries live in a memory context of their own under TopMemoryContext,
 * at most rest_fdw.cache_size kilobytes together; the oldest go first, and
 * a response larger than a quarter of it is not kept.  ALTER or DROP of a
 * server or user mapping, any write through rest_fdw and
 * rest_fdw_cache_clear() empty the cache.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "rest_fdw.h"

/* One kept response */
struct RestCacheEntry
{
	uint8		hash[PG_SHA256_DIGEST_LENGTH];	/* hash key: SHA-256 of key */
	char	   *key;			/* the whole key, compared on lookup */
	MemoryContext cxt;			/* everything of the entry */
	dlist_node	node;			/* in CacheOrder, oldest first */
	TimestampTz expires;
	size_t		size;			/* bytes counted against the limit */
	long		status;
	char	   *body;
	size_t		body_len;
	char	   *content_type;
	char	   *link;
	char	   *captured_header;
	char	   *etag;			/* validators of the response, or NULL */
	char	   *last_modified;
};

static HTAB *CacheHash = NULL;
static dlist_head CacheOrder = DLIST_STATIC_INIT(CacheOrder);
static MemoryContext CacheContext = NULL;
static size_t CacheBytes = 0;

/* rest_fdw.cache_size, in kilobytes */
static int	rest_cache_size_kb = 65536;

static void cache_inval_callback(Datum arg, int cacheid, uint32 hashvalue);

/* The GUC, and the callbacks that empty the cache; from _PG_init */
void
rest_cache_init(void)
{
	DefineCustomIntVariable("rest_fdw.cache_size",
							"Memory each backend may keep responses in for the cache_ttl option.",
							"Responses are dropped oldest first beyond it; one larger than a quarter of it is not kept.",
							&rest_cache_size_kb,
							65536, 0, MAX_KILOBYTES,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, cache_inval_callback,
								  (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, cache_inval_callback,
								  (Datum) 0);
}

static void
cache_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	(void) rest_cache_clear();
}

static void
ensure_cache(void)
{
	HASHCTL		ctl;

	if (CacheHash != NULL)
		return;
	CacheContext = AllocSetContextCreate(TopMemoryContext,
										 "rest_fdw response cache",
										 ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = PG_SHA256_DIGEST_LENGTH;
	ctl.entrysize = sizeof(RestCacheEntry);
	ctl.hcxt = CacheContext;
	CacheHash = hash_create("rest_fdw response cache", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
sha256(const char *s, uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) s, strlen(s)) < 0 ||
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
	{
		pg_cryptohash_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute the key of a cached response")));
	}
	pg_cryptohash_free(ctx);
}

static void
drop_entry(RestCacheEntry *e)
{
	MemoryContext cxt = e->cxt;
	bool		found;

	dlist_delete(&e->node);
	CacheBytes -= e->size;
	(void) hash_search(CacheHash, e->hash, HASH_REMOVE, &found);
	MemoryContextDelete(cxt);
}

/*
 * The key of a request (credentials not yet added): the user mapping and
 * the server, the method, the URL, the body and every header, each
 * prefixed by its length so that no two requests run together.  palloc'd.
 */
char *
rest_cache_key(RestConnOptions *conn, const RestHttpRequest *req)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%u/%u/", conn->umid, conn->serverid);
	appendStringInfo(&buf, "%zu:%s", strlen(req->method), req->method);
	appendStringInfo(&buf, "%zu:%s", strlen(req->url), req->url);
	appendStringInfo(&buf, "%zu:", req->body ? req->body_len : 0);
	if (req->body)
		appendBinaryStringInfo(&buf, req->body, req->body_len);
	foreach(lc, req->headers)
	{
		const char *h = (const char *) lfirst(lc);

		appendStringInfo(&buf, "%zu:%s", strlen(h), h);
	}
	return buf.data;
}

/*
 * The entry of key, or NULL; *fresh says whether it is younger than its
 * time to live (else only its validators are of use).
 */
RestCacheEntry *
rest_cache_lookup(const char *key, bool *fresh)
{
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	RestCacheEntry *e;

	*fresh = false;
	if (CacheHash == NULL || key == NULL)
		return NULL;
	sha256(key, hash);
	e = (RestCacheEntry *) hash_search(CacheHash, hash, HASH_FIND, NULL);
	if (e == NULL || strcmp(e->key, key) != 0)
		return NULL;
	*fresh = GetCurrentTimestamp() < e->expires;
	if (!*fresh && e->etag == NULL && e->last_modified == NULL)
	{
		drop_entry(e);
		return NULL;
	}
	return e;
}

/* The validators of a stale entry, for a conditional request */
const char *
rest_cache_etag(RestCacheEntry *e)
{
	return e->etag;
}

const char *
rest_cache_last_modified(RestCacheEntry *e)
{
	return e->last_modified;
}

/*
 * The kept response of e in *resp, as http.c returns one: the body in
 * bodycxt, the strings in the current context.  With ttl (a 304 answered
 * the revalidation), e is fresh again for ttl seconds.
 */
void
rest_cache_fill(RestCacheEntry *e, RestHttpResponse *resp, MemoryContext bodycxt,
				int ttl)
{
	resp->status = e->status;
	resp->body = MemoryContextAlloc(bodycxt, e->body_len + 1);
	memcpy(resp->body, e->body, e->body_len);
	resp->body[e->body_len] = '\0';
	resp->body_len = e->body_len;
	resp->content_type = e->content_type ? pstrdup(e->content_type) : NULL;
	resp->link = e->link ? pstrdup(e->link) : NULL;
	resp->captured_header = e->captured_header ? pstrdup(e->captured_header) : NULL;
	if (ttl > 0)
		e->expires = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												 (int64) ttl * 1000);
}

static char *
cache_strdup(MemoryContext cxt, const char *s)
{
	return s ? MemoryContextStrdup(cxt, s) : NULL;
}

/*
 * Keep a 2xx response to the request of key for ttl seconds, replacing
 * what was kept for it; the oldest entries go to make room.  A response
 * larger than a quarter of rest_fdw.cache_size is not kept.
 */
void
rest_cache_store(const char *key, int ttl, const RestHttpResponse *resp,
				 const char *etag, const char *last_modified)
{
	size_t		limit = (size_t) rest_cache_size_kb * 1024;
	size_t		size;
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	RestCacheEntry *e;
	MemoryContext cxt;
	bool		found;

	if (ttl <= 0 || key == NULL)
		return;
	size = resp->body_len + strlen(key) + 1024;
	ensure_cache();
	sha256(key, hash);
	e = (RestCacheEntry *) hash_search(CacheHash, hash, HASH_FIND, NULL);
	if (e != NULL)
		drop_entry(e);
	if (size > limit / 4)
		return;
	while (CacheBytes + size > limit && !dlist_is_empty(&CacheOrder))
		drop_entry(dlist_head_element(RestCacheEntry, node, &CacheOrder));

	cxt = AllocSetContextCreate(CacheContext, "rest_fdw cached response",
								ALLOCSET_SMALL_SIZES);
	e = (RestCacheEntry *) hash_search(CacheHash, hash, HASH_ENTER, &found);
	Assert(!found);
	e->cxt = cxt;
	e->key = MemoryContextStrdup(cxt, key);
	e->expires = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											 (int64) ttl * 1000);
	e->size = size;
	e->status = resp->status;
	e->body = MemoryContextAlloc(cxt, resp->body_len + 1);
	memcpy(e->body, resp->body, resp->body_len);
	e->body[resp->body_len] = '\0';
	e->body_len = resp->body_len;
	e->content_type = cache_strdup(cxt, resp->content_type);
	e->link = cache_strdup(cxt, resp->link);
	e->captured_header = cache_strdup(cxt, resp->captured_header);
	e->etag = cache_strdup(cxt, etag);
	e->last_modified = cache_strdup(cxt, last_modified);
	dlist_push_tail(&CacheOrder, &e->node);
	CacheBytes += size;
}

/* Drop every kept response; the number dropped */
int64
rest_cache_clear(void)
{
	int64		n = 0;

	if (CacheHash == NULL)
		return 0;
	while (!dlist_is_empty(&CacheOrder))
	{
		drop_entry(dlist_head_element(RestCacheEntry, node, &CacheOrder));
		n++;
	}
	return n;
}

PG_FUNCTION_INFO_V1(rest_fdw_cache_clear);

/* rest_fdw_cache_clear(): empty this backend's response cache */
Datum
rest_fdw_cache_clear(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(rest_cache_clear());
}
