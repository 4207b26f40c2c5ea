// Package testkit gives tests the real components they run against: a fresh
// PostgreSQL database, an in-process Kafka cluster speaking the real protocol,
// the kube-apiserver and etcd binaries for envtest, and a Consul agent.
package testkit
