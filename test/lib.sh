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
# API server and the npm test servers, each on a free port of 127.0.0.1;
# all stopped and $1 removed on exit.
start_test_api()
{
	local work=$1
	export REST_TEST_CLIENT_SECRET="cs-$(openssl rand -hex 12)"
	export REST_TEST_REFRESH_TOKEN="rt-$(openssl rand -hex 12)"
	export REST_TEST_STATIC_TOKEN="at-$(openssl rand -hex 12)"
	export REST_TEST_PASSWORD="pw-$(openssl rand -hex 12)"
	export REST_TEST_API_KEY="key-$(openssl rand -hex 12)"
	export REST_TEST_AWS_SECRET="aws-$(openssl rand -hex 16)"
	export REST_TEST_AWS_SESSION_TOKEN="ast-$(openssl rand -hex 16)"
	export REST_TEST_USER="regress_api_user"
	# the test proxy's login, and the passphrase of the client key
	export REST_TEST_PROXY_USER="regress_proxy_user"
	export REST_TEST_PROXY_PASSWORD="pp-$(openssl rand -hex 12)"
	export REST_TEST_CLIENT_KEY_PASSWORD="kp-$(openssl rand -hex 12)"
	export REST_TEST_ISSUED_TOKENS="$work/issued_tokens"
	# private keys for sql/jwt.sql: EC P-256, and two it refuses (P-384, and
	# RSA of 1024 bits)
	export REST_TEST_JWT_EC_KEY="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null)"
	export REST_TEST_JWT_P384_KEY="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 2>/dev/null)"
	export REST_TEST_JWT_RSA1024_KEY="$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 2>/dev/null)"
	# node starts while the test API makes its certificates
	start_npm_servers "$work" || return 1
	trap 'kill "$NPM_PID" 2>/dev/null || true; rm -rf "'"$work"'"' EXIT
	test/start-api-server.sh "$work"
	API_PID=$(cat "$work/api.pid")
	make_config_dir
	trap 'kill "$API_PID" "$NPM_PID" 2>/dev/null || true; rm -rf "'"$work"'" "'"$REST_TEST_CONFIG_DIR"'"' EXIT
	export REST_TEST_PORT=$(cat "$work/port")
	export REST_TEST_TLS_PORT=$(cat "$work/tls_port")
	export REST_TEST_CA_FILE="$work/ca.pem"
	export REST_TEST_BLACKHOLE_PORT=$(cat "$work/blackhole_port")
	# HTTPS that requires a client certificate, HTTPS of at most TLS 1.2,
	# and the HTTP proxy
	export REST_TEST_MTLS_PORT=$(cat "$work/mtls_port")
	export REST_TEST_TLS12_PORT=$(cat "$work/tls12_port")
	export REST_TEST_PROXY_PORT=$(cat "$work/proxy_port")
	# the client certificate and its key as PEM text (the key also
	# encrypted with REST_TEST_CLIENT_KEY_PASSWORD), and as files
	export REST_TEST_CLIENT_CERT="$(cat "$work/client.pem")"
	export REST_TEST_CLIENT_KEY="$(cat "$work/client.key")"
	export REST_TEST_CLIENT_KEY_ENCRYPTED="$(cat "$work/client-encrypted.key")"
	export REST_TEST_CLIENT_CERT_FILE="$work/client.pem"
	export REST_TEST_CLIENT_KEY_FILE="$work/client.key"
	chmod 644 "$work/client.pem" "$work/client.key"
	wait_npm_servers "$work"
}

# The npm test servers (test/npm/serve.cjs, one node process): json-server
# with a copy of test/npm/db.json in $1, json-graphql-server with
# test/npm/graphql.json, and oidc-provider (test/npm/oidc.cjs).  Started in
# the background; NPM_PID is its process.
start_npm_servers()
{
	local work=$1
	if ! command -v node >/dev/null || [ ! -f test/npm/node_modules/json-server/package.json ] ||
		[ ! -f test/npm/node_modules/json-graphql-server/package.json ] ||
		[ ! -f test/npm/node_modules/oidc-provider/package.json ]; then
		echo "the npm test servers are not installed: run test/setup-debian.sh (node, and npm ci in test/npm)" >&2
		return 1
	fi
	rm -f "$work/json_server_port" "$work/graphql_port" "$work/oidc_port"
	node test/npm/serve.cjs "$work" >"$work/npm.log" 2>&1 &
	NPM_PID=$!
}

# Wait (up to 10 s) until the npm servers listen, then export their ports,
# REST_TEST_JSON_SERVER_PORT, REST_TEST_GRAPHQL_PORT and REST_TEST_OIDC_PORT,
# and their request log, REST_TEST_NPM_LOG (one line a request: server,
# method, URL, status).  For oidc-provider also REST_TEST_OIDC_ISSUER, its
# work directory REST_TEST_OIDC_DIR (for test/npm/oidc-login.cjs and
# oidc-approve.cjs), the client ids REST_TEST_OIDC_{BASIC,POST,SECRET_JWT,
# KEY_JWT}_CLIENT, the secrets REST_TEST_OIDC_{BASIC,POST,SECRET_JWT}_SECRET,
# the private keys' files REST_TEST_OIDC_{RSA,EC}_KEY, the public client
# REST_TEST_OIDC_PUBLIC_CLIENT, the JWT bearer grant's service accounts:
# their private keys' files REST_TEST_OIDC_SA_{RSA,EC}_KEY (PEM, for
# REST_TEST_OIDC_SA_{RSA,EC}_ISSUER) and the Google-style JSON key file
# REST_TEST_OIDC_SA_GOOGLE_KEY, and the file of the tokens it issued,
# REST_TEST_OIDC_ISSUED_TOKENS.  Its files are the TAP
# tests' user's (postgres, when root runs the tests), mode 0600.
wait_npm_servers()
{
	local work=$1 i=0 f
	while [ $i -lt 200 ]; do
		if [ -s "$work/json_server_port" ] && [ -s "$work/graphql_port" ] && [ -s "$work/oidc_port" ]; then
			export REST_TEST_JSON_SERVER_PORT=$(cat "$work/json_server_port")
			export REST_TEST_GRAPHQL_PORT=$(cat "$work/graphql_port")
			export REST_TEST_NPM_LOG="$work/npm.log"
			export REST_TEST_OIDC_PORT=$(cat "$work/oidc_port")
			export REST_TEST_OIDC_ISSUER="http://127.0.0.1:$REST_TEST_OIDC_PORT"
			export REST_TEST_OIDC_DIR="$work"
			export REST_TEST_OIDC_BASIC_CLIENT=rest_fdw_basic
			export REST_TEST_OIDC_POST_CLIENT=rest_fdw_post
			export REST_TEST_OIDC_SECRET_JWT_CLIENT=rest_fdw_secret_jwt
			export REST_TEST_OIDC_KEY_JWT_CLIENT=rest_fdw_key_jwt
			export REST_TEST_OIDC_BASIC_SECRET=$(oidc_secret "$work" rest_fdw_basic)
			export REST_TEST_OIDC_POST_SECRET=$(oidc_secret "$work" rest_fdw_post)
			export REST_TEST_OIDC_SECRET_JWT_SECRET=$(oidc_secret "$work" rest_fdw_secret_jwt)
			export REST_TEST_OIDC_RSA_KEY="$work/oidc_rsa_key.pem"
			export REST_TEST_OIDC_EC_KEY="$work/oidc_ec_key.pem"
			export REST_TEST_OIDC_PUBLIC_CLIENT=rest_fdw_public
			export REST_TEST_OIDC_SA_RSA_KEY="$work/oidc_sa_rsa_key.pem"
			export REST_TEST_OIDC_SA_EC_KEY="$work/oidc_sa_ec_key.pem"
			export REST_TEST_OIDC_SA_RSA_ISSUER=sa-rsa@rest-fdw.test
			export REST_TEST_OIDC_SA_EC_ISSUER=sa-ec@rest-fdw.test
			export REST_TEST_OIDC_SA_GOOGLE_KEY="$work/oidc_sa_google.json"
			export REST_TEST_OIDC_ISSUED_TOKENS="$work/oidc_issued_tokens"
			touch "$REST_TEST_OIDC_ISSUED_TOKENS"
			chmod 600 "$REST_TEST_OIDC_ISSUED_TOKENS"
			if [ "$(id -u)" -eq 0 ]; then
				for f in oidc_secrets.json oidc_rsa_key.pem oidc_ec_key.pem oidc_issued_tokens \
					oidc_sa_rsa_key.pem oidc_sa_ec_key.pem oidc_sa_google.json; do
					chown postgres: "$work/$f"
				done
			fi
			return 0
		fi
		kill -0 "$NPM_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	echo "the npm test servers did not start; $work/npm.log:" >&2
	cat "$work/npm.log" >&2
	return 1
}

# A client secret of test/npm/oidc.cjs, from $1/oidc_secrets.json
oidc_secret()
{
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["clients"][sys.argv[2]])' \
		"$1/oidc_secrets.json" "$2"
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
	cp test/config/*.json test/config/*.rest "$REST_TEST_CONFIG_DIR"/
	chmod 755 "$REST_TEST_CONFIG_DIR"
	chmod 644 "$REST_TEST_CONFIG_DIR"/*.json "$REST_TEST_CONFIG_DIR"/*.rest
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
