/*
 * Preloaded after libasan by test/sanitize.sh, so that programs started
 * with a preloaded AddressSanitizer (the postmaster, and psql as
 * pg_ctlcluster runs it to check the start) do not hang at start.
 *
 * A preloaded libasan initialises on its first intercepted call, and the
 * loader runs the constructors of the program's libraries before libasan's
 * own, so that first call can come from inside glibc with one of its
 * locks held: libgpg-error's constructor calls bindtextdomain(), which
 * holds _nl_state_lock for writing when it calls malloc(); libp11-kit's
 * calls newlocale(), which holds __libc_setlocale_lock.  ASan's
 * initialisation looks up swift_demangle with dlsym() and clears the
 * failure with dlerror(), which translates the message with dcgettext(),
 * which takes both locks for reading.  pthread_rwlock_rdlock() fails there
 * with EDEADLK, dcgettext() ignores that and unlocks anyway, the lock's
 * reader count goes to -1, and the next writer (the postmaster's own
 * bindtextdomain() in set_pglocale_pgservice, or setlocale()) waits for
 * ever.  Locale settings do not help: the locks are taken whatever the
 * locale.
 *
 * With this definition the lookup succeeds, dlerror() has no message to
 * translate, and no lock is taken.  ASan calls it to demangle a name
 * before trying C++; NULL means "not a Swift name".
 */
#include <stddef.h>
#include <stdint.h>

char	   *swift_demangle(const char *mangled, size_t length, char *buffer,
						   size_t *size, uint32_t flags);

char *
swift_demangle(const char *mangled, size_t length, char *buffer,
			   size_t *size, uint32_t flags)
{
	return NULL;
}
