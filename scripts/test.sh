#!/usr/bin/env bash
# test.sh is `make test`: it makes sure PostgreSQL and the pinned test binaries
# are there, then runs the tests of every module of the workspace.
#
# PostgreSQL: TEST_DATABASE_URL when set; else the local server on
# 127.0.0.1:5432 if one answers; else libs/testkit starts a throwaway cluster
# from the system's binaries (on port 55433, stopped again here at the end).
# When the binaries are missing and we run as root, they are installed from
# the distribution's packages.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

throwaway_dir="${RAPPORT_TEST_PG_DIR:-${TMPDIR:-/tmp}/rapport-testpg-$(id -u)}"
export RAPPORT_TEST_PG_DIR="$throwaway_dir"

stop_throwaway() {
	local bin
	bin="$(pg_bindir)"
	[ -n "$bin" ] && [ -f "$throwaway_dir/postmaster.pid" ] || return 0
	echo "test.sh: stopping the throwaway PostgreSQL in $throwaway_dir"
	if [ "$(id -u)" = 0 ]; then
		su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$throwaway_dir' -m fast -w stop" >/dev/null || true
	else
		"$bin/pg_ctl" -D "$throwaway_dir" -m fast -w stop >/dev/null || true
	fi
}

if [ -n "${TEST_DATABASE_URL:-}" ]; then
	echo "test.sh: PostgreSQL from TEST_DATABASE_URL"
elif answers 5432; then
	echo "test.sh: PostgreSQL on 127.0.0.1:5432"
else
	bash scripts/pg-binaries.sh
	echo "test.sh: no server on 127.0.0.1:5432; tests start a throwaway cluster in $throwaway_dir"
	trap stop_throwaway EXIT
fi

bash scripts/tools.sh
bash scripts/sales-packages.sh --test
bash scripts/integration-packages.sh
# The web console: built before the gateway binaries the tests build embed
# it, and its own unit tests (Vitest) run here.
bash scripts/console.sh
(cd services/console && npx --no-install vitest run)
bash scripts/chromium.sh

pkgs=$(go list -m -f '{{.Dir}}' | sed "s|^$root|.|; s|$|/...|")
echo "test.sh: go test $pkgs"
# shellcheck disable=SC2086 # one pattern per module
go test -count=1 -timeout 45m $pkgs
