package customer

import (
	"testing"
)

func TestDisplayName(t *testing.T) {
	tests := []struct{ first, last, want string }{
		{"伟", "张", "张伟"},
		{"小明", "王", "王小明"},
		{"Ada", "Lovelace", "Ada Lovelace"},
		{"Ada", "", "Ada"},
		{"", "Lovelace", "Lovelace"},
		{" ", " ", ""},
	}
	for _, tt := range tests {
		if got := DisplayName(tt.first, tt.last); got != tt.want {
			t.Errorf("DisplayName(%q, %q) = %q, want %q", tt.first, tt.last, got, tt.want)
		}
	}
}
