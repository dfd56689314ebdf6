#!/bin/bash
# Install what building and testing rest_fdw needs on Debian (12 "bookworm"
# ships PostgreSQL 15).  Installs only what is missing; uses sudo when not root.
set -euo pipefail

packages=(
	gcc make pkg-config
	postgresql postgresql-contrib postgresql-server-dev-all
	libcurl4-openssl-dev libjansson-dev libssl-dev
	python3 curl openssl
	libipc-run-perl		# the TAP tests; PostgreSQL::Test::Cluster comes with postgresql-client-NN
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "Installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
