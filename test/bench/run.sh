#!/bin/bash
# The rest_fdw benchmark (issue 7): rest_fdw against COPY FROM PROGRAM curl +
# jsonb, PL/Python and pg_read_file + json_to_recordset, on the same bytes.
#
#   test/bench/run.sh [--quick] [--perf]
#
#   --quick  fewer runs and rows, for iterating (figures not for test/bench/README.md)
#   --perf   also profile the backend with perf during scenario 1's rest_fdw
#            query and print the top symbols
#
# Installs what is missing (Debian packages), builds and installs this
# checkout's extension (holding the machine-wide test lock for the whole
# run), then starts, all on 127.0.0.1 and in a temporary directory: a
# private nginx for the large static body, the data server
# (test/bench/data_server.py: paged rows with injected latency, an OAuth 2.0
# token endpoint, request/token/connection counters) and a throwaway
# PostgreSQL cluster.  Everything is stopped and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

quick=0 perf=0
for arg in "$@"; do
	case $arg in
	--quick) quick=1 ;;
	--perf) perf=1 ;;
	*) echo "usage: $0 [--quick] [--perf]" >&2; exit 2 ;;
	esac
done

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

build_and_install

# what the benchmark needs beyond the test suite's packages
pgmajor=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
pgbin=$(pg_config --bindir)
packages=(curl nginx "postgresql-plpython3-$pgmajor" python3)
[ $perf -eq 1 ] && packages+=(linux-perf)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "Installing: ${missing[*]}" >&2
	# keep Debian from starting the system nginx: only the private one is used
	norc=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 755 /usr/sbin/policy-rc.d
		norc=1
	fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || { [ -n "$norc" ] && $SUDO rm -f /usr/sbin/policy-rc.d; exit 1; }
	[ -n "$norc" ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi

work=$(mktemp -d /tmp/rest_fdw_bench.XXXXXX)
chmod 755 "$work"
nginx_pid= data_pid= pg_started=
# PostgreSQL runs as postgres when we are root, else as ourselves
pguser=$(id -un)
asdb=()
if [ "$(id -u)" -eq 0 ]; then
	pguser=postgres
	asdb=(runuser -u postgres --)
fi
cleanup()
{
	set +e
	[ -n "$pg_started" ] && "${asdb[@]}" "$pgbin/pg_ctl" -D "$work/pgdata" -m immediate -w stop >/dev/null 2>&1
	[ -n "$data_pid" ] && kill "$data_pid" 2>/dev/null
	if [ -n "$nginx_pid" ]; then
		kill -QUIT "$nginx_pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$nginx_pid" 2>/dev/null
	fi
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for_port()
{
	local port=$1 what=$2
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "$what did not start on port $port" >&2
	return 1
}

# the single large body: 200,000 rows, about 40 MB
big_rows=200000
mkdir -p "$work/www" "$work/nginx"
echo "generating $big_rows rows..." >&2
python3 test/bench/gen_data.py "$work/www/rows$((big_rows / 1000))k.json" "$big_rows"

# baseline (e), for measuring only: DuckDB from npm, where node and npm are
# (BENCH_DUCKDB=0 skips it); never a dependency of rest_fdw
duck_dir=
if [ "${BENCH_DUCKDB:-1}" != 0 ] && command -v node >/dev/null && command -v npm >/dev/null; then
	mkdir -p "$work/duck"
	if (cd "$work/duck" && timeout 300 npm install --no-audit --no-fund --silent \
		@duckdb/node-api >/dev/null 2>&1); then
		duck_dir="$work/duck"
	else
		echo "DuckDB (npm @duckdb/node-api) could not be installed: baseline (e) left out" >&2
	fi
fi

# nginx, private: own config, prefix, pid and logs
nginx_port=$(free_port)
sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$nginx_port|g" test/bench/nginx.conf.in >"$work/nginx/nginx.conf"
nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
wait_for_port "$nginx_port" nginx

# the data server, with fresh OAuth secrets
export BENCH_CLIENT_ID="bench-client"
export BENCH_CLIENT_SECRET="cs-$(openssl rand -hex 12)"
export BENCH_REFRESH_TOKEN="rt-$(openssl rand -hex 12)"
python3 test/bench/data_server.py "$work/data_port" &
data_pid=$!
for _ in $(seq 100); do [ -s "$work/data_port" ] && break; sleep 0.1; done
read -r data_port token_port <"$work/data_port" || true
wait_for_port "$data_port" "the data server"
wait_for_port "$token_port" "the data server's token endpoint"

# a throwaway cluster: Unix socket in $work only, no TCP
mkdir -p "$work/pgdata" "$work/sock"
[ "$(id -u)" -eq 0 ] && chown postgres: "$work/pgdata" "$work/sock"
"${asdb[@]}" "$pgbin/initdb" -D "$work/pgdata" -U "$pguser" -A trust -E UTF8 \
	--locale=C.UTF-8 >/dev/null
pgport=$(free_port)
"${asdb[@]}" "$pgbin/pg_ctl" -D "$work/pgdata" -l "$work/sock/server.log" -w -s \
	-o "-c listen_addresses='' -c unix_socket_directories='$work/sock' -p $pgport \
	    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off \
	    -c max_wal_size=4GB -c shared_buffers=128MB" start
pg_started=1

export PGHOST="$work/sock" PGPORT=$pgport PGUSER=$pguser PGDATABASE=postgres
export BENCH_WORK=$work BENCH_QUICK=$quick BENCH_PERF=$perf
export BENCH_NGINX_PORT=$nginx_port BENCH_DATA_PORT=$data_port BENCH_TOKEN_PORT=$token_port
export BENCH_BIG_FILE="$work/www/rows$((big_rows / 1000))k.json" BENCH_BIG_ROWS=$big_rows
export BENCH_DUCKDB_DIR=$duck_dir
export BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src sql 2>/dev/null || echo ' + uncommitted changes') ($(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?'))"
python3 test/bench/bench.py
