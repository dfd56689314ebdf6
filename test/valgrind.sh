#!/bin/bash
# Run the whole rest_fdw test suite (what test/in-cluster.sh runs: pg_regress,
# the TAP tests, the secret check of the server log) against a PostgreSQL
# whose postmaster runs under valgrind's memcheck, then count the errors
# valgrind reported in every server process.
#
#   test/valgrind.sh            # as root, from a clone
#
# Memory errors in rest_fdw.so (and in libcurl, jansson, OpenSSL as called by
# it) are found in real backends doing real requests against the test API.
#
# Everything is private to this run, so it never touches what other test
# runs on the machine share (the installed extension, pg_virtualenv's
# "regress" cluster, /tmp/rest_fdw_machine.lock):
#   - a relocated copy of Debian's PostgreSQL 15 under a temporary directory
#     (its binaries find lib/ and share/ relative to themselves), into which
#     this checkout is built (-g -O1, no JIT bitcode) and installed;
#   - a cluster made by the copy's initdb, listening only on a socket in
#     the temporary directory, logging to a file (log_min_messages=debug5,
#     log_statement=none, as test/run-tests.sh);
#   - the test API server (test/start-api-server.sh via start_test_api);
#   - PATH shims for pg_lsclusters and pg_ctlcluster, the Debian cluster
#     tools that test/in-cluster.sh calls: they report this cluster's log
#     and restart this postmaster (under valgrind again), so the tests run
#     unmodified.
# The TAP tests run too, but on nodes of their own (make
# prove_installcheck), whose servers are not under valgrind: what this
# finds comes from the pg_regress suite's backends.
# All of it is removed on exit; the valgrind logs, the server log and the
# regression diffs are kept in a directory printed at the end.
#
# Limits of what this finds:
#   - Debian's PostgreSQL is not built with USE_VALGRIND, so palloc chunks
#     are not tracked individually: memcheck sees each memory-context block
#     (8 kB and up) as one malloc'd block.  Overruns from one palloc chunk
#     into its neighbour, reads of pfree'd chunks whose block is still
#     allocated, and reads of uninitialised palloc memory that was used
#     before in the same block go unnoticed; reads past a whole block, use
#     of freed malloc memory (libcurl, jansson, OpenSSL) and use of never
#     initialised memory do not.
#   - No leak check: PostgreSQL does not free its memory at exit, and leaks
#     inside a backend are the business of memory contexts (the TAP test
#     002_cancel_memory.pl measures them).
#   - Only forked processes are followed (every backend is one); programs
#     the server execs are not (none of the tests makes it exec anything).
#   - The hot standby of 001_token_store.pl is started by that test with the
#     copy's pg_ctl, not under valgrind.
#   - Under valgrind everything is 20-50 times slower; see EXPECTED_TO_DIFFER
#     and EXPECTED_TAP_FAILURES.
#   - No --error-exitcode: a backend that exited with it would look crashed
#     to the postmaster, which would then restart every backend and fail
#     the tests that follow; the errors are counted from the logs instead.
#
# Environment:
#   VALGRIND_TRACK_ORIGINS=no   faster, but uninitialised-value errors do not
#                               say where the value came from (default yes)
#   VALGRIND_GEN_SUPP=yes       print a suppression after each error
#   VALGRIND_KEEP=DIR           where to keep the logs (default: a new
#                               /tmp/rest_fdw_valgrind.XXXXXX)
# Exit status: 0 if valgrind found no errors and every test passed (or
# differed only where EXPECTED_TO_DIFFER allows it), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
. test/lib.sh

# Regression tests whose output is allowed to differ under valgrind because
# every difference is an artefact of the slowdown (each entry says why).
# Keep it empty unless a run showed, diff by diff, that nothing else differs.
EXPECTED_TO_DIFFER=(
)
# TAP assertions allowed to fail under valgrind, as "file: description",
# for the same reason and on the same terms.
EXPECTED_TAP_FAILURES=(
	# 8 sessions each run "query; pg_sleep(1.5); query" against the
	# regress_strict client, whose access tokens live 4 s (rest_fdw renews
	# them 0.4 s early); 1 s after starting them the test expires the
	# tokens on the API side and expects one refresh, for the rejected
	# token.  Under valgrind the 8 backends (2 cores) take 8-10 s from fork
	# to exit: the expiry lands before their first query, and the token
	# reaches its renewal time twice during the group, so api.log (kept)
	# shows two token requests and no 401 at all.  A refresh too many is
	# the artefact; a refresh too few or a failed query is not, and those
	# assertions are not on this list.
	"001_token_store.pl: exactly one refresh after 8 rejections"
	# The goal of 0.5 s from an interrupt to the error, with four page
	# requests in flight, is a latency; under valgrind the backend needs
	# 0.6-0.9 s just to unwind the error and exit (002 allows 2 s for the
	# same reason).  That the interrupt works, and that the server sees
	# the requests closed, are other assertions, not on this list.
	"003_concurrency.pl: canceled within 0.5 s"
	"003_concurrency.pl: terminated within 0.5 s"
	"003_concurrency.pl: statement_timeout within 0.5 s"
)

if [ "$(id -u)" -ne 0 ]; then
	echo "test/valgrind.sh must run as root (initdb and the server run as the postgres user)" >&2
	exit 1
fi
test/setup-debian.sh
if ! command -v valgrind >/dev/null; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi

started=$(date +%s)
pgversion=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
T=$(mktemp -d /tmp/rest_fdw_vg.XXXXXX)
keep=${VALGRIND_KEEP:-$(mktemp -d /tmp/rest_fdw_valgrind.XXXXXX)}
mkdir -p "$keep"
chmod 755 "$T"

cleanup()
{
	local rc=$?
	set +e
	[ -x "$T/stop-server" ] && "$T/stop-server"
	[ -n "${API_PID:-}" ] && kill "$API_PID" 2>/dev/null
	[ -n "${NPM_PID:-}" ] && kill "$NPM_PID" 2>/dev/null
	# keep the evidence, then remove the copy, the cluster and the build
	cp -a "$T"/vg/. "$keep/" 2>/dev/null
	cp "$T/server.log" "$keep/" 2>/dev/null
	cp "$T/api/api.log" "$keep/" 2>/dev/null
	[ -f test/results/regression.diffs ] && cp test/results/regression.diffs "$keep/"
	# the -O1 build must not be what a later "make install" installs
	make -s clean >/dev/null 2>&1
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------------------
# A private PostgreSQL: a relocated copy of the installed one
# ---------------------------------------------------------------------------
mkdir -p "$T/usr/lib/postgresql" "$T/usr/share/postgresql" "$T/usr/include"
cp -a "/usr/lib/postgresql/$pgversion" "$T/usr/lib/postgresql/"
cp -a "/usr/share/postgresql/$pgversion" "$T/usr/share/postgresql/"
# the server headers are only read: a link will do
ln -s /usr/include/postgresql "$T/usr/include/postgresql"
bindir=$T/usr/lib/postgresql/$pgversion/bin
export PG_CONFIG=$bindir/pg_config
for d in "$($PG_CONFIG --pkglibdir)" "$($PG_CONFIG --sharedir)"; do
	case "$d" in
	"$T"/*) ;;
	*) echo "the copy of PostgreSQL is not relocatable: $d" >&2; exit 1 ;;
	esac
done

# build this checkout with debug information and little inlining, so that
# valgrind's stacks are exact; no JIT bitcode (it needs clang)
make -s clean >/dev/null
make -s with_llvm=no PG_CFLAGS="-g -O1 -fno-omit-frame-pointer" >/dev/null
make -s with_llvm=no install >/dev/null

# ---------------------------------------------------------------------------
# The cluster and the postmaster under valgrind
# ---------------------------------------------------------------------------
data=$T/data
sock=$T/sock
port=54329	# only a socket in $sock: any port number will do
mkdir -p "$data" "$sock" "$T/vg"
chown postgres: "$data" "$sock" "$T/vg"
(cd "$T" && runuser -u postgres -- "$bindir/initdb" -D "$data" -A trust -U postgres \
	--no-sync >"$T/initdb.log" 2>&1) || { cat "$T/initdb.log" >&2; exit 1; }
touch "$T/server.log"
chown postgres: "$T/server.log"

track=${VALGRIND_TRACK_ORIGINS:-yes}
gensupp=no
[ "${VALGRIND_GEN_SUPP:-no}" = yes ] && gensupp=all
# start-server: start the postmaster under valgrind, wait until it accepts
# connections.  stop-server: fast shutdown, wait until every process is gone
# (the valgrind logs are complete only then).  Scripts, as the
# pg_ctlcluster shim needs them too.
cat > "$T/start-server" <<EOF
#!/bin/bash
cd "$T"
# a clean environment, as pg_ctlcluster gives: with log_min_messages=debug5
# the postmaster logs its environment, which here holds the test secrets
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \\
runuser -u postgres -- valgrind --tool=memcheck --trace-children=no \\
	--log-file="$T/vg/vg.%p.log" --num-callers=30 --track-origins=$track \\
	--leak-check=no --error-limit=no --gen-suppressions=$gensupp \\
	--suppressions="$src/test/valgrind.supp" \\
	"$bindir/postgres" -D "$data" -c port=$port -c listen_addresses= \\
	-c unix_socket_directories="$sock" -c log_min_messages=debug5 \\
	-c log_statement=none -c jit=off -c fsync=off -c huge_pages=off \\
	</dev/null >>"$T/server.log" 2>&1 &
for i in \$(seq 1 600); do
	"$bindir/pg_isready" -q -h "$sock" -p $port && exit 0
	sleep 1
done
echo "the server under valgrind did not start in 10 minutes; see $T/server.log" >&2
exit 1
EOF
cat > "$T/stop-server" <<EOF
#!/bin/bash
[ -f "$data/postmaster.pid" ] || exit 0
pid=\$(head -1 "$data/postmaster.pid")
kill -INT "\$pid" 2>/dev/null || exit 0
for i in \$(seq 1 600); do
	kill -0 "\$pid" 2>/dev/null || break
	sleep 1
done
# the children of the postmaster (valgrind writes their logs as they exit)
for i in \$(seq 1 120); do
	pgrep -u postgres -f -- "-D $data" >/dev/null || exit 0
	sleep 1
done
exit 0
EOF
chmod 755 "$T/start-server" "$T/stop-server"

# Debian's cluster tools, as the tests use them, for this one cluster
mkdir -p "$T/shim"
cat > "$T/shim/pg_lsclusters" <<EOF
#!/bin/bash
# (shim of test/valgrind.sh) the one cluster: version name port status owner data log
[ "\${1:-}" = -h ] || echo "Ver Cluster Port Status Owner Data directory Log file"
echo "$pgversion regress $port online postgres $data $T/server.log"
EOF
cat > "$T/shim/pg_ctlcluster" <<EOF
#!/bin/bash
# (shim of test/valgrind.sh) pg_ctlcluster VERSION regress start|stop|restart
case "\${3:-}" in
start) exec "$T/start-server" ;;
stop) exec "$T/stop-server" ;;
restart) "$T/stop-server" && exec "$T/start-server" ;;
*) echo "pg_ctlcluster shim: unsupported: \$*" >&2; exit 1 ;;
esac
EOF
chmod 755 "$T/shim/pg_lsclusters" "$T/shim/pg_ctlcluster"

echo "starting the postmaster under valgrind (log: $T/server.log)"
"$T/start-server"
echo "server up after $(($(date +%s) - started)) s"

# ---------------------------------------------------------------------------
# The test API server and the suite
# ---------------------------------------------------------------------------
work=$T/api
mkdir -p "$work"
export REST_TEST_WORKDIR=$work
start_test_api "$work"	# sets its own EXIT trap: put ours back
trap cleanup EXIT

export PATH="$T/shim:$bindir:$PATH"
export PGHOST=$sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres PGVERSION=$pgversion
status=0
set +e
test/in-cluster.sh 2>&1 | tee "$T/in-cluster.out"
suite_rc=${PIPESTATUS[0]}
set -e
cp "$T/in-cluster.out" "$keep/"

# ---------------------------------------------------------------------------
# Verdict on the tests
# ---------------------------------------------------------------------------
failed_tests=$(grep -E '^test .*FAILED' "$T/in-cluster.out" |
	sed -E 's/^test +//; s/ .*//' || true)
unexpected=0
for t in $failed_tests; do
	allowed=0
	for a in "${EXPECTED_TO_DIFFER[@]}"; do [ "$t" = "$a" ] && allowed=1; done
	if [ $allowed -eq 1 ]; then
		echo "regression test $t differs under valgrind, as expected (EXPECTED_TO_DIFFER)"
	else
		echo "regression test $t FAILED"
		unexpected=$((unexpected + 1))
	fi
done
# TAP: every "not ok" must be on EXPECTED_TAP_FAILURES, and each file's
# exit status must be its number of failed assertions (Test::More's way):
# no bail-out, no die, no plan error
tap_ok=$(grep -c '^Result: PASS' "$T/in-cluster.out" || true)
if [ "$tap_ok" -ne 1 ] && grep -q '^Result: FAIL' "$T/in-cluster.out" &&
	! grep -qE '^(Bailout|Bail out!)|Parse errors|No subtests run|Non-zero wait status' "$T/in-cluster.out"; then
	tap_ok=1
	file=
	declare -A notok=()
	while IFS= read -r line; do
		case "$line" in
		test/t/*.pl*) file=$(basename "${line%% *}") ;;
		"not ok "*)
			desc=$(sed -E 's/^not ok +[0-9]+ +- +//' <<<"$line")
			notok[$file]=$((${notok[$file]:-0} + 1))
			allowed=0
			for a in "${EXPECTED_TAP_FAILURES[@]}"; do [ "$file: $desc" = "$a" ] && allowed=1; done
			if [ $allowed -eq 1 ]; then
				echo "TAP $file: \"$desc\" failed under valgrind, as expected (EXPECTED_TAP_FAILURES)"
			else
				echo "TAP $file: \"$desc\" FAILED"
				tap_ok=0
			fi ;;
		"Dubious, test returned "*)
			n=$(sed -E 's/^Dubious, test returned ([0-9]+).*/\1/' <<<"$line")
			[ "$n" = "${notok[$file]:-0}" ] || tap_ok=0 ;;
		esac
	done < "$T/in-cluster.out"
fi
secrets_ok=$(grep -c '^log secrets: 1 passed, 0 failed' "$T/in-cluster.out" || true)
if [ "$suite_rc" -ne 0 ]; then
	# in-cluster.sh failed: acceptable only if nothing but expected diffs did
	if [ $unexpected -ne 0 ] || [ "$tap_ok" -ne 1 ] || [ "$secrets_ok" -ne 1 ]; then
		status=1
	fi
fi
[ $unexpected -eq 0 ] || status=1

# ---------------------------------------------------------------------------
# Verdict of valgrind: stop the server so that every process writes its
# summary, then count
# ---------------------------------------------------------------------------
"$T/stop-server"
errors=0
procs=0
bad=()
for log in "$T"/vg/vg.*.log; do
	[ -f "$log" ] || continue
	procs=$((procs + 1))
	summary=$(grep -E '== ERROR SUMMARY: [0-9]+ errors' "$log" | tail -1 |
		sed -E 's/.*ERROR SUMMARY: ([0-9]+) errors.*/\1/' || true)
	if [ -z "$summary" ]; then
		# a process that did not exit normally: count the error headers
		summary=$(grep -cE '^==[0-9]+== (Invalid (read|write|free)|Mismatched free|Conditional jump|Use of uninitialised|Syscall param|Source and destination overlap|Argument .* of function|Jump to the invalid)' "$log" || true)
	fi
	if [ "$summary" -gt 0 ]; then
		errors=$((errors + summary))
		bad+=("$log")
	fi
done
for log in "${bad[@]}"; do
	echo "==== $(basename "$log") ($(sed -nE 's/.*ERROR SUMMARY: ([0-9]+) errors.*/\1/p' "$log" | tail -1) errors)"
	grep -vE '== (Memcheck|Copyright|Using Valgrind|Command:|Parent PID|HEAP SUMMARY|  (in use at exit|total heap usage)|For (a detailed|lists of|counts of)|$)' "$log" | head -150
done
elapsed=$(($(date +%s) - started))
echo "valgrind: $errors errors in $procs processes"
echo "wall time: $((elapsed / 60)) min $((elapsed % 60)) s; logs kept in $keep"
[ $errors -eq 0 ] || status=1
exit $status
