// Package proc runs Rapport's binaries as child processes: it builds them
// from the workspace (Build, RepoRoot), starts one with its environment and
// its output captured or passed on (Start), waits until it answers GET
// /readyz (WaitReady) and stops it with everything it started (Stop,
// StopAll): SIGTERM to its process group, SIGKILL after a grace period.
//
// The local launcher (deploy/local), the end-to-end tests (e2e/stack), the
// operator's tests and the benchmarks all start services through it. The
// package's WaitReady waits alike for any server's /readyz, such as one a
// test runs in process.
package proc
