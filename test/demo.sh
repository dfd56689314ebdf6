#!/bin/bash
# rest_fdw demo: installs what is missing, builds and installs the extension,
# starts the bundled OAuth 2.0 + REST test API on 127.0.0.1 and a throwaway
# PostgreSQL cluster, then runs test/demo.sql: a report that joins customers
# read from the OAuth-protected API with a local invoices table.
set -euo pipefail
cd "$(dirname "$0")/.."

test/setup-debian.sh
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
make -s >/dev/null
$SUDO make -s install >/dev/null

work=$(mktemp -d /tmp/rest_fdw_demo.XXXXXX)
export REST_TEST_CLIENT_SECRET="cs-$(openssl rand -hex 12)"
export REST_TEST_REFRESH_TOKEN="rt-$(openssl rand -hex 12)"
test/start-api-server.sh "$work"
api_pid=$(cat "$work/api.pid")
trap 'kill "$api_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
export REST_TEST_PORT=$(cat "$work/port")

pgversion=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
if [ "$(id -u)" -eq 0 ] && [ -f "/etc/postgresql/$pgversion/regress/.by_pg_virtualenv" ]; then
	pg_dropcluster --stop "$pgversion" regress 2>/dev/null ||
		rm -rf "/etc/postgresql/$pgversion/regress" "/var/lib/postgresql/$pgversion/regress"
fi

pg_virtualenv -v "$pgversion" psql -X -q -v ON_ERROR_STOP=1 -f test/demo.sql
