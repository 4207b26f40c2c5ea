package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rapport-crm/rapport/libs/proc"
)

// axePath is axe-core's script in the console's devDependencies, relative
// to the repository's root.
const axePath = "services/console/node_modules/axe-core/axe.min.js"

// axeScript is axe.min.js, read once.
var axeScript = sync.OnceValues(func() (string, error) {
	root, err := proc.RepoRoot()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, axePath))
	if err != nil {
		return "", fmt.Errorf("axe-core (npm ci in services/console installs it): %w", err)
	}
	return string(b), nil
})

// axeRun waits until the page's finite animations have ended (at most 3 s),
// then runs axe over the document with the WCAG 2 A and AA rules and
// returns the serious and critical violations.
const axeRun = `(async () => {
	// Animations first: a dialog fading in has colours between its own and
	// the page's, which axe would measure as too little contrast.
	const until = Date.now() + 3000;
	while (Date.now() < until && document.getAnimations().some(a => a.playState === "running" && a.effect && a.effect.getComputedTiming().iterations !== Infinity))
		await new Promise(r => setTimeout(r, 50));
	return axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}, resultTypes: ["violations"]})
	.then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary)})));
})()`

// axeViolation is one rule a page breaks.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// Axe checks the page as it is now with axe-core's WCAG 2 A and AA rules and
// fails the test (without stopping it) listing each serious or critical
// violation, named by name (the page's name in the message).
func (p *Page) Axe(name string) {
	p.t.Helper()
	script, err := axeScript()
	if err != nil {
		p.t.Fatalf("browser: axe on %s: %v", name, err)
	}
	var loaded bool
	if p.Eval(`typeof axe === "object"`, &loaded); !loaded {
		p.Eval(script+"\n;true", nil)
	}
	var violations []axeViolation
	p.Eval(axeRun, &violations)
	for _, v := range violations {
		p.t.Errorf("axe on %s: %s (%s): %s\n  %s", name, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n  "))
	}
}
