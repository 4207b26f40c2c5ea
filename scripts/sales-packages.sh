#!/usr/bin/env bash
# sales-packages.sh makes sure the Debian packages the sales service's quote
# PDFs need are on this machine: fonts-droid-fallback, whose
# DroidSansFallbackFull.ttf (Apache-2.0) the service embeds in each PDF so
# that Chinese shows as written; and, with --test, poppler-utils, whose
# pdftotext the tests read the PDFs' text with. When they are missing and we
# run as root, it installs them from the distribution's packages; otherwise
# it says what to install: make test stops, make run goes on (a quote's PDF
# answers 503 without the font).
set -euo pipefail

packages=(fonts-droid-fallback)
[ "${1:-}" = --test ] && packages+=(poppler-utils)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "sales-packages.sh: missing Debian packages ${missing[*]}: install them (quote PDFs need the font; the sales tests pdftotext)" >&2
	# make run goes on without them (a quote's PDF answers 503); make test
	# cannot.
	[ "${1:-}" = --test ] && exit 1
	exit 0
fi
echo "sales-packages.sh: installing ${missing[*]} from the distribution's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
