package main

import (
	"fmt"
	"io"
	"time"
)

// writeRestoreSection renders the restore part of bench/results.md.
func writeRestoreSection(w io.Writer, r restoreRun) {
	fmt.Fprintf(w, "## Tenant restore\n\n")
	fmt.Fprintf(w, "A contacts database shaped by the service's own migrations (services/contacts/migrations), %d contacts of one tenant COPYed into it (%s, emails and custom fields, the match-key trigger firing), dumped and restored as the operator's TenantBackup and TenantRestore do (operator/backup: `pg_dump --format=custom` streamed into a gocloud.dev file bucket with its SHA-256; `pg_restore --clean --if-exists --single-transaction` streamed back from it, the checksum checked before its last bytes, then owners and grants), and as the raw baseline: plain `pg_dump -Fc` to a file and `pg_restore` of it into an empty database. %s.\n\n",
		r.Rows, r.Seed.Round(time.Second), r.Tools)
	if r.Rows != restoreDefaultRows {
		fmt.Fprintf(w, "Measured at %d contacts (BENCH_RESTORE_ROWS) rather than the goal's %d.\n\n", r.Rows, restoreDefaultRows)
	}
	fmt.Fprintf(w, "| measurement | operator | plain pg_dump/pg_restore | ratio | goal |\n|---|---:|---:|---:|---|\n")
	fmt.Fprintf(w, "| dump (%.0f MB) | %s | %s | %.2f | — |\n", float64(r.DumpBytes)/1e6, r.Dump.Round(10*time.Millisecond), r.RawDump.Round(10*time.Millisecond), r.Dump.Seconds()/r.RawDump.Seconds())
	fmt.Fprintf(w, "| restore | %s | %s | %.2f | ≤ %s %s |\n\n", r.Restore.Round(10*time.Millisecond), r.RawLoad.Round(10*time.Millisecond),
		r.Restore.Seconds()/r.RawLoad.Seconds(), goalRestore, verdict(r.Restore <= goalRestore))
}
