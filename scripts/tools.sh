#!/usr/bin/env bash
# tools.sh builds the pinned test binaries (kube-apiserver and etcd for
# envtest, the Consul agent) and controller-gen (the operator's code and
# manifest generator) from their Go modules into a cache outside the
# repository. `make tools` runs it; libs/testkit and operator/Makefile find
# the binaries there.
#
# Layout of the cache ($RAPPORT_TOOLS_DIR, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/rapport/tools):
#
#   envtest/kube-apiserver   envtest/etcd   (KUBEBUILDER_ASSETS=envtest/)
#   consul/consul
#   controller-gen/controller-gen
#
# Each binary has a stamp file next to it (.<name>.version) holding the
# pinned version and a hash of its helper module; a binary whose stamp
# matches is not rebuilt. The pins live in the helper modules under tools/
# (go.mod + go.sum), which are built with GOWORK=off and are not part of
# go.work. Set RAPPORT_TOOLS_FORCE=1 to rebuild everything.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${RAPPORT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rapport/tools}"

export GOWORK=off CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
# Consul's proto-public release is missing from the checksum database; the
# helper module's go.sum still pins its hash.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/hashicorp/consul"

# pinned_version MODDIR MODULE prints the version MODDIR/go.mod requires.
pinned_version() {
	awk -v m="$2" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1/go.mod"
}

# stamp_of MODDIR VERSION prints the stamp recorded next to a built binary.
stamp_of() {
	printf '%s %s\n' "$2" "$(cat "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-16)"
}

# build NAME MODDIR MODULE PACKAGE OUTDIR [LDFLAGS] builds PACKAGE from the
# helper module MODDIR into OUTDIR/NAME unless it is already there at the
# pinned version, then checks that it runs.
build() {
	local name=$1 mod="$root/tools/$2" module=$3 pkg=$4 out="$dir/$5" ldflags=${6:-}
	local version stamp bin stampfile start
	version="$(pinned_version "$mod" "$module")"
	if [[ -z "$version" ]]; then
		echo "tools: $mod/go.mod does not require $module" >&2
		return 1
	fi
	stamp="$(stamp_of "$mod" "$version")"
	bin="$out/$name"
	stampfile="$out/.$name.version"
	if [[ "${RAPPORT_TOOLS_FORCE:-}" != 1 && -x "$bin" && -f "$stampfile" &&
		"$(cat "$stampfile")" == "$stamp" ]]; then
		echo "$name $version: cached"
		return 0
	fi
	echo "$name $version: building…"
	start=$SECONDS
	mkdir -p "$out"
	rm -f "$stampfile"
	(cd "$mod" && go build -trimpath -ldflags="-s -w $ldflags" -o "$bin.tmp" "$pkg")
	if ! "$bin.tmp" --version >/dev/null 2>&1; then
		echo "tools: $bin.tmp --version failed:" >&2
		"$bin.tmp" --version >&2 || true
		return 1
	fi
	mv -f "$bin.tmp" "$bin"
	echo "$stamp" >"$stampfile"
	echo "$name $version: built in $((SECONDS - start))s ($("$bin" --version 2>&1 | head -1))"
}

kube_version="$(pinned_version "$root/tools/kube-apiserver" k8s.io/kubernetes)"
kube_minor="$(echo "$kube_version" | cut -d. -f2)"
kube_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	kube_ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1"
	kube_ldflags+=" -X $pkg.gitMinor=$kube_minor -X $pkg.gitTreeState=clean"
done

build kube-apiserver kube-apiserver k8s.io/kubernetes k8s.io/kubernetes/cmd/kube-apiserver envtest "$kube_ldflags"
build etcd etcd go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3 envtest
build consul consul github.com/hashicorp/consul github.com/hashicorp/consul consul
build controller-gen controller-gen sigs.k8s.io/controller-tools sigs.k8s.io/controller-tools/cmd/controller-gen controller-gen
