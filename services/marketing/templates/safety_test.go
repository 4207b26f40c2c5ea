package templates

import (
	"strings"
	"testing"
)

func TestCheckHTMLRefusesScriptAndAllowsMailHTML(t *testing.T) {
	refused := map[string]string{
		"<p>x</p>\n<SCRIPT src=x></SCRIPT>":                     "line 2, column 1: <script>",
		`<svg><script>alert(1)</script></svg>`:                  "<script>",
		`<body onload="x()">`:                                   "event handler attribute onload",
		`<img src=x ONERROR=alert(1)>`:                          "event handler attribute",
		`<a href="javascript:alert(1)">x</a>`:                   "script URL in href",
		`<a href="  jav&#x0A;ascript:alert(1)">x</a>`:           "script URL in href",
		`<a href="vbscript:msgbox">x</a>`:                       "script URL",
		`<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`:    "script URL",
		`<form action="javascript:x()"><button>go</button>`:     "script URL in action",
		`<p style="width: expression(alert(1))">x</p>`:          "script in the style",
		`<div style="background:url( javascript:x)">x</div>`:    "script in the style",
		`<object data="x.swf"></object>`:                        "<object>",
		`<base href="https://evil.example/">`:                   "<base>",
		`<meta http-equiv="refresh" content="0;url=https://x">`: "http-equiv=refresh",
	}
	for src, want := range refused {
		err := checkHTML(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkHTML(%q) = %v, want an error containing %q", src, err, want)
		}
	}
	for _, src := range []string{
		`<!DOCTYPE html><html lang="en"><head><style>p { color: red }</style></head><body>` +
			`<p style="color:#333">Hi {{contact.firstName}}</p><a href="https://example.com/?a=1&amp;b=2">Shop</a>` +
			`<img src="data:image/png;base64,iVBORw0KGgo=" alt=""><a href="mailto:a@example.com">mail</a>` +
			`<a href="{{unsubscribeUrl}}">Unsubscribe</a><table><tr><td>Online</td></tr></table></body></html>`,
		"plain text, no tags",
		"",
	} {
		if err := checkHTML(src); err != nil {
			t.Errorf("checkHTML(%.40q) = %v, want nil", src, err)
		}
	}
}
