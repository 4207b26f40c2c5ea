#!/usr/bin/env bash
# lint-openapi.sh lints the OpenAPI documents with Redocly CLI's recommended
# rules, all of them errors (tools/redocly/redocly.yaml): the gateway's and
# every service's api/openapi.yaml, the merged document the gateway serves
# at /openapi.json, which services/gateway/cmd/openapi-merge writes from those
# files to bin/openapi.json (no running stack needed), and the gateway's
# internal routes (api/internal.yaml, never merged). `make lint` runs it.
#
# Redocly CLI is pinned by tools/redocly/package.json and package-lock.json
# and installed with `npm ci` into the tools cache outside the repository
# ($RAPPORT_TOOLS_DIR, default ${XDG_CACHE_HOME:-$HOME/.cache}/rapport/tools,
# as scripts/tools.sh's), again only when the pin changes: later runs are
# offline. Node.js and npm come from the distribution's packages when they
# are missing and the script runs as root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pin="$root/tools/redocly"
dir="${RAPPORT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rapport/tools}/redocly"
redocly="$dir/node_modules/.bin/redocly"

# shellcheck source=scripts/node.sh
source "$root/scripts/node.sh"

# install puts the pinned Redocly CLI into the cache unless it is there.
install() {
	local stamp
	stamp="$(cat "$pin/package.json" "$pin/package-lock.json" | sha256sum | cut -c1-16)"
	if [[ -x "$redocly" && "$(cat "$dir/.stamp" 2>/dev/null)" == "$stamp" ]]; then
		return 0
	fi
	echo "lint: installing Redocly CLI into $dir…"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$pin/package.json" "$pin/package-lock.json" "$dir/"
	(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
	echo "$stamp" >"$dir/.stamp"
}

need_node lint
install

docs=("$root"/services/*/api/openapi.yaml)
bash "$root/scripts/openapi-merged.sh"
docs+=("$root/bin/openapi.json" "$root/services/gateway/api/internal.yaml")

# Redocly CLI says nothing when it may not send telemetry or look for
# updates; on Node.js 20 it prints a boxed deprecation notice, dropped here.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
{ "$redocly" lint --config "$pin/redocly.yaml" --format=stylish "${docs[@]}" 2>&1 >&3 | sed '/╔/,/╚/d' >&2; } 3>&1
