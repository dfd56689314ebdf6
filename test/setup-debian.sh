#!/bin/bash
# Install what building and testing rest_fdw needs on Debian (12 "bookworm"
# ships PostgreSQL 15).  Installs only what is missing; uses sudo when not root.
# Then the npm test servers (test/npm: json-server, json-graphql-server) from
# test/npm/package-lock.json with "npm ci", unless that lock is the one
# installed already.  A node that is already there is used as it is (Debian's
# or another one, e.g. NodeSource's, which brings its own npm); Debian's
# nodejs (and npm, when the lock is to be installed) only when it is missing.
set -euo pipefail
npmdir=$(cd "$(dirname "$0")" && pwd)/npm

packages=(
	gcc make pkg-config
	postgresql postgresql-contrib postgresql-server-dev-all
	libcurl4-openssl-dev libjansson-dev libssl-dev libcsv-dev
	python3 curl openssl
	libipc-run-perl		# the TAP tests; PostgreSQL::Test::Cluster comes with postgresql-client-NN
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

# node, and npm when node_modules is not installed from this lock
installed_lock=$npmdir/node_modules/.rest_fdw-package-lock.json
need_ci=
cmp -s "$npmdir/package-lock.json" "$installed_lock" || need_ci=1
if ! command -v node >/dev/null; then
	missing+=(nodejs)
	[ -z "$need_ci" ] || command -v npm >/dev/null || missing+=(npm)
elif [ -n "$need_ci" ] && ! command -v npm >/dev/null; then
	if dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -qv nodesource &&
		[ "$(dpkg-query -S "$(readlink -f "$(command -v node)")" 2>/dev/null | cut -d: -f1)" = nodejs ]; then
		missing+=(npm)		# Debian's node without Debian's npm
	else
		echo "npm is missing, and $(command -v node) is not Debian's nodejs: install the npm that goes with it" >&2
		exit 1
	fi
fi

if [ ${#missing[@]} -gt 0 ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "Installing: ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -n "$need_ci" ]; then
	echo "Installing the npm test servers (npm ci in test/npm)"
	# as the user running this (the checkout's owner), not through sudo;
	# no install scripts: these packages need none
	(cd "$npmdir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
	cp "$npmdir/package-lock.json" "$installed_lock"
fi
