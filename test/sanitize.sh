#!/bin/bash
# Run the whole test suite with rest_fdw built with UndefinedBehaviorSanitizer
# (gcc; any report aborts the backend) and search the server log for
# sanitizer reports.  Reinstalls the normal build at the end.
#
# AddressSanitizer needs its runtime preloaded into the postmaster; with
# Debian's PostgreSQL 15 the preloaded postmaster hangs at start here, so
# memory errors are looked for with valgrind instead (test/valgrind.sh runs
# the whole suite under memcheck), and the code that reads untrusted text is
# fuzzed under ASan and UBSan (test/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

. test/lib.sh
take_machine_lock
test/setup-debian.sh
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

san="-fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
make -s clean
make -s with_llvm=no PG_CFLAGS="-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $san" \
	LDFLAGS_SL="$san" >/dev/null
$SUDO make -s with_llvm=no install >/dev/null

export REST_TEST_SANITIZE=undefined
status=0
test/run-tests.sh || status=$?

make -s clean
make -s >/dev/null
$SUDO make -s install >/dev/null
exit $status
