#!/usr/bin/env bash
# Installs the PostgreSQL server binaries that internal/testutil/pgtest needs,
# unless they are already there, and prints which ones the tests will use.
#
# The binaries are looked up as pgtest does: $LOWCODE_PG_BIN if set, else
# `pg_config --bindir`, else the highest /usr/lib/postgresql/*/bin. If none
# holds initdb, pg_ctl and postgres, the Debian package "postgresql" is
# installed (apt-get update first, non-interactive). No server is started
# here and nothing depends on one: the tests start their own throw-away
# clusters. If the package's postinst created and started the default
# cluster, that service is stopped and disabled again.
#
# Idempotent: running it again when the binaries exist only prints them.
set -euo pipefail

has_server_binaries() {
	local dir=$1
	[[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]
}

find_bindir() {
	if [[ -n ${LOWCODE_PG_BIN:-} ]]; then
		if has_server_binaries "$LOWCODE_PG_BIN"; then
			echo "$LOWCODE_PG_BIN"
		fi
		return 0 # when set, it is the only place pgtest looks at
	fi
	local dir
	if command -v pg_config >/dev/null 2>&1; then
		dir=$(pg_config --bindir 2>/dev/null || true)
		if has_server_binaries "$dir"; then
			echo "$dir"
			return 0
		fi
	fi
	local best=""
	for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		if has_server_binaries "$dir"; then
			best=$dir
		fi
	done
	if [[ -n $best ]]; then
		echo "$best"
	fi
}

as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@"
	else
		echo "install-postgres.sh: need root (or sudo) to run: $*" >&2
		return 1
	fi
}

bindir=$(find_bindir)
if [[ -z $bindir ]]; then
	if [[ -n ${LOWCODE_PG_BIN:-} ]]; then
		echo "install-postgres.sh: LOWCODE_PG_BIN=$LOWCODE_PG_BIN does not hold initdb, pg_ctl and postgres" >&2
		exit 1
	fi
	echo "install-postgres.sh: no PostgreSQL server binaries found; installing the Debian package postgresql"
	export DEBIAN_FRONTEND=noninteractive
	# policy-rc.d exit code 101 keeps the postinst from starting services
	# where invoke-rc.d is used; it is removed again afterwards.
	policy=/usr/sbin/policy-rc.d
	created_policy=false
	if [[ ! -e $policy ]]; then
		as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
		created_policy=true
	fi
	cleanup() { if $created_policy; then as_root rm -f "$policy"; fi; }
	trap cleanup EXIT
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql
	cleanup
	trap - EXIT
	# Should a cluster have been started anyway, stop it: nothing uses it.
	if command -v pg_lsclusters >/dev/null 2>&1; then
		while read -r ver name _; do
			[[ -n $ver && -n $name ]] || continue
			as_root pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
		done < <(pg_lsclusters -h 2>/dev/null || true)
	fi
	if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
		as_root systemctl disable --now postgresql >/dev/null 2>&1 || true
	fi
	bindir=$(find_bindir)
	if [[ -z $bindir ]]; then
		echo "install-postgres.sh: installed postgresql, but still no initdb found" >&2
		exit 1
	fi
fi

echo "PostgreSQL server binaries: $bindir"
"$bindir/postgres" --version
if [[ $(id -u) -eq 0 ]]; then
	if id postgres >/dev/null 2>&1; then
		echo "running as root: the tests run initdb and postgres as the OS user postgres ($(id postgres))"
	else
		echo "install-postgres.sh: running as root, but there is no OS user postgres to run the server as" >&2
		exit 1
	fi
fi
