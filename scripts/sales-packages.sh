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
source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"
# make run goes on without them (a quote's PDF answers 503); make test
# cannot.
need_packages sales-packages.sh "quote PDFs need the font; the sales tests pdftotext" "${packages[@]}" ||
	[ "${1:-}" != --test ]
