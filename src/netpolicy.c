/*-------------------------------------------------------------------------
 *
 * netpolicy.c
 *		  Where servers owned by non-superusers may connect:
 *		  rest_fdw.allowed_hosts and the classification of addresses.
 *
 * A non-superuser who may create a server must not be able to use the
 * database server as a proxy into the network it sits in (SSRF).  So the
 * requests of such servers may reach only public addresses, unless the
 * superuser's allow-list, rest_fdw.allowed_hosts, names the host or the
 * address.  The list is a comma-separated set of entries, each optionally
 * followed by ":port" (without a port: any port):
 *
 *	 *				any host, but only at public addresses
 *	 api.example.com	that host, at any address it resolves to
 *	 *.corp.example	the hosts of a domain, at any address
 *	 10.1.2.3, [fd00::1], 10.0.0.0/8, [fd00::/8]
 *					an address or a block of addresses, whatever name
 *					resolves to it (an IPv4-mapped block, ::ffff:a.b.c.d/N,
 *					is the IPv4 block and needs N >= 96)
 *
 * The default, "*", lets non-superusers' servers reach public APIs; an
 * empty list lets them reach nothing.
 *
 * A host is checked twice: by its name (or literal address) before a
 * request starts, and by every address libcurl connects to (http.c's
 * socket callback), so a name that resolves, or later re-resolves, to a
 * loopback or private address is refused.  The functions used from that
 * callback neither allocate nor raise errors.
 *
 * The variable is PGC_SUSET, but before the library is loaded it is only a
 * placeholder, which every user can set.  A value a non-superuser gave in
 * the connection's startup options (PGOPTIONS) becomes the placeholder's
 * reset value and displaces the superuser's value from the configuration
 * file or ALTER DATABASE/ROLE ... SET; when the library defines the real
 * variable that value is refused, and the superuser's value is no longer
 * known to the session.  rest_net_define_guc notices this and makes every
 * connection of a non-superuser's server fail in that session, with an
 * error that says why (fail closed).  Values set with SET or set_config
 * before the library was loaded are stacked above the reset value, are
 * refused the same way, and leave the superuser's value in force.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#define REST_COMPAT_GUC_TABLES
#include "rest_fdw.h"

#define ALLOWED_HOSTS_GUC		"rest_fdw.allowed_hosts"
#define REST_MAX_HOST_LEN		253 /* of a DNS name */

typedef enum RestHostEntryKind
{
	HOST_ANY,					/* "*": any host, public addresses only */
	HOST_NAME,					/* one host name */
	HOST_DOMAIN,				/* "*.example.com": the hosts of a domain */
	HOST_ADDR					/* an address or a CIDR block */
} RestHostEntryKind;

typedef struct RestHostEntry
{
	RestHostEntryKind kind;
	int			port;			/* 0: any port */
	RestNetAddr addr;			/* HOST_ADDR */
	int			prefix;			/* HOST_ADDR: bits of addr that count */
	int			name_off;		/* HOST_NAME, HOST_DOMAIN: offset of the
								 * lower-case name (".example.com" for a
								 * domain) from the start of the list */
} RestHostEntry;

/*
 * The parsed allow-list: one block from rest_guc_malloc (the GUC machinery
 * frees it), the names after the entries.
 */
typedef struct RestHostList
{
	int			nentries;
	RestHostEntry entries[FLEXIBLE_ARRAY_MEMBER];
} RestHostList;

/* rest_fdw.allowed_hosts as set, and parsed */
char	   *rest_allowed_hosts = NULL;
static RestHostList *allowed_list = NULL;

/* Changes of the list, so that http.c closes connections opened under an older one */
uint32		rest_net_generation = 0;

/*
 * The value that applied when the library was loaded was refused: the
 * superuser's allow-list is unknown in this session.  lost_source says
 * where the refused value came from.
 */
static bool allowed_list_lost = false;
static GucSource lost_source = PGC_S_DEFAULT;

static bool check_allowed_hosts(char **newval, void **extra, GucSource source);
static void assign_allowed_hosts(const char *newval, void *extra);

/*
 * Is name a host name an entry may give: letters, digits, '-' and '_',
 * in non-empty labels separated by single dots?
 */
static bool
valid_host_name(const char *name, size_t len)
{
	size_t		i;
	bool		label_empty = true;

	if (len == 0 || len > REST_MAX_HOST_LEN)
		return false;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];

		if (c == '.')
		{
			if (label_empty)
				return false;
			label_empty = true;
		}
		else if (isalnum(c) || c == '-' || c == '_')
			label_empty = false;
		else
			return false;
	}
	return !label_empty;
}

/* A port: 1 to 65535 in decimal digits; -1 if it is not one */
static int
parse_port(const char *s, size_t len)
{
	int			port = 0;
	size_t		i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++)
	{
		if (!isdigit((unsigned char) s[i]))
			return -1;
		port = port * 10 + (s[i] - '0');
	}
	return (port >= 1 && port <= 65535) ? port : -1;
}

/*
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address: the
 * connection goes to that.
 */
static void
normalize_addr(RestNetAddr *a)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (a->family == AF_INET6 && memcmp(a->bytes, mapped, 12) == 0)
	{
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
}

/*
 * Parse an address written "a.b.c.d" or (v6 set) an IPv6 address without
 * brackets, with an optional "/prefix".  s is not NUL-terminated.  An
 * IPv4-mapped block (::ffff:a.b.c.d/prefix) is the IPv4 block; one with a
 * prefix under 96 bits would cover every IPv4 address, loopback included,
 * and is refused with *detail (palloc'd) saying what to write instead.
 */
static bool
parse_addr_block(const char *s, size_t len, bool v6, RestNetAddr *addr,
				 int *prefix, char **detail)
{
	char		buf[INET6_ADDRSTRLEN + 8];
	char	   *slash;
	int			maxbits;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';

	memset(addr, 0, sizeof(RestNetAddr));
	addr->family = v6 ? AF_INET6 : AF_INET;
	if (inet_pton(addr->family, buf, addr->bytes) != 1)
		return false;
	maxbits = v6 ? 128 : 32;
	*prefix = maxbits;
	if (slash)
	{
		char	   *p = slash + 1;
		int			bits = 0;

		if (*p == '\0' || strlen(p) > 3)
			return false;
		for (; *p; p++)
		{
			if (!isdigit((unsigned char) *p))
				return false;
			bits = bits * 10 + (*p - '0');
		}
		if (bits > maxbits)
			return false;
		*prefix = bits;
	}
	/* a mapped block is the IPv4 block */
	if (v6)
	{
		RestNetAddr before = *addr;

		normalize_addr(addr);
		if (addr->family == AF_INET && before.family == AF_INET6)
		{
			if (*prefix < 96)
			{
				char		text[INET_ADDRSTRLEN];

				if (inet_ntop(AF_INET, addr->bytes, text, sizeof(text)) == NULL)
					strlcpy(text, "?", sizeof(text));
				*detail = psprintf("Entry \"%.*s\" is an IPv4-mapped IPv6 block with a prefix shorter than 96 bits, which would cover every IPv4 address. For a block of IPv4 addresses write it in IPv4 form, as in \"%s/%d\".",
								   (int) len, s, text, Min(*prefix, 32));
				return false;
			}
			*prefix -= 96;
		}
	}
	return true;
}

/*
 * Parse one entry of the list into *e; names are appended to *names
 * (lower-cased).  Returns false if it is malformed.
 */
static bool
parse_entry(const char *tok, size_t len, RestHostEntry *e, StringInfo names,
			char **detail)
{
	const char *host = tok;
	size_t		hlen = len;
	const char *colon;
	size_t		ncolons = 0;
	size_t		i;

	memset(e, 0, sizeof(RestHostEntry));
	for (i = 0; i < len; i++)
		if (tok[i] == ':')
			ncolons++;

	if (tok[0] == '[')
	{
		/* [IPv6 address or block], optionally :port */
		const char *close = memchr(tok, ']', len);

		if (close == NULL)
			return false;
		if ((size_t) (close + 1 - tok) < len)
		{
			if (close[1] != ':' ||
				(e->port = parse_port(close + 2, len - (close + 2 - tok))) < 0)
				return false;
		}
		e->kind = HOST_ADDR;
		return parse_addr_block(tok + 1, close - tok - 1, true, &e->addr,
								&e->prefix, detail);
	}
	if (ncolons >= 2)
	{
		/* a bare IPv6 address or block: no port */
		e->kind = HOST_ADDR;
		return parse_addr_block(tok, len, true, &e->addr, &e->prefix,
								detail);
	}
	if (ncolons == 1)
	{
		colon = memchr(tok, ':', len);
		hlen = colon - tok;
		if ((e->port = parse_port(colon + 1, len - hlen - 1)) < 0)
			return false;
	}

	if (hlen == 1 && host[0] == '*')
	{
		e->kind = HOST_ANY;
		return true;
	}
	if (memchr(host, '/', hlen) != NULL ||
		(hlen > 0 && isdigit((unsigned char) host[hlen - 1]) &&
		 parse_addr_block(host, hlen, false, &e->addr, &e->prefix, detail)))
	{
		e->kind = HOST_ADDR;
		return parse_addr_block(host, hlen, false, &e->addr, &e->prefix,
								detail);
	}

	/* a trailing dot names the same host */
	if (hlen > 1 && host[hlen - 1] == '.')
		hlen--;
	if (hlen > 2 && host[0] == '*' && host[1] == '.')
	{
		if (!valid_host_name(host + 2, hlen - 2))
			return false;
		e->kind = HOST_DOMAIN;
		host++;					/* keep the dot: ".example.com" */
		hlen--;
	}
	else if (valid_host_name(host, hlen))
		e->kind = HOST_NAME;
	else
		return false;

	e->name_off = names->len;
	for (i = 0; i < hlen; i++)
		appendStringInfoChar(names, pg_tolower((unsigned char) host[i]));
	appendStringInfoChar(names, '\0');
	return true;
}

/*
 * GUC check hook: parse the list into one rest_guc_malloc'd block for the
 * assign hook.  A malformed entry makes the whole value invalid.
 */
static bool
check_allowed_hosts(char **newval, void **extra, GucSource source)
{
	const char *p = *newval ? *newval : "";
	List	   *entries = NIL;
	StringInfoData names;
	RestHostList *list;
	size_t		entries_size;
	ListCell   *lc;
	int			i;

	initStringInfo(&names);
	while (*p)
	{
		size_t		len;
		RestHostEntry *e;
		char	   *detail = NULL;

		p += strspn(p, ", \t\r\n");
		len = strcspn(p, ", \t\r\n");
		if (len == 0)
			break;
		e = palloc(sizeof(RestHostEntry));
		if (!parse_entry(p, len, e, &names, &detail))
		{
			if (detail)
			{
				GUC_check_errdetail("%s", detail);
				return false;
			}
			GUC_check_errdetail("Entry \"%.*s\" is not \"*\", a host name, \"*.domain\", an IP address or an address block (CIDR), optionally followed by \":port\".",
								(int) Min(len, 300), p);
			return false;
		}
		entries = lappend(entries, e);
		p += len;
	}

	entries_size = offsetof(RestHostList, entries) +
		sizeof(RestHostEntry) * list_length(entries);
	list = rest_guc_malloc(entries_size + names.len + 1);
	if (list == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	list->nentries = list_length(entries);
	i = 0;
	foreach(lc, entries)
	{
		list->entries[i] = *(RestHostEntry *) lfirst(lc);
		list->entries[i].name_off += entries_size;
		i++;
	}
	memcpy((char *) list + entries_size, names.data, names.len);
	((char *) list)[entries_size + names.len] = '\0';
	*extra = list;
	return true;
}

static void
assign_allowed_hosts(const char *newval, void *extra)
{
	allowed_list = (RestHostList *) extra;
	rest_net_generation++;
}

/*
 * Define rest_fdw.allowed_hosts (from _PG_init), and notice when the value
 * the placeholder held by default for the session is refused by the real
 * variable: then the superuser's value was displaced and is lost (see the
 * head of this file).
 */
void
rest_net_define_guc(void)
{
	struct config_generic *rec;
	char	   *held = NULL;
	GucSource	held_source = PGC_S_DEFAULT;

	rec = rest_find_guc_record(ALLOWED_HOSTS_GUC);
	if (rec != NULL && (rec->flags & GUC_CUSTOM_PLACEHOLDER) != 0 &&
		rec->vartype == PGC_STRING)
	{
		struct config_string *ph = (struct config_string *) rec;

		if (ph->reset_val != NULL && rec->reset_source != PGC_S_DEFAULT)
		{
			/* the placeholder is freed by the definition */
			held = MemoryContextStrdup(TopMemoryContext, ph->reset_val);
			held_source = rec->reset_source;
		}
	}

	DefineCustomStringVariable(ALLOWED_HOSTS_GUC,
							   "Hosts that servers owned by non-superusers may contact.",
							   "A comma-separated list: \"*\" (any host at a public address), "
							   "host names, \"*.example.com\" for a domain's hosts, IP addresses "
							   "or CIDR blocks, each optionally with \":port\". A listed host or "
							   "address may be private or loopback. Empty: none.",
							   &rest_allowed_hosts,
							   "*",
							   PGC_SUSET,
							   0,
							   check_allowed_hosts, assign_allowed_hosts, NULL);

	if (held != NULL)
	{
		struct config_string *var;

		rec = rest_find_guc_record(ALLOWED_HOSTS_GUC);
		var = (struct config_string *) rec;
		if (rec == NULL || rec->vartype != PGC_STRING ||
			rec->reset_source != held_source || var->reset_val == NULL ||
			strcmp(var->reset_val, held) != 0)
		{
			allowed_list_lost = true;
			lost_source = held_source;
		}
		pfree(held);
	}
}

/* Where a refused reset value came from, for the error */
static const char *
source_description(GucSource source)
{
	switch (source)
	{
		case PGC_S_CLIENT:
			return "the connection's startup options (PGOPTIONS)";
		case PGC_S_FILE:
			return "the configuration file";
		case PGC_S_DATABASE:
		case PGC_S_USER:
		case PGC_S_DATABASE_USER:
		case PGC_S_GLOBAL:
			return "ALTER DATABASE or ALTER ROLE ... SET";
		default:
			return "a setting";
	}
}

/*
 * Refuse every connection of a non-superuser's server when the allow-list
 * is unknown in this session.  Not called from libcurl callbacks.
 */
void
rest_net_check_list_known(const char *servername)
{
	if (!allowed_list_lost)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("server \"%s\" may not connect: rest_fdw.allowed_hosts is unknown in this session",
					servername),
			 errdetail("The owner of the server is not a superuser. The value of rest_fdw.allowed_hosts from %s was refused when rest_fdw was loaded, and it had replaced the value a superuser configured.",
					   source_description(lost_source)),
			 lost_source == PGC_S_CLIENT
			 ? errhint("Connect without setting rest_fdw.allowed_hosts in the connection options, or have a superuser add rest_fdw to shared_preload_libraries.")
			 : errhint("Correct the setting of rest_fdw.allowed_hosts and reconnect.")));
}

/*
 * Parse a URL's host as an IP address literal ("a.b.c.d" or "[v6]").
 * Returns false for a name.
 */
bool
rest_net_parse_literal(const char *host, RestNetAddr *addr)
{
	char		buf[INET6_ADDRSTRLEN + 1];
	size_t		len = strlen(host);

	memset(addr, 0, sizeof(RestNetAddr));
	if (len > 2 && host[0] == '[' && host[len - 1] == ']' &&
		len - 2 < sizeof(buf))
	{
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		addr->family = AF_INET6;
		if (inet_pton(AF_INET6, buf, addr->bytes) != 1)
			return false;
		normalize_addr(addr);
		return true;
	}
	addr->family = AF_INET;
	return inet_pton(AF_INET, host, addr->bytes) == 1;
}

/*
 * The address libcurl is about to connect to, from its socket address.
 * Returns false for a family other than IPv4 and IPv6.  Safe in a libcurl
 * callback.
 */
bool
rest_net_from_sockaddr(const struct sockaddr *sa, RestNetAddr *addr, int *port)
{
	memset(addr, 0, sizeof(RestNetAddr));
	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

		addr->family = AF_INET;
		memcpy(addr->bytes, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;

		addr->family = AF_INET6;
		memcpy(addr->bytes, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
		normalize_addr(addr);
		return true;
	}
	return false;
}

/* "a.b.c.d:port" or "[v6]:port" into buf.  Safe in a libcurl callback. */
void
rest_net_format(const RestNetAddr *addr, int port, char *buf, size_t size)
{
	char		text[INET6_ADDRSTRLEN];

	if (inet_ntop(addr->family, addr->bytes, text, sizeof(text)) == NULL)
		strlcpy(text, "?", sizeof(text));
	if (addr->family == AF_INET6)
		snprintf(buf, size, "[%s]:%d", text, port);
	else
		snprintf(buf, size, "%s:%d", text, port);
}

/* The kind of a non-public IPv4 address (a, b, c, d), or NULL */
static const char *
ipv4_class(const unsigned char *v)
{
	if (v[0] == 0)
		return "unspecified";
	if (v[0] == 127)
		return "loopback";
	if (v[0] == 10 || (v[0] == 172 && (v[1] & 0xf0) == 16) ||
		(v[0] == 192 && v[1] == 168))
		return "private";
	if (v[0] == 169 && v[1] == 254)
		return "link-local";
	if (v[0] == 100 && (v[1] & 0xc0) == 64)
		return "shared (carrier-grade NAT)";
	if ((v[0] == 192 && v[1] == 0 && v[2] == 2) ||
		(v[0] == 198 && v[1] == 51 && v[2] == 100) ||
		(v[0] == 203 && v[1] == 0 && v[2] == 113))
		return "documentation";
	if (v[0] == 198 && (v[1] & 0xfe) == 18)
		return "benchmarking";
	if ((v[0] == 192 && v[1] == 0 && v[2] == 0) ||
		(v[0] == 192 && v[1] == 88 && v[2] == 99))
		return "reserved";
	if (v[0] == 255 && v[1] == 255 && v[2] == 255 && v[3] == 255)
		return "broadcast";
	if ((v[0] & 0xf0) == 224)
		return "multicast";
	if ((v[0] & 0xf0) == 240)
		return "reserved";
	return NULL;
}

/*
 * The kind of a non-public address ("loopback", "private", "link-local",
 * ...), or NULL for a public (globally reachable) one, after the IANA
 * special-purpose registries.  IPv6 forms that carry an IPv4 address
 * (NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address; IPv6
 * is public only inside 2000::/3.  Safe in a libcurl callback.
 */
const char *
rest_net_address_class(const RestNetAddr *addr)
{
	const unsigned char *v = addr->bytes;
	static const unsigned char zero[16] = {0};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

	if (addr->family == AF_INET)
		return ipv4_class(v);

	if (memcmp(v, zero, 16) == 0)
		return "unspecified";
	if (memcmp(v, zero, 15) == 0 && v[15] == 1)
		return "loopback";
	if (memcmp(v, nat64, 12) == 0)
		return ipv4_class(v + 12);
	if (v[0] == 0x20 && v[1] == 0x02)
		return ipv4_class(v + 2);
	if (v[0] == 0xff)
		return "multicast";
	if (v[0] == 0xfe && (v[1] & 0xc0) == 0x80)
		return "link-local";
	if ((v[0] & 0xfe) == 0xfc || (v[0] == 0xfe && (v[1] & 0xc0) == 0xc0) ||
		(v[0] == 0 && v[1] == 0x64 && v[2] == 0xff && v[3] == 0x9b &&
		 v[4] == 0 && v[5] == 1))
		return "private";
	if ((v[0] == 0x20 && v[1] == 0x01 && v[2] == 0x0d && v[3] == 0xb8) ||
		(v[0] == 0x3f && v[1] == 0xff && (v[2] & 0xf0) == 0))
		return "documentation";
	/* 2001::/23: IETF protocol assignments, Teredo among them */
	if (v[0] == 0x20 && v[1] == 0x01 && (v[2] & 0xfe) == 0)
		return "reserved";
	if ((v[0] & 0xe0) != 0x20)
		return "reserved";
	return NULL;
}

/* Is addr inside the block of e? */
static bool
addr_in_block(const RestHostEntry *e, const RestNetAddr *addr)
{
	int			full = e->prefix / 8;
	int			rest = e->prefix % 8;

	if (e->addr.family != addr->family)
		return false;
	if (memcmp(e->addr.bytes, addr->bytes, full) != 0)
		return false;
	if (rest > 0)
	{
		unsigned char mask = (unsigned char) (0xff << (8 - rest));

		if ((e->addr.bytes[full] & mask) != (addr->bytes[full] & mask))
			return false;
	}
	return true;
}

/*
 * May a non-superuser's server connect to host (as in the URL: lower-case
 * is not required, IPv6 in brackets) on port?  addr is the address to
 * connect to, or NULL before the name is resolved: the answer is then
 * "yes" when some entry may still allow the connection at connect time.
 * On refusal, *why says why and *addr_class is the kind of a non-public
 * address (or NULL).  Neither allocates nor throws: used in a libcurl
 * callback.
 */
bool
rest_net_allowed(const char *host, int port, const RestNetAddr *addr,
				 RestNetRefusal *why, const char **addr_class)
{
	const RestHostList *list = allowed_list;
	const char *cls = addr ? rest_net_address_class(addr) : NULL;
	size_t		hlen = strlen(host);
	bool		other_port = false;
	int			i;

	*why = REST_NET_NOT_LISTED;
	*addr_class = cls;
	if (hlen > 1 && host[hlen - 1] == '.')
		hlen--;

	for (i = 0; list != NULL && i < list->nentries; i++)
	{
		const RestHostEntry *e = &list->entries[i];
		const char *name = (const char *) list + e->name_off;
		bool		match = false;

		switch (e->kind)
		{
			case HOST_ANY:
				/* any name; the address must be public */
				match = true;
				if (addr != NULL && cls != NULL)
				{
					if (e->port == 0 || e->port == port)
						*why = REST_NET_NOT_PUBLIC;
					continue;
				}
				break;
			case HOST_NAME:
				match = strlen(name) == hlen &&
					pg_strncasecmp(host, name, hlen) == 0;
				break;
			case HOST_DOMAIN:
				{
					size_t		dlen = strlen(name);

					match = hlen > dlen &&
						pg_strncasecmp(host + hlen - dlen, name, dlen) == 0;
				}
				break;
			case HOST_ADDR:
				/* before resolution a name may still resolve into it */
				match = addr == NULL || addr_in_block(e, addr);
				break;
		}
		if (!match)
			continue;
		if (e->port != 0 && e->port != port)
		{
			other_port = true;
			continue;
		}
		return true;
	}
	if (*why != REST_NET_NOT_PUBLIC && other_port)
		*why = REST_NET_OTHER_PORT;
	return false;
}

/*
 * Is addr a loopback address (127.0.0.0/8 or ::1)?  Safe in a libcurl
 * callback.
 */
bool
rest_net_is_loopback_addr(const RestNetAddr *addr)
{
	const char *cls;

	if (addr->family == AF_INET)
		return addr->bytes[0] == 127;
	cls = rest_net_address_class(addr);
	return cls != NULL && strcmp(cls, "loopback") == 0;
}

/*
 * Is host (as in a URL) a loopback host: exactly the name localhost (in
 * any case), or an address in 127.0.0.0/8 or ::1?  Requests to it do not
 * leave the machine.  "localhost." is not one: a name with a trailing dot
 * is looked up in the DNS, which may answer anything.
 */
bool
rest_net_is_loopback_host(const char *host)
{
	RestNetAddr addr;

	if (pg_strcasecmp(host, "localhost") == 0)
		return true;
	if (!rest_net_parse_literal(host, &addr))
		return false;
	return rest_net_is_loopback_addr(&addr);
}
