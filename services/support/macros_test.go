package support_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/macros"
)

// createMacro creates a macro as u from body.
func (e *env) createMacro(u user, body map[string]any) macros.Macro {
	e.t.Helper()
	return contracttest.Decode[macros.Macro](e.want(e.do(u, "POST", "/v1/support-macros", body), http.StatusCreated))
}

// macroNames lists the names of the macros u sees.
func (e *env) macroNames(u user) []string {
	e.t.Helper()
	list := contracttest.Decode[struct{ Items []macros.Macro }](e.want(e.do(u, "GET", "/v1/support-macros", nil), http.StatusOK))
	var out []string
	for _, m := range list.Items {
		out = append(out, m.Name)
	}
	return out
}

// renderMacro renders the macro id for the case caseID as u.
func (e *env) renderMacro(u user, id, caseID string) macros.Rendered {
	e.t.Helper()
	return contracttest.Decode[macros.Rendered](e.want(e.do(u, "POST", "/v1/support-macros/"+id+"/render",
		map[string]any{"caseId": caseID}), http.StatusOK))
}

func TestSupportMacrosCRUDAndPermissions(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	agent := admin.as("support:read", "support:write")
	agent.id = uuid.NewString()
	other := agent
	other.id = uuid.NewString()

	shared := e.createMacro(admin, map[string]any{"name": " Thanks ", "body": "Case {{ case.number }}: thanks.", "shared": true,
		"actions": map[string]any{"status": "solved", "priority": "low", "addTags": []string{"Done", "done", "macro"}}})
	if shared.Name != "Thanks" || !shared.Shared || shared.OwnerID != admin.id || shared.Version != 1 ||
		shared.Actions.Status != "solved" || !slices.Equal(shared.Actions.AddTags, []string{"Done", "macro"}) {
		t.Fatalf("created %+v", shared)
	}
	// An agent keeps personal macros; only support:admin makes shared ones.
	e.want(e.do(agent, "POST", "/v1/support-macros", map[string]any{"name": "Mine", "body": "x", "shared": true}), http.StatusForbidden)
	mine := e.createMacro(agent, map[string]any{"name": "Mine", "body": "Hello {{contact.name}}"})
	if mine.Shared || mine.OwnerID != agent.id {
		t.Fatalf("personal %+v", mine)
	}
	reader := agent.as("support:read")
	e.want(e.do(reader, "POST", "/v1/support-macros", map[string]any{"name": "R", "body": "x"}), http.StatusForbidden)

	// Personal macros are their owner's alone: another agent, an admin
	// too, neither lists, reads, renders, changes nor deletes one.
	if got := e.macroNames(agent); !slices.Equal(got, []string{"Mine", "Thanks"}) {
		t.Fatalf("agent sees %v", got)
	}
	c := e.createCase(admin, map[string]any{"subject": "Billing"})
	e.renderMacro(agent, mine.ID, c.ID)
	for _, u := range []user{other, admin} {
		if got := e.macroNames(u); !slices.Equal(got, []string{"Thanks"}) {
			t.Fatalf("%s sees %v", u.id, got)
		}
		e.want(e.do(u, "GET", "/v1/support-macros/"+mine.ID, nil), http.StatusNotFound)
		e.want(e.do(u, "POST", "/v1/support-macros/"+mine.ID+"/render", map[string]any{"caseId": c.ID}), http.StatusNotFound)
		e.want(e.do(u, "PATCH", "/v1/support-macros/"+mine.ID, map[string]any{"name": "Theirs"}, "If-Match", kitx.ETag(mine.Version)),
			http.StatusNotFound)
		e.want(e.do(u, "DELETE", "/v1/support-macros/"+mine.ID, nil), http.StatusNotFound)
	}
	// Another tenant sees neither.
	stranger := newUser(uuid.NewString())
	if got := e.macroNames(stranger); len(got) != 0 {
		t.Fatalf("another tenant sees %v", got)
	}
	e.want(e.do(stranger, "GET", "/v1/support-macros/"+shared.ID, nil), http.StatusNotFound)

	// Shared macros are read by agents, changed by admins only.
	e.want(e.do(agent, "GET", "/v1/support-macros/"+shared.ID, nil), http.StatusOK)
	e.want(e.do(agent, "PATCH", "/v1/support-macros/"+shared.ID, map[string]any{"name": "Mine now"}, "If-Match", kitx.ETag(1)),
		http.StatusForbidden)
	e.want(e.do(agent, "DELETE", "/v1/support-macros/"+shared.ID, nil), http.StatusForbidden)
	patched := contracttest.Decode[macros.Macro](e.want(e.do(admin, "PATCH", "/v1/support-macros/"+shared.ID,
		map[string]any{"body": "Thanks for case {{case.number}}.", "actions": map[string]any{"priority": nil}}, "If-Match", kitx.ETag(1)),
		http.StatusOK))
	if patched.Version != 2 || patched.Body != "Thanks for case {{case.number}}." || patched.Actions.Priority != "" ||
		patched.Actions.Status != "solved" || !patched.Shared {
		t.Fatalf("patched %+v", patched)
	}
	e.want(e.do(admin, "PATCH", "/v1/support-macros/"+shared.ID, map[string]any{"name": "x"}, "If-Match", kitx.ETag(1)),
		http.StatusPreconditionFailed)
	e.want(e.do(admin, "PATCH", "/v1/support-macros/"+shared.ID, map[string]any{"name": "x"}), http.StatusPreconditionRequired)
	if got := e.want(e.do(admin, "PATCH", "/v1/support-macros/"+shared.ID, map[string]any{"shared": false}, "If-Match", kitx.ETag(2)),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"shared"}) {
		t.Fatalf("shared patched: %v", got)
	}

	// The owner changes and deletes their own.
	renamed := contracttest.Decode[macros.Macro](e.want(e.do(agent, "PATCH", "/v1/support-macros/"+mine.ID, map[string]any{"name": "Hello"},
		"If-Match", kitx.ETag(mine.Version)), http.StatusOK))
	if renamed.Name != "Hello" || renamed.Version != 2 {
		t.Fatalf("renamed %+v", renamed)
	}
	e.want(e.do(agent, "DELETE", "/v1/support-macros/"+mine.ID, nil, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(agent, "DELETE", "/v1/support-macros/"+mine.ID, nil), http.StatusNoContent)
	e.want(e.do(agent, "GET", "/v1/support-macros/"+mine.ID, nil), http.StatusNotFound)
	e.want(e.do(admin, "DELETE", "/v1/support-macros/"+shared.ID, nil, "If-Match", kitx.ETag(2)), http.StatusNoContent)
	if got := e.macroNames(agent); len(got) != 0 {
		t.Fatalf("left %v", got)
	}
}

func TestSupportMacroValidation(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	bad := e.want(e.do(u, "POST", "/v1/support-macros", map[string]any{"name": " ", "body": "Dear {{contact.nmae}}, {{ case.number }} {{agent.phone}}",
		"actions": map[string]any{"status": "done", "priority": "meh", "addTags": []string{" "}, "queueId": "nope"}}), http.StatusBadRequest)
	if got := bad.fields(); !slices.Equal(got, []string{"name", "body", "actions/status", "actions/priority", "actions/addTags/0", "actions/queueId"}) {
		t.Fatalf("bad fields %v", got)
	}
	e.want(e.do(u, "POST", "/v1/support-macros", map[string]any{"name": "x", "body": "hi", "ownerId": "someone"}), http.StatusBadRequest)
	m := e.createMacro(u, map[string]any{"name": "Plain", "body": "No fields; {braces} and {{ are text."})
	if got := e.want(e.do(u, "PATCH", "/v1/support-macros/"+m.ID, map[string]any{"body": "{{case.owner}}"}, "If-Match", kitx.ETag(1)),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"body"}) {
		t.Fatalf("patch fields %v", got)
	}
	if got := contracttest.Decode[macros.Macro](e.want(e.do(u, "GET", "/v1/support-macros/"+m.ID, nil), http.StatusOK)); got.Version != 1 {
		t.Fatalf("a refused patch changed it: %+v", got)
	}
	e.want(e.do(u, "POST", "/v1/support-macros/"+m.ID+"/render", map[string]any{}), http.StatusBadRequest)
}

func TestSupportMacroRender(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	m := e.createMacro(admin, map[string]any{"name": "Reply", "shared": true,
		"body":    "Hi {{contact.name}} <{{contact.email}}>, case #{{case.number}} ({{case.subject}}) is {{case.status}}/{{case.priority}} via {{case.channel}}.",
		"actions": map[string]any{"status": "pending_customer", "addTags": []string{"asked"}}})

	// A case with no customer entry: those fields render empty.
	bare := e.createCase(admin, map[string]any{"subject": "Printer", "priority": "high"})
	got := e.renderMacro(admin, m.ID, bare.ID)
	want := "Hi  <>, case #" + strconv.FormatInt(bare.Number, 10) + " (Printer) is new/high via api."
	if got.BodyText != want || got.Actions.Status != "pending_customer" || !slices.Equal(got.Actions.AddTags, []string{"asked"}) {
		t.Fatalf("rendered %+v, want %q", got, want)
	}

	// The customer's name and address come from the thread.
	c := e.createCase(admin, map[string]any{"subject": "打印机", "channel": "email"})
	if _, err := e.caseService().Append(context.Background(), admin.tenant, c.ID, cases.NewEntry{Kind: cases.KindReply, Public: true,
		AuthorType: cases.AuthorCustomer, AuthorName: "王芳", AuthorEmail: "fang@example.com", BodyText: "还是不行", Channel: "email"},
		"system:email"); err != nil {
		t.Fatal(err)
	}
	got = e.renderMacro(admin, m.ID, c.ID)
	if want := "Hi 王芳 <fang@example.com>, case #" + strconv.FormatInt(c.Number, 10) + " (打印机) is new/normal via email."; got.BodyText != want {
		t.Fatalf("rendered %q, want %q", got.BodyText, want)
	}

	// Another tenant's case is not found; nor is an unknown macro, nor
	// an unknown case.
	e.want(e.do(newUser(uuid.NewString()), "POST", "/v1/support-macros/"+m.ID+"/render", map[string]any{"caseId": c.ID}), http.StatusNotFound)
	e.want(e.do(admin, "POST", "/v1/support-macros/"+uuid.NewString()+"/render", map[string]any{"caseId": c.ID}), http.StatusNotFound)
	e.want(e.do(admin, "POST", "/v1/support-macros/"+m.ID+"/render", map[string]any{"caseId": uuid.NewString()}), http.StatusNotFound)
	// Rendering is for a reply: a reader may not.
	e.want(e.do(admin.as("support:read"), "POST", "/v1/support-macros/"+m.ID+"/render", map[string]any{"caseId": c.ID}), http.StatusForbidden)
}
