# Rapport — the two commands a newcomer runs are `make run` and `make test`.
# Everything else they need, these targets install or build.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Every module of the workspace, as ./dir/... patterns (go.work lists them).
PKGS = $(shell go list -m -f '{{.Dir}}' | sed "s|^$(CURDIR)|.|; s|$$|/...|")

.PHONY: help run test build images lint bench tools console screenshots chaos soak

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

run: ## start the whole platform on this machine (Ctrl-C stops it)
	@[ -n "$$DATABASE_URL" ] || bash scripts/pg-binaries.sh
	@bash scripts/sales-packages.sh
	@bash scripts/console.sh
	@mkdir -p bin
	go build -o bin/rapport-local ./deploy/local
	exec ./bin/rapport-local

test: ## run every test of every module against real PostgreSQL, Kafka protocol, kube-apiserver and Consul
	bash scripts/test.sh

build: ## build every program into bin/ (the gateway with the web console in it; crmctl static)
	@bash scripts/console.sh
	@mkdir -p bin
	go build -o bin/ ./deploy/local $(wildcard ./services/*/cmd/*)
	go build -o bin/rapport-operator ./operator/cmd
	CGO_ENABLED=0 go build -trimpath -o bin/crmctl ./crmctl/cmd/crmctl

images: ## build every program's container image without Docker into bin/images (OCI layout, docker tarball, CycloneDX SBOM)
	bash scripts/images.sh

lint: ## gofmt check and go vet over every module; Redocly CLI lints each OpenAPI document and the merged /openapi.json
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet $(PKGS)
	bash scripts/lint-openapi.sh

bench: ## measure throughput and latency against raw baselines; writes bench/results.md
	@bash scripts/console.sh
	@bash scripts/chromium.sh
	go run ./bench

console: ## build the web console (services/console) into the gateway's embedded assets
	bash scripts/console.sh

screenshots: ## photograph the console's pages in Chromium (desktop and phone) into docs/screenshots
	@[ -n "$$TEST_DATABASE_URL" ] || bash scripts/pg-binaries.sh
	@bash scripts/console.sh
	@bash scripts/chromium.sh
	RAPPORT_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots go test -count=1 -run '^TestConsoleScreenshots$$' ./e2e/

chaos: ## the fault suite: the platform with 2 replicas under a mixed load, each fault in turn, then a reconciliation per tenant (bench/chaos.md)
	@bash scripts/pg-binaries.sh
	@bash scripts/sales-packages.sh
	@bash scripts/console.sh
	go run ./chaos/cmd/chaos -out bench/chaos.md

soak: ## the load at half capacity for 10 minutes, no faults: server errors, p99 per minute, memory, goroutine and fd slopes (bench/soak.md)
	@bash scripts/pg-binaries.sh
	@bash scripts/sales-packages.sh
	@bash scripts/console.sh
	go run ./chaos/cmd/soak -duration 10m -out bench/soak.md

tools: ## build kube-apiserver, etcd, the Consul agent and controller-gen into the cache outside the repo
	bash scripts/tools.sh
