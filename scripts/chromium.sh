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
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "chromium.sh: missing Debian packages ${missing[*]}: install them (the console's browser tests run Chromium; screenshots need the CJK font)" >&2
	exit 1
fi
echo "chromium.sh: installing ${missing[*]} from the distribution's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
