// Package testkit gives tests the real components they run against: a fresh
// PostgreSQL database, an in-process Kafka cluster speaking the real protocol,
// a Consul agent, and where `make tools` builds the binaries tests run
// (ToolsDir; the operator's tests start envtest from there). Eventually
// waits on a condition where a test would otherwise sleep.
package testkit
