#!/usr/bin/env bash
# pg-binaries.sh makes sure the PostgreSQL server binaries (initdb, pg_ctl,
# postgres) are on this machine, for the throwaway clusters of `make run` and
# `make test`: when they are missing and we run as root, it installs the
# distribution's `postgresql` package; otherwise it says what to do.
set -euo pipefail

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ -n "$(pg_bindir)" ] || command -v initdb >/dev/null; then
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "pg-binaries.sh: the PostgreSQL server binaries (initdb, pg_ctl) are missing: install your distribution's 'postgresql' package, or point DATABASE_URL (make run) / TEST_DATABASE_URL (make test) at a server" >&2
	exit 1
fi
echo "pg-binaries.sh: installing PostgreSQL from the distribution's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
