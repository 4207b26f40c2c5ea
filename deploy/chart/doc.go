// Package chart holds the tests of charts/rapport: Helm lint, render and
// server-side dry-run apply to a real kube-apiserver (envtest), the
// security and shape policy of what it renders, bad values, upgrades, the
// generated README values table and the CHANGELOG. The helpers they share
// with the kustomize tests are in package charttest.
package chart
