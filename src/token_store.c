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
 * The state is kept in small JSON files, mode 0600, in the directory
 * "rest_fdw" of the data directory: one per grant, shared by every user
 * mapping holding it (its refresh chain and access tokens: see "The state
 * of a grant" below), and one per user mapping, named after the database
 * and the user mapping's OID (the grant it uses, its last error; files of
 * earlier versions also hold tokens, which are still read).  Files are replaced atomically (write, fsync,
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
 *
 * Files are bounded (STORE_MAX_FILE_SIZE): the writer refuses a state it
 * could not read back, and the reader reads everything up to that size.  A
 * file that is too large or not in the expected format is an ERROR, never
 * silently ignored: ignoring it would present the user mapping's refresh
 * token again, which a provider that rotates refresh tokens has retired
 * (and may answer by revoking the grant).
 *
 * Copies of the data directory (pg_basebackup, a restored backup, a clone)
 * carry the store along, and a copy presenting a refresh token that the
 * original has rotated since makes such a provider revoke the grant.  So
 * each file records the identity of the cluster instance that wrote it:
 * the system identifier and a random instance id kept in a file whose name
 * starts with "pgsql_tmp", which pg_basebackup never copies (it skips
 * temporary files).  A file of another instance is not used; see
 * classify_copy for what happens instead.
 *
 * Within one cluster, CREATE DATABASE ... TEMPLATE copies a user mapping
 * (same OID, same refresh_token) but not its file, which is named after the
 * database, and pg_dump/restore into another database makes a new user
 * mapping with the same refresh_token.  Such a copy holds the same grant,
 * and so uses the grant's file.  Files of earlier versions kept the
 * refresh token per user mapping: before a user mapping presents its own
 * refresh_token for the first time (no refresh token of the grant stored
 * yet), those are searched for one of the same grant whose refresh token
 * differs from the seed: see rest_store_claim_seed.  A dump restored into another cluster cannot be
 * detected this way: that cluster has no file of the original.
 *
 * Files of dropped user mappings and databases are removed lazily, and
 * never while the user mapping may exist in a transaction not yet
 * committed (see rest_store_gc).
 *
 * The files hold secrets; nothing here logs their contents.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "catalog/pg_user_mapping.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/lock.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "rest_fdw.h"

#define STORE_DIR			"rest_fdw"
/* 1: files without the cluster identity (read as this cluster's) */
#define STORE_FORMAT		2
/* lock tag field4 that tells our locks from pg_advisory_lock's (1 and 2) */
#define STORE_LOCK_FIELD4	0x5246
/* ... and the seed locks (rest_store_claim_seed) from the user mappings' */
#define STORE_SEED_LOCK_FIELD4	0x5247

/*
 * The instance id file.  pg_basebackup skips files whose names start with
 * "pgsql_tmp" (PostgreSQL's PG_TEMP_FILE_PREFIX), wherever they are, so a
 * copy made with it gets a new id; PostgreSQL itself removes such files
 * only in its own temporary directories, not here.
 */
#define STORE_INSTANCE_FILE	"pgsql_tmp_rest_fdw_instance"
#define STORE_INSTANCE_LEN	16	/* random bytes */

/*
 * Size bounds.  auth.c refuses a token response whose access or refresh
 * token exceeds REST_MAX_TOKEN_SIZE; the store keeps tokens of up to that
 * size, and its files hold two tokens (each at most doubled by JSON
 * escaping), a shortened error message, two digests and a few numbers.
 * Writer and reader share the bound, so everything written can be read
 * back.
 */
#define STORE_MAX_TOKEN_LEN	REST_MAX_TOKEN_SIZE
#define STORE_MAX_FILE_SIZE	(2 * 2 * STORE_MAX_TOKEN_LEN + 8192)

/* What a store file holds, as read_state found it */
typedef enum StoreFile
{
	STORE_FILE_NONE,			/* there is no file */
	STORE_FILE_OURS,			/* written by this cluster instance */
	STORE_FILE_COPIED,			/* written by another cluster instance */
	STORE_FILE_UNREADABLE		/* too large or not in the expected format */
} StoreFile;

/* This cluster instance's identity, read or made once per backend */
static bool identity_known = false;
static char my_system_id[32];
static char my_instance_id[2 * STORE_INSTANCE_LEN + 1];

static void store_path(char *path, Oid dbid, Oid umid);
static void ensure_store_dir(void);
static void write_atomically(const char *path, const char *data, size_t len);
static void write_new_file(const char *tmp, const char *data, size_t len);
static void load_identity(void);
static StoreFile read_state(Oid umid, RestStoredToken *tok, char *path,
							char **problem);
static StoreFile read_state_file(const char *path, RestStoredToken *tok,
								 char **problem);
static RestConnOptions *mapping_conn(Oid umid);
static bool seed_first_use(RestConnOptions *conn, const RestStoredToken *tok,
						   const unsigned char *digest);
static bool find_rotated_elsewhere(Oid umid, const unsigned char *digest,
								   const char *seed, Oid *other_db,
								   char **other_file);
static RestStoreState classify_copy(Oid umid, RestStoredToken *tok,
									bool *same_grant);
static void describe_mapping(Oid umid, char **servername, char **username);
static void too_large(Oid umid, const RestStoredToken *tok, size_t len,
					  size_t max);
static void gc_grants(const char *dir);
static void write_state_json(const char *path, json_t *root, size_t max,
							 Oid umid);
static StoreFile read_grant_file(const unsigned char *digest,
								 RestGrantState *gs, char *path,
								 char **problem);
static void forget_grant_secrets(RestGrantState *gs);
static bool mapping_file_name(const char *name, unsigned int *dbid,
							  unsigned int *umid);
static void forget_stored_secrets(RestStoredToken *tok);
pg_noreturn static void report_unusable_file(const char *servername,
											 const char *username,
											 const char *relpath, bool of_grant,
											 const char *problem);
pg_noreturn static void report_copied_rotated(const char *servername,
											  const char *username,
											  const char *relpath, bool of_grant);

/* A palloc'd copy of a digest */
static unsigned char *
pmemdup_digest(const unsigned char *digest)
{
	unsigned char *copy = palloc(REST_DIGEST_LEN);

	memcpy(copy, digest, REST_DIGEST_LEN);
	return copy;
}

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

/*
 * Is name the file name of a user mapping's state, as store_path writes it
 * (not a temporary file)?  Sets *dbid and *umid.
 */
static bool
mapping_file_name(const char *name, unsigned int *dbid, unsigned int *umid)
{
	char		canonical[64];

	if (sscanf(name, "%u_%u.json", dbid, umid) != 2)
		return false;
	snprintf(canonical, sizeof(canonical), "%u_%u.json", *dbid, *umid);
	return strcmp(canonical, name) == 0;
}

/* Zero the tokens read_state_file returned in *tok */
static void
forget_stored_secrets(RestStoredToken *tok)
{
	if (tok->access_token)
		explicit_bzero(tok->access_token, strlen(tok->access_token));
	if (tok->refresh_token)
		explicit_bzero(tok->refresh_token, strlen(tok->refresh_token));
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

/* The advisory lock tag of a user mapping's store lock (palloc'd) */
static LOCKTAG *
store_lock_tag(Oid umid)
{
	LOCKTAG    *tag = palloc(sizeof(LOCKTAG));

	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, umid, 0, STORE_LOCK_FIELD4);
	return tag;
}

/*
 * Serialize token requests for a user mapping across all backends of the
 * cluster.  The lock belongs to the transaction: an ERROR releases it.  A
 * backend may take it again while holding it (the holds are counted).
 */
void
rest_store_lock(Oid umid)
{
	(void) LockAcquire(store_lock_tag(umid), ExclusiveLock, false, false);
}

void
rest_store_unlock(Oid umid)
{
	LockRelease(store_lock_tag(umid), ExclusiveLock, false);
}

/* The lock of rest_store_lock if nobody holds it; false if taken. */
static bool
store_try_lock(Oid umid)
{
	return LockAcquire(store_lock_tag(umid), ExclusiveLock, false, true) !=
		LOCKACQUIRE_NOT_AVAIL;
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
 * Read all of a file of at most maxsize bytes into a palloc'd,
 * NUL-terminated buffer.  Returns NULL when the file does not exist; sets
 * *problem (and returns NULL) when it is larger or cannot be read whole.
 */
static char *
read_small_file(const char *path, size_t maxsize, size_t *len, char **problem)
{
	int			fd;
	struct stat st;
	char	   *buf;
	size_t		done = 0;

	*problem = NULL;
	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		if (errno == ENOENT)
			return NULL;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open token store file \"%s\": %m", path)));
	}
	if (fstat(fd, &st) < 0)
	{
		int			save_errno = errno;

		CloseTransientFile(fd);
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat token store file \"%s\": %m", path)));
	}
	if (st.st_size > (off_t) maxsize)
	{
		CloseTransientFile(fd);
		*problem = psprintf("it has %lld bytes, more than the %zu bytes the token store writes",
							(long long) st.st_size, maxsize);
		return NULL;
	}

	/* files are replaced by rename, never written in place: the size holds */
	buf = palloc(st.st_size + 1);
	while (done < (size_t) st.st_size)
	{
		ssize_t		n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			int			save_errno = errno;

			CloseTransientFile(fd);
			errno = save_errno;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read token store file \"%s\": %m", path)));
		}
		if (n == 0)
			break;
		done += n;
	}
	CloseTransientFile(fd);
	if (done != (size_t) st.st_size)
	{
		explicit_bzero(buf, done);
		*problem = pstrdup("it ended before its size was read");
		return NULL;
	}
	buf[done] = '\0';
	*len = done;
	return buf;
}

/*
 * This cluster instance's identity: the system identifier, and the random
 * instance id of STORE_INSTANCE_FILE, made by the first backend that needs
 * it.  Backends racing to make it agree: each links its own complete file
 * to the name, and only the first link succeeds.
 */
static void
load_identity(void)
{
	char		path[MAXPGPATH];
	char	   *text;
	size_t		len;
	char	   *problem;

	if (identity_known)
		return;
	snprintf(my_system_id, sizeof(my_system_id), UINT64_FORMAT,
			 GetSystemIdentifier());
	ensure_store_dir();
	snprintf(path, MAXPGPATH, "%s/%s/%s", DataDir, STORE_DIR, STORE_INSTANCE_FILE);

	text = read_small_file(path, 256, &len, &problem);
	if (text == NULL && problem == NULL)
	{
		unsigned char raw[STORE_INSTANCE_LEN];
		char		hex[2 * STORE_INSTANCE_LEN + 2];
		char		tmp[MAXPGPATH];

		if (!pg_strong_random(raw, sizeof(raw)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random token store instance id")));
		to_hex(raw, STORE_INSTANCE_LEN, hex);
		strcat(hex, "\n");

		snprintf(tmp, MAXPGPATH, "%s.tmp.%d", path, MyProcPid);
		write_new_file(tmp, hex, strlen(hex));
		if (link(tmp, path) != 0 && errno != EEXIST)
		{
			int			save_errno = errno;

			unlink(tmp);
			errno = save_errno;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not link token store file \"%s\" to \"%s\": %m",
							tmp, path)));
		}
		unlink(tmp);
		fsync_fname(path, false);
		fsync_fname(psprintf("%s/%s", DataDir, STORE_DIR), true);
		text = read_small_file(path, 256, &len, &problem);
	}
	if (text == NULL || len != 2 * STORE_INSTANCE_LEN + 1 ||
		text[2 * STORE_INSTANCE_LEN] != '\n')
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("token store instance file \"%s\" is not in the expected format",
						path),
				 errhint("Remove the file; the token state of this cluster is then taken for a copy's.")));
	memcpy(my_instance_id, text, 2 * STORE_INSTANCE_LEN);
	my_instance_id[2 * STORE_INSTANCE_LEN] = '\0';
	identity_known = true;
}

/*
 * Read the state stored for a user mapping of the current database into
 * *tok (strings palloc'd in the current memory context) and say whose it
 * is; the file's name goes into path (MAXPGPATH).  An unusable file's
 * problem is a phrase for a DETAIL ("it ..."), without content.
 */
static StoreFile
read_state(Oid umid, RestStoredToken *tok, char *path, char **problem)
{
	store_path(path, MyDatabaseId, umid);
	return read_state_file(path, tok, problem);
}

/* read_state of the file at path, of whatever database and user mapping */
static StoreFile
read_state_file(const char *path, RestStoredToken *tok, char **problem)
{
	char	   *buf;
	size_t		len;
	json_t	   *root;
	json_error_t jerr;
	char	   *digest;
	char	   *tdigest;
	int64		format;
	StoreFile	whose = STORE_FILE_OURS;

	memset(tok, 0, sizeof(RestStoredToken));
	*problem = NULL;

	buf = read_small_file(path, STORE_MAX_FILE_SIZE, &len, problem);
	if (buf == NULL)
		return *problem ? STORE_FILE_UNREADABLE : STORE_FILE_NONE;

	root = json_tracked(json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr));
	explicit_bzero(buf, len);
	pfree(buf);
	format = json_is_object(root) ? get_int(root, "format") : 0;
	if (format != 1 && format != STORE_FORMAT)
	{
		*problem = pstrdup("it is not in the expected format");
		return STORE_FILE_UNREADABLE;
	}

	digest = get_string(root, "grant_digest");
	tdigest = get_string(root, "token_digest");
	if (digest == NULL || !from_hex(digest, tok->digest, REST_DIGEST_LEN) ||
		tdigest == NULL || !from_hex(tdigest, tok->token_digest, REST_DIGEST_LEN))
	{
		*problem = pstrdup("it has no valid grant digest");
		return STORE_FILE_UNREADABLE;
	}

	/* files of format 1 predate the identity: they are this cluster's */
	if (format == STORE_FORMAT)
	{
		char	   *sysid = get_string(root, "system_identifier");
		char	   *instance = get_string(root, "instance");

		if (sysid == NULL || instance == NULL)
		{
			*problem = pstrdup("it has no cluster identity");
			return STORE_FILE_UNREADABLE;
		}
		load_identity();
		if (strcmp(sysid, my_system_id) != 0 ||
			strcmp(instance, my_instance_id) != 0)
			whose = STORE_FILE_COPIED;
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
	return whose;
}

/* The options of a user mapping of the current database; NULL if it is gone */
static RestConnOptions *
mapping_conn(Oid umid)
{
	HeapTuple	tp;
	Oid			serverid;
	Oid			userid;

	tp = SearchSysCache1(USERMAPPINGOID, ObjectIdGetDatum(umid));
	if (!HeapTupleIsValid(tp))
		return NULL;
	serverid = ((Form_pg_user_mapping) GETSTRUCT(tp))->umserver;
	userid = ((Form_pg_user_mapping) GETSTRUCT(tp))->umuser;
	ReleaseSysCache(tp);
	return rest_get_conn_options(serverid, userid, true);
}

/*
 * Would the user mapping present its own refresh_token for the first time,
 * given its stored state tok (found or not) and the digest of its grant?
 * That is: a refresh_token grant with no refresh token of this grant
 * stored (no file, a file of an older seed, or only failures recorded).
 */
static bool
seed_first_use(RestConnOptions *conn, const RestStoredToken *tok,
			   const unsigned char *digest)
{
	if (conn->grant_type != REST_GRANT_REFRESH_TOKEN ||
		conn->refresh_token == NULL)
		return false;
	return !tok->found || tok->refresh_token == NULL ||
		memcmp(tok->digest, digest, REST_DIGEST_LEN) != 0;
}

/*
 * Look through the store directory for the file of another user mapping
 * (of another database, or another one of this database) of the same
 * grant, whose refresh token is not seed: the seed was rotated there, and
 * the provider has retired it.  Files written by any cluster instance
 * count (a copied file's rotation retired the seed as well); files that
 * cannot be read or parsed are left to their own user mapping's check.
 * On a find, *other_db and *other_file (relative to the data directory,
 * palloc'd) say whose it is.
 *
 * Only the first use of a seed comes here, so the cost (reading every file
 * of the directory, each within STORE_MAX_FILE_SIZE) is paid once per user
 * mapping and seed.
 */
static bool
find_rotated_elsewhere(Oid umid, const unsigned char *digest, const char *seed,
					   Oid *other_db, char **other_file)
{
	char		dir[MAXPGPATH];
	DIR		   *d;
	struct dirent *de;
	MemoryContext filecxt;
	bool		found = false;

	snprintf(dir, MAXPGPATH, "%s/%s", DataDir, STORE_DIR);
	d = AllocateDir(dir);
	if (d == NULL && errno == ENOENT)
		return false;
	filecxt = AllocSetContextCreate(CurrentMemoryContext,
									"rest_fdw token store scan",
									ALLOCSET_SMALL_SIZES);
	while (!found && (de = ReadDir(d, dir)) != NULL)
	{
		unsigned int dbid;
		unsigned int fileumid;
		char		path[MAXPGPATH];
		RestStoredToken other;
		char	   *problem;
		StoreFile	whose;
		MemoryContext oldcxt;

		CHECK_FOR_INTERRUPTS();
		if (!mapping_file_name(de->d_name, &dbid, &fileumid))
			continue;
		if (dbid == MyDatabaseId && fileumid == umid)
			continue;

		snprintf(path, MAXPGPATH, "%s/%s", dir, de->d_name);
		oldcxt = MemoryContextSwitchTo(filecxt);
		whose = read_state_file(path, &other, &problem);
		if ((whose == STORE_FILE_OURS || whose == STORE_FILE_COPIED) &&
			memcmp(other.digest, digest, REST_DIGEST_LEN) == 0 &&
			other.refresh_token != NULL &&
			strcmp(other.refresh_token, seed) != 0)
			found = true;
		forget_stored_secrets(&other);
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(filecxt);

		if (found)
		{
			*other_db = dbid;
			*other_file = psprintf("%s/%s", STORE_DIR, de->d_name);
		}
	}
	FreeDir(d);
	MemoryContextDelete(filecxt);
	return found;
}

/*
 * What to do with the state another cluster instance wrote, when this
 * cluster is a copy of it (pg_basebackup, a restored backup, a clone):
 *
 * - Of another grant than the user mapping's current one: ignored, as any
 *   old seed's state is.
 * - Without a refresh token (client_credentials, or no refresh succeeded
 *   yet) or with the user mapping's own refresh token (the provider did
 *   not rotate it): nothing is lost by starting over from the user mapping,
 *   which presents the same refresh token (REST_STORE_COPY).
 * - With a rotated refresh token: REST_STORE_COPY_ROTATED.  Neither token
 *   is safe to present.  The copied one may have been rotated again by the
 *   original since the copy was made, and the user mapping's was retired
 *   by the first rotation; with a provider that detects reuse, either
 *   revokes the grant, for the original cluster too.  Only the user knows
 *   whether the original still uses the grant, so this is an ERROR whose
 *   hint says how to go on (a new refresh token, or forgetting the state).
 *
 * *same_grant tells whether it is the current grant's.
 */
static RestStoreState
classify_copy(Oid umid, RestStoredToken *tok, bool *same_grant)
{
	RestConnOptions *conn;
	unsigned char digest[REST_DIGEST_LEN];

	*same_grant = false;
	conn = mapping_conn(umid);
	if (conn == NULL)
		return REST_STORE_COPY;

	rest_auth_grant_digest(conn, digest, NULL);
	if (memcmp(digest, tok->digest, REST_DIGEST_LEN) != 0)
		return REST_STORE_COPY;
	*same_grant = true;
	if (tok->refresh_token == NULL ||
		(conn->refresh_token != NULL &&
		 strcmp(tok->refresh_token, conn->refresh_token) == 0))
		return REST_STORE_COPY;
	return REST_STORE_COPY_ROTATED;
}

/*
 * The stored state of a user mapping of the current database, into *tok
 * (strings palloc'd in the current memory context), and what it is;
 * never an ERROR for the file's contents, and no change to the store.
 * For REST_STORE_UNREADABLE, *problem says why (a DETAIL phrase without
 * content); for the copies, *tok is what the other instance stored.
 */
RestStoreState
rest_store_inspect(Oid umid, RestStoredToken *tok, char **problem)
{
	char		path[MAXPGPATH];
	bool		same_grant;
	RestConnOptions *conn;
	unsigned char digest[REST_DIGEST_LEN];
	Oid			other_db;
	char	   *other_file;

	switch (read_state(umid, tok, path, problem))
	{
		case STORE_FILE_NONE:
		case STORE_FILE_OURS:
			break;
		case STORE_FILE_UNREADABLE:
			return REST_STORE_UNREADABLE;
		case STORE_FILE_COPIED:
			return classify_copy(umid, tok, &same_grant);
	}

	/* the seed's first use would be refused (see rest_store_claim_seed)? */
	conn = mapping_conn(umid);
	if (conn != NULL)
	{
		rest_auth_grant_digest(conn, digest, NULL);
		if (seed_first_use(conn, tok, digest) &&
			find_rotated_elsewhere(umid, digest, conn->refresh_token,
								   &other_db, &other_file))
			return REST_STORE_SHARED;
	}
	return tok->found ? REST_STORE_FOUND : REST_STORE_NONE;
}

/* The server and user names of a user mapping, for messages. */
static void
describe_mapping(Oid umid, char **servername, char **username)
{
	HeapTuple	tp;

	*servername = "?";
	*username = "public";
	tp = SearchSysCache1(USERMAPPINGOID, ObjectIdGetDatum(umid));
	if (HeapTupleIsValid(tp))
	{
		Form_pg_user_mapping um = (Form_pg_user_mapping) GETSTRUCT(tp);

		*servername = pstrdup(GetForeignServer(um->umserver)->servername);
		if (OidIsValid(um->umuser))
			*username = GetUserNameFromId(um->umuser, false);
		ReleaseSysCache(tp);
	}
}

/*
 * The ERROR for a store file that cannot be used (problem says why): of
 * the user mapping's own state, or of its grant's (of_grant).  relpath is
 * the file's name relative to the data directory.
 */
static void
report_unusable_file(const char *servername, const char *username,
					 const char *relpath, bool of_grant, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("could not use the stored OAuth 2.0 tokens of server \"%s\"",
					servername),
			 of_grant ?
			 errdetail("Token store file \"%s\" of the grant of the user mapping for \"%s\" cannot be used: %s.",
					   relpath, username, problem) :
			 errdetail("Token store file \"%s\" of the user mapping for \"%s\" cannot be used: %s.",
					   relpath, username, problem),
			 errhint("Remove it with SELECT rest_fdw_forget_tokens(%s, %s); the next query then presents the user mapping's refresh_token, so set a new one with ALTER USER MAPPING first if the provider rotates refresh tokens.",
					 rest_quote_literal(servername),
					 rest_quote_literal(username))));
}

/*
 * The ERROR for a store file that another cluster instance wrote and that
 * holds a rotated refresh token (see classify_copy), of the user mapping
 * or of its grant (of_grant).
 */
static void
report_copied_rotated(const char *servername, const char *username,
					  const char *relpath, bool of_grant)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the stored OAuth 2.0 tokens of server \"%s\" were copied from another cluster",
					servername),
			 of_grant ?
			 errdetail("Token store file \"%s\" of the grant of the user mapping for \"%s\" was written by another cluster (a different system identifier or data directory instance), such as the one this cluster was copied or restored from. Its refresh token has replaced the user mapping's refresh_token, and that cluster may have replaced it since: presenting either may make the provider revoke the grant.",
					   relpath, username) :
			 errdetail("Token store file \"%s\" of the user mapping for \"%s\" was written by another cluster (a different system identifier or data directory instance), such as the one this cluster was copied or restored from. Its refresh token has replaced the user mapping's refresh_token, and that cluster may have replaced it since: presenting either may make the provider revoke the grant.",
					   relpath, username),
			 errhint("Set a new refresh token with ALTER USER MAPPING. If the user mapping's refresh_token is still valid, SELECT rest_fdw_forget_tokens(%s, %s) starts again from it instead.",
					 rest_quote_literal(servername),
					 rest_quote_literal(username))));
}

/*
 * Read the stored state of a user mapping of the current database into
 * *tok (strings palloc'd in the current memory context).  Returns false
 * when there is none.  A file too large or not in the expected format is
 * an ERROR (see the top of the file).  A copy's state is handled as
 * classify_copy says: an ERROR, or removed (with a NOTICE when it was the
 * current grant's) so that the caller starts over.
 */
bool
rest_store_read(Oid umid, RestStoredToken *tok)
{
	char		path[MAXPGPATH];
	char	   *problem;
	char	   *servername;
	char	   *username;
	const char *relpath;
	bool		same_grant;
	StoreFile	whose;

	whose = read_state(umid, tok, path, &problem);
	if (whose == STORE_FILE_NONE)
		return false;
	if (whose == STORE_FILE_OURS)
		return true;

	/* messages name the file relative to the data directory */
	describe_mapping(umid, &servername, &username);
	relpath = path + strlen(DataDir) + 1;
	if (whose == STORE_FILE_UNREADABLE)
		report_unusable_file(servername, username, relpath, false, problem);
	if (classify_copy(umid, tok, &same_grant) == REST_STORE_COPY_ROTATED)
		report_copied_rotated(servername, username, relpath, false);

	/*
	 * Remove the copy, so that the caller's refresh starts over and no
	 * other backend meets it again; under the lock, and only if it is still
	 * the copy, since a backend of this cluster may have replaced it.
	 */
	rest_store_lock(umid);
	{
		RestStoredToken again;

		if (read_state(umid, &again, path, &problem) == STORE_FILE_COPIED &&
			unlink(path) != 0 && errno != ENOENT)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not remove token store file \"%s\": %m", path)));
	}
	rest_store_unlock(umid);

	if (same_grant)
		ereport(NOTICE,
				(errmsg("ignoring the OAuth 2.0 tokens of server \"%s\" copied from another cluster",
						servername),
				 errdetail("Token store file \"%s\" of the user mapping for \"%s\" was written by another cluster, such as the one this cluster was copied or restored from; new tokens are requested with the user mapping's credentials.",
						   path, username)));
	memset(tok, 0, sizeof(RestStoredToken));
	return false;
}

/* The seed lock of a grant: cluster-wide (no database), keyed by its digest */
static void
seed_lock_tag(LOCKTAG *tag, const unsigned char *digest)
{
	uint32		key1;
	uint32		key2;

	memcpy(&key1, digest, sizeof(key1));
	memcpy(&key2, digest + sizeof(key1), sizeof(key2));
	SET_LOCKTAG_ADVISORY(*tag, InvalidOid, key1, key2, STORE_SEED_LOCK_FIELD4);
}

/*
 * Called with the user mapping's store lock and the grant lock held,
 * before its refresh_token (the seed) is presented for the first time (the
 * grant has no file, and no refresh token is stored for the user mapping;
 * digest is the grant's digest): an ERROR if a file of an earlier version,
 * which kept refresh tokens per user mapping, shows the seed rotated by
 * another user mapping of the cluster with the same grant.  Presenting the
 * retired seed would make a provider that detects reuse revoke the grant.
 * Since the grant lock is held from before the search until the grant's
 * file is written, of two user mappings starting from the same seed the
 * second finds the first's grant file instead.
 *
 * A grant whose refresh token the provider does not rotate keeps the seed
 * in every file, and its copies go on working.
 */
void
rest_store_claim_seed(RestConnOptions *conn, const unsigned char *digest)
{
	Oid			other_db;
	char	   *other_file;
	char	   *servername;
	char	   *username;
	char	   *dbname;

	if (conn->grant_type != REST_GRANT_REFRESH_TOKEN ||
		conn->refresh_token == NULL)
		return;
	if (!find_rotated_elsewhere(conn->umid, digest, conn->refresh_token,
								&other_db, &other_file))
		return;

	describe_mapping(conn->umid, &servername, &username);
	dbname = get_database_name(other_db);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the OAuth 2.0 refresh token of server \"%s\" was rotated by another user mapping",
					servername),
			 other_db == MyDatabaseId
			 ? errdetail("The user mapping for \"%s\" has the token endpoint, client_id and refresh_token of another user mapping of this database, and token store file \"%s\" shows that the provider has replaced that refresh token there. Presenting it again may make the provider revoke the grant, for the other user mapping too.",
						 username, other_file)
			 : dbname != NULL
			 ? errdetail("The user mapping for \"%s\" has the token endpoint, client_id and refresh_token of a user mapping in database \"%s\", as copies made by CREATE DATABASE ... TEMPLATE or restored from a dump have, and token store file \"%s\" shows that the provider has replaced that refresh token there. Presenting it again may make the provider revoke the grant, for that database too.",
						 username, dbname, other_file)
			 : errdetail("The user mapping for \"%s\" has the token endpoint, client_id and refresh_token of a user mapping in a database that no longer exists, and token store file \"%s\" shows that the provider has replaced that refresh token there.",
						 username, other_file),
			 errhint("Set a new refresh token with ALTER USER MAPPING. If the user mapping's refresh_token is still valid, SELECT rest_fdw_forget_tokens(%s, %s) makes this user mapping start from it anyway.",
					 rest_quote_literal(servername),
					 rest_quote_literal(username))));
}

/* ---------------------------------------------------------------------
 * The state of a grant
 *
 * Every user mapping holding the same grant (token endpoint, client_id,
 * seed refresh token and grant type: rest_auth_grant_digest) shares one
 * file, "grant_<digest>.json": the newest refresh token of the grant's
 * chain, and the newest access tokens, one per token digest (scope and
 * client credentials), at most REST_GRANT_MAX_TOKENS.  So two servers of
 * one Google grant (Analytics and Sheets), or a second server for the same
 * API, or the copy of a user mapping made by CREATE DATABASE ... TEMPLATE,
 * present one refresh chain: a provider that rotates refresh tokens and
 * detects reuse sees each refresh token presented once.  The grant lock
 * (a cluster-wide advisory lock keyed by the digest, database 0 in
 * pg_locks) serializes every token request of the grant; it is taken after
 * the user mapping's store lock.  The file carries the cluster identity as
 * the user mappings' files do, and a copy is treated the same way.  The
 * file goes when no user mapping's file refers to the grant any more
 * (rest_store_gc).
 * ---------------------------------------------------------------------
 */

/* Up to REST_GRANT_MAX_TOKENS access tokens and a refresh token, escaped */
#define GRANT_MAX_FILE_SIZE \
	((REST_GRANT_MAX_TOKENS + 1) * 2 * STORE_MAX_TOKEN_LEN + 16384)

static void
grant_path(char *path, const unsigned char *digest)
{
	char		hex[2 * REST_DIGEST_LEN + 1];

	to_hex(digest, REST_DIGEST_LEN, hex);
	snprintf(path, MAXPGPATH, "%s/%s/grant_%s.json", DataDir, STORE_DIR, hex);
}

void
rest_store_lock_grant(const unsigned char *digest)
{
	LOCKTAG		tag;

	seed_lock_tag(&tag, digest);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

void
rest_store_unlock_grant(const unsigned char *digest)
{
	LOCKTAG		tag;

	seed_lock_tag(&tag, digest);
	LockRelease(&tag, ExclusiveLock, false);
}

static bool
grant_try_lock(const unsigned char *digest)
{
	LOCKTAG		tag;

	seed_lock_tag(&tag, digest);
	return LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL;
}

/* The access token of gs for token_digest, or NULL */
RestGrantToken *
rest_grant_token(RestGrantState *gs, const unsigned char *token_digest)
{
	int			i;

	for (i = 0; i < gs->ntokens; i++)
	{
		if (memcmp(gs->tokens[i].token_digest, token_digest, REST_DIGEST_LEN) == 0)
			return &gs->tokens[i];
	}
	return NULL;
}

/* Read a grant's file into *gs; see read_state_file */
static StoreFile
read_grant_file(const unsigned char *digest, RestGrantState *gs, char *path,
				char **problem)
{
	char	   *buf;
	size_t		len;
	json_t	   *root;
	json_t	   *tokens;
	json_error_t jerr;
	char	   *hex;
	unsigned char filedigest[REST_DIGEST_LEN];
	char	   *sysid;
	char	   *instance;
	size_t		i;

	memset(gs, 0, sizeof(RestGrantState));
	*problem = NULL;
	grant_path(path, digest);
	buf = read_small_file(path, GRANT_MAX_FILE_SIZE, &len, problem);
	if (buf == NULL)
		return *problem ? STORE_FILE_UNREADABLE : STORE_FILE_NONE;

	root = json_tracked(json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr));
	explicit_bzero(buf, len);
	pfree(buf);
	if (!json_is_object(root) || get_int(root, "format") != STORE_FORMAT)
	{
		*problem = pstrdup("it is not in the expected format");
		return STORE_FILE_UNREADABLE;
	}
	hex = get_string(root, "grant_digest");
	if (hex == NULL || !from_hex(hex, filedigest, REST_DIGEST_LEN) ||
		memcmp(filedigest, digest, REST_DIGEST_LEN) != 0)
	{
		*problem = pstrdup("it has no valid grant digest");
		return STORE_FILE_UNREADABLE;
	}
	tokens = json_object_get(root, "tokens");
	if (!json_is_array(tokens) || json_array_size(tokens) > REST_GRANT_MAX_TOKENS)
	{
		*problem = pstrdup("it is not in the expected format");
		return STORE_FILE_UNREADABLE;
	}
	for (i = 0; i < json_array_size(tokens); i++)
	{
		json_t	   *t = json_array_get(tokens, i);
		RestGrantToken *gt = &gs->tokens[gs->ntokens];
		char	   *thex = json_is_object(t) ? get_string(t, "token_digest") : NULL;

		if (thex == NULL || !from_hex(thex, gt->token_digest, REST_DIGEST_LEN) ||
			(gt->access_token = get_string(t, "access_token")) == NULL)
		{
			*problem = pstrdup("it is not in the expected format");
			return STORE_FILE_UNREADABLE;
		}
		gt->expires_at = (TimestampTz) get_int(t, "expires_at");
		gt->refresh_at = (TimestampTz) get_int(t, "refresh_at");
		gt->obtained_at = (TimestampTz) get_int(t, "obtained_at");
		gs->ntokens++;
	}
	gs->found = true;
	gs->refresh_token = get_string(root, "refresh_token");
	gs->last_refresh = (TimestampTz) get_int(root, "last_refresh");
	gs->refresh_count = get_int(root, "refresh_count");

	sysid = get_string(root, "system_identifier");
	instance = get_string(root, "instance");
	if (sysid == NULL || instance == NULL)
	{
		*problem = pstrdup("it has no cluster identity");
		return STORE_FILE_UNREADABLE;
	}
	load_identity();
	if (strcmp(sysid, my_system_id) != 0 || strcmp(instance, my_instance_id) != 0)
		return STORE_FILE_COPIED;
	return STORE_FILE_OURS;
}

/* Zero the secrets of a grant state read by read_grant_file */
static void
forget_grant_secrets(RestGrantState *gs)
{
	int			i;

	if (gs->refresh_token)
		explicit_bzero(gs->refresh_token, strlen(gs->refresh_token));
	for (i = 0; i < gs->ntokens; i++)
		explicit_bzero(gs->tokens[i].access_token,
					   strlen(gs->tokens[i].access_token));
}

/*
 * The shared state of the grant of conn (digest) into *gs, strings
 * palloc'd in the current memory context; false when there is none.  A
 * file that cannot be used is an ERROR, as for a user mapping's file.  A
 * copy of another cluster instance's file is removed when it holds no
 * refresh token other than the user mapping's own (nothing is lost by
 * starting over), and is an ERROR when it holds a rotated one (see
 * classify_copy).
 */
bool
rest_store_grant_read(RestConnOptions *conn, const unsigned char *digest,
					  RestGrantState *gs)
{
	char		path[MAXPGPATH];
	char	   *problem;
	char	   *servername;
	char	   *username;
	StoreFile	whose;

	whose = read_grant_file(digest, gs, path, &problem);
	if (whose == STORE_FILE_NONE)
		return false;
	if (whose == STORE_FILE_OURS)
		return true;

	describe_mapping(conn->umid, &servername, &username);
	if (whose == STORE_FILE_UNREADABLE)
		report_unusable_file(servername, username, path + strlen(DataDir) + 1,
							 true, problem);

	if (gs->refresh_token != NULL &&
		(conn->refresh_token == NULL ||
		 strcmp(gs->refresh_token, conn->refresh_token) != 0))
	{
		forget_grant_secrets(gs);
		report_copied_rotated(servername, username, path + strlen(DataDir) + 1,
							  true);
	}

	/* nothing of value: start over (under the lock, if it is still the copy) */
	forget_grant_secrets(gs);
	rest_store_lock_grant(digest);
	{
		RestGrantState again;

		if (read_grant_file(digest, &again, path, &problem) == STORE_FILE_COPIED &&
			unlink(path) != 0 && errno != ENOENT)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not remove token store file \"%s\": %m", path)));
		forget_grant_secrets(&again);
	}
	rest_store_unlock_grant(digest);
	memset(gs, 0, sizeof(RestGrantState));
	return false;
}

/*
 * The shared state of the grant of conn (digest), for
 * rest_fdw_token_status: REST_STORE_FOUND with *gs filled, REST_STORE_NONE,
 * REST_STORE_UNREADABLE (*problem says why), or for a copy of another
 * cluster instance's file REST_STORE_COPY_ROTATED when it holds a rotated
 * refresh token, else REST_STORE_COPY.  Never an ERROR for its contents.
 */
RestStoreState
rest_store_grant_inspect(RestConnOptions *conn, const unsigned char *digest,
						 RestGrantState *gs, char **problem)
{
	char		path[MAXPGPATH];
	RestStoreState what;

	switch (read_grant_file(digest, gs, path, problem))
	{
		case STORE_FILE_OURS:
			return REST_STORE_FOUND;
		case STORE_FILE_NONE:
			return REST_STORE_NONE;
		case STORE_FILE_UNREADABLE:
			return REST_STORE_UNREADABLE;
		case STORE_FILE_COPIED:
			break;
	}
	what = (gs->refresh_token != NULL &&
			(conn->refresh_token == NULL ||
			 strcmp(gs->refresh_token, conn->refresh_token) != 0))
		? REST_STORE_COPY_ROTATED : REST_STORE_COPY;
	forget_grant_secrets(gs);
	memset(gs, 0, sizeof(RestGrantState));
	return what;
}

/*
 * Replace the shared state of a grant; called with the grant lock held.
 * As rest_store_write, a state the reader would refuse is an ERROR before
 * anything is written.
 */
void
rest_store_grant_write(RestConnOptions *conn, const unsigned char *digest,
					   const RestGrantState *gs)
{
	char		path[MAXPGPATH];
	char		hex[2 * REST_DIGEST_LEN + 1];
	json_t	   *root;
	json_t	   *tokens;
	int			i;
	MemoryContext tmpcxt;
	MemoryContext oldcxt;

	if (gs->refresh_token && strlen(gs->refresh_token) > STORE_MAX_TOKEN_LEN)
	{
		RestStoredToken tok = {0};

		tok.refresh_token = gs->refresh_token;
		too_large(conn->umid, &tok, 0, 0);
	}

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw token store",
								   ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);
	ensure_store_dir();
	load_identity();
	grant_path(path, digest);
	to_hex(digest, REST_DIGEST_LEN, hex);

	tokens = json_tracked(json_array());
	if (tokens == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	for (i = 0; i < gs->ntokens; i++)
	{
		const RestGrantToken *gt = &gs->tokens[i];
		char		thex[2 * REST_DIGEST_LEN + 1];
		json_t	   *t;

		if (strlen(gt->access_token) > STORE_MAX_TOKEN_LEN)
		{
			RestStoredToken tok = {0};

			tok.access_token = gt->access_token;
			too_large(conn->umid, &tok, 0, 0);
		}
		to_hex(gt->token_digest, REST_DIGEST_LEN, thex);
		t = json_pack("{s:s, s:s, s:I, s:I, s:I}",
					  "token_digest", thex,
					  "access_token", gt->access_token,
					  "expires_at", (json_int_t) gt->expires_at,
					  "refresh_at", (json_int_t) gt->refresh_at,
					  "obtained_at", (json_int_t) gt->obtained_at);
		if (t == NULL || json_array_append_new(tokens, t) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
	}
	root = json_tracked(json_pack("{s:i, s:s, s:s, s:s, s:s?, s:I, s:I, s:O}",
								  "format", STORE_FORMAT,
								  "system_identifier", my_system_id,
								  "instance", my_instance_id,
								  "grant_digest", hex,
								  "refresh_token", gs->refresh_token,
								  "last_refresh", (json_int_t) gs->last_refresh,
								  "refresh_count", (json_int_t) gs->refresh_count,
								  "tokens", tokens));
	if (root == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	write_state_json(path, root, GRANT_MAX_FILE_SIZE, conn->umid);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
}

/* Remove the shared state of a grant (grant lock held); true if there was one */
bool
rest_store_grant_forget(const unsigned char *digest)
{
	char		path[MAXPGPATH];

	grant_path(path, digest);
	if (unlink(path) == 0)
		return true;
	if (errno != ENOENT)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not remove token store file \"%s\": %m", path)));
	return false;
}

/* Write data to path: a temporary file, fsync, rename, fsync of the dir. */
static void
write_atomically(const char *path, const char *data, size_t len)
{
	char		tmp[MAXPGPATH];

	snprintf(tmp, MAXPGPATH, "%s.tmp.%d", path, MyProcPid);
	write_new_file(tmp, data, len);
	(void) durable_rename(tmp, path, ERROR);
}

/*
 * Create (or truncate) tmp with mode 0600 and write data to it, fsync'd;
 * on failure tmp is removed and an ERROR raised.
 */
static void
write_new_file(const char *tmp, const char *data, size_t len)
{
	int			fd;

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
}

/* ERROR for a state the store cannot keep (it could not be read back). */
static void
too_large(Oid umid, const RestStoredToken *tok, size_t len, size_t max)
{
	char	   *servername;
	char	   *username;

	describe_mapping(umid, &servername, &username);
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the OAuth 2.0 tokens of server \"%s\" are too large for the token store",
					servername),
			 len > 0
			 ? errdetail("Their state takes %zu bytes; the token store keeps up to %zu bytes in a file.",
						 len, max)
			 : errdetail("The access token has %zu bytes and the refresh token %zu; the token store keeps tokens of up to %d bytes.",
						 tok->access_token ? strlen(tok->access_token) : 0,
						 tok->refresh_token ? strlen(tok->refresh_token) : 0,
						 STORE_MAX_TOKEN_LEN)));
}

/*
 * Write a store file's JSON state atomically: refused with an ERROR, before
 * anything is written, when it is larger than max (what the reader takes);
 * the text, which holds tokens, is zeroed whatever happens.
 */
static void
write_state_json(const char *path, json_t *root, size_t max, Oid umid)
{
	char	   *text;
	size_t		len;

	text = json_dumps(root, JSON_COMPACT);
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	len = strlen(text);
	PG_TRY();
	{
		if (len > max)
			too_large(umid, NULL, len, max);
		write_atomically(path, text, len);
	}
	PG_FINALLY();
	{
		explicit_bzero(text, len);
		free(text);
	}
	PG_END_TRY();
}

/*
 * Replace the stored state of a user mapping of the current database.  A
 * state larger than the reader takes is refused with an ERROR, before
 * anything is written; the token response's own limits keep tokens well
 * below.
 */
void
rest_store_write(Oid umid, const RestStoredToken *tok)
{
	char		path[MAXPGPATH];
	char		hex[2 * REST_DIGEST_LEN + 1];
	char		thex[2 * REST_DIGEST_LEN + 1];
	json_t	   *root;
	MemoryContext tmpcxt;
	MemoryContext oldcxt;

	if ((tok->access_token && strlen(tok->access_token) > STORE_MAX_TOKEN_LEN) ||
		(tok->refresh_token && strlen(tok->refresh_token) > STORE_MAX_TOKEN_LEN))
		too_large(umid, tok, 0, 0);

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw token store",
								   ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);

	ensure_store_dir();
	load_identity();
	store_path(path, MyDatabaseId, umid);
	to_hex(tok->digest, REST_DIGEST_LEN, hex);
	to_hex(tok->token_digest, REST_DIGEST_LEN, thex);

	/*
	 * json_pack, not json_object(): the postgres executable exports a
	 * json_object of its own (the SQL function), which would win.
	 */
	root = json_tracked(json_pack("{s:i, s:s, s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:s?, s:I}",
								  "format", STORE_FORMAT,
								  "system_identifier", my_system_id,
								  "instance", my_instance_id,
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

	write_state_json(path, root, STORE_MAX_FILE_SIZE, umid);

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
}

/*
 * Remove the stored state of a user mapping, and the shared state of its
 * grant (which every user mapping holding the same refresh token uses);
 * true if there was one.  The
 * next query starts again from the user mapping's refresh_token: when
 * another user mapping of the same grant has rotated it (see
 * rest_store_claim_seed), which would refuse that, a state holding the
 * user mapping's own refresh_token is stored instead, as the user's word
 * that it is still valid.  Called with the user mapping's store lock held.
 */
bool
rest_store_forget(Oid umid)
{
	char		path[MAXPGPATH];
	bool		removed = false;
	RestConnOptions *conn;
	RestStoredToken none;
	unsigned char digest[REST_DIGEST_LEN];
	unsigned char tdigest[REST_DIGEST_LEN];
	Oid			other_db;
	char	   *other_file;

	store_path(path, MyDatabaseId, umid);
	if (unlink(path) == 0)
		removed = true;
	else if (errno != ENOENT)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not remove token store file \"%s\": %m", path)));

	conn = mapping_conn(umid);
	if (conn == NULL)
		return removed;
	memset(&none, 0, sizeof(none));
	rest_auth_grant_digest(conn, digest, tdigest);

	/* the grant's shared state too: every user mapping of it starts over */
	rest_store_lock_grant(digest);
	if (rest_store_grant_forget(digest))
		removed = true;
	rest_store_unlock_grant(digest);

	if (seed_first_use(conn, &none, digest) &&
		find_rotated_elsewhere(umid, digest, conn->refresh_token,
							   &other_db, &other_file))
	{
		none.found = true;
		memcpy(none.digest, digest, REST_DIGEST_LEN);
		memcpy(none.token_digest, tdigest, REST_DIGEST_LEN);
		none.refresh_token = conn->refresh_token;
		rest_store_write(umid, &none);
	}
	return removed;
}

/*
 * Does a row with this OID exist in the catalog, counting rows inserted
 * (or deleted) by transactions still in progress?  A dirty snapshot sees
 * those, where the catalog snapshot sees only committed rows.
 */
static bool
catalog_row_exists(Oid relid, Oid indexid, AttrNumber oidattr, Oid oid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	SnapshotData dirty;
	bool		found;

	InitDirtySnapshot(dirty);
	rel = table_open(relid, AccessShareLock);
	ScanKeyInit(&key, oidattr, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(oid));
	scan = systable_beginscan(rel, indexid, true, &dirty, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Remove the files of user mappings that no longer exist in the current
 * database, and of databases that no longer exist.  Leftover temporary
 * files of crashed writers go too.
 *
 * A user mapping created by a transaction that has not committed yet is
 * invisible to other backends' catalog snapshots, but its backend may
 * already have refreshed and stored a rotated refresh token, which would be
 * lost for good if its file went.  So a file goes only when no row of the
 * user mapping exists even for a dirty snapshot (no transaction in progress
 * has inserted or is deleting it), checked under the user mapping's store
 * lock: every writer holds that lock and can see its user mapping, so a
 * file written after the check was taken cannot be removed by it.  A user
 * mapping whose lock is busy is in use and is left for a later run.
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
		bool		locked = false;

		CHECK_FOR_INTERRUPTS();
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
			if (dbid != MyDatabaseId)
			{
				/* nobody can be connected to a database not committed */
				stale = !catalog_row_exists(DatabaseRelationId, DatabaseOidIndexId,
											Anum_pg_database_oid, dbid);
			}
			else if (!SearchSysCacheExists1(USERMAPPINGOID, ObjectIdGetDatum(umid)) &&
					 store_try_lock(umid))
			{
				locked = true;
				stale = !catalog_row_exists(UserMappingRelationId,
											UserMappingOidIndexId,
											Anum_pg_user_mapping_oid, umid);
			}
		}
		if (stale && unlink(path) != 0 && errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not remove token store file \"%s\": %m", path)));
		if (locked)
			rest_store_unlock(umid);
	}
	FreeDir(d);
	gc_grants(dir);
}

/*
 * The grants that the user mappings' files of every database refer to,
 * as a list of palloc'd digests; files that cannot be read count as
 * referring to every grant (*all set), so that nothing is removed.
 */
static List *
referenced_grants(const char *dir, bool *all)
{
	DIR		   *d;
	struct dirent *de;
	List	   *digests = NIL;

	*all = false;
	d = AllocateDir(dir);
	if (d == NULL)
		return NIL;
	while ((de = ReadDirExtended(d, dir, LOG)) != NULL)
	{
		unsigned int dbid;
		unsigned int umid;
		char		path[MAXPGPATH];
		RestStoredToken tok;
		char	   *problem;
		StoreFile	whose;

		CHECK_FOR_INTERRUPTS();
		if (!mapping_file_name(de->d_name, &dbid, &umid))
			continue;
		snprintf(path, MAXPGPATH, "%s/%s", dir, de->d_name);
		whose = read_state_file(path, &tok, &problem);
		if (whose == STORE_FILE_UNREADABLE)
			*all = true;
		else if (whose != STORE_FILE_NONE)
			digests = lappend(digests, pmemdup_digest(tok.digest));
		forget_stored_secrets(&tok);
	}
	FreeDir(d);
	return digests;
}

/*
 * Remove the files of grants that no user mapping's file refers to any
 * more (their user mappings were dropped, or hold another seed now).  A
 * writer holds the grant lock from before it writes the grant's file until
 * its user mapping's file refers to it, so a grant whose lock is busy is
 * left alone, and the references are looked up again under the lock.
 */
static void
gc_grants(const char *dir)
{
	DIR		   *d;
	struct dirent *de;
	MemoryContext gccxt;
	MemoryContext oldcxt;
	List	   *refs = NIL;
	bool		refs_read = false;
	bool		all = false;

	gccxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw token store gc",
								  ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(gccxt);
	d = AllocateDir(dir);
	while (d != NULL && (de = ReadDirExtended(d, dir, LOG)) != NULL)
	{
		unsigned char digest[REST_DIGEST_LEN];
		char		hex[2 * REST_DIGEST_LEN + 1];
		char		path[MAXPGPATH];
		ListCell   *lc;
		bool		used = false;

		CHECK_FOR_INTERRUPTS();
		if (strncmp(de->d_name, "grant_", 6) != 0 ||
			strlen(de->d_name) != 6 + 2 * REST_DIGEST_LEN + 5 ||
			strcmp(de->d_name + 6 + 2 * REST_DIGEST_LEN, ".json") != 0)
			continue;
		memcpy(hex, de->d_name + 6, 2 * REST_DIGEST_LEN);
		hex[2 * REST_DIGEST_LEN] = '\0';
		if (!from_hex(hex, digest, REST_DIGEST_LEN))
			continue;
		if (!refs_read)
		{
			refs = referenced_grants(dir, &all);
			refs_read = true;
		}
		if (all)
			break;
		foreach(lc, refs)
		{
			if (memcmp(lfirst(lc), digest, REST_DIGEST_LEN) == 0)
				used = true;
		}
		if (used || !grant_try_lock(digest))
			continue;
		/* again, under the lock: a writer may have referred to it since */
		list_free_deep(refs);
		refs = referenced_grants(dir, &all);
		foreach(lc, refs)
		{
			if (memcmp(lfirst(lc), digest, REST_DIGEST_LEN) == 0)
				used = true;
		}
		snprintf(path, MAXPGPATH, "%s/%s", dir, de->d_name);

		/*
		 * A copy of another cluster's file with a rotated refresh token, or
		 * a file that cannot be read, is what keeps a user mapping from
		 * presenting its retired seed: it stays until it is forgotten.
		 */
		if (!used && !all)
		{
			RestGrantState gs;
			char		gpath[MAXPGPATH];
			char	   *problem;
			StoreFile	whose = read_grant_file(digest, &gs, gpath, &problem);

			used = whose == STORE_FILE_UNREADABLE ||
				(whose == STORE_FILE_COPIED && gs.refresh_token != NULL);
			forget_grant_secrets(&gs);
		}
		if (!used && !all && unlink(path) != 0 && errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not remove token store file \"%s\": %m", path)));
		rest_store_unlock_grant(digest);
	}
	if (d != NULL)
		FreeDir(d);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(gccxt);
}
