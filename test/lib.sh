# Shared by test/run-tests.sh, test/demo.sh and the Makefile's test targets
# (sourced, not run; by /bin/sh too, so no bash-only syntax).

# The installed extension and pg_virtualenv's "regress" cluster belong to the
# whole machine, so two checkouts running tests or demos at once would pull
# each other's build.  Serialise them; the lock is held until the calling
# script exits and is inherited by the scripts it runs.
take_machine_lock()
{
	[ -n "${REST_FDW_LOCK_HELD:-}" ] && return 0
	exec 9>/tmp/rest_fdw_machine.lock
	if ! flock -n 9; then
		echo "waiting for another rest_fdw test run on this machine to finish..." >&2
		flock 9
	fi
	export REST_FDW_LOCK_HELD=1
}

# Install missing Debian packages, build and install the extension.
build_and_install()
{
	take_machine_lock
	test/setup-debian.sh
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	make -s >/dev/null
	$sudo make -s install >/dev/null
}

# Fresh secrets for this run (the log checks look for them), then the test
# API server on a free port of 127.0.0.1; stopped and $1 removed on exit.
start_test_api()
{
	local work=$1
	export REST_TEST_CLIENT_SECRET="cs-$(openssl rand -hex 12)"
	export REST_TEST_REFRESH_TOKEN="rt-$(openssl rand -hex 12)"
	export REST_TEST_STATIC_TOKEN="at-$(openssl rand -hex 12)"
	export REST_TEST_PASSWORD="pw-$(openssl rand -hex 12)"
	export REST_TEST_API_KEY="key-$(openssl rand -hex 12)"
	export REST_TEST_USER="regress_api_user"
	export REST_TEST_ISSUED_TOKENS="$work/issued_tokens"
	test/start-api-server.sh "$work"
	API_PID=$(cat "$work/api.pid")
	make_config_dir
	trap 'kill "$API_PID" 2>/dev/null || true; rm -rf "'"$work"'" "'"$REST_TEST_CONFIG_DIR"'"' EXIT
	export REST_TEST_PORT=$(cat "$work/port")
	export REST_TEST_TLS_PORT=$(cat "$work/tls_port")
	export REST_TEST_CA_FILE="$work/ca.pem"
	export REST_TEST_BLACKHOLE_PORT=$(cat "$work/blackhole_port")
}

# make installcheck and make prove_installcheck: unless REST_TEST_PORT names
# a running test API (test/run-tests.sh starts one), start one for this
# shell, from the source directory $1, and stop it when the shell exits.
use_test_api()
{
	[ -n "${REST_TEST_PORT:-}" ] && return 0
	local here=$PWD
	cd "${1:-.}" || return 1
	echo "REST_TEST_PORT is not set: starting the bundled test API for this run"
	start_test_api "$(mktemp -d /tmp/rest_fdw_test.XXXXXX)" || return 1
	cd "$here" || return 1
}

# REST config files for IMPORT FOREIGN SCHEMA: the server process reads
# them, and the tests write more, so the cluster's owner owns the copy.
# Sets REST_TEST_CONFIG_DIR to a new copy of test/config.  A user other than
# root cannot give it to the server's owner, who may be another user (a
# cluster of the system's): that user's copy is writable by everyone.
make_config_dir()
{
	REST_TEST_CONFIG_DIR=$(mktemp -d /tmp/rest_fdw_config.XXXXXX)
	export REST_TEST_CONFIG_DIR
	cp test/config/*.json "$REST_TEST_CONFIG_DIR"/
	chmod 755 "$REST_TEST_CONFIG_DIR"
	chmod 644 "$REST_TEST_CONFIG_DIR"/*.json
	if [ "$(id -u)" -eq 0 ]; then
		chown -R postgres: "$REST_TEST_CONFIG_DIR"
	else
		chmod 777 "$REST_TEST_CONFIG_DIR"
	fi
}

# The PostgreSQL major version, after removing a throwaway cluster that an
# interrupted run left behind (pg_virtualenv would refuse to start).
pg_major_version()
{
	local v
	v=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	if [ "$(id -u)" -eq 0 ] && [ -f "/etc/postgresql/$v/regress/.by_pg_virtualenv" ]; then
		pg_dropcluster --stop "$v" regress 2>/dev/null ||
			rm -rf "/etc/postgresql/$v/regress" "/var/lib/postgresql/$v/regress"
	fi
	echo "$v"
}
