/*-------------------------------------------------------------------------
 *
 * http.c
 *		  Every libcurl call of rest_fdw.
 *
 * Each backend keeps, per foreign server, one libcurl multi handle, a share
 * handle and a small pool of easy handles.  Every request of the server
 * runs through that multi handle, which owns the connection pool and the
 * DNS cache, so keep-alive connections survive from one request and one
 * query to the next; the share handle lets every easy handle resume the
 * same TLS sessions.  HTTP/2 is offered on TLS connections, and several
 * requests then share one connection.
 *
 * A request is a RestHttpXfer: rest_http_start sets it up and returns at
 * once, rest_http_wait drives all transfers of the server (blocking or
 * not) until a given one is done, rest_http_finish hands over its response.
 * So a scan can keep several pages in flight, and rest_http_perform is just
 * the three in a row.  Transient failures are retried inside the transfer,
 * after the wait Retry-After asks for or an exponential backoff, without
 * holding up the other transfers.  Waiting loops poll at most 100 ms at a
 * time and call CHECK_FOR_INTERRUPTS() in between, so Ctrl-C and
 * statement_timeout stop a waiting request promptly.
 *
 * Nothing in a libcurl callback raises an error: callbacks record what went
 * wrong and return curl's abort value; the problem is reported by
 * rest_http_finish.  Every ERROR about a transfer names it in the request
 * error context of url.c, pushed only while that transfer is worked on (so
 * a failure of one page in flight never shows another's URL).  A transfer
 * lives in its own memory context, whose reset callback takes the easy
 * handle out of the multi handle, returns it to the pool and frees the
 * header list; so an ERROR thrown anywhere, or the end of a scan that
 * abandons a prefetched page, releases everything.
 *
 * This file knows nothing of SQL, tables or tokens.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "access/xact.h"
#include "catalog/pg_foreign_server.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "storage/latch.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"

#include "rest_fdw.h"

/* How long one curl_multi_poll may wait before interrupts are checked */
#define REST_POLL_INTERVAL_MS	100

/* Longest URL host checked against rest_fdw.allowed_hosts, plus brackets */
#define REST_HOST_BUFLEN		260

/* Idle easy handles kept per server */
#define REST_MAX_IDLE_HANDLES	(REST_MAX_FETCH_CONCURRENCY + 2)

/* The cached handles of one server */
typedef struct RestHttpConn
{
	Oid			serverid;		/* hash key */
	CURLM	   *multi;			/* runs every request of the server */
	CURLSH	   *share;			/* TLS sessions, shared by the easy handles */
	CURL	   *idle[REST_MAX_IDLE_HANDLES];	/* easy handles ready for reuse */
	int			nidle;
	dlist_head	xfers;			/* transfers started and not released */
	int			nxfers;
	int			nattached;		/* of them, those in the multi handle */
	uint32		server_hashvalue;	/* syscache hash of the server's OID */
	uint32		net_generation;	/* rest_net_generation its connections
								 * were checked under */
	bool		restricted;		/* its connections were checked against
								 * allowed_hosts (the owner was not a
								 * superuser) */
	char	   *identity;		/* the client certificate and proxy login its
								 * connections were made with
								 * (transport_identity), in TopMemoryContext */
	int			identity_len;
	bool		invalidated;	/* server changed: recreate when unused */
} RestHttpConn;

typedef enum RestXferState
{
	XFER_RUNNING,				/* in the multi handle */
	XFER_WAITING,				/* waiting to be retried at retry_at */
	XFER_DONE					/* finished, successfully or not */
} RestXferState;

/*
 * One request.  Lives in its own memory context (cxt), a child of the
 * context rest_http_start was called in; the body grows in that caller's
 * context, so that it can be handed over.
 */
struct RestHttpXfer
{
	dlist_node	node;			/* in conn->xfers */
	RestHttpConn *conn;			/* NULL once released */
	CURL	   *easy;
	bool		attached;		/* easy is in conn->multi */
	RestXferState state;
	MemoryContext cxt;
	RestConnOptions *opts;
	char	   *method;
	char	   *display_url;
	char	   *note;			/* of the error context (req->note), or NULL */
	List	   *secrets;		/* never shown in messages (req->secrets) */
	char	   *host;			/* the host connected to, for
								 * open_socket_callback: of the URL, or of
								 * the proxy */
	bool		via_proxy;		/* through the proxy option's proxy */
	bool		restricted;		/* addresses checked against allowed_hosts */
	bool		loopback_only;	/* credentials over http:// to a loopback
								 * host: only loopback addresses */
	bool		is_post;		/* not GET: the request may change data */
	bool		has_body;		/* a request body is sent (POST, PUT, PATCH) */
	char	   *post_body;		/* may hold secrets: zeroed on release */
	size_t		post_len;
	struct curl_slist *headers;

	int			attempt;		/* retries made so far */
	TimestampTz retry_at;		/* XFER_WAITING: when to try again */
	long		asked;			/* a wait asked for longer than allowed, or -1 */
	const char *asked_by;		/* the header that asked for it */
	bool		rate_limited;	/* the API said its rate limit was reached */
	bool		slot_taken;		/* XFER_WAITING for its rate_limit slot */
	int64		rate_wait;		/* microseconds waited for rate_limit slots */
	int64		rate_delay;		/* XFER_DONE without a slot, which was this
								 * far away (microseconds); or 0 */
	CURLcode	result;

	/* response body, grown in bodycxt */
	MemoryContext bodycxt;
	char	   *buf;
	size_t		len;
	size_t		cap;
	size_t		maxsize;
	bool		request_limit;	/* maxsize is the request's, not the option */
	bool		too_large;
	bool		out_of_memory;

	/* a few response headers, copied without allocation */
	char		www_authenticate[512];
	char		link[8192];
	char		link_name[REST_MAX_CAPTURE_NAME + 2];	/* "link:", or the
														 * request's
														 * link_header */
	size_t		link_len;
	bool		link_too_long;
	char		retry_after[64];
	char		reset[64];		/* of the first rate limit reset header */
	const char *reset_header;	/* its name, or NULL */
	char		remaining[64];	/* of the first rate limit remaining header */
	const char *remaining_header;	/* its name, or NULL */
	char		capture_name[REST_MAX_CAPTURE_NAME + 1];	/* or "" */
	char		captured[REST_MAX_CAPTURE_VALUE + 1];

	/* the response cache (cache.c) of a request with cache_ttl */
	char	   *cache_key;		/* or NULL: not cached */
	int			cache_ttl;
	bool		cache_hit;		/* answered from the cache: hit_resp */
	RestHttpResponse hit_resp;
	bool		revalidating;	/* a conditional request for a stale entry */
	char		etag[1024];		/* validators of the response */
	const char *etag_header;
	char		last_modified[64];
	const char *last_modified_header;

	/* an address open_socket_callback refused (the first one) */
	bool		refused;
	RestNetRefusal refusal;
	const char *refused_class;
	int			refused_port;
	char		refused_addr[64];

	char		errbuf[CURL_ERROR_SIZE];
};

static HTAB *ConnHash = NULL;

static RestHttpConn *get_conn(Oid serverid, bool restricted,
							  StringInfo identity);
static void transport_identity(RestConnOptions *opts, StringInfo buf);
static char *check_proxy(RestConnOptions *opts, const char *proxy,
						 bool *loopback_only);
static void warn_unverified(RestConnOptions *opts);
static void set_tls_options(RestHttpXfer *x);
pg_noreturn static void report_proxy_auth(RestHttpXfer *x, long status);
static void free_conn_handles(RestHttpConn *conn);
static void conn_inval_callback(Datum arg, int cacheid, uint32 hashvalue);
static void xfer_cleanup(void *arg);
static void xfer_reset_response(RestHttpXfer *x);
static void drive(RestHttpConn *conn);
static void xfer_completed(RestHttpXfer *x, CURLcode result);
static long promote_retries(RestHttpConn *conn);
static char *check_allowed_host(RestConnOptions *opts, RestHttpRequest *req,
								bool *loopback_only);
static void set_easy_options(RestHttpXfer *x, RestHttpRequest *req);
static void attach_xfer(RestHttpConn *conn, RestHttpXfer *x);
pg_noreturn static void report_failure(RestHttpXfer *x, double connect_time);
pg_noreturn static void report_refusal(RestConnOptions *opts, bool proxy,
									   const char *host,
									   int port, const char *address,
									   RestNetRefusal why, const char *cls);
pg_noreturn static void report_plaintext(RestConnOptions *opts,
										 const char *detail);
static curl_socket_t open_socket_callback(void *clientp, curlsocktype purpose,
										  struct curl_sockaddr *address);
static long retry_after_seconds(const char *value);
static long reset_seconds(const char *value);
static bool try_attach(RestHttpConn *conn, RestHttpXfer *x, TimestampTz now);
pg_noreturn static void report_rate_limited(RestHttpXfer *x, long status);
static size_t write_callback(char *ptr, size_t size, size_t nmemb, void *userdata);
static size_t header_callback(char *ptr, size_t size, size_t nmemb, void *userdata);

/*
 * Set a libcurl option; on failure, report which one.  Only used outside
 * callbacks.
 */
#define CHECK_SETOPT(h, opt, val) \
	do { \
		CURLcode _rc = curl_easy_setopt((h), (opt), (val)); \
		if (_rc != CURLE_OK) \
			ereport(ERROR, \
					(errcode(ERRCODE_FDW_ERROR), \
					 errmsg("could not set libcurl option %s", #opt), \
					 errdetail("%s", curl_easy_strerror(_rc)))); \
	} while (0)

/*
 * Initialise libcurl once per backend.  Called from _PG_init.
 */
void
rest_http_init(void)
{
	CURLcode	rc = curl_global_init(CURL_GLOBAL_ALL);

	if (rc != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not initialize libcurl"),
				 errdetail("%s", curl_easy_strerror(rc))));
}

/*
 * Find or create the handles of a server, for transfers whose addresses are
 * checked against allowed_hosts (restricted) or not.  Handles of a server
 * that was altered since they were made, or whose connections were made
 * under another allow-list or while its owner was (or was not) a
 * superuser, are replaced once no transfer uses them; until then
 * conn->invalidated stays set, and rest_http_start makes every new transfer
 * open a connection of its own.
 */
static RestHttpConn *
get_conn(Oid serverid, bool restricted, StringInfo identity)
{
	RestHttpConn *conn;
	bool		found;

	if (ConnHash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(RestHttpConn);
		ConnHash = hash_create("rest_fdw connections", 8, &ctl,
							   HASH_ELEM | HASH_BLOBS);
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID, conn_inval_callback,
									  (Datum) 0);
	}

	conn = hash_search(ConnHash, &serverid, HASH_ENTER, &found);
	if (!found)
	{
		conn->multi = NULL;
		conn->share = NULL;
		conn->nidle = 0;
		dlist_init(&conn->xfers);
		conn->nxfers = 0;
		conn->nattached = 0;
		conn->invalidated = false;
		conn->server_hashvalue =
			GetSysCacheHashValue1(FOREIGNSERVEROID, ObjectIdGetDatum(serverid));
		conn->net_generation = rest_net_generation;
		conn->restricted = restricted;
		conn->identity = NULL;
		conn->identity_len = 0;
	}

	/*
	 * Another client certificate or proxy login (another user, or an
	 * altered user mapping): connections and TLS sessions made with the
	 * old ones must not serve this user.
	 */
	if (conn->identity == NULL || conn->identity_len != identity->len ||
		memcmp(conn->identity, identity->data, identity->len) != 0)
	{
		if (conn->identity != NULL)
		{
			conn->invalidated = true;
			explicit_bzero(conn->identity, conn->identity_len);
			pfree(conn->identity);
		}
		conn->identity = MemoryContextAlloc(TopMemoryContext,
											Max(identity->len, 1));
		memcpy(conn->identity, identity->data, identity->len);
		conn->identity_len = identity->len;
	}

	/*
	 * The owner gained or lost superuser: a connection made unchecked must
	 * not serve a transfer that is to be checked (reused connections do not
	 * pass open_socket_callback).
	 */
	if (conn->restricted != restricted)
	{
		conn->invalidated = true;
		conn->restricted = restricted;
	}

	/* allowed_hosts changed: no connection opened under the old list stays */
	if (conn->net_generation != rest_net_generation)
	{
		conn->invalidated = true;
		conn->net_generation = rest_net_generation;
	}

	if (conn->invalidated && conn->nxfers == 0)
	{
		free_conn_handles(conn);
		conn->invalidated = false;
	}

	if (conn->share == NULL)
	{
		conn->share = curl_share_init();
		if (conn->share == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a libcurl share handle")));
		/* resuming TLS sessions saves a round trip per new connection */
		(void) curl_share_setopt(conn->share, CURLSHOPT_SHARE,
								 CURL_LOCK_DATA_SSL_SESSION);
	}
	if (conn->multi == NULL)
	{
		conn->multi = curl_multi_init();
		if (conn->multi == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a libcurl multi handle")));
		/* several requests on one HTTP/2 connection */
		(void) curl_multi_setopt(conn->multi, CURLMOPT_PIPELINING,
								 (long) CURLPIPE_MULTIPLEX);
	}
	return conn;
}

/*
 * What identifies the client of a server's connections beyond the
 * server's options (whose changes conn_inval_callback sees): the client
 * certificate and key, and the proxy login, which come from the user
 * mapping.  Each field is written with its length.
 */
static void
transport_identity(RestConnOptions *opts, StringInfo buf)
{
	const char *fields[7];
	int			i;

	fields[0] = opts->ssl_cert;
	fields[1] = opts->ssl_key;
	fields[2] = opts->ssl_key_password;
	fields[3] = opts->ssl_cert_file;
	fields[4] = opts->ssl_key_file;
	fields[5] = opts->proxy_user;
	fields[6] = opts->proxy_password;
	for (i = 0; i < (int) lengthof(fields); i++)
	{
		if (fields[i] == NULL)
			appendStringInfoString(buf, "-;");
		else
			appendStringInfo(buf, "%zu:%s;", strlen(fields[i]), fields[i]);
	}
}

/* Close the connections of a server and free its handles (none in use). */
static void
free_conn_handles(RestHttpConn *conn)
{
	while (conn->nidle > 0)
		curl_easy_cleanup(conn->idle[--conn->nidle]);
	if (conn->multi)
		curl_multi_cleanup(conn->multi);
	if (conn->share)
		curl_share_cleanup(conn->share);
	conn->multi = NULL;
	conn->share = NULL;
}

/*
 * ALTER SERVER or DROP SERVER: recreate that server's handles, so no
 * connection made under the old options is reused.
 */
static void
conn_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	RestHttpConn *conn;

	hash_seq_init(&scan, ConnHash);
	while ((conn = hash_seq_search(&scan)) != NULL)
	{
		if (hashvalue == 0 || conn->server_hashvalue == hashvalue)
			conn->invalidated = true;
	}
}

/*
 * Memory context reset callback of a transfer: take the easy handle out of
 * the multi handle (aborting the transfer if it runs), return it to the
 * pool, free the header list and zero a request body.
 */
static void
xfer_cleanup(void *arg)
{
	RestHttpXfer *x = (RestHttpXfer *) arg;
	RestHttpConn *conn = x->conn;

	if (conn != NULL)
	{
		if (x->attached)
		{
			curl_multi_remove_handle(conn->multi, x->easy);
			conn->nattached--;
			x->attached = false;
		}
		if (x->easy != NULL)
		{
			if (!conn->invalidated && conn->nidle < REST_MAX_IDLE_HANDLES)
				conn->idle[conn->nidle++] = x->easy;
			else
				curl_easy_cleanup(x->easy);
			x->easy = NULL;
		}
		dlist_delete(&x->node);
		conn->nxfers--;
		x->conn = NULL;
	}
	if (x->headers)
	{
		curl_slist_free_all(x->headers);
		x->headers = NULL;
	}
	if (x->post_body)
	{
		explicit_bzero(x->post_body, x->post_len);
		x->post_body = NULL;
	}
}

/*
 * libcurl write callback: append to the body buffer, never beyond maxsize.
 * Allocation failures are recorded, not thrown.
 */
static size_t
write_callback(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	RestHttpXfer *st = (RestHttpXfer *) userdata;
	size_t		n = size * nmemb;

	if (n > st->maxsize - st->len)
	{
		st->too_large = true;
		return 0;
	}

	if (st->len + n + 1 > st->cap)
	{
		size_t		newcap = Max(st->cap * 2, (size_t) 16384);
		char	   *newbuf;

		/* the first chunk: size the buffer by Content-Length if known */
		if (st->buf == NULL && st->easy != NULL)
		{
			curl_off_t	cl = -1;

			if (curl_easy_getinfo(st->easy,
								  CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
								  &cl) == CURLE_OK &&
				cl > 0 && (size_t) cl < st->maxsize)
				newcap = Max(newcap, (size_t) cl + 1);
		}
		newcap = Max(newcap, st->len + n + 1);
		newcap = Min(newcap, st->maxsize + 1);

		newbuf = MemoryContextAllocExtended(st->bodycxt, newcap,
											MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
		if (newbuf == NULL)
		{
			st->out_of_memory = true;
			return 0;
		}
		if (st->buf)
		{
			memcpy(newbuf, st->buf, st->len);
			pfree(st->buf);
		}
		st->buf = newbuf;
		st->cap = newcap;
	}

	memcpy(st->buf + st->len, ptr, n);
	st->len += n;
	st->buf[st->len] = '\0';
	return n;
}

/* The rate limit headers kept, in the spellings APIs use */
static const char *const reset_headers[] = {
	"X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset"
};
static const char *const remaining_headers[] = {
	"X-RateLimit-Remaining", "RateLimit-Remaining", "X-Rate-Limit-Remaining"
};
/* the validators a cached response is revalidated with */
static const char *const etag_headers[] = {"ETag"};
static const char *const last_modified_headers[] = {"Last-Modified"};

/*
 * If the header line ptr (n bytes) is one of the names, keep its value,
 * without white space around it and cut to fit, in dest (unless a header
 * of those names came first) and return true.
 */
static bool
keep_header(const char *ptr, size_t n, const char *const *names, int nnames,
			char *dest, size_t size, const char **found)
{
	int			i;

	for (i = 0; i < nnames; i++)
	{
		size_t		len = strlen(names[i]);
		const char *v = ptr + len + 1;
		size_t		vlen;

		if (n <= len || ptr[len] != ':' || pg_strncasecmp(ptr, names[i], len) != 0)
			continue;
		if (*found != NULL)
			return true;
		vlen = n - len - 1;
		while (vlen > 0 && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
							v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		vlen = Min(vlen, size - 1);
		memcpy(dest, v, vlen);
		dest[vlen] = '\0';
		*found = names[i];
		return true;
	}
	return false;
}

/*
 * The header the request asked for (RestHttpRequest.capture_header) of the
 * final response: the first field of that name, trimmed and cut to
 * REST_MAX_CAPTURE_VALUE bytes.  No allocation, no ERROR.
 */
static void
capture_header(RestHttpXfer *st, const char *ptr, size_t n)
{
	size_t		namelen = strlen(st->capture_name);
	const char *v;
	size_t		vlen;

	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
	{
		st->captured[0] = '\0';
		return;
	}
	if (st->captured[0] != '\0' || n <= namelen || ptr[namelen] != ':' ||
		pg_strncasecmp(ptr, st->capture_name, namelen) != 0)
		return;
	v = ptr + namelen + 1;
	vlen = n - namelen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
						v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	vlen = Min(vlen, sizeof(st->captured) - 1);
	memcpy(st->captured, v, vlen);
	st->captured[vlen] = '\0';
}

/*
 * libcurl header callback: keep the WWW-Authenticate value of the final
 * response, its Link, Retry-After and rate limit headers.  A status line
 * starts a new response (after 100 Continue).
 */
static size_t
header_callback(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	RestHttpXfer *st = (RestHttpXfer *) userdata;
	size_t		n = size * nmemb;
	static const char name[] = "www-authenticate:";
	static const char retry_after[] = "retry-after:";

	if (st->capture_name[0] != '\0')
		capture_header(st, ptr, n);

	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
	{
		st->www_authenticate[0] = '\0';
		st->retry_after[0] = '\0';
		st->link_len = 0;
		st->link[0] = '\0';
		st->link_too_long = false;
		st->reset[0] = '\0';
		st->reset_header = NULL;
		st->remaining[0] = '\0';
		st->remaining_header = NULL;
		st->etag[0] = '\0';
		st->etag_header = NULL;
		st->last_modified[0] = '\0';
		st->last_modified_header = NULL;
	}
	else if (st->cache_key != NULL &&
			 (keep_header(ptr, n, etag_headers, lengthof(etag_headers),
						  st->etag, sizeof(st->etag), &st->etag_header) ||
			  keep_header(ptr, n, last_modified_headers,
						  lengthof(last_modified_headers), st->last_modified,
						  sizeof(st->last_modified), &st->last_modified_header)))
	{
		/* kept */
	}
	else if (keep_header(ptr, n, reset_headers, lengthof(reset_headers),
						 st->reset, sizeof(st->reset), &st->reset_header) ||
			 keep_header(ptr, n, remaining_headers, lengthof(remaining_headers),
						 st->remaining, sizeof(st->remaining),
						 &st->remaining_header))
	{
		/* kept */
	}
	else if (n > sizeof(retry_after) - 1 &&
			 pg_strncasecmp(ptr, retry_after, sizeof(retry_after) - 1) == 0)
	{
		const char *v = ptr + sizeof(retry_after) - 1;
		size_t		vlen = n - (sizeof(retry_after) - 1);

		while (vlen > 0 && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
			vlen--;
		vlen = Min(vlen, sizeof(st->retry_after) - 1);
		memcpy(st->retry_after, v, vlen);
		st->retry_after[vlen] = '\0';
	}
	else if (n > strlen(st->link_name) &&
			 pg_strncasecmp(ptr, st->link_name, strlen(st->link_name)) == 0)
	{
		const char *v = ptr + strlen(st->link_name);
		size_t		vlen = n - strlen(st->link_name);

		while (vlen > 0 && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
			vlen--;
		/* several Link fields are one comma-separated list (RFC 9110 5.3) */
		if (st->link_len + vlen + 3 > sizeof(st->link))
			st->link_too_long = true;
		else
		{
			if (st->link_len > 0)
			{
				memcpy(st->link + st->link_len, ", ", 2);
				st->link_len += 2;
			}
			memcpy(st->link + st->link_len, v, vlen);
			st->link_len += vlen;
			st->link[st->link_len] = '\0';
		}
	}
	else if (n > sizeof(name) - 1 &&
			 pg_strncasecmp(ptr, name, sizeof(name) - 1) == 0 &&
			 st->www_authenticate[0] == '\0')
	{
		const char *v = ptr + sizeof(name) - 1;
		size_t		vlen = n - (sizeof(name) - 1);

		while (vlen > 0 && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
			vlen--;
		vlen = Min(vlen, sizeof(st->www_authenticate) - 1);
		memcpy(st->www_authenticate, v, vlen);
		st->www_authenticate[vlen] = '\0';
	}
	return n;
}

/*
 * Start a request and return at once; nothing is sent before the next
 * rest_http_wait (or rest_http_poll).  The transfer lives in a new memory
 * context under the current one, which also receives the response body:
 * resetting or deleting the current context aborts and releases the
 * transfer.  req is copied.  Errors of PostgreSQL itself (setting options,
 * a host not allowed) are thrown, in the context of the request.
 */
RestHttpXfer *
rest_http_start(RestConnOptions *opts, RestHttpRequest *req)
{
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext xcxt;
	MemoryContextCallback *cb;
	RestRequestContext errctx;
	RestHttpConn *conn;
	RestHttpXfer *x;
	CURL	   *h;
	ListCell   *lc;
	char	   *host;
	char	   *proxy_host = NULL;
	const char *proxy;
	bool		loopback_only;
	StringInfoData identity;

	if (!opts->ssl_verify)
		warn_unverified(opts);
	rest_push_request_context(&errctx, req->method, req->display_url,
							  req->note);
	host = check_allowed_host(opts, req, &loopback_only);
	proxy = host ? rest_proxy_for(opts, host) : opts->proxy;
	if (proxy)
		proxy_host = check_proxy(opts, proxy, &loopback_only);
	initStringInfo(&identity);
	transport_identity(opts, &identity);
	conn = get_conn(opts->serverid, !opts->owner_is_superuser, &identity);
	explicit_bzero(identity.data, identity.len);
	pfree(identity.data);

	xcxt = AllocSetContextCreate(callercxt, "rest_fdw request",
								 ALLOCSET_SMALL_SIZES);
	x = MemoryContextAllocZero(xcxt, sizeof(RestHttpXfer));
	x->cxt = xcxt;
	x->opts = opts;
	x->bodycxt = callercxt;
	x->maxsize = Min((size_t) opts->max_response_size, REST_MAX_RESPONSE_SIZE);
	x->request_limit = req->max_size > 0 && req->max_size < x->maxsize;
	if (x->request_limit)
		x->maxsize = req->max_size;
	x->secrets = list_copy(req->secrets);
	/* the transport's secrets, should a server or proxy echo them */
	if (opts->proxy_password)
		x->secrets = lappend(x->secrets, opts->proxy_password);
	if (opts->ssl_key_password)
		x->secrets = lappend(x->secrets, opts->ssl_key_password);
	if (req->capture_header)
		strlcpy(x->capture_name, req->capture_header, sizeof(x->capture_name));
	snprintf(x->link_name, sizeof(x->link_name), "%s:",
			 req->link_header ? req->link_header : "link");
	x->asked = -1;
	x->method = MemoryContextStrdup(xcxt, req->method);
	x->display_url = MemoryContextStrdup(xcxt, req->display_url);
	x->note = req->note ? MemoryContextStrdup(xcxt, req->note) : NULL;
	x->via_proxy = proxy != NULL;
	if (proxy)
		x->host = MemoryContextStrdup(xcxt, proxy_host);
	else
		x->host = MemoryContextStrdup(xcxt, host ? host : "");
	x->restricted = !opts->owner_is_superuser;
	x->loopback_only = loopback_only;
	/*
	 * Every method but GET may change data; one that carries an
	 * idempotency key may be retried as a GET is.
	 */
	x->is_post = strcmp(req->method, "GET") != 0 && !req->idempotent;
	x->has_body = strcmp(req->method, "POST") == 0 || req->body != NULL;
	cb = MemoryContextAlloc(xcxt, sizeof(MemoryContextCallback));
	cb->func = xfer_cleanup;
	cb->arg = x;
	MemoryContextRegisterResetCallback(xcxt, cb);

	/*
	 * The response cache: a fresh response is the answer, without a
	 * request; a stale one with validators makes the request conditional.
	 */
	if (req->cache_key != NULL && req->cache_ttl > 0)
	{
		bool		fresh;
		RestCacheEntry *e = rest_cache_lookup(req->cache_key, &fresh);

		x->cache_key = MemoryContextStrdup(xcxt, req->cache_key);
		x->cache_ttl = req->cache_ttl;
		if (e != NULL && fresh)
		{
			/* in the caller's context, as rest_http_finish hands it over */
			rest_cache_fill(e, &x->hit_resp, callercxt, 0);
			x->cache_hit = true;
			x->conn = conn;
			dlist_push_tail(&conn->xfers, &x->node);
			conn->nxfers++;
			x->state = XFER_DONE;
			rest_pop_request_context(&errctx);
			return x;
		}
		if (e != NULL)
		{
			const char *etag = rest_cache_etag(e);
			const char *lm = rest_cache_last_modified(e);

			x->revalidating = true;
			req->headers = list_copy(req->headers);
			if (etag)
				req->headers = lappend(req->headers,
									   psprintf("If-None-Match: %s", etag));
			else if (lm)
				req->headers = lappend(req->headers,
									   psprintf("If-Modified-Since: %s", lm));
		}
	}

	/* from here on, the callback returns the handle */
	if (conn->nidle > 0)
		h = conn->idle[--conn->nidle];
	else if ((h = curl_easy_init()) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle")));
	x->easy = h;
	x->conn = conn;
	dlist_push_tail(&conn->xfers, &x->node);
	conn->nxfers++;

	foreach(lc, req->headers)
	{
		struct curl_slist *tmp = curl_slist_append(x->headers,
												   (char *) lfirst(lc));

		if (tmp == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		x->headers = tmp;
	}

	set_easy_options(x, req);

	/* the rate limit's slot is reserved in the context of the request */
	x->state = XFER_WAITING;
	(void) try_attach(conn, x, GetCurrentTimestamp());
	rest_pop_request_context(&errctx);
	return x;
}

/*
 * Hand a transfer to the multi handle: it runs from now on.  A failure is
 * reported in the context of this transfer (a retried one is attached while
 * another request is waited for).
 */
static void
attach_xfer(RestHttpConn *conn, RestHttpXfer *x)
{
	CURLMcode	mc = curl_multi_add_handle(conn->multi, x->easy);

	if (mc != CURLM_OK)
	{
		RestRequestContext errctx;

		rest_push_request_context(&errctx, x->method, x->display_url, x->note);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not start an HTTP request"),
				 errdetail("%s", curl_multi_strerror(mc))));
	}
	x->attached = true;
	conn->nattached++;
	x->state = XFER_RUNNING;
}

/*
 * The Accept-Encoding of every request: the encodings this libcurl
 * decodes, the fastest to decode first (zstd, then brotli, then gzip and
 * deflate), or "" (libcurl's own list) should it have none of them.
 */
static const char *
accept_encoding(void)
{
	static char list[64];

	if (list[0] == '\0')
	{
		const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

#ifdef CURL_VERSION_ZSTD
		if (v->features & CURL_VERSION_ZSTD)
			strlcat(list, "zstd, ", sizeof(list));
#endif
#ifdef CURL_VERSION_BROTLI
		if (v->features & CURL_VERSION_BROTLI)
			strlcat(list, "br, ", sizeof(list));
#endif
		if (v->features & CURL_VERSION_LIBZ)
			strlcat(list, "gzip, deflate, ", sizeof(list));
		if (list[0] != '\0')
			list[strlen(list) - 2] = '\0';
	}
	return list;
}

/*
 * Start a transfer that is ready at now (XFER_WAITING, its retry due),
 * unless its server has a rate_limit: then it first reserves the next
 * slot of the limit all sessions share, and waits for it if that is
 * later (returns false; x->retry_at is then the slot's time).  A slot
 * further away than max_retry_wait is not taken: the transfer is done,
 * and rest_http_finish reports it, so that a page requested ahead that
 * the scan turns out not to need fails nothing.  The caller has pushed
 * the request's error context, for the ERRORs of rest_ratelimit_reserve.
 */
static bool
try_attach(RestHttpConn *conn, RestHttpXfer *x, TimestampTz now)
{
	if (x->opts->rate_limit.per_second > 0 && !x->slot_taken)
	{
		TimestampTz start;

		if (!rest_ratelimit_reserve(x->opts, now, &start))
		{
			x->rate_delay = Max(start - now, 1);
			x->state = XFER_DONE;
			return false;
		}
		if (start > now)
		{
			x->slot_taken = true;
			x->retry_at = start;
			x->rate_wait += start - now;
			return false;
		}
	}
	x->slot_taken = false;
	attach_xfer(conn, x);
	return true;
}

/*
 * Set every libcurl option of x's easy handle for req (reset first, since
 * the handle is reused): the URL, protocols, callbacks, headers, limits
 * and timeouts, TLS verification, the address check, and the POST body,
 * copied into x's context (zeroed when it goes).
 */
static void
set_easy_options(RestHttpXfer *x, RestHttpRequest *req)
{
	RestConnOptions *opts = x->opts;
	RestHttpConn *conn = x->conn;
	CURL	   *h = x->easy;

	curl_easy_reset(h);
	CHECK_SETOPT(h, CURLOPT_PRIVATE, x);
	CHECK_SETOPT(h, CURLOPT_SHARE, conn->share);
	CHECK_SETOPT(h, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	CHECK_SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	CHECK_SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	CHECK_SETOPT(h, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
	CHECK_SETOPT(h, CURLOPT_REDIR_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	CHECK_SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
	CHECK_SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	CHECK_SETOPT(h, CURLOPT_ERRORBUFFER, x->errbuf);
	CHECK_SETOPT(h, CURLOPT_WRITEFUNCTION, write_callback);
	CHECK_SETOPT(h, CURLOPT_WRITEDATA, x);
	CHECK_SETOPT(h, CURLOPT_HEADERFUNCTION, header_callback);
	CHECK_SETOPT(h, CURLOPT_HEADERDATA, x);
	CHECK_SETOPT(h, CURLOPT_HTTPHEADER, x->headers);
	CHECK_SETOPT(h, CURLOPT_USERAGENT, opts->user_agent);
	CHECK_SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, (long) opts->connect_timeout * 1000L);
	CHECK_SETOPT(h, CURLOPT_TIMEOUT_MS, (long) opts->timeout * 1000L);
	if (opts->low_speed_limit > 0)
	{
		CHECK_SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, (long) opts->low_speed_limit);
		CHECK_SETOPT(h, CURLOPT_LOW_SPEED_TIME,
					 (long) (opts->low_speed_time > 0 ? opts->low_speed_time : 30));
	}
	/* the encodings libcurl decodes; the size limit counts decoded bytes */
	CHECK_SETOPT(h, CURLOPT_ACCEPT_ENCODING, accept_encoding());
	CHECK_SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L);
	set_tls_options(x);
	/* HTTP/2 when a TLS server offers it; HTTP/1.1 otherwise */
	CHECK_SETOPT(h, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
	/* wait for a connection that may multiplex rather than open another */
	if (pg_strncasecmp(req->url, "https://", 8) == 0)
		CHECK_SETOPT(h, CURLOPT_PIPEWAIT, 1L);
	if (x->restricted || x->loopback_only)
	{
		CHECK_SETOPT(h, CURLOPT_OPENSOCKETFUNCTION, open_socket_callback);
		CHECK_SETOPT(h, CURLOPT_OPENSOCKETDATA, x);
	}
	if (x->via_proxy)
	{
		/*
		 * The proxy option's proxy, which check_proxy has judged; the
		 * address check sees the proxy as the peer.
		 */
		CHECK_SETOPT(h, CURLOPT_PROXY, opts->proxy);
		if (opts->proxy_user)
			CHECK_SETOPT(h, CURLOPT_PROXYUSERNAME, opts->proxy_user);
		if (opts->proxy_password)
			CHECK_SETOPT(h, CURLOPT_PROXYPASSWORD, opts->proxy_password);
	}
	else if (x->restricted || x->loopback_only || opts->proxy)
	{
		/*
		 * No proxy that the environment names (http_proxy, ALL_PROXY): it
		 * would connect in our place, and the address check needs the
		 * peer; credentials allowed over http:// because the host is
		 * loopback must not travel to it; and a host that no_proxy names
		 * is reached directly.
		 */
		CHECK_SETOPT(h, CURLOPT_PROXY, "");
	}
	if (conn->invalidated)
	{
		/*
		 * The pool is to be dropped, but transfers still use it: this one
		 * neither reuses a connection made under the old conditions nor
		 * leaves its own behind.
		 */
		CHECK_SETOPT(h, CURLOPT_FRESH_CONNECT, 1L);
		CHECK_SETOPT(h, CURLOPT_FORBID_REUSE, 1L);
		CHECK_SETOPT(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	}

	/*
	 * Credentials that libcurl applies itself: Digest and NTLM answer the
	 * server's challenge, AWS Signature Version 4 signs each request.  The
	 * curl_easy_reset above cleared those of the handle's previous request,
	 * which may have been another server's.
	 */
	if (req->httpauth != 0)
	{
		CHECK_SETOPT(h, CURLOPT_HTTPAUTH, req->httpauth);
		CHECK_SETOPT(h, CURLOPT_USERNAME, req->auth_user);
		CHECK_SETOPT(h, CURLOPT_PASSWORD, req->auth_password);
	}
	if (req->aws_sigv4 != NULL)
	{
#if LIBCURL_VERSION_NUM >= 0x074b00
		CHECK_SETOPT(h, CURLOPT_AWS_SIGV4, req->aws_sigv4);
		CHECK_SETOPT(h, CURLOPT_USERNAME, req->auth_user);
		CHECK_SETOPT(h, CURLOPT_PASSWORD, req->auth_password);
#else
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("authentication method \"aws_sigv4\" needs libcurl 7.75.0 or later"),
				 errdetail("rest_fdw was built with libcurl %s.", LIBCURL_VERSION)));
#endif
	}

	if (x->has_body)
	{
		x->post_len = req->body ? req->body_len : 0;
		x->post_body = MemoryContextAlloc(x->cxt, x->post_len + 1);
		if (x->post_len > 0)
			memcpy(x->post_body, req->body, x->post_len);
		x->post_body[x->post_len] = '\0';
		CHECK_SETOPT(h, CURLOPT_POST, 1L);
		CHECK_SETOPT(h, CURLOPT_POSTFIELDS, x->post_body);
		CHECK_SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) x->post_len);
		if (strcmp(req->method, "POST") != 0)
			CHECK_SETOPT(h, CURLOPT_CUSTOMREQUEST, x->method);
	}
	else
	{
		CHECK_SETOPT(h, CURLOPT_HTTPGET, 1L);
		if (strcmp(req->method, "GET") != 0)
			CHECK_SETOPT(h, CURLOPT_CUSTOMREQUEST, x->method);
	}
}

/*
 * The TLS options of a transfer, for the server and for an https://
 * proxy: verification (ssl_verify), the CA file, the lowest version, and
 * the client certificate, given as PEM text (copied by libcurl) or as
 * files.  curl_easy_reset has cleared whatever another request set.
 */
static void
set_tls_options(RestHttpXfer *x)
{
	RestConnOptions *opts = x->opts;
	CURL	   *h = x->easy;
	long		verify = opts->ssl_verify ? 1L : 0L;
	long		version = CURL_SSLVERSION_DEFAULT;

	CHECK_SETOPT(h, CURLOPT_SSL_VERIFYPEER, verify);
	CHECK_SETOPT(h, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	CHECK_SETOPT(h, CURLOPT_PROXY_SSL_VERIFYPEER, verify);
	CHECK_SETOPT(h, CURLOPT_PROXY_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (opts->ssl_ca_file)
	{
		CHECK_SETOPT(h, CURLOPT_CAINFO, opts->ssl_ca_file);
		CHECK_SETOPT(h, CURLOPT_PROXY_CAINFO, opts->ssl_ca_file);
	}
	if (opts->ssl_min_version == REST_TLS_1_2)
		version = CURL_SSLVERSION_TLSv1_2;
	else if (opts->ssl_min_version == REST_TLS_1_3)
		version = CURL_SSLVERSION_TLSv1_3;
	if (version != CURL_SSLVERSION_DEFAULT)
	{
		CHECK_SETOPT(h, CURLOPT_SSLVERSION, version);
		CHECK_SETOPT(h, CURLOPT_PROXY_SSLVERSION, version);
	}

	if (opts->ssl_cert)
	{
		struct curl_blob blob;

		blob.data = opts->ssl_cert;
		blob.len = strlen(opts->ssl_cert);
		blob.flags = CURL_BLOB_COPY;
		CHECK_SETOPT(h, CURLOPT_SSLCERT_BLOB, &blob);
		CHECK_SETOPT(h, CURLOPT_SSLCERTTYPE, "PEM");
	}
	else if (opts->ssl_cert_file)
		CHECK_SETOPT(h, CURLOPT_SSLCERT, opts->ssl_cert_file);
	if (opts->ssl_key)
	{
		struct curl_blob blob;

		blob.data = opts->ssl_key;
		blob.len = strlen(opts->ssl_key);
		blob.flags = CURL_BLOB_COPY;
		CHECK_SETOPT(h, CURLOPT_SSLKEY_BLOB, &blob);
		CHECK_SETOPT(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	else if (opts->ssl_key_file)
		CHECK_SETOPT(h, CURLOPT_SSLKEY, opts->ssl_key_file);
	/*
	 * Always a passphrase with a key: without one, libcurl 7.88 reading an
	 * encrypted key from a blob hands OpenSSL's passphrase callback a NULL
	 * string (and crashes); with "", the key merely fails to decrypt.
	 */
	if (opts->ssl_key || opts->ssl_key_file)
		CHECK_SETOPT(h, CURLOPT_KEYPASSWD,
					 opts->ssl_key_password ? opts->ssl_key_password : "");
}

/*
 * ssl_verify 'false': say so once per statement and server, before the
 * first request (outside the request's error context, which names its
 * URL).
 */
static void
warn_unverified(RestConnOptions *opts)
{
	static TimestampTz warned_statement = 0;
	static Oid	warned_server = InvalidOid;
	TimestampTz statement = GetCurrentStatementStartTimestamp();

	if (statement == warned_statement && opts->serverid == warned_server)
		return;
	warned_statement = statement;
	warned_server = opts->serverid;
	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg("TLS certificate verification is off for server \"%s\"",
					opts->servername),
			 errdetail("The server option \"%s\" is 'false': anyone on the network path can pose as the API and read the requests, credentials included.",
					   OPT_SSL_VERIFY),
			 errhint("Turn verification off in test environments only; for a private CA, give its certificate in the \"%s\" option instead.",
					 OPT_SSL_CA_FILE)));
}

/* Forget the response of an attempt that is retried. */
static void
xfer_reset_response(RestHttpXfer *x)
{
	if (x->buf)
		pfree(x->buf);
	x->buf = NULL;
	x->len = 0;
	x->cap = 0;
	x->too_large = false;
	x->out_of_memory = false;
	x->www_authenticate[0] = '\0';
	x->link[0] = '\0';
	x->link_len = 0;
	x->link_too_long = false;
	x->retry_after[0] = '\0';
	x->reset[0] = '\0';
	x->reset_header = NULL;
	x->remaining[0] = '\0';
	x->remaining_header = NULL;
	x->captured[0] = '\0';
	x->errbuf[0] = '\0';
	x->refused = false;
}

/*
 * Let libcurl move every transfer of the server forward without waiting,
 * and note the ones that finished.
 */
static void
drive(RestHttpConn *conn)
{
	CURLMcode	mc;
	CURLMsg    *msg;
	int			running;
	int			queued;

	mc = curl_multi_perform(conn->multi, &running);
	if (mc != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("HTTP requests failed"),
				 errdetail("%s", curl_multi_strerror(mc))));

	while ((msg = curl_multi_info_read(conn->multi, &queued)) != NULL)
	{
		RestHttpXfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
							  (char **) &x) == CURLE_OK && x != NULL &&
			x->state == XFER_RUNNING)
			xfer_completed(x, msg->data.result);
	}
}

/*
 * A transfer finished.  A transient failure (connection failure; 429, 502,
 * 503 or 504, the server's retry_statuses, or a 403 that says the rate
 * limit is used up, as GitHub's X-RateLimit-Remaining: 0) is retried, at
 * most max_retries times, after the wait Retry-After asks for, or else
 * until the time a rate limit reset header gives, or else an exponential
 * backoff with jitter; never longer than max_retry_wait: the transfer then
 * waits without holding its handle in the multi handle.  A POST (a token
 * request, which may rotate a refresh token, or a request with a body) is
 * retried only when it surely did not reach the server or was refused
 * unread: a refused connection, 429, 503 or the rate-limited 403.
 */
static void
xfer_completed(RestHttpXfer *x, CURLcode result)
{
	RestConnOptions *opts = x->opts;
	RestHttpConn *conn = x->conn;
	long		status = 0;
	bool		transient;

	x->result = result;
	if (result == CURLE_OK)
	{
		bool		exhausted = strcmp(x->remaining, "0") == 0;

		if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
			status = 0;			/* not retried; rest_http_finish reports it */
		x->rate_limited = (status == 403 && exhausted) ||
			(status == 429 && (exhausted || x->reset_header != NULL));
		transient = status == 429 || status == 503 || x->rate_limited ||
			(!x->is_post && (status == 502 || status == 504 ||
							 bms_is_member((int) status, opts->retry_statuses)));
	}
	else
	{
		x->rate_limited = false;
		transient = result == CURLE_COULDNT_CONNECT ||
			(!x->is_post && (result == CURLE_GOT_NOTHING ||
							 result == CURLE_SEND_ERROR ||
							 result == CURLE_RECV_ERROR ||
							 result == CURLE_PARTIAL_FILE));
	}
	/* an address allowed_hosts refused stays refused */
	if (x->refused && result != CURLE_OK)
		transient = false;

	if (transient && x->attempt < opts->max_retries)
	{
		long		asked = retry_after_seconds(x->retry_after);
		long		wait_ms;

		x->asked_by = "Retry-After";
		if (asked < 0 && x->reset_header != NULL)
		{
			asked = reset_seconds(x->reset);
			x->asked_by = x->reset_header;
		}

		if (asked <= opts->max_retry_wait)
		{
			if (asked >= 0)
				wait_ms = asked * 1000;
			else
			{
				/* 0.5 s, 1 s, 2 s, ... with full jitter in its upper half */
				double		base = Min(500.0 * pow(2.0, x->attempt),
									   opts->max_retry_wait * 1000.0);

				wait_ms = (long) (base / 2 + (base / 2) * rest_random_fraction());
			}
			curl_multi_remove_handle(conn->multi, x->easy);
			x->attached = false;
			conn->nattached--;
			xfer_reset_response(x);
			x->attempt++;
			x->retry_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													  wait_ms);
			x->state = XFER_WAITING;
			return;
		}
		x->asked = asked;		/* the server wants a longer pause */
	}
	x->state = XFER_DONE;
}

/*
 * Put transfers whose retry is due back into the multi handle.  Returns
 * the milliseconds until the next retry that is not due yet, or -1.
 */
static long
promote_retries(RestHttpConn *conn)
{
	dlist_iter	iter;
	TimestampTz now = 0;
	long		next = -1;

	dlist_foreach(iter, &conn->xfers)
	{
		RestHttpXfer *x = dlist_container(RestHttpXfer, node, iter.cur);
		long		left;

		if (x->state != XFER_WAITING)
			continue;
		if (now == 0)
			now = GetCurrentTimestamp();
		left = TimestampDifferenceMilliseconds(now, x->retry_at);
		if (left <= 0)
		{
			RestRequestContext errctx;
			bool		started;

			rest_push_request_context(&errctx, x->method, x->display_url,
									  x->note);
			started = try_attach(conn, x, now);
			rest_pop_request_context(&errctx);
			if (started || x->state == XFER_DONE)
				continue;
			left = Max(TimestampDifferenceMilliseconds(now, x->retry_at), 1);
		}
		next = next < 0 ? left : Min(next, left);
	}
	return next;
}

/*
 * Move every transfer of x's server forward until x is done (block) or
 * without waiting (!block).  Waits at most REST_POLL_INTERVAL_MS at a
 * time, checking for interrupts in between; a wait for a retry alone
 * wakes up on the latch.
 */
void
rest_http_wait(RestHttpXfer *x, bool block)
{
	RestHttpConn *conn = x->conn;

	if (conn == NULL)
		elog(ERROR, "rest_fdw: wait for a released HTTP transfer");

	for (;;)
	{
		long		next_retry;
		long		timeout = REST_POLL_INTERVAL_MS;

		CHECK_FOR_INTERRUPTS();
		next_retry = promote_retries(conn);
		drive(conn);
		if (x->state == XFER_DONE || !block)
			return;
		if (next_retry >= 0)
			timeout = Min(timeout, next_retry);
		if (conn->nattached > 0)
		{
			CURLMcode	mc = curl_multi_poll(conn->multi, NULL, 0,
											 (int) Max(timeout, 1), NULL);

			if (mc != CURLM_OK)
			{
				RestRequestContext errctx;

				rest_push_request_context(&errctx, x->method, x->display_url,
										  x->note);
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("HTTP request to server \"%s\" failed",
								x->opts->servername),
						 errdetail("%s", curl_multi_strerror(mc))));
			}
		}
		else
		{
			/* only retries waiting: sleep on the latch, which signals set */
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 next_retry >= 0 ? Max(next_retry, 1) : timeout,
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}

/* Has the transfer finished (with a response or a failure)? */
bool
rest_http_done(RestHttpXfer *x)
{
	return x->state == XFER_DONE;
}

/* Abort a transfer, if it still runs, and release it. */
void
rest_http_cancel(RestHttpXfer *x)
{
	MemoryContextDelete(x->cxt);
}

/*
 * Hand over the response of a finished transfer in *resp (strings in the
 * current memory context, the body in the context the transfer was started
 * in) and release the transfer.  Transport failures (connection refused,
 * timeouts, TLS errors, a body over the size limit) and a Retry-After
 * longer than max_retry_wait are reported as ERRORs naming the server and
 * the option that limits them, in the context of the request; any HTTP
 * status is returned to the caller.
 */
void
rest_http_finish(RestHttpXfer *x, RestHttpResponse *resp)
{
	RestConnOptions *opts = x->opts;
	RestRequestContext errctx;
	char	   *ct = NULL;
	char	   *location = NULL;
	double		connect_time = 0;

	Assert(x->state == XFER_DONE);
	if (x->cache_hit)
	{
		*resp = x->hit_resp;
		resp->from_cache = true;
		resp->secrets = x->secrets;
		MemoryContextDelete(x->cxt);
		return;
	}
	rest_push_request_context(&errctx, x->method, x->display_url, x->note);
	if (x->rate_delay > 0)
		rest_ratelimit_report_delay(opts, x->rate_delay);
	memset(resp, 0, sizeof(RestHttpResponse));
	resp->retries = x->attempt;
	resp->rate_wait = x->rate_wait / 1000000.0;
	resp->secrets = x->secrets;
	/* what libcurl cannot tell stays zero, never uninitialised */
	if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &resp->status) != CURLE_OK)
		resp->status = 0;
	if (curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &resp->elapsed) != CURLE_OK)
		resp->elapsed = 0;
	if (curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME, &connect_time) != CURLE_OK)
		connect_time = 0;

	if (x->result != CURLE_OK)
		report_failure(x, connect_time);
	if (x->asked > opts->max_retry_wait)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("server \"%s\" asked to retry after %ld seconds",
						opts->servername, x->asked),
				 strcmp(x->asked_by, "Retry-After") == 0
				 ? errdetail("It answered HTTP status %ld: %s", resp->status,
							 rest_shorten_scrubbed(x->buf, x->len, 200,
												   x->secrets))
				 : errdetail("It answered HTTP status %ld with %s: %s, the time its rate limit resets; body: %s",
							 resp->status, x->asked_by, x->reset,
							 rest_shorten_scrubbed(x->buf, x->len, 200,
												   x->secrets)),
				 errhint("The longest wait allowed is the \"%s\" option of the server (%d seconds).",
						 OPT_MAX_RETRY_WAIT, opts->max_retry_wait)));
	if (x->rate_limited)
		report_rate_limited(x, resp->status);

	if (curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
		location != NULL)
		resp->redirect_url = pstrdup(location);
	if (resp->status < 100 || resp->status > 999)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("response from server \"%s\" has no valid HTTP status",
						opts->servername)));
	if (resp->status == 407 && x->via_proxy)
		report_proxy_auth(x, resp->status);
	if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
		ct = NULL;
	resp->content_type = ct ? pstrdup(ct) : NULL;
	if (x->buf == NULL)
	{
		x->buf = MemoryContextAlloc(x->bodycxt, 1);
		x->buf[0] = '\0';
	}
	resp->body = x->buf;
	resp->body_len = x->len;
	x->buf = NULL;				/* the caller's now */
	resp->www_authenticate = x->www_authenticate[0]
		? pstrdup(x->www_authenticate) : NULL;
	resp->link = x->link_len > 0 ? pstrdup(x->link) : NULL;
	resp->link_too_long = x->link_too_long;
	resp->captured_header = x->captured[0] ? pstrdup(x->captured) : NULL;

	/* the response cache: a 304 answers with the body kept, a 2xx is kept */
	if (x->cache_key != NULL)
	{
		bool		fresh;
		RestCacheEntry *e;

		if (resp->status == 304 && x->revalidating &&
			(e = rest_cache_lookup(x->cache_key, &fresh)) != NULL)
		{
			pfree(resp->body);
			rest_cache_fill(e, resp, x->bodycxt, x->cache_ttl);
			resp->from_cache = true;
			resp->revalidated = true;
		}
		else if (resp->status >= 200 && resp->status <= 299)
			rest_cache_store(x->cache_key, x->cache_ttl, resp,
							 x->etag[0] ? x->etag : NULL,
							 x->last_modified[0] ? x->last_modified : NULL);
	}

	/* the context's strings go with the transfer */
	rest_pop_request_context(&errctx);
	MemoryContextDelete(x->cxt);
}

/*
 * Report a response that says the API's rate limit is used up (a 403 or
 * 429 with a rate limit remaining header of 0, or a 429 with a reset
 * header), once no retry is left: when the limit resets, if the server
 * said, and how to stay below it.
 */
static void
report_rate_limited(RestHttpXfer *x, long status)
{
	RestConnOptions *opts = x->opts;
	long		reset = x->reset_header ? reset_seconds(x->reset) : -1;
	StringInfoData detail;

	initStringInfo(&detail);
	appendStringInfo(&detail, "It answered HTTP status %ld", status);
	if (x->remaining_header != NULL)
		appendStringInfo(&detail, " with %s: %s", x->remaining_header,
						 x->remaining);
	if (x->attempt > 0)
		appendStringInfo(&detail, " (after %d retries)", x->attempt);
	if (reset >= 0)
		appendStringInfo(&detail, "; the limit resets at %s",
						 timestamptz_to_str(GetCurrentTimestamp() +
											(TimestampTz) reset * USECS_PER_SEC));
	appendStringInfo(&detail, ": %s",
					 rest_shorten_scrubbed(x->buf, x->len, 200, x->secrets));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("rate limit of the API of server \"%s\" was reached",
					opts->servername),
			 errdetail("%s", detail.data),
			 errhint("Set the \"%s\" option of the server to stay below the API's limit, or raise \"%s\" and \"%s\".",
					 OPT_RATE_LIMIT, OPT_MAX_RETRIES, OPT_MAX_RETRY_WAIT)));
}

/*
 * Report the transport failure of a finished transfer (x->result is not
 * CURLE_OK): an address allowed_hosts refused, a body over a limit, out of
 * memory, a timeout (connecting, too slow, or the whole request), a TLS
 * certificate that does not verify, a connection that failed, or whatever
 * else libcurl says.  connect_time is 0 when no connection was made.
 */
static void
report_failure(RestHttpXfer *x, double connect_time)
{
	RestConnOptions *opts = x->opts;
	int			attempt = x->attempt;
	const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result);

	if (x->refused && x->refusal == REST_NET_NOT_LOOPBACK)
		report_plaintext(opts,
						 psprintf("Credentials are sent over http:// to host \"%s\" only because it is a loopback host, and it resolved to %s, which is not a loopback address.",
								  x->host, x->refused_addr));
	if (x->refused)
		report_refusal(opts, x->via_proxy, x->host, x->refused_port,
					   x->refused_addr,
					   x->refusal, x->refused_class);
	if (x->via_proxy)
	{
		long		connect_code = 0;

		if (curl_easy_getinfo(x->easy, CURLINFO_HTTP_CONNECTCODE,
							  &connect_code) == CURLE_OK && connect_code == 407)
			report_proxy_auth(x, connect_code);
	}
	if (x->too_large && x->request_limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("response from server \"%s\" is larger than %zu bytes",
						opts->servername, x->maxsize),
				 errdetail("No larger response is accepted for this request.")));
	if (x->too_large)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("response from server \"%s\" is larger than %d bytes",
						opts->servername, opts->max_response_size),
				 errhint("The limit is the \"%s\" option of the server.",
						 OPT_MAX_RESPONSE_SIZE)));
	if (x->out_of_memory)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while receiving the response from server \"%s\"",
						opts->servername),
				 errdetail("%zu bytes had been received.", x->len)));
	if (x->result == CURLE_OPERATION_TIMEDOUT && connect_time == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg_plural("could not connect to server \"%s\" within %d second",
							   "could not connect to server \"%s\" within %d seconds",
							   opts->connect_timeout, opts->servername,
							   opts->connect_timeout),
				 errdetail("%s", detail),
				 errhint("The limit is the \"%s\" option of the server.",
						 OPT_CONNECT_TIMEOUT)));
	if (x->result == CURLE_OPERATION_TIMEDOUT &&
		opts->low_speed_limit > 0 && strstr(detail, "too slow") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("HTTP request to server \"%s\" was slower than %d bytes per second",
						opts->servername, opts->low_speed_limit),
				 errdetail("%s", detail),
				 errhint("The limits are the \"%s\" and \"%s\" options of the server.",
						 OPT_LOW_SPEED_LIMIT, OPT_LOW_SPEED_TIME)));
	if (x->result == CURLE_OPERATION_TIMEDOUT)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg_plural("HTTP request to server \"%s\" did not complete within %d second",
							   "HTTP request to server \"%s\" did not complete within %d seconds",
							   opts->timeout, opts->servername, opts->timeout),
				 errdetail("%s", detail),
				 errhint("The limit is the \"%s\" option of the server.",
						 OPT_TIMEOUT)));
	/* libcurl 8 reports a key it cannot use under other codes */
	if (x->result == CURLE_SSL_CERTPROBLEM ||
		((opts->ssl_key != NULL || opts->ssl_key_file != NULL) &&
		 (strstr(detail, "unable to set private key") != NULL ||
		  strstr(detail, "unable to use client certificate") != NULL)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not use the TLS client certificate of server \"%s\"",
						opts->servername),
				 errdetail("%s", detail),
				 errhint("Check that \"%s\" (or \"%s\") and \"%s\" (or \"%s\") are a PEM certificate and its private key, and, for an encrypted key, that \"%s\" is its passphrase.",
						 OPT_SSL_CERT, OPT_SSL_CERT_FILE, OPT_SSL_KEY,
						 OPT_SSL_KEY_FILE, OPT_SSL_KEY_PASSWORD)));
	if (x->result == CURLE_SSL_CONNECT_ERROR ||
		(x->result == CURLE_RECV_ERROR && strstr(detail, "alert") != NULL))
	{
		bool		no_cert = opts->ssl_cert == NULL && opts->ssl_cert_file == NULL;
		bool		version = strstr(detail, "protocol version") != NULL ||
			strstr(detail, "unsupported protocol") != NULL;
		bool		refused = strstr(detail, "alert handshake failure") != NULL ||
			strstr(detail, "certificate") != NULL;

		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not establish a TLS connection to server \"%s\"",
						opts->servername),
				 errdetail("%s", detail),
				 version && opts->ssl_min_version != REST_TLS_DEFAULT
				 ? errhint("The host does not offer the TLS version that the \"%s\" option of the server asks for.",
						   OPT_SSL_MIN_VERSION)
				 : refused && no_cert
				 ? errhint("The host may require a TLS client certificate: give it as \"%s\" and \"%s\" in the user mapping.",
						   OPT_SSL_CERT, OPT_SSL_KEY)
				 : refused
				 ? errhint("The host may not accept the TLS client certificate of \"%s\" or \"%s\".",
						   OPT_SSL_CERT, OPT_SSL_CERT_FILE)
				 : 0));
	}
	if (x->result == CURLE_PEER_FAILED_VERIFICATION)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not verify the TLS certificate of server \"%s\"",
						opts->servername),
				 errdetail("%s", detail),
				 errhint("If the certificate is issued by a private CA, give the CA's certificate file in the \"%s\" option; the host name in base_url must match the certificate.",
						 OPT_SSL_CA_FILE)));
	if (attempt > 0)
		detail = psprintf("%s (after %d retries)", detail, attempt);
	if (x->result == CURLE_COULDNT_CONNECT ||
		x->result == CURLE_COULDNT_RESOLVE_HOST ||
		x->result == CURLE_COULDNT_RESOLVE_PROXY)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not connect to server \"%s\"", opts->servername),
				 errdetail("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_ERROR),
			 errmsg("HTTP request to server \"%s\" failed", opts->servername),
			 errdetail("%s", detail)));
}

/*
 * Perform one HTTP request and fill *resp: rest_http_start,
 * rest_http_wait and rest_http_finish in a row.  The body is palloc'd in
 * the current memory context.
 */
void
rest_http_perform(RestConnOptions *opts, RestHttpRequest *req,
				  RestHttpResponse *resp)
{
	RestHttpXfer *x = rest_http_start(opts, req);

	rest_http_wait(x, true);
	rest_http_finish(x, resp);
}

/*
 * Report a connection that rest_fdw.allowed_hosts does not permit: to
 * host:port (the server's proxy, if proxy is set), at address (as
 * "a.b.c.d:port", when the refusal is of a resolved address) or before
 * resolution (address NULL).
 */
static void
report_refusal(RestConnOptions *opts, bool proxy, const char *host, int port,
			   const char *address, RestNetRefusal why, const char *cls)
{
	char		target[REST_HOST_BUFLEN + 8];

	snprintf(target, sizeof(target), "%s:%d", host, port);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 proxy && address
			 ? errmsg("server \"%s\" may not connect to its proxy \"%s\" at address %s",
					  opts->servername, target, address)
			 : proxy
			 ? errmsg("server \"%s\" may not connect to its proxy \"%s\"",
					  opts->servername, target)
			 : address
			 ? errmsg("server \"%s\" may not connect to \"%s\" at address %s",
					  opts->servername, target, address)
			 : errmsg("server \"%s\" may not connect to \"%s\"",
					  opts->servername, target),
			 why == REST_NET_NOT_PUBLIC
			 ? errdetail("The owner of the server is not a superuser, and %s is a non-public address (%s), which rest_fdw.allowed_hosts permits only where an entry names the host or the address.",
						 address ? address : target, cls)
			 : why == REST_NET_OTHER_PORT
			 ? errdetail("The owner of the server is not a superuser, and rest_fdw.allowed_hosts lists the host only with other ports.")
			 : errdetail("The owner of the server is not a superuser, and rest_fdw.allowed_hosts lists neither the host nor the address."),
			 errhint("A superuser can add the host or the address, with or without a port, to rest_fdw.allowed_hosts.")));
}

/*
 * Report a request that would send credentials in plain text; detail says
 * why it is refused.
 */
static void
report_plaintext(RestConnOptions *opts, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
			 errmsg("server \"%s\" may not send credentials over unencrypted HTTP",
					opts->servername),
			 errdetail("%s", detail),
			 errhint("Use an https:// URL; or, if the network between the database server and that host is trusted, set the server option \"%s\" to 'true'.",
					 OPT_ALLOW_INSECURE_HTTP)));
}

/*
 * Check the target of a request before anything is sent, and return its
 * host (palloc'd; NULL if the URL cannot be parsed, which libcurl then
 * reports).  *loopback_only is set when credentials go over http:// only
 * because the host is a loopback host: the transfer must then connect to
 * a loopback address, and not through a proxy.
 *
 * Credentials are never sent in plain text over the network: a server
 * whose authentication method puts credentials into every request (and
 * into the token request) may use http:// only for loopback hosts (the
 * name localhost, or a loopback address), unless its allow_insecure_http
 * option says otherwise.  A credentialed request whose host cannot be
 * read is refused, whatever the scheme.
 *
 * A server owned by a non-superuser may connect only where
 * rest_fdw.allowed_hosts permits (netpolicy.c).  A host given as an
 * address is judged completely here; for a name, every address it
 * resolves to is judged again at connect time by open_socket_callback.
 */
static char *
check_allowed_host(RestConnOptions *opts, RestHttpRequest *req,
				   bool *loopback_only)
{
	CURLU	   *u;
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *port = NULL;
	char	   *hostcopy = NULL;
	bool		have_scheme;
	bool		have_host;
	bool		parsed;
	bool		is_http = false;
	bool		credentials = opts->auth_method != REST_AUTH_NONE;
	int			portnum = 0;
	RestNetAddr addr;
	bool		literal;
	RestNetRefusal why;
	const char *cls;

	*loopback_only = false;
	u = curl_url();
	if (u == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	have_scheme = curl_url_set(u, CURLUPART_URL, req->url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK;
	/* the scheme decides, however long the host is */
	if (have_scheme)
		is_http = pg_strcasecmp(scheme, "http") == 0;
	have_host = have_scheme &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	if (have_host)
	{
		/* the whole host: a cut one could pass a suffix test it fails */
		hostcopy = MemoryContextAllocExtended(CurrentMemoryContext,
											  strlen(host) + 1, MCXT_ALLOC_NO_OOM);
		if (hostcopy)
			strcpy(hostcopy, host);
		portnum = atoi(port);
	}
	if (scheme)
		curl_free(scheme);
	if (host)
		curl_free(host);
	if (port)
		curl_free(port);
	curl_url_cleanup(u);
	if (have_host && hostcopy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	/* a host longer than any DNS name is not checked, only refused */
	parsed = have_host && strlen(hostcopy) < REST_HOST_BUFLEN;

	if (credentials && !have_host)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("server \"%s\" may not send credentials to a URL whose host cannot be read",
						opts->servername),
				 errdetail("The request would carry the credentials of authentication method \"%s\".",
						   rest_auth_method_name(opts->auth_method))));

	if (is_http && credentials && !opts->allow_insecure_http)
	{
		if (!parsed || !rest_net_is_loopback_host(hostcopy))
			report_plaintext(opts,
							 psprintf("The request to host \"%s\" would carry the credentials of authentication method \"%s\" in plain text.",
									  rest_shorten(hostcopy, strlen(hostcopy), 100),
									  rest_auth_method_name(opts->auth_method)));
		*loopback_only = true;
	}

	if (opts->owner_is_superuser)
		return parsed ? hostcopy : NULL;

	rest_net_check_list_known(opts->servername);
	if (!parsed)
		report_refusal(opts, false, "", 0, NULL, REST_NET_NOT_LISTED, NULL);
	literal = rest_net_parse_literal(hostcopy, &addr);
	if (!rest_net_allowed(hostcopy, portnum, literal ? &addr : NULL, &why, &cls))
		report_refusal(opts, false, hostcopy, portnum, NULL, why, cls);
	return hostcopy;
}

/*
 * Check the proxy a request goes through, before anything is sent, and
 * return its host (palloc'd).
 *
 * The request's own host has been checked by check_allowed_host, as for
 * a direct connection; the proxy is judged by the same rules: a server
 * owned by a non-superuser may use it only where rest_fdw.allowed_hosts
 * permits its host and port, and the addresses it resolves to are
 * judged at connect time by open_socket_callback (the proxy is the peer
 * of every connection).  The addresses the proxy connects to are the
 * proxy's to check.
 *
 * The proxy password goes over http:// to the proxy in plain text: as
 * credentials to a server, only to a loopback host, unless
 * allow_insecure_http says otherwise; *loopback_only is then set.
 */
static char *
check_proxy(RestConnOptions *opts, const char *proxy, bool *loopback_only)
{
	char	   *host;
	int			port;
	bool		is_https;
	bool		credentials;
	RestNetAddr addr;
	bool		literal;
	RestNetRefusal why;
	const char *cls;

	if (rest_proxy_parse(proxy, &host, &port, &is_https, &credentials) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid URL in option \"%s\" of server \"%s\"",
						OPT_PROXY, opts->servername)));
	if (strlen(host) >= REST_HOST_BUFLEN)
		report_refusal(opts, true, "", 0, NULL, REST_NET_NOT_LISTED, NULL);

	if (!is_https && opts->proxy_password && !opts->allow_insecure_http)
	{
		if (!rest_net_is_loopback_host(host))
			report_plaintext(opts,
							 psprintf("The password of the user mapping option \"%s\" would go to proxy host \"%s\" over http:// in plain text.",
									  OPT_PROXY_PASSWORD, host));
		*loopback_only = true;
	}

	if (opts->owner_is_superuser)
		return host;
	rest_net_check_list_known(opts->servername);
	literal = rest_net_parse_literal(host, &addr);
	if (!rest_net_allowed(host, port, literal ? &addr : NULL, &why, &cls))
		report_refusal(opts, true, host, port, NULL, why, cls);
	return host;
}

/*
 * The proxy refused the request for want of (valid) credentials: HTTP
 * status 407, to a request or to the CONNECT of an https:// one.
 */
static void
report_proxy_auth(RestHttpXfer *x, long status)
{
	RestConnOptions *opts = x->opts;

	ereport(ERROR,
			(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
			 errmsg("the proxy of server \"%s\" refused the request: HTTP status %ld (Proxy Authentication Required)",
					opts->servername, status),
			 opts->proxy_user == NULL
			 ? errdetail("The user mapping gives no \"%s\".", OPT_PROXY_USER)
			 : errdetail("It did not accept the user name and password of the user mapping."),
			 errhint("Set the user mapping options \"%s\" and \"%s\" to the proxy's login: ALTER USER MAPPING FOR ... SERVER %s OPTIONS (SET %s '...').",
					 OPT_PROXY_USER, OPT_PROXY_PASSWORD,
					 rest_quote_ident(opts->servername), OPT_PROXY_PASSWORD)));
}

/*
 * libcurl socket callback of the transfers of non-superusers' servers, and
 * of transfers that send credentials over http:// to a loopback host.
 * For the former, open a socket only for an address rest_fdw.allowed_hosts
 * permits for the transfer's host, so that a name resolving (or
 * re-resolving, as in DNS rebinding) to a loopback or private address is
 * refused whatever the name check said; for the latter, only for a
 * loopback address.  A refused address is recorded and the connection
 * attempt fails (libcurl tries the host's other addresses); the refusal
 * is reported by rest_http_finish.
 */
static curl_socket_t
open_socket_callback(void *clientp, curlsocktype purpose,
					 struct curl_sockaddr *address)
{
	RestHttpXfer *x = (RestHttpXfer *) clientp;
	RestNetAddr addr;
	int			port = 0;
	RestNetRefusal why = x->restricted ? REST_NET_NOT_LISTED : REST_NET_NOT_LOOPBACK;
	const char *cls = NULL;
	bool		is_ip;

	is_ip = rest_net_from_sockaddr(&address->addr, &addr, &port);
	if (purpose == CURLSOCKTYPE_IPCXN && is_ip)
	{
		if (x->loopback_only && !rest_net_is_loopback_addr(&addr))
			why = REST_NET_NOT_LOOPBACK;
		else if (!x->restricted ||
				 rest_net_allowed(x->host, port, &addr, &why, &cls))
			return socket(address->family, address->socktype, address->protocol);
	}

	if (!x->refused)
	{
		x->refused = true;
		x->refusal = why;
		x->refused_class = cls;
		x->refused_port = port;
		if (is_ip)
			rest_net_format(&addr, port, x->refused_addr, sizeof(x->refused_addr));
		else
			strlcpy(x->refused_addr, "(not an IP address)", sizeof(x->refused_addr));
	}
	return CURL_SOCKET_BAD;
}

/*
 * Seconds a Retry-After header asks for (delay-seconds or an HTTP-date),
 * or -1 when there is none or it cannot be read.
 */
static long
retry_after_seconds(const char *value)
{
	char	   *end;
	long		secs;
	time_t		when;

	if (value == NULL || value[0] == '\0')
		return -1;
	errno = 0;
	secs = strtol(value, &end, 10);
	if (errno == 0 && end != value && *end == '\0' && secs >= 0)
		return secs;
	when = curl_getdate(value, NULL);
	if (when == (time_t) -1)
		return -1;
	secs = (long) (when - time(NULL));
	return Max(secs, 0);
}

/*
 * Seconds until the time a rate limit reset header gives, or -1 when there
 * is none or it cannot be read.  The header is epoch seconds for some APIs
 * (GitHub, Twitter) and a delay in seconds for others (the IETF RateLimit
 * fields): a value above 10^9 (September 2001, and a delay of 31 years) is
 * taken as epoch seconds.  A fraction counts as a whole second.
 */
static long
reset_seconds(const char *value)
{
	char	   *end;
	double		v;

	if (value == NULL || !isdigit((unsigned char) value[0]))
		return -1;
	errno = 0;
	v = strtod(value, &end);
	if (errno != 0 || *end != '\0' || !(v >= 0 && v < 1e12))
		return -1;
	if (v > 1e9)
		v -= (double) time(NULL);
	return v > 0 ? (long) ceil(v) : 0;
}


/*
 * Resolve a URL reference (absolute, or relative as in RFC 3986 section 5)
 * against base.  Returns NULL when the result is not a valid http or https
 * URL.  The result is palloc'd.
 */
char *
rest_resolve_url(const char *base, const char *ref)
{
	CURLU	   *u = curl_url();
	char	   *out = NULL;
	char	   *scheme = NULL;
	char	   *result = NULL;

	if (u == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
		curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		(pg_strcasecmp(scheme, "http") == 0 || pg_strcasecmp(scheme, "https") == 0) &&
		curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
	{
		/* copy before freeing: palloc could throw */
		result = MemoryContextAllocExtended(CurrentMemoryContext,
											strlen(out) + 1, MCXT_ALLOC_NO_OOM);
		if (result)
			strcpy(result, out);
	}
	if (out)
		curl_free(out);
	if (scheme)
		curl_free(scheme);
	curl_url_cleanup(u);
	return result;
}

/* "scheme://host:port" of a URL, lower-cased (palloc'd); NULL if it has none */
static char *
url_origin(const char *url)
{
	CURLU	   *u = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *port = NULL;
	char	   *origin = NULL;

	if (u == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
	{
		/* allocation failures must not leak the curl strings: no ERROR here */
		size_t		len = strlen(scheme) + strlen(host) + strlen(port) + 5;

		origin = MemoryContextAllocExtended(CurrentMemoryContext, len,
											MCXT_ALLOC_NO_OOM);
		if (origin)
		{
			char	   *p;

			snprintf(origin, len, "%s://%s:%s", scheme, host, port);
			for (p = origin; *p; p++)
				*p = pg_tolower((unsigned char) *p);
		}
	}
	if (scheme)
		curl_free(scheme);
	if (host)
		curl_free(host);
	if (port)
		curl_free(port);
	curl_url_cleanup(u);
	return origin;
}

/* Do two URLs have the same scheme, host and port? */
bool
rest_same_origin(const char *a, const char *b)
{
	char	   *oa = url_origin(a);
	char	   *ob = url_origin(b);

	return oa != NULL && ob != NULL && strcmp(oa, ob) == 0;
}
