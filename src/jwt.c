/*-------------------------------------------------------------------------
 *
 * jwt.c
 *		  Signed JSON Web Tokens for the token endpoint: the assertion of the
 *		  JWT bearer grant (RFC 7523 section 2.1) and the client assertion
 *		  of private_key_jwt and client_secret_jwt (RFC 7523 section 2.2,
 *		  OpenID Connect Core section 9).
 *
 * The private key is the user mapping's private_key option: PEM text (an
 * RSA or EC P-256 key, PKCS#8 or the traditional forms) or a whole Google
 * service-account JSON key file, whose private_key, client_email,
 * private_key_id and token_uri members are taken.  Assertions are signed
 * with RS256 (RSASSA-PKCS1-v1_5 with SHA-256), ES256 (ECDSA P-256 with
 * SHA-256, the signature as the 64 bytes R || S of RFC 7518 section 3.4)
 * or, for client_secret_jwt, HS256 (HMAC-SHA-256 with the client secret).
 *
 * The header and claims are built with jansson; every token gets a jti of
 * 128 random bits and a lifetime of at most REST_JWT_MAX_LIFETIME seconds.
 * OpenSSL objects live in a memory context of their own whose reset
 * callback frees them, so an ERROR anywhere releases them, and the buffers
 * that held key material are zeroed (jansson's parser frees its own
 * buffers unzeroed; the copy of the key it returns is zeroed).  No message
 * quotes a key, a secret or an assertion; OpenSSL's error strings are not
 * shown either.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "utils/memutils.h"

#include "rest_fdw.h"

/* OpenSSL objects and secret buffers of one signing, released on reset */
typedef struct JwtResources
{
	BIO		   *bio;
	EVP_PKEY   *pkey;
	EVP_MD_CTX *mdctx;
	ECDSA_SIG  *ecsig;
	int			nwipe;
	char	   *wipe[8];
	size_t		wipelen[8];
} JwtResources;

static void
jwt_resources_release(void *arg)
{
	JwtResources *r = (JwtResources *) arg;
	int			i;

	for (i = 0; i < r->nwipe; i++)
		explicit_bzero(r->wipe[i], r->wipelen[i]);
	r->nwipe = 0;
	if (r->ecsig)
		ECDSA_SIG_free(r->ecsig);
	if (r->mdctx)
		EVP_MD_CTX_free(r->mdctx);
	if (r->pkey)
		EVP_PKEY_free(r->pkey);
	if (r->bio)
		BIO_free(r->bio);
	r->ecsig = NULL;
	r->mdctx = NULL;
	r->pkey = NULL;
	r->bio = NULL;
	/* nothing of the key stays in OpenSSL's error queue either */
	ERR_clear_error();
}

/* A new child of the current context whose deletion releases r's objects */
static JwtResources *
jwt_resources(void)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "rest_fdw JWT",
											  ALLOCSET_SMALL_SIZES);
	JwtResources *r = MemoryContextAllocZero(cxt, sizeof(JwtResources));
	MemoryContextCallback *cb = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));

	cb->func = jwt_resources_release;
	cb->arg = r;
	MemoryContextRegisterResetCallback(cxt, cb);
	return r;
}

static void
jwt_wipe_later(JwtResources *r, char *p, size_t len)
{
	if (p == NULL)
		return;
	if (r->nwipe >= (int) lengthof(r->wipe))
		elog(ERROR, "rest_fdw: too many secret buffers in a JWT");
	r->wipe[r->nwipe] = p;
	r->wipelen[r->nwipe] = len;
	r->nwipe++;
}

/* An encrypted key would make OpenSSL prompt on a terminal: refuse it */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* Append the base64url encoding (RFC 4648 section 5, no padding) of data */
void
rest_append_base64url(StringInfo buf, const unsigned char *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t		i;

	for (i = 0; i + 2 < len; i += 3)
	{
		uint32		v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];

		appendStringInfoChar(buf, alphabet[(v >> 18) & 63]);
		appendStringInfoChar(buf, alphabet[(v >> 12) & 63]);
		appendStringInfoChar(buf, alphabet[(v >> 6) & 63]);
		appendStringInfoChar(buf, alphabet[v & 63]);
	}
	if (len - i == 1)
	{
		uint32		v = data[i] << 16;

		appendStringInfoChar(buf, alphabet[(v >> 18) & 63]);
		appendStringInfoChar(buf, alphabet[(v >> 12) & 63]);
	}
	else if (len - i == 2)
	{
		uint32		v = (data[i] << 16) | (data[i + 1] << 8);

		appendStringInfoChar(buf, alphabet[(v >> 18) & 63]);
		appendStringInfoChar(buf, alphabet[(v >> 12) & 63]);
		appendStringInfoChar(buf, alphabet[(v >> 6) & 63]);
	}
}

/* Copy a jansson string member, or NULL when absent or not a string */
static char *
json_member(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? pstrdup(json_string_value(v)) : NULL;
}

/*
 * Split a private_key option into *key: PEM text as it is, or the members
 * of a Google service-account JSON key file.  Returns NULL, or why the
 * value is refused (never quoting it).  The strings are palloc'd in the
 * current context; key->pem is the caller's to zero.  jansson's own copy
 * of the key is zeroed before it is freed.
 */
const char *
rest_jwt_split_key(const char *value, RestJwtKeyText *key)
{
	const char *p = value;
	json_t	   *root;
	json_t	   *pk;
	json_error_t jerr;

	memset(key, 0, sizeof(RestJwtKeyText));
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '{')
	{
		key->pem = pstrdup(value);
		return NULL;
	}

	root = json_loads(p, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root))
	{
		json_decref(root);
		return "The value starts with \"{\" but is not a JSON object such as a service-account key file.";
	}
	pk = json_object_get(root, "private_key");
	if (!json_is_string(pk))
	{
		json_decref(root);
		return "The JSON key file has no \"private_key\" string.";
	}
	key->pem = pstrdup(json_string_value(pk));
	key->client_email = json_member(root, "client_email");
	key->key_id = json_member(root, "private_key_id");
	key->token_uri = json_member(root, "token_uri");
	key->from_json = true;
	explicit_bzero((char *) json_string_value(pk), json_string_length(pk));
	json_decref(root);
	return NULL;
}

/*
 * Read PEM text into an EVP_PKEY held by r (freed with it), and check it
 * is an RSA key of at least 2048 bits or an EC P-256 key.  Returns NULL,
 * or why the key is refused.
 */
static const char *
load_private_key(JwtResources *r, const char *pem, RestJwtAlg *keyalg)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	char		group[64];
	size_t		glen = 0;
#endif

	if (strstr(pem, "-----BEGIN ") == NULL)
		return "The value is neither PEM text nor a service-account JSON key file.";
	if (strstr(pem, "ENCRYPTED") != NULL)
		return "The private key is encrypted; give it unencrypted (PKCS#8 \"BEGIN PRIVATE KEY\", or \"BEGIN RSA PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\").";
	r->bio = BIO_new_mem_buf(pem, -1);
	if (r->bio == NULL)
		return "Out of memory reading the private key.";
	r->pkey = PEM_read_bio_PrivateKey(r->bio, NULL, no_passphrase, NULL);
	ERR_clear_error();
	if (r->pkey == NULL)
		return "The PEM text does not hold a private key that OpenSSL can read.";

	switch (EVP_PKEY_base_id(r->pkey))
	{
		case EVP_PKEY_RSA:
			if (EVP_PKEY_bits(r->pkey) < 2048)
				return "The RSA key has fewer than 2048 bits.";
			*keyalg = REST_JWT_RS256;
			return NULL;
		case EVP_PKEY_EC:
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
			if (!EVP_PKEY_get_group_name(r->pkey, group, sizeof(group), &glen) ||
				(strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0))
				return "The EC key is not on curve P-256, the only one of ES256.";
#else
			if (EC_GROUP_get_curve_name(EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(r->pkey))) !=
				NID_X9_62_prime256v1)
				return "The EC key is not on curve P-256, the only one of ES256.";
#endif
			*keyalg = REST_JWT_ES256;
			return NULL;
	}
	return "The private key is neither an RSA nor an EC key.";
}

/*
 * Why the value of a private_key option cannot sign, or NULL: for the
 * validator, which thus refuses what no token request could use.
 */
const char *
rest_jwt_key_problem(const char *value)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	JwtResources *r;
	RestJwtKeyText key;
	RestJwtAlg alg;
	const char *problem;

	r = jwt_resources();
	MemoryContextSwitchTo(GetMemoryChunkContext(r));
	problem = rest_jwt_split_key(value, &key);
	if (problem == NULL)
	{
		jwt_wipe_later(r, key.pem, strlen(key.pem));
		problem = load_private_key(r, key.pem, &alg);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(GetMemoryChunkContext(r));
	return problem;
}

const char *
rest_jwt_alg_name(RestJwtAlg alg)
{
	switch (alg)
	{
		case REST_JWT_RS256:
			return "RS256";
		case REST_JWT_ES256:
			return "ES256";
		case REST_JWT_HS256:
			return "HS256";
		case REST_JWT_DEFAULT:
			break;
	}
	return "?";
}

/* Set a string member unless value is NULL; jansson copies it */
static void
set_string(json_t *obj, const char *name, const char *value)
{
	if (value != NULL && json_object_set_new(obj, name, json_string(value)) != 0)
		elog(ERROR, "rest_fdw: could not build a JWT member \"%s\"", name);
}

/* json_dumps into a palloc'd string, base64url-encoded onto buf */
static void
append_json_part(StringInfo buf, json_t *obj)
{
	char	   *text = json_dumps(obj, JSON_COMPACT);

	json_decref(obj);
	if (text == NULL)
		elog(ERROR, "rest_fdw: could not serialise a JWT");
	rest_append_base64url(buf, (unsigned char *) text, strlen(text));
	free(text);
}

pg_noreturn static void
sign_error(RestConnOptions *conn, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not sign a JWT for server \"%s\"", conn->servername),
			 errdetail("%s", what)));
}

/*
 * A signed JWT (compact serialisation) for the token endpoint of conn,
 * made of a's claims and signed as a says: with a->pem (RS256 or ES256,
 * a->alg REST_JWT_DEFAULT taking the key's) or with a->secret (HS256).
 * The claims are iss, sub, aud, iat, nbf, exp = iat + a->lifetime and a
 * random jti, and scope when a->scope is set; the header names kid and
 * x5t when given.  Returned palloc'd in the current memory context: the
 * caller zeroes it when done.  ERROR, naming optname and the server but
 * never the key, when the key cannot sign or does not fit a->alg.
 */
char *
rest_jwt_sign(RestConnOptions *conn, const RestJwtAssertion *a,
			  const char *optname)
{
	MemoryContext callercxt = CurrentMemoryContext;
	JwtResources *r;
	StringInfoData jwt;
	json_t	   *header;
	json_t	   *claims;
	unsigned char jti[16];
	StringInfoData jtibuf;
	unsigned char *sig = NULL;
	size_t		siglen = 0;
	RestJwtAlg alg = a->alg;
	RestJwtAlg keyalg = REST_JWT_DEFAULT;
	time_t		now = time(NULL);
	char	   *result;

	r = jwt_resources();
	MemoryContextSwitchTo(GetMemoryChunkContext(r));

	if (alg != REST_JWT_HS256)
	{
		const char *problem = load_private_key(r, a->pem, &keyalg);

		if (problem != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("invalid value for option \"%s\" of the user mapping for server \"%s\"",
							optname, conn->servername),
					 errdetail("%s", problem)));
		if (alg == REST_JWT_DEFAULT)
			alg = keyalg;
		else if (alg != keyalg)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"%s\" does not fit the private key of the user mapping for server \"%s\"",
							OPT_JWT_ALGORITHM, conn->servername),
					 errdetail("Algorithm %s needs %s, and the private_key option holds %s.",
							   rest_jwt_alg_name(alg),
							   alg == REST_JWT_ES256 ? "an EC P-256 key" : "an RSA key",
							   keyalg == REST_JWT_ES256 ? "an EC P-256 key" : "an RSA key"),
					 errhint("Drop the jwt_algorithm option to take the key's algorithm, %s.",
							 rest_jwt_alg_name(keyalg))));
	}

	/*
	 * The header and the claims, each base64url-encoded JSON; made with
	 * json_pack, not json_object(), which the postgres executable exports
	 * as a SQL function of its own.
	 */
	header = json_pack("{}");
	claims = json_pack("{}");
	if (header == NULL || claims == NULL)
		elog(ERROR, "rest_fdw: out of memory building a JWT");
	set_string(header, "alg", rest_jwt_alg_name(alg));
	set_string(header, "typ", "JWT");
	set_string(header, "kid", a->kid);
	set_string(header, "x5t", a->x5t);

	if (!pg_strong_random(jti, sizeof(jti)))
		sign_error(conn, "No random bytes could be generated for the token's jti.");
	initStringInfo(&jtibuf);
	rest_append_base64url(&jtibuf, jti, sizeof(jti));
	set_string(claims, "iss", a->iss);
	set_string(claims, "sub", a->sub);
	set_string(claims, "aud", a->aud);
	set_string(claims, "jti", jtibuf.data);
	set_string(claims, "scope", a->scope);
	if (json_object_set_new(claims, "iat", json_integer((json_int_t) now)) != 0 ||
		json_object_set_new(claims, "nbf", json_integer((json_int_t) now)) != 0 ||
		json_object_set_new(claims, "exp",
							json_integer((json_int_t) now + a->lifetime)) != 0)
		elog(ERROR, "rest_fdw: could not build the time claims of a JWT");

	initStringInfo(&jwt);
	append_json_part(&jwt, header);
	appendStringInfoChar(&jwt, '.');
	append_json_part(&jwt, claims);

	if (alg == REST_JWT_HS256)
	{
		unsigned int maclen = 0;

		sig = palloc(EVP_MAX_MD_SIZE);
		jwt_wipe_later(r, (char *) sig, EVP_MAX_MD_SIZE);
		if (HMAC(EVP_sha256(), a->secret, (int) strlen(a->secret),
				 (unsigned char *) jwt.data, jwt.len, sig, &maclen) == NULL)
			sign_error(conn, "HMAC-SHA-256 failed.");
		siglen = maclen;
	}
	else
	{
		size_t		derlen = 0;
		unsigned char *der;

		r->mdctx = EVP_MD_CTX_new();
		if (r->mdctx == NULL ||
			EVP_DigestSignInit(r->mdctx, NULL, EVP_sha256(), NULL, r->pkey) != 1 ||
			EVP_DigestSign(r->mdctx, NULL, &derlen,
						   (unsigned char *) jwt.data, jwt.len) != 1)
			sign_error(conn, "OpenSSL could not start the signature.");
		der = palloc(derlen);
		if (EVP_DigestSign(r->mdctx, der, &derlen,
						   (unsigned char *) jwt.data, jwt.len) != 1)
			sign_error(conn, "OpenSSL could not sign.");

		if (alg == REST_JWT_RS256)
		{
			sig = der;
			siglen = derlen;
		}
		else
		{
			/* ES256: the DER SEQUENCE of r and s becomes R || S, 32 bytes each */
			const unsigned char *p = der;
			const BIGNUM *br;
			const BIGNUM *bs;

			r->ecsig = d2i_ECDSA_SIG(NULL, &p, (long) derlen);
			if (r->ecsig == NULL)
				sign_error(conn, "OpenSSL returned an ECDSA signature that cannot be read.");
			ECDSA_SIG_get0(r->ecsig, &br, &bs);
			sig = palloc(64);
			if (BN_bn2binpad(br, sig, 32) != 32 || BN_bn2binpad(bs, sig + 32, 32) != 32)
				sign_error(conn, "OpenSSL returned an ECDSA signature of the wrong size.");
			siglen = 64;
		}
	}
	appendStringInfoChar(&jwt, '.');
	rest_append_base64url(&jwt, sig, siglen);
	jwt_wipe_later(r, jwt.data, jwt.maxlen);

	result = MemoryContextStrdup(callercxt, jwt.data);
	MemoryContextSwitchTo(callercxt);
	MemoryContextDelete(GetMemoryChunkContext(r));
	return result;
}
