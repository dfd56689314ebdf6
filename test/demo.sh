#!/bin/bash
# rest_fdw demo: installs what is missing, builds and installs the extension,
# starts the bundled OAuth 2.0 + REST test API on 127.0.0.1 and a throwaway
# PostgreSQL cluster, then runs test/demo.sql: a report that joins customers
# read from the OAuth-protected API with a local invoices table.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

build_and_install
start_test_api "$(mktemp -d /tmp/rest_fdw_demo.XXXXXX)"
pgversion=$(pg_major_version)

pg_virtualenv -v "$pgversion" psql -X -q -v ON_ERROR_STOP=1 -f test/demo.sql
