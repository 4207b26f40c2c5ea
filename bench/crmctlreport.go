package main

import (
	"fmt"
	"io"
)

// writeCrmctlSection renders part 16 of bench/results.md.
func writeCrmctlSection(w io.Writer, r crmctlRun) {
	fmt.Fprintf(w, "## 16. crmctl import\n\n")
	fmt.Fprintf(w, "The gateway in front of the real `services/contacts` binary (each on a scratch database, in-process Kafka) imports a CSV file of %d contacts (%.0f MB, part 9's file: first and last name, email, phone, job title, city, each contact distinct) twice, into two new tenants of the same service: first as a plain Go HTTP client sends it (the multipart stream of part 9 through the gateway with the administrator's access token, the job read every %s until completed), then through the `crmctl` binary (`crmctl import contacts FILE --mapping … -o json`, signed in with `crmctl login --password-stdin`, stdout not a terminal so no bar is drawn; it streams the file through an io.Pipe as the request's body and reads the job every %s too). crmctl's time is its process's, start to exit; the plain client's from its POST until it saw the job completed. Memory is crmctl's peak resident set: VmHWM of `/proc/<pid>/status` read every 100 ms (not the kernel's ru_maxrss at exit, which counts the memory of the bench process that the child shared until it ran crmctl).\n\n",
		r.Rows, float64(r.FileBytes)/1e6, crmctlPoll, crmctlPoll)
	if r.Rows != crmctlDefaultRows {
		fmt.Fprintf(w, "Measured at %d rows (BENCH_CRMCTL_ROWS) rather than the goal's %d: on this shared machine one import of a million rows takes minutes, and the part imports twice.\n\n", r.Rows, crmctlDefaultRows)
	}
	fmt.Fprintf(w, "| measurement | crmctl | plain Go client | ratio | goal |\n|---|---:|---:|---:|---|\n")
	cli, raw := float64(r.Rows)/r.CLI.Seconds(), float64(r.Rows)/r.Raw.Seconds()
	fmt.Fprintf(w, "| rows/s, start to the job's completion | %.0f (%s) | %.0f (%s) | %.2f | ≥ %.1f %s |\n",
		cli, r.CLI.Round(10e6), raw, r.Raw.Round(10e6), r.Ratio(), goalCrmctlRatio, verdict(r.Ratio() >= goalCrmctlRatio))
	fmt.Fprintf(w, "| the job's own rows/s | %.0f | %.0f | %.2f | — |\n", r.CLIJob, r.RawJob, r.CLIJob/r.RawJob)
	fmt.Fprintf(w, "| crmctl's peak resident memory | %.1f MB | | | < %.0f MB %s |\n\n",
		float64(r.HWM)/1e6, float64(goalCrmctlRSS)/1e6, verdict(r.HWM < goalCrmctlRSS))
}

// writeCrmctlSummary prints part 16's headline.
func writeCrmctlSummary(w io.Writer, r crmctlRun) {
	fmt.Fprintf(w, "crmctl import of %d rows: %.2f of a plain client's rate (goal ≥ %.1f), peak RSS %.1f MB (goal < %.0f MB)\n",
		r.Rows, r.Ratio(), goalCrmctlRatio, float64(r.HWM)/1e6, float64(goalCrmctlRSS)/1e6)
}
