#!/bin/bash
# Build rest_fdw's libFuzzer harnesses (test/fuzz) with AddressSanitizer and
# UndefinedBehaviorSanitizer and run each for a fixed number of executions.
#
#   fuzz_rows    response bodies to rest_parse_rows (rows.c)
#   fuzz_token   token endpoint responses to rest_parse_token_response
#   fuzz_link    Link headers to rest_link_next (pager.c)
#   fuzz_url     URLs to the URL functions (http.c, url.c, scrub.c)
#   fuzz_config  REST config files to rest_read_config_file, and the same
#                text to rest_parse_headers and rest_sql_identifier
#                (config.c); the tables' options must pass the validator
#   fuzz_sample  sample responses to rest_sample_columns (sample.c)
#   fuzz_body    body options to rest_parse_body and the bodies it fills
#                (template.c)
#   fuzz_rules   http_rules values and response bodies to
#                rest_parse_http_rules and the rules' messages (httprules.c)
#   fuzz_decode  NDJSON, CSV and XML response bodies to rest_decode_body
#                (format.c, csv.c with libcsv, xml.c with libxml2)
#   fuzz_connstr DataDirect connection strings and odbc.ini sections to
#                rest_fdw_import_connection's parsers and property mapping
#                (migrate.c, #included)
#
#   test/fuzz/run.sh [output directory]        (default /tmp/rest_fdw_fuzz)
#
# Environment:
#   FUZZ_RUNS=N           executions per harness (default 200000)
#   FUZZ_HARNESSES="..."  which ones (default: all of the above)
#   FUZZ_KEEP_CORPUS=1    keep the corpus grown by earlier runs in the output
#                         directory (default: start again from corpus/ each run)
#   FUZZ_CFLAGS="..."     extra compiler flags, e.g. -fno-sanitize=float-cast-overflow
#   FUZZ_VERBOSE=1        the harnesses print every ereport they catch
#   FUZZ_SRCDIR=dir       build the code under test from a copy of src/ (a
#                         patched one, say) instead of src/
#
# Each harness first replays the reproducers in crashes/<harness>-*, then
# fuzzes from corpus/<harness>/.  Prints executions, seconds and the outcome
# per harness; a crash leaves its input in <output>/artifacts/ and the log in
# <output>/<harness>.log.  Exits non-zero when a reproducer still crashes,
# when fuzzing crashed, or when the build failed.
# Source files of src/ are compiled unchanged; nothing is written to the
# source tree.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${FUZZ_SRCDIR:-$here/../../src}" && pwd)
out=${1:-/tmp/rest_fdw_fuzz}
runs=${FUZZ_RUNS:-200000}
all_harnesses="fuzz_rows fuzz_token fuzz_link fuzz_url fuzz_config fuzz_sample fuzz_body fuzz_rules fuzz_decode fuzz_connstr"
harnesses=${FUZZ_HARNESSES:-$all_harnesses}
CC=${CC:-clang}

mkdir -p "$out/obj" "$out/artifacts" || exit 2
out=$(cd "$out" && pwd)

# --- toolchain -------------------------------------------------------------

fuzzer_works() {
	command -v "$CC" >/dev/null 2>&1 || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
		>"$out/obj/probe.c"
	"$CC" -fsanitize=fuzzer,address,undefined "$out/obj/probe.c" -o "$out/obj/probe" \
		>/dev/null 2>&1
}

if ! fuzzer_works; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "Installing clang and its fuzzer runtime (clang libclang-rt-14-dev)"
		apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				clang libclang-rt-14-dev >/dev/null
	fi
	if ! fuzzer_works; then
		echo "$CC cannot build -fsanitize=fuzzer,address,undefined programs;" \
			"install clang and libclang-rt-14-dev" >&2
		exit 2
	fi
fi

for tool in pg_config pkg-config; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "$tool is missing: run test/setup-debian.sh first" >&2
		exit 2
	fi
done
if ! pkg-config --exists libcurl jansson; then
	echo "libcurl or jansson development files are missing: run test/setup-debian.sh first" >&2
	exit 2
fi

pgserver=$(pg_config --includedir-server)
pglib=$(pg_config --pkglibdir)
for f in "$pgserver/postgres.h" "$pglib/libpgcommon.a" "$pglib/libpgport.a"; do
	if [ ! -e "$f" ]; then
		echo "$f is missing: install postgresql-server-dev-15 (test/setup-debian.sh)" >&2
		exit 2
	fi
done

# --- build -----------------------------------------------------------------

# -fno-sanitize-recover: undefined behaviour stops the run like a crash
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -fno-omit-frame-pointer $sanitize
	-Wall -Wno-ignored-attributes -Wno-unused-parameter -Wno-missing-field-initializers
	-I$srcdir -I$pgserver $(pkg-config --cflags libcurl jansson libxml-2.0) ${FUZZ_CFLAGS:-}"
libs="$pglib/libpgcommon.a $pglib/libpgport.a $(pkg-config --libs libcurl jansson libcrypto) -lcsv $(pkg-config --libs libxml-2.0) -lm"

build() {
	local f
	echo "Building into $out"
	# the code under test, with coverage instrumentation
	for f in rows http url scrub netpolicy pager cache pagestatus token_response config headers sample options retryopts template transport jwt fmtcheck format csv xml httprules; do
		$CC $cflags -fsanitize=fuzzer-no-link -c "$srcdir/$f.c" -o "$out/obj/$f.o" || return 1
	done
	# the backend stand-ins, without it
	$CC $cflags -c "$here/pg_stubs.c" -o "$out/obj/pg_stubs.o" || return 1
	for h in $all_harnesses; do
		$CC $cflags -fsanitize=fuzzer-no-link -c "$here/$h.c" -o "$out/obj/$h.o" || return 1
	done
	for h in $all_harnesses; do
		local objs="$out/obj/http.o $out/obj/cache.o $out/obj/url.o $out/obj/scrub.o $out/obj/headers.o $out/obj/netpolicy.o $out/obj/pager.o $out/obj/token_response.o $out/obj/template.o $out/obj/pagestatus.o $out/obj/retryopts.o $out/obj/transport.o $out/obj/jwt.o $out/obj/fmtcheck.o $out/obj/format.o $out/obj/csv.o $out/obj/xml.o $out/obj/httprules.o $out/obj/pg_stubs.o"
		# fuzz_rows #includes rows.c itself (fuzz_connstr migrate.c, which no
		# other harness links)
		[ $h = fuzz_rows ] || objs="$objs $out/obj/rows.o"
		# fuzz_config and fuzz_sample #include options.c (its checks)
		case $h in
			fuzz_config) objs="$objs $out/obj/config.o" ;;
			fuzz_sample) objs="$objs $out/obj/config.o $out/obj/sample.o" ;;
			*) objs="$objs $out/obj/options.o $out/obj/config.o" ;;
		esac
		$CC -g -O1 -fsanitize=fuzzer,address,undefined "$out/obj/$h.o" $objs $libs \
			-o "$out/$h" || return 1
	done
}

if ! build; then
	echo "build failed" >&2
	exit 2
fi

# --- run -------------------------------------------------------------------

max_len() {
	case $1 in
		fuzz_rows | fuzz_token | fuzz_sample) echo 65536 ;;	# the parsers recurse: keep it bounded
		fuzz_body) echo 65537 ;;	# a body template is at most 64 kB
		fuzz_config) echo 32768 ;;	# a file: every input is written and read back
		fuzz_decode) echo 65537 ;;	# a selector byte and a body of 64 kB
		fuzz_connstr) echo 16384 ;;	# connection strings are a few hundred bytes
		*) echo 8192 ;;			# a Link header is at most 8191 bytes (http.c)
	esac
}

dict() {
	case $1 in
		fuzz_rows | fuzz_token | fuzz_sample | fuzz_body) echo "$here/json.dict" ;;
		fuzz_config) echo "$here/config.dict" ;;
		fuzz_link) echo "$here/link.dict" ;;
		fuzz_url) echo "$here/url.dict" ;;
		fuzz_rules) echo "$here/rules.dict" ;;
		fuzz_decode) echo "$here/decode.dict" ;;
		fuzz_connstr) echo "$here/connstr.dict" ;;
	esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
summary=()
for h in $harnesses; do
	corpus="$out/corpus/$h"
	[ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$corpus"
	mkdir -p "$corpus"
	log="$out/$h.log"

	# first the reproducers of bugs found before: they must not crash
	replayed=""
	for f in "$here/crashes/$h"-*; do
		[ -f "$f" ] || continue
		if ! "$out/$h" "$f" >"$out/$h.replay.log" 2>&1; then
			failed=1
			replayed="$replayed ${f#$here/}"
		fi
	done
	if [ -n "$replayed" ]; then
		echo "$h: still crashes on known input(s):$replayed (log: $out/$h.replay.log)"
		summary+=("$(printf '%-12s known crash still reproduces:%s' "$h" "$replayed")")
	fi

	echo "Running $h for $runs executions (log: $log)"
	start=$(date +%s.%N)
	"$out/$h" -runs="$runs" -max_len="$(max_len $h)" -dict="$(dict $h)" \
		-timeout=10 -print_final_stats=1 -artifact_prefix="$out/artifacts/$h-" \
		"$corpus" "$here/corpus/$h" >"$log" 2>&1
	rc=$?
	end=$(date +%s.%N)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
	if [ $rc -eq 0 ]; then
		outcome="no crash"
	else
		failed=1
		artifact=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -1)
		reason=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|fuzz check failed|pg_stubs:' "$log")
		outcome="CRASHED (exit $rc): ${reason:-see the log}${artifact:+; input: $artifact}"
	fi
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	line=$(printf '%-12s %9s executions %7s s  %-20s %s' "$h" "${execs:-?}" "$secs" \
		"${cov:-cov: ?}" "$outcome")
	echo "$line"
	summary+=("$line")
done

echo
echo "Summary ($runs executions asked for each):"
printf '%s\n' "${summary[@]}"
exit $failed
