#!/usr/bin/env bash
# images.sh is `make images`: it builds the container image of every program
# (the gateway, each built service of libs/registry, the operator) without a
# Docker daemon into bin/images — an OCI layout <program>/, a docker tarball
# <program>.tar and a CycloneDX SBOM <program>.cdx.json each (deploy/images).
# Arguments go to deploy/images/cmd: program names to build only those,
# -version/-revision to override the chart's appVersion and git's HEAD.
#
# The base's files come from this machine's Debian packages ca-certificates
# and tzdata, the operator's pg_dump and pg_restore (with the libraries they
# load) from postgresql-client; when one is missing and we run as root, it is
# installed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source scripts/debian-packages.sh
need_packages images.sh "the image base takes their files" ca-certificates tzdata
need_packages images.sh "the operator's image carries pg_dump and pg_restore" postgresql-client

# The gateway embeds the web console's build.
bash scripts/console.sh
go run ./deploy/images/cmd "$@"
