/*-------------------------------------------------------------------------
 *
 * strmap.h
 *		  A hash table of C strings, each with an int (lib/simplehash.h):
 *		  sampled paths and their columns (sample.c), SQL names in use and
 *		  the next suffix to try for each (config.c, rest_unique_name).
 *
 * Keys are not copied: the caller keeps them alive as long as the table.
 *
 *-------------------------------------------------------------------------
 */
#ifndef REST_FDW_STRMAP_H
#define REST_FDW_STRMAP_H

#include "common/hashfn.h"

typedef struct StrEntry
{
	const char *key;
	int			value;
	uint32		hash;
	char		status;
} StrEntry;

#define SH_PREFIX		strmap
#define SH_ELEMENT_TYPE	StrEntry
#define SH_KEY_TYPE		const char *
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	hash_bytes((const unsigned char *) (k), strlen(k))
#define SH_EQUAL(tb, a, b)	(strcmp(a, b) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#endif							/* REST_FDW_STRMAP_H */
