#!/usr/bin/env bash
# integration-packages.sh makes sure the Debian packages the integration
# tests need are on this machine: kcat, the librdkafka command-line producer
# that libs/events' TestPartitionMatchesKcat compares the Publisher's
# partitions with (murmur2, as the Java client and librdkafka partition).
# When one is missing and we run as root, it installs it from the
# distribution's packages; otherwise it says what to install and fails, so
# make test stops rather than skipping that test.
set -euo pipefail

packages=(kcat)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "integration-packages.sh: missing Debian packages ${missing[*]}: install them (libs/events' partitioning test runs kcat)" >&2
	exit 1
fi
echo "integration-packages.sh: installing ${missing[*]} from the distribution's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
