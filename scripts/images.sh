#!/usr/bin/env bash
# images.sh is `make images`: it builds the container image of every program
# (the gateway, each built service of libs/registry, the operator) without a
# Docker daemon into bin/images — an OCI layout <program>/, a docker tarball
# <program>.tar and a CycloneDX SBOM <program>.cdx.json each (deploy/images).
# Arguments go to deploy/images/cmd: program names to build only those,
# -version/-revision to override the chart's appVersion and git's HEAD.
#
# The base's files come from this machine's Debian packages ca-certificates
# and tzdata; when one is missing and we run as root, it is installed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

missing=()
for pkg in ca-certificates tzdata; do
	dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "images.sh: the image base needs the Debian packages ${missing[*]}: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "images.sh: installing ${missing[*]} for the image base"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The gateway embeds the web console's build.
bash scripts/console.sh
go run ./deploy/images/cmd "$@"
