#!/usr/bin/env bash
# console.sh builds the web console (services/console) into
# services/gateway/console/dist, which the gateway binary embeds: `make run`,
# `make build` and `make test` call it before they build the gateway.
#
# It installs the pinned npm packages (package-lock.json, `npm ci`) when the
# lock changed since the last install, writes the merged OpenAPI document
# (scripts/openapi-merged.sh) and generates the console's API types from it
# (so a changed contract breaks the console's type check), then type-checks
# and builds — unless nothing it reads changed since the last build.
# Node.js 18.17 or later and npm come from the distribution's packages when
# they are missing and the script runs as root (scripts/node.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/services/console"
out="$root/services/gateway/console/dist"

# shellcheck source=scripts/node.sh
source "$root/scripts/node.sh"
need_node console

lock="$(sha256sum "$src/package-lock.json" | cut -c1-16)"
if [[ "$(cat "$src/node_modules/.rapport-lock" 2>/dev/null)" != "$lock" ]]; then
	echo "console: installing the pinned npm packages…"
	(cd "$src" && npm ci --no-audit --no-fund --loglevel=error)
	echo "$lock" >"$src/node_modules/.rapport-lock"
fi

bash "$root/scripts/openapi-merged.sh"
(cd "$src" && npm run --silent gen >/dev/null)

# The build's inputs: the sources, the configuration and the API types.
stamp="$(cd "$src" && find src index.html package-lock.json tsconfig.json vite.config.ts -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
if [[ -f "$out/index.html" && "$(cat "$out/.stamp" 2>/dev/null)" == "$stamp" ]]; then
	exit 0
fi
echo "console: type-checking and building…"
(cd "$src" && npm run --silent build)
echo "$stamp" >"$out/.stamp"
touch "$out/.gitkeep"
