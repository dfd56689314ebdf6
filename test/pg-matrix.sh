#!/bin/bash
# Build rest_fdw and run its regression suite against another PostgreSQL
# major version, in a Debian chroot made with mmdebstrap:
#
#   test/pg-matrix.sh SUITE MAJOR        e.g. test/pg-matrix.sh trixie 17
#                                             test/pg-matrix.sh sid 18
#
# Runs as root.  The chroot, with every package the build and the tests
# need, is cached as a tarball under /var/cache/rest_fdw (REST_MATRIX_CACHE),
# named after the suite and a hash of the package list, and made again when
# older than REST_MATRIX_MAX_AGE_DAYS (7) days.  Each run unpacks a fresh
# copy under /var/tmp, mounts /proc, /dev, /dev/pts and a /dev/shm in it,
# copies the source tree in (without .git and build products), builds it
# (a warning fails the run) and runs test/run-tests.sh there with every
# pg_regress file and no TAP test (REST_TEST_TAP="all" adds the TAP tests).
# The chroot shares the host's network: the test API server and the
# throwaway cluster listen on free ports of 127.0.0.1.  Mounts and the copy
# are removed on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ]; then
	echo "usage: $0 SUITE MAJOR (e.g. trixie 17, sid 18)" >&2
	exit 2
fi
suite=$1
major=$2
mirror=${REST_MATRIX_MIRROR:-http://deb.debian.org/debian}
cache=${REST_MATRIX_CACHE:-/var/cache/rest_fdw}
max_age=${REST_MATRIX_MAX_AGE_DAYS:-7}
src=$(pwd)
started=$(date +%s)

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: must run as root (chroot, mounts)" >&2
	exit 1
fi
if ! command -v mmdebstrap >/dev/null; then
	echo "$0: mmdebstrap is not installed (apt-get install mmdebstrap)" >&2
	exit 1
fi

# what the build and the tests need, and what test/setup-debian.sh looks
# for (in trixie and sid, postgresql-contrib is only provided by postgresql:
# setup-debian.sh asks apt for it inside, which finds nothing to install)
packages=(
	gcc make pkg-config
	"postgresql-$major" "postgresql-server-dev-$major"
	postgresql postgresql-contrib postgresql-server-dev-all
	libcurl4-openssl-dev libjansson-dev libssl-dev libcsv-dev
	python3 curl openssl ca-certificates perl libipc-run-perl
	nodejs		# the npm test servers: test/npm/node_modules is copied in
)

elapsed()
{
	echo $(($(date +%s) - $1))s
}

# no "main" cluster (the tests make their own with pg_virtualenv); sid's
# Release file is valid for a week only, and this machine's clock may be
# ahead of the mirror
mmdebstrap_opts=(
	--variant=apt --components=main
	--aptopt='Acquire::Check-Valid-Until "false"'
	--essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" &&
		echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/rest_fdw.conf"'
)

# --- the cached chroot tarball ---------------------------------------------
key=$(printf '%s\n' "$suite" "$mirror" "${packages[@]}" "${mmdebstrap_opts[@]}" |
	sha256sum | cut -c1-12)
tarball=$cache/chroot-$suite-$key.tar
mkdir -p "$cache"
exec 8>"$cache/chroot-$suite.lock"
flock 8
t0=$(date +%s)
if [ -f "$tarball" ] && [ -z "$(find "$tarball" -mtime +"$max_age")" ]; then
	how="cached $(basename "$tarball")"
else
	echo "pg-matrix $suite: making the chroot (mmdebstrap $suite, ${#packages[@]} packages)"
	rm -f "$cache/chroot-$suite-"*.tar "$cache/chroot-$suite-"*.tar.tmp
	mmdebstrap --quiet "${mmdebstrap_opts[@]}" --include="$(IFS=,; echo "${packages[*]}")" \
		--format=tar "$suite" "$tarball.tmp" "$mirror"
	mv "$tarball.tmp" "$tarball"
	how="made $(basename "$tarball")"
fi
flock -u 8

# --- a fresh copy, mounted -------------------------------------------------
root=$(mktemp -d /var/tmp/rest_fdw_chroot.XXXXXX)
mounts=()

cleanup()
{
	local rc=$? p i
	# processes left inside (a cluster or API server after a failure)
	for p in /proc/[0-9]*; do
		if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
			kill "${p#/proc/}" 2>/dev/null || true
		fi
	done
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || true
	done
	if grep -qF " $root/" /proc/mounts; then
		echo "pg-matrix $suite: mounts left under $root, not removing it" >&2
	else
		rm -rf --one-file-system "$root"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tar -xf "$tarball" -C "$root"
mount_in()
{
	local target=$root$1
	shift
	mkdir -p "$target"
	mount "$@" "$target"
	mounts+=("$target")
}
mount_in /proc -t proc proc
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
mount_in /dev/shm -t tmpfs -o mode=1777,size=256m shm
cp /etc/hosts /etc/resolv.conf "$root/etc/"

mkdir -p "$root/build/rest_fdw"
tar -C "$src" -c --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
	--exclude=test/results . | tar -C "$root/build/rest_fdw" -x
echo "pg-matrix $suite: chroot ready in $(elapsed "$t0") ($how)"

# --- build and test inside -------------------------------------------------
t0=$(date +%s)
status=0
chroot "$root" /usr/bin/env -i \
	HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	MAJOR="$major" SUITE="$suite" REST_TEST_TAP="${REST_TEST_TAP:-}" \
	/bin/bash -euo pipefail -c '
cd /build/rest_fdw
have=$(pg_config --version | sed -E "s/^PostgreSQL ([0-9]+).*/\1/")
if [ "$have" != "$MAJOR" ]; then
	echo "pg-matrix $SUITE: pg_config is PostgreSQL $have, not $MAJOR" >&2
	exit 1
fi
echo "pg-matrix $SUITE: $(pg_config --version), $(gcc --version | head -1)"
# warning-free: gcc and the clang bitcode pass print nothing
make -s >/dev/null 2>build.log || { cat build.log; exit 1; }
if [ -s build.log ]; then
	echo "pg-matrix $SUITE: the build printed warnings:" >&2
	cat build.log >&2
	exit 1
fi
regress=$(make -s --no-print-directory -f Makefile -f - print-regress <<<"print-regress: ; @echo \$(REGRESS)")
if [ "$REST_TEST_TAP" = all ]; then
	unset REST_TEST_TAP
	test/run-tests.sh
else
	REST_TEST_REGRESS=$regress test/run-tests.sh
fi
' || status=$?
echo "pg-matrix $suite: build and tests on PostgreSQL $major in $(elapsed "$t0"), $(elapsed "$started") in all: $([ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
