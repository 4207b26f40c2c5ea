#!/usr/bin/env bash
# openapi-merged.sh writes bin/openapi.json: the document the gateway serves
# at /openapi.json, merged by services/gateway/cmd/openapi-merge from the
# gateway's and every service's api/openapi.yaml (no running stack needed).
# `make lint` lints it; the console generates its API types from it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gateway="$root/services/gateway/api/openapi.yaml"
services=()
for f in "$root"/services/*/api/openapi.yaml; do
	name="$(basename "$(dirname "$(dirname "$f")")")"
	[[ "$name" == gateway ]] && continue
	services+=("$name=$f")
done
mkdir -p "$root/bin"
cd "$root" && go run ./services/gateway/cmd/openapi-merge -o bin/openapi.json "$gateway" "${services[@]}"
