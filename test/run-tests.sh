#!/bin/bash
# Run the whole rest_fdw test suite on this machine:
#   installs missing Debian packages, builds and installs the extension,
#   starts the test OAuth2/REST API server on 127.0.0.1 and a throwaway
#   PostgreSQL cluster (pg_virtualenv), runs the pg_regress tests against it
#   (make installcheck) and the TAP tests (make prove_installcheck), and
#   checks that no secret used by the tests reached a server log
#   (test/in-cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

build_and_install
work=$(mktemp -d /tmp/rest_fdw_test.XXXXXX)
export REST_TEST_WORKDIR=$work
start_test_api "$work"
pgversion=$(pg_major_version)

pg_virtualenv -v "$pgversion" -o log_min_messages=debug5 -o log_statement=none test/in-cluster.sh
