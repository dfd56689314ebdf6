#!/bin/bash
# Runs inside pg_virtualenv: the regression tests (make installcheck) against
# its cluster, the TAP tests (make prove_installcheck) on nodes of their own,
# then the secret check on every server's log.  Prints one "N passed, N
# failed" line per suite.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
status=0

# make prove_installcheck [VAR=value...]; the TAP logs go to $tapdir/tmp_check/log.
# initdb and pg_ctl refuse to run as root: root runs them as postgres, in a
# directory of their own (a VPATH build of this tree), kept when a test fails.
# Under test/sanitize.sh the nodes the TAP tests start (and so the programs
# that start them) get the sanitizer runtime: REST_TEST_TAP_PRELOAD.
tapdir=
prove_installcheck()
{
	local pre=()

	[ -z "${REST_TEST_TAP_PRELOAD:-}" ] || pre=(env LD_PRELOAD="$REST_TEST_TAP_PRELOAD")
	if [ "$(id -u)" -eq 0 ]; then
		tapdir=$(mktemp -d /tmp/rest_fdw_tap.XXXXXX)
		chown postgres: "$tapdir"
		runuser -u postgres -- "${pre[@]}" make -s -C "$tapdir" -f "$PWD/Makefile" \
			prove_installcheck PROVE_FLAGS=-v "$@"
	else
		tapdir=$PWD
		"${pre[@]}" make -s prove_installcheck PROVE_FLAGS=-v "$@"
	fi
}

# REST_TEST_REGRESS="setup import" runs only those files, and no TAP tests
out=$(make -s installcheck ${REST_TEST_REGRESS:+REGRESS="$REST_TEST_REGRESS"} 2>&1)
rc=$?
echo "$out"
passed=$(echo "$out" | grep -cE '^(ok [0-9]+ +- |(ok|test) .*( ok|\.\.\. ok))' || true)
failed=$(echo "$out" | grep -cE '(^not ok |FAILED|failed \(ignored\))' || true)
echo "regress: $passed passed, $failed failed"
if [ $rc -ne 0 ]; then
	[ -f test/results/regression.diffs ] && cat test/results/regression.diffs
	status=1
fi

# multi-session tests (TAP): concurrency, restarts, rollbacks;
# REST_TEST_TAP="004_x.pl ..." runs only those (with REST_TEST_REGRESS too)
if [ -n "${REST_TEST_TAP:-}" ]; then
	tap=()
	for t in $REST_TEST_TAP; do tap+=("test/t/$t"); done
	prove_installcheck PROVE_TESTS="${tap[*]}" || status=1
elif [ -z "${REST_TEST_REGRESS:-}" ] && ! prove_installcheck; then
	status=1
fi

# The same tests once more with every statement logged, for the files that
# create no user mapping: their statements hold no secret, so a secret in
# the log can only come from another path (an error, a context line, a
# parameter shown with a statement).  Statements that create user mappings
# put their secrets into the log at log_statement = 'all': README "Security".
if [ -z "${REST_TEST_REGRESS:-}" ] && [ $status -eq 0 ]; then
	# the Makefile's REGRESS (a draft in sql/ that is not in it does not run)
	regress=$(make -s --no-print-directory -f Makefile -f - print-regress <<<"print-regress: ; @echo \$(REGRESS)")
	logged=$(for f in $regress; do echo "sql/$f.sql"; done | xargs grep -L "USER MAPPING" |
		xargs -n1 basename | sed 's/\.sql$//' | grep -v '^setup$' | tr '\n' ' ')
	psql -X -q -d postgres -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
	# the tests write config files: a fresh copy, removed afterwards
	first_config_dir=$REST_TEST_CONFIG_DIR
	make_config_dir
	out=$(make -s installcheck REGRESS="setup $logged" 2>&1)
	rc=$?
	psql -X -q -d postgres -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
	rm -rf "$REST_TEST_CONFIG_DIR"
	REST_TEST_CONFIG_DIR=$first_config_dir
	passed=$(echo "$out" | grep -cE '^(ok [0-9]+ +- |(ok|test) .*( ok|\.\.\. ok))' || true)
	failed=$(echo "$out" | grep -cE '(^not ok |FAILED|failed \(ignored\))' || true)
	echo "regress with log_statement = 'all' (setup $logged): $passed passed, $failed failed"
	if [ $rc -ne 0 ]; then
		echo "$out"
		[ -f test/results/regression.diffs ] && cat test/results/regression.diffs
		status=1
	fi
fi

# no secret used by the tests may appear in the server log: pg_virtualenv's
# cluster's, and the TAP tests' (their nodes' logs and their own)
logs=$(pg_lsclusters -h | awk '$2 == "regress" { print $7 }')
if [ -n "$tapdir" ]; then
	logs="$logs $(find "$tapdir/tmp_check/log" -type f 2>/dev/null | sort | tr '\n' ' ')"
fi
leaks=0
secrets=("$REST_TEST_CLIENT_SECRET" "$REST_TEST_REFRESH_TOKEN" \
	"$REST_TEST_STATIC_TOKEN" "$REST_TEST_PASSWORD" "$REST_TEST_API_KEY" \
	"${REST_TEST_AWS_SECRET:-}" "${REST_TEST_AWS_SESSION_TOKEN:-}" \
	"${REST_TEST_PROXY_PASSWORD:-}" "${REST_TEST_CLIENT_KEY_PASSWORD:-}" \
	"${REST_TEST_OIDC_BASIC_SECRET:-}" "${REST_TEST_OIDC_POST_SECRET:-}" \
	"${REST_TEST_OIDC_SECRET_JWT_SECRET:-}")
# the client keys, by a line of their base64 text (grep -F would take each
# line of a PEM as a pattern of its own, the BEGIN line too)
for key in "${REST_TEST_CLIENT_KEY:-}" "${REST_TEST_CLIENT_KEY_ENCRYPTED:-}" \
	"${REST_TEST_JWT_EC_KEY:-}" "${REST_TEST_JWT_P384_KEY:-}" "${REST_TEST_JWT_RSA1024_KEY:-}"; do
	[ -n "$key" ] && secrets+=("$(echo "$key" | sed -n 3p)")
done
# the keys of oidc-provider's private_key_jwt client and of the JWT bearer
# grant's service accounts, by the second line of their PEM text
for keyfile in "${REST_TEST_OIDC_RSA_KEY:-}" "${REST_TEST_OIDC_EC_KEY:-}" \
	"${REST_TEST_OIDC_SA_RSA_KEY:-}" "${REST_TEST_OIDC_SA_EC_KEY:-}"; do
	[ -f "$keyfile" ] && secrets+=("$(sed -n 2p "$keyfile")")
done
if [ -f "${REST_TEST_OIDC_SA_GOOGLE_KEY:-}" ]; then
	secrets+=("$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["private_key"].split("\n")[1])' \
		"$REST_TEST_OIDC_SA_GOOGLE_KEY")")
fi
# plus every access and refresh token the test server and oidc-provider
# issued, and the JWT assertions oidc-provider was sent
for issued in "${REST_TEST_ISSUED_TOKENS:-}" "${REST_TEST_OIDC_ISSUED_TOKENS:-}"; do
	if [ -f "$issued" ]; then
		mapfile -t -O ${#secrets[@]} secrets < "$issued"
	fi
done
logbytes=0
for log in $logs; do [ -f "$log" ] && logbytes=$((logbytes + $(stat -c %s "$log"))); done
echo "checking ${#secrets[@]} secrets against the server logs ($(echo $logs | wc -w) files, $logbytes bytes)"
if [ "$logbytes" -eq 0 ]; then
	echo "the server log is missing or empty: the secret check would prove nothing" >&2
	status=1
fi
for secret in "${secrets[@]}"; do
	[ -n "$secret" ] || continue
	for log in $logs; do
		if [ -f "$log" ] && grep -qF -- "$secret" "$log"; then
			echo "secret found in server log $log" >&2
			leaks=$((leaks + 1))
		fi
	done
done
echo "log secrets: $([ $leaks -eq 0 ] && echo 1 || echo 0) passed, $([ $leaks -eq 0 ] && echo 0 || echo 1) failed"

if [ -n "${REST_TEST_SANITIZE:-}" ]; then
	# test/sanitize.sh: the reports' own files; ASan in the server processes
	[ -z "${REST_TEST_SANITIZE_REPORTS:-}" ] || logs="$logs $(ls -d "$REST_TEST_SANITIZE_REPORTS"/* 2>/dev/null)"
	if [[ $REST_TEST_SANITIZE == *address* ]]; then
		pm=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
		grep -q libasan "/proc/$pm/maps" && echo "AddressSanitizer is in the server ($pm)" ||
			{ echo "AddressSanitizer is not in the server" >&2; status=1; }
	fi
	reports=$(cat $logs 2>/dev/null | grep -cE "AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer" || true)
	echo "sanitizer reports in the server log: $reports"
	echo "sanitizers: $([ "$reports" -eq 0 ] && echo 1 || echo 0) passed, $([ "$reports" -eq 0 ] && echo 0 || echo 1) failed"
	if [ "$reports" -ne 0 ]; then
		cat $logs | grep -A30 -E "AddressSanitizer|runtime error:" | head -100
		status=1
	fi
fi
[ $leaks -eq 0 ] || status=1
if [ -n "$tapdir" ] && [ "$tapdir" != "$PWD" ]; then
	if [ $status -eq 0 ]; then rm -rf "$tapdir"; else echo "the TAP tests' logs: $tapdir/tmp_check/log" >&2; fi
fi
exit $status
