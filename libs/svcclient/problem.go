package svcclient

import (
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// Problem is an error answer (4xx but 429) of the gateway or a called
// service: its status and RFC 9457 body.
type Problem struct {
	Service string // who answered: the audience called, or "gateway"
	kitx.Problem
}

// Error implements error.
func (p *Problem) Error() string {
	return fmt.Sprintf("svcclient: %s answered %d %s: %s", p.Service, p.Status, p.Slug(), p.Detail)
}

// Slug is the last part of the problem's type ("validation-failed").
func (p *Problem) Slug() string { return strings.TrimPrefix(p.Type, kitx.ProblemTypeBase) }
