package proxy

import (
	"net/http"
	"slices"
	"testing"
)

func TestStripInboundRemovesTheProtocolToken(t *testing.T) {
	tests := []struct {
		name string
		in   []string // the Sec-WebSocket-Protocol lines a client sent
		want []string // those forwarded; nil: no header
	}{
		{"token after the chat protocol", []string{"rapport.chat.v1, rapport.bearer.eyJhbGci.eyJzdWIi.c2ln"}, []string{"rapport.chat.v1"}},
		{"token first, no spaces", []string{"rapport.bearer.abc,rapport.chat.v1,other"}, []string{"rapport.chat.v1, other"}},
		{"token on a line of its own", []string{"rapport.chat.v1", "rapport.bearer.abc"}, []string{"rapport.chat.v1"}},
		{"token in another case", []string{"Rapport.Bearer.abc, rapport.chat.v1"}, []string{"rapport.chat.v1"}},
		{"token alone", []string{"rapport.bearer.abc"}, nil},
		{"two tokens", []string{"rapport.bearer.a, rapport.bearer.b"}, nil},
		{"no token", []string{"rapport.chat.v1"}, []string{"rapport.chat.v1"}},
		{"no header", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Authorization": {"Bearer x"}}
			for _, line := range tt.in {
				h.Add("Sec-WebSocket-Protocol", line)
			}
			stripInbound(h)
			got, present := h["Sec-Websocket-Protocol"]
			if !slices.Equal(got, tt.want) || present != (tt.want != nil) {
				t.Errorf("forwarded %q (present %v), want %q", got, present, tt.want)
			}
			if h.Get("Authorization") != "" {
				t.Error("Authorization forwarded")
			}
		})
	}
}
