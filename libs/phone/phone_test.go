package phone

import "testing"

func TestNormalize(t *testing.T) {
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
			got, err := Normalize(tt.number, tt.region)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Normalize(%q, %q) = %q, %v; want %q, error %v", tt.number, tt.region, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestValidRegion(t *testing.T) {
	for _, r := range Regions {
		if !ValidRegion(r) {
			t.Errorf("ValidRegion(%q) = false for one of Regions", r)
		}
	}
	for _, r := range []string{"", "us", "FR", "USA"} {
		if ValidRegion(r) {
			t.Errorf("ValidRegion(%q) = true", r)
		}
	}
	if !ValidRegion(DefaultRegion) {
		t.Errorf("DefaultRegion %q is not one of Regions", DefaultRegion)
	}
}
