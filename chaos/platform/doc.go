// Package platform runs the whole Rapport platform as `make run` starts it
// (the local launcher, deploy/local), with replicas, and injects faults into
// it through the launcher's control API: it kills, restarts and pauses
// processes, restarts the in-process Kafka and PostgreSQL.
package platform
