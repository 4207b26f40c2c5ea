package ratelimit

import (
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    Limit
		wantErr bool
	}{
		{"100:200", Limit{100, 200}, false},
		{" 0.5 : 10 ", Limit{0.5, 10}, false},
		{"20:40", Limit{20, 40}, false},
		{"100", Limit{}, true},
		{"0:10", Limit{}, true},
		{"-1:10", Limit{}, true},
		{"10:0", Limit{}, true},
		{"x:10", Limit{}, true},
		{"10:y", Limit{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLimit(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name    string
		in      []Decision
		wantKey string
		wantOK  bool
	}{
		{"one allowed", []Decision{{Allowed: true, Key: "a", Remaining: 3}}, "a", true},
		{"fewest remaining", []Decision{{Allowed: true, Key: "a", Remaining: 3, Limit: 10}, {Allowed: true, Key: "b", Remaining: 1, Limit: 40}}, "b", true},
		{"tie goes to the smaller limit", []Decision{{Allowed: true, Key: "a", Remaining: 2, Limit: 40}, {Allowed: true, Key: "b", Remaining: 2, Limit: 10}}, "b", true},
		{"a refusal wins", []Decision{{Allowed: false, Key: "a", RetryAfter: time.Second}, {Allowed: true, Key: "b", Remaining: 0}}, "a", false},
		{"longest wait wins", []Decision{{Allowed: false, Key: "a", RetryAfter: time.Second}, {Allowed: false, Key: "b", RetryAfter: 2 * time.Second}}, "b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decide(tt.in)
			if got.Key != tt.wantKey || got.Allowed != tt.wantOK {
				t.Errorf("decide = %s allowed %v, want %s allowed %v", got.Key, got.Allowed, tt.wantKey, tt.wantOK)
			}
		})
	}
}
