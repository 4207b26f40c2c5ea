#!/usr/bin/env bash
# apiclient.sh regenerates libs/apiclient/client.gen.go, the Go client of the
# merged OpenAPI document the gateway serves (bin/openapi.json, written by
# scripts/openapi-merged.sh), with oapi-codegen pinned below. Run it after
# changing any service's api/openapi.yaml or specmerge; TestAPIClientCurrent
# fails until the committed file equals a fresh generation.
# Usage: scripts/apiclient.sh [output file] (default libs/apiclient/client.gen.go)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/libs/apiclient/client.gen.go}"
oapi_codegen="github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"

bash "$root/scripts/openapi-merged.sh"
cd "$root" && go run "$oapi_codegen" -config libs/apiclient/oapi-codegen.yaml -o "$out" bin/openapi.json
