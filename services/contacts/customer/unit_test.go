package customer

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name, number, region, want string
		wantErr                    bool
	}{
		{"US national", "(415) 555-2671", "US", "+14155552671", false},
		{"US with trunk 1", "1-415-555-2671", "US", "+14155552671", false},
		{"CA national", "604 555 0199", "CA", "+16045550199", false},
		{"US 011 international", "011 44 20 7946 0958", "US", "+442079460958", false},
		{"CN mobile", "138 1234 5678", "CN", "+8613812345678", false},
		{"CN Beijing landline", "010-12345678", "CN", "+861012345678", false},
		{"CN Shenzhen landline", "0755 1234 5678", "CN", "+8675512345678", false},
		{"GB national", "020 7946 0958", "GB", "+442079460958", false},
		{"GB mobile", "07700 900123", "GB", "+447700900123", false},
		{"DE national", "030 123456", "DE", "+4930123456", false},
		{"DE mobile", "0151 23456789", "DE", "+4915123456789", false},
		{"plus international in any region", "+49 30 123456", "US", "+4930123456", false},
		{"00 international", "0086 138 1234 5678", "GB", "+8613812345678", false},
		{"(0) in international GB", "+44 (0)20 7946 0958", "US", "+442079460958", false},
		{"other country", "+33 1 42 68 53 00", "US", "+33142685300", false},
		{"letters", "555-CALL-NOW", "US", "", true},
		{"US too short", "555 1234", "US", "", true},
		{"CN mobile bad prefix", "128 1234 5678", "CN", "", true},
		{"DE without trunk", "30 123456", "DE", "", true},
		{"international too long", "+1234567890123456", "US", "", true},
		{"region without plan", "0612345678", "FR", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePhone(tt.number, tt.region)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q, error %v", tt.number, tt.region, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

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

func TestCustomValue(t *testing.T) {
	sel := CustomField{Type: "singleSelect", Options: []string{"gold", "silver"}}
	multi := CustomField{Type: "multiSelect", Options: []string{"a", "b"}}
	tests := []struct {
		name   string
		def    CustomField
		val    any
		wantOK bool
	}{
		{"text", CustomField{Type: "text"}, "hello", true},
		{"text not string", CustomField{Type: "text"}, 3.0, false},
		{"number", CustomField{Type: "number"}, 3.5, true},
		{"number as string", CustomField{Type: "number"}, "3.5", false},
		{"decimal", CustomField{Type: "decimal"}, "12.50", true},
		{"decimal malformed", CustomField{Type: "decimal"}, "12,50", false},
		{"date", CustomField{Type: "date"}, "2024-02-29", true},
		{"date invalid", CustomField{Type: "date"}, "2023-02-29", false},
		{"datetime", CustomField{Type: "datetime"}, "2024-01-02T03:04:05+08:00", true},
		{"datetime no zone", CustomField{Type: "datetime"}, "2024-01-02T03:04:05", false},
		{"boolean", CustomField{Type: "boolean"}, true, true},
		{"boolean string", CustomField{Type: "boolean"}, "true", false},
		{"single select", sel, "gold", true},
		{"single select other", sel, "bronze", false},
		{"multi select", multi, []any{"a", "b"}, true},
		{"multi select duplicate", multi, []any{"a", "a"}, false},
		{"multi select other", multi, []any{"c"}, false},
		{"currency", CustomField{Type: "currency"}, map[string]any{"amountMinor": 1999.0, "currency": "EUR"}, true},
		{"currency fraction", CustomField{Type: "currency"}, map[string]any{"amountMinor": 19.5, "currency": "EUR"}, false},
		{"currency bad code", CustomField{Type: "currency"}, map[string]any{"amountMinor": 1.0, "currency": "EURO"}, false},
		{"url", CustomField{Type: "url"}, "https://example.com/x", true},
		{"url ftp", CustomField{Type: "url"}, "ftp://example.com", false},
		{"email", CustomField{Type: "email"}, "A@Example.com", true},
		{"email invalid", CustomField{Type: "email"}, "not-an-email", false},
		{"phone", CustomField{Type: "phone"}, "+44 20 7946 0958", true},
		{"phone invalid", CustomField{Type: "phone"}, "12", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason := customValue(tt.def, tt.val, "US")
			if got := reason == ""; got != tt.wantOK {
				t.Errorf("customValue(%v) ok = %v (%s), want %v", tt.val, got, reason, tt.wantOK)
			}
		})
	}
}
