#!/usr/bin/env bash
# integration-packages.sh makes sure the Debian packages the integration
# tests need are on this machine: kcat, the librdkafka command-line producer
# that libs/events' TestPartitionMatchesKcat compares the Publisher's
# partitions with (murmur2, as the Java client and librdkafka partition).
# When one is missing and we run as root, it installs it from the
# distribution's packages; otherwise it says what to install and fails, so
# make test stops rather than skipping that test.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"
need_packages integration-packages.sh "libs/events' partitioning test runs kcat" kcat
