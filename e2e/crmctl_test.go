package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// crmctl runs the built crmctl with args against one gateway and one
// configuration file.
type crmctl struct {
	bin, gateway, config string
}

// run runs crmctl with args and stdin and returns its exit status, stdout
// and stderr.
func (c crmctl) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "CRMCTL_GATEWAY="+c.gateway, "CRMCTL_CONFIG="+c.config, "CRMCTL_PLATFORM_TOKEN=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errw
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("crmctl %v: %v", args, err)
	}
	return code, out.String(), errw.String()
}

// ok runs crmctl, fails the test unless it exits 0, and returns stdout.
func (c crmctl) ok(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errw := c.run(t, stdin, args...)
	if code != 0 {
		t.Fatalf("crmctl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errw)
	}
	return out
}

// TestCrmctl runs the crmctl binary against the real stack: a password
// login, contacts created, listed with a filter in every format, read,
// updated (If-Match from a GET, and a stale --version refused), a raw api
// call, a garbled login and a wrong flag refused with their exit statuses,
// and the platform operator's tenants: listed, created (a taken slug
// refused), suspended and resumed.
func TestCrmctl(t *testing.T) {
	st := stack.Start(t, bins)
	tn := st.CreateTenant(t, "crmctl")
	c := crmctl{bin: bins.Crmctl, gateway: st.GatewayURL, config: filepath.Join(t.TempDir(), "rapport", "crmctl.json")}

	c.ok(t, tn.Admin.Password+"\n", "login", "--tenant", tn.Slug, "--email", tn.Admin.Email, "--password-stdin")
	if info, err := os.Stat(c.config); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v, %v; want mode 0600", info, err)
	}

	var ada map[string]any
	out := c.ok(t, "", "contacts", "create", "--set", "firstName=Ada", "--set", "lastName=Lovelace",
		"--set", `emails=[{"address":"ada@crmctl.test"}]`, "-o", "json")
	if err := json.Unmarshal([]byte(out), &ada); err != nil || ada["id"] == nil {
		t.Fatalf("create: %q: %v", out, err)
	}
	id := ada["id"].(string)
	grace := filepath.Join(t.TempDir(), "grace.yaml")
	if err := os.WriteFile(grace, []byte("firstName: Grace\nlastName: Hopper\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok(t, "", "contacts", "create", "-f", grace)

	filter := `{"field":"lastName","op":"eq","value":"Lovelace"}`
	var listed []map[string]any
	if err := json.Unmarshal([]byte(c.ok(t, "", "contacts", "list", "--filter", filter, "-o", "json")), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0]["id"] != id {
		t.Fatalf("list -o json with the filter = %v, want only Ada", listed)
	}
	rows, err := csv.NewReader(strings.NewReader(c.ok(t, "", "contacts", "list", "--filter", filter, "--fields", "id,lastName", "-o", "csv"))).ReadAll()
	if err != nil || len(rows) != 2 || strings.Join(rows[0], ",") != "id,lastName" || rows[1][0] != id || rows[1][1] != "Lovelace" {
		t.Fatalf("list -o csv = %v, %v", rows, err)
	}
	table := c.ok(t, "", "contacts", "list", "--sort", "lastName", "-o", "table")
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "Grace Hopper") || !strings.Contains(lines[2], "Ada Lovelace") {
		t.Fatalf("list -o table sorted by lastName =\n%s", table)
	}
	if y := c.ok(t, "", "contacts", "list", "--filter", filter, "-o", "yaml"); strings.Count(y, "\n- ") != 0 || !strings.HasPrefix(y, "- ") ||
		!strings.Contains(y, "  displayName: Ada Lovelace\n") || !strings.Contains(y, "  id: "+id+"\n") {
		t.Fatalf("list -o yaml =\n%s", y)
	}

	y := c.ok(t, "", "contacts", "get", id, "-o", "yaml")
	version := regexp.MustCompile(`(?m)^version: (\d+)$`).FindStringSubmatch(y)
	if !strings.Contains(y, "\ndisplayName: Ada Lovelace\n") || version == nil {
		t.Fatalf("get -o yaml =\n%s", y)
	}
	var updated map[string]any
	if err := json.Unmarshal([]byte(c.ok(t, "", "contacts", "update", id, "--set", "jobTitle=Analyst", "-o", "json")), &updated); err != nil ||
		updated["jobTitle"] != "Analyst" || fmt.Sprint(updated["version"]) == version[1] {
		t.Fatalf("update = %v, %v (before: version %s)", updated, err, version[1])
	}
	code, _, errw := c.run(t, "", "contacts", "update", id, "--version", "1", "--set", "jobTitle=Poet")
	if code != 1 || !strings.HasPrefix(errw, "error: ") {
		t.Fatalf("update with a stale --version: exit %d, stderr %q; want 1 and the gateway's problem", code, errw)
	}

	var raw map[string]any
	if err := json.Unmarshal([]byte(c.ok(t, "", "api", "GET", "/v1/contacts/"+id)), &raw); err != nil || raw["jobTitle"] != "Analyst" {
		t.Fatalf("api GET = %v, %v", raw, err)
	}
	if code, out, _ := c.run(t, "", "api", "GET", "/v1/contacts/00000000-0000-7000-8000-000000000000"); code != 1 || !strings.Contains(out, `"status":404`) {
		t.Fatalf("api GET of no contact: exit %d, body %q; want 1 and the problem", code, out)
	}

	if code, _, errw := c.run(t, "", "contacts", "list", "--bogus"); code != 2 || !strings.Contains(errw, "unknown flag: --bogus") {
		t.Fatalf("a wrong flag: exit %d, stderr %q; want 2", code, errw)
	}

	if code, out, errw := c.run(t, "", "tenants", "list"); code != 2 || !strings.Contains(errw, "platform token") {
		t.Fatalf("tenants list without the platform token: exit %d, %q %q; want 2", code, out, errw)
	}
	var tenants []map[string]any
	if err := json.Unmarshal([]byte(c.ok(t, "", "tenants", "list", "--platform-token", st.PlatformToken, "-o", "json")), &tenants); err != nil ||
		len(tenants) != 1 || tenants[0]["slug"] != tn.Slug {
		t.Fatalf("tenants list = %v, %v", tenants, err)
	}
	// A platform operator creates a tenant, suspends it and resumes it.
	var made struct {
		Tenant struct{ ID, Slug, Status string } `json:"tenant"`
		Admin  struct {
			User struct{ Email string }
			Link string `json:"invitationLink"`
		} `json:"admin"`
	}
	if err := json.Unmarshal([]byte(c.ok(t, "", "tenants", "create", "--platform-token", st.PlatformToken, "--slug", "crmctl-made",
		"--name", "Made by crmctl", "--admin-email", "ada@crmctl-made.test", "-o", "json")), &made); err != nil ||
		made.Tenant.ID == "" || made.Tenant.Slug != "crmctl-made" || made.Tenant.Status != "active" || made.Admin.User.Email != "ada@crmctl-made.test" || made.Admin.Link == "" {
		t.Fatalf("tenants create = %+v, %v", made, err)
	}
	for verb, want := range map[string]string{"suspend": "suspended", "resume": "active"} {
		var got struct{ Status string }
		if err := json.Unmarshal([]byte(c.ok(t, "", "tenants", verb, made.Tenant.ID, "--platform-token", st.PlatformToken, "-o", "json")), &got); err != nil ||
			got.Status != want {
			t.Fatalf("tenants %s = %+v, %v; want %s", verb, got, err, want)
		}
	}
	if code, _, errw := c.run(t, "", "tenants", "create", "--platform-token", st.PlatformToken, "--slug", "crmctl-made",
		"--name", "Again", "--admin-email", "bo@crmctl-made.test"); code != 1 || !strings.HasPrefix(errw, "error: ") {
		t.Fatalf("a taken slug: exit %d, stderr %q; want 1 and the problem", code, errw)
	}

	garble(t, c.config)
	if code, _, errw := c.run(t, "", "contacts", "list"); code != 1 || errw != "error: your login has expired; run crmctl login\n" {
		t.Fatalf("a garbled login: exit %d, stderr %q", code, errw)
	}
	c.ok(t, tn.Admin.Password+"\n", "login", "--email", tn.Admin.Email, "--password-stdin")
	c.ok(t, "", "logout")
	if code, _, errw := c.run(t, "", "contacts", "list"); code != 1 || !strings.Contains(errw, "not logged in") {
		t.Fatalf("after logout: exit %d, stderr %q", code, errw)
	}
}

// garble replaces the tokens of every profile of the configuration file.
func garble(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, p := range f["profiles"].(map[string]any) {
		p.(map[string]any)["accessToken"] = "garbled"
		p.(map[string]any)["refreshToken"] = "garbled"
	}
	b, _ = json.Marshal(f)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
