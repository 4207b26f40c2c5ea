package email

import "testing"

func TestValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"ada@example.com", true},
		{"ada.lovelace+crm@mail.example.co.uk", true},
		{"ada@localhost", false},
		{"Ada <ada@example.com>", false},
		{"ada@example.c0m", false},
		{"ada@-example.com", false},
		{"not-an-email", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.in); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidDomain(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"example.com", true},
		{"a-b.example.cn", true},
		{"example", false},
		{"Example.com", false},
		{"example.com.", false},
		{"exa_mple.com", false},
		{"example.12", false},
	}
	for _, tt := range tests {
		if got := ValidDomain(tt.in); got != tt.want {
			t.Errorf("ValidDomain(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
