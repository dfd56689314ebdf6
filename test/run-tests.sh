#!/bin/bash
# Run the whole rest_fdw test suite on this machine:
#   installs missing Debian packages, builds and installs the extension,
#   starts the test OAuth2/REST API server on 127.0.0.1 and a throwaway
#   PostgreSQL cluster (pg_virtualenv), runs the pg_regress tests, and checks
#   that no secret used by the tests reached the server log.
set -euo pipefail
cd "$(dirname "$0")/.."

test/setup-debian.sh

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
make -s >/dev/null
$SUDO make -s install >/dev/null

work=$(mktemp -d /tmp/rest_fdw_test.XXXXXX)
export REST_TEST_WORKDIR=$work

# fresh secrets for every run: the log check below looks for them
export REST_TEST_CLIENT_SECRET="cs-$(openssl rand -hex 12)"
export REST_TEST_REFRESH_TOKEN="rt-$(openssl rand -hex 12)"
export REST_TEST_STATIC_TOKEN="at-$(openssl rand -hex 12)"
export REST_TEST_PASSWORD="pw-$(openssl rand -hex 12)"
export REST_TEST_API_KEY="key-$(openssl rand -hex 12)"
export REST_TEST_USER="regress_api_user"
export REST_TEST_ISSUED_TOKENS="$work/issued_tokens"

test/start-api-server.sh "$work"
api_pid=$(cat "$work/api.pid")
trap 'kill "$api_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
export REST_TEST_PORT=$(cat "$work/port")

pgversion=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')

# a cluster left behind by an interrupted run would make pg_virtualenv refuse
if [ "$(id -u)" -eq 0 ] && [ -f "/etc/postgresql/$pgversion/regress/.by_pg_virtualenv" ]; then
	pg_dropcluster --stop "$pgversion" regress 2>/dev/null ||
		rm -rf "/etc/postgresql/$pgversion/regress" "/var/lib/postgresql/$pgversion/regress"
fi

pg_virtualenv -v "$pgversion" -o log_min_messages=debug5 -o log_statement=none test/in-cluster.sh
