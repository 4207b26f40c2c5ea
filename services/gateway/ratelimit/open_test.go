package ratelimit

import (
	"testing"
)

func TestOpen(t *testing.T) {
	tests := []struct {
		url       string
		wantRedis bool
		wantErr   bool
	}{
		{"", false, false},
		{testRedisURL(), true, false},
		{"http://nope", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			l, closer, ping, err := Open(tt.url)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			defer closer.Close()
			_, isRedis := l.(*Redis)
			if isRedis != tt.wantRedis {
				t.Errorf("limiter %T, want redis: %v", l, tt.wantRedis)
			}
			if isRedis {
				if err := ping(t.Context()); err != nil {
					t.Errorf("ping: %v", err)
				}
				if _, err := l.Allow(t.Context(), Bucket{Key: "rapport-test:open:" + t.Name(), Limit: Limit{Rate: 1000, Burst: 1}}); err != nil {
					t.Errorf("Allow: %v", err)
				}
			}
		})
	}
}
