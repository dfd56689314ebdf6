/*-------------------------------------------------------------------------
 *
 * token_store.c
 *		  The cross-backend OAuth 2.0 token store.
 *
 * Providers that rotate refresh tokens invalidate the old one at every
 * refresh, and many revoke the whole grant when an old one is used again.
 * So the newest refresh token, and the access token obtained with it, must
 * be shared by every backend and survive backend exit, rollback and
 * restarts; and only one backend at a time may ask for new tokens.
 *
 * The state of each user mapping is a small JSON file, mode 0600, in the
 * directory "rest_fdw" of the data directory, named after the database and
 * the user mapping's OID.  Files are replaced atomically (write, fsync,
 * rename, fsync of the directory), never appended to, and are not
 * transactional: a refresh made by a transaction that rolls back is kept.
 * Nothing needs shared_preload_libraries: files are shared by nature, and
 * the refresh is serialized by a heavyweight advisory-type lock on the
 * user mapping (see rest_store_lock), so waiting for another backend's
 * refresh is interruptible, shows in pg_locks and is released by an ERROR.
 * Writing these files is allowed in read-only transactions and on hot
 * standbys, which write no WAL for them.
 *
 * Each file records the digest of the grant's inputs (token_uri, client_id,
 * the user mapping's refresh_token and the grant type): a file whose digest
 * differs from the user mapping's current one belongs to an old seed and is
 * ignored, so ALTER USER MAPPING with a new refresh token starts over, and a
 * new user mapping that happens to get a dropped one's OID inherits nothing.
 * Files of dropped user mappings and databases are removed lazily.
 *
 * The files hold secrets; nothing here logs their contents.
 *
 *-------------------------------------------------------------------------
 */
#include "rest_fdw.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_database.h"
#include "catalog/pg_user_mapping.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/lock.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#define STORE_DIR			"rest_fdw"
#define STORE_FORMAT		1
/* lock tag field4 that tells our locks from pg_advisory_lock's (1 and 2) */
#define STORE_LOCK_FIELD4	0x5246

static void store_path(char *path, Oid dbid, Oid umid);
static void ensure_store_dir(void);
static void write_atomically(const char *path, const char *data, size_t len);

/* Lower-case hex of len bytes into dst (2 * len + 1 bytes). */
static void
to_hex(const unsigned char *src, int len, char *dst)
{
	static const char digits[] = "0123456789abcdef";
	int			i;

	for (i = 0; i < len; i++)
	{
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 15];
	}
	dst[2 * len] = '\0';
}

/* Parse exactly 2 * len hex digits; false if s is anything else. */
static bool
from_hex(const char *s, unsigned char *dst, int len)
{
	int			i;

	if (strlen(s) != (size_t) (2 * len))
		return false;
	for (i = 0; i < 2 * len; i++)
	{
		char		c = s[i];
		int			v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return false;
		if (i % 2 == 0)
			dst[i / 2] = (unsigned char) (v << 4);
		else
			dst[i / 2] |= (unsigned char) v;
	}
	return true;
}

static void
store_path(char *path, Oid dbid, Oid umid)
{
	snprintf(path, MAXPGPATH, "%s/%s/%u_%u.json", DataDir, STORE_DIR, dbid, umid);
}

static void
ensure_store_dir(void)
{
	char		dir[MAXPGPATH];

	snprintf(dir, MAXPGPATH, "%s/%s", DataDir, STORE_DIR);
	if (MakePGDirectory(dir) < 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", dir)));
}

/*
 * Serialize token requests for a user mapping across all backends of the
 * cluster.  The lock belongs to the transaction: an ERROR releases it.
 */
void
rest_store_lock(Oid umid)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, umid, 0, STORE_LOCK_FIELD4);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

void
rest_store_unlock(Oid umid)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, umid, 0, STORE_LOCK_FIELD4);
	LockRelease(&tag, ExclusiveLock, false);
}

/* jansson values are released when the memory context holding them dies */
static void
json_decref_callback(void *arg)
{
	json_decref((json_t *) arg);
}

static json_t *
json_tracked(json_t *value)
{
	MemoryContextCallback *cb;

	if (value == NULL)
		return NULL;
	cb = palloc(sizeof(MemoryContextCallback));
	cb->func = json_decref_callback;
	cb->arg = value;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return value;
}

static char *
get_string(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? pstrdup(json_string_value(v)) : NULL;
}

static int64
get_int(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_integer(v) ? (int64) json_integer_value(v) : 0;
}

/*
 * Read the stored state of a user mapping of the current database into
 * *tok (strings palloc'd in the current memory context).  Returns false
 * when there is none; a file that cannot be parsed counts as none, with a
 * WARNING that shows no content.
 */
bool
rest_store_read(Oid umid, RestStoredToken *tok)
{
	char		path[MAXPGPATH];
	int			fd;
	struct stat st;
	char	   *buf;
	ssize_t		n;
	json_t	   *root;
	json_error_t jerr;
	char	   *digest;
	char	   *tdigest;

	memset(tok, 0, sizeof(RestStoredToken));
	store_path(path, MyDatabaseId, umid);

	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		if (errno == ENOENT)
			return false;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open token store file \"%s\": %m", path)));
	}
	if (fstat(fd, &st) < 0 || st.st_size > 1024 * 1024)
	{
		CloseTransientFile(fd);
		ereport(WARNING,
				(errmsg("ignoring token store file \"%s\": it is too large or unreadable",
						path)));
		return false;
	}
	buf = palloc(st.st_size + 1);
	n = read(fd, buf, st.st_size);
	CloseTransientFile(fd);
	if (n != st.st_size)
	{
		ereport(WARNING,
				(errmsg("ignoring token store file \"%s\": short read", path)));
		return false;
	}
	buf[n] = '\0';

	root = json_tracked(json_loadb(buf, n, 0, &jerr));
	explicit_bzero(buf, n);
	if (!json_is_object(root) || get_int(root, "format") != STORE_FORMAT)
	{
		ereport(WARNING,
				(errmsg("ignoring token store file \"%s\": it is not in the expected format",
						path)));
		return false;
	}

	digest = get_string(root, "grant_digest");
	tdigest = get_string(root, "token_digest");
	if (digest == NULL || !from_hex(digest, tok->digest, REST_DIGEST_LEN) ||
		tdigest == NULL || !from_hex(tdigest, tok->token_digest, REST_DIGEST_LEN))
	{
		ereport(WARNING,
				(errmsg("ignoring token store file \"%s\": it has no valid grant digest",
						path)));
		return false;
	}

	tok->found = true;
	tok->access_token = get_string(root, "access_token");
	tok->refresh_token = get_string(root, "refresh_token");
	tok->expires_at = (TimestampTz) get_int(root, "expires_at");
	tok->refresh_at = (TimestampTz) get_int(root, "refresh_at");
	tok->last_refresh = (TimestampTz) get_int(root, "last_refresh");
	tok->refresh_count = get_int(root, "refresh_count");
	tok->last_error = get_string(root, "last_error");
	tok->last_error_at = (TimestampTz) get_int(root, "last_error_at");
	return true;
}

/* Write data to path: a temporary file, fsync, rename, fsync of the dir. */
static void
write_atomically(const char *path, const char *data, size_t len)
{
	char		tmp[MAXPGPATH];
	int			fd;

	snprintf(tmp, MAXPGPATH, "%s.tmp.%d", path, MyProcPid);
	fd = OpenTransientFilePerm(tmp, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY,
							   S_IRUSR | S_IWUSR);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create token store file \"%s\": %m", tmp)));
	/* the mode of an existing file is kept by O_TRUNC: set it again */
	if (fchmod(fd, S_IRUSR | S_IWUSR) < 0 ||
		write(fd, data, len) != (ssize_t) len ||
		pg_fsync(fd) != 0)
	{
		int			save_errno = errno ? errno : ENOSPC;

		CloseTransientFile(fd);
		unlink(tmp);
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write token store file \"%s\": %m", tmp)));
	}
	if (CloseTransientFile(fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not close token store file \"%s\": %m", tmp)));
	(void) durable_rename(tmp, path, ERROR);
}

/*
 * Replace the stored state of a user mapping of the current database.
 */
void
rest_store_write(Oid umid, const RestStoredToken *tok)
{
	char		path[MAXPGPATH];
	char		hex[2 * REST_DIGEST_LEN + 1];
	char		thex[2 * REST_DIGEST_LEN + 1];
	json_t	   *root;
	char	   *text;
	MemoryContext tmpcxt;
	MemoryContext oldcxt;

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw token store",
								   ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);

	ensure_store_dir();
	store_path(path, MyDatabaseId, umid);
	to_hex(tok->digest, REST_DIGEST_LEN, hex);
	to_hex(tok->token_digest, REST_DIGEST_LEN, thex);

	/*
	 * json_pack, not json_object(): the postgres executable exports a
	 * json_object of its own (the SQL function), which would win.
	 */
	root = json_tracked(json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:s?, s:I}",
								  "format", STORE_FORMAT,
								  "grant_digest", hex,
								  "token_digest", thex,
								  "access_token", tok->access_token,
								  "refresh_token", tok->refresh_token,
								  "expires_at", (json_int_t) tok->expires_at,
								  "refresh_at", (json_int_t) tok->refresh_at,
								  "last_refresh", (json_int_t) tok->last_refresh,
								  "refresh_count", (json_int_t) tok->refresh_count,
								  "last_error", tok->last_error,
								  "last_error_at", (json_int_t) tok->last_error_at));
	if (root == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));

	text = json_dumps(root, JSON_COMPACT);
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	PG_TRY();
	{
		write_atomically(path, text, strlen(text));
	}
	PG_FINALLY();
	{
		explicit_bzero(text, strlen(text));
		free(text);
	}
	PG_END_TRY();

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
}

/* Remove the stored state of a user mapping; true if there was one. */
bool
rest_store_forget(Oid umid)
{
	char		path[MAXPGPATH];

	store_path(path, MyDatabaseId, umid);
	if (unlink(path) == 0)
		return true;
	if (errno != ENOENT)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not remove token store file \"%s\": %m", path)));
	return false;
}

/*
 * Remove the files of user mappings that no longer exist in the current
 * database, and of databases that no longer exist.  Leftover temporary
 * files of crashed writers go too.
 */
void
rest_store_gc(void)
{
	char		dir[MAXPGPATH];
	DIR		   *d;
	struct dirent *de;

	snprintf(dir, MAXPGPATH, "%s/%s", DataDir, STORE_DIR);
	d = AllocateDir(dir);
	if (d == NULL)
		return;
	while ((de = ReadDirExtended(d, dir, LOG)) != NULL)
	{
		unsigned int dbid;
		unsigned int umid;
		char		extra;
		char		path[MAXPGPATH];
		bool		stale = false;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, MAXPGPATH, "%s/%s", dir, de->d_name);

		if (strstr(de->d_name, ".tmp.") != NULL)
		{
			/* a temporary file of a writer that died; ours are renamed */
			int			pid = atoi(strstr(de->d_name, ".tmp.") + 5);

			stale = (pid != MyProcPid && kill(pid, 0) != 0);
		}
		else if (sscanf(de->d_name, "%u_%u.jso%c", &dbid, &umid, &extra) == 3)
		{
			if (!SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(dbid)))
				stale = true;
			else if (dbid == MyDatabaseId &&
					 !SearchSysCacheExists1(USERMAPPINGOID, ObjectIdGetDatum(umid)))
				stale = true;
		}
		if (stale && unlink(path) != 0 && errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not remove token store file \"%s\": %m", path)));
	}
	FreeDir(d);
}
