package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
)

// Goals of part 16 (issue 21): crmctl imports at the service's own import
// rate — the same file POSTed by a plain Go client in the same run — and
// stays under 50 MB of resident memory.
const (
	goalCrmctlRatio = 0.9
	goalCrmctlRSS   = 50_000_000 // bytes
	// crmctlDefaultRows is the file's size unless BENCH_CRMCTL_ROWS says
	// another.
	crmctlDefaultRows = 1_000_000
	// crmctlPoll is how often both clients read the job.
	crmctlPoll = 500 * time.Millisecond
)

// crmctlMapping maps the columns of writeImportFile's file.
const crmctlMapping = "First Name=firstName,Last Name=lastName,Email=emails,Phone=phones,Job Title=jobTitle,City=address.city"

// crmctlMappingJSON is crmctlMapping as the import's options take it.
func crmctlMappingJSON() map[string]string {
	m := map[string]string{}
	for pair := range strings.SplitSeq(crmctlMapping, ",") {
		name, field, _ := strings.Cut(pair, "=")
		m[name] = field
	}
	return m
}

// crmctlRun holds the results of part 16.
type crmctlRun struct {
	Rows      int
	FileBytes int64
	Raw       time.Duration // the plain client: POST until it saw the job completed
	CLI       time.Duration // crmctl: process start until exit
	RawJob    float64       // the job's own rows/s under the plain client
	CLIJob    float64       // and under crmctl
	HWM       int64         // crmctl's peak resident memory (its last VmHWM), bytes
}

// Ratio is crmctl's rate against the plain client's.
func (r crmctlRun) Ratio() float64 { return r.Raw.Seconds() / r.CLI.Seconds() }

// crmctlRows is the file's size: BENCH_CRMCTL_ROWS, else crmctlDefaultRows.
func crmctlRows() (int, error) {
	v := os.Getenv("BENCH_CRMCTL_ROWS")
	if v == "" {
		return crmctlDefaultRows, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("BENCH_CRMCTL_ROWS=%q: want a positive number of rows", v)
	}
	return n, nil
}

// measureCrmctl runs part 16: the gateway in front of contacts (each on a
// scratch database, in-process Kafka), a file of contacts as part 9's,
// imported first into one tenant by a plain Go HTTP client (the multipart
// stream of part 9 through the gateway with the admin's token, the job
// read every 500 ms) and then into a second tenant by the crmctl binary
// (signed in with a password, `crmctl import contacts FILE --mapping …`,
// stdout not a terminal), its VmHWM read every 100 ms.
func measureCrmctl(ctx context.Context, root string) (r crmctlRun, err error) {
	if r.Rows, err = crmctlRows(); err != nil {
		return r, err
	}
	st, err := startGatewayStack(ctx, root, false)
	defer st.Close()
	if err != nil {
		return r, err
	}
	dir, err := os.MkdirTemp("", "rapport-bench-crmctl-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	bin, err := buildBinary(ctx, root, dir, "./crmctl/cmd/crmctl")
	if err != nil {
		return r, err
	}
	file := filepath.Join(dir, "contacts.csv")
	if r.FileBytes, err = writeImportFile(file, r.Rows); err != nil {
		return r, err
	}
	raw, err := st.createTenant(ctx)
	if err != nil {
		return r, err
	}
	token, err := st.login(ctx, raw)
	if err != nil {
		return r, err
	}
	if r.Raw, r.RawJob, err = plainImport(ctx, st.Gateway, token, file, r.Rows); err != nil {
		return r, fmt.Errorf("plain client: %w", err)
	}
	cli, err := st.createTenant(ctx)
	if err != nil {
		return r, err
	}
	env := append(os.Environ(), "CRMCTL_CONFIG="+filepath.Join(dir, "crmctl.json"), "CRMCTL_GATEWAY="+st.Gateway)
	login := exec.CommandContext(ctx, bin.path, "login", "--tenant", cli.Slug, "--email", cli.Email, "--password-stdin")
	login.Env, login.Stdin = env, strings.NewReader(cli.Password+"\n")
	if out, err := login.CombinedOutput(); err != nil {
		return r, fmt.Errorf("crmctl login: %w: %s", err, out)
	}
	err = runCrmctl(ctx, bin.path, env, file, &r)
	return r, err
}

// runCrmctl runs crmctl's import of file, timing it from start to exit and
// watching its peak resident memory. VmHWM, not the rusage's ru_maxrss: a
// child's ru_maxrss counts the parent's memory it shared until exec.
func runCrmctl(ctx context.Context, bin string, env []string, file string, r *crmctlRun) error {
	cmd := exec.CommandContext(ctx, bin, "import", "contacts", file, "--mapping", crmctlMapping, "-o", "json")
	cmd.Env = env
	var out, errw strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errw
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	stop := watchHWM(cmd.Process.Pid, &r.HWM)
	err := cmd.Wait()
	r.CLI = time.Since(start)
	stop()
	if err != nil {
		return fmt.Errorf("crmctl import: %w: %s%s", err, out.String(), errw.String())
	}
	var res struct {
		State         string  `json:"state"`
		Created       int     `json:"created"`
		RowsPerSecond float64 `json:"rowsPerSecond"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || res.State != "completed" || res.Created != r.Rows {
		return fmt.Errorf("crmctl import: %v: %s; want %d created", err, out.String(), r.Rows)
	}
	r.CLIJob = res.RowsPerSecond
	return nil
}

// plainImport POSTs file through the gateway as part 9 does, reads the job
// every crmctlPoll until it completed, and returns the time from the POST
// until then and the job's own rows/s.
func plainImport(ctx context.Context, gateway, token, file string, rows int) (time.Duration, float64, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		options, _ := mw.CreateFormField("options")
		_ = json.NewEncoder(options).Encode(map[string]any{"mapping": crmctlMappingJSON()})
		part, err := mw.CreateFormFile("file", filepath.Base(file))
		if err == nil {
			_, err = io.Copy(part, bufio.NewReaderSize(f, 1<<16))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	bearer := func() (string, error) { return token, nil }
	start := time.Now()
	var im struct {
		ID, State, FailureReason string
		Created                  int
		RowsPerSecond            float64
	}
	if err := importCall(ctx, http.MethodPost, gateway+"/v1/imports", bearer, pr, mw.FormDataContentType(), http.StatusAccepted, &im); err != nil {
		return 0, 0, err
	}
	for im.State != "completed" {
		if im.State == "failed" || im.State == "cancelled" {
			return 0, 0, fmt.Errorf("import %s %s: %s", im.ID, im.State, im.FailureReason)
		}
		select {
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(crmctlPoll):
		}
		if err := importCall(ctx, http.MethodGet, gateway+"/v1/imports/"+im.ID, bearer, nil, "", http.StatusOK, &im); err != nil {
			return 0, 0, err
		}
	}
	took := time.Since(start)
	if im.Created != rows {
		return 0, 0, fmt.Errorf("import %s: %d created, want %d", im.ID, im.Created, rows)
	}
	return took, im.RowsPerSecond, nil
}

// vmHWM reads the peak resident memory of process pid (VmHWM of
// /proc/<pid>/status), in bytes.
func vmHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc/" + strconv.Itoa(pid) + "/status")
}

// watchHWM keeps pid's VmHWM in hwm, read every 100 ms, until the function
// it returns is called.
func watchHWM(pid int, hwm *int64) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if v, err := vmHWM(pid); err == nil && v > *hwm {
				*hwm = v
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}

// runCrmctlOnly measures part 16 alone and prints its section; results.md
// is left as it is.
func runCrmctlOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureCrmctl(ctx, root)
	if err != nil {
		return err
	}
	writeCrmctlSection(os.Stdout, r)
	return nil
}
