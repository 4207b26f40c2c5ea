#!/usr/bin/env bash
# chromium.sh makes sure the Debian packages the console's browser tests
# (e2e/browser) need are on this machine: chromium, the headless browser
# they drive over the DevTools protocol, and fonts-noto-cjk, so that the
# console's 简体中文 renders as written in the screenshots. When they are
# missing and we run as root, it installs them from the distribution's
# packages; otherwise it says what to install and fails (make test needs
# them). $CHROMIUM names another browser binary to use instead of Debian's.
set -euo pipefail

packages=(fonts-noto-cjk)
if [ -z "${CHROMIUM:-}" ]; then
	packages+=(chromium)
elif [ ! -x "$CHROMIUM" ]; then
	echo "chromium.sh: CHROMIUM=$CHROMIUM is not an executable file" >&2
	exit 1
fi
source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"
need_packages chromium.sh "the console's browser tests run Chromium; screenshots need the CJK font" "${packages[@]}"
