#!/bin/bash
# Run the whole test suite (test/run-tests.sh: pg_regress, the TAP tests,
# the secret check) with rest_fdw built with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc), Debian's postgres running with libasan
# preloaded, and count the sanitizer reports: any report fails the run.
# Reinstalls the normal build at the end.
#
# The ASan runtime must come first in the postmaster's library list, so it
# is preloaded through the cluster's environment file (pg_ctlcluster
# starts the postmaster with that environment only; pg_virtualenv passes
# $CREATE_OPTS on to pg_createcluster), together with test/asan-preload.c,
# without which a program with libasan preloaded can hang at start in
# glibc's locale locks (see there why).
# The servers the TAP tests start themselves with pg_ctl (the standby of
# 001, the copies of 004 and 006) get the same preload through the TAP
# tests' environment (REST_TEST_TAP_PRELOAD, read by test/in-cluster.sh);
# the tests' clients (perl, psql, pg_basebackup) then run with it too.
#
# Reports go to files (ASan's and UBSan's log_path), one per process, which
# test/in-cluster.sh counts with the server log; so reports from the TAP
# tests' own servers, whose logs the tests remove, are counted too.
# ASan errors and UBSan findings abort the process (a crashed backend).
#
# No leak check (detect_leaks=0): LeakSanitizer runs at each process exit
# and finds, in every server process, the two blocks that the postmaster
# keeps for its lifetime without a pointer to them (the copy of argv made by
# save_ps_display_args, the -D string of PostmasterMain); a suppression
# matches any frame of a leak's stack, and PostmasterMain is on the stack of
# every allocation in a backend, so it cannot be suppressed without hiding
# every backend leak.  Memory that rest_fdw pallocs is not visible to it
# anyway; see README "Tests".
set -euo pipefail
cd "$(dirname "$0")/.."

. test/lib.sh
take_machine_lock
test/setup-debian.sh
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
started=$(date +%s)

libasan=$(readlink -f "$(gcc -print-file-name=libasan.so)")
[ -f "$libasan" ] || { echo "no libasan for gcc: $libasan" >&2; exit 1; }

T=$(mktemp -d /tmp/rest_fdw_sanitize.XXXXXX)
chmod 755 "$T"
mkdir -m 1777 "$T/reports"
restore()
{
	local rc=$?
	set +e
	make -s clean
	make -s >/dev/null
	$SUDO make -s install >/dev/null
	rm -rf "$T"
	exit $rc
}
trap restore EXIT
trap 'exit 1' INT TERM

gcc -Wall -O2 -shared -fPIC -o "$T/asan-preload.so" test/asan-preload.c
cp test/ubsan.supp "$T/"
chmod 644 "$T/ubsan.supp"
preload="$libasan $T/asan-preload.so"
# quarantine_size_mb: freed blocks wait there before reuse, 256 MB by
# default, which security_arrays' bound on the backend's peak memory (40 MB
# more, 14 MB needed) would count; a use after free is found until 4 MB
# more have been freed
asan="detect_leaks=0:abort_on_error=1:quarantine_size_mb=4:log_path=$T/reports/asan"
ubsan="print_stacktrace=1:halt_on_error=1:abort_on_error=1:suppressions=$T/ubsan.supp:log_path=$T/reports/ubsan"

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
make -s clean
make -s with_llvm=no PG_CFLAGS="-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $san" \
	LDFLAGS_SL="$san" >/dev/null
$SUDO make -s with_llvm=no install >/dev/null

# the postmaster's environment (postgresql.conf syntax)
cat > "$T/environment" <<ENV
LD_PRELOAD = '$preload'
ASAN_OPTIONS = '$asan'
UBSAN_OPTIONS = '$ubsan'
ENV
chmod 644 "$T/environment"
export CREATE_OPTS="--environment=$T/environment"
export REST_TEST_TAP_PRELOAD=$preload ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan
export REST_TEST_SANITIZE=address,undefined REST_TEST_SANITIZE_REPORTS=$T/reports
status=0
test/run-tests.sh || status=$?

# every report, also those written after in-cluster.sh counted (at shutdown)
late=$(cat "$T"/reports/* 2>/dev/null | grep -cE "AddressSanitizer|runtime error:" || true)
if [ "$late" -ne 0 ]; then
	echo "sanitizer reports after the run: $late" >&2
	cat "$T"/reports/* | head -100 >&2
	status=1
fi
elapsed=$(($(date +%s) - started))
echo "sanitize.sh: $((elapsed / 60)) min $((elapsed % 60)) s"
exit $status
